# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Agent pools on fake time: which agent runs which flow, one of our runs per agent, the bounds."""

import itertools
import threading

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkHTTPError
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import Ledger
from ansible_collections.leapops.leapwork.plugins.module_utils._pool import Dispatcher, Pool, deal, worth_another_attempt
from ansible_collections.leapops.leapwork.plugins.module_utils._trigger import RunRequest, Trigger
from ansible_collections.leapops.leapwork.plugins.module_utils._waiter import follow_runs
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import (
    FakeClock,
    FakeController,
    FakeItem,
    FakeRun,
)

AGENTS = ["a0000000-0000-4000-8000-00000000000%d" % number for number in range(1, 5)]
URL = "https://leapwork.example:9001"
RUN_NUMBERS = itertools.count(1)


def flow(number):
    return "f0000000-0000-4000-8000-%012d" % number


class PoolController(FakeController):
    """A fake controller that starts runs: each flow takes ``durations[flow_id]`` s (its item's
    ``ElapsedSeconds``); one run at a time per agent is ours to keep. A trigger sent one at a time
    (the dispatcher's on the waiter's thread, as a run ends) takes ``latency`` s, the run starting
    as it is received; those sent side by side at the start take no time."""

    def __init__(self, clock, durations, outcomes=None, refuse_on=(), latency=0.0):
        super(PoolController, self).__init__(clock)
        self.durations = durations
        self.outcomes = outcomes or {}
        self.refuse_on = set(refuse_on)
        self.latency = latency
        self.started = []  # (flow_id, agent_id, run_id, start, end) in seconds since the origin

    def trigger_flow(self, flow_id, agent_id, variables=None, delete_schedule=False):
        moment = self._record("trigger_flow", flow_id)
        if agent_id in self.refuse_on:
            raise LeapworkHTTPError("Could not start the flow: HTTP 500", operation="trigger", status=500)
        run_id = "run-%d" % next(RUN_NUMBERS)
        end = moment + self.durations[flow_id]
        item = FakeItem(run_id + "-item", flow_id=flow_id, agent_id=agent_id, flow_title=flow_id[-2:],
                        statuses=[(moment, "Running"), (end, self.outcomes.get(flow_id, "Passed"))],
                        elapsed_seconds=self.durations[flow_id])
        self.add_run(FakeRun(run_id, statuses=[(moment, "Executing"), (end, "Finished")], items=[item]))
        self.started.append((flow_id, agent_id, run_id, moment, end))
        if threading.current_thread() is threading.main_thread():
            self.clock.advance(self.latency)
        return run_id


def requests_for(flows, pool, key=None):
    return [RunRequest(flow_id, None, idempotency_key=key, label="runs[%d]" % index, pool=pool)
            for index, flow_id in enumerate(flows)]


def dispatch(controller, requests, max_concurrency=8, wait_timeout=600, ledger=None, poll_interval=5):
    trigger = Trigger(controller, URL, ledger=ledger)
    dispatcher = Dispatcher(trigger, requests, max_concurrency)
    results = follow_runs(controller, dispatcher.start(), wait_timeout=wait_timeout, poll_interval=poll_interval,
                          clock=controller.clock, sleep=controller.clock.sleep, on_over=dispatcher.on_over,
                          agents=dispatcher.agents)
    dispatcher.not_started("the wait_timeout passed")
    return dispatcher, results


def overlaps(intervals):
    """The largest number of intervals going at one moment."""
    events = sorted([(start, 1) for start, _end in intervals] + [(end, -1) for _start, end in intervals])
    peak = going = 0
    for _moment, change in events:
        going += change
        peak = max(peak, going)
    return peak


class TestPool:
    def test_the_key_names_the_agents_asked_for_in_any_order(self):
        assert Pool(AGENTS[:3]).key == Pool(list(reversed(AGENTS[:3]))).key
        assert Pool(AGENTS[:3]).key != Pool(AGENTS[:2]).key
        pool = Pool(AGENTS[:3])
        pool.leave_out({AGENTS[1]: "agent 'B' is Unavailable"})
        assert pool.key == Pool(AGENTS[:3]).key  # an agent down today does not make the flows new
        assert pool.available == [AGENTS[0], AGENTS[2]]
        assert "agent 'B' is Unavailable" in pool.warning() and "1 of the pool's 3 agents" in pool.warning()

    def test_deal_spreads_in_turn(self):
        assert [agent for _request, agent in deal(list("abcde"), AGENTS[:2])] == [AGENTS[0], AGENTS[1]] * 2 + [AGENTS[0]]


