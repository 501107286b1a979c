"""Soak: many seeded, fault-injected Multi-Paxos workloads, each checked for every property.

Each run is ``paxos_lib.multipaxos.soak_case(seed)``: 3 or 5 replicas, 1 to ``--max-orders``
orders, a mix of drop, duplicate, crash, partition and early-timeout rates, and the two safe
variants (classic Multi-Paxos and phase 1 for every slot).  A run ends when every client is
answered and, after the network heals and every replica recovers, nothing more can happen.
Each run counts as

- a *violation* if a safety property (slot agreement, replicas agree, applied prefixes, same
  order states at the same index, validity) fails;
- *stuck* if it hit its step limit or some submitted command is not applied on every replica.

Prints the counts, the seeds of the first failures (replay one with ``soak_case(seed).run()``),
throughput and the wall-clock time.  ``--processes`` spreads seeds over worker processes
(default: every CPU).  Exit status 1 if any run is a violation or stuck.  This prints
figures; it asserts nothing about time.

    python bench/soak.py                    # 100,000 runs
    python bench/soak.py --runs 2000 --processes 1 --json
    python bench/soak.py --membership --runs 2000   # reconfig_soak_case: members change

With ``--membership`` each run is ``reconfig_soak_case(seed)`` instead: 3 or 5 members and a
spare, the spare added and then an original member removed through the log, alpha 1 to 3.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

from paxos_lib.multipaxos import reconfig_soak_case, soak_case

CHUNK = 250


def run_chunk(args: tuple[int, int, int] | tuple[int, int, int, bool]) -> dict[str, object]:
    """Run seeds ``start .. stop - 1``; return counts and the failing seeds."""
    start, stop, max_orders = args[:3]
    membership = len(args) > 3 and bool(args[3])  # type: ignore[misc]
    make = reconfig_soak_case if membership else soak_case
    steps = commands = messages = 0
    violations: list[int] = []
    stuck: list[int] = []
    for seed in range(start, stop):
        result = make(seed, max_orders).run()
        steps += result.steps
        commands += result.commands
        messages += result.messages
        if not result.agree:
            violations.append(seed)
        if result.end != "converged" or not result.all_applied:
            stuck.append(seed)
    return {"runs": stop - start, "steps": steps, "commands": commands, "messages": messages,
            "violations": violations, "stuck": stuck}


def soak(runs: int, start: int, max_orders: int, processes: int,
         membership: bool = False) -> dict[str, object]:
    chunks = [(s, min(s + CHUNK, start + runs), max_orders, membership)
              for s in range(start, start + runs, CHUNK)]
    began = time.perf_counter()
    if processes == 1:
        parts = [run_chunk(c) for c in chunks]
    else:
        with ProcessPoolExecutor(max_workers=processes) as pool:
            parts = list(pool.map(run_chunk, chunks))
    seconds = time.perf_counter() - began
    total: dict[str, object] = {"runs": 0, "steps": 0, "commands": 0, "messages": 0}
    violations: list[int] = []
    stuck: list[int] = []
    for p in parts:
        for key in ("runs", "steps", "commands", "messages"):
            total[key] += p[key]  # type: ignore[operator]
        violations += p["violations"]  # type: ignore[arg-type]
        stuck += p["stuck"]  # type: ignore[arg-type]
    return {
        "runs": total["runs"],
        "seeds": f"{start}..{start + runs - 1}",
        "max_orders": max_orders,
        "membership": membership,
        "violations": len(violations),
        "violation_seeds": violations[:20],
        "stuck": len(stuck),
        "stuck_seeds": stuck[:20],
        "commands": total["commands"],
        "steps": total["steps"],
        "messages": total["messages"],
        "seconds": round(seconds, 2),
        "runs_per_second": round(runs / seconds, 1),
        "processes": processes,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def report(r: dict[str, object]) -> str:
    return "\n".join([
        f"Multi-Paxos soak: {r['runs']:,} seeded workloads (seeds {r['seeds']}), up to "
        f"{r['max_orders']} orders each, 3 or 5 replicas, faults mixed per seed"
        + (", a spare added and a member removed (alpha 1 to 3)" if r.get("membership") else ""),
        f"  {r['commands']:,} client commands, {r['steps']:,} steps, {r['messages']:,} messages",
        f"  safety violations: {r['violations']}"
        + (f" (seeds {r['violation_seeds']})" if r["violations"] else ""),
        f"  stuck (step limit, or a command not applied everywhere): {r['stuck']}"
        + (f" (seeds {r['stuck_seeds']})" if r["stuck"] else ""),
        f"  {r['seconds']} s on {r['processes']} process(es) ({r['runs_per_second']} runs/s; "
        f"Python {r['python']}, {r['cpus']} CPU(s))",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python bench/soak.py",
        description="Run many seeded fault-injected Multi-Paxos workloads; count violations.",
    )
    parser.add_argument("--runs", type=int, default=100_000, metavar="N",
                        help="number of workloads (default: %(default)s)")
    parser.add_argument("--start", type=int, default=0, metavar="S",
                        help="first seed (default: %(default)s)")
    parser.add_argument("--max-orders", type=int, default=4, metavar="N",
                        help="orders per workload are drawn from 1..N (default: %(default)s)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, metavar="P",
                        help="worker processes (default: every CPU, %(default)s)")
    parser.add_argument("--membership", action="store_true",
                        help="membership changes in every run: reconfig_soak_case(seed), a "
                             "spare replica added and an original member removed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    for name in ("runs", "max_orders", "processes"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, "
                         f"got {getattr(args, name)}")
    if args.start < 0:
        parser.error(f"--start must be at least 0, got {args.start}")
    result = soak(args.runs, args.start, args.max_orders, args.processes, args.membership)
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0 if result["violations"] == 0 and result["stuck"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
