#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: schedule_run
short_description: Run Leapwork schedules now, safely, and optionally wait for their results
version_added: 1.1.0
description:
  - Runs a Leapwork schedule now with the controller's I(Run schedule now) call
    (C(PUT /api/v4/schedules/{scheduleId}/runNow)) and returns the C(RunId) it answers. This is the
    call Leapwork's own CI plugins (Jenkins, Azure DevOps, TeamCity, Bamboo, GitHub Action) make.
  - The schedule is named by its id (O(schedule_id)) or by its title (O(schedule)). Titles are not
    unique in Leapwork, so a title that several schedules share is an error listing their ids, and a
    title that matches none is an error suggesting the closest titles.
  - Every schedule of the task is looked up, and checked to be enabled, before anything is started.
    A disabled schedule is an error, and nothing is started.
  - Every runNow call starts a B(new) run, so it gets the care of M(leapops.leapwork.flow_run), and it is
    retried only when the connection failed before the request was sent; when it was sent but no
    answer came back, the task fails, says that a run may have started, and never sends it again.
  - With O(idempotency_key), a re-run of the play reuses the run recorded for that key in a local
    ledger instead of starting another; O(rerun) decides when a new run is started anyway.
  - A schedule that is already running (its newest run is C(Queued) or C(Executing), or the
    controller answers runNow with HTTP 410) is waited for or reported at once, as O(when_running) says.
  - With O(schedules), several schedules are started concurrently in one task, not one after another.
  - With O(wait), the task follows the run(s) to the end under one deadline and reports them exactly
    as M(leapops.leapwork.flow_run) does, with results per flow and agent, one failure message, and a JUnit
    report with one test suite per schedule run and one test case per flow and agent.
author:
  - LeapOps engineering (@leapops)
extends_documentation_fragment:
  - leapops.leapwork.connection
  - leapops.leapwork.wait
  - leapops.leapwork.attributes
attributes:
  check_mode:
    support: full
    details:
      - Read-only calls confirm that each schedule exists and is enabled; no run is started and nothing is waited for.
