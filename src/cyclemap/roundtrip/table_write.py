"""`cyclemap export`: a map as a table, one row per activity in map order, written as CSV or XLSX.

`activity_table` builds the rows (pure: the map and its survey's results in, values out); `csv_bytes`
and `xlsx_bytes` write them. Both writers are deterministic: the same map gives the same bytes.

What the columns hold (docs/spreadsheets.md): `number` is the activity's place in its phase as every
picture numbers it (`2.1` is the first step of activity 2); `importance`, `satisfaction` and the
`<segment> importance/satisfaction` pairs are the scores written in the map, so that `import` gives
the same map back; `score`, `band` and `gaps` are what `cyclemap gaps` finds for all respondents,
survey scores included.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.writer.excel import ExcelWriter

from cyclemap.gaps import Severity, find_gaps, score_in_view, score_views
from cyclemap.model import Activity, CycleMap, Evidence
from cyclemap.render.style import FILL
from cyclemap.roundtrip.cells import XLSX_CELL_CHARS, Cell, guard, holdable, join_list, number_text
from cyclemap.roundtrip.details import ACTIVITIES_SHEET, DETAILS_SHEET, HEADER, details_of, is_scalar
from cyclemap.roundtrip.rows import COLUMNS, LIST_SEPARATOR, SEGMENT_SUFFIXES, column_letter
from cyclemap.survey import ALL

if TYPE_CHECKING:
    from cyclemap.survey.views import SurveyResults

SCORE_DECIMALS = 2
"""Decimals of the (derived) opportunity score in a cell."""
SCORE_COLUMNS = frozenset({"importance", "satisfaction", "score", "band"})
"""Cells filled in the diagram's severity colour of their row."""


@dataclass
class Table:
    """A table ready to write: a header, rows of cells, and each row's gap severity (for colours)."""

    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    severities: list[Severity] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What the export could not keep as it is (said on standard error)."""


def activity_table(cmap: CycleMap, survey: SurveyResults | None = None) -> Table:
    """One row per activity in map order (phases pre, during, post; parents before their steps)."""
    found = {gap.id: gap for gap in find_gaps(cmap, survey=survey) if gap.id is not None}
    views = score_views(cmap, survey)
    extensions = _extension_columns(cmap)
    segment_ids = [segment.id for segment in cmap.segments]
    header = (*COLUMNS, *(f"{sid}{suffix}" for sid in segment_ids for suffix in SEGMENT_SUFFIXES), *extensions)
    table = Table(header, [])
    for visit in cmap.walk():
        activity = visit.activity
        gap = found.get(activity.id or "")
        scored = score_in_view(views, activity, ALL)
        score = None if scored is None else scored.opportunity
        values: dict[str, Cell] = {
            "number": ".".join(map(str, visit.position)),
            "id": activity.id,
            "phase": visit.phase,
            "parent": visit.ancestors[-1].id if visit.ancestors else None,
            "depth": visit.depth,
            "name": activity.name,
            "description": activity.description,
            "importance": activity.importance,
            "satisfaction": activity.satisfaction,
            "score": None if score is None else round(score, SCORE_DECIMALS),
            "band": None if gap is None else gap.band,
            "gaps": None if gap is None else join_list(gap.kinds),
            "pains": _listed(activity, "pains", table.warnings),
            "offerings": _listed(activity, "offerings", table.warnings),
            "competitors": _listed(activity, "competitors", table.warnings),
            "evidence": join_list([evidence_text(e) for e in activity.evidence]) or None,
            "owner": activity.owner,
            "tags": _listed(activity, "tags", table.warnings),
            "notes": activity.notes,
        }
        for sid in segment_ids:
            scores = activity.segments.get(sid)
            values[f"{sid}{SEGMENT_SUFFIXES[0]}"] = None if scores is None else scores.importance
            values[f"{sid}{SEGMENT_SUFFIXES[1]}"] = None if scores is None else scores.satisfaction
        for key in extensions:
            value = activity.extensions.get(key)
            values[key] = _scalar(value) if is_scalar(value) else None
        table.rows.append(tuple(values[column] for column in header))
        table.severities.append(Severity.NONE if gap is None else gap.severity)
    return table


def evidence_text(evidence: Evidence) -> str:
    """One piece of evidence in a cell: `interview: INT-12` (its note and date stay in the map)."""
    return f"{evidence.source}: {evidence.ref}"


def _listed(activity: Activity, key: str, warnings: list[str]) -> str | None:
    items: tuple[str, ...] = getattr(activity, key)
    for item in items:
        if LIST_SEPARATOR.strip() in item:
            warnings.append(f"{activity.id}: {key}: '{item[:40]}' holds '|', which `import` reads as "
                            "a break between two items")
    return join_list(items) or None


def _extension_columns(cmap: CycleMap) -> list[str]:
    """The activities' `x-` keys with a value that fits a cell, in the order they are first met."""
    seen: dict[str, None] = {}
    for visit in cmap.walk():
        for key, value in visit.activity.extensions.items():
            if is_scalar(value):
                seen.setdefault(key, None)
    return list(seen)


def _scalar(value: Any) -> Cell:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value  # type: ignore[no-any-return]


def details_table(cmap: CycleMap) -> Table:
    """The map's details as a `field`, `value` table (the XLSX's second sheet, or `export --details`)."""
    return Table(HEADER, [(name, _scalar(value)) for name, value in details_of(cmap)])


