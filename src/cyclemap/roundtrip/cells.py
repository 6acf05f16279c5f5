"""How one value sits in a spreadsheet cell, both ways: numbers, lists, evidence, and text made safe.

The exporter and the importer share these rules, so that `import` reads back exactly what `export`
wrote:

- **Formulas.** A CSV cell whose text starts like a formula (`=`, `+`, `-`, `@`, tab or CR, also after
  leading spaces) gets one `'` in front, as OWASP advises, so that spreadsheets show it as text. Cells
  that already start with `'` before such a start get one more. The importer takes exactly one `'` off
  a cell that starts with `'` followed by what would need it, and leaves every other `'` alone: the
  round trip gives back the text as written (see `guard` and `unguard`). XLSX cells are written as
  typed text and need no `'`.
- **Control characters** that a workbook cannot hold (C0 controls but tab, line feed and carriage
  return; C1 controls and DEL) are written as visible escapes (`\\x1b`), in CSV as in XLSX, and the
  export says where.
"""

from __future__ import annotations

import math
import re

from cyclemap.roundtrip.rows import LIST_SEPARATOR
from cyclemap.safe_text import escape_char, formula_like

Cell = str | int | float | None
"""A cell's value: text, a number, or empty."""

_UNHOLDABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""What a workbook cannot hold (openpyxl's illegal characters), and C1 controls, which act in terminals."""
XLSX_CELL_CHARS = 32_767
"""The most characters one XLSX cell holds (Excel's limit; openpyxl cuts longer text)."""


def guard(text: str) -> str:
    """A CSV cell's text that no spreadsheet runs as a formula; `unguard` gives `text` back.

    >>> guard("=1+1"), guard(" @SUM(A1)"), guard("'=x"), guard("'quoted"), guard("Pay - later")
    ("'=1+1", "' @SUM(A1)", "''=x", "'quoted", 'Pay - later')
    """
    return "'" + text if formula_like(text.lstrip("'")) else text


def unguard(text: str) -> str:
    """The text `guard` was given: one leading `'` off when what follows needed it.

    >>> unguard("'=1+1"), unguard("''=x"), unguard("'quoted"), unguard("=typed")
    ('=1+1', "'=x", "'quoted", '=typed')
    """
    return text[1:] if text.startswith("'") and formula_like(text.lstrip("'")) else text


def holdable(text: str) -> tuple[str, bool]:
    r"""`text` with what a workbook cannot hold shown as escapes, and whether anything was.

    >>> holdable("Pay\x1b[31m now\x00")
    ('Pay\\x1b[31m now\\x00', True)
    >>> holdable("two\nlines\tand a tab")
    ('two\nlines\tand a tab', False)
    """
    if _UNHOLDABLE.search(text) is None:
        return text, False
    return _UNHOLDABLE.sub(lambda m: escape_char(m.group()), text), True


def number_text(value: float | int) -> str:
    """A number as a CSV cell writes it, exactly: 8 -> '8', 7.5 -> '7.5', 8.0 -> '8.0'."""
    return str(value) if isinstance(value, int) else repr(float(value))


def join_list(items: tuple[str, ...] | list[str]) -> str:
    """Items in one cell: `a | b`."""
    return LIST_SEPARATOR.join(items)


def split_list(text: str) -> tuple[str, ...]:
    """The items of a list cell: split at `|`, each stripped, empty ones dropped.

    >>> split_list("Lenders | Payback|  ")
    ('Lenders', 'Payback')
    """
    return tuple(part.strip() for part in text.split("|") if part.strip())


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)
MAX_NUMBER_CHARS = 30
"""Longest number text read (as the map's own numbers)."""


def read_number(value: Cell) -> float | int | None:
    """A number cell's value: a number as it is, text as written ('8' -> 8, '7.5' or '7,5' -> 7.5).

    Raises ValueError for text that is not a finite number. Empty cells give None.

    >>> read_number("8"), read_number(" 7,5 "), read_number(7.5), read_number(""), read_number("7.0")
    (8, 7.5, 7.5, None, 7.0)
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(value)
        return value
    text = value.strip()
    if not text:
        return None
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")
    if len(text) > MAX_NUMBER_CHARS or not _NUMBER.fullmatch(text):
        raise ValueError(value)
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(value)
    return number
