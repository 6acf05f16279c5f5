"""Opportunity gaps: where a company can step in, found by pure rules over the model.

The rules are the contract of issue 4 ("`cyclemap gaps`"): one small function
per rule below, each with its example. `find_gaps` applies them to every
activity of a validated map and ranks the result; `Gap.severity` is the one
severity that both the gap list and the rendered diagram show. No I/O and no
presentation here: `cyclemap.report.gaps` and `cyclemap.render` read the result.

Gaps are found in a view (issue 11): "all" (the default) or a customer
segment's id. Which importance and satisfaction an activity has in a view is
`cyclemap.survey.views.ScoreViews.score`'s rule, and nothing else's: a survey
score (0-10, with n and a 95% interval, its own evidence) or a hand-entered
one (on the map's scale, needing the activity's evidence). A map without a
survey or segments ranks exactly as it always has. Every caller that shows
gaps in a view (gaps, render, workshop, report, diff) does::

    survey = load_map_survey(cmap, path)          # cyclemap.survey.views; None without a survey
    found = find_gaps(cmap, threshold, view, survey=survey)
    colours = severity_by_id(found)

`segment_spread` (in `cyclemap.segment_gaps`) compares the views.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from cyclemap.model import PHASE_KEYS, Activity, CycleMap, Evidence, Phase, Visit
from cyclemap.survey import ALL

if TYPE_CHECKING:  # cyclemap.survey.scoring imports this module; the views load in find_gaps
    from cyclemap.survey.scoring import SurveyScore
    from cyclemap.survey.views import ScoreViews, SurveyResults, ViewScore

KINDS = ("underserved", "unserved", "unaddressed-pain", "unevidenced", "overserved", "empty-phase")
"""Every gap kind, in the order an entry lists them."""

Score = float | int
Place = tuple[str, tuple[int, ...]]
"""An activity's phase key and 1-based position path, e.g. ``("pre", (1, 2))``."""


class Scored(Protocol):
    """What the score rules read: an `Activity` as written, or its `ViewScore` in a view."""

    @property
    def importance(self) -> Score | None: ...
    @property
    def satisfaction(self) -> Score | None: ...
    @property
    def evidence(self) -> Sequence[Evidence]: ...


class Severity(StrEnum):
    """How urgent a gap is: the gap list prints it, the diagram colours nodes by it."""

    EXTREME = "extreme"
    HIGH = "high"
    MODERATE = "moderate"
    """The three bands of an underserved activity."""
    PAIN = "pain"
    """Unserved or unaddressed pain (or an empty phase), but not underserved."""
    OVERSERVED = "overserved"
    """Overserved, and nothing above."""
    NONE = "none"
    """No gap, or only unevidenced scores."""


@dataclass(frozen=True, slots=True)
class Gap:
    """One entry of the ranked gap list: an activity (or an empty phase) and why."""

    id: str | None
    """The activity's id; None for an empty phase."""
    phase: str
    """The phase key: pre, during or post."""
    path: tuple[str, ...]
    """Names from the phase's top-level activity down to this one; () for an empty phase."""
    kinds: tuple[str, ...]
    """The kinds found, in `KINDS` order."""
    score: float | None
    """Opportunity score 0..20, unrounded; None unless importance and satisfaction are given."""
    band: str | None
    """extreme, high or moderate for underserved entries; None otherwise."""
    importance: Score | None
    satisfaction: Score | None
    """The scores the entry was ranked by: on 0-10 from a survey, else as written in the map (its scale)."""
    reason: str
    """One line of plain words saying why this is a gap."""
    view: str = ALL
    """The view the gap was found in: "all" or a segment id."""
    survey: SurveyScore | None = None
    """The survey score behind `importance` and `satisfaction` (n, intervals, thin); None when hand-entered."""

    @property
    def n(self) -> dict[str, int] | None:
        """Answers behind each survey score, ``{"importance": 270, "satisfaction": 268}``; None when hand-entered."""
        return None if self.survey is None else self.survey.answers

    @property
    def interval(self) -> dict[str, tuple[float, float]] | None:
        """The 95% interval (0-10) of each survey score; None when hand-entered."""
        return None if self.survey is None else self.survey.intervals

    @property
    def thin(self) -> bool:
        """The survey score has fewer answers to a question than the survey's ``min_n``."""
        return self.survey is not None and self.survey.thin

    @property
    def key(self) -> str:
        """How every output names the gap: the activity's id, or ``phase:<key>`` for an empty phase.

        `cyclemap diff` matches gaps across versions by the same key.

        >>> Gap(None, "post", (), ("empty-phase",), None, None, None, None, "").key
        'phase:post'
        """
        return self.id if self.id is not None else f"phase:{self.phase}"

    @property
    def severity(self) -> Severity:
        """The most urgent reading of the kinds: band, then pain, then overserved."""
        if self.band is not None:
            return Severity(self.band)
        if {"unserved", "unaddressed-pain", "empty-phase"}.intersection(self.kinds):
            return Severity.PAIN
        if "overserved" in self.kinds:
            return Severity.OVERSERVED
        return Severity.NONE


