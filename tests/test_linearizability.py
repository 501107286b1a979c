"""Tests for paxos_lib.linearizability: hand-made histories, minimality, properties, errors."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import paxos_lib as px
from paxos_lib.errors import ConfigError, PaxosError
from paxos_lib.linearizability import (
    READ_RESULTS,
    UNKNOWN_ORDER,
    Linearizability,
    Operation,
    check_linearizable,
    history_from_events,
    read_result,
    write_result,
)
from paxos_lib.orders import Command, OrderBook, apply

ROOT = Path(__file__).resolve().parents[1]
Op = Operation

CREATE = Op("c1", "create #42 (c1/1)", "applied, now PENDING", 0, 2)
CONFIRM = Op("c1", "confirm #42 (c1/2)", "applied, now CONFIRMED", 3, 5)
CANCEL = Op("c2", "cancel #42 (c2/1)", "applied, now CANCELLED", 10, 20)


def stale_read() -> list[Operation]:
    """The classic stale read: cancel finishes at 20, a read from 25 still sees CONFIRMED."""
    return [CREATE, CONFIRM, CANCEL, Op("c3", "read #42", "CONFIRMED", 25, 31)]


# ---------------------------------------------------------------------------------------------
# Hand-made histories
# ---------------------------------------------------------------------------------------------


def test_public_names_are_exported() -> None:
    assert px.check_linearizable is check_linearizable
    assert px.Operation is Operation
    assert px.Linearizability is Linearizability


def test_sequential_history_is_linearizable_with_its_own_order_as_witness() -> None:
    history = [CREATE, CONFIRM, CANCEL, Op("c3", "read #42", "CANCELLED", 25, 31)]
    result = check_linearizable(history)
    assert result.linearizable and bool(result)
    assert result.order == tuple(history)
    assert result.violation is None
    assert result.explanation.startswith("Linearizable")
    assert result.states > 0


def test_classic_stale_read_is_caught_with_the_cancel_and_the_read() -> None:
    result = check_linearizable(stale_read())
    assert not result.linearizable and not bool(result)
    assert result.order is None
    assert result.violation == (CANCEL, stale_read()[3])
    text = result.explanation
    assert "read #42 (client c3) returned 'CONFIRMED' at step 31" in text
    assert "cancel #42 (c2/1) (client c2) returned 'applied, now CANCELLED' at step 20" in text
    assert "could only be CANCELLED" in text


def test_a_read_concurrent_with_the_cancel_may_see_either_state() -> None:
    for seen in ("CONFIRMED", "CANCELLED", "confirmed"):
        history = [CREATE, CONFIRM, CANCEL, Op("c3", "read #42", seen, 15, 25)]
        result = check_linearizable(history)
        assert result.linearizable, (seen, result.explanation)
        assert result.order is not None and set(result.order) == set(history)


def test_read_before_create_sees_none_and_unknown_orders_read_none() -> None:
    assert check_linearizable([Op("c1", "read #7", "NONE", 0, 1)]).linearizable
    bad = check_linearizable([Op("c1", "read #7", "PENDING", 0, 1)])
    assert not bad.linearizable
    assert "could only be NONE (not created yet)" in bad.explanation


def test_a_pending_write_may_or_may_not_have_taken_effect() -> None:
    pending = Op("c2", "cancel #42 (c2/1)", None, 10, None)
    took_effect = [CREATE, CONFIRM, pending, Op("c3", "read #42", "CANCELLED", 30, 31)]
    result = check_linearizable(took_effect)
    assert result.linearizable
    assert result.order is not None and pending in result.order
    never = [CREATE, CONFIRM, pending, Op("c3", "read #42", "CONFIRMED", 30, 31)]
    result = check_linearizable(never)
    assert result.linearizable
    assert result.order is not None and pending not in result.order
    # ... but not before its invocation: a read that ended at step 9 cannot see it.
    early = [CREATE, CONFIRM, pending, Op("c3", "read #42", "CANCELLED", 6, 9)]
    assert not check_linearizable(early).linearizable


def test_a_pending_read_never_constrains_anything() -> None:
    history = [CREATE, Op("c3", "read #42", None, 1, None)]
    result = check_linearizable(history)
    assert result.linearizable
    assert result.order == (CREATE,)


def test_a_write_seen_then_unseen_by_two_sequential_reads_is_not_linearizable() -> None:
    confirm = Op("c1", "confirm #42 (c1/2)", "applied, now CONFIRMED", 3, 40)
    first = Op("c2", "read #42", "CONFIRMED", 5, 8)
    second = Op("c3", "read #42", "PENDING", 10, 12)
    result = check_linearizable([CREATE, confirm, first, second])
    assert not result.linearizable
    assert result.violation == (first, second)
    # when the two reads overlap, the PENDING one may take effect first: linearizable.
    overlapping = Op("c3", "read #42", "PENDING", 6, 12)
    assert check_linearizable([CREATE, confirm, first, overlapping]).linearizable


def test_two_orders_are_judged_independently() -> None:
    other = [
        Op("c4", "create #7 (c4/1)", "applied, now PENDING", 0, 30),
        Op("c5", "read #7", "PENDING", 1, 2),
    ]
    fine = [CREATE, CONFIRM, *other]
    result = check_linearizable(fine)
    assert result.linearizable
    assert result.order is not None and set(result.order) == set(fine)
    broken = check_linearizable([*stale_read(), *other])
    assert not broken.linearizable
    assert broken.violation == (CANCEL, stale_read()[3])
    assert "also" not in broken.explanation
    paid = Op("c5", "read #7", "PAID", 31, 32)  # order 7 was never confirmed: one op suffices
    both = check_linearizable([*stale_read(), other[0], paid])
    assert both.violation == (paid,)
    assert both.explanation.endswith("Order #42 fails on its own too.")


def test_empty_history_is_linearizable() -> None:
    result = check_linearizable([])
    assert result.linearizable and result.order == ()
    assert result.explanation == "Linearizable: the history is empty."


def test_witness_respects_real_time_across_orders() -> None:
    history = [
        Op("a", "create #1 (a/1)", "applied, now PENDING", 0, 10),
        Op("b", "create #2 (b/1)", "applied, now PENDING", 1, 3),
        Op("b", "read #1", "PENDING", 4, 5),
        Op("a", "read #2", "PENDING", 11, 12),
    ]
    result = check_linearizable(history)
    assert result.order is not None
    position = {op: i for i, op in enumerate(result.order)}
    for a, b in itertools.permutations(history, 2):
        if a.responded is not None and a.responded < b.invoked:
            assert position[a] < position[b]


def test_rejected_writes_are_checked_against_the_real_order_book() -> None:
    ship_early = Op("c2", "ship #42 (c2/1)", "rejected", 6, 7)
    assert check_linearizable([CREATE, CONFIRM, ship_early]).linearizable
    reason = write_result(apply(
        OrderBook(orders=((42, px.orders.OrderStatus.CONFIRMED),)),
        Command.parse("ship #42 (c2/1)"),
    )[1])
    assert reason.startswith("rejected, order 42 is CONFIRMED")
    exact = Op("c2", "ship #42 (c2/1)", reason, 6, 7)
    assert check_linearizable([CREATE, CONFIRM, exact]).linearizable
    wrong = Op("c2", "ship #42 (c2/1)", "applied, now SHIPPED", 6, 7)
    result = check_linearizable([CREATE, CONFIRM, wrong])
    assert not result.linearizable
    assert result.violation == (wrong,)  # no pay at all: the ship alone cannot have applied
    assert "would have returned 'rejected, order 42 does not exist" in result.explanation
    assert "'rejected, order 42 is CONFIRMED; it cannot become SHIPPED" in result.explanation


def test_full_outcome_text_and_duplicates_are_read_back() -> None:
    book, outcome = apply(OrderBook.empty(), Command.parse("create #42 (c1/1)"))
    _, dup = apply(book, Command.parse("create #42 (c1/1)"))
    for text in (str(outcome), str(dup), write_result(dup), "applied"):
        assert check_linearizable([Op("c1", "create #42 (c1/1)", text, 0, 1)]).linearizable


def test_initial_book_is_the_state_before_the_history() -> None:
    book, _ = apply(OrderBook.empty(), Command.parse("create #42 (c0/1)"))
    read = Op("c3", "read #42", "PENDING", 0, 1)
    assert check_linearizable([read], initial=book).linearizable
    assert not check_linearizable([read]).linearizable
    assert read_result(book, 42) == "PENDING"
    assert read_result(book, 43) == UNKNOWN_ORDER


def test_history_from_events_pairs_invocations_with_responses() -> None:
    events = [
        ("invoke", "c1", "create #42 (c1/1)", 0),
        ("invoke", "c2", "read #42", 1),
        ("respond", "c1", "applied, now PENDING", 2),
        ("invoke", "c1", "cancel #42 (c1/2)", 3),
        ("respond", "c2", "PENDING", 4),
    ]
    history = history_from_events(events)
    assert history == (
        Op("c1", "create #42 (c1/1)", "applied, now PENDING", 0, 2),
        Op("c2", "read #42", "PENDING", 1, 4),
        Op("c1", "cancel #42 (c1/2)", None, 3, None),
    )
    assert check_linearizable(history).linearizable


def test_to_dict_round_trips() -> None:
    for op in stale_read():
        assert Operation.from_dict(op.to_dict()) == op
    data = check_linearizable(stale_read()).to_dict()
    assert data["linearizable"] is False
    assert data["violation"] == [CANCEL.to_dict(), stale_read()[3].to_dict()]


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("c1", "read #42", "PENDING", 5, 3), r"responded at step 3, not after .* step 5"),
        (("c1", "read #42", "PENDING", 5, 5), r"responded must be > invoked"),
        (("c1", "frobnicate #42 (c1/1)", "applied", 0, 1), r"unknown command text 'frob"),
        (("c1", "read 42", "PENDING", 0, 1), r"a read is written 'read #order'"),
        (("c1", "noop", "applied", 0, 1), r"'noop' is what a leader writes"),
        (("c1", "read #42", "SOLD", 0, 1), r"one of 'NONE', 'PENDING'.*got 'SOLD'"),
        (("c1", "pay #42 (c1/1)", "ok", 0, 1), r"'applied', 'rejected'.*got 'ok'"),
        (("c1", "read #42", "PENDING", 0, None), r"pending operation \(responded=None\)"),
        (("c1", "read #42", None, 0, 4), r"responded at step 4 with no result"),
        (("", "read #42", "PENDING", 0, 1), r"client must be a non-empty string"),
        ((3, "read #42", "PENDING", 0, 1), r"client must be a non-empty string"),
        (("c1", 42, "PENDING", 0, 1), r"command is text .* got 42"),
        (("c1", "read #42", "PENDING", -1, 1), r"invoked must be .* got -1"),
        (("c1", "read #42", "PENDING", 0, 1.5), r"responded must be .* got 1.5"),
        (("c1", "read #42", "PENDING", True, 2), r"invoked must be .* got True"),
        (("c1", "read #42", 7, 0, 1), r"must be text or None, got 7"),
    ],
)
def test_bad_operations_raise_config_errors_naming_the_value(args: tuple, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Operation(*args)


def test_bad_histories_raise() -> None:
    with pytest.raises(ConfigError, match="duplicate operation"):
        check_linearizable([CREATE, CREATE])
    twice = Op("c1", "confirm #42 (c1/1)", "rejected", 5, 6)
    with pytest.raises(ConfigError, match="duplicate request c1/1"):
        check_linearizable([CREATE, twice])
    with pytest.raises(ConfigError, match="sequence of Operation, got str"):
        check_linearizable("read #42")
    with pytest.raises(ConfigError, match=r"holds Operation.* got 'read #42'"):
        check_linearizable(["read #42"])
    with pytest.raises(ConfigError, match="initial must be an OrderBook"):
        check_linearizable([CREATE], initial={})
    with pytest.raises(PaxosError, match="outstanding"):
        history_from_events([("invoke", "c1", "read #1", 0), ("invoke", "c1", "read #2", 1)])
    with pytest.raises(PaxosError, match="no outstanding invocation"):
        history_from_events([("respond", "c1", "NONE", 0)])
    with pytest.raises(PaxosError, match="unknown event kind 'ok'"):
        history_from_events([("ok", "c1", "NONE", 0)])
    with pytest.raises(PaxosError, match="exactly the keys"):
        Operation.from_dict({"client": "c1"})
    with pytest.raises(PaxosError, match="outcome must be an orders Outcome"):
        write_result("applied")
    with pytest.raises(PaxosError, match="order_id must be an int"):
        read_result(OrderBook.empty(), "42")
    with pytest.raises(PaxosError, match="a failing verdict has a violation"):
        Linearizability(False, None, None, "no")
    with pytest.raises(PaxosError, match="order must be a tuple of Operation"):
        Linearizability(True, ["x"], None, "yes")  # type: ignore[arg-type]


def test_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, paxos_lib.linearizability; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('networkx', 'matplotlib', 'ipywidgets')))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# Shortest violation: brute force over sub-histories agrees
# ---------------------------------------------------------------------------------------------


def forget(history: list[Operation], keep: tuple[Operation, ...]) -> list[Operation]:
    """The sub-history keeping ``keep``: every other operation's response forgotten."""
    return [op if op in keep else Op(op.client, op.command, None, op.invoked, None)
            for op in history]


