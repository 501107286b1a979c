"""``python -m paxos_lib orders``: a replicated order workload under faults, and its verdict.

Runs ``OrdersSimulation.run_workload``: ``--orders`` clients, one per order (or ``--clients K``
sharing them, one request at a time each), submit create, confirm, pay, ship, deliver (or
cancel) to the ``--replicas`` Multi-Paxos replicas while the
seeded scheduler injects the faults given by the flags; then the network heals, every replica
recovers and catches up.  Prints each replica's order states side by side, the slots used, the
message count, and whether all replicas agree (every Multi-Paxos safety property);
``--json`` prints one JSON object with at least ``agree``, ``slots``, ``messages`` and
``order_states`` (per replica), and the snapshot figures (``--snapshot-every K``):
``snapshots``, ``snapshot_bytes``, ``log_entries_held`` and ``dedup_entries_held`` (one per
client and replica: the exactly-once table keeps each client's last request only).

With ``--reads log|lease|any`` the clients are nodes (``paxos_lib.multipaxos.clients``): each
hears its replies, retries at another replica, and also reads orders; ``--json`` then adds
``linearizable`` and, when false, ``non_linearizable``: the shortest non-linearizable
sub-history, as operations.

Exit status: 0 when all replicas agree (and, with ``--reads``, the clients' history is
linearizable), 1 when a property is violated, 2 on bad arguments.
Imports only the core library and ``paxos_lib.multipaxos``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from paxos_lib.cli import reconfigure
from paxos_lib.cli.argtypes import probability as _probability
from paxos_lib.cli.argtypes import seed as _seed
from paxos_lib.cluster import MAX_NODES_PER_ROLE
from paxos_lib.errors import ConfigError, PaxosError
from paxos_lib.multipaxos import (
    MULTIPAXOS_VARIANTS,
    OrdersResult,
    OrdersSimulation,
    ReplicaCluster,
)
from paxos_lib.multipaxos.clients import (
    READ_MODES,
    ClientCluster,
    ClientSimulation,
    ClientsResult,
)
from paxos_lib.multipaxos.simulation import MAX_ORDERS
from paxos_lib.multipaxos.snapshots import MAX_SNAPSHOT_EVERY, snapshot_stats
from paxos_lib.simulation import Faults

__all__ = ["register", "run"]

#: (flag, default, what it is the probability of), in the order --help lists them.
FAULT_FLAGS: tuple[tuple[str, float, str], ...] = (
    ("drop", 0.0, "the message picked for delivery is lost instead"),
    ("duplicate", 0.0, "the message picked for delivery is copied instead"),
    ("crash", 0.0, "a random up replica crashes (it keeps only its durable state)"),
    ("recover", 0.1, "a random crashed replica recovers"),
    ("partition", 0.0, "the network splits (one replica, or two, cut off)"),
    ("heal", 0.1, "a partition ends"),
    ("timeout", 0.0, "a random armed retry timer fires early"),
)


def _int_in(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low} to {high}, got {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}")
        return value

    return parse


def register(subparsers: Any) -> None:
    """Add the ``orders`` command to ``subparsers``."""
    parser = subparsers.add_parser(
        "orders",
        help="run a replicated order workload (Multi-Paxos) under faults; print every "
             "replica's order states and whether they agree",
        description=(
            "Clients submit each order's commands (create, confirm, pay, ship, deliver or "
            "cancel) to a cluster of Multi-Paxos replicas while a seeded scheduler injects "
            "the faults below; then the network heals and every replica catches up.  Prints "
            "each replica's order states, the slots used, the message count and whether all "
            "replicas agree.  Exit status: 0 agree, 1 a property violated, 2 bad arguments."
        ),
    )
    run_group = parser.add_argument_group("cluster and workload")
    run_group.add_argument("--replicas", type=_int_in(1, MAX_NODES_PER_ROLE), default=5,
                           metavar="N",
                           help="number of replicas r1, r2, ... (default: %(default)s)")
    run_group.add_argument("--orders", type=_int_in(1, MAX_ORDERS), default=20, metavar="N",
                           help="number of orders, each with its own client "
                                "(default: %(default)s)")
    run_group.add_argument("--clients", type=_int_in(1, MAX_ORDERS), default=None, metavar="K",
                           help="K clients share the orders, each working through its orders "
                                "one request at a time (default: one client per order)")
    run_group.add_argument("--variant", choices=list(MULTIPAXOS_VARIANTS), default="classic",
                           metavar="NAME",
                           help="classic Multi-Paxos, phase1-per-slot (phase 1 before every "
                                "command) or forgetful-leader (a broken new leader) "
                                "(default: %(default)s)")
    run_group.add_argument("--seed", type=_seed, default=0, metavar="S",
                           help="seed of the scheduler and the clients: the same seed gives "
                                "the same run (default: %(default)s)")
    run_group.add_argument("--retry", type=_probability, default=0.05, metavar="P",
                           help="probability that a client also retries a request early, so "
                                "it may be decided twice (default: %(default)s)")
    run_group.add_argument("--steps", type=_int_in(1, 10**9), default=None, metavar="N",
                           help="stop after this many steps in all (default: 5000 + 2000 "
                                "per order)")
    run_group.add_argument("--snapshot-every", type=_int_in(0, MAX_SNAPSHOT_EVERY), default=0,
                           metavar="K",
                           help="each replica snapshots its order book every K applied slots "
                                "and drops the log below it; 0 never (default: %(default)s)")
    reconfigure.add_arguments(run_group)  # --reconfigure, --alpha (cli/reconfigure.py)
    faults = parser.add_argument_group(
        "faults", "probabilities from 0 to 1, rolled by the scheduler at every step"
    )
    for name, default, meaning in FAULT_FLAGS:
        faults.add_argument(f"--{name}", type=_probability, default=default, metavar="P",
                            help=f"probability that {meaning} (default: %(default)s)")
    _register_reads(parser)
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (agree, slots, messages, order_states per "
                             "replica, ...) instead of text")
    parser.set_defaults(run=run)


def workload(args: argparse.Namespace) -> tuple[OrdersSimulation, OrdersResult, Faults]:
    """Build the replicas and run the workload as ``args`` say."""
    faults = Faults(**{name: getattr(args, name) for name, _, _ in FAULT_FLAGS})
    sim = reconfigure.simulation(args)
    if sim is not None and args.snapshot_every:
        raise ConfigError(
            "--snapshot-every cannot be combined with --reconfigure: a configuration is read "
            "from the log, and compaction drops the log"
        )
    if sim is None and args.snapshot_every:  # snapshots.py: compacting every K slots
        sim = OrdersSimulation(ReplicaCluster(args.replicas, snapshot_every=args.snapshot_every),
                               seed=args.seed, variant=args.variant)
    sim = sim or OrdersSimulation(args.replicas, seed=args.seed, variant=args.variant)
    shared = {} if args.clients is None else {"clients": args.clients}
    result = sim.run_workload(args.orders, faults, retry=args.retry, max_steps=args.steps,
                              **shared)
    return sim, result, faults


def _as_json(sim: OrdersSimulation, result: OrdersResult, faults: Faults) -> dict[str, object]:
    out: dict[str, object] = {
        "cluster": sim.cluster.to_dict(),
        "faults": {name: getattr(faults, name) for name, _, _ in FAULT_FLAGS},
    }
    out.update(result.to_dict())
    out.update(_snapshot_figures(sim))
    out.update(reconfigure.json_fields(sim))
    return out


def _snapshot_figures(sim: OrdersSimulation) -> dict[str, object]:
    """``snapshots`` taken or installed, ``snapshot_bytes`` (the largest snapshot held,
    serialized), ``log_entries_held`` and ``dedup_entries_held`` (all replicas, at the end)."""
    stats = snapshot_stats(sim.world)
    return {
        "snapshot_every": sim.cluster.snapshot_every,  # type: ignore[attr-defined]
        "snapshots": sim.snapshots,
        "snapshot_bytes": stats["snapshot_bytes"],
        "log_entries_held": stats["log_entries_held"],
        "dedup_entries_held": stats["dedup_entries_held"],
    }


def _table(result: OrdersResult) -> list[str]:
    replicas = list(result.order_states)
    orders = sorted({o for states in result.order_states.values() for o in states})
    cells = [["order", *replicas]]
    for o in orders:
        cells.append([f"#{o}", *(result.order_states[r].get(o, "-") for r in replicas)])
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in cells]


def _as_text(sim: OrdersSimulation, result: OrdersResult, faults: Faults) -> str:
    fault_text = ", ".join(f"{name} {getattr(faults, name):g}" for name, _, _ in FAULT_FLAGS)
    ends = {
        "converged": "every replica caught up and nothing more could happen",
        "max-steps": "the step limit was reached",
    }
    applied = ", ".join(f"{r} {n}" for r, n in result.applied.items())
    failed = [v.name for v in result.verdicts if not v.holds]
    verdict = (
        "AGREE: every replica agrees on every slot and every order state" if not failed
        else f"VIOLATED: {', '.join(failed)}"
    )
    return "\n".join([
        f"Replicated order log: {sim.cluster}; variant {sim.variant}, seed {sim.seed}",
        f"Faults: {fault_text}",
        f"Workload: {result.orders} order(s), {result.commands} command(s), "
        f"{result.retries} client retr{'y' if result.retries == 1 else 'ies'}",
        "",
        "Order states on each replica:",
        *_table(result),
        "",
        f"Slots used: {result.slots} ({result.noops} no-op(s), {result.duplicates} request(s) "
        "decided twice and applied once)",
        f"Applied: {applied}",
        *reconfigure.text_lines(sim),
        f"Messages: {result.messages} ({result.messages_per_command:.1f} per command)",
        _snapshot_line(sim),
        f"Run ended after {result.steps} step(s): {ends.get(result.end, result.end)}.",
        *(f"  {v}" for v in (*result.verdicts, result.progress)),
        f"Verdict: {verdict}",
    ])


def _snapshot_line(sim: OrdersSimulation) -> str:
    f = _snapshot_figures(sim)
    every = f"every {f['snapshot_every']} slots" if f["snapshot_every"] else "off"
    return (f"Snapshots: {every}; {f['snapshots']} taken or installed, largest "
            f"{f['snapshot_bytes']} bytes; log entries held {f['log_entries_held']}, dedup "
            f"entries held {f['dedup_entries_held']}")


def run(args: argparse.Namespace) -> int:
    """Run the workload; print it; return 0 if all replicas agree, 1 if not."""
    if args.reads is not None:
        if args.snapshot_every or getattr(args, "reconfigure", None):
            raise ConfigError(
                "--reads cannot be combined with --snapshot-every or --reconfigure: the "
                "clients' cluster keeps its whole log and a fixed membership"
            )
        return _run_reads(args)
    sim, result, faults = workload(args)
    if args.json:
        print(json.dumps(_as_json(sim, result, faults), indent=2, ensure_ascii=False))
    else:
        print(_as_text(sim, result, faults))
    return 0 if result.agree else 1


# -- clients that read (--reads): paxos_lib.multipaxos.clients ---------------------------------


def _register_reads(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "clients and reads",
        "with --reads, clients are nodes that hear replies, retry at another replica, and "
        "also read orders; every run is judged linearizable or not (exit 1 if not)",
    )
    group.add_argument("--reads", choices=list(READ_MODES), default=None, metavar="MODE",
                       help="how a read is answered: log (takes a slot), lease (the leader "
                            "answers while its lease lasts) or any (any replica's copy)")
    group.add_argument("--lease", type=_int_in(1, 10**6), default=40, metavar="N",
                       help="how long a lease binds a follower, in units of its clock "
                            "(default: %(default)s)")
    group.add_argument("--margin", type=_int_in(0, 10**6), default=None, metavar="N",
                       help="how much sooner the leader stops using its lease (default: the "
                            "safe margin for --drift)")
    group.add_argument("--drift", type=_drift, default=0.1, metavar="D",
                       help="every replica's clock runs at a rate within 1 +- D "
                            "(default: %(default)s)")


def _drift(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 0.9, got {text!r}") from None
    if not 0 <= value <= 0.9:
        raise argparse.ArgumentTypeError(f"must be from 0 to 0.9, got {value:g}")
    return value


def _run_reads(args: argparse.Namespace) -> int:
    faults = Faults(**{name: getattr(args, name) for name, _, _ in FAULT_FLAGS})
    if args.margin is not None and args.margin >= args.lease:
        raise PaxosError(f"--margin must be below --lease ({args.lease}), got {args.margin}")
    clients = args.clients or min(args.orders, 4)
    cluster = ClientCluster(args.replicas, clients=clients, reads=args.reads,
                            lease=args.lease, margin=args.margin, drift=args.drift,
                            seed=args.seed)
    sim = ClientSimulation(cluster, seed=args.seed, variant=args.variant)
    result = sim.run_clients(args.orders, faults, max_steps=args.steps)
    if args.json:
        out: dict[str, object] = {
            "cluster": cluster.to_dict(),
            "faults": {name: getattr(faults, name) for name, _, _ in FAULT_FLAGS},
        }
        out.update(result.to_dict())
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(_reads_text(sim, result, faults))
    return 0 if result.agree and result.linearizable else 1


def _reads_text(sim: ClientSimulation, result: ClientsResult, faults: Faults) -> str:
    fault_text = ", ".join(f"{name} {getattr(faults, name):g}" for name, _, _ in FAULT_FLAGS)
    failed = [v.name for v in result.verdicts if not v.holds]
    lines = [
        f"Replicated order log with clients: {sim.cluster}; variant {sim.variant}, "
        f"seed {sim.seed}",
        f"Faults: {fault_text}",
        f"Workload: {result.orders} order(s), {result.operations} operation(s) "
        f"({result.read_operations} read(s)) by {result.clients} client(s); "
        f"{result.answered} answered, {result.retries} retr"
        f"{'y' if result.retries == 1 else 'ies'}",
        f"Slots used: {result.slots} ({result.read_slots} by reads)",
        f"Messages: {result.messages}",
        f"Run ended after {result.steps} step(s): {result.end}.",
        *(f"  {v}" for v in result.verdicts),
    ]
    if not result.linearizable:
        assert result.linearizability.violation is not None
        lines.append("Shortest non-linearizable sub-history:")
        lines.extend(f"  {op}" for op in result.linearizability.violation)
    lines.append(
        "Verdict: " + ("LINEARIZABLE: every client saw results one order of instants explains"
                       if not failed else f"VIOLATED: {', '.join(failed)}")
    )
    return "\n".join(lines)
