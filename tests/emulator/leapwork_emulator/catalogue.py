"""The emulated controller's assets: folders, flows, agents and schedules."""

import copy
import json
import uuid

FOLDER_NAMESPACE = uuid.UUID("6f1c3a52-2d0e-4d1b-9a57-2f5d7c1e0b11")

DEFAULT_CONFIG = {
    "folders": [
        {"id": "10000000-0000-4000-8000-000000000001", "path": "Smoke"},
        {"id": "10000000-0000-4000-8000-000000000002", "path": "Regression"},
        {"id": "10000000-0000-4000-8000-000000000003", "path": "Regression/Checkout"},
        {"id": "10000000-0000-4000-8000-000000000004", "path": "Regression/Checkout/EU"},
    ],
    "flows": [
        {"id": "20000000-0000-4000-8000-000000000001", "title": "Login passes", "folder": "Smoke",
         "outcome": "Passed", "duration": 6},
        {"id": "20000000-0000-4000-8000-000000000002", "title": "Checkout fails", "folder": "Regression/Checkout",
         "outcome": "Failed", "duration": 8, "message": "Expected total '42.00' but found '41.99'", "block": "Check total"},
        {"id": "20000000-0000-4000-8000-000000000003", "title": "Payment errors", "folder": "Regression/Checkout",
         "outcome": "Error", "duration": 5, "message": "Element 'Pay now' was not found", "block": "Click Pay now"},
        {"id": "20000000-0000-4000-8000-000000000004", "title": "Search inconclusive", "folder": "Regression",
         "outcome": "Inconclusive", "duration": 4},
        {"id": "20000000-0000-4000-8000-000000000005", "title": "Report done", "folder": "Smoke",
         "outcome": "Done", "duration": 3},
        {"id": "20000000-0000-4000-8000-000000000006", "title": "Nightly soak", "folder": "Regression",
         "outcome": "Passed", "duration": 600},
        {"id": "20000000-0000-4000-8000-000000000007", "title": "Slow export times out", "folder": "Regression",
         "outcome": "Timeout", "duration": 10},
        {"id": "20000000-0000-4000-8000-000000000008", "title": "Quarantined check", "folder": "Regression",
         "outcome": "Quarantined", "duration": 4},
        {"id": "20000000-0000-4000-8000-000000000009", "title": "Empty flow", "folder": "Smoke",
         "outcome": None, "duration": 2},
        # Same title as 20000000-...-0002, one folder deeper: a title that names two flows.
        {"id": "20000000-0000-4000-8000-000000000010", "title": "Checkout fails", "folder": "Regression/Checkout/EU",
         "outcome": "Failed", "duration": 8, "message": "Expected VAT '20%' but found '19%'", "block": "Check VAT"},
    ],
    "agents": [
        {"id": "30000000-0000-4000-8000-000000000001", "title": "Local agent", "host": "localhost",
         "connection_type": "Local"},
        {"id": "30000000-0000-4000-8000-000000000002", "title": "Windows agent 1", "host": "win-agent-01",
         "connection_type": "RemoteAgent"},
        {"id": "30000000-0000-4000-8000-000000000003", "title": "Windows agent 2", "host": "win-agent-02",
         "connection_type": "RemoteAgent"},
        {"id": "30000000-0000-4000-8000-000000000004", "title": "Offline agent", "host": "win-agent-03",
         "connection_type": "RemoteAgent", "available": False},
        {"id": "30000000-0000-4000-8000-000000000005", "title": "Unlicensed agent", "host": "win-agent-04",
         "connection_type": "RemoteAgent", "blocked_by_license": True},
    ],
    "schedules": [
        {"id": "40000000-0000-4000-8000-000000000001", "title": "Smoke suite",
         "flows": ["20000000-0000-4000-8000-000000000001", "20000000-0000-4000-8000-000000000005"],
         "agent": "30000000-0000-4000-8000-000000000001", "variables": {"Env": "test", "Build": ""}},
        {"id": "40000000-0000-4000-8000-000000000002", "title": "Regression suite",
         "flows": ["20000000-0000-4000-8000-000000000002", "20000000-0000-4000-8000-000000000003",
                   "20000000-0000-4000-8000-000000000004"],
         "agent": "30000000-0000-4000-8000-000000000002", "variables": {"Browser": "Edge"}},
    ],
}


