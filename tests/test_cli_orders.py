"""``python -m paxos_lib orders``: the order table and verdict, --json, exit codes, bad flags."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from paxos_lib.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paxos_lib", "orders", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_issue_command_agrees_and_prints_every_replica() -> None:
    done = run_cli("--replicas", "5", "--orders", "20", "--seed", "3", "--drop", "0.1",
                   "--crash", "0.05")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0] == ("Replicated order log: 5 replicas (r1, r2, r3, r4, r5), quorum 3; "
                        "variant classic, seed 3")
    assert lines[1] == ("Faults: drop 0.1, duplicate 0, crash 0.05, recover 0.1, partition 0, "
                        "heal 0.1, timeout 0")
    header = next(line for line in lines if line.startswith("order "))
    assert header.split() == ["order", "r1", "r2", "r3", "r4", "r5"]
    rows = [line.split() for line in lines if line.startswith("#")]
    assert len(rows) == 20
    for row in rows:
        assert len(set(row[1:])) == 1  # the same state on every replica
        assert row[1] in ("DELIVERED", "CANCELLED")
    assert any(line.startswith("Slots used: ") for line in lines)
    assert any(line.startswith("Messages: ") for line in lines)
    assert lines[-1] == "Verdict: AGREE: every replica agrees on every slot and every order state"


def test_json_has_the_promised_keys_and_is_deterministic() -> None:
    first = run_cli("--json", "--orders", "4", "--seed", "5", "--drop", "0.1", "--crash", "0.02")
    second = run_cli("--json", "--orders", "4", "--seed", "5", "--drop", "0.1", "--crash",
                     "0.02")
    assert first.returncode == 0 and first.stderr == ""
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["agree"] is True and data["all_applied"] is True
    assert isinstance(data["slots"], int) and data["slots"] >= data["commands"]
    assert isinstance(data["messages"], int) and data["messages"] > 0
    assert set(data["order_states"]) == {"r1", "r2", "r3", "r4", "r5"}
    assert len({json.dumps(s, sort_keys=True) for s in data["order_states"].values()}) == 1
    assert data["order_states"]["r1"].keys() == {"1", "2", "3", "4"}
    assert {p["name"] for p in data["properties"]} >= {"slot-agreement", "prefix",
                                                       "same-states", "all-applied"}


def test_a_broken_variant_exits_1() -> None:
    done = run_cli("--variant", "forgetful-leader", "--replicas", "3", "--orders", "3",
                   "--seed", "1", "--drop", "0.2", "--crash", "0.01", "--timeout", "0.02")
    assert done.returncode == 1, done.stdout
    assert "VIOLATED" in done.stdout.splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--replicas", "0"], "argument --replicas: must be from 1 to 26, got 0"),
        (["--orders", "many"], "argument --orders: must be a whole number from 1 to 10000, "
                               "got 'many'"),
        (["--drop", "2"], "argument --drop: must be a probability from 0 to 1, got 2"),
        (["--variant", "raft"], "argument --variant: invalid choice: 'raft'"),
        (["--seed", "x"], "argument --seed: must be a whole number, got 'x'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["orders", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err


def test_help_lists_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "orders" in capsys.readouterr().out
    assert main(["orders", "--help"]) == 0
    out = capsys.readouterr().out
    for flag in ("--replicas", "--orders", "--seed", "--drop", "--crash", "--json"):
        assert flag in out
