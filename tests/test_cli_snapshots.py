"""``python -m paxos_lib orders --snapshot-every K``: the snapshot figures in text and JSON."""

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


def test_json_has_the_snapshot_figures_and_compaction_bounds_the_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    figures = {}
    for k in ("0", "4"):
        code = main(["orders", "--replicas", "3", "--orders", "8", "--seed", "2",
                     "--drop", "0.1", "--snapshot-every", k, "--json"])
        assert code == 0
        out = json.loads(capsys.readouterr().out)
        assert out["agree"] and out["all_applied"]
        figures[k] = {name: out[name] for name in (
            "snapshots", "snapshot_bytes", "log_entries_held", "dedup_entries_held", "slots")}
        assert out["cluster"] == ({"replicas": 3} if k == "0" else
                                  {"replicas": 3, "snapshot_every": 4})
    # the dedup table: one entry per client (8, one per order) on each of 3 replicas
    assert figures["0"] == {"snapshots": 0, "snapshot_bytes": 0, "log_entries_held": 102,
                            "dedup_entries_held": 24, "slots": 34}
    assert figures["4"] == {"snapshots": 11, "snapshot_bytes": 535, "log_entries_held": 6,
                            "dedup_entries_held": 24, "slots": 34}
    # without compaction every replica holds every slot; with it, fewer than K per replica
    assert figures["4"]["log_entries_held"] < 3 * 4


def test_snapshot_bytes_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    outs = []
    for _ in range(2):
        assert main(["orders", "--orders", "4", "--snapshot-every", "2", "--json"]) == 0
        outs.append(json.loads(capsys.readouterr().out))
    assert outs[0]["snapshot_bytes"] == outs[1]["snapshot_bytes"] > 0
    assert outs[0] == outs[1]


def test_text_reports_the_snapshots() -> None:
    done = run_cli("--replicas", "3", "--orders", "3", "--snapshot-every", "3")
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("Snapshots:"))
    assert line.startswith("Snapshots: every 3 slots; ")
    assert "log entries held" in line and "dedup entries held" in line
    off = run_cli("--replicas", "3", "--orders", "1")
    assert "Snapshots: off; 0 taken or installed, largest 0 bytes" in off.stdout


@pytest.mark.parametrize("bad", ["-1", "x", "1000001", "2.5"])
def test_bad_snapshot_every_exits_2_naming_the_value(bad: str) -> None:
    done = run_cli("--snapshot-every", bad)
    assert done.returncode == 2
    assert "--snapshot-every" in done.stderr and "0 to 1000000" in done.stderr
    assert done.stdout == ""


def test_snapshots_and_reconfiguration_do_not_combine() -> None:
    done = run_cli("--orders", "2", "--reconfigure", "add:r6@3", "--snapshot-every", "2")
    assert done.returncode == 2
    assert "--snapshot-every cannot be combined with --reconfigure" in done.stderr


def test_clients_share_the_orders_and_the_dedup_table_stays_one_entry_per_client(
    capsys: pytest.CaptureFixture[str],
) -> None:
    held = {}
    for orders in (6, 30):
        code = main(["orders", "--replicas", "3", "--orders", str(orders), "--clients", "3",
                     "--seed", "1", "--drop", "0.1", "--snapshot-every", "5", "--json"])
        assert code == 0
        out = json.loads(capsys.readouterr().out)
        assert out["agree"] and out["all_applied"]
        held[orders] = (out["commands"], out["dedup_entries_held"])
    # five times the commands, the same table: 3 clients on 3 replicas
    assert held[6][1] == held[30][1] == 9
    assert held[30][0] > 4 * held[6][0]
