"""Consensus → Voting → Paxos: Lamport's three specs as explorer models, and refinement checks.

Theory of operation
-------------------
``paxos_lib.tla`` models Lamport's ``Paxos.tla``.  This module adds the two specs above it
(tlaplus/Examples, ``specifications/Paxos/Consensus.tla`` and ``Voting.tla``), on the same
constants (a ``TlaModel``: acceptors, values, ballots ``0..max_ballot``, quorums):

1. **Consensus**: one variable ``chosen``, a set of values.  ``Init``: ``chosen = {}``.
   ``Next``: if ``chosen = {}``, set it to ``{v}`` for some value ``v``.  That is all it
   says: at most one value is ever chosen, and once chosen it stays.
2. **Voting**: per acceptor ``votes[a]``, a set of ``<<ballot, value>>`` pairs, and
   ``maxBal[a]``.  ``IncreaseMaxBal(a, b)`` raises ``maxBal[a]`` to ``b``;
   ``VoteFor(a, b, v)`` lets ``a`` vote for ``v`` in ``b`` when ``maxBal[a] <= b``, ``a`` has
   not voted in ``b``, nobody voted for another value in ``b``, and some quorum ``Q``
   *shows* ``v`` safe at ``b`` (``ShowsSafeAt``: all of ``Q`` have ``maxBal >= b``, and for
   the highest ballot ``c < b`` in which a member of ``Q`` voted, a member voted ``v``).
   ``chosen`` is the set of values a whole quorum voted for in one ballot.

A state of Voting is a ``VotingState``: ``votes`` and ``max_bal``, tuples indexed like
``model.acceptors`` (``votes[i]`` a frozenset of ``(ballot, value)`` pairs).  A state of
Consensus is a frozenset of values.

Refinement mappings (``check_refinement``):

- Paxos → Voting, as ``Paxos.tla`` defines it: ``votes[a]`` is the set of ``<<m.bal, m.val>>``
  of the 2b messages ``a`` sent, and ``maxBal`` is Paxos's own ``maxBal``.
- Voting → Consensus: ``chosen`` is Voting's ``chosen``.

A check walks every reachable state of the lower spec breadth-first.  The initial state must
map to the upper spec's initial state, and every step (every successor TLC generates) must
map to a step of the upper spec or to a *stutter* (the same upper state: ``Phase1a`` and
``Phase2a`` change neither ``votes`` nor ``maxBal``).  Breadth-first order makes the first
step that fails the end of a shortest behaviour that breaks the refinement.  Nothing in the
check assumes quorums intersect, so it shows Lamport's exercise: with quorums that need not
intersect, Paxos still implements Voting (no step of either uses the intersection), while
Voting no longer implements Consensus (two quorums with nobody in common choose two values).

Inductive invariants (``check_inductive``): a predicate ``invariant(view) -> bool`` over a
``VotingView`` (the state, the constants and Voting's helper definitions) is checked on
*every* type-correct Voting state within the model's bounds, reachable or not: (a) it holds
in the initial state; (c) wherever it holds, at most one value is chosen; (b) wherever it
holds, every step leads to a state where it holds again.  A failure of (b) is a
counterexample to induction: a state, a step, the next state.  States are enumerated in
order of fewer votes first, so the counterexample shown is a small one.

Counting like TLC: ``explore_voting`` generates one successor per witness of each
existential (``\\E Q``, ``\\E c`` and the ``\\E a`` of ``ShowsSafeAt``), as TLC does.  It
reports TLC's own numbers: on ``MCVoting`` (3 acceptors, 2 values, majority quorums) with
ballots 0..1 and ``SYMMETRY``, 77 distinct states, 451 generated, depth 11; with ballots 0..2
and no symmetry, 6,752 / 41,017 / 16.  Consensus with 3 values: 4 / 4 / 2.  With
``symmetry=True`` a state is replaced by its orbit under renaming acceptors and values, like
TLC's ``SYMMETRY``.

Invariants over Paxos states (``spec="paxos"``, a ``PaxosView``) are checked the same way,
but Paxos's type-correct states are every subset of the messages its ``TypeOK`` allows (72
messages, so 2^72 message sets, on the Tiny model): only tiny models fit (one acceptor, two
values, ballot 0: 24,576 states, on which ``Paxos.tla``'s own ``Inv`` is inductive).

NOTE: the enumeration is bounded to ``MAX_TYPE_CORRECT`` states; the refinement check covers
Paxos on larger models by reachability.
NOTE: ``Ballot`` is ``Nat`` in the specs; like TLC's models we bound it to ``0..max_ballot``.

This module is core: it imports nothing from plotting or widgets.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import combinations, permutations, product
from typing import Any, NamedTuple

from paxos_lib.errors import ConfigError, one_of
from paxos_lib.tla import TlaModel, TlaState, format_message, format_state
from paxos_lib.tla import chosen as paxos_chosen
from paxos_lib.tla import initial_state as paxos_initial_state
from paxos_lib.tla import successors as paxos_successors

__all__ = [
    "LEVELS",
    "SPECS",
    "InductionResult",
    "PaxosView",
    "RefinementError",
    "RefinementResult",
    "SpecCounts",
    "VotingState",
    "VotingView",
    "check_inductive",
    "check_refinement",
    "consensus_successors",
    "explore_consensus",
    "explore_voting",
    "format_paxos",
    "format_voting",
    "paxos_to_voting",
    "quorums_intersect",
    "type_correct_count",
    "voting_chosen",
    "voting_initial",
    "voting_successors",
    "voting_to_consensus",
]

#: The refinements ``check_refinement`` knows: lower spec → upper spec.
LEVELS = ("paxos-voting", "voting-consensus", "paxos-consensus")
_NAMES = {"paxos": "Paxos", "voting": "Voting", "consensus": "Consensus"}
#: The most type-correct states ``check_inductive`` will enumerate.
MAX_TYPE_CORRECT = 250_000


class RefinementError(ConfigError):
    """A bad argument to a refinement or induction check: names the value and what is allowed."""


class VotingState(NamedTuple):
    """Voting's variables, indexed like ``model.acceptors``."""

    votes: tuple[frozenset[tuple[int, str]], ...]
    max_bal: tuple[int, ...]


