# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Jobs run the way AWX runs them, with no AWX server.

AWX hands a job to ansible-runner: a private data dir holding the project and the inventory,
the job's environment (AWX's own variables plus what each credential's injectors render), the
extra variables (the job template's, the survey's answers, AWX's ``awx_*`` variables), and its
runner settings (``AWX_RUNNER_OMIT_ENV_FILES`` and ``AWX_RUNNER_SUPPRESS_OUTPUT_FILE``, both on
by default: no ``env/`` files, no stdout file; AWX builds the output from the job events).
``run_job`` does the same, with the emulator as the Leapwork controller and the staged
collection where an execution environment has its collections.
"""

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

import ansible_runner
import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CREDENTIAL_TYPE_PATH = os.path.join(ROOT, "extensions", "awx", "leapwork_credential_type.json")
EXAMPLES = os.path.join(ROOT, "docs", "examples")
JOB_TEMPLATE_PLAYBOOK = "awx_job_template.yml"
AFTER_VERIFICATION_PLAYBOOK = "awx_after_verification.yml"
# Distinctive, so that a plain search of the job's files finds any copy of it.
ACCESS_KEY = "awx-job-access-key-5d0c8f71e2"

AGENT_LOCAL = "30000000-0000-4000-8000-000000000001"
AGENT_WIN1 = "30000000-0000-4000-8000-000000000002"
FLOW_PASSED = "20000000-0000-4000-8000-000000000001"
FLOW_FAILED = "20000000-0000-4000-8000-000000000002"
FLOW_DONE = "20000000-0000-4000-8000-000000000005"


def load_credential_type():
    with open(CREDENTIAL_TYPE_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def render_injectors(credential_type, inputs, private_data_dir):
    """The environment variables AWX gives a job for one credential of this type.

    As AWX's ``CredentialType.inject_credential``: missing boolean inputs are false, templates
    render in a sandbox, each file injector is written to a new 0600 file in the private data
    dir and named in the ``tower.filename`` namespace (``tower.filename.<name>`` for
    ``template.<name>``).
    """
    jinja = ImmutableSandboxedEnvironment()
    namespace = dict(inputs)
    for field in credential_type["inputs"]["fields"]:
        if field["type"] == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    injectors = credential_type["injectors"]
    filenames = {}
    env_dir = os.path.join(private_data_dir, "env")
    for label, template in injectors.get("file", {}).items():
        os.makedirs(env_dir, mode=0o700, exist_ok=True)
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(jinja.from_string(template).render(**namespace))
        filenames[label.partition(".")[2] or None] = path
    if list(filenames) == [None]:
        namespace["tower"] = {"filename": filenames[None]}
    else:
        namespace["tower"] = {"filename": filenames}
    return dict((name, jinja.from_string(template).render(**namespace)) for name, template in injectors.get("env", {}).items())


class Job(object):
    """A finished job: runner status, events, the stdout AWX shows (from the events)."""

    def __init__(self, job_id, private_data_dir, runner, events):
        self.job_id = job_id
        self.private_data_dir = private_data_dir
        self.runner = runner
        self.events = events
        self.stdout = "\n".join(event["stdout"] for event in events if event.get("stdout"))

    @property
    def status(self):
        return self.runner.status

    def artifact_data(self):
        """What a workflow's next node gets: the ``artifact_data`` of the ``playbook_on_stats`` event."""
        stats = [event for event in self.events if event.get("event") == "playbook_on_stats"]
        assert len(stats) == 1, "expected one playbook_on_stats event, got %d" % len(stats)
        return stats[0]["event_data"].get("artifact_data", {})

    def files(self):
        """Every file the job left in its private data dir."""
        for directory, _subdirs, names in os.walk(self.private_data_dir):
            for name in names:
                yield os.path.join(directory, name)


class AwxJobs(object):
    """Launches jobs of one job template (the example playbook) with one Leapwork credential."""

    _job_ids = itertools.count(101)

    def __init__(self, base_dir, collections_path):
        self.base_dir = base_dir
        self.collections_path = collections_path
        self.credential_type = load_credential_type()

    def run(self, credential_inputs, survey_answers=None, job_template_vars=None, playbook=JOB_TEMPLATE_PLAYBOOK,
            job_type="run"):
        """Run one job of a job template whose playbook is ``playbook`` (from docs/examples/).

        ``job_type`` is the job template's: ``run``, or ``check`` (AWX runs the playbook with ``--check``).
        """
        job_id = next(self._job_ids)
        private_data_dir = os.path.join(self.base_dir, "job-%d" % job_id)
        project = os.path.join(private_data_dir, "project")
        os.makedirs(project)
        shutil.copy(os.path.join(EXAMPLES, playbook), os.path.join(project, playbook))
        inventory = os.path.join(private_data_dir, "inventory")
        os.makedirs(inventory)
        with open(os.path.join(inventory, "hosts"), "w", encoding="utf-8") as handle:
            handle.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)

        # AWX's RunJob.build_env, then the credential's injectors.
        envvars = {
            "JOB_ID": str(job_id),
            "INVENTORY_ID": "1",
            "PROJECT_REVISION": "0123456789abcdef",
            "AWX_HOST": "https://awx.example.com",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "MAX_EVENT_RES": "700000",
            # In an execution environment HOME is /runner, the private data dir: gone with the job.
            "HOME": private_data_dir,
            "ANSIBLE_COLLECTIONS_PATH": self.collections_path,
        }
        envvars.update(render_injectors(self.credential_type, credential_inputs, private_data_dir))
        extravars = dict(job_template_vars or {})
        extravars.update(survey_answers or {})
        extravars.update(awx_job_id=job_id, tower_job_id=job_id, awx_job_template_name="Leapwork verification")

        events = []
        runner = ansible_runner.run(
            private_data_dir=private_data_dir,
            ident=str(job_id),
            playbook=playbook,
            inventory=os.path.join(inventory, "hosts"),
            envvars=envvars,
            extravars=extravars,
            suppress_env_files=True,        # AWX_RUNNER_OMIT_ENV_FILES
            suppress_output_file=True,      # AWX_RUNNER_SUPPRESS_OUTPUT_FILE
            quiet=True,
            event_handler=lambda event: events.append(event) or True,
            cmdline="--check" if job_type == "check" else None,
        )
        return Job(job_id, private_data_dir, runner, events)


