# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""The result model: run item statuses to outcomes, item and run results, summaries.

Outcomes of a run item (one flow on one agent):

- ``running``: still going (``NoStatus``, ``Initializing``, ``Connecting``, ``Connected``,
  ``Running``, ``IsProcessing``, or no status yet); only seen in runs that timed out.
- ``passed``: ``Passed``.
- ``failed``: ``Failed``.
- ``error``: ``Error``, ``Inconclusive``, ``Timeout``, and any status we do not know (never
  dropped: the reason names it).
- ``cancelled``: ``Cancelled``.
- ``Done`` (the flow ended without an explicit pass/fail block) counts as ``done_status_as``.

Known statuses match case-insensitively; the controller's spelling is what results report.

The verdict (``verdict``) is decided here and nowhere else: the modules' ``outcome``,
``summary`` and ``failures``, the ``run_report`` filter, the JUnit report and ``rerun: failed``
all come from it. Every outcome has one place in ``OUTCOMES``, worst first; that order is the
one precedence:

``running`` > ``queued`` > ``started`` > ``error`` > ``timed_out`` > ``failed`` > ``cancelled``
> ``flaky`` > ``passed`` > ``none``

- ``running``, ``queued``, ``started``: no verdict yet. A run read once, without waiting, that is
  not over is ``queued`` (status ``Queued``) or ``running``; a run a module started without
  following it is ``started``. While any run is still going, the whole is not over.
- ``error``: we do not know whether the flow works (it errored, its status is unknown, the run
  could not be read, disappeared or ran no flow): worse than a timeout, which says only that the
  wait ended first, and than knowing that the flow fails.
- ``timed_out``: the wait ended before the run did.
- ``failed`` > ``cancelled`` (a cancellation was asked for by someone) > ``flaky`` > ``passed``.
- ``flaky``: the flow passed, but only on a later attempt (``retries``): it counts as passing
  (``passes(fail_on_flaky=True)`` says otherwise), is counted apart (``summary.flaky``) and named
  in ``Verdict.flaky`` with what failed first.
- ``none``: there was no run at all (nothing failed).

