"""Benchmark: how fast the seeded simulator runs classic Paxos under faults.

Cluster: 3 proposers x 5 acceptors x 1 learner, classic Paxos, lossy network.  Faults per
step: drop 0.1, duplicate 0.05, crash 0.02, recover 0.1, partition 0.01, heal 0.1,
timeout 0.01.  A *run* gives every proposer a client value and lets ``Simulation.run`` go
until every learner has learned (or nothing can happen, or 2,000 steps); its ``RunResult``
carries the verdict of every safety property, and the benchmark counts any violation.

Prints three figures, all on one core in this process:

- random steps per second and complete runs per second: medians of a few repeats over the
  same batch of seeds;
- the wall-clock seconds for ``--runs`` runs (default 10,000, seeds 0..N-1), each checked
  for safety.  The goal is 10,000 runs in under a minute.

``--every-step`` also checks every safety property after every step (not just at the end of
a run), the strictest reading of "checked for safety".  ``--quick`` is a smoke test with
small numbers.  ``--json`` prints one JSON object.  This prints figures; it asserts nothing
about time.

    python bench/simulate.py            # the README's figures
    python bench/simulate.py --quick --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

import paxos_lib as px
from paxos_lib.properties import check_all

FAULTS = px.Faults(drop=0.1, duplicate=0.05, crash=0.02, recover=0.1, partition=0.01,
                   heal=0.1, timeout=0.01)
CLUSTER = px.Cluster(proposers=3, acceptors=5, learners=1)
VALUES = ("confirmed", "cancelled", "shipped")
MAX_STEPS = 2000


def one_run(seed: int, every_step: bool = False) -> tuple[int, str, bool]:
    """One complete fault-injected run: (scheduler steps, how it ended, safe?)."""
    sim = px.Simulation(CLUSTER, seed=seed)
    for pid, value in zip(CLUSTER.proposer_ids, VALUES, strict=True):
        sim.propose(pid, value)
    if not every_step:
        result = sim.run(max_steps=MAX_STEPS, faults=FAULTS)
        return result.steps, result.end, result.ok
    safe = True
    steps = 0
    end = "max-steps"
    while steps < MAX_STEPS:
        if all(v is not None for v in sim.learned().values()):
            end = "learned"
            break
        action = sim.next_random_action(FAULTS)
        if action is None:
            end = "quiescent"
            break
        sim.apply(action)
        steps += 1
        safe = safe and all(v.holds for v in check_all(sim.world, "always"))
    return steps, end, safe


def batch(seeds: range, every_step: bool = False) -> dict[str, object]:
    """Run every seed; time it; count steps, ends and violations."""
    steps = 0
    ends: dict[str, int] = {}
    unsafe: list[int] = []
    start = time.perf_counter()
    for seed in seeds:
        n, end, ok = one_run(seed, every_step)
        steps += n
        ends[end] = ends.get(end, 0) + 1
        if not ok:
            unsafe.append(seed)
    seconds = time.perf_counter() - start
    return {"runs": len(seeds), "seconds": seconds, "steps": steps, "ends": ends,
            "unsafe_seeds": unsafe}


def measure(runs: int, repeats: int, batch_runs: int, every_step: bool) -> dict[str, object]:
    rates = [batch(range(batch_runs), every_step) for _ in range(repeats)]
    steps_per_s = statistics.median(r["steps"] / r["seconds"] for r in rates)  # type: ignore[operator]
    runs_per_s = statistics.median(r["runs"] / r["seconds"] for r in rates)  # type: ignore[operator]
    full = batch(range(runs), every_step)
    return {
        "cluster": CLUSTER.to_dict(),
        "variant": "classic",
        "network": "lossy",
        "faults": {name: getattr(FAULTS, name) for name in
                   ("drop", "duplicate", "crash", "recover", "partition", "heal", "timeout")},
        "max_steps": MAX_STEPS,
        "safety_checked": "after every step" if every_step else "at the end of each run",
        "repeats": repeats,
        "batch_runs": batch_runs,
        "steps_per_second": round(steps_per_s),
        "runs_per_second": round(runs_per_s, 1),
        "runs": runs,
        "seeds": f"0..{runs - 1}",
        "seconds_for_runs": round(full["seconds"], 2),  # type: ignore[arg-type]
        "mean_steps_per_run": round(full["steps"] / max(1, runs), 1),  # type: ignore[operator]
        "ends": full["ends"],
        "safety_violations": len(full["unsafe_seeds"]),  # type: ignore[arg-type]
        "unsafe_seeds": full["unsafe_seeds"][:20],  # type: ignore[index]
        "goal": "10,000 runs in under 60 s",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def report(r: dict[str, object]) -> str:
    f = r["faults"]
    assert isinstance(f, dict)
    faults = ", ".join(f"{k} {v:g}" for k, v in f.items())
    ends = ", ".join(f"{k} {v}" for k, v in sorted(r["ends"].items()))  # type: ignore[attr-defined]
    runs = r["runs"]
    seconds = r["seconds_for_runs"]
    projected = float(seconds) * 10_000 / max(1, int(runs))  # type: ignore[arg-type]
    lines = [
        f"paxos_lib simulator: {CLUSTER}, classic, lossy network; one core, "
        f"Python {r['python']}",
        f"faults per step: {faults}",
        f"safety checked {r['safety_checked']}",
        "",
        f"random steps per second   {r['steps_per_second']:>10,}   "
        f"(median of {r['repeats']} repeats of {r['batch_runs']} runs)",
        f"complete runs per second  {r['runs_per_second']:>10,}   "
        f"(median of {r['repeats']} repeats of {r['batch_runs']} runs)",
        f"{runs:,} runs (seeds {r['seeds']}), each checked for safety: {seconds} s",
        f"  mean {r['mean_steps_per_run']} steps per run; ends: {ends}; "
        f"safety violations: {r['safety_violations']}",
    ]
    if runs != 10_000:
        lines.append(f"  (10,000 runs would take about {projected:.1f} s)")
    met = projected < 60
    lines.append(f"goal, 10,000 runs in under 60 s: {'met' if met else 'NOT met'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python bench/simulate.py",
        description="Time the seeded simulator on 3 proposers x 5 acceptors under faults.",
    )
    parser.add_argument("--runs", type=int, default=10_000, metavar="N",
                        help="runs to time end to end, seeds 0..N-1 (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=5, metavar="K",
                        help="repeats for the steps/s and runs/s medians (default: %(default)s)")
    parser.add_argument("--batch", type=int, default=500, metavar="N",
                        help="runs per repeat for the medians (default: %(default)s)")
    parser.add_argument("--every-step", action="store_true",
                        help="check every safety property after every step, not only at the "
                             "end of each run")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: 200 runs, 3 repeats of 50 (unless given)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.quick:
        given = set(argv if argv is not None else sys.argv[1:])
        if "--runs" not in given:
            args.runs = 200
        if "--repeats" not in given:
            args.repeats = 3
        if "--batch" not in given:
            args.batch = 50
    for name in ("runs", "repeats", "batch"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    result = measure(args.runs, args.repeats, args.batch, args.every_step)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(report(result))
    return 0 if result["safety_violations"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
