"""The explorer over the engine: shortest counterexamples, clean classic runs, bounds, input."""

from __future__ import annotations

import json

import pytest

import paxos_lib as px
from paxos_lib import Crash, Propose
from paxos_lib.errors import ConfigError, PaxosError, UnknownNodeError
from paxos_lib.properties import PROPERTIES
from paxos_lib.zoo import NO_LEARNERS as ZOO_NO_LEARNERS

ONE_ACCEPTOR = px.Cluster(proposers=2, acceptors=1)
TWO_ACCEPTORS = px.Cluster(proposers=2, acceptors=2)
CLIENTS = {"p1": "confirmed", "p2": "cancelled"}
NO_LEARNERS = ["agreement", "validity", "chosen"]
#: The consensus properties only (agreement, validity, learners, chosen): the explorer's
#: default also checks the invariants first, which most variants break sooner (test_zoo.py).
CONSENSUS = [p.name for p in PROPERTIES]

# variant -> (cluster, max_ballot, max_crashes, properties, shortest counterexample length).
# The snippet is safe while every proposer stays at ballot round 1 (its ballots are shared
# and its acceptors promise only a greater one); it goes wrong once one retries at round 2.
BROKEN = {
    "snippet": (ONE_ACCEPTOR, 2, 0, CONSENSUS, 9),
    "forgetful-proposer": (ONE_ACCEPTOR, 1, 0, CONSENSUS, 8),
    "duplicate-ballots": (ONE_ACCEPTOR, 1, 0, CONSENSUS, 8),
    "amnesiac-acceptor": (ONE_ACCEPTOR, 1, 1, CONSENSUS, 10),
    "minority-quorum": (TWO_ACCEPTORS, 1, 0, NO_LEARNERS, 8),
}


@pytest.mark.parametrize("variant", list(BROKEN))
def test_each_broken_variant_yields_a_shortest_agreement_counterexample(variant: str) -> None:
    cluster, ballots, crashes, props, length = BROKEN[variant]
    result = px.explore(
        cluster, CLIENTS, variant=variant, max_ballot=ballots, max_crashes=crashes,
        properties=props,
    )
    assert result.end == "violation" and not result.ok
    assert result.violation == "agreement"
    trace = result.counterexample
    assert isinstance(trace, px.Trace) and len(trace) == length
    assert trace.variant == variant and trace.network == "sent-set"
    sim = px.replay(cluster, trace)
    assert sim.chosen() == {"confirmed", "cancelled"}
    agreement = sim.check()[0]
    assert agreement.name == "agreement" and not agreement.holds
    # shortest: no proper prefix breaks agreement
    shorter = px.Trace(cluster, variant, "sent-set", trace.steps[:-1])
    assert len(px.replay(cluster, shorter).chosen()) < 2
    with pytest.raises(AssertionError, match=r"agreement violated(.|\n)*\n *1\. p\d proposes"):
        result.assert_ok()


@pytest.mark.parametrize("variant", list(BROKEN))
def test_classic_holds_within_the_same_bounds(variant: str) -> None:
    cluster, ballots, crashes, props, _ = BROKEN[variant]
    result = px.explore(
        cluster, CLIENTS, variant="classic", max_ballot=ballots, max_crashes=crashes,
        properties=props,
    )
    assert result.ok and result.end == "exhausted" and result.counterexample is None
    result.assert_ok()
    example = result.examples["chosen"]
    assert example is not None
    assert len(example) == (4 if cluster.acceptors == 1 else 7)
    assert px.replay(cluster, example).chosen()


def test_state_counts_are_pinned() -> None:
    result = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1)
    assert (result.states, result.transitions, result.depth) == (344, 3_420, 15)
    assert result.generated == 3_421
    crash = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, max_crashes=1)
    assert (crash.states, crash.transitions, crash.depth) == (2_528, 24_638, 17)


def test_any_proposer_may_propose_any_value() -> None:
    safe = px.explore(ONE_ACCEPTOR, ("v1", "v2"), variant="snippet", max_ballot=1)
    assert safe.ok and (safe.states, safe.transitions) == (513, 3_464)
    result = px.explore(ONE_ACCEPTOR, ("v1", "v2"), variant="snippet", max_ballot=2)
    assert result.end == "violation" and len(result.counterexample) == 6
    assert result.violation == "promises-report-votes"
    assert (result.states, result.transitions) == (581, 1_282)
    agreement = px.explore(ONE_ACCEPTOR, ("v1", "v2"), variant="snippet", max_ballot=2,
                           properties=CONSENSUS)
    assert agreement.violation == "agreement" and len(agreement.counterexample) == 9
    assert (agreement.states, agreement.transitions) == (5_857, 21_079)
    clean = px.explore(ONE_ACCEPTOR, ("v1", "v2"), max_ballot=1)
    assert clean.ok and clean.states == 1_321


