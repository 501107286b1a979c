"""A throwaway JupyterLab (or Notebook 7) server and a headless Chromium page, for the browser
tests and ``bench/browser_step.py``.

``running_lab(tmp, notebooks, app="lab")`` starts ``jupyter lab`` (or ``jupyter notebook``) on
127.0.0.1 at a free port, without a token, with every Jupyter folder (config, runtime,
workspaces, settings) and matplotlib's config under ``tmp`` and the news notification turned
off; it writes ``notebooks`` (name -> list of code-cell sources) there, waits for
``/api/status``, yields the URL, and always stops the server it started, by its PID.

``open_and_run(page, url, name, app)`` opens a notebook, waits for an idle kernel, runs every
cell (the Run menu's "Run All Cells") and waits until the kernel is idle again.  Every wait has
a generous timeout (``TIMEOUT_MS``): Playwright's ``expect`` keeps a 5 s default otherwise, too
short on a busy machine.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
TIMEOUT_MS = 90_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def notebook_json(cells: Sequence[str]) -> str:
    """A notebook of code cells, without outputs."""
    return json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                   "outputs": [], "source": src} for src in cells],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }, indent=1)


def without_outputs(source: Path, target: Path) -> None:
    nb = json.loads(source.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.get("metadata", {}).pop("widgets", None)
    target.write_text(json.dumps(nb, indent=1))


def wait_for_idle_kernel(url: str, timeout: float = TIMEOUT_MS / 1000) -> None:
    """Wait until the server reports a kernel and every kernel is idle (the page's own
    indicator says idle before the kernel is connected)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/kernels", timeout=5) as r:
                kernels = json.load(r)
        except urllib.error.HTTPError as exc:  # a kernel being started can answer 500
            kernels = [{"execution_state": f"HTTP {exc.code}"}]
        if kernels and all(k.get("execution_state") == "idle" for k in kernels):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"no idle kernel after {timeout} s: {kernels}")
        time.sleep(0.2)


#: Lab extensions that the test tools bring (requirements-dev.txt) but the course's runtime
#: (requirements.txt, what Binder and a learner install) does not: the browser tests leave
#: them out so that they see the page a learner sees (the JupyterLite kernel's extension, for
#: one, logs a console error in a server-backed JupyterLab).
DEV_ONLY_EXTENSIONS = ("@jupyterlite/pyodide-kernel-extension", "@jupyter/nbgrader")


def course_runtime_only(home: Path) -> list[str]:
    """Server arguments that serve every installed lab extension but ``DEV_ONLY_EXTENSIONS``:
    links to the others in ``home/labextensions``, given as the only place to look."""
    import jupyter_core.paths

    mirror = home / "labextensions"
    mirror.mkdir(parents=True, exist_ok=True)
    for base in map(Path, jupyter_core.paths.jupyter_path("labextensions")):
        if not base.is_dir():
            continue
        for package in base.glob("*/package.json"):
            _link(mirror, base, package.parent)
        for package in base.glob("@*/*/package.json"):
            _link(mirror, base, package.parent)
    return [f"--LabServerApp.labextensions_path={mirror}"]


def _link(mirror: Path, base: Path, extension: Path) -> None:
    name = extension.relative_to(base).as_posix()
    target = mirror / name
    if name in DEV_ONLY_EXTENSIONS or target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(extension, target_is_directory=True)


@contextmanager
def running_lab(tmp: Path, notebooks: Mapping[str, Sequence[str] | Path],
                app: str = "lab", server_args: Sequence[str] = ()) -> Iterator[str]:
    """Serve ``notebooks`` from a fresh JupyterLab (``app="lab"``) or Notebook 7
    (``app="notebook"``), with the server extensions a learner's ``jupyter lab`` loads
    (``paxos_lib.serverext`` among them) and any further ``server_args``; yield its URL."""
    home = tmp / "jupyter"
    root = tmp / "root"
    root.mkdir(parents=True, exist_ok=True)
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    if app == "lab":  # Notebook 7 has no such plugin, and a settings file for one is an error
        (settings / "notification.jupyterlab-settings").write_text(
            '{"fetchNews": "false", "checkForUpdates": false}\n'
        )
    for sub in ("config", "runtime", "workspaces", "mpl"):
        (home / sub).mkdir(exist_ok=True)
    for name, cells in notebooks.items():
        if isinstance(cells, Path):
            without_outputs(cells, root / name)
        else:
            (root / name).write_text(notebook_json(cells))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "MPLCONFIGDIR": str(home / "mpl"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp / f"{app}.log"
    module = "jupyterlab" if app == "lab" else "notebook"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", module, "--no-browser", "--ip", "127.0.0.1",
             "--port", str(port), "--ServerApp.token=", "--ServerApp.password=",
             "--ServerApp.port_retries=0", "--allow-root", f"--ServerApp.root_dir={root}",
             *course_runtime_only(home), *server_args],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root,
        )
        try:
            deadline = time.monotonic() + TIMEOUT_MS / 1000
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"jupyter {app} exited: {log_path.read_text()}")
                try:
                    with urllib.request.urlopen(f"{url}/api/status", timeout=2) as r:
                        if r.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter {app} did not answer /api/status in time")
                time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)


def launch(p: Any) -> Any:
    """Debian's Chromium, headless (never ``playwright install``)."""
    return p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def open_and_run(page: Any, url: str, name: str, app: str = "lab") -> Any:
    """Open notebook ``name``, run all its cells, wait for an idle kernel; return the panel
    (JupyterLab) or the page's notebook (Notebook 7)."""
    from playwright.sync_api import expect

    page.set_default_timeout(TIMEOUT_MS)
    if app == "lab":
        page.goto(f"{url}/lab/tree/{name}?reset", wait_until="domcontentloaded")
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    else:
        page.goto(f"{url}/notebooks/{name}", wait_until="domcontentloaded")
        panel = page.locator(".jp-NotebookPanel").first
    expect(panel).to_be_visible(timeout=TIMEOUT_MS)
    indicator = panel.locator(".jp-Notebook-ExecutionIndicator")
    if app == "lab":
        expect(indicator).to_have_attribute("data-status", "idle", timeout=TIMEOUT_MS)
    wait_for_idle_kernel(url)
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator("#jp-mainmenu-run .lm-Menu-item").filter(
        has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$"))
    ).click()
    return panel


#: a laptop screen, where a lesson's widgets must fit
LAPTOP = {"width": 1366, "height": 768}

#: every code cell shows an execution count: none is waiting ("[*]") or unrun ("[ ]")
ALL_RUN = """
panel => {
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map((p) => p.textContent.trim());
  return prompts.length > 0 && prompts.every((t) => /^\\[\\d+\\]:$/.test(t));
}
"""


def run_lesson(page: Any, url: str, name: str, timeout_s: float = 10 * TIMEOUT_MS / 1000
               ) -> Any:
    """``open_and_run`` a whole lesson, then wait until every code cell has run and the kernel
    is idle (a long lesson runs for minutes); return the notebook panel."""
    from playwright.sync_api import expect

    panel = open_and_run(page, url, name)
    deadline = time.monotonic() + timeout_s
    while not panel.evaluate(ALL_RUN):
        assert time.monotonic() < deadline, f"{name}: cells still not run after {timeout_s} s"
        page.wait_for_timeout(500)
    expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
        "data-status", "idle", timeout=TIMEOUT_MS)
    return panel
