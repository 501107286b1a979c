"""``python -m paxos_lib demo``: the course's starting code, a toy Paxos, run as written.

Prints the toy's own result line and where the course goes next.  Imports only
``paxos_lib.snippet``.
"""

from __future__ import annotations

import argparse
from typing import Any

from paxos_lib.snippet import run_paxos

__all__ = ["register", "run"]

NEXT_STEPS = (
    "This is one node agreeing with itself. To see why that is not yet Paxos, open\n"
    "notebooks/01-one-acceptor.ipynb (run `jupyter lab` in the repository root)."
)


def _state(text: str) -> str:
    """An order state: a non-empty word such as 'confirmed'."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"must be a non-empty order state such as 'confirmed', got {text!r}"
        )
    return text


def register(subparsers: Any) -> None:
    """Add the ``demo`` command to ``subparsers``."""
    parser = subparsers.add_parser(
        "demo",
        help="run the course's starting code, a toy single-node Paxos, on an order state",
        description=(
            "Run the course's starting point, a toy single-node Paxos, on the order state "
            "given by --state and print its result line, then where to go next."
        ),
    )
    parser.add_argument(
        "--state",
        default="confirmed",
        type=_state,
        metavar="STATE",
        help="the order state to agree on (default: %(default)s)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print ``Paxos result: <result>`` for ``args.state`` and the next steps; return 0."""
    print("Paxos result:", run_paxos(args.state))
    print(NEXT_STEPS)
    return 0
