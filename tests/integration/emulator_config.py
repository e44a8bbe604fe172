"""Print the emulator configuration used by `make integration`.

The built-in catalogue (whose ids the targets use, see setup_emulator) plus a fan-out set of
20 flows on 20 agents for the concurrency test of the verify_deployment role, a read-only
access key so that a real 403 can be provoked, the schedules of the schedule_run target, and the
agent pools and flaky flows of flow_run_pools.

    PYTHONPATH=tests/emulator python tests/integration/emulator_config.py > emulator.json
"""

import copy
import json

from leapwork_emulator.catalogue import DEFAULT_CONFIG

FAN_OUT = 20
READ_ONLY_KEY = "emulator-read-only-key"


def fan_out_config():
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["folders"].append({"id": "10000000-0000-4000-8000-0000000000f0", "path": "Fan-out"})
    for index in range(1, FAN_OUT + 1):
        config["flows"].append({
            "id": "21000000-0000-4000-8000-%012d" % index,
            "title": "Fan-out flow %02d" % index,
            "folder": "Fan-out",
            "outcome": "Passed",
            "duration": 60,
        })
        config["agents"].append({
            "id": "31000000-0000-4000-8000-%012d" % index,
            "title": "Fan-out agent %02d" % index,
            "host": "fan-out-%02d" % index,
            "connection_type": "RemoteAgent",
        })
    config["access_keys"] = {READ_ONLY_KEY: ["read"]}
    add_schedules(config)
    add_echoing_flow(config)
    add_pools(config)
    return config


def add_pools(config):
    """Agent pools and re-runs (flow_run_pools): uneven durations, a flaky flow, a flow broken on one agent."""
    pool = ["33000000-0000-4000-8000-%012d" % number for number in range(1, 4)]
    config["agents"].extend({"id": agent_id, "title": "Pool agent %d" % number, "host": "pool-%d" % number,
                             "connection_type": "RemoteAgent"} for number, agent_id in enumerate(pool, 1))
    config["agents"].append({"id": "33000000-0000-4000-8000-000000000009", "title": "Pool agent offline",
                             "host": "pool-9", "connection_type": "RemoteAgent", "available": False})
    config["flows"].append({"id": "23000000-0000-4000-8000-000000000001", "title": "Pool long", "folder": "Pools",
                            "duration": 60})
    config["flows"].extend({"id": "23000000-0000-4000-8000-%012d" % number, "title": "Pool short %d" % number,
                            "folder": "Pools", "duration": 10} for number in range(2, 8))
    config["flows"].append({"id": "23000000-0000-4000-8000-000000000010", "title": "Pool flaky", "folder": "Pools",
                            "duration": 10, "outcomes": ["Failed", "Passed"], "message": "Login button not found in time",
                            "block": "Click Login"})
    config["flows"].append({"id": "23000000-0000-4000-8000-000000000011", "title": "Pool broken on agent 1",
                            "folder": "Pools", "duration": 10, "agent_outcomes": {pool[0]: "Error"},
                            "message": "The browser crashed", "block": "Open browser"})
    config["flows"].append({"id": "23000000-0000-4000-8000-000000000012", "title": "Pool always fails",
                            "folder": "Pools", "duration": 10, "outcome": "Failed", "message": "Total is wrong"})


def add_schedules(config):
    """Schedules for the schedule_run target: a shared title, a disabled one, a busy one on its own agent."""
    config["agents"].append({"id": "32000000-0000-4000-8000-000000000001", "title": "Schedule agent",
                             "host": "schedule-agent", "connection_type": "RemoteAgent"})
    config["flows"].append({"id": "22000000-0000-4000-8000-000000000001", "title": "Busy step", "folder": "Smoke",
                            "outcome": "Passed", "duration": 60})
    config["schedules"].extend([
        {"id": "41000000-0000-4000-8000-000000000001", "title": "Nightly",
         "flows": ["20000000-0000-4000-8000-000000000001"], "agent": "30000000-0000-4000-8000-000000000003"},
        {"id": "41000000-0000-4000-8000-000000000002", "title": "Nightly",
         "flows": ["20000000-0000-4000-8000-000000000005"], "agent": "30000000-0000-4000-8000-000000000003"},
        {"id": "41000000-0000-4000-8000-000000000003", "title": "Switched off suite", "enabled": False,
         "flows": ["20000000-0000-4000-8000-000000000001"], "agent": "30000000-0000-4000-8000-000000000003"},
        {"id": "41000000-0000-4000-8000-000000000004", "title": "Busy suite",
         "flows": ["22000000-0000-4000-8000-000000000001", "22000000-0000-4000-8000-000000000001"],
         "agent": "32000000-0000-4000-8000-000000000001", "variables": {"Release": "none"}},
    ])


def add_echoing_flow(config):
    """A flow whose error keyframe quotes its request, secret variables included (secrets_never_logged)."""
    config["flows"].append({
        "id": "29000000-0000-4000-8000-000000000001", "title": "Echoes its request", "folder": "Secrets",
        "outcome": "Failed", "duration": 2, "message": "login refused",
        "keyframes": [{"level": "Error", "at": 0.5,
                       "message": "Login failed for ?{variables_form} (sent ?{variables_query}, body {variables_json})"}],
    })


if __name__ == "__main__":
    print(json.dumps(fan_out_config(), indent=1))
