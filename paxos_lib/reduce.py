"""A smaller canonical world for the explorer: forget what can no longer influence the future.

Theory of operation
-------------------
``explore(..., reduce=True)`` replaces every world it reaches by ``Reduction.canonical(world)``,
the same world with three kinds of dead weight removed:

1. **Messages nobody will read.**  A message addressed to a node the search never delivers
   to (a learner, when no checked property reads the learners) is removed.
2. **Messages their receiver will ignore for ever** ("dead" messages).  A proposer reacts
   only to a ``Promise``, ``Accepted`` or ``Nack`` for the ballot it is running now, and its
   ballots only grow (its round is durable and every new ballot takes a higher round), so
   a reply for an older ballot is dead; so is a ``Promise`` once it has left phase 1 at that
   ballot, a repeated ``Promise`` or ``Accepted`` from an acceptor it already counted, an
   ``Accepted`` once it has decided or been refused, and a ``Nack`` once it has decided.  A
   learner that has learned a value ignores every message for ever (what it learned is
   durable), so every message to it is dead.
3. **State its owner will never read again.**  A proposer reads its collected promises only
   in phase 1 and its collected votes only in phase 2 (a new ballot starts both afresh), so
   outside those phases they are emptied; a learner that has learned drops the votes it saw.

Why this is sound, and keeps counterexamples shortest.  Write ``c(w)`` for the canonical
world.  For every world ``w`` and action ``a`` enabled in ``c(w)``, ``a`` is enabled in ``w``
and ``c(apply(w, a)) == c(apply(c(w), a))``: the removed messages are exactly those whose
delivery changes nothing, now or later, and the emptied fields are read by no handler in
the phase that empties them.  Every action enabled in ``w`` and not in ``c(w)`` delivers a
removed message, a stuttering step (``apply(w, a)`` has ``c`` equal to ``c(w)``).  So ``c`` is
a stuttering bisimulation whose stuttering steps are only those deliveries; a shortest path
never contains a step that changes nothing, so the shortest distance from the start to a
class of worlds is the same in both graphs, and a path found among canonical worlds is a
list of actions that replays, step for step, from the real initial world (the explorer
returns actions, never canonical worlds, so traces show the full state).  The properties
read votes, proposals, acceptors' state, messages in flight to acceptors, what learners
learned and ``learned_log``, none of which ``c`` changes or removes.  Two invariants read the
promises in flight (``votes-within-promise``: no promise above the acceptor's promise now;
``promises-report-votes``).  Where the acceptors keep their storage, refuse to vote below
their promise and report their last vote (probed), no promise can ever break them; where
not (an amnesiac acceptor's old promise, say), a promise its proposer ignores still can,
so while either invariant is checked ``c`` then keeps every ``Promise`` (``keep_promises``).
A property that read other removed messages or fields would need ``reduce=False``.

Why not partial-order reduction by receiving node.  Deliveries to different nodes do commute
in the sent-set network (each reads and writes only its receiver's state and adds to a set
that only grows), but commuting is not enough to skip states soundly: a persistent set must
also contain every transition that could run first along some path and depends on it.  A
set made of node n's enabled deliveries misses the deliveries to n of messages not sent
yet (n may receive a later Prepare before the one in flight, which is how most of the
variants' bugs happen), and a message to n can come from any node that can still hear from
n, so closing the set under "may send to n" takes every proposer and every acceptor: the
whole enabled set.  Sleep sets would prune transitions but not states.  The canonical world
removes the same redundancy at its source instead: most of the interleavings that differ
only in when a reply was sent differ only in dead replies and stale collections.

The facts above are about the roles in ``paxos_lib.roles`` under the rules in force, not
about a variant's name.  ``Reduction.of`` checks them against the handlers themselves with
a handful of probes (round kept on a restart, new ballots above the round, each "ignored"
message really ignored, a learned value kept), and drops the part of the reduction whose
fact fails: a variant that lets a proposer forget its round on a restart, say, keeps every
message to proposers.  ``tests/test_reduce.py`` checks, for every variant on models small
enough to exhaust both ways, that the reduced search reaches the same verdict with
counterexamples of the same length and the same reachable votes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from paxos_lib.engine import World
from paxos_lib.messages import Accept, Accepted, Ballot, Decided, Message, Nack, Prepare, Promise
from paxos_lib.roles import Acceptor, Learner, Proposer
from paxos_lib.variants import Rules

__all__ = ["Reduction"]


def _ignores(state: object, msg: Message, rules: Rules) -> bool:
    """The handler leaves ``state`` unchanged and sends nothing."""
    try:
        new, effects = state.on_message(msg, rules)  # type: ignore[attr-defined]
    except Exception:
        return False
    return new == state and not effects


def _proposer_facts_hold(pid: str, acceptors: tuple[str, ...], rules: Rules) -> bool:
    """Probe the proposer handlers for the facts the reduction relies on."""
    a = acceptors[0]
    other = acceptors[-1]
    try:
        idle = Proposer(node=pid, round=2)
        started, _ = idle.on_propose("x", rules)
        if not isinstance(started, Proposer) or started.ballot is None:
            return False
        b = started.ballot
        if started.round <= idle.round or b.round <= idle.round:
            return False  # a new ballot must take a round above every round used
        old = Ballot(2, b.node)
        accepting = replace(started, phase="accepting", proposal="x",
                            promises=((a, None, None),))
        decided = replace(accepting, phase="decided", accepts=(a,))
        nacked = replace(accepting, phase="nacked")
        for s in (started, accepting, decided, nacked):
            if s.after_crash(rules).round < s.round:
                return False  # the round must survive a restart
        retried, _ = nacked.on_timeout(rules)
        if retried.ballot is not None and retried.ballot.round <= nacked.round:
            return False
        promise = Promise(src=a, dst=pid, ballot=b)
        vote = Accepted(src=a, dst=pid, ballot=b, value="x")
        nack = Nack(src=a, dst=pid, ballot=b, promised=Ballot(9, b.node))
        checks = [
            # replies for an older ballot, in every phase
            *[(s, m) for s in (idle, started, accepting, decided, nacked)
              for m in (Promise(src=a, dst=pid, ballot=old),
                        Accepted(src=a, dst=pid, ballot=old, value="x"),
                        Nack(src=a, dst=pid, ballot=old, promised=Ballot(9, b.node)))],
            (accepting, promise), (decided, promise), (nacked, promise),
            (replace(started, promises=((a, None, None),)), promise),
            (replace(accepting, accepts=(a,)), vote),
            (decided, vote), (nacked, vote),
            (decided, nack),
        ]
        if not all(_ignores(s, m, rules) for s, m in checks):
            return False
        # promises are not read outside phase 1, nor votes outside phase 2
        probes = (Promise(src=other, dst=pid, ballot=b),
                  Accepted(src=other, dst=pid, ballot=b, value="x"), nack)
        for s, emptied in ((accepting, replace(accepting, promises=())),
                           (nacked, replace(nacked, promises=())),
                           (decided, replace(decided, promises=(), accepts=()))):
            for m in probes:
                if _strip(s.on_message(m, rules)) != _strip(emptied.on_message(m, rules)):
                    return False
            if _strip(s.on_timeout(rules)) != _strip(emptied.on_timeout(rules)):
                return False
    except Exception:
        return False
    return True


def _strip(step: tuple[object, tuple[object, ...]]) -> tuple[object, tuple[object, ...]]:
    state, effects = step
    if isinstance(state, Proposer):
        state = _proposer(state)
    return state, effects


def _learner_facts_hold(lid: str, acceptors: tuple[str, ...], rules: Rules) -> bool:
    try:
        learned = Learner(node=lid, learned="x")
        if learned.after_crash(rules).learned != "x":
            return False
        b = Ballot(1, "p1")
        msgs = [Accepted(src=a, dst=lid, ballot=b, value="y") for a in acceptors]
        msgs.append(Decided(src="p1", dst=lid, ballot=b, value="y"))
        return all(_ignores(learned, m, rules) for m in msgs)
    except Exception:
        return False


def _acceptor_facts_hold(aid: str, rules: Rules) -> bool:
    """Probe the acceptor handlers: storage survives a crash, no vote below the promise, a
    promise reports the last vote.  Then promises only rise, votes are cast at or above the
    promise (so at rising ballots), and every promise reports the highest vote below its
    ballot when sent and for ever after: no promise in flight, ignored or not, can break
    ``votes-within-promise`` or ``promises-report-votes``."""
    try:
        low, high, higher = Ballot(1, "p1"), Ballot(2, "p1"), Ballot(3, "p1")
        voted = Acceptor(node=aid, promised=high, accepted_ballot=high, accepted_value="x")
        if voted.after_crash(rules) != voted:
            return False
        after, _ = voted.on_message(Accept(src="p1", dst=aid, ballot=low, value="y"), rules)
        if after != voted:
            return False
        _, effects = voted.on_message(Prepare(src="p1", dst=aid, ballot=higher), rules)
        promises = [e.message for e in effects if isinstance(getattr(e, "message", None), Promise)]
        return len(promises) == 1 and (
            promises[0].accepted_ballot, promises[0].accepted_value) == (high, "x")
    except Exception:
        return False


def _proposer(s: Proposer) -> Proposer:
    """Empty the collections a proposer will not read in its phase."""
    if s.promises and s.phase != "preparing":
        s = replace(s, promises=())
    if s.accepts and s.phase != "accepting":
        s = replace(s, accepts=())
    return s


def _dead_to_proposer(m: Message, s: Proposer) -> bool:
    ballot = getattr(m, "ballot", None)
    if not isinstance(ballot, Ballot):
        return False
    if ballot != s.ballot:
        return ballot.round <= s.round  # every later ballot has a higher round
    phase = s.phase
    if isinstance(m, Promise):
        return phase != "preparing" or any(a == m.src for a, _, _ in s.promises)
    if isinstance(m, Accepted):
        return phase in ("decided", "nacked") or m.src in s.accepts
    if isinstance(m, Nack):
        return phase == "decided"
    return False


@dataclass(frozen=True)
class Reduction:
    """The canonical-world map of one explorer model (see the module docstring)."""

    quiet: frozenset[str]
    proposers: bool
    learners: bool
    kinds: dict[str, str]
    keep_promises: bool = False

    @classmethod
    def of(cls, first: World, quiet: Iterable[str], *, keep_promises: bool = False) -> Reduction:
        """The reduction for the model of ``first`` whose facts the handlers pass.

        ``keep_promises``: a checked property reads the promises in flight (as
        ``votes-within-promise`` and ``promises-report-votes`` do); unless every acceptor
        passes ``_acceptor_facts_hold``, a promise its proposer will ignore can still be the
        one that breaks them, so then no ``Promise`` is dropped."""
        cluster = first.config.cluster
        rules = first.config.rules
        kinds = {}
        for s in first.nodes:
            if isinstance(s, Proposer):
                kinds[s.node] = "proposer"
            elif isinstance(s, Learner):
                kinds[s.node] = "learner"
        acceptors = tuple(cluster.acceptor_ids)
        proposers = bool(acceptors) and all(
            _proposer_facts_hold(p, acceptors, rules)
            for p, k in kinds.items() if k == "proposer"
        )
        learners = bool(acceptors) and all(
            _learner_facts_hold(n, acceptors, rules) for n, k in kinds.items() if k == "learner"
        )
        if keep_promises:
            keep_promises = not all(
                type(s) is Acceptor and _acceptor_facts_hold(s.node, rules)
                for s in first.nodes if s.node in acceptors
            )
        return cls(quiet=frozenset(quiet), proposers=proposers, learners=learners, kinds=kinds,
                   keep_promises=keep_promises)

    @property
    def describe(self) -> str:
        parts = []
        if self.quiet:
            parts.append("messages to " + ", ".join(sorted(self.quiet)) + " dropped")
        if self.proposers:
            parts.append("dead replies and stale proposer state dropped")
        if self.learners:
            parts.append("learned learners' votes dropped")
        if self.keep_promises and self.proposers:
            parts.append("every promise kept (an acceptor here can make one wrong)")
        return "; ".join(parts) or "nothing to drop"

    def canonical(self, world: World) -> World:
        """``world`` without the messages and fields that cannot influence its future."""
        nodes = world.nodes
        states: dict[str, object] = {}
        new_nodes: list[object] | None = None
        if self.proposers or self.learners:
            for i, s in enumerate(nodes):
                c = s
                if self.proposers and type(s) is Proposer:
                    c = _proposer(s)
                    states[s.node] = c
                elif self.learners and type(s) is Learner and s.learned is not None:
                    if s.votes:
                        c = replace(s, votes=frozenset())
                    states[s.node] = c
                if c is not s:
                    if new_nodes is None:
                        new_nodes = list(nodes)
                    new_nodes[i] = c
        quiet = self.quiet
        keep_promises = self.keep_promises
        keep: list[Message] | None = None
        inflight = world.inflight
        for i, m in enumerate(inflight):
            dst = m.dst
            drop = dst in quiet
            if not drop:
                s = states.get(dst)
                if s is not None and not (keep_promises and type(m) is Promise):
                    drop = True if type(s) is Learner else _dead_to_proposer(m, s)  # type: ignore[arg-type]
            if drop:
                if keep is None:
                    keep = list(inflight[:i])
            elif keep is not None:
                keep.append(m)
        if new_nodes is None and keep is None:
            return world
        return World(
            world.config,
            nodes if new_nodes is None else tuple(new_nodes),  # type: ignore[arg-type]
            inflight if keep is None else tuple(keep),
            world.crashed,
            world.partition,
            world.timers,
            world.votes,
            world.proposed,
            world.learned_log,
        )