class TestDispatchWithWait:
    def test_the_next_flow_goes_to_the_agent_that_just_finished(self):
        clock = FakeClock()
        durations = dict((flow(number), seconds) for number, seconds in enumerate([40, 10, 10, 10, 10, 10, 30, 5], 1))
        controller = PoolController(clock, durations)
        pool = Pool(AGENTS[:3])
        dispatcher, results = dispatch(controller, requests_for(sorted(durations), pool))
        placed = dict((flow_id, agent_id) for flow_id, agent_id, _run, _start, _end in controller.started)
        # 40 s on the first agent; every other flow goes to the two others as they free up: the first
        # agent is busy until 40 s, when the last flow has started already.
        assert placed[flow(1)] == AGENTS[0]
        assert set(placed[flow(number)] for number in range(2, 9)) == set(AGENTS[1:3])
        for agent in AGENTS[:3]:
            assert overlaps([(start, end) for _f, agent_id, _r, start, end in controller.started if agent_id == agent]) == 1
        starts = dict((flow_id, start) for flow_id, _agent, _run, start, _end in controller.started)
        # The 10 s flows start at 0, 10, 10, 20 and 20 s; the 30 s flow at 20 s, the 5 s one at 30 s:
        # each hand-over costs at most the pause between two polls of the ending run (under 2 s here).
        for flow_id, planned in zip(sorted(durations), [0, 0, 0, 10, 10, 20, 20, 30]):
            assert planned <= starts[flow_id] <= planned + 2.0 * (planned // 10), flow_id
        assert max(end for *_rest, end in controller.started) <= 50 + 2.0 * 2
        assert all(result.outcome == "passed" for result in results) and len(results) == 8
        assert [result.request.agent_id for result in dispatcher.results] == [placed[flow_id] for flow_id in sorted(durations)]
        # The waiter is told where each run started: on an agent of ours, alone there.
        assert dispatcher.agents == dict((run_id, agent_id) for _f, agent_id, run_id, _s, _e in controller.started)

    def test_max_concurrency_bounds_our_runs_going(self):
        clock = FakeClock()
        durations = dict((flow(number), 10) for number in range(1, 7))
        controller = PoolController(clock, durations)
        dispatch(controller, requests_for(sorted(durations), Pool(AGENTS)), max_concurrency=2)
        assert overlaps([started[3:] for started in controller.started]) == 2
        assert len(controller.started) == 6

    def test_a_trigger_that_fails_retires_its_agent(self):
        clock = FakeClock()
        durations = dict((flow(number), 10) for number in range(1, 5))
        controller = PoolController(clock, durations, refuse_on=[AGENTS[1]])
        dispatcher, _results = dispatch(controller, requests_for(sorted(durations), Pool(AGENTS[:2])))
        results = dispatcher.results
        assert "HTTP 500" in results[1].error and results[1].request.agent_id == AGENTS[1]
        assert [agent for _f, agent, *_rest in controller.started] == [AGENTS[0]] * 3  # never on the refusing agent again
        assert controller.calls["trigger_flow"] == 4

    def test_flows_not_started_by_the_deadline_say_so(self):
        clock = FakeClock()
        durations = dict((flow(number), 100) for number in range(1, 4))
        controller = PoolController(clock, durations)
        dispatcher, results = dispatch(controller, requests_for(sorted(durations), Pool(AGENTS[:1])), wait_timeout=150)
        assert [result.error for result in dispatcher.results] == [None, None, "not started: the wait_timeout passed"]
        assert [result.outcome for result in results] == ["passed", "timed_out"]

    def test_a_run_reused_from_the_ledger_takes_no_agent(self, tmp_path):
        clock = FakeClock()
        durations = dict((flow(number), 10) for number in range(1, 4))
        ledger = Ledger(str(tmp_path / "ledger.json"))
        first = PoolController(clock, durations)
        pool = Pool(AGENTS[:2])
        dispatch(first, requests_for(sorted(durations), pool, key="v1"), ledger=ledger)
        second = PoolController(clock, durations)
        for run in first.runs.values():
            second.add_run(run)
        dispatcher, results = dispatch(second, requests_for(sorted(durations), Pool(list(reversed(AGENTS[:2]))), key="v1"),
                                       ledger=ledger)
        assert second.calls["trigger_flow"] == 0
        assert [result.reused for result in dispatcher.results] == [True] * 3
        assert dispatcher.agents == {}  # a reused run runs wherever it ran: the waiter follows it as any run
        # Each reused run reports the agent it ran on, recorded in the ledger with it.
        ran_on = dict((run_id, agent) for _f, agent, run_id, _s, _e in first.started)
        assert [result.request.agent_id for result in dispatcher.results] == [ran_on[result.run_id] for result in dispatcher.results]
        assert len(results) == 3


class TestSpread:
    def test_without_wait_every_flow_starts_at_once_dealt_in_turn(self):
        clock = FakeClock()
        durations = dict((flow(number), 10) for number in range(1, 6))
        controller = PoolController(clock, durations)
        pool = Pool(AGENTS[:2])
        results = Dispatcher(Trigger(controller, URL), requests_for(sorted(durations), pool)).spread()
        assert [result.request.agent_id for result in results] == [AGENTS[0], AGENTS[1]] * 2 + [AGENTS[0]]
        assert controller.calls["trigger_flow"] == 5 and all(result.changed for result in results)

    def test_identical_keyed_items_start_once(self, tmp_path):
        clock = FakeClock()
        controller = PoolController(clock, {flow(1): 10})
        pool = Pool(AGENTS[:2])
        requests = requests_for([flow(1), flow(1)], pool, key="v1")
        results = Dispatcher(Trigger(controller, URL, ledger=Ledger(str(tmp_path / "l.json"))), requests).spread()
        assert controller.calls["trigger_flow"] == 1
        assert results[0].run_id == results[1].run_id and results[1].request.label == "runs[1]"
        assert results[1].request.agent_id == results[0].request.agent_id == AGENTS[0]


class RetryController(PoolController):
    """Outcomes by attempt (``attempts[flow_id]``: one status per attempt, the last repeats) and by agent."""

    def __init__(self, clock, durations, attempts=None, on_agents=None, **options):
        super(RetryController, self).__init__(clock, durations, **options)
        self.attempts = attempts or {}
        self.on_agents = on_agents or {}

    def trigger_flow(self, flow_id, agent_id, variables=None, delete_schedule=False):
        earlier = len([started for started in self.started if started[0] == flow_id])
        statuses = self.attempts.get(flow_id, ["Passed"])
        self.outcomes[flow_id] = self.on_agents.get((flow_id, agent_id), statuses[min(earlier, len(statuses) - 1)])
        return super(RetryController, self).trigger_flow(flow_id, agent_id, variables, delete_schedule)


def dispatch_retries(controller, requests, retries, ledger=None, wait_timeout=600):
    trigger = Trigger(controller, URL, ledger=ledger)
    dispatcher = Dispatcher(trigger, requests, 8, retries=retries, retryable=worth_another_attempt)
    results = follow_runs(controller, dispatcher.start(), wait_timeout=wait_timeout, poll_interval=5,
                          clock=controller.clock, sleep=controller.clock.sleep, on_over=dispatcher.on_over,
                          agents=dispatcher.agents)
    return dispatcher, dict((result.run_id, result) for result in results)


def attempt_agents(dispatcher, index=0):
    return [attempt["agent_id"] for attempt in dispatcher.results[index].attempts]


class TestRetries:
    def test_a_failed_flow_runs_again_on_another_free_agent(self):
        controller = RetryController(FakeClock(), {flow(1): 10}, attempts={flow(1): ["Failed", "Passed"]})
        dispatcher, followed = dispatch_retries(controller, requests_for([flow(1)], Pool(AGENTS[:2])), retries=2)
        assert attempt_agents(dispatcher) == [AGENTS[0], AGENTS[1]]
        assert [followed[attempt["run_id"]].outcome for attempt in dispatcher.results[0].attempts] == ["failed", "passed"]
        assert dispatcher.results[0].run_id == dispatcher.results[0].attempts[-1]["run_id"]
        assert dispatcher.chains() == [[attempt["run_id"] for attempt in dispatcher.results[0].attempts]]

    def test_a_flow_that_fails_on_one_agent_passes_on_the_next(self):
        controller = RetryController(FakeClock(), {flow(1): 10, flow(2): 10}, on_agents={(flow(1), AGENTS[0]): "Error"})
        dispatcher, followed = dispatch_retries(controller, requests_for([flow(1), flow(2)], Pool(AGENTS[:3])), retries=1)
        # The third agent was free: the second attempt went there, not back to the agent that erred.
        assert attempt_agents(dispatcher) == [AGENTS[0], AGENTS[2]]
        assert followed[dispatcher.results[0].run_id].outcome == "passed"
        assert len(dispatcher.results[1].attempts) == 1

    def test_with_no_other_agent_free_the_same_agent_runs_it_again(self):
        controller = RetryController(FakeClock(), {flow(1): 10}, attempts={flow(1): ["Failed", "Passed"]})
        dispatcher, _followed = dispatch_retries(controller, requests_for([flow(1)], Pool(AGENTS[:1])), retries=1)
        assert attempt_agents(dispatcher) == [AGENTS[0], AGENTS[0]]

    def test_retries_stop_at_the_limit_and_a_flow_with_its_agent_stays_there(self):
        controller = RetryController(FakeClock(), {flow(1): 10}, attempts={flow(1): ["Failed"]})
        requests = [RunRequest(flow(1), AGENTS[3], label="runs[0]", pool=Pool(AGENTS[:2]))]
        dispatcher, followed = dispatch_retries(controller, requests, retries=2)
        assert attempt_agents(dispatcher) == [AGENTS[3]] * 3
        assert [followed[attempt["run_id"]].outcome for attempt in dispatcher.results[0].attempts] == ["failed"] * 3

    @pytest.mark.parametrize("status, attempts", [("Cancelled", 1), ("Passed", 1), ("Error", 2), ("Inconclusive", 2)])
    def test_only_failed_and_error_run_again(self, status, attempts):
        controller = RetryController(FakeClock(), {flow(1): 10}, attempts={flow(1): [status, "Passed"]})
        dispatcher, _followed = dispatch_retries(controller, requests_for([flow(1)], Pool(AGENTS[:2])), retries=3)
        assert len(dispatcher.results[0].attempts) == attempts

    def test_a_run_that_timed_out_does_not_run_again(self):
        controller = RetryController(FakeClock(), {flow(1): 100}, attempts={flow(1): ["Failed", "Passed"]})
        dispatcher, followed = dispatch_retries(controller, requests_for([flow(1)], Pool(AGENTS[:2])), retries=3, wait_timeout=50)
        assert len(dispatcher.results[0].attempts) == 1 and followed[dispatcher.results[0].run_id].outcome == "timed_out"

    def test_every_attempt_is_in_the_ledger_and_a_second_play_starts_nothing(self, tmp_path):
        ledger = Ledger(str(tmp_path / "ledger.json"))
        first = RetryController(FakeClock(), {flow(1): 10, flow(2): 10}, attempts={flow(1): ["Failed", "Error", "Passed"]})
        dispatcher, _followed = dispatch_retries(first, requests_for([flow(1), flow(2)], Pool(AGENTS[:2]), key="v1"), 3,
                                                 ledger=ledger)
        recorded = dispatcher.results[0].attempts
        assert len(recorded) == 3
        second = RetryController(first.clock, {flow(1): 10, flow(2): 10})
        for run in first.runs.values():
            second.add_run(run)
        again, followed = dispatch_retries(second, requests_for([flow(1), flow(2)], Pool(AGENTS[:2]), key="v1"), 3, ledger=ledger)
        assert second.calls["trigger_flow"] == 0
        assert again.results[0].attempts == recorded and again.results[0].reused
        assert [followed[attempt["run_id"]].outcome for attempt in recorded] == ["failed", "error", "passed"]
        assert again.chains()[0] == [attempt["run_id"] for attempt in recorded]

    def test_a_play_cut_short_goes_on_with_the_attempts_left(self, tmp_path):
        ledger = Ledger(str(tmp_path / "ledger.json"))
        first = RetryController(FakeClock(), {flow(1): 10}, attempts={flow(1): ["Failed", "Failed", "Passed"]})
        dispatch_retries(first, requests_for([flow(1)], Pool(AGENTS[:2]), key="v1"), 0, ledger=ledger)
        second = RetryController(first.clock, {flow(1): 10}, attempts={flow(1): ["Passed"]})
        for run in first.runs.values():
            second.add_run(run)
        again, followed = dispatch_retries(second, requests_for([flow(1)], Pool(AGENTS[:2]), key="v1"), 1, ledger=ledger)
        # The recorded attempt failed and one more is allowed: it runs, and is recorded after the first.
        assert second.calls["trigger_flow"] == 1
        assert [followed[attempt["run_id"]].outcome for attempt in again.results[0].attempts] == ["failed", "passed"]
        assert [attempt["run_id"] for attempt in ledger.recorded_attempts(
            URL, again.results[0].request.ledger_target(), "v1")] == [attempt["run_id"] for attempt in again.results[0].attempts]


@pytest.mark.parametrize("agent_id, pool, expected", [
    (AGENTS[0], None, AGENTS[0]),
    (None, Pool(AGENTS[:2]), None),
    (AGENTS[2], Pool(AGENTS[:2]), AGENTS[2]),  # an item's own agent wins over the pool
])
def test_a_request_runs_on_its_agent_or_the_pool(agent_id, pool, expected):
    request = RunRequest(flow(1), agent_id, pool=pool)
    assert request.agent_id == expected
    assert (request.pool is not None) == (expected is None)
    assert request.ledger_target().kind == ("pool" if expected is None else "flow")


POOL_OF_EIGHT = ["a0000000-0000-4000-8000-0000000001%02d" % number for number in range(1, 9)]
# 24 flows, 1 to 10 s, 136 s in all (tests/bench/pools.py): in this order on four agents the best makespan is 34 s.
UNEVEN_MIX = [8, 10, 2, 3, 9, 6, 6, 6, 5, 10, 4, 5, 10, 7, 2, 9, 5, 1, 4, 8, 7, 5, 3, 1]
TRIGGER_SECONDS = 0.02  # each trigger the dispatcher sends as a run ends (fake time)


def hand_over(durations, agents):
    """Run ``durations`` (one flow each, in order) over a pool of ``agents``; the controller, and each
    hand-over's lag (the next run's start on an agent less the end of the run before it there)."""
    flows = [flow(number) for number in range(1, len(durations) + 1)]
    controller = PoolController(FakeClock(), dict(zip(flows, durations)), latency=TRIGGER_SECONDS)
    _dispatcher, results = dispatch(controller, requests_for(flows, Pool(agents)))
    assert [result.outcome for result in results] == ["passed"] * len(durations)
    by_agent = {}
    for _flow, agent_id, _run, start, end in controller.started:
        by_agent.setdefault(agent_id, []).append((start, end))
    lags = [later[0] - earlier[1] for runs in by_agent.values() for earlier, later in zip(runs, runs[1:])]
    return controller, lags


class TestHandOver:
    """The run started on an agent that just finished is polled near its likely end (the durations
    seen so far in the task), not at once: the next hand-over comes as soon as the trigger before it
    is sent, for one status read when the durations repeat. The scenarios of tests/bench/pools.py,
    on fake time (main before this: 211 and 131 status reads, hand-overs up to 1.2 and 3 s late)."""

    def test_forty_flows_of_five_seconds_on_eight_agents(self):
        controller, lags = hand_over([5] * 40, POOL_OF_EIGHT)
        # The first eight: a herd (two scouts, six trailing), seen over on the beat at 5 s. Every
        # later run: one status read, 5 s after it was started, that sees it Finished.
        assert dict(controller.calls) == {"trigger_flow": 40, "run_status": 20 + 32, "run_item_ids": 40, "run_item": 40}
        assert controller.request_count / 40.0 == pytest.approx(4.3)
        # Every hand-over waits for its own trigger (0.02 s) and those sent before it in the round
        # the first wave was seen over in (eight one after another: 0.14 s for the last).
        assert sorted(round(lag, 2) for lag in lags) == [0.0] + [0.02] * 25 + [0.04, 0.06, 0.08, 0.1, 0.12, 0.14]
        assert controller.elapsed() == pytest.approx(25.22)  # 25 s of flows on each agent

    def test_twenty_four_flows_of_one_to_ten_seconds_on_four_agents(self):
        controller, lags = hand_over(UNEVEN_MIX, AGENTS)
        assert dict(controller.calls) == {"trigger_flow": 24, "run_status": 86, "run_item_ids": 24, "run_item": 24}
        assert controller.request_count / 24.0 == pytest.approx(6.58, abs=0.01)
        # A duration seen before gets a poll at its end when it is frequent enough (see poll_plan); a
        # rare or new one is seen at the next planned moment. The 3 s: the first wave's trailing runs.
        assert sorted(round(lag, 2) for lag in lags) == [0.0] + [0.02] * 7 + [0.61, 0.79] + [1.02] * 5 + [2.02] * 4 + [3.0]
        assert controller.elapsed() == pytest.approx(40.1)  # the best makespan is 34 s
