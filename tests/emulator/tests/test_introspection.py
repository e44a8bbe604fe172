"""The /_emulator/ introspection API."""

import json

from conftest import AGENT_LOCAL, AGENT_WIN1, FLOW_DONE, FLOW_EMPTY, FLOW_FAILED, FLOW_PASSED, KEY, SCHEDULE_SMOKE


def test_runs_records_and_filters(client, emulator):
    first = client.trigger(FLOW_PASSED, AGENT_LOCAL, "?A=1")
    second = client.trigger(FLOW_DONE, AGENT_WIN1, "?isDelete=true")
    runs = client.ok("GET", "/_emulator/runs", key=None)
    assert [run["run_id"] for run in runs] == [first, second]
    record = runs[0]
    for field in ("run_id", "flow_id", "agent_id", "schedule_id", "variables", "is_delete", "status", "created_at",
                  "started_at", "finished_at", "created_wall", "started_wall", "finished_wall"):
        assert field in record
    assert (record["flow_id"], record["agent_id"], record["variables"], record["is_delete"]) == (FLOW_PASSED, AGENT_LOCAL, {"A": "1"}, False)
    assert runs[1]["is_delete"] is True
    assert [run["run_id"] for run in client.ok("GET", "/_emulator/runs?flow_id=%s" % FLOW_DONE, key=None)] == [second]
    assert [run["run_id"] for run in client.ok("GET", "/_emulator/runs?agent_id=%s" % AGENT_LOCAL.upper(), key=None)] == [first]
    client.wait_finished(first)
    record = emulator.runs(flow_id=FLOW_PASSED)[0]
    assert record["status"] == "Finished"
    assert record["created_at"] <= record["started_at"] < record["finished_at"]
    assert record["created_wall"] <= record["started_wall"] < record["finished_wall"]
    assert record["finished_at"] - record["started_at"] == 6
    schedule_run = client.ok("PUT", "/schedules/%s/runNow" % SCHEDULE_SMOKE)["RunId"]
    record = emulator.runs()[-1]
    assert record["run_id"] == schedule_run and record["flow_id"] is None and len(record["flow_ids"]) == 2


def test_requests_log_never_holds_the_key(client, emulator):
    client.get("/agents")
    client.get("/agents?accesskey=%s" % KEY)
    client.get("/agents", key="wrong-key")
    client.trigger(query="?Name=value")
    log = client.ok("GET", "/_emulator/requests", key=None)
    assert [(entry["method"], entry["status"]) for entry in log] == [("GET", 200), ("GET", 200), ("GET", 401), ("PUT", 200)]
    assert log[3]["path"].startswith("/api/v4/flows/") and log[3]["query"] == {"Name": "value"}
    assert all(isinstance(entry["time"], float) for entry in log)
    text = json.dumps(log)
    assert KEY not in text and "wrong-key" not in text
    assert client.ok("DELETE", "/_emulator/requests", key=None) == []
    assert emulator.requests() == []


def test_introspection_is_not_logged_and_needs_no_key(client, emulator):
    assert client.get("/_emulator/runs", key=None).status == 200
    assert client.get("/_emulator/catalogue", key="anything").status == 200
    assert emulator.requests() == []


def test_reset_keeps_the_catalogue(client, emulator):
    client.trigger()
    emulator.add_fault(path="^/nothing", action="drop")
    assert client.ok("POST", "/_emulator/reset", key=None) == {"reset": True}
    assert emulator.runs() == [] and emulator.requests() == [] and emulator.faults() == []
    assert client.trigger()
    emulator.reset()
    assert emulator.runs() == []


def test_catalogue_and_config(client):
    catalogue = client.ok("GET", "/_emulator/catalogue", key=None)
    assert {"folders", "flows", "agents", "schedules"} <= set(catalogue)
    flows = {flow["id"]: flow for flow in catalogue["flows"]}
    assert flows[FLOW_FAILED]["path"] == "Regression/Checkout/Checkout fails"
    assert flows[FLOW_EMPTY]["no_items"] is True
    assert "access_keys" not in catalogue
    assert client.ok("GET", "/_emulator/config", key=None) == {"speed": 50.0, "grace_polls": 0, "finish_lag": 0.0,
                                                               "license_form": "string"}
    for bad in ({"speed": 0}, {"speed": "fast"}, {"grace_polls": -1}, {"finish_lag": -1}, {"finish_lag": "slow"},
                {"colour": "red"}, [1], {"license_form": "int"}):
        assert client.request("POST", "/_emulator/config", key=None, body=bad).status == 400, bad


def test_unknown_introspection_calls(client):
    assert client.get("/_emulator/nothing", key=None).status == 404
    assert client.request("PUT", "/_emulator/runs", key=None).status == 405
    answer = client.request("POST", "/_emulator/faults", key=None, headers={"Content-Type": "application/json"})
    assert answer.status == 400


def test_scenario_resets_then_sets_config_and_faults_in_one_request(client, emulator):
    client.trigger()
    emulator.add_fault(path="^/nothing", action="drop")
    answer = client.ok("POST", "/_emulator/scenario", key=None,
                       body={"config": {"grace_polls": 2}, "faults": [{"path": "/agents$", "action": "status", "status": 503, "times": 1}]})
    assert answer["reset"] is True and answer["config"]["grace_polls"] == 2
    assert [fault["path"] for fault in answer["faults"]] == ["/agents$"]
    assert emulator.runs() == [] and emulator.requests() == []
    assert [fault["path"] for fault in emulator.faults()] == ["/agents$"]
    assert client.get("/agents").status == 503
    # One fault as an object, no config: the settings are left as they are.
    answer = client.ok("POST", "/_emulator/scenario", key=None, body={"faults": {"path": "^/x", "action": "drop"}})
    assert answer["config"]["grace_polls"] == 2 and len(emulator.faults()) == 1
    assert client.ok("POST", "/_emulator/scenario", key=None, body={})["faults"] == []
    assert emulator.faults() == []


def test_a_bad_scenario_changes_nothing(client, emulator):
    run_id = client.trigger()
    emulator.add_fault(path="^/nothing", action="drop")
    for bad in ({"config": {"grace_polls": -1}}, {"config": {"colour": "red"}}, {"faults": [{"action": "explode"}]},
                {"config": {"speed": 0}}, {"other": 1}, [1]):
        assert client.request("POST", "/_emulator/scenario", key=None, body=bad).status == 400, bad
    assert [run["run_id"] for run in emulator.runs()] == [run_id]
    assert len(emulator.faults()) == 1
    assert client.ok("GET", "/_emulator/config", key=None)["grace_polls"] == 0


def test_observed_gives_the_runs_and_the_requests_together(client, emulator):
    run_id = client.trigger()
    observed = client.ok("GET", "/_emulator/observed", key=None)
    assert observed == {"runs": emulator.runs(), "requests": emulator.requests()}
    assert [run["run_id"] for run in observed["runs"]] == [run_id]
    assert [entry["method"] for entry in observed["requests"]] == ["PUT"]
