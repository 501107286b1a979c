"""Raft beside Multi-Paxos: the same order log, the same engine, the same faults.

Theory of operation
-------------------
Raft (Ongaro and Ousterhout, 2014) replicates a log of commands like Multi-Paxos, with a
majority and a leader, but decides two things differently: a leader's log never has holes
(entries go at its end, and followers' logs are made to match it), and only a candidate
whose log is at least as up to date as a majority's can be elected, so a new leader already
holds every committed entry and never recovers slots from the others.  The price is the
commit rule: a leader counts replicas only for an entry of its own term.

The package runs on the one engine (``paxos_lib.engine``) through its protocol hook, exactly
as ``paxos_lib.multipaxos`` does, so the simulator's seeded scheduler, faults, undo and traces
all apply unchanged:

- ``messages``: RequestVote, AppendEntries, their replies, Forward.
- ``server``: the ``RaftServer`` state machine (the rules are numbered there).
- ``cluster``: ``RaftCluster`` (the engine's hook), the variants and the commit rules.
- ``properties``: observations and the named properties (election safety, log matching,
  leader completeness, state machine safety, ...).
- ``trace``: ``RaftTrace``, a replayable run as JSON.
- ``simulation``: ``RaftSimulation`` and the order workload (``run_raft``).
- ``compare``: Raft and Multi-Paxos side by side on the same seeded workloads.

Example::

    from paxos_lib.raft import RaftSimulation
    from paxos_lib.simulation import Faults
    sim = RaftSimulation(5, seed=3)
    result = sim.run_workload(orders=20, faults=Faults(drop=0.1, crash=0.05))
    result.agree, result.messages, sim.order_states("s1")

This package imports the orders domain, the core and Multi-Paxos's simulation; never
networkx, matplotlib or ipywidgets.
"""

from __future__ import annotations

from paxos_lib.raft.cluster import (
    RAFT_VARIANTS,
    CommitRule,
    RaftCluster,
    RaftRules,
    check_raft_variant,
    commit_counting_replicas,
    commit_current_term,
)
from paxos_lib.raft.messages import AppendEntries, AppendReply, Forward, RequestVote, VoteReply
from paxos_lib.raft.properties import (
    RAFT_PROPERTIES,
    applied,
    check_all,
    leaders,
    log,
    order_states,
    server_rows,
    servers,
    votes_cast,
)
from paxos_lib.raft.server import RAFT_ROLES, RaftServer
from paxos_lib.raft.simulation import RaftSimulation, replay_raft, run_raft
from paxos_lib.raft.trace import RaftTrace

__all__ = [
    "RAFT_PROPERTIES",
    "RAFT_ROLES",
    "RAFT_VARIANTS",
    "AppendEntries",
    "AppendReply",
    "CommitRule",
    "Forward",
    "RaftCluster",
    "RaftRules",
    "RaftServer",
    "RaftSimulation",
    "RaftTrace",
    "RequestVote",
    "VoteReply",
    "applied",
    "check_all",
    "check_raft_variant",
    "commit_counting_replicas",
    "commit_current_term",
    "leaders",
    "log",
    "order_states",
    "replay_raft",
    "run_raft",
    "server_rows",
    "servers",
    "votes_cast",
]
