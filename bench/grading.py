"""Benchmark: how long grading takes, scenario by scenario.

Grades the library's reference roles, written as student classes (each handler delegates
to ``paxos_lib.roles``, so every call goes through the project's guard), on the built-in
hidden scenarios with one seed, and prints each scenario's kind, result and seconds, and
the total.  ``--json`` prints one JSON object.  This prints figures; it asserts nothing.

    python bench/grading.py
    python bench/grading.py --seed 3 --json
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
    args = ap.parse_args(argv)
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
        print(json.dumps({"seed": args.seed, "scenarios": rows, "total_seconds": total}))
        return 0
    for r in rows:
        print(f"{r['scenario']:<24} {r['kind']:<8} {r['seconds']:>6.2f} s  {r['summary']}")
    print(f"{'total':<24} {'':<8} {total:>6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
