"""Benchmark: the Consensus and Voting models, the refinement checks and the inductive checker.

On the Tiny model (3 acceptors, 2 values, ballots 0..1) and on the same model with singleton
quorums (which need not intersect), it times and counts

- the Voting explorer (with and without symmetry) and, with ``--small``, ballots 0..2, beside
  TLC's numbers where tlaplus/Examples records them;
- each refinement check (Paxos → Voting, Voting → Consensus, Paxos → Consensus): lower
  states, steps, the verdict and the counterexample's length;
- the inductive-invariant checker on Lamport's ``VotesSafe ∧ OneValuePerBallot`` and on
  "no two values chosen" (type-correct states enumerated, states satisfying the invariant,
  steps checked, seconds).

Each row is one run (``--repeat`` takes the median seconds).  ``--json`` prints one JSON
object.  It prints figures and asserts nothing about time; the machine may be shared.

    python bench/refinement.py
    python bench/refinement.py --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

from paxos_lib.refinement import (
    LEVELS,
    VotingView,
    check_inductive,
    check_refinement,
    explore_voting,
)
from paxos_lib.tla import SMALL, TINY, TlaModel

TLC = {("Voting", 1, True): (77, 451, 11), ("Voting", 2, False): (6_752, 41_017, 16)}


def lamport(s: VotingView) -> bool:
    """``VotesSafe ∧ OneValuePerBallot``."""

    def safe_at(b: int, v: str) -> bool:
        return all(any(all(s.voted_for(a, c, v) or s.cannot_vote_at(a, c) for a in q)
                       for q in s.quorums) for c in range(b))

    values_in: dict[int, set[str]] = {}
    for a in s.acceptors:
        for b, v in s.votes[a]:
            if not safe_at(b, v):
                return False
            values_in.setdefault(b, set()).add(v)
    return all(len(values) == 1 for values in values_in.values())


def no_two_chosen(s: VotingView) -> bool:
    return len(s.chosen()) <= 1


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    times, result = [], None
    for _ in range(repeat):
        clock = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - clock)
    return result, statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row (median seconds)")
    parser.add_argument("--small", action="store_true", help="also Voting on ballots 0..2")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, not {args.repeat}")
    rows: dict[str, list[dict[str, Any]]] = {"voting": [], "refinement": [], "inductive": []}
    voting_models = [(TINY, False), (TINY, True)] + ([(SMALL, False)] if args.small else [])
    for model, symmetry in voting_models:
        counts, seconds = timed(lambda m=model, s=symmetry: explore_voting(m, symmetry=s),
                                args.repeat)
        tlc = TLC.get(("Voting", model.max_ballot, symmetry))
        rows["voting"].append({
            "model": repr(model), "symmetry": symmetry, "states": counts.states,
            "generated": counts.generated, "depth": counts.depth, "seconds": round(seconds, 3),
            "tlc": list(tlc) if tlc else None,
            "equal_to_tlc": None if tlc is None else tlc == (counts.states, counts.generated,
                                                             counts.depth),
        })
    for model in (TINY, TlaModel(quorums="singleton")):
        for levels in LEVELS:
            result, seconds = timed(lambda m=model, lv=levels: check_refinement(m, lv),
                                    args.repeat)
            rows["refinement"].append({
                "model": repr(model), "levels": levels, "ok": result.ok,
                "states": result.states, "steps": result.steps,
                "counterexample_steps": None if result.counterexample is None
                else len(result.counterexample) - 1,
                "seconds": round(seconds, 3),
            })
    for name, invariant in (("VotesSafe and OneValuePerBallot", lamport),
                            ("no two values chosen", no_two_chosen)):
        result, seconds = timed(lambda f=invariant: check_inductive(f, TINY), args.repeat)
        rows["inductive"].append({
            "invariant": name, "ok": result.ok, "type_correct": result.type_correct,
            "satisfying": result.satisfying, "steps_checked": result.steps_checked,
            "seconds": round(seconds, 3),
        })
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print("Voting explorer")
    for r in rows["voting"]:
        tlc = "" if r["tlc"] is None else f"  TLC {tuple(r['tlc'])}: equal {r['equal_to_tlc']}"
        print(f"  {r['model']:66} symmetry={r['symmetry']!s:5}  {r['states']:>6,} states "
              f"{r['generated']:>7,} generated  depth {r['depth']:>2}  {r['seconds']:6.2f} s"
              f"{tlc}")
    print("Refinement checks")
    for r in rows["refinement"]:
        verdict = "holds" if r["ok"] else f"fails after {r['counterexample_steps']} steps"
        print(f"  {r['model']:66} {r['levels']:17} {verdict:22} {r['states']:>6,} states "
              f"{r['steps']:>7,} steps  {r['seconds']:6.2f} s")
    print("Inductive invariants (Tiny)")
    for r in rows["inductive"]:
        print(f"  {r['invariant']:32} ok={r['ok']!s:5}  {r['type_correct']:,} type-correct, "
              f"{r['satisfying']:,} satisfy it, {r['steps_checked']:,} steps checked  "
              f"{r['seconds']:6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