def test_leaving_out_the_learners_property_skips_learner_deliveries() -> None:
    full = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1)
    quiet = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, properties=NO_LEARNERS)
    assert full.ok and quiet.ok and quiet.states < full.states
    assert len(quiet.examples["chosen"]) == len(full.examples["chosen"])
    # with and without the properties that read learners, the same counterexample length:
    # the consensus properties, and every property (the invariants come first)
    pairs = ((CONSENSUS, NO_LEARNERS), (None, ZOO_NO_LEARNERS))
    for variant, ballots in (("snippet", 2), ("amnesiac-acceptor", 1)):
        for with_learners, without in pairs:
            a = px.explore(ONE_ACCEPTOR, CLIENTS, variant=variant, max_ballot=ballots,
                           max_crashes=1, properties=with_learners)
            b = px.explore(ONE_ACCEPTOR, CLIENTS, variant=variant, max_ballot=ballots,
                           max_crashes=1, properties=without)
            assert a.end == b.end == "violation" and a.violation == b.violation
            assert len(a.counterexample) == len(b.counterexample)
            assert b.states < a.states or a.states == b.states < 50


def test_a_higher_ballot_bound_still_finds_the_same_shortest_counterexample() -> None:
    for props, broken, length in ((None, "promises-report-votes", 6), (CONSENSUS, "agreement", 9)):
        two = px.explore(ONE_ACCEPTOR, CLIENTS, variant="snippet", max_ballot=2, properties=props)
        three = px.explore(ONE_ACCEPTOR, CLIENTS, variant="snippet", max_ballot=3,
                           properties=props)
        assert two.end == three.end == "violation"
        assert two.violation == three.violation == broken
        assert len(two.counterexample) == len(three.counterexample) == length


def test_lossy_network_finds_the_counterexample_too() -> None:
    """The same shortest counterexamples as on the sent-set network (round 2 is needed: at
    round 1 alone the snippet is safe, and the lossy space at round 1 is too big to exhaust
    in a test)."""
    for props, broken, length in ((None, "promises-report-votes", 6), (CONSENSUS, "agreement", 9)):
        result = px.explore(ONE_ACCEPTOR, CLIENTS, variant="snippet", network="lossy",
                            max_ballot=2, properties=props)
        assert result.end == "violation" and result.violation == broken
        assert len(result.counterexample) == length
        assert result.counterexample.network == "lossy"
        px.replay(ONE_ACCEPTOR, result.counterexample)


def test_searches_chain_from_a_simulation() -> None:
    """Search until a value is chosen, crash the acceptor, search again from there."""
    first = px.explore(ONE_ACCEPTOR, CLIENTS, variant="amnesiac-acceptor", max_ballot=1)
    example = first.examples["chosen"]
    sim = px.replay(ONE_ACCEPTOR, example)
    sim.apply(Crash("a1"))
    again = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, start=sim, properties=CONSENSUS)
    assert again.end == "violation" and again.violation == "agreement"
    trace = again.counterexample
    assert trace.steps[: len(example) + 1] == (*example.steps, Crash("a1"))
    assert trace.variant == "amnesiac-acceptor"
    assert len(px.replay(ONE_ACCEPTOR, trace).chosen()) == 2
    # the same from a Trace
    from_trace = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, start=sim.trace,
                            properties=CONSENSUS)
    assert from_trace.counterexample.steps == trace.steps
    # with the invariants, the start itself is already wrong: a1 forgot the vote it cast
    forgot = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, start=sim)
    assert forgot.violation == "votes-within-promise" and forgot.states == 1
    assert forgot.counterexample.steps == (*example.steps, Crash("a1"))


def test_a_search_can_start_from_a_bare_world() -> None:
    sim = px.Simulation(ONE_ACCEPTOR, variant="snippet", network="sent-set")
    sim.apply(Propose("p1", "confirmed"))
    result = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=2, start=sim.world,
                        properties=CONSENSUS)
    assert result.end == "violation" and len(result.counterexample) == 8
    for action in result.counterexample.steps:
        sim.apply(action)
    assert len(sim.chosen()) == 2


