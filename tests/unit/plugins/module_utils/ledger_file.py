# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the idempotency ledger file holds, read as JSON: tests check what was written, not the Ledger's view of it."""

import json
import os

from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import Ledger


def stored_entries(path):
    """The entries in the ledger file at ``path``, by entry key (``{}`` when there is no file)."""
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["entries"]


def stored_entry(path, controller_url, target, idempotency_key):
    """The entry of one key in the ledger file at ``path``, or ``None``."""
    return stored_entries(path).get(Ledger.entry_key(controller_url, target, idempotency_key))
