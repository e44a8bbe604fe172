# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the flow_run module: main() run in-process with a fake client (no network)."""

import threading

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils import _follow, _module
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkHTTPError, TriggerOutcomeUnknown
from ansible_collections.leapops.leapwork.plugins.modules import flow_run
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import (
    FakeCatalogue,
    FakeClock,
    FakeController,
    FakeItem,
    FakeRun,
)

URL = "http://127.0.0.1:9001"
FLOW = "5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11"
OTHER_FLOW = "7a1d0f8e-5c2b-4e3a-8f6d-1b2c3d4e5f60"
BAD_FLOW = "11111111-2222-3333-4444-555555555555"
AGENT = "0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01"

# Issue 19: an item whose trigger was sent before an unexpected exception says that a run may have started.
MAY_HAVE_STARTED = ("a run may have started, its id unknown: the request that starts it was sent, then %s. Check the "
                    "controller's runs before trying again")


class FakeClient(FakeCatalogue, FakeController):
    """A client that starts runs (recorded) and answers for them like a controller; each run started
    has already finished with one flow ending ``final_status``, so that ``wait`` needs no sleep."""

    def __init__(self, known_flows=(FLOW, OTHER_FLOW, BAD_FLOW), known_agents=(AGENT,), final_status="Passed"):
        super().__init__(FakeClock())
        self.controller_url = URL
        self.known_flows = set(known_flows)
        self.known_agents = set(known_agents)
        self.final_status = final_status
        self.trigger_errors = {}  # flow_id -> exception raised by its trigger
        self.triggers = []
        self._counter = 0
        self._start_lock = threading.Lock()

    def trigger_flow(self, flow_id, agent_id, query_pairs=()):
        pairs = list(query_pairs)
        variables = dict((name, value) for name, value in pairs if name != "isDelete")
        with self._start_lock:
            self.triggers.append((flow_id, agent_id, variables, ("isDelete", "true") in pairs))
            if flow_id in self.trigger_errors:
                raise self.trigger_errors[flow_id]
            self._counter += 1
            run_id = "9c1b4ad5-0f0e-4b45-9d74-%012d" % self._counter
        self.add_run(FakeRun(run_id, statuses=[(0, "Finished")], items=[
            FakeItem(run_id + "-item", flow_title="Flow %s" % flow_id[:8], statuses=[(0, self.final_status)])]))
        return run_id


@pytest.fixture
def module_under_test():
    return flow_run


@pytest.fixture
def client():
    return FakeClient()


def single(**extra):
    args = dict(flow_id=FLOW, agent_id=AGENT)
    args.update(extra)
    return args


class TestArguments:
    def test_runs_and_flow_id_are_mutually_exclusive(self, client, client_requests, run_module):
        failed, result = run_module(dict(flow_id=FLOW, agent_id=AGENT, runs=[dict(flow_id=FLOW, agent_id=AGENT)]))
        assert failed
        assert "mutually exclusive" in result["msg"]
        assert "runs|flow_id" in result["msg"]
        assert client_requests == []
        assert client.triggers == []

    def test_wait_with_a_wait_timeout_of_0_is_refused_before_any_request(self, client, client_requests, run_module):
        """wait_timeout is the task's one deadline, for the reads and the trigger too: at 0 the real
        client would refuse every request (nothing started, a message about agent statuses)."""
        failed, result = run_module(single(wait=True, wait_timeout=0))
        assert failed
        assert result["msg"].startswith("wait_timeout is 0, which leaves no time to start a run")
        assert client_requests == [] and client.triggers == []
        failed, result = run_module(single(wait_timeout=0))  # without wait, it bounds nothing of the task
        assert not failed and len(client.triggers) == 1

    def test_one_of_runs_and_flow_id_is_required(self, client, client_requests, run_module):
        failed, result = run_module(dict())
        assert failed
        assert "one of the following is required: runs, flow_id" in result["msg"]
        assert client.triggers == []

    @pytest.mark.parametrize("value", [0, -1])
    def test_max_concurrency_below_one_is_refused(self, client, client_requests, value, run_module):
        failed, result = run_module(dict(runs=[dict(flow_id=FLOW, agent_id=AGENT)], max_concurrency=value))
        assert failed
        assert result["msg"] == "max_concurrency must be at least 1, got %d" % value
        assert client_requests == []
        assert client.triggers == []

    def test_invalid_flow_guid_is_refused_before_any_call(self, client, client_requests, run_module):
        failed, result = run_module(single(flow_id="not-a-guid"))
        assert failed
        assert "flow_id must be a GUID" in result["msg"]
        assert "'not-a-guid'" in result["msg"]
        assert client_requests == []
        assert client.request_count == 0
        assert client.triggers == []

    def test_invalid_agent_guid_in_runs_names_the_item(self, client, client_requests, run_module):
        failed, result = run_module(dict(runs=[dict(flow_id=FLOW, agent_id=AGENT), dict(flow_id=FLOW, agent_id="agent-7")]))
        assert failed
        assert result["msg"].startswith("runs[1]: agent_id must be a GUID")
        assert client_requests == []
        # Nothing is started when any item is invalid, not even the valid ones.
        assert client.triggers == []

    @pytest.mark.parametrize("args, option", [
        (dict(wait_timeout=-1), "wait_timeout"),
        (dict(poll_interval=0), "poll_interval"),
        (dict(poll_interval=0.25), "poll_interval must be at least 0.5 seconds"),
    ])
    def test_wait_options_are_checked_before_any_call(self, client, client_requests, args, option, run_module):
        failed, result = run_module(single(**args))
        assert failed
        assert result["msg"].startswith(option)
        assert client_requests == []
        assert client.triggers == []


