"""How long one stepper step takes: apply an action and redraw graph, chart and table.

A step is what a learner waits for after a click: ``Stepper.do(action)`` -- the engine applies
the action, the history grows, the message-flow graph and the sequence chart are updated in
place and encoded as PNG for their image widgets, the state table and status bar are rebuilt,
and every control is enabled or disabled.  Widgets run headless (no browser), so this is the
kernel's share of a click; the browser adds about 0.1-0.2 s to show the images.

Setup: 2 proposers x 5 acceptors (and 1 learner); both proposers get a value, then the seeded
scheduler takes steps until 40 steps have been taken.  Each measurement delivers one randomly
chosen deliverable message from there (timed), then undoes it (not timed), so every sample is
step 41 of a 40-step run.  Prints the median and 95th percentile of the wall time, and the
median CPU time (which other processes on a busy machine do not inflate) with the load
average; ``--json`` prints ``{"median_ms", "p95_ms", "cpu_median_ms", ...}``.  The goal is a
median under 50 ms (about 100 ms is where a step stops feeling instant).  Figures, never
assertions: timings depend on the machine.

    python bench/stepper.py [--samples 60] [--seed 0] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paxos_lib as px
from paxos_lib.viz import Stepper
from paxos_lib.viz.style import png_bytes
from paxos_lib.viz.table import state_table, status_html


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between closest ranks."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def setup(seed: int, steps: int = 40) -> Stepper:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=5, learners=1), seed=seed)
    sim.propose("p1", "confirmed")
    sim.propose("p2", "cancelled")
    stepper = Stepper(sim)
    while stepper.step < steps:
        if not stepper.auto_step():
            raise SystemExit(f"the run went quiet after {stepper.step} steps; try another seed")
    return stepper


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=60, help="timed steps (default 60)")
    ap.add_argument("--seed", type=int, default=0, help="simulation and choice seed")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    if args.samples < 1:
        ap.error("--samples must be at least 1")

    stepper = setup(args.seed)
    rng = random.Random(args.seed)
    for _ in range(5):  # warm caches (glyph outlines, curve geometry) like a real session
        stepper.deliver_random()
        stepper.undo()

    totals: list[float] = []
    cpu: list[float] = []
    parts: dict[str, list[float]] = {"graph": [], "chart": [], "table": []}
    for _ in range(args.samples):
        choices = [a for a in stepper.sim.enabled_actions() if isinstance(a, px.Deliver)]
        action = rng.choice(choices)
        t0 = time.perf_counter()
        c0 = time.process_time()
        ok = stepper.do(action)
        cpu.append((time.process_time() - c0) * 1000)
        totals.append((time.perf_counter() - t0) * 1000)
        if not ok:
            raise SystemExit(f"step failed: {stepper.note.value}")
        # the same redraw again, piece by piece, to show where the time goes
        h = stepper._history
        t = time.perf_counter()
        stepper.graph_view.update(h)
        png_bytes(stepper.graph_figure)
        t1 = time.perf_counter()
        stepper.chart_view.update(h)
        png_bytes(stepper.chart_figure)
        t2 = time.perf_counter()
        state_table(stepper.sim)
        status_html(stepper.sim)
        t3 = time.perf_counter()
        parts["graph"].append((t1 - t) * 1000)
        parts["chart"].append((t2 - t1) * 1000)
        parts["table"].append((t3 - t2) * 1000)
        stepper.undo()

    figures = {
        "median_ms": round(statistics.median(totals), 2),
        "p95_ms": round(percentile(totals, 95), 2),
        "min_ms": round(min(totals), 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "load_average": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "samples": len(totals),
        "steps_before": 40,
        "cluster": "2 proposers x 5 acceptors x 1 learner",
        "graph_median_ms": round(statistics.median(parts["graph"]), 2),
        "chart_median_ms": round(statistics.median(parts["chart"]), 2),
        "table_median_ms": round(statistics.median(parts["table"]), 2),
        "goal_median_ms": 50,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"one stepper step (apply + redraw graph, chart, table), {figures['cluster']}, "
              f"after 40 steps, {len(totals)} samples:")
        print(f"  median {figures['median_ms']:.1f} ms   95th percentile "
              f"{figures['p95_ms']:.1f} ms   (goal: median under 50 ms)")
        print(f"  CPU time per step (median) {figures['cpu_median_ms']:.1f} ms; load average "
              f"{figures['load_average']} on {figures['cpus']} CPU(s) -- wall time above the "
              "CPU time is waiting for the CPU")
        print(f"  of which graph {figures['graph_median_ms']:.1f} ms, chart "
              f"{figures['chart_median_ms']:.1f} ms, table+status "
              f"{figures['table_median_ms']:.1f} ms (medians)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
