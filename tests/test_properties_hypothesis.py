"""Hypothesis drives classic Paxos through random schedules and checks safety after every step.

A schedule is a list of numbers, each picking one action of ``enabled_actions(world)`` (see
``pick``), so every drawn schedule is a legal run -- proposals, deliveries, drops, duplicates,
timeouts, crashes, recoveries, partitions and heals included -- and hypothesis shrinks a
failing one to a short list of small numbers.  After every step all ``always`` properties must
hold, along with a few invariants of the protocol's state that the properties rely on.
"""

from __future__ import annotations

import random

from hypothesis import event, given
from hypothesis import strategies as st

import paxos_lib as px
from paxos_lib import Acceptor, Learner, Proposer, apply, enabled_actions, initial_world
from paxos_lib.actions import ACTION_TYPES
from paxos_lib.properties import check_all

VALUES = ("confirmed", "cancelled")

clusters = st.builds(
    px.Cluster,
    proposers=st.integers(min_value=2, max_value=3),
    acceptors=st.integers(min_value=3, max_value=5),
    learners=st.integers(min_value=1, max_value=2),
)
schedules = st.lists(st.integers(min_value=0, max_value=1_000), min_size=30, max_size=200)


def check_step(before: px.World, after: px.World) -> None:
    """Everything that must hold of one step of classic Paxos."""
    failed = [v for v in check_all(after, "always") if not v.holds]
    assert not failed, failed
    assert px.chosen(before) <= px.chosen(after)  # chosen is forever
    assert before.votes <= after.votes and before.proposed <= after.proposed
    for old, new in zip(before.nodes, after.nodes, strict=True):
        if isinstance(new, Acceptor):
            assert isinstance(old, Acceptor)
            if old.promised is not None:  # durable storage: a promise never goes down
                assert new.promised is not None and new.promised >= old.promised
            if new.accepted_ballot is not None:
                assert new.promised is not None and new.accepted_ballot <= new.promised
        elif isinstance(new, Learner):
            assert isinstance(old, Learner)
            if old.learned is not None:  # a learner never changes its mind
                assert new.learned == old.learned
        elif isinstance(new, Proposer):
            assert isinstance(old, Proposer)
            assert new.round >= old.round  # ballots only go up, even across a crash
            if new.ballot is not None:
                assert new.ballot.node == new.node and new.ballot.round <= new.round
    # One value per ballot: unique ballots make two votes at one ballot agree.
    by_ballot: dict[px.Ballot, str] = {}
    for _, ballot, value in after.votes:
        assert by_ballot.setdefault(ballot, value) == value


def pick(actions: tuple[px.Action, ...], n: int) -> px.Action:
    """The action number ``n`` selects.

    ``enabled_actions`` lists proposals and deliveries first, then timeouts and faults.  Three
    numbers in four index into that leading "progress" block; the fourth indexes the whole
    list.  Uniform choice over the whole list almost never gets a value chosen (faults
    outnumber deliveries), which would leave the safety checks little to check.
    """
    progress = 0
    for a in actions:
        if not isinstance(a, px.Propose | px.Deliver):
            break
        progress += 1
    if progress and n % 4 != 3:
        return actions[(n // 4) % progress]
    return actions[n % len(actions)]


def walk(world: px.World, schedule: list[int], kinds: dict[str, int] | None = None
         ) -> px.World:
    """Apply the schedule, checking every step; count the kinds of actions taken."""
    for n in schedule:
        actions = enabled_actions(world)
        if not actions:
            break
        action = pick(actions, n)
        assert px.why_not(world, action) is None
        after = apply(world, action)
        check_step(world, after)
        world = after
        if kinds is not None:
            kinds[action.KIND] = kinds.get(action.KIND, 0) + 1
    return world


@given(cluster=clusters, network=st.sampled_from(px.NETWORKS), schedule=schedules)
def test_classic_paxos_is_safe_on_every_schedule(
    cluster: px.Cluster, network: str, schedule: list[int]
) -> None:
    world = initial_world(cluster, "classic", network, values=VALUES)
    world = walk(world, schedule)
    event("a value was chosen" if px.chosen(world) else "nothing chosen")


@given(cluster=clusters, schedule=schedules)
def test_a_walk_replays_from_its_trace(cluster: px.Cluster, schedule: list[int]) -> None:
    sim = px.Simulation(cluster, seed=0)
    sim.propose("p1", "confirmed")
    sim.propose("p2", "cancelled")
    for n in schedule:
        sim.apply(pick(sim.enabled_actions(), n))
    again = px.replay(cluster, px.Trace.from_json(sim.trace.to_json()))
    assert again.worlds == sim.worlds


def test_the_schedules_are_not_vacuous() -> None:
    """The same walks, drawn with a plain seeded RNG, usually get a value chosen and learned
    and take every kind of action, so the safety checks above have something to check."""
    rng = random.Random(0)
    chosen = learned = 0
    kinds: dict[str, int] = {}
    for _ in range(200):
        cluster = px.Cluster(proposers=rng.randint(2, 3), acceptors=rng.randint(3, 5))
        world = initial_world(cluster, "classic", "lossy", values=VALUES)
        world = walk(world, [rng.randrange(1_000) for _ in range(150)], kinds)
        chosen += bool(px.chosen(world))
        learned += any(v is not None for v in px.learned(world).values())
    assert chosen >= 100 and learned >= 50, (chosen, learned)
    assert set(kinds) == set(ACTION_TYPES), kinds
    assert min(kinds.values()) >= 20, kinds
