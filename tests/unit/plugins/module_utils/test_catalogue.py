# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for flows and agents by name and the agent pre-flight (_catalogue.py)."""

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils._catalogue import (
    AgentCatalogue,
    FlowCatalogue,
    NameResolutionError,
    PreflightError,
    Targets,
    find_agents,
    find_flows,
)

LOGIN = "20000000-0000-4000-8000-000000000001"
CHECKOUT = "20000000-0000-4000-8000-000000000002"
CHECKOUT_EU = "20000000-0000-4000-8000-00000000000a"
SLASH = "20000000-0000-4000-8000-00000000000b"
SLASH_TWIN = "20000000-0000-4000-8000-00000000000c"
CASE_A = "20000000-0000-4000-8000-00000000000d"
CASE_B = "20000000-0000-4000-8000-00000000000e"
LOCAL = "30000000-0000-4000-8000-000000000001"
OFFLINE = "30000000-0000-4000-8000-000000000002"
UNLICENSED = "30000000-0000-4000-8000-000000000003"


def folder(title, *children):
    return {"Id": "10000000-0000-4000-8000-%012d" % (abs(hash(title)) % 10 ** 12), "Title": title, "Type": "Folder",
            "Children": list(children)}


def flow(flow_id, title, item_type="Flow"):
    return {"Id": flow_id.upper(), "Title": title, "Type": item_type, "Children": []}


HIERARCHY = [
    folder("Smoke", flow(LOGIN, "Login passes"), {"Id": "d1", "Title": "users.csv", "Type": "DataFile"}),
    folder("Regression",
           folder("Checkout", flow(CHECKOUT, "Checkout fails"),
                  folder("EU", flow(CHECKOUT_EU, "Checkout fails"))),
           flow(SLASH, "Pay / refund"),
           folder("Pay ", flow(SLASH_TWIN, " refund"))),
    folder("Cases", flow(CASE_A, "Report"), flow(CASE_B, "report")),
]

AGENTS = [
    {"Id": LOCAL.upper(), "Title": "Local agent", "HostName": "localhost", "Port": 6777, "Type": "Desktop",
     "ConnectionType": "Local"},
    {"Id": OFFLINE, "Title": "Windows agent 1", "HostName": "win-1", "Port": 6777, "Type": "Desktop",
     "ConnectionType": "RemoteAgent"},
    {"Id": UNLICENSED, "Title": "Windows agent 2", "HostName": "win-2", "Port": 6777, "Type": "Desktop",
     "ConnectionType": "RemoteAgent"},
]
STATUSES = [
    {"AgentId": LOCAL, "Title": "Local agent", "ConnectionStatus": "Available", "BlockedByLicense": False},
    {"AgentId": OFFLINE, "Title": "Windows agent 1", "ConnectionStatus": "Unavailable", "BlockedByLicense": False},
    {"AgentId": UNLICENSED, "Title": "Windows agent 2", "ConnectionStatus": "Available", "BlockedByLicense": True},
]


@pytest.fixture
def flows():
    return FlowCatalogue(HIERARCHY)


