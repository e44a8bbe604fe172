# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""The idempotency ledger of ``flow_run`` and ``schedule_run``.

Run flow by id and a schedule's runNow start a new run on every call, so ``flow_run`` and
``schedule_run`` record, per controller, target (a flow on an agent: :func:`flow_target`; or a
schedule: :func:`schedule_target`) and idempotency key, the run they started and the fingerprint
of its variables. A re-run of the play then reuses that run instead of starting another.

The ledger is one JSON file (mode 0600, in a 0700 directory)::

    {"version": 1, "entries": {"<entry key>": {"state": "recorded", "run_id": "...", ...}}}

Several Ansible forks, and the threads of one batch, may use it at once. Every read-modify-write
holds a process-wide lock for the ledger path and an exclusive ``fcntl.flock`` on ``<path>.lock``
(the first is what keeps threads apart on NFS/SMB, where ``flock`` is a per-process POSIX lock),
and writes a temporary file in the same directory, fsyncs it and ``os.replace``s it over the
ledger (``_files.replace_file``), so readers always see a whole file. Reads without a write
(:meth:`Ledger.preview`) need no lock for that reason.

The files are opened without following symbolic links, kept at mode 0600, and a directory that
other users can write to is refused (unless it is sticky and ours). An empty (0-byte) ledger is
corruption: this module never writes one. Recorded entries older than ``retention_days`` are
dropped on the next write; in-flight markers are never dropped.

A trigger is bracketed by the ledger (:meth:`Ledger.trigger_once`): :meth:`Ledger.reserve` writes
an ``in_flight`` marker *before* the PUT is sent, and :meth:`Ledger.complete`,
:meth:`Ledger.abandon` or :meth:`Ledger.mark_unknown` settles it afterwards, as the trigger's
answer says. A marker that is never settled (the process died, or the answer never came) is
evidence that a run may exist; it blocks the key until the user overrides it, rather than risking
a duplicate run.

