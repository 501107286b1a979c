"""Linearizability: judge a recorded client history of order operations.

Theory of operation
-------------------
A client *invokes* an operation at one engine step and sees its *response* at a later step.
A history is **linearizable** when every operation can be given one instant, between its
invocation and its response, at which it takes effect, so that running the operations one at
a time in the order of those instants, on the real order book (``paxos_lib.orders``), gives
every result the clients saw.  Two consequences a student can check by eye:

- *real-time order*: if A's response comes before B's invocation (``A.responded <
  B.invoked``), A takes effect before B.  Operations whose intervals overlap (a shared step
  counts as overlap) are *concurrent* and may take effect in either order;
- a *pending* operation (``responded=None``: the client never heard back) may have taken
  effect at any instant after its invocation, with whatever result the book gave, or never.

**Operations.**  ``Operation(client, command, result, invoked, responded)``:

1. ``client`` names who saw the operation (a row of the chart); it need not be the command's
   client id.
2. ``command`` is a write, an orders command as ``Command.parse`` reads it
   (``"confirm #42 (c42/2)"``; no ``noop``), or a read, ``"read #42"`` (optionally with a
   request key, ``"read #42 (c3/7)"``).  A request key occurs once in a history: a retried
   request is one operation, from its first invocation to the response the client kept.
3. A write's ``result`` is the reply of ``write_result(outcome)``: ``"applied, now CONFIRMED"``
   or ``"rejected, <reason>"`` (the text after ``"<command>: "`` in ``str(outcome.answer)``).
   A bare ``"applied"`` or ``"rejected"`` says only which, and the full ``str(outcome)``
   (a duplicate's included) is read back too.
4. A read's ``result`` is ``read_result(book, order_id)``: the order's status name as the book
   reports it (``"CONFIRMED"``; any letter case is accepted) or ``"NONE"`` when the book has no
   such order.
5. ``invoked`` and ``responded`` are engine step numbers, ``invoked < responded``;
   ``responded=None`` with ``result=None`` is a pending operation.

**The sequential model** is the real ``OrderBook`` and ``apply``: a write is applied, a read
returns ``book.status(order_id)``.  There is no second model of the orders domain here.

**Algorithm.**  Wing and Gong's search with Lowe's memoisation, as in Knossos and Porcupine:
depth-first, pick any operation that may take effect next (it was invoked before every
not-yet-placed operation responded), apply it to the model, and check its result; on a dead
end, back up.  A configuration is (the set of operations placed, the model state); one seen
before is never explored again, which turns an exponential tree into a graph search.

*P-compositionality*: commands on different orders commute (each touches one order's status;
every request key occurs once, so the book's exactly-once table never links two operations),
so a history is linearizable exactly when each order's sub-history is.  Each order is checked
on its own, with the model state projected to that order's status (``None`` before create).

*Pending writes* have no result to match, so two pending writes of the same kind on the same
order are interchangeable: one invoked earlier can stand in for a later one at any instant the
later one could take effect.  And because ``TRANSITIONS`` has no cycle (checked at import), a
kind can change an order at most once (a second one is rejected and changes nothing), so only
the earliest pending write of each kind is kept (were there a cycle, all would be kept).  A
pending read has no effect and is never placed.  This keeps many pending operations cheap.

**Shortest violation.**  A *sub-history keeping* a set S of completed operations is the
history in which every operation in S keeps its times and result, and every other operation is
*forgotten*: its response is unknown, as if it were pending (it may have taken effect at any
instant after its invocation, with any result, or not at all).

- If a history is linearizable, so is every sub-history: the same instants still work, since
  forgetting a response only removes constraints.  Hence a non-linearizable sub-history
  *proves* the history non-linearizable, and its operations are a complete explanation: their
  results contradict each other whatever the other operations did.
- The history is the sub-history keeping every completed operation, so when it fails some
  shortest failing S exists, and (P-compositionality again) one lies within a single order.

``check_linearizable`` finds one, per failing order: first an upper bound m (the shortest
failing prefix of the operations by response step, found by bisection, then chunks of it
dropped while what is left still fails, down to single operations), then every subset of size
1, 2, ..., m - 1 in time order; the first failing one is a shortest.  Failing only grows as S
grows, so when no smaller subset fails, the m operations of the bound are a shortest.  Each
trial is cheap: forgotten reads vanish and forgotten writes shrink to one per kind (above).

NOTE: the subsets of size below m are tried exhaustively, C(n, 1) + ... + C(n, m - 1) small
searches for n completed operations on the failing order; the stale reads and lost writes of
the lessons have m = 2 or 3.

NOTE: steps are discrete, so an operation that responds at step 20 and one invoked at step 20
count as concurrent; the checker never blames a tie.

This module is core: it imports only the standard library and ``paxos_lib.orders`` and
``paxos_lib.errors``, never networkx, matplotlib or ipywidgets.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from paxos_lib.errors import ConfigError, one_of
from paxos_lib.orders import (
    TRANSITIONS,
    Command,
    OrderBook,
    OrderStatus,
    Outcome,
    apply,
)

__all__ = [
    "READ_KIND",
    "READ_RESULTS",
    "UNKNOWN_ORDER",
    "Linearizability",
    "Operation",
    "check_linearizable",
    "history_from_events",
    "read_result",
    "write_result",
]

READ_KIND = "read"
"""The kind word of a read: ``"read #42"``."""

UNKNOWN_ORDER = "NONE"
"""A read's result when the book has no such order."""

