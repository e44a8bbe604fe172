# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment(object):

    # The runs a module acts on; the argument spec is
    # plugins/module_utils/_module.py run_ids_argument_spec().
    DOCUMENTATION = r"""
options:
  run_id:
    description:
      - Id (a GUID) of the run, as returned by M(leapops.leapwork.flow_run) or M(leapops.leapwork.schedule_run).
      - Mutually exclusive with O(run_ids).
    type: str
  run_ids:
    description:
      - Ids of several runs; they are reported in the order given. Mutually exclusive with O(run_id).
    type: list
    elements: str
"""
