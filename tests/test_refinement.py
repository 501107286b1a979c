"""Consensus → Voting → Paxos: TLC's counts, the refinement checks, Lamport's broken-quorum
exercise, and the inductive-invariant checker."""

from __future__ import annotations

import functools
import json

import pytest

from paxos_lib import refinement as rf
from paxos_lib.errors import ConfigError, PaxosError
from paxos_lib.refinement import (
    RefinementError,
    VotingState,
    VotingView,
    check_inductive,
    check_refinement,
    explore_consensus,
    explore_voting,
    paxos_to_voting,
    quorums_intersect,
    type_correct_count,
    voting_chosen,
    voting_initial,
    voting_successors,
)
from paxos_lib.tla import SMALL, TINY, TlaModel, initial_state, successors

SINGLETON = TlaModel(quorums="singleton")
LOPSIDED = TlaModel(quorums=[{"a1"}, {"a2", "a3"}])

# TLC, as recorded in tlaplus/Examples' manifests: distinct states, generated, depth.
TLC_VOTING_SYMMETRY_B1 = (77, 451, 11)  # specifications/Paxos/MCVoting.cfg (SYMMETRY)
TLC_VOTING_B2 = (6_752, 41_017, 16)  # specifications/PaxosHowToWinATuringAward/MCVoting
TLC_CONSENSUS_3 = (4, 4, 2)  # specifications/PaxosHowToWinATuringAward/MCConsensus
TLC_PAXOS_TINY_GENERATED = 23_563


@functools.cache
def refine(model: TlaModel, levels: str) -> rf.RefinementResult:
    """One refinement check per model and levels, shared by the tests that read it."""
    return check_refinement(model, levels)


def counts(result: rf.SpecCounts) -> tuple[int, int, int]:
    return result.states, result.generated, result.depth


# -- the models, against TLC -------------------------------------------------------------------


def test_voting_matches_tlc_with_symmetry_on_ballots_0_1():
    assert counts(explore_voting(TINY, symmetry=True)) == TLC_VOTING_SYMMETRY_B1


def test_voting_matches_tlc_on_ballots_0_2():
    assert counts(explore_voting(SMALL)) == TLC_VOTING_B2


def test_voting_tiny_without_symmetry_is_pinned():
    assert counts(explore_voting(TINY)) == (599, 3_124, 11)


def test_consensus_matches_tlc():
    assert counts(explore_consensus(TlaModel(values=3))) == TLC_CONSENSUS_3


def test_voting_steps_follow_the_spec():
    s = voting_initial(TINY)
    labels = [label for label, _ in voting_successors(TINY, s)]
    # from Init nobody can vote: ShowsSafeAt needs a quorum with maxBal >= b
    assert labels == [f"IncreaseMaxBal({a}, {b})" for a in TINY.acceptors for b in (0, 1)]
    s = VotingState((frozenset(), frozenset(), frozenset()), (0, 0, -1))
    after = dict(voting_successors(TINY, s))
    assert after["VoteFor(a1, 0, v1)"] == VotingState(
        (frozenset({(0, "v1")}), frozenset(), frozenset()), (0, 0, -1))
    # a2 voted v1 in ballot 0: nobody may vote for v2 there (OneValuePerBallot)
    s = VotingState((frozenset(), frozenset({(0, "v1")}), frozenset()), (0, 0, -1))
    assert "VoteFor(a1, 0, v2)" not in dict(voting_successors(TINY, s))
    assert "VoteFor(a1, 0, v1)" in dict(voting_successors(TINY, s))


def test_chosen_needs_a_quorum_in_one_ballot():
    split = VotingState((frozenset({(0, "v1")}), frozenset({(1, "v1")}), frozenset()),
                        (1, 1, -1))
    assert voting_chosen(TINY, split) == frozenset()
    both = VotingState((frozenset({(1, "v1")}), frozenset({(1, "v1")}), frozenset()),
                       (1, 1, -1))
    assert voting_chosen(TINY, both) == {"v1"}
    assert voting_chosen(SINGLETON, split) == {"v1"}


