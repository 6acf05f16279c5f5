"""Activity rows -> the YAML text of a valid map (`cyclemap import FILE -o MAP`).

Rules (docs/spreadsheets.md): the order of the rows is the order of the activities; a row's `parent`
names another row by id (or by the id its name makes) or by its `number` in the same phase; an empty
parent puts the activity at the top of its phase. Every problem names its cell, and all of them are
found in one run. The text is checked by the map loader before anyone writes it, and goes through
`canonical` (the layout of `cyclemap fmt`, when that is installed).
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from cyclemap.loader import load_bytes
from cyclemap.model import EVIDENCE_SOURCES, ID_PATTERN, MAX_NAME, PHASE_KEYS, derive_id, implicit_id
from cyclemap.problems import MapError
from cyclemap.roundtrip.details import MapDetails, map_fields, phase_fields
from cyclemap.roundtrip.rows import SEGMENT_SUFFIXES, ActivityRow, TableProblem
from cyclemap.safe_text import visible

MAX_REF = 500
"""Longest evidence reference (the map format's limit)."""
_ID = re.compile(ID_PATTERN)
ACTIVITY_KEYS = ("name", "id", "description", "notes", "owner", "importance", "satisfaction", "pains", "offerings",
                 "competitors", "evidence", "tags", "segments")
"""An activity's keys in the order docs/format.md lists them; `x-` keys and `subcycle` follow."""


@dataclass
class _Node:
    """A row placed in the tree."""

    index: int
    row: ActivityRow
    phase: str
    children: list[_Node] = field(default_factory=list)
    position: tuple[int, ...] = ()
    id: str = ""


def build_map(
    rows: list[ActivityRow], details: MapDetails | None, overrides: dict[str, str | None], name: str,
    source: str | None = None,
) -> tuple[str | None, list[TableProblem]]:
    """The YAML text of the map the rows and details make, or None and the problems that stop it.

    `overrides` holds `--title/--customer/--outcome` (None when not given); `name` is the file the map
    is going to, for the loader's final check; `source` the table read, which problems of the whole table
    name. Warnings may come with a text.
    """
    details = details or MapDetails()
    top, problems = map_fields(details, overrides)
    if not rows:
        problems.append(TableProblem(source or details.source or name, "the table has no activities: below its "
                                     "header row, write one row per activity"))
    scale = (top.get("scale", {}).get("min", 1), top.get("scale", {}).get("max", 10))
    declared = [segment_id for segment_id, *_ in details.segments]
    if not declared:  # segments named only by their columns: declared with their id as name
        used = list(dict.fromkeys(segment for row in rows for segment in row.segments))
        if used:
            top["segments"] = [{"id": segment, "name": segment} for segment in used]
            declared = used
    nodes = _phases(rows, details, problems)
    _check_rows(nodes, scale, declared, problems)
    roots = _tree(nodes, problems)
    if any(problem.is_error for problem in problems):
        return None, problems
    _number(roots)
    _check_ids(nodes, problems)
    if any(problem.is_error for problem in problems):
        return None, problems
    phases = phase_fields(details)
    top["phases"] = {
        key: {**phases[key], "activities": [_activity(node) for node in roots[key]]} for key in PHASE_KEYS
    }
    text = canonical(emit(top))
    problems += _final_check(text, name, nodes, details)
    return (None if any(p.is_error for p in problems) else text), problems


# -- phases, values ---------------------------------------------------------------------------------


def _phases(rows: list[ActivityRow], details: MapDetails, problems: list[TableProblem]) -> list[_Node]:
    """Each row with its phase key (the phase column holds a key or a label, in any case)."""
    names = {key: key for key in PHASE_KEYS}
    names.update({key.capitalize().lower(): key for key in PHASE_KEYS})
    names.update({label.lower(): key for key, label in details.phase_labels().items()})
    nodes = []
    for index, row in enumerate(rows):
        given = (row.phase or "").strip()
        key = names.get(given.lower())
        if key is None:
            if not given:
                problems.append(TableProblem(row.cell("phase"), "the phase is empty: write pre, during or post"))
            else:
                close = difflib.get_close_matches(given.lower(), list(names), n=1)
                hint = f"; did you mean '{names[close[0]]}'?" if close else ""
                problems.append(TableProblem(row.cell("phase"), f"unknown phase '{_short(given)}'{hint} "
                                             f"(the phases are {', '.join(_phase_words(details))})"))
            key = ""
        nodes.append(_Node(index, row, key))
    return nodes


def _phase_words(details: MapDetails) -> list[str]:
    labels = details.phase_labels()
    return [f"{key} ({labels[key]})" if key in labels else key for key in PHASE_KEYS]


def _short(text: str, width: int = 40) -> str:
    return visible(text if len(text) <= width else text[: width - 1] + "…")


def _check_rows(nodes: list[_Node], scale: tuple[float, float], segments: list[str],
                problems: list[TableProblem]) -> None:
    """Names, ids, scores within the scale, evidence and segment columns of every row."""
    unknown_segments: set[str] = set()
    for node in nodes:
        row = node.row
        if row.name is None or not row.name.strip():
            problems.append(TableProblem(row.cell("name"), "the name is empty: every activity has a name"))
        elif len(row.name) > MAX_NAME:
            problems.append(TableProblem(row.cell("name"), f"the name has {len(row.name)} characters; "
                                         f"at most {MAX_NAME}"))
        if row.id is not None and (not _ID.fullmatch(row.id) or len(row.id) > MAX_NAME):
            problems.append(TableProblem(row.cell("id"), f"id '{_short(row.id)}' is not valid: use lower-case "
                                         "letters, digits and '-', starting with a letter or digit"))
        for label in ("importance", "satisfaction"):
            _in_scale(getattr(row, label), scale, row.cell(label), label, problems)
        for segment, pair in row.segments.items():
            if segment not in segments:
                if segment not in unknown_segments:
                    unknown_segments.add(segment)
                    close = difflib.get_close_matches(segment, segments, n=1)
                    hint = (f"; did you mean '{close[0]}'?" if close
                            else f"; the map's segments are: {', '.join(segments) or 'none'}")
                    problems.append(TableProblem(row.cell(f"{segment}{SEGMENT_SUFFIXES[0]}"),
                                                 f"unknown segment '{_short(segment)}'{hint}"))
                continue
            for which, value in enumerate(pair):
                column = f"{segment}{SEGMENT_SUFFIXES[which]}"
                _in_scale(value, scale, row.cell(column), column, problems)
        for item in row.evidence:
            if len(evidence_of(item)["ref"]) > MAX_REF:
                problems.append(TableProblem(row.cell("evidence"), f"an evidence reference of more than "
                                             f"{MAX_REF} characters"))


def _in_scale(value: float | None, scale: tuple[float, float], where: str, label: str,
              problems: list[TableProblem]) -> None:
    if value is not None and not scale[0] <= value <= scale[1]:
        problems.append(TableProblem(where, f"{label} {value:g} is outside the map's scale of "
                                     f"{scale[0]:g} to {scale[1]:g}"))


def evidence_of(item: str) -> dict[str, str]:
    """One evidence cell item as the map writes it: `interview: INT-12` -> source and ref; no known
    source in front -> source `other` and the whole item as ref.

    >>> evidence_of("interview: INT-12"), evidence_of("https://x.example/a")
    ({'source': 'interview', 'ref': 'INT-12'}, {'source': 'other', 'ref': 'https://x.example/a'})
    """
    source, colon, ref = item.partition(":")
    if colon and source.strip().lower() in EVIDENCE_SOURCES and ref.strip():
        return {"source": source.strip().lower(), "ref": ref.strip()}
    return {"source": "other", "ref": item.strip()}


# -- parents ----------------------------------------------------------------------------------------


def _tree(nodes: list[_Node], problems: list[TableProblem]) -> dict[str, list[_Node]]:
    """Each phase's top-level nodes, children attached in row order; problems for parents that are not found,
    are in another phase, or lead round in a cycle; duplicate ids in the id column."""
    parents = _parents(nodes, problems)
    _cycles(nodes, parents, problems)
    roots: dict[str, list[_Node]] = {key: [] for key in PHASE_KEYS}
    for node in nodes:
        if node.index in parents:
            parents[node.index].children.append(node)
        elif node.phase:
            roots[node.phase].append(node)
    return roots


def _by_id(nodes: list[_Node], problems: list[TableProblem]) -> dict[str, _Node]:
    """The id column's ids -> their rows; a problem for an id given twice."""
    by_id: dict[str, _Node] = {}
    for node in nodes:
        if node.row.id is None:
            continue
        other = by_id.setdefault(node.row.id, node)
        if other is not node:
            problems.append(TableProblem(node.row.cell("id"), f"duplicate id '{_short(node.row.id)}' "
                                         f"(also at {other.row.cell('id')})"))
    return by_id


def _parents(nodes: list[_Node], problems: list[TableProblem]) -> dict[int, _Node]:
    """Row index -> the node its `parent` cell names: by id (the id column, else the id its name makes),
    then by number in its phase."""
    by_id = _by_id(nodes, problems)
    made: dict[str, _Node] = {}
    for node in nodes:
        if node.row.id is None and node.row.name and (made_id := derive_id(node.row.name)):
            made.setdefault(made_id, node)
    numbers: dict[tuple[str, str], _Node] = {}
    for node in nodes:
        if node.row.number:
            numbers.setdefault((node.phase, node.row.number), node)
    counted = _Numbers(numbers)
    parents: dict[int, _Node] = {}
    for node in nodes:
        ref = node.row.parent
        if ref is None or not node.phase:
            counted.top(node)
            continue
        parent = by_id.get(ref) or made.get(ref) or numbers.get((node.phase, ref))
        if parent is None:
            candidates = [*by_id, *made, *(n for p, n in numbers if p == node.phase)]
            close = difflib.get_close_matches(ref, candidates, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(TableProblem(node.row.cell("parent"), f"parent '{_short(ref)}' is not found: no row has "
                                         f"this id, or this number in phase {node.phase}{hint}"))
        elif parent.phase and parent.phase != node.phase:
            problems.append(TableProblem(node.row.cell("parent"), f"parent '{_short(ref)}' is in phase "
                                         f"{parent.phase}, this row in {node.phase}: an activity's steps are in its "
                                         "own phase"))
        else:
            parents[node.index] = parent
            counted.child(node, parent)
    return parents


@dataclass
class _Numbers:
    """Numbers for rows without a `number` cell, counted in row order as the map will number them (`2.1` is
    the first step of activity 2), so that a later row's parent can name an earlier row by number."""

    numbers: dict[tuple[str, str], _Node]
    given: dict[int, str] = field(default_factory=dict)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def top(self, node: _Node) -> None:
        self._count(node, "")

    def child(self, node: _Node, parent: _Node) -> None:
        above = parent.row.number or self.given.get(parent.index)
        if above is not None:
            self._count(node, f"{above}.")

    def _count(self, node: _Node, prefix: str) -> None:
        key = (node.phase, prefix)
        self.counts[key] = self.counts.get(key, 0) + 1
        if node.row.number is None:
            number = f"{prefix}{self.counts[key]}"
            self.given[node.index] = number
            self.numbers.setdefault((node.phase, number), node)


def _cycles(nodes: list[_Node], parents: dict[int, _Node], problems: list[TableProblem]) -> None:
    """Report each cycle of parents once, at every row in it; its rows are taken out of `parents`."""
    done: set[int] = set()
    for node in nodes:
        path: list[_Node] = []
        on_path: dict[int, int] = {}
        current: _Node | None = node
        while current is not None and current.index not in done and current.index not in on_path:
            on_path[current.index] = len(path)
            path.append(current)
            current = parents.get(current.index)
        if current is not None and current.index in on_path:
            loop = path[on_path[current.index]:]
            words = " -> ".join(_name_of(n) for n in [*loop, loop[0]])
            for member in loop:
                problems.append(TableProblem(member.row.cell("parent"), f"a cycle of parents: {words}"))
            for member in loop:
                parents.pop(member.index, None)
        done.update(on_path)


def _name_of(node: _Node) -> str:
    return _short(node.row.id or node.row.name or f"row {node.row.place.row}", 30)


def _number(roots: dict[str, list[_Node]]) -> None:
    """Give every node its position and id (its own, else the one its name or position makes)."""

    def walk(key: str, items: list[_Node], above: tuple[int, ...]) -> None:
        for number, node in enumerate(items, start=1):
            node.position = (*above, number)
            node.id = node.row.id or implicit_id(node.row.name or "", key, node.position)
            walk(key, node.children, node.position)

    for key, items in roots.items():
        walk(key, items, ())


def _check_ids(nodes: list[_Node], problems: list[TableProblem]) -> None:
    """Two activities with the same id once ids are made from names (the id column is checked in `_tree`)."""
    seen: dict[str, _Node] = {}
    for node in nodes:
        first = seen.setdefault(node.id, node)
        if first is not node and not (node.row.id is not None and first.row.id is not None):
            column = "id" if node.row.id is not None else "name"
            problems.append(TableProblem(node.row.cell(column), f"duplicate id '{node.id}' (also the id of "
                                         f"{first.row.cell('name')}; made from the name when the id column is "
                                         "empty): give one of them its own id"))


# -- the map as data and text -----------------------------------------------------------------------


def _activity(node: _Node) -> dict[str, Any]:
    row = node.row
    implicit = implicit_id(row.name or "", node.phase, node.position)
    values: dict[str, Any] = {
        "name": row.name,
        "id": row.id if row.id is not None and row.id != implicit else None,
        "description": row.description,
        "notes": row.notes,
        "owner": row.owner,
        "importance": row.importance,
        "satisfaction": row.satisfaction,
        "pains": list(row.pains),
        "offerings": list(row.offerings),
        "competitors": list(row.competitors),
        "evidence": [evidence_of(item) for item in row.evidence],
        "tags": list(row.tags),
        "segments": {
            segment: {k: v for k, v in zip(("importance", "satisfaction"), pair, strict=True) if v is not None}
            for segment, pair in row.segments.items()
        },
    }
    out = {key: values[key] for key in ACTIVITY_KEYS if values[key] not in (None, [], {})}
    out.update(row.extensions)
    if node.children:
        out["subcycle"] = [_activity(child) for child in node.children]
    return out


def emit(data: dict[str, Any]) -> str:
    """YAML text of the map `data`: block style, two-space indents, short lists and score pairs inline."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1_000_000  # no folding: long texts stay on their line (folded lines would end in a space)
    yaml.allow_unicode = True
    out = io.StringIO()
    yaml.dump(_styled(data, 0), out)
    return out.getvalue()


INLINE_WIDTH = 100
"""Lists of short texts, and small mappings of numbers, go on one line when it fits in this many columns."""


def _styled(value: Any, indent: int) -> Any:
    """`value` as ruamel.yaml's round-trip types, with the flow and block styles chosen."""
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[_quoted_if_typed(key)] = _styled(item, indent + 2)
        if value and all(isinstance(v, int | float) for v in value.values()):
            mapping.fa.set_flow_style()
        elif value and all(isinstance(v, dict) and all(isinstance(x, int | float) for x in v.values())
                           for v in value.values()):
            for item in mapping.values():
                item.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        seq = CommentedSeq(_styled(item, indent + 4) for item in value)
        if all(isinstance(item, str) and _plain_inline(item) for item in value) and (
            indent + sum(len(item) + 2 for item in value) + 20 <= INLINE_WIDTH
        ):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and _literal(value):
        return LiteralScalarString(value)
    if isinstance(value, str) and not value.isprintable():  # escapes, so that NEL or LS is no line break
        return DoubleQuotedScalarString(value)
    return _quoted_if_typed(value)


_YAML_1_1 = Resolver()
_TEXT_TAG = "tag:yaml.org,2002:str"
_SHORT_BOOLEANS = frozenset({"y", "Y", "n", "N"})
"""YAML 1.1 booleans PyYAML's resolver leaves out (other YAML 1.1 readers, go-yaml v2 for one, take them)."""


def _quoted_if_typed(value: Any) -> Any:
    """A text that a YAML 1.1 reader would take for something else (`yes`, `No`, `on`, `y`, `12:30`, a date)
    in quotes. cyclemap reads every scalar as written (`no` is the text "no"), but other tools read YAML 1.1,
    where `no` is false; quoted, every reader reads the text.
    """
    if isinstance(value, str) and (value in _SHORT_BOOLEANS or _YAML_1_1.resolve(  # type: ignore[no-untyped-call]
            ScalarNode, value, (True, False)) != _TEXT_TAG):
        return SingleQuotedScalarString(value)
    return value


_INLINE_ITEM = re.compile(r"\w[\w .()/+;='\u2019$€£%-]*(?<! )")
"""Items an inline list holds as they are: no flow indicator (`,[]{}`), no `: ` or ` #`, no edge spaces."""


def _plain_inline(text: str) -> bool:
    """Whether a list item can sit in an inline list `[a, b]` (others make the list a block)."""
    return _INLINE_ITEM.fullmatch(text) is not None


def _literal(text: str) -> bool:
    """Whether a text reads best as a `|` block: several lines, nothing a block cannot hold as it is."""
    if "\n" not in text.rstrip("\n") or text != text.lstrip() or "\r" in text:
        return False
    return all(line == line.rstrip() and (line.isprintable() or not line) for line in text.split("\n"))


def canonical(text: str) -> str:
    """The map text in the canonical layout of `cyclemap fmt` when that is installed, else as it is.

    This is the one place the formatter plugs in: `cyclemap.roundtrip.fmt.format_text`.
    """
    try:
        from cyclemap.roundtrip.fmt import format_text  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    except ImportError:
        return text
    formatted: str = format_text(text)
    return formatted


# -- the loader's final check -----------------------------------------------------------------------


def _final_check(text: str, name: str, nodes: list[_Node], details: MapDetails) -> list[TableProblem]:
    """The loader's problems with the text, each named at the row (and column) it comes from."""
    try:
        load_bytes(text.encode("utf-8"), name)
    except MapError as err:
        places = {_yaml_path(node): node for node in nodes}
        return [_placed(problem.path, problem.message, places, details) for problem in err.problems
                if problem.is_error] or [TableProblem(name, "the map made from the table is not valid")]
    return []


def _yaml_path(node: _Node) -> str:
    steps = [f"phases.{node.phase}.activities[{node.position[0] - 1}]"]
    steps += [f"subcycle[{n - 1}]" for n in node.position[1:]]
    return ".".join(steps)


def _placed(path: str, message: str, places: dict[str, _Node], details: MapDetails) -> TableProblem:
    """A loader problem at `path` (`phases.pre.activities[0].importance`) as the cell it comes from."""
    best = max((p for p in places if path == p or path.startswith(p + ".")), key=len, default=None)
    if best is None:
        top = path.split(".", 1)[0]
        return TableProblem(details.place(top) if top in details.values else details.source or "the details",
                            f"{path}: {message}" if path else message)
    node = places[best]
    column = path[len(best) + 1:].split(".", 1)[0].split("[", 1)[0] or "name"
    return TableProblem(node.row.cell(column), message)

