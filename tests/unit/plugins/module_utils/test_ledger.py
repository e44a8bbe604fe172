# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the idempotency ledger (_ledger.py)."""

import json
import multiprocessing
import os
import socket
import stat
import threading
import time

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils import _ledger
from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    LeapworkConnectionError,
    LeapworkHTTPError,
    TriggerOutcomeUnknown,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._http_status import (
    PROVES_NO_RUN,
    PROVES_NO_RUN_NOW,
    proves_no_run,
    statuses_with,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._ledger import (
    Ledger,
    LedgerConflict,
    LedgerCorrupt,
    LedgerError,
    TriggerInFlight,
    flow_target,
    pool_target,
    schedule_target,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._variables import fingerprint
from ansible_collections.leapops.leapwork.tests.unit.plugins.module_utils.ledger_file import stored_entries, stored_entry

URL = "https://leapwork.example:9002/"
FLOW = "6B1A3E0C-0000-4000-8000-00000000F10E"
AGENT = "A9E3D2C1-0000-4000-8000-0000000A6E27"
TARGET = flow_target(FLOW, AGENT)
KEY = "deploy-42"
FP = fingerprint({"Env": "staging"})
OTHER_FP = fingerprint({"Env": "prod"})
NOW = 1767225600.0  # 2026-01-01T00:00:00Z


class FakeClock:
    def __init__(self, now=NOW):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "state" / "ledger.json")


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def ledger(path, clock):
    return Ledger(path, clock=clock)


def reserve(ledger, key=KEY, fp=FP, **kwargs):
    return ledger.reserve(URL, TARGET, key, fp, **kwargs)


def record(ledger, run_id, key=KEY, fp=FP):
    decision = reserve(ledger, key=key, fp=fp)
    assert decision.action == "trigger"
    ledger.complete(decision.reservation, run_id)
    return decision


def entry(ledger, key=KEY, target=TARGET):
    """The entry of this key in the ledger file, or ``None``."""
    return stored_entry(ledger.path, URL, target, key)


def read_bytes(path):
    with open(path, "rb") as handle:
        return handle.read()


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


# -- keys ---------------------------------------------------------------------------------

def test_entry_key_normalises_url_and_ids():
    assert Ledger.entry_key("https://Leapwork.Example:9002/", TARGET, KEY) == Ledger.entry_key(
        "https://leapwork.example:9002", flow_target(FLOW.lower(), AGENT.lower()), KEY)


def test_entry_key_keeps_idempotency_key_and_proxy_path():
    assert Ledger.entry_key(URL, TARGET, "Key") != Ledger.entry_key(URL, TARGET, "key")
    assert Ledger.entry_key("https://proxy/leapwork/", TARGET, KEY) != Ledger.entry_key("https://proxy/", TARGET, KEY)
    assert Ledger.entry_key("https://proxy/leapwork/", TARGET, KEY) == Ledger.entry_key("https://proxy/leapwork", TARGET, KEY)


def test_entry_key_is_unambiguous():
    assert Ledger.entry_key(URL, flow_target("a", "b|c"), "d") != Ledger.entry_key(URL, flow_target("a|b", "c"), "d")
    assert "|" not in Ledger.entry_key(URL, TARGET, "x|y").split("|", 3)[3]


@pytest.mark.parametrize("bad", ["", "   ", None, 5])
def test_entry_key_rejects_empty_parts(bad):
    with pytest.raises(ValueError):
        Ledger.entry_key(URL, TARGET, bad)


# -- reserve: each path ---------------------------------------------------------------------

def test_new_key_writes_in_flight_marker(ledger, path):
    decision = reserve(ledger)
    assert decision.action == "trigger"
    assert decision.run_id is None
    assert decision.reservation.fingerprint == FP
    marker = entry(ledger)
    assert "previous" not in marker  # nothing was there before
    assert marker["state"] == "in_flight"
    assert marker["started_at"] == "2026-01-01T00:00:00.000000Z"
    assert marker["fingerprint"] == FP
    assert marker["pid"] == os.getpid()
    assert marker["host"] == socket.gethostname()
    assert marker["run_id"] is None
    assert marker["run_ids"] == []
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["version"] == 1
    assert list(data["entries"]) == [Ledger.entry_key(URL, TARGET, KEY)]


def test_complete_records_run(ledger, clock):
    decision = reserve(ledger)
    clock.now += 2.5
    ledger.complete(decision.reservation, "run-1")
    stored = entry(ledger)
    assert stored["state"] == "recorded"
    assert stored["run_id"] == "run-1"
    assert stored["run_ids"] == ["run-1"]
    assert stored["recorded_at"] == "2026-01-01T00:00:02.500000Z"
    assert stored["started_at"] == "2026-01-01T00:00:00.000000Z"
    assert "token" not in stored and "previous" not in stored
    assert stored["idempotency_key"] == KEY
    assert stored["target"] == "flow"
    assert stored["flow_id"] == FLOW
    assert stored["agent_id"] == AGENT
    assert stored["controller_url"] == "https://leapwork.example:9002"


def test_recorded_key_is_reused(ledger, path):
    record(ledger, "run-1")
    before = read_bytes(path)
    decision = reserve(ledger)
    assert decision.action == "reuse"
    assert decision.run_id == "run-1"
    assert decision.reservation is None
    assert read_bytes(path) == before  # reusing writes nothing
    assert entry(ledger)["run_ids"] == ["run-1"]


def test_same_key_is_shared_across_url_and_id_spelling(ledger):
    record(ledger, "run-1")
    decision = ledger.reserve("https://LEAPWORK.example:9002", flow_target(FLOW.lower(), AGENT.lower()), KEY, FP)
    assert decision.action == "reuse"
    assert decision.run_id == "run-1"


def test_other_keys_are_independent(ledger):
    record(ledger, "run-1")
    assert reserve(ledger, key="other").action == "trigger"
    assert ledger.reserve(URL, flow_target(FLOW, "another-agent"), KEY, FP).action == "trigger"


@pytest.mark.parametrize("rerun", ["never", "failed"])
def test_different_fingerprint_conflicts(ledger, path, rerun):
    record(ledger, "run-1")
    before = read_bytes(path)
    with pytest.raises(LedgerConflict) as caught:
        reserve(ledger, fp=OTHER_FP, rerun=rerun, run_is_passed=lambda run_id, seconds_since_recorded: False)
    message = str(caught.value)
    assert KEY in message
    assert "run-1" in message
    assert path in message
    assert "Idempotency key %r was already used for run run-1 with different flow variables (ledger %s)" % (KEY, path) in message
    assert read_bytes(path) == before


def test_different_fingerprint_with_always_triggers_and_records_new_fingerprint(ledger):
    record(ledger, "run-1")
    decision = reserve(ledger, fp=OTHER_FP, rerun="always")
    assert decision.action == "trigger"
    marker = entry(ledger)
    assert marker["run_ids"] == ["run-1"]
    assert (marker["previous"]["run_id"], marker["previous"]["fingerprint"]) == ("run-1", FP)
    ledger.complete(decision.reservation, "run-2")
    stored = entry(ledger)
    assert stored["fingerprint"] == OTHER_FP
    assert stored["run_id"] == "run-2"
    assert stored["run_ids"] == ["run-1", "run-2"]
    assert reserve(ledger, fp=OTHER_FP).run_id == "run-2"


def test_failed_and_passed_reuses(ledger):
    record(ledger, "run-1")
    asked = []

    def run_is_passed(run_id, seconds_since_recorded):
        asked.append(run_id)
        return True

    decision = reserve(ledger, rerun="failed", run_is_passed=run_is_passed)
    assert decision.action == "reuse"
    assert decision.run_id == "run-1"
    assert asked == ["run-1"]
    assert entry(ledger)["state"] == "recorded"


def test_failed_and_not_passed_triggers_keeping_history(ledger):
    record(ledger, "run-1")
    decision = reserve(ledger, rerun="failed", run_is_passed=lambda run_id, seconds_since_recorded: False)
    assert decision.action == "trigger"
    marker = entry(ledger)
    assert marker["previous"]["run_id"] == "run-1"
    assert marker["state"] == "in_flight"
    assert marker["run_ids"] == ["run-1"]
    ledger.complete(decision.reservation, "run-2")
    stored = entry(ledger)
    assert stored["run_id"] == "run-2"
    assert stored["run_ids"] == ["run-1", "run-2"]


def test_failed_on_new_key_does_not_ask(ledger):
    def run_is_passed(run_id, seconds_since_recorded):
        raise AssertionError("nothing to ask about")

    assert reserve(ledger, rerun="failed", run_is_passed=run_is_passed).action == "trigger"


def test_failed_asks_outside_the_lock(ledger, path):
    record(ledger, "run-1")
    other = Ledger(path, clock=ledger.clock, lock_timeout=0.5)

    def run_is_passed(run_id, seconds_since_recorded):
        # Would time out if reserve() still held the lock.
        other.complete(reserve(other, key="unrelated").reservation, "run-x")
        return True

    assert reserve(ledger, rerun="failed", run_is_passed=run_is_passed).action == "reuse"
    assert entry(ledger, key="unrelated")["run_id"] == "run-x"


def test_failed_re_decides_when_entry_changed_while_asking(ledger, path):
    record(ledger, "run-1")
    other = Ledger(path, clock=ledger.clock)

    def run_is_passed(run_id, seconds_since_recorded):
        # Another fork overrides the key while we ask the controller.
        reserve(other, rerun="always")
        return False

    with pytest.raises(TriggerInFlight):
        reserve(ledger, rerun="failed", run_is_passed=run_is_passed)


def test_failed_asks_about_the_new_run_when_it_changed(ledger, path):
    record(ledger, "run-1")
    other = Ledger(path, clock=ledger.clock)
    asked = []

    def run_is_passed(run_id, seconds_since_recorded):
        asked.append(run_id)
        if run_id == "run-1":
            other.complete(reserve(other, rerun="always").reservation, "run-2")
            return False
        return True

    decision = reserve(ledger, rerun="failed", run_is_passed=run_is_passed)
    assert asked == ["run-1", "run-2"]
    assert decision.action == "reuse"
    assert decision.run_id == "run-2"


def test_failed_asks_with_the_seconds_since_the_run_was_recorded(ledger, clock):
    # The judge needs the run's age: a run recorded moments ago may not be registered on the controller yet.
    record(ledger, "run-1")
    clock.now += 12.5
    asked = []
    decision = reserve(ledger, rerun="failed", run_is_passed=lambda *question: asked.append(question) or True)
    preview = ledger.preview(URL, TARGET, KEY, FP, rerun="failed", run_is_passed=lambda *question: asked.append(question) or True)
    assert asked == [("run-1", 12.5), ("run-1", 12.5)]
    assert (decision.action, decision.run_id) == (preview.action, preview.run_id) == ("reuse", "run-1")


def test_failed_asks_about_the_last_attempt_since_it_was_recorded(ledger, clock):
    record(ledger, "run-1")
    clock.now += 100
    ledger.complete(reserve(ledger, rerun="always").reservation, "run-2")
    clock.now += 4
    asked = []
    reserve(ledger, rerun="failed", run_is_passed=lambda *question: asked.append(question) or True)
    assert asked == [("run-2", 4.0)]


@pytest.mark.parametrize("recorded_at, seconds", [
    (None, None),               # an entry recorded by hand (RunNotRecorded says how) has no time
    ("yesterday", None),        # nor does one whose time cannot be read
    ("2026-01-01T00:00:05.000000Z", 0.0),  # recorded "later" than now (another host's clock): just recorded
])
def test_failed_asks_without_a_usable_recorded_time(ledger, path, recorded_at, seconds):
    record(ledger, "run-1")
    data = json.loads(read_bytes(path))
    [stored] = data["entries"].values()
    stored["recorded_at"] = recorded_at
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    asked = []
    reserve(ledger, rerun="failed", run_is_passed=lambda *question: asked.append(question) or True)
    assert asked == [("run-1", seconds)]


def test_failed_callable_error_leaves_ledger_unchanged(ledger, path):
    record(ledger, "run-1")
    before = read_bytes(path)

    def run_is_passed(run_id, seconds_since_recorded):
        raise RuntimeError("controller unreachable")

    with pytest.raises(RuntimeError):
        reserve(ledger, rerun="failed", run_is_passed=run_is_passed)
    assert read_bytes(path) == before


def test_always_triggers_keeping_history(ledger):
    record(ledger, "run-1")
    decision = reserve(ledger, rerun="always")
    assert decision.action == "trigger"
    assert entry(ledger)["run_ids"] == ["run-1"]
    ledger.complete(decision.reservation, "run-2")
    decision = reserve(ledger, rerun="always")
    assert entry(ledger)["run_ids"] == ["run-1", "run-2"]
    ledger.complete(decision.reservation, "run-3")
    assert entry(ledger)["run_ids"] == ["run-1", "run-2", "run-3"]
    assert entry(ledger)["run_id"] == "run-3"


@pytest.mark.parametrize("rerun", ["never", "failed"])
def test_in_flight_entry_refuses(ledger, path, clock, rerun):
    reserve(ledger)
    clock.now += 60
    before = read_bytes(path)
    with pytest.raises(TriggerInFlight) as caught:
        reserve(ledger, rerun=rerun, run_is_passed=lambda run_id, seconds_since_recorded: True)
    error = caught.value
    message = str(error)
    assert "2026-01-01T00:00:00.000000Z" in message
    assert "run may have started" in message
    assert "rerun=always" in message
    assert "new idempotency_key" in message
    assert path in message
    assert "started at 2026-01-01T00:00:00.000000Z by process" in message
    assert "remove the entry %r from the ledger" % Ledger.entry_key(URL, TARGET, KEY) in message
    assert entry(ledger)["state"] == "in_flight"
    assert read_bytes(path) == before


def test_in_flight_refusal_says_when_owner_is_alive(ledger):
    reserve(ledger)
    with pytest.raises(TriggerInFlight, match="still seems to be running"):
        reserve(ledger)


def test_in_flight_refusal_for_dead_owner(ledger, path):
    reserve(ledger)
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    for value in data["entries"].values():
        value["pid"] = 2 ** 22 + 12345  # beyond pid_max defaults: no such process
    write_text(path, json.dumps(data))
    with pytest.raises(TriggerInFlight) as caught:
        reserve(ledger)
    assert "still seems to be running" not in str(caught.value)


def test_in_flight_with_always_overrides(ledger):
    first = reserve(ledger)
    second = reserve(ledger, rerun="always")
    assert second.action == "trigger"
    replaced = entry(ledger)["previous"]
    assert (replaced["state"], replaced["token"]) == ("in_flight", first.reservation.token)
    assert second.reservation.token != first.reservation.token
    ledger.complete(second.reservation, "run-2")
    assert entry(ledger)["run_id"] == "run-2"


def test_reserve_argument_checks(ledger):
    with pytest.raises(ValueError, match="rerun"):
        reserve(ledger, rerun="sometimes")
    with pytest.raises(ValueError, match="run_is_passed"):
        reserve(ledger, rerun="failed")
    with pytest.raises(ValueError, match="fingerprint"):
        reserve(ledger, fp="")


# -- settling a reservation -------------------------------------------------------------------

def test_abandon_new_key_removes_entry(ledger):
    decision = reserve(ledger)
    ledger.abandon(decision.reservation)
    assert entry(ledger) is None
    assert reserve(ledger).action == "trigger"


def test_abandon_restores_previous_record(ledger):
    record(ledger, "run-1")
    before = entry(ledger)
    decision = reserve(ledger, rerun="always", fp=OTHER_FP)
    ledger.abandon(decision.reservation)
    assert entry(ledger) == before
    assert reserve(ledger).run_id == "run-1"


def test_abandon_restores_overridden_marker(ledger):
    first = reserve(ledger)
    ledger.mark_unknown(first.reservation, "read timeout")
    before = entry(ledger)
    second = reserve(ledger, rerun="always")
    ledger.abandon(second.reservation)
    assert entry(ledger) == before


def test_mark_unknown_keeps_marker_and_reason(ledger, clock):
    decision = reserve(ledger)
    clock.now += 30
    ledger.mark_unknown(decision.reservation, "no answer to the trigger within 30s")
    marker = entry(ledger)
    assert marker["state"] == "in_flight"
    assert marker["unknown_reason"] == "no answer to the trigger within 30s"
    assert marker["unknown_at"] == "2026-01-01T00:00:30.000000Z"
    with pytest.raises(TriggerInFlight, match="no answer to the trigger within 30s"):
        reserve(ledger)
    override = reserve(ledger, rerun="always")
    ledger.complete(override.reservation, "run-2")
    stored = entry(ledger)
    assert stored["state"] == "recorded"
    assert "unknown_reason" not in stored


def test_superseded_reservation_only_adds_history(ledger):
    first = reserve(ledger)
    second = reserve(ledger, rerun="always")
    ledger.complete(first.reservation, "run-1")
    marker = entry(ledger)
    assert marker["state"] == "in_flight"
    assert marker["run_ids"] == ["run-1"]
    ledger.complete(second.reservation, "run-2")
    stored = entry(ledger)
    assert stored["run_id"] == "run-2"
    assert stored["run_ids"] == ["run-1", "run-2"]
    # stale handles change nothing
    ledger.abandon(first.reservation)
    ledger.mark_unknown(first.reservation, "late")
    assert entry(ledger) == stored


def test_complete_recreates_removed_entry(ledger, path):
    decision = reserve(ledger)
    write_text(path, json.dumps({"version": 1, "entries": {}}))
    ledger.complete(decision.reservation, "run-1")
    assert entry(ledger)["run_id"] == "run-1"
    assert reserve(ledger).action == "reuse"


def test_complete_requires_run_id(ledger):
    decision = reserve(ledger)
    with pytest.raises(ValueError):
        ledger.complete(decision.reservation, "")


def test_get_returns_a_copy(ledger):
    record(ledger, "run-1")
    copy_of_entry = entry(ledger)
    copy_of_entry["run_ids"].append("tampered")
    assert entry(ledger)["run_ids"] == ["run-1"]
    assert entry(ledger, key="missing") is None


def test_no_secrets_in_file(ledger, path):
    secret_fp = fingerprint({"Password": "hunter2-s3cret"})
    record(ledger, "run-1", fp=secret_fp)
    text = read_bytes(path).decode("utf-8")
    assert "hunter2-s3cret" not in text
    assert "Password" not in text


# -- the file --------------------------------------------------------------------------------

def test_missing_file_is_empty_ledger(ledger, path):
    assert ledger.preview(URL, TARGET, KEY, FP).action == "trigger"
    assert not os.path.exists(path)


def test_empty_file_is_corrupt_not_empty(ledger, path):
    # Every write replaces the whole file: a 0-byte ledger lost its entries, and treating it as
    # empty would start a duplicate run for every key it held.
    write_text(path, "")
    with pytest.raises(LedgerCorrupt, match="empty"):
        ledger.preview(URL, TARGET, KEY, FP)
    with pytest.raises(LedgerCorrupt, match="empty"):
        reserve(ledger)
    assert read_bytes(path) == b""


def test_new_ledger_is_never_empty(ledger, path):
    record(ledger, "run-1")
    assert json.loads(read_bytes(path).decode("utf-8"))["entries"]
    assert Ledger(path, clock=ledger.clock).reserve(URL, TARGET, KEY, FP).run_id == "run-1"


def test_default_path_is_under_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Ledger().path == str(tmp_path / ".ansible" / "leapwork" / "ledger.json")


def test_file_and_directory_permissions(path):
    ledger = Ledger(path)
    record(ledger, "run-1")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path + ".lock").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700