def brute_force_shortest(history: list[Operation]) -> int:
    completed = [op for op in history if op.responded is not None]
    for size in range(1, len(completed) + 1):
        for keep in itertools.combinations(completed, size):
            if not check_linearizable(forget(history, keep)).linearizable:
                return size
    raise AssertionError("the whole history is linearizable")


def assert_shortest(history: list[Operation]) -> None:
    result = check_linearizable(history)
    assert not result.linearizable
    assert result.violation is not None
    assert len(result.violation) == brute_force_shortest(history)
    # the violation really is a non-linearizable sub-history
    assert not check_linearizable(forget(history, result.violation)).linearizable


def test_shortest_violation_matches_brute_force_on_hand_made_histories() -> None:
    assert_shortest(stale_read())
    assert_shortest([CREATE, CONFIRM, Op("c2", "read #42", "PAID", 6, 7)])
    assert_shortest([
        CREATE,
        Op("c2", "pay #42 (c2/1)", "applied, now PAID", 3, 4),
        Op("c3", "read #42", "PENDING", 5, 6),
    ])


STATUS_OF = {"create": "PENDING", "confirm": "CONFIRMED", "pay": "PAID", "cancel": "CANCELLED"}


@st.composite
def small_histories(draw: st.DrawFn) -> list[Operation]:
    """Up to 6 operations on order 42 with random intervals and random (often wrong) results."""
    count = draw(st.integers(2, 6))
    history = []
    for i in range(count):
        invoked = draw(st.integers(0, 12))
        pending = draw(st.integers(0, 5)) == 0
        responded = None if pending else invoked + draw(st.integers(1, 6))
        if draw(st.booleans()):
            result = None if pending else draw(st.sampled_from((*READ_RESULTS[:3], "CANCELLED")))
            history.append(Op(f"r{i}", f"read #42 (r{i}/1)", result, invoked, responded))
        else:
            kind = draw(st.sampled_from(sorted(STATUS_OF)))
            result = None
            if not pending:
                result = draw(st.sampled_from([f"applied, now {STATUS_OF[kind]}", "rejected"]))
            history.append(Op(f"w{i}", f"{kind} #42 (w{i}/1)", result, invoked, responded))
    return history