READ_RESULTS: tuple[str, ...] = (UNKNOWN_ORDER, *(status.name for status in OrderStatus))
"""Every result a read may have (upper case; any letter case is accepted)."""

_INF = float("inf")


def _acyclic() -> bool:
    """True when no status can be reached twice (TRANSITIONS has no cycle)."""
    state: dict[OrderStatus, int] = {}

    def visit(status: OrderStatus) -> bool:
        if state.get(status) == 1:
            return False
        if state.get(status) == 2:
            return True
        state[status] = 1
        ok = all(visit(nxt) for nxt in TRANSITIONS[status])
        state[status] = 2
        return ok

    return all(visit(status) for status in OrderStatus)


_EACH_KIND_ONCE = _acyclic()
"""Each write kind changes an order at most once, so one pending write per kind suffices."""


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


def write_result(outcome: Outcome) -> str:
    """The reply a client records for a write: ``'applied, now CONFIRMED'`` or
    ``'rejected, <reason>'`` (a duplicate's first outcome).  The noop is not a client write."""
    if not isinstance(outcome, Outcome):
        raise ConfigError(f"outcome must be an orders Outcome, got {outcome!r}")
    answer = outcome.answer
    if answer.kind == "applied":
        return f"applied, now {answer.status}"
    if answer.kind == "rejected":
        return f"rejected, {answer.reason}"
    raise ConfigError(
        f"a client write's outcome is applied, rejected or duplicate, got {answer.kind!r}"
    )


def read_result(book: OrderBook, order_id: int) -> str:
    """The reply a client records for ``read #order_id``: the status name or ``'NONE'``."""
    if not isinstance(book, OrderBook):
        raise ConfigError(f"book must be an OrderBook, got {book!r}")
    if isinstance(order_id, bool) or not isinstance(order_id, int) or order_id < 0:
        raise ConfigError(f"order_id must be an int >= 0, got {order_id!r}")
    status = book.status(order_id)
    return UNKNOWN_ORDER if status is None else status.name


def _status_text(status: OrderStatus | None) -> str:
    return UNKNOWN_ORDER if status is None else status.name


