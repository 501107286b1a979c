"""The stepper in a real browser: JupyterLab, headless Chromium, real clicks.

A fixture starts ``jupyter lab`` on 127.0.0.1 (a free port, no token) with every Jupyter folder
(config, runtime, workspaces, settings) and matplotlib's config in ``tmp_path``, and the
"news" notification turned off so no toast covers the page.  It copies ``NOTEBOOK`` there
without outputs, waits for ``/api/status``, and always stops the server it started (by its
PID) at the end.

The test opens the notebook, runs all cells from the Run menu, then clicks Deliver on the
selected message and the crash button of an acceptor, and after each click waits for what
the click must change on the rendered page: the status bar's step, the message list, the node
button's label, the state table, and the graph image (its ``src``), so that it never races
the redraw.  Then Play must take steps on its own, and Pause stop them.  A screenshot is
saved under ``tests/artifacts/``.

Chromium is Debian's (``/usr/bin/chromium``), driven by Python Playwright; ``playwright
install`` is never used.  The test skips only when Chromium (or Playwright) is missing and the
environment variable ``CI`` is unset; under CI it must run.
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
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The notebook the browser opens (it must show a Stepper over p1 and a1..a3 in its first
#: code cell and may print more below).
NOTEBOOK = ROOT / "notebooks" / "02-many-acceptors.ipynb"  # its first Stepper is the one clicked
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser

if not os.environ.get("CI"):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's /usr/bin/chromium (apt-get install chromium); "
                    "set CI=true to make this a failure", allow_module_level=True)
    pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def without_outputs(source: Path, target: Path) -> None:
    nb = json.loads(source.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.get("metadata", {}).pop("widgets", None)
    target.write_text(json.dumps(nb, indent=1))


def wait_for_idle_kernel(url: str, timeout: float = 60) -> None:
    """Wait until the server reports a kernel and every kernel is idle (the page's own
    indicator says idle before the kernel is connected)."""
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(f"{url}/api/kernels", timeout=5) as r:
            kernels = json.load(r)
        if kernels and all(k.get("execution_state") == "idle" for k in kernels):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"no idle kernel after {timeout} s: {kernels}")
        time.sleep(0.2)


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[str]:
    """A JupyterLab server with isolated state, serving a fresh copy of NOTEBOOK."""
    home = tmp_path / "jupyter"
    root = tmp_path / "root"
    root.mkdir()
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}\n'
    )
    for sub in ("config", "runtime", "workspaces", "mpl"):
        (home / sub).mkdir()
    without_outputs(NOTEBOOK, root / NOTEBOOK.name)
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
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1",
         "--port", str(port), "--ServerApp.token=", "--ServerApp.password=",
         "--ServerApp.port_retries=0", "--allow-root", f"--ServerApp.root_dir={root}"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: {(tmp_path / 'lab.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("jupyter lab did not answer /api/status within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
        log.close()


def test_deliver_and_crash_in_a_real_browser(lab: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; CI installs it with apt-get (see .ci/run)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{lab}/lab/tree/{NOTEBOOK.name}?reset", wait_until="domcontentloaded")
            panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
            expect(panel).to_be_visible()
            indicator = panel.locator(".jp-Notebook-ExecutionIndicator")
            expect(indicator).to_have_attribute("data-status", "idle")
            wait_for_idle_kernel(lab)

            page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator("#jp-mainmenu-run .lm-Menu-item").filter(
                has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$"))
            ).click()

            stepper = panel.locator(".paxos-stepper").first
            status = stepper.locator(".paxos-status-bar")
            expect(status).to_contain_text("step 1")
            # the lesson's last cell (an exercise check) has run: Run All is over
            expect(panel.locator(".jp-OutputArea-output",
                                 has_text="Not yet: tolerated_crashes")).to_be_visible()
            expect(indicator).to_have_attribute("data-status", "idle")
            messages = stepper.locator(".paxos-messages select option")
            expect(messages).to_have_count(3)
            expect(messages.first).to_have_text("prepare 1.p1 p1→a1")
            graph = stepper.locator(".paxos-graph")
            graph_src = graph.get_attribute("src")

            # Deliver the selected message (the first prepare)
            stepper.locator("button.paxos-deliver").click()
            expect(status).to_contain_text("step 2")
            expect(stepper.locator(".paxos-note")).to_contain_text(
                "step 2: deliver prepare 1.p1 p1→a1")
            expect(messages.filter(has_text="promise 1.p1 a1→p1")).to_have_count(1)
            expect(messages.filter(has_text="prepare 1.p1 p1→a1")).to_have_count(0)
            expect(stepper.locator('.paxos-table tr[data-node="a1"] td[data-field="promised"]')
                   ).to_have_text("1.p1")
            expect(graph).not_to_have_attribute("src", graph_src or "")
            graph_src = graph.get_attribute("src")

            # Crash acceptor a2
            crash = stepper.locator("button.paxos-node-a2")
            expect(crash).to_have_text("crash a2")
            crash.click()
            expect(crash).to_have_text("recover a2")
            expect(status).to_contain_text("step 3")
            expect(stepper.locator('.paxos-table tr[data-node="a2"]')).to_contain_text("crashed")
            expect(messages.filter(has_text="(a2 is down)")).to_have_count(1)
            expect(graph).not_to_have_attribute("src", graph_src or "")

            # Play takes steps by itself (the browser's Play widget ticks, the kernel steps);
            # Pause stops it
            play = stepper.locator(".paxos-play button").first
            play.click()
            expect(status).to_contain_text(re.compile(r"step ([5-9]|\d\d)\b"))
            play.click()
            expect(indicator).to_have_attribute("data-status", "idle")
            paused = status.inner_text()
            page.wait_for_timeout(1500)
            assert status.inner_text() == paused
            expect(panel.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
                   ).to_have_count(0)
            stepper.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(ARTIFACTS / "stepper-browser.png"))
        finally:
            browser.close()
    assert (ARTIFACTS / "stepper-browser.png").stat().st_size > 10_000
