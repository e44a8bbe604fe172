# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""HTTP client for the Leapwork controller REST API (``{controller_url}/api/v4``).

It owns the session, the ``AccessKey`` header, timeouts, TLS, the retry policy and the mapping
of HTTP failures to the typed errors of ``_errors``; it has one method per endpoint.

Retry policy. Requests that are safe to repeat (every GET, and the stop PUT) are retried with
the one backoff rule (``_deadline.backoff``) and full jitter on connection errors and on the
statuses that ``_http_status`` says to retry, honouring ``Retry-After``. Every request runs under
a ``Deadline``: the task's (given to the client when it is made), or the caller's (``deadline=``).
Each attempt's timeout is clipped to what is left of it, no request is sent and no pause is
slept past it. A caller that waits out failures itself (the waiter) passes ``retry=False``: each
request is sent once and the caller alone decides when to try again (one retry layer, see
docs/design.md). The trigger (``PUT /flows/{flowId}/agent/{agentId}``) starts a new run
each time it arrives, so it is retried only when the connection failed before the request was
sent; once sent, a missing answer raises ``TriggerOutcomeUnknown`` and an error status is
reported as is, never replayed.
"""

import datetime
import json
import math
import random
import re
import ssl
import threading
import time
import traceback
from urllib.parse import quote, urlsplit

from ansible_collections.leapops.leapwork.plugins.module_utils._deadline import Deadline, backoff
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    LeapworkConnectionError,
    LeapworkError,
    DeadlineReached,
    LeapworkHTTPError,
    TriggerOutcomeUnknown,
    UnexpectedAnswer,
    one_line,
    redact,
    redact_and_trim,
    redact_data,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._http_status import (
    RETRY_READ,
    TRY_DOCUMENTED_STOP,
    has_policy,
    meaning,
    proves_no_run,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._ids import is_guid
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import encode_query, variable_names

try:
    import requests
    from urllib3.exceptions import (
        ConnectTimeoutError,
        MaxRetryError,
        NewConnectionError,
        ProxyError as _Urllib3ProxyError,
    )
    try:
        from urllib3.exceptions import NameResolutionError
    except ImportError:  # urllib3 < 2 reports a DNS failure as a NewConnectionError
        NameResolutionError = NewConnectionError
    _RequestException = requests.exceptions.RequestException
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    HAS_REQUESTS = False

    class _RequestException(Exception):  # placeholder so that except clauses stay valid
        pass

API_PREFIX = "/api/v4"
USER_AGENT = "ansible-collection-leapops.leapwork"

#: The longest pause between two tries of a read (the ceiling of ``_deadline.backoff``).
BACKOFF_CAP = 10.0
RETRY_AFTER_CAP = 30.0
#: The shortest timeout a request gets when it is sent close to its deadline.
MIN_REQUEST_TIMEOUT = 0.5

# Exception texts from urllib3 quote the URL, whose query string carries the flow variables.
_QUERY_IN_TEXT = re.compile(r"\?[^\s'\")]*")
_MISSING = object()


def normalize_controller_url(value):
    """Validate ``controller_url`` and return it without trailing ``/`` and without ``/api/v4``.

    The controller may sit behind a reverse proxy with a path prefix, which is kept. Raises
    ``ValueError`` with a message naming the option.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError("controller_url is required, e.g. https://leapwork.example.com:9002")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError when out of range or not a number
    except ValueError:
        raise ValueError("controller_url is not a valid URL (check the host and port)") from None
    if "@" in parts.netloc:
        # Not echoed: it holds a password. The access key travels in its own header.
        raise ValueError("controller_url must not contain a user name or password; give the key with access_key")
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("controller_url must start with http:// or https://, got %r" % text)
    if not parts.hostname or port == 0:
        raise ValueError("controller_url must name a host, e.g. https://leapwork.example.com:9002, got %r" % text)
    if parts.query or parts.fragment:
        raise ValueError("controller_url must not carry a query string or a fragment, got %r" % text)
    path = parts.path.rstrip("/")
    if path.lower().endswith(API_PREFIX):
        path = path[:-len(API_PREFIX)].rstrip("/")
    return "%s://%s%s" % (parts.scheme.lower(), parts.netloc, path)


