# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the flow variable rendering (_variables.py)."""

from collections import OrderedDict

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils._variables import (
    VariableError,
    encode_query,
    fingerprint,
    query_pairs,
    RunVariables,
    validate_variables,
    variable_names,
)
from ansible_collections.leapops.leapwork.plugins.module_utils import _variables


def render_query(variables, delete_schedule=False):
    """Variables validated and rendered once, as RunVariables does, then made query pairs."""
    return query_pairs(validate_variables(variables), delete_schedule)


# -- rendering of values ------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (42, "42"),
        (-7, "-7"),
        (10 ** 30, "1000000000000000000000000000000"),
        (1.5, "1.5"),
        (-0.25, "-0.25"),
        (2.0, "2.0"),
        (0.1, "0.1"),
        (1e16, "10000000000000000.0"),
        (1e20, "100000000000000000000.0"),
        (1.5e-7, "0.00000015"),
        (None, ""),
        ("", ""),
        ("plain", "plain"),
        ("Grüße 日本", "Grüße 日本"),
    ],
)
def test_scalar_values_are_rendered(value, expected):
    assert validate_variables({"Var": value}) == {"Var": expected}


def test_bool_is_not_rendered_as_int():
    assert validate_variables({"a": True, "b": 1}) == {"a": "true", "b": "1"}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_are_rejected(value):
    with pytest.raises(VariableError) as caught:
        validate_variables({"Ratio": value})
    assert "'Ratio'" in str(caught.value)
    assert caught.value.name == "Ratio"


@pytest.mark.parametrize(
    "value, type_name",
    [({"x": 1}, "dict"), ([1, 2], "list"), ((1,), "tuple"), ({1}, "set"), (frozenset([1]), "frozenset")],
)
def test_nested_values_are_rejected_naming_the_variable_and_type(value, type_name):
    with pytest.raises(VariableError) as caught:
        validate_variables({"Good": "ok", "Nested": value})
    message = str(caught.value)
    assert "'Nested'" in message
    assert type_name in message
    assert "nested" in message
    assert caught.value.name == "Nested"


def test_unsupported_types_are_rejected():
    with pytest.raises(VariableError, match="'Raw'.*bytes"):
        validate_variables({"Raw": b"bytes"})


def test_lone_surrogate_is_rejected():
    with pytest.raises(VariableError, match="'Text'.*UTF-8"):
        validate_variables({"Text": "a\udcffb"})


def test_none_and_empty_give_no_variables():
    assert validate_variables(None) == {}
    assert validate_variables({}) == {}
    assert render_query(None) == []


def test_variables_must_be_a_mapping():
    with pytest.raises(VariableError, match="mapping"):
        validate_variables([("a", "b")])


def test_input_order_is_kept():
    result = validate_variables(OrderedDict([("zeta", 1), ("alpha", 2), ("Mid", 3)]))
    assert list(result) == ["zeta", "alpha", "Mid"]


# -- names --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a", "_x", "Var1", "my.var", "my-var", "My Var 2", "A_B.C-D"])
def test_valid_names(name):
    assert validate_variables({name: "v"}) == {name: "v"}


@pytest.mark.parametrize(
    "name",
    ["", " ", "1abc", "-a", ".a", " a", "a ", "a&b", "a=b", "a?b", "a#b", "a/b", "é", "名前", "a\tb", "a\nb", 7, None, ("a",)],
)
def test_invalid_names_are_rejected(name):
    with pytest.raises(VariableError) as caught:
        validate_variables({name: "v"})
    assert repr(name) in str(caught.value) or name == ""


@pytest.mark.parametrize("first, second", [("Env", "env"), ("URL", "Url"), ("a.b", "A.B")])
def test_names_differing_only_by_case_are_duplicates(first, second):
    with pytest.raises(VariableError) as caught:
        validate_variables(OrderedDict([(first, "1"), (second, "2")]))
    message = str(caught.value)
    assert repr(first) in message and repr(second) in message
    assert "case" in message


@pytest.mark.parametrize("name", ["isDelete", "isdelete", "ISDELETE", "IsDelete"])
def test_is_delete_is_reserved(name):
    with pytest.raises(VariableError, match="reserved"):
        validate_variables({name: "true"})


# -- query --------------------------------------------------------------------------------

def test_render_query_pairs_and_delete_schedule():
    variables = OrderedDict([("B", True), ("A", 3)])
    assert render_query(variables) == [("B", "true"), ("A", "3")]
    assert render_query(variables, delete_schedule=True) == [("B", "true"), ("A", "3"), ("isDelete", "true")]
    assert render_query(None, delete_schedule=True) == [("isDelete", "true")]


def test_render_query_validates():
    with pytest.raises(VariableError):
        render_query({"bad name!": 1})


