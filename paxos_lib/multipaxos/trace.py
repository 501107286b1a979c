"""Replica traces: a Multi-Paxos run written down as the actions that made it.

Theory of operation
-------------------
``ReplicaTrace`` is ``paxos_lib.trace.Trace`` for a ``ReplicaCluster`` (both take their
methods from ``TraceMethods``): the cluster, the
variant, the network model and the engine actions in order, with no worlds in it.  Replaying
the actions through the one engine rebuilds every world, because ``apply`` is pure.  It turns
into JSON and back (messages by their Multi-Paxos ``KIND``), so a run seen in the stepper or
found by the soak test can be saved and replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from paxos_lib.actions import Action, protocol_action_from_dict
from paxos_lib.engine import check_network
from paxos_lib.errors import ConfigError
from paxos_lib.multipaxos.cluster import ReplicaCluster, check_multipaxos_variant
from paxos_lib.multipaxos.messages import message_from_dict
from paxos_lib.trace import TraceMethods

__all__ = ["REPLICA_TRACE_FORMAT", "ReplicaTrace", "replica_action_from_dict"]

REPLICA_TRACE_FORMAT = "paxos_lib.multipaxos.trace/1"


def replica_action_from_dict(data: object) -> Action:
    """Rebuild an action of a replica run from ``to_dict()`` output."""
    return protocol_action_from_dict(data, message_from_dict)


@dataclass(frozen=True, slots=True)
class ReplicaTrace(TraceMethods):
    """A Multi-Paxos run as data: the replica cluster, the rules, and the actions in order."""

    FORMAT: ClassVar[str] = REPLICA_TRACE_FORMAT
    WHAT: ClassVar[str] = "replica trace"
    FORMAT_NAME: ClassVar[str] = "Multi-Paxos"

    cluster: ReplicaCluster
    variant: str = "classic"
    network: str = "lossy"
    steps: tuple[Action, ...] = ()
    seed: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.cluster, ReplicaCluster):
            raise ConfigError(f"a replica trace needs a ReplicaCluster, got {self.cluster!r}")
        check_multipaxos_variant(self.variant)
        check_network(self.network)
        self._check_steps()

    @staticmethod
    def cluster_from_dict(data: object) -> ReplicaCluster:
        return ReplicaCluster.from_dict(data)

    @staticmethod
    def action_from_dict(data: object) -> Action:
        return replica_action_from_dict(data)
