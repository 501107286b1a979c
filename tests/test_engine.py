"""The engine: which actions are enabled (and in what order), and what ``apply`` does.

Covers the two network models (lossy multiset vs TLA+'s set of sent messages), partitions
blocking delivery, crashes and recoveries, retry timers, the history the properties read,
and every reason ``why_not`` gives.
"""

from __future__ import annotations

import re

import pytest

import paxos_lib as px
from paxos_lib import (
    Accept,
    Accepted,
    Acceptor,
    Ballot,
    Crash,
    Deliver,
    Drop,
    Duplicate,
    Heal,
    Learner,
    Partition,
    Prepare,
    Promise,
    Propose,
    Proposer,
    Recover,
    Timeout,
    apply,
    enabled_actions,
    initial_world,
    why_not,
)
from paxos_lib.engine import listed_partitions

B1P1 = Ballot(1, "p1")
SMALL = px.Cluster(proposers=1, acceptors=3)


def prep(dst: str, ballot: Ballot = B1P1, src: str = "p1") -> Prepare:
    return Prepare(src=src, dst=dst, ballot=ballot)


def run(world: px.World, *actions: px.Action) -> px.World:
    for a in actions:
        world = apply(world, a)
    return world


def proposed(cluster: px.Cluster = SMALL, network: str = "lossy",
             variant: str = "classic") -> px.World:
    world = initial_world(cluster, variant, network, values=("x", "y"))
    return apply(world, Propose("p1", "x"))


SMALL_PARTITIONS = (
    Partition((("p1",), ("a1", "a2", "a3", "l1"))),
    Partition((("a1",), ("p1", "a2", "a3", "l1"))),
    Partition((("a2",), ("p1", "a1", "a3", "l1"))),
    Partition((("a3",), ("p1", "a1", "a2", "l1"))),
    Partition((("l1",), ("p1", "a1", "a2", "a3"))),
    Partition((("p1", "a1"), ("a2", "a3", "l1"))),
)
CRASH_ALL = tuple(Crash(n) for n in ("p1", "a1", "a2", "a3", "l1"))


# -- the initial world and enabled_actions ------------------------------------------------------


def test_initial_world_has_every_node_in_its_initial_state() -> None:
    world = initial_world(px.Cluster(proposers=2, acceptors=3, learners=2))
    assert world.nodes == (
        Proposer(node="p1"), Proposer(node="p2"),
        Acceptor(node="a1"), Acceptor(node="a2"), Acceptor(node="a3"),
        Learner(node="l1"), Learner(node="l2"),
    )
    assert world.inflight == () and world.crashed == frozenset() and world.partition is None
    assert world.timers == frozenset() and world.votes == frozenset()
    assert world.proposed == frozenset()
    assert world.max_round == 0


def test_enabled_actions_in_the_initial_world() -> None:
    world = initial_world(SMALL, values=("x", "y"))
    assert enabled_actions(world) == (
        Propose("p1", "x"), Propose("p1", "y"), *CRASH_ALL, *SMALL_PARTITIONS
    )
    # Without client values there is nothing to propose.
    assert enabled_actions(initial_world(SMALL)) == (*CRASH_ALL, *SMALL_PARTITIONS)


def test_enabled_actions_order_after_a_proposal() -> None:
    world = proposed()
    msgs = [prep("a1"), prep("a2"), prep("a3")]
    assert enabled_actions(world) == (
        *(Deliver(m) for m in msgs),
        Timeout("p1"),
        *(Drop(m) for m in msgs),
        *(Duplicate(m) for m in msgs),
        *CRASH_ALL,
        *SMALL_PARTITIONS,
    )
    assert str(enabled_actions(world)[0]) == "deliver prepare 1.p1 p1→a1"


def test_enabled_actions_lists_proposals_per_idle_up_proposer() -> None:
    cluster = px.Cluster(proposers=3, acceptors=3)
    world = initial_world(cluster, values=("x",))
    world = run(world, Propose("p2", "x"), Crash("p3"))
    proposals = [a for a in enabled_actions(world) if isinstance(a, Propose)]
    assert proposals == [Propose("p1", "x")]


