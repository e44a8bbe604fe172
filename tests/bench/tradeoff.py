# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Requests against end latency for backoff schedules: the table in README.md ("Requests against latency").

A run of one item ends at an unknown moment; the waiter polls its status on a schedule of
pauses (``first`` growing by ``factor`` up to the poll interval, 5 s) from the start of the
follow-up, and the first poll at or after the end sees it. Requests per run: the trigger, the
status polls up to that one, the item list and the item. Latency: from the end to that poll.
Runs end evenly spread over 4-6 s after their trigger (the benchmark's 5 s flows, give or take),
followed from ``start`` s after the trigger; and log-evenly over 1-60 s from the trigger (any run).
Pure arithmetic: no emulator, no waiter, no real time.

    python tests/bench/tradeoff.py
"""

import math
import statistics

POLL_INTERVAL = 5.0
SCHEDULES = [(0.5, 1.5), (0.5, 1.4), (0.5, 1.3), (0.5, 1.25), (0.5, 1.2), (1.0, 1.5), (2.0, 1.5)]
STARTS = [0.1, 0.7, 1.5, 2.5]
SAMPLES = 2000


def poll_times(first, factor, horizon=120.0):
    moments, moment, delay = [0.0], 0.0, first
    while moment < horizon:
        moment += delay
        moments.append(moment)
        delay = min(delay * factor, POLL_INTERVAL)
    return moments


def measure(first, factor, ends):
    moments = poll_times(first, factor)
    requests, latencies = [], []
    for end in ends:
        seen = next(index for index, moment in enumerate(moments) if moment >= end)
        requests.append(1 + seen + 1 + 2)
        latencies.append(moments[seen] - end)
    return statistics.mean(requests), statistics.mean(latencies), statistics.median(latencies)


def main():
    print("| first pause, growth | " + " | ".join("4-6 s runs, followed from %.1f s" % start for start in STARTS)
          + " | 1-60 s runs, from 0.1 s |")
    print("|---" * (len(STARTS) + 2) + "|")
    for first, factor in SCHEDULES:
        cells = []
        for start in STARTS:
            ends = [4.0 + 2.0 * number / SAMPLES - start for number in range(SAMPLES + 1)]
            cells.append("%.1f; %.2f s (median %.2f s)" % measure(first, factor, ends))
        ends = [math.exp(math.log(1.0) + math.log(60.0) * number / SAMPLES) - 0.1 for number in range(SAMPLES + 1)]
        cells.append("%.1f; %.2f s" % measure(first, factor, ends)[:2])
        print("| %s s, x %s | %s |" % (first, factor, " | ".join(cells)))


if __name__ == "__main__":
    main()
