# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the HTTP client (_client.py): fake transport, fake sleep, no network
(except the loopback tests of the classifier, which use real sockets on 127.0.0.1)."""

import json
import re
import socket
import threading
import traceback

import pytest
import requests

from ansible_collections.leapops.leapwork.plugins.module_utils import _client
from ansible_collections.leapops.leapwork.plugins.module_utils._client import (
    LeapworkClient,
    _sent_before_failure,
    normalize_controller_url,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    DeadlineReached,
    LeapworkConnectionError,
    LeapworkError,
    LeapworkHTTPError,
    TriggerOutcomeUnknown,
    UnexpectedAnswer,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._deadline import Deadline
from ansible_collections.leapops.leapwork.plugins.module_utils._http_status import RETRY_READ, proves_no_run, statuses_with
from ansible_collections.leapops.leapwork.plugins.module_utils._module import error_result
from ansible_collections.leapops.leapwork.plugins.module_utils._results import keyframes_of
from ansible_collections.leapops.leapwork.plugins.module_utils._trigger import RunRequest

FLOW = "6b1a3e0c-0000-4000-8000-00000000f10e"
AGENT = "a9e3d2c1-0000-4000-8000-0000000a6e27"
RUN = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a"
ITEM = "11111111-2222-4333-8444-555555555555"
TRIGGER_PATH = "/flows/%s/agent/%s" % (FLOW, AGENT)
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(UTC\)")


def response(transport, status, body=None, text=None, headers=None):
    return transport.Response(status, body, text=text, headers=headers)


# -- URL building ----------------------------------------------------------------------------

@pytest.mark.parametrize("given, root", [
    ("https://leapwork.example:9002", "https://leapwork.example:9002"),
    ("https://leapwork.example:9002/", "https://leapwork.example:9002"),
    ("  http://leapwork.example:9001//  ", "http://leapwork.example:9001"),
    ("https://proxy.example/leapwork", "https://proxy.example/leapwork"),
    ("https://proxy.example/leapwork/", "https://proxy.example/leapwork"),
    ("https://leapwork.example:9002/api/v4", "https://leapwork.example:9002"),
    ("https://leapwork.example:9002/api/v4/", "https://leapwork.example:9002"),
    ("https://proxy.example/leapwork/API/V4", "https://proxy.example/leapwork"),
    ("HTTPS://leapwork.example", "https://leapwork.example"),
])
def test_controller_url_normalised(make_client, fake_transport, given, root):
    client = make_client(controller_url=given)
    assert client.controller_url == root
    assert client.base_url == root + "/api/v4"
    fake_transport.add("GET", "/agents", [])
    client.agents()
    assert fake_transport.calls[0].url == root + "/api/v4/agents"
    assert "/api/v4/api/v4" not in fake_transport.calls[0].url


@pytest.mark.parametrize("given, fragment", [
    ("", "controller_url is required"),
    (None, "controller_url is required"),
    ("ftp://leapwork.example", "must start with http:// or https://"),
    ("leapwork.example:9002", "must start with http:// or https://"),
    ("https://", "must name a host"),
    ("https://:9002/x", "must name a host"),
    ("https://leapwork.example:99999", "not a valid URL"),
    ("https://leapwork.example:port", "not a valid URL"),
    ("https://leapwork.example?x=1", "query string"),
    ("https://leapwork.example/#top", "fragment"),
])
def test_controller_url_rejected(given, fragment):
    with pytest.raises(ValueError, match="controller_url") as info:
        normalize_controller_url(given)
    assert fragment in str(info.value)


def test_controller_url_with_credentials_is_rejected_without_echo():
    with pytest.raises(ValueError) as info:
        normalize_controller_url("https://admin:topsecret@leapwork.example")
    assert "controller_url must not contain a user name or password" in str(info.value)
    assert "topsecret" not in str(info.value)


# -- AccessKey, timeout, TLS -----------------------------------------------------------------

def test_access_key_header_on_every_request_and_never_in_url(make_client, fake_transport, access_key):
    fake_transport.add("GET", "/run/%s/status" % RUN, {"Status": "Queued"})
    fake_transport.add("PUT", TRIGGER_PATH, {"RunId": RUN})
    fake_transport.add("PUT", "/run/%s/stop" % RUN, {"OperationCompleted": True})
    client = make_client()
    client.run_status(RUN)
    client.trigger_flow(FLOW, AGENT, [("Env", "staging")])
    client.stop_run(RUN)
    assert len(fake_transport.calls) == 3
    for call in fake_transport.calls:
        assert call.headers["AccessKey"] == access_key
        assert access_key not in call.url
        assert access_key not in repr(call.params)
        assert call.allow_redirects is False


def test_access_key_is_stripped(make_client, fake_transport, access_key):
    fake_transport.add("GET", "/agents", [])
    make_client(access_key="  %s\n" % access_key).agents()
    assert fake_transport.calls[0].headers["AccessKey"] == access_key


@pytest.mark.parametrize("bad_key", ["", "   ", None, "abc\ndef", "abc\rdef", "abc\x00"])
def test_unusable_access_key_rejected_without_echo(make_client, bad_key):
    with pytest.raises(ValueError, match="access_key") as info:
        make_client(access_key=bad_key)
    if bad_key and bad_key.strip():
        assert bad_key.strip() not in str(info.value)


@pytest.mark.parametrize("validate_certs, ca_path, verify", [
    (True, None, True),
    (False, None, False),
    (True, "/etc/ssl/leapwork-ca.pem", "/etc/ssl/leapwork-ca.pem"),
    (False, "/etc/ssl/leapwork-ca.pem", False),
])
def test_tls_verify_and_timeout_passed(make_client, fake_transport, validate_certs, ca_path, verify):
    fake_transport.add("GET", "/agents", [])
    fake_transport.add("PUT", TRIGGER_PATH, {"RunId": RUN})
    client = make_client(validate_certs=validate_certs, ca_path=ca_path, request_timeout=12.5)
    client.agents()
    client.trigger_flow(FLOW, AGENT)
    for call in fake_transport.calls:
        assert call.verify == verify
        assert call.timeout == 12.5


@pytest.mark.parametrize("timeout", [0, -1])
def test_request_timeout_must_be_positive(make_client, timeout):
    with pytest.raises(ValueError, match="request_timeout"):
        make_client(request_timeout=timeout)


def test_negative_retries_rejected(make_client):
    with pytest.raises(ValueError, match="retries"):
        make_client(retries=-1)


def test_repr_does_not_show_the_key(make_client, access_key):
    assert access_key not in repr(make_client())


# -- endpoints -------------------------------------------------------------------------------

ENDPOINTS = [
    # (method name, args, HTTP method, path, answer, expected result)
    ("run_status", (RUN,), "GET", "/run/%s/status" % RUN, {"$id": "1", "Status": "Executing"}, "Executing"),
    ("run_item_ids", (RUN,), "GET", "/run/%s/runItemIds" % RUN, {"$id": "1", "RunItemIds": [ITEM]}, [ITEM]),
    ("run_item_ids", (RUN,), "GET", "/run/%s/runItemIds" % RUN, {"$id": "1", "RunItemIds": []}, []),
    ("run_item", (ITEM,), "GET", "/runItems/%s" % ITEM, {"RunItemId": ITEM, "Status": "Passed"},
     {"RunItemId": ITEM, "Status": "Passed"}),
    ("keyframes", (ITEM,), "GET", "/runItems/%s/keyframes" % ITEM, [{"Level": "Info", "LogMessage": "hi"}],
     [{"Level": "Info", "LogMessage": "hi"}]),
    ("keyframes", (ITEM, 5), "GET", "/runItems/%s/keyframes/5" % ITEM, [], []),
    ("stop_run", (RUN,), "PUT", "/run/%s/stop" % RUN, {"$id": "1", "OperationCompleted": True}, True),
    ("stop_run", (RUN,), "PUT", "/run/%s/stop" % RUN, {"$id": "1", "OperationCompleted": False}, False),
    ("agent", (AGENT,), "GET", "/agents/%s" % AGENT, {"Id": AGENT, "Title": "Agent 1"}, {"Id": AGENT, "Title": "Agent 1"}),
    ("agents", (), "GET", "/agents", [{"Id": AGENT}], [{"Id": AGENT}]),
    ("flow_info", (FLOW,), "GET", "/flowinfo/%s" % FLOW, {"Title": "Login", "Type": "Flow"}, {"Title": "Login", "Type": "Flow"}),
    ("hierarchy", (), "GET", "/hierarchy", [{"Id": FLOW, "Children": []}], [{"Id": FLOW, "Children": []}]),
    ("hierarchy", (FLOW,), "GET", "/hierarchy/%s" % FLOW, {"Id": FLOW}, {"Id": FLOW}),
    ("trigger_flow", (FLOW, AGENT), "PUT", TRIGGER_PATH, {"$id": "1", "RunId": RUN}, RUN),
    ("trigger_flow", (FLOW, AGENT), "PUT", TRIGGER_PATH, {"$id": "1", "runId": RUN}, RUN),
]


@pytest.mark.parametrize("name, args, method, path, answer, expected", ENDPOINTS)
def test_endpoint_path_and_parsing(make_client, fake_transport, name, args, method, path, answer, expected):
    fake_transport.add(method, path, answer)
    client = make_client()
    assert getattr(client, name)(*args) == expected
    assert [(call.method, call.path) for call in fake_transport.calls] == [(method, path)]
    assert client.request_count == 1


def test_keys_are_read_case_insensitively(make_client, fake_transport):
    fake_transport.add("GET", "/run/%s/status" % RUN, {"status": "Queued"})
    fake_transport.add("PUT", "/run/%s/stop" % RUN, {"operationCompleted": "true"})
    client = make_client()
    assert client.run_status(RUN) == "Queued"
    assert client.stop_run(RUN) is True


def test_trigger_sends_the_rendered_pairs_in_the_query(make_client, fake_transport):
    fake_transport.add("PUT", TRIGGER_PATH, {"RunId": RUN})
    request = RunRequest(FLOW, AGENT, {"Env": "staging & prod", "Retries": 3, "Debug": True, "Empty": None})
    run_id = make_client().trigger_flow(FLOW, AGENT, request.query_pairs(delete_schedule=True))
    assert run_id == RUN
    call = fake_transport.calls[0]
    assert call.params == [("Env", "staging & prod"), ("Retries", "3"), ("Debug", "true"), ("Empty", ""), ("isDelete", "true")]
    assert call.headers["Connection"] == "close"
    # Encoded by us, exactly as flow_run reports it: a space is %20, never "+".
    assert call.raw_query == "Env=staging%20%26%20prod&Retries=3&Debug=true&Empty=&isDelete=true"


def test_trigger_without_variables_sends_no_query(make_client, fake_transport):
    fake_transport.add("PUT", TRIGGER_PATH, {"RunId": RUN})
    make_client().trigger_flow(FLOW, AGENT)
    assert fake_transport.calls[0].params is None
    assert "?" not in fake_transport.calls[0].url


def test_trigger_sends_the_pairs_as_given_without_rendering_them_again(make_client, fake_transport):
    # The variables were validated and rendered once (RunVariables); the client only encodes.
    fake_transport.add("PUT", TRIGGER_PATH, {"RunId": RUN})
    make_client().trigger_flow(FLOW, AGENT, [("Debug", "True"), ("Note", "a b")])
    assert fake_transport.calls[0].params == [("Debug", "True"), ("Note", "a b")]
    assert fake_transport.calls[0].raw_query == "Debug=True&Note=a%20b"


def test_params_are_url_encoded_by_requests():
    # What the fake cannot show: requests percent-encodes the pairs the client passes.
    prepared = requests.Request("PUT", "https://h/api/v4" + TRIGGER_PATH,
                                params=[("Env", "a&b=c d"), ("isDelete", "true")]).prepare()
    assert prepared.url.endswith("?Env=a%26b%3Dc+d&isDelete=true")


@pytest.mark.parametrize("name, args, method, path, answer", [
    ("run_status", (RUN,), "GET", "/run/%s/status" % RUN, {"State": "Queued"}),
    ("run_status", (RUN,), "GET", "/run/%s/status" % RUN, ["Queued"]),
    ("run_item_ids", (RUN,), "GET", "/run/%s/runItemIds" % RUN, {"Items": []}),
    ("run_item_ids", (RUN,), "GET", "/run/%s/runItemIds" % RUN, {"RunItemIds": [1, 2]}),
    ("keyframes", (ITEM,), "GET", "/runItems/%s/keyframes" % ITEM, {"Keyframes": []}),
    ("agents", (), "GET", "/agents", {"Id": AGENT}),
    ("agent", (AGENT,), "GET", "/agents/%s" % AGENT, "agent"),
    ("stop_run", (RUN,), "PUT", "/run/%s/stop" % RUN, {"OperationCompleted": "maybe"}),
])
def test_unexpected_json_names_the_operation(make_client, fake_transport, name, args, method, path, answer):
    fake_transport.add(method, path, fake_transport.Response(200, answer))
    with pytest.raises(LeapworkError) as info:
        getattr(make_client(), name)(*args)
    assert not isinstance(info.value, (LeapworkHTTPError, LeapworkConnectionError, TriggerOutcomeUnknown))
    assert str(info.value).startswith("Could not ")
    assert "answer is not" in str(info.value)
    assert info.value.operation


def test_non_json_success_names_the_operation(make_client, fake_transport):
    fake_transport.add("GET", "/run/%s/status" % RUN, fake_transport.Response(200, text="<html>proxy login</html>"))
    with pytest.raises(LeapworkError) as info:
        make_client().run_status(RUN)
    message = str(info.value)
    assert message.startswith("Could not read run status (run %s)" % RUN)
    assert "not JSON" in message and "proxy login" in message
    assert info.value.status == 200 and info.value.run_id == RUN


@pytest.mark.parametrize("answer", [
    {"text": "<html>ok</html>"},
    {"json_body": {"$id": "1"}},
    {"json_body": {"RunId": ""}},
    {"json_body": {"RunId": None}},
])
def test_trigger_success_without_run_id_is_an_unknown_outcome(make_client, fake_transport, answer):
    fake_transport.add("PUT", TRIGGER_PATH, fake_transport.Response(200, **answer))
    with pytest.raises(TriggerOutcomeUnknown) as info:
        make_client().trigger_flow(FLOW, AGENT)
    message = str(info.value)
    assert "without a RunId" in message and "probably started" in message and "not retried" in message
    assert FLOW in message and AGENT in message and UTC_TIME.search(message)
    assert message.startswith("Triggering flow %s on agent %s at " % (FLOW, AGENT))
    assert message.endswith("It was not retried; check the controller's run listings before triggering again.")
    assert fake_transport.count == 1


# -- retry policy for requests that are safe to repeat --------------------------------------

@pytest.mark.parametrize("status", statuses_with(RETRY_READ))
def test_get_retried_on_transient_status(make_client, fake_transport, fake_sleep, status):
    fake_transport.add("GET", "/run/%s/status" % RUN, response(fake_transport, status, text="busy"), {"Status": "Finished"})
    client = make_client()
    assert client.run_status(RUN) == "Finished"
    assert fake_transport.count == 2 and client.request_count == 2
    assert fake_sleep.calls == [0.5]


@pytest.mark.parametrize("error", ["refused", "dns", "connect_timeout", "read_timeout", "dropped", "reset", "chunked",
                                   "tls_eof", "proxy_refused"])
def test_get_retried_on_connection_errors(make_client, fake_transport, fake_sleep, network_errors, error):
    fake_transport.add("GET", "/agents", getattr(network_errors, error)(), getattr(network_errors, error)(), [{"Id": AGENT}])
    client = make_client()
    assert client.agents() == [{"Id": AGENT}]
    assert client.request_count == 3
    assert fake_sleep.calls == pytest.approx([0.5, 0.65])


def test_backoff_grows_by_the_one_rule_and_stops_after_retries(make_client, fake_transport, fake_sleep):
    fake_transport.add("GET", "/run/%s/status" % RUN, response(fake_transport, 503, text="Service Unavailable"))
    client = make_client(retries=4)
    with pytest.raises(LeapworkHTTPError) as info:
        client.run_status(RUN)
    assert fake_transport.count == 5 and client.request_count == 5
    assert fake_sleep.calls == pytest.approx([0.5, 0.65, 0.845, 1.0985])
    assert info.value.status == 503 and info.value.run_id == RUN
    assert "gave up after 5 attempts" in str(info.value)
    assert "503 Service Unavailable" in str(info.value)


def test_backoff_is_capped(make_client, fake_transport, fake_sleep):
    fake_transport.add("GET", "/agents", response(fake_transport, 502))
    with pytest.raises(LeapworkHTTPError):
        make_client(retries=16).agents()
    assert fake_sleep.calls[:3] == pytest.approx([0.5, 0.65, 0.845])
    assert fake_sleep.calls[-3:] == [10.0, 10.0, 10.0]
    assert max(fake_sleep.calls) == 10.0 and len(fake_sleep.calls) == 16


def test_backoff_uses_full_jitter(make_client, fake_transport, fake_sleep, fake_jitter):
    fake_jitter.values = [0.0, 0.5, 0.25]
    fake_transport.add("GET", "/agents", response(fake_transport, 504))
    with pytest.raises(LeapworkHTTPError):
        make_client(retries=3).agents()
    assert fake_sleep.calls == pytest.approx([0.0, 0.325, 0.21125])
    assert fake_jitter.used == 3


def test_default_jitter_stays_below_the_ceiling(fake_transport, fake_sleep):
    fake_transport.add("GET", "/agents", response(fake_transport, 504))
    client = LeapworkClient("https://h", "key", session=fake_transport, sleep=fake_sleep, retries=3)
    with pytest.raises(LeapworkHTTPError):
        client.agents()
    assert [0 <= delay <= ceiling for delay, ceiling in zip(fake_sleep.calls, [0.5, 0.65, 0.845])] == [True] * 3


def test_zero_retries_means_one_attempt(make_client, fake_transport, fake_sleep, network_errors):
    fake_transport.add("GET", "/agents", network_errors.refused())
    with pytest.raises(LeapworkConnectionError):
        make_client(retries=0).agents()
    assert fake_transport.count == 1 and fake_sleep.calls == []


@pytest.mark.parametrize("header, delay", [("3", 3.0), ("0", 0.0), ("1.5", 1.5), ("3600", 30.0),
                                           ("Wed, 21 Oct 2015 07:28:00 GMT", 0.5), ("-4", 0.5), ("nan", 0.5)])
def test_retry_after_is_honoured_and_capped(make_client, fake_transport, fake_sleep, header, delay):
    fake_transport.add("GET", "/agents", response(fake_transport, 429, text="slow down", headers={"retry-after": header}), [])
    make_client().agents()
    assert fake_sleep.calls == [delay]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 446, 500, 501])
def test_get_not_retried_on_other_statuses(make_client, fake_transport, fake_sleep, status):
    fake_transport.add("GET", "/run/%s/status" % RUN, response(fake_transport, status, text="nope"))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client().run_status(RUN)
    assert fake_transport.count == 1 and fake_sleep.calls == []
    assert info.value.status == status
    assert "gave up" not in str(info.value)


def test_get_connection_error_after_retries(make_client, fake_transport, fake_sleep, network_errors, controller_url):
    fake_transport.add("GET", "/run/%s/status" % RUN, network_errors.refused())
    with pytest.raises(LeapworkConnectionError) as info:
        make_client(retries=2).run_status(RUN)
    message = str(info.value)
    assert message.startswith("Could not read run status (run %s): no answer from the controller at %s" % (RUN, controller_url))
    assert "Connection refused" in message and "gave up after 3 attempts" in message
    assert info.value.status is None and info.value.run_id == RUN
    assert fake_sleep.calls == pytest.approx([0.5, 0.65])


def test_certificate_failure_is_not_retried(make_client, fake_transport, fake_sleep, network_errors):
    fake_transport.add("GET", "/agents", network_errors.cert_failed())
    with pytest.raises(LeapworkConnectionError) as info:
        make_client().agents()
    assert fake_transport.count == 1 and fake_sleep.calls == []
    assert "TLS certificate verification failed" in str(info.value) and "ca_path" in str(info.value)


def test_requests_that_cannot_be_built_are_not_retried(make_client, fake_transport, fake_sleep):
    fake_transport.add("GET", "/agents", requests.exceptions.InvalidURL("bad"))
    with pytest.raises(LeapworkConnectionError):
        make_client().agents()
    assert fake_transport.count == 1 and fake_sleep.calls == []


def test_connection_errors_do_not_leak_the_query_string(make_client, fake_transport, network_errors, assert_no_secret):
    error = requests.exceptions.ConnectionError(
        _client.MaxRetryError(None, network_errors.url, ValueError("odd failure at %s" % network_errors.url)))
    fake_transport.add("GET", "/agents", error)
    with pytest.raises(LeapworkConnectionError) as info:
        make_client(retries=0).agents()
    assert_no_secret(str(info.value))
    assert "?..." in str(info.value)


def test_redirect_is_not_followed(make_client, fake_transport):
    fake_transport.add("GET", "/agents", response(fake_transport, 302, text="", headers={"Location": "https://sso.example/login?next=x"}))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client().agents()
    assert fake_transport.calls[0].allow_redirects is False
    assert "redirect (302) to https://sso.example/login?..." in str(info.value)
    assert "set controller_url" in str(info.value)


# -- the trigger is never replayed once sent -----------------------------------------------

@pytest.mark.parametrize("error", ["read_timeout", "dropped", "reset", "chunked", "tls_eof"])
def test_trigger_not_replayed_after_ambiguous_failure(make_client, fake_transport, fake_sleep, network_errors, error,
                                                      controller_url):
    fake_transport.add("PUT", TRIGGER_PATH, getattr(network_errors, error)(), {"RunId": RUN})
    client = make_client()
    with pytest.raises(TriggerOutcomeUnknown) as info:
        client.trigger_flow(FLOW, AGENT, [("Env", "x")])
    assert fake_transport.count == 1 and client.request_count == 1
    assert fake_sleep.calls == []
    message = str(info.value)
    assert "may have started a run" in message
    assert FLOW in message and AGENT in message and controller_url in message
    assert UTC_TIME.search(message)
    assert "not retried" in message
    assert "run listings for this flow and agent before triggering again" in message
    assert info.value.status is None and info.value.operation == "trigger a flow"
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429, 448, 455, 446, 410])
def test_trigger_not_replayed_after_error_status(make_client, fake_transport, fake_sleep, status):
    fake_transport.add("PUT", TRIGGER_PATH, response(fake_transport, status, text="controller trouble"), {"RunId": RUN})
    client = make_client()
    with pytest.raises(LeapworkHTTPError) as info:
        client.trigger_flow(FLOW, AGENT)
    assert fake_transport.count == 1 and fake_sleep.calls == []
    message = str(info.value)
    assert "controller trouble" in message
    assert "The controller reported an error, but a run may or may not have started" in message
    assert "check the controller's run listings for flow %s on agent %s before triggering again." % (FLOW, AGENT) in message
    assert info.value.status == status


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405])
def test_trigger_refusals_say_nothing_started(make_client, fake_transport, fake_sleep, status):
    fake_transport.add("PUT", TRIGGER_PATH, response(fake_transport, status, text="no"))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client().trigger_flow(FLOW, AGENT)
    assert fake_transport.count == 1 and fake_sleep.calls == []
    assert "may or may not" not in str(info.value)


@pytest.mark.parametrize("error", ["refused", "dns", "connect_timeout", "proxy_refused"])
def test_trigger_retried_when_not_sent(make_client, fake_transport, fake_sleep, network_errors, error):
    fake_transport.add("PUT", TRIGGER_PATH, getattr(network_errors, error)(), getattr(network_errors, error)(), {"RunId": RUN})
    client = make_client()
    assert client.trigger_flow(FLOW, AGENT) == RUN
    assert fake_transport.count == 3 and client.request_count == 3
    assert fake_sleep.calls == pytest.approx([0.5, 0.65])
    assert all(call.headers["Connection"] == "close" for call in fake_transport.calls)


def test_trigger_gives_up_when_never_connected(make_client, fake_transport, fake_sleep, network_errors):
    fake_transport.add("PUT", TRIGGER_PATH, network_errors.refused())
    with pytest.raises(LeapworkConnectionError) as info:
        make_client(retries=3).trigger_flow(FLOW, AGENT)
    assert not isinstance(info.value, TriggerOutcomeUnknown)
    assert fake_transport.count == 4 and fake_sleep.calls == pytest.approx([0.5, 0.65, 0.845])
    assert "gave up after 4 attempts" in str(info.value)
    assert str(info.value).endswith("The trigger was never sent, so no run was started.")


def test_trigger_certificate_failure_is_not_sent_and_not_retried(make_client, fake_transport, fake_sleep, network_errors):
    fake_transport.add("PUT", TRIGGER_PATH, network_errors.cert_failed())
    with pytest.raises(LeapworkConnectionError) as info:
        make_client().trigger_flow(FLOW, AGENT)
    assert not isinstance(info.value, TriggerOutcomeUnknown)
    assert fake_transport.count == 1 and fake_sleep.calls == []
    assert "never sent" in str(info.value) and "ca_path" in str(info.value)


def test_trigger_refused_then_ambiguous_is_not_replayed_again(make_client, fake_transport, network_errors):
    fake_transport.add("PUT", TRIGGER_PATH, network_errors.refused(), network_errors.read_timeout(), {"RunId": RUN})
    with pytest.raises(TriggerOutcomeUnknown):
        make_client().trigger_flow(FLOW, AGENT)
    assert fake_transport.count == 2


class RecordedAnswer(object):
    status_code = 200
    headers = {}

    def __init__(self, text):
        self.text = text

    def json(self):
        return json.loads(self.text)


class RecordingSession(object):
    """Replaces requests.Session to see which session each request went out on."""

    instances = []

    def __init__(self):
        self.requests = []
        self.closed = False
        RecordingSession.instances.append(self)

    def request(self, method, url, **kwargs):
        self.requests.append((method, url, kwargs["headers"]))
        body = '{"RunId": "%s"}' % RUN if method == "PUT" else "[]"
        return RecordedAnswer(body)

    def close(self):
        self.closed = True


def test_trigger_uses_a_fresh_session_and_gets_use_the_pool(monkeypatch):
    RecordingSession.instances = []
    monkeypatch.setattr(_client.requests, "Session", RecordingSession)
    client = LeapworkClient("https://h", "key", sleep=None, jitter=None)
    client.agents()
    client.agents()
    assert len(RecordingSession.instances) == 1
    pool = RecordingSession.instances[0]
    client.trigger_flow(FLOW, AGENT)
    client.trigger_flow(FLOW, AGENT)
    assert len(RecordingSession.instances) == 3
    for session in RecordingSession.instances[1:]:
        assert session is not pool and session.closed
        assert [(method, headers["Connection"]) for method, _url, headers in session.requests] == [("PUT", "close")]
    assert len(pool.requests) == 2 and not pool.closed
    assert "Connection" not in pool.requests[0][2]
    client.close()
    assert pool.closed


def test_injected_session_is_not_closed(make_client, fake_transport):
    client = make_client()
    client.close()
    assert not fake_transport.closed


# -- the classifier, with real exception objects -------------------------------------------

@pytest.mark.parametrize("error, sent_before", [
    ("refused", True),
    ("dns", True),
    ("connect_timeout", True),
    ("proxy_refused", True),
    ("cert_failed", True),
    ("wrong_scheme", True),
    ("read_timeout", False),
    ("dropped", False),
    ("reset", False),
    ("chunked", False),
    ("tls_eof", False),
])
def test_sent_before_failure_classifier(network_errors, error, sent_before):
    assert _sent_before_failure(getattr(network_errors, error)()) is sent_before


@pytest.mark.parametrize("exc, sent_before", [
    (requests.exceptions.InvalidURL("bad"), True),
    (requests.exceptions.MissingSchema("bad"), True),
    (requests.exceptions.ConnectionError("no args of urllib3 type"), False),
    (requests.exceptions.ConnectionError(), False),
    (requests.exceptions.ContentDecodingError("gzip"), False),
    (requests.exceptions.RequestException("?"), False),
    (ValueError("not a requests error"), False),
])
def test_sent_before_failure_other_exceptions(exc, sent_before):
    assert _sent_before_failure(exc) is sent_before


def test_classifier_on_nested_connect_timeout_is_connect_not_read(network_errors):
    exc = network_errors.connect_timeout()
    assert isinstance(exc, requests.exceptions.Timeout)  # also a Timeout: the class alone is not enough
    assert _sent_before_failure(exc)


class _LoopbackServer(object):
    """A socket on 127.0.0.1 that accepts and then closes, or accepts and never answers."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.received = b""
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve)
        self.thread.daemon = True
        self.thread.start()

    def _serve(self):
        connection, _address = self.listener.accept()
        connection.settimeout(5)
        try:
            self.received = connection.recv(65536)
            if self.behaviour == "silent":
                self.done.wait(5)
        finally:
            connection.close()

    def close(self):
        self.done.set()
        self.thread.join(5)
        self.listener.close()


