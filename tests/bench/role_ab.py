# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The role with 50 flows from two checkouts, runs alternating, against one emulator (speed 1).

    .venv/bin/python tests/bench/role_ab.py --rounds 5 /path/to/old/checkout .

Each round runs the floor (``floor.yml``) once, then ``role.yml`` from each checkout, in turn
first and last, so that a slower minute of the machine weighs on both. Prints the wall times,
their medians, and the medians of the role's tasks before ``flow_run`` and after ``run_info``
(tests/bench/README.md, "The tasks around the modules"). Not a target: ``make bench`` judges.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def collections_tree(checkout):
    """A collections directory whose leapops.leapwork is ``checkout``."""
    root = tempfile.mkdtemp(prefix="leapops-role-ab-")
    os.makedirs(os.path.join(root, "ansible_collections", "leapops"))
    os.symlink(os.path.abspath(checkout), os.path.join(root, "ansible_collections", "leapops", "leapwork"))
    return root


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("checkouts", nargs=2, help="two collection checkouts (repository roots)")
    args = parser.parse_args()
    sys.path.insert(0, HERE)
    bench = __import__("bench")
    e2e = __import__("end_to_end")
    modules = bench.load_modules(tempfile.mkdtemp(prefix="leapops-role-ab-"))

    class Quiet(object):
        def check(self, *unused):
            pass

    walls, before, after = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list)
    with modules["Emulator"](config=e2e.catalogue(), access_key=bench.ACCESS_KEY, speed=1) as emulator:
        runners = [e2e.EndToEnd(Quiet(), emulator, collections_tree(checkout), bench.ACCESS_KEY, e2e.workdir())
                   for checkout in args.checkouts]
        for number in range(args.rounds):
            walls["floor"].append(runners[0].playbooks.run("floor.yml", {"bench_flows": e2e.pairs([1], [e2e.FLOOR_AGENT])})["wall"])
            for index in (0, 1) if number % 2 == 0 else (1, 0):
                playbook = os.path.join(os.path.abspath(args.checkouts[index]), "tests", "bench", "role.yml")
                result = runners[index].playbooks.run(playbook, {"bench_flows": e2e.pairs(range(1, e2e.ROLE_FLOWS + 1),
                                                                                          range(1, e2e.ROLE_FLOWS + 1))})
                events, label = result["events"], args.checkouts[index]
                walls[label].append(result["wall"])
                before[label].append(e2e.task_start(events, "Start every flow") - events[1]["wall"])
                after[label].append(events[-1]["wall"] - e2e.task_done(events, "Follow every run to the end"))
            print("round %d: %s" % (number + 1, ", ".join("%s %.2f" % (label, values[-1]) for label, values in walls.items())), flush=True)
    for label, values in walls.items():
        tasks = "" if label == "floor" else "; role tasks before flow_run %.3f s, after run_info %.3f s (medians)" % (
            statistics.median(before[label]), statistics.median(after[label]))
        print("%s: wall %s, median %.2f s%s" % (label, " ".join("%.2f" % value for value in values), statistics.median(values), tasks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
