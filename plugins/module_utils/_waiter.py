# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""Following runs to their end: one deadline, adaptive polling, many runs at once.

A run is over when its status is ``Finished`` and every one of its items has a terminal status
(the item list is read after ``Finished`` is seen, so it is complete).

``follow_runs`` is a scheduling loop. Each round it polls every run that is due, in parallel on
a thread pool, then sleeps until the next run is due or the deadline comes. Each run is polled
at once, then after the pauses of ``_deadline.backoff`` (0.5 s, growing by 30 % each time) up to
``poll_interval``; it
drops back to 0.5 s when the run's status changes (Queued to Executing, Executing to Finished).
A run is also polled on the beat, at each multiple of ``poll_interval`` from the start of the
follow-up, so that its end is never seen later than by a loop polling every ``poll_interval``
(a 5 s run at 5 s, not 6.38 s); once the pauses reach ``poll_interval``, the beat alone sets the pace.
A ``Queued`` run waits for a busy agent (an agent runs one run at a time, in the order they came).
When the caller says which agent each run was started on (``agents``: the trigger knows it), the
runs of one agent form a line in the caller's order: a run behind another followed run on its
agent is not polled at all until that run has ended (read ``Finished``), then at once. The first
run of a line that reads ``Queued`` waits for a run the waiter does not follow (someone else's):
it is polled every ``poll_interval``, and at once when a followed run whose agent is not known
ends. A queued run whose agent is not known is polled every ``poll_interval``, and at once when
a poll sees any followed run end (that may have freed its agent).
Runs executing side by side are a herd: most of them end together, and the task can return only
when the last one is seen over, so polling each of them fast spends requests that tell nothing.
``SCOUTS`` of them (the first in the caller's order) keep the fast schedule, at least every
``poll_interval * SCOUTS / herd size`` seconds (never below ``SCOUT_MIN_PAUSE``), so that together
they poll no more often than the trailing runs do; the others trail:
they are polled every ``poll_interval``, and at once when a poll sees any followed run end. So a
herd that ends together is seen over as soon as a scout sees its end, for about one status poll
per run, and a run that ends alone is still seen within ``poll_interval``. A run not polled yet
(and not waiting in line) is presumed to execute with the herd: at the start only the scouts are
polled, and when a first poll reads anything but an executing run (over already, queued, not
known yet), every run still presumed is polled at once.
Runs that ``on_over`` starts on an agent the caller names in ``agents`` (an agent pool's next
flow, on the agent whose run just ended) start at once and run alone there, so what the task has
seen tells when they are likely to end: the durations of the runs seen over so far (from their
start, refined by a one-item run's ``ElapsedSeconds``). Such a run is not polled at once nor on the
backoff, and is not part of the herd: it is polled at the moments ``poll_plan`` picks among those
durations (where a poll saves more than ``SECONDS_PER_POLL`` seconds of delay in seeing its end, on
average), and on its beat; past the plan's last moment (longer than every run seen), on the
backoff, its pauses starting at 30 % of the time it has run. So a pool of flows of one duration
hands over as soon as the trigger is sent, for one status read per run. A planned run that reads
``Queued`` (someone else's run took the agent) is followed as any queued run.
A poll reads the run status alone. The items (their ids, then each item not ended yet) are
read when they can matter: once the run is ``Finished`` (until every item has ended), at the
deadline (so that a run that times out is reported with its items), and every
``ITEM_REFRESH_SECONDS`` while it executes (so that a long run's items stay roughly current).
The item list read after the status says ``Finished`` is complete; a run may read ``Finished`` a
moment before its last item is final (the finish lag), and from then on only the items not final
yet are read: ``SETTLE_SECONDS`` (0.4 s) after the read that saw ``Finished`` (counted from that
read, not from the end of its round), then after pauses of ``_deadline.SETTLE_DELAY`` (0.05 s)
doubling up to ``poll_interval``, and on the beat. The task returns when the last item of all is
seen final, so the reads wait for most of the lag to pass, then come close together: a herd
whose items turn final over half a second after its end is seen over about 0.05-0.1 s after the
last of them, for a few item reads more than one read 0.5 s later would take (about 0.1 a run in
the role's benchmark); a single run whose item lags 0.1 s is seen over 0.3 s after, 0.49 s: 0.06 s.
Keyframes are read once, for items that ended without passing. A short run is noticed within
about a second; a long one costs one request every ``poll_interval`` seconds, plus an item
read every ``ITEM_REFRESH_SECONDS``.

The deadline (the task's ``Deadline``) holds whatever the controller does. The waiter is the only
retry layer while following: it hands the deadline to the client, which sends each read once
(``retry=False``) with its timeout
clipped to what remains (``DeadlineReached`` when nothing does), and a failed read is simply
tried again at the next poll (after ``Retry-After`` when the controller asked for a pause). At
the deadline every run still going gets one last look, bounded by ``last_look_seconds`` (the
request timeout); then the runs still going are asked to stop, within ``STOP_SECONDS``.
Following therefore ends within ``wait_timeout + request_timeout + STOP_SECONDS`` plus one
``MIN_REQUEST_TIMEOUT``.

The clock and the sleep are injected, so that tests run on fake time.
"""

import collections
import concurrent.futures
import itertools
import math
import time

from ansible_collections.leapops.leapwork.plugins.module_utils._deadline import (
    BACKOFF_FACTOR,
    FIRST_DELAY,
    SETTLE_DELAY,
    SETTLE_FACTOR,
    Deadline,
    backoff,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    DeadlineReached,
    LeapworkConnectionError,
    LeapworkError,
    UnexpectedAnswer,
    one_line,
    seconds_text,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._http_status import WAIT_OUT, has_policy, not_registered_yet
from ansible_collections.leapops.leapwork.plugins.module_utils._results import (
    PASSED,
    ItemResult,
    RunResult,
    check_done_status_as,
    is_over,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._statuses import STATUS_FINISHED, STATUS_QUEUED

#: The smallest ``poll_interval`` accepted: polling faster than the first pause only loads the controller.
MIN_POLL_INTERVAL = FIRST_DELAY
#: Seconds allowed, once the deadline has passed, to ask the controller to stop the runs still going.
STOP_SECONDS = 2.5
#: How long the last look at the deadline may take when the caller does not say (the default request timeout).
DEFAULT_LAST_LOOK_SECONDS = 30.0
#: How many runs of a herd (runs executing side by side) keep the fast schedule; the others trail.
SCOUTS = 2
#: The shortest pause between two polls of a scout (a herd of 40 runs or more at poll_interval 5).
SCOUT_MIN_PAUSE = 0.25
#: While a run executes, its items are read again at most this often (seconds).
ITEM_REFRESH_SECONDS = 120.0
#: A run may read Finished a moment before its last item is final (the finish lag): an item not
#: final at the read that saw Finished is read again this many seconds after that read, then
#: after the pauses of ``_deadline.SETTLE_DELAY`` doubling (see the module docstring).
SETTLE_SECONDS = 0.4
#: What one poll of a planned run costs, in seconds of delay in seeing its end (``poll_plan``): a poll
#: is planned where it saves more than this much delay on average.
SECONDS_PER_POLL = 0.3
#: Durations within this many seconds of the shortest of them are one likely end for ``poll_plan``:
#: polled once, at the longest.
PLAN_TOLERANCE = 0.1
#: ``poll_plan`` learns from the durations of this many runs seen over last (it stays quick in a long task).
PLAN_MEMORY = 64

DEFAULT_WAIT_TIMEOUT = 3600
DEFAULT_POLL_INTERVAL = 5.0
DEFAULT_GRACE_SECONDS = 30.0
DEFAULT_MAX_WORKERS = 8


def is_transient(error):
    """Whether ``error`` is worth waiting out: no answer, an answer we cannot understand, or a status
    that ``_http_status`` says to wait out (every 5xx among them)."""
    if isinstance(error, (LeapworkConnectionError, UnexpectedAnswer)):
        return True
    return has_policy(getattr(error, "status", None), WAIT_OUT)


def _http_status(error):
    status = getattr(error, "status", None)
    return status if isinstance(status, int) else None


class _RunFollower(object):
    """The state of one run being followed. Polled by one thread at a time."""

    def __init__(self, run_id, started_at, poll_interval, grace_seconds, done_status_as, deadline=None, agent=None,
                 plan=None):
        self.run_id = run_id
        self.agent = agent  # the id of the agent the run was started on (lower case), None when not known
        self.in_line = False  # behind another followed run on its agent: not polled until that one has ended
        self.started_at = started_at
        self.deadline = deadline  # polls from then on read the items: they make the timed-out report
        self.poll_interval = poll_interval
        self.grace_seconds = grace_seconds
        self.done_status_as = done_status_as
        self.status = None
        self.seen = False  # the controller answered for this run at least once
        self.item_ids = []
        self.item_list_final = False  # the item ids were read after the status said Finished
        self.items = {}  # run_item_id -> ItemResult (last read)
        self.keyframes_read = set()
        self.finished = False  # Finished, and every item has ended (its log may still be unread)
        self.over = False
        self.ended_at = None
        self.error = None  # run-level problem that ended the follow-up
        self.queued_seconds = 0.0
        self.queued_since = None
        self.failed_polls = 0
        self.good_polls = 0
        self.failing_since = None  # when the current streak of failed polls began
        self.last_failure = None
        self.retry_after = None  # the pause the controller asked for in its last failed answer
        self.last_polled_at = None
        self.items_read_at = None  # when the items were last read (None: never)
        self.next_due = started_at
        self.end_seen_at = None  # when a poll saw the status turn Finished (it was not at the poll before)
        self.finished_read_at = None  # when a poll first read the status Finished
        self.going_read_at = None  # when a poll last read the status not Finished (Executing, Queued)
        self.was_queued = False  # a poll read it Queued: its duration is not the time since it was started
        # Seconds after started_at at which to poll (``poll_plan``), for a run started during the follow-up
        # on an agent of ours; None: the usual schedule (at once, then the backoff, the herd, the beat).
        self.planned = plan is not None
        self._plan = collections.deque(plan or ())
        self._tail = self.planned  # once the plan is done, the backoff starts from the time run so far
        self.trailing = False  # in a herd, not scouting: polled every poll_interval and woken by ends
        self.woken = False  # due ahead of its own schedule because another followed run was seen over
        self._operation = "run"
        self._delays = backoff(poll_interval)
        self._backoff_at = None  # when the backoff polls next (a poll on the beat leaves it)
        self._on_beat = False  # the next poll is planned on the beat, before the backoff's
        self._settle_at = None  # once the item list is final (Finished was read): when the items are read next
        self._settle_pauses = backoff(poll_interval, first=SETTLE_DELAY, factor=SETTLE_FACTOR)
        if self._plan:
            self.next_due = min(started_at + self._plan[0], started_at + poll_interval)

    # ---------------------------------------------------------------- one poll
    def poll(self, client, now, reads=None):
        """Read the run (and its items when they matter); return whether its status changed.

        ``reads`` (``deadline``, ``retry``) go to every read (``None``: the client retries on its own,
        under its own deadline). Raises only errors that end everything.
        """
        changed = False
        self._operation = "run"
        self.retry_after = None
        try:
            changed = self._read(client, now, reads or {})
        except DeadlineReached as error:
            # Out of time within this poll: what was read stands, the rest is not known. A run
            # never read at all has nothing to stand on: it counts as a failed poll.
            if not self.seen:
                self.failed_polls += 1
                self.last_failure = error
                if self.failing_since is None:
                    self.failing_since = now
        except LeapworkError as error:
            self._failed(error, now)
        else:
            self.failing_since = None
            self.good_polls += 1
        self.last_polled_at = now
        return changed

    def _read(self, client, now, reads):
        changed = False
        if not self.item_list_final:
            status = client.run_status(self.run_id, **reads)
            changed = status != self.status
            if status == STATUS_FINISHED and self.status not in (None, STATUS_FINISHED):
                self.end_seen_at = now
            if status == STATUS_FINISHED:
                self.finished_read_at = self.finished_read_at if self.finished_read_at is not None else now
            else:
                self.going_read_at = now
                self.was_queued = self.was_queued or status == STATUS_QUEUED
            self._track_queue(status, now)
            self.status = status
            self.seen = True
            if not self._items_matter(status, now):
                return changed
            self._read_item_ids(client, now, reads)
            # Read after a status that says Finished, the list is complete: from now on only the
            # items not final yet are read (a run may read Finished a moment before its last item).
            self.item_list_final = status == STATUS_FINISHED
            if self.item_list_final:
                self._settle_at = now + SETTLE_SECONDS
        self._read_items(client, reads)
        self.finished = is_over(self.status, [self.items[run_item_id] for run_item_id in self.item_ids])
        for run_item_id in self.item_ids:
            item = self.items[run_item_id]
            if item.terminal and not item.passed and run_item_id not in self.keyframes_read:
                self._read_keyframes(client, item, reads)
        if self.finished and all(self.items[run_item_id].passed or run_item_id in self.keyframes_read
                                 for run_item_id in self.item_ids):
            self._end(now)
        return changed

    def _items_matter(self, status, now):
        """Whether this poll reads the items, besides the status (see the module docstring)."""
        if status == STATUS_FINISHED or (self.deadline is not None and now >= self.deadline):
            return True
        if status == STATUS_QUEUED:
            return False  # a queued run has no items
        if self.items_read_at is None:
            # Counted from when the run is first seen executing: a short run is read once, at its end.
            self.items_read_at = now
            return False
        return now - self.items_read_at >= ITEM_REFRESH_SECONDS

    def _read_item_ids(self, client, now, reads):
        self.items_read_at = now
        # Read after the status, so that the list is complete once the status says Finished.
        for run_item_id in client.run_item_ids(self.run_id, **reads):
            if run_item_id not in self.items and run_item_id not in self.item_ids:
                self.item_ids.append(run_item_id)

    def _read_items(self, client, reads):
        """Read each item not final yet."""
        self._operation = "item"
        for run_item_id in self.item_ids:
            known = self.items.get(run_item_id)
            if known is None or not known.terminal:
                item = ItemResult.from_run_item(client.run_item(run_item_id, **reads), self.done_status_as,
                                                run_item_id=run_item_id)
                item.run_item_id = run_item_id  # the id we asked for is the one we track
                self.items[run_item_id] = item

    def _read_keyframes(self, client, item, reads):
        try:
            raw = client.keyframes(item.run_item_id, **reads)
        except LeapworkError as error:
            if _http_status(error) == 404:
                raw = []  # the item has no log (or it was cleaned up): report it without one
            elif is_transient(error):
                # Tried again next poll; a finished run does not wait for its log past the deadline.
                self.failed_polls += 1
                self.last_failure = error
                return
            else:
                raise
        item.set_keyframes(raw)
        self.keyframes_read.add(item.run_item_id)

    def _track_queue(self, status, now):
        if status == STATUS_QUEUED and self.queued_since is None:
            # Counted from the start of the follow-up when the very first answer says Queued.
            self.queued_since = self.started_at if not self.seen else now
        elif status != STATUS_QUEUED and self.queued_since is not None:
            self.queued_seconds += now - self.queued_since
            self.queued_since = None

    def _failed(self, error, now):
        status = _http_status(error)
        self.failed_polls += 1
        self.last_failure = error
        self.retry_after = error.retry_after
        if self.failing_since is None:
            self.failing_since = now
        if not self.seen and not_registered_yet(status, now - self.started_at, self.grace_seconds):
            # Right after a run is created the controller may not know it yet. Once it has
            # answered for the run, a 404 means the run is gone (a restart), not "not yet".
            return
        if status == 404 and self._operation == "run":
            if self.seen:
                self._end(now, "no longer known to the controller (404); was the controller restarted?")
            else:
                self._end(now, "not known to the controller (404) %s seconds after the wait began"
                          % seconds_text(now - self.started_at))
            return
        if is_transient(error) or status == 404:
            # A 404 for an item of a run that answers is a passing inconsistency: read it again next time.
            return
        if error.run_id is None:
            error.run_id = self.run_id
        raise error

    def _end(self, now, error=None):
        self.error = error
        self.over = True
        self.ended_at = now

    def duration(self):
        """Seconds from ``started_at`` to the run's end, as its polls and its item tell; ``None`` when they
        do not say (it read Queued, it ended in an error, no poll read it Finished).

        The end came after the last poll that read the run going and by the first that read it
        Finished; a run of one item ended when the item's ``ElapsedSeconds`` say, within those bounds.
        """
        if self.finished_read_at is None or self.was_queued or self.error is not None:
            return None
        latest = self.finished_read_at - self.started_at
        earliest = self.going_read_at - self.started_at if self.going_read_at is not None else 0.0
        if len(self.item_ids) == 1:
            item = self.items.get(self.item_ids[0])
            if item is not None and item.elapsed_seconds is not None:
                return min(latest, max(earliest, item.elapsed_seconds))
        return latest

    # ---------------------------------------------------------------- scheduling
    def schedule(self, changed, now):
        """Plan the next poll; ``changed``: the run's status changed, so polls come fast again."""
        self.woken = False
        if self.item_list_final:
            self._settle(now)
            return
        if changed:
            self._delays = backoff(self.poll_interval)
        on_beat, self._on_beat = self._on_beat, False
        if self.status == STATUS_QUEUED:
            # Queued: every agent it needs is busy. It starts when one frees up, which wake() catches
            # for the runs followed here; the others are noticed by this slow poll.
            self.next_due = now + max(self.poll_interval, self.retry_after or 0.0)
            # It did not start when it was started: the plan's moments say nothing, it is followed as
            # any queued run (and as any run once it executes: the backoff from its first pause).
            self._plan.clear()
            self._tail = False
            return
        while self._plan and self.started_at + self._plan[0] <= now:
            self._plan.popleft()
        if self._plan:
            # Planned (see poll_plan): the next likely end, or the beat, whichever comes first.
            self.next_due = max(min(self.started_at + self._plan[0], self._next_beat(now)), now + (self.retry_after or 0.0))
            return
        if self._tail:
            # Longer than every run seen over: from the plan's last moment on, the backoff, its pauses
            # starting at the share of the time run so far by which they grow.
            self._tail = False
            self._delays = backoff(self.poll_interval, first=max(FIRST_DELAY, min(
                self.poll_interval, (BACKOFF_FACTOR - 1.0) * (now - self.started_at))))
        if changed or not on_beat or self._backoff_at is None or self._backoff_at <= now:
            delay = next(self._delays)
            # Once the pauses reach poll_interval, the beat alone sets the pace.
            self._backoff_at = now + delay if delay < self.poll_interval else float("inf")
        beat = self._next_beat(now)
        if self.retry_after:
            # The controller's Retry-After (capped by the client) wins; the deadline still cuts it short.
            self.next_due = max(min(self._backoff_at, beat), now + self.retry_after)
            self._on_beat = False
            return
        # A beat less than FIRST_DELAY before the backoff's next poll would only duplicate it.
        self._on_beat = beat < self._backoff_at - FIRST_DELAY
        self.next_due = beat if self._on_beat else self._backoff_at

    def _settle(self, now):
        """Finished, an item not final yet (or a failure log not read yet): only the items are read
        again, first SETTLE_SECONDS after the read that saw Finished (counted from that read, not
        from the end of its round, which may have taken a while), then after pauses from
        SETTLE_DELAY doubling up to poll_interval, and on the beat."""
        due = self._settle_at
        if due <= now:
            due = now + next(self._settle_pauses)
        self.next_due = max(min(due, self._next_beat(now)), now + (self.retry_after or 0.0))

    def _next_beat(self, now):
        """The first multiple of ``poll_interval`` after ``now``, counted from the start of the follow-up.

        A run that executes is polled at each of them as well as on the backoff (a poll on the
        beat leaves the backoff's next poll where it was): its end is never seen later than by a
        loop polling every ``poll_interval`` from the start (a 5 s run at 5 s rather than 6.38 s),
        for one poll more at each beat the backoff has not reached yet (3 at ``poll_interval`` 5);
        once the backoff's pauses reach ``poll_interval``, the run is polled on the beat alone.
        """
        beats = math.floor((now - self.started_at) / self.poll_interval + 1e-9) + 1
        return self.started_at + beats * self.poll_interval

    def wake(self, now, round_began, end_in_round, any_agent_freed):
        """A followed run was seen over in the round that began at ``round_began``: poll at once a
        trailing run not polled in that round (its herd may be over), and a queued run when the end
        may have freed its agent (``any_agent_freed``: a run whose agent is not known ended; a run
        whose agent is not known may need the agent of any run), even one polled in that round when
        the end may have come during it (``end_in_round``): its answer may predate the end. A run
        waiting in line is left to its line (``leave_line``)."""
        if self.over or self.retry_after is not None or self.in_line:
            return
        polled_in_round = self.last_polled_at == round_began
        agent_freed = any_agent_freed or self.agent is None
        if (self.status == STATUS_QUEUED and agent_freed and (end_in_round or not polled_in_round)) or (
                self.trailing and not polled_in_round):
            self.next_due = min(self.next_due, now)
            self.woken = True

    def wake_presumed(self, now):
        """A first poll of another run did not read it executing: this one may not be either, read it now."""
        self.next_due = min(self.next_due, now)
        self.woken = True

    def left_agent(self):
        """Whether the run no longer holds nor waits for its agent: it ended (or its follow-up did)."""
        return self.over or self.status == STATUS_FINISHED

    def wait_in_line(self):
        """Behind another followed run on its agent: it cannot start before that one ends (an agent
        runs one run at a time, in the order they came), so it is not polled until then."""
        self.in_line = True
        self.next_due = float("inf")

    def leave_line(self, now):
        """Every followed run ahead of it on its agent has ended: it may be starting, poll it at once."""
        self.in_line = False
        self.next_due = min(self.next_due, now)
        self.woken = True

    def in_herd(self):
        """Whether this run executes (seen, neither queued nor finished, not over), or is presumed to:
        never polled yet and not waiting in line (see ``follow_runs``)."""
        if self.over or self.in_line or self.planned:
            return False
        if not self.seen:
            return self.last_polled_at is None
        return self.status not in (STATUS_QUEUED, STATUS_FINISHED)

    def presumed(self):
        """Presumed to execute with the herd: never polled, not waiting in line, not planned, not over."""
        return self.last_polled_at is None and not self.in_line and not self.planned and not self.over

    def scout(self, longest_pause):
        """Keep the fast schedule, polled at least every ``longest_pause`` seconds (``None``: no bound)."""
        if self.trailing and self.last_polled_at is not None:
            # It trailed until now, on poll_interval: a scout ended, so its next poll comes soon again.
            self.next_due = min(self.next_due, self.last_polled_at + FIRST_DELAY)
            self.woken = True
        elif self.last_polled_at is None:
            self.next_due = min(self.next_due, self.started_at)  # never polled: at once
        self.trailing = False
        if longest_pause is not None and self.retry_after is None and self.last_polled_at is not None:
            self.next_due = min(self.next_due, self.last_polled_at + longest_pause)

    def trail(self):
        """Polled every ``poll_interval`` only (and woken when a followed run ends): a scout watches the herd."""
        self.trailing = True
        # Never polled: presumed to execute with the herd, first polled after poll_interval (or when woken).
        last = self.started_at if self.last_polled_at is None else self.last_polled_at
        self.next_due = max(self.next_due, last + self.poll_interval)

    def leave_herd(self):
        self.trailing = False

    # ---------------------------------------------------------------- result
    def result(self, now, timed_out=False, stop_note=None, going=False):
        """``timed_out``: the wait ended before the run; ``going``: it was read once and is not over."""
        ended_at = self.ended_at if self.ended_at is not None else now
        queued = self.queued_seconds
        if self.queued_since is not None:
            queued += ended_at - self.queued_since
        items = [self.items.get(run_item_id) or ItemResult(run_item_id, done_status_as=self.done_status_as)
                 for run_item_id in self.item_ids]
        error = self.error
        # Every error that ends a follow-up is a failure to read the run (gone, unknown), not a verdict.
        unreadable = error is not None
        if (timed_out or going) and self.failing_since is not None:
            unreadable = True
            polls = "%d failed poll%s" % (self.failed_polls, "" if self.failed_polls == 1 else "s")
            if not self.good_polls:
                error = "the controller answered only with errors (%s; last: %s)" % (polls, one_line(self.last_failure))
            else:
                error = ("the controller answered only with errors from %s seconds into the wait until its timeout "
                         "(%s in all; last: %s)"
                         % (seconds_text(self.failing_since - self.started_at), polls, one_line(self.last_failure)))
        result = RunResult(self.run_id, status=self.status, items=items, elapsed_seconds=ended_at - self.started_at,
                           queued_seconds=queued, timed_out=timed_out, error=error, unreadable=unreadable, going=going)
        if stop_note:
            result.message = "%s; %s" % (result.message, stop_note)
        return result


#: One run followed across calls by a caller that runs its own loop (the EDA event source
#: ``run_events``): ``poll(client, now)`` again and again until ``over``, then ``result(ended_at)``.
RunFollower = _RunFollower


def wait_problem(wait_timeout, poll_interval):
    """A message naming ``wait_timeout`` or ``poll_interval`` when it is out of bounds, else ``None``.

    The modules check their options with it before any request; ``follow_runs`` raises it.
    """
    if not wait_timeout >= 0:
        return "wait_timeout must be 0 or more seconds, got %s" % wait_timeout
    if not poll_interval >= MIN_POLL_INTERVAL:
        return "poll_interval must be at least %s seconds, got %s" % (MIN_POLL_INTERVAL, poll_interval)
    return None


def _check_arguments(wait_timeout, poll_interval, max_workers, grace_seconds, done_status_as):
    check_done_status_as(done_status_as)
    for name, value in (("wait_timeout", wait_timeout), ("poll_interval", poll_interval), ("grace_seconds", grace_seconds)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("%s must be a number of seconds, got %r" % (name, value))
    problem = wait_problem(wait_timeout, poll_interval)
    if problem:
        raise ValueError(problem)
    if not grace_seconds >= 0:
        raise ValueError("grace_seconds must be 0 or more seconds, got %r" % (grace_seconds,))
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise ValueError("max_workers must be 1 or more, got %r" % (max_workers,))


def poll_plan(durations, seconds_per_poll=SECONDS_PER_POLL):
    """When to poll a run (seconds from its start) whose duration is likely one of ``durations`` (those of
    the runs seen over so far in the task, the last ``PLAN_MEMORY`` of them); ``[]`` when none are known.

    Each duration seen (durations within ``PLAN_TOLERANCE`` are one, at the longest) is as likely as
    it was frequent, and the run may take longer than all of them as likely as once more. The plan is
    the set of those moments that makes the delay in seeing the run's end plus ``seconds_per_poll`` per
    poll smallest on average (a dynamic programme over the moments, in order): a duration seen often
    gets a poll of its own, a rare one may be seen by the poll at the next. After its last moment the
    run is polled on the backoff (see ``_RunFollower.schedule``), and always on the beat.
    """
    ends, weights = [], []
    shortest = None  # the shortest duration of the last group
    for duration in sorted(durations[-PLAN_MEMORY:]):
        if ends and duration - shortest <= PLAN_TOLERANCE:
            ends[-1] = duration
            weights[-1] += 1.0
        else:
            shortest = duration
            ends.append(duration)
            weights.append(1.0)
    # Running sums over ends[:index]: the weights, and the weights times the ends.
    weight_sums, moment_sums = [0.0], [0.0]
    for end, weight in zip(ends, weights):
        weight_sums.append(weight_sums[-1] + weight)
        moment_sums.append(moment_sums[-1] + weight * end)
    unseen = 1.0  # a run longer than every one seen, as likely as one more of them (weights are counts)
    # best[first]: (the least cost of the runs still going after ends[first - 1], the index of the next poll).
    best = [(0.0, None)] * (len(ends) + 1)
    for first in range(len(ends) - 1, -1, -1):
        going = weight_sums[-1] - weight_sums[first] + unseen  # the runs the next poll reads
        choice = None
        for poll in range(first, len(ends)):
            # Every run that ends from ends[first] to ends[poll] is seen at ends[poll].
            delay = ends[poll] * (weight_sums[poll + 1] - weight_sums[first]) - (moment_sums[poll + 1] - moment_sums[first])
            cost = delay + seconds_per_poll * going + best[poll + 1][0]
            if choice is None or cost < choice[0]:
                choice = (cost, poll)
        best[first] = choice
    plan = []
    index = 0
    while index < len(ends):
        index = best[index][1]
        plan.append(ends[index])
        index += 1
    return plan


def _poll_round(pool, client, followers, now, reads):
    """Poll ``followers`` in parallel; raise the first fatal error (in input order) once all are back."""
    futures = [pool.submit(follower.poll, client, now, reads) for follower in followers]
    changes = []
    fatal = None
    for future in futures:
        try:
            changes.append(future.result())
        except LeapworkError as error:
            changes.append(False)
            if fatal is None:
                fatal = error
    if fatal is not None:
        raise fatal
    return changes


def _form_herd(followers, poll_interval):
    """Split the executing runs into scouts and trailing runs (see the module docstring)."""
    herd = []
    for follower in followers:
        if follower.in_herd():
            herd.append(follower)
        else:
            follower.leave_herd()
    longest_pause = max(SCOUT_MIN_PAUSE, poll_interval * SCOUTS / len(herd)) if len(herd) > SCOUTS else None
    for position, follower in enumerate(herd):
        if position < SCOUTS:
            follower.scout(longest_pause)
        else:
            follower.trail()


def _agent_of(agents, run_id):
    """The agent ``agents`` names for ``run_id``, lower case (ids compare without case); ``None`` when not known."""
    agent = agents.get(run_id)
    return agent.lower() if agent else None


def _agent_lines(followers):
    """Agent id -> the followed runs started on it, in the caller's order; every run but the first
    of each line waits in line (see ``_RunFollower.wait_in_line``)."""
    lines = {}
    for follower in followers:
        if follower.agent is not None:
            lines.setdefault(follower.agent, collections.deque()).append(follower)
    for line in lines.values():
        for follower in itertools.islice(line, 1, None):
            follower.wait_in_line()
    return lines


def _advance_lines(lines, polled, now):
    """Drop the runs that have left their agent from the front of the lines of the ``polled`` runs;
    the run now first in such a line is polled at once."""
    for agent in set(follower.agent for follower in polled if follower.agent is not None):
        line = lines[agent]
        moved = False
        while line and line[0].left_agent():
            line.popleft()
            moved = True
        if moved and line and line[0].in_line:
            line[0].leave_line(now)


def _follow_started(run_ids, now, durations, followers, ordered, followed, agents, lines, settings):
    """Follow the runs ``on_over`` started at ``now`` (``settings``: what every follower takes). A run on an
    agent of ours that is free (``agents`` says which; its run just ended) starts at once and runs alone
    there: it is polled on the plan the durations seen so far make (``poll_plan``), not at once and on
    the backoff; a run whose agent is not known is followed like those given at the start."""
    poll_interval, grace_seconds, done_status_as, ends_at = settings
    for run_id in run_ids:
        if run_id in followers:
            continue
        agent = _agent_of(agents, run_id)
        line = lines.setdefault(agent, collections.deque()) if agent is not None else None
        # Behind another followed run on its agent, it starts when that one ends: its line says when.
        in_line = line is not None and any(not ahead.left_agent() for ahead in line)
        plan = poll_plan(durations) if line is not None and not in_line else None
        follower = _RunFollower(run_id, now, poll_interval, grace_seconds, done_status_as, ends_at, agent=agent,
                                plan=plan or None)
        followers[run_id] = follower
        ordered.append(follower)
        followed.append(run_id)
        if line is not None:
            if in_line:
                follower.wait_in_line()
            line.append(follower)


def _stop(client, follower, deadline):
    try:
        completed = client.stop_run(follower.run_id, deadline=deadline, retry=False)
    except DeadlineReached:
        return "did not ask the controller to stop it: the %s s allowed for stopping runs had passed" % seconds_text(STOP_SECONDS)
    except LeapworkError as error:
        return "could not stop it: %s" % one_line(error)
    if completed:
        return "asked the controller to stop it"
    return "asked the controller to stop it, but it did not confirm (OperationCompleted: false)"


def follow_runs(client, run_ids, wait_timeout, poll_interval=DEFAULT_POLL_INTERVAL, done_status_as=PASSED,
                clock=time.monotonic, sleep=time.sleep, max_workers=DEFAULT_MAX_WORKERS,
                grace_seconds=DEFAULT_GRACE_SECONDS, stop_on_timeout=False,
                last_look_seconds=DEFAULT_LAST_LOOK_SECONDS, retry_reads=False, snapshot=False, on_over=None,
                agents=None, deadline=None, interrupted=None):
    """Follow runs until each is over or the deadline comes; one ``RunResult`` per run id, in order.

    ``deadline`` (a ``_deadline.Deadline`` on ``clock``) is the task's: one deadline for all runs
    (every run is read at least once, even when it has passed). Without it, the deadline is
    ``wait_timeout`` seconds from now.
    ``poll_interval`` is the slowest polling rate. Runs not over at the deadline end ``timed_out``
    with what was seen so far; with ``stop_on_timeout`` the controller is asked to stop them first
    (a failure to stop is reported in the run's message, not raised).

    During ``grace_seconds`` after the follow-up starts, 404 and 500 answers for a run the
    controller has not answered for yet mean that it is not registered yet. Transient failures
    (no answer, 5xx, 408, 429, 448, 455) are waited out until the deadline. A 404 for a run that
    was seen before (a controller restart), or for any run after the grace period, ends that run
    with an ``error`` outcome. Answers that cannot be understood (a proxy's HTML page, JSON of the
    wrong shape) are waited out like a 502. Any other error (401, 403, ...) is raised as the
    ``LeapworkError`` it is. A run id given twice is followed once.

    The deadline is handed to every request (see the module docstring); the last look at the
    deadline may take ``last_look_seconds`` more (pass the client's request timeout). With
    ``retry_reads`` the client retries each read on its own instead, under its own (the task's)
    deadline: for a
    single read (``wait_timeout`` 0) where nothing else would wait out a failure. With
    ``snapshot`` (a single read, no wait) a run not over is reported as still going (outcome
    ``queued`` or ``running``), not as timed out, and nothing is stopped.

    ``on_over(result)``, when given, is called with the ``RunResult`` of each run seen over (or
    finished) before the deadline, as soon as it is seen, and returns the ids of runs to follow
    from then on (the runs it started: an agent pool's next flows, a failed flow's next attempt);
    their results follow those of ``run_ids``, in the order they came.

    ``agents`` maps run ids to the id of the agent each run was started on, when the caller knows
    it (``flow_run``'s ``runs``): a queued run is then polled when the followed run ahead of it on
    its agent has ended, not on every end (see the module docstring). It is read again for each run
    ``on_over`` starts (a ``_pool.Dispatcher`` adds its runs as it starts them): such a run on a known
    agent is polled on the plan the durations seen so far make (see the module docstring). Runs not
    in it are followed as before.

    ``interrupted`` (``_interrupt.Interrupt.check``) returns why the task was interrupted, or
    ``None``; it is asked before each round and after each sleep (pass that interrupt's ``sleep``
    too, so that a signal cuts the sleep short). Once it answers, the wait ends at once, without a
    last look: the runs not over end ``timed_out``, their message saying so, and with
    ``stop_on_timeout`` the controller is asked to stop them.
    """
    _check_arguments(wait_timeout, poll_interval, max_workers, grace_seconds, done_status_as)
    run_ids = list(run_ids)
    started_at = clock()
    if deadline is None:
        deadline = Deadline(wait_timeout, clock)
    if deadline.at is None:
        raise ValueError("following runs needs a deadline that comes")
    ends_at = deadline.at
    agents = agents if agents is not None else {}
    followers = {}
    for run_id in run_ids:
        if run_id not in followers:
            followers[run_id] = _RunFollower(run_id, started_at, poll_interval, grace_seconds, done_status_as, ends_at,
                                             agent=_agent_of(agents, run_id))
    if not followers:
        return []
    ordered = list(followers.values())
    handed_over = set()  # runs whose end on_over was told of
    durations = []  # of the runs handed over (seconds from their start; see _RunFollower.duration)
    lines = _agent_lines(ordered)
    _form_herd(ordered, poll_interval)
    results = {}
    reason = None
    workers = min(max_workers, len(ordered)) if on_over is None else max_workers
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        final_round_done = False
        while True:
            reason = interrupted() if interrupted is not None else None
            if reason:
                break
            now = clock()
            pending = [follower for follower in ordered if not follower.over]
            read_deadline = deadline
            if now >= ends_at and not final_round_done:
                # One last look at the deadline, so that a run that just ended is not reported as timed out.
                due = [follower for follower in pending if follower.last_polled_at is None or follower.last_polled_at < ends_at]
                final_round_done = True
                read_deadline = deadline.later(last_look_seconds)
            else:
                due = [follower for follower in pending if follower.next_due <= now]
            if due:
                first_polls = [follower for follower in due if follower.last_polled_at is None]
                # A single read lets the client retry under its own deadline; following sends each read once.
                reads = dict(retry=True) if retry_reads else dict(deadline=read_deadline, retry=False)
                changes = _poll_round(pool, client, due, now, reads)
                polled_at = clock()
                ends = [follower for follower in due if follower.end_seen_at == now]
                # A run polled because another one ended (a trailing run of the same herd, most
                # likely) ended before this round too: the runs polled in this round know of it.
                end_in_round = any(not follower.woken for follower in ends)
                for follower, changed in zip(due, changes):
                    follower.schedule(changed, polled_at)
                if on_over is not None and polled_at < ends_at:
                    over = [follower for follower in due
                            if (follower.over or follower.finished) and follower.run_id not in handed_over]
                    handed_over.update(follower.run_id for follower in over)
                    durations.extend(duration for duration in (follower.duration() for follower in over) if duration is not None)
                    for follower in over:
                        started = on_over(follower.result(follower.ended_at if follower.over else polled_at))
                        _follow_started(started, clock(), durations, followers, ordered, run_ids, agents, lines,
                                        (poll_interval, grace_seconds, done_status_as, ends_at))
                _form_herd(ordered, poll_interval)
                if any(not follower.in_herd() for follower in first_polls if not follower.planned):
                    # A first poll that does not read the run executing (over already, queued, not
                    # known yet): the runs presumed to execute with it may not either; read them now.
                    for follower in ordered:
                        if follower.presumed():
                            follower.wake_presumed(polled_at)
                _advance_lines(lines, due, polled_at)
                if ends:
                    any_agent_freed = any(follower.agent is None for follower in ends)
                    for follower in ordered:
                        follower.wake(polled_at, now, end_in_round, any_agent_freed)
                pending = [follower for follower in ordered if not follower.over]
            if not pending:
                break
            now = clock()
            if now >= ends_at and final_round_done:
                break
            wake_at = min(min(follower.next_due for follower in pending), ends_at)
            if wake_at > now:
                sleep(wake_at - now)

        now = clock()
        # A finished run whose failure logs could not be read is reported without them, not as timed out.
        timed_out = [follower for follower in ordered if not follower.over and not follower.finished]
        stop_notes = {}
        if timed_out and stop_on_timeout and not snapshot:
            stop_deadline = Deadline(STOP_SECONDS, clock)
            futures = [(follower, pool.submit(_stop, client, follower, stop_deadline)) for follower in timed_out]
            for follower, future in futures:
                stop_notes[follower.run_id] = future.result()
    for follower in ordered:
        if follower.over:
            results[follower.run_id] = follower.result(follower.ended_at)
        elif follower.finished:
            results[follower.run_id] = follower.result(now)
        else:
            results[follower.run_id] = follower.result(now, timed_out=not snapshot, going=snapshot,
                                                       stop_note=stop_notes.get(follower.run_id))
            if reason:
                result = results[follower.run_id]
                result.message = "run %s was still going when the task was interrupted (%s) after %s s (last status: %s)%s" % (
                    follower.run_id, reason, seconds_text(now - started_at), result.status or "unknown",
                    "; " + stop_notes[follower.run_id] if follower.run_id in stop_notes else "")
    return [results[run_id] for run_id in run_ids]
