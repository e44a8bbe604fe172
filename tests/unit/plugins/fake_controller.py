# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A scriptable fake of the client the waiter calls, on fake time.

``FakeClock``: ``clock()`` returns ``clock.now``; ``clock.sleep(seconds)`` records the pause in
``clock.sleeps`` and advances the time. Nothing really sleeps.

``FakeController(clock)`` answers ``run_status``, ``run_item_ids``, ``run_item``, ``keyframes``
and ``stop_run`` like ``LeapworkClient`` does, from timelines given in seconds since the
controller was made (``controller.elapsed()``):

- ``FakeRun(run_id, statuses=[(0, "Queued"), (3, "Executing"), (9, "Finished")], items=[...],
  registered_at=0, gone_at=None, faults=[...])``: before ``registered_at`` (and from ``gone_at``)
  every call about the run answers 404, as the client raises it (``run_id`` set).
- ``FakeItem(run_item_id, flow_title, agent_title, statuses=[(3, "Running"), (9, "Passed")],
  appears_at=3, keyframes=[...])``: listed by ``run_item_ids`` from ``appears_at``.
- ``Fault(start, end, status=500, operations=None)``: calls about the run (or its items) in
  ``[start, end)`` raise ``LeapworkHTTPError(status)``, or ``LeapworkConnectionError`` when
  ``status`` is ``None``; ``operations`` limits it to some method names.
- ``simple_run(...)`` builds the usual shape: queued, then executing, items appearing, finished.

Every call is counted (``calls[method]``, ``calls_for(method, id)``, ``log``) under a lock, so
the fake can be used from the waiter's threads. The ``deadline`` each call was given is kept in
``deadlines`` (method, deadline, retry) for tests of the waiter's deadline.

