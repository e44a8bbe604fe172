# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the verify_result filter: each host's runs and verdict, matched by identity."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.leapops.leapwork.plugins.filter.run_report import FilterModule as RunReport
from ansible_collections.leapops.leapwork.plugins.filter.verify_plan import REQUEST_FACT
from ansible_collections.leapops.leapwork.plugins.filter.verify_plan import FilterModule as Plan
from ansible_collections.leapops.leapwork.plugins.filter.verify_result import FilterModule
from ansible_collections.leapops.leapwork.plugins.module_utils._results import ItemResult, RunResult

verify_result = FilterModule().filters()["verify_result"]
verify_plan = Plan().filters()["verify_plan"]
run_report = RunReport().filters()["run_report"]

AGENT = "30000000-0000-4000-8000-000000000001"
LOGIN = "20000000-0000-4000-8000-000000000001"
CHECKOUT = "20000000-0000-4000-8000-000000000002"
SCHEDULE = "40000000-0000-4000-8000-000000000001"
ZERO = {"total": 0, "passed": 0, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 0}


def plan_for(flows_by_host, schedules_by_host=None, key=""):
    hostvars = {}
    for host, flows in flows_by_host.items():
        hostvars[host] = {REQUEST_FACT: dict(flows=[dict(flow_id=flow, agent_id=AGENT) for flow in flows],
                                             schedules=(schedules_by_host or {}).get(host, []),
                                             variables={}, idempotency_key=key)}
    return verify_plan(list(flows_by_host), hostvars)


def started(plan, run_ids, check_mode=False, reused=()):
    """What flow_run answers for plan['runs'] (in order), run_ids[i] for item i."""
    runs = []
    for item, run_id in zip(plan["runs"], run_ids):
        run = dict(item, run_id=run_id, reused=run_id in reused, changed=run_id not in reused,
                   flow_title="Login" if item["flow_id"] == LOGIN else "Checkout", agent_title="Agent")
        if check_mode:
            run["would_request"] = None if run_id else {"method": "PUT", "path": "/api/v4/flows/%s/agent/%s" % (item["flow_id"], AGENT)}
        runs.append(run)
    return {"changed": True, "runs": runs, "run_ids": list(run_ids)}


def followed_run(run_id, flow_id, status):
    item = ItemResult("item-" + run_id, flow_id=flow_id, flow_title="Login" if flow_id == LOGIN else "Checkout",
                      agent_id=AGENT, agent_title="Agent", status=status, elapsed_seconds=5.0)
    return RunResult(run_id, "Finished", [item]).to_dict()


def test_each_host_gets_its_own_runs_and_verdict_by_identity():
    plan = plan_for({"web1": [LOGIN], "web2": [CHECKOUT]})
    flow_run = started(plan, ["run-a", "run-b"])
    # run_info answers in any order: runs are matched by run id, not by position.
    run_info = {"runs": [followed_run("run-b", CHECKOUT, "Failed"), followed_run("run-a", LOGIN, "Passed")]}
    web1 = verify_result(plan, host="web1", started=flow_run, followed=run_info)
    web2 = verify_result(plan, host="web2", started=flow_run, followed=run_info)
    assert (web1["outcome"], web1["failed"], web1["run_ids"]) == ("passed", False, ["run-a"])
    assert (web2["outcome"], web2["failed"], web2["run_ids"]) == ("failed", True, ["run-b"])
    assert web1["lines"] == ["Login on Agent: passed (Passed, 5.0 s)"]
    assert web2["summary"]["failed"] == 1 and web2["summary"]["total"] == 1
    assert [run["run_id"] for run in web2["runs"]] == ["run-b"]
    # The whole batch: the worst of both, every run id once.
    batch = verify_result(plan, started=flow_run, followed=run_info)
    assert (batch["outcome"], batch["run_ids"], batch["summary"]["total"]) == ("failed", ["run-a", "run-b"], 2)


def test_a_shared_run_counts_for_every_host():
    plan = plan_for({"web1": [LOGIN], "web2": [LOGIN, CHECKOUT]})
    flow_run = started(plan, ["run-a", "run-b"])
    run_info = {"runs": [followed_run("run-a", LOGIN, "Passed"), followed_run("run-b", CHECKOUT, "Passed")]}
    assert verify_result(plan, host="web1", started=flow_run, followed=run_info)["run_ids"] == ["run-a"]
    assert verify_result(plan, host="web2", started=flow_run, followed=run_info)["run_ids"] == ["run-a", "run-b"]


@pytest.mark.parametrize("statuses, outcome, failed", [
    (("Passed", "Passed"), "passed", False),
    (("Passed", "Failed"), "failed", True),
    (("Cancelled", "Passed"), "cancelled", True),
    (("Failed", "Error"), "error", True),
])
def test_failed_is_a_verdict_over_and_not_passing(statuses, outcome, failed):
    plan = plan_for({"web1": [LOGIN, CHECKOUT]})
    flow_run = started(plan, ["run-a", "run-b"])
    runs = [followed_run("run-a", LOGIN, statuses[0]), followed_run("run-b", CHECKOUT, statuses[1])]
    mine = verify_result(plan, host="web1", started=flow_run, followed={"runs": runs})
    assert (mine["outcome"], mine["failed"]) == (outcome, failed)


