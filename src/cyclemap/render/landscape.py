"""The opportunity landscape: importance (x) against satisfaction (y), regions shaded, one marker per activity.

Drawn like the other layouts: every position is computed here (in points,
y up) and Graphviz (`neato -n2`) only draws it, so fonts and output formats
match the other pictures and ``-f dot`` works. The shaded regions, grid lines
and axes are Graphviz's ``_background`` drawing operations (xdot), beneath
the nodes; every text, marker, leader line and arrow is a pinned node or edge.

Each marker is a node whose name is its tooltip (Graphviz writes a node's name
as the SVG ``<title>``: number, name, phase, importance, satisfaction, score
and n), with the SVG id ``pt-<activity id>`` (``pt-<view>-<activity id>`` when
each segment has a panel, ``pt-<view>_<activity id>`` where that would clash).
Labels ("1.2 Name") are placed around their marker, nearest first, never over
another label, a marker, an arrow or a leader line;
when one cannot be placed, the panel labels its markers with numbers only and
lists them beside the plot. Activities at the same point share one place, with
a "x3" badge. With ``--since`` each activity that moved 0.5 or more has an
arrow from where it was, and new ones a NEW badge.

`chart_of` gathers what to draw; `landscape_dot` draws it for any plot size
(`plot_side`), with or without title and key (`standalone`), so a page of
fixed size (the workshop pack) can call it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cyclemap.gaps import Severity, score_views
from cyclemap.landscape import AXIS_TOP, Point, Regions, landscape_points, regions_of
from cyclemap.model import PHASE_KEYS, label_of
from cyclemap.render.geometry import Deadline, Grid, Rect, Segment, edge_line
from cyclemap.render.scene import SHORT_NAME, URGENCY, Scene
from cyclemap.render.style import FILL, FONT, HIGHLIGHT, INK, MARK_TEXT, MUTED, PHASE_INK, mark_cell, title_label
from cyclemap.render.text import clean, html_text, text_width
from cyclemap.survey import ALL

if TYPE_CHECKING:
    from cyclemap.model import CycleMap
    from cyclemap.survey.views import SurveyResults

EACH = "each"
"""`--segment each`: one panel per view ("all", then each segment)."""
PLOT_SIDE = 540.0
"""Side of a plot's square in points (the axes' length)."""
MARKER = 11.0
"""Diameter of a marker, in points."""
PLOT_PAD = MARKER / 2 + 2.5
"""Points the plot's frame (its shading and grid) reaches past 0 and 10, so a marker there stays inside it."""
LABEL_SIZE = 9.5
NUMBER_SIZE = 9.0
LABEL_WIDTH = 165.0
"""Widest label text before its name is cut with '…'."""
LABEL_GAP = 1.5
"""Least space between a label and anything else."""
LEADER_FROM = 7.0
"""A label further than this from its marker gets a leader line."""
NEAR = (1.5, 6.0)
FAR = (12.0, 20.0, 30.0, 42.0, 56.0, 72.0, 90.0, 110.0, 135.0, 165.0, 200.0)
FARTHEST = (240.0, 290.0, 350.0, 420.0)
"""Distances from a marker at which a label is tried: the numbers of a crowded panel go further."""
NAMED_REACH = 6
"""Distances of `FAR` tried for a named label (up to 56 points): further out, its number is clearer."""
MOVED_FROM = 0.5
"""Smallest move (0-10 units) since the revision that gets an arrow."""
PANEL_GAP = 46.0
LIST_GAP = 26.0
LIST_ROW = 13.0
LIST_SIZE = 9.0
LIST_NAME_WIDTH = 190.0
TICK_SIZE = 9.0
AXIS_SIZE = 11.0
CAPTION_SIZE = 13.0
LEFT_MARGIN, BOTTOM_MARGIN, TOP_MARGIN = 34.0, 52.0, 52.0
"""Room around a plot: tick labels and axis titles."""
REGION_STYLE = {
    # region: (fill, line and text colour)
    "underserved": ("#fde8dc", "#c9471f"),
    "extreme": ("#f6c7c0", "#a50f15"),
    "overserved": ("#e1ecf7", "#2f6a9e"),
}
GRID = "#d9d9d9"
TIMES, MINUS = "\u00d7", "\u2212"
FRAME = "#8c8c8c"
X_TITLE = "Importance to the customer  →"
Y_TITLE = "↑  Satisfaction with how it is done today"


# -- what to draw ------------------------------------------------------------------


@dataclass(frozen=True)
class Before:
    """Where the activities were at a revision (`render --since REV`)."""

    rev: str
    places: Mapping[str, Mapping[str, tuple[float, float]]]
    """View -> activity id -> (importance, satisfaction) at the revision, on 0-10."""
    known: frozenset[str]
    """Ids of the activities the map had at the revision (any other one is new)."""


@dataclass(frozen=True)
class Panel:
    view: str
    caption: str
    points: list[Point]
    marks: Mapping[str, str] = field(default_factory=dict)
    """Phase key -> the short mark before its numbers ("D" for Deciding: "D1.2"); see `phase_marks`."""

    def tag(self, point: Point) -> str:
        """The activity's number as the panel shows it: its phase's mark, then its place ("D1.2")."""
        return self.marks.get(point.phase, "") + point.number


@dataclass(frozen=True)
class Chart:
    """Everything a landscape shows, before any layout."""

    title: str
    customer: str
    owner: str
    regions: Regions
    panels: list[Panel]
    per_view_ids: bool = False
    """Marker ids name the view (``pt-<view>-<id>``): several panels share activities."""
    ids: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(view, activity id) -> marker id, where it is not `marker_id`'s (see `marker_ids`)."""
    before: Before | None = None
    phases: tuple[tuple[str, str], ...] = ()
    """(key, label) of each phase, for the key's number colours."""

    def marker_id(self, point: Point, view: str) -> str:
        """The SVG id of `point`'s marker in the panel of `view`: `marker_id`'s, unless it would clash."""
        return self.ids.get((view, point.id)) or marker_id(point, view, self.per_view_ids)


