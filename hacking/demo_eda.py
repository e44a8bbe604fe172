"""`make demo-eda`: the rulebook of docs/eda.md reacting to a failed schedule run on the emulator.

    LEAPWORK_CONTROLLER_URL=... LEAPWORK_ACCESS_KEY=... JAVA_HOME=... python hacking/demo_eda.py STATE_DIR

Starts ansible-rulebook with the command docs/eda.md gives (its output is shown as it comes),
waits until the event source has taken its baseline, starts a run of the watched schedule (it
fails), waits for the ticket the rulebook's action writes for that run, shows it and stops
ansible-rulebook.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULEBOOK_COMMAND = ["ansible-rulebook", "--rulebook", "docs/examples/rulebooks/leapwork_failures.yml",
                    "--inventory", "docs/examples/eda_inventory.yml"]
SCHEDULE_ID = "40000000-0000-4000-8000-000000000002"  # the emulator's "Regression suite"
TIMEOUT = 180


def emulator_requests(url):
    with urllib.request.urlopen(url + "/_emulator/requests", timeout=10) as answer:
        return json.load(answer)


def run_now(url, access_key):
    request = urllib.request.Request("%s/api/v4/schedules/%s/runNow" % (url, SCHEDULE_ID), method="PUT",
                                     headers={"AccessKey": access_key})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["RunId"]


def wait_for(what, predicate, process):
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if process.poll() is not None:
            sys.exit("demo-eda: ansible-rulebook ended (exit %s) before %s" % (process.returncode, what))
        if time.monotonic() > deadline:
            sys.exit("demo-eda: gave up waiting for %s after %d s" % (what, TIMEOUT))
        time.sleep(0.2)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    url = os.environ["LEAPWORK_CONTROLLER_URL"]
    access_key = os.environ["LEAPWORK_ACCESS_KEY"]
    tickets = os.path.join(os.path.abspath(sys.argv[1]), "tickets")
    shutil.rmtree(tickets, ignore_errors=True)
    env = dict(os.environ, LEAPWORK_TICKET_DIR=tickets)
    print("== %s" % " ".join(RULEBOOK_COMMAND), flush=True)
    process = subprocess.Popen(RULEBOOK_COMMAND, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
    try:
        wait_for("the source's first look at the schedule", lambda: any(
            "/runids/" in entry["path"].lower() for entry in emulator_requests(url)), process)
        run_id = run_now(url, access_key)
        print("== started run %s of the schedule 'Regression suite' (three of its flows fail)" % run_id, flush=True)
        ticket = os.path.join(tickets, "leapwork-%s.md" % run_id)
        wait_for("the ticket of run %s" % run_id, lambda: os.path.exists(ticket), process)
        time.sleep(1)  # the rulebook's output of the action comes just after the file
        with open(ticket, encoding="utf-8") as handle:
            print("== the rulebook's ticket for the run (%s):\n%s" % (ticket, handle.read()), flush=True)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    print("== demo-eda: the rulebook reacted to the failed run; ansible-rulebook stopped")


if __name__ == "__main__":
    main()