class TestFlows:
    def test_paths_and_folders_from_the_tree(self, flows):
        checkout = flows.by_id(CHECKOUT)
        assert checkout == {"id": CHECKOUT, "title": "Checkout fails", "path": "Regression/Checkout/Checkout fails",
                            "folder": "Regression/Checkout", "type": "Flow", "status": None}
        assert flows.by_id(CHECKOUT_EU)["path"] == "Regression/Checkout/EU/Checkout fails"
        # A data file is not a flow.
        assert "users.csv" not in [item["title"] for item in flows.flows]

    def test_unique_title(self, flows):
        assert flows.find("Login passes")["id"] == LOGIN

    def test_nested_path(self, flows):
        assert flows.find("Regression/Checkout/EU/Checkout fails")["id"] == CHECKOUT_EU
        assert flows.find("Regression/Checkout/Checkout fails")["id"] == CHECKOUT

    def test_ambiguous_title_lists_paths_and_ids(self, flows):
        with pytest.raises(NameResolutionError) as info:
            flows.find("Checkout fails", "runs[1]: flow")
        message = str(info.value)
        assert message.startswith("runs[1]: flow: 'Checkout fails' matches 2 flows")
        assert "Regression/Checkout/Checkout fails (%s)" % CHECKOUT in message
        assert "Regression/Checkout/EU/Checkout fails (%s)" % CHECKOUT_EU in message

    def test_missing_name_suggests_the_closest(self, flows):
        with pytest.raises(NameResolutionError) as info:
            flows.find("Login pases")
        assert "no flow named 'Login pases'" in str(info.value)
        assert "closest: 'Login passes'" in str(info.value)
        assert info.value.status == 404

    def test_missing_name_far_from_everything_suggests_nothing(self, flows):
        with pytest.raises(NameResolutionError) as info:
            flows.find("zzzzzzzzzzzz")
        assert "closest" not in str(info.value)

    def test_case_is_ignored_when_nothing_matches_exactly(self, flows):
        assert flows.find("regression/checkout/eu/CHECKOUT FAILS")["id"] == CHECKOUT_EU
        assert flows.find("login PASSES")["id"] == LOGIN

    def test_an_exact_match_wins_over_case_twins(self, flows):
        assert flows.find("Report")["id"] == CASE_A
        assert flows.find("report")["id"] == CASE_B
        with pytest.raises(NameResolutionError) as info:
            flows.find("REPORT")
        assert "matches 2 flows" in str(info.value)

    def test_title_with_a_slash_by_title_and_by_path(self, flows):
        assert flows.find("Pay / refund")["id"] == SLASH
        # "Regression/Pay / refund" is the path of "Pay / refund" and of " refund" in folder "Pay ":
        # the same string, so it is refused with both ids rather than guessed.
        with pytest.raises(NameResolutionError) as info:
            flows.find("Regression/Pay / refund")
        assert SLASH in str(info.value) and SLASH_TWIN in str(info.value)

    def test_every_flow_under_a_folder_recursively(self, flows):
        assert [item["id"] for item in flows.under("Regression/Checkout")] == [CHECKOUT, CHECKOUT_EU]
        assert [item["id"] for item in flows.under("/regression/checkout/eu/")] == [CHECKOUT_EU]
        assert len(flows.under("")) == len(flows.flows) == 7

    def test_folder_prefix_is_not_a_folder(self, flows):
        # "Regression/Check" is not the folder "Regression/Checkout".
        with pytest.raises(NameResolutionError) as info:
            flows.under("Regression/Check")
        assert "no folder named 'Regression/Check'" in str(info.value)
        assert "'Regression/Checkout'" in str(info.value)

    def test_a_single_root_object_and_status_when_given(self):
        catalogue = FlowCatalogue({"Title": "Root", "Type": "Folder", "Children": [
            {"id": LOGIN, "title": "Login", "type": "Flow", "status": "Draft"}]})
        assert catalogue.find("Root/Login") == {"id": LOGIN, "title": "Login", "path": "Root/Login", "folder": "Root",
                                                "type": "Flow", "status": "Draft"}


