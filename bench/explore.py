"""Benchmark: how fast the explorers search, and what fits.

Part 1, the model of Lamport's ``Paxos.tla`` (``paxos_lib.tla``), on TLC's Small model
(3 acceptors, 2 values, ballots 0..2, majority quorums: 185,369 distinct states, 1,361,380
generated, depth 25).  In this one process it times

- the plain breadth-first search (``reference_bfs``: frozensets of message tuples), the
  baseline the goal compares against ("at most half its time");
- the packed explorer (``explore_tla``), and its distinct states/s and transitions/s;
- the packed explorer with symmetry reduction (acceptors and values interchangeable),
  with the number of symmetry classes (goal: under SPIN's 0.4 s without symmetry);

each the median of ``--repeat`` runs, and then, in one more untimed run under
``tracemalloc``, the peak memory of the packed explorer and the bytes per stored state.

Part 2, the message-level engine (``paxos_lib.explore``): 2 proposers, 3 acceptors, 2
values, ballots up to 2, with a ``--budget`` time limit (default 10 s), and the smaller
configurations that do fit, each without and with symmetry reduction (acceptors
interchangeable, and values when any proposer may be asked for any value), with its end,
counts and rate.

``--quick`` is a smoke test (Tiny instead of Small, one repeat, small budget).  ``--json``
prints one JSON object.  This prints figures; it asserts nothing about time.

    python bench/explore.py                 # the figures
    python bench/explore.py --quick --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

import paxos_lib as px
from paxos_lib.search import ExploreResult
from paxos_lib.tla import SMALL, TINY, TlaModel, explore_tla, reference_bfs

TLC = {"small": (185_369, 1_361_380, 25), "tiny": (3_921, 23_563, 17)}
SPIN_SECONDS = 0.4

NO_LEARNERS = ["agreement", "validity", "chosen"]
ANY = ("v1", "v2")
EACH = {"p1": "v1", "p2": "v2"}
#: (label, cluster, values, explore keyword arguments); each runs without and with symmetry
ENGINE_CONFIGS: tuple[tuple[str, px.Cluster, Any, dict[str, Any]], ...] = (
    (
        "2 proposers, 3 acceptors, any of 2 values, ballot rounds <= 2 (the issue's model)",
        px.Cluster(proposers=2, acceptors=3),
        ANY,
        {"max_ballot": 2},
    ),
    (
        "2 proposers, 3 acceptors, any of 2 values, ballot rounds <= 1, learners skipped",
        px.Cluster(proposers=2, acceptors=3),
        ANY,
        {"max_ballot": 1, "properties": NO_LEARNERS},
    ),
    (
        "1 proposer, 3 acceptors, any of 2 values, ballot rounds <= 1, learners skipped",
        px.Cluster(proposers=1, acceptors=3),
        ANY,
        {"max_ballot": 1, "properties": NO_LEARNERS},
    ),
    (
        "2 proposers, 2 acceptors, any of 2 values, ballot rounds <= 1, learners skipped",
        px.Cluster(proposers=2, acceptors=2),
        ANY,
        {"max_ballot": 1, "properties": NO_LEARNERS},
    ),
    (
        "2 proposers, 2 acceptors, one value each, ballot rounds <= 1",
        px.Cluster(proposers=2, acceptors=2),
        EACH,
        {"max_ballot": 1},
    ),
    (
        "2 proposers, 1 acceptor, any of 2 values, ballot rounds <= 1, 1 crash",
        px.Cluster(proposers=2, acceptors=1),
        ANY,
        {"max_ballot": 1, "max_crashes": 1},
    ),
)


def median_run(fn: Callable[[], ExploreResult], repeat: int) -> tuple[float, ExploreResult]:
    """The median wall-clock seconds of ``repeat`` calls, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(times), result


def counts(result: ExploreResult) -> list[int]:
    return [result.states, result.generated, result.depth]


