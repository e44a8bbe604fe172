# -*- coding: utf-8 -*-

# Copyright (c) 2026 LeapOps
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module is private to this collection; its API may change without notice.

"""Agent pools: the agents a task may spread its flows over, and which agent runs which flow.

A ``Pool`` is the agents named by a task's ``agents`` option (ids, in the order given), split by
the agent pre-flight into those that can take runs and those left out (unavailable, blocked by
the licence), each with its reason. Its ``key`` names it in the idempotency ledger: the agents
asked for, not those left out by one pre-flight, so that an agent going offline between two runs
of a play does not make the flows look new.

A ``Dispatcher`` starts the runs of one task when some of them go to a pool:

- ``spread()`` (no wait, and check mode): every flow at once, the pool's flows dealt to its
  agents in turn, so that they queue evenly;
- ``start()`` then ``on_over(run_result)`` (with wait, from the waiter): each pool agent runs one of
  our runs at a time; the next flow goes to the agent that just finished, so flows of unequal
  durations still end early. ``max_concurrency`` bounds the runs of ours going at once. ``agents``
  (run id -> agent id, filled as runs start) goes to the waiter with them: a run started on an
  agent that just finished one of ours is polled near its likely end (``_waiter.poll_plan``).

A run reused from the ledger runs wherever it ran: it takes no agent. A trigger that failed after
it was sent retires its agent for the task (its outcome may hide a run, or the agent refused);
the flows left go to the other agents. Every flow gets a ``TriggerResult``, an error for those
never started.
"""

import concurrent.futures
import hashlib
from collections import OrderedDict

from ansible_collections.leapops.leapwork.plugins.module_utils._batch import record_item_error
from ansible_collections.leapops.leapwork.plugins.module_utils._results import ERROR, FAILED


def worth_another_attempt(run_result):
    """Whether a flow whose run ended so runs again (``retries``): it ended ``failed`` or ``error``.

    Not a run that was cancelled (someone asked), timed out (the one deadline is spent) or could
    not be read (no verdict: a new run would not tell what became of this one).
    """
    return run_result.outcome in (FAILED, ERROR) and not run_result.timed_out and not run_result.unreadable


class Pool(object):
    """``agent_ids`` asked for, in order (lower case, each once); ``titles``: id -> title as far as known."""

    def __init__(self, agent_ids, titles=None):
        self.agent_ids = list(OrderedDict((agent_id.lower(), None) for agent_id in agent_ids))
        self.titles = dict(titles or {})
        self.available = list(self.agent_ids)
        self.left_out = []  # [(agent_id, reason)]

    @property
    def key(self):
        """The pool's name in the ledger: ``pool-`` and a digest of the agent ids asked for, in any order."""
        digest = hashlib.sha256("\n".join(sorted(self.agent_ids)).encode("ascii")).hexdigest()
        return "pool-%s" % digest[:20]

    def leave_out(self, problems):
        """Leave out the agents of ``problems`` (agent id -> why it cannot take runs)."""
        self.left_out = [(agent_id, problems[agent_id]) for agent_id in self.agent_ids if agent_id in problems]
        self.available = [agent_id for agent_id in self.agent_ids if agent_id not in problems]

    def warning(self):
        """The warning naming the agents left out, or ``None``."""
        if not self.left_out:
            return None
        return "agents: %d of the pool's %d agents left out, the flows go to the others: %s" % (
            len(self.left_out), len(self.agent_ids), "; ".join(reason for _agent_id, reason in self.left_out))

    def to_dict(self):
        """What a module returns about the pool."""
        return {
            "key": self.key,
            "agent_ids": list(self.available),
            "left_out": [{"agent_id": agent_id, "agent_title": self.titles.get(agent_id), "reason": reason}
                         for agent_id, reason in self.left_out],
        }


def deal(requests, agent_ids):
    """``[(request, agent_id)]``: the requests of a pool dealt to ``agent_ids`` in turn, in order."""
    return [(request, agent_ids[index % len(agent_ids)]) for index, request in enumerate(requests)]


