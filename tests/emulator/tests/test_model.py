"""The run model: lifecycle, queueing, stop, isDelete, variables, outcomes, speed."""

import threading
import time
from urllib.parse import quote, urlencode

from conftest import (AGENT_LOCAL, AGENT_WIN1, FLOW_DONE, FLOW_EMPTY, FLOW_LONG, FLOW_PASSED, KEY, SCHEDULE_SMOKE, Client,
                      wait_for)
from leapwork_emulator import Emulator

AGENT_A = "50000000-0000-4000-8000-00000000000a"
AGENT_B = "50000000-0000-4000-8000-00000000000b"
AGENT_OFF = "50000000-0000-4000-8000-00000000000c"
OUTCOMES = ["Passed", "Failed", "Error", "Inconclusive", "Timeout", "Done", "Flaky-ish"]


def flow_id(number):
    """A GUID for test flow ``number``."""
    return "60000000-0000-4000-8000-%012d" % number


CONFIG = {
    "flows": [{"id": flow_id(n), "title": "Flow %s" % outcome, "folder": "Tests/Outcomes", "outcome": outcome, "duration": 1}
              for n, outcome in enumerate(OUTCOMES)] + [
        {"id": flow_id(20), "title": "Twenty", "folder": "Tests", "duration": 20},
        {"id": flow_id(21), "title": "Slow phases", "folder": "Tests", "duration": 100,
         "keyframes": [{"at": 0.5, "level": "Info", "message": "Half way", "block": "Middle"}]},
        {"id": flow_id(22), "title": "Nothing", "folder": "Tests", "no_items": True, "duration": 1},
        {"id": flow_id(23), "title": "Custom failure", "outcome": "Failed", "duration": 1, "message": "boom in the basket"},
    ],
    "agents": [{"id": AGENT_A, "title": "Agent A", "host": "a.example"},
               {"id": AGENT_B, "title": "Agent B", "host": "b.example", "connection_type": "RemoteAgent"},
               {"id": AGENT_OFF, "title": "Agent off", "available": False}],
    "schedules": [{"id": "70000000-0000-4000-8000-000000000001", "title": "All outcomes",
                   "flows": [flow_id(n) for n in range(len(OUTCOMES))] + [flow_id(22)], "agent": AGENT_B}],
}


def custom(speed=50, **kwargs):
    """An emulator with the test catalogue."""
    return Emulator(config=CONFIG, access_key=KEY, speed=speed, **kwargs)