@dataclass(frozen=True)
class _Settings:
    threshold: Score
    margin: Score
    view: str
    min_n: int
    """The survey's min_n (a thin score's reason names it); 0 without a survey."""
    method: str
    """The survey's method (top-two-box or mean; its reasons say shares or averages); "" without a survey."""


# -- scoring ----------------------------------------------------------------


def normalise(value: Score, scale_max: int) -> float:
    """A score on the 0..10 scale: ``10 * value / scale_max``.

    Rounded to 9 places so that binary float noise never decides a comparison
    with a threshold or a margin:

    >>> normalise(4, 5)
    8.0
    >>> normalise(0.7, 1)  # 7.000000000000001 before rounding
    7.0
    """
    return round(10 * value / scale_max, 9)


def opportunity_score(importance: Score | None, satisfaction: Score | None, scale_max: int) -> float | None:
    """Ulwick's opportunity score, 0..20: ``norm(i) + max(norm(i) - norm(s), 0)``.

    None unless both scores are given.

    >>> opportunity_score(8, 2, 10)   # 8 + (8 - 2)
    14.0
    >>> opportunity_score(4, 1, 5)    # on a 0-5 scale: 8 + (8 - 2)
    14.0
    >>> opportunity_score(3, 9, 10)   # satisfaction above importance adds nothing
    3.0
    >>> opportunity_score(8, None, 10) is None
    True
    """
    if importance is None or satisfaction is None:
        return None
    norm_i, norm_s = normalise(importance, scale_max), normalise(satisfaction, scale_max)
    return round(norm_i + max(norm_i - norm_s, 0.0), 9)


def band(score: float) -> str:
    """The band of an underserved score: >= 15 extreme, >= 12 high, else moderate.

    >>> band(15.0), band(14.99), band(12.0), band(10.0)
    ('extreme', 'high', 'high', 'moderate')
    """
    if score >= 15:
        return Severity.EXTREME.value
    return Severity.HIGH.value if score >= 12 else Severity.MODERATE.value


def effective_threshold(cmap: CycleMap, threshold: Score | None = None) -> Score:
    """`threshold` when given (the --threshold option), else the map's ``gaps.threshold``."""
    return cmap.gaps.threshold if threshold is None else threshold


# -- the rules, one per kind --------------------------------------------------


def is_underserved(score: float | None, threshold: Score) -> bool:
    """Rule 1, ``underserved``: the opportunity score reaches the threshold.

    >>> is_underserved(14.0, 10), is_underserved(10.0, 10), is_underserved(9.5, 10)
    (True, True, False)
    >>> is_underserved(None, 10)  # unscored activities are never underserved
    False
    """
    return score is not None and score >= threshold