A run's outcome is first what ended it early, worst first by the same order (``error``: it could
not be read or disappeared; ``queued``/``running``: read once and not over; ``timed_out``), then
``error`` when it finished without running any flow, and otherwise the worst of its items (an
item that had not ended counts as ``error``). The outcome of many runs is the worst of theirs.
"""

import collections
import re

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LINE_LIMIT, one_line, seconds_text
from ansible_collections.leapops.leapwork.plugins.module_utils._statuses import STATUS_FINISHED, STATUS_QUEUED

RUNNING = "running"
PASSED = "passed"
FAILED = "failed"
ERROR = "error"
CANCELLED = "cancelled"
TIMED_OUT = "timed_out"
#: A run read once (no wait) that had not started: its agents were busy (status ``Queued``).
QUEUED = "queued"
#: A run a module started and did not follow (no ``wait``): nothing is known of it yet.
STARTED = "started"
#: No run at all.
NONE = "none"
#: A flow that passed on a later attempt (``retries``), after earlier attempts failed or erred.
FLAKY = "flaky"

#: One outcome: its ``name``; ``over``: a verdict (nothing is still going); ``passing``: a task
#: does not fail for it (``fail_on_failure``); ``counted_in``: the summary key that counts the
#: flows with this outcome (``None``: a flow never has it, or it counts in ``total`` only);
#: ``junit``: the element a flow with this outcome gets in the JUnit report (``failure``,
#: ``error``, ``skipped``; ``None``: none, it passed).
Outcome = collections.namedtuple("Outcome", ("name", "over", "passing", "counted_in", "junit"))

#: Every outcome, worst first: the one precedence (see the module docstring). A new outcome is one
#: more row here, placed by its rank (and its key in ``SUMMARY_KEYS`` when flows can have it).
OUTCOMES = (
    # A flow still running when the wait ended is an error in the JUnit report: it did not pass.
    Outcome(RUNNING, over=False, passing=False, counted_in=None, junit="error"),
    Outcome(QUEUED, over=False, passing=False, counted_in=None, junit=None),
    Outcome(STARTED, over=False, passing=False, counted_in=None, junit=None),
    Outcome(ERROR, over=True, passing=False, counted_in="errors", junit="error"),
    Outcome(TIMED_OUT, over=True, passing=False, counted_in=None, junit=None),
    Outcome(FAILED, over=True, passing=False, counted_in="failed", junit="failure"),
    Outcome(CANCELLED, over=True, passing=False, counted_in="cancelled", junit="skipped"),
    # A flow that passed on a later attempt passes in the JUnit report (its earlier attempts are
    # <flakyFailure>/<flakyError> elements there, which count nowhere).
    Outcome(FLAKY, over=True, passing=True, counted_in="flaky", junit=None),
    Outcome(PASSED, over=True, passing=True, counted_in="passed", junit=None),
    Outcome(NONE, over=True, passing=True, counted_in=None, junit=None),
)
_OUTCOMES = dict((outcome.name, outcome) for outcome in OUTCOMES)
#: The names of ``OUTCOMES``, worst first.
PRECEDENCE = tuple(outcome.name for outcome in OUTCOMES)

DONE_STATUS_CHOICES = (PASSED, FAILED)

STILL_GOING_STATUSES = ("NoStatus", "Initializing", "Connecting", "Connected", "Running", "IsProcessing")

_KNOWN_STATUSES = dict((status.lower(), RUNNING) for status in STILL_GOING_STATUSES)
_KNOWN_STATUSES.update({
    "passed": PASSED,
    "failed": FAILED,
    "error": ERROR,
    "inconclusive": ERROR,
    "timeout": ERROR,
    "cancelled": CANCELLED,
})

#: Keyframe levels too chatty to report; every other level (Info, Warning, Error, Fatal, ...) is kept.
DROPPED_KEYFRAME_LEVELS = frozenset(("trace", "debug", "verbose"))
#: Levels whose message explains a failure best.
ERROR_KEYFRAME_LEVELS = frozenset(("error", "fatal", "critical"))
KEYFRAME_MESSAGE_LIMIT = 500
KEYFRAME_COUNT_LIMIT = 20

_TIMESPAN = re.compile(r"^\s*(-)?(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.(\d+))?\s*$")


def check_done_status_as(done_status_as):
    """Return ``done_status_as`` if it is ``passed`` or ``failed``; raise ``ValueError`` otherwise."""
    if done_status_as not in DONE_STATUS_CHOICES:
        raise ValueError("done_status_as must be one of %s, got %r" % (", ".join(DONE_STATUS_CHOICES), done_status_as))
    return done_status_as


def classify_status(status, done_status_as=PASSED):
    """Return ``(outcome, reason)`` for a run item status.

    ``outcome`` is ``running``, ``passed``, ``failed``, ``error`` or ``cancelled``; ``reason`` is
    ``None`` except for a status we do not know, which is a terminal ``error`` whose reason names it.
    A missing or empty status means the item has not started yet.
    """
    check_done_status_as(done_status_as)
    if status is None or not str(status).strip():
        return RUNNING, None
    key = str(status).strip().lower()
    if key == "done":
        return done_status_as, None
    outcome = _KNOWN_STATUSES.get(key)
    if outcome is None:
        return ERROR, "unknown status %r" % str(status).strip()
    return outcome, None


def _outcome(name):
    outcome = _OUTCOMES.get(name)
    if outcome is None:
        raise ValueError("unknown outcome %r (known: %s)" % (name, ", ".join(PRECEDENCE)))
    return outcome


def worst(outcomes):
    """The first of ``outcomes`` in ``PRECEDENCE``; ``none`` when there are none. Raises ``ValueError``
    for a name that is not an outcome."""
    found = set(_outcome(name).name for name in outcomes)
    for name in PRECEDENCE:
        if name in found:
            return name
    return NONE


def junit_element(outcome):
    """The JUnit element (``failure``, ``error``, ``skipped``) of a flow with ``outcome``; ``None`` when it passed."""
    return _outcome(outcome).junit


def outcome_is_over(outcome):
    """Whether ``outcome`` is a verdict: nothing it stands for is still going."""
    return _outcome(outcome).over


def outcome_is_passing(outcome):
    """Whether a task with ``fail_on_failure`` passes with ``outcome``."""
    return _outcome(outcome).passing


def is_over(status, items):
    """Whether a run is over: its status is ``Finished`` and every one of its items (``ItemResult``) has ended.

    The item list is read after ``Finished`` is seen, so it is complete. The waiter waits for
    this; ``rerun: failed`` reuses a run for which it is not true yet.
    """
    return status == STATUS_FINISHED and all(item.terminal for item in items)


def _number(value):
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def parse_timespan(value):
    """Seconds in a .NET TimeSpan string (``"00:00:24.9951204"``, ``"1.02:03:04.5"``); ``None`` if not one."""
    if not isinstance(value, str):
        return None
    match = _TIMESPAN.match(value)
    if not match:
        return None
    sign, days, hours, minutes, seconds, fraction = match.groups()
    total = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    if fraction:
        total += int(fraction) / float(10 ** len(fraction))
    return -total if sign else float(total)


def elapsed_seconds_of(run_item):
    """Seconds a run item took: ``ElapsedSeconds``, else ``ElapsedMilliseconds``/1000, else ``Elapsed``."""
    seconds = _number(run_item.get("ElapsedSeconds"))
    if seconds is None:
        milliseconds = _number(run_item.get("ElapsedMilliseconds"))
        if milliseconds is not None:
            seconds = milliseconds / 1000.0
    if seconds is None:
        seconds = parse_timespan(run_item.get("Elapsed"))
    if seconds is None:
        return None
    return round(max(seconds, 0.0), 3)


def _stripped_or_none(value):
    """``value`` as a string without surrounding space; ``None`` for ``None`` or nothing left."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _timestamp(value):
    # .NET date object {"Value": "...", "UtcDateTime": ...} on keyframes; a plain string elsewhere.
    if isinstance(value, dict):
        for key in ("Value", "UtcDateTime", "LocalDateTime"):
            if value.get(key):
                return str(value[key])
        return None
    return _stripped_or_none(value)


