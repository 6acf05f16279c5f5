"""A map's survey, loaded and scored, and the one rule for an activity's score in a view.

A view is "all" (every respondent pooled, the default) or a segment id. Every
command that shows scores (gaps, render, workshop, report, diff, survey
summary) asks `ScoreViews.score`, so they all agree:

- view "all": the pooled survey score if anyone answered both questions, else
  the activity's own importance and satisfaction, as written in the map;
- view "<segment id>": that segment's survey score if anyone in it answered,
  else the activity's `segments: {<id>: ...}` entry, else unscored.

A survey score is on the 0-10 scale and is its own evidence (source survey,
ref the survey file, with n); a hand-entered score is on the map's scale and
needs the activity's evidence.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO

from cyclemap.gaps import opportunity_score
from cyclemap.model import Activity, CycleMap, Evidence
from cyclemap.problems import MapError, Problem, clip
from cyclemap.survey import ALL, QUESTIONS
from cyclemap.survey.scoring import SCALE_TOP, SurveyScore, Tally, survey_score

if TYPE_CHECKING:  # the reader and file sources load only when a survey is read: `find_gaps` imports this module
    from cyclemap.sources import IncludeRefused, MapFiles
    from cyclemap.survey.reader import Tallies

MAX_SURVEY_BYTES = 1024 * 1024 * 1024
"""Largest survey read from somewhere that cannot stream it (a git revision): 1 GiB."""
_STDIN = "-"

Score = float | int


@dataclass(frozen=True)
class SurveyResults:
    """The scores a survey gives, per activity and view."""

    file: str
    """The survey file, as messages name it (the `ref` of its evidence)."""
    method: str
    scale: tuple[int, int]
    min_n: int
    segments: tuple[str, ...]
    respondents: Mapping[str, int]
    """View -> respondents counted in it ("all" and each segment)."""
    scores: Mapping[str, Mapping[str, SurveyScore]]
    """Activity id -> view -> score, for the views where someone answered both questions."""
    columns: Mapping[str, Mapping[str, int]]
    """Activity id -> question -> 1-based column of the file, for the activities it has columns for."""

    def score(self, activity_id: str, view: str = ALL) -> SurveyScore | None:
        """The survey's score of an activity in a view; None when nobody in the view answered both questions."""
        return self.scores.get(activity_id, {}).get(view)


def score_tallies(tallies: Tallies, method: str, min_n: int) -> SurveyResults:
    """Scores per activity and view from the tallies of a survey ("all" pooled from every respondent)."""
    low = tallies.scale[0]
    views = [(ALL, range(tallies.slots))] + [(sid, (n,)) for n, sid in enumerate(tallies.segments, start=1)]
    by_question: dict[str, dict[str, int]] = {}
    for number, column in enumerate(tallies.columns):
        by_question.setdefault(column.activity, {})[column.question] = number
    scores: dict[str, dict[str, SurveyScore]] = {}
    for activity, numbers in by_question.items():
        if len(numbers) < len(QUESTIONS):
            continue  # one question alone gives no score
        for view, slots in views:
            i, s = (Tally.of(tallies.histogram(numbers[q], slots), low) for q in QUESTIONS)
            found = survey_score(i, s, method, tallies.scale, min_n)
            if found is not None:
                scores.setdefault(activity, {})[view] = found
    respondents = {ALL: sum(tallies.respondents)}
    respondents.update({sid: tallies.respondents[n] for n, sid in enumerate(tallies.segments, start=1)})
    columns = {
        activity: {tallies.columns[n].question: tallies.columns[n].index + 1 for n in numbers.values()}
        for activity, numbers in by_question.items()
    }
    return SurveyResults(tallies.file, method, tallies.scale, min_n, tallies.segments, respondents, scores, columns)


# -- the score in a view --------------------------------------------------------


