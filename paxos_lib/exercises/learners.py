"""Lesson 02: a learner that counts votes, and what a quorum size buys and costs.

``check_learn`` gives the learner's ``learn(accepted, n)`` the *accepted* messages one learner
received, in arrival order, as ``(acceptor, ballot, value)``, from a cluster of ``n``
acceptors, and compares its answer with what the course's own learner (``roles.Learner``)
learns from the same messages, fed to it one by one.  The messages include duplicates (the
network may deliver one twice), votes for one value at different ballots, and late votes that
arrive after the value was learned.  When the answer is wrong, the feedback states what the
messages hold for the value returned or missed: the same acceptor counted twice, votes at
different ballots, or too few acceptors for a majority of ``n``.

``check_quorum_tradeoff`` asks of ``tradeoff(n, quorum) -> (crashes, safe)``, for a cluster
of ``n`` acceptors that waits for ``quorum`` of them, how many acceptors may crash while a
quorum can still be formed, and whether any two quorums must share an acceptor.  Lesson 02's
table answers this for a majority only; the exercise asks for every quorum size, and the
feedback shows a pair of disjoint quorums, or counts the acceptors left after the crashes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.cluster import Cluster
from paxos_lib.exercises.feedback import Feedback, need_function, run_scenarios
from paxos_lib.exercises.hidden import hidden_cases
from paxos_lib.messages import Accepted, Ballot
from paxos_lib.roles import Learner
from paxos_lib.variants import rules_for

__all__ = ["check_learn", "check_quorum_tradeoff"]

_B = Ballot
Vote = tuple[str, Ballot, str]
_C, _X = "confirmed", "cancelled"

#: (accepted messages in arrival order, number of acceptors)
LEARN_CASES: tuple[tuple[tuple[Vote, ...], int], ...] = (
    ((), 3),
    ((("a1", _B(1, "p1"), _C), ("a2", _B(1, "p1"), _C)), 3),
    ((("a1", _B(1, "p1"), _C), ("a1", _B(1, "p1"), _C)), 3),
    ((("a1", _B(1, "p1"), _C), ("a2", _B(2, "p1"), _C)), 3),
    ((("a1", _B(1, "p1"), _C), ("a2", _B(1, "p2"), _X), ("a3", _B(1, "p2"), _X)), 3),
    ((("a1", _B(1, "p1"), _C), ("a2", _B(1, "p1"), _C)), 4),
    ((("a1", _B(1, "p1"), _C), ("a3", _B(1, "p1"), _C), ("a4", _B(1, "p1"), _C)), 4),
    ((("a4", _B(2, "p2"), _X), ("a5", _B(2, "p2"), _X), ("a1", _B(1, "p1"), _C),
      ("a2", _B(1, "p1"), _C), ("a3", _B(2, "p2"), _X)), 5),
    ((("a1", _B(1, "p1"), _C), ("a2", _B(1, "p1"), _C), ("a3", _B(2, "p2"), _C)), 3),
    ((("a1", _B(1, "p1"), _C),), 1),
    ((("a1", _B(1, "p1"), _C), ("a2", _B(2, "p2"), _C), ("a2", _B(1, "p1"), _C)), 3),
)


def engine_learns(accepted: tuple[Vote, ...], n: int) -> str | None:
    """What the course's learner learns from ``accepted``, delivered in order."""
    rules = rules_for(Cluster(proposers=1, acceptors=n))
    learner = Learner(node="l1")
    for acceptor, ballot, value in accepted:
        msg = Accepted(src=acceptor, dst="l1", ballot=ballot, value=value)
        learner, _ = learner.on_message(msg, rules)  # type: ignore[assignment]
    return learner.learned


def _show_messages(accepted: tuple[Vote, ...], n: int) -> str:
    if not accepted:
        return f"with no accepted message yet ({n} acceptors)"
    listed = ", ".join(f"{a} {v!r} at {b}" for a, b, v in accepted)
    return f"with the messages [{listed}] from {n} acceptors"


