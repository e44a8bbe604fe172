# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""Flows, agents and schedules by name, and the agent pre-flight.

``FlowCatalogue`` is built from one read of the asset hierarchy; ``AgentCatalogue`` from one
read of ``/agents`` and/or ``/agents/agentsStatuses``. Both find items by id or name and never
pick silently: a name that matches several items is an error listing them, a name that matches
nothing is an error suggesting the closest names.

Matching rules (the same for flows and agents):

- A flow name is first compared with every flow's full path (folder titles and the flow title
  joined by ``/``), then with titles. Paths are compared as whole strings, never split, so a
  title that contains ``/`` is found by its path (``Regression/Pay / refund``) or by its title.
- An exact match wins; otherwise case is ignored. Two matches at the same step are ambiguous.

``pick`` and ``not_found_message`` are that rule and its wording; ``_schedules`` finds schedules
by title with them too.

``Directory`` reads what a task needs once (hierarchy, agents, statuses), so resolving names for
a batch costs at most one call of each, whatever its length.
"""

import difflib
import json

from ansible_collections.leapops.leapwork.plugins.module_utils._client import json_field
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import LeapworkError
from ansible_collections.leapops.leapwork.plugins.module_utils._ids import is_guid
from ansible_collections.leapops.leapwork.plugins.module_utils._pool import Pool

#: Hierarchy item types that are flows (compared case-insensitively).
FLOW_TYPES = ("flow", "subflow")
#: The ``ConnectionStatus`` of an agent that can take runs.
AVAILABLE = "available"
SUGGESTIONS = 3
#: ``BlockedByLicense`` as the controller's docs write it (a string, any case) -> blocked. A JSON
#: boolean is read as it is; anything else is unknown, never taken as "not blocked".
LICENSE_STRINGS = {"disabled": True, "available": False}
#: ``license_status`` of an agent: what its ``BlockedByLicense`` says.
LICENSED, BLOCKED, UNKNOWN = "licensed", "blocked", "unknown"


def blocked_by_license(value):
    """``True`` (blocked), ``False`` (not blocked) or ``None`` (unknown) for a ``BlockedByLicense`` value.

    The documented form is a string, ``Disabled`` (blocked by the licence) or ``Available`` (not
    blocked); some controllers answer a JSON boolean. Both are read; anything else is unknown.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return LICENSE_STRINGS.get(value.strip().lower())
    return None


class NameResolutionError(LeapworkError):
    """A name matched nothing, or several things; raised after read-only calls only."""


class PreflightError(LeapworkError):
    """A target agent is missing, unavailable or blocked by licence; nothing was started."""


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _with_id(entries, wanted):
    """The entry (a flow or an agent, ids kept in lower case) whose id is ``wanted``, any case; else ``None``."""
    wanted = _lower(wanted)
    for entry in entries:
        if entry["id"] == wanted:
            return entry
    return None


def pick(items, key, wanted):
    """Items whose ``key`` equals ``wanted``: exact matches if any, else case-insensitive (casefold) ones."""
    exact = [item for item in items if item[key] == wanted]
    if exact:
        return exact
    folded = wanted.casefold()
    return [item for item in items if isinstance(item[key], str) and item[key].casefold() == folded]


def _closest(wanted, names):
    by_folded = {}
    for name in names:
        if isinstance(name, str):
            by_folded.setdefault(name.casefold(), name)
    matches = difflib.get_close_matches(wanted.casefold(), list(by_folded), n=SUGGESTIONS, cutoff=0.5)
    return [by_folded[match] for match in matches]


def not_found_message(what, option, wanted, names):
    """``"<option>: no <what> named '<wanted>' on the controller; closest: ..."`` (the closest of ``names``)."""
    message = "%s: no %s named %r on the controller" % (option, what, wanted)
    suggestions = _closest(wanted, names)
    if suggestions:
        message += "; closest: %s" % ", ".join(repr(name) for name in suggestions)
    return message


def _not_found(what, option, wanted, names):
    return NameResolutionError(not_found_message(what, option, wanted, names), operation="resolve names", status=404)


