"""Run the checks of ``make test`` in lanes, side by side.

    python hacking/test_lanes.py BUILD_DIR LANE=step,step LANE=step ...

Each lane runs its ``make`` targets one after the other, in a build directory of its own
(``BUILD_DIR/lanes/<lane>``: its staged copy of the collection, its emulators, its ansible-test
output), so that lanes never see each other's files. Much of the suite waits on the emulator's
clock or on a subprocess starting up, so two or three lanes on two cores finish well before
the same steps in a row.

Each step's output goes to ``BUILD_DIR/lanes/<lane>/<step>.log``; a line says when a step
starts and how it ended. A failed step's log is printed whole, its lane stops, and the other
lanes go on, so one run shows every failing check. The last lines are a table of the steps'
times and a count of the steps that passed and failed; the exit status is 0 only when every
step passed.
"""

import os
import subprocess
import sys
import threading
import time

_print_lock = threading.Lock()


def _say(text):
    with _print_lock:
        print(text, flush=True)


def _parse_lanes(arguments):
    lanes = []
    for argument in arguments:
        name, separator, steps = argument.partition("=")
        if not separator or not name or not steps:
            sys.exit("test_lanes: a lane is NAME=step[,step...], got %r" % argument)
        lanes.append((name, [step for step in steps.split(",") if step]))
    return lanes


def _run_lane(build_dir, name, steps, started, results):
    lane_dir = os.path.join(build_dir, "lanes", name)
    os.makedirs(lane_dir, exist_ok=True)
    for step in steps:
        log_path = os.path.join(lane_dir, "%s.log" % step)
        _say("[%6.0fs] %-12s %s: started" % (time.monotonic() - started, name, step))
        step_started = time.monotonic()
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                ["make", "--no-print-directory", step, "BUILD=%s" % lane_dir],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
            # wait4 gives the CPU time of the step and of every process it waited for: the
            # figure that says what a lane costs the machine, whatever the other lanes do.
            status, usage = os.wait4(process.pid, 0)[1:]
            process.returncode = code = os.waitstatus_to_exitcode(status)
        took = time.monotonic() - step_started
        cpu = usage.ru_utime + usage.ru_stime
        results.append((name, step, code, took, cpu))
        if code == 0:
            _say("[%6.0fs] %-12s %s: passed in %.0f s (%.0f s of CPU)"
                 % (time.monotonic() - started, name, step, took, cpu))
            continue
        with open(log_path, "rb") as log:
            text = log.read().decode("utf-8", "replace")
        _say("[%6.0fs] %-12s %s: FAILED (exit %d) in %.0f s; its output (%s):\n%s\n[end of %s's output]"
             % (time.monotonic() - started, name, step, code, took, log_path, text, step))
        for skipped in steps[steps.index(step) + 1:]:
            results.append((name, skipped, None, 0.0, 0.0))
        return


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    build_dir = os.path.abspath(sys.argv[1])
    lanes = _parse_lanes(sys.argv[2:])
    started = time.monotonic()
    results = []
    threads = [
        threading.Thread(target=_run_lane, args=(build_dir, name, steps, started, results), name=name)
        for name, steps in lanes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    wall = time.monotonic() - started
    passed = sum(1 for result in results if result[2] == 0)
    failed = sum(1 for result in results if result[2] not in (0, None))
    skipped = sum(1 for result in results if result[2] is None)
    _say("\n== steps (lane, step, result, seconds, CPU seconds)")
    for name, step, code, took, cpu in sorted(results):
        verdict = "passed" if code == 0 else ("not run" if code is None else "FAILED")
        _say("  %-12s %-16s %-8s %6.0f %6.0f" % (name, step, verdict, took, cpu))
    _say("== every lane done in %.0f s, %.0f s of CPU" % (wall, sum(result[4] for result in results)))
    # The plain closing line CI reads: 'N passed, N failed' (', N skipped' for the steps a
    # failure left unrun).
    _say("steps: %d passed, %d failed%s" % (passed, failed, ", %d skipped" % skipped if skipped else ""))
    return 0 if failed == 0 and skipped == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
