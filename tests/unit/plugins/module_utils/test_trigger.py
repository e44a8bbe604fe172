# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of _trigger: check mode, the ledger around the trigger, batches."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    LeapworkConnectionError,
    LeapworkHTTPError,
    TriggerOutcomeUnknown,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import Ledger
from ansible_collections.leapops.leapwork.plugins.module_utils._http_status import (
    NOT_REGISTERED_YET,
    PROVES_NO_RUN,
    proves_no_run,
    statuses_with,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._trigger import (
    RequestError,
    RunRequest,
    Trigger,
    recorded_run_passed,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import MAX_QUERY_LENGTH
from ansible_collections.leapops.leapwork.plugins.module_utils._waiter import DEFAULT_GRACE_SECONDS
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import (
    Fault,
    FakeCatalogue,
    FakeClock,
    FakeController,
    FakeItem,
    FakeRun,
    simple_run,
)
from ansible_collections.leapops.leapwork.tests.unit.plugins.module_utils.ledger_file import stored_entries

URL = "http://127.0.0.1:9001"
FLOW = "5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11"
OTHER_FLOW = "7a1d0f8e-5c2b-4e3a-8f6d-1b2c3d4e5f60"
AGENT = "0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01"

# Issue 19: an item whose trigger was sent before an unexpected exception says that a run may have started.
MAY_HAVE_STARTED = ("a run may have started, its id unknown: the request that starts it was sent, then %s. Check the "
                    "controller's runs before trying again")


class FakeClient(FakeCatalogue):
    """Records calls; answers from scripted outcomes (a value, an exception, or a callable)."""

    def __init__(self, known_flows=(FLOW, OTHER_FLOW), known_agents=(AGENT,)):
        self.known_flows = set(known_flows)
        self.known_agents = set(known_agents)
        self.calls = []
        self.trigger_outcomes = []
        self._lock = threading.Lock()
        self._counter = 0

    def _record(self, *call):
        with self._lock:
            self.calls.append(call)

    def triggers(self):
        return [call for call in self.calls if call[0] == "trigger_flow"]

    def trigger_flow(self, flow_id, agent_id, query_pairs=()):
        # The pairs come rendered (RunVariables): recorded as variables and isDelete.
        pairs = list(query_pairs)
        variables = dict((name, value) for name, value in pairs if name != "isDelete")
        self._record("trigger_flow", flow_id, agent_id, variables, ("isDelete", "true") in pairs)
        outcome = self.trigger_outcomes.pop(0) if self.trigger_outcomes else None
        if isinstance(outcome, Exception):
            raise outcome  # pylint: disable=raising-bad-type
        if callable(outcome):
            return outcome(flow_id, agent_id)
        with self._lock:
            self._counter += 1
            return outcome or "run-%d" % self._counter


@pytest.fixture
def client():
    return FakeClient()


@pytest.fixture
def ledger(tmp_path):
    return Ledger(str(tmp_path / "ledger.json"))


def trigger(client, ledger=None, **kwargs):
    return Trigger(client, URL, ledger=ledger, **kwargs)


# -- local validation


@pytest.mark.parametrize("flow_id, message", [
    (None, "flow_id is required"),
    ("", "flow_id is required"),
    ("not-a-guid", "flow_id must be a GUID"),
    ("5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a1", "flow_id must be a GUID"),
])
def test_bad_flow_id_is_refused_locally(flow_id, message):
    with pytest.raises(RequestError, match=message):
        RunRequest(flow_id, AGENT)


def test_nested_variable_is_refused_naming_it():
    with pytest.raises(RequestError, match="runs\\[2\\]: variables: .*Nested"):
        RunRequest(FLOW, AGENT, {"Nested": {"a": 1}}, label="runs[2]")


def test_ids_are_lower_cased():
    request = RunRequest(FLOW.upper(), AGENT.upper())
    assert (request.flow_id, request.agent_id) == (FLOW, AGENT)


def test_request_record_is_the_encoded_query_without_key():
    request = RunRequest(FLOW, AGENT, {"Url": "https://x.example/a b?c=d&e", "On": True})
    record = request.request_record(delete_schedule=True)
    assert record == {
        "method": "PUT",
        "path": "/api/v4/flows/%s/agent/%s" % (FLOW, AGENT),
        "query": "Url=https%3A%2F%2Fx.example%2Fa%20b%3Fc%3Dd%26e&On=true&isDelete=true",
    }


# -- plain trigger


def test_trigger_starts_one_run_and_reports_changed(client):
    [result] = trigger(client, delete_schedule=True).start_runs([RunRequest(FLOW, AGENT, {"A": 1})])
    assert (result.run_id, result.changed, result.reused, result.error) == ("run-1", True, False, None)
    assert client.triggers() == [("trigger_flow", FLOW, AGENT, {"A": "1"}, True)]
    assert result.to_dict()["request"]["query"] == "A=1&isDelete=true"


def test_trigger_404_says_which_id_is_unknown(client):
    client.known_agents = set()
    client.trigger_outcomes = [LeapworkHTTPError("flow or agent not found", status=404)]
    [result] = trigger(client).start_runs([RunRequest(FLOW, AGENT)])
    assert "agent_id %s was not found" % AGENT in result.error
    assert "flow_id" not in result.error
    assert not result.changed and result.run_id is None


@pytest.mark.parametrize("lookup_error", [
    LeapworkHTTPError("the controller reported an internal error", status=500),
    LeapworkConnectionError("no answer from the controller"),
])
def test_trigger_404_stands_when_the_lookups_that_name_the_id_fail(client, ledger, lookup_error):
    """A 404 to the trigger proves that no run started: the GETs that say which id is unknown may
    fail, but they must not turn that answer into one that may hide a run (a key blocked for good)."""
    client.trigger_outcomes = [LeapworkHTTPError("flow or agent not found", status=404)]

    def flow_info(flow_id):
        raise lookup_error

    client.flow_info = flow_info
    [failed] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert (failed.status, failed.error) == (404, "flow or agent not found")
    assert stored_entries(ledger.path) == {}
    [retried] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert retried.changed and retried.run_id


def test_unknown_outcome_is_reported_and_never_retried(client):
    client.trigger_outcomes = [TriggerOutcomeUnknown("a run may have started", status=None)]
    [result] = trigger(client).start_runs([RunRequest(FLOW, AGENT, idempotency_key=None)])
    assert "may have started" in result.error
    assert len(client.triggers()) == 1
    # sent: the result shows the request, as evidence that a run may exist
    assert result.to_dict()["request"] is not None


# -- check mode


def test_check_mode_sends_no_trigger_and_predicts_change(client):
    [result] = trigger(client, check_mode=True).start_runs([RunRequest(FLOW, AGENT)])
    assert client.triggers() == []
    assert [call[0] for call in client.calls] == ["flow_info", "agent"]
    assert result.changed and result.run_id is None
    assert result.to_dict()["request"] is None  # nothing was sent
    assert result.to_dict(check_mode=True)["request"] is None
    assert result.to_dict(check_mode=True)["would_request"]["path"].endswith(AGENT)


def test_check_mode_names_every_missing_id(client):
    client.known_flows = set()
    client.known_agents = set()
    [result] = trigger(client, check_mode=True).start_runs([RunRequest(FLOW, AGENT)])
    assert "flow_id %s was not found" % FLOW in result.error
    assert "agent_id %s was not found" % AGENT in result.error
    assert client.triggers() == []


def test_check_mode_with_recorded_key_predicts_reuse_and_writes_nothing(client, ledger):
    trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    with open(ledger.path, "rb") as handle:
        before = handle.read()
    [result] = trigger(client, ledger, check_mode=True).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert (result.run_id, result.reused, result.changed) == ("run-1", True, False)
    with open(ledger.path, "rb") as handle:
        assert handle.read() == before
    assert len(client.triggers()) == 1


# -- the ledger around the trigger


def test_same_key_reuses_the_recorded_run(client, ledger):
    first = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, {"V": "1"}, idempotency_key="v1")])[0]
    second = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, {"V": 1}, idempotency_key="v1")])[0]
    assert (first.changed, first.reused) == (True, False)
    assert (second.run_id, second.changed, second.reused) == (first.run_id, False, True)
    assert second.to_dict()["request"] is None
    assert len(client.triggers()) == 1


