"""Running Raft on the order workload: a seeded simulation, the clients, and the result.

Theory of operation
-------------------
``RaftSimulation`` is ``OrdersSimulation`` with a ``RaftCluster`` instead of a replica
cluster: the same engine, the same actions, the same seeded scheduler
(``next_random_action(faults)``) and so the same faults (``paxos_lib.simulation.Faults``:
drop, duplicate, crash/restart with the durable fields kept, partitions, early timeouts),
undo, traces that replay, and message counting.  It reads the world through the Raft
observations (``log``, ``applied``, ``order_states``) and checks the Raft properties.

``run_workload`` plays the same clients as Multi-Paxos's, through the same loop
(``multipaxos.simulation.drive_clients``): ``plan_orders`` draws each order's
commands from the simulation's own seeded random stream first, so the same seed gives both
protocols the same orders; each client submits its next command to a random up server (or
to the leader, with ``clients_know_leader``), waits for it to be applied somewhere, and
retries the *same* request after ``patience`` steps.  Faults are injected until every client
is answered or ``fault_steps`` have passed; then the network heals, every server recovers,
and the run goes on without faults until nothing can happen ("converged").  The result is
an ``OrdersResult`` (``slots`` is the longest log's length, ``noops`` the no-op entries
applied), so the two protocols' runs compare field by field.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from paxos_lib.actions import Action
from paxos_lib.engine import World, check_network, initial_world
from paxos_lib.errors import ConfigError
from paxos_lib.multipaxos.simulation import (
    OrdersResult,
    OrdersSimulation,
    drive_clients,
)
from paxos_lib.properties import Verdict
from paxos_lib.raft.cluster import RaftCluster, check_raft_variant
from paxos_lib.raft.messages import MESSAGE_TYPES, Entry
from paxos_lib.raft.properties import applied as _applied
from paxos_lib.raft.properties import check_all, servers
from paxos_lib.raft.properties import log as _log
from paxos_lib.raft.properties import order_states as _order_states
from paxos_lib.raft.server import NOOP_TEXT, RaftServer
from paxos_lib.raft.trace import RaftTrace
from paxos_lib.simulation import Faults, take_steps

__all__ = ["RaftSimulation", "replay_raft", "run_raft"]


def _as_cluster(cluster: object) -> RaftCluster:
    if isinstance(cluster, RaftCluster):
        return cluster
    if isinstance(cluster, int) and not isinstance(cluster, bool):
        return RaftCluster(servers=cluster)
    raise ConfigError(
        f"RaftSimulation needs a RaftCluster such as RaftCluster(servers=5), or a number of "
        f"servers, got {cluster!r}"
    )


class RaftSimulation(OrdersSimulation):
    """A Raft cluster on the engine, step by step (see the module docstring)."""

    MESSAGE_KINDS = MESSAGE_TYPES  # find/deliver/drop take Raft kinds such as 'append'

    def __init__(
        self,
        cluster: RaftCluster | int = 5,
        seed: int = 0,
        variant: str = "classic",
        network: str = "lossy",
    ) -> None:
        # Not OrdersSimulation.__init__: that one insists on a ReplicaCluster.
        self.cluster = _as_cluster(cluster)  # type: ignore[assignment]
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ConfigError(f"seed must be an int, got {seed!r}")
        self.seed = seed
        self.variant = check_raft_variant(variant)
        self.network = check_network(network)
        self._rng = random.Random(seed)
        self._worlds: list[World] = [
            initial_world(self.cluster, self.variant, self.network)  # type: ignore[arg-type]
        ]
        self._steps: list[Action] = []
        self._requests: dict[str, str] = {}
        self._sent: list[int] = []

    # -- reading -------------------------------------------------------------------------------

    @property
    def trace(self) -> RaftTrace:  # type: ignore[override]
        """The run so far as a replayable ``RaftTrace``."""
        return RaftTrace(self.cluster, self.variant, self.network,  # type: ignore[arg-type]
                         tuple(self._steps), self.seed)

    def servers(self) -> tuple[RaftServer, ...]:
        """Every server's state, in id order."""
        return servers(self.world)

    def replicas(self) -> tuple[RaftServer, ...]:  # type: ignore[override]
        return self.servers()

    def log(self, replica: str) -> tuple[Entry, ...]:  # type: ignore[override]
        """``replica``'s log: ``(term, command)`` entries from index 1."""
        return _log(self.world, replica)

    def applied(self, replica: str) -> tuple[str, ...]:
        """The commands ``replica`` has applied, in index order."""
        return _applied(self.world, replica)

    def order_states(self, replica: str) -> dict[int, str]:
        return _order_states(self.world, replica)

    def leader(self) -> str | None:
        """The up server leading the highest term, or None."""
        best: RaftServer | None = None
        for s in self.servers():
            if s.is_leader and s.node not in self.world.crashed and (
                best is None or s.term > best.term
            ):
                best = s
        return None if best is None else best.node

    def believed_leader(self) -> str | None:
        """The server most up servers believe leads (ties: the lowest id), or None."""
        votes: dict[str, int] = {}
        for s in self.servers():
            if s.node not in self.world.crashed and s.leader is not None:
                votes[s.leader] = votes.get(s.leader, 0) + 1
        if not votes:
            return None
        ids = self.cluster.node_ids
        return max(votes, key=lambda n: (votes[n], -ids.index(n)))

    def chosen(self) -> frozenset[str]:  # type: ignore[override]
        """Every command some server has applied (so committed)."""
        return frozenset(c for s in self.servers() for c in s.commands())

    def chosen_slots(self) -> dict[int, frozenset[str]]:  # type: ignore[override]
        """``{index: commands applied there}`` (index 0 is the log's first entry)."""
        out: dict[int, set[str]] = {}
        for s in self.servers():
            for i, c in enumerate(s.commands()):
                out.setdefault(i, set()).add(c)
        return {i: frozenset(v) for i, v in sorted(out.items())}

    def learned(self) -> dict[str, str | None]:  # type: ignore[override]
        """``{server: the last command it applied, or None}``."""
        return {s.node: (s.applied[-1][1] if s.applied else None) for s in self.servers()}

    def check(self) -> list[Verdict]:
        """Every Raft safety (``always``) property, checked in the current world."""
        return check_all(self.world, "always")

    # -- the clients -----------------------------------------------------------------------------

    def run_workload(
        self,
        orders: int = 20,
        faults: Faults | None = None,
        *,
        retry: float = 0.05,
        patience: int | None = None,
        rate: float = 0.5,
        clients_know_leader: bool = False,
        max_steps: int | None = None,
        fault_steps: int | None = None,
        clients: int | None = None,
    ) -> OrdersResult:
        """Play the clients of ``orders`` orders under ``faults``, then settle; return the
        result (the options mean what they mean for ``OrdersSimulation.run_workload``; the
        client loop is the same ``drive_clients``)."""
        def scan(done: set[str], waiting: list[str | None]) -> None:
            for state in self.world.nodes:
                done.update(state.commands())  # type: ignore[union-attr]

        server_count: int = self.cluster.servers  # type: ignore[attr-defined]
        run = drive_clients(self, orders, faults, scan, server_count, retry=retry,
                            patience=patience, rate=rate,
                            clients_know_leader=clients_know_leader, max_steps=max_steps,
                            fault_steps=fault_steps, clients=clients)
        n = server_count
        commands, retries, start, end = run.commands, run.retries, run.start, run.end
        world = self.world
        reps = servers(world)
        longest = max(reps, key=lambda s: len(s.applied))
        counts: dict[str, int] = {}
        for c in longest.commands():
            counts[c] = counts.get(c, 0) + 1
        return OrdersResult(
            seed=self.seed,
            variant=self.variant,
            replicas=n,
            orders=orders,
            commands=commands,
            steps=len(self._steps) - start,
            end=end,
            messages=sum(self._sent[start:]),
            slots=max(len(s.log) for s in reps),
            noops=counts.get(NOOP_TEXT, 0),
            duplicates=sum(c - 1 for v, c in counts.items() if v != NOOP_TEXT and c > 1),
            retries=retries,
            verdicts=tuple(check_all(world, "always")),
            progress=check_all(world, "sometimes")[0],
            order_states={s.node: s.book.as_dict() for s in reps},
            applied={s.node: len(s.applied) for s in reps},
        )

    def __repr__(self) -> str:
        return (f"RaftSimulation({self.cluster}, seed={self.seed}, variant={self.variant!r}, "
                f"network={self.network!r}, steps={len(self._steps)})")