def _parse(command: object) -> tuple[str, int, Command | None, tuple[str, int] | None]:
    """``(kind, order_id, write command or None, request key or None)`` of a command text."""
    if not isinstance(command, str):
        raise ConfigError(
            f"an operation's command is text such as 'confirm #42 (c1/3)' or 'read #42', "
            f"got {command!r}"
        )
    if command.startswith(READ_KIND + " "):
        parts = command.split(" ", 2)
        key: tuple[str, int] | None = None
        ok = len(parts) >= 2 and parts[1].startswith("#") and parts[1][1:].isdigit()
        if ok and len(parts) == 3:
            tail = parts[2]
            client, sep, request = tail[1:-1].rpartition("/")
            ok = tail.startswith("(") and tail.endswith(")") and bool(sep) and bool(client)
            ok = ok and request.isdigit()
            if ok:
                key = (client, int(request))
        if ok:
            return READ_KIND, int(parts[1][1:]), None, key
        raise ConfigError(
            f"a read is written 'read #order' or 'read #order (client/request)' such as "
            f"'read #42', got {command!r}"
        )
    try:
        parsed = Command.parse(command)
    except ConfigError as error:
        raise ConfigError(
            f"unknown command text {command!r}: expected 'read #order' or an orders command "
            f"'kind #order (client/request)' with kind "
            f"{one_of(('create', 'confirm', 'pay', 'ship', 'deliver', 'cancel'))} ({error})"
        ) from None
    if parsed.is_noop:
        raise ConfigError(
            "'noop' is what a leader writes into a log gap, not a client operation; expected "
            "'read #order' or 'kind #order (client/request)'"
        )
    assert parsed.order_id is not None
    return parsed.kind, parsed.order_id, parsed, parsed.key


def _normal_result(command_text: str, kind: str, result: object) -> str:
    """The result in canonical form; raises ConfigError on a result a command cannot have."""
    if not isinstance(result, str):
        raise ConfigError(f"the result of {command_text!r} must be text or None, got {result!r}")
    if kind == READ_KIND:
        upper = result.strip().upper()
        if upper not in READ_RESULTS:
            raise ConfigError(
                f"the result of {command_text!r} is an order status or {UNKNOWN_ORDER!r}, "
                f"one of {one_of(READ_RESULTS)}, got {result!r}"
            )
        return upper
    text = result.strip()
    prefix = f"{command_text}: "
    if text.startswith(prefix):
        text = text[len(prefix):]
    duplicate = "duplicate, first outcome was ["
    if text.startswith(duplicate) and text.endswith("]"):
        text = text[len(duplicate):-1]
        if text.startswith(prefix):
            text = text[len(prefix):]
    if text in ("applied", "rejected") or text.startswith(("applied, now ", "rejected, ")):
        return text
    raise ConfigError(
        f"the result of {command_text!r} is 'applied', 'rejected', 'applied, now <STATUS>' or "
        f"'rejected, <reason>' (see write_result), got {result!r}"
    )


def _write_matches(result: str, outcome: Outcome) -> bool:
    answer = outcome.answer
    if result in ("applied", "rejected"):
        return answer.kind == result
    return answer.kind in ("applied", "rejected") and result == write_result(answer)


