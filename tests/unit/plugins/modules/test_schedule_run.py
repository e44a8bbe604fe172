# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the schedule_run module: main() run in-process with a fake client (no network).

The same safety as flow_run (issue #10): what flow_run's tests prove, proved here for schedules.
"""

import threading

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils import _follow, _module
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkHTTPError
from ansible_collections.leapops.leapwork.plugins.modules import schedule_run
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import (
    FakeClock,
    FakeController,
    FakeItem,
    FakeRun,
    LISTING,
    NIGHTLY_A,
    SMOKE,
)

URL = "https://leapwork.example:9002"

# Issue 19: an item whose trigger was sent before an unexpected exception says that a run may have started.
MAY_HAVE_STARTED = ("a run may have started, its id unknown: the request that starts it was sent, then %s. Check the "
                    "controller's runs before trying again")


class FakeClient(FakeController):
    """Schedules from ``LISTING``, always free; each runNow starts a run that has already passed."""

    def __init__(self):
        super().__init__(FakeClock())
        self.controller_url = URL
        self.run_now_errors = {}  # schedule id -> exception raised by its runNow
        self.run_now_calls = []
        self._counter = 0
        self._lock = threading.Lock()

    def schedules(self):
        return [dict(item) for item in LISTING]

    def schedule_status(self, schedule_id, deadline=None):
        return "Finished"

    def run_schedule_now(self, schedule_id, query_pairs=()):
        with self._lock:
            self.run_now_calls.append((schedule_id, dict(query_pairs)))
            if schedule_id in self.run_now_errors:
                raise self.run_now_errors[schedule_id]
            self._counter += 1
            run_id = "9c1b4ad5-0f0e-4b45-9d74-%012d" % self._counter
        self.add_run(FakeRun(run_id, statuses=[(0, "Finished")], items=[
            FakeItem(run_id + "-item", flow_title="Flow of %s" % schedule_id[-2:], statuses=[(0, "Passed")])]))
        return run_id


@pytest.fixture
def module_under_test():
    return schedule_run


@pytest.fixture
def client():
    return FakeClient()


def test_started_run_is_changed(client, client_requests, run_module):
    failed, result = run_module(dict(schedule="Smoke suite"))
    assert not failed and result["changed"] is True
    assert result["run_id"] == "9c1b4ad5-0f0e-4b45-9d74-000000000001"
    assert client.run_now_calls == [(SMOKE, {})]


def test_unexpected_exception_in_one_item_keeps_the_started_runs(client, client_requests, run_module):
    client.run_now_errors[NIGHTLY_A] = ValueError("the parser choked")
    failed, result = run_module(dict(schedules=[dict(schedule_id=NIGHTLY_A), dict(schedule="Smoke suite")]))
    assert failed
    assert result["changed"] is True
    assert result["run_ids"][0] is None and result["run_ids"][1]
    assert "schedules[0]" in result["msg"] and "unexpected ValueError: the parser choked" in result["msg"]
    assert "1 started or reused: %s" % result["run_ids"][1] in result["msg"]
    assert result["runs"][0]["error"] == MAY_HAVE_STARTED % "unexpected ValueError: the parser choked"


def test_white_space_key_is_refused_before_any_request(client, client_requests, run_module):
    failed, result = run_module(dict(schedules=[dict(schedule="Smoke suite"), dict(schedule_id=NIGHTLY_A, idempotency_key="  ")]))
    assert failed
    assert result["msg"].startswith("schedules[1]: idempotency_key must not be only white space")
    assert client.run_now_calls == [] and client_requests == []


@pytest.mark.parametrize("args", [dict(wait=True), dict(when_running="wait")], ids=["wait", "when_running=wait"])
def test_a_wait_timeout_of_0_is_refused_when_the_task_runs_under_it(client, client_requests, run_module, args):
    """With wait, or waiting for a busy schedule, wait_timeout is the task's one deadline: at 0 the
    real client would refuse the schedules' listing and the runNow."""
    failed, result = run_module(dict(args, schedule="Smoke suite", wait_timeout=0))
    assert failed
    assert result["msg"].startswith("wait_timeout is 0, which leaves no time to start a run")
    assert client.run_now_calls == [] and client_requests == []


def test_a_wait_timeout_of_0_is_accepted_when_nothing_runs_under_it(client, client_requests, run_module):
    failed, result = run_module(dict(schedule="Smoke suite", wait_timeout=0, when_running="fail"))
    assert not failed and len(client.run_now_calls) == 1


def test_a_query_too_long_is_refused_before_any_request(client, client_requests, run_module):
    failed, result = run_module(dict(schedule="Smoke suite", secret_variables=dict(Token="t" * 3000)))
    assert failed
    assert result["msg"].startswith("schedule_run: the variables make a query string of 3006 characters; at most 2048")
    assert "ttt" not in result["msg"]
    assert client.run_now_calls == [] and client_requests == []


def test_unwritable_junit_path_is_refused_before_any_request(client, client_requests, tmp_path, run_module):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    failed, result = run_module(dict(schedule="Smoke suite", wait=True, junit_path=str(blocker / "reports" / "junit.xml")))
    assert failed
    assert result["msg"] == "junit_path %s cannot be written: %s is not a directory" % (blocker / "reports" / "junit.xml", blocker)
    assert client.run_now_calls == [] and client_requests == []


def test_junit_write_failing_at_the_end_reports_every_run(client, client_requests, tmp_path, monkeypatch, run_module):
    def disk_full(results, path, suite_name="leapwork"):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_follow, "write_junit", disk_full)
    failed, result = run_module(dict(wait=True, junit_path=str(tmp_path / "junit.xml"),
                                     schedules=[dict(schedule="Smoke suite"), dict(schedule_id=NIGHTLY_A)]))
    assert failed and result["changed"] is True
    assert "The JUnit report could not be written" in result["msg"] and "No space left" in result["msg"]
    assert len(result["run_ids"]) == 2 and all(result["run_ids"])
    assert result["outcome"] == "passed"


