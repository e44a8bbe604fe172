# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.


class ModuleDocFragment(object):

    # Options for following runs to their end; the argument spec is
    # plugins/module_utils/_module.py wait_argument_spec().
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Whether to wait until the run(s) are over and report their results.
      - A run is over when the controller reports it as C(Finished) and every flow in it has ended.
      - When V(false), the task returns as soon as the run(s) are started.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait, in all, for the run(s) to end when O(wait=true). One deadline is
        shared by every run of the task, including the time runs spend queued for a busy agent.
      - Runs that are not over by then are reported with the outcome C(timed_out), their last status
        and the flows seen so far; see O(stop_on_timeout).
      - This is a deadline, whatever the controller does (silent, slow, or busy with C(Retry-After)).
        Requests are cut short to end by it, failed reads are tried again only while time remains,
        and the task returns within O(wait_timeout) plus O(request_timeout) plus 5 seconds, including
        one last look at each run and the requests that stop the runs still going.
      - V(0) reads each run once and reports it as it is. A module that starts runs refuses V(0) when the
        task runs under it (O(wait=true), or a busy schedule waited for), before any request, since the same
        deadline bounds the reads and the request that start a run.
    type: int
    default: 3600
  poll_interval:
    description:
      - The longest pause, in seconds, between two reads of a run's progress. At least V(0.5).
      - Polling starts fast (after half a second) so that short runs are noticed quickly, then slows
        down towards this value, and speeds up again when the run's status changes.
      - Each poll reads the run's status; its flows are read once it has finished, at O(wait_timeout),
        and every two minutes while it runs.
      - A run that is C(Queued) (its agent busy) is read every O(poll_interval) seconds, and at once
        when another run followed by the same task ends, since that may have freed its agent.
      - A controller that asks for a longer pause (C(Retry-After)) gets it, within O(wait_timeout).
      - Several runs are followed at the same time.
    type: float
    default: 5
  stop_on_timeout:
    description:
      - Whether to ask the controller to stop the runs that are still going when O(wait_timeout) is reached.
      - A failure to stop a run is reported in its message; it does not hide the timeout.
      - The same holds when the task is interrupted while it waits (Ctrl-C, that is SIGINT, or SIGTERM,
        as a CI job's cancel sends), the wait ends at once; the runs still going are stopped when this
        is V(true) and left going when V(false), and the task fails naming them. What reaches the task
        depends on ansible-core, see the collection's docs/reliability.md (Interrupts).
      - Runs started with an O(leapops.leapwork.flow_run#module:idempotency_key) are in the ledger before
        the wait begins, so a re-run of the play reuses them instead of starting new ones.
    type: bool
    default: true
  fail_on_failure:
    description:
      - Whether the task fails when a run did not pass when O(wait=true), that is when a flow failed,
        ended with an error, was cancelled, no flow ran, or the wait timed out.
      - When V(false) the results are returned and the task succeeds; check the returned outcome yourself.
      - A run that could not be read (the controller does not know it, or answered only with errors
        or answers that cannot be understood) has no verdict, so the task fails whatever this
        option says, with or without O(wait), naming the run id.
    type: bool
    default: true
  done_status_as:
    description:
      - How to count a flow that ended with the status C(Done), that is without reaching an explicit
        pass or fail block.
    type: str
    choices: [passed, failed]
    default: passed
  junit_path:
    description:
      - Write a JUnit XML report of the run(s) to this file when O(wait=true), for a CI server to read.
      - One test suite per run and one test case per flow and agent; failed flows are failures,
        errors, timeouts and unknown statuses are errors, cancelled flows are skipped.
      - The directory is created when missing; the file is replaced atomically. A new file follows the umask.
      - Checked before anything is started (its directory must be creatable and writable); if the
        report still cannot be written at the end, the task fails with that error and every result.
    type: path
"""
