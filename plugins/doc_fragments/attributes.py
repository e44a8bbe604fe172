# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment(object):

    # Standard attributes; each module says how far it supports check mode. No module supports
    # diff mode, and every module is in the action group (meta/runtime.yml).
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
    support: none
  action_group:
    description: Use C(group/leapops.leapwork.leapwork) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - leapops.leapwork.leapwork
"""

    # The modules that only read.
    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - The module only reads; it behaves the same in check mode.
"""
