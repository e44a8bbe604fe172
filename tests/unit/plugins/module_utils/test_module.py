# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the module glue (_module.py) and the connection doc fragment."""

import json

import pytest
import yaml

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.leapops.leapwork.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.leapops.leapwork.plugins.doc_fragments.run_ids import ModuleDocFragment as RunIdsDocFragment
from ansible_collections.leapops.leapwork.plugins.doc_fragments.wait import ModuleDocFragment as WaitDocFragment
from ansible_collections.leapops.leapwork.plugins.module_utils import _module
from ansible_collections.leapops.leapwork.plugins.module_utils._client import LeapworkClient
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    LeapworkConnectionError,
    LeapworkError,
    LeapworkHTTPError,
    TriggerOutcomeUnknown,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._module import (
    client_from_module,
    connection_argument_spec,
    ensure_requests,
    fail_from_error,
    run_ids_argument_spec,
    run_start_argument_spec,
    start_module,
    validate_connection_params,
    wait_argument_spec,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._ids import EXAMPLE_GUID, guid_problem, is_guid
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import RERUN_CHOICES

RUN = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a"
ENV_NAMES = {
    "controller_url": "LEAPWORK_CONTROLLER_URL",
    "access_key": "LEAPWORK_ACCESS_KEY",
    "validate_certs": "LEAPWORK_VALIDATE_CERTS",
    "ca_path": "LEAPWORK_CA_PATH",
}


class FailJson(Exception):
    def __init__(self, result):
        super().__init__(result.get("msg"))
        self.result = result


class FakeModule(object):
    def __init__(self, **params):
        self.params = dict(controller_url="https://leapwork.example:9002", access_key="test-access-key-0001", validate_certs=True,
                           ca_path=None, request_timeout=30.0)
        self.params.update(params)

    def fail_json(self, **result):
        raise FailJson(result)


def run_module(monkeypatch, capsys, args, build=None):
    """Build an AnsibleModule (by default with the connection argspec); return its params or its failure."""
    if build is None:
        def build():
            return AnsibleModule(argument_spec=connection_argument_spec())
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:  # ansible-core < 2.19
        patch_module_args = None
    try:
        if patch_module_args is not None:
            with patch_module_args(args):
                return build().params
        monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8"))
        return build().params
    except SystemExit:
        return json.loads(capsys.readouterr().out)


# -- argument spec ---------------------------------------------------------------------------

def test_argument_spec_shape():
    spec = connection_argument_spec()
    assert set(spec) == {"controller_url", "access_key", "validate_certs", "ca_path", "request_timeout"}
    assert spec["controller_url"]["type"] == "str" and spec["controller_url"]["required"] is True
    assert spec["access_key"]["type"] == "str" and spec["access_key"]["required"] is True
    assert spec["access_key"]["no_log"] is True
    assert spec["validate_certs"] == dict(type="bool", default=True, fallback=(env_fallback, ["LEAPWORK_VALIDATE_CERTS"]))
    assert spec["ca_path"] == dict(type="path", fallback=(env_fallback, ["LEAPWORK_CA_PATH"]))
    assert spec["request_timeout"] == dict(type="float", default=30)
    for option, variable in ENV_NAMES.items():
        assert spec[option]["fallback"] == (env_fallback, [variable])


def test_argument_spec_is_a_fresh_dict():
    spec = connection_argument_spec()
    spec["controller_url"]["required"] = False
    spec["extra"] = {}
    assert connection_argument_spec()["controller_url"]["required"] is True
    assert "extra" not in connection_argument_spec()


def test_env_fallbacks_through_ansible_module(monkeypatch, capsys):
    monkeypatch.setenv("LEAPWORK_CONTROLLER_URL", "https://env.example:9002")
    monkeypatch.setenv("LEAPWORK_ACCESS_KEY", "env-key")
    monkeypatch.setenv("LEAPWORK_VALIDATE_CERTS", "no")
    params = run_module(monkeypatch, capsys, {})
    assert params["controller_url"] == "https://env.example:9002"
    assert params["access_key"] == "env-key"
    assert params["validate_certs"] is False
    assert params["request_timeout"] == 30.0 and params["ca_path"] is None


def test_ca_path_from_env(monkeypatch, capsys, tmp_path):
    # How the AWX credential type hands over its CA bundle: a file, named by LEAPWORK_CA_PATH.
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("LEAPWORK_CONTROLLER_URL", "https://env.example:9002")
    monkeypatch.setenv("LEAPWORK_ACCESS_KEY", "env-key")
    monkeypatch.setenv("LEAPWORK_CA_PATH", str(bundle))
    params = run_module(monkeypatch, capsys, {})
    assert params["ca_path"] == str(bundle)
    assert validate_connection_params(params) == "https://env.example:9002"


def test_empty_ca_path_from_env_means_none(monkeypatch, capsys):
    # The credential type sets LEAPWORK_CA_PATH empty when the credential has no CA bundle.
    monkeypatch.setenv("LEAPWORK_CONTROLLER_URL", "https://env.example:9002")
    monkeypatch.setenv("LEAPWORK_ACCESS_KEY", "env-key")
    monkeypatch.setenv("LEAPWORK_CA_PATH", "")
    params = run_module(monkeypatch, capsys, {})
    assert not params["ca_path"]
    assert validate_connection_params(params) == "https://env.example:9002"
    client = LeapworkClient("https://env.example:9002", "env-key", ca_path=params["ca_path"])
    assert client.verify is True


def test_options_win_over_env(monkeypatch, capsys):
    monkeypatch.setenv("LEAPWORK_CONTROLLER_URL", "https://env.example:9002")
    monkeypatch.setenv("LEAPWORK_ACCESS_KEY", "env-key")
    params = run_module(monkeypatch, capsys, {"controller_url": "https://task.example", "access_key": "task-key",
                                              "request_timeout": "5"})
    assert params["controller_url"] == "https://task.example" and params["access_key"] == "task-key"
    assert params["validate_certs"] is True and params["request_timeout"] == 5.0


def test_required_without_env(monkeypatch, capsys):
    for variable in ENV_NAMES.values():
        monkeypatch.delenv(variable, raising=False)
    result = run_module(monkeypatch, capsys, {})
    assert result["failed"] is True
    assert "access_key" in result["msg"] and "controller_url" in result["msg"]


# -- is_guid ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (RUN, True),
    (RUN.upper(), True),
    ("{%s}" % RUN, False),
    (RUN.replace("-", ""), False),
    (" %s" % RUN, False),
    ("%s\n" % RUN, False),
    (RUN[:-1], False),
    (RUN[:-1] + "g", False),
    ("", False),
    (None, False),
    (42, False),
])
def test_is_guid(value, expected):
    assert is_guid(value) is expected
    assert (guid_problem("run_id", value) is None) is expected