The ledger stores no access key and no variable values, only their fingerprint.
"""

import datetime
import errno
import fcntl  # modules run on POSIX hosts only
import json
import os
import socket
import stat
import threading
import time
import uuid
from collections import namedtuple

from urllib.parse import quote, urlsplit, urlunsplit

from ansible_collections.leapops.leapwork.plugins.module_utils._errors import (
    LeapworkError,
    LeapworkHTTPError,
    TriggerOutcomeUnknown,
)
from ansible_collections.leapops.leapwork.plugins.module_utils._files import replace_file


DEFAULT_LEDGER_PATH = os.path.join("~", ".ansible", "leapwork", "ledger.json")
LEDGER_VERSION = 1

STATE_IN_FLIGHT = "in_flight"
STATE_RECORDED = "recorded"

RERUN_CHOICES = ("never", "failed", "always")

# How often reserve(rerun="failed") re-reads the entry when it changed while the run's outcome
# was being asked for (another fork acted on the same key meanwhile).
_MAX_RESERVE_ATTEMPTS = 5

#: Recorded entries older than this many days are dropped (in-flight markers never are).
DEFAULT_RETENTION_DAYS = 30

_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class LedgerError(Exception):
    """The ledger cannot be used; the message names the ledger file and what is wrong."""


class LedgerCorrupt(LedgerError):
    """The ledger file cannot be parsed or has the wrong shape. It is never reset silently."""


class LedgerConflict(LedgerError):
    """The idempotency key was used before with different variables (the message names its run)."""


class LedgerBusy(LedgerError):
    """Another thread or process held the ledger lock for longer than the lock timeout."""


class RunNotRecorded(LedgerError):
    """A run started, but the ledger could not record it.

    The message says first that the run started, with its id, then why the ledger failed and what
    to write where (``entry_key``, ``run_id``): the run is never hidden behind the ledger's error.
    """

    def __init__(self, message, run_id, entry_key):
        super().__init__(message)
        self.run_id = run_id
        self.entry_key = entry_key


class TriggerInFlight(LedgerError):
    """An earlier trigger for this key never recorded its outcome: a run may exist (the message says when and by whom)."""


#: What :meth:`Ledger.reserve` decided.
#: ``action``: ``"trigger"`` (start a run, then settle ``reservation``) or ``"reuse"`` (use ``run_id``).
#: ``run_id``: the recorded run to reuse, or ``None`` when triggering.
#: ``reservation``: a :class:`Reservation` when triggering, else ``None``.
Decision = namedtuple("Decision", ["action", "run_id", "reservation"])

#: The handle of an in-flight marker; ``token`` tells this marker from any later one.
Reservation = namedtuple("Reservation", ["entry_key", "token", "fingerprint", "started_at"])


TARGET_FLOW = "flow"
TARGET_SCHEDULE = "schedule"
TARGET_POOL = "pool"

#: What runs are started for: a flow on an agent (:func:`flow_target`), a flow on any agent of a pool
#: (:func:`pool_target`) or a schedule (:func:`schedule_target`).
#: ``kind`` is ``TARGET_FLOW`` or ``TARGET_SCHEDULE``; ``ids`` names the target in the entry (an ordered tuple of pairs).
Target = namedtuple("Target", ["kind", "ids"])

# A schedule's entry key has the schedule id and this word where a flow's has the flow and the agent
# id: the form used before entries said their target kind, kept so that those entries are still
# found. Agent ids are GUIDs, so a schedule's key never equals a flow's.
_SCHEDULE_KEY_MARKER = "schedule"


def flow_target(flow_id, agent_id):
    """The ledger target of runs of ``flow_id`` on ``agent_id``."""
    _require_text(flow_id, "flow_id")
    _require_text(agent_id, "agent_id")
    return Target(TARGET_FLOW, (("flow_id", flow_id.strip()), ("agent_id", agent_id.strip())))


def pool_target(flow_id, pool_key):
    """The ledger target of runs of ``flow_id`` on any agent of the pool ``pool_key`` (``_pool.Pool.key``).

    The pool, not the agent a run landed on, names the entry: a re-run with the same key finds
    the run wherever it ran, and never starts it on a second agent.
    """
    _require_text(flow_id, "flow_id")
    _require_text(pool_key, "pool_key")
    return Target(TARGET_POOL, (("flow_id", flow_id.strip()), ("pool", pool_key.strip())))


def schedule_target(schedule_id):
    """The ledger target of runs of the schedule ``schedule_id``."""
    _require_text(schedule_id, "schedule_id")
    return Target(TARGET_SCHEDULE, (("schedule_id", schedule_id.strip()),))


def _key_parts(target):
    ids = [value for _name, value in target.ids]
    if target.kind == TARGET_SCHEDULE:
        ids.append(_SCHEDULE_KEY_MARKER)
    return ids


def _normalise_url(controller_url):
    parts = urlsplit(controller_url.strip())
    # Scheme and host are case-insensitive; a reverse-proxy path prefix may not be.
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, "")).rstrip("/")


def _require_text(value, what):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("{0} must be a non-empty string, not {1!r}".format(what, value))


def _pid_alive(pid):
    """Whether a process with this id exists on this host (when unsure: yes)."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


class _FlockLock:
    """Exclusive lock on a separate, persistent lock file, for threads and processes alike.

    ``fcntl.flock`` excludes other processes, but on NFS and SMB Linux emulates it with POSIX
    record locks, which belong to the whole process: two threads of one batch would both get it.
    A process-wide ``threading.Lock`` per ledger path is therefore taken first.
    """

    def __init__(self, path, timeout, sleep):
        self.path = path
        self.timeout = timeout
        self.sleep = sleep
        self.fd = None
        self.thread_lock = _thread_lock(path)

    def __enter__(self):
        deadline = time.monotonic() + self.timeout
        if not self.thread_lock.acquire(timeout=max(self.timeout, 0.001)):
            raise LedgerBusy(
                "Timed out after {0:g}s waiting for the ledger lock {1}; another thread of this process holds it.".format(self.timeout, self.path))
        try:
            self.fd = self._open_and_lock(deadline)
        except BaseException:
            self.thread_lock.release()
            raise
        return self

    def _open_and_lock(self, deadline):
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise LedgerError("The ledger lock file {0} is a symbolic link; refusing to follow it. Remove it.".format(self.path)) from exc
            raise LedgerError("Cannot open the ledger lock file {0}: {1}".format(self.path, exc)) from exc
        locked = False
        try:
            os.fchmod(fd, 0o600)
            self._acquire(fd, deadline)
            locked = True
        except OSError as exc:
            raise LedgerError("Cannot use the ledger lock file {0}: {1}".format(self.path, exc)) from exc
        finally:
            if not locked:
                os.close(fd)
        return fd

    def _acquire(self, fd, deadline):
        delay = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise LedgerError("Cannot lock the ledger lock file {0}: {1}".format(self.path, exc)) from exc
            if time.monotonic() >= deadline:
                raise LedgerBusy(
                    "Timed out after {0:g}s waiting for the ledger lock {1}; another process holds it.".format(self.timeout, self.path))
            self.sleep(delay)
            delay = min(delay * 2, 0.05)

    def __exit__(self, *exc_info):
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)
            self.fd = None
            self.thread_lock.release()


