"""``python -m paxos_lib simulate``: one seeded run under faults, its trace and its verdict.

Every proposer is handed a client value (``--values``, in turn), then the seeded scheduler
takes up to ``--steps`` steps with the fault probabilities given by the flags.  The command
prints the numbered trace, how the run ended, what was chosen and learned, and each safety
property's verdict; ``--json`` prints the same as one JSON object (the trace in the format
``Trace.from_json`` reads).

Exit status: 0 when every safety property holds, 1 when one is violated, 2 on bad arguments.
Imports only the core library (no networkx, matplotlib or ipywidgets).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from paxos_lib.cli.argtypes import probability as _probability
from paxos_lib.cli.argtypes import seed as _seed
from paxos_lib.cluster import MAX_NODES_PER_ROLE, Cluster
from paxos_lib.engine import NETWORKS
from paxos_lib.errors import ConfigError
from paxos_lib.simulation import Faults, RunResult, Simulation
from paxos_lib.variants import PRESENTATIONS, VARIANTS

__all__ = ["register", "run"]

DEFAULT_VALUES = "confirmed,cancelled"

#: (flag, default, what it is the probability of), in the order --help lists them.
FAULT_FLAGS: tuple[tuple[str, float, str], ...] = (
    ("drop", 0.0, "the message picked for delivery is lost instead"),
    ("duplicate", 0.0, "the message picked for delivery is copied instead"),
    ("crash", 0.0, "a random up node crashes (it keeps only its durable state)"),
    ("recover", 0.1, "a random crashed node recovers"),
    ("partition", 0.0, "the network splits (one node, or a proposer with a minority of "
                       "the acceptors, is cut off)"),
    ("heal", 0.1, "a partition ends"),
    ("timeout", 0.0, "a random armed retry timer fires early"),
)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 1 to {MAX_NODES_PER_ROLE}, got {text!r}"
        ) from None
    if not 1 <= value <= MAX_NODES_PER_ROLE:
        raise argparse.ArgumentTypeError(
            f"must be from 1 to {MAX_NODES_PER_ROLE}, got {value}"
        )
    return value


#: The most steps one run may take: about 20 s at the simulator's speed, far more than any
#: run needs (a run usually ends, every learner having learned, within a few hundred).
MAX_STEPS = 1_000_000


def _steps(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 0 to {MAX_STEPS:,}, got {text!r}"
        ) from None
    if not 0 <= value <= MAX_STEPS:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 0 to {MAX_STEPS:,}, got {value}"
        )
    return value


def _values(text: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in text.split(","))
    if not all(values):
        raise argparse.ArgumentTypeError(
            f"must be comma-separated non-empty values such as 'confirmed,cancelled', "
            f"got {text!r}"
        )
    return values


def register(subparsers: Any) -> None:
    """Add the ``simulate`` command to ``subparsers``."""
    parser = subparsers.add_parser(
        "simulate",
        help="run a seeded Paxos cluster under faults; print the trace and the verdict",
        description=(
            "Give every proposer a client value, let a seeded scheduler run the cluster with "
            "the fault probabilities below, then print the numbered trace, what was chosen "
            "and learned, and whether every safety property (agreement, validity, learners) "
            "holds.  Exit status: 0 safe, 1 a property violated, 2 bad arguments."
        ),
    )
    cluster = parser.add_argument_group("cluster")
    cluster.add_argument("--proposers", type=_count, default=2, metavar="N",
                         help="number of proposers p1, p2, ... (default: %(default)s)")
    cluster.add_argument("--acceptors", type=_count, default=3, metavar="N",
                         help="number of acceptors a1, a2, ... (default: %(default)s)")
    cluster.add_argument("--learners", type=_count, default=1, metavar="N",
                         help="number of learners l1, l2, ... (default: %(default)s)")
    cluster.add_argument("--quorum", type=_count, default=None, metavar="N",
                         help="acceptors in a quorum (default: a majority; the "
                              "minority-quorum variant sets half, rounded down, itself)")
    cluster.add_argument("--phase1-quorum", type=_quorum_spec, default=None, metavar="SIZE|SETS",
                         help="Flexible Paxos: the phase-1 (promise) quorums, a size such as 3 "
                              "or sets such as a1,a2/a3,a4 (default: as --quorum)")
    cluster.add_argument("--phase2-quorum", type=_quorum_spec, default=None, metavar="SIZE|SETS",
                         help="Flexible Paxos: the phase-2 (vote) quorums, a size or sets "
                              "(default: as --quorum)")
    protocol = parser.add_argument_group("protocol and run")
    protocol.add_argument("--variant", choices=[*VARIANTS, *PRESENTATIONS], default="classic",
                          metavar="NAME",
                          help="which Paxos to run: classic, or a variant that breaks one "
                               f"rule ({', '.join(VARIANTS)}; default: %(default)s)")
    protocol.add_argument("--network", choices=list(NETWORKS), default="lossy", metavar="NAME",
                          help="network model: 'lossy' (messages can be lost, copied, "
                               "reordered) or 'sent-set' (TLA+'s set of sent messages) "
                               "(default: %(default)s)")
    protocol.add_argument("--values", type=_values, default=_values(DEFAULT_VALUES),
                          metavar="V1,V2",
                          help="client values, handed to the proposers in turn "
                               f"(default: {DEFAULT_VALUES})")
    protocol.add_argument("--seed", type=_seed, default=0, metavar="S",
                          help="seed of the scheduler: the same seed gives the same run "
                               "(default: %(default)s)")
    protocol.add_argument("--steps", type=_steps, default=1000, metavar="N",
                          help="stop after this many scheduler steps, if the run has not "
                               f"ended before (at most {MAX_STEPS:,}; default: %(default)s)")
    faults = parser.add_argument_group(
        "faults", "probabilities from 0 to 1, rolled by the scheduler at every step"
    )
    for name, default, meaning in FAULT_FLAGS:
        faults.add_argument(f"--{name}", type=_probability, default=default, metavar="P",
                            help=f"probability that {meaning} (default: %(default)s)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (settings, trace, chosen, learned, "
                             "verdicts) instead of text")
    parser.set_defaults(run=run)


def _quorum_spec(text: str) -> object:
    from paxos_lib.quorums import QuorumError, parse_quorum_spec

    try:
        return parse_quorum_spec(text)
    except QuorumError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _check_together(args: argparse.Namespace) -> None:
    """The checks that read two flags at once, in the flags' own words."""
    if args.quorum is not None and args.quorum > args.acceptors:
        raise ConfigError(
            f"argument --quorum: must be from 1 to {args.acceptors} (the number of acceptors, "
            f"--acceptors), got {args.quorum}"
        )
    if args.variant == "minority-quorum" and args.quorum is not None:
        raise ConfigError(
            "argument --quorum: cannot be used with --variant minority-quorum, which sets the "
            "quorum itself (half the acceptors, rounded down)"
        )
    if args.variant == "minority-quorum" and args.acceptors < 2:
        raise ConfigError(
            f"argument --acceptors: --variant minority-quorum needs at least 2 acceptors, "
            f"got {args.acceptors} (with 1 acceptor no quorum is a minority)"
        )
    repeated = sorted({v for v in args.values if args.values.count(v) > 1})
    if repeated:
        raise ConfigError(
            f"argument --values: must be distinct, got {', '.join(map(repr, repeated))} twice"
        )


