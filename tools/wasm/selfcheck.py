"""A self-check of paxos_lib that runs the same on CPython and on Pyodide (WebAssembly).

Prints one JSON object: where it ran (Python version, ``sys.platform``, which is
``emscripten`` under Pyodide), and three results computed by the real engine:

- ``tla_tiny``: the Tiny model of Lamport's Paxos.tla explored exhaustively (TLC counts
  3,921 distinct states, 23,563 generated, depth 17);
- ``simulation``: a seeded run of 2 proposers, 3 acceptors and a learner under drops,
  duplicates and crashes: how it ended, the chosen and learned values, the verdicts;
- ``variant``: the shortest counterexample of the ``forgetful-proposer`` variant
  (2 proposers, 2 acceptors, ballot rounds up to 1, symmetry reduction): its length, the
  property it breaks and its numbered steps.

The simulation's whole numbered trace is compared too, so the two platforms must agree
step for step (same seed, same random choices, same ordering of enabled actions).

``tests/test_wasm.py`` runs it under CPython and, through ``run_pyodide.mjs``, under the
pinned npm ``pyodide`` package, and requires the two outputs to agree on everything but the
platform fields.  It imports only ``paxos_lib``'s core (no matplotlib, networkx or widgets),
which is all a bare Pyodide has without downloading packages.
"""

from __future__ import annotations

import json
import platform
import sys

import paxos_lib as px
from paxos_lib.tla import TINY, explore_tla


def run() -> dict[str, object]:
    """The self-check's results as a JSON-ready dict."""
    tiny = explore_tla(TINY)

    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3, learners=1), seed=3)
    sim.propose("p1", "confirmed")
    sim.propose("p2", "cancelled")
    ran = sim.run(max_steps=2000, faults=px.Faults(drop=0.1, duplicate=0.05, crash=0.02))

    pair = px.Cluster(proposers=2, acceptors=2)
    clients = {"p1": "confirmed", "p2": "cancelled"}
    broken = px.explore(pair, clients, variant="forgetful-proposer", max_ballot=1, symmetry=True)
    counterexample = broken.counterexample
    return {
        "python": platform.python_version(),
        "platform": sys.platform,
        "imported_from": px.__file__,
        "tla_tiny": {
            "ok": tiny.ok,
            "states": tiny.states,
            "generated": tiny.generated,
            "depth": tiny.depth,
        },
        "simulation": {
            "end": ran.end,
            "steps": ran.steps,
            "ok": ran.ok,
            "chosen": sorted(ran.chosen),
            "learned": ran.learned,
            "verdicts": {v.name: v.holds for v in ran.verdicts},
            "trace": str(sim.trace),
        },
        "variant": {
            "ok": broken.ok,
            "end": broken.end,
            "length": None if counterexample is None else len(counterexample),
            "violation": broken.violation,
            "steps": None if counterexample is None else str(counterexample),
        },
    }


if __name__ == "__main__":
    print(json.dumps(run(), sort_keys=True))
