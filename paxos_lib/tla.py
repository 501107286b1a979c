"""A model of Lamport's ``Paxos.tla``, to prove the explorer right by matching TLC's counts.

Theory of operation
-------------------
The spec (tlaplus/Examples, ``specifications/PaxosHowToWinATuringAward/Paxos.tla``) has four
variables: per acceptor ``maxBal``, ``maxVBal`` and ``maxVal``, and ``msgs``, the set of every
message ever sent.  ``Next`` is the disjunction of four actions, transcribed here exactly:

1. ``Phase1a(b)``: send ``[type |-> "1a", bal |-> b]``.  Always enabled; a second time it
   is a stuttering step.
2. ``Phase1b(a)``: for some 1a message ``m`` with ``m.bal > maxBal[a]``, set
   ``maxBal[a] := m.bal`` and send a 1b carrying ``maxVBal[a]`` and ``maxVal[a]``.
3. ``Phase2a(b, v)``: if no 2a message for ``b`` was sent, and for some quorum ``Q`` every
   member sent a 1b for ``b``, and either none of those 1b messages reports a vote or one
   with the highest ``mbal`` among them reports ``v``, send ``[type |-> "2a", bal |-> b,
   val |-> v]``.
4. ``Phase2b(a)``: for some 2a message ``m`` with ``m.bal >= maxBal[a]``, vote: set
   ``maxBal[a]`` and ``maxVBal[a]`` to ``m.bal``, ``maxVal[a]`` to ``m.val``, send a 2b.

The invariant checked is agreement (at most one value is chosen, where ``v`` is chosen if
every acceptor of some quorum sent a 2b for ``v`` in one ballot, as in ``Voting.tla``), and
the sometimes-property ``chosen`` asks for a shortest run in which some value is chosen.

Counting like TLC.  TLC evaluates each existential by trying every element of its domain and
generates one successor state per satisfying witness, stuttering steps included, and counts
the initial state among the "states generated".  So ``Phase2a(b, v)`` yields one successor per
satisfying pair (quorum ``Q``, 1b message ``m``) -- or per ``Q`` when ``Q1bv`` is empty -- and
``Phase1b``/``Phase2b`` one per message ``m``.  TLC's depth counts the initial state as level 1.
The models of ``MCPaxos.tla``: 3 acceptors, 2 values, quorums the three 2-acceptor sets,
``Ballot <- 0..MaxBallot``; Tiny is ``MaxBallot = 1`` (3,921 distinct states, 23,563
generated, depth 17), Small is ``MaxBallot = 2`` (185,369 / 1,361,380 / 25).

Two explorers of the same model
-------------------------------
``reference_bfs`` is the plain one: states are ``TlaState`` tuples holding a frozenset of
message tuples, successors come from ``successors`` (a line-by-line reading of the spec).
It is the baseline the fast explorer is measured against, and it labels trace steps.

``explore_tla`` is the fast one.  Its encoding rests on three facts of the spec:

1. at most one 2a message per ballot (``Phase2a``'s first conjunct), so the 2a messages are
   an array ``ballot -> value or none``;
2. an acceptor sends at most one 1b per ballot (``maxBal`` strictly grows), and its ``mval``
   is the value of the 2a message at ballot ``mbal`` -- the same holds for ``maxVal[a]``
   (the 2a value at ``maxVBal[a]``) and for every 2b message -- so values are stored only in
   the 2a array;
3. nothing but positions names an acceptor.

A state is therefore one int: a global field (1a ballots as a bitset, the 2a array) and, per
acceptor, ``maxBal``, ``maxVBal``, the ``mbal`` of its 1b per ballot and its 2b ballots as a
bitset.  Every field is offset so that ``Init`` is 0.  An acceptor's moves depend only on its
own field and the global one, so they are computed once per distinct ``state & mask`` and kept
as int deltas (successor = state + delta); ``Phase1a``/``Phase2a`` likewise depend only on the
global field and the 1b fields.  Stuttering steps and repeated witnesses are counted, not
built.  With ``symmetry=True`` a state is replaced by its canonical form: acceptor fields
sorted (fact 3; the quorum system must be closed under renaming acceptors) and values renamed
in order of first appearance in the 2a array (fact 2).  That form is exact, so the number of
states is the number of symmetry classes.  It is cheap to keep: ``Phase1a``/``Phase2a``
change only the global field, so their memoized deltas lead straight to the renamed form;
``Phase1b``/``Phase2b`` leave the global field alone, so only the acceptor fields are sorted
(a three-comparison sorting network for three acceptors).

NOTE: the spec's ``Ballot`` is ``Nat``; like TLC's models we bound it to ``0..max_ballot``.
NOTE: like the spec, the model has no crashes and never loses a message: a lost message is
one that is never received, and ``msgs`` only grows (see the spec's comment on ``msgs``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import Any, NamedTuple

from paxos_lib.errors import ConfigError, one_of
from paxos_lib.search import (
    END_BOUND,
    END_EXHAUSTED,
    END_MEMORY_LIMIT,
    END_TIME_LIMIT,
    END_VIOLATION,
    ExploreResult,
    MemoryGauge,
    Progress,
    budget,
    check_count,
    check_memory_limit,
    check_time_limit,
)

__all__ = [
    "QUORUM_KINDS",
    "SMALL",
    "TINY",
    "TlaModel",
    "TlaState",
    "TlaTrace",
    "chosen",
    "decode",
    "encode",
    "explore_tla",
    "initial_state",
    "reference_bfs",
    "successors",
]

QUORUM_KINDS = ("majority", "singleton")
PROPERTIES = {"agreement": "always", "chosen": "sometimes"}

MAX_ACCEPTORS = 7
MAX_VALUES = 4
MAX_BALLOT = 6
MAX_DEPTH = 10_000

Message = tuple[Any, ...]
"""A message as a tuple whose first item is its type: ``("1a", bal)``,
``("1b", acc, bal, mbal, mval)``, ``("2a", bal, val)``, ``("2b", acc, bal, val)``."""


class TlaModel:
    """The constants of a model: acceptors, values, ballots ``0..max_ballot``, quorums.

    ``quorums`` is ``"majority"`` (every set of ``n // 2 + 1`` acceptors, as in
    ``MCPaxos.tla``), ``"singleton"`` (every one-acceptor set: quorums that do not
    intersect, so agreement fails), or an explicit iterable of sets of acceptor names.
    """

    def __init__(
        self,
        acceptors: int = 3,
        values: int = 2,
        max_ballot: int = 1,
        quorums: str | Iterable[Iterable[str]] = "majority",
    ) -> None:
        check_count("acceptors", acceptors, low=1, high=MAX_ACCEPTORS)
        check_count("values", values, low=1, high=MAX_VALUES)
        check_count("max_ballot", max_ballot, low=0, high=MAX_BALLOT)
        self.acceptors: tuple[str, ...] = tuple(f"a{i + 1}" for i in range(acceptors))
        self.values: tuple[str, ...] = tuple(f"v{i + 1}" for i in range(values))
        self.max_ballot = max_ballot
        self.ballots: tuple[int, ...] = tuple(range(max_ballot + 1))
        if isinstance(quorums, str):
            if quorums == "majority":
                groups = combinations(self.acceptors, acceptors // 2 + 1)
            elif quorums == "singleton":
                groups = combinations(self.acceptors, 1)
            else:
                raise ConfigError(
                    f"unknown quorums {quorums!r}; expected {one_of(QUORUM_KINDS)} "
                    "or a list of sets of acceptor names"
                )
            self.quorum_kind = quorums
            self.quorums: tuple[frozenset[str], ...] = tuple(frozenset(g) for g in groups)
        else:
            self.quorum_kind = "explicit"
            self.quorums = tuple(_check_quorums(quorums, self.acceptors))

    @property
    def symmetric(self) -> bool:
        """True if renaming acceptors maps the quorum system onto itself."""
        sizes = {len(q) for q in self.quorums}
        return all(
            sum(1 for q in self.quorums if len(q) == k) == _binomial(len(self.acceptors), k)
            for k in sizes
        )

    def __repr__(self) -> str:
        return (
            f"TlaModel(acceptors={len(self.acceptors)}, values={len(self.values)}, "
            f"max_ballot={self.max_ballot}, quorums={self.quorum_kind!r})"
        )


def _binomial(n: int, k: int) -> int:
    return sum(1 for _ in combinations(range(n), k))


def _check_quorums(quorums: Iterable[Iterable[str]], acceptors: tuple[str, ...]) -> list:
    result: list[frozenset[str]] = []
    try:
        groups = [frozenset(q) for q in quorums]
    except TypeError as error:
        raise ConfigError(f"quorums must be a list of sets of acceptor names: {error}") from None
    for q in groups:
        unknown = sorted(q - set(acceptors))
        if not q or unknown:
            raise ConfigError(
                f"quorum {sorted(q)!r} must be a non-empty set of {one_of(acceptors)}"
            )
        if q not in result:
            result.append(q)
    if not result:
        raise ConfigError("quorums must name at least one quorum")
    return result


TINY = TlaModel(acceptors=3, values=2, max_ballot=1)
SMALL = TlaModel(acceptors=3, values=2, max_ballot=2)


class TlaState(NamedTuple):
    """The spec's variables; the three functions are tuples indexed like ``model.acceptors``."""

    max_bal: tuple[int, ...]
    max_vbal: tuple[int, ...]
    max_val: tuple[str | None, ...]
    msgs: frozenset[Message]


