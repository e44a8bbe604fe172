# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The agent-pool benchmark (issue 21): flow_run with ``agents`` through ansible-playbook, emulator at speed 1.

Run by ``make bench`` after bench.py (a script of its own, so that the two evolve apart), or alone:
``.venv/bin/python tests/bench/pools.py``. Three measures, each against the same emulator:

1. the floor: one flow_run task (wait) of one flow of ``FLOW_SECONDS`` on one agent; its wall time
   minus the flow's duration is what one task costs beyond its flows (ansible-playbook, the module,
   the reads before the trigger, and seeing the end);
2. 40 flows of 5 s on a pool of 8 agents: wall <= 25 s + floor + 1.5 s, and requests per run <= 6;
3. 24 flows of 1-10 s (a fixed uneven mix, in a fixed order) on a pool of 4 agents: wall <= the
   best possible makespan for that mix * 1.1 + floor.

Prints a table, the load average and one ``BENCH_POOLS_RESULT {json}`` line; exits 1 when a
target is missed. See README.md ("Agent pools").
"""

import heapq
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
EMULATOR_DIR = os.path.join(REPO_ROOT, "tests", "emulator")
ACCESS_KEY = "bench-pools-access-key"

FLOW_SECONDS = 5
EVEN_FLOWS, EVEN_AGENTS = 40, 8
# 24 flows, 1 to 10 s, 136 s in all: a perfect split in four exists (34 s each), and the list
# scheduler's makespan in this order is 34 s too, so the best possible makespan is 34 s.
UNEVEN_MIX = [8, 10, 2, 3, 9, 6, 6, 6, 5, 10, 4, 5, 10, 7, 2, 9, 5, 1, 4, 8, 7, 5, 3, 1]
UNEVEN_AGENTS = 4
SLACK_SECONDS = 1.5
UNEVEN_FACTOR = 1.1
REQUESTS_PER_RUN_TARGET = 6

FLOW_ID = "25000000-0000-4000-8000-%012d"
AGENT_ID = "35000000-0000-4000-8000-%012d"
FLOOR_FLOW = FLOW_ID % 999
UNEVEN_BASE = 100  # the uneven flows are numbered from 101


def catalogue():
    flows = [{"id": FLOW_ID % number, "title": "Pool bench %02d" % number, "folder": "Bench", "duration": FLOW_SECONDS}
             for number in range(1, EVEN_FLOWS + 1)]
    flows += [{"id": FLOW_ID % (UNEVEN_BASE + number), "title": "Pool bench uneven %02d" % number, "folder": "Bench",
               "duration": seconds} for number, seconds in enumerate(UNEVEN_MIX, 1)]
    flows.append({"id": FLOOR_FLOW, "title": "Pool bench floor", "folder": "Bench", "duration": FLOW_SECONDS})
    agents = [{"id": AGENT_ID % number, "title": "Pool bench agent %02d" % number} for number in range(1, EVEN_AGENTS + 2)]
    return {"speed": 1, "grace_polls": 0, "flows": flows, "agents": agents}


def best_makespan(durations, machines):
    """The best makespan of ``durations`` on ``machines`` (branch and bound; fine for 24 jobs on 4)."""
    jobs = sorted(durations, reverse=True)
    loads = [0] * machines
    best = [greedy_makespan(jobs, machines)]

    def place(index):
        if max(loads) >= best[0]:
            return
        if index == len(jobs):
            best[0] = max(loads)
            return
        tried = set()
        for machine in range(machines):
            if loads[machine] in tried:
                continue
            tried.add(loads[machine])
            loads[machine] += jobs[index]
            place(index + 1)
            loads[machine] -= jobs[index]

    place(0)
    return max(best[0], sum(jobs) / float(machines))


def greedy_makespan(durations, machines):
    """The makespan of the list schedule in this order (each job on the machine that frees first)."""
    loads = [0.0] * machines
    for seconds in durations:
        heapq.heappush(loads, heapq.heappop(loads) + seconds)
    return max(loads)


class Bench(object):
    def __init__(self, e2e, emulator, collections_dir, workdir):
        self.e2e = e2e
        self.emu = emulator
        self.playbooks = e2e.Playbooks(collections_dir, emulator, ACCESS_KEY, workdir)
        self.checks = []
        self.data = {}

    def check(self, scenario, metric, value, target, ok):
        self.checks.append((scenario, metric, value, target, ok))

    def run(self, flows, agents):
        """One flow_run task over a pool; wall, runs and requests, and whether any run waited in a queue."""
        self.emu.clear_requests()
        load = self.e2e.load()
        outcome = self.playbooks.run("pools.yml", {"bench_flows": [{"flow_id": flow} for flow in flows],
                                                   "bench_agents": agents})
        runs = self.e2e.runs_since(self.emu, outcome["began"])
        log = self.e2e.requests_of(self.emu.requests(), runs)
        task = self.e2e.task_done(outcome["events"], "flow_run") - self.e2e.task_start(outcome["events"], "flow_run")
        queued = [run for run in runs if run["started_wall"] is None or run["started_wall"] - run["created_wall"] > 0.05]
        return {"wall": outcome["wall"], "task": task, "runs": len(runs), "requests": len(log),
                "requests_per_run": len(log) / float(max(len(runs), 1)), "queued_runs": len(queued), "load": load,
                "last_end": max(run["finished_wall"] or 0 for run in runs) - outcome["began"]}

    def floor(self):
        measured = self.run([FLOOR_FLOW], [AGENT_ID % (EVEN_AGENTS + 1)])
        self.data["floor"] = dict(measured, floor=measured["wall"] - FLOW_SECONDS)
        self.check("floor", "one task of one %d s flow: wall (floor = wall - %d s)" % (FLOW_SECONDS, FLOW_SECONDS),
                   "%.2f s (floor %.2f s)" % (measured["wall"], self.data["floor"]["floor"]), "-", True)
        return self.data["floor"]["floor"]

    def even(self, floor):
        measured = self.run([FLOW_ID % number for number in range(1, EVEN_FLOWS + 1)],
                            [AGENT_ID % number for number in range(1, EVEN_AGENTS + 1)])
        ideal = EVEN_FLOWS * FLOW_SECONDS / float(EVEN_AGENTS)
        target = ideal + floor + SLACK_SECONDS
        self.data["even"] = dict(measured, ideal=ideal, target=target)
        name = "%d x %d s on %d agents" % (EVEN_FLOWS, FLOW_SECONDS, EVEN_AGENTS)
        self.check(name, "wall", "%.2f s" % measured["wall"], "<= %.2f s (%g + floor + %g)" % (target, ideal, SLACK_SECONDS),
                   measured["wall"] <= target)
        self.check(name, "requests per run", "%.2f" % measured["requests_per_run"], "<= %d" % REQUESTS_PER_RUN_TARGET,
                   measured["requests_per_run"] <= REQUESTS_PER_RUN_TARGET)
        self.check(name, "runs; runs that waited in an agent's queue", "%d; %d" % (measured["runs"], measured["queued_runs"]),
                   "%d; 0" % EVEN_FLOWS, measured["runs"] == EVEN_FLOWS and measured["queued_runs"] == 0)

    def uneven(self, floor):
        measured = self.run([FLOW_ID % (UNEVEN_BASE + number) for number in range(1, len(UNEVEN_MIX) + 1)],
                            [AGENT_ID % number for number in range(1, UNEVEN_AGENTS + 1)])
        best = best_makespan(UNEVEN_MIX, UNEVEN_AGENTS)
        target = best * UNEVEN_FACTOR + floor
        self.data["uneven"] = dict(measured, best=best, in_order=greedy_makespan(UNEVEN_MIX, UNEVEN_AGENTS), target=target)
        name = "%d flows of 1-10 s on %d agents" % (len(UNEVEN_MIX), UNEVEN_AGENTS)
        self.check(name, "wall", "%.2f s" % measured["wall"], "<= %.2f s (best %g s x %g + floor)" % (target, best, UNEVEN_FACTOR),
                   measured["wall"] <= target)
        self.check(name, "requests per run", "%.2f" % measured["requests_per_run"], "<= %d" % REQUESTS_PER_RUN_TARGET,
                   measured["requests_per_run"] <= REQUESTS_PER_RUN_TARGET)


def main():
    sys.path.insert(0, HERE)
    sys.path.insert(0, EMULATOR_DIR)
    import end_to_end as e2e  # pylint: disable=import-outside-toplevel
    from leapwork_emulator import Emulator  # pylint: disable=import-outside-toplevel
    import bench as library  # pylint: disable=import-outside-toplevel
    began = time.monotonic()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="leapops-bench-pools-") as collections_dir:
        library.load_modules(collections_dir)
        workdir = tempfile.mkdtemp(prefix="leapops-bench-pools-work-")
        with Emulator(config=catalogue(), access_key=ACCESS_KEY, speed=1) as emulator:
            bench = Bench(e2e, emulator, collections_dir, workdir)
            floor = bench.floor()
            bench.even(floor)
            bench.uneven(floor)
    print("leapops.leapwork agent-pool benchmark: end to end through ansible-playbook, emulator at speed 1, poll_interval 5; "
          "Python %s, %d CPUs; load average %s at the start, %s at the end"
          % (sys.version.split()[0], os.cpu_count() or 0, " ".join("%.2f" % value for value in load_before),
             " ".join("%.2f" % value for value in os.getloadavg())))
    print()
    library.print_table(bench.checks)
    missed = ["%s: %s" % (scenario, metric) for scenario, metric, _value, target, ok in bench.checks if target != "-" and not ok]
    print()
    print("total %.1f s; %s" % (time.monotonic() - began, "every target met" if not missed else "MISSED: " + "; ".join(missed)))
    print("BENCH_POOLS_RESULT " + json.dumps(dict(bench.data, ok=not missed, missed=missed, load=os.getloadavg()),
                                             sort_keys=True, default=str))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
