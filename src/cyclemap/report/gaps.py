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

from cyclemap.gaps import Gap, GapFilter, Score, Severity, rank_across
from cyclemap.loader import activity_location
from cyclemap.model import CycleMap, label_of
from cyclemap.report.problems import github_escape
from cyclemap.report.terminal import literal, visible
from cyclemap.safe_text import formula_like, inert_json, unlinked
from cyclemap.survey import ALL
from cyclemap.yaml_reader import YMap

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

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


@dataclass(frozen=True)
class MultiGapReport:
    """What a gaps reporter shows for several maps: one ranking across them (`cyclemap gaps A.yaml B.yaml`)."""

    reports: list[GapReport]
    """One per map, in the order given, each with every gap found in it (before the filters)."""
    entries: list[tuple[GapReport, Gap]]
    """The entries to show, ranked across the maps (`cyclemap.gaps.rank_across`), after the filters."""
    found: int
    """How many entries the maps have in all, before the filters."""
    failing: bool = False

    @classmethod
    def of(cls, reports: list[GapReport], keep: GapFilter, *, failing: bool = False) -> MultiGapReport:
        """The ranking across `reports`, filtered by `keep` (kinds and score per entry, then the top N overall)."""
        ranked = [(reports[index], gap) for index, gap in rank_across([part.gaps for part in reports])
                  if keep.keeps(gap)]
        return cls(reports, ranked if keep.top is None else ranked[: keep.top],
                   sum(part.found for part in reports), failing)

    @property
    def segmented(self) -> bool:
        """Any of the maps has segments or a survey: every entry names its view and sample."""
        return any(part.segmented for part in self.reports)

    @property
    def thresholds(self) -> list[Score]:
        """The distinct thresholds in effect, in the maps' order."""
        return list(dict.fromkeys(part.threshold for part in self.reports))


Rows = list[tuple[GapReport, Gap]]
"""Ranked entries with the map each comes from."""


def _rows(report: GapReport) -> Rows:
    return [(report, gap) for gap in report.gaps]


# -- table (rich) ---------------------------------------------------------------


STREAM_FROM = 200
"""Rows from which the table is written row by row (`cyclemap.report.stream_table`), not by rich's Table."""


def table_columns(*, with_map: bool = False) -> tuple[ColumnSpec, ...]:
    """The table's columns: rank, score and band, (map,) phase, path and reason, kinds."""
    from cyclemap.report.stream_table import ColumnSpec

    return (
        ColumnSpec("#", justify="right", no_wrap=True),
        ColumnSpec("Score", justify="right", no_wrap=True),
        *((ColumnSpec("Map", max_width=24),) if with_map else ()),
        ColumnSpec("Phase", max_width=14),
        ColumnSpec("Activity and reason", ratio=1),
        ColumnSpec("Kinds", no_wrap=True),
    )


def report_table(report: GapReport, out: TextIO, stream_from: int = STREAM_FROM) -> None:
    # Only the table needs rich: json, csv... start faster without it.
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False)
    if report.segmented:
        console.print(Text(visible(report.caption)), soft_wrap=True)
    if not report.gaps:
        console.print(Text(_nothing_found(report, visible)), soft_wrap=True)
        return
    _print_table(console, out, literal(f"Opportunity gaps: {report.cmap.title}"), _rows(report), stream_from)
    console.print(_summary(report), soft_wrap=True)


def report_table_multi(report: MultiGapReport, out: TextIO, stream_from: int = STREAM_FROM) -> None:
    """The table across maps: a Map column (the file as given) after the score."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False)
    for part in report.reports:
        if part.segmented:
            console.print(Text(visible(f"{part.file}: {part.caption}")), soft_wrap=True)
    if not report.entries:
        console.print(Text(_nothing_found_multi(report)), soft_wrap=True)
        return
    title = Text(f"Opportunity gaps across {len(report.reports)} maps")
    _print_table(console, out, title, report.entries, stream_from, with_map=True)
    console.print(_summary_multi(report), soft_wrap=True)


def _print_table(  # noqa: PLR0913 - the table's parts, by keyword where they are options
    console: Console, out: TextIO, title: Text, rows: Rows, stream_from: int, *, with_map: bool = False
) -> None:
    """The ranked table of `rows`: written row by row from `stream_from` rows, else by rich's Table."""
    from cyclemap.report.stream_table import make_table, print_streamed

    columns = table_columns(with_map=with_map)
    if len(rows) >= stream_from:
        print_streamed(console, out, title, columns, lambda: _table_cells(rows, with_map=with_map))
        return
    table = make_table(title, columns)
    for cells in _table_cells(rows, with_map=with_map):
        table.add_row(*(cell.to_text() for cell in cells), end_section=True)
    console.print(table)


