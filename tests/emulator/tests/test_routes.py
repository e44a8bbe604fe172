"""Every route answers the documented shapes."""

import re
import time

from conftest import (AGENT_LOCAL, AGENT_WIN1, FLOW_FAILED, FLOW_LONG, FLOW_PASSED, FOLDER_CHECKOUT, FOLDER_SMOKE,
                      SCHEDULE_REGRESSION, SCHEDULE_SMOKE, Client, wait_for)

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMESPAN = re.compile(r"^(\d+\.)?\d{2}:\d{2}:\d{2}(\.\d{7})?$")


def test_trigger_flow_answers_run_id(client):
    answer = client.put("/flows/%s/agent/%s" % (FLOW_PASSED, AGENT_LOCAL))
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    document = answer.json()
    assert list(document) == ["$id", "RunId"]
    assert document["$id"] == "1"
    assert GUID.match(document["RunId"])


def test_every_trigger_creates_a_new_run(client, emulator):
    first = client.trigger()
    second = client.trigger()
    assert first != second
    assert [run["run_id"] for run in emulator.runs()] == [first, second]


def test_run_schedule_now_and_schedules(client):
    run_id = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_SMOKE)["RunId"]
    assert GUID.match(run_id)
    schedules = client.ok("GET", "/schedules")
    assert [(item["Id"], item["Title"], item["IsEnabled"], item["Type"]) for item in schedules] == [
        (SCHEDULE_SMOKE, "Smoke suite", True, "ScheduleInfo"),
        (SCHEDULE_REGRESSION, "Regression suite", True, "ScheduleInfo"),
    ]
    assert [item["$id"] for item in schedules] == ["1", "2"]


def test_schedule_run_has_one_item_per_flow_in_order(client):
    run_id = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_REGRESSION)["RunId"]
    client.wait_finished(run_id)
    ids = client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"]
    items = [client.ok("GET", "/runItems/%s" % item) for item in ids]
    assert [item["FlowInfo"]["FlowTitle"] for item in items] == ["Checkout fails", "Payment errors", "Search inconclusive"]
    assert [item["Status"] for item in items] == ["Failed", "Error", "Inconclusive"]
    assert {item["AgentInfo"]["AgentId"] for item in items} == {AGENT_WIN1}
    run = client.ok("GET", "/run/%s" % run_id)
    assert (run["Status"], run["Failed"], run["Total"]) == ("Finished", 3, 3)
    assert run["Schedule"] == {"$id": "2", "ScheduleId": SCHEDULE_REGRESSION, "ScheduleTitle": "Regression suite"}
    assert run["ExecutionTotalTime"] == "00:00:17"
    assert run["ExecutionMilliseconds"] == 17000


def test_status_routes_agree_for_a_run_id(client):
    run_id = client.trigger()
    assert client.ok("GET", "/run/%s/status" % run_id) == {"$id": "1", "Status": "Executing"}
    assert client.ok("GET", "/schedules/%s/status" % run_id)["Status"] == "Executing"
    client.wait_finished(run_id)
    assert client.ok("GET", "/schedules/%s/status" % run_id)["Status"] == "Finished"


def test_schedule_status_by_schedule_id_is_the_newest_run(client):
    assert client.ok("GET", "/schedules/%s/status" % SCHEDULE_SMOKE)["Status"] == "Finished"
    client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_SMOKE)
    assert client.ok("GET", "/schedules/%s/status" % SCHEDULE_SMOKE)["Status"] == "Executing"


