"""The parts of a pack, one function each, drawn onto a `PackDocument`."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fpdf.outline import OutlineSection

from cyclemap.gaps import Gap, Severity, is_unevidenced
from cyclemap.landscape import Point
from cyclemap.model import EVIDENCE_SOURCES, PHASE_KEYS, Activity, CycleMap, Evidence, Visit, label_of
from cyclemap.render.landscape import EDGE, Chart, KeyEntry, Panel, PlacedPanel, key_entries, place_text
from cyclemap.render.style import FILL, PHASE_INK, PHASE_TINT
from cyclemap.report.gaps import PATH_SEPARATOR, score_text
from cyclemap.report.segment_gaps import view_parts
from cyclemap.survey import ALL
from cyclemap.workshop.diagrams import PT_PER_MM, Diagram, Placement
from cyclemap.workshop.document import MUTED, RULE, PackDocument, bullets, plain
from cyclemap.workshop.poster import LEGIBLE_SCALE, MIN_TEXT_PT, OVERLAP, Frame, PosterPlan, Tile
from cyclemap.workshop.tables import INK, PAD_X, Cell, Column, Table, page_runs

if TYPE_CHECKING:
    from cyclemap.segment_gaps import Disagreement, ViewEntry
    from cyclemap.survey.views import ViewScore

NONE_MARK = "\N{EN DASH}"
SOURCE_NAMES = {
    "interview": "Interviews",
    "survey": "Surveys",
    "observation": "Observations",
    "market-data": "Market data",
    "analytics": "Analytics",
    "other": "Other sources",
}
SEVERITY_NAMES = {
    Severity.EXTREME: "Extreme",
    Severity.HIGH: "High",
    Severity.MODERATE: "Moderate",
    Severity.PAIN: "Left alone / pain",
    Severity.OVERSERVED: "Overserved",
    Severity.NONE: "Unevidenced",
}


def number_of(visit: Visit) -> str:
    return ".".join(map(str, visit.position))


def _phase_name(cmap: CycleMap, key: str) -> str:
    return plain(label_of(key, cmap.phase(key)), 60)


# -- 1. cover ---------------------------------------------------------------------


@dataclass(frozen=True)
class CoverFacts:
    """What the cover says beyond the map itself."""

    file: str
    revision: str | None
    title: str | None
    date: dt.date
    contents: bool
    """Whether to list the contents (not for a cover alone)."""
    poster: str | None = None
    """How to print the poster, when it needs saying."""
    view: str | None = None
    """Whose gaps the pack shows ("Upgraders (upgraders), survey n=150"), on a map with segments or a survey."""


def cover(doc: PackDocument, cmap: CycleMap, facts: CoverFacts, gaps: Sequence[Gap]) -> None:
    """Title, customer, outcome, owner, date, revision, a summary and the contents."""
    title, date, contents = facts.title, facts.date, facts.contents
    doc.section = ""
    doc.add_page()
    _phase_band(doc)
    right_margin = doc.r_margin
    doc.set_right_margin(doc.w * (1 - COVER_TEXT_SHARE) if contents else right_margin)
    doc.set_y(26)
    doc.para("CUSTOMER ACTIVITY CYCLE  ·  WORKSHOP PACK", 9, MUTED, bold=True)
    doc.ln(3)
    heading = title or cmap.title
    doc.heading(heading, size=28 if len(heading) <= 60 else 22 if len(heading) <= 120 else 16)
    doc.para(f"Customer: {plain(cmap.customer)}", 13, MUTED)
    doc.ln(5)
    _outcome_box(doc, cmap.outcome)
    doc.ln(5)
    details = [("Owner", cmap.owner), ("Date", _long_date(date)), ("Map", facts.file), ("Revision", facts.revision),
               ("Poster", facts.poster), ("Gaps for", facts.view)]
    for label, value in details:
        if value:
            _detail(doc, label, value)
    doc.ln(3)
    doc.para(_summary(cmap, gaps), 9.5, MUTED)
    doc.set_right_margin(right_margin)
    if contents:
        doc.start_section("Cover")
        doc.insert_toc_placeholder(_contents, pages=1)  # type: ignore[arg-type] # called with our document
        doc.fresh_page = True


COVER_TEXT_SHARE = 0.64
"""Share of the cover's width for the map's details; the contents take the rest."""


def _phase_band(doc: PackDocument) -> None:
    width = doc.w / 3
    for n, key in enumerate(PHASE_KEYS):
        doc.set_fill_color(PHASE_INK[key])
        doc.rect(n * width, 0, width + 0.2, 6, style="F")


def _outcome_box(doc: PackDocument, outcome: str) -> None:
    doc.set_fill_color(PHASE_TINT["pre"])
    doc.style(9, MUTED, bold=True)
    doc.cell(0, 7, "  DESIRED OUTCOME", fill=True, new_x="LMARGIN", new_y="NEXT")
    size = 15 if len(outcome) <= 200 else 12 if len(outcome) <= 500 else 9
    doc.style(size, INK, bold=True)
    doc.multi_cell(0, size * 0.5, plain(outcome, 1000), fill=True, align="L", padding=(1, 3, 3, 3),
                   new_x="LMARGIN", new_y="NEXT")


def _detail(doc: PackDocument, label: str, value: str) -> None:
    doc.style(10, MUTED, bold=True)
    doc.cell(28, 6, label)
    doc.style(10, INK)
    doc.multi_cell(0, 6, plain(value, 160), align="L", new_x="LMARGIN", new_y="NEXT")


def _long_date(date: dt.date) -> str:
    return f"{date.day} {date:%B} {date.year}"


def _summary(cmap: CycleMap, gaps: Sequence[Gap]) -> str:
    visits = list(cmap.walk())
    per_phase = Counter(v.phase for v in visits)
    phases = ", ".join(f"{_phase_name(cmap, k)} {per_phase[k]}" for k in PHASE_KEYS)
    severities = Counter(g.severity for g in gaps)
    found = [f"{severities[s]} {SEVERITY_NAMES[s].lower()}" for s in Severity if severities[s]]
    references = {(e.source, e.ref) for v in visits for e in v.activity.evidence}
    gap_text = f"{len(gaps)} gap{'s' * (len(gaps) != 1)}" + (f" ({', '.join(found)})" if found else "")
    return (f"{len(visits)} activit{'ies' if len(visits) != 1 else 'y'} ({phases})  ·  {gap_text}  ·  "
            f"{len(references)} evidence reference{'s' * (len(references) != 1)}")


def _contents(doc: PackDocument, outline: list[OutlineSection]) -> None:
    left = doc.w * COVER_TEXT_SHARE + 6
    width = doc.w - doc.r_margin - left
    doc.set_draw_color(RULE)
    doc.set_line_width(0.3)
    doc.line(left - 6, 26, left - 6, doc.page_break_trigger - 10)
    doc.set_xy(left, 26)
    doc.style(9, MUTED, bold=True)
    doc.cell(width, 6, "CONTENTS", new_x="LEFT", new_y="NEXT")
    doc.ln(2)
    name_width = width - CONTENTS_NUMBER
    for entry in outline:
        if entry.level > 0 or entry.name == "Cover":
            continue
        top = doc.get_y()
        doc.style(10.5, INK)
        link = doc.add_link(page=entry.page_number)
        lines = doc.fit_lines(entry.name, name_width, CONTENTS_LINES)
        for number, line in enumerate(lines):
            doc.set_xy(left, top + number * CONTENTS_LINE)
            doc.cell(name_width, CONTENTS_LINE, line, link=link)
        doc.style(10.5, MUTED)
        doc.set_xy(left + name_width, top + (len(lines) - 1) * CONTENTS_LINE)
        doc.cell(CONTENTS_NUMBER, CONTENTS_LINE, str(entry.page_number), align="R", link=link)
        doc.set_xy(left, top + len(lines) * CONTENTS_LINE + CONTENTS_GAP)


CONTENTS_LINES, CONTENTS_LINE, CONTENTS_GAP, CONTENTS_NUMBER = 2, 5.0, 2.5, 12.0
"""Lines of one contents entry at most (the rest cut with '…'), their height, the space between entries and
the width of the page-number column, mm: wrapped names never run into their page numbers or off the page."""


# -- 2. poster --------------------------------------------------------------------


def poster_frame(doc: PackDocument) -> Frame:
    """The part of a poster sheet the cycle may use: all of it but the running header and footer."""
    return Frame(POSTER_SIDE, POSTER_TOP, doc.w - 2 * POSTER_SIDE, doc.h - POSTER_TOP - POSTER_BOTTOM)


POSTER_SIDE, POSTER_TOP, POSTER_BOTTOM = 8.0, 20.0, 13.0
"""Margins of a poster sheet, mm: narrower than other pages, as most printers allow."""


def poster_note(plan: PosterPlan, paper: str, better: str | None) -> str | None:
    """What the cover says about printing the poster, if anything."""
    if plan.tiled:
        return (f"{len(plan.tiles)} sheets of {paper} ({plan.columns} across, {plan.rows} down) "
                "to trim and tape together")
    if plan.smallest_text < MIN_TEXT_PT:
        where = f"on {better}" if better else "larger than A0"
        return f"print it {where} for legible text, or build the pack with --poster tiles"
    return None


def poster(doc: PackDocument, diagram: Diagram, plan: PosterPlan, note: str | None) -> list[Placement]:
    """The cycle on one sheet, or on several with cut marks and an overlap to tape."""
    frame = poster_frame(doc)
    placements = []
    for number, tile in enumerate(plan.tiles, start=1):
        if number == 1:
            doc.begin("The cycle")
        else:
            doc.section = f"The cycle · sheet {number} of {len(plan.tiles)}"
            doc.add_page()
        clip = (frame.left, frame.top, frame.width, frame.height) if plan.tiled else None
        placements.append(Placement("cycle", doc.page, tile.x, tile.y, plan.scale, clip))
        if plan.tiled:
            _tile_marks(doc, frame, plan, tile)
            text = (f"Sheet {number} of {len(plan.tiles)}: row {tile.row + 1} of {plan.rows}, column "
                    f"{tile.column + 1} of {plan.columns}. Trim the edges that have corner marks, lay them "
                    "over the neighbouring sheet up to its dashed line, and tape.")
        else:
            text = f"This page: {note}." if note else ""
        if text:
            doc.set_xy(frame.left, POSTER_TOP - 5.5)
            doc.style(7, MUTED)
            doc.cell(frame.width, 4, text)
    return placements


def _tile_marks(doc: PackDocument, frame: Frame, plan: PosterPlan, tile: Tile) -> None:
    """Corner marks where a sheet is trimmed (its left and top edges), dashes where the next one ends."""
    left, top = frame.left, frame.top
    right, bottom = left + frame.width, top + frame.height
    doc.set_draw_color(INK)
    doc.set_line_width(0.2)
    mark = 3.5
    if tile.column > 0:
        for y in (top, bottom):
            doc.line(left, y - mark if y == top else y + 0.8, left, y - 0.8 if y == top else y + mark)
    if tile.row > 0:
        for x in (left, right):
            doc.line(x - mark if x == left else x + 0.8, top, x - 0.8 if x == left else x + mark, top)
    doc.set_draw_color(MUTED)
    doc.set_line_width(0.25)
    with doc.local_context():
        doc.set_dash_pattern(dash=2, gap=1.5)
        if tile.column < plan.columns - 1:
            doc.line(right - OVERLAP, top, right - OVERLAP, bottom)
        if tile.row < plan.rows - 1:
            doc.line(left, bottom - OVERLAP, right, bottom - OVERLAP)


# -- 2b. opportunity landscape ---------------------------------------------------

LANDSCAPE_TITLE = 9.0
"""Millimetres a landscape page's title line takes above its picture."""
LANDSCAPE_SMALLEST_TEXT = 8.0
"""Points of the smallest text in a landscape picture at full size (a NEW badge; region notes are 8.5)."""
LANDSCAPE_PLOT_SHARE = 0.58
"""Most of a landscape page's width its plot takes: the rest is for the key and the numbered list."""
COLUMN_GAP = 5.0
"""Millimetres between the plot and the key and list beside it."""
KEY_SIZE, KEY_LINE, KEY_SWATCH = 7.5, 4.6, 3.0
"""The key's type size (pt), line height and swatch size (mm)."""
LIST_SIZE = 7.0
"""Points of the numbered list's text."""
LIST_PAIR = 48.0
"""Least width (mm) of a column of the numbered list (mark and name): the list takes as many as fit."""


