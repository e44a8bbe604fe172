# -*- coding: utf-8 -*-
# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the JUnit XML report, read back with junitparser as a CI server would."""

import os
import stat
import xml.etree.ElementTree as ET

import pytest
from junitparser import Error, Failure, Skipped
from junitparser.xunit2 import JUnitXml

from ansible_collections.leapops.leapwork.plugins.module_utils import _junit
from ansible_collections.leapops.leapwork.plugins.module_utils._junit import junit_path_problem, write_junit
from ansible_collections.leapops.leapwork.plugins.module_utils._results import Attempt, ItemResult, RunResult, verdict
from ansible_collections.leapops.leapwork.plugins.module_utils._waiter import follow_runs
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import (
    FakeClock,
    FakeController,
    simple_run,
)

KEYFRAMES = (
    {"Timestamp": {"Value": "2026-01-01T10:00:00+00:00"}, "Level": "Trace", "LogMessage": "noise"},
    {"Timestamp": {"Value": "2026-01-01T10:00:01+00:00"}, "Level": "Info", "LogMessage": "Opened page", "BlockTitle": "Open"},
    {"Timestamp": {"Value": "2026-01-01T10:00:02+00:00"}, "Level": "Error", "LogMessage": "Expected '42.00'\nsecond line",
     "BlockTitle": "Check total"},
)


def item(status, flow="Login", agent="Agent 1", number=0, keyframes=KEYFRAMES, elapsed=2.5):
    return ItemResult("item-%s-%d" % (agent, number), flow_id="flow-%s" % flow, flow_title=flow, agent_id="agent-%s" % agent,
                      agent_title=agent, status=status, elapsed_seconds=elapsed, keyframes=keyframes)


def read(path):
    return JUnitXml.fromfile(str(path))


def cases(suite):
    return list(suite)


def properties_of(case):
    return dict((prop.name, prop.value) for prop in case.properties())


class TestCounts:
    def test_counts_match_the_run(self, tmp_path):
        run = RunResult("run-1", "Finished", [
            item("Passed", "Home", number=1),
            item("Failed", "Checkout", number=2),
            item("Error", "Search", number=3),
            item("Inconclusive", "Profile", number=4),
            item("Timeout", "Upload", number=5),
            item("Xyz", "Export", number=6),
            item("Cancelled", "Logout", number=7),
        ], elapsed_seconds=42.5)
        path = write_junit([run], str(tmp_path / "report.xml"))
        assert path == str(tmp_path / "report.xml")
        report = read(path)
        [suite] = list(report)
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (7, 1, 4, 1)
        assert suite.time == pytest.approx(42.5)
        assert (report.tests, report.failures, report.errors) == (7, 1, 4)
        root = ET.parse(path).getroot()
        assert root.tag == "testsuites"
        assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("7", "1", "4", "1")
        summary = run.summary
        assert suite.tests == summary["total"]
        assert suite.failures == summary["failed"]
        assert suite.errors == summary["errors"]
        assert suite.skipped == summary["cancelled"]
        results = dict((case.name, case.result) for case in cases(suite))
        assert results["Home"] == []
        assert isinstance(results["Checkout"][0], Failure) and results["Checkout"][0].type == "Failed"
        for name, status in (("Search", "Error"), ("Profile", "Inconclusive"), ("Upload", "Timeout"), ("Export", "Xyz")):
            assert isinstance(results[name][0], Error)
            assert results[name][0].type == status
        assert "unknown status 'Xyz'" in results["Export"][0].message
        assert isinstance(results["Logout"][0], Skipped)
        assert results["Logout"][0].message == "Cancelled"

    def test_done_as_failed_is_a_failure(self, tmp_path):
        done = ItemResult("i", flow_title="Login", agent_title="A", status="Done", keyframes=KEYFRAMES, done_status_as="failed")
        [suite] = list(read(write_junit([RunResult("r", "Finished", [done])], str(tmp_path / "r.xml"))))
        assert (suite.tests, suite.failures, suite.errors) == (1, 1, 0)
        assert cases(suite)[0].result[0].type == "Done"

    def test_one_suite_per_run(self, tmp_path):
        runs = [RunResult("run-a", "Finished", [item("Passed", "Login")]),
                RunResult("run-b", "Finished", [item("Failed", "Checkout"), item("Passed", "Home", number=1)])]
        report = read(write_junit(runs, str(tmp_path / "r.xml")))
        suites = list(report)
        assert [suite.name for suite in suites] == ["Login", "leapwork run run-b"]
        assert [dict((prop.name, prop.value) for prop in suite.properties())["run_id"] for suite in suites] == ["run-a", "run-b"]
        assert report.tests == verdict(runs).summary["total"]

    def test_suite_name_from_run_name_and_duplicates(self, tmp_path):
        runs = [RunResult("run-a", "Finished", [item("Passed")], name="Nightly"),
                RunResult("run-b", "Finished", [item("Passed")], name="Nightly")]
        report = read(write_junit(runs, str(tmp_path / "r.xml"), suite_name="ci"))
        assert [suite.name for suite in report] == ["Nightly (run run-a)", "Nightly (run run-b)"]
        assert ET.parse(str(tmp_path / "r.xml")).getroot().get("name") == "ci"


