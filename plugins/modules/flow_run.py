#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: flow_run
short_description: Start Leapwork flows on agents and register their run ids, safely
version_added: 1.0.0
description:
  - Starts a Leapwork flow on an agent with the controller's I(Run flow by id) call
    (C(PUT /api/v4/flows/{flowId}/agent/{agentId})) and returns the C(RunId) it answers.
  - Every such call starts a B(new) run, so this module is careful never to start one twice by
    accident. A trigger is retried only when the connection failed before the request was sent.
    When a trigger was sent but no answer came back, the task fails and says that a run may have
    started; it is never retried.
  - With O(idempotency_key), a re-run of the play reuses the run recorded for that key in a local
    ledger instead of starting another; O(rerun) decides when a new run is started anyway.
  - The flow and the agent are given by id (O(flow_id), O(agent_id)) or by name (O(flow), O(agent)).
    Names are resolved with read-only calls, at most one read of the asset hierarchy and one of the
    agents per task however many items O(runs) has; a name that matches several flows or agents, or
    none, fails the task before anything is started.
  - Before any run is started, one read of the agent statuses checks that every target agent exists,
    is available and is not blocked by the licence (O(agent_preflight)); otherwise the task fails at
    once, naming the agent and its status, instead of leaving a run queued until O(wait_timeout).
  - In check mode the module authenticates, resolves names, runs the agent pre-flight, confirms with
    read-only calls that the flow and the agent exist, validates the variables, and starts nothing.
  - Everything that can be checked locally (ids, variables, options, that O(junit_path) can be
    written) is checked before any run is started. Once runs were started, their run ids are
    returned whatever fails afterwards.
  - With O(runs), several flows are started concurrently in one task.
  - With O(wait), the task follows the run(s) to the end, concurrently and under one deadline,
    returns each flow's result and fails when a flow did not pass (see O(fail_on_failure)).
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
      - Read-only calls check that the flow and the agent exist; no run is started and nothing is waited for.
