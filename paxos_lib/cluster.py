"""The cluster: which nodes exist, what role each plays, and how big a quorum is.

Node ids read well in a chart: proposers ``p1, p2, …``, acceptors ``a1, a2, …``, learners
``l1, l2, …``.  The quorum defaults to a majority of the acceptors, the smallest size for
which any two quorums share an acceptor.  A smaller quorum may be asked for explicitly (the
minority-quorum lesson does), and then two disjoint quorums can choose different values.

Flexible Paxos: ``phase1_quorum`` and ``phase2_quorum`` give the two phases separate quorum
systems, each a size or explicit sets of acceptor names (``paxos_lib.quorums``); safe exactly
when ``quorums_intersect()``.  They replace ``quorum``, so giving both is a QuorumError.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paxos_lib.errors import ConfigError, UnknownNodeError
from paxos_lib.quorums import QuorumError, QuorumSpec, QuorumSystem, check_quorum_spec

__all__ = ["MAX_NODES_PER_ROLE", "ROLES", "Cluster"]

ROLES = ("proposer", "acceptor", "learner")
MAX_NODES_PER_ROLE = 26


def _count(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be an int from {minimum} to {MAX_NODES_PER_ROLE}, "
                          f"got {value!r}")
    if not minimum <= value <= MAX_NODES_PER_ROLE:
        raise ConfigError(f"{name} must be from {minimum} to {MAX_NODES_PER_ROLE}, got {value}")
    return value


def _article(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


@dataclass(frozen=True, slots=True, repr=False)
class Cluster:
    """How many proposers, acceptors and learners there are, and the quorum size."""

    proposers: int = 1
    acceptors: int = 3
    learners: int = 1
    quorum: int | None = None
    phase1_quorum: QuorumSpec | None = None
    phase2_quorum: QuorumSpec | None = None
    _ids: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _roles: dict[str, str] = field(init=False, repr=False, compare=False)

    def __repr__(self) -> str:
        # the two phases' quorum systems appear only when given (Flexible Paxos)
        text = (f"Cluster(proposers={self.proposers}, acceptors={self.acceptors}, "
                f"learners={self.learners}, quorum={self.quorum!r}")
        for name in ("phase1_quorum", "phase2_quorum"):
            if getattr(self, name) is not None:
                text += f", {name}={getattr(self, name)!r}"
        return text + ")"

    def __post_init__(self) -> None:
        _count("proposers", self.proposers, 1)
        _count("acceptors", self.acceptors, 1)
        _count("learners", self.learners, 1)
        if self.quorum is not None:
            if isinstance(self.quorum, bool) or not isinstance(self.quorum, int):
                raise ConfigError(
                    f"quorum must be None (a majority) or an int from 1 to {self.acceptors}, "
                    f"got {self.quorum!r}"
                )
            if not 1 <= self.quorum <= self.acceptors:
                raise ConfigError(
                    f"quorum must be from 1 to {self.acceptors} (the number of acceptors), "
                    f"got {self.quorum}"
                )
        ids = (
            *(f"p{i}" for i in range(1, self.proposers + 1)),
            *(f"a{i}" for i in range(1, self.acceptors + 1)),
            *(f"l{i}" for i in range(1, self.learners + 1)),
        )
        roles = {i: {"p": "proposer", "a": "acceptor", "l": "learner"}[i[0]] for i in ids}
        object.__setattr__(self, "_ids", ids)
        object.__setattr__(self, "_roles", roles)
        self._check_phase_quorums()

    # -- Flexible Paxos ------------------------------------------------------------------------

    def _check_phase_quorums(self) -> None:
        flexible = self.phase1_quorum is not None or self.phase2_quorum is not None
        if flexible and self.quorum is not None:
            raise QuorumError(
                f"give either quorum={self.quorum} (one quorum for both phases) or "
                "phase1_quorum/phase2_quorum (Flexible Paxos), not both"
            )
        for name in ("phase1_quorum", "phase2_quorum"):
            spec = getattr(self, name)
            if spec is not None:
                object.__setattr__(self, name, check_quorum_spec(name, spec, self.acceptor_ids))

    @property
    def flexible(self) -> bool:
        """True when the phases have their own quorums (``phase1_quorum``/``phase2_quorum``)."""
        return self.phase1_quorum is not None or self.phase2_quorum is not None

    @property
    def phase1_quorums(self) -> QuorumSystem:
        """The quorum system of phase 1 (promises): ``phase1_quorum``, else ``quorum_size``."""
        spec = self.phase1_quorum
        if spec is None:
            spec = self.majority if self.quorum is None else self.quorum
        return QuorumSystem.of(self.acceptor_ids, spec)

    @property
    def phase2_quorums(self) -> QuorumSystem:
        """The quorum system of phase 2 (votes, and so what is chosen)."""
        spec = self.phase2_quorum
        if spec is None:
            spec = self.majority if self.quorum is None else self.quorum
        return QuorumSystem.of(self.acceptor_ids, spec)

    def quorums_intersect(self) -> bool:
        """True if every phase-1 quorum shares an acceptor with every phase-2 quorum: the
        condition under which Paxos is safe."""
        return self.phase1_quorums.meets(self.phase2_quorums)

    def disjoint_quorums(self) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """A phase-1 quorum and a phase-2 quorum with no acceptor in common, or None."""
        pair = self.phase1_quorums.disjoint_pair(self.phase2_quorums)
        if pair is None:
            return None
        order = self.acceptor_ids.index
        return (tuple(sorted(pair[0], key=order)), tuple(sorted(pair[1], key=order)))

    # -- ids -----------------------------------------------------------------------------------

    @property
    def node_ids(self) -> tuple[str, ...]:
        """All node ids: proposers, then acceptors, then learners."""
        return self._ids

    @property
    def proposer_ids(self) -> tuple[str, ...]:
        return self._ids[: self.proposers]

    @property
    def acceptor_ids(self) -> tuple[str, ...]:
        return self._ids[self.proposers : self.proposers + self.acceptors]

    @property
    def learner_ids(self) -> tuple[str, ...]:
        return self._ids[self.proposers + self.acceptors :]

    @property
    def majority(self) -> int:
        """The smallest number of acceptors that is more than half of them."""
        return self.acceptors // 2 + 1

    @property
    def quorum_size(self) -> int:
        """The quorum in force: the explicit one, else a majority (Flexible Paxos: the
        fewest acceptors in a phase-2 quorum, the ones that choose)."""
        if self.flexible:
            return self.phase2_quorums.smallest
        return self.majority if self.quorum is None else self.quorum

    def index(self, node: str) -> int:
        """Position of ``node`` in ``node_ids``."""
        self.check_node(node)
        return self._ids.index(node)

    def role_of(self, node: str) -> str:
        """``'proposer'``, ``'acceptor'`` or ``'learner'``."""
        self.check_node(node)
        return self._roles[node]

    def check_node(self, node: object, role: str | None = None) -> str:
        """Return ``node`` if it is in the cluster (and has ``role``); else raise."""
        if role is not None and role not in ROLES:
            raise ConfigError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        if not isinstance(node, str) or node not in self._roles:
            raise UnknownNodeError(
                f"unknown node {node!r}; this cluster has {', '.join(self._ids)}"
            )
        if role is not None and self._roles[node] != role:
            allowed = {
                "proposer": self.proposer_ids,
                "acceptor": self.acceptor_ids,
                "learner": self.learner_ids,
            }[role]
            raise UnknownNodeError(
                f"{node!r} is {_article(self._roles[node])}, not {_article(role)}; the {role}s are "
                f"{', '.join(allowed)}"
            )
        return node

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "proposers": self.proposers,
            "acceptors": self.acceptors,
            "learners": self.learners,
            "quorum": self.quorum,
        }
        for name in ("phase1_quorum", "phase2_quorum"):  # only when set: old JSON unchanged
            spec = getattr(self, name)
            if spec is not None:
                out[name] = spec if isinstance(spec, int) else [list(q) for q in spec]
        return out

    @classmethod
    def from_dict(cls, data: object) -> Cluster:
        if not isinstance(data, dict):
            raise ConfigError(
                f"a cluster is a dict with proposers/acceptors/learners, got {data!r}"
            )
        unknown = set(data) - {"proposers", "acceptors", "learners", "quorum",
                               "phase1_quorum", "phase2_quorum"}
        if unknown:
            raise ConfigError(
                f"unknown cluster field(s) {sorted(unknown)}; "
                "allowed: proposers, acceptors, learners, quorum, phase1_quorum, phase2_quorum"
            )
        return cls(**data)

    def __str__(self) -> str:
        q = "" if self.quorum is None else f", quorum {self.quorum}"
        if self.flexible:
            q = (f", phase-1 quorum {self.phase1_quorums.describe()}, "
                 f"phase-2 quorum {self.phase2_quorums.describe()}")
        return (f"{self.proposers} proposer(s), {self.acceptors} acceptor(s), "
                f"{self.learners} learner(s){q}")
