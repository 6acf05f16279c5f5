"""Tables for the pack, laid out once and then drawn.

Each cell is broken into lines once, with word widths measured once per word
(fpdf2's own tables measure every character again for every dry run), so a
table knows its row heights before it is drawn. The pack uses them to keep a
phase's flow and its table together and to never leave one row alone on a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fpdf.fonts import TTFFont

if TYPE_CHECKING:
    from cyclemap.workshop.document import PackDocument

INK = "#222222"
HEAD_FILL = "#e9ecef"

PAD_X, PAD_Y = 1.6, 1.2
"""Cell padding, mm."""
LINE_FACTOR = 0.48
"""Line height in mm per point of font size."""
SHORTENED = "… (shortened to fit the page; see the map for the rest)"
_PT = 25.4 / 72


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    """Share of the table's width (the shares of a table add up to 1)."""
    align: str = "LEFT"


@dataclass(frozen=True)
class Cell:
    text: str
    fill: str | None = None
    colour: str = INK
    bold: bool = False
    note: str = ""
    """Smaller print under the text, in regular muted type (an activity's description)."""


@dataclass(frozen=True)
class Row:
    """A row broken into lines: one tuple of lines per cell, and its height in mm."""

    cells: Sequence[Cell]
    lines: tuple[tuple[str, ...], ...]
    height: float
    notes: tuple[int, ...]
    """For each cell, the number of its first line of note (the line count if none)."""


@dataclass(frozen=True)
class Table:
    """A table laid out for a width: its header row, its rows, and what it is drawn with."""

    columns: Sequence[Column]
    widths: tuple[float, ...]
    size: float
    head: Row
    rows: tuple[Row, ...]

    @property
    def line_height(self) -> float:
        return self.size * LINE_FACTOR

    def start_height(self) -> float:
        """The room a table needs to start on a page: its header and two rows (one if it has one)."""
        return self.head.height + sum(row.height for row in self.rows[:2])


class Measure:
    """Widths of text in the pack's fonts, in mm at 1 pt, each word measured once."""

    def __init__(self, doc: PackDocument) -> None:
        self.doc = doc
        self._cache: dict[tuple[str, bool], float] = {}
        faces = {bold: doc.fonts["bodyB" if bold else "body"] for bold in (False, True)}
        self._faces = {bold: face for bold, face in faces.items() if isinstance(face, TTFFont)}

    def covered(self, text: str, bold: bool) -> bool:
        """Whether the main font has every character (else fallback fonts set the line)."""
        cmap = self._faces[bold].cmap
        return all(ord(char) in cmap for char in text)

    def width(self, text: str, bold: bool) -> float:
        key = (text, bold)
        found = self._cache.get(key)
        if found is None:
            if self.covered(text, bold):
                widths = self._faces[bold].cw
                found = sum(widths[ord(char)] for char in text) * 0.001 * _PT
            else:
                doc = self.doc
                family, style, size = doc.font_family, doc.font_style, doc.font_size_pt
                doc.set_font("body", "B" if bold else "", 1)
                found = doc.get_string_width(text)
                doc.set_font(family, style, size)
            self._cache[key] = found
        return found


def wrap(measure: Measure, text: str, width: float, size: float, bold: bool) -> list[str]:
    """`text` broken into lines no wider than `width` mm at `size` pt (a longer word is cut)."""
    room = width / size
    space = measure.width(" ", bold)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        indent = paragraph[: len(paragraph) - len(paragraph.lstrip(" "))]
        inset = measure.width(indent, bold) if indent else 0.0
        if inset > room / 2:
            indent, inset = "", 0.0
        line, used = indent, inset
        for word in paragraph.split():
            wide = measure.width(word, bold)
            gap = space if line.strip() else 0.0
            if used + gap + wide <= room:
                line, used = (line + " " + word if line.strip() else line + word), used + gap + wide
                continue
            if line.strip():
                lines.append(line)
                line, used = indent, inset
            rest = word
            while used + wide > room:  # a word wider than the cell: cut it where it fills a line
                cut = _fitting(measure, rest, room - used, bold)
                lines.append(line + rest[:cut])
                rest = rest[cut:]
                line, used = indent, inset
                wide = measure.width(rest, bold)
            line, used = line + rest, used + wide
        lines.append(line)
    return lines


def _fitting(measure: Measure, word: str, room: float, bold: bool) -> int:
    used = 0.0
    for index, char in enumerate(word):
        used += measure.width(char, bold)
        if used > room:
            return max(1, index)
    return len(word)


def lay_out(measure: Measure, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], size: float,  # noqa: PLR0913
            page_body: float, *, width: float | None = None) -> Table:
    """Break every cell into lines once for a table `width` mm wide (the page's, by default); cells taller than
    `page_body` mm are shortened."""
    total = measure.doc.epw if width is None else width
    widths = tuple(column.width * total for column in columns)
    line = size * LINE_FACTOR
    head_cells = [Cell(column.title, HEAD_FILL, bold=True) for column in columns]
    head = _row(measure, head_cells, widths, size, 10**6)
    most = max(4, int((page_body - head.height - 2 * PAD_Y) / line) - 1)
    laid = tuple(_row(measure, cells, widths, size, most) for cells in rows)
    return Table(columns, widths, size, head, laid)


def _row(measure: Measure, cells: Sequence[Cell], widths: Sequence[float], size: float, most: int) -> Row:
    lines, notes = [], []
    for cell, width in zip(cells, widths, strict=True):
        broken = wrap(measure, cell.text, width - 2 * PAD_X, size, cell.bold)
        note = wrap(measure, cell.note, width - 2 * PAD_X, size, bold=False) if cell.note else []
        if len(broken) + len(note) > most:
            note = []
            if len(broken) > most:
                broken = [*broken[: most - 1], *wrap(measure, SHORTENED, width - 2 * PAD_X, size, cell.bold)]
        notes.append(len(broken))
        lines.append(tuple(broken + note))
    height = max(len(cell) for cell in lines) * size * LINE_FACTOR + 2 * PAD_Y
    return Row(cells, tuple(lines), height, tuple(notes))


def page_runs(table: Table, first_room: float, page_room: float) -> list[tuple[int, int]]:
    """Which rows go on which page: (start, end) per page, the first on the current page.

    The first run is empty when the table should start on a new page. No run
    holds a single row when the table has more (unless a row alone fills a page).
    """
    runs = _greedy(table, first_room, page_room)
    rows = table.rows
    if len(runs) > 1 and runs[0][1] - runs[0][0] == 1 and len(rows) > 1:
        runs = [(0, 0), *_greedy(table, page_room, page_room)]
    last_start, last_end = runs[-1]
    if len(runs) > 1 and last_end - last_start == 1:
        start, end = runs[-2]
        moved = table.head.height + rows[end - 1].height + rows[last_start].height
        if end - start >= 3 and moved <= page_room:  # leave two behind, bring one along
            runs[-2:] = [(start, end - 1), (end - 1, last_end)]
    return runs


def _greedy(table: Table, first_room: float, page_room: float) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start, used, room = 0, table.head.height, first_room
    for index, row in enumerate(table.rows):
        if used + row.height > room and (index > start or room < page_room):
            runs.append((start, index))
            start, used, room = index, table.head.height, page_room
        used += row.height
    runs.append((start, len(table.rows)))
    return runs
