"""The explorer against a lease used beyond its margin, from a quiet cluster.

Theory of operation
-------------------
``partition_scene`` scripts two thousand steps (the split, the cancel, the new leader) before
the explorer looks for the stale read.  Here the explorer starts from a *quiet* cluster and
finds the rest of the story itself; the one thing the start gives it is the lesson's split,
which no step of the search can heal (``partitions=False``):

1. **The start** (``quiet_lease_scene``).  Three replicas (``r1`` leads) and two clients.
   ``c1`` creates order #1 (``QUIET_CREATE``) through ``r1``, and a *calm* schedule (always
   the first message in flight, a timer only when nothing is in flight) runs until nothing
   is in flight and no timer is set: every replica applied the create, and ``r1``'s last
   lease round was granted by both followers.  Then the network splits as in the lesson
   (``SCENE_SPLIT``: ``r1`` and the shop page's ``c2`` on one side) and nothing else
   happens: no command is waiting, no follower suspects ``r1``.  Clocks: ``r1`` runs at
   ``1 - drift``, the others at ``1 + drift`` (the worst case a lease must survive).
2. **The search** (``explore_lease``): ``paxos_lib.explore.explore`` from that start, with
   ``c1`` free to invoke the cancel (``QUIET_CANCEL``) and ``c2`` the read
   (``QUIET_READ``) at any step, checking ``linearizable``.  It has to find that ``c1``
   asks ``r3``, which must time out twice (a follower first re-sends the forward, then
   suspects the leader) once ``r1``'s lease no longer binds it, win ``r2``'s promise,
   get the cancel chosen and answered, and that ``c2`` then reads at ``r1`` while ``r1``'s
   own slow clock still says its lease is valid.

The model's bounds (``LEASE_BOUNDS``), stated in every result's detail line: ballots up to
round 2, at most one copy of a message, **no message lost** (``drops=False``) and **at most
two timer firings** (``max_timeouts=2``).  With clocks every step is a unit of time, so
every loss and every timer firing is a new state at every later level; without these two
bounds the space from this start grew about five times per level when we measured it, and
the 12-step story was out of reach.  Bounds only remove behaviours, so every counterexample
found is a real run of the full model (the tests replay it).  Without the split
(``quiet_lease_scene(split=False)``), even with both bounds, the old leader's own traffic
(forwards it hears, lease renewals, its proposals) multiplies the states some three and a
half times per level: in 60 s the search reaches depth 10 of the 13 it needs
(``bench/reads.py --unsplit-seconds 60``), so that start is measured, not tested.

Why the counterexample is a shortest one of the *full* model, not only of the bounded one.
Breadth-first order makes it shortest among bounded runs; and no run of the full model from
this start reaches a stale read in fewer steps (``STALE_READ_STEPS``, 12; "full" meaning
the same explorer without the two bounds):

- ``c1`` must invoke the cancel and ``c2`` the read (2 steps), and the read must be invoked
  after ``c1`` heard the cancel's reply, or the read could be linearized before the cancel;
- the cancel's reply comes from a replica that applied it, and ``r1`` answers a read from
  its book only while it leads with a lease and has nothing in flight (a command chosen
  at its own ballot is in flight there until it applies it); so another replica must lead
  and get the cancel chosen: ``c1``'s request delivered to ``r2`` or ``r3`` (1), two
  timeouts there (2: in the start both follow ``r1`` and suspect nobody, and such a
  follower first re-sends the forward and takes over only on its next timeout), its
  prepare and a promise delivered (2), an accept and its vote delivered (2: a quorum is 2
  of 3), and the reply delivered to ``c1`` (1);
- the read reaches ``r1`` and its reply reaches ``c2`` (2).

That is 2 + 8 + 2 = 12 steps; losses, retries and timing can only add to it.  So a found
counterexample of 12 steps is shortest, and ``tests/test_reads.py`` pins that length.

With a safe margin (``safe_margin(lease, drift)``) the same search ends at its depth bound
with no violation: ``r1``'s lease ran out before ``r3`` could take over.  It cannot end
"exhausted": a client that finished may still invoke its (already answered) operation, a
step that changes nothing but the time, so the space has no end.

NOTE: neither ``paxos_lib.reduce`` nor ``paxos_lib.symmetry`` applies here.  Both are
built for the single-decree ``Cluster`` (``explore`` refuses symmetry for a
``ReplicaCluster``, where a replica's id orders its ballots and clients pick replicas by
id), and the clocks break the commutation partial-order reduction relies on: two steps at
different replicas, swapped, run at different times, and a lease check reads the time.

Imports the engine, the explorer and the client modules; never networkx, matplotlib or
ipywidgets.
"""

