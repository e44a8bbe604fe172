# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The job template playbook (docs/examples/awx_job_template.yml) run as AWX runs it."""

import os
import re

from conftest import ACCESS_KEY, AFTER_VERIFICATION_PLAYBOOK, AGENT_LOCAL, FLOW_FAILED, FLOW_PASSED


def credential(emulator, **inputs):
    values = {"controller_url": emulator.url, "access_key": ACCESS_KEY}
    values.update(inputs)
    return values


def test_job_succeeds_and_hands_the_outcome_to_the_workflow(emulator, awx_jobs, job_template_vars, tmp_path):
    job = awx_jobs.run(credential(emulator, ledger_path=str(tmp_path / "ledger.json")),
                       survey_answers={"app_version": "2.4.1", "base_url": "https://staging.example.com"},
                       job_template_vars=job_template_vars)
    assert job.status == "successful", job.stdout
    runs = emulator.runs()
    assert len(runs) == 2
    assert all(run["variables"] == {"BaseUrl": "https://staging.example.com"} for run in runs)
    stats = job.artifact_data()["verify_deployment"]
    assert stats["outcome"] == "passed"
    assert sorted(stats["run_ids"]) == sorted(run["run_id"] for run in runs)
    assert stats["summary"]["total"] == 2 and stats["summary"]["passed"] == 2


def test_a_check_job_checks_everything_and_starts_nothing(emulator, awx_jobs, job_template_vars, tmp_path):
    # A job template of the job type "check" runs the playbook with --check.
    job = awx_jobs.run(credential(emulator, ledger_path=str(tmp_path / "ledger.json")),
                       survey_answers={"app_version": "2.4.0", "base_url": "https://staging.example.com"},
                       job_template_vars=job_template_vars, job_type="check")
    assert job.status == "successful", job.stdout
    assert emulator.runs() == []
    assert "would start (PUT /api/v4/flows/%s/agent/%s" % (FLOW_PASSED, AGENT_LOCAL) in job.stdout
    stats = job.artifact_data()["verify_deployment"]
    assert stats["outcome"] == "check_mode"
    assert stats["run_ids"] == []
    assert not (tmp_path / "ledger.json").exists()
    # And a check job fails where the real job would, before anything starts.
    job_template_vars["leapwork_flows"] = [{"flow": "Smoke/No such flow", "agent_id": AGENT_LOCAL}]
    failed = awx_jobs.run(credential(emulator, ledger_path=str(tmp_path / "ledger.json")),
                          survey_answers={"app_version": "2.4.0"}, job_template_vars=job_template_vars, job_type="check")
    assert failed.status == "failed"
    assert "no flow named 'Smoke/No such flow'" in failed.stdout
    assert emulator.runs() == []


def test_job_fails_when_a_flow_fails_with_the_summary_in_its_output(emulator, awx_jobs, job_template_vars, tmp_path):
    job_template_vars["leapwork_flows"] = [{"flow_id": FLOW_PASSED, "agent_id": AGENT_LOCAL},
                                           {"flow_id": FLOW_FAILED, "agent_id": AGENT_LOCAL}]
    job = awx_jobs.run(credential(emulator, ledger_path=str(tmp_path / "ledger.json")),
                       survey_answers={"app_version": "2.4.2"}, job_template_vars=job_template_vars)
    assert job.status == "failed"
    assert job.runner.rc != 0
    assert "Leapwork verification failed:" in job.stdout
    assert "Checkout fails" in job.stdout
    stats = job.artifact_data()["verify_deployment"]
    assert stats["outcome"] == "failed"
    assert len(stats["run_ids"]) == 2
    assert stats["summary"]["failed"] == 1


def test_the_next_workflow_node_gets_the_outcome_on_either_path(emulator, awx_jobs, job_template_vars, tmp_path):
    # AWX gives the nodes after a job its set_stats artifacts as extra variables.
    inputs = credential(emulator, ledger_path=str(tmp_path / "ledger.json"))
    passed = awx_jobs.run(inputs, survey_answers={"app_version": "2.5.0"}, job_template_vars=job_template_vars)
    promote = awx_jobs.run(inputs, job_template_vars=passed.artifact_data(), playbook=AFTER_VERIFICATION_PLAYBOOK)
    assert promote.status == "successful", promote.stdout
    assert "Promoting the release" in promote.stdout
    assert "Rolling back" not in promote.stdout
    assert "2 of 2 flows passed" in promote.stdout

    job_template_vars["leapwork_flows"].append({"flow_id": FLOW_FAILED, "agent_id": AGENT_LOCAL})
    failed = awx_jobs.run(inputs, survey_answers={"app_version": "2.5.1"}, job_template_vars=job_template_vars)
    assert failed.status == "failed"
    roll_back = awx_jobs.run(inputs, job_template_vars=failed.artifact_data(), playbook=AFTER_VERIFICATION_PLAYBOOK)
    assert roll_back.status == "successful", roll_back.stdout
    assert "Rolling back the release: the verification failed" in roll_back.stdout
    assert "Promoting" not in roll_back.stdout

    alone = awx_jobs.run(inputs, playbook=AFTER_VERIFICATION_PLAYBOOK)
    assert alone.status == "failed"
    assert "No verify_deployment artifact" in alone.stdout


