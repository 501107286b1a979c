"""Lesson 03: two scenes played on the real engine, where the learner predicts or builds.

``foo_bar_scene()`` is the question MIT 6.824 asked about *Paxos Made Simple* (lecture
question, 2014): acceptors A, B, C (here ``a1``, ``a2``, ``a3``); A and B are also proposers
(``p1``, ``p2``).  A prepares ballot 1.p1 with all three, gets ``'foo'`` accepted by A and C,
and crashes before its accept reaches B.  The question then claims that B prepares a higher
ballot with B and C and gets ``'bar'`` accepted by both.  ``check_foo_bar(fn)`` asks the
learner's ``fn()`` for a prediction, ``{"B proposes": value, "because of": acceptor or None,
"chosen": value}``, plays steps 3 and 4 on the engine from the scene, and compares.

``five_acceptor_scene()`` has five acceptors; ``a1``, ``a2``, ``a3`` have accepted ``'X'`` at
ballot 5.p1, so ``'X'`` is chosen.  Earlier, ``p3`` had collected promises for 1.p3 from
``a3``, ``a4``, ``a5`` and sent accepts for ``'Y'``, which are still in flight.  Can any
acceptor still accept ``'Y'``?  ``check_accept_y(fn)`` runs the learner's ``fn(sim)`` on a
fresh copy of the scene and passes when some acceptor's vote for ``'Y'`` is in the history
afterwards; otherwise it explains, from the run, why each attempt failed.  (Yes: an acceptor
that never promised 5.p1 may still accept ``'Y'`` at 1.p3; but ``'Y'`` can never be chosen,
since a3 promised 5.p1, and any higher ballot hears of ``'X'`` from a quorum.)

Both scenes are built step by step on the engine, so ``sim.trace`` charts them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from paxos_lib.actions import Crash, Deliver, Drop, Timeout
from paxos_lib.cluster import Cluster
from paxos_lib.errors import PaxosError
from paxos_lib.exercises.feedback import Feedback, need_function
from paxos_lib.exercises.hidden import no_hidden_cases
from paxos_lib.messages import Accept, Ballot, Nack
from paxos_lib.properties import chosen
from paxos_lib.roles import Acceptor, Proposer
from paxos_lib.simulation import Simulation

__all__ = ["check_accept_y", "check_foo_bar", "five_acceptor_scene", "foo_bar_scene"]


def _hop(sim: Simulation, kind: str, src: str, dst: str, ballot: str) -> None:
    """Deliver the in-flight ``kind`` message from ``src`` to ``dst`` at ``ballot``."""
    message = next(m for m in sim.world.inflight if kind == m.KIND and m.src == src
                   and m.dst == dst and str(getattr(m, "ballot", "")) == ballot)
    sim.apply(Deliver(message))


def _drop_all(sim: Simulation, keep: Callable[[Any], bool]) -> None:
    for message in [m for m in sim.world.inflight if not keep(m)]:
        sim.apply(Drop(message))


# -- 6.824's foo and bar ----------------------------------------------------------------------


def foo_bar_scene() -> Simulation:
    """Steps 1 and 2 of the question: 'foo' accepted by a1 and a3 at 1.p1, then p1 crashes
    before its accept reaches a2."""
    sim = Simulation(Cluster(proposers=2, acceptors=3))
    sim.propose("p1", "foo")
    for a in ("a1", "a2", "a3"):
        _hop(sim, "prepare", "p1", a, "1.p1")
        _hop(sim, "promise", a, "p1", "1.p1")
    for a in ("a1", "a3"):
        _hop(sim, "accept", "p1", a, "1.p1")
    sim.apply(Crash("p1"))
    _drop_all(sim, lambda m: m.KIND == "accepted" and m.dst == "l1")
    return sim


def _foo_bar_steps(sim: Simulation) -> None:
    """Steps 3 and 4: p2 prepares a higher ballot with a2 and a3, then sends its accepts."""
    sim.propose("p2", "bar")
    for a in ("a2", "a3"):
        _hop(sim, "prepare", "p2", a, "1.p2")
        _hop(sim, "promise", a, "p2", "1.p2")
    for a in ("a2", "a3"):
        _hop(sim, "accept", "p2", a, "1.p2")


_KEYS = ("B proposes", "because of", "chosen")


def check_foo_bar(fn: Callable[[], Any]) -> Feedback:
    """Check ``fn() -> {"B proposes": value, "because of": acceptor or None, "chosen":
    value}``: a prediction of steps 3 and 4 of 6.824's question, judged by playing them on
    the engine from ``foo_bar_scene()``."""
    fn = need_function(fn, "check_foo_bar")
    try:
        answer = fn()
    except Exception as exc:  # the learner's code may raise anything: report it
        return Feedback("foo_bar", False, 3, (f"your function raised {type(exc).__name__}: "
                                              f"{exc}",))
    if not isinstance(answer, Mapping) or set(answer) != set(_KEYS):
        return Feedback("foo_bar", False, 3, (
            "return a dict with exactly the keys 'B proposes', 'because of' and 'chosen', "
            f"got {answer!r}",))
    sim = foo_bar_scene()
    _foo_bar_steps(sim)
    p2 = sim.world.node("p2")
    assert isinstance(p2, Proposer)
    proposed = p2.proposal
    reported = {a: (b, v) for a, b, v in p2.promises}
    carriers = sorted(a for a, (b, v) in reported.items() if v is not None)
    promises = "; ".join(f"{a}'s promise reported no vote" if v is None
                         else f"{a}'s promise reported {v!r} accepted at {b}"
                         for a, (b, v) in sorted(reported.items()))
    values = sorted(chosen(sim.world))
    problems: list[str] = []
    said = answer["B proposes"]
    if said != proposed:
        problems.append(
            f"you said B (p2) proposes {said!r}; on the engine p2's ballot 1.p2 got its "
            f"promises from a2 and a3 ({promises}), and p2 proposed {proposed!r}: a proposer "
            "may pick its own value only when no promise in its quorum reports a vote")
    why = answer["because of"]
    if why not in carriers:
        if why is None:
            problems.append(
                f"you named no acceptor, but one promise decided what p2 proposed ({promises})")
        elif why in reported:
            problems.append(
                f"you named {why!r}, but {why}'s promise reported no vote: p1 crashed before "
                f"its accept reached {why}, so {why} has nothing to report")
        else:
            problems.append(
                f"you named {why!r}, but p2 heard only from a2 and a3 in steps 3 and 4 "
                f"({promises})")
    end = values[0] if len(values) == 1 else values
    if answer["chosen"] != end:
        problems.append(
            f"you said {answer['chosen']!r} ends up chosen; on the engine, after p2's accepts "
            f"reach a2 and a3, {end!r} is chosen: a1 and a3 accepted it at 1.p1 already, and "
            "a2 and a3 accepted it again at 1.p2, so the question's last step cannot happen")
    return Feedback("foo_bar", not problems, 3, tuple(problems))


# -- five acceptors: can anyone still accept 'Y'? -----------------------------------------------


def five_acceptor_scene() -> Simulation:
    """Five acceptors; 'X' chosen at 5.p1 by a1, a2, a3; p3's accepts for 'Y' at 1.p3 (it
    holds promises from a3, a4, a5) still in flight."""
    sim = Simulation(Cluster(proposers=3, acceptors=5))
    sim.propose("p3", "Y")
    for a in ("a3", "a4", "a5"):
        _hop(sim, "prepare", "p3", a, "1.p3")
        _hop(sim, "promise", a, "p3", "1.p3")
    sim.propose("p1", "X")
    for _ in range(4):  # p1's client retried four times: p1 is at ballot 5.p1
        sim.apply(Timeout("p1"))
    _drop_all(sim, lambda m: m.KIND == "accept" or str(getattr(m, "ballot", "")) == "5.p1")
    for a in ("a1", "a2", "a3"):
        _hop(sim, "prepare", "p1", a, "5.p1")
        _hop(sim, "promise", a, "p1", "5.p1")
    for a in ("a1", "a2", "a3"):
        _hop(sim, "accept", "p1", a, "5.p1")
    _drop_all(sim, lambda m: m.KIND != "accepted")
    return sim


def _refusals(sim: Simulation, start: int) -> list[str]:
    """Sentences for each accept carrying 'Y' that an acceptor refused after step ``start``."""
    out = []
    worlds = sim.trace.worlds()
    for i, action in enumerate(sim.trace.steps[start:], start=start):
        if not (isinstance(action, Deliver) and isinstance(action.message, Accept)
                and action.message.value == "Y"):
            continue
        before = worlds[i].node(action.message.dst)
        after = worlds[i + 1]
        assert isinstance(before, Acceptor)
        if any(isinstance(m, Nack) and m.src == action.message.dst for m in after.inflight
               if m not in worlds[i].inflight):
            out.append(f"{action.message.dst} refused {action.message.ballot} with 'Y': it "
                       f"had promised {before.promised} by then")
    return out


def _attempts(sim: Simulation, scene: Simulation) -> list[str]:
    """Sentences for each proposer whose ballot changed during the run: what its promises
    made it propose, or why it has no quorum of them."""
    out = []
    top = Ballot(5, "p1")
    for p in sim.cluster.proposer_ids:
        state, before = sim.world.node(p), scene.world.node(p)
        assert isinstance(state, Proposer) and isinstance(before, Proposer)
        if state.ballot is None or state.ballot == before.ballot:
            continue
        heard = [f"{a} reported {v!r} at {b}" for a, b, v in state.promises if v is not None]
        if state.proposal is not None and state.proposal != "Y":
            out.append(f"{p} ran ballot {state.ballot} and proposed {state.proposal!r}, not "
                       f"'Y': its quorum of promises overlaps a1, a2, a3 "
                       f"({'; '.join(heard)})")
        elif state.proposal is None:
            who = ", ".join(a for a, _, _ in state.promises) or "nobody"
            text = (f"{p} started ballot {state.ballot} but holds promises only from {who}, "
                    f"short of a quorum of {sim.cluster.quorum_size}")
            if state.ballot < top:
                text += ", and a1, a2, a3 have promised 5.p1, so they refuse any ballot below it"
            out.append(text)
    return out


def check_accept_y(fn: Callable[[Simulation], Any]) -> Feedback:
    """Check ``fn(sim)``: starting from ``five_acceptor_scene()``, does the schedule it plays
    (``sim.deliver``, ``sim.drop``, ``sim.apply``, ...) get some acceptor to accept 'Y'?"""
    fn = need_function(fn, "check_accept_y")
    sim = five_acceptor_scene()
    start = len(sim.trace)
    problems: list[str] = []
    try:
        fn(sim)
    except PaxosError as exc:
        problems.append(f"your schedule stopped after {len(sim.trace) - start} step(s): {exc}")
    except Exception as exc:  # the learner's code may raise anything: report it
        problems.append(f"your function raised {type(exc).__name__}: {exc}")
    voters = sorted({a for a, _, v in sim.world.votes if v == "Y"})
    if voters and not problems:
        return Feedback("accept_y", True, 1)
    if not voters:
        reasons = _refusals(sim, start) + _attempts(sim, five_acceptor_scene())
        if not reasons and len(sim.trace) == start:
            reasons.append("your schedule took no step")
        elif not reasons:
            reasons.append("no acceptor accepted 'Y', and no accept carrying 'Y' was delivered "
                           "in your schedule")
        problems.extend(reasons)
    return Feedback("accept_y", False, 1, tuple(problems))


no_hidden_cases(
    check_foo_bar,
    "the exercise is one fixed scene, played on the engine; its answer is "
    "about that scene, so there is no other input to keep back",
)

no_hidden_cases(
    check_accept_y,
    "the exercise is one fixed scene, played on the engine; its answer is "
    "about that scene, so there is no other input to keep back",
)
