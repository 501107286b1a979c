"""Clients of the replicated order log: requests, replies, retries, and three ways to read.

Theory of operation
-------------------
In ``OrdersSimulation.run_workload`` a client is a loop in the simulator that counts a command
done once any replica has applied it.  Here a client is a node of the cluster, a pure state
machine on the same engine as the replicas, and a command is *done when its client hears the
reply*:

1. **Invoke.**  ``Propose(c1, "cancel #42 (c1/3)")`` is client ``c1``'s user invoking an
   operation (an order command, or a read ``"read #42 (c1/4)"``).  The client sends a
   ``Request`` to one replica, picked from the cluster's seed (the same seed, the same
   choice), and arms its retry timer.  One operation at a time per client.
2. **Serve.**  The replica that gets the request *owes* the client an answer.  A write, or a
   read in ``log`` mode, goes through the log like any command (the replica leads it, queues
   it or forwards it to the leader); when the replica applies that slot it sends ``Reply``
   with the result ``paxos_lib.orders.apply`` gave (``'applied, now CANCELLED'``, or the
   order's status for a read).  A request for a slot the replica has already applied is
   answered at once with the result it had then (exactly once: a duplicate gets the first
   outcome).
3. **Retry.**  A client that hears nothing before its timer fires sends the *same* request
   (same request id) to *another* replica.  The request may then be chosen in two slots;
   ``apply`` turns the second into a duplicate that changes nothing.
4. **Respond.**  The first ``Reply`` for the waiting operation ends it; the client records the
   invocation step and the response step (``history``), in the format of
   ``paxos_lib.linearizability.Operation``.  Later replies for it are ignored.

Reads, three ways (``ClientCluster(reads=...)``):

- ``log``: a read takes a slot like any command; its result is the order's status at that
  slot.  Always linearizable; costs a slot (a phase-2 round) per read.
- ``lease``: the leader asks the other replicas for a *lease* (``LeaseRequest`` at ``start`` on
  its clock); each grants it (``LeaseGrant``) and promises to accept no other leader, nor to
  start phase 1 itself, until its own clock has run ``lease`` units.  With grants from a
  quorum the leader answers reads from its own book while its clock is below
  ``start + lease - margin`` (and it has no command in flight).  Without a valid lease, or at
  another replica, a read goes through the log.  A leader asks for a lease when it starts
  leading, and again whenever it acts once the last round is half used up: the renewals
  cost messages of their own (``bench/reads.py`` measures them).  Safe only when
  ``margin`` covers the clocks' drift (``safe_margin``); a student can set it too small.
- ``any``: whichever replica gets the read answers from its own copy.  Stale reads.

Clocks.  Real time is the step count: with a ``ClientCluster`` every engine step is one unit
of real time, after which ``ClientRules.tick`` advances every node's ``ticks`` (the engine's
clock hook).  Replica ``r``'s clock reads ``floor(ticks * rate[r])``, each rate within
``1 ± drift`` and drawn from the cluster's seed (or given as ``rates``).  So clients stamp
operations with engine step numbers, and lease arithmetic is done on drifting clocks.

Why the lease is safe with ``margin >= safe_margin(lease, drift)``: the leader asked at real
time ``t0``; a follower granted at ``t1 >= t0`` and is bound until its clock has advanced
``lease`` units, which takes real time at least ``(lease - 1) / (1 + drift)`` (one unit lost
to rounding).  The leader answers only while its own clock has advanced less than
``lease - margin`` units, which takes real time at most ``(lease - margin) / (1 - drift)``.
The margin makes the second at most the first, so every lease read happens while a quorum is
bound, no other leader can be elected (a candidate needs a promise from one of them), and the
leader's book holds every command chosen so far.

``linearizable`` (an ``always`` property of a ``ClientCluster``) judges the clients' history
with ``paxos_lib.linearizability.check_linearizable``; the explorer catches an ``any`` read,
and a lease used beyond its margin, with a shortest counterexample (from ``partition_scene``,
and from a quiet cluster in ``paxos_lib.multipaxos.lease_search``).

NOTE: a client keeps its whole state across a crash (it is the user's program: it still
waits for its operation and retries after recovering); a replica's lease *grant* is durable
too (a follower that restarts must still keep its promise), the leader's lease is not.
NOTE: clients are not replicas: ``replicas(world)`` and the Multi-Paxos properties skip them.

Imports the core, the orders domain, the linearizability checker and the Multi-Paxos
modules; never networkx, matplotlib or ipywidgets.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import Any, ClassVar

from paxos_lib.actions import Action, Heal, Partition, Propose, Recover
from paxos_lib.cluster import MAX_NODES_PER_ROLE, ROLES
from paxos_lib.engine import World
from paxos_lib.errors import ConfigError, UnknownNodeError, one_of
from paxos_lib.linearizability import (
    Linearizability,
    Operation,
    check_linearizable,
    read_result,
    write_result,
)
from paxos_lib.messages import Ballot, CancelTimer, Effect, Message, Send, SetTimer
from paxos_lib.multipaxos.cluster import ReplicaCluster, ReplicaRules
from paxos_lib.multipaxos.messages import (
    LeaseGrant,
    LeaseRequest,
    LogPrepare,
    Reply,
    Request,
)
from paxos_lib.multipaxos.properties import MULTIPAXOS_PROPERTIES, chosen_slots, replicas
from paxos_lib.multipaxos.replica import NOOP_TEXT, Replica, is_read
from paxos_lib.multipaxos.simulation import OrdersSimulation, _check_probability, plan_orders
from paxos_lib.orders import Command, OrderBook, apply
from paxos_lib.properties import Property, Verdict
from paxos_lib.simulation import Faults

__all__ = [
    "LINEARIZABLE",
    "READ_MODES",
    "SCENE_CANCEL",
    "SCENE_READ",
    "SCENE_SPLIT",
    "SCENE_WRITES",
    "Client",
    "ClientCluster",
    "ClientRules",
    "ClientSimulation",
    "ClientsResult",
    "ServingReplica",
    "client_history",
    "op_key",
    "partition_scene",
    "plan_client_ops",
    "read_text",
    "run_clients",
    "safe_margin",
]

READ_MODES: tuple[str, ...] = ("log", "lease", "any")
MAX_DRIFT = 0.9
_REPLICA_FIELDS = tuple(f.name for f in fields(Replica))


def read_text(order_id: int, client: str, request: int) -> str:
    """A client's read of an order, as it travels: ``'read #42 (c1/3)'``."""
    return f"read #{order_id} ({client}/{request})"


