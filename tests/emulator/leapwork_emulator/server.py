"""The HTTP server: Leapwork API routes under /api/v4, introspection under /_emulator/."""

import json
import re
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from .catalogue import Catalogue, load_config
from .clock import Clock
from .dotnet import with_ids
from .faults import Fault, Faults, FaultError
from .model import AlreadyRunning, Model, NotFound, ScheduleDisabled

API_PREFIX = "/api/v4"
# Leapwork's GitHub Action still reads run items through the v3 API; the answer is the same.
V3_PREFIX = "/api/v3"
V3_ROUTES = ("run_item_ids",)
INTROSPECTION_PREFIX = "/_emulator"
#: The forms of ``BlockedByLicense`` the emulator can answer (``license_form``).
LICENSE_FORMS = ("string", "bool")
FULL_SCOPES = ("run", "read")
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .\-]{0,127}$")
GRACE_ROUTES = ("run_status", "schedule_status", "run", "run_item_ids")
DEFAULT_ACCESS_KEY = "emulator-access-key"

# (method, pattern, handler name, scope); the first pattern that matches the path wins.
ROUTES = [
    ("PUT", r"/flows/(?P<flow>[^/]+)/agent/(?P<agent>[^/]+)", "trigger_flow", "run"),
    ("PUT", r"/schedules/(?P<id>[^/]+)/runnow", "run_now", "run"),
    ("GET", r"/schedules", "schedules", "read"),
    ("GET", r"/schedules/(?P<id>[^/]+)/status", "schedule_status", "read"),
    ("PUT", r"/schedules/(?P<id>[^/]+)/stop", "stop_schedule", "run"),
    ("GET", r"/schedules/(?P<id>[^/]+)/runids/(?P<filter>[^/]+)", "run_ids", "read"),
    ("GET", r"/run/(?P<id>[^/]+)", "run", "read"),
    ("GET", r"/run/(?P<id>[^/]+)/status", "run_status", "read"),
    ("GET", r"/run/(?P<id>[^/]+)/runitemids", "run_item_ids", "read"),
    ("PUT", r"/run/(?P<id>[^/]+)/stop", "stop_run", "run"),
    ("GET", r"/runitems/(?P<id>[^/]+)", "run_item", "read"),
    ("GET", r"/runitems/(?P<id>[^/]+)/keyframes(?:/(?P<offset>[0-9]+))?", "keyframes", "read"),
    ("GET", r"/agents", "agents", "read"),
    ("GET", r"/agents/agentsstatuses", "agents_statuses", "read"),
    ("GET", r"/agents/(?P<id>[^/]+)", "agent", "read"),
    ("GET", r"/agent/(?P<id>[^/]+)", "agent", "read"),
    ("GET", r"/hierarchy", "hierarchy", "read"),
    ("GET", r"/hierarchy/(?P<id>[^/]+)", "hierarchy", "read"),
    ("GET", r"/flowinfo/(?P<id>[^/]+)", "flow_info", "read"),
]
COMPILED_ROUTES = [(method, re.compile(pattern, re.IGNORECASE), name, scope) for method, pattern, name, scope in ROUTES]


class ApiError(Exception):
    """An error answer: status and plain-text body."""

    def __init__(self, status, body, headers=None):
        super().__init__(body)
        self.status = status
        self.body = body
        self.headers = headers


def asset_not_found():
    """The controller's 404 for an unknown id."""
    return ApiError(404, "Asset not found")


