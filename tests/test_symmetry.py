"""Symmetry reduction for the message-level explorer: renaming is an automorphism of the real
engine, classes are exactly the orbits, and verdicts and shortest traces do not change."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

import paxos_lib as px
from paxos_lib.engine import apply_enabled, enabled_actions, initial_world
from paxos_lib.errors import ConfigError
from paxos_lib.messages import Ballot, Promise
from paxos_lib.properties import ALL_PROPERTIES, PROPERTIES
from paxos_lib.roles import Proposer
from paxos_lib.symmetry import Renaming, Symmetry
from paxos_lib.variants import VARIANTS
from paxos_lib.zoo import NO_LEARNERS as ZOO_NO_LEARNERS
from paxos_lib.zoo import SEARCHES, catch

VALUES = ("v1", "v2")
NO_LEARNERS = ["agreement", "validity", "chosen"]


def group(cluster: px.Cluster, variant: str, partitions: bool = False) -> Symmetry:
    """The group the explorer uses for ``variant`` (its rules say whether ballots are shared)."""
    return Symmetry.of(
        cluster,
        unique_ballots=initial_world(cluster, variant, "sent-set", VALUES).rules.unique_ballots,
        partitions=partitions,
        values=VALUES,
        clients=None,
    )


def random_worlds(cluster: px.Cluster, variant: str, network: str, seed: int, steps: int):
    """The worlds of one random walk over every enabled action (faults included)."""
    rng = random.Random(seed)
    world = initial_world(cluster, variant, network, VALUES)
    yield world
    for _ in range(steps):
        actions = [a for a in enabled_actions(world) if not isinstance(a, px.Partition)]
        if not actions:
            return
        world = apply_enabled(world, rng.choice(actions))
        yield world


@pytest.mark.parametrize("network", ["sent-set", "lossy"])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_renaming_commutes_with_every_step_of_the_engine(variant: str, network: str) -> None:
    """g(apply(w, a)) == apply(g(w), g(a)), the enabled actions map onto each other and every
    property reads the same, for every renaming the explorer uses with this variant."""
    cluster = px.Cluster(proposers=2, acceptors=3, learners=2)
    sym = group(cluster, variant)
    shared = variant in ("duplicate-ballots", "snippet")  # shared ballots: acceptors kept apart
    assert len(sym.renamings) == (4 if shared else 24)
    # The swaps of two names generate the whole group, and a composition of automorphisms is
    # one, so checking the swaps checks every renaming.
    swaps = [
        g for g in sym.renamings
        if sum(k != v for k, v in (*g.nodes.items(), *g.values.items())) == 2
    ]
    assert len(swaps) == (2 if shared else 5)
    checked = 0
    for seed in range(3):
        for world in random_worlds(cluster, variant, network, seed, 40):
            actions = [a for a in enabled_actions(world) if not isinstance(a, px.Partition)]
            for g in swaps:
                renamed = g.world(world)
                theirs = {a for a in enabled_actions(renamed) if not isinstance(a, px.Partition)}
                assert {g.action(a) for a in actions} == theirs
                assert renamed.learned_log == {
                    (g.node(n), g.value(v)) for n, v in world.learned_log
                }
                for p in ALL_PROPERTIES:  # the invariants and learned-stable included
                    assert p.check(world)[0] == p.check(renamed)[0], p.name
                for a in actions:
                    assert g.world(apply_enabled(world, a)) == apply_enabled(renamed, g.action(a))
                    checked += 1
    assert checked > 1000


def test_with_shared_ballots_renaming_acceptors_is_not_an_automorphism() -> None:
    """Why duplicate-ballots keeps its acceptors apart: two promises at one shared ballot
    report different values, and the proposer keeps the lowest acceptor id's."""
    cluster = px.Cluster(proposers=2, acceptors=3)
    world = initial_world(cluster, "duplicate-ballots", "sent-set", VALUES)
    shared = Ballot(1, "p")
    p1 = Proposer(node="p1", round=2, phase="preparing", value="v1", ballot=Ballot(2, "p"),
                  promises=(("a1", shared, "v1"),))
    late = Promise(src="a2", dst="p1", ballot=Ballot(2, "p"), accepted_ballot=shared,
                   accepted_value="v2")
    world = replace(world, nodes=(p1, *world.nodes[1:]), inflight=(late,))
    swap = Renaming(nodes={"a1": "a2", "a2": "a1"}, values={})
    step = px.Deliver(late)
    after = apply_enabled(world, step)
    assert after.node("p1").proposal == "v1"
    assert apply_enabled(swap.world(world), swap.action(step)).node("p1").proposal == "v2"
    assert swap.world(after) != apply_enabled(swap.world(world), swap.action(step))


