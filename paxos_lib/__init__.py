"""paxos_lib: Paxos, step by step.

A small library behind a notebook course on Paxos.  The protocol roles are pure state
machines (``roles``); one engine (``engine``) lists and applies what can happen next; the
simulator (``simulation``), the explorer and the stepper widgets all drive that engine, so a
trace from any of them replays in the others.

Flat public API::

    import paxos_lib as px
    cluster = px.Cluster(proposers=2, acceptors=3, learners=1)
    sim = px.Simulation(cluster, seed=0, variant="classic", network="lossy")
    sim.propose("p1", "confirmed")
    sim.run(max_steps=2000, faults=px.Faults(drop=0.1, duplicate=0.05, crash=0.02))
    sim.chosen(), sim.learned(), sim.trace

Importing this package never imports networkx, matplotlib or ipywidgets; ``px.viz`` loads
them on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from paxos_lib.actions import (
    Action,
    Crash,
    Deliver,
    Drop,
    Duplicate,
    Heal,
    Partition,
    Propose,
    Recover,
    Timeout,
)
from paxos_lib.cluster import Cluster
from paxos_lib.engine import (
    NETWORKS,
    World,
    apply,
    enabled_actions,
    initial_world,
    is_enabled,
    why_not,
)
from paxos_lib.errors import (
    ConfigError,
    InvalidTransitionError,
    PaxosError,
    SimulationError,
    UnknownNodeError,
)
from paxos_lib.explore import ExploreResult, explore
from paxos_lib.messages import Accept, Accepted, Ballot, Decided, Nack, Prepare, Promise
from paxos_lib.properties import PROPERTIES, Verdict, accepted, chosen, learned, promised
from paxos_lib.roles import Acceptor, Learner, Proposer
from paxos_lib.simulation import Faults, RunResult, Simulation, replay
from paxos_lib.trace import Trace
from paxos_lib.variants import VARIANTS

__all__ = [
    "NETWORKS",
    "PROPERTIES",
    "VARIANTS",
    "Accept",
    "Accepted",
    "Acceptor",
    "Action",
    "Ballot",
    "Cluster",
    "ConfigError",
    "Crash",
    "Decided",
    "Deliver",
    "Drop",
    "Duplicate",
    "ExploreResult",
    "Faults",
    "Heal",
    "InvalidTransitionError",
    "Learner",
    "Nack",
    "Partition",
    "PaxosError",
    "Prepare",
    "Promise",
    "Propose",
    "Proposer",
    "Recover",
    "RunResult",
    "Simulation",
    "SimulationError",
    "Timeout",
    "Trace",
    "UnknownNodeError",
    "Verdict",
    "World",
    "accepted",
    "apply",
    "chosen",
    "enabled_actions",
    "explore",
    "initial_world",
    "is_enabled",
    "learned",
    "promised",
    "replay",
    "snippet",
    "why_not",
]

# Linearizability checker for recorded client histories of order operations (lesson 08).
from paxos_lib.linearizability import (
    Linearizability,
    Operation,
    check_linearizable,
    history_from_events,
)

__all__ += ["Linearizability", "Operation", "check_linearizable", "history_from_events"]

_LAZY = ("snippet", "viz", "exercises", "orders", "multipaxos", "grading", "zoo")


def __getattr__(name: str) -> Any:
    """Load submodules on first use (``viz`` needs matplotlib, networkx and ipywidgets)."""
    if name in _LAZY:
        return importlib.import_module(f"paxos_lib.{name}")
    raise AttributeError(f"module 'paxos_lib' has no attribute {name!r}")


# -- refinement: Consensus → Voting → Paxos, inductive invariants (lesson 09, part 1) --------
from paxos_lib.refinement import (  # noqa: E402
    InductionResult,
    PaxosView,
    RefinementError,
    RefinementResult,
    VotingState,
    VotingView,
    check_inductive,
    check_refinement,
)

__all__ += [
    "InductionResult",
    "PaxosView",
    "RefinementError",
    "RefinementResult",
    "VotingState",
    "VotingView",
    "check_inductive",
    "check_refinement",
]
