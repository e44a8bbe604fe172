# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""Typed exceptions shared by every layer of the collection, and the helpers that write messages.

Lower layers raise these with the facts they know (operation, HTTP status, the controller's
text, the run id); the module turns them into one ``fail_json`` message at the edge. Every layer
writes a text into a message with ``one_line`` (``redact_and_trim`` when it may hold the access
key) and a duration with ``seconds_text``, so that messages read alike.
"""

import re

#: How much of a text one line of a message keeps: a controller's answer in an error (proxies
#: answer with whole HTML pages), a failure line of a result.
LINE_LIMIT = 300

_WHITESPACE = re.compile(r"\s+")


def one_line(text, limit=LINE_LIMIT):
    """Collapse whitespace and cut ``text`` to ``limit`` characters, ending ``...`` when cut (``None`` gives ``""``)."""
    if text is None:
        return ""
    text = _WHITESPACE.sub(" ", str(text)).strip()
    if len(text) > limit:
        text = text[:max(0, limit - 3)].rstrip() + "..."
    return text


def seconds_text(seconds):
    """A duration for a message: at most one decimal, no trailing zeros (``60``, ``2.5``); below 0 gives ``0``."""
    return ("%.1f" % max(seconds, 0.0)).rstrip("0").rstrip(".")


def redact(text, secret, replacement="********"):
    """Return ``text`` with every occurrence of ``secret`` replaced; ``None`` stays ``None``."""
    if text is None or not secret:
        return text
    return str(text).replace(secret, replacement)


def redact_and_trim(text, secret, limit=LINE_LIMIT):
    """``one_line(redact(text, secret), limit)``: in that order, or a cut through the secret would leave its prefix."""
    return one_line(redact(text, secret), limit)


class LeapworkError(Exception):
    """Something went wrong talking to the Leapwork controller.

    ``message`` is one clear sentence for the user, as the layer that raised it knows it;
    ``context`` is what a higher layer adds about the attempt (the idempotency key), or ``None``;
    ``str(error)`` is the message followed by the context. ``operation`` names what was attempted
    (e.g. ``"read run status"``); ``status`` is the HTTP status or ``None``; ``body`` is the
    controller's text, trimmed, or ``None``; ``run_id`` is set when known; ``retry_after`` is the
    pause in seconds the controller asked for (``Retry-After``), or ``None``; ``request`` is the
    read that failed (``"GET /api/v4/run/<id>/status"``), when the client knows it. A module turns
    these facts into its result with ``_module.error_result``.
    """

    def __init__(self, message, operation=None, status=None, body=None, run_id=None, retry_after=None):
        super().__init__(message)
        self.message = str(message)
        self.context = None
        self.operation = operation
        self.status = status
        self.body = body
        self.run_id = run_id
        self.retry_after = retry_after
        self.request = None

    def __str__(self):
        if self.context:
            return "%s (%s)" % (self.message, self.context)
        return self.message


class LeapworkHTTPError(LeapworkError):
    """The controller answered with an error status (``status`` is set)."""


class LeapworkConnectionError(LeapworkError):
    """No usable answer from the controller, after the retries allowed."""


class UnexpectedAnswer(LeapworkError):
    """The controller answered with success, but not with what the API promises (HTML from a
    proxy, JSON of the wrong shape). Like a 502 it may pass: a waiter waits it out."""


class DeadlineReached(LeapworkError):
    """A request was not sent because the caller's deadline had passed."""


class TriggerOutcomeUnknown(LeapworkError):
    """The trigger was sent but no usable answer came back: a run may have started.

    Never retried, so that a flow is not started twice.
    """
