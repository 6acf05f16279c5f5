"""Reading an activity table back: CSV or XLSX -> `ActivityRow`s, the map's details, and problems.

`read_rows` is the library function `import` and `import --into` share: it reads cells, never builds
a map. Columns are found by their header, in any order and any case (`Importance`, `parent id`);
`x-` columns are kept as the activities' own keys; the derived columns (`depth`, `score`, `band`,
`gaps`) are skipped; any other column is an error with a did-you-mean. Every problem names its
cell: `activities.xlsx:Activities!D7` in a workbook, `activities.csv:7:4` (line, column) in a CSV.

Hostile files are bounded before they cost much: files of at most `MAX_FILE_BYTES`, workbooks of at
most `MAX_PARTS` parts that unpack to at most `MAX_UNPACKED_BYTES`, whose shared texts (the part every
workbook reads whole before its first cell) are at most `MAX_SHARED_STRINGS` texts in
`MAX_STRINGS_BYTES`, `MAX_ROWS` rows, `MAX_COLUMNS` columns and cells of at most `MAX_CELL_CHARS`
characters. A CSV is UTF-8 (a BOM, as Excel writes it, is fine) without NUL bytes; a workbook cell
holding a formula is read as the value the spreadsheet saved with it.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING
from xml.etree.ElementTree import Element

from openpyxl.reader.excel import ExcelReader
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from cyclemap.loader import read_bytes
from cyclemap.problems import InputError, MapError
from cyclemap.roundtrip.cells import Cell, read_number, split_list, unguard
from cyclemap.roundtrip.details import ACTIVITIES_SHEET, DETAILS_SHEET, HEADER, MapDetails, read_details
from cyclemap.roundtrip.rows import (
    COLUMNS,
    DERIVED,
    LIST_COLUMNS,
    NUMBER_COLUMNS,
    SEGMENT_SUFFIXES,
    ActivityRow,
    RowPlace,
    TableProblem,
)
from cyclemap.safe_text import subject, visible

if TYPE_CHECKING:
    from openpyxl import Workbook

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest CSV or XLSX file read."""
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""Most bytes the parts of a workbook may unpack to (a zip bomb stops here)."""
MAX_PARTS = 10_000
"""Most parts (files in the zip archive) of a workbook; one of a few sheets has a dozen."""
MAX_STRINGS_BYTES = MAX_FILE_BYTES
"""Most bytes a workbook's shared texts (xl/sharedStrings.xml) may unpack to: what a CSV file may hold."""
MAX_SHARED_STRINGS = 500_000
"""Most shared texts in a workbook: five different texts in each of `MAX_ROWS` rows. A workbook reads them
all before its first cell, so a 2-row sheet with millions of them would otherwise cost minutes and GBs."""
MAX_ROWS = 100_000
"""Most rows below the header (a map of 100,000 activities is far beyond any workshop)."""
MAX_COLUMNS = 1_000
MAX_CELL_CHARS = 100_000
"""Longest text in one cell: the map format's own limit for a text."""
MAX_PROBLEMS = 100
"""Problems listed; the rest are counted."""

ALIASES = {
    "parent id": "parent",
    "gap kinds": "gaps",
    "evidence refs": "evidence",
    "survey importance": "survey importance",
    "survey satisfaction": "survey satisfaction",
}
"""Other headers read as a column (what people call them), and derived columns only some exports have."""
SKIPPED = frozenset({*DERIVED, "survey importance", "survey satisfaction"})
"""Columns read by nobody: computed by `export`, computed again from the map."""

_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_OLE = b"\xd0\xcf\x11\xe0"
_ZIP = b"PK\x03\x04"


@dataclass
class Grid:
    """A table's cells as read: each row's number (its line in a CSV) and values, and how to name a cell."""

    file: str
    sheet: str | None
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)
    problems: list[TableProblem] = field(default_factory=list)

    def place(self, row: int) -> RowPlace:
        return RowPlace(self.file, row, self.sheet)

    def where(self) -> str:
        return f"{self.file}:{self.sheet}" if self.sheet is not None else self.file