def test_unexpected_exception_while_following_reports_the_run_ids(client, client_requests, monkeypatch, run_module):
    def choke(*args, **kwargs):
        raise ValueError("could not parse Elapsed '1.02:03:04.5.6'")

    monkeypatch.setattr(_module, "follow_and_report", choke)
    failed, result = run_module(dict(wait=True, schedules=[dict(schedule="Smoke suite"), dict(schedule_id=NIGHTLY_A)]))
    assert failed and result["changed"] is True
    assert len([run_id for run_id in result["run_ids"] if run_id]) == 2
    assert "Elapsed" in result["msg"] and result["run_ids"][0] in result["msg"]


def test_unexpected_exception_while_reporting_still_returns_the_run_id(client, client_requests, monkeypatch, run_module):
    def broken_finish(*_args):
        raise KeyError("outcome")

    monkeypatch.setattr(_module, "_report_started_runs", broken_finish)
    failed, result = run_module(dict(schedule="Smoke suite"))
    assert failed and result["changed"] is True
    assert result["run_id"] == "9c1b4ad5-0f0e-4b45-9d74-000000000001"
    assert result["run_ids"] == [result["run_id"]]
    assert "Unexpected KeyError" in result["msg"]


@pytest.mark.parametrize("max_concurrency", [1, 8])
def test_identical_items_share_one_run(client, client_requests, tmp_path, max_concurrency, run_module):
    failed, result = run_module(dict(
        schedules=[dict(schedule="Smoke suite"), dict(schedule_id=SMOKE), dict(schedule="Smoke suite")],
        variables=dict(Env="qa"), idempotency_key="release-1", wait=True, max_concurrency=max_concurrency,
        ledger_path=str(tmp_path / "ledger.json")))
    assert not failed, result["msg"] if failed else None
    assert len(client.run_now_calls) == 1
    assert len(set(result["run_ids"])) == 1 and result["run_ids"][0]
    assert [run["outcome"] for run in result["runs"]] == ["passed"] * 3
    assert result["summary"]["total"] == 1