def test_same_key_other_variables_is_an_error(client, ledger):
    trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, {"V": "1"}, idempotency_key="v1")])
    [result] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, {"V": "2"}, idempotency_key="v1")])
    assert "different flow variables" in result.error
    assert len(client.triggers()) == 1


@pytest.mark.parametrize("passed, triggers", [(True, 1), (False, 2)])
def test_rerun_failed_asks_whether_the_recorded_run_passed(client, ledger, passed, triggers):
    trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    asked = []

    def run_is_passed(run_id, seconds_since_recorded):
        asked.append(run_id)
        return passed

    [result] = trigger(client, ledger, rerun="failed", run_is_passed=run_is_passed).start_runs(
        [RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert asked == ["run-1"]
    assert len(client.triggers()) == triggers
    assert result.reused is passed


def test_rerun_always_starts_a_new_run_and_records_it(client, ledger):
    trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    [result] = trigger(client, ledger, rerun="always").start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert (result.run_id, result.changed) == ("run-2", True)
    [again] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert (again.run_id, again.reused) == ("run-2", True)


def test_unknown_outcome_leaves_evidence_that_blocks_the_next_trigger(client, ledger):
    client.trigger_outcomes = [TriggerOutcomeUnknown("Triggering flow: no answer; a run may have started")]
    [first] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert "may have started" in first.error and "'v1'" in first.error
    [second] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert "never recorded its outcome" in second.error and "rerun=always" in second.error
    assert len(client.triggers()) == 1
    [forced] = trigger(client, ledger, rerun="always").start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert forced.changed and len(client.triggers()) == 2


def test_server_error_on_trigger_keeps_the_in_flight_marker(client, ledger):
    client.trigger_outcomes = [LeapworkHTTPError("controller error; a run may or may not have started", status=500)]
    trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    [entry] = stored_entries(ledger.path).values()
    assert entry["state"] == "in_flight"


@pytest.mark.parametrize("error", [
    LeapworkHTTPError("bad variable", status=400),
    LeapworkHTTPError("Incorrect AccessKey", status=401),
    LeapworkHTTPError("Proxy Authentication Required", status=407),
    LeapworkHTTPError("Payload Too Large", status=413),
    LeapworkHTTPError("URI Too Long", status=414),
    LeapworkHTTPError("Request Header Fields Too Large", status=431),
    LeapworkConnectionError("connection refused before sending"),
])
def test_answer_proving_no_run_releases_the_key(client, ledger, error):
    client.trigger_outcomes = [error]
    [failed] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert failed.error
    assert stored_entries(ledger.path) == {}
    [retried] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert retried.changed and retried.run_id


# -- batches


def test_batch_keeps_input_order_and_reports_partial_failure(client):
    def known_flow_only(flow, agent):
        if flow != FLOW:
            raise LeapworkHTTPError("flow %s or agent %s not found" % (flow, agent), status=404)
        return "run-for-%s" % flow[:4]

    client.known_flows = {FLOW}
    client.trigger_outcomes = [known_flow_only, known_flow_only]
    requests = [RunRequest(FLOW, AGENT, label="runs[0]"), RunRequest(OTHER_FLOW, AGENT, label="runs[1]")]
    results = trigger(client).start_runs(requests, max_concurrency=2)
    assert [result.request.label for result in results] == ["runs[0]", "runs[1]"]
    assert results[0].run_id == "run-for-5b3c" and results[0].error is None
    assert results[1].run_id is None and "flow_id %s was not found" % OTHER_FLOW in results[1].error


def test_batch_triggers_concurrently(client):
    barrier = threading.Barrier(4, timeout=5)

    def all_at_once(flow, agent):
        barrier.wait()  # raises BrokenBarrierError unless 4 triggers are in flight together
        return "run-%s" % flow

    client.trigger_outcomes = [all_at_once] * 4
    requests = [RunRequest(FLOW, AGENT, {"N": index}) for index in range(4)]
    results = trigger(client).start_runs(requests, max_concurrency=4)
    assert all(result.changed for result in results)


def test_one_table_of_answers_that_prove_no_run():
    # The client words its errors and the ledger releases its marker from the same table.
    assert statuses_with(PROVES_NO_RUN) == [400, 401, 403, 404, 405, 407, 413, 414, 431]
    # A redirect is never followed: whatever its code, the controller never handled the request.
    assert all(proves_no_run(status) for status in (300, 301, 302, 303, 307, 308, 399))


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 409])
def test_other_answers_keep_the_marker(client, ledger, status):
    client.trigger_outcomes = [LeapworkHTTPError("HTTP %d" % status, status=status)]
    trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    [entry] = stored_entries(ledger.path).values()
    assert entry["state"] == "in_flight"


