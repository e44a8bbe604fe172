# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An Event-Driven Ansible event source: one event per finished Leapwork run (docs/eda.md).

ansible-rulebook runs this file with ``runpy.run_path``, not as a module of a package, so it
imports the collection's own ``module_utils`` (client, waiter, result model, redaction) from the
collection it is installed in: the directory that holds ``ansible_collections`` is found from
this file's own path and put first on ``sys.path`` (``_collection_module_utils``). Every HTTP
request blocks, so each one runs on a worker thread (``asyncio.to_thread``) and the event loop
stays free for the rule engine. docs/design.md says why.
"""

import asyncio
import importlib
import json
import logging
import os
import random
import sys
import time

DOCUMENTATION = r"""
---
short_description: One event per finished Leapwork run.
description:
  - Watches Leapwork schedules (every new run of each) and/or given runs, follows each run to its end with the
    same polling and verdict rules as the modules of C(leapops.leapwork), and puts one event per finished run
    on the rulebook's queue, under the key C(leapwork).
  - At start-up the runs of a watched schedule that are already finished are a baseline, not events. With
    O(state_file), what was handled is recorded, and after a restart the runs that finished while the source
    was down produce their events, and no run produces two.
  - Connection errors, timeouts, HTTP 5xx and 448 are waited out with a growing pause (with jitter, up to 5
    minutes); one warning is logged per episode. HTTP 401 and 403 stop the rulebook with an error.
  - "The event: C(leapwork.type) (V(run_finished), or V(run_lost) for a run the controller no longer knows),
    C(run_id), C(schedule) (C(id), C(title); null for a run of O(run_ids)), C(flow) (C(id), C(title) of a
    run of one flow, else null), C(status), C(outcome) and C(summary) (as the modules' C(runs) give them),
    C(message), C(failed_flows) (C(run_item_id), C(flow_id), C(flow_title), C(agent_id), C(agent_title),
    C(status), C(outcome), C(elapsed_seconds), C(reason) from the keyframes), C(failed_flows_truncated),
    C(controller_url). C(meta.hosts) is O(hosts) when given."
  - The access key travels only in the C(AccessKey) header; it is never in an event, a log line or an error.
options:
  controller_url:
    description:
      - Base URL of the Leapwork controller, as the modules' O(controller_url).
      - If not set, the value of the E(LEAPWORK_CONTROLLER_URL) environment variable is used.
    type: str
    required: true
  access_key:
    description:
      - Leapwork API access key (read scope is enough), sent in the C(AccessKey) header only.
      - If not set, the value of the E(LEAPWORK_ACCESS_KEY) environment variable is used.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify the controller's TLS certificate.
      - If not set, the value of the E(LEAPWORK_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) that signed the controller's certificate.
      - If not set, the value of the E(LEAPWORK_CA_PATH) environment variable is used.
    type: str
  request_timeout:
    description:
      - Seconds to wait for the controller to accept a connection and, separately, to answer one request.
      - Each request is sent once; a failed one is tried again at a later poll.
    type: float
    default: 30
  schedules:
    description:
      - Schedules to watch, each by id or by title. A title is matched exactly, else case-insensitively;
        a title that several schedules share is an error that lists them.
      - Every new run of each schedule produces an event once it has finished.
      - At least one of O(schedules) and O(run_ids) is required.
    type: list
    elements: str
  run_ids:
    description:
      - Runs to follow to their end (for example the C(run_id) that M(leapops.leapwork.flow_run) returned).
      - Each produces one event, also when it had already finished at start-up.
    type: list
    elements: str
  outcomes:
    description:
      - The outcomes that produce events; runs with another outcome are handled silently.
      - Default is every outcome.
    type: list
    elements: str
    choices: [passed, failed, error, cancelled]
  hosts:
    description:
      - Put in each event's C(meta.hosts), so that a rule's C(run_playbook) action targets these hosts
        (the servers under test).
    type: list
    elements: str
  poll_interval:
    description:
      - Seconds between two looks at the controller (new runs of the schedules, the runs followed).
    type: float
    default: 30
  state_file:
    description:
      - File where the source records the runs it has handled (run ids and schedule ids only, mode 0600,
        replaced atomically), so that a restart emits the runs that finished while it was down and none twice.
      - It is written after each event is queued, so an event may be delivered again after a crash at that
        moment (at least once); guard actions with a rule's C(throttle) on C(event.leapwork.run_id).
      - Without it, every start takes the runs that have finished as its baseline.
    type: str
  max_failed_flows:
    description:
      - At most this many entries in an event's C(failed_flows); C(failed_flows_truncated) says when some were left out.
    type: int
    default: 20
  done_status_as:
    description:
      - How a flow that ended with the status C(Done) counts, as in the modules.
    type: str
    choices: [passed, failed]
    default: passed
  exit_when_done:
    description:
      - With O(run_ids) only, end the source (and so the rulebook) once every given run has produced its event.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: React when the nightly schedule fails
  hosts: servers_under_test
  sources:
    - leapops.leapwork.run_events:
        controller_url: https://leapwork.example.com:9002
        schedules:
          - Nightly regression
        outcomes: [failed, error]
        hosts: "{{ servers_under_test }}"
        state_file: /var/lib/eda/leapwork-run-events.json
  rules:
    - name: Collect diagnostics once per failed run
      condition: event.leapwork.type == "run_finished"
      throttle:
        once_within: 1 hour
        group_by_attributes:
          - event.leapwork.run_id
      action:
        run_playbook:
          name: diagnostics.yml
"""

EVENT_KEY = "leapwork"
SOURCE_NAME = "leapops.leapwork.run_events"
#: How many of a schedule's newest runs each look lists: runs that start while the source is down
#: are found after a restart as long as no more than this many started meanwhile.
RUN_LIST_COUNT = 50
DEFAULT_POLL_INTERVAL = 30.0
DEFAULT_MAX_FAILED_FLOWS = 20
#: The longest pause between two looks while the controller keeps failing.
FAULT_BACKOFF_CAP = 300.0
STATE_VERSION = 1
#: Arguments ansible-rulebook itself may add.
_RULEBOOK_ARGS = frozenset(("eda_feedback_queue",))
_TRUE = frozenset(("true", "yes", "on", "1"))
_FALSE = frozenset(("false", "no", "off", "0"))

logger = logging.getLogger(SOURCE_NAME)


class RunEventsError(Exception):
    """Bad arguments, or a controller that refuses the access key: the source stops with this message."""


# ---------------------------------------------------------------- the collection's own code
_MODULE_UTILS = ("_catalogue", "_client", "_deadline", "_errors", "_results", "_schedules", "_statuses", "_waiter", "_files", "_ids")


def _collection_module_utils():
    """The collection's ``module_utils`` modules, imported from the collection that holds this file.

    This file is ``<root>/ansible_collections/leapops/leapwork/extensions/eda/plugins/event_source/run_events.py``;
    ``<root>`` goes first on ``sys.path``, so ``ansible_collections.leapops.leapwork`` is this very
    collection and not another copy installed elsewhere (ansible-core's bundled collections, say).
    """
    here = os.path.realpath(__file__)
    collection = here
    for _level in range(5):  # event_source, plugins, eda, extensions, leapwork
        collection = os.path.dirname(collection)
    root = os.path.dirname(os.path.dirname(os.path.dirname(collection)))
    if os.path.basename(os.path.dirname(os.path.dirname(collection))) != "ansible_collections":
        raise RunEventsError("%s must run from an installed collection (.../ansible_collections/leapops/leapwork/"
                             "extensions/eda/plugins/event_source/), not from %s" % (SOURCE_NAME, here))
    if root not in sys.path:
        sys.path.insert(0, root)
    modules = {}
    for name in _MODULE_UTILS:
        module = importlib.import_module("ansible_collections.leapops.leapwork.plugins.module_utils." + name)
        if not os.path.realpath(module.__file__).startswith(collection + os.sep):
            raise RunEventsError("%s: ansible_collections.leapops.leapwork was already imported from %s, not from this "
                                 "collection (%s)" % (SOURCE_NAME, os.path.dirname(module.__file__), collection))
        modules[name] = module
    return modules


_mu = _collection_module_utils()
_catalogue = _mu["_catalogue"]
_client = _mu["_client"]
_deadline = _mu["_deadline"]
_errors = _mu["_errors"]
_results = _mu["_results"]
_schedules = _mu["_schedules"]
_statuses = _mu["_statuses"]
_waiter = _mu["_waiter"]
_files = _mu["_files"]
_ids = _mu["_ids"]

#: The outcomes a finished run can have, worst first: verdicts, less ``timed_out`` (a watched run has no
#: wait timeout), ``flaky`` (a watched run is one attempt, never a flow's re-runs) and ``none`` (there is a run).
OUTCOME_CHOICES = tuple(outcome.name for outcome in _results.OUTCOMES
                        if outcome.over and outcome.name not in (_results.TIMED_OUT, _results.FLAKY, _results.NONE))


# ---------------------------------------------------------------- arguments
def _env_or(args, name, variable):
    value = args.get(name)
    if value is None or value == "":
        value = os.environ.get(variable) or None
    return value


def _bool(name, value, default):
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RunEventsError("%s must be true or false, got %r" % (name, value))


def _number(name, value, default, minimum, kind=float):
    if value is None:
        return default
    if isinstance(value, bool):
        raise RunEventsError("%s must be a number, got %r" % (name, value))
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise RunEventsError("%s must be a number, got %r" % (name, value)) from None
    if not number >= minimum:
        raise RunEventsError("%s must be at least %s, got %r" % (name, minimum, value))
    return number


def _strings(name, value):
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise RunEventsError("%s must be a list of strings, got %r" % (name, value))
    items = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise RunEventsError("%s must be a list of non-empty strings, got %r" % (name, item))
        items.append(item.strip())
    return items


class Settings(object):
    """The source's arguments, checked before any request: a bad one raises ``RunEventsError`` naming it."""

    KNOWN = frozenset(("controller_url", "access_key", "validate_certs", "ca_path", "request_timeout", "schedules",
                       "run_ids", "outcomes", "hosts", "poll_interval", "state_file", "max_failed_flows",
                       "done_status_as", "exit_when_done"))

    def __init__(self, args):
        if not isinstance(args, dict):
            raise RunEventsError("%s takes a mapping of arguments, got %r" % (SOURCE_NAME, type(args).__name__))
        unknown = sorted(set(args) - self.KNOWN - _RULEBOOK_ARGS)
        if unknown:
            raise RunEventsError("unknown argument%s %s; known: %s" % ("s" if len(unknown) > 1 else "", ", ".join(unknown),
                                                                       ", ".join(sorted(self.KNOWN))))
        url = _env_or(args, "controller_url", "LEAPWORK_CONTROLLER_URL")
        try:
            self.controller_url = _client.normalize_controller_url(url)
        except ValueError as exc:
            raise RunEventsError("%s (argument or LEAPWORK_CONTROLLER_URL)" % exc) from None
        self.access_key = _env_or(args, "access_key", "LEAPWORK_ACCESS_KEY")
        if not isinstance(self.access_key, str) or not self.access_key.strip():
            # Never echoed, whatever it is.
            raise RunEventsError("access_key is required (argument or LEAPWORK_ACCESS_KEY)")
        self.validate_certs = _bool("validate_certs", _env_or(args, "validate_certs", "LEAPWORK_VALIDATE_CERTS"), True)
        self.ca_path = _env_or(args, "ca_path", "LEAPWORK_CA_PATH")
        if self.ca_path is not None and not os.path.isfile(str(self.ca_path)):
            raise RunEventsError("ca_path: no such file: %s" % self.ca_path)
        self.request_timeout = _number("request_timeout", args.get("request_timeout"), 30.0, 0.5)
        self.schedules = _strings("schedules", args.get("schedules"))
        self.run_ids = []
        for index, run_id in enumerate(_strings("run_ids", args.get("run_ids"))):
            problem = _ids.guid_problem("run_ids[%d]" % index, run_id)
            if problem:
                raise RunEventsError(problem)
            if run_id.lower() not in self.run_ids:
                self.run_ids.append(run_id.lower())
        if not self.schedules and not self.run_ids:
            raise RunEventsError("give schedules (ids or titles) and/or run_ids: there is nothing to watch")
        outcomes = _strings("outcomes", args.get("outcomes"))
        wrong = [outcome for outcome in outcomes if outcome not in OUTCOME_CHOICES]
        if wrong:
            raise RunEventsError("outcomes: %s not among %s" % (", ".join(repr(outcome) for outcome in wrong), ", ".join(OUTCOME_CHOICES)))
        self.outcomes = frozenset(outcomes or OUTCOME_CHOICES)
        self.hosts = _strings("hosts", args.get("hosts"))
        self.poll_interval = _number("poll_interval", args.get("poll_interval"), DEFAULT_POLL_INTERVAL, _waiter.MIN_POLL_INTERVAL)
        self.max_failed_flows = _number("max_failed_flows", args.get("max_failed_flows"), DEFAULT_MAX_FAILED_FLOWS, 0, int)
        self.done_status_as = args.get("done_status_as") or _results.PASSED
        if self.done_status_as not in _results.DONE_STATUS_CHOICES:
            raise RunEventsError("done_status_as must be one of %s, got %r" % (", ".join(_results.DONE_STATUS_CHOICES), self.done_status_as))
        self.exit_when_done = _bool("exit_when_done", args.get("exit_when_done"), False)
        if self.exit_when_done and (self.schedules or not self.run_ids):
            raise RunEventsError("exit_when_done needs run_ids and no schedules: a schedule is watched for ever")
        self.state_file = args.get("state_file") or None
        if self.state_file is not None:
            self.state_file = os.path.abspath(os.path.expanduser(str(self.state_file)))
            if not os.path.isdir(os.path.dirname(self.state_file)):
                raise RunEventsError("state_file: the directory %s does not exist" % os.path.dirname(self.state_file))

    def client(self):
        # retries=0: each request is sent once; the source's own loop waits failures out (one retry layer).
        return _client.LeapworkClient(self.controller_url, self.access_key, validate_certs=self.validate_certs,
                                      ca_path=self.ca_path, request_timeout=self.request_timeout, retries=0)

    def redact(self, text):
        return _errors.redact(text, self.access_key.strip())


# ---------------------------------------------------------------- what was handled
class State(object):
    """The runs handled (baseline or emitted) per schedule, and the given runs emitted; optionally in a file.

    A schedule's list only keeps the ids its newest listing holds (a run that left the listing never
    comes back), so memory and the file stay bounded by ``RUN_LIST_COUNT`` per schedule.
    """

    def __init__(self, path, controller_url):
        self.path = path
        self.controller_url = controller_url
        self.schedules = {}  # schedule id -> set of handled run ids; absent: no baseline yet
        self.run_ids = set()  # given run ids whose event was queued
        if path is not None and os.path.exists(path):
            self._load()

    def _load(self):
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise RunEventsError("state_file: cannot read %s: %s" % (self.path, exc)) from None
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise RunEventsError("state_file: %s is not a state file of %s (version %s)" % (self.path, SOURCE_NAME, STATE_VERSION))
        if data.get("controller_url") != self.controller_url:
            logger.warning("%s: state_file %s was written for another controller (%s); starting afresh",
                           SOURCE_NAME, self.path, data.get("controller_url"))
            return
        for schedule_id, run_ids in (data.get("schedules") or {}).items():
            self.schedules[schedule_id] = set(run_ids)
        self.run_ids = set(data.get("run_ids") or ())

    def handled(self, schedule_id, run_id):
        return run_id in self.schedules.get(schedule_id, ())

    def keep_only(self, schedule_id, listed):
        """Forget the handled runs of ``schedule_id`` that its newest listing no longer holds."""
        if schedule_id in self.schedules:
            self.schedules[schedule_id] &= set(listed)

    def save(self):
        if self.path is None:
            return
        data = {
            "version": STATE_VERSION,
            "controller_url": self.controller_url,
            "schedules": dict((schedule_id, sorted(run_ids)) for schedule_id, run_ids in sorted(self.schedules.items())),
            "run_ids": sorted(self.run_ids),
        }
        _files.replace_file(self.path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8"), 0o600)


# ---------------------------------------------------------------- one look at the controller
class Tracked(object):
    """A run being followed, with the schedule it belongs to (``None`` for a given run)."""

    def __init__(self, run_id, schedule, follower):
        self.run_id = run_id
        self.schedule = schedule
        self.follower = follower


class Fault(object):
    """A read that failed in a way worth waiting out."""

    def __init__(self, error):
        self.error = error

    def line(self, redact):
        what = getattr(self.error, "request", None) or self.error.operation or "a request"
        status = "HTTP %s" % self.error.status if self.error.status else "no answer"
        return redact("%s: %s (%s)" % (what, status, _errors.one_line(self.error)))


def _fatal(error):
    return isinstance(error, _errors.LeapworkError) and error.status in (401, 403)


class Watcher(object):
    """The schedules' new runs found, every tracked run followed to its end; events made from the results.

    Every method that sends requests blocks (it runs on a worker thread); the rest runs on the event loop.
    """

    def __init__(self, settings, client, clock=time.monotonic):
        self.settings = settings
        self.client = client
        self.clock = clock
        self.schedules = []  # {"id", "title"} as resolved
        self.tracked = {}  # run id -> Tracked

    # -- blocking (worker threads)
    def resolve_schedules(self):
        """The watched schedules as ``{"id", "title"}``; raises ``RunEventsError`` for a name that is wrong or ambiguous."""
        if not self.settings.schedules:
            return
        known = [_schedules.schedule_facts(raw) for raw in self.client.schedules() if isinstance(raw, dict)]
        resolved = []
        for wanted in self.settings.schedules:
            if _ids.is_guid(wanted):
                found = _schedules.matching_schedules(known, schedule_id=wanted)
            else:
                found = _schedules.matching_schedules(known, title=wanted)
            if not found:
                raise RunEventsError(_catalogue.not_found_message(
                    "schedule", "schedules", wanted, [item["title"] for item in known if not item["temporary"]]))
            if len(found) > 1:
                raise RunEventsError("schedules: %d schedules are titled %r: %s; give the one to watch by id"
                                     % (len(found), wanted, ", ".join("%s (%s)" % (item["id"], item["title"]) for item in found)))
            if found[0]["id"] not in [item["id"] for item in resolved]:
                resolved.append({"id": found[0]["id"], "title": found[0]["title"]})
        self.schedules = resolved

    def list_runs(self, schedule):
        """``(run ids newest first, None)`` or ``(None, error)``; 401/403 are raised."""
        try:
            return [run_id.lower() for run_id in self.client.schedule_run_ids(schedule["id"], RUN_LIST_COUNT)], None
        except _errors.LeapworkError as error:
            if _fatal(error):
                raise
            return None, error

    def first_unfinished(self, run_ids):
        """The newest runs of a schedule seen at its first look that are not finished (a schedule runs once at a
        time, so the first finished one ends the look); ``(ids, None)`` or ``(None, error)``."""
        going = []
        for run_id in run_ids:
            try:
                status = self.client.run_status(run_id)
            except _errors.LeapworkError as error:
                if _fatal(error):
                    raise
                if error.status == 404:
                    continue  # gone already: nothing to follow
                return None, error
            if status == _statuses.STATUS_FINISHED:
                break
            going.append(run_id)
        return going, None

    def poll(self, tracked):
        """One poll of a tracked run (the waiter's rules: grace for a run not registered yet, a run gone,
        items and keyframes once it has finished); returns a ``Fault`` or ``None``, raises 401/403."""
        follower = tracked.follower
        failed_before = follower.failed_polls
        try:
            follower.poll(self.client, self.clock(), None)
        except _errors.LeapworkError as error:
            if _fatal(error):
                raise
            return Fault(error)  # not worth waiting out by the waiter's rules, but the run may still be read later
        if follower.failed_polls > failed_before and _waiter.is_transient(follower.last_failure):
            return Fault(follower.last_failure)
        return None

    # -- on the event loop
    def track(self, run_id, schedule):
        if run_id not in self.tracked:
            follower = _waiter.RunFollower(run_id, self.clock(), self.settings.poll_interval,
                                           _waiter.DEFAULT_GRACE_SECONDS, self.settings.done_status_as)
            self.tracked[run_id] = Tracked(run_id, schedule, follower)

    def event(self, tracked):
        """The event for a run that is over (``RunResult`` from the waiter, as the modules see it)."""
        result = tracked.follower.result(tracked.follower.ended_at)
        verdict = _results.verdict([result])
        failed = [item for item in result.items if not item.passed]
        cap = self.settings.max_failed_flows
        flows = set((item.flow_id, item.flow_title) for item in result.items)
        flow = None
        if tracked.schedule is None and len(flows) == 1:
            flow_id, flow_title = flows.pop()
            flow = {"id": flow_id, "title": flow_title}
        data = {
            "type": "run_lost" if result.unreadable else "run_finished",
            "run_id": result.run_id,
            "schedule": dict(tracked.schedule) if tracked.schedule else None,
            "flow": flow,
            "status": result.status,
            "outcome": verdict.outcome,
            "summary": dict(verdict.summary),
            "message": result.message,
            "failed_flows": [{
                "run_item_id": item.run_item_id,
                "flow_id": item.flow_id,
                "flow_title": item.flow_title,
                "agent_id": item.agent_id,
                "agent_title": item.agent_title,
                "status": item.status,
                "outcome": item.outcome,
                "elapsed_seconds": item.elapsed_seconds,
                "reason": item.explanation(),
            } for item in failed[:cap]],
            "failed_flows_truncated": len(failed) > cap,
            "controller_url": self.settings.controller_url,
        }
        # The client redacts every answer it parses; this is the belt to those braces.
        data = json.loads(self.settings.redact(json.dumps(data)))
        event = {EVENT_KEY: data}
        if self.settings.hosts:
            event["meta"] = {"hosts": list(self.settings.hosts)}
        return verdict.outcome, event


# ---------------------------------------------------------------- the loop
def _pauses_after_faults(poll_interval, jitter):
    """Pauses between looks while the controller keeps failing: the collection's one backoff rule
    (``_deadline.backoff``), doubling from twice ``poll_interval`` up to ``FAULT_BACKOFF_CAP``, full
    jitter; never below the shortest poll interval."""
    for pause in _deadline.backoff(FAULT_BACKOFF_CAP, jitter, first=2 * poll_interval, factor=2):
        yield max(_waiter.MIN_POLL_INTERVAL, pause)


async def main(queue, args, sleep=asyncio.sleep, jitter=random.random, clock=time.monotonic):
    """Put one event per finished run on ``queue`` (ansible-rulebook calls ``main(queue, args)``).

    ``sleep``, ``jitter`` and ``clock`` are injected by tests.
    """
    settings = Settings(args)
    state = State(settings.state_file, settings.controller_url)
    client = settings.client()
    watcher = Watcher(settings, client, clock)
    try:
        await _watch(queue, settings, state, watcher, sleep, jitter)
    except asyncio.CancelledError:
        # A shutdown action: what was queued is recorded, then the task ends as asked.
        state.save()
        raise
    except _errors.LeapworkError as error:
        raise RunEventsError(settings.redact("%s stops: %s" % (SOURCE_NAME, error))) from None
    finally:
        client.close()


async def _watch(queue, settings, state, watcher, sleep, jitter):
    resolved = False
    faults_in_a_row = 0
    pauses = None
    given = [run_id for run_id in settings.run_ids if run_id not in state.run_ids]
    for run_id in given:
        watcher.track(run_id, None)
    pending_given = set(given)
    if settings.exit_when_done and not pending_given:
        return
    while True:
        faults = []
        if not resolved:
            try:
                await asyncio.to_thread(watcher.resolve_schedules)
                resolved = True
                if watcher.schedules:
                    logger.info("%s: watching %s", SOURCE_NAME,
                                ", ".join("%s (%s)" % (item["title"], item["id"]) for item in watcher.schedules))
            except _errors.LeapworkError as error:
                if _fatal(error):
                    raise
                faults.append(Fault(error))
        if resolved:
            for schedule in watcher.schedules:
                fault = await _look_at_schedule(watcher, state, schedule)
                if fault is not None:
                    faults.append(fault)
        tracked = list(watcher.tracked.values())
        if tracked:
            results = await asyncio.gather(*(asyncio.to_thread(watcher.poll, item) for item in tracked))
            faults.extend(fault for fault in results if fault is not None)
        for item in tracked:
            if not item.follower.over:
                continue
            outcome, event = watcher.event(item)
            if outcome in settings.outcomes:
                await queue.put(event)
                logger.info("%s: run %s %s", SOURCE_NAME, item.run_id, outcome)
            else:
                logger.debug("%s: run %s %s (not in outcomes: no event)", SOURCE_NAME, item.run_id, outcome)
            del watcher.tracked[item.run_id]
            if item.schedule is None:
                state.run_ids.add(item.run_id)
                pending_given.discard(item.run_id)
            else:
                state.schedules.setdefault(item.schedule["id"], set()).add(item.run_id)
            # After the event is queued: at least once (docs/eda.md).
            await asyncio.to_thread(state.save)
        if faults:
            faults_in_a_row += 1
            if faults_in_a_row == 1:
                logger.warning("%s: the controller failed to answer: %s; trying again with growing pauses (up to %d s)",
                               SOURCE_NAME, faults[0].line(settings.redact), FAULT_BACKOFF_CAP)
        elif faults_in_a_row:
            logger.info("%s: the controller answers again (after %d look%s with faults)", SOURCE_NAME,
                        faults_in_a_row, "" if faults_in_a_row == 1 else "s")
            faults_in_a_row = 0
        if settings.exit_when_done and not pending_given:
            return
        if not faults_in_a_row:
            pauses = None
            await sleep(settings.poll_interval)
            continue
        if pauses is None:
            pauses = _pauses_after_faults(settings.poll_interval, jitter)
        await sleep(next(pauses))


async def _look_at_schedule(watcher, state, schedule):
    """List the schedule's newest runs and track the new ones; the first look of a schedule without state
    takes its finished runs as the baseline. Returns a ``Fault`` or ``None``."""
    run_ids, error = await asyncio.to_thread(watcher.list_runs, schedule)
    if error is not None:
        return Fault(error)
    schedule_id = schedule["id"]
    if schedule_id not in state.schedules:
        going, error = await asyncio.to_thread(watcher.first_unfinished, run_ids)
        if error is not None:
            return Fault(error)
        state.schedules[schedule_id] = set(run_ids) - set(going)
        logger.info("%s: schedule %s: %d finished run%s taken as the baseline", SOURCE_NAME, schedule["title"],
                    len(state.schedules[schedule_id]), "" if len(state.schedules[schedule_id]) == 1 else "s")
        await asyncio.to_thread(state.save)
    state.keep_only(schedule_id, run_ids)
    # Oldest first, so that events come in the order the runs started.
    for run_id in reversed(run_ids):
        if not state.handled(schedule_id, run_id):
            watcher.track(run_id, schedule)
    return None
