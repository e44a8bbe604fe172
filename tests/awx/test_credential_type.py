# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""extensions/awx/leapwork_credential_type.json follows AWX's rules for custom credential types."""

import os
import re
import sys

from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from conftest import load_credential_type, render_injectors

# AWX's build_safe_env hides, in the job environment it shows, the values of these variables.
AWX_HIDDEN_ENV_NAME = re.compile(r"API|TOKEN|KEY|SECRET|PASS", re.I)
# What the modules read (plugins/module_utils/_module.py, plugins/modules/flow_run.py).
MODULE_ENV = {"LEAPWORK_CONTROLLER_URL", "LEAPWORK_ACCESS_KEY", "LEAPWORK_VALIDATE_CERTS", "LEAPWORK_CA_PATH", "LEAPWORK_LEDGER_PATH"}


def referenced_names(template):
    return meta.find_undeclared_variables(ImmutableSandboxedEnvironment().parse(template))


def test_shape_awx_accepts():
    credential_type = load_credential_type()
    assert set(credential_type) == {"name", "description", "kind", "inputs", "injectors"}
    assert credential_type["kind"] in ("cloud", "net")  # the kinds a custom type may have
    ids = [field["id"] for field in credential_type["inputs"]["fields"]]
    assert len(ids) == len(set(ids))
    assert set(credential_type["inputs"]["required"]) <= set(ids)
    assert all(field["type"] in ("string", "boolean") for field in credential_type["inputs"]["fields"])
    assert set(credential_type["injectors"]) <= {"env", "file", "extra_vars"}
    assert all(re.match(r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$", label) for label in credential_type["injectors"]["file"])
    for template in list(credential_type["injectors"]["env"].values()) + list(credential_type["injectors"]["file"].values()):
        assert referenced_names(template) <= set(ids) | {"tower"}, template


def test_injects_exactly_what_the_modules_read():
    assert set(load_credential_type()["injectors"]["env"]) == MODULE_ENV


def test_secrets_go_only_into_variables_awx_hides():
    credential_type = load_credential_type()
    secrets = {field["id"] for field in credential_type["inputs"]["fields"] if field.get("secret")}
    assert secrets == {"access_key"}
    for name, template in credential_type["injectors"]["env"].items():
        if referenced_names(template) & secrets:
            assert AWX_HIDDEN_ENV_NAME.search(name), name


def test_defaults_when_optional_inputs_are_left_out(tmp_path):
    env = render_injectors(load_credential_type(), {"controller_url": "https://leapwork.example.com", "access_key": "k"}, str(tmp_path))
    assert env["LEAPWORK_VALIDATE_CERTS"] == "true"  # never silently off
    assert env["LEAPWORK_CA_PATH"] == ""
    assert env["LEAPWORK_LEDGER_PATH"] == "~/.ansible/leapwork/ledger.json"


def test_ledger_default_is_the_modules_default():
    staged = os.environ["ANSIBLE_COLLECTIONS_PATH"]
    sys.path.insert(0, staged)
    try:
        from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import DEFAULT_LEDGER_PATH  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.remove(staged)
    template = load_credential_type()["injectors"]["env"]["LEAPWORK_LEDGER_PATH"]
    assert "'%s'" % DEFAULT_LEDGER_PATH in template