def reachable(
    cluster: px.Cluster, variant: str, values: tuple[str, ...], max_ballot: int
) -> set[px.World]:
    """A plain breadth-first search over whole worlds with the explorer's bounds (any value,
    no crashes, learners skipped), for comparing counts."""
    first = initial_world(cluster, variant, "sent-set", values)
    seen = {first}
    frontier = [first]
    while frontier:
        nxt = []
        for world in frontier:
            for a in enabled_actions(world):
                if isinstance(a, px.Crash | px.Partition) or (
                    isinstance(a, px.Deliver) and a.message.dst.startswith("l")
                ):
                    continue
                after = apply_enabled(world, a)
                if after.max_round > max_ballot or after in seen:
                    continue
                seen.add(after)
                nxt.append(after)
        frontier = nxt
    return seen


@pytest.mark.parametrize(
    ("proposers", "acceptors", "values", "variant", "renamings"),
    [
        (1, 3, VALUES, "classic", 12),
        (1, 3, VALUES, "duplicate-ballots", 2),
        (2, 2, ("v1",), "classic", 2),
    ],
)
def test_symmetry_classes_are_exactly_the_orbits_of_the_reachable_worlds(
    proposers: int, acceptors: int, values: tuple[str, ...], variant: str, renamings: int
) -> None:
    cluster = px.Cluster(proposers=proposers, acceptors=acceptors)
    worlds = reachable(cluster, variant, values, 1)
    sym = Symmetry.of(cluster, unique_ballots=variant != "duplicate-ballots",
                      partitions=False, values=values, clients=None)
    assert len(sym.renamings) == renamings
    orbits = {frozenset(g.world(w) for g in sym.renamings) for w in worlds}
    # validity holds in every variant, so both searches cover the whole space
    kwargs = dict(variant=variant, max_ballot=1,
                  properties=["validity", "chosen"])
    plain = px.explore(cluster, values, **kwargs)
    reduced = px.explore(cluster, values, symmetry=True, **kwargs)
    assert plain.end == "exhausted" and plain.states == len(worlds)
    assert reduced.end == "exhausted" and reduced.symmetry
    assert reduced.states == len(orbits) < plain.states
    assert reduced.depth == plain.depth


ONE_ACCEPTOR = px.Cluster(proposers=2, acceptors=1)
TWO_ACCEPTORS = px.Cluster(proposers=2, acceptors=2)
CONSENSUS = [p.name for p in PROPERTIES]
# variant -> (cluster, max_ballot, max_crashes, properties); agreement only (the explorer's
# default checks the invariants first); the snippet is safe at ballot round 1 alone
BROKEN = {
    "snippet": (ONE_ACCEPTOR, 2, 0, CONSENSUS),
    "forgetful-proposer": (TWO_ACCEPTORS, 1, 0, NO_LEARNERS),
    "duplicate-ballots": (ONE_ACCEPTOR, 1, 0, CONSENSUS),
    "amnesiac-acceptor": (ONE_ACCEPTOR, 1, 1, CONSENSUS),
    "minority-quorum": (TWO_ACCEPTORS, 1, 0, NO_LEARNERS),
}


@pytest.mark.parametrize("variant", list(BROKEN))
def test_symmetry_finds_the_same_shortest_counterexample_length(variant: str) -> None:
    cluster, ballots, crashes, props = BROKEN[variant]
    kwargs = dict(variant=variant, max_ballot=ballots, max_crashes=crashes, properties=props)
    plain = px.explore(cluster, VALUES, **kwargs)
    reduced = px.explore(cluster, VALUES, symmetry=True, **kwargs)
    assert plain.end == reduced.end == "violation"
    assert reduced.violation == plain.violation == "agreement"
    assert len(reduced.counterexample) == len(plain.counterexample)
    # the trace is a real run: it replays from the initial world and breaks agreement
    sim = px.replay(cluster, reduced.counterexample)
    assert len(sim.chosen()) == 2 and not sim.check()[0].holds
    assert reduced.states <= plain.states


# variant -> (cluster, bounds, property broken first, shortest counterexample length), with
# every invariant checked (learners only where the bug is the learner's)
INVARIANT_MODELS = {
    "snippet": (TWO_ACCEPTORS, {"max_ballot": 2, "properties": ZOO_NO_LEARNERS},
                "promises-report-votes", 8),
    "forgetful-proposer": (TWO_ACCEPTORS, {"max_ballot": 1, "properties": ZOO_NO_LEARNERS},
                           "votes-safe", 11),
    "amnesiac-acceptor": (ONE_ACCEPTOR, {"max_ballot": 1, "max_crashes": 1},
                          "votes-within-promise", 3),
    "accept-below-promise": (TWO_ACCEPTORS, {"max_ballot": 1, "properties": ZOO_NO_LEARNERS},
                             "votes-within-promise", 8),
    "duplicate-ballots": (ONE_ACCEPTOR, {"max_ballot": 1}, "one-value-per-ballot", 6),
    "ballot-reuse": (px.Cluster(proposers=1, acceptors=3),
                     {"max_ballot": 1, "max_crashes": 1, "properties": ZOO_NO_LEARNERS},
                     "one-value-per-ballot", 10),
    "cross-ballot-learner": (TWO_ACCEPTORS, {"max_ballot": 1}, "learners", 14),
    "minority-quorum": (TWO_ACCEPTORS, {"max_ballot": 1, "properties": ZOO_NO_LEARNERS},
                        "agreement", 8),
}