def test_existing_wide_permissions_are_tightened(ledger, path):
    write_text(path, json.dumps({"version": 1, "entries": {}}))
    os.chmod(path, 0o644)
    record(ledger, "run-1")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_no_temporary_files_left_behind(ledger, path):
    for number in range(5):
        record(ledger, "run-{0}".format(number), key="key-{0}".format(number))
    reserve(ledger, key="key-0", rerun="always")
    assert sorted(os.listdir(os.path.dirname(path))) == ["ledger.json", "ledger.json.lock"]


def test_failed_replace_keeps_old_file_and_no_temp(ledger, path, monkeypatch):
    record(ledger, "run-1")
    before = read_bytes(path)

    def failing_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_ledger.os, "replace", failing_replace)
    with pytest.raises(LedgerError, match="No space left"):
        reserve(ledger, key="other")
    monkeypatch.undo()
    assert read_bytes(path) == before
    assert sorted(os.listdir(os.path.dirname(path))) == ["ledger.json", "ledger.json.lock"]


def test_written_file_is_valid_json(ledger, path):
    record(ledger, "run-1")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["version"] == 1
    assert data["entries"][Ledger.entry_key(URL, TARGET, KEY)]["run_id"] == "run-1"


CORRUPT_FILES = {
    "bad json": "{not json",
    "truncated": '{"version": 1, "entries": {',
    "list": "[]",
    "no version": '{"entries": {}}',
    "string version": '{"version": "1", "entries": {}}',
    "bool version": '{"version": true, "entries": {}}',
    "future version": '{"version": 2, "entries": {}}',
    "no entries": '{"version": 1}',
    "entries list": '{"version": 1, "entries": []}',
    "entry not object": '{"version": 1, "entries": {"k": "run-1"}}',
    "unknown state": '{"version": 1, "entries": {"k": {"state": "done", "fingerprint": "f", "run_ids": []}}}',
    "recorded without run id": '{"version": 1, "entries": {"k": {"state": "recorded", "fingerprint": "f", "run_ids": []}}}',
    "run ids not strings": '{"version": 1, "entries": {"k": {"state": "recorded", "fingerprint": "f", "run_id": "r", "run_ids": [1]}}}',
    "in flight without token": '{"version": 1, "entries": {"k": {"state": "in_flight", "fingerprint": "f", "run_ids": []}}}',
}


