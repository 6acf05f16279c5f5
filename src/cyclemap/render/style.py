"""Colours, line styles and labels shared by every layout.

Severity colours run from dark red (extreme) to pale (pain) on one sequential
scale, so they stay in order for colour-blind readers and in greyscale print;
overserved is the one blue. Served activities have a solid border, the ones
where the customer is left alone a dashed one, so the difference survives a
black-and-white copier too.
"""

from __future__ import annotations

from cyclemap.gaps import Severity
from cyclemap.render.scene import METRIC_SIZE, NO_EVIDENCE, SWATCH, Box, Scene, box_lines, worst_inside
from cyclemap.render.text import html_text, text_width, tooltip_text, wrap

FONT = "DejaVu Sans"
NODE_FONT_SIZE = 11.0
"""The default size of node text; other sizes are set per line."""
INK = "#222222"
MUTED = "#5f5f5f"
EDGE = "#4d4d4d"
SUB_EDGE = "#8c8c8c"

FILL: dict[Severity, tuple[str, str]] = {
    # severity: (fill, text colour)
    Severity.EXTREME: ("#a50f15", "#ffffff"),
    Severity.HIGH: ("#e2562f", "#ffffff"),
    Severity.MODERATE: ("#fcae7e", INK),
    Severity.PAIN: ("#fde9d3", INK),
    Severity.OVERSERVED: ("#b9d3ea", INK),
    Severity.NONE: ("#ffffff", INK),
}
BAND_FROM = {Severity.EXTREME: 15.0, Severity.HIGH: 12.0}
"""Lowest opportunity score of the extreme and high bands (as `cyclemap.gaps.band` decides them)."""
TOP_SCORE = 20.0
"""Highest opportunity score."""
PHASE_TINT = {"pre": "#f1f5f9", "during": "#f5f3f8", "post": "#f1f6f2"}
PHASE_INK = {"pre": "#2f5d8a", "during": "#6b4f8f", "post": "#2f7a68"}
"""Dark blue, purple and teal: the phases' arcs and labels, apart from the severity scale."""
HIGHLIGHT = "#c51b7d"
"""Magenta: the outline and badge of activities new or changed since a revision, apart from every other colour."""
MARK_TEXT = {"new": "NEW", "changed": "CHANGED"}
"""The badge on a highlighted activity; the words, not only the colour, tell new from changed."""
MARK_SIZE = 8.0
"""Font size of the badge; `scene.MARK_ROW` is the height it adds to a box."""
MARK_GAP = 5.0
"""Space under the badge: Graphviz sets a large first line a little higher than its cell."""
MARK_LEGEND = {
    "new": "added since {since}",
    "changed": "changed since {since}: name, fields or place",
}


def node_attrs(box: Box) -> dict[str, str]:
    """Graphviz attributes of an activity box (size in inches, fixed)."""
    fill, _ = FILL[box.severity]
    return {
        "label": box_label(box),
        "shape": "box",
        "style": "rounded,filled" + (",bold" if box.served else ",dashed"),
        "penwidth": "3.5" if box.mark else "2" if box.served else "1.4",
        "color": HIGHLIGHT if box.mark else INK,
        "fillcolor": fill,
        "width": _inches(box.width),
        "height": _inches(box.height),
        "fixedsize": "true",
        "tooltip": box_tooltip(box),
    }


def box_tooltip(box: Box) -> str:
    """What a pointer over the box shows in an SVG viewer: the name, description and competitors."""
    if box.placeholder:
        return " "
    lines = [f"{box.number} {box.name}".strip()]
    if box.description:
        lines.append(box.description)
    if box.competitors:
        lines.append("Who serves it today: " + ", ".join(box.competitors))
    return tooltip_text(lines)


def box_label(box: Box) -> str:
    """An HTML-like label: number and name, then the small metrics line."""
    _, ink = FILL[box.severity]
    rows = []
    for index, (text, size, bold) in enumerate(box_lines(box)):
        content = html_text(text)
        if bold:
            content = f"<B>{content}</B>"
        if index == 0 and box.number:
            content = f"{html_text(box.number)}&#160;&#160;{content}"
        if size != NODE_FONT_SIZE:
            content = f'<FONT POINT-SIZE="{size:g}">{content}</FONT>'
        rows.append(content)
    worst = ""
    if box.hidden_worst is not Severity.NONE:
        rows.pop()  # drawn last, after its colour square
        worst = worst_inside(box.hidden_worst)
    body = "<BR/>".join(rows)
    if box.mark or worst:
        table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
        badge = f'<TR>{mark_cell(box.mark)}</TR><TR><TD HEIGHT="{MARK_GAP:g}"></TD></TR>' if box.mark else ""
        text = f'<TR><TD><FONT COLOR="{ink}">{body}</FONT></TD></TR>'
        folded = f"<TR><TD>{_worst_row(box.hidden_worst, ink, worst)}</TD></TR>" if worst else ""
        return f"<{table}{badge}{text}{folded}</TABLE>>"
    return f'<<FONT COLOR="{ink}">{body}</FONT>>'


