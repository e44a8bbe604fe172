# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the result model: classification, item and run results, summaries, failure lines."""

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils._results import (
    OUTCOMES,
    PRECEDENCE,
    SUMMARY_KEYS,
    ItemResult,
    RunResult,
    classify_status,
    elapsed_seconds_of,
    fold_attempts,
    is_over,
    junit_element,
    keyframes_of,
    outcome_is_over,
    outcome_is_passing,
    parse_timespan,
    verdict,
    worst,
)


def failure_lines(runs):
    return verdict(runs).failures


def report(runs):
    """What the run_report filter shows for a module's runs."""
    shown = verdict(RunResult.from_dict(run) for run in runs)
    return {"outcome": shown.outcome, "summary": shown.summary, "lines": shown.lines}


def run_item(status="Passed", flow_title="Login", agent_title="Agent 1", **extra):
    data = {
        "$id": "1",
        "RunItemId": "item-1",
        "RunId": "run-1",
        "AutomationRunId": "run-1",
        "FlowInfo": {"$id": "2", "FlowId": "flow-1", "FlowTitle": flow_title, "Status": status},
        "AgentInfo": {"$id": "3", "AgentId": "agent-1", "AgentTitle": agent_title, "EnvironmentTitle": "Env 1"},
        "Status": status,
        "Elapsed": "00:00:24.9951204",
        "ElapsedMilliseconds": 24995.1204,
        "ElapsedSeconds": 24.9951204,
    }
    data.update(extra)
    return data


def item(status, flow_title="Login", agent_title="Agent 1", keyframes=None, done_status_as="passed", run_item_id="item-1"):
    return ItemResult(run_item_id, flow_id="flow-" + flow_title, flow_title=flow_title, agent_id="agent-" + agent_title,
                      agent_title=agent_title, status=status, elapsed_seconds=1.5, keyframes=keyframes,
                      done_status_as=done_status_as)


ERROR_KEYFRAMES = [
    {"Timestamp": {"Value": "2026-01-01T10:00:00+00:00"}, "Level": "Info", "LogMessage": "Opened page", "BlockTitle": "Open"},
    {"Timestamp": {"Value": "2026-01-01T10:00:01+00:00"}, "Level": "Error", "LogMessage": "Expected '42.00'", "BlockTitle": "Check"},
    {"Timestamp": {"Value": "2026-01-01T10:00:02+00:00"}, "Level": "Info", "LogMessage": "Closing"},
]


class TestClassification:
    @pytest.mark.parametrize("status", ["NoStatus", "Initializing", "Connecting", "Connected", "Running", "IsProcessing"])
    def test_still_going(self, status):
        assert classify_status(status) == ("running", None)

    @pytest.mark.parametrize("status, outcome", [
        ("Passed", "passed"),
        ("Failed", "failed"),
        ("Error", "error"),
        ("Inconclusive", "error"),
        ("Timeout", "error"),
        ("Cancelled", "cancelled"),
    ])
    def test_terminal(self, status, outcome):
        assert classify_status(status) == (outcome, None)

    @pytest.mark.parametrize("status", ["passed", "PASSED", " Passed "])
    def test_case_insensitive(self, status):
        assert classify_status(status) == ("passed", None)
        assert classify_status("isprocessing") == ("running", None)
        assert classify_status("FAILED") == ("failed", None)

    @pytest.mark.parametrize("done_status_as", ["passed", "failed"])
    def test_done_both_ways(self, done_status_as):
        assert classify_status("Done", done_status_as) == (done_status_as, None)
        assert classify_status("done", done_status_as) == (done_status_as, None)

    def test_unknown_status_is_an_error_that_names_it(self):
        outcome, reason = classify_status("Xyz")
        assert outcome == "error"
        assert reason == "unknown status 'Xyz'"

    @pytest.mark.parametrize("status", [None, "", "  "])
    def test_missing_status_is_not_started(self, status):
        assert classify_status(status) == ("running", None)

    def test_bad_done_status_as(self):
        with pytest.raises(ValueError, match="done_status_as"):
            classify_status("Done", "maybe")