def _trim_message(text):
    text = (text or "").strip()
    if len(text) > KEYFRAME_MESSAGE_LIMIT:
        text = text[:KEYFRAME_MESSAGE_LIMIT - 3].rstrip() + "..."
    return text


def keyframes_of(raw_keyframes):
    """Reportable keyframes from the controller's list: Info level and above, messages trimmed, the last 20.

    Each is ``{timestamp, level, message, block}``.
    """
    kept = []
    for raw in raw_keyframes or ():
        if not isinstance(raw, dict):
            continue
        level = _stripped_or_none(raw.get("Level")) or "Info"
        if level.lower() in DROPPED_KEYFRAME_LEVELS:
            continue
        message = raw.get("LogMessage")
        if message is None:
            message = raw.get("Message")
        kept.append({
            "timestamp": _timestamp(raw.get("Timestamp")),
            "level": level,
            "message": _trim_message(None if message is None else str(message)),
            "block": _stripped_or_none(raw.get("BlockTitle")),
        })
    return kept[-KEYFRAME_COUNT_LIMIT:]


def _section(data, name):
    section = data.get(name)
    return section if isinstance(section, dict) else {}


class ItemResult(object):
    """One flow on one agent, as last seen.

    ``outcome`` is ``running``, ``passed``, ``failed``, ``error`` or ``cancelled``; ``reason`` says
    why an item is an error when its status alone does not (an unknown status). ``keyframes`` are
    only kept for items that did not pass.
    """

    def __init__(self, run_item_id, flow_id=None, flow_title=None, agent_id=None, agent_title=None,
                 status=None, elapsed_seconds=None, keyframes=None, done_status_as=PASSED):
        self.run_item_id = run_item_id
        self.flow_id = flow_id
        self.flow_title = flow_title
        self.agent_id = agent_id
        self.agent_title = agent_title
        self.status = status
        self.outcome, self.reason = classify_status(status, done_status_as)
        self.elapsed_seconds = elapsed_seconds
        self.keyframes = []
        self.set_keyframes(keyframes)

    @classmethod
    def from_run_item(cls, data, done_status_as=PASSED, run_item_id=None):
        """Build from the controller's ``GET /runItems/{id}`` answer (its keyframes come later: ``set_keyframes``)."""
        if not isinstance(data, dict):
            data = {}
        flow = _section(data, "FlowInfo")
        agent = _section(data, "AgentInfo")
        status = _stripped_or_none(data.get("Status")) or _stripped_or_none(flow.get("Status"))
        return cls(
            run_item_id=_stripped_or_none(data.get("RunItemId")) or run_item_id,
            flow_id=_stripped_or_none(flow.get("FlowId")),
            flow_title=_stripped_or_none(flow.get("FlowTitle")),
            agent_id=_stripped_or_none(agent.get("AgentId")),
            agent_title=_stripped_or_none(agent.get("AgentTitle")) or _stripped_or_none(agent.get("EnvironmentTitle")),
            status=status,
            elapsed_seconds=elapsed_seconds_of(data),
            done_status_as=done_status_as,
        )

    @property
    def terminal(self):
        return self.outcome != RUNNING

    @property
    def passed(self):
        return self.outcome == PASSED

    def set_keyframes(self, raw_keyframes):
        """Keep the reportable part of ``raw_keyframes``, unless the item passed."""
        self.keyframes = [] if self.passed else keyframes_of(raw_keyframes)

    def explanation(self):
        """Why the item did not pass, in one line: the status's reason and the last error keyframe (or the last one)."""
        parts = []
        if self.reason:
            parts.append(self.reason)
        if self.outcome == RUNNING:
            parts.append("still running when the wait ended")
        chosen = None
        for keyframe in reversed(self.keyframes):
            if keyframe["level"].lower() in ERROR_KEYFRAME_LEVELS and keyframe["message"]:
                chosen = keyframe
                break
        if chosen is None:
            for keyframe in reversed(self.keyframes):
                if keyframe["message"]:
                    chosen = keyframe
                    break
        if chosen is not None:
            message = chosen["message"]
            if chosen["block"]:
                message = "%s: %s" % (chosen["block"], message)
            parts.append(message)
        return one_line("; ".join(parts)) or "no details given"

    @classmethod
    def from_dict(cls, data):
        """Rebuild from ``to_dict()``'s shape (a module's ``run_items`` entry); the outcome given there stands."""
        item = cls(data.get("run_item_id"), flow_id=data.get("flow_id"), flow_title=data.get("flow_title"),
                   agent_id=data.get("agent_id"), agent_title=data.get("agent_title"), status=data.get("status"),
                   elapsed_seconds=data.get("elapsed_seconds"))
        # Decided when the item was read (done_status_as applied); its keyframes are already the reportable ones.
        item.outcome = data.get("outcome") or item.outcome
        item.keyframes = [dict(keyframe) for keyframe in data.get("keyframes") or () if isinstance(keyframe, dict)]
        return item

    def report_line(self, still_going=False):
        """``<flow> on <agent>: <outcome> (<Status>, <seconds> s)``, then `` - <explanation>`` unless it passed
        (or is running in a run ``still_going``: nothing to explain yet)."""
        line = "%s: %s (%s, %.1f s)" % (self.title(), self.outcome, self.status or "NoStatus", self.elapsed_seconds or 0.0)
        if not self.passed and not (still_going and self.outcome == RUNNING):
            line = "%s - %s" % (line, self.explanation())
        return one_line(line, LINE_LIMIT * 2)

    def title(self):
        """``<flow title> on <agent title>``, with ids where titles are missing."""
        flow = self.flow_title or self.flow_id or "run item %s" % self.run_item_id
        agent = self.agent_title or self.agent_id or "an unknown agent"
        return "%s on %s" % (flow, agent)

    def to_dict(self):
        return {
            "run_item_id": self.run_item_id,
            "flow_id": self.flow_id,
            "flow_title": self.flow_title,
            "agent_id": self.agent_id,
            "agent_title": self.agent_title,
            "status": self.status,
            "outcome": self.outcome,
            "elapsed_seconds": self.elapsed_seconds,
            "keyframes": [dict(keyframe) for keyframe in self.keyframes],
        }

    def __repr__(self):
        return "ItemResult(%r, %r, %r)" % (self.run_item_id, self.status, self.outcome)


