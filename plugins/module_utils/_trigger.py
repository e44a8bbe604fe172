# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""Starting runs safely: local validation, check mode, the idempotency ledger, batches.

One ``RunRequest`` is one flow on one agent. ``start_runs`` starts a list of them
concurrently and returns one ``TriggerResult`` per request, in input order. The
ledger is consulted and updated around each trigger so that a run is never started
twice for the same idempotency key, and a trigger that may have started a run always
leaves evidence behind.
"""

import copy

from ansible_collections.leapops.leapwork.plugins.module_utils._batch import (
    StartRequest,
    StartResult,
    batch_problem,
    start_once_each,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError, LeapworkHTTPError, TriggerOutcomeUnknown
from ansible_collections.leapops.leapwork.plugins.module_utils._http_status import not_registered_yet, proves_no_run
from ansible_collections.leapops.leapwork.plugins.module_utils._ids import guid_problem
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import flow_target, pool_target
from ansible_collections.leapops.leapwork.plugins.module_utils._results import ItemResult, RunResult, is_over, verdict
from ansible_collections.leapops.leapwork.plugins.module_utils._statuses import STATUS_FINISHED
from ansible_collections.leapops.leapwork.plugins.module_utils._waiter import DEFAULT_GRACE_SECONDS


class RequestError(ValueError):
    """A run request is invalid; raised before anything is sent."""


class RunRequest(StartRequest):
    """One flow on one agent, validated locally (variables, secret variables and key: see ``StartRequest``).

    With ``pool`` (a ``_pool.Pool``) and no ``agent_id``, the flow runs on an agent of the pool,
    chosen by ``_pool.Dispatcher`` (``on_agent``); its ledger entry names the pool.
    """

    def __init__(self, flow_id, agent_id, variables=None, idempotency_key=None, label="flow_run",
                 secret_variables=None, delete_schedule=False, pool=None):
        self.label = label
        self.flow_id = _guid(flow_id, "flow_id", label)
        self.pool = pool if not agent_id else None
        self.agent_id = None if self.pool is not None else _guid(agent_id, "agent_id", label)
        self.set_run_options(variables, secret_variables, idempotency_key, RequestError, delete_schedule)

    def on_agent(self, agent_id):
        """This pool request, placed on ``agent_id`` (``None``: not known, a run reused from the ledger)."""
        placed = copy.copy(self)
        placed.agent_id = agent_id
        return placed

    def identity(self):
        """What makes two items of a batch the same ledger entry."""
        return (self.flow_id, self.pool.key if self.pool is not None else self.agent_id, self.idempotency_key)

    def target(self):
        if self.pool is not None:
            return "flow %s, agent pool" % self.flow_id, "flow and pool"
        return "flow %s, agent %s" % (self.flow_id, self.agent_id), "flow and agent"

    def ledger_target(self):
        """The ledger entry's target: the flow on its agent, or on its pool (wherever it lands)."""
        if self.pool is not None:
            return pool_target(self.flow_id, self.pool.key)
        return flow_target(self.flow_id, self.agent_id)

    def request_record(self, delete_schedule):
        """The trigger request: method, path and query (secret values masked), never the access key."""
        return {
            "method": "PUT",
            "path": "/api/v4/flows/%s/agent/%s" % (self.flow_id, self.agent_id),
            "query": self.masked_query(delete_schedule),
        }


def check_batch(requests):
    """Refuse, before any trigger, two items with one ledger entry but different variables (see ``_batch``)."""
    problem = batch_problem(requests)
    if problem:
        raise RequestError(problem)


def _guid(value, option, label):
    if not value:
        raise RequestError("%s: %s is required" % (label, option))
    problem = guid_problem(option, value)
    if problem:
        raise RequestError("%s: %s" % (label, problem))
    return str(value).lower()


class TriggerResult(StartResult):
    """What happened to one run request."""

    def __init__(self, request, delete_schedule):
        super().__init__(request)
        self.delete_schedule = delete_schedule
        # A reused run's attempts as the ledger recorded them ([{"run_id", "agent_id"}], first first).
        self.recorded_attempts = []

    def target_fields(self):
        return {"flow_id": self.request.flow_id, "agent_id": self.request.agent_id}

    def request_record(self):
        return self.request.request_record(self.delete_schedule)