def test_second_job_with_the_same_key_and_a_persistent_ledger_starts_no_run(emulator, awx_jobs, job_template_vars, tmp_path):
    # The ledger lives outside both jobs' private data dirs, as on a volume mounted into the EE.
    inputs = credential(emulator, ledger_path=str(tmp_path / "volume" / "ledger.json"))
    first = awx_jobs.run(inputs, survey_answers={"app_version": "3.0.0"}, job_template_vars=job_template_vars)
    assert first.status == "successful", first.stdout
    assert len(emulator.runs()) == 2
    second = awx_jobs.run(inputs, survey_answers={"app_version": "3.0.0"}, job_template_vars=job_template_vars)
    assert second.status == "successful", second.stdout
    assert len(emulator.runs()) == 2
    assert second.artifact_data()["verify_deployment"]["run_ids"] == first.artifact_data()["verify_deployment"]["run_ids"]
    assert "will start a new one" not in second.stdout  # no warning: the ledger is not at its default place


def test_default_ledger_in_a_job_is_warned_about_and_lost_with_the_job(emulator, awx_jobs, job_template_vars):
    first = awx_jobs.run(credential(emulator), survey_answers={"app_version": "3.1.0"}, job_template_vars=job_template_vars)
    assert first.status == "successful", first.stdout
    assert "AWX job %d" % first.job_id in first.stdout
    assert "LEAPWORK_LEDGER_PATH" in first.stdout
    # The ledger went into the job's HOME, the private data dir AWX discards.
    assert os.path.exists(os.path.join(first.private_data_dir, ".ansible", "leapwork", "ledger.json"))
    second = awx_jobs.run(credential(emulator), survey_answers={"app_version": "3.1.0"}, job_template_vars=job_template_vars)
    assert second.status == "successful", second.stdout
    assert len(emulator.runs()) == 4  # what the warning says: the second job started the runs again


def test_ca_bundle_from_the_credential_reaches_the_modules(tls_emulator, awx_jobs, job_template_vars, tmp_path):
    assert tls_emulator.url.startswith("https://")
    with open(os.path.join(tls_emulator.state_dir, "cert.pem"), encoding="utf-8") as handle:
        bundle = handle.read()
    job = awx_jobs.run(credential(tls_emulator, ca_bundle=bundle, ledger_path=str(tmp_path / "ledger.json")),
                       survey_answers={"app_version": "4.0.0"}, job_template_vars=job_template_vars)
    assert job.status == "successful", job.stdout
    assert job.artifact_data()["verify_deployment"]["outcome"] == "passed"
    # Without the bundle the certificate is refused: the bundle is what made the job pass.
    refused = awx_jobs.run(credential(tls_emulator, ledger_path=str(tmp_path / "other.json")),
                           survey_answers={"app_version": "4.0.1"}, job_template_vars=job_template_vars)
    assert refused.status == "failed"
    assert "ca_path" in refused.stdout
    assert len(tls_emulator.runs()) == 2


def test_access_key_is_in_no_file_the_play_or_the_collection_writes(emulator, awx_jobs, job_template_vars, tmp_path):
    ledger = tmp_path / "volume" / "ledger.json"
    inputs = credential(emulator, ledger_path=str(ledger))
    job_template_vars["leapwork_flows"].append({"flow_id": FLOW_FAILED, "agent_id": AGENT_LOCAL})
    job_template_vars["verify_deployment_junit_path"] = "{{ playbook_dir }}/reports/junit.xml"
    jobs = [awx_jobs.run(inputs, survey_answers={"app_version": "5.0.0"}, job_template_vars=job_template_vars)
            for _attempt in range(2)]
    assert [job.status for job in jobs] == ["failed", "failed"]
    for job in jobs:
        # AWX's defaults: the environment and the extra variables are not written to env/.
        assert not os.path.exists(os.path.join(job.private_data_dir, "env", "envvars"))
        assert not os.path.exists(os.path.join(job.private_data_dir, "env", "extravars"))
        command_file = os.path.join(job.private_data_dir, "artifacts", str(job.job_id), "command")
        with open(command_file, encoding="utf-8") as handle:
            # ansible-runner's own record of the environment it was given (AWX never shows it):
            # proof that the key was there to leak.
            assert ACCESS_KEY in handle.read()
        searched = [path for path in job.files() if path != command_file] + [str(ledger)]
        names = [os.path.relpath(path, job.private_data_dir) for path in searched]
        assert any(re.match(r"artifacts/%d/job_events/.*\.json$" % job.job_id, name) for name in names)
        assert os.path.join("project", "reports", "junit.xml") in names
        leaks = []
        for path in searched:
            with open(path, "rb") as handle:
                if ACCESS_KEY.encode("utf-8") in handle.read():
                    leaks.append(path)
        assert leaks == []
        assert ACCESS_KEY not in job.stdout
        assert ACCESS_KEY not in repr(job.events)
