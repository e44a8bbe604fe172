# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""Interrupts of a waiting task: SIGINT, SIGTERM, or the loss of the process that reads its result.

A task that waits for runs may wait an hour. When the play is interrupted (Ctrl-C, a CI job
cancelled, AWX's cancel), the module must stop waiting at once, with every run it started
recorded, stop those runs when asked, and say so; Python's default (a ``KeyboardInterrupt``
anywhere, or death by SIGTERM) would leave them going, unreported. What reaches the module
depends on ansible-core (see docs/reliability.md, "Interrupts"):

* from 2.17 on, ansible-playbook passes SIGINT and SIGTERM to its workers, and each worker to
  its process group, where the module runs; then the worker exits;
* on 2.16 a signal sent to the play's process group reaches the module directly; SIGINT sent to
  ansible-playbook alone does not, but ansible-playbook then terminates its workers, which closes
  the pipe the module writes its result to.

So :class:`Interrupt` catches both signals, and while it sleeps it also checks that its result
still has a reader (standard output is a pipe whose reading end is gone): either one ends the wait.
"""

import select
import signal
import threading
import time

#: How often a sleep looks whether the result's reader is gone (a signal wakes it at once).
CHECK_SECONDS = 0.25

#: What an interrupt without a signal is called in messages.
READER_GONE = "the process that reads this task's result is gone (ansible-playbook was interrupted or stopped)"


class Interrupt(object):
    """SIGINT and SIGTERM turned into a flag that the waiter checks, and a sleep they cut short.

    :meth:`install` replaces the handlers of both signals (in the main thread only; elsewhere
    nothing is installed) and :meth:`restore` puts the previous ones back. ``reason`` is ``None``
    until the first interrupt, then the signal's name or :data:`READER_GONE`. ``output_fd`` is
    the descriptor the module's result is written to (standard output).
    """

    def __init__(self, output_fd=1, clock=time.monotonic):
        self.reason = None
        self._event = threading.Event()
        self._previous = {}
        self._output_fd = output_fd
        self._clock = clock

    def install(self):
        """Catch SIGINT and SIGTERM from now on; returns ``self``."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                self._previous[signum] = signal.signal(signum, self._handle)
            except (ValueError, OSError):  # not the main thread
                continue
        return self

    def restore(self):
        """Put back the handlers that :meth:`install` replaced."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        self._previous = {}

    def _handle(self, signum, _frame):
        self.interrupt(signal.Signals(signum).name)

    def interrupt(self, reason):
        """Record the first interrupt and wake any sleep."""
        if self.reason is None:
            self.reason = reason
        self._event.set()

    def reader_gone(self):
        """Whether the result is written to a pipe that nobody reads any more (its reader died)."""
        poll = getattr(select, "poll", None)
        if poll is None:
            return False
        poller = poll()
        try:
            poller.register(self._output_fd, select.POLLOUT)
            events = poller.poll(0)
        except (OSError, ValueError):
            return False
        # POLLERR on the writing end of a pipe: no reader. A file or a terminal never says so.
        return any(event & select.POLLERR for _fd, event in events)

    def check(self):
        """The reason the task was interrupted, or ``None``; looks at the result's reader too."""
        if self.reason is None and self.reader_gone():
            self.interrupt(READER_GONE)
        return self.reason

    def sleep(self, seconds):
        """Sleep ``seconds``, or less when an interrupt comes (at once for a signal)."""
        end = self._clock() + max(seconds, 0.0)
        while self.check() is None:
            left = end - self._clock()
            if left <= 0:
                return
            self._event.wait(min(left, CHECK_SECONDS))