def _check_model(model: object) -> TlaModel:
    if not isinstance(model, TlaModel):
        raise RefinementError(
            f"model must be a TlaModel (for example paxos_lib.tla.TINY or "
            f"TlaModel(quorums='singleton')), not {model!r}"
        )
    return model


def quorums_intersect(model: TlaModel) -> bool:
    """Voting's ``QuorumAssumption``: every two quorums have an acceptor in common."""
    _check_model(model)
    return all(q1 & q2 for q1 in model.quorums for q2 in model.quorums)


# -- Consensus --------------------------------------------------------------------------------


def consensus_successors(
    model: TlaModel, chosen: frozenset[str]
) -> Iterator[tuple[str, frozenset[str]]]:
    """``Next``: from ``chosen = {}``, one step to ``{v}`` per value ``v``; else none."""
    _check_model(model)
    if not isinstance(chosen, frozenset) or not chosen <= set(model.values):
        raise RefinementError(f"chosen must be a frozenset of {one_of(model.values)}, "
                              f"not {chosen!r}")
    return _consensus_next(model, chosen)


def _consensus_next(
    model: TlaModel, chosen: frozenset[str]
) -> Iterator[tuple[str, frozenset[str]]]:
    if not chosen:
        for v in model.values:
            yield f"Choose({v})", frozenset({v})


@dataclass(frozen=True)
class SpecCounts:
    """What a breadth-first walk of a spec found, counted like TLC.

    ``generated`` is TLC's "states generated": every successor computed, plus the initial
    state; ``depth`` counts the initial state as level 1.
    """

    spec: str
    states: int
    generated: int
    depth: int
    seconds: float
    symmetry: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.spec, "states": self.states, "generated": self.generated,
                "depth": self.depth, "seconds": round(self.seconds, 3),
                "symmetry": self.symmetry}


def explore_consensus(model: TlaModel) -> SpecCounts:
    """Every reachable state of Consensus over ``model.values``."""
    _check_model(model)
    return _bfs("Consensus", frozenset(), lambda s: _consensus_next(model, s), None)


# -- Voting -----------------------------------------------------------------------------------


def voting_initial(model: TlaModel) -> VotingState:
    """``Init``: no votes, every ``maxBal`` is -1."""
    _check_model(model)
    n = len(model.acceptors)
    return VotingState((frozenset(),) * n, (-1,) * n)


def voting_chosen(model: TlaModel, state: VotingState) -> frozenset[str]:
    """``chosen``: the values every acceptor of some quorum voted for in one ballot."""
    _check_voting_state(model, state)
    return _chosen(model, state.votes)