class TableUnreadable(InputError):
    """The file is no table cyclemap can read (not a workbook, not UTF-8, too large); exit 4."""

    exit_code = 4


def read_rows(
    path: str, name: str | None = None, *, update: bool = False
) -> tuple[list[ActivityRow], MapDetails | None, list[TableProblem]]:
    """The activity rows of the CSV or XLSX file at `path`, the workbook's details sheet (None for a CSV
    or a workbook without one), and every problem found, each naming its cell.

    `name` is how messages name the file (default: `path`). Raises `InputError` when the file cannot
    be opened at all, `TableUnreadable` when it is no table (exit codes 2 and 4). With `update` (for
    `import --into`) the table needs only a way to find each row's activity: an id, number or name column.
    """
    shown = name or path
    data = _read(path, shown)
    if _is_xlsx(data, path, shown):
        grid, details_grid = _xlsx_grids(data, shown)
    else:
        grid, details_grid = _csv_grid(data, shown), None
    rows, problems = rows_of(grid, update=update)
    details = None
    if details_grid is not None:
        details, found = details_of_grid(details_grid)
        problems = found + problems
    return rows, details, problems


def read_details_file(path: str, name: str | None = None) -> tuple[MapDetails, list[TableProblem]]:
    """The map's details from a details CSV (`export --details`) or a workbook's "Map" sheet."""
    shown = name or path
    data = _read(path, shown)
    if _is_xlsx(data, path, shown):
        _, grid = _xlsx_grids(data, shown)
        if grid is None:
            raise TableUnreadable(f"{subject(shown)}: this workbook has no sheet named '{DETAILS_SHEET}'")
    else:
        grid = _csv_grid(data, shown)
    return details_of_grid(grid)


def _read(path: str, shown: str) -> bytes:
    try:
        return read_bytes(path, MAX_FILE_BYTES)
    except MapError:
        raise TableUnreadable(f"{subject(shown)}: the file is larger than {MAX_FILE_BYTES // 2**20} MiB") from None


def _is_xlsx(data: bytes, path: str, shown: str) -> bool:
    """Whether `data` is to be read as a workbook: by its suffix, else by its first bytes."""
    if data.startswith(_OLE):
        raise TableUnreadable(f"{subject(shown)}: an old Excel workbook (.xls); save it as .xlsx or as CSV UTF-8")
    suffix = Path(path).suffix.lower()
    if suffix in _XLSX_SUFFIXES:
        if not data.startswith(_ZIP):
            raise TableUnreadable(f"{subject(shown)}: not an XLSX workbook (an .xlsx file is a zip archive, "
                                  "this one is not); save it again from your spreadsheet, or as CSV UTF-8")
        return True
    return suffix != ".csv" and data.startswith(_ZIP)


# -- CSV --------------------------------------------------------------------------------------------


def _csv_grid(data: bytes, shown: str) -> Grid:
    """The cells of a CSV: UTF-8 with or without a BOM, comma or semicolon (whichever the header uses more)."""
    text = _decode(data, shown)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    grid = Grid(shown, None)
    old = csv.field_size_limit()
    csv.field_size_limit(len(text) + 1)  # no cell is cut short here: one too long is refused at its place (`_row`)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        while True:
            line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                grid.problems.append(TableProblem(f"{shown}:{line}:1", f"this line cannot be read as CSV: {err}"))
                break
            if len(grid.rows) > MAX_ROWS:
                raise TableUnreadable(f"{subject(shown)}: more than {MAX_ROWS:,} rows; split the table")
            if len(record) > MAX_COLUMNS:
                raise TableUnreadable(f"{subject(shown)}:{line}: more than {MAX_COLUMNS:,} columns")
            grid.rows.append((line, [unguard(cell) if cell else None for cell in record]))
    finally:
        csv.field_size_limit(old)
    return grid