@pytest.mark.parametrize("content", list(CORRUPT_FILES.values()), ids=list(CORRUPT_FILES))
def test_corrupt_file_raises_and_is_left_untouched(ledger, path, content):
    write_text(path, content)
    before = read_bytes(path)
    for operation in (lambda: reserve(ledger), lambda: ledger.preview(URL, TARGET, KEY, FP), lambda: reserve(ledger, rerun="always")):
        with pytest.raises(LedgerCorrupt) as caught:
            operation()
        message = str(caught.value)
        assert path in message
        assert "move it away" in message and "duplicate" in message
        assert message.startswith("The idempotency ledger %s is unusable: " % path)
    assert read_bytes(path) == before


def test_corrupt_file_blocks_settling_too(ledger, path):
    decision = reserve(ledger)
    write_text(path, "garbage")
    for operation in (
        lambda: ledger.complete(decision.reservation, "run-1"),
        lambda: ledger.abandon(decision.reservation),
        lambda: ledger.mark_unknown(decision.reservation, "x"),
    ):
        with pytest.raises(LedgerCorrupt):
            operation()
    assert read_bytes(path) == b"garbage"


def test_non_utf8_file_is_corrupt(ledger, path):
    os.makedirs(os.path.dirname(path))
    with open(path, "wb") as handle:
        handle.write(b"\xff\xfe\x00garbage")
    with pytest.raises(LedgerCorrupt, match="UTF-8"):
        ledger.preview(URL, TARGET, KEY, FP)


