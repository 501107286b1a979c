"""Lesson 09: write an inductive invariant of Voting.

``check_inductive_invariant(fn)`` judges the learner's ``fn(view) -> bool`` (``view`` a
``paxos_lib.refinement.VotingView``) with the real checker, ``check_inductive``, on Lamport's
Tiny model (3 acceptors, values v1 and v2, ballots 0 and 1, majority quorums): every one of
its 110,592 type-correct Voting states, reachable or not.  Three conditions, each a scenario
of the feedback:

1. it holds in the initial state;
2. wherever it holds, at most one value is chosen (it implies agreement);
3. wherever it holds, every step Voting allows leads to a state where it still holds.

A failure of 3 is told as the counterexample to induction the checker found: the state
where the invariant holds, the step, the state where it no longer does, in plain words.  The
hint that follows says what kind of state the invariant still lets through (one where a vote
already cast can no longer be trusted, or one where two acceptors disagree within a ballot),
never how to write the condition that rules it out; so does the hint after a state that
satisfies the invariant with two values chosen.

Grading also judges the same three conditions on three other models (``HIDDEN_MODELS``,
registered as hidden cases, see ``hidden.py``): an invariant that only knows Tiny fails there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.exercises.feedback import Feedback, need_function
from paxos_lib.exercises.hidden import hidden_cases
from paxos_lib.refinement import (
    RefinementError,
    VotingState,
    VotingView,
    check_inductive,
    format_voting,
    voting_chosen,
)
from paxos_lib.tla import TINY, TlaModel

__all__ = ["check_inductive_invariant"]

EXERCISE = "your invariant"


def _chosen_words(model: TlaModel, s: VotingState) -> str:
    chosen = sorted(voting_chosen(model, s))
    if not chosen:
        return "nothing is chosen"
    if len(chosen) == 1:
        return f"{chosen[0]} is chosen"
    return f"{' and '.join(chosen)} are both chosen"


def _ballot_values(s: VotingState) -> dict[int, set[str]]:
    by_ballot: dict[int, set[str]] = {}
    for vs in s.votes:
        for b, v in vs:
            by_ballot.setdefault(b, set()).add(v)
    return by_ballot


def _chosen_at(model: TlaModel, s: VotingState) -> list[tuple[int, str]]:
    """``(ballot, value)`` for each value chosen in ``s``, at the lowest ballot it was."""
    view = VotingView(model, s)
    found = {}
    for b in model.ballots:
        for v in model.values:
            if v not in found and view.chosen_at(b, v):
                found[v] = b
    return sorted((b, v) for v, b in found.items())


def _agreement_hint(model: TlaModel, d: VotingState) -> str:
    chosen_at = _chosen_at(model, d)
    (low, lv), (high, hv) = chosen_at[0], chosen_at[-1]
    if low == high:
        return (f". Both are chosen in ballot {low}: your invariant allows acceptors to vote "
                "for different values in one ballot")
    return (f". {lv} is chosen in ballot {low} and {hv} in ballot {high}: ask what the votes "
            f"for {hv} in ballot {high} should have required of the ballots below it")


def _cti_hint(model: TlaModel, before: VotingState, label: str, after: VotingState) -> str:
    if any(len(vs) > 1 for vs in _ballot_values(before).values()):
        return ("In the first state two acceptors voted for different values in the same "
                "ballot. Voting never gets there, but your invariant lets it through; an "
                "inductive invariant must rule out such states itself.")
    chosen_at = _chosen_at(model, after)
    if len(chosen_at) > 1:
        (low, lv), (high, hv) = chosen_at[0], chosen_at[-1]
        return (f"Voting never reaches the first state, but your invariant cannot tell: in "
                f"it a vote for {hv} in ballot {high} stands although {lv} could still be "
                f"chosen in the lower ballot {low}, and the step shows how. Ask which votes "
                "may stand in a state if no step is ever to undo agreement.")
    return ("Either make your invariant false in the first state, or make it hold in the "
            "second one.")


def check_inductive_invariant(fn: Callable[[VotingView], Any]) -> Feedback:
    """Check ``fn(view) -> bool``: an inductive invariant of Voting that implies agreement,
    on every type-correct state of the Tiny model."""
    fn = need_function(fn, "check_inductive_invariant")
    return _check_invariant(fn, TINY, "the Tiny model")


def _check_invariant(fn: Callable[[VotingView], Any], model: TlaModel, name: str) -> Feedback:
    """check_inductive_invariant's judge on ``model`` (Tiny, or a hidden one)."""
    try:
        result = check_inductive(fn, model)
    except RefinementError as exc:  # an answer that is not True or False
        return Feedback(EXERCISE, False, 1, (f"it should answer True or False: {exc}",))
    except Exception as exc:  # the learner's code may raise anything: report it
        return Feedback(EXERCISE, False, 1,
                        (f"your invariant raised {type(exc).__name__}: {exc}",))
    problems: list[str] = []
    if not result.initial_ok:
        problems.append("it is false in the initial state (no votes, every maxBal -1), so it "
                        "is not an invariant at all: every behaviour starts there")
    if not result.implies_agreement:
        d = result.disagreement
        assert d is not None
        problems.append(f"it does not imply agreement: it holds in the state "
                        f"[{format_voting(model, d)}], where {_chosen_words(model, d)}"
                        + _agreement_hint(model, d))
    if not result.inductive:
        assert result.cti is not None
        before, label, after = result.cti
        problems.append(
            f"it is not preserved by every step. It holds in the state "
            f"[{format_voting(model, before)}] ({_chosen_words(model, before)}); Voting "
            f"allows the step {label} there; it is false in the next state "
            f"[{format_voting(model, after)}] ({_chosen_words(model, after)}). "
            + _cti_hint(model, before, label, after))
    notes = (f"checked on all {result.type_correct:,} type-correct Voting states of {name}; "
             f"your invariant holds in {result.satisfying:,} of them",)
    return Feedback(EXERCISE, not problems, 3, tuple(problems), notes)


#: Hidden models of check_inductive_invariant (graded, never shown by the check; see
#: ``hidden.py``): the same three conditions on every type-correct state of models other
#: than Tiny, so an invariant that knows Tiny's ballots, quorums or reachable states (rather
#: than why votes are safe) fails them.  Each stays well under ``MAX_TYPE_CORRECT``.
HIDDEN_MODELS: tuple[TlaModel, ...] = (
    TlaModel(acceptors=2, values=2, max_ballot=2),   # three ballots, quorum = both acceptors
    TlaModel(acceptors=2, values=3, max_ballot=1),   # three values
    TlaModel(acceptors=4, values=2, max_ballot=0),   # four acceptors, quorums of three
)


@hidden_cases(check_inductive_invariant)
def _hidden_inductive_invariant(fn: Callable[..., Any]) -> Feedback:
    runs = [_check_invariant(fn, model, repr(model)) for model in HIDDEN_MODELS]
    return Feedback(EXERCISE, all(f.passed for f in runs), sum(f.total for f in runs),
                    tuple(p for f in runs for p in f.problems))