options:
  schedule_id:
    description:
      - Id (a GUID) of the schedule to run.
      - Exactly one of O(schedule_id), O(schedule) and O(schedules) is required.
    type: str
  schedule:
    description:
      - Title of the schedule to run, as shown in Leapwork Studio.
      - Matched exactly; when no title matches exactly, matched ignoring case. Temporary schedules
        (made by M(leapops.leapwork.flow_run)) are not matched by title.
    type: str
  variables:
    description:
      - Variables for the run, sent URL-encoded in the query string of runNow.
      - B(The controller applies only the variables the schedule defines); others are silently
        ignored by Leapwork. Define the variable on the schedule in Leapwork Studio first.
      - Values must be scalars. Booleans are sent as V(true)/V(false), numbers in decimal,
        null as an empty string. Nested lists or dictionaries are rejected.
      - With O(schedules), these are shared by every item; an item's own variables (secret or not)
        override them by name.
      - The encoded query string (every variable, secret ones included) may be at most 2048
        characters long, the default limit of IIS (C(maxQueryString)); a longer one is refused
        before anything is sent.
      - Values are returned in RV(variables) and RV(request); pass passwords in O(secret_variables).
    type: dict
    default: {}
  secret_variables:
    description:
      - Variables whose values are secret (passwords, tokens), as for M(leapops.leapwork.flow_run).
        They are sent in the query string of runNow like O(variables), but their values never appear
        in the results, messages, the ledger or JUnit reports; where the name is shown, the value is
        C(********).
      - They count in the idempotency fingerprint (as part of a SHA-256 digest, never stored in clear).
      - A name may not be both in O(variables) and in O(secret_variables).
      - With O(schedules), shared by every item like O(variables).
    type: dict
    default: {}
  idempotency_key:
    description:
      - When set, the run started for this key (with this controller and schedule) is recorded in
        the ledger at O(ledger_path); a later invocation with the same key returns that run with
        C(changed=false) and C(reused=true) instead of starting another.
      - The same key with different variables is an error. A key that is only white space is refused.
      - A key whose runNow was interrupted (the outcome is unknown) blocks further runs until
        O(rerun=always) is used or the ledger entry is removed.
    type: str
  ledger_path:
    description:
      - Where the idempotency ledger (a JSON file) lives; the same ledger as M(leapops.leapwork.flow_run).
      - Only used with O(idempotency_key).
      - If not set, the value of the E(LEAPWORK_LEDGER_PATH) environment variable is used, else the default.
      - In an AWX / Automation Platform job the default place is inside the job's execution environment
        and is lost when the job ends; the module warns then. Use storage that outlives the job.
    type: path
    default: ~/.ansible/leapwork/ledger.json
  rerun:
    description:
      - What to do when O(idempotency_key) already has a recorded run.
      - V(never) reuses the recorded run.
      - V(failed) starts a new run only when the recorded run did not pass (a run still going is reused).
        A run recorded less than 30 seconds ago that the controller does not know yet (404 or 500, as it may
        not be registered yet) is still going, so re-running a play without O(wait) at once never starts
        a second run; after that, a run the controller does not know (404) did not pass.
      - V(always) starts a new run and records it under the same key.
    type: str
    choices: [never, failed, always]
    default: never
  when_running:
    description:
      - What to do when a schedule is already running when this task wants to start it.
        The controller runs a schedule once at a time and refuses a second runNow meanwhile.
      - V(wait) waits for the schedule's current run to end, then starts a new run. The wait counts
        against O(wait_timeout), which bounds the whole task (even with O(wait=false)). This is the
        default because the current run was started by someone else (a timer, another pipeline)
        with other variables against another build; its results say nothing about yours, and
        failing would only make you retry by hand.
      - V(fail) fails the task at once without starting anything, for pipelines that must not be delayed.
    type: str
    choices: [wait, fail]
    default: wait
  schedules:
    description:
      - Run several schedules in one task, concurrently (up to O(max_concurrency) at once).
      - Mutually exclusive with O(schedule_id) and O(schedule).
      - Every schedule is looked up before any is started; idempotency, check mode and the
        never-replay rule hold for each item.
      - Items with the same schedule (by id or by title), idempotency key and variables are one run,
        started once and reported by every such item. The same schedule and key with different
        variables is an error, raised before anything is started. Items without an idempotency key
        each start their own run (one after the other, since a schedule runs once at a time).
      - An unexpected error in one item is that item's error; the runs the others started are reported.
    type: list
    elements: dict
    suboptions:
      schedule_id:
        description: Id (a GUID) of the schedule; give this or O(schedules[].schedule).
        type: str
      schedule:
        description: Title of the schedule; give this or O(schedules[].schedule_id).
        type: str
      variables:
        description: Variables for this item, merged over the module-level O(variables).
        type: dict
        default: {}
      secret_variables:
        description: Secret variables for this item, merged over the module-level O(secret_variables).
        type: dict
        default: {}
      idempotency_key:
        description: Idempotency key for this item; defaults to the module-level O(idempotency_key).
        type: str
  max_concurrency:
    description: How many schedules are started at once with O(schedules).
    type: int
    default: 8
notes:
  - The module talks only to the controller; run it on the control node.
  - Right after runNow, the schedule's own status can still show its previous run's C(Finished);
    this module follows the C(RunId) the controller answered, never the schedule's status.
  - Connection options can be set once for every module of the collection with
    C(module_defaults) and the action group C(group/leapops.leapwork.leapwork).
seealso:
  - module: leapops.leapwork.schedule_info
  - module: leapops.leapwork.flow_run
  - name: Leapwork REST API
    description: Leapwork's API reference.
    link: https://www.leapwork.com/product/documentation/rest-api/v4/run-schedule-now
"""

EXAMPLES = r"""
- name: Run the smoke schedule by its title and wait for its verdict
  leapops.leapwork.schedule_run:
    controller_url: https://leapwork.example.com:9002
    access_key: "{{ vault_leapwork_access_key }}"
    schedule: Smoke suite
    variables:
      Env: staging eu
    wait: true
    wait_timeout: 900
    junit_path: "{{ playbook_dir }}/reports/smoke-schedule.xml"
  register: smoke_schedule

- name: Run a schedule by id, once per release, failing at once if it is busy
  leapops.leapwork.schedule_run:
    schedule_id: 3f9a7c1e-8b2d-4e6f-a0c5-1d2e3f4a5b6c
    idempotency_key: "schedule-release-{{ app_version }}"
    when_running: fail

- name: Run two schedules at the same time and wait for both
  leapops.leapwork.schedule_run:
    schedules:
      - schedule: Smoke suite
      - schedule_id: 6d4c2b1a-9e8f-4a7b-b6c5-d4e3f2a1b0c9
        variables:
          Browser: Chrome
    wait: true
    fail_on_failure: false
  register: suites
"""

RETURN = r"""
run_id:
  description:
    - Id of the run started (or reused). Not returned in check mode unless a recorded run would be reused.
  returned: when a run was started or reused (single schedule)
  type: str
  sample: 8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a