def _check_step(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{name} must be an engine step number, an int >= 0, got {value!r}")


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Operation:
    """One client operation: what it asked, what it saw, and when (engine steps).

    ``responded=None`` (with ``result=None``) is pending: the client never heard back.
    """

    client: str
    command: str
    result: str | None
    invoked: int
    responded: int | None

    def __post_init__(self) -> None:
        if not isinstance(self.client, str) or not self.client.strip():
            raise ConfigError(
                f"client must be a non-empty string such as 'c1', got {self.client!r}"
            )
        kind, _, _, _ = _parse(self.command)
        _check_step("invoked", self.invoked)
        if self.responded is None:
            if self.result is not None:
                raise ConfigError(
                    f"{self.command!r} has result {self.result!r} but no response step; a "
                    "pending operation (responded=None) has result=None"
                )
            return
        _check_step("responded", self.responded)
        if self.responded <= self.invoked:
            raise ConfigError(
                f"{self.command!r} responded at step {self.responded}, not after its invocation "
                f"at step {self.invoked}; responded must be > invoked, or None when pending"
            )
        if self.result is None:
            raise ConfigError(
                f"{self.command!r} responded at step {self.responded} with no result; a "
                "completed operation has a result (use responded=None for a pending one)"
            )
        _normal_result(self.command, kind, self.result)

    @property
    def order_id(self) -> int:
        """The order this operation is about."""
        return _parse(self.command)[1]

    @property
    def kind(self) -> str:
        """``'read'`` or the write's command kind (``'confirm'``)."""
        return _parse(self.command)[0]

    @property
    def is_read(self) -> bool:
        return self.kind == READ_KIND

    @property
    def pending(self) -> bool:
        """True when the client never heard back."""
        return self.responded is None

    def __str__(self) -> str:
        if self.responded is None:
            return f"{self.client}: {self.command} (step {self.invoked}, pending)"
        return (
            f"{self.client}: {self.command} -> {self.result!r} "
            f"(steps {self.invoked}-{self.responded})"
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict with the five fields."""
        return {
            "client": self.client,
            "command": self.command,
            "result": self.result,
            "invoked": self.invoked,
            "responded": self.responded,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Operation:
        """Inverse of ``to_dict``."""
        fields = ("client", "command", "result", "invoked", "responded")
        if not isinstance(data, Mapping):
            raise ConfigError(f"an operation dict has keys {one_of(fields)}, got {data!r}")
        unknown = sorted(set(data) - set(fields))
        missing = [name for name in fields if name not in data]
        if unknown or missing:
            raise ConfigError(
                f"an operation dict has exactly the keys {one_of(fields)}; "
                f"unknown {unknown!r}, missing {missing!r}"
            )
        return cls(**data)  # type: ignore[arg-type]


def history_from_events(events: Iterable[Sequence[object]]) -> tuple[Operation, ...]:
    """Pair invoke/response events into operations.

    Each event is ``("invoke", client, command, step)`` or ``("respond", client, result,
    step)``.  A client has at most one operation outstanding; a response belongs to its
    client's outstanding invocation; an invocation never answered becomes pending.
    """
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise ConfigError(f"events must be an iterable of 4-tuples, got {events!r}")
    open_ops: dict[str, tuple[str, int]] = {}
    done: list[Operation] = []
    for event in events:
        if isinstance(event, (str, bytes)) or not isinstance(event, Sequence) or len(event) != 4:
            raise ConfigError(
                "an event is ('invoke', client, command, step) or ('respond', client, result, "
                f"step), got {event!r}"
            )
        kind, client, text, step = event
        if kind not in ("invoke", "respond"):
            raise ConfigError(
                f"unknown event kind {kind!r}; expected {one_of(('invoke', 'respond'))}"
            )
        if not isinstance(client, str) or not client.strip():
            raise ConfigError(f"an event's client is a non-empty string, got {client!r}")
        _check_step("an event's step", step)
        assert isinstance(step, int)
        if kind == "invoke":
            if client in open_ops:
                raise ConfigError(
                    f"client {client!r} invoked {text!r} at step {step} while "
                    f"{open_ops[client][0]!r} (step {open_ops[client][1]}) is outstanding; a "
                    "client has one operation at a time"
                )
            _parse(text)
            open_ops[client] = (str(text), step)
        else:
            if client not in open_ops:
                raise ConfigError(
                    f"client {client!r} got response {text!r} at step {step} with no "
                    "outstanding invocation"
                )
            command, invoked = open_ops.pop(client)
            done.append(Operation(client, command, text, invoked, step))  # type: ignore[arg-type]
    done.extend(
        Operation(client, command, None, invoked, None)
        for client, (command, invoked) in open_ops.items()
    )
    return tuple(sorted(done, key=_time_key))


def _time_key(op: Operation) -> tuple[int, float, str, str]:
    return (op.invoked, _INF if op.responded is None else op.responded, op.client, op.command)


# ---------------------------------------------------------------------------------------------
# The verdict
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Linearizability:
    """The verdict on a history.

    - ``linearizable``: True when some order of instants explains every result;
    - ``order``: a witness when True, every completed operation and every pending write that
      took effect (changed its order), in the order they take effect (it respects real time);
      else None;
    - ``violation``: when False, a shortest non-linearizable sub-history, its operations in
      time order (see the module docstring for what "sub-history" means); else None;
    - ``explanation``: the verdict in plain words;
    - ``states``: the memoised configurations (operations placed, order status) visited by the
      search, the size of the work done (the shortest-violation search included).
    """

    linearizable: bool
    order: tuple[Operation, ...] | None
    violation: tuple[Operation, ...] | None
    explanation: str
    states: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.linearizable, bool):
            raise ConfigError(f"linearizable must be True or False, got {self.linearizable!r}")
        for name in ("order", "violation"):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, tuple) or not all(isinstance(o, Operation) for o in value)
            ):
                raise ConfigError(f"{name} must be a tuple of Operation or None, got {value!r}")
        if self.linearizable and (self.order is None or self.violation is not None):
            raise ConfigError("a linearizable verdict has a witness order and no violation")
        if not self.linearizable and (self.violation is None or self.order is not None):
            raise ConfigError("a failing verdict has a violation and no witness order")
        if not isinstance(self.explanation, str) or not self.explanation:
            raise ConfigError(f"explanation must be non-empty text, got {self.explanation!r}")
        if isinstance(self.states, bool) or not isinstance(self.states, int) or self.states < 0:
            raise ConfigError(f"states counts configurations, an int >= 0, got {self.states!r}")

    def __bool__(self) -> bool:
        return self.linearizable

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: ``linearizable``, ``order``, ``violation`` (lists of operation dicts or
        None), ``explanation``, ``states``."""
        return {
            "linearizable": self.linearizable,
            "order": None if self.order is None else [op.to_dict() for op in self.order],
            "violation": (
                None if self.violation is None else [op.to_dict() for op in self.violation]
            ),
            "explanation": self.explanation,
            "states": self.states,
        }


# ---------------------------------------------------------------------------------------------
# The search, one order at a time
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    """One operation as the search sees it; ``free`` means its response is not constrained."""

    op: Operation
    kind: str
    command: Command | None
    result: str | None
    invoked: int
    responded: float
    free: bool


class _Order:
    """The operations on one order and the model projected to that order's status."""

    def __init__(self, order_id: int, ops: Sequence[Operation], initial: OrderBook) -> None:
        self.order_id = order_id
        self.ops = tuple(sorted(ops, key=_time_key))
        clients = {key[0] for key in (_parse(op.command)[3] for op in self.ops) if key}
        self.requests = tuple(pair for pair in initial.requests if pair[0][0] in clients)
        self.start = initial.status(order_id)
        self.completed = tuple(op for op in self.ops if op.responded is not None)
        self._steps: dict[tuple[OrderStatus | None, Command], tuple[OrderStatus | None, Outcome]]
        self._steps = {}
        self._parsed: dict[Operation, tuple[str, Command | None, str | None]] = {}
        self.states = 0

    def _info(self, op: Operation) -> tuple[str, Command | None, str | None]:
        """(kind, write command or None, canonical result or None) of ``op``, parsed once."""
        info = self._parsed.get(op)
        if info is None:
            kind, _, command, _ = _parse(op.command)
            result = None if op.result is None else _normal_result(op.command, kind, op.result)
            info = self._parsed[op] = (kind, command, result)
        return info

    def _entries(self, ops: Sequence[Operation], keep: Iterable[Operation]) -> list[_Entry]:
        """Search entries: kept completed ops as recorded; the rest free (writes only, earliest
        first per kind, one per kind when each kind changes an order at most once)."""
        kept = set(keep)
        held = OrderBook(requests=self.requests)
        entries: list[_Entry] = []
        free_seen: dict[str, int] = {}
        for op in ops:
            kind, command, result = self._info(op)
            if op in kept and op.responded is not None:
                entries.append(_Entry(op, kind, command, result, op.invoked, op.responded, False))
                continue
            if command is None or held.has_run(*command.key):
                continue  # a free read, or a request the initial book already executed
            if _EACH_KIND_ONCE and free_seen.get(kind, 0) >= 1:
                continue
            free_seen[kind] = free_seen.get(kind, 0) + 1
            entries.append(_Entry(op, kind, command, None, op.invoked, _INF, True))
        return entries

    def _apply(self, status: OrderStatus | None, command: Command) -> tuple[
        OrderStatus | None, Outcome
    ]:
        """The real ``apply`` on a book holding only this order (and its own old requests)."""
        cached = self._steps.get((status, command))
        if cached is None:
            orders = () if status is None else ((self.order_id, status),)
            book, outcome = apply(OrderBook(orders=orders, requests=self.requests), command)
            cached = (book.status(self.order_id), outcome)
            self._steps[(status, command)] = cached
        return cached

    def _step(self, status: OrderStatus | None, entry: _Entry) -> tuple[bool, OrderStatus | None]:
        """Take ``entry`` effect in ``status``: does its result match, and the status after."""
        if entry.kind == READ_KIND:
            return entry.result == _status_text(status), status
        assert entry.command is not None
        after, outcome = self._apply(status, entry.command)
        if entry.free:
            return True, after
        assert entry.result is not None
        return _write_matches(entry.result, outcome), after

    def search(self, entries: Sequence[_Entry]) -> list[_Entry] | None:
        """Wing-Gong depth-first search with Lowe's memo: a witness, in order, or None.

        ``entries`` come in invocation order.  A configuration is (mask of entries placed,
        order status).  An entry may be placed next when it was invoked no later than every
        unplaced entry responded (the *deadline*).  A second mask, over the entries ranked by
        response, finds the deadline in one step: its lowest unset bit.
        """
        n = len(entries)
        need = sum(1 << i for i, entry in enumerate(entries) if not entry.free)
        by_response = sorted(range(n), key=lambda i: entries[i].responded)
        rank = [0] * n
        for r, i in enumerate(by_response):
            rank[i] = r
        ends = [entries[i].responded for i in by_response] + [_INF]
        seen: set[tuple[int, OrderStatus | None]] = {(0, self.start)}
        # frames: (mask placed, mask placed by response rank, status, first candidate to try);
        # a frame popped again after its child failed resumes at its next candidate.
        stack: list[tuple[int, int, OrderStatus | None, int]] = [(0, 0, self.start, 0)]
        path: list[int] = []
        try:
            while stack:
                mask, ranked, status, first = stack.pop()
                if mask & need == need:
                    return [entries[i] for i in path]
                deadline = ends[(~ranked & (ranked + 1)).bit_length() - 1]
                first = max(first, (~mask & (mask + 1)).bit_length() - 1)
                child = False
                for i in range(first, n):
                    entry = entries[i]
                    if entry.invoked > deadline:
                        break
                    if mask >> i & 1:
                        continue
                    ok, after = self._step(status, entry)
                    if not ok or (mask | 1 << i, after) in seen:
                        continue
                    seen.add((mask | 1 << i, after))
                    stack.append((mask, ranked, status, i + 1))
                    stack.append((mask | 1 << i, ranked | 1 << rank[i], after, 0))
                    path.append(i)
                    child = True
                    break
                if not child and path:
                    path.pop()  # a dead end: back up to the frame below
            return None
        finally:
            self.states += len(seen)

    def run(self, keep: Iterable[Operation], ops: Sequence[Operation] | None = None) -> (
        list[_Entry] | None
    ):
        """The witness of the sub-history keeping ``keep`` (of ``ops``), or None."""
        return self.search(self._entries(self.ops if ops is None else ops, keep))

    def effective(self, piece: Sequence[_Entry]) -> list[_Entry]:
        """``piece`` without the free writes that the book rejected: they changed nothing, so
        a witness need not say they took effect."""
        kept = []
        status = self.start
        for entry in piece:
            if entry.command is not None:
                after, outcome = self._apply(status, entry.command)
                if entry.free and outcome.answer.kind != "applied":
                    continue
                status = after
            kept.append(entry)
        return kept

    def fails(self, keep: Iterable[Operation]) -> bool:
        return self.run(keep) is None

    def shortest_violation(self) -> tuple[Operation, ...]:
        """A shortest set of completed operations whose sub-history is not linearizable.

        1. Upper bound: the shortest failing prefix (operations answered by some step, found
           by bisection), then drop chunks of it, halving the chunk size down to single
           operations, while what is left still fails.  Every operation left is needed (no
           single one can go), and their number m bounds the answer.
        2. Every subset of size 1 .. m - 1 of all completed operations, in time order; the
           first that fails is a shortest.  Failing only grows with the set kept, so when none
           does, the m operations of step 1 are a shortest.
        """
        done = sorted(self.completed, key=lambda op: (op.responded, op.invoked))
        low, high = 1, len(done)  # the prefix of length high fails
        while low < high:
            middle = (low + high) // 2
            if self.fails(done[:middle]):
                high = middle
            else:
                low = middle + 1
        kept = done[:high]
        chunk = max(1, len(kept) // 2)
        while True:
            start = 0
            while start < len(kept):
                trial = kept[:start] + kept[start + chunk:]
                if trial and self.fails(trial):
                    kept = trial
                else:
                    start += chunk
            if chunk == 1:
                break
            chunk = max(1, chunk // 2)
        for size in range(1, len(kept)):
            for subset in itertools.combinations(self.completed, size):
                if self.fails(subset):
                    return subset
        return tuple(sorted(kept, key=_time_key))

    def possible_statuses(self, probe: Operation, rest: Sequence[Operation]) -> list[str]:
        """The statuses the order may show at some instant inside ``probe``'s interval, in the
        sub-history keeping ``rest`` with ``probe`` itself left out."""
        others = [op for op in self.ops if op is not probe]
        found = []
        for text in READ_RESULTS:
            reader = Operation(
                probe.client, f"{READ_KIND} #{self.order_id}", text, probe.invoked,
                probe.responded,
            )
            ops = sorted([*others, reader], key=_time_key)
            if self.run([*rest, reader], ops) is not None:
                found.append(text)
        return found


# ---------------------------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------------------------


def _validate(history: object) -> tuple[Operation, ...]:
    if isinstance(history, (str, bytes, Mapping)) or not isinstance(history, Iterable):
        raise ConfigError(
            f"history must be a sequence of Operation, got {type(history).__name__}: {history!r}"
        )
    ops = tuple(history)
    seen: set[Operation] = set()
    keys: dict[tuple[str, int], Operation] = {}
    for op in ops:
        if not isinstance(op, Operation):
            raise ConfigError(
                f"history holds Operation(client, command, result, invoked, responded) values, "
                f"got {op!r}"
            )
        if op in seen:
            raise ConfigError(f"duplicate operation {op}; each operation appears once")
        seen.add(op)
        key = _parse(op.command)[3]
        if key is not None:
            if key in keys:
                raise ConfigError(
                    f"duplicate request {key[0]}/{key[1]}: {keys[key].command!r} and "
                    f"{op.command!r}; a retried request is one operation, recorded once"
                )
            keys[key] = op
    return ops


def _witness(pieces: Iterable[Sequence[_Entry]]) -> tuple[Operation, ...]:
    """Merge per-order witnesses into one order that respects real time.

    In one order's witness, entry k may take effect at ``max(invoked of entries 0..k)``: that
    instant is inside its own interval, since an entry placed before it cannot have been
    invoked after it responded.  Sorting every entry by that instant keeps real time across
    orders too (if A responded before B was invoked, A's instant < B's).
    """
    timed: list[tuple[float, int, int, Operation]] = []
    for order_index, piece in enumerate(pieces):
        instant = -1.0
        for position, entry in enumerate(piece):
            instant = max(instant, entry.invoked)
            timed.append((instant, order_index, position, entry.op))
    return tuple(op for *_, op in sorted(timed, key=lambda item: item[:3]))


def _described(op: Operation) -> str:
    return f"{op.command} (client {op.client})"


def _statuses_in_words(texts: Sequence[str]) -> str:
    words = [
        f"{UNKNOWN_ORDER} (not created yet)" if text == UNKNOWN_ORDER else text for text in texts
    ]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _no_order(count: int) -> str:
    if count == 1:
        return (
            "No instant between its invocation and its response gives this operation its result"
        )
    return (
        f"No order of these {count} operations, each taking effect at one instant between its "
        "invocation and its response, gives these results"
    )


def _explain_violation(order: _Order, violation: Sequence[Operation]) -> str:
    """Plain words: the last operation to respond, what the others force, what it could see."""
    last = max(violation, key=lambda op: (op.responded, op.invoked))
    rest = [op for op in violation if op is not last]
    assert last.responded is not None
    kind = last.kind
    shown = _normal_result(last.command, kind, last.result)
    sentence = f"{last.command} (client {last.client}) returned {shown!r} at step {last.responded}"
    facts = []
    for op in sorted(rest, key=_time_key):
        assert op.responded is not None
        result = _normal_result(op.command, op.kind, op.result)
        when = (
            f"at step {op.responded}, before {last.command} started at step {last.invoked}"
            if op.responded < last.invoked
            else f"at step {op.responded} (it started at step {op.invoked})"
        )
        facts.append(f"{_described(op)} returned {result!r} {when}")
    if facts:
        sentence += ", but " + "; and ".join(facts)
    possible = order.possible_statuses(last, rest)
    window = f"steps {last.invoked} and {last.responded}"
    if not possible:
        sentence += f". Nothing at all could have been true of order #{order.order_id}"
    else:
        sentence += (
            f". So at any instant between {window}, order #{order.order_id} could only be "
            f"{_statuses_in_words(possible)}"
        )
        if kind != READ_KIND:
            _, _, command, _ = _parse(last.command)
            assert command is not None
            answers = []
            for text in possible:
                status = None if text == UNKNOWN_ORDER else OrderStatus[text]
                answers.append(repr(write_result(order._apply(status, command)[1])))
            sentence += f", where {last.command} would have returned " + " or ".join(
                dict.fromkeys(answers)
            )
    others = "" if len(order.ops) == len(violation) else (
        ", whatever the other operations did (each may have taken effect after its invocation, "
        "or not at all)"
    )
    return (
        f"Not linearizable. {sentence}. {_no_order(len(violation))}{others}."
    )


def check_linearizable(
    history: Iterable[Operation], *, initial: OrderBook | None = None
) -> Linearizability:
    """Judge ``history`` (operations in any order) against the real order book.

    ``initial`` is the book before the first operation (default: empty).  Returns a
    ``Linearizability``: a witness order when linearizable, else a shortest non-linearizable
    sub-history and a plain explanation.  Bad input raises ``ConfigError``.
    """
    ops = _validate(history)
    if initial is None:
        initial = OrderBook.empty()
    elif not isinstance(initial, OrderBook):
        raise ConfigError(f"initial must be an OrderBook or None, got {initial!r}")
    by_order: dict[int, list[Operation]] = {}
    for op in ops:
        by_order.setdefault(op.order_id, []).append(op)
    orders = [_Order(order_id, by_order[order_id], initial) for order_id in sorted(by_order)]
    pieces = []
    failing = []
    for order in orders:
        piece = order.run(order.completed)
        if piece is None:
            failing.append(order)
        else:
            pieces.append(order.effective(piece))
    if not failing:
        witness = _witness(pieces)
        explanation = (
            f"Linearizable: each of the {len(ops)} operations on {len(orders)} "
            f"order{'s' if len(orders) != 1 else ''} can take effect at one instant between "
            "its invocation and its response; the witness order gives every result seen."
        )
        return Linearizability(
            linearizable=True,
            order=witness,
            violation=None,
            explanation=explanation if ops else "Linearizable: the history is empty.",
            states=sum(order.states for order in orders),
        )
    best: tuple[_Order, tuple[Operation, ...]] | None = None
    for order in failing:
        violation = order.shortest_violation()
        if best is None or len(violation) < len(best[1]):
            best = (order, violation)
    assert best is not None
    order, violation = best
    explanation = _explain_violation(order, violation)
    others = [f"#{other.order_id}" for other in failing if other is not order]
    if others:
        explanation += (
            f" Order{'s' if len(others) > 1 else ''} {', '.join(others)} "
            f"{'fail' if len(others) > 1 else 'fails'} on {'their' if len(others) > 1 else 'its'}"
            " own too."
        )
    return Linearizability(
        linearizable=False,
        order=None,
        violation=tuple(sorted(violation, key=_time_key)),
        explanation=explanation,
        states=sum(order.states for order in orders),
    )