#: The keys of every summary, in the order messages list them.
SUMMARY_KEYS = ("total", "passed", "failed", "errors", "cancelled", "flaky")


def summarize(items):
    """``{total, passed, failed, errors, cancelled, flaky}`` for item results (a run's ``flaky`` is set by ``RunResult``).

    Items still running (in a run that timed out) count in ``total`` only.
    """
    summary = dict((key, 0) for key in SUMMARY_KEYS)
    for item in items:
        summary["total"] += 1
        key = _outcome(item.outcome).counted_in
        if key:
            summary[key] += 1
    return summary


class Attempt(object):
    """One attempt of a flow (``retries``): its run id, the agent it ran on, its outcome and, when it
    did not pass, why. ``run``: its ``RunResult`` when it was followed in this task (the JUnit
    report takes its log from there).

    An attempt whose trigger failed has ``error`` (why) and no outcome; ``may_have_started`` says
    whether a run may have started for it (its ``run_id`` when known), else nothing was.
    """

    def __init__(self, run_id, agent_id=None, agent_title=None, outcome=None, reason=None, status=None, run=None,
                 error=None, may_have_started=False):
        self.run_id = run_id
        self.agent_id = agent_id
        self.agent_title = agent_title
        self.outcome = outcome
        self.reason = reason
        self.status = status
        self.run = run
        self.error = error
        self.may_have_started = bool(may_have_started)

    @classmethod
    def of(cls, run):
        """The attempt that ``run`` was (a flaky run's own attempt passed)."""
        item = next((item for item in run.items if not item.passed), run.items[0] if run.items else None)
        outcome = PASSED if run.outcome == FLAKY else run.outcome
        reason = None
        if outcome != PASSED:
            reason = item.explanation() if item is not None and not item.passed else (run.error or run.message)
        return cls(run.run_id, agent_id=item.agent_id if item else None, agent_title=item.agent_title if item else None,
                   outcome=outcome, reason=reason, status=item.status if item else run.status, run=run)

    @classmethod
    def from_dict(cls, data):
        return cls(data.get("run_id"), agent_id=data.get("agent_id"), agent_title=data.get("agent_title"),
                   outcome=data.get("outcome"), reason=data.get("reason"), status=data.get("status"),
                   error=data.get("error"), may_have_started=data.get("may_have_started"))

    def where(self):
        return self.agent_title or self.agent_id or "an unknown agent"

    def not_started(self):
        """An attempt whose trigger failed, in words: whether a run may have started (and which), and why."""
        if not self.may_have_started:
            return "not started (nothing was sent): %s" % self.error
        return "a run may have started (%s), not followed: %s" % (
            "run %s" % self.run_id if self.run_id else "its id unknown", self.error)

    def to_dict(self):
        result = {"run_id": self.run_id, "agent_id": self.agent_id, "agent_title": self.agent_title,
                  "outcome": self.outcome, "status": self.status, "reason": self.reason}
        if self.error:
            result.update(error=self.error, may_have_started=self.may_have_started)
        return result


