# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the schedule_info module: main() run in-process with a fake client (no network)."""

import pytest

from ansible_collections.leapops.leapwork.plugins.modules import schedule_info
from ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller import LISTING, NIGHTLY_A, NIGHTLY_B, SMOKE


class FakeClient(object):
    def __init__(self):
        self.calls = []

    def schedules(self):
        self.calls.append(("schedules",))
        return [dict(item) for item in LISTING]

    def schedule_status(self, schedule_id):
        self.calls.append(("schedule_status", schedule_id))
        return "Finished"


@pytest.fixture
def module_under_test():
    return schedule_info


@pytest.fixture
def client():
    return FakeClient()


def test_by_id_and_by_title(client, client_requests, run_module):
    failed, result = run_module(dict(schedule_id=SMOKE.upper()))
    assert not failed
    assert [(schedule["id"], schedule["status"]) for schedule in result["schedules"]] == [(SMOKE, "Finished")]
    failed, result = run_module(dict(schedule="nightly", status=False))
    assert not failed
    assert [(schedule["id"], schedule["status"]) for schedule in result["schedules"]] == [(NIGHTLY_A, None), (NIGHTLY_B, None)]


@pytest.mark.parametrize("option, value", [("schedule_id", ""), ("schedule", ""), ("schedule", "   ")])
def test_an_empty_id_or_title_is_refused_before_any_request(client, client_requests, run_module, option, value):
    """An empty id or title (an unset variable templated in) is a mistake, as agent_info and flow_info
    say; it must not list every schedule as if none had been asked for."""
    failed, result = run_module({option: value})
    assert failed
    assert option in result["msg"]
    assert client.calls == []