options:
  flow_id:
    description:
      - Id (a GUID) of the flow to run, as shown in Leapwork Studio (Get Id) or in the
        controller's asset hierarchy.
      - One of O(flow_id), O(flow) or O(runs) is required; mutually exclusive with O(flow) and O(runs).
    type: str
  agent_id:
    description:
      - Id (a GUID) of the agent to run the flow on.
      - One of O(agent_id) or O(agent) is required with O(flow_id) or O(flow).
    type: str
  flow:
    description:
      - The flow by name, instead of O(flow_id). Either its path, the titles of its folders and its own
        title joined by C(/) (V(Regression/Checkout/Checkout fails)), or its title alone when no other
        flow has it.
      - The path is tried first, then the title. An exact match wins; otherwise case is ignored.
      - A name that matches several flows is an error listing their paths and ids; a name that matches
        none is an error suggesting the closest names. Use O(flow_id) or the path then.
      - A title that contains C(/) is matched as a whole, so give it as is or prefixed with its folders'
        path (V(Regression/Pay / refund)); when that string is also the path of another flow, the name
        is refused as ambiguous and O(flow_id) is needed.
      - Resolved with one read of the controller's asset hierarchy (C(GET /api/v4/hierarchy)).
    type: str
  agent:
    description:
      - The agent by title, instead of O(agent_id); matched like O(flow) titles (exact, else ignoring
        case; several matches are an error listing their hosts and ids).
      - Resolved with one read of C(GET /api/v4/agents).
    type: str
  agents:
    description:
      - An agent pool, by agent ids or titles (matched like O(agent)). Flows that name no agent of their
        own (no O(agent)/O(agent_id), no O(runs[].agent)/O(runs[].agent_id)) run on an agent of the pool;
        an item that names its agent runs there.
      - The pre-flight reads the agent statuses once, whatever O(agent_preflight) says. A pool agent that
        is not C(Available) or is blocked by the licence is left out with a warning naming it and why;
        when no agent is left, or an id is not known to the controller, the task fails before anything
        is started.
      - With O(wait), every agent of the pool runs one of this task's runs at a time, and the next flow
        starts on the agent that just finished, so that flows of unequal durations still end early;
        O(max_concurrency) bounds how many of the task's runs are going at once. Flows that could not
        start before O(wait_timeout) are reported as not started, and the task fails.
      - Without O(wait) (and in check mode), every flow is started at once, dealt to the pool's agents in
        turn, and queues on its agent.
      - With O(idempotency_key), a flow's ledger entry names the pool (the agents asked for, in any order),
        not the agent the run landed on. A later invocation with the same key and pool reuses the run
        wherever it ran, and never starts it on a second agent.
      - Every result names the agent the flow ran on (RV(agent_id) and RV(agent_title), in each entry of RV(runs) with O(runs)).
      - Mutually exclusive with O(agent) and O(agent_id).
    type: list
    elements: str
  retries:
    description:
      - With O(wait), how many more times a flow whose run ended C(failed) or C(error) is run again (not a run
        that was C(cancelled), C(timed_out), or could not be read). V(0) runs every flow once.
      - Another attempt goes to another agent of the pool (O(agents)) when one is free, so that a fault of one
        agent and a fault of the application can be told apart, else to the same agent; a flow with its own
        agent runs there again.
      - A flow that passes on a later attempt is V(flaky); one that never passes is V(failed) or V(error) as its
        last attempt was. The result keeps every attempt (RV(attempts)), with its run id, agent, outcome and reason.
      - When the trigger of another attempt fails, the flow keeps its last run's verdict and RV(attempts) ends
        with that attempt, with its C(error); a warning names it. When a run may have started for it (no answer
        came back, or it started but the idempotency ledger could not record it), the task fails whatever
        O(fail_on_failure) says, as it does when a first attempt may have started a run, and says so with the run
        id when known. When nothing was sent (the ledger refused) or the answer proves that no run started, the
        flow's verdict decides.
      - Every attempt lives under the task's one O(wait_timeout), and with O(idempotency_key) every attempt is
        recorded in the ledger under the flow's key, so that a later invocation with the same key follows the
        attempts (and gets their verdict) instead of starting new ones.
      - Needs O(wait).
    type: int
    default: 0
  fail_on_flaky:
    description:
      - Whether a V(flaky) flow (it passed only on a later attempt, see O(retries)) fails the task as a failed
        flow would. By default a flaky flow counts as passing; it is always reported with a warning naming the
        flow and what failed first, and counted in C(flaky) of RV(summary).
    type: bool
    default: false
  agent_preflight:
    description:
      - Before anything is started, read the agent statuses once (C(GET /api/v4/agents/agentsStatuses))
        and fail when a target agent does not exist, is not C(Available) or is blocked by the licence.
        Leapwork would otherwise keep such a run C(Queued), and a waiting task would only learn it at
        O(wait_timeout).
      - C(BlockedByLicense) is read as Leapwork documents it (C(Disabled) is blocked, C(Available) is
        not) and as a boolean; an agent whose licence state is anything else is refused too, as unknown.
      - With O(runs), nothing is started when one agent fails the check; the message names every such
        item, agent and status.
      - Set to V(false) to start runs anyway, for example to queue them for an agent that is about to
        connect.
      - The agents of a pool (O(agents)) are always checked; this option is about agents named by an item.
    type: bool
    default: true
  variables:
    description:
      - Flow variables, sent in the query string of the trigger and applied to the run as
        schedule variables.
      - Values must be scalars. Booleans are sent as V(true)/V(false), numbers in decimal,
        null as an empty string. Nested lists or dictionaries are rejected.
      - Names are case-insensitive for Leapwork, so two names differing only by case are rejected.
      - With O(runs), these are shared by every item; an item's own variables override them.
      - The encoded query string (every variable, secret ones included) may be at most 2048
        characters long, the default limit of IIS (C(maxQueryString)); a longer one is refused
        before anything is sent.
      - Values are returned in RV(variables) and RV(request); pass passwords in O(secret_variables).
    type: dict
    default: {}
  secret_variables:
    description:
      - Flow variables whose values are secret (passwords, tokens). They are sent in the query
        string like O(variables), which the controller requires, but their values never appear in
        the results, messages, warnings, the ledger or JUnit reports; where the name is shown, the value is
        C(********).
      - That holds in every form the controller, a proxy or the flow's log may repeat a value in
        (URL-encoded with C(%20) or C(+), JSON- or HTML-escaped), each replaced by C(********),
        as is the access key.
      - They count in the idempotency fingerprint (as part of a SHA-256 digest, never stored in clear).
      - A name may not be both in O(variables) and in O(secret_variables).
      - With O(runs), shared by every item like O(variables); an item's own variables (secret or
        not) override them by name.
    type: dict
    default: {}
  delete_schedule:
    description:
      - Ask the controller to delete the temporary schedule it creates for the run once the run
        ends (C(isDelete=true)). The run and its report stay available.
    type: bool
    default: false
  idempotency_key:
    description:
      - When set, the run started for this key (with this controller, flow and agent) is recorded
        in the ledger at O(ledger_path); a later invocation with the same key returns that run with
        C(changed=false) and C(reused=true) instead of starting another.
      - The same key with different variables is an error.
      - A key whose trigger was interrupted (the outcome is unknown) blocks further triggers until
        O(rerun=always) is used or the ledger entry is removed.
      - Use something that identifies what is being verified, for example the version just deployed.
    type: str
  ledger_path:
    description:
      - Where the idempotency ledger (a JSON file) lives. Several forks may share it safely.
      - Only used with O(idempotency_key). Keep it on the node that runs the module.
      - Its directory must not be writable by other users, unless it is sticky and owned by you
        (other users could replace the ledger); the ledger and its lock file are never followed
        through symbolic links and are kept at mode 0600. An empty (0-byte) ledger is reported as
        corrupt, never read as empty.
      - If not set, the value of the E(LEAPWORK_LEDGER_PATH) environment variable is used, else the default.
      - In an AWX / Automation Platform job the default place is inside the job's execution environment
        and is lost when the job ends; the module warns then. Use storage that outlives the job.
    type: path
    default: ~/.ansible/leapwork/ledger.json
  ledger_retention_days:
    description:
      - Runs recorded in the ledger more than this many days ago are forgotten the next time the
        ledger is written, so that it does not grow forever; an idempotency key whose run was
        forgotten starts a new run.
      - Markers of triggers whose outcome is unknown are never forgotten.
      - V(0) keeps every entry forever.
    type: int
    default: 30
  rerun:
    description:
      - What to do when O(idempotency_key) already has a recorded run.
      - V(never) reuses the recorded run.
      - V(failed) starts a new run only when the recorded run did not pass (a run still going counts
        as not failed and is reused). A run recorded less than 30 seconds ago that the controller does
        not know yet (404 or 500, as it may not be registered yet) is still going, so re-running a play
        without O(wait) at once never starts a second run; after that, a run the controller does not
        know (404) did not pass.
      - V(always) starts a new run and records it under the same key.
    type: str
    choices: [never, failed, always]
    default: never
  runs:
    description:
      - Start several flows in one task, concurrently (up to O(max_concurrency) at once).
      - Mutually exclusive with O(flow_id), O(agent_id), O(flow) and O(agent).
      - Idempotency, check mode and the never-replay rule hold for each item.
      - Items with the same flow, agent, idempotency key and variables are one run, started
        once and reported by every such item. The same flow, agent and key with different variables
        is an error, raised before anything is started. Items without an idempotency key each start
        their own run.
    type: list
    elements: dict
    suboptions:
      flow_id:
        description: Id (a GUID) of the flow. One of O(runs[].flow_id) and O(runs[].flow) is required.
        type: str
      agent_id:
        description: Id (a GUID) of the agent. One of O(runs[].agent_id) and O(runs[].agent) is required.
        type: str
      flow:
        description: The flow by path or title, instead of O(runs[].flow_id); see O(flow).
        type: str
      agent:
        description: The agent by title, instead of O(runs[].agent_id); see O(agent).
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
    description:
      - How many triggers are sent at once with O(runs).
      - With an agent pool (O(agents)) and O(wait), how many of the task's runs are going at once.
    type: int
    default: 8
