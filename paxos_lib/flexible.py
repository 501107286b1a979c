"""Flexible Paxos's trade-off, measured on the single-decree engine.

Theory of operation
-------------------
For n acceptors and each phase-2 quorum size q2, with the smallest safe phase-1 quorum
q1 = n - q2 + 1, ``measure`` runs seeded simulations of the real engine and reports:

- ``phase2_messages``: messages delivered in phase 2 (Accept and Accepted) until the leader
  knows its value is chosen, a leader already holding its promises (Multi-Paxos's steady
  state, one command): the mean over seeds, deliveries in seeded random order;
- ``phase2_survives``: the most acceptors that may be crashed (or slow) after phase 1 while
  phase 2 still completes (n - q2);
- ``phase1_messages``: messages delivered in phase 1 (Prepare and Promise) until a new leader
  may start phase 2 (a leader change), the mean over seeds;
- ``phase1_survives``: the most acceptors that may be crashed while a new leader still
  completes phase 1 (n - q1).

NOTE: the engine's proposer sends its Accept to every acceptor (not only to a phase-2
quorum), so the messages counted are those delivered before the decision, the ones a leader
waits for; copies to learners are not counted.  ``bench/flexible.py`` prints the figures.

This module drives the simulator only; it imports no viz packages.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from paxos_lib.actions import Crash, Deliver
from paxos_lib.cluster import Cluster
from paxos_lib.errors import ConfigError
from paxos_lib.messages import Accept, Accepted, Prepare, Promise
from paxos_lib.simulation import Simulation

__all__ = ["measure", "run_phase1", "run_phase2"]


def _deliver_until(sim: Simulation, kinds: tuple[type, ...],
                   done: Callable[[Simulation], bool], rng: random.Random) -> int | None:
    """Deliver random in-flight messages of ``kinds`` until ``done(sim)``; the count, or None
    when nothing is left to deliver first."""
    count = 0
    while not done(sim):
        moves = [a for a in sim.enabled_actions()  # learners' copies are not the leader's
                 if isinstance(a, Deliver) and isinstance(a.message, kinds)
                 and not a.message.dst.startswith("l")]
        if not moves:
            return None
        sim.apply(rng.choice(moves))
        count += 1
    return count


def _phase(sim: Simulation, proposer: str) -> str:
    return sim.world.nodes[sim.cluster.index(proposer)].phase


def run_phase2(n: int, q1: int, q2: int, seed: int, crashed: int = 0) -> int | None:
    """Phase 1 done with every acceptor, ``crashed`` acceptors then crash: the messages
    delivered in phase 2 until p1 decides (None: it cannot)."""
    cluster = Cluster(proposers=1, acceptors=n, phase1_quorum=q1, phase2_quorum=q2)
    sim = Simulation(cluster, seed=seed, network="lossy")
    rng = random.Random(seed)
    sim.propose("p1", "confirmed")
    got = _deliver_until(sim, (Prepare, Promise), lambda s: _phase(s, "p1") == "accepting", rng)
    assert got is not None
    for a in cluster.acceptor_ids[n - crashed:]:
        sim.apply(Crash(a))
    return _deliver_until(sim, (Accept, Accepted), lambda s: _phase(s, "p1") == "decided", rng)


def run_phase1(n: int, q1: int, q2: int, seed: int, crashed: int = 0) -> int | None:
    """``crashed`` acceptors down, a new leader p1 runs phase 1: the messages delivered until
    it may start phase 2 (None: it cannot)."""
    cluster = Cluster(proposers=1, acceptors=n, phase1_quorum=q1, phase2_quorum=q2)
    sim = Simulation(cluster, seed=seed, network="lossy")
    rng = random.Random(seed)
    for a in cluster.acceptor_ids[n - crashed:]:
        sim.apply(Crash(a))
    sim.propose("p1", "confirmed")
    return _deliver_until(sim, (Prepare, Promise), lambda s: _phase(s, "p1") == "accepting", rng)


def survives(run: Callable[..., int | None], n: int, q1: int, q2: int) -> int:
    """The most crashed acceptors with which ``run`` still completes."""
    return max(k for k in range(n + 1) if run(n, q1, q2, 0, k) is not None)


def measure(n: int, seeds: int = 20) -> list[dict[str, float | int]]:
    """One row per phase-2 quorum size 1..n (see the module docstring)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 9:
        raise ConfigError(f"acceptors must be an int from 1 to 9, got {n!r}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= 1000:
        raise ConfigError(f"seeds must be an int from 1 to 1000, got {seeds!r}")
    rows: list[dict[str, float | int]] = []
    for q2 in range(1, n + 1):
        q1 = n - q2 + 1
        p2 = [c for s in range(seeds) if (c := run_phase2(n, q1, q2, s)) is not None]
        p1 = [c for s in range(seeds) if (c := run_phase1(n, q1, q2, s)) is not None]
        rows.append({
            "acceptors": n,
            "phase1_quorum": q1,
            "phase2_quorum": q2,
            "phase2_messages": sum(p2) / len(p2),
            "phase2_survives": survives(run_phase2, n, q1, q2),
            "phase1_messages": sum(p1) / len(p1),
            "phase1_survives": survives(run_phase1, n, q1, q2),
        })
    return rows
