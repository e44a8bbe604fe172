# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Each rule is defined once: the copies that cannot import it (docs, role files) are checked
against the Python definition, and the code is checked to use the definition, not a literal."""

import ast
import os

import pytest
import yaml

from ansible_collections.leapops.leapwork.plugins.filter.verify_plan import REQUEST_FACT, REQUEST_KEYS
from ansible_collections.leapops.leapwork.plugins.module_utils import _statuses
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import DEFAULT_LEDGER_PATH, RERUN_CHOICES
from ansible_collections.leapops.leapwork.plugins.module_utils._module import run_start_argument_spec
from ansible_collections.leapops.leapwork.plugins.module_utils._results import PASSED
from ansible_collections.leapops.leapwork.plugins.module_utils._waiter import DEFAULT_GRACE_SECONDS, DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT
from ansible_collections.leapops.leapwork.plugins.modules import flow_run, schedule_run

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PLUGINS = os.path.join(ROOT, "plugins")
ROLE = os.path.join(ROOT, "roles", "verify_deployment")
MODULES_WITH_A_LEDGER = (flow_run, schedule_run)
RUN_STATUSES = (_statuses.STATUS_QUEUED, _statuses.STATUS_FINISHED, "Executing")


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return handle.read()


def python_files(folder):
    for directory, _dirs, files in os.walk(folder):
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(directory, name)


def parsed_files(folder, skip=None):
    """``(path, tree)`` for every Python file under ``folder``, but the one named ``skip``."""
    for path in python_files(folder):
        if os.path.basename(path) == skip:
            continue
        with open(path, encoding="utf-8") as handle:
            yield path, ast.parse(handle.read(), path)


def role_options():
    return yaml.safe_load(read("roles", "verify_deployment", "meta", "argument_specs.yml"))["argument_specs"]["main"]["options"]


def role_defaults():
    return yaml.safe_load(read("roles", "verify_deployment", "defaults", "main.yml"))


# -- the ledger's default path ----------------------------------------------------------------

@pytest.mark.parametrize("module", MODULES_WITH_A_LEDGER, ids=lambda module: module.__name__.rsplit(".", 1)[-1])
def test_module_documents_the_ledger_default(module):
    assert yaml.safe_load(module.DOCUMENTATION)["options"]["ledger_path"]["default"] == DEFAULT_LEDGER_PATH


def test_role_documents_the_ledger_default():
    assert "C(%s)" % DEFAULT_LEDGER_PATH in " ".join(role_options()["verify_deployment_ledger_path"]["description"])
    # The role leaves the choice to the module: empty means the module's default.
    assert role_defaults()["verify_deployment_ledger_path"] == ""
    assert "(%s)" % DEFAULT_LEDGER_PATH in read("roles", "verify_deployment", "defaults", "main.yml")
    assert "`%s`" % DEFAULT_LEDGER_PATH in read("roles", "verify_deployment", "README.md")


@pytest.mark.parametrize("doc", ["idempotency.md", "awx.md"])
def test_docs_name_the_ledger_default(doc):
    assert "`%s`" % DEFAULT_LEDGER_PATH in read("docs", doc)


# -- rerun ------------------------------------------------------------------------------------

@pytest.mark.parametrize("module", MODULES_WITH_A_LEDGER, ids=lambda module: module.__name__.rsplit(".", 1)[-1])
def test_module_documents_the_rerun_choices(module):
    option = yaml.safe_load(module.DOCUMENTATION)["options"]["rerun"]
    assert option["choices"] == list(RERUN_CHOICES)
    assert option["default"] == RERUN_CHOICES[0]


def test_role_offers_the_rerun_choices():
    option = role_options()["verify_deployment_rerun"]
    assert option["choices"] == list(RERUN_CHOICES)
    assert option["default"] == role_defaults()["verify_deployment_rerun"] == RERUN_CHOICES[0]


def test_run_start_argument_spec_takes_the_rerun_choices_from_the_ledger():
    spec = run_start_argument_spec(dict(flow_id=dict(type="str")), items="runs")
    assert spec["rerun"]["choices"] == list(RERUN_CHOICES)
    assert spec["rerun"]["default"] == RERUN_CHOICES[0]


@pytest.mark.parametrize("module", MODULES_WITH_A_LEDGER, ids=lambda module: module.__name__.rsplit(".", 1)[-1])
def test_rerun_documents_the_waiters_grace(module):
    # rerun=failed reuses a run the controller does not know yet within the waiter's grace.
    description = " ".join(yaml.safe_load(module.DOCUMENTATION)["options"]["rerun"]["description"])
    assert "less than %g seconds ago" % DEFAULT_GRACE_SECONDS in description


def test_docs_name_the_grace_of_rerun_failed():
    assert "recorded less than %g s ago" % DEFAULT_GRACE_SECONDS in read("docs", "idempotency.md")
    assert "The grace is the waiter's (%g s)" % DEFAULT_GRACE_SECONDS in read("docs", "reliability.md")


@pytest.mark.parametrize("name", ["flow_run.py", "schedule_run.py", os.path.join("..", "module_utils", "_module.py")])
def test_no_literal_rerun_choices(name):
    # flow_run and schedule_run build their specs with run_start_argument_spec; a literal list
    # anywhere would drift from RERUN_CHOICES unnoticed by the ledger's own check.
    with open(os.path.join(PLUGINS, "modules", name), encoding="utf-8") as handle:
        source = handle.read()
    assert '"never", "failed", "always"' not in source
    if name != os.path.join("..", "module_utils", "_module.py"):
        assert "run_start_argument_spec(" in source


# -- the wait defaults --------------------------------------------------------------------------

@pytest.mark.parametrize("option, expected", [
    ("verify_deployment_wait_timeout", DEFAULT_WAIT_TIMEOUT),
    ("verify_deployment_poll_interval", DEFAULT_POLL_INTERVAL),
    ("verify_deployment_done_status_as", PASSED),
])
def test_role_wait_defaults_are_the_modules(option, expected):
    assert role_defaults()[option] == expected
    assert role_options()[option]["default"] == expected


@pytest.mark.parametrize("option, module_option", [
    ("verify_deployment_retries", "retries"),
    ("verify_deployment_fail_on_flaky", "fail_on_flaky"),
])
def test_role_pool_defaults_are_flow_runs(option, module_option):
    expected = flow_run.argument_spec()[module_option]["default"]
    assert role_defaults()[option] == expected
    assert role_options()[option]["default"] == expected


# -- the role's request, as the verify_plan filter reads it ---------------------------------------

def test_the_role_sets_the_request_the_plan_reads_and_clears_it():
    block = yaml.safe_load(read("roles", "verify_deployment", "tasks", "verify.yml"))[0]
    facts = [task["ansible.builtin.set_fact"] for task in block["block"] + block["always"] if "ansible.builtin.set_fact" in task]
    requests = [fact[REQUEST_FACT] for fact in facts if REQUEST_FACT in fact]
    assert sorted(requests[0]) == sorted(REQUEST_KEYS)
    # Cleared at the end of the block (handlers run no `always`) and in `always`.
    assert requests[1:] == [None, None]
    assert block["always"][-1]["ansible.builtin.set_fact"] == {REQUEST_FACT: None}


# -- run statuses, and layers that point one way ------------------------------------------------

def test_run_status_literals_live_only_in_statuses():
    found = []
    for path, tree in parsed_files(PLUGINS, skip="_statuses.py"):
        found.extend("%s:%d %r" % (os.path.relpath(path, PLUGINS), node.lineno, node.value) for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and node.value in RUN_STATUSES)
    assert found == []


def test_module_utils_do_not_import_the_module_layer():
    # Only _module.py touches AnsibleModule; lower layers import nothing from it.
    found = []
    for path, tree in parsed_files(os.path.join(PLUGINS, "module_utils"), skip="_module.py"):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.module.endswith("module_utils._module") or node.module == "ansible.module_utils.basic"):
                found.append("%s imports %s" % (os.path.basename(path), node.module))
    assert found == []


# -- one status table, one backoff rule, one GUID message, one name picker -----------------------

def _http_status_collections(tree):
    """Literal collections (tuple, list, set, dict keys) holding two or more HTTP status codes."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            elements = node.elts
        elif isinstance(node, ast.Dict):
            elements = [key for key in node.keys if key is not None]
        else:
            continue
        codes = [element.value for element in elements
                 if isinstance(element, ast.Constant) and isinstance(element.value, int)
                 and not isinstance(element.value, bool) and 100 <= element.value <= 599]
        if len(codes) >= 2:
            yield node.lineno, codes