class TestPrecedence:
    """The one precedence: its order, and the two predicates read from the same table."""

    def test_the_order(self):
        assert PRECEDENCE == ("running", "queued", "started", "error", "timed_out", "failed", "cancelled", "flaky", "passed", "none")

    def test_worst(self):
        assert worst(["passed", "cancelled", "failed"]) == "failed"
        assert worst(["passed", "error", "failed"]) == "error"
        assert worst(["passed", "cancelled"]) == "cancelled"
        # An error says we do not know whether the flow works; a timeout only that the wait ended first.
        assert worst(["timed_out", "error"]) == "error"
        assert worst(["timed_out", "failed"]) == "timed_out"
        # Nothing is decided while a run is still going.
        assert worst(["error", "queued"]) == "queued"
        assert worst(["queued", "running"]) == "running"
        assert worst(["started", "passed"]) == "started"
        assert worst(["passed", "none"]) == "passed"
        assert worst([]) == "none"

    def test_unknown_outcome(self):
        with pytest.raises(ValueError, match="unknown outcome 'nonsense'"):
            worst(["nonsense"])
        with pytest.raises(ValueError, match="unknown outcome"):
            outcome_is_passing("great")

    def test_over_and_passing(self):
        assert [outcome.name for outcome in OUTCOMES if not outcome_is_over(outcome.name)] == ["running", "queued", "started"]
        assert [outcome.name for outcome in OUTCOMES if outcome_is_passing(outcome.name)] == ["flaky", "passed", "none"]

    def test_junit_elements(self):
        assert dict((outcome.name, junit_element(outcome.name)) for outcome in OUTCOMES if junit_element(outcome.name)) == {
            "running": "error", "error": "error", "failed": "failure", "cancelled": "skipped"}

    def test_every_count_is_a_summary_key(self):
        assert set(outcome.counted_in for outcome in OUTCOMES if outcome.counted_in) == set(SUMMARY_KEYS) - {"total"}

    def test_is_over(self):
        assert is_over("Finished", [item("Passed"), item("Failed")])
        assert is_over("Finished", [])
        assert not is_over("Finished", [item("Passed"), item("Running")])
        assert not is_over("Executing", [item("Passed")])
        assert not is_over("Queued", [])


class TestElapsed:
    @pytest.mark.parametrize("text, seconds", [
        ("00:00:24.9951204", 24.9951204),
        ("01:02:03", 3723.0),
        ("1.02:03:04.5", 93784.5),
        ("00:00:00", 0.0),
    ])
    def test_timespan(self, text, seconds):
        assert parse_timespan(text) == pytest.approx(seconds)

    @pytest.mark.parametrize("text", [None, "", "soon", "24.99", 12])
    def test_not_a_timespan(self, text):
        assert parse_timespan(text) is None

    def test_seconds_first(self):
        assert elapsed_seconds_of({"ElapsedSeconds": 3.25, "ElapsedMilliseconds": 9000, "Elapsed": "00:00:07"}) == 3.25

    def test_milliseconds_next(self):
        assert elapsed_seconds_of({"ElapsedMilliseconds": 2500, "Elapsed": "00:00:07"}) == 2.5

    def test_timespan_last(self):
        assert elapsed_seconds_of({"Elapsed": "1.00:00:01.5"}) == 86401.5

    def test_nothing(self):
        assert elapsed_seconds_of({}) is None
        assert elapsed_seconds_of({"ElapsedSeconds": True, "Elapsed": "garbage"}) is None