# -- a started run is never lost (one item's surprise stays that item's)


def test_white_space_key_is_refused_before_anything():
    with pytest.raises(RequestError, match=r"runs\[2\]: idempotency_key must not be only white space"):
        RunRequest(FLOW, AGENT, idempotency_key="   ", label="runs[2]")


def test_unexpected_exception_in_one_item_keeps_the_other_runs(client):
    def explode(flow, agent):
        raise ValueError("the parser choked")

    client.trigger_outcomes = [explode]
    requests = [RunRequest(FLOW, AGENT, label="runs[0]"), RunRequest(OTHER_FLOW, AGENT, label="runs[1]")]
    results = trigger(client).start_runs(requests, max_concurrency=1)
    assert results[0].error == MAY_HAVE_STARTED % "unexpected ValueError: the parser choked"
    assert results[0].run_id is None and not results[0].changed
    assert results[1].run_id == "run-1" and results[1].changed and results[1].error is None


def test_unexpected_exception_during_a_trigger_keeps_the_marker(client, ledger):
    def explode(flow, agent):
        raise RuntimeError("boom")

    client.trigger_outcomes = [explode]
    [result] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert "RuntimeError: boom" in result.error
    [entry] = stored_entries(ledger.path).values()
    assert entry["state"] == "in_flight"
    assert "RuntimeError: boom" in entry["unknown_reason"]