def test_unwritable_directory_is_a_ledger_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    ledger = Ledger(str(blocker / "ledger.json"))
    with pytest.raises(LedgerError, match="directory"):
        reserve(ledger)


# -- locking ---------------------------------------------------------------------------------

def test_flock_timeout(ledger, path):
    reserve(ledger, key="create-files")
    fd = os.open(path + ".lock", os.O_RDWR)
    try:
        _ledger.fcntl.flock(fd, _ledger.fcntl.LOCK_EX)
        blocked = Ledger(path, lock_timeout=0.05)
        with pytest.raises(LedgerError, match="Timed out"):
            reserve(blocked)
    finally:
        os.close(fd)
    assert reserve(ledger).action == "trigger"


# -- shared and network filesystems, hostile directories ------------------------------------

class _ProcessWideFlock:
    """``fcntl`` as NFS/SMB give it: flock is emulated by POSIX locks, which belong to the
    process, so every thread of one process gets the lock at once."""

    LOCK_EX = _ledger.fcntl.LOCK_EX
    LOCK_NB = _ledger.fcntl.LOCK_NB
    LOCK_UN = _ledger.fcntl.LOCK_UN

    @staticmethod
    def flock(fd, operation):
        del fd, operation


def test_threads_exclude_each_other_when_flock_is_per_process(path, monkeypatch):
    monkeypatch.setattr(_ledger, "fcntl", _ProcessWideFlock)
    original_read = Ledger._read

    def slow_read(self):
        data = original_read(self)
        time.sleep(0.002)  # widen the read-modify-write window, as a slow NFS server does
        return data

    monkeypatch.setattr(Ledger, "_read", slow_read)
    threads_count, per_thread = 20, 5
    barrier = threading.Barrier(threads_count)
    errors = []

    def worker(number):
        ledger = Ledger(path)
        barrier.wait()
        try:
            for index in range(per_thread):
                decision = ledger.reserve(URL, TARGET, "t{0}-{1}".format(number, index), FP)
                ledger.complete(decision.reservation, "run-{0}-{1}".format(number, index))
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    entries = stored_entries(path)
    assert len(entries) == threads_count * per_thread
    assert all(value["state"] == "recorded" for value in entries.values())


def test_threads_of_one_batch_trigger_one_key_once(path, monkeypatch):
    monkeypatch.setattr(_ledger, "fcntl", _ProcessWideFlock)
    barrier = threading.Barrier(8)
    outcomes = []

    def worker(number):
        ledger = Ledger(path)
        barrier.wait()
        try:
            decision = ledger.reserve(URL, TARGET, KEY, FP)
        except TriggerInFlight:
            outcomes.append("in_flight")
            return
        if decision.action == "trigger":
            time.sleep(0.01)
            ledger.complete(decision.reservation, "run-{0}".format(number))
        outcomes.append(decision.action)

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes.count("trigger") == 1
    assert len(outcomes) == 8