def _check_access_key(access_key):
    # Never echo the key: messages about it stay generic.
    key = "" if access_key is None else str(access_key).strip()
    if not key:
        raise ValueError("access_key is required")
    if any(ord(char) < 0x20 or ord(char) == 0x7F or ord(char) > 0xFF for char in key):
        raise ValueError("access_key contains characters that cannot be sent in an HTTP header (a line break?)")
    return key


def _segment(identifier):
    """One path segment; ids are checked by callers, this only keeps the path intact."""
    return quote(str(identifier).strip(), safe="")


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header(response, name):
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        for key, candidate in headers.items():
            if str(key).lower() == name.lower():
                return candidate
    return value


def _retry_after(response):
    """Seconds asked by a ``Retry-After`` header (capped), or ``None``; HTTP dates are ignored."""
    if response is None:
        return None
    value = _header(response, "Retry-After")
    if value is None:
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None
    if math.isnan(seconds) or seconds < 0:
        return None
    return min(seconds, RETRY_AFTER_CAP)


def json_field(data, name):
    """``data[name]``, matching the key case-insensitively (.NET writes PascalCase, clients vary); ``None`` if absent."""
    if not isinstance(data, dict):
        return None
    if name in data:
        return data[name]
    folded = name.lower()
    for key, value in data.items():
        if str(key).lower() == folded:
            return value
    return None


def _reason(exc):
    """The urllib3 error under a requests exception (the ``MaxRetryError`` reason when there is one)."""
    inner = exc.args[0] if getattr(exc, "args", None) else None
    if HAS_REQUESTS and isinstance(inner, MaxRetryError):
        return inner.reason
    return inner if isinstance(inner, BaseException) else exc


def _is_request_invalid(exc):
    """requests refused to build the request (bad URL or header): nothing was sent."""
    exceptions = requests.exceptions
    return isinstance(exc, (exceptions.URLRequired, exceptions.MissingSchema, exceptions.InvalidSchema,
                            exceptions.InvalidURL, exceptions.InvalidHeader))


# OpenSSL reasons that only occur during the handshake, before any HTTP is written.
_TLS_HANDSHAKE_REASONS = frozenset((
    "CERTIFICATE_VERIFY_FAILED", "WRONG_VERSION_NUMBER", "UNSUPPORTED_PROTOCOL", "UNKNOWN_PROTOCOL",
    "SSLV3_ALERT_HANDSHAKE_FAILURE", "TLSV1_ALERT_PROTOCOL_VERSION",
))


def _ssl_error(exc):
    """The ``ssl.SSLError`` under a requests ``SSLError``, or ``None``."""
    if not isinstance(exc, requests.exceptions.SSLError):
        return None
    reason = _reason(exc)
    for candidate in (reason,) + tuple(getattr(reason, "args", ())):
        if isinstance(candidate, ssl.SSLError):
            return candidate
    return None


def _is_tls_verification_failure(exc):
    """The server's certificate was refused during the TLS handshake."""
    error = _ssl_error(exc)
    if error is None:
        return False
    return isinstance(error, ssl.SSLCertVerificationError) or getattr(error, "reason", None) == "CERTIFICATE_VERIFY_FAILED"


def _is_tls_handshake_failure(exc):
    """The TLS handshake failed (certificate refused, https to a plain-HTTP port...): nothing was sent."""
    if _is_tls_verification_failure(exc):
        return True
    return getattr(_ssl_error(exc), "reason", None) in _TLS_HANDSHAKE_REASONS


def _sent_before_failure(exc):
    """True only when ``exc`` proves that the request never reached the controller.

    Connection refused, unreachable host, DNS failure and connect timeout happen before a byte of
    the request is written; so does a failed TLS handshake (refused certificate, wrong protocol). A read timeout or a connection
    dropped after connecting (``ProtocolError``, ``RemoteDisconnected``, ``ChunkedEncodingError``)
    may come after the controller received the request, and every other error is treated the same.
    """
    if not HAS_REQUESTS or not isinstance(exc, requests.exceptions.RequestException):
        return False
    if isinstance(exc, requests.exceptions.ConnectTimeout) or _is_request_invalid(exc):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    reason = _reason(exc)
    if isinstance(reason, (NewConnectionError, NameResolutionError, ConnectTimeoutError)):
        return True
    if isinstance(reason, _Urllib3ProxyError):
        # Could not reach the proxy: the request never left for the controller.
        return isinstance(getattr(reason, "original_error", None), (NewConnectionError, ConnectTimeoutError))
    return _is_tls_handshake_failure(exc)


