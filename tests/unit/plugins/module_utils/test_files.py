# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the safe file writer (_files.py) shared by the ledger and the JUnit report."""

import errno
import os
import stat

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils import _files
from ansible_collections.leapops.leapwork.plugins.module_utils._files import replace_file


def read_bytes(path):
    with open(path, "rb") as handle:
        return handle.read()


@pytest.fixture
def target(tmp_path):
    path = str(tmp_path / "file.json")
    with open(path, "wb") as handle:
        handle.write(b"old")
    os.chmod(path, 0o640)
    return path


def test_replaces_the_file_with_the_bytes_and_mode(tmp_path, target):
    replace_file(target, b"new\n", 0o600)
    assert read_bytes(target) == b"new\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert os.listdir(str(tmp_path)) == ["file.json"]


def test_creates_a_missing_file(tmp_path):
    path = str(tmp_path / "new.xml")
    replace_file(path, b"<x/>", 0o644)
    assert read_bytes(path) == b"<x/>"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert os.listdir(str(tmp_path)) == ["new.xml"]


def test_the_temporary_file_is_in_the_same_directory(monkeypatch, tmp_path, target):
    renamed = []
    real_replace = os.replace

    def spy(source, destination):
        renamed.append((source, destination))
        real_replace(source, destination)

    monkeypatch.setattr(_files.os, "replace", spy)
    replace_file(target, b"new", 0o600)
    [(source, destination)] = renamed
    assert os.path.dirname(source) == str(tmp_path)
    assert os.path.basename(source).startswith(".file.json.") and source.endswith(".tmp")
    assert destination == target


def _failing(error):
    def fail(*_args, **_kwargs):
        raise error
    return fail


@pytest.mark.parametrize("step", ["fsync", "chmod", "replace"])
def test_a_failed_step_removes_the_temporary_file_and_keeps_the_old_one(monkeypatch, tmp_path, target, step):
    monkeypatch.setattr(_files.os, step, _failing(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(OSError, match="No space left"):
        replace_file(target, b"new", 0o600)
    assert read_bytes(target) == b"old"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert os.listdir(str(tmp_path)) == ["file.json"]


def test_an_interruption_removes_the_temporary_file(monkeypatch, tmp_path, target):
    monkeypatch.setattr(_files.os, "fsync", _failing(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        replace_file(target, b"new", 0o600)
    assert read_bytes(target) == b"old"
    assert os.listdir(str(tmp_path)) == ["file.json"]


def test_a_missing_directory_is_an_os_error_and_creates_nothing(tmp_path):
    with pytest.raises(OSError):
        replace_file(str(tmp_path / "absent" / "file.json"), b"new", 0o600)
    assert os.listdir(str(tmp_path)) == []


def test_a_directory_that_cannot_be_fsynced_is_no_failure(monkeypatch, tmp_path, target):
    real_fsync = os.fsync

    def fsync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(_files.os, "fsync", fsync)
    replace_file(target, b"new", 0o600)
    assert read_bytes(target) == b"new"