@dataclass(frozen=True)
class LandscapeView:
    """What a landscape page shows: whose view (its title line), the chart, and its plot as laid out."""

    view: str
    chart: Chart
    panel: PlacedPanel


def landscape_frame(doc: PackDocument, *, blank: bool = True) -> Frame:
    """The part of a landscape page its picture may use: a poster sheet's, below the page's title line.

    With `blank`, grown by the blank edge Graphviz leaves around the picture
    (`EDGE`): that edge may fall on the margins, and is cut off there.
    """
    frame = poster_frame(doc)
    edge = EDGE / PT_PER_MM if blank else 0.0
    return Frame(frame.left - edge, frame.top + LANDSCAPE_TITLE - edge, frame.width + 2 * edge,
                 frame.height - LANDSCAPE_TITLE + 2 * edge)


def landscape(doc: PackDocument, key: str, diagram: Diagram, shown: LandscapeView) -> Placement:
    """A page with one view's opportunity landscape: a title line naming the view, the bare plot at the left as
    tall as the page, and beside it the key and the activities the plot labels by number only.

    The plot is sized for the page (`pack._fitted`), so it prints at full size;
    the numbered list continues on the next pages when it is longer than the
    room beside the plot, never shrinking below `LIST_SIZE`.
    """
    title = f"Opportunity landscape: {shown.view}"
    doc.begin(title)
    page = doc.page
    frame, visible = landscape_frame(doc), landscape_frame(doc, blank=False)
    _landscape_title(doc, f"Opportunity landscape  ·  {shown.view}", visible)
    scale = diagram.scale_to(frame.width, frame.height, 1.0)
    least = MIN_TEXT_PT / LANDSCAPE_SMALLEST_TEXT
    if scale < least:  # not on the pack's papers: the plot is sized for the page
        doc.warnings.append(f"the landscape page ({shown.view}) is too large for this paper at a legible size; "
                            "parts of it are cut off: try --paper a3")
        scale = least
    edge = EDGE / PT_PER_MM * scale
    left = frame.left + diagram.width * scale - edge  # the plot's right edge: its blank edge may take the gap
    column = (left + COLUMN_GAP, visible.left + visible.width)
    doc.set_y(visible.top)
    entries, notes = key_entries(shown.chart, [shown.panel])
    _landscape_key(doc, entries, notes, column)
    _numbered_list(doc, shown, column)
    clip = (visible.left, visible.top, left - visible.left, visible.height)
    return Placement(key, page, frame.left, frame.top, scale, clip)


