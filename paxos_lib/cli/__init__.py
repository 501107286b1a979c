"""The command line, ``python -m paxos_lib COMMAND``.

Each command lives in its own module in this package, listed in ``COMMANDS``.  A command
module exposes ``register(subparsers) -> None``: it adds its parser (with ``help`` for every
flag) and sets ``run`` as a default, a callable taking the parsed arguments and returning the
exit code.

Errors are one line on stderr and exit status 2, always with the prefix
``python -m paxos_lib: error:``: bad arguments (unknown flag, bad value, missing command)
through ``CliParser.error`` (also in a command's own parser), and any ``PaxosError`` a
command raises.  A command that checks flags against each other raises ``ConfigError``
with a message that starts ``argument --FLAG:``, as argparse's own do.  ``--version`` prints
the package version.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from typing import NoReturn

from paxos_lib.errors import PaxosError

__all__ = ["COMMANDS", "PROG", "CliParser", "build_parser", "error_line", "main", "version"]

PROG = "python -m paxos_lib"

# The command modules, in the order --help lists them.
COMMANDS: tuple[str, ...] = ("demo", "simulate", "check", "orders")


def version() -> str:
    """The installed package's version (from its metadata), or "unknown" when run from a
    source tree that was never installed."""
    try:
        return importlib.metadata.version("paxos_lib")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def error_line(message: str) -> str:
    """The one line every error is printed as."""
    return f"{PROG}: error: {' '.join(str(message).split())}\n"


class CliParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``python -m paxos_lib: error: MESSAGE`` on stderr and exit 2."""
        self.exit(2, error_line(message))


def build_parser() -> CliParser:
    """The top-level parser with one subparser per module in ``COMMANDS``."""
    parser = CliParser(
        prog=PROG,
        description="Paxos, step by step: run the course's examples from the command line.",
    )
    parser.add_argument("--version", action="version", version=f"paxos_lib {version()}",
                        help="print the version of paxos_lib and exit")
    subparsers = parser.add_subparsers(
        title="commands",
        dest="command",
        metavar="COMMAND",
        required=True,
        parser_class=CliParser,
    )
    for name in COMMANDS:
        module = importlib.import_module(f"paxos_lib.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), run the chosen command, return its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help (0) or a bad argument (2), already printed
        return stop.code if isinstance(stop.code, int) else 2
    try:
        return int(args.run(args))
    except PaxosError as error:
        sys.stderr.write(error_line(str(error)))
        return 2
