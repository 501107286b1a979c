"""The course's colours, as plain hex strings: one palette for every picture and view.

Theory of operation
-------------------
The hues are Okabe & Ito's (2008, "Color Universal Design"), which stay apart under the
common forms of colour blindness.  Several of them are too light to read as text on white
(orange is 2.2:1), so each one used for text or thin lines is darkened, keeping its hue, until
it reaches WCAG AA contrast on white (``contrast_ratio(colour) >= 4.5``); ``OKABE_ITO`` keeps
the originals for fills and thick rings.

No meaning rests on colour alone: every message type's name is written on its label, a
crash (✖) and a recovery (▲) differ in marker, a second chosen value is dash-dotted and says
"agreement violated", partition sides are named in the title.  Colour only helps the eye.

This module imports nothing outside the standard library (no matplotlib), so the browser view
can take the same colours: ``css_variables()`` writes them as CSS custom properties and
``as_dict()`` as JSON-ready data (hex in lower case, as matplotlib's ``to_hex`` gives them).
"""

from __future__ import annotations

__all__ = [
    "BACKGROUND",
    "CHOSEN",
    "CRASH",
    "CRASHED_EDGE",
    "CRASHED_FACE",
    "DELIVERED",
    "KIND_COLOURS",
    "LEARN",
    "MUTED",
    "OKABE_ITO",
    "OTHER_FACE",
    "PARTITION",
    "PARTITION_TEXT",
    "RECOVER",
    "ROLE_FACE",
    "SIDE_COLOURS",
    "SPARE_COLOURS",
    "TEXT",
    "VIOLATION",
    "as_dict",
    "contrast_ratio",
    "css_variables",
]

#: Okabe & Ito's eight colours, unchanged (for fills, bands and thick rings).
OKABE_ITO = (
    "#0072b2",  # blue
    "#56b4e9",  # sky blue
    "#e69f00",  # orange
    "#009e73",  # bluish green
    "#d55e00",  # vermillion
    "#cc79a7",  # reddish purple
    "#000000",  # black
    "#f0e442",  # yellow
)

BACKGROUND = "#ffffff"
TEXT = "#222222"
MUTED = "#555555"  # step numbers, secondary text (7.5:1)

#: Message types: Okabe-Ito hues darkened to at least 4.5:1 on white (labels are text).
KIND_COLOURS: dict[str, str] = {
    "prepare": "#0072b2",   # blue                   5.2:1
    "promise": "#a16084",   # reddish purple, darker 4.6:1
    "accept": "#9c6c00",    # orange, darker         4.6:1
    "accepted": "#008561",  # bluish green, darker   4.6:1
    "nack": "#c05500",      # vermillion, darker     4.6:1
    "decided": "#4d4d4d",   # dark grey              8.5:1
}
#: For message types the table does not know (Multi-Paxos's), handed out in this order.
SPARE_COLOURS = ("#3a7a9e", "#7d7722", "#0072b2", "#a16084", "#9c6c00", "#008561", "#c05500")

CHOSEN = "#008561"      # the line where a value became chosen (dashed)
VIOLATION = "#c05500"   # a second value chosen (dash-dotted, and the text says so)
CRASH = "#c05500"       # ✖ on a lifeline
RECOVER = "#008561"     # ▲ on a lifeline
LEARN = "#a16084"       # ★ where a learner learned
PARTITION = "#e69f00"   # the shaded band (a fill, at low alpha)
PARTITION_TEXT = "#9a6a00"
DELIVERED = "#bbbbbb"   # faint curves of delivered history (a line, not text)

ROLE_FACE = {
    "proposer": "#d6e6f4",
    "acceptor": "#fbe7c6",
    "learner": "#cdeee3",
}
OTHER_FACE = "#ececf6"
CRASHED_FACE = "#d0d0d0"
CRASHED_EDGE = "#6e6e6e"  # also the name of a crashed node (5.1:1)
#: Rings around the nodes of each partition side (thick graphics, Okabe-Ito originals).
SIDE_COLOURS = ("#e69f00", "#56b4e9", "#cc79a7", "#009e73")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(colour: str) -> float:
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    if len(text) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in text):
        raise ValueError(f"expected a colour as '#rrggbb' or '#rgb', got {colour!r}")
    r, g, b = (int(text[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(colour: str, background: str = BACKGROUND) -> float:
    """WCAG 2 contrast ratio of two '#rrggbb' colours, from 1 (none) to 21 (black on white);
    AA asks 4.5 for normal text."""
    a, b = _luminance(colour), _luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def as_dict() -> dict[str, object]:
    """Every colour of the palette, JSON-ready."""
    return {
        "background": BACKGROUND, "text": TEXT, "muted": MUTED,
        "kinds": dict(KIND_COLOURS), "spare": list(SPARE_COLOURS),
        "chosen": CHOSEN, "violation": VIOLATION, "crash": CRASH, "recover": RECOVER,
        "learn": LEARN, "partition": PARTITION, "partition_text": PARTITION_TEXT,
        "delivered": DELIVERED, "roles": dict(ROLE_FACE), "other_face": OTHER_FACE,
        "crashed_face": CRASHED_FACE, "crashed_edge": CRASHED_EDGE,
        "sides": list(SIDE_COLOURS),
    }


def css_variables(prefix: str = "--paxos") -> str:
    """The palette as CSS custom properties (``--paxos-kinds-prepare: #0072b2;`` ...)."""
    lines = []
    for name, value in as_dict().items():
        if isinstance(value, dict):
            lines += [f"{prefix}-{name}-{k}: {v};" for k, v in value.items()]
        elif isinstance(value, list):
            lines += [f"{prefix}-{name}-{i}: {v};" for i, v in enumerate(value)]
        else:
            lines.append(f"{prefix}-{name.replace('_', '-')}: {value};")
    return "\n".join(lines)
