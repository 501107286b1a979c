"""The repository installs and tests the way the README says."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_COMMAND = "python -m pytest"


def requirement_lines() -> list[str]:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


def test_every_requirement_is_pinned_exactly() -> None:
    lines = requirement_lines()
    unpinned = [line for line in lines if line != "-e ." and "==" not in line]
    assert not unpinned
    assert all(
        re.fullmatch(r"[A-Za-z0-9_.\-\[\],]+==[A-Za-z0-9_.+!\-]+", line)
        for line in lines
        if line != "-e ."
    )


def test_requirements_end_with_the_editable_package() -> None:
    assert requirement_lines()[-1] == "-e ."
    raw = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert raw[-1] == "-e ."


def test_requirements_do_not_pull_in_the_classic_notebook() -> None:
    pins = dict(line.lower().split("==") for line in requirement_lines() if "==" in line)
    names = set(pins)
    # Notebook 7 is built on JupyterLab (the browser tests run the view there too); the
    # classic notebook (6.x and older) must not come back
    assert "notebook" not in names or int(pins["notebook"].split(".")[0]) >= 7
    assert {"jupyterlab", "ipywidgets", "nbval", "pytest", "hypothesis"} <= names


def test_ci_script_is_executable_and_runs_the_readme_test_command() -> None:
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    text = script.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    assert "python3 -m venv .ci-venv" in text
    assert "-r requirements.txt" in text
    commands = [line.strip() for line in text.splitlines()]
    assert commands[-1] == TEST_COMMAND
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```\n{TEST_COMMAND}\n```" in readme.replace("```bash", "```")


def test_no_binder_folder_so_root_config_is_used() -> None:
    assert not (ROOT / "binder").exists()
    assert not (ROOT / ".binder").exists()


def test_readme_binder_badge_opens_notebook_01_in_jupyterlab() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badge = re.search(r"\(https://mybinder\.org/v2/gh/([^)]+)\)", readme)
    assert badge is not None
    assert badge.group(1).endswith("/HEAD?urlpath=lab/tree/notebooks/01-one-acceptor.ipynb")


def test_readme_has_lesson_markers_for_the_index_tool() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index("<!-- lessons:start -->"), readme.index("<!-- lessons:end -->")
    assert start < end


def test_the_readme_python_example_runs_and_says_what_it_shows() -> None:
    """The block under "Using the library from Python" runs as written, and the values its
    comments promise are the ones it produces."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using the library from Python", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    result, safe = namespace["result"], namespace["safe"]
    assert (result.ok, result.end, len(result.counterexample)) == (False, "violation", 14)
    assert (safe.ok, safe.states) == (True, 3374)
    assert "(False, 'violation', 14)" in code and "(True, 3374)" in code
