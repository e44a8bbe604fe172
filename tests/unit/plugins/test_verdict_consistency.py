# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One verdict, seen everywhere the same (issue 17).

For every combination of per-run outcomes (multisets of up to three runs, with and without
``wait``), the runs are followed on fake time against the fake controller through
``_follow.follow_and_report``, the code path of flow_run, schedule_run and run_info, and:

- the module's ``outcome`` is the one the documented precedence gives (``ORDER`` below, which is
  also the order of the table in docs/results.md), and each run's own outcome is its kind's;
- the module's ``summary`` and failure decision are what the kinds add up to;
- the ``run_report`` filter says the same outcome and summary for the module's ``runs``;
- the JUnit report (written with ``wait``) counts what the kinds add up to, and those counts
  follow from the verdict's summary (tests, failures, errors, skipped parsed back from the XML);
- ``_results.verdict`` over the module's results is what the module returned;
- flow_run itself (``main()`` through ``report_started_runs``, for runs that end at once) returns
  the same, writes the same JUnit counts, and its ``runs`` without ``wait`` are ``started``.

The expectations are written out here, not computed by the code under test, so that a change
of the precedence anywhere (the result model, the follow-up, JUnit, the filter) fails this test.
- the role's ``verify_deployment_result`` (the ``verify_result`` filter over the plan of
  ``verify_plan``, as the role wires them), for one host with every run, for two hosts sharing
  them out, and for the whole batch (its ``set_stats`` data), says what the module says.
