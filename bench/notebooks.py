"""Benchmark: how long the whole notebook suite takes under nbval.

Runs nbval over every lesson and every solution in ``notebooks/`` (the same options the test
suite uses, from ``pyproject.toml``), once per repeat, and prints the wall-clock seconds of the
whole suite and of each notebook (from pytest's ``--durations``).  The goal is under 120 s on
2 cores.  This prints figures; no test asserts on them.

Usage::

    python bench/notebooks.py [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once() -> tuple[float, dict[str, float], str]:
    cmd = [sys.executable, "-m", "pytest", "notebooks", "-q", "-p", "no:cacheprovider",
           "--durations=0", "--durations-min=0"]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    per: dict[str, float] = {}
    for m in re.finditer(r"^([\d.]+)s (?:call|setup|teardown)\s+(notebooks/\S+?\.ipynb)",
                         done.stdout, flags=re.M):
        per[m.group(2)] = per.get(m.group(2), 0.0) + float(m.group(1))
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]
    if done.returncode != 0:
        raise SystemExit(f"the notebook suite failed: {tail}")
    return seconds, per, tail


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time the notebook suite under nbval.")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the whole suite (median)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error(f"--repeat must be >= 1, got {args.repeat}")
    totals: list[float] = []
    per_runs: list[dict[str, float]] = []
    summary = ""
    for _ in range(args.repeat):
        seconds, per, summary = run_once()
        totals.append(seconds)
        per_runs.append(per)
    names = sorted(per_runs[0])
    per_median = {n: round(statistics.median(r.get(n, 0.0) for r in per_runs), 2)
                  for n in names}
    result = {
        "notebooks": len(names),
        "median_seconds": round(statistics.median(totals), 2),
        "runs_seconds": [round(t, 2) for t in totals],
        "goal_seconds": 120,
        "per_notebook_seconds": per_median,
        "pytest": summary,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"nbval over {len(names)} notebooks: median {result['median_seconds']} s of "
          f"{args.repeat} run(s) (goal: under 120 s); pytest said: {summary}")
    for n in names:
        print(f"  {per_median[n]:6.2f} s  {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
