"""A Multi-Paxos replica: proposer, acceptor and learner of a log of order commands.

Theory of operation
-------------------
``Replica`` is one node's state, frozen and hashable like the single-decree roles.  Its
handlers take a message (or a timeout, or a client's command) and the ``ReplicaRules`` and
return ``(new_state, effects)``; they never do I/O, read a clock or draw a random number.  The
engine decides what happens when, so the simulator, the stepper and any explorer all drive
the same code.

The log is a row of *slots*.  A slot is an independent instance of single-decree Paxos whose
value is an order command (as text, see ``paxos_lib.orders.Command``); a replica *applies*
the chosen commands to its ``OrderBook`` in slot order, and stops at the first slot it does
not know chosen (a *gap*).

The rules, numbered as in lesson 07
-----------------------------------
1. **One phase 1 for all slots.**  A replica that must lead picks a ballot above any it has
   seen and sends ``LogPrepare(from_slot)`` (1a), where ``from_slot`` is its first slot not
   known chosen.  One promise covers that slot and every later one.
2. **Promises carry the open slots.**  A replica promises unless it promised a higher ballot
   (then ``LogNack``), and reports its vote in every open slot from ``from_slot`` on, plus the
   slots it knows chosen there (``LogPromise``, 1b).
3. **Recovery and no-ops.**  With a quorum of promises (its own included) the candidate
   leads.  For every slot up to the highest one reported it learns the chosen ones, proposes
   the value of the highest-ballot vote reported (the single-decree rule 3, slot by slot), and
   fills each slot nobody voted in with a ``noop``, so the log has no holes.
4. **Phase 2 per command.**  The leader puts each new client command in the next free slot:
   it accepts it in its own acceptor and sends ``LogAccept`` (2a) to the other replicas.  One
   accept round, with its replies, per command.
5. **Accepting.**  A replica accepts unless it promised a higher ballot, and answers
   ``LogAccepted`` (2b) to the leader.  With a quorum of votes the slot is chosen; the leader
   applies it.
6. **Learning.**  A ``LogAccept`` or ``Commit`` at ballot ``b`` carries the leader's ``commit``:
   every slot below it is chosen.  A follower that accepted a slot below ``commit`` *at ballot
   ``b``* knows its command is the chosen one (a leader proposes one command per slot per
   ballot, and announces only slots where its proposal is the chosen command).  A leader that
   starts a new ballot with all of its old ballot's proposals chosen vouches for the old one
   the same way in its ``LogPrepare``.  Any other slot it lacks a replica asks for with
   ``CatchUp``; any replica answers with the chosen entries (``CatchUpReply``).  A lagging or
   recovered replica catches up this way.
7. **Leader change.**  A replica that sees a higher ballot stops leading, and passes its
   unfinished client commands to the new leader (``Forward``).  A follower holding a client's
   command forwards it again when its retry timer fires; if the timer fires a second time
   with no word from the leader, it suspects the leader and starts rule 1 itself.  A leader
   that is forwarded a command it already holds chosen answers with a ``Commit``, so the
   forwarder catches up instead of suspecting it.  A candidate whose timer fires resends its
   1a to everyone (a higher ballot would have been nacked).
8. **Exactly once.**  A client that retries sends the same ``(client_id, request_id)`` again,
   maybe to another replica, so one request can be chosen in two slots.  Both are applied,
   and ``paxos_lib.orders.apply`` turns the second into a ``duplicate`` that changes nothing.

Why rule 6 is safe: suppose the leader of ``b`` announces slot ``s`` below ``commit`` while a
follower holds a vote ``(s, b, v)``.  ``v`` is the leader's only proposal for ``s`` at ``b``.
The leader knows the chosen command ``w`` of ``s``.  If ``w`` was chosen at a ballot up to
``b``, Paxos makes every proposal at ``b`` equal ``w``, so ``v = w``.  Otherwise a higher
ballot exists and the leader, on learning a chosen command that differs from its own
proposal, stops leading before it could announce ``s``.

Timer.  A replica's retry timer is armed exactly while it has work the environment must
eventually wake it for (``busy``): collecting promises, open slots or followers that have not
confirmed the log (leader); client commands not yet chosen, a known gap, a vote whose outcome
it has not learned, or its own ballot with nobody leading (follower).  A follower's timeout
asks the leader for what it lacks (``CatchUp``); a second one with no word from the leader
makes it take over.  A crash disarms the timer; ``after_recover`` arms it again.  Retries
back off exponentially while nothing else happens (``backoff``): the timer keeps firing, but a
replica cut off from the others acts on the 1st, 2nd, 4th, … 32nd firing, then every 32nd.

Durable and volatile.  The promise, the votes, the chosen log with the book built from it,
and the highest round used are durable; the rest (leadership, promises collected, pending
commands, what the followers hold) is lost in a crash.
NOTE: the book and ``applied`` are kept as if written with the log; a real replica would
rebuild them from a snapshot plus the log after a restart.  Snapshots, compaction and state
transfer are in ``snapshots.py`` (hooks marked ``snapshots.`` here).
NOTE: a vote is dropped once its slot is known chosen (the log holds the command), so state
stays small; promises report the chosen command instead, which is stronger information.
NOTE: the exactly-once table lives in the book and is never trimmed (see ``orders.py``).
NOTE: there is no pre-vote (as in Raft): replicas cut off in a minority keep starting phase 1
with higher ballots, and when the partition heals the first of those ballots to arrive
preempts the majority's leader.  Safe, but a needless leader change.
NOTE: a leader keeps calling on a crashed follower (its heartbeats wait in the network), so a
run with a replica down for good never goes quiet.
NOTE: with one replica (quorum 1) the leader's own vote chooses a slot at once; it sends itself
the 2b so that the engine's history of votes (``World.votes``) records that vote.
NOTE: a client's read (``'read #42 (c1/3)'``, see ``clients.py``) may take a slot like a
command (a log read); applying it changes no order.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, ClassVar

from paxos_lib.errors import ConfigError
from paxos_lib.linearizability import READ_KIND
from paxos_lib.messages import Ballot, CancelTimer, Effect, Message, Send, SetTimer
from paxos_lib.multipaxos import snapshots
from paxos_lib.multipaxos.messages import (
    CatchUp,
    CatchUpReply,
    Commit,
    Forward,
    LogAccept,
    LogAccepted,
    LogNack,
    LogPrepare,
    LogPromise,
)
from paxos_lib.orders import NOOP, Command, OrderBook
from paxos_lib.orders import apply as apply_command

if TYPE_CHECKING:
    from paxos_lib.multipaxos.cluster import ReplicaRules

__all__ = ["NOOP_TEXT", "REPLICA_PHASES", "Replica", "is_read"]

NOOP_TEXT = str(NOOP)
"""The no-op as it travels in messages: ``'noop'``."""


def is_read(command: str) -> bool:
    """True for a client's read (``'read #42 (c1/3)'``, see ``clients.py``): it may take a
    slot like a command (a log read) but changes no order."""
    return command.startswith(READ_KIND + " ")

REPLICA_PHASES = ("follower", "preparing", "leading")

Step = tuple["Replica", tuple[Effect, ...]]
_EMPTY_BOOK = OrderBook.empty()
_Vote = tuple[int, Ballot, str]
_Proposal = tuple[int, str, tuple[str, ...]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Replica:
    """One replica's state (see the module docstring for the rules).

    Durable: ``promised``, ``accepted`` (votes in slots not known chosen, by slot), ``log``
    (the chosen command of each slot, None where unknown), ``applied`` (slots applied, the
    first gap), ``book`` and ``round``.  Volatile: everything else.
    """

    ROLE: ClassVar[str] = "replica"
    DURABLE: ClassVar[tuple[str, ...]] = (
        "promised", "accepted", "log", "applied", "book", "round",
        "snapshot", "history", "executed",  # snapshots.py
    )

    node: str
    promised: Ballot | None = None
    accepted: tuple[_Vote, ...] = ()
    log: tuple[str | None, ...] = ()
    applied: int = 0
    book: OrderBook = _EMPTY_BOOK
    round: int = 0
    leader: str | None = None
    phase: str = "follower"
    ballot: Ballot | None = None
    from_slot: int = 0
    heard: tuple[str, ...] = ()
    recovered: tuple[_Vote, ...] = ()
    proposals: tuple[_Proposal, ...] = ()
    next_slot: int = 0
    fresh: int = 0
    pending: tuple[str, ...] = ()
    synced: tuple[tuple[str, int], ...] = ()
    known_commit: int = 0
    suspect: bool = False
    backoff: int = 0
    # snapshots.py: the last snapshot, the running digest of applied commands, a ghost count
    snapshot: snapshots.Snapshot | None = None
    history: str = snapshots.GENESIS
    executed: int = 0

    def __post_init__(self) -> None:
        if self.phase not in REPLICA_PHASES:
            raise ConfigError(f"unknown replica phase {self.phase!r}; phases: {REPLICA_PHASES}")

    # -- reading -------------------------------------------------------------------------------

    @property
    def can_propose(self) -> bool:
        """A replica takes client commands at any time (it queues or forwards them)."""
        return True

    @property
    def is_leader(self) -> bool:
        return self.phase == "leading"

    def busy(self, rules: ReplicaRules) -> bool:
        """True while the replica needs its retry timer (see the module docstring)."""
        more = getattr(rules, "busy", None)  # rules may add work (reconfig.py: a leader left)
        if more is not None and more(self):
            return True
        if self.phase == "preparing" or self.pending:
            return True
        if self.phase == "leading":
            if self.proposals:
                return True
            got = dict(self.synced)
            return any(got.get(p, 0) < self.applied for p in rules.peers(self.node))
        if self.applied < self.known_commit or self.accepted:
            return True  # a known gap, or a vote whose outcome we do not know yet
        p = self.promised  # we hold our own ballot but lead nothing (after a crash)
        return p is not None and p.node == self.node and self.leader in (None, self.node)

    def chosen_entries(self) -> tuple[tuple[int, str], ...]:
        """``(slot, command)`` for every slot this replica knows chosen."""
        return tuple((s, v) for s, v in enumerate(self.log) if v is not None)

    def describe(self) -> str:
        """One line for traces and tables."""
        if self.phase == "leading":
            head = f"leading at {self.ballot}"
        elif self.phase == "preparing":
            head = f"preparing {self.ballot} ({len(self.heard)} promise(s))"
        else:
            head = f"follower of {self.leader or 'nobody'}"
        parts = [head, f"applied {self.applied}/{len(self.log)} slot(s)"]
        if self.proposals:
            parts.append("open " + ",".join(str(s) for s, _, _ in self.proposals))
        if self.pending:
            parts.append(f"{len(self.pending)} pending")
        if self.accepted:
            parts.append(f"{len(self.accepted)} vote(s) in open slots")
        return ", ".join(parts)

    # -- the engine's interface ---------------------------------------------------------------

    def on_propose(self, value: str, rules: ReplicaRules) -> Step:
        """A client hands this replica a command: lead it, queue it, or forward it (rule 7)."""
        if value == snapshots.SNAPSHOT_REQUEST:
            return snapshots.on_demand(self, rules)
        if not is_read(value):
            # a client's command must be a valid order command (or, with reconfiguration, a
            # configuration command: the rules may bring their own check); reads: clients.py
            getattr(rules, "check_command", Command.parse)(value)
        d = _open(self, rules)
        d.take(value)
        return d.finish()

    def on_message(self, msg: Message, rules: ReplicaRules) -> Step:
        d = _open(self, rules)
        if isinstance(msg, LogPrepare):
            d.on_prepare(msg)
        elif isinstance(msg, LogPromise):
            d.on_promise(msg)
        elif isinstance(msg, LogAccept):
            d.on_accept(msg)
        elif isinstance(msg, LogAccepted):
            d.on_accepted(msg)
        elif isinstance(msg, LogNack):
            d.on_nack(msg)
        elif isinstance(msg, Forward):
            d.take(msg.command, msg.src)
        elif isinstance(msg, Commit):
            d.on_commit(msg)
        elif isinstance(msg, CatchUp):
            d.on_catch_up(msg)
        elif isinstance(msg, CatchUpReply):
            d.on_catch_up_reply(msg)
        elif isinstance(msg, snapshots.InstallSnapshot):
            snapshots.install(d, msg)
        return d.finish()

    def on_timeout(self, rules: ReplicaRules) -> Step:
        """The retry timer fired: retry phase 1, resend what is unconfirmed, suspect the
        leader (a client's command is waiting), or ask for the missing slots."""
        d = _open(self, rules)
        d.on_timeout()
        return d.finish()

    def after_recover(self, rules: ReplicaRules) -> Step:
        """Restart code: re-arm the retry timer (a crash disarmed it) if there is work."""
        return self, ((SetTimer(self.node),) if self.busy(rules) else ())

    def after_crash(self, rules: ReplicaRules) -> Replica:
        """What survives a crash: the durable fields.  The replica then follows whoever holds
        the ballot it promised last (nobody, if that was its own)."""
        p = self.promised
        leader = p.node if p is not None and p.node != self.node else None
        return Replica(
            node=self.node,
            promised=p,
            accepted=self.accepted,
            log=self.log,
            applied=self.applied,
            book=self.book,
            round=self.round,
            leader=leader,
            snapshot=self.snapshot,
            history=self.history,
            executed=self.executed,
        )


_FIELDS = tuple(f.name for f in fields(Replica))


def _open(state: Replica, rules: ReplicaRules) -> _Draft:
    """The working copy for one handler: rules may bring their own (``reconfig.py`` does)."""
    return getattr(rules, "draft_class", _Draft)(state, rules)

# Exponential back-off: after the n-th timeout in a row with nothing else happening, act only
# when n is a power of two (then every 32nd time), so a replica cut off from the others does
# not flood the network with copies of the same retry.
_BACKOFF_CAP = 63
_PROGRESS = tuple(n for n in _FIELDS if n not in ("backoff", "suspect"))
_ACT_AT = frozenset({1, 2, 4, 8, 16, 32})


class _Draft:
    """A mutable working copy of a ``Replica`` for one handler; ``finish`` freezes it.

    The handlers are easier to read as a few steps on a working copy; the result is still a
    new frozen state plus a tuple of effects, and the old state is never changed.
    """

    def __init__(self, state: Replica, rules: ReplicaRules) -> None:
        self._old = state
        self.rules = rules
        self.node: str = state.node
        self.promised: Ballot | None = state.promised
        self.accepted: tuple[_Vote, ...] = state.accepted
        self.log: tuple[str | None, ...] = state.log
        self.applied: int = state.applied
        self.book: OrderBook = state.book
        self.round: int = state.round
        self.leader: str | None = state.leader
        self.phase: str = state.phase
        self.ballot: Ballot | None = state.ballot
        self.from_slot: int = state.from_slot
        self.heard: tuple[str, ...] = state.heard
        self.recovered: tuple[_Vote, ...] = state.recovered
        self.proposals: tuple[_Proposal, ...] = state.proposals
        self.next_slot: int = state.next_slot
        self.fresh: int = state.fresh
        self.pending: tuple[str, ...] = state.pending
        self.synced: tuple[tuple[str, int], ...] = state.synced
        self.known_commit: int = state.known_commit
        self.suspect: bool = state.suspect
        self.backoff: int = state.backoff
        self.snapshot: snapshots.Snapshot | None = state.snapshot
        self.history: str = state.history
        self.executed: int = state.executed
        self.timing_out = False
        self.effects: list[Effect] = []

    # -- plumbing ------------------------------------------------------------------------------

    def finish(self) -> Step:
        old = self._old
        values = {name: getattr(self, name) for name in _FIELDS}
        if not self.timing_out and values["backoff"] and any(
            values[n] != getattr(old, n) for n in _PROGRESS
        ):
            values["backoff"] = 0  # something happened: act at once on the next timeout
        new = Replica(**values)
        if not self.effects and new == old:
            return old, ()
        was, now = old.busy(self.rules), new.busy(self.rules)
        if now and not was:
            self.effects.append(SetTimer(self.node))
        elif was and not now:
            self.effects.append(CancelTimer(self.node))
        return new, tuple(self.effects)

    def send(self, message: Message) -> None:
        self.effects.append(Send(message))

    def peers(self) -> tuple[str, ...]:
        return self.rules.peers(self.node)

    def my_ballot(self) -> Ballot:
        """The ballot to stamp on a message that belongs to no ballot in particular."""
        if self.ballot is not None:
            return self.ballot
        if self.promised is not None:
            return self.promised
        return Ballot(0, self.node)

    def known(self, slot: int) -> bool:
        return slot < len(self.log) and self.log[slot] is not None

    def in_flight_commands(self) -> set[str]:
        return {v for _, v, _ in self.proposals}

    # -- learning (rule 6) ---------------------------------------------------------------------

    def learn(self, entries: tuple[tuple[int, str], ...] | list[tuple[int, str]]) -> None:
        """Record chosen ``(slot, command)`` facts, apply what became contiguous, and drop
        what they settle: votes, open proposals, pending client commands."""
        new = [(s, v) for s, v in entries if not self.known(s)]
        if not new:
            return
        self.log = snapshots.with_entries(self.log, new)  # type: ignore[assignment]
        slots = {s for s, _ in new}
        self.accepted = tuple(e for e in self.accepted if e[0] not in slots)
        if self.proposals:
            facts = dict(new)
            contradicted = any(s in facts and facts[s] != v for s, v, _ in self.proposals)
            self.proposals = tuple(p for p in self.proposals if p[0] not in facts)
            if contradicted:  # a higher ballot chose something else here: we are not leader
                self.step_down(None)
        self.advance()
        if self.pending:
            done = set(snapshots.held(self.log))
            self.pending = tuple(c for c in self.pending
                                 if c not in done and not snapshots.is_executed(self.book, c))

    def advance(self) -> None:
        """Apply chosen commands in slot order, up to the first gap."""
        log = self.log
        i = self.applied
        book = self.book
        history = self.history
        while i < len(log) and log[i] is not None:
            if not is_read(log[i]):  # a read in the log (clients.py) changes nothing
                book, _ = apply_command(book, Command.parse(log[i]))  # type: ignore[arg-type]
            history = snapshots.chain(history, log[i])  # type: ignore[arg-type]
            i += 1
        self.executed += i - self.applied
        self.applied = i
        self.book = book
        self.history = history
        snapshots.maybe_compact(self)

    def infer(self, ballot: Ballot, commit: int) -> None:
        """Rule 6: a vote at ``ballot`` in a slot below the leader's ``commit`` is chosen."""
        self.known_commit = max(self.known_commit, commit)
        facts = [(s, v) for s, b, v in self.accepted if s < commit and b == ballot]
        if facts:
            self.learn(facts)

    # -- ballots and leadership ----------------------------------------------------------------

    def see_ballot(self, ballot: Ballot) -> None:
        """Promise ``ballot`` (not below our promise) and follow its owner."""
        if self.promised is None or ballot > self.promised:
            if self.phase != "follower" and self.ballot is not None and self.ballot < ballot:
                self.step_down(ballot.node)
            self.promised = ballot
        self.suspect = False  # the leader (or a candidate) is alive
        self.follow(ballot.node)

    def follow(self, leader: str | None) -> None:
        """Believe ``leader`` leads; pass it the client commands we hold if it is new."""
        if self.phase != "follower" or leader == self.leader:
            return
        self.leader = leader
        if leader is not None and leader != self.node:
            ballot = self.my_ballot()
            for c in self.pending:
                self.send(Forward(src=self.node, dst=leader, ballot=ballot, command=c))

    def step_down(self, leader: str | None) -> None:
        """Stop preparing or leading; unfinished client commands go back to ``pending``."""
        if self.phase == "follower":
            return
        back = [v for _, v, _ in self.proposals if v != NOOP_TEXT and v not in self.pending]
        self.pending = self.pending + tuple(dict.fromkeys(back))
        self.phase = "follower"
        self.ballot = None
        self.heard = ()
        self.recovered = ()
        self.proposals = ()
        self.synced = ()
        self.fresh = 0
        self.leader = None
        self.follow(leader)

    def start_phase1(self) -> None:
        """Rule 1: a ballot above any seen, promised to ourselves, and 1a to every peer.

        A leader whose proposals were all chosen vouches for its old ballot (rule 6)."""
        vouch = self.ballot if self.phase == "leading" and not self.proposals else None
        self.step_down(None)
        top = self.round if self.promised is None else max(self.round, self.promised.round)
        self.round = top + 1
        ballot = Ballot(self.round, self.node)
        self.promised = ballot
        self.ballot = ballot
        self.phase = "preparing"
        self.suspect = False
        self.leader = self.node
        self.from_slot = self.applied
        self.heard = (self.node,)
        self.recovered = tuple(e for e in self.accepted if e[0] >= self.from_slot)
        for peer in self.peers():
            self.send(LogPrepare(src=self.node, dst=peer, ballot=ballot, from_slot=self.from_slot,
                                 commit=self.applied, vouch=vouch))
        if len(self.heard) >= self.rules.quorum:
            self.become_leader()

    def become_leader(self) -> None:
        """Rule 3: learn, re-propose the highest-ballot votes, fill gaps with no-ops."""
        self.phase = "leading"
        self.fresh = 0
        self.proposals = ()
        self.synced = ()
        votes = {s: v for s, _, v in self.recovered}
        top = max([len(self.log) - 1, self.from_slot - 1, *votes])
        self.recovered = ()
        self.heard = ()
        for slot in range(self.applied, top + 1):
            if self.known(slot):
                continue
            value = votes.get(slot, NOOP_TEXT) if self.rules.leader_adopts_votes else NOOP_TEXT
            self.propose(slot, value)
        self.next_slot = top + 1
        waiting, self.pending = self.pending, ()
        for c in waiting:
            self.take(c)

    def propose(self, slot: int, command: str) -> None:
        """Rule 4: accept in our own acceptor, then 2a to every peer."""
        assert self.ballot is not None
        b = self.ballot
        self.accepted = tuple(sorted([*(e for e in self.accepted if e[0] != slot),
                                      (slot, b, command)], key=lambda e: e[0]))
        self.proposals = (*self.proposals, (slot, command, (self.node,)))
        for peer in self.peers():
            self.send(LogAccept(src=self.node, dst=peer, ballot=b, slot=slot, command=command,
                                commit=self.applied))
        if self.rules.quorum <= 1:
            # One replica: its own vote is a quorum.  The 2b it sends itself puts the vote in
            # the engine's history (World.votes); the command is chosen now.
            self.send(LogAccepted(src=self.node, dst=self.node, ballot=b, slot=slot,
                                  command=command, prefix=self.applied))
            self.learn([(slot, command)])

    def take(self, command: str, src: str | None = None) -> None:
        """A client's command, from the client or forwarded by ``src``: propose, queue or
        forward it.  A leader that already holds it chosen tells the forwarder how far the
        log is chosen (a ``Commit``), so the forwarder can catch up and stop waiting."""
        if command in self.log or snapshots.is_executed(self.book, command):
            if self.phase == "leading" and src is not None and self.ballot is not None:
                self.send(Commit(src=self.node, dst=src, ballot=self.ballot, commit=self.applied))
            return
        if command in self.pending or command in self.in_flight_commands():
            return
        if self.phase == "leading":
            if self.rules.phase1_every_slot and self.fresh >= 1:
                self.pending = (*self.pending, command)
                if not self.proposals:
                    self.start_phase1()
                return
            slot = self.next_slot
            while self.known(slot):  # chosen under a higher ballot: never propose there
                slot += 1
            self.next_slot = slot + 1
            self.fresh += 1
            self.propose(slot, command)
            return
        self.pending = (*self.pending, command)
        if self.phase == "preparing":
            return
        if self.leader is None or self.leader == self.node:
            self.start_phase1()
        else:
            self.send(Forward(src=self.node, dst=self.leader, ballot=self.my_ballot(),
                              command=command))

    # -- handlers -------------------------------------------------------------------------------

    def nack(self, msg: Message) -> None:
        assert self.promised is not None
        self.send(LogNack(src=self.node, dst=msg.src, ballot=msg.ballot, promised=self.promised))

    def on_prepare(self, msg: LogPrepare) -> None:
        """Rule 2: promise unless a higher ballot was promised; report open votes and chosen."""
        if msg.vouch is not None:
            self.infer(msg.vouch, msg.commit)
        if self.promised is not None and msg.ballot < self.promised:
            self.nack(msg)
            return
        f = msg.from_slot
        if f < snapshots.log_base(self.log):
            snapshots.send_snapshot(self, msg.src)  # instead of a promise: see snapshots.py
            return
        self.see_ballot(msg.ballot)
        self.send(LogPromise(
            src=self.node,
            dst=msg.src,
            ballot=msg.ballot,
            from_slot=f,
            accepted=tuple(e for e in self.accepted if e[0] >= f),
            chosen=tuple((s, v) for s, v in enumerate(self.log) if s >= f and v is not None),
        ))

    def on_promise(self, msg: LogPromise) -> None:
        """Rule 3: learn the chosen slots reported; with a quorum of promises, lead."""
        self.learn(msg.chosen)
        if self.phase != "preparing" or msg.ballot != self.ballot or msg.src in self.heard:
            return
        self.heard = (*self.heard, msg.src)
        best = {s: (b, v) for s, b, v in self.recovered}
        for s, b, v in msg.accepted:
            if s >= self.from_slot and not self.known(s) and (s not in best or b > best[s][0]):
                best[s] = (b, v)
        self.recovered = tuple((s, b, v) for s, (b, v) in sorted(best.items()))
        if len(self.heard) >= self.rules.quorum:
            self.become_leader()

    def on_accept(self, msg: LogAccept) -> None:
        """Rule 5: accept unless a higher ballot was promised; learn from ``commit``."""
        if self.promised is not None and msg.ballot < self.promised:
            self.nack(msg)
            return
        self.see_ballot(msg.ballot)
        s = msg.slot
        if not self.known(s):
            self.accepted = tuple(sorted([*(e for e in self.accepted if e[0] != s),
                                          (s, msg.ballot, msg.command)], key=lambda e: e[0]))
        self.infer(msg.ballot, msg.commit)
        self.send(LogAccepted(src=self.node, dst=msg.src, ballot=msg.ballot, slot=s,
                              command=msg.command, prefix=self.applied))

    def note_synced(self, peer: str, prefix: int) -> None:
        got = dict(self.synced)
        if got.get(peer, -1) < prefix:
            got[peer] = prefix
            self.synced = tuple(sorted(got.items()))

    def on_accepted(self, msg: LogAccepted) -> None:
        """Rule 5: count votes for our open slot; a quorum chooses it."""
        if self.phase != "leading" or msg.ballot != self.ballot:
            return
        self.note_synced(msg.src, msg.prefix)
        for i, (s, v, voters) in enumerate(self.proposals):
            if s == msg.slot and v == msg.command and msg.src not in voters:
                voters = (*voters, msg.src)
                if len(voters) >= self.rules.quorum:
                    self.learn([(s, v)])
                else:
                    props = list(self.proposals)
                    props[i] = (s, v, voters)
                    self.proposals = tuple(props)
                break
        if (self.phase == "leading" and self.rules.phase1_every_slot and self.pending
                and not self.proposals):
            self.start_phase1()

    def on_nack(self, msg: LogNack) -> None:
        """A higher ballot exists: if it beat our own, stop and follow its owner."""
        self.round = max(self.round, msg.promised.round)
        if self.phase != "follower" and msg.ballot == self.ballot:
            self.step_down(msg.promised.node)

    def on_commit(self, msg: Commit) -> None:
        """Rule 6: the leader's heartbeat; answer with how much of the log we hold."""
        if self.promised is not None and msg.ballot < self.promised:
            return
        self.see_ballot(msg.ballot)
        self.infer(msg.ballot, msg.commit)
        self.send(CatchUp(src=self.node, dst=msg.src, ballot=msg.ballot, prefix=self.applied))

    def on_catch_up(self, msg: CatchUp) -> None:
        """Send the chosen slots a peer lacks (any replica may answer)."""
        if self.phase == "leading":
            self.note_synced(msg.src, msg.prefix)
        if self.applied > msg.prefix:
            first = snapshots.catch_up_from(self, msg.src, msg.prefix)
            entries = tuple((s, self.log[s]) for s in range(first, self.applied))
            if entries:
                self.send(CatchUpReply(src=self.node, dst=msg.src, ballot=self.my_ballot(),
                                       entries=entries))  # type: ignore[arg-type]
            if self.phase == "leading":
                self.note_synced(msg.src, self.applied)

    def on_catch_up_reply(self, msg: CatchUpReply) -> None:
        if msg.src == self.leader:
            self.suspect = False
        self.learn(msg.entries)
        if msg.entries:
            self.known_commit = max(self.known_commit, msg.entries[-1][0] + 1)

    def on_timeout(self) -> None:
        self.timing_out = True
        self.backoff = self.backoff + 1 if self.backoff < _BACKOFF_CAP else _BACKOFF_CAP // 2 + 1
        if self.backoff not in _ACT_AT:
            return  # back off: nothing changed since the last try
        if self.phase == "preparing":
            # Resend 1a to everyone (a higher ballot would have been nacked); peers that
            # promised already hear that the candidate is alive, so they do not take over.
            assert self.ballot is not None
            for peer in self.peers():
                self.send(LogPrepare(src=self.node, dst=peer, ballot=self.ballot,
                                     from_slot=self.from_slot, commit=self.applied))
            return
        if self.phase == "leading":
            assert self.ballot is not None
            b = self.ballot
            resent: set[str] = set()
            for s, v, voters in self.proposals:
                for peer in self.peers():
                    if peer not in voters:
                        resent.add(peer)
                        self.send(LogAccept(src=self.node, dst=peer, ballot=b, slot=s,
                                            command=v, commit=self.applied))
            got = dict(self.synced)
            for peer in self.peers():
                if peer not in resent and got.get(peer, 0) < self.applied:
                    self.send(Commit(src=self.node, dst=peer, ballot=b, commit=self.applied))
            if self.rules.phase1_every_slot and self.pending and not self.proposals:
                self.start_phase1()
            return
        if self.pending:
            # A client waits.  First time: the forward may have been lost, so send it again;
            # second time without a word from the leader: suspect it and take over.
            if self.suspect or self.leader is None or self.leader == self.node:
                self.start_phase1()
            else:
                self.suspect = True
                for c in self.pending:
                    self.send(Forward(src=self.node, dst=self.leader, ballot=self.my_ballot(),
                                      command=c))
        elif self.leader is None or self.leader == self.node:
            self.start_phase1()  # nobody leads that we know of: lead, and so learn
        elif self.suspect:
            self.start_phase1()  # asked once, no word from the leader: take over
        else:
            self.suspect = True
            self.send(CatchUp(src=self.node, dst=self.leader, ballot=self.my_ballot(),
                              prefix=self.applied))