def test_request_is_none_when_the_trigger_never_left(client):
    client.trigger_outcomes = [LeapworkConnectionError("connection refused; nothing was sent")]
    [result] = trigger(client).start_runs([RunRequest(FLOW, AGENT)])
    assert result.error and result.to_dict()["request"] is None


def test_request_is_shown_when_the_controller_answered(client):
    client.trigger_outcomes = [LeapworkHTTPError("HTTP 500", status=500)]
    [result] = trigger(client).start_runs([RunRequest(FLOW, AGENT)])
    assert result.to_dict()["request"]["method"] == "PUT"


# -- batches with repeated items


@pytest.mark.parametrize("max_concurrency", [1, 8])
def test_identical_items_are_one_run(client, ledger, max_concurrency):
    requests = [RunRequest(FLOW, AGENT, {"Env": "qa"}, "v1", label="runs[%d]" % index) for index in range(3)]
    requests.insert(1, RunRequest(OTHER_FLOW, AGENT, {"Env": "qa"}, "v1", label="other"))
    results = trigger(client, ledger).start_runs(requests, max_concurrency=max_concurrency)
    assert len(client.triggers()) == 2
    assert [result.error for result in results] == [None] * 4
    assert results[0].run_id == results[2].run_id == results[3].run_id
    assert results[1].run_id != results[0].run_id
    assert [result.request.label for result in results] == ["runs[0]", "other", "runs[1]", "runs[2]"]
    assert all(result.changed for result in results)


