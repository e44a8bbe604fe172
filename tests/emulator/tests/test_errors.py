"""Error answers: 400, 401, 403, 404, 405."""

import pytest

from conftest import AGENT_LOCAL, FLOW_PASSED, FOLDER_SMOKE, MISSING, SCHEDULE_SMOKE, Client, wait_for
from leapwork_emulator import Emulator

TRIGGER = "/flows/%s/agent/%s" % (FLOW_PASSED, AGENT_LOCAL)


def test_missing_or_wrong_key_is_401(client):
    for key in (None, "wrong", ""):
        answer = client.get("/agents", key=key)
        assert (answer.status, answer.text) == (401, "Incorrect AccessKey")
        assert answer.headers["Content-Type"].startswith("text/plain")
    answer = client.put(TRIGGER, key="wrong")
    assert answer.status == 401


def test_header_name_is_case_insensitive(client):
    answer = client.get("/agents", key=None, headers={"accesskey": client.key})
    assert answer.status == 200
    answer = client.get("/agents", key=None, headers={"ACCESSKEY": client.key})
    assert answer.status == 200


def test_scopes_give_403():
    config = {"access_keys": {"reader": ["read"], "runner": ["run"]}}
    with Emulator(config=config, access_key=None, speed=50) as emu:
        reader = Client(emu.url, key="reader")
        runner = Client(emu.url, key="runner")
        assert reader.get("/agents").status == 200
        answer = reader.put(TRIGGER)
        assert (answer.status, answer.text) == (403, "AccessKey does not have the relevant scope permission")
        assert reader.put("/schedules/%s/runNow" % SCHEDULE_SMOKE).status == 403
        run_id = runner.trigger()
        assert runner.get("/run/%s/status" % run_id).status == 403
        assert reader.put("/run/%s/stop" % run_id).status == 403
        assert reader.get("/run/%s/status" % run_id).status == 200
        assert runner.put("/run/%s/stop" % run_id).status == 200
        assert emu.runs()[0]["run_id"] == run_id


@pytest.mark.parametrize("method,path", [
    ("PUT", "/flows/%s/agent/%s" % (MISSING, AGENT_LOCAL)),
    ("PUT", "/flows/%s/agent/%s" % (FLOW_PASSED, MISSING)),
    ("PUT", "/flows/%s/agent/%s" % (FOLDER_SMOKE, AGENT_LOCAL)),
    ("PUT", "/flows/not-a-guid/agent/%s" % AGENT_LOCAL),
    ("PUT", "/schedules/%s/runNow" % MISSING),
    ("GET", "/run/%s" % MISSING),
    ("GET", "/run/%s/status" % MISSING),
    ("GET", "/schedules/%s/status" % MISSING),
    ("GET", "/run/%s/runItemIds" % MISSING),
    ("GET", "/runItems/%s" % MISSING),
    ("GET", "/runItems/%s/keyframes" % MISSING),
    ("GET", "/runItems/%s/keyframes/3" % MISSING),
    ("PUT", "/run/%s/stop" % MISSING),
    ("PUT", "/schedules/%s/stop" % MISSING),
    ("GET", "/agents/%s" % MISSING),
    ("GET", "/agent/%s" % MISSING),
    ("GET", "/hierarchy/%s" % MISSING),
    ("GET", "/flowinfo/%s" % MISSING),
    ("GET", "/schedules/%s/runIds/all" % MISSING),
])
def test_unknown_ids_are_404_asset_not_found(client, method, path):
    answer = client.request(method, path)
    assert (answer.status, answer.text) == (404, "Asset not found")


def test_unknown_route_is_404(client):
    for path in ("/nothing", "/flows", "/run/x/y/z", "/api/v3/agents", "/other"):
        answer = client.get(path)
        assert answer.status == 404, path
        assert answer.text != "Asset not found"


def test_wrong_method_is_405(client):
    for method, path in (("GET", TRIGGER), ("POST", TRIGGER), ("DELETE", "/agents"), ("PUT", "/agents"),
                         ("GET", "/schedules/%s/runNow" % SCHEDULE_SMOKE), ("GET", "/run/%s/stop" % MISSING),
                         ("PUT", "/run/%s/status" % MISSING), ("POST", "/schedules")):
        answer = client.request(method, path)
        assert answer.status == 405, (method, path)
        assert answer.headers["Allow"]
    assert client.get(TRIGGER).headers["Allow"] == "PUT"


@pytest.mark.parametrize("query", ["?1abc=x", "?a%2Fb=x", "?=x", "?bad%26name=1", "?a$b=1", "?" + "v" * 129 + "=1"])
def test_invalid_variable_name_is_400(client, emulator, query):
    answer = client.put(TRIGGER + query)
    assert answer.status == 400
    assert "variable name" in answer.text
    assert emulator.runs() == []


@pytest.mark.parametrize("query", ["?A=1&A=2", "?Name=1&name=2", "?x=1&isDelete=true&X=3"])
def test_duplicate_variable_is_400(client, emulator, query):
    answer = client.put(TRIGGER + query)
    assert answer.status == 400
    assert "Duplicate variable name" in answer.text
    assert emulator.runs() == []


def test_variable_rules_on_run_now_too(client):
    assert client.put("/schedules/%s/runNow?a=1&A=2" % SCHEDULE_SMOKE).status == 400
    assert client.put("/schedules/%s/runNow?9=1" % SCHEDULE_SMOKE).status == 400


def test_valid_variable_names(client, emulator):
    client.trigger(query="?_x=1&Name.with-dots_and%20spaces=2&a9=")
    wait_for(emulator.runs)
    assert emulator.runs()[0]["variables"] == {"_x": "1", "Name.with-dots_and spaces": "2", "a9": ""}


def test_invalid_is_delete_is_400(client):
    answer = client.put(TRIGGER + "?isDelete=yes")
    assert answer.status == 400