def is_unserved(visit: Visit, covered: set[Place]) -> bool:
    """Rule 2, ``unserved``: no offering on the activity, any ancestor or any descendant.

    Reported only on the topmost such activity, so a neglected stretch of the
    cycle is one gap, not one per leaf. `covered` comes from `covered_places`.
    Example: "Keep the system working" has subactivities "Spot a fault" and
    "Claim the warranty" and no offering anywhere in that subtree, and its
    own parent (if any) is served: only "Keep the system working" is
    unserved. Had its parent an offering, none of the three would be.
    """
    if (visit.phase, visit.position) in covered or any(a.offerings for a in visit.ancestors):
        return False
    # The ancestors have no offerings of their own, so the parent is served only
    # through a sibling's subtree; if it is not, the parent is the topmost one.
    return visit.depth == 0 or (visit.phase, visit.position[:-1]) in covered


def has_unaddressed_pain(activity: Activity) -> bool:
    """Rule 3, ``unaddressed-pain``: pains are listed but no offering of its own.

    Offerings on a parent or child do not count: they do not answer this pain.

    >>> has_unaddressed_pain(Activity(name="Claim the warranty", pains=["Installer went bust"]))
    True
    >>> has_unaddressed_pain(Activity(name="Claim", pains=["Slow"], offerings=["Claims desk"]))
    False
    """
    return bool(activity.pains) and not activity.offerings


def is_unevidenced(activity: Scored | None) -> bool:
    """Rule 4, ``unevidenced``: importance or satisfaction is given without evidence of its own.

    `activity` is an activity as written, or its `ViewScore` in a view (a
    survey score carries the survey as its evidence; None: unscored there).

    >>> is_unevidenced(Activity(name="Pay", importance=8))
    True
    >>> is_unevidenced(Activity(name="Pay"))  # nothing claimed, nothing to back up
    False
    """
    if activity is None:
        return False
    return (activity.importance is not None or activity.satisfaction is not None) and not activity.evidence


def is_overserved(activity: Scored, scale_max: int, margin: Score) -> bool:
    """Rule 5, ``overserved``: ``norm(satisfaction) - norm(importance) >= margin``.

    Customers get more than they value here: an opening for a simpler,
    cheaper offer (and where disruptors come in).

    >>> is_overserved(Activity(name="Sign the contract", importance=3, satisfaction=9), 10, 3)
    True
    >>> is_overserved(Activity(name="Sign", importance=2, satisfaction=3), 5, 3)  # 6 - 4 = 2 < 3
    False
    """
    importance, satisfaction = activity.importance, activity.satisfaction
    if importance is None or satisfaction is None:
        return False
    return round(normalise(satisfaction, scale_max) - normalise(importance, scale_max), 9) >= margin


def is_empty_phase(phase: Phase) -> bool:
    """Rule 6, ``empty-phase``: a phase with no activities (a phase-level gap).

    >>> is_empty_phase(Phase(activities=[]))
    True
    """
    return not phase.activities


# -- finding and ranking ------------------------------------------------------


def covered_places(cmap: CycleMap) -> set[Place]:
    """The places whose activity, or an activity below it, has an offering.

    Each phase's place ``(key, ())`` is in the set when any of its activities is.
    One depth-first pass over the map, children before their parent.
    """
    covered: set[Place] = set()

    def mark(phase: str, activities: Sequence[Activity], above: tuple[int, ...]) -> bool:
        found = False
        for number, activity in enumerate(activities, start=1):
            here = (*above, number)
            if mark(phase, activity.subcycle, here) or activity.offerings:
                covered.add((phase, here))
                found = True
        return found

    for key in PHASE_KEYS:
        if mark(key, cmap.phase(key).activities, ()):
            covered.add((key, ()))
    return covered


