"""The acceptor as the Part-Time Parliament, Paxos Made Simple and Paxos.tla write it: each
one rule away from classic, each safe, each with its own runs (paxos_lib.presentations)."""

from __future__ import annotations

import pytest

import paxos_lib as px
from paxos_lib.messages import Accept, Ballot, Prepare
from paxos_lib.presentations import MODEL, NAMES, compare, overtaken_accept
from paxos_lib.variants import BROKEN, PRESENTATIONS, check_variant, rules_for

B1 = Ballot(1, "p1")


def test_presentations_are_named_apart_from_the_broken_variants() -> None:
    assert list(PRESENTATIONS) == ["part-time-parliament", "paxos-made-simple", "paxos-tla"]
    assert not set(PRESENTATIONS) & set(px.VARIANTS) and not set(PRESENTATIONS) & set(BROKEN)
    for name in PRESENTATIONS:
        assert check_variant(name) == name
    with pytest.raises(px.ConfigError, match=r"unknown variant 'paxos-made-hard'; choose .*"
                                             r"'part-time-parliament', 'paxos-made-simple'"):
        check_variant("paxos-made-hard")


def test_each_presentation_changes_one_rule_of_classic() -> None:
    fields = ("quorum", "promise_reports_accepted", "pick_vote", "unique_ballots",
              "acceptor_storage_durable", "accept_checks_promise", "seed_acceptor",
              "proposer_round_durable", "learner_counts_one_ballot", "promise_strict",
              "accept_rule")
    base = rules_for(px.Cluster(acceptors=3), "classic")
    changed = {
        name: [(f, getattr(rules_for(px.Cluster(acceptors=3), name), f)) for f in fields
               if getattr(rules_for(px.Cluster(acceptors=3), name), f) != getattr(base, f)]
        for name in PRESENTATIONS
    }
    assert changed == {
        "part-time-parliament": [("accept_rule", "equal")],
        "paxos-made-simple": [("accept_rule", "at-least-keep-promise")],
        "paxos-tla": [("promise_strict", True)],
    }


def test_every_presentation_is_safe_with_pinned_counts() -> None:
    """Reduced, symmetric counts on MODEL; the classic, Part-Time Parliament and Paxos.tla
    acceptors reach the same canonical worlds (their differences are dead replies and
    re-deliveries of a Prepare still in the sent set), Paxos Made Simple's reaches more."""
    got = {v: compare(v) for v in NAMES}
    assert {v: (c.ok, c.states, c.transitions) for v, c in got.items()} == {
        "classic": (True, 636, 5_880),
        "part-time-parliament": (True, 636, 5_880),
        "paxos-made-simple": (True, 1_721, 16_603),
        "paxos-tla": (True, 636, 5_880),
    }
    assert {v: (c.breaks, c.breaks_at) for v, c in got.items()} == {
        "classic": (None, 0),
        "part-time-parliament": (None, 0),
        "paxos-made-simple": ("votes-within-promise", 4),
        "paxos-tla": (None, 0),
    }


def test_an_accept_that_overtakes_its_prepare_is_where_they_differ() -> None:
    a2 = {v: overtaken_accept(v).world.nodes[MODEL.index("a2")] for v in NAMES}
    assert a2["classic"] == px.Acceptor(node="a2", promised=B1, accepted_ballot=B1,
                                        accepted_value="v1")
    assert a2["paxos-tla"] == a2["classic"]
    assert a2["part-time-parliament"] == px.Acceptor(node="a2")  # refused: nothing promised
    assert a2["paxos-made-simple"] == px.Acceptor(node="a2", accepted_ballot=B1,
                                                  accepted_value="v1")  # no promise raised
    assert [str(s) for s in overtaken_accept("classic").trace][-1].startswith("deliver")


def test_a_repeated_prepare_gets_a_second_promise_only_in_classic() -> None:
    prepare = Prepare(src="p1", dst="a1", ballot=B1)
    for variant, replies in (("classic", 1), ("paxos-tla", 0), ("paxos-made-simple", 1),
                             ("part-time-parliament", 1)):
        rules = rules_for(px.Cluster(acceptors=3), variant)
        once, _ = px.Acceptor(node="a1").on_prepare(prepare, rules)
        again, effects = once.on_prepare(prepare, rules)
        assert again == once and len(effects) == replies, variant


def test_the_part_time_parliament_refuses_a_lower_ballot_with_a_nack() -> None:
    rules = rules_for(px.Cluster(acceptors=3), "part-time-parliament")
    a = px.Acceptor(node="a1", promised=Ballot(2, "p2"))
    same, effects = a.on_accept(Accept(src="p1", dst="a1", ballot=B1, value="v1"), rules)
    assert same == a and [type(e.message).__name__ for e in effects] == ["Nack"]
    higher, effects = a.on_accept(Accept(src="p1", dst="a1", ballot=Ballot(3, "p1"),
                                         value="v1"), rules)
    assert higher == a and effects == ()  # promised 2.p2, not 3.p1: no vote, no reply


def test_unknown_presentation_is_refused() -> None:
    with pytest.raises(px.ConfigError, match=r"unknown presentation 'snippet'; choose "
                                             r"'classic', 'part-time-parliament'"):
        compare("snippet")
    with pytest.raises(px.ConfigError, match="unknown presentation"):
        overtaken_accept("nope")


def test_the_cli_runs_a_presentation() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "paxos_lib", "check", "--variant", "paxos-made-simple",
         "--acceptors", "2", "--phase1-quorum", "1", "--phase2-quorum", "2", "--max-ballot",
         "1", "--properties", "agreement,votes-within-promise"],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stderr
    assert "votes-within-promise violated" in done.stdout