def initial_state(model: TlaModel) -> TlaState:
    """``Init``: every acceptor has ``maxBal = maxVBal = -1``, ``maxVal = None``; no messages."""
    n = len(model.acceptors)
    return TlaState((-1,) * n, (-1,) * n, (None,) * n, frozenset())


def successors(model: TlaModel, state: TlaState) -> Iterator[tuple[str, TlaState]]:
    """``Next``: one ``(label, successor)`` per satisfying witness, as TLC generates them."""
    max_bal, max_vbal, max_val, msgs = state
    for b in model.ballots:
        yield f"Phase1a({b})", state._replace(msgs=msgs | {("1a", b)})
        for v in model.values:
            yield from _phase2a(model, state, b, v)
    for i, a in enumerate(model.acceptors):
        for m in msgs:
            if m[0] == "1a" and m[1] > max_bal[i]:
                yield (
                    f"Phase1b({a}) receives {format_message(m)}",
                    TlaState(
                        _set(max_bal, i, m[1]),
                        max_vbal,
                        max_val,
                        msgs | {("1b", a, m[1], max_vbal[i], max_val[i])},
                    ),
                )
        for m in msgs:
            if m[0] == "2a" and m[1] >= max_bal[i]:
                yield (
                    f"Phase2b({a}) receives {format_message(m)}",
                    TlaState(
                        _set(max_bal, i, m[1]),
                        _set(max_vbal, i, m[1]),
                        _set(max_val, i, m[2]),
                        msgs | {("2b", a, m[1], m[2])},
                    ),
                )


