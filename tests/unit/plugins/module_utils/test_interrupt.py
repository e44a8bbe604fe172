# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for _interrupt: SIGINT, SIGTERM and a lost result reader end a sleep at once (issue 19 item 5)."""

import os
import signal
import threading
import time

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils._interrupt import READER_GONE, Interrupt


@pytest.fixture
def installed():
    output_fd = os.open(os.devnull, os.O_WRONLY)
    interrupt = Interrupt(output_fd=output_fd)
    previous = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    interrupt.install()
    yield interrupt
    interrupt.restore()
    os.close(output_fd)
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == previous


@pytest.mark.parametrize("signum, name", [(signal.SIGINT, "SIGINT"), (signal.SIGTERM, "SIGTERM")])
def test_a_signal_ends_a_long_sleep_at_once(installed, signum, name):
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signum))
    timer.start()
    began = time.monotonic()
    installed.sleep(30)
    timer.join()
    assert time.monotonic() - began < 2
    assert installed.reason == name and installed.check() == name
    installed.sleep(30)  # once interrupted, no sleep waits any more
    assert time.monotonic() - began < 2


def test_the_first_interrupt_is_the_reason(installed):
    os.kill(os.getpid(), signal.SIGTERM)
    os.kill(os.getpid(), signal.SIGINT)
    assert installed.check() == "SIGTERM"


def test_a_sleep_without_interrupt_lasts_its_time(installed):
    began = time.monotonic()
    installed.sleep(0.3)
    assert 0.25 <= time.monotonic() - began < 2
    assert installed.reason is None


def test_a_result_pipe_without_reader_is_an_interrupt():
    read_end, write_end = os.pipe()
    interrupt = Interrupt(output_fd=write_end)
    try:
        assert interrupt.check() is None  # the reader is there
        os.close(read_end)
        began = time.monotonic()
        interrupt.sleep(30)
        assert time.monotonic() - began < 2
        assert interrupt.reason == READER_GONE
    finally:
        os.close(write_end)


def test_a_file_or_a_closed_descriptor_is_no_interrupt(tmp_path):
    with open(str(tmp_path / "out"), "w") as handle:
        assert Interrupt(output_fd=handle.fileno()).check() is None
    read_end, write_end = os.pipe()
    os.close(read_end)
    os.close(write_end)
    assert Interrupt(output_fd=write_end).check() is None


def test_outside_the_main_thread_nothing_is_installed():
    before = signal.getsignal(signal.SIGINT)
    done = []

    def install():
        interrupt = Interrupt().install()
        done.append(interrupt)

    thread = threading.Thread(target=install)
    thread.start()
    thread.join()
    assert signal.getsignal(signal.SIGINT) is before
    done[0].restore()
    assert signal.getsignal(signal.SIGINT) is before
