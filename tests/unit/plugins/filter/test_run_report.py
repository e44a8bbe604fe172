# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the run_report filter (the result model itself is tested in test_results.py)."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.leapops.leapwork.plugins.filter.run_report import FilterModule
from ansible_collections.leapops.leapwork.plugins.module_utils._results import ItemResult, RunResult

run_report = FilterModule().filters()["run_report"]


def test_reports_module_results():
    failed = ItemResult("item-1", flow_title="Checkout", agent_title="Agent 2", status="Failed", elapsed_seconds=7.25,
                        keyframes=[{"Level": "Error", "LogMessage": "button not found", "BlockTitle": "Pay"}])
    shown = run_report([RunResult("run-1", "Finished", [failed]).to_dict()])
    assert shown["outcome"] == "failed"
    assert shown["lines"] == ["Checkout on Agent 2: failed (Failed, 7.2 s) - Pay: button not found"]
    assert shown["summary"]["failed"] == 1


@pytest.mark.parametrize("value", ["run-1", [1, 2], {"runs": []}, None])
def test_refuses_what_is_not_a_list_of_runs(value):
    with pytest.raises(AnsibleFilterError, match="run_report: expects the list of runs"):
        run_report(value)


def test_refuses_an_unknown_outcome():
    with pytest.raises(AnsibleFilterError, match="run_report: unknown outcome 'great'"):
        run_report([{"run_id": "r", "outcome": "great", "summary": {}, "run_items": []}])


@pytest.mark.parametrize("outcome", ["queued", "running"])
def test_accepts_runs_still_going(outcome):
    going = RunResult("run-1", "Queued" if outcome == "queued" else "Executing", [], going=True).to_dict()
    assert going["outcome"] == outcome
    shown = run_report([going])
    assert (shown["outcome"], shown["over"], shown["passing"]) == (outcome, False, False)


def test_says_whether_the_outcome_passes():
    passed = RunResult("run-1", "Finished", [ItemResult("item-1", status="Passed")]).to_dict()
    assert (run_report([passed])["over"], run_report([passed])["passing"]) == (True, True)
    assert run_report([])["outcome"] == "none"
