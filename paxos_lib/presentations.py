"""Presentations differ: the acceptor as the Part-Time Parliament, Paxos Made Simple and
Paxos.tla write it, each run through the explorer.

Theory of operation
-------------------
The course's acceptor (``classic``) promises a ballot at or above its promise (``b >=
promised``: a repeated Prepare gets the same promise again) and accepts at or above its
promise, raising the promise to the ballot it accepts.  Lamport's texts differ in one rule
each (``paxos_lib.variants.PRESENTATIONS``):

=======================  ===================================  ===============================
variant                  phase 1b (promise)                   phase 2b (accept)
=======================  ===================================  ===============================
classic                  b >= promised                        b >= promised; promised := b
paxos-tla                b > maxBal (Paxos.tla's Phase1b)     b >= maxBal; maxBal := b
paxos-made-simple        b >= promised                        b >= promised; promise kept
part-time-parliament     b >= promised                        only b = promised (nextBal)
=======================  ===================================  ===============================

All are safe (``compare`` runs the explorer on each; ``tests/test_presentations.py`` pins the
counts).  What changes is which runs exist, and so the state counts and which of Paxos.tla's
invariants hold:

- ``part-time-parliament``: an Accept that overtakes its Prepare is refused (the classic
  acceptor accepts it).  On a network that may lose the Prepare, that acceptor can never
  vote at that ballot.
- ``paxos-made-simple``: an acceptor may accept a ballot above its promise and keep the old
  promise, so its vote sits above its promise: Paxos.tla's ``votes-within-promise`` (and so
  ``promises-report-votes``) is not an invariant of this presentation, though agreement is.
- ``paxos-tla``: a repeated Prepare gets no second promise, so fewer messages, fewer states.

The ambiguity in Paxos Made Simple's phase 2a.  The paper says that a proposer with
responses from a majority "sends an accept request to each of those acceptors" in the
protocol, but its summary of phase 2a reads "it sends an accept request to a set of
acceptors", which readers take to allow acceptors that never promised; and the value rule
("v is the value of the highest-numbered proposal among the responses, or is any value if
the responses reported no proposals") is read by some as "any value" even when only some
responses report one.  The course's rules resolve both: a proposer sends ``Accept`` to every
acceptor (rule 3 of ``paxos_lib.roles``; an acceptor that never promised the ballot may
accept it, as in Paxos.tla's ``Phase2b``, unless it promised higher), and it proposes the
value of the highest-ballot vote reported by *any* promise of its quorum, its own only when
none reports a vote.  Sending to acceptors outside the quorum is safe because what makes a
value safe is the phase-1 quorum's promises, not who votes; proposing "any value" when one
promise reports a vote is the ``forgetful-proposer`` bug.

This module drives the explorer only; it imports no viz packages.
"""

from __future__ import annotations

from dataclasses import dataclass

from paxos_lib.actions import Deliver
from paxos_lib.cluster import Cluster
from paxos_lib.errors import ConfigError, one_of
from paxos_lib.explore import explore
from paxos_lib.messages import Accept, Prepare, Promise
from paxos_lib.properties import ALL_PROPERTIES
from paxos_lib.simulation import Simulation
from paxos_lib.variants import PRESENTATIONS

__all__ = ["MODEL", "NAMES", "SAFETY", "Comparison", "compare", "overtaken_accept"]

#: The classic acceptor, then the three presentations.
NAMES: tuple[str, ...] = ("classic", *PRESENTATIONS)

#: Every always-property that holds in every presentation: consensus, one value per ballot,
#: every vote safe (learners left out, so that the search skips deliveries to them).
SAFETY: tuple[str, ...] = tuple(
    p.name for p in ALL_PROPERTIES
    if p.name not in ("learners", "learned-stable", "votes-within-promise",
                      "promises-report-votes")
)

#: The model the presentations are compared on: 2 proposers with one ballot each, 2
#: acceptors, a phase-1 quorum of 1 and a phase-2 quorum of 2 (safe: 1 + 2 > 2), so an
#: Accept can reach an acceptor that never promised its ballot (where the presentations
#: differ) in a space small enough to exhaust in a second.
MODEL = Cluster(proposers=2, acceptors=2, phase1_quorum=1, phase2_quorum=2)
CLIENTS = {"p1": "v1", "p2": "v2"}


@dataclass(frozen=True)
class Comparison:
    """One presentation through the explorer: safe or not, and the counts."""

    variant: str
    ok: bool
    states: int
    transitions: int
    #: The first of Paxos.tla's invariants the presentation breaks (None: none).
    breaks: str | None
    #: The length of the shortest run that breaks it (0 when none).
    breaks_at: int


def compare(variant: str, cluster: Cluster = MODEL, max_ballot: int = 1) -> Comparison:
    """Explore ``variant`` on ``cluster`` for the safety properties (``SAFETY``, with
    reduction and symmetry), then with every invariant, to see which one it breaks."""
    if variant not in NAMES:
        raise ConfigError(f"unknown presentation {variant!r}; choose {one_of(NAMES)}")
    safe = explore(cluster, CLIENTS, variant=variant, max_ballot=max_ballot,
                   properties=SAFETY, reduce=True, symmetry=True)
    every = explore(cluster, CLIENTS, variant=variant, max_ballot=max_ballot,
                    properties=[*SAFETY[:1], "votes-within-promise", "promises-report-votes",
                                *SAFETY[1:]], reduce=True, symmetry=True)
    steps = 0 if every.counterexample is None else len(every.counterexample)
    return Comparison(variant, safe.ok, safe.states, safe.transitions, every.violation, steps)


def overtaken_accept(variant: str) -> Simulation:
    """A run where the presentations differ: p1 hears a1's promise (a phase-1 quorum of
    one on ``MODEL``) and its Accept reaches a2 before p1's Prepare does.  The classic and
    Paxos.tla acceptors accept there; the Part-Time Parliament's refuses (it promised
    nothing); Paxos Made Simple's accepts but keeps no promise."""
    if variant not in NAMES:
        raise ConfigError(f"unknown presentation {variant!r}; choose {one_of(NAMES)}")
    sim = Simulation(MODEL, variant=variant, network="sent-set")
    sim.propose("p1", "v1")
    for kind, src, dst in ((Prepare, "p1", "a1"), (Promise, "a1", "p1"), (Accept, "p1", "a2")):
        message = next(m for m in sim.world.inflight
                       if isinstance(m, kind) and m.src == src and m.dst == dst)
        sim.apply(Deliver(message))
    return sim