def test_the_mapping_reads_votes_from_2b_messages():
    s = initial_state(TINY)._replace(
        max_bal=(0, -1, 0), msgs=frozenset({("1a", 0), ("2a", 0, "v2"), ("2b", "a3", 0, "v2")}))
    assert paxos_to_voting(TINY, s) == VotingState(
        (frozenset(), frozenset(), frozenset({(0, "v2")})), (0, -1, 0))


# -- refinement ------------------------------------------------------------------------------


def test_paxos_implements_voting_on_tiny_exhaustively():
    result = refine(TINY, "paxos-voting")
    assert result.ok and result.counterexample is None
    assert result.states == 3_921 and result.steps == TLC_PAXOS_TINY_GENERATED - 1
    assert result.depth == 17
    assert (result.mapped_steps, result.stutters) == (8_304, 15_258)
    # every reachable Voting state is the image of some reachable Paxos state
    assert result.images == result.upper_states == 599
    assert "refinement holds" in str(result)


def test_voting_implements_consensus_on_tiny():
    result = refine(TINY, "voting-consensus")
    assert result.ok
    assert result.states == 599 and result.steps == 3_123 and result.images == 3


def test_paxos_implements_consensus_on_tiny():
    assert check_refinement(TINY, "paxos-consensus").ok


@pytest.mark.parametrize("model", [SINGLETON, LOPSIDED], ids=["singleton", "lopsided"])
def test_broken_quorums_paxos_still_implements_voting(model):
    assert not quorums_intersect(model)
    result = refine(model, "paxos-voting")
    assert result.ok and result.images == result.upper_states


@pytest.mark.parametrize(("model", "length"), [(SINGLETON, 3), (LOPSIDED, 4)],
                         ids=["singleton", "lopsided"])
def test_broken_quorums_voting_no_longer_implements_consensus(model, length):
    result = refine(model, "voting-consensus")
    assert not result.ok
    rows = result.counterexample
    assert rows[0][0] == "Init" and len(rows) == length + 1
    # it is a real behaviour of Voting, step by step
    state = rows[0][1]
    for label, after, _ in rows[1:]:
        assert (label, after) in set(voting_successors(model, state))
        state = after
    # only its last step breaks the refinement: chosen grows from one value to two
    assert [len(row[2]) for row in rows[-2:]] == [1, 2]
    assert all(len(row[2]) <= 1 for row in rows[:-1])
    assert "no Consensus step" in result.reason and "need not intersect" in result.reason


def test_the_counterexample_is_a_shortest_one():
    result = check_refinement(SINGLETON, "voting-consensus")
    # no behaviour of 2 steps chooses two values: BFS by hand
    frontier = {voting_initial(SINGLETON)}
    for _ in range(2):
        frontier = {t for s in frontier for _, t in voting_successors(SINGLETON, s)}
        assert all(len(voting_chosen(SINGLETON, s)) < 2 for s in frontier)
    assert len(result.counterexample) - 1 == 3


def test_majority_quorums_intersect():
    assert quorums_intersect(TINY) and quorums_intersect(SMALL)


def test_refinement_result_as_json():
    data = json.loads(json.dumps(check_refinement(SINGLETON, "voting-consensus").to_dict()))
    assert data["ok"] is False and data["counterexample"][0] == "Init"
    assert data["levels"] == "voting-consensus"


# -- inductive invariants --------------------------------------------------------------------


def lamport_inv(s: VotingView) -> bool:
    """Voting.tla's Inv (TypeOK is given): VotesSafe /\\ OneValuePerBallot."""

    def safe_at(b: int, v: str) -> bool:
        return all(any(all(s.voted_for(a, c, v) or s.cannot_vote_at(a, c) for a in q)
                       for q in s.quorums) for c in range(b))

    votes_safe = all(safe_at(b, v) for a in s.acceptors for b, v in s.votes[a])
    return votes_safe and one_value_per_ballot(s)