class RunResult(object):
    """What became of one run.

    ``status`` is the last run status read (``None`` if it never was). ``error`` is a run-level
    problem that ended the follow-up (the run disappeared, the controller kept failing); it makes
    the outcome ``error``. ``name`` optionally labels the run in reports (a schedule or flow title).
    ``message`` defaults to a one-line account of the run. ``unreadable`` says that the run
    could not be read (gone, unknown, or only errors until the end): no verdict, whatever ``error`` says.
    ``going`` says that the run was read once, without waiting, and is not over: its outcome is
    ``queued`` or ``running``, not a verdict.

    ``outcome`` is decided as the module docstring says; ``problem`` names what decided it when
    the run's items did not: ``Error``, ``TimedOut``, ``NotOver``, ``NotFollowed`` or ``NoFlowRan``
    (the JUnit report's type for the run's own test case), else ``None``.

    ``attempts``: the earlier attempts of the same flow (``Attempt``, first first) when this run is a
    re-run (``retries``); a run that passed after earlier attempts is ``flaky``. ``failed_attempt``:
    the attempt after this one whose trigger failed (an ``Attempt`` with ``error``), else ``None``;
    this run keeps the flow's verdict.
    """

    def __init__(self, run_id, status=None, items=None, elapsed_seconds=0.0, queued_seconds=0.0,
                 timed_out=False, error=None, message=None, name=None, unreadable=False, going=False, attempts=None):
        self.run_id = run_id
        self.status = status
        self.items = list(items or ())
        self.elapsed_seconds = round(max(float(elapsed_seconds or 0.0), 0.0), 3)
        self.queued_seconds = round(max(float(queued_seconds or 0.0), 0.0), 3)
        self.timed_out = bool(timed_out)
        self.error = error
        self.name = name
        self.unreadable = bool(unreadable)
        self.summary = summarize(self.items)
        self.going = bool(going) and not error
        self.attempts = []
        self.failed_attempt = None
        self.outcome, self.problem = self._decide()
        self._given_message = message
        self.add_attempts(attempts or ())

    def add_attempts(self, attempts):
        """This run is the last of ``attempts`` more (``Attempt``, first first): passed, it is ``flaky``."""
        self.attempts = list(attempts) + self.attempts
        if self.attempts and self.outcome == PASSED:
            self.outcome = FLAKY
            self.summary["flaky"], self.summary["passed"] = self.summary["flaky"] + self.summary["passed"], 0
        self.message = self._given_message or self._default_message()

    @property
    def retried(self):
        """Whether the flow had other attempts (``retries``): earlier runs, or a later one whose trigger failed."""
        return bool(self.attempts or self.failed_attempt)

    @property
    def attempt_count(self):
        """Every attempt of the flow: the earlier ones, this run, and the one whose trigger failed."""
        return len(self.attempts) + 1 + (1 if self.failed_attempt else 0)

    def attempts_note(self):
        """The other attempts in words: ``attempt 1 of 2 on <agent>: failed - <reason>; ...``, or ``""``."""
        count = self.attempt_count
        notes = ["attempt %d of %d on %s: %s - %s" % (number, count, attempt.where(), attempt.outcome, attempt.reason or "no details")
                 for number, attempt in enumerate(self.attempts, 1)]
        if self.failed_attempt:
            notes.append("attempt %d of %d on %s: %s" % (count, count, self.failed_attempt.where(), self.failed_attempt.not_started()))
        return "; ".join(notes)

    def failed_attempt_warning(self):
        """The warning for an attempt whose trigger failed (``None`` without one): the flow, where, what may have started."""
        if not self.failed_attempt:
            return None
        count = self.attempt_count
        return one_line("%s: attempt %d of %d on %s: %s; the flow's verdict is attempt %d's (%s, run %s)" % (
            self.items[0].flow_title or self.items[0].flow_id if self.items else "run %s" % self.run_id, count, count,
            self.failed_attempt.where(),
            self.failed_attempt.not_started(), count - 1, self.outcome, self.run_id), LINE_LIMIT * 2)

    def _decide(self):
        """``(outcome, problem)``: what ended the run early (worst first), else no flow ran, else its items."""
        early = []
        if self.error:
            early.append((ERROR, "Error"))
        if self.going:
            early.append((QUEUED if self.status == STATUS_QUEUED else RUNNING, "NotOver"))
        if self.timed_out:
            early.append((TIMED_OUT, "TimedOut"))
        if early:
            outcome = worst(outcome for outcome, problem in early)
            return outcome, dict(early)[outcome]
        if not self.items:
            return ERROR, "NoFlowRan"
        # An item that had not ended in a run that did (never seen once the waiter is done) did not pass.
        return worst(ERROR if item.outcome == RUNNING else item.outcome for item in self.items), None

    @classmethod
    def from_dict(cls, data):
        """Rebuild from ``to_dict()``'s shape (an entry of a module's ``runs``); the outcome given there stands.

        An entry without an outcome is a run that a module started without following it
        (``started``), or an item that could not be started (``error``, with its ``error``).
        Raises ``ValueError`` for an outcome that is not one of ``PRECEDENCE``.
        """
        outcome = data.get("outcome")
        if outcome is None:
            outcome = ERROR if data.get("error") else STARTED
        _outcome(outcome)
        message = data.get("message") or data.get("error")
        if outcome == STARTED and not message:
            message = "run %s was started and not followed" % data.get("run_id")
        attempts = [Attempt.from_dict(attempt) for attempt in data.get("attempts") or () if isinstance(attempt, dict)]
        failed = [attempt for attempt in attempts if attempt.error]
        attempts = [attempt for attempt in attempts if not attempt.error]
        run = cls(data.get("run_id"), status=data.get("status") if isinstance(data.get("status"), str) else None,
                  items=[ItemResult.from_dict(item) for item in data.get("run_items") or () if isinstance(item, dict)],
                  elapsed_seconds=data.get("elapsed_seconds"), queued_seconds=data.get("queued_seconds"),
                  timed_out=bool(data.get("timed_out")), going=outcome in (QUEUED, RUNNING), message=message,
                  attempts=attempts[:-1])
        run.failed_attempt = failed[-1] if failed else None
        if run.outcome != outcome:
            # Decided when the run was read; what the dict does not carry (a run-level error) made it so.
            run.outcome = outcome
            run.problem = {ERROR: "Error", STARTED: "NotFollowed"}.get(outcome, run.problem)
            if outcome == ERROR:
                run.error = message or "error"
        return run

    def _counts(self):
        parts = []
        for key, label in (("passed", "passed"), ("flaky", "flaky"), ("failed", "failed"), ("errors", "error"),
                           ("cancelled", "cancelled")):
            if self.summary[key]:
                parts.append("%d %s" % (self.summary[key], label))
        running = self.summary["total"] - sum(self.summary[key] for key in SUMMARY_KEYS[1:])
        if running:
            parts.append("%d still running" % running)
        return ", ".join(parts)

    def _default_message(self):
        if self.error:
            return "run %s: %s" % (self.run_id, self.error)
        if self.going:
            return "run %s is still going (status: %s)" % (self.run_id, self.status or "unknown")
        if self.timed_out:
            message = ("run %s did not finish within the wait timeout of %s s (last status: %s)"
                       % (self.run_id, seconds_text(self.elapsed_seconds), self.status or "unknown"))
            if self.items:
                message += "; flows so far: %s" % self._counts()
            return message
        if not self.items:
            return "run %s finished but no flow ran" % self.run_id
        if self.outcome == FLAKY:
            count = len(self.attempts) + 1
            return "run %s passed on attempt %d of %d (flaky; %s)" % (self.run_id, count, count, self.attempts_note())
        return "run %s %s: %s" % (self.run_id, "passed" if self.outcome == PASSED else "finished", self._counts())

    def to_dict(self):
        """The module's return shape for one run (with ``attempts``, every attempt's, for a re-run flow)."""
        result = {
            "run_id": self.run_id,
            "status": self.status,
            "outcome": self.outcome,
            "summary": dict(self.summary),
            "elapsed_seconds": self.elapsed_seconds,
            "queued_seconds": self.queued_seconds,
            "timed_out": self.timed_out,
            "run_items": [item.to_dict() for item in self.items],
            "message": self.message,
        }
        if self.retried:
            result["attempts"] = [attempt.to_dict() for attempt in self.attempts] + [Attempt.of(self).to_dict()]
            if self.failed_attempt:
                result["attempts"].append(self.failed_attempt.to_dict())
        return result

    def __repr__(self):
        return "RunResult(%r, %r, %r)" % (self.run_id, self.status, self.outcome)


