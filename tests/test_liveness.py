"""Liveness strategies are environment policies over the unchanged engine: races are
deterministic, replay through the engine, stay safe whatever the timing, and the remedies
shorten duels."""

from __future__ import annotations

import random

import pytest

import paxos_lib as px
from paxos_lib import liveness
from paxos_lib.liveness import Timings, first_up, race, random_backoff, steps_to_decision


def test_same_arguments_same_race() -> None:
    a = race("duel", seed=3, faults=px.Faults(drop=0.1, duplicate=0.1))
    b = race("duel", seed=3, faults=px.Faults(drop=0.1, duplicate=0.1))
    assert a == b
    assert a.trace.steps == b.trace.steps
    assert race("duel", seed=4).trace.steps != a.trace.steps


def test_a_race_replays_through_the_engine() -> None:
    r = race("backoff", seed=5, faults=px.Faults(drop=0.2, duplicate=0.1, crash=0.02))
    sim = px.replay(r.trace.cluster, r.trace)
    assert sim.chosen() == r.chosen
    assert sim.learned() == r.learned
    assert [v.holds for v in sim.check()] == [v.holds for v in r.verdicts]


def test_a_race_ends_when_a_value_is_chosen() -> None:
    r = race("leader", seed=0)
    assert r.decided and r.steps is not None
    assert len(r.chosen) == 1 and r.chosen <= set(liveness.VALUES)
    for rounds in r.rounds.values():
        assert len(rounds) == r.steps + 1
        assert list(rounds) == sorted(rounds), "a proposer's ballots only go up"
    assert "chosen at step" in str(r) and str(r).endswith("safe")


def test_pinned_duel() -> None:
    """Regression alarm: the longest of 50 seeded duels on the default network."""
    duels = [race("duel", seed=s) for s in range(50)]
    longest = max(duels, key=lambda r: r.steps or 0)
    assert (longest.seed, longest.steps, longest.ballots) == (17, 166, {"p1": 21, "p2": 20})
    assert race("backoff", seed=17).steps == 13
    assert race("leader", seed=17).steps == 11


def test_remedies_shorten_duels() -> None:
    duel = steps_to_decision("duel", 40, progress=False)
    backoff = steps_to_decision("backoff", 40, progress=False)
    leader = steps_to_decision("leader", 40, progress=False)
    p90 = {t.strategy: t.percentile(90) for t in (duel, backoff, leader)}
    assert p90["duel"] is not None and p90["backoff"] is not None and p90["leader"] is not None
    assert p90["duel"] > 2 * p90["backoff"] and p90["duel"] > 2 * p90["leader"]
    assert sum(duel.ballots) > 2 * max(sum(backoff.ballots), sum(leader.ballots))


def test_only_the_leader_retries() -> None:
    for seed in range(20):
        r = race("leader", seed=seed)
        assert r.ballots["p2"] == 1, "p2 tries once (its client asked it) and then defers"
    r = race("leader", seed=0, leaders=("p2",))
    assert r.ballots["p1"] == 1


def test_the_next_proposer_takes_over_when_the_leader_crashes() -> None:
    assert first_up("p1", ("p1", "p2")) and not first_up("p2", ("p1", "p2"))
    assert first_up("p2", ("p2", "p3"))
    assert not first_up("p1", ())
    faults = px.Faults(crash=0.05, recover=0.02)
    races = [race("leader", seed=s, proposers=3, faults=faults) for s in range(30)]
    assert all(r.decided and r.ok for r in races)
    took_over = [r for r in races
                 if any(isinstance(a, px.Crash) and a.node == "p1" for a in r.trace.steps)
                 and r.ballots["p2"] + r.ballots["p3"] > 2]
    assert took_over, "in some race p1 crashed and another proposer led"


def test_two_leaders_are_safe() -> None:
    faults = px.Faults(drop=0.2, duplicate=0.1, crash=0.02)
    races = [race("leader", seed=s, leaders=("p1", "p2"), faults=faults) for s in range(60)]
    assert all(r.ok for r in races)
    assert all(len(r.chosen) <= 1 for r in races)
    assert sum(r.decided for r in races) >= 55


def test_safety_never_depends_on_the_strategy() -> None:
    faults = px.Faults(drop=0.3, duplicate=0.2, crash=0.05, partition=0.05)
    for strategy in liveness.STRATEGIES:
        for seed in range(15):
            assert race(strategy, seed=seed, proposers=3, faults=faults).ok


def test_a_custom_backoff() -> None:
    waits: list[int] = []

    def mine(attempt: int, rng: random.Random) -> int:
        w = rng.randint(0, 10 * attempt)
        waits.append(w)
        return w

    r = race(mine, seed=17)
    assert r.strategy == "mine" and r.decided and r.error is None
    assert waits, "a refused proposer asked the back-off function"
    by_name, by_function = race("backoff", seed=17), race(random_backoff, seed=17)
    assert by_function.strategy == "random_backoff"
    assert by_function.trace == by_name.trace and by_function.steps == by_name.steps


