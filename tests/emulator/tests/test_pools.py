"""What agent pools and re-runs need: per-flow durations, outcomes by attempt and by agent, outside runs."""

import pytest

from conftest import KEY, Client, wait_for
from leapwork_emulator import Emulator
from leapwork_emulator.catalogue import Catalogue, ConfigError

AGENT_A = "51000000-0000-4000-8000-00000000000a"
AGENT_B = "51000000-0000-4000-8000-00000000000b"
FLAKY = "61000000-0000-4000-8000-000000000001"
BAD_ON_A = "61000000-0000-4000-8000-000000000002"
SHORT = "61000000-0000-4000-8000-000000000003"
LONG = "61000000-0000-4000-8000-000000000004"

CONFIG = {
    "flows": [
        {"id": FLAKY, "title": "Flaky login", "outcomes": ["Failed", "Passed"], "duration": 1,
         "message": "Login button not found in time"},
        {"id": BAD_ON_A, "title": "Broken on A", "outcome": "Passed", "agent_outcomes": {AGENT_A: "Error"}, "duration": 1,
         "message": "Browser crashed"},
        {"id": SHORT, "title": "Short", "duration": 2},
        {"id": LONG, "title": "Long", "duration": 10},
    ],
    "agents": [{"id": AGENT_A, "title": "Pool A"}, {"id": AGENT_B, "title": "Pool B"}],
}


def final_status(client, run_id):
    """The one item's final status and its last keyframe's message."""
    client.wait_finished(run_id)
    item_id = client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"][0]
    keyframes = client.ok("GET", "/runItems/%s/keyframes" % item_id)
    return client.ok("GET", "/runItems/%s" % item_id)["Status"], keyframes[-1]["LogMessage"]


def test_outcomes_follow_the_attempts_and_the_last_repeats():
    with Emulator(config=CONFIG, access_key=KEY, speed=50) as emu:
        client = Client(emu.url)
        first = final_status(client, client.trigger(FLAKY, AGENT_A))
        second = final_status(client, client.trigger(FLAKY, AGENT_B))
        third = final_status(client, client.trigger(FLAKY, AGENT_A))
        assert first == ("Failed", "Flow 'Flaky login' failed: Login button not found in time")
        assert second == ("Passed", "Flow 'Flaky login' passed")
        assert third[0] == "Passed"
        emu.reset()  # a reset forgets the attempts with the runs
        assert final_status(client, client.trigger(FLAKY, AGENT_B))[0] == "Failed"


def test_an_outcome_on_one_agent_only():
    with Emulator(config=CONFIG, access_key=KEY, speed=50) as emu:
        client = Client(emu.url)
        assert final_status(client, client.trigger(BAD_ON_A, AGENT_A)) == ("Error", "Flow 'Broken on A' error: Browser crashed")
        assert final_status(client, client.trigger(BAD_ON_A, AGENT_B))[0] == "Passed"
        assert final_status(client, client.trigger(BAD_ON_A, AGENT_A))[0] == "Error"


def test_each_flow_takes_its_own_duration():
    with Emulator(config=CONFIG, access_key=KEY, speed=20) as emu:
        client = Client(emu.url)
        short, long_ = client.trigger(SHORT, AGENT_A), client.trigger(LONG, AGENT_B)
        client.wait_finished(short)
        assert client.status(long_) == "Executing"
        client.wait_finished(long_)
        runs = dict((run["run_id"], run) for run in emu.runs())
        assert runs[short]["finished_at"] - runs[short]["started_at"] == pytest.approx(2, abs=0.01)
        assert runs[long_]["finished_at"] - runs[long_]["started_at"] == pytest.approx(10, abs=0.01)


def test_an_outside_run_occupies_the_agent_and_ours_queue_behind_it():
    with Emulator(config=CONFIG, access_key=KEY, speed=20) as emu:
        client = Client(emu.url)
        outside = client.ok("POST", "/_emulator/occupy", key=None, body={"agent_id": AGENT_A.upper(), "seconds": 6})["run_id"]
        statuses = dict((status["AgentId"], status) for status in client.ok("GET", "/agents/agentsStatuses"))
        assert statuses[AGENT_A]["IsBusy"] is True and statuses[AGENT_B]["IsBusy"] is False
        ours = client.trigger(SHORT, AGENT_A)
        assert client.status(ours) == "Queued"
        wait_for(lambda: client.status(ours) == "Executing", 5)
        records = dict((run["run_id"], run) for run in emu.runs())
        assert records[outside]["schedule_title"] == "Outside schedule (Pool A)"
        assert records[outside]["temporary_schedule"] is False
        assert records[ours]["started_at"] == pytest.approx(records[outside]["finished_at"], abs=0.01)
        assert emu.runs(flow_id=SHORT)[0]["run_id"] == ours  # outside work is not one of the catalogue's flows


def test_occupy_refuses_bad_input():
    with Emulator(config=CONFIG, access_key=KEY, speed=20) as emu:
        client = Client(emu.url)
        for body in ({"agent_id": AGENT_A}, {"agent_id": "51000000-0000-4000-8000-0000000000ff", "seconds": 1},
                     {"agent_id": AGENT_A, "seconds": -1}):
            answer = client.request("POST", "/_emulator/occupy", key=None, body=body)
            assert answer.status == 400, body
        assert emu.runs() == []
        assert emu.occupy(AGENT_B, 1) == emu.runs()[0]["run_id"]


@pytest.mark.parametrize("flow, message", [
    ({"outcomes": "Failed"}, "outcomes must be a list"),
    ({"outcomes": [1]}, "outcomes must be a list"),
    ({"agent_outcomes": {AGENT_A: 3}}, "agent_outcomes must map"),
    ({"agent_outcomes": {"not-a-guid": "Failed"}}, "is not a GUID"),
])
def test_bad_attempt_settings_are_refused(flow, message):
    flow = dict({"id": FLAKY, "title": "Bad"}, **flow)
    with pytest.raises(ConfigError, match=message):
        Catalogue({"flows": [flow], "agents": CONFIG["agents"]})
