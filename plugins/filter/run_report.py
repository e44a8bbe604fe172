# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: run_report
short_description: The verdict and one line per flow for Leapwork runs
version_added: 1.1.0
author:
  - LeapOps
description:
  - Turns the RV(leapops.leapwork.run_info#module:runs) that M(leapops.leapwork.run_info),
    M(leapops.leapwork.flow_run) or M(leapops.leapwork.schedule_run) return into the overall outcome, the summed
    summary and one readable line per flow, decided by the same function as the modules' C(outcome)
    and messages (the reason given for a failure is the one the modules give).
  - Every outcome a module returns is accepted, runs still going (V(queued), V(running)) included;
    a run that a module started without following it (no C(outcome)) is V(started), an entry
    that could not be started (with an C(error)) is V(error).
  - The role C(leapops.leapwork.verify_deployment) shows these lines and publishes the outcome.
positional: _input
options:
  _input:
    description:
      - The C(runs) list of a module's result (each entry with at least C(run_id), and C(outcome),
        C(summary) and C(run_items) once the run was read).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Follow two runs without failing the task
  leapops.leapwork.run_info:
    run_ids: "{{ started.run_ids }}"
    wait: true
    fail_on_failure: false
  register: followed

- name: Show one line per flow
  ansible.builtin.debug:
    msg: "{{ (followed.runs | leapops.leapwork.run_report).lines }}"

- name: Fail unless every flow passed
  ansible.builtin.assert:
    that: (followed.runs | leapops.leapwork.run_report).passing
"""

RETURN = r"""
_value:
  description: The verdict over the runs.
  type: dict
  contains:
    outcome:
      description:
        - The worst outcome of the runs, in the one order of the collection, C(running), C(queued),
          C(started) (no verdict yet), C(error), C(timed_out), C(failed), C(cancelled), C(flaky), C(passed);
          C(none) for an empty list. The same as the modules' C(outcome) for the same runs.
        - A flaky flow is one of M(leapops.leapwork.flow_run) with O(leapops.leapwork.flow_run#module:retries)
          that passed only on a later attempt.
      type: str
      sample: failed
    summary:
      description: The runs' summaries added up.
      type: dict
      sample: {"total": 2, "passed": 1, "failed": 1, "errors": 0, "cancelled": 0, "flaky": 0}
    lines:
      description:
        - "One line per flow, C(<flow> on <agent>: <outcome> (<status>, <seconds> s)), followed by
          C( - <reason>) when it did not pass; a line naming the run for a run without flows (no flow
          ran, still queued, started and not followed)."
      type: list
      elements: str
      sample:
        - "Login on Windows agent 1: passed (Passed, 5.0 s)"
        - "Checkout on Windows agent 1: failed (Failed, 7.2 s) - Pay: the button was not found"
    over:
      description: Whether the outcome is a verdict (no run is still going or only started).
      type: bool
      sample: true
    passing:
      description:
        - Whether a task with C(fail_on_failure) passes with this outcome (C(flaky), C(passed), or C(none)).
          M(leapops.leapwork.flow_run) with O(leapops.leapwork.flow_run#module:fail_on_flaky) fails for a flaky flow too.
      type: bool
      sample: false
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence

from ansible_collections.leapops.leapwork.plugins.module_utils._results import RunResult, verdict


def run_report(runs):
    if not is_sequence(runs) or not all(isinstance(run, dict) for run in runs):
        raise AnsibleFilterError("run_report: expects the list of runs a leapops.leapwork module returned, got %s"
                                 % type(runs).__name__)
    try:
        judged = verdict(RunResult.from_dict(run) for run in runs)
    except ValueError as error:
        raise AnsibleFilterError("run_report: %s" % error)
    return {"outcome": judged.outcome, "summary": judged.summary, "lines": judged.lines,
            "over": judged.over, "passing": judged.passing}


class FilterModule(object):
    def filters(self):
        return {"run_report": run_report}
