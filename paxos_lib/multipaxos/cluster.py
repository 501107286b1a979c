"""The replica cluster: every node is a replica (proposer, acceptor and learner at once).

Theory of operation
-------------------
``ReplicaCluster(replicas=5)`` names its nodes ``r1 … r5`` and plugs Multi-Paxos into the one
engine through the engine's protocol hook: ``make_rules(variant)`` gives the ``ReplicaRules``
every handler consults, and ``initial_state(node)`` gives each replica's starting state.  It
also has the id helpers the engine and simulator call on a ``Cluster`` (``node_ids``,
``proposer_ids``, ``acceptor_ids``, ``index``, ``role_of``, ``check_node``, ``to_dict``), so the
engine's actions and faults apply unchanged: every replica takes client commands
(``Propose``), has a retry timer (``Timeout``), can crash, recover and be partitioned off.

Variants (one rule each, as in the single-decree lessons):

=====================  ======================================================================
variant                rule
=====================  ======================================================================
``classic``            Multi-Paxos: a leader runs phase 1 once for all slots from its first
                       unchosen slot, then phase 2 for each command (the default).
``phase1-per-slot``    Basic Paxos for every slot: the leader runs phase 1 again before each
                       new command, and proposes one command per ballot.  Still safe, but
                       about twice the messages; lesson 07 plots the difference.
``forgetful-leader``   A new leader ignores the votes reported in promises and fills every
                       slot it does not know chosen with a no-op: it can overwrite a chosen
                       command, and the properties catch it.
=====================  ======================================================================

NOTE: ``role_of`` answers ``'proposer'`` for every replica, because the engine lets only
proposers take client values and run timers; each replica is an acceptor and a learner too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paxos_lib.cluster import MAX_NODES_PER_ROLE, ROLES
from paxos_lib.errors import ConfigError, UnknownNodeError, one_of
from paxos_lib.multipaxos.membership import RECONFIG_VARIANTS
from paxos_lib.multipaxos.properties import MULTIPAXOS_PROPERTIES, check_all
from paxos_lib.multipaxos.replica import Replica
from paxos_lib.multipaxos.snapshots import SNAPSHOT_VARIANTS, check_snapshot_every
from paxos_lib.properties import Property, Verdict

__all__ = ["MULTIPAXOS_VARIANTS", "ReplicaCluster", "ReplicaRules", "check_multipaxos_variant"]

MULTIPAXOS_VARIANTS: tuple[str, ...] = ("classic", "phase1-per-slot", "forgetful-leader")


def check_multipaxos_variant(variant: object) -> str:
    """Return ``variant`` if it names a Multi-Paxos variant; else raise ConfigError."""
    if isinstance(variant, str) and variant in RECONFIG_VARIANTS:
        return variant  # a ReconfigCluster's make_rules checks it against the cluster
    known = MULTIPAXOS_VARIANTS + SNAPSHOT_VARIANTS  # snapshots.py: the broken snapshot rules
    if not isinstance(variant, str) or variant not in known:
        raise ConfigError(f"unknown Multi-Paxos variant {variant!r}; choose {one_of(known)}")
    return variant


@dataclass(frozen=True, slots=True)
class ReplicaRules:
    """What the replica handlers consult: ids, quorum, and the variant's one rule."""

    variant: str
    replicas: tuple[str, ...]
    quorum: int
    phase1_every_slot: bool = False
    leader_adopts_votes: bool = True
    # snapshots.py: the period (0: never), and the broken variants' one rule each
    snapshot_every: int = 0
    install_older: bool = False
    compact_open_votes: bool = False

    def peers(self, node: str) -> tuple[str, ...]:
        """Every replica but ``node``."""
        return tuple(r for r in self.replicas if r != node)


