# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for _errors.py: the error's message and context, and the text helpers of every message."""

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils import _errors
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    LINE_LIMIT,
    LeapworkHTTPError,
    one_line,
    redact_and_trim,
    seconds_text,
)


@pytest.mark.parametrize("text, expected", [
    (None, ""),
    ("", ""),
    ("  a\n\tb  c \r\n", "a b c"),
    (42, "42"),
    ("x" * LINE_LIMIT, "x" * LINE_LIMIT),
    ("x" * (LINE_LIMIT + 1), "x" * (LINE_LIMIT - 3) + "..."),
])
def test_one_line(text, expected):
    assert one_line(text) == expected


def test_one_line_cuts_at_the_limit_given():
    assert one_line("abcdef ghij", 8) == "abcde..."
    assert one_line("abc def", 3) == "..."


def test_redact_and_trim_redacts_before_cutting():
    secret = "k" * 10
    text = "x" * (LINE_LIMIT - 5) + secret
    assert "k" not in redact_and_trim(text, secret)
    assert redact_and_trim(None, secret) == ""


@pytest.mark.parametrize("seconds, expected", [
    (60, "60"),
    (60.0, "60"),
    (2.5, "2.5"),
    (2.54, "2.5"),
    (0.04, "0"),
    (-3, "0"),
    (3600.123, "3600.1"),
])
def test_seconds_text(seconds, expected):
    assert seconds_text(seconds) == expected


def test_one_definition_of_each_text_helper():
    # The result model and the waiter write their messages with these, not with copies.
    from ansible_collections.leapops.leapwork.plugins.module_utils import _junit, _results, _waiter
    for module in (_results, _waiter, _junit):
        assert module.one_line is _errors.one_line, module.__name__
    for module in (_results, _waiter):
        assert module.seconds_text is _errors.seconds_text, module.__name__
        assert not hasattr(module, "_seconds"), module.__name__


def test_context_follows_the_message():
    error = LeapworkHTTPError("Could not trigger a flow: the controller reported an internal error (500)", status=500)
    assert str(error) == error.message
    error.context = "idempotency_key 'release-1'"
    assert str(error) == "Could not trigger a flow: the controller reported an internal error (500) (idempotency_key 'release-1')"
    assert error.message == "Could not trigger a flow: the controller reported an internal error (500)"
    assert error.status == 500


# -- masking a secret in every form it may be echoed in (issue 19 item 1) ------------------------

SECRET = 'p@ss w0rd!"\\é<&>/\'\U0001F600'


def _forms(secret):
    """The forms a controller, a proxy or a flow's log may echo a secret in."""
    import html
    import json
    from urllib.parse import quote, quote_plus
    return {
        "raw": secret,
        "url %20": quote(secret, safe=""),
        "url +": quote_plus(secret, safe=""),
        "url, '/' kept": quote(secret),
        "url, lower-case hex": quote(secret, safe="").lower(),
        "json ascii": json.dumps(secret)[1:-1],
        "json utf-8": json.dumps(secret, ensure_ascii=False)[1:-1],
        "json escaped slash": json.dumps(secret)[1:-1].replace("/", "\\/"),
        "html": html.escape(secret),
        "html numeric": "".join("&#%d;" % ord(char) if not char.isalnum() else char for char in secret),
    }


@pytest.mark.parametrize("form", sorted(_forms(SECRET)))
def test_redact_masks_every_form_of_a_secret(form):
    echoed = _forms(SECRET)[form]
    text = _errors.redact("GET /x?Password=%s HTTP/1.1 failed" % echoed, ["other", SECRET])
    assert text == "GET /x?Password=******** HTTP/1.1 failed"


def test_redact_masks_the_form_encoded_echo_of_the_issue():
    # The issue's example: a 500 whose body quotes the query as IIS writes it.
    assert _errors.redact("Error at ?Password=p%40ss+w0rd%21&User=qa", "p@ss w0rd!") == "Error at ?Password=********&User=qa"


def test_redact_keeps_text_without_a_secret_and_none():
    assert _errors.redact("p@ss w0rd", "p@ss w0rd!") == "p@ss w0rd"
    assert _errors.redact(None, SECRET) is None
    assert _errors.redact("text", []) == "text"
    assert _errors.redact("text", ["", None]) == "text"


def test_the_longer_of_two_overlapping_secrets_is_masked_whole():
    assert _errors.redact("a=abc-long&b=abc", ["abc", "abc-long"]) == "a=********&b=********"


@pytest.mark.parametrize("form", ["url +", "json ascii", "html"])
def test_redact_and_trim_masks_every_form_before_cutting(form):
    echoed = _forms(SECRET)[form]
    text = "x" * (LINE_LIMIT - 8) + echoed
    trimmed = redact_and_trim(text, SECRET)
    assert "p%40" not in trimmed and "p@" not in trimmed
    assert trimmed.endswith("...") or trimmed.endswith("********")


def test_redact_data_masks_every_string_of_an_answer():
    answer = {"LogMessage": "Variable 'Password' = '%s'" % SECRET, "List": ["x", _forms(SECRET)["url +"]], "Count": 3, "Key": None}
    masked = _errors.redact_data(answer, [SECRET])
    assert masked == {"LogMessage": "Variable 'Password' = '********'", "List": ["x", "********"], "Count": 3, "Key": None}
    assert answer["LogMessage"].endswith("'%s'" % SECRET)  # a new value; the answer is left alone


def test_a_short_secret_leaves_the_ids_that_contain_it_whole():
    run_id = "8c1b4242-0f0e-4b45-9d74-3d1c7c3e7f42"
    assert _errors.redact("run %s failed: pin 42" % run_id, "42") == "run %s failed: pin ********" % run_id
    assert _errors.redact_data({"RunId": run_id, "Note": "42"}, ["42"]) == {"RunId": run_id, "Note": "********"}


def test_an_id_that_is_itself_a_secret_is_masked():
    token = "5B3C2B5E-1F43-4A36-9B5B-2D6A0C0F1A11"
    assert _errors.redact("token %s used" % token.lower(), token) == "token ******** used"


@pytest.mark.parametrize("secret", [
    "{5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11}",  # a GUID in braces, as .NET writes one
    "token-5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11",
    "server=db;password=5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11;",  # a connection string
    "5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11 second half",
])
def test_a_secret_that_contains_an_id_is_masked_whole(secret):
    """Ids are kept whole only against a secret that would cut them: a secret with a GUID inside is
    masked whole, in every form, and the other ids of the text stay as they are."""
    run_id = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a"
    for form, echoed in sorted(_forms(secret).items()):
        text = _errors.redact("run %s logged '%s'" % (run_id, echoed), ["42", secret])
        assert text == "run %s logged '********'" % run_id, form


def test_a_secret_that_ends_inside_an_id_is_masked():
    """A secret that only starts before an id (or ends after it) is not part of the id: it is masked,
    even if that cuts the id (a secret first)."""
    assert _errors.redact("key=pin-8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a", "pin-8c1b") == "key=********4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a"


def test_overlapping_secrets_around_an_id_are_one_mask():
    token = "5b3c2b5e-1f43-4a36-9b5b-2d6a0c0f1a11"
    assert _errors.redact("a %s b" % token.upper(), [token, "%s b" % token.upper()]) == "a ********"
    assert _errors.redact("x %s y" % token, [token.upper(), "x %s" % token]) == "******** y"
