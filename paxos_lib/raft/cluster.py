"""The Raft cluster: servers ``s1 … sN`` plugged into the one engine through its protocol hook.

Theory of operation
-------------------
``RaftCluster(servers=3)`` is to Raft what ``ReplicaCluster`` is to Multi-Paxos: it has the id
helpers the engine and the simulator call on a cluster (``node_ids``, ``proposer_ids``,
``index``, ``role_of``, ``check_node``, ``to_dict``) and the protocol hook:
``make_rules(variant)`` gives the ``RaftRules`` every handler consults, and
``initial_state(node)`` each server's starting state.  So the engine's actions and faults
apply unchanged: every server takes client commands (``Propose``), has a timer
(``Timeout``: its election timeout, or a leader's retry), can crash, recover and be
partitioned off.

Variants (one rule each):

==========================  =================================================================
variant                     rule
==========================  =================================================================
``classic``                 Raft: the leader commits index ``N`` once a majority holds it
                            *and* the entry at ``N`` is of the leader's current term.
``raft-commit-old-term``    The leader commits an entry of an earlier term as soon as a
                            majority holds it (counting replicas, ignoring the term): the
                            paper's figure 8 shows a later leader overwriting it.
==========================  =================================================================

The commit rule is a function (``commit_index``) so that an exercise can plug in a student's
version: ``RaftCluster(3, commit_rule=f)`` runs ``f`` in every leader.

NOTE: ``role_of`` answers ``'proposer'`` for every server, because the engine lets only
proposers take client values and run timers; every server plays every Raft role in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from paxos_lib.cluster import MAX_NODES_PER_ROLE, ROLES
from paxos_lib.errors import ConfigError, UnknownNodeError, one_of
from paxos_lib.properties import Property, Verdict
from paxos_lib.raft.properties import RAFT_PROPERTIES, check_all
from paxos_lib.raft.server import RaftServer

__all__ = [
    "RAFT_VARIANTS",
    "CommitRule",
    "RaftCluster",
    "RaftRules",
    "check_raft_variant",
    "commit_counting_replicas",
    "commit_current_term",
]

RAFT_VARIANTS: tuple[str, ...] = ("classic", "raft-commit-old-term")

CommitRule = Callable[[tuple[int, ...], tuple[int, ...], int, int, int], int]
"""``rule(log_terms, match_index, current_term, commit_index, majority) -> new commit index``:
``log_terms[i - 1]`` is the term of the leader's entry at index ``i``; ``match_index`` holds,
for every server (the leader first), the highest index known to be stored there."""


def commit_current_term(log_terms: tuple[int, ...], match_index: tuple[int, ...],
                        current_term: int, commit_index: int, majority: int) -> int:
    """Raft's rule (figure 2): the highest ``N`` above ``commit_index`` stored on a majority
    whose entry is of ``current_term``; else ``commit_index`` unchanged."""
    for n in range(len(log_terms), commit_index, -1):
        if log_terms[n - 1] != current_term:
            continue
        if sum(1 for m in match_index if m >= n) >= majority:
            return n
    return commit_index


def commit_counting_replicas(log_terms: tuple[int, ...], match_index: tuple[int, ...],
                             current_term: int, commit_index: int, majority: int) -> int:
    """The broken rule of ``raft-commit-old-term``: the highest ``N`` stored on a majority,
    whatever its term."""
    for n in range(len(log_terms), commit_index, -1):
        if sum(1 for m in match_index if m >= n) >= majority:
            return n
    return commit_index


def check_raft_variant(variant: object) -> str:
    """Return ``variant`` if it names a Raft variant; else raise ConfigError."""
    if not isinstance(variant, str) or variant not in RAFT_VARIANTS:
        raise ConfigError(f"unknown Raft variant {variant!r}; choose {one_of(RAFT_VARIANTS)}")
    return variant


@dataclass(frozen=True, slots=True)
class RaftRules:
    """What the server handlers consult: ids, majority, and the commit rule."""

    variant: str
    servers: tuple[str, ...]
    quorum: int
    commit_index: CommitRule = commit_current_term
    backoff: bool = True

    def peers(self, node: str) -> tuple[str, ...]:
        """Every server but ``node``."""
        return tuple(s for s in self.servers if s != node)


@dataclass(frozen=True, slots=True)
class RaftCluster:
    """``servers`` Raft servers ``s1 … sN``; majority quorum.  ``commit_rule``: a
    ``CommitRule`` to use instead of the variant's (for exercises).  ``backoff``: retries
    back off while nothing changes (see ``server``); the explorer's models turn it off,
    which only adds behaviours (a backed-off timeout does nothing), so a safety verdict
    without it covers the runs with it, in far fewer states."""

    servers: int = 3
    commit_rule: CommitRule | None = field(default=None, compare=False)
    backoff: bool = True
    _ids: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = self.servers
        if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_NODES_PER_ROLE:
            raise ConfigError(f"servers must be an int from 2 to {MAX_NODES_PER_ROLE}, got {n!r}")
        if not isinstance(self.backoff, bool):
            raise ConfigError(f"backoff must be True or False, got {self.backoff!r}")
        if self.commit_rule is not None and not callable(self.commit_rule):
            raise ConfigError(
                "commit_rule must be a function (log_terms, match_index, current_term, "
                f"commit_index, majority) -> int, or None, got {self.commit_rule!r}"
            )
        object.__setattr__(self, "_ids", tuple(f"s{i}" for i in range(1, n + 1)))

    # -- ids (what the engine and the simulator ask a cluster) --------------------------------

    @property
    def node_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def replica_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def proposer_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def acceptor_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def learner_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def replicas(self) -> int:
        return self.servers

    @property
    def proposers(self) -> int:
        return self.servers

    @property
    def acceptors(self) -> int:
        return self.servers

    @property
    def learners(self) -> int:
        return self.servers

    @property
    def majority(self) -> int:
        return self.servers // 2 + 1

    @property
    def quorum_size(self) -> int:
        return self.majority

    def index(self, node: str) -> int:
        self.check_node(node)
        return self._ids.index(node)

    def role_of(self, node: str) -> str:
        """``'proposer'`` (see the module NOTE)."""
        self.check_node(node)
        return "proposer"

    def check_node(self, node: object, role: str | None = None) -> str:
        """Return ``node`` if it is a server; else raise UnknownNodeError."""
        if not isinstance(node, str) or node not in self._ids:
            raise UnknownNodeError(
                f"unknown server {node!r}; this cluster has {', '.join(self._ids)}"
            )
        if role is not None and role not in ROLES:
            raise ConfigError(f"unknown role {role!r}; roles: {one_of(ROLES)}")
        return node

    # -- the engine's protocol hook -----------------------------------------------------------

    def make_rules(self, variant: str = "classic") -> RaftRules:
        """The rules every server handler consults under ``variant``."""
        variant = check_raft_variant(variant)
        rule = self.commit_rule
        if rule is None:
            rule = commit_counting_replicas if variant == "raft-commit-old-term" \
                else commit_current_term
        return RaftRules(variant=variant, servers=self._ids, quorum=self.majority,
                         commit_index=rule, backoff=self.backoff)

    def initial_state(self, node: str) -> RaftServer:
        """A follower in term 0 with an empty log."""
        self.check_node(node)
        return RaftServer(node=node)

    @property
    def trace_class(self) -> type:
        """The trace type the explorer returns for this cluster."""
        from paxos_lib.raft.trace import RaftTrace  # the trace module imports this one

        return RaftTrace

    @property
    def simulation_class(self) -> type:
        """The simulation a view builds to replay a Raft trace."""
        from paxos_lib.raft.simulation import RaftSimulation  # it imports this module

        return RaftSimulation

    # -- what must hold ---------------------------------------------------------------------------

    @property
    def properties(self) -> tuple[Property, ...]:
        return RAFT_PROPERTIES

    def check_all(self, world: Any, kind: str = "always") -> list[Verdict]:
        return check_all(world, kind)

    # -- data -----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"servers": self.servers}
        if not self.backoff:
            out["backoff"] = False
        return out

    @classmethod
    def from_dict(cls, data: object) -> RaftCluster:
        if not isinstance(data, dict) or not {"servers"} <= set(data) <= {"servers", "backoff"}:
            raise ConfigError(
                f"a Raft cluster is a dict {{'servers': N}} (and 'backoff'), got {data!r}"
            )
        return cls(servers=data["servers"], backoff=data.get("backoff", True))

    def __str__(self) -> str:
        extra = "" if self.backoff else ", no backoff"
        return (f"{self.servers} Raft servers ({', '.join(self._ids)}), majority "
                f"{self.majority}{extra}")