def test_run_and_run_item_shapes(client):
    run_id = client.trigger(FLOW_FAILED)
    client.wait_finished(run_id)
    run = client.ok("GET", "/run/%s" % run_id)
    assert list(run) == ["$id", "RunId", "Schedule", "Status", "Failed", "Total", "ExecutionTotalTime", "ExecutionMilliseconds"]
    assert run["RunId"] == run_id
    assert TIMESPAN.match(run["ExecutionTotalTime"])
    ids = client.ok("GET", "/run/%s/runItemIds" % run_id)
    assert list(ids) == ["$id", "RunItemIds"] and len(ids["RunItemIds"]) == 1
    item = client.ok("GET", "/runItems/%s" % ids["RunItemIds"][0])
    assert item["$id"] == "1" and item["FlowInfo"]["$id"] == "2" and item["AgentInfo"]["$id"] == "3"
    assert item["RunItemId"] == ids["RunItemIds"][0]
    assert item["RunId"] == item["AutomationRunId"] == run_id
    assert item["FlowInfo"] == {"$id": "2", "FlowId": FLOW_FAILED, "FlowTitle": "Checkout fails", "Status": "Failed"}
    assert item["AgentInfo"]["AgentTitle"] == item["AgentInfo"]["EnvironmentTitle"] == "Local agent"
    assert item["AgentInfo"]["ConnectionType"] == "Local"
    assert item["Status"] == "Failed"
    assert item["Elapsed"] == "00:00:08"
    assert item["ElapsedMilliseconds"] == 8000 and item["ElapsedSeconds"] == 8
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$", item["CreatedAt"])
    assert item["RunType"] == "Manual"


def test_keyframes_and_offset(client):
    run_id = client.trigger(FLOW_FAILED)
    client.wait_finished(run_id)
    item_id = client.ok("GET", "/run/%s/runItemIds" % run_id)["RunItemIds"][0]
    frames = client.ok("GET", "/runItems/%s/keyframes" % item_id)
    assert [frame["$id"] for frame in frames] == [str(n) for n in range(1, 2 * len(frames) + 1, 2)]
    for frame in frames:
        assert frame["AutomationRunItemId"] == item_id
        assert set(frame["Timestamp"]) == {"$id", "Value", "LocalDateTime", "UtcDateTime", "Ticks"}
        assert frame["Level"] in ("Trace", "Info", "Error")
    assert frames[0]["Level"] == "Info"
    assert frames[-1]["Level"] == "Error" and frames[-1]["Status"] == "Failed"
    assert "Checkout fails" in frames[-1]["LogMessage"]
    ticks = [frame["Timestamp"]["Ticks"] for frame in frames]
    assert ticks == sorted(ticks)
    later = client.ok("GET", "/runItems/%s/keyframes/2" % item_id)
    assert [frame["LogMessage"] for frame in later] == [frame["LogMessage"] for frame in frames[2:]]
    assert client.ok("GET", "/runItems/%s/keyframes/100" % item_id) == []


def test_stop_routes(client):
    run_id = client.trigger(FLOW_LONG)
    assert client.ok("PUT", "/run/%s/stop" % run_id) == {"$id": "1", "OperationCompleted": True}
    assert client.ok("PUT", "/schedules/%s/stop" % run_id) == {"$id": "1", "OperationCompleted": False}
    other = client.trigger(FLOW_LONG)
    assert client.ok("PUT", "/schedules/%s/stop" % other)["OperationCompleted"] is True


def test_agents_routes(client):
    agents = client.ok("GET", "/agents")
    titles = ["Local agent", "Windows agent 1", "Windows agent 2", "Offline agent", "Unlicensed agent"]
    assert [agent["Title"] for agent in agents] == titles
    for field in ("Id", "Title", "HostName", "Port", "ConnectionType", "Type", "UsedBySchedules"):
        assert field in agents[0]
    one = client.ok("GET", "/agents/%s" % AGENT_WIN1)
    assert one["Id"] == AGENT_WIN1 and one["HostName"] == "win-agent-01"
    assert client.ok("GET", "/agent/%s" % AGENT_WIN1) == one
    statuses = client.ok("GET", "/agents/agentsStatuses")
    assert statuses[0] == {"$id": "1", "AgentId": AGENT_LOCAL, "Title": "Local agent", "ConnectionStatus": "Available",
                           "BlockedByLicense": "Available", "IsBusy": False}