def simulate(args: argparse.Namespace) -> tuple[Simulation, RunResult, Faults]:
    """Build the cluster and run it as ``args`` say (ConfigError naming the flag when two
    flags do not fit together)."""
    _check_together(args)
    cluster = Cluster(proposers=args.proposers, acceptors=args.acceptors,
                      learners=args.learners, quorum=args.quorum,
                      phase1_quorum=args.phase1_quorum, phase2_quorum=args.phase2_quorum)
    faults = Faults(**{name: getattr(args, name) for name, _, _ in FAULT_FLAGS})
    sim = Simulation(cluster, seed=args.seed, variant=args.variant, network=args.network)
    for i, pid in enumerate(cluster.proposer_ids):
        sim.propose(pid, args.values[i % len(args.values)])
    return sim, sim.run(max_steps=args.steps, faults=faults), faults


def _as_json(sim: Simulation, result: RunResult, faults: Faults) -> dict[str, object]:
    return {
        "cluster": sim.cluster.to_dict(),
        "variant": sim.variant,
        "network": sim.network,
        "seed": sim.seed,
        "faults": {name: getattr(faults, name) for name, _, _ in FAULT_FLAGS},
        "steps": len(sim.steps),
        "end": result.end,
        "chosen": sorted(result.chosen),
        "learned": result.learned,
        "ok": result.ok,
        "verdicts": [
            {"name": v.name, "kind": v.kind, "holds": v.holds, "explanation": v.explanation}
            for v in result.verdicts
        ],
        "trace": sim.trace.to_dict(),
    }


def _as_text(sim: Simulation, result: RunResult, faults: Faults) -> str:
    fault_text = ", ".join(
        f"{name} {getattr(faults, name):g}" for name, _, _ in FAULT_FLAGS
    )
    ends = {
        "learned": "every learner learned a value",
        "max-steps": "the step limit was reached",
        "quiescent": "nothing more could happen",
    }
    chosen = ", ".join(repr(v) for v in sorted(result.chosen)) or "nothing"
    learned = ", ".join(f"{n} {v!r}" if v is not None else f"{n} nothing"
                        for n, v in result.learned.items())
    failed = [v.name for v in result.verdicts if not v.holds]
    verdict = (
        "SAFE: every safety property holds" if not failed
        else f"VIOLATED: {', '.join(failed)}"
    )
    return "\n".join([
        f"Simulating {sim.cluster}; variant {sim.variant}, network {sim.network}, "
        f"seed {sim.seed}",
        f"Faults: {fault_text}",
        "",
        sim.trace.numbered(),
        "",
        f"Run ended after {len(sim.steps)} step(s): {ends.get(result.end, result.end)}.",
        f"Chosen: {chosen}",
        f"Learned: {learned}",
        *(f"  {v}" for v in result.verdicts),
        f"Verdict: {verdict}",
    ])


def run(args: argparse.Namespace) -> int:
    """Run the simulation; print it; return 0 if safe, 1 if a property is violated."""
    sim, result, faults = simulate(args)
    if args.json:
        print(json.dumps(_as_json(sim, result, faults), indent=2, ensure_ascii=False))
    else:
        print(_as_text(sim, result, faults))
    return 0 if result.ok else 1
