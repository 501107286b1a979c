"""The reduced explorer (``reduce=True``) against the plain one, on models both exhaust."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest

import paxos_lib as px
from paxos_lib.actions import Deliver
from paxos_lib.engine import initial_world
from paxos_lib.messages import Accept, Accepted, Prepare, Promise
from paxos_lib.properties import ALL_PROPERTIES
from paxos_lib.reduce import Reduction
from paxos_lib.roles import Acceptor, Learner, Proposer
from paxos_lib.zoo import SEARCHES, catch

explore_module = importlib.import_module("paxos_lib.explore")

EACH = {"p1": "v1", "p2": "v2"}
NO_LEARNERS = ["agreement", "validity", "chosen"]
#: (name, cluster, explore keyword arguments): small enough to exhaust without reduction
MODELS = [
    ("2x1", px.Cluster(proposers=2, acceptors=1), {"max_ballot": 1}),
    ("2x1 crash", px.Cluster(proposers=2, acceptors=1), {"max_ballot": 1, "max_crashes": 1}),
    ("2x2", px.Cluster(proposers=2, acceptors=2),
     {"max_ballot": 1, "properties": NO_LEARNERS}),
    ("1x3 any value", px.Cluster(proposers=1, acceptors=3),
     {"max_ballot": 1, "properties": NO_LEARNERS, "values": ("v1", "v2")}),
]


def projections(monkeypatch: pytest.MonkeyPatch, **kwargs: object) -> tuple[object, set]:
    """Run ``px.explore`` and collect what the properties read in every state it stores."""
    seen: set[object] = set()
    check = explore_module._Search.check

    def recording(self, world, key):  # type: ignore[no-untyped-def]
        seen.add((
            world.votes,
            world.proposed,
            world.crashed,
            tuple(s for s in world.nodes if isinstance(s, Acceptor)),
            tuple(s.learned for s in world.nodes if isinstance(s, Learner)),
        ))
        return check(self, world, key)

    with monkeypatch.context() as m:
        m.setattr(explore_module._Search, "check", recording)
        result = px.explore(**kwargs)  # type: ignore[arg-type]
    return result, seen


@pytest.mark.parametrize(("name", "cluster", "kwargs"), MODELS, ids=[m[0] for m in MODELS])
def test_the_reduced_search_reaches_the_same_projections(
    monkeypatch: pytest.MonkeyPatch, name: str, cluster: px.Cluster, kwargs: dict
) -> None:
    kwargs = {"values": EACH, **kwargs}
    plain, everything = projections(monkeypatch, cluster=cluster, **kwargs)
    reduced, kept = projections(monkeypatch, cluster=cluster, reduce=True, **kwargs)
    assert plain.end == reduced.end == "exhausted"
    assert reduced.states < plain.states
    assert kept == everything  # votes, proposals, acceptors, learned values: all reached
    assert reduced.examples["chosen"] is not None and plain.examples["chosen"] is not None
    assert len(reduced.examples["chosen"]) == len(plain.examples["chosen"])


#: every broken variant on the first three models, but minority-quorum (which refuses a
#: single acceptor, where no quorum is a minority) only on the 2x2 one
VARIANT_MODELS = [
    pytest.param(variant, *model, id=f"{model[0]}-{variant}")
    for model in MODELS[:3]
    for variant in px.VARIANTS
    if variant != "classic" and not (variant == "minority-quorum" and model[1].acceptors < 2)
]


@pytest.mark.parametrize(("variant", "name", "cluster", "kwargs"), VARIANT_MODELS)
def test_every_variant_gets_the_same_verdict_and_counterexample_length(
    variant: str, name: str, cluster: px.Cluster, kwargs: dict
) -> None:
    plain = px.explore(cluster, EACH, variant=variant, **kwargs)
    reduced = px.explore(cluster, EACH, variant=variant, reduce=True, **kwargs)
    assert reduced.end == plain.end
    assert reduced.violation == plain.violation
    if plain.counterexample is None:
        assert reduced.counterexample is None
    else:
        assert reduced.counterexample is not None
        assert len(reduced.counterexample) == len(plain.counterexample)
        sim = px.replay(cluster, reduced.counterexample)  # real steps from the real start
        assert len(sim.chosen()) == 2 or reduced.violation != "agreement"


def test_the_target_model_exhausts_reduced_and_pinned() -> None:
    """2 proposers x 3 acceptors, rounds <= 1, learners skipped: exhausted (pinned)."""
    result = px.explore(px.Cluster(proposers=2, acceptors=3), EACH, max_ballot=1,
                        properties=NO_LEARNERS, reduce=True, symmetry=True)
    assert result.end == "exhausted"
    assert (result.states, result.transitions, result.depth) == (4_216, 56_574, 23)


def test_pinned_counts_of_the_reduced_small_models() -> None:
    two = px.explore(px.Cluster(proposers=2, acceptors=1), EACH, max_ballot=1, reduce=True)
    assert (two.states, two.transitions, two.depth) == (102, 521, 13)
    crash = px.explore(px.Cluster(proposers=2, acceptors=1), EACH, max_ballot=1,
                       max_crashes=1, reduce=True)
    assert (crash.states, crash.transitions, crash.depth) == (658, 3_591, 15) and crash.ok


def test_a_proposer_that_forgets_its_round_keeps_its_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The facts the reduction relies on are probed in the handlers, not taken from names."""
    world = initial_world(px.Cluster(proposers=2, acceptors=3), "classic", "sent-set", ("v1",))
    assert Reduction.of(world, ()).proposers and Reduction.of(world, ()).learners
    monkeypatch.setattr(Proposer, "after_crash", lambda self, rules: Proposer(node=self.node))
    assert not Reduction.of(world, ()).proposers
    monkeypatch.setattr(Learner, "after_crash", lambda self, rules: Learner(node=self.node))
    assert not Reduction.of(world, ()).learners