class TestAgents:
    def test_merged_from_agents_and_statuses(self):
        agents = AgentCatalogue(AGENTS, STATUSES)
        assert agents.by_id(LOCAL) == {"id": LOCAL, "title": "Local agent", "host": "localhost", "port": 6777,
                                       "type": "Desktop", "connection_type": "Local", "available": True,
                                       "connection_status": "Available", "blocked_by_license": False,
                                       "license_status": "licensed"}
        assert agents.by_id(OFFLINE)["available"] is False
        assert agents.by_id(UNLICENSED)["available"] is False
        assert agents.by_id(UNLICENSED)["blocked_by_license"] is True
        assert agents.by_id(UNLICENSED)["license_status"] == "blocked"

    @pytest.mark.parametrize("said, blocked, license_status, available", [
        # The documented form is a string: Disabled means blocked by the licence.
        ("Disabled", True, "blocked", False),
        ("disabled ", True, "blocked", False),
        ("Available", False, "licensed", True),
        ("AVAILABLE", False, "licensed", True),
        # Some controllers answer a JSON boolean.
        (True, True, "blocked", False),
        (False, False, "licensed", True),
        # Anything else is unknown: never said available.
        ("Enabled", None, "unknown", None),
        ("true", None, "unknown", None),
        (1, None, "unknown", None),
        (None, None, "unknown", None),
    ])
    def test_blocked_by_license_in_every_form(self, said, blocked, license_status, available):
        status = {"AgentId": LOCAL, "Title": "Local agent", "ConnectionStatus": "Available", "BlockedByLicense": said}
        agent = AgentCatalogue(None, [status]).by_id(LOCAL)
        assert (agent["blocked_by_license"], agent["license_status"], agent["available"]) == (blocked, license_status, available)

    @pytest.mark.parametrize("said, expected", [
        ("Disabled", "agent 'Local agent' (%s) is blocked by the licence (ConnectionStatus Available, BlockedByLicense "
                     "\"Disabled\")" % LOCAL),
        (True, "agent 'Local agent' (%s) is blocked by the licence (ConnectionStatus Available, BlockedByLicense true)" % LOCAL),
        ("Maybe", "agent 'Local agent' (%s) has a licence state this collection does not know (ConnectionStatus Available, "
                  "BlockedByLicense \"Maybe\"), so it may not take runs; BlockedByLicense should be Available or Disabled"
                  % LOCAL),
        ("Available", None),
        (False, None),
    ])
    def test_the_preflight_refuses_a_blocked_agent_in_both_forms_and_an_unknown_one(self, said, expected):
        status = {"AgentId": LOCAL, "Title": "Local agent", "ConnectionStatus": "Available", "BlockedByLicense": said}
        assert AgentCatalogue(None, [status]).problem(LOCAL) == expected

    def test_an_unavailable_agent_is_said_unavailable_whatever_its_licence(self):
        status = {"AgentId": LOCAL, "Title": "Local agent", "ConnectionStatus": "Unavailable", "BlockedByLicense": "Maybe"}
        agent = AgentCatalogue(None, [status]).by_id(LOCAL)
        assert agent["available"] is False
        assert AgentCatalogue(None, [status]).problem(LOCAL) == "agent 'Local agent' (%s) is Unavailable" % LOCAL

    def test_without_statuses_availability_is_unknown(self):
        assert AgentCatalogue(AGENTS).by_id(LOCAL)["available"] is None

    def test_by_title_unique_case_missing_ambiguous(self):
        agents = AgentCatalogue(AGENTS + [dict(AGENTS[1], Id="30000000-0000-4000-8000-000000000009", HostName="win-9")])
        assert agents.find("local AGENT")["id"] == LOCAL
        with pytest.raises(NameResolutionError) as info:
            agents.find("Windows agent 1")
        assert "matches 2 agents" in str(info.value) and "win-9" in str(info.value) and OFFLINE in str(info.value)
        with pytest.raises(NameResolutionError) as info:
            agents.find("Windows agent 3")
        assert "no agent named 'Windows agent 3'" in str(info.value) and "closest: 'Windows agent 2', 'Windows agent 1'" in str(info.value)

    @pytest.mark.parametrize("agent_id, expected", [
        (LOCAL, None),
        (OFFLINE, "agent 'Windows agent 1' (%s) is Unavailable" % OFFLINE),
        (UNLICENSED, "agent 'Windows agent 2' (%s) is blocked by the licence" % UNLICENSED),
        ("99999999-0000-4000-8000-000000000099", "agent_id 99999999-0000-4000-8000-000000000099 was not found"),
    ])
    def test_problem(self, agent_id, expected):
        problem = AgentCatalogue(None, STATUSES).problem(agent_id)
        assert problem == expected if expected is None else expected in problem


class CountingClient(object):
    def __init__(self):
        self.calls = []

    def hierarchy(self):
        self.calls.append("hierarchy")
        return HIERARCHY

    def agents(self):
        self.calls.append("agents")
        return AGENTS

    def agents_statuses(self):
        self.calls.append("agents_statuses")
        return STATUSES


class InfoClient(CountingClient):
    def flow_info(self, flow_id):
        self.calls.append("flow_info")
        return {"Title": "ignored", "Status": "Draft" if flow_id == CHECKOUT_EU else "Publish"}


class TestFindFlows:
    def test_by_path_reads_the_status_of_the_flow_found(self):
        client = InfoClient()
        flows = find_flows(client, path="Regression/Checkout/EU/Checkout fails")
        assert [(flow["id"], flow["status"]) for flow in flows] == [(CHECKOUT_EU, "Draft")]
        assert client.calls == ["hierarchy", "flow_info"]

    def test_by_title_returns_every_flow_with_it(self):
        assert [flow["path"] for flow in find_flows(InfoClient(), title="checkout fails")] == [
            "Regression/Checkout/Checkout fails", "Regression/Checkout/EU/Checkout fails"]
        assert find_flows(InfoClient(), title="Nothing") == []

    def test_by_folder_and_by_id_and_all(self):
        assert [flow["id"] for flow in find_flows(InfoClient(), folder="Regression")] == [CHECKOUT, CHECKOUT_EU, SLASH, SLASH_TWIN]
        assert [flow["id"] for flow in find_flows(InfoClient(), flow_id=LOGIN.upper())] == [LOGIN]
        assert len(find_flows(InfoClient())) == 7

    @pytest.mark.parametrize("lookup, expected", [
        (dict(flow_id="99999999-0000-4000-8000-000000000099"), "flow_id 99999999-0000-4000-8000-000000000099 was not found"),
        (dict(path="Smoke/Login"), "path: no flow named 'Smoke/Login' on the controller; closest: 'Smoke/Login passes'"),
        (dict(folder="Smoke/Login passes"), "folder: no folder named 'Smoke/Login passes'"),
    ])
    def test_unknown_id_path_or_folder_is_an_error(self, lookup, expected):
        with pytest.raises(NameResolutionError) as info:
            find_flows(InfoClient(), **lookup)
        assert expected in str(info.value)


