"""Bounded by default, and the least interleaved of the shortest counterexamples."""

from __future__ import annotations

import importlib
from itertools import pairwise

import pytest

import paxos_lib as px
from paxos_lib.errors import ConfigError
from paxos_lib.explore import served, switches
from paxos_lib.search import (
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIME_LIMIT,
    MemoryGauge,
    Progress,
    budget,
)
from paxos_lib.tla import TINY, explore_tla

search_module = importlib.import_module("paxos_lib.search")
explore_module = importlib.import_module("paxos_lib.explore")

ONE_ACCEPTOR = px.Cluster(proposers=2, acceptors=1)
TWO_ACCEPTORS = px.Cluster(proposers=2, acceptors=2)
EACH = {"p1": "v1", "p2": "v2"}
#: The consensus properties only: these tests are about agreement counterexamples (the
#: default also checks the invariants, which most variants break sooner: test_zoo.py).  The
#: snippet is safe at ballot round 1 alone, so it is searched up to round 2.
CONSENSUS = [p.name for p in px.properties.PROPERTIES]
SNIPPET = {"max_ballot": 2, "properties": CONSENSUS}


def test_every_search_has_a_default_time_limit_and_memory_ceiling() -> None:
    assert budget(None, None) == (DEFAULT_TIME_LIMIT, DEFAULT_MEMORY_LIMIT)
    assert budget(5, 100) == (5.0, 100.0)
    assert 0 < MemoryGauge().megabytes() < DEFAULT_MEMORY_LIMIT


def test_without_proc_or_resource_the_memory_is_unknown_not_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Windows and Pyodide have neither: the gauge reads 0 and the time limit bounds the search
    import builtins

    real_import = builtins.__import__

    def no_resource(name: str, *args: object, **kwargs: object) -> object:
        if name == "resource":
            raise ImportError("No module named 'resource'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    gauge = MemoryGauge()
    gauge._statm = False
    monkeypatch.setattr(builtins, "__import__", no_resource)
    assert gauge.megabytes() == 0.0


def test_a_search_over_the_memory_ceiling_ends_memory_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the gauge reads more than the ceiling: the search must stop by itself, not be killed
    monkeypatch.setattr(MemoryGauge, "megabytes", lambda self: 5_000.0)
    result = px.explore(TWO_ACCEPTORS, EACH, max_ballot=1)
    assert result.end == "memory limit" and not result.ok
    assert "memory limit (1,500 MB)" in result.detail and "INCOMPLETE" in result.summary()
    tla = explore_tla(TINY, memory_limit=100)
    assert tla.end == "memory limit" and "memory limit" in tla.detail


def test_a_search_stops_at_its_time_limit() -> None:
    result = px.explore(TWO_ACCEPTORS, EACH, max_ballot=2, time_limit=0.2)
    assert result.end == "time limit" and "time limit (0.2 s)" in result.detail


@pytest.mark.parametrize("limit", [10**400, float("inf"), float("nan"), 0, -1, 86_401, True])
def test_huge_or_bad_time_limits_raise_a_config_error(limit: object) -> None:
    with pytest.raises(ConfigError, match="time_limit must be a positive number of seconds"):
        px.explore(ONE_ACCEPTOR, EACH, time_limit=limit)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="time_limit must be a positive number of seconds"):
        explore_tla(TINY, time_limit=limit)  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [10**400, 10, 0, "1GB"])
def test_bad_memory_limits_raise_a_config_error(limit: object) -> None:
    with pytest.raises(ConfigError, match="memory_limit must be a number of megabytes from 50"):
        px.explore(ONE_ACCEPTOR, EACH, memory_limit=limit)  # type: ignore[arg-type]


def test_progress_lines_go_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(Progress, "LINE_EVERY", 0.0)
    result = px.explore(ONE_ACCEPTOR, EACH, max_ballot=1, progress="lines")
    out, err = capsys.readouterr()
    assert out == "" and result.ok
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("explore: ") and line.endswith(" MB") for line in lines)
    assert f"{result.states:,} states, depth {result.depth}" in lines[-1]
    with pytest.raises(ConfigError, match="progress must be True, False or 'lines'"):
        px.explore(ONE_ACCEPTOR, EACH, progress="bar")  # type: ignore[arg-type]


def test_switches_count_changes_of_the_proposer_a_step_serves() -> None:
    run = px.explore(ONE_ACCEPTOR, EACH, variant="snippet", least_interleaved=False,
                     **SNIPPET).counterexample
    assert run is not None
    who = [served(a, frozenset({"p1", "p2"})) for a in run.steps]
    assert None not in who  # every step here serves one proposer
    changes = sum(1 for x, y in pairwise(who) if x != y)
    assert switches(run.steps, ("p1", "p2")) == changes == 3
    assert served(px.Crash("a1"), frozenset({"p1"})) is None
    assert served(px.Crash("p1"), frozenset({"p1"})) == "p1"