def test_guid_problem_names_the_option_with_the_one_example():
    assert guid_problem("flow_id", "login-smoke") == "flow_id must be a GUID such as %s, got 'login-smoke'" % EXAMPLE_GUID
    assert is_guid(EXAMPLE_GUID)


# -- requests guard, validation, client construction -----------------------------------------

def test_ensure_requests_passes_when_installed():
    ensure_requests(FakeModule())


def test_ensure_requests_fails_with_the_standard_message(monkeypatch):
    monkeypatch.setattr(_module, "HAS_REQUESTS", False)
    monkeypatch.setattr(_module, "REQUESTS_IMPORT_ERROR", "Traceback: No module named 'requests'")
    with pytest.raises(FailJson) as info:
        ensure_requests(FakeModule())
    assert "Failed to import the required Python library (requests)" in info.value.result["msg"]
    assert info.value.result["exception"] == "Traceback: No module named 'requests'"


def test_client_from_module_builds_the_client():
    module = FakeModule(controller_url="https://proxy.example/leapwork/", validate_certs=False, request_timeout=7.5)
    client = client_from_module(module)
    assert isinstance(client, LeapworkClient)
    assert client.controller_url == "https://proxy.example/leapwork"
    assert client.base_url == "https://proxy.example/leapwork/api/v4"
    assert client.verify is False and client.request_timeout == 7.5


def test_client_from_module_passes_extra_arguments(fake_transport, fake_sleep):
    client = client_from_module(FakeModule(), session=fake_transport, sleep=fake_sleep, retries=1)
    fake_transport.add("GET", "/agents", fake_transport.Response(503), [])
    assert client.agents() == []
    assert client.retries == 1 and fake_sleep.calls and fake_transport.count == 2


