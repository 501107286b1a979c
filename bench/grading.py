"""Benchmark: how long grading takes, scenario by scenario.

Grades the library's reference roles, written as student classes (each handler delegates
to ``paxos_lib.roles``, so every call goes through the project's guard), on the built-in
hidden scenarios with one seed, and prints each scenario's kind, result and seconds, and
the total.  ``--json`` prints one JSON object.  This prints figures; it asserts nothing.

    python bench/grading.py
    python bench/grading.py --seed 3 --json
    python bench/grading.py --no-line-budget   # the same without the endless-loop guard

Every handler call runs under the guard's line budget (a trace function counts the lines of
the student's code, ``paxos_lib/grading/interface.py``); ``--no-line-budget`` turns that off
for this run only, so the two totals show what the guard costs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from paxos_lib import grading
from paxos_lib.grading.grader import _cluster, _run
from paxos_lib.grading.scenarios import load

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import grading_students as students


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-line-budget", action="store_true",
                    help="run the handlers without the endless-loop guard (to measure it)")
    args = ap.parse_args(argv)
    if args.no_line_budget:
        from paxos_lib.grading import interface

        interface._run_with_budget = lambda fn, *a: fn(*a)  # type: ignore[assignment]
    impl = grading.Implementation(students.RefAcceptor, students.RefProposer,
                                  students.RefLearner)
    rows = []
    for scenario in load():
        start = time.perf_counter()
        result = _run(scenario, _cluster(scenario, impl), args.seed)
        rows.append({"scenario": scenario.name, "kind": scenario.kind,
                     "passed": result.passed, "summary": result.summary,
                     "seconds": round(time.perf_counter() - start, 2)})
    total = round(sum(r["seconds"] for r in rows), 2)
    if args.json:
        print(json.dumps({"seed": args.seed, "line_budget": not args.no_line_budget,
                          "scenarios": rows, "total_seconds": total}))
        return 0
    for r in rows:
        print(f"{r['scenario']:<24} {r['kind']:<8} {r['seconds']:>6.2f} s  {r['summary']}")
    guard = "without" if args.no_line_budget else "with"
    print(f"{'total':<24} {'':<8} {total:>6.2f} s  ({guard} the line budget)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