def op_key(text: object) -> tuple[str, int, int]:
    """``(client, request, order)`` of an operation's text (a command or a read); raises
    ConfigError on anything else."""
    if isinstance(text, str) and is_read(text):
        parts = text.split(" ")
        if len(parts) == 3 and parts[1][:1] == "#" and parts[1][1:].isdigit() and (
            parts[2][:1] == "(" and parts[2][-1:] == ")"
        ):
            client, sep, request = parts[2][1:-1].rpartition("/")
            if sep and client and request.isdigit():
                return client, int(request), int(parts[1][1:])
        raise ConfigError(
            f"a client's read is written 'read #order (client/request)' such as "
            f"'read #42 (c1/3)', got {text!r}"
        )
    command = Command.parse(text)  # type: ignore[arg-type]
    if command.is_noop:
        raise ConfigError("'noop' is what a leader writes into a log gap, not a client operation")
    assert command.client_id is not None and command.request_id is not None
    assert command.order_id is not None
    return command.client_id, command.request_id, command.order_id


def safe_margin(lease: int, drift: float) -> int:
    """The smallest lease margin that keeps lease reads linearizable when every clock runs
    within ``1 ± drift`` of real time: ``ceil(lease - (lease - 1)(1 - drift)/(1 + drift))``
    (see the module docstring; the 1 is the clocks' rounding)."""
    _check_int("lease", lease, 1, 10**6)
    drift = _check_drift(drift)
    return max(0, math.ceil(lease - (lease - 1) * (1 - drift) / (1 + drift) - 1e-9))


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name} must be an int from {low} to {high}, got {value!r}")
    return value


def _check_drift(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
        0 <= value <= MAX_DRIFT
    ):
        raise ConfigError(f"drift must be a number from 0 to {MAX_DRIFT}, got {value!r}")
    return float(value)


# -- the client ---------------------------------------------------------------------------------