def _free_port():
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def _real_failure(port, timeout=2.0):
    with pytest.raises(requests.exceptions.RequestException) as info:
        requests.Session().request("PUT", "http://127.0.0.1:%d/api/v4%s" % (port, TRIGGER_PATH),
                                   headers={"AccessKey": "k", "Connection": "close"}, timeout=timeout)
    return info.value


def test_loopback_connection_refused_is_not_sent():
    assert _sent_before_failure(_real_failure(_free_port())) is True


@pytest.mark.parametrize("behaviour, timeout", [("close", 2.0), ("silent", 0.2)])
def test_loopback_failures_after_sending_are_ambiguous(behaviour, timeout):
    server = _LoopbackServer(behaviour)
    try:
        exc = _real_failure(server.port, timeout)
    finally:
        server.close()
    assert server.received.startswith(b"PUT /api/v4/flows/")  # the controller did get it
    assert _sent_before_failure(exc) is False


def test_loopback_trigger_end_to_end_is_not_replayed(fake_sleep):
    server = _LoopbackServer("close")
    client = LeapworkClient("http://127.0.0.1:%d" % server.port, "key", request_timeout=2, sleep=fake_sleep)
    try:
        with pytest.raises(TriggerOutcomeUnknown):
            client.trigger_flow(FLOW, AGENT)
    finally:
        server.close()
    assert client.request_count == 1 and fake_sleep.calls == []


