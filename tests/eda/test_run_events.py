# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The event source's ``main`` on a queue, against the emulator over HTTP (fake sleep, real requests)."""

import asyncio
import json
import logging
import os
import runpy
import shutil
import socket
import stat

import pytest

from conftest import (
    ACCESS_KEY,
    AGENT_WIN2,
    SCHEDULE_LEAKY,
    SCHEDULE_REGRESSION,
    SCHEDULE_SMOKE,
    SCHEDULE_TWIN_A,
    SCHEDULE_TWIN_B,
    finished,
    run_flow,
    run_now,
    source_path,
    until,
)


def args_for(emulator, **more):
    args = {"controller_url": emulator.url, "access_key": ACCESS_KEY, "poll_interval": 0.5}
    args.update(more)
    return args


class Running(object):
    """``main`` running as a task; ``events`` is what it queued so far."""

    def __init__(self, source, args, sleep, jitter=lambda: 1.0):
        self.queue = asyncio.Queue()
        self.sleep = sleep
        self.task = asyncio.ensure_future(source["main"](self.queue, args, sleep=sleep, jitter=jitter))
        self.events = []

    def drain(self):
        while not self.queue.empty():
            self.events.append(self.queue.get_nowait())
        return self.events

    async def event_for(self, run_id, timeout=20.0):
        def seen():
            if self.task.done():
                self.task.result()  # raises what ended it
            return any(event["leapwork"]["run_id"] == run_id for event in self.drain())
        await until(seen, timeout)
        return [event for event in self.events if event["leapwork"]["run_id"] == run_id][0]

    async def looks(self, count):
        """Let ``count`` more looks at the controller happen."""
        target = len(self.sleep.pauses) + count
        await until(lambda: len(self.sleep.pauses) >= target or self.task.done())

    async def cancel(self):
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task
        return self.drain()


def run_ids_of(events):
    return [event["leapwork"]["run_id"] for event in events]


def stop_message(source, args, sleep):
    """The message of the ``RunEventsError`` that ``main`` stops with, for ``args``."""
    async def scenario():
        running = Running(source, args, sleep)
        with pytest.raises(source["RunEventsError"]) as caught:
            await asyncio.wait_for(running.task, 20)
        return str(caught.value)

    return asyncio.run(scenario())


def test_one_event_per_finished_run(source, emulator, fake_sleep):
    async def scenario():
        running = Running(source, args_for(emulator, schedules=["Regression suite"], hosts="web1"), fake_sleep)
        await running.looks(1)
        first = run_now(emulator, SCHEDULE_REGRESSION)
        event = await running.event_for(first)
        await until(lambda: finished(emulator, first))
        second = run_now(emulator, SCHEDULE_REGRESSION)
        await running.event_for(second)
        await running.looks(3)
        return event, await running.cancel(), first, second

    event, events, first, second = asyncio.run(scenario())
    assert run_ids_of(events) == [first, second]
    data = event["leapwork"]
    assert data["type"] == "run_finished"
    assert data["schedule"] == {"id": SCHEDULE_REGRESSION, "title": "Regression suite"}
    assert data["flow"] is None
    assert data["status"] == "Finished"
    assert data["outcome"] == "error"  # Failed, Error and Inconclusive: the worst, as the modules decide it
    assert data["summary"] == {"total": 3, "passed": 0, "failed": 1, "errors": 2, "cancelled": 0, "flaky": 0}
    assert data["controller_url"] == emulator.url
    assert event["meta"] == {"hosts": ["web1"]}
    titles = [flow["flow_title"] for flow in data["failed_flows"]]
    assert titles == ["Checkout fails", "Payment errors", "Search inconclusive"]
    assert data["failed_flows_truncated"] is False


def test_outcome_and_summary_are_the_modules_own(source, emulator, fake_sleep):
    """The event's outcome and summary are the collection's one verdict, its message the waiter's, as run_info has them."""
    async def scenario():
        run_id = run_now(emulator, SCHEDULE_REGRESSION)
        await until(lambda: finished(emulator, run_id))
        running = Running(source, args_for(emulator, run_ids=[run_id], exit_when_done=True), fake_sleep)
        await asyncio.wait_for(running.task, 20)
        return run_id, running.drain()

    run_id, events = asyncio.run(scenario())
    client = source["_client"].LeapworkClient(emulator.url, ACCESS_KEY)
    followed = source["_waiter"].follow_runs(client, [run_id], wait_timeout=10)
    expected = source["_results"].verdict(followed)
    data = events[0]["leapwork"]
    assert (data["outcome"], data["summary"], data["message"]) == (expected.outcome, expected.summary, followed[0].message)
    assert data["outcome"] == "error"