class TestSingle:
    def test_started_run_is_changed(self, client, client_requests, run_module):
        failed, result = run_module(single(variables=dict(BaseUrl="https://example.com", Retries=3)))
        assert not failed
        assert result["changed"] is True
        assert result["reused"] is False
        assert result["run_id"] == "9c1b4ad5-0f0e-4b45-9d74-000000000001"
        assert result["flow_id"] == FLOW
        assert result["agent_id"] == AGENT
        assert result["variables"] == {"BaseUrl": "https://example.com", "Retries": "3"}
        assert result["request"]["method"] == "PUT"
        assert result["request"]["path"] == "/api/v4/flows/%s/agent/%s" % (FLOW, AGENT)
        assert "would_request" not in result
        assert "error" not in result
        assert "outcome" not in result  # no wait
        assert len(client.triggers) == 1

    def test_guids_are_lower_cased(self, client, client_requests, run_module):
        failed, result = run_module(single(flow_id=FLOW.upper()))
        assert not failed
        assert result["flow_id"] == FLOW
        assert client.triggers[0][0] == FLOW

    def test_trigger_refused_is_not_changed(self, client, client_requests, run_module):
        client.trigger_errors[FLOW] = LeapworkHTTPError("Could not run the flow: HTTP 400 (bad request)", status=400)
        failed, result = run_module(single())
        assert failed
        assert result["changed"] is False
        assert result["run_id"] is None
        assert "HTTP 400" in result["msg"]
        # After a failed trigger, status is the HTTP code (RETURN documents both meanings).
        assert result["status"] == 400

    def test_outcome_unknown_fails_and_is_not_changed(self, client, client_requests, run_module):
        client.trigger_errors[FLOW] = TriggerOutcomeUnknown("The trigger was sent but no answer came back; a run may have started")
        failed, result = run_module(single())
        assert failed
        assert "a run may have started" in result["msg"]
        assert result["changed"] is False
        assert result["status"] is None  # no answer came back
        assert len(client.triggers) == 1  # never retried

    def test_reused_run_is_not_changed(self, client, client_requests, tmp_path, run_module):
        ledger = str(tmp_path / "ledger.json")
        failed, first = run_module(single(idempotency_key="release-1", ledger_path=ledger))
        assert not failed
        assert first["changed"] is True
        assert first["reused"] is False
        failed, second = run_module(single(idempotency_key="release-1", ledger_path=ledger))
        assert not failed
        assert second["changed"] is False
        assert second["reused"] is True
        assert second["run_id"] == first["run_id"]
        assert second["request"] is None
        assert len(client.triggers) == 1

    def test_ledger_path_comes_from_the_environment(self, client, client_requests, tmp_path, monkeypatch, run_module):
        ledger = tmp_path / "from-env" / "ledger.json"
        monkeypatch.setenv("LEAPWORK_LEDGER_PATH", str(ledger))
        failed, first = run_module(single(idempotency_key="release-1"))
        assert not failed
        assert ledger.exists()
        assert "release-1" in ledger.read_text()
        failed, second = run_module(single(idempotency_key="release-1"))
        assert second["reused"] is True
        assert len(client.triggers) == 1

    @pytest.mark.parametrize("source", ["option", "environment"])
    def test_an_empty_ledger_path_is_refused_naming_it_before_any_trigger(self, client, client_requests, monkeypatch, run_module,
                                                                          source):
        # An empty LEAPWORK_LEDGER_PATH (set but blank in a CI job) is taken by env_fallback as is.
        args = single(idempotency_key="release-1")
        if source == "option":
            args["ledger_path"] = ""
        else:
            monkeypatch.setenv("LEAPWORK_LEDGER_PATH", "")
        failed, result = run_module(args)
        assert failed
        assert "ledger_path" in result["msg"]
        assert client.triggers == []

    def test_ledger_path_option_wins_over_the_environment(self, client, client_requests, tmp_path, monkeypatch, run_module):
        monkeypatch.setenv("LEAPWORK_LEDGER_PATH", str(tmp_path / "env.json"))
        failed, result = run_module(single(idempotency_key="release-1", ledger_path=str(tmp_path / "option.json")))
        assert not failed
        assert (tmp_path / "option.json").exists()
        assert not (tmp_path / "env.json").exists()

    def test_default_ledger_in_awx_job_warns(self, client, client_requests, tmp_path, monkeypatch, warnings_seen, run_module):
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.delenv("LEAPWORK_LEDGER_PATH", raising=False)
        monkeypatch.setenv("JOB_ID", "42")
        monkeypatch.setenv("AWX_HOST", "https://awx.example.com")
        failed, result = run_module(single(idempotency_key="release-1"))
        assert not failed
        assert len(warnings_seen) == 1
        assert "AWX job 42" in warnings_seen[0]
        assert "LEAPWORK_LEDGER_PATH" in warnings_seen[0]

    def test_ledger_from_environment_in_awx_job_does_not_warn(self, client, client_requests, tmp_path, monkeypatch, warnings_seen, run_module):
        monkeypatch.setenv("LEAPWORK_LEDGER_PATH", str(tmp_path / "ledger.json"))
        monkeypatch.setenv("JOB_ID", "42")
        monkeypatch.setenv("AWX_HOST", "https://awx.example.com")
        failed, result = run_module(single(idempotency_key="release-1"))
        assert not failed
        assert warnings_seen == []

    def test_awx_job_without_idempotency_key_does_not_warn(self, client, client_requests, monkeypatch, warnings_seen, run_module):
        monkeypatch.setenv("JOB_ID", "42")
        monkeypatch.setenv("AWX_HOST", "https://awx.example.com")
        failed, result = run_module(single())
        assert not failed
        assert warnings_seen == []

    def test_wait_passed(self, client, client_requests, run_module):
        failed, result = run_module(single(wait=True))
        assert not failed
        assert result["changed"] is True
        assert result["outcome"] == "passed"
        assert result["status"] == "Finished"
        assert result["summary"]["passed"] == 1
        assert result["failures"] == []
        assert result["run_id"] == "9c1b4ad5-0f0e-4b45-9d74-000000000001"

    def test_wait_failed_fails_but_is_changed(self, client, client_requests, run_module):
        client.final_status = "Failed"
        failed, result = run_module(single(wait=True))
        assert failed
        assert result["changed"] is True
        assert result["msg"].startswith("Leapwork: failed")
        assert result["outcome"] == "failed"
        assert result["run_id"] == "9c1b4ad5-0f0e-4b45-9d74-000000000001"

    def test_wait_failed_without_fail_on_failure(self, client, client_requests, run_module):
        client.final_status = "Failed"
        failed, result = run_module(single(wait=True, fail_on_failure=False))
        assert not failed
        assert result["changed"] is True
        assert result["outcome"] == "failed"


