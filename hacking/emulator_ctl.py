"""Start or stop a background Leapwork emulator for make targets.

    python hacking/emulator_ctl.py start STATE_DIR [emulator options...]
    python hacking/emulator_ctl.py stop STATE_DIR

``start`` launches ``python -m leapwork_emulator --host 127.0.0.1 --port 0``
(plus the options given), waits for the line announcing its URL and writes
``url`` and ``pid`` into STATE_DIR; it prints the URL. ``stop`` ends it.
"""

import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "Leapwork emulator listening on "


def start(state_dir, options):
    os.makedirs(state_dir, exist_ok=True)
    stop(state_dir)
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "tests", "emulator"), PYTHONUNBUFFERED="1")
    log_path = os.path.join(state_dir, "emulator.log")
    # Output goes to a file, not a pipe: the emulator outlives this script.
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "leapwork_emulator", "--host", "127.0.0.1", "--port", "0"] + options,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True,
        )
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline and process.poll() is None:
        with open(log_path, encoding="utf-8") as log:
            line = next((text for text in log if text.startswith(PREFIX)), "")
        if line:
            break
        time.sleep(0.05)
    if not line:
        process.kill()
        with open(log_path, encoding="utf-8") as log:
            sys.exit("the emulator did not start:\n" + log.read())
    url = line[len(PREFIX):].strip()
    with open(os.path.join(state_dir, "url"), "w", encoding="utf-8") as handle:
        handle.write(url + "\n")
    with open(os.path.join(state_dir, "pid"), "w", encoding="utf-8") as handle:
        handle.write("%d\n" % process.pid)
    print(url)


def stop(state_dir):
    pid_path = os.path.join(state_dir, "pid")
    if not os.path.exists(pid_path):
        return
    with open(pid_path, encoding="utf-8") as handle:
        pid = int(handle.read().strip())
    os.remove(pid_path)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _attempt in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit(__doc__)
    if sys.argv[1] == "start":
        start(sys.argv[2], sys.argv[3:])
    else:
        stop(sys.argv[2])


if __name__ == "__main__":
    main()