def find_gaps(
    cmap: CycleMap,
    threshold: Score | None = None,
    view: str = ALL,
    *,
    survey: SurveyResults | None = None,
    min_n: int | None = None,
) -> list[Gap]:
    """Every gap of the map in `view` ("all" or a segment id), ranked.

    Order: score descending, entries without a score last, ties in document
    order (phases pre, during, post; depth-first, parents before children).
    `threshold` overrides the map's ``gaps.threshold``. Scores are the
    view's (`score_in_view`): from `survey` (the map's survey's results, see
    `cyclemap.survey.views.load_map_survey`) or hand-entered. A survey score
    with fewer than `min_n` answers to a question is left out (the activity
    counts as unscored in the view: ``gaps --min-n``); a thin one that stays
    says so in its reason. Raises ValueError (with a did-you-mean) for a view
    the map does not have.

    Linear in the number of activities; the same reason or kinds are held
    once however many gaps share them (a big map has many).
    """
    views = score_views(cmap, survey)
    views.check_view(view)
    settings = _Settings(
        effective_threshold(cmap, threshold), cmap.gaps.overserved_margin, view,
        survey.min_n if survey is not None else 0, survey.method if survey is not None else "",
    )
    covered = covered_places(cmap)
    shared: dict[Any, Any] = {}
    found = [
        gap
        for visit in cmap.walk()
        if (gap := _activity_gap(visit, covered, settings, shared, score_in_view(views, visit.activity, view, min_n)))
        is not None
    ]
    found += [_phase_gap(key) for key in PHASE_KEYS if is_empty_phase(cmap.phase(key))]
    found.sort(key=lambda gap: PHASE_KEYS.index(gap.phase))  # stable: document order within a phase
    found.sort(key=lambda gap: (gap.score is None, -(gap.score or 0.0)))
    return found


def score_views(cmap: CycleMap, survey: SurveyResults | None = None) -> ScoreViews:
    """The map's `ScoreViews`: the one rule for an activity's scores in a view."""
    from cyclemap.survey.views import ScoreViews  # noqa: PLC0415 - survey.views imports this module

    return ScoreViews(cmap, survey)


def score_in_view(views: ScoreViews, activity: Activity, view: str = ALL, min_n: int | None = None) -> ViewScore | None:
    """The activity's scores in `view` (`ScoreViews.score`) as the gap rules read them.

    None when it is unscored there, or when its survey score has fewer than
    `min_n` answers to either question (``--min-n``: too thin to rank).
    """
    found = views.score(activity, view)
    if (found is not None and min_n is not None and found.survey is not None
            and min(found.survey.importance.n, found.survey.satisfaction.n) < min_n):
        return None
    return found


def _activity_gap(
    visit: Visit, covered: set[Place], settings: _Settings, shared: dict[Any, Any], scored: ViewScore | None
) -> Gap | None:
    activity = visit.activity
    score = None if scored is None else scored.opportunity
    found = {
        "underserved": is_underserved(score, settings.threshold),
        "unserved": is_unserved(visit, covered),
        "unaddressed-pain": has_unaddressed_pain(activity),
        "unevidenced": is_unevidenced(scored),
        "overserved": scored is not None and is_overserved(scored, scored.scale_max, settings.margin),
    }
    kinds = tuple(kind for kind, present in found.items() if present)
    if not kinds:
        return None
    kinds = shared.setdefault(kinds, kinds)
    reason = _explain(kinds, activity, scored, settings)
    return Gap(
        id=activity.id,
        phase=visit.phase,
        path=(*(a.name for a in visit.ancestors), activity.name),
        kinds=kinds,
        score=score,
        band=band(score) if score is not None and "underserved" in kinds else None,
        importance=None if scored is None else scored.importance,
        satisfaction=None if scored is None else scored.satisfaction,
        reason=shared.setdefault(reason, reason),
        view=settings.view,
        survey=None if scored is None else scored.survey,
    )


def _phase_gap(key: str) -> Gap:
    reason = "no activities are mapped in this phase: what the customer does here is unknown, and nothing serves it"
    return Gap(None, key, (), ("empty-phase",), None, None, None, None, reason)


# -- reasons ------------------------------------------------------------------