class TestFindAgents:
    def test_all_by_id_by_title(self):
        client = InfoClient()
        assert [agent["title"] for agent in find_agents(client)] == ["Local agent", "Windows agent 1", "Windows agent 2"]
        assert client.calls == ["agents", "agents_statuses"]
        assert find_agents(InfoClient(), agent_id=OFFLINE)[0]["connection_status"] == "Unavailable"
        assert [agent["id"] for agent in find_agents(InfoClient(), title="WINDOWS AGENT 2")] == [UNLICENSED]
        assert find_agents(InfoClient(), title="Nobody") == []

    def test_unknown_id_is_an_error(self):
        with pytest.raises(NameResolutionError) as info:
            find_agents(InfoClient(), agent_id="99999999-0000-4000-8000-000000000099")
        assert "agent_id 99999999-0000-4000-8000-000000000099 was not found" in str(info.value)


class TestTargets:
    def test_a_batch_costs_one_read_of_each(self):
        client = CountingClient()
        targets = Targets(client)
        items = [dict(label="runs[%d]" % index, flow="Login passes", flow_id=None, agent="Local agent", agent_id=None)
                 for index in range(5)]
        items.append(dict(label="runs[5]", flow=None, flow_id=CHECKOUT, agent=None, agent_id=OFFLINE))
        resolved = targets.resolve(items)
        assert [(item["flow_id"], item["agent_id"]) for item in resolved] == [(LOGIN, LOCAL)] * 5 + [(CHECKOUT, OFFLINE)]
        targets.preflight([(item["label"], item["agent_id"]) for item in resolved[:5]])
        assert client.calls == ["hierarchy", "agents", "agents_statuses"]
        assert targets.titles(LOGIN, LOCAL) == {"flow_title": "Login passes", "flow_path": "Smoke/Login passes",
                                                "agent_title": "Local agent"}
        assert items[0]["flow_id"] is None  # the input is left alone

    def test_ids_only_read_nothing(self):
        client = CountingClient()
        targets = Targets(client)
        targets.resolve([dict(label="flow_run", flow=None, flow_id=LOGIN, agent=None, agent_id=LOCAL)])
        assert client.calls == []
        assert targets.titles(LOGIN, LOCAL) == {"flow_title": None, "flow_path": None, "agent_title": None}

    def test_name_and_id_together_are_refused_before_any_read(self):
        client = CountingClient()
        with pytest.raises(NameResolutionError) as info:
            Targets(client).resolve([dict(label="runs[0]", flow="Login passes", flow_id=LOGIN, agent_id=LOCAL)])
        assert str(info.value) == "runs[0]: flow and flow_id are mutually exclusive"
        assert client.calls == []

    def test_resolution_error_names_the_item(self):
        with pytest.raises(NameResolutionError) as info:
            Targets(CountingClient()).resolve([dict(label="runs[2]", flow="Checkout fails", agent_id=LOCAL)])
        assert str(info.value).startswith("runs[2]: flow: 'Checkout fails' matches 2 flows")

    def test_preflight_names_every_agent_that_cannot_run(self):
        client = CountingClient()
        with pytest.raises(PreflightError) as info:
            Targets(client).preflight([("runs[0]", LOCAL), ("runs[1]", OFFLINE), ("runs[2]", UNLICENSED)])
        message = str(info.value)
        assert message.startswith("Agent pre-flight: nothing was started, because 2 agents cannot take runs")
        assert "runs[1]: agent 'Windows agent 1' (%s) is Unavailable" % OFFLINE in message
        assert "runs[2]: agent 'Windows agent 2' (%s) is blocked by the licence" % UNLICENSED in message
        assert "runs[0]" not in message
        assert "agent_preflight" in message
        assert client.calls == ["agents_statuses"]

    def test_preflight_passes_for_available_agents(self):
        client = CountingClient()
        targets = Targets(client)
        targets.preflight([("flow_run", LOCAL)])
        assert targets.titles(LOGIN, LOCAL)["agent_title"] == "Local agent"


def test_client_reads_agent_statuses(make_client, fake_transport):
    fake_transport.add("GET", "/agents/agentsStatuses", [{"$id": "1", "AgentId": LOCAL, "ConnectionStatus": "Available"}])
    client = make_client()
    assert client.agents_statuses() == [{"$id": "1", "AgentId": LOCAL, "ConnectionStatus": "Available"}]
    assert [(call.method, call.path) for call in fake_transport.calls] == [("GET", "/agents/agentsStatuses")]