def _check_voting_state(model: TlaModel, state: object) -> VotingState:
    """Raise RefinementError unless ``state`` is a type-correct Voting state of ``model``."""
    _check_model(model)
    if not isinstance(state, VotingState):
        raise RefinementError(f"state must be a VotingState, not {state!r}")
    n = len(model.acceptors)
    if len(state.votes) != n or len(state.max_bal) != n:
        raise RefinementError(f"a VotingState of {model!r} has {n} entries in votes and in "
                              f"max_bal (one per acceptor), not {state!r}")
    ballots = (-1, *model.ballots)
    for a, vs, mb in zip(model.acceptors, state.votes, state.max_bal, strict=True):
        if isinstance(mb, bool) or mb not in ballots:
            raise RefinementError(f"max_bal of {a} must be one of {one_of(ballots)}, "
                                  f"not {mb!r}")
        if not isinstance(vs, frozenset) or not all(
                isinstance(vt, tuple) and len(vt) == 2 and vt[0] in model.ballots
                and not isinstance(vt[0], bool) and vt[1] in model.values for vt in vs):
            raise RefinementError(
                f"votes of {a} must be a frozenset of (ballot, value) pairs with ballots "
                f"{one_of(model.ballots)} and values {one_of(model.values)}, not {vs!r}")
    return state


@functools.lru_cache(maxsize=1 << 16)
def _chosen(model: TlaModel, votes: tuple[frozenset[tuple[int, str]], ...]) -> frozenset[str]:
    voters: dict[tuple[int, str], int] = {}
    for i, vs in enumerate(votes):
        for vote in vs:
            voters[vote] = voters.get(vote, 0) | (1 << i)
    masks = _quorum_masks(model)
    return frozenset(v for (_, v), who in voters.items() if any(q & who == q for q in masks))


@functools.lru_cache(maxsize=64)
def _quorum_masks(model: TlaModel) -> tuple[int, ...]:
    index = {a: i for i, a in enumerate(model.acceptors)}
    return tuple(sum(1 << index[a] for a in q) for q in model.quorums)


def _shows_safe_witnesses(
    model: TlaModel, state: VotingState, index: dict[str, int], b: int, v: str
) -> int:
    r"""How many witnesses make ``ShowsSafeAt(Q, b, v)`` true, as TLC enumerates them: one
    per ``(Q, c)`` with ``c = -1``, one per ``(Q, c, a)`` with ``a`` in ``Q`` voting for ``v``
    in ``c`` otherwise (TLC also enumerates the ``\E a`` on the right of the implication)."""
    votes, max_bal = state
    count = 0
    for q in model.quorums:
        members = [index[a] for a in q]
        if any(max_bal[i] < b for i in members):
            continue
        for c in range(-1, b):
            n = 1 if c == -1 else sum(1 for i in members if (c, v) in votes[i])
            if n and all(vt[0] <= c or vt[0] >= b for i in members for vt in votes[i]):
                count += n
    return count


def voting_successors(
    model: TlaModel, state: VotingState, *, witnesses: bool = False
) -> Iterator[tuple[str, VotingState]]:
    """``Next``: ``(label, successor)`` pairs.  With ``witnesses=True``, one per witness of
    ``VoteFor``'s ``ShowsSafeAt``, as TLC generates them."""
    _check_voting_state(model, state)
    if not isinstance(witnesses, bool):
        raise RefinementError(f"witnesses must be True or False, not {witnesses!r}")
    return _voting_next(model, state, witnesses)


def _voting_next(
    model: TlaModel, state: VotingState, witnesses: bool = False
) -> Iterator[tuple[str, VotingState]]:
    votes, max_bal = state
    index = {a: i for i, a in enumerate(model.acceptors)}
    for i, a in enumerate(model.acceptors):
        for b in model.ballots:
            if b > max_bal[i]:
                yield f"IncreaseMaxBal({a}, {b})", VotingState(votes, _set(max_bal, i, b))
            if max_bal[i] > b or any(vt[0] == b for vt in votes[i]):
                continue
            for v in model.values:
                if any(vt[0] == b and vt[1] != v for j, vs in enumerate(votes) if j != i
                       for vt in vs):
                    continue
                n = _shows_safe_witnesses(model, state, index, b, v)
                if not n:
                    continue
                after = VotingState(_set(votes, i, votes[i] | {(b, v)}), _set(max_bal, i, b))
                for _ in range(n if witnesses else 1):
                    yield f"VoteFor({a}, {b}, {v})", after


def _set(values: tuple, i: int, value: object) -> tuple:
    return (*values[:i], value, *values[i + 1 :])


def _voting_canonical(model: TlaModel) -> Callable[[VotingState], Any]:
    """The orbit of a state under renaming acceptors and values (for symmetric quorums)."""
    renamings = [dict(zip(model.values, p, strict=True))
                 for p in permutations(model.values)]

    def canon(s: VotingState) -> Any:
        return min(
            tuple(sorted((mb, tuple(sorted((b, r[v]) for b, v in vs)))
                         for vs, mb in zip(s.votes, s.max_bal, strict=True)))
            for r in renamings
        )

    return canon


