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
values, ballots up to 2, and smaller configurations, each run three ways: plain and with
symmetry reduction (acceptors interchangeable, and values when any proposer may be asked for
any value) with a ``--budget`` time limit (default 10 s), and reduced (canonical worlds,
``paxos_lib.reduce``, plus symmetry where the model allows it: what ``check`` does by
default) with a ``--reach-budget`` (default 120 s).  Each run is a fresh Python process,
so its peak resident memory (``peak_memory_mb``, read by the search itself) is its own.
Each row gives the end, counts, seconds, rate and peak memory.

``--quick`` is a smoke test (Tiny instead of Small, one repeat, 1 s budgets, the small
configurations only).  ``--json`` prints one JSON object.  This prints figures; it asserts
nothing about time.  The machine may be shared: compare rows of one run, not across runs.

    python bench/explore.py                 # the figures
    python bench/explore.py --quick --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
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
CONSENSUS = [p.name for p in px.properties.PROPERTIES]  # without the zoo's invariants
ANY = ("v1", "v2")
EACH = {"p1": "v1", "p2": "v2"}
#: (label, cluster, values, explore keyword arguments); each runs without and with symmetry
ENGINE_CONFIGS: tuple[tuple[str, px.Cluster, Any, dict[str, Any]], ...] = (
    (
        "2 proposers, 3 acceptors, any of 2 values, ballot rounds <= 2 (all properties)",
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
        "2 proposers, 3 acceptors, one value each, ballot rounds <= 1, learners skipped",
        px.Cluster(proposers=2, acceptors=3),
        EACH,
        {"max_ballot": 1, "properties": NO_LEARNERS},
    ),
    (
        "2 proposers, 3 acceptors, one value each, ballot rounds <= 1 (check's defaults)",
        px.Cluster(proposers=2, acceptors=3),
        EACH,
        {"max_ballot": 1},
    ),
    (
        "amnesiac-acceptor, 2 proposers, 3 acceptors, one value each, rounds <= 1, 1 crash, "
        "consensus properties (the invariants would stop it at 3 steps)",
        px.Cluster(proposers=2, acceptors=3),
        EACH,
        {"max_ballot": 1, "max_crashes": 1, "variant": "amnesiac-acceptor",
         "properties": CONSENSUS},
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


#: The configurations small enough for ``--quick`` (indexes into ENGINE_CONFIGS).
QUICK_CONFIGS = (5, 6, 8)
MODES = ("plain", "symmetry", "reduced")


def run_one(index: int, mode: str, budget: float) -> dict[str, Any]:
    """One configuration one way, in this process (``--one``)."""
    label, cluster, values, kwargs = ENGINE_CONFIGS[index]
    options: dict[str, Any] = {"symmetry": mode == "symmetry"}
    if mode == "reduced":
        options = {"symmetry": "auto", "reduce": True}
    result = px.explore(cluster, values, time_limit=budget, **options, **kwargs)
    return {
        "config": label,
        "mode": mode,
        "symmetry": result.symmetry,
        "end": result.end,
        "states": result.states,
        "transitions": result.transitions,
        "depth": result.depth,
        "seconds": round(result.seconds, 2),
        "states_per_second": round(result.states / max(result.seconds, 1e-9)),
        "transitions_per_second": round(result.transitions / max(result.seconds, 1e-9)),
        "peak_memory_mb": result.peak_memory_mb,
        "counterexample_steps": (
            None if result.counterexample is None else len(result.counterexample)
        ),
    }


def engine_part(budget: float, reach_budget: float, quick: bool) -> list[dict[str, Any]]:
    rows = []
    indexes = QUICK_CONFIGS if quick else range(len(ENGINE_CONFIGS))
    for index in indexes:
        for mode in MODES:
            limit = reach_budget if mode == "reduced" else budget
            done = subprocess.run(
                [sys.executable, __file__, "--one", str(index), mode, str(limit)],
                capture_output=True, text=True, check=True,
            )
            rows.append(json.loads(done.stdout))
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
        f"Message-level engine (time limit {report['budget']} s plain and with symmetry, "
        f"{report['reach_budget']} s reduced; each run in a fresh process):",
    ]
    for row in report["engine"]:
        if row["mode"] == "plain":
            lines.append(f"  {row['config']}")
        kind = "symmetry classes" if row["symmetry"] else "states"
        found = (f", counterexample {row['counterexample_steps']} steps"
                 if row["counterexample_steps"] else "")
        lines.append(
            f"    {row['mode']:9} {row['end']}: {row['states']:,} {kind}, "
            f"{row['transitions']:,} transitions, depth {row['depth']}, {row['seconds']} s, "
            f"peak {row['peak_memory_mb']:.0f} MB{found}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure")
    parser.add_argument("--budget", type=float, default=10.0,
                        help="time limit per message-level configuration, seconds")
    parser.add_argument("--reach-budget", type=float, default=120.0,
                        help="time limit per reduced message-level configuration, seconds")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: Tiny model, one repeat, 1 s budgets, small models")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--one", nargs=3, metavar=("INDEX", "MODE", "BUDGET"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        index, mode, limit = args.one
        print(json.dumps(run_one(int(index), mode, float(limit))))
        return 0
    repeat, budget, reach_budget = args.repeat, args.budget, args.reach_budget
    model, name = SMALL, "small"
    if args.quick:
        repeat, budget, reach_budget, model, name = 1, 1.0, 1.0, TINY, "tiny"
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "repeat": repeat,
        "budget": budget,
        "reach_budget": reach_budget,
        "tla": tla_part(model, name, repeat),
        "engine": engine_part(budget, reach_budget, args.quick),
    }
    print(json.dumps(report, indent=2) if args.json else as_text(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
