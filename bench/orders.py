"""Benchmark: the replicated order log's throughput in simulation and its messages per command.

Two figures, on one core in this process:

1. **Commands decided per second** (wall clock, simulation): 5 replicas run workloads of
   ``--orders`` orders (about five commands each) with ``OrdersSimulation.run_workload``,
   without faults and with faults (drop 0.1, duplicate 0.05, crash 0.02, partition 0.01,
   timeout 0.01).  A command counts once it is chosen; the run goes on until every replica
   has applied everything.  Median over ``--repeats`` batches of ``--seeds`` seeds.
2. **Messages per command with a stable leader**, against the minimum.  Clients send to the
   leader and never retry; no faults.  The minimum for Multi-Paxos with ``n`` replicas is one
   accept round, leader to the other ``n - 1`` replicas, plus their replies: ``2(n - 1)``
   (the leader's own acceptor votes locally).  For comparison, ``phase1-per-slot`` runs phase
   1 again before every command: its minimum is ``4(n - 1)``.  The measured figure also pays
   for forwarding a client's first request, the final commit heartbeat and its replies.

``--quick`` is a smoke test with small numbers; ``--json`` prints one JSON object.  This
prints figures; it asserts nothing about time.

    python bench/orders.py
    python bench/orders.py --quick --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

from paxos_lib.actions import Deliver
from paxos_lib.multipaxos import OrdersSimulation
from paxos_lib.simulation import Faults

FAULTS = Faults(drop=0.1, duplicate=0.05, crash=0.02, recover=0.1, partition=0.01, heal=0.1,
                timeout=0.01)
NO_FAULTS = Faults()
STABLE = {"clients_know_leader": True, "patience": 10**9}


def throughput(faults: Faults, orders: int, seeds: int, repeats: int) -> dict[str, object]:
    """Commands decided per wall-clock second over ``seeds`` runs, median of ``repeats``."""
    rates, slots_rates, agree = [], [], True
    commands = messages = steps = 0
    for _ in range(repeats):
        commands = slots = messages = steps = 0
        began = time.perf_counter()
        for seed in range(seeds):
            result = OrdersSimulation(5, seed=seed).run_workload(orders, faults)
            agree = agree and result.agree and result.all_applied
            commands += result.commands
            slots += result.slots
            messages += result.messages
            steps += result.steps
        seconds = time.perf_counter() - began
        rates.append(commands / seconds)
        slots_rates.append(slots / seconds)
    return {
        "commands_per_second": round(statistics.median(rates)),
        "slots_per_second": round(statistics.median(slots_rates)),
        "commands": commands,
        "messages_per_command": round(messages / commands, 2),
        "steps_per_command": round(steps / commands, 1),
        "all_agree_and_applied": agree,
    }


def messages_per_command(replicas: int, variant: str, orders: int,
                         seeds: int) -> dict[str, object]:
    """Mean messages per client command with a stable leader, and the kinds sent."""
    messages = commands = 0
    kinds: Counter[str] = Counter()
    for seed in range(seeds):
        sim = OrdersSimulation(replicas, seed=seed, variant=variant)
        result = sim.run_workload(orders, NO_FAULTS, retry=0.0, **STABLE)  # type: ignore[arg-type]
        assert result.agree and result.all_applied, result
        messages += result.messages
        commands += result.commands
        kinds.update(a.message.KIND for a in sim.steps if isinstance(a, Deliver))
    per_phase = 2 * (replicas - 1)
    minimum = per_phase if variant == "classic" else 2 * per_phase
    return {
        "replicas": replicas,
        "variant": variant,
        "commands": commands,
        "messages_per_command": round(messages / commands, 2),
        "minimum": minimum,
        "by_kind_per_command": {k: round(v / commands, 2) for k, v in sorted(kinds.items())},
    }


def measure(orders: int, seeds: int, repeats: int) -> dict[str, object]:
    return {
        "throughput": {
            "replicas": 5,
            "orders_per_run": orders,
            "runs_per_batch": seeds,
            "repeats": repeats,
            "no_faults": throughput(NO_FAULTS, orders, seeds, repeats),
            "faults": {
                "rates": {name: getattr(FAULTS, name) for name in
                          ("drop", "duplicate", "crash", "recover", "partition", "heal",
                           "timeout")},
                **throughput(FAULTS, orders, seeds, repeats),
            },
        },
        "stable_leader": [
            messages_per_command(n, variant, orders, seeds)
            for variant in ("classic", "phase1-per-slot")
            for n in (3, 5, 7)
        ],
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def report(r: dict[str, object]) -> str:
    t = r["throughput"]
    assert isinstance(t, dict)
    nf, wf = t["no_faults"], t["faults"]
    rates = ", ".join(f"{k} {v:g}" for k, v in wf["rates"].items())
    lines = [
        f"paxos_lib Multi-Paxos, {t['replicas']} replicas; one core, Python {r['python']}",
        "",
        f"Commands decided per second (simulation; median of {t['repeats']} batches of "
        f"{t['runs_per_batch']} runs x {t['orders_per_run']} orders)",
        f"  without faults   {nf['commands_per_second']:>7,} /s   "
        f"({nf['messages_per_command']} messages, {nf['steps_per_command']} steps per command)",
        f"  with faults      {wf['commands_per_second']:>7,} /s   "
        f"({wf['messages_per_command']} messages, {wf['steps_per_command']} steps per command)",
        f"  faults per step: {rates}",
        f"  every run agreed and applied everything: "
        f"{nf['all_agree_and_applied'] and wf['all_agree_and_applied']}",
        "",
        "Messages per command, stable leader, no faults (minimum: one accept round to the other",
        "n-1 replicas plus replies, 2(n-1); phase 1 for every slot doubles it, 4(n-1))",
        f"  {'variant':<16} {'n':>2} {'measured':>9} {'minimum':>8}  by kind",
    ]
    for row in r["stable_leader"]:  # type: ignore[attr-defined]
        kinds = ", ".join(f"{k} {v:g}" for k, v in row["by_kind_per_command"].items())
        lines.append(f"  {row['variant']:<16} {row['replicas']:>2} "
                     f"{row['messages_per_command']:>9} {row['minimum']:>8}  {kinds}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python bench/orders.py",
        description="Multi-Paxos order log: commands per second, messages per command.",
    )
    parser.add_argument("--orders", type=int, default=20, metavar="N",
                        help="orders per run (about 5 commands each; default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=10, metavar="N",
                        help="runs per batch, seeds 0..N-1 (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, metavar="K",
                        help="batches for the throughput medians (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: 4 orders, 2 seeds, 1 repeat (unless given)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.quick:
        given = set(argv if argv is not None else sys.argv[1:])
        for name, value in (("orders", 4), ("seeds", 2), ("repeats", 1)):
            if f"--{name}" not in given:
                setattr(args, name, value)
    for name in ("orders", "seeds", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    result = measure(args.orders, args.seeds, args.repeats)
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