def explore_voting(model: TlaModel, *, symmetry: bool = False) -> SpecCounts:
    """Every reachable state of Voting, counted like TLC (``symmetry`` like TLC's
    ``SYMMETRY Permutations(Acceptor) \\cup Permutations(Value)``)."""
    _check_model(model)
    if not isinstance(symmetry, bool):
        raise RefinementError(f"symmetry must be True or False, not {symmetry!r}")
    if symmetry and not model.symmetric:
        raise RefinementError(
            "symmetry needs a quorum system that renaming acceptors maps onto itself "
            f"('majority' or 'singleton'), not {model.quorum_kind!r} quorums"
        )
    canon = _voting_canonical(model) if symmetry else None
    return _bfs("Voting", voting_initial(model),
                lambda s: _voting_next(model, s, True), canon, symmetry)


def _bfs(spec: str, init: Any, step: Callable[[Any], Iterator[tuple[str, Any]]],
         canon: Callable[[Any], Any] | None, symmetry: bool = False) -> SpecCounts:
    clock = time.perf_counter()
    key = canon or (lambda s: s)
    seen = {key(init)}
    frontier = [init]
    generated, depth = 1, 1
    while frontier:
        following = []
        for s in frontier:
            for _, t in step(s):
                generated += 1
                k = key(t)
                if k not in seen:
                    seen.add(k)
                    following.append(t)
        if following:
            depth += 1
        frontier = following
    return SpecCounts(spec, len(seen), generated, depth, time.perf_counter() - clock, symmetry)


# -- refinement mappings ----------------------------------------------------------------------


def paxos_to_voting(model: TlaModel, state: TlaState) -> VotingState:
    """``Paxos.tla``'s mapping: ``votes[a]`` from the 2b messages ``a`` sent; ``maxBal``."""
    _check_model(model)
    if not isinstance(state, TlaState):
        raise RefinementError(f"state must be a paxos_lib.tla.TlaState, not {state!r}")
    index = {a: i for i, a in enumerate(model.acceptors)}
    votes: list[set[tuple[int, str]]] = [set() for _ in model.acceptors]
    for m in state.msgs:
        if m[0] == "2b":
            votes[index[m[1]]].add((m[2], m[3]))
    return VotingState(tuple(frozenset(v) for v in votes), state.max_bal)


def voting_to_consensus(model: TlaModel, state: VotingState) -> frozenset[str]:
    """Voting's mapping to Consensus: ``chosen``."""
    _check_voting_state(model, state)
    return _chosen(model, state.votes)


def format_voting(model: TlaModel, state: VotingState) -> str:
    """``a1: votes v1 in ballot 0, maxBal 0; a2: no votes, maxBal -1; ...``"""
    _check_voting_state(model, state)
    parts = []
    for a, vs, mb in zip(model.acceptors, state.votes, state.max_bal, strict=True):
        said = ("votes " + ", ".join(f"{v} in ballot {b}" for b, v in sorted(vs))
                if vs else "no votes")
        parts.append(f"{a}: {said}, maxBal {mb}")
    return "; ".join(parts)


def _format_chosen(chosen: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(chosen)) + "}"


@dataclass(frozen=True)
class RefinementResult:
    """The verdict of ``check_refinement``.

    ``states`` and ``steps`` count the lower spec's reachable states and generated steps;
    ``mapped_steps`` the steps that map to an upper step, ``stutters`` those that map to the
    same upper state; ``images`` the distinct upper states reached, of ``upper_states``
    reachable in the upper spec.  ``counterexample`` is a shortest lower behaviour, as
    ``(label, lower state, upper state)`` rows from the initial state, whose last step maps
    to no upper step; ``reason`` says why in plain words.
    """

    levels: str
    model: TlaModel
    ok: bool
    states: int
    steps: int
    mapped_steps: int
    stutters: int
    images: int
    upper_states: int
    depth: int
    seconds: float
    counterexample: tuple[tuple[str, Any, Any], ...] | None = None
    reason: str = ""

    @property
    def lower(self) -> str:
        return _NAMES[self.levels.split("-")[0]]

    @property
    def upper(self) -> str:
        return _NAMES[self.levels.split("-")[1]]

    def __str__(self) -> str:
        head = f"{self.lower} → {self.upper} on {self.model!r}"
        if self.ok:
            return (f"{head}: refinement holds. {self.states:,} reachable {self.lower} states "
                    f"map to {self.images:,} {self.upper} states (of {self.upper_states:,} "
                    f"reachable); of {self.steps:,} steps, {self.mapped_steps:,} map to "
                    f"{self.upper} steps and {self.stutters:,} to stutters.")
        lines = [f"{head}: refinement FAILS after {len(self.counterexample or ()) - 1} steps "
                 f"({self.states:,} states seen)."]
        for n, (label, _, upper) in enumerate(self.counterexample or ()):
            lines.append(f"  {n}. {label} -- {self.upper}: {self._show_upper(upper)}")
        lines.append(f"  {self.reason}")
        return "\n".join(lines)

    def _show_upper(self, upper: Any) -> str:
        if self.upper == "Consensus":
            return f"chosen = {_format_chosen(upper)}"
        return format_voting(self.model, upper)

    def to_dict(self) -> dict[str, Any]:
        return {
            "levels": self.levels, "model": repr(self.model), "ok": self.ok,
            "states": self.states, "steps": self.steps, "mapped_steps": self.mapped_steps,
            "stutters": self.stutters, "images": self.images,
            "upper_states": self.upper_states, "depth": self.depth,
            "seconds": round(self.seconds, 3),
            "counterexample": None if self.counterexample is None else [
                row[0] for row in self.counterexample],
            "reason": self.reason,
        }


