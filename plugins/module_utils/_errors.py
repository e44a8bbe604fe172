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

import bisect
import functools
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


#: What stands for a secret (the access key, a secret variable's value) in every text we write.
SECRET_MASK = "********"


def _hex(number, width):
    """``number`` in hexadecimal as a pattern that matches either case (``%4a`` and ``%4A``)."""
    return "".join("[%s%s]" % (digit.lower(), digit.upper()) if digit.isalpha() else digit
                   for digit in "%0*x" % (width, number))


def _char_forms(char):
    """A pattern for one character of a secret in every form a server may echo it in.

    As is; percent-encoded from UTF-8 (any case of hex, every character, reserved or not); a
    space also as ``+`` (form encoding); JSON-escaped (``\\"``, ``\\/``, ``\\u00e9``, surrogate
    pairs); HTML-escaped (``&amp;``, ``&#39;``, ``&#x27;``), as proxies' error pages write it.
    """
    forms = [re.escape(char), "".join("%" + _hex(byte, 2) for byte in char.encode("utf-8", "surrogatepass"))]
    if char == " ":
        forms.append(r"\+")
    if char in "\"\\/":
        forms.append(re.escape("\\" + char))
    code = ord(char)
    escapes = {"\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t"}
    if char in escapes:
        forms.append(re.escape("\\" + escapes[char]))
    if code > 0xFFFF:
        code -= 0x10000
        forms.append(r"\\u" + _hex(0xD800 + (code >> 10), 4) + r"\\u" + _hex(0xDC00 + (code & 0x3FF), 4))
    else:
        forms.append(r"\\u" + _hex(code, 4))
    named = {"&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos"}
    if char in named:
        forms.append("&%s;" % named[char])
    if char in named or not char.isalnum():
        forms.append("&#0*%d;" % ord(char))
        forms.append("&#[xX]0*" + _hex(ord(char), 1) + ";")
    return "(?:%s)" % "|".join(forms)


@functools.lru_cache(maxsize=32)
def _secrets_pattern(secrets):
    # Longest first: where one secret contains another, the whole of the longer one is masked.
    ordered = sorted(set(secrets), key=len, reverse=True)
    return re.compile("|".join("".join(_char_forms(char) for char in secret) for secret in ordered))


def _secret_texts(secrets):
    if isinstance(secrets, str):
        secrets = (secrets,)
    return tuple(sorted(set(str(secret) for secret in secrets or () if secret is not None and str(secret))))


# An id in a text (a run, an item, a flow): never a secret's hiding place, so a short secret ("42")
# does not cut the ids it happens to be part of. An id equal to a secret is masked all the same.
_GUID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z])")


def redact(text, secrets, replacement=SECRET_MASK):
    """``text`` with every secret masked, in every form it may be echoed in; ``None`` stays ``None``.

    The one masking function of the collection. ``secrets`` is one text or several (the access
    key, the values of secret variables). A controller, a proxy or a flow's log may repeat a
    secret as sent (URL-encoded, ``%20`` or ``+`` for a space, any character percent-encoded),
    decoded, JSON-escaped or HTML-escaped: each form is masked (see ``_char_forms``). Mask a text
    before trimming it, or a cut through a secret leaves its prefix (``redact_and_trim``).

    Ids (GUIDs) in the text are kept whole against a secret found only inside one: a secret such
    as ``42`` must not turn the run ids that contain it into ids nobody can follow. A secret that
    is an id (any case), that contains one (``{<guid>}``, a connection string) or that reaches
    past one is masked all the same.
    """
    return _masked(text, _secret_texts(secrets), replacement)


def _masked(text, secrets, replacement=SECRET_MASK):
    """``redact`` for ``secrets`` already normalised by ``_secret_texts`` (once per answer, not per string)."""
    if text is None or not secrets:
        return text
    text = str(text)
    pattern = _secrets_pattern(secrets)
    folded = set(secret.lower() for secret in secrets)
    ids = [match.span() for match in _GUID_IN_TEXT.finditer(text)]
    id_starts = [first for first, _last in ids]
    masked = [span for span in ids if text[span[0]:span[1]].lower() in folded]
    position = 0
    while True:
        match = pattern.search(text, position)
        if match is None:
            break
        start, end = match.span()
        # The one id that could hold the match: the last that starts at or before it (ids do not overlap).
        index = bisect.bisect_right(id_starts, start) - 1
        if index >= 0 and end <= ids[index][1] and (start, end) != ids[index]:
            # Inside an id only: keep the id, and look for a secret that starts further on.
            position = start + 1
            continue
        masked.append((start, end))
        position = end
    parts, last = [], 0
    for start, end in sorted(masked):
        if start >= last:
            parts.extend((text[last:start], replacement))
        last = max(last, end)  # an overlapping span widens the one masked already
    parts.append(text[last:])
    return "".join(parts)


def redact_data(value, secrets):
    """``value`` with every string in it masked by ``redact``, through dicts, lists and tuples (a parsed answer, a result)."""
    secrets = _secret_texts(secrets)
    if not secrets:
        return value
    return _masked_data(value, secrets)


def _masked_data(value, secrets):
    if isinstance(value, str):
        return _masked(value, secrets)
    if isinstance(value, dict):
        return type(value)((key, _masked_data(element, secrets)) for key, element in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(_masked_data(element, secrets) for element in value)
    return value


def redact_and_trim(text, secrets, limit=LINE_LIMIT):
    """``one_line(redact(text, secrets), limit)``: in that order, or a cut through a secret would leave its prefix."""
    return one_line(redact(text, secrets), limit)


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
