"""Every lesson's static figures are readable: no text on text, no line through a label, no
text under 9 pt, no text colour below WCAG AA contrast (4.5:1) on its white background.

The figures are the lessons' own: ``tools/lesson_figures.py`` runs each lesson source's code
cells, on the real engine, up to its last figure and keeps every figure drawn.  The message
graph, which the lessons show through their steppers, is drawn for the same runs at several
steps.  Each figure is drawn by the Agg renderer and its texts are read back with their
window extents: matplotlib ``Text`` artists (legends, axis labels, tick labels) through
``get_window_extent``, and the texts ``paxos_lib.viz`` draws as glyph outlines through
``PathTexts.extents``.  Lines are every ``Line2D`` and ``LineCollection`` segment, in pixels;
a line counts as crossing a label when a segment enters the label's box, unless the label
sits on an opaque legend frame drawn above the line.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import paxos_lib as px
from paxos_lib.viz.palette import (
    KIND_COLOURS,
    SPARE_COLOURS,
    as_dict,
    contrast_ratio,
    css_variables,
)
from paxos_lib.viz.textpaths import PathTexts

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from lesson_figures import (  # noqa: E402
    LessonFigure,
    figure_cells,
    lesson_figures,
    lesson_sources,
)

MIN_PT = 9.0
MIN_CONTRAST = 4.5
INSET_PX = 0.75  # boxes that only touch (antialiasing) do not count


# -- reading a drawn figure ----------------------------------------------------------------------


class Label:
    def __init__(self, text: str, box: Bbox, size: float, colour: str, backed: float | None):
        self.text, self.box, self.size, self.colour = text, box, size, colour
        self.backed = backed  # zorder of an opaque frame under the text, if any

    def __repr__(self) -> str:
        return f"{self.text!r} at {np.round(self.box.extents, 1).tolist()}"


def drawn(fig: Figure) -> tuple[list[Text], list[Line2D | LineCollection]]:
    """The ``Text`` artists and lines the renderer really draws (not the tick labels and
    grid lines of ticks outside the view, and the like)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts: list[Text] = []
    lines: list[Line2D | LineCollection] = []
    original = renderer.draw_text

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):  # type: ignore[no-untyped-def]
        if mtext is not None and mtext not in texts:
            texts.append(mtext)
        return original(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    def recording(cls: type) -> object:
        draw = cls.draw

        def wrapper(self, renderer):  # type: ignore[no-untyped-def]
            if self.get_visible():
                lines.append(self)
            return draw(self, renderer)

        return draw, wrapper

    saved = {cls: recording(cls) for cls in (Line2D, LineCollection)}
    renderer.draw_text = record  # type: ignore[method-assign]
    for cls, (_, wrapper) in saved.items():
        cls.draw = wrapper  # type: ignore[method-assign]
    try:
        fig.draw(renderer)
    finally:
        del renderer.draw_text
        for cls, (draw, _) in saved.items():
            cls.draw = draw  # type: ignore[method-assign]
    return texts, lines


def labels_of(fig: Figure) -> list[Label]:
    renderer = fig.canvas.get_renderer()
    found: list[Label] = []
    for t in drawn(fig)[0]:
        if not t.get_text().strip():
            continue
        box = t.get_window_extent(renderer)
        legend = _legend_of(t)
        backed = None
        if legend is not None and legend.get_frame_on() and legend.get_frame().get_alpha() in (
                None, 1.0):
            backed = legend.get_zorder()
        found.append(Label(t.get_text(), box, t.get_fontsize(), to_hex(t.get_color()), backed))
    for coll in fig.findobj(lambda a: isinstance(getattr(a, "pool", None), PathTexts)):
        if coll.get_visible():
            for item, box in coll.pool.extents():
                found.append(Label(item.text, box, item.size, to_hex(item.colour), None))
    return found


def _legend_of(t: Text) -> Legend | None:
    for leg in t.figure.findobj(Legend) if t.figure is not None else ():
        if t in leg.get_texts() or t is leg.get_title():
            return leg
    return None


def segments_of(fig: Figure) -> list[tuple[np.ndarray, float]]:
    """Every drawn line segment in pixels, with its zorder (legend handles excluded)."""
    legend_lines = {id(h) for leg in fig.findobj(Legend) for h in leg.legend_handles}
    legend_lines |= {id(a) for leg in fig.findobj(Legend) for a in leg.findobj()
                     if a is not leg}
    out: list[tuple[np.ndarray, float]] = []
    for a in drawn(fig)[1]:
        if id(a) in legend_lines:
            continue
        if isinstance(a, Line2D) and a.get_linestyle() not in ("None", "none", "", " "):
            xy = a.get_transform().transform(np.asarray(a.get_xydata(), dtype=float))
            for p, q in itertools.pairwise(xy):
                out.append((np.array([p, q]), a.get_zorder()))
        elif isinstance(a, LineCollection):
            trans = a.get_transform()
            for seg in a.get_segments():
                xy = trans.transform(np.asarray(seg, dtype=float))
                for p, q in itertools.pairwise(xy):
                    out.append((np.array([p, q]), a.get_zorder()))
    return out


def _crosses(seg: np.ndarray, box: Bbox) -> bool:
    """Whether segment ``seg`` enters ``box`` shrunk by INSET_PX (Liang-Barsky clipping)."""
    x0, y0 = seg[0]
    dx, dy = seg[1] - seg[0]
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - (box.x0 + INSET_PX)), (dx, (box.x1 - INSET_PX) - x0),
                 (-dy, y0 - (box.y0 + INSET_PX)), (dy, (box.y1 - INSET_PX) - y0)):
        if p == 0:
            if q < 0:
                return False
        else:
            t = q / p
            if p < 0:
                lo = max(lo, t)
            else:
                hi = min(hi, t)
            if lo > hi:
                return False
    return True


