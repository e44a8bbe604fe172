# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The end-to-end part of the benchmark: ansible-playbook and the role against the emulator at speed 1.

Used by bench.py (see README.md). Three ways to run N flows of 5 s, side by side, against one
emulator: the role ``leapops.leapwork.verify_deployment`` (N flows on N agents), the ``uri`` +
``until`` playbook a user writes without the collection, and the official plugins' algorithm
(``official_algorithm.py``). Then the polling cost of a 10-minute run (emulator at speed 20, the
waiter on a clock 20 times faster) and 200 runs queued on 20 agents through the role.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

FLOW_SECONDS = 5
POLL_INTERVAL = 5
# A run reads Finished up to this long before its last item is final (the emulator's finish_lag).
FINISH_LAG = 0.5
FLOOR_REPEATS = 3  # the floor and the uri loop, one after the other, this many times (medians)
ROLE_FLOWS = 50
ROLE_SIZES = (1, 10, ROLE_FLOWS)  # the chart's points; the targets use the last
ROLE_REPEATS = 3  # the role with ROLE_FLOWS flows, this many times: its wall time is a median, as the floor's is
BASELINE_FLOWS = 5  # the baselines run this many flows, scaled linearly to ROLE_FLOWS
SCALE_AGENTS = 20
SCALE_PER_AGENT = 10
SCALE_LIMIT = SCALE_PER_AGENT * FLOW_SECONDS  # the physical limit: ten 5 s flows one after another
LONG_SECONDS = 600
LONG_SPEED = 20.0

# Targets (issue #20).
FLOOR_SLACK = 0.5  # the floor (one flow_run task, one flow) <= the uri loop for one flow + this
ROLE_OVER_FLOOR = 1.0  # the role with 50 flows <= the floor + this
SPEED_UP_TARGET = 10.0
REQUESTS_PER_RUN_TARGET = 6
LONG_PER_MINUTE_TARGET = 15
LATENCY_MEDIAN_TARGET = 0.5
SCALE_WALL_TARGET = SCALE_LIMIT + 5
SCALE_RSS_TARGET_MB = 150
SCALE_REQUESTS_PER_RUN_TARGET = 7  # the floor is 4: trigger, the status that sees Finished, item ids, item

FLOW_ID = "24000000-0000-4000-8000-%012d"
AGENT_ID = "34000000-0000-4000-8000-%012d"
LONG_FLOW = "24000000-0000-4000-8000-000000000999"
# Agents: 1-50 the role, 51-55 the uri playbook, 56-60 the official algorithm, 61-80 the scale
# test, 81 the floor and its uri loop.
URI_AGENTS = range(51, 51 + BASELINE_FLOWS)
OFFICIAL_AGENTS = range(56, 56 + BASELINE_FLOWS)
SCALE_AGENT_IDS = range(61, 61 + SCALE_AGENTS)
FLOOR_AGENT = 81

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def catalogue():
    flows = [{"id": FLOW_ID % number, "title": "E2E flow %02d" % number, "folder": "Bench", "outcome": "Passed",
              "duration": FLOW_SECONDS} for number in range(1, ROLE_FLOWS + 1)]
    flows.append({"id": LONG_FLOW, "title": "E2E ten minutes", "folder": "Bench", "outcome": "Passed", "duration": LONG_SECONDS})
    agents = [{"id": AGENT_ID % number, "title": "E2E agent %02d" % number, "host": "e2e-%02d" % number}
              for number in range(1, FLOOR_AGENT + 1)]
    return {"speed": 1, "grace_polls": 0, "finish_lag": FINISH_LAG, "flows": flows, "agents": agents}


def pairs(flow_numbers, agent_numbers):
    return [{"flow_id": FLOW_ID % flow, "agent_id": AGENT_ID % agent} for flow, agent in zip(flow_numbers, agent_numbers)]


def load():
    return os.getloadavg()[0]