# -- error mapping ---------------------------------------------------------------------------

@pytest.mark.parametrize("call, status, body, expected", [
    (("trigger_flow", FLOW, AGENT, [("Env", "x"), ("Browser", "y")]), 400, "Variable 'Browser' is not defined",
     "Could not trigger a flow (flow %s on agent %s): the controller rejected a variable: Variable 'Browser' is not defined "
     "(HTTP 400; variables sent: Env, Browser)" % (FLOW, AGENT)),
    (("trigger_flow", FLOW, AGENT), 400, "", "the controller rejected a variable: no details given (HTTP 400; variables sent: none)"),
    (("run_status", RUN), 400, "Bad id", "Could not read run status (run %s): the controller answered HTTP 400 Bad id" % RUN),
    (("run_status", RUN), 401, "Incorrect AccessKey",
     "Could not read run status (run %s): the access key was rejected by the controller (401 Incorrect AccessKey)" % RUN),
    (("trigger_flow", FLOW, AGENT), 401, "Incorrect AccessKey", "the access key was rejected by the controller (401 Incorrect AccessKey)"),
    (("trigger_flow", FLOW, AGENT), 403, "AccessKey does not have the relevant scope permission",
     "the access key lacks the scope needed to trigger a flow (403 AccessKey does not have the relevant scope permission)"),
    (("stop_run", RUN), 403, "no scope", "the access key lacks the scope needed to stop a run (403 no scope)"),
    (("trigger_flow", FLOW, AGENT), 404, "Asset not found", "flow %s or agent %s not found (404 Asset not found)" % (FLOW, AGENT)),
    (("run_status", RUN), 404, "No such run", "run %s not found (404 No such run)" % RUN),
    (("run_item", ITEM), 404, "Asset not found", "run item %s not found (404 Asset not found)" % ITEM),
    (("agent", AGENT), 404, "Asset not found", "agent %s not found (404 Asset not found)" % AGENT),
    (("flow_info", FLOW), 404, "Asset not found", "flow %s not found (404 Asset not found)" % FLOW),
    (("trigger_flow", FLOW, AGENT), 405, "Method Not Allowed", "the controller does not allow this call (405 Method Not Allowed)"),
    (("trigger_flow", FLOW, AGENT), 446, "Not enough disk space", "the controller is out of disk space (446 Not enough disk space)"),
    (("run_status", RUN), 448, "Cache timeout", "the controller's cache timed out (448 Cache timeout) (gave up after 5 attempts)"),
    (("run_status", RUN), 455, "Database not responding",
     "the controller's database is not responding (455 Database not responding) (gave up after 5 attempts)"),
    (("trigger_flow", FLOW, AGENT), 455, "Database not responding", "may or may not have started"),
    (("trigger_flow", FLOW, AGENT), 500, "Object reference not set",
     "Could not trigger a flow (flow %s on agent %s): the controller reported an internal error (500 Object reference not set). "
     "The controller reported an error, but a run may or may not have started" % (FLOW, AGENT)),
    (("agents",), 500, "", "Could not list agents: the controller reported an internal error (500)"),
    (("agents",), 418, "teapot", "Could not list agents: the controller answered HTTP 418 teapot"),
])
def test_error_mapping(make_client, fake_transport, call, status, body, expected):
    fake_transport.fallback = response(fake_transport, status, text=body)
    name, args = call[0], call[1:]
    with pytest.raises(LeapworkHTTPError) as info:
        getattr(make_client(), name)(*args)
    assert expected in str(info.value)
    assert info.value.status == status
    assert info.value.body == (body or None)
    assert info.value.operation


