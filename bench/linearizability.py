"""Linearizability checker: how much work per history size and concurrency.

Each case is a seeded random history of ``--ops`` operations by ``concurrency`` clients, each
client sequential (one operation at a time, with random think time); operations touch a few
orders (about one per 25 operations), two reads for every write.  Every operation runs on the
real order book at one instant inside its interval, so the history is linearizable; about one
in fifteen is left pending (half of those never took effect).  A second, *stale* history is the
same with one read changed to return the order's status from before the latest write that had
finished when the read started (when there is one): the checker must reject it and find a
shortest violation.

Prints, per case: operations, clients, seconds and memo states for the linearizable history,
and for the stale one whether it was caught (``none`` when no read could be made stale),
seconds, memo states (the shortest-violation search included) and the violation's size.
This prints figures; it asserts nothing about time.

    python bench/linearizability.py
    python bench/linearizability.py --ops 10 50 200 --concurrency 2 3 5 --json
    python bench/linearizability.py --orders 1       # every operation on order 40: hardest
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

from paxos_lib.linearizability import Operation, check_linearizable, read_result, write_result
from paxos_lib.orders import COMMAND_KINDS, Command, OrderBook, apply


def make_history(
    ops: int, clients: int, seed: int, orders_count: int | None = None
) -> tuple[list[Operation], list[Operation]]:
    """A linearizable history and its stale-read twin (the twin may equal it)."""
    rng = random.Random(seed)
    orders = list(range(40, 40 + (orders_count or max(1, ops // 25))))
    plans = []  # (instant, invoked, responded, client, index)
    free_at = dict.fromkeys(range(clients), 0)
    for index in range(ops):
        client = index % clients
        invoked = free_at[client] + rng.randint(0, 3)
        instant = invoked + rng.randint(0, 4)
        responded = instant + rng.randint(1, 4)
        free_at[client] = responded + 1
        plans.append((instant, invoked, responded, client, index))
    book = OrderBook.empty()
    history: list[Operation] = []
    writes: dict[int, list[tuple[int, str]]] = {order: [] for order in orders}  # (resp, before)
    reads: list[tuple[int, Operation]] = []
    requests = dict.fromkeys(range(clients), 0)
    for _instant, invoked, responded, client, _ in sorted(plans):
        name = f"c{client}"
        order = rng.choice(orders)
        pending = rng.random() < 1 / 15
        if rng.random() < 1 / 3 or book.status(order) is None:
            kind = "create" if book.status(order) is None else rng.choice(COMMAND_KINDS[1:])
            requests[client] += 1
            command = f"{kind} #{order} ({name}/{requests[client]})"
            if pending and rng.random() < 0.5:
                history.append(Operation(name, command, None, invoked, None))
                continue
            before = read_result(book, order)
            book, outcome = apply(book, Command.parse(command))
            if not pending:
                writes[order].append((responded, before))
            history.append(Operation(name, command, None if pending else write_result(outcome),
                                     invoked, None if pending else responded))
        else:
            op = Operation(name, f"read #{order}", None if pending else read_result(book, order),
                           invoked, None if pending else responded)
            history.append(op)
            if not pending:
                reads.append((order, op))
    stale = list(history)
    for order, op in reversed(reads):
        finished = [before for resp, before in writes[order] if resp < op.invoked]
        if finished and finished[-1] != op.result:
            index = stale.index(op)
            stale[index] = Operation(op.client, op.command, finished[-1], op.invoked,
                                     op.responded)
            break
    return history, stale


def bench(
    ops_list: list[int], concurrency: list[int], seed: int, orders: int | None = None
) -> list[dict[str, object]]:
    rows = []
    for ops in ops_list:
        for clients in concurrency:
            history, stale = make_history(ops, clients, seed, orders)
            start = time.perf_counter()
            good = check_linearizable(history)
            good_seconds = time.perf_counter() - start
            start = time.perf_counter()
            bad = check_linearizable(stale)
            bad_seconds = time.perf_counter() - start
            rows.append({
                "ops": ops,
                "clients": clients,
                "linearizable": good.linearizable,
                "seconds": round(good_seconds, 4),
                "states": good.states,
                "stale_injected": stale != history,
                "stale_linearizable": bad.linearizable,
                "stale_seconds": round(bad_seconds, 4),
                "stale_states": bad.states,
                "violation_size": None if bad.violation is None else len(bad.violation),
            })
    return rows


def _stale_word(row: dict[str, object]) -> str:
    if not row["stale_injected"]:
        return "none"  # no read had a finished write to be stale about
    return "MISSED" if row["stale_linearizable"] else "caught"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[2, 3, 4, 5])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--orders", type=int, default=None,
                        help="orders the operations touch (default: one per 25 operations)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.ops) or any(c < 1 for c in args.concurrency):
        parser.error("--ops and --concurrency take integers >= 1")
    if args.orders is not None and args.orders < 1:
        parser.error(f"--orders takes an integer >= 1, got {args.orders}")
    rows = bench(args.ops, args.concurrency, args.seed, args.orders)
    if args.json:
        print(json.dumps({"python": platform.python_version(), "seed": args.seed, "cases": rows},
                         indent=2))
        return 0
    print(f"{'ops':>5} {'clients':>7} {'ok':>3} {'seconds':>8} {'states':>7}   "
          f"{'stale':>5} {'seconds':>8} {'states':>7} {'shortest':>8}")
    for row in rows:
        print(f"{row['ops']:>5} {row['clients']:>7} {'yes' if row['linearizable'] else 'NO':>3} "
              f"{row['seconds']:>8.4f} {row['states']:>7}   "
              f"{_stale_word(row):>5} "
              f"{row['stale_seconds']:>8.4f} {row['stale_states']:>7} "
              f"{row['violation_size'] if row['violation_size'] is not None else '-':>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