def test_identical_items_without_key_each_start_a_run(client):
    results = trigger(client).start_runs([RunRequest(FLOW, AGENT), RunRequest(FLOW, AGENT)], max_concurrency=8)
    assert len(client.triggers()) == 2
    assert results[0].run_id != results[1].run_id


def test_same_key_other_variables_in_one_batch_is_refused_before_any_trigger(client, ledger):
    requests = [RunRequest(FLOW, AGENT, {"BaseUrl": "https://a"}, "v1", label="runs[0]"),
                RunRequest(FLOW, AGENT, {"BaseUrl": "https://b"}, "v1", label="runs[1]")]
    with pytest.raises(RequestError, match=r"runs\[0\] and runs\[1\]: same flow .* but different variables"):
        trigger(client, ledger).start_runs(requests)
    assert client.calls == []
    assert stored_entries(ledger.path) == {}


def test_failed_item_never_reports_another_run_as_its_own(client, ledger):
    [first] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, {"Env": "a"}, "v1")])
    [conflict] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, {"Env": "b"}, "v1")])
    assert "different flow variables" in conflict.error
    assert first.run_id in conflict.error  # named in the message ...
    assert conflict.run_id is None  # ... but not reported as this item's run
    assert conflict.to_dict()["run_id"] is None


# -- URL length


def test_too_long_query_is_refused_locally_naming_the_item(client):
    long_value = "x" * MAX_QUERY_LENGTH
    with pytest.raises(RequestError, match=r"runs\[4\]: the variables make a query string of \d+ characters; at most 2048"):
        RunRequest(FLOW, AGENT, {"Data": long_value}, label="runs[4]")
    assert client.calls == []


def test_query_at_the_limit_is_accepted():
    value = "x" * (MAX_QUERY_LENGTH - len("Data=") - len("&isDelete=true"))
    request = RunRequest(FLOW, AGENT, {"Data": value}, delete_schedule=True)
    assert len(request.request_record(True)["query"]) == MAX_QUERY_LENGTH
    with pytest.raises(RequestError, match="query string"):
        RunRequest(FLOW, AGENT, {"Data": value + "y"}, delete_schedule=True)


def test_secret_values_count_in_the_length():
    with pytest.raises(RequestError, match="query string"):
        RunRequest(FLOW, AGENT, secret_variables={"Token": "t" * MAX_QUERY_LENGTH})


# -- secret variables


def test_secret_variables_are_sent_but_shown_masked(client, ledger):
    request = RunRequest(FLOW, AGENT, {"BaseUrl": "https://a b"}, "v1", secret_variables={"Password": "hunter2-s3cret"})
    [result] = trigger(client, ledger, delete_schedule=True).start_runs([request])
    assert client.triggers()[0][3] == {"BaseUrl": "https://a b", "Password": "hunter2-s3cret"}
    shown = result.to_dict()
    assert shown["variables"] == {"BaseUrl": "https://a b", "Password": "********"}
    assert shown["request"]["query"] == "BaseUrl=https%3A%2F%2Fa%20b&Password=********&isDelete=true"
    assert "hunter2" not in repr(shown)
    with open(ledger.path, encoding="utf-8") as handle:
        assert "hunter2" not in handle.read()


def test_secret_values_take_part_in_the_fingerprint(client, ledger):
    first = RunRequest(FLOW, AGENT, idempotency_key="v1", secret_variables={"Password": "one"})
    second = RunRequest(FLOW, AGENT, idempotency_key="v1", secret_variables={"Password": "two"})
    assert first.fingerprint() != second.fingerprint()
    trigger(client, ledger).start_runs([first])
    [conflict] = trigger(client, ledger).start_runs([second])
    assert "different flow variables" in conflict.error
    assert "one" not in conflict.error.replace("done", "")