def peak_memory(fn: Callable[[], ExploreResult]) -> tuple[int, ExploreResult]:
    """Peak bytes allocated by Python during one (untimed) call."""
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def tla_part(model: TlaModel, name: str, repeat: int) -> dict[str, Any]:
    ref_s, ref = median_run(lambda: reference_bfs(model), repeat)
    fast_s, fast = median_run(lambda: explore_tla(model), repeat)
    sym_s, sym = median_run(lambda: explore_tla(model, symmetry=True), repeat)
    peak, _ = peak_memory(lambda: explore_tla(model))
    sym_peak, _ = peak_memory(lambda: explore_tla(model, symmetry=True))
    return {
        "model": name,
        "constants": repr(model),
        "tlc": list(TLC[name]),
        "reference": {"seconds": round(ref_s, 3), "counts": counts(ref)},
        "fast": {
            "seconds": round(fast_s, 3),
            "counts": counts(fast),
            "states_per_second": round(fast.states / fast_s),
            "transitions_per_second": round(fast.transitions / fast_s),
            "peak_memory_bytes": peak,
            "bytes_per_state": round(peak / fast.states, 1),
        },
        "fast_vs_reference": round(fast_s / ref_s, 3),
        "speedup": round(ref_s / fast_s, 1),
        "symmetry": {
            "seconds": round(sym_s, 3),
            "classes": sym.states,
            "counts": counts(sym),
            "peak_memory_bytes": sym_peak,
            "vs_spin_0_4_s": round(sym_s / SPIN_SECONDS, 3),
        },
        "counts_equal_tlc": counts(ref) == counts(fast) == list(TLC[name]),
    }


def engine_part(budget: float) -> list[dict[str, Any]]:
    rows = []
    for label, cluster, values, kwargs in ENGINE_CONFIGS:
        for symmetry in (False, True):
            result = px.explore(cluster, values, time_limit=budget, symmetry=symmetry, **kwargs)
            rows.append(
                {
                    "config": label,
                    "symmetry": symmetry,
                    "end": result.end,
                    "states": result.states,
                    "transitions": result.transitions,
                    "depth": result.depth,
                    "seconds": round(result.seconds, 2),
                    "states_per_second": round(result.states / max(result.seconds, 1e-9)),
                    "transitions_per_second": round(
                        result.transitions / max(result.seconds, 1e-9)
                    ),
                }
            )
    return rows


def as_text(report: dict[str, Any]) -> str:
    t = report["tla"]
    ref, fast, sym = t["reference"], t["fast"], t["symmetry"]
    lines = [
        f"Paxos.tla, {t['model']} model {t['constants']}: TLC {t['tlc']} "
        f"(distinct, generated, depth); counts equal: {t['counts_equal_tlc']}",
        f"  plain BFS (baseline)      {ref['seconds']:8.3f} s",
        f"  packed explorer           {fast['seconds']:8.3f} s  "
        f"({t['fast_vs_reference']:.3f} of the baseline, {t['speedup']}x faster)",
        f"    {fast['states_per_second']:,} distinct states/s, "
        f"{fast['transitions_per_second']:,} transitions/s",
        f"    peak memory {fast['peak_memory_bytes'] / 1e6:.1f} MB, "
        f"{fast['bytes_per_state']} bytes per stored state",
        f"  with symmetry             {sym['seconds']:8.3f} s  "
        f"({sym['classes']:,} symmetry classes; SPIN without symmetry: {SPIN_SECONDS} s)",
        "",
        f"Message-level engine (time limit {report['budget']} s each):",
    ]
    for row in report["engine"]:
        if not row["symmetry"]:
            lines.append(f"  {row['config']}")
        kind = "symmetry classes" if row["symmetry"] else "states"
        lines.append(
            f"    {'with symmetry' if row['symmetry'] else 'plain':13} {row['end']}: "
            f"{row['states']:,} {kind}, {row['transitions']:,} transitions, depth "
            f"{row['depth']}, {row['seconds']} s ({row['transitions_per_second']:,} "
            "transitions/s)"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure")
    parser.add_argument("--budget", type=float, default=10.0,
                        help="time limit per message-level configuration, seconds")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: Tiny model, one repeat, 1 s budget")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    repeat, budget = args.repeat, args.budget
    model, name = SMALL, "small"
    if args.quick:
        repeat, budget, model, name = 1, 1.0, TINY, "tiny"
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "repeat": repeat,
        "budget": budget,
        "tla": tla_part(model, name, repeat),
        "engine": engine_part(budget),
    }
    print(json.dumps(report, indent=2) if args.json else as_text(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