def test_finished_runs_at_start_are_the_baseline(source, emulator, fake_sleep):
    async def scenario():
        old = run_now(emulator, SCHEDULE_REGRESSION)
        await until(lambda: finished(emulator, old))
        running = Running(source, args_for(emulator, schedules=[SCHEDULE_REGRESSION]), fake_sleep)
        await running.looks(2)
        new = run_now(emulator, SCHEDULE_REGRESSION)
        await running.event_for(new)
        await running.looks(2)
        return old, new, await running.cancel()

    old, new, events = asyncio.run(scenario())
    assert run_ids_of(events) == [new]


def test_run_going_at_start_is_followed(source, emulator, fake_sleep):
    async def scenario():
        going = run_now(emulator, SCHEDULE_REGRESSION)
        running = Running(source, args_for(emulator, schedules=["regression SUITE"]), fake_sleep)
        await running.event_for(going)
        return going, await running.cancel()

    going, events = asyncio.run(scenario())
    assert run_ids_of(events) == [going]


def test_restart_with_state_file_emits_only_the_runs_missed(source, emulator, fake_sleep, tmp_path):
    state_file = str(tmp_path / "state.json")
    args = args_for(emulator, schedules=["Regression suite"], state_file=state_file)

    async def scenario():
        baseline = run_now(emulator, SCHEDULE_REGRESSION)
        await until(lambda: finished(emulator, baseline))
        running = Running(source, args, fake_sleep)
        await running.looks(1)
        seen = run_now(emulator, SCHEDULE_REGRESSION)
        await running.event_for(seen)
        before = await running.cancel()
        missed = []
        for _index in range(2):  # while the source is down
            missed.append(run_now(emulator, SCHEDULE_REGRESSION))
            await until(lambda: finished(emulator, missed[-1]))
        running = Running(source, args, fake_sleep)
        for run_id in missed:
            await running.event_for(run_id)
        await running.looks(3)
        return baseline, seen, missed, before, await running.cancel()

    baseline, seen, missed, before, after = asyncio.run(scenario())
    assert run_ids_of(before) == [seen]
    assert run_ids_of(after) == missed
    assert stat.S_IMODE(os.stat(state_file).st_mode) == 0o600
    with open(state_file, encoding="utf-8") as handle:
        text = handle.read()
    assert ACCESS_KEY not in text
    assert sorted(json.loads(text)["schedules"][SCHEDULE_REGRESSION]) == sorted([baseline, seen] + missed)


def test_cancel_flushes_the_state(source, emulator, fake_sleep, tmp_path):
    state_file = tmp_path / "state.json"

    async def scenario():
        old = run_now(emulator, SCHEDULE_SMOKE)
        await until(lambda: finished(emulator, old))
        running = Running(source, args_for(emulator, schedules=["Smoke suite"], state_file=str(state_file)), fake_sleep)
        await running.looks(1)
        state_file.unlink()  # whatever is on disk now, the cancel writes what the source knows
        await running.cancel()
        return old

    old = asyncio.run(scenario())
    assert json.loads(state_file.read_text())["schedules"] == {SCHEDULE_SMOKE: [old]}


def test_outcomes_filter(source, emulator, fake_sleep, tmp_path):
    state_file = str(tmp_path / "state.json")

    async def scenario():
        running = Running(source, args_for(emulator, schedules=["Smoke suite", "Regression suite"], outcomes=["passed"],
                                           state_file=state_file), fake_sleep)
        await running.looks(1)
        failing = run_now(emulator, SCHEDULE_REGRESSION)
        passing = run_now(emulator, SCHEDULE_SMOKE)
        await running.event_for(passing)
        await until(lambda: finished(emulator, failing))
        await running.looks(3)
        return failing, passing, await running.cancel()

    failing, passing, events = asyncio.run(scenario())
    assert run_ids_of(events) == [passing]
    assert events[0]["leapwork"]["outcome"] == "passed"
    with open(state_file, encoding="utf-8") as handle:
        # handled all the same: no event after a restart either
        assert failing in json.load(handle)["schedules"][SCHEDULE_REGRESSION]


