"""The bug zoo: for each broken variant, the small explorer search that catches it.

Theory of operation
-------------------
``SEARCHES`` maps every broken variant to the smallest model in which the explorer finds its
shortest counterexample within seconds: a cluster, the clients' values, the bounds, and for
``lowest-vote`` a start (``two_votes``), since its bug needs two votes for different values
at two ballots before anything can go wrong, and the search from the initial world of
2 proposers x 3 acceptors at rounds <= 2 is too large to finish in seconds.
``catch(variant)`` runs that search; ``tests/test_zoo.py`` pins each result (the length of
the shortest counterexample and the invariant it breaks) and shows no two are the same;
``bench/detection.py`` sets them beside random simulation's detection rates.

This module drives the explorer only; it imports no viz packages.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from paxos_lib.actions import Deliver
from paxos_lib.cluster import Cluster
from paxos_lib.errors import ConfigError, one_of
from paxos_lib.explore import explore
from paxos_lib.messages import Accept, Message, Prepare, Promise
from paxos_lib.properties import ALL_PROPERTIES
from paxos_lib.search import ExploreResult
from paxos_lib.simulation import Simulation
from paxos_lib.variants import BROKEN

__all__ = ["NO_LEARNERS", "SEARCHES", "Search", "catch", "summary", "two_votes"]

CLIENTS = {"p1": "v1", "p2": "v2"}

#: Every always-property but the two that read learners.  Where learners play no part in a
#: bug, leaving these out lets the explorer skip deliveries to learners: a smaller space and
#: the same counterexample.
NO_LEARNERS: tuple[str, ...] = tuple(
    p.name for p in ALL_PROPERTIES if p.name not in ("learners", "learned-stable")
)


def _deliver(sim: Simulation, kind: type[Message], src: str, dst: str) -> None:
    """Deliver the ``kind`` message from ``src`` to ``dst`` at the highest ballot in flight."""
    found = [m for m in sim.world.inflight
             if isinstance(m, kind) and m.src == src and m.dst == dst]
    sim.apply(Deliver(max(found, key=lambda m: m.ballot)))


def two_votes(variant: str) -> Simulation:
    """2 proposers x 3 acceptors on the sent-set network, 12 steps: a1 votes 'v1' at 1.p1,
    then a2 votes 'v2' at 1.p2 (the promises p2 hears report no vote)."""
    sim = Simulation(Cluster(proposers=2, acceptors=3), variant=variant, network="sent-set")
    for proposer, value, acceptors in (("p1", "v1", ("a1", "a2")), ("p2", "v2", ("a2", "a3"))):
        sim.propose(proposer, value)
        for a in acceptors:
            _deliver(sim, Prepare, proposer, a)
        for a in acceptors:
            _deliver(sim, Promise, a, proposer)
        _deliver(sim, Accept, proposer, acceptors[0])
    return sim


@dataclass(frozen=True)
class Search:
    """One explorer search: the model, and what it finds for its variant."""

    cluster: Cluster
    values: Any
    bounds: dict[str, Any] = field(default_factory=dict)
    start: str | None = None
    steps: int = 0  # the length of the shortest counterexample
    breaks: str = ""  # the property it breaks first

    def describe(self) -> str:
        """The model in a few words, for tables."""
        bounds = ", ".join(f"{k}={v}" for k, v in self.bounds.items() if k != "properties")
        start = "" if self.start is None else f", from {self.start}"
        return f"{self.cluster.proposers}x{self.cluster.acceptors}, {bounds}{start}"


ONE = Cluster(proposers=2, acceptors=1)

SEARCHES: dict[str, Search] = {
    "snippet": Search(ONE, CLIENTS, {"max_ballot": 2}, steps=6, breaks="promises-report-votes"),
    "forgetful-proposer": Search(ONE, CLIENTS, {"max_ballot": 1}, steps=7, breaks="votes-safe"),
    "lowest-vote": Search(Cluster(proposers=2, acceptors=3), CLIENTS,
                          {"max_ballot": 2, "properties": NO_LEARNERS}, start="two_votes",
                          steps=17, breaks="votes-safe"),
    "amnesiac-acceptor": Search(ONE, CLIENTS, {"max_ballot": 1, "max_crashes": 1}, steps=3,
                                breaks="votes-within-promise"),
    "accept-below-promise": Search(ONE, CLIENTS, {"max_ballot": 1}, steps=6,
                                   breaks="votes-within-promise"),
    "duplicate-ballots": Search(ONE, CLIENTS, {"max_ballot": 1}, steps=6,
                                breaks="one-value-per-ballot"),
    "ballot-reuse": Search(Cluster(proposers=1, acceptors=3), ("v1", "v2"),
                           {"max_ballot": 1, "max_crashes": 1, "properties": NO_LEARNERS},
                           steps=10, breaks="one-value-per-ballot"),
    "cross-ballot-learner": Search(Cluster(proposers=2, acceptors=2), CLIENTS,
                                   {"max_ballot": 1}, steps=14, breaks="learners"),
    "minority-quorum": Search(Cluster(proposers=2, acceptors=2), CLIENTS, {"max_ballot": 1},
                              steps=8, breaks="agreement"),
}
assert set(SEARCHES) == set(BROKEN), "every broken variant needs its search"


def catch(variant: str, **overrides: Any) -> ExploreResult:
    """Run the search that catches ``variant`` (``overrides`` replace its bounds, e.g. a
    ``time_limit``)."""
    if not isinstance(variant, str) or variant not in SEARCHES:
        raise ConfigError(f"unknown broken variant {variant!r}; choose {one_of(SEARCHES)}")
    s = SEARCHES[variant]
    kwargs: dict[str, Any] = {**s.bounds, **overrides}
    if s.start == "two_votes":
        kwargs["start"] = two_votes(variant)
    return explore(s.cluster, s.values, variant=variant, **kwargs)


def summary(variant: str, result: ExploreResult, width: int = 96) -> str:
    """``variant``'s search and what it found, for a table of the zoo: the variant and its
    model; how the search ended, the states explored, the counterexample's length and the
    property it breaks; then the explorer's explanation, wrapped to ``width`` columns."""
    if not isinstance(variant, str) or variant not in SEARCHES:
        raise ConfigError(f"unknown broken variant {variant!r}; choose {one_of(SEARCHES)}")
    if not isinstance(result, ExploreResult):
        raise ConfigError(f"result must be what catch({variant!r}) returned, got {result!r}")
    if isinstance(width, bool) or not isinstance(width, int) or not 40 <= width <= 400:
        raise ConfigError(f"width must be an int from 40 to 400, got {width!r}")
    indent = " " * 21
    head = (f"{variant:20} {SEARCHES[variant].describe()}\n"
            f"{indent}{result.end} after {result.states:,} states")
    if result.counterexample is None:
        return head
    head += f": {len(result.counterexample)} steps, breaks {result.violation}"
    why = result.detail.split(": ", 1)[-1]
    return head + "\n" + textwrap.fill(why, width=width, initial_indent=indent,
                                       subsequent_indent=indent)