class TestItemResult:
    def test_from_run_item(self):
        result = ItemResult.from_run_item(run_item("Failed"))
        result.set_keyframes(ERROR_KEYFRAMES)
        assert result.to_dict() == {
            "run_item_id": "item-1",
            "flow_id": "flow-1",
            "flow_title": "Login",
            "agent_id": "agent-1",
            "agent_title": "Agent 1",
            "status": "Failed",
            "outcome": "failed",
            "elapsed_seconds": 24.995,
            "keyframes": [
                {"timestamp": "2026-01-01T10:00:00+00:00", "level": "Info", "message": "Opened page", "block": "Open"},
                {"timestamp": "2026-01-01T10:00:01+00:00", "level": "Error", "message": "Expected '42.00'", "block": "Check"},
                {"timestamp": "2026-01-01T10:00:02+00:00", "level": "Info", "message": "Closing", "block": None},
            ],
        }

    def test_fallbacks(self):
        data = run_item("Passed")
        data["AgentInfo"] = {"AgentId": "agent-9", "EnvironmentTitle": "Env 9"}
        del data["Status"]
        data["FlowInfo"]["Status"] = "Failed"
        del data["ElapsedSeconds"]
        result = ItemResult.from_run_item(data)
        assert result.agent_title == "Env 9"
        assert result.status == "Failed"
        assert result.outcome == "failed"
        assert result.elapsed_seconds == 24.995

    def test_missing_sections(self):
        result = ItemResult.from_run_item({"Status": "Running"}, run_item_id="item-7")
        assert result.run_item_id == "item-7"
        assert result.flow_title is None and result.agent_title is None
        assert result.outcome == "running"
        assert result.elapsed_seconds is None

    def test_passed_item_keeps_no_keyframes(self):
        result = ItemResult.from_run_item(run_item("Passed"))
        result.set_keyframes(ERROR_KEYFRAMES)
        assert result.keyframes == []

    @pytest.mark.parametrize("done_status_as, outcome", [("passed", "passed"), ("failed", "failed")])
    def test_done(self, done_status_as, outcome):
        assert ItemResult.from_run_item(run_item("Done"), done_status_as=done_status_as).outcome == outcome

    def test_unknown_status_reason(self):
        result = ItemResult.from_run_item(run_item("Exploded"))
        assert result.outcome == "error"
        assert result.status == "Exploded"
        assert "unknown status 'Exploded'" in result.explanation()


class TestKeyframes:
    def test_levels_below_info_dropped(self):
        raw = [{"Level": level, "LogMessage": level} for level in ("Trace", "Debug", "Info", "Warning", "Error", "Fatal", "Custom")]
        assert [keyframe["level"] for keyframe in keyframes_of(raw)] == ["Info", "Warning", "Error", "Fatal", "Custom"]

    def test_timestamps(self):
        raw = [
            {"Level": "Info", "Timestamp": {"Value": "2026-01-01T10:00:00+00:00", "Ticks": 1}, "LogMessage": "a"},
            {"Level": "Info", "Timestamp": "2026-01-01T11:00:00Z", "LogMessage": "b"},
            {"Level": "Info", "Timestamp": {"UtcDateTime": "2026-01-01T12:00:00Z"}, "LogMessage": "c"},
            {"Level": "Info", "LogMessage": "d"},
        ]
        assert [keyframe["timestamp"] for keyframe in keyframes_of(raw)] == [
            "2026-01-01T10:00:00+00:00", "2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z", None]

    def test_trimmed(self):
        raw = [{"Level": "Info", "LogMessage": "line %d" % number} for number in range(50)]
        raw.append({"Level": "Error", "LogMessage": "x" * 2000})
        kept = keyframes_of(raw)
        assert len(kept) == 20
        assert kept[0]["message"] == "line 31"
        assert len(kept[-1]["message"]) == 500
        assert kept[-1]["message"].endswith("...")

    def test_garbage_ignored(self):
        assert keyframes_of(None) == []
        assert keyframes_of(["text", 3]) == []


class TestRunResult:
    def test_to_dict_shape(self):
        items = [item("Passed"), item("Failed", agent_title="Agent 2", keyframes=ERROR_KEYFRAMES)]
        result = RunResult("run-1", status="Finished", items=items, elapsed_seconds=12.34567, queued_seconds=2.0)
        data = result.to_dict()
        assert list(data) == ["run_id", "status", "outcome", "summary", "elapsed_seconds", "queued_seconds", "timed_out",
                              "run_items", "message"]
        assert data["outcome"] == "failed"
        assert data["summary"] == {"total": 2, "passed": 1, "failed": 1, "errors": 0, "cancelled": 0, "flaky": 0}
        assert data["elapsed_seconds"] == 12.346
        assert data["queued_seconds"] == 2.0
        assert data["timed_out"] is False
        assert list(data["run_items"][0]) == ["run_item_id", "flow_id", "flow_title", "agent_id", "agent_title", "status",
                                              "outcome", "elapsed_seconds", "keyframes"]
        assert "1 passed, 1 failed" in data["message"]

    @pytest.mark.parametrize("statuses, outcome", [
        (["Passed"], "passed"),
        (["Passed", "Cancelled"], "cancelled"),
        (["Cancelled", "Failed"], "failed"),
        (["Failed", "Inconclusive"], "error"),
        (["Passed", "Xyz"], "error"),
        (["Done"], "passed"),
    ])
    def test_outcome_precedence(self, statuses, outcome):
        items = [item(status, run_item_id="item-%d" % number) for number, status in enumerate(statuses)]
        assert RunResult("run-1", "Finished", items).outcome == outcome

    def test_no_items(self):
        result = RunResult("run-1", "Finished", [])
        assert result.outcome == "error"
        assert "no flow ran" in result.message

    def test_timed_out(self):
        result = RunResult("run-1", "Executing", [item("Passed"), item("Running")], timed_out=True)
        assert result.outcome == "timed_out"
        assert result.to_dict()["timed_out"] is True
        assert result.summary == {"total": 2, "passed": 1, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 0}
        assert "1 still running" in result.message

    def test_error(self):
        result = RunResult("run-1", "Executing", [item("Passed")], error="run run-1 is no longer known")
        assert result.outcome == "error"
        assert "no longer known" in result.message