# ---------------------------------------------------------------- flows
class FlowCatalogue(object):
    """Every flow of the asset hierarchy, with its folder path."""

    def __init__(self, hierarchy):
        self.flows = []
        self.folders = set()
        roots = hierarchy if isinstance(hierarchy, list) else [hierarchy]
        for node in roots:
            self._walk(node, [])

    def _walk(self, node, folder_titles):
        if not isinstance(node, dict):
            return
        title = json_field(node, "Title")
        title = title if isinstance(title, str) else ""
        item_type = json_field(node, "Type")
        folder = "/".join(folder_titles)
        if isinstance(item_type, str) and item_type.lower() in FLOW_TYPES:
            status = json_field(node, "Status")
            self.flows.append({
                "id": _lower(json_field(node, "Id")),
                "title": title,
                "path": "%s/%s" % (folder, title) if folder else title,
                "folder": folder,
                "type": item_type,
                "status": status if isinstance(status, str) else None,
            })
            return
        children = json_field(node, "Children") or []
        inner = folder_titles
        if isinstance(item_type, str) and item_type.lower() == "folder":
            inner = folder_titles + [title]
            self.folders.add("/".join(inner))
        for child in children if isinstance(children, list) else []:
            self._walk(child, inner)

    def by_id(self, flow_id):
        return _with_id(self.flows, flow_id)

    def find(self, name, option="flow"):
        """The one flow whose path, or else title, is ``name``; ``NameResolutionError`` otherwise."""
        for key in ("path", "title"):
            matches = pick(self.flows, key, name)
            if len(matches) == 1:
                return matches[0]
            if matches:
                listing = ", ".join("%s (%s)" % (flow["path"], flow["id"]) for flow in matches)
                raise NameResolutionError(
                    "%s: %r matches %d flows: %s; give the flow's path or its flow_id" % (option, name, len(matches), listing),
                    operation="resolve names")
        raise _not_found("flow", option, name, [flow["path"] for flow in self.flows] + [flow["title"] for flow in self.flows])

    def under(self, folder, option="folder"):
        """Every flow in ``folder`` or below it; ``NameResolutionError`` for a folder that does not exist."""
        folder = folder.strip("/")
        if not folder:
            return list(self.flows)
        matches = pick([{"path": path} for path in self.folders], "path", folder)
        if not matches:
            raise _not_found("folder", option, folder, sorted(self.folders))
        if len(matches) > 1:
            listing = ", ".join(sorted(match["path"] for match in matches))
            raise NameResolutionError("%s: %r matches %d folders: %s; give its exact case" % (option, folder, len(matches), listing),
                                      operation="resolve names")
        prefix = matches[0]["path"]
        return [flow for flow in self.flows if flow["folder"] == prefix or flow["folder"].startswith(prefix + "/")]


# ---------------------------------------------------------------- agents
def agent_from_answers(agent=None, status=None):
    """One agent as this collection returns it, from ``/agents`` and/or ``agentsStatuses`` entries."""
    agent = agent or {}
    status = status or {}
    connection_status = json_field(status, "ConnectionStatus")
    blocked = blocked_by_license(json_field(status, "BlockedByLicense"))
    connected = isinstance(connection_status, str) and connection_status.lower() == AVAILABLE
    available = None
    if status and (not connected or blocked is not None):
        # Unknown (None) while the licence state is: an agent is never said available on a guess.
        available = connected and blocked is False
    port = json_field(agent, "Port")
    return {
        "id": _lower(json_field(agent, "Id") or json_field(status, "AgentId")),
        "title": json_field(agent, "Title") or json_field(status, "Title"),
        "host": json_field(agent, "HostName"),
        "port": port if isinstance(port, int) else None,
        "type": json_field(agent, "Type"),
        "connection_type": json_field(agent, "ConnectionType"),
        "available": available,
        "connection_status": connection_status if isinstance(connection_status, str) else None,
        "blocked_by_license": blocked,
        "license_status": ({True: BLOCKED, False: LICENSED}.get(blocked, UNKNOWN)) if status else None,
    }


