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
from ansible_collections.leapops.leapwork.plugins.module_utils._results import Attempt, ItemResult, RunResult

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


# ---------------------------------------------------------------- a pool and re-runs: flow_run waited
POOL_AGENTS = ["33000000-0000-4000-8000-000000000001", "33000000-0000-4000-8000-000000000002"]
POOL = {"key": "pool-0123456789abcdef0123", "agent_ids": POOL_AGENTS[:1],
        "left_out": [{"agent_id": POOL_AGENTS[1], "agent_title": "Pool agent 2", "reason": "agent 'Pool agent 2' is Unavailable"}]}


def pool_plan(flows_by_host, retries=1):
    hostvars = dict((host, {REQUEST_FACT: dict(flows=[dict(flow_id=flow) for flow in flows], variables={}, idempotency_key="",
                                               agents=POOL_AGENTS, retries=retries, wait=True)})
                    for host, flows in flows_by_host.items())
    return verify_plan(list(flows_by_host), hostvars)


def waited_run(item, run_id, flow_id, status, earlier=()):
    """An entry of a waiting flow_run's runs: the start keys and the run's result, its earlier attempts first."""
    line = ItemResult("item-" + run_id, flow_id=flow_id, flow_title="Login" if flow_id == LOGIN else "Checkout",
                      agent_id=POOL_AGENTS[0], agent_title="Pool agent 1", status=status, elapsed_seconds=5.0)
    attempts = [Attempt(earlier_id, agent_id=POOL_AGENTS[0], agent_title="Pool agent 1", outcome="failed", status="Failed",
                        reason="Login button not found") for earlier_id in earlier]
    run = dict(item, agent_id=POOL_AGENTS[0], agent_title="Pool agent 1", reused=False, changed=True)
    run.update(RunResult(run_id, "Finished", [line], attempts=attempts).to_dict())
    return run


def flow_run_waited(plan, runs):
    return {"changed": True, "runs": runs, "run_ids": [run["run_id"] for run in runs], "pool": POOL}


def test_when_flow_run_waited_its_runs_are_the_followed_ones_and_a_flaky_flow_passes():
    plan = pool_plan({"web1": [LOGIN], "web2": [LOGIN, CHECKOUT]})
    assert plan["flow_run_waits"]
    flow_run = flow_run_waited(plan, [waited_run(plan["runs"][0], "run-a2", LOGIN, "Passed", earlier=["run-a1"]),
                                      waited_run(plan["runs"][1], "run-b", CHECKOUT, "Passed")])
    skipped = {"skipped": True, "changed": False}  # run_info did not run
    web1 = verify_result(plan, host="web1", started=flow_run, followed=skipped)
    assert (web1["outcome"], web1["failed"], web1["run_ids"]) == ("flaky", False, ["run-a2"])
    assert web1["summary"] == dict(ZERO, total=1, flaky=1)
    assert [run["run_id"] for run in web1["runs"]] == ["run-a2"]
    assert [attempt["run_id"] for attempt in web1["runs"][0]["attempts"]] == ["run-a1", "run-a2"]
    assert web1["flaky"] == ["Login on Pool agent 1 is flaky: it passed on attempt 2 of 2; "
                             "attempt 1 of 2 on Pool agent 1: failed - Login button not found"]
    assert web1["lines"] == ["Login on Pool agent 1: passed (Passed, 5.0 s) - flaky on attempt 2 of 2; "
                             "attempt 1 of 2 on Pool agent 1: failed - Login button not found"]
    assert web1["pool"] == POOL
    # The same verdict as run_report's over the module's runs.
    reported = run_report(web1["runs"])
    assert (web1["outcome"], web1["summary"], web1["lines"]) == (reported["outcome"], reported["summary"], reported["lines"])
    web2 = verify_result(plan, host="web2", started=flow_run, followed=skipped)
    assert (web2["outcome"], web2["failed"], web2["summary"]["passed"], web2["summary"]["flaky"]) == ("flaky", False, 1, 1)


def test_fail_on_flaky_fails_the_host_with_a_flaky_flow_only():
    plan = pool_plan({"web1": [LOGIN], "web2": [CHECKOUT]})
    flow_run = flow_run_waited(plan, [waited_run(plan["runs"][0], "run-a2", LOGIN, "Passed", earlier=["run-a1"]),
                                      waited_run(plan["runs"][1], "run-b", CHECKOUT, "Passed")])
    web1 = verify_result(plan, host="web1", started=flow_run, fail_on_flaky=True)
    web2 = verify_result(plan, host="web2", started=flow_run, fail_on_flaky=True)
    assert (web1["outcome"], web1["failed"]) == ("flaky", True)
    assert (web2["outcome"], web2["failed"]) == ("passed", False)
    with pytest.raises(AnsibleFilterError, match="fail_on_flaky must be a boolean"):
        verify_result(plan, host="web1", started=flow_run, fail_on_flaky="yes")


def test_a_flow_that_failed_every_attempt_fails_with_its_attempts():
    plan = pool_plan({"web1": [CHECKOUT]}, retries=2)
    flow_run = flow_run_waited(plan, [waited_run(plan["runs"][0], "run-b3", CHECKOUT, "Failed", earlier=["run-b1", "run-b2"])])
    mine = verify_result(plan, host="web1", started=flow_run)
    assert (mine["outcome"], mine["failed"], mine["flaky"]) == ("failed", True, [])
    assert len(mine["runs"][0]["attempts"]) == 3
    assert mine["lines"][0].startswith("Checkout on Pool agent 1: failed (Failed, 5.0 s) - no details given - failed on attempt 3 of 3; ")


def test_a_pool_in_check_mode_says_what_would_start_on_which_agent():
    plan = pool_plan({"web1": [LOGIN]})
    would = dict(plan["runs"][0], run_id=None, agent_id=POOL_AGENTS[0], agent_title="Pool agent 1", flow_title="Login",
                 would_request={"method": "PUT", "path": "/api/v4/flows/%s/agent/%s" % (LOGIN, POOL_AGENTS[0])})
    mine = verify_result(plan, host="web1", started={"changed": True, "runs": [would], "pool": POOL}, check_mode=True)
    assert (mine["outcome"], mine["failed"], mine["run_ids"], mine["pool"]) == ("check_mode", False, [], POOL)
    assert mine["lines"] == ["Login on Pool agent 1: would start (PUT /api/v4/flows/%s/agent/%s)" % (LOGIN, POOL_AGENTS[0])]


def test_a_pool_dealt_up_front_is_followed_by_run_info():
    hostvars = {"web1": {REQUEST_FACT: dict(flows=[dict(flow_id=LOGIN)], variables={}, idempotency_key="",
                                            agents=POOL_AGENTS, retries=0, wait=False)}}
    plan = verify_plan(["web1"], hostvars)
    assert not plan["flow_run_waits"]
    started_only = dict(plan["runs"][0], run_id="run-a", agent_id=POOL_AGENTS[0], reused=False, changed=True)
    mine = verify_result(plan, host="web1", started={"changed": True, "runs": [started_only], "pool": POOL})
    assert (mine["outcome"], mine["runs"], mine["pool"]) == ("started", [], POOL)