class Dispatcher(object):
    """Starts one task's runs, some of them on a pool (``request.pool`` set), through ``trigger`` (a ``_trigger.Trigger``).

    ``results``: one ``TriggerResult`` per request, in input order, each with ``attempts`` (its
    runs, first first: ``{"run_id", "agent_id"}``); ``run_id`` is the last attempt's. Identical
    keyed items (one ledger entry) are started once; their twins report that result.

    ``retries`` (with wait): a flow whose run ended ``failed`` or ``error`` (not cancelled, not timed
    out, not unreadable) runs again, up to that many more times: on another free agent of the pool
    when there is one, else on the same; a flow with its own agent, there. Each attempt is recorded
    in the ledger under the flow's key (``retry_of``), so a re-run of the play follows the recorded
    attempts instead of starting new ones.
    """

    def __init__(self, trigger, requests, max_concurrency=8, retries=0, retryable=None):
        self.trigger = trigger
        self.requests = list(requests)
        self.max_concurrency = max_concurrency
        self.retries = retries
        self.retryable = retryable or (lambda run_result: False)
        self._own = OrderedDict()  # identity -> the request that is started for it
        for request in self.requests:
            self._own.setdefault(self._identity(request), request)
        self._results = OrderedDict()
        for request in self._own.values():
            result = trigger.new_result(request)
            result.attempts = []
            self._results[id(request)] = result
        pools = [request.pool for request in self._own.values() if request.pool is not None]
        self.pool = pools[0] if pools else None
        self._queue = [(request, None, None) for request in self._own.values() if request.pool is not None]
        self._free = list(self.pool.available) if self.pool else []
        self._retired = []
        self._busy = {}  # run_id -> agent_id, our runs going on a pool agent
        self._active = set()  # run ids of ours started and not seen over
        self._flow_of = {}  # run_id -> the request (flow) it is an attempt of
        #: run_id -> agent_id of every run this dispatcher started (not those reused), added as they start:
        #: the waiter's ``agents`` (a run started on a free agent of ours starts at once, alone there).
        self.agents = {}

    @staticmethod
    def _identity(request):
        return (request.identity(), request.fingerprint()) if request.idempotency_key else id(request)

    @property
    def results(self):
        """One result per request, in input order."""
        results = []
        for request in self.requests:
            own = self._own[self._identity(request)]
            result = self._results[id(own)]
            if own is not request and request.pool is not None:
                request = request.on_agent(result.request.agent_id)  # the twin ran where its first did
            results.append(result if own is request else result.copy_for(request))
        return results

    def chains(self):
        """The run ids of each flow's attempts, first first, for the flows that ran (distinct flows, in input order)."""
        return [[attempt["run_id"] for attempt in result.attempts] for result in self._results.values() if result.attempts]

    # ---------------------------------------------------------------- without wait
    def spread(self):
        """Start every flow at once, the pool's dealt to its available agents in turn; return ``results``."""
        pairs = [(request, request.agent_id) for request in self._own.values() if request.pool is None]
        pairs.extend(deal([request for request, _avoid, _retry_of in self._queue], self._free))
        self._queue = []
        self._start([(request, agent_id, None) for request, agent_id in pairs])
        return self.results

    # ---------------------------------------------------------------- with wait
    def start(self):
        """Start the flows with their own agent and one flow per free pool agent; the run ids to follow."""
        started = self._start([(request, request.agent_id, None) for request in self._own.values() if request.pool is None])
        return started + self._fill()

    def on_over(self, run_result):
        """A followed run is over (its ``RunResult``): its pool agent is free, a failed flow may run again;
        the run ids started."""
        run_id = run_result.run_id
        self._active.discard(run_id)
        agent_id = self._busy.pop(run_id, None)
        if agent_id is not None and agent_id not in self._retired:
            self._free.append(agent_id)
        request = self._flow_of.get(run_id)
        started = []
        if request is not None and self._may_retry(request, run_id, run_result):
            if request.pool is None:
                started = self._start([(request, request.agent_id, run_id)])
            else:
                self._queue.insert(0, (request, self._agent_of(request, run_id), run_id))
        return started + self._fill()

    def not_started(self, reason):
        """Give the flows never started an error saying ``reason``."""
        for request, _avoid, retry_of in self._queue:
            if retry_of is None:
                self._results[id(request)].error = "not started: %s" % reason
        self._queue = []

    def _may_retry(self, request, run_id, run_result):
        attempts = self._results[id(request)].attempts
        return (bool(attempts) and attempts[-1]["run_id"] == run_id and len(attempts) <= self.retries
                and self.retryable(run_result))

    def _agent_of(self, request, run_id):
        for attempt in self._results[id(request)].attempts:
            if attempt["run_id"] == run_id:
                return attempt["agent_id"]
        return None

    def _fill(self):
        """Start queued flows on free agents, within ``max_concurrency``; the run ids started."""
        started = []
        while self._queue and self._free and len(self._active) < self.max_concurrency:
            room = min(len(self._free), self.max_concurrency - len(self._active), len(self._queue))
            triples = []
            for _index in range(room):
                request, avoid, retry_of = self._queue.pop(0)
                # Another attempt goes to another agent when one is free (an agent's fault then shows), else the same.
                others = [agent_id for agent_id in self._free if agent_id != avoid]
                agent_id = others[0] if others else self._free[0]
                self._free.remove(agent_id)
                triples.append((request, agent_id, retry_of))
            started.extend(self._start(triples))
        if self._queue and not self._free and not self._busy:
            retired = ", ".join(self._name(agent_id) for agent_id in self._retired)
            self.not_started("no agent of the pool is left to run it (a trigger failed on %s)" % (retired or "every agent"))
        return started

    def _start(self, triples):
        """Start ``(request, agent_id, retry_of)``, concurrently; the run ids to follow (new runs and reused ones)."""
        if not triples:
            return []
        if len(triples) == 1:
            outcomes = [self._start_one(*triples[0])]
        else:
            with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(self.max_concurrency, len(triples)))) as pool:
                outcomes = list(pool.map(lambda triple: self._start_one(*triple), triples))
        run_ids = []
        pool_agents = self.pool.agent_ids if self.pool else ()
        for (request, agent_id, _retry_of), (result, new_run_ids, started, refused) in zip(triples, outcomes):
            run_ids.extend(new_run_ids)
            if started:
                self._active.add(result.run_id)
                self.agents[result.run_id] = agent_id
            if started and agent_id in pool_agents:
                # A flow with its own agent on a pool agent keeps that agent busy too.
                self._busy[result.run_id] = agent_id
                if agent_id in self._free:
                    self._free.remove(agent_id)
            elif request.pool is not None and refused:
                self._retired.append(agent_id)  # it may run something, or it refused: not used again
            elif request.pool is not None and not started:
                self._free.insert(0, agent_id)  # reused wherever it ran, or nothing sent: the agent is still free
        return run_ids

    def _start_one(self, request, agent_id, retry_of):
        """Start one attempt; ``(result, run ids to follow, whether a run was started, whether a sent trigger failed)``."""
        result = self._results[id(request)]
        placed = request.on_agent(agent_id) if request.pool is not None else request
        previous = (result.run_id, result.request, result.sent, result.changed, result.reused)
        result.request = placed
        result.error = result.status = None
        result.sent = False
        try:
            self.trigger.start_one(placed, result, retry_of=retry_of)
        except Exception as exc:  # pylint: disable=broad-except
            refused = result.sent
            if retry_of is not None:
                # The flow keeps its last attempt and its verdict; why no other attempt ran is noted.
                result.run_id, result.request, result.sent, result.changed, result.reused = previous
                result.retry_error = "another attempt could not be started on %s: %s" % (self._name(agent_id), exc)
                return result, [], False, refused
            record_item_error(result, exc)
            return result, [], False, refused
        if result.reused:
            attempts = result.recorded_attempts or [{"run_id": result.run_id, "agent_id": placed.agent_id}]
            result.attempts = [dict(attempt) for attempt in attempts]
            result.run_id = attempts[-1]["run_id"]
        elif result.run_id:
            result.attempts.append({"run_id": result.run_id, "agent_id": placed.agent_id})
            if retry_of is not None:
                result.changed = True
        for attempt in result.attempts:
            self._flow_of[attempt["run_id"]] = request
        new = [attempt["run_id"] for attempt in result.attempts] if result.reused else ([result.run_id] if result.run_id else [])
        return result, new, bool(result.run_id and not result.reused and not result.error), False

    def _name(self, agent_id):
        title = self.pool.titles.get(agent_id) if self.pool else None
        return "%r (%s)" % (title, agent_id) if title else agent_id
