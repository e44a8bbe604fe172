# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared fixtures for the module_utils unit tests: a fake transport, a fake clock and sleep,
deterministic jitter, real ``requests``/``urllib3`` network errors, and a client factory.

Everything is reached through fixtures (no ``from conftest import``):

``fake_transport``
    Stands in for ``requests.Session``. ``add(method, path, *outcomes, repeat_last=True)``
    queues outcomes for requests whose path after ``/api/v4`` equals ``path`` (case-insensitive;
    or matches it when ``path`` is a compiled regex). An outcome is a ``fake_transport.Response``,
    a ``dict``/``list`` (answered as JSON with 200), an exception instance (raised) or a callable
    ``outcome(call)`` returning one of those. The last outcome of a route repeats unless
    ``repeat_last=False``. Unmatched requests fail the test, unless ``fallback`` is set to an
    outcome. ``calls`` lists every ``Call`` (method, url, path, headers, params, timeout, verify,
    allow_redirects); ``calls_to(method, path)`` filters them; ``count`` is ``len(calls)``.
``fake_clock`` / ``fake_sleep``
    ``fake_clock()`` (also ``.monotonic()``/``.time()``) returns ``fake_clock.now``;
    ``fake_sleep(seconds)`` records ``seconds`` in ``fake_sleep.calls`` and advances the clock.
``fake_jitter``
    Callable returning ``1.0`` (so backoff delays are their ceilings); set ``fake_jitter.values``
    to a list to return those in turn (the last one repeats).
``network_errors``
    Builds the exceptions requests really raises: ``refused()``, ``dns()``, ``connect_timeout()``,
    ``read_timeout()``, ``dropped()``, ``reset()``, ``chunked()``, ``cert_failed()``, ``wrong_scheme()``,
    ``tls_eof()``, ``proxy_refused()``.
``controller_url``, ``access_key``, ``make_client(**overrides)``
    A ``LeapworkClient`` wired to the fakes above.