def chart_of(  # noqa: PLR0913 - the render options a landscape reads, by keyword
    cmap: CycleMap,
    *,
    threshold: float | None = None,
    view: str = ALL,
    survey: SurveyResults | None = None,
    before: Before | None = None,
    min_n: int | None = None,
) -> Chart:
    """The landscape of `cmap` in `view` ("all", a segment id, or `EACH` for a panel per view)."""
    views = score_views(cmap, survey)
    shown = list(views.views()) if view == EACH else [views.check_view(view)]
    phases = shown_phases(cmap)
    marks = phase_marks(phases)
    panels = [
        Panel(v, clean(views.caption(v).removeprefix("Gaps for: "), 120),
              landscape_points(cmap, threshold, v, survey=survey, min_n=min_n), marks)
        for v in shown
    ]
    return Chart(clean(cmap.title), clean(cmap.customer), clean(cmap.owner or ""), regions_of(cmap, threshold),
                 panels, per_view_ids=view == EACH, ids=marker_ids(panels, view == EACH), before=before,
                 phases=phases)


def shown_phases(cmap: CycleMap) -> tuple[tuple[str, str], ...]:
    """Each phase's key and its label as the landscape shows it (and takes its mark from, see `phase_marks`)."""
    return tuple((key, clean(label_of(key, cmap.phase(key)), 40)) for key in PHASE_KEYS)


