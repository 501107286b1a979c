"""Scripted Raft runs for lessons, exercises and tests: figure 8 of the Raft paper, on 3 servers.

Theory of operation
-------------------
``figure8(variant)`` plays, step by step on the one engine, the run of the Raft paper's
figure 8 shrunk to three servers and the order-42 thread:

1. ``s1`` wins term 1 (with ``s2``'s vote) and appends ``create #42 (c1/1)``, which no one
   else receives;
2. ``s2`` wins term 2 (with ``s3``'s vote: its empty log is as up to date as ``s3``'s) and
   appends its own client's ``create #42 (c2/1)`` at the same index, which no one else
   receives; its RequestVote tells ``s1`` about term 2;
3. ``s1``'s client retries, ``s1`` times out and wins term 3 with ``s3``'s vote (``s1``'s log
   ends in term 1, ``s3``'s is empty).

``FIGURE8_PREFIX`` is the number of steps of that script.  From there the explorer asks
whether a committed entry can be lost (``figure8_search``): under ``raft-commit-old-term``
``s1`` copies its term-1 entry to ``s3``, counts two replicas, commits and applies it; then
``s2`` (whose log ends in term 2) wins term 4 with ``s3``'s vote, and would overwrite it.
Under classic Raft ``s1`` may not commit that entry until an entry of term 3 is on a
majority, which ``s2`` can then no longer beat.

Steps pick messages by kind, endpoints *and term* (``deliver``), because on the sent-set
network an old message of the same kind stays in flight.
"""

from __future__ import annotations

from paxos_lib.actions import Deliver, Propose, Timeout
from paxos_lib.errors import ConfigError, SimulationError
from paxos_lib.orders import create
from paxos_lib.raft.cluster import RaftCluster, check_raft_variant
from paxos_lib.raft.simulation import RaftSimulation

__all__ = ["FIGURE8_COMMANDS", "FIGURE8_PREFIX", "deliver", "figure8", "figure8_values"]

FIGURE8_COMMANDS = (str(create(42, "c1", 1)), str(create(42, "c2", 1)))
"""The two clients' commands: ``s1``'s and ``s2``'s ``create #42``."""


def deliver(sim: RaftSimulation, kind: str, src: str, dst: str, term: int) -> None:
    """Deliver the in-flight ``kind`` message of ``term`` from ``src`` to ``dst``."""
    if not isinstance(sim, RaftSimulation):
        raise ConfigError(f"deliver needs a RaftSimulation, got {sim!r}")
    if kind not in RaftSimulation.MESSAGE_KINDS:
        raise ConfigError(f"unknown Raft message kind {kind!r}; kinds: "
                          f"{', '.join(RaftSimulation.MESSAGE_KINDS)}")
    sim.cluster.check_node(src)
    sim.cluster.check_node(dst)
    if isinstance(term, bool) or not isinstance(term, int) or term < 0:
        raise ConfigError(f"term must be an int >= 0, got {term!r}")
    for m in sim.world.inflight:
        if kind == m.KIND and m.src == src and m.dst == dst and m.ballot.round == term:
            sim.apply(Deliver(m))
            return
    raise SimulationError(f"no {kind} of term {term} from {src} to {dst} is in flight")


def figure8_values() -> dict[str, str]:
    """The explorer's client values for the figure-8 model: ``s1``'s and ``s2``'s commands."""
    a, b = FIGURE8_COMMANDS
    return {"s1": a, "s2": b}


def figure8(variant: str = "classic", *, commit_rule: object = None,
            network: str = "sent-set") -> RaftSimulation:
    """A simulation that has played the script of the module docstring (``FIGURE8_PREFIX``
    steps), on ``RaftCluster(3, backoff=False)``."""
    check_raft_variant(variant)
    if commit_rule is not None and not callable(commit_rule):
        raise ConfigError(f"commit_rule must be a function or None, got {commit_rule!r}")
    a, b = FIGURE8_COMMANDS
    cluster = RaftCluster(3, commit_rule=commit_rule, backoff=False)  # type: ignore[arg-type]
    sim = RaftSimulation(cluster, variant=variant, network=network)
    sim.apply(Propose("s1", a))
    sim.apply(Timeout("s1"))                      # s1: candidate, term 1
    deliver(sim, "request-vote", "s1", "s2", 1)
    deliver(sim, "vote", "s2", "s1", 1)           # s1 leads term 1, appends a
    sim.apply(Propose("s2", b))
    sim.apply(Timeout("s2"))                      # s2: candidate, term 2
    deliver(sim, "request-vote", "s2", "s3", 2)
    deliver(sim, "vote", "s3", "s2", 2)           # s2 leads term 2, appends b
    deliver(sim, "request-vote", "s2", "s1", 2)   # s1 hears of term 2, refuses its vote
    sim.apply(Propose("s1", a))                   # s1's client retries
    sim.apply(Timeout("s1"))                      # s1: candidate, term 3
    deliver(sim, "request-vote", "s1", "s3", 3)
    deliver(sim, "vote", "s3", "s1", 3)           # s1 leads term 3
    return sim


FIGURE8_PREFIX = 13