@dataclass(frozen=True)
class ViewScore:
    """An activity's scores in one view, wherever they come from."""

    importance: Score | None
    satisfaction: Score | None
    scale_max: int
    """The top of the scale the scores are on: 10 for a survey score, the map's `scale.max` otherwise."""
    evidence: tuple[Evidence, ...]
    survey: SurveyScore | None = None
    """The survey's score (with n and intervals) when the scores come from the survey."""

    @property
    def source(self) -> str:
        """``survey`` or ``map`` (hand-entered)."""
        return "map" if self.survey is None else "survey"

    @property
    def opportunity(self) -> float | None:
        """Ulwick's opportunity score, 0..20; None unless both scores are given."""
        return opportunity_score(self.importance, self.satisfaction, self.scale_max)

    @property
    def n(self) -> dict[str, int] | None:
        """Answers per question for a survey score, e.g. ``{"importance": 270, "satisfaction": 268}``."""
        return None if self.survey is None else self.survey.answers

    @property
    def interval(self) -> dict[str, tuple[float, float]] | None:
        """The 95% interval of each survey score on 0..10, e.g. ``{"importance": (6.8, 7.9), ...}``."""
        return None if self.survey is None else self.survey.intervals


class ScoreViews:
    """The scores of a map's activities in each view: the map, its segments and its survey's results."""

    def __init__(self, cmap: CycleMap, survey: SurveyResults | None = None) -> None:
        self.cmap = cmap
        self.survey = survey

    def views(self) -> tuple[str, ...]:
        """"all", then each segment id in the map's order."""
        return (ALL, *(segment.id for segment in self.cmap.segments))

    def check_view(self, view: str) -> str:
        """`view` if the map has it; ValueError with a did-you-mean otherwise (for a `--segment` option)."""
        if view in self.views():
            return view
        import difflib

        known = self.views()
        close = difflib.get_close_matches(view, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"choose from: {', '.join(known)}"
        raise ValueError(f"the map has no segment '{clip(view)}'; {hint}")

    def caption(self, view: str = ALL) -> str:
        """Whose gaps a view shows, for a diagram's key or a report's heading.

        "Gaps for: Adding a battery (upgraders), survey n=150", "Gaps for: all
        respondents, survey n=450", or "..., scores from the map" without a survey.
        """
        if view == ALL:
            who = "all respondents" if self.survey is not None else "all customers"
        else:
            name = next(segment.name for segment in self.cmap.segments if segment.id == view)
            who = f"{name} ({view})"
        if self.survey is None:
            return f"Gaps for: {who}, scores from the map"
        return f"Gaps for: {who}, survey n={self.survey.respondents.get(view, 0):,}"

    def score(self, activity: Activity, view: str = ALL) -> ViewScore | None:
        """The activity's scores in `view` by the rule in this module's docstring; None when unscored there."""
        if self.survey is not None and (found := self.survey.score(activity.id or "", view)) is not None:
            return ViewScore(found.importance.value, found.satisfaction.value, SCALE_TOP,
                             (_survey_evidence(self.survey.file, found),), found)
        if view == ALL:
            importance, satisfaction = activity.importance, activity.satisfaction
        else:
            entry = activity.segments.get(view)
            importance, satisfaction = (None, None) if entry is None else (entry.importance, entry.satisfaction)
        if importance is None and satisfaction is None:
            return None
        return ViewScore(importance, satisfaction, self.cmap.scale.max, tuple(activity.evidence))


def _survey_evidence(file: str, found: SurveyScore) -> Evidence:
    """The survey `file` as the evidence of a score it gives (source survey, ref the file, with n)."""
    note = f"n={found.importance.n} (importance), n={found.satisfaction.n} (satisfaction)"
    return Evidence(source="survey", ref=file, note=note)


# -- loading ----------------------------------------------------------------------


def load_survey(cmap: CycleMap, files: MapFiles, root: PurePosixPath) -> SurveyResults | None:
    """The scores of the map's survey (None when the map has none), read through `files` like includes.

    `root` is the map's path relative to `files`. Raises MapError with every
    problem of the survey, located as FILE:ROW:COL, or at the map's
    `survey.file` when the file cannot be read at all.
    """
    from cyclemap.sources import IncludeRefused, include_path
    from cyclemap.survey.reader import read_responses

    survey = cmap.survey
    if survey is None:
        return None
    try:
        rel = include_path(survey.file, root, root)
        name = files.name(rel)
        stream = _open(files, rel)
    except IncludeRefused as err:
        raise MapError([_refused(cmap, survey.file, err)]) from None
    with stream:
        tallies, problems = read_responses(
            stream,
            name,
            scale=(survey.scale.min, survey.scale.max),
            activity_ids={visit.activity.id for visit in cmap.walk() if visit.activity.id},
            segments=[segment.id for segment in cmap.segments],
            segment_column=survey.segment_column,
            ignore_columns=survey.ignore_columns,
        )
    if problems:
        raise MapError(problems)
    return score_tallies(tallies, survey.method, survey.min_n)


def load_map_survey(cmap: CycleMap, path: str) -> SurveyResults | None:
    """The scores of the survey of the map read from `path` (as `load_map` was given it; "-" for stdin)."""
    from cyclemap.sources import DiskFiles, NoFiles

    if path == _STDIN:
        files: MapFiles = NoFiles("a map read from standard input cannot read its survey file; "
                                  "give the map's file name instead")
        return load_survey(cmap, files, PurePosixPath(_STDIN))
    folder, base = os.path.split(path)
    return load_survey(cmap, DiskFiles(folder), PurePosixPath(base))


def note_survey_input(cmap: CycleMap, path: str) -> None:
    """Note the map's survey file as an input when it exists, without reading it, so that no output replaces it.

    For commands that do not score the survey (`survey questionnaire`): writing
    the template over the responses must be refused like writing over the map.
    A file that cannot be opened (not there yet, outside the folder) is no input.
    """
    from cyclemap.sources import DiskFiles, IncludeRefused, include_path

    if cmap.survey is None or path == _STDIN:
        return
    folder, base = os.path.split(path)
    try:
        rel = include_path(cmap.survey.file, PurePosixPath(base), PurePosixPath(base))
        DiskFiles(folder).open(rel).close()
    except IncludeRefused:
        return


def _open(files: MapFiles, rel: PurePosixPath) -> BinaryIO:
    """The survey file as a stream: opened on disk, or read whole from a source that cannot stream."""
    opener = getattr(files, "open", None)
    if opener is not None:
        stream: BinaryIO = opener(rel)
        return stream
    return io.BytesIO(files.read(rel, limit=MAX_SURVEY_BYTES))


_SURVEY_WORDS = (
    ("a YAML file", "a CSV file"),
    ("like parts/pre.yaml", "like surveys/responses.csv"),
    ("relative to the file that includes it", "relative to the map"),
    ("relative to this file", "relative to the map"),
    ("only files next to the map can be included, not URLs or other drives",
     "the survey must be a file next to the map, not a URL or on another drive"),
    ("included files must be in", "the survey file must be in"),
)
"""The refusals of `cyclemap.sources` speak of included files; said of a survey file instead."""


def _refused(cmap: CycleMap, written: str, err: IncludeRefused) -> Problem:
    """The problem of the survey file `written` (the map's `survey.file`) that cannot be read, located there."""
    reason = str(err)
    for include_words, survey_words in _SURVEY_WORDS:
        reason = reason.replace(include_words, survey_words)
    file, line, col = survey_place(cmap, "file")
    return Problem(file, line, col, f"cannot read the survey '{clip(written)}': {reason}", "survey.file")


def survey_place(cmap: CycleMap, key: str) -> tuple[str, int, int]:
    """File, line and column of the value of `survey.<key>` in the map (of `survey:` when it is not written)."""
    node: Any = cmap.survey._source if cmap.survey is not None else None
    value_pos = getattr(node, "value_pos", {})
    line, col = value_pos.get(key, getattr(node, "pos", (1, 1)))
    source = getattr(node, "source", None)
    return (source.name if source is not None else "?"), line, col

