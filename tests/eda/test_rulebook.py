# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ansible-rulebook itself runs a rulebook with the event source against the emulator.

A run of the watched schedule fails; the rule's run_playbook action prints the failed flows,
then the rulebook shuts down. The source is found in the staged collection
(``ANSIBLE_COLLECTIONS_PATH``), the way a decision environment finds it.
"""

import os
import subprocess
import sys
import time

from conftest import ACCESS_KEY, SCHEDULE_REGRESSION, run_now

RULEBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rulebooks")
ANSIBLE_RULEBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-rulebook")


def source_has_looked(emulator):
    """The source listed the schedule's runs once: its baseline is taken, a new run will be an event."""
    return any("/runids/" in entry["path"].lower() and entry["status"] == 200 for entry in emulator.requests())


def test_rulebook_runs_a_playbook_for_a_failing_schedule_run(emulator, tmp_path):
    # ansible-rulebook runs ansible-galaxy and ansible-playbook from PATH: those of this virtualenv.
    env = dict(os.environ, LEAPWORK_CONTROLLER_URL=emulator.url, LEAPWORK_ACCESS_KEY=ACCESS_KEY,
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    assert env.get("JAVA_HOME"), "JAVA_HOME must point at a Java runtime (make eda-tests sets it)"
    output_path = tmp_path / "rulebook.out"
    with open(output_path, "wb") as output:
        process = subprocess.Popen(
            [ANSIBLE_RULEBOOK, "--rulebook", "failing_schedule.yml", "--inventory", "inventory.yml",
             "--print-events", "-v"],
            cwd=RULEBOOKS, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while not source_has_looked(emulator):
                assert process.poll() is None, output_path.read_text()
                assert time.monotonic() < deadline, "the source never listed the schedule's runs"
                time.sleep(0.1)
            run_id = run_now(emulator, SCHEDULE_REGRESSION)
            returncode = process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = output_path.read_text()
    assert returncode == 0, text
    assert ("Leapwork run %s of Regression suite ended error; failed flows: Checkout fails, Payment errors, "
            "Search inconclusive" % run_id) in text, text
    assert "'run_id': '%s'" % run_id in text  # the event, as --print-events shows it
    assert ACCESS_KEY not in text
