# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""hacking/test_lanes.py, the runner of ``make test``, on a Makefile of its own; and the
repository's Makefile: every check is in exactly one lane."""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER = os.path.join(ROOT, "hacking", "test_lanes.py")

FAKE_MAKEFILE = """\
ok-%:
\t@echo "step $@ in $(BUILD)" >> $(BUILD)/../../order.txt
\t@echo "output of $@"
slow:
\t@sleep 1
\t@echo "step $@ in $(BUILD)" >> $(BUILD)/../../order.txt
broken:
\t@echo "the reason it broke"
\t@exit 3
"""


def run_lanes(tmp_path, *lanes):
    (tmp_path / "Makefile").write_text(FAKE_MAKEFILE)
    build = tmp_path / "build"
    build.mkdir()
    result = subprocess.run([sys.executable, RUNNER, str(build)] + list(lanes), cwd=str(tmp_path),
                            capture_output=True, text=True, timeout=60, check=False)
    order = (build / "order.txt").read_text().splitlines() if (build / "order.txt").exists() else []
    return result, order, build


def test_every_step_runs_in_its_own_lane_directory_and_the_closing_line_counts_them(tmp_path):
    result, order, build = run_lanes(tmp_path, "a=ok-1,ok-2", "b=ok-3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(order) == sorted([
        "step ok-1 in %s" % (build / "lanes" / "a"),
        "step ok-2 in %s" % (build / "lanes" / "a"),
        "step ok-3 in %s" % (build / "lanes" / "b"),
    ])
    assert order.index("step ok-1 in %s" % (build / "lanes" / "a")) < order.index("step ok-2 in %s" % (build / "lanes" / "a"))
    assert (build / "lanes" / "a" / "ok-2.log").read_text() == "output of ok-2\n"
    assert result.stdout.splitlines()[-1] == "steps: 3 passed, 0 failed"


def test_lanes_run_side_by_side(tmp_path):
    result, order, build = run_lanes(tmp_path, "a=slow", "b=ok-1")
    assert result.returncode == 0, result.stdout + result.stderr
    # The quick lane is not held back behind the slow one.
    assert order == ["step ok-1 in %s" % (build / "lanes" / "b"), "step slow in %s" % (build / "lanes" / "a")]


def test_a_failure_stops_its_lane_prints_its_log_and_the_other_lanes_go_on(tmp_path):
    result, order, build = run_lanes(tmp_path, "a=ok-1,broken,ok-2", "b=slow,ok-3")
    assert result.returncode == 1
    assert re.search(r"broken: FAILED \(exit [1-9][0-9]*\)", result.stdout)
    assert "the reason it broke" in result.stdout
    assert "step ok-2 in %s" % (build / "lanes" / "a") not in order
    assert "step ok-3 in %s" % (build / "lanes" / "b") in order
    assert re.search(r"^  a +ok-2 +not run", result.stdout, re.M)
    assert result.stdout.splitlines()[-1] == "steps: 3 passed, 1 failed, 1 skipped"


@pytest.mark.parametrize("lane", ["nosteps=", "=ok-1", "plain"])
def test_a_malformed_lane_is_refused(tmp_path, lane):
    result, order = run_lanes(tmp_path, lane)[:2]
    assert result.returncode != 0
    assert "a lane is NAME=step[,step...]" in result.stderr
    assert order == []


def makefile_targets_and_lanes():
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as handle:
        text = handle.read()
    lanes_text = re.search(r"^TEST_LANES :=((?:.*\\\n)*.*)$", text, re.M).group(1)
    lanes = dict(lane.split("=", 1) for lane in lanes_text.replace("\\\n", " ").split())
    checks = re.search(r"^CHECKS :=((?:.*\\\n)*.*)$", text, re.M).group(1).replace("\\\n", " ").split()
    targets = set(re.findall(r"^([a-z][a-z-]*):", text, re.M))
    return checks, lanes, targets


def test_every_check_is_in_exactly_one_lane():
    checks, lanes, targets = makefile_targets_and_lanes()
    steps = [step for steps in lanes.values() for step in steps.split(",")]
    assert sorted(steps) == sorted(checks), "TEST_LANES must hold each of CHECKS exactly once"
    assert set(checks) <= targets, "every check is a make target"