def test_http_status_lists_live_only_in_the_status_table():
    # The client, the waiter, the trigger and the schedules read _http_status; a list of status
    # codes anywhere else would be a second policy that drifts from the table.
    found = []
    for path, tree in parsed_files(PLUGINS, skip="_http_status.py"):
        found.extend("%s:%d %r" % (os.path.relpath(path, PLUGINS), line, codes) for line, codes in _http_status_collections(tree))
    assert found == []


def test_the_status_table_check_sees_a_list():
    # The check above is not blind: the forms the old lists had are found.
    for source in ("RETRYABLE = frozenset((429, 448, 455, 502, 503, 504))", "if status in (404, 405): pass",
                   "MEANING = {410: 'running', 446: 'disk'}"):
        assert list(_http_status_collections(ast.parse(source)))


def _backoff_arithmetic(tree):
    """A pause grown in place (``pause *= 1.5``) or raised to a counter (``base * factor ** attempt``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Mult):
            yield node.lineno
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(node.right, (ast.Name, ast.Attribute)):
            yield node.lineno


def test_one_backoff_rule():
    found = []
    for path, tree in parsed_files(PLUGINS, skip="_deadline.py"):
        name = os.path.basename(path)
        found.extend("%s:%d" % (name, line) for line in _backoff_arithmetic(tree))
        found.extend("%s defines %s" % (name, target.id) for node in ast.walk(tree) if isinstance(node, ast.Assign)
                     for target in node.targets if isinstance(target, ast.Name)
                     and any(word in target.id for word in ("FACTOR", "FIRST_PAUSE", "BACKOFF_BASE")))
    assert found == []
    assert list(_backoff_arithmetic(ast.parse("pause *= 1.5\ndelay = 0.5 * 2.0 ** attempt"))) == [1, 2]


def test_one_guid_message():
    found = []
    for path, tree in parsed_files(PLUGINS, skip="_ids.py"):
        found.extend("%s:%d" % (os.path.relpath(path, PLUGINS), node.lineno) for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str)
                     and ("GUID such as" in node.value or "GUIDs such as" in node.value))
    assert found == []


def test_one_name_picker():
    # Names (flows, agents, schedules) are matched and suggested by _catalogue alone.
    found = []
    for path in python_files(PLUGINS):
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        name = os.path.basename(path)
        if name != "_catalogue.py" and ("difflib" in source or "did you mean" in source):
            found.append(name)
    assert found == []