def _landscape_title(doc: PackDocument, text: str, visible: Frame) -> None:
    doc.set_xy(visible.left, POSTER_TOP - 2)
    doc.style(12, INK, bold=True)
    doc.cell(visible.width, 6, doc.fit_lines(text, visible.width)[0])


def _landscape_key(doc: PackDocument, entries: Sequence[KeyEntry], notes: Sequence[str],
                   column: tuple[float, float]) -> None:
    """The plot's key as a compact strip from the current line down `column` (left, right mm): each entry a swatch
    or sample and its words, flowing along the line; marker colours, regions and phase marks each start a line.
    Then the notes in small print."""
    left, right = column
    doc.style(KEY_SIZE + 1, INK, bold=True)
    doc.set_xy(left, doc.y)
    doc.cell(right - left, KEY_LINE, "Key")
    x, y = right, doc.y  # the first entry starts a line
    group = ""
    for entry in entries:
        kind = "phase" if entry.kind in ("phase", "badge", "moved", "new") else entry.kind
        sample = entry.sample
        doc.style(KEY_SIZE, entry.ink, bold=True)
        lead = doc.get_string_width(sample) + 1.2 if sample else KEY_SWATCH + 1.2
        doc.style(KEY_SIZE, entry.ink if entry.kind == "phase" else INK)
        width = lead + doc.get_string_width(entry.text) + KEY_GAP
        if kind != group or x + width - KEY_GAP > right:
            x, y, group = left, y + KEY_LINE, kind
        _key_swatch(doc, entry, x, y)
        doc.style(KEY_SIZE, entry.ink if entry.kind == "phase" else INK)
        doc.set_xy(x + lead - doc.c_margin, y)
        doc.cell(width - lead, KEY_LINE, entry.text)
        x += width
    doc.set_xy(left, y + KEY_LINE + 1)
    doc.style(KEY_SIZE - 0.5, MUTED)
    doc.multi_cell(right - left, KEY_LINE * 0.8, plain(".  ".join(notes) + ".", 1000), align="L",
                   new_x="LEFT", new_y="NEXT")
    doc.ln(2)


KEY_GAP = 4.0
"""Millimetres between two entries on a line of the key."""


def _key_swatch(doc: PackDocument, entry: KeyEntry, x: float, y: float) -> None:
    """An entry's swatch (a marker's disc, a region's square) or sample text ("D1.2", "x2") at (x, y), top left."""
    top = y + (KEY_LINE - KEY_SWATCH) / 2
    if entry.kind == "severity":
        doc.set_fill_color(entry.fill)
        doc.set_draw_color(INK)
        doc.set_line_width(0.2)
        doc.ellipse(x, top, KEY_SWATCH, KEY_SWATCH, style="DF")
    elif entry.kind == "region":
        doc.set_fill_color(entry.fill)
        doc.set_draw_color(entry.ink)
        doc.set_line_width(0.3)
        doc.rect(x, top, KEY_SWATCH, KEY_SWATCH, style="DF")
    else:
        doc.style(KEY_SIZE, entry.ink, bold=True)
        doc.set_xy(x - doc.c_margin, y)
        doc.cell(doc.get_string_width(entry.sample) + 2 * doc.c_margin, KEY_LINE, entry.sample)


