"""What changed between two versions of a map: pure functions over two models.

Activities are matched by id (explicit, or derived from the name: see
`cyclemap.model.assign_ids`), so an activity without an explicit ``id`` that is
renamed shows as one removed and one added. For activities in both maps the
diff tells whether they moved (phase or parent changed, or their order among
the siblings that are in both), were renamed, or had other fields changed.
Gaps come from `cyclemap.gaps.find_gaps` on each map, matched by activity id
(an empty phase's gap by ``phase:<key>``):

- *opened*: the activity has a gap now and had none before (a new activity with a gap included);
- *closed*: it had a gap and has none now (a removed activity's gap included);
- *changed*: it has a gap in both, but its kinds or its band differ (e.g.
  underserved -> overserved, or high -> extreme). Such a gap is neither opened
  nor closed: the activity still needs attention, for another reason.

Scores and gaps are those of each map's view "all" (`ScoreViews.score`: its
survey's pooled scores when it has a survey, else the hand-entered ones), and
again for each customer segment both maps have (`SegmentDiff`): a survey file
that changed changes them even when the map did not. A segment only one map
has is told by the map's own ``segments`` field.

No I/O and no presentation here: `cyclemap.report.diff` shows a `MapDiff`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel

from cyclemap.gaps import Gap, Score, find_gaps, score_in_view, score_views
from cyclemap.model import PHASE_KEYS, Activity, CycleMap, Phase, Visit
from cyclemap.survey import ALL

if TYPE_CHECKING:
    from cyclemap.survey.views import SurveyResults, ViewScore

SKIPPED_FIELDS = frozenset(("id", "name", "subcycle"))
"""Activity fields not compared one by one: the id matches, the name is a rename, the subcycle is its own activities."""
COMPARED_FIELDS = tuple(name for name in Activity.model_fields if name not in SKIPPED_FIELDS)
"""Every other field of an activity, in the model's order (a new field is compared without a change here)."""
MAP_SKIPPED = frozenset(("cyclemap", "phases"))
NEW, CHANGED = "new", "changed"
"""The marks `change_marks` gives, for the diagram."""


@dataclass(frozen=True, slots=True)
class Place:
    """Where an activity sits in one version of the map."""

    phase: str
    """The phase key: pre, during or post."""
    number: str
    """Its position in the phase as the diagram numbers it, e.g. '2.1'."""
    path: tuple[str, ...]
    """Names from the phase's top-level activity down to this one."""
    parent: str | None
    """The parent activity's id; None at the top level of a phase."""

    @property
    def name(self) -> str:
        return self.path[-1]


@dataclass(frozen=True, slots=True)
class Entry:
    """An activity in the diff, with its place in the old and in the new map."""

    id: str
    old: Place | None
    """None when the activity was added."""
    new: Place | None
    """None when the activity was removed."""

    @property
    def place(self) -> Place:
        """The newest place known: the new one, else (removed) the old one."""
        place = self.new or self.old
        assert place is not None  # noqa: S101 - an entry always has at least one side
        return place


@dataclass(frozen=True, slots=True)
class Moved:
    entry: Entry
    reason: str
    """'phase' (moved to another phase), 'parent' (into, out of or to another subcycle) or 'order'
    (among its siblings)."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field's value before and after, in JSON-friendly form (None when absent)."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class Changed:
    entry: Entry
    fields: tuple[FieldChange, ...]
    """Sorted by field name."""


@dataclass(frozen=True, slots=True)
class GapChange:
    """A gap that opened, closed or changed; `key` is the activity id, or ``phase:<key>``."""

    key: str
    old: Gap | None
    new: Gap | None


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """An opportunity score (0-20, see `cyclemap.gaps.opportunity_score`) before and after."""

    entry: Entry
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else round(self.new - self.old, 9)


@dataclass(frozen=True, slots=True)
class SegmentDiff:
    """The gaps and scores of one customer segment (a view both maps have), before and after."""

    view: str
    """The segment's id."""
    name: str
    """The segment's name, as the new map calls it."""
    gaps_opened: tuple[GapChange, ...] = ()
    gaps_closed: tuple[GapChange, ...] = ()
    gaps_changed: tuple[GapChange, ...] = ()
    score_changes: tuple[ScoreChange, ...] = ()

    @property
    def differs(self) -> bool:
        return any((self.gaps_opened, self.gaps_closed, self.gaps_changed, self.score_changes))