def test_thread_lock_timeout(ledger, path):
    lock = _ledger._thread_lock(path + ".lock")
    with lock:
        with pytest.raises(LedgerError, match="another thread"):
            reserve(Ledger(path, lock_timeout=0.05))
    assert reserve(ledger).action == "trigger"


def test_symlinked_ledger_is_refused(tmp_path, path):
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps({"version": 1, "entries": {}}), encoding="utf-8")
    os.makedirs(os.path.dirname(path), mode=0o700)
    os.symlink(str(target), path)
    ledger = Ledger(path)
    with pytest.raises(LedgerError, match="symbolic link"):
        reserve(ledger)
    with pytest.raises(LedgerError, match="symbolic link"):
        ledger.preview(URL, TARGET, KEY, FP)
    assert json.loads(target.read_text(encoding="utf-8")) == {"version": 1, "entries": {}}


def test_symlinked_lock_file_is_refused(tmp_path, path):
    target = tmp_path / "victim"
    target.write_text("keep me", encoding="utf-8")
    os.makedirs(os.path.dirname(path), mode=0o700)
    os.symlink(str(target), path + ".lock")
    with pytest.raises(LedgerError, match="symbolic link"):
        reserve(Ledger(path))
    assert target.read_text(encoding="utf-8") == "keep me"
    assert not os.path.exists(path)


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_directory_writable_by_others_is_refused(path, mode):
    directory = os.path.dirname(path)
    os.makedirs(directory)
    os.chmod(directory, mode)
    with pytest.raises(LedgerError, match="other users"):
        reserve(Ledger(path))
    assert os.listdir(directory) == []


def test_sticky_directory_of_ours_is_accepted(path):
    directory = os.path.dirname(path)
    os.makedirs(directory)
    os.chmod(directory, 0o1777)
    record(Ledger(path), "run-1")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_existing_wide_lock_file_is_tightened(ledger, path):
    os.makedirs(os.path.dirname(path), mode=0o700)
    write_text(path + ".lock", "")
    os.chmod(path + ".lock", 0o666)
    record(ledger, "run-1")
    assert stat.S_IMODE(os.stat(path + ".lock").st_mode) == 0o600


# -- retention ---------------------------------------------------------------------------------

DAY = 86400.0


def test_old_recorded_entries_are_pruned_on_write(path, clock):
    ledger = Ledger(path, clock=clock, retention_days=30)
    record(ledger, "run-old", key="old")
    clock.now += 20 * DAY
    record(ledger, "run-recent", key="recent")
    clock.now += 11 * DAY  # "old" is now 31 days old, "recent" 11
    record(ledger, "run-new", key="new")
    with open(path, encoding="utf-8") as handle:
        stored = json.load(handle)["entries"]
    assert sorted(value["run_id"] for value in stored.values()) == ["run-new", "run-recent"]


def test_expired_entry_is_not_reused(path, clock):
    ledger = Ledger(path, clock=clock, retention_days=30)
    record(ledger, "run-1")
    clock.now += 31 * DAY
    assert ledger.preview(URL, TARGET, KEY, FP).action == "trigger"
    assert reserve(ledger).action == "trigger"


def test_in_flight_markers_are_never_pruned(path, clock):
    ledger = Ledger(path, clock=clock, retention_days=1)
    reserve(ledger, key="unsettled")
    clock.now += 400 * DAY
    record(ledger, "run-2", key="other")
    assert entry(ledger, key="unsettled")["state"] == "in_flight"
    with pytest.raises(TriggerInFlight):
        reserve(ledger, key="unsettled")


def test_retention_zero_keeps_everything(path, clock):
    ledger = Ledger(path, clock=clock, retention_days=0)
    record(ledger, "run-1")
    clock.now += 4000 * DAY
    assert reserve(ledger).run_id == "run-1"


@pytest.mark.parametrize("bad", [-1, 1.5, "30", True, None])
def test_retention_must_be_whole_days(path, bad):
    with pytest.raises(ValueError, match="retention_days"):
        Ledger(path, retention_days=bad)


# -- concurrency: several processes at once ---------------------------------------------------

PROCESSES = 8
OPERATIONS = 20


def _context():
    # fork is much faster to start; the workers are top-level functions so that spawn (the
    # default on macOS, and the only choice without fork) works too, see the spawn test below.
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _distinct_keys_worker(path, worker, barrier):
    ledger = Ledger(path)
    barrier.wait()
    for number in range(OPERATIONS):
        decision = ledger.reserve(URL, TARGET, "w{0}-{1}".format(worker, number), FP)
        if decision.action != "trigger":
            raise SystemExit(3)
        ledger.complete(decision.reservation, "run-{0}-{1}".format(worker, number))


def _same_key_worker(path, worker, rerun, barrier, results):
    ledger = Ledger(path)
    barrier.wait()
    try:
        decision = ledger.reserve(URL, TARGET, KEY, FP, rerun=rerun)
    except TriggerInFlight:
        results.put((worker, "in_flight", None))
        return
    if decision.action == "trigger":
        run_id = "run-{0}".format(worker)
        time.sleep(0.02)  # the PUT takes a while; others must see the marker meanwhile
        ledger.complete(decision.reservation, run_id)
        results.put((worker, "trigger", run_id))
    else:
        results.put((worker, "reuse", decision.run_id))


def _run_all(processes):
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [process.exitcode for process in processes] == [0] * len(processes)


def test_concurrent_distinct_keys_lose_nothing(path):
    context = _context()
    barrier = context.Barrier(PROCESSES)
    processes = [context.Process(target=_distinct_keys_worker, args=(path, worker, barrier)) for worker in range(PROCESSES)]
    _run_all(processes)
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    assert len(data["entries"]) == PROCESSES * OPERATIONS
    run_ids = sorted(value["run_id"] for value in data["entries"].values())
    assert run_ids == sorted("run-{0}-{1}".format(w, n) for w in range(PROCESSES) for n in range(OPERATIONS))
    assert all(value["state"] == "recorded" for value in data["entries"].values())
    assert sorted(name for name in os.listdir(os.path.dirname(path)) if name.endswith(".tmp")) == []


def _collect(results, count):
    return sorted(results.get(timeout=60) for _index in range(count))