def _phase2a(model: TlaModel, state: TlaState, b: int, v: str) -> Iterator[tuple[str, TlaState]]:
    msgs = state.msgs
    if any(m[0] == "2a" and m[1] == b for m in msgs):
        return
    after = state._replace(msgs=msgs | {("2a", b, v)})
    for q in model.quorums:
        q1b = [m for m in msgs if m[0] == "1b" and m[1] in q and m[2] == b]
        q1bv = [m for m in q1b if m[3] >= 0]
        if not all(any(m[1] == a for m in q1b) for a in q):
            continue
        label = f"Phase2a({b}, {v}) with quorum {{{', '.join(sorted(q))}}}"
        if not q1bv:
            yield label, after
        for m in q1bv:
            if m[4] == v and all(m[3] >= mm[3] for mm in q1bv):
                yield f"{label}, highest vote {format_message(m)}", after


def _set(values: tuple, i: int, value: object) -> tuple:
    return (*values[:i], value, *values[i + 1 :])


def chosen(model: TlaModel, state: TlaState) -> frozenset[str]:
    """Values for which every acceptor of some quorum sent a 2b in one ballot."""
    votes = {(m[2], m[3]): set() for m in state.msgs if m[0] == "2b"}
    for m in state.msgs:
        if m[0] == "2b":
            votes[(m[2], m[3])].add(m[1])
    return frozenset(
        v for (_, v), voters in votes.items() if any(q <= voters for q in model.quorums)
    )


def format_message(m: Message) -> str:
    """``1a(0)``, ``1b(a1, 1, 0, v1)``, ``2a(0, v1)``, ``2b(a1, 0, v1)``."""
    return f"{m[0]}({', '.join(str(x) for x in m[1:])})"


def format_state(model: TlaModel, state: TlaState) -> str:
    """The three per-acceptor functions, one acceptor per entry, e.g. ``a1: 1/0/v1``."""
    parts = [
        f"{a}: maxBal={state.max_bal[i]} maxVBal={state.max_vbal[i]} maxVal={state.max_val[i]}"
        for i, a in enumerate(model.acceptors)
    ]
    return "; ".join(parts)


