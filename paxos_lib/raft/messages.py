"""The messages of Raft: RequestVote and AppendEntries with their replies, plus forwarding.

Theory of operation
-------------------
Every message subclasses ``paxos_lib.messages.Message`` (``src``, ``dst``, ``ballot``), so the
engine moves, drops, duplicates and sorts them exactly like the Paxos messages, and the
sequence chart and the stepper can draw them.  Raft numbers its elections with *terms*; a
message's ``ballot`` is ``Ballot(term, node)``, where ``term`` is the sender's current term
and ``node`` the candidate or leader the exchange belongs to (the sender of a request, the
receiver of a reply).  ``message.term`` reads the term back.

====================  ==================================================================
message               meaning
====================  ==================================================================
``RequestVote``       "vote for me in ``term``; my log ends at ``last_index``/``last_term``"
``VoteReply``         "granted" or not; carries the voter's current term
``AppendEntries``     "your log holds ``prev_term`` at ``prev_index``?  then append
                      ``entries`` after it; every index up to ``commit`` is committed"
``AppendReply``       "yes, I match you up to ``match``" or "no (my log has ``match``
                      entries)": the leader moves its ``next_index`` back with that hint
``Forward``           a client's command passed on to the server believed to lead
====================  ==================================================================

History.  The engine keeps a set of facts read off every message sent (``World.votes``,
through each message's ``vote``).  Raft's properties need two: ``AppendEntries`` records that
its sender led ``term`` (``(leader, "leader", term, "")``), and a granted ``VoteReply``
records a vote (``(voter, "vote", term, candidate)``).  A new leader sends
``AppendEntries`` to every peer at once, so every leader of every term is on record.  The
facts have four parts, not a Paxos vote's three, so no Paxos reader takes them for votes.

Log entries are ``(term, command)`` pairs; commands travel as text (``str(Command)``) as in
Multi-Paxos, so traces stay plain JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from paxos_lib.errors import ConfigError
from paxos_lib.messages import Ballot, Message

__all__ = [
    "MESSAGE_TYPES",
    "AppendEntries",
    "AppendReply",
    "Entry",
    "Forward",
    "RequestVote",
    "VoteReply",
    "message_from_dict",
]

Entry = tuple[int, str]
"""A log entry: ``(term, command)``."""


def _index(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{name} must be a log index or term (an int >= 0), got {value!r}")


def _command(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError(
            f"{name} must be a command as text such as 'pay #3 (c3/3)', got {value!r}"
        )


def _short(command: str) -> str:
    return command if len(command) <= 24 else command[:23] + "…"


class _Termed:
    """Read the term off the ballot."""

    __slots__ = ()
    ballot: Ballot

    @property
    def term(self) -> int:
        return self.ballot.round


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestVote(_Termed, Message):
    """A candidate asks for a vote in ``term`` (its ballot's round); ``last_index`` and
    ``last_term`` describe the end of its log, for the voter's up-to-date check."""

    KIND: ClassVar[str] = "request-vote"
    RANK: ClassVar[int] = 31

    last_index: int
    last_term: int

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        if self.ballot.node != self.src:
            raise ConfigError(f"request-vote.ballot must be the candidate {self.src!r}'s, "
                              f"got {self.ballot}")
        _index("request-vote.last_index", self.last_index)
        _index("request-vote.last_term", self.last_term)

    def _extra(self) -> tuple[object, ...]:
        return (self.last_index, self.last_term)

    @property
    def label(self) -> str:
        return f"request-vote t{self.term} (log {self.last_index}@t{self.last_term})"


@dataclass(frozen=True, slots=True, kw_only=True)
class VoteReply(_Termed, Message):
    """The answer to a RequestVote; ``term`` is the voter's current term."""

    KIND: ClassVar[str] = "vote"
    RANK: ClassVar[int] = 32

    granted: bool

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        if not isinstance(self.granted, bool):
            raise ConfigError(f"vote.granted must be True or False, got {self.granted!r}")

    def _extra(self) -> tuple[object, ...]:
        return (self.granted,)

    @property
    def label(self) -> str:
        return f"vote t{self.term} {'yes' if self.granted else 'no'}"

    @property
    def vote(self) -> tuple[str, str, int, str] | None:  # type: ignore[override]
        """A granted vote, for the history: ``(voter, "vote", term, candidate)``."""
        return (self.src, "vote", self.term, self.dst) if self.granted else None


@dataclass(frozen=True, slots=True, kw_only=True)
class AppendEntries(_Termed, Message):
    """The leader of ``term`` asks: does your log hold ``prev_term`` at ``prev_index``?  If
    so, append ``entries`` after it.  Every index up to ``commit`` is committed."""

    KIND: ClassVar[str] = "append"
    RANK: ClassVar[int] = 33

    prev_index: int
    prev_term: int
    entries: tuple[Entry, ...] = ()
    commit: int = 0

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        if self.ballot.node != self.src:
            raise ConfigError(f"append.ballot must be the leader {self.src!r}'s, got {self.ballot}")
        _index("append.prev_index", self.prev_index)
        _index("append.prev_term", self.prev_term)
        _index("append.commit", self.commit)
        if not isinstance(self.entries, tuple):
            raise ConfigError(f"append.entries must be a tuple of (term, command), got "
                              f"{self.entries!r}")
        for e in self.entries:
            if not isinstance(e, tuple) or len(e) != 2:
                raise ConfigError(f"append.entries holds (term, command) pairs, got {e!r}")
            _index("an entry's term", e[0])
            _command("an entry's command", e[1])

    def _extra(self) -> tuple[object, ...]:
        return (self.prev_index, self.prev_term, self.entries, self.commit)

    @property
    def label(self) -> str:
        if not self.entries:
            return f"append t{self.term} heartbeat, commit {self.commit}"
        first = self.prev_index + 1
        last = self.prev_index + len(self.entries)
        where = f"[{first}]" if first == last else f"[{first}..{last}]"
        return (f"append t{self.term} {where} {_short(self.entries[-1][1])!r}, "
                f"commit {self.commit}")

    @property
    def vote(self) -> tuple[str, str, int, str]:  # type: ignore[override]
        """For the history: the sender led ``term``, ``(leader, "leader", term, "")``."""
        return (self.src, "leader", self.term, "")

    def to_dict(self) -> dict[str, object]:
        out = Message.to_dict(self)
        out["entries"] = [[t, c] for t, c in self.entries]
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class AppendReply(_Termed, Message):
    """The answer to AppendEntries; ``term`` is the follower's current term.  ``success``:
    the follower matches the leader up to ``match``; otherwise ``match`` is how many entries
    the follower holds (a hint for ``next_index``).  ``commit``: its commit index."""

    KIND: ClassVar[str] = "append-reply"
    RANK: ClassVar[int] = 34

    success: bool
    match: int
    commit: int = 0

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        if not isinstance(self.success, bool):
            raise ConfigError(f"append-reply.success must be True or False, got "
                              f"{self.success!r}")
        _index("append-reply.match", self.match)
        _index("append-reply.commit", self.commit)

    def _extra(self) -> tuple[object, ...]:
        return (self.success, self.match, self.commit)

    @property
    def label(self) -> str:
        return (f"append-reply t{self.term} ok, match {self.match}" if self.success
                else f"append-reply t{self.term} no (holds {self.match})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Forward(_Termed, Message):
    """A client's command passed on to the server the sender believes leads."""

    KIND: ClassVar[str] = "forward"
    RANK: ClassVar[int] = 35

    command: str

    def __post_init__(self) -> None:
        Message.__post_init__(self)
        _command("forward.command", self.command)

    def _extra(self) -> tuple[object, ...]:
        return (self.command,)

    @property
    def label(self) -> str:
        return f"forward {_short(self.command)!r}"


MESSAGE_TYPES: dict[str, type[Message]] = {
    cls.KIND: cls for cls in (RequestVote, VoteReply, AppendEntries, AppendReply, Forward)
}


def message_from_dict(data: object) -> Message:
    """Rebuild a Raft message from its ``to_dict()`` output."""
    if not isinstance(data, dict):
        raise ConfigError(f"a message is a dict with a 'type', got {data!r}")
    kind = data.get("type")
    cls = MESSAGE_TYPES.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise ConfigError(
            f"unknown Raft message type {kind!r}; known types: {', '.join(sorted(MESSAGE_TYPES))}"
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
            if name == "ballot":
                value = Ballot.parse(str(value))
            elif name == "entries":
                value = tuple((int(t), str(c)) for t, c in value)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ConfigError):
                raise
            raise ConfigError(f"{kind} message has a malformed {name!r}: {value!r}") from None
        kwargs[name] = value
    return cls(**kwargs)  # type: ignore[arg-type]