notes:
  - The module talks only to the controller; run it on the control node
    (with C(delegate_to=localhost) or in a play on C(localhost)).
  - Connection options can be set once for every module of the collection with
    C(module_defaults) and the action group C(group/leapops.leapwork.leapwork).
seealso:
  - name: Leapwork REST API
    description: Leapwork's API reference.
    link: https://www.leapwork.com/product/documentation/rest-api/v4/run-flow-by-id
"""

EXAMPLES = r"""
- name: Start the smoke flow on the staging agent
  leapops.leapwork.flow_run:
    controller_url: https://leapwork.example.com:9002
    access_key: "{{ vault_leapwork_access_key }}"
    flow_id: 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11
    agent_id: 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
    variables:
      BaseUrl: https://staging.example.com/shop?lang=en&currency=EUR
      Retries: 3
      Headless: true
  register: smoke

- name: Start a flow by its folder path on an agent by its title
  leapops.leapwork.flow_run:
    flow: Regression/Checkout/Checkout fails
    agent: Windows agent 1
  register: by_name

- name: Start it once per release, even when the play is run again
  leapops.leapwork.flow_run:
    flow_id: 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11
    agent_id: 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
    idempotency_key: "release-{{ app_version }}"
    rerun: failed
    delete_schedule: true

- name: Run the smoke flow and wait for its verdict, with a JUnit report
  leapops.leapwork.flow_run:
    flow_id: 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11
    agent_id: 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
    wait: true
    wait_timeout: 900
    junit_path: "{{ playbook_dir }}/reports/smoke.xml"