def phase_marks(phases: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A short, distinct mark per phase for the landscape's numbers: its label's first letters.

    Numbers restart in each phase, so "1.2" alone could be any of three
    activities; "D1.2" is Deciding 1.2. The fewest first letters (up to three)
    that tell each label from the others, else the phase keys' ("Pr", "Du", "Po").

    >>> phase_marks([("pre", "Deciding"), ("during", "Installing"), ("post", "Living with it")])
    {'pre': 'D', 'during': 'I', 'post': 'L'}
    >>> phase_marks([("pre", "Pre"), ("during", "During"), ("post", "Post")])
    {'pre': 'Pr', 'during': 'D', 'post': 'Po'}
    """
    pairs = list(phases)
    letters = {key: "".join(ch for ch in label if ch.isalpha()) for key, label in pairs}

    def shortest(word: str) -> str:
        for count in range(1, MARK_LETTERS + 1):
            mark = _mark(word, count)
            if sum(_mark(other, count) == mark for other in letters.values()) == 1:
                return mark
        return ""

    marks = {key: shortest(word) for key, word in letters.items()}
    if all(marks.values()) and len(set(marks.values())) == len(pairs):
        return marks
    return {key: _mark(key, 2) for key, _ in pairs}


MARK_LETTERS = 3
"""Most letters of a phase's mark taken from its label."""


def _mark(word: str, count: int) -> str:
    return word[:count][:1].upper() + word[1:count].lower()


def before_of(cmap: CycleMap, survey: SurveyResults | None, rev: str, views: Iterable[str]) -> Before:
    """`Before` from the map (and its survey's results) as it was at `rev`, in each of `views` it had."""
    places = {v: {p.id: (p.importance, p.satisfaction) for p in landscape_points(cmap, None, v, survey=survey)}
              for v in views if v in score_views(cmap, survey).views()}
    return Before(rev, places, frozenset(visit.activity.id or "" for visit in cmap.walk()))


# -- placing -----------------------------------------------------------------------


@dataclass
class _Label:
    point: Point
    text: str
    html: str
    w: float
    h: float
    rect: Rect | None = None
    leader: bool = False


@dataclass
class _Marker:
    x: float
    y: float
    points: list[Point]
    """The activities at this place, most urgent last (drawn on top)."""


@dataclass
class PlacedPanel:
    """One panel laid out, in its own coordinates (the plot's lower left corner at 0, 0)."""

    panel: Panel
    side: float
    markers: list[_Marker]
    labels: list[_Label]
    badges: list[tuple[str, Rect]]
    region_labels: list[tuple[str, str, Rect]]
    numbered: bool
    arrows: list[tuple[Point, float, float]] = field(default_factory=list)
    """(point, x, y): an arrow from (x, y) (where the activity was) to its marker."""
    listing: tuple[str, float, float] | None = None
    """The numbered list beside the plot (HTML label, width, height) when `numbered`."""
    listed: list[Point] = field(default_factory=list)
    """The activities labelled by number only, in document order (the numbered list's)."""
    unmarked: frozenset[str] = frozenset()
    """Activities of the list whose number found no room on the plot: the list gives their place (`place_text`)."""

    @property
    def beside(self) -> float:
        """Points that region labels beside the plot take right of its frame (`_beside`)."""
        return max((rect.right - self.side - PLOT_PAD for _, _, rect in self.region_labels), default=0.0) if any(
            rect.right > self.side + PLOT_PAD for _, _, rect in self.region_labels) else 0.0

    @property
    def width(self) -> float:
        return self.side + 2 * PLOT_PAD + self.beside + (LIST_GAP + self.listing[1] if self.listing else 0.0)


def _markers(points: list[Point], unit: float) -> list[_Marker]:
    """One marker per place, in document order of its first activity; its activities most urgent last."""
    by_place: dict[tuple[float, float], _Marker] = {}
    for point in points:
        place = (round(point.importance * unit, 3), round(point.satisfaction * unit, 3))
        by_place.setdefault(place, _Marker(place[0], place[1], [])).points.append(point)
    for marker in by_place.values():
        marker.points.sort(key=lambda p: -URGENCY.index(p.severity))
    return list(by_place.values())


def _priority(point: Point) -> tuple[int, float]:
    return URGENCY.index(point.severity), -point.score


def short_label(point: Point, width: float = LABEL_WIDTH, tag: str | None = None) -> str:
    """"D1.2 Name" (`tag`, by default the bare number, then the name), the name cut with '…' to fit `width` points.

    >>> short_label(Point("a", "1.2", "pre", "Choose an installer", 8, 4, 12, Severity.HIGH), tag="D1.2")
    'D1.2 Choose an installer'
    """
    number = point.number if tag is None else tag
    name = clean(point.name, 120)
    text = f"{number} {name}"
    if text_width(text, LABEL_SIZE) <= width:
        return text
    while name and text_width(f"{number} {name}…", LABEL_SIZE) > width:
        name = name[:-1]
    return f"{number} {name.rstrip()}…"


def _label(point: Point, tag: str, numbered: bool, new: bool) -> _Label:
    text = tag if numbered else short_label(point, tag=tag)
    size = NUMBER_SIZE if numbered else LABEL_SIZE
    number, _, rest = text.partition(" ")
    body = f'<FONT COLOR="{PHASE_INK[point.phase]}"><B>{html_text(number)}</B></FONT>'
    if rest:
        body += f"&#160;{html_text(rest)}"
    body = f'<FONT POINT-SIZE="{size:g}" COLOR="{INK}">{body}</FONT>'
    w = text_width(number, size, bold=True) + (text_width(" " + rest, size) if rest else 0.0) + 4
    h = size * 1.45
    if new:
        badge = text_width(MARK_TEXT["new"], 8.0, bold=True) + 10
        table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
        body = f'<{table}<TR>{mark_cell("new")}<TD WIDTH="3"></TD><TD>{body}</TD></TR></TABLE>>'
        w, h = w + badge + 3, max(h, 15.0)
    else:
        body = f"<{body}>"
    return _Label(point, text, body, w, h)


class _Room:
    """What a panel's labels must keep clear of: boxes (markers, labels, badges) and lines."""

    def __init__(self, side: float) -> None:
        self.side = side
        self.boxes: Grid[Rect] = Grid(60.0)
        self.lines: Grid[Segment] = Grid(60.0)
        self.markers: Grid[Rect] = Grid(60.0)

    def inside(self, rect: Rect) -> bool:
        low, high = 1 - PLOT_PAD, self.side + PLOT_PAD - 1  # within the frame, which is padded past 0 and 10
        return rect.left >= low and rect.bottom >= low and rect.right <= high and rect.top <= high

    def free(self, rect: Rect, owner: Rect | None = None) -> bool:
        """Whether `rect` keeps `LABEL_GAP` clear of every box and line (other than its own marker `owner`)."""
        if not self.inside(rect):
            return False
        if any(rect.overlaps(other, LABEL_GAP) for other in self.boxes.near(rect, LABEL_GAP)):
            return False
        return not any(line.reaches(rect, LABEL_GAP) for line in self.lines.near(rect, LABEL_GAP))

    def clear_leader(self, leader: Segment, own: Rect, label: Rect, *, cross: int = 0) -> bool:
        """Whether a leader line misses every marker but its own and every other line; `cross` is the last
        resort of a crowded plot: 1 lets it cross other lines, 2 also other labels (never a marker)."""
        bounds = leader.bounds
        for other in (self.markers if cross >= CROSS_LABELS else self.boxes).near(bounds, 2.0):
            if other not in (own, label) and leader.reaches(other, 1.0):
                return False
        return cross >= CROSS_LINES or not any(leader.crosses(line) for line in self.lines.near(bounds, 1.0))

    def add_box(self, rect: Rect) -> None:
        self.boxes.add(rect, rect)

    def add_marker(self, rect: Rect) -> None:
        self.boxes.add(rect, rect)
        self.markers.add(rect, rect)

    def add_line(self, line: Segment) -> None:
        self.lines.add_line(line, line)


def _directions(count: int) -> list[tuple[float, float]]:
    """Unit directions to try, right, left, up and down first, then between."""
    first = [0.0, 180.0, 90.0, 270.0, 45.0, 135.0, 315.0, 225.0]
    more = [a + 22.5 for a in range(0, 360, 45)]
    angles = first if count <= 8 else first + more
    return [(math.cos(math.radians(a)), math.sin(math.radians(a))) for a in angles]


CROSS_LINES, CROSS_LABELS = 1, 2
"""How far a last-resort leader line may go: across other lines, then also across other labels."""


def _place(label: _Label, marker: _Marker, room: _Room, distances: Iterable[float], *, cross: int = 0) -> bool:
    """Put `label` at the nearest free place around its marker; False when there is none.

    Its leader line (if it needs one) misses other markers and labels; with
    `cross` it may cross other lines, then labels (the last resorts of a crowded plot; see `clear_leader`).
    """
    own = _marker_rect(marker)
    reach = MARKER / 2
    for distance in distances:
        for ux, uy in _directions(8 if distance <= NEAR[-1] else 16):
            x = marker.x + ux * (reach + distance + label.w / 2)
            y = marker.y + uy * (reach + distance + label.h / 2)
            rect = Rect(round(x, 2), round(y, 2), label.w, label.h)
            if not room.free(rect):
                continue
            leader = distance > LEADER_FROM
            line = Segment(marker.x, marker.y, rect.x, rect.y)
            if leader and not room.clear_leader(line, own, rect, cross=cross):
                continue
            label.rect, label.leader = rect, leader
            room.add_box(rect)
            if leader:
                room.add_line(line)
            return True
    return False


GIVE_UP = 25
"""Labels of one kind (names, or numbers) that in a row find no place before the rest are not tried
(a number counts as not placed when it needs the last resort, crossing other lines)."""


class _Tries:
    """Whether labels of one kind are still worth trying: not once `GIVE_UP` in a row found no place.

    The room only fills up, so on a plot that crowded the rest would be searched
    in vain, each around its marker out to the farthest distance (a thousand
    activities took seconds); those activities are in the panel's list.
    """

    def __init__(self) -> None:
        self.misses = 0

    @property
    def open(self) -> bool:
        return self.misses < GIVE_UP

    def went(self, placed: bool) -> bool:
        """Count a try (`placed`: whether it found a place); return `placed`."""
        self.misses = 0 if placed else self.misses + 1
        return placed


def _marker_rect(marker: _Marker) -> Rect:
    return Rect(marker.x, marker.y, MARKER, MARKER)


def lay_out_panel(
    panel: Panel, side: float, regions: Regions, before: Before | None, deadline: Deadline
) -> PlacedPanel:
    """Place a panel's markers, badges, region labels and activity labels.

    Labels are placed most urgent first, each at the nearest free place; a
    label that finds none falls back to its number (placed after every named
    one, further out if need be), and the panel lists the numbered activities.
    """
    unit = side / AXIS_TOP
    markers = _markers(panel.points, unit)
    new = set() if before is None else {p.id for p in panel.points if p.id not in before.known}
    arrows = _arrows(panel, before, unit)
    room = _Room(side)
    for marker in markers:
        room.add_marker(_marker_rect(marker))
    where = {p.id: m for m in markers for p in m.points}
    for point, x, y in arrows:
        room.add_line(Segment(x, y, where[point.id].x, where[point.id].y))
    badges = _badges(markers, room)
    region_labels = _region_labels(regions, side, room)
    order = sorted((p for m in markers for p in m.points), key=_priority)
    labels, numbered = [], []
    names, numbers = _Tries(), _Tries()
    for point in order:
        deadline.check("landscape")
        label = _label(point, panel.tag(point), False, point.id in new)
        if not names.went(names.open and _place(label, where[point.id], room, (*NEAR, *FAR[:NAMED_REACH]))):
            numbered.append(point)
            label = _label(point, panel.tag(point), True, point.id in new)
            if not numbers.open:
                continue
            if not (numbers.went(_place(label, where[point.id], room, (*NEAR, *FAR, *FARTHEST)))
                    or _place(label, where[point.id], room, (*NEAR, *FAR, *FARTHEST), cross=CROSS_LINES)
                    or _place(label, where[point.id], room, (*NEAR, *FAR, *FARTHEST), cross=CROSS_LABELS)):
                continue
        labels.append(label)
    result = PlacedPanel(panel, side, markers, labels, badges, region_labels, bool(numbered), arrows)
    if numbered:
        result.listed = [p for p in panel.points if p in numbered]
        on_plot = {label.point.id for label in labels}
        result.unmarked = frozenset(p.id for p in numbered if p.id not in on_plot)
        result.listing = _listing(panel, result.listed, side, result.unmarked)
    return result


def place_text(point: Point) -> str:
    """Where an activity whose number found no room on the plot is: "(7.4, 2.8)", importance and satisfaction."""
    return f"({point.importance:.1f}, {point.satisfaction:.1f})"


def _arrows(panel: Panel, before: Before | None, unit: float) -> list[tuple[Point, float, float]]:
    """An arrow's start for each activity that moved `MOVED_FROM` or more since the revision."""
    if before is None:
        return []
    was = before.places.get(panel.view, {})
    found = []
    for point in panel.points:
        old = was.get(point.id)
        if old is not None and math.dist(old, (point.importance, point.satisfaction)) >= MOVED_FROM:
            found.append((point, round(old[0] * unit, 3), round(old[1] * unit, 3)))
    return found


def _badges(markers: list[_Marker], room: _Room) -> list[tuple[str, Rect]]:
    """A "x3" (multiplication sign) beside each marker that stands for several activities, upper right if free."""
    badges = []
    for marker in markers:
        if len(marker.points) < 2:
            continue
        text = f"{TIMES}{len(marker.points)}"
        w, h = text_width(text, 8.5, bold=True) + 4, 12.0
        for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1)):  # upper right first, like an exponent
            rect = Rect(marker.x + sx * (MARKER / 2 + LABEL_GAP + 0.2 + w / 2), marker.y + sy * h / 2, w, h)
            if room.free(rect):
                room.add_box(rect)
                badges.append((text, rect))
                break
    return badges