Step = tuple[Any, tuple[Effect, ...]]
_Record = tuple[str, str, int, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class Client:
    """One client: at most one operation waiting (``command``) and the finished ones."""

    ROLE: ClassVar[str] = "client"

    node: str
    ticks: int = 0
    command: str | None = None
    target: str | None = None
    attempts: int = 0
    invoked: int = 0
    history: tuple[_Record, ...] = ()
    retries: int = 0

    @property
    def can_propose(self) -> bool:
        """A client takes a new operation only when none is waiting."""
        return self.command is None

    @property
    def value(self) -> str | None:
        """The operation waiting for its reply (the engine's name for it)."""
        return self.command

    def operations(self) -> tuple[Operation, ...]:
        """The client's history: finished operations, then the waiting one (pending)."""
        return _operations(self.node, self.history, self.command, self.invoked)

    def describe(self) -> str:
        head = "idle" if self.command is None else (
            f"waiting for {self.command!r} (asked {self.target}, attempt {self.attempts + 1})"
        )
        return f"{head}, {len(self.history)} done"

    def view_lines(self) -> list[str]:
        """Two short lines for the cluster view."""
        done = f"{len(self.history)} done"
        if self.command is None:
            return ["idle", done]
        return [f"waiting {self.command}", f"asked {self.target} · {done}"]

    def _request(self, target: str) -> Send:
        assert self.command is not None
        return Send(Request(src=self.node, dst=target, ballot=Ballot(0, self.node),
                            command=self.command))

    def on_propose(self, value: str, rules: ClientRules) -> Step:
        """The user invokes ``value``: send it to a replica picked from the seed; arm the
        timer.  A request already made (same request id) is not made twice."""
        client, _, _ = op_key(value)
        if client != self.node:
            raise ConfigError(
                f"{self.node} sends only its own requests, '(… {self.node}/N)'; got {value!r}"
            )
        if value == self.command or any(r[0] == value for r in self.history):
            return self, ()
        target = rules.pick(self.node, value, 0, None)
        new = replace(self, command=value, target=target, attempts=0, invoked=self.ticks)
        return new, (new._request(target), SetTimer(self.node))

    def on_timeout(self, rules: ClientRules) -> Step:
        """No reply in time: the same request again, to another replica."""
        if self.command is None:
            return self, (CancelTimer(self.node),)
        attempts = self.attempts + 1
        target = rules.pick(self.node, self.command, attempts, self.target)
        new = replace(self, target=target, attempts=attempts, retries=self.retries + 1)
        return new, (new._request(target),)

    def on_message(self, msg: Message, rules: ClientRules) -> Step:
        """The first reply to the waiting operation ends it; any other is ignored."""
        if not isinstance(msg, Reply) or msg.command != self.command:
            return self, ()
        done = (msg.command, msg.result, self.invoked, self.ticks)
        new = replace(self, command=None, target=None, attempts=0,
                      history=(*self.history, done))
        return new, (CancelTimer(self.node),)

    def after_crash(self, rules: ClientRules) -> Client:
        return self

    def after_recover(self, rules: ClientRules) -> Step:
        return self, ((SetTimer(self.node),) if self.command is not None else ())

    def tick(self) -> Client:
        return _ticked(self)


# -- the replica that serves clients ------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ServingReplica(Replica):
    """A Multi-Paxos replica that answers clients and takes part in leases.

    Extra state: ``ticks`` (real time; its clock is ``rules.clock``), ``owed`` (commands it
    must answer when applied; volatile), the lease it granted (``lease_holder`` until its
    clock reads ``lease_until``; durable) and, when leading, its own lease round
    (``lease_ballot``, ``lease_start``, ``lease_grants``; volatile).
    """

    DURABLE: ClassVar[tuple[str, ...]] = (*Replica.DURABLE, "lease_holder", "lease_until")

    ticks: int = 0
    owed: tuple[str, ...] = ()
    lease_holder: str | None = None
    lease_until: int = 0
    lease_ballot: Ballot | None = None
    lease_start: int = 0
    lease_grants: tuple[str, ...] = ()
    lease_expiry: int = 0

    # -- reading --------------------------------------------------------------------------------

    def clock(self, rules: ClientRules) -> int:
        return rules.clock(self.node, self.ticks)

    def bound_to_other(self, node: str, rules: ClientRules) -> bool:
        """True while a lease this replica granted binds it to a leader other than ``node``."""
        return (self.lease_holder is not None and self.lease_holder != node
                and self.clock(rules) < self.lease_until)

    def holds_lease(self, rules: ClientRules) -> bool:
        """True when this replica leads, a quorum granted its lease, and its own clock is
        still below ``start + lease - margin``."""
        return (self.phase == "leading" and self.ballot is not None
                and self.lease_ballot == self.ballot
                and self.clock(rules) < self.lease_expiry)

    def lease_stale(self, rules: ClientRules) -> bool:
        """True when a leader should ask for a (new) lease: none asked at its ballot, or the
        last round is half-way through its usable time."""
        return self.lease_ballot != self.ballot or (
            self.clock(rules) >= self.lease_start + (rules.lease - rules.margin) // 2
        )

    def up_to_date(self) -> bool:
        """No command of its own in flight: its book holds every chosen command."""
        return not self.proposals and self.applied == len(self.log)

    def describe(self) -> str:
        text = Replica.describe(self)
        if self.owed:
            text += f", owes {len(self.owed)} repl{'y' if len(self.owed) == 1 else 'ies'}"
        return text

    # -- handlers -------------------------------------------------------------------------------

    def on_propose(self, value: str, rules: ClientRules) -> Step:  # type: ignore[override]
        return self._wrap(Replica.on_propose(self, value, rules), rules)

    def on_message(self, msg: Message, rules: ClientRules) -> Step:  # type: ignore[override]
        if isinstance(msg, Request):
            return self._on_request(msg, rules)
        if isinstance(msg, LeaseRequest):
            return self._on_lease_request(msg, rules)
        if isinstance(msg, LeaseGrant):
            if (self.phase == "leading" and msg.ballot == self.ballot == self.lease_ballot
                    and msg.start == self.lease_start and msg.src not in self.lease_grants):
                grants = (*self.lease_grants, msg.src)
                expiry = self.lease_expiry
                if len(grants) >= rules.quorum:  # valid from the moment it was asked for
                    expiry = max(expiry, self.lease_start + rules.lease - rules.margin)
                return replace(self, lease_grants=grants, lease_expiry=expiry), ()
            return self, ()
        if isinstance(msg, LogPrepare) and self.bound_to_other(msg.src, rules):
            return self, ()  # the lease: no promise to another leader until it runs out
        return self._wrap(Replica.on_message(self, msg, rules), rules)

    def on_timeout(self, rules: ClientRules) -> Step:  # type: ignore[override]
        new, effects = Replica.on_timeout(self, rules)
        if (new.phase == "preparing" and self.phase != "preparing"
                and self.bound_to_other(self.node, rules)):
            return self, ()  # bound by a lease: do not start phase 1 until it runs out
        return self._wrap((new, effects), rules)

    def after_crash(self, rules: ClientRules) -> ServingReplica:  # type: ignore[override]
        base = Replica.after_crash(self, rules)
        return ServingReplica(**{f: getattr(base, f) for f in _REPLICA_FIELDS},
                              ticks=self.ticks, lease_holder=self.lease_holder,
                              lease_until=self.lease_until)

    def tick(self) -> ServingReplica:
        return _ticked(self)

    # -- serving --------------------------------------------------------------------------------

    def _on_request(self, msg: Request, rules: ClientRules) -> Step:
        command = msg.command
        client, _, order = op_key(command)
        if client != msg.src:
            return self, ()  # a request names its own client
        if is_read(command) and (
            rules.reads == "any"
            or (rules.reads == "lease" and self.holds_lease(rules) and self.up_to_date())
        ):
            return self, (self._reply(command, read_result(self.book, order)),)
        done = self._result_of(command)
        if done is not None:  # applied already: the result it had then
            return self, (self._reply(command, done),)
        owed = self.owed if command in self.owed else (*self.owed, command)
        me = replace(self, owed=owed)
        new, effects = Replica.on_propose(me, command, rules)
        return self._wrap((new, effects), rules, me)

    def _on_lease_request(self, msg: LeaseRequest, rules: ClientRules) -> Step:
        if (self.promised is not None and msg.ballot < self.promised) or self.bound_to_other(
            msg.src, rules
        ):
            return self, ()
        new = replace(self, lease_holder=msg.src, lease_until=self.clock(rules) + rules.lease)
        return new, (Send(LeaseGrant(src=self.node, dst=msg.src, ballot=msg.ballot,
                                     start=msg.start)),)

    def _reply(self, command: str, result: str) -> Send:
        client, _, _ = op_key(command)
        return Send(Reply(src=self.node, dst=client, ballot=Ballot(0, self.node),
                          command=command, result=result))

    def _result_of(self, command: str) -> str | None:
        """The result ``command`` had when this replica applied it, or None if it has not."""
        try:
            slot = self.log.index(command, 0, self.applied)
        except ValueError:
            return None
        book = OrderBook.empty()
        for v in self.log[:slot]:
            if v is not None and not is_read(v):
                book, _ = apply(book, Command.parse(v))
        return _result(book, command)

    def _wrap(self, step: Step, rules: ClientRules, me: ServingReplica | None = None) -> Step:
        """After a handler of the plain replica: keep our own fields, answer the owed
        commands that were just applied, and start a lease round on becoming leader."""
        me = self if me is None else me
        new, effects = step
        out = _serving(me, new)
        extra: list[Effect] = []
        if out.applied > me.applied and me.owed:
            owed = list(me.owed)
            book = me.book
            for v in out.log[me.applied:out.applied]:
                if v is None or v == NOOP_TEXT:
                    continue
                if v in owed:
                    owed.remove(v)
                    extra.append(me._reply(v, _result(book, v)))
                if not is_read(v):
                    book, _ = apply(book, Command.parse(v))
            out = replace(out, owed=tuple(owed))
        if rules.reads == "lease":
            if out.phase == "leading" and out.ballot is not None:
                if out.lease_stale(rules):
                    out, more = _start_lease(out, rules)
                    extra.extend(more)
            elif out.lease_ballot is not None:
                out = replace(out, lease_ballot=None, lease_start=0, lease_grants=(),
                              lease_expiry=0)
        if out == me and not effects and not extra:
            return me, ()
        return out, (*effects, *extra)


def _serving(me: ServingReplica, new: Replica) -> ServingReplica:
    """``me`` with the plain replica fields of ``new`` (a handler's result)."""
    if new is me:
        return me
    if isinstance(new, ServingReplica):
        return new
    return replace(me, **{f: getattr(new, f) for f in _REPLICA_FIELDS})


def _start_lease(
    r: ServingReplica, rules: ClientRules
) -> tuple[ServingReplica, tuple[Effect, ...]]:
    """A leader asks every peer for a lease at its clock now (it grants itself one)."""
    assert r.ballot is not None
    start = r.clock(rules)
    expiry = r.lease_expiry if r.lease_ballot == r.ballot else 0
    if rules.quorum <= 1:  # alone: its own grant is a quorum
        expiry = max(expiry, start + rules.lease - rules.margin)
    new = replace(r, lease_ballot=r.ballot, lease_start=start, lease_grants=(r.node,),
                  lease_expiry=expiry)
    sends = tuple(Send(LeaseRequest(src=r.node, dst=p, ballot=r.ballot, start=start))
                  for p in rules.peers(r.node))
    return new, sends


def _result(book: OrderBook, command: str) -> str:
    """The result of ``command`` applied (or read) on ``book``."""
    if is_read(command):
        return read_result(book, op_key(command)[2])
    _, outcome = apply(book, Command.parse(command))
    return write_result(outcome)


# -- rules and cluster --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientRules(ReplicaRules):
    """``ReplicaRules`` plus the clients, the read mode, the lease and the clocks."""

    clients: tuple[str, ...] = ()
    reads: str = "log"
    lease: int = 0
    margin: int = 0
    rates: tuple[tuple[str, float], ...] = ()
    seed: int = 0

    def clock(self, node: str, ticks: int) -> int:
        """What ``node``'s clock reads after ``ticks`` units of real time."""
        rate = dict(self.rates).get(node, 1.0)
        return math.floor(ticks * rate + 1e-9)

    def pick(self, client: str, command: str, attempt: int, last: str | None) -> str:
        """The replica ``client`` asks on ``attempt`` (0 first): from the seed, and never the
        one it asked last when there is another."""
        choices = [r for r in self.replicas if r != last] or list(self.replicas)
        return random.Random(f"{self.seed}/{client}/{command}/{attempt}").choice(choices)

    def tick(self, world: World) -> World:
        """One unit of real time passes: every node's clock advances (the engine's hook).

        Only clients (their operations' steps) and, for leases, replicas read a clock, so
        with other read modes the replicas' clocks are left alone (fewer distinct states)."""
        if self.reads == "lease":
            nodes = tuple(_ticked(n) for n in world.nodes)
        else:
            nodes = tuple(_ticked(n) if isinstance(n, Client) else n for n in world.nodes)
        return replace(world, nodes=nodes)


@dataclass(frozen=True, slots=True)
class ClientCluster(ReplicaCluster):
    """``replicas`` replicas ``r1 … rN`` and ``clients`` clients ``c1 … cK`` on one engine.

    ``reads``: how a read is answered (``READ_MODES``).  ``lease``: how long a lease binds a
    follower, in units of its own clock; ``margin``: how much sooner the leader stops using
    it (default ``safe_margin(lease, drift)``).  ``drift``: every replica's clock runs at a
    rate within ``1 ± drift``; ``rates`` gives them (one per replica), else they are drawn
    from ``seed``, which also picks the replicas clients ask.
    """

    clients: int = 1
    reads: str = "log"
    lease: int = 40
    margin: int | None = None
    drift: float = 0.0
    seed: int = 0
    rates: tuple[float, ...] | None = None
    _cids: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _rates: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ReplicaCluster.__post_init__(self)
        _check_int("clients", self.clients, 1, MAX_NODES_PER_ROLE)
        if self.reads not in READ_MODES:
            raise ConfigError(f"unknown read mode {self.reads!r}; choose {one_of(READ_MODES)}")
        _check_int("lease", self.lease, 1, 10**6)
        drift = _check_drift(self.drift)
        object.__setattr__(self, "drift", drift)
        if self.margin is None:
            object.__setattr__(self, "margin", safe_margin(self.lease, drift))
        _check_int("margin", self.margin, 0, self.lease - 1)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ConfigError(f"seed must be an int, got {self.seed!r}")
        if self.rates is None:
            rng = random.Random(f"clocks/{self.seed}")
            rates = tuple(round(1 + rng.uniform(-drift, drift), 6) for _ in range(self.replicas))
        else:
            try:
                rates = tuple(float(r) for r in self.rates)
            except (TypeError, ValueError):
                raise ConfigError(f"rates must be numbers, one per replica, got "
                                  f"{self.rates!r}") from None
            if len(rates) != self.replicas or any(
                not 1 - drift - 1e-9 <= r <= 1 + drift + 1e-9 for r in rates
            ):
                raise ConfigError(
                    f"rates must be {self.replicas} number(s), each from {1 - drift:g} to "
                    f"{1 + drift:g} (1 ± drift), got {self.rates!r}"
                )
        object.__setattr__(self, "rates", rates)  # drawn or given: equal clusters, equal clocks
        object.__setattr__(self, "_rates", rates)
        object.__setattr__(self, "_cids", tuple(f"c{i}" for i in range(1, self.clients + 1)))

    # -- ids -------------------------------------------------------------------------------------

    @property
    def node_ids(self) -> tuple[str, ...]:
        return self.replica_ids + self._cids

    @property
    def client_ids(self) -> tuple[str, ...]:
        return self._cids

    @property
    def proposer_ids(self) -> tuple[str, ...]:
        """Replicas and clients: each takes ``Propose`` steps and has a retry timer."""
        return self.node_ids

    @property
    def clock_rates(self) -> dict[str, float]:
        """Each replica's clock rate (real time runs at 1)."""
        return dict(zip(self.replica_ids, self._rates, strict=True))

    def index(self, node: str) -> int:
        self.check_node(node)
        return self.node_ids.index(node)

    def check_node(self, node: object, role: str | None = None) -> str:
        if not isinstance(node, str) or node not in self.node_ids:
            raise UnknownNodeError(
                f"unknown node {node!r}; this cluster has {', '.join(self.node_ids)}"
            )
        if role is not None and role not in ROLES:
            raise ConfigError(f"unknown role {role!r}; roles: {one_of(ROLES)}")
        return node

    # -- the engine's hook -------------------------------------------------------------------------

    def make_rules(self, variant: str = "classic") -> ClientRules:
        base = ReplicaCluster.make_rules(self, variant)
        return ClientRules(
            variant=base.variant,
            replicas=base.replicas,
            quorum=base.quorum,
            phase1_every_slot=base.phase1_every_slot,
            leader_adopts_votes=base.leader_adopts_votes,
            clients=self._cids,
            reads=self.reads,
            lease=self.lease,
            margin=self.margin,  # type: ignore[arg-type]
            rates=tuple(self.clock_rates.items()),
            seed=self.seed,
        )

    def initial_state(self, node: str) -> Client | ServingReplica:  # type: ignore[override]
        self.check_node(node)
        if node in self._cids:
            return Client(node=node)
        return ServingReplica(node=node, leader=self.leader)

    @property
    def properties(self) -> tuple[Property, ...]:
        """The Multi-Paxos properties and ``linearizable``."""
        return (*MULTIPAXOS_PROPERTIES, LINEARIZABLE)

    def check_all(self, world: Any, kind: str = "always") -> list[Verdict]:
        if kind not in ("always", "sometimes"):
            raise ConfigError(f"kind must be 'always' or 'sometimes', got {kind!r}")
        return [p(world) for p in self.properties if p.kind == kind]

    # -- data -----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:  # type: ignore[override]
        return {"replicas": self.replicas, "clients": self.clients, "reads": self.reads,
                "lease": self.lease, "margin": self.margin, "drift": self.drift,
                "seed": self.seed, "rates": list(self._rates)}

    @classmethod
    def from_dict(cls, data: object) -> ClientCluster:
        keys = {"replicas", "clients", "reads", "lease", "margin", "drift", "seed", "rates"}
        if not isinstance(data, dict) or not {"replicas", "clients"} <= set(data) <= keys:
            raise ConfigError(
                f"a cluster with clients is a dict with keys {sorted(keys)} (replicas and "
                f"clients required), got {data!r}"
            )
        rates = data.get("rates")
        return cls(**{**data, "rates": None if rates is None else tuple(rates)})

    def __str__(self) -> str:
        text = (f"{self.replicas} replica(s) ({', '.join(self.replica_ids)}), quorum "
                f"{self.majority}; {self.clients} client(s); reads: {self.reads}")
        if self.reads == "lease":
            text += f" (lease {self.lease}, margin {self.margin}, drift {self.drift:g})"
        return text


@lru_cache(maxsize=8192)
def _operations(node: str, history: tuple[_Record, ...], command: str | None,
                invoked: int) -> tuple[Operation, ...]:
    ops = [Operation(node, c, r, i, d) for c, r, i, d in history]
    if command is not None:
        ops.append(Operation(node, command, None, invoked, None))
    return tuple(ops)


_SLOTS: dict[type, tuple[str, ...]] = {}


def _ticked(node: Any) -> Any:
    """``node`` one unit of real time later (``ticks + 1``): a field-by-field copy, which is
    several times quicker than ``dataclasses.replace`` (the explorer ticks every node on
    every step) and skips ``__post_init__``, which has nothing to check here."""
    cls = type(node)
    names = _SLOTS.get(cls)
    if names is None:
        names = _SLOTS[cls] = tuple(f.name for f in fields(cls))
    new = object.__new__(cls)
    set_ = object.__setattr__
    for name in names:
        set_(new, name, getattr(node, name))
    set_(new, "ticks", node.ticks + 1)
    return new


# -- the history and its property ---------------------------------------------------------------


def client_history(world: World) -> tuple[Operation, ...]:
    """Every client's operations in ``world`` (finished and waiting), client by client."""
    return tuple(op for s in world.nodes if isinstance(s, Client) for op in s.operations())


@lru_cache(maxsize=8192)
def _judge(history: tuple[Operation, ...]) -> Linearizability:
    return check_linearizable(history)


def _linearizable(world: World) -> tuple[bool, str]:
    history = client_history(world)
    if not any(not op.pending for op in history):
        return True, "no client has heard a reply yet"
    verdict = _judge(history)
    if verdict.linearizable:
        done = sum(1 for op in history if not op.pending)
        return True, f"the {done} answered operation(s) are linearizable"
    return False, verdict.explanation


LINEARIZABLE = Property(
    "linearizable", "always",
    "the clients' history (invocation and response steps, results) is linearizable",
    _linearizable,
)


# -- the simulation -----------------------------------------------------------------------------


def plan_client_ops(
    orders: int, clients: int, rng: random.Random, read_rate: float = 0.5
) -> tuple[tuple[str, ...], ...]:
    """Each client's operations, in order.  Order ``k``'s commands (create, confirm, …, as in
    ``plan_orders``) belong to client ``c((k-1) mod clients + 1)``; after each command, with
    probability ``read_rate``, the client reads a random order (maybe another client's)."""
    _check_int("clients", clients, 1, MAX_NODES_PER_ROLE)
    if isinstance(read_rate, bool) or not isinstance(read_rate, int | float) or not (
        0 <= read_rate <= 1
    ):
        raise ConfigError(f"read_rate must be a probability from 0 to 1, got {read_rate!r}")
    plans = plan_orders(orders, rng)
    ops: list[list[str]] = [[] for _ in range(clients)]
    for k, plan in enumerate(plans, 1):
        c = (k - 1) % clients
        name = f"c{c + 1}"
        for command in plan:
            ops[c].append(f"{command.kind} #{k} ({name}/{len(ops[c]) + 1})")
            if rng.random() < read_rate:
                ops[c].append(read_text(rng.randint(1, orders), name, len(ops[c]) + 1))
    return tuple(tuple(o) for o in ops)


@dataclass(frozen=True, slots=True)
class ClientsResult:
    """How a client workload ended: the replicas' verdicts, the clients' history, costs."""

    seed: int
    reads: str
    replicas: int
    clients: int
    orders: int
    operations: int
    read_operations: int
    answered: int
    steps: int
    end: str
    messages: int
    slots: int
    read_slots: int
    retries: int
    verdicts: tuple[Verdict, ...]
    history: tuple[Operation, ...]
    linearizability: Linearizability
    order_states: dict[str, dict[int, str]] = field(default_factory=dict)

    @property
    def agree(self) -> bool:
        """Every replica safety property holds (``linearizable`` is judged apart)."""
        return all(v.holds for v in self.verdicts if v.name != "linearizable")

    @property
    def linearizable(self) -> bool:
        return self.linearizability.linearizable

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "agree": self.agree,
            "linearizable": self.linearizable,
            "seed": self.seed,
            "reads": self.reads,
            "replicas": self.replicas,
            "clients": self.clients,
            "orders": self.orders,
            "operations": self.operations,
            "read_operations": self.read_operations,
            "answered": self.answered,
            "steps": self.steps,
            "end": self.end,
            "slots": self.slots,
            "read_slots": self.read_slots,
            "retries": self.retries,
            "messages": self.messages,
            "order_states": {
                r: {str(k): v for k, v in states.items()} for r, states in self.order_states.items()
            },
            "properties": [
                {"name": v.name, "kind": v.kind, "holds": v.holds, "explanation": v.explanation}
                for v in self.verdicts
            ],
            "linearizability": {"explanation": self.linearizability.explanation,
                                "states": self.linearizability.states},
        }
        if not self.linearizable:
            assert self.linearizability.violation is not None
            out["non_linearizable"] = [op.to_dict() for op in self.linearizability.violation]
        return out


