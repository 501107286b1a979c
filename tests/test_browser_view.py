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
- **space-time labels clear**: on the counterexample and on a 25-step run, no label of the
  space-time diagram covers another label, an arrowhead, a mark or the "now" line;
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


#: What a space-time label covers that it must not: another label, an arrowhead, an event
#: glyph, a chosen mark, a dropped mark or the "now" line.  Boxes are the browser's own
#: (getBoundingClientRect); an arrowhead's box is its marker triangle's (7 stroke widths long,
#: as wide, its tip 1/8 past the line's end) mapped to the page by the SVG's screen matrix.
#: Two boxes clash when they overlap by more than half a pixel both ways.
LABEL_CLASHES = """
el => {
  const svg = el.querySelector('.pxv-time');
  const box = (name, r) => ({ name, x: r.x, y: r.y, w: r.width, h: r.height });
  const labels = [...svg.querySelectorAll('text.pxv-tl')].map(
    (t) => box('label ' + t.textContent, t.getBoundingClientRect()));
  const others = [];
  const m = svg.getScreenCTM();
  for (const line of svg.querySelectorAll('line.pxv-arrow[marker-end]')) {
    const sw = parseFloat(getComputedStyle(line).strokeWidth);
    const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((k) => Number(line.getAttribute(k)));
    const len = Math.hypot(x2 - x1, y2 - y1) || 1;
    const ux = (x2 - x1) / len, uy = (y2 - y1) / len;
    const bx = x2 - ux * 6.125 * sw, by = y2 - uy * 6.125 * sw, half = 3.5 * sw;
    const pts = [[x2 + ux * 0.875 * sw, y2 + uy * 0.875 * sw],
                 [bx - uy * half, by + ux * half], [bx + uy * half, by - ux * half]]
      .map(([x, y]) => new DOMPoint(x, y).matrixTransform(m));
    const xs = pts.map((p) => p.x), ys = pts.map((p) => p.y);
    const x = Math.min(...xs), y = Math.min(...ys);
    const what = (line.parentNode.getAttribute('data-tip') || '').split('\\n')[0];
    others.push({ name: 'arrowhead of ' + what, x, y, w: Math.max(...xs) - x,
                  h: Math.max(...ys) - y });
  }
  for (const t of svg.querySelectorAll('.pxv-chosen, .pxv-ev, .pxv-mark')) {
    others.push(box('mark ' + t.textContent, t.getBoundingClientRect()));
  }
  const now = svg.querySelector('.pxv-now').getBoundingClientRect();
  others.push({ name: 'now line', x: now.x - 1, y: now.y, w: now.width + 2, h: now.height });
  const clash = (a, b) => a.x + 0.5 < b.x + b.w && b.x + 0.5 < a.x + a.w &&
    a.y + 0.5 < b.y + b.h && b.y + 0.5 < a.y + a.h;
  const bad = [];
  labels.forEach((a, i) => {
    for (const b of labels.slice(i + 1).concat(others)) if (clash(a, b)) bad.push([a.name, b.name]);
  });
  return { count: labels.length, heads: others.filter((o) => o.name.startsWith('arrowhead')).length,
           bad };
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
            # a dense space-time diagram: labelled, and no label covers another label, an
            # arrowhead, a mark or the "now" line
            labels = view.evaluate(LABEL_CLASHES)
            assert labels["count"] >= 5 and labels["heads"] >= 5 and labels["bad"] == [], labels
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


LONG_RUN = [
    "import paxos_lib as px\n"
    "sim = px.Simulation(px.Cluster(proposers=2, acceptors=3, learners=1), seed=7)\n"
    "sim.propose('p1', 'confirmed')\n"
    "sim.propose('p2', 'cancelled')\n"
    "sim.run(max_steps=60)\n"
    "px.viz.ClusterView(sim)",
]


def test_space_time_labels_clear_on_a_long_run(tmp_path: Path) -> None:
    """A 25-step duel of two proposers: the diagram shows its last steps, labelled, and no
    label covers another label, an arrowhead, a mark or the "now" line; stepping back keeps
    it so."""
    from playwright.sync_api import expect, sync_playwright

    T = TIMEOUT_MS
    with running_lab(tmp_path, {"long.ipynb": LONG_RUN}) as url, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            errors = _errors(page)
            panel = open_and_run(page, url, "long.ipynb")
            view = panel.locator(".pxv").first
            expect(view).to_be_visible(timeout=T)
            expect(view.locator(".pxv-steptext")).to_have_text(re.compile(r"step (\d+) of \1"),
                                                               timeout=T)
            step = int(view.get_attribute("data-step") or 0)
            assert step >= 20, step
            view.evaluate("el => el.scrollIntoView({block: 'start'})")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "space-time-long-run.png"))
            labels = view.evaluate(LABEL_CLASHES)
            assert labels["count"] >= 8 and labels["heads"] >= 8 and labels["bad"] == [], labels
            for back in (1, 2, 3):
                view.locator("button.pxv-undo").click()
                expect(view.locator(".pxv-time")).to_have_attribute(
                    "data-step", str(step - back), timeout=T)
                labels = view.evaluate(LABEL_CLASHES)
                assert labels["count"] >= 8 and labels["bad"] == [], (step - back, labels)
            assert not _view_errors(errors, "lab"), errors
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


LONG_LOG = [
    "import paxos_lib as px\n"
    "from paxos_lib.multipaxos import OrdersSimulation\n"
    "sim = OrdersSimulation(3, seed=0)\n"
    "for n in range(1, 6):\n"
    "    sim.submit('r1', f'create #{n} (c{n}/1)')\n"
    "    while sim.world.inflight:\n"
    "        sim.deliver()\n"
    "px.viz.ClusterView(sim)",
]


def test_a_long_log_keeps_the_chosen_line_short(tmp_path: Path) -> None:
    """Five chosen slots: the status names how many, shows the last three and keeps the
    whole list for hover, so the pictures stay on the screen."""
    from playwright.sync_api import expect, sync_playwright

    T = TIMEOUT_MS
    with running_lab(tmp_path, {"long.ipynb": LONG_LOG}) as url, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            errors = _errors(page)
            panel = open_and_run(page, url, "long.ipynb")
            status = panel.locator(".pxv .pxv-status").first
            expect(status).to_contain_text("5 values (hover for all); the last 3:", timeout=T)
            expect(status).not_to_contain_text("create #1 (c1/1)", timeout=T)
            tip = status.locator(".chosen [data-tip]")
            expect(tip).to_have_attribute("data-tip", re.compile(r"'create #1 \(c1/1\)'"),
                                          timeout=T)
            assert not _view_errors(errors, "lab"), errors
        finally:
            browser.close()