class TestVerdict:
    def test_sums_and_worst(self):
        runs = [RunResult("a", "Finished", [item("Passed")]),
                RunResult("b", "Finished", [item("Failed"), item("Cancelled")])]
        judged = verdict(runs)
        assert (judged.outcome, judged.summary) == ("failed", {"total": 3, "passed": 1, "failed": 1, "errors": 0, "cancelled": 1, "flaky": 0})
        assert (judged.over, judged.passing) == (True, False)

    def test_error_beats_timed_out(self):
        runs = [RunResult("a", "Finished", [item("Error")]), RunResult("b", "Executing", [], timed_out=True)]
        assert verdict(runs).outcome == "error"
        assert verdict(runs[1:]).outcome == "timed_out"

    def test_a_run_that_errored_and_timed_out_is_error_alone_and_together(self):
        # The controller answered only with errors until the deadline: error, in the run and overall.
        unreadable = RunResult("a", "Executing", [item("Running")], timed_out=True, error="the controller answered only with errors",
                               unreadable=True)
        assert unreadable.outcome == "error"
        assert verdict([unreadable]).outcome == "error"
        assert verdict([unreadable, RunResult("b", "Executing", [], timed_out=True)]).outcome == "error"

    def test_error_beats_failed(self):
        runs = [RunResult("a", "Finished", [item("Failed")]), RunResult("b", "Finished", [])]
        assert verdict(runs).outcome == "error"

    def test_runs_still_going_leave_no_verdict(self):
        runs = [RunResult("a", "Finished", [item("Failed")]), RunResult("b", "Queued", [], going=True)]
        judged = verdict(runs)
        assert (judged.outcome, judged.over, judged.passing) == ("queued", False, False)
        # The failure of the run that is over is still listed; the queued run is not a failure yet.
        assert judged.failures == ["Login on Agent 1: Failed - no details given"]
        runs.append(RunResult("c", "Executing", [item("Running")], going=True))
        assert verdict(runs).outcome == "running"

    def test_empty(self):
        judged = verdict([])
        assert (judged.outcome, judged.summary, judged.lines, judged.failures) == (
            "none", {"total": 0, "passed": 0, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 0}, [], [])
        assert (judged.over, judged.passing) == (True, True)


class TestFailureLines:
    def test_lines(self):
        runs = [
            RunResult("run-ok", "Finished", [item("Passed")]),
            RunResult("run-bad", "Finished", [
                item("Failed", "Checkout", "Agent 2", keyframes=ERROR_KEYFRAMES),
                item("Xyz", "Search", "Agent 3"),
                item("Cancelled", "Logout", "Agent 4", keyframes=[{"Level": "Info", "LogMessage": "Stopped by\nuser"}]),
                item("Passed", "Home", "Agent 1"),
            ]),
            RunResult("run-empty", "Finished", []),
            RunResult("run-slow", "Executing", [item("Running", "Report", "Agent 5")], timed_out=True, elapsed_seconds=60),
            RunResult("run-gone", "Executing", [], error="run run-gone is no longer known to the controller (404)"),
        ]
        assert failure_lines(runs) == [
            "Checkout on Agent 2: Failed - Check: Expected '42.00'",
            "Search on Agent 3: Xyz - unknown status 'Xyz'",
            "Logout on Agent 4: Cancelled - Stopped by user",
            "run run-empty: no flow ran (status: Finished)",
            "run run-slow timed out after 60 s (last status: Executing)",
            "Report on Agent 5: Running - still running when the wait ended",
            "run run-gone: run run-gone is no longer known to the controller (404)",
        ]

    def test_no_details(self):
        assert failure_lines([RunResult("r", "Finished", [item("Error")])]) == ["Login on Agent 1: Error - no details given"]

    def test_all_passed(self):
        assert failure_lines([RunResult("r", "Finished", [item("Passed")])]) == []


