"""Fault injection: status, delay, drop, restart, answer, grace polls, skip and times."""

import http.client
import socket
import threading
import time

import pytest

from conftest import AGENT_LOCAL, FLOW_LONG, FLOW_PASSED, KEY, Client, wait_for
from leapwork_emulator import Emulator

TRIGGER = "/flows/%s/agent/%s" % (FLOW_PASSED, AGENT_LOCAL)


@pytest.mark.parametrize("status,body", [(500, "An error has occurred."), (446, "Not enough disk space"),
                                         (448, "Cache timeout, will run again later"), (455, "Database is not responding")])
def test_status_fault(client, emulator, status, body):
    emulator.add_fault(method="PUT", path="^/flows/", action="status", status=status)
    answer = client.put(TRIGGER)
    assert (answer.status, answer.text) == (status, body)
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert emulator.runs() == []
    assert client.put(TRIGGER).status == 200
    assert [entry["status"] for entry in emulator.requests()] == [status, 200]
    assert emulator.requests()[0]["fault"] == "status"


def test_status_fault_with_custom_body_and_method_filter(client, emulator):
    emulator.add_fault({"method": "GET", "path": "/status$", "action": "status", "status": 503, "body": "busy", "times": -1})
    run_id = client.trigger()
    for _attempt in range(3):
        answer = client.get("/run/%s/status" % run_id)
        assert (answer.status, answer.text) == (503, "busy")
    assert client.get("/run/%s" % run_id).status == 200
    assert emulator.faults()[0]["applied"] == 3


def test_faults_from_config_at_start_up():
    config = {"faults": [{"method": "*", "path": "^/agents$", "action": "status", "status": 455}]}
    with Emulator(config=config, access_key=KEY, speed=50) as emu:
        client = Client(emu.url)
        assert client.get("/agents").status == 455
        assert client.get("/agents").status == 200
        assert client.trigger()


def test_faults_come_before_authentication(client, emulator):
    emulator.add_fault(path="/agents", action="status", status=500)
    assert client.get("/agents", key="wrong").status == 500
    assert client.get("/agents", key="wrong").status == 401


def test_delay_fault(client, emulator):
    emulator.add_fault(method="GET", path="^/agents", action="delay", seconds=0.3)
    start = time.monotonic()
    assert client.get("/agents").status == 200
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    assert client.get("/agents").status == 200
    assert time.monotonic() - start < 0.3


def test_delay_before_handling_times_out_without_a_run(emulator):
    emulator.add_fault(method="PUT", path="^/flows/", action="delay", seconds=1.0)
    client = Client(emulator.url, timeout=0.2)
    with pytest.raises(socket.timeout):
        client.put(TRIGGER)
    assert emulator.runs() == []


def test_delay_after_creating_the_run(emulator):
    emulator.add_fault(method="PUT", path="^/flows/", action="delay", seconds=1.0, after=True)
    client = Client(emulator.url, timeout=0.2)
    with pytest.raises(socket.timeout):
        client.put(TRIGGER)
    assert len(emulator.runs()) == 1
    assert emulator.requests()[0]["status"] == 200


def test_drop_fault(client, emulator):
    emulator.add_fault(method="PUT", path="^/flows/", action="drop")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        client.put(TRIGGER)
    assert emulator.runs() == []
    assert emulator.requests()[0]["status"] is None and emulator.requests()[0]["fault"] == "drop"
    assert client.put(TRIGGER).status == 200


def test_drop_after_creating_the_run(client, emulator):
    emulator.add_fault(method="PUT", path="^/flows/", action="drop", after=True)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        client.put(TRIGGER)
    assert len(emulator.runs()) == 1


def test_drop_on_a_keep_alive_connection(client, emulator):
    connection = client.connection()
    try:
        assert client.get("/agents", connection=connection).status == 200
        emulator.add_fault(method="GET", path="^/agents$", action="drop")
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            client.get("/agents", connection=connection)
    finally:
        connection.close()
    assert client.get("/agents").status == 200