def test_the_canonical_world_drops_dead_replies_and_stale_state() -> None:
    sim = px.Simulation(px.Cluster(proposers=1, acceptors=3, learners=1), seed=0,
                        network="sent-set")
    sim.propose("p1", "v1")
    delivered: set[object] = set()
    for _ in range(40):  # deliver every message once, oldest kind first
        actions = [a for a in sim.enabled_actions()
                   if isinstance(a, Deliver) and a.message not in delivered]
        if not actions:
            break
        delivered.add(actions[0].message)
        sim.apply(actions[0])
    world = sim.world
    p1 = world.node("p1")
    assert p1.phase == "decided" and p1.promises  # the real world keeps them
    canon = Reduction.of(world, ()).canonical(world)
    c1 = canon.node("p1")
    assert c1 == replace(p1, promises=(), accepts=())
    assert not [m for m in canon.inflight if m.dst == "p1"]  # every reply to p1 is dead
    assert canon.votes == world.votes and canon.proposed == world.proposed
    quiet = Reduction.of(world, ("l1",)).canonical(world)
    assert not [m for m in quiet.inflight if m.dst == "l1"]


@pytest.mark.parametrize("variant", list(SEARCHES))
def test_each_zoo_search_reduced_breaks_the_same_invariant_as_soon(variant: str) -> None:
    """The bug zoo's searches (``paxos_lib.zoo``, pinned without reduction in test_zoo.py):
    reduced, each finds a counterexample of the same length breaking the same property."""
    search = SEARCHES[variant]
    result = catch(variant, reduce=True)
    assert result.end == "violation" and result.violation == search.breaks
    assert result.counterexample is not None and len(result.counterexample) == search.steps
    worlds = result.counterexample.worlds()  # real steps from the real start
    by_name = {p.name: p for p in ALL_PROPERTIES}
    assert not by_name[search.breaks](worlds[-1]).holds


@pytest.mark.parametrize(
    ("variant", "keeps"),
    [("classic", False), ("snippet", True), ("amnesiac-acceptor", True),
     ("accept-below-promise", True), ("ballot-reuse", False), ("lowest-vote", False)],
)
def test_dead_promises_are_kept_where_an_acceptor_can_make_them_wrong(
    variant: str, keeps: bool
) -> None:
    world = initial_world(px.Cluster(proposers=2, acceptors=3), variant, "sent-set", ("v1",))
    assert not Reduction.of(world, ()).keep_promises
    assert Reduction.of(world, (), keep_promises=True).keep_promises is keeps


def test_a_dead_promise_that_went_back_stays_visible() -> None:
    """An amnesiac acceptor's promise, already counted by its proposer (so dead), breaks
    votes-within-promise once the acceptor forgets it: the reduced world must keep it."""
    cluster = px.Cluster(proposers=2, acceptors=1)
    sim = px.Simulation(cluster, variant="amnesiac-acceptor", network="sent-set")
    sim.propose("p1", "v1")
    sim.apply(Deliver(next(m for m in sim.world.inflight if isinstance(m, Prepare))))
    sim.apply(Deliver(next(m for m in sim.world.inflight if isinstance(m, Promise))))
    assert sim.world.node("p1").phase == "accepting"
    sim.apply(px.Crash("a1"))
    world = sim.world
    within = {p.name: p for p in ALL_PROPERTIES}["votes-within-promise"]
    assert not within(world).holds
    dropping = Reduction.of(world, ())
    assert not [m for m in dropping.canonical(world).inflight if isinstance(m, Promise)]
    keeping = Reduction.of(world, (), keep_promises=True)
    assert not within(keeping.canonical(world)).holds
    # and the explorer asks for it whenever such an invariant is checked
    kept = "every promise kept"
    for props in (["votes-within-promise"], ["promises-report-votes"], None):
        result = px.explore(cluster, EACH, variant="amnesiac-acceptor", max_ballot=1,
                            max_crashes=1, properties=props, reduce=True)
        assert kept in result.model
    for variant, props in (("amnesiac-acceptor", ["agreement"]), ("classic", None)):
        result = px.explore(cluster, EACH, variant=variant, max_ballot=1, reduce=True,
                            properties=props)
        assert kept not in result.model and "dead replies" in result.model


def test_the_canonical_world_keeps_the_learned_log() -> None:
    cluster = px.Cluster(proposers=1, acceptors=1, learners=1)
    sim = px.Simulation(cluster, network="sent-set")
    sim.propose("p1", "v1")
    for kind in (Prepare, Promise, Accept, Accepted):
        sim.apply(Deliver(next(m for m in sim.world.inflight
                               if isinstance(m, kind) and (kind is not Accepted
                                                           or m.dst == "l1"))))
    world = sim.world
    assert world.learned_log == {("l1", "v1")}
    canon = Reduction.of(world, ()).canonical(world)
    assert canon.node("l1").votes == frozenset() and canon.learned_log == world.learned_log
