#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: schedule_info
short_description: List Leapwork schedules, or find them by id or title
version_added: 1.1.0
description:
  - Lists the schedules of a Leapwork controller (C(GET /api/v4/schedules)) with their id, title,
    whether they are enabled, their type, and the status of their newest run
    (C(GET /api/v4/schedules/{scheduleId}/status)).
  - Finds schedules by id (O(schedule_id)) or by title (O(schedule)). Titles are not unique in
    Leapwork, so a title may return several schedules.
  - Temporary schedules, which the controller makes for every I(Run flow by id) call
    (M(leapops.leapwork.flow_run)), are left out unless O(include_temporary=true) or asked for by id.
author:
  - LeapOps engineering (@leapops)
extends_documentation_fragment:
  - leapops.leapwork.connection
  - leapops.leapwork.attributes
  - leapops.leapwork.attributes.read_only
options:
  schedule_id:
    description: Return only the schedule with this id (a GUID).
    type: str
  schedule:
    description:
      - Return only the schedules with this title; matched exactly, and when none matches exactly,
        ignoring case.
    type: str
  include_temporary:
    description: Include the temporary schedules made by I(Run flow by id) calls.
    type: bool
    default: false
  status:
    description:
      - Whether to read each returned schedule's current status (one request per schedule).
    type: bool
    default: true
notes:
  - Right after a schedule is run, its status can still show the previous run's C(Finished);
    to follow a run, use the run id that M(leapops.leapwork.schedule_run) returns.
seealso:
  - module: leapops.leapwork.schedule_run
"""

EXAMPLES = r"""
- name: List the schedules with their current status
  leapops.leapwork.schedule_info:
    controller_url: https://leapwork.example.com:9002
    access_key: "{{ vault_leapwork_access_key }}"
  register: leapwork_schedules

- name: Find the schedules titled "Smoke suite"
  leapops.leapwork.schedule_info:
    schedule: Smoke suite
  register: smoke_schedules

- name: Show whether the regression schedule is busy
  ansible.builtin.debug:
    msg: "{{ (leapwork_schedules.schedules | selectattr('title', 'equalto', 'Regression suite') | first).status }}"
"""

RETURN = r"""
schedules:
  description: The schedules found, in the controller's order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The schedule's id, lower-cased.
      type: str
      sample: 40000000-0000-4000-8000-000000000001
    title:
      description: The schedule's title.
      type: str
      sample: Smoke suite
    enabled:
      description: Whether the schedule is enabled (a disabled schedule cannot be run by M(leapops.leapwork.schedule_run)).
      type: bool
      sample: true
    type:
      description: The controller's type, C(ScheduleInfo) or C(TemporaryScheduleInfo).
      type: str
      sample: ScheduleInfo
    temporary:
      description: Whether this is a temporary schedule made by a I(Run flow by id) call.
      type: bool
      sample: false
    status:
      description:
        - The status of the schedule's newest run, C(Queued), C(Executing) or C(Finished) (also for a
          schedule that never ran). V(null) with O(status=false).
      type: str
      sample: Finished
"""

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError
from ansible_collections.leapops.leapwork.plugins.module_utils._module import (
    client_from_module,
    fail_from_error,
    guid_problem,
    start_module,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._schedules import matching_schedules, schedule_facts


def main():
    spec = dict(
        schedule_id=dict(type="str"),
        schedule=dict(type="str"),
        include_temporary=dict(type="bool", default=False),
        status=dict(type="bool", default=True),
    )
    module = start_module(spec, mutually_exclusive=[("schedule_id", "schedule")])
    params = module.params
    # An empty id or title is refused, as agent_info and flow_info do: it would list every schedule.
    if params["schedule_id"] is not None and guid_problem("schedule_id", params["schedule_id"]):
        module.fail_json(msg=guid_problem("schedule_id", params["schedule_id"]))
    if params["schedule"] is not None and not params["schedule"].strip():
        module.fail_json(msg="schedule must not be empty")
    client = client_from_module(module)
    try:
        every = [schedule_facts(raw) for raw in client.schedules() if isinstance(raw, dict)]
        found = matching_schedules(every, params["schedule_id"], params["schedule"], params["include_temporary"])
        for schedule in found:
            schedule["status"] = client.schedule_status(schedule["id"]) if params["status"] else None
    except LeapworkError as exc:
        fail_from_error(module, exc)
    module.exit_json(changed=False, schedules=found)


if __name__ == "__main__":
    main()
