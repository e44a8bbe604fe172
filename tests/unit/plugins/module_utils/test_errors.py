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