def test_failure_reasons_and_the_cap(source, emulator, fake_sleep):
    async def scenario():
        run_id = run_now(emulator, SCHEDULE_REGRESSION)
        running = Running(source, args_for(emulator, run_ids=[run_id], max_failed_flows=2, exit_when_done=True), fake_sleep)
        await asyncio.wait_for(running.task, 20)
        return running.drain()

    events = asyncio.run(scenario())
    data = events[0]["leapwork"]
    assert data["failed_flows_truncated"] is True
    assert len(data["failed_flows"]) == 2
    checkout = data["failed_flows"][0]
    assert checkout["flow_title"] == "Checkout fails"
    assert checkout["reason"] == "Check total: Flow 'Checkout fails' failed: Expected total '42.00' but found '41.99'"
    assert checkout["agent_title"] == "Windows agent 1"
    assert checkout["status"] == "Failed"
    assert checkout["elapsed_seconds"] == 8.0
    assert checkout["run_item_id"] and checkout["flow_id"] == "20000000-0000-4000-8000-000000000002"
    assert data["summary"]["total"] == 3


@pytest.mark.parametrize("max_failed_flows", [0, 3])
def test_cap_bounds(source, emulator, fake_sleep, max_failed_flows):
    async def scenario():
        run_id = run_now(emulator, SCHEDULE_REGRESSION)
        running = Running(source, args_for(emulator, run_ids=[run_id], max_failed_flows=max_failed_flows,
                                           exit_when_done=True), fake_sleep)
        await asyncio.wait_for(running.task, 20)
        return running.drain()

    data = asyncio.run(scenario())[0]["leapwork"]
    assert len(data["failed_flows"]) == max_failed_flows
    assert data["failed_flows_truncated"] is (max_failed_flows < 3)


def test_back_off_on_500_and_448_then_recover(source, emulator, fake_sleep, caplog):
    caplog.set_level(logging.DEBUG)

    async def scenario():
        run_id = run_now(emulator, SCHEDULE_SMOKE)
        await until(lambda: finished(emulator, run_id))
        emulator.add_fault([{"method": "GET", "path": "/status$", "action": "status", "status": 500, "times": 2},
                            {"method": "GET", "path": "/status$", "action": "status", "status": 448, "times": 2}])
        running = Running(source, args_for(emulator, run_ids=[run_id], exit_when_done=True, poll_interval=1), fake_sleep)
        await asyncio.wait_for(running.task, 20)
        return run_id, running.drain()

    run_id, events = asyncio.run(scenario())
    assert run_ids_of(events) == [run_id]
    # Doubling from poll_interval (jitter 1.0: the top of each range), then back to poll_interval.
    assert fake_sleep.pauses == [2, 4, 8, 16]
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "GET /api/v4/run/%s/status: HTTP 500" % run_id in warnings[0]
    assert any("answers again (after 4 looks with faults)" in record.getMessage() for record in caplog.records)


def test_back_off_when_the_connection_is_refused(source, fake_sleep, caplog):
    caplog.set_level(logging.DEBUG)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there

    async def scenario():
        args = {"controller_url": "http://127.0.0.1:%d" % port, "access_key": ACCESS_KEY, "poll_interval": 1,
                "schedules": ["Regression suite"]}
        running = Running(source, args, fake_sleep, jitter=lambda: 0.75)
        await running.looks(10)
        await running.cancel()

    asyncio.run(scenario())
    # Doubling from 2 * poll_interval up to the cap, 3/4 of each (the jitter drawn here).
    assert fake_sleep.pauses[:10] == [1.5, 3, 6, 12, 24, 48, 96, 192, 225, 225]
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "GET /api/v4/schedules: no answer" in warnings[0]


