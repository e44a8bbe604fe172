# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the verify_plan filter: which hosts take part, the batch, each host's share."""

import re

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.leapops.leapwork.plugins.filter.verify_plan import REQUEST_FACT, FilterModule
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import fingerprint

verify_plan = FilterModule().filters()["verify_plan"]

FLOW = "20000000-0000-4000-8000-000000000001"
AGENT = "30000000-0000-4000-8000-000000000001"
SCHEDULE = "40000000-0000-4000-8000-000000000001"


def request(flows=(), schedules=(), variables=None, key="", secret_names=(), **batch):
    """A host's request; ``batch``: ``agents``, ``retries``, ``wait`` as the role passes them."""
    return {REQUEST_FACT: dict(flows=flows, schedules=list(schedules), variables=variables or {},
                               idempotency_key=key, secret_variable_names=list(secret_names), **batch)}


def login(**extra):
    flow = dict(flow="Smoke/Login passes", agent="Local agent")
    flow.update(extra)
    return flow


def test_only_hosts_with_a_request_take_part():
    hostvars = {"web1": {"other": 1}, "web2": request([login()]), "web3": {REQUEST_FACT: None}}
    plan = verify_plan(["web1", "web2", "web3"], hostvars)
    assert plan["hosts"] == ["web2"]
    assert plan["leader"] == "web2"
    assert list(plan["shares"]) == ["web2"]
    assert len(plan["runs"]) == 1


def test_no_host_taking_part_gives_an_empty_plan():
    plan = verify_plan(["web1"], {"web1": {}})
    assert plan == dict(leader=None, hosts=[], runs=[], run_keys=[], schedules=[], schedule_keys=[], shares={},
                        agents=None, retries=0, wait=True, flow_run_waits=False)


def test_the_leader_is_the_first_host_of_the_batch_taking_part():
    hostvars = dict((host, request([login()])) for host in ("web3", "web1", "web2"))
    assert verify_plan(["web3", "web1", "web2"], hostvars)["leader"] == "web3"


def test_identical_flows_start_once_and_count_for_every_host():
    hostvars = {"web1": request([login()]), "web2": request([login(), login()])}
    plan = verify_plan(["web1", "web2"], hostvars)
    assert len(plan["runs"]) == 1
    assert plan["shares"]["web1"] == plan["shares"]["web2"] == plan["run_keys"]


def test_per_host_variables_are_one_run_each_with_their_own_ledger_key():
    hostvars = dict((host, request([login()], variables={"BaseUrl": "https://%s" % host}, key="release-1"))
                    for host in ("web1", "web2"))
    plan = verify_plan(["web1", "web2"], hostvars)
    assert [run["variables"] for run in plan["runs"]] == [{"BaseUrl": "https://web1"}, {"BaseUrl": "https://web2"}]
    # The key carries the ledger's own fingerprint of the variables (_variables.fingerprint).
    assert [run["idempotency_key"] for run in plan["runs"]] == [
        "release-1/vars-%s" % fingerprint({"BaseUrl": "https://%s" % host})[:16] for host in ("web1", "web2")]
    assert plan["shares"]["web1"] == plan["run_keys"][:1]
    assert plan["shares"]["web2"] == plan["run_keys"][1:]


def test_same_variables_written_differently_are_one_run():
    hostvars = {"web1": request([login()], variables={"Headless": True, "Port": 8080}, key="k"),
                "web2": request([login()], variables={"headless": "true", "port": "8080"}, key="k")}
    assert len(verify_plan(["web1", "web2"], hostvars)["runs"]) == 1


def test_a_flows_variables_win_over_the_shared_ones():
    hostvars = {"web1": request([login(variables={"Env": "eu"})], variables={"Env": "us", "BaseUrl": "u"})}
    assert verify_plan(["web1"], hostvars)["runs"][0]["variables"] == {"Env": "eu", "BaseUrl": "u"}


