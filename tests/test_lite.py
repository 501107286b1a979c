"""The browser edition: `python tools/build_lite.py` builds a static JupyterLite site whose
lessons install the paxos_lib wheel it ships, and that wheel runs on Pyodide.

The site is built once for the module (about 30 s).  What runs in a real browser is stated in
README's "The browser edition" section; here the site's files are checked, and the wheel it
ships is unpacked into the pinned Pyodide under Node and runs the self-check.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))

import build_lite  # noqa: E402
from test_wasm import run_on_pyodide  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lite") / "site"
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_lite.py"), "--output-dir", str(out)],
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return out


def lessons() -> list[Path]:
    notebooks = ROOT / "notebooks"
    return sorted(notebooks.glob("*.ipynb")) + sorted((notebooks / "solutions").glob("*.ipynb"))


def site_wheel(site: Path) -> Path:
    index = json.loads((site / "pypi" / "all.json").read_text(encoding="utf-8"))
    (release,) = index["paxos-lib"]["releases"].values()
    (entry,) = release
    wheel = site / "pypi" / entry["filename"]
    assert wheel.exists()
    return wheel


def test_site_is_static_jupyterlab_with_every_lesson(site: Path) -> None:
    assert (site / "index.html").exists() and (site / "lab" / "index.html").exists()
    for lesson in lessons():
        staged = site / "files" / lesson.relative_to(ROOT / "notebooks")
        assert staged.exists(), staged
        original = nbformat.read(lesson, as_version=4)
        lite = nbformat.read(staged, as_version=4)
        first = lite.cells[0]
        assert first.cell_type == "code" and first.metadata["tags"] == [build_lite.INSTALL_TAG]
        assert "%pip install -q paxos_lib" in first.source
        # Everything else, stored outputs included, is the lesson as it is.
        assert [c.source for c in lite.cells[1:]] == [c.source for c in original.cells]
        assert [c.get("outputs") for c in lite.cells[1:]] == [
            c.get("outputs") for c in original.cells]


def test_site_carries_only_the_extensions_it_needs(site: Path) -> None:
    config = json.loads((site / "jupyter-lite.json").read_text(encoding="utf-8"))
    data = config["jupyter-config-data"]
    names = sorted(e["name"] for e in data["federated_extensions"])
    assert names == sorted(build_lite.LAB_EXTENSIONS)
    urls = data["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"][
        "pipliteUrls"]
    assert any(u.startswith("./pypi/all.json") for u in urls)
    assert data["defaultKernelName"] == "python"


def test_site_ships_a_complete_paxos_lib_wheel(site: Path) -> None:
    wheel = site_wheel(site)
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "paxos_lib"
    wanted = {
        p.relative_to(ROOT).as_posix()
        for p in package.rglob("*")
        if p.suffix in {".py", ".js", ".mjs", ".css"} and "__pycache__" not in p.parts
    }
    assert wanted and wanted <= names, sorted(wanted - names)


def test_the_shipped_wheel_runs_on_pyodide(site: Path) -> None:
    result = run_on_pyodide(site_wheel(site))
    assert result["platform"] == "emscripten"
    assert "/site-packages/paxos_lib/" in result["imported_from"]
    assert result["tla_tiny"]["states"] == 3_921
    assert (result["variant"]["end"], result["variant"]["length"]) == ("violation", 11)


def test_student_site_stages_the_student_edition_lessons(tmp_path: Path) -> None:
    import build_editions

    staged = build_lite.stage_notebooks(tmp_path, student=True)
    assert sorted(p.name for p in staged) == [p.name for p in lessons() if p.parent.name
                                              == "notebooks"]
    assert not (tmp_path / "solutions").exists()
    for path in staged:
        lite = nbformat.read(path, as_version=4)
        original = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
        expected = build_editions.student_notebook(original)
        assert lite.cells[0].metadata["tags"] == [build_lite.INSTALL_TAG]
        assert [c.get("outputs") for c in lite.cells[1:]] == [
            c.get("outputs") for c in expected.cells]
        answers = build_editions.prediction_cells(original)
        assert all(lite.cells[i + 1].outputs == [] for i in answers)
