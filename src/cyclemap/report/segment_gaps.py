"""`cyclemap gaps --by-segment` for people and programs: table, markdown, json, csv, github.

Each reporter takes a `SegmentReport` (the activities whose segments disagree,
`cyclemap.segment_gaps`) and a text stream. User text is shown literally, as
in `cyclemap.report.gaps`, whose helpers these reporters share.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from cyclemap.gaps import Score
from cyclemap.loader import activity_location
from cyclemap.model import CycleMap, label_of
from cyclemap.report.gaps import (
    PATH_SEPARATOR,
    csv_cell,
    json_number,
    json_text,
    markdown_cell,
    score_text,
)
from cyclemap.report.problems import github_escape
from cyclemap.report.terminal import literal, visible
from cyclemap.segment_gaps import Disagreement, ViewEntry
from cyclemap.survey import ALL

if TYPE_CHECKING:
    from cyclemap.survey.views import SurveyResults


@dataclass(frozen=True)
class SegmentReport:
    """What a ``--by-segment`` reporter shows."""

    file: str
    """The map path as given on the command line."""
    cmap: CycleMap
    threshold: Score
    """The threshold in effect (the option's, else the map's)."""
    spread: float
    """Points between two segments' scores from which they disagree."""
    survey: SurveyResults | None
    items: list[Disagreement]
    """The entries to show, ranked, after ``--top``."""
    found: int
    """How many entries there were before ``--top``."""
    failing: bool = False
    """The entries fail the run (``--fail-on-gaps``): GitHub annotations are errors, not warnings."""

    @property
    def views(self) -> tuple[str, ...]:
        """"all", then each segment id in the map's order."""
        return (ALL, *(segment.id for segment in self.cmap.segments))

    def phase_label(self, item: Disagreement) -> str:
        return label_of(item.phase, self.cmap.phase(item.phase))


def _nothing_found(report: SegmentReport, shown: Callable[[str], str]) -> str:
    if report.found:
        return f"No entries shown ({report.found} found in all)."
    return (
        f"No segments disagree in {shown(report.file)} at threshold {score_text(report.threshold)}: no segment is "
        f"underserved where the pooled score is not, and no two segments differ by {score_text(report.spread)} "
        "points or more."
    )


def _summary(report: SegmentReport) -> str:
    count = f"{report.found} activit{'ies' if report.found != 1 else 'y'}"
    shown = f"{len(report.items)} of {count}" if len(report.items) < report.found else count
    return (f"{shown} where segments disagree; underserved from a score of {score_text(report.threshold)}, "
            f"disagreeing from {score_text(report.spread)} points apart.")


def view_parts(entry: ViewEntry) -> list[str]:
    """A view's score for people: ["18.43", "extreme", "n=146"], ["3.33"], ["-"] when unscored; "thin" when thin."""
    if entry.score is None:
        return ["-"]
    parts = [score_text(entry.score), *([entry.band] if entry.band else [])]
    n = entry.scored.n if entry.scored is not None else None
    if n is not None:
        parts.append(f"n={min(n.values())}")
    if entry.thin:
        parts.append("thin")
    return parts


def view_cell(entry: ViewEntry) -> str:
    """`view_parts` on one line: "18.43 extreme n=146"."""
    return " ".join(view_parts(entry))


# -- table ----------------------------------------------------------------------


def report_table(report: SegmentReport, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, highlight=False)
    if not report.items:
        console.print(Text(_nothing_found(report, visible)), soft_wrap=True)
        return
    table = Table(title=literal(f"Segments that disagree: {report.cmap.title}"), title_justify="left")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Activity and reason", ratio=1, overflow="fold")
    for view in report.views:
        table.add_column(visible(view), justify="right", no_wrap=True, overflow="ellipsis")
    for rank, item in enumerate(report.items, start=1):
        text = Text(visible(PATH_SEPARATOR.join(item.path)), style="bold")
        text.append("\n" + visible(item.reason), style="dim")
        cells = [Text("\n".join(view_parts(entry)), style="red" if entry.underserved else "")
                 for entry in item.views]
        table.add_row(str(rank), text, *cells, end_section=True)
    console.print(table)
    console.print(_summary(report), soft_wrap=True)


# -- markdown -------------------------------------------------------------------


def report_markdown(report: SegmentReport, out: TextIO) -> None:
    out.write(f"## Segments that disagree: {markdown_cell(report.cmap.title)}\n\n")
    write_markdown_disagreements(report, out)