schedule_id:
  description: The schedule's id, lower-cased.
  returned: single schedule
  type: str
  sample: 40000000-0000-4000-8000-000000000001
schedule_title:
  description: The schedule's title.
  returned: single schedule
  type: str
  sample: Smoke suite
reused:
  description: Whether the run was taken from the idempotency ledger instead of being started.
  returned: single schedule
  type: bool
  sample: false
variables:
  description: The variables as sent to the controller (every value rendered as a string); secret values are C(********).
  returned: single schedule
  type: dict
  sample: {"Env": "staging eu"}
idempotency_key:
  description: The idempotency key used, if any.
  returned: single schedule
  type: str
  sample: schedule-release-2.4.1
waited_for_previous_run_seconds:
  description: Seconds spent waiting for the schedule's previous run to end (see O(when_running)).
  returned: single schedule
  type: float
  sample: 0.0
request:
  description:
    - The runNow request that was really sent. The access key travels in a header and is never
      part of it. V(null) when nothing was sent (a recorded run was reused, or check mode).
  returned: single schedule
  type: dict
  contains:
    method:
      description: HTTP method.
      type: str
      sample: PUT
    path:
      description: Path of the request.
      type: str
      sample: /api/v4/schedules/40000000-0000-4000-8000-000000000001/runNow
    query:
      description: URL-encoded query string, as sent; secret values are C(********).
      type: str
      sample: Env=staging%20eu
runs:
  description:
    - One entry per item of O(schedules), in input order, each with the keys returned for a single schedule.
    - An item whose runNow failed also has C(error), why, and C(status), the HTTP status code (see RV(status)).
  returned: with O(schedules)
  type: list
  elements: dict
  sample:
    - run_id: 8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a
      changed: true
      reused: false
      schedule_id: 40000000-0000-4000-8000-000000000001
      schedule_title: Smoke suite
      variables: {}
      idempotency_key: null
      waited_for_previous_run_seconds: 0.0
      request:
        method: PUT
        path: /api/v4/schedules/40000000-0000-4000-8000-000000000001/runNow
        query: ""
would_request:
  description:
    - In check mode, the runNow request that would be sent (same shape as RV(request)); V(null)
      when a recorded run would be reused.
  returned: in check mode (single schedule; with O(schedules), in each entry of RV(runs))
  type: dict
  sample: {"method": "PUT", "path": "/api/v4/schedules/40000000-0000-4000-8000-000000000001/runNow", "query": ""}
run_ids:
  description: The run ids started or reused, in input order (V(null) for an item that started nothing).
  returned: with O(schedules)
  type: list
  elements: str
  sample: [8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a]
status:
  description:
    - Two meanings, told apart by the type; the name stays for compatibility.
    - With O(wait), the run's last status, a string (C(Queued), C(Executing), C(Finished), ...).
    - When runNow failed (the task fails), the HTTP status code the controller answered it with,
      an integer, or V(null) when no answer came back.
    - With O(schedules), in each entry of RV(runs); an entry whose runNow failed has the code and an C(error) message.
  returned: with O(wait), or when runNow failed (single schedule)
  type: raw
  sample: Finished