@pytest.mark.parametrize("secret_name", ["Password", "password", "PASSWORD"])
def test_a_name_in_both_variables_and_secret_variables_is_refused(secret_name):
    with pytest.raises(RequestError, match=r"flow_run: secret_variables '%s' also in variables" % secret_name):
        RunRequest(FLOW, AGENT, {"Password": "x"}, secret_variables={secret_name: "y"})


def test_bad_secret_variable_names_the_option():
    with pytest.raises(RequestError, match="secret_variables: .*nested value"):
        RunRequest(FLOW, AGENT, secret_variables={"Token": ["a"]})


class TestRecordedRunPassed:
    """rerun=failed asks whether the recorded run passed, with the waiter's idea of "still going"."""

    @staticmethod
    def ask(run, moment=10):
        clock = FakeClock()
        controller = FakeController(clock, [run])
        clock.advance(moment)
        return recorded_run_passed(controller, run.run_id)

    def test_passed(self):
        assert self.ask(simple_run("r", outcome="Passed", duration=5)) is True

    def test_failed(self):
        assert self.ask(simple_run("r", outcome="Failed", duration=5)) is False

    def test_done_counts_as_the_caller_says(self):
        clock = FakeClock()
        controller = FakeController(clock, [simple_run("r", outcome="Done", duration=5)])
        clock.advance(10)
        assert recorded_run_passed(controller, "r", "passed") is True
        assert recorded_run_passed(controller, "r", "failed") is False

    def test_executing_is_still_going(self):
        assert self.ask(simple_run("r", duration=60)) is True

    def test_finished_with_an_item_still_running_is_still_going(self):
        # The waiter keeps waiting for such a run; rerun=failed must not start a second one beside it.
        run = FakeRun("r", statuses=[(0, "Executing"), (5, "Finished")],
                      items=[FakeItem("i1", statuses=[(0, "Running"), (5, "Passed")]),
                             FakeItem("i2", statuses=[(0, "Running"), (30, "Failed")])])
        assert self.ask(run) is True

    def test_no_flow_ran_is_not_a_pass(self):
        assert self.ask(simple_run("r", outcome=None, duration=5)) is False

    def test_unknown_run_did_not_pass(self):
        assert self.ask(FakeRun("r", gone_at=1)) is False

    # A run recorded moments ago may not be registered yet: the controller answers 404 (or 500) for it
    # for a while, as the waiter knows (its grace). Within the same grace after the run was recorded,
    # that answer means "still going" (reused); after it, a 404 means the run is gone.
    @staticmethod
    def not_registered(status):
        if status == 404:
            return FakeRun("r", registered_at=1000)
        return simple_run("r", duration=5, faults=[Fault(0, 1000, status=status)])

    @pytest.mark.parametrize("status", statuses_with(NOT_REGISTERED_YET))
    @pytest.mark.parametrize("seconds_since_recorded", [0, 1.5, DEFAULT_GRACE_SECONDS - 0.1])
    def test_not_registered_yet_within_the_grace_is_still_going(self, status, seconds_since_recorded):
        controller = FakeController(FakeClock(), [self.not_registered(status)])
        assert recorded_run_passed(controller, "r", seconds_since_recorded=seconds_since_recorded) is True

    @pytest.mark.parametrize("seconds_since_recorded", [DEFAULT_GRACE_SECONDS, DEFAULT_GRACE_SECONDS + 0.1, 3600, None])
    def test_unknown_after_the_grace_did_not_pass(self, seconds_since_recorded):
        controller = FakeController(FakeClock(), [self.not_registered(404)])
        assert recorded_run_passed(controller, "r", seconds_since_recorded=seconds_since_recorded) is False

    @pytest.mark.parametrize("seconds_since_recorded", [DEFAULT_GRACE_SECONDS, None])
    def test_an_error_answer_after_the_grace_is_raised(self, seconds_since_recorded):
        controller = FakeController(FakeClock(), [self.not_registered(500)])
        with pytest.raises(LeapworkHTTPError) as caught:
            recorded_run_passed(controller, "r", seconds_since_recorded=seconds_since_recorded)
        assert caught.value.status == 500

    def test_a_run_that_answered_is_registered(self):
        # As for the waiter: once the run's status was read, a 404 for its items means it is gone.
        run = simple_run("r", duration=5, faults=[Fault(0, 1000, status=404, operations={"run_item_ids"})])
        controller = FakeController(FakeClock(), [run])
        controller.clock.advance(10)
        assert recorded_run_passed(controller, "r", seconds_since_recorded=1) is False

    def test_other_errors_within_the_grace_are_raised(self):
        # Only what the status table calls "not registered yet" is waited out by the grace.
        controller = FakeController(FakeClock(), [simple_run("r", faults=[Fault(0, 1000, status=401)])])
        with pytest.raises(LeapworkHTTPError):
            recorded_run_passed(controller, "r", seconds_since_recorded=1)


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize("seconds_later, reused", [(2, True), (DEFAULT_GRACE_SECONDS + 1, False)])
def test_rerun_failed_never_duplicates_a_run_not_registered_yet(tmp_path, client, check_mode, seconds_later, reused):
    """rerun=failed right after the first trigger: the controller does not know the run yet (404).

    Within the grace after it was recorded, the run counts as still going and is reused (check mode
    previews the same); after it, the 404 means the run is gone and a new one is started.
    """
    clock = FakeClock(start=1767225600.0)
    ledger = Ledger(str(tmp_path / "ledger.json"), clock=clock)
    [first] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    controller = FakeController(clock, [FakeRun(first.run_id, registered_at=3600)])  # 404 for an hour
    clock.advance(seconds_later)
    judge = trigger(client, ledger, rerun="failed", check_mode=check_mode,
                    run_is_passed=lambda run_id, seconds: recorded_run_passed(controller, run_id, "passed", seconds))
    [second] = judge.start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert second.error is None
    assert (second.reused, second.changed) == (reused, not reused)
    assert controller.calls_for("run_status", first.run_id) == 1
    assert len(client.triggers()) == (1 if reused or check_mode else 2)
    if reused:
        assert second.run_id == first.run_id