# ---------------------------------------------------------------------------- measuring tools
class PeakRss(object):
    """Samples the peak RSS (VmHWM) of module processes (``AnsiballZ_<name>`` in their command line)."""

    def __init__(self, pattern="AnsiballZ_", interval=0.1):
        self.pattern = pattern.encode()
        self.interval = interval
        self.peak_kb = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    self._sample(pid)
            self._stop.wait(self.interval)

    def _sample(self, pid):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as stream:
                cmdline = stream.read()
            if self.pattern not in cmdline:
                return
            name = re.search(rb"AnsiballZ_(\w+)\.py", cmdline)
            with open("/proc/%s/status" % pid, encoding="ascii", errors="replace") as stream:
                for line in stream:
                    if line.startswith("VmHWM:"):
                        key = name.group(1).decode() if name else "module"
                        self.peak_kb[key] = max(self.peak_kb.get(key, 0), int(line.split()[1]))
        except (OSError, ValueError):
            pass  # the process ended meanwhile


class Playbooks(object):
    """Runs ansible-playbook on localhost with the collection from ``collections_dir``."""

    def __init__(self, collections_dir, emulator, access_key, workdir):
        self.collections_dir = collections_dir
        self.emulator = emulator
        self.access_key = access_key
        self.workdir = workdir
        self.count = 0

    def start(self, playbook, extra_vars):
        self.count += 1
        vars_path = os.path.join(self.workdir, "vars-%d.json" % self.count)
        timer_path = os.path.join(self.workdir, "timer-%d.jsonl" % self.count)
        extra_vars = dict(extra_vars, ansible_python_interpreter=sys.executable,
                          bench_controller_url=self.emulator.url, bench_access_key=self.access_key,
                          bench_ledger_path=os.path.join(self.workdir, "ledger.json"))
        with open(vars_path, "w", encoding="utf-8") as stream:
            json.dump(extra_vars, stream)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=self.collections_dir,
                   ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, "callback_plugins"), ANSIBLE_CALLBACKS_ENABLED="bench_timer",
                   BENCH_TIMER_PATH=timer_path, LEAPWORK_CONTROLLER_URL=self.emulator.url,
                   LEAPWORK_ACCESS_KEY=self.access_key, ANSIBLE_LOCALHOST_WARNING="False",
                   ANSIBLE_LOCAL_TEMP=os.path.join(self.workdir, "ansible-local"),
                   ANSIBLE_REMOTE_TEMP=os.path.join(self.workdir, "ansible-remote"))
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
                   os.path.join(HERE, playbook), "-e", "@" + vars_path]
        began = time.time()
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # pylint: disable=consider-using-with
        return process, began, timer_path

    @staticmethod
    def finish(process, began, timer_path):
        output, _unused = process.communicate()
        ended = time.time()
        events = []
        if os.path.exists(timer_path):
            with open(timer_path, encoding="utf-8") as stream:
                events = [json.loads(line) for line in stream]
        if process.returncode != 0:
            raise RuntimeError("ansible-playbook failed (%d):\n%s" % (process.returncode, output[-3000:]))
        return {"began": began, "ended": ended, "wall": ended - began, "events": events, "output": output}

    def run(self, playbook, extra_vars):
        return self.finish(*self.start(playbook, extra_vars))


def task_done(events, name):
    return next(event["wall"] for event in events if event["event"] == "task_done" and event["task"].endswith(name))


def task_start(events, name):
    return next(event["wall"] for event in events if event["event"] == "task_start" and event["task"].endswith(name))


def runs_since(emulator, began):
    return [run for run in emulator.runs() if run["created_wall"] >= began - 0.001]


def requests_of(log, runs):
    """The log entries about ``runs`` (their trigger, the run, its items)."""
    run_ids = set(run["run_id"].lower() for run in runs)
    item_ids = set(item["run_item_id"].lower() for run in runs for item in run["items"])
    triggers = set((run["flow_id"].lower(), run["agent_id"].lower()) for run in runs)
    chosen = []
    for entry in log:
        ids = [value.lower() for value in _GUID.findall(entry["path"])]
        if (ids and (ids[0] in run_ids or ids[0] in item_ids)) or tuple(ids) in triggers:
            chosen.append(entry)
    return chosen