class AgentCatalogue(object):
    """Agents from ``/agents`` and/or ``/agents/agentsStatuses`` (either may be None: not read)."""

    def __init__(self, agents=None, statuses=None):
        by_id = {}
        for status in statuses or []:
            agent_id = _lower(json_field(status, "AgentId"))
            if agent_id:
                by_id.setdefault(agent_id, [None, None])[1] = status
        for agent in agents or []:
            agent_id = _lower(json_field(agent, "Id"))
            if agent_id:
                by_id.setdefault(agent_id, [None, None])[0] = agent
        self.statuses_read = statuses is not None
        # What each agent's BlockedByLicense said, as the controller wrote it, for messages.
        self._license_said = dict((_lower(json_field(status, "AgentId")), json_field(status, "BlockedByLicense"))
                                  for status in statuses or [])
        # /agents is the list of record; an agent only in the statuses counts when /agents was not read.
        self.agents = [agent_from_answers(agent, status) for agent, status in by_id.values()
                       if agent is not None or agents is None]

    def by_id(self, agent_id):
        return _with_id(self.agents, agent_id)

    def find(self, title, option="agent"):
        matches = pick(self.agents, "title", title)
        if len(matches) == 1:
            return matches[0]
        if matches:
            listing = ", ".join("%s on %s (%s)" % (agent["title"], agent["host"] or "?", agent["id"]) for agent in matches)
            raise NameResolutionError("%s: %r matches %d agents: %s; give its agent_id" % (option, title, len(matches), listing),
                                      operation="resolve names")
        raise _not_found("agent", option, title, [agent["title"] for agent in self.agents])

    def problem(self, agent_id):
        """Why ``agent_id`` cannot take a run now, or None (needs the statuses)."""
        agent = self.by_id(agent_id)
        if agent is None:
            return "agent_id %s was not found on the controller" % agent_id
        name = "agent %r (%s)" % (agent["title"], agent["id"])
        if agent["connection_status"] is None:
            return "%s has no connection status in the controller's agent statuses" % name
        said = "ConnectionStatus %s, BlockedByLicense %s" % (agent["connection_status"], _json_text(self._license_said.get(agent["id"])))
        if agent["license_status"] == BLOCKED:
            return "%s is blocked by the licence (%s)" % (name, said)
        if agent["available"] is False:
            return "%s is %s" % (name, agent["connection_status"])
        if agent["license_status"] == UNKNOWN:
            return ("%s has a licence state this collection does not know (%s), so it may not take runs; "
                    "BlockedByLicense should be Available or Disabled" % (name, said))
        return None


def _json_text(value):
    """A value of the controller's answer as JSON writes it (``true``, ``"Disabled"``, ``null``)."""
    return json.dumps(value)


# ---------------------------------------------------------------- one task's reads
class Directory(object):
    """What one task reads from the controller to resolve names, each at most once."""

    def __init__(self, client):
        self.client = client
        self._flows = None
        self._agents = None
        self._statuses = None

    def flows(self):
        if self._flows is None:
            self._flows = FlowCatalogue(self.client.hierarchy())
        return self._flows

    def agents(self, with_statuses=False):
        """The agents; ``/agents`` is read for names, the statuses for availability."""
        if self._agents is None and not with_statuses:
            self._agents = self.client.agents()
        if self._statuses is None and with_statuses:
            self._statuses = self.client.agents_statuses()
        return AgentCatalogue(self._agents, self._statuses)

    def known_flow(self, flow_id):
        return self._flows.by_id(flow_id) if self._flows is not None else None

    def known_agent(self, agent_id):
        if self._agents is None and self._statuses is None:
            return None
        return AgentCatalogue(self._agents, self._statuses).by_id(agent_id)


