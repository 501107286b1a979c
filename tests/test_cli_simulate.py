"""``python -m paxos_lib simulate``: trace and verdict, --json, exit codes, bad flags."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import paxos_lib as px


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paxos_lib", "simulate", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_json(*args: str) -> tuple[int, dict[str, object]]:
    done = run_cli("--json", *args)
    assert done.stderr == ""
    return done.returncode, json.loads(done.stdout)


def test_a_classic_run_prints_a_numbered_trace_and_a_safe_verdict() -> None:
    done = run_cli("--seed", "3", "--drop", "0.1", "--crash", "0.05")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0] == ("Simulating 2 proposer(s), 3 acceptor(s), 1 learner(s); variant classic, "
                        "network lossy, seed 3")
    assert lines[1] == ("Faults: drop 0.1, duplicate 0, crash 0.05, recover 0.1, partition 0, "
                        "heal 0.1, timeout 0")
    assert " 1. p1 proposes 'confirmed'" in lines
    assert " 2. p2 proposes 'cancelled'" in lines
    numbered = [ln for ln in lines if re.match(r"^\s*\d+\. ", ln)]
    assert len(numbered) >= 6
    assert [int(ln.split(".")[0]) for ln in numbered] == list(range(1, len(numbered) + 1))
    assert any(ln.startswith("Run ended after ") for ln in lines)
    assert "  agreement (always) holds: only " in done.stdout
    assert lines[-1] == "Verdict: SAFE: every safety property holds"


def test_the_text_trace_is_the_library_trace_for_the_same_seed() -> None:
    done = run_cli("--seed", "5", "--proposers", "3", "--acceptors", "5", "--drop", "0.1",
                   "--duplicate", "0.05", "--crash", "0.02", "--partition", "0.01",
                   "--timeout", "0.01")
    sim = px.Simulation(px.Cluster(proposers=3, acceptors=5), seed=5)
    for pid, value in zip(("p1", "p2", "p3"), ("confirmed", "cancelled", "confirmed"),
                          strict=True):
        sim.propose(pid, value)
    sim.run(max_steps=1000, faults=px.Faults(drop=0.1, duplicate=0.05, crash=0.02,
                                             partition=0.01, timeout=0.01))
    assert sim.trace.numbered() in done.stdout


def test_json_is_machine_readable_and_replays() -> None:
    code, data = run_json("--seed", "7", "--proposers", "3", "--acceptors", "5",
                          "--learners", "2", "--drop", "0.2", "--values", "a,b,c")
    assert code == 0
    assert data["cluster"] == {"proposers": 3, "acceptors": 5, "learners": 2, "quorum": None}
    assert (data["variant"], data["network"], data["seed"]) == ("classic", "lossy", 7)
    assert data["faults"] == {"drop": 0.2, "duplicate": 0.0, "crash": 0.0, "recover": 0.1,
                              "partition": 0.0, "heal": 0.1, "timeout": 0.0}
    assert data["ok"] is True
    assert [v["name"] for v in data["verdicts"]] == ["agreement", "validity", "learners"]
    assert all(v["holds"] for v in data["verdicts"])
    trace = px.Trace.from_dict(data["trace"])
    assert len(trace) == data["steps"]
    assert trace.steps[:3] == (px.Propose("p1", "a"), px.Propose("p2", "b"), px.Propose("p3", "c"))
    sim = px.replay(trace.cluster, trace)
    assert sorted(sim.chosen()) == data["chosen"]
    assert sim.learned() == data["learned"]
    assert data["end"] in ("learned", "max-steps", "quiescent")


def test_the_same_seed_prints_the_same_json() -> None:
    args = ("--seed", "11", "--drop", "0.1", "--crash", "0.05", "--partition", "0.05")
    assert run_cli("--json", *args).stdout == run_cli("--json", *args).stdout


def test_a_violated_property_exits_1() -> None:
    done = run_cli("--variant", "minority-quorum", "--seed", "3")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "Verdict: VIOLATED: agreement"
    assert "agreement (always) VIOLATED: 2 values chosen: " in done.stdout
    code, data = run_json("--variant", "minority-quorum", "--seed", "3")
    assert code == 1
    assert data["ok"] is False and data["chosen"] == ["cancelled", "confirmed"]
    assert data["verdicts"][0]["name"] == "agreement" and not data["verdicts"][0]["holds"]


def test_step_limit_network_and_quorum_flags_are_honoured() -> None:
    code, data = run_json("--steps", "4", "--drop", "1")
    assert code == 0
    assert (data["end"], data["steps"]) == ("max-steps", 6)  # 2 proposals + 4 steps
    code, data = run_json("--network", "sent-set", "--drop", "1", "--duplicate", "1")
    assert code == 0 and data["network"] == "sent-set" and data["end"] == "learned"
    assert not [s for s in data["trace"]["steps"] if s["action"] in ("drop", "duplicate")]
    code, data = run_json("--acceptors", "5", "--quorum", "4")
    assert data["cluster"]["quorum"] == 4


def test_help_explains_every_flag() -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    for flag in ("--proposers", "--acceptors", "--learners", "--quorum", "--variant",
                 "--network", "--values", "--seed", "--steps", "--drop", "--duplicate",
                 "--crash", "--recover", "--partition", "--heal", "--timeout", "--json"):
        assert flag in done.stdout, flag
    for variant in px.VARIANTS:
        assert variant in done.stdout.replace("-\n", "-").replace("\n ", " ").replace("  ", "")
    assert "Exit status: 0 safe, 1 a property violated, 2 bad arguments" in \
        " ".join(done.stdout.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--drop", "1.5"), "argument --drop: must be a probability from 0 to 1, got 1.5"),
        (("--crash", "-0.1"), "argument --crash: must be a probability from 0 to 1, got -0.1"),
        (("--partition", "often"), "argument --partition: must be a probability from 0 to 1, "
                                   "got 'often'"),
        (("--acceptors", "0"), "argument --acceptors: must be from 1 to 26, got 0"),
        (("--proposers", "-1"), "argument --proposers: must be from 1 to 26, got -1"),
        (("--learners", "two"), "argument --learners: must be a whole number from 1 to 26, "
                                "got 'two'"),
        (("--variant", "paxos"), "argument --variant: invalid choice: 'paxos'"),
        (("--network", "tcp"), "argument --network: invalid choice: 'tcp'"),
        (("--seed", "x"), "argument --seed: must be a whole number, got 'x'"),
        (("--steps", "-1"), "argument --steps: must be a whole number from 0 to 1,000,000, "
                            "got -1"),
        (("--steps", "10000000000"), "argument --steps: must be a whole number from 0 to "
                                     "1,000,000, got 10000000000"),
        (("--values", "a,a"), "argument --values: must be distinct, got 'a' twice"),
        (("--variant", "minority-quorum", "--quorum", "1"),
         "argument --quorum: cannot be used with --variant minority-quorum"),
        (("--variant", "minority-quorum", "--acceptors", "1"),
         "argument --acceptors: --variant minority-quorum needs at least 2 acceptors, got 1"),
        (("--values", "a,,b"), "argument --values: must be comma-separated non-empty values"),
        (("--no-such-flag",), "unrecognized arguments: --no-such-flag"),
        (("--quorum", "5"), "argument --quorum: must be from 1 to 3 (the number of acceptors, "
                            "--acceptors), got 5"),
    ],
)
def test_a_bad_flag_is_one_line_on_stderr_and_exit_2(args: tuple[str, ...], message: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert message in done.stderr
    assert done.stderr.startswith("python -m paxos_lib: error: ")