- name: Spread a suite over a pool of agents and wait; each agent runs one flow at a time
  leapops.leapwork.flow_run:
    agents:
      - Windows agent 1
      - Windows agent 2
      - 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
    runs:
      - flow: Smoke/Login passes
      - flow: Smoke/Report done
      - flow_id: 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11
        agent: Windows agent 1  # an item that names its agent runs there
    wait: true
    idempotency_key: "suite-{{ app_version }}"
  register: suite

- name: Start three flows at once, sharing the URL under test
  leapops.leapwork.flow_run:
    variables:
      BaseUrl: https://staging.example.com
    runs:
      - flow_id: 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11
        agent_id: 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
      - flow_id: 7a1d0f8e-5c2b-4e3a-8f6d-1b2c3d4e5f60
        agent_id: 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
      - flow_id: 7a1d0f8e-5c2b-4e3a-8f6d-1b2c3d4e5f60
        agent_id: 9c8b7a6f-5e4d-4c3b-a2a1-0f9e8d7c6b5a
        variables:
          Browser: firefox
  register: verification
"""

RETURN = r"""
run_id:
  description:
    - Id of the run started (or reused). Not returned in check mode unless a recorded run would be reused.
    - Also returned when the task fails after a run was started.
  returned: when a run was started or reused (single flow)
  type: str
  sample: 8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a
reused:
  description: Whether the run was taken from the idempotency ledger instead of being started.
  returned: single flow
  type: bool
  sample: false
flow_id:
  description: The flow id, lower-cased.
  returned: single flow
  type: str
  sample: 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11
agent_id:
  description:
    - The agent id, lower-cased.
    - With an agent pool (O(agents)), the agent the flow was started on (or, for a run reused from the ledger,
      the agent recorded with it); V(null) when the flow could not be started.
  returned: single flow
  type: str
  sample: 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
flow_title:
  description: The flow's title, when the task read the asset hierarchy (O(flow) given), else V(null).
  returned: single flow
  type: str
  sample: Checkout fails
flow_path:
  description: The flow's folder path and title joined by C(/), when known as for RV(flow_title).
  returned: single flow
  type: str
  sample: Regression/Checkout/Checkout fails
agent_title:
  description: The agent's title, when the task read the agents (O(agent) given or O(agent_preflight)), else V(null).
  returned: single flow
  type: str
  sample: Windows agent 1
variables:
  description:
    - The variables as sent to the controller (every value rendered as a string); secret variables
      appear with the value C(********).
  returned: single flow
  type: dict
  sample: {"BaseUrl": "https://staging.example.com", "Headless": "true"}
idempotency_key:
  description: The idempotency key used, if any.
  returned: single flow
  type: str
  sample: release-2.4.1
request:
  description:
    - The trigger request that was sent. The access key travels in a header and is never part of
      it; secret variables show the value C(********).
    - V(null) when nothing was sent (a recorded run was reused, check mode, or the request could
      not be sent).
  returned: single flow
  type: dict
  contains:
    method:
      description: HTTP method.
      type: str
      sample: PUT
    path:
      description: Path of the request.
      type: str
      sample: /api/v4/flows/5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11/agent/0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
    query:
      description: URL-encoded query string, as sent.
      type: str
      sample: BaseUrl=https%3A%2F%2Fstaging.example.com&Password=********&isDelete=true
would_request:
  description:
    - In check mode, the trigger request that would be sent (same shape as RV(request)); V(null)
      when a recorded run would be reused.
  returned: in check mode (single flow; with O(runs), in each entry of RV(runs))
  type: dict
  sample: {"method": "PUT", "path": "/api/v4/flows/5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11/agent/0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01", "query": ""}
