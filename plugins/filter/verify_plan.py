# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: verify_plan
short_description: What the verify_deployment role starts for the hosts running it
version_added: 1.2.0
author:
  - LeapOps
description:
  - Builds, from the requests of the hosts that run the role C(leapops.leapwork.verify_deployment) now,
    the one batch of flows and schedules that the role starts (one M(leapops.leapwork.flow_run) task and one
    M(leapops.leapwork.schedule_run) task) and each host's share of it.
  - A host takes part when its fact C(__verify_deployment_request) is set (the role sets it on each host that
    runs it, and clears it when it is done). Hosts that did not run the role (not notified, skipped by a
    C(when), failed earlier, outside C(--limit) or outside the current C(serial) batch) contribute nothing.
  - Ids are lower-cased and checked to be GUIDs; every flow's variables are its own over the host's shared
    ones; identical items (same flow, agent and variables; same schedule and variables) are started once.
    With an idempotency key, each item is recorded under C(<key>/vars-<16 hex digits>), the digits being the
    start of the fingerprint of its variables as the ledger computes it, so that a re-run of the play reuses
    every host's runs, batch by batch.
  - A flow without an agent of its own runs on an agent of the host's pool (C(verify_deployment_agents)), as
    O(leapops.leapwork.flow_run#module:agents) says; one without an agent and without a pool is an error. The
    hosts verified together share one pool and one number of re-runs (C(verify_deployment_retries)), since
    one M(leapops.leapwork.flow_run) task starts their flows; hosts that disagree are an error.
  - Everything is checked here, before any request is sent; a problem fails the task naming the host and the option.
  - The role's own wiring; its result is the input of P(leapops.leapwork.verify_result#filter).
positional: _input, hostvars
options:
  _input:
    description: The hosts that may run the role now, in order, normally C(ansible_play_batch).
    type: list
    elements: str
    required: true
  hostvars:
    description: C(hostvars), from which each host's C(__verify_deployment_request) is read.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Each host says what it wants verified
  ansible.builtin.set_fact:
    __verify_deployment_request:
      flows: "{{ verify_deployment_flows }}"
      schedules: "{{ verify_deployment_schedules }}"
      variables: "{{ verify_deployment_variables }}"
      secret_variable_names: "{{ verify_deployment_secret_variables | list }}"
      idempotency_key: "{{ verify_deployment_idempotency_key }}"
      agents: "{{ verify_deployment_agents }}"
      retries: "{{ verify_deployment_retries }}"
      wait: "{{ verify_deployment_wait }}"

- name: The batch, and each host's share of it
  ansible.builtin.set_fact:
    plan: "{{ ansible_play_batch | leapops.leapwork.verify_plan(hostvars) }}"

- name: Start every flow once, for every host
  leapops.leapwork.flow_run:
    runs: "{{ plan.runs }}"
    agents: "{{ plan.agents or omit }}"
  delegate_to: localhost
  when: inventory_hostname == plan.leader and plan.runs
"""

RETURN = r"""
_value:
  description: The batch and each host's share.
  type: dict
  contains:
    leader:
      description: The first host taking part, which starts and follows the runs for all (V(null) when none does).
      type: str
      sample: web1
    hosts:
      description: The hosts taking part, in the order given.
      type: list
      elements: str
      sample: [web1, web2]
    runs:
      description: The O(leapops.leapwork.flow_run#module:runs) to start, each once.
      type: list
      elements: dict
      sample:
        - flow_id: 20000000-0000-4000-8000-000000000001
          agent_id: 30000000-0000-4000-8000-000000000001
          flow: null
          agent: null
          variables: {BaseUrl: "https://web1"}
          idempotency_key: release-2.4.1/vars-5d41402abc4b2a76
    run_keys:
      description: One key per entry of RV(_value.runs), the item's identity in RV(_value.shares).
      type: list
      elements: str
    schedules:
      description: The O(leapops.leapwork.schedule_run#module:schedules) to start, each once.
      type: list
      elements: dict
      sample:
        - schedule_id: null
          schedule: Smoke suite
          variables: {}
          idempotency_key: null
    schedule_keys:
      description: One key per entry of RV(_value.schedules), the item's identity in RV(_value.shares).
      type: list
      elements: str
    agents:
      description: The agent pool of the batch (ids lower-cased, titles as given), V(null) for none.
      type: list
      elements: str
      sample: [Pool agent 1, 33000000-0000-4000-8000-000000000002]
    retries:
      description: How many more times a flow that failed runs again (O(leapops.leapwork.flow_run#module:retries)).
      type: int
      sample: 1
    wait:
      description: Whether the runs are followed to the end (the leader's C(verify_deployment_wait)).
      type: bool
      sample: true
    flow_run_waits:
      description:
        - Whether M(leapops.leapwork.flow_run) waits for the flows itself, handing the pool's agents over and
          running failed flows again (a pool or re-runs, with V(wait), and no schedules); otherwise
          M(leapops.leapwork.run_info) follows the runs flow_run started.
        - With schedules, a pool's flows are dealt to its agents up front; re-runs cannot be combined with them.
      type: bool
      sample: false
    shares:
      description: For each host taking part, the keys of its flows and schedules, in its own order.
      type: dict
      sample: {web1: ["flow 20000000-0000-4000-8000-000000000001 on 30000000-0000-4000-8000-000000000001 vars 5d41402abc4b2a76"]}
"""

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence

from ansible_collections.leapops.leapwork.plugins.module_utils._ids import guid_problem, is_guid
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import VariableError, fingerprint

#: The fact through which a host takes part (set by the role on each host that runs it), and its keys.
REQUEST_FACT = "__verify_deployment_request"
REQUEST_KEYS = ("flows", "schedules", "variables", "secret_variable_names", "idempotency_key", "agents", "retries", "wait")
#: How many hex digits of the variables' fingerprint go into a ledger key.
FINGERPRINT_DIGITS = 16


class PlanError(ValueError):
    """A host's request that cannot be verified; the message names the host and the option."""


def _text(value):
    """A non-empty string, or None (an unset or empty option)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise TypeError(type(value).__name__)
    return value


def _mapping(value, option):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PlanError("%s must be a dictionary, got %s" % (option, type(value).__name__))
    return dict(value)


def _list(value, option):
    if value is None:
        return []
    if isinstance(value, (str, dict)) or not is_sequence(value):
        raise PlanError("%s must be a list, got %s" % (option, type(value).__name__))
    return list(value)


class _Host(object):
    """One host's request, checked and normalised; every error names the host and the option."""

    def __init__(self, name, request):
        self.name = name
        self.request = _mapping(request, "%s: %s" % (name, REQUEST_FACT))
        unknown = sorted(set(self.request) - set(REQUEST_KEYS))
        if unknown:
            raise PlanError("%s: %s has keys this filter does not know: %s" % (name, REQUEST_FACT, ", ".join(unknown)))
        key = self.request.get("idempotency_key")
        if key is not None and not isinstance(key, str):
            raise PlanError(self.option("verify_deployment_idempotency_key") + " must be a string, got %s" % type(key).__name__)
        self.idempotency_key = key or None
        self.variables = _mapping(self.request.get("variables"), self.option("verify_deployment_variables"))
        self.ledger_key(self.variables, self.option("verify_deployment_variables"))  # validates them
        secret_names = set(str(secret).lower() for secret in _list(self.request.get("secret_variable_names"),
                                                                   self.option("verify_deployment_secret_variables")))
        both = sorted(secret_names & set(str(variable).lower() for variable in self.variables))
        if both:
            raise PlanError("%s: verify_deployment_secret_variables and verify_deployment_variables both name %s; pass "
                            "each variable once." % (name, ", ".join(both)))
        self.agents = self._agents()
        self.retries = self._retries()
        self.wait = self.request.get("wait", True)
        if not isinstance(self.wait, bool):
            raise PlanError(self.option("verify_deployment_wait") + " must be a boolean, got %s" % type(self.wait).__name__)
        if self.retries and not self.wait:
            raise PlanError(self.option("verify_deployment_retries") + " needs verify_deployment_wait: true (a flow runs "
                            "again once its run is seen failed), got verify_deployment_retries=%d without waiting" % self.retries)

    def _agents(self):
        """The agent pool: ids (lower-cased) or titles, in order; ``None`` for no pool (an empty list)."""
        option = self.option("verify_deployment_agents")
        agents = []
        for index, agent in enumerate(_list(self.request.get("agents"), option)):
            if not isinstance(agent, str) or not agent.strip():
                raise PlanError("%s[%d] must be an agent id or title, got %r" % (option, index, agent))
            agents.append(agent.lower() if is_guid(agent) else agent)
        return agents or None

    def _retries(self):
        option = self.option("verify_deployment_retries")
        retries = self.request.get("retries")
        if retries is None:
            return 0
        if isinstance(retries, str) and re.match(r"^\s*-?[0-9]+\s*$", retries):
            retries = int(retries)  # given on the command line (-e) as text
        if isinstance(retries, bool) or not isinstance(retries, int):
            raise PlanError("%s must be a whole number, got %r" % (option, retries))
        if retries < 0:
            raise PlanError("%s must be 0 or more, got %d" % (option, retries))
        return retries

    def option(self, option):
        return "%s: %s" % (self.name, option)

    def ledger_key(self, variables, option):
        """The item's idempotency key (``None`` without one) and the digits that tell its variables apart.

        ``option`` (host included) names the variables in the error of a variable that cannot be sent.
        """
        try:
            digits = fingerprint(variables)[:FINGERPRINT_DIGITS]
        except VariableError as exc:
            raise PlanError("%s: %s" % (option, exc))
        return ("%s/vars-%s" % (self.idempotency_key, digits) if self.idempotency_key else None), digits

    def _id(self, item, field, option):
        try:
            value = _text(item.get(field))
        except TypeError as exc:
            raise PlanError("%s.%s must be a string, got %s" % (option, field, exc))
        if value is None or field in ("flow", "agent", "schedule"):
            return value
        problem = guid_problem("%s.%s" % (option, field), value)
        if problem:
            raise PlanError(problem)
        return value.lower()

    def _target(self, item, option, id_field, name_field, what, pool=False):
        """``(id, name)`` of the item's flow, agent or schedule; ``(None, None)`` for an agent left to the ``pool``."""
        target_id, name = self._id(item, id_field, option), self._id(item, name_field, option)
        if target_id and name:
            raise PlanError("%s: give %s or %s, not both" % (option, id_field, name_field))
        if not (target_id or name or pool):
            raise PlanError("%s: give the %s by %s (its id) or %s (its %s)%s"
                            % (option, what, id_field, name_field, "title" if what != "flow" else "path or title",
                               ", or an agent pool in verify_deployment_agents" if what == "agent" else ""))
        return target_id, name

    def flows(self):
        option = self.option("verify_deployment_flows")
        for index, flow in enumerate(_list(self.request.get("flows"), option)):
            item_option = "%s[%d]" % (option, index)
            if not isinstance(flow, dict):
                raise PlanError("%s must be a dictionary with flow_id or flow and agent_id or agent, got %s"
                                % (item_option, type(flow).__name__))
            flow_id, flow_name = self._target(flow, item_option, "flow_id", "flow", "flow")
            # Without an agent of its own, a flow runs on an agent of the pool (flow_run's agents).
            agent_id, agent_name = self._target(flow, item_option, "agent_id", "agent", "agent", pool=self.agents is not None)
            variables = dict(self.variables)
            variables.update(_mapping(flow.get("variables"), item_option + ".variables"))
            idempotency_key, digits = self.ledger_key(variables, item_option + ".variables")
            where = agent_id or ("named %s" % agent_name if agent_name else "the pool")
            key = "flow %s on %s vars %s" % (flow_id or "named %s" % flow_name, where, digits)
            yield key, dict(flow_id=flow_id, agent_id=agent_id, flow=flow_name, agent=agent_name,
                            variables=variables, idempotency_key=idempotency_key)

    def schedules(self):
        option = self.option("verify_deployment_schedules")
        for index, wanted in enumerate(_list(self.request.get("schedules"), option)):
            item_option = "%s[%d]" % (option, index)
            if isinstance(wanted, str):
                # A bare string is an id when it is one, else a title.
                wanted = {"schedule_id": wanted} if is_guid(wanted) else {"schedule": wanted}
            elif not isinstance(wanted, dict):
                raise PlanError("%s must be a schedule title, a schedule id or a dictionary, got %s"
                                % (item_option, type(wanted).__name__))
            schedule_id, schedule_name = self._target(wanted, item_option, "schedule_id", "schedule", "schedule")
            variables = dict(self.variables)
            variables.update(_mapping(wanted.get("variables"), item_option + ".variables"))
            idempotency_key, digits = self.ledger_key(variables, item_option + ".variables")
            key = "schedule %s vars %s" % (schedule_id or "named %s" % schedule_name, digits)
            yield key, dict(schedule_id=schedule_id, schedule=schedule_name, variables=variables,
                            idempotency_key=idempotency_key)


def _batch_options(plan, host, first):
    """The options of the one flow_run task that every host of the batch shares: the pool and the retries.

    ``first`` is the first host taking part (``None`` for ``host`` itself): the hosts must agree, since
    one task starts everyone's flows; a host without a pool of its own is content with the batch's.
    """
    if first is None:
        plan.update(agents=host.agents, retries=host.retries, wait=host.wait)
        return
    if host.agents is not None:
        # The same agents in another order are the same pool (flow_run's pool key ignores the order);
        # the first host's order is the one the flows are dealt in.
        if plan["agents"] is not None and sorted(host.agents) != sorted(plan["agents"]):
            raise PlanError("%s: verify_deployment_agents %s differs from %s's %s; the hosts verified together share "
                            "one agent pool" % (host.name, host.agents, first.name, plan["agents"]))
        plan["agents"] = plan["agents"] or host.agents
    if host.retries != plan["retries"]:
        raise PlanError("%s: verify_deployment_retries %d differs from %s's %d; the hosts verified together share "
                        "one number of re-runs" % (host.name, host.retries, first.name, plan["retries"]))


def build_plan(hosts, requests):
    """The plan for ``hosts`` (in order) from ``requests`` (host -> request, ``None`` for a host not taking part)."""
    plan = dict(leader=None, hosts=[], runs=[], run_keys=[], schedules=[], schedule_keys=[], shares={},
                agents=None, retries=0, wait=True, flow_run_waits=False)
    first = None
    for name in hosts:
        request = requests.get(name)
        if request is None:
            continue
        host = _Host(name, request)
        _batch_options(plan, host, first)
        first = first or host
        share = []
        for kind, items in (("runs", host.flows()), ("schedules", host.schedules())):
            keys = plan[kind[:-1] + "_keys"]
            for key, item in items:
                if key not in keys:
                    keys.append(key)
                    plan[kind].append(item)
                if key not in share:
                    share.append(key)
        plan["hosts"].append(name)
        plan["shares"][name] = share
    plan["leader"] = plan["hosts"][0] if plan["hosts"] else None
    # A pool hands its agents over, and failed flows run again, while flow_run waits for the runs;
    # with schedules, whose runs run_info follows, a pool is dealt up front instead (flow_run without wait).
    if plan["retries"] and plan["schedules"]:
        raise PlanError("verify_deployment_retries re-runs flows while flow_run waits for them, and cannot be combined "
                        "with verify_deployment_schedules (%s): verify the schedules in a run of the role of their own"
                        % ", ".join(host for host in plan["hosts"] if any(key.startswith("schedule ") for key in plan["shares"][host])))
    plan["flow_run_waits"] = bool(plan["wait"] and plan["runs"] and not plan["schedules"]
                                  and (plan["agents"] is not None or plan["retries"]))
    return plan


def verify_plan(hosts, hostvars):
    if not is_sequence(hosts) or isinstance(hosts, str):
        raise AnsibleFilterError("verify_plan: expects the list of hosts (ansible_play_batch), got %s" % type(hosts).__name__)
    requests = {}
    for name in hosts:
        try:
            host_vars = hostvars[name]
        except KeyError:
            raise AnsibleFilterError("verify_plan: %s is not in hostvars" % name)
        requests[name] = host_vars.get(REQUEST_FACT) if REQUEST_FACT in host_vars else None
    try:
        return build_plan(list(hosts), requests)
    except PlanError as exc:
        raise AnsibleFilterError("verify_plan: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"verify_plan": verify_plan}