class TestBatch:
    def test_all_started(self, client, client_requests, run_module):
        failed, result = run_module(dict(variables=dict(Shared="x"), runs=[
            dict(flow_id=FLOW, agent_id=AGENT),
            dict(flow_id=OTHER_FLOW, agent_id=AGENT, variables=dict(Shared="y", Own=1)),
        ]))
        assert not failed
        assert result["changed"] is True
        assert len(result["run_ids"]) == 2
        assert all(result["run_ids"])
        assert [run["run_id"] for run in result["runs"]] == result["run_ids"]
        assert [run["changed"] for run in result["runs"]] == [True, True]
        assert result["runs"][0]["variables"] == {"Shared": "x"}
        assert result["runs"][1]["variables"] == {"Shared": "y", "Own": "1"}
        assert len(client.triggers) == 2

    def test_failure_message_lists_the_failed_item_and_returns_started_run_ids(self, client, client_requests, run_module):
        client.trigger_errors[BAD_FLOW] = LeapworkHTTPError("Could not run the flow: HTTP 400 (bad request)", status=400)
        failed, result = run_module(dict(runs=[
            dict(flow_id=FLOW, agent_id=AGENT),
            dict(flow_id=BAD_FLOW, agent_id=AGENT),
            dict(flow_id=OTHER_FLOW, agent_id=AGENT),
        ]))
        assert failed
        started = [run_id for run_id in result["run_ids"] if run_id]
        assert len(started) == 2
        assert result["run_ids"][1] is None
        assert result["run_ids"][0] and result["run_ids"][2]
        head, detail = result["msg"].split("\n", 1)
        assert head == "1 of 3 runs could not be started (2 started or reused: %s, %s):" % (result["run_ids"][0], result["run_ids"][2])
        assert detail.startswith("runs[1] (flow %s on agent %s): " % (BAD_FLOW, AGENT))
        assert "HTTP 400" in detail
        assert "\n" not in detail
        assert result["changed"] is True
        assert [run["changed"] for run in result["runs"]] == [True, False, True]
        assert result["runs"][1]["error"]
        assert result["runs"][1]["status"] == 400
        assert "error" not in result["runs"][0] and "status" not in result["runs"][0]

    def test_every_item_failing(self, client, client_requests, run_module):
        client.trigger_errors[BAD_FLOW] = LeapworkHTTPError("Could not run the flow: HTTP 403 (forbidden)", status=403)
        failed, result = run_module(dict(runs=[dict(flow_id=BAD_FLOW, agent_id=AGENT), dict(flow_id=BAD_FLOW, agent_id=AGENT)]))
        assert failed
        assert result["msg"].startswith("2 of 2 runs could not be started (0 started or reused: none):\n")
        assert result["run_ids"] == [None, None]
        assert result["changed"] is False

    def test_wait_follows_every_run(self, client, client_requests, run_module):
        failed, result = run_module(dict(wait=True, runs=[dict(flow_id=FLOW, agent_id=AGENT), dict(flow_id=OTHER_FLOW, agent_id=AGENT)]))
        assert not failed
        assert result["outcome"] == "passed"
        assert result["summary"]["total"] == 2
        assert [run["outcome"] for run in result["runs"]] == ["passed", "passed"]
        assert [run["changed"] for run in result["runs"]] == [True, True]

    def test_wait_gives_the_waiter_each_runs_agent(self, client, client_requests, run_module, agents_given_to_the_waiter):
        # So that a run queued behind another on its agent is polled once that one has ended.
        other_agent = "0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a02"
        client.known_agents.add(other_agent)
        failed, result = run_module(dict(wait=True, runs=[dict(flow_id=FLOW, agent_id=AGENT), dict(flow_id=OTHER_FLOW, agent_id=other_agent)]))
        assert not failed
        first, second = result["run_ids"]
        assert agents_given_to_the_waiter == [{first: AGENT, second: other_agent}]