class TestReport:
    """What the role shows: the modules' own result dicts back through the result model."""

    RUNS = [
        RunResult("run-ok", "Finished", [item("Passed")]),
        RunResult("run-bad", "Finished", [
            item("Failed", "Checkout", "Agent 2", keyframes=ERROR_KEYFRAMES),
            item("Xyz", "Search", "Agent 3"),
            item("Done", "Logout", "Agent 4", done_status_as="failed"),
        ]),
        RunResult("run-empty", "Finished", []),
    ]

    def test_lines_outcome_and_summary(self):
        shown = report([run.to_dict() for run in self.RUNS])
        assert shown["lines"] == [
            "Login on Agent 1: passed (Passed, 1.5 s)",
            # The reason is the error keyframe, as the module's failure message gives it, not the last one ("Closing").
            "Checkout on Agent 2: failed (Failed, 1.5 s) - Check: Expected '42.00'",
            "Search on Agent 3: error (Xyz, 1.5 s) - unknown status 'Xyz'",
            # Done counted as failed when it was read stays failed.
            "Logout on Agent 4: failed (Done, 1.5 s) - no details given",
            "run run-empty: error (run run-empty finished but no flow ran)",
        ]
        assert shown["outcome"] == "error"
        assert shown["summary"] == {"total": 4, "passed": 1, "failed": 2, "errors": 1, "cancelled": 0, "flaky": 0}

    def test_reasons_match_the_failure_message(self):
        runs = [self.RUNS[1]]
        for line, failure in zip(report([run.to_dict() for run in runs])["lines"], failure_lines(runs)):
            assert line.split(" - ", 1)[1] == failure.split(" - ", 1)[1]

    def test_error_outranks_timed_out_as_in_the_modules(self):
        slow = RunResult("run-slow", "Executing", [item("Running", "Report", "Agent 5")], timed_out=True, elapsed_seconds=60)
        shown = report([run.to_dict() for run in (self.RUNS[1], slow)])
        assert shown["outcome"] == "error" == verdict([self.RUNS[1], slow]).outcome
        assert shown["lines"][-1] == "Report on Agent 5: running (Running, 1.5 s) - still running when the wait ended"
        failed_and_slow = [RunResult("run-bad", "Finished", [item("Failed")]), slow]
        assert report([run.to_dict() for run in failed_and_slow])["outcome"] == "timed_out"

    @pytest.mark.parametrize("status, outcome", [("Queued", "queued"), ("Executing", "running")])
    def test_runs_read_once_and_still_going(self, status, outcome):
        going = RunResult("run-going", status, [item("Running", "Report", "Agent 5")] if status == "Executing" else [], going=True)
        shown = report([going.to_dict()])
        assert shown["outcome"] == outcome
        if status == "Executing":
            # Nothing to explain yet: it is not "still running when the wait ended".
            assert shown["lines"] == ["Report on Agent 5: running (Running, 1.5 s)"]
        else:
            assert shown["lines"] == ["run run-going: queued (run run-going is still going (status: Queued))"]

    def test_a_run_started_and_not_followed(self):
        started = {"run_id": "run-new", "flow_id": "flow-1", "agent_id": "agent-1", "changed": True, "request": {}}
        shown = report([started])
        assert shown["outcome"] == "started"
        assert shown["lines"] == ["run run-new: started (run run-new was started and not followed)"]
        assert shown["summary"]["total"] == 0

    def test_an_item_that_could_not_be_started(self):
        refused = {"run_id": None, "flow_id": "flow-1", "agent_id": "agent-1", "changed": False, "status": 404,
                   "error": "flow flow-1 is not known to the controller"}
        shown = report([refused, {"run_id": "run-new", "changed": True}])
        assert shown["outcome"] == "started"
        assert report([refused])["outcome"] == "error"
        assert report([refused])["lines"] == ["not started: error (flow flow-1 is not known to the controller)"]

    def test_a_run_error_stands_even_with_passed_items(self):
        gone = RunResult("run-gone", "Executing", [item("Passed")], error="no longer known to the controller (404)")
        assert report([gone.to_dict()])["outcome"] == "error"

    def test_no_runs(self):
        assert report([]) == {"outcome": "none", "summary": {"total": 0, "passed": 0, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 0},
                              "lines": []}

    def test_item_round_trip(self):
        original = item("Failed", "Checkout", "Agent 2", keyframes=ERROR_KEYFRAMES)
        assert ItemResult.from_dict(original.to_dict()).to_dict() == original.to_dict()


