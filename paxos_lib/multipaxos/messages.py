"""The messages of Multi-Paxos: the paper's four steps, per slot, plus forwarding and catch-up.

Theory of operation
-------------------
Every message subclasses ``paxos_lib.messages.Message`` (``src``, ``dst``, ``ballot``), so the
engine moves, drops, duplicates and sorts them exactly like single-decree messages, and the
sequence chart and the stepper can draw them.  Each is a frozen, keyword-only value that checks
its fields when it is built; nothing here does I/O or imports a role.

==================  =====  ==================================================================
message             phase  meaning
==================  =====  ==================================================================
``LogPrepare``      1a     "promise ``ballot`` for every slot from ``from_slot`` on" (and
                           what a leader that just chose its slots vouches for, see below)
``LogPromise``      1b     "yes; here are my votes in those slots, and the slots I know chosen"
``LogAccept``       2a     "accept ``value`` in ``slot`` at ``ballot``; every slot below
                           ``commit`` is chosen"
``LogAccepted``     2b     "I accepted it" (a vote); carries how much of the log I hold
``LogNack``         --     "no: I promised the higher ballot ``promised``"
``Forward``         --     a client's command passed on to the replica believed to lead
``Commit``          --     the leader's heartbeat: "every slot below ``commit`` is chosen"
``CatchUp``         --     "I hold every slot below ``prefix``; send me what follows"
``CatchUpReply``    --     chosen ``(slot, command)`` pairs for a replica that lags
==================  =====  ==================================================================

Votes.  The engine keeps every vote ever cast (``World.votes``) by asking each sent message for
its ``vote``.  Here a vote is ``(acceptor, (slot, ballot), command)``.  ``LogAccepted`` is the
vote of the replica that sends it; ``LogAccept`` is also the vote of the *leader* that sends it,
because a leader accepts its own proposal in its own acceptor before asking the others (so a
stable leader needs no message to itself).

Commands travel as text (``str(Command)``, e.g. ``'pay #3 (c3/3)'``, or ``'noop'``) so that
traces stay plain JSON; ``paxos_lib.orders.Command.parse`` reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from paxos_lib.errors import ConfigError
from paxos_lib.messages import Ballot, Message

__all__ = [
    "MESSAGE_TYPES",
    "CatchUp",
    "CatchUpReply",
    "Commit",
    "Forward",
    "LeaseGrant",
    "LeaseRequest",
    "LogAccept",
    "LogAccepted",
    "LogNack",
    "LogPrepare",
    "LogPromise",
    "Reply",
    "Request",
    "Vote",
    "message_from_dict",
]

Vote = tuple[str, tuple[int, Ballot], str]
"""``(acceptor, (slot, ballot), command)``: one acceptor accepted ``command`` in ``slot``."""


def _slot(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{name} must be a slot number (an int >= 0), got {value!r}")


def _command(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError(
            f"{name} must be a command as text such as 'pay #3 (c3/3)' or 'noop', got {value!r}"
        )


def _short(command: str) -> str:
    return command if len(command) <= 24 else command[:23] + "…"


@dataclass(frozen=True, slots=True, kw_only=True)
class LogPrepare(Message):
    """1a: the candidate asks for a promise of ``ballot`` for every slot from ``from_slot`` on.

    ``vouch``: a leader that moves on from its own ballot with every proposal of that ballot
    chosen (the ``phase1-per-slot`` variant does, for each command) vouches for it: a vote at
    ``vouch`` in a slot below ``commit`` holds the chosen command.  None otherwise.
    """

    KIND: ClassVar[str] = "prepare"
    RANK: ClassVar[int] = 11

    from_slot: int
    commit: int = 0
    vouch: Ballot | None = None

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _slot("prepare.from_slot", self.from_slot)
        _slot("prepare.commit", self.commit)
        if self.vouch is not None and (
            not isinstance(self.vouch, Ballot) or self.vouch.node != self.src
        ):
            raise ConfigError(
                f"prepare.vouch must be None or a Ballot of the sender {self.src!r}, "
                f"got {self.vouch!r}"
            )

    def _extra(self) -> tuple[object, ...]:
        v = self.vouch
        return (self.from_slot, self.commit, -1 if v is None else v.round)

    @property
    def label(self) -> str:
        return f"prepare {self.ballot} from slot {self.from_slot}"


@dataclass(frozen=True, slots=True, kw_only=True)
class LogPromise(Message):
    """1b: the promise, with the sender's votes (``(slot, ballot, command)``, one per open slot
    from ``from_slot`` on) and the slots it knows chosen there (``(slot, command)``)."""

    KIND: ClassVar[str] = "promise"
    RANK: ClassVar[int] = 12

    from_slot: int
    accepted: tuple[tuple[int, Ballot, str], ...] = ()
    chosen: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _slot("promise.from_slot", self.from_slot)
        for entry in self.accepted:
            if (
                not isinstance(entry, tuple)
                or len(entry) != 3
                or not isinstance(entry[1], Ballot)
            ):
                raise ConfigError(
                    f"promise.accepted holds (slot, Ballot, command) triples, got {entry!r}"
                )
            _slot("a promised slot", entry[0])
            _command("a promised command", entry[2])
        for entry in self.chosen:
            if not isinstance(entry, tuple) or len(entry) != 2:
                raise ConfigError(f"promise.chosen holds (slot, command) pairs, got {entry!r}")
            _slot("a chosen slot", entry[0])
            _command("a chosen command", entry[1])

    def _extra(self) -> tuple[object, ...]:
        return (
            self.from_slot,
            tuple((s, b.round, b.node, v) for s, b, v in self.accepted),
            self.chosen,
        )

    @property
    def label(self) -> str:
        parts = [f"promise {self.ballot}"]
        if self.accepted:
            parts.append(f"had {len(self.accepted)} vote(s)")
        if self.chosen:
            parts.append(f"knew {len(self.chosen)} chosen")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, object]:
        out = Message.to_dict(self)
        out["accepted"] = [[s, str(b), v] for s, b, v in self.accepted]
        out["chosen"] = [[s, v] for s, v in self.chosen]
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class LogAccept(Message):
    """2a: accept ``command`` in ``slot`` at ``ballot``.  ``commit``: every slot below it is
    chosen (the leader's applied prefix), so a follower that accepted a slot below ``commit``
    at this same ballot knows its command is chosen."""

    KIND: ClassVar[str] = "accept"
    RANK: ClassVar[int] = 13

    slot: int
    command: str
    commit: int = 0

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _slot("accept.slot", self.slot)
        _command("accept.command", self.command)
        _slot("accept.commit", self.commit)

    def _extra(self) -> tuple[object, ...]:
        return (self.slot, self.command, self.commit)

    @property
    def label(self) -> str:
        return f"accept {self.ballot} slot {self.slot} {_short(self.command)!r}"

    @property
    def vote(self) -> Vote:  # type: ignore[override]
        """The leader's own vote: it accepted this before sending it."""
        return (self.src, (self.slot, self.ballot), self.command)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogAccepted(Message):
    """2b: the sender accepted ``command`` in ``slot`` at ``ballot``; ``prefix``: it holds every
    chosen slot below this."""

    KIND: ClassVar[str] = "accepted"
    RANK: ClassVar[int] = 14

    slot: int
    command: str
    prefix: int = 0

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _slot("accepted.slot", self.slot)
        _command("accepted.command", self.command)
        _slot("accepted.prefix", self.prefix)

    def _extra(self) -> tuple[object, ...]:
        return (self.slot, self.command, self.prefix)

    @property
    def label(self) -> str:
        return f"accepted {self.ballot} slot {self.slot} {_short(self.command)!r}"

    @property
    def vote(self) -> Vote:  # type: ignore[override]
        return (self.src, (self.slot, self.ballot), self.command)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogNack(Message):
    """A refusal of ``ballot``: the sender already promised the higher ``promised``."""

    KIND: ClassVar[str] = "nack"
    RANK: ClassVar[int] = 15

    promised: Ballot

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        if not isinstance(self.promised, Ballot):
            raise ConfigError(f"nack.promised must be a Ballot, got {self.promised!r}")

    def _extra(self) -> tuple[object, ...]:
        return (self.promised.round, self.promised.node)

    @property
    def label(self) -> str:
        return f"nack {self.ballot} (promised {self.promised})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Forward(Message):
    """A client's ``command``, passed on to the replica the sender believes leads ``ballot``."""

    KIND: ClassVar[str] = "forward"
    RANK: ClassVar[int] = 16

    command: str

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _command("forward.command", self.command)

    def _extra(self) -> tuple[object, ...]:
        return (self.command,)

    @property
    def label(self) -> str:
        return f"forward {_short(self.command)!r}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Commit(Message):
    """The leader's heartbeat: every slot below ``commit`` is chosen."""

    KIND: ClassVar[str] = "commit"
    RANK: ClassVar[int] = 17

    commit: int

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _slot("commit.commit", self.commit)

    def _extra(self) -> tuple[object, ...]:
        return (self.commit,)

    @property
    def label(self) -> str:
        return f"commit {self.ballot} below slot {self.commit}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CatchUp(Message):
    """"I hold every chosen slot below ``prefix``": an acknowledgement and a request at once."""

    KIND: ClassVar[str] = "catch-up"
    RANK: ClassVar[int] = 18

    prefix: int

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _slot("catch-up.prefix", self.prefix)

    def _extra(self) -> tuple[object, ...]:
        return (self.prefix,)

    @property
    def label(self) -> str:
        return f"catch-up from slot {self.prefix}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CatchUpReply(Message):
    """Chosen ``(slot, command)`` pairs, for a replica that lags."""

    KIND: ClassVar[str] = "catch-up-reply"
    RANK: ClassVar[int] = 19

    entries: tuple[tuple[int, str], ...]

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        for entry in self.entries:
            if not isinstance(entry, tuple) or len(entry) != 2:
                raise ConfigError(
                    f"catch-up-reply.entries holds (slot, command) pairs, got {entry!r}"
                )
            _slot("a caught-up slot", entry[0])
            _command("a caught-up command", entry[1])

    def _extra(self) -> tuple[object, ...]:
        return self.entries

    @property
    def label(self) -> str:
        if not self.entries:
            return "catch-up-reply (nothing)"
        first, last = self.entries[0][0], self.entries[-1][0]
        return f"catch-up-reply slots {first}..{last}"

    def to_dict(self) -> dict[str, object]:
        out = Message.to_dict(self)
        out["entries"] = [[s, v] for s, v in self.entries]
        return out


# -- clients and leases (``paxos_lib.multipaxos.clients``) -------------------------------------
#
# ==================  ==========================================================================
# ``Request``         a client's operation (a command, or a read ``read #42 (c1/3)``) to a replica
# ``Reply``           the result, from the replica that applied (or read) it, to the client
# ``LeaseRequest``    the leader of ``ballot`` asks for a lease, at ``start`` on its own clock
# ``LeaseGrant``      "until my clock has run the lease's length, I accept no other leader"
# ==================  ==========================================================================


@dataclass(frozen=True, slots=True, kw_only=True)
class Request(Message):
    """A client's operation ``command`` (an order command or a read), sent to one replica."""

    KIND: ClassVar[str] = "request"
    RANK: ClassVar[int] = 20

    command: str

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _command("request.command", self.command)

    def _extra(self) -> tuple[object, ...]:
        return (self.command,)

    @property
    def label(self) -> str:
        return f"request {_short(self.command)!r}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply(Message):
    """The ``result`` of the client's ``command`` (``'applied, now CANCELLED'``, ``'PAID'``)."""

    KIND: ClassVar[str] = "reply"
    RANK: ClassVar[int] = 21

    command: str
    result: str

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _command("reply.command", self.command)
        if not isinstance(self.result, str) or not self.result:
            raise ConfigError(f"reply.result must be a non-empty text, got {self.result!r}")

    def _extra(self) -> tuple[object, ...]:
        return (self.command, self.result)

    @property
    def label(self) -> str:
        return f"reply {_short(self.command)!r}: {_short(self.result)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaseRequest(Message):
    """The leader of ``ballot`` asks for a lease; ``start`` is its own clock when it asked."""

    KIND: ClassVar[str] = "lease-request"
    RANK: ClassVar[int] = 22

    start: int

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _slot("lease-request.start", self.start)

    def _extra(self) -> tuple[object, ...]:
        return (self.start,)

    @property
    def label(self) -> str:
        return f"lease? {self.ballot} at {self.start}"


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaseGrant(Message):
    """The sender grants the lease the leader of ``ballot`` asked for at its clock ``start``."""

    KIND: ClassVar[str] = "lease-grant"
    RANK: ClassVar[int] = 23

    start: int

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _slot("lease-grant.start", self.start)

    def _extra(self) -> tuple[object, ...]:
        return (self.start,)

    @property
    def label(self) -> str:
        return f"lease granted {self.ballot}"


MESSAGE_TYPES: dict[str, type[Message]] = {
    cls.KIND: cls
    for cls in (
        LogPrepare,
        LogPromise,
        LogAccept,
        LogAccepted,
        LogNack,
        Forward,
        Commit,
        CatchUp,
        CatchUpReply,
        Request,
        Reply,
        LeaseRequest,
        LeaseGrant,
    )
}


def message_from_dict(data: object) -> Message:
    """Rebuild a Multi-Paxos message from its ``to_dict()`` output."""
    if not isinstance(data, dict):
        raise ConfigError(f"a message is a dict with a 'type', got {data!r}")
    kind = data.get("type")
    cls = MESSAGE_TYPES.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise ConfigError(
            f"unknown Multi-Paxos message type {kind!r}; known types: "
            f"{', '.join(sorted(MESSAGE_TYPES))}"
        )
    kwargs: dict[str, object] = {}
    for f in fields(cls):
        if not f.init:
            continue
        name = f.name
        if name not in data:
            raise ConfigError(f"{kind} message is missing the field {name!r}: {data!r}")
        value = data[name]
        try:
            if name in ("ballot", "promised") or (name == "vouch" and value is not None):
                value = Ballot.parse(str(value))
            elif name == "accepted":
                value = tuple((int(s), Ballot.parse(str(b)), str(v)) for s, b, v in value)
            elif name in ("chosen", "entries"):
                value = tuple((int(s), str(v)) for s, v in value)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ConfigError):
                raise
            raise ConfigError(f"{kind} message has a malformed {name!r}: {value!r}") from None
        kwargs[name] = value
    return cls(**kwargs)  # type: ignore[arg-type]