class EmulatorState:
    """Everything the server needs: clock, catalogue, model, faults, access keys, request log."""

    def __init__(self, config=None, access_key=None, speed=None, grace_polls=None, finish_lag=None):
        config = load_config(config)
        if speed is None:
            speed = config.get("speed", 1.0)
        self.clock = Clock(float(speed))
        self.catalogue = Catalogue(config)
        self.model = Model(self.catalogue, self.clock)
        self.model.grace_polls = int(config.get("grace_polls", 0) if grace_polls is None else grace_polls)
        # How agentsStatuses writes BlockedByLicense: "string" as the docs show it (Available /
        # Disabled), or "bool" (true / false) as some controllers answer.
        self.configured_license_form = _license_form(config.get("license_form", "string"))
        self.license_form = self.configured_license_form
        self.configure({"finish_lag": config.get("finish_lag", 0.0) if finish_lag is None else finish_lag})
        self.access_keys = {}
        for key, scopes in config.get("access_keys", {}).items():
            self.access_keys[key] = tuple(str(scope).lower() for scope in scopes)
        if access_key:
            self.access_keys[access_key] = FULL_SCOPES
        self.faults = Faults()
        self.faults.add(config.get("faults", []))
        self._log_lock = threading.Lock()
        self._requests = []
        self.stopping = threading.Event()

    def record(self, entry):
        """Add one request to the log."""
        with self._log_lock:
            self._requests.append(entry)

    def requests(self):
        """A copy of the request log."""
        with self._log_lock:
            return [dict(entry) for entry in self._requests]

    def clear_requests(self):
        """Empty the request log."""
        with self._log_lock:
            self._requests = []

    def reset(self):
        """Forget runs, requests and faults, and answer BlockedByLicense as configured again; keep the catalogue."""
        self.model.restart()
        self.clear_requests()
        self.faults.clear()
        self.license_form = self.configured_license_form

    def occupy(self, payload):
        """POST /_emulator/occupy ``{"agent_id", "seconds"}``: a run from outside keeps the agent busy; ``{"run_id"}``."""
        if not isinstance(payload, dict) or set(payload) != {"agent_id", "seconds"}:
            raise ValueError("occupy takes {\"agent_id\": \"<guid>\", \"seconds\": <emulated seconds>}")
        try:
            return {"run_id": self.model.occupy(payload["agent_id"], payload["seconds"])}
        except NotFound:
            raise ValueError("no agent %s in the catalogue" % payload["agent_id"]) from None

    def settings(self):
        """Runtime settings."""
        return {"speed": self.clock.speed, "grace_polls": self.model.grace_polls, "finish_lag": self.model.finish_lag,
                "license_form": self.license_form}

    def configure(self, changes):
        """Change ``speed``, ``grace_polls``, ``finish_lag`` and/or ``license_form`` at runtime (all checked first)."""
        checked = self._checked_settings(changes)
        if "license_form" in checked:
            self.license_form = checked["license_form"]
        if "speed" in checked:
            self.clock.speed = checked["speed"]
        if "grace_polls" in checked:
            self.model.grace_polls = checked["grace_polls"]
        if "finish_lag" in checked:
            self.model.finish_lag = checked["finish_lag"]
        return self.settings()

    @staticmethod
    def _checked_settings(changes):
        if not isinstance(changes, dict) or set(changes) - {"speed", "grace_polls", "finish_lag", "license_form"}:
            raise ValueError("only 'speed', 'grace_polls', 'finish_lag' and 'license_form' can be changed")
        checked = {}
        if "license_form" in changes:
            checked["license_form"] = _license_form(changes["license_form"])
        if "speed" in changes:
            checked["speed"] = float(changes["speed"])
            if not 0 < checked["speed"] < float("inf"):
                raise ValueError("speed must be positive")
        if "grace_polls" in changes:
            checked["grace_polls"] = int(changes["grace_polls"])
            if checked["grace_polls"] < 0:
                raise ValueError("grace_polls must not be negative")
        if "finish_lag" in changes:
            checked["finish_lag"] = float(changes["finish_lag"])
            if not 0 <= checked["finish_lag"] < float("inf"):
                raise ValueError("finish_lag must be 0 or more seconds")
        return checked

    def scenario(self, payload):
        """POST /_emulator/scenario ``{"config": {...}, "faults": [...]}``: one test case's fresh start
        in one request (a reset, then the settings and the faults); nothing changes unless all of
        it is valid. Each request a test makes costs a module run in a playbook."""
        if not isinstance(payload, dict) or set(payload) - {"config", "faults"}:
            raise ValueError('scenario takes {"config": {...}, "faults": [...]}, both optional')
        changes = payload.get("config") or {}
        specs = payload.get("faults") or []
        self._checked_settings(changes)
        for spec in specs if isinstance(specs, list) else [specs]:
            Fault(spec)
        self.reset()
        return {"reset": True, "config": self.configure(changes), "faults": self.faults.add(specs)}

    def observed(self):
        """GET /_emulator/observed: the runs and the request log in one answer."""
        return {"runs": self.model.describe_runs(), "requests": self.requests()}