def test_listed_partitions_cut_off_each_node_and_each_proposer_with_a_minority() -> None:
    cluster = px.Cluster(proposers=2, acceptors=5, learners=1)
    parts = listed_partitions(cluster)
    singles = [p for p in parts if min(len(g) for g in p.groups) == 1]
    assert len(singles) == len(cluster.node_ids)
    assert Partition((("p1", "a1", "a2"), ("p2", "a3", "a4", "a5", "l1"))) in parts
    assert Partition((("p2", "a1", "a2"), ("p1", "a3", "a4", "a5", "l1"))) in parts
    assert len(parts) == len(cluster.node_ids) + 2
    assert len(set(parts)) == len(parts)
    # A single acceptor has no minority to cut off with a proposer.
    assert list(listed_partitions(px.Cluster(proposers=1, acceptors=1))) == [
        Partition((("p1",), ("a1", "l1"))),
        Partition((("a1",), ("p1", "l1"))),
        Partition((("l1",), ("p1", "a1"))),
    ]


def test_every_enabled_action_passes_why_not_and_applies() -> None:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=3)
    sim.propose("p1", "x")
    sim.propose("p2", "y")
    sim.run(max_steps=25, faults=px.Faults(drop=0.2, crash=0.1, partition=0.1, timeout=0.1))
    for world in sim.worlds:
        for action in enabled_actions(world):
            assert why_not(world, action) is None
            apply(world, action)


# -- apply: deliveries and the two network models -----------------------------------------------


def test_apply_is_pure() -> None:
    world = proposed()
    snapshot = (world.nodes, world.inflight, world.timers, world.votes)
    after = apply(world, Deliver(prep("a1")))
    assert (world.nodes, world.inflight, world.timers, world.votes) == snapshot
    assert after != world


def test_deliver_hands_the_message_to_its_receiver_and_sends_the_replies() -> None:
    world = apply(proposed(), Deliver(prep("a2")))
    assert world.node("a2") == Acceptor(node="a2", promised=B1P1)
    assert world.inflight == (prep("a1"), prep("a3"), Promise(src="a2", dst="p1", ballot=B1P1))
    assert world.proposed == frozenset({"x"})
    assert world.timers == frozenset({"p1"})


def test_the_order_of_independent_deliveries_does_not_matter() -> None:
    one = run(proposed(), Deliver(prep("a1")), Deliver(prep("a3")))
    two = run(proposed(), Deliver(prep("a3")), Deliver(prep("a1")))
    assert one == two and hash(one) == hash(two)


def test_lossy_network_counts_copies() -> None:
    world = run(proposed(), Duplicate(prep("a1")), Duplicate(prep("a1")))
    assert world.copies(prep("a1")) == 3
    assert world.inflight[:3] == (prep("a1"),) * 3
    delivers = [a for a in enabled_actions(world) if isinstance(a, Deliver)]
    assert delivers == [Deliver(prep("a1")), Deliver(prep("a2")), Deliver(prep("a3"))]
    world = apply(world, Deliver(prep("a1")))
    assert world.copies(prep("a1")) == 2
    world = run(world, Drop(prep("a1")), Drop(prep("a1")))
    assert world.copies(prep("a1")) == 0
    assert why_not(world, Deliver(prep("a1"))) == "prepare 1.p1 p1→a1 is not in flight"


def test_sent_set_network_keeps_every_message_and_adds_no_copies() -> None:
    world = proposed(network="sent-set")
    assert [a for a in enabled_actions(world) if isinstance(a, Drop | Duplicate)] == []
    world = apply(world, Deliver(prep("a1")))
    promise = Promise(src="a1", dst="p1", ballot=B1P1)
    assert world.inflight == (prep("a1"), prep("a2"), prep("a3"), promise)
    # Received again: the same Promise is sent again, and the set does not grow.
    again = apply(world, Deliver(prep("a1")))
    assert again.inflight == world.inflight and again == world
    assert why_not(world, Drop(prep("a1"))) == (
        "the sent-set network never loses or copies a message; drop needs network='lossy'"
    )
    assert why_not(world, Duplicate(prep("a1"))) == (
        "the sent-set network never loses or copies a message; duplicate needs network='lossy'"
    )


def test_votes_history_keeps_every_accepted_sent_even_when_dropped() -> None:
    world = proposed()
    world = run(world, Deliver(prep("a1")), Deliver(prep("a2")),
                Deliver(Promise(src="a1", dst="p1", ballot=B1P1)),
                Deliver(Promise(src="a2", dst="p1", ballot=B1P1)))
    accept = Accept(src="p1", dst="a1", ballot=B1P1, value="x")
    world = apply(world, Deliver(accept))
    assert world.votes == frozenset({("a1", B1P1, "x")})
    to_l1 = Accepted(src="a1", dst="l1", ballot=B1P1, value="x")
    to_p1 = Accepted(src="a1", dst="p1", ballot=B1P1, value="x")
    assert world.copies(to_l1) == world.copies(to_p1) == 1
    world = run(world, Drop(to_l1), Drop(to_p1))
    assert world.votes == frozenset({("a1", B1P1, "x")})
    assert px.chosen(world) == frozenset()
    world = apply(world, Deliver(Accept(src="p1", dst="a2", ballot=B1P1, value="x")))
    assert px.chosen(world) == frozenset({"x"})