@dataclass(frozen=True)
class TlaTrace:
    """A run of the model: the start state and ``(label, state)`` per step."""

    model: TlaModel
    start: TlaState
    steps: tuple[tuple[str, TlaState], ...]

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def states(self) -> tuple[TlaState, ...]:
        return (self.start, *(state for _, state in self.steps))

    def __str__(self) -> str:
        lines = [f"0. Init: {format_state(self.model, self.start)}"]
        before = self.start
        for n, (label, state) in enumerate(self.steps, 1):
            sent = sorted(format_message(m) for m in state.msgs - before.msgs)
            effect = f" -- sends {', '.join(sent)}" if sent else " -- no change"
            lines.append(f"{n}. {label}{effect}")
            before = state
        final = self.states[-1]
        lines.append(f"   then: {format_state(self.model, final)}")
        lines.append(f"   chosen: {', '.join(sorted(chosen(self.model, final))) or 'nothing'}")
        return "\n".join(lines)

    def json_steps(self) -> list[dict[str, Any]]:
        out = []
        before = self.start
        for n, (label, state) in enumerate(self.steps, 1):
            out.append(
                {
                    "step": n,
                    "action": label,
                    "sent": sorted(format_message(m) for m in state.msgs - before.msgs),
                    "maxBal": list(state.max_bal),
                    "maxVBal": list(state.max_vbal),
                    "maxVal": list(state.max_val),
                    "chosen": sorted(chosen(self.model, state)),
                }
            )
            before = state
        return out


def _check_search_args(max_depth: object, time_limit: object) -> None:
    check_count("max_depth", max_depth, low=1, high=MAX_DEPTH, allow_none=True)
    check_time_limit(time_limit)


def _model_name(model: TlaModel) -> str:
    return f"tla {model!r}"


def reference_bfs(
    model: TlaModel,
    *,
    start: TlaState | None = None,
    max_depth: int | None = None,
    time_limit: float | None = None,
) -> ExploreResult:
    """The plain breadth-first search: frozensets of message tuples, a dict of parents.

    It stops at the first state that breaks agreement.  Kept simple on purpose: it is the
    baseline for the fast explorer, and the two must agree on every count.
    """
    _check_search_args(max_depth, time_limit)
    clock = time.perf_counter()
    deadline = clock + budget(time_limit, None)[0]
    first = initial_state(model) if start is None else start
    parent: dict[TlaState, TlaState | None] = {first: None}
    examples: dict[str, TlaState | None] = {"chosen": first if chosen(model, first) else None}
    if len(chosen(model, first)) > 1:
        return _result(model, END_VIOLATION, parent, 0, 1, clock, first, examples, False)
    frontier = [first]
    transitions = 0
    depth = 1
    end = END_EXHAUSTED
    violating: TlaState | None = None
    while frontier and end == END_EXHAUSTED:
        next_level: list[TlaState] = []
        for state in frontier:
            if time.perf_counter() > deadline:
                end = END_TIME_LIMIT
                break
            for _, after in successors(model, state):
                transitions += 1
                if after in parent:
                    continue
                if max_depth is not None and depth >= max_depth:
                    end = END_BOUND
                    break
                parent[after] = state
                next_level.append(after)
                values = chosen(model, after)
                if values and examples["chosen"] is None:
                    examples["chosen"] = after
                if len(values) > 1:
                    end, violating = END_VIOLATION, after
                    break
            if end != END_EXHAUSTED:
                break
        if next_level:
            depth += 1
        frontier = next_level
    return _result(model, end, parent, transitions, depth, clock, violating, examples, False)


def _result(
    model: TlaModel,
    end: str,
    parent: dict,
    transitions: int,
    depth: int,
    clock: float,
    violating: TlaState | None,
    examples: dict[str, TlaState | None],
    symmetry: bool,
) -> ExploreResult:
    def path(state: TlaState) -> TlaTrace:
        chain = [state]
        while parent[chain[-1]] is not None:
            chain.append(parent[chain[-1]])
        chain.reverse()
        return _label(model, chain)

    return ExploreResult(
        end=end,
        states=len(parent),
        transitions=transitions,
        depth=depth,
        seconds=time.perf_counter() - clock,
        detail=_detail(end, depth),
        violation="agreement" if end == END_VIOLATION else None,
        counterexample=None if violating is None else path(violating),
        examples={k: None if s is None else path(s) for k, s in examples.items()},
        symmetry=symmetry,
        model=_model_name(model),
    )


