"""Checks of a map's segments, and the warnings `validate` gives when a survey overrides a typed score.

`segment_problems` runs while the map is loaded (segment ids unique, every
per-activity `segments:` entry naming a declared segment); `overlap_warnings`
once its survey is scored.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from cyclemap.loader import activity_location
from cyclemap.model import CycleMap
from cyclemap.problems import WARNING, Problem, clip
from cyclemap.survey import ALL, RESERVED_VIEWS
from cyclemap.survey.views import SurveyResults, survey_place

TOP_TWO_BOX_POINTS = 3
"""The fewest points of a scale that top-two-box can score: on two points, every answer is in the top two."""


def segment_problems(cmap: CycleMap) -> list[Problem]:
    """Repeated or reserved segment ids, per-activity scores for segments the map does not declare,
    and survey settings that cannot score (see `_survey_setting_problems`)."""
    problems = [*_segment_id_problems(cmap), *_survey_setting_problems(cmap)]
    known = [segment.id for segment in cmap.segments]
    for visit in cmap.walk():
        activity = visit.activity
        if not activity.segments:
            continue
        written = getattr(activity._source, "get", lambda _key: None)("segments")
        file, line, col, path = activity_location(visit)
        for key in activity.segments:
            if key in known:
                continue
            key_pos = getattr(written, "key_pos", {})
            line, col = key_pos.get(key, (line, col))
            source = getattr(written, "source", None)
            chain = source.chain if source is not None else ()
            problems.append(Problem(getattr(source, "name", file), line, col, _unknown_segment(key, known),
                                    f"{path}.segments.{clip(key)}", chain))
    return problems


def _survey_setting_problems(cmap: CycleMap) -> Iterator[Problem]:
    """A top-two-box survey on a scale of fewer than 3 points (every answer would count as top two)."""
    survey = cmap.survey
    if survey is None or survey.method != "top-two-box":
        return
    low, high = survey.scale.min, survey.scale.max
    if high - low + 1 < TOP_TWO_BOX_POINTS:
        file, line, col = survey_place(cmap, "scale")
        yield Problem(file, line, col, f"top-two-box needs a scale of at least {TOP_TWO_BOX_POINTS} points, and "
                      f"{low} to {high} has {high - low + 1}: every answer would be in the top two; widen the "
                      "scale to the questionnaire's (1 to 5 is usual), or use  method: mean", "survey.scale")


def _segment_id_problems(cmap: CycleMap) -> Iterator[Problem]:
    """Segment ids that are reserved words (`all`, `each`) or given twice."""
    seen: dict[str, tuple[int, int]] = {}
    for segment in cmap.segments:
        file, line, col = _place(segment._source, "id")
        if segment.id in RESERVED_VIEWS:
            yield Problem(file, line, col, f"'{segment.id}' cannot be a segment id: --segment {segment.id} means "
                          f"{_RESERVED_MEANINGS[segment.id]}; give the segment an id that names who they are, "
                          "like 'upgraders'")
        elif segment.id in seen:
            first = seen[segment.id]
            yield Problem(file, line, col, f"duplicate segment id '{segment.id}' (also at line {first[0]}, "
                          f"column {first[1]}); give each segment its own id")
        else:
            seen[segment.id] = (line, col)


_RESERVED_MEANINGS = {
    ALL: "all respondents pooled",
    "each": "one panel per segment (render --layout landscape)",
}


def _place(node: Any, key: str) -> tuple[str, int, int]:
    line, col = getattr(node, "value_pos", {}).get(key, getattr(node, "pos", (1, 1)))
    source = getattr(node, "source", None)
    return getattr(source, "name", "?"), line, col


def _unknown_segment(key: str, known: list[str]) -> str:
    message = f"unknown segment '{clip(key)}'"
    if not known:
        return f"{message}; the map declares no segments: list them under 'segments:' at the top of the map"
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"{message}; did you mean '{close[0]}'?"
    return f"{message}; the map's segments are: {', '.join(known)}"


def survey_warnings(results: SurveyResults) -> list[Problem]:
    """A warning when the survey has no responses yet (a header row only): it scores nothing."""
    if results.respondents.get(ALL, 0):
        return []
    return [Problem(results.file, 1, 1, "no responses yet: the survey file has its header row and no respondent, "
                    "so it scores no activity; add the responses below the header", severity=WARNING)]


def overlap_warnings(cmap: CycleMap, results: SurveyResults) -> list[Problem]:
    """A warning wherever an activity has both a survey score and a hand-entered one for the same view.

    The survey wins (see `cyclemap.survey.views`); the warning names the map's
    place and the survey's columns, so one of them can go.
    """
    warnings = []
    for visit in cmap.walk():
        activity = visit.activity
        scored = results.scores.get(activity.id or "")
        if not scored:
            continue
        file, line, col, path = activity_location(visit)
        columns = results.columns[activity.id or ""]
        survey_at = f"{results.file}:1:{columns['importance']}, {results.file}:1:{columns['satisfaction']}"
        hand = []
        if ALL in scored and (activity.importance is not None or activity.satisfaction is not None):
            hand.append((ALL, (file, line, col), "importance/satisfaction"))
        for view, entry in activity.segments.items():
            if view in scored:
                place = _place(entry._source, "importance")
                hand.append((view, place if place[0] != "?" else (file, line, col), f"segments.{view}"))
        for view, (where, at_line, at_col), what in hand:
            shown = "all respondents" if view == ALL else f"segment '{view}'"
            warnings.append(Problem(
                where, at_line, at_col,
                f"'{clip(activity.id or '')}' has hand-entered scores ({what}) and survey scores "
                f"({survey_at}) for {shown}; the survey's are used, remove one of them",
                path, severity=WARNING))
    return warnings
