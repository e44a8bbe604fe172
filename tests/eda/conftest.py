# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures for the EDA event source: the source as ansible-rulebook loads it, and an emulator.

The source is run with ``runpy.run_path`` from the staged collection (``ANSIBLE_COLLECTIONS_PATH``,
which the Makefile sets), exactly as ansible-rulebook runs it; the emulator runs in this process.
"""

import asyncio
import copy
import json
import os
import runpy
import sys
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))

from leapwork_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from leapwork_emulator.catalogue import DEFAULT_CONFIG  # noqa: E402  pylint: disable=wrong-import-position

# Distinctive, so that a plain search of events, logs and files finds any copy of it.
ACCESS_KEY = "eda-source-access-key-7c41d9e0b3"
SCHEDULE_SMOKE = "40000000-0000-4000-8000-000000000001"
SCHEDULE_REGRESSION = "40000000-0000-4000-8000-000000000002"
SCHEDULE_TWIN_A = "42000000-0000-4000-8000-000000000001"
SCHEDULE_TWIN_B = "42000000-0000-4000-8000-000000000002"
SCHEDULE_LEAKY = "42000000-0000-4000-8000-000000000003"
FLOW_LEAKY = "22000000-0000-4000-8000-000000000001"
FLOW_PASSED = "20000000-0000-4000-8000-000000000001"
FLOW_FAILED = "20000000-0000-4000-8000-000000000002"
AGENT_WIN2 = "30000000-0000-4000-8000-000000000003"


def source_path():
    paths = [path for path in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if path]
    for path in paths:
        candidate = os.path.join(path, "ansible_collections", "leapops", "leapwork", "extensions", "eda", "plugins",
                                 "event_source", "run_events.py")
        if os.path.isfile(candidate):
            return candidate
    pytest.fail("run_events.py not found under ANSIBLE_COLLECTIONS_PATH=%r: run these tests with `make eda-tests`"
                % os.environ.get("ANSIBLE_COLLECTIONS_PATH"))
    return None


@pytest.fixture(scope="session")
def source():
    """The source's globals, as ``runpy.run_path`` gives them to ansible-rulebook."""
    return runpy.run_path(source_path())


def emulator_config():
    """The built-in catalogue plus two schedules that share a title, and one whose flow fails with the
    access key in its log (a controller that echoes it)."""
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["flows"].append({"id": FLOW_LEAKY, "title": "Leaky login", "outcome": "Failed", "duration": 3,
                            "message": "login refused for AccessKey %s" % ACCESS_KEY, "block": "Log in"})
    config["schedules"].extend([
        {"id": SCHEDULE_TWIN_A, "title": "Twin suite", "flows": [FLOW_PASSED], "agent": AGENT_WIN2},
        {"id": SCHEDULE_TWIN_B, "title": "Twin suite", "flows": [FLOW_PASSED], "agent": AGENT_WIN2},
        {"id": SCHEDULE_LEAKY, "title": "Leaky suite", "flows": [FLOW_LEAKY], "agent": AGENT_WIN2},
    ])
    return config


@pytest.fixture
def emulator():
    with Emulator(config=emulator_config(), access_key=ACCESS_KEY, speed=50) as emu:
        yield emu


def run_now(emulator, schedule_id, **variables):
    """Start a run of the schedule (PUT runNow); its run id."""
    query = "&".join("%s=%s" % pair for pair in variables.items())
    url = "%s/schedules/%s/runNow%s" % (emulator.api_url, schedule_id, "?" + query if query else "")
    request = urllib.request.Request(url, method="PUT", headers={"AccessKey": ACCESS_KEY})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["RunId"]


def run_flow(emulator, flow_id, agent_id):
    """Start a run of one flow on one agent (PUT /flows/{id}/agent/{id}); its run id."""
    url = "%s/flows/%s/agent/%s" % (emulator.api_url, flow_id, agent_id)
    request = urllib.request.Request(url, method="PUT", headers={"AccessKey": ACCESS_KEY})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["RunId"]


def finished(emulator, run_id):
    return any(run["run_id"] == run_id and run["status"] == "Finished" for run in emulator.runs())


async def until(predicate, timeout=20.0):
    """Wait (real time) until ``predicate()`` is true."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("timed out waiting for %r" % predicate)
        await asyncio.sleep(0.02)


class FakeSleep(object):
    """The source's ``sleep``: records each pause, then yields briefly (real pauses would make tests slow)."""

    def __init__(self):
        self.pauses = []

    async def __call__(self, seconds):
        self.pauses.append(seconds)
        await asyncio.sleep(0.02)


@pytest.fixture
def fake_sleep():
    return FakeSleep()