@pytest.mark.parametrize("variant", list(INVARIANT_MODELS))
def test_symmetry_keeps_the_first_invariant_broken_and_its_shortest_length(
    variant: str,
) -> None:
    cluster, bounds, broken, length = INVARIANT_MODELS[variant]
    plain = px.explore(cluster, VALUES, variant=variant, **bounds)
    reduced = px.explore(cluster, VALUES, variant=variant, symmetry=True, **bounds)
    assert plain.end == reduced.end == "violation"
    assert plain.violation == reduced.violation == broken
    assert len(plain.counterexample) == len(reduced.counterexample) == length
    assert reduced.symmetry and reduced.states < plain.states
    by_name = {p.name: p for p in ALL_PROPERTIES}
    assert not by_name[broken](reduced.counterexample.final()).holds  # a real run


def test_symmetry_catches_lowest_vote_as_soon_from_the_zoo_start() -> None:
    """lowest-vote needs three acceptors and two ballots: the zoo's search from two votes."""
    search = SEARCHES["lowest-vote"]
    result = catch("lowest-vote", symmetry=True)
    assert result.symmetry and "a1, a2, a3 interchangeable" in result.model
    assert result.end == "violation" and result.violation == search.breaks
    assert len(result.counterexample) == search.steps


def test_the_learned_log_is_part_of_the_symmetry_class() -> None:
    """Two worlds alike but for who learned what are in different classes, unless a renaming
    maps one log onto the other."""
    cluster = px.Cluster(proposers=1, acceptors=1, learners=2)
    sym = Symmetry.of(cluster, unique_ballots=True, partitions=False, values=VALUES,
                      clients=None)
    world = initial_world(cluster, "classic", "sent-set", VALUES)
    codes: dict[object, int] = {}
    objects: list[object] = []

    def code(obj: object) -> int:
        if obj not in codes:
            codes[obj] = len(objects)
            objects.append(obj)
        return codes[obj]

    def key(w: px.World) -> tuple[object, ...]:
        return sym.key(tuple(code(n) for n in w.nodes), (), w, (), code, objects)

    l1_v1 = replace(world, learned_log=frozenset({("l1", "v1")}))
    l2_v2 = replace(world, learned_log=frozenset({("l2", "v2")}))
    both = replace(world, learned_log=frozenset({("l1", "v1"), ("l2", "v1")}))
    assert key(l1_v1) == key(l2_v2) != key(world)
    assert key(both) not in (key(world), key(l1_v1))


def test_classic_with_symmetry_holds_and_keeps_its_shortest_example() -> None:
    cluster = px.Cluster(proposers=2, acceptors=3)
    kwargs = dict(max_ballot=1, max_crashes=1, max_depth=9)
    plain = px.explore(cluster, VALUES, **kwargs)
    reduced = px.explore(cluster, VALUES, symmetry=True, **kwargs)
    assert plain.end == reduced.end == "bound"  # nothing proved beyond depth 9, either way
    assert len(reduced.examples["chosen"]) == len(plain.examples["chosen"]) == 7
    assert reduced.states < plain.states / 5
    assert "a1, a2, a3 interchangeable" in reduced.model
    assert "values v1, v2 interchangeable" in reduced.model
    small = px.explore(TWO_ACCEPTORS, VALUES, max_ballot=1, properties=NO_LEARNERS,
                       symmetry=True)
    assert small.ok and "symmetry classes" in small.summary()


def test_symmetry_from_a_simulation_start_replays() -> None:
    sim = px.Simulation(TWO_ACCEPTORS, variant="forgetful-proposer", network="sent-set")
    sim.propose("p1", "v1")
    result = px.explore(TWO_ACCEPTORS, VALUES, start=sim, max_ballot=1,
                        properties=NO_LEARNERS, symmetry=True)
    plain = px.explore(TWO_ACCEPTORS, VALUES, start=sim, max_ballot=1, properties=NO_LEARNERS)
    assert result.end == plain.end == "violation"
    # the start (v1 already proposed) is not symmetric; the trace is still a shortest one
    assert len(result.counterexample) == len(plain.counterexample)
    trace = result.counterexample
    assert trace.steps[0] == px.Propose("p1", "v1")
    assert len(px.replay(TWO_ACCEPTORS, trace).chosen()) == 2


