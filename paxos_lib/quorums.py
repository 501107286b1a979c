"""Quorum systems, and Flexible Paxos: one quorum system for phase 1, another for phase 2.

Theory of operation
-------------------
A *quorum system* says which sets of acceptors are enough.  ``QuorumSystem`` is either a
*threshold* (``size``: any ``size`` acceptors) or an *explicit* list of sets of acceptor
names; in both, a set that contains a quorum is a quorum too (collecting one more promise or
vote never hurts), so ``contains(acceptors)`` asks "do these acceptors include a quorum?".

Classic Paxos uses one quorum system for both phases, and needs any two quorums to meet.
Flexible Paxos (Howard, Malkhi and Spiegelman, 2016) observes that the proof uses only one
intersection: a proposer's phase-1 quorum (the acceptors that promised) must meet every
phase-2 quorum that may have chosen a value at a lower ballot.  Phase-1 quorums need not
meet each other, nor phase-2 quorums each other.  So with n acceptors, sizes q1 and q2 are
safe exactly when q1 + q2 > n: ``Cluster(acceptors=4, phase1_quorum=3, phase2_quorum=2)``
is safe, ``phase1_quorum=2, phase2_quorum=2`` is not.

Why the one intersection is enough (step 1 of the argument in ``paxos_lib.roles``, now with
two quorum systems): if v was chosen at ballot b by a phase-2 quorum Q, and the proposer of
a higher ballot c heard promises from a phase-1 quorum R, then R meets Q in some acceptor x;
x voted for v at b before promising c, so R's promises report a vote at a ballot >= b, and
the rest of the argument is unchanged.

``meets(other)`` decides "every quorum of one meets every quorum of the other" without
listing every k-subset: two thresholds meet when q1 + q2 > n; a threshold k and a set S meet
when S has more than n - k members; two explicit systems are compared set by set.
``disjoint_pair(other)`` gives a witness when they do not.

``swap_classes`` supports symmetry reduction (``paxos_lib.symmetry``): swapping two
acceptors is a renaming the explorer may use only if it maps each quorum system onto
itself.  Swaps that do so form an equivalence relation (if (x y) and (y z) preserve the
system, so does (x z) = (x y)(y z)(x y)), and its classes are the groups of interchangeable
acceptors.  A threshold keeps every acceptor interchangeable; explicit sets usually do not.

This module imports nothing from the rest of the package but ``errors``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from paxos_lib.errors import ConfigError, one_of

__all__ = ["QuorumError", "QuorumSystem", "check_quorum_spec", "parse_quorum_spec", "swap_classes"]

#: How a quorum system is given to ``Cluster``: a size, or explicit sets of acceptor names
#: (normalised to a sorted tuple of sorted tuples, so a Cluster stays hashable).
QuorumSpec = int | tuple[tuple[str, ...], ...]


class QuorumError(ConfigError):
    """A bad quorum: a size out of range, a set naming no real acceptor, an empty list."""


def check_quorum_spec(name: str, spec: object, acceptors: tuple[str, ...]) -> QuorumSpec:
    """Return ``spec`` normalised (an int, or sorted tuples of acceptor names); else raise
    QuorumError naming the bad value and what is allowed."""
    n = len(acceptors)
    if isinstance(spec, bool):
        raise QuorumError(f"{name} must be an int from 1 to {n} or a list of sets of "
                          f"acceptors such as [['a1', 'a2']], got {spec!r}")
    if isinstance(spec, int):
        if not 1 <= spec <= n:
            raise QuorumError(f"{name} must be from 1 to {n} (the number of acceptors), "
                              f"got {spec}")
        return spec
    if isinstance(spec, str | bytes) or not isinstance(spec, Iterable):
        raise QuorumError(f"{name} must be an int from 1 to {n} or a list of sets of "
                          f"acceptors such as [['a1', 'a2']], got {spec!r}")
    groups: list[tuple[str, ...]] = []
    for group in spec:
        if isinstance(group, str | bytes) or not isinstance(group, Iterable):
            raise QuorumError(f"{name}: each quorum is a set of acceptor names such as "
                              f"['a1', 'a2'], got {group!r}")
        members = tuple(group)
        for a in members:
            if a not in acceptors:
                raise QuorumError(f"{name}: quorum {list(members)!r} names {a!r}, which is "
                                  f"not an acceptor; the acceptors are {one_of(acceptors)}")
        if not members:
            raise QuorumError(f"{name}: a quorum must name at least one acceptor, got []")
        if len(set(members)) != len(members):
            raise QuorumError(f"{name}: quorum {list(members)!r} names an acceptor twice")
        groups.append(tuple(sorted(members, key=acceptors.index)))
    if not groups:
        raise QuorumError(f"{name} must list at least one quorum, such as [['a1', 'a2']]; "
                          "got none")
    return tuple(sorted(set(groups), key=lambda g: (len(g), [acceptors.index(a) for a in g])))


@dataclass(frozen=True, slots=True)
class QuorumSystem:
    """Which sets of ``acceptors`` are quorums: any ``size`` of them, or a superset of one of
    ``sets``."""

    acceptors: tuple[str, ...]
    size: int | None = None
    sets: tuple[frozenset[str], ...] = ()

    @classmethod
    def of(cls, acceptors: tuple[str, ...], spec: QuorumSpec) -> QuorumSystem:
        """The quorum system a (normalised) ``Cluster`` spec describes."""
        if isinstance(spec, int):
            return cls(acceptors=acceptors, size=spec)
        return cls(acceptors=acceptors, sets=tuple(frozenset(g) for g in spec))

    @property
    def threshold(self) -> bool:
        """True for "any ``size`` acceptors" (renaming acceptors maps it onto itself)."""
        return self.size is not None

    @property
    def smallest(self) -> int:
        """The fewest acceptors that make a quorum."""
        return self.size if self.size is not None else min(len(s) for s in self.sets)

    def contains(self, acceptors: Iterable[str]) -> bool:
        """True if ``acceptors`` include a quorum."""
        if self.size is not None:
            return len(set(acceptors)) >= self.size
        have = frozenset(acceptors)
        return any(q <= have for q in self.sets)

    def tolerates(self) -> int:
        """The most acceptors that may be down while some quorum is still up."""
        if self.size is not None:
            return len(self.acceptors) - self.size
        n = len(self.acceptors)
        # the fewest acceptors whose failure hits every quorum, minus one
        for k in range(1, n + 1):
            for down in _subsets(self.acceptors, k):
                if all(q & down for q in self.sets):
                    return k - 1
        return n  # unreachable: every quorum is non-empty

    def disjoint_pair(self, other: QuorumSystem) -> tuple[frozenset[str], frozenset[str]] | None:
        """A quorum of ``self`` and one of ``other`` with no acceptor in common, or None."""
        n = len(self.acceptors)
        if self.size is not None and other.size is not None:
            if self.size + other.size > n:
                return None
            first, last = self.acceptors[: self.size], self.acceptors[n - other.size:]
            return frozenset(first), frozenset(last)
        if self.size is not None or other.size is not None:
            k_sys, s_sys = (self, other) if self.size is not None else (other, self)
            assert k_sys.size is not None
            for s in s_sys.sets:
                rest = [a for a in self.acceptors if a not in s]
                if len(rest) >= k_sys.size:
                    k_quorum = frozenset(rest[: k_sys.size])
                    return (k_quorum, s) if k_sys is self else (s, k_quorum)
            return None
        for q1 in self.sets:
            for q2 in other.sets:
                if not q1 & q2:
                    return q1, q2
        return None

    def meets(self, other: QuorumSystem) -> bool:
        """True if every quorum of ``self`` shares an acceptor with every quorum of
        ``other``."""
        return self.disjoint_pair(other) is None

    def renamed_by_swap(self, x: str, y: str) -> bool:
        """True if swapping acceptors ``x`` and ``y`` maps this system onto itself."""
        if self.size is not None:
            return True
        swap = {x: y, y: x}
        renamed = {frozenset(swap.get(a, a) for a in q) for q in self.sets}
        return renamed == set(self.sets)

    def describe(self) -> str:
        """In words: ``any 3 of 4`` or ``{a1, a2} or {a3, a4}``."""
        if self.size is not None:
            return f"any {self.size} of {len(self.acceptors)}"
        return " or ".join(
            "{" + ", ".join(sorted(q, key=self.acceptors.index)) + "}" for q in self.sets
        )


def _subsets(items: tuple[str, ...], k: int) -> Iterable[frozenset[str]]:
    return (frozenset(c) for c in combinations(items, k))


def swap_classes(
    acceptors: tuple[str, ...], systems: Iterable[QuorumSystem]
) -> tuple[tuple[str, ...], ...]:
    """The acceptors grouped into classes whose members may be swapped freely: every swap
    within a class maps each of ``systems`` onto itself (see the module docstring)."""
    systems = tuple(systems)
    classes: list[list[str]] = []
    for a in acceptors:
        for cls in classes:
            if all(s.renamed_by_swap(cls[0], a) for s in systems):
                cls.append(a)
                break
        else:
            classes.append([a])
    return tuple(tuple(c) for c in classes)


def parse_quorum_spec(text: str) -> int | tuple[tuple[str, ...], ...]:
    """A quorum system from the command line: a size (``3``) or sets of acceptors, each a
    comma-separated list, separated by ``/`` (``a1,a2/a3,a4``).  The names are checked
    against the cluster later, by ``Cluster``."""
    if not isinstance(text, str) or not text.strip():
        raise QuorumError(f"a quorum is a size such as 3 or sets such as a1,a2/a3,a4, "
                          f"got {text!r}")
    text = text.strip()
    if text.lstrip("+-").isdigit():
        return int(text)
    groups = tuple(tuple(a.strip() for a in g.split(",") if a.strip()) for g in text.split("/"))
    if any(not g for g in groups):
        raise QuorumError(f"a quorum is a size such as 3 or sets such as a1,a2/a3,a4, "
                          f"got {text!r} (an empty set)")
    return groups