def write_markdown_disagreements(report: SegmentReport, out: TextIO) -> None:
    """The summary and table under the heading (shared with `cyclemap report`'s document)."""
    if not report.items:
        out.write(_nothing_found(report, markdown_cell) + "\n")
        return
    out.write(f"{_summary(report)}\n\n")
    out.write("| # | Path | " + " | ".join(markdown_cell(view) for view in report.views) + " | Kinds | Reason |\n")
    out.write("|--:|---|" + "--:|" * len(report.views) + "---|---|\n")
    for rank, item in enumerate(report.items, start=1):
        cells = (
            str(rank),
            markdown_cell(PATH_SEPARATOR.join(item.path)),
            *(view_cell(entry) for entry in item.views),
            ", ".join(item.kinds),
            markdown_cell(item.reason),
        )
        out.write("| " + " | ".join(cells) + " |\n")


# -- json -----------------------------------------------------------------------


def view_json(entry: ViewEntry) -> dict[str, Any]:
    """An activity's scores in one view: the `scores` items of the JSON contract (see the README)."""
    scored = entry.scored
    interval = None if scored is None else scored.interval
    return {
        "segment": entry.view,
        "score": json_number(entry.score),
        "band": entry.band,
        "importance": None if scored is None else json_number(scored.importance),
        "satisfaction": None if scored is None else json_number(scored.satisfaction),
        "source": None if scored is None else scored.source,
        "n": None if scored is None else scored.n,
        "interval": None if interval is None else {
            question: [json_number(low), json_number(high)] for question, (low, high) in interval.items()
        },
        "thin": entry.thin,
    }


def item_json(item: Disagreement, rank: int, phase_label: str) -> dict[str, Any]:
    """One entry of the `activities` list of the JSON contract."""
    return {
        "rank": rank,
        "id": item.id,
        "phase": item.phase,
        "phase_label": phase_label,
        "path": list(item.path),
        "kinds": list(item.kinds),
        "underserved_in": list(item.underserved_in),
        "spread": json_number(item.spread),
        "scores": [view_json(entry) for entry in item.views],
        "reason": item.reason,
    }


def report_json(report: SegmentReport, out: TextIO) -> None:
    survey = report.survey
    document = {
        "map": report.file,
        "threshold": json_number(report.threshold),
        "spread": json_number(report.spread),
        "survey": None if survey is None else {
            "file": survey.file, "method": survey.method, "min_n": survey.min_n,
            "respondents": dict(survey.respondents),
        },
        "segments": [{"id": segment.id, "name": segment.name} for segment in report.cmap.segments],
        "activities": [item_json(item, rank, report.phase_label(item))
                       for rank, item in enumerate(report.items, start=1)],
    }
    out.write(json_text(document) + "\n")


# -- csv ------------------------------------------------------------------------

CSV_COLUMNS = (
    "rank", "id", "phase", "phase_label", "path", "kinds", "underserved_in", "spread", "segment", "score", "band",
    "importance", "satisfaction", "source", "importance_n", "satisfaction_n", "importance_low", "importance_high",
    "satisfaction_low", "satisfaction_high", "thin", "reason",
)
"""One row per activity and view ("all" first): the JSON entry with its `scores` spread over rows."""


def _csv_rows(report: SegmentReport) -> Iterator[list[object]]:
    for rank, item in enumerate(report.items, start=1):
        head = item_json(item, rank, report.phase_label(item))
        for score in head["scores"]:
            n, interval = score["n"] or {}, score["interval"] or {}
            values: dict[str, Any] = {
                **head, **score,
                "path": PATH_SEPARATOR.join(item.path), "kinds": ", ".join(item.kinds),
                "underserved_in": ", ".join(item.underserved_in), "thin": "yes" if score["thin"] else "no",
            }
            for question in ("importance", "satisfaction"):
                low, high = interval.get(question, (None, None))
                values.update({f"{question}_n": n.get(question), f"{question}_low": low, f"{question}_high": high})
            yield [values[column] for column in CSV_COLUMNS]


def report_csv(report: SegmentReport, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in _csv_rows(report):
        writer.writerow([csv_cell(value) for value in row])


# -- github Actions annotations -------------------------------------------------


def report_github(report: SegmentReport, out: TextIO) -> None:
    """One ``::warning`` per activity (``::error`` when they fail the run), at the activity."""
    level = "error" if report.failing else "warning"
    places = {visit.activity.id: visit for visit in report.cmap.walk()} if report.items else {}
    for item in report.items:
        where, line, col, _ = activity_location(places[item.id])
        file = report.file if where == "?" else where
        title = f"Segments disagree ({', '.join(item.kinds)})"
        message = f"{PATH_SEPARATOR.join(item.path)}: {item.reason}"
        out.write(
            f"::{level} file={github_escape(visible(file), prop=True)},line={line},col={col},"
            f"title={github_escape(visible(title), prop=True)}::{github_escape(visible(message))}\n"
        )


REPORTERS: dict[str, Callable[[SegmentReport, TextIO], None]] = {
    "table": report_table,
    "markdown": report_markdown,
    "json": report_json,
    "csv": report_csv,
    "github": report_github,
}
"""Reporters by --format name, the same names as `cyclemap.report.gaps.REPORTERS`."""
