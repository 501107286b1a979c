"""Lesson 07: the rules of a replicated log, checked against tables of scenarios.

``check_first_gap`` asks of ``first_gap(log) -> slots`` how many slots of a log a replica may
apply: the slots before the first gap, because every replica must apply the same commands in
the same order.  ``check_recover_slot`` asks of ``recover_slot(votes) -> command`` what a new
leader proposes in one open slot, given the votes the promises reported there: the command of
the highest-ballot vote, or a no-op when nobody voted (rule 3 of
``paxos_lib.multipaxos.replica``).  ``check_dedup`` asks of
``dedup(table, client, request) -> (action, reply)`` what a replica does with a command it
finds in its log, when ``table`` keeps, for each client, only its last applied request and
that request's reply: run a new request, send the saved reply again for a retry, ignore a
stale copy of an older one.  Keeping one entry per client (rather than every request ever
executed) keeps the table from growing with every command.

Every check runs the learner's function on each scenario and says in plain words what went
wrong; it never raises because of the learner's code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paxos_lib.exercises.feedback import Feedback, need_function, run_scenarios
from paxos_lib.exercises.hidden import hidden_cases
from paxos_lib.messages import Ballot
from paxos_lib.multipaxos.replica import NOOP_TEXT
from paxos_lib.orders import Command, OrderBook, apply

__all__ = ["check_dedup", "check_first_gap", "check_recover_slot"]

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
                    "slots")
        if result == want:
            return None
        if result < 0:
            return (f"for {_show_log(log)} it returned {result}; a count of slots is never "
                    "negative")
        if result > want:
            later = next((v for v in log[want + 1:] if v is not None), None)
            return (f"for {_show_log(log)} you would apply {result} slot(s), but slot {want} is "
                    f"a gap: a replica that applied {later!r} before learning slot {want} "
                    "could run the commands in another order than the others")
        waiting = log[result]
        what = ("a no-op, which is chosen like any other command" if waiting == NOOP_TEXT
                else f"{waiting!r}, known chosen")
        return (f"for {_show_log(log)} you would apply only {result} slot(s), but slot "
                f"{result} holds {what}, and every slot before it is applied: nothing "
                "is missing there, so the replica waits for no reason")

    return judge


def check_first_gap(fn: Callable[[tuple[str | None, ...]], int]) -> Feedback:
    """Check ``fn(log) -> int``: how many slots, from slot 0, a replica may apply."""
    fn = need_function(fn, "check_first_gap")
    return _check_first_gap(fn, GAP_LOGS)


def _check_first_gap(fn: Callable[..., Any], cases: Any) -> Feedback:
    """check_first_gap's judge over ``cases`` (the visible table, or the hidden one)."""
    return run_scenarios("first_gap", [((log,), _judge_gap(log)) for log in cases], fn)


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
                    "propose, as text")
        if not votes:
            return (f"with {_show_votes(votes)} you proposed {result!r}; nobody voted in this "
                    "slot, so no command can have been chosen there, and a client's command "
                    "put into a hole runs wherever the hole happens to be, out of order with "
                    "the commands its client sent before and after it")
        top = max(votes, key=lambda bc: bc[0])
        mine = [b for b, c in votes if c == result]
        if not mine:
            return (f"with {_show_votes(votes)} you proposed {result!r}, which no promise "
                    "reported for this slot: some command there may already be chosen, and "
                    "yours would overwrite it")
        return (f"with {_show_votes(votes)} you proposed {result!r}, voted at {max(mine)}; "
                f"but {top[1]!r} was voted at {top[0]}, a higher ballot, whose leader had "
                f"made sure nothing else could be chosen below it, so {result!r} cannot have "
                f"been chosen at {max(mine)}, and {top[1]!r} may have been")

    return judge


