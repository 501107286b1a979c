"""Values: ballots, the messages of the paper, and the effects a role can ask for.

Theory of operation
-------------------
Everything here is a frozen, hashable, keyword-only value that checks its own fields when it
is built.  The roles (``roles.py``) read these values and return new ones; the engine
(``engine.py``) moves them around.  Nothing here does I/O, keeps a clock or draws random
numbers, and this module imports nothing from the rest of the package except the errors.

Message names follow "Paxos Made Simple", with the phase numbers of Lamport's TLA+ spec:

====================  =====  ===============================================================
message               phase  meaning
====================  =====  ===============================================================
``Prepare``           1a     "will you promise to ignore ballots below this one?"
``Promise``           1b     "yes; and here is the highest-ballot value I accepted, if any"
``Accept``            2a     "please accept this value at this ballot"
``Accepted``          2b     "I accepted it" (a vote; sent to the proposer and the learners)
``Nack``              --     "no: I already promised a higher ballot" (an optimisation)
``Decided``           --     "a quorum accepted this value" (lets learners catch up)
====================  =====  ===============================================================

Every message's ``label`` is a short form for charts (``prepare 1.p1``); ``str()`` adds the
endpoints (``prepare 1.p1 p1→a1``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import ClassVar

from paxos_lib.errors import ConfigError

__all__ = [
    "Accept",
    "Accepted",
    "Ballot",
    "CancelTimer",
    "Decided",
    "Effect",
    "Message",
    "Nack",
    "Prepare",
    "Promise",
    "Send",
    "SetTimer",
    "message_from_dict",
]


#: ``Ballot.parse`` reads rounds of at most this many digits (no run comes near it; Python
#: refuses to read integers of more than 4,300 digits at all).
MAX_ROUND_DIGITS = 18


def _short(text: object, limit: int = 60) -> str:
    """``repr(text)``, cut to about ``limit`` characters for an error message."""
    r = repr(text)
    return r if len(r) <= limit else f"{r[: limit - 20]}...{r[-12:]} ({len(r)} characters)"


def _check_id(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{name} must be a non-empty node id such as 'p1', got {value!r}")


def _check_value(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{name} must be a non-empty string such as 'confirmed', got {value!r}")


@dataclass(frozen=True, slots=True, order=True)
class Ballot:
    """A ballot number ``round.node``: rounds order ballots, the node id breaks ties.

    Because each proposer puts its own id in its ballots, no two proposers ever use the same
    ballot, and any two ballots compare (``1.p2 < 2.p1`` and ``1.p1 < 1.p2``).
    """

    round: int
    node: str

    def __post_init__(self) -> None:
        if isinstance(self.round, bool) or not isinstance(self.round, int) or self.round < 0:
            raise ConfigError(f"a ballot's round must be an int >= 0, got {self.round!r}")
        _check_id("a ballot's node", self.node)

    def __str__(self) -> str:
        return f"{self.round}.{self.node}"

    @classmethod
    def parse(cls, text: str) -> Ballot:
        """Read ``'2.p1'`` back into ``Ballot(round=2, node='p1')``."""
        head, sep, tail = str(text).partition(".")
        if not sep or not (head.isascii() and head.isdigit()) or not tail:
            raise ConfigError(
                f"a ballot is written 'round.node' such as '2.p1', got {_short(text)}"
            )
        if len(head.lstrip("0")) > MAX_ROUND_DIGITS:
            raise ConfigError(
                f"a ballot's round has at most {MAX_ROUND_DIGITS} digits, got one with "
                f"{len(head.lstrip('0'))} digits ({_short(text)})"
            )
        return cls(int(head), tail)


def _ballot_or_none(name: str, value: object) -> None:
    if value is not None and not isinstance(value, Ballot):
        raise ConfigError(f"{name} must be a Ballot or None, got {value!r}")


def _ballot_str(ballot: Ballot | None) -> str:
    return "none" if ballot is None else str(ballot)


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """Base of all messages: who sent it (``src``) and to whom (``dst``)."""

    KIND: ClassVar[str] = "message"
    RANK: ClassVar[int] = 0

    src: str
    dst: str
    ballot: Ballot
    # ``sort_key``, computed on first use: the engine keeps the network sorted by it, and
    # the explorer looks messages up by it millions of times.  Not a message field.
    _sort: tuple[object, ...] | None = field(
        init=False, default=None, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        _check_id(f"{self.KIND}.src", self.src)
        _check_id(f"{self.KIND}.dst", self.dst)
        if not isinstance(self.ballot, Ballot):
            raise ConfigError(f"{self.KIND}.ballot must be a Ballot, got {self.ballot!r}")

    @property
    def sort_key(self) -> tuple[object, ...]:
        """A total order over all messages, used to keep the in-flight multiset canonical.

        Two messages have equal sort keys exactly when they are equal."""
        key = self._sort
        if key is None:
            key = (self.RANK, self.src, self.dst, self.ballot.round, self.ballot.node,
                   self._extra())
            object.__setattr__(self, "_sort", key)
        return key

    def _extra(self) -> tuple[object, ...]:
        return ()

    @property
    def label(self) -> str:
        """Short form for charts: ``prepare 1.p1``."""
        return f"{self.KIND} {self.ballot}"

    @property
    def vote(self) -> tuple[str, Ballot, str] | None:
        """``(acceptor, ballot, value)`` when this message is a vote (2b), else None."""
        return None

    def __str__(self) -> str:
        return f"{self.label} {self.src}→{self.dst}"

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"type": self.KIND}
        for f in fields(self):
            if not f.init:
                continue
            name = f.name
            value = getattr(self, name)
            out[name] = str(value) if isinstance(value, Ballot) else value
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepare(Message):
    """Phase 1a: the proposer asks an acceptor to promise ``ballot``."""

    KIND: ClassVar[str] = "prepare"
    RANK: ClassVar[int] = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Promise(Message):
    """Phase 1b: the acceptor promises ``ballot`` and reports its highest accepted vote.

    ``accepted_ballot`` and ``accepted_value`` are both None when it has accepted nothing.
    """

    KIND: ClassVar[str] = "promise"
    RANK: ClassVar[int] = 2

    accepted_ballot: Ballot | None = None
    accepted_value: str | None = None

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _ballot_or_none("promise.accepted_ballot", self.accepted_ballot)
        if (self.accepted_ballot is None) != (self.accepted_value is None):
            raise ConfigError(
                "promise.accepted_ballot and promise.accepted_value are both set or both None, "
                f"got {self.accepted_ballot!r} and {self.accepted_value!r}"
            )
        if self.accepted_value is not None:
            _check_value("promise.accepted_value", self.accepted_value)

    def _extra(self) -> tuple[object, ...]:
        if self.accepted_ballot is None:
            return (-1, "", "")
        b = self.accepted_ballot
        return (b.round, b.node, self.accepted_value)

    @property
    def label(self) -> str:
        if self.accepted_ballot is None:
            return f"promise {self.ballot}"
        return f"promise {self.ballot} (had {self.accepted_ballot} {self.accepted_value!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Accept(Message):
    """Phase 2a: the proposer asks an acceptor to accept ``value`` at ``ballot``."""

    KIND: ClassVar[str] = "accept"
    RANK: ClassVar[int] = 3

    value: str

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _check_value("accept.value", self.value)

    def _extra(self) -> tuple[object, ...]:
        return (self.value,)

    @property
    def label(self) -> str:
        return f"accept {self.ballot} {self.value!r}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Accepted(Message):
    """Phase 2b: the acceptor has accepted ``value`` at ``ballot`` (a vote)."""

    KIND: ClassVar[str] = "accepted"
    RANK: ClassVar[int] = 4

    value: str

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _check_value("accepted.value", self.value)

    def _extra(self) -> tuple[object, ...]:
        return (self.value,)

    @property
    def label(self) -> str:
        return f"accepted {self.ballot} {self.value!r}"

    @property
    def vote(self) -> tuple[str, Ballot, str] | None:
        return (self.src, self.ballot, self.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Nack(Message):
    """A refusal: the acceptor already promised ``promised``, which is above ``ballot``."""

    KIND: ClassVar[str] = "nack"
    RANK: ClassVar[int] = 5

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
class Decided(Message):
    """The proposer saw a quorum accept ``value`` at ``ballot`` and tells a learner."""

    KIND: ClassVar[str] = "decided"
    RANK: ClassVar[int] = 6

    value: str

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _check_value("decided.value", self.value)

    def _extra(self) -> tuple[object, ...]:
        return (self.value,)

    @property
    def label(self) -> str:
        return f"decided {self.ballot} {self.value!r}"


MESSAGE_TYPES: dict[str, type[Message]] = {
    cls.KIND: cls for cls in (Prepare, Promise, Accept, Accepted, Nack, Decided)
}


def message_from_dict(data: dict[str, object]) -> Message:
    """Rebuild a message from ``Message.to_dict()`` output."""
    if not isinstance(data, dict):
        raise ConfigError(f"a message is a dict with a 'type', got {data!r}")
    kind = data.get("type")
    cls = MESSAGE_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ConfigError(
            f"unknown message type {kind!r}; known types: {', '.join(sorted(MESSAGE_TYPES))}"
        )
    kwargs: dict[str, object] = {}
    for f in fields(cls):
        if not f.init:
            continue
        name = f.name
        if name not in data:
            if name in ("accepted_ballot", "accepted_value"):
                kwargs[name] = None
                continue
            raise ConfigError(f"{kind} message is missing the field {name!r}: {data!r}")
        value = data[name]
        if name in ("ballot", "promised", "accepted_ballot") and value is not None:
            value = Ballot.parse(str(value))
        kwargs[name] = value
    return cls(**kwargs)  # type: ignore[arg-type]


# -- effects: what a handler asks the world to do ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Send:
    """Put ``message`` on the network."""

    message: Message


@dataclass(frozen=True, slots=True)
class SetTimer:
    """Arm the retry timer of ``node`` (the environment decides when it fires)."""

    node: str


@dataclass(frozen=True, slots=True)
class CancelTimer:
    """Disarm the retry timer of ``node``."""

    node: str


Effect = Send | SetTimer | CancelTimer
