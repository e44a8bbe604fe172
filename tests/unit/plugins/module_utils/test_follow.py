# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for _follow: from run ids to a module result, on fake time against the fake controller."""

import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkHTTPError
from ansible_collections.leapops.leapwork.plugins.module_utils._follow import follow_and_report
from ansible_collections.leapops.leapwork.plugins.module_utils._results import RunResult, verdict
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import (
    FakeClock,
    FakeController,
    Fault,
    simple_run,
)

NEVER = 10 ** 9
OUTPUT_KEYS = {"runs", "outcome", "summary", "failures"}


@pytest.fixture
def clock():
    return FakeClock()


def make_params(**overrides):
    params = {
        "wait": True,
        "wait_timeout": 600,
        "poll_interval": 5.0,
        "stop_on_timeout": True,
        "fail_on_failure": True,
        "done_status_as": "passed",
        "junit_path": None,
    }
    params.update(overrides)
    return params


def report_of(controller, run_ids, stop_allowed=True, **overrides):
    return follow_and_report(controller, run_ids, stop_allowed=stop_allowed, clock=controller.clock,
                             sleep=controller.clock.sleep, **make_params(**overrides))


def make(clock, *runs, **options):
    return FakeController(clock, runs, **options)


class TestWithoutWait:
    def test_run_still_going_is_running(self, clock):
        controller = make(clock, simple_run("r", duration=100))
        report = report_of(controller, ["r"], wait=False)
        [result] = report.results
        assert result.outcome == "running"
        assert result.timed_out is False
        assert result.status == "Executing"
        assert "still going" in result.message
        assert "Executing" in result.message
        [run] = report.output["runs"]
        assert run["outcome"] == "running"
        assert run["timed_out"] is False
        assert run["message"] == result.message
        assert report.output["outcome"] == "running"
        assert report.output["failures"] == []
        assert report.failed is False
        assert report.message == ""
        assert report.stopped is False

    def test_queued_run_is_queued(self, clock):
        controller = make(clock, simple_run("r", queued=100))
        report = report_of(controller, ["r"], wait=False)
        [run] = report.output["runs"]
        assert run["outcome"] == "queued"
        assert run["status"] == "Queued"
        assert run["timed_out"] is False
        assert "still going (status: Queued)" in run["message"]
        # Still going, no verdict: the overall outcome is the run's own (the worst of one), as the
        # run_report filter says from the module's runs.
        assert report.output["outcome"] == "queued"
        assert verdict(RunResult.from_dict(run) for run in report.output["runs"]).outcome == "queued"
        assert report.failed is False

    def test_read_once_without_sleeping_and_never_stopped(self, clock):
        controller = make(clock, simple_run("r", duration=100))
        report = report_of(controller, ["r"], wait=False, stop_on_timeout=True)
        assert clock.sleeps == []
        assert controller.calls["run_status"] == 1
        assert controller.calls["stop_run"] == 0
        assert report.stopped is False

    def test_finished_run_is_judged(self, clock):
        controller = make(clock, simple_run("r", outcome="Failed", duration=5))
        clock.advance(10)
        report = report_of(controller, ["r"], wait=False)
        [run] = report.output["runs"]
        assert run["outcome"] == "failed"
        assert run["status"] == "Finished"
        assert run["timed_out"] is False
        assert report.output["outcome"] == "failed"
        assert report.output["summary"] == {"total": 1, "passed": 0, "failed": 1, "errors": 0, "cancelled": 0, "flaky": 0}
        assert len(report.output["failures"]) == 1
        assert report.output["failures"][0].startswith("Login on Agent 1: Failed - ")
        # Reported, but never a reason to fail without wait.
        assert report.failed is False
        assert report.message == ""

    def test_finished_passed_run(self, clock):
        controller = make(clock, simple_run("r", duration=5))
        clock.advance(10)
        report = report_of(controller, ["r"], wait=False)
        assert report.output["outcome"] == "passed"
        assert report.output["runs"][0]["outcome"] == "passed"
        assert report.failed is False

    def test_any_run_still_going_makes_the_outcome_running(self, clock):
        controller = make(clock, simple_run("done", outcome="Failed", duration=5), simple_run("slow", duration=100),
                          simple_run("queued", queued=100))
        clock.advance(10)
        report = report_of(controller, ["done", "slow", "queued"], wait=False)
        assert [run["outcome"] for run in report.output["runs"]] == ["failed", "running", "queued"]
        assert report.output["outcome"] == "running"
        # Summaries are added up; the flows still going count in total only.
        assert report.output["summary"] == {"total": 2, "passed": 0, "failed": 1, "errors": 0, "cancelled": 0, "flaky": 0}
        # Only the finished run that did not pass is a failure line; runs still going are not.
        assert len(report.output["failures"]) == 1
        assert "Login on Agent 1: Failed" in report.output["failures"][0]
        assert report.failed is False

    def test_no_junit_without_wait(self, clock, tmp_path):
        path = tmp_path / "report.xml"
        controller = make(clock, simple_run("r", outcome="Failed", duration=5))
        clock.advance(10)
        report = report_of(controller, ["r"], wait=False, junit_path=str(path))
        assert not path.exists()
        assert "junit_path" not in report.output
        assert set(report.output) == OUTPUT_KEYS

    def test_unknown_run_is_an_error_at_once(self, clock):
        # No grace period for a single read: a run unknown now is reported as unknown.
        controller = make(clock)
        report = report_of(controller, ["ghost"], wait=False)
        [run] = report.output["runs"]
        assert run["outcome"] == "error"
        assert run["timed_out"] is False
        assert "not known to the controller (404)" in run["message"]
        assert "still going" not in run["message"]
        assert report.output["outcome"] == "error"
        assert any("ghost" in line and "404" in line for line in report.output["failures"])
        assert controller.calls["run_status"] == 1
        assert clock.sleeps == []
        # Not a verdict: the run could not be read, so the task fails, fail_on_failure or not.
        assert report.failed is True
        assert report.message.startswith("Leapwork: could not read run(s) ghost:")

    def test_unknown_run_among_others(self, clock):
        controller = make(clock, simple_run("r", duration=100))
        report = report_of(controller, ["r", "ghost"], wait=False)
        assert [run["outcome"] for run in report.output["runs"]] == ["running", "error"]
        assert report.output["outcome"] == "running"

    def test_unreadable_run_is_not_reported_as_still_going(self, clock):
        # BUG (reported): a run whose single read fails (a 500 here) has no known status, yet
        # _as_snapshot turns its "error" result (the controller answered only with errors) into
        # "running" with "still going (status: unknown)", dropping the error. It should stay "error".
        controller = make(clock, simple_run("r", duration=100, faults=[Fault(0, NEVER, 500)]))
        report = report_of(controller, ["r"], wait=False)
        [run] = report.output["runs"]
        assert run["status"] is None
        assert run["outcome"] == "error"
        assert "still going" not in run["message"]
        assert report.output["outcome"] == "error"
        assert report.failed is True

    @pytest.mark.parametrize("fail_on_failure", [True, False])
    def test_a_run_that_could_not_be_read_fails_with_its_id(self, clock, fail_on_failure):
        # Issue 8 item 3: against a controller that refuses connections, run_info without wait
        # returned failed: false with outcome error.
        controller = make(clock, simple_run("r", duration=100, faults=[Fault(0, NEVER, None)]),
                          simple_run("fine", duration=100))
        report = report_of(controller, ["r", "fine"], wait=False, fail_on_failure=fail_on_failure)
        assert report.failed is True
        assert report.message.startswith("Leapwork: could not read run(s) r:")
        assert "run r: the controller answered only with errors (1 failed poll; last: " in report.message
        assert "no answer from the controller" in report.message
        assert [run["outcome"] for run in report.output["runs"]] == ["error", "running"]

    def test_a_failing_verdict_without_wait_does_not_fail(self, clock):
        # A failed flow read without wait is a verdict, which only fail_on_failure with wait judges.
        controller = make(clock, simple_run("r", outcome="Failed", duration=1))
        clock.advance(10)
        report = report_of(controller, ["r"], wait=False)
        assert report.output["outcome"] == "failed"
        assert report.failed is False

    def test_errors_that_end_everything_are_raised(self, clock):
        controller = make(clock, simple_run("r", faults=[Fault(0, NEVER, 401)]))
        with pytest.raises(LeapworkHTTPError) as info:
            report_of(controller, ["r"], wait=False)
        assert info.value.status == 401

    def test_no_run_ids(self, clock):
        report = report_of(make(clock), [], wait=False)
        # No run at all is "none", as the run_report filter says for an empty list (nothing failed).
        assert report.output == {"runs": [], "outcome": "none",
                                 "summary": {"total": 0, "passed": 0, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 0},
                                 "failures": []}
        assert report.failed is False


