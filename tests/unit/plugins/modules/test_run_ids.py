# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The run id options that run_info and run_stop share (doc fragment ``run_ids``): refused before any request."""

import pytest

from ansible_collections.leapops.leapwork.plugins.modules import run_info, run_stop
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import FakeClock, FakeController

RUN = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a"
OTHER_RUN = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9b"


@pytest.fixture(params=[run_info, run_stop], ids=["run_info", "run_stop"])
def module_under_test(request):
    return request.param


@pytest.fixture
def controller():
    return FakeController(FakeClock(), runs=[])


@pytest.fixture
def client(controller):
    return controller


def test_run_id_and_run_ids_are_mutually_exclusive(controller, client_requests, run_module):
    failed, result = run_module(dict(run_id=RUN, run_ids=[OTHER_RUN]))
    assert failed
    assert "mutually exclusive" in result["msg"]
    assert client_requests == []
    assert controller.request_count == 0


def test_one_of_run_id_and_run_ids_is_required(controller, client_requests, run_module):
    failed, result = run_module(dict())
    assert failed
    assert "one of the following is required: run_id, run_ids" in result["msg"]
    assert controller.request_count == 0


def test_a_run_id_in_braces_is_refused_before_any_request(controller, client_requests, run_module):
    failed, result = run_module(dict(run_id="{%s}" % RUN))
    assert failed
    assert result["msg"].startswith("run_id must be a GUID such as ")
    assert client_requests == []
    assert controller.request_count == 0


def test_a_run_id_that_is_not_a_guid_is_refused_before_any_request(controller, client_requests, run_module):
    failed, result = run_module(dict(run_ids=[RUN, "not-a-guid"]))
    assert failed
    assert result["msg"] == "run_ids[1] must be a GUID such as 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11, got 'not-a-guid'"
    assert client_requests == []
    assert controller.request_count == 0