def test_error_body_is_trimmed(make_client, fake_transport):
    page = "<html>" + "x" * 5000 + "</html>"
    fake_transport.add("GET", "/agents", response(fake_transport, 500, text=page))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client().agents()
    assert len(info.value.body) == 300 and info.value.body.endswith("...")
    assert len(str(info.value)) < 420


def test_run_id_on_run_errors(make_client, fake_transport):
    fake_transport.add("GET", "/run/%s/runItemIds" % RUN, response(fake_transport, 500, text="boom"))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client().run_item_ids(RUN)
    assert info.value.run_id == RUN


# -- stop ------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [404, 405])
def test_stop_falls_back_to_schedules_path(make_client, fake_transport, status):
    fake_transport.add("PUT", "/run/%s/stop" % RUN, response(fake_transport, status, text="Asset not found"))
    fake_transport.add("PUT", "/schedules/%s/stop" % RUN, {"OperationCompleted": True})
    client = make_client()
    assert client.stop_run(RUN) is True
    assert [call.path for call in fake_transport.calls] == ["/run/%s/stop" % RUN, "/schedules/%s/stop" % RUN]
    assert client.request_count == 2


def test_stop_of_an_unknown_run(make_client, fake_transport):
    fake_transport.add("PUT", "/run/%s/stop" % RUN, response(fake_transport, 404, text="Asset not found"))
    fake_transport.add("PUT", "/schedules/%s/stop" % RUN, response(fake_transport, 404, text="Asset not found"))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client().stop_run(RUN)
    assert "Could not stop a run (run %s): run %s not found (404 Asset not found)" % (RUN, RUN) in str(info.value)
    assert info.value.run_id == RUN


