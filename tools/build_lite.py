"""Build the zero-install browser edition: a static JupyterLite site with the lessons.

    python tools/build_lite.py                  # writes dist/lite/
    python tools/build_lite.py --output-dir site
    python tools/build_lite.py --student        # the student edition: no solutions

Serve the output folder from any static host (GitHub Pages, a university web server,
``python -m http.server -d dist/lite``) and open ``lab/index.html``; Python runs in the
visitor's browser on Pyodide (CPython compiled to WebAssembly), so there is no server and no
install.

Theory of operation:

1. Build a wheel of ``paxos_lib`` from this checkout (pip, no dependencies, no build
   isolation: setuptools is pinned in requirements-dev.txt).
2. Stage the lessons (``notebooks/*.ipynb``) and their reference answers
   (``notebooks/solutions/``), or with ``--student`` the lessons as the student edition has
   them (tools/build_editions.py: no solutions, no stored answers to prediction prompts),
   with one extra first cell each, tagged ``lite-install``::

       %pip install -q paxos_lib ipywidgets anywidget tqdm

   Pyodide's kernel has no site-packages of ours: piplite installs ``paxos_lib`` from the
   wheel this site ships (``pypi/``), and the pure-Python widget packages from PyPI.
   matplotlib and networkx are part of the Pyodide distribution and load on import.
3. Run ``jupyter lite build`` (jupyterlite-core + jupyterlite-pyodide-kernel, pinned in
   requirements-dev.txt) with the staged notebooks as contents and the wheel as a piplite
   wheel.  The site's Pyodide runtime itself is loaded from the Pyodide CDN by the kernel,
   the version pinned by jupyterlite-pyodide-kernel (tools/wasm pins the same one).

Nothing here changes the lessons themselves; the stored outputs travel with them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from build_editions import student_notebook

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "dist" / "lite"
INSTALL_TAG = "lite-install"
# JupyterLab extensions the site carries (from this environment's share/jupyter/labextensions).
# Everything else installed here (nbgrader's, for one: it needs a server) is left out.
LAB_EXTENSIONS = (
    "@jupyterlite/pyodide-kernel-extension",
    "@jupyter-widgets/jupyterlab-manager",
    "anywidget",
    "jupyterlab_pygments",
)
INSTALL_SOURCE = (
    "# Browser edition only: install the course library (shipped with this site) and the\n"
    "# widget packages. Run this cell first; it takes a few seconds.\n"
    "%pip install -q paxos_lib ipywidgets anywidget tqdm"
)


class LiteBuildError(Exception):
    """A step of the build failed; the message names the step and its output."""


def build_wheel(out_dir: Path) -> Path:
    """A wheel of paxos_lib built from this checkout, in ``out_dir``."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out_dir), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    wheels = sorted(out_dir.glob("paxos_lib-*-py3-none-any.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise LiteBuildError(f"building the paxos_lib wheel failed:\n{done.stdout}{done.stderr}")
    return wheels[0]


def with_install_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` whose first cell installs the library in the browser."""
    copy = nbformat.from_dict(json.loads(json.dumps(notebook)))
    cell = nbformat.v4.new_code_cell(INSTALL_SOURCE, metadata={"tags": [INSTALL_TAG]})
    if copy.nbformat_minor >= 5:
        cell["id"] = INSTALL_TAG
    else:
        cell.pop("id", None)
    copy.cells.insert(0, cell)
    nbformat.validate(copy)
    return copy


def stage_notebooks(contents: Path, student: bool = False) -> list[Path]:
    """Lessons (and, unless ``student``, solutions), each with the install cell, under
    ``contents``."""
    staged = []
    sources = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not student:
        sources += sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
    if not sources:
        raise LiteBuildError("no notebooks found in notebooks/")
    for src in sources:
        target = contents / src.relative_to(ROOT / "notebooks")
        target.parent.mkdir(parents=True, exist_ok=True)
        notebook = nbformat.read(src, as_version=4)
        if student:
            notebook = student_notebook(notebook)
        nbformat.write(with_install_cell(notebook), target)
        staged.append(target)
    return staged


def build(output_dir: Path = DEFAULT_OUTPUT, student: bool = False) -> Path:
    """Build the site into ``output_dir`` (replaced if it exists) and return it."""
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.exists():
        raise LiteBuildError(f"{jupyter} not found: pip install -r requirements-dev.txt")
    output_dir = output_dir.resolve()
    with tempfile.TemporaryDirectory(prefix="paxos-lite-") as tmp:
        work = Path(tmp)
        wheel = build_wheel(work / "wheels")
        lite_dir = work / "lite"
        contents = lite_dir / "course"
        stage_notebooks(contents, student=student)
        (lite_dir / "jupyter-lite.json").write_text(
            json.dumps(
                {
                    "jupyter-lite-schema-version": 0,
                    "jupyter-config-data": {
                        "appName": "Paxos, step by step",
                        "defaultKernelName": "python",
                    },
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        labextensions = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
        extensions = [labextensions / name for name in LAB_EXTENSIONS]
        missing = [str(e) for e in extensions if not (e / "package.json").exists()]
        if missing:
            raise LiteBuildError(f"lab extensions not installed: {missing}")
        if output_dir.exists():
            shutil.rmtree(output_dir)
        done = subprocess.run(
            [str(jupyter), "lite", "build", "--lite-dir", str(lite_dir),
             "--contents", str(contents), "--piplite-wheels", str(wheel),
             "--output-dir", str(output_dir), "--no-sourcemaps", "--ignore-sys-prefix",
             *(f"--LiteBuildConfig.federated_extensions={e}" for e in extensions)],
            cwd=lite_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise LiteBuildError(f"jupyter lite build failed:\n{done.stdout}{done.stderr}")
    return output_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT,
                        help="where to write the site (default: dist/lite)")
    parser.add_argument("--student", action="store_true",
                        help="the student edition's lessons only (no solutions, no revealed "
                             "predictions)")
    args = parser.parse_args(argv)
    try:
        site = build(args.output_dir, student=args.student)
    except LiteBuildError as error:
        print(f"build_lite: {error}", file=sys.stderr)
        return 1
    print(f"JupyterLite site in {site}: serve it statically and open lab/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