def _overlap(a: Bbox, b: Bbox) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > 2 * INSET_PX
            and min(a.y1, b.y1) - max(a.y0, b.y0) > 2 * INSET_PX)


def problems(fig: Figure) -> list[str]:
    """Everything unreadable about ``fig``, as sentences (empty when it reads well)."""
    labels = labels_of(fig)
    found: list[str] = []
    for lab in labels:
        if lab.size < MIN_PT:
            found.append(f"{lab!r} is {lab.size} pt, under {MIN_PT}")
        ratio = contrast_ratio(lab.colour, to_hex(fig.get_facecolor()[:3]))
        if ratio < MIN_CONTRAST:
            found.append(f"{lab!r} in {lab.colour} has contrast {ratio:.2f}:1 on the background")
    for a, b in itertools.combinations(labels, 2):
        if _overlap(a.box, b.box):
            found.append(f"{a!r} overlaps {b!r}")
    segments = segments_of(fig)
    for lab in labels:
        for seg, z in segments:
            if lab.backed is not None and lab.backed > z:
                continue
            if _crosses(seg, lab.box):
                found.append(f"a line from {np.round(seg[0], 1).tolist()} to "
                             f"{np.round(seg[1], 1).tolist()} crosses {lab!r}")
                break
    return found


# -- the lessons' figures -------------------------------------------------------------------------

LESSONS = lesson_sources()


@pytest.fixture(scope="module", params=[p.name[:2] for p in LESSONS])
def lesson(request: pytest.FixtureRequest) -> tuple[Path, list[LessonFigure]]:
    (source,) = [p for p in LESSONS if p.name.startswith(request.param)]
    drawn = lesson_figures(source)
    yield source, drawn
    plt.close("all")


@pytest.mark.slow
def test_every_lesson_figure_reads_well(lesson: tuple[Path, list[LessonFigure]]) -> None:
    source, figures = lesson
    # every cell that calls a drawing function left a figure to check
    assert sorted({f.cell for f in figures}) == figure_cells(source)
    for f in figures:
        assert problems(f.figure) == [], f"{f.name}: {f.source}"
        # a lesson's figure is sized to its run: no text had to be cut short
        assert not [x for x in labels_of(f.figure) if x.text.endswith("\u2026")], f.name


