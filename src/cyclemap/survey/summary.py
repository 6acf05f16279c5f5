"""`cyclemap survey summary`: every activity's scores per view, with n, intervals and opportunity.

One row per activity and view ("all", then each segment) where the activity
has a score (`ScoreViews.score`), so survey and hand-entered scores show side
by side. Scores are on 0..10 (hand-entered ones normalised from the map's
scale, as the opportunity score reads them).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from cyclemap.gaps import normalise
from cyclemap.model import CycleMap
from cyclemap.report.gaps import csv_cell, score_text
from cyclemap.report.terminal import visible
from cyclemap.safe_text import inert_json
from cyclemap.survey import ALL
from cyclemap.survey.views import ScoreViews, SurveyResults, ViewScore


@dataclass(frozen=True)
class Row:
    """One activity's scores in one view."""

    activity: str
    name: str
    view: str
    score: ViewScore

    def value(self, question: str) -> float | None:
        """A question's score on 0..10 (hand-entered scores normalised), None when not given."""
        raw = getattr(self.score, question)
        return None if raw is None else normalise(raw, self.score.scale_max)


def rows(cmap: CycleMap, survey: SurveyResults | None) -> Iterator[Row]:
    """The scored (activity, view) pairs, activities in map order, views "all" first."""
    views = ScoreViews(cmap, survey)
    for visit in cmap.walk():
        activity = visit.activity
        for view in views.views():
            found = views.score(activity, view)
            if found is not None:
                yield Row(activity.id or "", activity.name, view, found)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def row_json(row: Row) -> dict[str, Any]:
    """A row as the JSON and CSV formats give it."""
    survey = row.score.survey
    return {
        "activity": row.activity,
        "name": row.name,
        "segment": row.view,
        "source": row.score.source,
        "importance": _rounded(row.value("importance")),
        "satisfaction": _rounded(row.value("satisfaction")),
        "interval": None if row.score.interval is None else {
            q: [_rounded(low), _rounded(high)] for q, (low, high) in row.score.interval.items()
        },
        "n": row.score.n,
        "opportunity": _rounded(row.score.opportunity),
        "thin": None if survey is None else survey.thin,
    }


def _header(cmap: CycleMap, survey: SurveyResults | None) -> str:
    if survey is None:
        return "No survey: hand-entered scores only, normalised to 0-10.\n"
    low, high = survey.scale
    counts = ", ".join(f"{view} {survey.respondents.get(view, 0):,}" for view in survey.segments)
    segments = f" ({counts})" if counts else ""
    respondents = survey.respondents[ALL]
    return (f"Survey {visible(survey.file)}: {respondents:,} respondent{'s' * (respondents != 1)}{segments}; "
            f"{survey.method} on {low}-{high}; scores on 0-10 with 95% intervals; thin below n={survey.min_n}.\n")


def _measure_text(row: Row, question: str) -> str:
    value = row.value(question)
    if value is None:
        return "-"
    survey = row.score.survey
    if survey is None:
        return f"{value:.1f}"
    measure = getattr(survey, question)
    return f"{value:.1f} [{measure.low:.1f}-{measure.high:.1f}] n={measure.n}"


def report_table(cmap: CycleMap, survey: SurveyResults | None, out: TextIO) -> None:
    """Plain aligned columns for people."""
    out.write(_header(cmap, survey))
    table = [("ACTIVITY", "SEGMENT", "IMPORTANCE", "SATISFACTION", "OPPORTUNITY", "NOTE")]
    for row in rows(cmap, survey):
        survey_score = row.score.survey
        note = "from the map" if survey_score is None else ("thin" if survey_score.thin else "")
        table.append((visible(row.activity), visible(row.view), _measure_text(row, "importance"),
                      _measure_text(row, "satisfaction"), score_text(row.score.opportunity) or "-", note))
    if len(table) == 1:
        out.write("No activity has scores yet.\n")
        return
    widths = [max(len(cells[n]) for cells in table) for n in range(len(table[0]))]
    for cells in table:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip() + "\n")


def report_json(cmap: CycleMap, survey: SurveyResults | None, out: TextIO) -> None:
    """`{"survey": {...} or null, "scores": [...]}`."""
    head = None if survey is None else {
        "file": survey.file, "method": survey.method, "scale": list(survey.scale), "min_n": survey.min_n,
        "respondents": dict(survey.respondents),
    }
    data = {"survey": head, "scores": [row_json(row) for row in rows(cmap, survey)]}
    out.write(inert_json(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)) + "\n")


CSV_COLUMNS = (
    "activity", "name", "segment", "source", "importance", "importance_low", "importance_high", "importance_n",
    "satisfaction", "satisfaction_low", "satisfaction_high", "satisfaction_n", "opportunity", "thin",
)


def report_csv(cmap: CycleMap, survey: SurveyResults | None, out: TextIO) -> None:
    """One CSV row per activity and view (the JSON entry, intervals and n spread over columns)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows(cmap, survey):
        entry = row_json(row)
        interval, n = entry["interval"] or {}, entry["n"] or {}
        values: dict[str, Any] = {**entry}
        for question in ("importance", "satisfaction"):
            low, high = interval.get(question, (None, None))
            values.update({f"{question}_low": low, f"{question}_high": high, f"{question}_n": n.get(question)})
        writer.writerow([csv_cell(_csv_value(values.get(column))) for column in CSV_COLUMNS])


def _csv_value(value: Any) -> Any:
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


REPORTERS: dict[str, Callable[[CycleMap, SurveyResults | None, TextIO], None]] = {
    "table": report_table,
    "json": report_json,
    "csv": report_csv,
}
