"""What a diagram shows, before any layout: boxes with wrapped text and a style.

The scene is shared by the cycle and flow layouts and by Mermaid, so every
picture numbers, wraps, colours and collapses activities the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cyclemap.gaps import Gap, Severity, effective_threshold, find_gaps, score_views, severity_by_id
from cyclemap.model import PHASE_KEYS, Activity, CycleMap, label_of
from cyclemap.render.text import clean, text_width, wrap
from cyclemap.survey import ALL

if TYPE_CHECKING:
    from cyclemap.survey.views import ScoreViews, SurveyResults, ViewScore

NAME_SIZE = {0: 13.0, 1: 11.0}
"""Font size of an activity's name by depth (deeper levels use the last)."""
METRIC_SIZE = 10.0
LINE_GAP = 1.22
"""Line height as a multiple of the font size."""
PAD_X, PAD_Y = 14.0, 10.0
MARK_ROW = 22.0
"""Height the NEW / CHANGED badge adds above a highlighted activity's name."""
SWATCH = 10.0
"""Side of the colour square before a collapsed box's "worst inside" line, in points."""
MAX_DESCRIPTION = 1000
"""Characters of a description shown in a tooltip before it is cut with '…'."""
MAX_COMPETITORS = 20
"""Competitors of one activity named in its tooltip."""
NO_EVIDENCE = "no evidence"
"""Said after the scores of an activity whose scores cite no evidence (the `unevidenced` gap)."""
COMPETITORS = "Served today by"
"""Starts the line naming an activity's competitors."""
PLACEHOLDER = "No activities mapped yet"
"""What the box of an empty phase says."""
URGENCY = list(Severity)
"""Severities from the most urgent (extreme) to none."""
SHORT_NAME = {
    Severity.EXTREME: "extreme",
    Severity.HIGH: "high",
    Severity.MODERATE: "moderate",
    Severity.PAIN: "left alone or in pain",
    Severity.OVERSERVED: "overserved",
    Severity.NONE: "no gap colour",
}


def name_size(depth: int) -> float:
    return NAME_SIZE.get(depth, NAME_SIZE[1])


def wrap_width(depth: int) -> float:
    """Widest line of an activity's name, in points, by depth."""
    return 150.0 if depth == 0 else 135.0


@dataclass(slots=True)
class Box:
    """One activity (or an empty phase's placeholder) as drawn."""

    key: str
    """Node id in the DOT output: generated, never user text."""
    phase: str
    depth: int
    number: str
    """Position in its phase, e.g. '2.1' (second activity, its first sub-activity)."""
    lines: list[str]
    """The name wrapped to the box's width (a word too long for a line broken inside), perhaps cut with '…'."""
    metrics: str
    severity: Severity
    served: bool
    hidden: int = 0
    """Descendants collapsed by --depth."""
    hidden_marks: str = ""
    """How many of those are new or changed, e.g. '1 new, 2 changed' (with a `Highlight`)."""
    hidden_worst: Severity = Severity.NONE
    """The most urgent severity among the collapsed descendants (NONE: no gap colour among them)."""
    description: str = ""
    competitors: list[str] = field(default_factory=list)
    """Who else serves the activity today (cleaned text), for the tooltip."""
    notes: list[str] = field(default_factory=list)
    """Small lines under the metrics: the competitors, in layouts with room for them (`build_scene(details=True)`)."""
    placeholder: bool = False
    mark: str = ""
    """'new' or 'changed' when changes since a revision are highlighted (see `Highlight`)."""
    children: list[Box] = field(default_factory=list)
    name: str = ""
    """The whole name, cleaned but not wrapped: what text others copy shows (tooltips, Mermaid labels)."""
    width: float = 0.0
    height: float = 0.0
    """Size in points."""


@dataclass
class PhaseView:
    key: str
    label: str
    boxes: list[Box]
    """Top-level boxes (a single placeholder when the phase is empty)."""


@dataclass(frozen=True)
class Highlight:
    """Activities to draw as new or changed since a revision (`render --highlight-changes-since`)."""

    since: str
    """The revision as the user gave it, for the legend."""
    marks: Mapping[str, str]
    """Activity id -> 'new' or 'changed' (see `cyclemap.diff.change_marks`)."""