def _table_cells(rows: Rows, *, with_map: bool = False) -> Iterator[tuple[Cell, ...]]:
    """The cells of each entry in turn: rank, score and band, (map,) phase, path and reason, kinds."""
    from cyclemap.report.stream_table import Cell

    labels: dict[tuple[int, str], str] = {}
    for rank, (report, gap) in enumerate(rows, start=1):
        label = labels.get((id(report), gap.phase))
        if label is None:
            label = labels[id(report), gap.phase] = visible(report.phase_label(gap))
        style = SEVERITY_STYLES[gap.severity]
        score = "\n".join(filter(None, (score_text(gap.score), gap.band, *sample_lines(gap))))
        path = visible(PATH_SEPARATOR.join(gap.path) or "(whole phase)")
        yield (
            Cell(str(rank)),
            Cell(score or "-", style),
            *((Cell(visible(report.file)),) if with_map else ()),
            Cell(label),
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
    return _shown_line(len(report.gaps), report.found, [report.threshold])


def _shown_line(shown: int, found: int, thresholds: list[Score], maps: str = "") -> str:
    """"3 of 12 gaps shown; underserved from a score of 10.0." (`maps`: " across 2 maps")."""
    counted = f"{shown} of {_count(found)}" if shown < found else _count(found)
    if len(thresholds) == 1:
        return f"{counted} shown{maps}; underserved from a score of {score_text(thresholds[0])}."
    return f"{counted} shown{maps}; underserved from each map's own threshold."


def _summary_multi(report: MultiGapReport) -> str:
    return _shown_line(len(report.entries), report.found, report.thresholds, f" across {len(report.reports)} maps")


def _nothing_found_multi(report: MultiGapReport) -> str:
    if report.found:
        return f"No gaps match the filters ({_count(report.found)} found in all)."
    return f"No opportunity gaps in the {len(report.reports)} maps."


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
    _markdown_table(_rows(report), out, sample=report.segmented)


def report_markdown_multi(report: MultiGapReport, out: TextIO) -> None:
    """The Markdown ranking across maps: a Map column (the file as given) after the rank."""
    out.write(f"## Opportunity gaps across {len(report.reports)} maps\n\n")
    for part in report.reports:
        if part.segmented:
            out.write(f"{markdown_cell(f'{part.file}: {part.caption}')}\n\n")
    if not report.entries:
        out.write(_nothing_found_multi(report) + "\n")
        return
    out.write(f"{_summary_multi(report)}\n\n")
    _markdown_table(report.entries, out, sample=report.segmented, with_map=True)


def _markdown_table(rows: Rows, out: TextIO, *, sample: bool, with_map: bool = False) -> None:
    """The ranked Markdown table of `rows`; `sample` adds the n column, `with_map` the Map column."""
    out.write("| # | " + ("Map | " if with_map else "") + "Score | Band | " + ("n | " if sample else "")
              + "Phase | Path | Kinds | Reason |\n")
    out.write("|--:|" + ("---|" if with_map else "") + "--:|---|" + ("--:|" if sample else "") + "---|---|---|---|\n")
    for rank, (report, gap) in enumerate(rows, start=1):
        cells = (
            str(rank),
            *((markdown_cell(report.file),) if with_map else ()),
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


def report_json_multi(report: MultiGapReport, out: TextIO) -> None:
    """The JSON ranking across maps: ``maps`` (file, title, threshold, and view and survey when segmented),
    then ``gaps``, each entry with the ``map`` it comes from after its rank."""
    sample = report.segmented
    document = {
        "maps": [
            {"map": part.file, "title": part.cmap.title, "threshold": json_number(part.threshold),
             **(survey_json(part.cmap, part.survey, part.view) if sample else {})}
            for part in report.reports
        ],
        "gaps": [
            {"rank": rank, "map": part.file,
             **gap_json(gap, rank, part.phase_label(gap), segmented=sample)}
            for rank, (part, gap) in enumerate(report.entries, start=1)
        ],
    }
    out.write(json_text(document) + "\n")


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
    return ("'" if formula_like(text) else "") + visible(text, keep="\t")


def report_csv(report: GapReport, out: TextIO) -> None:
    _write_csv(_rows(report), out, sample=report.segmented)


def report_csv_multi(report: MultiGapReport, out: TextIO) -> None:
    """The CSV ranking across maps: a ``map`` column (the file as given) after the rank."""
    _write_csv(report.entries, out, sample=report.segmented, with_map=True)


def _write_csv(rows: Rows, out: TextIO, *, sample: bool, with_map: bool = False) -> None:
    """The CSV of `rows`: `CSV_COLUMNS`, with `SAMPLE_COLUMNS` before the reason when `sample`."""
    writer = csv.writer(out, lineterminator="\n")
    columns = (*CSV_COLUMNS[:-1], *SAMPLE_COLUMNS, CSV_COLUMNS[-1]) if sample else CSV_COLUMNS
    writer.writerow((columns[0], "map", *columns[1:]) if with_map else columns)
    for rank, (report, gap) in enumerate(rows, start=1):
        row: tuple[object, ...] = (
            rank,
            *((report.file,) if with_map else ()),
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
    _write_github(_rows(report), out, failing=report.failing)


def report_github_multi(report: MultiGapReport, out: TextIO) -> None:
    """The annotations of every entry across the maps, each at its own map's activity."""
    _write_github(report.entries, out, failing=report.failing)


def _write_github(rows: Rows, out: TextIO, *, failing: bool) -> None:
    level = "error" if failing else "warning"
    places: dict[int, dict[str | None, Any]] = {}
    for report, gap in rows:
        if id(report) not in places:
            places[id(report)] = {visit.activity.id: visit for visit in report.cmap.walk()}
        file, line, col = _phase_place(report, gap.phase)
        visit = places[id(report)].get(gap.id) if gap.id is not None else None
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

MULTI_REPORTERS: dict[str, Callable[[MultiGapReport, TextIO], None]] = {
    "table": report_table_multi,
    "markdown": report_markdown_multi,
    "json": report_json_multi,
    "csv": report_csv_multi,
    "github": report_github_multi,
}
"""The same formats for a ranking across several maps."""
