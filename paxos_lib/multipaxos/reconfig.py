"""Reconfiguration: adding and removing replicas through the log, alpha slots later.

Theory of operation
-------------------
``ReconfigCluster(replicas=6, members=('r1', …, 'r5'), alpha=2)`` has six replica ids, of
which the first five vote at the start; ``r6`` is a spare, up and empty.  An operator changes
the members by submitting a configuration command, ``'config r1,r2,r3,r4,r5,r6'``
(``paxos_lib.multipaxos.membership``), which is chosen in a slot like any order command.
Everything else is the Multi-Paxos of ``replica.py``, run by the same engine; only these rules
change (they live in ``_ReconfigDraft``, which the replica uses when the rules say so):

1. **The window.**  A configuration chosen in slot ``k`` governs slots ``k + alpha`` onwards
   (``configuration_for``).  A leader proposes in slot ``s`` only if ``s < applied + alpha``,
   where ``applied`` is its first slot not known chosen: it never has more than alpha slots in
   flight, so it always knows the configuration of every slot it proposes in, and so does
   every replica that knows the log up to ``s - alpha``.
2. **Per-slot quorums.**  A command is chosen in ``s`` when a majority of ``s``'s
   configuration accepted it at one ballot; the leader counts only members' votes, and sends
   its accepts only to members.
3. **Phase 1 covers every configuration in the window.**  A candidate sends its prepare to
   every replica id; it leads only once the promises include a majority of the configuration
   of every slot in ``[applied, applied + alpha)``.  When its window later reaches a slot whose
   configuration's majority has not promised (a new configuration), it starts phase 1 again
   with a higher ballot: a new configuration, a new ballot.
4. **Members only.**  A replica that knows a slot's configuration and is not in it does not
   vote there: a removed replica stops voting for slots past its removal.  A replica that is
   not in the newest configuration it knows does not lead: it hands its client commands to
   a member and asks it for the log (a leader that leaves sends a last heartbeat).  It still
   learns the log.  A member that follows a removed leader keeps its retry timer armed, so
   it soon suspects that leader and takes over.
5. **New replicas.**  A spare starts empty and catches up like any lagging replica
   (``CatchUp``); it votes once a leader sends it accepts for slots it is a member of.

Why it is safe: each slot is one instance of single-decree Paxos whose acceptors are that
slot's configuration, and every replica computes that configuration from the same chosen
prefix.  A leader proposes in ``s`` only after a majority of ``s``'s configuration promised
its ballot and reported its votes there, which is exactly single-decree Paxos's phase 1 for
``s``.  Old and new majorities need not intersect: each slot has one configuration.

The broken variants (each changes one rule; ``tests/test_reconfig.py`` pins their shortest
counterexamples):

=================  ==========================================================================
variant            the one rule changed
=================  ==========================================================================
``config-at-once`` a configuration governs the slot right after its own (as if alpha were 1),
                   as soon as a replica learns it chosen, while the leader still keeps up to
                   alpha slots in flight (proposing under the newest configuration it knows):
                   a slot proposed under the old configuration is then counted with the
                   new one, a set of votes the other replicas do not count as a quorum.
``no-window``      the leader does not stop at alpha slots in flight: in a slot whose
                   configuration it cannot know yet it guesses the newest one it knows, so
                   once a change replaces members, the majority it counts is not one of
                   the slot's real configuration.
=================  ==========================================================================

NOTE: a leader's accept is also its own vote (``LogAccept.vote``); a leader that is not a
member of a slot's configuration sends accepts there (rule 4 lets a new member lead old slots)
and that vote is in the history but counts for nothing.
NOTE: configurations have at least two replicas, so a member leader always sends an accept
that carries its own vote to another member.
This module imports the Multi-Paxos modules and the orders domain; never networkx, matplotlib
or ipywidgets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from paxos_lib.actions import Action, Propose
from paxos_lib.engine import World
from paxos_lib.errors import ConfigError, one_of
from paxos_lib.multipaxos.cluster import ReplicaCluster, ReplicaRules
from paxos_lib.multipaxos.membership import (
    RECONFIG_VARIANTS,
    config_command,
    configuration_for,
    is_config_command,
    majority_of,
    newest_configuration,
    parse_config_command,
)
from paxos_lib.multipaxos.messages import CatchUp, Commit, LogAccept, LogAccepted
from paxos_lib.multipaxos.replica import _ACT_AT, _BACKOFF_CAP, NOOP_TEXT, Replica, _Draft
from paxos_lib.multipaxos.simulation import (
    MAX_ORDERS,
    OrdersResult,
    OrdersSimulation,
)
from paxos_lib.orders import Command
from paxos_lib.orders import apply as apply_command
from paxos_lib.simulation import Faults

__all__ = [
    "MAX_ALPHA",
    "RECONFIG_VARIANTS",
    "MembershipChange",
    "ReconfigCluster",
    "ReconfigRules",
    "ReconfigSimulation",
    "ReconfigSoakCase",
    "chosen_slots_by_configuration",
    "configurations",
    "parse_reconfigure",
    "plan_changes",
    "reconfig_soak_case",
]

MAX_ALPHA = 64
"""The largest window the library accepts."""


def _check_alpha(alpha: object) -> int:
    if isinstance(alpha, bool) or not isinstance(alpha, int) or not 1 <= alpha <= MAX_ALPHA:
        raise ConfigError(
            f"alpha must be an int from 1 to {MAX_ALPHA} (a configuration chosen in slot k "
            f"governs slot k + alpha; 0 would let it govern its own slot), got {alpha!r}"
        )
    return alpha


def _check_members(members: object, ids: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(members, str) or not hasattr(members, "__iter__"):
        raise ConfigError(
            f"members must be a list of replica ids such as ['r1', 'r2', 'r3'], got {members!r}"
        )
    out = tuple(members)  # type: ignore[arg-type]
    if len(out) < 2:
        raise ConfigError(
            f"a configuration needs at least 2 replicas (a majority of one is no quorum to "
            f"speak of), got {list(out)}; choose from {', '.join(ids)}"
        )
    unknown = [m for m in out if m not in ids]
    if unknown:
        raise ConfigError(
            f"unknown replica id(s) {', '.join(map(repr, unknown))} in the configuration; "
            f"this cluster has {', '.join(ids)}"
        )
    if len(set(out)) != len(out):
        raise ConfigError(f"a configuration names each replica once, got {list(out)}")
    return tuple(sorted(out, key=ids.index))


# -- rules and the cluster --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReconfigRules(ReplicaRules):
    """``ReplicaRules`` plus the initial configuration, the window alpha and the variant's rule.

    ``quorum`` is 1 here: the replica's own checks always defer to the per-slot rules below.
    """

    initial: tuple[str, ...] = ()
    alpha: int = 1
    at_once: bool = False
    windowless: bool = False

    @property
    def draft_class(self) -> type[_Draft]:
        """The working copy the replica handlers use (``replica.py``'s hook)."""
        return _ReconfigDraft

    def check_command(self, value: str) -> None:
        """A client may submit an order command or a configuration command."""
        if is_config_command(value):
            _check_members(parse_config_command(value, self.replicas), self.replicas)
        else:
            Command.parse(value)

    def busy(self, state: Replica) -> bool:
        """Rule 4: a member that follows a leader the newest configuration it knows has
        removed needs its timer, to take over (``replica.py``'s hook in ``busy``)."""
        if state.phase != "follower" or state.leader in (None, state.node):
            return False
        newest = newest_configuration(state.log, state.applied, self.initial)
        return state.node in newest and state.leader not in newest

    def chosen_slots(self, world: World) -> dict[int, frozenset[str]]:
        """The properties' chosen slots, with per-slot quorums (``properties.py``'s hook)."""
        return chosen_slots_by_configuration(world.votes, self.initial, self.alpha)


@dataclass(frozen=True, slots=True)
class ReconfigCluster(ReplicaCluster):
    """``replicas`` replica ids, of which ``members`` vote at the start; window ``alpha``.

    ``members`` defaults to every replica.  Spares (ids not in ``members``) start empty and
    idle until a configuration command adds them.
    """

    members: tuple[str, ...] | None = None
    alpha: int = 2

    def __post_init__(self) -> None:
        ReplicaCluster.__post_init__(self)
        _check_alpha(self.alpha)
        ids = self.node_ids
        members = ids if self.members is None else _check_members(self.members, ids)
        object.__setattr__(self, "members", members)

    @property
    def initial(self) -> tuple[str, ...]:
        assert self.members is not None
        return self.members

    @property
    def majority(self) -> int:
        """A majority of the initial configuration."""
        return majority_of(self.initial)

    @property
    def leader(self) -> str:
        """The distinguished proposer at the start: the first initial member."""
        return self.initial[0]

    def make_rules(self, variant: str = "classic") -> ReconfigRules:
        allowed = ("classic", *RECONFIG_VARIANTS)
        if not isinstance(variant, str) or variant not in allowed:
            raise ConfigError(
                f"unknown variant {variant!r} for a ReconfigCluster; choose {one_of(allowed)}"
            )
        return ReconfigRules(
            variant=variant,
            replicas=self.node_ids,
            quorum=1,
            initial=self.initial,
            alpha=self.alpha,
            at_once=variant == "config-at-once",
            windowless=variant == "no-window",
        )

    def initial_state(self, node: str) -> Replica:
        self.check_node(node)
        return Replica(node=node, leader=self.leader)

    def to_dict(self) -> dict[str, Any]:  # type: ignore[override]
        return {"replicas": self.replicas, "members": list(self.initial), "alpha": self.alpha}

    @classmethod
    def from_dict(cls, data: object) -> ReconfigCluster:
        if not isinstance(data, dict) or set(data) != {"replicas", "members", "alpha"}:
            raise ConfigError(
                "a reconfigurable cluster is a dict {'replicas': N, 'members': [...], "
                f"'alpha': A}}, got {data!r}"
            )
        return cls(replicas=data["replicas"], members=tuple(data["members"]),
                   alpha=data["alpha"])

    def __str__(self) -> str:
        spares = [n for n in self.node_ids if n not in self.initial]
        extra = f", spare {', '.join(spares)}" if spares else ""
        return (f"{self.replicas} replica ids ({', '.join(self.node_ids)}), members "
                f"{', '.join(self.initial)}{extra}, quorum {self.majority}, alpha {self.alpha}")


# -- the replica's rules under reconfiguration ------------------------------------------------


class _ReconfigDraft(_Draft):
    """The replica's working copy with the reconfiguration rules 1-5 of the module doc."""

    rules: ReconfigRules

    # -- configurations as this replica knows them ------------------------------------------

    def newest(self) -> tuple[str, ...]:
        return newest_configuration(self.log, self.applied, self.rules.initial)

    def config_of(self, slot: int) -> tuple[str, ...] | None:
        """The configuration this replica counts and votes by in ``slot`` (None: it cannot
        know it yet).  ``config-at-once`` lets a configuration govern the very next slot."""
        r = self.rules
        return configuration_for(self.log, slot, 1 if r.at_once else r.alpha, r.initial)

    def proposing_config(self, slot: int) -> tuple[str, ...] | None:
        """The configuration a leader proposes under: ``config_of``; the broken variants,
        which may propose where they cannot know it, guess the newest one they know."""
        cfg = self.config_of(slot)
        if cfg is None and (self.rules.at_once or self.rules.windowless):
            return self.newest()
        return cfg

    def covered(self, slot: int) -> bool:
        """Have a majority of ``slot``'s configuration promised our ballot?"""
        cfg = self.proposing_config(slot)
        return cfg is not None and sum(1 for n in self.heard if n in cfg) >= majority_of(cfg)

    def hand_over(self) -> None:
        """Rule 4: not a member any more: pass client commands to a member, ask it for the log;
        a leader that leaves tells every replica how far the log is chosen."""
        target = self.newest()[0]
        ballot = self.ballot if self.phase == "leading" else None
        self.step_down(None)
        if ballot is not None:  # a last heartbeat, so no replica is left unaware it lags
            for peer in self.peers():
                self.send(Commit(src=self.node, dst=peer, ballot=ballot, commit=self.applied))
        self.suspect = False
        if self.leader != target:
            self.leader = None
            self.follow(target)
        self.send(CatchUp(src=self.node, dst=target, ballot=self.my_ballot(),
                          prefix=self.applied))

    # -- leading ---------------------------------------------------------------------------

    def start_phase1(self) -> None:
        if self.node not in self.newest():
            self.hand_over()
            return
        _Draft.start_phase1(self)

    def become_leader(self) -> None:
        """Rule 3: lead once every slot of the window is covered; queue the recovered slots."""
        if self.node not in self.newest():
            self.hand_over()
            return
        window = range(self.applied, self.applied + self.rules.alpha)
        if not all(self.covered(s) for s in window):
            return  # keep collecting promises
        assert self.ballot is not None
        self.phase = "leading"
        self.fresh = 0
        self.proposals = ()
        self.synced = ()
        best = {s: (b, v) for s, b, v in self.recovered}
        top = max([len(self.log) - 1, self.from_slot - 1, *best])
        backlog = []
        for slot in range(self.applied, top + 1):
            if self.known(slot):
                continue
            b, v = best.get(slot, (self.ballot, NOOP_TEXT))
            backlog.append((slot, b, v))
        self.recovered = tuple(backlog)
        self.next_slot = top + 1
        queued = {v for _, _, v in backlog}
        self.pending = tuple(c for c in self.pending if c not in queued)
        self.fill()

    def fill(self) -> None:
        """Propose recovered slots, then waiting client commands, while the window allows."""
        while self.phase == "leading":
            if self.node not in self.newest():
                self.hand_over()
                return
            if self.recovered:
                slot, _, command = self.recovered[0]
                if self.known(slot):
                    self.recovered = self.recovered[1:]
                    continue
                backlog = True
            elif self.pending:
                busy = {s for s, _, _ in self.proposals}
                slot = self.next_slot
                while self.known(slot) or slot in busy:
                    slot += 1
                command = self.pending[0]
                backlog = False
            else:
                return
            in_window = slot < self.applied + self.rules.alpha
            if not in_window and not self.rules.windowless:
                return  # rule 1: wait until the slots below are chosen
            if not self.covered(slot):
                if in_window and self.proposing_config(slot) is not None:
                    self.start_phase1()  # a new configuration: a new ballot
                return
            if backlog:
                self.recovered = self.recovered[1:]
            else:
                self.pending = self.pending[1:]
                self.next_slot = slot + 1
                self.fresh += 1
            self.propose(slot, command)

    def propose(self, slot: int, command: str) -> None:
        """Rule 2: our own vote if we are a member, and 2a to the other members."""
        assert self.ballot is not None
        b = self.ballot
        cfg = self.proposing_config(slot) or ()
        member = self.node in cfg
        if member:
            self.accepted = tuple(sorted([*(e for e in self.accepted if e[0] != slot),
                                          (slot, b, command)], key=lambda e: e[0]))
        self.proposals = (*self.proposals, (slot, command, (self.node,) if member else ()))
        for peer in cfg:
            if peer != self.node:
                self.send(LogAccept(src=self.node, dst=peer, ballot=b, slot=slot,
                                    command=command, commit=self.applied))

    def take(self, command: str, src: str | None = None) -> None:
        if (self.phase == "leading" and command not in self.log
                and command not in self.pending and command not in self.in_flight_commands()
                and all(v != command for _, _, v in self.recovered)):
            self.pending = (*self.pending, command)
            self.fill()
            return
        _Draft.take(self, command, src)

    # -- voting and counting ------------------------------------------------------------------

    def on_accept(self, msg: LogAccept) -> None:
        """Rule 4: a replica that knows it is not a member of the slot's configuration does
        not vote there."""
        cfg = self.config_of(msg.slot)
        if cfg is not None and self.node not in cfg:
            return
        _Draft.on_accept(self, msg)

    def on_accepted(self, msg: LogAccepted) -> None:
        """Rule 2: count members' votes; a majority of the slot's configuration chooses."""
        if self.phase != "leading" or msg.ballot != self.ballot:
            return
        self.note_synced(msg.src, msg.prefix)
        cfg = self.proposing_config(msg.slot)
        for i, (s, v, voters) in enumerate(self.proposals):
            if s == msg.slot and v == msg.command and msg.src not in voters:
                if cfg is None or msg.src not in cfg:
                    break
                voters = (*voters, msg.src)
                if sum(1 for n in voters if n in cfg) >= majority_of(cfg):
                    self.learn([(s, v)])
                else:
                    props = list(self.proposals)
                    props[i] = (s, v, voters)
                    self.proposals = tuple(props)
                break

    def advance(self) -> None:
        """Apply chosen commands up to the first gap (a configuration command changes no
        order); a leader then fills the slots the window now allows."""
        log = self.log
        i = self.applied
        book = self.book
        while i < len(log) and log[i] is not None:
            v = log[i]
            if not is_config_command(v):
                book, _ = apply_command(book, Command.parse(v))  # type: ignore[arg-type]
            i += 1
        self.applied = i
        self.book = book
        if self.phase == "leading":
            self.fill()

    def on_timeout(self) -> None:
        """As in ``replica.py``, but a leader resends accepts to members only."""
        if self.phase != "leading":
            _Draft.on_timeout(self)
            return
        self.timing_out = True
        self.backoff = self.backoff + 1 if self.backoff < _BACKOFF_CAP else _BACKOFF_CAP // 2 + 1
        if self.backoff not in _ACT_AT:
            return
        assert self.ballot is not None
        b = self.ballot
        resent: set[str] = set()
        for s, v, voters in self.proposals:
            for peer in self.proposing_config(s) or ():
                if peer != self.node and peer not in voters:
                    resent.add(peer)
                    self.send(LogAccept(src=self.node, dst=peer, ballot=b, slot=s, command=v,
                                        commit=self.applied))
        got = dict(self.synced)
        for peer in self.peers():
            if peer not in resent and got.get(peer, 0) < self.applied:
                self.send(Commit(src=self.node, dst=peer, ballot=b, commit=self.applied))
        self.fill()


# -- what is chosen, with per-slot configurations ---------------------------------------------


def chosen_slots_by_configuration(
    votes: frozenset[tuple[str, Any, str]] | set[tuple[str, Any, str]],
    initial: tuple[str, ...],
    alpha: int,
) -> dict[int, frozenset[str]]:
    """For each slot, the commands a majority of *that slot's* configuration accepted at one
    ballot, the configuration coming from the commands chosen alpha or more slots before.

    NOTE: where a slot at or before ``s - alpha`` has nothing chosen yet (no correct leader
    proposes in ``s`` then), the newest configuration chosen before that gap is used.
    """
    voters: dict[int, dict[tuple[object, str], set[str]]] = {}
    for who, key, command in votes:
        slot, ballot = key
        voters.setdefault(slot, {}).setdefault((ballot, command), set()).add(who)
    out: dict[int, frozenset[str]] = {}
    decided: list[str | None] = []
    for slot in range(max(voters, default=-1) + 1):
        prefix = decided[: max(0, slot - alpha + 1)]
        cfg = configuration_for(prefix, slot, alpha, initial)
        if cfg is None:
            gap = prefix.index(None)
            cfg = newest_configuration(prefix, gap, initial)
        need = majority_of(cfg)
        chosen = {c for (_, c), who in voters.get(slot, {}).items()
                  if sum(1 for n in who if n in cfg) >= need}
        if chosen:
            out[slot] = frozenset(chosen)
        decided.append(min(chosen) if chosen else None)
    return out


def configurations(world: World) -> list[dict[str, Any]]:
    """The configurations in the longest applied log: members, the slot each was chosen in
    (None for the initial one) and the first slot it governs."""
    rules = world.config.rules
    if not isinstance(rules, ReconfigRules):
        raise ConfigError(f"configurations need a ReconfigCluster's world, got {world.config!r}")
    longest = max((s for s in world.nodes if isinstance(s, Replica)), key=lambda r: r.applied)
    out: list[dict[str, Any]] = [
        {"members": list(rules.initial), "chosen_in": None, "takes_effect": 0}
    ]
    for k, v in enumerate(longest.log[: longest.applied]):
        if is_config_command(v):
            out.append({"members": list(parse_config_command(v)), "chosen_in": k,
                        "takes_effect": k + rules.alpha})
    return out


# -- planned changes and a simulation that makes them -----------------------------------------


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """An operator's change: once the log reaches ``at_slot`` slots, submit ``members``."""

    at_slot: int
    members: tuple[str, ...]
    label: str

    @property
    def command(self) -> str:
        return config_command(self.members)

    def to_dict(self) -> dict[str, Any]:
        return {"change": self.label, "at_slot": self.at_slot, "members": list(self.members)}


def plan_changes(cluster: ReconfigCluster,
                 steps: list[tuple[str, str, int]] | tuple[tuple[str, str, int], ...]
                 ) -> tuple[MembershipChange, ...]:
    """Turn ``[('add', 'r6', 10), ('remove', 'r1', 20)]`` into changes, each naming its whole
    configuration, checked one after the other from the cluster's initial members."""
    if not isinstance(cluster, ReconfigCluster):
        raise ConfigError(f"plan_changes needs a ReconfigCluster, got {cluster!r}")
    ids = cluster.node_ids
    members = list(cluster.initial)
    last = 0
    out = []
    for step in steps:
        if not isinstance(step, tuple) or len(step) != 3:
            raise ConfigError(f"a change is (kind, replica, slot) such as ('add', 'r6', 10), "
                              f"got {step!r}")
        kind, node, slot = step
        if kind not in ("add", "remove"):
            raise ConfigError(f"unknown change {kind!r}; choose 'add' or 'remove'")
        if not isinstance(node, str) or node not in ids:
            raise ConfigError(f"unknown replica {node!r} in {kind}; this cluster has "
                              f"{', '.join(ids)}")
        if isinstance(slot, bool) or not isinstance(slot, int) or slot < last:
            raise ConfigError(
                f"the slot of {kind} {node} must be a whole number from {last} on (changes go "
                f"in slot order), got {slot!r}"
            )
        if kind == "add" and node in members:
            raise ConfigError(f"cannot add {node}: it is already a member ({', '.join(members)})")
        if kind == "remove" and node not in members:
            raise ConfigError(f"cannot remove {node}: it is not a member "
                              f"({', '.join(members)})")
        members = [*members, node] if kind == "add" else [m for m in members if m != node]
        out.append(MembershipChange(slot, _check_members(members, ids), f"{kind} {node}"))
        last = slot
    return tuple(out)


def parse_reconfigure(spec: object, cluster: ReconfigCluster) -> tuple[MembershipChange, ...]:
    """Read ``'add:r6@10,remove:r1@20'`` (kind:replica@slot, comma-separated)."""
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigError(
            f"a reconfiguration is written 'add:r6@10,remove:r1@20' (kind:replica@slot), "
            f"got {spec!r}"
        )
    steps = []
    for part in spec.split(","):
        kind, sep, rest = part.strip().partition(":")
        node, at, slot = rest.partition("@")
        if not sep or not at or not node or not slot.isdigit():
            raise ConfigError(
                f"cannot read {part.strip()!r}: write kind:replica@slot such as 'add:r6@10' "
                f"or 'remove:r1@20'"
            )
        steps.append((kind, node, int(slot)))
    return plan_changes(cluster, steps)


class ReconfigSimulation(OrdersSimulation):
    """An ``OrdersSimulation`` on a ``ReconfigCluster`` whose scheduler also plays the operator:
    once the log reaches a change's slot, a configuration command goes to a random up replica
    (again after ``patience`` steps if it is not applied anywhere by then, or at once when
    nothing else can happen, as a client would after its timeout).  A change whose
    slot the log never reaches is not made (``pending_changes``).  Operator steps are
    ``Propose`` steps in the trace, drawn from the same seeded random stream, so the same seed
    gives the same run and ``replay_orders`` replays it.

    NOTE: ``undo`` does not rewind the operator's bookkeeping.
    """

    def __init__(self, cluster: ReconfigCluster, seed: int = 0, variant: str = "classic",
                 network: str = "lossy",
                 changes: tuple[MembershipChange, ...] | list[MembershipChange] = (),
                 patience: int = 150) -> None:
        if not isinstance(cluster, ReconfigCluster):
            raise ConfigError(
                f"ReconfigSimulation needs a ReconfigCluster such as "
                f"ReconfigCluster(replicas=6, members=('r1', 'r2', 'r3', 'r4', 'r5')), "
                f"got {cluster!r}"
            )
        super().__init__(cluster, seed=seed, variant=variant, network=network)
        changes = tuple(changes)
        for c in changes:
            if not isinstance(c, MembershipChange):
                raise ConfigError(f"changes must come from plan_changes(...), got {c!r}")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
            raise ConfigError(f"patience must be an int from 1 on, got {patience!r}")
        self.changes = changes
        self.patience = patience
        self._next_change = 0
        self._sent_at: int | None = None

    def reconfigure(self, replica: str, members: list[str] | tuple[str, ...]) -> World:
        """The operator hands ``replica`` the configuration ``members``."""
        self.cluster.check_node(replica)
        cluster = self.cluster
        assert isinstance(cluster, ReconfigCluster)
        text = config_command(_check_members(members, cluster.node_ids))
        return self.apply(Propose(replica, text))

    def configurations(self) -> list[dict[str, Any]]:
        return configurations(self.world)

    def _applied_somewhere(self, command: str) -> bool:
        return any(command in s.log[: s.applied] for s in self.world.nodes)  # type: ignore[union-attr]

    def pending_changes(self) -> tuple[MembershipChange, ...]:
        """The planned changes not applied anywhere yet (their slot may never be reached)."""
        done = self._next_change
        if done < len(self.changes) and self._sent_at is not None and self._applied_somewhere(
                self.changes[done].command):
            done += 1
        return self.changes[done:]

    def _operator(self, quiet: bool = False) -> Action | None:
        while self._next_change < len(self.changes):
            change = self.changes[self._next_change]
            if self._sent_at is not None and self._applied_somewhere(change.command):
                self._next_change += 1
                self._sent_at = None
                continue
            reached = max(s.applied for s in self.world.nodes) >= change.at_slot  # type: ignore[union-attr]
            due = (self._sent_at is None or quiet
                   or len(self._steps) - self._sent_at >= self.patience)
            if not (reached and due):
                return None
            up = [n for n in self.cluster.node_ids if n not in self.world.crashed]
            if not up:
                return None
            self._sent_at = len(self._steps)
            return Propose(self._rng.choice(up), change.command)
        return None

    def next_random_action(self, faults: Faults | None = None) -> Action | None:
        action = self._operator()
        if action is None:
            action = super().next_random_action(faults)
        if action is None:  # nothing else can happen: a lost change is sent again now
            action = self._operator(quiet=True)
        return action


# -- the soak with membership changes ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReconfigSoakCase:
    """One seeded workload with membership changes: cluster, orders, faults, changes."""

    seed: int
    cluster: ReconfigCluster
    orders: int
    faults: Faults
    steps: tuple[tuple[str, str, int], ...]

    def simulation(self) -> ReconfigSimulation:
        return ReconfigSimulation(self.cluster, seed=self.seed,
                                  changes=plan_changes(self.cluster, self.steps))

    def run(self) -> OrdersResult:
        return self.simulation().run_workload(self.orders, self.faults)


def reconfig_soak_case(seed: int, max_orders: int = 4) -> ReconfigSoakCase:
    """The membership soak's workload for ``seed``: 3 or 5 members and one spare, alpha from 1 to
    3, the spare added and then one original member removed at drawn slots, 1 to
    ``max_orders`` orders, and the fault mix of ``soak_case``."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an int, got {seed!r}")
    if isinstance(max_orders, bool) or not isinstance(max_orders, int) or not (
        1 <= max_orders <= MAX_ORDERS
    ):
        raise ConfigError(f"max_orders must be an int from 1 to {MAX_ORDERS}, got {max_orders!r}")
    rng = random.Random(f"reconfig-soak-{seed}")
    faults = Faults(
        drop=rng.choice((0.0, 0.05, 0.2)),
        duplicate=rng.choice((0.0, 0.05)),
        crash=rng.choice((0.0, 0.01, 0.05)),
        partition=rng.choice((0.0, 0.02)),
        timeout=rng.choice((0.0, 0.005, 0.02)),
    )
    n = rng.choice((3, 5))
    ids = tuple(f"r{i}" for i in range(1, n + 2))
    cluster = ReconfigCluster(replicas=n + 1, members=ids[:n], alpha=rng.randint(1, 3))
    add_at = rng.randint(0, 6)
    steps = (("add", ids[n], add_at), ("remove", rng.choice(ids[:n]), add_at + rng.randint(0, 6)))
    return ReconfigSoakCase(seed=seed, cluster=cluster, orders=rng.randint(1, max_orders),
                            faults=faults, steps=steps)
