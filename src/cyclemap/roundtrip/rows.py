"""The activity table shared by `export`, `import` and `import --into`.

`COLUMNS` is the order of the export's columns; `ActivityRow` is one row as read back by the importer,
with its place in the file for error messages. Both directions use these names, so a spreadsheet written
by `export` is read by `import` without any mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Export column order (segment pairs follow as `<segment id> importance`, `<segment id> satisfaction`).
COLUMNS: tuple[str, ...] = (
    "number",
    "id",
    "phase",
    "parent",
    "depth",
    "name",
    "description",
    "importance",
    "satisfaction",
    "score",
    "band",
    "gaps",
    "pains",
    "offerings",
    "competitors",
    "evidence",
    "owner",
    "tags",
    "notes",
)

#: Columns the exporter computes from the map; the importer reads them only to check, never to set.
DERIVED: frozenset[str] = frozenset({"depth", "score", "band", "gaps"})

#: How lists are joined in one cell.
LIST_SEPARATOR = " | "


@dataclass(frozen=True)
class RowPlace:
    """Where a row is: `activities.xlsx:Activities!D7` (sheet set) or `activities.csv:7:4` (CSV)."""

    file: str
    row: int  # 1-based, the header is row 1
    sheet: str | None = None

    def cell(self, column: int) -> str:
        """The place of one cell of this row, column 1-based, as users see it in their tool."""
        if self.sheet is not None:
            return f"{self.file}:{self.sheet}!{column_letter(column)}{self.row}"
        return f"{self.file}:{self.row}:{column}"


def column_letter(column: int) -> str:
    """Spreadsheet column name of a 1-based column number: 1 -> A, 27 -> AA.

    >>> column_letter(1), column_letter(26), column_letter(27), column_letter(703)
    ('A', 'Z', 'AA', 'AAA')
    """
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass
class ActivityRow:
    """One activity row as read from a CSV or XLSX file; `None` or absent means the cell was empty.

    `present` names the columns the file had, so `import --into` changes only what the sheet carries
    (a sheet with just id and satisfaction leaves pains alone).
    """

    place: RowPlace
    present: frozenset[str]
    number: str | None = None
    id: str | None = None
    phase: str | None = None
    parent: str | None = None
    name: str | None = None
    description: str | None = None
    importance: float | None = None
    satisfaction: float | None = None
    pains: tuple[str, ...] = ()
    offerings: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    owner: str | None = None
    tags: tuple[str, ...] = ()
    notes: str | None = None
    #: segment id -> (importance, satisfaction), from the `<segment> importance/satisfaction` columns
    segments: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    #: `x-` columns with a value in this row: column name (lower case, as the key) -> text
    extensions: dict[str, str] = field(default_factory=dict)
    #: column name -> its 1-based column in the file, so a problem found later names the cell
    columns: dict[str, int] = field(default_factory=dict)

    def cell(self, column: str) -> str:
        """The place of this row's cell in `column` (the row's first cell when the file has no such column)."""
        return self.place.cell(self.columns.get(column, 1))


#: Columns whose cells hold numbers.
NUMBER_COLUMNS: frozenset[str] = frozenset({"importance", "satisfaction"})
#: Columns whose cells hold lists joined with `LIST_SEPARATOR`.
LIST_COLUMNS: frozenset[str] = frozenset({"pains", "offerings", "competitors", "evidence", "tags"})
#: The words after a segment id in its two columns: `first-time importance`, `first-time satisfaction`.
SEGMENT_SUFFIXES: tuple[str, str] = (" importance", " satisfaction")


@dataclass(frozen=True)
class TableProblem:
    """Something wrong in a table, at a cell.

    Shown as `activities.xlsx:Activities!D7: error: importance 'high' is not a number`.
    """

    where: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"
