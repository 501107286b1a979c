"""Benchmark: reads three ways (log, lease, any) in seeded client workloads, and the explorer.

Two tables, on one core in this process:

1. **Workloads.**  ``--seeds`` seeded client workloads per read mode
   (``paxos_lib.multipaxos.clients.run_clients``: 3 replicas, 3 orders, reads after writes,
   drop 0.1, duplicate 0.05, crash 0.02, partition 0.02, timeout 0.01; leases at drift 0.1
   with the safe margin): how many runs were not linearizable, slots and messages per read
   operation, and seconds in all.
2. **The explorer on the lesson's split** (``partition_scene``): states and seconds until
   the stale read is found (``any``, a lease with margin 0) or the depth bound is reached with
   none (``log``, a lease with its safe margin).
3. **The explorer from a quiet cluster** (``paxos_lib.multipaxos.lease_search``: order #1
   created and applied everywhere, ``r1`` holding its lease, then the split; lease 10,
   drift 0.6, no loss, at most two timeouts): states, seconds and peak resident memory
   until the 12-step stale read is found (margins 0 and 1) or the depth bound ``--quiet-depth``
   is reached with none (the safe margin, 8).  With ``--unsplit-seconds S`` (default 60;
   0 skips it) the same search from the quiet cluster *without* the split, under a time
   limit of S seconds: how far it gets.

``--json`` prints one JSON object.  This prints figures; it asserts nothing about time.

    python bench/reads.py
    python bench/reads.py --seeds 20 --json
    python bench/reads.py --seeds 1 --quiet-only --json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

from paxos_lib.explore import explore
from paxos_lib.multipaxos.clients import SCENE_READ, partition_scene, run_clients
from paxos_lib.multipaxos.lease_search import explore_lease, quiet_lease_scene
from paxos_lib.simulation import Faults

FAULTS = Faults(drop=0.1, duplicate=0.05, crash=0.02, partition=0.02, timeout=0.01)


def workloads(seeds: int) -> list[dict[str, object]]:
    rows = []
    for mode in ("log", "lease", "any"):
        clock = time.perf_counter()
        stale = reads = slots = messages = operations = 0
        for seed in range(seeds):
            r = run_clients(3, 3, seed=seed, faults=FAULTS, reads=mode, drift=0.1)
            stale += not r.linearizable
            reads += r.read_operations
            slots += r.read_slots
            messages += r.messages
            operations += r.operations
        rows.append({
            "reads": mode, "runs": seeds, "not_linearizable": stale,
            "read_slots_per_read": round(slots / max(reads, 1), 3),
            "messages_per_operation": round(messages / max(operations, 1), 2),
            "seconds": round(time.perf_counter() - clock, 2),
        })
    return rows


def searches(depth: int) -> list[dict[str, object]]:
    rows = []
    for mode, margin in (("any", None), ("lease", 0), ("lease", None), ("log", None)):
        sim = partition_scene(mode, margin=margin)
        clock = time.perf_counter()
        r = explore(sim.cluster, {"c2": SCENE_READ}, start=sim, max_ballot=3, max_copies=1,
                    properties=["linearizable"], max_depth=depth)
        rows.append({
            "reads": mode, "margin": sim.cluster.margin if mode == "lease" else None,
            "end": r.end, "states": r.states,
            "counterexample_steps": (None if r.counterexample is None
                                     else len(r.counterexample) - len(sim.trace)),
            "seconds": round(time.perf_counter() - clock, 2),
        })
    return rows


def quiet(depth: int, unsplit_seconds: float) -> list[dict[str, object]]:
    cases: list[tuple[int | None, bool, dict[str, object]]] = [
        (0, True, {}), (1, True, {}), (None, True, {"max_depth": depth})]
    if unsplit_seconds > 0:
        cases.append((0, False, {"time_limit": unsplit_seconds}))
    rows = []
    for margin, split, options in cases:
        sim = quiet_lease_scene(margin, split=split)
        clock = time.perf_counter()
        r = explore_lease(sim, **options)  # type: ignore[arg-type]
        rows.append({
            "margin": sim.cluster.margin, "split": split, "end": r.end, "states": r.states,
            "depth": r.depth,
            "counterexample_steps": (None if r.counterexample is None
                                     else len(r.counterexample) - len(sim.trace)),
            "seconds": round(time.perf_counter() - clock, 2),
            "peak_memory_mb": r.peak_memory_mb,
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=50, help="workloads per read mode")
    ap.add_argument("--depth", type=int, default=5, help="the explorer's depth bound")
    ap.add_argument("--quiet-depth", type=int, default=15,
                    help="the depth bound of the quiet-cluster search with a safe margin")
    ap.add_argument("--unsplit-seconds", type=float, default=60.0,
                    help="time limit of the search from the unsplit quiet cluster (0 skips)")
    ap.add_argument("--quiet-only", action="store_true",
                    help="only the quiet-cluster searches (table 3)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    if args.seeds < 1 or args.depth < 1 or args.quiet_depth < 2:
        ap.error("--seeds and --depth must be at least 1, --quiet-depth at least 2")
    if args.unsplit_seconds < 0:
        ap.error("--unsplit-seconds must be 0 or more")
    out: dict[str, list[dict[str, object]]] = {}
    if not args.quiet_only:
        out["workloads"] = workloads(args.seeds)
        out["explorer"] = searches(args.depth)
    out["quiet"] = quiet(args.quiet_depth, args.unsplit_seconds)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    for row in out.get("workloads", []):
        print(f"{row['reads']:5}  {row['runs']} runs, {row['not_linearizable']} not "
              f"linearizable; {row['read_slots_per_read']} slot(s) per read, "
              f"{row['messages_per_operation']} messages per operation; {row['seconds']} s")
    for row in out.get("explorer", []):
        margin = "" if row["margin"] is None else f" margin {row['margin']}"
        print(f"explore {row['reads']}{margin}: {row['end']}, {row['states']} states, "
              f"{row['counterexample_steps']} step(s); {row['seconds']} s")
    for row in out["quiet"]:
        start = "quiet + split" if row["split"] else "quiet, no split"
        print(f"explore lease margin {row['margin']} from {start}: {row['end']} at depth "
              f"{row['depth']}, {row['states']} states, {row['counterexample_steps']} "
              f"step(s); {row['seconds']} s, peak {row['peak_memory_mb']} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
