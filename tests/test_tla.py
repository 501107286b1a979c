"""The model of Lamport's Paxos.tla: TLC's counts, shortest counterexamples, bad input."""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter

import pytest

from paxos_lib import tla
from paxos_lib.errors import ConfigError, PaxosError
from paxos_lib.tla import (
    SMALL,
    TINY,
    TlaModel,
    TlaState,
    chosen,
    decode,
    encode,
    explore_tla,
    initial_state,
    reference_bfs,
    successors,
)

# TLC on MCPaxosTiny.cfg / MCPaxosSmall.cfg: distinct states, states generated, depth.
TLC_TINY = (3_921, 23_563, 17)
TLC_SMALL = (185_369, 1_361_380, 25)


def counts(result) -> tuple[int, int, int]:
    return result.states, result.generated, result.depth


def reachable(model: TlaModel) -> list[TlaState]:
    seen = {initial_state(model)}
    frontier = list(seen)
    while frontier:
        frontier = [s for f in frontier for _, s in successors(model, f) if s not in seen]
        frontier = list(dict.fromkeys(frontier))
        seen.update(frontier)
    return sorted(seen, key=repr)


@pytest.fixture(scope="module")
def tiny_states() -> list[TlaState]:
    return reachable(TINY)


def test_reference_bfs_matches_tlc_on_tiny():
    result = reference_bfs(TINY)
    assert counts(result) == TLC_TINY
    assert result.ok and result.end == "exhausted" and result.violation is None
    assert result.transitions == TLC_TINY[1] - 1


def test_fast_explorer_matches_tlc_on_tiny():
    result = explore_tla(TINY)
    assert counts(result) == TLC_TINY
    assert result.ok and result.counterexample is None


def test_fast_explorer_matches_tlc_on_small():
    result = explore_tla(SMALL)
    assert counts(result) == TLC_SMALL
    assert result.ok


def test_symmetry_classes_are_pinned():
    tiny = explore_tla(TINY, symmetry=True)
    small = explore_tla(SMALL, symmetry=True)
    assert (tiny.states, tiny.generated, tiny.depth) == (443, 2_697, 17)
    assert (small.states, small.generated, small.depth) == (17_153, 127_002, 25)
    assert tiny.ok and small.ok and small.symmetry


def test_encoding_round_trips_every_tiny_state(tiny_states):
    assert len(tiny_states) == TLC_TINY[0]
    packed = {encode(TINY, s) for s in tiny_states}
    assert len(packed) == len(tiny_states)
    assert encode(TINY, initial_state(TINY)) == 0
    for s in tiny_states:
        assert decode(TINY, encode(TINY, s)) == s


def test_packed_moves_equal_the_spec_moves_in_every_tiny_state(tiny_states):
    lay = tla._Layout(TINY)
    for s in tiny_states:
        x = encode(TINY, s)
        spec = Counter(encode(TINY, t) for _, t in successors(TINY, s))
        deltas, count = lay.global_moves(x & lay.moves_key_mask)
        packed = Counter(x + d for d in deltas)
        total = count
        for i, mask in enumerate(lay.acc_key_masks):
            deltas, count = lay.acceptor_moves(i, x & mask)
            packed.update(x + d for d in deltas)
            total += count
        assert total == sum(spec.values())
        assert set(packed) == set(spec) - {x}
        assert all(n == 1 for n in packed.values())


def test_canonical_form_is_the_same_for_renamed_states(tiny_states):
    lay = tla._Layout(TINY)
    canon = tla._canonicalizer(lay)
    rng = random.Random(0)
    for s in rng.sample(tiny_states, 300):
        for acc_perm in itertools.permutations(range(3)):
            for val_perm in itertools.permutations(range(2)):
                renamed = rename(TINY, s, acc_perm, val_perm)
                assert canon(encode(TINY, renamed)) == canon(encode(TINY, s))


def rename(model: TlaModel, s: TlaState, acc_perm, val_perm) -> TlaState:
    acc = {a: model.acceptors[acc_perm[i]] for i, a in enumerate(model.acceptors)}
    val = {v: model.values[val_perm[i]] for i, v in enumerate(model.values)}
    val[None] = None

    def msg(m):
        if m[0] == "1a":
            return m
        if m[0] == "1b":
            return ("1b", acc[m[1]], m[2], m[3], val[m[4]])
        if m[0] == "2a":
            return ("2a", m[1], val[m[2]])
        return ("2b", acc[m[1]], m[2], val[m[3]])

    def permuted(values):
        out = [None] * len(values)
        for i, x in enumerate(values):
            out[acc_perm[i]] = x
        return tuple(out)

    return TlaState(
        permuted(s.max_bal),
        permuted(s.max_vbal),
        tuple(val[v] for v in permuted(s.max_val)),
        frozenset(msg(m) for m in s.msgs),
    )


def replays(trace) -> bool:
    state = trace.start
    for label, after in trace.steps:
        if (label, after) not in set(successors(trace.model, state)):
            return False
        state = after
    return True


@pytest.mark.parametrize("symmetry", [False, True])
def test_singleton_quorums_break_agreement_with_a_shortest_counterexample(symmetry):
    model = TlaModel(quorums="singleton")
    result = explore_tla(model, symmetry=symmetry)
    assert not result.ok and result.end == "violation" and result.violation == "agreement"
    trace = result.counterexample
    assert len(trace) == 8
    assert trace.start == initial_state(model)
    assert replays(trace)
    assert chosen(model, trace.states[-1]) == {"v1", "v2"}
    assert all(len(chosen(model, s)) < 2 for s in trace.states[:-1])
    text = str(trace)
    assert text.startswith("0. Init") and "\n8. Phase2b(" in text and "chosen: v1, v2" in text
    with pytest.raises(AssertionError, match="agreement"):
        result.assert_ok()