runs:
  description:
    - One entry per item of O(runs), in input order, each with the keys returned for a single flow.
    - An item whose trigger failed also has C(error), why, and C(status), the HTTP status code (see RV(status)).
  returned: with O(runs)
  type: list
  elements: dict
  sample:
    - run_id: 8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a
      changed: true
      reused: false
      flow_id: 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11
      agent_id: 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
      flow_title: Checkout fails
      flow_path: Regression/Checkout/Checkout fails
      agent_title: Windows agent 1
      variables: {}
      idempotency_key: null
      request:
        method: PUT
        path: /api/v4/flows/5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11/agent/0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
        query: ""
pool:
  description:
    - The agent pool (O(agents)) after the pre-flight.
  returned: with O(agents)
  type: dict
  contains:
    key:
      description: The pool's name in the idempotency ledger (a digest of the agent ids asked for).
      type: str
      sample: pool-5f2c0e1b9a7d3c4e8f60
    agent_ids:
      description: The agents the flows were spread over, in the order given.
      type: list
      elements: str
      sample: [0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01]
    left_out:
      description: The agents left out by the pre-flight, each with C(agent_id), C(agent_title) and C(reason).
      type: list
      elements: dict
      sample: [{"agent_id": "9c8b7a6f-5e4d-4c3b-a2a1-0f9e8d7c6b5a", "agent_title": "Windows agent 3",
                "reason": "agent 'Windows agent 3' (9c8b7a6f-5e4d-4c3b-a2a1-0f9e8d7c6b5a) is Unavailable"}]
run_ids:
  description: The run ids started or reused, in input order (V(null) for an item that started nothing).
  returned: with O(runs)
  type: list
  elements: str
  sample: [8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a]
status:
  description:
    - Two meanings, told apart by the type; the name stays for compatibility.
    - With O(wait), the run's last status, a string (C(Queued), C(Executing), C(Finished), ...).
    - When the trigger failed (the task fails), the HTTP status code the controller answered it with,
      an integer, or V(null) when no answer came back.
    - With O(runs), in each entry of RV(runs); an entry whose trigger failed has the code and an C(error) message.
  returned: with O(wait), or when the trigger failed (single flow)
  type: raw
  sample: Finished