def _detail(end: str, depth: int) -> str:
    if end == END_EXHAUSTED:
        return "agreement holds in every reachable state"
    if end == END_VIOLATION:
        return "agreement is violated: two different values are chosen"
    if end == END_BOUND:
        return f"search stopped at the depth bound {depth}; states beyond it were not explored"
    if end == END_MEMORY_LIMIT:
        return "search stopped at the memory limit; the state space was not exhausted"
    return "search stopped at the time limit; the state space was not exhausted"


def _label(model: TlaModel, chain: list[TlaState]) -> TlaTrace:
    """Name each step of a path of states by the action (and witness) that takes it."""
    steps = []
    for before, after in pairwise(chain):
        labels = sorted(label for label, s in successors(model, before) if s == after)
        steps.append((labels[0], after))
    return TlaTrace(model, chain[0], tuple(steps))


# --- the fast explorer -------------------------------------------------------------------


class _Layout:
    """Bit positions of the packed encoding (see the module docstring).

    Global field (low bits): one bit per ballot for its 1a message, then per ballot the 2a
    value as ``value index + 1`` (0: no 2a).  Acceptor field ``i`` (above it): ``maxBal + 1``,
    ``maxVBal + 1``, per ballot ``b`` the 1b as ``mbal + 2`` (0: none sent), then one bit per
    ballot for its 2b message.
    """

    def __init__(self, model: TlaModel) -> None:
        self.model = model
        nb = len(model.ballots)
        self.nb = nb
        self.na = len(model.acceptors)
        self.nv = len(model.values)
        self.quorums = tuple(
            tuple(model.acceptors.index(a) for a in sorted(q)) for q in model.quorums
        )
        wv = self.nv.bit_length()
        self.wv = wv
        self.p2a_off = [nb + b * wv for b in model.ballots]
        self.global_width = nb + nb * wv
        self.global_mask = (1 << self.global_width) - 1
        wb = nb.bit_length()
        self.wb = wb
        self.mvb_off = wb
        self.r1b_off = []
        self.r1b_width = []
        off = 2 * wb
        for b in model.ballots:
            self.r1b_off.append(off)
            self.r1b_width.append((b + 1).bit_length())
            off += self.r1b_width[-1]
        self.v2b_off = off
        self.acc_width = off + nb
        self.acc_mask = (1 << self.acc_width) - 1
        self.shifts = [self.global_width + i * self.acc_width for i in range(self.na)]
        r1b_mask = sum(
            ((1 << w) - 1) << o for w, o in zip(self.r1b_width, self.r1b_off, strict=True)
        )
        v2b_mask = ((1 << nb) - 1) << self.v2b_off
        p2a_mask = self.global_mask ^ ((1 << nb) - 1)
        self.moves_key_mask = self.global_mask | sum(r1b_mask << sh for sh in self.shifts)
        self.acc_key_masks = [self.global_mask | (self.acc_mask << sh) for sh in self.shifts]
        self.chosen_key_mask = p2a_mask | sum(v2b_mask << sh for sh in self.shifts)

    # decoding fields ---------------------------------------------------------------------

    def p2a(self, s: int) -> list[int]:
        """The 2a array: value index per ballot, -1 where no 2a was sent."""
        m = (1 << self.wv) - 1
        return [((s >> o) & m) - 1 for o in self.p2a_off]

    def acceptor(self, s: int, i: int) -> tuple[int, int, list[int], int]:
        """``(maxBal, maxVBal, mbal of the 1b per ballot or -2, 2b ballot bitset)``."""
        x = (s >> self.shifts[i]) & self.acc_mask
        m = (1 << self.wb) - 1
        r1b = [
            ((x >> o) & ((1 << w) - 1)) - 2
            for o, w in zip(self.r1b_off, self.r1b_width, strict=True)
        ]
        return (x & m) - 1, ((x >> self.mvb_off) & m) - 1, r1b, x >> self.v2b_off

    def pack_acceptor(self, max_bal: int, max_vbal: int, r1b: list[int], v2b: int) -> int:
        x = (max_bal + 1) | ((max_vbal + 1) << self.mvb_off) | (v2b << self.v2b_off)
        for b, mbal in enumerate(r1b):
            x |= (mbal + 2) << self.r1b_off[b]
        return x

    # moves, computed once per distinct key ------------------------------------------------

    def global_moves(self, key: int) -> tuple[tuple[int, ...], int]:
        """``Phase1a`` and ``Phase2a``: distinct deltas and the number of TLC successors."""
        deltas: list[int] = []
        count = 0
        p2a = self.p2a(key)
        r1b = [self.acceptor(key, i)[2] for i in range(self.na)]
        for b in range(self.nb):
            count += 1
            if not (key >> b) & 1:
                deltas.append(1 << b)
            if p2a[b] >= 0:
                continue
            witnesses = [0] * self.nv
            for q in self.quorums:
                mbals = [r1b[i][b] for i in q]
                if min(mbals) == -2:
                    continue
                highest = max(mbals)
                if highest == -1:
                    for v in range(self.nv):
                        witnesses[v] += 1
                else:
                    v = p2a[highest]
                    if v < 0:
                        raise AssertionError("a 1b reports a vote in a ballot with no 2a")
                    witnesses[v] += mbals.count(highest)
            for v, w in enumerate(witnesses):
                if w:
                    count += w
                    deltas.append((v + 1) << self.p2a_off[b])
        return tuple(deltas), count

    def acceptor_moves(self, i: int, key: int) -> tuple[tuple[int, ...], int]:
        """``Phase1b(a)`` and ``Phase2b(a)`` for acceptor ``i``: deltas and TLC's count."""
        deltas: list[int] = []
        count = 0
        p2a = self.p2a(key)
        max_bal, max_vbal, r1b, v2b = self.acceptor(key, i)
        old = self.pack_acceptor(max_bal, max_vbal, r1b, v2b)
        shift = self.shifts[i]
        for b in range(self.nb):
            if (key >> b) & 1 and b > max_bal:
                count += 1
                sent = r1b.copy()
                sent[b] = max_vbal
                new = self.pack_acceptor(b, max_vbal, sent, v2b)
                deltas.append((new - old) << shift)
        for b in range(self.nb):
            if p2a[b] >= 0 and b >= max_bal:
                count += 1
                new = self.pack_acceptor(b, b, r1b, v2b | (1 << b))
                if new != old:
                    deltas.append((new - old) << shift)
        return tuple(deltas), count

    def chosen_values(self, key: int) -> int:
        """Bitset of chosen value indices."""
        p2a = self.p2a(key)
        voted = [self.acceptor(key, i)[3] for i in range(self.na)]
        result = 0
        for b in range(self.nb):
            if p2a[b] >= 0:
                voters = {i for i in range(self.na) if (voted[i] >> b) & 1}
                if any(voters.issuperset(q) for q in self.quorums):
                    result |= 1 << p2a[b]
        return result

    def canonical_global(self, g: int) -> int:
        """Rename values in order of first appearance in the 2a array."""
        rename: dict[int, int] = {}
        out = g & ((1 << self.nb) - 1)
        for b, v in enumerate(self.p2a(g)):
            if v >= 0:
                out |= (rename.setdefault(v, len(rename)) + 1) << self.p2a_off[b]
        return out