# -- partitions ---------------------------------------------------------------------------------


def test_a_partition_blocks_delivery_across_it_only() -> None:
    cut = Partition((("p1", "a1"), ("a2", "a3", "l1")))
    world = apply(proposed(), cut)
    assert world.partition == cut
    assert not world.can_reach("p1", "a2") and world.can_reach("p1", "a1")
    delivers = [a for a in enabled_actions(world) if isinstance(a, Deliver)]
    assert delivers == [Deliver(prep("a1"))]
    assert why_not(world, Deliver(prep("a2"))) == "the partition separates p1 from a2"
    with pytest.raises(px.SimulationError,
                       match=r"cannot deliver prepare 1.p1 p1→a2: the partition separates p1 "
                             r"from a2"):
        apply(world, Deliver(prep("a2")))
    # The lossy network can still lose or copy a message stuck behind the partition.
    assert Drop(prep("a2")) in enabled_actions(world)
    # While partitioned, only Heal is offered (no second partition).
    parts = [a for a in enabled_actions(world) if isinstance(a, Partition | Heal)]
    assert parts == [Heal()]
    assert why_not(world, SMALL_PARTITIONS[0]) == (
        "the network is already partitioned; heal it first"
    )
    healed = apply(world, Heal())
    assert healed.partition is None
    assert Deliver(prep("a2")) in enabled_actions(healed)


def test_apply_takes_a_partition_that_is_not_listed() -> None:
    cut = Partition((("p1", "a2"), ("a1",), ("a3", "l1")))
    assert cut not in listed_partitions(SMALL)
    world = apply(proposed(), cut)
    assert [a for a in enabled_actions(world) if isinstance(a, Deliver)] == [Deliver(prep("a2"))]


# -- crashes and recoveries ---------------------------------------------------------------------


def test_a_crashed_acceptor_takes_no_messages_and_they_wait() -> None:
    world = apply(proposed(), Crash("a1"))
    assert world.crashed == frozenset({"a1"}) and not world.is_up("a1")
    assert not world.deliverable(prep("a1")) and world.deliverable(prep("a2"))
    assert Deliver(prep("a1")) not in enabled_actions(world)
    assert why_not(world, Deliver(prep("a1"))) == "a1 is crashed, so it cannot receive prepare 1.p1"
    assert world.copies(prep("a1")) == 1
    assert Crash("a1") not in enabled_actions(world)
    assert why_not(world, Crash("a1")) == "a1 is already crashed"
    recovers = [a for a in enabled_actions(world) if isinstance(a, Recover)]
    assert recovers == [Recover("a1")]
    world = apply(world, Recover("a1"))
    assert world.crashed == frozenset()
    assert Deliver(prep("a1")) in enabled_actions(world)
    assert why_not(world, Recover("a1")) == "a1 is up; only a crashed node can recover"


def test_a_crash_keeps_durable_state_and_disarms_the_timer() -> None:
    world = run(proposed(), Deliver(prep("a1")), Crash("a1"), Crash("p1"))
    assert world.node("a1") == Acceptor(node="a1", promised=B1P1)
    assert world.node("p1") == Proposer(node="p1", round=1)
    assert world.timers == frozenset()
    assert [a for a in enabled_actions(world) if isinstance(a, Timeout | Propose)] == []
    assert why_not(world, Timeout("p1")) == "p1 is crashed"
    assert why_not(world, Propose("p1", "y")) == "p1 is crashed; recover it first"
    world = apply(world, Recover("p1"))
    assert world.node("p1") == Proposer(node="p1", round=1)
    assert [a for a in enabled_actions(world) if isinstance(a, Propose)] == [
        Propose("p1", "x"), Propose("p1", "y")
    ]


def test_amnesiac_acceptor_forgets_on_crash() -> None:
    world = run(proposed(variant="amnesiac-acceptor"), Deliver(prep("a1")), Crash("a1"))
    assert world.node("a1") == Acceptor(node="a1")


