# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark-only callback: the wall-clock start and end of every task, written as JSON lines.

Enabled by tests/bench/bench.py (ANSIBLE_CALLBACK_PLUGINS, ANSIBLE_CALLBACKS_ENABLED); the file
is named by the environment variable BENCH_TIMER_PATH. Not part of the collection.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_timer
type: aggregate
short_description: task start and end times for the benchmark
description: Writes one JSON line per task start and end to the file named by BENCH_TIMER_PATH.
requirements: [enable in configuration]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get("BENCH_TIMER_PATH")
        self._write({"event": "callback_loaded"})

    def _write(self, record):
        if self._path:
            record["wall"] = time.time()
            with open(self._path, "a", encoding="utf-8") as stream:
                stream.write(json.dumps(record) + "\n")

    def v2_playbook_on_start(self, playbook):
        self._write({"event": "playbook_start"})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._write({"event": "task_start", "task": task.get_name()})

    def _done(self, result, status):
        self._write({"event": "task_done", "task": result.task_name, "status": status})

    def v2_runner_on_ok(self, result):
        self._done(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._done(result, "skipped")

    def v2_playbook_on_stats(self, stats):
        # set_stats data (the role publishes its outcome there).
        self._write({"event": "playbook_end", "custom": getattr(stats, "custom", {})})
