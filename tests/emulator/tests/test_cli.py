"""The command line: first line, serving, SIGTERM, exit codes; and HTTPS."""

import json
import os
import signal
import ssl
import subprocess
import sys
import threading

import pytest

from conftest import AGENT_LOCAL, FLOW_PASSED, KEY, Client
from leapwork_emulator import Emulator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "Leapwork emulator listening on "


@pytest.fixture(name="certificate", scope="module")
def certificate_fixture(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (cert path, key path)."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = str(directory / "cert.pem"), str(directory / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def spawn(args, cwd):
    """Start the CLI; return the process."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, "-m", "leapwork_emulator", "--host", "127.0.0.1", "--port", "0"] + args,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(cwd), env=env)


def first_line(process, timeout=20):
    """The first stdout line, read with a deadline."""
    lines = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not lines:
        process.kill()
        pytest.fail("the emulator printed nothing")
    return lines[0]


def stop(process):
    """SIGTERM and the exit code."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=10)
    finally:
        process.stdout.close()
        process.stderr.close()


def test_cli_serves_and_exits_cleanly_on_sigterm(tmp_path):
    process = spawn(["--access-key", KEY, "--speed", "50", "--finish-lag", "0.5"], tmp_path)
    line = first_line(process)
    assert line.startswith(PREFIX) and line.endswith("\n")
    url = line[len(PREFIX):].strip()
    assert url.startswith("http://127.0.0.1:") and int(url.rsplit(":", 1)[1]) > 0
    client = Client(url)
    assert client.ok("GET", "/agents")[0]["Id"] == AGENT_LOCAL
    run_id = client.trigger()
    client.wait_finished(run_id)
    assert client.ok("GET", "/_emulator/config", key=None) == {"speed": 50, "grace_polls": 0, "finish_lag": 0.5,
                                                               "license_form": "string"}
    assert stop(process) == 0


def test_cli_sigint_and_config_file(tmp_path):
    config = {
        "access_keys": {"cfg-key": ["run", "read"], "read-only": ["read"]},
        "grace_polls": 1,
        "faults": [{"method": "GET", "path": "^/agents$", "action": "status", "status": 448}],
        "flows": [{"id": "80000000-0000-4000-8000-000000000001", "title": "Only flow", "folder": "Mine", "duration": 1}],
        "agents": [{"id": "80000000-0000-4000-8000-000000000002", "title": "Only agent"}],
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    process = spawn(["--config", str(path), "--speed", "20", "--access-key", "extra-1", "--access-key", "extra-2"], tmp_path)
    url = first_line(process)[len(PREFIX):].strip()
    client = Client(url, key="cfg-key")
    assert client.get("/agents").status == 448
    assert [agent["Title"] for agent in client.ok("GET", "/agents")] == ["Only agent"]
    assert Client(url, key="extra-2").get("/agents").status == 200
    assert Client(url, key="read-only").put("/flows/80000000-0000-4000-8000-000000000001/agent/"
                                            "80000000-0000-4000-8000-000000000002").status == 403
    run_id = client.trigger("80000000-0000-4000-8000-000000000001", "80000000-0000-4000-8000-000000000002")
    assert client.get("/run/%s/status" % run_id).text == "No such run"
    client.wait_finished(run_id)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    process.stdout.close()
    process.stderr.close()


UNKNOWN_FLOW = {"schedules": [{"id": "80000000-0000-4000-8000-000000000009", "flows": ["80000000-0000-4000-8000-000000000001"]}]}


@pytest.mark.parametrize("content", ["{not json", json.dumps(UNKNOWN_FLOW), "[]"])
def test_cli_bad_config_exits_2(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "leapwork_emulator", "--port", "0", "--config", str(path), "--access-key", "k"],
                            capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=ROOT), timeout=30, check=False)
    assert result.returncode == 2
    assert "bad configuration" in result.stderr


def test_cli_without_any_key_exits_2(tmp_path):
    result = subprocess.run([sys.executable, "-m", "leapwork_emulator", "--port", "0"], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=ROOT), timeout=30, check=False, cwd=str(tmp_path))
    assert result.returncode == 2 and "no access key" in result.stderr


def test_cli_https(tmp_path, certificate):
    cert, key = certificate
    process = spawn(["--access-key", KEY, "--tls-cert", cert, "--tls-key", key], tmp_path)
    line = first_line(process)
    assert line.startswith(PREFIX + "https://127.0.0.1:")
    client = Client(line[len(PREFIX):].strip(), context=ssl.create_default_context(cafile=cert))
    assert client.ok("GET", "/agents")
    assert stop(process) == 0


def test_in_process_https(certificate):
    cert, key = certificate
    with Emulator(access_key=KEY, speed=50, tls_cert=cert, tls_key=key) as emu:
        assert emu.url.startswith("https://127.0.0.1:")
        client = Client(emu.url, context=ssl.create_default_context(cafile=cert))
        run_id = client.trigger(FLOW_PASSED)
        client.wait_finished(run_id)
        connection = client.connection()
        try:
            for _attempt in range(3):
                assert client.get("/run/%s" % run_id, connection=connection).json()["Status"] == "Finished"
        finally:
            connection.close()
        untrusting = Client(emu.url, context=ssl.create_default_context())
        with pytest.raises(ssl.SSLCertVerificationError):
            untrusting.get("/agents")
        assert client.get("/agents").status == 200
