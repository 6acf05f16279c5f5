"""The pack's page furniture: fonts, running header and footer, headings, tables.

Built on fpdf2. Every piece of user text goes through `plain` first (control
characters dropped, length capped) and is never read as markup.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace

from cyclemap.render.text import clean
from cyclemap.workshop.fonts import Fonts

INK = "#222222"
MUTED = "#5f5f5f"
RULE = "#b8b8b8"
HEAD_FILL = "#e9ecef"
BODY = "body"
_PAD_X, _PAD_Y = 1.6, 1.2
"""Cell padding in tables, mm."""
SHORTENED = "… (shortened to fit the page; see the map for the rest)"
MAX_CELL_TEXT = 600
"""Characters of one user string in a table cell before it is cut with '…'."""
MAX_LIST_ITEMS = 8
"""Items of a list (pains, offerings) shown in one cell; the rest are counted."""


def plain(text: str, limit: int = MAX_CELL_TEXT) -> str:
    """User text safe to set: no control characters, at most `limit` characters."""
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


_PAGE_COUNT = "\x1fpages\x1f"
"""Stands for the page count until the end; user text cannot contain it (`plain` drops \\x1f)."""
MISSING_FONT_HINT = (
    "For Chinese, Japanese and Korean install fonts-noto-cjk, for emoji fonts-noto-color-emoji "
    "(Debian/Ubuntu; 'bash install.sh' installs both)."
)
_MISSING = re.compile(r"'(.)' \(\\u[0-9a-f]+\)")


class _GlyphLog(logging.Handler):
    """Collects fpdf2's 'font is missing glyphs' warnings instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class PackDocument(FPDF):
    """A landscape document with the pack's fonts, header and footer."""

    def __init__(self, fonts: Fonts, paper: str, footer_text: str) -> None:
        super().__init__(orientation="L", unit="mm", format=paper)
        self.set_margins(14, 18, 14)
        self.set_auto_page_break(auto=True, margin=16)
        self.add_font(BODY, "", str(fonts.regular.path))
        self.add_font(BODY, "B", str(fonts.bold.path))
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
        self.cell(self.epw * 0.7, 5, self.running_title)
        self.cell(self.epw * 0.3, 5, self.section, align="R")
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

    def para(self, text: str, size: float = 10, colour: str = INK, bold: bool = False) -> None:
        self.style(size, colour, bold)
        self.multi_cell(0, size * 0.5, plain(text, 2000), align="L", new_x="LMARGIN", new_y="NEXT")

    def room_left(self) -> float:
        """Millimetres left on this page above the bottom margin."""
        return self.page_break_trigger - self.y

    # -- tables ----------------------------------------------------------------

    def table_of(self, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], size: float = 8.5) -> None:
        """A table whose header row repeats on every page it runs onto."""
        self.style(size)
        self.set_draw_color(RULE)
        self.set_line_width(0.15)
        heading = FontFace(emphasis="BOLD", color=INK, fill_color=HEAD_FILL, size_pt=size)
        with self.table(
            col_widths=tuple(c.width for c in columns),
            text_align=tuple(c.align for c in columns),
            headings_style=heading,
            line_height=size * 0.48,
            padding=(_PAD_Y, _PAD_X),
            repeat_headings=1,
            cell_fill_mode=TableCellFillMode.NONE,
            v_align="TOP",
        ) as table:
            head = table.row()
            for column in columns:
                head.cell(column.title)
            most = self._most_lines(size)
            for cells in rows:
                row = table.row()
                for cell, column in zip(cells, columns, strict=True):
                    face = FontFace(
                        emphasis="BOLD" if cell.bold else None, color=cell.colour, fill_color=cell.fill, size_pt=size
                    )
                    row.cell(self._fitted(cell, column.width * self.epw - 2 * _PAD_X, most), style=face)
        self.ln(3)

    def _most_lines(self, size: float) -> int:
        """Lines of one cell that leave its row room on a page under the repeated header."""
        usable = self.page_break_trigger - self.t_margin - 2 * (size * 0.48 * 2 + 2 * _PAD_Y)
        return max(4, int(usable / (size * 0.48)) - 1)

    def _fitted(self, cell: Cell, width: float, most: int) -> str:
        """The cell's text, shortened if it would make its row taller than a page."""
        if cell.text.count("\n") + len(cell.text) * 1.9 / max(width, 1.0) < most / 2:
            return cell.text  # clearly short: skip measuring
        self.set_font(BODY, "B" if cell.bold else "", self.font_size_pt)
        measured = self.multi_cell(width, 1, cell.text, dry_run=True, output="LINES", padding=0)
        lines = [str(line) for line in measured] if isinstance(measured, list) else []
        if len(lines) <= most:
            return cell.text
        return "\n".join(lines[: most - 1]) + f"\n{SHORTENED}"

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
        missing = sorted({c for m in log.messages for c in _MISSING.findall(m)})
        if missing:
            shown = " ".join(missing[:20]) + (" …" if len(missing) > 20 else "")
            self.warnings.append(f"no installed font has these characters, so they print as blanks: {shown}. "
                                 f"{MISSING_FONT_HINT}")
        return out.getvalue()
