#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: flow_info
short_description: Find Leapwork flows by id, path, title or folder
version_added: 1.0.0
description:
  - Reads the controller's asset hierarchy and returns flows with their id, title, folder path and
    status, so that a playbook can go from the names people know to the ids the API takes.
  - Looks flows up by O(flow_id), by O(path) (the titles of the folders and of the flow joined by C(/)),
    by O(title) (every flow with that title, wherever it is), or returns every flow under O(folder),
    sub-folders included. With none of these, every flow of the controller is returned.
  - Never changes anything on the controller.
author:
  - LeapOps engineering (@leapops)
extends_documentation_fragment:
  - leapops.leapwork.connection
  - leapops.leapwork.attributes
  - leapops.leapwork.attributes.read_only
options:
  flow_id:
    description: Id (a GUID) of one flow. An id not in the hierarchy is an error.
    type: str
  path:
    description:
      - Folder path and title of a flow, such as V(Regression/Checkout/Checkout fails).
      - An exact match wins; otherwise case is ignored. A path that matches no flow is an error that
        suggests the closest paths.
      - A title containing C(/) is part of the path as is (V(Regression/Pay / refund)).
    type: str
  title:
    description:
      - Title of the flows to return, in whatever folder they are (exact, else ignoring case).
      - Several flows may share a title; all of them are returned. No match gives an empty list.
    type: str
  folder:
    description:
      - Folder path, such as V(Regression/Checkout); every flow in it and in its sub-folders is returned.
      - An unknown folder is an error that suggests the closest folder paths.
    type: str
notes:
  - One read of C(GET /api/v4/hierarchy), plus one read of C(GET /api/v4/flowinfo/{id}) per flow
    returned when the hierarchy does not carry the flow's status.
  - Items of type C(Flow) and C(SubFlow) are flows; folders, data files and other assets are not returned.
seealso:
  - module: leapops.leapwork.flow_run
  - module: leapops.leapwork.agent_info
"""

EXAMPLES = r"""
- name: Find a flow by its path
  leapops.leapwork.flow_info:
    controller_url: https://leapwork.example.com:9002
    access_key: "{{ vault_leapwork_access_key }}"
    path: Regression/Checkout/Checkout fails
  register: checkout

- name: Every flow called "Checkout fails", wherever it is
  leapops.leapwork.flow_info:
    title: Checkout fails
  register: same_title

- name: Every flow under Regression, sub-folders included
  leapops.leapwork.flow_info:
    folder: Regression
  register: regression

- name: Show where they are
  ansible.builtin.debug:
    msg: "{{ regression.flows | map(attribute='path') | list }}"

- name: One flow by id, with its status (Publish, Draft...)
  leapops.leapwork.flow_info:
    flow_id: 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11
  register: flow_by_id
"""

RETURN = r"""
flows:
  description: The flows found, in the order of the asset hierarchy.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The flow's id, lower-cased; what O(leapops.leapwork.flow_run#module:flow_id) takes.
      type: str
      sample: 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11
    title:
      description: The flow's title.
      type: str
      sample: Checkout fails
    path:
      description: The titles of its folders and its own title, joined by C(/).
      type: str
      sample: Regression/Checkout/Checkout fails
    folder:
      description: The path of its folder; empty for a flow at the top level.
      type: str
      sample: Regression/Checkout
    type:
      description: The asset type, C(Flow) or C(SubFlow).
      type: str
      sample: Flow
    status:
      description: The flow's status as the controller says it (C(Publish), C(Draft), ...), or V(null) if it says none.
      type: str
      sample: Publish
  sample:
    - id: 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11
      title: Checkout fails
      path: Regression/Checkout/Checkout fails
      folder: Regression/Checkout
      type: Flow
      status: Publish
"""

from ansible_collections.leapops.leapwork.plugins.module_utils._catalogue import find_flows
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError
from ansible_collections.leapops.leapwork.plugins.module_utils._module import (
    client_from_module,
    fail_from_error,
    guid_problem,
    start_module,
)

LOOKUPS = ("flow_id", "path", "title", "folder")


def main():
    module = start_module(dict((name, dict(type="str")) for name in LOOKUPS), mutually_exclusive=[LOOKUPS])
    params = module.params
    flow_id = params["flow_id"]
    if flow_id is not None and guid_problem("flow_id", flow_id):
        module.fail_json(msg=guid_problem("flow_id", flow_id))
    for name in ("path", "title", "folder"):
        if params[name] is not None and not params[name].strip():
            module.fail_json(msg="%s must not be empty" % name)
    client = client_from_module(module)
    try:
        flows = find_flows(client, flow_id=flow_id, path=params["path"], title=params["title"], folder=params["folder"])
    except LeapworkError as exc:
        fail_from_error(module, exc)
    module.exit_json(changed=False, flows=flows)


if __name__ == "__main__":
    main()