def _decode(data: bytes, shown: str) -> str:
    if b"\x00" in data:
        line, col = _line_col(data, data.index(b"\x00"))
        raise TableUnreadable(f"{subject(shown)}:{line}:{col}: a NUL byte: this is no text file (is it a workbook "
                              "named .csv?)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col = _line_col(data, err.start)
        raise TableUnreadable(f"{subject(shown)}:{line}:{col}: bytes that are not UTF-8; save the table as "
                              "'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)") from None


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


# -- XLSX -------------------------------------------------------------------------------------------


def _xlsx_grids(data: bytes, shown: str) -> tuple[Grid, Grid | None]:
    """The activities sheet's cells and the details sheet's, if any (`_chosen_sheets` says which they are)."""
    _check_archive(data, shown)

    try:
        reader = _BoundedReader(io.BytesIO(data), shown)
        reader.read()
        book = reader.wb
    except TableUnreadable:
        raise
    except Exception as err:  # a hostile or broken workbook fails in many ways inside openpyxl
        raise TableUnreadable(f"{subject(shown)}: cannot read this workbook ({_reason(err)}); save it again from "
                              "your spreadsheet, or as CSV UTF-8") from None
    try:
        activities, details, notes = _chosen_sheets(book, shown)
        grids = [_sheet_grid(book, sheet, shown) if sheet else None
                 for sheet in (activities, details if details != activities else None)]
    except TableUnreadable:
        raise
    except Exception as err:  # as above: the sheets are parsed while they are read
        raise TableUnreadable(f"{subject(shown)}: cannot read this workbook ({_reason(err)}); save it again from "
                              "your spreadsheet, or as CSV UTF-8") from None
    finally:
        book.close()
    activities_grid, details_grid = grids
    if activities_grid is None:  # the first sheet is always read
        raise TableUnreadable(f"{subject(shown)}: this workbook has no sheets")
    activities_grid.problems[:0] = notes
    return activities_grid, details_grid


def _chosen_sheets(book: Workbook, shown: str) -> tuple[str, str | None, list[TableProblem]]:
    """The activities sheet, the details sheet (or None) and warnings about the choice.

    Only visible sheets are read: what a person sees is what is imported. The activities are the visible
    sheet named "Activities", else the first visible sheet but "Map"; the details the visible sheet "Map". A
    warning says so when the activities sheet is not the first visible sheet (the details' aside), and
    when a hidden sheet has one of these names.
    """
    visible_sheets = [sheet.title for sheet in book.worksheets if sheet.sheet_state == "visible"]
    if not visible_sheets:
        raise TableUnreadable(f"{subject(shown)}: this workbook has no visible sheets" if book.worksheets
                              else f"{subject(shown)}: this workbook has no sheets")
    names = {sheet.lower(): sheet for sheet in visible_sheets}
    details = names.get(DETAILS_SHEET.lower())
    first = next((sheet for sheet in visible_sheets if sheet != details), visible_sheets[0])
    activities = names.get(ACTIVITIES_SHEET.lower(), first)
    notes = []
    if activities != first:
        notes.append(TableProblem(f"{shown}:{activities}", f"the activities are read from this sheet, named "
                                  f"'{ACTIVITIES_SHEET}', not from the first sheet, '{visible(first[:40])}'",
                                  "warning"))
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible" and sheet.title.lower() in (ACTIVITIES_SHEET.lower(), DETAILS_SHEET.lower()):
            notes.append(TableProblem(f"{shown}:{sheet.title}", "a hidden sheet, not read: only the sheets a "
                                      "spreadsheet shows are imported; unhide it to import it", "warning"))
    return activities, details, notes


def _reason(err: Exception) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return visible(f"{type(err).__name__}: {text[:120]}" if text else type(err).__name__)


def _check_archive(data: bytes, shown: str) -> None:
    """Refuse a workbook that is no zip archive, or whose parts would unpack to too much (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise TableUnreadable(f"{subject(shown)}: not an XLSX workbook (its zip archive cannot be read)") from None
    if len(infos) > MAX_PARTS:
        raise TableUnreadable(f"{subject(shown)}: this workbook has more than {MAX_PARTS:,} parts (files in its zip "
                              "archive); it is too large to read")
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise TableUnreadable(f"{subject(shown)}: this workbook unpacks to more than "
                              f"{MAX_UNPACKED_BYTES // 2**20} MiB; it is too large to read")


class _BoundedReader(ExcelReader):
    """openpyxl's reader of a workbook opened once, read-only, with its shared texts bounded.

    A workbook keeps each different text once, in its shared texts, and openpyxl reads them all when it
    opens the file: they are counted as they are read, and reading stops at `MAX_SHARED_STRINGS` (at once
    when the part says it holds more) or when the part unpacks to more than `MAX_STRINGS_BYTES`.
    """

    def __init__(self, data: io.BytesIO, shown: str) -> None:
        super().__init__(data, read_only=True, data_only=True)
        self.shown = shown

    def read_strings(self) -> None:
        found = self.package.find(SHARED_STRINGS)  # type: ignore[no-untyped-call]
        if found is None:
            return
        path = found.PartName[1:]
        if self.archive.getinfo(path).file_size > MAX_STRINGS_BYTES:
            raise TableUnreadable(f"{subject(self.shown)}: the workbook's texts ({visible(path[:60])}) unpack to more "
                                  f"than {MAX_STRINGS_BYTES // 2**20} MiB; it is too large to read")
        with self.archive.open(path) as source:
            self.shared_strings = self._strings(source)

    def _strings(self, source: IO[bytes]) -> list[str]:
        """The shared texts as openpyxl reads them (`read_string_table`: each item's text and its runs' texts,
        without phonetic guides), at most `MAX_SHARED_STRINGS`."""
        strings: list[str] = []
        for event, node in iterparse(source, events=("start", "end")):
            if event == "start":
                if not strings and _claimed(node.get("uniqueCount")) > MAX_SHARED_STRINGS:
                    self._too_many()
                continue
            if node.tag == _ITEM:
                if len(strings) == MAX_SHARED_STRINGS:
                    self._too_many()
                strings.append(_item_text(node))
                node.clear()
        return strings

    def _too_many(self) -> None:
        raise TableUnreadable(f"{subject(self.shown)}: the workbook holds more than {MAX_SHARED_STRINGS:,} different "
                              "texts; it is too large to read (a table of activities needs far fewer)")


_ITEM, _TEXT, _RUN = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("si", "t", "r"))


def _item_text(item: Element) -> str:
    """A shared text: its `t`, then the `t` of each run (what openpyxl's `Text.content` gives)."""
    parts = [part.text or "" for part in (item.find(_TEXT), *(run.find(_TEXT) for run in item.iterfind(_RUN)))
             if part is not None]
    return "".join(parts).replace("x005F_", "")


def _claimed(count: str | None) -> int:
    """The count a part's attribute claims (0 when absent or no number)."""
    return int(count) if count is not None and count.isdigit() and len(count) < 20 else 0


def _sheet_grid(book: Workbook, sheet: str, shown: str) -> Grid:
    """One sheet's cells, read twice from the workbook opened once: the values saved with it, then (for the
    cells that have none) its formulas; a formula without a saved value is a problem at its cell."""
    grid = Grid(shown, sheet)
    rows = book[sheet]
    rows.reset_dimensions()  # rows as stored, not as the file claims
    cells = 0
    filled: dict[int, set[int]] = {}
    for number, row in enumerate(rows.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS + 1:
            raise TableUnreadable(f"{subject(shown)}: sheet '{sheet}' has more than {MAX_ROWS:,} rows; "
                                  "delete what is below the table, or split it")
        row_values = list(row)
        filled[number] = {col for col, value in enumerate(row_values, start=1) if value is not None}
        while row_values and row_values[-1] is None:
            row_values.pop()
        if len(row_values) > MAX_COLUMNS:
            raise TableUnreadable(f"{subject(shown)}: sheet '{sheet}' row {number} has more than "
                                  f"{MAX_COLUMNS:,} columns")
        cells += len(row)
        if cells > MAX_ROWS * 50:
            raise TableUnreadable(f"{subject(shown)}: sheet '{sheet}' has too many cells to read")
        grid.rows.append((number, [_cell_value(value) for value in row_values]))
    book._data_only = False  # type: ignore[attr-defined] # a read-only sheet reads its cells as its book says
    try:
        for number, written in enumerate(rows.iter_rows(), start=1):
            for col, formula in enumerate(written, start=1):
                if getattr(formula, "data_type", None) == "f" and col not in filled.get(number, ()):
                    grid.problems.append(TableProblem(grid.place(number).cell(col), "a formula without a saved "
                                                      f"value ({visible(str(formula.value))[:60]}); open the file "
                                                      "in your spreadsheet and save it, or type the value"))
    finally:
        book._data_only = True  # type: ignore[attr-defined]
    return grid


def _cell_value(value: object) -> Cell:
    """A workbook value as a cell: text, number, or None; yes/no and dates as text."""
    if value is None or (isinstance(value, str | int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


# -- cells -> rows ----------------------------------------------------------------------------------


def _is_blank(cells: list[Cell]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def rows_of(grid: Grid, *, update: bool = False) -> tuple[list[ActivityRow], list[TableProblem]]:
    """The activity rows of a grid (its first non-blank row is the header) and the problems found.

    A new map's table needs the columns phase and name; an update's (`update`) an id, number or name.
    """
    problems = list(grid.problems)
    lines = [(number, cells) for number, cells in grid.rows if not _is_blank(cells)]
    if not lines:
        problems.append(TableProblem(grid.where(), "the table is empty: the first row names the columns "
                                     "(at least phase and name), each row below is an activity"))
        return [], problems
    header_row, header = lines[0]
    columns, segments, extensions, found = _header(grid, header_row, header)
    problems += found
    if update:
        if not {"id", "number", "name"} & columns.keys():
            problems.append(TableProblem(grid.place(header_row).cell(1), "no 'id' or 'number' column: each row "
                                         "needs one to find its activity in the map (or parent and name for a "
                                         "new activity)"))
            return [], problems
    else:
        for needed in ("phase", "name"):
            if needed not in columns:
                problems.append(TableProblem(grid.place(header_row).cell(1), f"no '{needed}' column: a table of "
                                             "activities needs at least the columns phase and name"))
        if any(p.is_error for p in problems) and not ("phase" in columns and "name" in columns):
            return [], problems
    rows = []
    for number, cells in lines[1:]:
        row, row_problems = _row(grid.place(number), cells, columns, segments, extensions)
        rows.append(row)
        problems += row_problems
    return rows, problems


def _header(
    grid: Grid, number: int, header: list[Cell]
) -> tuple[dict[str, int], dict[str, dict[int, int]], dict[str, int], list[TableProblem]]:
    """Column name -> its 0-based index; segment id -> {0: importance index, 1: satisfaction index};
    `x-` column -> index; and problems (unknown or repeated columns)."""
    columns: dict[str, int] = {}
    segments: dict[str, dict[int, int]] = {}
    extensions: dict[str, int] = {}
    problems: list[TableProblem] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(header):
        if raw is None or not str(raw).strip():
            continue
        name = " ".join(str(raw).lower().split())
        name = ALIASES.get(name, name)
        place = grid.place(number).cell(index + 1)
        if name in seen:
            problems.append(TableProblem(place, f"the column '{name}' is given twice (also column {seen[name] + 1})"))
            continue
        seen[name] = index
        if name in COLUMNS and name not in SKIPPED:
            columns[name] = index
        elif name in SKIPPED:
            continue
        elif name.startswith("x-"):
            extensions[name] = index
        elif name.endswith(SEGMENT_SUFFIXES):
            which = 0 if name.endswith(SEGMENT_SUFFIXES[0]) else 1
            segment = name[: -len(SEGMENT_SUFFIXES[which])].strip()
            segments.setdefault(segment, {})[which] = index
        else:
            close = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.7)
            hint = (f"; did you mean '{close[0]}'?" if close else
                    "; the columns are: " + ", ".join(COLUMNS) + ", '<segment> importance', '<segment> satisfaction'")
            problems.append(TableProblem(place, f"unknown column '{visible(name[:60])}'{hint} (name it x-... "
                                         "to keep it as your own key)"))
    return columns, segments, extensions, problems


def _row(
    place: RowPlace, cells: list[Cell], columns: dict[str, int], segments: dict[str, dict[int, int]],
    extensions: dict[str, int],
) -> tuple[ActivityRow, list[TableProblem]]:
    problems: list[TableProblem] = []

    def cell(index: int) -> Cell:
        return cells[index] if index < len(cells) else None

    def number(label: str, index: int) -> float | int | None:
        value = cell(index)
        try:
            return read_number(value)
        except ValueError:
            shown = visible(str(value)[:40])
            problems.append(TableProblem(place.cell(index + 1), f"{label} '{shown}' is not a number"))
            return None

    row = ActivityRow(place, frozenset(columns) | frozenset(f"{s}{SEGMENT_SUFFIXES[0]}" for s in segments),
                      columns={name: index + 1 for name, index in columns.items()})
    for name, index in columns.items():
        value = cell(index)
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            problems.append(TableProblem(place.cell(index + 1), f"{name}: {len(value):,} characters, more than "
                                         f"the {MAX_CELL_CHARS:,} a text may hold"))
            continue
        if name in NUMBER_COLUMNS:
            setattr(row, name, number(name, index))
        elif name in LIST_COLUMNS:
            setattr(row, name, split_list(_text(value) or ""))
        else:
            text = _text(value)
            setattr(row, name, text if text is None or name in ("name", "description", "notes", "owner")
                    else text.strip() or None)
    for segment, pair in segments.items():
        scores = tuple(number(f"{segment}{SEGMENT_SUFFIXES[which]}", pair[which]) if which in pair else None
                       for which in (0, 1))
        if scores != (None, None):
            row.segments[segment] = (scores[0], scores[1])
    for key, index in extensions.items():
        text = _text(cell(index))
        if text is not None:
            row.extensions[key] = text
    for segment, pair in segments.items():
        for which, index in pair.items():
            row.columns[f"{segment}{SEGMENT_SUFFIXES[which]}"] = index + 1
    return row, problems


def _text(value: Cell) -> str | None:
    """A cell as text: numbers as written ('2024', '7.5'); empty or blank cells give None."""
    if value is None:
        return None
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return text if text.strip() else None


def details_of_grid(grid: Grid) -> tuple[MapDetails, list[TableProblem]]:
    """The details (`field`, `value` rows) of a "Map" sheet or a details CSV."""
    problems = list(grid.problems)
    lines = [(number, cells) for number, cells in grid.rows if not _is_blank(cells)]
    entries = []
    start = 0
    if lines and [str(c or "").strip().lower() for c in lines[0][1][:2]] == list(HEADER):
        start = 1
    for number, cells in lines[start:]:
        padded = [*cells, None, None]
        entries.append((padded[0], padded[1], grid.place(number).cell(1), grid.place(number).cell(2)))
    details, found = read_details(entries, grid.where())
    return details, problems + found


def limited(problems: list[TableProblem]) -> Iterator[str]:
    """The problems as lines, the first `MAX_PROBLEMS` and a count of the rest."""
    for problem in problems[:MAX_PROBLEMS]:
        yield visible(str(problem))
    if len(problems) > MAX_PROBLEMS:
        yield f"... and {len(problems) - MAX_PROBLEMS} more problems"
