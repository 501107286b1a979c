"""Actions: the one vocabulary for everything that can happen next.

A client hands a proposer a value (``Propose``); the network delivers, drops or duplicates one
in-flight message (``Deliver``, ``Drop``, ``Duplicate``); a node crashes or recovers
(``Crash``, ``Recover``); the network splits or heals (``Partition``, ``Heal``); a proposer's
retry timer fires (``Timeout``).  The engine lists which actions are enabled and applies
one; the simulator picks among them at random, the explorer tries them all, and the stepper
shows them as buttons.  Every action turns into a dict and back, so a run can be saved as
JSON and replayed anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from paxos_lib.errors import ConfigError
from paxos_lib.messages import Message, message_from_dict

__all__ = [
    "ACTION_TYPES",
    "Action",
    "Crash",
    "Deliver",
    "Drop",
    "Duplicate",
    "Heal",
    "Partition",
    "Propose",
    "Recover",
    "Timeout",
    "action_from_dict",
    "protocol_action_from_dict",
]


def _node(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{name} must be a node id such as 'a1', got {value!r}")


def _msg(kind: str, value: object) -> None:
    if not isinstance(value, Message):
        raise ConfigError(f"{kind} needs a message (Prepare, Promise, ...), got {value!r}")


@dataclass(frozen=True, slots=True)
class Propose:
    """A client asks ``proposer`` to get ``value`` chosen."""

    KIND: ClassVar[str] = "propose"
    proposer: str
    value: str

    def __post_init__(self) -> None:
        _node("Propose.proposer", self.proposer)
        if not isinstance(self.value, str) or not self.value:
            raise ConfigError(
                f"a proposed value must be a non-empty string such as 'confirmed', "
                f"got {self.value!r}"
            )

    def __str__(self) -> str:
        return f"{self.proposer} proposes {self.value!r}"

    def to_dict(self) -> dict[str, object]:
        return {"action": self.KIND, "proposer": self.proposer, "value": self.value}


@dataclass(frozen=True, slots=True)
class Deliver:
    """The network delivers one copy of ``message`` to its destination."""

    KIND: ClassVar[str] = "deliver"
    message: Message

    def __post_init__(self) -> None:
        _msg("Deliver", self.message)

    def __str__(self) -> str:
        return f"deliver {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"action": self.KIND, "message": self.message.to_dict()}


@dataclass(frozen=True, slots=True)
class Drop:
    """The network loses one copy of ``message``."""

    KIND: ClassVar[str] = "drop"
    message: Message

    def __post_init__(self) -> None:
        _msg("Drop", self.message)

    def __str__(self) -> str:
        return f"drop {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"action": self.KIND, "message": self.message.to_dict()}


@dataclass(frozen=True, slots=True)
class Duplicate:
    """The network makes one more copy of ``message``."""

    KIND: ClassVar[str] = "duplicate"
    message: Message

    def __post_init__(self) -> None:
        _msg("Duplicate", self.message)

    def __str__(self) -> str:
        return f"duplicate {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"action": self.KIND, "message": self.message.to_dict()}


@dataclass(frozen=True, slots=True)
class Crash:
    """``node`` crashes: it keeps only its durable state and stops taking messages."""

    KIND: ClassVar[str] = "crash"
    node: str

    def __post_init__(self) -> None:
        _node("Crash.node", self.node)

    def __str__(self) -> str:
        return f"crash {self.node}"

    def to_dict(self) -> dict[str, object]:
        return {"action": self.KIND, "node": self.node}


@dataclass(frozen=True, slots=True)
class Recover:
    """``node`` restarts from its durable state."""

    KIND: ClassVar[str] = "recover"
    node: str

    def __post_init__(self) -> None:
        _node("Recover.node", self.node)

    def __str__(self) -> str:
        return f"recover {self.node}"

    def to_dict(self) -> dict[str, object]:
        return {"action": self.KIND, "node": self.node}


@dataclass(frozen=True, slots=True)
class Partition:
    """The network splits into ``groups``; messages cannot cross between groups.

    Groups are stored sorted, so the same split always compares equal.
    """

    KIND: ClassVar[str] = "partition"
    groups: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        try:
            groups = tuple(sorted(tuple(sorted(g)) for g in self.groups))
        except TypeError as exc:
            raise ConfigError(
                f"a partition is a list of groups of node ids, such as [['p1', 'a1'], "
                f"['a2', 'a3', 'l1']], got {self.groups!r}"
            ) from exc
        if len(groups) < 2 or any(not g for g in groups):
            raise ConfigError(
                f"a partition needs at least two non-empty groups, got {self.groups!r}"
            )
        seen: set[str] = set()
        for g in groups:
            for n in g:
                _node("a partition member", n)
                if n in seen:
                    raise ConfigError(f"node {n!r} is in two groups of the partition {groups!r}")
                seen.add(n)
        object.__setattr__(self, "groups", groups)

    def side_of(self, node: str) -> int:
        for i, g in enumerate(self.groups):
            if node in g:
                return i
        return -1

    def __str__(self) -> str:
        return "partition " + " | ".join(",".join(g) for g in self.groups)

    def to_dict(self) -> dict[str, object]:
        return {"action": self.KIND, "groups": [list(g) for g in self.groups]}


@dataclass(frozen=True, slots=True)
class Heal:
    """The partition ends; every node can reach every other again."""

    KIND: ClassVar[str] = "heal"

    def __str__(self) -> str:
        return "heal"

    def to_dict(self) -> dict[str, object]:
        return {"action": self.KIND}


@dataclass(frozen=True, slots=True)
class Timeout:
    """``proposer``'s retry timer fires: it gives up its ballot and tries a higher one."""

    KIND: ClassVar[str] = "timeout"
    proposer: str

    def __post_init__(self) -> None:
        _node("Timeout.proposer", self.proposer)

    def __str__(self) -> str:
        return f"timeout {self.proposer}"

    def to_dict(self) -> dict[str, object]:
        return {"action": self.KIND, "proposer": self.proposer}


