"""A leader elected by heartbeats and timeouts, on the same engine and clock: a false
suspicion makes two leaders at once, which stays safe, and back-off plus a growing timeout
end it."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib import liveness
from paxos_lib.errors import ConfigError, UnknownNodeError
from paxos_lib.liveness import ELECTION, race

# p1's heartbeats are lost for ticks 0-11 while p1 works on; slow accepts keep the race open
HICCUP = {"suspect_after": 3, "hiccup": ("p1", 0, 12), "accept_latency": (12, 16)}


def test_a_false_suspicion_makes_two_leaders_and_still_one_value_is_chosen() -> None:
    r = race(ELECTION, seed=0, **HICCUP)
    assert r.two_leaders, "p2 wrongly suspected p1, so both believed they led"
    assert all(r.leaders[t] == ("p1", "p2") for t in r.two_leaders)
    assert "p2 suspects p1: no heartbeat for 4 ticks (but it is up)" in r.story()
    assert "two leaders at once: p1 and p2 each believe they lead" in r.story()
    assert r.decided and len(r.chosen) == 1 and r.ok
    sim = px.replay(r.trace.cluster, r.trace)  # every step went through the engine
    assert sim.chosen() == r.chosen and sim.ok


def test_the_suspicion_ends_and_its_timeout_doubles() -> None:
    r = race(ELECTION, seed=0, **HICCUP)
    assert "p2 hears p1 again and trusts it; it will now wait 6 ticks" in r.story()
    assert r.leaders[-1] == ("p1",), "once p1 is heard again, only p1 leads"
    last_two = max(r.two_leaders)
    assert all(len(who) == 1 for who in r.leaders[last_two + 1:])


def test_with_two_leaders_every_race_ends_and_stays_safe() -> None:
    faults = px.Faults(drop=0.1, duplicate=0.05, crash=0.02)
    races = [race(ELECTION, seed=s, suspect_after=3, hiccup=("p1", 0, 40), faults=faults)
             for s in range(40)]
    assert sum(bool(r.two_leaders) for r in races) >= 30
    assert all(r.ok for r in races)
    assert all(r.decided for r in races), [r.seed for r in races if not r.decided]


def test_back_off_ends_a_two_leader_duel_sooner_than_retrying_at_once() -> None:
    seeds = range(60)
    elected = [race(ELECTION, seed=s, suspect_after=3, hiccup=("p1", 0, 400)) for s in seeds]
    assert all(r.two_leaders for r in elected)
    at_once = [race("leader", seed=s, leaders=("p1", "p2")) for s in seeds]
    slowest = max(r.steps or 10**6 for r in elected)
    assert slowest < max(r.steps or 10**6 for r in at_once)
    assert sum(r.steps or 0 for r in elected) < sum(r.steps or 0 for r in at_once)


def test_a_steady_network_elects_one_leader() -> None:
    for s in range(20):
        r = race(ELECTION, seed=s)
        assert not r.two_leaders and r.decided and r.ok
        assert all(who == ("p1",) for who in r.leaders)


def test_a_crashed_leader_is_replaced() -> None:
    r = race(ELECTION, seed=3, faults=px.Faults(crash=0.05, recover=0.05), proposers=3,
             max_steps=600)
    assert r.ok and r.decided
    if any("p1 crashes" in what for _, what in r.events):
        assert "suspects p1" in r.story()


def test_same_arguments_same_election() -> None:
    assert race(ELECTION, seed=5, **HICCUP) == race(ELECTION, seed=5, **HICCUP)


def test_election_arguments_are_checked() -> None:
    with pytest.raises(ConfigError, match="hiccup= goes with strategy 'heartbeat'"):
        race("duel", hiccup=("p1", 0, 5))
    with pytest.raises(UnknownNodeError, match="'a1' is an acceptor"):
        race(ELECTION, hiccup=("a1", 0, 5))
    with pytest.raises(ConfigError, match="hiccup must be"):
        race(ELECTION, hiccup=("p1", 5))
    with pytest.raises(ConfigError, match="suspect_after must be an int >= 1"):
        race(ELECTION, suspect_after=0)
    with pytest.raises(ConfigError, match="'heartbeat'"):
        race("oracle")
    assert ELECTION not in liveness.STRATEGIES


def test_the_election_figure_draws_beliefs_and_two_leaders() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = race(ELECTION, seed=0, **HICCUP)
    ax = liveness.plot_election(r)
    bars = [c for c in ax.collections if c.get_label().endswith("believes it leads")]
    assert [b.get_label() for b in bars] == ["p1 believes it leads", "p2 believes it leads"]
    spans = [p for p in ax.patches if p.get_alpha() == 0.15]
    assert len(spans) == len(r.two_leaders)
    marks = [line.get_marker() for line in ax.lines]
    assert marks.count("x") == 1 and marks.count("o") == 1  # suspect, then trust again
    plt.close(ax.figure)
    with pytest.raises(ConfigError, match="plot_election needs a Race run with strategy"):
        liveness.plot_election(race("duel", seed=0))