def test_without_a_key_nothing_is_recorded():
    assert verify_plan(["web1"], {"web1": request([login()])})["runs"][0]["idempotency_key"] is None


def test_ids_are_lower_cased():
    hostvars = {"web1": request([dict(flow_id=FLOW.upper(), agent_id=AGENT.upper())], schedules=[SCHEDULE.upper()])}
    plan = verify_plan(["web1"], hostvars)
    assert plan["runs"] == [dict(flow_id=FLOW, agent_id=AGENT, flow=None, agent=None, variables={}, idempotency_key=None)]
    assert plan["schedules"] == [dict(schedule_id=SCHEDULE, schedule=None, variables={}, idempotency_key=None)]


def test_schedules_by_title_id_or_dictionary_with_variables():
    hostvars = {"web1": request(schedules=["Smoke suite", SCHEDULE, dict(schedule="Regression suite", variables={"Browser": "Edge"})],
                                variables={"Env": "test"}, key="k")}
    plan = verify_plan(["web1"], hostvars)
    assert [(item["schedule_id"], item["schedule"], item["variables"]) for item in plan["schedules"]] == [
        (None, "Smoke suite", {"Env": "test"}), (SCHEDULE, None, {"Env": "test"}),
        (None, "Regression suite", {"Env": "test", "Browser": "Edge"})]
    assert plan["schedules"][0]["idempotency_key"] == "k/vars-%s" % fingerprint({"Env": "test"})[:16]
    assert plan["shares"]["web1"] == plan["schedule_keys"]


@pytest.mark.parametrize("flows, message", [
    ([dict(flow_id="not-a-guid", agent="Local agent")],
     "web1: verify_deployment_flows[0].flow_id must be a GUID such as 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11, got 'not-a-guid'"),
    ([login(), dict(flow="x", agent_id="{%s}" % AGENT)], "web1: verify_deployment_flows[1].agent_id must be a GUID"),
    ([dict(agent="Local agent")], "web1: verify_deployment_flows[0]: give the flow by flow_id (its id) or flow (its path or title)"),
    ([dict(flow="x")], "web1: verify_deployment_flows[0]: give the agent by agent_id (its id) or agent (its title)"),
    ([dict(flow="x", flow_id=FLOW, agent="a")], "web1: verify_deployment_flows[0]: give flow_id or flow, not both"),
    (["Smoke/Login passes"], "web1: verify_deployment_flows[0] must be a dictionary"),
    ([login(variables=["a"])], "web1: verify_deployment_flows[0].variables must be a dictionary"),
    ([login(variables={"1bad": 1})], "web1: verify_deployment_flows[0].variables: "),
    ("Smoke/Login passes", "web1: verify_deployment_flows must be a list"),
])
def test_a_bad_flow_names_the_host_and_the_option(flows, message):
    with pytest.raises(AnsibleFilterError, match="^verify_plan: " + re.escape(message)):
        verify_plan(["web1"], {"web1": request(flows)})


def test_a_bad_schedule_names_the_host_and_the_option():
    with pytest.raises(AnsibleFilterError, match=r"web1: verify_deployment_schedules\[0\].schedule_id must be a GUID"):
        verify_plan(["web1"], {"web1": request(schedules=[dict(schedule_id="nope")])})
    with pytest.raises(AnsibleFilterError, match=r"web1: verify_deployment_schedules\[0\] must be a schedule title"):
        verify_plan(["web1"], {"web1": request(schedules=[42])})


def test_a_variable_both_plain_and_secret_is_refused():
    with pytest.raises(AnsibleFilterError, match="web2: verify_deployment_secret_variables and verify_deployment_variables "
                                                 "both name password; pass each variable once"):
        verify_plan(["web1", "web2"], {"web1": request([login()]),
                                       "web2": request([login()], variables={"Password": "x"}, secret_names=["password"])})


