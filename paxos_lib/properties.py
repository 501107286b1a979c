"""Named properties of a world, read only through observation functions.

Theory of operation
-------------------
The properties never look inside the roles.  They read four observation functions:

- ``chosen(world)``: the values some quorum of acceptors accepted at one ballot.  It is
  computed from the *history* of votes (every ``Accepted`` ever sent), not from the
  acceptors' current state: a value stays chosen even after the acceptors that voted for it
  move on, crash or forget.
- ``learned(world)``: what each learner believes was chosen.
- ``promised(world)`` and ``accepted(world)``: each acceptor's promise and last vote.

``always`` properties must hold in every reachable world (safety); ``sometimes`` properties
must hold in at least one (so that a passing safety check is not vacuous: a protocol that
never chooses anything is trivially safe).  A failed check returns a ``Verdict`` whose
``explanation`` names the witnesses: which acceptors accepted what at which ballot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from paxos_lib.engine import World, check_world
from paxos_lib.errors import ConfigError, one_of
from paxos_lib.messages import Ballot
from paxos_lib.roles import Acceptor, Learner

__all__ = [
    "PROPERTIES",
    "Property",
    "Verdict",
    "accepted",
    "check_all",
    "check_property_names",
    "chosen",
    "chosen_by",
    "learned",
    "promised",
]


# -- observation functions --------------------------------------------------------------------


def chosen_by(world: World) -> dict[str, list[tuple[Ballot, tuple[str, ...]]]]:
    """For each chosen value, the ballots and the acceptors whose votes chose it."""
    check_world(world)
    quorum = world.config.rules.quorum
    voters: dict[tuple[Ballot, str], list[str]] = {}
    for acceptor, ballot, value in world.votes:
        voters.setdefault((ballot, value), []).append(acceptor)
    out: dict[str, list[tuple[Ballot, tuple[str, ...]]]] = {}
    for (ballot, value), who in sorted(voters.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if len(who) >= quorum:
            out.setdefault(value, []).append((ballot, tuple(sorted(who))))
    return out


def chosen(world: World) -> frozenset[str]:
    """The values some quorum accepted at one ballot, from the whole history of votes."""
    check_world(world)
    quorum = world.config.rules.quorum
    counts: dict[tuple[Ballot, str], int] = {}
    out: set[str] = set()
    for _, ballot, value in world.votes:
        key = (ballot, value)
        c = counts.get(key, 0) + 1
        counts[key] = c
        if c >= quorum:
            out.add(value)
    return frozenset(out)


def learned(world: World) -> dict[str, str | None]:
    """``{learner id: the value it learned, or None}``."""
    check_world(world)
    return {s.node: s.learned for s in world.nodes if isinstance(s, Learner)}


def promised(world: World) -> dict[str, Ballot | None]:
    """``{acceptor id: the ballot it promised, or None}``."""
    check_world(world)
    return {s.node: s.promised for s in world.nodes if isinstance(s, Acceptor)}


def accepted(world: World) -> dict[str, tuple[Ballot, str] | None]:
    """``{acceptor id: (ballot, value) of its last vote, or None}``."""
    check_world(world)
    out: dict[str, tuple[Ballot, str] | None] = {}
    for s in world.nodes:
        if isinstance(s, Acceptor):
            if s.accepted_ballot is None or s.accepted_value is None:
                out[s.node] = None
            else:
                out[s.node] = (s.accepted_ballot, s.accepted_value)
    return out


# -- properties -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """The result of checking one property in one world."""

    name: str
    kind: str
    holds: bool
    explanation: str

    def __bool__(self) -> bool:
        return self.holds

    def __str__(self) -> str:
        mark = "holds" if self.holds else "VIOLATED"
        return f"{self.name} ({self.kind}) {mark}: {self.explanation}"


@dataclass(frozen=True, slots=True)
class Property:
    """A named predicate over a world: ``always`` (safety) or ``sometimes`` (reachability)."""

    name: str
    kind: str
    description: str
    check: Callable[[World], tuple[bool, str]]

    def __call__(self, world: World) -> Verdict:
        holds, why = self.check(world)
        return Verdict(self.name, self.kind, holds, why)


def _witnesses(world: World) -> str:
    parts = []
    for value, ballots in chosen_by(world).items():
        for ballot, who in ballots:
            parts.append(f"{', '.join(who)} accepted {value!r} at ballot {ballot}")
    return "; ".join(parts)


def _agreement(world: World) -> tuple[bool, str]:
    values = chosen(world)
    if len(values) <= 1:
        what = "nothing chosen yet" if not values else f"only {next(iter(values))!r} chosen"
        return True, what
    return False, f"{len(values)} values chosen: {_witnesses(world)}"


def _validity(world: World) -> tuple[bool, str]:
    bad = sorted(chosen(world) - world.proposed)
    if not bad:
        return True, "every chosen value was proposed"
    return False, f"chosen but never proposed: {', '.join(map(repr, bad))}"


def _learners(world: World) -> tuple[bool, str]:
    values = chosen(world)
    wrong = [(n, v) for n, v in learned(world).items() if v is not None and v not in values]
    if not wrong:
        return True, "every learned value was chosen"
    return False, "; ".join(
        f"{n} learned {v!r}, which was never chosen" for n, v in wrong
    ) + (f" (chosen: {_witnesses(world)})" if values else " (nothing chosen)")


def _some_chosen(world: World) -> tuple[bool, str]:
    values = chosen(world)
    if values:
        return True, _witnesses(world)
    return False, "nothing chosen yet"


PROPERTIES: tuple[Property, ...] = (
    Property("agreement", "always", "at most one value is chosen", _agreement),
    Property("validity", "always", "only proposed values are chosen", _validity),
    Property("learners", "always", "every learned value was chosen", _learners),
    Property("chosen", "sometimes", "some value can be chosen", _some_chosen),
)

PROPERTY_NAMES = tuple(p.name for p in PROPERTIES)


def check_property_names(
    names: object, available: tuple[Property, ...] = PROPERTIES
) -> tuple[Property, ...]:
    """The properties named in ``names`` among ``available`` (None: all of them); else
    ConfigError listing the valid names."""
    if names is None:
        return available
    if isinstance(names, str):
        names = (names,)
    valid = one_of(tuple(p.name for p in available))
    try:
        wanted = tuple(names)  # type: ignore[arg-type]
    except TypeError:
        raise ConfigError(
            f"properties must be a list of names from {valid}, got {names!r}"
        ) from None
    by_name = {p.name: p for p in available}
    out = []
    for n in wanted:
        if not isinstance(n, str) or n not in by_name:
            raise ConfigError(f"unknown property {n!r}; choose from {valid}")
        out.append(by_name[n])
    return tuple(out)


def check_all(world: World, kind: str = "always") -> list[Verdict]:
    """Every property of ``kind`` checked in ``world``."""
    return [p(world) for p in PROPERTIES if p.kind == kind]
