"""Memory under a long soak: log entries and dedup entries held, with and without compaction.

One long seeded workload (``OrdersSimulation.run_workload``: ``--orders`` orders of about five
commands each, shared by ``--clients`` clients that each work through their orders one request
at a time, under drop, duplicate, crash and partition faults), run twice on the same seed:
without snapshots and with ``snapshot_every=K``.  Every ``--every`` steps it samples, over all
replicas, the log entries held (slots kept in memory; compacted slots are not) and the dedup
entries held (client entries in the exactly-once tables), against the commands submitted so
far.
Prints the samples, the peak of each figure, the snapshots taken and the largest snapshot's
size, and whether every property held.  Exit status 1 if a property failed or a command was
not applied everywhere.  This prints figures; it asserts nothing about time.

    python bench/snapshots.py                     # 500 orders (about 2,300 commands), 10 clients
    python bench/snapshots.py --quick --json
    python bench/snapshots.py --clients 0         # one client per order

The dedup table is part of the replicated order book and keeps one entry per client, its last
request (``orders.py``), so it is bounded by the clients, not the commands; a snapshot keeps
it whole.  With ``--clients 0`` every order has its own client and the table grows with the
orders (one entry per order).
NOTE: clients submit at a low ``--rate`` (0.05), as in the figures README quotes; lesson 07's
0.5 works too (clients' patience grows with their number, so retries never crowd out the
network's steps).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

from paxos_lib.actions import Action, Propose
from paxos_lib.engine import World
from paxos_lib.multipaxos import OrdersSimulation, ReplicaCluster
from paxos_lib.multipaxos.snapshots import SNAPSHOT_REQUEST, snapshot_stats
from paxos_lib.simulation import Faults

FAULTS = Faults(drop=0.05, duplicate=0.02, crash=0.005, partition=0.002)


class SampledSimulation(OrdersSimulation):
    """An ``OrdersSimulation`` that samples the memory figures every ``every`` steps."""

    def __init__(self, *args: object, every: int = 1000, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.every = every
        self.samples: list[dict[str, int]] = []
        self.submitted: set[str] = set()

    def apply(self, action: Action) -> World:
        world = super().apply(action)
        del self._worlds[:-1]  # no undo here: keep only the current world, not every one
        if isinstance(action, Propose) and action.value != SNAPSHOT_REQUEST:
            self.submitted.add(action.value)
        if len(self._steps) % self.every == 0:
            self.samples.append(self.sample())
        return world

    def sample(self) -> dict[str, int]:
        stats = snapshot_stats(self.world)
        return {
            "step": len(self._steps),
            "commands_submitted": len(self.submitted),
            "log_entries_held": stats["log_entries_held"],  # type: ignore[dict-item]
            "dedup_entries_held": stats["dedup_entries_held"],  # type: ignore[dict-item]
        }


def run(orders: int, replicas: int, snapshot_every: int, seed: int, every: int,
        rate: float, clients: int | None) -> dict[str, object]:
    sim = SampledSimulation(ReplicaCluster(replicas, snapshot_every=snapshot_every), seed=seed,
                            every=every)
    clock = time.perf_counter()
    result = sim.run_workload(orders, FAULTS, rate=rate, clients=clients)
    seconds = time.perf_counter() - clock
    final = sim.sample()
    samples = [*sim.samples, final]
    stats = snapshot_stats(sim.world)
    return {
        "snapshot_every": snapshot_every,
        "commands": result.commands,
        "steps": result.steps,
        "slots": result.slots,
        "agree": result.agree,
        "all_applied": result.all_applied,
        "snapshots": sim.snapshots,
        "snapshot_bytes": stats["snapshot_bytes"],
        "peak_log_entries_held": max(s["log_entries_held"] for s in samples),
        "final_log_entries_held": final["log_entries_held"],
        "peak_dedup_entries_held": max(s["dedup_entries_held"] for s in samples),
        "final_dedup_entries_held": final["dedup_entries_held"],
        "samples": samples,
        "seconds": round(seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=500, help="orders (about 4.5 commands each)")
    parser.add_argument("--clients", type=int, default=10,
                        help="clients sharing the orders (0: one client per order)")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--snapshot-every", type=int, default=50, metavar="K")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--every", type=int, default=2000, help="steps between samples")
    parser.add_argument("--rate", type=float, default=0.05,
                        help="chance per step that an idle client submits its next command")
    parser.add_argument("--quick", action="store_true", help="40 orders, K=10 (a smoke run)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.orders, args.snapshot_every, args.every = 40, 10, 500
    if args.orders < 1 or args.replicas < 3 or args.snapshot_every < 1 or args.every < 1:
        parser.error("--orders, --snapshot-every and --every must be >= 1, --replicas >= 3")
    if args.clients < 0:
        parser.error(f"--clients must be 0 (one per order) or more, got {args.clients}")
    clients = args.clients or None
    if not 0 < args.rate <= 1:
        parser.error(f"--rate must be a probability above 0, got {args.rate}")
    runs = [run(args.orders, args.replicas, k, args.seed, args.every, args.rate, clients)
            for k in (0, args.snapshot_every)]
    out = {
        "orders": args.orders,
        "clients": args.clients or args.orders,
        "replicas": args.replicas,
        "seed": args.seed,
        "rate": args.rate,
        "faults": {"drop": FAULTS.drop, "duplicate": FAULTS.duplicate, "crash": FAULTS.crash,
                   "partition": FAULTS.partition},
        "python": platform.python_version(),
        "runs": runs,
    }
    ok = all(r["agree"] and r["all_applied"] for r in runs)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0 if ok else 1
    print(f"Long soak: {args.orders} orders by {out['clients']} clients on {args.replicas} "
          f"replicas, seed {args.seed}, "
          f"faults {out['faults']}")
    for r in runs:
        k = r["snapshot_every"]
        print(f"\n{'no compaction' if not k else f'snapshot every {k} slots'}: "
              f"{r['commands']} commands, {r['slots']} slots, {r['steps']} steps, "
              f"{r['snapshots']} snapshots (largest {r['snapshot_bytes']} bytes), "
              f"agree {r['agree']}, all applied {r['all_applied']}, {r['seconds']} s")
        print(f"  {'step':>8} {'submitted':>10} {'log held':>9} {'dedup held':>11}")
        for s in r["samples"]:  # type: ignore[attr-defined]
            print(f"  {s['step']:>8} {s['commands_submitted']:>10} {s['log_entries_held']:>9} "
                  f"{s['dedup_entries_held']:>11}")
        print(f"  peak log entries held {r['peak_log_entries_held']}, peak dedup entries held "
              f"{r['peak_dedup_entries_held']} (all replicas together)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
