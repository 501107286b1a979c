"""``python -m paxos_lib orders --reads log|lease|any``: linearizability, --json, exit codes."""

from __future__ import annotations

import json

import pytest

from paxos_lib.cli import main
from paxos_lib.linearizability import Operation, check_linearizable

FAULTS = ["--orders", "3", "--replicas", "3", "--drop", "0.1", "--crash", "0.02",
          "--partition", "0.02"]


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["orders", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_log_reads_are_linearizable_and_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _json([*FAULTS, "--reads", "log", "--seed", "0"], capsys)
    assert code == 0
    assert out["linearizable"] is True and "non_linearizable" not in out
    assert out["reads"] == "log" and out["read_operations"] > 0
    assert out["read_slots"] >= out["read_operations"]
    assert out["cluster"]["reads"] == "log" and out["agree"] is True


def test_a_stale_read_exits_1_with_the_shortest_sub_history(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = _json([*FAULTS, "--reads", "any", "--seed", "0"], capsys)
    assert code == 1
    assert out["linearizable"] is False and out["agree"] is True
    ops = [Operation.from_dict(d) for d in out["non_linearizable"]]
    assert 2 <= len(ops) <= 3 and any(op.is_read for op in ops)
    assert not check_linearizable(ops).linearizable  # the sub-history alone is a proof
    main(["orders", *FAULTS, "--reads", "any", "--seed", "0"])
    text = capsys.readouterr().out.splitlines()
    assert "Shortest non-linearizable sub-history:" in text
    assert text[-1] == "Verdict: VIOLATED: linearizable"


def test_lease_reads_and_one_replica(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _json([*FAULTS, "--reads", "lease", "--seed", "1", "--drift", "0.2"], capsys)
    assert code == 0 and out["linearizable"] is True
    assert out["cluster"]["margin"] == 14 and out["cluster"]["drift"] == 0.2
    code, out = _json(["--replicas", "1", "--orders", "2", "--reads", "lease", "--seed", "2"],
                      capsys)
    assert code == 0 and out["replicas"] == 1 and out["answered"] == out["operations"]
    code, out = _json(["--replicas", "1", "--orders", "2"], capsys)
    assert code == 0 and out["agree"] is True and out["cluster"] == {"replicas": 1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reads", "stale"], "argument --reads: invalid choice: 'stale'"),
        (["--reads", "lease", "--drift", "2"], "argument --drift: must be from 0 to 0.9, got 2"),
        (["--reads", "lease", "--lease", "10", "--margin", "10"],
         "--margin must be below --lease (10), got 10"),
        (["--reads", "log", "--snapshot-every", "4"],
         "--reads cannot be combined with --snapshot-every or --reconfigure"),
        (["--reads", "log", "--reconfigure", "add:r6@3"],
         "--reads cannot be combined with --snapshot-every or --reconfigure"),
    ],
)
def test_bad_read_arguments_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["orders", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