REGION_TEXT = {
    "extreme": "Extreme: score {extreme:g}+",
    "underserved": "Underserved: score {threshold:g}+",
    "overserved": "Overserved: satisfaction {margin:g}+ above importance",
}
"""Each region's words (the key says them in full; the plot breaks them after the colon)."""


def region_names(regions: Regions) -> dict[str, str]:
    """Each region drawn and its words; the extreme region only when it differs from the underserved one."""
    words = {"threshold": regions.threshold, "extreme": regions.extreme_from, "margin": regions.overserved_margin}
    found = {}
    if regions.score_polygon(regions.threshold):
        found["underserved"] = REGION_TEXT["underserved"].format(**words)
    if regions.extreme_from > regions.threshold and regions.score_polygon(regions.extreme_from):
        found["extreme"] = REGION_TEXT["extreme"].format(**words)
    if regions.overserved_polygon():
        found["overserved"] = REGION_TEXT["overserved"].format(**words)
    return found


def _region_labels(regions: Regions, side: float, room: _Room) -> list[tuple[str, str, Rect]]:
    """Each region's name inside it, as near its far corner as markers allow (left out if nowhere fits)."""
    unit = side / AXIS_TOP
    extreme = regions.extreme_from > regions.threshold

    def within(kind: str, i: float, s: float) -> bool:
        if kind == "overserved":
            return regions.overserved(i, s)
        if kind == "extreme":
            return regions.underserved(i, s, at=regions.extreme_from)
        return regions.underserved(i, s) and not (extreme and regions.underserved(i, s, at=regions.extreme_from))

    corners = {"extreme": (AXIS_TOP, 0.0), "underserved": (AXIS_TOP, AXIS_TOP), "overserved": (0.0, AXIS_TOP)}
    found = []
    for kind, text in region_names(regions).items():
        head, _, tail = text.partition(": ")
        w, h = max(text_width(head, 9.0, bold=True), text_width(tail, 8.5)) + 6, 26.0
        corner_x, corner_y = corners[kind][0] * unit, corners[kind][1] * unit
        spots = []
        step = unit / 4
        for gx in range(int(side / step) + 1):
            for gy in range(int(side / step) + 1):
                rect = Rect(gx * step, gy * step, w, h)
                ends = [(x / unit, y / unit) for x in (rect.left, rect.right) for y in (rect.bottom, rect.top)]
                if all(within(kind, i, s) for i, s in ends):
                    spots.append((math.dist((rect.x, rect.y), (corner_x, corner_y)), gx, gy, rect))
        spot = next((rect for *_, rect in sorted(spots, key=lambda s: s[:3]) if room.free(rect)), None)
        if spot is not None:
            room.add_box(spot)
            found.append((kind, text, spot))
        elif kind != "overserved":
            found.append((kind, text, _beside(regions, kind, side, w, h)))
    return found


