"""Fault injection: rules that make matching API requests fail, hang, drop, restart the controller,
or get an answer that is not the API's (a proxy's page, JSON of the wrong shape)."""

import json
import re
import threading
from urllib.parse import parse_qsl

ACTIONS = ("status", "delay", "drop", "restart", "answer")
METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "*")
DEFAULT_BODIES = {
    410: "Schedule is already running",
    446: "Not enough disk space",
    448: "Cache timeout, will run again later",
    455: "Database is not responding",
    500: "An error has occurred.",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class FaultError(ValueError):
    """A fault specification is not valid."""


def _headers(spec):
    """Extra answer headers of a ``status`` or ``answer`` fault (``Retry-After``...), checked to be one line each."""
    if not isinstance(spec, dict):
        raise FaultError("headers must be an object")
    headers = {}
    for name, value in spec.items():
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise FaultError("header %r must have a text or number value" % name)
        name, value = str(name), str(value)
        if not name or ":" in name or any(char in name + value for char in "\r\n"):
            raise FaultError("header %r must be one line, with a name without ':'" % name)
        headers[name] = value
    return headers


class Fault:
    """One fault rule with its counters."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise FaultError("a fault must be an object")
        self.method = str(spec.get("method", "*")).upper()
        if self.method not in METHODS:
            raise FaultError("unknown method %r" % self.method)
        self.path = str(spec.get("path", ""))
        try:
            self.pattern = re.compile(self.path, re.IGNORECASE)
        except re.error as exc:
            raise FaultError("path %r is not a regular expression: %s" % (self.path, exc)) from exc
        self.action = spec.get("action")
        if self.action not in ACTIONS:
            raise FaultError("action must be one of %s" % ", ".join(ACTIONS))
        try:
            self.times = int(spec.get("times", 1))
            self.skip = int(spec.get("skip", 0))
            self.status = int(spec.get("status", 200 if self.action == "answer" else 500))
            self.seconds = float(spec.get("seconds", 1.0))
        except (TypeError, ValueError) as exc:
            raise FaultError("times, skip, status and seconds must be numbers") from exc
        if self.times < -1 or self.skip < 0 or self.seconds < 0:
            raise FaultError("times must be -1 or more, skip and seconds not negative")
        if not 100 <= self.status <= 599:
            raise FaultError("status must be an HTTP status code")
        if self.action == "answer":
            self.body = str(spec.get("body", ""))
        else:
            self.body = str(spec.get("body", DEFAULT_BODIES.get(self.status, "Error %d" % self.status)))
        self.content_type = str(spec.get("content_type", "text/html; charset=utf-8"))
        if not self.content_type or any(char in self.content_type for char in "\r\n"):
            raise FaultError("content_type must be one line of text")
        self.headers = _headers(spec.get("headers") or {})
        # A body that quotes the request, as IIS, proxies and some controllers' error pages do.
        self.echo = bool(spec.get("echo", False))
        self.after = bool(spec.get("after", False))
        self.seen = 0
        self.applied = 0

    def body_for(self, raw_query):
        """The answer's body; with ``echo``, its placeholders filled from the request's query string.

        ``{query}`` as received (``%20`` for a space), ``{query_plus}`` with ``+`` for a space,
        ``{query_decoded}`` decoded, ``{query_json}`` the decoded variables as a JSON object (ASCII,
        so every other character is ``\\uXXXX``-escaped).
        """
        if not self.echo:
            return self.body
        pairs = parse_qsl(raw_query, keep_blank_values=True)
        forms = {
            "{query}": raw_query,
            "{query_plus}": raw_query.replace("%20", "+"),
            "{query_decoded}": "&".join("%s=%s" % pair for pair in pairs),
            "{query_json}": json.dumps(dict(pairs)),
        }
        body = self.body
        for placeholder, text in forms.items():
            body = body.replace(placeholder, text)
        return body

    def matches(self, method, path):
        """Whether a request is one this fault looks at."""
        return self.method in ("*", method.upper()) and self.pattern.search(path) is not None

    @property
    def exhausted(self):
        """Whether the fault has affected ``times`` requests already."""
        return self.times != -1 and self.applied >= self.times

    def as_dict(self):
        """JSON form, with counters."""
        result = {"method": self.method, "path": self.path, "action": self.action, "times": self.times,
                  "skip": self.skip, "seen": self.seen, "applied": self.applied, "exhausted": self.exhausted}
        if self.action == "status":
            result.update(status=self.status, body=self.body, headers=self.headers, echo=self.echo)
        if self.action == "answer":
            result.update(status=self.status, body=self.body, content_type=self.content_type, headers=self.headers,
                          echo=self.echo)
        if self.action == "delay":
            result["seconds"] = self.seconds
        if self.action in ("delay", "drop", "answer"):
            result["after"] = self.after
        return result


class Faults:
    """The active fault rules, checked in the order they were added."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, specs):
        """Add one fault or a list of faults (all validated first); returns their JSON forms."""
        if isinstance(specs, dict):
            specs = [specs]
        if not isinstance(specs, list):
            raise FaultError("expected a fault object or a list of them")
        faults = [Fault(spec) for spec in specs]
        with self._lock:
            self._faults.extend(faults)
        return [fault.as_dict() for fault in faults]

    def clear(self):
        """Remove every fault."""
        with self._lock:
            self._faults = []

    def list(self):
        """JSON forms of every fault."""
        with self._lock:
            return [fault.as_dict() for fault in self._faults]

    def pick(self, method, path):
        """The fault to apply to this request, or None; counts the request."""
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or not fault.matches(method, path):
                    continue
                fault.seen += 1
                if fault.seen <= fault.skip:
                    continue
                fault.applied += 1
                return fault
            return None
