"""A run as history: every copy of every message, and when it was sent, delivered or dropped.

Theory of operation
-------------------
The engine keeps no history of messages: a ``World`` holds the multiset of messages in flight
and a trace holds the actions.  Pictures need more -- which arrow goes from which send to which
delivery -- and ``History`` recovers it by walking consecutive worlds.  Steps are numbered
from 1 as in ``Trace.numbered()``; world ``i`` is the world after step ``i`` (world 0 is the
initial one).

1. **Sends.**  The messages step ``i`` sent are the in-flight multiset after the step minus
   the multiset before it, once the copy the step itself consumed (a lossy ``Deliver`` or a
   ``Drop``) or added (a ``Duplicate``) is accounted for.  Each becomes a ``Copy`` with an id.
2. **Which copy.**  Equal messages are equal values, so the world cannot tell two copies
   apart.  ``History`` matches a delivery, drop or duplication to the *oldest* copy in flight.
   NOTE: any matching is as true as any other (the copies are identical); oldest-first draws
   the fewest crossing arrows.
3. **Sent-set network.**  Nothing ever leaves flight there; a delivery is recorded on the one
   copy of the message, which may be delivered again and again.
4. **Node and network events**: proposals, timeouts, crashes, recoveries, partitions (from the
   ``Partition`` step to the ``Heal``), the step at which each value first became *chosen*
   (from the vote history, with the ballot and acceptors that chose it) and the step at which
   each node *learned* (a node state whose ``learned`` field went from None to a value).

Everything here reads worlds and actions through generic means (``inflight``, ``votes``,
``crashed``, ``partition``, ``learned`` attributes), so Multi-Paxos runs work too.  This module
imports only the core, never matplotlib, networkx or ipywidgets; the pictures in this package
are drawn from a ``History``.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from paxos_lib.actions import (
    Action,
    Crash,
    Deliver,
    Drop,
    Duplicate,
    Heal,
    Partition,
    Propose,
    Recover,
    Timeout,
)
from paxos_lib.engine import World
from paxos_lib.errors import ConfigError
from paxos_lib.messages import Ballot, Message
from paxos_lib.properties import chosen_by

__all__ = [
    "DELIVERED",
    "DROPPED",
    "INFLIGHT",
    "ChosenEvent",
    "Copy",
    "History",
    "NodeEvent",
    "PartitionSpan",
    "describe_ballot",
    "history_of",
    "message_value",
]

INFLIGHT = "inflight"
DELIVERED = "delivered"
DROPPED = "dropped"


def message_value(message: Message) -> str | None:
    """The value a message carries, if any (a promise's previously accepted value counts)."""
    value = getattr(message, "value", None)
    if value is None:
        value = getattr(message, "accepted_value", None)
    return None if value is None else str(value)


@dataclass(slots=True)
class Copy:
    """One copy of a message on the network.

    ``sent`` is the step that put it in flight; ``origin`` is ``"sent"`` (a node sent it) or
    ``"duplicate"`` (the network copied the copy ``parent`` at step ``sent``).  ``status`` is
    ``inflight``, ``delivered`` or ``dropped``, and ``ended`` the step that delivered or
    dropped it.  ``deliveries`` lists every step that delivered it (more than one only in the
    sent-set network).
    """

    id: int
    message: Message
    sent: int
    origin: str = "sent"
    parent: int | None = None
    status: str = INFLIGHT
    ended: int | None = None
    deliveries: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NodeEvent:
    """Something that happened at a node: ``propose``, ``timeout``, ``crash``, ``recover``
    or ``learn``, at ``step``; ``text`` says it in a few words."""

    step: int
    node: str
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class PartitionSpan:
    """A partition from step ``start`` to the heal at step ``end`` (None: still split)."""

    start: int
    end: int | None
    groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class ChosenEvent:
    """``value`` became chosen at ``step``: ``acceptors`` had all accepted it at ``ballot``."""

    step: int
    value: str
    ballot: Ballot
    acceptors: tuple[str, ...]
    violation: bool = False  # another value was already chosen (in the same slot, for logs)

    @property
    def slot(self) -> int | None:
        """The log slot for a Multi-Paxos ``(slot, ballot)`` vote; None for single-decree."""
        return _slot_of(self.ballot)


def _slot_of(ballot: Any) -> int | None:
    if isinstance(ballot, tuple) and len(ballot) == 2 and isinstance(ballot[0], int):
        return int(ballot[0])
    return None


@dataclass(frozen=True, slots=True)
class StepRecord:
    """Step ``step``: the ``action``, the copies it sent, and the copy it acted on."""

    step: int
    action: Action
    sent: tuple[int, ...]
    copy: int | None


def describe_ballot(ballot: object) -> str:
    """A ballot as text; a Multi-Paxos ``(slot, ballot)`` pair reads ``1.r1 in slot 0``."""
    if isinstance(ballot, tuple) and len(ballot) == 2 and isinstance(ballot[0], int):
        return f"{ballot[1]} in slot {ballot[0]}"
    return str(ballot)


def _chosen_ballots(world: World) -> dict[tuple[Ballot, str], tuple[str, ...]]:
    """``{(ballot, value): acceptors}`` for every ballot at which a quorum accepted a value."""
    votes = getattr(world, "votes", ())
    if not votes:
        return {}
    quorum = getattr(world.config.rules, "quorum", None)
    if quorum is None:
        return {}
    if any(len(vote) != 3 for vote in votes):  # another protocol's vote shape
        return {}
    return {
        (ballot, value): who
        for value, ballots in chosen_by(world).items()
        for ballot, who in ballots
    }


class History:
    """Every message copy and event of a run (see the module docstring).

    Build one with ``history_of(source)`` or ``History(worlds, steps)``; grow it one step at a
    time with ``extend(action, world)``.
    """

    def __init__(self, worlds: Sequence[World], steps: Sequence[Action]) -> None:
        if not worlds:
            raise ConfigError("a history needs at least the initial world")
        if len(worlds) != len(steps) + 1:
            raise ConfigError(
                f"a history needs one more world than steps, got {len(worlds)} world(s) "
                f"and {len(steps)} step(s)"
            )
        self.worlds: list[World] = [worlds[0]]
        self.steps: list[Action] = []
        self.copies: list[Copy] = []
        self.records: list[StepRecord] = []
        self.node_events: list[NodeEvent] = []
        self.partitions: list[PartitionSpan] = []
        self.chosen: list[ChosenEvent] = []
        self._queues: dict[Message, deque[int]] = {}
        self._chosen_keys: set[tuple[Ballot, str]] = set(_chosen_ballots(worlds[0]))
        self._chosen_values: set[tuple[int | None, str]] = {
            (_slot_of(b), v) for b, v in self._chosen_keys
        }
        self._sent_set = getattr(worlds[0].config, "network", "lossy") == "sent-set"
        for action, world in zip(steps, worlds[1:], strict=True):
            self.extend(action, world)

    # -- reading -------------------------------------------------------------------------------

    @property
    def now(self) -> int:
        """The number of steps taken."""
        return len(self.steps)

    @property
    def world(self) -> World:
        """The world after the last step."""
        return self.worlds[-1]

    @property
    def node_ids(self) -> tuple[str, ...]:
        return tuple(self.worlds[0].config.cluster.node_ids)

    def role_of(self, node: str) -> str:
        """The node's role: its state's ``ROLE`` (a Multi-Paxos replica says ``replica``),
        else the cluster's word for it."""
        state = self.worlds[0].nodes[self.node_ids.index(node)]
        role = getattr(state, "ROLE", None)
        if isinstance(role, str) and role:
            return role
        role_of = getattr(self.worlds[0].config.cluster, "role_of", None)
        return str(role_of(node)) if role_of is not None else "node"

    def inflight(self) -> list[Copy]:
        """The copies still in flight, oldest first."""
        return [c for c in self.copies if c.status == INFLIGHT]

    def last(self) -> StepRecord | None:
        """The record of the last step, or None before the first."""
        return self.records[-1] if self.records else None

    def learned_at(self) -> dict[str, tuple[int, str]]:
        """``{node: (step, value)}`` for every node that learned a value."""
        return {
            e.node: (e.step, e.text.removeprefix("learned ")) for e in self.node_events
            if e.kind == "learn"
        }

    # -- growing -------------------------------------------------------------------------------

    def _new_copy(self, message: Message, step: int, origin: str = "sent",
                  parent: int | None = None) -> Copy:
        c = Copy(id=len(self.copies), message=message, sent=step, origin=origin, parent=parent)
        self.copies.append(c)
        self._queues.setdefault(message, deque()).append(c.id)
        return c

    def _oldest(self, message: Message) -> Copy | None:
        queue = self._queues.get(message)
        if not queue:
            return None
        return self.copies[queue[0]]

    def _take(self, message: Message) -> Copy | None:
        queue = self._queues.get(message)
        if not queue:
            return None
        return self.copies[queue.popleft()]

    def extend(self, action: Action, world: World) -> None:
        """Record one more step: ``action`` led to ``world``."""
        before = self.worlds[-1]
        step = len(self.steps) + 1
        acted: Copy | None = None
        consumed: Message | None = None
        if isinstance(action, Deliver):
            m = action.message
            if self._sent_set:
                acted = self._oldest(m)
            else:
                acted = self._take(m)
                consumed = m
            if acted is not None:
                acted.status = DELIVERED
                acted.ended = step
                acted.deliveries.append(step)
        elif isinstance(action, Drop):
            acted = self._take(action.message)
            consumed = action.message
            if acted is not None:
                acted.status = DROPPED
                acted.ended = step
        elif isinstance(action, Duplicate):
            original = self._oldest(action.message)
            acted = self._new_copy(action.message, step, "duplicate",
                                   None if original is None else original.id)
        sent: list[int] = []
        if world.inflight != before.inflight and not isinstance(action, Duplicate | Drop):
            old = Counter(before.inflight)
            if consumed is not None:
                old[consumed] -= 1
            new = Counter(world.inflight)
            new.subtract(old)
            for m in world.inflight:  # sorted: the copies get ids in the world's order
                if new[m] > 0:
                    new[m] -= 1
                    sent.append(self._new_copy(m, step).id)
        self._events(step, action, before, world)
        self.worlds.append(world)
        self.steps.append(action)
        self.records.append(
            StepRecord(step, action, tuple(sent), None if acted is None else acted.id)
        )

    def _events(self, step: int, action: Action, before: World, world: World) -> None:
        ev = self.node_events
        if isinstance(action, Propose):
            ev.append(NodeEvent(step, action.proposer, "propose", f"propose {action.value!r}"))
        elif isinstance(action, Timeout):
            ev.append(NodeEvent(step, action.proposer, "timeout", "timeout"))
        elif isinstance(action, Crash):
            ev.append(NodeEvent(step, action.node, "crash", "crash"))
        elif isinstance(action, Recover):
            ev.append(NodeEvent(step, action.node, "recover", "recover"))
        elif isinstance(action, Partition):
            self.partitions.append(PartitionSpan(step, None, action.groups))
        elif isinstance(action, Heal) and self.partitions and self.partitions[-1].end is None:
            p = self.partitions[-1]
            self.partitions[-1] = PartitionSpan(p.start, step, p.groups)
        if world.nodes is not before.nodes:
            for old, new in zip(before.nodes, world.nodes, strict=True):
                if old is new:
                    continue
                was = getattr(old, "learned", None)
                now = getattr(new, "learned", None)
                if now is not None and was is None and isinstance(now, str):
                    ev.append(NodeEvent(step, new.node, "learn", f"learned {now!r}"))
        if len(getattr(world, "votes", ())) != len(getattr(before, "votes", ())):
            for (ballot, value), who in sorted(_chosen_ballots(world).items()):
                if (ballot, value) in self._chosen_keys:
                    continue
                self._chosen_keys.add((ballot, value))
                event = ChosenEvent(step, value, ballot, who)
                if (event.slot, value) not in self._chosen_values:
                    violation = any(s == event.slot for s, _ in self._chosen_values)
                    self._chosen_values.add((event.slot, value))
                    self.chosen.append(ChosenEvent(step, value, ballot, who, violation))


def _worlds_and_steps(source: Any) -> tuple[Sequence[World], Sequence[Action]]:
    if isinstance(source, History):
        return source.worlds, source.steps
    worlds = getattr(source, "worlds", None)
    steps = getattr(source, "steps", None)
    if worlds is None or steps is None:
        raise ConfigError(
            f"expected a Simulation or a Trace (or a History), got {type(source).__name__}"
        )
    if callable(worlds):  # a Trace replays its worlds on request
        worlds = worlds()
    return tuple(worlds), tuple(steps)


def history_of(source: Any, step: int | None = None) -> History:
    """The ``History`` of a Simulation or a Trace, up to ``step`` (None: all of it)."""
    if isinstance(source, History) and step is None:
        return source
    worlds, steps = _worlds_and_steps(source)
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= len(steps):
            raise ConfigError(f"step must be an int from 0 to {len(steps)}, got {step!r}")
        worlds, steps = worlds[: step + 1], steps[:step]
    return History(worlds, steps)