def _beside(regions: Regions, kind: str, side: float, w: float, h: float) -> Rect:
    """Where a score region too narrow for its label inside is labelled: just right of the plot's frame, level
    with the middle of the band where the region meets the right edge (I = 10)."""
    unit = side / AXIS_TOP
    top_at = regions.threshold if kind == "underserved" else regions.extreme_from
    high = min(AXIS_TOP, 2 * AXIS_TOP - top_at)
    low = 0.0
    if kind == "underserved" and regions.extreme_from > regions.threshold:
        low = max(0.0, 2 * AXIS_TOP - regions.extreme_from)
    y = min(max((low + high) / 2 * unit, h / 2 - PLOT_PAD), side + PLOT_PAD - h / 2)
    return Rect(side + PLOT_PAD + BESIDE_GAP + w / 2, y, w, h)


BESIDE_GAP = 6.0
"""Points between the plot's frame and a region label beside it."""


def _listing(panel: Panel, points: list[Point], side: float = PLOT_SIDE,
             unmarked: frozenset[str] = frozenset()) -> tuple[str, float, float]:
    """The numbered list beside a crowded plot: number and name of each activity labelled by its number only,
    and the place of each whose number found no room on the plot (`unmarked`).

    In document order (phase by phase, the numbers in their phase's colour), in
    columns of up to a plot's height.
    """
    per_column = max(1, int(side / LIST_ROW))
    columns = [points[i:i + per_column] for i in range(0, len(points), per_column)]
    names = {p.id: short_label(p, LIST_NAME_WIDTH).partition(" ")[2] + (f" {place_text(p)}" if p.id in unmarked
                                                                       else "") for p in points}
    number_w = max(text_width(panel.tag(p), LIST_SIZE, bold=True) for p in points) + 6
    name_w = max(text_width(name, LIST_SIZE) for name in names.values()) + 8
    rows = []
    for row in range(len(columns[0])):
        cells = []
        for column in columns:
            if row < len(column):
                point = column[row]
                cells.append(f'<TD ALIGN="RIGHT" WIDTH="{number_w:.0f}"><FONT COLOR="{PHASE_INK[point.phase]}"><B>'
                             f'{html_text(panel.tag(point))}</B></FONT></TD><TD ALIGN="LEFT" WIDTH="{name_w:.0f}">'
                             f"{html_text(names[point.id])}</TD>")
            else:
                cells.append(f'<TD WIDTH="{number_w:.0f}"></TD><TD WIDTH="{name_w:.0f}"></TD>')
        rows.append("<TR>" + "".join(cells) + "</TR>")
    table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
    html = f'<<FONT POINT-SIZE="{LIST_SIZE:g}" COLOR="{INK}">{table}{"".join(rows)}</TABLE></FONT>>'
    return html, len(columns) * (number_w + name_w + 4), len(columns[0]) * LIST_ROW


# -- drawing -----------------------------------------------------------------------


class _Canvas:
    """Graphviz's ``_background``: xdot drawing operations beneath every node (points, y up)."""

    def __init__(self) -> None:
        self.ops: list[str] = []

    @staticmethod
    def _text(value: str) -> str:
        return f"{len(value.encode('utf-8'))} -{value}"

    def pen(self, colour: str, width: float = 1.0, style: str = "solid") -> None:
        self.ops += [f"c {self._text(colour)}", f"S {self._text(f'setlinewidth({width:g})')}", f"S {self._text(style)}"]

    def polygon(self, points: list[tuple[float, float]], fill: str | None = None) -> None:
        coords = " ".join(f"{x:.2f} {y:.2f}" for x, y in points)
        if fill is not None:
            self.ops += [f"C {self._text(fill)}", f"P {len(points)} {coords}"]
        else:
            self.ops.append(f"p {len(points)} {coords}")

    def line(self, points: list[tuple[float, float]]) -> None:
        self.ops.append(f"L {len(points)} " + " ".join(f"{x:.2f} {y:.2f}" for x, y in points))


@dataclass
class _Dot:
    """Nodes and edges of the picture, in drawing order, and its background."""

    nodes: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    canvas: _Canvas = field(default_factory=_Canvas)
    made: int = 0

    def text(self, html: str, x: float, y: float, *, name: str | None = None) -> str:
        """A text node centred on (x, y): `html` is a finished HTML-like label."""
        if name is None:
            self.made += 1
            name = f"t{self.made}"
        self.nodes.append((name, {"label": html, "shape": "plaintext", "margin": "0", "pos": _pos(x, y)}))
        return name


def _pos(x: float, y: float) -> str:
    return f"{x:.2f},{y:.2f}!"


def _inches(points: float) -> str:
    return f"{points / 72:.4f}"


def _font(text: str, size: float, colour: str = INK, *, bold: bool = False) -> str:
    body = f"<B>{html_text(text)}</B>" if bold else html_text(text)
    return f'<<FONT POINT-SIZE="{size:g}" COLOR="{colour}">{body}</FONT>>'


def marker_id(point: Point, view: str, per_view: bool) -> str:
    """The SVG id of a marker: ``pt-<activity id>``, or ``pt-<view>-<activity id>`` with a panel per view."""
    return f"pt-{view}-{point.id}" if per_view else f"pt-{point.id}"