def test_hierarchy_and_flowinfo(client):
    roots = client.ok("GET", "/hierarchy")
    assert [(node["Title"], node["Type"], node["ParentId"]) for node in roots] == [("Smoke", "Folder", None), ("Regression", "Folder", None)]
    smoke = client.ok("GET", "/hierarchy/%s" % FOLDER_SMOKE)
    assert [child["Title"] for child in smoke["Children"]] == ["Login passes", "Report done", "Empty flow"]
    assert all(child["Type"] == "Flow" and child["ParentId"] == FOLDER_SMOKE for child in smoke["Children"])
    checkout = client.ok("GET", "/hierarchy/%s" % FOLDER_CHECKOUT)
    assert checkout["Path"] == "Regression/Checkout"
    flow = client.ok("GET", "/hierarchy/%s" % FLOW_FAILED)
    assert (flow["Type"], flow["ParentId"], flow["Children"]) == ("Flow", FOLDER_CHECKOUT, [])
    info = client.ok("GET", "/flowinfo/%s" % FLOW_FAILED)
    assert (info["Title"], info["Type"], info["Status"], info["IsDeleted"]) == ("Checkout fails", "Flow", "Publish", False)


def test_run_ids_newest_first_with_count(client):
    first = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_SMOKE)["RunId"]
    client.wait_finished(first)  # runNow on a running schedule is refused (410)
    second = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_SMOKE)["RunId"]
    assert client.ok("GET", "/schedules/%s/runIds/all" % SCHEDULE_SMOKE) == {"$id": "1", "runIds": [second, first]}
    assert client.ok("GET", "/schedules/%s/runIds/all?count=1" % SCHEDULE_SMOKE)["runIds"] == [second]
    assert client.ok("GET", "/schedules/%s/runIds/all" % SCHEDULE_REGRESSION)["runIds"] == []


def test_paths_are_case_insensitive(client):
    run_id = client.ok("PUT", "/API/V4/FLOWS/%s/AGENT/%s" % (FLOW_PASSED.upper(), AGENT_LOCAL.upper()))["RunId"]
    assert client.ok("GET", "/Api/v4/Run/%s/Status" % run_id.upper())["Status"] in ("Executing", "Finished")
    ids = wait_for(lambda: client.ok("GET", "/run/%s/runitemids" % run_id)["RunItemIds"])
    assert client.ok("GET", "/RUNITEMS/%s" % ids[0])["RunItemId"] == ids[0]
    assert client.ok("GET", "/runitems/%s/KEYFRAMES" % ids[0])
    assert client.ok("GET", "/agents/AGENTSSTATUSES")
    assert client.ok("GET", "/SCHEDULES/%s/RUNIDS/ALL" % SCHEDULE_SMOKE)


def test_unknown_query_parameters_are_ignored(client):
    assert client.ok("GET", "/agents?foo=bar&x")
    run_id = client.trigger()
    assert client.ok("GET", "/run/%s/status?nocache=123" % run_id)
    assert client.ok("GET", "/schedules/%s/runIds/all?count=5&extra=1" % SCHEDULE_SMOKE) == {"$id": "1", "runIds": []}


def test_trailing_slash_and_keep_alive(client):
    connection = client.connection()
    try:
        for _attempt in range(3):
            answer = client.get("/agents/", connection=connection)
            assert answer.status == 200
            assert int(answer.headers["Content-Length"]) == len(answer.body)
        answer = client.get("/run/nope/status", connection=connection)
        assert answer.status == 404
        assert client.get("/agents", connection=connection).status == 200
    finally:
        connection.close()


def test_keep_alive_answers_are_not_held_back(client):
    # Headers and body are two writes: with Nagle's algorithm on, the body waits for the client's
    # delayed ACK (40 ms on Linux) on most keep-alive requests, 25 of them over 1 s. Without: a few ms.
    connection = client.connection()
    try:
        began = time.monotonic()
        for _attempt in range(25):
            assert client.get("/agents", connection=connection).status == 200
        assert time.monotonic() - began < 0.9
    finally:
        connection.close()


def test_errors_are_plain_text(client):
    answer = client.get("/run/%s" % "nope")
    assert answer.status == 404
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.text == "Asset not found"


def test_no_accept_header_needed_and_empty_put_body(emulator):
    client = Client(emulator.url)
    connection = client.connection()
    try:
        connection.putrequest("PUT", "/api/v4/flows/%s/agent/%s" % (FLOW_PASSED, AGENT_LOCAL), skip_accept_encoding=True)
        connection.putheader("accesskey", client.key)
        connection.putheader("Content-Length", "0")
        connection.endheaders()
        answer = connection.getresponse()
        assert answer.status == 200
        assert "RunId" in answer.read().decode("utf-8")
    finally:
        connection.close()