"""

import json
import re
import socket
import ssl
from http.client import RemoteDisconnected

import pytest
import requests
import urllib.parse

import urllib3
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
)

from ansible_collections.leapops.leapwork.plugins.module_utils._client import LeapworkClient

CONTROLLER_URL = "https://leapwork.example:9002"
# Distinctive, so that a leak is easy to spot in any text.
ACCESS_KEY = "s3cr3t-Acc3ss-K3y-7f1d"


class FakeResponse(object):
    """What the client reads from a ``requests.Response``."""

    def __init__(self, status_code=200, json_body=None, text=None, headers=None, reason=None):
        self.status_code = status_code
        if text is None:
            text = json.dumps(json_body) if json_body is not None else ""
        self.text = text
        self.headers = CaseInsensitiveDict(headers or {})
        self.reason = reason

    def json(self):
        return json.loads(self.text)

    def __repr__(self):
        return "FakeResponse(%d, %r)" % (self.status_code, self.text[:60])


class Call(object):
    """One request seen by the fake transport."""

    def __init__(self, method, url, headers, params, timeout, verify, allow_redirects, api_prefix):
        self.method = method
        self.url = url
        path = urllib3.util.parse_url(url).path or ""
        index = path.lower().find(api_prefix.lower())
        self.path = path[index + len(api_prefix):] if index >= 0 else path
        self.headers = CaseInsensitiveDict(headers or {})
        # The client encodes the query itself; decode what is on the wire.
        raw_query = urllib3.util.parse_url(url).query
        self.raw_query = raw_query or ""
        if params is not None:
            self.params = list(params)
        elif raw_query:
            self.params = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
        else:
            self.params = None
        self.timeout = timeout
        self.verify = verify
        self.allow_redirects = allow_redirects

    @property
    def query(self):
        return dict(self.params or [])

    def __repr__(self):
        return "Call(%s %s params=%r)" % (self.method, self.path, self.params)


class _Route(object):
    def __init__(self, method, path, outcomes, repeat_last):
        self.method = method.upper()
        self.path = path
        self.outcomes = list(outcomes)
        self.repeat_last = repeat_last
        self.used = 0

    def matches(self, call):
        if self.method != call.method.upper():
            return False
        if hasattr(self.path, "match"):
            return self.path.match(call.path) is not None
        return self.path.lower() == call.path.lower()

    def available(self):
        return self.used < len(self.outcomes) or (self.repeat_last and bool(self.outcomes))

    def next(self):
        outcome = self.outcomes[min(self.used, len(self.outcomes) - 1)]
        self.used += 1
        return outcome


class FakeTransport(object):
    """A ``requests.Session`` stand-in that answers from queued outcomes and records calls."""

    Response = FakeResponse

    def __init__(self, api_prefix="/api/v4"):
        self.api_prefix = api_prefix
        self.calls = []
        self.routes = []
        self.fallback = None
        self.closed = False

    def add(self, method, path, *outcomes, **options):
        if not outcomes:
            raise ValueError("add() needs at least one outcome")
        route = _Route(method, path, outcomes, options.pop("repeat_last", True))
        if options:
            raise TypeError("unknown options: %s" % ", ".join(options))
        self.routes.append(route)
        return route

    def request(self, method, url, headers=None, params=None, timeout=None, verify=None, allow_redirects=True, **kwargs):
        assert not kwargs, "unexpected request arguments: %r" % (kwargs,)
        call = Call(method, url, headers, params, timeout, verify, allow_redirects, self.api_prefix)
        self.calls.append(call)
        for route in self.routes:
            if route.matches(call) and route.available():
                return self._resolve(route.next(), call)
        if self.fallback is not None:
            return self._resolve(self.fallback, call)
        raise AssertionError("unexpected request %r; routes: %r" % (call, [(r.method, r.path) for r in self.routes]))

    def _resolve(self, outcome, call):
        if callable(outcome) and not isinstance(outcome, (FakeResponse, BaseException)):
            outcome = outcome(call)
        if isinstance(outcome, BaseException):
            raise outcome
        if isinstance(outcome, (dict, list)):
            return FakeResponse(200, outcome)
        return outcome

    def calls_to(self, method=None, path=None):
        return [call for call in self.calls
                if (method is None or call.method.upper() == method.upper())
                and (path is None or call.path.lower() == path.lower())]

    @property
    def count(self):
        return len(self.calls)

    def close(self):
        self.closed = True


class FakeClock(object):
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    monotonic = __call__
    time = __call__


class FakeSleep(object):
    def __init__(self, clock=None):
        self.clock = clock
        self.calls = []

    def __call__(self, seconds):
        assert seconds >= 0, "negative sleep %r" % seconds
        self.calls.append(seconds)
        if self.clock is not None:
            self.clock.now += seconds

    @property
    def total(self):
        return sum(self.calls)


class FakeJitter(object):
    def __init__(self, values=None):
        self.values = values
        self.used = 0

    def __call__(self):
        if not self.values:
            return 1.0
        value = self.values[min(self.used, len(self.values) - 1)]
        self.used += 1
        return value


class NetworkErrors(object):
    """Real requests/urllib3 exception objects, built the way requests raises them."""

    host = "leapwork.example"
    port = 9002
    # The variables in the query string must never reach an error message.
    url = "/api/v4/flows/f/agent/a?Password=hunter2"

    def _conn(self):
        return urllib3.connection.HTTPSConnection(self.host, self.port)

    def _pool(self):
        return urllib3.HTTPSConnectionPool(self.host, self.port)

    def _max_retry(self, reason):
        return MaxRetryError(self._pool(), self.url, reason)

    def refused(self):
        reason = NewConnectionError(self._conn(), "Failed to establish a new connection: [Errno 111] Connection refused")
        return requests.exceptions.ConnectionError(self._max_retry(reason))

    def dns(self):
        reason = NameResolutionError(self.host, self._conn(), socket.gaierror(-2, "Name or service not known"))
        return requests.exceptions.ConnectionError(self._max_retry(reason))

    def connect_timeout(self):
        reason = ConnectTimeoutError(self._conn(), "Connection to %s timed out. (connect timeout=30)" % self.host)
        return requests.exceptions.ConnectTimeout(self._max_retry(reason))

    def read_timeout(self):
        return requests.exceptions.ReadTimeout(ReadTimeoutError(self._pool(), self.url, "Read timed out. (read timeout=30)"))

    def dropped(self):
        return requests.exceptions.ConnectionError(
            ProtocolError("Connection aborted.", RemoteDisconnected("Remote end closed connection without response")))

    def reset(self):
        return requests.exceptions.ConnectionError(
            ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer")))

    def chunked(self):
        return requests.exceptions.ChunkedEncodingError(
            ProtocolError("Response ended prematurely"))

    def cert_failed(self):
        reason = urllib3.exceptions.SSLError(ssl.SSLCertVerificationError(
            1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1000)"))
        return requests.exceptions.SSLError(self._max_retry(reason))

    def tls_eof(self):
        reason = urllib3.exceptions.SSLError(ssl.SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:2427)"))
        return requests.exceptions.SSLError(self._max_retry(reason))

    def wrong_scheme(self):
        # https:// to a plain-HTTP port
        error = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1020)")
        error.reason = "WRONG_VERSION_NUMBER"
        return requests.exceptions.SSLError(self._max_retry(urllib3.exceptions.SSLError(error)))

    def proxy_refused(self):
        original = NewConnectionError(self._conn(), "Failed to establish a new connection: [Errno 111] Connection refused")
        reason = ProxyError("Unable to connect to proxy", original)
        return requests.exceptions.ProxyError(self._max_retry(reason))


@pytest.fixture
def fake_transport():
    return FakeTransport()


@pytest.fixture
def fake_clock():
    return FakeClock()


@pytest.fixture
def fake_sleep(fake_clock):
    return FakeSleep(fake_clock)


@pytest.fixture
def fake_jitter():
    return FakeJitter()


@pytest.fixture
def network_errors():
    return NetworkErrors()


@pytest.fixture
def controller_url():
    return CONTROLLER_URL


@pytest.fixture
def access_key():
    return ACCESS_KEY


@pytest.fixture
def make_client(fake_transport, fake_sleep, fake_jitter):
    def factory(**overrides):
        arguments = dict(controller_url=CONTROLLER_URL, access_key=ACCESS_KEY, session=fake_transport,
                         sleep=fake_sleep, jitter=fake_jitter)
        arguments.update(overrides)
        return LeapworkClient(**arguments)
    return factory


@pytest.fixture
def assert_no_secret():
    """``assert_no_secret(*texts)``: none of the texts contains the access key (or a variable secret)."""
    def check(*texts):
        for text in texts:
            assert ACCESS_KEY not in str(text)
            assert not re.search(r"hunter2", str(text)), text
    return check
