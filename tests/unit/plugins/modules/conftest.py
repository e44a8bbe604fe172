# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The harness of the module unit tests: a module's ``main()`` run in-process with a fake client.

Everything is reached through fixtures (no ``from conftest import``). A test file provides:

``module_under_test``
    The module (``plugins/modules/<name>.py``) whose ``main()`` the tests run.
``client``
    The fake client the module gets instead of a ``LeapworkClient``.

and gets:

``run_module(args, check_mode=False)``
    Runs ``main()`` with ``args`` (plus a controller URL and an access key); returns
    ``(failed, result)``, the keyword arguments of ``fail_json`` (with ``msg``) or ``exit_json``.
``client_requests``
    The list of the module's ``client_from_module`` calls, each answered with ``client``: empty
    when the module refused its input before building a client.
``warnings_seen``
    The warnings the module gave (``module.warn``).
"""

import pytest

from ansible.module_utils import basic

from ansible_collections.leapops.leapwork.plugins.module_utils import _follow, _module
from ansible_collections.leapops.leapwork.tests.unit.plugins.module_args import patch_module_args

URL = "https://leapwork.example:9002"


class ModuleExit(SystemExit):  # like the real exit_json: not an Exception
    def __init__(self, result):
        super().__init__(result)
        self.result = result


class ModuleFail(SystemExit):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


@pytest.fixture
def module_under_test():
    raise NotImplementedError("the test file must provide a module_under_test fixture")


@pytest.fixture(autouse=True)
def module_exits(monkeypatch):
    def exit_json(self, **kwargs):
        raise ModuleExit(kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs["msg"] = msg
        raise ModuleFail(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)


@pytest.fixture
def client_requests(monkeypatch, module_under_test, client):
    """Wires ``client`` into the module; the list records each ``client_from_module`` call."""
    calls = []

    def fake_client_from_module(module, waits=None, **kwargs):
        calls.append(module)
        # As client_from_module does: the client carries the task's deadline.
        client.deadline = _module.task_deadline(module.params, waits)
        return client

    monkeypatch.setattr(module_under_test, "client_from_module", fake_client_from_module)
    # The fake client needs no requests library.
    monkeypatch.setattr(_module, "ensure_requests", lambda module: None)
    return calls


@pytest.fixture
def run_module(module_under_test, client_requests):
    def run(args, check_mode=False):
        """Run the module's ``main()`` with ``args``; return ``(failed, result)``."""
        module_args = dict(controller_url=URL, access_key="test-key")
        module_args.update(args)
        if check_mode:
            module_args["_ansible_check_mode"] = True
        with patch_module_args(module_args):
            try:
                module_under_test.main()
            except ModuleExit as exit_:
                return False, exit_.result
            except ModuleFail as fail:
                return True, fail.result
        raise AssertionError("the module did not call exit_json or fail_json")

    return run


@pytest.fixture
def warnings_seen(monkeypatch):
    seen = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning: seen.append(warning))
    return seen


@pytest.fixture
def agents_given_to_the_waiter(monkeypatch):
    """The ``agents`` argument of each ``_follow.follow_runs`` call; the runs are still followed."""
    seen = []
    real_follow_runs = _follow.follow_runs

    def follow_runs(*args, **kwargs):
        seen.append(kwargs["agents"])
        return real_follow_runs(*args, **kwargs)

    monkeypatch.setattr(_follow, "follow_runs", follow_runs)
    return seen
