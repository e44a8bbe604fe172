#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: run_info
short_description: Read Leapwork runs, optionally waiting for them to end, and judge them
version_added: 1.0.0
description:
  - Reads the status and the results of one or more Leapwork runs, whatever started them (this
    collection, a schedule, Leapwork Studio, another pipeline).
  - With O(wait), follows every run concurrently until it is over (its status is C(Finished) and
    every flow in it has a final status), under one overall deadline.
  - Each flow's status is classified as passed, failed, error or cancelled. C(Done) follows
    O(done_status_as); a status this collection has never seen counts as an error that names the
    status, and is never dropped. For flows that did not pass, the log lines that explain why
    (keyframes of level Info and above) are returned.
  - Never changes anything on the controller, except that with O(wait) and O(stop_on_timeout) the
    runs still going at the deadline are stopped. Safe to repeat, for example with C(until).
author:
  - LeapOps engineering (@leapops)
extends_documentation_fragment:
  - leapops.leapwork.connection
  - leapops.leapwork.run_ids
  - leapops.leapwork.wait
  - leapops.leapwork.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the runs as usual; in check mode, runs are never stopped on timeout.
options:
  runs:
    description:
      - The runs as M(leapops.leapwork.flow_run) returns them in RV(leapops.leapwork.flow_run#module:runs).
        Of each entry, C(run_id) and C(agent_id) (the agent the run was started on) are used and other
        keys are ignored; an entry without a run id (an item that started nothing) is skipped.
      - Knowing each run's agent, O(wait) polls a run queued behind another of these runs on its agent
        only once that run has ended, instead of each time any run ends. That saves many requests when
        many runs queue on a few agents. An entry without C(agent_id) is followed as with O(run_ids).
      - May be given with O(run_ids), for example for the runs of schedules, whose agents are not known.
        The runs are then those of O(run_ids), followed by those of O(runs) not among them, each followed once.
      - Mutually exclusive with O(run_id).
    type: list
    elements: dict
    version_added: 1.1.0
  secret_variables:
    description:
      - The secret variables the runs were started with (see O(leapops.leapwork.flow_run#module:secret_variables)).
        A flow may log its variables; these values are masked as C(********) in the JUnit report,
        and Ansible masks them in the results.
    type: dict
    default: {}
notes:
  - The results of a run are read from C(/api/v4/run/{runId}/status), C(/runItemIds), C(/runItems/{id})
    and, for flows that did not pass, their keyframes.
  - Right after a run is started, a controller may answer 404 or 500 for a few seconds; this is
    tolerated while waiting. A run that disappears later (for example after a controller restart)
    ends with outcome V(error) and a message carrying its run id.
  - A run that could not be read (unknown to the controller, gone, or only errors until the end)
    fails the task with its run id, with or without O(wait), whatever O(fail_on_failure) says.
seealso:
  - module: leapops.leapwork.flow_run
  - module: leapops.leapwork.run_stop
"""

EXAMPLES = r"""
- name: Wait for runs started earlier, and fail when one did not pass
  leapops.leapwork.run_info:
    run_ids: "{{ verification.run_ids }}"
    wait: true
    wait_timeout: 1800
    junit_path: "{{ playbook_dir }}/leapwork-junit.xml"
  register: results

- name: Wait for the runs of a flow_run task, knowing their agents (a queued run is polled when its agent frees up)
  leapops.leapwork.run_info:
    runs: "{{ verification.runs }}"
    wait: true
    wait_timeout: 1800
  register: followed

- name: Read one run without waiting and without failing
  leapops.leapwork.run_info:
    run_id: 8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a
    fail_on_failure: false
  register: snapshot

- name: Poll from Ansible instead of waiting in the module
  leapops.leapwork.run_info:
    run_id: "{{ smoke.run_id }}"
    fail_on_failure: false
  register: polled
  until: polled.runs[0].status == 'Finished'
  retries: 60
  delay: 10
"""

RETURN = r"""
runs:
  description: One entry per run, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    run_id:
      description: The run's id.
      type: str
      sample: 8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a
    status:
      description: The run's last status (C(Queued), C(Executing), C(Finished), ...).
      type: str
      sample: Finished
    outcome:
      description:
        - V(passed), V(failed), V(error), V(cancelled) or V(timed_out) once the run is over;
          V(running) or V(queued) when read without O(wait) before it is over.
      type: str
      sample: failed
    summary:
      description: Counts of the run's flows.
      type: dict
      sample: {"total": 2, "passed": 1, "failed": 1, "errors": 0, "cancelled": 0, "flaky": 0}
    elapsed_seconds:
      description: Seconds spent following the run.
      type: float
      sample: 12.4
    queued_seconds:
      description: Seconds the run was seen waiting for a free agent (C(Queued)).
      type: float
      sample: 0.0
    timed_out:
      description: Whether the deadline passed before the run was over.
      type: bool
      sample: false
    message:
      description: What went wrong with the run as a whole, if anything (no flow ran, disappeared, timed out).
      type: str
      sample: ""
    run_items:
      description: One entry per flow run on an agent.
      type: list
      elements: dict
      sample:
        - run_item_id: 0d6b2cf3-95c4-4f43-9d9e-5c1f2a3b4c5d
          flow_id: 20000000-0000-4000-8000-000000000002
          flow_title: Checkout fails
          agent_id: 30000000-0000-4000-8000-000000000002
          agent_title: Windows agent 1
          status: Failed
          outcome: failed
          elapsed_seconds: 8.0
          keyframes:
            - timestamp: "2026-11-29T10:00:08+00:00"
              level: Error
              message: Expected total '42.00' but found '41.99'
              block: Check total
outcome:
  description:
    - The overall outcome of every run, the worst of them in the collection's one order V(running), V(queued)
      (no verdict while a run is still going), V(error), V(timed_out), V(failed), V(cancelled), V(passed).
    - The filter P(leapops.leapwork.run_report#filter) says the same for RV(runs).
  returned: always
  type: str
  sample: passed
summary:
  description: Counts of every flow of every run.
  returned: always
  type: dict
  sample: {"total": 3, "passed": 3, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 0}
failures:
  description: One line per flow that did not pass (flow title, agent, status, reason).
  returned: always
  type: list
  elements: str
  sample: ["Checkout fails on Windows agent 1: Failed - Expected total '42.00' but found '41.99'"]
junit_path:
  description: Where the JUnit report was written.
  returned: when O(junit_path) is set
  type: str
  sample: /builds/leapwork-junit.xml
"""

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError
from ansible_collections.leapops.leapwork.plugins.module_utils._follow import follow_and_report
from ansible_collections.leapops.leapwork.plugins.module_utils._module import (
    client_from_module,
    exit_with_report,
    fail_from_error,
    run_ids_argument_spec,
    run_ids_from_module,
    start_module,
    started_runs,
    wait_options,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import render_value


def main():
    spec = run_ids_argument_spec()
    spec.update(secret_variables=dict(type="dict", default={}, no_log=True), runs=dict(type="list", elements="dict"))
    module = start_module(spec, wait=True, mutually_exclusive=[("run_id", "run_ids"), ("run_id", "runs")],
                          required_one_of=[("run_id", "run_ids", "runs")])
    try:
        run_ids, agents = started_runs(run_ids_from_module(module), module.params["runs"] or [])
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    try:
        # Rendered as flow_run sent them (True as "true"); the client masks them in what it reads.
        for name, value in module.params["secret_variables"].items():
            render_value(name, value)
    except ValueError as exc:
        module.fail_json(msg="secret_variables: %s" % exc)
    client = client_from_module(module)
    try:
        report = follow_and_report(client, run_ids, stop_allowed=not module.check_mode, agents=agents,
                                   interrupt=module.interrupt, **wait_options(module.params, deadline=client.deadline))
    except LeapworkError as exc:
        fail_from_error(module, exc)
    exit_with_report(module, report, report.stopped, report.output)


if __name__ == "__main__":
    main()