@dataclass(frozen=True, slots=True)
class MapDiff:
    """Everything that differs between two maps; every tuple is sorted by id (or key, or field)."""

    added: tuple[Entry, ...] = ()
    removed: tuple[Entry, ...] = ()
    moved: tuple[Moved, ...] = ()
    renamed: tuple[Entry, ...] = ()
    changed: tuple[Changed, ...] = ()
    gaps_opened: tuple[GapChange, ...] = ()
    gaps_closed: tuple[GapChange, ...] = ()
    gaps_changed: tuple[GapChange, ...] = ()
    score_changes: tuple[ScoreChange, ...] = ()
    map_changed: tuple[FieldChange, ...] = ()
    """Map-level fields: title, outcome, scale.max, gaps.threshold, phases.pre.label, x- keys..."""
    segments: tuple[SegmentDiff, ...] = ()
    """Each segment both maps have, in the new map's order (changed or not); () without segments."""

    @property
    def differs(self) -> bool:
        """Whether anything at all differs (for ``--exit-code``)."""
        return any(
            (self.added, self.removed, self.moved, self.renamed, self.changed, self.gaps_opened,
             self.gaps_closed, self.gaps_changed, self.score_changes, self.map_changed,
             any(segment.differs for segment in self.segments))
        )


def diff_maps(
    old: CycleMap,
    new: CycleMap,
    threshold: Score | None = None,
    *,
    old_survey: SurveyResults | None = None,
    new_survey: SurveyResults | None = None,
) -> MapDiff:
    """What changed from `old` to `new`; `threshold` overrides both maps' ``gaps.threshold``.

    `old_survey` and `new_survey` are each map's survey's results (see
    `cyclemap.survey.views.load_survey`): they score the activities, as in `find_gaps`.

    Both maps must be validated (ids assigned). Linear in the number of
    activities, apart from a log factor for the order of siblings. Two maps of
    100,000 activities are compared through a small record per activity; the
    places (names, numbers) are built only for the activities the diff reports.
    """
    before, after = _index(old), _index(new)
    common = sorted(before.keys() & after.keys())
    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    moved = _moves(common, before, after, old, new)
    renamed = [key for key in common if before[key].activity.name != after[key].activity.name]
    changed = [
        (key, fields) for key in common if (fields := field_changes(before[key].activity, after[key].activity))
    ]
    sides = _Sides(old, new, old_survey, new_survey, threshold)
    scores = sides.score_changes(common, before, after, ALL)
    segment_ids = [s.id for s in new.segments if s.id in {seg.id for seg in old.segments}]
    segment_scores = {view: sides.score_changes(common, before, after, view) for view in segment_ids}
    del before, after
    gaps = sides.gap_changes(ALL)
    shown = {*moved, *renamed, *(key for key, _ in changed), *(key for key, _, _ in scores)}
    shown.update(key for found in segment_scores.values() for key, _, _ in found)
    old_places, new_places = _places(old, shown.union(removed)), _places(new, shown.union(added))

    def entry(key: str) -> Entry:
        return Entry(key, old_places.get(key), new_places.get(key))

    names = {segment.id: segment.name for segment in new.segments}
    segments = tuple(
        SegmentDiff(view, names[view], *sides.gap_changes(view),
                    score_changes=tuple(ScoreChange(entry(key), was, now) for key, was, now in segment_scores[view]))
        for view in segment_ids
    )

    return MapDiff(
        added=tuple(map(entry, added)),
        removed=tuple(map(entry, removed)),
        moved=tuple(Moved(entry(key), reason) for key, reason in sorted(moved.items())),
        renamed=tuple(map(entry, renamed)),
        changed=tuple(Changed(entry(key), fields) for key, fields in changed),
        gaps_opened=gaps[0],
        gaps_closed=gaps[1],
        gaps_changed=gaps[2],
        score_changes=tuple(ScoreChange(entry(key), was, now) for key, was, now in scores),
        map_changed=_compare(map_fields(old), map_fields(new)),
        segments=segments,
    )


def change_marks(diff: MapDiff) -> dict[str, str]:
    """Activity id -> 'new' or 'changed' (renamed, moved or fields changed), for the diagram.

    >>> change_marks(MapDiff(added=(Entry("a", None, Place("pre", "1", ("A",), None)),)))
    {'a': 'new'}
    """
    marks = {entry.id: CHANGED for entry in diff.renamed}
    marks.update({move.entry.id: CHANGED for move in diff.moved})
    marks.update({change.entry.id: CHANGED for change in diff.changed})
    marks.update({entry.id: NEW for entry in diff.added})
    return dict(sorted(marks.items()))


# -- places and moves ------------------------------------------------------------


