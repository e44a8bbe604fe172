# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the schedule endpoints of the HTTP client: runNow is never replayed."""

import re

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError, LeapworkHTTPError, TriggerOutcomeUnknown
from ansible_collections.leapops.leapwork.plugins.module_utils._http_status import (
    PROVES_NO_RUN,
    PROVES_NO_RUN_NOW,
    proves_no_run,
    statuses_with,
)

#: The answers to runNow that prove no run started: the trigger's, plus 410 "already running".
RUN_NOW_NO_RUN_STATUSES = statuses_with(PROVES_NO_RUN, PROVES_NO_RUN_NOW)

SCHEDULE = "40000000-0000-4000-8000-000000000001"
RUN = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a"
RUN_NOW_PATH = "/schedules/%s/runNow" % SCHEDULE


def response(transport, status, body=None, text=None):
    return transport.Response(status, body, text=text)


def test_run_now_sends_encoded_variables_on_a_fresh_connection(make_client, fake_transport):
    fake_transport.add("PUT", RUN_NOW_PATH, {"$id": "1", "RunId": RUN})
    assert make_client().run_schedule_now(SCHEDULE, [("BaseUrl", "https://x.example/?a=1&b=2"), ("Note", "k : v")]) == RUN
    call = fake_transport.calls[0]
    assert call.method == "PUT"
    assert call.raw_query == "BaseUrl=https%3A%2F%2Fx.example%2F%3Fa%3D1%26b%3D2&Note=k%20%3A%20v"
    assert call.headers["Connection"] == "close"


def test_run_now_sends_the_pairs_as_given_without_rendering_them_again(make_client, fake_transport):
    fake_transport.add("PUT", RUN_NOW_PATH, {"$id": "1", "RunId": RUN})
    make_client().run_schedule_now(SCHEDULE, [("Debug", "True")])
    assert fake_transport.calls[0].raw_query == "Debug=True"


@pytest.mark.parametrize("error", ["read_timeout", "dropped", "reset"])
def test_run_now_not_replayed_after_ambiguous_failure(make_client, fake_transport, fake_sleep, network_errors, error):
    fake_transport.add("PUT", RUN_NOW_PATH, getattr(network_errors, error)(), {"RunId": RUN})
    with pytest.raises(TriggerOutcomeUnknown) as info:
        make_client().run_schedule_now(SCHEDULE)
    assert fake_transport.count == 1 and fake_sleep.calls == []
    assert "may have started a run" in str(info.value) and SCHEDULE in str(info.value)
    # Where to look follows the call: a schedule's runs, not a flow and agent's.
    assert "check the schedule's runs on the controller" in str(info.value) and "before running it again" in str(info.value)
    assert "flow and agent" not in str(info.value)


@pytest.mark.parametrize("status", [500, 502, 503, 446, 448, 455])
def test_run_now_error_status_is_not_replayed_and_may_have_started(make_client, fake_transport, fake_sleep, status):
    fake_transport.add("PUT", RUN_NOW_PATH, response(fake_transport, status, text="trouble"), {"RunId": RUN})
    with pytest.raises(LeapworkHTTPError) as info:
        make_client().run_schedule_now(SCHEDULE)
    assert fake_transport.count == 1 and fake_sleep.calls == []
    assert "may or may not have started" in str(info.value)
    assert "check the controller's run listings for schedule %s before running it again." % SCHEDULE in str(info.value)


def test_run_now_no_run_statuses_are_the_trigger_ones_and_410():
    assert RUN_NOW_NO_RUN_STATUSES == [400, 401, 403, 404, 405, 407, 410, 413, 414, 431]
    assert not proves_no_run(410) and proves_no_run(410, run_now=True)


@pytest.mark.parametrize("status", RUN_NOW_NO_RUN_STATUSES)
def test_run_now_refusals_say_nothing_started(make_client, fake_transport, fake_sleep, status):
    fake_transport.add("PUT", RUN_NOW_PATH, response(fake_transport, status, text="Schedule is already running"))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client().run_schedule_now(SCHEDULE)
    assert info.value.status == status
    assert "may or may not" not in str(info.value)
    assert fake_transport.count == 1


