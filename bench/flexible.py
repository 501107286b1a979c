"""Flexible Paxos's trade-off, measured on the single-decree engine.

For n acceptors and each phase-2 quorum size q2, with the smallest safe phase-1 quorum
q1 = n - q2 + 1, this runs seeded simulations of the real engine (no mocks) and prints:

- ``phase2_messages``: messages delivered in phase 2 (Accept and Accepted) until the leader
  knows its value is chosen, a leader already holding its promises (Multi-Paxos's steady
  state, one command): the mean over seeds, deliveries in seeded random order;
- ``phase2_survives``: the most acceptors that may be crashed (or slow) after phase 1 while
  phase 2 still completes;
- ``phase1_messages``: messages delivered in phase 1 (Prepare and Promise) until a new leader
  may start phase 2, the mean over seeds (a leader change);
- ``phase1_survives``: the most acceptors that may be crashed while a new leader still
  completes phase 1.

Run ``python bench/flexible.py`` (``--acceptors 5 --seeds 20 --json``).  Smaller phase-2
quorums cost fewer messages per command and survive more slow acceptors in steady state; the
larger phase-1 quorum they need makes a leader change cost more replies and fail with fewer
crashes.  NOTE: the engine's proposer sends its Accept to every acceptor (not only to a
phase-2 quorum), so the messages counted are those delivered before the decision, the ones
a leader waits for.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paxos_lib as px
from paxos_lib.messages import Accept, Accepted, Prepare, Promise


def _deliver_until(sim: px.Simulation, kinds: tuple[type, ...], done: object,
                   rng: random.Random) -> int | None:
    """Deliver random in-flight messages of ``kinds`` until ``done(sim)``; the count, or None
    when nothing is left to deliver first."""
    count = 0
    while not done(sim):  # type: ignore[operator]
        moves = [a for a in sim.enabled_actions()  # learners' copies are not the leader's
                 if isinstance(a, px.Deliver) and isinstance(a.message, kinds)
                 and not a.message.dst.startswith("l")]
        if not moves:
            return None
        sim.apply(rng.choice(moves))
        count += 1
    return count


def _phase(sim: px.Simulation, proposer: str) -> str:
    return sim.world.nodes[sim.cluster.index(proposer)].phase


def run_phase2(n: int, q1: int, q2: int, seed: int, crashed: int = 0) -> int | None:
    """Phase 1 done with every acceptor, ``crashed`` acceptors then crash: the messages
    delivered in phase 2 until p1 decides (None: it cannot)."""
    cluster = px.Cluster(proposers=1, acceptors=n, phase1_quorum=q1, phase2_quorum=q2)
    sim = px.Simulation(cluster, seed=seed, network="lossy")
    rng = random.Random(seed)
    sim.propose("p1", "confirmed")
    got = _deliver_until(sim, (Prepare, Promise), lambda s: _phase(s, "p1") == "accepting", rng)
    assert got is not None
    for a in cluster.acceptor_ids[n - crashed:]:
        sim.apply(px.Crash(a))
    return _deliver_until(sim, (Accept, Accepted), lambda s: _phase(s, "p1") == "decided", rng)


def run_phase1(n: int, q1: int, q2: int, seed: int, crashed: int = 0) -> int | None:
    """``crashed`` acceptors down, a new leader p1 runs phase 1: the messages delivered until
    it may start phase 2 (None: it cannot)."""
    cluster = px.Cluster(proposers=1, acceptors=n, phase1_quorum=q1, phase2_quorum=q2)
    sim = px.Simulation(cluster, seed=seed, network="lossy")
    rng = random.Random(seed)
    for a in cluster.acceptor_ids[n - crashed:]:
        sim.apply(px.Crash(a))
    sim.propose("p1", "confirmed")
    return _deliver_until(sim, (Prepare, Promise), lambda s: _phase(s, "p1") == "accepting", rng)


def survives(run: object, n: int, q1: int, q2: int) -> int:
    """The most crashed acceptors with which ``run`` still completes."""
    return max(k for k in range(n + 1) if run(n, q1, q2, 0, k) is not None)  # type: ignore[operator]


def measure(n: int, seeds: int) -> list[dict[str, float | int]]:
    rows: list[dict[str, float | int]] = []
    for q2 in range(1, n + 1):
        q1 = n - q2 + 1
        p2 = [run_phase2(n, q1, q2, s) for s in range(seeds)]
        p1 = [run_phase1(n, q1, q2, s) for s in range(seeds)]
        rows.append({
            "acceptors": n,
            "phase1_quorum": q1,
            "phase2_quorum": q2,
            "phase2_messages": sum(p2) / seeds,  # type: ignore[arg-type]
            "phase2_survives": survives(run_phase2, n, q1, q2),
            "phase1_messages": sum(p1) / seeds,  # type: ignore[arg-type]
            "phase1_survives": survives(run_phase1, n, q1, q2),
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--acceptors", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not 1 <= args.acceptors <= 9 or args.seeds < 1:
        parser.error(f"--acceptors must be 1 to 9 and --seeds at least 1, got "
                     f"{args.acceptors} and {args.seeds}")
    rows = measure(args.acceptors, args.seeds)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'q1':>3} {'q2':>3} {'phase-2 msgs':>13} {'phase 2 survives':>17} "
          f"{'phase-1 msgs':>13} {'phase 1 survives':>17}")
    for r in rows:
        print(f"{r['phase1_quorum']:>3} {r['phase2_quorum']:>3} {r['phase2_messages']:>13.1f} "
              f"{r['phase2_survives']:>17} {r['phase1_messages']:>13.1f} "
              f"{r['phase1_survives']:>17}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