def _is_retryable_exception(exc):
    """A transport error worth another try for a request that is safe to repeat."""
    if _is_request_invalid(exc) or _is_tls_handshake_failure(exc):
        return False
    exceptions = requests.exceptions
    return isinstance(exc, (exceptions.ConnectionError, exceptions.Timeout, exceptions.ChunkedEncodingError,
                            exceptions.ContentDecodingError))


def _reason_text(reason):
    """``str(reason)``, minus the connection objects urllib3 puts in its exception arguments."""
    args = getattr(reason, "args", ())
    if len(args) < 2:
        return str(reason)
    parts = [str(arg).rstrip(".") for arg in args if isinstance(arg, (str, BaseException)) and str(arg)]
    return ": ".join(parts) if parts else str(reason)


def _describe_exception(exc, secrets=()):
    """A short description of a transport error, without the URL's query string or ``secrets``."""
    exceptions = requests.exceptions
    reason = _reason(exc)
    if isinstance(exc, exceptions.ConnectTimeout):
        what = "connecting timed out"
    elif isinstance(exc, exceptions.ReadTimeout):
        what = "no answer came back in time (read timeout)"
    elif _is_tls_verification_failure(exc):
        what = ("TLS certificate verification failed (set ca_path to the CA bundle that signed the controller's "
                "certificate, or validate_certs to false)")
    elif _is_tls_handshake_failure(exc):
        what = "the TLS handshake failed (does controller_url use the right scheme and port?)"
    elif isinstance(exc, exceptions.SSLError):
        what = "TLS error"
    elif isinstance(reason, NameResolutionError):
        what = "the host name could not be resolved"
    elif isinstance(reason, (NewConnectionError, _Urllib3ProxyError)):
        what = "the connection could not be established"
    elif isinstance(exc, (exceptions.ConnectionError, exceptions.ChunkedEncodingError)):
        what = "the connection was closed before a full answer came back"
    elif _is_request_invalid(exc):
        what = "the request could not be built"
    else:
        what = "the request failed"
    detail = redact_and_trim(_QUERY_IN_TEXT.sub("?...", _reason_text(reason)), secrets, 200)
    return "%s: %s" % (what, detail) if detail else what


class _ErrorContext(object):
    """What one client method is doing: the facts its error messages are made of (never sent to the controller)."""

    __slots__ = ("operation", "subject", "not_found", "run_id", "variable_names", "retry_hint")

    def __init__(self, operation, subject=None, not_found=None, run_id=None, variable_names=None, retry_hint=None):
        self.operation = operation  # verb phrase: "read run status"
        self.subject = subject  # "run 1234-..." or None
        self.not_found = not_found  # what a 404 means
        self.run_id = run_id
        self.variable_names = variable_names  # list for the trigger, else None
        # For a call that may start a run: where to look before sending it again.
        self.retry_hint = retry_hint

    def prefix(self):
        if self.subject:
            return "Could not %s (%s)" % (self.operation, self.subject)
        return "Could not %s" % self.operation