def test_same_schedule_and_key_with_other_variables_is_refused_before_any_run_now(client, client_requests, tmp_path, run_module):
    failed, result = run_module(dict(idempotency_key="release-1", ledger_path=str(tmp_path / "ledger.json"), schedules=[
        dict(schedule="Smoke suite", variables=dict(Env="a")),
        dict(schedule_id=SMOKE, variables=dict(Env="b")),
    ]))
    assert failed and result["changed"] is False
    assert result["msg"].startswith("schedules[0] and schedules[1]: same schedule %s and idempotency_key 'release-1' "
                                    "but different variables" % SMOKE)
    assert client.run_now_calls == []
    assert not (tmp_path / "ledger.json").exists()


def test_secret_variables_are_sent_but_never_returned(client, client_requests, tmp_path, run_module):
    ledger = tmp_path / "ledger.json"
    failed, result = run_module(dict(schedule="Smoke suite", variables=dict(User="qa"), secret_variables=dict(Password="hunter2-s3cret"),
                                     idempotency_key="release-1", ledger_path=str(ledger), wait=True,
                                     junit_path=str(tmp_path / "junit.xml")))
    assert not failed, result["msg"] if failed else None
    assert client.run_now_calls == [(SMOKE, {"User": "qa", "Password": "hunter2-s3cret"})]
    assert result["variables"] == {"User": "qa", "Password": "********"}
    assert result["request"]["query"] == "User=qa&Password=********"
    assert "hunter2" not in repr(result)
    assert "hunter2" not in ledger.read_text(encoding="utf-8")
    assert "hunter2" not in (tmp_path / "junit.xml").read_text(encoding="utf-8")


def test_item_secrets_merge_over_shared_ones(client, client_requests, run_module):
    failed, result = run_module(dict(secret_variables=dict(Token="shared", Password="p-secret-value"), variables=dict(Env="qa"), schedules=[
        dict(schedule="Smoke suite"),
        dict(schedule_id=NIGHTLY_A, variables=dict(Token="public-now"), secret_variables=dict(Env="secret-now")),
    ]))
    assert not failed, result["msg"] if failed else None
    sent = dict(client.run_now_calls)
    assert sent[SMOKE] == {"Env": "qa", "Token": "shared", "Password": "p-secret-value"}
    assert sent[NIGHTLY_A] == {"Token": "public-now", "Password": "p-secret-value", "Env": "secret-now"}
    assert result["runs"][1]["variables"] == {"Token": "public-now", "Password": "********", "Env": "********"}


def test_a_name_in_both_is_refused(client, client_requests, run_module):
    failed, result = run_module(dict(schedule="Smoke suite", variables=dict(Password="a"), secret_variables=dict(password="b-secret-value")))
    assert failed
    assert result["msg"] == ("schedule_run: secret_variables 'password' also in variables (names are case-insensitive); "
                             "pass each variable once")
    assert client.run_now_calls == [] and client_requests == []


def test_check_mode_masks_secrets_in_the_preview(client, client_requests, run_module):
    failed, result = run_module(dict(schedule="Smoke suite", secret_variables=dict(Token="s3cr3t")), check_mode=True)
    assert not failed and result["changed"] is True
    assert result["request"] is None and result["would_request"]["query"] == "Token=********"
    assert client.run_now_calls == []


def test_a_refused_run_now_returns_the_http_code_as_status(client, client_requests, run_module):
    # status is the HTTP code after a failed runNow and the run's status after a wait (RETURN says both).
    client.run_now_errors[NIGHTLY_A] = LeapworkHTTPError("Could not run a schedule now: HTTP 403 (forbidden)", status=403)
    failed, result = run_module(dict(schedule_id=NIGHTLY_A))
    assert failed and result["changed"] is False
    assert result["status"] == 403
    failed, result = run_module(dict(schedules=[dict(schedule_id=NIGHTLY_A), dict(schedule="Smoke suite")]))
    assert failed
    assert result["runs"][0]["status"] == 403 and "HTTP 403" in result["runs"][0]["error"]
    assert "error" not in result["runs"][1]
