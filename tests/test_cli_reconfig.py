"""``python -m paxos_lib orders --reconfigure SPEC --alpha N``: text, --json, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paxos_lib", "orders", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


SALE = ("--orders", "6", "--seed", "3", "--drop", "0.1", "--reconfigure",
        "add:r6@8,remove:r1@16")


def test_json_reports_every_configuration_and_the_slot_it_took_effect() -> None:
    done = run_cli(*SALE, "--alpha", "3", "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    data = json.loads(done.stdout)
    assert data["agree"] is True and data["all_applied"] is True
    assert data["alpha"] == 3
    assert data["cluster"] == {"replicas": 6, "members": ["r1", "r2", "r3", "r4", "r5"],
                               "alpha": 3}
    configs = data["configurations"]
    assert [c["members"] for c in configs] == [
        ["r1", "r2", "r3", "r4", "r5"],
        ["r1", "r2", "r3", "r4", "r5", "r6"],
        ["r2", "r3", "r4", "r5", "r6"],
    ]
    assert configs[0] == {"members": ["r1", "r2", "r3", "r4", "r5"], "chosen_in": None,
                          "takes_effect": 0}
    for c, at in zip(configs[1:], (8, 16), strict=True):
        assert c["chosen_in"] >= at
        assert c["takes_effect"] == c["chosen_in"] + 3
    assert [(c["change"], c["at_slot"], c["made"]) for c in data["changes"]] == [
        ("add r6", 8, True), ("remove r1", 16, True)]
    # the new replica holds the same order states as everyone else
    assert set(data["order_states"]) == {"r1", "r2", "r3", "r4", "r5", "r6"}
    assert len({json.dumps(s, sort_keys=True) for s in data["order_states"].values()}) == 1
    again = run_cli(*SALE, "--alpha", "3", "--json")
    assert again.stdout == done.stdout  # same seed, same run


def test_text_lists_the_configurations() -> None:
    done = run_cli(*SALE)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    i = lines.index("Configurations (alpha 2):")
    assert lines[i + 1] == "  r1, r2, r3, r4, r5: at the start, governs slots from 0"
    assert lines[i + 2].startswith("  r1, r2, r3, r4, r5, r6: chosen in slot ")
    assert lines[i + 3].startswith("  r2, r3, r4, r5, r6: chosen in slot ")
    assert lines[-1].startswith("Verdict: AGREE")


def test_a_change_the_log_never_reaches_is_reported_not_made() -> None:
    done = run_cli("--orders", "1", "--seed", "1", "--reconfigure", "add:r4@500",
                   "--replicas", "3", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["changes"] == [{"change": "add r4", "at_slot": 500,
                                "members": ["r1", "r2", "r3", "r4"], "made": False}]
    assert len(data["configurations"]) == 1


@pytest.mark.parametrize(("args", "message"), [
    (("--reconfigure", "add:r2@3"), "cannot add r2: it is already a member (r1, r2, r3, r4, r5)"),
    (("--reconfigure", "remove:r6@3"), "cannot remove r6: it is not a member"),
    (("--reconfigure", "grow:r6@3"), "unknown change 'grow'; choose 'add' or 'remove'"),
    (("--reconfigure", "add:r6"), "cannot read 'add:r6': write kind:replica@slot"),
    (("--reconfigure", "add:r6@9,remove:r1@2"), "must be a whole number from 9 on"),
    (("--reconfigure", "add:r99@3"), "--reconfigure names r99; replica ids go up to r"),
    (("--reconfigure", "add:x6@3"), "unknown replica 'x6' in add"),
    (("--reconfigure", "remove:r1@1,remove:r2@2,remove:r3@3,remove:r4@4"),
     "at least 2 replicas"),
    (("--reconfigure", ""), "a reconfiguration is written 'add:r6@10,remove:r1@20'"),
    (("--alpha", "0", "--reconfigure", "add:r6@3"), "argument --alpha: must be from 1 to 64"),
    (("--alpha", "two", "--reconfigure", "add:r6@3"), "must be a whole number from 1 to 64"),
    (("--alpha", "2"), "--alpha only matters with --reconfigure SPEC"),
])
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    done = run_cli("--orders", "2", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("python -m paxos_lib: error:")
    assert message in done.stderr, done.stderr