outcome:
  description:
    - V(passed), V(failed), V(error), V(cancelled) or V(timed_out); the worst over every run with O(schedules)
      (V(none) for an empty list), in the collection's one order V(error), V(timed_out), V(failed),
      V(cancelled), V(passed). The filter P(leapops.leapwork.run_report#filter) says the same for RV(runs).
  returned: with O(wait)
  type: str
  sample: passed
summary:
  description: Counts of the flows run (over every run with O(schedules)).
  returned: with O(wait)
  type: dict
  sample: {"total": 2, "passed": 2, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 0}
elapsed_seconds:
  description: Seconds spent following the run.
  returned: with O(wait) (single schedule)
  type: float
  sample: 9.4
queued_seconds:
  description: Seconds the run was seen waiting for a free agent.
  returned: with O(wait) (single schedule)
  type: float
  sample: 0.0
timed_out:
  description: Whether O(wait_timeout) passed before the run was over.
  returned: with O(wait) (single schedule)
  type: bool
  sample: false
message:
  description: One line about the run as a whole.
  returned: with O(wait) (single schedule)
  type: str
  sample: "run 8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a passed: 2 passed"
run_items:
  description:
    - One entry per flow run on an agent, with C(run_item_id), C(flow_id), C(flow_title), C(agent_id),
      C(agent_title), C(status), C(outcome), C(elapsed_seconds) and, for flows that did not pass,
      C(keyframes) (the log lines that explain why).
  returned: with O(wait) (single schedule)
  type: list
  elements: dict
  sample:
    - run_item_id: 0d6b2cf3-95c4-4f43-9d9e-5c1f2a3b4c5d
      flow_id: 20000000-0000-4000-8000-000000000001
      flow_title: Login passes
      agent_id: 30000000-0000-4000-8000-000000000001
      agent_title: Local agent
      status: Passed
      outcome: passed
      elapsed_seconds: 6.0
      keyframes: []
failures:
  description: One line per flow that did not pass (flow title, agent, status, reason).
  returned: with O(wait)
  type: list
  elements: str
  sample: ["Checkout fails on Windows agent 1: Failed - Expected total '42.00' but found '41.99'"]
junit_path:
  description: Where the JUnit report (one test suite per schedule run, named after the schedule) was written.
  returned: with O(wait) and O(junit_path)
  type: str
  sample: /builds/reports/smoke-schedule.xml
"""

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError
from ansible_collections.leapops.leapwork.plugins.module_utils._module import (
    client_from_module,
    fail_from_error,
    interruptible,
    ledger_from_module,
    no_time_to_start_problem,
    report_started_runs,
    run_start_argument_spec,
    start_module,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._schedules import (
    WHEN_RUNNING_CHOICES,
    ScheduleRequest,
    ScheduleRequestError,
    ScheduleRunner,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._trigger import recorded_run_passed
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import merged_variables


def argument_spec():
    spec = run_start_argument_spec(dict(schedule_id=dict(type="str"), schedule=dict(type="str")), items="schedules")
    spec.update(when_running=dict(type="str", choices=list(WHEN_RUNNING_CHOICES), default="wait"))
    return spec


def schedule_requests(params):
    """Validate every requested schedule locally, before any request is sent."""
    if params["schedules"] is None:
        return [ScheduleRequest(params["schedule_id"], params["schedule"], params["variables"], params["idempotency_key"],
                                secret_variables=params["secret_variables"])]
    if not params["schedules"]:
        raise ScheduleRequestError("schedules must list at least one schedule")
    requests = []
    for index, item in enumerate(params["schedules"]):
        variables, secret_variables = merged_variables(params["variables"], params["secret_variables"],
                                                       item["variables"], item["secret_variables"])
        requests.append(ScheduleRequest(item["schedule_id"], item["schedule"], variables,
                                        item["idempotency_key"] or params["idempotency_key"], label="schedules[%d]" % index,
                                        secret_variables=secret_variables))
    return requests


def main():
    module = start_module(
        argument_spec(),
        wait=True,
        starts_runs=True,
        mutually_exclusive=[("schedules", "schedule_id", "schedule")],
        required_one_of=[("schedules", "schedule_id", "schedule")],
    )
    params = module.params
    # One deadline for the task, the client's: waiting for a busy schedule, then following the new
    # run. It waits whenever a busy schedule is waited for, even with wait=false.
    waits = params["wait"] or params["when_running"] == "wait"
    problem = no_time_to_start_problem(params, waits)
    if problem:
        module.fail_json(msg=problem)
    try:
        requests = schedule_requests(params)
    except ScheduleRequestError as exc:
        module.fail_json(msg=str(exc))

    client = client_from_module(module, waits=waits)
    runner = ScheduleRunner(
        client,
        ledger=ledger_from_module(module, requests),
        rerun=params["rerun"],
        check_mode=module.check_mode,
        when_running=params["when_running"],
        poll_interval=params["poll_interval"],
        run_is_passed=lambda run_id, seconds_since_recorded: recorded_run_passed(
            client, run_id, params["done_status_as"], seconds_since_recorded),
        **interruptible(module)
    )
    try:
        runner.resolve_all(requests)
    except ScheduleRequestError as exc:
        module.fail_json(msg=str(exc), changed=False)
    except LeapworkError as exc:
        fail_from_error(module, exc, changed=False)
    results = runner.start_all(requests, params["max_concurrency"])
    report_started_runs(
        module, client, results, single=params["schedules"] is None, noun="schedules",
        describe=lambda result: "%s (schedule %r, %s)" % (result.request.label, result.schedule["title"], result.schedule["id"]),
        # Each JUnit suite carries its schedule's title.
        suite_names=dict((result.run_id, result.schedule["title"]) for result in results),
    )


if __name__ == "__main__":
    main()