_THREAD_LOCKS = {}
_THREAD_LOCKS_GUARD = threading.Lock()


def _thread_lock(path):
    """The process-wide lock of one lock file path (the same object for every Ledger of it)."""
    with _THREAD_LOCKS_GUARD:
        return _THREAD_LOCKS.setdefault(path, threading.Lock())


def _check_directory(directory):
    """Refuse a ledger directory that other users can write to: they could swap our files.

    A sticky directory that we own is accepted (others cannot rename or remove our files there).
    """
    try:
        info = os.stat(directory)
    except OSError as exc:
        raise LedgerError("Cannot use the ledger directory {0}: {1}".format(directory, exc)) from exc
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        if info.st_mode & stat.S_ISVTX and info.st_uid == os.geteuid():
            return
        raise LedgerError(
            "The ledger directory {0} can be written by other users (mode {1:04o}); they could replace the ledger. "
            "Use a private directory for ledger_path (for example the default {2}/), or "
            "chmod go-w {0}.".format(directory, stat.S_IMODE(info.st_mode), os.path.dirname(DEFAULT_LEDGER_PATH)))


class Ledger:
    """The idempotency ledger file at ``path`` (``~`` is expanded).

    ``clock`` returns POSIX seconds (for the UTC timestamps in entries); ``lock_timeout`` bounds
    the wait for the file lock; ``sleep`` is used between lock attempts; recorded entries older
    than ``retention_days`` days are forgotten (``0``: kept forever). ``record_timeout`` bounds
    how long the id of a run that started is tried again while the lock stays busy (default:
    twice ``lock_timeout``).
    """

    def __init__(self, path=DEFAULT_LEDGER_PATH, clock=time.time, lock_timeout=30.0, sleep=time.sleep,
                 retention_days=DEFAULT_RETENTION_DAYS, record_timeout=None):
        _require_text(path, "The ledger path")
        if isinstance(retention_days, bool) or not isinstance(retention_days, int) or retention_days < 0:
            raise ValueError("retention_days must be 0 (keep forever) or a positive number of days, not {0!r}".format(retention_days))
        self.path = os.path.abspath(os.path.expanduser(path))
        self.clock = clock
        self.lock_timeout = lock_timeout
        self.sleep = sleep
        self.retention_days = retention_days
        self.record_timeout = 2 * lock_timeout if record_timeout is None else record_timeout

    # -- keys --------------------------------------------------------------------------------

    @staticmethod
    def entry_key(controller_url, target, idempotency_key):
        """The ledger key of one (controller, target, idempotency key).

        ``controller|flow id|agent id|key`` for a flow on an agent, ``controller|schedule
        id|schedule|key`` for a schedule. The URL loses its trailing ``/`` and its scheme and host
        are lower-cased; the ids (GUIDs) are lower-cased; the idempotency key is kept exactly.
        Each part is percent-encoded so that ``|`` only ever separates parts.
        """
        _require_text(controller_url, "controller_url")
        _require_text(idempotency_key, "idempotency_key")
        parts = [quote(_normalise_url(controller_url), safe=":/@[]")]
        parts.extend(quote(part.lower(), safe="") for part in _key_parts(target))
        parts.append(quote(idempotency_key, safe=""))
        return "|".join(parts)

    # -- the trigger bracket -----------------------------------------------------------------

    def trigger_once(self, controller_url, target, idempotency_key, fingerprint, trigger, proves_no_run,
                     rerun="never", run_is_passed=None, agent_id=None, mask=None, retry_of=None):
        """Start a run for this key through ``trigger()``, bracketed by the ledger; or reuse the recorded one.

        Returns ``(run_id, reused)``. :meth:`reserve` decides (and raises what it raises); on
        ``"reuse"`` the recorded run id is returned and ``trigger`` is not called. Otherwise
        ``trigger()`` returns the id of the run it started, or ``None`` when it certainly started
        none, and the reservation is settled by its outcome:

        * a run id: :meth:`complete`;
        * ``None``; a ``LeapworkHTTPError`` whose status ``proves_no_run(status)`` (the answers
          that prove no run started, from ``_http_status``); any other ``LeapworkError`` (the connection failed before
          the request was sent): :meth:`abandon`;
        * ``TriggerOutcomeUnknown``, another HTTP error status (a 5xx may hide a run) or any
          unexpected exception: :meth:`mark_unknown`; the marker stays, as evidence that a run
          may exist.

        Exceptions of ``trigger`` propagate once the reservation is settled; if the ledger cannot
        settle it, a ``LedgerError`` whose message starts with the trigger's own error is raised
        instead. A run that started is recorded as soon as the ledger can take it
        (:meth:`_record`); if it cannot, :class:`RunNotRecorded` says that the run started, its id,
        and the entry to fix. ``agent_id`` goes to :meth:`complete`, ``retry_of`` to :meth:`reserve`. ``mask`` (text -> text, the
        client's ``mask``) is applied to the reason a marker keeps: an exception's text may quote a
        secret variable, and the ledger never holds one.
        """
        mask = mask or (lambda text: text)
        decision = self.reserve(controller_url, target, idempotency_key, fingerprint, rerun=rerun, run_is_passed=run_is_passed,
                                retry_of=retry_of)
        if decision.action == "reuse":
            return decision.run_id, True
        reservation = decision.reservation
        try:
            run_id = trigger()
        except TriggerOutcomeUnknown as exc:
            self._settle_after(exc, lambda: self.mark_unknown(reservation, mask(str(exc))))
            raise
        except LeapworkHTTPError as exc:
            if proves_no_run(exc.status):
                self._settle_after(exc, lambda: self.abandon(reservation))
            else:
                self._settle_after(exc, lambda: self.mark_unknown(reservation, mask(str(exc))))
            raise
        except LeapworkError as exc:
            self._settle_after(exc, lambda: self.abandon(reservation))
            raise
        except Exception as exc:
            reason = mask("unexpected %s: %s" % (type(exc).__name__, exc))
            self._settle_after(reason, lambda: self.mark_unknown(reservation, reason))
            raise
        if run_id is None:
            self.abandon(reservation)
        else:
            self._record(reservation, run_id, target, idempotency_key, agent_id)
        return run_id, False

    def _settle_after(self, error, settle):
        """``settle()`` after a trigger that failed with ``error``; if the ledger fails too, ``error`` is said first."""
        try:
            settle()
        except LedgerError as exc:
            raise LedgerError("{0} The ledger {1} could not note this outcome either: {2}".format(
                str(error).rstrip(".") + ".", self.path, exc)) from exc

    def _record(self, reservation, run_id, target, idempotency_key, agent_id=None):
        """Record the run that started (:meth:`complete`), trying again while the lock is busy.

        The lock is asked for again until ``record_timeout`` has passed. A ledger that cannot be
        written at all (corrupt, unreadable) is not waited for. Either way, when the id could not be
        recorded, :class:`RunNotRecorded` says so, run id first.
        """
        deadline = time.monotonic() + self.record_timeout
        while True:
            try:
                self.complete(reservation, run_id, agent_id)
                return
            except LedgerBusy as exc:
                error = exc
                if time.monotonic() < deadline:
                    self.sleep(min(1.0, max(deadline - time.monotonic(), 0.0)))
                    continue
            except LedgerError as exc:
                error = exc
            raise RunNotRecorded(
                "Run {run_id} STARTED on the controller ({what}), but the idempotency ledger could not record it: {error} "
                "The entry {entry_key!r} of {path} still says a trigger for idempotency key {key!r} is in flight, without "
                "this run id, so the next task with this key will refuse to trigger. Once the ledger is usable, record the "
                "run: in that entry set \"state\": \"recorded\" and \"run_id\": \"{run_id}\", add \"{run_id}\" to \"run_ids\" "
                "and remove \"token\"; rerun=always would start a second run instead.".format(
                    run_id=run_id, what=", ".join("%s %s" % pair for pair in target.ids), error=str(error).rstrip(".") + ".",
                    entry_key=reservation.entry_key, path=self.path, key=idempotency_key),
                run_id=run_id, entry_key=reservation.entry_key) from error

    def reserve(self, controller_url, target, idempotency_key, fingerprint, rerun="never", run_is_passed=None, retry_of=None):
        """Decide, atomically, whether to trigger a run for this key or reuse the recorded one.

        * no entry: write an ``in_flight`` marker and return ``action="trigger"``;
        * an ``in_flight`` marker: raise :class:`TriggerInFlight`, unless ``rerun="always"``;
        * a recorded run with another ``fingerprint``: raise :class:`LedgerConflict`, unless
          ``rerun="always"`` (a new run is started and the new fingerprint recorded);
        * a recorded run and ``rerun="never"``: ``action="reuse"`` with its ``run_id``;
        * ``rerun="failed"``: ``run_is_passed(run_id, seconds_since_recorded)`` decides: truthy
          reuses the run, falsy triggers a new one. ``seconds_since_recorded`` is how long ago the
          run was recorded (:meth:`seconds_since_recorded`): the controller may not know a run
          created moments ago yet;
        * ``rerun="always"``: always trigger; earlier run ids stay in the entry's history.

        ``run_is_passed`` usually asks the controller, so it is called *outside* the lock: the
        entry is read under the lock, the lock released, the callable called, then the lock
        taken again and the entry re-read. If another process changed the entry meanwhile, the
        decision is made again from the new entry. Exceptions from the callable propagate and
        leave the ledger unchanged.

        When the action is ``"trigger"`` the caller must settle the reservation with
        :meth:`complete`, :meth:`abandon` or :meth:`mark_unknown`.

        ``retry_of``: this is another attempt of the flow whose last attempt was run ``retry_of``
        (``retries``): the entry must still record that run, with the same fingerprint (else
        :class:`LedgerError`: another process moved the key on, nothing is re-run); the marker
        keeps the entry's attempts, and :meth:`complete` adds the new one.
        """
        if retry_of is not None:
            return self._reserve_retry(controller_url, target, idempotency_key, fingerprint, retry_of)
        if rerun not in RERUN_CHOICES:
            raise ValueError("rerun must be one of {0}, not {1!r}".format(", ".join(RERUN_CHOICES), rerun))
        if rerun == "failed" and run_is_passed is None:
            raise ValueError('rerun="failed" needs run_is_passed, a callable(run_id, seconds_since_recorded) -> bool')
        _require_text(fingerprint, "fingerprint")
        key = self.entry_key(controller_url, target, idempotency_key)
        identity = {"controller_url": _normalise_url(controller_url), "target": target.kind, "idempotency_key": idempotency_key}
        identity.update(target.ids)
        passed_by_run_id = {}  # asked once per run id, however often the entry changes
        for _attempt in range(_MAX_RESERVE_ATTEMPTS):
            with self._locked():
                data = self._read()
                entry = data["entries"].get(key)
                verdict = self._decide(key, target, entry, fingerprint, rerun, passed_by_run_id)
                if verdict == "reuse":
                    return Decision("reuse", entry["run_id"], None)
                if verdict == "trigger":
                    return Decision("trigger", None, self._write_in_flight(data, key, entry, identity, fingerprint))
                # verdict == "ask": the run's outcome is needed, without holding the lock.
                run_id, seconds = entry["run_id"], self.seconds_since_recorded(entry)
            passed_by_run_id[run_id] = bool(run_is_passed(run_id, seconds))
        raise LedgerError(
            "The ledger entry for idempotency key {0!r} kept changing while reserving it in {1}; "
            "another process is using the same key. Try again.".format(idempotency_key, self.path))

    def _reserve_retry(self, controller_url, target, idempotency_key, fingerprint, retry_of):
        key = self.entry_key(controller_url, target, idempotency_key)
        identity = {"controller_url": _normalise_url(controller_url), "target": target.kind, "idempotency_key": idempotency_key}
        identity.update(target.ids)
        with self._locked():
            data = self._read()
            entry = data["entries"].get(key)
            if entry is None or entry["state"] != STATE_RECORDED or entry["run_id"] != retry_of or entry["fingerprint"] != fingerprint:
                raise LedgerError(
                    "The ledger entry for idempotency key {0!r} no longer records run {1}, whose flow was to be run again "
                    "(another process used the key meanwhile; ledger {2}). Nothing was re-run.".format(idempotency_key, retry_of, self.path))
            return Decision("trigger", None, self._write_in_flight(data, key, entry, identity, fingerprint,
                                                                   attempts=recorded_attempts(entry)))

    def recorded_attempts(self, controller_url, target, idempotency_key):
        """The attempts recorded for this key, first first: ``[{"run_id", "agent_id"}]`` (empty without a recorded run)."""
        entry = self._read()["entries"].get(self.entry_key(controller_url, target, idempotency_key))
        if entry is None or entry["state"] != STATE_RECORDED:
            return []
        return recorded_attempts(entry)

    def preview(self, controller_url, target, idempotency_key, fingerprint, rerun="never", run_is_passed=None):
        """What :meth:`reserve` would decide now, without writing anything (check mode).

        Raises what :meth:`reserve` would raise (in-flight marker, conflicting variables).
        The returned :class:`Decision` never carries a reservation.
        """
        key = self.entry_key(controller_url, target, idempotency_key)
        entry = self._read()["entries"].get(key)
        passed_by_run_id = {}
        verdict = self._decide(key, target, entry, fingerprint, rerun, passed_by_run_id)
        if verdict == "ask":
            passed_by_run_id[entry["run_id"]] = bool(run_is_passed(entry["run_id"], self.seconds_since_recorded(entry)))
            verdict = self._decide(key, target, entry, fingerprint, rerun, passed_by_run_id)
        if verdict == "reuse":
            return Decision("reuse", entry["run_id"], None)
        return Decision("trigger", None, None)

    def seconds_since_recorded(self, entry):
        """How long ago the run of a recorded ``entry`` was recorded, or ``None`` when the entry does not say.

        Never negative: a time ahead of this host's clock (another host's clock) is "just now".
        """
        recorded = _timestamp(entry.get("recorded_at"))
        return None if recorded is None else max(0.0, self.clock() - recorded)

    def _decide(self, key, target, entry, fingerprint, rerun, passed_by_run_id):
        if entry is None:
            return "trigger"
        if entry["state"] == STATE_IN_FLIGHT:
            if rerun == "always":
                return "trigger"
            raise self._in_flight_error(key, target, entry)
        if entry["fingerprint"] != fingerprint:
            if rerun == "always":
                return "trigger"
            raise LedgerConflict(
                "Idempotency key {0!r} was already used for run {1} with different flow variables (ledger {2}). "
                "Use a new idempotency_key for new variables, or rerun=always to start a new run under this key.".format(
                    entry.get("idempotency_key", key), entry["run_id"], self.path))
        if rerun == "never":
            return "reuse"
        if rerun == "always":
            return "trigger"
        if entry["run_id"] not in passed_by_run_id:
            return "ask"
        return "reuse" if passed_by_run_id[entry["run_id"]] else "trigger"

    def _in_flight_error(self, key, target, entry):
        owner = "process {0} on {1}".format(entry.get("pid"), entry.get("host"))
        if entry.get("host") == socket.gethostname() and isinstance(entry.get("pid"), int) and _pid_alive(entry["pid"]):
            owner += " (which still seems to be running: another task may be triggering this key right now)"
        reason = ""
        if entry.get("unknown_reason"):
            reason = " Its outcome is unknown: {0}.".format(entry["unknown_reason"].rstrip("."))
        message = (
            "A trigger for idempotency key {key!r} started at {started} by {owner} never recorded its outcome in the "
            "ledger {path}.{reason} A run may have started on the controller: look for a run of this {kind} started "
            "around that time. To trigger anyway, set rerun=always; or remove the entry {entry_key!r} from the ledger; "
            "or use a new idempotency_key."
        ).format(
            key=entry.get("idempotency_key", key), started=entry.get("started_at"), owner=owner,
            path=self.path, reason=reason, entry_key=key, kind=target.kind,
        )
        return TriggerInFlight(message)

    def _write_in_flight(self, data, key, entry, identity, fingerprint, attempts=None):
        reservation = Reservation(key, uuid.uuid4().hex, fingerprint, self._now())
        marker = dict(identity)
        marker.update({
            "state": STATE_IN_FLIGHT,
            "fingerprint": fingerprint,
            "run_id": None,
            "run_ids": list(entry["run_ids"]) if entry else [],
            "started_at": reservation.started_at,
            "recorded_at": None,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "token": reservation.token,
            # A new first attempt, or (retries) the attempts so far; complete() adds this one.
            "attempts": list(attempts or []),
        })
        if entry is not None:
            # Kept so that abandon() can put back exactly what was there.
            marker["previous"] = entry
        data["entries"][key] = marker
        self._write(data)
        return reservation

    def complete(self, reservation, run_id, agent_id=None):
        """Record ``run_id`` as the run started for this reservation (``in_flight`` -> ``recorded``).

        ``agent_id``: the agent the run was started on, recorded with it when the target does not
        name it (a pool's run).

        If the marker was meanwhile replaced (``rerun="always"`` elsewhere) the run id is only
        added to the entry's ``run_ids`` history; if the entry was removed, it is recreated.
        """
        _require_text(run_id, "run_id")
        with self._locked():
            data = self._read()
            entry = data["entries"].get(reservation.entry_key)
            if entry is not None and entry.get("token") != reservation.token:
                if run_id not in entry["run_ids"]:
                    entry["run_ids"].append(run_id)
            else:
                if entry is None:
                    entry = {"fingerprint": reservation.fingerprint, "run_ids": [], "started_at": reservation.started_at}
                    data["entries"][reservation.entry_key] = entry
                for transient in ("token", "previous", "unknown_reason", "unknown_at"):
                    entry.pop(transient, None)
                entry["state"] = STATE_RECORDED
                entry["run_id"] = run_id
                if agent_id is not None:
                    entry["agent_id"] = agent_id
                entry["attempts"] = list(entry.get("attempts") or []) + [{"run_id": run_id, "agent_id": agent_id}]
                if run_id not in entry["run_ids"]:
                    entry["run_ids"].append(run_id)
                entry["recorded_at"] = self._now()
            self._write(data)

    def abandon(self, reservation):
        """Drop the marker of a trigger that certainly started no run (e.g. a 400/401/404 answer).

        Whatever the reservation replaced (a recorded run, or an older marker) is put back; with
        nothing before, the entry is removed. A marker that is no longer this reservation's is left
        alone.
        """
        with self._locked():
            data = self._read()
            entry = data["entries"].get(reservation.entry_key)
            if entry is None or entry.get("token") != reservation.token:
                return
            if entry.get("previous") is not None:
                data["entries"][reservation.entry_key] = entry["previous"]
            else:
                del data["entries"][reservation.entry_key]
            self._write(data)

    def mark_unknown(self, reservation, reason):
        """Note why the outcome of this trigger is unknown; the ``in_flight`` marker stays.

        The marker is the evidence that a run may exist: later reservations for this key raise
        :class:`TriggerInFlight` (quoting ``reason``) until the user overrides it.
        """
        with self._locked():
            data = self._read()
            entry = data["entries"].get(reservation.entry_key)
            if entry is None or entry.get("token") != reservation.token:
                return
            entry["unknown_reason"] = str(reason)
            entry["unknown_at"] = self._now()
            self._write(data)

    # -- file handling -----------------------------------------------------------------------

    def _now(self):
        moment = datetime.datetime.fromtimestamp(self.clock(), tz=datetime.timezone.utc)
        return moment.strftime(_TIMESTAMP_FORMAT)

    def _prune(self, data):
        """Drop recorded entries older than the retention (in memory; the next write keeps it)."""
        if not self.retention_days:
            return data
        cutoff = self.clock() - self.retention_days * 86400
        for key in list(data["entries"]):
            entry = data["entries"][key]
            if entry["state"] != STATE_RECORDED:
                continue  # an in-flight marker is evidence of a possible run: never forgotten
            recorded = _timestamp(entry.get("recorded_at"))
            if recorded is not None and recorded < cutoff:
                del data["entries"][key]
        return data

    def _locked(self):
        directory = os.path.dirname(self.path)
        try:
            if not os.path.isdir(directory):
                os.makedirs(directory, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise LedgerError("Cannot create the ledger directory {0}: {1}".format(directory, exc)) from exc
        _check_directory(directory)
        return _FlockLock(self.path + ".lock", self.lock_timeout, self.sleep)

    def _corrupt(self, problem):
        return LedgerCorrupt(
            "The idempotency ledger {0} is unusable: {1}. It was left untouched. Inspect it and fix it: it is JSON, and the "
            "runs it recorded are in it. If you move it away instead (mv {0} {0}.bad), the empty ledger that replaces it "
            "knows no key: every idempotency key recorded in the old one will start a NEW run, a duplicate of the run it "
            "recorded. Do that only if duplicates are acceptable, or with new keys.".format(self.path, problem))

    def _read(self):
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return {"version": LEDGER_VERSION, "entries": {}}
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise LedgerError("The idempotency ledger {0} is a symbolic link; refusing to follow it. Replace it with "
                                  "the file itself, or point ledger_path at the real file.".format(self.path)) from exc
            raise LedgerError("Cannot read the idempotency ledger {0}: {1}".format(self.path, exc)) from exc
        try:
            with os.fdopen(fd, encoding="utf-8") as handle:
                text = handle.read()
        except UnicodeDecodeError as exc:
            raise self._corrupt("it is not UTF-8 text ({0})".format(exc)) from exc
        except OSError as exc:
            raise LedgerError("Cannot read the idempotency ledger {0}: {1}".format(self.path, exc)) from exc
        if not text:
            # Every write replaces the file with a whole JSON document, so an empty file was
            # truncated by something else (a full disk, a crash, another tool): its runs are lost.
            raise self._corrupt("it is empty (0 bytes), but this collection never writes an empty ledger")
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise self._corrupt("it is not valid JSON ({0})".format(exc)) from exc
        self._check_shape(data)
        return self._prune(data)

    def _check_shape(self, data):
        if not isinstance(data, dict):
            raise self._corrupt("the top level is a {0}, not an object".format(type(data).__name__))
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise self._corrupt("it has no integer 'version'")
        if version != LEDGER_VERSION:
            raise self._corrupt("its version {0} is not supported (this collection reads version {1})".format(version, LEDGER_VERSION))
        entries = data.get("entries")
        if not isinstance(entries, dict):
            raise self._corrupt("'entries' is not an object")
        for key, entry in entries.items():
            problem = _entry_problem(entry)
            if problem:
                raise self._corrupt("entry {0!r} {1}".format(key, problem))

    def _write(self, data):
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        try:
            replace_file(self.path, text.encode("utf-8"), 0o600)
        except OSError as exc:
            raise LedgerError("Cannot write the idempotency ledger {0}: {1}".format(self.path, exc)) from exc


def _entry_problem(entry):
    """Why ``entry`` does not have the shape this module writes, or ``None``."""
    if not isinstance(entry, dict):
        return "is not an object"
    if entry.get("state") not in (STATE_IN_FLIGHT, STATE_RECORDED):
        return "has an unknown state {0!r}".format(entry.get("state"))
    if not isinstance(entry.get("fingerprint"), str):
        return "has no string 'fingerprint'"
    run_ids = entry.get("run_ids")
    if not isinstance(run_ids, list) or not all(isinstance(run_id, str) for run_id in run_ids):
        return "has no list of strings 'run_ids'"
    if entry["state"] == STATE_RECORDED and not (isinstance(entry.get("run_id"), str) and entry["run_id"]):
        return "is recorded but has no 'run_id'"
    if entry["state"] == STATE_IN_FLIGHT and not isinstance(entry.get("token"), str):
        return "is in flight but has no 'token'"
    attempts = entry.get("attempts")
    if attempts is not None and not (isinstance(attempts, list) and all(
            isinstance(attempt, dict) and isinstance(attempt.get("run_id"), str) for attempt in attempts)):
        return "has 'attempts' that are not a list of objects with a 'run_id'"
    previous = entry.get("previous")
    if previous is not None:
        problem = _entry_problem(previous)
        if problem:
            return "has a 'previous' entry that " + problem
    return None


def recorded_attempts(entry):
    """The attempts of a recorded entry, first first (an entry written before attempts were kept has one: its run)."""
    attempts = entry.get("attempts")
    if attempts:
        return [{"run_id": attempt["run_id"], "agent_id": attempt.get("agent_id")} for attempt in attempts]
    return [{"run_id": entry["run_id"], "agent_id": entry.get("agent_id")}]


def _timestamp(text):
    """POSIX seconds of a ledger timestamp, or ``None`` when it is not one."""
    try:
        moment = datetime.datetime.strptime(text, _TIMESTAMP_FORMAT)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp()