def _upper_reachable(levels: str, model: TlaModel) -> set[Any]:
    upper = levels.split("-")[1]
    if upper == "consensus":
        return {frozenset(), *(frozenset({v}) for v in model.values)}
    seen = {voting_initial(model)}
    frontier = list(seen)
    while frontier:
        frontier = list(dict.fromkeys(t for s in frontier for _, t in _voting_next(model, s)
                                      if t not in seen))
        seen.update(frontier)
    return seen


def check_refinement(model: TlaModel, levels: str = "paxos-voting") -> RefinementResult:
    """Check that the lower spec of ``levels`` implements the upper one under the
    refinement mapping, on every reachable state and step of ``model`` (see the module
    docstring); stop at the first step that maps to no upper step."""
    _check_model(model)
    if levels not in LEVELS:
        raise RefinementError(f"unknown levels {levels!r}; expected {one_of(LEVELS)}")
    clock = time.perf_counter()
    lower, upper = levels.split("-")
    init: Any
    if lower == "paxos":
        init = paxos_initial_state(model)

        def low_steps(s: Any) -> Iterator[tuple[str, Any]]:
            return paxos_successors(model, s)

        to_voting = paxos_to_voting
    else:
        init = voting_initial(model)

        def low_steps(s: Any) -> Iterator[tuple[str, Any]]:
            return _voting_next(model, s, True)

        def to_voting(_: TlaModel, s: Any) -> VotingState:
            return s

    def mapping(s: Any) -> Any:
        v = to_voting(model, s)
        return _chosen(model, v.votes) if upper == "consensus" else v

    up_cache: dict[Any, set[Any]] = {}

    def up_next(u: Any) -> set[Any]:
        found = up_cache.get(u)
        if found is None:
            step = _consensus_next if upper == "consensus" else _voting_next
            found = up_cache[u] = {t for _, t in step(model, u)}
        return found

    up_init = frozenset() if upper == "consensus" else voting_initial(model)
    parent: dict[Any, tuple[Any, str] | None] = {init: None}
    images = {mapping(init)}
    steps = mapped = stutters = 0
    frontier = [init]
    depth = 1
    bad: tuple[Any, str, Any] | None = None
    if mapping(init) != up_init:  # cannot happen with these mappings; checked all the same
        bad = (None, "Init", init)
    while frontier and bad is None:
        following = []
        for s in frontier:
            u = mapping(s)
            for label, t in low_steps(s):
                steps += 1
                w = mapping(t)
                if w == u:
                    stutters += 1
                elif w in up_next(u):
                    mapped += 1
                else:
                    bad = (s, label, t)
                    break
                images.add(w)
                if t not in parent:
                    parent[t] = (s, label)
                    following.append(t)
            if bad is not None:
                break
        if following and bad is None:
            depth += 1
        frontier = following
    counterexample = None
    reason = ""
    if bad is not None:
        s, label, t = bad
        chain: list[tuple[str, Any]] = [(label, t)]
        while s is not None:
            link = parent[s]
            chain.append((link[1] if link else "Init", s))
            s = link[0] if link else None
        chain.reverse()
        counterexample = tuple((lab, st, mapping(st)) for lab, st in chain)
        before, after = counterexample[-2][2], counterexample[-1][2]
        reason = _why_not_a_step(model, upper, label, before, after)
    return RefinementResult(
        levels=levels, model=model, ok=bad is None, states=len(parent), steps=steps,
        mapped_steps=mapped, stutters=stutters, images=len(images),
        upper_states=len(_upper_reachable(levels, model)), depth=depth,
        seconds=time.perf_counter() - clock, counterexample=counterexample, reason=reason,
    )