def test_401_stops_with_a_message_without_the_key(source, emulator, fake_sleep):
    wrong_key = "wrong-" + ACCESS_KEY

    message = stop_message(source, {"controller_url": emulator.url, "access_key": wrong_key,
                                    "schedules": ["Regression suite"]}, fake_sleep)
    assert "access key was rejected" in message and "401" in message
    assert wrong_key not in message and ACCESS_KEY not in message


def test_ambiguous_title_names_the_candidates(source, emulator, fake_sleep):
    message = stop_message(source, args_for(emulator, schedules=["Twin suite"]), fake_sleep)
    assert "schedules" in message and SCHEDULE_TWIN_A in message and SCHEDULE_TWIN_B in message


def test_an_unknown_schedule_names_the_closest(source, emulator, fake_sleep):
    assert stop_message(source, args_for(emulator, schedules=["Regresion suite"]), fake_sleep).startswith(
        "schedules: no schedule named 'Regresion suite' on the controller; closest: 'Regression suite'")


@pytest.mark.parametrize("args, words", [
    ({"controller_url": None}, "controller_url is required"),
    ({"controller_url": "ftp://example.com"}, "controller_url must start with http"),
    ({"access_key": ""}, "access_key is required"),
    ({"schedules": None, "run_ids": None}, "nothing to watch"),
    ({"run_ids": ["not-a-guid"]}, "run_ids[0] must be a GUID such as 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11, got 'not-a-guid'"),
    ({"outcomes": ["broken"]}, "outcomes: 'broken' not among error, failed, cancelled, passed"),
    ({"poll_interval": 0.1}, "poll_interval must be at least 0.5"),
    ({"poll_interval": "often"}, "poll_interval must be a number"),
    ({"max_failed_flows": -1}, "max_failed_flows must be at least 0"),
    ({"validate_certs": "maybe"}, "validate_certs must be true or false"),
    ({"exit_when_done": True}, "exit_when_done needs run_ids and no schedules"),
    ({"state_file": "/nonexistent/dir/state.json"}, "state_file: the directory /nonexistent/dir does not exist"),
    ({"ca_path": "/nonexistent/ca.pem"}, "ca_path: no such file"),
    ({"done_status_as": "maybe"}, "done_status_as must be one of passed, failed"),
    ({"schedule": ["typo"]}, "unknown argument schedule"),
    ({"hosts": [""]}, "hosts must be a list of non-empty strings"),
])
def test_bad_arguments_fail_before_any_request(source, emulator, fake_sleep, monkeypatch, args, words):
    for variable in ("LEAPWORK_CONTROLLER_URL", "LEAPWORK_ACCESS_KEY", "LEAPWORK_VALIDATE_CERTS", "LEAPWORK_CA_PATH"):
        monkeypatch.delenv(variable, raising=False)
    full = args_for(emulator, schedules=["Regression suite"])
    full.update(args)

    async def scenario():
        with pytest.raises(source["RunEventsError"]) as caught:
            await source["main"](asyncio.Queue(), full, sleep=fake_sleep)
        return str(caught.value)

    message = asyncio.run(scenario())
    assert words in message
    assert ACCESS_KEY not in message
    assert emulator.requests() == []


def test_connection_from_the_environment(source, emulator, fake_sleep, monkeypatch):
    monkeypatch.setenv("LEAPWORK_CONTROLLER_URL", emulator.url)
    monkeypatch.setenv("LEAPWORK_ACCESS_KEY", ACCESS_KEY)

    async def scenario():
        run_id = run_now(emulator, SCHEDULE_SMOKE)
        running = Running(source, {"run_ids": [run_id], "exit_when_done": True, "poll_interval": 0.5}, fake_sleep)
        await asyncio.wait_for(running.task, 20)
        return run_id, running.drain()

    run_id, events = asyncio.run(scenario())
    assert run_ids_of(events) == [run_id]


def test_given_run_emitted_once_across_restarts(source, emulator, fake_sleep, tmp_path):
    args = None

    async def scenario():
        nonlocal args
        run_id = run_now(emulator, SCHEDULE_SMOKE)
        args = args_for(emulator, run_ids=[run_id], exit_when_done=True, state_file=str(tmp_path / "state.json"))
        first = Running(source, args, fake_sleep)
        await asyncio.wait_for(first.task, 20)
        again = Running(source, args, fake_sleep)
        await asyncio.wait_for(again.task, 20)
        return run_id, first.drain(), again.drain()

    run_id, first, again = asyncio.run(scenario())
    assert run_ids_of(first) == [run_id]
    assert again == []