# ---------------------------------------------------------------------------- the scenarios
class EndToEnd(object):
    def __init__(self, bench, emulator, collections_dir, access_key, workdir):
        self.bench = bench
        self.emu = emulator
        self.playbooks = Playbooks(collections_dir, emulator, access_key, workdir)
        self.access_key = access_key
        self.workdir = workdir
        self.data = {}

    def check(self, scenario, metric, value, target, ok):
        self.bench.check(scenario, metric, value, target, ok)

    # ------------------------------------------------------------ the role at N = 1, 10, 50
    def role(self, flows):
        self.emu.clear_requests()
        load_before = load()
        result = self.playbooks.run("role.yml", {"bench_flows": pairs(range(1, flows + 1), range(1, flows + 1))})
        runs = runs_since(self.emu, result["began"])
        log = requests_of(self.emu.requests(), runs)
        events = result["events"]
        followed = task_done(events, "Follow every run to the end")
        ended = [run["finished_wall"] for run in runs]
        # Over: Finished and its item final (the finish lag later); the task cannot return before.
        over = [run["final_wall"] or run["finished_wall"] for run in runs]
        outcome = _published_outcome(events)
        first_request = min(entry["wall"] for entry in log)
        return {
            "flows": flows, "wall": result["wall"], "requests": len(log), "runs": len(runs),
            "requests_per_run": len(log) / max(len(runs), 1), "load": load_before,
            "latency_median": statistics.median(followed - value for value in over),
            "noticed_median": statistics.median(_noticed_after(log, runs)),
            "outcome": outcome,
            "breakdown": {
                "ansible-playbook start to first task": events[1]["wall"] - result["began"] if len(events) > 1 else None,
                "role tasks before flow_run": task_start(events, "Start every flow") - events[1]["wall"],
                "flow_run start-up (task start to first trigger)": first_request - task_start(events, "Start every flow"),
                "triggering": max(run["created_wall"] for run in runs) - first_request,
                "flow_run end (last trigger to task done)": task_done(events, "Start every flow") - max(run["created_wall"] for run in runs),
                "run_info start-up (task start to first poll)": min(
                    entry["wall"] for entry in log if "/status" in entry["path"]) - task_start(events, "Follow every run to the end"),
                "runs executing (first run start to last run end)": max(ended) - min(run["created_wall"] for run in runs),
                "last run end to run_info done": followed - max(ended),
                "  last run over (Finished, item final) to run_info done": followed - max(over),
                "  of which: the finish lag, median": statistics.median(end - value for end, value in zip(over, ended)),
                "  of which: run end to the status poll that sees it, median": statistics.median(_noticed_after(log, runs)),
                "  of which: run_info's last request to task done": followed - max(entry["wall"] for entry in log),
                "role tasks after run_info": events[-1]["wall"] - followed,
                "ansible-playbook exit": result["ended"] - events[-1]["wall"],
            },
            "by_kind": _by_kind(log),
        }

    # ------------------------------------------------------------ the floor: one flow_run task, one flow
    def floor(self):
        name = "4 e2e floor"
        flows = pairs([1], [FLOOR_AGENT])
        walls = {"floor.yml": [], "uri_floor.yml": []}
        steps = {"floor.yml": [], "uri_floor.yml": []}
        loads = []
        for _repeat in range(FLOOR_REPEATS):
            for playbook in walls:
                loads.append(load())
                self.emu.clear_requests()
                result = self.playbooks.run(playbook, {"bench_flows": flows})
                walls[playbook].append(result["wall"])
                steps[playbook].append(_floor_steps(result, self.emu.requests()))
        floor, uri = statistics.median(walls["floor.yml"]), statistics.median(walls["uri_floor.yml"])
        self.data["floor"] = {"floor_walls": walls["floor.yml"], "uri_walls": walls["uri_floor.yml"], "floor": floor, "uri": uri,
                              "load": max(loads), "steps": steps}
        self.check(name, "the floor: one flow_run task, one flow, wait (s), median of %d" % FLOOR_REPEATS,
                   "%.2f (%s)" % (floor, " ".join("%.2f" % wall for wall in walls["floor.yml"])), "-", True)
        self.check(name, "uri loop, one flow, until every 5 s (s), median (load up to %.1f)" % max(loads),
                   "%.2f (%s)" % (uri, " ".join("%.2f" % wall for wall in walls["uri_floor.yml"])), "-", True)
        self.check(name, "the floor against the uri loop (s)", "%.2f" % floor, "<= %.2f (uri loop + %.1f)" % (uri + FLOOR_SLACK, FLOOR_SLACK),
                   floor <= uri + FLOOR_SLACK)
        for step in ("start to the first task", "first task start to the trigger", "trigger to the read that sees it over",
                     "last request to the play's end"):
            self.check(name, "  %s (s), medians: floor; uri loop" % step, "%.2f; %.2f" % tuple(
                statistics.median(row[step] for row in steps[playbook]) for playbook in ("floor.yml", "uri_floor.yml")), "-", True)

    def roles(self):
        name = "4 e2e role"
        points = [self.role(flows) for flows in ROLE_SIZES[:-1]]
        # The role's wall time against the floor's: a median of as many runs on each side, so that one
        # slow start-up (0.3-0.5 s between two quiet runs) weighs on neither alone.
        repeats = [self.role(ROLE_FLOWS) for _repeat in range(ROLE_REPEATS)]
        main = sorted(repeats, key=lambda point: point["wall"])[len(repeats) // 2]  # the median run
        points.append(main)
        self.data["role"] = points
        self.data["role_repeats"] = repeats
        floor = self.data["floor"]["floor"]
        role_wall_target = floor + ROLE_OVER_FLOOR
        for point in points[:-1]:
            self.check(name, "N=%d: wall (s), requests, load" % point["flows"],
                       "%.2f, %d, %.1f" % (point["wall"], point["requests"], point["load"]), "-", True)

        def each(key, form):
            return " ".join(form % point[key] for point in repeats)

        self.check(name, "N=%d on %d agents: outcome, runs started (each run)" % (ROLE_FLOWS, ROLE_FLOWS),
                   " ".join("%s, %d;" % (point["outcome"], point["runs"]) for point in repeats).rstrip(";"), "passed, %d" % ROLE_FLOWS,
                   all(point["outcome"] == "passed" and point["runs"] == ROLE_FLOWS for point in repeats))
        self.check(name, "N=%d: wall time (s), median of %d (load up to %.1f)" % (ROLE_FLOWS, ROLE_REPEATS, max(point["load"] for point in repeats)),
                   "%.2f (%s)" % (main["wall"], each("wall", "%.2f")),
                   "<= %.2f (floor + %.1f)" % (role_wall_target, ROLE_OVER_FLOOR), main["wall"] <= role_wall_target)
        most = max(point["requests_per_run"] for point in repeats)
        self.check(name, "N=%d: requests per run, the most of %d (finish lag up to %.1f s)" % (ROLE_FLOWS, ROLE_REPEATS, FINISH_LAG),
                   "%.2f (%s)" % (most, each("requests_per_run", "%.2f")), "<= %d" % REQUESTS_PER_RUN_TARGET, most <= REQUESTS_PER_RUN_TARGET)
        self.check(name, "  by kind (the median run)", " ".join("%s %d" % item for item in sorted(main["by_kind"].items())), "-", True)
        latency = statistics.median(point["latency_median"] for point in repeats)
        self.check(name, "N=%d: run over -> task returned (s), median of each run, their median" % ROLE_FLOWS,
                   "%.2f (%s)" % (latency, each("latency_median", "%.2f")), "<= %.1f" % LATENCY_MEDIAN_TARGET, latency <= LATENCY_MEDIAN_TARGET)
        for step, seconds in main["breakdown"].items():
            self.check(name, "  " + step + " (the median run)", "-" if seconds is None else "%.2f" % seconds, "-", True)

    # ------------------------------------------------------------ the two baselines, side by side
    def baselines(self):
        name = "5 baselines"
        self.emu.clear_requests()
        load_before = load()
        flows_path = os.path.join(self.workdir, "official-flows.json")
        with open(flows_path, "w", encoding="utf-8") as stream:
            json.dump(pairs(range(1, BASELINE_FLOWS + 1), OFFICIAL_AGENTS), stream)
        official_began = time.time()
        official = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, os.path.join(HERE, "official_algorithm.py"), "--url", self.emu.url, "--access-key", self.access_key,
             "--flows", flows_path, "--delay", str(POLL_INTERVAL)], stdout=subprocess.PIPE, text=True)
        uri = self.playbooks.run("uri_baseline.yml", {"bench_flows": pairs(range(1, BASELINE_FLOWS + 1), URI_AGENTS)})
        official_output, _unused = official.communicate()
        if official.returncode != 0:
            raise RuntimeError("official_algorithm.py failed")
        official_result = json.loads(official_output)
        official_wall = official_result["wall_seconds"]  # its own clock: it may end before the uri playbook
        log = self.emu.requests()
        runs = runs_since(self.emu, min(uri["began"], official_began))
        uri_runs = [run for run in runs if run["agent_id"] in set(AGENT_ID % number for number in URI_AGENTS)]
        official_runs = [run for run in runs if run["agent_id"] in set(AGENT_ID % number for number in OFFICIAL_AGENTS)]
        self.data["uri"] = self._baseline(uri["wall"], uri_runs, requests_of(log, uri_runs), load_before,
                                          per_flow=_uri_per_flow(uri["events"], uri["began"]))
        self.data["official"] = self._baseline(official_wall, official_runs, requests_of(log, official_runs), load_before,
                                               per_flow=_cumulative(run["seconds"] for run in official_result["runs"]))
        self.data["official"]["verdicts"] = [" ".join(run["item_statuses"]) for run in official_result["runs"]]
        self.check(name, "uri + until, %d flows one after another: wall (s), requests" % BASELINE_FLOWS,
                   "%.2f, %d" % (self.data["uri"]["wall"], self.data["uri"]["requests"]), "-", True)
        self.check(name, "official algorithm, %d flows: wall (s), requests" % BASELINE_FLOWS,
                   "%.2f, %d" % (official_wall, self.data["official"]["requests"]), "-", True)
        self.check(name, "  (both at once, on their own agents; load %.1f)" % load_before, "", "-", True)

    @staticmethod
    def _baseline(wall, runs, log, load_before, per_flow):
        """``per_flow``: seconds from the start to the end of each flow, cumulative."""
        return {"wall": wall, "requests": len(log), "runs": len(runs), "load": load_before, "per_flow": per_flow,
                "wall_per_flow": wall / max(len(runs), 1), "requests_per_run": len(log) / max(len(runs), 1),
                "by_kind": _by_kind(log)}

    # ------------------------------------------------------------ 10 minutes of polling
    def long_run(self, modules, emulator_class):
        name = "6 10-min run"
        speed = LONG_SPEED
        # The lag in emulated seconds, as the waiter's clock counts them: a 10-minute run's item is
        # final up to 0.5 s after the run reads Finished (not 0.5 s of real time, 10 s emulated).
        config = {"speed": speed, "grace_polls": 0, "finish_lag": FINISH_LAG,
                  "flows": [{"id": LONG_FLOW, "title": "Ten minutes", "folder": "Bench", "outcome": "Passed", "duration": LONG_SECONDS}],
                  "agents": [{"id": AGENT_ID % 1, "title": "Agent", "host": "agent"}]}
        # The waiter on a clock as fast as the emulator's: poll_interval 5 and its backoff in emulated seconds.
        origin = time.monotonic()

        def clock():
            return origin + (time.monotonic() - origin) * speed

        def sleep(seconds):
            time.sleep(seconds / speed)

        with emulator_class(config=config, access_key=self.access_key, speed=speed) as emulator:
            client = modules["client"].LeapworkClient(emulator.url, self.access_key, request_timeout=10)
            with client:
                trigger = modules["trigger"]
                [started] = trigger.Trigger(client, client.controller_url).start_runs([trigger.RunRequest(LONG_FLOW, AGENT_ID % 1)])
                [result] = modules["waiter"].follow_runs(client, [started.run_id], wait_timeout=LONG_SECONDS * 2,
                                                         poll_interval=POLL_INTERVAL, clock=clock, sleep=sleep)
            log = emulator.requests()
        per_minute = len(log) / (LONG_SECONDS / 60.0)
        self.data["long"] = {"requests": len(log), "per_minute": per_minute, "outcome": result.outcome, "by_kind": _by_kind(log)}
        self.check(name, "outcome", result.outcome, "passed", result.outcome == "passed")
        self.check(name, "requests per minute of run (emulator speed %g)" % speed, "%.1f (%d in all)" % (per_minute, len(log)),
                   "<= %d" % LONG_PER_MINUTE_TARGET, per_minute <= LONG_PER_MINUTE_TARGET)
        self.check(name, "  by kind", " ".join("%s %d" % item for item in sorted(_by_kind(log).items())), "-", True)
        self.check(name, "  the official algorithm, for scale", "%.0f" % (3 * 60.0 / POLL_INTERVAL), "-", True)

    # ------------------------------------------------------------ 200 runs queued on 20 agents
    def scale(self):
        name = "7 scale"
        self.emu.clear_requests()
        load_before = load()
        flows = [{"flow_id": FLOW_ID % flow, "agent_id": AGENT_ID % agent}
                 for flow in range(1, SCALE_PER_AGENT + 1) for agent in SCALE_AGENT_IDS]
        with PeakRss() as rss:
            result = self.playbooks.run("role.yml", {"bench_flows": flows, "bench_wait_timeout": 600})
        runs = runs_since(self.emu, result["began"])
        log = requests_of(self.emu.requests(), runs)
        events = result["events"]
        followed = task_done(events, "Follow every run to the end")
        first_trigger = min(run["created_wall"] for run in runs)
        last_end = max(run["finished_wall"] for run in runs)
        last_over = max(run["final_wall"] or run["finished_wall"] for run in runs)
        steps = [("ansible-playbook start to the first trigger", first_trigger - result["began"]),
                 ("first trigger to the last run's end (the physical limit: 50)", last_end - first_trigger),
                 ("last run's end to it being over (the finish lag)", last_over - last_end),
                 ("last run over to run_info done", followed - last_over),
                 ("run_info done to the end of ansible-playbook", result["ended"] - followed)]
        span = max(entry["wall"] for entry in log) - min(entry["wall"] for entry in log)
        rate = len(log) / span
        per_run = len(log) / float(max(len(runs), 1))
        peak_mb = rss.peak_kb.get("run_info", 0) / 1024.0
        self.data["scale"] = {"wall": result["wall"], "runs": len(runs), "requests": len(log), "rate": rate, "requests_per_run": per_run,
                              "peak_rss_mb": dict((key, round(value / 1024.0, 1)) for key, value in rss.peak_kb.items()),
                              "load": load_before, "by_kind": _by_kind(log)}
        self.check(name, "%d runs on %d agents: runs started" % (len(flows), SCALE_AGENTS), len(runs), len(flows), len(runs) == len(flows))
        self.check(name, "wall time (s) (load %.1f)" % load_before, "%.2f" % result["wall"],
                   "<= %d (limit %d + 5)" % (SCALE_WALL_TARGET, SCALE_LIMIT), result["wall"] <= SCALE_WALL_TARGET)
        self.check(name, "run_info peak RSS (MB); flow_run", "%.1f; %.1f" % (peak_mb, rss.peak_kb.get("flow_run", 0) / 1024.0),
                   "<= %d" % SCALE_RSS_TARGET_MB, 0 < peak_mb <= SCALE_RSS_TARGET_MB)
        self.check(name, "requests per run (finish lag up to %.1f s)" % FINISH_LAG, "%.2f (%d)" % (per_run, len(log)),
                   "<= %d" % SCALE_REQUESTS_PER_RUN_TARGET, per_run <= SCALE_REQUESTS_PER_RUN_TARGET)
        self.check(name, "  average request rate (/s), first to last request", "%.1f (in %.1f s)" % (rate, span), "-", True)
        self.check(name, "  by kind", " ".join("%s %d" % item for item in sorted(_by_kind(log).items())), "-", True)
        for step, seconds in steps:
            self.check(name, "  " + step, "%.2f" % seconds, "-", True)

    # ------------------------------------------------------------ the comparison
    def compare(self):
        name = "8 compare"
        role = self.data["role"][-1]
        uri, official = self.data["uri"], self.data["official"]
        scaled = dict((key, value["wall_per_flow"] * ROLE_FLOWS) for key, value in (("uri", uri), ("official", official)))
        rows = [
            ("role (measured, %d flows)" % ROLE_FLOWS, role["wall"], role["requests"], role["runs"],
             "passed/failed/error per flow, failure details"),
            ("uri + until (%d measured, x%d)" % (BASELINE_FLOWS, ROLE_FLOWS // BASELINE_FLOWS), scaled["uri"],
             uri["requests_per_run"] * ROLE_FLOWS, uri["runs"], "Finished only: not whether the flow passed"),
            ("official algorithm (%d measured, x%d)" % (BASELINE_FLOWS, ROLE_FLOWS // BASELINE_FLOWS), scaled["official"],
             official["requests_per_run"] * ROLE_FLOWS, official["runs"], "item statuses (%s)" % (official.get("verdicts") or ["?"])[0]),
        ]
        for label, wall, requests, runs, verdict in rows:
            self.check(name, "%s: wall (s), requests, runs started" % label, "%.1f, %.0f, %d" % (wall, requests, runs), "-", True)
            self.check(name, "  verdict", verdict, "-", True)
        speed_up = scaled["official"] / role["wall"]
        self.check(name, "speed-up over the official algorithm, %d flows" % ROLE_FLOWS, "%.1fx" % speed_up,
                   ">= %gx" % SPEED_UP_TARGET, speed_up >= SPEED_UP_TARGET)
        self.check(name, "  over uri + until", "%.1fx" % (scaled["uri"] / role["wall"]), "-", True)
        self.check(name, "requests per run: role / uri / official", "%.1f / %.1f / %.1f" % (
            role["requests_per_run"], uri["requests_per_run"], official["requests_per_run"]), "-", True)
        self.data["scaled"] = scaled
        self.data["speed_up"] = speed_up


def _floor_steps(result, log):
    """Where the time of a one-flow playbook goes, from its task events and the emulator's request log."""
    events = result["events"]
    first_task = min(event["wall"] for event in events if event["event"] == "task_start")
    trigger = min(entry["wall"] for entry in log if entry["method"] == "PUT")
    # The last read of the run: the status that says Finished (uri), or the item once final (flow_run).
    last = max(entry["wall"] for entry in log)
    return {"start to the first task": first_task - result["began"], "first task start to the trigger": trigger - first_task,
            "trigger to the read that sees it over": last - trigger, "last request to the play's end": result["ended"] - last}


def _noticed_after(log, runs):
    """For each run, seconds from its end to the first status read at or after it (the waiter's share of the latency)."""
    delays = []
    for run in runs:
        run_id = run["run_id"].lower()
        polls = [entry["wall"] for entry in log
                 if "/status" in entry["path"] and run_id in entry["path"].lower() and entry["wall"] >= run["finished_wall"]]
        if polls:
            delays.append(min(polls) - run["finished_wall"])
    return delays or [float("nan")]


def _by_kind(log):
    kinds = {}
    for entry in log:
        path = entry["path"].lower()
        if entry["method"] == "PUT":
            kind = "trigger"
        elif path.endswith("/status"):
            kind = "status"
        elif path.endswith("/runitemids"):
            kind = "item_ids"
        elif "/keyframes" in path:
            kind = "keyframes"
        elif "/runitems/" in path:
            kind = "item"
        else:
            kind = "other"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def _cumulative(values):
    total, sums = 0.0, []
    for value in values:
        total += value
        sums.append(total)
    return sums


def _published_outcome(events):
    """The role's outcome, as published with set_stats (the callback writes it at the end)."""
    for event in events:
        for data in (event.get("custom") or {}).values():
            if isinstance(data, dict) and isinstance(data.get("verify_deployment"), dict):
                return data["verify_deployment"].get("outcome", "?")
    return "?"


def _uri_per_flow(events, began):
    """Seconds from the play's start to the end of each flow's status loop (cumulative)."""
    return [event["wall"] - began for event in events
            if event["event"] == "task_done" and event["task"].endswith("Wait until the run is Finished")]


def workdir():
    return tempfile.mkdtemp(prefix="leapops-bench-e2e-")