def test_the_verdict_is_run_reports():
    plan = plan_for({"web1": [LOGIN, CHECKOUT]})
    flow_run = started(plan, ["run-a", "run-b"])
    runs = [followed_run("run-a", LOGIN, "Passed"), followed_run("run-b", CHECKOUT, "Error")]
    mine = verify_result(plan, host="web1", started=flow_run, followed={"runs": runs})
    reported = run_report(runs)
    assert (mine["outcome"], mine["summary"], mine["lines"]) == (reported["outcome"], reported["summary"], reported["lines"])


def test_schedules_are_reported_with_the_flows():
    plan = plan_for({"web1": [LOGIN]}, {"web1": [SCHEDULE]})
    schedule_run = {"runs": [dict(plan["schedules"][0], schedule_title="Smoke suite", run_id="run-s", reused=False)]}
    run_info = {"runs": [followed_run("run-a", LOGIN, "Passed"), followed_run("run-s", LOGIN, "Passed")]}
    mine = verify_result(plan, host="web1", started=started(plan, ["run-a"]), schedules_started=schedule_run, followed=run_info)
    assert mine["run_ids"] == ["run-a", "run-s"]
    assert mine["summary"]["passed"] == 2


def test_runs_not_followed_are_started_as_the_verdict_says():
    plan = plan_for({"web1": [LOGIN, CHECKOUT]})
    flow_run = started(plan, ["run-a", "run-b"], reused=["run-b"])
    mine = verify_result(plan, host="web1", started=flow_run, followed={"skipped": True, "changed": False})
    assert (mine["outcome"], mine["failed"], mine["summary"], mine["runs"]) == ("started", False, ZERO, [])
    assert mine["run_ids"] == ["run-a", "run-b"]
    assert mine["lines"] == ["run run-a: started (run run-a was started and not followed)",
                             "run run-b: started (run run-b was started and not followed)"]
    assert mine["lines"] == run_report(flow_run["runs"])["lines"]


def test_without_an_answer_from_the_modules_nothing_is_made_up():
    plan = plan_for({"web1": [LOGIN]})
    with pytest.raises(AnsibleFilterError, match="verify_result: no answer from the modules for %s on %s" % (LOGIN, AGENT)):
        verify_result(plan, host="web1", started={"skipped": True})


def test_check_mode_says_what_would_start_or_be_reused():
    plan = plan_for({"web1": [LOGIN, CHECKOUT]}, key="release-1")
    mine = verify_result(plan, host="web1", started=started(plan, [None, "run-b"], check_mode=True), check_mode=True)
    assert (mine["outcome"], mine["failed"], mine["run_ids"], mine["summary"]) == ("check_mode", False, ["run-b"], ZERO)
    assert mine["lines"] == ["Login on Agent: would start (PUT /api/v4/flows/%s/agent/%s)" % (LOGIN, AGENT),
                             "Checkout on Agent: would reuse run run-b"]


def test_a_host_with_nothing_to_verify_is_none():
    plan = plan_for({"web1": [LOGIN], "web2": []})
    mine = verify_result(plan, host="web2", started=started(plan, ["run-a"]), followed={"runs": [followed_run("run-a", LOGIN, "Passed")]})
    assert (mine["outcome"], mine["failed"], mine["run_ids"], mine["lines"]) == ("none", False, [], [])


def test_a_host_not_in_the_plan_is_refused():
    with pytest.raises(AnsibleFilterError, match="verify_result: web9 is not one of the hosts of the plan"):
        verify_result(plan_for({"web1": [LOGIN]}), host="web9")


def test_an_answer_for_another_item_is_refused():
    plan = plan_for({"web1": [LOGIN, CHECKOUT]})
    flow_run = started(plan, ["run-a", "run-b"])
    flow_run["runs"].reverse()
    with pytest.raises(AnsibleFilterError, match="flow_run's answer 0 is for Checkout on Agent, not for %s on %s" % (LOGIN, AGENT)):
        verify_result(plan, host="web1", started=flow_run)


def test_an_answer_of_another_length_is_refused():
    plan = plan_for({"web1": [LOGIN, CHECKOUT]})
    with pytest.raises(AnsibleFilterError, match="flow_run answered 1 runs for the 2 items asked"):
        verify_result(plan, host="web1", started={"runs": started(plan, ["run-a"])["runs"]})


def test_refuses_what_is_not_a_plan():
    with pytest.raises(AnsibleFilterError, match="expects the plan that leapops.leapwork.verify_plan returned"):
        verify_result([], host="web1")
