"""Lesson 03's scenes on the real engine: 6.824's foo and bar question, and five acceptors
after a choice.  The scenes are what their docstrings say; right answers pass; each wrong
prediction or failed schedule gets the reason the engine shows."""

from __future__ import annotations

import pytest

import paxos_lib as px


def test_the_foo_bar_scene_is_steps_one_and_two() -> None:
    sim = px.exercises.foo_bar_scene()
    votes = {(a, str(b), v) for a, b, v in sim.world.votes}
    assert votes == {("a1", "1.p1", "foo"), ("a3", "1.p1", "foo")}
    assert "p1" in sim.world.crashed and sim.chosen() == {"foo"}
    assert not any(m.KIND == "accept" for m in sim.world.inflight)


def test_foo_bar_prediction() -> None:
    check = px.exercises.check_foo_bar
    right = check(lambda: {"B proposes": "foo", "because of": "a3", "chosen": "foo"})
    assert str(right) == "✓ Well done: foo_bar is right in all 3 scenarios."
    starter = check(lambda: {"B proposes": "bar", "because of": None, "chosen": "bar"})
    assert starter.problems[0] == (
        "you said B (p2) proposes 'bar'; on the engine p2's ballot 1.p2 got its promises from "
        "a2 and a3 (a2's promise reported no vote; a3's promise reported 'foo' accepted at "
        "1.p1), and p2 proposed 'foo': a proposer may pick its own value only when no promise "
        "in its quorum reports a vote")
    assert len(starter.problems) == 3
    own = check(lambda: {"B proposes": "foo", "because of": "a2", "chosen": "foo"})
    assert own.problems == ("you named 'a2', but a2's promise reported no vote: p1 crashed "
                            "before its accept reached a2, so a2 has nothing to report",)
    stranger = check(lambda: {"B proposes": "foo", "because of": "a1", "chosen": "foo"})
    assert "p2 heard only from a2 and a3" in stranger.problems[0]
    both = check(lambda: {"B proposes": "foo", "because of": "a3", "chosen": ["bar", "foo"]})
    assert "'foo' is chosen" in both.problems[0]


@pytest.mark.parametrize("fn, says", [
    (lambda: {"B proposes": "foo"}, "return a dict with exactly the keys"),
    (lambda: 1 / 0, "your function raised ZeroDivisionError"),
])
def test_foo_bar_bad_answers(fn, says) -> None:  # type: ignore[no-untyped-def]
    fb = px.exercises.check_foo_bar(fn)
    assert not fb.passed and says in fb.problems[0]


def test_the_five_acceptor_scene() -> None:
    sim = px.exercises.five_acceptor_scene()
    assert sim.chosen() == {"X"}
    assert {(a, str(b)) for a, b, v in sim.world.votes} == {("a1", "5.p1"), ("a2", "5.p1"),
                                                           ("a3", "5.p1")}
    flying = {str(m) for m in sim.world.inflight}
    assert {f"accept 1.p3 'Y' p3→a{i}" for i in range(1, 6)} <= flying
    assert "prepare 5.p1 p1→a4" in flying


def starter(sim):  # type: ignore[no-untyped-def]
    sim.apply(px.Timeout("p3"))
    for acceptor in ("a4", "a5"):
        sim.deliver("prepare", "p3", acceptor)
        sim.deliver("promise", acceptor, "p3")


def higher_ballot(sim):  # type: ignore[no-untyped-def]
    sim.apply(px.Timeout("p3"))
    for a in ("a1", "a2", "a3"):
        sim.deliver("prepare", "p3", a)
        sim.deliver("nack", a, "p3")
    sim.apply(px.Timeout("p3"))
    for a in ("a1", "a2", "a3"):
        sim.deliver("prepare", "p3", a)
        sim.deliver("promise", a, "p3")


@pytest.mark.parametrize("fn, says", [
    (starter, "p3 started ballot 2.p3 but holds promises only from a4, a5, short of a quorum "
              "of 3, and a1, a2, a3 have promised 5.p1, so they refuse any ballot below it"),
    (lambda sim: sim.deliver("accept", "p3", "a3"),
     "a3 refused 1.p3 with 'Y': it had promised 5.p1 by then"),
    (lambda sim: (sim.deliver("prepare", "p1", "a4"), sim.deliver("accept", "p3", "a4")),
     "a4 refused 1.p3 with 'Y': it had promised 5.p1 by then"),
    (higher_ballot, "p3 ran ballot 6.p3 and proposed 'X', not 'Y': its quorum of promises "
                    "overlaps a1, a2, a3"),
    (lambda sim: None, "your schedule took no step"),
    (lambda sim: sim.deliver("promise", "a4", "p3"), "your schedule stopped after 0 step(s): "
                                                     "no promise from a4 to p3 is in flight"),
])
def test_failed_schedules_get_the_engine_s_reason(fn, says) -> None:  # type: ignore[no-untyped-def]
    fb = px.exercises.check_accept_y(fn)
    assert not fb.passed and any(says in p for p in fb.problems), fb.problems


@pytest.mark.parametrize("acceptor", ["a4", "a5"])
def test_an_old_accept_to_an_acceptor_that_never_promised_5p1_passes(acceptor) -> None:  # type: ignore[no-untyped-def]
    fb = px.exercises.check_accept_y(lambda sim: sim.deliver("accept", "p3", acceptor))
    assert str(fb) == "✓ Well done: accept_y is right."
