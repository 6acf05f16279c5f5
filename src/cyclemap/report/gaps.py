"""Ranked gaps for people and programs: table, markdown, json, csv, github.

Every reporter takes a `GapReport` and a text stream. User text (names,
labels, the file name) is shown literally: never as rich markup, never as a
terminal escape, never as Markdown syntax or a spreadsheet formula. JSON keeps
it exactly as written (with JSON's own escapes); CSV, like the terminal, shows
control characters as ``\\xNN``.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from cyclemap.gaps import Gap, Score, Severity
from cyclemap.loader import activity_location
from cyclemap.model import PHASE_KEYS, CycleMap, label_of
from cyclemap.report.problems import github_escape
from cyclemap.report.terminal import literal, visible
from cyclemap.safe_text import inert_json, unlinked
from cyclemap.survey import ALL
from cyclemap.yaml_reader import YMap

if TYPE_CHECKING:
    from cyclemap.landscape import Point
    from cyclemap.report.stream_table import Cell, ColumnSpec
    from cyclemap.survey.views import SurveyResults

PATH_SEPARATOR = " > "
SEVERITY_STYLES = {
    Severity.EXTREME: "bold red",
    Severity.HIGH: "red",
    Severity.MODERATE: "yellow",
    Severity.PAIN: "magenta",
    Severity.OVERSERVED: "cyan",
    Severity.NONE: "dim",
}
"""Terminal styles of the severities (the diagram has its own colours for the same severities)."""


@dataclass(frozen=True)
class GapReport:
    """What a gaps reporter shows."""

    file: str
    """The map path as given on the command line."""
    cmap: CycleMap
    threshold: Score
    """The threshold in effect (the option's, else the map's)."""
    gaps: list[Gap]
    """The entries to show, ranked, after any filters."""
    found: int
    """How many entries there were before the filters."""
    failing: bool = False
    """The gaps fail the run (``--fail-on-gaps``): GitHub annotations are errors, not warnings."""
    view: str = ALL
    """The view the gaps were found in ("all" or a segment id, ``--segment``)."""
    survey: SurveyResults | None = None
    """The map's survey's results, when it has a survey."""
    landscape: list[Point] | None = None
    """Every activity scored in the view, at its place on 0-10 (the JSON's ``landscape``); None: not written."""

    def phase_label(self, gap: Gap) -> str:
        return label_of(gap.phase, self.cmap.phase(gap.phase))

    @property
    def segmented(self) -> bool:
        """The map has segments or a survey: outputs name the view and the sample (and only then)."""
        return bool(self.cmap.segments) or self.cmap.survey is not None

    @property
    def caption(self) -> str:
        """"Gaps for: Adding a battery (upgraders), survey n=150" (see `ScoreViews.caption`)."""
        from cyclemap.gaps import score_views

        return score_views(self.cmap, self.survey).caption(self.view)


# -- table (rich) ---------------------------------------------------------------


STREAM_FROM = 200
"""Rows from which the table is written row by row (`cyclemap.report.stream_table`), not by rich's Table."""


def table_columns() -> tuple[ColumnSpec, ...]:
    """The table's columns: rank, score and band, phase, path and reason, kinds."""
    from cyclemap.report.stream_table import ColumnSpec

    return (
        ColumnSpec("#", justify="right", no_wrap=True),
        ColumnSpec("Score", justify="right", no_wrap=True),
        ColumnSpec("Phase", max_width=14),
        ColumnSpec("Activity and reason", ratio=1),
        ColumnSpec("Kinds", no_wrap=True),
    )


def report_table(report: GapReport, out: TextIO, stream_from: int = STREAM_FROM) -> None:
    # Only the table needs rich: json, csv... start faster without it.
    from rich.console import Console
    from rich.text import Text

    from cyclemap.report.stream_table import make_table, print_streamed

    console = Console(file=out, highlight=False)
    if report.segmented:
        console.print(Text(visible(report.caption)), soft_wrap=True)
    if not report.gaps:
        console.print(Text(_nothing_found(report, visible)), soft_wrap=True)
        return
    title = literal(f"Opportunity gaps: {report.cmap.title}")
    if len(report.gaps) >= stream_from:
        print_streamed(console, out, title, table_columns(), lambda: _table_cells(report))
    else:
        table = make_table(title, table_columns())
        for cells in _table_cells(report):
            table.add_row(*(cell.to_text() for cell in cells), end_section=True)
        console.print(table)
    console.print(_summary(report), soft_wrap=True)


def _table_cells(report: GapReport) -> Iterator[tuple[Cell, ...]]:
    """The cells of each entry in turn: rank, score and band, phase, path and reason, kinds."""
    from cyclemap.report.stream_table import Cell

    labels = {key: visible(label_of(key, report.cmap.phase(key))) for key in PHASE_KEYS}
    for rank, gap in enumerate(report.gaps, start=1):
        style = SEVERITY_STYLES[gap.severity]
        score = "\n".join(filter(None, (score_text(gap.score), gap.band, *sample_lines(gap))))
        path = visible(PATH_SEPARATOR.join(gap.path) or "(whole phase)")
        yield (
            Cell(str(rank)),
            Cell(score or "-", style),
            Cell(labels[gap.phase]),
            Cell(f"{path}\n{visible(gap.reason)}", line_styles=("bold",) * (path.count("\n") + 1) + ("dim",)),
            Cell("\n".join(gap.kinds), style),
        )


def sample_lines(gap: Gap) -> tuple[str, ...]:
    """Under a survey score: the fewest answers behind it, and "thin" when under the survey's min_n.

    >>> sample_lines(Gap("a", "pre", ("A",), ("unserved",), None, None, None, None, ""))
    ()
    """
    n = gap.n
    if n is None:
        return ()
    return (f"n={min(n.values())}", *(("thin",) if gap.thin else ()))


def _nothing_found(report: GapReport, shown: Callable[[str], str]) -> str:
    """The friendly line for an empty list; `shown` makes the file name safe for the format."""
    if report.found:
        return f"No gaps match the filters ({_count(report.found)} found in all)."
    return (
        f"No opportunity gaps in {shown(report.file)} at threshold {score_text(report.threshold)}: "
        "every activity is served and evidenced, and none is under- or overserved."
    )


def _summary(report: GapReport) -> str:
    shown = f"{len(report.gaps)} of {_count(report.found)}" if len(report.gaps) < report.found else _count(report.found)
    return f"{shown} shown; underserved from a score of {score_text(report.threshold)}."


def _count(number: int) -> str:
    return f"{number} gap{'s' * (number != 1)}"


def score_text(score: Score | None) -> str:
    """A score for people, to at most 2 decimals.

    >>> score_text(14.0), score_text(6.666666), score_text(12.5), score_text(10), score_text(None)
    ('14.0', '6.67', '12.5', '10.0', '')
    """
    if score is None:
        return ""
    text = f"{score:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


# -- markdown -------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<|&~$])")


def markdown_cell(text: str) -> str:
    """Text shown literally in a Markdown table cell: syntax escaped, `|` too, newlines as <br>, nothing linked."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", visible(text.replace("\r\n", "\n"), keep="\t\n"))
    return unlinked(escaped.replace("\n", "<br>"))


def report_markdown(report: GapReport, out: TextIO) -> None:
    out.write(f"## Opportunity gaps: {markdown_cell(report.cmap.title)}\n\n")
    if report.segmented:
        out.write(f"{markdown_cell(report.caption)}\n\n")
    write_markdown_gaps(report, out)


def write_markdown_gaps(report: GapReport, out: TextIO) -> None:
    """The summary and ranked table under the heading (shared with `cyclemap report`'s document)."""
    if not report.gaps:
        out.write(_nothing_found(report, markdown_cell) + "\n")
        return
    out.write(f"{_summary(report)}\n\n")
    sample = report.segmented
    out.write("| # | Score | Band | " + ("n | " if sample else "") + "Phase | Path | Kinds | Reason |\n")
    out.write("|--:|--:|---|" + ("--:|" if sample else "") + "---|---|---|---|\n")
    for rank, gap in enumerate(report.gaps, start=1):
        cells = (
            str(rank),
            score_text(gap.score),
            gap.band or "",
            *((" ".join(sample_lines(gap)),) if sample else ()),
            markdown_cell(report.phase_label(gap)),
            markdown_cell(PATH_SEPARATOR.join(gap.path)),
            ", ".join(gap.kinds),
            markdown_cell(gap.reason),
        )
        out.write("| " + " | ".join(cells) + " |\n")


# -- json -----------------------------------------------------------------------

_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029]")
"""Characters json.dumps keeps raw with ensure_ascii=False that terminals or JavaScript may act on."""


def gap_json(gap: Gap, rank: int, phase_label: str, *, segmented: bool = False) -> dict[str, Any]:
    """One entry of the JSON contract (the CSV has the same columns, in the same order).

    With `segmented` (the map has segments or a survey), the entry also has
    `segment`, `n`, `interval` and `thin` before the reason (`sample_json`).
    """
    return {
        "rank": rank,
        "id": gap.key,
        "phase": gap.phase,
        "phase_label": phase_label,
        "path": list(gap.path),
        "kinds": list(gap.kinds),
        "score": json_number(gap.score),
        "band": gap.band,
        "importance": json_number(gap.importance),
        "satisfaction": json_number(gap.satisfaction),
        **(sample_json(gap) if segmented else {}),
        "reason": gap.reason,
    }


def sample_json(gap: Gap) -> dict[str, Any]:
    """The view and the sample behind an entry's scores: segment, n, interval (None when hand-entered), thin."""
    interval = gap.interval
    return {
        "segment": gap.view,
        "n": gap.n,
        "interval": None if interval is None else {
            question: [json_number(low), json_number(high)] for question, (low, high) in interval.items()
        },
        "thin": gap.thin,
    }


def json_number(value: Score | None) -> Score | None:
    """Ints stay ints (8); floats are rounded to 2 decimals (3.5, 14.0)."""
    return round(value, 2) if isinstance(value, float) else value


def report_json(report: GapReport, out: TextIO) -> None:
    """The JSON document, written an entry at a time (the text `json.dumps(document, indent=2)` gives)."""
    head: dict[str, Any] = {"map": report.file, "threshold": json_number(report.threshold)}
    if report.segmented:
        head.update(survey_json(report.cmap, report.survey, report.view))
    head["gaps"] = []
    opening = json_text(head)
    tail = "" if report.landscape is None else ",\n  " + _landscape_text(report)
    if not report.gaps:
        out.write(opening[: -len("\n}")] + tail + "\n}\n")
        return
    out.write(opening[: -len("[]\n}")] + "[\n")
    for rank, gap in enumerate(report.gaps, start=1):
        entry = json_text(gap_json(gap, rank, report.phase_label(gap), segmented=report.segmented))
        entry = entry.replace("\n", "\n    ")
        out.write(f"    {entry}{',' if rank < len(report.gaps) else ''}\n")
    out.write(f"  ]{tail}\n}}\n")


def _landscape_text(report: GapReport) -> str:
    """``"landscape": {...}``: the regions' settings and every scored activity at its place on 0-10.

    Enough to redraw `render --layout landscape` from the JSON alone: unlike
    the gap entries (scores as written), importance and satisfaction here are
    on 0-10, as the plot's axes, for every activity scored in the view.
    """
    from cyclemap.landscape import EXTREME_FROM

    assert report.landscape is not None  # noqa: S101 - written only for a report that has one
    document = {
        "axes": [0, 10],
        "threshold": json_number(report.threshold),
        "extreme_from": int(EXTREME_FROM),
        "overserved_margin": json_number(report.cmap.gaps.overserved_margin),
        "activities": [
            {
                "id": point.id,
                "number": point.number,
                "phase": point.phase,
                "name": point.name,
                "importance": json_number(point.importance),
                "satisfaction": json_number(point.satisfaction),
                "score": json_number(point.score),
                "severity": point.severity.value,
                "n": point.n,
            }
            for point in report.landscape
        ],
    }
    return '"landscape": ' + json_text(document).replace("\n", "\n  ")


def survey_json(cmap: CycleMap, survey: SurveyResults | None, view: str) -> dict[str, Any]:
    """The head of a segmented map's JSON: the view (`segment`) and its survey (null without one)."""
    return {
        "segment": view,
        "survey": None if survey is None else {
            "file": survey.file,
            "method": survey.method,
            "min_n": survey.min_n,
            "respondents": survey.respondents.get(view, 0),
        },
    }


def json_text(value: Any) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
    # Still JSON's own escaping: the same strings load back.
    return inert_json(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


# -- csv ------------------------------------------------------------------------

CSV_COLUMNS = (
    "rank", "id", "phase", "phase_label", "path", "kinds", "score", "band", "importance", "satisfaction", "reason"
)
"""The JSON entry's keys: lists are joined (path with " > ", kinds with ", ")."""
SAMPLE_COLUMNS = (
    "segment", "importance_n", "satisfaction_n", "importance_low", "importance_high", "satisfaction_low",
    "satisfaction_high", "thin",
)
"""Added before the reason when the map has segments or a survey: the JSON's segment, n, interval and thin."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula.

    A leading ``'`` goes before a formula start, also after leading spaces
    (spreadsheets skip them: `` =1+1`` is a formula too); control characters
    other than tab (line breaks too) are written as ``\\xNN``, as in the
    terminal, so that printing the CSV cannot drive the terminal or a CI log.

    >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("Pay"), csv_cell(None), csv_cell(8)
    ('\\'=HYPERLINK("http://x")', 'Pay', '', '8')
    >>> csv_cell(" =1+1"), csv_cell("  @SUM(A1)"), csv_cell(" Pay - later")
    ("' =1+1", "'  @SUM(A1)", ' Pay - later')
    """
    text = "" if value is None else str(value)
    formula = text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START)
    return ("'" if formula else "") + visible(text, keep="\t")


def report_csv(report: GapReport, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    sample = report.segmented
    writer.writerow((*CSV_COLUMNS[:-1], *SAMPLE_COLUMNS, CSV_COLUMNS[-1]) if sample else CSV_COLUMNS)
    for rank, gap in enumerate(report.gaps, start=1):
        row: tuple[object, ...] = (
            rank,
            gap.key,
            gap.phase,
            report.phase_label(gap),
            PATH_SEPARATOR.join(gap.path),
            ", ".join(gap.kinds),
            json_number(gap.score),
            gap.band,
            gap.importance if gap.survey is None else json_number(gap.importance),
            gap.satisfaction if gap.survey is None else json_number(gap.satisfaction),
            *(sample_csv(gap) if sample else ()),
            gap.reason,
        )
        writer.writerow([csv_cell(value) for value in row])


def sample_csv(gap: Gap) -> tuple[object, ...]:
    """The `SAMPLE_COLUMNS` cells of an entry (blank n and interval for a hand-entered score)."""
    entry = sample_json(gap)
    n, interval = entry["n"] or {}, entry["interval"] or {}
    low_high = [value for question in ("importance", "satisfaction") for value in interval.get(question, (None, None))]
    return (gap.view, n.get("importance"), n.get("satisfaction"), *low_high, "yes" if gap.thin else "no")


# -- github Actions annotations -------------------------------------------------


def report_github(report: GapReport, out: TextIO) -> None:
    """One ``::warning`` per gap (``::error`` when they fail the run), at the activity.

    An empty phase's gap is put at the phase's key in the map (``during:``).
    """
    level = "error" if report.failing else "warning"
    places = {visit.activity.id: visit for visit in report.cmap.walk()} if report.gaps else {}
    for gap in report.gaps:
        file, line, col = _phase_place(report, gap.phase)
        visit = places.get(gap.id) if gap.id is not None else None
        if visit is not None:
            where, line, col, _ = activity_location(visit)
            file = report.file if where == "?" else where
        title = f"Opportunity gap ({gap.band or ', '.join(gap.kinds)})"
        place = PATH_SEPARATOR.join(gap.path) or f"{report.phase_label(gap)} phase"
        view = f", segment {gap.view}" if report.segmented and gap.view != ALL else ""
        message = f"{place}: {gap.reason} [{', '.join(gap.kinds)}{view}]"
        out.write(
            f"::{level} file={github_escape(visible(file), prop=True)},line={line},col={col},"
            f"title={github_escape(visible(title), prop=True)}::{github_escape(visible(message))}\n"
        )


def _phase_place(report: GapReport, key: str) -> tuple[str, int, int]:
    """File, line and column of a phase's key (``during:``) in the map; line 1 when unknown.

    The loader keeps on each model the YAML node it was validated from, with positions.
    """
    phases = report.cmap.phases._source
    if isinstance(phases, YMap) and key in phases.key_pos:
        line, col = phases.key_pos[key]
        return phases.source.name, line, col
    return report.file, 1, 1


REPORTERS: dict[str, Callable[[GapReport, TextIO], None]] = {
    "table": report_table,
    "markdown": report_markdown,
    "json": report_json,
    "csv": report_csv,
    "github": report_github,
}
"""Reporters by --format name: adding a format is adding an entry (and its CLI choice)."""