class ClientSimulation(OrdersSimulation):
    """``OrdersSimulation`` over a ``ClientCluster``: clients are nodes (see module doc)."""

    def __init__(self, cluster: ClientCluster, seed: int = 0, variant: str = "classic",
                 network: str = "lossy") -> None:
        if not isinstance(cluster, ClientCluster):
            raise ConfigError(
                f"ClientSimulation needs a ClientCluster such as ClientCluster(3, clients=2), "
                f"got {cluster!r}"
            )
        super().__init__(cluster, seed=seed, variant=variant, network=network)

    def history(self) -> tuple[Operation, ...]:
        """The clients' operations so far (engine step numbers; waiting ones pending)."""
        return client_history(self.world)

    def linearizability(self) -> Linearizability:
        """``check_linearizable`` of the history so far."""
        return check_linearizable(self.history())

    def invoke(self, client: str, operation: str) -> World:
        """Client ``client``'s user invokes ``operation`` (its text, with its request id)."""
        self.cluster.check_node(client)
        if client not in self.cluster.client_ids:  # type: ignore[attr-defined]
            raise ConfigError(f"{client!r} is a replica; clients are "
                              f"{', '.join(self.cluster.client_ids)}")  # type: ignore[attr-defined]
        return self.apply(Propose(client, operation))

    def run_workload(self, *args: object, **kwargs: object) -> Any:
        raise ConfigError("a cluster with clients runs run_clients(...), not run_workload")

    def run_clients(
        self,
        orders: int = 3,
        faults: Faults | None = None,
        *,
        read_rate: float = 0.5,
        rate: float = 0.5,
        max_steps: int | None = None,
        fault_steps: int | None = None,
    ) -> ClientsResult:
        """The clients run ``plan_client_ops`` under ``faults`` (each idle client invokes its
        next operation with probability ``rate`` per step); then the network heals, every
        node recovers, and the run goes on without faults until nothing can happen."""
        _check_int("orders", orders, 1, 10_000)
        if faults is not None and not isinstance(faults, Faults):
            raise ConfigError(f"faults must be a Faults(...), got {faults!r}")
        read_rate = _check_probability("read_rate", read_rate)
        rate = _check_probability("rate", rate)
        cluster: ClientCluster = self.cluster  # type: ignore[assignment]
        if max_steps is None:
            max_steps = 5_000 + 2_000 * orders
        _check_int("max_steps", max_steps, 1, 10**9)
        fault_steps = max_steps * 3 // 4 if fault_steps is None else fault_steps
        _check_int("fault_steps", fault_steps, 0, 10**9)
        rng = self._rng
        plans = plan_client_ops(orders, cluster.clients, rng, read_rate)
        nxt = [0] * cluster.clients
        start = len(self._steps)
        calm = False
        end = "max-steps"

        def idle() -> list[int]:
            return [i for i, cid in enumerate(cluster.client_ids)
                    if nxt[i] < len(plans[i]) and cid not in self.world.crashed
                    and self.world.node(cid).can_propose]  # type: ignore[union-attr]

        def finished() -> bool:
            return all(nxt[i] == len(plans[i]) and self.world.node(cid).can_propose  # type: ignore[union-attr]
                       for i, cid in enumerate(cluster.client_ids))

        while len(self._steps) - start < max_steps:
            t = len(self._steps) - start
            done = finished()
            if not calm and (done or t >= fault_steps):
                calm = True
                if self.world.partition is not None:
                    self.apply(Heal())
                for node in sorted(self.world.crashed):
                    self.apply(Recover(node))
                continue
            action: Action | None = None
            ready = idle()
            if ready and (rng.random() < rate or self.next_random_action(None) is None):
                i = rng.choice(ready)
                action = Propose(cluster.client_ids[i], plans[i][nxt[i]])
                nxt[i] += 1
            if action is None:
                action = self.next_random_action(None if calm else faults)
            if action is None:  # nothing can happen: converged if every client is done
                end = "converged" if done else end
                break
            self.apply(action)
        world = self.world
        reps = replicas(world)
        longest = max(reps, key=lambda r: len(r.log))
        history = client_history(world)
        retries = sum(s.retries for s in world.nodes if isinstance(s, Client))
        return ClientsResult(
            seed=self.seed,
            reads=cluster.reads,
            replicas=cluster.replicas,
            clients=cluster.clients,
            orders=orders,
            operations=sum(len(p) for p in plans),
            read_operations=sum(1 for p in plans for op in p if is_read(op)),
            answered=sum(1 for op in history if not op.pending),
            steps=len(self._steps) - start,
            end=end,
            messages=sum(self._sent[start:]),
            slots=len(longest.log),
            read_slots=sum(1 for vs in chosen_slots(world).values() for v in vs if is_read(v)),
            retries=retries,
            verdicts=tuple(cluster.check_all(world, "always")),
            history=history,
            linearizability=check_linearizable(history),
            order_states={r.node: r.book.as_dict() for r in reps},
        )