def _why_not_a_step(model: TlaModel, upper: str, label: str, before: Any, after: Any) -> str:
    if upper == "consensus":
        why = ("Consensus allows a step only from chosen = {} to a single value"
               if before else "Consensus allows a step only to a single value")
        shared = "" if quorums_intersect(model) else (
            " (these quorums need not intersect: "
            + ", ".join(_format_chosen(q) for q in model.quorums) + ")")
        return (f"{label} maps chosen = {_format_chosen(before)} to chosen = "
                f"{_format_chosen(after)}, which is no Consensus step: {why}{shared}.")
    return (f"{label} maps {format_voting(model, before)} to {format_voting(model, after)}, "
            "which is neither a Voting step nor a stutter.")


# -- inductive invariants ---------------------------------------------------------------------


class VotingView:
    """What an invariant sees of one Voting state: the state, the constants, and the helper
    definitions of ``Voting.tla`` that come before its invariant.

    - ``acceptors``, ``ballots``, ``values``: tuples; ``quorums``: a tuple of frozensets;
    - ``votes``: ``{acceptor: frozenset of (ballot, value)}``; ``max_bal``:
      ``{acceptor: ballot or -1}``;
    - ``voted_for(a, b, v)``, ``chosen_at(b, v)``, ``chosen()`` (a frozenset),
      ``did_not_vote_at(a, b)``, ``cannot_vote_at(a, b)`` (``maxBal[a] > b`` and no vote in
      ``b``: ``a`` has not voted in ``b`` and never will).
    """

    __slots__ = ("_model", "acceptors", "ballots", "max_bal", "quorums", "state", "values",
                 "votes")

    def __init__(self, model: TlaModel, state: VotingState) -> None:
        self._fill(model, _check_voting_state(model, state))

    @classmethod
    def _unchecked(cls, model: TlaModel, state: VotingState) -> VotingView:
        view = cls.__new__(cls)
        view._fill(model, state)
        return view

    def _fill(self, model: TlaModel, state: VotingState) -> None:
        self._model = model
        self.state = state
        self.acceptors = model.acceptors
        self.ballots = model.ballots
        self.values = model.values
        self.quorums = model.quorums
        self.votes = dict(zip(model.acceptors, state.votes, strict=True))
        self.max_bal = dict(zip(model.acceptors, state.max_bal, strict=True))

    def voted_for(self, a: str, b: int, v: str) -> bool:
        return (b, v) in self.votes[a]

    def chosen_at(self, b: int, v: str) -> bool:
        return any(all((b, v) in self.votes[a] for a in q) for q in self.quorums)

    def chosen(self) -> frozenset[str]:
        return _chosen(self._model, self.state.votes)

    def did_not_vote_at(self, a: str, b: int) -> bool:
        return all(vt[0] != b for vt in self.votes[a])

    def cannot_vote_at(self, a: str, b: int) -> bool:
        return self.max_bal[a] > b and self.did_not_vote_at(a, b)

    def __repr__(self) -> str:
        return f"VotingView({format_voting(self._model, self.state)})"


def type_correct_count(model: TlaModel) -> int:
    """How many states satisfy Voting's ``TypeOK`` within the model's bounds."""
    _check_model(model)
    per = 2 ** (len(model.ballots) * len(model.values)) * (len(model.ballots) + 1)
    return per ** len(model.acceptors)


@functools.lru_cache(maxsize=4)
def _type_correct_states(model: TlaModel) -> tuple[VotingState, ...]:
    """Every type-correct state: fewer votes first; then states where every acceptor's
    ``maxBal`` is at least its votes' ballots (as in every reachable state), so that a
    counterexample reads naturally; then lower ``maxBal``."""
    pairs = [(b, v) for b in model.ballots for v in model.values]
    local = [
        (frozenset(vs), mb)
        for k in range(len(pairs) + 1) for vs in combinations(pairs, k)
        for mb in (-1, *model.ballots)
    ]
    # one number per local state whose sums order states as described (each part < 100)
    rank = [len(vs) * 10_000 + any(b > mb for b, _ in vs) * 100 + mb + 1 for vs, mb in local]
    combos = sorted(product(range(len(local)), repeat=len(model.acceptors)),
                    key=lambda c: sum(map(rank.__getitem__, c)))
    return tuple(VotingState(tuple(local[i][0] for i in c), tuple(local[i][1] for i in c))
                 for c in combos)


