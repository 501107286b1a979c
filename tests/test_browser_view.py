"""The browser-drawn ClusterView in a real browser: JupyterLab and Notebook 7, headless Chromium.

Each test serves a small notebook from a throwaway server (``browserlab.py``), runs all its
cells from the Run menu and clicks like a student:

- **one screen**: in a 1366x768 window with JupyterLab's file browser open, the view's status
  bar, controls, graph and space-time diagram of a 2-proposer x 3-acceptor run are all inside
  the viewport (and above JupyterLab's status bar) at once, and the state table is folded;
- **click -> change**: Deliver and the keyboard (→, ←) change the step in every view;
- **deliver by clicking a token**: a double-click on a message token delivers that copy;
- **hover**: hovering a token shows its full text;
- **a counterexample** opens at its violation (last step, red verdict naming the values),
  and "Replay from the start" goes back to step 0;
- **no console errors** in the page;
- the same checks in **Notebook 7**.

Chromium is Debian's (``/usr/bin/chromium``), driven by Python Playwright (never ``playwright
install``).  Every wait and every ``expect`` has a generous timeout.  Screenshots go to
``tests/artifacts/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from browserlab import CHROMIUM, TIMEOUT_MS, launch, open_and_run, running_lab

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1366, "height": 768}

pytestmark = pytest.mark.browser

if not os.environ.get("CI"):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's /usr/bin/chromium (apt-get install chromium); "
                    "set CI=true to make this a failure", allow_module_level=True)
    pytest.importorskip("playwright.sync_api")

TWO_BY_THREE = [
    "import paxos_lib as px\n"
    "sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=0)\n"
    "sim.propose('p1', 'confirmed')\n"
    "view = px.viz.ClusterView(sim)\n"
    "view",
]
COUNTEREXAMPLE = [
    "import paxos_lib as px\n"
    "bad = px.explore(px.Cluster(proposers=2, acceptors=3, learners=1),\n"
    "                 values=('confirmed', 'cancelled'), variant='minority-quorum',\n"
    "                 max_ballot=1).counterexample\n"
    "px.viz.ClusterView(bad)",
]


#: Notebook 7.6.5's own start-up error, raised by its settings code on a page with no widget
#: at all (seen with a notebook holding only ``print(1)``): not the view's.
NOTEBOOK7_STARTUP_ERROR = "pageerror: Cannot read properties of undefined (reading 'schema')"


def _view_errors(errors: list[str], app: str) -> list[str]:
    """The page's console errors, less the favicon and Notebook 7's own start-up error."""
    return [e for e in errors if "favicon" not in e
            and not (app == "notebook" and e == NOTEBOOK7_STARTUP_ERROR)]


#: Pairs of space-time labels whose boxes overlap (by more than half a pixel).
OVERLAPPING_LABELS = """
el => {
  const boxes = [...el.querySelectorAll('.pxv-time text.pxv-tl')].map((t) => {
    const b = t.getBoundingClientRect();
    return { text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height };
  });
  const bad = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.x + 0.5 < b.x + b.w && b.x + 0.5 < a.x + a.w &&
          a.y + 0.5 < b.y + b.h && b.y + 0.5 < a.y + a.h) bad.push([a.text, b.text]);
    }
  }
  return { count: boxes.length, bad };
}
"""


def _errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    return errors


def _inside(box: dict[str, float] | None, bottom: float, name: str) -> None:
    assert box is not None, f"{name} is not rendered"
    assert box["x"] >= 0 and box["y"] >= 0, (name, box)
    assert box["x"] + box["width"] <= VIEWPORT["width"] + 0.5, (name, box)
    assert box["y"] + box["height"] <= bottom + 0.5, (name, box, bottom)


def _check_view(page: Any, panel: Any, app: str, shot: str) -> None:
    from playwright.sync_api import expect

    T = TIMEOUT_MS
    view = panel.locator(".pxv").first
    expect(view).to_be_visible(timeout=T)
    expect(view).to_have_attribute("data-step", "1", timeout=T)
    kernel_idle = panel.locator(".jp-Notebook-ExecutionIndicator")
    if app == "lab":
        expect(kernel_idle).to_have_attribute("data-status", "idle", timeout=T)
    tokens = view.locator(".pxv-graph .pxv-tok")
    expect(tokens).to_have_count(3, timeout=T)

    # one screen: status, controls, graph and space-time diagram inside the viewport
    view.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    if app == "lab":
        expect(page.locator("#filebrowser")).to_be_visible(timeout=T)
        statusbar = page.locator("#jp-main-statusbar")
        expect(statusbar).to_be_visible(timeout=T)
        bottom = statusbar.bounding_box()["y"]
    else:
        bottom = VIEWPORT["height"]
    for part in (".pxv-status", ".pxv-controls", ".pxv-graph", ".pxv-time"):
        _inside(view.locator(part).bounding_box(), bottom, part)
    assert view.locator(".pxv-table").get_attribute("open") is None  # folded
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}-one-screen.png"))

    # hover a token: its full text
    first = tokens.first
    first.hover()
    tip = view.locator(".pxv-tip")
    expect(tip).to_be_visible(timeout=T)
    expect(tip).to_contain_text("prepare 1.p1 p1→a1", timeout=T)

    # click -> change: Deliver the selected (first) message
    view.locator("button.pxv-deliver").click()
    for part in (view, view.locator(".pxv-graph"), view.locator(".pxv-time"),
                 view.locator(".pxv-status")):
        expect(part).to_have_attribute("data-step", "2", timeout=T)
    expect(view.locator(".pxv-note")).to_contain_text("step 2: deliver prepare 1.p1 p1→a1",
                                                      timeout=T)
    expect(view.locator('.pxv-graph .pxv-tok[data-id="0"]')).to_have_count(0, timeout=T)
    expect(view.locator(".pxv-graph .pxv-tok.k-1b")).to_have_count(1, timeout=T)

    # deliver by double-clicking a token: the promise goes back to p1
    promise = view.locator(".pxv-graph .pxv-tok.k-1b").first
    promise_id = promise.get_attribute("data-id")
    promise.dblclick()
    expect(view).to_have_attribute("data-step", "3", timeout=T)
    expect(view.locator(f'.pxv-graph .pxv-tok[data-id="{promise_id}"]')).to_have_count(
        0, timeout=T)
    expect(view.locator(".pxv-note")).to_contain_text("deliver promise 1.p1 a1→p1", timeout=T)

    # arrow keys: ← undoes, → redoes along the tape
    view.focus()
    page.keyboard.press("ArrowLeft")
    expect(view).to_have_attribute("data-step", "2", timeout=T)
    page.keyboard.press("ArrowRight")
    expect(view).to_have_attribute("data-step", "3", timeout=T)

    # crash a node: greyed in the graph, its button now recovers it
    view.locator("button.pxv-node-a2").click()
    expect(view).to_have_attribute("data-step", "4", timeout=T)
    expect(view.locator('.pxv-graph .pxv-node[data-node="a2"]')).to_have_class(
        re.compile(r"\bdown\b"), timeout=T)
    expect(view.locator("button.pxv-node-a2")).to_have_text("▲ a2", timeout=T)

    # the table unfolds and shows the durable promise
    view.locator(".pxv-table summary").click()
    expect(view.locator('.pxv-tables tr[data-node="a1"] td[data-field="promised"]')
           ).to_contain_text("1.p1", timeout=T)
    page.screenshot(path=str(ARTIFACTS / f"{shot}-after-clicks.png"))
    expect(panel.locator('[data-mime-type="application/vnd.jupyter.stderr"]')).to_have_count(
        0, timeout=T)


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_cluster_view_on_one_screen_click_deliver_hover(tmp_path: Path, app: str) -> None:
    from playwright.sync_api import sync_playwright

    with running_lab(tmp_path, {"view.ipynb": TWO_BY_THREE}, app=app) as url, \
            sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            errors = _errors(page)
            panel = open_and_run(page, url, "view.ipynb", app)
            _check_view(page, panel, app, f"view-{app}")
            assert not _view_errors(errors, app), errors
        finally:
            browser.close()


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_counterexample_opens_at_its_violation(tmp_path: Path, app: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    T = TIMEOUT_MS
    with running_lab(tmp_path, {"bad.ipynb": COUNTEREXAMPLE}, app=app) as url, \
            sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            errors = _errors(page)
            panel = open_and_run(page, url, "bad.ipynb", app)
            view = panel.locator(".pxv").first
            expect(view).to_be_visible(timeout=T)
            violated = view.locator(".pxv-status .prop.violated")
            expect(violated).to_contain_text("agreement VIOLATED", timeout=T)
            expect(violated).to_contain_text("confirmed", timeout=T)
            expect(violated).to_contain_text("cancelled", timeout=T)
            step = int(view.get_attribute("data-step") or 0)
            assert step > 0
            expect(view.locator(".pxv-steptext")).to_have_text(f"step {step} of {step}",
                                                               timeout=T)
            view.evaluate("el => el.scrollIntoView({block: 'start'})")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"counterexample-{app}.png"))
            # a dense space-time diagram: labelled, and no two labels overlap
            labels = view.evaluate(OVERLAPPING_LABELS)
            assert labels["count"] >= 5 and labels["bad"] == [], labels
            # every arrow has its full text on hover
            # (force: arrows cross, so another arrow may lie on top; its text is shown then)
            view.locator(".pxv-time g[data-tip]").last.hover(force=True)
            expect(view.locator(".pxv-tip")).to_contain_text("sent at step", timeout=T)
            view.locator("button.pxv-replay").click()
            expect(view).to_have_attribute("data-step", "0", timeout=T)
            expect(view.locator(".pxv-status .prop.violated")).to_have_count(0, timeout=T)
            expect(view.locator(".pxv-steptext")).to_have_text(f"step 0 of {step}", timeout=T)
            view.locator("button.pxv-forward").click()
            expect(view).to_have_attribute("data-step", "1", timeout=T)
            assert not _view_errors(errors, app), errors
        finally:
            browser.close()


MULTIPAXOS = [
    "import paxos_lib as px\n"
    "from paxos_lib.multipaxos import OrdersSimulation\n"
    "sim = OrdersSimulation(3, seed=0)\n"
    "sim.submit('r1', 'create #42 (c42/1)')\n"
    "while sim.world.inflight:\n"
    "    sim.deliver()\n"
    "sim.submit('r1', 'pay #42 (c42/2)')\n"
    "sim.deliver('accept', 'r1', 'r2')\n"
    "px.viz.ClusterView(sim, value='ship #42 (c42/3)')",
]


def test_multipaxos_logs_as_rows_of_slots(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    T = TIMEOUT_MS
    with running_lab(tmp_path, {"logs.ipynb": MULTIPAXOS}) as url, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            errors = _errors(page)
            panel = open_and_run(page, url, "logs.ipynb")
            view = panel.locator(".pxv").first
            expect(view).to_be_visible(timeout=T)
            rows = view.locator(".pxv-logs .pxv-logrow")
            expect(rows).to_have_count(3, timeout=T)
            r2 = view.locator('.pxv-logrow[data-node="r2"]')
            expect(r2.locator(".slot").nth(1)).to_have_class(re.compile(r"\baccepted\b"),
                                                             timeout=T)
            expect(r2.locator(".slot").nth(1)).to_contain_text("pay #42", timeout=T)
            expect(view.locator('.pxv-graph .pxv-node[data-node="r1"]')).to_be_visible(
                timeout=T)
            view.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(ARTIFACTS / "multipaxos-logs.png"))
            assert not _view_errors(errors, "lab"), errors
        finally:
            browser.close()