def items_of(client, run_id):
    """Run items (full documents) of a run."""
    return [client.ok("GET", "/runItems/%s" % item) for item in client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"]]


def test_item_status_moves_through_phases():
    with custom(speed=50) as emu:
        client = Client(emu.url)
        run_id = client.trigger(flow_id(21), AGENT_A)
        seen = []

        def observe():
            ids = client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"]
            if ids:
                status = client.ok("GET", "/runItems/%s" % ids[0])["Status"]
                if not seen or seen[-1] != status:
                    seen.append(status)
            return client.status(run_id) == "Finished"

        wait_for(observe, deadline=10, interval=0.01)
        observe()
        assert seen == ["NoStatus", "Initializing", "Running", "Passed"]
        item = items_of(client, run_id)[0]
        frames = client.ok("GET", "/runItems/%s/keyframes" % item["RunItemId"])
        messages = [frame["LogMessage"] for frame in frames]
        assert "Half way" in messages
        assert frames[messages.index("Half way")]["BlockTitle"] == "Middle"
        assert [frame["Status"] for frame in frames][:3] == ["NoStatus", "Initializing", "Running"]
        assert frames[-1]["Status"] == "Passed" and frames[-1]["Level"] == "Info"


def test_run_status_queued_executing_finished_and_items_grow():
    with custom(speed=100) as emu:
        client = Client(emu.url)
        first = client.trigger(flow_id(20), AGENT_A)
        second = client.trigger(flow_id(20), AGENT_A)
        third = client.trigger(flow_id(20), AGENT_A)
        other = client.trigger(flow_id(20), AGENT_B)
        assert client.status(first) == "Executing"
        assert client.status(other) == "Executing"
        assert client.status(second) == client.status(third) == "Queued"
        assert client.ok("GET", "/run/%s/runItemIds" % second)["RunItemIds"] == []
        assert client.ok("GET", "/run/%s" % second)["Total"] == 0
        assert client.ok("GET", "/agents/agentsStatuses")[0]["IsBusy"] is True
        wait_for(lambda: client.status(second) == "Executing")
        assert client.status(first) == "Finished"
        assert client.status(third) == "Queued"
        client.wait_finished(third)
        runs = {run["run_id"]: run for run in emu.runs()}
        assert runs[second]["started_at"] == runs[first]["finished_at"]
        assert runs[third]["started_at"] == runs[second]["finished_at"]
        # Queued behind two 20 s runs: it starts 40 emulated seconds after the first one did
        # (measured from the first run's start, not from the triggers, which a loaded machine
        # spreads over several emulated seconds at speed 100).
        assert runs[third]["started_at"] - runs[first]["started_at"] >= 39
        assert runs[third]["started_at"] > runs[third]["created_at"]
        assert runs[third]["started_wall"] > runs[third]["created_wall"]
        assert runs[other]["started_at"] == runs[other]["created_at"]


def test_schedule_run_items_appear_as_flows_start():
    with custom() as emu:
        client = Client(emu.url)
        run_id = client.ok("PUT", "/schedules/70000000-0000-4000-8000-000000000001/runNow")["RunId"]
        counts = set()

        def observe():
            counts.add(len(client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"]))
            return client.status(run_id) == "Finished"

        wait_for(observe, interval=0.005)
        assert len(counts) > 2
        items = items_of(client, run_id)
        assert [item["Status"] for item in items] == OUTCOMES
        run = client.ok("GET", "/run/%s" % run_id)
        assert (run["Total"], run["Failed"]) == (7, 5)
        assert run["ExecutionTotalTime"] == "00:00:08"


def test_outcomes_and_their_keyframes():
    with custom() as emu:
        client = Client(emu.url)
        run_id = client.ok("PUT", "/schedules/70000000-0000-4000-8000-000000000001/runNow")["RunId"]
        client.wait_finished(run_id)
        for item in items_of(client, run_id):
            frames = client.ok("GET", "/runItems/%s/keyframes" % item["RunItemId"])
            last = frames[-1]
            title = item["FlowInfo"]["FlowTitle"]
            assert last["Status"] == item["Status"]
            assert title in last["LogMessage"]
            if item["Status"] in ("Passed", "Done"):
                assert last["Level"] == "Info"
            else:
                assert last["Level"] == "Error", item["Status"]
                assert not [frame for frame in frames[:-1] if frame["Level"] == "Error"]
        failure = client.trigger(flow_id(23), AGENT_A)
        client.wait_finished(failure)
        item = items_of(client, failure)[0]
        frames = client.ok("GET", "/runItems/%s/keyframes" % item["RunItemId"])
        assert frames[-1]["LogMessage"] == "Flow 'Custom failure' failed: boom in the basket"


def test_finished_run_with_zero_items(client):
    run_id = client.trigger(FLOW_EMPTY)
    client.wait_finished(run_id)
    assert client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"] == []
    run = client.ok("GET", "/run/%s" % run_id)
    assert (run["Status"], run["Total"], run["Failed"]) == ("Finished", 0, 0)
    with custom() as emu:
        other = Client(emu.url)
        run_id = other.trigger(flow_id(22), AGENT_A)
        other.wait_finished(run_id)
        assert other.ok("GET", "/run/%s" % run_id)["Total"] == 0


def test_stop_a_running_run(client, emulator):
    run_id = client.trigger(FLOW_LONG)
    item_id = wait_for(lambda: client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"])[0]
    follower = client.trigger(FLOW_PASSED)
    assert client.status(follower) == "Queued"
    assert client.ok("PUT", "/run/%s/stop" % run_id) == {"$id": "1", "OperationCompleted": True}
    assert client.status(run_id) == "Finished"
    item = client.ok("GET", "/runItems/%s" % item_id)
    assert item["Status"] == item["FlowInfo"]["Status"] == "Cancelled"
    assert item["ElapsedSeconds"] < 600
    frames = client.ok("GET", "/runItems/%s/keyframes" % item_id)
    assert frames[-1]["Status"] == "Cancelled" and "Nightly soak" in frames[-1]["LogMessage"]
    assert client.ok("PUT", "/run/%s/stop" % run_id)["OperationCompleted"] is False
    wait_for(lambda: client.status(follower) != "Queued")
    record = emulator.runs(flow_id=FLOW_LONG)[0]
    assert record["stopped"] is True and record["status"] == "Finished"


def test_stop_a_finished_run(client):
    run_id = client.trigger(FLOW_DONE)
    client.wait_finished(run_id)
    assert client.ok("PUT", "/run/%s/stop" % run_id)["OperationCompleted"] is False
    item = client.ok("GET", "/runItems/%s" % client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"][0])
    assert item["Status"] == "Done"


def test_stop_a_queued_run_and_a_schedule(client):
    running = client.trigger(FLOW_LONG)
    queued = client.trigger(FLOW_LONG)
    assert client.status(queued) == "Queued"
    assert client.ok("PUT", "/run/%s/stop" % queued)["OperationCompleted"] is True
    assert client.status(queued) == "Finished"
    assert client.ok("GET", "/run/%s/runItemIds" % queued)["RunItemIds"] == []
    assert client.status(running) == "Executing"
    scheduled = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_SMOKE)["RunId"]
    assert client.ok("PUT", "/schedules/%s/stop" % SCHEDULE_SMOKE)["OperationCompleted"] is True
    assert client.status(scheduled) == "Finished"
    assert client.ok("PUT", "/schedules/%s/stop" % SCHEDULE_SMOKE)["OperationCompleted"] is False


def test_unavailable_agent_keeps_runs_queued():
    with custom() as emu:
        client = Client(emu.url)
        run_id = client.trigger(flow_id(0), AGENT_OFF)
        time.sleep(0.1)
        assert client.status(run_id) == "Queued"
        assert client.ok("GET", "/agents/agentsStatuses")[2]["ConnectionStatus"] == "Unavailable"
        assert client.ok("PUT", "/run/%s/stop" % run_id)["OperationCompleted"] is True


def test_is_delete_removes_the_temporary_schedule(client, emulator):
    kept = client.trigger(FLOW_PASSED, AGENT_WIN1, "?isDelete=false")
    deleted = client.trigger(FLOW_PASSED, AGENT_LOCAL, "?IsDelete=TRUE")
    runs = {run["run_id"]: run for run in emulator.runs()}
    assert runs[deleted]["is_delete"] is True and runs[kept]["is_delete"] is False
    schedules = client.ok("GET", "/schedules")
    temporary = {item["Id"] for item in schedules if item["Type"] == "TemporaryScheduleInfo"}
    assert temporary == {runs[kept]["schedule_id"], runs[deleted]["schedule_id"]}
    client.wait_finished(deleted)
    client.wait_finished(kept)
    temporary = {item["Id"] for item in client.ok("GET", "/schedules") if item["Type"] == "TemporaryScheduleInfo"}
    assert temporary == {runs[kept]["schedule_id"]}
    assert client.ok("GET", "/run/%s" % deleted)["Status"] == "Finished"
    assert client.ok("GET", "/run/%s/runItemIds" % deleted)["RunItemIds"]
    assert client.get("/schedules/%s/runIds/all" % runs[deleted]["schedule_id"]).status == 404
    assert client.ok("GET", "/schedules/%s/runIds/all" % runs[kept]["schedule_id"])["runIds"] == [kept]


def test_variables_round_trip(client, emulator):
    variables = {"Url": "https://shop.example/a?b=c&d=e", "Text": "hello world: ünïcødé ✓ 100%", "Plus": "a+b", "Empty": ""}
    query = "?" + urlencode(variables, quote_via=quote) + "&Spaced=one+two&isDelete=true"
    run_id = client.trigger(FLOW_PASSED, query=query)
    record = emulator.runs()[0]
    assert record["variables"] == dict(variables, Spaced="one two")
    assert "isDelete" not in record["variables"]
    client.wait_finished(run_id)
    item_id = client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"][0]
    messages = [frame["LogMessage"] for frame in client.ok("GET", "/runItems/%s/keyframes" % item_id)]
    for name, value in dict(variables, Spaced="one two").items():
        assert "Variable '%s' = '%s'" % (name, value) in messages
    logged = emulator.requests()[0]
    assert logged["query"]["Text"] == variables["Text"]


def test_run_now_variables(client, emulator):
    client.ok("PUT", "/schedules/%s/runNow?Env=staging%%20eu&Build=42" % SCHEDULE_SMOKE)
    assert emulator.runs()[0]["variables"] == {"Env": "staging eu", "Build": "42"}
    assert emulator.runs()[0]["schedule_id"] == SCHEDULE_SMOKE


def test_speed_factor():
    with custom(speed=100) as emu:
        client = Client(emu.url)
        start = time.monotonic()
        run_id = client.trigger(flow_id(20), AGENT_A)
        client.wait_finished(run_id)
        elapsed = time.monotonic() - start
        assert 0.15 <= elapsed < 2.0
        assert client.ok("GET", "/run/%s" % run_id)["ExecutionMilliseconds"] == 20000
        item = items_of(client, run_id)[0]
        assert item["ElapsedSeconds"] == 20


def test_speed_can_change_at_runtime(client, emulator):
    run_id = client.trigger(FLOW_LONG)
    assert client.status(run_id) == "Executing"
    settings = client.ok("POST", "/_emulator/config", body={"speed": 20000})
    assert settings == {"speed": 20000.0, "grace_polls": 0, "finish_lag": 0.0, "license_form": "string"}
    client.wait_finished(run_id, deadline=5)
    assert emulator.clock.speed == 20000


def test_many_concurrent_clients(client):
    results = []
    errors = []

    def work():
        try:
            run_id = client.trigger(FLOW_DONE, AGENT_WIN1)
            results.append(run_id)
            client.status(run_id)
        except AssertionError as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(results)) == 20
    statuses = [client.status(run_id) for run_id in results]
    assert statuses.count("Executing") <= 1


def test_a_keyframe_may_quote_the_run_variables():
    config = {"agents": [{"id": AGENT_A, "title": "A"}],
              "flows": [{"id": flow_id(1), "title": "Echo", "outcome": "Failed", "duration": 1, "keyframes": [
                  {"level": "Error", "message": "q={variables_query} f={variables_form} j={variables_json}"}]}]}
    with Emulator(config=config, access_key=KEY, speed=50) as emu:
        client = Client(emu.url)
        run_id = client.trigger(flow_id(1), AGENT_A, "?Password=p%40ss%20w0rd%21")
        client.wait_finished(run_id)
        item = items_of(client, run_id)[0]
        frames = client.ok("GET", "/runItems/%s/keyframes" % item["RunItemId"])
        [echo] = [frame for frame in frames if frame["LogMessage"].startswith("q=")]
        assert echo["LogMessage"] == 'q=Password=p%40ss%20w0rd%21 f=Password=p%40ss+w0rd%21 j={"Password": "p@ss w0rd!"}'


def test_finish_lag_the_last_item_turns_final_after_the_run_reads_finished():
    # finish_lag 400 emulated seconds at speed 500: the n-th run's last item turns final
    # 400 * frac(n * 0.618...) emulated seconds after the run reads Finished (247, 94, 342, 189 and
    # 36 s: up to 0.8 s real); the agent is free at once. Meanwhile the item reads Running.
    with custom(speed=500, finish_lag=400) as emu:
        client = Client(emu.url)
        run_ids = [client.trigger(flow_id(0), AGENT_A) for _number in range(5)]
        client.wait_finished(run_ids[0], deadline=10)
        assert items_of(client, run_ids[0])[0]["Status"] == "Running"  # final 0.49 s (real) after Finished
        assert client.ok("GET", "/run/%s" % run_ids[0])["Failed"] == 0
        wait_for(lambda: all(run["final_at"] is not None for run in emu.runs()), deadline=10)
        records = emu.runs()
        lags = [run["final_at"] - run["finished_at"] for run in records]
        expected = [400 * ((number * 0.6180339887498949) % 1.0) for number in range(1, 6)]
        assert [round(lag, 6) for lag in lags] == [round(lag, 6) for lag in expected]
        assert all(items_of(client, run_id)[0]["Status"] == "Passed" for run_id in run_ids)
        # The agent ran the runs one after another, each starting when the one before read Finished
        # (or when it was created, if that came later).
        for before, after in zip(records, records[1:]):
            assert after["started_at"] == max(after["created_at"], before["finished_at"])
        assert all(run["final_wall"] > run["finished_wall"] for run in records)


def test_finish_lag_is_a_setting():
    with custom(speed=50) as emu:
        client = Client(emu.url)
        assert client.ok("POST", "/_emulator/config", body={"finish_lag": 2.5}, key=None)["finish_lag"] == 2.5
        run_id = client.trigger(flow_id(0), AGENT_A)
        client.wait_finished(run_id)
        wait_for(lambda: emu.runs()[0]["final_at"] is not None)
        assert emu.runs()[0]["final_at"] - emu.runs()[0]["finished_at"] == 2.5 * 0.6180339887498949
    with custom(speed=50) as emu:
        run_id = Client(emu.url).trigger(flow_id(0), AGENT_A)
        Client(emu.url).wait_finished(run_id)
        assert emu.runs()[0]["final_at"] == emu.runs()[0]["finished_at"]  # no lag by default