def test_reference_bfs_finds_the_same_shortest_counterexample_length():
    result = reference_bfs(TlaModel(quorums="singleton"))
    assert result.end == "violation"
    assert len(result.counterexample) == 8
    assert replays(result.counterexample)


def test_the_sometimes_chosen_example_is_shortest():
    for result in (explore_tla(TINY), reference_bfs(TINY), explore_tla(TINY, symmetry=True)):
        example = result.examples["chosen"]
        assert len(example) == 6
        assert replays(example)
        assert chosen(TINY, example.states[-1])


def test_depth_bound_is_reported_plainly():
    fast = explore_tla(TINY, max_depth=5)
    ref = reference_bfs(TINY, max_depth=5)
    for result in (fast, ref):
        assert result.end == "bound" and not result.ok and result.depth == 5
        assert "depth bound 5" in result.detail
        with pytest.raises(AssertionError, match="INCOMPLETE"):
            result.assert_ok()
    assert fast.states == ref.states
    assert explore_tla(TINY, max_depth=17).ok


def test_time_limit_is_reported_plainly():
    result = explore_tla(SMALL, time_limit=1e-9)
    assert result.end == "time limit" and not result.ok
    assert "time limit" in result.detail


def test_search_can_start_from_any_state():
    chosen_v1 = explore_tla(TINY).examples["chosen"].states[-1]
    result = explore_tla(TINY, start=chosen_v1)
    assert result.ok and result.states < TLC_TINY[0]
    broken = TlaModel(quorums="singleton")
    result = explore_tla(broken, start=chosen_v1, symmetry=True)
    assert result.end == "violation"
    assert result.counterexample.start == chosen_v1
    assert replays(result.counterexample)


def test_result_as_json():
    data = json.loads(json.dumps(explore_tla(TlaModel(quorums="singleton")).to_dict()))
    for key in ("ok", "end", "states", "transitions", "depth", "seconds", "counterexample"):
        assert key in data
    assert data["ok"] is False and data["end"] == "violation"
    assert len(data["counterexample"]) == 8
    assert data["counterexample"][0] == {
        "step": 1,
        "action": "Phase1a(0)",
        "sent": ["1a(0)"],
        "maxBal": [-1, -1, -1],
        "maxVBal": [-1, -1, -1],
        "maxVal": [None, None, None],
        "chosen": [],
    }
    ok = explore_tla(TINY).to_dict()
    assert ok["ok"] is True and ok["counterexample"] is None
    assert (ok["states"], ok["generated"], ok["depth"]) == TLC_TINY


def test_progress_bar_does_not_change_the_result(capsys):
    assert counts(explore_tla(TINY, progress=True)) == TLC_TINY
    assert "states" in capsys.readouterr().err


def test_explicit_quorums():
    model = TlaModel(quorums=[{"a1", "a2"}, {"a2", "a3"}])
    assert model.quorum_kind == "explicit" and not model.symmetric
    assert explore_tla(model).ok
    disjoint = TlaModel(quorums=[{"a1"}, {"a2", "a3"}])
    assert explore_tla(disjoint).end == "violation"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"acceptors": 0}, "acceptors must be an integer from 1 to 7"),
        ({"acceptors": True}, "acceptors must be an integer"),
        ({"values": 99}, "values must be an integer from 1 to 4"),
        ({"max_ballot": -1}, "max_ballot must be an integer from 0 to 6"),
        ({"max_ballot": 1.5}, "max_ballot must be an integer"),
        ({"quorums": "most"}, "unknown quorums 'most'; expected 'majority' or 'singleton'"),
        ({"quorums": [{"a9"}]}, r"quorum \['a9'\] must be a non-empty set of 'a1', 'a2' or 'a3'"),
        ({"quorums": []}, "at least one quorum"),
        ({"quorums": [set()]}, "non-empty set"),
    ],
)
def test_bad_model_arguments(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        TlaModel(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_depth": 0}, "max_depth must be an integer from 1 to 10000 or None"),
        ({"max_depth": -3}, "max_depth"),
        ({"time_limit": 0}, "time_limit must be a positive number of seconds"),
        ({"time_limit": "soon"}, "time_limit"),
    ],
)
def test_bad_search_arguments(kwargs, match):
    with pytest.raises(PaxosError, match=match):
        explore_tla(TINY, **kwargs)
    with pytest.raises(PaxosError, match=match):
        reference_bfs(TINY, **kwargs)


def test_symmetry_needs_a_symmetric_quorum_system():
    with pytest.raises(ConfigError, match="symmetry needs a quorum system"):
        explore_tla(TlaModel(quorums=[{"a1", "a2"}]), symmetry=True)


def test_impossible_start_state_is_refused():
    bad = initial_state(TINY)._replace(msgs=frozenset({("2a", 0, "v1"), ("2a", 0, "v2")}))
    with pytest.raises(ConfigError, match="cannot be encoded"):
        explore_tla(TINY, start=bad)


@pytest.mark.parametrize("acceptors", [2, 3, 4])
def test_symmetry_classes_are_exactly_the_orbits_of_reachable_states(acceptors):
    model = TlaModel(acceptors=acceptors, values=2, max_ballot=1 if acceptors < 4 else 0)
    canon = tla._canonicalizer(tla._Layout(model))
    orbits = {canon(encode(model, s)) for s in reachable(model)}
    result = explore_tla(model, symmetry=True)
    assert result.ok and result.states == len(orbits)
    assert explore_tla(model).states == len(reachable(model))
