"""Schedules: runNow variables, schedule status, flows in sequence, already running, disabled."""

from conftest import AGENT_LOCAL, FLOW_LONG, KEY, SCHEDULE_REGRESSION, SCHEDULE_SMOKE, Client, wait_for
from leapwork_emulator import Emulator

AGENT = "50000000-0000-4000-8000-00000000000a"
FLOW_SHORT = "60000000-0000-4000-8000-000000000001"
FLOW_OTHER = "60000000-0000-4000-8000-000000000002"
ENABLED = "70000000-0000-4000-8000-000000000001"
DISABLED = "70000000-0000-4000-8000-000000000002"

CONFIG = {
    "flows": [{"id": FLOW_SHORT, "title": "Short", "duration": 4}, {"id": FLOW_OTHER, "title": "Other", "duration": 6}],
    "agents": [{"id": AGENT, "title": "Agent A"}],
    "schedules": [
        {"id": ENABLED, "title": "Two flows", "flows": [FLOW_SHORT, FLOW_OTHER], "agent": AGENT,
         "variables": {"BaseUrl": "https://default.example", "Browser": "Edge"}},
        {"id": DISABLED, "title": "Switched off", "flows": [FLOW_SHORT], "agent": AGENT, "enabled": False},
    ],
}


def custom(speed=50):
    """An emulator with two schedules, one disabled."""
    return Emulator(config=CONFIG, access_key=KEY, speed=speed)


def schedule_status(client, schedule_id):
    """GET /schedules/{id}/status."""
    return client.ok("GET", "/schedules/%s/status" % schedule_id)["Status"]


def test_run_now_applies_only_the_variables_the_schedule_defines():
    with custom() as emu:
        client = Client(emu.url)
        client.ok("PUT", "/schedules/%s/runNow?browser=Firefox%%20ESR&Unknown=x" % ENABLED)
        # The schedule's own spelling is kept, its default fills the gap, the unknown name is dropped.
        assert emu.runs()[0]["variables"] == {"BaseUrl": "https://default.example", "Browser": "Firefox ESR"}


def test_a_schedule_without_variables_ignores_every_variable(client, emulator):
    run_id = client.ok("PUT", "/schedules/%s/runNow?Browser=Chrome" % SCHEDULE_SMOKE)["RunId"]
    assert emulator.runs()[0]["variables"] == {"Env": "test", "Build": ""}
    client.wait_finished(run_id)
    client.ok("PUT", "/schedules/%s/runNow?Browser=Chrome" % SCHEDULE_REGRESSION)
    assert emulator.runs()[1]["variables"] == {"Browser": "Chrome"}


def test_schedule_status_is_queued_then_executing_then_finished(client):
    blocker = client.trigger(FLOW_LONG, AGENT_LOCAL)
    assert schedule_status(client, SCHEDULE_SMOKE) == "Finished"  # never ran
    run_id = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_SMOKE)["RunId"]
    assert schedule_status(client, SCHEDULE_SMOKE) == "Queued"
    client.ok("PUT", "/run/%s/stop" % blocker)
    assert schedule_status(client, SCHEDULE_SMOKE) == "Executing"
    client.wait_finished(run_id)
    assert schedule_status(client, SCHEDULE_SMOKE) == "Finished"


def test_a_schedules_flows_run_one_after_another_on_its_agent():
    with custom() as emu:
        client = Client(emu.url)
        run_id = client.ok("PUT", "/schedules/%s/runNow" % ENABLED)["RunId"]
        client.wait_finished(run_id)
        items = [client.ok("GET", "/runItems/%s" % item) for item in client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"]]
        assert [item["FlowInfo"]["FlowTitle"] for item in items] == ["Short", "Other"]
        assert {item["AgentInfo"]["AgentId"] for item in items} == {AGENT}
        record = emu.runs()[0]
        assert record["finished_at"] - record["started_at"] == 10  # 4 s then 6 s, never side by side


def test_run_now_on_a_running_or_queued_schedule_is_410_and_starts_nothing(client, emulator):
    blocker = client.trigger(FLOW_LONG, AGENT_LOCAL)
    run_id = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_SMOKE)["RunId"]
    queued = client.put("/schedules/%s/runNow" % SCHEDULE_SMOKE)
    assert (queued.status, queued.text) == (410, "Schedule is already running")
    client.ok("PUT", "/run/%s/stop" % blocker)
    executing = client.put("/schedules/%s/runNow" % SCHEDULE_SMOKE)
    assert executing.status == 410
    assert [run["run_id"] for run in emulator.runs() if run["schedule_id"] == SCHEDULE_SMOKE] == [run_id]
    client.wait_finished(run_id)
    assert client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_SMOKE)["RunId"] != run_id


def test_run_now_on_a_temporary_schedule_that_is_running_is_410(client):
    run_id = client.trigger(FLOW_LONG, AGENT_LOCAL)
    temporary = [item["Id"] for item in client.ok("GET", "/schedules") if item["Type"] == "TemporaryScheduleInfo"][0]
    assert client.put("/schedules/%s/runNow" % temporary).status == 410
    client.ok("PUT", "/run/%s/stop" % run_id)
    assert client.ok("PUT", "/schedules/%s/runNow" % temporary)["RunId"]


def test_a_disabled_schedule_is_listed_and_refused_with_400():
    with custom() as emu:
        client = Client(emu.url)
        listed = {item["Id"]: item["IsEnabled"] for item in client.ok("GET", "/schedules")}
        assert listed == {ENABLED: True, DISABLED: False}
        answer = client.put("/schedules/%s/runNow" % DISABLED)
        assert (answer.status, answer.text) == (400, "Schedule 'Switched off' is disabled")
        assert emu.runs() == []
        assert schedule_status(client, DISABLED) == "Finished"


def test_two_schedules_on_different_agents_overlap(client, emulator):
    smoke = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_SMOKE)["RunId"]
    regression = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_REGRESSION)["RunId"]
    wait_for(lambda: all(client.status(run_id) == "Finished" for run_id in (smoke, regression)))
    first, second = emulator.runs()
    assert second["started_at"] < first["finished_at"]
