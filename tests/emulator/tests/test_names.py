"""What resolving names and the agent pre-flight need: nested folders, a title used twice,
agents that cannot take runs, and the v3 route Leapwork's GitHub Action reads."""

import time

from conftest import AGENT_LOCAL, FLOW_FAILED, FOLDER_CHECKOUT, FLOW_PASSED, Client

FOLDER_EU = "10000000-0000-4000-8000-000000000004"
FLOW_FAILED_EU = "20000000-0000-4000-8000-000000000010"
AGENT_OFFLINE = "30000000-0000-4000-8000-000000000004"
AGENT_UNLICENSED = "30000000-0000-4000-8000-000000000005"


def _flows(node, trail=()):
    """(path, id) of every flow below ``node``, from Titles and Children only."""
    if node["Type"] == "Folder":
        for child in node["Children"]:
            yield from _flows(child, trail + (node["Title"],))
    else:
        yield "/".join(trail + (node["Title"],)), node["Id"]


def test_the_tree_nests_folders_and_holds_one_title_twice(client):
    roots = client.ok("GET", "/hierarchy")
    flows = [pair for root in roots for pair in _flows(root)]
    assert ("Regression/Checkout/Checkout fails", FLOW_FAILED) in flows
    assert ("Regression/Checkout/EU/Checkout fails", FLOW_FAILED_EU) in flows
    eu = client.ok("GET", "/hierarchy/%s" % FOLDER_EU)
    assert (eu["Title"], eu["ParentId"], eu["Path"]) == ("EU", FOLDER_CHECKOUT, "Regression/Checkout/EU")
    assert client.ok("GET", "/flowinfo/%s" % FLOW_FAILED_EU)["Title"] == "Checkout fails"


def _licence(client):
    statuses = {item["AgentId"]: item for item in client.ok("GET", "/agents/agentsStatuses")}
    return [(statuses[agent]["ConnectionStatus"], statuses[agent]["BlockedByLicense"])
            for agent in (AGENT_LOCAL, AGENT_OFFLINE, AGENT_UNLICENSED)]


def test_agent_statuses_say_unavailable_and_blocked_by_licence_as_the_docs_write_it(client):
    # The documented form: BlockedByLicense is a string, Disabled when the licence blocks the agent.
    assert _licence(client) == [("Available", "Available"), ("Unavailable", "Available"), ("Available", "Disabled")]
    statuses = {item["AgentId"]: item for item in client.ok("GET", "/agents/agentsStatuses")}
    assert statuses[AGENT_OFFLINE]["Title"] == "Offline agent"
    agents = {item["Id"]: item for item in client.ok("GET", "/agents")}
    assert agents[AGENT_UNLICENSED]["Title"] == "Unlicensed agent"


def test_blocked_by_license_as_a_boolean_until_reset(client, emulator):
    assert client.ok("POST", "/_emulator/config", key=None, body={"license_form": "bool"})["license_form"] == "bool"
    assert _licence(client) == [("Available", False), ("Unavailable", False), ("Available", True)]
    client.ok("POST", "/_emulator/reset", key=None)
    assert _licence(client) == [("Available", "Available"), ("Unavailable", "Available"), ("Available", "Disabled")]
    assert client.request("POST", "/_emulator/config", key=None, body={"license_form": "yes"}).status == 400


def test_runs_on_agents_that_cannot_run_stay_queued(client, emulator):
    offline = client.trigger(FLOW_PASSED, AGENT_OFFLINE)
    unlicensed = client.trigger(FLOW_PASSED, AGENT_UNLICENSED)
    local = client.trigger(FLOW_PASSED, AGENT_LOCAL)
    client.wait_finished(local)
    # Speed 50: the 6 s flow would have ended long ago on an agent that can run it.
    time.sleep(0.3)
    assert client.status(offline) == "Queued"
    assert client.status(unlicensed) == "Queued"
    assert client.ok("GET", "/run/%s/runItemIds" % unlicensed)["RunItemIds"] == []
    assert {run["run_id"]: run["status"] for run in emulator.runs()}[unlicensed] == "Queued"


def test_v3_run_item_ids_answers_like_v4(client):
    run_id = client.trigger(FLOW_PASSED, AGENT_LOCAL)
    client.wait_finished(run_id)
    v4 = client.ok("GET", "/run/%s/runItemIds" % run_id)
    v3 = client.ok("GET", "/api/v3/run/%s/runItemIds" % run_id)
    assert v3 == v4 and len(v3["RunItemIds"]) == 1


def test_v3_serves_only_that_route_and_checks_the_key(client):
    assert client.get("/api/v3/run/%s/status" % FLOW_PASSED).status == 404
    assert client.get("/api/v3/agents").status == 404
    anonymous = Client(client.base_url, key=None)
    assert anonymous.get("/api/v3/run/%s/runItemIds" % FLOW_PASSED).status == 401