"""

import ast
import itertools
import os
import re
import threading
import xml.etree.ElementTree as ET

import pytest
import yaml

from ansible.module_utils import basic

from ansible_collections.leapops.leapwork.plugins.filter.run_report import run_report
from ansible_collections.leapops.leapwork.plugins.filter.verify_plan import REQUEST_FACT, verify_plan
from ansible_collections.leapops.leapwork.plugins.filter.verify_result import verify_result
from ansible_collections.leapops.leapwork.plugins.module_utils import _module, _results
from ansible_collections.leapops.leapwork.plugins.module_utils._follow import follow_and_report
from ansible_collections.leapops.leapwork.plugins.module_utils._trigger import recorded_run_passed
from ansible_collections.leapops.leapwork.plugins.modules import flow_run, run_info, schedule_run
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import (
    FakeCatalogue,
    FakeClock,
    FakeController,
    FakeItem,
    FakeRun,
    Fault,
    simple_run,
)
from ansible_collections.leapops.leapwork.tests.unit.plugins.module_args import patch_module_args

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

#: The documented precedence, worst first (docs/results.md, "One precedence").
ORDER = ("running", "queued", "started", "error", "timed_out", "failed", "cancelled", "flaky", "passed", "none")
#: No verdict yet / a task with fail_on_failure passes.
NOT_OVER = ("running", "queued", "started")
PASSING = ("flaky", "passed", "none")

LONG = 10 ** 6
WAIT_TIMEOUT = 30
SUMMARY_KEYS = ("total", "passed", "failed", "errors", "cancelled", "flaky")


class Kind(object):
    """One kind of run: how the fake controller plays it, and what every view must say of it.

    ``summary``: (total, passed, failed, errors, cancelled[, flaky]: 0 unless given); ``junit``:
    (tests, failures, errors, skipped); ``unreadable``: the task fails whatever fail_on_failure says.
    """

    def __init__(self, name, outcome, summary, junit=None, unreadable=False):
        self.name = name
        self.outcome = outcome
        self.summary = dict(zip(SUMMARY_KEYS, tuple(summary) + (0,) * (len(SUMMARY_KEYS) - len(summary))))
        self.junit = junit
        self.unreadable = unreadable

    def __repr__(self):
        return self.name


def _finished(status):
    return lambda run_id: simple_run(run_id, outcome=status, duration=5)


def _timed_out_after_an_error(run_id):
    # One flow errored early, the other was still running at the deadline: the run timed out.
    return FakeRun(run_id, statuses=[(0, "Executing"), (LONG, "Finished")], items=[
        FakeItem(run_id + "-a", flow_title="Login", statuses=[(0.2, "Running"), (2, "Error")]),
        FakeItem(run_id + "-b", flow_title="Checkout", statuses=[(0.2, "Running"), (LONG, "Passed")]),
    ])


BUILDERS = {
    "passed": _finished("Passed"),
    "failed": _finished("Failed"),
    "error": _finished("Error"),
    "cancelled": _finished("Cancelled"),
    "unknown status": _finished("Quarantined"),
    "no items": lambda run_id: simple_run(run_id, outcome=None, duration=5),
    "timed_out": lambda run_id: simple_run(run_id, duration=LONG),
    "timed_out after an error": _timed_out_after_an_error,
    "running": lambda run_id: simple_run(run_id, duration=LONG),
    "queued": lambda run_id: simple_run(run_id, queued=LONG),
    # The controller answers 500 for this run, always: it could not be read.
    "unreadable": lambda run_id: simple_run(run_id, faults=[Fault(0, LONG, 500)]),
}

#: Kinds of runs followed with ``wait`` (the deadline comes: nothing is left going).
WAITED = (
    Kind("passed", "passed", (1, 1, 0, 0, 0), (1, 0, 0, 0)),
    Kind("failed", "failed", (1, 0, 1, 0, 0), (1, 1, 0, 0)),
    Kind("error", "error", (1, 0, 0, 1, 0), (1, 0, 1, 0)),
    Kind("cancelled", "cancelled", (1, 0, 0, 0, 1), (1, 0, 0, 1)),
    Kind("unknown status", "error", (1, 0, 0, 1, 0), (1, 0, 1, 0)),
    # A run that ran no flow gets a test case of its own, an error.
    Kind("no items", "error", (0, 0, 0, 0, 0), (1, 0, 1, 0)),
    # The flow still running is an error, and the run gets a TimedOut test case.
    Kind("timed_out", "timed_out", (1, 0, 0, 0, 0), (2, 0, 2, 0)),
    # What ended the run early decides before its flows.
    Kind("timed_out after an error", "timed_out", (2, 0, 0, 1, 0), (3, 0, 3, 0)),
    # Errors until the deadline: error (it could not be read), not timed_out, in the run and overall.
    Kind("unreadable", "error", (0, 0, 0, 0, 0), (1, 0, 1, 0), unreadable=True),
    # Passed on its second attempt (retries): one flow, counted flaky; its test case holds the
    # first attempt as a <flakyFailure>, which counts nowhere.
    Kind("flaky", "flaky", (1, 0, 0, 0, 0, 1), (1, 0, 0, 0)),
)

#: Kinds of runs read once, without ``wait``, ten seconds after they began.
READ_ONCE = (
    Kind("passed", "passed", (1, 1, 0, 0, 0)),
    Kind("failed", "failed", (1, 0, 1, 0, 0)),
    Kind("error", "error", (1, 0, 0, 1, 0)),
    Kind("cancelled", "cancelled", (1, 0, 0, 0, 1)),
    Kind("unknown status", "error", (1, 0, 0, 1, 0)),
    Kind("no items", "error", (0, 0, 0, 0, 0)),
    Kind("running", "running", (1, 0, 0, 0, 0)),
    Kind("queued", "queued", (0, 0, 0, 0, 0)),
    Kind("unreadable", "error", (0, 0, 0, 0, 0), unreadable=True),
)


def combinations(kinds, largest=3):
    for size in range(1, largest + 1):
        for combination in itertools.combinations_with_replacement(kinds, size):
            yield pytest.param(combination, id="+".join(kind.name.replace(" ", "_") for kind in combination))


def expected_outcome(outcomes):
    outcomes = set(outcomes)
    return next((outcome for outcome in ORDER if outcome in outcomes), "none")


def added(dicts, keys):
    return dict((key, sum(entry[key] for entry in dicts)) for key in keys)


def follow(kinds, wait, tmp_path=None):
    clock = FakeClock()
    run_ids = ["run-%d-%s" % (number, kind.name.replace(" ", "-")) for number, kind in enumerate(kinds)]
    runs, chains = [], []
    for kind, run_id in zip(kinds, run_ids):
        if kind.name == "flaky":
            # A flow run twice (retries): its first attempt failed, the second passed.
            runs.extend([_finished("Failed")(run_id + "-attempt-1"), _finished("Passed")(run_id)])
            chains.append([run_id + "-attempt-1", run_id])
        else:
            runs.append(BUILDERS[kind.name](run_id))
            chains.append([run_id])
    controller = FakeController(clock, runs)
    if not wait:
        clock.advance(10)  # the finished kinds are over, the others still going
    junit_path = str(tmp_path / "report.xml") if tmp_path is not None else None
    followed = [run_id for chain in chains for run_id in chain]
    report = follow_and_report(controller, followed, wait=wait, wait_timeout=WAIT_TIMEOUT, poll_interval=5.0,
                               stop_on_timeout=True, fail_on_failure=True, done_status_as="passed",
                               junit_path=junit_path, clock=clock, sleep=clock.sleep,
                               chains=(lambda: chains) if len(followed) > len(run_ids) else None)
    return report, junit_path


def junit_counts(path):
    root = ET.parse(path).getroot()
    counts = dict((key, int(root.get(key))) for key in ("tests", "failures", "errors", "skipped"))
    # The suites add up to the root's counts.
    for key in counts:
        assert sum(int(suite.get(key)) for suite in root.iter("testsuite")) == counts[key]
    return counts


def check_the_views_agree(report, kinds, wait):
    outcome = expected_outcome(kind.outcome for kind in kinds)
    summary = added([kind.summary for kind in kinds], SUMMARY_KEYS)
    output = report.output

    # The module: each run its kind's outcome, the whole the documented precedence's.
    assert [run["outcome"] for run in output["runs"]] == [kind.outcome for kind in kinds]
    assert output["outcome"] == outcome
    assert output["summary"] == summary
    unreadable = any(kind.unreadable for kind in kinds)
    assert report.failed == (unreadable or (wait and outcome not in PASSING))

    # The filter, over the module's runs.
    shown = run_report(output["runs"])
    assert shown["outcome"] == outcome
    assert shown["summary"] == summary
    assert (shown["over"], shown["passing"]) == (outcome not in NOT_OVER, outcome in PASSING)
    assert len(shown["lines"]) == sum(max(kind.summary["total"], 1) for kind in kinds)

    # The verdict itself, over the module's results.
    judged = _results.verdict(report.results)
    assert (judged.outcome, judged.summary, judged.failures) == (output["outcome"], output["summary"], output["failures"])
    assert judged.lines == shown["lines"]

    # The role, whose run_info task followed these runs: one host, two hosts, the whole batch.
    alone = role_results(output["runs"], {"web1": range(len(kinds))})
    assert (alone["web1"]["outcome"], alone["web1"]["summary"], alone["web1"]["lines"]) == (outcome, summary, shown["lines"])
    assert (alone[None]["outcome"], alone[None]["summary"]) == (outcome, summary)
    if wait:
        assert alone["web1"]["failed"] == report.failed
    shared = role_results(output["runs"], {"web1": [0], "web2": range(1, len(kinds))})
    assert shared["web1"]["outcome"] == kinds[0].outcome
    assert shared["web1"]["summary"] == kinds[0].summary
    assert shared["web2"]["outcome"] == expected_outcome(kind.outcome for kind in kinds[1:])
    assert shared["web2"]["summary"] == added([kind.summary for kind in kinds[1:]], SUMMARY_KEYS)
    assert (shared[None]["outcome"], shared[None]["summary"]) == (outcome, summary)
    return outcome, summary


def numbered_flow_id(number):
    return "20000000-0000-4000-8000-%012d" % number


def role_results(followed_runs, shares, followed=True):
    """``verify_deployment_result`` of each host (and the batch's, under ``None``), the role's way.

    ``shares``: host -> the numbers of its runs. Each run is one flow of its own; the flow_run task
    answers with the run ids of ``followed_runs`` and the run_info task with ``followed_runs``.
    """
    hostvars = dict((host, {REQUEST_FACT: {"flows": [{"flow_id": numbered_flow_id(number), "agent": "Local agent"} for number in numbers],
                                           "variables": {}, "idempotency_key": "release-1"}})
                    for host, numbers in shares.items())
    plan = verify_plan(list(shares), hostvars)
    run_ids = dict((numbered_flow_id(number), run["run_id"]) for number, run in enumerate(followed_runs))
    started = {"changed": True, "runs": [dict(item, run_id=run_ids[item["flow_id"]], changed=True, reused=False)
                                         for item in plan["runs"]]}
    run_info = {"runs": list(followed_runs)} if followed else {"skipped": True}
    results = dict((host, verify_result(plan, host=host, started=started, followed=run_info)) for host in shares)
    results[None] = verify_result(plan, started=started, followed=run_info)
    return results


@pytest.mark.parametrize("kinds", list(combinations(WAITED)))
def test_followed_runs(kinds, tmp_path):
    report, junit_path = follow(kinds, wait=True, tmp_path=tmp_path)
    outcome, summary = check_the_views_agree(report, kinds, wait=True)

    counts = junit_counts(junit_path)
    assert counts == dict(zip(("tests", "failures", "errors", "skipped"),
                              (sum(kind.junit[index] for kind in kinds) for index in range(4))))
    # The counts follow from the verdict: one test case per flow plus one per run its flows did not
    # decide; flows still running are errors; cancelled flows are skipped.
    decided_by_the_run = sum(1 for result in report.results if result.problem)
    still_running = sum(1 for result in report.results for item in result.items if item.outcome == "running")
    assert counts["tests"] == summary["total"] + decided_by_the_run
    assert counts["failures"] == summary["failed"]
    assert counts["errors"] == summary["errors"] + still_running + decided_by_the_run
    assert counts["skipped"] == summary["cancelled"]
    # A green report is a passing verdict (passed or flaky), and the other way round.
    assert (counts["failures"] + counts["errors"] + counts["skipped"] == 0) == (outcome in ("flaky", "passed"))


@pytest.mark.parametrize("kinds", list(combinations(READ_ONCE)))
def test_runs_read_once(kinds, tmp_path):
    report, junit_path = follow(kinds, wait=False, tmp_path=tmp_path)
    check_the_views_agree(report, kinds, wait=False)
    # No JUnit report without waiting: nothing is over for sure.
    assert not os.path.exists(junit_path)


ITEM_STATUSES = {"Passed": "passed", "Failed": "failed", "Error": "error", "Cancelled": "cancelled",
                 "Inconclusive": "error", "Quarantined": "error"}


@pytest.mark.parametrize("statuses", list(itertools.product(sorted(ITEM_STATUSES), repeat=2)), ids="+".join)
def test_flows_of_one_run(statuses, tmp_path):
    """Within a run, the worst of its flows by the same precedence."""
    clock = FakeClock()
    controller = FakeController(clock, [simple_run("run-1", outcome=list(statuses), flows=("Login", "Checkout"))])
    report = follow_and_report(controller, ["run-1"], wait=True, wait_timeout=WAIT_TIMEOUT, junit_path=str(tmp_path / "r.xml"),
                               clock=clock, sleep=clock.sleep)
    outcome = expected_outcome(ITEM_STATUSES[status] for status in statuses)
    assert report.output["outcome"] == report.output["runs"][0]["outcome"] == outcome
    assert run_report(report.output["runs"])["outcome"] == outcome
    counts = junit_counts(str(tmp_path / "r.xml"))
    outcomes = [ITEM_STATUSES[status] for status in statuses]
    assert counts == {"tests": 2, "failures": outcomes.count("failed"), "errors": outcomes.count("error"),
                      "skipped": outcomes.count("cancelled")}


# A run that cannot be read raises to the caller of recorded_run_passed (tested in test_trigger.py).
# A flaky flow is two runs; its ledger entry names the last, which passed (tested in test_pool.py).
@pytest.mark.parametrize("kind", [kind for kind in WAITED if not kind.unreadable and kind.name != "flaky"], ids=repr)
def test_rerun_failed_reuses_only_what_passed_or_is_going(kind):
    """``rerun: failed`` asks the same verdict: a recorded run is reused when it passed or is still going."""
    clock = FakeClock()
    controller = FakeController(clock, [BUILDERS[kind.name]("run-1")])
    clock.advance(WAIT_TIMEOUT + 10)
    still_going = kind.outcome == "timed_out"
    assert recorded_run_passed(controller, "run-1") == (still_going or kind.outcome in PASSING)


def test_no_runs_at_all():
    clock = FakeClock()
    report = follow_and_report(FakeController(clock), [], wait=True, clock=clock, sleep=clock.sleep)
    assert report.output["outcome"] == run_report([])["outcome"] == _results.verdict([]).outcome == "none"
    assert role_results([], {"web1": []})["web1"]["outcome"] == "none"
    assert report.failed is False


# -- through flow_run itself (report_started_runs) ---------------------------------------------

AGENT = "0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01"
#: The kinds a run can end as at once, so that flow_run's wait (on real time) never sleeps: the
#: status its one flow ends with (``None``: no flow ran).
FINAL_STATUS = {"passed": "Passed", "failed": "Failed", "error": "Error", "cancelled": "Cancelled",
                "unknown status": "Quarantined", "no items": None}
AT_ONCE = dict((kind.name, kind) for kind in WAITED if kind.name in FINAL_STATUS)


class StartingClient(FakeCatalogue, FakeController):
    """Starts a run per trigger that has already ended as the kind its flow id names."""

    def __init__(self, kinds):
        super().__init__(FakeClock())
        self.controller_url = "http://127.0.0.1:9001"
        self.kinds = dict(("20000000-0000-4000-8000-%012d" % number, kind) for number, kind in enumerate(kinds))
        self.known_flows = set(self.kinds)
        self.known_agents = {AGENT}
        self._lock = threading.Lock()

    def trigger_flow(self, flow_id, agent_id, query_pairs=()):
        with self._lock:
            run_id = "9c1b4ad5-0f0e-4b45-9d74-%012d" % (len(self.runs) + 1)
            status = FINAL_STATUS[self.kinds[flow_id].name]
            self.add_run(FakeRun(run_id, statuses=[(0, "Finished")], items=[] if status is None else [
                FakeItem(run_id + "-item", flow_title="Flow %s" % flow_id[-4:], statuses=[(0, status)])]))
        return run_id


class Exited(SystemExit):
    def __init__(self, failed, result):
        super().__init__(result)
        self.failed = failed
        self.result = result


def run_flow_run(monkeypatch, client, args):
    """flow_run's main() with ``args`` against ``client``: ``(failed, result)``."""
    def leave(failed):
        def exit_(self, msg=None, **result):
            if msg is not None:
                result["msg"] = msg
            raise Exited(failed, result)
        return exit_

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", leave(False))
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", leave(True))

    def client_from_module(module, waits=None, **kwargs):
        # As the real one does: the client carries the task's deadline.
        client.deadline = _module.task_deadline(module.params, waits)
        return client

    monkeypatch.setattr(flow_run, "client_from_module", client_from_module)
    monkeypatch.setattr(_module, "ensure_requests", lambda module: None)
    with patch_module_args(dict(args, controller_url=client.controller_url, access_key="test-key")):
        try:
            flow_run.main()
        except Exited as exited:
            return exited.failed, exited.result
    raise AssertionError("flow_run did not exit")


@pytest.mark.parametrize("kinds", list(combinations(list(AT_ONCE.values()), largest=2)))
def test_flow_run_with_wait(kinds, monkeypatch, tmp_path):
    """The module's own result, through report_started_runs: its outcome, summary and failure, its
    JUnit report and the filter over its runs agree with the precedence."""
    client = StartingClient(kinds)
    junit_path = str(tmp_path / "flow_run.xml")
    failed, result = run_flow_run(monkeypatch, client, dict(
        runs=[dict(flow_id=flow_id, agent_id=AGENT) for flow_id in sorted(client.kinds)], wait=True, junit_path=junit_path))
    outcome = expected_outcome(kind.outcome for kind in kinds)
    summary = added([kind.summary for kind in kinds], SUMMARY_KEYS)
    assert [run["outcome"] for run in result["runs"]] == [kind.outcome for kind in kinds]
    assert (result["outcome"], result["summary"]) == (outcome, summary)
    assert failed == (outcome not in PASSING)
    shown = run_report(result["runs"])
    assert (shown["outcome"], shown["summary"], shown["passing"]) == (outcome, summary, outcome in PASSING)
    assert junit_counts(junit_path) == dict(zip(("tests", "failures", "errors", "skipped"),
                                                (sum(kind.junit[index] for kind in kinds) for index in range(4))))


@pytest.mark.parametrize("kind", list(AT_ONCE.values()), ids=repr)
def test_flow_run_single_flow(kind, monkeypatch):
    """One flow: flow_run returns the run's keys, so the filter over ``[result]`` says the module's outcome."""
    client = StartingClient([kind])
    [flow_id] = client.kinds
    failed, result = run_flow_run(monkeypatch, client, dict(flow_id=flow_id, agent_id=AGENT, wait=True, fail_on_failure=False))
    assert not failed
    assert result["outcome"] == kind.outcome == run_report([result])["outcome"]
    assert result["summary"] == kind.summary == run_report([result])["summary"]


def test_flow_run_without_wait_is_started(monkeypatch):
    client = StartingClient([AT_ONCE["failed"], AT_ONCE["passed"]])
    failed, result = run_flow_run(monkeypatch, client, dict(
        runs=[dict(flow_id=flow_id, agent_id=AGENT) for flow_id in sorted(client.kinds)]))
    assert not failed
    assert "outcome" not in result
    shown = run_report(result["runs"])
    assert (shown["outcome"], shown["over"], shown["passing"]) == ("started", False, False)
    assert shown["lines"] == ["run %s: started (run %s was started and not followed)" % (run_id, run_id)
                              for run_id in result["run_ids"]]
    # The role with verify_deployment_wait: false (no run_info task) says the same.
    role = role_results(result["runs"], {"web1": [0, 1]}, followed=False)
    assert (role["web1"]["outcome"], role["web1"]["failed"], role["web1"]["lines"]) == ("started", False, shown["lines"])


# -- the precedence is written once ----------------------------------------------------------

def test_the_result_model_has_the_documented_order():
    assert _results.PRECEDENCE == ORDER
    assert tuple(name for name in ORDER if not _results.outcome_is_over(name)) == NOT_OVER
    assert tuple(name for name in ORDER if _results.outcome_is_passing(name)) == PASSING


def test_docs_table_has_the_same_order():
    with open(os.path.join(ROOT, "docs", "results.md"), encoding="utf-8") as handle:
        text = handle.read()
    section = text.split("### One precedence", 1)[1].split("\n\n", 3)[2]
    rows = [re.split(r"\s*\|\s*", line.strip("| ")) for line in section.splitlines() if line.startswith("| `")]
    assert tuple(row[0].strip("`") for row in rows) == ORDER
    assert tuple(row[0].strip("`") for row in rows if row[2] == "no") == NOT_OVER
    assert tuple(row[0].strip("`") for row in rows if row[3] == "yes") == PASSING


def _ordered_names(text):
    """The outcome names in ``text`` after the word "order", in the order written."""
    tail = text.split(" order", 1)[1]
    names = re.findall(r"[CV]\((\w+)\)", tail)
    return [name for name in names if name in ORDER]


@pytest.mark.parametrize("text", [
    pytest.param(lambda: " ".join(yaml.safe_load(run_report.__globals__["RETURN"])["_value"]["contains"]["outcome"]["description"]),
                 id="run_report"),
    pytest.param(lambda: " ".join(yaml.safe_load(run_info.RETURN)["outcome"]["description"]), id="run_info"),
    pytest.param(lambda: " ".join(yaml.safe_load(flow_run.RETURN)["outcome"]["description"]), id="flow_run"),
    pytest.param(lambda: " ".join(yaml.safe_load(schedule_run.RETURN)["outcome"]["description"]), id="schedule_run"),
    pytest.param(lambda: " ".join(yaml.safe_load(verify_result.__globals__["RETURN"])["_value"]["contains"]["outcome"]["description"]),
                 id="verify_result"),
])
def test_plugin_docs_list_outcomes_in_the_order(text):
    names = _ordered_names(text())
    assert len(names) >= 5
    assert names == sorted(names, key=ORDER.index)


def test_the_filter_documents_every_outcome_it_can_return():
    """run_report takes every module's runs (flow_run's flaky ones included), so its doc names every
    outcome, in the order, and every outcome that is passing."""
    returned = yaml.safe_load(run_report.__globals__["RETURN"])["_value"]["contains"]
    assert tuple(_ordered_names(" ".join(returned["outcome"]["description"]))) == ORDER
    passing = re.findall(r"[CV]\((\w+)\)", " ".join(returned["passing"]["description"]))
    assert tuple(name for name in ORDER if name in passing) == PASSING


def test_no_other_plugin_file_ranks_outcomes():
    """No tuple, list or set of three outcome names outside the result model: a second precedence."""
    names = set(ORDER)
    found = []
    walked = [os.walk(os.path.join(ROOT, folder)) for folder in ("plugins", os.path.join("extensions", "eda", "plugins"))]
    for directory, _dirs, files in itertools.chain(*walked):
        for name in files:
            path = os.path.join(directory, name)
            if not name.endswith(".py") or path.endswith(os.path.join("module_utils", "_results.py")):
                continue
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                    values = [element.value for element in node.elts if isinstance(element, ast.Constant)]
                    if len(names.intersection(value for value in values if isinstance(value, str))) >= 3:
                        found.append("%s:%d" % (os.path.relpath(path, ROOT), node.lineno))
    assert found == []
