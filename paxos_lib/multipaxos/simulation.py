"""Running a replicated order log: a seeded simulation, a client workload, and its result.

Theory of operation
-------------------
``OrdersSimulation`` is the core ``Simulation`` over a ``ReplicaCluster``: the same engine,
the same actions, the same seeded scheduler (``next_random_action(faults)``) and so the same
faults, undo and stepping by hand (the stepper drives it like any simulation).  It adds the
observations of a replicated log (``log``, ``applied``, ``order_states``), counts every
message put on the network, and checks the Multi-Paxos properties.

``run_workload`` plays the clients.  Each order has its own client (``c1`` for order 1, …)
that submits the order's commands one at a time, waiting for each to be applied somewhere
before the next: create, confirm, pay, ship, deliver, or a cancel somewhere along the way,
and now and then a cancel after shipping that the order book must refuse.  A client hands its
command to a random replica that is up (or to the leader, with ``clients_know_leader``); if no
answer comes within ``patience`` steps it sends the *same* request again, maybe to another
replica, and with probability ``retry`` it retries early anyway, so one request is sometimes
chosen in two slots.  Every client action is a ``Propose`` step in the trace, drawn from the
simulation's own seeded random stream, so the same seed gives the same run.

A run has two phases.  While clients are busy the scheduler injects ``faults``.  When every
client is answered, or after ``fault_steps``, the network heals and every replica recovers
(explicit ``Heal``/``Recover`` steps), and the run continues without faults until nothing can
happen: every replica has caught up and every timer is off ("converged").

NOTE: a client's answer is not a message here: a client counts its request done once any
replica has applied it (the replica that applied it would answer).
NOTE: messages are counted as they are sent, on the lossy network; on the sent-set network a
message equal to one already sent is not counted again.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from paxos_lib.actions import Action, Deliver, Heal, Propose, Recover, Timeout
from paxos_lib.engine import World, check_network, initial_world
from paxos_lib.errors import ConfigError
from paxos_lib.multipaxos.cluster import ReplicaCluster, check_multipaxos_variant
from paxos_lib.multipaxos.messages import MESSAGE_TYPES
from paxos_lib.multipaxos.properties import (
    applied as _applied,
)
from paxos_lib.multipaxos.properties import (
    check_all,
    chosen_slots,
    replicas,
)
from paxos_lib.multipaxos.properties import (
    log as _log,
)
from paxos_lib.multipaxos.properties import (
    order_states as _order_states,
)
from paxos_lib.multipaxos.replica import NOOP_TEXT, Replica
from paxos_lib.multipaxos.snapshots import is_executed, log_base, new_snapshots
from paxos_lib.multipaxos.trace import ReplicaTrace
from paxos_lib.orders import Command, cancel, confirm, create, deliver, pay, ship
from paxos_lib.properties import Verdict
from paxos_lib.simulation import Faults, RunResult, Simulation, take_steps

__all__ = [
    "OrdersResult",
    "OrdersSimulation",
    "SoakCase",
    "plan_orders",
    "replay_orders",
    "run_orders",
    "soak_case",
]

MAX_ORDERS = 10_000


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name} must be an int from {low} to {high}, got {value!r}")
    return value


def _check_probability(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"{name} must be a probability from 0 to 1, got {value!r}")
    return float(value)


def _as_cluster(cluster: object) -> ReplicaCluster:
    if isinstance(cluster, ReplicaCluster):
        return cluster
    if isinstance(cluster, int) and not isinstance(cluster, bool):
        return ReplicaCluster(replicas=cluster)
    raise ConfigError(
        f"OrdersSimulation needs a ReplicaCluster such as ReplicaCluster(replicas=5), or a "
        f"number of replicas, got {cluster!r}"
    )


def plan_orders(
    orders: int, rng: random.Random, cancel_rate: float = 0.25, late_cancel_rate: float = 0.1,
    clients: int | None = None,
) -> tuple[tuple[Command, ...], ...]:
    """The commands of each client, in order.

    An order runs create → confirm → pay → ship → deliver; with probability ``cancel_rate``
    it is cancelled after create, confirm or pay instead, and with ``late_cancel_rate`` its
    client tries to cancel it after shipping (the order book refuses that one).

    ``clients=None``: client ``c<k>`` owns order ``k`` (one client per order).  ``clients=K``:
    ``K`` clients (the shop's front ends) share the orders, client ``c<j>`` taking orders
    ``j, j + K, j + 2K, ...`` one after another and numbering its requests 1, 2, 3, ... across
    them.  The orders' steps are drawn the same way in both cases.
    """
    _check_int("orders", orders, 1, MAX_ORDERS)
    if clients is not None:
        _check_int("clients", clients, 1, MAX_ORDERS)
    lives = []
    for _ in range(orders):
        steps = [create, confirm, pay, ship, deliver]
        if rng.random() < cancel_rate:
            steps = [*steps[: rng.randint(1, 3)], cancel]
        elif rng.random() < late_cancel_rate:
            steps = [create, confirm, pay, ship, cancel, deliver]
        lives.append(steps)
    if clients is None:
        return tuple(tuple(make(k, f"c{k}", i) for i, make in enumerate(steps, 1))
                     for k, steps in enumerate(lives, 1))
    plans = []
    for j in range(1, min(clients, orders) + 1):
        mine = [(k, make) for k in range(j, orders + 1, clients) for make in lives[k - 1]]
        plans.append(tuple(make(k, f"c{j}", i) for i, (k, make) in enumerate(mine, 1)))
    return tuple(plans)


@dataclass(frozen=True, slots=True)
class DrivenClients:
    """What ``drive_clients`` did: commands planned, retries sent, the step the workload
    started at, and how it ended ("converged" or "max-steps")."""

    commands: int
    retries: int
    start: int
    end: str


def drive_clients(
    sim: Simulation,
    orders: int,
    faults: Faults | None,
    scan: Callable[[set[str], list[str | None]], None],
    nodes: int,
    *,
    retry: float = 0.05,
    patience: int | None = None,
    rate: float = 0.5,
    clients_know_leader: bool = False,
    max_steps: int | None = None,
    fault_steps: int | None = None,
    clients: int | None = None,
) -> DrivenClients:
    """Play the clients of ``orders`` orders on ``sim`` (a Multi-Paxos or Raft simulation)
    under ``faults`` for the faulty phase, then heal, recover and let it settle.

    Each client submits its next command (``plan_orders``) to a random live node, or to the
    believed leader with ``clients_know_leader``, once its previous one is done, and retries
    at a random live node after ``patience`` steps without it (default: the larger of
    ``40 + 20 * nodes`` and ``5 * clients``).  ``scan(done, waiting)`` adds to
    ``done`` every command some node has applied (``waiting`` holds each client's outstanding
    command).  The options mean what ``OrdersSimulation.run_workload`` says."""
    _check_int("orders", orders, 1, MAX_ORDERS)
    if faults is not None and not isinstance(faults, Faults):
        raise ConfigError(f"faults must be a Faults(...), got {faults!r}")
    retry = _check_probability("retry", retry)
    rate = _check_probability("rate", rate)
    if not isinstance(clients_know_leader, bool):
        raise ConfigError(f"clients_know_leader must be True or False, got "
                          f"{clients_know_leader!r}")
    if patience is not None:
        _check_int("patience", patience, 1, 10**9)
    if max_steps is None:
        max_steps = 5_000 + 2_000 * orders
    _check_int("max_steps", max_steps, 1, 10**9)
    if fault_steps is None:
        fault_steps = max_steps * 3 // 4
    _check_int("fault_steps", fault_steps, 0, 10**9)
    rng = sim._rng
    plans = plan_orders(orders, rng, clients=clients)
    n_clients = len(plans)
    if patience is None:
        # Every step is one action.  A retry is a client's action, so with many clients
        # waiting, a fixed patience would make retries take nearly every step and starve the
        # network (100 clients at 100 steps: no command applied in 200,000 steps).  Patience
        # therefore grows with the clients too, keeping retries to at most one step in five.
        patience = max(40 + 20 * nodes, 5 * n_clients)
    commands = sum(len(p) for p in plans)
    ids = sim.cluster.node_ids
    nxt = [0] * n_clients                   # index of each client's next command
    waiting: list[str | None] = [None] * n_clients  # the command a client waits on
    retry_at = [0] * n_clients
    done: set[str] = set()                  # commands applied on some node
    retries = 0
    calm = False
    start = len(sim._steps)
    end = "max-steps"

    def client_action(t: int, force: bool = False) -> Action | None:
        nonlocal retries
        up = [r for r in ids if r not in sim.world.crashed]
        if not up:
            return None
        for k in range(n_clients):
            w = waiting[k]
            if w is not None and w in done:
                waiting[k] = w = None
            if w is not None and (force or retry_at[k] <= t):
                retry_at[k] = t + patience
                retries += 1
                return Propose(rng.choice(up), w)
        idle = [k for k in range(n_clients) if waiting[k] is None and nxt[k] < len(plans[k])]
        if idle and (force or rng.random() < rate):
            k = rng.choice(idle)
            text = str(plans[k][nxt[k]])
            nxt[k] += 1
            waiting[k] = text
            retry_at[k] = t + (rng.randint(1, 4) if rng.random() < retry else patience)
            leader = sim.believed_leader  # type: ignore[attr-defined]
            target = leader() if clients_know_leader else None
            return Propose(target if target in up else rng.choice(up), text)
        return None

    def clients_finished() -> bool:
        return all(nxt[k] == len(plans[k]) and (waiting[k] is None or waiting[k] in done)
                   for k in range(n_clients))

    while len(sim._steps) - start < max_steps:
        t = len(sim._steps) - start
        scan(done, waiting)
        finished = clients_finished()
        if not calm and (finished or t >= fault_steps):
            calm = True
            if sim.world.partition is not None:
                sim.apply(Heal())
                continue
            if sim.world.crashed:
                while sim.world.crashed and len(sim._steps) - start < max_steps:
                    sim.apply(Recover(sorted(sim.world.crashed)[0]))
                continue
        action = None if finished else client_action(t)
        if action is None:
            action = sim.next_random_action(None if calm else faults)
        if action is None:
            if finished:
                end = "converged"
                break
            action = client_action(t, force=True)  # nothing else can happen: act now
            if action is None:
                break
        sim.apply(action)
    scan(done, waiting)
    return DrivenClients(commands, retries, start, end)


@dataclass(frozen=True, slots=True)
class OrdersResult:
    """How a workload run ended: agreement, the order states per replica, and the costs."""

    seed: int
    variant: str
    replicas: int
    orders: int
    commands: int
    steps: int
    end: str  # "converged" (nothing more can happen) or "max-steps"
    messages: int
    slots: int
    noops: int
    duplicates: int
    retries: int
    verdicts: tuple[Verdict, ...]
    progress: Verdict
    order_states: dict[str, dict[int, str]] = field(default_factory=dict)
    applied: dict[str, int] = field(default_factory=dict)

    @property
    def agree(self) -> bool:
        """Every safety property holds (replicas agree)."""
        return all(v.holds for v in self.verdicts)

    @property
    def all_applied(self) -> bool:
        """Every submitted command is applied on every replica."""
        return self.progress.holds

    @property
    def messages_per_command(self) -> float:
        return self.messages / self.commands if self.commands else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "agree": self.agree,
            "all_applied": self.all_applied,
            "seed": self.seed,
            "variant": self.variant,
            "replicas": self.replicas,
            "orders": self.orders,
            "commands": self.commands,
            "steps": self.steps,
            "end": self.end,
            "slots": self.slots,
            "noops": self.noops,
            "duplicates": self.duplicates,
            "retries": self.retries,
            "messages": self.messages,
            "messages_per_command": round(self.messages_per_command, 3),
            "applied": dict(self.applied),
            "order_states": {
                r: {str(k): v for k, v in states.items()} for r, states in self.order_states.items()
            },
            "properties": [
                {"name": v.name, "kind": v.kind, "holds": v.holds, "explanation": v.explanation}
                for v in (*self.verdicts, self.progress)
            ],
        }


class OrdersSimulation(Simulation):
    """A replica cluster running Multi-Paxos on the engine, step by step (see module doc)."""

    MESSAGE_KINDS = MESSAGE_TYPES  # find/deliver/drop take Multi-Paxos kinds such as 'accept'

    def __init__(
        self,
        cluster: ReplicaCluster | int = 5,
        seed: int = 0,
        variant: str = "classic",
        network: str = "lossy",
    ) -> None:
        # Not Simulation.__init__: that one insists on a single-decree Cluster.
        self.cluster = _as_cluster(cluster)  # type: ignore[assignment]
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ConfigError(f"seed must be an int, got {seed!r}")
        self.seed = seed
        self.variant = check_multipaxos_variant(variant)
        self.network = check_network(network)
        self._rng = random.Random(seed)
        self._worlds: list[World] = [
            initial_world(self.cluster, self.variant, self.network)  # type: ignore[arg-type]
        ]
        self._steps: list[Action] = []
        self._requests: dict[str, str] = {}
        self._sent: list[int] = []
        self._snapshots: list[int] = []  # snapshots taken or installed at each step

    # -- reading -------------------------------------------------------------------------------

    @property
    def trace(self) -> ReplicaTrace:  # type: ignore[override]
        """The run so far as a replayable ``ReplicaTrace``."""
        return ReplicaTrace(self.cluster, self.variant, self.network,  # type: ignore[arg-type]
                            tuple(self._steps), self.seed)

    @property
    def messages(self) -> int:
        """How many messages the replicas have sent so far."""
        return sum(self._sent)

    def replicas(self) -> tuple[Replica, ...]:
        """Every replica's state, in id order."""
        return replicas(self.world)

    def log(self, replica: str) -> tuple[str | None, ...]:
        """The command ``replica`` knows chosen in each slot (None: a gap)."""
        return _log(self.world, replica)

    def applied(self, replica: str) -> tuple[str, ...]:
        """The commands ``replica`` has applied, in slot order."""
        return _applied(self.world, replica)

    def order_states(self, replica: str) -> dict[int, str]:
        """``{order id: status}`` on ``replica``."""
        return _order_states(self.world, replica)

    def leader(self) -> str | None:
        """The up replica leading the highest ballot, or None."""
        best: Replica | None = None
        for r in self.replicas():
            if r.is_leader and r.node not in self.world.crashed and r.ballot is not None and (
                best is None or (best.ballot is not None and r.ballot > best.ballot)
            ):
                best = r
        return None if best is None else best.node

    def believed_leader(self) -> str | None:
        """The replica most up replicas believe leads (ties: the lowest id), or None."""
        votes: dict[str, int] = {}
        for r in self.replicas():
            if r.node not in self.world.crashed and r.leader is not None:
                votes[r.leader] = votes.get(r.leader, 0) + 1
        if not votes:
            return None
        ids = self.cluster.node_ids
        return max(votes, key=lambda n: (votes[n], -ids.index(n)))

    def chosen(self) -> frozenset[str]:  # type: ignore[override]
        """Every command chosen in some slot (from the vote history)."""
        return frozenset(v for vs in chosen_slots(self.world).values() for v in vs)

    def chosen_slots(self) -> dict[int, frozenset[str]]:
        """``{slot: commands chosen there}`` from the vote history."""
        return chosen_slots(self.world)

    def learned(self) -> dict[str, str | None]:  # type: ignore[override]
        """``{replica: the last command it applied, or None}``."""
        return {r.node: (r.log[r.applied - 1] if r.applied else None) for r in self.replicas()}

    def check(self) -> list[Verdict]:
        """Every Multi-Paxos safety (``always``) property, checked in the current world."""
        return self.cluster.check_all(self.world, "always")  # type: ignore[attr-defined]

    # -- changing ------------------------------------------------------------------------------

    def apply(self, action: Action) -> World:
        """Apply one action (raises SimulationError, saying why, if it is not enabled)."""
        before = len(self.world.inflight)
        old_nodes = self.world.nodes
        world = super().apply(action)
        # (setdefault: a subclass with its own __init__, such as RaftSimulation, has none yet)
        self.__dict__.setdefault("_snapshots", []).append(new_snapshots(old_nodes, world.nodes))
        if isinstance(action, Deliver | Propose | Timeout | Recover):
            gone = 1 if isinstance(action, Deliver) and self.network == "lossy" else 0
            self._sent.append(len(world.inflight) - before + gone)
        else:
            self._sent.append(0)
        return world

    def undo(self, steps: int = 1) -> World:
        world = super().undo(steps)
        del self._sent[len(self._steps):]
        del self.__dict__.setdefault("_snapshots", [])[len(self._steps):]
        return world

    @property
    def snapshots(self) -> int:
        """How many snapshots the replicas have taken or installed so far."""
        return sum(self.__dict__.get("_snapshots", ()))

    def submit(self, replica: str, command: Command | str) -> World:
        """A client hands ``command`` (a ``Command`` or its text) to ``replica``."""
        self.cluster.check_node(replica)
        text = str(command) if isinstance(command, Command) else command
        if not isinstance(text, str):
            raise ConfigError(
                f"command must be an orders Command or its text such as 'pay #3 (c3/3)', "
                f"got {command!r}"
            )
        parsed = Command.parse(text)
        if parsed.is_noop:
            raise ConfigError("clients submit order commands; 'noop' is only for log gaps")
        return self.apply(Propose(replica, text))

    def settle(self, max_steps: int = 10_000) -> int:
        """Heal, recover every replica, and let the scheduler run without faults until
        nothing can happen.  Returns the number of steps taken."""
        _check_int("max_steps", max_steps, 0, 10**9)
        taken = 0
        if self.world.partition is not None:
            self.apply(Heal())
            taken += 1
        for node in sorted(self.world.crashed):
            self.apply(Recover(node))
            taken += 1
        while taken < max_steps:
            action = self.next_random_action(None)
            if action is None:
                break
            self.apply(action)
            taken += 1
        return taken

    def run(self, max_steps: int = 1000, faults: Faults | None = None) -> RunResult:
        """Let the seeded scheduler take up to ``max_steps`` steps (no clients; submit
        commands first).  Stops early when nothing can happen ("quiescent")."""
        _check_int("max_steps", max_steps, 0, 10**9)
        if faults is not None and not isinstance(faults, Faults):
            raise ConfigError(f"faults must be a Faults(...), got {faults!r}")
        taken = 0
        end = "max-steps"
        while taken < max_steps:
            action = self.next_random_action(faults)
            if action is None:
                end = "quiescent"
                break
            self.apply(action)
            taken += 1
        return RunResult(steps=taken, end=end, chosen=self.chosen(), learned=self.learned(),
                         verdicts=tuple(self.check()))

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
        """Play the clients of ``orders`` orders under ``faults``, then settle; return the result.

        ``rate``: chance per step that an idle client submits its next command.
        ``patience``: steps a client waits for an answer before retrying (default grows with
        the cluster and with the number of clients).  ``max_steps`` bounds the whole run,
        ``fault_steps`` the faulty phase.
        ``clients``: how many clients share the orders (default: one client per order; see
        ``plan_orders``).  Each client has one command outstanding at a time.
        """
        seen = [0] * len(self.cluster.node_ids)  # slots of each replica already scanned

        def scan(done: set[str], waiting: list[str | None]) -> None:
            for i, state in enumerate(self.world.nodes):
                a = state.applied  # type: ignore[union-attr]
                if a > seen[i]:
                    lo = max(seen[i], log_base(state.log))  # type: ignore[union-attr]
                    done.update(state.log[lo:a])  # type: ignore[union-attr,arg-type]
                    if seen[i] < lo:  # compacted before we looked: ask the book (dedup table)
                        done.update(w for w in waiting if w is not None
                                    and is_executed(state.book, w))  # type: ignore[union-attr]
                    seen[i] = a

        replica_count: int = self.cluster.replicas  # type: ignore[attr-defined]
        run = drive_clients(self, orders, faults, scan, replica_count,
                            retry=retry, patience=patience, rate=rate,
                            clients_know_leader=clients_know_leader, max_steps=max_steps,
                            fault_steps=fault_steps, clients=clients)
        n = replica_count
        commands, retries, start, end = run.commands, run.retries, run.start, run.end
        world = self.world
        reps = replicas(world)
        longest = max(reps, key=lambda r: len(r.log))
        chosen = chosen_slots(world)
        noops = sum(1 for vs in chosen.values() if NOOP_TEXT in vs)
        counts: dict[str, int] = {}
        for vs in chosen.values():
            for v in vs:
                counts[v] = counts.get(v, 0) + 1
        duplicates = sum(c - 1 for v, c in counts.items() if v != NOOP_TEXT and c > 1)
        return OrdersResult(
            seed=self.seed,
            variant=self.variant,
            replicas=n,
            orders=orders,
            commands=commands,
            steps=len(self._steps) - start,
            end=end,
            messages=sum(self._sent[start:]),
            slots=len(longest.log),
            noops=noops,
            duplicates=duplicates,
            retries=retries,
            verdicts=tuple(check_all(world, "always")),
            progress=check_all(world, "sometimes")[0],
            order_states={r.node: r.book.as_dict() for r in reps},
            applied={r.node: r.applied for r in reps},
        )

    def __repr__(self) -> str:
        return (f"OrdersSimulation({self.cluster}, seed={self.seed}, variant={self.variant!r}, "
                f"network={self.network!r}, steps={len(self._steps)})")


def run_orders(
    replicas: int = 5,
    orders: int = 20,
    seed: int = 0,
    faults: Faults | None = None,
    variant: str = "classic",
    network: str = "lossy",
    **options: object,
) -> OrdersResult:
    """One seeded workload on a fresh cluster (``OrdersSimulation.run_workload`` options)."""
    sim = OrdersSimulation(ReplicaCluster(replicas=replicas), seed=seed, variant=variant,
                           network=network)
    return sim.run_workload(orders, faults, **options)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class SoakCase:
    """One seeded workload of a soak run: cluster size, orders, faults, variant."""

    seed: int
    replicas: int
    orders: int
    faults: Faults
    variant: str
    snapshot_every: int = 0  # snapshots.py: compaction every K applied slots (0: never)

    def run(self) -> OrdersResult:
        if self.snapshot_every:
            cluster = ReplicaCluster(self.replicas, snapshot_every=self.snapshot_every)
            sim = OrdersSimulation(cluster, seed=self.seed, variant=self.variant)
            return sim.run_workload(self.orders, self.faults)
        return run_orders(self.replicas, self.orders, seed=self.seed, faults=self.faults,
                          variant=self.variant)


def soak_case(seed: int, max_orders: int = 4) -> SoakCase:
    """The workload a soak run uses for ``seed``: 3 or 5 replicas, 1 to ``max_orders``
    orders, a mix of drop, duplicate, crash, partition and early-timeout rates, the safe
    variants (``classic`` twice as often as ``phase1-per-slot``), and snapshots every 1, 2
    or 5 applied slots in three runs of five."""
    _check_int("max_orders", max_orders, 1, MAX_ORDERS)
    rng = random.Random(f"soak-{seed}")
    faults = Faults(
        drop=rng.choice((0.0, 0.05, 0.2)),
        duplicate=rng.choice((0.0, 0.05)),
        crash=rng.choice((0.0, 0.01, 0.05)),
        partition=rng.choice((0.0, 0.02)),
        timeout=rng.choice((0.0, 0.005, 0.02)),
    )
    return SoakCase(
        seed=seed,
        replicas=rng.choice((3, 5)),
        orders=rng.randint(1, max_orders),
        faults=faults,
        variant=rng.choice(("classic", "classic", "phase1-per-slot")),
        snapshot_every=rng.choice((0, 0, 1, 2, 5)),  # drawn last: the draws above are unchanged
    )


def replay_orders(trace: ReplicaTrace | Iterable[Action], cluster: ReplicaCluster | None = None,
                  variant: str | None = None, network: str | None = None) -> OrdersSimulation:
    """An OrdersSimulation that has taken ``trace``'s steps one by one (raises
    SimulationError naming the first step that cannot happen)."""
    if isinstance(trace, ReplicaTrace):
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
                f"replay_orders needs a ReplicaTrace or a list of actions, got {trace!r}"
            ) from None
        seed = 0
    cluster = cluster if cluster is not None else ReplicaCluster()
    make: type[OrdersSimulation] = OrdersSimulation
    if hasattr(cluster, "client_ids"):  # a cluster with clients: its own simulation
        from paxos_lib.multipaxos.clients import ClientSimulation  # lazy: it imports us

        make = ClientSimulation
    sim = make(cluster, seed=seed, variant=variant or "classic",  # type: ignore[arg-type]
               network=network or "lossy")
    return take_steps(sim, steps)
