# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""What each HTTP status of the controller means to us: the one table of status policies.

The client (which reads it retries, how it words an error), the waiter (what it waits out, what
means "not registered yet"), the trigger and the schedules (which answers prove that no run
started, so that the ledger may forget the attempt) all ask this table; no other file lists
status codes (``tests/unit/plugins/test_definitions.py`` checks it).
"""

#: A read (a GET, or the stop PUT) that got this answer is tried again by the client.
RETRY_READ = "retry a read"
#: While following runs, this answer is waited out: the run is polled again later.
WAIT_OUT = "wait it out"
#: An answer to the trigger (or to a schedule's runNow) that proves no run was started: the
#: request was refused before any run could exist. Any other error status may hide a run.
PROVES_NO_RUN = "proves no run started"
#: Only for a schedule's runNow: the controller's "already running" (the schedule's current run
#: goes on, no new one was made).
PROVES_NO_RUN_NOW = "proves runNow started no run"
#: Right after a run was created, the controller may answer this while it is not registered yet.
NOT_REGISTERED_YET = "run not registered yet"
#: The stop PUT of an older controller: try the documented ``/schedules/{id}/stop`` path.
TRY_DOCUMENTED_STOP = "try the documented stop path"

#: The controller's answer to a schedule's runNow while its current run is not over.
ALREADY_RUNNING = 410

#: status -> (what it means, as an error message says it, or None; its policies).
STATUS_TABLE = {
    400: (None, (PROVES_NO_RUN,)),
    401: (None, (PROVES_NO_RUN,)),
    403: (None, (PROVES_NO_RUN,)),
    404: (None, (PROVES_NO_RUN, NOT_REGISTERED_YET, TRY_DOCUMENTED_STOP)),
    405: (None, (PROVES_NO_RUN, TRY_DOCUMENTED_STOP)),
    407: (None, (PROVES_NO_RUN,)),  # proxy authentication
    408: (None, (WAIT_OUT,)),
    ALREADY_RUNNING: ("the controller says it is already running", (PROVES_NO_RUN_NOW,)),
    413: (None, (PROVES_NO_RUN,)),  # request too large
    414: (None, (PROVES_NO_RUN,)),  # URL too long
    429: (None, (RETRY_READ, WAIT_OUT)),
    431: (None, (PROVES_NO_RUN,)),  # headers too large
    446: ("the controller is out of disk space", ()),
    448: ("the controller's cache timed out", (RETRY_READ, WAIT_OUT)),
    455: ("the controller's database is not responding", (RETRY_READ, WAIT_OUT)),
    500: ("the controller reported an internal error", (WAIT_OUT, NOT_REGISTERED_YET)),
    502: (None, (RETRY_READ, WAIT_OUT)),
    503: (None, (RETRY_READ, WAIT_OUT)),
    504: (None, (RETRY_READ, WAIT_OUT)),
}
#: The policies of a 5xx the table does not list: the controller (or a proxy) is unwell for now.
OTHER_SERVER_ERROR = (None, (WAIT_OUT,))
#: The policies of a redirect (any 3xx): never followed, so the controller never handled the request.
REDIRECT = (None, (PROVES_NO_RUN,))


def _entry(status):
    if not isinstance(status, int) or isinstance(status, bool):
        return None, ()
    if status in STATUS_TABLE:
        return STATUS_TABLE[status]
    if 500 <= status < 600:
        return OTHER_SERVER_ERROR
    if 300 <= status < 400:
        return REDIRECT
    return None, ()


def has_policy(status, policy):
    """Whether the table gives ``status`` (an int, or ``None`` for no answer) the ``policy``."""
    return policy in _entry(status)[1]


def meaning(status):
    """What ``status`` means in an error message, or ``None`` when the message says the status alone."""
    return _entry(status)[0]


def proves_no_run(status, run_now=False):
    """Whether this error answer to a trigger (``run_now``: to a schedule's runNow) proves no run started."""
    return has_policy(status, PROVES_NO_RUN) or (run_now and has_policy(status, PROVES_NO_RUN_NOW))


def not_registered_yet(status, seconds_since_created, grace_seconds):
    """Whether this error answer about a run that has not answered yet, created ``seconds_since_created`` ago
    (``None``: not known), may only mean that the controller has not registered it yet: a
    ``NOT_REGISTERED_YET`` status within ``grace_seconds`` of its creation. The waiter waits it out;
    ``rerun: failed`` counts the run as still going."""
    return has_policy(status, NOT_REGISTERED_YET) and seconds_since_created is not None and seconds_since_created < grace_seconds


def statuses_with(*policies):
    """Every listed status with one of ``policies``, sorted (for docs and tests)."""
    return sorted(status for status, (_meaning, its) in STATUS_TABLE.items() if set(its) & set(policies))