class Targets(object):
    """The ``flow``/``agent`` names of a flow_run task, resolved into ids with bounded reads.

    ``items`` are dicts with ``flow``, ``flow_id``, ``agent``, ``agent_id`` and a ``label``.
    """

    def __init__(self, client):
        self.directory = Directory(client)

    def resolve(self, items, pool=False):
        """Fill ``flow_id``/``agent_id`` of each item from its names; new dicts, input order.

        ``pool``: the task has an agent pool, so an item may name no agent (it runs on the pool).
        """
        for item in items:
            for name, identifier in (("flow", "flow_id"), ("agent", "agent_id")):
                if pool and name == "agent" and item.get(name) is None and not item.get(identifier):
                    continue
                if item.get(name) and item.get(identifier):
                    raise NameResolutionError("%s: %s and %s are mutually exclusive" % (item["label"], name, identifier),
                                              operation="resolve names")
                if item.get(name) is not None and not str(item[name]).strip():
                    raise NameResolutionError("%s: %s must not be empty" % (item["label"], name), operation="resolve names")
                if item.get(name) is None and not item.get(identifier):
                    raise NameResolutionError("%s: one of %s or %s is required" % (item["label"], name, identifier),
                                              operation="resolve names")
        resolved = []
        for item in items:
            item = dict(item)
            if item.get("flow"):
                item["flow_id"] = self.directory.flows().find(item["flow"], "%s: flow" % item["label"])["id"]
            if item.get("agent"):
                item["agent_id"] = self.directory.agents().find(item["agent"], "%s: agent" % item["label"])["id"]
            resolved.append(item)
        return resolved

    def preflight(self, labelled_agent_ids):
        """One statuses read; ``PreflightError`` naming every agent that cannot take a run."""
        agents = self.directory.agents(with_statuses=True)
        problems = []
        for label, agent_id in labelled_agent_ids:
            problem = agents.problem(agent_id)
            if problem:
                problems.append("%s: %s" % (label, problem))
        if problems:
            reason = "an agent cannot take runs" if len(problems) == 1 else "%d agents cannot take runs" % len(problems)
            raise PreflightError(
                "Agent pre-flight: nothing was started, because %s:\n%s\n(set agent_preflight, or the role's "
                "verify_deployment_agent_preflight, to false to start runs anyway)" % (reason, "\n".join(problems)),
                operation="agent pre-flight")

    def pool(self, agents, option="agents"):
        """The ``Pool`` of ``agents``, each an agent id or title (titles need one read of ``/agents``)."""
        agent_ids, titles = [], {}
        for index, agent in enumerate(agents):
            if is_guid(agent):
                agent_ids.append(agent.lower())
                continue
            found = self.directory.agents().find(agent, "%s[%d]" % (option, index))
            agent_ids.append(found["id"])
            titles[found["id"]] = found["title"]
        return Pool(agent_ids, titles)

    def preflight_pool(self, pool, option="agents"):
        """Leave out the pool's agents that cannot take runs (the statuses, read once per task).

        An agent the controller does not know is an error (a typo, not an agent that is down); so
        is a pool with no agent left. Both are ``PreflightError``: nothing was started.
        """
        agents = self.directory.agents(with_statuses=True)
        problems = {}
        for agent_id in pool.agent_ids:
            agent = agents.by_id(agent_id)
            if agent is None:
                raise PreflightError("%s: agent_id %s was not found on the controller; nothing was started" % (option, agent_id),
                                     operation="agent pre-flight")
            if agent["title"]:
                pool.titles.setdefault(agent_id, agent["title"])
            problem = agents.problem(agent_id)
            if problem:
                problems[agent_id] = problem
        pool.leave_out(problems)
        if not pool.available:
            raise PreflightError(
                "Agent pre-flight: nothing was started, because no agent of the pool (%s) can take runs:\n%s"
                % (option, "\n".join(reason for _agent_id, reason in pool.left_out)), operation="agent pre-flight")

    def titles(self, flow_id, agent_id):
        """``flow_title``, ``flow_path`` and ``agent_title`` as far as this task's reads know them."""
        flow = self.directory.known_flow(flow_id) or {}
        agent = self.directory.known_agent(agent_id) or {}
        return {"flow_title": flow.get("title"), "flow_path": flow.get("path"), "agent_title": agent.get("title")}


# ---------------------------------------------------------------- the info modules
def find_flows(client, flow_id=None, path=None, title=None, folder=None):
    """Flows by id, path, title or folder (recursive); every flow when none is given.

    One hierarchy read, plus one ``/flowinfo`` read per flow returned whose status the
    hierarchy does not carry. An unknown id, path or folder is a ``NameResolutionError``;
    a title that matches nothing gives an empty list.
    """
    flows = FlowCatalogue(client.hierarchy())
    if flow_id is not None:
        found = flows.by_id(flow_id)
        if found is None:
            raise NameResolutionError("flow_id %s was not found in the controller's asset hierarchy" % flow_id,
                                      operation="find flows", status=404)
        selected = [found]
    elif path is not None:
        selected = pick(flows.flows, "path", path)
        if not selected:
            raise _not_found("flow", "path", path, [flow["path"] for flow in flows.flows])
    elif title is not None:
        selected = pick(flows.flows, "title", title)
    elif folder is not None:
        selected = flows.under(folder)
    else:
        selected = list(flows.flows)
    result = []
    for flow in selected:
        flow = dict(flow)
        if flow["status"] is None:
            status = json_field(client.flow_info(flow["id"]), "Status")
            flow["status"] = status if isinstance(status, str) else None
        result.append(flow)
    return result


def find_agents(client, agent_id=None, title=None):
    """Agents with their availability (one ``/agents`` and one statuses read); all when neither is given.

    An unknown ``agent_id`` is a ``NameResolutionError``; a title that matches nothing gives an empty list.
    """
    agents = AgentCatalogue(client.agents(), client.agents_statuses())
    if agent_id is not None:
        found = agents.by_id(agent_id)
        if found is None:
            raise NameResolutionError("agent_id %s was not found on the controller" % agent_id,
                                      operation="find agents", status=404)
        return [found]
    if title is not None:
        return pick(agents.agents, "title", title)
    return list(agents.agents)