def test_run_now_410_says_already_running(make_client, fake_transport):
    fake_transport.add("PUT", RUN_NOW_PATH, response(fake_transport, 410, text="Schedule is already running"))
    with pytest.raises(LeapworkHTTPError, match="already running"):
        make_client().run_schedule_now(SCHEDULE)


def test_run_now_success_without_run_id_is_an_unknown_outcome(make_client, fake_transport):
    fake_transport.add("PUT", RUN_NOW_PATH, {"$id": "1"})
    with pytest.raises(TriggerOutcomeUnknown, match="without a RunId") as info:
        make_client().run_schedule_now(SCHEDULE)
    assert fake_transport.count == 1
    assert re.match(r"Running schedule %s at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* \(UTC\): the controller answered HTTP 200 "
                    r"without a RunId \(.+\), so a run has probably started but its id is unknown\. It was not retried; "
                    r"check the controller's run listings before running it again\.$" % SCHEDULE, str(info.value)), str(info.value)


def test_run_now_retried_only_when_never_sent(make_client, fake_transport, fake_sleep, network_errors):
    fake_transport.add("PUT", RUN_NOW_PATH, network_errors.refused(), {"RunId": RUN})
    assert make_client().run_schedule_now(SCHEDULE) == RUN
    assert fake_transport.count == 2


def test_schedules_and_schedule_status(make_client, fake_transport):
    listing = [{"$id": "1", "Id": SCHEDULE, "Title": "Smoke suite", "IsEnabled": True, "Type": "ScheduleInfo"}]
    fake_transport.add("GET", "/schedules", listing)
    fake_transport.add("GET", "/schedules/%s/status" % SCHEDULE, {"$id": "1", "Status": "Executing"})
    client = make_client()
    assert client.schedules() == listing
    assert client.schedule_status(SCHEDULE) == "Executing"


def test_schedule_status_of_an_unknown_schedule_names_it(make_client, fake_transport):
    fake_transport.add("GET", "/schedules/%s/status" % SCHEDULE, response(fake_transport, 404, text="Asset not found"))
    with pytest.raises(LeapworkHTTPError, match="schedule %s not found" % SCHEDULE):
        make_client().schedule_status(SCHEDULE)


def test_schedules_answer_must_be_a_list(make_client, fake_transport):
    fake_transport.add("GET", "/schedules", {"Id": SCHEDULE})
    with pytest.raises(LeapworkError, match="not a list"):
        make_client().schedules()


def test_schedule_run_ids_lists_the_newest_runs(make_client, fake_transport):
    fake_transport.add("GET", "/schedules/%s/runIds/NoFilter" % SCHEDULE, {"$id": "1", "runIds": [RUN, SCHEDULE]})
    assert make_client().schedule_run_ids(SCHEDULE, 50) == [RUN, SCHEDULE]
    assert fake_transport.calls[0].raw_query == "count=50"


def test_schedule_run_ids_answer_must_hold_a_list(make_client, fake_transport):
    fake_transport.add("GET", "/schedules/%s/runIds/NoFilter" % SCHEDULE, {"$id": "1", "RunIds": None})
    with pytest.raises(LeapworkError, match="not an object with a runIds list"):
        make_client().schedule_run_ids(SCHEDULE, 5)


def test_a_failed_read_names_its_request(make_client, fake_transport, fake_sleep):
    """What a log line about the failure shows: method and path (never a query value or the key)."""
    fake_transport.add("GET", "/schedules/%s/runIds/NoFilter" % SCHEDULE, response(fake_transport, 500, text="trouble"))
    with pytest.raises(LeapworkHTTPError) as info:
        make_client(retries=0).schedule_run_ids(SCHEDULE, 5)
    assert info.value.request == "GET /api/v4/schedules/%s/runIds/NoFilter" % SCHEDULE
    assert info.value.status == 500 and fake_sleep.calls == []
