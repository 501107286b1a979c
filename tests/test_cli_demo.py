"""``python -m paxos_lib demo`` and the command line's error handling."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from paxos_lib.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paxos_lib", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_demo_prints_the_seed_result_line_then_next_steps() -> None:
    done = run_cli("demo")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Paxos result: Consensus reached: confirmed"
    assert "notebooks/01-one-acceptor.ipynb" in done.stdout
    assert done.stderr == ""


def test_demo_state_flag_chooses_the_order_state() -> None:
    done = run_cli("demo", "--state", "shipped")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Paxos result: Consensus reached: shipped"


def test_unknown_flag_is_one_line_on_stderr_and_exit_2() -> None:
    done = run_cli("demo", "--no-such-flag")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("python -m paxos_lib: error: ")
    assert "--no-such-flag" in done.stderr


def test_missing_command_is_one_line_on_stderr_and_exit_2() -> None:
    done = run_cli()
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("python -m paxos_lib: error: ")


def test_unknown_command_is_one_line_on_stderr_and_exit_2() -> None:
    done = run_cli("nope")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "'nope'" in done.stderr


def test_paxos_error_from_a_command_is_one_line_and_exit_2() -> None:
    done = run_cli("demo", "--state", "")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr == ("python -m paxos_lib: error: argument --state: must be a non-empty "
                           "order state such as 'confirmed', got ''\n")


def test_version_flag_prints_the_version() -> None:
    done = run_cli("--version")
    assert done.returncode == 0
    assert re.fullmatch(r"paxos_lib \d+\.\d+\.\d+\S*\n", done.stdout)


def test_help_never_says_the_seed() -> None:
    for args in (("--help",), ("demo", "--help")):
        done = run_cli(*args)
        assert done.returncode == 0 and "seed's" not in done.stdout
    assert "course's starting code" in run_cli("--help").stdout


def test_demo_help_explains_every_flag() -> None:
    done = run_cli("demo", "--help")
    assert done.returncode == 0
    assert "--state STATE" in done.stdout
    assert "the order state to agree on" in done.stdout


def test_main_returns_exit_codes_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert capsys.readouterr().out.startswith("Paxos result: Consensus reached: confirmed\n")
    assert main(["demo", "--bad"]) == 2
    assert capsys.readouterr().err.startswith("python -m paxos_lib: error: ")
