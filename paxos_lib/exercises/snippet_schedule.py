"""Lesson 03: build, step by step, a run in which the ``snippet`` variant chooses two values.

``check_snippet_schedule(schedule)`` hands the learner's ``schedule(sim)`` a fresh
``Simulation`` of 2 proposers x 3 acceptors running the ``snippet`` variant (the course's
starting code on many nodes) on the lossy network.  The function drives it with
``sim.apply(...)`` (or ``sim.propose``/``sim.deliver``), or returns a list of actions.  The
check then replays the steps through the real engine on a fresh simulation, as
``px.replay`` does, and judges the replayed run, never the learner's own objects:

The run is one scenario, judged in two stages:

1. every step can happen where it is taken; if not, the feedback names the step, says why
   the engine refuses it, and lists what *is* in flight between the same two nodes;
2. the run chooses two values (a quorum of votes for each, at one ballot each); if not, it
   says what was chosen and what each proposer got to, without giving the schedule away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from paxos_lib.actions import ACTION_TYPES, Action, Deliver, Drop, Duplicate
from paxos_lib.cluster import Cluster
from paxos_lib.engine import World
from paxos_lib.errors import PaxosError
from paxos_lib.exercises.feedback import Feedback, need_function
from paxos_lib.exercises.hidden import no_hidden_cases
from paxos_lib.properties import chosen_by
from paxos_lib.roles import Proposer
from paxos_lib.simulation import Simulation

__all__ = ["SCHEDULE_CLUSTER", "check_snippet_schedule"]

#: The cluster the schedule runs on.
SCHEDULE_CLUSTER = Cluster(proposers=2, acceptors=3)
EXERCISE = "your schedule"
ACTION_CLASSES = tuple(ACTION_TYPES.values())


class _Recording(Simulation):
    """A Simulation that remembers the action it was last asked to apply, so that a step
    the engine refuses inside the learner's function can be named."""

    attempted: Action | None = None

    def apply(self, action: Action) -> World:
        self.attempted = action
        return super().apply(action)


def _fresh() -> _Recording:
    return _Recording(SCHEDULE_CLUSTER, variant="snippet", network="lossy")


def _no(problem: str) -> Feedback:
    return Feedback(EXERCISE, False, 1, (problem,))


def _between(world: World, src: str, dst: str) -> str:
    found = [m.label for m in world.inflight if m.src == src and m.dst == dst]
    if not found:
        return f"nothing is in flight from {src} to {dst}"
    return f"in flight from {src} to {dst}: {', '.join(dict.fromkeys(found))}"


def _refused(world: World, action: Action, reason: str, number: int) -> str:
    text = f"step {number} ({action}) cannot happen: {reason}"
    if isinstance(action, Deliver | Drop | Duplicate):
        m = action.message
        text += f"; {_between(world, m.src, m.dst)}"
    return text


def _proposer_story(world: World, quorum: int) -> list[str]:
    lines = []
    for s in world.nodes:
        if not isinstance(s, Proposer):
            continue
        if s.value is None:
            lines.append(f"{s.node} was never asked for a value")
        elif s.phase in ("preparing", "nacked"):
            got = len(s.promises)
            state = "was refused and waits to retry" if s.phase == "nacked" else "is preparing"
            lines.append(f"{s.node} ({s.value!r}) {state} at ballot {s.ballot} with {got} of "
                         f"the {quorum} promises it needs")
        else:
            lines.append(f"{s.node} proposed {s.proposal!r} at ballot {s.ballot}")
    return lines


def _judge(world: World, steps: int) -> str | None:
    quorum = world.config.rules.quorum
    witnesses = chosen_by(world)
    if len(witnesses) >= 2:
        return None
    votes = sorted(world.votes, key=lambda v: (v[1], v[0]))
    if not witnesses:
        head = f"after {steps} step(s) nothing is chosen: no {quorum} acceptors voted for one " \
               "value at one ballot"
    else:
        (value, ballots), = witnesses.items()
        ballot, who = ballots[0]
        head = (f"after {steps} step(s) only {value!r} is chosen ({', '.join(who)} at ballot "
                f"{ballot}); a second value needs its own quorum of votes at a ballot of its own")
    cast = "; ".join(f"{a} voted {v!r} at {b}" for a, b, v in votes) or "no votes cast"
    return f"{head}. Votes: {cast}. {'; '.join(_proposer_story(world, quorum))}"


def check_snippet_schedule(schedule: Callable[[Simulation], Any]) -> Feedback:
    """Replay the steps ``schedule(sim)`` takes (or returns) on the real engine and judge them."""
    need_function(schedule, "check_snippet_schedule")
    sim = _fresh()
    try:
        returned = schedule(sim)
    except PaxosError as exc:
        action = sim.attempted
        reason = None if action is None else sim.why_not(action)
        if action is not None and reason is not None:
            return _no(_refused(sim.world, action, reason, len(sim.steps) + 1))
        return _no(f"step {len(sim.steps) + 1} of your schedule could not be taken: {exc}")
    except Exception as exc:  # the learner's code may raise anything: report it
        return _no(f"your function raised {type(exc).__name__}: {exc}")
    steps: list[Action] = list(sim.steps)
    if returned is not None and not steps:
        if isinstance(returned, str) or not isinstance(returned, Iterable):
            return _no("apply the steps to sim (sim.apply(action)) or return a list of "
                       f"actions; got {returned!r}")
        steps = list(returned)
        wrong = [s for s in steps if not isinstance(s, ACTION_CLASSES)]
        if wrong:
            return _no("every step must be an action (px.Propose, px.Deliver, px.Timeout, "
                       f"...); got {wrong[0]!r}")
    if not steps:
        return _no("your schedule took no steps")
    replayed = _fresh()
    for number, action in enumerate(steps, 1):
        reason = replayed.why_not(action)
        if reason is not None:
            return _no(_refused(replayed.world, action, reason, number))
        replayed.apply(action)
    verdict = _judge(replayed.world, len(steps))
    return Feedback(EXERCISE, verdict is None, 1, () if verdict is None else (verdict,))


no_hidden_cases(
    check_snippet_schedule,
    "the exercise is one schedule for one fixed cluster, replayed on the "
    "engine; there is no other input to keep back",
)
