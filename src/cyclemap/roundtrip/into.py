"""`cyclemap import FILE --into MAP`: scores from the workshop back into the map, as the author wrote it.

Rows (`ActivityRow`, read from a CSV or XLSX sheet) update the activities they name and add the
new ones they describe; the map's files are edited in place (`cyclemap.roundtrip.yamledit`), so
every comment and the author's layout outside the changed values stay byte for byte.

The rules (README, "Scores back from the workshop"):

- A row names an existing activity by `id`, else by `number` as the pack and the export number
  activities: `1.2.1` within its `phase` (key or label), or with the phase's mark as the landscape
  shows it (`D1.2.1`); a number alone must match in one phase only. The id wins over the number.
- Only the columns the file has are read, and an empty cell changes nothing: a sheet with just
  `id` and `satisfaction` leaves every other field alone.
- `importance`, `satisfaction` and the `<segment> importance` / `<segment> satisfaction` columns
  replace the activity's scores (within the map's scale).
- `pains`, `offerings` and `evidence` add what is new to the activity's lists and keep what is
  there: the sheet's "new pains" line adds pains. A pain or offering already listed (same text)
  is not added twice. An evidence item is a reference (`WS-2026-03`), or a source and a
  reference (`interview: INT-07`); a new one is added as `{source: other, ref: ...}` unless a
  source is given, and a reference the activity already cites is left as it is.
- A row with no id and no number adds a new activity: it needs a `name`, and a `parent` (id or
  number; also a new activity of an earlier row, by the id its name gives) or a `phase`. It goes
  at the end of the parent's subcycle (made if needed) or of the phase. Its other columns
  (description, scores, lists, owner, tags) are written as given.
- Other columns of an existing activity (name, description, owner, tags, competitors) are not
  changed: renaming belongs in the map.

Every problem of every row is reported with its cell (`RowPlace.cell`), and nothing is written;
the new text is checked with the map loader before any file is replaced.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TextIO

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cyclemap.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from cyclemap.model import EVIDENCE_SOURCES, PHASE_KEYS, Activity, CycleMap, Visit, implicit_id, label_of
from cyclemap.problems import CyclemapError, MapError, clip
from cyclemap.roundtrip.rows import COLUMNS, ActivityRow, TableProblem
from cyclemap.roundtrip.yamledit import (
    EditedText,
    child,
    compose,
    flow_list,
    inline_fits,
    key_value,
    number,
    scalar,
    shared,
    text_of,
)
from cyclemap.sources import DiskFiles, IncludeRefused, include_path

if TYPE_CHECKING:
    from cyclemap.survey.views import SurveyResults

ACTIVITY_KEYS: tuple[str, ...] = tuple(Activity.model_fields)
"""The canonical order of an activity's keys (docs/format.md): a new key goes after those before it."""
LIST_FIELDS = ("pains", "offerings")
"""Lists a sheet adds to (new items only)."""
_NUMBER = re.compile(r"([^\W\d_]*)\s*([0-9]+(?:\.[0-9]+)*)")
"""An activity's number, with the phase's mark (letters of any script, as `phase_marks` takes them) in front
or not: `1.2`, `D1.2`, `Doi1.2`, `É1.2`."""


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RowError:
    """A problem with one cell of the sheet."""

    place: str
    """`scores.csv:7:4` or `scores.xlsx:Activities!D7`."""
    message: str

    def __str__(self) -> str:
        return f"{self.place}: error: {self.message}"


class RowErrors(CyclemapError):
    """Rows that cannot be applied; nothing was written."""

    exit_code = EXIT_INVALID

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(map(str, self.errors)))


@dataclass(frozen=True)
class Change:
    """One value a row changes: `field` of activity `id` in `file` (`added` for a new activity)."""

    file: str
    id: str
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class Update:
    """The new text of each file that changes, and the maps before and after."""

    map_path: str
    texts: dict[str, str]
    """Path of each changed file (as it is opened) -> its new text."""
    before: dict[str, str]
    """Path of each changed file -> its text as read."""
    changes: tuple[Change, ...]
    warnings: tuple[str, ...]
    old: CycleMap
    new: CycleMap
    survey: SurveyResults | None = None


# -- the map's files as text -----------------------------------------------------------------


@dataclass
class _Written:
    """An activity as written: its mapping node and the file's text it is in."""

    node: MappingNode
    doc: EditedText


