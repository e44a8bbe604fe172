# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""The module edge, what every module of the collection shares: its start-up (the argument specs
of the shared options, documented by the ``connection`` and ``wait`` doc fragments, the
``requests`` guard and the checks of those options before any request), building the client from
the module parameters, turning a ``LeapworkError`` into one ``fail_json`` message, and reporting
the runs a task started or followed.
"""

import math
import os

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.leapops.leapwork.plugins.module_utils._batch import unique_run_ids
from ansible_collections.leapops.leapwork.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    LeapworkClient,
    normalize_controller_url,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._deadline import Deadline
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import redact, redact_data, seconds_text
from ansible_collections.leapops.leapwork.plugins.module_utils._follow import follow_and_report
from ansible_collections.leapops.leapwork.plugins.module_utils._junit import junit_path_problem
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import DEFAULT_LEDGER_PATH, RERUN_CHOICES, Ledger
from ansible_collections.leapops.leapwork.plugins.module_utils._results import DONE_STATUS_CHOICES, PASSED
from ansible_collections.leapops.leapwork.plugins.module_utils._ids import guid_problem
from ansible_collections.leapops.leapwork.plugins.module_utils._interrupt import Interrupt
from ansible_collections.leapops.leapwork.plugins.module_utils._mounts import shared_ledger_warning
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import render_value
from ansible_collections.leapops.leapwork.plugins.module_utils._waiter import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT, wait_problem


#: A task that does not wait reads under a deadline of this many request timeouts, all its reads
#: together (names, the agent pre-flight, the info modules, runs read once): a controller that
#: accepts connections and never answers costs at most that long (docs/reliability.md).
READ_ATTEMPTS = 3


def task_deadline(params, waits=None):
    """The task's one ``Deadline``, made when the module starts: ``wait_timeout`` when it waits
    (``waits``; by default its ``wait`` option), else ``READ_ATTEMPTS`` x ``request_timeout``.
    Every read, wait and pause of the task runs under it (the client takes it; see docs/design.md)."""
    if waits is None:
        waits = bool(params.get("wait"))
    if waits:
        return Deadline(params["wait_timeout"], what="wait_timeout %s s" % seconds_text(params["wait_timeout"]))
    seconds = READ_ATTEMPTS * params["request_timeout"]
    return Deadline(seconds, what="%d x request_timeout, %s s" % (READ_ATTEMPTS, seconds_text(seconds)))


def no_time_to_start_problem(params, waits):
    """The message for a task that starts runs under ``wait_timeout`` (``waits``, see ``task_deadline``)
    when it is 0, else ``None``: that one deadline also bounds the reads and the request that start a
    run, so at 0 nothing could be sent. Checked before any request."""
    if not waits or params["wait_timeout"] != 0:
        return None
    return ("wait_timeout is 0, which leaves no time to start a run: it is the task's one deadline, for the reads and "
            "the request that start a run as well as for waiting (with wait, or when_running=wait in schedule_run). "
            "Give it the seconds the task may take; to read runs once, use leapops.leapwork.run_info with wait_timeout 0")


def connection_argument_spec():
    """The argument spec of the connection options; a new dict on every call."""
    return dict(
        controller_url=dict(type="str", required=True, fallback=(env_fallback, ["LEAPWORK_CONTROLLER_URL"])),
        access_key=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["LEAPWORK_ACCESS_KEY"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["LEAPWORK_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["LEAPWORK_CA_PATH"])),
        request_timeout=dict(type="float", default=30),
    )


def wait_argument_spec():
    """The argument spec of the wait options (``leapops.leapwork.wait``); a new dict on every call."""
    return dict(
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
        poll_interval=dict(type="float", default=DEFAULT_POLL_INTERVAL),
        stop_on_timeout=dict(type="bool", default=True),
        fail_on_failure=dict(type="bool", default=True),
        done_status_as=dict(type="str", choices=list(DONE_STATUS_CHOICES), default=PASSED),
        junit_path=dict(type="path"),
    )


def wait_options(params, **overrides):
    """The keyword arguments of ``follow_and_report`` from the wait options in ``params``."""
    options = dict((name, params[name]) for name in wait_argument_spec())
    options.update(overrides)
    return options


def run_start_argument_spec(target_options, items):
    """The options of a module that starts runs: the target (``target_options``) given at the top or
    per entry of the list option ``items``, the variables (the top ones shared by every entry), and
    idempotency (``LEAPWORK_LEDGER_PATH`` as the ledger's fallback)."""
    def variables_options():
        return dict(
            variables=dict(type="dict", default={}),
            secret_variables=dict(type="dict", default={}, no_log=True),
            idempotency_key=dict(type="str", no_log=False),
        )

    item_options = dict(target_options)
    item_options.update(variables_options())
    spec = dict(target_options)
    spec.update(variables_options())
    spec.update(
        ledger_path=dict(type="path", default=DEFAULT_LEDGER_PATH, fallback=(env_fallback, ["LEAPWORK_LEDGER_PATH"])),
        rerun=dict(type="str", choices=list(RERUN_CHOICES), default="never"),
        max_concurrency=dict(type="int", default=8),
    )
    spec[items] = dict(type="list", elements="dict", options=item_options)
    return spec


def secret_values(params):
    """The texts a task must never show: the access key and every secret variable's value, as sent.

    Read from the top-level ``secret_variables`` and those of each item of a list option (``runs``,
    ``schedules``); a value that cannot be rendered is refused before any request, and its message
    does not quote it.
    """
    values = [params.get("access_key")]
    sources = [params.get("secret_variables")]
    for option in ("runs", "schedules"):
        sources.extend((item or {}).get("secret_variables") for item in params.get(option) or [])
    for variables in sources:
        for name, value in (variables or {}).items() if isinstance(variables, dict) else ():
            try:
                values.append(render_value(name, value))
            except ValueError:
                continue
    return [value for value in values if isinstance(value, str) and value]


class LeapworkModule(AnsibleModule):
    """``AnsibleModule`` whose results, failures and warnings mask the task's secrets.

    Ansible masks the raw values of ``no_log`` options; a controller, a proxy or a flow may echo
    them URL-encoded, JSON-escaped or HTML-escaped, so every text that leaves the module passes
    through ``_errors.redact_data`` with ``secret_values`` first: the last of the layers that mask.
    """

    def __init__(self, *args, **kwargs):
        self.secrets = ()
        #: The ``_interrupt.Interrupt`` of a task that waits (``start_module``), else ``None``.
        self.interrupt = None
        super().__init__(*args, **kwargs)
        self.secrets = tuple(secret_values(self.params))

    def exit_json(self, **kwargs):
        self._restore_signals()
        super().exit_json(**redact_data(kwargs, self.secrets))

    def fail_json(self, msg, **kwargs):
        self._restore_signals()
        kwargs = redact_data(kwargs, self.secrets)
        super().fail_json(msg=redact(msg, self.secrets), **kwargs)

    def _restore_signals(self):
        if getattr(self, "interrupt", None) is not None:
            self.interrupt.restore()

    def warn(self, warning):
        super().warn(redact(warning, self.secrets))


def start_module(argument_spec, wait=False, starts_runs=False, **module_options):
    """The ``AnsibleModule`` of a module of this collection, checked before any request is sent.

    The connection options, and with ``wait`` the wait options, are added to ``argument_spec``;
    check mode is supported; ``module_options`` go to ``AnsibleModule`` as is. A missing
    ``requests`` or a wrong shared option fails the module, naming the option. ``starts_runs``
    (the options of ``run_start_argument_spec``) also checks ``max_concurrency``, and
    ``junit_path`` whether the task waits or not, since a report that cannot be written must not
    cost a run whose result would then be lost.
    """
    spec = connection_argument_spec()
    if wait:
        spec.update(wait_argument_spec())
    spec.update(argument_spec)
    module = LeapworkModule(argument_spec=spec, supports_check_mode=True, **module_options)
    ensure_requests(module)
    params = module.params
    problem = None
    if wait:
        problem = wait_problem(params["wait_timeout"], params["poll_interval"])
    if not problem and starts_runs and wait:
        problem = no_time_to_start_problem(params, params["wait"])
    if not problem and starts_runs and params["max_concurrency"] < 1:
        problem = "max_concurrency must be at least 1, got %d" % params["max_concurrency"]
    # A run reader writes the report only when it waits (in check mode too: it only reads). A run
    # starter checks it in check mode too (nothing is written there, but the real run would need it).
    junit_written = starts_runs or params.get("wait")
    if not problem and wait and params["junit_path"] and junit_written:
        problem = junit_path_problem(params["junit_path"])
    if problem:
        module.fail_json(msg=problem)
    if wait and params["wait"]:
        # From here on SIGINT and SIGTERM end the wait instead of the process: the runs started are
        # recorded, stopped when stop_on_timeout says so, and reported (docs/reliability.md, "Interrupts").
        module.interrupt = Interrupt().install()
    return module


def interruptible(module):
    """``sleep`` and ``interrupted`` for an engine that waits before the follow-up (a busy schedule): the
    module's ``Interrupt`` cuts them short; a module that does not wait gets ``{}`` (the engine's defaults)."""
    if getattr(module, "interrupt", None) is None:
        return {}
    return dict(sleep=module.interrupt.sleep, interrupted=module.interrupt.check)


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


def ledger_from_module(module, requests, **options):
    """The idempotency ledger at ``ledger_path`` when a request has an ``idempotency_key``, else ``None``.

    Warns, once for the task, when the ledger is at its default place inside an AWX job and when it is
    on a network filesystem (``_mounts``); ``options`` go to ``Ledger``.
    """
    if not any(request.idempotency_key for request in requests):
        return None
    if not (module.params["ledger_path"] or "").strip():
        # An empty LEAPWORK_LEDGER_PATH reaches here as is (env_fallback).
        module.fail_json(msg="ledger_path must not be empty (nor LEAPWORK_LEDGER_PATH, which sets it): it is the file of "
                             "the idempotency ledger; leave both unset for the default %s" % DEFAULT_LEDGER_PATH)
    for warning in (ledger_lost_with_job_warning(module.params["ledger_path"]), shared_ledger_warning(module.params["ledger_path"])):
        if warning:
            module.warn(warning)
    return Ledger(module.params["ledger_path"], **options)


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


def client_from_module(module, waits=None, **kwargs):
    """Build a ``LeapworkClient`` from the connection options; fails the module on bad options.

    The client carries the task's deadline (``task_deadline``); ``waits`` says whether the task
    waits (default: its ``wait`` option). ``kwargs`` go to the client as is (``retries``,
    ``session``, ``sleep``... for tests); ``start_module`` has checked that ``requests`` is there.
    """
    params = module.params
    try:
        controller_url = validate_connection_params(params)
        if "deadline" not in kwargs:
            kwargs["deadline"] = task_deadline(params, waits)
        return LeapworkClient(
            controller_url,
            params["access_key"],
            validate_certs=params["validate_certs"],
            ca_path=params["ca_path"],
            request_timeout=params["request_timeout"],
            secrets=secret_values(params),
            **kwargs
        )
    except ValueError as exc:
        module.fail_json(msg=redact(str(exc), secret_values(params)))
    return None  # not reached: fail_json exits


def error_result(error, secrets=()):
    """The facts of a ``LeapworkError`` for a module result: ``msg`` (``secrets`` masked), and ``status``/``run_id`` when known."""
    result = dict(msg=redact(str(error), secrets))
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
    result.update(error_result(error, secret_values(module.params)))
    module.fail_json(**result)


def run_ids_argument_spec():
    """``run_id`` or ``run_ids``, for modules that act on existing runs."""
    return dict(
        run_id=dict(type="str"),
        run_ids=dict(type="list", elements="str"),
    )


def run_ids_from_module(module):
    """The run ids asked for, checked to be GUIDs before any request (fails the module otherwise)."""
    if module.params["run_id"]:
        labelled = [("run_id", module.params["run_id"])]
    else:
        labelled = [("run_ids[%d]" % index, run_id) for index, run_id in enumerate(module.params["run_ids"] or [])]
    for option, run_id in labelled:
        problem = guid_problem(option, run_id)
        if problem:
            module.fail_json(msg=problem)
    return [run_id for _option, run_id in labelled]


def started_runs(run_ids, entries):
    """``run_ids`` followed by the runs of ``entries`` (``flow_run``'s ``runs``) not among them, and
    the agent each entry names (run id -> agent id): the agent a run was started on.

    An entry without a ``run_id`` (an item that started nothing) is skipped; other keys are
    ignored. Raises ``ValueError`` naming the entry when its ``run_id`` or ``agent_id`` is not a GUID.
    """
    run_ids = list(run_ids)
    known = dict((run_id.lower(), run_id) for run_id in run_ids)
    agents = {}
    for index, entry in enumerate(entries):
        run_id, agent_id = entry.get("run_id"), entry.get("agent_id")
        if run_id is None:
            continue
        for name, value in (("run_id", run_id), ("agent_id", agent_id)):
            problem = guid_problem("runs[%d].%s" % (index, name), value) if value is not None else None
            if problem:
                raise ValueError(problem)
        if run_id.lower() not in known:
            known[run_id.lower()] = run_id
            run_ids.append(run_id)
        if agent_id is not None:
            agents[known[run_id.lower()]] = agent_id
    return run_ids, agents


def exit_with_report(module, report, changed, output):
    """Exit (or fail, when the report says so) with ``output``, the facts of a ``Report`` and more."""
    if report.failed:
        module.fail_json(msg=report.message, changed=changed, **output)
    module.exit_json(changed=changed, **output)


def report_started_runs(module, client, results, single, noun, describe, run_facts=None, dispatcher=None, facts=None,
                        **follow_overrides):
    """Exit the module with the runs a task started or reused, whatever goes wrong meanwhile.

    ``results`` has one entry per item, in input order, with ``run_id``, ``changed``, ``error``,
    ``request.secret_variables`` and ``to_dict(check_mode)``. ``single``: the task named one target,
    so the result is that item's keys, else ``runs`` and ``run_ids``. When items of a batch could not
    be started, the task fails with one line per item: ``describe(result)`` and its error, the
    ``noun`` (``runs``, ``schedules``) counting them. ``run_facts(run)`` adds keys to each item's
    dict. With ``wait`` (not in check mode), the runs are followed as the wait options say,
    ``follow_overrides`` going to ``follow_and_report`` over them, and each item gets the keys of
    its run's result. ``facts`` are added to the result as they are.

    ``dispatcher`` (a ``_pool.Dispatcher``, with ``wait`` outside check mode; ``results`` is then
    ``None``): the runs are started while they are followed, each pool agent taking the next flow
    as its run ends; the items that could not be started are reported once the others are over.
    """
    try:
        _report_started_runs(module, client, results, single, noun, describe, run_facts, follow_overrides, dispatcher,
                             facts or {})
    except Exception as exc:  # pylint: disable=broad-except
        # Whatever went wrong after the runs were started, they are reported.
        run_ids = [result.run_id for result in (dispatcher.results if dispatcher is not None else results)]
        module.fail_json(msg="Unexpected %s after starting run(s) %s: %s" % (
            type(exc).__name__, ", ".join(run_id for run_id in run_ids if run_id) or "(none)", exc),
            changed=any(run_id is not None for run_id in run_ids) if dispatcher is not None else any(
                result.changed for result in results),
            run_ids=run_ids, run_id=run_ids[0] if single else None)


def _item_dicts(module, results, run_facts):
    runs = [result.to_dict(module.check_mode) for result in results]
    if run_facts:
        for run in runs:
            run.update(run_facts(run))
    return runs


def _output(runs, single, facts):
    if not single:
        output = dict(runs=runs, run_ids=[run["run_id"] for run in runs])
    else:
        output = dict(runs[0])
        output.pop("changed")
        output.pop("error", None)
    output.update(facts)
    return output


def _start_failures(results, single, noun, describe):
    """The message for items that could not be started, or ``None``."""
    failed = [result for result in results if result.error]
    if not failed:
        return None
    if single:
        return failed[0].error
    started = unique_run_ids(result.run_id for result in results if result.run_id)
    # An item can fail after its run started (the ledger could not record it): not "could not be started".
    failing = "failed" if any(result.run_id for result in failed) else "could not be started"
    return "%d of %d %s %s (%d started or reused: %s):\n%s" % (
        len(failed), len(results), noun, failing, len(started), ", ".join(started) or "none",
        "\n".join("%s: %s" % (describe(result), result.error) for result in failed))


def _report_started_runs(module, client, results, single, noun, describe, run_facts, follow_overrides, dispatcher, facts):
    # Followed under the task's deadline, which began when the module started.
    options = wait_options(module.params, deadline=client.deadline, **follow_overrides)
    interrupt = getattr(module, "interrupt", None)
    if dispatcher is not None:
        try:
            report = follow_and_report(client, dispatcher.start(), on_over=dispatcher.on_over, agents=dispatcher.agents,
                                       interrupt=interrupt, chains=dispatcher.chains, **options)
        except Exception as exc:  # pylint: disable=broad-except
            results = dispatcher.results
            runs = _item_dicts(module, results, run_facts)
            module.fail_json(msg="While waiting for run(s) %s: %s" % (", ".join(unique_run_ids(
                run["run_id"] for run in runs if run["run_id"])), exc), changed=any(result.changed for result in results),
                **_output(runs, single, facts))
        if interrupt is not None and interrupt.reason:
            dispatcher.not_started("the task was interrupted (%s) before an agent of the pool was free" % interrupt.reason)
        else:
            dispatcher.not_started("the wait_timeout of %s s passed before an agent of the pool was free" % options["wait_timeout"])
        results = dispatcher.results
        changed = any(result.changed for result in results)
        runs = _item_dicts(module, results, run_facts)
        _exit_followed(module, report, runs, results, single, changed, facts, _start_failures(results, single, noun, describe))

    changed = any(result.changed for result in results)
    runs = _item_dicts(module, results, run_facts)
    problem = _start_failures(results, single, noun, describe)
    if problem:
        module.fail_json(msg=problem, changed=changed, **_output(runs, single, facts))

    if not module.params["wait"] or module.check_mode:
        module.exit_json(changed=changed, **_output(runs, single, facts))
    run_ids = unique_run_ids(run["run_id"] for run in runs)  # identical items share one run
    # The agent each run was started on, when the items name one: queued runs are polled by agent.
    agents = dict((run["run_id"], run["agent_id"]) for run in runs if run.get("agent_id"))
    try:
        report = follow_and_report(client, run_ids, agents=agents, interrupt=interrupt, **options)
    except Exception as exc:  # pylint: disable=broad-except
        # Not only LeapworkError: an answer the parser chokes on must not lose the run ids.
        module.fail_json(msg="While waiting for run(s) %s: %s" % (", ".join(run_ids), exc), changed=changed,
                         **_output(runs, single, facts))
    _exit_followed(module, report, runs, results, single, changed, facts, None)


def _exit_followed(module, report, runs, results, single, changed, facts, start_problem):
    """Exit with each item's run as followed; ``start_problem``: items that could not be started (the task fails)."""
    followed = dict((run["run_id"], run) for run in report.output["runs"])  # one result per run
    for run, result in zip(runs, results):
        if result.run_id in followed:
            run.update(followed[result.run_id])
            if "agent_id" in run and run["agent_id"] is None:
                # A pool's run reused from a ledger that did not record its agent: its items say where it ran.
                agents = [item["agent_id"] for item in run.get("run_items") or () if item.get("agent_id")]
                run["agent_id"] = agents[0] if agents else None
    output = _output(runs, single, facts)
    for warning in report.warnings:
        module.warn(warning)
    for key in ("outcome", "summary", "failures", "junit_path"):
        if key in report.output:
            output[key] = report.output[key]
    if start_problem:
        message = "\n".join(part for part in (start_problem, report.message if report.failed else "") if part)
        module.fail_json(msg=message, changed=changed, **output)
    exit_with_report(module, report, changed, output)
