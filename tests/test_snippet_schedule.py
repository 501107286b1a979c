"""The snippet-schedule exercise: a schedule is replayed on the real engine and judged."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib.exercises import check_snippet_schedule

B1 = px.Ballot(1, "p")
B2 = px.Ballot(2, "p")


def first_value(sim: px.Simulation) -> None:
    sim.propose("p1", "confirmed")
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Prepare(src="p1", dst=a, ballot=B1)))
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Promise(src=a, dst="p1", ballot=B1)))
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Accept(src="p1", dst=a, ballot=B1, value="confirmed")))


def starter(sim: px.Simulation) -> None:
    first_value(sim)
    sim.propose("p2", "cancelled")
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Prepare(src="p2", dst=a, ballot=B1)))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Promise(src=a, dst="p2", ballot=B1)))


def reference(sim: px.Simulation) -> None:
    first_value(sim)
    sim.propose("p2", "cancelled")
    sim.apply(px.Deliver(px.Prepare(src="p2", dst="a2", ballot=B1)))
    sim.apply(px.Deliver(px.Nack(src="a2", dst="p2", ballot=B1, promised=B1)))
    sim.apply(px.Timeout("p2"))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Prepare(src="p2", dst=a, ballot=B2)))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Promise(src=a, dst="p2", ballot=B2)))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Accept(src="p2", dst=a, ballot=B2, value="cancelled")))


def test_the_reference_schedule_passes_and_really_chooses_two_values() -> None:
    feedback = check_snippet_schedule(reference)
    assert feedback.passed and str(feedback).startswith("✓ Well done")
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), variant="snippet")
    reference(sim)
    assert sim.chosen() == {"confirmed", "cancelled"}
    # the same steps under classic Paxos cannot happen: ballots there are 1.p1, 1.p2
    with pytest.raises(px.SimulationError, match="not in flight"):
        px.replay(sim.cluster, px.Trace(sim.cluster, "classic", "lossy", sim.steps))


def test_a_returned_list_of_actions_is_replayed_too() -> None:
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), variant="snippet")
    reference(sim)
    assert check_snippet_schedule(lambda _sim: list(sim.steps)).passed


def test_the_starter_runs_and_is_told_which_step_cannot_happen_and_why() -> None:
    feedback = check_snippet_schedule(starter)
    assert not feedback.passed
    assert feedback.problems == (
        "step 11 (deliver promise 1.p a2→p2) cannot happen: promise 1.p a2→p2 is not in "
        "flight; in flight from a2 to p2: nack 1.p (promised 1.p)",
    )


def test_a_run_that_chooses_one_value_is_told_so() -> None:
    def one(sim: px.Simulation) -> None:
        first_value(sim)
        sim.propose("p2", "cancelled")

    (problem,) = check_snippet_schedule(one).problems
    assert problem.startswith("after 8 step(s) only 'confirmed' is chosen (a1, a2 at ballot 1.p)")
    assert "p2 ('cancelled') is preparing at ballot 1.p with 0 of the 2 promises" in problem


def test_a_replayed_list_names_its_first_impossible_step() -> None:
    feedback = check_snippet_schedule(lambda sim: [px.Propose("p1", "x"), px.Timeout("p2")])
    assert feedback.problems == (
        "step 2 (timeout p2) cannot happen: p2 has no retry timer armed (it is not waiting)",)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda sim: 3, "apply the steps to sim (sim.apply(action)) or return a list of "
                        "actions; got 3"),
        (lambda sim: ["deliver"], "every step must be an action"),
        (lambda sim: None, "your schedule took no steps"),
        (lambda sim: 1 / 0, "your function raised ZeroDivisionError: division by zero"),
    ],
)
def test_wrong_answers_get_a_sentence_not_an_exception(fn, message: str) -> None:
    (problem,) = check_snippet_schedule(fn).problems
    assert problem.startswith(message)


def test_passing_something_that_is_not_a_function_is_a_config_error() -> None:
    with pytest.raises(px.ConfigError, match="check_snippet_schedule needs your function"):
        check_snippet_schedule("schedule")  # type: ignore[arg-type]
