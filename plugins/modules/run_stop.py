#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: run_stop
short_description: Stop Leapwork runs that are still going
version_added: 1.0.0
description:
  - Stops one or more Leapwork runs with C(PUT /api/v4/run/{runId}/stop), falling back to the
    documented C(PUT /api/v4/schedules/{runId}/stop) on controllers that only know that path.
  - Flows that have not finished are cancelled. A run that is already over is left alone.
  - Reports C(changed) only when a run was still going.
author:
  - LeapOps engineering (@leapops)
extends_documentation_fragment:
  - leapops.leapwork.connection
  - leapops.leapwork.run_ids
  - leapops.leapwork.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads each run's status and reports whether it would be stopped; stops nothing.
seealso:
  - module: leapops.leapwork.flow_run
  - module: leapops.leapwork.run_info
"""

EXAMPLES = r"""
- name: Stop the verification runs when the deployment is rolled back
  leapops.leapwork.run_stop:
    run_ids: "{{ verification.run_ids }}"
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
    status_before:
      description: The run's status before stopping (C(Queued), C(Executing), C(Finished), ...).
      type: str
      sample: Executing
    stopped:
      description: Whether this invocation stopped the run (or would have, in check mode).
      type: bool
      sample: true
stopped_run_ids:
  description: The runs that were (or, in check mode, would be) stopped.
  returned: always
  type: list
  elements: str
  sample: [8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a]
"""

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError
from ansible_collections.leapops.leapwork.plugins.module_utils._module import (
    client_from_module,
    fail_from_error,
    run_ids_argument_spec,
    run_ids_from_module,
    start_module,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._statuses import STATUS_FINISHED


def stop_one(client, run_id, check_mode):
    """Stop one run if it is still going; return its entry."""
    status = client.run_status(run_id)
    entry = dict(run_id=run_id, status_before=status, stopped=False)
    if status == STATUS_FINISHED:
        return entry
    if check_mode:
        entry["stopped"] = True
        return entry
    # The controller answers OperationCompleted=false when there was nothing left to stop.
    entry["stopped"] = client.stop_run(run_id)
    return entry


def main():
    module = start_module(run_ids_argument_spec(), mutually_exclusive=[("run_id", "run_ids")], required_one_of=[("run_id", "run_ids")])
    run_ids = run_ids_from_module(module)
    client = client_from_module(module)
    runs = []
    for run_id in run_ids:
        try:
            runs.append(stop_one(client, run_id, module.check_mode))
        except LeapworkError as exc:
            stopped = [run["run_id"] for run in runs if run["stopped"]]
            fail_from_error(module, exc, run_id=run_id, runs=runs, stopped_run_ids=stopped, changed=bool(stopped))
    stopped = [run["run_id"] for run in runs if run["stopped"]]
    module.exit_json(changed=bool(stopped), runs=runs, stopped_run_ids=stopped)


if __name__ == "__main__":
    main()
