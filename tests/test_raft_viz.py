"""Raft in the views: the cluster view's model, the sequence chart and the side-by-side
figure, all drawn from real engine runs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Rectangle

import paxos_lib as px
from paxos_lib.errors import ConfigError
from paxos_lib.raft.scenarios import deliver, figure8
from paxos_lib.viz.viewmodel import view_model


def test_the_cluster_view_model_shows_terms_logs_and_raft_messages() -> None:
    sim = figure8("raft-commit-old-term")
    deliver(sim, "append", "s1", "s3", 3)
    vm = view_model(sim)
    s1 = next(n for n in vm["nodes"] if n["id"] == "s1")
    assert s1["lines"] == ["leader · term 3 · voted s1", "log 1 · commit 0 · applied 0"]
    assert s1["log"] == [{"slot": 1, "status": "accepted", "command": "create #42 (c1/1)",
                          "ballot": "t1", "noop": False}]
    kinds = {m["kind"] for m in vm["messages"]}
    assert "append-reply" in kinds
    assert {v["name"] for v in vm["verdicts"]} >= {"election-safety", "leader-completeness"}
    assert vm["chosen"] == []  # Raft's history facts are not Paxos votes
    view = px.viz.ClusterView(sim)
    assert view is not None


def test_the_sequence_chart_draws_a_raft_trace() -> None:
    sim = figure8("classic")
    ax = px.viz.sequence_chart(sim.trace)
    assert ax.figure is not None
    plt.close("all")


def test_the_side_by_side_figure_has_one_bar_per_protocol_and_measure() -> None:
    figures = {
        "multi-paxos": {"messages_per_command": 6.0, "recovery_steps": 7,
                        "isolated_epochs": 1},
        "raft": {"messages_per_command": 5.5, "recovery_steps": 7, "isolated_epochs": 6},
    }
    axes = px.viz.plot_raft_vs_multipaxos(figures)
    assert len(axes) == 3
    heights = [[p.get_height() for p in ax.patches if isinstance(p, Rectangle)]
               for ax in axes]
    assert heights == [[6.0, 5.5], [7, 7], [1, 6]]
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["Multi-Paxos", "Raft"]
    plt.close("all")
    with pytest.raises(ConfigError, match="'multi-paxos' and 'raft'"):
        px.viz.plot_raft_vs_multipaxos({"raft": figures["raft"]})
    with pytest.raises(ConfigError, match="lack isolated_epochs"):
        px.viz.plot_raft_vs_multipaxos({"raft": figures["raft"],
                                        "multi-paxos": {"messages_per_command": 1,
                                                        "recovery_steps": 1}})


def test_the_cluster_view_replays_a_raft_trace_in_a_raft_simulation() -> None:
    sim = figure8("raft-commit-old-term")
    view = px.viz.ClusterView(sim.trace, at=5)
    assert type(view.ctl.sim).__name__ == "RaftSimulation"
    assert len(view.ctl.sim.trace) == 5


def test_the_bench_prints_both_protocols_side_by_side() -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    bench = Path(__file__).resolve().parents[1] / "bench" / "raft_vs_multipaxos.py"
    done = subprocess.run([sys.executable, str(bench), "--quick", "--json"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["seeds"] == 2 and data["servers"] == 3
    for protocol in ("multi-paxos", "raft"):
        row = data[protocol]
        assert row["messages_per_command"] > 0 and row["recovery_steps"] > 0
        assert row["applied_during_partition"] == 3
    assert data["raft"]["isolated_epochs"] > data["multi-paxos"]["isolated_epochs"]
    bad = subprocess.run([sys.executable, str(bench), "--servers", "2"],
                         capture_output=True, text=True, timeout=600, check=False)
    assert bad.returncode == 2 and "--servers" in bad.stderr