class LeapworkClient(object):
    """One controller, one access key. Safe to share between threads.

    ``secrets`` are the values of the task's secret variables: with the access key, they are
    masked (``_errors.redact``) in every answer the client reads and every error it raises,
    before any text is trimmed, so that no layer above ever holds them.
    """

    def __init__(self, controller_url, access_key, validate_certs=True, ca_path=None,
                 request_timeout=30, retries=4, session=None, sleep=time.sleep, jitter=random.random,
                 clock=time.monotonic, deadline=None, secrets=()):
        self.controller_url = normalize_controller_url(controller_url)
        self.base_url = self.controller_url + API_PREFIX
        self._access_key = _check_access_key(access_key)
        self._secrets = (self._access_key,) + tuple(str(secret) for secret in secrets if secret)
        self.validate_certs = bool(validate_certs)
        self.ca_path = ca_path or None
        # requests takes a CA bundle path in place of True.
        self.verify = self.ca_path if (self.validate_certs and self.ca_path) else self.validate_certs
        self.request_timeout = float(request_timeout)
        if math.isnan(self.request_timeout) or self.request_timeout <= 0:
            raise ValueError("request_timeout must be greater than 0, got %r" % request_timeout)
        self.retries = int(retries)
        if self.retries < 0:
            raise ValueError("retries must be 0 or more, got %r" % retries)
        self._injected_session = session
        self._session = session
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        # The task's deadline: every request that does not bring its own runs under it.
        self.deadline = deadline if deadline is not None else Deadline(None, clock)
        self._lock = threading.Lock()
        self._request_count = 0

    def __repr__(self):
        return "LeapworkClient(%r)" % self.controller_url

    @property
    def request_count(self):
        """HTTP requests sent so far; every attempt counts."""
        return self._request_count

    def close(self):
        """Close the keep-alive session this client created (an injected one is left alone)."""
        with self._lock:
            session, self._session = self._session, self._injected_session
        if session is not None and session is not self._injected_session:
            session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # ------------------------------------------------------------------ endpoints
    def trigger_flow(self, flow_id, agent_id, query_pairs=()):
        """``PUT /flows/{flowId}/agent/{agentId}``: start one run; return its ``RunId``.

        ``query_pairs`` are the ``(name, text)`` pairs of the query string, validated and rendered
        by ``_variables.RunVariables.query_pairs`` (``isDelete`` included). Never replayed once
        sent; see the module docstring.
        """
        call = _ErrorContext("trigger a flow", "flow %s on agent %s" % (flow_id, agent_id),
                             not_found="flow %s or agent %s not found" % (flow_id, agent_id),
                             retry_hint="check the controller's run listings for this flow and agent before triggering again")
        params = list(query_pairs)
        # Names only: values may be secrets.
        call.variable_names = variable_names(params)
        path = "/flows/%s/agent/%s" % (_segment(flow_id), _segment(agent_id))
        return self._start_run(call, path, params, False, "Triggering", "triggering again")

    # ``deadline`` and ``retry`` on the calls below: see _send_repeatable.
    def run_status(self, run_id, deadline=None, retry=True):
        """``GET /run/{runId}/status``: ``"Queued"``, ``"Executing"``, ``"Finished"`` or another string."""
        call = self._run_context("read run status", run_id)
        data = self._get(call, "/run/%s/status" % _segment(run_id), deadline, retry)
        status = json_field(data, "Status")
        if not isinstance(status, str):
            raise self._unexpected(call, "an object with a Status string", data)
        return status

    def run_item_ids(self, run_id, deadline=None, retry=True):
        """``GET /run/{runId}/runItemIds``: ids of the run's items so far (grows while the run goes)."""
        call = self._run_context("list run items", run_id)
        data = self._get(call, "/run/%s/runItemIds" % _segment(run_id), deadline, retry)
        ids = data if isinstance(data, list) else json_field(data, "RunItemIds")
        if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
            raise self._unexpected(call, "an object with a RunItemIds list", data)
        return list(ids)

    def run_item(self, run_item_id, deadline=None, retry=True):
        """``GET /runItems/{runItemId}``: one flow on one agent."""
        call = _ErrorContext("read a run item", "run item %s" % run_item_id, not_found="run item %s not found" % run_item_id)
        return self._expect(call, self._get(call, "/runItems/%s" % _segment(run_item_id), deadline, retry), dict, "an object")

    def keyframes(self, run_item_id, offset=None, deadline=None, retry=True):
        """``GET /runItems/{runItemId}/keyframes[/{offset}]``: the item's log lines."""
        call = _ErrorContext("read keyframes", "run item %s" % run_item_id, not_found="run item %s not found" % run_item_id)
        path = "/runItems/%s/keyframes" % _segment(run_item_id)
        if offset is not None:
            path += "/%s" % _segment(offset)
        data = self._get(call, path, deadline, retry)
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise self._unexpected(call, "a list of objects", data)
        return data

    def stop_run(self, run_id, deadline=None, retry=True):
        """``PUT /run/{runId}/stop`` (``/schedules/{runId}/stop`` on 404/405): ``OperationCompleted``.

        Stopping twice is harmless, so this is retried like a GET.
        """
        call = self._run_context("stop a run", run_id)
        response, attempts = self._send_repeatable(call, "PUT", "/run/%s/stop" % _segment(run_id), deadline=deadline, retry=retry)
        if has_policy(response.status_code, TRY_DOCUMENTED_STOP):
            # Older controllers only know the documented schedules path.
            response, attempts = self._send_repeatable(call, "PUT", "/schedules/%s/stop" % _segment(run_id), deadline=deadline,
                                                       retry=retry)
        data = self._json(call, response, attempts)
        completed = json_field(data, "OperationCompleted")
        if isinstance(completed, str) and completed.strip().lower() in ("true", "false"):
            completed = completed.strip().lower() == "true"
        if not isinstance(completed, bool):
            raise self._unexpected(call, "an object with an OperationCompleted boolean", data)
        return completed

    def agent(self, agent_id, deadline=None):
        """``GET /agents/{agentId}``: one agent."""
        call = _ErrorContext("read an agent", "agent %s" % agent_id, not_found="agent %s not found" % agent_id)
        return self._expect(call, self._get(call, "/agents/%s" % _segment(agent_id), deadline), dict, "an object")

    def agents(self, deadline=None):
        """``GET /agents``: every agent."""
        call = _ErrorContext("list agents")
        return self._expect(call, self._get(call, "/agents", deadline), list, "a list")

    def flow_info(self, flow_id, deadline=None):
        """``GET /flowinfo/{flowId}``: title, type, status of a flow."""
        call = _ErrorContext("read flow info", "flow %s" % flow_id, not_found="flow %s not found" % flow_id)
        return self._expect(call, self._get(call, "/flowinfo/%s" % _segment(flow_id), deadline), dict, "an object")

    def hierarchy(self, item_id=None, deadline=None):
        """``GET /hierarchy[/{itemId}]``: the asset tree (an object or a list)."""
        if item_id is None:
            call = _ErrorContext("read the asset hierarchy")
            path = "/hierarchy"
        else:
            call = _ErrorContext("read the asset hierarchy", "item %s" % item_id, not_found="item %s not found" % item_id)
            path = "/hierarchy/%s" % _segment(item_id)
        return self._expect(call, self._get(call, path, deadline), (dict, list), "an object or a list")

    def agents_statuses(self, deadline=None):
        """``GET /agents/agentsStatuses``: ``AgentId``, ``Title``, ``ConnectionStatus``, ``BlockedByLicense`` per agent."""
        call = _ErrorContext("read agent statuses")
        return self._expect(call, self._get(call, "/agents/agentsStatuses", deadline), list, "a list")

    # -- schedules
    def run_schedule_now(self, schedule_id, query_pairs=()):
        """``PUT /schedules/{scheduleId}/runNow``: start the schedule once; return the ``RunId``.

        ``query_pairs`` as for ``trigger_flow``. Never replayed once sent, like ``trigger_flow``.
        The controller applies only the variables the schedule defines. A 410 answer (already
        running) is raised as a ``LeapworkHTTPError``.
        """
        call = _ErrorContext("run a schedule now", "schedule %s" % schedule_id, not_found="schedule %s not found" % schedule_id,
                             retry_hint="check the schedule's runs on the controller (its status, its newest run) before "
                                        "running it again")
        params = list(query_pairs)
        if params:
            # Names only: values may be secrets. Without variables a 400 is not about them.
            call.variable_names = variable_names(params)
        path = "/schedules/%s/runNow" % _segment(schedule_id)
        return self._start_run(call, path, params, True, "Running", "running it again")

    def _start_run(self, call, path, params, run_now, starting, again):
        """Send a request that starts a run (never replayed, see ``_send_trigger``); return the answer's ``RunId``.

        An error status that does not prove that no run started (``_http_status.proves_no_run``,
        ``run_now`` for a schedule's runNow) says that a run may have started. A success without a ``RunId`` means a run
        probably started with an unknown id (``TriggerOutcomeUnknown``). ``starting`` and ``again``
        word the messages: "Triggering" / "triggering again", "Running" / "running it again".
        """
        response, attempts, sent_at = self._send_trigger(call, path, params)
        status = response.status_code
        if not 200 <= status < 300:
            note = None
            if not proves_no_run(status, run_now):
                note = ("The controller reported an error, but a run may or may not have started: check the "
                        "controller's run listings for %s before %s." % (call.subject, again))
            raise self._http_error(call, response, attempts, note=note)
        try:
            data = self._parsed(response)
        except ValueError:
            data = _MISSING
        run_id = json_field(data, "RunId")
        if isinstance(run_id, str) and run_id.strip() and not is_guid(run_id.strip()):
            message = ("%s %s at %s (UTC): the controller answered HTTP %d with a RunId that is not a GUID (%s), so a run "
                       "may have started but cannot be followed by that id. It was not retried; check the controller's run "
                       "listings before %s." % (starting, call.subject, sent_at, status, one_line(repr(run_id), 80), again))
            raise TriggerOutcomeUnknown(self._redact(message), operation=call.operation, status=status, body=self._body(response))
        if not isinstance(run_id, str) or not run_id.strip():
            message = ("%s %s at %s (UTC): the controller answered HTTP %d without a RunId (%s), so a run has probably "
                       "started but its id is unknown. It was not retried; check the controller's run listings before %s."
                       % (starting, call.subject, sent_at, status, self._body(response) or "empty body", again))
            raise TriggerOutcomeUnknown(self._redact(message), operation=call.operation, status=status, body=self._body(response))
        return run_id.strip()

    def schedules(self, deadline=None):
        """``GET /schedules``: every schedule (``Id``, ``Title``, ``IsEnabled``, ``Type``)."""
        call = _ErrorContext("list schedules")
        return self._expect(call, self._get(call, "/schedules", deadline), list, "a list")

    def schedule_status(self, schedule_id, deadline=None):
        """``GET /schedules/{scheduleId}/status``: the status of the schedule's newest run."""
        call = _ErrorContext("read schedule status", "schedule %s" % schedule_id, not_found="schedule %s not found" % schedule_id)
        data = self._get(call, "/schedules/%s/status" % _segment(schedule_id), deadline)
        status = json_field(data, "Status")
        if not isinstance(status, str):
            raise self._unexpected(call, "an object with a Status string", data)
        return status

    def schedule_run_ids(self, schedule_id, count, deadline=None):
        """``GET /schedules/{scheduleId}/runIds/NoFilter?count=N``: ids of the schedule's ``count`` newest runs, newest first."""
        call = _ErrorContext("list the runs of a schedule", "schedule %s" % schedule_id,
                             not_found="schedule %s not found" % schedule_id)
        data = self._get(call, "/schedules/%s/runIds/NoFilter" % _segment(schedule_id), deadline,
                         params=[("count", str(int(count)))])
        ids = json_field(data, "runIds")
        if not isinstance(ids, list) or not all(isinstance(run_id, str) for run_id in ids):
            raise self._unexpected(call, "an object with a runIds list", data)
        return list(ids)

    # ------------------------------------------------------------------ transport
    def _pooled_session(self):
        """The keep-alive session for requests that are safe to repeat, created on first use."""
        with self._lock:
            if self._session is None:
                self._session = self._new_session()
            return self._session

    def _trigger_session(self):
        """(session, owned): a session of its own for the trigger, so no pooled connection is reused."""
        if self._injected_session is not None:
            return self._injected_session, False
        return self._new_session(), True

    @staticmethod
    def _new_session():
        if not HAS_REQUESTS:
            raise LeapworkError("The Python library requests is required to talk to the Leapwork controller")
        return requests.Session()

    def _send(self, session, method, path, params=None, fresh_connection=False, timeout=None):
        headers = {"AccessKey": self._access_key, "Accept": "application/json", "User-Agent": USER_AGENT}
        if fresh_connection:
            headers["Connection"] = "close"
        with self._lock:
            self._request_count += 1
        # Redirects are not followed: a 302 would turn the trigger into a GET, and the AccessKey
        # header would follow the redirect to wherever it points.
        url = self.base_url + path
        if params:
            # Encoded here rather than by requests (which writes a space as "+") so the query on
            # the wire is exactly the one flow_run reports (encode_query writes "%20").
            url += "?" + encode_query(params)
        return session.request(method, url, headers=headers, timeout=timeout or self.request_timeout,
                               verify=self.verify, allow_redirects=False)

    def _pause(self, delays, deadline, response=None):
        """Seconds to sleep before the next try (``Retry-After``, or the next of ``delays``), or
        ``None`` when the next try could not be sent before ``deadline``."""
        asked = _retry_after(response)
        pause = asked if asked is not None else next(delays)
        if deadline.remaining() < pause + MIN_REQUEST_TIMEOUT:
            return None
        return pause

    def _send_repeatable(self, call, method, path, params=None, deadline=None, retry=True):
        """Send a request that is safe to repeat; return (response, attempts).

        It runs under ``deadline`` (the task's when ``None``): each attempt's timeout is clipped
        to what is left (never below ``MIN_REQUEST_TIMEOUT``), ``DeadlineReached`` is raised without
        sending when nothing is left, and no pause is slept that would leave no time for the next
        try. With ``retry`` it is retried as the module docstring says; without, it is sent once:
        the caller waits out failures itself, so that no retry or backoff of ours runs twice.
        """
        deadline = deadline or self.deadline
        delays = backoff(BACKOFF_CAP, self._jitter)
        attempt = 1
        while True:
            timeout = self._timeout_until(call, deadline)
            response = None
            try:
                response = self._send(self._pooled_session(), method, path, params, timeout=timeout)
            except _RequestException as exc:
                if not retry or not _is_retryable_exception(exc) or attempt > self.retries:
                    raise self._connection_error(call, exc, attempt) from None
                pause = self._pause(delays, deadline)
                if pause is None:
                    raise self._connection_error(call, exc, attempt, note=self._deadline_note(deadline)) from None
            else:
                if not retry or not has_policy(response.status_code, RETRY_READ) or attempt > self.retries:
                    return response, attempt
                pause = self._pause(delays, deadline, response)
                if pause is None:
                    return response, attempt
            self._sleep(pause)
            attempt += 1

    def _send_trigger(self, call, path, params):
        """Send the trigger; return (response, attempts, sent_at). Retried only if provably not sent.

        Never sent once the task's deadline has passed (``DeadlineReached``: no run started). Its
        timeout is not clipped: an answer cut short would leave a run of unknown outcome.
        """
        deadline = self.deadline
        delays = backoff(BACKOFF_CAP, self._jitter)
        attempt = 1
        while True:
            self._timeout_until(call, deadline)
            sent_at = _utc_now()
            session, owned = self._trigger_session()
            try:
                return self._send(session, "PUT", path, params, fresh_connection=True), attempt, sent_at
            except _RequestException as exc:
                if not _sent_before_failure(exc):
                    raise self._outcome_unknown(call, exc, sent_at) from None
                note = "The trigger was never sent, so no run was started."
                if _is_request_invalid(exc) or _is_tls_handshake_failure(exc) or attempt > self.retries:
                    raise self._connection_error(call, exc, attempt, note=note) from None
                pause = self._pause(delays, deadline)
                if pause is None:
                    raise self._connection_error(call, exc, attempt, note="%s %s" % (self._deadline_note(deadline), note)) from None
            finally:
                if owned:
                    session.close()
            self._sleep(pause)
            attempt += 1

    def _timeout_until(self, call, deadline):
        """The timeout of an attempt sent now under ``deadline``; ``DeadlineReached`` when it has passed."""
        if deadline.passed():
            raise DeadlineReached("%s: not sent, %s had passed" % (call.prefix(), deadline.describe()),
                                  operation=call.operation, run_id=call.run_id)
        # Rounded: urllib3 quotes the timeout in its error text.
        return round(min(self.request_timeout, max(deadline.remaining(), MIN_REQUEST_TIMEOUT)), 2)

    @staticmethod
    def _deadline_note(deadline):
        return "No time was left for another try before %s." % deadline.describe()

    def _get(self, call, path, deadline=None, retry=True, params=None):
        try:
            response, attempts = self._send_repeatable(call, "GET", path, params, deadline=deadline, retry=retry)
            return self._json(call, response, attempts)
        except LeapworkError as error:
            # What was asked, for a log line about the failure (a GET carries no secret in its path).
            error.request = "GET %s%s" % (API_PREFIX, path)
            raise

    # ------------------------------------------------------------------ answers and errors
    def mask(self, text):
        """``text`` with the access key and the secret values masked (``_errors.redact``), for layers above."""
        return redact(text, self._secrets)

    _redact = mask

    def _body(self, response):
        return redact_and_trim(_response_text(response), self._secrets) or None

    def _parsed(self, response):
        """The answer's JSON with every string in it masked: whatever the controller echoes (a
        keyframe, a title) is masked before any layer trims it. ``ValueError`` if not JSON."""
        return redact_data(json.loads(_response_text(response)), self._secrets)

    def _run_context(self, operation, run_id):
        return _ErrorContext(operation, "run %s" % run_id, not_found="run %s not found" % run_id, run_id=run_id)

    def _json(self, call, response, attempts):
        if not 200 <= response.status_code < 300:
            raise self._http_error(call, response, attempts)
        try:
            return self._parsed(response)
        except ValueError:
            raise UnexpectedAnswer(
                self._redact("%s: the controller answered HTTP %d with a body that is not JSON: %s"
                             % (call.prefix(), response.status_code, self._body(response) or "empty body")),
                operation=call.operation, status=response.status_code, body=self._body(response),
                run_id=call.run_id) from None

    def _expect(self, call, data, types, description):
        if not isinstance(data, types):
            raise self._unexpected(call, description, data)
        return data

    def _unexpected(self, call, expected, data):
        return UnexpectedAnswer(
            self._redact("%s: the controller's answer is not %s: %s"
                         % (call.prefix(), expected, redact_and_trim(repr(data), self._secrets))),
            operation=call.operation, run_id=call.run_id)

    def _connection_error(self, call, exc, attempts, note=None):
        message = "%s: no answer from the controller at %s: %s" % (call.prefix(), self.controller_url,
                                                                   _describe_exception(exc, self._secrets))
        if attempts > 1:
            message += " (gave up after %d attempts)" % attempts
        if note:
            message = "%s. %s" % (message.rstrip("."), note)
        return LeapworkConnectionError(self._redact(message), operation=call.operation, run_id=call.run_id)

    def _outcome_unknown(self, call, exc, sent_at):
        message = ("Triggering %s may have started a run: the request was sent to %s at %s (UTC), then %s. "
                   "It was not retried, so that no second run is started; %s."
                   % (call.subject, self.controller_url, sent_at, _describe_exception(exc, self._secrets), call.retry_hint))
        return TriggerOutcomeUnknown(self._redact(message), operation=call.operation)

    def _http_error(self, call, response, attempts=1, note=None):
        status = response.status_code
        body = self._body(response)
        message = "%s: %s" % (call.prefix(), self._explain(call, response, body))
        if attempts > 1:
            message += " (gave up after %d attempts)" % attempts
        if note:
            message += ". " + note
        return LeapworkHTTPError(self._redact(message), operation=call.operation, status=status, body=body,
                                 run_id=call.run_id, retry_after=_retry_after(response))

    def _explain(self, call, response, body):
        status = response.status_code
        said = ("%d %s" % (status, body or getattr(response, "reason", None) or "")).strip()
        if status == 401:
            return "the access key was rejected by the controller (%s)" % said
        if status == 403:
            return "the access key lacks the scope needed to %s (%s)" % (call.operation, said)
        if status == 404:
            return "%s (%s)" % (call.not_found or "not found", said)
        if status == 400 and call.variable_names is not None:
            sent = ", ".join(call.variable_names) if call.variable_names else "none"
            return "the controller rejected a variable: %s (HTTP 400; variables sent: %s)" % (body or "no details given", sent)
        if status == 405:
            return "the controller does not allow this call (%s); it may be a Leapwork version without it" % said
        if 300 <= status < 400:
            location = redact_and_trim(_QUERY_IN_TEXT.sub("?...", str(_header(response, "Location") or "an unknown location")),
                                       self._secrets, 200)
            return ("the controller answered with a redirect (%d) to %s, which is not followed; set controller_url to "
                    "the address the API is served from" % (status, location))
        what = meaning(status)
        if what:
            return "%s (%s)" % (what, said)
        return "the controller answered HTTP %s" % said


def _response_text(response):
    """The answer's body as text, ``""`` when there is none; ``_body`` is its redacted, trimmed form."""
    text = getattr(response, "text", None)
    return text if isinstance(text, str) else ""