class PaxosView:
    """What an invariant sees of one Paxos state (``spec="paxos"``): the spec's variables,
    the constants and the refinement mapping.

    - ``acceptors``, ``ballots``, ``values`` (tuples) and ``quorums`` (frozensets);
    - ``max_bal``, ``max_vbal``, ``max_val``: ``{acceptor: ...}`` (-1 and None at first);
    - ``msgs``: the frozenset of every message sent, as tuples ``("1a", bal)``,
      ``("1b", acc, bal, mbal, mval)``, ``("2a", bal, val)``, ``("2b", acc, bal, val)``;
    - ``voting()``: the ``VotingView`` of the state this one maps to (the refinement
      mapping); ``votes()``: its ``{acceptor: frozenset of (ballot, value)}``, from the 2b
      messages; ``chosen()``: the values a quorum voted for in one ballot.
    """

    __slots__ = ("_model", "acceptors", "ballots", "max_bal", "max_val", "max_vbal", "msgs",
                 "quorums", "state", "values")

    def __init__(self, model: TlaModel, state: TlaState) -> None:
        _check_model(model)
        if not isinstance(state, TlaState):
            raise RefinementError(f"state must be a paxos_lib.tla.TlaState, not {state!r}")
        self._fill(model, state)

    @classmethod
    def _unchecked(cls, model: TlaModel, state: TlaState) -> PaxosView:
        view = cls.__new__(cls)
        view._fill(model, state)
        return view

    def _fill(self, model: TlaModel, state: TlaState) -> None:
        self._model = model
        self.state = state
        self.acceptors = model.acceptors
        self.ballots = model.ballots
        self.values = model.values
        self.quorums = model.quorums
        self.max_bal = dict(zip(model.acceptors, state.max_bal, strict=True))
        self.max_vbal = dict(zip(model.acceptors, state.max_vbal, strict=True))
        self.max_val = dict(zip(model.acceptors, state.max_val, strict=True))
        self.msgs = state.msgs

    def voting(self) -> VotingView:
        """The Voting state this state maps to (votes from the 2b messages, ``maxBal``), with
        Voting's definitions (``voted_for``, ``cannot_vote_at``, ...)."""
        return VotingView._unchecked(self._model, paxos_to_voting(self._model, self.state))

    def votes(self) -> dict[str, frozenset[tuple[int, str]]]:
        return self.voting().votes

    def chosen(self) -> frozenset[str]:
        return paxos_chosen(self._model, self.state)

    def __repr__(self) -> str:
        return f"PaxosView({format_paxos(self._model, self.state)})"


def format_paxos(model: TlaModel, state: TlaState) -> str:
    """The per-acceptor variables and the messages sent, in a line."""
    sent = ", ".join(sorted(format_message(m) for m in state.msgs)) or "none"
    return f"{format_state(model, state)}; messages sent: {sent}"


def _paxos_messages(model: TlaModel) -> list[tuple[Any, ...]]:
    """Every message ``Paxos.tla``'s ``TypeOK`` allows, in the order 1a, 1b, 2a, 2b."""
    marks = (-1, *model.ballots)
    vals = (None, *model.values)
    return [
        *(("1a", b) for b in model.ballots),
        *(("1b", a, b, mb, mv) for a in model.acceptors for b in model.ballots
          for mb in marks for mv in vals),
        *(("2a", b, v) for b in model.ballots for v in model.values),
        *(("2b", a, b, v) for a in model.acceptors for b in model.ballots
          for v in model.values),
    ]


def _paxos_type_correct_count(model: TlaModel) -> int:
    per = (len(model.ballots) + 1) ** 2 * (len(model.values) + 1)
    return 2 ** len(_paxos_messages(model)) * per ** len(model.acceptors)


@functools.lru_cache(maxsize=2)
def _paxos_type_correct_states(model: TlaModel) -> tuple[TlaState, ...]:
    """Every type-correct Paxos state, fewer messages first."""
    messages = _paxos_messages(model)
    marks = (-1, *model.ballots)
    local = list(product(marks, marks, (None, *model.values)))
    states = [
        TlaState(tuple(x[0] for x in acc), tuple(x[1] for x in acc), tuple(x[2] for x in acc),
                 frozenset(msgs))
        for k in range(len(messages) + 1) for msgs in combinations(messages, k)
        for acc in product(local, repeat=len(model.acceptors))
    ]
    return tuple(states)


