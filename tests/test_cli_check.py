"""``python -m paxos_lib check``: verdicts, counts, counterexamples, --json, exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import paxos_lib as px

#: The consensus properties only, for the tests about agreement counterexamples (by default
#: ``check`` also checks the invariants, which most variants break first: test_zoo.py).
CONSENSUS = ",".join(p.name for p in px.properties.PROPERTIES)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paxos_lib", "check", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


#: What a search may say on stderr: progress lines (a long search prints one every few
#: seconds, --json included) and the ballot bounds searched in turn.
PROGRESS = re.compile(r"^(explore( Paxos\.tla)?: [\d,]+ states, depth \d+, .* MB|max-ballot \d+: "
                      r"no violation .*)$")


def run_json(*args: str) -> tuple[int, dict[str, object]]:
    done = run_cli("--json", *args)
    assert all(PROGRESS.match(line) for line in done.stderr.splitlines()), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_tla_model_counts_equal_tlc() -> None:
    code, data = run_json(
        "--model", "tla", "--acceptors", "3", "--values", "2", "--max-ballot", "1"
    )
    assert code == 0
    assert data["ok"] is True and data["end"] == "exhausted"
    assert (data["states"], data["generated"], data["depth"]) == (3_921, 23_563, 17)
    assert data["transitions"] == 23_562 and data["counterexample"] is None
    assert isinstance(data["seconds"], float)


def test_tla_model_with_symmetry_counts_classes() -> None:
    code, data = run_json("--model", "tla", "--max-ballot", "2", "--symmetry")
    assert code == 0 and data["symmetry"] is True
    assert (data["states"], data["generated"], data["depth"]) == (17_153, 127_002, 25)


def test_engine_model_with_symmetry_finds_the_same_shortest_counterexample() -> None:
    args = ("--variant", "forgetful-proposer", "--proposers", "2", "--acceptors", "2",
            "--max-ballot", "1", "--properties", "agreement,validity")
    code, plain = run_json(*args, "--no-symmetry")
    code_sym, reduced = run_json(*args, "--symmetry")
    assert code == code_sym == 1
    assert reduced["symmetry"] is True and plain["symmetry"] is False
    assert len(reduced["counterexample"]) == len(plain["counterexample"])  # type: ignore[arg-type]
    assert reduced["states"] < plain["states"]  # type: ignore[operator]
    assert "a1, a2 interchangeable" in reduced["model"]  # type: ignore[operator]


def test_tla_model_with_singleton_quorums_is_violated() -> None:
    done = run_cli("--model", "tla", "--quorums", "singleton", "--max-ballot", "1")
    assert done.returncode == 1, done.stderr
    assert "VIOLATION: agreement is violated" in done.stdout
    assert "Shortest counterexample to 'agreement' (8 steps):" in done.stdout
    assert "\n8. Phase2b(" in done.stdout and "chosen: v1, v2" in done.stdout


def test_a_broken_variant_prints_a_numbered_shortest_counterexample() -> None:
    done = run_cli("--variant", "forgetful-proposer", "--proposers", "2", "--acceptors", "1",
                   "--max-ballot", "1", "--properties", CONSENSUS)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(
        "Checking forgetful-proposer: 2 proposer(s), 1 acceptor(s), 1 learner(s); "
        "values p1: confirmed, p2: cancelled; sent-set; reduced: "
    )
    assert lines[1].startswith("VIOLATION: agreement violated: 2 values chosen")
    assert "Shortest counterexample to 'agreement' (8 steps):" in lines
    numbered = [ln for ln in lines if re.match(r"^\s*\d+\. ", ln)]
    assert [int(ln.split(".")[0]) for ln in numbered] == list(range(1, 9))
    assert numbered[0].strip() == "1. p1 proposes 'confirmed'"


def test_json_counterexample_replays_in_a_simulation() -> None:
    code, data = run_json("--variant", "amnesiac-acceptor", "--proposers", "2", "--acceptors",
                          "1", "--max-ballot", "1", "--max-crashes", "1",
                          "--properties", CONSENSUS)
    assert code == 1 and data["ok"] is False and data["end"] == "violation"
    assert len(data["counterexample"]) == 10
    trace = px.Trace.from_dict(data["counterexample_trace"])
    sim = px.replay(px.Cluster(proposers=2, acceptors=1), trace)
    assert len(sim.chosen()) == 2


def test_classic_holds_and_exits_zero() -> None:
    done = run_cli("--proposers", "2", "--acceptors", "1", "--max-ballot", "1", "--no-reduce",
                   "--no-symmetry")
    assert done.returncode == 0, done.stderr
    assert ("OK: one-value-per-ballot, votes-within-promise, promises-report-votes, votes-safe, "
            "learned-stable, agreement, validity, learners hold in every state reachable"
            ) in done.stdout
    assert "344 distinct states, 3,421 states generated (3,420 transitions), depth 15" in (
        done.stdout
    )
    assert "sometimes 'chosen': shortest example has 4 steps" in done.stdout


def test_a_search_cut_short_says_so_and_exits_three() -> None:
    done = run_cli("--proposers", "2", "--acceptors", "1", "--max-ballot", "1",
                   "--max-depth", "5")
    assert done.returncode == 3
    assert "INCOMPLETE: search stopped at the depth bound 5" in done.stdout
    code, data = run_json("--proposers", "2", "--acceptors", "1", "--max-states", "10")
    assert code == 3 and data["ok"] is False and data["end"] == "bound"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "spin"], "argument --model: invalid choice: 'spin'"),
        (["--variant", "fast-paxos"], "argument --variant: invalid choice: 'fast-paxos'"),
        (["--max-ballot", "-1"], "--max-ballot: must be a whole number from 0 to 9, got '-1'"),
        (["--max-ballot", "0"], "--max-ballot must be from 1 to 9 with the engine model"),
        (["--max-ballot", "10"], "--max-ballot: must be a whole number from 0 to 9, got '10'"),
        (["--proposers", "1", "--acceptors", "1", "--max-ballot", "100"],
         "--max-ballot: must be a whole number from 0 to 9, got '100'"),
        (["--max-crashes", "lots"], "must be a whole number >= 0, got 'lots'"),
        (["--acceptors", "0"], "must be a whole number from 1 to 26"),
        (["--time-limit", "0"], "--time-limit: must be a number of seconds above 0 and at most"),
        (["--time-limit", "1e400"], "--time-limit: must be a number of seconds above 0"),
        (["--memory-limit", "10"], "--memory-limit: must be a number of megabytes"),
        (["--properties", "liveness"], "unknown property 'liveness'; choose from"),
        (["--values", "0"], "--values must be a count from 1 to 9"),
        (["--values", "-2"], "--values must be a count from 1 to 9 or a comma-separated list"),
        (["--values", "v1,-x"], "--values names cannot start with '-'"),
        (["--model", "tla", "--variant", "snippet"], "--variant cannot be used with --model tla"),
        (["--model", "tla", "--values", "a,b"], "--values is a number of values"),
        (["--model", "tla", "--max-ballot", "99"], "--max-ballot: must be a whole number from 0"),
        (["--model", "tla", "--max-ballot", "7"],
         "--max-ballot must be from 0 to 6 with --model tla"),
        (["--quorums", "singleton"], "--quorums cannot be used with --model engine"),
        (["--variant", "duplicate-ballots", "--symmetry"],
         "symmetry reduction needs interchangeable acceptors, learners or values"),
    ],
)
def test_bad_arguments_exit_two_with_one_line(args: list[str], message: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_help_lists_every_flag() -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    for flag in ("--model", "--variant", "--proposers", "--acceptors", "--max-ballot",
                 "--max-crashes", "--symmetry", "--json", "--quorums", "--time-limit",
                 "--memory-limit", "--reduce", "--no-reduce", "--no-symmetry"):
        assert flag in done.stdout


def test_smaller_ballot_bounds_are_searched_first() -> None:
    code, data = run_json("--variant", "forgetful-proposer", "--proposers", "2",
                          "--acceptors", "1", "--max-ballot", "3", "--properties", CONSENSUS)
    assert code == 1
    assert data["max_ballot_searched"] == 1
    assert len(data["counterexample"]) == 8  # type: ignore[arg-type]
    text = run_cli("--variant", "forgetful-proposer", "--proposers", "2", "--acceptors", "1",
                   "--max-ballot", "3")
    assert "Found while searching ballot rounds up to 1" in text.stdout
    code, data = run_json("--proposers", "1", "--acceptors", "1", "--max-ballot", "2")
    assert code == 0 and data["max_ballot_searched"] == 2  # no violation: every bound searched


def test_defaults_reduce_and_use_symmetry_where_the_model_allows() -> None:
    code, data = run_json("--proposers", "2", "--acceptors", "1", "--max-ballot", "1")
    assert code == 0 and data["end"] == "exhausted"
    assert (data["states"], data["transitions"], data["depth"]) == (102, 521, 13)
    assert "reduced: dead replies and stale proposer state dropped" in data["model"]  # type: ignore[operator]
    assert data["symmetry"] is False  # one acceptor, one learner, a value per proposer
    code, data = run_json("--proposers", "2", "--acceptors", "2", "--max-ballot", "1",
                          "--properties", "agreement,validity")
    assert code == 0 and data["symmetry"] is True
    assert (data["states"], data["transitions"], data["depth"]) == (616, 5_299, 20)


def test_an_incomplete_check_does_not_call_anything_shortest() -> None:
    done = run_cli("--proposers", "2", "--acceptors", "1", "--max-ballot", "2",
                   "--max-states", "20")
    assert done.returncode == 3
    assert "INCOMPLETE" in done.stdout
    assert "shortest" not in done.stdout.split("INCOMPLETE")[1].replace(
        "shortest example", "")
    assert "no counterexample was found" in done.stdout


def test_a_json_run_reports_peak_memory() -> None:
    code, data = run_json("--proposers", "1", "--acceptors", "1", "--max-ballot", "1")
    assert code == 0 and 0 < data["peak_memory_mb"] < 1_500  # type: ignore[operator]


def test_check_prints_the_least_interleaved_shortest_counterexample() -> None:
    # the snippet is safe at ballot round 1 alone: rounds 1 then 2 are searched
    args = ("--variant", "snippet", "--proposers", "2", "--acceptors", "1", "--max-ballot", "2",
            "--properties", CONSENSUS)
    code, least = run_json(*args)
    code_plain, plain = run_json(*args, "--no-least-interleaved")
    assert code == code_plain == 1
    assert least["max_ballot_searched"] == plain["max_ballot_searched"] == 2
    assert len(least["counterexample"]) == len(plain["counterexample"]) == 9  # type: ignore[arg-type]
    assert least["counterexample"] != plain["counterexample"]
    assert "1 switch between proposers, against 3" in least["detail"]  # type: ignore[operator]