def test_concurrent_same_key_triggers_once(path):
    context = _context()
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_same_key_worker, args=(path, worker, "never", barrier, results))
        for worker in range(PROCESSES)
    ]
    _run_all(processes)
    outcomes = _collect(results, PROCESSES)
    triggered = [run_id for _worker, action, run_id in outcomes if action == "trigger"]
    assert len(triggered) == 1
    for _worker, action, run_id in outcomes:
        assert action in ("trigger", "in_flight", "reuse")
        if action == "reuse":
            assert run_id == triggered[0]
    stored = stored_entries(path)[Ledger.entry_key(URL, TARGET, KEY)]
    assert stored["state"] == "recorded"
    assert stored["run_id"] == triggered[0]
    assert stored["run_ids"] == triggered


def test_concurrent_same_key_always_keeps_every_run_id(path):
    context = _context()
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_same_key_worker, args=(path, worker, "always", barrier, results))
        for worker in range(PROCESSES)
    ]
    _run_all(processes)
    outcomes = _collect(results, PROCESSES)
    assert [outcome[1] for outcome in outcomes] == ["trigger"] * PROCESSES
    stored = stored_entries(path)[Ledger.entry_key(URL, TARGET, KEY)]
    assert sorted(stored["run_ids"]) == sorted(outcome[2] for outcome in outcomes)
    assert stored["state"] == "recorded"
    assert stored["run_id"] in stored["run_ids"]


def test_concurrent_same_key_with_spawn(path):
    # The children import this module afresh: the workers must be importable, the lock real.
    context = multiprocessing.get_context("spawn")
    count = 3
    barrier = context.Barrier(count)
    results = context.Queue()
    processes = [
        context.Process(target=_same_key_worker, args=(path, worker, "never", barrier, results))
        for worker in range(count)
    ]
    _run_all(processes)
    outcomes = _collect(results, count)
    assert [outcome[1] for outcome in outcomes].count("trigger") == 1
    assert stored_entries(path)[Ledger.entry_key(URL, TARGET, KEY)]["state"] == "recorded"


# -- preview (check mode): the same decisions as reserve, nothing written


def test_preview_of_new_key_says_trigger_and_writes_nothing(ledger, path):
    decision = ledger.preview(URL, TARGET, KEY, FP)
    assert decision.action == "trigger"
    assert decision.reservation is None
    assert not os.path.exists(path)


def test_preview_of_recorded_key_reuses_without_writing(ledger, path):
    record(ledger, "run-1")
    before = read_bytes(path)
    decision = ledger.preview(URL, TARGET, KEY, FP)
    assert (decision.action, decision.run_id) == ("reuse", "run-1")
    assert read_bytes(path) == before


def test_preview_failed_asks_whether_the_run_passed(ledger, path):
    record(ledger, "run-1")
    before = read_bytes(path)
    asked = []
    decision = ledger.preview(URL, TARGET, KEY, FP, rerun="failed", run_is_passed=lambda run_id, seconds_since_recorded: asked.append(run_id) or False)
    assert decision.action == "trigger"
    assert asked == ["run-1"]
    assert read_bytes(path) == before


def test_preview_raises_what_reserve_would(ledger):
    record(ledger, "run-1")
    with pytest.raises(LedgerConflict):
        ledger.preview(URL, TARGET, KEY, OTHER_FP)
    reserve(ledger, key="other")
    with pytest.raises(TriggerInFlight):
        ledger.preview(URL, TARGET, "other", FP)


# -- trigger_once: the one bracket around every trigger (flow_run and schedule_run) ----------------

def run_now_proves_no_run(status):
    return proves_no_run(status, run_now=True)


def trigger_once(ledger, trigger, no_run=proves_no_run, target=TARGET, **kwargs):
    return ledger.trigger_once(URL, target, KEY, FP, trigger, no_run, **kwargs)


def test_trigger_once_records_the_run_and_reuses_it_without_triggering(ledger):
    triggered = []
    assert trigger_once(ledger, lambda: triggered.append(1) or "run-1") == ("run-1", False)
    assert entry(ledger)["state"] == "recorded" and entry(ledger)["run_id"] == "run-1"
    assert trigger_once(ledger, lambda: triggered.append(2) or "run-2") == ("run-1", True)
    assert triggered == [1]


def test_trigger_once_that_started_nothing_drops_the_marker(ledger):
    assert trigger_once(ledger, lambda: None) == (None, False)
    assert entry(ledger) is None


def test_trigger_once_that_started_nothing_puts_back_the_recorded_run(ledger):
    record(ledger, "run-1")
    assert trigger_once(ledger, lambda: None, rerun="always") == (None, False)
    assert (entry(ledger)["state"], entry(ledger)["run_id"]) == ("recorded", "run-1")


def _raising(error):
    def trigger():
        raise error
    return trigger


@pytest.mark.parametrize("no_run, statuses", [
    (proves_no_run, statuses_with(PROVES_NO_RUN)),
    (run_now_proves_no_run, statuses_with(PROVES_NO_RUN, PROVES_NO_RUN_NOW)),
])
def test_trigger_once_releases_the_key_on_every_no_run_status(ledger, no_run, statuses):
    assert len(statuses) >= 9
    for status in statuses:
        with pytest.raises(LeapworkHTTPError):
            trigger_once(ledger, _raising(LeapworkHTTPError("refused", status=status)), no_run)
        assert entry(ledger) is None, status


def test_trigger_once_keeps_the_marker_for_a_status_outside_its_list(ledger):
    # 410 proves that runNow started nothing, not that a flow trigger did.
    with pytest.raises(LeapworkHTTPError):
        trigger_once(ledger, _raising(LeapworkHTTPError("gone", status=410)), run_now_proves_no_run)
    assert entry(ledger) is None
    with pytest.raises(LeapworkHTTPError):
        trigger_once(ledger, _raising(LeapworkHTTPError("gone", status=410)), proves_no_run)
    marker = entry(ledger)
    assert (marker["state"], marker["unknown_reason"]) == ("in_flight", "gone")


@pytest.mark.parametrize("error, reason", [
    (LeapworkHTTPError("HTTP 500: trouble", status=500), "HTTP 500: trouble"),
    (TriggerOutcomeUnknown("no answer: a run may have started"), "no answer: a run may have started"),
    (RuntimeError("boom"), "unexpected RuntimeError: boom"),
])
def test_trigger_once_with_an_unknown_outcome_keeps_the_marker_and_says_why(ledger, error, reason):
    with pytest.raises(type(error)):
        trigger_once(ledger, _raising(error))
    marker = entry(ledger)
    assert (marker["state"], marker["unknown_reason"]) == ("in_flight", reason)
    with pytest.raises(TriggerInFlight, match=reason):
        trigger_once(ledger, lambda: "run-2")


