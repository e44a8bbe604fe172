# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the run_info module: main() run in-process with a fake controller (no network).

Every run here is already over or read once, so no test sleeps; the waiting itself is tested in
``module_utils/test_waiter.py`` and ``test_follow.py``.
"""

import pytest

from ansible_collections.leapops.leapwork.plugins.modules import run_info
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import (
    FakeClock,
    FakeController,
    FakeItem,
    FakeRun,
)

PASSED_RUN = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a"
FAILED_RUN = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9b"
GOING_RUN = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9c"
UNKNOWN_RUN = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9d"


def finished(run_id, outcome):
    return FakeRun(run_id, statuses=[(0, "Finished")],
                   items=[FakeItem(run_id + "-item", flow_title="Login", statuses=[(0, outcome)])])


@pytest.fixture
def module_under_test():
    return run_info


@pytest.fixture
def controller():
    return FakeController(FakeClock(), runs=[
        finished(PASSED_RUN, "Passed"),
        finished(FAILED_RUN, "Failed"),
        FakeRun(GOING_RUN, statuses=[(0, "Executing")],
                items=[FakeItem(GOING_RUN + "-item", statuses=[(0, "Running")])]),
    ])


@pytest.fixture
def client(controller):
    return controller


class TestArguments:
    # The run id options are tested for run_info and run_stop together in test_run_ids.py.
    def test_a_negative_wait_timeout_is_refused_before_any_request(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=PASSED_RUN, wait=True, wait_timeout=-1))
        assert failed
        assert result["msg"] == "wait_timeout must be 0 or more seconds, got -1"
        assert client_requests == []
        assert controller.request_count == 0

    def test_a_poll_interval_too_small_is_refused_before_any_request(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=PASSED_RUN, poll_interval=0.0))
        assert failed
        assert result["msg"].startswith("poll_interval must be at least ")
        assert controller.request_count == 0

    def test_a_junit_path_that_is_a_directory_is_refused_before_any_request(self, controller, client_requests, tmp_path, run_module):
        failed, result = run_module(dict(run_id=PASSED_RUN, wait=True, junit_path=str(tmp_path)))
        assert failed
        assert result["msg"] == "junit_path %s is a directory; give the path of the report file" % tmp_path
        assert client_requests == []
        assert controller.request_count == 0

    def test_a_secret_variable_that_cannot_be_sent_is_refused_before_any_request(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=PASSED_RUN, secret_variables=dict(token=dict(nested=1))))
        assert failed
        assert result["msg"].startswith("secret_variables: ")
        assert client_requests == []
        assert controller.request_count == 0


class TestRead:
    def test_a_passed_run_is_reported_and_not_changed(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=PASSED_RUN))
        assert not failed
        assert result["changed"] is False
        assert result["outcome"] == "passed"
        assert [run["run_id"] for run in result["runs"]] == [PASSED_RUN]
        assert result["failures"] == []

    def test_a_failed_run_read_without_wait_does_not_fail_the_task(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=FAILED_RUN))
        assert not failed
        assert result["outcome"] == "failed"
        assert result["failures"]

    def test_a_failed_run_fails_the_task_with_wait(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=FAILED_RUN, wait=True))
        assert failed
        assert result["msg"].startswith("Leapwork: failed (")
        assert result["outcome"] == "failed"
        assert result["changed"] is False

    def test_fail_on_failure_false_reports_a_failed_run_without_failing(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=FAILED_RUN, wait=True, fail_on_failure=False))
        assert not failed
        assert result["outcome"] == "failed"

    def test_a_going_run_read_once_is_running(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_ids=[PASSED_RUN, GOING_RUN]))
        assert not failed
        assert result["outcome"] == "running"
        assert [run["run_id"] for run in result["runs"]] == [PASSED_RUN, GOING_RUN]
        assert controller.calls_for("stop_run") == 0

    def test_an_unknown_run_fails_the_task_with_its_run_id_even_without_wait(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_ids=[PASSED_RUN, UNKNOWN_RUN], fail_on_failure=False))
        assert failed
        assert UNKNOWN_RUN in result["msg"]
        assert [run["run_id"] for run in result["runs"]] == [PASSED_RUN, UNKNOWN_RUN]

    def test_a_junit_report_is_written_when_waiting(self, controller, client_requests, tmp_path, run_module):
        path = str(tmp_path / "junit.xml")
        failed, result = run_module(dict(run_id=PASSED_RUN, wait=True, junit_path=path))
        assert not failed
        assert result["junit_path"] == path
        assert "Login" in (tmp_path / "junit.xml").read_text()

    def test_check_mode_reads_as_usual(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=PASSED_RUN, wait=True), check_mode=True)
        assert not failed
        assert result["changed"] is False
        assert result["outcome"] == "passed"


class TestRuns:
    """``runs``: flow_run's ``runs`` as they are, with the agent each run was started on."""

    @staticmethod
    def started(run_id, agent_id, **others):
        # An entry of flow_run's runs: more keys than run_info reads.
        entry = dict(run_id=run_id, agent_id=agent_id, flow_id="5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11", changed=True,
                     reused=False, variables={}, request=None)
        entry.update(others)
        return entry

    def test_runs_on_one_agent_are_read_one_after_another(self, controller, client_requests, run_module, agents_given_to_the_waiter):
        # The three runs were started on one agent: each is read once the one ahead of it has ended.
        agent = "0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01"
        third = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9e"
        controller.add_run(finished(third, "Passed"))
        failed, result = run_module(dict(runs=[self.started(PASSED_RUN, agent), self.started(FAILED_RUN, agent.upper()),
                                               self.started(third, agent)], wait=True, fail_on_failure=False))
        assert not failed
        assert agents_given_to_the_waiter == [{PASSED_RUN: agent, FAILED_RUN: agent.upper(), third: agent}]
        assert [run["run_id"] for run in result["runs"]] == [PASSED_RUN, FAILED_RUN, third]
        assert [(method, identifier) for method, identifier, _moment in controller.log if method != "keyframes"] == [
            ("run_status", PASSED_RUN), ("run_item_ids", PASSED_RUN), ("run_item", PASSED_RUN + "-item"),
            ("run_status", FAILED_RUN), ("run_item_ids", FAILED_RUN), ("run_item", FAILED_RUN + "-item"),
            ("run_status", third), ("run_item_ids", third), ("run_item", third + "-item")]

    def test_with_run_ids_each_run_once_in_order(self, controller, client_requests, run_module):
        # run_ids first, then the runs not among them (compared without case); an item that started nothing is skipped.
        failed, result = run_module(dict(run_ids=[FAILED_RUN], runs=[
            self.started(PASSED_RUN, None), self.started(FAILED_RUN.upper(), "0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01"),
            self.started(None, "0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01", error="HTTP 500")], fail_on_failure=False))
        assert not failed
        assert [run["run_id"] for run in result["runs"]] == [FAILED_RUN, PASSED_RUN]
        assert controller.calls_for("run_status") == 2

    @pytest.mark.parametrize("entry, message", [
        (dict(run_id="not-a-guid"), "runs[1].run_id must be a GUID such as 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11, got 'not-a-guid'"),
        (dict(run_id=FAILED_RUN, agent_id="Windows agent 1"),
         "runs[1].agent_id must be a GUID such as 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11, got 'Windows agent 1'"),
        # ansible-core's own words: "of type str" (2.21), "of type <class 'str'>" (2.16).
        ("8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9b", "Elements value for option 'runs' is of type "),
    ])
    def test_a_bad_entry_is_refused_before_any_request(self, controller, client_requests, run_module, entry, message):
        failed, result = run_module(dict(runs=[dict(run_id=PASSED_RUN), entry], wait=True))
        assert failed
        assert result["msg"].startswith(message)
        assert client_requests == []
        assert controller.request_count == 0

    def test_run_id_and_runs_are_mutually_exclusive(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=PASSED_RUN, runs=[dict(run_id=FAILED_RUN)]))
        assert failed
        assert "mutually exclusive" in result["msg"]
        assert controller.request_count == 0
