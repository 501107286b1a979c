"""Benchmark: how often random simulation catches each broken variant, beside the explorer.

For every broken variant, ``--runs`` seeded fault-injected runs (seeds 0..N-1; default
2,000) of 2 proposers x 3 acceptors x 1 learner on the lossy network, the two proposers'
clients asking for "confirmed" and "cancelled".  Faults per step: drop 0.1, duplicate 0.05,
crash 0.02, recover 0.1, partition 0.02, heal 0.1, timeout 0.05.  A run goes until every
learner has learned, nothing can happen, or 400 steps.  Two rates per variant:

- *consensus*: runs whose end breaks agreement, validity or learners (what
  ``Simulation.run`` reports: the consensus properties only ever accumulate a violation);
- *invariants*: runs in which some invariant or consensus property fails after some step
  (all of ``paxos_lib.properties.ALL_PROPERTIES``, checked after every step).

Beside them, the explorer's search from ``paxos_lib.zoo`` that catches the variant: the
model, how the search ended, the property broken first, the length of the shortest
counterexample, the states and seconds.  Prints figures; asserts nothing.

    python bench/detection.py               # the README's figures
    python bench/detection.py --runs 200 --json
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

import paxos_lib as px
from paxos_lib.properties import check_all
from paxos_lib.zoo import SEARCHES, catch

FAULTS = px.Faults(drop=0.1, duplicate=0.05, crash=0.02, recover=0.1, partition=0.02,
                   heal=0.1, timeout=0.05)
CLUSTER = px.Cluster(proposers=2, acceptors=3, learners=1)
VALUES = ("confirmed", "cancelled")
MAX_STEPS = 400


def one_run(variant: str, seed: int) -> tuple[bool, bool]:
    """(consensus broken at the end, some property broken after some step)."""
    sim = px.Simulation(CLUSTER, seed=seed, variant=variant)
    for pid, value in zip(CLUSTER.proposer_ids, VALUES, strict=True):
        sim.propose(pid, value)
    any_step = False
    for _ in range(MAX_STEPS):
        if all(v is not None for v in sim.learned().values()):
            break
        action = sim.next_random_action(FAULTS)
        if action is None:
            break
        sim.apply(action)
        if not any_step and not all(v.holds for v in check_all(sim.world, invariants=True)):
            any_step = True
    consensus = not all(v.holds for v in check_all(sim.world))
    return consensus, any_step or consensus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000, help="runs per variant")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 100_000:
        parser.error(f"--runs must be from 1 to 100000, got {args.runs}")
    rows = []
    for variant, search in SEARCHES.items():
        t0 = time.perf_counter()
        consensus = invariants = 0
        for seed in range(args.runs):
            c, i = one_run(variant, seed)
            consensus += c
            invariants += i
        sim_seconds = time.perf_counter() - t0
        result = catch(variant)
        rows.append({
            "variant": variant,
            "runs": args.runs,
            "consensus_violations": consensus,
            "invariant_violations": invariants,
            "simulation_seconds": round(sim_seconds, 2),
            "search_model": search.describe(),
            "search_end": result.end,
            "search_breaks": result.violation,
            "search_steps": None if result.counterexample is None else len(result.counterexample),
            "search_states": result.states,
            "search_seconds": round(result.seconds, 2),
        })
        if not args.json:
            r = rows[-1]
            print(f"{variant:22} random: {consensus:5} / {args.runs} consensus, "
                  f"{invariants:5} / {args.runs} any property  |  search "
                  f"({r['search_model']}): {r['search_end']}, {r['search_breaks']} in "
                  f"{r['search_steps']} steps, {r['search_states']:,} states, "
                  f"{r['search_seconds']} s", flush=True)
    if args.json:
        print(json.dumps({
            "cluster": CLUSTER.to_dict(),
            "faults": {k: getattr(FAULTS, k) for k in ("drop", "duplicate", "crash", "recover",
                                                        "partition", "heal", "timeout")},
            "max_steps": MAX_STEPS,
            "python": platform.python_version(),
            "variants": rows,
        }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