def _why_not(accepted: tuple[Vote, ...], n: int, value: str) -> str:
    """Why ``value`` is not learned from ``accepted``: the facts, ballot by ballot."""
    majority = n // 2 + 1
    mine = [(a, b) for a, b, v in accepted if v == value]
    if not mine:
        return f"no acceptor voted for {value!r}"
    by_ballot: dict[Ballot, list[str]] = {}
    repeated = []
    for a, b in mine:
        if a in by_ballot.setdefault(b, []):
            repeated.append((a, b))
        else:
            by_ballot[b].append(a)
    parts = [f"{' and '.join(who)} at {b}" for b, who in by_ballot.items()]
    text = f"{value!r} has votes from {'; '.join(parts)}"
    if repeated:
        a, b = repeated[0]
        text += (f" ({a}'s vote at {b} arrived twice: a duplicated message is still one "
                 "acceptor)")
    if len(by_ballot) > 1:
        text += (", at different ballots: votes at different ballots do not add up, because "
                 "a later proposer that also hears of a vote for another value at a higher "
                 "ballot proposes that value instead")
    best = max(len(who) for who in by_ballot.values())
    if len(by_ballot) == 1 or best < majority:
        text += (f"; the most at one ballot is {best} acceptor{'s' * (best != 1)}, and a "
                 f"majority of {n} is {majority}")
    return text


def _why(accepted: tuple[Vote, ...], n: int, value: str) -> str:
    """Why ``value`` is learned: the first ballot whose voters reached a majority."""
    majority = n // 2 + 1
    voters: dict[Ballot, list[str]] = {}
    for a, b, v in accepted:
        if v == value and a not in voters.setdefault(b, []):
            voters[b].append(a)
            if len(voters[b]) >= majority:
                return (f"{' and '.join(voters[b])} voted {value!r} at {b}: {majority} of "
                        f"{n} acceptors at one ballot")
    raise AssertionError("the engine learned a value no ballot chose")  # pragma: no cover


def check_learn(fn: Callable[[list[Vote], int], Any]) -> Feedback:
    """Check ``fn(accepted, n) -> value or None``: the value a learner has learned from the
    accepted messages ``accepted`` (in arrival order) of a cluster of ``n`` acceptors."""
    fn = need_function(fn, "check_learn")
    return _check_learn(fn, LEARN_CASES)


def _check_learn(fn: Callable[..., Any], cases: Any) -> Feedback:
    """check_learn's judge over ``cases`` (the visible table, or the hidden one)."""

    def case(accepted: tuple[Vote, ...], n: int) -> tuple[tuple[Any, ...], Any]:
        want = engine_learns(accepted, n)
        where = _show_messages(accepted, n)

        def judge(result: Any) -> str | None:
            if result == want:
                return None
            if result is not None and not isinstance(result, str):
                return f"{where}: return the value learned, or None, got {result!r}"
            if want is None:
                assert result is not None
                return (f"{where}: you learned {result!r}, but nothing can be learned yet: "
                        f"{_why_not(accepted, n, result)}")
            if result is None:
                return (f"{where}: you learned nothing, but {_why(accepted, n, want)}, so "
                        f"{want!r} is chosen")
            return (f"{where}: you learned {result!r}, but {_why_not(accepted, n, result)}; "
                    f"{_why(accepted, n, want)}")

        return (list(accepted), n), judge

    return run_scenarios("learn", (case(a, n) for a, n in cases), fn)


#: (acceptors, quorum size) pairs.
TRADEOFF_CASES: tuple[tuple[int, int], ...] = (
    (3, 2), (5, 3), (5, 4), (5, 5), (4, 3), (4, 2), (5, 2), (6, 4), (7, 5), (1, 1),
)


def _names(first: int, last: int) -> str:
    return "{" + ", ".join(f"a{i}" for i in range(first, last + 1)) + "}"


