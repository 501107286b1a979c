"""Flexible Paxos: separate phase-1 and phase-2 quorum systems, safe exactly when every
phase-1 quorum meets every phase-2 quorum (paxos_lib.quorums, Cluster, the explorer)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest

import paxos_lib as px
from paxos_lib.explore import explore
from paxos_lib.messages import Ballot, Promise
from paxos_lib.quorums import QuorumError, QuorumSystem, parse_quorum_spec, swap_classes
from paxos_lib.symmetry import Symmetry
from paxos_lib.variants import rules_for
from paxos_lib.zoo import NO_LEARNERS

CLIENTS = {"p1": "v1", "p2": "v2"}
ROWS = [["a1", "a2"], ["a3", "a4"]]
COLUMNS = [["a1", "a3"], ["a2", "a4"]]


def flex(n: int, q1: object, q2: object, proposers: int = 2) -> px.Cluster:
    return px.Cluster(proposers=proposers, acceptors=n, phase1_quorum=q1, phase2_quorum=q2)


def search(cluster: px.Cluster, **kwargs: object) -> px.ExploreResult:
    return explore(cluster, CLIENTS, max_ballot=1, properties=NO_LEARNERS, **kwargs)


# -- the configuration ----------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"phase1_quorum": 0}, r"phase1_quorum must be from 1 to 4 \(the number of acceptors\), "
                           r"got 0"),
    ({"phase2_quorum": 5}, r"phase2_quorum must be from 1 to 4 .*got 5"),
    ({"phase1_quorum": True}, r"phase1_quorum must be an int from 1 to 4 or a list of sets"),
    ({"phase1_quorum": "a1"}, r"phase1_quorum must be an int .* got 'a1'"),
    ({"phase1_quorum": [["a1", "a9"]]}, r"quorum \['a1', 'a9'\] names 'a9', which is not an "
                                        r"acceptor; the acceptors are 'a1', 'a2', 'a3' or 'a4'"),
    ({"phase2_quorum": [["p1"]]}, r"names 'p1', which is not an acceptor"),
    ({"phase2_quorum": [[]]}, r"a quorum must name at least one acceptor"),
    ({"phase2_quorum": []}, r"phase2_quorum must list at least one quorum"),
    ({"phase2_quorum": ["a1"]}, r"each quorum is a set of acceptor names"),
    ({"phase2_quorum": [["a1", "a1"]]}, r"names an acceptor twice"),
    ({"quorum": 2, "phase1_quorum": 3}, r"give either quorum=2 .* or phase1_quorum/"
                                        r"phase2_quorum"),
])
def test_bad_quorums_are_refused_naming_the_value(kwargs: dict, message: str) -> None:
    with pytest.raises(QuorumError, match=message) as caught:
        px.Cluster(proposers=1, acceptors=4, **kwargs)
    assert isinstance(caught.value, px.ConfigError) and isinstance(caught.value, px.PaxosError)


def test_sizes_intersect_exactly_when_they_add_up_to_more_than_n() -> None:
    for n in range(1, 6):
        for q1, q2 in itertools.product(range(1, n + 1), repeat=2):
            cluster = flex(n, q1, q2)
            assert cluster.quorums_intersect() == (q1 + q2 > n), (n, q1, q2)
            pair = cluster.disjoint_quorums()
            if pair is None:
                continue
            one, two = pair
            assert len(one) == q1 and len(two) == q2 and not set(one) & set(two)


def test_explicit_sets_rows_meet_columns_but_not_rows() -> None:
    grid = flex(4, ROWS, COLUMNS)
    assert grid.quorums_intersect() and grid.disjoint_quorums() is None
    rows = flex(4, ROWS, ROWS)
    assert not rows.quorums_intersect()
    assert rows.disjoint_quorums() == (("a1", "a2"), ("a3", "a4"))
    mixed = flex(4, 3, COLUMNS)  # any 3 of 4 meets every column (size 2 > 4 - 3)
    assert mixed.quorums_intersect()
    assert flex(4, 2, COLUMNS).disjoint_quorums() == (("a2", "a4"), ("a1", "a3"))


def test_quorum_systems_answer_membership_and_tolerance() -> None:
    acceptors = ("a1", "a2", "a3", "a4")
    rows = QuorumSystem.of(acceptors, (("a1", "a2"), ("a3", "a4")))
    assert rows.contains(["a2", "a1"]) and rows.contains(["a1", "a2", "a3"])
    assert not rows.contains(["a1", "a3"]) and rows.tolerates() == 1
    assert QuorumSystem.of(acceptors, 3).tolerates() == 1
    assert QuorumSystem.of(acceptors, 2).describe() == "any 2 of 4"
    assert rows.describe() == "{a1, a2} or {a3, a4}"


def test_cluster_round_trips_and_old_json_is_unchanged() -> None:
    assert "phase1_quorum" not in px.Cluster(acceptors=3).to_dict()
    cluster = flex(4, 3, COLUMNS)
    data = json.loads(json.dumps(cluster.to_dict()))
    assert data["phase1_quorum"] == 3 and data["phase2_quorum"] == COLUMNS
    assert px.Cluster.from_dict(data) == cluster and hash(px.Cluster.from_dict(data))
    assert "phase-1 quorum any 3 of 4, phase-2 quorum {a1, a3} or {a2, a4}" in str(cluster)
    assert cluster.quorum_size == 2
    sim = px.Simulation(cluster, seed=1)
    sim.propose("p1", "v1")
    sim.run(max_steps=300)
    again = px.Trace.from_json(sim.trace.to_json())
    assert again.cluster == cluster and px.replay(cluster, again).world == sim.world


def test_minority_quorum_variant_refuses_phase_quorums() -> None:
    with pytest.raises(px.ConfigError, match="cannot run with phase1_quorum/phase2_quorum"):
        rules_for(flex(3, 2, 2), "minority-quorum")


# -- the roles ------------------------------------------------------------------------------


def test_a_proposer_waits_for_a_phase1_quorum_set_not_a_count() -> None:
    rules = rules_for(flex(4, ROWS, COLUMNS, proposers=1), "classic")
    p, _ = px.Proposer(node="p1").on_propose("v1", rules)
    b = Ballot(1, "p1")
    for a in ("a1", "a3"):  # two promises, but no row
        p, effects = p.on_promise(Promise(src=a, dst="p1", ballot=b), rules)
        assert p.phase == "preparing" and effects == ()
    p, effects = p.on_promise(Promise(src="a2", dst="p1", ballot=b), rules)  # row a1, a2
    assert p.phase == "accepting" and len(effects) == 4


# -- the explorer ---------------------------------------------------------------------------


def test_three_acceptors_promise_all_vote_one_is_safe_and_two_one_is_not() -> None:
    safe = search(flex(3, 3, 1), reduce=True, symmetry=True)
    assert safe.ok and safe.end == "exhausted"
    unsafe = search(flex(3, 2, 1), reduce=True, symmetry=True, least_interleaved=True)
    assert unsafe.violation == "agreement" and len(unsafe.counterexample) == 12
    # the counterexample replays: two values chosen by disjoint quorums
    sim = px.replay(unsafe.counterexample.cluster, unsafe.counterexample)
    assert sim.chosen() == {"v1", "v2"}


def test_four_acceptors_three_two_is_safe_two_two_gives_a_shortest_counterexample() -> None:
    safe = search(flex(4, 3, 2), reduce=True, symmetry=True)
    assert safe.ok and safe.end == "exhausted" and safe.states == 19_343
    unsafe = search(flex(4, 2, 2), reduce=True, symmetry=True)
    assert unsafe.violation == "agreement" and len(unsafe.counterexample) == 14
    assert px.replay(unsafe.counterexample.cluster, unsafe.counterexample).chosen() == {
        "v1", "v2"}


def test_explicit_rows_for_both_phases_are_caught() -> None:
    """Each proposer needs one row's promises and votes: 1 + 2 + 2 + 2 steps each."""
    rows = search(flex(4, ROWS, ROWS), reduce=True, symmetry="auto")
    assert rows.violation == "agreement" and len(rows.counterexample) == 14