def test_stop_is_retried_like_a_get(make_client, fake_transport, fake_sleep, network_errors):
    fake_transport.add("PUT", "/run/%s/stop" % RUN, network_errors.read_timeout(), response(fake_transport, 503),
                       {"OperationCompleted": True})
    client = make_client()
    assert client.stop_run(RUN) is True
    assert client.request_count == 3 and fake_sleep.calls == pytest.approx([0.5, 0.65])


def test_stop_does_not_fall_back_on_other_errors(make_client, fake_transport):
    fake_transport.add("PUT", "/run/%s/stop" % RUN, response(fake_transport, 403, text="scope"))
    with pytest.raises(LeapworkHTTPError):
        make_client().stop_run(RUN)
    assert fake_transport.count == 1


# -- request_count ---------------------------------------------------------------------------

def test_request_count_counts_every_attempt(make_client, fake_transport, network_errors):
    fake_transport.add("GET", "/agents", network_errors.dropped(), response(fake_transport, 503), [])
    fake_transport.add("PUT", TRIGGER_PATH, network_errors.refused(), {"RunId": RUN})
    fake_transport.add("GET", "/run/%s/status" % RUN, response(fake_transport, 404, text="No such run"))
    client = make_client()
    client.agents()
    client.trigger_flow(FLOW, AGENT)
    with pytest.raises(LeapworkHTTPError):
        client.run_status(RUN)
    assert client.request_count == 6 == fake_transport.count


