"""A rich-looking table written row by row, for lists too long for `rich.table.Table`.

rich measures and renders every cell of a table through its segment machinery
before printing a line: about 1.7 ms and 14 KB per row, so 100,000 gaps took
minutes and more than a gigabyte. Here rich lays out only the title, the header
and the column widths, from a stand-in table holding, for each column, the cell
rich would measure widest and the cell with the longest word (rich's column
widths depend on nothing else). The rows are then wrapped and boxed here with
rich's own wrapping rule, a bounded batch at a time, so time and memory grow
with the output only. The text is the same, byte for byte, as rich's table of
the same rows, with colours and without.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console, JustifyMethod, OverflowMethod
from rich.table import Table
from rich.text import Text

BATCH_LINES = 2000
"""Lines formatted before they are written: bounds the memory the table takes."""

_WORD = re.compile(r"\s*\S+\s*")
_ELLIPSIS = "…"


@dataclass(frozen=True)
class Cell:
    """One cell: its text (lines separated by newlines) and styles."""

    text: str
    style: str = ""
    """Style of the whole cell (its padding too, as rich pads a styled Text)."""
    line_styles: tuple[str, ...] = ()
    """Styles of the text's lines in turn, before wrapping (the last one repeats); none when empty."""

    def to_text(self) -> Text:
        """The cell as rich Text, for the stand-in table."""
        if not self.line_styles:
            return Text(self.text, style=self.style)
        text = Text(style=self.style)
        for number, line in enumerate(self.text.split("\n")):
            if number:
                text.append("\n")
            text.append(line, style=self.line_styles[min(number, len(self.line_styles) - 1)])
        return text


@dataclass(frozen=True)
class ColumnSpec:
    """A column as given to `rich.table.Table.add_column`, limited to what this table uses."""

    header: str
    justify: JustifyMethod = "left"
    no_wrap: bool = False
    max_width: int | None = None
    ratio: int | None = None

    @property
    def overflow(self) -> OverflowMethod:
        return "ellipsis" if self.no_wrap else "fold"


def make_table(title: Text | None, columns: Sequence[ColumnSpec]) -> Table:
    """The rich table the stream imitates (left-aligned title, rows closing a section each)."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(
            column.header,
            justify=column.justify,
            no_wrap=column.no_wrap,
            overflow=column.overflow,
            max_width=column.max_width,
            ratio=column.ratio,
        )
    return table


def print_streamed(
    console: Console,
    out: TextIO,
    title: Text,
    columns: Sequence[ColumnSpec],
    rows: Callable[[], Iterable[Sequence[Cell]]],
) -> None:
    """Print the rows `rows()` yields under `title`, as `make_table` would, a batch at a time.

    `rows` is called twice (once to measure, once to print), so that no more
    than a batch of rows is held at once.
    """
    widest = _widest_rows(rows(), len(columns))
    head, widths = _head_and_widths(console, title, columns, widest)
    coloured = console.color_system is not None and not console.no_color
    out.write(head)
    lines = _Lines(console, columns, widths, coloured)
    for number, row in enumerate(rows()):
        lines.add(row, first=number == 0)
        if len(lines.pending) >= BATCH_LINES:
            _write(console, out, lines.take())
    lines.end()
    _write(console, out, lines.take())


def _write(console: Console, out: TextIO, lines: list[Line | str]) -> None:
    if lines and isinstance(lines[0], str):
        out.write("".join(lines))  # type: ignore[arg-type]
    elif lines:
        console.print(_styled(lines), soft_wrap=True, end="")  # type: ignore[arg-type]


# -- widths ----------------------------------------------------------------------


def measure(text: str) -> tuple[int, int]:
    """What rich measures a Text as: its longest word and its widest line, in cells."""
    size = len if _plain(text) else cell_len
    widest = max(map(size, text.splitlines()), default=0)
    words = text.split()
    return (max(map(size, words)) if words else widest), widest


def _plain(text: str) -> bool:
    """One cell per character and no tab: rich's wrapping can be done with len() here."""
    return text.isascii() and text.replace("\n", " ").isprintable()


def _widest_rows(rows: Iterable[Sequence[Cell]], count: int) -> list[Sequence[Cell]]:
    """The rows holding, for some column, its widest cell or its longest word (each row once)."""
    best: list[list[tuple[int, int]]] = [[(-1, 0), (-1, 0)] for _ in range(count)]
    kept: dict[int, Sequence[Cell]] = {}
    for index, row in enumerate(rows):
        for column, cell in enumerate(row):
            low, high = measure(cell.text)
            slot = best[column]
            if low > slot[0][0]:
                slot[0] = (low, index)
                kept[index] = row
            if high > slot[1][0]:
                slot[1] = (high, index)
                kept[index] = row
    chosen = sorted({index for slot in best for _, index in slot if index in kept})
    return [kept[index] for index in chosen]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _head_and_widths(
    console: Console, title: Text, columns: Sequence[ColumnSpec], rows: Sequence[Sequence[Cell]]
) -> tuple[str, list[int]]:
    """The title and header lines rich prints for these rows, and its column widths (padding included).

    The stand-in table is drawn with and without its title: the difference in
    lines is the title's (user text, which may hold anything). In the untitled
    one the first line starting with ``┡`` is the rule under the header (the
    headers are the columns' own words), and its pieces give the widths.
    """
    drawn = []
    for heading in (title, None):
        table = make_table(heading, columns)
        for row in rows:
            table.add_row(*(cell.to_text() for cell in row), end_section=True)
        with console.capture() as capture:
            console.print(table)
        drawn.append(capture.get().splitlines(keepends=True))
    titled, untitled = drawn
    plain = [_ANSI.sub("", line).strip() for line in untitled]
    at = next(number for number, line in enumerate(plain) if line.startswith("┡"))
    head = titled[: len(titled) - len(untitled) + at + 1]
    return "".join(head), [len(part) for part in plain[at][1:-1].split("╇")]