class TestAttempts:
    """A flow run more than once (retries): one result, its last attempt's, ``flaky`` when it passed late."""

    @staticmethod
    def chain(statuses):
        runs = [RunResult("run-%d" % number, "Finished",
                          [item(status, agent_title="Agent %d" % number, run_item_id="item-%d" % number, keyframes=ERROR_KEYFRAMES)])
                for number, status in enumerate(statuses, 1)]
        return runs

    def test_a_late_pass_is_flaky_counted_apart_and_named(self):
        [flaky] = fold_attempts(self.chain(["Failed", "Passed"]), [["run-1", "run-2"]])
        assert flaky.run_id == "run-2" and flaky.outcome == "flaky"
        assert flaky.summary == {"total": 1, "passed": 0, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 1}
        judged = verdict([flaky])
        assert judged.outcome == "flaky" and judged.passing and judged.passes() and not judged.passes(fail_on_flaky=True)
        assert judged.failures == []
        assert judged.flaky == ["Login on Agent 2 is flaky: it passed on attempt 2 of 2; "
                                "attempt 1 of 2 on Agent 1: failed - Check: Expected '42.00'"]
        assert judged.lines[0].startswith("Login on Agent 2: passed (Passed, 1.5 s) - flaky on attempt 2 of 2; attempt 1 of 2 on Agent 1")
        assert [attempt["outcome"] for attempt in flaky.to_dict()["attempts"]] == ["failed", "passed"]
        assert flaky.to_dict()["attempts"][0] == {"run_id": "run-1", "agent_id": "agent-Agent 1", "agent_title": "Agent 1",
                                                  "outcome": "failed", "status": "Failed", "reason": "Check: Expected '42.00'"}

    def test_no_pass_keeps_the_last_outcome_and_says_what_came_before(self):
        [last] = fold_attempts(self.chain(["Error", "Failed"]), [["run-1", "run-2"]])
        assert last.outcome == "failed" and last.summary["failed"] == 1 and last.summary["flaky"] == 0
        [line] = verdict([last]).failures
        assert line.startswith("Login on Agent 2: Failed - Check: Expected '42.00' (the last of 2 attempts; attempt 1 of 2 on Agent 1: error")

    def test_the_filter_says_the_same_from_the_module_result(self):
        folded = fold_attempts(self.chain(["Failed", "Passed"]) + self.chain(["Passed"])[:0], [["run-1", "run-2"]])
        shown = verdict(RunResult.from_dict(run.to_dict()) for run in folded)
        judged = verdict(folded)
        assert (shown.outcome, shown.summary, shown.lines, shown.flaky) == (judged.outcome, judged.summary, judged.lines, judged.flaky)

    def test_a_flaky_flow_ranks_below_a_failure_and_above_a_pass(self):
        flaky = fold_attempts(self.chain(["Failed", "Passed"]), [["run-1", "run-2"]])
        passed = [RunResult("run-9", "Finished", [item("Passed")])]
        failed = [RunResult("run-8", "Finished", [item("Failed")])]
        assert verdict(flaky + passed).outcome == "flaky"
        assert verdict(flaky + failed).outcome == "failed"
        assert verdict(flaky + passed).summary["passed"] == 1 and verdict(flaky + passed).summary["flaky"] == 1