def _numbered_list(doc: PackDocument, shown: LandscapeView, column: tuple[float, float]) -> None:
    """The activities the plot labels by number only, by mark and name, in as many columns as fit beside the plot;
    the rest on following pages across their width (each page's share in columns, never a row alone)."""
    points = shown.panel.listed
    if not points:
        return
    left, right = column
    doc.style(KEY_SIZE + 1, INK, bold=True)
    doc.set_x(left)
    doc.cell(right - left, KEY_LINE + 1, "Labelled by number on the plot", new_x="LEFT", new_y="NEXT")
    panel = shown.panel.panel
    heads, cells, _ = _list_table(doc, panel, points[:1], 1, right - left)
    height = doc.lay_table(heads, cells, size=LIST_SIZE, width=right - left).head.height
    pages = _list_runs(len(points), _list_capacity(doc, right - left, doc.page_break_trigger - doc.y, height),
                       _list_capacity(doc, doc.epw, doc.page_break_trigger - doc.t_margin - LIST_HEAD, height))
    start = 0
    for number, (count, columns) in enumerate(pages):
        if number > 0:
            doc.section = f"Opportunity landscape: {shown.view} (continued)"
            doc.add_page()
            _landscape_title(doc, f"Opportunity landscape  ·  {shown.view}  ·  labelled by number (continued)",
                             landscape_frame(doc, blank=False))
            doc.set_y(doc.t_margin + LIST_HEAD)
            left, right = doc.l_margin, doc.l_margin + doc.epw
        if count:
            chunk = points[start:start + count]
            heads, cells, width = _list_table(doc, panel, chunk, columns, right - left, unmarked=shown.panel.unmarked)
            doc.draw_table(doc.lay_table(heads, cells, size=LIST_SIZE, width=width), left)
        start += count


LIST_HEAD = 8.0
"""Millimetres a continued list's page takes for its title line below the top margin."""