# -- rows ------------------------------------------------------------------------

Line = list[tuple[str, str]]
"""One output line as (text, style) pieces."""


class _Lines:
    """Output lines of rows at fixed column widths, boxed as rich boxes a table.

    Without colour a line is kept as its text; with colour, as (text, style) pieces.
    """

    def __init__(self, console: Console, columns: Sequence[ColumnSpec], widths: Sequence[int], coloured: bool) -> None:
        self.console = console
        self.columns = columns
        self.widths = widths
        self.coloured = coloured
        self.blanks: list[Line] = [[(" " * width, "")] for width in widths]
        self.separator = "├" + "┼".join("─" * width for width in widths) + "┤\n"
        self.pending: list[Line | str] = []

    def add(self, row: Sequence[Cell], *, first: bool) -> None:
        if not first:
            self.pending.append(self.separator if not self.coloured else [(self.separator, "")])
        cells = [
            _cell_lines(self.console, cell, column, width)
            for cell, column, width in zip(row, self.columns, self.widths, strict=True)
        ]
        height = max(map(len, cells))
        for lines, blank in zip(cells, self.blanks, strict=True):
            lines.extend([blank] * (height - len(lines)))
        if self.coloured:
            for parts in zip(*cells, strict=True):
                line: Line = [("│", "")]
                for part in parts:
                    line += [*part, ("│", "")]
                line.append(("\n", ""))
                self.pending.append(line)
        else:
            texts = [["".join(text for text, _ in part) for part in lines] for lines in cells]
            self.pending += ["│" + "│".join(parts) + "│\n" for parts in zip(*texts, strict=True)]

    def end(self) -> None:
        bottom = "└" + "┴".join("─" * width for width in self.widths) + "┘\n"
        self.pending.append(bottom if not self.coloured else [(bottom, "")])

    def take(self) -> list[Line | str]:
        taken, self.pending = self.pending, []
        return taken


def _cell_lines(console: Console, cell: Cell, column: ColumnSpec, full: int) -> list[Line]:
    """The cell's lines, each `full` cells wide with its padding, as (text, style) pieces."""
    width = full - 2
    if width <= 0:  # narrower than its padding: rich shows one blank line of what is left
        return [[(" " * full, "")]]
    if not _plain(cell.text):
        return [[(" ", ""), *line, (" ", "")] for line in _rich_wrap(console, cell, column, width)]
    styles = cell.line_styles or (cell.style,)
    lines: list[Line] = []
    for number, line in enumerate(cell.text.split("\n")):
        style = styles[min(number, len(styles) - 1)]
        for part in _wrap_ascii(line, width, column):
            if cell.line_styles and column.justify == "left":  # rich pads after the styled spans
                text = _truncate(part, width, column.overflow)
                lines.append([(" ", ""), (text, style), (" " * (width - len(text) + 1), "")])
            else:
                lines.append([(" ", ""), (_justify(part, width, column), style), (" ", "")])
    return lines


def _wrap_ascii(line: str, width: int, column: ColumnSpec) -> list[str]:
    """rich's wrapping of one line of ASCII text (`rich._wrap.divide_line`), before justifying."""
    if column.no_wrap or len(line) <= width:
        return [line]
    return _divide(line, width)


def _divide(line: str, width: int) -> list[str]:
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(line):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            folded = [word[at : at + width] for at in range(0, len(word), width)]
            for number, part in enumerate(folded):
                if start:
                    breaks.append(start)
                if number == len(folded) - 1:
                    offset = len(part)
                else:
                    start += len(part)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    bounds = [0, *breaks, len(line)]
    parts = [line[bounds[n] : bounds[n + 1]] for n in range(len(bounds) - 1)]
    return [_rstrip_end(part, width) for part in parts]


def _rstrip_end(part: str, width: int) -> str:
    """Whitespace beyond `width` at the end removed (rich's `Text.rstrip_end`)."""
    excess = len(part) - width
    if excess <= 0:
        return part
    trailing = len(part) - len(part.rstrip())
    return part[: len(part) - min(trailing, excess)]


def _justify(part: str, width: int, column: ColumnSpec) -> str:
    if column.justify == "right":
        part = _truncate(part.rstrip(), width, column.overflow)
        return " " * (width - len(part)) + part
    return _truncate(part, width, column.overflow).ljust(width)


def _truncate(part: str, width: int, overflow: str) -> str:
    if len(part) <= width:
        return part
    return part[: width - 1] + _ELLIPSIS if overflow == "ellipsis" else part[:width]


def _rich_wrap(console: Console, cell: Cell, column: ColumnSpec, width: int) -> list[Line]:
    """rich's own wrapping and styles, for the rare cell with tabs or wide characters."""
    wrapped = cell.to_text().wrap(
        console, width, justify=column.justify, overflow=column.overflow, no_wrap=column.no_wrap
    )
    lines: list[Line] = []
    for text in wrapped:
        text.truncate(width, overflow=column.overflow, pad=True)
        lines.append([(segment.text, str(segment.style or "")) for segment in text.render(console)])
    return lines or [[(" " * width, cell.style)]]


def _styled(lines: list[Line]) -> Text:
    text = Text()
    for line in lines:
        for piece, style in line:
            text.append(piece, style=style or None)
    return text
