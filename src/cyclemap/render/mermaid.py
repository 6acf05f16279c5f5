"""Mermaid flowchart text, for maps that live in READMEs and wikis (GitHub renders it)."""

from __future__ import annotations

import json
import math
import re
from itertools import pairwise

from cyclemap.gaps import Severity
from cyclemap.landscape import AXIS_TOP, Point
from cyclemap.render.landscape import Chart
from cyclemap.render.scene import Box, Scene, footer_lines
from cyclemap.render.style import FILL, HIGHLIGHT, INK, MARK_TEXT, PHASE_INK
from cyclemap.safe_text import escape_invisible

_NOT_PLAIN = re.compile(r"[^\w .,'()/?!+\-·…]|_")
"""Not a letter, a digit, a space or punctuation that means nothing inside a quoted Mermaid label."""
SQUARE = "■"
"""Drawn in the worst gap's colour before a collapsed node's "worst inside" words, as the Graphviz pictures do."""


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label, shown as written.

    Letters, digits, spaces and a little punctuation stay as they are; every
    other character becomes a numeric entity (``#37;`` for ``%``), which
    Mermaid turns back into that character when it draws the label. So no
    user text can close the quotes, start a ``%%{init}%%`` directive or a
    comment, become HTML, Markdown, KaTeX (``$$``) or an icon (``fa:fa-x``),
    or end a line. Control and format characters show as escapes first.

    >>> mermaid_text('%%{init: {"theme": "dark"}}%% <b>x</b> & 1.5')
    '#37;#37;#123;init#58; #123;#34;theme#34;#58; #34;dark#34;#125;#125;#37;#37; #60;b#62;x#60;/b#62; #38; 1.5'
    """
    return _NOT_PLAIN.sub(lambda m: f"#{ord(m.group())};", escape_invisible(text))


def _title(text: str) -> str:
    """The title as a double-quoted YAML scalar for the front matter.

    Mermaid shows the title as plain text (it reads no entities there), so it
    is written as JSON, which YAML reads back exactly; ``%``, ``<``, ``>``,
    ``&``, ``#`` and backticks are escaped too, so that no pre-processing of the diagram
    sees a directive or a tag in it, and no CI log a ``##[command]``.

    >>> print(_title('Cost %%{ "budget" <b>'))
    "Cost \\u0025\\u0025{ \\"budget\\" \\u003cb\\u003e"
    """
    quoted = json.dumps(escape_invisible(text), ensure_ascii=False)
    return quoted.translate({ord(c): f"\\u{ord(c):04x}" for c in "%<>&#`"})


def render_mermaid(scene: Scene) -> str:
    """A left-to-right flowchart: one subgraph per phase, subcycles nested inside."""
    lines = [
        "---",
        f"title: {_title(scene.title + (f' · {scene.caption}' if scene.caption else ''))}",
        "---",
        "flowchart LR",
        f'  outcome(["Outcome: {mermaid_text(scene.outcome)}"])',
    ]
    ring: list[Box] = []
    for phase in scene.phases:
        lines.append(f'  subgraph {phase.key}["{mermaid_text(phase.label)}"]')
        lines.append("    direction TB")
        for box in phase.boxes:
            lines.extend(_node_lines(box, "    ", scene.since))
        lines.append("  end")
        ring.extend(phase.boxes)
    lines.extend(f"  {a.key} --> {b.key}" for a, b in pairwise(ring))
    if ring:
        lines.append(f"  {ring[-1].key} -.-> outcome")
    for box in scene.all_boxes():
        lines.extend(f"  {box.key} --- {child.key}" for child in box.children)
    lines.extend(_styles(scene))
    return "\n".join(lines) + "\n"


def node_label(box: Box, since: str = "") -> list[str]:
    """A node's label as people read it: its number and whole name, then each note on a line of its own.

    The name is not wrapped (Mermaid wraps labels itself, between words), so
    text copied from the diagram is the name as written.

    The notes are the Graphviz pictures' (`scene.footer_lines`), after a NEW or
    CHANGED badge's words; a collapsed node ends with its worst gap inside,
    after a square in that gap's colour (`SQUARE`).
    """
    notes = [f"{MARK_TEXT[box.mark]} since {since}"] if box.mark else []
    notes += footer_lines(box)
    if box.hidden_worst is not Severity.NONE:
        notes[-1] = f"{SQUARE} {notes[-1]}"
    return [f"{box.number} {box.name}".strip(), *notes]


def _node_lines(box: Box, indent: str, since: str = "") -> list[str]:
    name, *notes = node_label(box, since)
    shown = [mermaid_text(note) for note in notes]
    if box.hidden_worst is not Severity.NONE:
        shown[-1] = _swatch(box.hidden_worst) + mermaid_text(notes[-1].removeprefix(SQUARE))
    label = mermaid_text(name) + "".join(f"<br/><small>{note}</small>" for note in shown)
    out = [f'{indent}{box.key}["{label}"]']
    for child in box.children:
        out.extend(_node_lines(child, indent, since))
    return out


def _swatch(severity: Severity) -> str:
    """`SQUARE` in the fill of `severity` on a white ground, so it shows on any node's fill, as HTML.

    Each span has one declaration and no '#' (the colour is written rgb(...)):
    Mermaid cuts the last ';' from any line where 'style', ':', '#' and ';'
    follow each other, which would break the entities after it.

    >>> _swatch(Severity.EXTREME)
    "<span style='background:white'><span style='color:rgb(165,15,21)'>■</span></span>"
    """
    fill = FILL[severity][0]
    red, green, blue = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return f"<span style='background:white'><span style='color:rgb({red},{green},{blue})'>{SQUARE}</span></span>"


def _styles(scene: Scene) -> list[str]:
    lines = []
    for severity in Severity:
        fill, ink = FILL[severity]
        lines.append(f"  classDef {severity.value} fill:{fill},color:{ink},stroke:{INK}")
    lines.append("  classDef alone stroke-dasharray:5 4")
    if scene.since:
        lines.append(f"  classDef marked stroke:{HIGHLIGHT},stroke-width:4px")
    for key, colour in PHASE_INK.items():
        lines.append(f"  style {key} stroke:{colour}")
    for box in scene.all_boxes():
        lines.append(f"  class {box.key} {box.severity.value}")
        if not box.served:
            lines.append(f"  class {box.key} alone")
        if box.mark:
            lines.append(f"  class {box.key} marked")
    return lines


# -- the opportunity landscape as a quadrantChart ------------------------------------

SPREAD = 0.02
"""How far apart (on Mermaid's 0-1 axes) activities at one point are spread around it, so each shows."""
QUADRANT_CAN_NOT_SHOW = (
    "Mermaid's quadrantChart splits the plot only at the middle, so it cannot draw the landscape's diagonal "
    "regions (underserved, extreme, overserved): each point's colour is its severity, which says the region it "
    "is in; activities at one point are spread around it; `cyclemap render --layout landscape` draws the "
    "regions, with names."
)
"""What a report says under its quadrantChart."""


def render_quadrant(chart: Chart) -> str:
    """The landscape's first panel as a Mermaid ``quadrantChart``: importance (x) against satisfaction (y), 0-10
    shown as 0-1, one point per scored activity labelled with its number ("D1.2", see `quadrant_marks`) and
    coloured by its severity.

    Mermaid writes each label under its point at full length, so names would
    run into each other: the numbers stay short, and activities at one point
    are spread on a small circle around it. Every label goes through
    `mermaid_text` inside double quotes; the axes, quadrants and title are
    fixed words. Deterministic: points in document order.
    """
    panel = chart.panels[0]
    lines = [
        "quadrantChart",
        "  title Opportunity landscape",
        "  x-axis Less important --> More important",
        "  y-axis Less satisfied --> More satisfied",
        "  quadrant-1 Important and satisfied",
        "  quadrant-2 Overserved?",
        "  quadrant-3 Less important",
        "  quadrant-4 Underserved?",
    ]
    at: dict[tuple[float, float], list[Point]] = {}
    for point in panel.points:
        at.setdefault((point.importance, point.satisfaction), []).append(point)
    for point in panel.points:
        x, y = _spread(point, at[(point.importance, point.satisfaction)])
        label = mermaid_text(panel.tag(point))
        lines.append(f'  "{label}":::{point.severity.value}: [{_unit(x)}, {_unit(y)}]')
    for severity in sorted({p.severity for p in panel.points}, key=list(Severity).index):
        fill = FILL[severity][0]
        lines.append(f"  classDef {severity.value} color: {fill}, radius: 6, stroke-color: {INK}, stroke-width: 1px")
    return "\n".join(lines) + "\n"


def quadrant_marks(chart: Chart) -> str:
    """What the chart's numbers mean, in a sentence: "D1.2 is activity 1.2 of Deciding; I: Installing; ..."."""
    panel = chart.panels[0]
    marks = [(panel.marks.get(key, ""), label) for key, label in chart.phases]
    if not marks or not marks[0][0]:
        return ""
    first, first_label = marks[0]
    rest = "; ".join(f"{mark}: {label}" for mark, label in marks[1:])
    return f"{first}1.2 is activity 1.2 of {first_label}" + (f"; {rest}" if rest else "") + "."


def _spread(point: Point, group: list[Point]) -> tuple[float, float]:
    """Where `point` is drawn, on the 0-10 scale: its own place, or a place on a small circle around it
    when other activities share it."""
    if len(group) == 1:
        return point.importance, point.satisfaction
    turn = 2 * math.pi * group.index(point) / len(group)
    reach = SPREAD * AXIS_TOP * (1 + len(group) / 8)
    return point.importance + reach * math.cos(turn), point.satisfaction + reach * math.sin(turn)


def _unit(value: float) -> str:
    """A 0-10 value on Mermaid's 0-1 axis, as its grammar reads numbers ("0", "0.35", "1").

    >>> _unit(10.0), _unit(0.0), _unit(3.456), _unit(9.9999)
    ('1', '0', '0.346', '1')
    """
    text = f"{min(max(value / AXIS_TOP, 0.0), 1.0):.3f}".rstrip("0").rstrip(".")
    return text or "0"
