# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of flow_run with flows and agents by name, and the agent pre-flight."""

import pytest

from ansible_collections.leapops.leapwork.plugins.modules import flow_run
from ansible_collections.leapops.leapwork.tests.unit.plugins.modules.test_flow_run import (
    AGENT,
    BAD_FLOW,
    FLOW,
    OTHER_FLOW,
    FakeClient,
)

OFFLINE_AGENT = "1e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a02"


@pytest.fixture
def module_under_test():
    return flow_run


@pytest.fixture
def client():
    client = FakeClient(known_agents=(AGENT, OFFLINE_AGENT))
    client.flow_titles = {FLOW: "Checkout fails", OTHER_FLOW: "Login passes", BAD_FLOW: "Login passes (old)"}
    client.agent_titles = {AGENT: "Windows agent 1", OFFLINE_AGENT: "Offline agent"}
    client.unavailable_agents = frozenset((OFFLINE_AGENT,))
    return client


def reads(client):
    return dict((name, client.calls[name]) for name in ("hierarchy", "agents", "agents_statuses", "flow_info", "agent"))


class TestNames:
    def test_single_flow_by_path_and_agent_by_title(self, client, run_module):
        failed, result = run_module(dict(flow="Folder/Checkout fails", agent="windows AGENT 1"))
        assert not failed
        assert client.triggers == [(FLOW, AGENT, {}, False)]
        assert (result["flow_id"], result["agent_id"]) == (FLOW, AGENT)
        assert (result["flow_title"], result["flow_path"], result["agent_title"]) == (
            "Checkout fails", "Folder/Checkout fails", "Windows agent 1")

    def test_a_batch_reads_each_list_once(self, client, run_module):
        runs = [dict(flow="Login passes", agent="Windows agent 1", variables=dict(Index=index)) for index in range(6)]
        runs.append(dict(flow_id=FLOW, agent_id=AGENT))
        failed, result = run_module(dict(runs=runs))
        assert not failed
        assert sorted(trigger[:2] for trigger in client.triggers) == sorted([(OTHER_FLOW, AGENT)] * 6 + [(FLOW, AGENT)])
        assert reads(client) == dict(hierarchy=1, agents=1, agents_statuses=1, flow_info=0, agent=0)
        assert [run["flow_path"] for run in result["runs"]] == ["Folder/Login passes"] * 6 + ["Folder/Checkout fails"]
        assert {run["agent_title"] for run in result["runs"]} == {"Windows agent 1"}

    def test_ids_read_only_the_statuses_and_still_get_the_agent_title(self, client, run_module):
        failed, result = run_module(dict(flow_id=FLOW, agent_id=AGENT))
        assert not failed
        assert reads(client) == dict(hierarchy=0, agents=0, agents_statuses=1, flow_info=0, agent=0)
        assert (result["flow_title"], result["flow_path"], result["agent_title"]) == (None, None, "Windows agent 1")

    def test_ambiguous_title_starts_nothing_and_lists_the_flows(self, client, run_module):
        client.flow_titles = {FLOW: "Checkout fails", OTHER_FLOW: "Checkout fails"}
        failed, result = run_module(dict(runs=[dict(flow_id=FLOW, agent_id=AGENT), dict(flow="Checkout fails", agent_id=AGENT)]))
        assert failed
        assert result["msg"].startswith("runs[1]: flow: 'Checkout fails' matches 2 flows")
        assert FLOW in result["msg"] and OTHER_FLOW in result["msg"]
        assert client.triggers == []

    def test_unknown_agent_suggests_the_closest(self, client, run_module):
        failed, result = run_module(dict(flow_id=FLOW, agent="Windows agent 2"))
        assert failed
        assert "flow_run: agent: no agent named 'Windows agent 2' on the controller; closest: 'Windows agent 1'" in result["msg"]
        assert client.triggers == []

    def test_name_and_id_together_are_refused_before_any_call(self, client, run_module):
        failed, result = run_module(dict(runs=[dict(flow="Checkout fails", flow_id=FLOW, agent_id=AGENT)]))
        assert failed
        assert result["msg"] == "runs[0]: flow and flow_id are mutually exclusive"
        assert client.log == []

    def test_flow_without_agent_is_refused_before_any_call(self, client, run_module):
        failed, result = run_module(dict(flow="Checkout fails"))
        assert failed
        assert result["msg"] == "flow_run: one of agent or agent_id is required"
        assert client.log == []

    def test_the_ledger_keys_on_the_resolved_ids(self, client, tmp_path, run_module):
        ledger = str(tmp_path / "ledger.json")
        failed, first = run_module(dict(flow="Checkout fails", agent="Windows agent 1", idempotency_key="release-1", ledger_path=ledger))
        assert not failed and first["changed"]
        # The same flow and agent by id, then by another spelling of the names: the recorded run.
        failed, by_id = run_module(dict(flow_id=FLOW, agent_id=AGENT, idempotency_key="release-1", ledger_path=ledger))
        assert not failed and by_id["reused"] and by_id["run_id"] == first["run_id"]
        failed, by_path = run_module(dict(flow="folder/checkout FAILS", agent_id=AGENT, idempotency_key="release-1", ledger_path=ledger))
        assert not failed and by_path["reused"] and by_path["run_id"] == first["run_id"]
        assert len(client.triggers) == 1

    def test_check_mode_resolves_and_starts_nothing(self, client, run_module):
        failed, result = run_module(dict(flow="Checkout fails", agent="Windows agent 1"), check_mode=True)
        assert not failed and result["changed"]
        assert client.triggers == []
        assert result["flow_path"] == "Folder/Checkout fails"
        assert reads(client)["agents_statuses"] == 1


class TestPreflight:
    def test_unavailable_agent_fails_before_anything_starts(self, client, run_module):
        failed, result = run_module(dict(flow_id=FLOW, agent="Offline agent", wait=True))
        assert failed
        assert result["msg"].startswith("Agent pre-flight: nothing was started")
        assert "flow_run: agent 'Offline agent' (%s) is Unavailable" % OFFLINE_AGENT in result["msg"]
        assert client.triggers == []

    def test_one_unavailable_agent_in_a_batch_starts_nothing(self, client, run_module):
        failed, result = run_module(dict(runs=[dict(flow_id=FLOW, agent_id=AGENT), dict(flow_id=OTHER_FLOW, agent_id=OFFLINE_AGENT),
                                               dict(flow_id=FLOW, agent_id=AGENT)]))
        assert failed
        assert "runs[1]: agent 'Offline agent'" in result["msg"]
        assert "runs[0]" not in result["msg"] and "runs[2]" not in result["msg"]
        assert client.triggers == []
        assert reads(client)["agents_statuses"] == 1

    def test_missing_agent_id_fails_the_preflight(self, client, run_module):
        missing = "2e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a03"
        failed, result = run_module(dict(flow_id=FLOW, agent_id=missing))
        assert failed
        assert "agent_id %s was not found on the controller" % missing in result["msg"]
        assert client.triggers == []

    def test_check_mode_runs_the_preflight_too(self, client, run_module):
        failed, result = run_module(dict(flow_id=FLOW, agent_id=OFFLINE_AGENT), check_mode=True)
        assert failed and "is Unavailable" in result["msg"]

    def test_opting_out_starts_the_run(self, client, run_module):
        failed, result = run_module(dict(flow_id=FLOW, agent_id=OFFLINE_AGENT, agent_preflight=False))
        assert not failed and result["changed"]
        assert client.triggers == [(FLOW, OFFLINE_AGENT, {}, False)]
        assert reads(client)["agents_statuses"] == 0
