"""The bug zoo: every broken variant is caught by the explorer, each in its own way.

Each variant's shortest counterexample is pinned: its length and the invariant it breaks
first (``paxos_lib.properties.INVARIANTS``, which name the rule), and no two variants give the
same counterexample.  The invariants hold on classic Paxos, exhaustively in small models and
at every step of seeded fault-injected runs.
"""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib import Accept, Deliver, Prepare, Promise
from paxos_lib.errors import ConfigError
from paxos_lib.properties import ALL_PROPERTIES, INVARIANT_NAMES, PROPERTIES, check_all
from paxos_lib.variants import BROKEN
from paxos_lib.zoo import NO_LEARNERS, SEARCHES, catch, summary, two_votes

ONE = px.Cluster(proposers=2, acceptors=1)
CLIENTS = {"p1": "v1", "p2": "v2"}


def deliver(sim: px.Simulation, kind: type, src: str, dst: str) -> None:
    """Deliver the ``kind`` message from ``src`` to ``dst`` at the highest ballot in flight."""
    sim.apply(Deliver(max((m for m in sim.world.inflight
                           if isinstance(m, kind) and m.src == src and m.dst == dst),
                          key=lambda m: m.ballot)))


# variant -> (steps of the shortest counterexample, the property it breaks first), pinned
# here independently of the figures paxos_lib.zoo states.
ZOO: dict[str, tuple[int, str]] = {
    "snippet": (6, "promises-report-votes"),
    "forgetful-proposer": (7, "votes-safe"),
    "lowest-vote": (17, "votes-safe"),
    "amnesiac-acceptor": (3, "votes-within-promise"),
    "accept-below-promise": (6, "votes-within-promise"),
    "duplicate-ballots": (6, "one-value-per-ballot"),
    "ballot-reuse": (10, "one-value-per-ballot"),
    "cross-ballot-learner": (14, "learners"),
    "minority-quorum": (8, "agreement"),
}

_FOUND: dict[str, px.ExploreResult] = {}


def found(variant: str) -> px.ExploreResult:
    if variant not in _FOUND:
        _FOUND[variant] = catch(variant)
    return _FOUND[variant]


def test_the_zoo_covers_every_broken_variant() -> None:
    assert set(ZOO) == set(BROKEN) == set(SEARCHES) == set(px.VARIANTS) - {"classic"}
    assert {v: (s.steps, s.breaks) for v, s in SEARCHES.items()} == ZOO


@pytest.mark.parametrize("variant", list(ZOO))
def test_each_variant_is_caught_at_the_invariant_that_names_its_rule(variant: str) -> None:
    steps, broken = ZOO[variant]
    result = found(variant)
    assert result.end == "violation" and result.violation == broken, result.summary()
    trace = result.counterexample
    assert isinstance(trace, px.Trace) and len(trace) == steps, str(result)
    # the trace replays on the engine and breaks that property only at its last step
    worlds = trace.worlds()
    by_name = {p.name: p for p in ALL_PROPERTIES}
    assert not by_name[broken](worlds[-1]).holds
    assert all(by_name[broken](w).holds for w in worlds[:-1])
    # and the same schedule is harmless under classic Paxos (when classic can take it)
    classic = px.Trace(trace.cluster, "classic", trace.network, trace.steps)
    try:
        end = classic.final()
    except px.SimulationError:
        return
    assert all(v.holds for v in check_all(end, invariants=True))


def test_no_two_variants_fail_the_same_way() -> None:
    seen: dict[tuple[object, ...], str] = {}
    for variant in ZOO:
        result = found(variant)
        assert result.counterexample is not None
        key = (result.violation, tuple(result.counterexample.steps))
        assert key not in seen, f"{variant} fails exactly as {seen[key]}"
        seen[key] = variant
    assert len(seen) == len(ZOO)


def test_ballot_reuse_breaks_agreement_in_14_steps_on_one_proposer_and_three_acceptors() -> None:
    cluster = px.Cluster(proposers=1, acceptors=3)
    result = px.explore(cluster, ("v1", "v2"), variant="ballot-reuse", max_ballot=1,
                        max_crashes=1, properties=["agreement", "validity"], symmetry=True)
    assert result.violation == "agreement" and len(result.counterexample) == 14
    sim = px.replay(cluster, result.counterexample)
    assert sim.chosen() == {"v1", "v2"}
    assert [str(a) for a in result.counterexample.steps[7:10]] == [
        "crash p1", "recover p1", "p1 proposes 'v2'"]


