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

Beside the consensus properties (``PROPERTIES``: agreement, validity, learners, and the
``sometimes`` property chosen) there are the invariants (``INVARIANTS``): the parts of
Paxos.tla's inductive invariant, read at message level, each of which one rule of the
protocol keeps true.  They are checked first, so a broken variant's shortest counterexample
ends at the first invariant it breaks, and its name points at the rule:

- ``one-value-per-ballot``: at most one value is proposed (2a) at each ballot.
- ``votes-within-promise``: an acceptor's vote ballot is at most its promise, and neither
  goes back: every vote it cast is at or below its last vote, every promise it sent at or
  below its current promise.
- ``promises-report-votes``: a promise (1b) at ballot b reports the acceptor's highest vote
  below b (or its vote at b itself).
- ``votes-safe``: every vote, and every 2a in flight, is safe at its ballot (Paxos.tla's
  ``SafeAt``): for every lower ballot c some quorum each of whose members voted for the same
  value at c, or did not vote at c and promised above it (with Flexible Paxos's two quorum
  systems, a phase-1 quorum: the one a proposer hears from).  NOTE: c ranges over the ballots
  at which some vote or 2a exists; a ballot nobody proposed at holds no vote to count.
- ``learned-stable``: a learner never changes the value it learned.

NOTE: on the ``lossy`` network a delivered message leaves the network, so the invariants see
the 2a and 1b messages still in flight and the whole vote history; on ``sent-set`` (the
explorer's default) they see every message ever sent, as Paxos.tla does.

``ALL_PROPERTIES`` (invariants first) is the explorer's default set.  ``Simulation.check``
and ``check_all`` keep to ``PROPERTIES``; ``check_all(world, "always", invariants=True)``
adds the invariants.

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
from paxos_lib.messages import Accept, Ballot, Promise
from paxos_lib.roles import Acceptor, Learner, Proposer

__all__ = [
    "ALL_PROPERTIES",
    "INVARIANTS",
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
    rules = world.config.rules
    voters: dict[tuple[Ballot, str], list[str]] = {}
    for acceptor, ballot, value in world.votes:
        voters.setdefault((ballot, value), []).append(acceptor)
    out: dict[str, list[tuple[Ballot, tuple[str, ...]]]] = {}
    # Flexible quorums (variants.Rules) say which sets are phase-2 quorums; other protocols'
    # rules (Multi-Paxos replicas, whose worlds the viewer also reads) give a majority size.
    is_quorum = getattr(rules, "is_phase2_quorum", None)
    if is_quorum is None:
        size = rules.quorum
        is_quorum = lambda who: len(who) >= size  # noqa: E731
    for (ballot, value), who in sorted(voters.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if is_quorum(who):
            out.setdefault(value, []).append((ballot, tuple(sorted(who))))
    return out


def chosen(world: World) -> frozenset[str]:
    """The values some quorum accepted at one ballot, from the whole history of votes."""
    check_world(world)
    rules = world.config.rules
    if getattr(rules, "phase2", None) is not None:  # Flexible Paxos: explicit phase-2 quorums
        return frozenset(chosen_by(world))
    quorum = rules.quorum
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


# -- invariants (Paxos.tla's inductive invariant, at message level) ----------------------------


def _proposals(world: World) -> dict[Ballot, dict[str, str]]:
    """{ballot: {value: where it was seen}} from 2a messages, votes and proposers in phase 2."""
    out: dict[Ballot, dict[str, str]] = {}
    for m in world.inflight:
        if isinstance(m, Accept):
            out.setdefault(m.ballot, {}).setdefault(m.value, f"{m.src}'s accept")
    for s in world.nodes:
        if isinstance(s, Proposer) and s.proposal is not None and s.ballot is not None:
            out.setdefault(s.ballot, {}).setdefault(s.proposal, f"{s.node}'s proposal")
    for a, b, v in sorted(world.votes, key=lambda vote: (vote[1], vote[0], vote[2])):
        out.setdefault(b, {}).setdefault(v, f"{a}'s vote")
    return out


def _one_value_per_ballot(world: World) -> tuple[bool, str]:
    for ballot, values in sorted(_proposals(world).items()):
        if len(values) > 1:
            seen = "; ".join(f"{v!r} ({where})" for v, where in sorted(values.items()))
            return False, f"ballot {ballot} carries {len(values)} values: {seen}"
    return True, "each ballot carries at most one value"


def _acceptors(world: World) -> dict[str, Acceptor]:
    return {s.node: s for s in world.nodes if isinstance(s, Acceptor)}


def _votes_within_promise(world: World) -> tuple[bool, str]:
    acceptors = _acceptors(world)
    for a in acceptors.values():
        if a.accepted_ballot is not None and (a.promised is None or a.accepted_ballot > a.promised):
            return False, (f"{a.node} voted at ballot {a.accepted_ballot} but promised only "
                           f"{'nothing' if a.promised is None else a.promised}")
    for node, ballot, value in sorted(world.votes, key=lambda v: (v[1], v[0], v[2])):
        a = acceptors.get(node)
        if a is None:
            continue
        if a.accepted_ballot is None or ballot > a.accepted_ballot:
            now = ("no vote" if a.accepted_ballot is None
                   else f"its last vote at {a.accepted_ballot}")
            return False, (f"{node} voted {value!r} at ballot {ballot} but now remembers {now} "
                           f"(promised {'nothing' if a.promised is None else a.promised})")
    for m in world.inflight:
        if isinstance(m, Promise):
            a = acceptors.get(m.src)
            if a is not None and (a.promised is None or m.ballot > a.promised):
                now = "nothing" if a.promised is None else str(a.promised)
                return False, (f"{m.src} promised ballot {m.ballot} but its promise is now "
                               f"{now}: a promise went back")
    return True, "every acceptor's votes and promises are at or below its promise"


def _promises_report_votes(world: World) -> tuple[bool, str]:
    votes_of: dict[str, list[tuple[Ballot, str]]] = {}
    for a, b, v in world.votes:
        votes_of.setdefault(a, []).append((b, v))
    for m in world.inflight:
        if not isinstance(m, Promise):
            continue
        mine = votes_of.get(m.src, ())
        if m.accepted_ballot == m.ballot and (m.ballot, m.accepted_value) in mine:
            continue  # a repeated Prepare answered after voting at that very ballot
        below = [bv for bv in mine if bv[0] < m.ballot]
        highest = max(below) if below else None
        reported = (None if m.accepted_ballot is None
                    else (m.accepted_ballot, m.accepted_value))
        if reported != highest:
            if highest is None:
                return False, (f"{m.src}'s promise for {m.ballot} reports a vote for "
                               f"{m.accepted_value!r} at {m.accepted_ballot} it never cast")
            what = "no vote" if reported is None else f"{reported[1]!r} at {reported[0]}"
            higher = [bv for bv in below if bv[0] == highest[0]]
            return False, (f"{m.src}'s promise for {m.ballot} reports {what}, but its highest "
                           f"vote below {m.ballot} is {highest[1]!r} at {highest[0]}"
                           + ("" if len(higher) == 1 else " (one of several at that ballot)"))
    return True, "every promise reports the acceptor's highest earlier vote"


def _votes_safe(world: World) -> tuple[bool, str]:
    rules = world.config.rules
    acceptors = _acceptors(world)
    voted: dict[Ballot, dict[str, set[str]]] = {}  # ballot -> acceptor -> values voted
    for a, b, v in world.votes:
        voted.setdefault(b, {}).setdefault(a, set()).add(v)
    proposals: set[tuple[Ballot, str]] = {(b, v) for _, b, v in world.votes}
    proposals.update((m.ballot, m.value) for m in world.inflight if isinstance(m, Accept))
    ballots = sorted({b for b, _ in proposals})
    for b, v in sorted(proposals):
        for c in ballots:
            if c >= b:
                break
            at_c = voted.get(c, {})
            ok: list[str] = []
            for name, a in acceptors.items():
                mine = at_c.get(name)
                if mine is None:
                    if a.promised is not None and a.promised > c:
                        ok.append(name)
                elif mine == {v}:
                    ok.append(name)
            if not rules.is_phase1_quorum(ok):  # Flexible Paxos: SafeAt needs a phase-1 quorum
                what = "2a" if not any(bb == b and vv == v for _, bb, vv in world.votes) \
                    else "vote"
                others = sorted({x for vals in at_c.values() for x in vals} - {v})
                could = (f"; {', '.join(map(repr, others))} was voted at {c}" if others
                         else f"; a quorum could still vote at {c}")
                return False, (f"the {what} for {v!r} at ballot {b} is not safe: no quorum "
                               f"rules out another value at the lower ballot {c}{could}")
    return True, "every vote and 2a is safe at its ballot"


def _learned_stable(world: World) -> tuple[bool, str]:
    seen: dict[str, str] = {}
    for learner, value in sorted(world.learned_log):
        if learner in seen:
            return False, (f"{learner} learned {seen[learner]!r} and later {value!r}: a learner "
                           "changed its value")
        seen[learner] = value
    for s in world.nodes:
        if isinstance(s, Learner) and s.learned is not None and s.node in seen \
                and seen[s.node] != s.learned:
            return False, f"{s.node} learned {seen[s.node]!r} and now holds {s.learned!r}"
    return True, "no learner changed its value"


INVARIANTS: tuple[Property, ...] = (
    Property("one-value-per-ballot", "always",
             "at most one value is proposed (2a) at each ballot", _one_value_per_ballot),
    Property("votes-within-promise", "always",
             "an acceptor's vote ballot is at most its promise, and neither goes back",
             _votes_within_promise),
    Property("promises-report-votes", "always",
             "a promise reports the acceptor's highest vote below its ballot",
             _promises_report_votes),
    Property("votes-safe", "always",
             "every vote and 2a is safe at its ballot (no other value chosen or choosable "
             "below it)", _votes_safe),
    Property("learned-stable", "always", "a learner never changes its value", _learned_stable),
)

#: The explorer's default: the invariants first (each names a rule), then the consensus
#: properties.
ALL_PROPERTIES: tuple[Property, ...] = (*INVARIANTS, *PROPERTIES)

PROPERTY_NAMES = tuple(p.name for p in ALL_PROPERTIES)
INVARIANT_NAMES = tuple(p.name for p in INVARIANTS)


def check_property_names(
    names: object, available: tuple[Property, ...] = ALL_PROPERTIES
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


def check_all(world: World, kind: str = "always", invariants: bool = False) -> list[Verdict]:
    """Every property of ``kind`` checked in ``world`` (with ``invariants=True`` the
    invariants too, first)."""
    if kind not in ("always", "sometimes"):
        raise ConfigError(f"kind must be 'always' or 'sometimes', got {kind!r}")
    props = ALL_PROPERTIES if invariants else PROPERTIES
    return [p(world) for p in props if p.kind == kind]