CATALOGUE_KEYS = ("folders", "flows", "agents", "schedules")


class ConfigError(ValueError):
    """The configuration file is not usable."""


def load_config(source):
    """Return a config dict from ``None`` (built-in default), a dict, or a JSON file path."""
    if source is None:
        return copy.deepcopy(DEFAULT_CONFIG)
    if isinstance(source, dict):
        return copy.deepcopy(source)
    with open(source, encoding="utf-8") as handle:
        try:
            config = json.load(handle)
        except ValueError as exc:
            raise ConfigError("%s: not valid JSON: %s" % (source, exc)) from exc
    if not isinstance(config, dict):
        raise ConfigError("%s: the top level must be an object" % source)
    return config


def _id(value, what):
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise ConfigError("%s: %r is not a GUID" % (what, value)) from exc


class Catalogue:
    """Folders, flows, agents and schedules, indexed by lower-case GUID."""

    def __init__(self, config):
        if not any(key in config for key in CATALOGUE_KEYS):
            config = DEFAULT_CONFIG
        self.folders = {}
        self.folder_by_path = {}
        self.flows = {}
        self.agents = {}
        self.schedules = {}
        for folder in config.get("folders", []):
            self._folder(folder["path"], folder.get("id"))
        for flow in config.get("flows", []):
            self._flow(flow)
        for agent in config.get("agents", []):
            self._agent(agent)
        for schedule in config.get("schedules", []):
            self._schedule(schedule)

    def _folder(self, path, folder_id=None):
        path = "/".join(part for part in str(path).split("/") if part)
        if not path:
            return None
        if path in self.folder_by_path:
            return self.folder_by_path[path]
        parent_path, _sep, title = path.rpartition("/")
        parent = self._folder(parent_path) if parent_path else None
        if folder_id is None:
            folder_id = str(uuid.uuid5(FOLDER_NAMESPACE, path))
        folder_id = _id(folder_id, "folder " + path)
        self.folders[folder_id] = {"id": folder_id, "title": title, "path": path, "parent": parent}
        self.folder_by_path[path] = folder_id
        return folder_id

    def _flow(self, spec):
        flow_id = _id(spec.get("id"), "flow %s" % spec.get("title"))
        outcome = spec.get("outcome", "Passed")
        duration = float(spec.get("duration", 5))
        if duration < 0:
            raise ConfigError("flow %s: duration must not be negative" % flow_id)
        keyframes = spec.get("keyframes", [])
        if not isinstance(keyframes, list):
            raise ConfigError("flow %s: keyframes must be a list" % flow_id)
        attempts = spec.get("outcomes", [])
        if not isinstance(attempts, list) or not all(isinstance(value, str) for value in attempts):
            raise ConfigError("flow %s: outcomes must be a list of statuses (one per attempt)" % flow_id)
        on_agents = spec.get("agent_outcomes", {})
        if not isinstance(on_agents, dict) or not all(isinstance(value, str) for value in on_agents.values()):
            raise ConfigError("flow %s: agent_outcomes must map agent ids to statuses" % flow_id)
        self.flows[flow_id] = {
            "id": flow_id,
            "title": str(spec.get("title", flow_id)),
            "folder": self._folder(spec.get("folder", "")),
            "outcome": None if outcome is None else str(outcome),
            # The outcome of the flow's first, second, ... run (the last one repeats); "outcome" when empty.
            "outcomes": list(attempts),
            # The outcome on these agents, whatever the attempt: a flow that fails on one agent only.
            "agent_outcomes": dict((_id(agent, "flow %s agent_outcomes" % flow_id), value) for agent, value in on_agents.items()),
            "no_items": bool(spec.get("no_items", False)) or outcome is None,
            "duration": duration,
            "message": spec.get("message"),
            "block": spec.get("block"),
            "keyframes": keyframes,
            "type": spec.get("type", "Flow"),
            "status": spec.get("status", "Publish"),
        }

    def _agent(self, spec):
        agent_id = _id(spec.get("id"), "agent %s" % spec.get("title"))
        self.agents[agent_id] = {
            "id": agent_id,
            "title": str(spec.get("title", agent_id)),
            "host": spec.get("host", "localhost"),
            "port": int(spec.get("port", 6777)),
            "connection_type": spec.get("connection_type", "Local"),
            "type": spec.get("type", "Desktop"),
            "environment": spec.get("environment", spec.get("title", agent_id)),
            "available": bool(spec.get("available", True)),
            "blocked_by_license": bool(spec.get("blocked_by_license", False)),
        }

    def _schedule(self, spec):
        schedule_id = _id(spec.get("id"), "schedule %s" % spec.get("title"))
        flows = [_id(flow, "schedule %s flow" % schedule_id) for flow in spec.get("flows", [])]
        for flow in flows:
            if flow not in self.flows:
                raise ConfigError("schedule %s names an unknown flow %s" % (schedule_id, flow))
        agent = _id(spec.get("agent"), "schedule %s agent" % schedule_id)
        if agent not in self.agents:
            raise ConfigError("schedule %s names an unknown agent %s" % (schedule_id, agent))
        variables = spec.get("variables", {})
        if not isinstance(variables, dict):
            raise ConfigError("schedule %s: variables must be an object of names and default values" % schedule_id)
        self.schedules[schedule_id] = {
            "id": schedule_id,
            "title": str(spec.get("title", schedule_id)),
            "flows": flows,
            "agent": agent,
            "enabled": bool(spec.get("enabled", True)),
            # The variables the schedule defines, with their default values: runNow applies only these.
            "variables": {str(name): "" if value is None else str(value) for name, value in variables.items()},
        }

    def outcome_of(self, flow, agent_id, attempt):
        """The status a run of ``flow`` ends with on ``agent_id``, for its ``attempt``-th run (0 first)."""
        if agent_id in flow["agent_outcomes"]:
            return flow["agent_outcomes"][agent_id]
        if flow["outcomes"]:
            return flow["outcomes"][min(attempt, len(flow["outcomes"]) - 1)]
        return flow["outcome"]

    def flow_path(self, flow):
        """Folder path plus title, e.g. ``Regression/Checkout/Checkout fails``."""
        folder = self.folders.get(flow["folder"])
        return (folder["path"] + "/" if folder else "") + flow["title"]

    def as_dict(self):
        """The catalogue as plain JSON data (for introspection)."""
        flows = []
        for flow in self.flows.values():
            item = dict(flow)
            item["folder"] = self.folders[flow["folder"]]["path"] if flow["folder"] else ""
            item["folder_id"] = flow["folder"]
            item["path"] = self.flow_path(flow)
            flows.append(item)
        return {
            "folders": [dict(folder) for folder in self.folders.values()],
            "flows": flows,
            "agents": [dict(agent) for agent in self.agents.values()],
            "schedules": [dict(schedule) for schedule in self.schedules.values()],
        }

    def hierarchy_node(self, item_id):
        """A hierarchy node (folder or flow) with its children, or None."""
        if item_id in self.folders:
            folder = self.folders[item_id]
            children = [self.hierarchy_node(child) for child in self._children(item_id)]
            return {"Id": item_id, "Title": folder["title"], "Type": "Folder", "ParentId": folder["parent"],
                    "Path": folder["path"], "Children": children}
        if item_id in self.flows:
            flow = self.flows[item_id]
            return {"Id": item_id, "Title": flow["title"], "Type": flow["type"], "ParentId": flow["folder"],
                    "Path": self.flow_path(flow), "Children": []}
        return None

    def _children(self, parent):
        folders = [key for key, folder in self.folders.items() if folder["parent"] == parent]
        flows = [key for key, flow in self.flows.items() if flow["folder"] == parent]
        return folders + flows

    def hierarchy_roots(self):
        """Top-level nodes with their trees."""
        return [self.hierarchy_node(child) for child in self._children(None)]
