# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""The controller's ids (flows, agents, runs, schedules): pure checks, for every layer.

Lower layers (the trigger, schedules) check ids with these before anything is sent; ``_module``
re-exports them for the modules. ``guid_problem`` is the one message for an id that is not a GUID.
"""

import re

#: The example every "must be a GUID" message shows.
EXAMPLE_GUID = "5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11"

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def is_guid(value):
    """True for a string such as ``5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11`` (any case, no braces)."""
    return isinstance(value, str) and _GUID.match(value) is not None


def guid_problem(option, value):
    """The message for ``option`` when ``value`` is not a GUID (naming the option, with one example), else ``None``."""
    if is_guid(value):
        return None
    return "%s must be a GUID such as %s, got %r" % (option, EXAMPLE_GUID, value)
