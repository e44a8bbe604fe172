# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""Which filesystem a path is on, read from ``/proc/self/mountinfo``: is the ledger shared by hosts?

The ledger keeps two forks, or two hosts, from triggering one idempotency key twice with an
exclusive ``flock``. On a network filesystem that lock excludes other hosts only if the mount
passes it to the server (NFS without ``nolock``/``local_lock``, SMB without ``nobrl``); otherwise
each host has a lock of its own and both trigger. Pure Python: where there is no mountinfo
(a system other than Linux, a container without ``/proc``) nothing is detected.
"""

import os
from collections import namedtuple

MOUNTINFO = "/proc/self/mountinfo"

#: Filesystem types whose files other hosts may share.
NETWORK_FILESYSTEMS = frozenset((
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "ceph", "glusterfs", "lustre", "gpfs", "9p", "beegfs",
    "orangefs", "ocfs2", "gfs2", "davfs", "fuse.sshfs", "fuse.glusterfs", "fuse.cephfs", "fuse.s3fs", "fuse.gcsfuse",
    "fuse.rclone", "fuse.davfs2", "fuse.juicefs", "fuse.mfs", "fuse.lizardfs",
))

#: Mount options that keep ``flock`` on this host: another host never sees the lock.
LOCAL_LOCK_OPTIONS = frozenset(("nolock", "local_lock=all", "local_lock=flock", "nobrl"))

#: One mount: where (``mount_point``), what (``fstype``, ``source``) and its options (a set of both option fields).
Mount = namedtuple("Mount", ["mount_point", "fstype", "source", "options"])


def _unescape(field):
    """Mountinfo writes a space, tab, newline and backslash in a path as octal escapes (``\\040``)."""
    for escaped, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(escaped, char)
    return field


def parse_mountinfo(text):
    """The mounts of a ``/proc/<pid>/mountinfo`` text, in order; lines that do not parse are skipped."""
    mounts = []
    for line in text.splitlines():
        head, separator, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if not separator or len(fields) < 6 or len(rest) < 2:
            continue
        options = set(fields[5].split(","))
        if len(rest) > 2:
            options.update(rest[2].split(","))
        mounts.append(Mount(_unescape(fields[4]), rest[0], _unescape(rest[1]), frozenset(options)))
    return mounts


def mount_of(path, mounts):
    """The mount ``path`` is on: the last mounted of those with the longest mount point above it."""
    best = None
    for mount in mounts:
        point = mount.mount_point.rstrip("/") or "/"
        if path == point or path.startswith(point.rstrip("/") + "/"):
            if best is None or len(point) >= len(best.mount_point.rstrip("/") or "/"):
                best = mount
    return best


def _resolved(path):
    """``path`` absolute, with the symbolic links of its existing part resolved (the ledger may not exist yet)."""
    path = os.path.abspath(os.path.expanduser(path))
    missing = []
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path, name = os.path.split(path)
        missing.insert(0, name)
    return os.path.join(os.path.realpath(path), *missing)


def network_mount(path, mountinfo=MOUNTINFO):
    """The ``Mount`` of ``path`` when it is a network filesystem, else ``None`` (also when nothing can be read)."""
    try:
        with open(mountinfo, encoding="utf-8", errors="replace") as handle:
            mounts = parse_mountinfo(handle.read())
    except OSError:
        return None
    mount = mount_of(_resolved(path), mounts)
    if mount is None or mount.fstype.lower() not in NETWORK_FILESYSTEMS:
        return None
    return mount


def shared_ledger_warning(ledger_path, mountinfo=MOUNTINFO):
    """The warning for a ledger on a network filesystem, or ``None`` (see docs/reliability.md, "Shared ledgers")."""
    mount = network_mount(ledger_path, mountinfo)
    if mount is None:
        return None
    local = sorted(mount.options & LOCAL_LOCK_OPTIONS)
    if local:
        verdict = ("it is mounted with %s, so the lock is local to each host: two hosts can both hold it and both trigger "
                   "the same idempotency_key" % ", ".join(local))
    else:
        verdict = ("the ledger keeps two hosts from triggering the same idempotency_key only if flock works across hosts "
                   "on this mount (NFS with working locking: NFSv4, or NFSv3 with lockd, without nolock or local_lock; "
                   "SMB/CIFS without nobrl)")
    return ("The idempotency ledger %s is on a network filesystem (%s %s mounted at %s): %s. Plays on one host, and AWX "
            "jobs that share this volume, rely on it too. See docs/reliability.md, \"Shared ledgers\"."
            % (os.path.abspath(os.path.expanduser(ledger_path)), mount.fstype, mount.source, mount.mount_point, verdict))