def test_every_lesson_shows_a_figure() -> None:
    assert all(figure_cells(p) for p in LESSONS)


# -- the message graph, for the lessons' runs -----------------------------------------------------


def _scenes() -> list[tuple[str, px.Simulation]]:
    two = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=0)
    two.propose("p1", "confirmed")
    two.propose("p2", "cancelled")
    two.run(max_steps=12)
    cut = px.Simulation(px.Cluster(proposers=1, acceptors=3), seed=0)
    cut.propose("p1", "confirmed")
    cut.duplicate("prepare", dst="a1")
    cut.deliver("prepare", dst="a1")
    cut.apply(px.Crash("a3"))
    cut.apply(px.Partition((("p1", "a1"), ("a2", "a3", "l1"))))
    five = px.Simulation(px.Cluster(proposers=2, acceptors=5), seed=0)
    five.propose("p1", "confirmed")
    five.propose("p2", "cancelled")
    five.run(max_steps=25)
    return [("two proposers", two), ("crash and partition", cut), ("five acceptors", five)]


@pytest.mark.parametrize("name,sim", _scenes(), ids=lambda v: v if isinstance(v, str) else "")
def test_message_graph_reads_well_at_every_step(name: str, sim: px.Simulation) -> None:
    for step in range(sim.trace and len(sim.steps) + 1):
        ax = px.viz.draw_message_graph(sim, step=step)
        try:
            assert problems(ax.figure) == [], f"{name}, step {step}"
        finally:
            plt.close(ax.figure)


# -- the checks themselves catch what they are for -------------------------------------------------


def test_the_checks_catch_overlap_small_text_low_contrast_and_a_crossing_line() -> None:
    fig = plt.figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.1, 0.5, "accepted 1.p1", fontsize=9)
    ax.text(0.15, 0.5, "chosen 'confirmed'", fontsize=9)
    ax.text(0.1, 0.2, "tiny", fontsize=6)
    ax.text(0.6, 0.2, "pale", fontsize=9, color="#E69F00")
    ax.text(0.1, 0.85, "crossed", fontsize=9)
    ax.plot([0.0, 1.0], [0.86, 0.86], "--")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    try:
        found = problems(fig)
    finally:
        plt.close(fig)
    assert any("overlaps" in p and "chosen" in p for p in found)
    assert any("'tiny'" in p and "under 9" in p for p in found)
    assert any("'pale'" in p and "contrast" in p for p in found)
    assert any("crosses 'crossed'" in p for p in found)
    assert len(found) == 4


# -- the palette -----------------------------------------------------------------------------------


def test_palette_text_colours_meet_wcag_aa_and_kinds_are_distinct() -> None:
    for name, colour in {**KIND_COLOURS, **dict(enumerate(SPARE_COLOURS))}.items():
        assert contrast_ratio(colour) >= 4.5, name
    assert len(set(KIND_COLOURS.values())) == len(KIND_COLOURS)
    assert contrast_ratio("#000000") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF") == pytest.approx(1.0)
    with pytest.raises(ValueError, match="'blue'"):
        contrast_ratio("blue")
    assert as_dict()["kinds"] == KIND_COLOURS
    assert "--paxos-kinds-prepare: #0072b2;" in css_variables()


def test_palette_module_imports_no_plotting_library() -> None:
    import ast

    import paxos_lib.viz.palette as palette

    tree = ast.parse(Path(palette.__file__).read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import | ast.ImportFrom)
                for a in (node.names if isinstance(node, ast.Import) else [node])
                for a in ([a] if isinstance(node, ast.Import) else [])}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__"}


