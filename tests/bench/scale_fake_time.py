# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The scale scenario (200 runs of 5 s queued on 20 agents) against the waiter on fake time.

The real ``_waiter.follow_runs`` follows the runs of the unit tests' ``FakeController`` (each
agent runs its 10 runs one after another, the next starting when the previous ends), with the
follow-up starting 0, 0.7 or 2 s after the triggers. It prints the requests (triggers not
counted) and how long after the last run's end the waiter saw it: the "Queued runs" table of
README.md. No emulator, no real time: it takes a second.

    .venv/bin/python tests/bench/scale_fake_time.py [--factor 1.5]

``--factor`` replaces the waiter's backoff growth for the run (to compare schedules).
"""

import argparse
import importlib
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench  # noqa: E402  (the same temporary collections tree as make bench)

AGENTS = 20
RUNS_PER_AGENT = 10
DURATION = 5.0
OFFSETS = (0.0, 0.7, 2.0)


def follow_scale(waiter, fake, offset):
    clock = fake.FakeClock()
    runs = []
    for agent in range(AGENTS):
        for turn in range(RUNS_PER_AGENT):
            # Seen from the follow-up, which starts ``offset`` s after the triggers.
            start = max(turn * DURATION - offset, 0.0)
            runs.append(fake.simple_run("a%d-%d" % (agent, turn), queued=start, duration=(turn + 1) * DURATION - offset - start))
    controller = fake.FakeController(clock, runs)
    results = waiter.follow_runs(controller, [run.run_id for run in runs], wait_timeout=600, clock=clock, sleep=clock.sleep)
    assert all(result.outcome == "passed" for result in results)
    last_seen = max(result.elapsed_seconds for result in results)
    return sum(controller.calls.values()), dict(controller.calls), last_seen - (RUNS_PER_AGENT * DURATION - offset)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=float, help="the backoff growth to use instead of the waiter's")
    args = parser.parse_args()
    collections_dir = tempfile.mkdtemp(prefix="leapwork-scale-")
    waiter = bench.load_modules(collections_dir)["waiter"]
    fake = importlib.import_module("ansible_collections.leapops.leapwork.tests.unit.plugins.fake_controller")
    if args.factor:
        waiter.backoff.__defaults__ = (None, waiter.FIRST_DELAY, args.factor)
    factor = waiter.backoff.__defaults__[2]
    for offset in OFFSETS:
        requests, calls, late = follow_scale(waiter, fake, offset)
        print("growth %s, follow-up from %.1f s: %d requests %s; last run seen %.2f s after its end" % (factor, offset, requests, calls, late))


if __name__ == "__main__":
    main()