#: What ``verdict`` decides over runs: the worst ``outcome``, the ``summary`` added up, one line per
#: flow (``lines``, what the ``run_report`` filter shows) and one per thing that did not pass in the
#: runs that are over (``failures``, a task's failure message). ``over``: a verdict (no run is
#: still going); ``passing``: a task with ``fail_on_failure`` passes.
class Verdict(collections.namedtuple("Verdict", ("outcome", "summary", "lines", "failures", "flaky"))):
    """... and ``flaky``: one line per flaky flow, naming it and what failed first (a task warns with them)."""
    __slots__ = ()

    @property
    def over(self):
        return outcome_is_over(self.outcome)

    @property
    def passing(self):
        return outcome_is_passing(self.outcome)

    def passes(self, fail_on_flaky=False):
        """Whether a task with ``fail_on_failure`` passes; ``fail_on_flaky``: a flaky flow fails it too."""
        return self.passing and not (fail_on_flaky and self.outcome == FLAKY)


def verdict(run_results):
    """The verdict over ``run_results`` (``RunResult``; ``RunResult.from_dict`` rebuilds a module's ``runs``).

    No runs give ``none``. Every module, the ``run_report`` filter, the JUnit report and
    ``rerun: failed`` take their outcome from here.
    """
    runs = list(run_results)
    summary = dict((key, sum(run.summary[key] for run in runs)) for key in SUMMARY_KEYS)
    lines = []
    flaky = []
    for run in runs:
        still_going = not outcome_is_over(run.outcome)
        for item in run.items:
            line = item.report_line(still_going)
            if run.retried:
                line = one_line("%s - %s on attempt %d of %d; %s" % (
                    line, run.outcome, len(run.attempts) + 1, run.attempt_count,
                    run.attempts_note()), LINE_LIMIT * 2)
            lines.append(line)
        if run.outcome == FLAKY:
            flaky.append(one_line("%s is flaky: it passed on attempt %d of %d; %s" % (
                run.items[0].title() if run.items else "run %s" % run.run_id, len(run.attempts) + 1, len(run.attempts) + 1,
                run.attempts_note()), LINE_LIMIT * 2))
        if not run.items:
            label = "run %s" % run.run_id if run.run_id else "not started"
            lines.append(one_line("%s: %s (%s)" % (label, run.outcome, run.message or "no flow ran"), LINE_LIMIT * 2))
    failures = _failure_lines(run for run in runs if outcome_is_over(run.outcome))
    return Verdict(worst(run.outcome for run in runs), summary, lines, failures, flaky)