class Trigger(object):
    """Starts runs for one module invocation."""

    def __init__(self, client, controller_url, ledger=None, rerun="never", delete_schedule=False,
                 check_mode=False, run_is_passed=None):
        self.client = client
        self.controller_url = controller_url
        self.ledger = ledger
        self.rerun = rerun
        self.delete_schedule = delete_schedule
        self.check_mode = check_mode
        # callable(run_id, seconds_since_recorded) -> bool, used by rerun=failed to judge a recorded run
        # (recorded_run_passed)
        self.run_is_passed = run_is_passed

    def new_result(self, request):
        """An empty result for ``request``."""
        return TriggerResult(request, self.delete_schedule)

    def start_one(self, request, result, retry_of=None):
        """Start (or, in check mode, preview) ``request``, filling ``result``; raises what the start raised.

        ``retry_of``: the run id of the flow's last attempt, which this one follows (``retries``): the
        ledger adds the attempt to the key's entry instead of reusing that run.
        """
        if retry_of is not None:
            result.changed = result.reused = False
            if request.idempotency_key and self.ledger is not None:
                self._trigger_with_ledger(request, result, retry_of)
            else:
                self._trigger(request, result)
            return
        self._start(request, result)

    def start_runs(self, requests, max_concurrency=8):
        """Start every request, concurrently; results in input order. Never raises for one item.

        Items with an idempotency key that are identical (flow, agent, key, variables) are one
        ledger entry, so they are started once and every one of them reports that result.
        """
        check_batch(requests)
        return start_once_each(requests, self.new_result, self._start, max_concurrency)

    def _start(self, request, result):
        if self.check_mode:
            self._check(request, result)
        elif request.idempotency_key and self.ledger is not None:
            self._trigger_with_ledger(request, result)
        else:
            self._trigger(request, result)

    # -- check mode: read-only calls only
    def _check(self, request, result):
        self._confirm_exists(request)
        if request.idempotency_key and self.ledger is not None:
            decision = self.ledger.preview(
                self.controller_url, request.ledger_target(), request.idempotency_key,
                request.fingerprint(), rerun=self.rerun, run_is_passed=self.run_is_passed,
            )
            if decision.action == "reuse":
                result.run_id, result.reused = decision.run_id, True
                self._place_reused(request, result)
                return
        result.changed = True

    def _confirm_exists(self, request):
        """Say which of the flow and the agent is missing, with read-only calls."""
        missing = []
        for what, identifier, lookup in (("flow_id", request.flow_id, self.client.flow_info),
                                         ("agent_id", request.agent_id, self.client.agent)):
            try:
                lookup(identifier)
            except LeapworkHTTPError as exc:
                if exc.status != 404:
                    raise
                missing.append("%s %s was not found on the controller" % (what, identifier))
        if missing:
            raise LeapworkHTTPError("; ".join(missing), operation="check", status=404)

    # -- triggering
    def _trigger(self, request, result):
        """Send the trigger once; return the run id."""
        try:
            result.attempted = True
            result.run_id = self.client.trigger_flow(request.flow_id, request.agent_id, request.query_pairs(self.delete_schedule))
            result.sent = True
        except TriggerOutcomeUnknown as exc:
            result.sent = True
            if request.idempotency_key:
                exc.context = "idempotency_key %r" % request.idempotency_key
            raise
        except LeapworkHTTPError as exc:
            result.sent = True  # the controller answered it
            if exc.status == 404:
                self._name_the_unknown_id(request)
            raise
        result.changed = True
        return result.run_id

    def _name_the_unknown_id(self, request):
        """After a 404 to the trigger: raise the 404 that says which id is unknown (two GETs).

        When the GETs cannot tell (a fault, the deadline), return: the trigger's own 404 stands. It
        proves that no run started, and an error of the GETs in its place could say otherwise (the
        ledger would keep the key blocked by a trigger that started nothing).
        """
        try:
            self._confirm_exists(request)
        except LeapworkHTTPError as lookup:
            if lookup.status == 404:
                raise
        except LeapworkError:
            pass

    def _trigger_with_ledger(self, request, result, retry_of=None):
        result.run_id, result.reused = self.ledger.trigger_once(
            self.controller_url, request.ledger_target(), request.idempotency_key,
            request.fingerprint(), lambda: self._trigger(request, result), proves_no_run,
            rerun=self.rerun, run_is_passed=self.run_is_passed, mask=getattr(self.client, "mask", None),
            agent_id=request.agent_id, retry_of=retry_of,
        )
        if result.reused:
            self._place_reused(request, result)

    def _place_reused(self, request, result):
        """A run reused from the ledger: its attempts as recorded; a pool's ran where the last one was recorded."""
        result.recorded_attempts = self.ledger.recorded_attempts(self.controller_url, request.ledger_target(),
                                                                 request.idempotency_key)
        if request.pool is not None:
            result.request = request.on_agent(result.recorded_attempts[-1]["agent_id"] if result.recorded_attempts else None)


def recorded_run_passed(client, run_id, done_status_as="passed", seconds_since_recorded=None):
    """For rerun=failed: did the recorded run pass? A run still going counts as passed (reused).

    Still going is what the waiter waits for (``is_over``), and a run recorded ``seconds_since_recorded``
    ago that the controller has not registered yet, by the waiter's rule and grace
    (``not_registered_yet``, ``DEFAULT_GRACE_SECONDS``): starting another would be a duplicate.
    Otherwise the result model judges the run (``verdict``: no flow ran is not a pass). A run the
    controller no longer knows (404 after the grace, or with no recorded time) did not pass: a new
    one is started.
    """
    status = None
    try:
        status = client.run_status(run_id)
        if status != STATUS_FINISHED:
            return True  # not over (is_over), whatever its items say: no need to read them
        items = [ItemResult.from_run_item(client.run_item(run_item_id), done_status_as, run_item_id=run_item_id)
                 for run_item_id in client.run_item_ids(run_id)]
    except LeapworkHTTPError as exc:
        # As for the waiter, only a run that has not answered yet may be "not registered yet".
        if status is None and not_registered_yet(exc.status, seconds_since_recorded, DEFAULT_GRACE_SECONDS):
            return True
        if exc.status == 404:
            return False
        raise
    if not is_over(status, items):
        return True
    return verdict([RunResult(run_id, status=status, items=items)]).passing