def _license_form(value):
    if value not in LICENSE_FORMS:
        raise ValueError("license_form must be one of %s" % ", ".join(LICENSE_FORMS))
    return value


def license_value(blocked, form):
    """``BlockedByLicense`` in ``form``: ``"Disabled"``/``"Available"`` (the documented strings) or a boolean."""
    if form == "bool":
        return bool(blocked)
    return "Disabled" if blocked else "Available"


def parse_variables(pairs):
    """Split query pairs into (variables, is_delete); raise ApiError 400 on bad or duplicate names."""
    variables = []
    seen = set()
    is_delete = False
    for name, value in pairs:
        if name.lower() == "isdelete":
            if value.lower() not in ("true", "false"):
                raise ApiError(400, "The value '%s' is not valid for isDelete." % value)
            is_delete = value.lower() == "true"
            continue
        if not VARIABLE_NAME.match(name):
            raise ApiError(400, "Invalid variable name '%s'" % name)
        if name.lower() in seen:
            raise ApiError(400, "Duplicate variable name '%s'" % name)
        seen.add(name.lower())
        variables.append((name, value))
    return variables, is_delete


class Api:
    """Handlers of the Leapwork routes; each returns a JSON-able document or raises ApiError."""

    def __init__(self, state):
        self.state = state
        self.model = state.model
        self.catalogue = state.catalogue

    def _grace(self, run_id):
        if self.model.in_grace(run_id):
            raise ApiError(404, "No such run")

    def trigger_flow(self, params, query):
        """PUT /flows/{flowId}/agent/{agentId}."""
        variables, is_delete = parse_variables(query)
        return {"RunId": self.model.trigger_flow(params["flow"], params["agent"], variables, is_delete)}

    def run_now(self, params, query):
        """PUT /schedules/{id}/runNow."""
        variables, _is_delete = parse_variables(query)
        try:
            return {"RunId": self.model.run_now(params["id"], variables)}
        except AlreadyRunning as exc:
            # Seen: the Azure DevOps plugin handles 410 on runNow as "already running".
            raise ApiError(410, "Schedule is already running") from exc
        except ScheduleDisabled as exc:
            # Not documented; assumed (see README): refused like a bad request, no run started.
            raise ApiError(400, "Schedule '%s' is disabled" % exc) from exc

    def schedules(self, _params, _query):
        """GET /schedules."""
        return self.model.schedules()

    def schedule_status(self, params, _query):
        """GET /schedules/{id}/status: a run id or a schedule id."""
        if self.model.is_run(params["id"]):
            self._grace(params["id"])
            return {"Status": self.model.run_status(params["id"])}
        return {"Status": self.model.schedule_status(params["id"])}

    def run_status(self, params, _query):
        """GET /run/{id}/status."""
        self._grace(params["id"])
        return {"Status": self.model.run_status(params["id"])}

    def run(self, params, _query):
        """GET /run/{id}."""
        self._grace(params["id"])
        return self.model.run(params["id"])

    def run_item_ids(self, params, _query):
        """GET /run/{id}/runItemIds."""
        self._grace(params["id"])
        return {"RunItemIds": self.model.run_item_ids(params["id"])}

    def run_item(self, params, _query):
        """GET /runItems/{id}."""
        return self.model.run_item(params["id"])

    def keyframes(self, params, _query):
        """GET /runItems/{id}/keyframes[/{offset}]."""
        return self.model.keyframes(params["id"], int(params.get("offset") or 0))

    def stop_run(self, params, _query):
        """PUT /run/{id}/stop."""
        return {"OperationCompleted": self.model.stop_run(params["id"])}

    def stop_schedule(self, params, _query):
        """PUT /schedules/{id}/stop."""
        return {"OperationCompleted": self.model.stop_schedule(params["id"])}

    def run_ids(self, params, query):
        """GET /schedules/{id}/runIds/{filter}?count=N."""
        count = None
        for name, value in query:
            if name.lower() == "count":
                try:
                    count = int(value)
                except ValueError as exc:
                    raise ApiError(400, "The value '%s' is not valid for count." % value) from exc
        return {"runIds": self.model.run_ids(params["id"], count)}

    def _agent(self, agent):
        used = [{"Id": spec["id"], "Title": spec["title"]} for spec in self.catalogue.schedules.values()
                if spec["agent"] == agent["id"]]
        return {"Id": agent["id"], "Title": agent["title"], "HostName": agent["host"], "Port": agent["port"],
                "ConnectionType": agent["connection_type"], "Type": agent["type"],
                "EnvironmentTitle": agent["environment"], "UsedBySchedules": used}

    def agents(self, _params, _query):
        """GET /agents."""
        return [self._agent(agent) for agent in self.catalogue.agents.values()]

    def agent(self, params, _query):
        """GET /agents/{id} and GET /agent/{id}."""
        agent = self.catalogue.agents.get(params["id"].lower())
        if agent is None:
            raise asset_not_found()
        return self._agent(agent)

    def agents_statuses(self, _params, _query):
        """GET /agents/agentsStatuses."""
        return [{"AgentId": agent["id"], "Title": agent["title"],
                 "ConnectionStatus": "Available" if agent["available"] else "Unavailable",
                 "BlockedByLicense": license_value(agent["blocked_by_license"], self.state.license_form),
                 "IsBusy": self.model.agent_busy(agent["id"])}
                for agent in self.catalogue.agents.values()]

    def hierarchy(self, params, _query):
        """GET /hierarchy[/{itemId}]."""
        if params.get("id") is None:
            return self.catalogue.hierarchy_roots()
        node = self.catalogue.hierarchy_node(params["id"].lower())
        if node is None:
            raise asset_not_found()
        return node

    def flow_info(self, params, _query):
        """GET /flowinfo/{itemId}."""
        item_id = params["id"].lower()
        flow = self.catalogue.flows.get(item_id)
        if flow is not None:
            return {"Id": flow["id"], "Title": flow["title"], "Type": flow["type"], "Status": flow["status"],
                    "IsDeleted": False, "ParentId": flow["folder"], "Path": self.catalogue.flow_path(flow)}
        folder = self.catalogue.folders.get(item_id)
        if folder is not None:
            return {"Id": folder["id"], "Title": folder["title"], "Type": "Folder", "Status": "Publish",
                    "IsDeleted": False, "ParentId": folder["parent"], "Path": folder["path"]}
        raise asset_not_found()