@given(small_histories())
def test_shortest_violation_is_minimal_by_brute_force(history: list[Operation]) -> None:
    result = check_linearizable(history)
    if result.linearizable:
        return
    assert_shortest(history)


# ---------------------------------------------------------------------------------------------
# Property: histories produced by atomic execution inside each interval are linearizable
# ---------------------------------------------------------------------------------------------

KINDS = ("create", "confirm", "pay", "ship", "deliver", "cancel", "read", "read")


@st.composite
def atomic_histories(draw: st.DrawFn) -> list[Operation]:
    """Run operations atomically, one instant each inside its interval, on the real book."""
    count = draw(st.integers(1, 12))
    plans = []
    for i in range(count):
        invoked = draw(st.integers(0, 30))
        instant = invoked + draw(st.integers(0, 5))
        responded = instant + draw(st.integers(1, 5))
        pending = draw(st.integers(0, 6)) == 0
        plans.append((instant, i, invoked, responded, pending,
                      draw(st.sampled_from(KINDS)), draw(st.sampled_from((42, 42, 7)))))
    book = OrderBook.empty()
    history = []
    for _instant, i, invoked, responded, pending, kind, order_id in sorted(plans):
        client = f"c{i}"
        if kind == "read":
            command, result = f"read #{order_id}", read_result(book, order_id)
        else:
            command = f"{kind} #{order_id} ({client}/1)"
            if pending and draw(st.booleans()):
                history.append(Op(client, command, None, invoked, None))  # never took effect
                continue
            book, outcome = apply(book, Command.parse(command))
            result = write_result(outcome)
        history.append(Op(client, command, None if pending else result, invoked,
                          None if pending else responded))
    return history


