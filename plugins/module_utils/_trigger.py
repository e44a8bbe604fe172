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

from ansible_collections.leapops.leapwork.plugins.module_utils._batch import (
    batch_problem,
    idempotency_key_problem,
    record_item_error,
    start_once_each,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    TRIGGER_NO_RUN_STATUSES,
    LeapworkError,
    LeapworkHTTPError,
    TriggerOutcomeUnknown,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._ids import is_guid
from ansible_collections.leapops.leapwork.plugins.module_utils._results import PASSED, ItemResult
from ansible_collections.leapops.leapwork.plugins.module_utils._statuses import STATUS_FINISHED
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import (
    RunVariables,
    VariableError,
)


class RequestError(ValueError):
    """A run request is invalid; raised before anything is sent."""


class RunRequest(RunVariables):
    """One flow on one agent, validated locally (variables and secret variables: see ``RunVariables``)."""

    def __init__(self, flow_id, agent_id, variables=None, idempotency_key=None, label="flow_run",
                 secret_variables=None, delete_schedule=False):
        self.label = label
        self.flow_id = _guid(flow_id, "flow_id", label)
        self.agent_id = _guid(agent_id, "agent_id", label)
        try:
            self.set_variables(variables, secret_variables, label, delete_schedule)
        except VariableError as exc:
            raise RequestError(str(exc)) from None
        problem = idempotency_key_problem(idempotency_key, label)
        if problem:
            raise RequestError(problem)
        self.idempotency_key = idempotency_key or None

    def identity(self):
        """What makes two items of a batch the same ledger entry."""
        return (self.flow_id, self.agent_id, self.idempotency_key)

    def target(self):
        return "flow %s, agent %s" % (self.flow_id, self.agent_id), "flow and agent"

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
    if not is_guid(value):
        raise RequestError("%s: %s must be a GUID such as 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11, got %r" % (label, option, value))
    return str(value).lower()


class TriggerResult(object):
    """What happened to one run request."""

    def __init__(self, request, delete_schedule):
        self.request = request
        self.delete_schedule = delete_schedule
        self.run_id = None
        self.changed = False
        self.reused = False
        self.sent = False
        self.error = None
        self.status = None

    def copy_for(self, request):
        """This result, reported by ``request``, an identical item of the same batch."""
        twin = TriggerResult(request, self.delete_schedule)
        for name in ("run_id", "changed", "reused", "sent", "error", "status"):
            setattr(twin, name, getattr(self, name))
        return twin

    def to_dict(self, check_mode=False):
        result = {
            "flow_id": self.request.flow_id,
            "agent_id": self.request.agent_id,
            "variables": dict(self.request.shown_variables()),
            "idempotency_key": self.request.idempotency_key,
            "run_id": self.run_id,
            "changed": self.changed,
            "reused": self.reused,
            # "request" means sent: a check-mode preview is another key.
            "request": self.request.request_record(self.delete_schedule) if self.sent else None,
        }
        if check_mode:
            result["would_request"] = self.request.request_record(self.delete_schedule) if self.changed else None
        if self.error:
            result["error"] = self.error
            result["status"] = self.status
        return result


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
        # callable(run_id) -> bool, used by rerun=failed to judge a recorded run
        self.run_is_passed = run_is_passed

    def start_runs(self, requests, max_concurrency=8):
        """Start every request, concurrently; results in input order. Never raises for one item.

        Items with an idempotency key that are identical (flow, agent, key, variables) are one
        ledger entry, so they are started once and every one of them reports that result.
        """
        check_batch(requests)
        return start_once_each(requests, self.start, max_concurrency)

    def start(self, request):
        result = TriggerResult(request, self.delete_schedule)
        try:
            if self.check_mode:
                self._check(request, result)
            elif request.idempotency_key and self.ledger is not None:
                self._trigger_with_ledger(request, result)
            else:
                self._trigger(request, result)
        except Exception as exc:  # pylint: disable=broad-except
            record_item_error(result, exc)
        return result

    # -- check mode: read-only calls only
    def _check(self, request, result):
        self._confirm_exists(request)
        if request.idempotency_key and self.ledger is not None:
            decision = self.ledger.preview(
                self.controller_url, request.flow_id, request.agent_id, request.idempotency_key,
                request.fingerprint(), rerun=self.rerun, run_is_passed=self.run_is_passed,
            )
            if decision.action == "reuse":
                result.run_id, result.reused = decision.run_id, True
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
        try:
            result.run_id = self.client.trigger_flow(request.flow_id, request.agent_id, request.sent_variables(), self.delete_schedule)
            result.sent = True
        except TriggerOutcomeUnknown as exc:
            result.sent = True
            if request.idempotency_key:
                exc.context = "idempotency_key %r" % request.idempotency_key
            raise
        except LeapworkHTTPError as exc:
            result.sent = True  # the controller answered it
            if exc.status == 404:
                # The trigger does not say which id is unknown; two GETs do.
                self._confirm_exists(request)
            raise
        result.changed = True

    def _trigger_with_ledger(self, request, result):
        ledger = self.ledger
        decision = ledger.reserve(
            self.controller_url, request.flow_id, request.agent_id, request.idempotency_key,
            request.fingerprint(), rerun=self.rerun, run_is_passed=self.run_is_passed,
        )
        if decision.action == "reuse":
            result.run_id, result.reused = decision.run_id, True
            return
        try:
            self._trigger(request, result)
        except TriggerOutcomeUnknown as exc:
            ledger.mark_unknown(decision.reservation, str(exc))
            raise
        except LeapworkHTTPError as exc:
            if exc.status in TRIGGER_NO_RUN_STATUSES:
                ledger.abandon(decision.reservation)
            else:
                # A 5xx answer to the trigger may still have started a run.
                ledger.mark_unknown(decision.reservation, str(exc))
            raise
        except LeapworkError:
            # The connection failed before the request was sent (after the allowed retries).
            ledger.abandon(decision.reservation)
            raise
        except Exception as exc:
            # Whether it left is unknown: the marker stays, as evidence that a run may exist.
            ledger.mark_unknown(decision.reservation, "unexpected %s: %s" % (type(exc).__name__, exc))
            raise
        ledger.complete(decision.reservation, result.run_id)


def recorded_run_passed(client, run_id, done_status_as="passed"):
    """For rerun=failed: did the recorded run pass? A run still going counts as passed (reused).

    A run the controller no longer knows (404) did not pass: a new one is started.
    """
    try:
        if client.run_status(run_id) != STATUS_FINISHED:
            return True
        items = [ItemResult.from_run_item(client.run_item(run_item_id), done_status_as, run_item_id=run_item_id)
                 for run_item_id in client.run_item_ids(run_id)]
    except LeapworkHTTPError as exc:
        if exc.status == 404:
            return False
        raise
    return bool(items) and all(item.outcome == PASSED for item in items)