class _Seen(NamedTuple):
    """An activity of one map as the comparison needs it (a tuple: two maps hold 200,000 of them)."""

    activity: Activity
    phase: str
    parent: str | None
    """The parent activity's id; None at the top level of a phase."""


def _index(cmap: CycleMap) -> dict[str, _Seen]:
    """Every activity of a validated map by id, with its phase and parent."""
    return {
        _id(visit.activity): _Seen(visit.activity, visit.phase, _id(visit.ancestors[-1]) if visit.ancestors else None)
        for visit in cmap.walk()
    }


def _places(cmap: CycleMap, wanted: set[str]) -> dict[str, Place]:
    """The place of each activity of `cmap` whose id is in `wanted`."""
    return {key: _place(visit) for visit in cmap.walk() if (key := _id(visit.activity)) in wanted}


def _place(visit: Visit) -> Place:
    parent = _id(visit.ancestors[-1]) if visit.ancestors else None
    names = (*(a.name for a in visit.ancestors), visit.activity.name)
    return Place(visit.phase, ".".join(map(str, visit.position)), names, parent)


def _id(activity: Activity) -> str:
    if activity.id is None:
        raise ValueError(f"activity '{activity.name}' has no id: diff validated maps (see model.assign_ids)")
    return activity.id


def _moves(
    common: Sequence[str], before: Mapping[str, _Seen], after: Mapping[str, _Seen], old: CycleMap, new: CycleMap
) -> dict[str, str]:
    """Activities in both maps whose phase or parent changed, or that left their order among surviving siblings."""
    moved: dict[str, str] = {}
    for key in common:
        was, now = before[key], after[key]
        if was.phase != now.phase:
            moved[key] = "phase"
        elif was.parent != now.parent:
            moved[key] = "parent"
    old_rank = {_id(v.activity): index for index, v in enumerate(old.walk())}
    for siblings in _sibling_lists(new):
        stayed = [key for key in siblings if key in before and key not in moved]
        for key in out_of_order(stayed, old_rank):
            moved[key] = "order"
    return moved


def _sibling_lists(cmap: CycleMap) -> Iterable[list[str]]:
    """The ids of each list of siblings: each phase's activities, each subcycle."""
    for key in PHASE_KEYS:
        yield from _siblings(cmap.phase(key).activities)


def _siblings(activities: Sequence[Activity]) -> Iterable[list[str]]:
    pending = [activities]
    while pending:
        group = pending.pop()
        yield [_id(a) for a in group]
        pending.extend(a.subcycle for a in group if a.subcycle)


def out_of_order(keys: Sequence[str], old_rank: Mapping[str, int]) -> list[str]:
    """The keys to call moved so that the rest keep their old order: the fewest possible.

    The rest is a longest subsequence of `keys` whose old ranks increase, so
    inserting or removing an activity moves none of its siblings, and moving
    one activity reports that one (O(n log n), ties broken the same way every
    time).

    >>> out_of_order(["a", "b", "c"], {"a": 0, "b": 1, "c": 2})
    []
    >>> out_of_order(["c", "a", "b"], {"a": 0, "b": 1, "c": 2})  # c moved to the front
    ['c']
    """
    ranks = [old_rank[key] for key in keys]
    tails: list[int] = []  # tails[n]: rank ending the best increasing run of length n + 1
    tail_at: list[int] = []  # ... and its index in `ranks`
    before = [-1] * len(ranks)
    for index, rank in enumerate(ranks):
        length = bisect.bisect_left(tails, rank)
        if length == len(tails):
            tails.append(rank)
            tail_at.append(index)
        else:
            tails[length], tail_at[length] = rank, index
        before[index] = tail_at[length - 1] if length else -1
    kept: set[int] = set()
    at = tail_at[-1] if tail_at else -1
    while at >= 0:
        kept.add(at)
        at = before[at]
    return [key for index, key in enumerate(keys) if index not in kept]


# -- fields ----------------------------------------------------------------------


def field_changes(old: Activity, new: Activity) -> tuple[FieldChange, ...]:
    """The compared fields and ``x-`` keys whose values differ, sorted by name."""
    return _compare(activity_fields(old), activity_fields(new))


def activity_fields(activity: Activity) -> dict[str, Any]:
    """The compared fields of an activity (and its ``x-`` keys) as JSON-friendly values."""
    values = {name: plain(getattr(activity, name)) for name in COMPARED_FIELDS}
    values.update({key: plain(value) for key, value in activity.extensions.items()})
    return values