def _explain(kinds: tuple[str, ...], activity: Activity, scored: ViewScore | None, settings: _Settings) -> str:
    """One line of plain words for an activity's gap kinds, in `KINDS` order.

    For example "customer rates this 8/10 important but only 2/10 satisfied;
    no offering of ours covers it" for an underserved, unserved activity, or
    "rated important by 74% of 270 respondents, satisfied by 28%" for a
    survey score; a thin survey score says so last.
    """
    parts = []
    survey = None if scored is None else scored.survey
    if "underserved" in kinds and scored is not None:
        if survey is not None:
            parts.append(_survey_underserved(survey, settings))
        else:
            parts.append(_map_underserved(scored, settings))
    if "unserved" in kinds:
        parts.append("no offering of ours covers it" + (" or any step within it" if activity.subcycle else ""))
    if "unaddressed-pain" in kinds:
        count = len(activity.pains)
        pains = f"customer reports {count} pain{'s' * (count != 1)} here"
        parts.append(pains if "unserved" in kinds else f"{pains} and no offering of ours is on this step itself")
    if "unevidenced" in kinds and scored is not None:
        parts.append(_unevidenced_reason(scored))
    if "overserved" in kinds and scored is not None:
        if survey is not None:
            satisfied = _survey_sample(survey, "satisfaction", settings.method)
            important = _survey_sample(survey, "importance", settings.method, first=False)
            parts.append(f"{satisfied} but only {important}: {CHEAPER}")
        else:
            top = _number(scored.scale_max)
            importance, satisfaction = _number(scored.importance), _number(scored.satisfaction)
            parts.append(f"customer is {satisfaction}/{top} satisfied but rates this only {importance}/{top} "
                         f"important: {CHEAPER}")
    if survey is not None and survey.thin:
        answers = min(survey.importance.n, survey.satisfaction.n)
        parts.append(f"thin: only {answers} answer{'s' * (answers != 1)}, fewer than min_n {settings.min_n}")
    return "; ".join(parts)


CHEAPER = "an opening for a simpler, cheaper offer"
"""How an overserved reason ends."""


def _map_underserved(scored: ViewScore, settings: _Settings) -> str:
    """Why a hand-entered score is underserved, on the map's scale."""
    top = _number(scored.scale_max)
    importance, satisfaction = _number(scored.importance), _number(scored.satisfaction)
    if (scored.satisfaction or 0) < (scored.importance or 0):
        return f"customer rates this {importance}/{top} important but only {satisfaction}/{top} satisfied"
    return (
        f"customer rates this {importance}/{top} important (and {satisfaction}/{top} satisfied): "
        f"importance alone reaches the threshold of {_number(settings.threshold)}"
    )


def _survey_underserved(survey: SurveyScore, settings: _Settings) -> str:
    """Why a survey score is underserved, with the sample: "rated important by 74% of 270 respondents, ..."."""
    importance, satisfaction = survey.importance, survey.satisfaction
    said = (f"{_survey_sample(survey, 'importance', settings.method)}, "
            f"{_survey_sample(survey, 'satisfaction', settings.method, first=False)}")
    if satisfaction.value < importance.value:
        return said
    return f"{said}: importance alone reaches the threshold of {_number(settings.threshold)}"


def _survey_sample(survey: SurveyScore, question: str, method: str, *, first: bool = True) -> str:
    """One question's survey score in words, with its number of answers.

    Top-two-box scores are shares ("rated important by 74% of 270
    respondents"); mean scores are averages on 0-10 ("rated 7.4/10 important
    on average by 270 respondents"). After the first question, the count is
    said again only when it differs ("satisfied by 28%", "... of 268").
    """
    measure = getattr(survey, question)
    other = survey.importance if measure is survey.satisfaction else survey.satisfaction
    word = "important" if question == "importance" else "satisfied"
    who = f"{measure.n} respondent{'s' * (measure.n != 1)}"
    if method == "mean":
        sample = "" if not first and measure.n == other.n else f" by {who}"
        return f"rated {measure.value:.1f}/10 {word} on average{sample}"
    sample = "" if not first and measure.n == other.n else f" of {who}"
    verb = "rated important" if question == "importance" else "satisfied"
    return f"{verb} by {round(measure.value * 10)}%{sample}"


