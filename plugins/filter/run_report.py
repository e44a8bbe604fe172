# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: run_report
short_description: The verdict and one line per flow for followed Leapwork runs
version_added: 1.1.0
author:
  - LeapOps
description:
  - Turns the RV(leapops.leapwork.run_info#module:runs) that M(leapops.leapwork.run_info),
    M(leapops.leapwork.flow_run) or M(leapops.leapwork.schedule_run) return after a wait into the overall outcome, the summed
    summary and one readable line per flow, decided by the same result model as the modules'
    messages (the reason given for a failure is the one the modules give).
  - The role C(leapops.leapwork.verify_deployment) shows these lines and publishes the outcome.
positional: _input
options:
  _input:
    description:
      - The C(runs) list of a module's result (each entry with at least C(run_id), C(outcome),
        C(summary) and C(run_items)).
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
    that: (followed.runs | leapops.leapwork.run_report).outcome == 'passed'
"""

RETURN = r"""
_value:
  description: The verdict over the runs.
  type: dict
  contains:
    outcome:
      description:
        - The worst outcome of the runs, in the order C(timed_out), C(error), C(failed),
          C(cancelled), C(passed); C(passed) for an empty list.
      type: str
      sample: failed
    summary:
      description: The runs' summaries added up.
      type: dict
      sample: {"total": 2, "passed": 1, "failed": 1, "errors": 0, "cancelled": 0}
    lines:
      description:
        - "One line per flow, C(<flow> on <agent>: <outcome> (<status>, <seconds> s)), followed by
          C( - <reason>) when it did not pass; a line naming the run for a run in which no flow ran."
      type: list
      elements: str
      sample:
        - "Login on Windows agent 1: passed (Passed, 5.0 s)"
        - "Checkout on Windows agent 1: failed (Failed, 7.2 s) - Pay: the button was not found"
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence

from ansible_collections.leapops.leapwork.plugins.module_utils._results import report


def run_report(runs):
    if not is_sequence(runs) or not all(isinstance(run, dict) for run in runs):
        raise AnsibleFilterError("run_report: expects the list of runs a leapops.leapwork module returned, got %s"
                                 % type(runs).__name__)
    try:
        return report(runs)
    except ValueError as error:
        raise AnsibleFilterError("run_report: %s" % error)


class FilterModule(object):
    def filters(self):
        return {"run_report": run_report}
