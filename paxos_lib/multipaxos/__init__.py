"""Multi-Paxos for order states: a replicated log of order commands every replica agrees on.

Theory of operation
-------------------
Single-decree Paxos chooses one value.  A replicated log chooses a command for each *slot*
0, 1, 2, …, one Paxos instance per slot, and every replica applies the chosen commands to its
``OrderBook`` in slot order.  Because every replica applies the same commands in the same
order with the same deterministic ``paxos_lib.orders.apply``, every replica reaches the same
order states.

Multi-Paxos makes that cheap: a *leader* runs phase 1 once for all slots from its first
unchosen one, after which each new command costs one phase-2 round (an accept to the other
replicas and their replies).  When the leader fails, another replica takes over with a higher
ballot, recovers the open slots' votes from the promises, fills holes with no-ops, and carries
on.  Replicas that lag catch up from the others.  The rules are numbered in ``replica.py``.

The package runs on the one engine (``paxos_lib.engine``) through its protocol hook, so the
simulator's seeded scheduler, faults, undo and traces all apply unchanged:

- ``messages``: the Multi-Paxos messages (subclasses of ``paxos_lib.messages.Message``).
- ``replica``: the ``Replica`` state machine (proposer, acceptor and learner in one).
- ``cluster``: ``ReplicaCluster`` (the engine's hook) and the variants.
- ``properties``: observations (``log``, ``applied``, ``order_states``, ``chosen_slots``)
  and the named properties.
- ``trace``: ``ReplicaTrace``, a replayable run as JSON.
- ``simulation``: ``OrdersSimulation`` and the client workload (``run_orders``).
- ``snapshots``: snapshots and log compaction (``ReplicaCluster(5, snapshot_every=K)``), state
  transfer (``InstallSnapshot``) and the properties ``one-history``, ``applied-once``,
  ``snapshot-chosen``; ``snapshot_scenes``: the lesson 08 scenes.
- ``membership`` and ``reconfig``: configuration commands decided in the log, taking effect
  alpha slots later (``ReconfigCluster``, ``ReconfigSimulation``).
- ``clients``: clients as nodes (replies, retries at another replica), reads by ``log``,
  ``lease`` or ``any`` replica, clocks that drift, and the ``linearizable`` property.

Example::

    from paxos_lib.multipaxos import OrdersSimulation
    from paxos_lib.simulation import Faults
    sim = OrdersSimulation(5, seed=3)
    result = sim.run_workload(orders=20, faults=Faults(drop=0.1, crash=0.05))
    result.agree, result.slots, result.messages, sim.order_states("r1")

This package imports the orders domain and the core; never networkx, matplotlib or
ipywidgets.
"""

from __future__ import annotations

from paxos_lib.multipaxos.cluster import (
    MULTIPAXOS_VARIANTS,
    ReplicaCluster,
    ReplicaRules,
    check_multipaxos_variant,
)
from paxos_lib.multipaxos.membership import config_command, configuration_for
from paxos_lib.multipaxos.messages import (
    CatchUp,
    CatchUpReply,
    Commit,
    Forward,
    LogAccept,
    LogAccepted,
    LogNack,
    LogPrepare,
    LogPromise,
)
from paxos_lib.multipaxos.properties import (
    MULTIPAXOS_PROPERTIES,
    applied,
    check_all,
    chosen_slots,
    log,
    log_cells,
    order_states,
    replica_rows,
)
from paxos_lib.multipaxos.reconfig import (
    RECONFIG_VARIANTS,
    MembershipChange,
    ReconfigCluster,
    ReconfigSimulation,
    configurations,
    parse_reconfigure,
    plan_changes,
    reconfig_soak_case,
)
from paxos_lib.multipaxos.replica import NOOP_TEXT, Replica
from paxos_lib.multipaxos.simulation import (
    OrdersResult,
    OrdersSimulation,
    SoakCase,
    plan_orders,
    replay_orders,
    run_orders,
    soak_case,
)
from paxos_lib.multipaxos.snapshots import (
    SNAPSHOT_VARIANTS,
    CompactLog,
    InstallSnapshot,
    Snapshot,
    snapshot_stats,
)
from paxos_lib.multipaxos.trace import ReplicaTrace

# -- clients that hear replies, and reads three ways (clients.py) -------------------------------
# isort: split
from paxos_lib.multipaxos.clients import (
    READ_MODES,
    Client,
    ClientCluster,
    ClientSimulation,
    ClientsResult,
    run_clients,
    safe_margin,
)

__all__ = [
    "READ_MODES",
    "Client",
    "ClientCluster",
    "ClientSimulation",
    "ClientsResult",
    "run_clients",
    "safe_margin",
]

__all__ += [
    "MULTIPAXOS_PROPERTIES",
    "MULTIPAXOS_VARIANTS",
    "NOOP_TEXT",
    "RECONFIG_VARIANTS",
    "CatchUp",
    "CatchUpReply",
    "Commit",
    "Forward",
    "LogAccept",
    "LogAccepted",
    "LogNack",
    "LogPrepare",
    "LogPromise",
    "MembershipChange",
    "OrdersResult",
    "OrdersSimulation",
    "ReconfigCluster",
    "ReconfigSimulation",
    "Replica",
    "ReplicaCluster",
    "ReplicaRules",
    "ReplicaTrace",
    "SoakCase",
    "applied",
    "check_all",
    "check_multipaxos_variant",
    "chosen_slots",
    "config_command",
    "configuration_for",
    "configurations",
    "log",
    "log_cells",
    "order_states",
    "parse_reconfigure",
    "plan_changes",
    "plan_orders",
    "reconfig_soak_case",
    "replay_orders",
    "replica_rows",
    "run_orders",
    "soak_case",
]
__all__ += ["SNAPSHOT_VARIANTS", "CompactLog", "InstallSnapshot", "Snapshot", "snapshot_stats"]
