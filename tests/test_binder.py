"""Binder builds what we test: repo2docker's plan for this repository, the runtime pins, and
the badge tool.

repo2docker runs with ``--no-build --debug``: it prints the Dockerfile it would build and the
Python it picked, with no Docker daemon.  What it cannot show (the image really building on
mybinder) is out of reach here; what it shows is checked exactly.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
sys.path.insert(0, str(TOOLS))

import binder_badge  # noqa: E402

TESTED_PYTHON = "3.11"


def pins(path: Path) -> dict[str, str]:
    """Exact pins (name -> version) of one requirements file, without the files it includes."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==")
            found[name.lower().replace("_", "-")] = version
    return found


@pytest.fixture(scope="module")
def repo2docker_plan() -> str:
    exe = Path(sys.executable).with_name("repo2docker")
    done = subprocess.run(
        [str(exe), "--no-build", "--debug", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def test_runtime_txt_pins_the_python_we_test() -> None:
    assert (ROOT / "runtime.txt").read_text(encoding="utf-8").strip() == f"python-{TESTED_PYTHON}"
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == TESTED_PYTHON


def test_repo2docker_picks_python_3_11(repo2docker_plan: str) -> None:
    assert f"Building conda environment for python={TESTED_PYTHON}" in repo2docker_plan
    assert re.search(r"python=3\.1[2-9]", repo2docker_plan) is None


def test_repo2docker_installs_the_runtime_requirements_only(repo2docker_plan: str) -> None:
    pip_install = r"^RUN \$\{KERNEL_PYTHON_PREFIX\}/bin/pip install (.*)$"
    installs = re.findall(pip_install, repo2docker_plan, flags=re.MULTILINE)
    assert '--no-cache-dir -r "requirements.txt"' in installs
    assert "requirements-dev.txt" not in repo2docker_plan
    assert "COPY --chown=0:0 src/requirements.txt" in repo2docker_plan


def test_runtime_has_no_test_tools_and_dev_includes_it() -> None:
    runtime = pins(ROOT / "requirements.txt")
    dev_text = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    assert {"jupyterlab", "notebook", "ipywidgets", "ipykernel", "matplotlib", "networkx",
            "anywidget"} <= set(runtime)
    tools = {"pytest", "nbval", "hypothesis", "playwright", "ruff", "jupyter-repo2docker",
             "jupyterlite-core", "jupyterlite-pyodide-kernel"}
    assert not tools & set(runtime)
    assert tools <= set(pins(ROOT / "requirements-dev.txt"))
    first = [s for line in dev_text.splitlines() if (s := line.strip()) and not s.startswith("#")]
    assert first[0] == "-r requirements.txt"
    assert not set(runtime) & set(pins(ROOT / "requirements-dev.txt")), "pinned twice"


def test_pinned_notebook_accepts_the_pinned_jupyterlab() -> None:
    """repo2docker's base environment ships notebook 7.4.x (jupyterlab<4.5): our notebook pin
    replaces it, and that release must accept our JupyterLab."""
    runtime = pins(ROOT / "requirements.txt")
    assert importlib.metadata.version("notebook") == runtime["notebook"]
    assert importlib.metadata.version("jupyterlab") == runtime["jupyterlab"]
    wants = [Requirement(r) for r in importlib.metadata.requires("notebook") or []]
    lab = [r for r in wants if r.name == "jupyterlab" and r.marker is None]
    assert lab and all(r.specifier.contains(runtime["jupyterlab"]) for r in lab)


def test_base_environment_notebook_is_overridden() -> None:
    """The lock repo2docker installs for Python 3.11 pins a notebook our pin must replace."""
    spec = importlib.util.find_spec("repo2docker")
    assert spec is not None and spec.origin is not None
    lock = Path(spec.origin).parent / "buildpacks" / "conda" / (
        f"environment.py-{TESTED_PYTHON}-linux-64.lock")
    base = re.search(r"/notebook-(\d+\.\d+\.\d+)-", lock.read_text(encoding="utf-8"))
    assert base is not None
    assert base.group(1) != pins(ROOT / "requirements.txt")["notebook"]


def test_environment_has_no_dependency_conflicts() -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


# --- the badge tool --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://github.com/acme/paxos-course.git", "acme/paxos-course"),
        ("https://github.com/acme/paxos-course", "acme/paxos-course"),
        ("git@github.com:acme/paxos.course.git", "acme/paxos.course"),
        ("ssh://git@github.com/Acme-Edu/paxos_course.git\n", "Acme-Edu/paxos_course"),
    ],
)
def test_slug_from_github_remotes(url: str, slug: str) -> None:
    assert binder_badge.slug_from_remote_url(url) == slug


@pytest.mark.parametrize("url", ["https://gitlab.com/acme/paxos.git", "/srv/git/paxos.git",
                                 "https://github.com/acme"])
def test_other_remotes_are_refused_by_name(url: str) -> None:
    with pytest.raises(binder_badge.BadgeError, match=re.escape(repr(url))):
        binder_badge.slug_from_remote_url(url)


def test_readme_is_the_single_place_owner_repo_is_set() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    slug = binder_badge.badge_slug(readme)  # one badge, one clone command, the same name
    assert readme.count(slug) == 2
    other = [p for p in [*ROOT.glob("*.md"), *ROOT.glob("docs/*.md"), ROOT / "pyproject.toml"]
             if p.exists() and p.name != "README.md" and "mybinder.org/v2/gh/" in p.read_text()]
    assert not other, f"Binder links outside README.md: {other}"
    assert binder_badge._SLUG.match(slug)


def test_tool_fills_the_badge_from_the_git_remote(tmp_path: Path) -> None:
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    git = ["git", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "remote", "add", "origin", "git@github.com:acme/paxos-course.git"],
                   check=True)
    before = (tmp_path / "README.md").read_text(encoding="utf-8")
    script = [sys.executable, str(TOOLS / "binder_badge.py"), "--root", str(tmp_path)]
    done = subprocess.run(script, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    after = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "https://mybinder.org/v2/gh/acme/paxos-course/HEAD?urlpath=lab/tree/notebooks/" in after
    assert "git clone https://github.com/acme/paxos-course.git paxos-course" in after
    assert binder_badge.badge_slug(after) == "acme/paxos-course"
    # Only the two links' owner/name changed.
    old = binder_badge.badge_slug(before)
    assert after.count("acme/paxos-course") == 2
    assert after.replace("acme/paxos-course", old) == before
    # A second remote (a fork moved elsewhere) overwrites the first name, not the placeholder only.
    subprocess.run([*git, "remote", "set-url", "origin", "https://github.com/uni/paxos"],
                   check=True)
    assert subprocess.run(script, capture_output=True, check=False).returncode == 0
    assert binder_badge.badge_slug((tmp_path / "README.md").read_text()) == "uni/paxos"
    check = subprocess.run([*script, "--check"], capture_output=True, text=True, check=False)
    assert check.stdout.strip() == "uni/paxos"


def test_tool_without_a_remote_exits_2_and_says_how(tmp_path: Path) -> None:
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True)
    done = subprocess.run(
        [sys.executable, str(TOOLS / "binder_badge.py"), "--root", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 2
    assert "no remote 'origin'" in done.stderr and "--repo OWNER/REPO" in done.stderr
    assert (tmp_path / "README.md").read_text() == (ROOT / "README.md").read_text()