def _list_capacity(doc: PackDocument, width: float, room: float, row: float) -> tuple[int, int]:
    """(rows, columns) of the numbered list that fit `width` x `room` mm, header included, rows `row` mm high."""
    return max(0, int((room - row) // row)), max(1, int(width // LIST_PAIR))


def _list_runs(count: int, first: tuple[int, int], rest: tuple[int, int]) -> list[tuple[int, int]]:
    """How many of `count` entries go on each page and in how many columns: the first page's room (rows,
    columns), then each further page's. A page never holds a single row of a longer list: a short last
    page takes fewer columns, and a lone entry brings one from the page before."""
    runs: list[tuple[int, int]] = []
    rows, columns = first if first[0] >= 2 else (0, first[1])  # no room for two rows: start on the next page
    left = count
    while left > 0:
        take = min(left, rows * columns)
        runs.append((take, columns))
        left -= take
        rows, columns = rest
    if len(runs) > 1 and runs[-1][0] == 1:
        before, columns = runs[-2]
        runs[-2:] = [(before - 1, columns), (2, 1)]
    if len(runs) > 1:
        last, columns = runs[-1]
        runs[-1] = (last, max(1, min(columns, -(-last // 2))))
    return runs


def _list_table(  # noqa: PLR0913 - the table's shape, and which names get their place
    doc: PackDocument, panel: Panel, points: Sequence[Point], columns: int, width: float, *,
    unmarked: frozenset[str] = frozenset(),
) -> tuple[list[Column], list[list[Cell]], float]:
    """The numbered list as a table of up to `columns` (mark, name) pairs of `width` / `columns` mm, down each
    pair then across; each name on one line, cut with '…' to fit, then the place of each activity whose number
    found no room on the plot (`unmarked`). Its columns, rows and width."""
    doc.style(LIST_SIZE, INK, bold=True)
    mark = max(doc.measure.width(panel.tag(p), True) for p in points) * LIST_SIZE + 2 * PAD_X + 0.5
    mark = max(mark, doc.measure.width("No.", True) * LIST_SIZE + 2 * PAD_X + 0.5)
    pair = width / columns
    room = pair - mark - 2 * PAD_X
    rows = -(-len(points) // columns)
    columns = -(-len(points) // rows)  # as many as the rows fill: the table is narrower than `width` if need be
    share = 1 / columns
    heads = [Column("No.", mark / pair * share, "RIGHT"), Column("Activity", (pair - mark) / pair * share)] * columns
    cells: list[list[Cell]] = [[] for _ in range(rows)]
    for index, point in enumerate(points):
        where = f" {place_text(point)}" if point.id in unmarked else ""
        name = _one_line(doc, plain(point.name), room - doc.measure.width(where, False) * LIST_SIZE) + where
        cells[index % rows] += [Cell(panel.tag(point), colour=PHASE_INK[point.phase], bold=True), Cell(name)]
    for line in cells:
        line.extend([Cell(""), Cell("")] * (columns - len(line) // 2))
    return heads, cells, pair * columns


def _one_line(doc: PackDocument, text: str, width: float) -> str:
    """`text` cut with '…' to fit `width` mm at `LIST_SIZE` in the regular face."""
    measure = doc.measure
    if measure.width(text, False) * LIST_SIZE <= width:
        return text
    while text and measure.width(text + "…", False) * LIST_SIZE > width:
        text = text[:-1]
    return text.rstrip() + "…"
# -- 3. one page per phase --------------------------------------------------------

_ACTIVITY_COLUMNS = (
    Column("No.", 0.06),
    Column("Activity", 0.26),
    Column("Imp.", 0.045, "RIGHT"),
    Column("Sat.", 0.045, "RIGHT"),
    Column("Score", 0.055, "RIGHT"),
    Column("Offerings", 0.175),
    Column("Who serves it today", 0.145),
    Column("Pains", 0.17),
    Column("Evid.", 0.045, "RIGHT"),
)


def phase(  # noqa: PLR0913, PLR0917 - a page's content, spelled out
    doc: PackDocument, cmap: CycleMap, key: str, parts: Sequence[Diagram], gaps: Sequence[Gap],
    scores: Mapping[str, ViewScore | None],
) -> list[Placement]:
    """The phase's flow (in parts if it is wide, in slices if it is tall), then a table of its activities.

    The flow shrinks (down to a legible scale) to let the table start on the same page. `scores` holds each
    activity's scores in the pack's view (by id; `ScoreViews.score`).
    """
    name = _phase_name(cmap, key)
    doc.begin(f"Phase: {name}", name)
    visits = [v for v in cmap.walk() if v.phase == key]
    found = sum(1 for g in gaps if g.phase == key)
    doc.heading(name, PHASE_INK[key])
    about = f"{len(visits)} activit{'ies' if len(visits) != 1 else 'y'}, {found} gap{'s' * (found != 1)}"
    if cmap.phase(key).description:
        about += f"  ·  {plain(cmap.phase(key).description or '')}"
    doc.para(about, 10, MUTED)
    doc.ln(3)
    severity = {g.id: g.severity for g in gaps if g.id}
    rows = [_activity_row(v, severity.get(v.activity.id or "", Severity.NONE), scores.get(v.activity.id or ""))
            for v in visits]
    table = doc.lay_table(_ACTIVITY_COLUMNS, rows) if rows else None
    after = table.start_height() + 3 if table else 12.0
    placements: list[Placement] = []
    for number, part in enumerate(parts):
        reserve = after if number == len(parts) - 1 else 0.0
        placements += _place_flow(doc, f"flow-{key}-{number}", part, reserve, fresh=number == 0)
    if table:
        doc.draw_table(table)
    else:
        doc.para("No activities yet: this phase is a gap of its own. Use the worksheet to capture them.")
    return placements


FLOW_MOST = 1.0
FLOW_LEGIBLE = 0.7
"""Smallest scale of a phase's flow: its smallest text prints at 7 pt."""
FLOW_GAP = 3.0
SLICE_OVERLAP = 10.0
"""Millimetres of a tall flow repeated at the top of its next slice."""


def _place_flow(doc: PackDocument, key: str, diagram: Diagram, after: float, fresh: bool) -> list[Placement]:
    """Below what is on the page, as large as fits with `after` mm left below (for the table).

    It shrinks to FLOW_LEGIBLE to leave that room, and to LEGIBLE_SCALE to stay
    on the page; a later part then moves to a new page, and a flow too tall even
    there is cut into slices that overlap a little (`fresh`: the page holds only
    the phase's heading, so moving would leave it alone).
    """
    widest = diagram.scale_to(doc.epw, 10**6, FLOW_MOST)
    for reserve, least in ((after, FLOW_LEGIBLE), (0.0, FLOW_LEGIBLE), (0.0, LEGIBLE_SCALE)):
        fits = min(widest, (doc.room_left() - FLOW_GAP - reserve) / diagram.height)
        if fits >= min(least, widest):
            return [_flow_at(doc, key, diagram, fits)]
    if not fresh:
        doc.add_page()
        return _place_flow(doc, key, diagram, after, fresh=True)
    return _flow_slices(doc, key, diagram, min(widest, FLOW_LEGIBLE))


def _flow_at(doc: PackDocument, key: str, diagram: Diagram, scale: float) -> Placement:
    x = doc.l_margin + (doc.epw - diagram.width * scale) / 2
    placement = Placement(key, doc.page, x, doc.y, scale)
    doc.set_y(doc.y + diagram.height * scale + FLOW_GAP)
    return placement


def _flow_slices(doc: PackDocument, key: str, diagram: Diagram, scale: float) -> list[Placement]:
    """A flow too tall for a page, cut across into slices of a page each."""
    x = doc.l_margin + (doc.epw - diagram.width * scale) / 2
    total = diagram.height * scale
    placements = []
    shown = 0.0
    while True:
        top = doc.y
        room = doc.room_left() - FLOW_GAP - 5
        if room < 3 * SLICE_OVERLAP:  # too little left here to show a slice
            doc.add_page()
            continue
        last = shown + room >= total
        clip = (doc.l_margin, top, doc.epw, min(room, total - shown))
        placements.append(Placement(key, doc.page, x, top - shown, scale, clip))
        if last:
            doc.set_y(top + total - shown + FLOW_GAP)
            return placements
        doc.set_xy(doc.l_margin, top + room + 1)
        doc.style(7.5, MUTED)
        doc.cell(doc.epw, 4, "Continued on the next page, which repeats the last centimetre of this one.",
                 align="C")
        doc.add_page()
        shown += room - SLICE_OVERLAP


def _activity_row(visit: Visit, severity: Severity, scored: ViewScore | None) -> list[Cell]:
    """An activity with its scores in the pack's view: survey scores on 0-10 with their n, else as written."""
    activity = visit.activity
    score = None if scored is None else scored.opportunity
    fill, colour = FILL[severity]
    indent = "    " * visit.depth
    survey = None if scored is None else scored.survey
    sample = "" if survey is None else f"n={min(survey.importance.n, survey.satisfaction.n)}" + " thin" * survey.thin
    return [
        Cell(number_of(visit), colour=MUTED),
        Cell(indent + plain(activity.name), bold=visit.depth == 0,
             note=indent + plain(activity.description, 300) if activity.description else ""),
        Cell(_score_value(scored, "importance")),
        Cell(_score_value(scored, "satisfaction")),
        Cell(score_text(score) + (f"\n{sample}" if sample else ""), fill if score is not None else None, colour,
             bold=score is not None),
        Cell(bullets(activity.offerings)),
        Cell(bullets(activity.competitors)),
        Cell(bullets(activity.pains)),
        Cell(str(len(activity.evidence)), colour=INK) if activity.evidence else Cell(NONE_MARK, colour=MUTED),
    ]


def _score_value(scored: ViewScore | None, question: str) -> str:
    """Importance or satisfaction as the diagrams show it: a survey's to one decimal (0-10), else as written."""
    value = None if scored is None else getattr(scored, question)
    if scored is not None and scored.survey is not None and value is not None:
        return f"{value:.1f}"
    return score_text(value).removesuffix(".0")


# -- 4. ranked gaps ---------------------------------------------------------------

_GAP_COLUMNS = (
    Column("Rank", 0.05, "RIGHT"),
    Column("Severity", 0.11),
    Column("Phase", 0.09),
    Column("Activity", 0.31),
    Column("Score", 0.06, "RIGHT"),
    Column("Why it is a gap", 0.38),
)


def gap_table(doc: PackDocument, cmap: CycleMap, gaps: Sequence[Gap], view: str | None = None) -> None:
    """Every gap, most urgent first, coloured as in the diagram; `view` says whose gaps (on a segmented map)."""
    doc.begin("Opportunity gaps")
    doc.heading("Opportunity gaps, ranked")
    doc.para("Most promising first: underserved activities by opportunity score, then the places where the "
             "customer is left alone or in pain. Colours match the diagrams.", 10, MUTED)
    if view:
        doc.para(f"Gaps for: {view}", 10, INK, bold=True)
    doc.ln(3)
    if not gaps:
        doc.para("No gaps found: every activity is served, evidenced and scored below the threshold.")
        return
    numbers = {v.activity.id: number_of(v) for v in cmap.walk()}
    rows = [_gap_row(cmap, rank, gap, numbers) for rank, gap in enumerate(gaps, start=1)]
    doc.table_of(_GAP_COLUMNS, rows)


def _gap_row(cmap: CycleMap, rank: int, gap: Gap, numbers: dict[str | None, str]) -> list[Cell]:
    fill, colour = FILL[gap.severity]
    where = f"{numbers.get(gap.id, '')}  {PATH_SEPARATOR.join(plain(p) for p in gap.path)}".strip()
    return [
        Cell(str(rank), colour=MUTED),
        Cell(SEVERITY_NAMES[gap.severity], fill, colour, bold=True),
        Cell(_phase_name(cmap, gap.phase)),
        Cell(where or "(the whole phase)"),
        Cell(score_text(gap.score)),
        Cell(plain(gap.reason)),
    ]


# -- 4b. gaps by segment ----------------------------------------------------------

SEGMENT_INTRO = (
    "The activities whose gaps differ by customer segment: underserved in a segment while the pooled score "
    "is not, or {spread} points or more apart between segments. Each column is the same activity seen by one "
    "segment: its opportunity score (0 to 20) and band, and the fewest answers behind it (n); thin marks fewer "
    "answers than the survey's min_n. Colours match the diagrams; cyclemap render --segment ID draws one "
    "segment's view."
)
_MANY_VIEWS = 6
"""From this many views (all and the segments) the segment table is set smaller (7 pt, never below 6)."""


def segment_table(  # noqa: PLR0913, PLR0917 - a page's content, spelled out
    doc: PackDocument, cmap: CycleMap, items: Sequence[Disagreement],
    severities: Mapping[str, Mapping[str, Severity]], spread: float, pooled: str,
) -> None:
    """The activities whose segments disagree, one column per view ("all" first), coloured as in the diagrams.

    `severities` holds each view's severity per activity id (the gaps found in that view); `pooled` names
    the "all" column (all respondents, or all customers without a survey).
    """
    doc.begin("Gaps by segment")
    doc.heading("Gaps by segment")
    doc.para(SEGMENT_INTRO.format(spread=score_text(spread).removesuffix(".0")), 10, MUTED)
    doc.ln(3)
    if not items:
        doc.para("No segments disagree: no segment is underserved where the pooled score is not, and no two "
                 "segments are far apart.")
        return
    views = items[0].views
    names = {segment.id: segment.name for segment in cmap.segments}
    many = len(views) >= _MANY_VIEWS
    share, lead = min(0.11, 0.6 / len(views)), 0.05 + (0.18 if many else 0.24)
    columns = (
        Column("No.", 0.05),
        Column("Activity", lead - 0.05),
        *(Column(("All" if many else pooled) if entry.view == ALL else plain(names[entry.view], 80), share, "RIGHT")
          for entry in views),
        Column("How the segments differ", 1 - lead - share * len(views)),
    )
    numbers = {v.activity.id: number_of(v) for v in cmap.walk()}
    rows = [
        [
            Cell(numbers.get(item.id, ""), colour=MUTED),
            Cell(f"{_phase_name(cmap, item.phase)}: {PATH_SEPARATOR.join(plain(p) for p in item.path)}"),
            *(_view_cell(entry, severities[entry.view].get(item.id, Severity.NONE)) for entry in item.views),
            Cell(plain(item.reason)),
        ]
        for item in items
    ]
    doc.table_of(columns, rows, size=7.0 if many else 8.5)


def _view_cell(entry: ViewEntry, severity: Severity) -> Cell:
    """A view's score as the segment table shows it: "18.43 extreme" and "n=146 thin", on its severity's colour."""
    fill, colour = FILL[severity]
    if entry.score is None:
        return Cell(NONE_MARK, fill if severity is not Severity.NONE else None, colour)
    parts = view_parts(entry)
    head = " ".join(part for part in parts if not part.startswith("n=") and part != "thin")
    sample = " ".join(part for part in parts if part.startswith("n=") or part == "thin")
    return Cell(head + (f"\n{sample}" if sample else ""), fill, colour, bold=entry.underserved)


# -- 5. capture worksheets ---------------------------------------------------------


def worksheet(doc: PackDocument, cmap: CycleMap, key: str) -> None:
    """Empty cards for participants to fill by hand: two per page, four on A3."""
    name = _phase_name(cmap, key)
    doc.begin(f"Worksheet: {name}", f"Worksheet: {name}")
    doc.heading(f"Capture worksheet: {name}", PHASE_INK[key], size=16)
    low, high = cmap.scale.min, cmap.scale.max
    doc.para(f"One card per activity the customer does in this phase. Circle a score from {low} (low) "
             f"to {high} (high).", 9.5, MUTED)
    doc.ln(2)
    top, gutter = doc.y, 6.0
    rows = 2 if doc.h > TALL_PAGE else 1
    width = (doc.epw - gutter) / 2
    height = (doc.page_break_trigger - top - gutter * (rows - 1)) / rows
    for row in range(rows):
        for column in range(2):
            x = doc.l_margin + column * (width + gutter)
            _card(doc, (x, top + row * (height + gutter), width, height), (low, high), PHASE_INK[key])


TALL_PAGE = 280
"""Pages taller than this (mm; A3 landscape) take two rows of worksheet cards."""
_LINE = 8.0
"""Space between the ruled lines of a card, in mm: room for handwriting."""


def _card(doc: PackDocument, frame: tuple[float, float, float, float], scale: tuple[int, int], ink: str) -> None:
    """One card in `frame` (x, y, width, height in mm)."""
    x, y, w, h = frame
    doc.set_draw_color(ink)
    doc.set_line_width(0.5)
    doc.rect(x, y, w, h, round_corners=True, corner_radius=3)
    pad = 5.0
    span = (x + pad, x + w - pad)
    fixed = 3 * _LABEL + 2 * _SCORE_ROW + 2 * pad
    lines = max(3, int((h - fixed) / _LINE))
    activity = 2 if lines >= 8 else 1
    pains = max(1, (lines - activity) * 3 // 5)
    cursor = _ruled_field(doc, "Activity", span, y + pad, activity)
    cursor = _ruled_field(doc, "Pains", span, cursor, pains)
    for label in ("Importance", "Satisfaction"):
        cursor = _score_field(doc, label, span, cursor, scale)
    _ruled_field(doc, "Who serves it today", span, cursor, max(1, lines - activity - pains))


_LABEL = 9.0
_SCORE_ROW = 10.0


def _ruled_field(doc: PackDocument, label: str, span: tuple[float, float], top: float, lines: int) -> float:
    """A label and `lines` ruled lines across `span` (left, right); returns the next top."""
    left, right = span
    doc.style(8.5, MUTED, bold=True)
    doc.set_xy(left, top)
    doc.cell(0, 5, label)
    doc.set_draw_color(RULE)
    doc.set_line_width(0.25)
    for n in range(1, lines + 1):
        doc.line(left, top + 3 + _LINE * n, right, top + 3 + _LINE * n)
    return top + _LABEL + _LINE * lines


_MOST_SCORE_BOXES = 11


def _score_field(doc: PackDocument, label: str, span: tuple[float, float], top: float, scale: tuple[int, int]
                 ) -> float:
    """A label and a box per score of the scale to circle (a blank line for long scales)."""
    left, right = span
    doc.style(8.5, MUTED, bold=True)
    doc.set_xy(left, top + 1.5)
    doc.cell(28, 5, label)
    low, high = scale
    doc.set_draw_color(RULE)
    doc.set_line_width(0.25)
    if high - low + 1 > _MOST_SCORE_BOXES:
        doc.style(8.5, MUTED)
        doc.line(left + 28, top + 6, left + 58, top + 6)
        doc.set_xy(left + 60, top + 1.5)
        doc.cell(0, 5, f"({low} to {high})")
        return top + _SCORE_ROW
    size = min(7.0, (right - left - 28) / (high - low + 1) - 1)
    doc.style(8.5, INK)
    for n, score in enumerate(range(low, high + 1)):
        bx = left + 28 + n * (size + 1)
        doc.rect(bx, top + 0.5, size, size, round_corners=True, corner_radius=1)
        doc.set_xy(bx, top + 0.5)
        doc.cell(size, size, str(score), align="C")
    return top + _SCORE_ROW


# -- 5b. rescore sheets ---------------------------------------------------------------

_RESCORE_COLUMNS = (
    Column("No.", 0.045),
    Column("Id", 0.17),
    Column("Activity", 0.195),
    Column("Today\nimp./sat.", 0.075, "RIGHT"),
    Column("New importance", 0.185),
    Column("New satisfaction", 0.185),
    Column("New pains", 0.145),
)
_NEW_IMPORTANCE, _NEW_SATISFACTION, _NEW_PAINS = 4, 5, 6
"""Columns of the rescore table that take handwriting: two rows of scores to circle and a line for pains."""
RESCORE_BLANK_ROWS = 3
"""Empty rows at the end of each sheet for activities the workshop finds missing."""
RESCORE_SIZE = 8.5
"""Points of the rescore table's text."""
_SCORE_DIGITS = 7.0
"""Points of the numbers to circle (at least 6, as all text of the pack)."""


def rescore(doc: PackDocument, cmap: CycleMap, key: str, scores: Mapping[str, ViewScore | None],
            view: str | None = None) -> None:
    """A sheet to rescore a phase by hand: each activity with today's scores, its scale to circle, a pains line.

    Ids are printed so that the typed-up results map back (`cyclemap import FILE --into MAP`); the
    numbers are the phase pages' and the diagrams'. `scores` holds each activity's scores shown as
    today's (by id); `view` names whose, on a map with segments or a survey.
    """
    name = _phase_name(cmap, key)
    doc.begin(f"Rescore: {name}", f"Rescore: {name}")
    doc.heading(f"Rescore: {name}", PHASE_INK[key], size=16)
    low, high = cmap.scale.min, cmap.scale.max
    doc.para(f"For each activity, circle its importance and how satisfied the customer is today, from {low} "
             f"(low) to {high} (high), and write new pains on its line. Leave a row blank to keep its scores. "
             "Add missing activities in the empty rows at the end, naming the activity they belong under. Type "
             "the results up by id (a CSV with the columns id, importance, satisfaction, pains; a new "
             "activity: parent, name) and run cyclemap import scores.csv --into MAP.", 9.5, MUTED)
    if view:
        doc.para(f"Today's scores: {view}", 9.5, INK, bold=True)
    doc.ln(2)
    id_room = _RESCORE_COLUMNS[1].width * doc.epw - 2 * PAD_X
    rows = [_rescore_row(v, scores.get(v.activity.id or ""), _broken_id(doc, v.activity.id or "", id_room))
            for v in cmap.walk() if v.phase == key]
    blank = [Cell("+", colour=MUTED), Cell("new", colour=MUTED), Cell("\nunder:", colour=MUTED),
             *(Cell("") for _ in range(4))]
    table = doc.lay_table(_RESCORE_COLUMNS, rows + [blank] * RESCORE_BLANK_ROWS, size=RESCORE_SIZE)
    runs = page_runs(table, doc.room_left(), doc.page_break_trigger - doc.t_margin)
    if rows and len(runs) > 1 and runs[-1][0] >= len(rows):  # the empty rows would fill a page of their own
        table = doc.lay_table(_RESCORE_COLUMNS, rows, size=RESCORE_SIZE)
    doc.draw_table(table, after_row=lambda index, left, top: _rescore_marks(doc, table, (low, high), left, top,
                                                                             index))


def _broken_id(doc: PackDocument, text: str, room: float) -> str:
    """An id in lines of at most `room` mm, broken after a '-' where it can (a typist reads whole words), else
    where the line is full."""
    lines, line = [], ""
    for part in re.split(r"(?<=-)", plain(text, 200)):
        if line and doc.measure.width(line + part, False) * RESCORE_SIZE > room:
            lines.append(line)
            line = ""
        line += part
    lines.append(line)
    return "\n".join(lines)


def _rescore_row(visit: Visit, scored: ViewScore | None, shown_id: str) -> list[Cell]:
    """An activity's row: number, id (`shown_id`, as broken into lines), name indented by depth, today's scores;
    the rest is for the pen."""
    indent = "    " * visit.depth
    today = " / ".join(_score_value(scored, question) or NONE_MARK for question in ("importance", "satisfaction"))
    return [
        Cell(number_of(visit), colour=MUTED),
        Cell(shown_id),
        Cell(indent + plain(visit.activity.name), bold=visit.depth == 0),
        Cell(today if scored is not None else NONE_MARK, colour=INK if scored is not None else MUTED),
        Cell(""),
        Cell(""),
        Cell("\n"),  # two lines high at least: room for the circles and a line of handwriting
    ]


def _rescore_marks(  # noqa: PLR0913, PLR0917 - a row's place, spelled out
    doc: PackDocument, table: Table, scale: tuple[int, int], left: float, top: float, index: int
) -> None:
    """Over a drawn row: the scale's numbers in boxes to circle in both score columns, a rule to write pains on."""
    row = table.rows[index]
    starts = [left + sum(table.widths[:n]) for n in range(len(table.widths) + 1)]
    for column in (_NEW_IMPORTANCE, _NEW_SATISFACTION):
        _circle_row(doc, (starts[column], top, table.widths[column], row.height), scale)
    doc.set_draw_color(RULE)
    doc.set_line_width(0.2)
    base = top + row.height - 2.2
    doc.line(starts[_NEW_PAINS] + PAD_X, base, starts[_NEW_PAINS + 1] - PAD_X, base)


def _circle_row(doc: PackDocument, cell: tuple[float, float, float, float], scale: tuple[int, int]) -> None:
    """The scale's numbers in a row of small boxes across `cell` (left, top, width, height mm), centred in its
    height; a write-in line with the range when the scale has too many points to box."""
    left, top, width, height = cell
    low, high = scale
    count = high - low + 1
    doc.set_draw_color(RULE)
    doc.set_line_width(0.2)
    room = width - 2 * PAD_X
    if count > _MOST_SCORE_BOXES:
        doc.style(_SCORE_DIGITS, MUTED)
        text = f"({low} to {high})"
        doc.line(left + PAD_X, top + height / 2 + 1.5, left + room - doc.get_string_width(text), top + height / 2 + 1.5)
        doc.set_xy(left + PAD_X + room - doc.get_string_width(text) - doc.c_margin, top + height / 2 - 2)
        doc.cell(doc.get_string_width(text) + 2 * doc.c_margin, 4, text)
        return
    gap = 0.8
    size = min(5.5, (room - gap * (count - 1)) / count)
    y = top + (height - size) / 2
    doc.style(_SCORE_DIGITS, INK)
    for n, score in enumerate(range(low, high + 1)):
        x = left + PAD_X + n * (size + gap)
        doc.rect(x, y, size, size, round_corners=True, corner_radius=0.8)
        doc.set_xy(x, y)
        doc.cell(size, size, str(score), align="C")


# -- 6. evidence appendix ---------------------------------------------------------

_EVIDENCE_COLUMNS = (
    Column("Reference", 0.27),
    Column("What it says", 0.30),
    Column("Date", 0.09),
    Column("Supports", 0.34),
)
_UNEVIDENCED_COLUMNS = (
    Column("No.", 0.06),
    Column("Phase", 0.18),
    Column("Activity", 0.56),
    Column("Imp.", 0.1, "RIGHT"),
    Column("Sat.", 0.1, "RIGHT"),
)


def evidence(doc: PackDocument, cmap: CycleMap) -> None:
    """Every reference by source type, with what it supports; then scores without evidence."""
    doc.begin("Evidence")
    doc.heading("Evidence")
    visits = list(cmap.walk())
    cited = _citations(visits)
    if not cited:
        doc.para("No evidence is recorded in this map yet.", 10, MUTED)
    for source in EVIDENCE_SOURCES:
        refs = cited.get(source)
        if refs:
            doc.para(f"{SOURCE_NAMES[source]} ({len(refs)})", 12, INK, bold=True)
            doc.ln(1)
            doc.table_of(_EVIDENCE_COLUMNS, [_evidence_row(cmap, uses) for uses in refs.values()])
    doc.ln(2)
    bare = [v for v in visits if is_unevidenced(v.activity)]
    doc.para(f"Scored without evidence ({len(bare)})", 12, INK, bold=True)
    doc.ln(1)
    if not bare:
        doc.para("Every scored activity cites evidence.", 10, MUTED)
        return
    doc.table_of(_UNEVIDENCED_COLUMNS, [_bare_row(cmap, v) for v in bare])


def _citations(visits: Sequence[Visit]) -> dict[str, dict[str, list[tuple[Visit, Evidence]]]]:
    """source -> reference -> the (activity, evidence) pairs citing it, in document order."""
    cited: dict[str, dict[str, list[tuple[Visit, Evidence]]]] = {}
    for visit in visits:
        for item in visit.activity.evidence:
            cited.setdefault(item.source, {}).setdefault(item.ref, []).append((visit, item))
    return cited


def _evidence_row(cmap: CycleMap, uses: list[tuple[Visit, Evidence]]) -> list[Cell]:
    first = uses[0][1]
    notes = list(dict.fromkeys(plain(e.note) for _, e in uses if e.note))
    dates = sorted({e.date.isoformat() for _, e in uses if e.date})
    supports = [f"{_phase_name(cmap, v.phase)} {number_of(v)}  {v.activity.name}" for v, _ in uses]
    return [
        Cell(plain(first.ref)),
        Cell(_lines(notes)),
        Cell(" to ".join(dict.fromkeys((dates[0], dates[-1]))) if dates else ""),
        Cell(_lines(supports)),
    ]


def _lines(items: Sequence[str]) -> str:
    return bullets(items).replace("• ", "")


def _bare_row(cmap: CycleMap, visit: Visit) -> list[Cell]:
    activity: Activity = visit.activity
    return [
        Cell(number_of(visit), colour=MUTED),
        Cell(_phase_name(cmap, visit.phase)),
        Cell(plain(activity.name)),
        Cell(score_text(activity.importance).removesuffix(".0")),
        Cell(score_text(activity.satisfaction).removesuffix(".0")),
    ]