def match_route(method, path):
    """(handler name, params, scope) for a path; ApiError 404 / 405 otherwise."""
    allowed = []
    for route_method, pattern, name, scope in COMPILED_ROUTES:
        found = pattern.fullmatch(path)
        if found is None:
            continue
        if route_method == method:
            return name, {key: unquote(value) if value else value for key, value in found.groupdict().items()}, scope
        allowed.append(route_method)
    if allowed:
        raise ApiError(405, "The requested resource does not support http method '%s'." % method,
                       {"Allow": ", ".join(sorted(set(allowed)))})
    raise ApiError(404, "No HTTP resource was found that matches the request URI '%s%s'." % (API_PREFIX, path))


class Handler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive."""

    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    # TCP_NODELAY, as IIS (http.sys) and Kestrel send: the status line and headers go out in one
    # write and the body in another, and with Nagle's algorithm the body waits for the client's
    # delayed ACK of the headers (40 ms on Linux) on every keep-alive request.
    disable_nagle_algorithm = True
    sys_version = ""

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silence the default stderr log (the request log lives in the emulator)."""

    @property
    def state(self):
        """The emulator state."""
        return self.server.state

    def do_GET(self):  # pylint: disable=invalid-name
        """GET."""
        self._dispatch()

    do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = do_GET

    # ------------------------------------------------------------------ plumbing
    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status, payload, content_type, extra_headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    def _text(self, status, text, extra_headers=None):
        self._send(status, text.encode("utf-8"), "text/plain; charset=utf-8", extra_headers)

    def _json(self, status, document):
        payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._send(status, payload, "application/json; charset=utf-8")

    def _drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _dispatch(self):
        try:
            body = self._read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        lowered = path.lower()
        if lowered == INTROSPECTION_PREFIX or lowered.startswith(INTROSPECTION_PREFIX + "/"):
            self._introspection(path[len(INTROSPECTION_PREFIX):].lower(), url.query, body)
        elif lowered == API_PREFIX or lowered.startswith(API_PREFIX + "/"):
            self._api(path, path[len(API_PREFIX):], url.query)
        elif lowered.startswith(V3_PREFIX + "/"):
            self._api(path, path[len(V3_PREFIX):], url.query, V3_ROUTES)
        else:
            self._text(404, "Not found")

    # ------------------------------------------------------------------ the Leapwork API
    def _api(self, full_path, path, raw_query, only_routes=None):
        state = self.state
        query = parse_qsl(raw_query, keep_blank_values=True)
        entry = {
            "method": self.command,
            "path": full_path,
            "query": {name: ("***" if name.lower() == "accesskey" else value) for name, value in query},
            "raw_query": "&".join(part for part in raw_query.split("&") if not part.lower().startswith("accesskey=")),
            "status": None,
            "fault": None,
            "time": state.clock.now(),
        }
        entry["wall"] = state.clock.wall(entry["time"])
        fault = state.faults.pick(self.command, path or "/")
        after = None
        if fault is not None:
            entry["fault"] = fault.action
            if fault.action == "status":
                entry["status"] = fault.status
                state.record(entry)
                self._text(fault.status, fault.body_for(raw_query), fault.headers)
                return
            if fault.action == "answer" and not fault.after:
                entry["status"] = fault.status
                state.record(entry)
                self._send(fault.status, fault.body_for(raw_query).encode("utf-8"), fault.content_type, fault.headers)
                return
            if fault.action == "restart":
                state.model.restart()
            elif fault.after:
                after = fault
            elif fault.action == "drop":
                state.record(entry)
                self._drop()
                return
            else:
                state.stopping.wait(fault.seconds)
        status, document, text, headers = self._api_answer(path or "/", query, only_routes)
        entry["status"] = status
        if after is not None and after.action != "delay":
            entry["status"] = after.status if after.action == "answer" else None
        state.record(entry)
        if after is not None:
            if after.action == "drop":
                self._drop()
                return
            if after.action == "answer":
                self._send(after.status, after.body_for(raw_query).encode("utf-8"), after.content_type, after.headers)
                return
            state.stopping.wait(after.seconds)
        if document is not None:
            self._json(status, with_ids(document))
        else:
            self._text(status, text, headers)

    def _api_answer(self, path, query, only_routes=None):
        """(status, JSON document or None, text, headers); ``only_routes`` limits the handlers served."""
        state = self.state
        try:
            key = self.headers.get("AccessKey")
            if key is None or key not in state.access_keys:
                raise ApiError(401, "Incorrect AccessKey")
            name, params, scope = match_route(self.command, path)
            if only_routes is not None and name not in only_routes:
                raise ApiError(404, "No HTTP resource was found that matches the request URI '%s'." % self.path.split("?")[0])
            if scope not in state.access_keys[key]:
                raise ApiError(403, "AccessKey does not have the relevant scope permission")
            try:
                document = getattr(Api(state), name)(params, query)
            except NotFound as exc:
                raise asset_not_found() from exc
            return 200, document, None, None
        except ApiError as exc:
            return exc.status, None, exc.body, exc.headers

    # ------------------------------------------------------------------ introspection
    def _introspection(self, path, raw_query, body):
        state = self.state
        method = self.command
        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else None
        except ValueError:
            self._json(400, {"error": "the body is not valid JSON"})
            return
        routes = {
            ("GET", "/runs"): lambda: state.model.describe_runs(query.get("flow_id"), query.get("agent_id")),
            ("GET", "/requests"): state.requests,
            ("DELETE", "/requests"): lambda: state.clear_requests() or [],
            ("POST", "/reset"): lambda: state.reset() or {"reset": True},
            ("POST", "/scenario"): lambda: state.scenario(payload),
            ("GET", "/observed"): state.observed,
            ("GET", "/faults"): state.faults.list,
            ("POST", "/faults"): lambda: state.faults.add(payload),
            ("DELETE", "/faults"): lambda: state.faults.clear() or [],
            ("POST", "/restart"): lambda: state.model.restart() or {"restarted": True},
            ("POST", "/occupy"): lambda: state.occupy(payload),
            ("GET", "/catalogue"): state.catalogue.as_dict,
            ("GET", "/config"): state.settings,
            ("POST", "/config"): lambda: state.configure(payload),
            ("GET", ""): lambda: {"emulator": "leapwork", "api": API_PREFIX},
        }
        handler = routes.get((method, path))
        if handler is None:
            known = {route_path for _method, route_path in routes}
            self._json(405 if path in known else 404, {"error": "no such introspection call: %s %s" % (method, path)})
            return
        try:
            self._json(200, handler())
        except (FaultError, ValueError, TypeError) as exc:
            self._json(400, {"error": str(exc)})