def test_bad_shared_variables_are_refused():
    with pytest.raises(AnsibleFilterError, match="web1: verify_deployment_variables: "):
        verify_plan(["web1"], {"web1": request([login()], variables={"": "x"})})


def test_a_request_with_keys_it_does_not_know_is_refused():
    hostvars = {"web1": request([login()])}
    hostvars["web1"][REQUEST_FACT]["pool"] = ["Local agent"]
    with pytest.raises(AnsibleFilterError, match="web1: __verify_deployment_request has keys this filter does not know: pool"):
        verify_plan(["web1"], hostvars)


def test_refuses_what_is_not_a_list_of_hosts():
    with pytest.raises(AnsibleFilterError, match="expects the list of hosts"):
        verify_plan("web1", {})
    with pytest.raises(AnsibleFilterError, match="web9 is not in hostvars"):
        verify_plan(["web9"], {})


# ---------------------------------------------------------------- agent pools and re-runs
POOL = ["Pool agent 1", "33000000-0000-4000-8000-000000000002"]


def test_without_a_pool_or_retries_flow_run_only_starts_the_flows():
    plan = verify_plan(["web1"], {"web1": request([login()], agents=[], retries=0, wait=True)})
    assert (plan["agents"], plan["retries"], plan["wait"], plan["flow_run_waits"]) == (None, 0, True, False)


def test_flows_without_an_agent_go_to_the_pool_and_the_others_stay_on_theirs():
    hostvars = {"web1": request([dict(flow="Pools/Pool short 2"), login()], agents=POOL, key="release-1")}
    plan = verify_plan(["web1"], hostvars)
    assert plan["agents"] == POOL
    assert [(run["agent"], run["agent_id"]) for run in plan["runs"]] == [(None, None), ("Local agent", None)]
    assert plan["run_keys"][0] == "flow named Pools/Pool short 2 on the pool vars %s" % fingerprint({})[:16]
    # The same ledger key as without a pool: flow_run names the pool in the ledger entry itself.
    assert plan["runs"][0]["idempotency_key"] == "release-1/vars-%s" % fingerprint({})[:16]
    # A pool is handed over while flow_run waits.
    assert plan["flow_run_waits"] is True


def test_pool_ids_are_lower_cased_and_titles_kept():
    plan = verify_plan(["web1"], {"web1": request([dict(flow="x")], agents=["Pool agent 1", POOL[1].upper()])})
    assert plan["agents"] == POOL


def test_a_pool_flow_shared_by_hosts_starts_once():
    hostvars = dict((host, request([dict(flow="Pools/Pool short 2")], agents=POOL)) for host in ("web1", "web2"))
    plan = verify_plan(["web1", "web2"], hostvars)
    assert len(plan["runs"]) == 1
    assert plan["shares"]["web1"] == plan["shares"]["web2"] == plan["run_keys"]


def test_retries_alone_make_flow_run_wait():
    plan = verify_plan(["web1"], {"web1": request([login()], retries=2, wait=True)})
    assert (plan["agents"], plan["retries"], plan["flow_run_waits"]) == (None, 2, True)


def test_retries_given_as_text_on_the_command_line_are_a_number():
    assert verify_plan(["web1"], {"web1": request([login()], retries="1")})["retries"] == 1


def test_without_wait_a_pool_is_dealt_up_front():
    plan = verify_plan(["web1"], {"web1": request([dict(flow="x")], agents=POOL, wait=False)})
    assert (plan["wait"], plan["flow_run_waits"]) == (False, False)


def test_with_schedules_a_pool_is_dealt_up_front_and_run_info_follows():
    plan = verify_plan(["web1"], {"web1": request([dict(flow="x")], schedules=["Smoke suite"], agents=POOL)})
    assert plan["flow_run_waits"] is False and plan["agents"] == POOL


def test_nothing_to_start_needs_no_wait():
    assert verify_plan(["web1"], {"web1": request([], agents=POOL, retries=1)})["flow_run_waits"] is False