def run_clients(
    replicas: int = 3,
    orders: int = 3,
    seed: int = 0,
    faults: Faults | None = None,
    *,
    clients: int | None = None,
    reads: str = "log",
    lease: int = 40,
    margin: int | None = None,
    drift: float = 0.0,
    variant: str = "classic",
    network: str = "lossy",
    **options: Any,
) -> ClientsResult:
    """One seeded client workload on a fresh ``ClientCluster`` (``clients`` defaults to
    ``min(orders, 4)``); options go to ``ClientSimulation.run_clients``."""
    if clients is None:
        clients = min(_check_int("orders", orders, 1, 10_000), 4)
    cluster = ClientCluster(replicas, clients=clients, reads=reads, lease=lease, margin=margin,
                            drift=drift, seed=seed)
    sim = ClientSimulation(cluster, seed=seed, variant=variant, network=network)
    return sim.run_clients(orders, faults, **options)


# -- the lesson's scene -------------------------------------------------------------------------

SCENE_WRITES: tuple[str, ...] = ("create #42 (c1/1)", "confirm #42 (c1/2)")
SCENE_CANCEL = "cancel #42 (c1/3)"
SCENE_READ = "read #42 (c2/1)"
SCENE_SPLIT: tuple[tuple[str, ...], tuple[str, ...]] = (("r1", "c2"), ("r2", "r3", "c1"))