def test_request_count_is_thread_safe(make_client, fake_transport):
    fake_transport.add("GET", "/agents", [])
    client = make_client()
    threads = [threading.Thread(target=lambda: [client.agents() for _index in range(50)]) for _thread in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.request_count == 400


# -- the access key never leaks --------------------------------------------------------------

def _echo(key):
    return "Incorrect AccessKey '%s'" % key


# (HTTP method, path, client method, args, outcome builder(transport, network_errors, key))
LEAK_CASES = [
    ("GET", "/run/%s/status" % RUN, "run_status", (RUN,), lambda t, e, k: response(t, 401, text=_echo(k))),
    ("GET", "/run/%s/status" % RUN, "run_status", (RUN,), lambda t, e, k: response(t, 200, text="<p>%s</p>" % k)),
    ("GET", "/run/%s/status" % RUN, "run_status", (RUN,), lambda t, e, k: response(t, 200, {"Status": None, "Key": k})),
    ("GET", "/agents", "agents", (), lambda t, e, k: response(t, 503, text=_echo(k))),
    ("GET", "/agents", "agents", (), lambda t, e, k: e.refused()),
    ("GET", "/agents", "agents", (), lambda t, e, k: e.cert_failed()),
    ("GET", "/agents", "agents", (), lambda t, e, k: requests.exceptions.InvalidHeader("Invalid character in header: %r" % k)),
    ("PUT", TRIGGER_PATH, "trigger_flow", (FLOW, AGENT), lambda t, e, k: response(t, 500, text=_echo(k))),
    ("PUT", TRIGGER_PATH, "trigger_flow", (FLOW, AGENT), lambda t, e, k: response(t, 200, text=_echo(k))),
    ("PUT", TRIGGER_PATH, "trigger_flow", (FLOW, AGENT), lambda t, e, k: e.read_timeout()),
    ("PUT", TRIGGER_PATH, "trigger_flow", (FLOW, AGENT), lambda t, e, k: requests.exceptions.ConnectionError(k)),
    ("PUT", TRIGGER_PATH, "trigger_flow", (FLOW, AGENT), lambda t, e, k: e.connect_timeout()),
    ("PUT", "/run/%s/stop" % RUN, "stop_run", (RUN,), lambda t, e, k: response(t, 403, text=_echo(k))),
]


@pytest.mark.parametrize("method, path, name, args, build", LEAK_CASES)
def test_no_error_contains_the_access_key(make_client, fake_transport, network_errors, access_key, assert_no_secret,
                                          method, path, name, args, build):
    fake_transport.add(method, path, build(fake_transport, network_errors, access_key))
    fake_transport.fallback = response(fake_transport, 404, text=access_key)
    with pytest.raises(LeapworkError) as info:
        getattr(make_client(retries=1), name)(*args)
    error = info.value
    formatted = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    # vars(): every fact the error carries; error_result: what a module returns from it.
    assert_no_secret(str(error), repr(error), error.body, error.message, repr(vars(error)), repr(error_result(error)), formatted)


def test_trigger_to_a_plain_http_port_is_not_sent_and_not_retried(make_client, fake_transport, fake_sleep, network_errors):
    fake_transport.add("PUT", TRIGGER_PATH, network_errors.wrong_scheme())
    with pytest.raises(LeapworkConnectionError) as info:
        make_client().trigger_flow(FLOW, AGENT)
    assert fake_transport.count == 1 and fake_sleep.calls == []
    assert "TLS handshake failed (does controller_url use the right scheme and port?)" in str(info.value)
    assert "never sent" in str(info.value)


@pytest.mark.parametrize("error, text", [
    ("connect_timeout", "connecting timed out: Connection to leapwork.example timed out. (connect timeout=30)"),
    ("dropped", "the connection was closed before a full answer came back: Connection aborted: "
                "Remote end closed connection without response"),
    ("dns", "the host name could not be resolved"),
    ("refused", "the connection could not be established"),
])
def test_connection_error_descriptions(make_client, fake_transport, network_errors, error, text):
    fake_transport.add("GET", "/agents", getattr(network_errors, error)())
    with pytest.raises(LeapworkConnectionError) as info:
        make_client(retries=0).agents()
    assert text in str(info.value)
    assert " at 0x" not in str(info.value)


# -- a caller's deadline without retries (the waiter): one attempt, clipped, no sleep ---------

def in_seconds(fake_clock, seconds, what=None):
    return Deadline(seconds, fake_clock, what=what)


@pytest.mark.parametrize("status", statuses_with(RETRY_READ))
def test_with_a_deadline_a_transient_status_is_not_retried(make_client, fake_transport, fake_sleep, fake_clock, status):
    fake_transport.add("GET", "/run/%s/status" % RUN, response(fake_transport, status, text="busy", headers={"Retry-After": "7"}),
                       {"Status": "Finished"})
    with pytest.raises(LeapworkHTTPError) as info:
        make_client(clock=fake_clock).run_status(RUN, deadline=in_seconds(fake_clock, 60), retry=False)
    assert fake_transport.count == 1 and fake_sleep.calls == []
    # The pause the controller asked for is handed to the caller, which owns the waiting.
    assert info.value.retry_after == 7.0 and info.value.status == status and info.value.run_id == RUN


def test_with_a_deadline_a_connection_error_is_not_retried(make_client, fake_transport, fake_sleep, fake_clock, network_errors):
    fake_transport.add("GET", "/run/%s/runItemIds" % RUN, network_errors.refused(), {"RunItemIds": []})
    with pytest.raises(LeapworkConnectionError) as info:
        make_client(clock=fake_clock).run_item_ids(RUN, deadline=in_seconds(fake_clock, 60), retry=False)
    assert fake_transport.count == 1 and fake_sleep.calls == []
    assert "gave up" not in str(info.value)


@pytest.mark.parametrize("remaining, timeout", [(60, 30.0), (12.5, 12.5), (0.2, _client.MIN_REQUEST_TIMEOUT)])
def test_with_a_deadline_the_timeout_is_what_remains(make_client, fake_transport, fake_clock, remaining, timeout):
    fake_transport.add("GET", "/runItems/%s" % ITEM, {"RunItemId": ITEM})
    make_client(clock=fake_clock, request_timeout=30).run_item(ITEM, deadline=in_seconds(fake_clock, remaining), retry=False)
    assert fake_transport.calls[0].timeout == pytest.approx(timeout)


def test_the_floor_never_exceeds_the_request_timeout(make_client, fake_transport, fake_clock):
    fake_transport.add("GET", "/runItems/%s/keyframes" % ITEM, [])
    make_client(clock=fake_clock, request_timeout=0.2).keyframes(ITEM, deadline=in_seconds(fake_clock, 0.1), retry=False)
    assert fake_transport.calls[0].timeout == pytest.approx(0.2)


def test_past_the_deadline_nothing_is_sent(make_client, fake_transport, fake_clock):
    with pytest.raises(DeadlineReached) as info:
        make_client(clock=fake_clock).stop_run(RUN, deadline=in_seconds(fake_clock, 0), retry=False)
    assert fake_transport.count == 0
    assert str(info.value) == "Could not stop a run (run %s): not sent, the deadline had passed" % RUN
    assert info.value.run_id == RUN


def test_stop_fallback_under_a_deadline_is_clipped_too(make_client, fake_transport, fake_clock):
    def slow_404(call):
        fake_clock.now += 1.5
        return response(fake_transport, 404, text="No HTTP resource")
    fake_transport.add("PUT", "/run/%s/stop" % RUN, slow_404)
    fake_transport.add("PUT", "/schedules/%s/stop" % RUN, {"OperationCompleted": True})
    assert make_client(clock=fake_clock).stop_run(RUN, deadline=in_seconds(fake_clock, 2), retry=False) is True
    assert [call.timeout for call in fake_transport.calls] == [pytest.approx(2.0), pytest.approx(0.5)]


def test_without_a_deadline_nothing_changes(make_client, fake_transport, fake_sleep, fake_clock):
    fake_transport.add("GET", "/run/%s/status" % RUN, response(fake_transport, 503), {"Status": "Queued"})
    assert make_client(clock=fake_clock).run_status(RUN) == "Queued"
    assert fake_transport.count == 2 and fake_sleep.calls == [0.5]
    assert fake_transport.calls[0].timeout == 30


# -- the task's deadline (given to the client): retries, pauses and timeouts all end by it ----

def test_the_task_deadline_bounds_every_read_with_its_retries(make_client, fake_transport, fake_sleep, fake_clock):
    # A controller that never answers: each attempt takes its whole (clipped) timeout.
    def silent(call):
        fake_clock.now += call.timeout
        raise requests.exceptions.ReadTimeout("Read timed out. (read timeout=%s)" % call.timeout)
    fake_transport.add("GET", "/agents", silent, silent, silent, silent, silent)
    began = fake_clock.now
    client = make_client(clock=fake_clock, request_timeout=3, retries=4,
                         deadline=in_seconds(fake_clock, 9, "3 x request_timeout, 9 s"))
    with pytest.raises(LeapworkConnectionError) as info:
        client.agents()
    # 3 s, a pause of 0.5 s, 3 s, 0.65 s, then the 1.85 s left: never past the deadline.
    assert fake_clock.now - began <= 9 + 1e-9
    assert [call.timeout for call in fake_transport.calls] == [3, 3, pytest.approx(1.85)]
    assert fake_sleep.calls == pytest.approx([0.5, 0.65])
    assert "gave up after 3 attempts" in str(info.value)
    assert "No time was left for another try before the deadline (3 x request_timeout, 9 s)" in str(info.value)


def test_no_pause_is_slept_that_leaves_no_time_for_the_next_try(make_client, fake_transport, fake_sleep, fake_clock):
    fake_transport.add("GET", "/agents", response(fake_transport, 503, headers={"Retry-After": "20"}), [{"Id": AGENT}])
    client = make_client(clock=fake_clock, deadline=in_seconds(fake_clock, 10))
    with pytest.raises(LeapworkHTTPError) as info:
        client.agents()
    assert info.value.status == 503 and fake_transport.count == 1 and fake_sleep.calls == []


def test_a_read_after_the_task_deadline_is_not_sent(make_client, fake_transport, fake_clock):
    client = make_client(clock=fake_clock, deadline=in_seconds(fake_clock, 5, "wait_timeout 5 s"))
    fake_clock.now += 5
    with pytest.raises(DeadlineReached) as info:
        client.hierarchy()
    assert fake_transport.count == 0
    assert str(info.value) == "Could not read the asset hierarchy: not sent, the deadline (wait_timeout 5 s) had passed"


def test_a_caller_deadline_wins_over_the_task_deadline(make_client, fake_transport, fake_clock):
    fake_transport.add("GET", "/run/%s/status" % RUN, {"Status": "Queued"})
    client = make_client(clock=fake_clock, deadline=in_seconds(fake_clock, 0))
    # The waiter's last look runs past the task's deadline by one request timeout.
    assert client.run_status(RUN, deadline=in_seconds(fake_clock, 4), retry=False) == "Queued"
    assert fake_transport.calls[0].timeout == pytest.approx(4)


def test_the_trigger_is_not_sent_after_the_task_deadline(make_client, fake_transport, fake_clock):
    client = make_client(clock=fake_clock, deadline=in_seconds(fake_clock, 1))
    fake_clock.now += 1
    with pytest.raises(DeadlineReached) as info:
        client.trigger_flow(FLOW, AGENT)
    assert fake_transport.count == 0
    assert not isinstance(info.value, TriggerOutcomeUnknown)


def test_the_trigger_timeout_is_never_clipped(make_client, fake_transport, fake_clock):
    # An answer cut short would leave a run of unknown outcome: the trigger keeps its whole timeout.
    fake_transport.add("PUT", TRIGGER_PATH, {"RunId": RUN})
    client = make_client(clock=fake_clock, request_timeout=30, deadline=in_seconds(fake_clock, 2))
    assert client.trigger_flow(FLOW, AGENT) == RUN
    assert fake_transport.calls[0].timeout == 30


def test_trigger_connect_retries_stop_at_the_task_deadline(make_client, fake_transport, fake_sleep, fake_clock, network_errors):
    fake_transport.add("PUT", TRIGGER_PATH, network_errors.refused(), network_errors.refused(), {"RunId": RUN})
    client = make_client(clock=fake_clock, deadline=in_seconds(fake_clock, 0.8))
    with pytest.raises(LeapworkConnectionError) as info:
        client.trigger_flow(FLOW, AGENT)
    assert fake_transport.count == 1 and fake_sleep.calls == []
    assert "No time was left for another try" in str(info.value)
    assert "The trigger was never sent, so no run was started." in str(info.value)


# -- answers we cannot understand -----------------------------------------------------------

@pytest.mark.parametrize("name, path, answer", [
    ("run_status", "/run/%s/status" % RUN, {"text": "<html><body>Proxy login</body></html>"}),
    ("run_status", "/run/%s/status" % RUN, {"json_body": {"Status": None}}),
    ("run_item_ids", "/run/%s/runItemIds" % RUN, {"json_body": {"RunItemIds": "not a list"}}),
    ("run_item_ids", "/run/%s/runItemIds" % RUN, {"text": ""}),
])
def test_garbled_success_is_an_unexpected_answer(make_client, fake_transport, name, path, answer):
    fake_transport.add("GET", path, fake_transport.Response(200, **answer))
    with pytest.raises(UnexpectedAnswer) as info:
        getattr(make_client(), name)(RUN)
    assert info.value.run_id == RUN
    assert str(info.value).startswith("Could not ")


# -- redact, then trim ----------------------------------------------------------------------

def _key_near_the_cut(key, position=280):
    return "x" * position + key + " and more text after it " + "y" * 400


def _no_key_prefix(key, *texts):
    for text in texts:
        assert key[:6] not in str(text), text


@pytest.mark.parametrize("status", [500, 403, 503])
def test_a_key_echoed_near_the_cut_of_an_error_body_does_not_leak(make_client, fake_transport, access_key, status):
    # Issue 8 item 8: the body was trimmed to 300 characters before redaction, which left the
    # first characters of a key that straddled the cut.
    fake_transport.add("GET", "/agents", response(fake_transport, status, text=_key_near_the_cut(access_key)))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client(retries=0).agents()
    _no_key_prefix(access_key, str(info.value), info.value.body, repr(vars(info.value)), repr(error_result(info.value)))
    assert "********" in info.value.body


@pytest.mark.parametrize("position", [270, 280, 290])
def test_a_key_near_the_cut_of_a_non_json_answer_does_not_leak(make_client, fake_transport, access_key, position):
    fake_transport.add("GET", "/run/%s/status" % RUN, fake_transport.Response(200, text=_key_near_the_cut(access_key, position)))
    with pytest.raises(UnexpectedAnswer) as info:
        make_client().run_status(RUN)
    _no_key_prefix(access_key, str(info.value), info.value.body)


def test_a_key_near_the_cut_of_an_unexpected_json_answer_does_not_leak(make_client, fake_transport, access_key):
    fake_transport.add("GET", "/agents", fake_transport.Response(200, {"Message": _key_near_the_cut(access_key, 270)}))
    with pytest.raises(UnexpectedAnswer) as info:
        make_client().agents()
    _no_key_prefix(access_key, str(info.value))


def test_a_key_near_the_cut_of_a_trigger_answer_without_run_id_does_not_leak(make_client, fake_transport, access_key):
    fake_transport.add("PUT", TRIGGER_PATH, fake_transport.Response(200, text=_key_near_the_cut(access_key)))
    with pytest.raises(TriggerOutcomeUnknown) as info:
        make_client().trigger_flow(FLOW, AGENT)
    _no_key_prefix(access_key, str(info.value), info.value.body)


def test_a_key_near_the_cut_of_a_redirect_location_does_not_leak(make_client, fake_transport, access_key):
    location = "https://sso.example/" + "p" * 180 + access_key
    fake_transport.add("GET", "/agents", response(fake_transport, 302, headers={"Location": location}))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client().agents()
    _no_key_prefix(access_key, str(info.value))


def test_a_key_near_the_cut_of_a_transport_error_does_not_leak(make_client, fake_transport, access_key):
    error = requests.exceptions.ConnectionError("z" * 190 + access_key)
    fake_transport.add("GET", "/agents", error)
    with pytest.raises(LeapworkConnectionError) as info:
        make_client(retries=0).agents()
    _no_key_prefix(access_key, str(info.value))


def test_a_key_echoed_in_a_success_answer_is_redacted_before_any_layer_trims_it(make_client, fake_transport, access_key):
    # Keyframe messages are trimmed to 500 characters by the result model: the key must be gone first.
    message = "m" * 495 + access_key
    fake_transport.add("GET", "/runItems/%s/keyframes" % ITEM, [{"Level": "Error", "LogMessage": message}])
    [keyframe] = make_client().keyframes(ITEM)
    assert keyframe["LogMessage"] == "m" * 495 + "********"
    kept = keyframes_of([keyframe])
    _no_key_prefix(access_key, kept[0]["message"])


# -- secret variables echoed by the controller (issue 19 item 1) -------------------------------

SECRET_VALUE = "p@ss w0rd!"
SECRET_FORMS = ("p@ss w0rd!", "p%40ss%20w0rd%21", "p%40ss+w0rd%21", "p%40ss w0rd%21", "p@ss\\u0020w0rd\\u0021")


def _no_secret_form(*texts):
    for text in texts:
        for form in SECRET_FORMS + ("p%40ss", "p@ss"):
            assert form not in str(text), (form, text)


def _query(call):
    return call.url.split("?", 1)[1]


def test_secret_values_are_masked_in_a_trigger_error_that_echoes_the_query(make_client, fake_transport):
    # A 500 whose body quotes the request, as IIS and proxies do, in the "+" form, near the cut.
    def echo(call):
        query = _query(call).replace("%20", "+")
        return fake_transport.Response(500, text="x" * 250 + " Server error for ?%s (request logged)" % query)
    fake_transport.add("PUT", TRIGGER_PATH, echo)
    with pytest.raises(LeapworkHTTPError) as info:
        make_client(secrets=[SECRET_VALUE]).trigger_flow(FLOW, AGENT, [("User", "qa"), ("Password", SECRET_VALUE)])
    assert "p%40ss%20w0rd%21" in fake_transport.calls[0].url  # it was sent, in clear
    _no_secret_form(str(info.value), info.value.body, repr(vars(info.value)))
    assert "Password=********" in info.value.body


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_secret_values_are_masked_in_a_run_now_refusal_that_echoes_the_query(make_client, fake_transport, status):
    path = "/schedules/40000000-0000-4000-8000-000000000001/runNow"
    fake_transport.add("PUT", path, lambda call: fake_transport.Response(status, text="Refused: %s" % _query(call)))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client(secrets=[SECRET_VALUE]).run_schedule_now("40000000-0000-4000-8000-000000000001", [("Password", SECRET_VALUE)])
    _no_secret_form(str(info.value), info.value.body)


def test_secret_values_are_masked_in_keyframes_before_the_result_model_trims_them(make_client, fake_transport):
    # JSON-escaped in the answer (a flow that logs its variables as JSON), near the 500-character cut.
    message = "m" * 480 + ' {"Password": "p@ss\\u0020w0rd\\u0021", "Form": "p%40ss+w0rd%21"}'
    fake_transport.add("GET", "/runItems/%s/keyframes" % ITEM, fake_transport.Response(200, text=json.dumps(
        [{"Level": "Error", "LogMessage": message}])))
    [keyframe] = make_client(secrets=[SECRET_VALUE]).keyframes(ITEM)
    _no_secret_form(keyframe["LogMessage"], keyframes_of([keyframe])[0]["message"])
    assert keyframe["LogMessage"].endswith('"Password": "********", "Form": "********"}')
    # Without the secret the client has nothing to mask: the check above is not vacuous.
    [plain] = make_client().keyframes(ITEM)
    assert "p@ss\\u0020w0rd" in plain["LogMessage"]


def test_client_mask_masks_the_key_and_the_secrets(make_client, access_key):
    client = make_client(secrets=[SECRET_VALUE, ""])
    assert client.mask("%s and p%%40ss+w0rd%%21" % access_key) == "******** and ********"


# -- the trigger's answer, at its edges (issue 19, minor items) -----------------------------------

@pytest.mark.parametrize("run_id", ["42", "run-1", "not a guid", "{8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a}"])
def test_a_run_id_that_is_not_a_guid_says_a_run_may_have_started(make_client, fake_transport, run_id):
    fake_transport.add("PUT", TRIGGER_PATH, {"RunId": run_id})
    with pytest.raises(TriggerOutcomeUnknown) as info:
        make_client().trigger_flow(FLOW, AGENT)
    message = str(info.value)
    assert "a RunId that is not a GUID (%r)" % run_id in message and "may have started" in message
    assert fake_transport.count == 1  # not replayed


def test_a_guid_run_id_in_any_case_is_accepted(make_client, fake_transport):
    fake_transport.add("PUT", TRIGGER_PATH, {"RunId": " " + RUN.upper() + " "})
    assert make_client().trigger_flow(FLOW, AGENT) == RUN.upper()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_the_trigger_proves_that_no_run_started(make_client, fake_transport, status):
    fake_transport.add("PUT", TRIGGER_PATH, response(fake_transport, status, headers={"Location": "https://other/api"}))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client().trigger_flow(FLOW, AGENT)
    assert proves_no_run(info.value.status)
    assert "may or may not have started" not in str(info.value) and "not followed" in str(info.value)


def test_a_short_secret_does_not_break_the_run_id_it_is_part_of(make_client, fake_transport):
    run_id = "8c1b4242-0f0e-4b45-9d74-3d1c7c3e7f42"
    fake_transport.add("PUT", TRIGGER_PATH, {"RunId": run_id})
    assert make_client(secrets=["42"]).trigger_flow(FLOW, AGENT, [("Pin", "42")]) == run_id