# -- symmetry and reduction stay sound --------------------------------------------------------


def test_swap_classes_keep_only_swaps_that_preserve_the_quorums() -> None:
    acceptors = ("a1", "a2", "a3", "a4")
    star = (QuorumSystem.of(acceptors, (("a1",),)),
            QuorumSystem.of(acceptors, (("a1", "a2"), ("a1", "a3"))))
    assert swap_classes(acceptors, star) == (("a1",), ("a2", "a3"), ("a4",))
    grid = (QuorumSystem.of(acceptors, (("a1", "a2"), ("a3", "a4"))),
            QuorumSystem.of(acceptors, (("a1", "a3"), ("a2", "a4"))))
    assert swap_classes(acceptors, grid) == (("a1",), ("a2",), ("a3",), ("a4",))
    assert swap_classes(acceptors, (QuorumSystem.of(acceptors, 2),)) == (acceptors,)


def test_every_renaming_the_explorer_uses_maps_the_quorums_onto_themselves() -> None:
    cluster = flex(4, [["a1"]], [["a1", "a2"], ["a1", "a3"]])
    sym = Symmetry.of(cluster, unique_ballots=True, partitions=False, values=("v1", "v2"),
                      clients=None)
    assert sym.node_groups == (("a2", "a3"),)
    for g in sym.renamings:
        for system in (cluster.phase1_quorums, cluster.phase2_quorums):
            assert {frozenset(g.node(a) for a in q) for q in system.sets} == set(system.sets)
    with pytest.raises(px.ConfigError, match="explicit quorum sets single out every acceptor"):
        Symmetry.of(flex(4, ROWS, COLUMNS), unique_ballots=True, partitions=False,
                    values=("v1", "v2"), clients={"p1": frozenset({"v1"}),
                                                  "p2": frozenset({"v2"})})