def test_restart_fault_forgets_runs(client, emulator):
    run_id = client.trigger(FLOW_LONG)
    emulator.add_fault(method="GET", path="^/run/", action="restart")
    answer = client.get("/run/%s/status" % run_id)
    assert (answer.status, answer.text) == (404, "Asset not found")
    assert emulator.runs() == []
    assert client.status(client.trigger(FLOW_PASSED)) == "Executing"


def test_runtime_restart(client, emulator):
    run_id = client.trigger(FLOW_LONG)
    assert client.ok("POST", "/_emulator/restart", key=None) == {"restarted": True}
    assert client.get("/run/%s" % run_id).status == 404
    run_id = client.trigger(FLOW_LONG)
    assert client.status(run_id) == "Executing"
    emulator.restart()
    assert client.get("/run/%s" % run_id).status == 404


def test_skip_and_times(client, emulator):
    emulator.add_fault(method="GET", path="^/agents$", action="status", status=500, skip=2, times=2)
    statuses = [client.get("/agents").status for _index in range(6)]
    assert statuses == [200, 200, 500, 500, 200, 200]
    fault = emulator.faults()[0]
    assert (fault["seen"], fault["applied"], fault["exhausted"]) == (4, 2, True)


def test_times_forever_and_first_matching_fault_wins(client, emulator):
    emulator.add_fault([{"path": "^/agents$", "action": "status", "status": 455, "times": -1},
                        {"path": "^/agents$", "action": "status", "status": 446}])
    assert [client.get("/agents").status for _index in range(4)] == [455] * 4
    assert client.get("/hierarchy").status == 200
    assert client.ok("DELETE", "/_emulator/faults", key=None) == []
    assert client.get("/agents").status == 200


def test_grace_polls():
    with Emulator(access_key=KEY, speed=50, grace_polls=3) as emu:
        client = Client(emu.url)
        run_id = client.trigger()
        answers = [client.get(path % run_id) for path in ("/run/%s/status", "/run/%s/runItemIds", "/run/%s", "/run/%s/status")]
        assert [(answer.status, answer.text if answer.status == 404 else "") for answer in answers] == [
            (404, "No such run"), (404, "No such run"), (404, "No such run"), (200, "")]
        second = client.trigger()
        assert client.get("/schedules/%s/status" % second).text == "No such run"
        assert client.get("/run/%s" % run_id).status == 200


def test_grace_polls_from_config_and_runtime(client):
    assert client.ok("POST", "/_emulator/config", body={"grace_polls": 1}, key=None)["grace_polls"] == 1
    run_id = client.trigger()
    assert client.get("/run/%s/status" % run_id).status == 404
    assert client.get("/run/%s/status" % run_id).status == 200
    with Emulator(config={"grace_polls": 2}, access_key=KEY, speed=50) as emu:
        other = Client(emu.url)
        run_id = other.trigger()
        assert [other.get("/run/%s/status" % run_id).status for _index in range(3)] == [404, 404, 200]


def test_fault_api_over_http(client, emulator):
    added = client.ok("POST", "/_emulator/faults", key=None,
                      body=[{"method": "PUT", "path": "^/flows/", "action": "drop"},
                            {"method": "GET", "path": "x", "action": "delay", "seconds": 0.01}])
    assert [fault["action"] for fault in added] == ["drop", "delay"]
    listed = client.ok("GET", "/_emulator/faults", key=None)
    assert len(listed) == 2 and listed[0]["times"] == 1 and listed[0]["skip"] == 0
    assert client.ok("POST", "/_emulator/faults", key=None, body={"action": "restart", "path": "^/nothing"})
    assert len(emulator.faults()) == 3
    for bad in ({"action": "explode"}, {"action": "status", "status": 99}, {"action": "drop", "path": "("},
                {"action": "drop", "method": "FETCH"}, {"action": "delay", "seconds": "soon"}, "text"):
        answer = client.request("POST", "/_emulator/faults", key=None, body=bad)
        assert answer.status == 400, bad
        assert "error" in answer.json()
    client.ok("DELETE", "/_emulator/faults", key=None)
    assert emulator.faults() == []


