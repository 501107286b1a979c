"""The prediction widget: options are validated, a commit locks it, and the verdict says
whether the committed answer was what happened (a fixed sentence when nothing was committed)."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib.errors import ConfigError, PaxosError
from paxos_lib.viz.predict import EXPLANATION, Prediction


def test_options_are_two_to_four_distinct_labels() -> None:
    with pytest.raises(ConfigError, match="2 to 4 options"):
        px.viz.predict(["only one"])
    with pytest.raises(ConfigError, match="2 to 4 options"):
        px.viz.predict(["a", "b", "c", "d", "e"])
    with pytest.raises(ConfigError, match="must differ"):
        px.viz.predict(["a", "a"])
    with pytest.raises(ConfigError, match="non-empty string"):
        px.viz.predict(["a", ""])
    with pytest.raises(PaxosError, match="list of 2 to 4 answer labels"):
        px.viz.predict("ab")  # type: ignore[arg-type]


def test_nothing_committed_gives_a_fixed_verdict_and_leaves_the_widget_alone(
        capsys: pytest.CaptureFixture[str]) -> None:
    guess = px.viz.predict(["yes", "no"])
    assert "Prediction widget: run this cell, pick one of 2 answers" in capsys.readouterr().out
    before = guess._verdict.value
    guess.reveal("no")
    assert capsys.readouterr().out == (
        f"No prediction was committed above. What happened: no.\n{EXPLANATION}\n")
    guess.recall()
    assert capsys.readouterr().out.startswith("Your prediction: none committed")
    assert guess._verdict.value == before, "the stored widget state must not hold the answer"
    assert "no" not in before.lower().split()


def test_a_right_and_a_wrong_prediction(capsys: pytest.CaptureFixture[str]) -> None:
    right = px.viz.predict(["yes", "no"])
    right.commit("no")
    capsys.readouterr()
    right.recall()
    right.reveal("no")
    assert capsys.readouterr().out.startswith("Your prediction: no.\n✓ You predicted: no, and")
    assert "✓ You predicted: no" in right._verdict.value
    wrong = px.viz.predict(["yes", "no"])
    wrong.commit("yes")
    assert wrong.verdict("no") == "✗ You predicted: yes. What happened: no."


def test_commit_locks_the_widget_and_happens_once() -> None:
    guess = px.viz.predict(["a", "b", "c"])
    assert guess._commit.disabled, "nothing picked yet: nothing to commit"
    guess._choice.value = "b"
    assert not guess._commit.disabled
    guess._commit.click()
    assert guess.committed == "b"
    assert guess._choice.disabled and guess._commit.disabled
    assert "Committed" in guess._verdict.value
    with pytest.raises(ConfigError, match="committed once"):
        guess.commit("a")


def test_answers_must_be_among_the_options() -> None:
    guess = px.viz.predict(["a", "b"])
    with pytest.raises(ConfigError, match="answer must be one of 'a' or 'b', got 'c'"):
        guess.commit("c")
    with pytest.raises(ConfigError, match="what_happened must be one of 'a' or 'b'"):
        guess.reveal("c")


def test_a_free_answer_is_compared_by_the_student() -> None:
    guess = Prediction(None)
    with pytest.raises(ConfigError, match="non-empty string"):
        guess.commit("  ")
    guess.commit("about 12")
    assert guess.verdict("8.9") == "You predicted: about 12. What happened: 8.9. Compare the two."
