"""Each broken variant loses agreement on a hand-written schedule; classic survives it.

The explorer finds the shortest such schedules by itself; these are written out by hand so
the rule each variant breaks is visible in the test.
"""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib import Accept, Ballot, Deliver, Prepare, Promise


def deliver(sim: px.Simulation, kind: type, src: str, dst: str, **fields: object) -> None:
    """Deliver the one in-flight message of ``kind`` from ``src`` to ``dst``."""
    matches = [
        m
        for m in sim.world.inflight
        if isinstance(m, kind)
        and m.src == src
        and m.dst == dst
        and all(getattr(m, k) == v for k, v in fields.items())
    ]
    assert matches, f"no {kind.__name__} {src}->{dst} {fields} in flight: {sim.world.inflight}"
    sim.apply(Deliver(matches[0]))


def phase1(sim: px.Simulation, proposer: str, acceptors: list[str]) -> None:
    for a in acceptors:
        deliver(sim, Prepare, proposer, a)
    for a in acceptors:
        deliver(sim, Promise, a, proposer)


def phase2(sim: px.Simulation, proposer: str, acceptors: list[str]) -> None:
    for a in acceptors:
        deliver(sim, Accept, proposer, a)


def overwrite_schedule(variant: str) -> px.Simulation:
    """p1 gets 'confirmed' chosen by a1, a2; then p2 runs both phases with a2, a3."""
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), variant=variant)
    sim.propose("p1", "confirmed")
    phase1(sim, "p1", ["a1", "a2"])
    phase2(sim, "p1", ["a1", "a2"])
    assert sim.chosen() == {"confirmed"}
    sim.propose("p2", "cancelled")
    phase1(sim, "p2", ["a2", "a3"])
    phase2(sim, "p2", ["a2", "a3"])
    return sim


@pytest.mark.parametrize("variant", ["forgetful-proposer"])
def test_later_proposer_overwrites_a_chosen_value(variant: str) -> None:
    sim = overwrite_schedule(variant)
    assert sim.chosen() == {"confirmed", "cancelled"}
    agreement = sim.check()[0]
    assert agreement.name == "agreement" and not agreement.holds
    assert "a1, a2 accepted 'confirmed' at ballot 1.p1" in agreement.explanation
    assert "a2, a3 accepted 'cancelled' at ballot 1.p2" in agreement.explanation


def test_classic_adopts_the_chosen_value_on_the_same_schedule() -> None:
    sim = overwrite_schedule("classic")
    assert sim.chosen() == {"confirmed"}
    p2 = sim.world.node("p2")
    assert isinstance(p2, px.Proposer) and p2.proposal == "confirmed"
    assert sim.ok


def amnesia_schedule(variant: str) -> px.Simulation:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), variant=variant)
    sim.propose("p1", "confirmed")
    phase1(sim, "p1", ["a1", "a2"])
    phase2(sim, "p1", ["a1", "a2"])
    sim.apply(px.Crash("a2"))
    sim.apply(px.Recover("a2"))
    sim.propose("p2", "cancelled")
    phase1(sim, "p2", ["a2", "a3"])
    phase2(sim, "p2", ["a2", "a3"])
    return sim


def test_amnesiac_acceptor_chooses_two_values_after_a_restart() -> None:
    sim = amnesia_schedule("amnesiac-acceptor")
    assert sim.chosen() == {"confirmed", "cancelled"}
    assert not sim.ok


def test_durable_acceptor_survives_the_same_restart() -> None:
    sim = amnesia_schedule("classic")
    assert sim.chosen() == {"confirmed"}
    a2 = sim.world.node("a2")
    assert isinstance(a2, px.Acceptor)
    assert a2.accepted_value == "confirmed"
    assert sim.ok


def test_duplicate_ballots_accept_two_values_at_one_ballot() -> None:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), variant="duplicate-ballots")
    sim.propose("p1", "confirmed")
    sim.propose("p2", "cancelled")
    phase1(sim, "p1", ["a1", "a2"])
    phase1(sim, "p2", ["a2", "a3"])
    phase2(sim, "p1", ["a1", "a2"])
    phase2(sim, "p2", ["a2", "a3"])
    shared = Ballot(1, "p")
    assert sim.chosen() == {"confirmed", "cancelled"}
    assert {(a, b, v) for a, b, v in sim.world.votes if b == shared} == {
        ("a1", shared, "confirmed"),
        ("a2", shared, "confirmed"),
        ("a2", shared, "cancelled"),
        ("a3", shared, "cancelled"),
    }
    assert not sim.ok


def test_unique_ballots_refuse_the_same_interleaving() -> None:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), variant="classic")
    sim.propose("p1", "confirmed")
    sim.propose("p2", "cancelled")
    phase1(sim, "p1", ["a1", "a2"])
    phase1(sim, "p2", ["a2", "a3"])
    phase2(sim, "p1", ["a1", "a2"])  # a2 promised 1.p2 > 1.p1: it refuses with a Nack
    phase2(sim, "p2", ["a2", "a3"])
    assert sim.chosen() == {"cancelled"}
    assert any(isinstance(m, px.Nack) and m.dst == "p1" for m in sim.world.inflight)
    assert sim.ok


