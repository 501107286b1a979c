"""The matplotlib Stepper (the fallback view) in a real browser: JupyterLab, headless Chromium.

A throwaway JupyterLab (``browserlab.py``: free port, no token, every Jupyter folder under
``tmp_path``, the news notification off, the server stopped by its PID) serves a small
notebook that shows a Stepper over p1 and a1..a3 after one proposal.  The test runs all cells
from the Run menu, then clicks Deliver on the selected message and the crash button of an
acceptor, and after each click waits for what the click must change on the rendered page:
the status bar's step, the message list, the node button's label, the state table, and the
graph image (its ``src``), so that it never races the redraw.  Then Play must take steps on
its own, and Pause stop them.  A screenshot is saved under ``tests/artifacts/``.

Every wait and every ``expect`` has a generous timeout (``TIMEOUT_MS``): Playwright's
``expect`` otherwise keeps its own 5 s default, which a busy machine exceeds.  The lessons
use the browser-drawn ClusterView (``test_browser_view.py``).

Chromium is Debian's (``/usr/bin/chromium``), driven by Python Playwright; ``playwright
install`` is never used.  The test skips only when Chromium (or Playwright) is missing and the
environment variable ``CI`` is unset; under CI it must run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browserlab import (
    CHROMIUM,
    TIMEOUT_MS,
    launch,
    open_and_run,
    running_lab,
    wait_for_idle_kernel,
)

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
STEPPER = [
    "import paxos_lib as px\n"
    "sim = px.Simulation(px.Cluster(proposers=1, acceptors=3), seed=0)\n"
    "sim.propose('p1', 'confirmed')\n"
    "px.viz.Stepper(sim)",
    "print('all cells ran')",
]

pytestmark = pytest.mark.browser

if not os.environ.get("CI"):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's /usr/bin/chromium (apt-get install chromium); "
                    "set CI=true to make this a failure", allow_module_level=True)
    pytest.importorskip("playwright.sync_api")


def test_deliver_and_crash_in_a_real_browser(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; CI installs it with apt-get (see .ci/run)")
    ARTIFACTS.mkdir(exist_ok=True)
    T = TIMEOUT_MS  # every expect gets it: Playwright's own default is 5 s
    with running_lab(tmp_path, {"stepper.ipynb": STEPPER}) as lab, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            panel = open_and_run(page, lab, "stepper.ipynb")
            indicator = panel.locator(".jp-Notebook-ExecutionIndicator")

            stepper = panel.locator(".paxos-stepper").first
            status = stepper.locator(".paxos-status-bar")
            expect(status).to_contain_text("step 1", timeout=T)
            # the last cell has run: Run All is over
            expect(panel.locator(".jp-OutputArea-output", has_text="all cells ran")
                   ).to_be_visible(timeout=T)
            expect(indicator).to_have_attribute("data-status", "idle", timeout=T)
            messages = stepper.locator(".paxos-messages select option")
            expect(messages).to_have_count(3, timeout=T)
            expect(messages.first).to_have_text("prepare 1.p1 p1→a1", timeout=T)
            graph = stepper.locator(".paxos-graph")
            graph_src = graph.get_attribute("src")

            # Deliver the selected message (the first prepare)
            stepper.locator("button.paxos-deliver").click()
            expect(status).to_contain_text("step 2", timeout=T)
            expect(stepper.locator(".paxos-note")).to_contain_text(
                "step 2: deliver prepare 1.p1 p1→a1", timeout=T)
            expect(messages.filter(has_text="promise 1.p1 a1→p1")).to_have_count(1, timeout=T)
            expect(messages.filter(has_text="prepare 1.p1 p1→a1")).to_have_count(0, timeout=T)
            expect(stepper.locator('.paxos-table tr[data-node="a1"] td[data-field="promised"]')
                   ).to_have_text("1.p1", timeout=T)
            expect(graph).not_to_have_attribute("src", graph_src or "", timeout=T)
            graph_src = graph.get_attribute("src")

            # Crash acceptor a2
            crash = stepper.locator("button.paxos-node-a2")
            expect(crash).to_have_text("crash a2", timeout=T)
            crash.click()
            expect(crash).to_have_text("recover a2", timeout=T)
            expect(status).to_contain_text("step 3", timeout=T)
            expect(stepper.locator('.paxos-table tr[data-node="a2"]')).to_contain_text(
                "crashed", timeout=T)
            expect(messages.filter(has_text="(a2 is down)")).to_have_count(1, timeout=T)
            expect(graph).not_to_have_attribute("src", graph_src or "", timeout=T)

            # Play takes steps by itself (the browser's Play widget ticks, the kernel steps);
            # Pause stops it
            play = stepper.locator(".paxos-play button").first
            play.click()
            expect(status).to_contain_text(re.compile(r"step ([5-9]|\d\d)\b"), timeout=T)
            play.click()
            expect(indicator).to_have_attribute("data-status", "idle", timeout=T)
            page.wait_for_timeout(1000)  # a tick sent just before the pause may still land
            wait_for_idle_kernel(lab)
            paused = status.inner_text()
            page.wait_for_timeout(1500)
            assert status.inner_text() == paused
            expect(panel.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
                   ).to_have_count(0, timeout=T)
            stepper.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(ARTIFACTS / "stepper-browser.png"))
        finally:
            browser.close()
    assert (ARTIFACTS / "stepper-browser.png").stat().st_size > 10_000