@pytest.mark.parametrize(
    ("variant", "cluster", "kwargs", "length", "first", "least"),
    [
        ("snippet", ONE_ACCEPTOR, SNIPPET, 9, 3, 1),
        ("duplicate-ballots", ONE_ACCEPTOR, {"max_ballot": 1, "properties": CONSENSUS}, 8, 7, 2),
        ("amnesiac-acceptor", ONE_ACCEPTOR,
         {"max_ballot": 1, "max_crashes": 1, "properties": CONSENSUS}, 10, 6, 1),
        ("minority-quorum", TWO_ACCEPTORS, {"max_ballot": 1, "properties": ["agreement"]}, 8, 7,
         1),
    ],
)
def test_the_least_interleaved_shortest_counterexample_is_preferred(
    variant: str, cluster: px.Cluster, kwargs: dict, length: int, first: int, least: int
) -> None:
    plain = px.explore(cluster, EACH, variant=variant, least_interleaved=False, **kwargs)
    chosen = px.explore(cluster, EACH, variant=variant, least_interleaved=True, **kwargs)
    assert plain.counterexample is not None and chosen.counterexample is not None
    # as short as the breadth-first one, with fewer switches, and a real run
    assert len(plain.counterexample) == len(chosen.counterexample) == length
    assert switches(plain.counterexample.steps, cluster.proposer_ids) == first
    assert switches(chosen.counterexample.steps, cluster.proposer_ids) == least
    assert chosen.counterexample.steps != plain.counterexample.steps
    assert len(px.replay(cluster, chosen.counterexample).chosen()) == 2
    assert f"{least} switch" in chosen.detail and f"against {first}" in chosen.detail


def test_snippet_reads_as_one_proposer_then_the_other() -> None:
    run = px.explore(ONE_ACCEPTOR, EACH, variant="snippet", least_interleaved=True,
                     **SNIPPET).counterexample
    assert run is not None
    who = [served(a, frozenset({"p1", "p2"})) for a in run.steps]
    assert who == sorted(who, key=lambda p: p != who[0])  # one block, then the other


def test_the_least_interleaved_search_also_runs_reduced_and_with_symmetry() -> None:
    three = px.Cluster(proposers=2, acceptors=3)
    props = ["agreement", "validity"]
    plain = px.explore(three, EACH, variant="minority-quorum", max_ballot=1, properties=props,
                       least_interleaved=False, reduce=True, symmetry=True)
    least = px.explore(three, EACH, variant="minority-quorum", max_ballot=1, properties=props,
                       reduce=True, symmetry=True, least_interleaved=True)
    assert plain.counterexample is not None and least.counterexample is not None
    assert len(least.counterexample) == len(plain.counterexample) == 8
    assert switches(least.counterexample.steps, three.proposer_ids) == 1
    assert switches(plain.counterexample.steps, three.proposer_ids) == 7


def test_the_api_default_is_the_least_interleaved_and_breadth_first_stays_available() -> None:
    default = px.explore(ONE_ACCEPTOR, EACH, variant="snippet", **SNIPPET)
    chosen = px.explore(ONE_ACCEPTOR, EACH, variant="snippet", least_interleaved=True, **SNIPPET)
    plain = px.explore(ONE_ACCEPTOR, EACH, variant="snippet", least_interleaved=False, **SNIPPET)
    assert default.counterexample is not None and plain.counterexample is not None
    assert chosen.counterexample is not None
    assert default.counterexample.steps == chosen.counterexample.steps
    assert default.counterexample.steps != plain.counterexample.steps
    assert len(default.counterexample) == len(plain.counterexample)
    assert "least interleaved" in default.detail and "least interleaved" not in plain.detail


def lesson_03_start(variant: str) -> px.Simulation:
    """Lesson 03's starting point: p1 has promises from a1 and a2 (seed 0, sent-set)."""
    start = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=0, variant=variant,
                          network="sent-set")
    start.propose("p1", "confirmed")
    for acceptor in ("a1", "a2"):
        start.deliver("prepare", src="p1", dst=acceptor)
        start.deliver("promise", src=acceptor, dst="p1")
    return start


@pytest.mark.parametrize(
    ("variant", "length", "first", "least"),
    [("forgetful-proposer", 14, 5, 1), ("duplicate-ballots", 14, 3, 2)],
)
def test_lesson_03_shows_the_least_interleaved_shortest_counterexample(
    variant: str, length: int, first: int, least: int
) -> None:
    start = lesson_03_start(variant)
    cluster = start.cluster
    clients = {"p1": "confirmed", "p2": "cancelled"}
    bounds = {"max_ballot": 1, "properties": ["agreement"], "start": start, "max_depth": 10}
    shown = px.explore(cluster, clients, **bounds).counterexample  # the lesson's call
    plain = px.explore(cluster, clients, least_interleaved=False, **bounds).counterexample
    assert shown is not None and plain is not None
    assert len(shown) == len(plain) == length
    assert switches(shown.steps, cluster.proposer_ids) == least
    assert switches(plain.steps, cluster.proposer_ids) == first
    assert len(px.replay(cluster, shown).chosen()) == 2
    # the run starts with the starting point, whose steps count towards its switches
    assert shown.steps[: len(start.trace)] == tuple(start.trace.steps)


@pytest.mark.parametrize(
    ("variant", "first", "least"),
    [("forgetful-proposer", 3, 1), ("accept-below-promise", 4, 2), ("duplicate-ballots", 5, 1),
     ("cross-ballot-learner", 8, 1), ("minority-quorum", 7, 1), ("lowest-vote", 2, 1)],
)
def test_the_zoo_catches_each_two_proposer_bug_with_its_least_interleaved_counterexample(
    variant: str, first: int, least: int
) -> None:
    search = px.zoo.SEARCHES[variant]
    shown = px.zoo.catch(variant).counterexample  # lesson 06's call
    plain = px.zoo.catch(variant, least_interleaved=False).counterexample
    assert shown is not None and plain is not None
    assert len(shown) == len(plain) == search.steps
    assert switches(plain.steps, search.cluster.proposer_ids) == first
    assert switches(shown.steps, search.cluster.proposer_ids) == least