def test_client_from_module_with_ca_path(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert client_from_module(FakeModule(ca_path=str(bundle))).verify == str(bundle)


@pytest.mark.parametrize("params, message", [
    ({"controller_url": "leapwork.example:9002"}, "controller_url must start with http:// or https://"),
    ({"controller_url": "https://"}, "controller_url must name a host"),
    ({"controller_url": "https://h?x=1"}, "controller_url must not carry a query string"),
    ({"request_timeout": 0.0}, "request_timeout must be greater than 0"),
    ({"request_timeout": -3.0}, "request_timeout must be greater than 0"),
    ({"request_timeout": float("inf")}, "request_timeout must be greater than 0 and finite (seconds), got inf"),
    ({"request_timeout": float("nan")}, "request_timeout must be greater than 0 and finite (seconds), got nan"),
    ({"ca_path": "/nonexistent/ca.pem"}, "ca_path /nonexistent/ca.pem does not exist"),
    ({"access_key": "a\nb"}, "access_key contains characters that cannot be sent"),
    ({"access_key": "   "}, "access_key is required"),
])
def test_client_from_module_rejects_bad_options(params, message):
    with pytest.raises(FailJson) as info:
        client_from_module(FakeModule(**params))
    assert message in info.value.result["msg"]


def test_missing_ca_path_is_fine_without_verification():
    assert validate_connection_params(FakeModule(ca_path="/nonexistent", validate_certs=False).params) == \
        "https://leapwork.example:9002"


def test_url_with_password_is_not_echoed():
    with pytest.raises(FailJson) as info:
        client_from_module(FakeModule(controller_url="https://me:pa55word@h"))
    assert "pa55word" not in info.value.result["msg"]


def test_validate_connection_params_normalises():
    assert validate_connection_params(FakeModule(controller_url="https://h:9002/x/api/v4/").params) == "https://h:9002/x"


# -- fail_from_error -------------------------------------------------------------------------

def test_fail_from_error_http_error():
    error = LeapworkHTTPError("Could not read run status (run %s): run %s not found (404 No such run)" % (RUN, RUN),
                              operation="read run status", status=404, body="No such run", run_id=RUN)
    with pytest.raises(FailJson) as info:
        fail_from_error(FakeModule(), error, changed=False)
    assert info.value.result == {"msg": str(error), "status": 404, "run_id": RUN, "changed": False}


def test_fail_from_error_without_status_or_run_id():
    with pytest.raises(FailJson) as info:
        fail_from_error(FakeModule(), LeapworkConnectionError("Could not list agents: no answer"))
    assert info.value.result == {"msg": "Could not list agents: no answer"}


def test_fail_from_error_facts_win_over_extra():
    error = TriggerOutcomeUnknown("may have started", status=None, run_id=None)
    with pytest.raises(FailJson) as info:
        fail_from_error(FakeModule(), error, run_id=None, changed=True, flow_id="f")
    assert info.value.result == {"msg": "may have started", "run_id": None, "changed": True, "flow_id": "f"}
    error = LeapworkHTTPError("boom", status=500, run_id=RUN)
    with pytest.raises(FailJson) as info:
        fail_from_error(FakeModule(), error, run_id=None, status=None)
    assert info.value.result["run_id"] == RUN and info.value.result["status"] == 500


def test_fail_from_error_never_shows_the_access_key():
    error = LeapworkError("controller said: bad key secret-key-123")
    with pytest.raises(FailJson) as info:
        fail_from_error(FakeModule(access_key="secret-key-123"), error)
    assert "secret-key-123" not in info.value.result["msg"]
    assert "********" in info.value.result["msg"]


def test_fail_from_error_shows_the_context():
    # _trigger adds the idempotency key as the error's context; the message must show it.
    error = TriggerOutcomeUnknown("may have started")
    error.context = "idempotency_key 'release-42'"
    with pytest.raises(FailJson) as info:
        fail_from_error(FakeModule(), error)
    assert info.value.result["msg"] == "may have started (idempotency_key 'release-42')"
    assert str(error) == info.value.result["msg"]
    assert error.message == "may have started"


# -- doc fragment ----------------------------------------------------------------------------

def test_doc_fragment_matches_the_argument_spec():
    options = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    spec = connection_argument_spec()
    assert set(options) == set(spec)
    for name, argument in spec.items():
        documented = options[name]
        assert documented["type"] == argument["type"], name
        assert documented.get("required", False) == argument.get("required", False), name
        assert documented.get("default") == argument.get("default"), name
        assert "env" not in documented, name
        text = " ".join(documented["description"])
        if name in ENV_NAMES:
            assert "E(%s)" % ENV_NAMES[name] in text, name


def test_doc_fragment_says_the_key_is_never_logged():
    options = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    assert "never logged" in " ".join(options["access_key"]["description"])


class TestAwx:
    AWX_JOB = {"JOB_ID": "42", "AWX_HOST": "https://awx.example.com"}

    @pytest.mark.parametrize("environ, job_id", [
        ({"JOB_ID": "42", "AWX_HOST": "https://awx.example.com"}, "42"),
        ({"JOB_ID": "42"}, None),  # another CI's JOB_ID alone is not AWX
        ({"AWX_HOST": "https://awx.example.com"}, None),
        ({}, None),
    ])
    def test_awx_job_id_needs_job_id_and_awx_host(self, environ, job_id):
        assert _module.awx_job_id(environ) == job_id

    def test_default_ledger_in_awx_job_is_warned_with_the_fix(self, monkeypatch, tmp_path):
        monkeypatch.setenv("HOME", str(tmp_path))
        warning = _module.ledger_lost_with_job_warning("~/.ansible/leapwork/ledger.json", self.AWX_JOB)
        assert "AWX job 42" in warning
        assert str(tmp_path / ".ansible" / "leapwork" / "ledger.json") in warning
        assert "LEAPWORK_LEDGER_PATH" in warning
        assert "ledger_path" in warning

    def test_default_ledger_spelled_out_is_still_the_default(self, monkeypatch, tmp_path):
        monkeypatch.setenv("HOME", str(tmp_path))
        path = str(tmp_path / ".ansible" / "leapwork" / "ledger.json")
        assert _module.ledger_lost_with_job_warning(path, self.AWX_JOB) is not None

    def test_other_ledger_in_awx_job_is_not_warned(self, tmp_path):
        assert _module.ledger_lost_with_job_warning(str(tmp_path / "ledger.json"), self.AWX_JOB) is None

    def test_default_ledger_outside_awx_is_not_warned(self):
        assert _module.ledger_lost_with_job_warning("~/.ansible/leapwork/ledger.json", {"JOB_ID": "7"}) is None


def test_wait_argument_spec_matches_the_doc_fragment():
    documented = yaml.safe_load(WaitDocFragment.DOCUMENTATION)["options"]
    spec = wait_argument_spec()
    assert set(spec) == set(documented)
    for name, option in spec.items():
        doc = documented[name]
        assert option["type"] == doc["type"], name
        assert option.get("default") == doc.get("default"), name
        assert option.get("choices") == doc.get("choices"), name
        assert doc["description"], name


# -- start-up ----------------------------------------------------------------------------------

CONNECTION = dict(controller_url="https://leapwork.example:9002", access_key="test-access-key-0001")


def start(monkeypatch, capsys, args, argument_spec=None, **options):
    """``start_module`` with ``args`` (plus the connection): its params, or the JSON of its failure."""
    return run_module(monkeypatch, capsys, dict(CONNECTION, **args),
                      build=lambda: start_module(argument_spec or {}, **options))


def test_start_module_adds_the_connection_options_to_the_module_spec(monkeypatch, capsys):
    params = start(monkeypatch, capsys, dict(name="x"), argument_spec=dict(name=dict(type="str")))
    assert params["name"] == "x"
    assert params["request_timeout"] == 30 and params["validate_certs"] is True
    assert "wait" not in params and "max_concurrency" not in params


def test_start_module_with_wait_adds_and_checks_the_wait_options(monkeypatch, capsys):
    params = start(monkeypatch, capsys, {}, wait=True)
    assert dict((name, params[name]) for name in wait_argument_spec()) == dict(
        wait=False, wait_timeout=3600, poll_interval=5.0, stop_on_timeout=True, fail_on_failure=True,
        done_status_as="passed", junit_path=None)
    failure = start(monkeypatch, capsys, dict(wait_timeout=-1), wait=True)
    assert failure["failed"] is True
    assert failure["msg"] == "wait_timeout must be 0 or more seconds, got -1"


def test_start_module_fails_without_requests(monkeypatch, capsys):
    monkeypatch.setattr(_module, "HAS_REQUESTS", False)
    failure = start(monkeypatch, capsys, {})
    assert failure["failed"] is True
    assert "Failed to import the required Python library (requests)" in failure["msg"]


def test_the_requests_guard_runs_once_per_module(monkeypatch, capsys):
    guarded = []
    monkeypatch.setattr(_module, "ensure_requests", guarded.append)
    modules = []

    def build():
        modules.append(start_module({}))
        return modules[0]

    run_module(monkeypatch, capsys, dict(CONNECTION), build=build)
    client_from_module(modules[0])
    assert guarded == modules


def test_run_starters_check_max_concurrency_and_junit_path_before_any_request(monkeypatch, capsys, tmp_path):
    spec = run_start_argument_spec(dict(flow_id=dict(type="str")), items="runs")
    failure = start(monkeypatch, capsys, dict(max_concurrency=0), argument_spec=spec, wait=True, starts_runs=True)
    assert failure["msg"] == "max_concurrency must be at least 1, got 0"
    # Without wait too: a report that cannot be written must not cost a run.
    failure = start(monkeypatch, capsys, dict(junit_path=str(tmp_path)), argument_spec=spec, wait=True, starts_runs=True)
    assert failure["msg"] == "junit_path %s is a directory; give the path of the report file" % tmp_path
    # In check mode too: nothing is started or written, but the real run would need the report.
    failure = start(monkeypatch, capsys, dict(junit_path=str(tmp_path), _ansible_check_mode=True), argument_spec=spec,
                    wait=True, starts_runs=True)
    assert failure["msg"] == "junit_path %s is a directory; give the path of the report file" % tmp_path
    params = start(monkeypatch, capsys, dict(junit_path=str(tmp_path / "report.xml"), _ansible_check_mode=True),
                   argument_spec=spec, wait=True, starts_runs=True)
    assert params["junit_path"] == str(tmp_path / "report.xml")
    assert list(tmp_path.iterdir()) == []


def test_run_readers_check_junit_path_when_they_wait(monkeypatch, capsys, tmp_path):
    params = start(monkeypatch, capsys, dict(junit_path=str(tmp_path)), wait=True)
    assert params["junit_path"] == str(tmp_path)
    failure = start(monkeypatch, capsys, dict(junit_path=str(tmp_path), wait=True, _ansible_check_mode=True), wait=True)
    assert failure["msg"] == "junit_path %s is a directory; give the path of the report file" % tmp_path


def test_run_start_argument_spec(monkeypatch, capsys, tmp_path):
    spec = run_start_argument_spec(dict(schedule=dict(type="str")), items="schedules")
    assert set(spec) == {"schedule", "variables", "secret_variables", "idempotency_key", "ledger_path", "rerun",
                         "max_concurrency", "schedules"}
    assert set(spec["schedules"]["options"]) == {"schedule", "variables", "secret_variables", "idempotency_key"}
    assert spec["secret_variables"]["no_log"] is True and spec["schedules"]["options"]["secret_variables"]["no_log"] is True
    assert spec["rerun"]["choices"] == list(RERUN_CHOICES)
    monkeypatch.setenv("LEAPWORK_LEDGER_PATH", str(tmp_path / "ledger.json"))
    params = start(monkeypatch, capsys, {}, argument_spec=spec)
    assert params["ledger_path"] == str(tmp_path / "ledger.json")
    assert params["max_concurrency"] == 8 and params["rerun"] == "never"


def test_run_ids_argument_spec_matches_the_doc_fragment():
    documented = yaml.safe_load(RunIdsDocFragment.DOCUMENTATION)["options"]
    spec = run_ids_argument_spec()
    assert set(spec) == set(documented)
    for name, option in spec.items():
        assert option["type"] == documented[name]["type"], name
        assert option.get("elements") == documented[name].get("elements"), name


# -- the module edge masks the secrets in every form (issue 19 item 1) --------------------------

def test_secret_values_are_the_key_and_every_secret_variable_as_sent():
    params = dict(access_key="key-1", secret_variables={"A": "top", "Flag": True, "Nested": [1]},
                  runs=[{"secret_variables": {"B": "item"}}, {"secret_variables": None}], schedules=None)
    assert sorted(_module.secret_values(params)) == sorted(["key-1", "top", "true", "item"])


def test_the_module_masks_encoded_secrets_in_its_result_and_its_failure(monkeypatch, capsys):
    spec = run_start_argument_spec(dict(flow_id=dict(type="str")), items="runs")
    args = dict(CONNECTION, secret_variables={"Password": "p@ss w0rd!"},
                runs=[dict(flow_id="f", secret_variables={"Token": "t0k3n/x"})])
    echoed = "?Password=p%40ss+w0rd%21&Token=t0k3n%2Fx key test-access-key-0001 json p@ss\\u0020w0rd!"
    warned = []
    monkeypatch.setattr(AnsibleModule, "warn", lambda self, warning: warned.append(warning))

    def exit_with(method):
        def build():
            module = start_module(spec, starts_runs=True)
            if method == "fail_json":
                module.fail_json(msg=echoed, runs=[{"error": echoed}])
            module.warn(echoed)
            module.exit_json(changed=True, runs=[{"error": echoed}], note=echoed)
        return run_module(monkeypatch, capsys, args, build=build)

    failure = exit_with("fail_json")
    assert failure["msg"] == "?Password=********&Token=******** key ******** json ********"
    assert failure["runs"][0]["error"] == failure["msg"]
    result = exit_with("exit_json")
    assert result["note"] == result["runs"][0]["error"] == failure["msg"]
    assert warned == [failure["msg"]]
    assert "p%40ss" not in json.dumps(result) and "t0k3n" not in json.dumps(result)