def check_quorum_tradeoff(fn: Callable[[int, int], Any]) -> Feedback:
    """Check ``fn(n, quorum) -> (crashes, safe)``: with ``n`` acceptors and quorums of
    ``quorum``, how many may crash while a quorum can still be formed, and whether every two
    quorums share an acceptor."""
    fn = need_function(fn, "check_quorum_tradeoff")
    return _check_quorum_tradeoff(fn, TRADEOFF_CASES)


def _check_quorum_tradeoff(fn: Callable[..., Any], cases: Any) -> Feedback:
    """check_quorum_tradeoff's judge over ``cases`` (the visible table, or the hidden one)."""

    def case(n: int, q: int) -> tuple[tuple[Any, ...], Any]:
        crashes, safe = n - q, 2 * q > n
        where = f"with {n} acceptor{'s' * (n != 1)} and quorums of {q}"

        def judge(result: Any) -> str | None:
            if (not isinstance(result, tuple) or len(result) != 2
                    or isinstance(result[0], bool) or not isinstance(result[0], int)
                    or not isinstance(result[1], bool)):
                return (f"{where}: return a pair (crashes, safe) of a whole number and True "
                        f"or False, got {result!r}")
            said_crashes, said_safe = result
            reasons = []
            if said_crashes < 0:
                reasons.append(f"you said {said_crashes} crashes; a count cannot be negative")
            elif said_crashes > crashes:
                left = n - said_crashes
                reasons.append(
                    f"after {said_crashes} crash{'es' * (said_crashes != 1)} only {left} "
                    f"acceptor{'s are' if left != 1 else ' is'} left, fewer than a quorum of "
                    f"{q}: no ballot can finish")
            elif said_crashes < crashes:
                reasons.append(
                    f"after {said_crashes + 1} crash{'es' * (said_crashes != 0)} there are "
                    f"still {n - said_crashes - 1} acceptors up, enough for a quorum of {q}, "
                    f"so more than {said_crashes} can be survived")
            if said_safe and not safe:
                reasons.append(
                    f"{_names(1, q)} and {_names(n - q + 1, n)} are both quorums and share no "
                    "acceptor, so each could choose its own value")
            elif safe and not said_safe:
                reasons.append(
                    f"two quorums of {q} hold {2 * q} places among only {n} acceptors, so "
                    "some acceptor is in both: they cannot choose different values")
            return f"{where}: " + "; and ".join(reasons) if reasons else None

        return (n, q), judge

    return run_scenarios("quorum_tradeoff", (case(n, q) for n, q in cases), fn)


#: Hidden cases of check_learn (graded, never shown by the check; see ``hidden.py``).
HIDDEN_LEARN_CASES = (
    ((("a2", _B(2, "p2"), _X), ("a3", _B(2, "p2"), _X)), 3),
    ((("a3", _B(1, "p1"), _C), ("a3", _B(1, "p1"), _C), ("a1", _B(1, "p1"), _C)), 3),
    ((("a1", _B(2, "p1"), _X), ("a2", _B(3, "p1"), _X), ("a3", _B(4, "p1"), _X)), 5),
    ((("a1", _B(3, "p2"), _C), ("a2", _B(3, "p2"), _C), ("a4", _B(3, "p2"), _C)), 5),
    ((("a2", _B(1, "p3"), _X), ("a1", _B(1, "p3"), _X)), 2),
    ((("a1", _B(1, "p1"), _X), ("a2", _B(1, "p1"), _X), ("a3", _B(1, "p1"), _X)), 7),
)


@hidden_cases(check_learn)
def _hidden_learn(fn: Callable[..., Any]) -> Feedback:
    return _check_learn(fn, HIDDEN_LEARN_CASES)


#: Hidden cases of check_quorum_tradeoff (graded, never shown by the check; see ``hidden.py``).
HIDDEN_TRADEOFF_CASES = ((2, 2), (3, 3), (6, 3), (7, 4), (8, 5), (9, 4), (2, 1))


@hidden_cases(check_quorum_tradeoff)
def _hidden_quorum_tradeoff(fn: Callable[..., Any]) -> Feedback:
    return _check_quorum_tradeoff(fn, HIDDEN_TRADEOFF_CASES)