def test_trigger_once_releases_the_key_when_the_request_was_never_sent(ledger):
    with pytest.raises(LeapworkConnectionError):
        trigger_once(ledger, _raising(LeapworkConnectionError("connection refused")))
    assert entry(ledger) is None


def test_trigger_once_raises_what_reserve_raises_without_triggering(ledger):
    record(ledger, "run-1")
    with pytest.raises(LedgerConflict):
        ledger.trigger_once(URL, TARGET, KEY, OTHER_FP, _raising(AssertionError("triggered")), proves_no_run)


# -- targets: a flow on an agent, or a schedule -----------------------------------------------------

SCHEDULE = "40000000-0000-4000-8000-000000000001"


def test_schedule_entry_says_it_is_a_schedule(ledger):
    target = schedule_target(SCHEDULE)
    assert trigger_once(ledger, lambda: "run-1", target=target) == ("run-1", False)
    [(key, stored)] = stored_entries(ledger.path).items()
    assert key == "https://leapwork.example:9002|%s|schedule|%s" % (SCHEDULE, KEY)
    assert stored["target"] == "schedule"
    assert stored["schedule_id"] == SCHEDULE
    assert "flow_id" not in stored and "agent_id" not in stored
    assert trigger_once(ledger, lambda: "run-2", target=target) == ("run-1", True)


def test_schedule_and_flow_entries_never_share_a_key(ledger):
    record(ledger, "flow-run")
    assert trigger_once(ledger, lambda: "schedule-run", target=schedule_target(FLOW)) == ("schedule-run", False)
    assert entry(ledger)["run_id"] == "flow-run"


def test_in_flight_refusal_of_a_schedule_says_schedule(ledger):
    with pytest.raises(TriggerOutcomeUnknown):
        trigger_once(ledger, _raising(TriggerOutcomeUnknown("lost")), target=schedule_target(SCHEDULE))
    with pytest.raises(TriggerInFlight, match="look for a run of this schedule started"):
        trigger_once(ledger, lambda: "run-2", target=schedule_target(SCHEDULE))


def _stand_in_schedule_entry(state="recorded"):
    """A schedule's entry as written before entries said their target: the schedule id as the
    flow id, the word "schedule" as the agent id."""
    stored = {
        "agent_id": "schedule",
        "controller_url": "https://leapwork.example:9002",
        "fingerprint": FP,
        "flow_id": SCHEDULE,
        "idempotency_key": KEY,
        "recorded_at": "2026-01-01T00:00:00.000000Z",
        "run_id": "old-run",
        "run_ids": ["old-run"],
        "started_at": "2026-01-01T00:00:00.000000Z",
        "state": "recorded",
    }
    if state == "in_flight":
        stored.update({"state": "in_flight", "run_id": None, "run_ids": [], "recorded_at": None,
                       "pid": 2 ** 22 + 12345, "host": "elsewhere", "token": "0123"})
    return stored


def _write_ledger(path, entries):
    write_text(path, json.dumps({"version": 1, "entries": entries}, indent=2))
    os.chmod(path, 0o600)
    os.chmod(os.path.dirname(path), 0o700)


OLD_SCHEDULE_KEY = "https://leapwork.example:9002|%s|schedule|%s" % (SCHEDULE, KEY)


def test_a_schedule_entry_in_the_stand_in_form_is_reused(ledger, path):
    _write_ledger(path, {OLD_SCHEDULE_KEY: _stand_in_schedule_entry()})
    before = read_bytes(path)
    assert ledger.preview(URL, schedule_target(SCHEDULE), KEY, FP).run_id == "old-run"
    assert trigger_once(ledger, _raising(AssertionError("triggered")), target=schedule_target(SCHEDULE)) == ("old-run", True)
    assert read_bytes(path) == before


def test_a_schedule_entry_in_the_stand_in_form_still_conflicts_and_blocks(ledger, path):
    _write_ledger(path, {OLD_SCHEDULE_KEY: _stand_in_schedule_entry()})
    with pytest.raises(LedgerConflict, match="old-run"):
        ledger.preview(URL, schedule_target(SCHEDULE), KEY, OTHER_FP)
    _write_ledger(path, {OLD_SCHEDULE_KEY: _stand_in_schedule_entry("in_flight")})
    with pytest.raises(TriggerInFlight):
        trigger_once(ledger, _raising(AssertionError("triggered")), target=schedule_target(SCHEDULE))


def test_a_new_run_over_a_stand_in_entry_is_written_in_the_new_form(ledger, path):
    _write_ledger(path, {OLD_SCHEDULE_KEY: _stand_in_schedule_entry()})
    assert trigger_once(ledger, lambda: "new-run", target=schedule_target(SCHEDULE), rerun="always") == ("new-run", False)
    stored = stored_entries(path)[OLD_SCHEDULE_KEY]
    assert (stored["target"], stored["schedule_id"], stored["run_ids"]) == ("schedule", SCHEDULE, ["old-run", "new-run"])
    assert "flow_id" not in stored and "agent_id" not in stored


def test_a_flow_entry_without_a_target_kind_is_reused(ledger, path):
    old = _stand_in_schedule_entry()
    old.update({"flow_id": FLOW, "agent_id": AGENT})
    _write_ledger(path, {Ledger.entry_key(URL, TARGET, KEY): old})
    assert trigger_once(ledger, _raising(AssertionError("triggered"))) == ("old-run", True)


def test_the_reason_an_in_flight_marker_keeps_is_masked(tmp_path):
    # Issue 19 item 1: a 500 that quoted the query put the secret, URL-encoded, in the ledger file.
    from ansible_collections.leapops.leapwork.plugins.module_utils._errors import redact
    ledger = Ledger(str(tmp_path / "ledger.json"))

    def trigger():
        raise LeapworkHTTPError("Could not trigger: 500 error for ?Password=p%40ss+w0rd%21", status=500)

    with pytest.raises(LeapworkHTTPError):
        ledger.trigger_once("https://c", flow_target("f", "a"), "k", "fp", trigger, lambda status: status == 400,
                            mask=lambda text: redact(text, ["p@ss w0rd!"]))
    text = (tmp_path / "ledger.json").read_text()
    assert "p%40ss" not in text and "Password=********" in text


# -- a run that started is never hidden by the ledger (issue 19 item 3) ---------------------------

RUN_ID = "8c1b4ad5-0f0e-4b45-9d74-3d1c7c3e7f9a"


def NO_RUN(status):  # pylint: disable=invalid-name
    """The statuses that prove no run started, in these tests."""
    return status in (400, 404)


