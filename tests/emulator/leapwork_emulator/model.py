"""The time-driven model of runs: queues per agent, run items, keyframes, stop and restart."""

import json
import threading
import uuid
from urllib.parse import quote, quote_plus

from .dotnet import date_object, date_string, timespan

PASSING = ("Passed", "Done", "Cancelled")
GOLDEN_RATIO = (5 ** 0.5 - 1) / 2
KEYFRAME_NAMESPACE = uuid.UUID("0b7a4b7e-5d7c-4f0e-8c55-1f6e9d2a7c31")
DEFAULT_REASONS = {
    "Failed": "a validation block failed",
    "Error": "an unexpected error stopped the flow",
    "Inconclusive": "the flow could not reach a conclusion",
    "Timeout": "the flow did not finish within its time limit",
    "Cancelled": "the run was stopped",
}


class NotFound(Exception):
    """An unknown asset, run or run item."""


class AlreadyRunning(Exception):
    """runNow on a schedule whose newest run is queued or executing (the controller answers 410)."""


class ScheduleDisabled(Exception):
    """runNow on a disabled schedule (undocumented; the emulator answers 400, see its README)."""


class ItemPlan:
    """One flow of a run on the run's agent, with its planned start and duration."""

    def __init__(self, run, flow, start, outcome=None):
        self.run = run
        self.flow = flow
        self.start = start
        self.duration = flow["duration"]
        # The status the flow ends with (its outcome for this attempt on this agent).
        self.outcome = flow["outcome"] if outcome is None else outcome
        self.item_id = str(uuid.uuid4())

    @property
    def natural_end(self):
        """When the flow ends if nobody stops it."""
        return self.start + self.duration

    @property
    def end(self):
        """When the flow ends (earlier if the run was stopped)."""
        return min(self.natural_end, self.run.end)

    @property
    def final_at(self):
        """When the item's status turns final: at its end, or, for the last item of a run that was
        not stopped, the run's finish lag later (the run reads Finished a moment before)."""
        if self.run.items and self.run.items[-1] is self and self.natural_end <= self.run.end:
            return self.end + self.run.finish_lag
        return self.end

    def status(self, now):
        """Status at emulated time ``now``."""
        if self.end <= now < self.final_at:
            return "Running"
        if now >= self.end:
            return self.outcome if self.natural_end <= self.run.end else "Cancelled"
        elapsed = now - self.start
        if elapsed < 0.1 * self.duration:
            return "NoStatus"
        if elapsed < 0.2 * self.duration:
            return "Initializing"
        return "Running"

    def elapsed(self, now):
        """Seconds the flow has run so far."""
        return max(0.0, min(now, self.end) - self.start)

    def keyframes(self, now):
        """The log lines written up to ``now``: (time, level, status, message, block)."""
        run, flow, start, duration = self.run, self.flow, self.start, self.duration
        agent = run.agent
        lines = [(start, "Info", "NoStatus", "Scheduled run executed from schedule '%s'" % run.schedule_title, None)]
        for name, value in run.variables:
            lines.append((start, "Info", "NoStatus", "Variable '%s' = '%s'" % (name, value), None))
        lines.append((start + 0.1 * duration, "Trace", "Initializing",
                      "Connecting to agent '%s' on %s" % (agent["title"], agent["host"]), None))
        lines.append((start + 0.2 * duration, "Trace", "Running", "Flow '%s' started" % flow["title"], "Start"))
        for extra in flow["keyframes"]:
            at = float(extra.get("at", 0.5))
            lines.append((start + (0.2 + 0.8 * min(max(at, 0.0), 1.0)) * duration, extra.get("level", "Info"), "Running",
                          _quoting_variables(str(extra.get("message", "")), run.variables), extra.get("block")))
        end = self.end
        if now >= end:
            status = self.status(end)
            if status == "Passed":
                lines.append((end, "Info", status, "Flow '%s' passed" % flow["title"], None))
            elif status == "Done":
                lines.append((end, "Info", status, "Flow '%s' done: it ended without a pass or fail block" % flow["title"], None))
            else:
                reason = flow["message"] if status == self.outcome and flow["message"] else None
                reason = reason or DEFAULT_REASONS.get(status, "the flow ended with status '%s'" % status)
                block = flow["block"] if status == self.outcome else None
                lines.append((end, "Error", status, "Flow '%s' %s: %s" % (flow["title"], status.lower(), reason), block))
        return [line for line in lines if line[0] <= min(now, end)]