def test_a_host_without_a_pool_of_its_own_shares_the_batchs():
    hostvars = {"web1": request([login()]), "web2": request([dict(flow="x")], agents=POOL)}
    plan = verify_plan(["web1", "web2"], hostvars)
    assert plan["agents"] == POOL and plan["flow_run_waits"] is True


@pytest.mark.parametrize("flows, batch, message", [
    ([dict(flow="x")], {}, "web1: verify_deployment_flows[0]: give the agent by agent_id (its id) or agent (its title), "
                           "or an agent pool in verify_deployment_agents"),
    ([dict(flow="x")], {"agents": []}, "web1: verify_deployment_flows[0]: give the agent by agent_id"),
    ([login()], {"agents": ["Pool agent 1", " "]}, "web1: verify_deployment_agents[1] must be an agent id or title, got ' '"),
    ([login()], {"agents": [None]}, "web1: verify_deployment_agents[0] must be an agent id or title, got None"),
    ([login()], {"agents": "Pool agent 1"}, "web1: verify_deployment_agents must be a list, got str"),
    ([login()], {"retries": -1}, "web1: verify_deployment_retries must be 0 or more, got -1"),
    ([login()], {"retries": "-2"}, "web1: verify_deployment_retries must be 0 or more, got -2"),
    ([login()], {"retries": "two"}, "web1: verify_deployment_retries must be a whole number, got 'two'"),
    ([login()], {"retries": True}, "web1: verify_deployment_retries must be a whole number, got True"),
    ([login()], {"retries": 1, "wait": False}, "web1: verify_deployment_retries needs verify_deployment_wait: true"),
    ([login()], {"wait": "yes"}, "web1: verify_deployment_wait must be a boolean, got str"),
])
def test_bad_pool_or_retries_name_the_host_and_the_option(flows, batch, message):
    with pytest.raises(AnsibleFilterError, match="^verify_plan: " + re.escape(message)):
        verify_plan(["web1"], {"web1": request(flows, **batch)})


def test_hosts_verified_together_share_one_pool_and_one_number_of_retries():
    with pytest.raises(AnsibleFilterError, match=re.escape(
            "web2: verify_deployment_agents ['Pool agent 3'] differs from web1's ['Pool agent 1', '33000000-0000-4000-8000-000000000002']; "
            "the hosts verified together share one agent pool")):
        verify_plan(["web1", "web2"], {"web1": request([dict(flow="x")], agents=POOL),
                                       "web2": request([dict(flow="x")], agents=["Pool agent 3"])})
    with pytest.raises(AnsibleFilterError, match=re.escape(
            "web2: verify_deployment_retries 2 differs from web1's 1; the hosts verified together share one number of re-runs")):
        verify_plan(["web1", "web2"], {"web1": request([login()], retries=1), "web2": request([login()], retries=2)})


def test_the_same_pool_in_another_order_is_one_pool_dealt_in_the_first_hosts_order():
    plan = verify_plan(["web1", "web2"], {"web1": request([dict(flow="x")], agents=POOL),
                                          "web2": request([dict(flow="y")], agents=list(reversed(POOL)))})
    assert plan["agents"] == POOL
    # A host without a pool of its own (its flow names its agent) takes the batch's.
    plan = verify_plan(["web1", "web2"], {"web1": request([dict(flow="x", agent="Local agent")]),
                                          "web2": request([dict(flow="y")], agents=POOL)})
    assert plan["agents"] == POOL


def test_retries_with_schedules_are_refused_before_anything_starts():
    with pytest.raises(AnsibleFilterError, match=re.escape(
            "verify_plan: verify_deployment_retries re-runs flows while flow_run waits for them, and cannot be combined "
            "with verify_deployment_schedules (web2)")):
        verify_plan(["web1", "web2"], {"web1": request([login()], retries=1),
                                       "web2": request([login()], schedules=["Smoke suite"], retries=1)})