Shared by the module_utils and the module tests: ``FakeCatalogue`` (flows, agents, the project
tree) and ``LISTING`` (a schedule listing) are here too.
"""

import collections
import threading

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    LeapworkConnectionError,
    LeapworkHTTPError,
)


class FakeClock(object):
    """Monotonic fake time; ``sleep`` advances it."""

    def __init__(self, start=1000.0):
        self.now = float(start)
        self.sleeps = []
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            return self.now

    def sleep(self, seconds):
        assert seconds >= 0, "negative sleep %r" % seconds
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds):
        with self._lock:
            self.now += seconds


class Fault(object):
    def __init__(self, start, end, status=500, operations=None, body="injected"):
        self.start = start
        self.end = end
        self.status = status
        self.operations = frozenset(operations) if operations else None
        self.body = body

    def applies(self, operation, moment):
        return self.start <= moment < self.end and (self.operations is None or operation in self.operations)


def _at(timeline, moment, default=None):
    value = default
    for start, entry in timeline:
        if start <= moment:
            value = entry
    return value


class FakeItem(object):
    def __init__(self, run_item_id, flow_title="Login", agent_title="Agent 1", statuses=((0, "Running"), (5, "Passed")),
                 appears_at=None, keyframes=None, flow_id=None, agent_id=None, elapsed_seconds=None):
        self.run_item_id = run_item_id
        self.flow_title = flow_title
        self.agent_title = agent_title
        self.flow_id = flow_id or "flow-%s" % flow_title
        self.agent_id = agent_id or "agent-%s" % agent_title
        self.statuses = sorted(statuses, key=lambda entry: entry[0])
        self.appears_at = self.statuses[0][0] if appears_at is None else appears_at
        self.keyframes = keyframes
        self.elapsed_seconds = elapsed_seconds

    def status_at(self, moment):
        return _at(self.statuses, moment, "NoStatus")

    def json_at(self, moment):
        status = self.status_at(moment)
        elapsed = self.elapsed_seconds if self.elapsed_seconds is not None else max(moment - self.appears_at, 0.0)
        return {
            "$id": "1",
            "RunItemId": self.run_item_id,
            "FlowInfo": {"$id": "2", "FlowId": self.flow_id, "FlowTitle": self.flow_title, "Status": status},
            "AgentInfo": {"$id": "3", "AgentId": self.agent_id, "AgentTitle": self.agent_title,
                          "EnvironmentTitle": self.agent_title, "ConnectionType": "Local"},
            "Status": status,
            "ElapsedSeconds": elapsed,
        }

    def keyframes_json(self):
        if self.keyframes is not None:
            return list(self.keyframes)
        return [
            {"Timestamp": {"Value": "2026-01-01T10:00:00+00:00"}, "Level": "Trace", "LogMessage": "starting"},
            {"Timestamp": {"Value": "2026-01-01T10:00:01+00:00"}, "Level": "Info", "LogMessage": "Opened page",
             "BlockTitle": "Open"},
            {"Timestamp": {"Value": "2026-01-01T10:00:02+00:00"}, "Level": "Error",
             "LogMessage": "%s went wrong" % self.flow_title, "BlockTitle": "Check"},
        ]


class FakeRun(object):
    def __init__(self, run_id, statuses=((0, "Executing"), (5, "Finished")), items=(), registered_at=0, gone_at=None, faults=()):
        self.run_id = run_id
        self.statuses = sorted(statuses, key=lambda entry: entry[0])
        self.items = list(items)
        self.registered_at = registered_at
        self.gone_at = gone_at
        self.faults = list(faults)
        self.stopped_at = None

    def known_at(self, moment):
        return moment >= self.registered_at and (self.gone_at is None or moment < self.gone_at)

    def status_at(self, moment):
        if self.stopped_at is not None and moment >= self.stopped_at:
            return "Finished"
        return _at(self.statuses, moment, "Queued")


def simple_run(run_id, outcome="Passed", duration=5.0, queued=0.0, flows=("Login",), agents=("Agent 1",),
               items_at=0.2, keyframes=None, **kwargs):
    """A run queued for ``queued`` s, then executing each flow on each agent for ``duration`` s, ending ``outcome``.

    ``outcome`` may be a list, one per item (flows × agents, flow-major); ``None`` gives no items.
    """
    start = queued
    end = queued + duration
    statuses = ([(0, "Queued")] if queued else []) + [(start, "Executing"), (end, "Finished")]
    items = []
    if outcome is not None:
        pairs = [(flow, agent) for flow in flows for agent in agents]
        outcomes = list(outcome) if isinstance(outcome, (list, tuple)) else [outcome] * len(pairs)
        for number, ((flow, agent), final) in enumerate(zip(pairs, outcomes)):
            items.append(FakeItem("%s-item-%d" % (run_id, number), flow_title=flow, agent_title=agent,
                                  statuses=[(start + items_at, "Running"), (end, final)], keyframes=keyframes))
    return FakeRun(run_id, statuses=statuses, items=items, **kwargs)


class FakeController(object):
    """Answers like ``LeapworkClient`` from scripted timelines; thread-safe; counts every call."""

    def __init__(self, clock, runs=(), stop_result=True, stop_error=None):
        self.clock = clock
        self.origin = clock()
        self.runs = collections.OrderedDict()
        self.items = {}
        self.stop_result = stop_result
        self.stop_error = stop_error
        self.calls = collections.Counter()
        self.log = []
        self.deadlines = []
        self._lock = threading.Lock()
        for run in runs:
            self.add_run(run)

    def add_run(self, run):
        self.runs[run.run_id] = run
        for item in run.items:
            self.items[item.run_item_id] = (run, item)
        return run

    def elapsed(self):
        return self.clock() - self.origin

    @property
    def request_count(self):
        return sum(self.calls.values())

    def calls_for(self, method, identifier=None):
        with self._lock:
            return sum(1 for entry in self.log if entry[0] == method and (identifier is None or entry[1] == identifier))

    def _record(self, method, identifier, deadline=None, retry=True):
        moment = self.elapsed()
        with self._lock:
            self.calls[method] += 1
            self.log.append((method, identifier, moment))
            self.deadlines.append((method, deadline, retry))
        return moment

    @staticmethod
    def _raise_faults(run, operation, moment, run_id):
        for fault in run.faults:
            if fault.applies(operation, moment):
                if fault.status is None:
                    raise LeapworkConnectionError("Could not %s: no answer from the controller (injected)" % operation,
                                                  operation=operation, run_id=run_id)
                raise LeapworkHTTPError("Could not %s: HTTP %d (injected)" % (operation, fault.status), operation=operation,
                                        status=fault.status, body=fault.body, run_id=run_id)

    def _run(self, operation, run_id, moment):
        run = self.runs.get(run_id)
        if run is not None:
            self._raise_faults(run, operation, moment, run_id)
        if run is None or not run.known_at(moment):
            raise LeapworkHTTPError("Could not %s (run %s): No such run (404 Asset not found)" % (operation, run_id),
                                    operation=operation, status=404, body="Asset not found", run_id=run_id)
        return run

    def _item(self, operation, run_item_id, moment):
        run, item = self.items.get(run_item_id, (None, None))
        if run is not None:
            self._raise_faults(run, operation, moment, None)
        if item is None or not run.known_at(moment) or moment < item.appears_at:
            raise LeapworkHTTPError("Could not %s (run item %s): run item not found (404)" % (operation, run_item_id),
                                    operation=operation, status=404, body="Asset not found")
        return run, item

    # ------------------------------------------------------------ the client interface
    def run_status(self, run_id, deadline=None, retry=True):
        moment = self._record("run_status", run_id, deadline, retry)
        return self._run("run_status", run_id, moment).status_at(moment)

    def run_item_ids(self, run_id, deadline=None, retry=True):
        moment = self._record("run_item_ids", run_id, deadline, retry)
        run = self._run("run_item_ids", run_id, moment)
        return [item.run_item_id for item in run.items if item.appears_at <= moment]

    def run_item(self, run_item_id, deadline=None, retry=True):
        moment = self._record("run_item", run_item_id, deadline, retry)
        run, item = self._item("run_item", run_item_id, moment)
        data = item.json_at(moment)
        if run.stopped_at is not None and moment >= run.stopped_at and data["Status"] in ("NoStatus", "Running"):
            data["Status"] = data["FlowInfo"]["Status"] = "Cancelled"
        return data

    def keyframes(self, run_item_id, deadline=None, retry=True):
        moment = self._record("keyframes", run_item_id, deadline, retry)
        return self._item("keyframes", run_item_id, moment)[1].keyframes_json()

    def stop_run(self, run_id, deadline=None, retry=True):
        moment = self._record("stop_run", run_id, deadline, retry)
        if self.stop_error is not None:
            raise self.stop_error
        run = self._run("stop_run", run_id, moment)
        if self.stop_result:
            run.stopped_at = moment
        return self.stop_result


class FakeCatalogue(object):
    """Read-only flow and agent lookups, 404 for ids not in ``known_flows`` / ``known_agents``.

    A mixin for fake clients that also define ``_record(method, identifier)``.
    """

    known_flows = frozenset()
    known_agents = frozenset()

    def flow_info(self, flow_id):
        self._record("flow_info", flow_id)  # pylint: disable=no-member
        if flow_id not in self.known_flows:
            raise LeapworkHTTPError("flow %s not found" % flow_id, status=404)
        return {"Title": "Flow"}

    def agent(self, agent_id):
        self._record("agent", agent_id)  # pylint: disable=no-member
        if agent_id not in self.known_agents:
            raise LeapworkHTTPError("agent %s not found" % agent_id, status=404)
        return {"Title": "Agent"}

    # What names and the agent pre-flight read: flows in one folder, agents by id.
    flow_titles = {}  # flow_id -> title; flows not listed are titled "Flow <first 8 hex>"
    agent_titles = {}  # agent_id -> title
    unavailable_agents = frozenset()

    def hierarchy(self, item_id=None):
        self._record("hierarchy", item_id)  # pylint: disable=no-member
        return [{"Id": "f0000000-0000-4000-8000-000000000000", "Title": "Folder", "Type": "Folder", "Children": [
            {"Id": flow_id, "Title": self.flow_titles.get(flow_id, "Flow %s" % flow_id[:8]), "Type": "Flow", "Children": []}
            for flow_id in sorted(self.known_flows)]}]

    def agents(self):
        self._record("agents", None)  # pylint: disable=no-member
        return [{"Id": agent_id, "Title": self.agent_titles.get(agent_id, "Agent %s" % agent_id[:8])}
                for agent_id in sorted(self.known_agents)]

    def agents_statuses(self):
        self._record("agents_statuses", None)  # pylint: disable=no-member
        return [{"AgentId": agent_id, "Title": self.agent_titles.get(agent_id, "Agent %s" % agent_id[:8]),
                 "ConnectionStatus": "Unavailable" if agent_id in self.unavailable_agents else "Available",
                 "BlockedByLicense": False}
                for agent_id in sorted(self.known_agents)]


# A schedule listing as GET /api/v4/schedules answers it: two schedules titled "Nightly" (one
# enabled), an id in upper case, one switched off, a temporary schedule.
SMOKE = "40000000-0000-4000-8000-000000000001"
NIGHTLY_A = "40000000-0000-4000-8000-00000000000a"
NIGHTLY_B = "40000000-0000-4000-8000-00000000000b"
OFF = "40000000-0000-4000-8000-0000000000ff"
TEMPORARY = "40000000-0000-4000-8000-0000000000e0"

LISTING = [
    {"$id": "1", "Id": SMOKE.upper(), "Title": "Smoke suite", "IsEnabled": True, "Type": "ScheduleInfo"},
    {"$id": "2", "Id": NIGHTLY_A, "Title": "Nightly", "IsEnabled": True, "Type": "ScheduleInfo"},
    {"$id": "3", "Id": NIGHTLY_B, "Title": "Nightly", "IsEnabled": False, "Type": "ScheduleInfo"},
    {"$id": "4", "Id": OFF, "Title": "Switched off", "IsEnabled": False, "Type": "ScheduleInfo"},
    {"$id": "5", "Id": TEMPORARY, "Title": "Login (Local agent)", "IsEnabled": True, "Type": "TemporaryScheduleInfo"},
]
