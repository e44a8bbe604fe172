# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""Batches of requests that each may start a run (flow triggers, schedules' runNow).

Shared by ``_trigger`` and ``_schedules`` so that both keep the same rules: an idempotency key
is never only white space; items of one batch that are one ledger entry (same target, same key)
must carry the same variables, and are then started once, every such item reporting that run.

A request here has ``label``, ``idempotency_key``, ``fingerprint()``, ``identity()`` (what makes
two items one ledger entry) and ``target()`` (that identity in words, for messages).
"""

import concurrent.futures
import copy
from collections import OrderedDict

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import LedgerError, RunNotRecorded
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import RunVariables, VariableError


def idempotency_key_problem(idempotency_key, label):
    """A message when the key is only white space (it would look unset in every listing), else ``None``."""
    if idempotency_key and not idempotency_key.strip():
        return "%s: idempotency_key must not be only white space, got %r" % (label, idempotency_key)
    return None


class StartRequest(RunVariables):
    """A request that may start a run: its variables (see ``RunVariables``) and idempotency key, validated."""

    def set_run_options(self, variables, secret_variables, idempotency_key, error, delete_schedule=False):
        """Validate and keep the variables and the key; raise ``error`` (the request's exception class) when invalid.

        ``self.label`` must be set; ``delete_schedule``: ``isDelete`` is sent with the variables.
        """
        try:
            self.set_variables(variables, secret_variables, self.label, delete_schedule)
        except VariableError as exc:
            raise error(str(exc)) from None
        problem = idempotency_key_problem(idempotency_key, self.label)
        if problem:
            raise error(problem)
        self.idempotency_key = idempotency_key or None


def batch_problem(requests):
    """A message for two items with one ledger entry but different variables, else ``None``.

    Checked before anything is started: such items would fight over one ledger entry.
    """
    seen = {}
    for request in requests:
        if not request.idempotency_key:
            continue
        first = seen.setdefault(request.identity(), request)
        if first is not request and first.fingerprint() != request.fingerprint():
            what, per = request.target()
            return ("%s and %s: same %s and idempotency_key %r but different variables; one key records one run per %s. "
                    "Give each set of variables its own idempotency_key."
                    % (first.label, request.label, what, request.idempotency_key, per))
    return None


class StartResult(object):
    """What happened to one request of a batch; a kind of request adds what names its target.

    Subclasses give ``target_fields()`` (the result keys that name the target) and
    ``request_record()`` (the request that starts a run, as reported).
    """

    def __init__(self, request):
        self.request = request
        self.run_id = None
        self.changed = False
        self.reused = False
        self.sent = False
        # Set just before the request that starts a run is handed to the client: from then on, an
        # unexpected exception may hide a run.
        self.attempted = False
        self.error = None
        self.status = None

    def copy_for(self, request):
        """This result, reported by ``request``, an identical item of the same batch."""
        twin = copy.copy(self)
        twin.request = request
        return twin

    def to_dict(self, check_mode=False):
        result = self.target_fields()
        result.update({
            "variables": dict(self.request.shown_variables()),
            "idempotency_key": self.request.idempotency_key,
            "run_id": self.run_id,
            "changed": self.changed,
            "reused": self.reused,
            # "request" means sent: a check-mode preview is another key.
            "request": self.request_record() if self.sent else None,
        })
        if check_mode:
            result["would_request"] = self.request_record() if self.changed else None
        if self.error:
            result["error"] = self.error
            result["status"] = self.status
        return result


def record_item_error(result, exc):
    """Make ``exc`` the error of one item's ``result``: one item's failure never fails the batch."""
    if isinstance(exc, RunNotRecorded):
        result.error = str(exc)
        result.run_id = exc.run_id
    elif isinstance(exc, LedgerError):
        # A conflict names the recorded run in its message; that run is not this item's.
        result.error = str(exc)
    elif isinstance(exc, LeapworkError):
        result.error = str(exc)
        result.status = exc.status
        if exc.run_id and not result.run_id:
            result.run_id = exc.run_id
    else:
        # One item's surprise must not hide the runs the other items started, nor its own.
        error = "unexpected %s: %s" % (type(exc).__name__, exc)
        if result.run_id:
            error = "run %s started, then %s" % (result.run_id, error)
        elif result.attempted:
            error = ("a run may have started, its id unknown: the request that starts it was sent, then %s. Check the "
                     "controller's runs before trying again" % error)
        result.error = error


def start_once_each(requests, new_result, start, max_concurrency=8):
    """``start(request, new_result(request))`` for every distinct request, concurrently; one result per request, in input order.

    Keyed items that are one ledger entry with the same variables are started once; each of them
    gets that result through ``result.copy_for(request)``. An exception of ``start`` becomes that
    item's error (``record_item_error``): one item's failure never fails the batch.
    """
    def start_one(request):
        result = new_result(request)
        try:
            start(request, result)
        except Exception as exc:  # pylint: disable=broad-except
            record_item_error(result, exc)
        return result

    def identity(request):
        return (request.identity(), request.fingerprint()) if request.idempotency_key else id(request)

    unique = OrderedDict()
    for request in requests:
        unique.setdefault(identity(request), request)
    distinct = list(unique.values())
    if len(distinct) == 1:
        started = [start_one(distinct[0])]
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(max_concurrency, len(distinct)))) as pool:
            started = list(pool.map(start_one, distinct))
    by_request = dict((id(result.request), result) for result in started)
    results = []
    for request in requests:
        result = by_request[id(unique[identity(request)])]
        results.append(result if result.request is request else result.copy_for(request))
    return results


def unique_run_ids(run_ids):
    """``run_ids`` in order, each once: identical items of a batch share one run."""
    seen = []
    for run_id in run_ids:
        if run_id not in seen:
            seen.append(run_id)
    return seen