class TestCheckMode:
    def test_no_trigger_in_check_mode(self, client, client_requests, run_module):
        failed, result = run_module(single(), check_mode=True)
        assert not failed
        assert client.triggers == []
        assert result["changed"] is True  # a run would be started
        assert result["run_id"] is None
        assert result["request"] is None  # nothing was sent
        assert result["would_request"]["path"] == "/api/v4/flows/%s/agent/%s" % (FLOW, AGENT)
        # Read-only checks that the flow and the agent exist.
        assert client.calls["flow_info"] == 1
        assert client.calls["agent"] == 1

    def test_check_mode_with_wait_waits_for_nothing(self, client, client_requests, run_module):
        failed, result = run_module(single(wait=True), check_mode=True)
        assert not failed
        assert client.triggers == []
        assert client.calls["run_status"] == 0
        assert "outcome" not in result

    def test_check_mode_batch(self, client, client_requests, run_module):
        failed, result = run_module(dict(runs=[dict(flow_id=FLOW, agent_id=AGENT), dict(flow_id=OTHER_FLOW, agent_id=AGENT)]),
                                    check_mode=True)
        assert not failed
        assert client.triggers == []
        assert result["run_ids"] == [None, None]
        assert result["changed"] is True

    def test_check_mode_reports_a_missing_flow(self, client, client_requests, run_module):
        client.known_flows.discard(FLOW)
        failed, result = run_module(single(), check_mode=True)
        assert failed
        assert "flow_id %s was not found on the controller" % FLOW in result["msg"]
        assert result["changed"] is False
        assert client.triggers == []

    def test_check_mode_reuse_is_not_changed(self, client, client_requests, tmp_path, run_module):
        ledger = str(tmp_path / "ledger.json")
        failed, first = run_module(single(idempotency_key="release-1", ledger_path=ledger))
        assert not failed
        failed, result = run_module(single(idempotency_key="release-1", ledger_path=ledger), check_mode=True)
        assert not failed
        assert result["changed"] is False
        assert result["reused"] is True
        assert result["run_id"] == first["run_id"]
        assert len(client.triggers) == 1