def encode(model: TlaModel, state: TlaState) -> int:
    """Pack a state of the model into the fast explorer's int (ConfigError if impossible)."""
    lay = _Layout(model)
    vi = {v: k for k, v in enumerate(model.values)}
    s = 0
    p2a = [-1] * lay.nb
    for m in state.msgs:
        if m[0] == "1a":
            s |= 1 << m[1]
        elif m[0] == "2a":
            p2a[m[1]] = vi[m[2]]
    for b, v in enumerate(p2a):
        s |= (v + 1) << lay.p2a_off[b]
    for i, a in enumerate(model.acceptors):
        r1b = [-2] * lay.nb
        v2b = 0
        for m in state.msgs:
            if m[0] == "1b" and m[1] == a:
                r1b[m[2]] = m[3]
            elif m[0] == "2b" and m[1] == a:
                v2b |= 1 << m[2]
        packed = lay.pack_acceptor(state.max_bal[i], state.max_vbal[i], r1b, v2b)
        s |= packed << lay.shifts[i]
    if decode(model, s) != state:
        raise ConfigError(
            "state cannot be encoded: it breaks a fact every reachable state of Paxos.tla has "
            "(one 2a per ballot, one 1b per acceptor and ballot, values matching the 2a)"
        )
    return s


def decode(model: TlaModel, s: int) -> TlaState:
    """Unpack the fast explorer's int into a ``TlaState``."""
    lay = _Layout(model)
    p2a = lay.p2a(s)

    def value(b: int) -> str | None:
        return None if b < 0 or p2a[b] < 0 else model.values[p2a[b]]

    msgs: set[Message] = {("1a", b) for b in model.ballots if (s >> b) & 1}
    msgs |= {("2a", b, value(b)) for b in model.ballots if p2a[b] >= 0}
    max_bal, max_vbal, max_val = [], [], []
    for i, a in enumerate(model.acceptors):
        mb, mvb, r1b, v2b = lay.acceptor(s, i)
        max_bal.append(mb)
        max_vbal.append(mvb)
        max_val.append(value(mvb))
        msgs |= {("1b", a, b, r1b[b], value(r1b[b])) for b in model.ballots if r1b[b] >= -1}
        msgs |= {("2b", a, b, value(b)) for b in model.ballots if (v2b >> b) & 1}
    return TlaState(tuple(max_bal), tuple(max_vbal), tuple(max_val), frozenset(msgs))


