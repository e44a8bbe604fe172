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
from ansible_collections.leapops.leapwork.plugins.module_utils._trigger import RequestError, RunRequest, Trigger
from ansible_collections.leapops.leapwork.tests.unit.plugins.module_utils.fake_controller import FakeCatalogue

URL = "http://127.0.0.1:9001"
FLOW = "5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11"
OTHER_FLOW = "7a1d0f8e-5c2b-4e3a-8f6d-1b2c3d4e5f60"
AGENT = "0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01"


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

    def trigger_flow(self, flow_id, agent_id, variables=None, delete_schedule=False):
        self._record("trigger_flow", flow_id, agent_id, dict(variables or {}), delete_schedule)
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


def test_unknown_outcome_is_reported_and_never_retried(client):
    client.trigger_outcomes = [TriggerOutcomeUnknown("a run may have started", status=None)]
    [result] = trigger(client).start_runs([RunRequest(FLOW, AGENT, idempotency_key=None)])
    assert "may have started" in result.error
    assert len(client.triggers()) == 1
    assert result.outcome_unknown


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
    before = ledger.entries()
    [result] = trigger(client, ledger, check_mode=True).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert (result.run_id, result.reused, result.changed) == ("run-1", True, False)
    assert ledger.entries() == before
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

    def run_is_passed(run_id):
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
    [entry] = ledger.entries().values()
    assert entry["state"] == "in_flight"


@pytest.mark.parametrize("error", [
    LeapworkHTTPError("bad variable", status=400),
    LeapworkHTTPError("Incorrect AccessKey", status=401),
    LeapworkConnectionError("connection refused before sending"),
])
def test_answer_proving_no_run_releases_the_key(client, ledger, error):
    client.trigger_outcomes = [error]
    [failed] = trigger(client, ledger).start_runs([RunRequest(FLOW, AGENT, idempotency_key="v1")])
    assert failed.error
    assert ledger.entries() == {}
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