def map_fields(cmap: CycleMap) -> dict[str, Any]:
    """The map's own fields (not its activities), flattened: 'scale.max', 'phases.pre.label', 'x-team'."""
    values: dict[str, Any] = {}
    for name in CycleMap.model_fields:
        if name not in MAP_SKIPPED:
            _flatten(values, name, getattr(cmap, name))
    values.update({key: plain(value) for key, value in cmap.extensions.items()})
    for key in PHASE_KEYS:
        phase = cmap.phase(key)
        for name in Phase.model_fields:
            if name != "activities":
                _flatten(values, f"phases.{key}.{name}", getattr(phase, name))
        values.update({f"phases.{key}.{ext}": plain(value) for ext, value in phase.extensions.items()})
    return values


def _flatten(values: dict[str, Any], prefix: str, value: Any) -> None:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _flatten(values, f"{prefix}.{name}", getattr(value, name))
    else:
        values[prefix] = plain(value)


def _compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """The keys whose values differ; a key missing on one side counts as None (absent)."""
    return tuple(
        FieldChange(key, old.get(key), new.get(key))
        for key in sorted(old.keys() | new.keys())
        if not _same(old.get(key), new.get(key))
    )


def _same(old: Any, new: Any) -> bool:
    """Equal values, where an empty list and an absent value are the same (the model's defaults)."""
    return (old or None) == (new or None) if isinstance(old, list) or isinstance(new, list) else old == new


def plain(value: Any) -> Any:
    """A value as JSON would hold it: models as dicts without empty keys, dates as text.

    >>> plain(date(2026, 4, 2)), plain(("a", 1))
    ('2026-04-02', ['a', 1])
    """
    if isinstance(value, BaseModel):
        data = {key: plain(getattr(value, key)) for key in type(value).model_fields}
        data.update({key: plain(v) for key, v in getattr(value, "extensions", {}).items()})
        return {key: v for key, v in data.items() if v is not None}
    if isinstance(value, dict):
        return {str(key): plain(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


# -- gaps and scores ---------------------------------------------------------------


def gap_key(gap: Gap) -> str:
    """How a gap is matched across versions: its activity id, or ``phase:<key>`` for an empty phase."""
    return gap.id if gap.id is not None else f"phase:{gap.phase}"


def _gap_changes(
    old: Iterable[Gap], new: Iterable[Gap]
) -> tuple[tuple[GapChange, ...], tuple[GapChange, ...], tuple[GapChange, ...]]:
    """(opened, closed, changed), each sorted by key."""
    before = {gap_key(gap): gap for gap in old}
    after = {gap_key(gap): gap for gap in new}
    opened = tuple(GapChange(key, None, after[key]) for key in sorted(after.keys() - before.keys()))
    closed = tuple(GapChange(key, before[key], None) for key in sorted(before.keys() - after.keys()))
    changed = tuple(
        GapChange(key, before[key], after[key])
        for key in sorted(before.keys() & after.keys())
        if (before[key].kinds, before[key].band) != (after[key].kinds, after[key].band)
    )
    return opened, closed, changed


@dataclass(frozen=True)
class _Sides:
    """Both maps with their surveys: their gaps and scores in a view, by `ScoreViews.score`'s rule."""

    old: CycleMap
    new: CycleMap
    old_survey: SurveyResults | None
    new_survey: SurveyResults | None
    threshold: Score | None

    def gap_changes(self, view: str) -> tuple[tuple[GapChange, ...], tuple[GapChange, ...], tuple[GapChange, ...]]:
        """(opened, closed, changed) in `view`, a view both maps have."""
        return _gap_changes(find_gaps(self.old, self.threshold, view, survey=self.old_survey),
                            find_gaps(self.new, self.threshold, view, survey=self.new_survey))

    def score_changes(
        self, common: Iterable[str], before: Mapping[str, _Seen], after: Mapping[str, _Seen], view: str
    ) -> list[tuple[str, float | None, float | None]]:
        """(id, old score, new score) of each activity in both maps whose opportunity score in `view` moved."""
        old_views, new_views = score_views(self.old, self.old_survey), score_views(self.new, self.new_survey)
        changes = []
        for key in common:
            old_score = _opportunity(score_in_view(old_views, before[key].activity, view))
            new_score = _opportunity(score_in_view(new_views, after[key].activity, view))
            if old_score != new_score:
                changes.append((key, old_score, new_score))
        return changes


def _opportunity(scored: ViewScore | None) -> float | None:
    """The opportunity score of a `ViewScore`; None when unscored."""
    return None if scored is None else scored.opportunity
