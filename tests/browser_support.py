"""A throwaway JupyterLab server and headless Chromium for real-browser tests.

``jupyter_lab(tmp_path, notebooks)`` starts ``jupyter lab`` on 127.0.0.1 (a free port, no
token) with every Jupyter folder (config, runtime, workspaces, settings) and matplotlib's
config inside ``tmp_path``, the "news" notification off (so no toast covers the page) and
notebook windowing off (so every cell is in the page, not only the ones on screen).  It copies
the given notebooks into its root unchanged (with their stored outputs, as a student gets
them), waits for ``/api/status``, yields the server's URL, and always stops the server it
started, by its PID.  ``chromium(playwright)`` launches Debian's ``/usr/bin/chromium``;
``playwright install`` is never used.

This follows the fixture of ``tests/test_browser.py`` (kept separate so that that test's
behaviour does not change).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from browserlab import (  # one place for the browser, its flags, the timeout, the ports
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    TIMEOUT_MS,
    course_runtime_only,
    free_port,
)

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "ROOT", "TIMEOUT_MS", "chromium", "jupyter_lab",
           "wait_for_idle_kernel"]


def wait_for_idle_kernel(url: str, timeout: float = 90) -> None:
    """Wait until the server reports a kernel and every kernel is idle."""
    deadline = time.monotonic() + timeout
    kernels: list[dict[str, Any]] = []
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/kernels", timeout=10) as r:
                kernels = json.load(r)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            kernels = []  # the server is busy starting the kernel: ask again
        if kernels and all(k.get("execution_state") == "idle" for k in kernels):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"no idle kernel after {timeout} s: {kernels}")
        time.sleep(0.2)


def _settings(home: Path) -> None:
    files = {
        ("@jupyterlab", "apputils-extension", "notification.jupyterlab-settings"):
            {"fetchNews": "false", "checkForUpdates": False},
        ("@jupyterlab", "notebook-extension", "tracker.jupyterlab-settings"):
            {"windowingMode": "none"},
    }
    for parts, value in files.items():
        path = home.joinpath("settings", *parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value) + "\n")


@contextmanager
def jupyter_lab(tmp_path: Path, notebooks: Iterable[Path]) -> Iterator[str]:
    """A JupyterLab server with isolated state serving copies of ``notebooks``."""
    home = tmp_path / "jupyter"
    root = tmp_path / "root"
    root.mkdir()
    _settings(home)
    for sub in ("config", "runtime", "workspaces", "mpl"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    for nb in notebooks:
        shutil.copy(nb, root / nb.name)
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
    log_path = tmp_path / "lab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1",
             "--port", str(port), "--ServerApp.token=", "--ServerApp.password=",
             "--ServerApp.port_retries=0", "--allow-root", f"--ServerApp.root_dir={root}",
             *course_runtime_only(home)],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"jupyter lab exited: {log_path.read_text()}")
                try:
                    with urllib.request.urlopen(f"{url}/api/status", timeout=2) as r:
                        if r.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("jupyter lab did not answer /api/status within 90 s")
                time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)


def chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)
