"""The opportunity landscape's data: every scored activity of a view at its place on 0-10 by 0-10.

Importance runs along x and satisfaction up y, both on the 0-10 scale the
opportunity score uses (`cyclemap.gaps.normalise` for hand-entered scores,
survey scores as they are). The regions come from the same settings as the gap
rules: underserved where the score reaches the threshold (below the line
S = 2I - threshold, and right of I = threshold above the diagonal), extreme
from a score of 15, overserved where S - I reaches the overserved margin.

`cyclemap gaps -f json` writes these points (its ``landscape`` object), and the
``landscape`` layout of `cyclemap render` draws them (`cyclemap.render.landscape`):
both read `landscape_points`, so the JSON redraws the picture exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cyclemap.gaps import (
    Severity,
    effective_threshold,
    find_gaps,
    normalise,
    score_in_view,
    score_views,
    severity_by_id,
)
from cyclemap.survey import ALL

if TYPE_CHECKING:
    from cyclemap.model import CycleMap
    from cyclemap.survey.views import SurveyResults

AXIS_TOP = 10.0
"""Both axes run from 0 to this."""
EXTREME_FROM = 15.0
"""The opportunity score from which an underserved activity is extreme (`cyclemap.gaps.band`)."""


@dataclass(frozen=True)
class Point:
    """One scored activity in a view, on the landscape."""

    id: str
    number: str
    """Its place in its phase, as every picture numbers it: '2.1' is the first step of activity 2."""
    phase: str
    name: str
    """As written in the map (pictures clean it)."""
    importance: float
    satisfaction: float
    """On 0-10: survey scores as they are, hand-entered ones normalised by the map's scale."""
    score: float
    """Opportunity score, 0-20."""
    severity: Severity
    """The severity `cyclemap gaps` gives the activity in the view (NONE: no gap)."""
    n: int | None = None
    """The fewest answers behind a survey score; None when hand-entered."""


@dataclass(frozen=True)
class Regions:
    """Where the landscape's regions lie: the gap rules' settings, on 0-10."""

    threshold: float
    overserved_margin: float
    extreme_from: float = EXTREME_FROM

    def underserved(self, importance: float, satisfaction: float, *, at: float | None = None) -> bool:
        """Whether the point's opportunity score reaches `at` (default: the threshold)."""
        score = importance + max(importance - satisfaction, 0.0)
        return round(score, 9) >= (self.threshold if at is None else at)

    def overserved(self, importance: float, satisfaction: float) -> bool:
        return round(satisfaction - importance, 9) >= self.overserved_margin

    def score_polygon(self, at: float, lo: float = 0.0, hi: float = AXIS_TOP) -> list[tuple[float, float]]:
        """The region where the score reaches `at`, as a polygon within lo..hi on both axes (empty when no point does).

        Its upper edge is S = 2I - at left of I = at (below the diagonal), and
        the top of the square from I = at on (above the diagonal, the score is I).
        A picture extends the square a little past 0 and 10 (`lo`, `hi`), so
        markers there stay inside its frame.
        """
        if at >= 2 * hi - lo:
            return []
        end = min(at, hi)
        edge = [(max((lo + at) / 2, lo), lo), (end, 2 * end - at)]
        if at <= hi:
            edge += [(at, hi), (hi, hi)]
        return _simplified([*edge, (hi, lo)])

    def overserved_polygon(self, lo: float = 0.0, hi: float = AXIS_TOP) -> list[tuple[float, float]]:
        """The region where satisfaction exceeds importance by the margin or more, within lo..hi.

        Empty when no point there does."""
        margin = self.overserved_margin
        if margin >= hi - lo:
            return []
        if margin >= 0:
            return [(lo, lo + margin), (lo, hi), (hi - margin, hi)]
        if -margin >= hi - lo:
            return [(lo, lo), (lo, hi), (hi, hi), (hi, lo)]
        return [(lo, lo), (lo, hi), (hi, hi), (hi, hi + margin), (lo - margin, lo)]


def _simplified(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """`points` without repeats in a row."""
    kept: list[tuple[float, float]] = []
    for point in points:
        if not kept or kept[-1] != point:
            kept.append(point)
    if len(kept) > 1 and kept[0] == kept[-1]:
        kept.pop()
    return kept if len(kept) >= 3 else []


def regions_of(cmap: CycleMap, threshold: float | None = None) -> Regions:
    """The regions of a map's landscape: its threshold (or `threshold`, the option's) and overserved margin."""
    return Regions(float(effective_threshold(cmap, threshold)), float(cmap.gaps.overserved_margin))


def landscape_points(
    cmap: CycleMap,
    threshold: float | None = None,
    view: str = ALL,
    *,
    survey: SurveyResults | None = None,
    min_n: int | None = None,
) -> list[Point]:
    """Every activity scored (importance and satisfaction both) in `view`, in document order.

    Scores and severities are exactly those of `find_gaps` with the same
    arguments; ValueError for a view the map does not have.
    """
    severities = severity_by_id(find_gaps(cmap, threshold, view, survey=survey, min_n=min_n))
    views = score_views(cmap, survey)
    points = []
    for visit in cmap.walk():
        scored = score_in_view(views, visit.activity, view, min_n)
        if scored is None or scored.importance is None or scored.satisfaction is None or scored.opportunity is None:
            continue
        activity_id = visit.activity.id or ""
        points.append(Point(
            id=activity_id,
            number=".".join(map(str, visit.position)),
            phase=visit.phase,
            name=visit.activity.name,
            importance=normalise(scored.importance, scored.scale_max),
            satisfaction=normalise(scored.satisfaction, scored.scale_max),
            score=scored.opportunity,
            severity=severities.get(activity_id, Severity.NONE),
            n=None if scored.survey is None else min(scored.survey.importance.n, scored.survey.satisfaction.n),
        ))
    return points
