"""Test support: CSV text -> `ActivityRow`s through the real reader, for the `import --into` tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cyclemap.roundtrip.rows import ActivityRow
from cyclemap.roundtrip.table_read import _csv_grid, rows_of


def rows_from_csv(text: str, name: str = "scores.csv") -> tuple[list[ActivityRow], list[str]]:
    """The rows of CSV `text` (header first), read as `import --into` reads them, and its header."""
    rows, problems = rows_of(_csv_grid(text.encode("utf-8"), name), update=True)
    errors = [str(problem) for problem in problems if problem.is_error]
    assert not errors, errors
    return rows, next(csv.reader(io.StringIO(text)))


def rows_from_file(path: Path) -> tuple[list[ActivityRow], list[str]]:
    return rows_from_csv(path.read_text(encoding="utf-8"), path.name)