@dataclass
class Scene:
    title: str
    customer: str
    outcome: str
    owner: str
    scale_min: float
    scale_max: float
    phases: list[PhaseView]
    since: str = ""
    """The revision changes are highlighted since; '' when they are not."""
    threshold: float = 10.0
    """The opportunity score from which an activity is underserved (the map's, or --threshold)."""
    overserved_margin: float = 3.0
    """How far (0-10 scale) satisfaction exceeds importance before an activity is overserved."""
    caption: str = ""
    """Whose gaps the colours show ("Gaps for: Upgraders (upgraders), survey n=150"); '' for a map
    without segments or a survey."""
    surveyed: bool = False
    """Some box shows survey scores (0 to 10, with their number of answers)."""

    def all_boxes(self) -> list[Box]:
        out: list[Box] = []
        stack = [b for p in reversed(self.phases) for b in reversed(p.boxes)]
        while stack:
            box = stack.pop()
            out.append(box)
            stack.extend(reversed(box.children))
        return out


def build_scene(  # noqa: PLR0913 - the scene's settings, spelled out for callers without RenderOptions
    cmap: CycleMap,
    max_depth: int | None = None,
    threshold: float | None = None,
    highlight: Highlight | None = None,
    *,
    details: bool = False,
    view: str = ALL,
    survey: SurveyResults | None = None,
) -> Scene:
    """Turn a map into boxes, coloured by the same severities `cyclemap gaps` reports in `view`.

    With `details`, boxes also name the activity's competitors (the flow layout has room for them).
    `view` ("all" or a segment id) and `survey` (the map's survey's results)
    choose the scores, as for `cyclemap.gaps.find_gaps`; ValueError for a view
    the map does not have.
    """
    gaps = find_gaps(cmap, threshold, view, survey=survey)
    views = score_views(cmap, survey)
    builder = _Builder(severity_by_id(gaps), _unevidenced(gaps), max_depth, highlight.marks if highlight else {},
                       views=views, view=view)
    builder.details = details
    phases = []
    for key in PHASE_KEYS:
        phase = cmap.phase(key)
        boxes = [builder.box(a, key, 0, str(n)) for n, a in enumerate(phase.activities, start=1)]
        phases.append(PhaseView(key, clean(label_of(key, phase), 60), boxes or [builder.placeholder(key)]))
    return Scene(
        title=clean(cmap.title),
        customer=clean(cmap.customer),
        outcome=clean(cmap.outcome),
        owner=clean(cmap.owner or ""),
        scale_min=cmap.scale.min,
        scale_max=cmap.scale.max,
        phases=phases,
        since=clean(highlight.since, 60) if highlight else "",
        threshold=effective_threshold(cmap, threshold),
        overserved_margin=cmap.gaps.overserved_margin,
        caption=clean(views.caption(view), 120) if cmap.segments or cmap.survey is not None else "",
        surveyed=builder.surveyed,
    )


def _unevidenced(gaps: list[Gap]) -> set[str]:
    """Ids of the activities whose scores cite no evidence (the `unevidenced` gap)."""
    return {gap.id for gap in gaps if gap.id is not None and "unevidenced" in gap.kinds}


@dataclass
class _Builder:
    severities: dict[str, Severity]
    unevidenced: set[str]
    max_depth: int | None
    marks: Mapping[str, str]
    views: ScoreViews
    view: str
    made: int = 0
    details: bool = False
    surveyed: bool = False
    """A box shows survey scores."""

    def _key(self) -> str:
        self.made += 1
        return f"a{self.made}"

    def box(self, activity: Activity, phase: str, depth: int, number: str) -> Box:
        name = clean(activity.name)
        box = Box(
            key=self._key(),
            phase=phase,
            depth=depth,
            number=number,
            name=name,
            lines=wrap(name, wrap_width(depth), name_size(depth), bold=depth == 0),
            metrics=_metrics(activity, self._scores(activity), (activity.id or "") in self.unevidenced),
            severity=self.severities.get(activity.id or "", Severity.NONE),
            served=bool(activity.offerings),
            mark=self.marks.get(activity.id or "", ""),
            description=clean(activity.description or "", MAX_DESCRIPTION),
            competitors=[clean(c, 120) for c in activity.competitors[:MAX_COMPETITORS]],
        )
        if self.details and box.competitors:
            box.notes = competitor_lines(box.competitors, wrap_width(depth))
        if self.max_depth is not None and depth >= self.max_depth:
            hidden = _descendants(activity.subcycle)
            box.hidden = len(hidden)
            box.hidden_marks = self._hidden_marks(hidden)
            found = (self.severities.get(a.id or "", Severity.NONE) for a in hidden)
            box.hidden_worst = min(found, key=URGENCY.index, default=Severity.NONE)
        else:
            box.children = [
                self.box(child, phase, depth + 1, f"{number}.{n}") for n, child in enumerate(activity.subcycle, start=1)
            ]
        _size(box)
        return box

    def _scores(self, activity: Activity) -> ViewScore | None:
        found = self.views.score(activity, self.view)
        self.surveyed = self.surveyed or (found is not None and found.survey is not None)
        return found

    def _hidden_marks(self, hidden: list[Activity]) -> str:
        if not self.marks:
            return ""
        found = [self.marks.get(a.id or "", "") for a in hidden]
        return ", ".join(f"{found.count(mark)} {mark}" for mark in ("new", "changed") if mark in found)

    def placeholder(self, phase: str) -> Box:
        """The box an empty phase shows, so the gap is visible."""
        box = Box(
            key=self._key(),
            phase=phase,
            depth=0,
            number="",
            name=PLACEHOLDER,
            lines=[PLACEHOLDER],
            metrics="",
            severity=Severity.PAIN,
            served=False,
            placeholder=True,
        )
        _size(box)
        return box


