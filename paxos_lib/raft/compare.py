"""Raft and Multi-Paxos side by side: the same seeded workloads, faults and scenarios.

Theory of operation
-------------------
Each measurement runs both protocols on the one engine with the same seed, the same number of
servers and the same client workload (``plan_orders`` draws the orders from the seed first),
and reads the results the same way:

- ``messages_per_command``: messages sent per client command over a whole workload
  (``run_workload``), with the given faults.
- ``leader_crash``: steps from the crash of a settled leader until a command submitted to a
  follower right after it is applied by some server (the follower waits on its timer, times
  out twice, elects itself or another, and the new leader replicates), plus how many leader
  changes and messages that took.
- ``partition``: one server (a follower whose client is stuck with it, or the leader) cut
  off alone for ``steps`` steps while clients talk to the majority side, then healed:
  commands applied during the partition, the epochs (ballot rounds or terms) the isolated
  server went up, whether the majority's leader was displaced after the heal, and the steps
  until everything settled again.

Every scenario is a list of engine actions drawn by the simulations' seeded schedulers, so
the same arguments give the same numbers on every machine.  NOTE: steps are scheduler steps
(one delivery, timeout or fault each), not time: a timeout fires only when nothing else can
happen (or by ``Faults.timeout``), so "steps to recover" counts the messages and timer
firings on the way, as the engine sees them.
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import mean

from paxos_lib.actions import Crash, Heal, Partition
from paxos_lib.errors import ConfigError
from paxos_lib.multipaxos.simulation import OrdersSimulation
from paxos_lib.orders import create, pay
from paxos_lib.raft.simulation import RaftSimulation
from paxos_lib.simulation import Faults

__all__ = ["ISOLATE", "PROTOCOLS", "compare", "leader_crash", "messages_per_command", "partition"]

PROTOCOLS = ("multi-paxos", "raft")
_QUIET = Faults(recover=0.0, heal=0.0)


def _check_protocol(protocol: object) -> str:
    if protocol not in PROTOCOLS:
        raise ConfigError(f"unknown protocol {protocol!r}; choose 'multi-paxos' or 'raft'")
    return protocol  # type: ignore[return-value]


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name} must be an int from {low} to {high}, got {value!r}")
    return value


def _sim(protocol: str, servers: int, seed: int) -> OrdersSimulation:
    _check_protocol(protocol)
    _check_int("servers", servers, 3, 9)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an int, got {seed!r}")
    if protocol == "raft":
        return RaftSimulation(servers, seed=seed)
    return OrdersSimulation(servers, seed=seed)


def _epoch(sim: OrdersSimulation, node: str) -> int:
    state = sim.world.node(node)
    if isinstance(sim, RaftSimulation):
        return state.term  # type: ignore[union-attr,no-any-return]
    p = state.promised  # type: ignore[union-attr]
    return 0 if p is None else int(p.round)


def _applied_anywhere(sim: OrdersSimulation, command: str) -> bool:
    return any(command in sim.applied(n) for n in sim.cluster.node_ids)


def _warm_up(sim: OrdersSimulation) -> str:
    """Submit one command to the first server and settle: a leader is in place."""
    first = sim.cluster.node_ids[0]
    sim.submit(first, create(1, "c1", 1))
    sim.settle()
    leader = sim.leader()
    if leader is None:  # pragma: no cover - a settled run always has a leader
        raise ConfigError("no leader after warming up")
    return leader


def messages_per_command(protocol: str, seed: int = 0, servers: int = 3, orders: int = 5,
                         faults: Faults | None = None) -> float:
    """Messages per client command over one seeded workload of ``orders`` orders."""
    sim = _sim(protocol, servers, seed)
    result = sim.run_workload(orders, faults)
    if not result.agree:  # pragma: no cover - both protocols are safe
        raise ConfigError(f"{protocol} run with seed {seed} broke a safety property")
    return result.messages_per_command


def leader_crash(protocol: str, seed: int = 0, servers: int = 3,
                 max_steps: int = 5_000) -> dict[str, int]:
    """Crash a settled leader, submit a command to a follower, count until it is applied:
    ``steps``, ``messages``, ``leader_changes`` (new epochs started) and ``new_leader``
    (1 if a different server leads at the end)."""
    _check_int("max_steps", max_steps, 1, 10**7)
    sim = _sim(protocol, servers, seed)
    old = _warm_up(sim)
    epochs = {n: _epoch(sim, n) for n in sim.cluster.node_ids}
    sim.apply(Crash(old))
    follower = next(n for n in sim.cluster.node_ids if n != old)
    command = str(pay(1, "c1", 2))
    sim.submit(follower, command)
    sent = sim.messages
    steps = 1
    while not _applied_anywhere(sim, command) and steps < max_steps:
        action = sim.next_random_action(_QUIET)
        if action is None:
            break
        sim.apply(action)
        steps += 1
    changes = sum(1 for n in sim.cluster.node_ids if _epoch(sim, n) > epochs[n] and
                  sim.world.node(n).is_leader)  # type: ignore[union-attr]
    now = sim.leader()
    return {"steps": steps, "messages": sim.messages - sent, "leader_changes": changes,
            "new_leader": int(now is not None and now != old),
            "applied": int(_applied_anywhere(sim, command))}


ISOLATE = ("leader", "follower")


def partition(protocol: str, seed: int = 0, servers: int = 3, steps: int = 200,
              commands: int = 3, isolate: str = "follower",
              max_steps: int = 5_000) -> dict[str, int]:
    """Cut one server off alone (the settled ``leader``, or a ``follower`` whose client is
    stuck with it) for ``steps`` steps while ``commands`` commands go to the majority side,
    then heal and settle.  Returns ``applied_during`` (commands the majority applied during
    the partition), ``isolated_epoch`` (how many epochs, ballot rounds or terms, the isolated
    server went up), ``leader_change_after_heal`` (1 if the majority's leader was displaced by
    a new epoch once the partition healed, even if it won that epoch back), ``settle_steps``
    and ``messages``."""
    _check_int("steps", steps, 1, 10**6)
    _check_int("commands", commands, 1, 50)
    _check_int("max_steps", max_steps, 1, 10**7)
    if isolate not in ISOLATE:
        raise ConfigError(f"isolate must be 'leader' or 'follower', got {isolate!r}")
    sim = _sim(protocol, servers, seed)
    leader = _warm_up(sim)
    old = leader if isolate == "leader" else next(
        n for n in reversed(sim.cluster.node_ids) if n != leader)
    start_epoch = _epoch(sim, old)
    rest = tuple(n for n in sim.cluster.node_ids if n != old)
    sim.apply(Partition(((old,), rest)))
    sent = sim.messages
    wanted = [str(pay(1, "c1", 2 + k)) for k in range(commands)]
    for k, command in enumerate(wanted):
        sim.submit(rest[k % len(rest)], command)
    if isolate == "follower":
        sim.submit(old, str(create(2, "c2", 1)))  # a client stuck on the minority side
    taken = 0
    while taken < steps:
        action = sim.next_random_action(_QUIET)
        if action is None:
            break
        sim.apply(action)
        taken += 1
    applied_during = sum(1 for c in wanted if any(c in sim.applied(n) for n in rest))
    ruling = sim.leader()
    before = -1 if ruling is None or ruling == old else _epoch(sim, ruling)
    isolated = _epoch(sim, old) - start_epoch
    sim.apply(Heal())
    settle = sim.settle(max_steps)
    after = sim.leader()
    disrupted = before >= 0 and (after is None or _epoch(sim, after) > before)
    return {"applied_during": applied_during, "isolated_epoch": isolated,
            "leader_change_after_heal": int(disrupted),
            "settle_steps": settle, "messages": sim.messages - sent}


def compare(seeds: Iterable[int] = range(5), servers: int = 3, orders: int = 5,
            faults: Faults | None = None) -> dict[str, dict[str, float]]:
    """For each protocol, the means over ``seeds`` of every measurement above."""
    seeds = tuple(seeds)
    if not seeds:
        raise ConfigError("seeds must name at least one seed")
    out: dict[str, dict[str, float]] = {}
    for protocol in PROTOCOLS:
        crash = [leader_crash(protocol, s, servers) for s in seeds]
        part = [partition(protocol, s, servers, isolate="follower") for s in seeds]
        out[protocol] = {
            "messages_per_command": round(mean(
                messages_per_command(protocol, s, servers, orders, faults) for s in seeds), 2),
            "recovery_steps": round(mean(c["steps"] for c in crash), 1),
            "recovery_messages": round(mean(c["messages"] for c in crash), 1),
            "applied_during_partition": round(mean(p["applied_during"] for p in part), 2),
            "isolated_epochs": round(mean(p["isolated_epoch"] for p in part), 1),
            "leader_change_after_heal": round(mean(p["leader_change_after_heal"] for p in part), 2),
            "settle_steps_after_heal": round(mean(p["settle_steps"] for p in part), 1),
        }
    return out
