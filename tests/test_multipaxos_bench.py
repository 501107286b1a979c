"""Smoke tests of bench/soak.py and bench/orders.py (figures only; nothing here is timed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_bench(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "bench" / name), *args],
                          capture_output=True, text=True, timeout=600, check=False)


def test_soak_bench_reports_no_violation() -> None:
    done = run_bench("soak.py", "--runs", "40", "--processes", "1", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["runs"] == 40 and data["violations"] == 0 and data["stuck"] == 0
    assert data["commands"] > 0 and data["seconds"] > 0


def test_orders_bench_reports_messages_against_the_minimum() -> None:
    done = run_bench("orders.py", "--quick", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    t = data["throughput"]
    assert t["no_faults"]["commands_per_second"] > 0
    assert t["no_faults"]["all_agree_and_applied"] and t["faults"]["all_agree_and_applied"]
    rows = {(r["variant"], r["replicas"]): r for r in data["stable_leader"]}
    for n in (3, 5, 7):
        classic = rows[("classic", n)]
        assert classic["minimum"] == 2 * (n - 1)
        assert classic["minimum"] <= classic["messages_per_command"] < classic["minimum"] + 1.5
        assert rows[("phase1-per-slot", n)]["minimum"] == 4 * (n - 1)


def test_orders_bench_text() -> None:
    done = run_bench("orders.py", "--quick")
    assert done.returncode == 0, done.stderr
    assert "Commands decided per second" in done.stdout
    assert "Messages per command, stable leader" in done.stdout