def _worst_row(severity: Severity, ink: str, text: str) -> str:
    """A colour square of the worst gap folded inside a collapsed box, then the words saying it.

    The row is a table of fixed size, or Graphviz would stretch it across the
    box and leave the square far from its words.
    """
    width = SWATCH + (text_width(text, METRIC_SIZE) + 10 if text else 0)
    table = (
        f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" FIXEDSIZE="TRUE" '
        f'WIDTH="{width:.0f}" HEIGHT="{SWATCH + 4:g}"><TR>'
    )
    words = (
        f'<TD WIDTH="4"></TD><TD><FONT COLOR="{ink}" POINT-SIZE="{METRIC_SIZE:g}">{html_text(text)}</FONT></TD>'
        if text
        else ""
    )
    return f"{table}{swatch_cell(severity, ink)}{words}</TR></TABLE>"


def swatch_cell(severity: Severity, edge: str = INK) -> str:
    """A small square in a severity's fill inside a white ring and an `edge` line, so it shows on any fill."""
    inner = SWATCH - 4
    return (
        f'<TD BORDER="1" COLOR="{edge}" BGCOLOR="#ffffff" CELLPADDING="1" FIXEDSIZE="TRUE" WIDTH="{SWATCH:g}" '
        f'HEIGHT="{SWATCH:g}"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
        f'<TD BGCOLOR="{FILL[severity][0]}" FIXEDSIZE="TRUE" WIDTH="{inner:g}" HEIGHT="{inner:g}"></TD>'
        "</TR></TABLE></TD>"
    )


def mark_cell(mark: str) -> str:
    """The NEW (filled) or CHANGED (outlined) badge: a table cell of its own size, centred in its column."""
    fill, ink, edge = (HIGHLIGHT, "#ffffff", "#ffffff") if mark == "new" else ("#ffffff", HIGHLIGHT, HIGHLIGHT)
    width = text_width(MARK_TEXT[mark], MARK_SIZE, bold=True) + 10
    return (
        f'<TD BORDER="1" COLOR="{edge}" BGCOLOR="{fill}" STYLE="rounded" FIXEDSIZE="TRUE" WIDTH="{width:.0f}" '
        f'HEIGHT="{MARK_SIZE * 1.7:.0f}"><FONT POINT-SIZE="{MARK_SIZE:g}" COLOR="{ink}"><B>{MARK_TEXT[mark]}</B>'
        "</FONT></TD>"
    )


def title_label(scene: Scene, subtitle: str = "") -> str:
    """The diagram's heading: title, customer and owner."""
    title = _lines(wrap(scene.title, TITLE_WIDTH, 26, bold=True, max_lines=3))
    parts = [f'<FONT POINT-SIZE="26"><B>{title}</B></FONT>']
    who = f"Customer: {scene.customer}" + (f"   ·   Map owner: {scene.owner}" if scene.owner else "")
    for line in (who, subtitle) if subtitle else (who,):
        parts.append(f'<FONT POINT-SIZE="14" COLOR="{MUTED}">{_lines(wrap(line, TITLE_WIDTH, 14))}</FONT>')
    return "<" + "<BR/>".join(parts) + ">"


TITLE_WIDTH = 1100.0
"""Widest line of a diagram's heading, in points; longer titles wrap (up to 3 lines)."""


def _lines(lines: list[str]) -> str:
    return "<BR/>".join(html_text(line) for line in lines)


def legend_texts(scene: Scene) -> dict[Severity, str]:
    """What each fill means, with the map's threshold and margin; bands no score can reach are left out.

    >>> from cyclemap.render.scene import Scene
    >>> texts = legend_texts(Scene("", "", "", "", 1, 10, [], threshold=12))
    >>> texts[Severity.HIGH], Severity.MODERATE in texts
    ('Underserved, high: score 12 to under 15', False)
    """
    texts = {}
    bands = {
        Severity.EXTREME: (BAND_FROM[Severity.EXTREME], TOP_SCORE),
        Severity.HIGH: (BAND_FROM[Severity.HIGH], BAND_FROM[Severity.EXTREME]),
        Severity.MODERATE: (0.0, BAND_FROM[Severity.HIGH]),
    }
    for severity, (lowest, end) in bands.items():
        start = max(lowest, scene.threshold)
        if start < end:
            upto = f"to under {end:g}" if end < TOP_SCORE else f"to {end:g}"
            texts[severity] = f"Underserved, {severity.value}: score {start:g} {upto}"
        elif start == end == TOP_SCORE:
            texts[severity] = f"Underserved, {severity.value}: score {end:g}"
    margin = scene.overserved_margin * scene.scale_max / 10
    texts[Severity.PAIN] = "Left alone or in pain: no offering, or pains"
    texts[Severity.OVERSERVED] = f"Overserved: satisfaction {margin:g}+ above importance"
    texts[Severity.NONE] = "White: none of these (may lack evidence)"
    return texts