_CHUNK = 4096


def explore_tla(
    model: TlaModel,
    *,
    symmetry: bool = False,
    start: TlaState | None = None,
    max_depth: int | None = None,
    time_limit: float | None = None,
    memory_limit: float | None = None,
    progress: bool | str = False,
) -> ExploreResult:
    """Breadth-first search of the model over packed states; TLC's counts, much faster.

    With ``symmetry`` the states are symmetry classes (acceptors and values renamed).  The
    search stops at the end of the level where agreement first fails; the counterexample
    is a shortest one, its steps labelled by ``successors``.  ``time_limit`` (seconds) and
    ``memory_limit`` (megabytes) default to ``paxos_lib.search``'s defaults.
    """
    _check_search_args(max_depth, time_limit)
    check_memory_limit(memory_limit)
    if not (isinstance(progress, bool) or progress == "lines"):
        raise ConfigError(f"progress must be True, False or 'lines', not {progress!r}")
    time_limit, memory_limit = budget(time_limit, memory_limit)
    gauge = MemoryGauge()
    peak = 0.0
    if symmetry and not model.symmetric:
        raise ConfigError(
            "symmetry needs a quorum system that renaming acceptors maps onto itself "
            f"(quorums={model.quorum_kind!r} is not)"
        )
    clock = time.perf_counter()
    deadline = clock + time_limit
    lay = _Layout(model)
    canon = _canonicalizer(lay) if symmetry else None
    sort_acceptors = _acceptor_sorter(lay) if symmetry else None
    first_state = initial_state(model) if start is None else start
    first = encode(model, first_state)
    if canon is not None:
        first = canon(first)

    chosen_memo: dict[int, int] = {}
    chosen_mask = lay.chosen_key_mask

    def chosen_bits(s: int) -> int:
        k = s & chosen_mask
        c = chosen_memo.get(k)
        if c is None:
            c = chosen_memo[k] = lay.chosen_values(k)
        return c

    parent: dict[int, int] = {first: -1}
    example: int | None = first if chosen_bits(first) else None
    violating: int | None = first if chosen_bits(first).bit_count() > 1 else None
    frontier = [first]
    transitions = 0
    depth = 1
    end = END_VIOLATION if violating is not None else END_EXHAUSTED
    moves_mask = lay.moves_key_mask
    moves_memo: dict[int, tuple[tuple[int, ...], int]] = {}
    global_moves = lay.global_moves if canon is None else _canonical_global_moves(lay)
    acc_tables = [(mask, {}, i) for i, mask in enumerate(lay.acc_key_masks)]
    acceptor_moves = lay.acceptor_moves
    with Progress(progress, "explore Paxos.tla") as bar:
        while frontier and end == END_EXHAUSTED:
            last = max_depth is not None and depth >= max_depth
            next_level: list[int] = []
            append = next_level.append
            for lo in range(0, len(frontier), _CHUNK):
                for s in frontier[lo : lo + _CHUNK]:
                    k = s & moves_mask
                    entry = moves_memo.get(k)
                    if entry is None:
                        entry = moves_memo[k] = global_moves(k)
                    deltas, count = entry
                    transitions += count
                    for d in deltas:
                        t = s + d
                        if t not in parent:
                            parent[t] = s
                            append(t)
                    for mask, memo, i in acc_tables:
                        k = s & mask
                        entry = memo.get(k)
                        if entry is None:
                            entry = memo[k] = acceptor_moves(i, k)
                        deltas, count = entry
                        transitions += count
                        if sort_acceptors is None:
                            for d in deltas:
                                t = s + d
                                if t not in parent:
                                    parent[t] = s
                                    append(t)
                        else:
                            for d in deltas:
                                t = sort_acceptors(s + d)
                                if t not in parent:
                                    parent[t] = s
                                    append(t)
                bar.update(len(parent), depth)
                if time.perf_counter() > deadline:
                    end = END_TIME_LIMIT
                    break
                mb = gauge.megabytes()
                peak = max(peak, mb)
                if mb > memory_limit:
                    end = END_MEMORY_LIMIT
                    break
            if last and next_level:
                for t in next_level:
                    del parent[t]
                end = END_BOUND
                break
            if next_level:
                depth += 1
            for t in next_level:
                c = chosen_bits(t)
                if c:
                    if example is None:
                        example = t
                    if c.bit_count() > 1:
                        violating = t
                        end = END_VIOLATION
                        break
            frontier = next_level
        bar.update(len(parent), depth, force=True)

    seconds = time.perf_counter() - clock
    peak = max(peak, gauge.megabytes())

    def trace(s: int) -> TlaTrace:
        chain = [s]
        while parent[chain[-1]] != -1:
            chain.append(parent[chain[-1]])
        chain.reverse()
        return _relabel(model, first_state, chain, canon)

    return ExploreResult(
        end=end,
        states=len(parent),
        transitions=transitions,
        depth=depth,
        seconds=seconds,
        detail=_detail(end, depth),
        violation="agreement" if end == END_VIOLATION else None,
        counterexample=None if violating is None else trace(violating),
        examples={"chosen": None if example is None else trace(example)},
        symmetry=symmetry,
        model=_model_name(model),
        peak_memory_mb=round(peak, 1),
    )


