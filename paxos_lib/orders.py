"""Orders domain: order statuses, their allowed transitions, commands and a deterministic ``apply``.

Theory of operation
-------------------
This module owns the e-commerce example that the replicated log agrees on.  It knows nothing
of Paxos and must never import it: it imports only the standard library and
``paxos_lib.errors``.  Multi-Paxos (an outer layer) decides *which* command goes in each log
slot; this module decides *what that command does*.

1. An order moves through the statuses in ``TRANSITIONS``, a table kept as data::

       create -> PENDING -> CONFIRMED -> PAID -> SHIPPED -> DELIVERED
                    |           |          |
                    +-----------+----------+--> CANCELLED

   A shipped order cannot be cancelled; CANCELLED and DELIVERED are final.
2. A ``Command`` (create, confirm, pay, ship, deliver, cancel) names an order and carries the
   client's ``(client_id, request_id)``.  ``NOOP`` is the command a new leader writes into a
   log gap; it changes nothing.
3. ``apply(book, command)`` returns the next ``OrderBook`` and an ``Outcome``: *applied*,
   *rejected* (with a reason), *duplicate* (the request was already executed; the first
   outcome is returned again and the book does not change), *stale* (an older request of a
   client that has moved on; nothing changes) or *noop*.
4. ``apply`` is pure and deterministic, and it never raises on a move the table forbids: it
   records a rejection instead.  Every replica applies the same log in the same order, so every
   replica must reach the same book and the same outcomes; an exception on one replica, or a
   result that depended on a clock, a random number or set iteration order, would split them.
5. Calling the domain API directly with a forbidden move (``transition``, ``OrderStatus.to``)
   raises ``InvalidTransitionError``; a bad constructor argument raises ``ConfigError``.
   Both messages name the bad value and what is allowed.
6. Exactly once, with one entry per client.  A client has one request outstanding at a time and
   numbers its requests 1, 2, 3, ...; it sends request ``n + 1`` only once request ``n`` was
   answered.  So the book keeps, for each client, only its *last* executed request and that
   request's outcome (the client's session): a command with a higher request id is new and
   runs; the same id is a retry whose reply was lost (the saved outcome is returned again,
   *duplicate*); a lower id is a *stale* copy of a request the client has already moved on
   from (nothing runs, nobody is waiting for an answer).  The table therefore grows with the
   number of clients, never with the number of commands, and a snapshot of the book carries
   it whole (lesson 07's exercise asks for exactly this rule).

NOTE: the rule relies on the client's promise: a client that sends request ``n + 1`` while
``n`` is still unanswered may see ``n`` ignored as stale if ``n + 1`` is chosen first (the
course's workloads and client nodes keep one request outstanding).
NOTE: sessions never expire here: the course's clients never leave.  A real service also ends
idle sessions, deterministically (through the log), and tells a client whose session ended
to open a new one.
"""

from __future__ import annotations

import enum
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from paxos_lib.errors import ConfigError, InvalidTransitionError, one_of

__all__ = [
    "COMMAND_KINDS",
    "INITIAL_STATUS",
    "NOOP",
    "OUTCOME_KINDS",
    "TARGET_STATUS",
    "TRANSITIONS",
    "Command",
    "OrderBook",
    "OrderStatus",
    "Outcome",
    "apply",
    "cancel",
    "confirm",
    "create",
    "deliver",
    "pay",
    "replay",
    "ship",
    "transition",
]


class OrderStatus(enum.Enum):
    """Where an order is in its life; the allowed next statuses are in ``TRANSITIONS``."""

    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    PAID = "PAID"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"

    def __str__(self) -> str:
        return self.name

    @property
    def allowed(self) -> frozenset[OrderStatus]:
        """The statuses an order in this status may move to next."""
        return TRANSITIONS[self]

    @property
    def is_final(self) -> bool:
        """True when no move is allowed from this status (CANCELLED, DELIVERED)."""
        return not TRANSITIONS[self]

    def to(self, new_status: OrderStatus, order_id: int | None = None) -> OrderStatus:
        """Return ``new_status`` if the table allows the move, else raise InvalidTransitionError."""
        return transition(self, new_status, order_id=order_id)


_S = OrderStatus

TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = MappingProxyType(
    {
        _S.PENDING: frozenset({_S.CONFIRMED, _S.CANCELLED}),
        _S.CONFIRMED: frozenset({_S.PAID, _S.CANCELLED}),
        _S.PAID: frozenset({_S.SHIPPED, _S.CANCELLED}),
        _S.SHIPPED: frozenset({_S.DELIVERED}),
        _S.DELIVERED: frozenset(),
        _S.CANCELLED: frozenset(),
    }
)
"""Status -> the statuses it may move to.  A status missing on the right is a refused move."""

INITIAL_STATUS: OrderStatus = OrderStatus.PENDING
"""The status ``create`` gives a new order."""

COMMAND_KINDS: tuple[str, ...] = ("create", "confirm", "pay", "ship", "deliver", "cancel")
"""The order commands, in the order of an order's life (``noop`` is not among them)."""

NOOP_KIND = "noop"

TARGET_STATUS: Mapping[str, OrderStatus] = MappingProxyType(
    {
        "create": _S.PENDING,
        "confirm": _S.CONFIRMED,
        "pay": _S.PAID,
        "ship": _S.SHIPPED,
        "deliver": _S.DELIVERED,
        "cancel": _S.CANCELLED,
    }
)
"""Command kind -> the status the command moves its order to."""

OUTCOME_KINDS: tuple[str, ...] = ("applied", "rejected", "duplicate", "stale", "noop")

_STATUS_RANK = {status: rank for rank, status in enumerate(OrderStatus)}


def _names(statuses: Iterable[OrderStatus]) -> str:
    """``CONFIRMED or CANCELLED``, in table order; ``nothing`` for a final status."""
    names = [s.name for s in sorted(statuses, key=_STATUS_RANK.__getitem__)]
    if not names:
        return "nothing"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _refusal(status: OrderStatus, new_status: OrderStatus, order_id: int | None) -> str | None:
    """Why ``status -> new_status`` is refused, or None when the table allows it."""
    allowed = TRANSITIONS[status]
    if new_status in allowed:
        return None
    if order_id is None:
        subject = f"an order that is {status.name}"
    else:
        subject = f"order {order_id} is {status.name}; it"
    final = f", {status.name} is final" if not allowed else ""
    return f"{subject} cannot become {new_status.name} (allowed: {_names(allowed)}{final})"


def _check_status(name: str, value: object) -> None:
    if not isinstance(value, OrderStatus):
        raise ConfigError(
            f"{name} must be an OrderStatus, one of {one_of(s.name for s in OrderStatus)}, "
            f"got {value!r}"
        )


def _check_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{name} must be an int >= 0, got {value!r}")


def _check_client(value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"client_id must be a non-empty string such as 'c1', got {value!r}")


