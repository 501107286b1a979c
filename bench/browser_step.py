"""Click -> every view shows the new step, in a real browser (JupyterLab + headless Chromium).

What a student waits for after a click on the browser-drawn ``ClusterView``: the click goes
to the kernel as a widget message, the controller asks the engine and takes the step, the new
view model comes back as one synced trait, and the browser redraws the graph, the space-time
diagram, the status bar and the controls.  Measured inside the page, from the click
(``performance.now()`` just before ``button.click()``) to the moment the status bar, graph and
space-time diagram all carry the new step (a ``MutationObserver`` on their ``data-step``).

Setup: a 2-proposer x 3-acceptor cluster, both proposers have proposed.  Each sample clicks
"Deliver random" (timed), then Undo (not timed), so every sample is the same kind of step.
Then Play: a second view holds a 164-step seeded run (2 proposers x 5 acceptors) on its tape;
Play at 100 ms/step runs, and after one second (past the first round trip) the steps shown
over ``--play-seconds`` are counted.

Prints the median and 90th percentile and Play's rate with the load average; ``--json``
prints ``{"median_ms", "p90_ms", "samples", "play_steps_per_s", ...}``.  The goal is a median
under 50 ms and a p90 under 100 ms, and 10 steps/s at 100 ms/step.  Figures, never
assertions: timings depend on the machine.

The server runs with the extensions a learner's ``jupyter lab`` loads, ``paxos_lib.serverext``
among them (kernel websockets without Nagle's algorithm); ``--nagle`` disables it, to compare.

    python bench/browser_step.py [--samples 40] [--play-seconds 5] [--json] [--nagle]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from browserlab import TIMEOUT_MS, launch, open_and_run, running_lab

CELLS = [
    "import paxos_lib as px\n"
    "sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=0)\n"
    "sim.propose('p1', 'confirmed')\n"
    "sim.propose('p2', 'cancelled')\n"
    "px.viz.ClusterView(sim)",
    "long = px.Simulation(px.Cluster(proposers=2, acceptors=5), seed=3)\n"
    "long.propose('p1', 'confirmed')\n"
    "long.propose('p2', 'cancelled')\n"
    "for _ in range(200):\n"
    "    a = long.next_random_action(px.Faults(drop=0.05, duplicate=0.2))\n"
    "    if a is None:\n"
    "        break\n"
    "    long.apply(a)\n"
    "px.viz.ClusterView(long.trace, interval=100)",
]

TIMED_CLICK = """
async ([index, selector]) => {
  const root = document.querySelectorAll('.pxv')[index];
  const want = String(Number(root.dataset.step) + 1);
  const parts = [root.querySelector('.pxv-status'), root.querySelector('.pxv-graph'),
                 root.querySelector('.pxv-time')];
  const done = () => parts.every((p) => p.dataset.step === want);
  return await new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (done()) { obs.disconnect(); resolve(performance.now() - t0); }
    });
    parts.forEach((p) => obs.observe(p, { attributes: true, attributeFilter: ['data-step'] }));
    const t0 = performance.now();
    root.querySelector(selector).click();
  });
}
"""


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between closest ranks."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=40)
    ap.add_argument("--play-seconds", type=float, default=5.0)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--nagle", action="store_true",
                    help="disable paxos_lib.serverext (kernel websockets keep Nagle's "
                         "algorithm), to see what it buys")
    args = ap.parse_args(argv)
    if args.samples < 3 or args.play_seconds <= 0:
        ap.error("--samples must be >= 3 and --play-seconds > 0")

    from playwright.sync_api import expect, sync_playwright

    server_args = ["--ServerApp.jpserver_extensions=paxos_lib.serverext=False"] if args.nagle \
        else []

    with tempfile.TemporaryDirectory() as tmp, \
            running_lab(Path(tmp), {"bench.ipynb": CELLS}, server_args=server_args) as url, \
            sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            panel = open_and_run(page, url, "bench.ipynb")
            views = panel.locator(".pxv")
            expect(views).to_have_count(2, timeout=TIMEOUT_MS)
            first = views.nth(0)
            expect(first).to_have_attribute("data-step", "2", timeout=TIMEOUT_MS)
            for _ in range(3):  # warm up
                page.evaluate(TIMED_CLICK, [0, "button.pxv-random"])
                first.locator("button.pxv-undo").click()
                expect(first).to_have_attribute("data-step", "2", timeout=TIMEOUT_MS)
            samples, draws = [], []
            for _ in range(args.samples):
                samples.append(page.evaluate(TIMED_CLICK, [0, "button.pxv-random"]))
                draws.append(float(first.get_attribute("data-draw-ms") or 0))
                first.locator("button.pxv-undo").click()
                expect(first).to_have_attribute("data-step", "2", timeout=TIMEOUT_MS)

            second = views.nth(1)
            second.scroll_into_view_if_needed()
            expect(second).to_have_attribute("data-step", "0", timeout=TIMEOUT_MS)
            tape = int(second.locator(".pxv-slider").get_attribute("max") or 0)
            second.locator("select.pxv-speed").select_option("100")
            second.locator("button.pxv-play").click()
            page.wait_for_timeout(1000)  # past the first answer: measure the steady rate
            start = page.evaluate("() => performance.now()")
            first_step = int(second.get_attribute("data-step") or 0)
            page.wait_for_timeout(int(args.play_seconds * 1000))
            steps = int(second.get_attribute("data-step") or 0) - first_step
            elapsed = (page.evaluate("() => performance.now()") - start) / 1000
            second.locator("button.pxv-play").click()
        finally:
            browser.close()
    result = {
        "median_ms": round(statistics.median(samples), 1),
        "p90_ms": round(percentile(samples, 90), 1),
        "samples": len(samples),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
        "draw_median_ms": round(statistics.median(draws), 1),
        "play_steps_per_s": round(steps / elapsed, 2),
        "play_interval_ms": 100,
        "play_tape_steps": tape,
        "loadavg_1min": round(os.getloadavg()[0], 2),
        "nodelay": not args.nagle,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"click -> all views at the new step: median {result['median_ms']} ms, "
              f"p90 {result['p90_ms']} ms over {len(samples)} samples "
              f"(min {result['min_ms']}, max {result['max_ms']})")
        print(f"of which the browser's redraw: median {result['draw_median_ms']} ms")
        print(f"Play at 100 ms/step: {result['play_steps_per_s']} steps/s "
              f"(tape of {tape} steps)")
        print(f"load average (1 min): {result['loadavg_1min']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
