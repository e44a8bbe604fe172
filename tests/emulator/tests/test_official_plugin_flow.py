"""Drive the emulator the way Leapwork's official CI plugins (Jenkins, Azure DevOps, TeamCity...) do."""

import time

from conftest import SCHEDULE_REGRESSION, SCHEDULE_SMOKE, wait_for

STILL_GOING = ("NoStatus", "Initializing", "Connecting", "Connected", "Running", "IsProcessing")
FAILING = ("Failed", "Error", "Inconclusive", "Timeout", "Cancelled")


def follow(client, run_id, deadline=15.0, abort_after=None):
    """The plugins' loop: poll runItemIds, read every item, poll status until Finished; stop on abort."""
    seen = {}
    end = time.monotonic() + deadline
    started = time.monotonic()
    aborted = False
    while time.monotonic() < end:
        for item_id in client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"]:
            item = client.ok("GET", "/runItems/%s" % item_id)
            if item["FlowInfo"]["Status"] not in STILL_GOING:
                seen[item_id] = item
        status = client.ok("GET", "/run/%s/status" % run_id)["Status"]
        if status == "Finished":
            for item_id in client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"]:
                seen[item_id] = client.ok("GET", "/runItems/%s" % item_id)
            return seen, aborted
        if abort_after is not None and not aborted and time.monotonic() - started > abort_after:
            assert client.ok("PUT", "/run/%s/stop" % run_id)["OperationCompleted"] is True
            aborted = True
        time.sleep(0.02)
    raise AssertionError("run %s did not finish" % run_id)


def test_schedule_run_as_the_plugins_do_it(client):
    schedules = {item["Title"]: item["Id"] for item in client.ok("GET", "/schedules") if item["IsEnabled"]}
    assert schedules["Regression suite"] == SCHEDULE_REGRESSION
    run_id = client.ok("PUT", "/schedules/%s/runNow?Browser=Chrome" % SCHEDULE_REGRESSION)["RunId"]
    items, aborted = follow(client, run_id)
    assert not aborted
    report = []
    for item in items.values():
        assert item["AutomationRunId"] == run_id
        assert item["AgentInfo"]["AgentTitle"] == "Windows agent 1"
        assert isinstance(item["ElapsedSeconds"], (int, float)) and item["ElapsedSeconds"] > 0
        flow_status = item["FlowInfo"]["Status"]
        assert flow_status == item["Status"]
        log = []
        if flow_status in FAILING:
            frames = client.ok("GET", "/runItems/%s/keyframes" % item["RunItemId"])
            log = [frame["LogMessage"] for frame in frames if frame["Level"] == "Error"]
            assert any(item["FlowInfo"]["FlowTitle"] in message for message in log)
        report.append((item["FlowInfo"]["FlowTitle"], flow_status, len(log)))
    assert sorted(report) == [("Checkout fails", "Failed", 1), ("Payment errors", "Error", 1), ("Search inconclusive", "Inconclusive", 1)]
    frames = client.ok("GET", "/runItems/%s/keyframes" % list(items)[0])
    assert "Variable 'Browser' = 'Chrome'" in [frame["LogMessage"] for frame in frames]


def test_passing_schedule_and_abort(client, emulator):
    run_id = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_SMOKE)["RunId"]
    items, _aborted = follow(client, run_id)
    assert sorted(item["FlowInfo"]["Status"] for item in items.values()) == ["Done", "Passed"]
    emulator.configure(speed=5)
    run_id = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_REGRESSION)["RunId"]
    wait_for(lambda: client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"])
    items, aborted = follow(client, run_id, abort_after=0.1)
    assert aborted
    statuses = [item["FlowInfo"]["Status"] for item in items.values()]
    assert statuses and statuses[-1] == "Cancelled"
    frames = client.ok("GET", "/runItems/%s/keyframes" % list(items)[-1])
    assert frames[-1]["Level"] == "Error" and frames[-1]["Status"] == "Cancelled"
    paths = [entry["path"].lower() for entry in emulator.requests()]
    assert any(path.endswith("/stop") for path in paths)
