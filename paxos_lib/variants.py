"""The variants: classic Paxos, the seed's own code, and one-rule bugs, each caught differently.

The lessons break Paxos on purpose, and the checker must catch each break.  A variant is
chosen by name; ``rules_for(cluster, variant)`` turns the name into the plain flags the roles
consult (``Rules``), so no role ever compares variant names.

Every variant but ``snippet`` changes exactly one rule of classic Paxos.  ``snippet`` is the
seed's code (``paxos_lib.snippet``) run on many nodes as written: ballots are plain numbers
that every proposer shares (everybody starts at 1), an acceptor promises only a number
*greater* than its promise, its promise carries no vote, and it accepts only the number it
promised.

The explorer (``paxos_lib.explore``) checks Paxos.tla's invariants beside agreement
(``paxos_lib.properties``), so each variant's shortest counterexample ends at the first
invariant it breaks, which names the broken rule ("breaks" below).  No two variants give
the same counterexample (``tests/test_zoo.py`` pins each one).

=======================  ==========================================  =====================
variant                  the rule changed                            breaks first
=======================  ==========================================  =====================
classic                  (none)                                      nothing
snippet                  the seed's code: shared numbers from 1,     promises-report-votes
                         bare promises, accept only the promised
                         number
forgetful-proposer       the proposer ignores the votes reported in  votes-safe
                         promises and proposes its own value
lowest-vote              the proposer adopts the *lowest*-ballot     votes-safe
                         reported vote instead of the highest
amnesiac-acceptor        an acceptor forgets its promise and vote    votes-within-promise
                         when it crashes
accept-below-promise     an acceptor accepts a ballot below its      votes-within-promise
                         promise (and so lowers its promise)
duplicate-ballots        two proposers may use the same ballot       one-value-per-ballot
ballot-reuse             a proposer forgets its round when it        one-value-per-ballot
                         restarts, and reuses its ballots
cross-ballot-learner     a learner counts votes for a value across   learners
                         ballots, not at one ballot
minority-quorum          a quorum is less than a majority            agreement
=======================  ==========================================  =====================

Why ``minority-quorum`` breaks only agreement: every invariant above is local to one
acceptor or one ballot and still holds; the step from the invariants to agreement is the one
that needs any two quorums to share an acceptor.

The presentations (``PRESENTATIONS``) are not bugs: each is the acceptor as one of Lamport's
texts writes it, one rule away from ``classic``, and each is safe.  ``check_variant`` and
``rules_for`` accept their names like any variant; ``paxos_lib.presentations`` compares them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from paxos_lib.cluster import Cluster
from paxos_lib.errors import ConfigError, one_of
from paxos_lib.quorums import QuorumSystem

__all__ = [
    "ACCEPT_RULES",
    "BROKEN",
    "PICKS",
    "PRESENTATIONS",
    "SHARED_BALLOT_NODE",
    "VARIANTS",
    "Rules",
    "Variant",
    "check_variant",
    "rules_for",
]

#: Where ballots are shared (``duplicate-ballots``, ``snippet``) every proposer writes this
#: in place of its own id.
SHARED_BALLOT_NODE = "p"


@dataclass(frozen=True, slots=True)
class Variant:
    """A named version of Paxos: the rule it changes and what goes wrong."""

    name: str
    rule: str
    goes_wrong: str

    def __str__(self) -> str:
        return self.name


class _Variants(Mapping[str, Variant]):
    """An ordered, read-only mapping from variant name to ``Variant``."""

    def __init__(self, *variants: Variant) -> None:
        self._by_name = {v.name: v for v in variants}

    def __getitem__(self, name: str) -> Variant:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"VARIANTS({', '.join(self._by_name)})"


#: Every version of Paxos the engine runs: ``classic`` first, then the seed's code
#: (``snippet``), then the one-rule bugs.  ``BROKEN`` names all but ``classic``.
VARIANTS: Mapping[str, Variant] = _Variants(
    Variant("classic", "(none: Paxos as published)", "nothing"),
    Variant(
        "snippet",
        "the seed's code on many nodes: every proposer numbers its ballots 1, 2, ... (shared), "
        "an acceptor promises only a greater number, its promise carries no vote, and it "
        "accepts only the number it promised",
        "a later ballot overwrites a chosen value",
    ),
    Variant(
        "forgetful-proposer",
        "the proposer ignores the accepted values reported in promises",
        "a later proposer overwrites a chosen value",
    ),
    Variant(
        "lowest-vote",
        "the proposer adopts the lowest-ballot vote reported in promises, not the highest",
        "a proposer revives a value older than the one that may be chosen",
    ),
    Variant(
        "amnesiac-acceptor",
        "an acceptor forgets its promise and accepted value when it crashes",
        "two values chosen after a restart",
    ),
    Variant(
        "accept-below-promise",
        "an acceptor accepts a ballot below the one it promised",
        "a promise is broken, so a later proposer's view of the votes is wrong",
    ),
    Variant(
        "duplicate-ballots",
        "two proposers may use the same ballot",
        "two values accepted at one ballot",
    ),
    Variant(
        "ballot-reuse",
        "a proposer forgets its round when it restarts, so it reuses its ballots",
        "two values proposed at one ballot, by the same proposer",
    ),
    Variant(
        "cross-ballot-learner",
        "a learner counts votes for a value across ballots, not at one ballot",
        "a learner learns a value no quorum accepted at one ballot",
    ),
    Variant(
        "minority-quorum",
        "a quorum is smaller than a majority",
        "two disjoint quorums choose different values",
    ),
)

#: The variants that break Paxos (every variant but ``classic``).
BROKEN: tuple[str, ...] = tuple(name for name in VARIANTS if name != "classic")

#: The acceptor as three texts write it; each changes one rule of ``classic``, and each is
#: safe (``paxos_lib.presentations``).  Classic promises a ballot at or above its promise,
#: and accepts at or above its promise, raising the promise to the ballot accepted.
PRESENTATIONS: Mapping[str, Variant] = _Variants(
    Variant(
        "part-time-parliament",
        "phase 2b: vote only at the very ballot promised last (b = promised), as a priest "
        "votes only in the ballot of his nextBal",
        "nothing; an Accept that overtakes its Prepare is refused",
    ),
    Variant(
        "paxos-made-simple",
        "phase 2b: accept if no higher ballot was promised (b >= promised) without raising "
        "the promise",
        "nothing; an acceptor's vote may sit above its promise",
    ),
    Variant(
        "paxos-tla",
        "phase 1b: promise only a ballot above the promise (b > maxBal), as Paxos.tla's "
        "Phase1b; its 2b is classic's (b >= maxBal, then maxBal := b)",
        "nothing; a repeated Prepare gets no second promise",
    ),
)


def check_variant(variant: object) -> str:
    """Return ``variant`` if it names a variant; else raise ConfigError listing them."""
    if isinstance(variant, Variant):
        variant = variant.name
    if not isinstance(variant, str) or (variant not in VARIANTS and variant not in PRESENTATIONS):
        raise ConfigError(
            f"unknown variant {variant!r}; choose {one_of([*VARIANTS, *PRESENTATIONS])}"
        )
    return variant


#: How a proposer picks its value from a quorum of promises (``Rules.pick_vote``).
PICKS = ("highest", "lowest", "own")

#: When an acceptor accepts (``Rules.accept_rule``): at or above its promise, raising the
#: promise (classic, Paxos.tla); the same without raising it (Paxos Made Simple); only at
#: the ballot promised (the Part-Time Parliament).
ACCEPT_RULES = ("at-least", "at-least-keep-promise", "equal")


@dataclass(frozen=True, slots=True)
class Rules:
    """What the roles consult: the cluster's ids, the quorum, and the variant's changes.

    Classic Paxos is every flag at its default.
    """

    variant: str
    proposers: tuple[str, ...]
    acceptors: tuple[str, ...]
    learners: tuple[str, ...]
    quorum: int
    promise_reports_accepted: bool = True
    #: "highest" (Paxos), "lowest" (lowest-vote) or "own" (forgetful-proposer).
    pick_vote: str = "highest"
    unique_ballots: bool = True
    acceptor_storage_durable: bool = True
    #: An acceptor refuses an Accept below its promise (accept-below-promise: it does not).
    accept_checks_promise: bool = True
    #: The seed's acceptor: promises only a greater ballot, accepts only the promised one.
    seed_acceptor: bool = False
    #: A proposer's round survives a restart (ballot-reuse: it does not).
    proposer_round_durable: bool = True
    #: A learner counts votes at one ballot (cross-ballot-learner: across ballots).
    learner_counts_one_ballot: bool = True
    #: Flexible Paxos: the quorum systems of phase 1 and phase 2 (None: any ``quorum``
    #: acceptors, in both phases).
    phase1: QuorumSystem | None = None
    phase2: QuorumSystem | None = None
    #: Phase 1b: promise only a ballot above the promise, not a repeat of it (paxos-tla).
    promise_strict: bool = False
    #: Phase 2b: one of ``ACCEPT_RULES`` (the presentations).
    accept_rule: str = "at-least"

    def is_phase1_quorum(self, acceptors: Collection[str]) -> bool:
        """True if promises from ``acceptors`` (distinct ids) are enough to start phase 2."""
        if self.phase1 is None:
            return len(acceptors) >= self.quorum
        return self.phase1.contains(acceptors)

    def is_phase2_quorum(self, acceptors: Collection[str]) -> bool:
        """True if votes from ``acceptors`` (distinct ids) at one ballot choose a value."""
        if self.phase2 is None:
            return len(acceptors) >= self.quorum
        return self.phase2.contains(acceptors)

    @property
    def proposer_adopts_highest(self) -> bool:
        """Classic rule 3: adopt the highest-ballot vote reported (True only in Paxos)."""
        return self.pick_vote == "highest"


def rules_for(cluster: Cluster, variant: str = "classic") -> Rules:
    """The ``Rules`` for ``cluster`` under ``variant``.

    ``minority-quorum`` sets the quorum itself (half the acceptors, rounded down), so it
    needs at least 2 acceptors and no explicit ``Cluster(quorum=...)``: ConfigError
    otherwise, since with one acceptor, or a quorum given, it would quietly be classic.
    """
    variant = check_variant(variant)
    if not isinstance(cluster, Cluster):
        raise ConfigError(f"rules_for needs a Cluster, got {cluster!r}")
    quorum = cluster.quorum_size
    if variant == "minority-quorum":
        if cluster.flexible:
            raise ConfigError(
                "the minority-quorum variant sets the quorum itself, so it cannot run with "
                "phase1_quorum/phase2_quorum; use variant 'classic' with those instead"
            )
        if cluster.quorum is not None:
            raise ConfigError(
                f"the minority-quorum variant sets the quorum itself (half the acceptors, "
                f"rounded down), so it cannot run with an explicit Cluster(quorum="
                f"{cluster.quorum}); leave quorum out, or use variant 'classic' with a small "
                "quorum"
            )
        if cluster.acceptors < 2:
            raise ConfigError(
                f"the minority-quorum variant needs at least 2 acceptors, got "
                f"{cluster.acceptors}: with 1 acceptor every quorum is that acceptor, a "
                "majority, so no quorum can be a minority"
            )
        # Half the acceptors, rounded down: the largest size two disjoint quorums can have.
        quorum = cluster.acceptors // 2
    pick = {"forgetful-proposer": "own", "lowest-vote": "lowest"}.get(variant, "highest")
    return Rules(
        variant=variant,
        proposers=cluster.proposer_ids,
        acceptors=cluster.acceptor_ids,
        learners=cluster.learner_ids,
        quorum=quorum,
        promise_reports_accepted=variant != "snippet",
        pick_vote=pick,
        unique_ballots=variant not in ("duplicate-ballots", "snippet"),
        acceptor_storage_durable=variant != "amnesiac-acceptor",
        accept_checks_promise=variant != "accept-below-promise",
        seed_acceptor=variant == "snippet",
        proposer_round_durable=variant != "ballot-reuse",
        learner_counts_one_ballot=variant != "cross-ballot-learner",
        phase1=cluster.phase1_quorums if cluster.flexible else None,
        phase2=cluster.phase2_quorums if cluster.flexible else None,
        promise_strict=variant == "paxos-tla",
        accept_rule={"paxos-made-simple": "at-least-keep-promise",
                     "part-time-parliament": "equal"}.get(variant, "at-least"),
    )