def _canonicalizer(lay: _Layout) -> Any:
    """The canonical form of a packed state: values renamed, acceptor fields sorted."""
    gmask, amask, shifts = lay.global_mask, lay.acc_mask, lay.shifts
    canonical_global = lay.canonical_global
    global_memo: dict[int, int] = {}

    def canon(s: int) -> int:
        g = s & gmask
        c = global_memo.get(g)
        if c is None:
            c = global_memo[g] = canonical_global(g)
        for x, sh in zip(sorted([(s >> sh) & amask for sh in shifts]), shifts, strict=True):
            c |= x << sh
        return c

    return canon


def _canonical_global_moves(lay: _Layout) -> Any:
    """``global_moves`` whose deltas lead straight to canonical forms.

    ``Phase1a`` and ``Phase2a`` change only the global field, so from a canonical state
    (acceptor fields sorted) the canonical successor is the state with its global field
    renamed: the delta to it depends only on the memo key.
    """
    gmask = lay.global_mask
    canonical_global = lay.canonical_global

    def moves(key: int) -> tuple[tuple[int, ...], int]:
        deltas, count = lay.global_moves(key)
        g = key & gmask
        return tuple(dict.fromkeys(canonical_global(g + d) - g for d in deltas)), count

    return moves


def _acceptor_sorter(lay: _Layout) -> Any:
    """Sort the acceptor fields of a state whose global field is already canonical
    (``Phase1b``/``Phase2b`` leave it unchanged).  Three acceptors get a sorting network."""
    amask, shifts, gmask = lay.acc_mask, lay.shifts, lay.global_mask
    if len(shifts) == 3:
        sh0, sh1, sh2 = shifts

        def sort3(s: int) -> int:
            a, b, c = (s >> sh0) & amask, (s >> sh1) & amask, (s >> sh2) & amask
            if a > b:
                a, b = b, a
            if b > c:
                b, c = c, b
                if a > b:
                    a, b = b, a
            return (s & gmask) | (a << sh0) | (b << sh1) | (c << sh2)

        return sort3

    def sort_any(s: int) -> int:
        out = s & gmask
        for x, sh in zip(sorted([(s >> sh) & amask for sh in shifts]), shifts, strict=True):
            out |= x << sh
        return out

    return sort_any


def _relabel(model: TlaModel, start: TlaState, chain: list[int], canon: Any) -> TlaTrace:
    """Turn a path of packed (maybe canonical) states into a labelled trace from ``start``.

    With symmetry the path links canonical forms; each step picks the successor of the
    actual current state whose canonical form is the next one on the path.
    """
    steps = []
    current = start
    for target in chain[1:]:
        options = []
        for label, after in successors(model, current):
            packed = encode(model, after)
            if (packed if canon is None else canon(packed)) == target:
                options.append((label, after))
        label, current = min(options, key=lambda option: option[0])
        steps.append((label, current))
    return TlaTrace(model, start, tuple(steps))
