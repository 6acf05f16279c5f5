"""Test support only: a minimal CSV -> `ActivityRow` reader for the `import --into` tests.

The real reader (CSV and XLSX, with its own checks) is `cyclemap import`'s, from the spreadsheet work;
this one reads just enough of a well-formed CSV to feed `cyclemap.roundtrip.into` in tests.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cyclemap.roundtrip.rows import LIST_SEPARATOR, ActivityRow, RowPlace

_TEXT = ("number", "id", "phase", "parent", "name", "description", "owner")
_SCORES = ("importance", "satisfaction")
_LISTS = ("pains", "offerings", "competitors", "evidence", "tags")


def rows_from_csv(text: str, name: str = "scores.csv") -> tuple[list[ActivityRow], list[str]]:
    """The rows of CSV `text` (header first) and its header, cells stripped, empty cells as absent."""
    table = list(csv.reader(io.StringIO(text)))
    header, body = table[0], table[1:]
    present = frozenset(header)
    rows = []
    for number, cells in enumerate(body, start=2):
        values = dict(zip(header, (cell.strip() for cell in cells), strict=False))
        row = ActivityRow(RowPlace(name, number), present)
        for column in _TEXT:
            setattr(row, column, values.get(column) or None)
        for column in _SCORES:
            setattr(row, column, float(values[column]) if values.get(column) else None)
        for column in _LISTS:
            setattr(row, column, tuple(i.strip() for i in (values.get(column) or "").split(LIST_SEPARATOR.strip())
                                       if i.strip()))
        for column in header:
            segment, _, question = column.rpartition(" ")
            if segment and question in _SCORES and values.get(column):
                pair = list(row.segments.get(segment, (None, None)))
                pair[_SCORES.index(question)] = float(values[column])
                row.segments[segment] = (pair[0], pair[1])
        rows.append(row)
    return rows, header


def rows_from_file(path: Path) -> tuple[list[ActivityRow], list[str]]:
    return rows_from_csv(path.read_text(encoding="utf-8"), path.name)