def test_lowest_vote_revives_the_older_value_where_classic_adopts_the_newer() -> None:
    for variant, proposal in (("lowest-vote", "v1"), ("classic", "v2")):
        sim = two_votes(variant)
        sim.apply(px.Timeout("p1"))
        for a in ("a1", "a2"):
            deliver(sim, Prepare, "p1", a)
        for a in ("a1", "a2"):
            deliver(sim, Promise, a, "p1")
        p1 = sim.world.node("p1")
        assert isinstance(p1, px.Proposer) and p1.proposal == proposal
        safe = {p.name: p(sim.world).holds for p in ALL_PROPERTIES if p.kind == "always"}
        assert safe["votes-safe"] is (variant == "classic")


def test_minority_quorum_keeps_every_local_invariant() -> None:
    trace = found("minority-quorum").counterexample
    assert trace is not None
    end = trace.final()
    verdicts = {v.name: v.holds for v in check_all(end, invariants=True)}
    assert {n: verdicts[n] for n in INVARIANT_NAMES} == dict.fromkeys(INVARIANT_NAMES, True)
    assert verdicts["agreement"] is False


# -- the invariants hold on classic Paxos -----------------------------------------------------


@pytest.mark.parametrize(
    ("cluster", "values", "kwargs"),
    [
        (ONE, CLIENTS, dict(max_ballot=1, max_crashes=1)),
        (px.Cluster(proposers=2, acceptors=2), CLIENTS,
         dict(max_ballot=1, properties=list(NO_LEARNERS))),
    ],
)
def test_classic_keeps_every_invariant_in_every_reachable_state(cluster, values, kwargs) -> None:
    result = px.explore(cluster, values, **kwargs)
    assert result.ok, str(result)
    checked = result.detail.split(" hold in every state")[0].split(", ")
    wanted = kwargs.get("properties") or [p.name for p in ALL_PROPERTIES]
    assert checked == [n for n in wanted if n != "chosen"]


def test_the_explorer_checks_the_invariants_by_default_first() -> None:
    from paxos_lib.properties import check_property_names

    names = [p.name for p in check_property_names(None)]
    assert names[: len(INVARIANT_NAMES)] == list(INVARIANT_NAMES)
    assert names[len(INVARIANT_NAMES):] == [p.name for p in PROPERTIES]


@pytest.mark.parametrize("seed", range(40))
def test_classic_keeps_every_invariant_at_every_step_of_a_faulty_run(seed: int) -> None:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3, learners=2), seed=seed)
    sim.propose("p1", "confirmed")
    sim.propose("p2", "cancelled")
    faults = px.Faults(drop=0.1, duplicate=0.1, crash=0.05, recover=0.2, partition=0.05,
                       heal=0.2, timeout=0.1)
    for _ in range(300):
        action = sim.next_random_action(faults)
        if action is None:
            break
        sim.apply(action)
        bad = [str(v) for v in check_all(sim.world, invariants=True) if not v.holds]
        assert not bad, f"seed {seed}, step {len(sim.steps)}: {bad}\n{sim.trace.numbered()}"


def test_a_learner_that_changes_its_value_is_caught() -> None:
    sim = px.Simulation(px.Cluster(proposers=1, acceptors=1))
    sim.propose("p1", "v1")
    for kind, src, dst in ((Prepare, "p1", "a1"), (Promise, "a1", "p1"), (Accept, "p1", "a1")):
        deliver(sim, kind, src, dst)
    deliver(sim, px.Accepted, "a1", "l1")
    world = sim.world
    assert world.learned_log == {("l1", "v1")}
    stable = next(p for p in ALL_PROPERTIES if p.name == "learned-stable")
    assert stable(world).holds
    changed = px.World(world.config, world.nodes, world.inflight, learned_log=frozenset(
        {("l1", "v1"), ("l1", "v2")}))
    verdict = stable(changed)
    assert not verdict.holds and "l1 learned 'v1' and later 'v2'" in verdict.explanation


def test_summary_fits_a_notebook_and_keeps_every_word() -> None:
    result = catch("accept-below-promise")
    text = summary("accept-below-promise", result)
    lines = text.splitlines()
    assert lines[0].split() == ["accept-below-promise", "2x1,", "max_ballot=1"]
    assert lines[1].strip() == ("violation after 34 states: 6 steps, breaks "
                                "votes-within-promise")
    assert all(len(line) <= 96 for line in lines)
    assert all(line.startswith(" " * 21) for line in lines[1:])
    assert " ".join(" ".join(lines[2:]).split()) == result.detail.split(": ", 1)[1]
    with pytest.raises(ConfigError, match="unknown broken variant 'classic'"):
        summary("classic", result)
    with pytest.raises(ConfigError, match="width must be an int from 40 to 400"):
        summary("snippet", result, width=10)