@dataclass(frozen=True)
class InductionResult:
    """The verdict of ``check_inductive``: each of the three conditions, and a witness for
    each that fails (``cti`` is ``(state, step label, next state)``)."""

    model: TlaModel
    type_correct: int
    satisfying: int
    steps_checked: int
    initial_ok: bool
    implies_agreement: bool
    inductive: bool
    disagreement: Any = None
    cti: tuple[Any, str, Any] | None = None
    seconds: float = 0.0
    spec: str = "voting"

    def describe(self, state: Any) -> str:
        """A state of this check's spec in words."""
        if self.spec == "paxos":
            return format_paxos(self.model, state)
        return format_voting(self.model, state)

    def chosen_in(self, state: Any) -> frozenset[str]:
        if self.spec == "paxos":
            return paxos_chosen(self.model, state)
        return _chosen(self.model, state.votes)

    @property
    def ok(self) -> bool:
        return self.initial_ok and self.implies_agreement and self.inductive

    def __str__(self) -> str:
        m = self.model
        lines = [f"Checked all {self.type_correct:,} type-correct {_NAMES[self.spec]} states "
                 f"of {m!r}; "
                 f"the invariant holds in {self.satisfying:,} of them."]
        lines.append("(a) initial state: " + ("holds" if self.initial_ok else
                                               "FAILS: it is false in the initial state"))
        if self.inductive:
            lines.append(f"(b) preserved by every step: yes ({self.steps_checked:,} steps "
                         "checked)")
        else:
            assert self.cti is not None
            s, label, t = self.cti
            lines.append("(b) preserved by every step: NO -- a counterexample to induction:")
            lines.append(f"    it holds in the state [{self.describe(s)}];")
            lines.append(f"    the step {label} is allowed there;")
            lines.append(f"    it is false in the next state [{self.describe(t)}].")
        if self.implies_agreement:
            lines.append("(c) implies agreement: yes")
        else:
            d = self.disagreement
            assert d is not None
            lines.append("(c) implies agreement: NO -- it holds in the state "
                         f"[{self.describe(d)}], where chosen = "
                         f"{_format_chosen(self.chosen_in(d))}")
        return "\n".join(lines)


#: The specs whose states ``check_inductive`` enumerates.
SPECS = ("voting", "paxos")


def check_inductive(
    invariant: Callable[[Any], Any], model: TlaModel, spec: str = "voting"
) -> InductionResult:
    """Check that ``invariant(view) -> bool`` is an inductive invariant of ``spec`` that
    implies agreement, on every type-correct state of ``model``.

    ``view`` is a ``VotingView`` (``spec="voting"``) or a ``PaxosView`` (``spec="paxos"``;
    Paxos's type-correct states are every subset of the messages ``TypeOK`` allows, so only
    tiny models fit: one acceptor, two values and ballot 0 give 24,576).  Exceptions raised
    by ``invariant`` propagate; an answer that is not a bool is a ``RefinementError``.  The
    search for a counterexample to induction stops at the first one, in order of fewer
    votes (messages) first.
    """
    if not callable(invariant):
        raise RefinementError(f"invariant must be a function of a state view, not {invariant!r}")
    _check_model(model)
    if spec not in SPECS:
        raise RefinementError(f"unknown spec {spec!r}; expected {one_of(SPECS)}")
    paxos = spec == "paxos"
    total = _paxos_type_correct_count(model) if paxos else type_correct_count(model)
    if total > MAX_TYPE_CORRECT:
        example = ("TlaModel(acceptors=1, values=2, max_ballot=0) has 24,576" if paxos
                   else "paxos_lib.tla.TINY has 110,592")
        raise RefinementError(
            f"{model!r} has {total:,} type-correct {_NAMES[spec]} states, more than the "
            f"{MAX_TYPE_CORRECT:,} this check enumerates; use fewer acceptors, values or "
            f"ballots ({example})"
        )
    clock = time.perf_counter()
    if paxos:
        make, describe = PaxosView._unchecked, format_paxos
        init: Any = paxos_initial_state(model)
        states: tuple[Any, ...] = _paxos_type_correct_states(model)

        def step(st: Any) -> Iterator[tuple[str, Any]]:
            return paxos_successors(model, st)

        def two_chosen(st: Any) -> bool:
            return len(paxos_chosen(model, st)) > 1
    else:
        make, describe = VotingView._unchecked, format_voting  # type: ignore[assignment]
        init = voting_initial(model)
        states = _type_correct_states(model)

        def step(st: Any) -> Iterator[tuple[str, Any]]:
            return _voting_next(model, st)

        def two_chosen(st: Any) -> bool:
            return len(_chosen(model, st.votes)) > 1

    def judge(st: Any) -> bool:
        answer = invariant(make(model, st))
        if not isinstance(answer, bool):
            raise RefinementError(f"the invariant must return True or False, but returned "
                                  f"{answer!r} for {describe(model, st)}")
        return answer

    initial_ok = judge(init)
    cache: dict[Any, bool] = {}
    holding = []
    for st in states:
        ok = judge(st)
        cache[st] = ok
        if ok:
            holding.append(st)
    disagreement = next((st for st in holding if two_chosen(st)), None)
    steps = 0
    cti = None
    for st in holding:
        for label, t in step(st):
            steps += 1
            if t != st and not cache[t]:
                cti = (st, label, t)
                break
        if cti is not None:
            break
    return InductionResult(
        model=model, type_correct=total, satisfying=len(holding), steps_checked=steps,
        initial_ok=initial_ok, implies_agreement=disagreement is None,
        inductive=cti is None, disagreement=disagreement, cti=cti,
        seconds=time.perf_counter() - clock, spec=spec,
    )
