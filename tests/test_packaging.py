"""The repository installs and tests the way the README says."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_COMMAND = "python -m pytest"


def requirement_lines(name: str = "requirements.txt") -> list[str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_every_requirement_is_pinned_exactly(name: str) -> None:
    lines = [line for line in requirement_lines(name)
             if line not in ("-e .", "-r requirements.txt")]
    unpinned = [line for line in lines if "==" not in line]
    assert not unpinned
    assert all(
        re.fullmatch(r"[A-Za-z0-9_.\-\[\],]+==[A-Za-z0-9_.+!\-]+", line) for line in lines
    )


def test_requirements_end_with_the_editable_package() -> None:
    assert requirement_lines()[-1] == "-e ."
    raw = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert raw[-1] == "-e ."


def test_runtime_pins_notebook_and_the_course_only() -> None:
    """Binder installs requirements.txt: the notebook pin replaces the base image's (which
    rejects our JupyterLab); the test tools are in requirements-dev.txt, which includes it."""
    names = {line.split("==")[0].lower() for line in requirement_lines()}
    assert {"jupyterlab", "notebook", "ipywidgets", "ipykernel", "anywidget"} <= names
    assert not names & {"nbval", "pytest", "hypothesis", "playwright", "ruff"}
    dev = requirement_lines("requirements-dev.txt")
    assert dev[0] == "-r requirements.txt"
    dev_names = {line.split("==")[0].lower() for line in dev[1:]}
    assert {"nbval", "pytest", "hypothesis", "playwright", "ruff"} <= dev_names


def readme_test_command() -> str:
    """The README's test command: the `python -m pytest` line of the Quick start."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"^python -m pytest.*$", quick, flags=re.MULTILINE)
    assert len(found) == 1, found
    return found[0]


def test_ci_script_is_executable_and_runs_the_readme_test_command() -> None:
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    text = script.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    assert "python3.11 -m venv .ci-venv" in text
    assert "-r requirements-dev.txt" in text
    commands = [line.strip() for line in text.splitlines() if line.strip()]
    command = readme_test_command()
    assert command.startswith(TEST_COMMAND)
    assert commands[-1] == command
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```bash\npip install -r requirements-dev.txt\n{command}\n```" in readme
    assert "```bash\npip install -r requirements.txt && jupyter lab\n```" in readme


def test_readme_quick_start_walks_a_newcomer_from_clone_to_lab() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "git clone https://github.com/" in quick and "&& cd paxos-course" in quick
    assert "python3.11 -m venv .venv && source .venv/bin/activate" in quick
    assert "externally-managed-environment" in quick
    assert "Python 3.11" in quick and "or newer" not in quick
    assert "root folder" in quick
    assert re.search(r"about \d+ minutes", quick), "say how long the full test run takes"


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
    assert (result.ok, result.end, len(result.counterexample)) == (False, "violation", 11)
    assert (safe.ok, safe.states) == (True, 3374)
    assert "(False, 'violation', 11)" in code and "(True, 3374)" in code


def test_code_and_lesson_text_each_have_a_licence_referenced_from_readme_and_pyproject() -> None:
    import tomllib

    code = (ROOT / "LICENSE").read_text(encoding="utf-8")
    lessons = (ROOT / "LICENSE-lessons").read_text(encoding="utf-8")
    assert code.startswith("MIT License") and "Permission is hereby granted" in code
    assert "Creative Commons Attribution 4.0" in lessons and "CC BY 4.0" in lessons
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in lessons
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "[LICENSE](LICENSE)" in readme and "[LICENSE-lessons](LICENSE-lessons)" in readme
    pyproject_text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(pyproject_text)["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert "LICENSE-lessons" in pyproject_text
