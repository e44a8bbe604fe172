# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the waiter, on fake time against a scripted fake controller (no sleeps, no network)."""

import itertools
import random
import re
import threading

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError, LeapworkHTTPError
from ansible_collections.leapops.leapwork.plugins.module_utils._client import MIN_REQUEST_TIMEOUT
from ansible_collections.leapops.leapwork.plugins.module_utils._waiter import (
    PLAN_MEMORY,
    STOP_SECONDS,
    follow_runs,
    is_transient,
    poll_plan,
    wait_problem,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._deadline import Deadline, backoff
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkConnectionError
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import (
    FakeClock,
    FakeController,
    FakeItem,
    FakeRun,
    Fault,
    simple_run,
)

NEVER = 10 ** 9


@pytest.fixture
def clock():
    return FakeClock()


def follow(controller, run_ids, **options):
    options.setdefault("wait_timeout", 600)
    return follow_runs(controller, run_ids, clock=controller.clock, sleep=controller.clock.sleep, **options)


def make(clock, *runs, **options):
    return FakeController(clock, runs, **options)


class TestBackoff:
    def test_backoff_schedule(self):
        assert list(itertools.islice(backoff(5), 11)) == pytest.approx(
            [0.5, 0.65, 0.845, 1.0985, 1.42805, 1.856465, 2.4134045, 3.13742585, 4.078653605, 5, 5])

    def test_short_interval_is_constant(self):
        assert list(itertools.islice(backoff(0.2), 3)) == [0.2, 0.2, 0.2]

    def test_cap(self):
        assert list(itertools.islice(backoff(1), 5)) == pytest.approx([0.5, 0.65, 0.845, 1, 1])

    def test_sleeps_follow_the_schedule_and_reset_on_change(self, clock):
        # Queued for 30 s: polled every poll_interval; then executing: the pauses start at 0.5 s and grow.
        controller = make(clock, simple_run("r", queued=30, duration=100))
        follow(controller, ["r"], wait_timeout=40)
        sleeps = clock.sleeps
        assert sleeps[:8] == pytest.approx([5, 5, 5, 5, 5, 5, 0.5, 0.65])
        polls = [moment for method, _id, moment in controller.log if method == "run_status"]
        first_executing = next(moment for moment in polls if moment >= 30)
        index = polls.index(first_executing)
        assert polls[index + 1] - polls[index] == pytest.approx(0.5)
        assert polls[0] == 0

    def test_short_run_is_noticed_within_about_a_second(self, clock):
        controller = make(clock, simple_run("r", duration=1.0))
        [result] = follow(controller, ["r"])
        assert result.outcome == "passed"
        assert 1.0 <= result.elapsed_seconds <= 2.0

    def test_long_run_does_not_hammer(self, clock):
        controller = make(clock, simple_run("r", duration=600))
        follow(controller, ["r"], wait_timeout=1000, poll_interval=10)
        assert controller.calls["run_status"] < 600 / 10 + 15


class TestOutcomes:
    @pytest.mark.parametrize("status, outcome", [
        ("Passed", "passed"),
        ("Failed", "failed"),
        ("Error", "error"),
        ("Inconclusive", "error"),
        ("Timeout", "error"),
        ("Cancelled", "cancelled"),
        ("passed", "passed"),
    ])
    def test_every_terminal_status(self, clock, status, outcome):
        [result] = follow(make(clock, simple_run("r", outcome=status)), ["r"])
        assert result.outcome == outcome
        assert result.items[0].status == status
        assert result.items[0].outcome == outcome
        assert result.status == "Finished"
        assert not result.timed_out

    @pytest.mark.parametrize("done_status_as", ["passed", "failed"])
    def test_done(self, clock, done_status_as):
        [result] = follow(make(clock, simple_run("r", outcome="Done")), ["r"], done_status_as=done_status_as)
        assert result.outcome == done_status_as
        assert result.items[0].status == "Done"

    def test_unknown_status_is_not_dropped(self, clock):
        [result] = follow(make(clock, simple_run("r", outcome=["Passed", "Exploded"], agents=("A1", "A2"))), ["r"])
        assert result.outcome == "error"
        assert [item.status for item in result.items] == ["Passed", "Exploded"]
        assert result.summary == {"total": 2, "passed": 1, "failed": 0, "errors": 1, "cancelled": 0, "flaky": 0}
        assert "unknown status 'Exploded'" in result.items[1].explanation()

    def test_still_going_statuses_are_waited_for(self, clock):
        statuses = [(0.1, "NoStatus"), (1, "Initializing"), (2, "Connecting"), (3, "Connected"), (4, "Running"),
                    (5, "IsProcessing"), (20, "Passed")]
        run = FakeRun("r", statuses=[(0, "Executing"), (20, "Finished")], items=[FakeItem("i", statuses=statuses)])
        [result] = follow(make(clock, run), ["r"])
        assert result.outcome == "passed"
        assert result.elapsed_seconds >= 20

    def test_zero_items(self, clock):
        [result] = follow(make(clock, simple_run("r", outcome=None, duration=3)), ["r"])
        assert result.outcome == "error"
        assert result.items == []
        assert "no flow ran" in result.message
        assert result.elapsed_seconds < 5

    def test_finished_with_unfinished_items_keeps_polling(self, clock):
        item = FakeItem("i", statuses=[(0.2, "Running"), (12, "Failed")])
        run = FakeRun("r", statuses=[(0, "Executing"), (5, "Finished")], items=[item])
        controller = make(clock, run)
        [result] = follow(controller, ["r"])
        assert result.outcome == "failed"
        assert result.status == "Finished"
        assert 12 <= result.elapsed_seconds <= 17
        # The item is read until it ends; the status, Finished, is not read again.
        assert [method for method, _id, _moment in controller.log].count("run_item") > 1
        assert max(moment for method, _id, moment in controller.log if method == "run_status") < 7
        assert max(moment for method, _id, moment in controller.log if method == "run_item") >= 12

    def test_item_appearing_after_finished_is_seen(self, clock):
        # A run item list read right after Finished is complete: the item ids are read after the status.
        run = FakeRun("r", statuses=[(0, "Executing"), (5, "Finished")],
                      items=[FakeItem("i1", statuses=[(0.1, "Running"), (5, "Passed")]),
                             FakeItem("i2", statuses=[(4.9, "Running"), (5, "Failed")])])
        [result] = follow(make(clock, run), ["r"])
        assert [item.run_item_id for item in result.items] == ["i1", "i2"]
        assert result.outcome == "failed"

    def test_result_shape(self, clock):
        [result] = follow(make(clock, simple_run("r", outcome="Failed", queued=3)), ["r"])
        data = result.to_dict()
        assert set(data) == {"run_id", "status", "outcome", "summary", "elapsed_seconds", "queued_seconds", "timed_out",
                             "run_items", "message"}
        assert data["run_items"][0]["flow_title"] == "Login"
        assert data["run_items"][0]["agent_title"] == "Agent 1"
        assert [keyframe["level"] for keyframe in data["run_items"][0]["keyframes"]] == ["Info", "Error"]


class TestQueued:
    def test_queued_seconds(self, clock):
        [result] = follow(make(clock, simple_run("r", queued=20, duration=5)), ["r"])
        assert 20 <= result.queued_seconds <= 25
        assert result.queued_seconds < result.elapsed_seconds
        assert result.elapsed_seconds >= 25

    def test_never_queued(self, clock):
        [result] = follow(make(clock, simple_run("r")), ["r"])
        assert result.queued_seconds == 0

    def test_still_queued_at_timeout(self, clock):
        [result] = follow(make(clock, simple_run("r", queued=1000)), ["r"], wait_timeout=60)
        assert result.timed_out
        assert result.status == "Queued"
        assert result.queued_seconds == pytest.approx(60)
        assert result.elapsed_seconds == pytest.approx(60)

    def test_only_status_and_item_ids_while_queued(self, clock):
        controller = make(clock, simple_run("r", queued=1000))
        follow(controller, ["r"], wait_timeout=60)
        assert set(controller.calls) == {"run_status", "run_item_ids"}


class TestQueuedPolling:
    """A queued run waits for a busy agent: polled every poll_interval, and at once when a followed run ends."""

    @staticmethod
    def status_polls(controller, run_id):
        return [moment for method, identifier, moment in controller.log if method == "run_status" and identifier == run_id]

    def test_polled_every_poll_interval(self, clock):
        # 0, 5, ..., 55 s, then the deadline's last look at 60 s (which reads the empty item list).
        controller = make(clock, simple_run("r", queued=1000))
        follow(controller, ["r"], wait_timeout=60)
        assert self.status_polls(controller, "r") == pytest.approx([5.0 * number for number in range(13)])
        assert dict(controller.calls) == {"run_status": 13, "run_item_ids": 1}

    def test_a_run_ending_wakes_the_queued_runs(self, clock):
        # "first" ends at 6 s (seen at 6.38 s) and frees the agent "second" waits for (it runs 6-8 s).
        # Woken, "second" is seen executing at 6.38 s, then Finished at 8.37 s; without the wake it
        # would be polled at 10 s only.
        first = simple_run("first", duration=6)
        second = simple_run("second", queued=6, duration=2)
        controller = make(clock, first, second)
        results = follow(controller, ["first", "second"])
        assert [result.outcome for result in results] == ["passed", "passed"]
        assert self.status_polls(controller, "second") == pytest.approx([0, 5, 6.378, 6.878, 7.528, 8.3735], abs=0.001)
        assert results[1].elapsed_seconds == pytest.approx(8.3735, abs=0.001)
        assert results[1].queued_seconds == pytest.approx(6.378, abs=0.001)

    def test_a_run_already_finished_wakes_nothing(self, clock):
        # "done" was over before the follow-up began: its end frees no agent now.
        controller = make(clock, FakeRun("done", statuses=[(0, "Finished")]), simple_run("waiting", queued=1000))
        follow(controller, ["done", "waiting"], wait_timeout=12)
        assert self.status_polls(controller, "waiting") == pytest.approx([0, 5, 10, 12])

    def test_a_pause_the_controller_asked_for_is_kept(self, clock):
        # "second" is answered 429 with Retry-After 8 s at its poll at 5 s: the end of "first" (seen
        # at 6.38 s) does not cut that pause short; it is polled again at 13 s.
        class PausingController(FakeController):
            def run_status(self, run_id, deadline=None, retry=True):
                if run_id == "second" and self.calls_for("run_status", "second") == 1:
                    self._record("run_status", run_id, deadline)
                    raise LeapworkHTTPError("Could not read the run status: HTTP 429", operation="run_status",
                                            status=429, run_id=run_id, retry_after=8)
                return super(PausingController, self).run_status(run_id, deadline=deadline, retry=retry)

        controller = PausingController(clock, [simple_run("first", duration=6), simple_run("second", queued=6, duration=2)])
        results = follow(controller, ["first", "second"])
        assert [result.outcome for result in results] == ["passed", "passed"]
        assert self.status_polls(controller, "second")[:3] == pytest.approx([0, 5, 13], abs=0.001)

    def test_executing_runs_are_not_woken(self, clock):
        # A run that executes keeps its own schedule when another run ends.
        controller = make(clock, simple_run("short", duration=1), simple_run("long", duration=20))
        follow(controller, ["short", "long"])
        assert self.status_polls(controller, "long")[:6] == pytest.approx([0, 0.5, 1.15, 1.995, 3.0935, 4.5216], abs=0.001)

    def test_agents_freed_wave_after_wave(self, clock):
        # 3 agents, 3 runs of 4 s each on each agent, one after another: ends at 4, 8 and 12 s. Each
        # wave of 3 is a herd: 2 scouts on the backoff, the third trailing. The first wave is seen
        # over at 4.52 s by the scouts (6 status polls each); that wakes the trailing run (seen over)
        # and the queued runs (the second wave is seen executing). The second wave's scouts see it
        # over at 9.04 s (0, the wake, 5 more: 7), which wakes the third wave (0, 4.52 s still
        # queued, 9.04 s executing, 4 more: 7). A trailing run costs 2 polls (first wave), 3 or 4.
        # Each run is seen over within 0.6 s of its end. In all 49 status polls (60 when every
        # executing run kept the backoff), and 2 item reads for each run.
        runs = [simple_run("a%d-%d" % (agent, turn), queued=4 * turn, duration=4) for agent in range(3) for turn in range(3)]
        controller = make(clock, *runs)
        results = follow(controller, [run.run_id for run in runs])
        assert all(result.outcome == "passed" for result in results)
        assert self.status_polls(controller, "a0-2") == pytest.approx([0, 4.5216, 9.0432, 9.5432, 10.1932, 11.0382, 12.1367],
                                                                      abs=0.001)
        assert self.status_polls(controller, "a2-0") == pytest.approx([0, 4.5216], abs=0.001)
        assert self.status_polls(controller, "a2-2") == pytest.approx([0, 4.5216, 9.0432, 12.1367], abs=0.001)
        assert dict(controller.calls) == {"run_status": 49, "run_item_ids": 9, "run_item": 9}
        assert [result.elapsed_seconds for result in results] == pytest.approx([4.5216, 9.0432, 12.1367] * 3, abs=0.001)


class TestHerd:
    """Runs executing side by side: SCOUTS of them on the fast schedule, the others every poll_interval, woken by an end."""

    @staticmethod
    def status_polls(controller, run_id):
        return TestQueuedPolling.status_polls(controller, run_id)

    def test_fifty_runs_ending_together(self, clock):
        # The role's benchmark on fake time: 50 runs of 5 s. The 2 scouts are polled every
        # max(0.25, 5 * 2 / 50) = 0.25 s (21 polls each, the end seen at 5 s); the 48 others are
        # presumed to execute with them (never polled yet) and first polled at 5 s, when woken by
        # the scouts' end: 42 + 48 = 90 status polls, 1.8 a run (138 when every run was polled at
        # the start, 350 with everyone on the backoff: 7 a run). Every run is seen over as it ends.
        runs = [simple_run("h%02d" % number, duration=5) for number in range(50)]
        controller = make(clock, *runs)
        results = follow(controller, [run.run_id for run in runs], poll_interval=5)
        assert all(result.outcome == "passed" for result in results)
        assert dict(controller.calls) == {"run_status": 90, "run_item_ids": 50, "run_item": 50}
        assert self.status_polls(controller, "h00") == pytest.approx([0.25 * number for number in range(21)])
        assert self.status_polls(controller, "h02") == self.status_polls(controller, "h49") == pytest.approx([5])
        assert [result.elapsed_seconds for result in results] == pytest.approx([5.0] * 50)

    def test_twenty_runs_scouts_every_half_second(self, clock):
        # 5 * 2 / 20 = 0.5 s: the scouts together poll as often as the 18 trailing runs (4 a second).
        runs = [simple_run("t%02d" % number, duration=5) for number in range(20)]
        controller = make(clock, *runs)
        follow(controller, [run.run_id for run in runs], poll_interval=5)
        assert self.status_polls(controller, "t00") == pytest.approx([0.5 * number for number in range(11)])

    def test_two_runs_are_both_scouts(self, clock):
        # No herd to watch for: each keeps the backoff (and the beat at 5 s), as a run alone does.
        controller = make(clock, simple_run("a", duration=5), simple_run("b", duration=5))
        follow(controller, ["a", "b"])
        expected = [0, 0.5, 1.15, 1.995, 3.0935, 4.5216, 5.0]
        assert self.status_polls(controller, "a") == self.status_polls(controller, "b") == pytest.approx(expected, abs=0.001)

    def test_a_run_ending_alone_is_seen_within_poll_interval(self, clock):
        # Nine runs of 30 s and one of 2 s among them, trailing (presumed to execute, not polled at
        # the start): it is seen over by its first poll at 5 s, which wakes none of the others
        # polled in that same round; they end at 30 s.
        runs = [simple_run("r%d" % number, duration=2 if number == 5 else 30) for number in range(10)]
        controller = make(clock, *runs)
        results = follow(controller, [run.run_id for run in runs])
        assert results[5].elapsed_seconds == pytest.approx(5.0)
        assert self.status_polls(controller, "r5") == pytest.approx([5])
        assert self.status_polls(controller, "r6") == pytest.approx([5, 10, 15, 20, 25, 30])
        assert all(result.outcome == "passed" for result in results)
        assert max(result.elapsed_seconds for result in results) <= 30 + 0.5

    def test_scouts_ending_first_hand_over(self, clock):
        # The scouts end at 2 s (seen at 3.09 s); that wakes the two trailing runs (presumed to
        # execute, not polled yet), seen executing: they become the scouts, on the backoff from
        # their first poll, and are seen over at their end at 10 s, on the beat.
        runs = [simple_run("s0", duration=2), simple_run("s1", duration=2), simple_run("l2", duration=10),
                simple_run("l3", duration=10)]
        controller = make(clock, *runs)
        results = follow(controller, [run.run_id for run in runs])
        expected = [3.0935, 3.5935, 4.2435, 5.0885, 6.187, 7.615, 9.4715, 10.0]
        assert self.status_polls(controller, "l2") == self.status_polls(controller, "l3") == pytest.approx(expected, abs=0.001)
        assert [result.elapsed_seconds for result in results] == pytest.approx([3.0935, 3.0935, 10.0, 10.0], abs=0.001)
        assert dict(controller.calls) == {"run_status": 26, "run_item_ids": 4, "run_item": 4}

    def test_scouts_slow_down_for_a_small_herd(self, clock):
        # A herd of 10: the scouts are polled at least every 5 * 2 / 10 = 1 s once the backoff
        # passes it (gaps as scheduled from the end of each round, hence 1.11 s here).
        runs = [simple_run("r%d" % number, duration=30) for number in range(10)]
        controller = make(clock, *runs)
        follow(controller, [run.run_id for run in runs])
        polls = self.status_polls(controller, "r0")
        gaps = [later - earlier for earlier, later in zip(polls, polls[1:])]
        assert max(gaps) <= 1.2
        assert polls[:4] == pytest.approx([0, 0.5, 1.15, 1.995], abs=0.001)


class TestPresumedHerd:
    """Runs not polled yet (besides the scouts) are presumed to execute with them: first polled after poll_interval or when woken."""

    def test_runs_already_over_are_read_at_once(self, clock):
        # Followed after the fact: the scouts' first polls read Finished, so the eight others are
        # read at once (not after poll_interval): 10 status polls in all, every run seen at 0.
        runs = [simple_run("f%d" % number, duration=1) for number in range(10)]
        controller = make(clock, *runs)
        clock.advance(5)
        results = follow(controller, [run.run_id for run in runs])
        assert [result.outcome for result in results] == ["passed"] * 10
        assert [result.elapsed_seconds for result in results] == [0] * 10
        assert dict(controller.calls) == {"run_status": 10, "run_item_ids": 10, "run_item": 10}

    def test_a_queued_scout_has_the_others_read_at_once(self, clock):
        # The first run is queued: the others may be too, so they are read at once, not at 5 s.
        runs = [simple_run("q0", queued=100, duration=5)] + [simple_run("r%d" % number, duration=30) for number in range(1, 5)]
        controller = make(clock, *runs)
        follow(controller, [run.run_id for run in runs], wait_timeout=3)
        assert TestQueuedPolling.status_polls(controller, "r4")[0] == 0


class TestPollPlan:
    """``poll_plan``: the moments to poll a run at, from the durations of the runs seen over in the task."""

    def test_nothing_seen_no_plan(self):
        assert poll_plan([]) == []

    def test_one_duration_seen_again_and_again_one_poll(self):
        assert poll_plan([5.0] * 8) == [5.0]

    def test_durations_this_close_are_one_at_the_longest(self):
        assert poll_plan([4.95, 5.0, 5.03]) == [5.03]
        # Within 0.1 s of the shortest of them: durations 0.09 s apart from 1 to 5 s do not melt into one.
        spread = [1.0 + 0.09 * step for step in range(45)]
        assert poll_plan(spread) == pytest.approx([2.35, 3.43, 4.33, 4.96])

    def test_frequent_durations_each_get_a_poll(self):
        assert poll_plan([2.0] * 5 + [8.0] * 5) == [2.0, 8.0]

    def test_a_rare_duration_is_seen_by_the_poll_at_the_next(self):
        # One run of 4 s among nine of 5 s: a poll at 4 s would read ten runs going to see one end 1 s sooner.
        assert poll_plan([5.0] * 9 + [4.0]) == [5.0]
        assert poll_plan([5.0] * 9 + [4.0], seconds_per_poll=0.05) == [4.0, 5.0]

    def test_it_learns_from_the_last_runs_seen(self):
        assert poll_plan([1.0] * 100 + [3.0] * PLAN_MEMORY) == [3.0]


def one_item_run(run_id, start, seconds, status_before="Executing", queued_until=None):
    """A run of one item from ``start`` (seconds since the origin): ``seconds`` long (its item's ``ElapsedSeconds``)."""
    begins = queued_until if queued_until is not None else start
    statuses = [(start, "Queued")] if queued_until is not None else []
    statuses += [(begins, status_before), (begins + seconds, "Finished")]
    item = FakeItem(run_id + "-item", statuses=[(begins, "Running"), (begins + seconds, "Passed")], elapsed_seconds=seconds)
    return FakeRun(run_id, statuses=statuses, items=[item])


class TestPlannedRuns:
    """A run ``on_over`` starts on an agent of ours (``agents`` names it) starts at once, alone there: it is polled at
    the likely ends the runs seen over so far make (``poll_plan``), and on its beat; not at once, not with the herd."""

    def chain(self, clock, first, then, agents=None, **options):
        """Follow ``first``; when it is seen over, follow ``then`` (its agent known unless ``agents`` says otherwise)."""
        controller = make(clock, first, then)
        agents = {"a": "AGENT-1", "b": "AGENT-1"} if agents is None else agents
        handed = []

        def on_over(result):
            handed.append((result.run_id, controller.elapsed()))
            return ["b"] if result.run_id == "a" else []

        results = follow(controller, ["a"], on_over=on_over, agents=agents, **options)
        return controller, results, handed

    def test_the_next_run_is_read_once_at_its_likely_end(self, clock):
        controller, results, handed = self.chain(clock, one_item_run("a", 0, 5), one_item_run("b", 5, 5))
        assert handed == [("a", 5.0), ("b", 10.0)]
        assert TestQueuedPolling.status_polls(controller, "b") == [10.0]
        assert [result.outcome for result in results] == ["passed", "passed"]
        assert controller.request_count == 9 + 3  # a: 7 status reads (a scout, then the beat at 5 s), its item ids, its item

    def test_a_run_whose_agent_is_not_known_is_followed_as_before(self, clock):
        controller, _results, _handed = self.chain(clock, one_item_run("a", 0, 5), one_item_run("b", 5, 5), agents={})
        assert TestQueuedPolling.status_polls(controller, "b")[:3] == pytest.approx([5.0, 5.5, 6.15])

    def test_the_beat_still_holds_and_a_longer_run_goes_on_the_backoff(self, clock):
        # a: 12 s, seen over on the beat at 15 s (its item says 12). b: 20 s, started at 15 s: read on
        # its beat at 20 and 25 s, at 27 s (12 s after its start), then on its beat at 30 s and on a
        # backoff whose pauses start at 30 % of the time it has run (3.6 s, then 4.68 s: the beat at
        # 35 s, less than FIRST_DELAY before that poll, gives way to it).
        controller, _results, _handed = self.chain(clock, one_item_run("a", 0, 12), one_item_run("b", 15, 20))
        assert TestQueuedPolling.status_polls(controller, "a")[-1] == 15.0
        assert TestQueuedPolling.status_polls(controller, "b") == pytest.approx([20.0, 25.0, 27.0, 30.0, 30.6, 35.28])

    def test_a_run_started_behind_another_of_ours_waits_in_line(self, clock):
        # on_over starts b and c on one agent: c starts when b ends (10 s). c is not polled before
        # b reads Finished, then at once, then as any run (its plan would count from 5 s).
        late = one_item_run("c", 5, 5, queued_until=10)
        controller = make(clock, one_item_run("a", 0, 5), one_item_run("b", 5, 5), late)
        results = follow(controller, ["a"], on_over=lambda result: ["b", "c"] if result.run_id == "a" else [],
                         agents={"b": "AGENT-1", "c": "agent-1"})
        assert TestQueuedPolling.status_polls(controller, "b") == [10.0]
        assert TestQueuedPolling.status_polls(controller, "c")[:3] == pytest.approx([10.0, 10.5, 11.15])
        assert [result.outcome for result in results] == ["passed"] * 3

    def test_a_planned_run_that_reads_queued_is_polled_as_a_queued_run(self, clock):
        # Someone else's run took the agent first: b waits until 14 s. Read Queued at 10 s, b leaves
        # its plan: polled every poll_interval, then on the backoff once it executes.
        controller, results, _handed = self.chain(clock, one_item_run("a", 0, 5), one_item_run("b", 5, 5, queued_until=14))
        polls = TestQueuedPolling.status_polls(controller, "b")
        assert polls[:3] == pytest.approx([10.0, 15.0, 15.5])
        # Queued from its start (5 s) to the poll that read it executing (15 s).
        assert results[1].outcome == "passed" and results[1].queued_seconds == pytest.approx(10.0)


class TestAgentLines:
    """With ``agents`` (run id -> agent id), a queued run is polled when the followed run ahead of it on its agent has ended."""

    @staticmethod
    def status_polls(controller, run_id):
        return TestQueuedPolling.status_polls(controller, run_id)

    def test_waves_on_three_agents(self, clock):
        # The wave-after-wave scenario of TestQueuedPolling, with the agents known: the runs behind
        # another on their agent are not polled before it has ended (a0-1 first at 4.52 s, when
        # a0-0 is seen over; a0-2 at 9.04 s): 39 status polls instead of 49, the same ends seen.
        runs = [simple_run("a%d-%d" % (agent, turn), queued=4 * turn, duration=4) for agent in range(3) for turn in range(3)]
        controller = make(clock, *runs)
        agents = dict(("a%d-%d" % (agent, turn), "agent-%d" % agent) for agent in range(3) for turn in range(3))
        results = follow(controller, [run.run_id for run in runs], agents=agents)
        assert all(result.outcome == "passed" for result in results)
        assert dict(controller.calls) == {"run_status": 39, "run_item_ids": 9, "run_item": 9}
        assert self.status_polls(controller, "a0-1") == pytest.approx([4.5216, 5.0216, 5.6716, 6.5166, 7.6151, 9.0432], abs=0.001)
        assert self.status_polls(controller, "a0-2") == pytest.approx([9.0432, 9.5432, 10.1932, 11.0382, 12.1367], abs=0.001)
        assert self.status_polls(controller, "a2-2") == pytest.approx([9.0432, 12.1367], abs=0.001)
        assert [result.elapsed_seconds for result in results] == pytest.approx([4.5216, 9.0432, 12.1367] * 3, abs=0.001)

    def test_an_end_on_another_agent_wakes_nothing(self, clock):
        # "behind" waits for "long" on agent A; "short" ends on agent B at 2 s. "behind" is first
        # polled when "long" is seen over (20 s, on the beat): 5 status polls (about 9 without the
        # agents: at 0, when "short" ends, every 5 s, and when "long" ends).
        runs = [simple_run("long", duration=20), simple_run("behind", queued=20, duration=2), simple_run("short", duration=2)]
        controller = make(clock, *runs)
        results = follow(controller, ["long", "behind", "short"], agents={"long": "A", "behind": "A", "short": "B"})
        assert [result.outcome for result in results] == ["passed"] * 3
        assert self.status_polls(controller, "behind") == pytest.approx([20, 20.5, 21.15, 21.995, 23.0935], abs=0.001)
        assert dict(controller.calls) == {"run_status": 24, "run_item_ids": 3, "run_item": 3}

    def test_someone_elses_run_holds_the_agent(self, clock):
        # A run of someone else holds agent A until 12 s; "first" then runs 12-17 s and "second"
        # 17-22 s. "first" reads Queued: it is polled every poll_interval (0, 5, 10, 15 s: seen
        # executing at 15 s). "second" waits in line: first polled when "first" is seen over.
        runs = [simple_run("first", queued=12, duration=5), simple_run("second", queued=17, duration=5)]
        controller = make(clock, *runs)
        results = follow(controller, ["first", "second"], agents={"first": "A", "second": "A"})
        assert [result.outcome for result in results] == ["passed", "passed"]
        assert self.status_polls(controller, "first") == pytest.approx([0, 5, 10, 15, 15.5, 16.15, 16.995, 18.0935], abs=0.001)
        assert self.status_polls(controller, "second") == pytest.approx([18.0935, 18.5935, 19.2435, 20.0885, 21.187, 22.615],
                                                                        abs=0.001)
        assert dict(controller.calls) == {"run_status": 14, "run_item_ids": 2, "run_item": 2}
        assert [result.queued_seconds for result in results] == pytest.approx([15, 0])

    def test_a_run_whose_agent_is_not_known_may_free_any_agent(self, clock):
        # "x" (agent not given) ends at 6 s; "r" (agent A, first in its line, Queued) is woken by
        # that end, as before: it may have been waiting for the agent "x" held.
        controller = make(clock, simple_run("x", duration=6), simple_run("r", queued=6, duration=2))
        results = follow(controller, ["x", "r"], agents={"r": "A"})
        assert [result.outcome for result in results] == ["passed", "passed"]
        assert self.status_polls(controller, "r") == pytest.approx([0, 5, 6.378, 6.878, 7.528, 8.3735], abs=0.001)

    def test_an_end_on_a_known_other_agent_does_not_wake_a_queued_run(self, clock):
        # "r" (agent A) waits for someone else's run; "b" ends on agent B at 6 s: "r" stays on poll_interval.
        controller = make(clock, simple_run("b", duration=6), simple_run("r", queued=100, duration=2))
        follow(controller, ["b", "r"], agents={"r": "A", "b": "B"}, wait_timeout=15)
        assert self.status_polls(controller, "r") == pytest.approx([0, 5, 10, 15])

    def test_the_controller_ran_them_in_another_order(self, clock):
        # Given in the order p, q on agent A, but q ran first (0-5 s) and p after it (5-10 s): q
        # is read only once p is seen over, Finished, and both are reported right.
        controller = make(clock, simple_run("p", queued=5, duration=5), simple_run("q", duration=5))
        results = follow(controller, ["p", "q"], agents={"p": "A", "q": "A"})
        assert [result.outcome for result in results] == ["passed", "passed"]
        assert self.status_polls(controller, "q") == pytest.approx([10], abs=0.001)
        assert dict(controller.calls) == {"run_status": 9, "run_item_ids": 2, "run_item": 2}

    def test_runs_in_line_are_read_at_the_deadline(self, clock):
        controller = make(clock, simple_run("p", duration=10), simple_run("q", queued=10, duration=5))
        results = follow(controller, ["p", "q"], agents={"p": "A", "q": "A"}, wait_timeout=3)
        assert [(result.outcome, result.status) for result in results] == [("timed_out", "Executing"), ("timed_out", "Queued")]
        assert self.status_polls(controller, "q") == [3]

    def test_agent_ids_compare_without_case_and_unknown_run_ids_are_ignored(self, clock):
        controller = make(clock, simple_run("p", duration=4), simple_run("q", queued=4, duration=2))
        results = follow(controller, ["p", "q"], agents={"p": "AGENT-A", "q": "agent-a", "other": "agent-a"})
        assert [result.outcome for result in results] == ["passed", "passed"]
        assert self.status_polls(controller, "q")[0] == pytest.approx(4.5216, abs=0.001)

    @pytest.mark.parametrize("lag", [0.0, 0.5])
    def test_two_hundred_runs_on_twenty_agents(self, clock, lag):
        # The benchmark's scale scenario on fake time: ten 5 s runs one after another on each of 20
        # agents, given in the order the role starts them (each agent's first run, then each
        # agent's second, ...), the follow-up starting 0.7 s after them; with and without the
        # finish lag (the last item final up to 0.5 s after the run reads Finished). At most
        # 6 requests a run besides its trigger (the benchmark's target: 7 with it); 2,038
        # status polls, 13.2 requests a run, without the agents.
        runs, agents = [], {}
        generator = random.Random(20)
        for turn in range(10):
            for agent in range(20):
                start, end = max(turn * 5 - 0.7, 0), (turn + 1) * 5 - 0.7
                run_id = "a%d-%d" % (agent, turn)
                item = FakeItem(run_id + "-item", statuses=[(start + 0.2, "Running"), (end + generator.uniform(0, lag), "Passed")])
                runs.append(FakeRun(run_id, statuses=([(0, "Queued")] if start else []) + [(start, "Executing"), (end, "Finished")],
                                    items=[item]))
                agents[run_id] = "agent-%d" % agent
        controller = make(clock, *runs)
        results = follow(controller, [run.run_id for run in runs], agents=agents)
        assert all(result.outcome == "passed" for result in results)
        expected = {"run_status": 560, "run_item_ids": 200, "run_item": 305 if lag else 200}
        assert dict(controller.calls) == expected
        assert controller.request_count / 200.0 <= 6
        assert max(result.elapsed_seconds for result in results) <= 50 - 0.7 + lag + 0.25


class SlowController(FakeController):
    """A FakeController whose every request takes ``seconds`` of fake time: a round that polls
    many runs takes a while, as it does against a real controller (the benchmark's emulator
    answers 50 runs' status, item list and item in about 0.15 s)."""

    def __init__(self, clock, runs, seconds):
        super(SlowController, self).__init__(clock, runs)
        self.seconds = seconds

    def _record(self, method, identifier, deadline=None, retry=True):
        self.clock.advance(self.seconds)
        return super(SlowController, self)._record(method, identifier, deadline, retry)


def lagging_run(run_id, end, lag, began=0.0):
    """A run that reads Finished at ``end``, its one item final ``lag`` seconds later."""
    return FakeRun(run_id, statuses=[(began, "Executing"), (end, "Finished")],
                   items=[FakeItem(run_id + "-item", statuses=[(began + 0.2, "Running"), (end + lag, "Passed")])])


def item_reads(controller):
    return [moment for method, _id, moment in controller.log if method == "run_item"]


class TestFinishLag:
    """A run may read Finished a moment before its last item is final (the finish lag): then only
    the items not final yet are read again, 0.4 s (SETTLE_SECONDS) after the read that saw
    Finished, then after pauses of 0.05 s (SETTLE_DELAY) doubling, and on the beat. Before, they
    were read again 0.5 s after the end of the round that saw Finished, then on the backoff."""

    def test_only_the_item_is_read_again(self, clock):
        # Finished at 5 s (seen at 5 s), the item final at 5.3 s: read at 5 s (Running) and 0.4 s
        # later (Passed); the status and the item list once each after Finished.
        controller = make(clock, lagging_run("r", 5, 0.3))
        [result] = follow(controller, ["r"])
        assert result.outcome == "passed"
        assert dict(controller.calls) == {"run_status": 7, "run_item_ids": 1, "run_item": 2}
        assert item_reads(controller) == pytest.approx([5, 5.4], abs=0.001)
        assert result.elapsed_seconds == pytest.approx(5.4, abs=0.001)

    @pytest.mark.parametrize("lag, reads, seen_after", [
        (0.0, [5], 0.0),
        (0.1, [5, 5.4], 0.3),  # before: [5, 5.5], seen 0.4 s after its item turned final
        (0.25, [5, 5.4], 0.15),  # before: [5, 5.5], 0.25 s after
        (0.49, [5, 5.4, 5.45, 5.55], 0.06),  # before: [5, 5.5], 0.01 s after
        (1.0, [5, 5.4, 5.45, 5.55, 5.75, 6.15], 0.15),  # before: [5, 5.5, 6.15], 0.15 s after
    ])
    def test_a_lagging_item_is_seen_final_soon(self, clock, lag, reads, seen_after):
        # One run, Finished at 5 s and seen then (on the beat), its item final `lag` s later: the
        # item is read with the item list at 5 s, then at 5.4 s, then 0.05, 0.1, 0.2, 0.4 s apart.
        controller = make(clock, lagging_run("r", 5, lag))
        [result] = follow(controller, ["r"])
        assert result.outcome == "passed"
        assert dict(controller.calls) == {"run_status": 7, "run_item_ids": 1, "run_item": len(reads)}
        assert item_reads(controller) == pytest.approx(reads, abs=0.001)
        assert result.elapsed_seconds - (5 + lag) == pytest.approx(seen_after, abs=0.001)

    def test_items_already_final_are_not_read_again(self, clock):
        # Two items: "quick" final at the end, "late" 0.3 s after the run reads Finished.
        run = FakeRun("r", statuses=[(0, "Executing"), (2, "Finished")], items=[
            FakeItem("quick", statuses=[(0.1, "Running"), (1, "Failed")]),
            FakeItem("late", flow_title="Report", statuses=[(1, "Running"), (3.3, "Passed")])])
        controller = make(clock, run)
        clock.advance(3)
        [result] = follow(controller, ["r"])
        assert result.outcome == "failed"
        assert [(method, identifier) for method, identifier, _moment in controller.log] == [
            ("run_status", "r"), ("run_item_ids", "r"), ("run_item", "quick"), ("run_item", "late"), ("keyframes", "quick"),
            ("run_item", "late")]

    def test_fifty_runs_with_the_lag(self, clock):
        # Run n's item is final n / 100 s after the run reads Finished (0 to 0.49 s), and the
        # scouts see the end the moment it comes (5 s): 49 items are not final then. Each is read
        # again at 5.4 s, then at 5.45 and 5.55 s while it is not final: 90 status polls, 50 item
        # lists, 114 item reads, 5.08 requests a run besides its trigger (the benchmark's target:
        # 6 with it); the last seen final at 5.55 s. The schedule before read them all at 5.5 s
        # (99 reads): with no delay at all in seeing the end, one read 0.5 s later catches a lag
        # under 0.5 s; the end is seen later in practice (the next two tests).
        runs = [lagging_run("h%02d" % number, 5, number / 100.0) for number in range(50)]
        controller = make(clock, *runs)
        results = follow(controller, [run.run_id for run in runs], poll_interval=5)
        assert all(result.outcome == "passed" for result in results)
        assert dict(controller.calls) == {"run_status": 90, "run_item_ids": 50, "run_item": 114}
        assert max(result.elapsed_seconds for result in results) == pytest.approx(5.55)

    def test_fifty_runs_whose_end_is_seen_late(self, clock):
        # The same herd ending at 5.1 s, between two polls of the scouts (5 and 5.25 s): at 5.25 s
        # the items of the 34 runs whose lag is over 0.15 s are not final yet; read again at
        # 5.65 s, all are (the last turned final at 5.59 s). Before: at 5.75 s, for as many reads.
        runs = [lagging_run("h%02d" % number, 5.1, number / 100.0) for number in range(50)]
        controller = make(clock, *runs)
        results = follow(controller, [run.run_id for run in runs], poll_interval=5)
        assert all(result.outcome == "passed" for result in results)
        assert dict(controller.calls) == {"run_status": 140, "run_item_ids": 50, "run_item": 84}
        assert sorted(set(round(moment, 3) for moment in item_reads(controller))) == [5.25, 5.65]
        assert max(result.elapsed_seconds for result in results) == pytest.approx(5.65)

    def test_the_role_benchmark_on_fake_time(self):
        # The benchmark's role scenario: 50 runs of 5 s started 1 ms apart, run n's item final
        # 0.5 * frac(n * golden ratio) s after it reads Finished (the emulator's finish lag, 0 to
        # 0.5 s), followed from 0.83 s on, each request taking 1 ms (one worker: a round of the 50
        # runs' status, item list and item takes 0.15 s). The settle reads are counted from the
        # read that saw Finished, not from the end of its round: the wait returns 0.30 s after
        # the median run is over (before: 0.49 s), 0.05 s after the last one (before: 0.21 s), for
        # 4.46 requests a run besides its trigger (before: 4.42; the benchmark's target: 6 with it).
        clock = FakeClock(0.0)
        golden = (5 ** 0.5 - 1) / 2
        runs = [lagging_run("r%02d" % number, number * 0.001 + 5, 0.5 * (((number + 1) * golden) % 1.0), began=number * 0.001)
                for number in range(50)]
        overs = sorted(run.items[0].statuses[-1][0] for run in runs)
        controller = SlowController(clock, runs, 0.001)
        clock.advance(0.83)
        results = follow(controller, [run.run_id for run in runs], poll_interval=5, max_workers=1)
        assert all(result.outcome == "passed" for result in results)
        assert dict(controller.calls) == {"run_status": 84, "run_item_ids": 50, "run_item": 89}
        assert clock() - (overs[24] + overs[25]) / 2 == pytest.approx(0.299, abs=0.001)
        assert clock() - overs[-1] == pytest.approx(0.053, abs=0.001)

    def test_a_round_longer_than_the_settle_pause(self, clock):
        # Each request takes 0.3 s: the poll that sees Finished (its status, the item list, the
        # item) ends 0.9 s after it began, past its 0.4 s: the item is read again SETTLE_DELAY
        # after that round, 0.35 s after its first read (0.05 s, then the request's 0.3 s), not
        # at once. Before: 0.5 s after the round, 0.8 s after the first read.
        controller = SlowController(clock, [lagging_run("r", 5, 1.0)], 0.3)
        [result] = follow(controller, ["r"])
        assert result.outcome == "passed"
        finished_read = [moment for method, _id, moment in controller.log if method == "run_status"][-1]
        reads = item_reads(controller)
        assert reads[0] - finished_read == pytest.approx(0.6, abs=0.001)
        assert len(reads) == 2 and reads[1] - reads[0] == pytest.approx(0.35, abs=0.001)


class TestRequestEconomy:
    """Exact request counts per scenario. Polls come at 0, 0.5, 1.15, 1.995, 3.09, 4.52, 6.38,
    8.79, 11.93, 16.01 s (backoff(5)) and on the beats, multiples of poll_interval from the
    start (5, 10, 15 s), then on the beats alone, every 5 s; the backoff starts again only when
    the run status changes. A queued run is polled every poll_interval, and at once when another
    followed run ends. A poll reads the run status alone; the items when the run is Finished, at
    the deadline, and every ITEM_REFRESH_SECONDS (120 s) while it executes."""

    def test_short_passing_run(self, clock):
        # Finished at 2 s, seen by the poll at 3.09 s: 5 status reads, then the item list and the item.
        controller = make(clock, simple_run("r", duration=2))
        [result] = follow(controller, ["r"])
        assert result.outcome == "passed"
        assert dict(controller.calls) == {"run_status": 5, "run_item_ids": 1, "run_item": 1}
        assert result.elapsed_seconds == pytest.approx(3.0935, abs=0.001)

    def test_short_failing_run_keeps_its_failure_details(self, clock):
        controller = make(clock, simple_run("r", outcome="Failed", duration=2))
        [result] = follow(controller, ["r"])
        assert result.outcome == "failed"
        assert dict(controller.calls) == {"run_status": 5, "run_item_ids": 1, "run_item": 1, "keyframes": 1}
        assert [keyframe["level"] for keyframe in result.to_dict()["run_items"][0]["keyframes"]] == ["Info", "Error"]

    def test_a_five_second_run(self, clock):
        # Finished at 5 s; polls at 0, 0.5, 1.15, 1.995, 3.09, 4.52 (executing) and 5 s (Finished),
        # on the beat: before the backoff's 6.38 s, as a loop polling every poll_interval would.
        controller = make(clock, simple_run("r", duration=5))
        [result] = follow(controller, ["r"])
        assert result.outcome == "passed"
        assert dict(controller.calls) == {"run_status": 7, "run_item_ids": 1, "run_item": 1}
        assert result.elapsed_seconds == pytest.approx(5.0, abs=0.001)

    def test_a_six_second_run_keeps_the_backoff(self, clock):
        # The poll on the beat at 5 s leaves the backoff's next one where it was (6.38 s).
        controller = make(clock, simple_run("r", duration=6))
        [result] = follow(controller, ["r"])
        assert [moment for method, _id, moment in controller.log if method == "run_status"] == pytest.approx(
            [0, 0.5, 1.15, 1.995, 3.0935, 4.5216, 5, 6.378], abs=0.001)
        assert result.elapsed_seconds == pytest.approx(6.378, abs=0.001)

    def test_item_status_changes_do_not_restart_the_backoff(self, clock):
        statuses = [(0.1, "NoStatus"), (1, "Initializing"), (2, "Connecting"), (3, "Connected"), (4, "Running"),
                    (5, "IsProcessing"), (30, "Passed")]
        run = FakeRun("r", statuses=[(0, "Executing"), (30, "Finished")], items=[FakeItem("i", statuses=statuses)])
        controller = make(clock, run)
        [result] = follow(controller, ["r"])
        assert result.outcome == "passed"
        # The backoff's polls and the beats (5, 10, 15 s), then the beat alone: 0, 0.5, 1.15, 1.995,
        # 3.09, 4.52, 5, 6.38, 8.79, 10, 11.93, 15, 16.01, 20, 25, 30 s.
        assert clock.sleeps == pytest.approx(
            [0.5, 0.65, 0.845, 1.0985, 1.42805, 0.4785, 1.3780, 2.4134, 1.2086, 1.9288, 3.0712, 1.0075, 3.9925, 5, 5], abs=0.001)
        assert dict(controller.calls) == {"run_status": 16, "run_item_ids": 1, "run_item": 1}

    def test_queued_then_executing(self, clock):
        # Queued until 18 s: polled every 5 s (0, 5, 10, 15, 20); the change to Executing starts the
        # backoff: 20.5, 21.15, 21.995, 23.09 s (Finished at 23 s). Queued time as seen: 20 s.
        controller = make(clock, simple_run("r", queued=18, duration=5))
        [result] = follow(controller, ["r"])
        assert result.outcome == "passed"
        assert dict(controller.calls) == {"run_status": 9, "run_item_ids": 1, "run_item": 1}
        assert result.queued_seconds == pytest.approx(20, abs=0.001)
        assert result.elapsed_seconds == pytest.approx(23.0935, abs=0.001)

    def test_ten_minute_run(self, clock):
        # Status: 13 polls up to 16.01 s (10 on the backoff, 3 on the beats at 5, 10 and 15 s), then
        # on the beat every 5 s from 20 to 600 s (117): 130. Items: at 120, 240, 360, 480 s (two
        # requests each) and at the end, 600 s: 10. In all 140, 14 a minute (15 with the trigger).
        controller = make(clock, simple_run("r", duration=600))
        [result] = follow(controller, ["r"], wait_timeout=1000)
        assert result.outcome == "passed"
        assert dict(controller.calls) == {"run_status": 130, "run_item_ids": 5, "run_item": 5}
        item_reads = [moment for method, _id, moment in controller.log if method == "run_item"]
        assert item_reads == pytest.approx([120, 240, 360, 480, 600], abs=0.001)
        assert result.elapsed_seconds == pytest.approx(600, abs=0.001)

    def test_terminal_items_are_not_read_again(self, clock):
        # A 300 s run: items read at 120 s (quick ones ended), 240 s (only "slow") and at the end.
        run = FakeRun("r", statuses=[(0, "Executing"), (300, "Finished")], items=[
            FakeItem("quick", statuses=[(0.1, "Running"), (1, "Passed")]),
            FakeItem("quick-fail", flow_title="Checkout", statuses=[(0.1, "Running"), (2, "Failed")]),
            FakeItem("slow", flow_title="Report", statuses=[(0.1, "Running"), (299, "Passed")]),
        ])
        controller = make(clock, run)
        [result] = follow(controller, ["r"])
        assert result.outcome == "failed"
        assert controller.calls_for("run_item", "quick") == 1
        assert controller.calls_for("run_item", "quick-fail") == 1
        assert controller.calls_for("run_item", "slow") == 3
        assert controller.calls["run_item_ids"] == 3
        # The failure details are read as soon as the failure is seen, once.
        assert [(identifier, moment) for method, identifier, moment in controller.log if method == "keyframes"] == [
            ("quick-fail", pytest.approx(120, abs=0.001))]

    def test_keyframes_once_for_each_non_passing_item(self, clock):
        outcomes = ["Passed", "Failed", "Error", "Cancelled", "Done", "Xyz"]
        run = simple_run("r", outcome=outcomes, agents=["A%d" % number for number in range(len(outcomes))], duration=3)
        controller = make(clock, run)
        [result] = follow(controller, ["r"], done_status_as="failed")
        fetched = sorted(identifier for method, identifier, _moment in controller.log if method == "keyframes")
        assert fetched == sorted("r-item-%d" % number for number in range(1, len(outcomes)))
        assert result.items[0].keyframes == []
        assert all(item.keyframes for item in result.items[1:])

    def test_single_read_reads_the_items(self, clock):
        # wait_timeout=0 (run_info without wait): the only poll is the deadline's, so it reads everything.
        controller = make(clock, simple_run("r", duration=100, outcome="Passed", agents=("A1", "A2")))
        clock.advance(1)
        [result] = follow(controller, ["r"], wait_timeout=0)
        assert dict(controller.calls) == {"run_status": 1, "run_item_ids": 1, "run_item": 2}
        assert [item.status for item in result.items] == ["Running", "Running"]

    def test_timed_out_run_is_read_at_the_deadline(self, clock):
        # No item read while executing before 120 s; the deadline's last look reads them.
        controller = make(clock, simple_run("r", duration=1000))
        [result] = follow(controller, ["r"], wait_timeout=30)
        assert result.timed_out
        assert [item.status for item in result.items] == ["Running"]
        # Status polls: 15 on the schedule (the last at 25 s), then the deadline's at 30 s.
        assert dict(controller.calls) == {"run_status": 16, "run_item_ids": 1, "run_item": 1}
        assert [moment for method, _id, moment in controller.log if method == "run_item_ids"] == [30]

    def test_finished_run_with_items_still_going_is_read_until_they_end(self, clock):
        # Finished at 5 s (seen at 5 s, on the beat), its item ends at 12 s: the item list read after
        # Finished is complete, so from then on only the item is read (the status and the list
        # cannot change), as a lagging item is (TestFinishLag): 0.4 s after the read that saw
        # Finished, then after pauses from 0.05 s doubling, and on the beat (5.4, 5.45, 5.55,
        # 5.75, 6.15, 6.95, 8.55 s, the beat at 10 s, then 15 s). The schedule before (the backoff
        # started again by the change to Finished, and the beat) saw it at 13.79 s for 9 reads: a
        # flow still going seconds after its run reads Finished is not what the settle reads are for.
        item = FakeItem("i", statuses=[(0.2, "Running"), (12, "Failed")])
        controller = make(clock, FakeRun("r", statuses=[(0, "Executing"), (5, "Finished")], items=[item]))
        [result] = follow(controller, ["r"])
        assert result.outcome == "failed"
        assert dict(controller.calls) == {"run_status": 7, "run_item_ids": 1, "run_item": 10, "keyframes": 1}
        item_reads = [moment for method, _id, moment in controller.log if method == "run_item"]
        assert item_reads == pytest.approx([5, 5.4, 5.45, 5.55, 5.75, 6.15, 6.95, 8.55, 10, 15], abs=0.001)


class TestDeadline:
    def test_timed_out(self, clock):
        controller = make(clock, simple_run("r", outcome="Passed", duration=1000, agents=("A1", "A2")))
        start = clock()
        [result] = follow(controller, ["r"], wait_timeout=30)
        assert clock() - start == pytest.approx(30)
        assert result.outcome == "timed_out"
        assert result.timed_out is True
        assert result.status == "Executing"
        assert [item.status for item in result.items] == ["Running", "Running"]
        assert result.elapsed_seconds == pytest.approx(30)
        assert "did not finish" in result.message
        assert controller.calls["stop_run"] == 0

    def test_one_deadline_for_all(self, clock):
        controller = make(clock, simple_run("a", duration=10), simple_run("b", duration=1000), simple_run("c", duration=1000))
        start = clock()
        results = follow(controller, ["a", "b", "c"], wait_timeout=45)
        assert clock() - start == pytest.approx(45)
        assert [result.outcome for result in results] == ["passed", "timed_out", "timed_out"]

    def test_stop_on_timeout(self, clock):
        controller = make(clock, simple_run("done", duration=3), simple_run("slow", duration=1000))
        results = follow(controller, ["done", "slow"], wait_timeout=30, stop_on_timeout=True)
        assert [entry[1] for entry in controller.log if entry[0] == "stop_run"] == ["slow"]
        assert results[1].outcome == "timed_out"
        assert "asked the controller to stop it" in results[1].message

    def test_stop_not_confirmed(self, clock):
        controller = make(clock, simple_run("slow", duration=1000), stop_result=False)
        [result] = follow(controller, ["slow"], wait_timeout=30, stop_on_timeout=True)
        assert "did not confirm" in result.message

    def test_stop_errors_are_tolerated(self, clock):
        error = LeapworkHTTPError("Could not stop a run (run slow): the controller reported an internal error (500)", status=500)
        controller = make(clock, simple_run("slow", duration=1000), simple_run("other", duration=1000), stop_error=error)
        results = follow(controller, ["slow", "other"], wait_timeout=30, stop_on_timeout=True)
        assert controller.calls["stop_run"] == 2
        assert all(result.outcome == "timed_out" for result in results)
        assert "could not stop it" in results[0].message
        assert "internal error" in results[0].message

    def test_run_ending_just_before_the_deadline_is_not_timed_out(self, clock):
        # The last regular poll comes well before 29.9 s and the next one would be after 30 s:
        # the deadline itself is a last look.
        controller = make(clock, simple_run("r", duration=29.9))
        [result] = follow(controller, ["r"], wait_timeout=30, stop_on_timeout=True)
        assert result.outcome == "passed"
        assert controller.calls["stop_run"] == 0

    def test_zero_timeout_reads_once(self, clock):
        controller = make(clock, simple_run("r", duration=100))
        [result] = follow(controller, ["r"], wait_timeout=0)
        assert controller.calls["run_status"] == 1
        assert result.timed_out
        assert result.status == "Executing"
        assert clock.sleeps == []

    def test_timed_out_items_seen_so_far(self, clock):
        run = FakeRun("r", statuses=[(0, "Executing")], items=[
            FakeItem("a", statuses=[(0.1, "Running"), (2, "Failed")]),
            FakeItem("b", statuses=[(0.1, "Running")]),
            FakeItem("c", statuses=[(100, "Running")]),
        ])
        [result] = follow(make(clock, run), ["r"], wait_timeout=20)
        assert [(item.run_item_id, item.outcome) for item in result.items] == [("a", "failed"), ("b", "running")]
        assert result.items[0].keyframes


class TestGracePeriod:
    def test_404_while_not_registered(self, clock):
        controller = make(clock, simple_run("r", duration=10, registered_at=4))
        [result] = follow(controller, ["r"])
        assert result.outcome == "passed"
        assert result.status == "Finished"

    def test_500_early(self, clock):
        controller = make(clock, simple_run("r", duration=10, faults=[Fault(0, 6, status=500)]))
        [result] = follow(controller, ["r"])
        assert result.outcome == "passed"

    def test_500_early_after_it_was_seen(self, clock):
        fault = Fault(1, 3, status=500, operations=["run_status"])
        [result] = follow(make(clock, simple_run("r", duration=10, faults=[fault])), ["r"])
        assert result.outcome == "passed"

    def test_404_after_it_was_seen_is_a_disappearance_even_early(self, clock):
        # Once the controller has answered for the run, a 404 means it forgot it (a restart).
        [result] = follow(make(clock, simple_run("r", duration=100, gone_at=2)), ["r"])
        assert result.outcome == "error"
        assert "run r: no longer known to the controller (404)" in result.message
        assert 2 <= result.elapsed_seconds <= 4

    def test_never_registered(self, clock):
        controller = make(clock, simple_run("r", duration=10, registered_at=NEVER))
        [result] = follow(controller, ["r"], grace_seconds=30)
        assert result.outcome == "error"
        assert not result.timed_out
        assert "run r: not known to the controller (404)" in result.message
        assert 30 <= result.elapsed_seconds <= 36

    def test_never_registered_with_a_short_timeout(self, clock):
        [result] = follow(make(clock, simple_run("r", registered_at=NEVER)), ["r"], wait_timeout=10)
        assert result.outcome == "error"
        assert result.timed_out
        assert "404" in result.message


class TestDisappearance:
    def test_run_gone_after_a_restart(self, clock):
        # Gone at 200 s: its items were read at 120 s, and they stay in the report.
        controller = make(clock, simple_run("r", duration=300, gone_at=200))
        [result] = follow(controller, ["r"])
        assert result.outcome == "error"
        assert not result.timed_out
        assert result.message == ("run r: no longer known to the controller (404); was the controller restarted?")
        assert result.status == "Executing"
        assert len(result.items) == 1
        assert 200 <= result.elapsed_seconds <= 206

    def test_other_runs_go_on(self, clock):
        controller = make(clock, simple_run("gone", duration=300, gone_at=50), simple_run("fine", duration=80))
        results = follow(controller, ["gone", "fine"])
        assert [result.outcome for result in results] == ["error", "passed"]

    def test_item_404_is_waited_out(self, clock):
        fault = Fault(3, 8, status=404, operations=["run_item"])
        [result] = follow(make(clock, simple_run("r", duration=50, faults=[fault])), ["r"], grace_seconds=1)
        assert result.outcome == "passed"


class TestTransientErrors:
    @pytest.mark.parametrize("status", [448, 455, 500, 502, 503, 504, None])
    def test_waited_out(self, clock, status):
        fault = Fault(40, 60, status=status)
        controller = make(clock, simple_run("r", duration=100, faults=[fault]))
        [result] = follow(controller, ["r"])
        assert result.outcome == "passed"
        assert any(40 <= moment < 60 for _method, _id, moment in controller.log)

    def test_persisting_until_the_deadline(self, clock):
        fault = Fault(10, NEVER, status=455)
        [result] = follow(make(clock, simple_run("r", duration=100, faults=[fault])), ["r"], wait_timeout=60)
        assert result.outcome == "error"
        assert result.timed_out
        assert "only with errors" in result.message
        assert re.search(r"from 1[0-5](\.\d)? seconds into the wait", result.message)
        assert "455" in result.message
        assert result.status == "Executing"

    def test_is_transient(self):
        assert is_transient(LeapworkConnectionError("x"))
        for status in (448, 455, 500, 502, 503, 504, 429):
            assert is_transient(LeapworkHTTPError("x", status=status))
        for status in (400, 401, 403, 404, 405):
            assert not is_transient(LeapworkHTTPError("x", status=status))
        assert not is_transient(LeapworkError("unexpected answer"))

    @pytest.mark.parametrize("status, at", [(401, 0), (403, 20)])
    def test_access_errors_propagate(self, clock, status, at):
        fault = Fault(at, NEVER, status=status)
        controller = make(clock, simple_run("r", duration=100, faults=[fault]))
        with pytest.raises(LeapworkHTTPError) as caught:
            follow(controller, ["r"])
        assert caught.value.status == status
        assert caught.value.run_id == "r"
        assert clock() - controller.origin < at + 6

    def test_error_for_an_item_gets_the_run_id(self, clock):
        fault = Fault(0, NEVER, status=403, operations=["run_item"])
        with pytest.raises(LeapworkHTTPError) as caught:
            follow(make(clock, simple_run("r", duration=10, faults=[fault])), ["r"])
        assert caught.value.run_id == "r"

    def test_keyframes_404_gives_no_keyframes(self, clock):
        fault = Fault(0, NEVER, status=404, operations=["keyframes"])
        [result] = follow(make(clock, simple_run("r", outcome="Failed", faults=[fault])), ["r"], grace_seconds=0)
        assert result.outcome == "failed"
        assert result.items[0].keyframes == []

    def test_keyframes_transient_error_is_retried(self, clock):
        fault = Fault(0, 8, status=503, operations=["keyframes"])
        controller = make(clock, simple_run("r", outcome="Failed", duration=5, faults=[fault]))
        [result] = follow(controller, ["r"])
        assert result.outcome == "failed"
        assert result.items[0].keyframes
        assert controller.calls["keyframes"] >= 2
        # The item is not read again while its log is retried.
        assert max(moment for method, _id, moment in controller.log if method == "run_item") < 8

    def test_finished_run_is_not_timed_out_for_its_keyframes(self, clock):
        fault = Fault(0, NEVER, status=503, operations=["keyframes"])
        [result] = follow(make(clock, simple_run("r", outcome="Failed", duration=5, faults=[fault])), ["r"], wait_timeout=30)
        assert result.outcome == "failed"
        assert not result.timed_out
        assert result.items[0].keyframes == []


class TestConcurrency:
    def test_many_runs_take_the_time_of_the_longest(self, clock):
        durations = [5.0 * (number + 1) for number in range(20)]
        runs = [simple_run("run-%02d" % number, duration=duration) for number, duration in enumerate(durations)]
        controller = make(clock, *runs)
        run_ids = [run.run_id for run in runs]
        random.Random(7).shuffle(run_ids)
        start = clock()
        results = follow(controller, run_ids, poll_interval=5)
        assert clock() - start <= max(durations) + 6
        assert clock() - start < sum(durations) / 10
        assert [result.run_id for result in results] == run_ids
        assert all(result.outcome == "passed" for result in results)

    def test_calls_really_overlap(self, clock):
        barrier = threading.Barrier(4, timeout=5)

        class BarrierController(FakeController):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.met = set()

            def run_status(self, run_id, deadline=None, retry=True):
                if run_id not in self.met:
                    self.met.add(run_id)
                    barrier.wait()  # raises BrokenBarrierError unless 4 threads are inside at once
                return super().run_status(run_id)

        # A single read reads all four in one round.
        controller = BarrierController(clock, [simple_run("r%d" % number, duration=3) for number in range(4)])
        clock.advance(5)
        results = follow(controller, ["r0", "r1", "r2", "r3"], max_workers=4, wait_timeout=0)
        assert [result.outcome for result in results] == ["passed"] * 4

    def test_max_workers_is_respected(self, clock):
        lock = threading.Lock()
        state = {"inside": 0, "most": 0}

        class CountingController(FakeController):
            def run_status(self, run_id, deadline=None, retry=True):
                with lock:
                    state["inside"] += 1
                    state["most"] = max(state["most"], state["inside"])
                try:
                    return super().run_status(run_id)
                finally:
                    with lock:
                        state["inside"] -= 1

        controller = CountingController(clock, [simple_run("r%d" % number, duration=3) for number in range(10)])
        results = follow(controller, ["r%d" % number for number in range(10)], max_workers=2)
        assert state["most"] <= 2
        assert len(results) == 10

    def test_input_order_and_duplicates(self, clock):
        controller = make(clock, simple_run("a", duration=30), simple_run("b", duration=2, outcome="Failed"))
        results = follow(controller, ["a", "b", "a"])
        assert [result.run_id for result in results] == ["a", "b", "a"]
        assert results[0] is results[2]
        first_round = [identifier for method, identifier, moment in controller.log if method == "run_status" and moment == 0]
        assert sorted(first_round) == ["a", "b"]

    def test_empty(self, clock):
        assert follow(make(clock), []) == []


class TestWaitProblem:
    """The bounds the modules check before any request (and follow_runs raises): one definition."""

    def test_valid(self):
        assert wait_problem(600, 5.0) is None

    def test_zero_timeout_is_valid(self):
        assert wait_problem(0, 5.0) is None

    def test_smallest_poll_interval_is_valid(self):
        assert wait_problem(600, 0.5) is None

    @pytest.mark.parametrize("value", [0.1, 0.49])
    def test_poll_interval_below_the_lower_bound(self, value):
        assert wait_problem(600, value) == "poll_interval must be at least 0.5 seconds, got %s" % value

    def test_negative_wait_timeout(self):
        problem = wait_problem(-1, 5.0)
        assert problem is not None
        assert "wait_timeout" in problem
        assert "-1" in problem

    @pytest.mark.parametrize("value", [0, 0.0, -1, -0.5])
    def test_poll_interval_not_positive(self, value):
        problem = wait_problem(600, value)
        assert problem is not None
        assert "poll_interval" in problem
        assert "wait_timeout" not in problem

    @pytest.mark.parametrize("options", [{"wait_timeout": -1}, {"poll_interval": 0.4}])
    def test_follow_runs_raises_the_same_message(self, clock, options):
        with pytest.raises(ValueError) as raised:
            follow(make(clock), ["r"], **options)
        assert str(raised.value) == wait_problem(options.get("wait_timeout", 600), options.get("poll_interval", 5.0))


class TestArguments:
    @pytest.mark.parametrize("options", [
        {"wait_timeout": -1},
        {"wait_timeout": "10"},
        {"poll_interval": 0},
        {"poll_interval": 0.4},
        {"max_workers": 0},
        {"grace_seconds": -5},
        {"done_status_as": "maybe"},
    ])
    def test_rejected(self, clock, options):
        with pytest.raises(ValueError):
            follow(make(clock), ["r"], **options)


# -- the deadline over the real client, on fake time -----------------------------------------

RUN = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a"
STATUS = "/run/%s/status" % RUN
ITEM_IDS = "/run/%s/runItemIds" % RUN
STOP = "/run/%s/stop" % RUN


def item_path(number):
    return "/runItems/item-%d" % number


def running_item(number):
    return {"RunItemId": "item-%d" % number, "Status": "Running",
            "FlowInfo": {"FlowTitle": "Flow %d" % number}, "AgentInfo": {"AgentTitle": "Agent"}}


class Controller(object):
    """Answers for the real client's fake transport that take fake time, like a slow controller would.

    ``answer(after, outcome)``: the answer comes ``after`` seconds after the request; if the
    request's timeout is shorter, the clock moves by the timeout and a read timeout is raised.
    """

    def __init__(self, clock, network_errors):
        self.clock = clock
        self.network_errors = network_errors

    def answer(self, after, outcome):
        def respond(call):
            if after > call.timeout:
                self.clock.now += call.timeout
                raise self.network_errors.read_timeout()
            self.clock.now += after
            return outcome
        return respond


@pytest.fixture
def controller(fake_clock, network_errors):
    return Controller(fake_clock, network_errors)


def follow_for_real(client, clock, sleep, wait_timeout, **options):
    options.setdefault("stop_on_timeout", True)
    started = clock()
    results = follow_runs(client, [RUN], wait_timeout=wait_timeout, clock=clock, sleep=sleep,
                          last_look_seconds=client.request_timeout, **options)
    return results, clock() - started


def promise(wait_timeout, request_timeout):
    """What the documentation promises; the waiter itself stays within the tighter bound below."""
    bound = wait_timeout + request_timeout + STOP_SECONDS + MIN_REQUEST_TIMEOUT
    assert bound <= wait_timeout + request_timeout + 5
    return bound


class TestDeadlineOverTheClient:
    def test_a_silent_status_does_not_stretch_the_wait(self, make_client, fake_transport, fake_clock, fake_sleep, controller):
        # Issue 8 item 1: wait_timeout 3, request_timeout 2, a status GET answered after 6 s: the
        # client retried each GET 4 times with its own backoff and the task took about 29 s.
        fake_transport.add("GET", STATUS, controller.answer(6, {"Status": "Executing"}))
        fake_transport.add("PUT", STOP, {"OperationCompleted": True})
        client = make_client(clock=fake_clock, request_timeout=2)
        [result], took = follow_for_real(client, fake_clock, fake_sleep, wait_timeout=3)
        assert took <= promise(3, 2)
        assert result.timed_out and result.outcome == "error" and result.unreadable
        assert "read timeout" in result.message and RUN in result.message
        assert "asked the controller to stop it" in result.message
        assert all(call.timeout <= 2 for call in fake_transport.calls)

    def test_a_single_read_under_the_task_deadline_that_has_passed_is_unreadable(
            self, make_client, fake_transport, fake_clock, fake_sleep):
        # run_info without wait reads each run once, with the client's retries under the task's
        # deadline; a run that could not be read before it passed has no reading: it is not "running".
        client = make_client(clock=fake_clock, deadline=Deadline(1, fake_clock, what="3 x request_timeout, 1 s"))
        fake_clock.now += 1
        [result], _took = follow_for_real(client, fake_clock, fake_sleep, wait_timeout=0, retry_reads=True, snapshot=True)
        assert result.unreadable and fake_transport.count == 0
        assert "not sent, the deadline (3 x request_timeout, 1 s) had passed" in result.message

    def test_following_runs_under_the_task_deadline(self, make_client, fake_transport, fake_clock, fake_sleep, controller):
        # The deadline given (the task's, begun before the trigger) ends the follow-up, not
        # wait_timeout counted again from the first poll.
        fake_transport.add("GET", STATUS, {"Status": "Executing"})
        fake_transport.add("GET", ITEM_IDS, {"RunItemIds": []})
        fake_transport.add("PUT", STOP, {"OperationCompleted": True})
        client = make_client(clock=fake_clock, request_timeout=2)
        task_deadline = Deadline(10, fake_clock)
        fake_clock.now += 7  # reads and the trigger took 7 s of the task's 10
        [result], took = follow_for_real(client, fake_clock, fake_sleep, wait_timeout=10, deadline=task_deadline)
        assert result.timed_out
        assert took <= 3 + 2 + STOP_SECONDS

    def test_retry_after_never_pushes_past_the_deadline(self, make_client, fake_transport, fake_clock, fake_sleep):
        busy = fake_transport.Response(503, text="Service Unavailable", headers={"Retry-After": "3600"})
        fake_transport.add("GET", STATUS, busy)
        fake_transport.add("PUT", STOP, busy)
        client = make_client(clock=fake_clock, request_timeout=30)
        [result], took = follow_for_real(client, fake_clock, fake_sleep, wait_timeout=10, poll_interval=5)
        assert took <= promise(10, 30)
        assert took == pytest.approx(10)  # answers come at once: nothing to wait for after the deadline
        assert "503" in result.message and "could not stop it" in result.message
        # The client honours Retry-After only through the waiter: one status request per poll.
        assert len(fake_transport.calls_to("GET", STATUS)) == 2

    def test_retry_after_is_honoured_by_the_waiter(self, make_client, fake_transport, fake_clock, fake_sleep):
        moments = []

        def status(answer):
            def respond(call):
                moments.append(fake_clock.now)
                return answer
            return respond
        busy = fake_transport.Response(429, text="Too many requests", headers={"Retry-After": "4"})
        fake_transport.add("GET", STATUS, status(busy), status({"Status": "Finished"}))
        fake_transport.add("GET", ITEM_IDS, {"RunItemIds": ["item-0"]})
        fake_transport.add("GET", item_path(0), dict(running_item(0), Status="Passed"))
        client = make_client(clock=fake_clock)
        [result], _took = follow_for_real(client, fake_clock, fake_sleep, wait_timeout=60)
        assert result.outcome == "passed"
        assert moments[1] - moments[0] >= 4

    def test_slow_answers_for_many_items_stay_within_the_deadline(self, make_client, fake_transport, fake_clock, fake_sleep,
                                                                  controller):
        # Every answer comes just within the request timeout: a poll of twelve items takes 23 s,
        # but nothing is sent once the deadline has passed.
        fake_transport.add("GET", STATUS, controller.answer(1.9, {"Status": "Executing"}))
        fake_transport.add("GET", ITEM_IDS, controller.answer(1.9, {"RunItemIds": ["item-%d" % number for number in range(12)]}))
        for number in range(12):
            fake_transport.add("GET", item_path(number), controller.answer(1.9, running_item(number)))
        fake_transport.add("PUT", STOP, controller.answer(1.9, {"OperationCompleted": True}))
        client = make_client(clock=fake_clock, request_timeout=2)
        [result], took = follow_for_real(client, fake_clock, fake_sleep, wait_timeout=5)
        assert took <= promise(5, 2)
        assert result.timed_out and result.status == "Executing"
        assert "asked the controller to stop it" in result.message

    def test_a_silent_stop_is_bounded(self, make_client, fake_transport, fake_clock, fake_sleep, controller):
        fake_transport.add("GET", STATUS, {"Status": "Executing"})
        fake_transport.add("GET", ITEM_IDS, {"RunItemIds": []})
        fake_transport.add("PUT", STOP, controller.answer(600, {"OperationCompleted": True}))
        client = make_client(clock=fake_clock, request_timeout=30)
        [result], took = follow_for_real(client, fake_clock, fake_sleep, wait_timeout=20)
        assert took == pytest.approx(20 + STOP_SECONDS)
        assert "could not stop it" in result.message and "read timeout" in result.message
        assert result.outcome == "timed_out"

    def test_stops_past_their_budget_are_not_sent(self, make_client, fake_transport, fake_clock, fake_sleep, controller):
        run_ids = ["run-%d" % number for number in range(3)]
        for run_id in run_ids:
            fake_transport.add("GET", "/run/%s/status" % run_id, {"Status": "Executing"})
            fake_transport.add("GET", "/run/%s/runItemIds" % run_id, {"RunItemIds": []})
            fake_transport.add("PUT", "/run/%s/stop" % run_id, controller.answer(600, {"OperationCompleted": True}))
        client = make_client(clock=fake_clock, request_timeout=30)
        started = fake_clock()
        results = follow_runs(client, run_ids, wait_timeout=20, clock=fake_clock, sleep=fake_sleep, max_workers=1,
                              stop_on_timeout=True, last_look_seconds=30)
        assert fake_clock() - started <= promise(20, 30)
        assert "could not stop it" in results[0].message
        assert "the 2.5 s allowed for stopping runs had passed" in results[-1].message

    def test_a_connection_refused_throughout(self, make_client, fake_transport, fake_clock, fake_sleep, network_errors):
        fake_transport.add("GET", STATUS, network_errors.refused())
        fake_transport.add("PUT", STOP, network_errors.refused())
        client = make_client(clock=fake_clock, request_timeout=30)
        [result], took = follow_for_real(client, fake_clock, fake_sleep, wait_timeout=30, poll_interval=5)
        assert took == pytest.approx(30)
        assert result.unreadable and "connection could not be established" in result.message
        assert fake_sleep.calls and max(fake_sleep.calls) <= 5


class TestGarbledAnswers:
    """Issue 8 item 9: a 200 that cannot be understood ended the whole wait and left runs running."""

    @pytest.mark.parametrize("status_answer, item_ids_answer", [
        ({"text": "<html><body>Please log in to the proxy</body></html>"}, None),
        ({"json_body": {"Status": None}}, None),
        (None, {"json_body": {"RunItemIds": "item-0"}}),
        (None, {"text": "{\"RunItemIds\": ["}),
    ])
    def test_waited_out_like_a_502(self, make_client, fake_transport, fake_clock, fake_sleep, status_answer, item_ids_answer):
        garbled_status = [fake_transport.Response(200, **status_answer)] * 3 if status_answer else []
        garbled_ids = [fake_transport.Response(200, **item_ids_answer)] * 3 if item_ids_answer else []
        fake_transport.add("GET", STATUS, *(garbled_status + [{"Status": "Finished"}]))
        fake_transport.add("GET", ITEM_IDS, *(garbled_ids + [{"RunItemIds": ["item-0"]}]))
        fake_transport.add("GET", item_path(0), dict(running_item(0), Status="Passed"))
        client = make_client(clock=fake_clock)
        [result], _took = follow_for_real(client, fake_clock, fake_sleep, wait_timeout=60)
        assert result.outcome == "passed"

    def test_a_run_that_stays_garbled_ends_as_an_error_with_its_id(self, make_client, fake_transport, fake_clock, fake_sleep):
        fake_transport.add("GET", STATUS, fake_transport.Response(200, text="<html>gateway</html>"))
        fake_transport.add("PUT", STOP, {"OperationCompleted": True})
        client = make_client(clock=fake_clock)
        [result], took = follow_for_real(client, fake_clock, fake_sleep, wait_timeout=20)
        assert took == pytest.approx(20)
        assert result.outcome == "error" and result.unreadable and result.timed_out
        assert result.message.startswith("run %s: the controller answered only with errors" % RUN)
        assert "not JSON" in result.message and "gateway" in result.message
        # It was asked to stop, since it may well be running.
        assert len(fake_transport.calls_to("PUT", STOP)) == 1

    def test_garbled_keyframes_are_read_again(self, make_client, fake_transport, fake_clock, fake_sleep):
        fake_transport.add("GET", STATUS, {"Status": "Finished"})
        fake_transport.add("GET", ITEM_IDS, {"RunItemIds": ["item-0"]})
        fake_transport.add("GET", item_path(0), dict(running_item(0), Status="Failed"))
        fake_transport.add("GET", item_path(0) + "/keyframes", {"not": "a list"},
                           [{"Level": "Error", "LogMessage": "Total is wrong"}])
        client = make_client(clock=fake_clock)
        [result], _took = follow_for_real(client, fake_clock, fake_sleep, wait_timeout=60)
        assert result.outcome == "failed"
        assert result.items[0].keyframes[0]["message"] == "Total is wrong"


class TestSnapshot:
    """A single read without waiting: runs not over are still going, with no verdict, and nothing is stopped."""

    def test_going_runs(self, clock):
        controller = make(clock, simple_run("executing", duration=60), simple_run("queued", queued=60),
                          simple_run("done", duration=0.5))
        clock.advance(1)
        results = follow(controller, ["executing", "queued", "done"], wait_timeout=0, snapshot=True, stop_on_timeout=True,
                         retry_reads=True, grace_seconds=0)
        assert [result.outcome for result in results] == ["running", "queued", "passed"]
        assert [result.timed_out for result in results] == [False, False, False]
        assert results[0].message == "run executing is still going (status: Executing)"
        assert controller.calls["stop_run"] == 0

    def test_a_failed_read_is_an_error_not_going(self, clock):
        controller = make(clock, simple_run("r", duration=60, faults=[Fault(0, NEVER, status=503)]))
        [result] = follow(controller, ["r"], wait_timeout=0, snapshot=True, grace_seconds=0)
        assert (result.outcome, result.timed_out, result.unreadable) == ("error", False, True)
        assert "answered only with errors" in result.message

    def test_without_snapshot_the_same_read_is_timed_out(self, clock):
        controller = make(clock, simple_run("r", duration=60))
        [result] = follow(controller, ["r"], wait_timeout=0)
        assert (result.outcome, result.timed_out) == ("timed_out", True)