def test_a_partitioned_start_keeps_the_nodes_apart() -> None:
    sim = px.Simulation(TWO_ACCEPTORS, network="sent-set")
    sim.apply(px.Partition((("p1", "a1"), ("p2", "a2", "l1"))))
    result = px.explore(TWO_ACCEPTORS, VALUES, start=sim, max_ballot=1,
                        properties=NO_LEARNERS, symmetry=True)
    assert "a1, a2" not in result.model and "values v1, v2 interchangeable" in result.model
    plain = px.explore(TWO_ACCEPTORS, VALUES, start=sim, max_ballot=1, properties=NO_LEARNERS)
    assert result.ok and plain.ok and result.states < plain.states
    with pytest.raises(ConfigError, match="start world's partition separates"):
        px.explore(TWO_ACCEPTORS, {"p1": "v1", "p2": "v2"}, start=sim, symmetry=True)


def test_what_symmetry_renames_depends_on_the_model() -> None:
    cluster = px.Cluster(proposers=2, acceptors=3, learners=2)
    assert "a1, a2, a3" in group(cluster, "classic").interchangeable
    assert "l1, l2" in group(cluster, "classic").interchangeable
    shared = group(cluster, "duplicate-ballots").interchangeable
    assert "a1" not in shared and "values v1, v2" in shared
    split = group(cluster, "classic", partitions=True)
    assert len(split.renamings) == 2 and "a1" not in split.interchangeable
    # own values per proposer: values stay apart, acceptors are still interchangeable
    own = Symmetry.of(cluster, unique_ballots=True, partitions=False, values=VALUES,
                      clients={"p1": frozenset({"v1"}), "p2": frozenset({"v2"})})
    assert "values" not in own.interchangeable and len(own.renamings) == 12


def test_symmetry_refused_with_the_reason_when_nothing_is_interchangeable() -> None:
    with pytest.raises(ConfigError, match="needs interchangeable acceptors, learners or values"):
        px.explore(ONE_ACCEPTOR, {"p1": "v1", "p2": "v2"}, symmetry=True)
    with pytest.raises(ConfigError, match="partitions offered single out the first acceptors"):
        px.explore(ONE_ACCEPTOR, {"p1": "v1", "p2": "v2"}, partitions=True, symmetry=True)
    with pytest.raises(ConfigError, match="ties by acceptor id"):
        px.explore(TWO_ACCEPTORS, {"p1": "v1", "p2": "v2"}, variant="duplicate-ballots",
                   symmetry=True)
    orders = px.multipaxos.ReplicaCluster(3)
    with pytest.raises(ConfigError, match="no two are interchangeable"):
        px.explore(orders, ("confirm 42",), symmetry=True)


def test_symmetry_on_the_lossy_network_keeps_the_shortest_counterexample() -> None:
    invariants = dict(variant="forgetful-proposer", network="lossy", max_ballot=1)
    plain = px.explore(ONE_ACCEPTOR, VALUES, **invariants)
    reduced = px.explore(ONE_ACCEPTOR, VALUES, symmetry=True, **invariants)
    assert plain.violation == reduced.violation == "votes-safe"
    assert len(reduced.counterexample) == len(plain.counterexample) == 7
    kwargs = dict(invariants, properties=CONSENSUS)  # agreement itself
    plain = px.explore(ONE_ACCEPTOR, VALUES, **kwargs)
    reduced = px.explore(ONE_ACCEPTOR, VALUES, symmetry=True, **kwargs)
    assert plain.end == reduced.end == "violation"
    assert len(reduced.counterexample) == len(plain.counterexample) == 8
    assert reduced.counterexample.network == "lossy" and reduced.states < plain.states
    assert len(px.replay(ONE_ACCEPTOR, reduced.counterexample).chosen()) == 2


def test_symmetry_class_counts_are_pinned() -> None:
    """A regression alarm: any change to the engine, the roles or the canonical keys that
    changes these counts must be looked at (plain counts: 26,313 and 1,445 states)."""
    pair = px.explore(TWO_ACCEPTORS, VALUES, max_ballot=1, properties=NO_LEARNERS,
                      symmetry=True)
    assert (pair.states, pair.transitions, pair.depth) == (6_707, 105_376, 25)
    three = px.explore(px.Cluster(proposers=1, acceptors=3), VALUES, max_ballot=1,
                       properties=NO_LEARNERS, symmetry=True)
    assert (three.states, three.transitions, three.depth) == (146, 1_694, 15)
