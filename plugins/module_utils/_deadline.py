# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""One deadline per task, and the one rule for pauses between tries.

A module makes one ``Deadline`` when it starts (``_module.task_deadline``) and hands it to every
layer: the client clips each request's timeout to what is left and never sends a request (nor
sleeps) past it, the busy-schedule wait and the waiter stop at it. Nothing turns it back into a
number of seconds to start a new count from.

``backoff`` is the only rule for the pause between two tries of anything: the client's retries
of a read, the waiter's polls of a run (and its reads of an item not final yet after its run
reads ``Finished``, from ``SETTLE_DELAY`` by ``SETTLE_FACTOR``), the busy-schedule wait. Each caller gives its ceiling
(``poll_interval``, or the client's cap) and the client adds full jitter.
"""

import time

#: The first pause, in seconds.
FIRST_DELAY = 0.5
#: How much each pause grows over the one before. 1.3 rather than 2: a 5 s run costs about one
#: status poll more and is seen ended about twice as soon (tests/bench/README.md has the numbers).
BACKOFF_FACTOR = 1.3
#: The pauses between reads of a run item that is not final yet although its run reads Finished
#: (the finish lag, see ``_waiter``): the task waits for the last item of all to turn final, so
#: the reads come close together, then double, so that a long lag still costs only a few reads.
SETTLE_DELAY = 0.05
SETTLE_FACTOR = 2.0


def backoff(ceiling, jitter=None, first=FIRST_DELAY, factor=BACKOFF_FACTOR):
    """Pauses between tries: ``first``, growing by ``factor`` up to ``ceiling`` (an endless generator).

    A ``ceiling`` below ``first`` gives a constant pause. ``jitter`` (a callable giving a number
    in [0, 1)) scales each pause ("full jitter"), so that many clients do not retry in step.
    """
    delay = min(first, ceiling)
    while True:
        yield delay * jitter() if jitter is not None else delay
        delay = min(delay * factor, ceiling)


class Deadline(object):
    """A moment on a monotonic clock, made once per task and handed to every wait and request.

    ``Deadline(seconds)`` is that many seconds from now; ``Deadline(None)`` never comes (for
    callers without a deadline, such as tests of a single layer). The clock is injected so that
    tests run on fake time.
    """

    __slots__ = ("at", "clock", "what")

    def __init__(self, seconds, clock=time.monotonic, what=None):
        self.clock = clock
        self.at = None if seconds is None else clock() + float(seconds)
        # What sets it, for messages: "wait_timeout 60 s".
        self.what = what

    @classmethod
    def at_time(cls, moment, clock=time.monotonic, what=None):
        """The deadline at ``moment``, a time of ``clock`` (``None``: never)."""
        deadline = cls(None, clock, what)
        deadline.at = moment
        return deadline

    def __repr__(self):
        return "Deadline(%s)" % ("never" if self.at is None else "in %.3f s" % self.remaining())

    def remaining(self):
        """Seconds left, never below 0; ``float('inf')`` for a deadline that never comes."""
        if self.at is None:
            return float("inf")
        return max(0.0, self.at - self.clock())

    def passed(self):
        """Whether the deadline has come."""
        return self.at is not None and self.clock() >= self.at

    def clip(self, seconds):
        """``seconds``, or what is left when that is less (a pause or a timeout that must not run past it)."""
        return min(seconds, self.remaining())

    def later(self, seconds):
        """A deadline ``seconds`` after this one (the last look at runs still going, after the wait)."""
        return Deadline.at_time(None if self.at is None else self.at + seconds, self.clock, self.what)

    def describe(self):
        """``"the deadline (wait_timeout 60 s)"``, for messages."""
        return "the deadline (%s)" % self.what if self.what else "the deadline"
