"""Snapshot scenes: a replica away for a long time catches up, and what it costs.

Theory of operation
-------------------
``week_away`` builds the lesson 08 scene on the real engine: three replicas, the warehouse
replica ``r3`` crashed, while clients submit order commands (order 42's life first, then
other orders) to ``r1``, and a seeded scheduler delivers messages (none to ``r3``) and fires
timers until ``r1`` and ``r2`` have applied each one.  The messages sent to ``r3`` meanwhile
are lost (``Drop`` steps: a week of messages does not wait in a network); then ``r3``
recovers.  ``settle`` (on the returned simulation) lets it catch up.  ``transfer`` counts
what was delivered to one replica since a step: snapshots installed, log entries sent in
catch-up replies, accepts.  With compaction ``r3`` gets one
snapshot and a short tail; without, it gets every slot.

This module imports the Multi-Paxos simulation; never networkx, matplotlib or ipywidgets.
"""

from __future__ import annotations

import random

from paxos_lib.actions import Crash, Deliver, Drop, Recover, Timeout
from paxos_lib.errors import ConfigError
from paxos_lib.multipaxos.cluster import ReplicaCluster
from paxos_lib.multipaxos.messages import CatchUpReply, LogAccept
from paxos_lib.multipaxos.simulation import OrdersSimulation
from paxos_lib.multipaxos.snapshots import InstallSnapshot, check_snapshot_every, has_applied
from paxos_lib.orders import Command, cancel, confirm, create, deliver, pay, ship

__all__ = ["lagging", "order_commands", "transfer", "week_away"]

MAX_SCENE_COMMANDS = 500


def order_commands(count: int) -> tuple[Command, ...]:
    """``count`` order commands: order 42's life (create, confirm, pay, ship, deliver), then
    orders 43, 44, … the same way (every third one cancelled after confirm)."""
    if isinstance(count, bool) or not isinstance(count, int) or not (
        1 <= count <= MAX_SCENE_COMMANDS
    ):
        raise ConfigError(f"count must be an int from 1 to {MAX_SCENE_COMMANDS}, got {count!r}")
    out: list[Command] = []
    order = 42
    while len(out) < count:
        client = f"c{order}"
        steps = [create, confirm, pay, ship, deliver]
        if (order - 42) % 3 == 2:
            steps = [create, confirm, cancel]
        out.extend(make(order, client, i) for i, make in enumerate(steps, 1))
        order += 1
    return tuple(out[:count])


def week_away(commands: int = 20, snapshot_every: int = 4, seed: int = 0,
              max_steps: int = 200) -> OrdersSimulation:
    """Three replicas; ``r3`` down while ``commands`` commands are chosen and applied on
    ``r1`` and ``r2``; then ``r3`` recovers (not yet caught up).  ``max_steps``: scheduler
    steps allowed per command."""
    check_snapshot_every(snapshot_every)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an int, got {seed!r}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise ConfigError(f"max_steps must be an int >= 1, got {max_steps!r}")
    sim = OrdersSimulation(ReplicaCluster(3, snapshot_every=snapshot_every), seed=seed)
    sim.apply(Crash("r3"))
    rng = random.Random(seed)
    for command in order_commands(commands):
        sim.submit("r1", command)
        text = str(command)
        for _ in range(max_steps):
            if all(_applied_on(sim, r, text) for r in ("r1", "r2")):
                break
            enabled = sim.enabled_actions()
            moves = [a for a in enabled if isinstance(a, Deliver) and a.message.dst != "r3"]
            moves = moves or [a for a in enabled if isinstance(a, Timeout)]
            if not moves:
                break
            sim.apply(rng.choice(moves))
        else:
            raise ConfigError(f"{text!r} was not applied on r1 and r2 within {max_steps} steps")
    for m in [m for m in sim.world.inflight if m.dst == "r3"]:
        sim.apply(Drop(m))  # a week of messages does not wait in the network
    sim.apply(Recover("r3"))
    return sim


def lagging(variant: str = "classic", network: str = "sent-set") -> OrdersSimulation:
    """Scripted: ``r3`` down; order 42's create, confirm and pay chosen by ``r1`` and ``r2``,
    which snapshot every 2 slots (both at slot 2); ``r3`` back, not caught up.  On the
    sent-set network (the explorer's), any message sent can be delivered again later."""
    sim = OrdersSimulation(ReplicaCluster(3, snapshot_every=2), seed=0, variant=variant,
                           network=network)
    sim.apply(Crash("r3"))
    for i, command in enumerate(order_commands(3)):
        sim.submit("r1", command)
        if i == 0:
            _deliver(sim, "prepare", "r1", "r2")
            _deliver(sim, "promise", "r2", "r1")
        _deliver(sim, "accept", "r1", "r2", i)
        _deliver(sim, "accepted", "r2", "r1", i)
    sim.apply(Recover("r3"))
    return sim


def _deliver(sim: OrdersSimulation, kind: str, src: str, dst: str, slot: int | None = None
             ) -> None:
    for m in sim.world.inflight:
        if (m.KIND, m.src, m.dst) == (kind, src, dst) and slot in (None, getattr(m, "slot", 0)):
            sim.apply(Deliver(m))
            return
    raise ConfigError(f"no {kind} from {src} to {dst} in flight")


def _applied_on(sim: OrdersSimulation, node: str, command: str) -> bool:
    r = next(r for r in sim.replicas() if r.node == node)
    return has_applied(r, command)


def transfer(sim: OrdersSimulation, node: str, since: int = 0) -> dict[str, int]:
    """What was delivered to ``node`` from step ``since`` on: ``snapshots`` (InstallSnapshot
    messages), ``entries`` (log entries in catch-up replies) and ``accepts``."""
    sim.cluster.check_node(node)
    out = {"snapshots": 0, "entries": 0, "accepts": 0}
    for action in sim.trace.steps[since:]:
        if not isinstance(action, Deliver) or action.message.dst != node:
            continue
        m = action.message
        if isinstance(m, InstallSnapshot):
            out["snapshots"] += 1
        elif isinstance(m, CatchUpReply):
            out["entries"] += len(m.entries)
        elif isinstance(m, LogAccept):
            out["accepts"] += 1
    return out