def _unevidenced_reason(activity: Scored) -> str:
    if activity.importance is not None and activity.satisfaction is not None:
        return "the importance and satisfaction scores cite no evidence"
    which = "importance" if activity.importance is not None else "satisfaction"
    return f"the {which} score cites no evidence"


def _number(value: Score | None) -> str:
    """A score as written in a sentence: 8 -> '8', 3.5 -> '3.5'."""
    return "?" if value is None else f"{value:g}"


# -- selecting ----------------------------------------------------------------


@dataclass(frozen=True)
class GapFilter:
    """Which ranked gaps to keep: the ``--kind``, ``--min-score`` and ``--top`` options.

    Raises ValueError for an unknown kind or a negative `top`.
    """

    kinds: tuple[str, ...] = ()
    """Keep entries having any of these kinds (all entries when empty)."""
    min_score: float | None = None
    """Keep entries with a score of at least this (unscored entries go)."""
    top: int | None = None
    """Then keep the first `top` entries."""

    def __post_init__(self) -> None:
        unknown = [kind for kind in self.kinds if kind not in KINDS]
        if unknown:
            raise ValueError(f"unknown gap kind '{unknown[0]}'; choose from: {', '.join(KINDS)}")
        if self.top is not None and self.top < 0:
            raise ValueError(f"top must be 0 or more, not {self.top}")


    def keeps(self, gap: Gap) -> bool:
        """Whether `gap` has one of the kinds and the score asked for (`top` is the caller's to apply)."""
        return (not self.kinds or any(kind in self.kinds for kind in gap.kinds)) and (
            self.min_score is None or (gap.score is not None and gap.score >= self.min_score)
        )


def filter_gaps(gaps: Iterable[Gap], keep: GapFilter) -> list[Gap]:
    """The gaps `keep` selects, in their ranked order.

    >>> ranked = [Gap("a", "pre", ("A",), ("underserved",), 14.0, "high", 8, 2, ""),
    ...           Gap("b", "pre", ("B",), ("overserved",), 3.0, None, 3, 9, "")]
    >>> [g.id for g in filter_gaps(ranked, GapFilter(kinds=("overserved",)))]
    ['b']
    >>> [g.id for g in filter_gaps(ranked, GapFilter(min_score=10, top=5))]
    ['a']
    """
    kept = [gap for gap in gaps if keep.keeps(gap)]
    return kept if keep.top is None else kept[: keep.top]


def rank_across(ranked: Sequence[Sequence[Gap]]) -> list[tuple[int, Gap]]:
    """One ranking of the gaps of several maps: (index of the map in `ranked`, gap), best first.

    Each list is one map's `find_gaps`. The order is `find_gaps`'s: score
    descending, unscored entries last; ties keep the maps' order, then each
    map's own order.

    >>> a = [Gap("a", "pre", ("A",), ("underserved",), 12.0, "moderate", 8, 4, "")]
    >>> b = [Gap("b", "pre", ("B",), ("underserved",), 14.0, "high", 8, 2, ""),
    ...      Gap("c", "pre", ("C",), ("unserved",), None, None, None, None, "")]
    >>> [(i, g.id) for i, g in rank_across([a, b])]
    [(1, 'b'), (0, 'a'), (1, 'c')]
    """
    merged = [(index, gap) for index, gaps in enumerate(ranked) for gap in gaps]
    merged.sort(key=lambda entry: (entry[1].score is None, -(entry[1].score or 0.0)))
    return merged


def severity_by_id(gaps: Iterable[Gap]) -> dict[str, Severity]:
    """Activity id -> severity, for colouring the diagram; activities without a gap are absent.

    >>> severity_by_id([Gap("a", "pre", ("A",), ("underserved",), 14.0, "high", 8, 2, ""),
    ...                 Gap(None, "post", (), ("empty-phase",), None, None, None, None, "")])
    {'a': <Severity.HIGH: 'high'>}
    """
    return {gap.id: gap.severity for gap in gaps if gap.id is not None}