class TestNames:
    def test_one_flow_on_several_agents(self, tmp_path):
        run = RunResult("r", "Finished", [item("Passed", "Login", "Agent 1"), item("Failed", "Login", "Agent 2"),
                                          item("Passed", "Home", "Agent 1")])
        [suite] = list(read(write_junit([run], str(tmp_path / "r.xml"))))
        names = [(case.classname, case.name) for case in cases(suite)]
        assert names == [("leapwork.Agent 1", "Login [Agent 1]"), ("leapwork.Agent 2", "Login [Agent 2]"),
                         ("leapwork.Agent 1", "Home")]

    def test_same_flow_twice(self, tmp_path):
        runs = [RunResult("r1", "Finished", [item("Passed", "Login", "Agent 1", number=1)]),
                RunResult("r2", "Finished", [item("Passed", "Login", "Agent 1", number=2)])]
        report = read(write_junit(runs, str(tmp_path / "r.xml")))
        names = [case.name for suite in report for case in cases(suite)]
        assert names == ["Login", "Login #2"]

    def test_properties(self, tmp_path):
        run = RunResult("run-9", "Finished", [item("Failed", "Login", "Agent 1")])
        [suite] = list(read(write_junit([run], str(tmp_path / "r.xml"))))
        [case] = cases(suite)
        assert properties_of(case) == {"run_id": "run-9", "agent_id": "agent-Agent 1", "run_item_id": "item-Agent 1-0",
                                       "flow_id": "flow-Login", "status": "Failed"}
        assert case.time == pytest.approx(2.5)


class TestKeyframes:
    def test_in_body_and_system_out_not_attributes(self, tmp_path):
        run = RunResult("r", "Finished", [item("Failed")])
        path = write_junit([run], str(tmp_path / "r.xml"))
        [suite] = list(read(path))
        [case] = cases(suite)
        failure = case.result[0]
        assert "Opened page" in failure.text
        assert "Check total: Expected '42.00'\nsecond line" in failure.text
        assert "2026-01-01T10:00:01+00:00 [Info]" in failure.text
        assert "noise" not in failure.text
        assert "Opened page" in case.system_out
        # Attributes carry one short line only.
        assert "\n" not in failure.message
        assert "Opened page" not in failure.message
        assert failure.message == "Failed: Check total: Expected '42.00' second line"
        for element in ET.parse(path).getroot().iter():
            for value in element.attrib.values():
                assert "\n" not in value and "Opened page" not in value
                assert len(value) <= 1000

    def test_long_message_attribute_is_short(self, tmp_path):
        long_keyframes = [{"Level": "Error", "LogMessage": "x" * 480}]
        [suite] = list(read(write_junit([RunResult("r", "Finished", [item("Error", keyframes=long_keyframes)])],
                                        str(tmp_path / "r.xml"))))
        message = cases(suite)[0].result[0].message
        assert len(message) <= 200
        assert message.endswith("...")

    def test_passed_items_have_no_output(self, tmp_path):
        [suite] = list(read(write_junit([RunResult("r", "Finished", [item("Passed")])], str(tmp_path / "r.xml"))))
        [case] = cases(suite)
        assert case.is_passed
        assert case.system_out is None

    def test_escaping_and_non_ascii(self, tmp_path):
        nasty = '<b>"Prix" & co</b> — 42,00 € ✓ \x07bell'
        keyframes = [{"Level": "Error", "LogMessage": nasty, "BlockTitle": "Vérifier <total>"}]
        run = RunResult("r&1", "Finished", [item("Failed", flow='Caf\u00e9 "<login>" & more', agent="Agent ß",
                                                 keyframes=keyframes)])
        path = write_junit([run], str(tmp_path / "r.xml"))
        with open(path, "rb") as stream:
            raw = stream.read()
        assert raw.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
        assert "€".encode("utf-8") in raw
        assert b"\x07" not in raw
        ET.fromstring(raw)
        [suite] = list(read(path))
        [case] = cases(suite)
        assert case.name == 'Caf\u00e9 "<login>" & more'
        assert case.classname == "leapwork.Agent ß"
        failure = case.result[0]
        assert '<b>"Prix" & co</b> — 42,00 € ✓' in failure.message
        assert 'Vérifier <total>: <b>"Prix" & co</b>' in failure.text
        assert properties_of(case)["run_id"] == "r&1"


