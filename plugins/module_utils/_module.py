# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""What every module of the collection shares: the connection options (documented by the
``leapops.leapwork.connection`` doc fragment), the ``requests`` guard, building the client
from the module parameters, and turning a ``LeapworkError`` into one ``fail_json`` message.
"""

import math
import os

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.leapops.leapwork.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    LeapworkClient,
    normalize_controller_url,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import redact
from ansible_collections.leapops.leapwork.plugins.module_utils._ids import is_guid
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import DEFAULT_LEDGER_PATH


def connection_argument_spec():
    """The argument spec of the connection options; a new dict on every call."""
    return dict(
        controller_url=dict(type="str", required=True, fallback=(env_fallback, ["LEAPWORK_CONTROLLER_URL"])),
        access_key=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["LEAPWORK_ACCESS_KEY"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["LEAPWORK_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["LEAPWORK_CA_PATH"])),
        request_timeout=dict(type="float", default=30),
    )


def awx_job_id(environ=None):
    """The id of the AWX / Automation Platform job this runs in, or ``None`` outside one.

    AWX sets ``JOB_ID`` and ``AWX_HOST`` in the environment of every job's ansible-playbook;
    both are needed, since a CI system may set a ``JOB_ID`` of its own.
    """
    environ = os.environ if environ is None else environ
    if environ.get("JOB_ID") and environ.get("AWX_HOST"):
        return environ["JOB_ID"]
    return None


def ledger_lost_with_job_warning(ledger_path, environ=None):
    """The warning for an idempotency ledger at its default place inside an AWX job, or ``None``.

    Every AWX job runs in a new execution environment container, so a ledger in the home
    directory is gone when the job ends and the next job with the same key starts a new run.
    """
    job_id = awx_job_id(environ)
    default = os.path.abspath(os.path.expanduser(DEFAULT_LEDGER_PATH))
    if job_id is None or os.path.abspath(os.path.expanduser(ledger_path)) != default:
        return None
    return (
        "idempotency_key is used in AWX job %s with the ledger at its default place %s, inside the job's "
        "execution environment, which is discarded when the job ends: a later job with the same key will "
        "not find this run and will start a new one. Point ledger_path, or the LEAPWORK_LEDGER_PATH "
        "environment variable (the Leapwork credential's ledger_path field sets it), at storage that outlives "
        "the job, such as a volume mounted into the execution environment." % (job_id, default)
    )


def ensure_requests(module):
    """Fail the module with the standard message when ``requests`` is not installed."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)


def validate_connection_params(params):
    """Check the connection options; return the normalised ``controller_url``.

    Raises ``ValueError`` with a message naming the offending option.
    """
    controller_url = normalize_controller_url(params.get("controller_url"))
    timeout = params.get("request_timeout")
    if timeout is None or not timeout > 0 or not math.isfinite(timeout):
        raise ValueError("request_timeout must be greater than 0 and finite (seconds), got %r" % (timeout,))
    ca_path = params.get("ca_path")
    if ca_path and params.get("validate_certs", True) and not os.path.exists(ca_path):
        raise ValueError("ca_path %s does not exist" % ca_path)
    return controller_url


def client_from_module(module, **kwargs):
    """Build a ``LeapworkClient`` from the connection options; fails the module on bad options.

    ``kwargs`` go to the client as is (``retries``, ``session``, ``sleep``... for tests).
    """
    ensure_requests(module)
    params = module.params
    try:
        controller_url = validate_connection_params(params)
        return LeapworkClient(
            controller_url,
            params["access_key"],
            validate_certs=params["validate_certs"],
            ca_path=params["ca_path"],
            request_timeout=params["request_timeout"],
            **kwargs
        )
    except ValueError as exc:
        module.fail_json(msg=redact(str(exc), params.get("access_key")))
    return None  # not reached: fail_json exits


def error_result(error, access_key=None):
    """The facts of a ``LeapworkError`` for a module result: ``msg``, and ``status``/``run_id`` when known."""
    result = dict(msg=redact(str(error), access_key))
    status = getattr(error, "status", None)
    if status is not None:
        result["status"] = status
    run_id = getattr(error, "run_id", None)
    if run_id:
        result["run_id"] = run_id
    return result


def fail_from_error(module, error, **extra):
    """Fail the module with one message for ``error``; ``extra`` goes into the result as is.

    ``status`` and ``run_id`` from the error win over ``extra`` when the error knows them.
    """
    result = dict(extra)
    result.update(error_result(error, module.params.get("access_key")))
    module.fail_json(**result)


def run_ids_argument_spec():
    """``run_id`` or ``run_ids``, for modules that act on existing runs."""
    return dict(
        run_id=dict(type="str"),
        run_ids=dict(type="list", elements="str"),
    )


def run_ids_from_module(module):
    """The run ids asked for, checked to be GUIDs before any request (fails the module otherwise)."""
    run_ids = [module.params["run_id"]] if module.params["run_id"] else list(module.params["run_ids"])
    for run_id in run_ids:
        if not is_guid(run_id):
            module.fail_json(msg="run ids must be GUIDs such as 8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a, got %r" % (run_id,))
    return run_ids
