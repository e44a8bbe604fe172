#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: agent_info
short_description: List Leapwork agents and whether they can take runs now
version_added: 1.0.0
description:
  - Returns the controller's agents with their host, port, type, connection type and, from the
    controller's agent statuses, whether each is available and whether the licence blocks it.
  - Every agent, or one by O(agent_id), or those with a O(title).
  - The licence state is read as the controller says it, C(BlockedByLicense) C(Disabled) (blocked)
    or C(Available) (not blocked) as Leapwork documents it, or V(true)/V(false) as some controllers
    answer. Any other value is reported as RV(agents[].license_status=unknown), and such an agent is
    never reported available.
  - Never changes anything on the controller.
  - Its reads end within 3 x O(request_timeout), whatever the controller does (see the
    O(request_timeout) option).
author:
  - LeapOps engineering (@leapops)
extends_documentation_fragment:
  - leapops.leapwork.connection
  - leapops.leapwork.attributes
  - leapops.leapwork.attributes.read_only
options:
  agent_id:
    description: Id (a GUID) of one agent. An unknown id is an error. Mutually exclusive with O(title).
    type: str
  title:
    description:
      - Title of the agents to return (exact, else ignoring case). Several agents may share a title;
        all of them are returned. No match gives an empty list.
    type: str
notes:
  - One read of C(GET /api/v4/agents) and one of C(GET /api/v4/agents/agentsStatuses).
seealso:
  - module: leapops.leapwork.flow_run
  - module: leapops.leapwork.flow_info
"""

EXAMPLES = r"""
- name: Every agent, with its availability
  leapops.leapwork.agent_info:
    controller_url: https://leapwork.example.com:9002
    access_key: "{{ vault_leapwork_access_key }}"
  register: agents

- name: The agents that can take runs now
  ansible.builtin.debug:
    msg: "{{ agents.agents | selectattr('available') | map(attribute='title') | list }}"

- name: One agent by title
  leapops.leapwork.agent_info:
    title: Windows agent 1
  register: windows_agent

- name: One agent by id
  leapops.leapwork.agent_info:
    agent_id: 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
  register: agent_by_id
"""

RETURN = r"""
agents:
  description: The agents found.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The agent's id, lower-cased; what O(leapops.leapwork.flow_run#module:agent_id) takes.
      type: str
      sample: 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
    title:
      description: The agent's title.
      type: str
      sample: Windows agent 1
    host:
      description: The agent's host name.
      type: str
      sample: win-agent-01
    port:
      description: The agent's port.
      type: int
      sample: 6777
    type:
      description: The agent type as the controller says it (C(Desktop), ...).
      type: str
      sample: Desktop
    connection_type:
      description: How the controller reaches it (C(Local), C(RemoteAgent), ...).
      type: str
      sample: RemoteAgent
    available:
      description:
        - Whether it can take runs now, C(ConnectionStatus) C(Available) and not blocked by the licence.
        - V(null) when the controller's statuses do not list it, or when it is C(Available) but its
          licence state is unknown (RV(agents[].license_status=unknown)).
      type: bool
      sample: true
    connection_status:
      description: C(ConnectionStatus) from the agent statuses (C(Available), C(Unavailable)), V(null) if not listed.
      type: str
      sample: Available
    blocked_by_license:
      description:
        - Whether the licence blocks it, from C(BlockedByLicense) in the agent statuses (C(Disabled)
          or V(true) is blocked, C(Available) or V(false) is not).
        - V(null) if the statuses do not list it or say something else.
      type: bool
      sample: false
    license_status:
      description:
        - What C(BlockedByLicense) says, C(licensed), C(blocked) or C(unknown) (a value this
          collection does not know), V(null) if the statuses do not list the agent.
      type: str
      sample: licensed
  sample:
    - id: 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
      title: Windows agent 1
      host: win-agent-01
      port: 6777
      type: Desktop
      connection_type: RemoteAgent
      available: true
      connection_status: Available
      blocked_by_license: false
      license_status: licensed
"""

from ansible_collections.leapops.leapwork.plugins.module_utils._catalogue import find_agents
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError
from ansible_collections.leapops.leapwork.plugins.module_utils._module import (
    client_from_module,
    fail_from_error,
    guid_problem,
    start_module,
)


def main():
    module = start_module(dict(agent_id=dict(type="str"), title=dict(type="str")), mutually_exclusive=[("agent_id", "title")])
    params = module.params
    if params["agent_id"] is not None and guid_problem("agent_id", params["agent_id"]):
        module.fail_json(msg=guid_problem("agent_id", params["agent_id"]))
    if params["title"] is not None and not params["title"].strip():
        module.fail_json(msg="title must not be empty")
    client = client_from_module(module)
    try:
        agents = find_agents(client, agent_id=params["agent_id"], title=params["title"])
    except LeapworkError as exc:
        fail_from_error(module, exc)
    module.exit_json(changed=False, agents=agents)


if __name__ == "__main__":
    main()