class TestRunProblems:
    def test_no_flow_ran(self, tmp_path):
        [suite] = list(read(write_junit([RunResult("run-0", "Finished", [])], str(tmp_path / "r.xml"))))
        assert (suite.tests, suite.errors) == (1, 1)
        [case] = cases(suite)
        assert case.name == "run run-0"
        assert case.result[0].type == "NoFlowRan"
        assert "no flow ran" in case.result[0].message

    def test_timed_out_without_items(self, tmp_path):
        run = RunResult("run-q", "Queued", [], timed_out=True, elapsed_seconds=60)
        [suite] = list(read(write_junit([run], str(tmp_path / "r.xml"))))
        assert (suite.tests, suite.errors) == (1, 1)
        error = cases(suite)[0].result[0]
        assert error.type == "TimedOut"
        assert "run-q" in error.message and "Queued" in error.message

    def test_timed_out_with_items(self, tmp_path):
        run = RunResult("run-t", "Executing", [item("Passed", "Home"), item("Running", "Report", keyframes=None)], timed_out=True)
        [suite] = list(read(write_junit([run], str(tmp_path / "r.xml"))))
        assert (suite.tests, suite.failures, suite.errors) == (3, 0, 2)
        results = dict((case.name, case.result) for case in cases(suite))
        assert results["Home"] == []
        assert results["Report"][0].type == "TimedOut"
        assert "still running" in results["Report"][0].message
        assert results["run run-t"][0].type == "TimedOut"

    def test_disappeared(self, tmp_path):
        run = RunResult("run-g", "Executing", [], error="run run-g is no longer known to the controller (404)")
        error = cases(list(read(write_junit([run], str(tmp_path / "r.xml"))))[0])[0].result[0]
        assert error.type == "Error"
        assert "no longer known" in error.message


class TestFile:
    def test_creates_parent_and_replaces_atomically(self, tmp_path):
        path = tmp_path / "deep" / "er" / "report.xml"
        write_junit([RunResult("r", "Finished", [item("Passed")])], str(path))
        assert path.exists()
        os.chmod(str(path), 0o640)
        write_junit([RunResult("r", "Finished", [item("Failed")])], str(path))
        assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o640
        assert sorted(os.listdir(str(path.parent))) == ["report.xml"]
        assert read(str(path)).failures == 1

    @pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o027, 0o640), (0o077, 0o600)])
    def test_new_file_follows_the_umask(self, tmp_path, umask, mode):
        previous = os.umask(umask)
        try:
            path = write_junit([RunResult("r", "Finished", [item("Passed")])], str(tmp_path / "r.xml"))
        finally:
            os.umask(previous)
        assert stat.S_IMODE(os.stat(path).st_mode) == mode
        assert os.umask(previous) == previous  # the umask itself is left as it was


class TestSecrets:
    def test_the_report_writes_the_texts_it_is_given(self, tmp_path):
        # Masking is the client's, when it reads an answer (test_client.py::test_secret_values_are_masked_*):
        # the report neither masks again nor hides what it is given.
        run = RunResult("r", "Finished", [item("Failed", keyframes=[{"Level": "Error", "LogMessage": "Password = 'visible'"}])])
        with open(write_junit([run], str(tmp_path / "r.xml")), encoding="utf-8") as handle:
            assert "visible" in handle.read()