def marker_ids(panels: Iterable[Panel], per_view: bool) -> dict[tuple[str, str], str]:
    """The markers whose `marker_id` another marker of the chart has too, and the id each takes instead.

    Views and activity ids both may hold '-', so segment ``a`` with activity
    ``b-c`` and segment ``a-b`` with activity ``c`` are both ``pt-a-b-c``; those
    (and only those) become ``pt-<view>_<activity id>``, which no other id can be
    (neither views nor activity ids hold '_').
    """
    plain = {(panel.view, point.id): marker_id(point, panel.view, per_view)
             for panel in panels for point in panel.points}
    seen = Counter(plain.values())
    return {(view, activity): f"pt-{view}_{activity}" for (view, activity), found in plain.items() if seen[found] > 1}


def marker_title(point: Point, caption: str = "", tag: str | None = None) -> str:
    """The marker's tooltip (its SVG ``<title>``): number (`tag`), name, the view, and its scores.

    >>> print(marker_title(Point("a", "1.2", "pre", "Choose", 8, 4, 12, Severity.HIGH, n=270), tag="D1.2"))
    D1.2 Choose
    importance 8.0 · satisfaction 4.0 · score 12.0 · n=270
    """
    scores = (f"importance {point.importance:.1f} · satisfaction {point.satisfaction:.1f} · score {point.score:.1f}"
              + (f" · n={point.n}" if point.n is not None else " · scores from the map"))
    head = f"{point.number if tag is None else tag} {clean(point.name)}" + (f" ({caption})" if caption else "")
    return f"{head}\n{scores}" if point.n is not None else f"{head}\n{scores.removesuffix(' · scores from the map')}"


def landscape_dot(chart: Chart, deadline: Deadline, *, plot_side: float = PLOT_SIDE, standalone: bool = True,
                  key: bool | None = None) -> str:
    """DOT text of the landscape: one plot per panel, side by side and wrapping to rows, every position pinned.

    `plot_side` is the length of each plot's axes in points; without
    `standalone`, the picture has no title (for a page that shows it), nor a
    key unless `key` says so (by default it follows `standalone`).
    """
    return landscape_drawing(chart, deadline, plot_side=plot_side, standalone=standalone, key=key).dot


@dataclass(frozen=True)
class Drawing:
    """A landscape's DOT and the size Graphviz draws it at, in points (without the title of a standalone one)."""

    dot: str
    width: float
    height: float
    panels: tuple[PlacedPanel, ...] = ()
    """The panels as laid out: what a page beside a bare plot lists and keys (`PlacedPanel.listed`)."""


PAD = 0.4
"""Graphviz's pad around the picture, in inches."""
EDGE = 36.0
"""Points Graphviz's drawing reaches past the picture's corners on each side, besides its pad (measured)."""


def landscape_drawing(  # noqa: PLR0913 - the picture's options, by keyword
    chart: Chart, deadline: Deadline, *, plot_side: float = PLOT_SIDE, standalone: bool = True,
    key: bool | None = None, bare: bool = False,
) -> Drawing:
    """`landscape_dot`'s picture and its size, known before Graphviz runs (a page sizes its plot by it).

    A `bare` picture is only the plots: no caption above them and no numbered
    list beside them, for a page that sets both in its own text (`Drawing.panels`).
    """
    import graphviz  # here, as in geometry: outputs without Graphviz start without it

    placed = [lay_out_panel(panel, plot_side, chart.regions, chart.before, deadline) for panel in chart.panels]
    if bare:
        for panel in placed:
            panel.listing = None
    top_margin = BARE_TOP_MARGIN if bare else TOP_MARGIN
    count = len(placed)
    columns = count if count <= 3 else math.ceil(math.sqrt(count))
    cell_w = max(p.width for p in placed) + LEFT_MARGIN + PANEL_GAP
    cell_h = plot_side + 2 * PLOT_PAD + BOTTOM_MARGIN + top_margin + PANEL_GAP
    dot = _Dot()
    for index, panel in enumerate(placed):
        row, column = divmod(index, columns)
        _draw_panel(dot, chart, panel, (column * cell_w, -row * cell_h), caption=not bare)
    rows = math.ceil(count / columns)
    left, bottom = -PLOT_PAD - LEFT_MARGIN - 6, -(rows - 1) * cell_h - PLOT_PAD - BOTTOM_MARGIN - 6
    right, top = columns * cell_w - PANEL_GAP - LEFT_MARGIN - PLOT_PAD + 6, plot_side + PLOT_PAD + top_margin + 6
    if standalone if key is None else key:
        html, key_w, key_h = _key(chart, placed)
        dot.text(html, right + key_w / 2 + 10, top - key_h / 2, name="key")
        right += key_w + 16
        bottom = min(bottom, top - key_h - 6)
    for name, (x, y) in (("corner-a", (left, bottom)), ("corner-b", (right, top))):
        dot.nodes.append((name, {"shape": "point", "style": "invis", "width": "0.01", "pos": _pos(x, y)}))
    pad = PAD if standalone else 0.0  # a page has margins of its own
    graph = graphviz.Digraph("landscape", engine="neato")
    graph.attr(
        label=title_label(Scene(chart.title, chart.customer, "", chart.owner, 0, 10, []), "Opportunity landscape: "
                          "importance against satisfaction") if standalone else "",
        labelloc="t", fontname=FONT, fontcolor=INK, splines="line", outputorder="edgesfirst", pad=f"{pad:g}",
        bgcolor="white", _background=" ".join(dot.canvas.ops),
    )
    graph.attr("node", fontname=FONT, fontsize="10", margin="0")
    graph.attr("edge", arrowsize="0.6")
    for key_name, attrs in dot.nodes:
        graph.node(key_name, **attrs)
    for tail, head, attrs in dot.edges:
        graph.body.append(edge_line(tail, head, attrs))
    edge = EDGE + pad * 72
    return Drawing(str(graph.source), right - left + 2 * edge, top - bottom + 2 * edge, tuple(placed))