def test_the_key_is_in_no_event_and_no_log_record(source, emulator, fake_sleep, caplog, tmp_path):
    """The key, even where the controller echoes it (a failure's keyframe, an error body), is masked."""
    caplog.set_level(logging.DEBUG)

    async def scenario():
        emulator.add_fault({"method": "GET", "path": "/runItemIds$", "action": "status", "status": 503, "times": 1,
                            "body": "upstream said AccessKey=%s" % ACCESS_KEY})
        running = Running(source, args_for(emulator, schedules=["Leaky suite"], hosts=["web1"],
                                           state_file=str(tmp_path / "state.json")), fake_sleep)
        await running.looks(1)
        run_id = run_now(emulator, SCHEDULE_LEAKY)
        event = await running.event_for(run_id)
        await running.cancel()
        return event

    event = asyncio.run(scenario())
    text = json.dumps(event)
    assert ACCESS_KEY not in text
    assert event["leapwork"]["failed_flows"][0]["reason"] == "Log in: Flow 'Leaky login' failed: login refused for AccessKey ********"
    logged = [record.getMessage() for record in caplog.records]
    assert any("HTTP 503" in line for line in logged)
    assert not [line for line in logged if ACCESS_KEY in line]
    assert ACCESS_KEY not in (tmp_path / "state.json").read_text()


@pytest.mark.parametrize("flow_id, outcome, summary, failed", [
    # an unknown status is reported, as an error that names it
    ("20000000-0000-4000-8000-000000000008", "error", {"total": 1, "passed": 0, "failed": 0, "errors": 1, "cancelled": 0, "flaky": 0},
     ["Quarantined check"]),
    # a run that finished without any flow is a result too
    ("20000000-0000-4000-8000-000000000009", "error", {"total": 0, "passed": 0, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 0}, []),
])
def test_a_given_flow_run_unknown_status_or_no_items(source, emulator, fake_sleep, flow_id, outcome, summary, failed):
    async def scenario():
        run_id = run_flow(emulator, flow_id, AGENT_WIN2)
        running = Running(source, args_for(emulator, run_ids=[run_id], exit_when_done=True), fake_sleep)
        await asyncio.wait_for(running.task, 20)
        return run_id, running.drain()

    run_id, events = asyncio.run(scenario())
    data = events[0]["leapwork"]
    assert (data["run_id"], data["type"], data["outcome"], data["summary"]) == (run_id, "run_finished", outcome, summary)
    assert [flow["flow_title"] for flow in data["failed_flows"]] == failed
    assert data["schedule"] is None
    if failed:
        assert data["flow"] == {"id": flow_id, "title": failed[0]}
        assert "Quarantined" in data["failed_flows"][0]["reason"]


def test_a_run_not_registered_yet_is_waited_for(source, emulator, fake_sleep):
    """The controller's grace period (404 "No such run" for a new run's first polls) is not a lost run."""
    emulator.configure(grace_polls=3)

    async def scenario():
        run_id = run_now(emulator, SCHEDULE_SMOKE)
        running = Running(source, args_for(emulator, run_ids=[run_id], exit_when_done=True), fake_sleep)
        await asyncio.wait_for(running.task, 20)
        return run_id, running.drain()

    run_id, events = asyncio.run(scenario())
    assert [(event["leapwork"]["run_id"], event["leapwork"]["outcome"]) for event in events] == [(run_id, "passed")]
    statuses = [entry["status"] for entry in emulator.requests() if entry["path"].endswith("/status")]
    assert statuses[:3] == [404, 404, 404]


def test_the_source_must_run_from_a_collection(source, tmp_path):
    copy = tmp_path / "run_events.py"
    shutil.copy(source_path(), str(copy))
    with pytest.raises(Exception, match="must run from an installed collection") as caught:
        runpy.run_path(str(copy))
    assert type(caught.value).__name__ == "RunEventsError"  # each run_path makes its own class


