# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""Schedules: finding them by id or title, and running them now, safely.

``PUT /schedules/{id}/runNow`` starts a new run on every call, like Run flow by id, so it gets the
same care: every schedule of a task is found (and checked to be enabled) before anything is
started, the idempotency ledger brackets each runNow, and a runNow that may have started a run
is never sent again. A schedule that is still running is either waited for (under the task's
deadline) or reported at once, as ``when_running`` says.
"""

import time

from ansible_collections.leapops.leapwork.plugins.module_utils._batch import (
    StartRequest,
    StartResult,
    batch_problem,
    start_once_each,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._catalogue import not_found_message, pick
from ansible_collections.leapops.leapwork.plugins.module_utils._client import json_field
from ansible_collections.leapops.leapwork.plugins.module_utils._deadline import backoff
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    LeapworkError,
    LeapworkHTTPError,
    TriggerOutcomeUnknown,
    seconds_text,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._http_status import ALREADY_RUNNING, proves_no_run
from ansible_collections.leapops.leapwork.plugins.module_utils._ids import guid_problem
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import schedule_target
from ansible_collections.leapops.leapwork.plugins.module_utils._statuses import STATUS_FINISHED

TEMPORARY_TYPE = "TemporaryScheduleInfo"
WHEN_RUNNING_CHOICES = ("wait", "fail")


class ScheduleRequestError(ValueError):
    """A schedule request is invalid, or names no schedule / several; nothing was started."""


class ScheduleRequest(StartRequest):
    """One schedule to run now (by id or by title), validated locally.

    Variables, secret variables and the key follow the same rules as a flow trigger's (``StartRequest``).
    ``schedule`` (its facts) is set once the schedule is found, before anything is started.
    """

    def __init__(self, schedule_id=None, title=None, variables=None, idempotency_key=None, label="schedule_run",
                 secret_variables=None):
        self.label = label
        self.schedule = None
        if bool(schedule_id) == bool(title):
            raise ScheduleRequestError("%s: give exactly one of schedule_id and schedule (its title)" % label)
        if schedule_id and guid_problem("schedule_id", schedule_id):
            raise ScheduleRequestError("%s: %s" % (label, guid_problem("schedule_id", schedule_id)))
        self.schedule_id = schedule_id.lower() if schedule_id else None
        self.title = title or None
        self.set_run_options(variables, secret_variables, idempotency_key, ScheduleRequestError)

    def describe(self):
        return "schedule_id %s" % self.schedule_id if self.schedule_id else "schedule %r" % self.title

    def identity(self):
        """What makes two items of a batch the same ledger entry (once the schedule is found)."""
        return (self.schedule["id"], self.idempotency_key)

    def target(self):
        return "schedule %s" % self.schedule["id"], "schedule"

    def request_record(self):
        """The runNow request: method, path and query (secret values masked), never the access key."""
        return {
            "method": "PUT",
            "path": "/api/v4/schedules/%s/runNow" % self.schedule["id"],
            "query": self.masked_query(),
        }


def schedule_facts(raw):
    """One schedule of ``GET /schedules`` as ``id``, ``title``, ``enabled``, ``type``, ``temporary``."""
    enabled = json_field(raw, "IsEnabled")
    if isinstance(enabled, str):
        enabled = enabled.strip().lower() == "true"
    schedule_type = json_field(raw, "Type")
    return {
        "id": str(json_field(raw, "Id") or "").lower(),
        "title": str(json_field(raw, "Title") or ""),
        # A schedule that does not say is taken as enabled; the controller decides at runNow.
        "enabled": True if enabled is None else bool(enabled),
        "type": schedule_type,
        "temporary": schedule_type == TEMPORARY_TYPE,
    }


def matching_schedules(schedules, schedule_id=None, title=None, include_temporary=False):
    """The schedules (facts) with this id, or with this title; all of them when neither is given.

    Titles are compared as names are (``_catalogue.pick``): exactly, and only when none matches
    exactly, case-insensitively.
    Temporary schedules (made by Run flow by id) are left out unless ``include_temporary``, except
    when asked for by id.
    """
    if schedule_id:
        return [schedule for schedule in schedules if schedule["id"] == schedule_id.lower()]
    candidates = [schedule for schedule in schedules if include_temporary or not schedule["temporary"]]
    if title is None:
        return candidates
    return pick(candidates, "title", title)


def resolve(request, schedules):
    """The one schedule ``request`` names; raises ``ScheduleRequestError`` (naming the option) otherwise."""
    found = matching_schedules(schedules, request.schedule_id, request.title)
    if request.schedule_id and not found:
        raise ScheduleRequestError("%s: schedule_id %s was not found on the controller" % (request.label, request.schedule_id))
    if not found:
        titles = sorted(set(schedule["title"] for schedule in schedules if not schedule["temporary"]))
        raise ScheduleRequestError(not_found_message("schedule", "%s: schedule" % request.label, request.title, titles))
    if len(found) > 1:
        listed = ", ".join("%s (%s)" % (schedule["id"], "enabled" if schedule["enabled"] else "disabled") for schedule in found)
        raise ScheduleRequestError("%s: %d schedules are titled %r: %s; give the one to run with schedule_id"
                                   % (request.label, len(found), request.title, listed))
    schedule = found[0]
    if not schedule["enabled"]:
        raise ScheduleRequestError("%s: schedule %r (%s) is disabled; enable it in Leapwork Studio, or run another one. "
                                   "Nothing was started." % (request.label, schedule["title"], schedule["id"]))
    return schedule


class ScheduleResult(StartResult):
    """What happened to one schedule request."""

    def __init__(self, request, schedule):
        super().__init__(request)
        self.schedule = schedule
        self.waited_seconds = 0.0

    def target_fields(self):
        return {
            "schedule_id": self.schedule["id"],
            "schedule_title": self.schedule["title"],
            "waited_for_previous_run_seconds": round(self.waited_seconds, 3),
        }

    def request_record(self):
        return self.request.request_record()


class ScheduleRunner(object):
    """Runs schedules now for one module invocation, under the task's deadline (the client's)."""

    def __init__(self, client, ledger=None, rerun="never", check_mode=False, when_running="wait",
                 poll_interval=5.0, run_is_passed=None, sleep=None, interrupted=None):
        if when_running not in WHEN_RUNNING_CHOICES:
            raise ValueError("when_running must be one of %s, got %r" % (", ".join(WHEN_RUNNING_CHOICES), when_running))
        self.client = client
        self.ledger = ledger
        self.rerun = rerun
        self.check_mode = check_mode
        self.when_running = when_running
        self.poll_interval = poll_interval
        # callable(run_id, seconds_since_recorded) -> bool, used by rerun=failed to judge a recorded run
        # (_trigger.recorded_run_passed)
        self.run_is_passed = run_is_passed
        # The task's deadline, and the clock it runs on.
        self.deadline = client.deadline
        self.sleep = sleep or time.sleep
        # callable() -> why the task was interrupted, or None (``_interrupt.Interrupt.check``): ends a wait for a busy schedule.
        self.interrupted = interrupted

    def resolve_all(self, requests):
        """Find every requested schedule with one read; raise ``ScheduleRequestError`` listing every problem.

        Also refuses two items that would share one ledger entry with different variables: that
        needs the schedules' ids, and is still before anything is started.
        """
        schedules = [schedule_facts(raw) for raw in self.client.schedules() if isinstance(raw, dict)]
        found, problems = [], []
        for request in requests:
            try:
                found.append(resolve(request, schedules))
            except ScheduleRequestError as exc:
                problems.append(str(exc))
        if problems:
            raise ScheduleRequestError("\n".join(problems))
        for request, schedule in zip(requests, found):
            request.schedule = schedule
        problem = batch_problem(requests)
        if problem:
            raise ScheduleRequestError(problem)
        return found

    def start_all(self, requests, max_concurrency=8):
        """Run every request (found by ``resolve_all``) now, concurrently; results in input order.

        Never raises for one item. Keyed items that are one ledger entry with the same variables
        are started once, and each reports that run.
        """
        start = self._check if self.check_mode else self._start
        return start_once_each(requests, lambda request: ScheduleResult(request, request.schedule), start, max_concurrency)

    def _keyed(self, request):
        return bool(request.idempotency_key and self.ledger is not None)

    def _reuse_recorded(self, request, result):
        """Whether the ledger holds a run to reuse for this item (it becomes the result); writes nothing."""
        decision = self.ledger.preview(self.client.controller_url, schedule_target(result.schedule["id"]),
                                       request.idempotency_key, request.fingerprint(),
                                       rerun=self.rerun, run_is_passed=self.run_is_passed)
        if decision.action == "reuse":
            result.run_id, result.reused = decision.run_id, True
        return result.reused

    # -- check mode: read-only
    def _check(self, request, result):
        if not (self._keyed(request) and self._reuse_recorded(request, result)):
            result.changed = True

    # -- running
    def _start(self, request, result):
        keyed = self._keyed(request)
        # A recorded run is reused without waiting for the schedule to be free.
        if keyed and self._reuse_recorded(request, result):
            return
        while True:
            self._wait_until_free(result)
            if keyed:
                started = self._run_now_with_ledger(request, result)
            else:
                started = self._run_now(request, result)
            if started:
                return
            # The controller said "already running" although the status read said otherwise:
            # pause before looking again, and give up at the deadline.
            if self.deadline.passed():
                raise LeapworkError("Schedule %r (%s): the controller kept answering that it is already running "
                                    "(HTTP 410) until %s; nothing was started."
                                    % (result.schedule["title"], result.schedule["id"], self.deadline.describe()),
                                    operation="run a schedule now", status=ALREADY_RUNNING)
            self.sleep(self.deadline.clip(self.poll_interval))
            self._stop_if_interrupted(result)

    def _stop_if_interrupted(self, result):
        reason = self.interrupted() if self.interrupted is not None else None
        if reason:
            raise LeapworkError("Schedule %r (%s) was still busy when the task was interrupted (%s); nothing was started."
                                % (result.schedule["title"], result.schedule["id"], reason), operation="run a schedule now")

    def _wait_until_free(self, result):
        """Return once the schedule's newest run is over; or raise, as ``when_running`` says.

        Every status read runs under the task's deadline (the client's retries included), and the
        pauses between reads (``backoff`` up to ``poll_interval``) never run past it.
        """
        schedule = result.schedule
        clock = self.deadline.clock
        began = clock()
        pauses = backoff(self.poll_interval)
        status = None
        while True:
            if status is not None and self.deadline.passed():
                raise LeapworkError("Schedule %r (%s) was still running (status: %s) after waiting %s s for its "
                                    "previous run to end, until %s; nothing was started."
                                    % (schedule["title"], schedule["id"], status, seconds_text(clock() - began),
                                       self.deadline.describe()),
                                    operation="run a schedule now")
            status = self.client.schedule_status(schedule["id"], deadline=self.deadline)
            if status == STATUS_FINISHED:  # its newest run is over
                result.waited_seconds += clock() - began
                return
            if self.when_running == "fail":
                raise LeapworkError("Schedule %r (%s) is already running (status: %s) and when_running is fail; "
                                    "nothing was started." % (schedule["title"], schedule["id"], status),
                                    operation="run a schedule now")
            self.sleep(self.deadline.clip(next(pauses)))
            self._stop_if_interrupted(result)

    def _run_now(self, request, result):
        """Send runNow once; the run id, or ``None`` when the controller said it is already running."""
        # ``sent`` once the controller has it: a runNow refused before it left (no connection, the
        # deadline) is no request to report.
        result.sent = False
        try:
            result.attempted = True
            result.run_id = self.client.run_schedule_now(result.schedule["id"], request.query_pairs())
            result.sent = True
        except TriggerOutcomeUnknown as exc:
            result.sent = True
            if request.idempotency_key:
                exc.context = "idempotency_key %r" % request.idempotency_key
            raise
        except LeapworkHTTPError as exc:
            # 410: the schedule started again between our status read and runNow (another
            # pipeline, its timer). No run of ours exists, so asking again later is no replay.
            if exc.status == ALREADY_RUNNING and self.when_running == "wait":
                return None
            result.sent = True  # the controller answered it
            raise
        result.changed = True
        return result.run_id

    def _run_now_with_ledger(self, request, result):
        """runNow bracketed by the ledger (or the recorded run reused); the run id, or ``None`` when already running."""
        run_id, reused = self.ledger.trigger_once(
            self.client.controller_url, schedule_target(result.schedule["id"]), request.idempotency_key,
            request.fingerprint(), lambda: self._run_now(request, result), lambda status: proves_no_run(status, run_now=True),
            rerun=self.rerun, run_is_passed=self.run_is_passed, mask=getattr(self.client, "mask", None),
        )
        if reused:
            result.run_id, result.reused = run_id, True
        return run_id