# -- CSV --------------------------------------------------------------------------------------------


def csv_bytes(table: Table, where: str) -> bytes:
    """The table as UTF-8 CSV (no BOM, LF line ends), text guarded against formulas (`cells.guard`)."""
    lines = [_csv_line(table.header)]
    for number, row in enumerate(table.rows, start=2):
        cells = [_csv_cell(value, table, f"{where}:{number}:{col}") for col, value in enumerate(row, 1)]
        lines.append(_csv_line(cells))
    return "".join(lines).encode("utf-8")


def _csv_line(cells: Sequence[str]) -> str:
    """One CSV record ending in LF, every cell holding a CR or LF in quotes.

    The writer quotes the cells that hold a character of its line end: with a line end of LF alone, a cell
    holding a lone CR would go unquoted and break the line for every reader, so it writes CR LF, made LF here.
    """
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()[:-2] + "\n"


def _csv_cell(value: Cell, table: Table, place: str) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return number_text(value)
    return guard(_holdable(value, table, place))


def _holdable(text: str, table: Table, place: str) -> str:
    safe, changed = holdable(text)
    if changed:
        table.warnings.append(f"{place}: control characters written as escapes (\\xNN): a spreadsheet "
                              "cannot hold them")
    return safe


# -- XLSX -------------------------------------------------------------------------------------------

MAX_WIDTH = 50
"""Widest column, in characters; longer text wraps."""
MIN_WIDTH = 6
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
"""The time written in the workbook's properties and zip entries, so that exports are byte-identical."""


def xlsx_bytes(table: Table, details: Table, where: str) -> bytes:
    """The workbook: sheet "Activities" (header in view, filter, severity colours) and sheet "Map"."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = ACTIVITIES_SHEET
    _fill_sheet(sheet, table, where)
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = f"A1:{column_letter(len(table.header))}{len(table.rows) + 1}"
    _colour(sheet, table)
    map_sheet = book.create_sheet(DETAILS_SHEET)
    _fill_sheet(map_sheet, details, where)
    map_sheet.freeze_panes = "A2"
    table.warnings += details.warnings
    return _deterministic(book)


def _fill_sheet(sheet: Any, table: Table, where: str) -> None:
    """Header in bold on grey, then the rows: text as typed text (never a formula), numbers as numbers."""
    bold, grey = Font(bold=True), PatternFill(fill_type="solid", start_color="FFE7E7E7", end_color="FFE7E7E7")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    widths = [len(name) for name in table.header]
    for col, name in enumerate(table.header, start=1):
        cell = sheet.cell(row=1, column=col, value=name)
        cell.data_type = "s"
        cell.font, cell.fill = bold, grey
    for number, row in enumerate(table.rows, start=2):
        for col, value in enumerate(row, start=1):
            if value is None:
                continue
            place = f"{where}:{sheet.title}!{column_letter(col)}{number}"
            if isinstance(value, str):
                text = _holdable(value, table, place)
                if len(text) > XLSX_CELL_CHARS:
                    table.warnings.append(f"{place}: text of {len(text):,} characters cut to {XLSX_CELL_CHARS:,}, "
                                          "the most a workbook cell holds")
                cell = sheet.cell(row=number, column=col, value=text)
                cell.data_type = "s"  # typed text: '=...' stays text, '#N/A' is no error value
                longest = max(len(line) for line in text.split("\n"))
                cell.alignment = wrap if longest > MAX_WIDTH or "\n" in text else top
            else:
                cell = sheet.cell(row=number, column=col, value=value)
                cell.alignment = top
                longest = len(number_text(value))
            widths[col - 1] = max(widths[col - 1], longest)
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[column_letter(col)].width = min(max(width, MIN_WIDTH), MAX_WIDTH) + 2


def _colour(sheet: Any, table: Table) -> None:
    """Score, band, importance and satisfaction cells in their row's severity colour, as the diagrams fill boxes."""
    styles = {
        severity: (PatternFill(fill_type="solid", start_color=_argb(fill), end_color=_argb(fill)),
                   Font(color=_argb(ink)))
        for severity, (fill, ink) in FILL.items() if severity is not Severity.NONE
    }
    columns = [col for col, name in enumerate(table.header, start=1) if name in SCORE_COLUMNS]
    for number, severity in enumerate(table.severities, start=2):
        if severity in styles:
            fill, font = styles[severity]
            for col in columns:
                cell = sheet.cell(row=number, column=col)
                cell.fill, cell.font = fill, font


def _argb(colour: str) -> str:
    """'#a50f15' -> 'FFA50F15', as workbooks write colours."""
    return "FF" + colour.lstrip("#").upper()


def _deterministic(book: Any) -> bytes:
    """The workbook's bytes with fixed times: in its properties, and on every zip entry."""
    fixed = dt.datetime(*FIXED_TIME)  # workbooks store naive times
    book.properties.created = book.properties.modified = fixed
    book.properties.creator = book.properties.lastModifiedBy = "cyclemap"
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as written, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in written.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, _carriage_returns_kept(info.filename, written.read(info.filename)))
    return out.getvalue()


def _carriage_returns_kept(name: str, data: bytes) -> bytes:
    """A sheet's XML with each CR in a text written `&#13;`: a CR as it is, every XML reader (a spreadsheet's,
    openpyxl's) reads as a line feed. openpyxl writes a CR raw only in text (attributes get `&#13;` already)."""
    if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
        return data.replace(b"\r", b"&#13;")
    return data