def test_the_source_uses_its_own_collection(source, tmp_path):
    """Another copy of the collection whose module_utils are not the ones imported: a clear error, not a mix."""
    staged = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(source_path())))))
    other = tmp_path / "ansible_collections" / "leapops" / "leapwork"
    shutil.copytree(os.path.join(staged, "plugins"), str(other / "plugins"))
    shutil.copytree(os.path.join(staged, "extensions", "eda"), str(other / "extensions" / "eda"))
    with pytest.raises(Exception, match="was already imported from .*, not from this collection") as caught:
        runpy.run_path(str(other / "extensions" / "eda" / "plugins" / "event_source" / "run_events.py"))
    assert type(caught.value).__name__ == "RunEventsError"  # each run_path makes its own class


def test_a_run_the_controller_does_not_know_is_lost_after_the_grace(source, emulator, fake_sleep, monkeypatch):
    """Past the grace period a run that still answers 404 is reported (run_lost, error), not waited for for ever."""
    monkeypatch.setattr(source["_waiter"], "DEFAULT_GRACE_SECONDS", 0.3)
    unknown = "99999999-0000-4000-8000-000000000000"

    async def scenario():
        running = Running(source, args_for(emulator, run_ids=[unknown], exit_when_done=True), fake_sleep)
        await asyncio.wait_for(running.task, 20)
        return running.drain()

    data = asyncio.run(scenario())[0]["leapwork"]
    assert (data["run_id"], data["type"], data["outcome"]) == (unknown, "run_lost", "error")
    assert "not known to the controller (404)" in data["message"]
    assert data["failed_flows"] == [] and data["summary"]["total"] == 0


def test_a_run_gone_with_a_controller_restart_is_lost(source, emulator, fake_sleep):
    async def scenario():
        run_id = run_flow(emulator, "20000000-0000-4000-8000-000000000006", AGENT_WIN2)  # 600 s: still going
        running = Running(source, args_for(emulator, run_ids=[run_id], exit_when_done=True), fake_sleep)
        await running.looks(1)
        emulator.restart()
        await asyncio.wait_for(running.task, 20)
        return run_id, running.drain()

    run_id, events = asyncio.run(scenario())
    data = events[0]["leapwork"]
    assert (data["run_id"], data["type"], data["outcome"]) == (run_id, "run_lost", "error")
    assert "no longer known to the controller" in data["message"]


def test_requests_leave_the_event_loop_free(source, emulator, fake_sleep):
    """Every request runs on a worker thread: while the controller takes 1 s to answer, the loop goes on."""
    emulator.add_fault({"method": "GET", "path": "/runIds/", "action": "delay", "seconds": 1.0, "times": 1})

    async def scenario():
        ticks = []

        async def ticker():
            while True:
                ticks.append(asyncio.get_running_loop().time())
                await asyncio.sleep(0.01)

        clock = asyncio.ensure_future(ticker())
        running = Running(source, args_for(emulator, schedules=["Smoke suite"]), fake_sleep)
        await running.looks(1)
        await running.cancel()
        clock.cancel()
        return ticks

    ticks = asyncio.run(scenario())
    assert [entry for entry in emulator.faults() if entry["applied"]], "the slow answer was not given"
    assert len(ticks) > 50  # about 100 ticks of 10 ms during the 1 s answer
    assert max(later - earlier for earlier, later in zip(ticks, ticks[1:])) < 0.5


def test_the_handled_runs_stay_bounded(source, emulator, fake_sleep, tmp_path, monkeypatch):
    """A schedule keeps only the runs its newest listing holds: memory and the state file do not grow for ever."""
    monkeypatch.setitem(source["_look_at_schedule"].__globals__, "RUN_LIST_COUNT", 2)
    state_file = tmp_path / "state.json"

    async def scenario():
        running = Running(source, args_for(emulator, schedules=["Smoke suite"], state_file=str(state_file)), fake_sleep)
        await running.looks(1)
        run_ids = []
        for _index in range(3):
            run_ids.append(run_now(emulator, SCHEDULE_SMOKE))
            await running.event_for(run_ids[-1])
        await running.looks(2)
        await running.cancel()
        return run_ids

    run_ids = asyncio.run(scenario())
    assert sorted(json.loads(state_file.read_text())["schedules"][SCHEDULE_SMOKE]) == sorted(run_ids[1:])
