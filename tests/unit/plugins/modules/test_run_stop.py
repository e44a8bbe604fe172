# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the run_stop module: main() run in-process with a fake controller (no network)."""

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkHTTPError
from ansible_collections.leapops.leapwork.plugins.modules import run_stop
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import (
    FakeClock,
    FakeController,
    FakeRun,
)

GOING = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a"
QUEUED = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9b"
FINISHED = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9c"
UNKNOWN = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9d"


@pytest.fixture
def module_under_test():
    return run_stop


@pytest.fixture
def controller():
    return FakeController(FakeClock(), runs=[
        FakeRun(GOING, statuses=[(0, "Executing")]),
        FakeRun(QUEUED, statuses=[(0, "Queued")]),
        FakeRun(FINISHED, statuses=[(0, "Finished")]),
    ])


@pytest.fixture
def client(controller):
    return controller


# The run id options are tested for run_info and run_stop together in test_run_ids.py.


class TestStop:
    def test_a_going_run_is_stopped_and_changed(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=GOING))
        assert not failed
        assert result["changed"] is True
        assert result["runs"] == [dict(run_id=GOING, status_before="Executing", stopped=True)]
        assert result["stopped_run_ids"] == [GOING]
        assert controller.calls_for("stop_run", GOING) == 1

    def test_a_finished_run_is_left_alone_and_not_changed(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=FINISHED))
        assert not failed
        assert result["changed"] is False
        assert result["runs"] == [dict(run_id=FINISHED, status_before="Finished", stopped=False)]
        assert result["stopped_run_ids"] == []
        assert controller.calls_for("stop_run") == 0

    def test_several_runs_are_reported_in_the_order_given(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_ids=[FINISHED, QUEUED, GOING]))
        assert not failed
        assert [run["run_id"] for run in result["runs"]] == [FINISHED, QUEUED, GOING]
        assert [run["status_before"] for run in result["runs"]] == ["Finished", "Queued", "Executing"]
        assert result["stopped_run_ids"] == [QUEUED, GOING]
        assert result["changed"] is True

    def test_nothing_left_to_stop_is_not_changed(self, controller, client_requests, run_module):
        controller.stop_result = False  # OperationCompleted=false: the run ended meanwhile
        failed, result = run_module(dict(run_id=GOING))
        assert not failed
        assert result["changed"] is False
        assert result["runs"] == [dict(run_id=GOING, status_before="Executing", stopped=False)]
        assert result["stopped_run_ids"] == []
        assert controller.calls_for("stop_run", GOING) == 1


class TestCheckMode:
    def test_check_mode_reports_what_would_be_stopped_and_stops_nothing(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_ids=[GOING, FINISHED]), check_mode=True)
        assert not failed
        assert result["changed"] is True
        assert result["runs"] == [dict(run_id=GOING, status_before="Executing", stopped=True),
                                  dict(run_id=FINISHED, status_before="Finished", stopped=False)]
        assert result["stopped_run_ids"] == [GOING]
        assert controller.calls_for("stop_run") == 0
        assert controller.calls_for("run_status") == 2

    def test_check_mode_on_a_finished_run_is_not_changed(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_id=FINISHED), check_mode=True)
        assert not failed
        assert result["changed"] is False
        assert controller.calls_for("stop_run") == 0


class TestErrors:
    def test_an_unknown_run_fails_with_its_run_id_and_keeps_what_was_stopped(self, controller, client_requests, run_module):
        failed, result = run_module(dict(run_ids=[GOING, UNKNOWN, QUEUED]))
        assert failed
        assert result["run_id"] == UNKNOWN
        assert result["status"] == 404
        assert result["runs"] == [dict(run_id=GOING, status_before="Executing", stopped=True)]
        assert result["stopped_run_ids"] == [GOING]
        assert result["changed"] is True
        assert controller.calls_for("run_status", QUEUED) == 0

    def test_a_failed_stop_is_reported_without_the_access_key(self, controller, client_requests, run_module):
        controller.stop_error = LeapworkHTTPError("Could not stop run: HTTP 500 (key test-key)", operation="stop_run",
                                                  status=500, body="boom", run_id=GOING)
        failed, result = run_module(dict(run_id=GOING))
        assert failed
        assert result["status"] == 500
        assert result["run_id"] == GOING
        assert "test-key" not in result["msg"]
        assert result["changed"] is False
        assert result["runs"] == []
        assert result["stopped_run_ids"] == []
