# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""From run ids to a module result: follow (or read once), judge, write JUnit, decide to fail.

Shared by ``flow_run`` (with ``wait``) and ``run_info`` so that both report runs the same way.
"""

import collections
import time

from ansible_collections.leapops.leapwork.plugins.module_utils._junit import write_junit
from ansible_collections.leapops.leapwork.plugins.module_utils._results import (
    FLAKY,
    PASSED,
    SUMMARY_KEYS,
    fold_attempts,
    verdict,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._waiter import (
    DEFAULT_GRACE_SECONDS,
    DEFAULT_LAST_LOOK_SECONDS,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    follow_runs,
)


#: The outcome of following runs, ready for ``exit_json`` / ``fail_json``: the ``RunResult`` list,
#: the module output, whether the task fails and why, whether runs were asked to stop, and the
#: warnings to give (one per flaky flow, one per attempt whose trigger failed).
Report = collections.namedtuple("Report", ("results", "output", "failed", "message", "stopped", "warnings"))


def follow_and_report(client, run_ids, wait=False, wait_timeout=DEFAULT_WAIT_TIMEOUT, poll_interval=DEFAULT_POLL_INTERVAL,
                      stop_on_timeout=True, fail_on_failure=True, done_status_as=PASSED, junit_path=None,
                      stop_allowed=True, clock=time.monotonic, sleep=time.sleep, suite_names=None, on_over=None,
                      agents=None, deadline=None, interrupt=None, chains=None, fail_on_flaky=False,
                      failed_attempts=None):
    """Follow ``run_ids`` as the wait options (those of the ``leapops.leapwork.wait`` doc fragment) say;
    return a ``Report``.

    The client has masked the secrets in every answer it read (``_errors.redact``), so the report
    and its JUnit file hold none. ``suite_names`` (run id -> name, such as a schedule's title)
    names the runs' test suites in the JUnit report. ``agents`` (run id -> the agent it was
    started on, when known) lets the waiter poll queued runs by agent.

    ``interrupt`` (an installed ``_interrupt.Interrupt``) ends the wait at once when the task is
    interrupted (SIGINT, SIGTERM, its result's reader gone); the runs still going are then
    stopped as ``stop_on_timeout`` says, and the report fails, saying so first.

    Without ``wait`` every run is read once and reported as it is. With ``wait`` the runs are
    followed to the end under one deadline (``deadline``, the task's ``Deadline``; without it
    ``wait_timeout`` from now), a JUnit report is written when asked, and the
    report fails when the outcome is not ``passed`` and ``fail_on_failure`` is set.

    A run that could not be read (unknown, gone, or the controller answered only with errors)
    fails the report with or without ``wait``: it has no verdict for ``fail_on_failure`` to excuse.

    ``chains`` (with ``on_over``: a callable returning, once the runs are over, each flow's run ids,
    first attempt first; ``retries``) makes one result of each flow's attempts: the last attempt's,
    ``flaky`` when it passed after others did not, and the report warns for each flaky flow (and
    fails for them with ``fail_on_flaky``).

    ``failed_attempts`` (with ``chains``: a callable returning ``{run id of a flow's last run: its
    next attempt, whose trigger failed}``, see ``fold_attempts``): the flow keeps that run's verdict
    and the report warns for each such attempt; one that may have started a run fails the report
    whatever ``fail_on_failure`` says, as a first attempt that may have started one fails the task.
    """
    stop = bool(wait and stop_on_timeout and stop_allowed)
    results = follow_runs(
        client, run_ids,
        wait_timeout=wait_timeout if wait else 0,
        poll_interval=poll_interval,
        done_status_as=done_status_as,
        stop_on_timeout=stop,
        # A single read has no "later" to wait for: a run unknown now is reported as unknown.
        grace_seconds=DEFAULT_GRACE_SECONDS if wait else 0,
        # The last look at the deadline may take one request; a single read lets the client retry.
        last_look_seconds=getattr(client, "request_timeout", DEFAULT_LAST_LOOK_SECONDS),
        retry_reads=not wait,
        snapshot=not wait,
        agents=agents,
        deadline=deadline if wait else None,
        clock=clock,
        sleep=interrupt.sleep if interrupt is not None else sleep,
        interrupted=interrupt.check if interrupt is not None else None,
        on_over=on_over if wait else None,
    )
    if chains is not None:
        results = fold_attempts(results, chains(), failed_attempts() if failed_attempts is not None else None)
    judged = verdict(results)
    outcome, summary, lines = judged.outcome, judged.summary, judged.failures
    output = dict(
        runs=[result.to_dict() for result in results],
        outcome=outcome,
        summary=summary,
        failures=lines,
    )
    junit_error = None
    if wait and junit_path:
        for result in results:
            result.name = (suite_names or {}).get(result.run_id)
        try:
            output["junit_path"] = write_junit(results, junit_path)
        except OSError as exc:
            # Checked before the runs started; if it fails now, the runs are still reported.
            junit_error = "The JUnit report could not be written to %s: %s" % (junit_path, exc)
    unreadable = [result.run_id for result in results if result.unreadable]
    judged_failed = bool(wait and fail_on_failure and not judged.passes(fail_on_flaky))
    failed = judged_failed or bool(unreadable)
    message = ""
    if failed:
        parts = []
        if unreadable:
            parts.append("could not read run(s) %s" % ", ".join(unreadable))
        if judged_failed:
            parts.append("%s (%s)" % (outcome.replace("_", " "), _counts(summary)))
        message = "Leapwork: %s" % "; ".join(parts)
        if judged_failed and judged.passing:
            lines = lines + judged.flaky  # failed only because fail_on_flaky: say which flows were flaky
        if lines:
            message += ":\n" + "\n".join(lines)
    attempt_warnings = [(result.failed_attempt.may_have_started, result.failed_attempt_warning())
                        for result in results if result.failed_attempt is not None]
    unseen = [warning for started, warning in attempt_warnings if started]
    if unseen:
        failed = True
        message = "\n".join(part for part in (
            "Leapwork: another attempt may have started a run that this task did not follow; check the controller's "
            "runs before trying again:\n" + "\n".join(unseen), message) if part)
    if junit_error:
        failed = True
        message = "\n".join(part for part in (junit_error, message) if part)
    if wait and interrupt is not None and interrupt.reason:
        failed = True
        message = "\n".join((_interrupted(interrupt.reason, results, stop), message))
    stopped = stop and any(result.timed_out for result in results)
    warnings = list(judged.flaky) + [warning for started, warning in attempt_warnings]
    return Report(results, output, failed, message, stopped, warnings)


def _interrupted(reason, results, stop):
    """The first line of the report of an interrupted wait: what was left going, and whether it was stopped."""
    text = "The task was interrupted (%s) while waiting for run(s) %s" % (reason, ", ".join(result.run_id for result in results))
    going = [result.run_id for result in results if result.timed_out]
    if not going:
        return text + "; every one of them had ended."
    if stop:
        return text + ": the controller was asked to stop %s (stop_on_timeout)." % ", ".join(going)
    return text + ": %s left going (stop_on_timeout is false)." % ", ".join(going)


def _counts(summary):
    """``<total> flow(s): <n> passed, <n> failed, <n> error(s), <n> cancelled[, <n> flaky]``."""
    labels = {"errors": "error(s)"}
    counts = ["%d %s" % (summary[key], labels.get(key, key)) for key in SUMMARY_KEYS[1:] if summary[key] or key != FLAKY]
    return "%d flow(s): %s" % (summary["total"], ", ".join(counts))