class Server(ThreadingHTTPServer):
    """Threaded HTTP server carrying the emulator state."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, state, tls_cert=None, tls_key=None):
        super().__init__(address, Handler)
        self.state = state
        self.scheme = "http"
        if tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert, tls_key)
            self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
            self.scheme = "https"

    @property
    def url(self):
        """Base URL (without /api/v4)."""
        host, port = self.server_address[:2]
        return "%s://%s:%d" % (self.scheme, host, port)

    def handle_error(self, request, client_address):
        """Connection resets and TLS failures from clients are routine here."""

    def shutdown_all(self):
        """Stop serving, wake delayed requests and close the socket."""
        self.state.stopping.set()
        self.shutdown()
        self.server_close()


class Emulator:
    """In-process emulator: ``with Emulator(access_key="k", speed=50) as emu: emu.url``."""

    def __init__(self, config=None, access_key=DEFAULT_ACCESS_KEY, speed=50, tls_cert=None, tls_key=None,
                 host="127.0.0.1", port=0, grace_polls=None, finish_lag=None):
        self.access_key = access_key
        self.state = EmulatorState(config, access_key=access_key, speed=speed, grace_polls=grace_polls, finish_lag=finish_lag)
        self._address = (host, port)
        self._tls = (tls_cert, tls_key)
        self.server = None
        self._thread = None

    def start(self):
        """Start serving in a background thread."""
        self.server = Server(self._address, self.state, *self._tls)
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01},
                                        name="leapwork-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving."""
        if self.server is not None:
            self.server.shutdown_all()
            self._thread.join(5)
            self.server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        """Base URL without /api/v4, e.g. ``http://127.0.0.1:40123``."""
        return self.server.url

    @property
    def api_url(self):
        """Base URL with /api/v4."""
        return self.url + API_PREFIX

    @property
    def clock(self):
        """The emulated clock."""
        return self.state.clock

    @property
    def model(self):
        """The run model."""
        return self.state.model

    @property
    def catalogue(self):
        """The catalogue."""
        return self.state.catalogue

    def runs(self, flow_id=None, agent_id=None):
        """Introspection records of the runs."""
        return self.state.model.describe_runs(flow_id, agent_id)

    def requests(self):
        """The request log."""
        return self.state.requests()

    def clear_requests(self):
        """Empty the request log."""
        self.state.clear_requests()

    def add_fault(self, fault=None, **fields):
        """Add a fault (a dict, a list of dicts, or keyword fields)."""
        return self.state.faults.add(fault if fault is not None else fields)

    def faults(self):
        """The fault rules with their counters."""
        return self.state.faults.list()

    def clear_faults(self):
        """Remove every fault."""
        self.state.faults.clear()

    def reset(self):
        """Forget runs, requests and faults."""
        self.state.reset()

    def restart(self):
        """Forget every run."""
        self.state.model.restart()

    def occupy(self, agent_id, seconds):
        """A run from outside our tests on ``agent_id`` for ``seconds`` (emulated); its run id."""
        return self.state.occupy({"agent_id": agent_id, "seconds": seconds})["run_id"]

    def configure(self, **changes):
        """Change ``speed``, ``grace_polls`` and/or ``finish_lag``."""
        return self.state.configure(changes)
