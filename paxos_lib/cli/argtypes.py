"""Argument types the subcommands share: each turns text into a value or says what is allowed.

argparse reports an ``ArgumentTypeError`` as the one-line error of the command (exit 2).
"""

from __future__ import annotations

import argparse

__all__ = ["probability", "seed"]


def seed(text: str) -> int:
    """A random seed: any whole number."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None


def probability(text: str) -> float:
    """A probability from 0 to 1 (nan refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a probability from 0 to 1, got {text!r}"
        ) from None
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a probability from 0 to 1, got {text}")
    return value
