"""Fixtures for the emulator tests: an in-process emulator and a tiny HTTP client."""

import http.client
import json
import os
import sys
import time
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from leapwork_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position

KEY = "test-access-key"
AGENT_LOCAL = "30000000-0000-4000-8000-000000000001"
AGENT_WIN1 = "30000000-0000-4000-8000-000000000002"
AGENT_WIN2 = "30000000-0000-4000-8000-000000000003"
FLOW_PASSED = "20000000-0000-4000-8000-000000000001"
FLOW_FAILED = "20000000-0000-4000-8000-000000000002"
FLOW_ERROR = "20000000-0000-4000-8000-000000000003"
FLOW_INCONCLUSIVE = "20000000-0000-4000-8000-000000000004"
FLOW_DONE = "20000000-0000-4000-8000-000000000005"
FLOW_LONG = "20000000-0000-4000-8000-000000000006"
FLOW_TIMEOUT = "20000000-0000-4000-8000-000000000007"
FLOW_UNKNOWN = "20000000-0000-4000-8000-000000000008"
FLOW_EMPTY = "20000000-0000-4000-8000-000000000009"
SCHEDULE_SMOKE = "40000000-0000-4000-8000-000000000001"
SCHEDULE_REGRESSION = "40000000-0000-4000-8000-000000000002"
FOLDER_SMOKE = "10000000-0000-4000-8000-000000000001"
FOLDER_CHECKOUT = "10000000-0000-4000-8000-000000000003"
MISSING = "99999999-0000-4000-8000-000000000000"


class Response:
    """Status, headers and body of one answer."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        """Body as text."""
        return self.body.decode("utf-8")

    def json(self):
        """Body as JSON."""
        return json.loads(self.text)


class Client:
    """A minimal HTTP client over http.client (one connection per request unless keep-alive is asked)."""

    def __init__(self, base_url, key=KEY, timeout=10, context=None):
        self.base_url = base_url
        self.key = key
        self.timeout = timeout
        self.context = context

    def connection(self):
        """A new connection to the emulator."""
        parts = urlsplit(self.base_url)
        if parts.scheme == "https":
            return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=self.timeout, context=self.context)
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)

    def request(self, method, path, key="default", body=None, headers=None, connection=None):
        """Send one request; ``path`` is below /api/v4 unless it starts with /_emulator or /api."""
        if not path.lower().startswith(("/_emulator", "/api", "/other")):
            path = "/api/v4" + path
        all_headers = dict(headers or {})
        key = self.key if key == "default" else key
        if key is not None:
            all_headers["AccessKey"] = key
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        elif method in ("PUT", "POST"):
            payload = b""
        own = connection is None
        conn = self.connection() if own else connection
        try:
            conn.request(method, path, body=payload, headers=all_headers)
            answer = conn.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            if own:
                conn.close()

    def get(self, path, **kwargs):
        """GET."""
        return self.request("GET", path, **kwargs)

    def put(self, path, **kwargs):
        """PUT."""
        return self.request("PUT", path, **kwargs)

    def ok(self, method, path, **kwargs):
        """Send and expect 200; return the JSON."""
        answer = self.request(method, path, **kwargs)
        assert answer.status == 200, (answer.status, answer.text)
        return answer.json()

    def trigger(self, flow=FLOW_PASSED, agent=AGENT_LOCAL, query=""):
        """Run flow by id; return the run id."""
        return self.ok("PUT", "/flows/%s/agent/%s%s" % (flow, agent, query))["RunId"]

    def status(self, run_id):
        """Run status."""
        return self.ok("GET", "/run/%s/status" % run_id)["Status"]

    def wait_finished(self, run_id, deadline=10.0):
        """Poll until the run is Finished."""
        return wait_for(lambda: self.status(run_id) == "Finished", deadline)


def wait_for(condition, deadline=10.0, interval=0.02):
    """Poll ``condition`` until it is true; fail after ``deadline`` real seconds."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met within %.1f s" % deadline)


@pytest.fixture(name="emulator")
def emulator_fixture():
    """A fresh in-process emulator (built-in catalogue, speed 50) on a free port."""
    with Emulator(access_key=KEY, speed=50) as emu:
        yield emu


@pytest.fixture(name="client")
def client_fixture(emulator):
    """A client for the ``emulator`` fixture."""
    return Client(emulator.url)