def _quoting_variables(message, variables):
    """A keyframe message with its placeholders filled from the run's variables (see the README)."""
    forms = {
        "{variables_query}": "&".join("%s=%s" % (quote(name, safe=""), quote(value, safe="")) for name, value in variables),
        "{variables_form}": "&".join("%s=%s" % (quote_plus(name, safe=""), quote_plus(value, safe="")) for name, value in variables),
        "{variables_json}": json.dumps(dict(variables)),
    }
    for placeholder, text in forms.items():
        message = message.replace(placeholder, text)
    return message


class Run:
    """One run: a schedule (possibly temporary) of flows on one agent."""

    def __init__(self, schedule, flows, agent, variables, is_delete, created_at, grace_polls, outcomes=None, finish_lag=0.0):
        self.run_id = str(uuid.uuid4())
        self.outcomes = outcomes or [None] * len(flows)  # each flow's status at its end (None: the flow's outcome)
        self.finish_lag = finish_lag  # how long after the run reads Finished its last item turns final
        self.schedule = schedule
        self.flows = flows
        self.agent = agent
        self.variables = variables
        self.is_delete = is_delete
        self.created_at = created_at
        self.start = None
        self.natural_end = None
        self.stopped_at = None
        self.items = []
        self.grace_left = grace_polls

    @property
    def schedule_title(self):
        """The title of the run's schedule."""
        return self.schedule["title"]

    @property
    def end(self):
        """When the run finishes (None while queued and not stopped)."""
        if self.stopped_at is not None:
            return self.stopped_at if self.natural_end is None else min(self.natural_end, self.stopped_at)
        return self.natural_end

    def begin(self, start):
        """Plan the items from ``start`` on."""
        self.start = start
        moment = start
        for flow, outcome in zip(self.flows, self.outcomes):
            if not flow["no_items"]:
                self.items.append(ItemPlan(self, flow, moment, outcome))
            moment += flow["duration"]
        self.natural_end = moment

    def status(self, now):
        """Queued, Executing or Finished."""
        end = self.end
        if end is not None and now >= end:
            return "Finished"
        return "Queued" if self.start is None else "Executing"

    def visible_items(self, now):
        """Items whose flow has started by ``now``."""
        return [item for item in self.items
                if item.start <= now and (self.stopped_at is None or item.start < self.stopped_at)]