Action = Propose | Deliver | Drop | Duplicate | Crash | Recover | Partition | Heal | Timeout

ACTION_TYPES: dict[str, type] = {
    cls.KIND: cls
    for cls in (Propose, Deliver, Drop, Duplicate, Crash, Recover, Partition, Heal, Timeout)
}


def action_from_dict(data: object) -> Action:
    """Rebuild an action from ``to_dict()`` output."""
    if not isinstance(data, dict) or "action" not in data:
        raise ConfigError(f"an action is a dict with an 'action' key, got {data!r}")
    kind = data["action"]
    cls = ACTION_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ConfigError(f"unknown action {kind!r}; known: {', '.join(ACTION_TYPES)}")
    try:
        if cls in (Deliver, Drop, Duplicate):
            return cls(message_from_dict(data["message"]))  # type: ignore[no-any-return]
        if cls is Propose:
            return Propose(data["proposer"], data["value"])
        if cls in (Crash, Recover):
            return cls(data["node"])  # type: ignore[no-any-return]
        if cls is Timeout:
            return Timeout(data["proposer"])
        if cls is Partition:
            groups = data["groups"]
            if not isinstance(groups, list | tuple) or not all(
                isinstance(g, list | tuple) for g in groups
            ):
                raise ConfigError(
                    f"a partition's groups are lists of node ids such as [['p1', 'a1'], "
                    f"['a2', 'a3', 'l1']], got {groups!r}"
                )
            return Partition(tuple(tuple(g) for g in groups))
        return Heal()
    except KeyError as exc:
        raise ConfigError(f"{kind} action is missing the field {exc.args[0]!r}: {data!r}") from None


def protocol_action_from_dict(data: object, messages: Callable[[object], Message]) -> Action:
    """``action_from_dict`` for a protocol whose messages ``messages`` rebuilds from their
    ``to_dict()`` (Multi-Paxos, Raft); every other action is the engine's own."""
    if isinstance(data, dict) and data.get("action") in ("deliver", "drop", "duplicate"):
        cls = {"deliver": Deliver, "drop": Drop, "duplicate": Duplicate}[data["action"]]
        if "message" not in data:
            raise ConfigError(f"{data['action']} action is missing the field 'message': {data!r}")
        return cls(messages(data["message"]))  # type: ignore[no-any-return]
    return action_from_dict(data)
