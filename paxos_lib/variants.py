"""The variants: classic Paxos and five versions that each break exactly one rule.

The lessons break Paxos on purpose, one rule at a time, and the checker must catch each.
A variant is chosen by name; ``rules_for(cluster, variant)`` turns the name into the plain
flags the roles consult (``Rules``), so no role ever compares variant names.

=====================  ==========================================  ===========================
variant                the one rule changed                         what goes wrong
=====================  ==========================================  ===========================
classic                (none)                                       nothing
snippet                promises carry no accepted value             a later proposer overwrites
                       (the seed's acceptor)                        a chosen value
forgetful-proposer     the proposer ignores accepted values in      the same, from the
                       promises                                     proposer's side
amnesiac-acceptor      an acceptor forgets its promise and          two values chosen after a
                       accepted value when it crashes               restart
duplicate-ballots      two proposers may use the same ballot        two values accepted at one
                                                                    ballot
minority-quorum        a quorum is less than a majority             two disjoint quorums choose
                                                                    different values
=====================  ==========================================  ===========================
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from paxos_lib.cluster import Cluster
from paxos_lib.errors import ConfigError, one_of

__all__ = ["SHARED_BALLOT_NODE", "VARIANTS", "Rules", "Variant", "check_variant", "rules_for"]

#: In the ``duplicate-ballots`` variant every proposer writes this in place of its own id.
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


VARIANTS: Mapping[str, Variant] = _Variants(
    Variant("classic", "(none: Paxos as published)", "nothing"),
    Variant(
        "snippet",
        "promises carry no accepted value (the seed's acceptor)",
        "a later proposer overwrites a chosen value",
    ),
    Variant(
        "forgetful-proposer",
        "the proposer ignores the accepted values reported in promises",
        "a later proposer overwrites a chosen value",
    ),
    Variant(
        "amnesiac-acceptor",
        "an acceptor forgets its promise and accepted value when it crashes",
        "two values chosen after a restart",
    ),
    Variant(
        "duplicate-ballots",
        "two proposers may use the same ballot",
        "two values accepted at one ballot",
    ),
    Variant(
        "minority-quorum",
        "a quorum is smaller than a majority",
        "two disjoint quorums choose different values",
    ),
)


def check_variant(variant: object) -> str:
    """Return ``variant`` if it names a variant; else raise ConfigError listing them."""
    if isinstance(variant, Variant):
        variant = variant.name
    if not isinstance(variant, str) or variant not in VARIANTS:
        raise ConfigError(f"unknown variant {variant!r}; choose {one_of(VARIANTS)}")
    return variant


@dataclass(frozen=True, slots=True)
class Rules:
    """What the roles consult: the cluster's ids, the quorum, and the variant's one change."""

    variant: str
    proposers: tuple[str, ...]
    acceptors: tuple[str, ...]
    learners: tuple[str, ...]
    quorum: int
    promise_reports_accepted: bool = True
    proposer_adopts_highest: bool = True
    unique_ballots: bool = True
    acceptor_storage_durable: bool = True


def rules_for(cluster: Cluster, variant: str = "classic") -> Rules:
    """The ``Rules`` for ``cluster`` under ``variant``."""
    variant = check_variant(variant)
    quorum = cluster.quorum_size
    if variant == "minority-quorum" and cluster.quorum is None:
        # Half the acceptors, rounded down: the largest size two disjoint quorums can have.
        quorum = max(1, cluster.acceptors // 2)
    return Rules(
        variant=variant,
        proposers=cluster.proposer_ids,
        acceptors=cluster.acceptor_ids,
        learners=cluster.learner_ids,
        quorum=quorum,
        promise_reports_accepted=variant != "snippet",
        proposer_adopts_highest=variant != "forgetful-proposer",
        unique_ballots=variant != "duplicate-ballots",
        acceptor_storage_durable=variant != "amnesiac-acceptor",
    )
