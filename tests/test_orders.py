"""Tests for the orders domain: the transition table, commands, apply, exactly-once, replay."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paxos_lib import orders
from paxos_lib.errors import ConfigError, InvalidTransitionError, PaxosError
from paxos_lib.orders import (
    COMMAND_KINDS,
    INITIAL_STATUS,
    NOOP,
    TARGET_STATUS,
    TRANSITIONS,
    Command,
    OrderBook,
    OrderStatus,
    Outcome,
    apply,
    cancel,
    confirm,
    create,
    deliver,
    pay,
    replay,
    ship,
    transition,
)

S = OrderStatus

# The table from the issue, written out independently of the module's own table.
ALLOWED: set[tuple[OrderStatus, OrderStatus]] = {
    (S.PENDING, S.CONFIRMED),
    (S.PENDING, S.CANCELLED),
    (S.CONFIRMED, S.PAID),
    (S.CONFIRMED, S.CANCELLED),
    (S.PAID, S.SHIPPED),
    (S.PAID, S.CANCELLED),
    (S.SHIPPED, S.DELIVERED),
}

ALL_PAIRS = list(itertools.product(OrderStatus, OrderStatus))


def book(*orders_: tuple[int, OrderStatus], requests: tuple = ()) -> OrderBook:
    return OrderBook(orders=tuple(orders_), requests=requests)


def applied(command: Command, status: OrderStatus) -> Outcome:
    return Outcome(kind="applied", command=command, status=status)


def rejected(command: Command, reason: str) -> Outcome:
    return Outcome(kind="rejected", command=command, reason=reason)


# --- the table -------------------------------------------------------------------------------


def test_statuses_are_the_six_of_the_issue() -> None:
    assert [s.name for s in OrderStatus] == [
        "PENDING",
        "CONFIRMED",
        "PAID",
        "SHIPPED",
        "DELIVERED",
        "CANCELLED",
    ]
    assert str(S.PAID) == "PAID"
    assert INITIAL_STATUS is S.PENDING


def test_table_is_exactly_the_issues_table() -> None:
    assert set(TRANSITIONS) == set(OrderStatus)
    got = {(a, b) for a, nexts in TRANSITIONS.items() for b in nexts}
    assert got == ALLOWED
    assert all(isinstance(v, frozenset) for v in TRANSITIONS.values())


def test_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS[S.SHIPPED] = frozenset({S.CANCELLED})  # type: ignore[index]


def test_final_statuses() -> None:
    assert {s for s in OrderStatus if s.is_final} == {S.DELIVERED, S.CANCELLED}
    assert S.SHIPPED.allowed == frozenset({S.DELIVERED})


@pytest.mark.parametrize(("old", "new"), ALL_PAIRS, ids=[f"{a}-{b}" for a, b in ALL_PAIRS])
def test_every_pair_of_the_table(old: OrderStatus, new: OrderStatus) -> None:
    if (old, new) in ALLOWED:
        assert transition(old, new) is new
        assert old.to(new, order_id=1) is new
    else:
        with pytest.raises(InvalidTransitionError, match=f"^order 1 is {old.name}; it cannot"):
            old.to(new, order_id=1)
        with pytest.raises(InvalidTransitionError, match=f"^an order that is {old.name} cannot"):
            transition(old, new)


@pytest.mark.parametrize(("old", "new"), ALL_PAIRS, ids=[f"{a}-{b}" for a, b in ALL_PAIRS])
def test_every_pair_through_apply(old: OrderStatus, new: OrderStatus) -> None:
    kind = {status: kind for kind, status in TARGET_STATUS.items()}[new]
    command = Command(kind=kind, order_id=5, client_id="c1", request_id=1)
    state = book((5, old))
    after, outcome = apply(state, command)
    if (old, new) in ALLOWED:
        assert outcome == applied(command, new)
        assert after.status(5) is new
    else:
        if kind == "create":
            reason = f"order 5 already exists (it is {old.name}); create needs a new order id"
        else:
            with pytest.raises(InvalidTransitionError) as info:
                old.to(new, order_id=5)
            reason = str(info.value)
        assert outcome == rejected(command, reason)
        assert after.orders == state.orders
    assert after.outcome_of("c1", 1) == outcome


# --- exact messages ----------------------------------------------------------------------------


def test_transition_error_message_is_exact() -> None:
    with pytest.raises(InvalidTransitionError) as info:
        transition(S.SHIPPED, S.CANCELLED, order_id=42)
    assert str(info.value) == "order 42 is SHIPPED; it cannot become CANCELLED (allowed: DELIVERED)"
    assert isinstance(info.value, PaxosError)


def test_transition_error_lists_two_options_and_final_states() -> None:
    with pytest.raises(InvalidTransitionError) as info:
        S.PENDING.to(S.PAID, 3)
    assert str(info.value) == (
        "order 3 is PENDING; it cannot become PAID (allowed: CONFIRMED or CANCELLED)"
    )
    with pytest.raises(InvalidTransitionError) as info:
        transition(S.DELIVERED, S.CANCELLED)
    assert str(info.value) == (
        "an order that is DELIVERED cannot become CANCELLED (allowed: nothing, DELIVERED is final)"
    )


def test_rejection_reasons_are_exact() -> None:
    state, _ = replay([create(42, "c1", 1), confirm(42, "c1", 2)])
    cases = [
        (
            ship(42, "c1", 3),
            "order 42 is CONFIRMED; it cannot become SHIPPED (allowed: PAID or CANCELLED)",
        ),
        (
            create(42, "c2", 1),
            "order 42 already exists (it is CONFIRMED); create needs a new order id",
        ),
        (
            pay(7, "c2", 2),
            "order 7 does not exist; it cannot become PAID (allowed: create it first)",
        ),
        (
            confirm(42, "c1", 4),
            "order 42 is CONFIRMED; it cannot become CONFIRMED (allowed: PAID or CANCELLED)",
        ),
    ]
    for command, reason in cases:
        after, outcome = apply(state, command)
        assert outcome == rejected(command, reason)
        assert outcome.reason == reason
        assert str(outcome) == f"{command}: rejected, {reason}"
        assert after.orders == state.orders
        # the rejection becomes its client's last request, replacing the previous one
        kept = [pair for pair in state.requests if pair[0][0] != command.client_id]
        assert after.requests == tuple(sorted((*kept, (command.key, outcome))))
        assert after.outcome_of(*command.key) == outcome


def test_rejection_reason_of_a_final_order() -> None:
    state, _ = replay([create(1, "c1", 1), cancel(1, "c1", 2)])
    _, outcome = apply(state, pay(1, "c1", 3))
    assert outcome.reason == (
        "order 1 is CANCELLED; it cannot become PAID (allowed: nothing, CANCELLED is final)"
    )


# --- a whole life, step by step, asserting the whole book ------------------------------------


def test_walk_a_full_order_life() -> None:
    steps = [
        (create(42, "c1", 1), S.PENDING),
        (confirm(42, "c1", 2), S.CONFIRMED),
        (pay(42, "c1", 3), S.PAID),
        (ship(42, "warehouse", 1), S.SHIPPED),
        (deliver(42, "courier", 1), S.DELIVERED),
    ]
    state = OrderBook.empty()
    sessions: dict[str, tuple[tuple[str, int], Outcome]] = {}
    for command, status in steps:
        state, outcome = apply(state, command)
        assert outcome == applied(command, status)
        assert outcome.ok
        assert str(outcome) == f"{command}: applied, now {status.name}"
        sessions[command.client_id] = ((command.client_id, command.request_id), outcome)
        assert state == OrderBook(orders=((42, status),),
                                  requests=tuple(sorted(sessions.values())))
    assert [key for key, _ in state.requests] == [("c1", 3), ("courier", 1), ("warehouse", 1)]
    assert state.as_dict() == {42: "DELIVERED"}
    assert state.status(42).is_final


def test_two_orders_are_independent_and_kept_sorted() -> None:
    state, outcomes = replay(
        [create(9, "c1", 1), create(2, "c2", 1), confirm(9, "c1", 2), cancel(2, "c2", 2)]
    )
    assert all(o.kind == "applied" for o in outcomes)
    assert state.orders == ((2, S.CANCELLED), (9, S.CONFIRMED))
    assert state.as_dict() == {2: "CANCELLED", 9: "CONFIRMED"}
    assert list(state.as_dict()) == [2, 9]
    assert state.status(5) is None
    assert str(state) == "#2 CANCELLED, #9 CONFIRMED; 2 clients served"


def test_empty_book() -> None:
    empty = OrderBook.empty()
    assert empty == OrderBook(orders=(), requests=())
    assert empty.as_dict() == {}
    assert empty.status(0) is None
    assert empty.outcome_of("c1", 0) is None
    assert str(empty) == "no orders; 0 clients served"
    assert empty.last_request("c1") is None and not empty.has_run("c1", 1)


# --- cancel rules ----------------------------------------------------------------------------

LIFE = [confirm, pay, ship, deliver]


@pytest.mark.parametrize("steps", [0, 1, 2])
def test_cancel_before_shipping(steps: int) -> None:
    commands = [create(1, "c1", 0)] + [f(1, "c1", i + 1) for i, f in enumerate(LIFE[:steps])]
    state, _ = replay(commands)
    state, outcome = apply(state, cancel(1, "c1", 99))
    assert outcome.kind == "applied"
    assert state.status(1) is S.CANCELLED


@pytest.mark.parametrize(
    ("steps", "status"), [(3, S.SHIPPED), (4, S.DELIVERED)], ids=["shipped", "delivered"]
)
def test_no_cancel_once_shipped(steps: int, status: OrderStatus) -> None:
    commands = [create(1, "c1", 0)] + [f(1, "c1", i + 1) for i, f in enumerate(LIFE[:steps])]
    state, _ = replay(commands)
    assert state.status(1) is status
    after, outcome = apply(state, cancel(1, "c1", 99))
    assert outcome.kind == "rejected"
    assert outcome.reason.startswith(f"order 1 is {status.name}; it cannot become CANCELLED")
    assert after.status(1) is status


def test_cancelled_order_stays_cancelled() -> None:
    state, outcomes = replay(
        [create(1, "c1", 0), cancel(1, "c1", 1)]
        + [f(1, "c1", i + 2) for i, f in enumerate([confirm, pay, ship, deliver, cancel])]
    )
    assert [o.kind for o in outcomes] == ["applied", "applied"] + ["rejected"] * 5
    assert state.status(1) is S.CANCELLED


# --- exactly once ----------------------------------------------------------------------------


def test_duplicate_returns_the_first_outcome_and_changes_nothing() -> None:
    first = confirm(42, "c1", 2)
    state, outcomes = replay([create(42, "c1", 1), first])
    again, outcome = apply(state, first)
    assert again == state
    assert outcome == Outcome(kind="duplicate", command=first, original=outcomes[1])
    assert outcome.answer == outcomes[1]
    assert outcome.ok
    assert str(outcome) == (
        "confirm #42 (c1/2): duplicate, first outcome was "
        "[confirm #42 (c1/2): applied, now CONFIRMED]"
    )


def test_duplicate_of_a_rejection_is_rejected_again_even_if_now_allowed() -> None:
    early_pay = pay(1, "c1", 2)
    state, outcomes = replay([create(1, "c1", 1), early_pay, confirm(1, "c2", 1)])
    assert outcomes[1].kind == "rejected"
    assert state.status(1) is S.CONFIRMED  # paying is allowed now
    again, outcome = apply(state, early_pay)
    assert again == state
    assert outcome.kind == "duplicate"
    assert outcome.answer == outcomes[1]
    assert not outcome.ok


def test_the_table_keeps_one_request_per_client_and_ignores_stale_copies() -> None:
    life = [create(42, "c1", 1), confirm(42, "c1", 2), pay(42, "c1", 3)]
    state, _ = replay(life)
    assert [key for key, _ in state.requests] == [("c1", 3)]
    assert state.last_request("c1") == 3
    assert state.has_run("c1", 1) and state.has_run("c1", 3) and not state.has_run("c1", 4)
    assert state.outcome_of("c1", 2) is None  # forgotten: c1 has moved on
    again, outcome = apply(state, confirm(42, "c1", 2))  # a late copy of request 2
    assert again == state
    assert outcome == Outcome(kind="stale", command=confirm(42, "c1", 2))
    assert outcome.ok and outcome.answer == outcome
    assert str(outcome) == (
        "confirm #42 (c1/2): stale, c1 has moved on to a later request; ignored")
    # the last request, retried, still gets its first answer
    _, retry = apply(state, pay(42, "c1", 3))
    assert retry.kind == "duplicate" and retry.answer.status is S.PAID
    # a thousand commands from two clients: two entries
    many = [f(n, c, 6 * n + i) for n in range(1, 150) for c in ("c1", "c2")
            for i, f in enumerate([create, confirm, pay, ship, deliver], 1)]
    big, outcomes = replay(many)
    assert len(many) > 1000 and len(big.requests) == 2
    assert sum(o.kind == "applied" for o in outcomes) == len(many) / 2  # c2's creates fail


def test_one_entry_per_client_is_checked() -> None:
    one = applied(create(1, "c1", 1), S.PENDING)
    two = applied(confirm(1, "c1", 2), S.CONFIRMED)
    with pytest.raises(ConfigError, match=r"one request per client \(its last\), got c1/1, c1/2"):
        OrderBook(orders=((1, S.CONFIRMED),), requests=((("c1", 1), one), (("c1", 2), two)))


def test_duplicate_is_by_client_and_request_id() -> None:
    state, _ = replay([create(1, "c1", 1)])
    # Same request id from another client is a new request.
    _, outcome = apply(state, confirm(1, "c2", 1))
    assert outcome.kind == "applied"
    # Same key with another command is still the same request: the first outcome wins.
    _, outcome = apply(state, cancel(1, "c1", 1))
    assert outcome.kind == "duplicate"
    assert outcome.original == applied(create(1, "c1", 1), S.PENDING)
    assert state.outcome_of("c1", 1) == outcome.original


def test_retrying_create_does_not_reject_it() -> None:
    state, outcomes = replay([create(1, "c1", 1), create(1, "c1", 1)])
    assert [o.kind for o in outcomes] == ["applied", "duplicate"]
    assert state.as_dict() == {1: "PENDING"}
    assert outcomes[1].ok


# --- the no-op -------------------------------------------------------------------------------


def test_noop() -> None:
    assert Command.noop() is NOOP
    assert Command(kind="noop") == NOOP
    assert NOOP.is_noop and NOOP.key is None
    assert str(NOOP) == "noop"
    state, _ = replay([create(1, "c1", 1)])
    after, outcome = apply(state, NOOP)
    assert after is state
    assert outcome == Outcome(kind="noop", command=NOOP)
    assert outcome.ok
    assert str(outcome) == "noop: nothing changes"
    # Any number of no-ops is never a duplicate.
    _, outcomes = replay([NOOP, NOOP, NOOP])
    assert [o.kind for o in outcomes] == ["noop"] * 3


# --- commands --------------------------------------------------------------------------------


def test_helpers_build_each_kind() -> None:
    helpers = [create, confirm, pay, ship, deliver, cancel]
    assert [h.__name__ for h in helpers] == list(COMMAND_KINDS)
    for helper in helpers:
        command = helper(42, "c1", 3)
        assert command == Command(kind=helper.__name__, order_id=42, client_id="c1", request_id=3)
        assert command.key == ("c1", 3)
        assert not command.is_noop


def test_command_is_frozen_hashable_keyword_only() -> None:
    command = confirm(42, "c1", 3)
    assert str(command) == "confirm #42 (c1/3)"
    assert hash(command) == hash(confirm(42, "c1", 3))
    assert len({command, confirm(42, "c1", 3), NOOP}) == 2
    with pytest.raises(AttributeError):
        command.kind = "cancel"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Command("confirm", 42, "c1", 3)  # type: ignore[misc]


def test_commands_sort() -> None:
    commands = [ship(2, "c1", 1), NOOP, confirm(1, "c2", 1), confirm(1, "c1", 1)]
    assert sorted(commands) == [confirm(1, "c1", 1), confirm(1, "c2", 1), NOOP, ship(2, "c1", 1)]


@pytest.mark.parametrize(
    "command", [NOOP, confirm(42, "c1", 3), create(0, "client a/b", 0), cancel(7, "x(y)", 12)]
)
def test_command_text_and_dict_round_trip(command: Command) -> None:
    assert Command.parse(str(command)) == command
    assert Command.from_dict(command.to_dict()) == command


def test_command_dicts() -> None:
    assert NOOP.to_dict() == {"kind": "noop"}
    assert pay(1, "c1", 2).to_dict() == {
        "kind": "pay",
        "order_id": 1,
        "client_id": "c1",
        "request_id": 2,
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"kind": "refund", "order_id": 1, "client_id": "c1", "request_id": 0},
            r"unknown command kind 'refund'; expected 'create', 'confirm', 'pay', 'ship', "
            r"'deliver', 'cancel' or 'noop'",
        ),
        (
            {"kind": "CONFIRM", "order_id": 1, "client_id": "c1", "request_id": 0},
            r"unknown command kind 'CONFIRM'",
        ),
        (
            {"kind": "confirm", "order_id": -1, "client_id": "c1", "request_id": 0},
            r"order_id must be an int >= 0, got -1",
        ),
        (
            {"kind": "confirm", "order_id": "42", "client_id": "c1", "request_id": 0},
            r"order_id must be an int >= 0, got '42'",
        ),
        (
            {"kind": "confirm", "order_id": True, "client_id": "c1", "request_id": 0},
            r"order_id must be an int >= 0, got True",
        ),
        (
            {"kind": "confirm", "client_id": "c1", "request_id": 0},
            r"order_id must be an int >= 0, got None",
        ),
        (
            {"kind": "confirm", "order_id": 1, "client_id": "", "request_id": 0},
            r"client_id must be a non-empty string such as 'c1', got ''",
        ),
        (
            {"kind": "confirm", "order_id": 1, "client_id": "  ", "request_id": 0},
            r"client_id must be a non-empty string such as 'c1', got '  '",
        ),
        (
            {"kind": "confirm", "order_id": 1, "client_id": 7, "request_id": 0},
            r"client_id must be a non-empty string such as 'c1', got 7",
        ),
        (
            {"kind": "confirm", "order_id": 1, "client_id": "c1", "request_id": -3},
            r"request_id must be an int >= 0, got -3",
        ),
        (
            {"kind": "confirm", "order_id": 1, "client_id": "c1", "request_id": 1.5},
            r"request_id must be an int >= 0, got 1.5",
        ),
        (
            {"kind": "noop", "order_id": 1, "client_id": "c1"},
            r"a noop carries no order_id, client_id or request_id, got order_id=1, "
            r"client_id='c1'",
        ),
    ],
)
def test_bad_command_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{message}"):
        Command(**kwargs)


def test_bad_arguments_through_helpers() -> None:
    with pytest.raises(ConfigError, match=r"^order_id must be an int >= 0, got -42$"):
        confirm(-42, "c1", 1)
    with pytest.raises(ConfigError, match=r"^client_id must be a non-empty string"):
        cancel(1, "", 1)
    with pytest.raises(ValueError, match=r"^request_id must be an int >= 0, got -1$"):
        pay(1, "c1", -1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "confirm",
        "confirm 42 (c1/3)",
        "confirm #x (c1/3)",
        "confirm #42 (c1)",
        "confirm #42 c1/3",
        "confirm #42 (c1/x)",
        "Noop",
    ],
)
def test_parse_rejects_bad_text(text: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"got {text!r}")):
        Command.parse(text)


def test_parse_validates_the_parts() -> None:
    with pytest.raises(ConfigError, match=r"^unknown command kind 'refund'"):
        Command.parse("refund #1 (c1/2)")
    with pytest.raises(ConfigError, match=r"^client_id must be a non-empty string"):
        Command.parse("pay #1 (/2)")
    with pytest.raises(ConfigError, match=r"^a command is written as text"):
        Command.parse(42)  # type: ignore[arg-type]


def test_from_dict_rejects_unknown_fields() -> None:
    with pytest.raises(ConfigError, match=r"^unknown command field 'order'; expected 'kind'"):
        Command.from_dict({"kind": "pay", "order": 1})


# --- bad inputs to the domain API ------------------------------------------------------------


def test_transition_rejects_non_statuses() -> None:
    with pytest.raises(ConfigError, match=r"^status must be an OrderStatus, one of 'PENDING'"):
        transition("PENDING", S.CONFIRMED)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"^new_status must be an OrderStatus.*got 'PAID'$"):
        S.CONFIRMED.to("PAID")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"^order_id must be an int >= 0, got -1$"):
        transition(S.PENDING, S.CONFIRMED, order_id=-1)


def test_apply_rejects_wrong_types() -> None:
    with pytest.raises(ConfigError, match=r"^state must be an OrderBook, got \{\}$"):
        apply({}, NOOP)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"^command must be a Command, got 'noop'$"):
        apply(OrderBook.empty(), "noop")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"orders": [(1, S.PENDING)]}, r"an OrderBook holds tuples, got list and tuple"),
        ({"orders": ((1, "PENDING"),)}, r"the status of order 1 must be an OrderStatus"),
        ({"orders": ((-1, S.PENDING),)}, r"order_id must be an int >= 0, got -1"),
        ({"orders": ((1,),)}, r"an order entry is \(order_id, OrderStatus\), got \(1,\)"),
        (
            {"orders": ((2, S.PENDING), (1, S.PAID))},
            r"order ids must be unique and sorted, got \[2, 1\]",
        ),
        (
            {"orders": ((1, S.PENDING), (1, S.PAID))},
            r"order ids must be unique and sorted, got \[1, 1\]",
        ),
        ({"requests": ((("c1", 1), "applied"),)}, r"a request entry is \(\(client_id"),
        (
            {"requests": ((("c1", 2), applied(create(1, "c1", 1), S.PENDING)),)},
            r"a request entry is",
        ),
    ],
)
def test_bad_order_books(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{message}"):
        OrderBook(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "done", "command": NOOP}, r"unknown outcome kind 'done'; expected 'applied'"),
        ({"kind": "noop", "command": "noop"}, r"outcome.command must be a Command, got 'noop'"),
        ({"kind": "noop", "command": pay(1, "c1", 1)}, r"an outcome of kind 'noop' goes with"),
        ({"kind": "applied", "command": NOOP}, r"an outcome of kind 'noop' goes with"),
        ({"kind": "applied", "command": pay(1, "c1", 1)}, r"an applied outcome's status must be"),
        (
            {"kind": "rejected", "command": pay(1, "c1", 1), "status": S.PAID, "reason": "x"},
            r"only an applied outcome has a status",
        ),
        ({"kind": "rejected", "command": pay(1, "c1", 1)}, r"a rejected outcome, and only"),
        ({"kind": "duplicate", "command": pay(1, "c1", 1)}, r"a duplicate outcome's original"),
        (
            {
                "kind": "noop",
                "command": NOOP,
                "original": Outcome(kind="noop", command=NOOP),
            },
            r"only a duplicate outcome has an original",
        ),
    ],
)
def test_bad_outcomes(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{message}"):
        Outcome(**kwargs)


# --- determinism and replay ------------------------------------------------------------------

WORKLOAD = [
    create(1, "c1", 1),
    create(2, "c2", 1),
    confirm(1, "c1", 2),
    NOOP,
    ship(2, "c2", 2),
    pay(1, "c1", 3),
    confirm(1, "c1", 2),
    cancel(2, "c2", 3),
    ship(1, "c1", 4),
    cancel(1, "c1", 5),
    deliver(1, "c3", 1),
]


def test_replay_is_apply_in_a_loop() -> None:
    state = OrderBook.empty()
    outcomes = []
    for command in WORKLOAD:
        state, outcome = apply(state, command)
        outcomes.append(outcome)
    assert replay(WORKLOAD) == (state, outcomes)
    assert state.as_dict() == {1: "DELIVERED", 2: "CANCELLED"}
    assert [o.kind for o in outcomes] == [
        "applied",
        "applied",
        "applied",
        "noop",
        "rejected",
        "applied",
        "stale",  # c1 sent request 3 already: this copy of request 2 is old
        "applied",
        "applied",
        "rejected",
        "applied",
    ]


def test_replay_from_a_state_continues() -> None:
    middle, first = replay(WORKLOAD[:5])
    end, rest = replay(WORKLOAD[5:], middle)
    assert (end, first + rest) == replay(WORKLOAD)
    assert replay(iter(WORKLOAD)) == replay(WORKLOAD)


def test_apply_is_deterministic_and_pure() -> None:
    state, _ = replay(WORKLOAD[:3])
    snapshot = OrderBook(orders=state.orders, requests=state.requests)
    results = {apply(state, pay(1, "c1", 3)) for _ in range(5)}
    assert len(results) == 1
    assert state == snapshot
    assert hash(state) == hash(snapshot)


# --- properties ------------------------------------------------------------------------------

commands_st = st.one_of(
    st.just(NOOP),
    st.builds(
        lambda kind, order_id, client_id, request_id: Command(
            kind=kind, order_id=order_id, client_id=client_id, request_id=request_id
        ),
        st.sampled_from(COMMAND_KINDS),
        st.integers(0, 2),
        st.sampled_from(["c1", "c2"]),
        st.integers(0, 3),
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(commands_st, max_size=40))
def test_replicas_agree_and_statuses_follow_the_table(commands: list[Command]) -> None:
    replica_a, outcomes_a = replay(commands)
    replica_b, outcomes_b = replay(list(commands))
    assert replica_a == replica_b
    assert hash(replica_a) == hash(replica_b)
    assert outcomes_a == outcomes_b

    state = OrderBook.empty()
    for command, expected in zip(commands, outcomes_a, strict=True):
        before = state
        state, outcome = apply(state, command)
        assert outcome == expected
        changed = {
            oid
            for oid in set(before.as_dict()) | set(state.as_dict())
            if before.status(oid) is not state.status(oid)
        }
        if outcome.kind == "applied":
            assert changed == {command.order_id}
            old, new = before.status(command.order_id), state.status(command.order_id)
            if old is None:
                assert command.kind == "create" and new is INITIAL_STATUS
            else:
                assert (old, new) in ALLOWED
            assert new is TARGET_STATUS[command.kind]
        else:
            assert changed == set()
        if outcome.kind in ("duplicate", "stale", "noop"):
            assert state == before
        else:
            # a new request becomes its client's last; the table gains an entry only for a
            # client it had not seen
            assert state.outcome_of(*command.key) == outcome
            seen = before.last_request(command.client_id)
            assert seen is None or seen < command.request_id
            assert len(state.requests) == len(before.requests) + (seen is None)
        if outcome.kind == "duplicate":
            assert before.last_request(command.client_id) == command.request_id
        if outcome.kind == "stale":
            assert before.last_request(command.client_id) > command.request_id
        # one entry per client, however many commands ran
        assert len(state.requests) <= len({c.client_id for c in commands if not c.is_noop})


@settings(max_examples=200, deadline=None)
@given(st.lists(commands_st, max_size=30))
def test_commands_round_trip_through_text(commands: list[Command]) -> None:
    assert [Command.parse(str(c)) for c in commands] == commands


def test_module_imports_nothing_of_paxos() -> None:
    source = Path(orders.__file__).read_text(encoding="utf-8")
    imports = [
        line.split()[1] for line in source.splitlines() if line.startswith(("import ", "from "))
    ]
    assert all(
        not name.startswith("paxos_lib") or name == "paxos_lib.errors" for name in imports
    ), imports