def _descendants(activities: list[Activity]) -> list[Activity]:
    return [d for a in activities for d in (a, *_descendants(a.subcycle))]


def _number(value: float | int) -> str:
    return f"{value:g}"


def _metrics(activity: Activity, scored: ViewScore | None, unevidenced: bool = False) -> str:
    """The small line under a name: the view's scores (and whether they lack evidence) and open pains.

    Survey scores show to one decimal with the fewest answers behind them ("imp 9.3 · sat 0.2 · n=146"),
    and "thin" when under the survey's min_n.
    """
    parts = []
    survey = None if scored is None else scored.survey
    if survey is not None:
        parts += [f"imp {survey.importance.value:.1f}", f"sat {survey.satisfaction.value:.1f}",
                  f"n={min(survey.importance.n, survey.satisfaction.n)}", *(["thin"] if survey.thin else [])]
    elif scored is not None:
        parts += [f"{word} {_number(value)}" for word, value in (("imp", scored.importance),
                                                                   ("sat", scored.satisfaction)) if value is not None]
    if unevidenced:
        parts.append(NO_EVIDENCE)
    if activity.pains and not activity.offerings:
        parts.append(f"{len(activity.pains)} pain{'s' * (len(activity.pains) > 1)}")
    return " · ".join(parts)


def box_lines(box: Box) -> list[tuple[str, float, bool]]:
    """Each text line of a box with its font size and boldness, top to bottom."""
    size = name_size(box.depth)
    lines = [(line, size, box.depth == 0 and not box.placeholder) for line in box.lines]
    return lines + [(f, METRIC_SIZE, False) for f in footer_lines(box)]


def footer_lines(box: Box) -> list[str]:
    """The small lines under a box's name: scores, notes, what a collapsed subcycle hides, and last its worst gap."""
    footer = [box.metrics] if box.metrics else []
    footer += box.notes
    if box.hidden:
        footer.append(f"+{box.hidden} more in subcycle" + (f" ({box.hidden_marks})" if box.hidden_marks else ""))
    if box.hidden_worst is not Severity.NONE:
        footer.append(worst_inside(box.hidden_worst))
    return footer


def competitor_lines(competitors: list[str], width: float, max_lines: int = 3) -> list[str]:
    """'Served today by: A, B, +2 more' in lines of `width` points: as many whole names as fit in `max_lines`.

    >>> competitor_lines(["AWS", "Microsoft Azure", "Google Cloud", "OVHcloud"], 150, max_lines=2)
    ['Served today by: AWS,', 'Microsoft Azure, +2 more']
    """
    for shown in range(len(competitors), 0, -1):
        rest = len(competitors) - shown
        text = f"{COMPETITORS}: " + ", ".join([*competitors[:shown], *([f"+{rest} more"] if rest else [])])
        lines = wrap(text, width, METRIC_SIZE, max_lines=max_lines + 1)
        if len(lines) <= max_lines:
            return lines
    return wrap(text, width, METRIC_SIZE, max_lines=max_lines)


def worst_inside(severity: Severity) -> str:
    """The line of a collapsed box naming the most urgent gap folded inside it."""
    return f"worst inside: {SHORT_NAME[severity]}"


def _size(box: Box) -> None:
    lines = box_lines(box)
    number_width = text_width(box.number + "  ", name_size(box.depth)) if box.number else 0.0
    widest = max(text_width(text, size, bold) for text, size, bold in lines)
    swatch = SWATCH + 10 if box.hidden_worst is not Severity.NONE else 0.0  # drawn before the "worst inside" line
    box.width = max(widest + number_width + 2 * PAD_X, 90.0, text_width(lines[-1][0], METRIC_SIZE) + swatch + 2 * PAD_X)
    box.height = sum(size * LINE_GAP for _, size, _ in lines) + 2 * PAD_Y + (MARK_ROW if box.mark else 0.0)
