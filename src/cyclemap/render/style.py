"""Colours, line styles and labels shared by every layout.

Severity colours run from dark red (extreme) to pale (pain) on one sequential
scale, so they stay in order for colour-blind readers and in greyscale print;
overserved is the one blue. Served activities have a solid border, the ones
where the customer is left alone a dashed one, so the difference survives a
black-and-white copier too.
"""

from __future__ import annotations

from cyclemap.gaps import Severity
from cyclemap.render.scene import Box, Scene, box_lines
from cyclemap.render.text import html_text, text_width, wrap

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
LEGEND_TEXT: dict[Severity, str] = {
    Severity.EXTREME: "Underserved, extreme (opportunity score 15+)",
    Severity.HIGH: "Underserved, high (12 to 15)",
    Severity.MODERATE: "Underserved, moderate (below 12)",
    Severity.PAIN: "Left alone or in pain (no offering covers it)",
    Severity.OVERSERVED: "Overserved (satisfied beyond its importance)",
    Severity.NONE: "No gap found",
}
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
        "tooltip": " ",
    }


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
    body = "<BR/>".join(rows)
    if box.mark:
        table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
        badge = f'<TR>{mark_cell(box.mark)}</TR><TR><TD HEIGHT="{MARK_GAP:g}"></TD></TR>'
        text = f'<TR><TD><FONT COLOR="{ink}">{body}</FONT></TD></TR>'
        return f"<{table}{badge}{text}</TABLE>>"
    return f'<<FONT COLOR="{ink}">{body}</FONT>>'


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


def legend_label(scale_min: float, scale_max: float, since: str = "") -> str:
    """A key to colours and borders, built from our own text (and the revision `since`, escaped)."""
    rows = [
        '<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Key</B></TD></TR>',
    ]
    for severity, text in LEGEND_TEXT.items():
        fill, _ = FILL[severity]
        rows.append(
            f'<TR><TD BGCOLOR="{fill}" BORDER="1" WIDTH="26" HEIGHT="14" FIXEDSIZE="TRUE"></TD>'
            f'<TD ALIGN="LEFT">{html_text(text)}</TD></TR>'
        )
    rows.append(
        '<TR><TD BORDER="1" STYLE="rounded" WIDTH="26" HEIGHT="14" FIXEDSIZE="TRUE"></TD>'
        '<TD ALIGN="LEFT">Solid border: we offer something here</TD></TR>'
    )
    rows.append(
        '<TR><TD BORDER="1" STYLE="dashed" WIDTH="26" HEIGHT="14" FIXEDSIZE="TRUE"></TD>'
        '<TD ALIGN="LEFT">Dashed border: the customer is left alone</TD></TR>'
    )
    if since:
        rows += _highlight_rows(since)
    rows.append(
        f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="{MUTED}">'
        f"imp / sat: importance and satisfaction ({scale_min:g} to {scale_max:g})<BR ALIGN=\"LEFT\"/>"
        "Numbers give the order: 2.1 is the first step of activity 2<BR ALIGN=\"LEFT\"/>"
        "</FONT></TD></TR>"
    )
    table = "".join(rows)
    frame = 'BORDER="1" COLOR="#bbbbbb" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2" BGCOLOR="#ffffff"'
    return f"<<TABLE {frame}>{table}</TABLE>>"


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
