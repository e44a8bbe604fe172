# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""Validation and query-string rendering of Leapwork flow variables.

Run flow by id (``PUT /api/v4/flows/{flowId}/agent/{agentId}?Var1=val1&isDelete=true``)
takes the flow variables in the query string. Leapwork answers 400 for a bad or duplicate
variable name, so the names are checked here, before anything is sent, and every value is
rendered to the exact string the controller will see.
"""

import hashlib
import json
import math
import re
from collections import OrderedDict
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import quote

# What stands for a secret variable's value wherever its name is shown: the mask of every secret.
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import SECRET_MASK


#: Query parameter that Run flow by id reserves for itself; a flow variable cannot use it.
DELETE_SCHEDULE_PARAMETER = "isDelete"

# A letter or underscore, then letters, digits, "_", ".", "-" and inner spaces. No leading or
# trailing space: Leapwork trims names, so "a " and "a" would silently become the same variable.
_NAME_PATTERN = re.compile(r"^[A-Za-z_](?:[A-Za-z0-9_.\- ]*[A-Za-z0-9_.\-])?$")

_NESTED_TYPES = (Mapping, list, tuple, set, frozenset)

# Bumped whenever the fingerprint input changes, so that old ledgers do not match by accident.
_FINGERPRINT_VERSION = "leapwork-variables-v1"


class VariableError(ValueError):
    """A flow variable that cannot be sent to Leapwork.

    ``name`` is the offending variable name (``None`` when the whole mapping is wrong).
    """

    def __init__(self, message, name=None):
        super().__init__(message)
        self.name = name


def _check_name(name):
    if not isinstance(name, str):
        raise VariableError(
            "Flow variable name {0!r} must be a string, not {1}.".format(name, type(name).__name__),
            name=name,
        )
    if not name:
        raise VariableError("Flow variable names must not be empty.", name=name)
    if not _NAME_PATTERN.match(name):
        raise VariableError(
            "Flow variable name {0!r} is not valid: a name starts with a letter or '_' and contains only "
            "ASCII letters, digits, '_', '.', '-' and inner spaces (Leapwork rejects other names with 400).".format(name),
            name=name,
        )
    if name.lower() == DELETE_SCHEDULE_PARAMETER.lower():
        raise VariableError(
            "Flow variable name {0!r} is reserved: Run flow by id uses the '{1}' query parameter itself; "
            "use the delete_schedule option instead.".format(name, DELETE_SCHEDULE_PARAMETER),
            name=name,
        )


def _render_float(name, value):
    if math.isnan(value) or math.isinf(value):
        raise VariableError(
            "Flow variable {0!r} has the value {1!r}, which Leapwork cannot receive; pass it as a string "
            "if the flow expects that text.".format(name, value),
            name=name,
        )
    # repr() gives the shortest digits that round-trip; Decimal writes them positionally, so the
    # flow never has to parse an exponent ("1e+20" becomes "100000000000000000000.0").
    text = format(Decimal(repr(value)), "f")
    if "." not in text:
        text += ".0"
    return text


def render_value(name, value):
    """Render one variable value to the text Leapwork receives.

    ``True``/``False`` -> ``"true"``/``"false"`` (lower case, as .NET ``bool.Parse`` reads them);
    ``int`` -> decimal digits; ``float`` -> its shortest round-tripping digits written without an
    exponent, keeping a ``.0`` when integral (``1.5`` -> ``"1.5"``, ``2.0`` -> ``"2.0"``,
    ``1e20`` -> ``"100000000000000000000.0"``, ``1e-7`` -> ``"0.0000001"``); NaN and infinities are
    rejected; ``None`` -> ``""``; ``str`` as is (any Unicode, sent as UTF-8). Lists, dicts, tuples
    and sets are rejected: a query-string variable holds one value.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return _render_float(name, value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise VariableError(
                "Flow variable {0!r} contains characters that cannot be encoded as UTF-8 "
                "(a lone surrogate?).".format(name),
                name=name,
            ) from None
        return str(value)
    if isinstance(value, _NESTED_TYPES):
        raise VariableError(
            "Flow variable {0!r} has a nested value (a {1}); Leapwork flow variables take a single "
            "string, number, boolean or null. Serialise it first, e.g. with the to_json filter.".format(name, type(value).__name__),
            name=name,
        )
    raise VariableError(
        "Flow variable {0!r} has a value of unsupported type {1}; use a string, number, boolean "
        "or null.".format(name, type(value).__name__),
        name=name,
    )


def validate_variables(variables):
    """Check flow variables and render their values; return an ``OrderedDict`` name -> text.

    ``variables`` is ``None`` or a mapping of name -> scalar value; the input order is kept.

    Name rule: a non-empty string that starts with an ASCII letter or ``_`` and continues with
    ASCII letters, digits, ``_``, ``.``, ``-`` or spaces, and does not end with a space. Leapwork
    compares names case-insensitively, so two names that differ only by case are rejected as
    duplicates (the controller would answer 400). ``isDelete`` (any case) is reserved by Run flow
    by id. Values are rendered by :func:`render_value`.

    Raises :class:`VariableError` naming the first offending variable.
    """
    if variables is None:
        return OrderedDict()
    if not isinstance(variables, Mapping):
        raise VariableError(
            "Flow variables must be a mapping of name to value, not {0}.".format(type(variables).__name__)
        )
    rendered = OrderedDict()
    seen = {}
    for name, value in variables.items():
        _check_name(name)
        folded = name.lower()
        if folded in seen:
            raise VariableError(
                "Flow variables {0!r} and {1!r} differ only by case; Leapwork treats variable names "
                "case-insensitively, so only one of them can be sent.".format(seen[folded], name),
                name=name,
            )
        seen[folded] = name
        rendered[str(name)] = render_value(name, value)
    return rendered


def query_pairs(rendered, delete_schedule=False):
    """The query parameters for variables already validated and rendered (``validate_variables``): a
    list of ``(name, text)`` pairs, ``("isDelete", "true")`` last when ``delete_schedule`` (absent means
    false to Leapwork, so it is never sent as ``false``). The pairs are not URL-encoded; see
    :func:`encode_query`."""
    pairs = list(rendered.items())
    if delete_schedule:
        pairs.append((DELETE_SCHEDULE_PARAMETER, "true"))
    return pairs


def variable_names(pairs):
    """The flow variable names among query ``pairs``: ``isDelete`` is reserved, so it is never one."""
    return [name for name, _value in pairs if name != DELETE_SCHEDULE_PARAMETER]


def encode_query(pairs):
    """URL-encode ``(name, text)`` pairs into a query string (without the leading ``?``).

    Every byte outside the RFC 3986 unreserved set (``A-Z a-z 0-9 - . _ ~``) is percent-encoded
    from UTF-8, including ``&``, ``=``, ``+``, ``/``, ``:`` and ``#``; a space becomes ``%20``,
    never ``+``. Note that ``requests``' own ``params=`` encoding writes a space as ``+``
    (form encoding); a client that wants this exact string on the wire appends it to the URL
    itself.
    """
    return "&".join(
        "{0}={1}".format(quote(str(name), safe=""), quote(str(value), safe=""))
        for name, value in pairs
    )


def fingerprint(variables):
    """Return a stable SHA-256 hex digest of the variables as Leapwork would receive them.

    The digest covers the rendered values with the names case-folded and sorted, so the same
    variables in any order, with names in any case, or with values that render identically
    (``True`` and ``"true"``, ``1`` and ``"1"``) give the same fingerprint. ``None`` and ``{}``
    give the same fingerprint. The values themselves never leave this function; note that a
    single short secret could still be guessed from its digest, so keep the ledger private.
    """
    return _digest(validate_variables(variables))


def _digest(rendered):
    canonical = sorted((name.lower(), value) for name, value in rendered.items())
    payload = json.dumps([_FINGERPRINT_VERSION, canonical], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


#: The longest query string (the encoded variables) a request that starts a run may carry. IIS,
#: in front of many controllers, refuses longer ones by default (requestFiltering maxQueryString
#: 2048, answered 404.15 or 414); http.sys and Kestrel accept more. Checked locally, before anything is sent.
MAX_QUERY_LENGTH = 2048


class RunVariables(object):
    """The variables of one request that starts a run: a flow trigger or a schedule's runNow.

    ``secret_variables`` are sent like ``variables`` but their values are only ever shown
    masked (:data:`SECRET_MASK`); they count in the ledger fingerprint (hashed). Shared by
    ``_trigger.RunRequest`` and ``_schedules.ScheduleRequest`` so both apply the same rules.
    """

    def set_variables(self, variables, secret_variables, label, delete_schedule=False):
        """Validate and render both dicts, once; raise ``VariableError`` (message starting with ``label``).

        Everything else (the fingerprint, the request shown in results) is made from what this
        keeps, without validating again. ``delete_schedule``: ``isDelete`` is sent too, so it
        counts in the query length.
        """
        self.variables = _validated(variables, "variables", label)
        self.secret_variables = _validated(secret_variables, "secret_variables", label)
        public_names = set(name.lower() for name in self.variables)
        both = [name for name in self.secret_variables if name.lower() in public_names]
        if both:
            raise VariableError("%s: secret_variables %s also in variables (names are case-insensitive); pass each "
                                "variable once" % (label, ", ".join(repr(name) for name in both)))
        query = encode_query(self.query_pairs(delete_schedule))
        if len(query) > MAX_QUERY_LENGTH:
            raise VariableError(
                "%s: the variables make a query string of %d characters; at most %d can be sent (servers such as IIS "
                "refuse longer URLs by default). Shorten the values, or pass large data another way (a file or URL the "
                "flow reads)." % (label, len(query), MAX_QUERY_LENGTH))

    def sent_variables(self):
        """Every variable as sent, secret values included: for the request and the fingerprint only."""
        merged = OrderedDict(self.variables)
        merged.update(self.secret_variables)
        return merged

    def shown_variables(self):
        """The variables as results show them: secret values masked."""
        shown = OrderedDict(self.variables)
        shown.update((name, SECRET_MASK) for name in self.secret_variables)
        return shown

    def query_pairs(self, delete_schedule=False):
        """The query parameters sent, rendered once (secret values in clear): what the client sends as is."""
        return query_pairs(self.sent_variables(), delete_schedule)

    def fingerprint(self):
        """What the ledger compares: :func:`fingerprint` of the variables sent."""
        return _digest(self.sent_variables())

    def masked_query(self, delete_schedule=False):
        """The query string sent, secret values masked: for results, never for the request."""
        return "&".join("%s=%s" % (quote(name, safe=""), SECRET_MASK) if name in self.secret_variables
                        else encode_query([(name, value)]) for name, value in self.query_pairs(delete_schedule))


def _validated(variables, option, label):
    try:
        return validate_variables(variables)
    except VariableError as exc:
        raise VariableError("%s: %s: %s" % (label, option, exc), name=exc.name) from None


def merged_variables(shared, shared_secret, own, own_secret):
    """An item's variables over the shared ones; a name the item sets (in either dict) wins."""
    own, own_secret = dict(own or {}), dict(own_secret or {})
    overridden = set(name.lower() for name in list(own) + list(own_secret))
    variables = dict((name, value) for name, value in (shared or {}).items() if name.lower() not in overridden)
    secret_variables = dict((name, value) for name, value in (shared_secret or {}).items() if name.lower() not in overridden)
    variables.update(own)
    secret_variables.update(own_secret)
    return variables, secret_variables