class TestPathProblem:
    def test_writable_paths(self, tmp_path):
        assert junit_path_problem(str(tmp_path / "r.xml")) is None
        assert junit_path_problem(str(tmp_path / "not" / "yet" / "r.xml")) is None
        (tmp_path / "old.xml").write_text("<x/>", encoding="utf-8")
        assert junit_path_problem(str(tmp_path / "old.xml")) is None
        assert sorted(os.listdir(str(tmp_path))) == ["old.xml"]  # the probe is gone, nothing created

    def test_parent_is_a_file(self, tmp_path):
        (tmp_path / "f").write_text("x", encoding="utf-8")
        assert junit_path_problem(str(tmp_path / "f" / "r.xml")) == \
            "junit_path %s cannot be written: %s is not a directory" % (tmp_path / "f" / "r.xml", tmp_path / "f")

    def test_path_is_a_directory(self, tmp_path):
        assert "is a directory" in junit_path_problem(str(tmp_path))

    def test_directory_without_permission(self, tmp_path, monkeypatch):
        def denied(*args, **kwargs):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(_junit.tempfile, "mkstemp", denied)
        problem = junit_path_problem(str(tmp_path / "r.xml"))
        assert problem == "junit_path %s cannot be written: cannot create a file in %s (Permission denied)" % (tmp_path / "r.xml", tmp_path)

    def test_failed_write_leaves_no_temporary_file(self, tmp_path, monkeypatch):
        def broken_replace(source, target):
            raise OSError("disk full")

        monkeypatch.setattr(os, "replace", broken_replace)
        with pytest.raises(OSError):
            write_junit([RunResult("r", "Finished", [item("Passed")])], str(tmp_path / "r.xml"))
        assert os.listdir(str(tmp_path)) == []

    def test_empty_report(self, tmp_path):
        report = read(write_junit([], str(tmp_path / "r.xml")))
        assert report.tests == 0


def test_report_of_followed_runs(tmp_path):
    clock = FakeClock()
    controller = FakeController(clock, [
        simple_run("a", outcome=["Passed", "Failed"], agents=("Agent 1", "Agent 2")),
        simple_run("b", outcome="Cancelled", flows=("Logout",)),
        simple_run("c", outcome=None),
        simple_run("d", duration=1000, flows=("Report",)),
    ])
    results = follow_runs(controller, ["a", "b", "c", "d"], wait_timeout=60, clock=clock, sleep=clock.sleep)
    report = read(write_junit(results, str(tmp_path / "report.xml")))
    suites = list(report)
    assert [(suite.tests, suite.failures, suite.errors, suite.skipped) for suite in suites] == [
        (2, 1, 0, 0), (1, 0, 0, 1), (1, 0, 1, 0), (2, 0, 2, 0)]
    assert [case.name for case in cases(suites[0])] == ["Login [Agent 1]", "Login [Agent 2]"]


class TestAttempts:
    """A flow run more than once (retries): one test case, its earlier attempts as Surefire writes re-runs."""

    @staticmethod
    def flow(statuses, tmp_path):
        runs = [RunResult("run-%d" % number, "Finished", [item(status, "Login", agent="Agent %d" % number)])
                for number, status in enumerate(statuses, 1)]
        runs[-1].add_attempts(Attempt.of(run) for run in runs[:-1])
        path = str(tmp_path / "report.xml")
        write_junit([runs[-1]], path)
        return runs[-1], path, ET.parse(path).getroot()

    def test_a_flaky_flow_passes_with_its_earlier_attempts_as_flaky_elements(self, tmp_path):
        run, path, root = self.flow(["Failed", "Error", "Passed"], tmp_path)
        assert run.outcome == "flaky"
        [case] = list(root.iter("testcase"))
        assert [child.tag for child in case if child.tag != "properties"][:2] == ["flakyFailure", "flakyError"]
        assert case.find("failure") is None and case.find("error") is None
        first = case.find("flakyFailure")
        assert first.get("type") == "Failed" and first.get("message").startswith("attempt 1 of 3 on Agent 1 (run run-1): Failed")
        assert "Expected '42.00'" in first.find("stackTrace").text
        assert [root.get(key) for key in ("tests", "failures", "errors", "skipped")] == ["1", "0", "0", "0"]
        # A JUnit reader that does not know these elements counts the test case as passed.
        [suite] = list(read(path))
        [parsed] = cases(suite)
        assert parsed.is_passed

    def test_a_flow_that_never_passed_has_its_failure_and_a_rerun_element_per_earlier_attempt(self, tmp_path):
        run, path, root = self.flow(["Error", "Failed", "Failed"], tmp_path)
        assert run.outcome == "failed"
        [case] = list(root.iter("testcase"))
        assert [child.tag for child in case if child.tag not in ("properties", "system-out")] == [
            "failure", "rerunError", "rerunFailure"]
        assert [root.get(key) for key in ("tests", "failures", "errors")] == ["1", "1", "0"]
        [suite] = list(read(path))
        [parsed] = cases(suite)
        assert isinstance(parsed.result[0], Failure)