class _Files:
    """The map's files read as text through the loader's file rules (a file in the map's folder)."""

    def __init__(self, map_path: str) -> None:
        folder, base = os.path.split(map_path)
        self.folder = folder
        self.disk = DiskFiles(folder)
        self.root = PurePosixPath(base)
        self.docs: dict[PurePosixPath, EditedText] = {}
        self.paths: dict[PurePosixPath, str] = {}

    def doc(self, rel: PurePosixPath) -> EditedText:
        found = self.docs.get(rel)
        if found is None:
            from cyclemap.loader import MAX_FILE_BYTES  # noqa: PLC0415 - the loader is loaded by then

            text = self.disk.read(rel, limit=MAX_FILE_BYTES).decode("utf-8")
            node = compose(text)
            if node is None:
                raise IncludeRefused("it is empty")
            found = self.docs[rel] = EditedText(self.disk.name(rel), text, node)
            self.paths[rel] = os.path.join(self.folder, *rel.parts) if self.folder else rel.as_posix()  # noqa: PTH118
        return found

    def activities(self) -> tuple[list[_Written], dict[str, tuple[MappingNode, SequenceNode]]]:
        """Every activity as written, in the loader's walk order; each phase's mapping and activities list."""
        root = self.doc(self.root)
        phases = child(_mapping(root.root), "phases")
        found: list[_Written] = []
        lists: dict[str, tuple[MappingNode, SequenceNode]] = {}
        for key in PHASE_KEYS:
            phase = _mapping(child(_mapping(phases), key))
            seq = child(phase, "activities")
            if isinstance(seq, SequenceNode):
                lists[key] = (phase, seq)
                self._walk(seq, root, self.root, found)
        return found, lists

    def _walk(self, seq: SequenceNode, doc: EditedText, rel: PurePosixPath, found: list[_Written]) -> None:
        for item in seq.value:
            if not isinstance(item, MappingNode):
                continue
            include = child(item, "include")
            included = text_of(include)
            if included is not None:
                part_rel = include_path(included, rel, self.root)
                part = self.doc(part_rel)
                listed = child(part.root, "activities") if isinstance(part.root, MappingNode) else part.root
                if isinstance(listed, SequenceNode):
                    self._walk(listed, part, part_rel, found)
                continue
            found.append(_Written(item, doc))
            sub = child(item, "subcycle")
            if isinstance(sub, SequenceNode):
                self._walk(sub, doc, rel, found)


def _mapping(node: Node | None) -> MappingNode:
    if not isinstance(node, MappingNode):
        raise _Unmatched
    return node


class _Unmatched(Exception):
    """The YAML text does not show the activities the loader found (merge keys or aliases build them)."""


class _Overlay(DiskFiles):
    """The map's folder with some files' text replaced: the update, as the loader would read it."""

    def __init__(self, directory: str, texts: Mapping[PurePosixPath, str]) -> None:
        super().__init__(directory)
        self.texts = texts

    def read(self, rel: PurePosixPath, *, limit: int) -> bytes:
        if rel in self.texts:
            return self.texts[rel].encode("utf-8")
        return super().read(rel, limit=limit)


# -- the update ------------------------------------------------------------------------------


@dataclass
class _New:
    """A new activity from a row, and the new activities under it."""

    row: ActivityRow
    id: str
    phase: str
    children: list[_New] = field(default_factory=list)


@dataclass
class _Target:
    """Where new activities go: the end of an existing activity's subcycle, or of a phase."""

    written: _Written | None
    phase: str
    added: list[_New] = field(default_factory=list)