BARE_TOP_MARGIN = 26.0
"""Room above a bare plot (no caption): its y axis title."""


NOTHING_SCORED = "No activity has both an importance and a satisfaction score here yet"
"""What an empty plot says (as `report` does), so a blank landscape is not taken for a fault."""


def _draw_panel(dot: _Dot, chart: Chart, panel: PlacedPanel, origin: tuple[float, float], *, caption: bool) -> None:
    """One plot with its plot's lower left corner at `origin`, its caption above it if `caption`."""
    ox, oy = origin
    side, view = panel.side, panel.panel.view
    unit = side / AXIS_TOP
    _background(dot.canvas, chart.regions, ox, oy, side)
    framed = side + 2 * PLOT_PAD
    dot.nodes.append((f"plot-{view}", {
        "id": f"plot-{view}", "shape": "box", "label": "", "color": FRAME, "penwidth": "1",
        "width": _inches(framed), "height": _inches(framed), "fixedsize": "true",
        "pos": _pos(ox + side / 2, oy + side / 2),
    }))
    left, top, bottom = ox - PLOT_PAD, oy + side + PLOT_PAD, oy - PLOT_PAD
    if caption:
        shown = panel.panel.caption[:1].upper() + panel.panel.caption[1:]
        dot.text(_font(shown, CAPTION_SIZE, bold=True), left + text_width(shown, CAPTION_SIZE, bold=True) / 2,
                 top + 38)
    dot.text(_font(Y_TITLE, AXIS_SIZE, MUTED), left + text_width(Y_TITLE, AXIS_SIZE) / 2 - 4, top + 16)
    dot.text(_font(X_TITLE, AXIS_SIZE, MUTED), ox + side / 2, bottom - 34)
    for tick in range(int(AXIS_TOP) + 1):
        dot.text(_font(str(tick), TICK_SIZE, MUTED), ox + tick * unit, bottom - 11)
        dot.text(_font(str(tick), TICK_SIZE, MUTED), left - 6 - text_width(str(tick), TICK_SIZE) / 2,
                 oy + tick * unit)
    for kind, text, rect in panel.region_labels:
        head, _, tail = text.partition(": ")
        ink = REGION_STYLE[kind][1]
        dot.text(f'<<FONT COLOR="{ink}" POINT-SIZE="9"><B>{html_text(head)}</B><BR/><FONT POINT-SIZE="8.5">'
                 f"{html_text(tail)}</FONT></FONT>>", ox + rect.x, oy + rect.y)
    if not panel.panel.points:
        dot.text(_font(NOTHING_SCORED, AXIS_SIZE, MUTED), ox + side / 2, oy + side * 0.62)
    for point, x, y in panel.arrows:
        was = f"was-{chart.marker_id(point, view)}"
        dot.nodes.append((f"{was} ({panel.panel.caption})", {
            "id": was, "shape": "circle", "label": "", "width": _inches(5), "fixedsize": "true", "style": "filled",
            "fillcolor": "white", "color": HIGHLIGHT, "penwidth": "1", "pos": _pos(ox + x, oy + y),
        }))
    names: dict[str, str] = {}
    caption_in_title = panel.panel.caption if len(chart.panels) > 1 else ""
    for marker in panel.markers:
        for point in marker.points:
            name = marker_title(point, caption_in_title, panel.panel.tag(point))
            names[point.id] = name
            fill, _ = FILL[point.severity]
            dot.nodes.append((name, {
                "id": chart.marker_id(point, view), "shape": "circle", "label": "",
                "width": _inches(MARKER), "fixedsize": "true", "style": "filled", "fillcolor": fill,
                "color": INK, "penwidth": "1", "pos": _pos(ox + marker.x, oy + marker.y),
            }))
    for point, _, _ in panel.arrows:
        was = f"was-{chart.marker_id(point, view)} ({panel.panel.caption})"
        dot.edges.append((was, names[point.id], {"color": HIGHLIGHT, "penwidth": "1.3"}))
    tops = {p.id: m.points[-1].id for m in panel.markers for p in m.points}
    for text, rect in panel.badges:
        dot.text(_font(text, 8.5, INK, bold=True), ox + rect.x, oy + rect.y)
    for label in panel.labels:
        rect = label.rect or Rect(0, 0, 0, 0)  # every label kept was placed
        name = dot.text(label.html, ox + rect.x, oy + rect.y)
        dot.nodes[-1][1].update({"width": _inches(label.w), "height": _inches(label.h), "fixedsize": "true"})
        if label.leader:
            dot.edges.append((name, names[tops[label.point.id]], {"dir": "none", "color": "#9a9a9a",
                                                                  "penwidth": "0.7"}))
    if panel.listing is not None:
        html, w, h = panel.listing
        dot.text(html, ox + side + PLOT_PAD + panel.beside + LIST_GAP + w / 2, oy + side + PLOT_PAD - h / 2)


def _background(canvas: _Canvas, regions: Regions, ox: float, oy: float, side: float) -> None:
    """A plot's shaded regions, grid lines, the diagonal and the regions' edges, out to its padded frame."""
    unit = side / AXIS_TOP
    lo, hi = -PLOT_PAD / unit, AXIS_TOP + PLOT_PAD / unit

    def at(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(ox + i * unit, oy + s * unit) for i, s in points]

    shapes = {"underserved": regions.score_polygon(regions.threshold, lo, hi),
              "extreme": regions.score_polygon(max(regions.extreme_from, regions.threshold), lo, hi),
              "overserved": regions.overserved_polygon(lo, hi)}
    shapes = {kind: shape for kind, shape in shapes.items() if shape and kind in region_names(regions)}
    for kind, shape in shapes.items():
        fill = REGION_STYLE[kind][0]
        canvas.pen(fill)
        canvas.polygon(at(shape), fill)
    canvas.pen(GRID, 0.6)
    for tick in range(int(AXIS_TOP) + 1):
        canvas.line(at([(tick, lo), (tick, hi)]))
        canvas.line(at([(lo, tick), (hi, tick)]))
    canvas.pen("#b0b0b0", 0.8, "dashed")
    canvas.line(at([(lo, lo), (hi, hi)]))
    for kind, shape in shapes.items():
        canvas.pen(REGION_STYLE[kind][1], 1.2)
        inner = [(i, s) for i, s in shape]
        canvas.polygon(at(inner))