class EmulatorProcess(object):
    """An emulator in a process of its own (hacking/emulator_ctl.py): ansible-runner forks a
    pseudo-terminal, which is not safe from a process with a server thread in it."""

    def __init__(self, state_dir, *options):
        self.state_dir = state_dir
        self.url = subprocess.run(
            [sys.executable, os.path.join(ROOT, "hacking", "emulator_ctl.py"), "start", state_dir,
             "--access-key", ACCESS_KEY, "--speed", "50"] + list(options),
            check=True, capture_output=True, text=True,
        ).stdout.strip()

    def runs(self):
        """Every run the controller started (GET /_emulator/runs)."""
        with urllib.request.urlopen(self.url + "/_emulator/runs", timeout=10, context=self._tls_context()) as answer:
            return json.load(answer)

    def _tls_context(self):
        if not self.url.startswith("https://"):
            return None
        import ssl  # pylint: disable=import-outside-toplevel
        return ssl.create_default_context(cafile=os.path.join(self.state_dir, "cert.pem"))

    def stop(self):
        subprocess.run([sys.executable, os.path.join(ROOT, "hacking", "emulator_ctl.py"), "stop", self.state_dir], check=True)


@pytest.fixture
def emulator(tmp_path):
    process = EmulatorProcess(str(tmp_path / "emulator"))
    yield process
    process.stop()


@pytest.fixture
def tls_emulator(tmp_path):
    """An HTTPS emulator; its self-signed certificate is ``state_dir/cert.pem``."""
    state_dir = str(tmp_path / "tls-emulator")
    os.makedirs(state_dir)
    cert, key = os.path.join(state_dir, "cert.pem"), os.path.join(state_dir, "key.pem")
    subprocess.run([sys.executable, os.path.join(ROOT, "hacking", "make_test_cert.py"), cert, key], check=True)
    process = EmulatorProcess(state_dir, "--tls-cert", cert, "--tls-key", key)
    yield process
    process.stop()


@pytest.fixture
def awx_jobs(tmp_path):
    collections_path = os.environ.get("ANSIBLE_COLLECTIONS_PATH")
    if not collections_path:
        pytest.fail("ANSIBLE_COLLECTIONS_PATH must name the staged collection's tree: run these tests with `make awx-tests`")
    return AwxJobs(str(tmp_path / "awx"), collections_path)


@pytest.fixture
def job_template_vars():
    """The job template's own extra variables: the flows to run, and a short poll for the emulator."""
    return {
        "leapwork_flows": [
            {"flow_id": FLOW_PASSED, "agent_id": AGENT_LOCAL},
            {"flow_id": FLOW_DONE, "agent_id": AGENT_WIN1},
        ],
        "verify_deployment_poll_interval": 1,
    }
