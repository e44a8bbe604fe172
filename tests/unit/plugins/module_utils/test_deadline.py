# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for the task's deadline and the one backoff rule (_deadline.py), on fake time."""

import itertools

import pytest

from ansible_collections.leapops.leapwork.plugins.module_utils._deadline import Deadline, backoff


class FakeClock(object):
    def __init__(self):
        self.now = 500.0

    def __call__(self):
        return self.now


def test_a_deadline_counts_down_on_its_clock_and_never_below_zero():
    clock = FakeClock()
    deadline = Deadline(10, clock, what="wait_timeout 10 s")
    assert deadline.remaining() == 10 and not deadline.passed()
    clock.now += 7.5
    assert deadline.remaining() == 2.5 and deadline.clip(5) == 2.5 and deadline.clip(1) == 1
    clock.now += 2.5
    assert deadline.passed() and deadline.remaining() == 0 and deadline.clip(5) == 0
    assert deadline.describe() == "the deadline (wait_timeout 10 s)"


def test_a_deadline_that_never_comes():
    deadline = Deadline(None, FakeClock())
    assert deadline.remaining() == float("inf") and not deadline.passed() and deadline.clip(3) == 3
    assert deadline.later(5).at is None
    assert deadline.describe() == "the deadline"


def test_later_is_counted_from_the_deadline_not_from_now():
    clock = FakeClock()
    deadline = Deadline(10, clock, what="wait_timeout 10 s")
    clock.now += 4
    last_look = deadline.later(3)
    assert last_look.at == deadline.at + 3 and last_look.remaining() == 9 and last_look.what == deadline.what


def test_the_one_backoff_rule():
    assert list(itertools.islice(backoff(5), 11)) == pytest.approx(
        [0.5, 0.65, 0.845, 1.0985, 1.42805, 1.856465, 2.4134045, 3.13742585, 4.078653605, 5, 5])
    assert list(itertools.islice(backoff(0.2), 3)) == [0.2, 0.2, 0.2]


def test_backoff_with_full_jitter_scales_each_pause():
    values = iter([0.0, 0.5, 1.0])
    assert list(itertools.islice(backoff(10, jitter=lambda: next(values)), 3)) == pytest.approx([0.0, 0.325, 0.845])