@pytest.mark.parametrize(
    "value, encoded",
    [
        ("a&b", "a%26b"),
        ("a=b", "a%3Db"),
        ("http://host:9001/x", "http%3A%2F%2Fhost%3A9001%2Fx"),
        ("two words", "two%20words"),
        ("1+1", "1%2B1"),
        ("100%", "100%25"),
        ("#tag", "%23tag"),
        ("a/b", "a%2Fb"),
        ("é", "%C3%A9"),
        ("日本", "%E6%97%A5%E6%9C%AC"),
        ("a?b;c,d", "a%3Fb%3Bc%2Cd"),
        ("safe-_.~", "safe-_.~"),
        ("", ""),
    ],
)
def test_values_are_percent_encoded_exactly(value, encoded):
    assert encode_query(render_query({"V": value})) == "V=" + encoded


def test_names_with_spaces_are_encoded():
    assert encode_query(render_query({"My Var": "x y"})) == "My%20Var=x%20y"


def test_full_query_string():
    variables = OrderedDict([
        ("Env", "staging & prod"),
        ("Url", "https://app.example/login?next=/home#top"),
        ("Retry", 3),
        ("Debug", False),
        ("Ratio", 0.5),
        ("Note", None),
        ("Name", "Café 日本"),
    ])
    assert encode_query(render_query(variables, delete_schedule=True)) == (
        "Env=staging%20%26%20prod"
        "&Url=https%3A%2F%2Fapp.example%2Flogin%3Fnext%3D%2Fhome%23top"
        "&Retry=3&Debug=false&Ratio=0.5&Note="
        "&Name=Caf%C3%A9%20%E6%97%A5%E6%9C%AC"
        "&isDelete=true"
    )


def test_encode_empty():
    assert encode_query([]) == ""


# -- fingerprint --------------------------------------------------------------------------

def test_fingerprint_is_sha256_hex():
    value = fingerprint({"a": 1})
    assert len(value) == 64
    assert int(value, 16) >= 0


def test_fingerprint_ignores_order():
    forward = OrderedDict([("a", 1), ("b", "x"), ("c", None)])
    backward = OrderedDict([("c", None), ("b", "x"), ("a", 1)])
    assert fingerprint(forward) == fingerprint(backward)


def test_fingerprint_matches_values_sent_identically():
    assert fingerprint({"a": True}) == fingerprint({"a": "true"})
    assert fingerprint({"n": 3}) == fingerprint({"n": "3"})
    assert fingerprint({"x": None}) == fingerprint({"x": ""})
    assert fingerprint({"Env": "a"}) == fingerprint({"env": "a"})
    assert fingerprint(None) == fingerprint({})


def test_fingerprint_tells_different_variables_apart():
    base = fingerprint({"a": "1"})
    assert fingerprint({"a": "2"}) != base
    assert fingerprint({"b": "1"}) != base
    assert fingerprint({"a": "1", "b": ""}) != base
    assert fingerprint({"a": True}) != fingerprint({"a": "True"})
    # no ambiguity from separators inside names or values
    assert fingerprint({"a": "b,c"}) != fingerprint({"a": "b", "c": ""})


def test_fingerprint_is_stable_across_releases():
    # A changed fingerprint would turn every recorded key into a conflict: change it on purpose only.
    assert fingerprint({}) == fingerprint(None)
    assert fingerprint({"Env": "staging", "Retry": 3}) == fingerprint({"retry": "3", "env": "staging"})
    assert fingerprint({"a": True}) == "414459f3c556f1121ad91d38ccb762f10e7ea4972625bb6388d7b14c9612dbd2"


def test_fingerprint_validates():
    with pytest.raises(VariableError):
        fingerprint({"a": [1]})


# -- one pass: RunVariables validates and renders once, the rest is made from its product -----

def test_variable_names_leave_out_is_delete_by_name():
    pairs = render_query({"B": True, "A": 3}, delete_schedule=True)
    assert variable_names(pairs) == ["B", "A"]
    assert variable_names(render_query({"B": True})) == ["B"]
    assert variable_names(render_query(None, delete_schedule=True)) == []


def test_run_variables_validate_once(monkeypatch):
    calls = []
    real = _variables.validate_variables

    def counting(variables):
        calls.append(variables)
        return real(variables)

    monkeypatch.setattr(_variables, "validate_variables", counting)
    request = RunVariables()
    request.set_variables({"Env": 1.5, "Url": "a b"}, {"Token": True}, "flow_run", delete_schedule=True)
    assert len(calls) == 2  # the variables, then the secret variables
    assert request.query_pairs(True) == [("Env", "1.5"), ("Url", "a b"), ("Token", "true"), ("isDelete", "true")]
    assert request.masked_query(True) == "Env=1.5&Url=a%20b&Token=********&isDelete=true"
    assert request.masked_query() == "Env=1.5&Url=a%20b&Token=********"
    assert request.fingerprint() == fingerprint({"env": "1.5", "URL": "a b", "token": "true"})
    assert len(calls) == 3  # only the fingerprint() call of this test: the request made none