from __future__ import annotations

from typing import Any

from paxos_lib.actions import Deliver, Partition, Timeout
from paxos_lib.engine import enabled_actions
from paxos_lib.errors import ConfigError
from paxos_lib.explore import explore
from paxos_lib.multipaxos.clients import (
    SCENE_SPLIT,
    ClientCluster,
    ClientSimulation,
    _check_drift,
    _check_int,
)
from paxos_lib.search import ExploreResult

__all__ = [
    "LEASE_BOUNDS",
    "QUIET_CANCEL",
    "QUIET_CREATE",
    "QUIET_READ",
    "STALE_READ_STEPS",
    "calm_settle",
    "explore_lease",
    "quiet_lease_scene",
]

QUIET_CREATE = "create #1 (c1/1)"
QUIET_CANCEL = "cancel #1 (c1/2)"
QUIET_READ = "read #1 (c2/1)"
#: The fewest steps from ``quiet_lease_scene`` to a stale read (see the module docstring).
STALE_READ_STEPS = 12
#: The bounds of the search model (see the module docstring).
LEASE_BOUNDS: dict[str, Any] = {"max_ballot": 2, "max_copies": 1, "drops": False,
                                "max_timeouts": 2}


def calm_settle(sim: ClientSimulation, max_steps: int = 1_000) -> int:
    """Run ``sim`` without faults, in the calmest order, until nothing can happen: the first
    message in flight (in the engine's order), or when none is in flight the first timer.
    Returns the number of steps taken; ConfigError if it does not end in ``max_steps``."""
    _check_int("max_steps", max_steps, 1, 10**6)
    for taken in range(max_steps + 1):
        actions = enabled_actions(sim.world)
        step = next((a for a in actions if isinstance(a, Deliver)), None) or next(
            (a for a in actions if isinstance(a, Timeout)), None)
        if step is None:
            return taken
        if taken == max_steps:
            break
        sim.apply(step)
    raise ConfigError(f"the cluster did not settle within {max_steps} steps")


def quiet_lease_scene(
    margin: int | None = None,
    *,
    reads: str = "lease",
    lease: int = 10,
    drift: float = 0.6,
    seed: int = 3,
    split: bool = True,
) -> ClientSimulation:
    """The quiet start of the module docstring: order #1 created and applied by every
    replica (``calm_settle``), ``r1`` leading, then (``split=True``) the lesson's split.

    ``margin`` defaults to ``safe_margin(lease, drift)``; the defaults (lease 10, drift 0.6,
    seed 3: ``c1`` asks ``r1`` first for the create and ``r3`` for the cancel, ``c2`` asks
    ``r1``) leave ``r1`` holding its lease at the start with margin 0.
    """
    drift = _check_drift(drift)
    if not isinstance(split, bool):
        raise ConfigError(f"split must be True or False, got {split!r}")
    cluster = ClientCluster(3, clients=2, reads=reads, lease=lease, margin=margin, drift=drift,
                            seed=seed, rates=(1 - drift, 1 + drift, 1 + drift))
    sim = ClientSimulation(cluster, seed=seed)
    sim.invoke("c1", QUIET_CREATE)
    calm_settle(sim)
    if split:
        sim.apply(Partition(SCENE_SPLIT))
    return sim


def explore_lease(sim: ClientSimulation, **options: Any) -> ExploreResult:
    """``explore`` from ``sim`` (a ``quiet_lease_scene``) with ``c1`` free to cancel and
    ``c2`` to read, checking ``linearizable`` within ``LEASE_BOUNDS``.  ``options`` go to
    ``explore`` (``max_depth``, ``time_limit``, ...) and may override the bounds."""
    if not isinstance(sim, ClientSimulation):
        raise ConfigError(
            f"explore_lease needs a ClientSimulation such as quiet_lease_scene(0), got {sim!r}"
        )
    settings: dict[str, Any] = {**LEASE_BOUNDS, "properties": ["linearizable"], **options}
    return explore(sim.cluster, {"c1": QUIET_CANCEL, "c2": QUIET_READ}, start=sim, **settings)