outcome:
  description:
    - V(passed), V(flaky), V(failed), V(error), V(cancelled) or V(timed_out); the worst over every run with O(runs)
      (V(none) for an empty list), in the collection's one order V(error), V(timed_out), V(failed),
      V(cancelled), V(flaky), V(passed). The filter P(leapops.leapwork.run_report#filter) says the same for RV(runs).
    - A flaky flow (with O(retries)) is one that passed only on a later attempt; it counts as passing unless
      O(fail_on_flaky) is set.
  returned: with O(wait)
  type: str
  sample: passed
summary:
  description:
    - Counts of the flows run (over every run with O(runs)). A flow that passed only on a later attempt
      (O(retries)) counts in C(flaky), not in C(passed).
  returned: with O(wait)
  type: dict
  sample: {"total": 1, "passed": 1, "failed": 0, "errors": 0, "cancelled": 0, "flaky": 0}
elapsed_seconds:
  description: Seconds spent following the run.
  returned: with O(wait) (single flow)
  type: float
  sample: 6.2
queued_seconds:
  description: Seconds the run was seen waiting for a free agent.
  returned: with O(wait) (single flow)
  type: float
  sample: 0.0
timed_out:
  description: Whether O(wait_timeout) passed before the run was over.
  returned: with O(wait) (single flow)
  type: bool
  sample: false
message:
  description: One line about the run as a whole.
  returned: with O(wait) (single flow)
  type: str
  sample: "run 8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a passed: 1 passed"
run_items:
  description:
    - One entry per flow run on an agent, with C(run_item_id), C(flow_id), C(flow_title), C(agent_id),
      C(agent_title), C(status), C(outcome), C(elapsed_seconds) and, for flows that did not pass,
      C(keyframes) (the log lines that explain why).
  returned: with O(wait) (single flow)
  type: list
  elements: dict
  sample:
    - run_item_id: 0d6b2cf3-95c4-4f43-9d9e-5c1f2a3b4c5d
      flow_id: 5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11
      flow_title: Login
      agent_id: 0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01
      agent_title: Staging agent
      status: Passed
      outcome: passed
      elapsed_seconds: 6.0
      keyframes: []
failures:
  description: One line per flow that did not pass (flow title, agent, status, reason).
  returned: with O(wait)
  type: list
  elements: str
  sample: ["Checkout on Staging agent: Failed - Expected total '42.00' but found '41.99'"]
attempts:
  description:
    - With O(retries), for a flow that ran more than once, every attempt, first first, each with C(run_id),
      C(agent_id), C(agent_title), C(outcome), C(status) and C(reason) (why it did not pass, else V(null)).
      The last attempt is the one RV(run_id) names. With O(runs), in each entry of RV(runs).
    - In the JUnit report (O(junit_path)), the earlier attempts of a flow are C(<flakyFailure>)/C(<flakyError>)
      elements of its test case when a later attempt passed, or C(<rerunFailure>)/C(<rerunError>) beside its
      C(<failure>)/C(<error>) when none did, as Maven Surefire and Gradle write re-run tests.
    - An attempt whose trigger failed comes last, after the attempt that RV(run_id) names, with C(outcome) V(null),
      C(error) (why) and C(may_have_started) (whether a run may have started for it; its C(run_id) when known,
      else V(null)). The JUnit report has it as a C(<rerunError>) of type C(MayHaveStarted) or C(NotStarted).
  returned: with O(wait) and O(retries), for a flow run more than once or whose other attempt could not be started
  type: list
  elements: dict
  sample:
    - {"run_id": "1d26b0b3-978b-4e5c-a8b4-5b8acd556a36", "agent_id": "0e6f8c8e-3f0c-4c39-8a57-7e4c1b1d2a01",
       "agent_title": "Windows agent 1", "outcome": "failed", "status": "Failed", "reason": "Click Login: button not found"}
    - {"run_id": "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a", "agent_id": "9c8b7a6f-5e4d-4c3b-a2a1-0f9e8d7c6b5a",
       "agent_title": "Windows agent 2", "outcome": "passed", "status": "Passed", "reason": null}
junit_path:
  description: Where the JUnit report was written.
  returned: with O(wait) and O(junit_path)
  type: str
  sample: /builds/reports/smoke.xml
"""

from ansible_collections.leapops.leapwork.plugins.module_utils._catalogue import Targets
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import DEFAULT_RETENTION_DAYS
from ansible_collections.leapops.leapwork.plugins.module_utils._pool import Dispatcher, worth_another_attempt
from ansible_collections.leapops.leapwork.plugins.module_utils._module import (
    client_from_module,
    fail_from_error,
    ledger_from_module,
    report_started_runs,
    run_start_argument_spec,
    start_module,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._trigger import (
    RequestError,
    RunRequest,
    Trigger,
    check_batch,
    recorded_run_passed,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import merged_variables


def argument_spec():
    spec = run_start_argument_spec(dict(
        flow_id=dict(type="str"),
        agent_id=dict(type="str"),
        flow=dict(type="str"),
        agent=dict(type="str"),
    ), items="runs")
    spec.update(
        agents=dict(type="list", elements="str"),
        retries=dict(type="int", default=0),
        fail_on_flaky=dict(type="bool", default=False),
        agent_preflight=dict(type="bool", default=True),
        delete_schedule=dict(type="bool", default=False),
        ledger_retention_days=dict(type="int", default=DEFAULT_RETENTION_DAYS),
    )
    return spec


def run_requests(params, pool=None):
    """Validate every requested run locally, before any request is sent; ``pool`` takes the items without an agent."""
    if params["runs"] is None:
        return [RunRequest(params["flow_id"], params["agent_id"], params["variables"], params["idempotency_key"],
                           secret_variables=params["secret_variables"], delete_schedule=params["delete_schedule"], pool=pool)]
    requests = []
    for index, item in enumerate(params["runs"]):
        variables, secret_variables = merged_variables(params["variables"], params["secret_variables"], item["variables"], item["secret_variables"])
        requests.append(RunRequest(item["flow_id"], item["agent_id"], variables,
                                   item["idempotency_key"] or params["idempotency_key"], label="runs[%d]" % index,
                                   secret_variables=secret_variables, delete_schedule=params["delete_schedule"], pool=pool))
    check_batch(requests)
    return requests


def agents_problem(agents):
    """A message when the ``agents`` option cannot name a pool, else ``None`` (checked before any request)."""
    if agents is None:
        return None
    if not agents:
        return "agents must name at least one agent (an id or a title)"
    for index, agent in enumerate(agents):
        if not agent or not agent.strip():
            return "agents[%d] must be an agent id or title, got %r" % (index, agent)
    return None


def retries_problem(retries, wait):
    """A message when ``retries`` cannot be honoured, else ``None`` (checked before any request)."""
    if retries < 0:
        return "retries must be 0 or more, got %d" % retries
    if retries and not wait:
        return "retries needs wait: true (a flow runs again once its run is seen failed), got retries=%d without wait" % retries
    return None


def uses_names(params):
    items = params["runs"] if params["runs"] is not None else [params]
    return params["agents"] is not None or any(item["flow"] is not None or item["agent"] is not None for item in items)


def resolve_names(targets, params):
    """``params`` with every ``flow``/``agent`` name replaced by its id (see ``_catalogue``)."""
    pool = params["agents"] is not None
    if params["runs"] is None:
        resolved = targets.resolve([dict(params, label="flow_run")], pool=pool)[0]
        return dict(params, flow_id=resolved["flow_id"], agent_id=resolved["agent_id"])
    resolved = targets.resolve([dict(item, label="runs[%d]" % index) for index, item in enumerate(params["runs"])], pool=pool)
    runs = [dict(item, flow_id=names["flow_id"], agent_id=names["agent_id"]) for item, names in zip(params["runs"], resolved)]
    return dict(params, runs=runs)


def main():
    module = start_module(
        argument_spec(),
        wait=True,
        starts_runs=True,
        mutually_exclusive=[("runs", "flow_id"), ("runs", "agent_id"), ("runs", "flow"), ("runs", "agent"),
                            ("agents", "agent_id"), ("agents", "agent")],
        required_one_of=[("runs", "flow_id", "flow")],
    )
    params = module.params
    if params["ledger_retention_days"] < 0:
        module.fail_json(msg="ledger_retention_days must be 0 (keep forever) or more, got %d" % params["ledger_retention_days"])
    problem = agents_problem(params["agents"]) or retries_problem(params["retries"], params["wait"])
    if problem:
        module.fail_json(msg=problem)
    try:
        requests = None if uses_names(params) else run_requests(params)
    except RequestError as exc:
        module.fail_json(msg=str(exc))

    client = client_from_module(module)
    targets = Targets(client)
    pool = None
    try:
        if requests is None:
            # Names become ids with read-only calls; nothing that could start a run is sent before the checks.
            pool = targets.pool(params["agents"]) if params["agents"] is not None else None
            requests = run_requests(resolve_names(targets, params), pool)
        if params["agent_preflight"]:
            targets.preflight([(request.label, request.agent_id) for request in requests if request.pool is None])
        if pool is not None:
            targets.preflight_pool(pool)
    except RequestError as exc:
        module.fail_json(msg=str(exc))
    except LeapworkError as exc:
        fail_from_error(module, exc)

    trigger = Trigger(
        client,
        controller_url=client.controller_url,
        ledger=ledger_from_module(module, requests, retention_days=params["ledger_retention_days"]),
        rerun=params["rerun"],
        delete_schedule=params["delete_schedule"],
        check_mode=module.check_mode,
        run_is_passed=lambda run_id, seconds_since_recorded: recorded_run_passed(
            client, run_id, params["done_status_as"], seconds_since_recorded),
    )
    report = dict(
        single=params["runs"] is None, noun="runs", describe=describe,
        run_facts=lambda run: targets.titles(run["flow_id"], run["agent_id"]),
        fail_on_flaky=params["fail_on_flaky"],
    )
    if pool is None and not params["retries"]:
        report_started_runs(module, client, trigger.start_runs(requests, params["max_concurrency"]), **report)
    facts = {}
    if pool is not None:
        facts["pool"] = pool.to_dict()
        if pool.warning():
            module.warn(pool.warning())
    dispatcher = Dispatcher(trigger, requests, params["max_concurrency"], retries=params["retries"],
                            retryable=worth_another_attempt)
    if params["wait"] and not module.check_mode:
        report_started_runs(module, client, None, dispatcher=dispatcher, facts=facts, **report)
    report_started_runs(module, client, dispatcher.spread(), facts=facts, **report)


def describe(result):
    """An item in a message: its label, flow and agent (or pool)."""
    request = result.request
    where = "agent %s" % request.agent_id if request.agent_id else "the agent pool"
    return "%s (flow %s on %s)" % (request.label, request.flow_id, where)


if __name__ == "__main__":
    main()
