"""Lesson 07: the rules of a replicated log, checked against tables of scenarios.

``check_first_gap`` asks of ``first_gap(log) -> slots`` how many slots of a log a replica may
apply: the slots before the first gap, because every replica must apply the same commands in
the same order.  ``check_recover_slot`` asks of ``recover_slot(votes) -> command`` what a new
leader proposes in one open slot, given the votes the promises reported there: the command of
the highest-ballot vote, or a no-op when nobody voted (rule 3 of
``paxos_lib.multipaxos.replica``).  ``check_messages_per_command`` asks of
``messages_per_command(n, phase1_every_slot) -> int`` the fewest messages a command costs with
``n`` replicas, with a stable leader and with phase 1 run again for every slot.

Every check runs the learner's function on each scenario and says in plain words what went
wrong; it never raises because of the learner's code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.exercises.feedback import Feedback, need_function, run_scenarios
from paxos_lib.messages import Ballot
from paxos_lib.multipaxos.replica import NOOP_TEXT

__all__ = ["check_first_gap", "check_messages_per_command", "check_recover_slot"]

_CREATE = "create #42 (c42/1)"
_CONFIRM = "confirm #42 (c42/2)"
_CANCEL = "cancel #42 (c42/4)"
_PAY = "pay #42 (c42/3)"

#: Logs as a replica knows them (None: a slot it does not know chosen yet).
GAP_LOGS: tuple[tuple[str | None, ...], ...] = (
    (),
    (_CREATE,),
    (_CREATE, _CONFIRM, _PAY),
    (_CREATE, None, _CANCEL),
    (None, _CONFIRM),
    (_CREATE, NOOP_TEXT, _CONFIRM, None, None, _CANCEL),
    (_CREATE, _CONFIRM, None),
)


def _first_gap(log: tuple[str | None, ...]) -> int:
    return next((i for i, v in enumerate(log) if v is None), len(log))


def _show_log(log: tuple[str | None, ...]) -> str:
    if not log:
        return "an empty log"
    return "the log [" + " | ".join("gap" if v is None else repr(v) for v in log) + "]"


def _judge_gap(log: tuple[str | None, ...]) -> Callable[[Any], str | None]:
    want = _first_gap(log)

    def judge(result: Any) -> str | None:
        if isinstance(result, bool) or not isinstance(result, int):
            return (f"for {_show_log(log)} it returned {result!r}; return a whole number of "
                    f"slots, such as {want}")
        if result == want:
            return None
        if result > want:
            later = next((v for v in log[want + 1:] if v is not None), None)
            return (f"for {_show_log(log)} you would apply {result} slot(s), but slot {want} is "
                    f"a gap: a replica that applied {later!r} before learning slot {want} "
                    f"could run the commands in another order than the others; apply {want}")
        return (f"for {_show_log(log)} you would apply only {result} slot(s), but slots 0 to "
                f"{want - 1} are all known chosen (a no-op counts too); apply {want}")

    return judge


def check_first_gap(fn: Callable[[tuple[str | None, ...]], int]) -> Feedback:
    """Check ``fn(log) -> int``: how many slots, from slot 0, a replica may apply."""
    fn = need_function(fn, "check_first_gap")
    return run_scenarios("first_gap", [((log,), _judge_gap(log)) for log in GAP_LOGS], fn)


_B = Ballot

#: The votes a quorum of promises reported for one slot, as (ballot, command) pairs.
RECOVERY_VOTES: tuple[tuple[tuple[Ballot, str], ...], ...] = (
    (),
    ((_B(1, "r1"), _CONFIRM),),
    ((_B(1, "r1"), _CONFIRM), (_B(1, "r1"), _CONFIRM)),
    ((_B(1, "r1"), _CONFIRM), (_B(2, "r3"), _CANCEL)),
    ((_B(3, "r2"), _CANCEL), (_B(1, "r1"), _CONFIRM), (_B(2, "r1"), _CONFIRM)),
    ((_B(2, "r1"), _PAY), (_B(2, "r4"), _CANCEL)),
)


def _show_votes(votes: tuple[tuple[Ballot, str], ...]) -> str:
    if not votes:
        return "promises that report no vote in the slot"
    return "promises reporting " + ", ".join(f"{c!r} at {b}" for b, c in votes)


def _judge_recovery(votes: tuple[tuple[Ballot, str], ...]) -> Callable[[Any], str | None]:
    want = max(votes, key=lambda bc: bc[0])[1] if votes else NOOP_TEXT

    def judge(result: Any) -> str | None:
        if result == want:
            return None
        if not isinstance(result, str):
            return (f"with {_show_votes(votes)} it returned {result!r}; return the command to "
                    f"propose, as text such as {want!r}")
        if not votes:
            return (f"with {_show_votes(votes)} you proposed {result!r}; nobody voted there, "
                    f"so fill the hole with {NOOP_TEXT!r} (a client's command belongs in a new "
                    "slot, not in a hole that others may skip)")
        top = max(votes, key=lambda bc: bc[0])
        return (f"with {_show_votes(votes)} you proposed {result!r}, but only the highest-ballot "
                f"vote ({top[1]!r} at {top[0]}) can have been chosen; proposing anything else "
                "could overwrite a chosen command")

    return judge


def check_recover_slot(fn: Callable[[tuple[tuple[Ballot, str], ...]], str]) -> Feedback:
    """Check ``fn(votes) -> command``: what a new leader proposes in one open slot, given the
    ``(ballot, command)`` votes its quorum of promises reported there."""
    fn = need_function(fn, "check_recover_slot")
    return run_scenarios(
        "recover_slot", [((votes,), _judge_recovery(votes)) for votes in RECOVERY_VOTES], fn
    )


def _judge_cost(n: int, every: bool) -> Callable[[Any], str | None]:
    want = (4 if every else 2) * (n - 1)
    setting = "phase 1 for every slot" if every else "a stable leader"

    def judge(result: Any) -> str | None:
        if isinstance(result, bool) or not isinstance(result, int):
            return (f"for {n} replicas with {setting} it returned {result!r}; return a whole "
                    "number of messages")
        if result == want:
            return None
        if every:
            how = (f"the leader sends a prepare to each of the other {n - 1} replicas and each "
                   f"promises, then an accept to each and each answers accepted: "
                   f"4 times {n - 1} = {want}")
        else:
            how = (f"phase 1 is already done, so the leader sends only an accept to each of the "
                   f"other {n - 1} replicas (its own vote needs no message) and each answers "
                   f"accepted: 2 times {n - 1} = {want}")
        return f"for {n} replicas with {setting} you said {result}, but {how}"

    return judge


def check_messages_per_command(fn: Callable[[int, bool], int]) -> Feedback:
    """Check ``fn(n, phase1_every_slot) -> int``: the fewest messages one command costs."""
    fn = need_function(fn, "check_messages_per_command")
    scenarios = [((n, every), _judge_cost(n, every)) for n in (3, 5, 7) for every in (False, True)]
    return run_scenarios("messages_per_command", scenarios, fn)