def test_stepper_pictures_keep_their_shape_side_by_side() -> None:
    """Side by side, the graph keeps its own aspect ratio: the row does not stretch it to
    the chart's height, its image is the figure's shape, and the drawing is equal-aspect."""
    import io

    from PIL import Image

    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=0)
    sim.propose("p1", "confirmed")
    s = px.viz.Stepper(sim)

    def walk(w: object) -> list[object]:
        return [w, *(x for c in getattr(w, "children", ()) for x in walk(c))]

    (row,) = [w for w in walk(s) if s.graph_image in getattr(w, "children", ())]
    assert row.layout.align_items == "flex-start"
    assert s.graph_image.layout.height in (None, "", "auto")
    width, height = Image.open(io.BytesIO(s.graph_image.value)).size
    fig_w, fig_h = s.graph_figure.get_size_inches() * s.graph_figure.dpi
    assert (width, height) == (round(fig_w), round(fig_h))
    ax = s.graph_view.ax
    assert ax.get_aspect() == 1.0
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bbox = ax.get_window_extent()
    assert bbox.width / (x1 - x0) == pytest.approx(bbox.height / (y1 - y0), rel=0.01)


# -- the client-history chart (lesson 08's reads) ------------------------------------------------


def _busy_history(ops: int, clients: int, seed: int) -> list[px.Operation]:
    """A linearizable history: sequential clients, operations run atomically on the book."""
    import random

    from paxos_lib.linearizability import read_result, write_result
    from paxos_lib.orders import COMMAND_KINDS, Command, OrderBook, apply

    rng = random.Random(seed)
    free = dict.fromkeys(range(clients), 0)
    plans = []
    for i in range(ops):
        c = i % clients
        invoked = free[c] + rng.randint(0, 2)
        instant = invoked + rng.randint(0, 3)
        responded = instant + rng.randint(1, 3)
        free[c] = responded + rng.randint(0, 1)
        plans.append((instant, invoked, responded, c, i))
    book, history = OrderBook.empty(), []
    for _, invoked, responded, c, i in sorted(plans):
        order = rng.choice((42, 7))
        pending = i % 11 == 5
        if book.status(order) is None or rng.random() < 0.4:
            kind = "create" if book.status(order) is None else rng.choice(COMMAND_KINDS[1:])
            command = f"{kind} #{order} (c{c}/{i})"
            book, outcome = apply(book, Command.parse(command))
            result = write_result(outcome)
        else:
            command, result = f"read #{order}", read_result(book, order)
        history.append(px.Operation(f"c{c}", command, None if pending else result, invoked,
                                    None if pending else responded))
    return history


def _chart_cases() -> list[tuple[str, list[px.Operation]]]:
    op = px.Operation
    create = op("c1", "create #42 (c1/1)", "applied, now PENDING", 0, 2)
    confirm = op("c1", "confirm #42 (c1/2)", "applied, now CONFIRMED", 3, 5)
    cancel = op("c2", "cancel #42 (c2/1)", "applied, now CANCELLED", 10, 20)
    stale = [create, confirm, cancel, op("c3", "read #42", "CONFIRMED", 25, 31)]
    pending = [create, confirm, op("c2", "cancel #42 (c2/1)", None, 6, None),
               op("c3", "read #42", "CANCELLED", 8, 9), op("c3", "read #42", "cancelled", 10, 12)]
    overlapping = [create, op("c1", "read #42", "PENDING", 1, 4), confirm]
    busy = _busy_history(40, 5, 0)
    broken = list(busy)
    reads = [i for i, o in enumerate(broken) if o.is_read and o.result == "PENDING"]
    broken[reads[-1]] = px.Operation(broken[reads[-1]].client, broken[reads[-1]].command, "NONE",
                                     broken[reads[-1]].invoked, broken[reads[-1]].responded)
    return [("stale read", stale), ("pending cancel", pending), ("one client overlapping",
            overlapping), ("busy 40 operations", busy), ("busy, one stale read", broken)]