def one_value_per_ballot(s: VotingView) -> bool:
    by_ballot: dict[int, set[str]] = {}
    for a in s.acceptors:
        for b, v in s.votes[a]:
            by_ballot.setdefault(b, set()).add(v)
    return all(len(vs) == 1 for vs in by_ballot.values())


def test_type_correct_states_are_counted():
    assert type_correct_count(TINY) == (16 * 3) ** 3 == 110_592
    assert len(rf._type_correct_states(TINY)) == 110_592


def test_lamports_invariant_is_inductive_and_implies_agreement():
    result = check_inductive(lamport_inv, TINY)
    assert result.ok and result.cti is None and result.disagreement is None
    assert result.type_correct == 110_592 and result.satisfying == 2_771
    assert "110,592" in str(result)


def test_no_two_chosen_is_not_inductive():
    result = check_inductive(lambda s: len(s.chosen()) <= 1, TINY)
    assert result.initial_ok and result.implies_agreement and not result.inductive
    before, label, after = result.cti
    assert len(voting_chosen(TINY, before)) <= 1 and len(voting_chosen(TINY, after)) == 2
    assert (label, after) in set(voting_successors(TINY, before))
    text = str(result)
    assert "counterexample to induction" in text and label in text


def test_one_value_per_ballot_is_inductive_but_not_enough():
    result = check_inductive(one_value_per_ballot, TINY)
    assert result.inductive and result.initial_ok and not result.implies_agreement
    assert len(voting_chosen(TINY, result.disagreement)) == 2
    assert "implies agreement: NO" in str(result)


def test_false_initially():
    result = check_inductive(lambda s: s.max_bal["a1"] == s.max_bal["a2"] == 1, TINY)
    assert not result.initial_ok and "false in the initial state" in str(result)
    assert result.inductive and result.satisfying == 110_592 // 9


def test_with_broken_quorums_lamports_invariant_is_inductive_but_no_longer_enough():
    result = check_inductive(lamport_inv, SINGLETON)
    assert result.inductive and result.initial_ok and not result.implies_agreement


def test_the_view_offers_voting_definitions():
    s = VotingState((frozenset({(0, "v1")}), frozenset({(0, "v1")}), frozenset()), (1, 0, -1))
    view = VotingView(TINY, s)
    assert view.voted_for("a1", 0, "v1") and not view.voted_for("a3", 0, "v1")
    assert view.chosen_at(0, "v1") and view.chosen() == {"v1"}
    assert view.did_not_vote_at("a1", 1) and not view.cannot_vote_at("a3", 0)
    assert not view.cannot_vote_at("a1", 0)  # it voted there
    assert VotingView(TINY, VotingState(s.votes, (1, 1, 1))).cannot_vote_at("a3", 0)