class _Updater:
    """Applies rows to one map: checks every row, then edits its files' text."""

    def __init__(self, map_path: str, cmap: CycleMap, header: Sequence[str] | None) -> None:
        self.map_path = map_path
        self.cmap = cmap
        self.header = header
        self.files = _Files(map_path)
        self.visits = list(cmap.walk())
        self.errors: list[RowError] = []
        self.changes: list[Change] = []
        self.by_id = {visit.activity.id or "": index for index, visit in enumerate(self.visits)}
        self.by_number: dict[tuple[str, str], int] = {
            (visit.phase, ".".join(map(str, visit.position))): index for index, visit in enumerate(self.visits)
        }
        self.scale = (cmap.scale.min, cmap.scale.max)
        self.segment_ids = [segment.id for segment in cmap.segments]
        from cyclemap.render.landscape import phase_marks, shown_phases  # noqa: PLC0415 - for numbers with a mark

        self.phase_mark = phase_marks(shown_phases(cmap))
        """The landscape's mark of each phase (`D`, or `De`, `Doi`, `Don` for Deciding, Doing, Done)."""
        self.marks = {mark.casefold(): key for key, mark in self.phase_mark.items()}
        """Phase key of each mark, any case."""

    # -- finding what a row means ---------------------------------------------------------------

    def cell(self, row: ActivityRow, column: str) -> str:
        """Where `row`'s cell in `column` is: as the reader found it, else by the header or the export's order."""
        if column in row.columns:
            return row.cell(column)
        if self.header is not None and column in self.header:
            return row.place.cell(list(self.header).index(column) + 1)
        order = [name for name in COLUMNS if name in row.present]
        order += [f"{seg} {question}" for seg in row.segments for question in ("importance", "satisfaction")]
        return row.place.cell(order.index(column) + 1 if column in order else 1)

    def error(self, row: ActivityRow, column: str, message: str) -> None:
        self.errors.append(RowError(self.cell(row, column), message))

    def phase_of(self, row: ActivityRow) -> str | None:
        """The phase key a row's `phase` cell names (key or label, any case); None if empty or unknown (reported)."""
        text = (row.phase or "").strip() if "phase" in row.present else ""
        if not text:
            return None
        for key in PHASE_KEYS:
            if text.casefold() in (key, label_of(key, self.cmap.phase(key)).casefold()):
                return key
        known = ", ".join(f"{key} ({clip(label_of(key, self.cmap.phase(key)), 40)})" for key in PHASE_KEYS)
        self.error(row, "phase", f"unknown phase '{clip(text)}'; the map's phases are {known}")
        return None

    def by_number_of(self, row: ActivityRow, text: str, column: str, phase: str | None) -> int | None:
        """The activity numbered `text` (in `phase` when known); reports and returns None when none or several."""
        match = _NUMBER.fullmatch(text.strip())
        if match is None:
            self.error(row, column, f"'{clip(text)}' is not an activity number such as 1.2 (or D1.2 with the "
                       "phase's mark)")
            return None
        mark, digits = match.groups()
        if mark:
            marked = self.marks.get(mark.casefold())
            if marked is None or (phase is not None and marked != phase):
                marks = ", ".join(f"{self.phase_mark[key]} ({clip(label_of(key, self.cmap.phase(key)), 40)})"
                                  for key in ([phase] if phase else PHASE_KEYS))
                self.error(row, column, f"'{clip(text)}': '{clip(mark)}' is not the mark of "
                           f"{'the row phase' if phase else 'a phase of the map'}, as the landscape shows them: "
                           f"{marks}")
                return None
            phase = marked
        phases = [phase] if phase is not None else list(PHASE_KEYS)
        found = [self.by_number[(key, digits)] for key in phases if (key, digits) in self.by_number]
        if len(found) == 1:
            return found[0]
        if not found:
            where = f" in {label_of(phases[0], self.cmap.phase(phases[0]))}" if phase is not None else ""
            self.error(row, column, f"no activity is numbered {digits}{where}")
        else:
            names = ", ".join(label_of(self.visits[i].phase, self.cmap.phase(self.visits[i].phase)) for i in found)
            self.error(row, column, f"activity number {digits} is in several phases ({names}): add a phase "
                       "column, or use the id")
        return None

    def existing(self, row: ActivityRow) -> int | bool | None:
        """The index of the activity a row updates; False for a row adding one; None when it cannot be applied."""
        text_id = (row.id or "").strip() if "id" in row.present else ""
        if text_id:
            index = self.by_id.get(text_id)
            if index is None:
                close = difflib.get_close_matches(text_id, list(self.by_id), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.error(row, "id", f"no activity has the id '{clip(text_id)}'{hint}")
            return index
        text_number = (row.number or "").strip() if "number" in row.present else ""
        if text_number:
            return self.by_number_of(row, text_number, "number", self.phase_of(row))
        return False

    # -- checking values ------------------------------------------------------------------------

    def in_scale(self, row: ActivityRow, column: str, value: float | None) -> bool:
        low, high = self.scale
        if value is None or low <= value <= high:
            return True
        self.error(row, column, f"{column} {number(value)} is outside the map's scale of {low} to {high}")
        return False

    def scores_ok(self, row: ActivityRow) -> bool:
        """Whether every score of the row is within the scale and names a segment of the map (each problem reported)."""
        checked = [self.in_scale(row, name, getattr(row, name)) for name in ("importance", "satisfaction")
                   if name in row.present]  # every one checked, so that each problem is reported
        fine = all(checked)
        for segment, values in row.segments.items():
            if segment not in self.segment_ids:
                known = ", ".join(self.segment_ids) or "none"
                self.error(row, f"{segment} importance", f"the map has no segment '{clip(segment)}' (its segments: "
                           f"{known})")
                fine = False
                continue
            for question, value in zip(("importance", "satisfaction"), values, strict=True):
                fine = self.in_scale(row, f"{segment} {question}", value) and fine
        return fine

    # -- applying -------------------------------------------------------------------------------

    def run(self, rows: Sequence[ActivityRow]) -> None:
        written, lists = self.files.activities()
        if len(written) != len(self.visits) or any(
            text_of(child(w.node, "name")) != v.activity.name
            for w, v in zip(written, self.visits, strict=False)
        ):
            raise _Unmatched
        seen: dict[int, ActivityRow] = {}
        targets: dict[str, _Target] = {}
        new_ids: dict[str, _New] = {}
        for row in rows:
            found = self.existing(row)
            once = found is None or found is False or self.first_for(row, found, seen)
            if not self.scores_ok(row) or found is None or not once:  # each check made, so each problem is told
                continue
            if found is False:
                self.add(row, written, targets, new_ids)
                continue
            self.update(row, self.visits[found], written[found])
        if not self.errors:
            for target in targets.values():
                self.place_new(target, lists)

    def first_for(self, row: ActivityRow, found: int, seen: dict[int, ActivityRow]) -> bool:
        """Whether `row` is the first to update activity `found`; a later one is reported."""
        if found in seen:
            self.error(row, "id" if row.id else "number", f"'{self.visits[found].activity.id}' is updated by "
                       f"row {seen[found].place.row} too; keep one row per activity")
            return False
        seen[found] = row
        return True

    def update(self, row: ActivityRow, visit: Visit, written: _Written) -> None:
        """Write the row's scores and new list items into an existing activity."""
        activity, node, doc = visit.activity, written.node, written.doc
        if shared(node):
            self.error(row, "id" if row.id else "number", f"'{activity.id}' is written with a YAML anchor "
                       "(&name) and may stand in other places too; update it by hand")
            return
        for name in ("importance", "satisfaction"):
            value = getattr(row, name) if name in row.present else None
            if value is not None and value != getattr(activity, name):
                self.set_value(written, name, number(value), activity, row)
        self.update_segments(row, activity, written)
        for name in LIST_FIELDS:
            have = list(getattr(activity, name))
            new = [item.strip() for item in getattr(row, name) if item.strip()] if name in row.present else []
            added = list(dict.fromkeys(item for item in new if item not in have))
            if added:
                self.extend_list(written, name, have, [scalar(item) for item in added])
                self.note(doc, activity, name, have, have + added)
        if "evidence" in row.present:
            self.add_evidence(row, activity, written)

    def note(self, doc: EditedText, activity: Activity, name: str, old: object, new: object) -> None:
        self.changes.append(Change(doc.name, activity.id or "", name, old, new))

    def set_value(self, written: _Written, name: str, text: str, activity: Activity, row: ActivityRow) -> None:
        doc, node = written.doc, written.node
        found = key_value(node, name)
        if found is not None and shared(found[1]):
            self.error(row, name, f"the {name} of '{activity.id}' is shared through a YAML anchor; update it by hand")
            return
        if found is not None:
            doc.replace(found[1], text)
        else:
            doc.add_key(node, _before(node, name, ACTIVITY_KEYS), name, [], text)
        self.note(doc, activity, name, getattr(activity, name), float(text))

    def extend_list(self, written: _Written, name: str, have: Sequence[str], items: Sequence[str]) -> None:
        """Add `items` (YAML text) to the list `name` of an activity, making the key when it is not written there."""
        doc, node = written.doc, written.node
        found = key_value(node, name)
        if found is not None and isinstance(found[1], SequenceNode) and not shared(found[1]):
            doc.append_items(found[1], items)
            return
        everything = [*(scalar(item) for item in have), *items]  # the list came from a merge key, or was empty
        column = doc.key_column(node) if node.value and not node.flow_style else 0
        if found is not None:
            doc.replace(found[1], flow_list(everything))
        elif node.flow_style or inline_fits(column, name, everything):
            doc.add_key(node, _before(node, name, ACTIVITY_KEYS), name, [], flow_list(everything))
        else:
            dash = " " * doc.list_offset()
            doc.add_key(node, _before(node, name, ACTIVITY_KEYS), name, [f"{dash}- {item}" for item in everything],
                        flow_list(everything))

    def add_evidence(self, row: ActivityRow, activity: Activity, written: _Written) -> None:
        cited = {item.ref for item in activity.evidence}
        added: list[tuple[str, str]] = []
        for text in row.evidence:
            source, ref = _evidence_of(text)
            if ref and ref not in cited and (source, ref) not in added:
                added.append((source, ref))
        if not added:
            return
        items = [f"{{source: {source}, ref: {scalar(ref)}}}" for source, ref in added]
        have = [{"source": e.source, "ref": e.ref} for e in activity.evidence]
        if key_value(written.node, "evidence") is None and activity.evidence:  # given by a merge key: write all
            items = [f"{{source: {e.source}, ref: {scalar(e.ref)}}}" for e in activity.evidence] + items
        self.extend_list(written, "evidence", [], items)
        self.note(written.doc, activity, "evidence", have, have + [{"source": s, "ref": r} for s, r in added])

    def update_segments(self, row: ActivityRow, activity: Activity, written: _Written) -> None:
        """Write the row's per-segment scores into the activity's `segments:`."""
        doc, node = written.doc, written.node
        wanted: dict[str, dict[str, float]] = {}
        for segment, pair in row.segments.items():
            was = activity.segments.get(segment)
            for question, value in zip(("importance", "satisfaction"), pair, strict=True):
                if value is not None and value != getattr(was, question, None):
                    wanted.setdefault(segment, {})[question] = value
                    self.note(doc, activity, f"segments.{segment}.{question}", getattr(was, question, None), value)
        if wanted:
            _write_segments(doc, node, wanted)


    # -- new activities -------------------------------------------------------------------------

    def add(self, row: ActivityRow, written: list[_Written], targets: dict[str, _Target],
            new_ids: dict[str, _New]) -> None:
        """Check a row that adds an activity, and note where it goes."""
        name = (row.name or "").strip() if "name" in row.present else ""
        parent_text = (row.parent or "").strip() if "parent" in row.present else ""
        phase = self.phase_of(row)
        if not name:
            self.error(row, "name" if "name" in row.present else "id",
                       "a row without an id or a number adds an activity, and needs its name")
            return
        if not parent_text and phase is None:
            if "phase" not in row.present or not (row.phase or "").strip():
                self.error(row, "parent" if "parent" in row.present else "name",
                           f"the new activity '{clip(name)}' needs a parent (id or number) or a phase")
            return
        parent: _New | int | None = None
        if parent_text:
            parent = new_ids.get(parent_text)
            if parent is None:
                parent = self.by_id.get(parent_text)
            if parent is None and _NUMBER.fullmatch(parent_text):
                parent = self.by_number_of(row, parent_text, "parent", phase)
                if parent is None:
                    return
            if parent is None:
                close = difflib.get_close_matches(parent_text, [*self.by_id, *new_ids], n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.error(row, "parent", f"no activity has the id '{clip(parent_text)}' to add "
                           f"'{clip(name)}' under{hint}")
                return
        in_phase = parent.phase if isinstance(parent, _New) else self.visits[parent].phase if parent is not None \
            else phase
        assert in_phase is not None  # noqa: S101 - a parent or a phase, checked above
        if phase is not None and phase != in_phase:
            where, said = (label_of(key, self.cmap.phase(key)) for key in (in_phase, phase))
            self.error(row, "phase", f"the parent '{clip(parent_text)}' is in {where}, not in {said}")
            return
        new_id = implicit_id(name, in_phase, self._position(parent, in_phase, targets))
        owner = self._clash(new_id, new_ids)
        if owner:
            self.error(row, "name", f"the new activity '{clip(name)}' would get the id '{new_id}', which {owner} "
                       "already has; give it another name")
            return
        added = _New(row, new_id, in_phase)
        new_ids[new_id] = added
        if isinstance(parent, _New):
            parent.children.append(added)
            return
        key = f"phase:{in_phase}" if parent is None else f"id:{self.visits[parent].activity.id}"
        target = targets.setdefault(key, _Target(None if parent is None else written[parent], in_phase))
        if target.written is not None and shared(target.written.node):
            self.error(row, "parent", f"'{clip(parent_text)}' is written with a YAML anchor (&name); add "
                       "activities under it by hand")
            return
        target.added.append(added)

    def _position(self, parent: _New | int | None, phase: str, targets: Mapping[str, _Target]) -> tuple[int, ...]:
        """Where a new activity will stand (for the id of a name without letters or digits, such as Japanese)."""
        if isinstance(parent, _New):
            return (0, len(parent.children) + 1)  # under a new activity: the loader numbers it; its id is checked then
        if parent is None:
            key, before = f"phase:{phase}", (len(self.cmap.phase(phase).activities),)  # type: tuple[str, tuple[int, ...]]
        else:
            visit = self.visits[parent]
            key, before = f"id:{visit.activity.id}", (*visit.position, len(visit.activity.subcycle))
        waiting = targets.get(key)
        return (*before[:-1], before[-1] + 1 + (len(waiting.added) if waiting else 0))

    def _clash(self, new_id: str, new_ids: Mapping[str, _New]) -> str:
        """Who already has `new_id`: an activity of the map (its name and number), a new one of an earlier row."""
        if new_id in self.by_id:
            visit = self.visits[self.by_id[new_id]]
            return f"'{clip(visit.activity.name)}' ({'.'.join(map(str, visit.position))})"
        if new_id in new_ids:
            return f"the new activity of row {new_ids[new_id].row.place.row}"
        return ""

    def place_new(self, target: _Target, lists: Mapping[str, tuple[MappingNode, SequenceNode]]) -> None:
        """Write the new activities at the end of their parent's subcycle or of their phase."""
        if target.written is None:
            node, doc, key = lists[target.phase][0], self.files.doc(self.files.root), "activities"
        else:
            node, doc, key = target.written.node, target.written.doc, "subcycle"
        written = child(node, key)
        offset = doc.list_offset()
        blocks = [_block(added, offset) for added in target.added]
        flows = [_flow(added) for added in target.added]
        for added in target.added:
            self._note_new(doc, added)
        if isinstance(written, SequenceNode) and written.value:
            doc.append_items(written, flows, [] if written.flow_style else blocks)
        elif written is not None and not node.flow_style:  # `[]`, or nothing after the key
            doc.empty_list_to_block(written, blocks, doc.key_column(node) + offset)
        elif written is not None:
            doc.replace(written, flow_list(flows))
        elif node.flow_style:
            doc.add_key(node, None, key, [], flow_list(flows))
        else:
            dash = " " * offset
            lines = [line for parts in blocks for line in (f"{dash}- {parts[0]}", *(f"{dash}  {p}" for p in parts[1:]))]
            doc.add_key(node, _before(node, key, ACTIVITY_KEYS), key, lines, flow_list(flows))

    def _note_new(self, doc: EditedText, added: _New) -> None:
        self.changes.append(Change(doc.name, added.id, "added", None, added.row.name))
        for below in added.children:
            self._note_new(doc, below)


def _write_segments(doc: EditedText, node: MappingNode, wanted: Mapping[str, Mapping[str, float]]) -> None:
    """Set the scores `wanted` (segment -> question -> score) in the `segments:` of an activity's `node`."""
    segments = child(node, "segments")
    if not isinstance(segments, MappingNode):
        entries = {seg: _flow_scores(values) for seg, values in wanted.items()}
        flow = "{" + ", ".join(f"{seg}: {text}" for seg, text in entries.items()) + "}"
        block = [f"  {seg}: {text}" for seg, text in entries.items()]
        if segments is not None:
            doc.replace(segments, flow)
        else:
            doc.add_key(node, _before(node, "segments", ACTIVITY_KEYS), "segments", block, flow)
        return
    for segment, values in wanted.items():
        entry = child(segments, segment)
        if not isinstance(entry, MappingNode):
            if entry is not None:
                doc.replace(entry, _flow_scores(values))
            else:
                doc.add_key(segments, None, segment, [], _flow_scores(values))
            continue
        for question, value in values.items():
            found = key_value(entry, question)
            if found is not None:
                doc.replace(found[1], number(value))
            else:
                doc.add_key(entry, _before(entry, question, ("importance", "satisfaction")), question, [],
                            number(value))


def _before(node: MappingNode, name: str, order: Sequence[str]) -> str | None:
    """The key written in `node` that `name` goes after: the last one (in the text) of those before it in `order`."""
    earlier = set(order[: order.index(name)])
    last = None
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value in earlier:
            last = str(key_node.value)
    return last


def _flow_scores(values: Mapping[str, float]) -> str:
    return "{" + ", ".join(f"{question}: {number(value)}" for question, value in values.items()) + "}"


def _evidence_of(text: str) -> tuple[str, str]:
    """(source, ref) of an evidence cell item: `interview: INT-07`, else `other` and the whole text.

    >>> _evidence_of("interview: INT-07"), _evidence_of("https://example.org/a")
    (('interview', 'INT-07'), ('other', 'https://example.org/a'))
    """
    source, sep, ref = text.partition(":")
    if sep and source.strip() in EVIDENCE_SOURCES and ref.strip():
        return source.strip(), ref.strip()
    return "other", text.strip()


def _fields(added: _New) -> list[tuple[str, str, list[str]]]:
    """(key, inline value, block lines) of a new activity's fields, in the canonical order."""
    row = added.row
    out: list[tuple[str, str, list[str]]] = [("name", scalar((row.name or "").strip()), [])]
    if "description" in row.present and row.description and row.description.strip():
        out.append(("description", scalar(row.description.strip()), []))
    for name in ("importance", "satisfaction"):
        value = getattr(row, name) if name in row.present else None
        if value is not None:
            out.append((name, number(value), []))
    scores = {seg: {q: v for q, v in zip(("importance", "satisfaction"), pair, strict=True) if v is not None}
              for seg, pair in row.segments.items()}
    scores = {seg: values for seg, values in scores.items() if values}
    if scores:
        out.append(("segments", "{" + ", ".join(f"{s}: {_flow_scores(v)}" for s, v in scores.items()) + "}",
                    [f"  {s}: {_flow_scores(v)}" for s, v in scores.items()]))
    for name in ("pains", "offerings", "competitors", "tags"):
        items = [scalar(i.strip()) for i in getattr(row, name) if i.strip()] if name in row.present else []
        if items:
            out.append((name, flow_list(list(dict.fromkeys(items))), []))
    evidence = list(dict.fromkeys(_evidence_of(i) for i in row.evidence if i.strip())) if "evidence" in row.present \
        else []
    if evidence:
        items = [f"{{source: {s}, ref: {scalar(r)}}}" for s, r in evidence]
        out.append(("evidence", flow_list(items), [f"  - {item}" for item in items]))
    if "owner" in row.present and row.owner and row.owner.strip():
        out.append(("owner", scalar(row.owner.strip()), []))
    return sorted(out, key=lambda entry: ACTIVITY_KEYS.index(entry[0]))


def _block(added: _New, offset: int) -> list[str]:
    """A new activity as the lines of a block list item (the first follows '- ')."""
    lines = []
    for key, flow, block in _fields(added):
        if block and not inline_fits(0, key, [flow]):
            lines += [f"{key}:", *block]
        else:
            lines.append(f"{key}: {flow}")
    if added.children:
        lines.append("subcycle:")
        dash = " " * offset
        for below in added.children:
            first, *rest = _block(below, offset)
            lines += [f"{dash}- {first}", *(f"{dash}  {line}" for line in rest)]
    return lines


def _flow(added: _New) -> str:
    """A new activity as an inline mapping."""
    parts = [f"{key}: {flow}" for key, flow, _ in _fields(added)]
    if added.children:
        parts.append("subcycle: " + flow_list([_flow(below) for below in added.children]))
    return "{" + ", ".join(parts) + "}"


# -- the whole update ------------------------------------------------------------------------


def update_map(map_path: str, rows: Sequence[ActivityRow], *, header: Sequence[str] | None = None) -> Update:
    """The new text of each file of the map at `map_path` that `rows` change, checked by the loader.

    `header` is the sheet's columns in order, to name cells (else the export's order is assumed).
    Raises MapError when the map itself is invalid, RowErrors with every row problem.
    """
    from cyclemap.loader import load_from, load_map  # noqa: PLC0415 - the loader is heavy; the CLI loads lazily

    if map_path == "-":
        raise RowErrors([RowError("--into", "give the map's file name: a map from standard input cannot be updated")])
    cmap = load_map(map_path)
    updater = _Updater(map_path, cmap, header)
    try:
        updater.run(rows)
    except _Unmatched:
        raise RowErrors([RowError(map_path, "cannot find every activity of the map in its text (merge keys or "
                                  "aliases build some of them); update this map by hand")]) from None
    except (IncludeRefused, UnicodeDecodeError) as err:  # a file changed since the loader read it
        raise RowErrors([RowError(map_path, f"cannot read the map's files again: {err}")]) from None
    if updater.errors:
        raise RowErrors(sorted(set(updater.errors), key=updater.errors.index))
    files = updater.files
    changed = {rel: doc for rel, doc in files.docs.items() if doc.changed}
    texts = {rel: doc.result() for rel, doc in changed.items()}
    try:
        new = load_from(_Overlay(files.folder, texts), files.root)
    except MapError as err:
        raise RowErrors([RowError(f"{p.file}:{p.line}:{p.col}", f"the updated map would not be valid: {p.message}")
                         for p in err.problems]) from None
    survey = _survey(cmap, map_path)
    return Update(
        map_path,
        {files.paths[rel]: text for rel, text in texts.items()},
        {files.paths[rel]: doc.text for rel, doc in changed.items()},
        tuple(updater.changes),
        tuple(_survey_warnings(survey, updater)),
        cmap,
        new,
        survey,
    )


def _survey(cmap: CycleMap, map_path: str) -> SurveyResults | None:
    if cmap.survey is None:
        return None
    from cyclemap.survey.views import load_map_survey  # noqa: PLC0415

    return load_map_survey(cmap, map_path)


def _survey_warnings(survey: SurveyResults | None, updater: _Updater) -> list[str]:
    """Where the map's survey scores an activity the sheet scores: the survey's scores are the ones shown."""
    if survey is None:
        return []
    from cyclemap.survey import ALL  # noqa: PLC0415

    hidden = []
    for change in updater.changes:
        view = change.field.split(".")[1] if change.field.startswith("segments.") else ALL
        scored = change.field in ("importance", "satisfaction") or change.field.startswith("segments.")
        if scored and survey.score(change.id, view) is not None and change.id not in hidden:
            hidden.append(change.id)
    if not hidden:
        return []
    shown = ", ".join(hidden[:5]) + (f" and {len(hidden) - 5} more" if len(hidden) > 5 else "")
    return [f"the map's survey scores {shown}: the sheet's scores are written into the map, but gaps, diagrams "
            "and the pack show the survey's"]


def write_update(update: Update) -> None:
    """Replace each changed file, atomically; if one cannot be written, put back those already replaced.

    A file reached through a symbolic link is written where the link points, keeping the link and the
    file's permissions.
    """
    from cyclemap.output import write_through  # noqa: PLC0415

    for path, text in update.before.items():
        if Path(path).read_bytes() != text.encode("utf-8"):
            raise RowErrors([RowError(path, "the file changed while the sheet was read; run the import again")])
    done: list[str] = []
    try:
        for path, text in update.texts.items():
            write_through(Path(path), text.encode("utf-8"))
            done.append(path)
    except BaseException:
        for path in done:
            write_through(Path(path), update.before[path].encode("utf-8"))
        raise


def _readable(rows: Sequence[ActivityRow], read: Sequence[TableProblem]) -> list[ActivityRow]:
    """The rows with no error at any of their cells (a cell the reader could not read is no value to check)."""
    places = {problem.where for problem in read if problem.is_error}
    return [row for row in rows if not any(row.place.cell(column) in places for column in row.columns.values())]


def _nothing_written(count: int, source: str, err: TextIO) -> int:
    """Say how many problems the sheet has, in the words of `import -o`; exit 4."""
    from cyclemap.report.terminal import visible  # noqa: PLC0415

    print(f"cyclemap: error: {count} problem{'s' * (count != 1)} in {visible(source)}; nothing was written", file=err)
    return EXIT_INVALID


def print_changes(update: Update, source: str, out: TextIO, threshold: float | None = None) -> None:
    """What the update changes, in the words of `cyclemap diff`."""
    from cyclemap.diff import diff_maps  # noqa: PLC0415
    from cyclemap.report.diff import REPORTERS, DiffReport  # noqa: PLC0415

    changes = diff_maps(update.old, update.new, threshold, old_survey=update.survey, new_survey=update.survey)
    report = DiffReport(update.map_path, f"{update.map_path} with {source}", update.old, update.new, changes, threshold)
    REPORTERS["text"](report, out)


def run_into(  # noqa: PLR0913 - the command's options, spelled out
    rows: Sequence[ActivityRow],
    map_path: str,
    dry_run: bool,
    *,
    source: str,
    header: Sequence[str] | None = None,
    threshold: float | None = None,
    read: Sequence[TableProblem] = (),
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """`cyclemap import FILE --into MAP [--dry-run]`: update the map, print what changed; the exit code.

    `source` names the sheet (`scores.csv`) in messages; `read` holds the problems its reader found.
    A row with a cell the reader could not read is left out of the update's checks, every other row
    is checked, so that one run tells every problem: the reader's, then the update's, on standard
    error (`err`), with exit 4 and nothing written. The changes, as `cyclemap diff` tells them, go to `out`.
    """
    from cyclemap.report.terminal import visible  # noqa: PLC0415
    from cyclemap.roundtrip.table_read import limited  # noqa: PLC0415

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    for line in limited(list(read)):
        print(line, file=err)
    read_errors = sum(problem.is_error for problem in read)
    if not rows and not read_errors:
        print(f"cyclemap: error: {visible(source)} has no rows to import", file=err)
        return EXIT_INVALID
    try:
        update = update_map(map_path, _readable(rows, read), header=header)
    except RowErrors as problems:
        for problem in problems.errors:
            print(visible(str(problem)), file=err)
        return _nothing_written(read_errors + len(problems.errors), source, err)
    except FileNotFoundError:
        print(f"cyclemap: error: {visible(map_path)}: no such map", file=err)
        return EXIT_USAGE
    if read_errors:
        return _nothing_written(read_errors, source, err)
    for warning in update.warnings:
        print(f"cyclemap: warning: {visible(warning)}", file=err)
    print_changes(update, source, out, threshold)
    if dry_run:
        print("Dry run: nothing was written.", file=err)
        return EXIT_OK
    write_update(update)
    if update.texts:
        names = ", ".join(visible(path) for path in update.texts)
        print(f"Updated {names}", file=err)
    return EXIT_OK
