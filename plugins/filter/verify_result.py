# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: verify_result
short_description: One host's share of what the verify_deployment role started and followed
version_added: 1.2.0
author:
  - LeapOps
description:
  - Gives a host (or the whole batch) its runs, outcome, summary and lines from the results of the
    M(leapops.leapwork.flow_run), M(leapops.leapwork.schedule_run) and M(leapops.leapwork.run_info) tasks of the
    role C(leapops.leapwork.verify_deployment), for the plan that P(leapops.leapwork.verify_plan#filter) made.
  - Each item of the plan is matched with the run the module started or reused for it (its flow, agent and
    idempotency key are checked to agree), and each run with its followed result by run id; a run shared by
    several hosts counts for each of them.
  - The outcome, summary and lines are the collection's one verdict over the host's runs (followed, or as
    started when they were not), the same as P(leapops.leapwork.run_report#filter) and the modules give; in
    check mode, where nothing was started, the outcome is V(check_mode) and the lines say what would be started.
  - The value of the role's fact C(verify_deployment_result) and of its C(set_stats) data.
positional: _input
options:
  _input:
    description: The plan, as P(leapops.leapwork.verify_plan#filter) returned it.
    type: dict
    required: true
  host:
    description: The host whose share is wanted; V(null) for every item of the plan.
    type: str
  started:
    description: The registered result of the M(leapops.leapwork.flow_run) task that started RV(leapops.leapwork.verify_plan#filter:_value.runs)
      (V(null) or a skipped result when it did not run).
    type: dict
  schedules_started:
    description: The registered result of the M(leapops.leapwork.schedule_run) task that started
      RV(leapops.leapwork.verify_plan#filter:_value.schedules) (V(null) or a skipped result when it did not run).
    type: dict
  followed:
    description:
      - The registered result of the M(leapops.leapwork.run_info) task that followed the runs
        (V(null) or a skipped result when the runs were not followed).
      - When the plan says that M(leapops.leapwork.flow_run) waited (RV(leapops.leapwork.verify_plan#filter:_value.flow_run_waits)),
        the runs of O(started) are followed runs too, with their attempts.
    type: dict
  check_mode:
    description: Whether the play runs in check mode (the modules started nothing).
    type: bool
    default: false
  fail_on_flaky:
    description:
      - Whether a V(flaky) flow (it passed only on a later attempt, see O(leapops.leapwork.flow_run#module:retries))
        makes the share fail (RV(_value.failed)), as O(leapops.leapwork.flow_run#module:fail_on_flaky) does for a task.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Publish this host's results
  ansible.builtin.set_fact:
    verify_deployment_result: >-
      {{ plan | leapops.leapwork.verify_result(host=inventory_hostname, started=started, followed=followed,
                                               check_mode=ansible_check_mode) }}

- name: The run ids to follow, for every host
  ansible.builtin.debug:
    msg: "{{ (plan | leapops.leapwork.verify_result(started=started)).run_ids }}"
"""

RETURN = r"""
_value:
  description: The share.
  type: dict
  contains:
    outcome:
      description:
        - The verdict over the host's runs, as P(leapops.leapwork.run_report#filter) and the modules decide it, the
          worst in the order V(started) (runs started or reused and not followed), V(error), V(timed_out), V(failed),
          V(cancelled), V(flaky), V(passed), V(none) (nothing to verify).
        - V(check_mode) in check mode (nothing was started).
      type: str
      sample: passed
    failed:
      description:
        - Whether the verification failed - the verdict is over and not passing, the outcomes for which a module
          with O(leapops.leapwork.run_info#module:fail_on_failure) fails; never in check mode or for runs not followed.
        - A V(flaky) verdict passes, unless O(fail_on_flaky).
      type: bool
      sample: false
    flaky:
      description: One line per flaky flow of its runs, naming it and what failed first (the modules warn with them).
      type: list
      elements: str
      sample: ["Pool flaky on Pool agent 3 is flaky: it passed on attempt 2 of 2; attempt 1 of 2 on Pool agent 1: failed - Login button not found"]
    pool:
      description:
        - The agent pool after the pre-flight, as RV(leapops.leapwork.flow_run#module:pool) says (the agents the flows
          were spread over, and those left out with why); V(null) without a pool.
      type: dict
    summary:
      description: The counts of the flows of its runs (zeros when none was followed).
      type: dict
      sample: {"total": 1, "passed": 1, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 0}
    run_ids:
      description: The runs started or reused for it, each once (none in check mode unless a recorded run would be reused).
      type: list
      elements: str
    runs:
      description: Its followed runs, as M(leapops.leapwork.run_info) returned them.
      type: list
      elements: dict
    lines:
      description:
        - One line per flow of its followed runs, or per run not followed (see P(leapops.leapwork.run_report#filter));
          in check mode, one line per item saying what would be started or reused.
      type: list
      elements: str
      sample: ["Login passes on Local agent: passed (Passed, 6.0 s)"]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.leapops.leapwork.plugins.module_utils._results import RunResult, verdict

#: What a host's verification is in check mode, where nothing is started.
CHECK_MODE = "check_mode"


class ShareError(ValueError):
    pass


def _answered(result, what, asked):
    """The ``runs`` a registered module result answered for ``asked`` items; ``None`` when the task did not run."""
    if not result or result.get("skipped") or "runs" not in result:
        return None
    runs = result["runs"]
    if len(runs) != len(asked):
        raise ShareError("%s answered %d runs for the %d items asked" % (what, len(runs), len(asked)))
    return runs


def _same(asked, answered, fields):
    """Whether an answer is the one for an item: every id the item gave, and the idempotency key, agree."""
    if (asked.get("idempotency_key") or None) != (answered.get("idempotency_key") or None):
        return False
    return all(not asked.get(field) or asked[field] == (answered.get(field) or "").lower() for field in fields)


def _flow_label(asked, answered):
    flow = answered.get("flow_path") or answered.get("flow_title") or asked.get("flow") or answered.get("flow_id") or asked.get("flow_id")
    agent = answered.get("agent_title") or asked.get("agent") or answered.get("agent_id") or asked.get("agent_id")
    return "%s on %s" % (flow, agent)


def _schedule_label(asked, answered):
    return "schedule %s" % (answered.get("schedule_title") or asked.get("schedule") or answered.get("schedule_id") or asked.get("schedule_id"))


def _items(plan, started, schedules_started):
    """key -> (label, the module's answer for it or ``None``), for every item of the plan."""
    items = {}
    for kind, result, what, fields, label in (
            ("run", started, "flow_run", ("flow_id", "agent_id"), _flow_label),
            ("schedule", schedules_started, "schedule_run", ("schedule_id",), _schedule_label)):
        asked = plan.get(kind + "s") or []
        keys = plan.get(kind + "_keys") or []
        answers = _answered(result, what, asked)
        for index, (key, item) in enumerate(zip(keys, asked)):
            answer = answers[index] if answers is not None else None
            if answer is not None and not _same(item, answer, fields):
                raise ShareError("%s's answer %d is for %s, not for %s" % (what, index, label({}, answer), label(item, {})))
            items[key] = (label(item, answer or {}), answer)
    return items


def _check_mode_line(label, answer):
    if answer is None:
        return "%s: would be started" % label
    if answer.get("run_id"):
        return "%s: would reuse run %s" % (label, answer["run_id"])
    request = answer.get("would_request")
    return "%s: would start (%s %s)" % (label, request["method"], request["path"]) if request else "%s: would start" % label


def share(plan, host=None, started=None, schedules_started=None, followed=None, check_mode=False, fail_on_flaky=False):
    if not isinstance(plan, dict) or "shares" not in plan:
        raise ShareError("expects the plan that leapops.leapwork.verify_plan returned, got %s" % type(plan).__name__)
    if host is None:
        keys = list(plan.get("run_keys") or []) + list(plan.get("schedule_keys") or [])
    elif host in plan["shares"]:
        keys = plan["shares"][host]
    else:
        raise ShareError("%s is not one of the hosts of the plan (%s)" % (host, ", ".join(plan.get("hosts") or []) or "none"))
    items = _items(plan, started, schedules_started)
    mine = [items[key] for key in keys]
    # Each run once, in the host's order: as followed when it was, else as the module started it.
    # flow_run followed its own runs when it waited (a pool, re-runs); run_info followed the others.
    followed_runs = {}
    waited = [started] if plan.get("flow_run_waits") and not check_mode else []
    for result in waited + [followed]:
        if result and not result.get("skipped"):
            followed_runs.update((run.get("run_id"), run) for run in result.get("runs") or [] if run.get("run_id"))
    runs = {}
    for label, answer in mine:
        if answer is None:
            if not check_mode:
                raise ShareError("no answer from the modules for %s" % label)
        elif answer.get("run_id") and answer["run_id"] not in runs:
            runs[answer["run_id"]] = followed_runs.get(answer["run_id"], answer)
    run_ids = list(runs)
    pool = started.get("pool") if started and not started.get("skipped") else None
    if check_mode and mine:
        judged = verdict([])
        return {"outcome": CHECK_MODE, "failed": False, "summary": judged.summary, "run_ids": run_ids, "runs": [],
                "lines": [_check_mode_line(label, answer) for label, answer in mine], "flaky": [], "pool": pool}
    judged = verdict(RunResult.from_dict(run) for run in runs.values())
    return {"outcome": judged.outcome, "failed": judged.over and not judged.passes(fail_on_flaky), "summary": judged.summary,
            "run_ids": run_ids, "runs": [run for run_id, run in runs.items() if run_id in followed_runs],
            "lines": judged.lines, "flaky": list(judged.flaky), "pool": pool}


def verify_result(plan, host=None, started=None, schedules_started=None, followed=None, check_mode=False, fail_on_flaky=False):
    if not isinstance(fail_on_flaky, bool):
        raise AnsibleFilterError("verify_result: fail_on_flaky must be a boolean, got %r" % (fail_on_flaky,))
    try:
        return share(plan, host, started, schedules_started, followed, bool(check_mode), fail_on_flaky)
    except ValueError as exc:
        raise AnsibleFilterError("verify_result: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"verify_result": verify_result}
