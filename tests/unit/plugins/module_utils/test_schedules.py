# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for _schedules.py: lookup by id or title, the ledger bracket, busy schedules, fake time."""

import threading

import pytest
import requests

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    DeadlineReached,
    LeapworkConnectionError,
    LeapworkHTTPError,
    TriggerOutcomeUnknown,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._deadline import Deadline
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import Ledger, flow_target, schedule_target
from ansible_collections.leapops.leapwork.plugins.module_utils._schedules import (
    ScheduleRequest,
    ScheduleRequestError,
    ScheduleRunner,
    matching_schedules,
    resolve,
    schedule_facts,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import MAX_QUERY_LENGTH, SECRET_MASK
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import (
    LISTING,
    NIGHTLY_A,
    NIGHTLY_B,
    OFF,
    SMOKE,
    TEMPORARY,
    FakeClock,
)
from ansible_collections.leapops.leapwork.tests.unit.plugins.module_utils.ledger_file import stored_entry

URL = "https://leapwork.example:9002"
RUN_1 = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f91"
RUN_2 = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f92"

# Issue 19: an item whose trigger was sent before an unexpected exception says that a run may have started.
MAY_HAVE_STARTED = ("a run may have started, its id unknown: the request that starts it was sent, then %s. Check the "
                    "controller's runs before trying again")


class FakeScheduleClient(object):
    """Answers schedules(), schedule_status() and run_schedule_now() from scripts; counts runNow."""

    controller_url = URL

    def __init__(self, statuses=None, run_now=None):
        self.statuses = dict(statuses or {})  # schedule id -> list of statuses, the last one repeats
        # (error, run id) pairs: runNow raises the error, or answers the run id
        self.run_now_script = [(None, outcome) if isinstance(outcome, str) else (outcome, None) for outcome in run_now or [RUN_1]]
        self.run_now_calls = []
        self.status_calls = 0
        self.status_deadlines = []
        self.deadline = None  # the task's, set by runner()
        self.lock = threading.Lock()

    def schedules(self):
        return [dict(item) for item in LISTING]

    def schedule_status(self, schedule_id, deadline=None):
        with self.lock:
            self.status_calls += 1
            self.status_deadlines.append(deadline)
            script = self.statuses.get(schedule_id, ["Finished"])
            return script.pop(0) if len(script) > 1 else script[0]

    def run_schedule_now(self, schedule_id, query_pairs=()):
        with self.lock:
            self.run_now_calls.append((schedule_id, dict(query_pairs)))
            error, run_id = self.run_now_script.pop(0) if len(self.run_now_script) > 1 else self.run_now_script[0]
        if error is not None:
            raise error
        return run_id


def facts():
    return [schedule_facts(raw) for raw in LISTING]


def runner(client, clock=None, deadline_seconds=3600, **options):
    """A runner under a task deadline of ``deadline_seconds`` on ``clock`` (the client carries it, as
    ``client_from_module`` makes it)."""
    clock = clock or FakeClock()
    client.deadline = Deadline(deadline_seconds, clock)
    return ScheduleRunner(client, sleep=clock.sleep, **options)


def start_one(run, request):
    run.resolve_all([request])
    return run.start_all([request])[0]


# -- requests and lookup ---------------------------------------------------------------------

@pytest.mark.parametrize("arguments, fragment", [
    ({}, "exactly one of schedule_id and schedule"),
    ({"schedule_id": SMOKE, "title": "Smoke suite"}, "exactly one of schedule_id and schedule"),
    ({"schedule_id": "smoke"}, "schedule_id must be a GUID"),
    ({"title": "Smoke suite", "variables": {"A": [1]}}, "variables:"),
])
def test_bad_requests_name_the_option(arguments, fragment):
    with pytest.raises(ScheduleRequestError, match=fragment):
        ScheduleRequest(**arguments)


def test_facts_mark_temporary_schedules_and_lower_case_ids():
    smoke, temporary = facts()[0], facts()[4]
    assert smoke == {"id": SMOKE, "title": "Smoke suite", "enabled": True, "type": "ScheduleInfo", "temporary": False}
    assert temporary["temporary"] is True


def test_matching_leaves_temporary_schedules_out_unless_asked():
    assert TEMPORARY not in [item["id"] for item in matching_schedules(facts())]
    assert TEMPORARY in [item["id"] for item in matching_schedules(facts(), include_temporary=True)]
    assert [item["id"] for item in matching_schedules(facts(), schedule_id=TEMPORARY.upper())] == [TEMPORARY]
    assert matching_schedules(facts(), title="Login (Local agent)") == []


def test_title_matches_exactly_then_ignoring_case():
    assert resolve(ScheduleRequest(title="Smoke suite"), facts())["id"] == SMOKE
    assert resolve(ScheduleRequest(title="SMOKE SUITE"), facts())["id"] == SMOKE
    assert resolve(ScheduleRequest(schedule_id=SMOKE.upper()), facts())["title"] == "Smoke suite"


def test_an_ambiguous_title_lists_every_match():
    with pytest.raises(ScheduleRequestError) as info:
        resolve(ScheduleRequest(title="Nightly"), facts())
    message = str(info.value)
    assert "2 schedules are titled 'Nightly'" in message
    assert NIGHTLY_A in message and NIGHTLY_B in message and "schedule_id" in message


def test_an_unknown_title_suggests_the_closest_ones_as_flows_and_agents_do():
    with pytest.raises(ScheduleRequestError) as info:
        resolve(ScheduleRequest(title="Smoke suit"), facts())
    assert str(info.value) == "schedule_run: schedule: no schedule named 'Smoke suit' on the controller; closest: 'Smoke suite'"
    with pytest.raises(ScheduleRequestError) as info:
        resolve(ScheduleRequest(title="zzz"), facts())
    assert "closest" not in str(info.value)


def test_titles_follow_the_name_rule_exact_then_casefold():
    # The same picker as flows and agents: casefold, so "STRASSE" finds "Straße".
    listing = [{"Id": SMOKE, "Title": "Straße", "IsEnabled": True, "Type": "ScheduleInfo"}]
    assert [found["id"] for found in matching_schedules([schedule_facts(raw) for raw in listing], title="STRASSE")] == [SMOKE]


def test_an_unknown_id_and_a_disabled_schedule_are_errors():
    with pytest.raises(ScheduleRequestError, match="schedule_id 99999999-.* was not found"):
        resolve(ScheduleRequest(schedule_id="99999999-0000-4000-8000-000000000099"), facts())
    with pytest.raises(ScheduleRequestError, match="'Switched off' .* is disabled.*Nothing was started"):
        resolve(ScheduleRequest(schedule_id=OFF), facts())


def test_every_problem_is_reported_before_anything_starts():
    client = FakeScheduleClient()
    run = runner(client)
    requests = [ScheduleRequest(title="Smoke suite", label="schedules[0]"), ScheduleRequest(title="Nightly", label="schedules[1]"),
                ScheduleRequest(schedule_id=OFF, label="schedules[2]")]
    with pytest.raises(ScheduleRequestError) as info:
        run.resolve_all(requests)
    assert "schedules[1]" in str(info.value) and "schedules[2]" in str(info.value)
    assert client.run_now_calls == []


# -- running ---------------------------------------------------------------------------------

def test_run_now_returns_the_run_and_the_request_record():
    client = FakeScheduleClient()
    result = start_one(runner(client), ScheduleRequest(title="Smoke suite", variables={"Env": "a b"}))
    assert (result.run_id, result.changed, result.error) == (RUN_1, True, None)
    assert client.run_now_calls == [(SMOKE, {"Env": "a b"})]
    record = result.to_dict()
    assert record["request"] == {"method": "PUT", "path": "/api/v4/schedules/%s/runNow" % SMOKE, "query": "Env=a%20b"}
    assert (record["schedule_id"], record["schedule_title"]) == (SMOKE, "Smoke suite")


def test_check_mode_starts_nothing():
    client = FakeScheduleClient()
    result = start_one(runner(client, check_mode=True), ScheduleRequest(schedule_id=SMOKE))
    assert result.changed and result.run_id is None and client.run_now_calls == []
    record = result.to_dict(check_mode=True)
    assert record["request"] is None  # "request" means sent
    assert record["would_request"]["path"].endswith("/runNow")


def test_a_busy_schedule_is_waited_for_then_started():
    client = FakeScheduleClient(statuses={SMOKE: ["Queued", "Executing", "Executing", "Finished"]})
    clock = FakeClock()
    result = start_one(runner(client, clock, poll_interval=5), ScheduleRequest(schedule_id=SMOKE))
    assert result.run_id == RUN_1 and len(client.run_now_calls) == 1
    # The one backoff rule: 0.5 s growing by 1.3 up to poll_interval.
    assert clock.sleeps == pytest.approx([0.5, 0.65, 0.845])
    assert result.waited_seconds == pytest.approx(1.995)
    # Every status read went out under the task's deadline.
    assert client.status_deadlines == [client.deadline] * 4


def test_a_busy_schedule_with_slow_status_reads_is_given_up_by_the_task_deadline(
        make_client, fake_transport, fake_clock, fake_sleep):
    # The real client over a fake transport on fake time: each status read is answered "Executing"
    # only after 4 s, or not at all when its timeout (clipped to what is left) comes first.
    def slow_executing(call):
        if call.timeout < 4:
            fake_clock.now += call.timeout
            raise requests.exceptions.ReadTimeout("Read timed out. (read timeout=%s)" % call.timeout)
        fake_clock.now += 4
        return {"Status": "Executing"}
    fake_transport.add("GET", "/schedules", LISTING)
    fake_transport.add("GET", "/schedules/%s/status" % SMOKE, slow_executing)
    began = fake_clock.now
    client = make_client(clock=fake_clock, request_timeout=10, deadline=Deadline(15, fake_clock, what="wait_timeout 15 s"))
    run = ScheduleRunner(client, poll_interval=5, sleep=fake_sleep)
    requests_ = [ScheduleRequest(schedule_id=SMOKE)]
    run.resolve_all(requests_)
    [result] = run.start_all(requests_)
    assert result.run_id is None and not fake_transport.calls_to("PUT")
    assert "wait_timeout 15 s" in result.error
    # Never past the deadline: no read, retry or pause of the client's own runs after it.
    assert fake_clock.now - began <= 15 + 1e-9
    assert all(call.timeout <= 10 for call in fake_transport.calls)


def test_a_busy_schedule_fails_at_once_with_when_running_fail():
    client = FakeScheduleClient(statuses={SMOKE: ["Executing"]})
    clock = FakeClock()
    result = start_one(runner(client, clock, when_running="fail"), ScheduleRequest(schedule_id=SMOKE))
    assert "already running (status: Executing) and when_running is fail" in result.error
    assert client.run_now_calls == [] and clock.sleeps == []


def test_waiting_for_a_busy_schedule_ends_at_the_deadline():
    client = FakeScheduleClient(statuses={SMOKE: ["Executing"]})
    clock = FakeClock()
    result = start_one(runner(client, clock, deadline_seconds=30, poll_interval=5), ScheduleRequest(schedule_id=SMOKE))
    assert "still running (status: Executing) after waiting 30 s" in result.error
    assert client.run_now_calls == [] and sum(clock.sleeps) == pytest.approx(30)


def test_a_410_answer_is_waited_out_and_asked_again():
    busy = LeapworkHTTPError("already running", status=410)
    client = FakeScheduleClient(statuses={SMOKE: ["Finished", "Executing", "Finished"]}, run_now=[busy, RUN_2])
    result = start_one(runner(client), ScheduleRequest(schedule_id=SMOKE))
    assert result.run_id == RUN_2 and len(client.run_now_calls) == 2


def test_a_410_answer_fails_with_when_running_fail():
    client = FakeScheduleClient(run_now=[LeapworkHTTPError("Could not run: already running", status=410)])
    result = start_one(runner(client, when_running="fail"), ScheduleRequest(schedule_id=SMOKE))
    assert result.status == 410 and "already running" in result.error and len(client.run_now_calls) == 1


def test_a_410_answer_that_never_ends_stops_at_the_deadline():
    client = FakeScheduleClient(run_now=[LeapworkHTTPError("already running", status=410)])
    clock = FakeClock()
    result = start_one(runner(client, clock, deadline_seconds=20, poll_interval=5), ScheduleRequest(schedule_id=SMOKE))
    assert "kept answering that it is already running" in result.error
    assert sum(clock.sleeps) == pytest.approx(20)


def test_several_schedules_start_concurrently():
    barrier = threading.Barrier(2, timeout=5)

    class Concurrent(FakeScheduleClient):
        def run_schedule_now(self, schedule_id, query_pairs=()):
            barrier.wait()  # both runNow calls must be in flight together
            return {SMOKE: RUN_1, NIGHTLY_A: RUN_2}[schedule_id]

    client = Concurrent()
    run = runner(client)
    requests = [ScheduleRequest(title="Smoke suite"), ScheduleRequest(schedule_id=NIGHTLY_A)]
    run.resolve_all(requests)
    results = run.start_all(requests)
    assert [result.run_id for result in results] == [RUN_1, RUN_2]


# -- the ledger ------------------------------------------------------------------------------

def test_idempotent_reuse_and_the_ledger_key(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.json"))
    client = FakeScheduleClient(run_now=[RUN_1, RUN_2])
    first = start_one(runner(client, ledger=ledger), ScheduleRequest(schedule_id=SMOKE, idempotency_key="release-1"))
    again = start_one(runner(client, ledger=ledger), ScheduleRequest(title="Smoke suite", idempotency_key="release-1"))
    assert (first.run_id, first.changed) == (RUN_1, True)
    assert (again.run_id, again.reused, again.changed) == (RUN_1, True, False)
    assert len(client.run_now_calls) == 1
    entry = stored_entry(ledger.path, URL, schedule_target(SMOKE), "release-1")
    assert entry["state"] == "recorded" and entry["run_id"] == RUN_1
    # The entry says that it is a schedule's.
    assert (entry["target"], entry["schedule_id"]) == ("schedule", SMOKE)
    assert "flow_id" not in entry and "agent_id" not in entry
    # A flow run with the same id and key has its own entry.
    assert stored_entry(ledger.path, URL, flow_target(SMOKE, "30000000-0000-4000-8000-000000000001"), "release-1") is None


def test_a_recorded_run_is_reused_without_waiting_for_a_busy_schedule(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.json"))
    start_one(runner(FakeScheduleClient(), ledger=ledger), ScheduleRequest(schedule_id=SMOKE, idempotency_key="k"))
    busy = FakeScheduleClient(statuses={SMOKE: ["Executing"]})
    result = start_one(runner(busy, ledger=ledger, when_running="fail"), ScheduleRequest(schedule_id=SMOKE, idempotency_key="k"))
    assert result.reused and result.error is None and busy.status_calls == 0


def test_an_unknown_outcome_keeps_the_marker_and_blocks_the_key(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.json"))
    client = FakeScheduleClient(run_now=[TriggerOutcomeUnknown("Triggering schedule may have started a run")])
    result = start_one(runner(client, ledger=ledger), ScheduleRequest(schedule_id=SMOKE, idempotency_key="k"))
    assert "may have started" in result.error and "'k'" in result.error
    assert stored_entry(ledger.path, URL, schedule_target(SMOKE), "k")["state"] == "in_flight"
    blocked = start_one(runner(FakeScheduleClient(), ledger=ledger), ScheduleRequest(schedule_id=SMOKE, idempotency_key="k"))
    assert "never recorded its outcome" in blocked.error


@pytest.mark.parametrize("status, kept", [(500, True), (502, True), (404, False), (400, False), (410, False)])
def test_only_answers_that_prove_no_run_release_the_marker(tmp_path, status, kept):
    ledger = Ledger(str(tmp_path / "ledger.json"))
    client = FakeScheduleClient(run_now=[LeapworkHTTPError("refused", status=status)])
    start_one(runner(client, ledger=ledger, when_running="fail"), ScheduleRequest(schedule_id=SMOKE, idempotency_key="k"))
    assert (stored_entry(ledger.path, URL, schedule_target(SMOKE), "k") is not None) is kept


def test_a_410_while_waiting_releases_the_marker_before_asking_again(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.json"))
    client = FakeScheduleClient(run_now=[LeapworkHTTPError("already running", status=410), RUN_2])
    result = start_one(runner(client, ledger=ledger), ScheduleRequest(schedule_id=SMOKE, idempotency_key="k"))
    assert result.run_id == RUN_2
    assert stored_entry(ledger.path, URL, schedule_target(SMOKE), "k")["run_ids"] == [RUN_2]


def test_a_connection_never_made_releases_the_marker(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.json"))
    client = FakeScheduleClient(run_now=[LeapworkConnectionError("never sent")])
    start_one(runner(client, ledger=ledger), ScheduleRequest(schedule_id=SMOKE, idempotency_key="k"))
    assert stored_entry(ledger.path, URL, schedule_target(SMOKE), "k") is None


@pytest.mark.parametrize("error", [
    LeapworkConnectionError("connection refused; nothing was sent"),
    DeadlineReached("not sent, the deadline had passed"),
])
def test_request_is_none_when_run_now_never_left(error):
    """``request`` is the runNow really sent (RETURN): a runNow that never left shows none, as flow_run's trigger."""
    result = start_one(runner(FakeScheduleClient(run_now=[error])), ScheduleRequest(schedule_id=SMOKE))
    assert result.error and result.to_dict()["request"] is None


def test_request_is_shown_when_the_controller_answered_run_now():
    result = start_one(runner(FakeScheduleClient(run_now=[LeapworkHTTPError("HTTP 500", status=500)])),
                       ScheduleRequest(schedule_id=SMOKE))
    assert result.error and result.to_dict()["request"]["method"] == "PUT"


def test_check_mode_previews_the_ledger(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.json"))
    start_one(runner(FakeScheduleClient(), ledger=ledger), ScheduleRequest(schedule_id=SMOKE, idempotency_key="k"))
    client = FakeScheduleClient()
    result = start_one(runner(client, ledger=ledger, check_mode=True), ScheduleRequest(schedule_id=SMOKE, idempotency_key="k"))
    assert (result.run_id, result.reused, result.changed) == (RUN_1, True, False)
    fresh = start_one(runner(client, ledger=ledger, check_mode=True), ScheduleRequest(schedule_id=SMOKE, idempotency_key="new"))
    assert fresh.changed and stored_entry(ledger.path, URL, schedule_target(SMOKE), "new") is None
    assert client.run_now_calls == []


# -- the same safety as flow_run -------------------------------------------------------------

def test_a_white_space_key_is_refused_locally():
    with pytest.raises(ScheduleRequestError, match=r"schedules\[1\]: idempotency_key must not be only white space"):
        ScheduleRequest(schedule_id=SMOKE, idempotency_key="   ", label="schedules[1]")


def test_a_query_longer_than_the_limit_is_refused_locally():
    with pytest.raises(ScheduleRequestError, match="schedule_run: the variables make a query string of %d characters; at most %d"
                       % (len("Data=") + MAX_QUERY_LENGTH, MAX_QUERY_LENGTH)):
        ScheduleRequest(schedule_id=SMOKE, variables={"Data": "x" * MAX_QUERY_LENGTH})
    # secret values count too
    with pytest.raises(ScheduleRequestError, match="query string"):
        ScheduleRequest(schedule_id=SMOKE, secret_variables={"Token": "t" * MAX_QUERY_LENGTH})
    fits = ScheduleRequest(schedule_id=SMOKE, variables={"Data": "x" * (MAX_QUERY_LENGTH - len("Data="))})
    assert len(fits.sent_variables()["Data"]) == MAX_QUERY_LENGTH - len("Data=")


def test_secret_variables_are_sent_but_shown_masked(tmp_path):
    client = FakeScheduleClient()
    request = ScheduleRequest(schedule_id=SMOKE, variables={"Env": "qa"}, secret_variables={"Token": "s3cr3t"},
                              idempotency_key="k")
    ledger = Ledger(str(tmp_path / "ledger.json"))
    result = start_one(runner(client, ledger=ledger), request)
    assert client.run_now_calls == [(SMOKE, {"Env": "qa", "Token": "s3cr3t"})]
    record = result.to_dict()
    assert record["variables"] == {"Env": "qa", "Token": SECRET_MASK}
    assert record["request"]["query"] == "Env=qa&Token=" + SECRET_MASK
    assert "s3cr3t" not in repr(record) and "s3cr3t" not in (tmp_path / "ledger.json").read_text()


def test_secret_values_are_part_of_the_fingerprint(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.json"))
    client = FakeScheduleClient(run_now=[RUN_1, RUN_2])
    start_one(runner(client, ledger=ledger), ScheduleRequest(schedule_id=SMOKE, secret_variables={"Token": "a"}, idempotency_key="k"))
    again = start_one(runner(client, ledger=ledger),
                      ScheduleRequest(schedule_id=SMOKE, secret_variables={"Token": "b"}, idempotency_key="k"))
    assert "with different flow variables" in again.error
    assert len(client.run_now_calls) == 1


def test_a_name_in_both_dicts_is_refused():
    with pytest.raises(ScheduleRequestError, match="secret_variables 'token' also in variables"):
        ScheduleRequest(schedule_id=SMOKE, variables={"Token": "x"}, secret_variables={"token": "y"})


def test_an_unexpected_exception_stays_with_its_item_and_keeps_the_marker(tmp_path):
    class Surprising(FakeScheduleClient):
        def run_schedule_now(self, schedule_id, query_pairs=()):
            if schedule_id == NIGHTLY_A:
                raise KeyError("RunId")
            return RUN_1

    ledger = Ledger(str(tmp_path / "ledger.json"))
    run = runner(Surprising(), ledger=ledger)
    requests = [ScheduleRequest(schedule_id=SMOKE), ScheduleRequest(schedule_id=NIGHTLY_A, idempotency_key="k")]
    run.resolve_all(requests)
    results = run.start_all(requests)
    assert (results[0].run_id, results[0].changed, results[0].error) == (RUN_1, True, None)
    assert results[1].error == MAY_HAVE_STARTED % "unexpected KeyError: 'RunId'"
    # Whether that runNow left is unknown: the key stays blocked.
    blocked = start_one(runner(FakeScheduleClient(), ledger=ledger), ScheduleRequest(schedule_id=NIGHTLY_A, idempotency_key="k"))
    assert blocked.error and blocked.run_id is None


def test_identical_keyed_items_are_one_run(tmp_path):
    client = FakeScheduleClient(run_now=[RUN_1, RUN_2])
    run = runner(client, ledger=Ledger(str(tmp_path / "ledger.json")))
    requests = [ScheduleRequest(schedule_id=SMOKE, idempotency_key="k", label="schedules[0]"),
                ScheduleRequest(title="Smoke suite", idempotency_key="k", label="schedules[1]")]
    run.resolve_all(requests)
    results = run.start_all(requests, max_concurrency=2)
    assert [result.run_id for result in results] == [RUN_1, RUN_1]
    assert [result.request.label for result in results] == ["schedules[0]", "schedules[1]"]
    assert len(client.run_now_calls) == 1


def test_same_schedule_and_key_with_other_variables_is_refused_before_anything(tmp_path):
    client = FakeScheduleClient()
    run = runner(client, ledger=Ledger(str(tmp_path / "ledger.json")))
    requests = [ScheduleRequest(schedule_id=SMOKE, idempotency_key="k", variables={"Env": "a"}, label="schedules[0]"),
                ScheduleRequest(title="Smoke suite", idempotency_key="k", variables={"Env": "b"}, label="schedules[1]")]
    with pytest.raises(ScheduleRequestError, match=r"schedules\[0\] and schedules\[1\]: same schedule %s and idempotency_key 'k' "
                       r"but different variables" % SMOKE):
        run.resolve_all(requests)
    assert client.run_now_calls == [] and client.status_calls == 0


def test_an_interrupt_ends_the_wait_for_a_busy_schedule_and_starts_nothing():
    # Issue 19 item 5: SIGINT or SIGTERM while waiting for a busy schedule (when_running=wait).
    client = FakeScheduleClient(statuses={SMOKE: ["Executing"]})
    clock = FakeClock()
    asked = []

    def interrupted():
        asked.append(clock())
        return "SIGINT" if len(asked) >= 2 else None

    run = runner(client, clock, interrupted=interrupted, poll_interval=5)
    result = start_one(run, ScheduleRequest(schedule_id=SMOKE))
    assert "was still busy when the task was interrupted (SIGINT); nothing was started" in result.error
    assert client.run_now_calls == [] and sum(clock.sleeps) < 10