# -- issue 19: a run that started is never hidden; a redirect proves no run -----------------------

@pytest.mark.parametrize("status", [301, 308])
def test_a_redirect_to_the_trigger_leaves_no_marker(client, ledger, status):
    client.trigger_outcomes = [LeapworkHTTPError("redirect, not followed", status=status)]
    [result] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="r1")])
    assert result.error and result.run_id is None
    assert stored_entries(ledger.path) == {}


def test_a_run_the_ledger_cannot_record_keeps_its_id_and_says_it_started(client, tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.json"), lock_timeout=0.05, record_timeout=0.1)

    def corrupt_then_answer(flow_id, agent_id):
        with open(ledger.path, "w", encoding="utf-8") as handle:
            handle.write("garbage")
        return "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a"

    client.trigger_outcomes = [corrupt_then_answer]
    [result] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="k1")])
    assert result.run_id == "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a" and result.changed
    assert result.error.startswith("Run 8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a STARTED on the controller")


def test_an_unexpected_exception_after_the_run_id_names_the_run(client, ledger, monkeypatch):
    def broken_complete(reservation, run_id, agent_id=None):
        raise TypeError("surprise")

    monkeypatch.setattr(ledger, "complete", broken_complete)
    [result] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="k2")])
    assert result.run_id == "run-1"
    assert result.error == "run run-1 started, then unexpected TypeError: surprise"