def transition(
    status: OrderStatus, new_status: OrderStatus, *, order_id: int | None = None
) -> OrderStatus:
    """Return ``new_status`` if ``TRANSITIONS`` allows ``status -> new_status``.

    Otherwise raise ``InvalidTransitionError`` naming the order (when given), its status and
    the allowed moves: ``order 42 is SHIPPED; it cannot become CANCELLED (allowed: DELIVERED)``.
    """
    _check_status("status", status)
    _check_status("new_status", new_status)
    if order_id is not None:
        _check_int("order_id", order_id)
    reason = _refusal(status, new_status, order_id)
    if reason is not None:
        raise InvalidTransitionError(reason)
    return new_status


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class Command:
    """One client request about one order: ``confirm #42 (c1/3)``.

    ``(client_id, request_id)`` identifies the request, so a retried request is executed once.
    The no-op (``NOOP``, ``Command.noop()``) has kind ``"noop"`` and no order, client or
    request; every other kind needs all three.  Commands sort (kind first), so a set of
    them can be listed in a canonical order.
    """

    kind: str
    order_id: int | None = None
    client_id: str | None = None
    request_id: int | None = None

    def __post_init__(self) -> None:
        if self.kind == NOOP_KIND:
            extra = [
                f"{name}={getattr(self, name)!r}"
                for name in ("order_id", "client_id", "request_id")
                if getattr(self, name) is not None
            ]
            if extra:
                raise ConfigError(
                    f"a noop carries no order_id, client_id or request_id, got {', '.join(extra)}"
                )
            return
        if self.kind not in COMMAND_KINDS:
            raise ConfigError(
                f"unknown command kind {self.kind!r}; expected "
                f"{one_of((*COMMAND_KINDS, NOOP_KIND))}"
            )
        _check_int("order_id", self.order_id)
        _check_client(self.client_id)
        _check_int("request_id", self.request_id)

    @classmethod
    def noop(cls) -> Command:
        """The command that fills a gap in a replicated log; applying it changes nothing."""
        return NOOP

    @property
    def is_noop(self) -> bool:
        return self.kind == NOOP_KIND

    @property
    def key(self) -> tuple[str, int] | None:
        """``(client_id, request_id)``, the exactly-once key; None for the no-op."""
        if self.client_id is None or self.request_id is None:
            return None
        return (self.client_id, self.request_id)

    def __str__(self) -> str:
        if self.is_noop:
            return NOOP_KIND
        return f"{self.kind} #{self.order_id} ({self.client_id}/{self.request_id})"

    @classmethod
    def parse(cls, text: str) -> Command:
        """Read ``str(command)`` back: ``'confirm #42 (c1/3)'`` or ``'noop'``.

        Replicated values travel as strings, so every command round-trips through its text.
        """
        if not isinstance(text, str):
            raise ConfigError(
                f"a command is written as text such as 'confirm #42 (c1/3)', got {text!r}"
            )
        if text == NOOP_KIND:
            return NOOP
        parts = text.split(" ", 2)
        if (
            len(parts) == 3
            and parts[1].startswith("#")
            and parts[1][1:].isdigit()
            and parts[2].startswith("(")
            and parts[2].endswith(")")
        ):
            client, sep, request = parts[2][1:-1].rpartition("/")
            if sep and request.isdigit():
                return cls(
                    kind=parts[0],
                    order_id=int(parts[1][1:]),
                    client_id=client,
                    request_id=int(request),
                )
        raise ConfigError(
            f"a command is written 'kind #order (client/request)' such as 'confirm #42 (c1/3)', "
            f"or 'noop', got {text!r}"
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict; ``{'kind': 'noop'}`` for the no-op."""
        if self.is_noop:
            return {"kind": NOOP_KIND}
        return {
            "kind": self.kind,
            "order_id": self.order_id,
            "client_id": self.client_id,
            "request_id": self.request_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Command:
        """Inverse of ``to_dict``."""
        fields = ("kind", "order_id", "client_id", "request_id")
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise ConfigError(f"unknown command field {unknown[0]!r}; expected {one_of(fields)}")
        return cls(**data)  # type: ignore[arg-type]


NOOP = Command(kind=NOOP_KIND)
"""The no-op command a new leader proposes for a log slot it found empty."""


def create(order_id: int, client_id: str, request_id: int) -> Command:
    """``create #order_id``: a new order, PENDING."""
    return Command(kind="create", order_id=order_id, client_id=client_id, request_id=request_id)


def confirm(order_id: int, client_id: str, request_id: int) -> Command:
    """``confirm #order_id``: PENDING -> CONFIRMED."""
    return Command(kind="confirm", order_id=order_id, client_id=client_id, request_id=request_id)


def pay(order_id: int, client_id: str, request_id: int) -> Command:
    """``pay #order_id``: CONFIRMED -> PAID."""
    return Command(kind="pay", order_id=order_id, client_id=client_id, request_id=request_id)


def ship(order_id: int, client_id: str, request_id: int) -> Command:
    """``ship #order_id``: PAID -> SHIPPED."""
    return Command(kind="ship", order_id=order_id, client_id=client_id, request_id=request_id)


def deliver(order_id: int, client_id: str, request_id: int) -> Command:
    """``deliver #order_id``: SHIPPED -> DELIVERED."""
    return Command(kind="deliver", order_id=order_id, client_id=client_id, request_id=request_id)


def cancel(order_id: int, client_id: str, request_id: int) -> Command:
    """``cancel #order_id``: PENDING, CONFIRMED or PAID -> CANCELLED (not once SHIPPED)."""
    return Command(kind="cancel", order_id=order_id, client_id=client_id, request_id=request_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What applying one command did.

    - ``applied``: the order is now ``status``.
    - ``rejected``: nothing changed; ``reason`` names the order, its status and allowed moves.
    - ``duplicate``: the request was executed before; ``original`` is that first outcome.
    - ``stale``: a later request of the same client was executed already, so this one is an
      old copy; nothing changed and nobody waits for its answer.
    - ``noop``: the no-op; nothing changed.
    """

    kind: str
    command: Command
    status: OrderStatus | None = None
    reason: str = ""
    original: Outcome | None = None

    def __post_init__(self) -> None:
        if self.kind not in OUTCOME_KINDS:
            raise ConfigError(
                f"unknown outcome kind {self.kind!r}; expected {one_of(OUTCOME_KINDS)}"
            )
        if not isinstance(self.command, Command):
            raise ConfigError(f"outcome.command must be a Command, got {self.command!r}")
        if (self.kind == "noop") != self.command.is_noop:
            raise ConfigError(
                f"an outcome of kind 'noop' goes with the noop command and only with it, "
                f"got {self.kind!r} for {str(self.command)!r}"
            )
        if self.kind == "applied":
            _check_status("an applied outcome's status", self.status)
        elif self.status is not None:
            raise ConfigError(f"only an applied outcome has a status, got {self.status!r}")
        if (self.kind == "rejected") != bool(self.reason):
            raise ConfigError(
                f"a rejected outcome, and only a rejected one, has a reason, got {self.reason!r}"
            )
        if self.kind == "duplicate":
            if not isinstance(self.original, Outcome) or self.original.kind not in (
                "applied",
                "rejected",
            ):
                raise ConfigError(
                    "a duplicate outcome's original must be an applied or rejected Outcome, "
                    f"got {self.original!r}"
                )
        elif self.original is not None:
            raise ConfigError(f"only a duplicate outcome has an original, got {self.original!r}")

    @property
    def answer(self) -> Outcome:
        """The outcome the client sees: the first one for a duplicate, else this one."""
        return self.original if self.original is not None else self

    @property
    def ok(self) -> bool:
        """True unless the request was (first) rejected."""
        return self.answer.kind != "rejected"

    def __str__(self) -> str:
        if self.kind == "applied":
            return f"{self.command}: applied, now {self.status}"
        if self.kind == "rejected":
            return f"{self.command}: rejected, {self.reason}"
        if self.kind == "duplicate":
            return f"{self.command}: duplicate, first outcome was [{self.original}]"
        if self.kind == "stale":
            return (f"{self.command}: stale, {self.command.client_id} has moved on to a later "
                    "request; ignored")
        return "noop: nothing changes"


_OrderPair = tuple[int, OrderStatus]
_RequestPair = tuple[tuple[str, int], Outcome]


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderBook:
    """The replicated state: every order's status and each client's last executed request.

    ``orders`` is a tuple of ``(order_id, status)`` sorted by id; ``requests`` is a tuple of
    ``((client_id, request_id), outcome)`` sorted by key, at most one per client: its last
    executed request and that request's outcome (applied or rejected), the client's session.
    Tuples keep the book hashable, so the explorer can deduplicate states, and sorted tuples
    make two equal books compare equal.
    """

    orders: tuple[_OrderPair, ...] = ()
    requests: tuple[_RequestPair, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.orders, tuple) or not isinstance(self.requests, tuple):
            raise ConfigError(
                f"an OrderBook holds tuples, got {type(self.orders).__name__} and "
                f"{type(self.requests).__name__}"
            )
        for pair in self.orders:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise ConfigError(f"an order entry is (order_id, OrderStatus), got {pair!r}")
            _check_int("order_id", pair[0])
            _check_status(f"the status of order {pair[0]}", pair[1])
        ids = [order_id for order_id, _ in self.orders]
        if ids != sorted(set(ids)):
            raise ConfigError(f"order ids must be unique and sorted, got {ids!r}")
        for pair in self.requests:
            if (
                not isinstance(pair, tuple)
                or len(pair) != 2
                or not isinstance(pair[1], Outcome)
                or pair[1].kind not in ("applied", "rejected")
                or pair[1].command.key != pair[0]
            ):
                raise ConfigError(
                    "a request entry is ((client_id, request_id), applied or rejected Outcome "
                    f"of that request), got {pair!r}"
                )
        keys = [key for key, _ in self.requests]
        if keys != sorted(set(keys)):
            raise ConfigError(f"request keys must be unique and sorted, got {keys!r}")
        clients = [client for client, _ in keys]
        if len(set(clients)) != len(clients):
            raise ConfigError(
                "the book keeps one request per client (its last), got "
                f"{', '.join(f'{c}/{r}' for c, r in keys)}"
            )

    @classmethod
    def empty(cls) -> OrderBook:
        """No orders, no requests."""
        return cls()

    def status(self, order_id: int) -> OrderStatus | None:
        """The order's status, or None when no such order exists."""
        i = bisect_left(self.orders, order_id, key=lambda pair: pair[0])
        if i < len(self.orders) and self.orders[i][0] == order_id:
            return self.orders[i][1]
        return None

    def _session(self, client_id: str) -> int:
        """Index of ``client_id``'s entry in ``requests``, or -1 when it has none."""
        i = bisect_left(self.requests, client_id, key=lambda pair: pair[0][0])
        if i < len(self.requests) and self.requests[i][0][0] == client_id:
            return i
        return -1

    def last_request(self, client_id: str) -> int | None:
        """The id of ``client_id``'s last executed request, or None when it has sent none."""
        i = self._session(client_id)
        return None if i < 0 else self.requests[i][0][1]

    def outcome_of(self, client_id: str, request_id: int) -> Outcome | None:
        """The recorded outcome of request ``(client_id, request_id)`` when it is the client's
        last executed request, else None (older outcomes are forgotten)."""
        i = self._session(client_id)
        if i >= 0 and self.requests[i][0][1] == request_id:
            return self.requests[i][1]
        return None

    def has_run(self, client_id: str, request_id: int) -> bool:
        """True when this request, or a later one of the same client, was executed."""
        last = self.last_request(client_id)
        return last is not None and request_id <= last

    def as_dict(self) -> dict[int, str]:
        """``{order_id: status name}``, in id order."""
        return {order_id: status.name for order_id, status in self.orders}

    def __str__(self) -> str:
        orders = ", ".join(f"#{oid} {status}" for oid, status in self.orders) or "no orders"
        n = len(self.requests)
        return f"{orders}; {n} client{'' if n == 1 else 's'} served"

    def _record(
        self, key: tuple[str, int], outcome: Outcome, order: _OrderPair | None
    ) -> OrderBook:
        """This book with ``outcome`` recorded as ``key``'s client's last request (replacing
        its previous one) and ``order`` set, if given."""
        orders = self.orders
        if order is not None:
            kept = [pair for pair in self.orders if pair[0] != order[0]]
            orders = tuple(sorted([*kept, order], key=lambda pair: pair[0]))
        others = [pair for pair in self.requests if pair[0][0] != key[0]]
        requests = tuple(sorted([*others, (key, outcome)], key=lambda pair: pair[0]))
        return OrderBook(orders=orders, requests=requests)


def apply(state: OrderBook, command: Command) -> tuple[OrderBook, Outcome]:
    """Apply one command: return the next book and what happened.  Pure and deterministic.

    The no-op changes nothing.  The client's last executed request, sent again, returns its
    first outcome again (*duplicate*); an older request of that client is *stale*; neither
    changes anything.  A move the table forbids, ``create`` on an existing order, or any
    other command on an unknown order is recorded as rejected, never raised, so every replica
    rejects it identically and the log keeps going.
    """
    if not isinstance(state, OrderBook):
        raise ConfigError(f"state must be an OrderBook, got {state!r}")
    if not isinstance(command, Command):
        raise ConfigError(f"command must be a Command, got {command!r}")
    if command.is_noop:
        return state, Outcome(kind="noop", command=command)
    assert command.order_id is not None and command.client_id is not None
    assert command.request_id is not None
    last = state.last_request(command.client_id)
    if last is not None and command.request_id <= last:
        first = state.outcome_of(command.client_id, command.request_id)
        if first is not None:
            return state, Outcome(kind="duplicate", command=command, original=first)
        return state, Outcome(kind="stale", command=command)

    current = state.status(command.order_id)
    target = TARGET_STATUS[command.kind]
    reason: str | None
    if command.kind == "create":
        reason = None
        if current is not None:
            reason = (
                f"order {command.order_id} already exists (it is {current.name}); "
                "create needs a new order id"
            )
    elif current is None:
        reason = (
            f"order {command.order_id} does not exist; it cannot become {target.name} "
            "(allowed: create it first)"
        )
    else:
        reason = _refusal(current, target, command.order_id)

    key = (command.client_id, command.request_id)
    if reason is None:
        outcome = Outcome(kind="applied", command=command, status=target)
        return state._record(key, outcome, (command.order_id, target)), outcome
    outcome = Outcome(kind="rejected", command=command, reason=reason)
    return state._record(key, outcome, None), outcome


def replay(
    commands: Iterable[Command], state: OrderBook | None = None
) -> tuple[OrderBook, list[Outcome]]:
    """Apply ``commands`` in order, from ``state`` (default: the empty book)."""
    book = OrderBook.empty() if state is None else state
    outcomes: list[Outcome] = []
    for command in commands:
        book, outcome = apply(book, command)
        outcomes.append(outcome)
    return book, outcomes
