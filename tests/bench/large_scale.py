# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Queued runs at scale against the real waiter on fake time (bench.py's library scenario "large").

N runs of 5 s on N / 10 agents, ten one after another on each agent, given to
``_waiter.follow_runs`` with the agent of each run as the role gives them (each agent's first
run, then each agent's second, ...), the follow-up starting 0.7 s after the triggers. Each run's
item turns final up to 0.5 s after the run reads Finished (the finish lag, spread as the
emulator spreads it). The controller is the unit tests' ``FakeController`` on their
``FakeClock``: no emulator, no real time, every request counted.

    .venv/bin/python tests/bench/large_scale.py --runs 1000 [--no-agents]

Prints one JSON document: requests per run (the trigger counted, as the benchmark does), the
poll rounds, the waiter's CPU time (``time.process_time``, every thread) in all and per round,
how long after the last run's end the waiter saw it, and the process's peak RSS (VmHWM). Run in
a fresh process for each size, so that the peak RSS is that size's.
"""

import argparse
import importlib
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench  # noqa: E402  (the same temporary collections tree as make bench)

PER_AGENT = 10
DURATION = 5.0
FINISH_LAG = 0.5
OFFSET = 0.7  # the follow-up starts this long after the triggers
GOLDEN_RATIO = (5 ** 0.5 - 1) / 2


def make_runs(fake, runs):
    agents = runs // PER_AGENT
    made, agent_of = [], {}
    for turn in range(PER_AGENT):
        for agent in range(agents):
            number = len(made) + 1
            start, end = max(turn * DURATION - OFFSET, 0.0), (turn + 1) * DURATION - OFFSET
            run_id = "run-%d-%d" % (agent, turn)
            lag = FINISH_LAG * ((number * GOLDEN_RATIO) % 1.0)
            item = fake.FakeItem(run_id + "-item", statuses=[(start + 0.2, "Running"), (end + lag, "Passed")])
            statuses = ([(0, "Queued")] if start else []) + [(start, "Executing"), (end, "Finished")]
            made.append(fake.FakeRun(run_id, statuses=statuses, items=[item]))
            agent_of[run_id] = "agent-%d" % agent
    return made, agent_of


def peak_rss_mb():
    with open("/proc/self/status", encoding="ascii") as stream:
        for line in stream:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="how many runs (a multiple of %d)" % PER_AGENT)
    parser.add_argument("--no-agents", action="store_true", help="do not give the waiter the runs' agents")
    args = parser.parse_args()
    modules = bench.load_modules(tempfile.mkdtemp(prefix="leapwork-large-"))
    waiter = modules["waiter"]
    fake = importlib.import_module("ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller")
    runs, agent_of = make_runs(fake, args.runs)
    clock = fake.FakeClock()
    controller = fake.FakeController(clock, runs)
    cpu = time.process_time()
    results = waiter.follow_runs(controller, [run.run_id for run in runs], wait_timeout=3600, poll_interval=5,
                                 clock=clock, sleep=clock.sleep, agents=None if args.no_agents else agent_of)
    cpu = time.process_time() - cpu
    outcomes = sorted(set(result.outcome for result in results))
    rounds = len(clock.sleeps) + 1
    last_end = PER_AGENT * DURATION - OFFSET
    print(json.dumps({
        "runs": len(runs), "agents": len(set(agent_of.values())), "agents_given": not args.no_agents, "outcomes": outcomes,
        "requests": controller.request_count + len(runs), "requests_per_run": (controller.request_count + len(runs)) / float(len(runs)),
        "by_kind": dict(controller.calls), "rounds": rounds, "cpu_seconds": cpu, "cpu_per_round_ms": cpu / rounds * 1000.0,
        "last_seen_after_last_end": max(result.elapsed_seconds for result in results) - last_end,
        "peak_rss_mb": peak_rss_mb(),
    }, sort_keys=True))


if __name__ == "__main__":
    main()