def legend_notes(scene: Scene) -> list[str]:
    """The small print under the key, with the map's scale and threshold."""
    return [
        f"imp / sat: importance, satisfaction ({scene.scale_min:g} to {scene.scale_max:g})",
        *([SURVEY_NOTE] if scene.surveyed else []),
        f"{NO_EVIDENCE}: scores cite no evidence (a gap)",
        f"Score: imp + (imp - sat) on 0-10; underserved from {scene.threshold:g}",
        "2.1 is the first step of activity 2",
    ]


SURVEY_NOTE = "with n=: survey scores, 0 to 10, from n answers"
"""The key's note on boxes scored by a survey."""

BORDER_TEXT = {
    "rounded": "Solid border: we offer something here",
    "dashed": "Dashed border: no offering of ours here",
}
FOLDED_TEXT = "Collapsed subcycle: the worst gap folded inside"


def _has_folded(scene: Scene) -> bool:
    return any(box.hidden_worst is not Severity.NONE for box in scene.all_boxes())


def legend_label(scene: Scene) -> str:
    """A key to colours and borders from our own text, the map's settings and the revision `since` (escaped)."""
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Key</B></TD></TR>']
    if scene.caption:
        rows.append(f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>{html_text(scene.caption)}</B></TD></TR>')
    for severity, text in legend_texts(scene).items():
        fill, _ = FILL[severity]
        rows.append(
            f'<TR><TD BGCOLOR="{fill}" BORDER="1" WIDTH="26" HEIGHT="14" FIXEDSIZE="TRUE"></TD>'
            f'<TD ALIGN="LEFT">{html_text(text)}</TD></TR>'
        )
    for style, text in BORDER_TEXT.items():
        rows.append(
            f'<TR><TD BORDER="1" STYLE="{style}" WIDTH="26" HEIGHT="14" FIXEDSIZE="TRUE"></TD>'
            f'<TD ALIGN="LEFT">{html_text(text)}</TD></TR>'
        )
    if _has_folded(scene):
        rows.append(f'<TR><TD>{_worst_row(Severity.EXTREME, INK, "")}</TD><TD ALIGN="LEFT">{FOLDED_TEXT}</TD></TR>')
    if scene.since:
        rows += _highlight_rows(scene.since)
    notes = "".join(f'{html_text(note)}<BR ALIGN="LEFT"/>' for note in legend_notes(scene))
    rows.append(f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="{MUTED}">{notes}</FONT></TD></TR>')
    table = "".join(rows)
    frame = 'BORDER="1" COLOR="#bbbbbb" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2" BGCOLOR="#ffffff"'
    return f"<<TABLE {frame}>{table}</TABLE>>"


def legend_size(scene: Scene) -> tuple[float, float]:
    """Width and height of the key in points, from its rows (to find room for it before Graphviz runs)."""
    rows = [*legend_texts(scene).values(), *BORDER_TEXT.values(), *([FOLDED_TEXT] if _has_folded(scene) else [])]
    notes = legend_notes(scene)
    width = max(max(text_width(t, NODE_FONT_SIZE) for t in rows) + 48, max(text_width(t, 10.0) for t in notes) + 20)
    height = 34.0 + 20.5 * len(rows) + 12.5 * len(notes)
    if scene.caption:
        width, height = max(width, text_width(scene.caption, NODE_FONT_SIZE, bold=True) + 20), height + 20.5
    if scene.since:
        extra_w, extra_h = highlight_legend_size(scene.since)
        width, height = max(width, extra_w), height + extra_h
    return width, height


def _highlight_rows(since: str) -> list[str]:
    """Legend rows for the outline and the two badges of `render --highlight-changes-since`."""
    rows = [
        f'<TR><TD BORDER="3" COLOR="{HIGHLIGHT}" STYLE="rounded" WIDTH="26" HEIGHT="14" FIXEDSIZE="TRUE"></TD>'
        f'<TD ALIGN="LEFT">Magenta outline: new or changed since {html_text(since)}</TD></TR>'
    ]
    for mark, text in MARK_LEGEND.items():
        rows.append(f'<TR>{mark_cell(mark)}<TD ALIGN="LEFT">{html_text(text.format(since=since))}</TD></TR>')
    return rows


def highlight_legend_size(since: str) -> tuple[float, float]:
    """Width the legend needs for the highlight rows, and the height they add (points)."""
    texts = [f"Magenta outline: new or changed since {since}", *(t.format(since=since) for t in MARK_LEGEND.values())]
    return max(text_width(t, NODE_FONT_SIZE) for t in texts) + 60, 3 * 22.0


def _inches(points: float) -> str:
    return f"{points / 72:.3f}"