def check_recover_slot(fn: Callable[[tuple[tuple[Ballot, str], ...]], str]) -> Feedback:
    """Check ``fn(votes) -> command``: what a new leader proposes in one open slot, given the
    ``(ballot, command)`` votes its quorum of promises reported there."""
    fn = need_function(fn, "check_recover_slot")
    return _check_recover_slot(fn, RECOVERY_VOTES)


def _check_recover_slot(fn: Callable[..., Any], cases: Any) -> Feedback:
    """check_recover_slot's judge over ``cases`` (the visible table, or the hidden one)."""
    return run_scenarios(
        "recover_slot", [((votes,), _judge_recovery(votes)) for votes in cases], fn
    )


# -- the client table: exactly-once execution -------------------------------------------------

#: The commands a replica finds in its log, slot after slot: retries (a client whose reply was
#: lost sends the same request again, and it may be chosen in a second slot) and one very late
#: copy of an old request.
DEDUP_LOG: tuple[str, ...] = (
    "create #42 (c42/1)",
    "confirm #42 (c42/2)",
    "confirm #42 (c42/2)",
    "pay #42 (c42/3)",
    "create #41 (c41/1)",
    "pay #42 (c42/3)",
    "confirm #42 (c42/2)",
    "cancel #42 (c42/4)",
    "create #41 (c41/1)",
)
_ACTIONS = ("apply", "reply", "ignore")


def _reply_text(outcome: object) -> str:
    return str(outcome).split(": ", 1)[1]


def _judge_dedup(answer: Any, text: str, slot: int, table: dict[str, tuple[int, str]],
                 applied_at: dict[tuple[str, int], int]) -> str | None:
    command = Command.parse(text)
    client, request = command.client_id, command.request_id
    assert client is not None and request is not None
    where = f"in slot {slot}, {text!r}"
    last = table.get(client)
    if last is None or request > last[0]:
        want = "apply"
    elif request == last[0]:
        want = "reply"
    else:
        want = "ignore"
    if (not isinstance(answer, tuple) or len(answer) != 2 or answer[0] not in _ACTIONS):
        return (f"{where}: return a pair such as ('apply', None), ('reply', <the reply>) or "
                f"('ignore', None), got {answer!r}")
    action, reply = answer
    known = ("it has nothing from this client yet" if last is None
             else f"the table holds {client}'s request {last[0]}, answered {last[1]!r}")
    if want == "apply":
        if action == "apply":
            return None
        if action == "reply":
            return (f"{where}: {known}, so request {request} is new, but you answered it "
                    f"without running it: {text.split(' (')[0]!r} never happens, and the "
                    f"client is told {reply!r}")
        return (f"{where}: {known}, so request {request} is new, but you ignored it: it never "
                "runs, and the client retries forever")
    if want == "reply":
        first = applied_at[(client, request)]
        if action == "apply":
            return (f"{where}: this request already ran in slot {first} (a retry whose reply "
                    f"was lost), and you ran it again: {text.split(' (')[0]!r} happens twice")
        if action == "ignore":
            return (f"{where}: this request already ran in slot {first}; the client retried "
                    "because it never got the reply, and ignoring the retry leaves it waiting "
                    "forever")
        if reply != last[1]:  # type: ignore[index]
            return (f"{where}: this request already ran in slot {first}, and you replied "
                    f"{reply!r}, which is not what it answered when it ran")
        return None
    assert last is not None
    if action == "apply":
        return (f"{where}: {known}; request {request} is older, and a client sends a new "
                f"request only once the previous one was answered, so this copy is stale: "
                f"running it again would apply {text.split(' (')[0]!r} a second time, after "
                f"request {last[0]}")
    if action == "reply":
        return (f"{where}: {known}; request {request} is older and was answered long ago, "
                f"so this copy is stale, and nobody is waiting for {reply!r}, which is "
                f"another request's reply anyway")
    return None


