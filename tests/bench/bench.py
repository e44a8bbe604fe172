# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Performance benchmark: trigger and follow runs against the in-process emulator.

    .venv/bin/python tests/bench/bench.py        (or: make bench)

Library scenarios (speed 10), each with its own client and an emptied request log (see README.md):

1. fan-out: 20 flows on 20 agents triggered in one batch, then followed together;
2. short run: how soon after a 0.5 s run is over follow_runs returns;
3. long run: how many requests a 20 s run costs with poll_interval=5;
3b. large: 100, 300 and 1,000 runs queued on 10, 30 and 100 agents, the waiter on fake time
   (large_scale.py, one process each): requests per run, peak RSS, CPU time per poll round.

Every emulated run reads Finished up to 0.5 s (real) before its last item is final (the
emulator's finish_lag), as a real controller may.

End-to-end scenarios (speed 1, through ansible-playbook; end_to_end.py):

4. the floor (one flow_run task that starts one 5 s flow and waits) against a uri loop doing the
   same, then the role with 1, 10 and 50 flows of 5 s on as many agents;
5. the baselines: a uri + until playbook and the official plugins' algorithm, 5 flows each;
6. the requests of a 10-minute run (emulator at speed 20, the waiter on a clock as fast);
7. 200 runs queued on 20 agents through the role;
8. the comparison, and a chart (e2e-wall-time.svg) of wall time against the number of flows.

Prints a table and one ``BENCH_RESULT {json}`` line; exits 1 when a target is missed.
Standard library, requests, ansible-core and the collection only; everything on 127.0.0.1; about 4 minutes.
"""

import argparse
import importlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
EMULATOR_DIR = os.path.join(REPO_ROOT, "tests", "emulator")
MODULE_UTILS = "ansible_collections.leapops.leapwork.plugins.module_utils."

ACCESS_KEY = "bench-access-key"
SPEED = 10.0  # emulated seconds per real second
FINISH_LAG = 0.5  # real seconds: a run reads Finished up to this long before its last item is final

FAN_OUT = 20
FAN_OUT_DURATION = 30  # emulated seconds: 3 s real
FAN_OUT_NON_PASS = {19: "Failed", 20: "Error"}  # so that the keyframe reads are measured too
FAN_OUT_CONCURRENCY = 8
# Real seconds allowed past the poll that sees the longest flow over: 20 triggers and five poll
# rounds of 20 runs (each round delays the next: pauses are counted from the end of a round).
FAN_OUT_SLACK = 1.0
SHORT_DURATION = 5  # emulated seconds: 0.5 s real
SHORT_REPEATS = 3
SHORT_LATENCY_TARGET = 1.5
LONG_DURATION = 200  # emulated seconds: 20 s real
POLL_INTERVAL = 5.0
# A poll reads the run status alone; the items (GET /run/{id}/runItemIds, then GET /runItems/{id}
# for a run with one item) are read once the run is Finished, or every ITEM_REFRESH_SECONDS while
# it executes (never within these scenarios' 20 s): two requests per run, and more when the item
# is not final yet (the finish lag: it is read again, alone, on the waiter's settle schedule; see
# item_requests_bound), plus one keyframe read for an item that did not pass.
SVG_PATH = os.path.join(HERE, "e2e-wall-time.svg")

FLOW_FAN_OUT = "22000000-0000-4000-8000-%012d"
AGENT_FAN_OUT = "32000000-0000-4000-8000-%012d"
FLOW_SHORT = "22000000-0000-4000-8000-000000000101"
FLOW_LONG = "22000000-0000-4000-8000-000000000102"
AGENT_SHORT = "32000000-0000-4000-8000-000000000101"
AGENT_LONG = "32000000-0000-4000-8000-000000000102"

_RUN_PATH = re.compile(r"^/api/v4/run/([^/]+)/(status|runitemids)$", re.IGNORECASE)
_ITEM_PATH = re.compile(r"^/api/v4/runitems/([^/]+)(/keyframes(/.*)?)?$", re.IGNORECASE)
_TRIGGER_PATH = re.compile(r"^/api/v4/flows/([^/]+)/agent/([^/]+)$", re.IGNORECASE)


# ---------------------------------------------------------------------------- set-up
def load_modules(collections_dir):
    """Import the emulator and the collection's module_utils through a temporary collections tree."""
    link_parent = os.path.join(collections_dir, "ansible_collections", "leapops")
    os.makedirs(link_parent)
    os.symlink(REPO_ROOT, os.path.join(link_parent, "leapwork"), target_is_directory=True)
    sys.path.insert(0, collections_dir)
    sys.path.insert(0, EMULATOR_DIR)
    return {
        "Emulator": importlib.import_module("leapwork_emulator").Emulator,
        "client": importlib.import_module(MODULE_UTILS + "_client"),
        "trigger": importlib.import_module(MODULE_UTILS + "_trigger"),
        "waiter": importlib.import_module(MODULE_UTILS + "_waiter"),
    }


def emulator_config():
    flows, agents = [], []
    for index in range(1, FAN_OUT + 1):
        flows.append({"id": FLOW_FAN_OUT % index, "title": "Bench fan-out %02d" % index, "folder": "Bench",
                      "outcome": FAN_OUT_NON_PASS.get(index, "Passed"), "duration": FAN_OUT_DURATION})
        agents.append({"id": AGENT_FAN_OUT % index, "title": "Bench agent %02d" % index, "host": "bench-%02d" % index})
    flows.append({"id": FLOW_SHORT, "title": "Bench short", "folder": "Bench", "outcome": "Passed", "duration": SHORT_DURATION})
    flows.append({"id": FLOW_LONG, "title": "Bench long", "folder": "Bench", "outcome": "Passed", "duration": LONG_DURATION})
    agents.append({"id": AGENT_SHORT, "title": "Bench agent short", "host": "bench-short"})
    agents.append({"id": AGENT_LONG, "title": "Bench agent long", "host": "bench-long"})
    return {"speed": SPEED, "grace_polls": 0, "finish_lag": FINISH_LAG * SPEED, "flows": flows, "agents": agents}


# ---------------------------------------------------------------------------- bounds
def fake_time_schedule(waiter, length, poll_interval):
    """The status polls the waiter makes for a run of ``length`` seconds alone, and when it sees
    the run over: the real ``follow_runs`` on the unit tests' fake controller and fake time (the
    backoff and the beats, see _waiter.py)."""
    fake = importlib.import_module("ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller")
    clock = fake.FakeClock()
    controller = fake.FakeController(clock, [fake.simple_run("r", duration=length)])
    [result] = waiter.follow_runs(controller, ["r"], wait_timeout=length * 2 + 60, poll_interval=poll_interval,
                                  clock=clock, sleep=clock.sleep)
    return controller.calls["run_status"], result.elapsed_seconds


def item_requests_bound(waiter, poll_interval):
    """Most item requests for a run of one item (its item list, then the item until it is final)
    when the item turns final up to FINISH_LAG after the run reads Finished: the real
    ``follow_runs`` on fake time, the end seen the moment it comes (so the whole lag is left to
    wait out) and the lag a hair under FINISH_LAG (3 requests before issue #20's settle reads, 5
    with them: the item at the end, 0.4, 0.45 and 0.55 s after). Real time gives no more: the
    pauses after the first read again are counted from the end of a poll round."""
    fake = importlib.import_module("ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller")
    clock = fake.FakeClock()
    item = fake.FakeItem("i", statuses=[(0.2, "Running"), (5 + FINISH_LAG - 0.001, "Passed")])
    controller = fake.FakeController(clock, [fake.FakeRun("r", statuses=[(0, "Executing"), (5, "Finished")], items=[item])])
    waiter.follow_runs(controller, ["r"], wait_timeout=60, poll_interval=poll_interval, clock=clock, sleep=clock.sleep)
    return controller.calls["run_item_ids"] + controller.calls["run_item"]


def poll_bound(real_duration, poll_interval, waiter):
    """Most status polls the waiter makes for a run lasting ``real_duration`` seconds: as many as
    on fake time (actual gaps are never shorter than scheduled: they are counted from the end of
    a poll round, so real time gives no more polls)."""
    return fake_time_schedule(waiter, real_duration, poll_interval)[0]


# ---------------------------------------------------------------------------- request accounting
def requests_by_run(log, runs):
    """{run_id: {"trigger", "status", "item_ids", "item", "keyframes", "total"}} from the emulator's request log."""
    run_of_item, run_of_trigger = {}, {}
    for run in runs:
        run_of_trigger[(run["flow_id"], run["agent_id"])] = run["run_id"]
        for item in run["items"]:
            run_of_item[item["run_item_id"].lower()] = run["run_id"]
    counts = {}
    unattributed = 0
    for entry in log:
        path = entry["path"]
        match = _RUN_PATH.match(path)
        if match:
            run_id, kind = match.group(1).lower(), "status" if match.group(2).lower() == "status" else "item_ids"
        else:
            match = _ITEM_PATH.match(path)
            if match:
                run_id, kind = run_of_item.get(match.group(1).lower()), "keyframes" if match.group(2) else "item"
            else:
                match = _TRIGGER_PATH.match(path)
                run_id = run_of_trigger.get((match.group(1).lower(), match.group(2).lower())) if match else None
                kind = "trigger"
        if run_id is None:
            unattributed += 1
            continue
        row = counts.setdefault(run_id, {"trigger": 0, "status": 0, "item_ids": 0, "item": 0, "keyframes": 0, "total": 0})
        row[kind] += 1
        row["total"] += 1
    return counts, unattributed


# ---------------------------------------------------------------------------- scenarios
class Bench(object):
    """The emulator, the modules, and the checks made so far."""

    def __init__(self, modules, emulator):
        self.m = modules
        self.emu = emulator
        self.checks = []  # (scenario, metric, value, target text, ok)
        self.results = {}

    def check(self, scenario, metric, value, target, ok):
        self.checks.append((scenario, metric, value, target, bool(ok)))

    def new_client(self):
        self.emu.clear_requests()
        return self.m["client"].LeapworkClient(self.emu.url, ACCESS_KEY, request_timeout=10)

    def trigger(self, client, pairs, max_concurrency=FAN_OUT_CONCURRENCY):
        trigger_mod = self.m["trigger"]
        requests = [trigger_mod.RunRequest(flow_id, agent_id) for flow_id, agent_id in pairs]
        results = trigger_mod.Trigger(client, client.controller_url).start_runs(requests, max_concurrency=max_concurrency)
        errors = [result.error for result in results if result.error or not result.run_id]
        if errors:
            raise RuntimeError("trigger failed: %s" % errors[0])
        return [result.run_id for result in results]

    def follow(self, client, run_ids, wait_timeout):
        return self.m["waiter"].follow_runs(client, run_ids, wait_timeout=wait_timeout, poll_interval=POLL_INTERVAL)

    def fan_out(self):
        name = "1 fan-out"
        client = self.new_client()
        pairs = [(FLOW_FAN_OUT % index, AGENT_FAN_OUT % index) for index in range(1, FAN_OUT + 1)]
        with client:
            started = time.monotonic()
            run_ids = self.trigger(client, pairs)
            triggered = time.monotonic()
            results = self.follow(client, run_ids, wait_timeout=30)
            wall = time.monotonic() - started
            client_count = client.request_count
        log = self.emu.requests()
        counts, unattributed = requests_by_run(log, self.emu.runs())
        longest = FAN_OUT_DURATION / SPEED
        seen_at = fake_time_schedule(self.m["waiter"], longest, POLL_INTERVAL)[1]
        wall_target = seen_at + FINISH_LAG + FAN_OUT_SLACK
        waiter = self.m["waiter"]
        polls_max = poll_bound(longest, POLL_INTERVAL, waiter)
        item_requests = item_requests_bound(waiter, POLL_INTERVAL)
        # The runs execute side by side, a herd: the first SCOUTS are polled at least every
        # scout_pause (the others trail, well under polls_max), so their bound is their own.
        scout_pause = max(waiter.SCOUT_MIN_PAUSE, POLL_INTERVAL * waiter.SCOUTS / FAN_OUT)
        scout_polls_max = int(longest / scout_pause) + 2
        polls_bounds = dict((run_id, scout_polls_max if position < waiter.SCOUTS else polls_max)
                            for position, run_id in enumerate(run_ids))
        run_bounds = {}
        for index, run_id in enumerate(run_ids, 1):
            run_bounds[run_id] = 1 + polls_bounds[run_id] + item_requests + (1 if index in FAN_OUT_NON_PASS else 0)
        total_bound = sum(run_bounds.values())
        per_run = [counts.get(run_id, {}).get("total", 0) for run_id in run_ids]
        over = [run_id for run_id in run_ids if counts.get(run_id, {}).get("total", 0) > run_bounds[run_id]]
        expected = ["failed" if FAN_OUT_NON_PASS.get(index) == "Failed" else "error" if index in FAN_OUT_NON_PASS else "passed"
                    for index in range(1, FAN_OUT + 1)]
        outcomes = [result.outcome for result in results]
        timed_out = sum(1 for result in results if result.timed_out)

        self.check(name, "outcomes as configured, none timed out", "%d/%d" % (sum(a == b for a, b in zip(outcomes, expected)), FAN_OUT),
                   "%d/%d" % (FAN_OUT, FAN_OUT), outcomes == expected and not timed_out)
        self.check(name, "wall time, first trigger to all results (s)", "%.2f" % wall,
                   "<= %.2f (poll at %.2f + lag %.1f + %.1f)" % (wall_target, seen_at, FINISH_LAG, FAN_OUT_SLACK), wall <= wall_target)
        self.check(name, "  of which triggering 20 runs (s)", "%.2f" % (triggered - started), "-", True)
        self.check(name, "HTTP requests: client / emulator log", "%d / %d" % (client_count, len(log)), "equal",
                   client_count == len(log) and not unattributed)
        self.check(name, "HTTP requests in all", len(log), "<= %d" % total_bound, len(log) <= total_bound)
        self.check(name, "requests per run: min / median / max", "%d / %g / %d" % (min(per_run), statistics.median(per_run), max(per_run)),
                   "<= 1 + %d (scouts %d) + %d (+1 if not passed)" % (polls_max, scout_polls_max, item_requests), not over)
        kinds = ("trigger", "status", "item_ids", "item", "keyframes")
        self.check(name, "  by kind", " ".join("%s %d" % (kind, sum(row[kind] for row in counts.values())) for kind in kinds), "-", True)
        status_polls = [counts.get(run_id, {}).get("status", 0) for run_id in run_ids]
        scouts, others = status_polls[:waiter.SCOUTS], status_polls[waiter.SCOUTS:]
        self.check(name, "status polls: %d scouts (max); the others (min / max)" % waiter.SCOUTS,
                   "%d; %d / %d" % (max(scouts), min(others), max(others)), "<= %d; <= %d" % (scout_polls_max, polls_max),
                   max(scouts) <= scout_polls_max and max(others) <= polls_max)
        self.results["fan_out"] = {
            "runs": FAN_OUT, "flow_real_seconds": longest, "wall_seconds": round(wall, 3),
            "trigger_seconds": round(triggered - started, 3), "wall_target_seconds": wall_target,
            "requests_client": client_count, "requests_emulator": len(log), "requests_bound": total_bound,
            "requests_per_run": per_run, "requests_per_run_bound": 1 + polls_max + item_requests,
            "status_polls_per_run_max": max(status_polls), "status_polls_bound": polls_max,
            "by_kind": {kind: sum(row[kind] for row in counts.values()) for kind in ("trigger", "status", "item_ids", "item", "keyframes")},
        }

    def short_run(self):
        name = "2 short run"
        latencies, follow_seconds, polls = [], [], []
        ok_outcomes = True
        for _repeat in range(SHORT_REPEATS):
            client = self.new_client()
            with client:
                started = time.monotonic()
                run_id = self.trigger(client, [(FLOW_SHORT, AGENT_SHORT)])[0]
                result = self.follow(client, [run_id], wait_timeout=10)[0]
                returned_wall = time.time()
                follow_seconds.append(time.monotonic() - started)
            ok_outcomes = ok_outcomes and result.outcome == "passed" and not result.timed_out
            record = [run for run in self.emu.runs() if run["run_id"] == run_id][0]
            over_wall = record["final_wall"]  # Finished, and its item final (the finish lag after)
            latencies.append(returned_wall - over_wall if over_wall is not None else float("inf"))
            counts, _unattributed = requests_by_run(self.emu.requests(), [record])
            polls.append(counts.get(run_id, {}).get("status", 0))
        worst = max(latencies)
        self.check(name, "outcome passed (x%d)" % SHORT_REPEATS, "yes" if ok_outcomes else "no", "yes", ok_outcomes)
        self.check(name, "run over -> follow_runs returned (s), worst", "%.3f" % worst,
                   "<= %.1f" % SHORT_LATENCY_TARGET, worst <= SHORT_LATENCY_TARGET)
        self.check(name, "  each repeat (s)", " ".join("%.3f" % value for value in latencies), "-", True)
        self.check(name, "  trigger to result (s), status polls", "%.2f, %d" % (max(follow_seconds), max(polls)), "-", True)
        self.results["short_run"] = {
            "flow_real_seconds": SHORT_DURATION / SPEED, "latency_seconds": [round(value, 3) for value in latencies],
            "latency_worst_seconds": round(worst, 3), "latency_target_seconds": SHORT_LATENCY_TARGET,
            "status_polls_max": max(polls),
        }

    def long_run(self):
        name = "3 long run"
        waiter = self.m["waiter"]
        client = self.new_client()
        real = LONG_DURATION / SPEED
        with client:
            started = time.monotonic()
            run_id = self.trigger(client, [(FLOW_LONG, AGENT_LONG)])[0]
            result = self.follow(client, [run_id], wait_timeout=real + 20)[0]
            wall = time.monotonic() - started
            client_count = client.request_count
        log = self.emu.requests()
        record = [run for run in self.emu.runs() if run["run_id"] == run_id][0]
        counts, _unattributed = requests_by_run(log, [record])
        row = counts.get(run_id, {})
        polls = row.get("status", 0)
        bound = poll_bound(real, POLL_INTERVAL, waiter)
        item_requests = item_requests_bound(waiter, POLL_INTERVAL)
        steady = int(-(-real // POLL_INTERVAL))
        self.check(name, "outcome passed", result.outcome, "passed", result.outcome == "passed" and not result.timed_out)
        self.check(name, "status polls over %.0f s (poll_interval %g)" % (real, POLL_INTERVAL), polls, "<= %d" % bound, polls <= bound)
        self.check(name, "  for scale: %.0f/%g" % (real, POLL_INTERVAL), "%d" % steady, "-", True)
        self.check(name, "HTTP requests in all (client / log)", "%d / %d" % (client_count, len(log)),
                   "<= %d" % (1 + bound + item_requests), client_count == len(log) <= 1 + bound + item_requests)
        self.check(name, "  trigger to result (s)", "%.2f" % wall, "-", True)
        self.results["long_run"] = {
            "flow_real_seconds": real, "poll_interval": POLL_INTERVAL, "status_polls": polls, "status_polls_bound": bound,
            "requests": len(log), "wall_seconds": round(wall, 3),
        }


LARGE_SIZES = (100, 300, 1000)
LARGE_REQUESTS_PER_RUN = 7
LARGE_RSS_MB = 150
# The waiter's CPU time per round may grow with the number of runs, no faster: per run, the
# largest size's cost per round is at most this many times the smallest's.
LARGE_LINEAR_SLACK = 1.5


def large(bench):
    """Scenario 3b: large_scale.py in a fresh process for each size."""
    name = "3b large"
    rows = []
    for runs in LARGE_SIZES:
        output = subprocess.run([sys.executable, os.path.join(HERE, "large_scale.py"), "--runs", str(runs)],
                                check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(output.strip().splitlines()[-1]))
    for row in rows:
        bench.check(name, "%d runs on %d agents: requests per run; peak RSS (MB); rounds; CPU per round (ms)" % (row["runs"], row["agents"]),
                    "%.2f; %.1f; %d; %.3f" % (row["requests_per_run"], row["peak_rss_mb"], row["rounds"], row["cpu_per_round_ms"]),
                    "-", True)
    last, first = rows[-1], rows[0]
    bench.check(name, "%d runs: outcomes" % last["runs"], " ".join(last["outcomes"]), "passed", last["outcomes"] == ["passed"])
    bench.check(name, "%d runs: requests per run (fake time, finish lag up to %.1f s)" % (last["runs"], FINISH_LAG),
                "%.2f" % last["requests_per_run"], "<= %d" % LARGE_REQUESTS_PER_RUN, last["requests_per_run"] <= LARGE_REQUESTS_PER_RUN)
    bench.check(name, "  by kind", " ".join("%s %d" % item for item in sorted(last["by_kind"].items())), "-", True)
    bench.check(name, "%d runs: peak RSS (MB)" % last["runs"], "%.1f" % last["peak_rss_mb"], "<= %d" % LARGE_RSS_MB,
                last["peak_rss_mb"] <= LARGE_RSS_MB)
    growth = (last["cpu_per_round_ms"] / last["runs"]) / (first["cpu_per_round_ms"] / first["runs"])
    bench.check(name, "CPU per round per run, %d against %d runs" % (last["runs"], first["runs"]), "%.2fx" % growth,
                "<= %gx (linear)" % LARGE_LINEAR_SLACK, growth <= LARGE_LINEAR_SLACK)
    bench.results["large"] = rows


def print_table(checks):
    rows = [("scenario", "metric", "measured", "target", "")]
    rows += [(scenario, metric, str(value), str(target), "" if target == "-" else ("ok" if ok else "MISSED"))
             for scenario, metric, value, target, ok in checks]
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    for number, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))


LIBRARY_SCENARIOS = ("fan_out", "short_run", "long_run", "large")
E2E_SCENARIOS = ("floor", "e2e", "long_poll", "scale")


def end_to_end(bench, modules, collections_dir, scenarios):
    """Scenarios 4-8 against an emulator at speed 1 (and one at speed 20 for the 10-minute run)."""
    e2e = importlib.import_module("end_to_end")
    workdir = e2e.workdir()
    with modules["Emulator"](config=e2e.catalogue(), access_key=ACCESS_KEY, speed=1) as emulator:
        runner = e2e.EndToEnd(bench, emulator, collections_dir, ACCESS_KEY, workdir)
        if "floor" in scenarios or "e2e" in scenarios:
            runner.floor()  # the role's wall-time target is relative to it
        if "e2e" in scenarios:
            runner.roles()
            runner.baselines()
            runner.compare()
            write_chart(e2e, runner.data)
        if "long_poll" in scenarios:
            runner.long_run(modules, modules["Emulator"])
        if "scale" in scenarios:
            runner.scale()
    bench.results["end_to_end"] = runner.data


def write_chart(e2e, data):
    series = [("leapops.leapwork role\n(N flows on N agents)", [(point["flows"], point["wall"]) for point in data["role"]], [])]
    for key, label in (("uri", "uri + until,\none flow after another"), ("official", "official plugins'\nalgorithm")):
        per_flow = data[key]["per_flow"]
        measured = list(enumerate(per_flow, 1))
        extrapolated = [measured[-1], (e2e.ROLE_FLOWS, data[key]["wall_per_flow"] * e2e.ROLE_FLOWS)] if measured else []
        series.append((label, measured, extrapolated))
    subtitle = "%s, %d CPUs, load %.1f, Python %s, emulator at speed 1, poll_interval 5" % (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count() or 0, data["role"][-1]["load"], sys.version.split()[0])
    importlib.import_module("chart").write_svg(SVG_PATH, "Wall time to run N flows of 5 s and learn the result", subtitle,
                                               series, e2e.ROLE_FLOWS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=LIBRARY_SCENARIOS + E2E_SCENARIOS, action="append",
                        help="run only this scenario (repeatable)")
    args = parser.parse_args()
    scenarios = args.only or list(LIBRARY_SCENARIOS + E2E_SCENARIOS)
    began = time.monotonic()
    sys.path.insert(0, HERE)
    uptime_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="leapops-bench-collections-") as collections_dir:
        modules = load_modules(collections_dir)
        library = [scenario for scenario in scenarios if scenario in LIBRARY_SCENARIOS]
        bench = None
        with modules["Emulator"](config=emulator_config(), access_key=ACCESS_KEY, speed=SPEED) as emulator:
            bench = Bench(modules, emulator)
            for scenario in library:
                if scenario == "large":
                    large(bench)
                else:
                    getattr(bench, scenario)()
        if any(scenario in E2E_SCENARIOS for scenario in scenarios):
            end_to_end(bench, modules, collections_dir, scenarios)
    total = time.monotonic() - began
    print("leapops.leapwork benchmark: library at emulator speed %g, end to end at speed 1; poll_interval %g s; "
          "Python %s, %d CPUs; load average %s at the start, %s at the end"
          % (SPEED, POLL_INTERVAL, sys.version.split()[0], os.cpu_count() or 0,
             " ".join("%.2f" % value for value in uptime_before), " ".join("%.2f" % value for value in os.getloadavg())))
    print()
    print_table(bench.checks)
    missed = [metric.strip() for scenario, metric, _value, target, ok in bench.checks if target != "-" and not ok]
    print()
    if "e2e" in scenarios:
        print("chart: %s" % os.path.relpath(SVG_PATH, REPO_ROOT))
    print("total %.1f s; %s" % (total, "every target met" if not missed else "MISSED: " + "; ".join(missed)))
    document = dict(bench.results, ok=not missed, missed=missed, total_seconds=round(total, 1), speed=SPEED,
                    python=sys.version.split()[0], cpus=os.cpu_count(), load=os.getloadavg())
    print("BENCH_RESULT " + json.dumps(document, sort_keys=True, default=str))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
