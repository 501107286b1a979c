"""Benchmark: Raft beside Multi-Paxos on the same seeded workloads, faults and partitions.

For each protocol, on ``--servers`` servers, the means over ``--seeds`` seeds of
(``paxos_lib.raft.compare`` runs the scenarios; everything is counted in engine steps and
messages, never in wall-clock time):

1. **messages per command** over a workload of ``--orders`` orders, without faults and with
   faults (drop 0.1, duplicate 0.05, crash 0.02, partition 0.01, timeout 0.01);
2. **recovery from a leader crash**: steps (and messages) from the crash of a settled leader
   until a command submitted to a follower is applied;
3. **the same partition**: a follower whose client is stuck with it cut off alone for 200
   steps: commands the majority applied meanwhile, how many epochs (ballot rounds, terms) the
   isolated server went up, whether the majority's leader was displaced after the heal, and
   the steps to settle.

``--quick`` is a smoke test with small numbers; ``--json`` prints one JSON object.  This prints
figures; it asserts nothing about time.

    python bench/raft_vs_multipaxos.py
    python bench/raft_vs_multipaxos.py --quick --json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

from paxos_lib.raft.compare import PROTOCOLS, compare
from paxos_lib.simulation import Faults

FAULTS = Faults(drop=0.1, duplicate=0.05, crash=0.02, recover=0.1, partition=0.01, heal=0.1,
                timeout=0.01)


def measure(seeds: int, servers: int, orders: int) -> dict[str, object]:
    calm = compare(range(seeds), servers, orders)
    rough = compare(range(seeds), servers, orders, FAULTS)
    out: dict[str, object] = {"seeds": seeds, "servers": servers, "orders": orders}
    for p in PROTOCOLS:
        row = dict(calm[p])
        row["messages_per_command_with_faults"] = rough[p]["messages_per_command"]
        out[p] = row
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument("--orders", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="small numbers, a smoke test")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    seeds, orders = (2, 2) if args.quick else (args.seeds, args.orders)
    if seeds < 1 or orders < 1 or not 3 <= args.servers <= 9:
        parser.error("--seeds and --orders must be >= 1, --servers from 3 to 9")
    figures = measure(seeds, args.servers, orders)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"Raft vs Multi-Paxos: {args.servers} servers, {orders} orders, {seeds} seeds")
    names = [k for k in figures["raft"]]  # type: ignore[union-attr]
    print(f"{'':34} {'multi-paxos':>12} {'raft':>12}")
    for k in names:
        mp = figures["multi-paxos"][k]  # type: ignore[index]
        rf = figures["raft"][k]  # type: ignore[index]
        print(f"{k:34} {mp:>12} {rf:>12}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