@given(atomic_histories())
def test_atomic_executions_are_linearizable(history: list[Operation]) -> None:
    result = check_linearizable(history)
    assert result.linearizable, result.explanation
    assert result.order is not None
    completed = {op for op in history if op.responded is not None}
    assert completed <= set(result.order)
    position = {op: i for i, op in enumerate(result.order)}
    for a, b in itertools.permutations(result.order, 2):
        if a.responded is not None and a.responded < b.invoked:
            assert position[a] < position[b]


# ---------------------------------------------------------------------------------------------
# The search agrees with the definition, checked by brute force on the full order book
# ---------------------------------------------------------------------------------------------


def matches(op: Operation, book: OrderBook) -> tuple[bool, OrderBook]:
    """Does ``op``, taking effect on ``book``, give its recorded result? And the next book."""
    if op.is_read:
        return op.result is None or read_result(book, op.order_id) == op.result.upper(), book
    after, outcome = apply(book, Command.parse(op.command))
    if op.result is None:
        return True, after
    expected = write_result(outcome)
    result = op.result.removeprefix(op.command + ": ")
    return result in (expected, expected.split(",")[0]), after


def brute_force_linearizable(history: list[Operation]) -> bool:
    """The definition itself: some subset of the pending operations plus every completed one,
    in some order that respects real time, replayed on one real order book, gives every result."""
    completed = [op for op in history if op.responded is not None]
    pending = [op for op in history if op.responded is None]
    for count in range(len(pending) + 1):
        for chosen in itertools.combinations(pending, count):
            for order in itertools.permutations([*completed, *chosen]):
                if any(b.responded is not None and b.responded < a.invoked
                       for i, a in enumerate(order) for b in order[i + 1:]):
                    continue
                book, ok = OrderBook.empty(), True
                for op in order:
                    ok, book = matches(op, book)
                    if not ok:
                        break
                if ok:
                    return True
    return False