@dataclass(frozen=True, slots=True)
class ReplicaCluster:
    """``replicas`` replicas ``r1 … rN``, each a proposer, acceptor and learner; majority quorum.

    The first replica, ``r1``, is the distinguished proposer at the start: every replica
    believes it leads until it hears of a higher ballot.
    """

    replicas: int = 5
    # snapshots.py: snapshot every K applied slots (0: never); keyword-only, so subclasses'
    # positional fields keep their places
    snapshot_every: int = field(default=0, kw_only=True)
    _ids: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = self.replicas
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_NODES_PER_ROLE:
            raise ConfigError(
                f"replicas must be an int from 1 to {MAX_NODES_PER_ROLE}, got {n!r}"
            )
        object.__setattr__(self, "_ids", tuple(f"r{i}" for i in range(1, n + 1)))
        check_snapshot_every(self.snapshot_every)

    # -- ids (what the engine and the simulator ask a cluster) --------------------------------

    @property
    def node_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def replica_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def proposer_ids(self) -> tuple[str, ...]:
        """Every replica: each takes client commands and has a retry timer."""
        return self._ids

    @property
    def acceptor_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def learner_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def proposers(self) -> int:
        return self.replicas

    @property
    def acceptors(self) -> int:
        return self.replicas

    @property
    def learners(self) -> int:
        return self.replicas

    @property
    def majority(self) -> int:
        return self.replicas // 2 + 1

    @property
    def quorum_size(self) -> int:
        return self.majority

    @property
    def leader(self) -> str:
        """The distinguished proposer at the start (``r1``)."""
        return self._ids[0]

    def index(self, node: str) -> int:
        self.check_node(node)
        return self._ids.index(node)

    def role_of(self, node: str) -> str:
        """``'proposer'`` (see the module NOTE: a replica plays all three roles)."""
        self.check_node(node)
        return "proposer"

    def check_node(self, node: object, role: str | None = None) -> str:
        """Return ``node`` if it is a replica; else raise UnknownNodeError.  Every replica has
        every role, so ``role`` only has to be one of the roles."""
        if not isinstance(node, str) or node not in self._ids:
            raise UnknownNodeError(
                f"unknown replica {node!r}; this cluster has {', '.join(self._ids)}"
            )
        if role is not None and role not in ROLES:
            raise ConfigError(f"unknown role {role!r}; roles: {one_of(ROLES)}")
        return node

    # -- the engine's protocol hook -----------------------------------------------------------

    def make_rules(self, variant: str = "classic") -> ReplicaRules:
        """The rules every replica handler consults under ``variant``."""
        variant = check_multipaxos_variant(variant)
        if variant in SNAPSHOT_VARIANTS and not self.snapshot_every:
            raise ConfigError(
                f"variant {variant!r} changes a snapshot rule; give the cluster "
                "snapshot_every >= 1, such as ReplicaCluster(3, snapshot_every=1)"
            )
        if variant in RECONFIG_VARIANTS:
            raise ConfigError(f"the variant {variant!r} changes membership rules; it needs a "
                              "ReconfigCluster (paxos_lib.multipaxos.reconfig)")
        return ReplicaRules(
            variant=variant,
            replicas=self._ids,
            quorum=self.majority,
            phase1_every_slot=variant == "phase1-per-slot",
            leader_adopts_votes=variant != "forgetful-leader",
            snapshot_every=self.snapshot_every,
            install_older=variant == "stale-snapshot",
            compact_open_votes=variant == "eager-compaction",
        )

    def initial_state(self, node: str) -> Replica:
        """A replica with an empty log that believes ``r1`` leads."""
        self.check_node(node)
        return Replica(node=node, leader=self.leader)

    # -- what must hold (for tools that check any protocol: stepper, explorer) ---------------

    @property
    def properties(self) -> tuple[Property, ...]:
        """The named Multi-Paxos properties (the single-decree ones do not apply here)."""
        return MULTIPAXOS_PROPERTIES

    def check_all(self, world: Any, kind: str = "always") -> list[Verdict]:
        """Every Multi-Paxos property of ``kind`` checked in ``world``."""
        return check_all(world, kind)

    # -- data -----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, int]:
        out = {"replicas": self.replicas}
        if self.snapshot_every:
            out["snapshot_every"] = self.snapshot_every
        return out

    @classmethod
    def from_dict(cls, data: object) -> ReplicaCluster:
        if isinstance(data, dict) and "clients" in data:  # a cluster with clients
            from paxos_lib.multipaxos.clients import ClientCluster  # lazy: clients imports us

            return ClientCluster.from_dict(data)
        if isinstance(data, dict) and "alpha" in data:  # a reconfigurable cluster
            from paxos_lib.multipaxos.reconfig import ReconfigCluster

            return ReconfigCluster.from_dict(data)
        if not isinstance(data, dict) or not {"replicas"} <= set(data) <= {
            "replicas", "snapshot_every"
        }:
            raise ConfigError(f"a replica cluster is a dict {{'replicas': N}}, got {data!r}")
        return cls(replicas=data["replicas"], snapshot_every=data.get("snapshot_every", 0))

    def __str__(self) -> str:
        text = f"{self.replicas} replicas ({', '.join(self._ids)}), quorum {self.majority}"
        return text + (f", snapshot every {self.snapshot_every} slots"
                       if self.snapshot_every else "")
