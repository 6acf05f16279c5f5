"""The pack's page furniture: fonts, running header and footer, headings, tables.

Built on fpdf2. Every piece of user text goes through `plain` first (control
and format characters shown as escapes, length capped: the diagrams' `clean`)
and is never read as markup.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, cast

from fpdf import FPDF
from fpdf.line_break import TextLine

from cyclemap.render.text import clean
from cyclemap.workshop.fonts import Fonts
from cyclemap.workshop.tables import INK, PAD_X, PAD_Y, Cell, Column, Measure, Row, Table, lay_out, page_runs

AfterRow = Callable[[int, float, float], None]
"""Draws over a table's row once it is drawn: called with the row's index, left and top (mm)."""
MUTED = "#5f5f5f"
RULE = "#b8b8b8"
BODY = "body"
MAX_CELL_TEXT = 600
"""Characters of one user string in a table cell before it is cut with '…'."""
MAX_LIST_ITEMS = 8
"""Items of a list (pains, offerings) shown in one cell; the rest are counted."""


def plain(text: str, limit: int = MAX_CELL_TEXT) -> str:
    r"""User text safe to set: control and format characters as escapes (``\u202e``), at most `limit` characters."""
    return clean(text, limit)


def bullets(items: Sequence[str]) -> str:
    """A list as lines of '• item', long lists cut with a count of the rest.

    >>> bullets(["a", "b"])
    '• a\\n• b'
    """
    shown = [f"• {plain(item)}" for item in items[:MAX_LIST_ITEMS]]
    if len(items) > MAX_LIST_ITEMS:
        shown.append(f"… and {len(items) - MAX_LIST_ITEMS} more")
    return "\n".join(shown)


_PAGE_COUNT = "\x1fpages\x1f"
"""Stands for the page count until the end; user text cannot contain it (`plain` shows \\x1f as an escape)."""
MISSING_FONT_HINT = (
    "For Chinese, Japanese and Korean install fonts-noto-cjk, for emoji fonts-noto-color-emoji "
    "(Debian/Ubuntu; 'bash install.sh' installs both)."
)
_MISSING = re.compile(r"'(.)' \(\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})\)")
"""A character in fpdf2's list of missing glyphs. Only printable ones are reported: a format character
(a bidi isolate, a zero-width space) or a control character has no glyph to miss."""


class _GlyphLog(logging.Handler):
    """Collects fpdf2's 'font is missing glyphs' warnings instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _lacks(font: object, text: str) -> bool:
    """Whether `font` lacks a character of `text` (loading a CJK font takes a noticeable moment)."""
    cmap = getattr(font, "cmap", {})
    return any(ord(char) not in cmap for char in set(text) if char.isprintable())


