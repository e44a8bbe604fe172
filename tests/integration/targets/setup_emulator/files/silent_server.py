# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A controller that accepts connections and never answers (issue 19, item 2).

    silent_server.py STATE_FILE [LIFETIME_SECONDS]

Listens on 127.0.0.1 on a free port, writes ``{"port": ..., "pid": ...}`` to STATE_FILE once it
listens, reads whatever comes and never writes a byte back; it keeps every connection open.
It exits after LIFETIME_SECONDS (default 300) or on SIGTERM, so that it never outlives a test run.
"""

import json
import os
import signal
import socket
import sys
import threading
import time


def swallow(connection, held):
    held.append(connection)
    try:
        while connection.recv(65536):
            pass
    except OSError:
        pass


def main():
    state_file = sys.argv[1]
    lifetime = float(sys.argv[2]) if len(sys.argv) > 2 else 300.0
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.settimeout(1.0)
    temporary = state_file + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump({"port": listener.getsockname()[1], "pid": os.getpid()}, handle)
    os.rename(temporary, state_file)
    held = []
    ends_at = time.monotonic() + lifetime
    while time.monotonic() < ends_at:
        try:
            connection, _address = listener.accept()
        except socket.timeout:
            continue
        threading.Thread(target=swallow, args=(connection, held), daemon=True).start()
    listener.close()


if __name__ == "__main__":
    main()