def test_delayed_request_does_not_block_others(client, emulator):
    emulator.add_fault(method="GET", path="^/hierarchy$", action="delay", seconds=0.5)
    slow = Client(emulator.url, timeout=5)
    thread = threading.Thread(target=slow.get, args=("/hierarchy",))
    thread.start()
    wait_for(lambda: emulator.faults()[0]["applied"] == 1)
    start = time.monotonic()
    assert client.get("/agents").status == 200
    assert time.monotonic() - start < 0.4
    thread.join()


def test_answer_fault_replaces_the_answer(client, emulator):
    run_id = client.trigger()
    emulator.add_fault(method="GET", path="/status$", action="answer", times=2,
                       body="<html><body>Proxy login</body></html>")
    emulator.add_fault(method="GET", path="/runItemIds$", action="answer", body='{"RunItemIds": "none"}',
                       content_type="application/json; charset=utf-8")
    first = client.get("/run/%s/status" % run_id)
    assert (first.status, first.text) == (200, "<html><body>Proxy login</body></html>")
    assert first.headers["Content-Type"] == "text/html; charset=utf-8"
    assert client.get("/run/%s/status" % run_id).text.startswith("<html>")
    assert client.get("/run/%s/status" % run_id).json()["Status"] in ("Queued", "Executing", "Finished")
    ids = client.get("/run/%s/runItemIds" % run_id)
    assert ids.json() == {"RunItemIds": "none"}
    assert ids.headers["Content-Type"] == "application/json; charset=utf-8"
    assert [entry["fault"] for entry in emulator.requests()][-4:] == ["answer", "answer", None, "answer"]


def test_answer_fault_with_a_status_and_without_a_body(client, emulator):
    emulator.add_fault(method="GET", path="^/agents$", action="answer", status=502)
    answer = client.get("/agents")
    assert (answer.status, answer.text) == (502, "")
    assert emulator.faults()[0]["content_type"] == "text/html; charset=utf-8"


def test_answer_after_handling_creates_the_run_but_hides_its_id(client, emulator):
    emulator.add_fault(method="PUT", path="^/flows/", action="answer", after=True, body="<html>gateway</html>")
    answer = client.put(TRIGGER)
    assert (answer.status, answer.text) == (200, "<html>gateway</html>")
    assert len(emulator.runs()) == 1
    assert emulator.requests()[-1]["status"] == 200 and emulator.requests()[-1]["fault"] == "answer"


def test_answer_fault_content_type_must_be_one_line(emulator):
    with pytest.raises(ValueError):
        emulator.add_fault(action="answer", content_type="text/html\r\nX-Injected: 1")


def test_status_fault_with_headers(client, emulator):
    emulator.add_fault(method="GET", path="^/agents$", action="status", status=503, headers={"Retry-After": 30})
    answer = client.get("/agents")
    assert (answer.status, answer.text, answer.headers["Retry-After"]) == (503, "Service Unavailable", "30")
    assert emulator.faults()[0]["headers"] == {"Retry-After": "30"}


@pytest.mark.parametrize("headers", [["Retry-After"], {"Retry-After": "1\r\nX: y"}, {"A:B": "1"}, {"": "1"}, {"X": None}])
def test_fault_headers_must_be_one_line(emulator, headers):
    with pytest.raises(ValueError):
        emulator.add_fault(action="status", status=503, headers=headers)


def test_an_echo_fault_quotes_the_request_in_each_form(client, emulator):
    # As IIS and proxies do: the error page repeats the request, secret variables included.
    emulator.add_fault(method="PUT", path="^/flows/", action="status", status=500, echo=True,
                       body="raw ?{query} | plus ?{query_plus} | decoded {query_decoded} | json {query_json}")
    answer = client.put(TRIGGER + "?Password=p%40ss%20w0rd%21&User=qa")
    assert answer.status == 500
    assert answer.text == ('raw ?Password=p%40ss%20w0rd%21&User=qa | plus ?Password=p%40ss+w0rd%21&User=qa | '
                           'decoded Password=p@ss w0rd!&User=qa | json {"Password": "p@ss w0rd!", "User": "qa"}')
    assert emulator.faults()[0]["echo"] is True
    # Without echo the placeholders are text like any other.
    emulator.clear_faults()
    emulator.add_fault(method="PUT", path="^/flows/", action="answer", status=502, body="{query}")
    assert client.put(TRIGGER + "?A=1").text == "{query}"