class Model:
    """Every run of the emulated controller; thread-safe (one lock)."""

    def __init__(self, catalogue, clock):
        self.catalogue = catalogue
        self.clock = clock
        self.lock = threading.RLock()
        self.grace_polls = 0
        self.finish_lag = 0.0  # the longest lag between a run reading Finished and its last item turning final
        self.lags_drawn = 0
        self.runs = {}
        self.order = []
        self.items = {}
        self.temporary = {}
        self.queues = {}
        self.current = {}
        self.free_at = {}
        self.pending_delete = []

    # ------------------------------------------------------------------ time
    def advance(self, now=None):
        """Start queued runs whose agent became free, drop finished temporary schedules; returns now."""
        if now is None:
            now = self.clock.now()
        for agent_id, agent in self.catalogue.agents.items():
            queue = self.queues.setdefault(agent_id, [])
            while True:
                current = self.current.get(agent_id)
                if current is not None and current.end is not None and current.end <= now:
                    self.free_at[agent_id] = current.end
                    self.current[agent_id] = None
                    current = None
                if current is not None or not queue or not agent["available"] or agent["blocked_by_license"]:
                    break
                start = max(queue[0].created_at, self.free_at.get(agent_id, 0.0))
                if start > now:
                    break
                run = queue.pop(0)
                run.begin(start)
                for item in run.items:
                    self.items[item.item_id] = item
                self.current[agent_id] = run
        for run in [run for run in self.pending_delete if run.status(now) == "Finished"]:
            self.pending_delete.remove(run)
            self.temporary.pop(run.schedule["id"], None)
        return now

    # ------------------------------------------------------------------ triggers
    def _draw_lag(self):
        """The finish lag of the next run: ``finish_lag`` times the fractional part of n times the
        golden ratio for the n-th run (0.618, 0.236, 0.854, 0.472, ...): spread evenly over
        ``[0, finish_lag)``, and the same in every session."""
        if not self.finish_lag:
            return 0.0
        self.lags_drawn += 1
        return self.finish_lag * ((self.lags_drawn * GOLDEN_RATIO) % 1.0)

    def _attempt(self, flow_id):
        """How many runs of ``flow_id`` were created before (since the last reset or restart)."""
        return sum(1 for run in self.order for flow in run.flows if flow["id"] == flow_id)

    def _create(self, schedule, flows, agent, variables, is_delete):
        now = self.advance()
        outcomes = [self.catalogue.outcome_of(flow, agent["id"], self._attempt(flow["id"])) for flow in flows]
        run = Run(schedule, flows, agent, list(variables), is_delete, now, self.grace_polls, outcomes, self._draw_lag())
        self.runs[run.run_id] = run
        self.order.append(run)
        self.queues.setdefault(agent["id"], []).append(run)
        if is_delete and schedule["temporary"]:
            self.pending_delete.append(run)
        self.advance(now)
        return run

    def trigger_flow(self, flow_id, agent_id, variables, is_delete):
        """Run flow by id: a new temporary schedule and a new run."""
        with self.lock:
            flow = self.catalogue.flows.get(flow_id.lower())
            agent = self.catalogue.agents.get(agent_id.lower())
            if flow is None or agent is None:
                raise NotFound()
            schedule = {"id": str(uuid.uuid4()), "title": "%s (%s)" % (flow["title"], agent["title"]),
                        "temporary": True, "enabled": True}
            self.temporary[schedule["id"]] = schedule
            return self._create(schedule, [flow], agent, variables, is_delete).run_id

    def run_now(self, schedule_id, variables):
        """Run schedule now: only the variables the schedule defines are applied, over their defaults."""
        with self.lock:
            key = schedule_id.lower()
            spec = self.catalogue.schedules.get(key)
            if spec is not None:
                if not spec["enabled"]:
                    raise ScheduleDisabled(spec["title"])
                schedule = {"id": spec["id"], "title": spec["title"], "temporary": False, "enabled": True}
                flows = [self.catalogue.flows[flow] for flow in spec["flows"]]
                agent = self.catalogue.agents[spec["agent"]]
                defined, is_delete = list(spec["variables"].items()), False
            else:
                schedule = self.temporary.get(key)
                if schedule is None:
                    raise NotFound()
                previous = [run for run in self.order if run.schedule["id"] == schedule["id"]][-1]
                flows, agent, is_delete = previous.flows, previous.agent, previous.is_delete
                # A temporary schedule defines the variables its flow run was given.
                defined = previous.variables
            now = self.advance()
            if any(run.status(now) != "Finished" for run in self.order if run.schedule["id"] == schedule["id"]):
                raise AlreadyRunning()
            given = {name.lower(): value for name, value in variables}
            applied = [(name, given.get(name.lower(), default)) for name, default in defined]
            return self._create(schedule, flows, agent, applied, is_delete).run_id

    def occupy(self, agent_id, seconds):
        """A run from outside our tests (someone else's schedule) that keeps ``agent_id`` busy ``seconds`` (emulated)."""
        with self.lock:
            agent = self.catalogue.agents.get(str(agent_id).lower())
            if agent is None:
                raise NotFound()
            seconds = float(seconds)
            if seconds < 0:
                raise ValueError("seconds must not be negative")
            flow = {"id": str(uuid.uuid4()), "title": "Outside work", "folder": None, "outcome": "Passed", "outcomes": [],
                    "agent_outcomes": {}, "no_items": False, "duration": seconds, "message": None, "block": None,
                    "keyframes": [], "type": "Flow", "status": "Publish"}
            schedule = {"id": str(uuid.uuid4()), "title": "Outside schedule (%s)" % agent["title"], "temporary": False,
                        "enabled": True}
            return self._create(schedule, [flow], agent, [], False).run_id

    # ------------------------------------------------------------------ reads
    def _run(self, run_id):
        run = self.runs.get(run_id.lower())
        if run is None:
            raise NotFound()
        return run

    def in_grace(self, run_id):
        """True while a new run is still in its grace period (it answers 404 then); counts one poll."""
        with self.lock:
            run = self.runs.get(run_id.lower())
            if run is None or run.grace_left <= 0:
                return False
            run.grace_left -= 1
            return True

    def is_run(self, run_id):
        """Whether ``run_id`` names a known run."""
        with self.lock:
            return run_id.lower() in self.runs

    def run_status(self, run_id):
        """Queued, Executing or Finished."""
        with self.lock:
            now = self.advance()
            return self._run(run_id).status(now)

    def schedule_status(self, schedule_id):
        """Status of the newest run of a schedule (Finished when it never ran)."""
        with self.lock:
            now = self.advance()
            schedule_id = schedule_id.lower()
            if schedule_id not in self.catalogue.schedules and schedule_id not in self.temporary:
                raise NotFound()
            runs = [run for run in self.order if run.schedule["id"] == schedule_id]
            return runs[-1].status(now) if runs else "Finished"

    def run(self, run_id):
        """GET /run/{id}."""
        with self.lock:
            now = self.advance()
            run = self._run(run_id)
            items = run.visible_items(now)
            finished = [item.status(now) for item in items if now >= item.final_at]
            failed = len([status for status in finished if status not in PASSING])
            if run.start is None:
                elapsed = 0.0
            else:
                elapsed = max(0.0, min(now, run.end if run.end is not None else now) - run.start)
            return {
                "RunId": run.run_id,
                "Schedule": {"ScheduleId": run.schedule["id"], "ScheduleTitle": run.schedule["title"]},
                "Status": run.status(now),
                "Failed": failed,
                "Total": len(items),
                "ExecutionTotalTime": timespan(elapsed),
                "ExecutionMilliseconds": round(elapsed * 1000.0, 4),
            }

    def run_item_ids(self, run_id):
        """Ids of the run's items that have started."""
        with self.lock:
            now = self.advance()
            return [item.item_id for item in self._run(run_id).visible_items(now)]

    def _item(self, item_id, now):
        item = self.items.get(item_id.lower())
        if item is None or item.run.run_id not in self.runs or item not in item.run.visible_items(now):
            raise NotFound()
        return item

    def run_item(self, item_id):
        """GET /runItems/{id}."""
        with self.lock:
            now = self.advance()
            item = self._item(item_id, now)
            status = item.status(now)
            elapsed = item.elapsed(now)
            agent = item.run.agent
            return {
                "RunItemId": item.item_id,
                "RunId": item.run.run_id,
                "AutomationRunId": item.run.run_id,
                "FlowInfo": {"FlowId": item.flow["id"], "FlowTitle": item.flow["title"], "Status": status},
                "AgentInfo": {"AgentId": agent["id"], "AgentTitle": agent["title"], "EnvironmentTitle": agent["environment"],
                              "ConnectionType": agent["connection_type"]},
                "Status": status,
                "Elapsed": timespan(elapsed),
                "ElapsedMilliseconds": round(elapsed * 1000.0, 4),
                "ElapsedSeconds": round(elapsed, 7),
                "CreatedAt": date_string(self.clock.date(item.start)),
                "RunType": "Manual",
            }

    def keyframes(self, item_id, offset=0):
        """GET /runItems/{id}/keyframes[/{offset}]."""
        with self.lock:
            now = self.advance()
            item = self._item(item_id, now)
            result = []
            for index, (moment, level, status, message, block) in enumerate(item.keyframes(now)):
                frame = {
                    "AutomationRunItemId": item.item_id,
                    "Timestamp": date_object(self.clock.date(moment)),
                    "Level": level,
                    "Status": status,
                    "LogMessage": message,
                    "Id": str(uuid.uuid5(KEYFRAME_NAMESPACE, "%s/%d" % (item.item_id, index))),
                }
                if block:
                    frame["BlockTitle"] = block
                result.append(frame)
            return result[offset:]

    def schedules(self):
        """GET /schedules."""
        with self.lock:
            self.advance()
            result = [{"Id": spec["id"], "Title": spec["title"], "IsEnabled": spec["enabled"], "Type": "ScheduleInfo"}
                      for spec in self.catalogue.schedules.values()]
            result.extend({"Id": spec["id"], "Title": spec["title"], "IsEnabled": True, "Type": "TemporaryScheduleInfo"}
                          for spec in self.temporary.values())
            return result

    def run_ids(self, schedule_id, count=None):
        """Run ids of a schedule, newest first."""
        with self.lock:
            self.advance()
            schedule_id = schedule_id.lower()
            if schedule_id not in self.catalogue.schedules and schedule_id not in self.temporary:
                raise NotFound()
            runs = [run.run_id for run in reversed(self.order) if run.schedule["id"] == schedule_id]
            return runs if count is None else runs[:count]

    # ------------------------------------------------------------------ stop
    def _stop(self, run, now):
        if run.status(now) == "Finished":
            return False
        run.stopped_at = now
        queue = self.queues.get(run.agent["id"], [])
        if run in queue:
            queue.remove(run)
        return True

    def stop_run(self, run_id):
        """PUT /run/{id}/stop: True when something was stopped."""
        with self.lock:
            now = self.advance()
            stopped = self._stop(self._run(run_id), now)
            self.advance(now)
            return stopped

    def stop_schedule(self, schedule_id):
        """PUT /schedules/{id}/stop: a run id, or a schedule id (stops its unfinished runs)."""
        with self.lock:
            now = self.advance()
            key = schedule_id.lower()
            if key in self.runs:
                stopped = self._stop(self.runs[key], now)
            elif key in self.catalogue.schedules or key in self.temporary:
                results = [self._stop(run, now) for run in self.order if run.schedule["id"] == key]
                stopped = any(results)
            else:
                raise NotFound()
            self.advance(now)
            return stopped

    def restart(self):
        """Forget every run (as a controller restart)."""
        with self.lock:
            self.runs.clear()
            self.order = []
            self.items.clear()
            self.temporary.clear()
            self.queues.clear()
            self.current.clear()
            self.free_at.clear()
            self.pending_delete = []

    # ------------------------------------------------------------------ agents
    def agent_busy(self, agent_id):
        """Whether an agent is running something now."""
        with self.lock:
            self.advance()
            return self.current.get(agent_id) is not None

    # ------------------------------------------------------------------ introspection
    def describe_runs(self, flow_id=None, agent_id=None):
        """Introspection records of every run."""
        with self.lock:
            now = self.advance()
            result = []
            for run in self.order:
                flow_ids = [flow["id"] for flow in run.flows]
                if flow_id and flow_id.lower() not in flow_ids:
                    continue
                if agent_id and agent_id.lower() != run.agent["id"]:
                    continue
                status = run.status(now)
                started = run.items[0].start if run.items else run.start
                if started is not None and started > now:
                    started = None
                finished = run.end if status == "Finished" else None
                final = max([finished] + [item.final_at for item in run.visible_items(now)]) if finished is not None else None
                result.append({
                    "run_id": run.run_id,
                    "flow_id": flow_ids[0] if len(flow_ids) == 1 else None,
                    "flow_ids": flow_ids,
                    "agent_id": run.agent["id"],
                    "schedule_id": run.schedule["id"],
                    "schedule_title": run.schedule["title"],
                    "temporary_schedule": run.schedule["temporary"],
                    "variables": dict(run.variables),
                    "is_delete": run.is_delete,
                    "status": status,
                    "stopped": run.stopped_at is not None,
                    "items": [{"run_item_id": item.item_id, "flow_id": item.flow["id"], "status": item.status(now)}
                              for item in run.visible_items(now)],
                    "created_at": run.created_at,
                    "started_at": started,
                    "finished_at": finished,
                    "created_wall": self.clock.wall(run.created_at),
                    "started_wall": self.clock.wall(started),
                    "finished_wall": self.clock.wall(finished),
                    "final_at": final if final is not None and final <= now else None,
                    "final_wall": self.clock.wall(final) if final is not None and final <= now else None,
                })
            return result