STAR = [["a1", "a2"], ["a1", "a3"]]  # a2 and a3 interchangeable, a1 not


@pytest.mark.parametrize(("q1", "q2", "ok"), [
    ([["a1"]], STAR, True),           # a1 is in every phase-2 quorum
    ([["a2"], ["a3"]], STAR, False),  # {a3} misses {a1, a2}
])
def test_partial_symmetry_and_reduction_keep_verdicts_and_lengths(
    q1: object, q2: object, ok: bool
) -> None:
    cluster = flex(3, q1, q2)
    assert cluster.quorums_intersect() == ok
    base = search(cluster, reduce=True)
    runs = [{"reduce": True, "symmetry": True}]
    if not ok:  # a violation ends the search early: the plain searches are cheap too
        runs += [{}, {"symmetry": True}]
    for kwargs in runs:
        other = search(cluster, **kwargs)
        assert other.ok == base.ok == ok, kwargs
        assert other.violation == base.violation
        if not ok:
            assert len(other.counterexample) == len(base.counterexample) == 10
            assert px.replay(cluster, other.counterexample).chosen() == {"v1", "v2"}
    sym = search(cluster, reduce=True, symmetry=True)
    assert ok is False or sym.states < base.states


# -- the command line -----------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paxos_lib", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def test_check_and_simulate_take_the_two_quorums() -> None:
    bad = cli("check", "--acceptors", "3", "--phase1-quorum", "2", "--phase2-quorum", "1",
              "--max-ballot", "1", "--properties", "agreement", "--json")
    assert bad.returncode == 1, bad.stderr
    data = json.loads(bad.stdout)
    assert data["violation"] == "agreement" and len(data["counterexample"]) == 12
    good = cli("simulate", "--acceptors", "4", "--phase1-quorum", "a1,a2/a3,a4",
               "--phase2-quorum", "a1,a3/a2,a4", "--seed", "3", "--json")
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["cluster"]["phase2_quorum"] == COLUMNS
    wrong = cli("simulate", "--acceptors", "3", "--phase2-quorum", "a1,a7")
    assert wrong.returncode == 2 and "names 'a7', which is not an acceptor" in wrong.stderr
    empty = cli("check", "--phase1-quorum", "a1,/")
    assert empty.returncode == 2 and "an empty set" in empty.stderr


def test_parse_quorum_spec() -> None:
    assert parse_quorum_spec(" 3 ") == 3
    assert parse_quorum_spec("a1,a2/a3") == (("a1", "a2"), ("a3",))
    with pytest.raises(QuorumError, match="a size such as 3"):
        parse_quorum_spec("")


def test_the_bench_measures_the_trade_off_on_the_engine() -> None:
    from paxos_lib.flexible import measure

    with pytest.raises(px.ConfigError, match="acceptors must be an int from 1 to 9, got 0"):
        measure(0)
    rows = measure(4, seeds=3)
    assert [(r["phase1_quorum"], r["phase2_quorum"]) for r in rows] == [
        (4, 1), (3, 2), (2, 3), (1, 4)]
    assert [r["phase2_survives"] for r in rows] == [3, 2, 1, 0]  # n - q2
    assert [r["phase1_survives"] for r in rows] == [0, 1, 2, 3]  # n - q1
    leader_change = [r["phase1_messages"] for r in rows]
    assert leader_change == sorted(leader_change, reverse=True)
    assert all(c >= 2 * r["phase1_quorum"] for c, r in zip(leader_change, rows, strict=True))
    cost = [r["phase2_messages"] for r in rows]
    assert cost == sorted(cost) and all(c >= 2 * r["phase2_quorum"] for c, r in zip(
        cost, rows, strict=True))


def test_the_trade_off_figure_draws_four_lines_from_measure() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from paxos_lib.flexible import measure

    rows = measure(3, seeds=2)
    ax = px.viz.plot_flexible_tradeoff(rows)
    lines = ax.get_lines()
    assert len(lines) == 4
    assert [list(line.get_xdata()) for line in lines] == [[1, 2, 3]] * 4
    assert list(lines[2].get_ydata()) == [2, 1, 0]  # slow acceptors a command survives
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {
        "messages per command (phase 2)", "crashes a leader change survives"}
    with pytest.raises(px.ConfigError, match=r"missing \['phase1_survives'\]"):
        px.viz.plot_flexible_tradeoff([{k: v for k, v in rows[0].items()
                                        if k != "phase1_survives"}])


def test_repr_names_the_phase_quorums_only_when_given() -> None:
    assert repr(px.Cluster()) == "Cluster(proposers=1, acceptors=3, learners=1, quorum=None)"
    flexible = px.Cluster(acceptors=4, phase1_quorum=3, phase2_quorum=2)
    assert repr(flexible).endswith("quorum=None, phase1_quorum=3, phase2_quorum=2)")
    assert eval(repr(flexible), {"Cluster": px.Cluster}) == flexible
