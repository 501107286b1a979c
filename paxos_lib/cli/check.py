"""``python -m paxos_lib check``: explore every interleaving and print the verdict.

Two models.  ``--model engine`` (the default) explores the message-level engine with
``paxos_lib.explore``: a cluster running one variant, clients handing the proposers the
``--values`` in turn (``--any-value``: any proposer may be asked for any of them), within the
bounds given by the flags.  ``--model tla`` explores the model of Lamport's ``Paxos.tla``
with ``paxos_lib.tla``: ``--acceptors``, ``--values`` (a count), ``--max-ballot``,
``--quorums``.  ``--symmetry`` works with both: states are then symmetry classes (acceptors
interchangeable, and values too with ``--any-value`` or ``--model tla``).

The command prints the verdict, the counts (distinct states, states generated, transitions,
depth, seconds), each sometimes-property's shortest example length, and any counterexample as
a numbered trace; ``--json`` prints one object instead (``ok``, ``end``, ``states``,
``transitions``, ``depth``, ``seconds``, ``counterexample`` as a list of steps or null, and
more).  A progress bar goes to stderr when it is a terminal (or with ``--progress``).

Every search is bounded: ``--time-limit`` defaults to 600 s and ``--memory-limit`` to
1,500 MB of resident memory, and the run ends with "time limit" or "memory limit" instead
of running for ever or being killed.  With the engine, ``--reduce`` (canonical worlds,
``paxos_lib.reduce``) is on by default and so is ``--symmetry`` whenever the model has
interchangeable nodes or values (``--no-reduce``, ``--no-symmetry`` count plain states).
Progress goes to stderr: a bar on a terminal, else one plain line every few seconds
(``--json`` included), so a long search is never silent.

Exit status: 0 when the properties hold in the whole bounded space, 1 when one is violated,
2 on bad arguments, 3 when the search stopped at ``--max-depth``, ``--max-states``,
``--time-limit`` or ``--memory-limit`` before covering the space (nothing proved).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from typing import Any

from paxos_lib.cluster import MAX_NODES_PER_ROLE, Cluster
from paxos_lib.engine import NETWORKS
from paxos_lib.errors import ConfigError, one_of
from paxos_lib.properties import PROPERTY_NAMES
from paxos_lib.search import (
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIME_LIMIT,
    END_EXHAUSTED,
    END_VIOLATION,
    MAX_MEMORY_LIMIT,
    MAX_TIME_LIMIT,
    MIN_MEMORY_LIMIT,
    ExploreResult,
)
from paxos_lib.variants import PRESENTATIONS, VARIANTS

__all__ = ["EXIT_INCOMPLETE", "MODELS", "register", "run"]

MODELS = ("engine", "tla")
DEFAULT_VALUES = "confirmed,cancelled"
DEFAULT_TLA_VALUES = "2"
EXIT_INCOMPLETE = 3
MAX_VALUE_COUNT = 9
#: The ballot bounds each model takes (the engine counts rounds from 1, the spec from 0).
ENGINE_MAX_BALLOT = 9
TLA_MAX_BALLOT = 6

#: Flags that only the engine model reads, and only the TLA+ model reads (dest names).
ENGINE_ONLY = (
    "proposers", "learners", "quorum", "variant", "network", "any_value", "max_crashes",
    "max_copies", "partitions", "properties", "reduce", "least_interleaved",
    "phase1_quorum", "phase2_quorum",
)
TLA_ONLY = ("quorums",)


def _quorum_spec(text: str) -> Any:
    from paxos_lib.quorums import QuorumError, parse_quorum_spec

    try:
        return parse_quorum_spec(text)
    except QuorumError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _whole(low: int, what: str) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {what}, got {value}")
        return value

    return parse


def _whole_range(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low} to {high}, got {text!r}"
            )
        return value

    return parse


def _number(low: float, high: float, unit: str) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except (ValueError, OverflowError):
            value = float("nan")
        if not low < value <= high:  # also refuses nan and inf
            raise argparse.ArgumentTypeError(
                f"must be a number of {unit} above {low:g} and at most {high:,.0f}, got {text!r}"
            )
        return value

    return parse


_seconds = _number(0, MAX_TIME_LIMIT, "seconds")


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def register(subparsers: Any) -> None:
    """Add the ``check`` command to ``subparsers``."""
    parser = subparsers.add_parser(
        "check",
        help="explore every interleaving of a small cluster (or of Lamport's Paxos.tla); "
        "print the verdict and any shortest counterexample",
        description=(
            "Search every reachable state breadth-first, within the bounds below, and check "
            "the safety properties in each.  Prints the verdict, the state counts and a "
            "shortest counterexample if one exists.  Exit status: 0 the properties hold in "
            "the bounded space, 1 a property is violated, 2 bad arguments, 3 the search "
            "stopped early (depth, state or time limit) so nothing is proved."
        ),
    )
    parser.add_argument(
        "--model", choices=MODELS, default="engine", metavar="NAME",
        help="'engine' (the message-level engine, every variant) or 'tla' (the model of "
        "Lamport's Paxos.tla, whose counts match TLC's) (default: %(default)s)",
    )
    cluster = parser.add_argument_group("cluster")
    count = _whole(1, f"a whole number from 1 to {MAX_NODES_PER_ROLE}")
    cluster.add_argument("--proposers", type=count, default=None, metavar="N",
                         help="engine: number of proposers p1, p2, ... (default: 2)")
    cluster.add_argument("--acceptors", type=count, default=3, metavar="N",
                         help="number of acceptors a1, a2, ... (default: %(default)s)")
    cluster.add_argument("--learners", type=count, default=None, metavar="N",
                         help="engine: number of learners l1, l2, ... (default: 1)")
    cluster.add_argument("--quorum", type=count, default=None, metavar="N",
                         help="engine: acceptors in a quorum (default: a majority; the "
                         "minority-quorum variant uses half, rounded down)")
    cluster.add_argument("--phase1-quorum", type=_quorum_spec, default=None, metavar="SIZE|SETS",
                         help="engine, Flexible Paxos: the phase-1 (promise) quorums, a size "
                         "such as 3 or sets such as a1,a2/a3,a4 (default: as --quorum)")
    cluster.add_argument("--phase2-quorum", type=_quorum_spec, default=None, metavar="SIZE|SETS",
                         help="engine, Flexible Paxos: the phase-2 (vote) quorums, a size or "
                         "sets (default: as --quorum); safe when every phase-1 quorum meets "
                         "every phase-2 quorum")
    cluster.add_argument("--quorums", choices=("majority", "singleton"), default=None,
                         metavar="KIND",
                         help="tla: 'majority' (every set of n//2+1 acceptors, as in "
                         "MCPaxos.tla) or 'singleton' (quorums that do not intersect) "
                         "(default: majority)")
    model = parser.add_argument_group("protocol")
    model.add_argument("--variant", choices=[*VARIANTS, *PRESENTATIONS], default=None,
                       metavar="NAME",
                       help=f"engine: which Paxos ({', '.join([*VARIANTS, *PRESENTATIONS])}; "
                       "default: classic)")
    model.add_argument("--network", choices=list(NETWORKS), default=None, metavar="NAME",
                       help="engine: 'sent-set' (TLA+'s set of sent messages: any message "
                       "may arrive any number of times, or never) or 'lossy' (drops and "
                       "copies as actions; far more states) (default: sent-set)")
    model.add_argument("--values", default=None, metavar="V1,V2|N",
                       help="engine: client values, handed to the proposers in turn, or a "
                       f"count N for v1..vN (default: {DEFAULT_VALUES}); tla: the number of "
                       f"values (default: {DEFAULT_TLA_VALUES})")
    model.add_argument("--any-value", action="store_true", default=None,
                       help="engine: any idle proposer may be asked for any of the values "
                       "(more states)")
    model.add_argument("--properties", type=_names, default=None, metavar="P1,P2",
                       help=f"engine: properties to check ({', '.join(PROPERTY_NAMES)}; "
                       "default: all).  Leaving out 'learners' lets the search skip "
                       "deliveries to learners, which only listen")
    bounds = parser.add_argument_group("bounds of the model")
    bounds.add_argument("--max-ballot", type=_whole_range(0, ENGINE_MAX_BALLOT), default=2,
                        metavar="N",
                        help=f"engine: highest ballot round a proposer may start (1 to "
                        f"{ENGINE_MAX_BALLOT}); tla: ballots are 0..N (N from 0 to "
                        f"{TLA_MAX_BALLOT}) (default: %(default)s)")
    bounds.add_argument("--max-crashes", type=_whole(0, "a whole number >= 0"), default=None,
                        metavar="N", help="engine: crashes allowed on any path (default: 0)")
    bounds.add_argument("--max-copies", type=_whole(1, "a whole number >= 1"), default=None,
                        metavar="N",
                        help="engine, lossy network: copies of a message in flight (default: 2)")
    bounds.add_argument("--partitions", action="store_true", default=None,
                        help="engine: let the network partition and heal")
    bounds.add_argument("--symmetry", action=argparse.BooleanOptionalAction, default=None,
                        help="symmetry reduction: interchangeable acceptors, learners and "
                        "(with --any-value, or --model tla) values; counts symmetry classes "
                        "(default: on with the engine whenever the model has "
                        "interchangeable nodes or values, off with --model tla)")
    bounds.add_argument("--reduce", action=argparse.BooleanOptionalAction, default=None,
                        help="engine: search canonical worlds, without the messages and "
                        "proposer/learner state that can no longer influence the future "
                        "(same verdicts, counterexamples as short; default: on)")
    bounds.add_argument("--least-interleaved", action=argparse.BooleanOptionalAction,
                        default=None,
                        help="engine: among the shortest counterexamples print one with the "
                        "fewest switches between proposers (default: on)")
    stop = parser.add_argument_group("limits that stop a search early (exit status 3)")
    stop.add_argument("--max-depth", type=_whole(1, "a whole number >= 1"), default=None,
                      metavar="N", help="stop at this depth (the initial state is depth 1)")
    stop.add_argument("--max-states", type=_whole(1, "a whole number >= 1"), default=None,
                      metavar="N", help="engine: stop after this many distinct states")
    stop.add_argument("--time-limit", type=_seconds, default=None, metavar="S",
                      help=f"stop after this many seconds (default: {DEFAULT_TIME_LIMIT:.0f}; "
                      f"at most {MAX_TIME_LIMIT:,.0f})")
    stop.add_argument("--memory-limit", type=_number(MIN_MEMORY_LIMIT - 1e-9,
                                                     MAX_MEMORY_LIMIT, "megabytes"),
                      default=None, metavar="MB",
                      help=f"stop when the process holds this many megabytes (default: "
                      f"{DEFAULT_MEMORY_LIMIT:,}; from {MIN_MEMORY_LIMIT})")
    parser.add_argument("--progress", action="store_true",
                        help="show a progress bar on stderr even when it is not a terminal "
                        "(without it: a bar on a terminal, else a plain line every few "
                        "seconds for long searches, --json included)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (verdict, counts, counterexample) "
                        "instead of text")
    parser.set_defaults(run=run)


def _refuse(args: argparse.Namespace, names: tuple[str, ...], model: str) -> None:
    used = [n for n in names if getattr(args, n) is not None]
    if used:
        flags = ", ".join("--" + n.replace("_", "-") for n in used)
        raise ConfigError(f"{flags} cannot be used with --model {model}")


def _engine_values(args: argparse.Namespace, cluster: Cluster) -> Any:
    text = DEFAULT_VALUES if args.values is None else args.values
    values = _names(text)
    if re.fullmatch(r"\s*[-+]?\d+\s*", text):
        count = int(text)
        if not 1 <= count <= MAX_VALUE_COUNT:
            raise ConfigError(
                f"--values must be a count from 1 to {MAX_VALUE_COUNT} or a comma-separated "
                f"list of names such as v1,v2, got {text.strip()}"
            )
        values = [f"v{i}" for i in range(1, count + 1)]
    if not values:
        raise ConfigError(f"--values must name at least one value, got {text!r}")
    bad = [v for v in values if v.startswith("-")]
    if bad:
        raise ConfigError(
            f"--values names cannot start with '-', got {bad[0]!r}; give a count from 1 to "
            f"{MAX_VALUE_COUNT} or names such as v1,v2"
        )
    if args.any_value:
        return values
    proposers = cluster.proposer_ids
    return {p: values[i % len(values)] for i, p in enumerate(proposers)}


def explore_engine(args: argparse.Namespace) -> ExploreResult:
    """Run ``paxos_lib.explore`` as ``args`` say."""

    _refuse(args, TLA_ONLY, "engine")
    cluster = Cluster(
        proposers=2 if args.proposers is None else args.proposers,
        acceptors=args.acceptors,
        learners=1 if args.learners is None else args.learners,
        quorum=args.quorum,
        phase1_quorum=args.phase1_quorum,
        phase2_quorum=args.phase2_quorum,
    )
    if args.properties is not None and not args.properties:
        raise ConfigError(f"--properties must name at least one of {one_of(PROPERTY_NAMES)}")
    if not 1 <= args.max_ballot <= ENGINE_MAX_BALLOT:
        raise ConfigError(
            f"--max-ballot must be from 1 to {ENGINE_MAX_BALLOT} with the engine model "
            f"(ballot rounds start at 1), got {args.max_ballot}"
        )
    _engine_values(args, cluster)  # bad values fail before any search starts
    # One time limit for the whole run, shared by the bounds searched in turn.
    args.deadline = time.monotonic() + (
        DEFAULT_TIME_LIMIT if args.time_limit is None else args.time_limit
    )
    # Smaller ballot bounds first: their state spaces are included in the larger one's and
    # far smaller, so a violation usually turns up in seconds instead of an hour.  A
    # violation within a smaller bound is a violation within the asked-for bound too.
    result = None
    for bound in range(1, args.max_ballot + 1):
        result = _explore_engine_within(args, cluster, bound)
        if result.end != END_EXHAUSTED or bound == args.max_ballot:
            break
        print(f"max-ballot {bound}: no violation ({result.states:,} states, "
              f"{result.seconds:.1f} s); now max-ballot {bound + 1}", file=sys.stderr)
    assert result is not None
    args.found_within = bound
    return result


def _explore_engine_within(args: argparse.Namespace, cluster: Cluster,
                           bound: int) -> ExploreResult:
    from paxos_lib.explore import explore

    return explore(
        cluster,
        _engine_values(args, cluster),
        variant=args.variant,
        network=args.network,
        max_ballot=bound,
        max_crashes=0 if args.max_crashes is None else args.max_crashes,
        max_copies=2 if args.max_copies is None else args.max_copies,
        partitions=bool(args.partitions),
        symmetry="auto" if args.symmetry is None else args.symmetry,
        reduce=args.reduce is not False,
        least_interleaved=args.least_interleaved is not False,
        properties=args.properties,
        max_depth=args.max_depth,
        max_states=args.max_states,
        time_limit=max(args.deadline - time.monotonic(), 0.001),
        memory_limit=args.memory_limit,
        progress=_progress(args),
    )


def explore_model(args: argparse.Namespace) -> ExploreResult:
    """Run ``paxos_lib.tla.explore_tla`` as ``args`` say."""
    from paxos_lib.tla import TlaModel, explore_tla

    _refuse(args, ENGINE_ONLY, "tla")
    if args.max_states is not None:
        raise ConfigError("--max-states cannot be used with --model tla")
    text = DEFAULT_TLA_VALUES if args.values is None else args.values
    if not text.strip().isdigit():
        raise ConfigError(f"with --model tla, --values is a number of values, got {text!r}")
    if args.max_ballot > TLA_MAX_BALLOT:
        raise ConfigError(
            f"--max-ballot must be from 0 to {TLA_MAX_BALLOT} with --model tla (ballots "
            f"0..N), got {args.max_ballot}"
        )
    model = TlaModel(
        acceptors=args.acceptors,
        values=int(text),
        max_ballot=args.max_ballot,
        quorums="majority" if args.quorums is None else args.quorums,
    )
    return explore_tla(
        model,
        symmetry=bool(args.symmetry),
        max_depth=args.max_depth,
        time_limit=args.time_limit,
        memory_limit=args.memory_limit,
        progress=_progress(args),
    )


def _progress(args: argparse.Namespace) -> bool | str:
    """A bar on a terminal (or with --progress); else a plain line every few seconds."""
    if args.progress or (not args.json and sys.stderr.isatty()):
        return True
    return "lines"


def exit_status(result: ExploreResult) -> int:
    """0 ok, 1 violated, 3 incomplete."""
    if result.end == END_EXHAUSTED:
        return 0
    if result.end == END_VIOLATION:
        return 1
    return EXIT_INCOMPLETE


def as_text(result: ExploreResult) -> str:
    """The verdict, the counts, and any counterexample as a numbered trace."""
    lines = [f"Checking {result.model}", result.summary()]
    if result.counterexample is not None:
        trace = result.counterexample
        numbered = trace.numbered() if hasattr(trace, "numbered") else str(trace)
        lines += [
            "",
            f"Shortest counterexample to {result.violation!r} ({len(trace)} steps):",
            numbered,
        ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Explore; print the verdict; return 0 ok, 1 violated, 3 incomplete."""
    result = explore_model(args) if args.model == "tla" else explore_engine(args)
    within = getattr(args, "found_within", args.max_ballot)
    if args.json:
        data = result.to_dict()
        data["max_ballot_searched"] = within
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(as_text(result))
        if within != args.max_ballot and result.counterexample is not None:
            print(f"\n(Found while searching ballot rounds up to {within}, which are within the "
                  f"--max-ballot {args.max_ballot} you asked for; the counterexample is the "
                  f"shortest with rounds up to {within}.)")
        elif within != args.max_ballot:
            proved = (f"rounds up to {within - 1} hold no violation, and nothing is proved "
                      "beyond that" if within > 1 else "nothing is proved")
            print(f"\n(Stopped while searching ballot rounds up to {within} of the "
                  f"--max-ballot {args.max_ballot} you asked for; {proved}; no "
                  "counterexample was found.)")
    return exit_status(result)
