# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""Replacing a file whole or not at all (the idempotency ledger, the JUnit report)."""

import os
import tempfile


def replace_file(path, data, mode):
    """Replace the file at ``path`` with ``data`` (bytes) and give it ``mode``; readers see the old file or the new one.

    The bytes go to a temporary file in the same directory (a rename is only atomic within one
    file system), which is fsynced, given ``mode`` and renamed over ``path``; the directory is
    then fsynced so that the rename itself survives a crash. On any failure, an interruption
    included, the temporary file is removed, ``path`` is left as it was and the error propagates
    (an ``OSError`` when the file system refused).
    """
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


def _fsync_directory(directory):
    # Makes the rename itself durable; not every platform/filesystem allows it.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
