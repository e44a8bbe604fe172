"""Interrupt ansible-playbook while flow_run waits, and check what became of the run (issue 19 item 5).

Each case starts the play in a session of its own with SIGINT at its default (a shell would
start a background job with SIGINT ignored, which is not what Ctrl-C meets), waits until the
ledger records the run, sends the signal to the play's process group (Ctrl-C in a terminal, a
CI runner's cancel) or to ansible-playbook alone, and then checks: ansible-playbook ended within
seconds, the run was stopped exactly when stop_on_timeout asked for it, and the ledger holds it.

    python interrupt.py <integration_config.yml> <output dir>
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FAN_OUT_AGENT = "31000000-0000-4000-8000-%012d"


def config(path):
    values = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            name, _separator, value = line.partition(": ")
            values[name.strip()] = value.strip()
    return values


def emulator(url, path):
    with urllib.request.urlopen(url + path, timeout=10) as answer:
        return json.loads(answer.read().decode("utf-8"))


def ledger_entries(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return list(json.load(handle)["entries"].values())
    except (OSError, ValueError):
        return []


def core_version():
    output = subprocess.run(["ansible-playbook", "--version"], stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    version = output.split("[core ", 1)[1].split("]", 1)[0]
    return tuple(int(part) for part in version.split(".")[:2])


def run_case(settings, output_dir, number, target, signum, stop):
    name = "%s to %s, stop_on_timeout %s" % (signal.Signals(signum).name, target, stop)
    agent = FAN_OUT_AGENT % number
    ledger = os.path.join(output_dir, "ledger-%d.json" % number)
    log = os.path.join(output_dir, "interrupt-%d.log" % number)
    extra = {"interrupt_agent": agent, "interrupt_key": "interrupt-%d" % number, "interrupt_ledger": ledger,
             "interrupt_stop": stop}
    command = ["ansible-playbook", "-v", "-i", "localhost,", "-e", "@" + settings["path"], "-e", json.dumps(extra),
               os.path.join(HERE, "play.yml")]
    with open(log, "w", encoding="utf-8") as output:
        play = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while not [entry for entry in ledger_entries(ledger) if entry["state"] == "recorded"]:
        assert play.poll() is None, "%s: the play ended before the run was recorded (see %s)" % (name, log)
        assert time.monotonic() < deadline, "%s: no run recorded in %s" % (name, ledger)
        time.sleep(0.1)
    time.sleep(1.5)  # the task is waiting now: it polls the run once a second
    [entry] = ledger_entries(ledger)
    run_id = entry["run_id"]
    sent = time.monotonic()
    if target == "the process group":
        os.killpg(play.pid, signum)
    else:
        os.kill(play.pid, signum)
    rc = play.wait(timeout=60)
    ended = time.monotonic() - sent
    # The module finishes on its own (ansible-core 2.17+ lets the worker exit at once): give it a moment.
    runs = []
    for _attempt in range(100):
        runs = emulator(settings["leapwork_emulator_url"], "/runs?flow_id=20000000-0000-4000-8000-000000000006&agent_id=" + agent)
        if not stop or runs and runs[0]["stopped"]:
            break
        time.sleep(0.1)
    with open(log, encoding="utf-8") as handle:
        print("---- %s: rc %s after %.1f s\n%s" % (name, rc, ended, handle.read()[-1500:]))
    # ansible-core 2.16 waits up to 10 s for its workers before it terminates them (SIGINT to it alone).
    assert ended < 30, "%s: ansible-playbook took %.1f s to end" % (name, ended)
    assert rc != 0, "%s: the play did not fail" % name
    assert [run["run_id"] for run in runs] == [run_id], "%s: one run, the one the ledger holds: %r" % (name, runs)
    assert runs[0]["stopped"] is stop, "%s: stopped is %r" % (name, runs[0]["stopped"])
    [entry] = ledger_entries(ledger)
    assert entry["state"] == "recorded" and entry["run_id"] == run_id, entry
    if not stop:
        emulator_stop = [request for request in emulator(settings["leapwork_emulator_url"], "/requests")
                         if request["method"] == "PUT" and run_id in request["path"]]
        assert emulator_stop == [], emulator_stop
    print("ok: %s: run %s %s, recorded in the ledger" % (name, run_id, "stopped" if stop else "left going"))


def main():
    # A shell starts a background job with SIGINT ignored, and an ignored signal stays ignored across
    # exec: the play must meet Ctrl-C as a terminal's foreground job does.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    settings = config(sys.argv[1])
    settings["path"] = sys.argv[1]
    output_dir = sys.argv[2]
    cases = [
        ("the process group", signal.SIGINT, True),
        ("ansible-playbook alone", signal.SIGINT, True),
        ("the process group", signal.SIGTERM, True),
        ("the process group", signal.SIGINT, False),
    ]
    if core_version() >= (2, 17):
        # ansible-core 2.16 has no SIGTERM handler: ansible-playbook dies alone, its worker waits on for the
        # module, and nothing reaches the module (docs/reliability.md, "Interrupts").
        cases.append(("ansible-playbook alone", signal.SIGTERM, True))
    for number, (target, signum, stop) in enumerate(cases, start=1):
        run_case(settings, output_dir, number, target, signum, stop)


if __name__ == "__main__":
    main()