@pytest.mark.parametrize("name,history", _chart_cases(), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_history_chart_reads_well_with_and_without_a_verdict(
        name: str, history: list[px.Operation]) -> None:
    result = px.check_linearizable(history)
    for verdict in (None, result):
        ax = px.viz.history_chart(history, verdict)
        try:
            assert problems(ax.figure) == [], f"{name}, verdict {verdict is not None}"
            labels = [t.get_text() for t in ax.texts]
            assert len(labels) == len(history)  # one label per operation
            assert sum("no reply" in t for t in labels) == sum(o.pending for o in history)
            marked = [t for t in labels if t.startswith("\u2717")]
            diamonds = [ln for ln in ax.lines if ln.get_marker() == "D"]
            if verdict is not None and not result.linearizable:
                assert result.violation is not None and len(marked) == len(result.violation)
                assert ax.figure.texts[0].get_text().startswith("\u2717 Not linearizable.")
                assert not diamonds
            elif verdict is not None:
                assert result.order is not None and len(diamonds) == len(result.order)
                assert ax.figure.texts[0].get_text().startswith("Linearizable")
            else:
                assert not marked and not diamonds
        finally:
            plt.close(ax.figure)


def test_history_chart_marks_instants_inside_their_bars_in_witness_order() -> None:
    (_, history), = [c for c in _chart_cases() if c[0] == "busy 40 operations"]
    result = px.check_linearizable(history)
    assert result.linearizable and result.order is not None
    ax = px.viz.history_chart(history, result)
    try:
        at = {ln.get_gid(): ln.get_xdata()[0] for ln in ax.lines if ln.get_marker() == "D"}
    finally:
        plt.close(ax.figure)
    xs = [at[str(o)] for o in result.order]
    assert xs == sorted(xs)
    assert len(set(xs)) > len(xs) // 2  # ties are nudged apart where there is room
    for x, o in zip(xs, result.order, strict=True):
        assert o.invoked <= x and (o.responded is None or x <= o.responded)


def test_history_chart_rejects_bad_arguments() -> None:
    op = px.Operation("c1", "read #42", "NONE", 0, 1)
    other = px.check_linearizable([px.Operation("c2", "read #42", "NONE", 3, 4)])
    with pytest.raises(px.PaxosError, match="at least one Operation"):
        px.viz.history_chart([])
    with pytest.raises(px.PaxosError, match="result must be the Linearizability"):
        px.viz.history_chart([op], result=True)
    with pytest.raises(px.PaxosError, match="not in the history"):
        px.viz.history_chart([op], result=other)
    with pytest.raises(px.PaxosError, match="sequence of Operation"):
        px.viz.history_chart("read #42")


def test_history_chart_reads_well_on_random_histories() -> None:
    """Random small histories (many pending, many failing) chart without a readability problem."""
    from hypothesis import HealthCheck, given, settings
    from test_linearizability import mixed_histories

    @settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
    @given(mixed_histories())
    def check(history: list[px.Operation]) -> None:
        ax = px.viz.history_chart(history, px.check_linearizable(history))
        try:
            assert problems(ax.figure) == []
        finally:
            plt.close(ax.figure)

    check()


# -- lesson 09's refinement figure -----------------------------------------------------------------


def _refinement_cases() -> list[tuple[str, list]]:
    from paxos_lib.tla import TINY, TlaModel

    steps = ("paxos-voting", "voting-consensus")
    lopsided = TlaModel(quorums=[{"a1"}, {"a2", "a3"}])
    return [
        ("majority", [px.check_refinement(TINY, s) for s in steps]),
        ("voting-consensus only, lopsided", [px.check_refinement(lopsided, "voting-consensus")]),
        ("three columns", [px.check_refinement(m, s) for m in
                           (TINY, TlaModel(quorums="singleton"), lopsided) for s in steps]),
    ]


@pytest.mark.parametrize("name,results", _refinement_cases(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_refinement_figure_reads_well(name: str, results: list) -> None:
    ax = px.viz.plot_refinement(results)
    try:
        assert problems(ax.figure) == [], name
    finally:
        plt.close(ax.figure)