_SPLIT_STAYS = Faults(recover=0.0, heal=0.0)


def partition_scene(
    reads: str = "any",
    *,
    lease: int = 20,
    margin: int | None = None,
    drift: float = 0.5,
    seed: int = 9,
    max_steps: int = 2_000,
) -> ClientSimulation:
    """Order #42's thread, up to the moment a new leader takes over.

    Three replicas and two clients.  The customer's client ``c1`` creates and confirms order
    #42 through ``r1``, the leader.  Then the network splits ``r1`` and the shop page's client
    ``c2`` off from ``r2``, ``r3`` and ``c1`` (``SCENE_SPLIT``), and ``c1`` asks to cancel the
    order (``SCENE_CANCEL``).  The seeded scheduler runs (the split lasting) until ``c1`` hears
    the answer: a replica on the majority side took over with a higher ballot (with leases,
    only once the lease ``r1`` was granted ran out on the followers' clocks) and the cancel
    was chosen.  The returned simulation stops there, so a search from it
    (``explore(cluster, {"c2": SCENE_READ}, start=sim)``) asks what the shop page can show
    when ``c2`` reads the order next.

    Clocks: ``r1`` runs at ``1 - drift`` and the others at ``1 + drift``, the worst case a
    lease must survive.  ``margin`` defaults to ``safe_margin(lease, drift)``.
    """
    _check_int("max_steps", max_steps, 1, 10**9)
    drift = _check_drift(drift)
    cluster = ClientCluster(3, clients=2, reads=reads, lease=lease, margin=margin, drift=drift,
                            seed=seed, rates=(1 - drift, 1 + drift, 1 + drift))
    sim = ClientSimulation(cluster, seed=seed)
    for op in SCENE_WRITES:
        sim.invoke("c1", op)
        sim.settle(max_steps)
    sim.apply(Partition(SCENE_SPLIT))
    sim.invoke("c1", SCENE_CANCEL)
    for _ in range(max_steps):
        if sim.world.node("c1").can_propose:  # type: ignore[union-attr]
            return sim  # the customer has heard the cancel's result
        action = sim.next_random_action(_SPLIT_STAYS)
        if action is None:
            break
        sim.apply(action)
    raise ConfigError(f"the cancel was not answered within {max_steps} steps")