def test_a_crashed_learner_keeps_what_it_learned_and_forgets_the_votes() -> None:
    sim = px.Simulation(SMALL, seed=0)
    sim.propose("p1", "x")
    for a in ("a1", "a2"):
        sim.deliver("prepare", dst=a)
        sim.deliver("promise", src=a)
    for a in ("a1", "a2"):
        sim.deliver("accept", dst=a)
        sim.deliver("accepted", src=a, dst="l1")
    assert sim.world.node("l1") == Learner(
        node="l1", learned="x", votes=frozenset({("a1", B1P1, "x"), ("a2", B1P1, "x")}))
    sim.apply(Crash("l1"))
    sim.apply(Recover("l1"))
    assert sim.world.node("l1") == Learner(node="l1", learned="x")
    assert sim.learned() == {"l1": "x"}


# -- timers -------------------------------------------------------------------------------------


def test_timeout_restarts_the_ballot_and_old_messages_stay_in_flight() -> None:
    world = apply(proposed(), Timeout("p1"))
    b2 = Ballot(2, "p1")
    assert world.node("p1") == Proposer(node="p1", round=2, phase="preparing", value="x",
                                        ballot=b2)
    assert world.inflight == (prep("a1"), prep("a1", b2), prep("a2"), prep("a2", b2),
                              prep("a3"), prep("a3", b2))
    assert world.timers == frozenset({"p1"})
    assert world.max_round == 2


def test_the_timer_is_cancelled_once_the_proposer_decides() -> None:
    sim = px.Simulation(SMALL, seed=0)
    sim.propose("p1", "x")
    for a in ("a1", "a2"):
        sim.deliver("prepare", dst=a)
    for a in ("a1", "a2"):
        sim.deliver("promise", src=a)
    for a in ("a1", "a2"):
        sim.deliver("accept", dst=a)
    assert sim.world.timers == frozenset({"p1"})
    sim.deliver("accepted", src="a1", dst="p1")
    sim.deliver("accepted", src="a2", dst="p1")
    p1 = sim.world.node("p1")
    assert isinstance(p1, Proposer) and p1.phase == "decided"
    assert sim.world.timers == frozenset()
    assert Timeout("p1") not in sim.enabled_actions()
    assert sim.why_not(Timeout("p1")) == "p1 has no retry timer armed (it is not waiting)"


# -- why_not and apply refusals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        (Propose("a1", "x"), "'a1' is not a proposer; the proposers are p1"),
        (Propose("p9", "x"), "'p9' is not a proposer; the proposers are p1"),
        (Propose("p1", "y"), "p1 is already working on 'x'; a proposer takes one value at a time"),
        (Deliver(prep("a1", Ballot(7, "p1"))), "prepare 7.p1 p1→a1 is not in flight"),
        (Crash("z1"), "unknown node 'z1'; this cluster has p1, a1, a2, a3, l1"),
        (Recover("a2"), "a2 is up; only a crashed node can recover"),
        (Heal(), "the network is not partitioned"),
        (Timeout("a1"), "'a1' is not a proposer; the proposers are p1"),
        (Partition((("p1", "z1"), ("a1", "a2", "a3", "l1"))),
         "unknown node(s) ['z1'] in the partition; this cluster has p1, a1, a2, a3, l1"),
        (Partition((("p1",), ("a1", "a2"))),
         "a partition must place every node in a group; missing a3, l1"),
        ("deliver", "'deliver' is not an action; actions are Propose, Deliver, Drop, Duplicate, "
                    "Crash, Recover, Partition, Heal and Timeout"),
    ],
)
def test_why_not_says_why(action: object, reason: str) -> None:
    world = proposed()
    assert why_not(world, action) == reason
    assert not px.is_enabled(world, action)
    with pytest.raises(px.SimulationError, match=rf"^cannot .*: {re.escape(reason)}$"):
        apply(world, action)  # type: ignore[arg-type]


def test_world_reads() -> None:
    world = run(proposed(), Deliver(prep("a1")), Crash("a3"),
                Partition((("p1",), ("a1", "a2", "a3", "l1"))))
    assert world.node("a1") == Acceptor(node="a1", promised=B1P1)
    with pytest.raises(px.UnknownNodeError, match=r"unknown node 'q1'; this cluster has p1, a1"):
        world.node("q1")
    assert world.cluster == SMALL and world.rules.quorum == 2
    assert str(world) == "\n".join([
        "p1: preparing, ballot 1.p1, value 'x', proposal None",
        "a1: promised 1.p1, accepted nothing",
        "a2: promised none, accepted nothing",
        "a3 (crashed): promised none, accepted nothing",
        "l1: learned None, 0 vote(s) seen",
        "in flight: 3 message(s)",
        "partition a1,a2,a3,l1 | p1",
    ])