@dataclass(frozen=True)
class KeyEntry:
    """One line of the key: what it shows (`kind`), its colours or sample text, and its words.

    Kinds: "severity" (a marker's `fill`), "region" (`fill` and `ink` edge),
    "phase" (`sample` "D1.2" in `ink`), "badge" (`sample` "x2"), "moved"
    (an arrow in `ink`), "new" (the NEW badge).
    """

    kind: str
    text: str
    fill: str = ""
    ink: str = INK
    sample: str = ""


def key_entries(chart: Chart, placed: Iterable[PlacedPanel]) -> tuple[list[KeyEntry], list[str]]:
    """What the key says: its lines (colours and words), then its notes (small print), for `placed` panels."""
    panels = list(placed)
    present = {p.severity for panel in chart.panels for p in panel.points}
    entries: list[KeyEntry] = []
    for severity in (s for s in URGENCY if s in present):
        word = SHORT_NAME[severity]
        text = f"Underserved, {word}" if severity in (Severity.EXTREME, Severity.HIGH, Severity.MODERATE) else (
            "No gap colour" if severity is Severity.NONE else word[:1].upper() + word[1:])
        entries.append(KeyEntry("severity", text, FILL[severity][0]))
    for kind, text in region_names(chart.regions).items():
        fill, ink = REGION_STYLE[kind]
        entries.append(KeyEntry("region", f"{text} region", fill, ink))
    marks = phase_marks(chart.phases)
    for key, label in chart.phases:
        entries.append(KeyEntry("phase", f"{label} 1.2", ink=PHASE_INK[key], sample=f"{marks[key]}1.2"))
    if any(p.badges for p in panels):
        entries.append(KeyEntry("badge", "Activities at the same point", sample=f"{TIMES}2"))
    before = chart.before
    if before is not None:
        since = clean(before.rev, 60)
        entries.append(KeyEntry("moved", f"Moved {MOVED_FROM:g}+ since {since}: from its place then", ink=HIGHLIGHT,
                                sample="→"))
        entries.append(KeyEntry("new", f"Added since {since}", sample=MARK_TEXT["new"]))
    first_key, first_phase = chart.phases[0] if chart.phases else ("pre", "the first phase")
    notes = [
        "Axes 0 to 10: map scores scaled to 0-10, survey scores as surveyed",
        f"Score: imp + max(imp {MINUS} sat, 0); underserved from {chart.regions.threshold:g}",
        "Dashed line: satisfaction equals importance",
        f"{marks.get(first_key, '')}2.1 is the first step of activity 2 in {first_phase}",
    ]
    if any(p.numbered for p in panels):
        notes.append("Crowded plots show numbers; the list beside names them")
    if any(p.unmarked for p in panels):
        notes.append("(7.4, 2.8) in the list: where an activity is whose number found no room on the plot")
    return entries, notes


def _key_cell(entry: KeyEntry) -> str:
    """The key's swatch or sample for `entry`, as an HTML-like table cell."""
    if entry.kind == "severity":
        return (f'<TD BGCOLOR="{entry.fill}" BORDER="1" COLOR="{INK}" STYLE="rounded" WIDTH="12" HEIGHT="12" '
                'FIXEDSIZE="TRUE"></TD>')
    if entry.kind == "region":
        return (f'<TD BGCOLOR="{entry.fill}" BORDER="1" COLOR="{entry.ink}" WIDTH="12" HEIGHT="12" '
                'FIXEDSIZE="TRUE"></TD>')
    if entry.kind == "phase":
        return f'<TD ALIGN="LEFT"><FONT COLOR="{entry.ink}"><B>{html_text(entry.sample)}</B></FONT></TD>'
    if entry.kind == "moved":
        return f'<TD><FONT COLOR="{entry.ink}"><B>{entry.sample}</B></FONT></TD>'
    if entry.kind == "new":
        return mark_cell("new")
    return f"<TD><B>{entry.sample}</B></TD>"


def _key(chart: Chart, placed: list[PlacedPanel]) -> tuple[str, float, float]:
    """The key beside the plots: marker colours, regions, and what arrows and badges mean (HTML, width, height)."""
    entries, notes = key_entries(chart, placed)
    rows: list[tuple[str, str]] = [("", "<B>Key</B>")]
    for entry in entries:
        text = html_text(entry.text)
        rows.append((_key_cell(entry), f'<FONT COLOR="{entry.ink}">{text}</FONT>' if entry.kind == "phase" else text))
    body = "".join(f'<TR>{cell or "<TD></TD>"}<TD ALIGN="LEFT">{text}</TD></TR>' for cell, text in rows)
    small = "".join(f'{html_text(n)}<BR ALIGN="LEFT"/>' for n in notes)
    body += f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{MUTED}">{small}</FONT></TD></TR>'
    frame = 'BORDER="1" COLOR="#bbbbbb" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2" BGCOLOR="#ffffff"'
    html = f'<<FONT POINT-SIZE="10" COLOR="{INK}"><TABLE {frame}>{body}</TABLE></FONT>>'
    texts = [t for _, t in rows] + [f"{t} region" for t in region_names(chart.regions).values()]
    texts += [f"{label} 1.2" for _, label in chart.phases]
    width = max(max(text_width(t, 10.0) for t in texts) + 50, max(text_width(n, 9.0) for n in notes) + 24)
    height = 20 + 21 * len(rows) + 11.5 * len(notes)
    return html, width, height