def _hold_the_lock(ledger, seconds):
    """Another thread holds the ledger lock for ``seconds``; returns once it holds it."""
    held = threading.Event()

    def hold():
        with ledger._locked():
            held.set()
            time.sleep(seconds)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    return thread


def test_a_run_is_recorded_once_the_lock_is_free_again(path, clock):
    ledger = Ledger(path, clock=clock, lock_timeout=0.05, record_timeout=3.0)

    def trigger():
        holder.append(_hold_the_lock(ledger, 0.4))  # past the lock timeout, within the record timeout
        return RUN_ID

    holder = []
    assert ledger.trigger_once(URL, TARGET, KEY, FP, trigger, NO_RUN) == (RUN_ID, False)
    holder[0].join()
    [entry] = stored_entries(path).values()
    assert entry["state"] == "recorded" and entry["run_id"] == RUN_ID


def test_a_run_the_busy_ledger_cannot_record_is_said_first_with_its_key(path, clock):
    ledger = Ledger(path, clock=clock, lock_timeout=0.05, record_timeout=0.2)
    holder = []

    def trigger():
        holder.append(_hold_the_lock(ledger, 1.0))
        return RUN_ID

    with pytest.raises(_ledger.RunNotRecorded) as caught:
        ledger.trigger_once(URL, TARGET, KEY, FP, trigger, NO_RUN)
    holder[0].join()
    message = str(caught.value)
    key = Ledger.entry_key(URL, TARGET, KEY)
    assert message.startswith("Run %s STARTED on the controller (flow_id %s, agent_id %s)" % (RUN_ID, FLOW, AGENT))
    assert "Timed out after 0.05s waiting for the ledger lock" in message
    assert repr(key) in message and '"run_id": "%s"' % RUN_ID in message
    assert caught.value.run_id == RUN_ID and caught.value.entry_key == key
    [entry] = stored_entries(path).values()
    assert entry["state"] == "in_flight"  # the evidence stays; the message says how to settle it


def test_a_ledger_corrupted_while_the_trigger_was_in_flight_does_not_hide_the_run(path, clock):
    ledger = Ledger(path, clock=clock, lock_timeout=0.05, record_timeout=60)

    def trigger():
        write_text(path, "{ not json")
        return RUN_ID

    started = time.monotonic()
    with pytest.raises(_ledger.RunNotRecorded) as caught:
        ledger.trigger_once(URL, TARGET, KEY, FP, trigger, NO_RUN)
    assert time.monotonic() - started < 5  # a corrupt ledger is not waited for
    message = str(caught.value)
    assert message.startswith("Run %s STARTED" % RUN_ID)
    assert "is unusable: it is not valid JSON" in message and Ledger.entry_key(URL, TARGET, KEY) in message


def test_an_unknown_outcome_the_ledger_cannot_note_is_said_first(path, clock):
    ledger = Ledger(path, clock=clock)

    def trigger():
        write_text(path, "[]")
        raise TriggerOutcomeUnknown("Triggering flow X may have started a run: the connection dropped.")

    with pytest.raises(LedgerError) as caught:
        ledger.trigger_once(URL, TARGET, KEY, FP, trigger, NO_RUN)
    assert str(caught.value).startswith("Triggering flow X may have started a run: the connection dropped. The ledger ")
    assert "could not note this outcome either" in str(caught.value)


def test_the_advice_for_a_corrupt_ledger_says_that_moving_it_starts_duplicates(ledger, path):
    write_text(path, "{ not json")
    with pytest.raises(LedgerCorrupt) as caught:
        reserve(ledger)
    message = str(caught.value)
    assert "Inspect it and fix it" in message
    assert message.index("mv ") < message.index("will start a NEW run, a duplicate")


# -- pools and attempts (retries) ---------------------------------------------------------


def test_a_pool_names_its_entry_and_the_agent_a_run_landed_on_is_recorded(ledger):
    target = pool_target(FLOW, "pool-0123456789abcdef0123")
    decision = ledger.reserve(URL, target, KEY, FP)
    ledger.complete(decision.reservation, "run-1", "agent-b")
    stored = entry(ledger, target=target)
    assert stored["target"] == "pool" and stored["pool"] == "pool-0123456789abcdef0123" and stored["agent_id"] == "agent-b"
    assert ledger.entry_key(URL, target, KEY) != ledger.entry_key(URL, TARGET, KEY)
    assert ledger.reserve(URL, target, KEY, FP) == ("reuse", "run-1", None)
    assert ledger.recorded_attempts(URL, target, KEY) == [{"run_id": "run-1", "agent_id": "agent-b"}]


def test_each_attempt_is_added_to_the_entry(ledger):
    record(ledger, "run-1")
    for number in (2, 3):
        decision = reserve(ledger, retry_of="run-%d" % (number - 1))
        assert decision.action == "trigger"
        assert entry(ledger)["state"] == "in_flight"
        ledger.complete(decision.reservation, "run-%d" % number, "agent-%d" % number)
    assert [attempt["run_id"] for attempt in ledger.recorded_attempts(URL, TARGET, KEY)] == ["run-1", "run-2", "run-3"]
    assert reserve(ledger) == ("reuse", "run-3", None)
    # A new first attempt (rerun=always) starts the list again.
    decision = reserve(ledger, rerun="always")
    ledger.complete(decision.reservation, "run-4")
    assert ledger.recorded_attempts(URL, TARGET, KEY) == [{"run_id": "run-4", "agent_id": None}]


def test_an_attempt_that_started_nothing_leaves_the_attempts_as_they_were(ledger):
    record(ledger, "run-1")
    decision = reserve(ledger, retry_of="run-1")
    ledger.abandon(decision.reservation)
    assert entry(ledger)["state"] == "recorded" and ledger.recorded_attempts(URL, TARGET, KEY)[-1]["run_id"] == "run-1"


@pytest.mark.parametrize("retry_of, fp", [("run-0", FP), ("run-1", OTHER_FP)])
def test_another_attempt_of_a_key_that_moved_on_is_refused(ledger, retry_of, fp):
    record(ledger, "run-1")
    with pytest.raises(LedgerError, match="no longer records run %s" % retry_of):
        reserve(ledger, fp=fp, retry_of=retry_of)
    assert entry(ledger)["run_id"] == "run-1" and entry(ledger)["state"] == "recorded"


def test_attempts_of_the_wrong_shape_are_corruption(ledger, path):
    record(ledger, "run-1")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    for stored in data["entries"].values():
        stored["attempts"] = ["run-1"]
    write_text(path, json.dumps(data))
    with pytest.raises(LedgerCorrupt, match="'attempts'"):
        reserve(ledger)