def fold_attempts(run_results, chains, failed_attempts=None):
    """The runs of ``chains`` (each flow's run ids, first attempt first) as one ``RunResult`` per flow:
    its last attempt's, with the earlier ones as its ``attempts``. Runs in no chain stay as they are.

    ``failed_attempts``: ``{run id of a flow's last run: the dict of its next attempt, whose trigger
    failed}`` (``run_id``, ``agent_id``, ``agent_title``, ``error``, ``may_have_started``), its ``failed_attempt``.
    """
    by_run_id = dict((run.run_id, run) for run in run_results)
    folded, taken = [], set()
    for chain in chains:
        runs = [by_run_id[run_id] for run_id in chain if run_id in by_run_id]
        if not runs:
            continue
        runs[-1].add_attempts(Attempt.of(run) for run in runs[:-1])
        failed = (failed_attempts or {}).get(runs[-1].run_id)
        if failed:
            runs[-1].failed_attempt = Attempt.from_dict(failed)
        folded.append(runs[-1])
        taken.update(run.run_id for run in runs)
    return folded + [run for run in run_results if run.run_id not in taken]


def _failure_lines(run_results):
    """One line per thing that did not pass, for a task's failure message.

    ``"<flow> on <agent>: <Status> - <reason>"`` per item that did not pass, and a line naming
    the run id for each run that timed out, could not be followed, or ran no flow.
    """
    lines = []
    for run in run_results:
        if run.problem == "Error":
            lines.append(one_line("run %s: %s" % (run.run_id, run.error)))
        elif run.problem == "TimedOut":
            lines.append(one_line("run %s timed out after %s s (last status: %s)"
                                  % (run.run_id, seconds_text(run.elapsed_seconds), run.status or "unknown")))
        elif run.problem == "NoFlowRan":
            lines.append(one_line("run %s: no flow ran (status: %s)" % (run.run_id, run.status or "unknown")))
        for item in run.items:
            if item.passed:
                continue
            line = "%s: %s - %s" % (item.title(), item.status or "NoStatus", item.explanation())
            if run.failed_attempt:
                line = "%s (attempt %d of %d; %s)" % (line, len(run.attempts) + 1, run.attempt_count, run.attempts_note())
            elif run.attempts:
                line = "%s (the last of %d attempts; %s)" % (line, len(run.attempts) + 1, run.attempts_note())
            lines.append(one_line(line, LINE_LIMIT * 2))
    return lines