class TestNoRunIsLost:
    def test_unexpected_exception_in_one_item_keeps_the_started_runs(self, client, client_requests, run_module):
        client.trigger_errors[BAD_FLOW] = ValueError("the parser choked")
        failed, result = run_module(dict(runs=[
            dict(flow_id=FLOW, agent_id=AGENT),
            dict(flow_id=BAD_FLOW, agent_id=AGENT),
            dict(flow_id=OTHER_FLOW, agent_id=AGENT),
        ]))
        assert failed
        assert result["changed"] is True
        assert result["run_ids"][0] and result["run_ids"][2] and result["run_ids"][1] is None
        assert "runs[1]" in result["msg"] and "unexpected ValueError: the parser choked" in result["msg"]
        assert result["runs"][1]["error"] == MAY_HAVE_STARTED % "unexpected ValueError: the parser choked"

    def test_white_space_key_is_refused_before_any_trigger(self, client, client_requests, run_module):
        failed, result = run_module(dict(runs=[dict(flow_id=FLOW, agent_id=AGENT), dict(flow_id=OTHER_FLOW, agent_id=AGENT, idempotency_key="  ")]))
        assert failed
        assert result["msg"].startswith("runs[1]: idempotency_key must not be only white space")
        assert client.triggers == []

    def test_unexpected_exception_while_following_reports_the_run_ids(self, client, client_requests, monkeypatch, run_module):
        def choke(*args, **kwargs):
            raise ValueError("could not parse Elapsed '1.02:03:04.5.6'")

        monkeypatch.setattr(_module, "follow_and_report", choke)
        failed, result = run_module(dict(wait=True, runs=[dict(flow_id=FLOW, agent_id=AGENT), dict(flow_id=OTHER_FLOW, agent_id=AGENT)]))
        assert failed
        assert result["changed"] is True
        assert len([run_id for run_id in result["run_ids"] if run_id]) == 2
        assert "Elapsed" in result["msg"] and result["run_ids"][0] in result["msg"]

    def test_unexpected_exception_while_reporting_still_returns_the_run_id(self, client, client_requests, monkeypatch, run_module):
        def broken_finish(*_args):
            raise KeyError("outcome")

        monkeypatch.setattr(_module, "_report_started_runs", broken_finish)
        failed, result = run_module(single())
        assert failed
        assert result["changed"] is True
        assert result["run_id"] == "9c1b4ad5-0f0e-4b45-9d74-000000000001"
        assert result["run_ids"] == [result["run_id"]]
        assert "Unexpected KeyError" in result["msg"]

    def test_unwritable_junit_path_is_refused_before_any_trigger(self, client, client_requests, tmp_path, run_module):
        blocker = tmp_path / "a-file"
        blocker.write_text("not a directory", encoding="utf-8")
        failed, result = run_module(single(wait=True, junit_path=str(blocker / "reports" / "junit.xml")))
        assert failed
        assert result["msg"] == "junit_path %s cannot be written: %s is not a directory" % (blocker / "reports" / "junit.xml", blocker)
        assert client.triggers == []
        assert client_requests == []

    def test_junit_path_that_is_a_directory_is_refused(self, client, client_requests, tmp_path, run_module):
        failed, result = run_module(single(wait=True, junit_path=str(tmp_path)))
        assert failed
        assert "is a directory" in result["msg"]
        assert client.triggers == []

    def test_junit_write_failing_at_the_end_reports_every_run(self, client, client_requests, tmp_path, monkeypatch, run_module):
        def disk_full(results, path):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(_follow, "write_junit", disk_full)
        failed, result = run_module(dict(wait=True, junit_path=str(tmp_path / "junit.xml"),
                                         runs=[dict(flow_id=FLOW, agent_id=AGENT), dict(flow_id=OTHER_FLOW, agent_id=AGENT)]))
        assert failed
        assert result["changed"] is True
        assert "The JUnit report could not be written" in result["msg"] and "No space left" in result["msg"]
        assert len(result["run_ids"]) == 2 and all(result["run_ids"])
        assert [run["outcome"] for run in result["runs"]] == ["passed", "passed"]
        assert result["outcome"] == "passed"

    def test_negative_retention_is_refused(self, client, client_requests, run_module):
        failed, result = run_module(single(idempotency_key="k", ledger_retention_days=-1))
        assert failed
        assert result["msg"] == "ledger_retention_days must be 0 (keep forever) or more, got -1"
        assert client.triggers == []