def check_dedup(fn: Callable[[dict[str, tuple[int, str]], str, int], Any]) -> Feedback:
    """Check ``fn(table, client, request) -> (action, reply)``: what a replica does with the
    next command of its log, given ``table``, which maps each client to its last applied
    request and the reply that request got.  ``action`` is ``'apply'`` (run it),
    ``'reply'`` (it already ran: send ``reply`` again) or ``'ignore'``.

    The check walks ``DEDUP_LOG`` slot by slot, keeping the table itself (with the outcomes of
    the real ``orders.apply``), so each slot is judged on its own."""
    fn = need_function(fn, "check_dedup")
    return _check_dedup(fn, DEDUP_LOG)


def _check_dedup(fn: Callable[..., Any], log: tuple[str, ...]) -> Feedback:
    """check_dedup's walk over ``log`` (the visible one, or the hidden one)."""
    book = OrderBook.empty()
    table: dict[str, tuple[int, str]] = {}
    applied_at: dict[tuple[str, int], int] = {}
    problems: list[str] = []
    for slot, text in enumerate(log):
        command = Command.parse(text)
        client, request = command.client_id, command.request_id
        assert client is not None and request is not None
        try:
            answer = fn(dict(table), client, request)
        except Exception as exc:  # the learner's code may raise anything: report it
            problems.append(f"in slot {slot}, {text!r}: your function raised "
                            f"{type(exc).__name__}: {exc}")
            answer = None
        else:
            problem = _judge_dedup(answer, text, slot, table, applied_at)
            if problem is not None:
                problems.append(problem)
        last = table.get(client)
        if last is None or request > last[0]:
            book, outcome = apply(book, command)
            table[client] = (request, _reply_text(outcome))
            applied_at[(client, request)] = slot
    return Feedback("dedup", not problems, len(log), tuple(problems))


#: Hidden cases of check_first_gap (graded, never shown by the check; see ``hidden.py``).
HIDDEN_GAP_LOGS = (
    (None,),
    (_CREATE, _CONFIRM, NOOP_TEXT, _PAY),
    (NOOP_TEXT, None, _CREATE),
    (_CREATE, _PAY, _CONFIRM, None, _CANCEL),
    (_CREATE, None, None),
)


@hidden_cases(check_first_gap)
def _hidden_first_gap(fn: Callable[..., Any]) -> Feedback:
    return _check_first_gap(fn, HIDDEN_GAP_LOGS)


#: Hidden cases of check_recover_slot (graded, never shown by the check; see ``hidden.py``).
HIDDEN_RECOVERY_VOTES = (
    ((_B(4, "r2"), _CONFIRM), (_B(3, "r3"), _CANCEL)),
    ((_B(1, "r1"), _PAY), (_B(1, "r3"), _CREATE), (_B(1, "r2"), _CANCEL)),
    ((_B(2, "r2"), _CANCEL), (_B(2, "r2"), _CANCEL), (_B(5, "r1"), _PAY)),
    ((_B(7, "r3"), _CREATE),),
)


@hidden_cases(check_recover_slot)
def _hidden_recover_slot(fn: Callable[..., Any]) -> Feedback:
    return _check_recover_slot(fn, HIDDEN_RECOVERY_VOTES)


#: Hidden log of check_dedup (graded, never shown by the check; see ``hidden.py``): another
#: client first, a retry two slots later, a stale copy after a newer request, a third client.
HIDDEN_DEDUP_LOG: tuple[str, ...] = (
    "create #41 (c41/1)",
    "create #42 (c42/1)",
    "confirm #41 (c41/2)",
    "create #42 (c42/1)",
    "confirm #41 (c41/2)",
    "pay #41 (c41/3)",
    "confirm #41 (c41/2)",
    "create #43 (c43/1)",
    "pay #41 (c41/3)",
)


@hidden_cases(check_dedup)
def _hidden_dedup(fn: Callable[..., Any]) -> Feedback:
    return _check_dedup(fn, HIDDEN_DEDUP_LOG)
