"""The three roles of Paxos as pure state machines.

Theory of operation
-------------------
Each role is a frozen dataclass holding one node's state.  Its handlers take a message (or a
timeout, or a client's value) plus the ``Rules`` in force and return ``(new_state,
effects)``: the state the node moves to and what it wants to happen next (messages to send,
its retry timer armed or disarmed).  A handler never performs I/O, reads a clock or draws a
random number; the engine (``engine.py``) decides what happens when.  A stale or lower-ballot
message is a normal protocol event, not an error: the handler returns the same state with
no effects, or a ``Nack`` where the protocol calls for one.

State is split into *durable* fields (on disk: they survive a crash) and *volatile* ones (in
memory: lost on a crash).  ``DURABLE`` names the durable fields of each role and
``after_crash`` keeps exactly those.

The rules, numbered as in the lessons
-------------------------------------
1. A proposer picks a ballot no one else uses and higher than any it used before, and sends
   ``Prepare`` (1a) to every acceptor.
2. An acceptor promises a ballot unless it already promised a higher one, and in its
   ``Promise`` (1b) reports the highest-ballot value it has accepted, if any.
3. With promises from a quorum, the proposer proposes (``Accept``, 2a) the value of the
   highest-ballot vote reported in those promises, or its own value when none reports one.
4. An acceptor accepts unless it promised a higher ballot, and reports its vote
   (``Accepted``, 2b) to the proposer and to every learner.
5. A value is *chosen* when a quorum of acceptors accepted it at one ballot; a learner
   *learns* it when it sees those votes, or hears ``Decided`` from the proposer that did.

Why rule 3 keeps a chosen value chosen (the numbered argument)
--------------------------------------------------------------
Suppose value v was chosen at ballot b: a quorum Q accepted v at b.  Take any higher
ballot c whose proposer reaches phase 2 with the promises of a quorum R.

1. Q and R share at least one acceptor x, because any two quorums intersect.
2. x accepted v at b before promising c: once it promised c > b, rule 4 forbids it to
   accept b.  So x's promise for c reports a vote at some ballot >= b.
3. By induction on the ballots between b and c, every vote at a ballot from b up to c is
   for v (each such ballot's proposer reasoned the same way).
4. So the highest-ballot vote among R's promises is at a ballot >= b and is for v, and by
   rule 3 the proposer of c proposes v.  No ballot above b can propose anything else.

The variants each remove one link of this chain (``variants.py``): ``forgetful-proposer``
and ``lowest-vote`` break step 4, ``amnesiac-acceptor`` and ``accept-below-promise`` step 2,
``duplicate-ballots`` and ``ballot-reuse`` give one ballot two proposals (step 3),
``minority-quorum`` step 1, and ``snippet`` (the seed's code) steps 2 and 4 at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from paxos_lib.errors import ConfigError
from paxos_lib.messages import (
    Accept,
    Accepted,
    Ballot,
    CancelTimer,
    Decided,
    Effect,
    Message,
    Nack,
    Prepare,
    Promise,
    Send,
    SetTimer,
)
from paxos_lib.variants import SHARED_BALLOT_NODE, Rules

__all__ = ["PHASES", "Acceptor", "Learner", "NodeState", "Proposer"]

Step = tuple["NodeState", tuple[Effect, ...]]

def _check_node(role: str, node: object) -> None:
    if not isinstance(node, str) or not node:
        raise ConfigError(f"{role}.node must be a non-empty node id such as 'a1', got {node!r}")


def _check_ballot(name: str, ballot: object) -> None:
    if ballot is not None and not isinstance(ballot, Ballot):
        raise ConfigError(f"{name} must be a Ballot or None, got {ballot!r}")


def _check_value(name: str, value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise ConfigError(
            f"{name} must be None or a non-empty string such as 'confirmed', got {value!r}"
        )


#: The phases of a proposer, in the order it goes through them.
PHASES = ("idle", "preparing", "accepting", "nacked", "decided")


@dataclass(frozen=True, slots=True, kw_only=True)
class Acceptor:
    """An acceptor: what it promised, and the last vote it cast.

    Everything an acceptor knows is durable.  NOTE: a real acceptor must write its promise and
    vote to disk *before* replying; here a handler's new state and its replies take effect
    in one atomic step, which models exactly that.  The ``amnesiac-acceptor`` variant drops
    this storage on a crash.
    """

    ROLE: ClassVar[str] = "acceptor"
    DURABLE: ClassVar[tuple[str, ...]] = ("promised", "accepted_ballot", "accepted_value")

    node: str
    promised: Ballot | None = None
    accepted_ballot: Ballot | None = None
    accepted_value: str | None = None

    def __post_init__(self) -> None:
        _check_node("Acceptor", self.node)
        _check_ballot("Acceptor.promised", self.promised)
        _check_ballot("Acceptor.accepted_ballot", self.accepted_ballot)
        _check_value("Acceptor.accepted_value", self.accepted_value)
        if (self.accepted_ballot is None) != (self.accepted_value is None):
            raise ConfigError(
                "Acceptor.accepted_ballot and Acceptor.accepted_value are both set or both "
                f"None, got {self.accepted_ballot!r} and {self.accepted_value!r}"
            )

    def on_message(self, msg: Message, rules: Rules) -> Step:
        if isinstance(msg, Prepare):
            return self.on_prepare(msg, rules)
        if isinstance(msg, Accept):
            return self.on_accept(msg, rules)
        return self, ()

    def on_prepare(self, msg: Prepare, rules: Rules) -> Step:
        """1b: promise ``msg.ballot`` unless a higher ballot was promised (then Nack).

        Promising the ballot already promised again is harmless: a duplicated Prepare gets the
        same answer twice.  The promise reports the highest-ballot vote so far.  Under
        ``paxos-tla`` (Phase1b: ``b > maxBal``) a repeat of the ballot promised gets no reply.
        """
        if rules.promise_strict and self.promised == msg.ballot:
            return self, ()
        if self.promised is not None and (
            msg.ballot <= self.promised if rules.seed_acceptor else msg.ballot < self.promised
        ):  # the seed promises only a greater number, so a repeated Prepare is refused
            nack = Nack(src=self.node, dst=msg.src, ballot=msg.ballot, promised=self.promised)
            return self, (Send(nack),)
        new = self if self.promised == msg.ballot else replace(self, promised=msg.ballot)
        if rules.promise_reports_accepted:
            promise = Promise(
                src=self.node,
                dst=msg.src,
                ballot=msg.ballot,
                accepted_ballot=self.accepted_ballot,
                accepted_value=self.accepted_value,
            )
        else:  # the seed's acceptor: a bare "yes"
            promise = Promise(src=self.node, dst=msg.src, ballot=msg.ballot)
        return new, (Send(promise),)

    def on_accept(self, msg: Accept, rules: Rules) -> Step:
        """2b: accept unless a higher ballot was promised (then Nack); tell the proposer and
        every learner.

        The seed's acceptor accepts only the very ballot it promised (nothing promised yet,
        or a higher ballot than promised, is ignored: the seed answers False).  The
        ``accept-below-promise`` acceptor skips the check, and so lowers its promise.  The
        Part-Time Parliament's acceptor votes only at the ballot promised, like the seed's;
        Paxos Made Simple's accepts without raising its promise.
        """
        if (rules.seed_acceptor or rules.accept_rule == "equal") and self.promised != msg.ballot:
            if self.promised is not None and msg.ballot < self.promised:
                nack = Nack(src=self.node, dst=msg.src, ballot=msg.ballot, promised=self.promised)
                return self, (Send(nack),)
            return self, ()
        if (rules.accept_checks_promise and self.promised is not None
                and msg.ballot < self.promised):
            nack = Nack(src=self.node, dst=msg.src, ballot=msg.ballot, promised=self.promised)
            return self, (Send(nack),)
        promised = self.promised if rules.accept_rule == "at-least-keep-promise" else msg.ballot
        new = replace(
            self, promised=promised, accepted_ballot=msg.ballot, accepted_value=msg.value
        )
        effects: list[Effect] = [
            Send(Accepted(src=self.node, dst=msg.src, ballot=msg.ballot, value=msg.value))
        ]
        effects.extend(
            Send(Accepted(src=self.node, dst=learner, ballot=msg.ballot, value=msg.value))
            for learner in rules.learners
        )
        return new, tuple(effects)

    def on_timeout(self, rules: Rules) -> Step:
        return self, ()

    def after_crash(self, rules: Rules) -> Acceptor:
        """What survives a crash: everything, unless storage is not durable (amnesia)."""
        if rules.acceptor_storage_durable:
            return self
        return Acceptor(node=self.node)


@dataclass(frozen=True, slots=True, kw_only=True)
class Proposer:
    """A proposer: the ballot it is running, the promises and votes it has collected.

    Phases: ``idle`` (no value yet), ``preparing`` (phase 1, collecting promises),
    ``accepting`` (phase 2, collecting votes), ``nacked`` (its ballot was refused; it retries
    when its timer fires), ``decided`` (a quorum accepted its proposal).

    Only ``round`` is durable: the highest round it has used, or seen in a refusal.  NOTE: a
    proposer that forgot it could reuse a ballot after a restart, with a different value.
    """

    ROLE: ClassVar[str] = "proposer"
    DURABLE: ClassVar[tuple[str, ...]] = ("round",)

    node: str
    round: int = 0
    phase: str = "idle"
    value: str | None = None
    ballot: Ballot | None = None
    promises: tuple[tuple[str, Ballot | None, str | None], ...] = ()
    proposal: str | None = None
    accepts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_node("Proposer", self.node)
        if isinstance(self.round, bool) or not isinstance(self.round, int) or self.round < 0:
            raise ConfigError(f"Proposer.round must be an int >= 0, got {self.round!r}")
        _check_ballot("Proposer.ballot", self.ballot)
        _check_value("Proposer.value", self.value)
        _check_value("Proposer.proposal", self.proposal)
        if not isinstance(self.phase, str) or self.phase not in PHASES:
            raise ConfigError(f"unknown proposer phase {self.phase!r}; phases: {PHASES}")

    @property
    def can_propose(self) -> bool:
        """A proposer takes a client's value only when it has none."""
        return self.value is None

    @property
    def waiting(self) -> bool:
        """Has a value that is not yet decided (so a timeout makes it retry)."""
        return self.phase in ("preparing", "accepting", "nacked")

    def on_propose(self, value: str, rules: Rules) -> Step:
        """Rule 1: take the client's value and start a ballot above any used before."""
        return replace(self, value=value)._start_ballot(self.round + 1, rules)

    def _start_ballot(self, round_: int, rules: Rules) -> Step:
        node = self.node if rules.unique_ballots else SHARED_BALLOT_NODE
        ballot = Ballot(round_, node)
        new = replace(
            self,
            round=round_,
            phase="preparing",
            ballot=ballot,
            promises=(),
            proposal=None,
            accepts=(),
        )
        effects: list[Effect] = [
            Send(Prepare(src=self.node, dst=a, ballot=ballot)) for a in rules.acceptors
        ]
        effects.append(SetTimer(self.node))
        return new, tuple(effects)

    def on_message(self, msg: Message, rules: Rules) -> Step:
        if isinstance(msg, Promise):
            return self.on_promise(msg, rules)
        if isinstance(msg, Accepted):
            return self.on_accepted(msg, rules)
        if isinstance(msg, Nack):
            return self.on_nack(msg, rules)
        return self, ()

    def on_promise(self, msg: Promise, rules: Rules) -> Step:
        """Rule 3: with a quorum of promises, propose the highest-ballot reported value, else
        our own.  Promises for another ballot, or repeated ones, change nothing."""
        if self.phase != "preparing" or msg.ballot != self.ballot:
            return self, ()
        if any(a == msg.src for a, _, _ in self.promises):
            return self, ()
        promises = tuple(
            sorted((*self.promises, (msg.src, msg.accepted_ballot, msg.accepted_value)),
                   key=lambda p: p[0])
        )
        if not rules.is_phase1_quorum([a for a, _, _ in promises]):
            return replace(self, promises=promises), ()
        proposal = self._pick_value(promises, rules)
        assert self.ballot is not None
        new = replace(self, promises=promises, phase="accepting", proposal=proposal)
        return new, tuple(
            Send(Accept(src=self.node, dst=a, ballot=self.ballot, value=proposal))
            for a in rules.acceptors
        )

    def _pick_value(
        self, promises: tuple[tuple[str, Ballot | None, str | None], ...], rules: Rules
    ) -> str:
        assert self.value is not None
        if rules.pick_vote == "own":
            return self.value  # the forgetful proposer
        lowest = rules.pick_vote == "lowest"  # the lowest-vote bug
        best: tuple[Ballot, str] | None = None
        for _, ballot, value in promises:  # sorted by acceptor id: ties break the same way
            if ballot is None or value is None:
                continue
            if best is None or (ballot < best[0] if lowest else ballot > best[0]):
                best = (ballot, value)
        return self.value if best is None else best[1]

    def on_accepted(self, msg: Accepted, rules: Rules) -> Step:
        """With a quorum of votes for our ballot the value is chosen: tell every learner."""
        if self.phase != "accepting" or msg.ballot != self.ballot or msg.src in self.accepts:
            return self, ()
        accepts = tuple(sorted((*self.accepts, msg.src)))
        if not rules.is_phase2_quorum(accepts):
            return replace(self, accepts=accepts), ()
        assert self.ballot is not None and self.proposal is not None
        new = replace(self, accepts=accepts, phase="decided")
        effects: list[Effect] = [
            Send(Decided(src=self.node, dst=learner, ballot=self.ballot, value=self.proposal))
            for learner in rules.learners
        ]
        effects.append(CancelTimer(self.node))
        return new, tuple(effects)

    def on_nack(self, msg: Nack, rules: Rules) -> Step:
        """Someone promised a higher ballot: give this ballot up and retry, above the higher
        one, when the retry timer fires.

        Waiting for the timer instead of retrying at once is what lets the environment add
        back-off (lesson 05): two proposers that always retry at once can duel forever.
        """
        if not self.waiting or msg.ballot != self.ballot:
            return self, ()
        return replace(self, phase="nacked", round=max(self.round, msg.promised.round)), ()

    def on_timeout(self, rules: Rules) -> Step:
        """No decision yet (or our ballot was refused): retry with the next round."""
        if not self.waiting:
            return self, ()
        return self._start_ballot(self.round + 1, rules)

    def after_crash(self, rules: Rules) -> Proposer:
        """A restarted proposer remembers only the highest round it used (under
        ``ballot-reuse`` not even that: it starts again from round 0)."""
        return Proposer(node=self.node, round=self.round if rules.proposer_round_durable else 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Learner:
    """A learner: the votes it has seen, and the value it learned (durable)."""

    ROLE: ClassVar[str] = "learner"
    DURABLE: ClassVar[tuple[str, ...]] = ("learned",)

    node: str
    learned: str | None = None
    votes: frozenset[tuple[str, Ballot, str]] = frozenset()

    def __post_init__(self) -> None:
        _check_node("Learner", self.node)
        _check_value("Learner.learned", self.learned)
        if not isinstance(self.votes, frozenset):
            raise ConfigError(
                f"Learner.votes must be a frozenset of (acceptor, ballot, value), "
                f"got {self.votes!r}"
            )

    def on_message(self, msg: Message, rules: Rules) -> Step:
        if isinstance(msg, Accepted):
            return self.on_accepted(msg, rules)
        if isinstance(msg, Decided):
            return self.on_decided(msg, rules)
        return self, ()

    def on_accepted(self, msg: Accepted, rules: Rules) -> Step:
        """Rule 5: learn a value once a quorum of acceptors voted for it at one ballot."""
        if self.learned is not None:
            return self, ()
        vote = (msg.src, msg.ballot, msg.value)
        if vote in self.votes:
            return self, ()
        votes = self.votes | {vote}
        if rules.learner_counts_one_ballot:
            voters = {a for a, b, v in votes if b == msg.ballot and v == msg.value}
        else:  # the cross-ballot learner: acceptors that voted for the value at any ballot
            voters = {a for a, _, v in votes if v == msg.value}
        learned = msg.value if rules.is_phase2_quorum(voters) else None
        return replace(self, votes=votes, learned=learned), ()

    def on_decided(self, msg: Decided, rules: Rules) -> Step:
        """Catch up: a proposer saw a quorum of votes, so take its word for the value."""
        if self.learned is not None:
            return self, ()
        return replace(self, learned=msg.value), ()

    def on_timeout(self, rules: Rules) -> Step:
        return self, ()

    def after_crash(self, rules: Rules) -> Learner:
        """A restarted learner keeps what it learned and forgets the votes it saw."""
        return Learner(node=self.node, learned=self.learned)


NodeState = Acceptor | Proposer | Learner


def initial_state(node: str, role: str) -> NodeState:
    """The state a node of ``role`` starts in."""
    if role == "proposer":
        return Proposer(node=node)
    if role == "acceptor":
        return Acceptor(node=node)
    if role == "learner":
        return Learner(node=node)
    raise ConfigError(f"unknown role {role!r}; roles: proposer, acceptor, learner")