@st.composite
def mixed_histories(draw: st.DrawFn) -> list[Operation]:
    """Up to 6 operations on two orders, many of them pending, with plausible results."""
    count = draw(st.integers(1, 6))
    history = []
    for i in range(count):
        order = draw(st.sampled_from((42, 42, 7)))
        invoked = draw(st.integers(0, 8))
        pending = draw(st.integers(0, 3)) == 0
        responded = None if pending else invoked + draw(st.integers(1, 5))
        if draw(st.booleans()):
            result = None if pending else draw(st.sampled_from(("NONE", "PENDING", "CONFIRMED",
                                                                "CANCELLED")))
            history.append(Op(f"r{i}", f"read #{order}", result, invoked, responded))
        else:
            kind = draw(st.sampled_from(("create", "create", "confirm", "cancel", "pay")))
            result = None
            if not pending:
                result = draw(st.sampled_from((f"applied, now {STATUS_OF[kind]}", "rejected",
                                               "applied")))
            history.append(Op(f"w{i}", f"{kind} #{order} (w{i}/1)", result, invoked, responded))
    return history


def assert_witness(history: list[Operation], result: Linearizability) -> None:
    assert result.order is not None
    assert {op for op in history if op.responded is not None} <= set(result.order)
    assert set(result.order) <= set(history)
    book = OrderBook.empty()
    for i, op in enumerate(result.order):
        ok, book = matches(op, book)
        assert ok, f"witness step {i}: {op}"
        assert not any(b.responded is not None and b.responded < op.invoked
                       for b in result.order[i + 1:])


@given(mixed_histories())
def test_checker_agrees_with_the_definition_by_brute_force(history: list[Operation]) -> None:
    result = check_linearizable(history)
    assert result.linearizable == brute_force_linearizable(history), history
    if result.linearizable:
        assert_witness(history, result)
    else:
        assert result.violation is not None
        assert not brute_force_linearizable(forget(history, result.violation))


def test_many_pending_writes_of_one_kind_stay_cheap() -> None:
    """Twenty pending cancels: interchangeable, so the search keeps only the earliest."""
    history = [CREATE, *(Op(f"p{i}", f"cancel #42 (p{i}/1)", None, 3 + i, None)
                         for i in range(20)),
               Op("c3", "read #42", "PENDING", 4, 5), Op("c3", "read #42", "CANCELLED", 40, 41)]
    result = check_linearizable(history)
    assert result.linearizable
    assert result.states < 50
    assert_witness(history, result)


def test_the_readme_example_runs_and_says_what_it_shows() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Linearizable reads: the checker", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {"px": px}
    exec(compile(code, "README.md", "exec"), namespace)
    verdict = namespace["verdict"]
    assert isinstance(verdict, Linearizability)
    assert (verdict.linearizable, len(verdict.violation or ())) == (False, 2)
    assert "(False, 2)" in code
    plt.close("all")