class TestRepeatedItems:
    @pytest.mark.parametrize("max_concurrency", [1, 8])
    def test_identical_items_share_one_run(self, client, client_requests, tmp_path, max_concurrency, run_module):
        item = dict(flow_id=FLOW, agent_id=AGENT, variables=dict(BaseUrl="https://a"), idempotency_key="release-1")
        failed, result = run_module(dict(runs=[item, dict(item), dict(item)], wait=True, max_concurrency=max_concurrency,
                                         ledger_path=str(tmp_path / "ledger.json")))
        assert not failed, result["msg"] if failed else None
        assert len(client.triggers) == 1
        assert len(set(result["run_ids"])) == 1 and result["run_ids"][0]
        assert [run["outcome"] for run in result["runs"]] == ["passed"] * 3
        assert result["summary"]["total"] == 1

    def test_same_key_with_other_variables_is_refused_before_any_trigger(self, client, client_requests, tmp_path, run_module):
        failed, result = run_module(dict(idempotency_key="release-1", ledger_path=str(tmp_path / "ledger.json"), runs=[
            dict(flow_id=FLOW, agent_id=AGENT, variables=dict(BaseUrl="https://a")),
            dict(flow_id=FLOW, agent_id=AGENT, variables=dict(BaseUrl="https://b")),
        ]))
        assert failed
        assert result["msg"].startswith("runs[0] and runs[1]: same flow %s, agent %s and idempotency_key 'release-1' but different variables" % (FLOW, AGENT))
        assert client.triggers == []
        assert client_requests == []


class TestSecretVariables:
    def test_sent_but_never_returned(self, client, client_requests, tmp_path, run_module):
        ledger = tmp_path / "ledger.json"
        failed, result = run_module(single(variables=dict(User="qa"), secret_variables=dict(Password="hunter2-s3cret"),
                                           idempotency_key="release-1", ledger_path=str(ledger), wait=True,
                                           junit_path=str(tmp_path / "junit.xml")))
        assert not failed
        assert client.triggers[0][2] == {"User": "qa", "Password": "hunter2-s3cret"}
        assert result["variables"] == {"User": "qa", "Password": "********"}
        assert result["request"]["query"] == "User=qa&Password=********"
        assert "hunter2" not in repr(result)
        assert "hunter2" not in ledger.read_text(encoding="utf-8")
        assert "hunter2" not in (tmp_path / "junit.xml").read_text(encoding="utf-8")

    def test_item_secrets_merge_over_shared_ones(self, client, client_requests, run_module):
        failed, result = run_module(dict(secret_variables=dict(Token="shared", Password="p-secret-value"), variables=dict(Env="qa"), runs=[
            dict(flow_id=FLOW, agent_id=AGENT),
            dict(flow_id=OTHER_FLOW, agent_id=AGENT, variables=dict(Token="public-now"), secret_variables=dict(Env="secret-now")),
        ]))
        assert not failed
        sent = sorted(client.triggers)
        assert sent[0][2] == {"Env": "qa", "Token": "shared", "Password": "p-secret-value"}
        assert sent[1][2] == {"Token": "public-now", "Password": "p-secret-value", "Env": "secret-now"}
        assert result["runs"][1]["variables"] == {"Token": "public-now", "Password": "********", "Env": "********"}

    def test_a_name_in_both_is_refused(self, client, client_requests, run_module):
        failed, result = run_module(single(variables=dict(Password="a"), secret_variables=dict(password="b-secret-value")))
        assert failed
        assert result["msg"] == "flow_run: secret_variables 'password' also in variables (names are case-insensitive); pass each variable once"
        assert "b-secret-value" not in result["msg"]
        assert client.triggers == []
