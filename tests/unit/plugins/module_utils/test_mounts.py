# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for _mounts: a ledger on a network filesystem is detected from a fake mountinfo (issue 19 item 4)."""

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils import _module
from ansible_collections.leapops.leapwork.plugins.module_utils._mounts import (
    mount_of,
    network_mount,
    parse_mountinfo,
    shared_ledger_warning,
)

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
30 22 0:40 / /mnt/nfs-nolock rw,relatime shared:20 - nfs filer:/export/ledger rw,vers=3,nolock,addr=10.0.0.5
31 22 0:41 / /mnt/nfs4 rw,relatime shared:21 - nfs4 filer:/export rw,vers=4.2,local_lock=none,addr=10.0.0.5
32 22 0:42 / /mnt/smb\\040share rw,relatime shared:22 - cifs //nas/share rw,vers=3.1.1,nobrl,cache=strict
33 31 8:2 / /mnt/nfs4/local rw,relatime shared:23 - ext4 /dev/sdb1 rw
34 22 0:43 / /mnt/locallock rw,relatime - nfs4 filer:/x rw,vers=4.1,local_lock=all
not a mountinfo line
"""


@pytest.fixture
def mountinfo(tmp_path):
    path = tmp_path / "mountinfo"
    path.write_text(MOUNTINFO)
    return str(path)


def test_parse_mountinfo_reads_points_types_sources_and_both_option_fields():
    mounts = parse_mountinfo(MOUNTINFO)
    assert len(mounts) == 6
    smb = mounts[3]
    assert (smb.mount_point, smb.fstype, smb.source) == ("/mnt/smb share", "cifs", "//nas/share")
    assert "nobrl" in smb.options and "relatime" in smb.options


@pytest.mark.parametrize("path, fstype", [
    ("/home/user/.ansible/leapwork/ledger.json", "ext4"),
    ("/mnt/nfs-nolock/ledger.json", "nfs"),
    ("/mnt/nfs-nolockX/ledger.json", "ext4"),  # a prefix of the name is not the mount
    ("/mnt/nfs4/team/ledger.json", "nfs4"),
    ("/mnt/nfs4/local/ledger.json", "ext4"),  # the deepest mount wins
    ("/mnt/smb share/ledger.json", "cifs"),
])
def test_mount_of_picks_the_deepest_mount_above_the_path(path, fstype):
    assert mount_of(path, parse_mountinfo(MOUNTINFO)).fstype == fstype


def test_a_local_ledger_gives_no_warning(mountinfo, tmp_path):
    assert network_mount(str(tmp_path / "ledger.json"), mountinfo) is None
    assert shared_ledger_warning(str(tmp_path / "ledger.json"), mountinfo) is None


@pytest.mark.parametrize("path, says", [
    ("/mnt/nfs-nolock/ledger.json", "mounted with nolock, so the lock is local to each host"),
    ("/mnt/locallock/a/b/ledger.json", "mounted with local_lock=all, so the lock is local to each host"),
    ("/mnt/smb share/ledger.json", "mounted with nobrl, so the lock is local to each host"),
    ("/mnt/nfs4/ledger.json", "only if flock works across hosts on this mount"),
])
def test_a_ledger_on_a_network_filesystem_is_warned_about(mountinfo, path, says):
    warning = shared_ledger_warning(path, mountinfo)
    assert warning.startswith("The idempotency ledger %s is on a network filesystem (" % path)
    assert says in warning
    assert "AWX jobs that share this volume" in warning and "docs/reliability.md" in warning


def test_without_mountinfo_nothing_is_detected(tmp_path):
    # Not Linux, or no /proc: no warning, and no error.
    assert shared_ledger_warning("/mnt/nfs-nolock/ledger.json", str(tmp_path / "absent")) is None


def test_the_module_warns_once_per_task(monkeypatch, mountinfo):
    monkeypatch.setattr("ansible_collections.leapops.leapwork.plugins.module_utils._mounts.MOUNTINFO", mountinfo)
    monkeypatch.setattr(_module, "shared_ledger_warning",
                        lambda path: shared_ledger_warning(path, mountinfo))

    class Request(object):
        idempotency_key = "k"

    class Module(object):
        params = {"ledger_path": "/mnt/nfs-nolock/ledger.json"}
        warnings = []

        def warn(self, warning):
            self.warnings.append(warning)

    module = Module()
    ledger = _module.ledger_from_module(module, [Request(), Request(), Request()])
    assert ledger.path == "/mnt/nfs-nolock/ledger.json"
    assert len(module.warnings) == 1 and "nolock" in module.warnings[0]