def test_bounds_are_reported_plainly() -> None:
    deep = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, max_depth=5)
    assert deep.end == "bound" and not deep.ok and deep.depth == 5
    assert "depth bound 5" in deep.detail and "nothing is proved" in deep.detail
    with pytest.raises(AssertionError, match="INCOMPLETE"):
        deep.assert_ok()
    wide = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, max_states=100)
    assert wide.end == "bound" and wide.states == 100 and "state bound 100" in wide.detail
    slow = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, time_limit=1e-9)
    assert slow.end == "time limit" and not slow.ok
    assert px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, max_depth=15).ok


def test_result_as_json() -> None:
    result = px.explore(ONE_ACCEPTOR, CLIENTS, variant="snippet", max_ballot=2,
                        properties=CONSENSUS)
    data = json.loads(json.dumps(result.to_dict()))
    for key in ("ok", "end", "states", "transitions", "depth", "seconds", "counterexample"):
        assert key in data
    assert data["ok"] is False and data["violation"] == "agreement"
    assert data["counterexample"][0] == {
        "step": 1,
        "text": "p1 proposes 'confirmed'",
        "action": "propose",
        "proposer": "p1",
        "value": "confirmed",
    }
    assert len(data["counterexample"]) == 9
    again = px.Trace.from_dict(data["counterexample_trace"])
    assert again == result.counterexample
    assert px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1).to_dict()["counterexample"] is None


def test_progress_bar_does_not_change_the_result(capsys: pytest.CaptureFixture[str]) -> None:
    result = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, progress=True)
    assert result.states == 344
    assert "states" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_ballot": -1}, ConfigError, "max_ballot must be an integer from 1 to 9"),
        ({"max_ballot": 10**9}, ConfigError, "max_ballot must be an integer from 1 to 9"),
        ({"max_crashes": -1}, ConfigError, "max_crashes must be an integer from 0 to 9"),
        ({"max_depth": 0}, ConfigError, "max_depth must be an integer"),
        ({"max_states": 0}, ConfigError, "max_states must be an integer"),
        ({"max_copies": 0}, ConfigError, "max_copies must be an integer from 1 to 4"),
        ({"time_limit": -1}, ConfigError, "time_limit must be a positive number"),
        ({"variant": "paxos-ish"}, ConfigError, "unknown variant 'paxos-ish'; choose 'classic'"),
        ({"network": "tcp"}, ConfigError, "unknown network 'tcp'; choose 'lossy' or 'sent-set'"),
        ({"properties": ["liveness"]}, ConfigError, "unknown property 'liveness'; choose from"),
        ({"values": ()}, ConfigError, "at least one value"),
        ({"values": ("v1", "v1")}, ConfigError, "values must be distinct"),
        ({"values": {"a1": "v1"}}, UnknownNodeError, "'a1' is a acceptor|'a1' is an acceptor"),
        ({"values": 3}, ConfigError, "values must be a list of strings"),
        ({"symmetry": "yes"}, ConfigError, "symmetry must be True or False"),
        ({"partitions": "yes"}, ConfigError, "partitions must be True or False"),
        ({"start": "initial"}, ConfigError, "start must be a World, a Trace or a Simulation"),
    ],
)
def test_bad_input_raises_a_paxos_error_listing_the_options(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        px.explore(ONE_ACCEPTOR, **kwargs)


def test_bad_cluster_and_start() -> None:
    with pytest.raises(PaxosError, match="explore needs a Cluster"):
        px.explore("three acceptors")  # type: ignore[arg-type]
    sim = px.Simulation(ONE_ACCEPTOR, variant="snippet")
    with pytest.raises(ConfigError, match="variant='classic' but the start world uses"):
        px.explore(ONE_ACCEPTOR, start=sim, variant="classic")
    with pytest.raises(ConfigError, match="the start world's cluster is"):
        px.explore(TWO_ACCEPTORS, start=sim)


def test_learned_stable_counts_as_reading_the_learners() -> None:
    """learned-stable reads the learners' log, so messages to learners are delivered for it
    (were they not, the property would hold vacuously)."""
    stable = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, properties=["learned-stable"])
    quiet = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, properties=["agreement"])
    full = px.explore(ONE_ACCEPTOR, CLIENTS, max_ballot=1, properties=CONSENSUS)
    assert stable.ok and quiet.ok and full.ok
    assert stable.states == full.states > quiet.states
    from paxos_lib.explore import READS_LEARNERS
    assert set(READS_LEARNERS) == {"learners", "learned-stable"}