def test_minority_quorum_lets_disjoint_quorums_choose() -> None:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), variant="minority-quorum")
    assert sim.world.rules.quorum == 1
    sim.propose("p1", "confirmed")
    sim.propose("p2", "cancelled")
    phase1(sim, "p1", ["a1"])
    phase2(sim, "p1", ["a1"])
    phase1(sim, "p2", ["a3"])
    phase2(sim, "p2", ["a3"])
    assert sim.chosen() == {"confirmed", "cancelled"}
    assert not sim.ok


def test_explicit_small_quorum_breaks_classic_the_same_way() -> None:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3, quorum=1))
    sim.propose("p1", "confirmed")
    sim.propose("p2", "cancelled")
    phase1(sim, "p1", ["a1"])
    phase2(sim, "p1", ["a1"])
    phase1(sim, "p2", ["a3"])
    phase2(sim, "p2", ["a3"])
    assert sim.chosen() == {"confirmed", "cancelled"}


def test_every_variant_is_named_and_changes_one_rule() -> None:
    assert list(px.VARIANTS) == [
        "classic",
        "snippet",
        "forgetful-proposer",
        "lowest-vote",
        "amnesiac-acceptor",
        "accept-below-promise",
        "duplicate-ballots",
        "ballot-reuse",
        "cross-ballot-learner",
        "minority-quorum",
    ]
    from paxos_lib.variants import BROKEN, rules_for

    assert tuple(list(px.VARIANTS)[1:]) == BROKEN
    flags = ("quorum", "promise_reports_accepted", "pick_vote", "unique_ballots",
             "acceptor_storage_durable", "accept_checks_promise", "seed_acceptor",
             "proposer_round_durable", "learner_counts_one_ballot")
    base = rules_for(px.Cluster(acceptors=5), "classic")
    for name in px.VARIANTS:
        r = rules_for(px.Cluster(acceptors=5), name)
        changed = [f for f in flags if getattr(r, f) != getattr(base, f)]
        if name == "snippet":  # the original code, three rules away from Paxos
            assert changed == ["promise_reports_accepted", "unique_ballots", "seed_acceptor"]
        else:
            assert len(changed) == (0 if name == "classic" else 1), (name, changed)


def test_minority_quorum_is_a_real_minority_or_refused() -> None:
    from paxos_lib.variants import rules_for

    for acceptors, quorum in ((2, 1), (3, 1), (4, 2), (5, 2)):
        rules = rules_for(px.Cluster(acceptors=acceptors), "minority-quorum")
        assert rules.quorum == quorum and 2 * rules.quorum <= acceptors
    with pytest.raises(px.ConfigError, match=r"minority-quorum variant needs at least 2 "
                                             r"acceptors, got 1: with 1 acceptor every quorum"):
        px.Simulation(px.Cluster(proposers=2, acceptors=1), variant="minority-quorum")
    with pytest.raises(px.ConfigError, match=r"sets the quorum itself .* cannot run with an "
                                             r"explicit Cluster\(quorum=2\)"):
        px.Simulation(px.Cluster(proposers=2, acceptors=3, quorum=2), variant="minority-quorum")
    with pytest.raises(px.ConfigError, match="minority-quorum"):
        px.explore(px.Cluster(proposers=2, acceptors=1), variant="minority-quorum")


def test_snippet_is_the_original_code_on_many_nodes() -> None:
    """Shared ballots numbered from 1, a repeated Prepare refused, bare promises, and an
    Accept taken only at the very ballot promised (as PaxosNode.prepare/accept do)."""
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=1), variant="snippet")
    sim.propose("p1", "confirmed")
    sim.propose("p2", "cancelled")
    shared = Ballot(1, "p")
    assert {m.ballot for m in sim.world.inflight} == {shared}
    deliver(sim, Prepare, "p1", "a1")
    deliver(sim, Prepare, "p2", "a1")  # 1 is not greater than 1: refused
    assert {type(m).__name__ for m in sim.world.inflight if m.dst == "p2"} == {"Nack"}
    deliver(sim, Promise, "a1", "p1")
    deliver(sim, Accept, "p1", "a1")
    assert sim.chosen() == {"confirmed"}
    # p2 retries at 2.p: a bare promise, then its own value overwrites the chosen one
    deliver(sim, px.Nack, "a1", "p2")
    sim.apply(px.Timeout("p2"))
    deliver(sim, Prepare, "p2", "a1")
    promise = next(m for m in sim.world.inflight if isinstance(m, Promise) and m.dst == "p2")
    assert promise.ballot == Ballot(2, "p") and promise.accepted_ballot is None
    deliver(sim, Promise, "a1", "p2")
    deliver(sim, Accept, "p2", "a1")
    assert sim.chosen() == {"confirmed", "cancelled"}
    # an Accept at a ballot the acceptor did not promise is ignored, as the original's is
    from paxos_lib.variants import rules_for

    rules = rules_for(px.Cluster(proposers=1, acceptors=1), "snippet")
    fresh = px.Acceptor(node="a1")
    assert fresh.on_accept(Accept(src="p1", dst="a1", ballot=shared, value="x"), rules) == (
        fresh, ())
    promised = px.Acceptor(node="a1", promised=shared)
    higher = Accept(src="p1", dst="a1", ballot=Ballot(2, "p"), value="x")
    assert promised.on_accept(higher, rules) == (promised, ())