@pytest.mark.parametrize("bad, says", [
    (lambda a, r: 1 / 0, "your back-off raised ZeroDivisionError"),
    (lambda a, r: "soon", "your back-off returned 'soon' for attempt 1"),
    (lambda a, r: -2, "a wait cannot be < 0"),
])
def test_a_broken_backoff_is_reported_not_raised(bad, says) -> None:  # type: ignore[no-untyped-def]
    r = race(bad, seed=17)
    assert r.error is not None and says in r.error
    assert r.ok


def test_a_broken_leader_rule_is_reported_not_raised() -> None:
    def rule(me: str, up: tuple[str, ...]) -> bool:
        raise KeyError(me)

    r = race("leader", seed=17, leaders=rule)
    assert r.error is not None and "your leader rule raised KeyError" in r.error


def test_timings() -> None:
    t = Timings("duel", 0.1, (0, 1, 2, 3), (10, None, 30, 20), 100, (2, 9, 4, 3), 0)
    assert t.undecided == 1
    assert t.median == 20.0  # the undecided race counts as the slowest
    assert t.percentile(0) == 10.0
    assert t.percentile(100) is None
    assert "never" in str(t) and "loss  10%" in str(t)
    done = steps_to_decision("leader", [0, 1, 2], 0.1, progress=False)
    assert done.seeds == (0, 1, 2) and done.fault_rate == 0.1 and done.unsafe == 0
    assert done.steps == tuple(
        race("leader", s, faults=px.Faults(drop=0.1)).steps for s in (0, 1, 2))


def test_progress_bar(capsys) -> None:  # type: ignore[no-untyped-def]
    t = steps_to_decision("backoff", 3, progress=True)
    assert len(t.steps) == 3
    assert "backoff, loss 0%" in capsys.readouterr().err


@pytest.mark.parametrize("call, match", [
    (lambda: race("fast"), r"unknown strategy 'fast'; choose 'duel', 'backoff' or 'leader'"),
    (lambda: race(42), r"strategy must be 'duel', 'backoff' or 'leader' or a function"),
    (lambda: race("duel", seed=1.5), r"seed must be an int, got 1.5"),
    (lambda: race("duel", proposers=0), r"proposers must be an int >= 1, got 0"),
    (lambda: race("duel", max_steps=-1), r"max_steps must be an int >= 0, got -1"),
    (lambda: race("duel", latency=(0, 2)), r"latency must be \(fewest, most\) ticks"),
    (lambda: race("duel", accept_latency=(5, 2)), r"accept_latency must be \(fewest, most\)"),
    (lambda: race("duel", faults={"drop": 0.1}), r"faults must be a Faults"),
    (lambda: race("duel", leaders=("p1",)), r"leaders= goes with strategy 'leader'"),
    (lambda: race("leader", leaders=("a1",)), r"a1"),
    (lambda: race("leader", leaders=()), r"leaders must name the proposers"),
    (lambda: steps_to_decision("duel", "many"), r"seeds must be a count or a list of ints"),
    (lambda: steps_to_decision("duel", 0), r"seeds must be an int >= 1, got 0"),
    (lambda: steps_to_decision("duel", 3, 1.5), r"drop must be a probability"),
    (lambda: steps_to_decision("duel", 3, faults=px.Faults()), r"pass fault_rate="),
])
def test_bad_arguments(call, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(px.ConfigError, match=match):
        call()


def test_plots() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    races = [race(s, seed=17) for s in liveness.STRATEGIES]
    axes = liveness.plot_rounds(races)
    assert len(axes) == 3
    assert [len(ax.lines) for ax in axes] == [3, 3, 3]  # two proposers and the decision line
    assert axes[0].get_ylabel() == "ballot round"
    one = liveness.plot_rounds(races[0])
    assert len(one) == 1
    timings = [steps_to_decision(s, 5, progress=False) for s in liveness.STRATEGIES]
    ax = liveness.plot_steps(timings)
    assert len(ax.collections) == 6  # one strip of dots and one median bar per strategy
    assert ax.get_xticklabels()[0].get_text() == "duel\nloss 0%"
    with pytest.raises(px.ConfigError, match="plot_rounds needs a Race"):
        liveness.plot_rounds([])
    with pytest.raises(px.ConfigError, match="plot_steps needs a list of Timings"):
        liveness.plot_steps([1])
    plt.close("all")


def test_compare_is_steps_to_decision_for_each_rate_and_strategy(capsys) -> None:  # type: ignore[no-untyped-def]
    got = liveness.compare(("duel", "leader"), (0.0, 0.2), 4, progress=True)
    assert [(t.strategy, t.fault_rate) for t in got] == [
        ("duel", 0.0), ("leader", 0.0), ("duel", 0.2), ("leader", 0.2)]
    assert got[3] == steps_to_decision("leader", 4, 0.2, progress=False)
    assert "races: 100%" in capsys.readouterr().err
    with pytest.raises(px.ConfigError, match="strategies must be a list"):
        liveness.compare("duel")
    with pytest.raises(px.ConfigError, match="unknown strategy 'slow'"):
        liveness.compare(["slow"])
    with pytest.raises(px.ConfigError, match="fault_rates must be a list"):
        liveness.compare(fault_rates=0.1)
    with pytest.raises(px.ConfigError, match="drop must be a probability"):
        liveness.compare(fault_rates=[2])