class PackDocument(FPDF):
    """A landscape document with the pack's fonts, header and footer."""

    def __init__(self, fonts: Fonts, paper: str, footer_text: str, text: str = "") -> None:
        """A document set in `fonts`; fallback fonts are loaded only if `text` (all it will set) needs them."""
        super().__init__(orientation="L", unit="mm", format=paper)
        self.set_margins(14, 18, 14)
        self.set_auto_page_break(auto=True, margin=16)
        self.add_font(BODY, "", str(fonts.regular.path))
        self.add_font(BODY, "B", str(fonts.bold.path))
        if _lacks(self.fonts[BODY], text) or _lacks(self.fonts[BODY + "B"], text):
            for name, font in fonts.fallbacks:
                self.add_font(name, "", str(font.path), collection_font_number=font.index)
            self.set_fallback_fonts([name for name, _ in fonts.fallbacks], exact_match=False)
        self.set_font(BODY, size=10)
        self.alias_nb_pages(_PAGE_COUNT)
        self.footer_text = plain(footer_text, 300)
        self.running_title = ""
        self.section = ""
        self.warnings: list[str] = []
        self.fresh_page = False
        """True while the current page is blank and not yet claimed by a section."""
        self.measure = Measure(self)

    def set_metadata(self, title: str, subject: str, creator: str, date: dt.date) -> None:
        self.running_title = plain(title, 120)
        self.set_title(plain(title))
        self.set_subject(plain(subject))
        self.set_creator(creator)
        self.set_lang("en")
        self.set_creation_date(dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC))

    # -- page furniture ---------------------------------------------------------

    def header(self) -> None:
        if not self.section:
            return
        self.set_xy(self.l_margin, 8)
        self.style(8, MUTED)
        title_width, section_width = self.epw * 0.62, self.epw * 0.38
        self.cell(title_width, 5, self.fit_lines(self.running_title, title_width - 3)[0])
        self.cell(section_width, 5, self.fit_lines(self.section, section_width)[0], align="R")
        self.set_draw_color(RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, 13.5, self.w - self.r_margin, 13.5)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_xy(self.l_margin, self.h - 11)
        self.style(7.5, MUTED)
        self.cell(self.epw * 0.8, 5, self.footer_text)
        self.cell(self.epw * 0.2, 5, f"Page {self.page_no()} of {_PAGE_COUNT}", align="R")

    def begin(self, section: str, outline: str | None = None) -> None:
        """Start `section` on a new page, with a bookmark."""
        self.section = section
        if self.fresh_page:
            self.fresh_page = False
            self.header()
        else:
            self.add_page()
        self.start_section(outline or section)

    # -- text ------------------------------------------------------------------

    def style(self, size: float, colour: str = INK, bold: bool = False) -> None:
        self.set_font(BODY, "B" if bold else "", size)
        self.set_text_color(colour)

    def heading(self, text: str, colour: str = INK, size: float = 18) -> None:
        self.style(size, colour, bold=True)
        self.multi_cell(0, size * 0.5, plain(text, 300), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def fit_lines(self, text: str, width: float, max_lines: int = 1) -> list[str]:
        """`text` in the current font broken into at most `max_lines` lines of `width` mm, the last cut with '…'.

        Lines break between words where they can, inside a word too long for a line.
        """
        found = cast("list[str]", self.multi_cell(width, 5, text, dry_run=True, output="LINES"))  # as output= asks
        lines = [str(line) for line in found] or [""]
        if len(lines) <= max_lines:
            return lines
        last = lines[max_lines - 1].rstrip()
        while last and self.get_string_width(last + "…") > width - 2 * self.c_margin:
            last = last[:-1].rstrip()
        return [*lines[: max_lines - 1], last + "…"]

    def para(self, text: str, size: float = 10, colour: str = INK, bold: bool = False) -> None:
        self.style(size, colour, bold)
        self.multi_cell(0, size * 0.5, plain(text, 2000), align="L", new_x="LMARGIN", new_y="NEXT")

    def room_left(self) -> float:
        """Millimetres left on this page above the bottom margin."""
        return self.page_break_trigger - self.y

    # -- tables ----------------------------------------------------------------

    def table_of(self, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], size: float = 8.5) -> None:
        """A table whose header row repeats on every page it runs onto."""
        self.draw_table(self.lay_table(columns, rows, size))

    def lay_table(self, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], size: float = 8.5,
                  width: float | None = None) -> Table:
        """The table broken into lines and rows, ready to measure and draw; `width` mm wide (else the page's)."""
        return lay_out(self.measure, columns, rows, size, self.page_break_trigger - self.t_margin, width=width)

    def draw_table(self, table: Table, left: float | None = None, after_row: AfterRow | None = None) -> None:
        """Draw `table` from here down (from `left` mm, else the margin), over as many pages as it needs, with no
        row alone on a page. `after_row(index, left, top)` may draw more over each row once it is drawn."""
        runs = page_runs(table, self.page_break_trigger - self.y, self.page_break_trigger - self.t_margin)
        for number, (start, end) in enumerate(runs):
            if number > 0:
                self.add_page()
            if start == end:
                continue
            top = self._draw_row(table, table.head, self.y, left)
            for index in range(start, end):
                bottom = self._draw_row(table, table.rows[index], top, left)
                if after_row is not None:
                    after_row(index, self.l_margin if left is None else left, top)
                top = bottom
            self.set_y(top)
        self.ln(3)

    def _draw_row(self, table: Table, row: Row, top: float, left: float | None = None) -> float:
        self.set_draw_color(RULE)
        self.set_line_width(0.15)
        left = self.l_margin if left is None else left
        for index, (cell, lines, width) in enumerate(zip(row.cells, row.lines, table.widths, strict=True)):
            if cell.fill:
                self.set_fill_color(cell.fill)
            self.rect(left, top, width, row.height, style="DF" if cell.fill else "D")
            self.set_font(BODY, "B" if cell.bold else "", table.size)
            self.set_text_color(cell.colour)
            column = table.columns[index]
            for number, line in enumerate(lines):
                if number == row.notes[index]:
                    self.style(table.size, MUTED)
                if line.strip():
                    self._cell_line(line, (left, top + PAD_Y + number * table.line_height, width), table, column.align)
            left += width
        return top + row.height

    def _cell_line(self, line: str, where: tuple[float, float, float], table: Table, align: str) -> None:
        """One line of a cell at `where` (left, top, cell width), in the main font when it has every character."""
        left, top, width = where
        bold = self.font_style == "B"
        if not self.measure.covered(line, bold):
            self.set_xy(left + PAD_X - self.c_margin, top)
            self.cell(width - 2 * PAD_X + 2 * self.c_margin, table.line_height, line, align=align[0])
            return
        if align == "RIGHT":
            left += width - 2 * PAD_X - self.measure.width(line, bold) * table.size
        self.text(left + PAD_X, top + 0.5 * table.line_height + 0.3 * self.font_size, line)

    def _render_styled_text_line(self, text_line: TextLine, *args: Any, **kwargs: Any) -> bool:
        """fpdf2's line drawing, forgetting the page's font after a line set partly in a fallback font.

        fpdf2 switches to a fallback font (CJK, emoji) inside the line's text
        object and takes the switch as local to it; PDF keeps it for the page.
        The next `text` in the main font would then print its glyph numbers in
        the fallback font: gibberish. Forgetting makes that text set its font.
        """
        done: bool = super()._render_styled_text_line(text_line, *args, **kwargs)
        if any(fragment.font is not self.current_font for fragment in text_line.fragments):
            self.current_font_is_set_on_page = False
        return done

    # -- output ----------------------------------------------------------------

    def close_fonts(self) -> None:
        """Close the font files fpdf2 opened (it leaves unused ones open)."""
        for font in self.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()

    def finish(self) -> bytes:
        """The PDF bytes; fpdf2's warnings about missing glyphs go to `warnings`."""
        log = _GlyphLog()
        logger = logging.getLogger("fpdf")
        logger.addHandler(log)
        propagate, logger.propagate = logger.propagate, False
        try:
            out = io.BytesIO()
            self.output(out)
        finally:
            logger.removeHandler(log)
            logger.propagate = propagate
        missing = sorted({c for m in log.messages for c in _MISSING.findall(m) if c.isprintable()})
        if missing:
            shown = " ".join(missing[:20]) + (" …" if len(missing) > 20 else "")
            self.warnings.append(f"no installed font has these characters, so they print as blanks: {shown}. "
                                 f"{MISSING_FONT_HINT}")
        return out.getvalue()