# -- bad arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: check_refinement("tiny"), "model must be a TlaModel"),
        (lambda: check_refinement(TINY, "paxos-raft"),
         "unknown levels 'paxos-raft'; expected 'paxos-voting', 'voting-consensus' or "
         "'paxos-consensus'"),
        (lambda: explore_voting(TINY, symmetry="yes"), "symmetry must be True or False"),
        (lambda: explore_voting(LOPSIDED, symmetry=True), "symmetry needs a quorum system"),
        (lambda: explore_consensus(None), "model must be a TlaModel"),
        (lambda: check_inductive(42, TINY), "invariant must be a function"),
        (lambda: check_inductive(lambda s: True, SMALL), "16,777,216 type-correct"),
        (lambda: check_inductive(lambda s: "yes", TINY), "must return True or False"),
        (lambda: paxos_to_voting(TINY, "state"), "must be a paxos_lib.tla.TlaState"),
        (lambda: rf.voting_to_consensus(TINY, "state"), "must be a VotingState"),
        (lambda: voting_chosen(TINY, VotingState((frozenset(),), (-1,))),
         "has 3 entries in votes and in max_bal"),
        (lambda: list(voting_successors(TINY, VotingState((frozenset(),) * 3, (-1, 5, -1)))),
         "max_bal of a2 must be one of -1, 0 or 1, not 5"),
        (lambda: list(voting_successors(
            TINY, VotingState((frozenset({(2, "v1")}), frozenset(), frozenset()), (-1,) * 3))),
         r"votes of a1 must be a frozenset of \(ballot, value\) pairs with ballots 0 or 1"),
        (lambda: list(voting_successors(TINY, voting_initial(TINY), witnesses=1)),
         "witnesses must be True or False"),
        (lambda: list(rf.consensus_successors(TINY, {"v1"})), "chosen must be a frozenset"),
        (lambda: list(rf.consensus_successors(TINY, frozenset({"v9"}))), "'v1' or 'v2'"),
        (lambda: VotingView(TINY, (1, 2)), "state must be a VotingState"),
        (lambda: rf.format_voting(TINY, None), "state must be a VotingState"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(RefinementError, match=match) as caught:
        call()
    assert isinstance(caught.value, ConfigError) and isinstance(caught.value, PaxosError)


def test_an_invariant_that_raises_propagates():
    with pytest.raises(KeyError):
        check_inductive(lambda s: s.votes["a9"] == set(), TINY)


def test_successors_of_paxos_are_the_tla_modules():
    # the refinement check walks the very same Paxos model as paxos_lib.tla
    assert sum(1 for _ in successors(TINY, initial_state(TINY))) == 2


def test_exported_flat_and_core_only():
    import subprocess
    import sys

    import paxos_lib as px

    assert px.check_refinement is check_refinement and px.check_inductive is check_inductive
    assert "check_refinement" in px.__all__ and px.refinement is rf
    code = ("import sys, paxos_lib.refinement; "
            "print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('networkx', 'matplotlib', 'ipywidgets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr


def test_the_refinement_figure_states_each_verdict_in_words():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.text import Annotation

    import paxos_lib as px

    results = [refine(m, lv) for m in (TINY, SINGLETON)
               for lv in ("paxos-voting", "voting-consensus")]
    ax = px.viz.plot_refinement(results)
    texts = [t.get_text() for t in ax.texts]
    assert sum(t.startswith("✓ implements") for t in texts) == 3
    assert sum(t.startswith("✗ does not implement") for t in texts) == 1
    assert "Paxos\n3,921 states" in texts and "Paxos\n12,513 states" in texts
    arrows = [t.arrow_patch for t in ax.texts if isinstance(t, Annotation)]
    assert len(arrows) == 4 and all(a is not None for a in arrows)
    assert sorted(a.get_linestyle() for a in arrows) == ["-", "-", "-", "--"]
    plt.close(ax.figure)
    with pytest.raises(ConfigError, match="a list of RefinementResult"):
        px.viz.plot_refinement(results[0])
    with pytest.raises(ConfigError, match="draws the steps paxos-voting, voting-consensus"):
        px.viz.plot_refinement([check_refinement(TINY, "paxos-consensus")])
    with pytest.raises(ConfigError, match="at least one"):
        px.viz.plot_refinement([])


# -- inductive invariants over Paxos states ------------------------------------------------------

MICRO = TlaModel(acceptors=1, values=2, max_ballot=0)


def shows_safe_at(vv: VotingView, q, b: int, v: str) -> bool:  # type: ignore[no-untyped-def]
    if any(vv.max_bal[a] < b for a in q):
        return False
    return any((c == -1 or any(vv.voted_for(a, c, v) for a in q))
               and all(vv.did_not_vote_at(a, d) for d in range(c + 1, b) for a in q)
               for c in range(-1, b))


def paxos_tla_inv(s: rf.PaxosView) -> bool:
    """Paxos.tla's Inv (TypeOK is given), over the mapped votes."""
    vv = s.voting()
    for a in s.acceptors:
        if s.max_bal[a] < s.max_vbal[a]:
            return False
        if (s.max_val[a] is not None if s.max_vbal[a] == -1
                else (s.max_vbal[a], s.max_val[a]) not in vv.votes[a]):
            return False
    for m in s.msgs:
        if m[0] == "1b" and (s.max_bal[m[1]] < m[2]
                             or (m[3] >= 0 and (m[3], m[4]) not in vv.votes[m[1]])):
            return False
        if m[0] == "2a" and (not any(shows_safe_at(vv, q, m[1], m[2]) for q in s.quorums)
                             or any(x[0] == "2a" and x[1] == m[1] and x[2] != m[2]
                                    for x in s.msgs)):
            return False
        if m[0] == "2b" and (s.max_vbal[m[1]] < m[2] or ("2a", m[2], m[3]) not in s.msgs):
            return False
    return True


def test_paxos_type_correct_states_are_counted():
    # 11 messages (1a, six 1b, two 2a, two 2b) and 2 x 2 x 3 values of the variables
    assert rf._paxos_type_correct_count(MICRO) == 2 ** 11 * 12 == 24_576
    assert len(rf._paxos_type_correct_states(MICRO)) == 24_576
    assert rf._paxos_type_correct_count(TINY) == 2 ** 72 * 27 ** 3  # 72 messages


def test_paxos_tla_inv_is_inductive_on_the_micro_model():
    result = check_inductive(paxos_tla_inv, MICRO, spec="paxos")
    assert result.ok and result.spec == "paxos"
    assert (result.type_correct, result.satisfying) == (24_576, 114)
    assert "24,576 type-correct Paxos states" in str(result)


def test_no_two_chosen_over_paxos_states_has_a_cti_of_messages():
    result = check_inductive(lambda s: len(s.chosen()) <= 1, MICRO, spec="paxos")
    assert result.initial_ok and result.implies_agreement and not result.inductive
    before, label, after = result.cti
    assert label.startswith("Phase2b(a1) receives 2a(0, ")
    assert (label, after) in set(successors(MICRO, before))
    assert "messages sent: " in str(result)


def test_one_2a_per_ballot_alone_does_not_imply_agreement_over_paxos_states():
    def one_2a(s: rf.PaxosView) -> bool:
        return len({m[2] for m in s.msgs if m[0] == "2a"}) <= 1

    result = check_inductive(one_2a, MICRO, spec="paxos")
    assert result.inductive and not result.implies_agreement


def test_paxos_view():
    s = initial_state(TINY)._replace(
        max_bal=(0, 0, -1), max_vbal=(0, 0, -1), max_val=("v1", "v1", None),
        msgs=frozenset({("2a", 0, "v1"), ("2b", "a1", 0, "v1"), ("2b", "a2", 0, "v1")}))
    view = rf.PaxosView(TINY, s)
    assert view.chosen() == {"v1"} and view.votes()["a2"] == {(0, "v1")}
    assert view.voting().chosen_at(0, "v1") and view.max_val["a3"] is None
    with pytest.raises(RefinementError, match=r"must be a paxos_lib\.tla\.TlaState"):
        rf.PaxosView(TINY, voting_initial(TINY))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: check_inductive(lambda s: True, MICRO, spec="raft"),
         "unknown spec 'raft'; expected 'voting' or 'paxos'"),
        (lambda: check_inductive(lambda s: True, TINY, spec="paxos"),
         r"type-correct Paxos states, more than the 250,000 .*one acceptor|acceptors=1"),
        (lambda: check_inductive(lambda s: None, MICRO, spec="paxos"),
         "must return True or False, but returned None"),
    ],
)
def test_bad_paxos_induction_arguments(call, match):
    with pytest.raises(RefinementError, match=match):
        call()
