"""Raft traces: a Raft run written down as the actions that made it.

Theory of operation
-------------------
``RaftTrace`` is ``paxos_lib.trace.Trace`` for a ``RaftCluster`` (both take their methods from
``TraceMethods``): the cluster, the variant, the network model and the engine actions in
order, with no worlds in it.  Replaying the actions through the one engine rebuilds every
world, because ``apply`` is pure.  It turns into JSON and back (messages by their Raft
``KIND``), so a run seen in the stepper or found by the explorer can be saved and replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from paxos_lib.actions import Action, protocol_action_from_dict
from paxos_lib.engine import check_network
from paxos_lib.errors import ConfigError
from paxos_lib.raft.cluster import RaftCluster, check_raft_variant
from paxos_lib.raft.messages import message_from_dict
from paxos_lib.trace import TraceMethods

__all__ = ["RAFT_TRACE_FORMAT", "RaftTrace", "raft_action_from_dict"]

RAFT_TRACE_FORMAT = "paxos_lib.raft.trace/1"


def raft_action_from_dict(data: object) -> Action:
    """Rebuild an action of a Raft run from ``to_dict()`` output."""
    return protocol_action_from_dict(data, message_from_dict)


@dataclass(frozen=True, slots=True)
class RaftTrace(TraceMethods):
    """A Raft run as data: the Raft cluster, the variant, and the actions in order."""

    FORMAT: ClassVar[str] = RAFT_TRACE_FORMAT
    WHAT: ClassVar[str] = "Raft trace"
    FORMAT_NAME: ClassVar[str] = "Raft"

    cluster: RaftCluster
    variant: str = "classic"
    network: str = "lossy"
    steps: tuple[Action, ...] = ()
    seed: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.cluster, RaftCluster):
            raise ConfigError(f"a Raft trace needs a RaftCluster, got {self.cluster!r}")
        check_raft_variant(self.variant)
        check_network(self.network)
        self._check_steps()

    @staticmethod
    def cluster_from_dict(data: object) -> RaftCluster:
        return RaftCluster.from_dict(data)

    @staticmethod
    def action_from_dict(data: object) -> Action:
        return raft_action_from_dict(data)
