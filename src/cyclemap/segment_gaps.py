"""Where customer segments disagree: the activities `cyclemap gaps --by-segment` lists.

The pooled score ("all") can hide a segment that is badly served: in a
published case the whole market showed no unmet needs while a third of users
had many. An activity is listed when, in its scores per view
(`cyclemap.gaps.score_in_view`, the rule every command shares):

- ``segment-underserved``: it is underserved (opportunity score at least the
  threshold) in at least one segment while the pooled score is not (or the
  activity is unscored for all respondents);
- ``segment-spread``: the opportunity scores of two segments differ by
  `SPREAD` points or more.

No I/O and no presentation here: `cyclemap.report.segment_gaps` shows the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cyclemap.gaps import Score, band, effective_threshold, is_underserved, score_in_view, score_views
from cyclemap.model import CycleMap
from cyclemap.survey import ALL

if TYPE_CHECKING:
    from cyclemap.survey.views import SurveyResults, ViewScore

SPREAD = 3.0
"""Opportunity-score points (0-20) between two segments from which they disagree."""
KINDS = ("segment-underserved", "segment-spread")
"""Why an activity is listed, in the order an entry lists them."""


@dataclass(frozen=True, slots=True)
class ViewEntry:
    """An activity's scores in one view, as the gap rules read them."""

    view: str
    """"all" or a segment id."""
    scored: ViewScore | None
    """The scores (None: unscored in this view, or thinner than ``--min-n``)."""
    score: float | None
    """The opportunity score 0..20; None when unscored."""
    band: str | None
    """extreme, high or moderate when underserved in this view; None otherwise."""

    @property
    def underserved(self) -> bool:
        return self.band is not None

    @property
    def thin(self) -> bool:
        """The view's survey score has fewer answers than the survey's ``min_n``."""
        return self.scored is not None and self.scored.survey is not None and self.scored.survey.thin


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One activity whose segments disagree, with its scores in every view."""

    id: str
    phase: str
    path: tuple[str, ...]
    """Names from the phase's top-level activity down to this one."""
    kinds: tuple[str, ...]
    """The reasons found, in `KINDS` order."""
    underserved_in: tuple[str, ...]
    """The segments (ids, in the map's order) where it is underserved while the pooled score is not."""
    spread: float | None
    """Highest minus lowest opportunity score among the scored segments; None with fewer than two."""
    views: tuple[ViewEntry, ...]
    """"all" first, then each segment in the map's order."""
    reason: str
    """One line of plain words saying how the segments disagree."""

    @property
    def top(self) -> float:
        """The highest opportunity score of any segment (what the list is ranked by)."""
        return max((entry.score for entry in self.views[1:] if entry.score is not None), default=0.0)


def segment_disagreements(
    cmap: CycleMap,
    threshold: Score | None = None,
    *,
    survey: SurveyResults | None = None,
    min_n: int | None = None,
    spread: float = SPREAD,
) -> list[Disagreement]:
    """The activities whose segments disagree, ranked: hidden underserved segments first, then by the
    highest segment score (ties in map order).

    `threshold` overrides the map's ``gaps.threshold``; `survey` is the map's
    survey's results; survey scores thinner than `min_n` count as unscored.
    Empty when the map has no segments.
    """
    views = score_views(cmap, survey)
    segment_ids = views.views()[1:]
    names = {segment.id: segment.name for segment in cmap.segments}
    limit = effective_threshold(cmap, threshold)
    found = []
    for visit in cmap.walk() if segment_ids else ():
        activity = visit.activity
        entries = tuple(
            _entry(view, score_in_view(views, activity, view, min_n), limit) for view in (ALL, *segment_ids)
        )
        pooled, segments = entries[0], entries[1:]
        underserved_in = () if pooled.underserved else tuple(e.view for e in segments if e.underserved)
        scores = [e.score for e in segments if e.score is not None]
        width = round(max(scores) - min(scores), 9) if len(scores) > 1 else None
        kinds = tuple(
            kind for kind, present in zip(KINDS, (bool(underserved_in), width is not None and width >= spread),
                                          strict=True) if present
        )
        if kinds:
            found.append(Disagreement(
                id=activity.id or "", phase=visit.phase, path=(*(a.name for a in visit.ancestors), activity.name),
                kinds=kinds, underserved_in=underserved_in, spread=width, views=entries,
                reason=_explain(kinds, entries, names, survey.min_n if survey is not None else 0),
            ))
    found.sort(key=lambda item: (not item.underserved_in, -item.top))  # stable: map order among ties
    return found


def _entry(view: str, scored: ViewScore | None, threshold: Score) -> ViewEntry:
    score = None if scored is None else scored.opportunity
    if score is None or not is_underserved(score, threshold):
        return ViewEntry(view, scored, score, None)
    return ViewEntry(view, scored, score, band(score))


def _explain(kinds: tuple[str, ...], entries: tuple[ViewEntry, ...], names: dict[str, str], min_n: int) -> str:
    """E.g. "underserved for Upgraders (18.43, extreme) while the pooled score is 3.33; segments range from
    0.0 (Landlords) to 18.43 (Upgraders)"; thin scores among them are named last, with the survey's `min_n`."""
    pooled, segments = entries[0], entries[1:]
    parts = []
    if "segment-underserved" in kinds:
        which = ", ".join(f"{names[e.view]} ({_score(e.score)}, {e.band})" for e in segments if e.underserved)
        overall = ("nothing is scored for all respondents" if pooled.score is None
                   else f"the pooled score is {_score(pooled.score)}")
        parts.append(f"underserved for {which} while {overall}")
    if "segment-spread" in kinds:
        scored = [e for e in segments if e.score is not None]
        low = min(scored, key=lambda e: e.score or 0.0)
        high = max(scored, key=lambda e: e.score or 0.0)
        parts.append(f"segments range from {_score(low.score)} ({names[low.view]}) "
                     f"to {_score(high.score)} ({names[high.view]})")
    thin = [e for e in entries if e.thin and e.scored is not None and e.scored.survey is not None]
    if thin:
        said = ", ".join(f"{names.get(e.view, 'all respondents')} ({_answers_text(e)})" for e in thin)
        parts.append(f"thin, fewer than min_n {min_n} answers: {said}")
    return "; ".join(parts)


def _answers_text(entry: ViewEntry) -> str:
    """"1 answer", "12 answers": the fewer of the entry's answers to its two questions."""
    survey = entry.scored.survey if entry.scored is not None else None
    answers = 0 if survey is None else min(survey.importance.n, survey.satisfaction.n)
    return f"{answers} answer{'s' * (answers != 1)}"


def _score(score: float | None) -> str:
    """A score as a reason says it, to at most 2 decimals: 18.43, 3.0."""
    from cyclemap.report.gaps import score_text  # noqa: PLC0415 - the reports' one score format; no other presentation here

    return score_text(score)