def run_raft(
    servers: int = 5,
    orders: int = 20,
    seed: int = 0,
    faults: Faults | None = None,
    variant: str = "classic",
    network: str = "lossy",
    **options: object,
) -> OrdersResult:
    """One seeded workload on a fresh Raft cluster (``RaftSimulation.run_workload`` options)."""
    sim = RaftSimulation(RaftCluster(servers=servers), seed=seed, variant=variant,
                         network=network)
    return sim.run_workload(orders, faults, **options)  # type: ignore[arg-type]


def replay_raft(trace: RaftTrace | Iterable[Action], cluster: RaftCluster | None = None,
                variant: str | None = None, network: str | None = None) -> RaftSimulation:
    """A RaftSimulation that has taken ``trace``'s steps one by one (raises SimulationError
    naming the first step that cannot happen)."""
    if isinstance(trace, RaftTrace):
        steps = trace.steps
        cluster = trace.cluster if cluster is None else cluster
        variant = trace.variant if variant is None else variant
        network = trace.network if network is None else network
        seed = 0 if trace.seed is None else trace.seed
    else:
        try:
            steps = tuple(trace)
        except TypeError:
            raise ConfigError(
                f"replay_raft needs a RaftTrace or a list of actions, got {trace!r}"
            ) from None
        seed = 0
    sim = RaftSimulation(cluster if cluster is not None else RaftCluster(), seed=seed,
                         variant=variant or "classic", network=network or "lossy")
    return take_steps(sim, steps)