class TestWithWait:
    def test_passed(self, clock):
        controller = make(clock, simple_run("r", duration=5))
        report = report_of(controller, ["r"])
        assert report.output["outcome"] == "passed"
        assert report.output["summary"] == {"total": 1, "passed": 1, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 0}
        assert report.output["failures"] == []
        assert report.failed is False
        assert report.message == ""
        assert report.stopped is False
        # The module edge reports each run from its result object: the output says the same.
        assert report.output["runs"] == [result.to_dict() for result in report.results]
        assert [result.run_id for result in report.results] == ["r"]
        assert report.output["runs"][0]["run_id"] == "r"
        assert clock.now - controller.origin >= 5

    def test_output_keys(self, clock):
        report = report_of(make(clock, simple_run("r")), ["r"])
        assert set(report.output) == OUTPUT_KEYS

    def test_failed_fails_with_one_line_per_flow_that_did_not_pass(self, clock):
        controller = make(clock, simple_run("good", duration=5),
                          simple_run("bad", outcome=["Failed", "Passed", "Error"], flows=("Checkout", "Search", "Report"), duration=8))
        report = report_of(controller, ["good", "bad"])
        assert report.failed is True
        assert report.output["outcome"] == "error"
        assert report.message.startswith("Leapwork: error (4 flow(s): 2 passed, 1 failed, 1 error(s), 0 cancelled):\n")
        lines = report.message.split("\n")[1:]
        assert lines == report.output["failures"]
        assert len(lines) == 2
        assert lines[0].startswith("Checkout on Agent 1: Failed - ")
        assert "Checkout went wrong" in lines[0]
        assert lines[1].startswith("Report on Agent 1: Error - ")

    def test_failed_message(self, clock):
        report = report_of(make(clock, simple_run("r", outcome="Failed")), ["r"])
        assert report.failed is True
        assert report.output["outcome"] == "failed"
        assert report.message.startswith("Leapwork: failed")
        assert report.message.count("\n") == 1
        assert "Login on Agent 1: Failed - Check: Login went wrong" in report.message

    def test_fail_on_failure_false_does_not_fail(self, clock):
        report = report_of(make(clock, simple_run("r", outcome="Failed")), ["r"], fail_on_failure=False)
        assert report.failed is False
        assert report.message == ""
        assert report.output["outcome"] == "failed"
        assert len(report.output["failures"]) == 1

    @pytest.mark.parametrize("done_status_as, failed", [("passed", False), ("failed", True)])
    def test_done_status_as(self, clock, done_status_as, failed):
        report = report_of(make(clock, simple_run("r", outcome="Done")), ["r"], done_status_as=done_status_as)
        assert report.output["outcome"] == done_status_as
        assert report.failed is failed

    def test_junit_written_and_returned(self, clock, tmp_path):
        path = tmp_path / "reports" / "smoke.xml"
        controller = make(clock, simple_run("good", duration=5),
                          simple_run("bad", outcome=["Failed", "Passed", "Cancelled"], flows=("Checkout", "Search", "Report")))
        report = report_of(controller, ["good", "bad"], junit_path=str(path))
        assert report.output["junit_path"] == str(path)
        assert set(report.output) == OUTPUT_KEYS | {"junit_path"}
        root = ET.parse(str(path)).getroot()
        assert root.tag == "testsuites"
        assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("4", "1", "0", "1")
        suites = root.findall("testsuite")
        assert len(suites) == 2
        assert [suite.get("tests") for suite in suites] == ["1", "3"]
        assert len(root.findall(".//testcase")) == 4
        assert len(root.findall(".//failure")) == 1
        assert len(root.findall(".//skipped")) == 1
        # The report is written even when the task then fails.
        assert report.failed is True

    def test_junit_path_is_absolute(self, clock, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        report = report_of(make(clock, simple_run("r")), ["r"], junit_path="out/report.xml")
        assert report.output["junit_path"] == str(tmp_path / "out" / "report.xml")
        assert (tmp_path / "out" / "report.xml").exists()

    def test_timeout_stops_the_runs(self, clock, tmp_path):
        path = tmp_path / "report.xml"
        controller = make(clock, simple_run("done", duration=5), simple_run("slow", duration=1000))
        report = report_of(controller, ["done", "slow"], wait_timeout=60, junit_path=str(path))
        assert [entry[1] for entry in controller.log if entry[0] == "stop_run"] == ["slow"]
        assert report.stopped is True
        assert [run["outcome"] for run in report.output["runs"]] == ["passed", "timed_out"]
        assert report.output["runs"][1]["timed_out"] is True
        assert "asked the controller to stop it" in report.output["runs"][1]["message"]
        assert report.output["outcome"] == "timed_out"
        assert report.failed is True
        assert report.message.startswith("Leapwork: timed out (")
        assert any(line.startswith("run slow timed out after 60 s") for line in report.output["failures"])
        # The timed-out run is an <error> test case in the JUnit report.
        root = ET.parse(str(path)).getroot()
        assert root.get("errors") == "2"  # the run itself and its flow still running
        assert 60 <= clock.now - controller.origin < 70

    def test_timeout_without_stop_allowed_does_not_stop(self, clock):
        # Check mode: nothing may be changed, not even a stop.
        controller = make(clock, simple_run("slow", duration=1000))
        report = report_of(controller, ["slow"], stop_allowed=False, wait_timeout=60)
        assert controller.calls["stop_run"] == 0
        assert report.stopped is False
        assert report.output["outcome"] == "timed_out"
        assert report.output["runs"][0]["timed_out"] is True
        assert report.failed is True

    def test_timeout_without_stop_on_timeout_does_not_stop(self, clock):
        controller = make(clock, simple_run("slow", duration=1000))
        report = report_of(controller, ["slow"], stop_on_timeout=False, wait_timeout=60)
        assert controller.calls["stop_run"] == 0
        assert report.stopped is False
        assert report.output["outcome"] == "timed_out"

    def test_nothing_to_stop_is_not_stopped(self, clock):
        controller = make(clock, simple_run("r", duration=5))
        report = report_of(controller, ["r"], wait_timeout=60)
        assert controller.calls["stop_run"] == 0
        assert report.stopped is False

    def test_unknown_run_gets_the_grace_period(self, clock):
        # With wait, a run not registered yet is waited for before it is reported unknown.
        controller = make(clock)
        report = report_of(controller, ["ghost"])
        [run] = report.output["runs"]
        assert run["outcome"] == "error"
        assert "not known to the controller (404)" in run["message"]
        assert clock.now - controller.origin >= 30
        assert controller.calls["run_status"] > 1
        assert report.failed is True
        assert report.message.startswith("Leapwork: could not read run(s) ghost; error")

    def test_run_unreadable_until_the_deadline_fails_without_fail_on_failure(self, clock, tmp_path):
        fault = Fault(3, NEVER, status=502)
        controller = make(clock, simple_run("r", duration=100, faults=[fault]), simple_run("ok", duration=5))
        junit = tmp_path / "junit.xml"
        report = report_of(controller, ["r", "ok"], wait_timeout=30, fail_on_failure=False, junit_path=str(junit))
        assert report.failed is True
        assert report.message.startswith("Leapwork: could not read run(s) r:")
        assert [run["outcome"] for run in report.output["runs"]] == ["error", "passed"]
        assert re.search(r"only with errors from [34](\.\d)? seconds into the wait", report.output["runs"][0]["message"])
        assert len(ET.parse(str(junit)).getroot().findall("testsuite")) == 2

    def test_run_registered_late_is_followed(self, clock):
        controller = make(clock, simple_run("late", duration=5, registered_at=10))
        report = report_of(controller, ["late"])
        assert report.output["outcome"] == "passed"
        assert report.failed is False


def test_suite_names_name_the_runs_in_the_junit_report(clock, tmp_path):
    controller = make(clock, simple_run("r1", duration=5), simple_run("r2", duration=5))
    path = tmp_path / "junit.xml"
    report = report_of(controller, ["r1", "r2"], junit_path=str(path), suite_names={"r1": "Smoke suite"})
    assert report.output["junit_path"] == str(path)
    suites = ET.parse(str(path)).getroot().findall("testsuite")
    assert [suite.get("name") for suite in suites][0] == "Smoke suite"
    assert "Smoke suite" not in suites[1].get("name")
    assert "name" not in report.output["runs"][0]


class FakeInterrupt(object):
    """An ``_interrupt.Interrupt`` on fake time: interrupted (``reason``) once the clock reaches ``at``."""

    def __init__(self, clock, at, reason="SIGINT"):
        self.clock, self.at, self.reason_given = clock, at, reason
        self.reason = None

    def check(self):
        if self.reason is None and self.clock.now >= self.at:
            self.reason = self.reason_given
        return self.reason

    def sleep(self, seconds):
        # Like Interrupt.sleep: cut short at the moment of the interrupt.
        self.clock.sleep(max(0.0, min(seconds, self.at - self.clock.now)) if self.clock.now < self.at else 0)


class TestInterrupted:
    """Issue 19 item 5: SIGINT or SIGTERM ends the wait at once; the runs are stopped when asked, and named."""

    def test_an_interrupt_ends_the_wait_at_once_and_stops_the_runs(self, clock):
        controller = make(clock, simple_run("done", duration=5), simple_run("slow", duration=1000))
        interrupt = FakeInterrupt(clock, controller.origin + 30)
        report = follow_and_report(controller, ["done", "slow"], clock=clock, sleep=clock.sleep, interrupt=interrupt,
                                   **make_params(wait_timeout=3600))
        assert clock.now - controller.origin < 31  # not the hour of wait_timeout
        assert [entry[1] for entry in controller.log if entry[0] == "stop_run"] == ["slow"]
        assert report.failed and report.stopped
        assert report.message.startswith(
            "The task was interrupted (SIGINT) while waiting for run(s) done, slow: the controller was asked to stop slow "
            "(stop_on_timeout).")
        slow = report.output["runs"][1]
        assert slow["timed_out"] is True
        assert slow["message"].startswith("run slow was still going when the task was interrupted (SIGINT) after 30 s")
        assert slow["message"].endswith("; asked the controller to stop it")

    def test_without_stop_on_timeout_the_runs_are_left_going_and_said_to_be(self, clock):
        controller = make(clock, simple_run("slow", duration=1000))
        report = follow_and_report(controller, ["slow"], clock=clock, sleep=clock.sleep,
                                   interrupt=FakeInterrupt(clock, controller.origin + 10, "SIGTERM"),
                                   **make_params(wait_timeout=3600, stop_on_timeout=False))
        assert controller.calls["stop_run"] == 0
        assert report.failed and not report.stopped
        assert report.message.startswith("The task was interrupted (SIGTERM) while waiting for run(s) slow: slow left going "
                                         "(stop_on_timeout is false).")

    def test_an_interrupt_before_the_wait_reads_nothing_and_stops_every_run(self, clock):
        controller = make(clock, simple_run("a", duration=1000), simple_run("b", duration=1000))
        interrupt = FakeInterrupt(clock, controller.origin)
        report = follow_and_report(controller, ["a", "b"], clock=clock, sleep=clock.sleep, interrupt=interrupt,
                                   **make_params(wait_timeout=3600))
        assert controller.calls["run_status"] == 0
        assert sorted(entry[1] for entry in controller.log if entry[0] == "stop_run") == ["a", "b"]
        assert report.failed

    def test_runs_that_ended_before_the_interrupt_are_reported_as_they_ended(self, clock):
        controller = make(clock, simple_run("done", duration=5))
        interrupt = FakeInterrupt(clock, controller.origin + 3600 * 2)
        report = follow_and_report(controller, ["done"], clock=clock, sleep=clock.sleep, interrupt=interrupt,
                                   **make_params(wait_timeout=3600))
        assert not report.failed and report.output["runs"][0]["outcome"] == "passed"
