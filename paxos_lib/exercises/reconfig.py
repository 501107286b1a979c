"""Lesson 08, part 3: pick the window alpha for a leader's pipeline.

``check_alpha`` asks of ``pick_alpha(depth, chosen_in) -> (alpha, first_slot)``: a leader
keeps up to ``depth`` slots in flight (it may propose in a slot before the slots below it are
chosen); a configuration command is chosen in slot ``chosen_in``.  Return the smallest safe
window alpha for that pipeline, and the first slot the new configuration then governs.

The rule (``paxos_lib.multipaxos.reconfig``): a configuration chosen in slot ``k`` governs
slots from ``k + alpha`` on, and the leader must know the configuration of every slot it
proposes in.  A slot it proposes in may lie ``depth - 1`` slots beyond its first unchosen one,
so a smaller alpha lets a configuration govern a slot that was already proposed under the old
one; a larger alpha is safe but keeps the old members in charge longer than needed.

Each wrong answer gets its own sentence; none states the formula.  The check never raises
because of the learner's code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.exercises.feedback import Feedback, need_function, run_scenarios
from paxos_lib.exercises.hidden import hidden_cases

__all__ = ["ALPHA_SCENARIOS", "check_alpha"]

#: (pipeline depth, slot the configuration was chosen in)
ALPHA_SCENARIOS: tuple[tuple[int, int], ...] = (
    (1, 0), (1, 7), (2, 10), (3, 10), (5, 42), (4, 0),
)


def _judge(depth: int, k: int) -> Callable[[Any], str | None]:
    scene = (f"with {depth} slot{'s' if depth > 1 else ''} in flight and the configuration "
             f"chosen in slot {k}")

    def judge(result: Any) -> str | None:
        if (not isinstance(result, tuple) or len(result) != 2
                or any(isinstance(x, bool) or not isinstance(x, int) for x in result)):
            return (f"{scene} it returned {result!r}; return a pair of whole numbers "
                    "(alpha, first slot)")
        alpha, first = result
        if alpha < 1:
            where = "the very slot that chose it" if alpha == 0 else "a slot before it"
            return (f"{scene} you chose alpha = {alpha}: the configuration would govern slot "
                    f"{k + alpha}, {where}: nobody can know a slot's quorum before that slot "
                    "is decided")
        if alpha < depth:
            late = k + alpha
            return (f"{scene} you chose alpha = {alpha}: the new configuration would govern "
                    f"slot {late}, which the leader may already have proposed while slot {k} "
                    "was still open, under the old configuration, so old and new members "
                    "would both count votes there")
        if alpha > depth:
            return (f"{scene} you chose alpha = {alpha}: safe, but the old members stay in "
                    f"charge {alpha - depth} slot(s) longer than they must, since the leader "
                    f"never proposes more than {depth} slot(s) ahead")
        if first <= k:
            return (f"{scene} and alpha = {alpha} you say the new members first govern slot "
                    f"{first}, but slot {first} is decided no later than the configuration "
                    "itself, which is not chosen yet there")
        if first != k + alpha:
            when = "early" if first < k + alpha else "late"
            return (f"{scene} and alpha = {alpha} you say the new members first govern slot "
                    f"{first}, too {when}: count alpha slots on from the slot that chose the "
                    "configuration")
        return None

    return judge


def check_alpha(fn: Callable[[int, int], tuple[int, int]]) -> Feedback:
    """Check ``fn(depth, chosen_in) -> (alpha, first_slot)`` on every scenario."""
    fn = need_function(fn, "check_alpha")
    return _check_alpha(fn, ALPHA_SCENARIOS)


def _check_alpha(fn: Callable[..., Any], cases: tuple[tuple[int, int], ...]) -> Feedback:
    """check_alpha's judge over ``cases`` (the visible table, or the hidden one)."""
    return run_scenarios("pick_alpha", [((d, k), _judge(d, k)) for d, k in cases], fn)


#: Hidden cases of check_alpha (graded, never shown by the check; see ``hidden.py``): depths
#: and slots the visible table never pairs, among them a depth of 2 from slot 0, a deep
#: pipeline and a configuration chosen far into the log.
HIDDEN_ALPHA_SCENARIOS: tuple[tuple[int, int], ...] = (
    (2, 0), (6, 3), (3, 99), (8, 1000), (1, 1), (10, 5),
)


@hidden_cases(check_alpha)
def _hidden_alpha(fn: Callable[..., Any]) -> Feedback:
    return _check_alpha(fn, HIDDEN_ALPHA_SCENARIOS)
