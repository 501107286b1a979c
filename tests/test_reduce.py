"""The reduced explorer (``reduce=True``) against the plain one, on models both exhaust."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest

import paxos_lib as px
from paxos_lib.actions import Deliver
from paxos_lib.engine import initial_world
from paxos_lib.reduce import Reduction
from paxos_lib.roles import Acceptor, Learner, Proposer

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


@pytest.mark.parametrize("variant", [v for v in px.VARIANTS if v != "classic"])
@pytest.mark.parametrize(("name", "cluster", "kwargs"), MODELS[:3], ids=[m[0] for m in MODELS[:3]])
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
