"""What changed between two maps, for people and programs: text, markdown, json.

Every reporter takes a `DiffReport` and a text stream. As in the gap
reporters, user text (names, titles, field values, file names) is shown
literally: never as rich markup or a terminal escape, never as Markdown
syntax; JSON keeps it exactly, with JSON's own escapes.

On maps with customer segments, each segment whose gaps or scores changed
gets its own sections after the pooled ones (text, markdown), and the JSON
gains a ``segments`` list; maps without segments are reported as before.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from cyclemap.diff import Entry, FieldChange, GapChange, MapDiff, Moved, Place, ScoreChange, SegmentDiff
from cyclemap.gaps import Gap, Score
from cyclemap.model import CycleMap, label_of
from cyclemap.problems import clip
from cyclemap.report.gaps import PATH_SEPARATOR, SEVERITY_STYLES, markdown_cell, score_text
from cyclemap.report.terminal import literal, visible
from cyclemap.safe_text import inert_json

ARROW = "→"
MAX_VALUE = 80
"""Characters of one shown value (a description, a note) before it is cut with '...'."""
MOVE_REASONS = {
    "phase": "moved to another phase",
    "parent": "moved to another subcycle",
    "order": "moved among its siblings",
}
"""How a move is told; a change of parent is told more exactly by `move_text`."""
CHANGED_TITLE = "Changed fields"
RENAME_HINT = (
    "Activities without an explicit 'id:' are matched by their name, so renaming one shows it as "
    "removed and added; give activities an 'id:' to follow them through renames."
)


@dataclass(frozen=True)
class DiffReport:
    """What a diff reporter shows."""

    old_name: str
    """The old map as given: a file, or REV:path."""
    new_name: str
    old: CycleMap
    new: CycleMap
    diff: MapDiff
    threshold: Score | None = None
    """The --threshold option, if given (else each map's own gaps.threshold applies)."""

    def phase_label(self, phase: str) -> str:
        """A phase's display name, as the new map calls it."""
        return label_of(phase, self.new.phase(phase))


# -- shared wording ---------------------------------------------------------------------


def counts(diff: MapDiff) -> list[str]:
    """'2 added', '1 gap opened'...: the non-zero categories, in a fixed order."""
    parts = [
        (len(diff.added), "", "added"),
        (len(diff.removed), "", "removed"),
        (len(diff.moved), "", "moved"),
        (len(diff.renamed), "", "renamed"),
        (len(diff.changed), "", "changed"),
        (len(diff.gaps_opened), "gap", "opened"),
        (len(diff.gaps_closed), "gap", "closed"),
        (len(diff.gaps_changed), "gap", "changed"),
        (len(diff.score_changes), "score", "changed"),
        (len(diff.map_changed), "map field", "changed"),
        (sum(len(s.gaps_opened) for s in diff.segments), "segment gap", "opened"),
        (sum(len(s.gaps_closed) for s in diff.segments), "segment gap", "closed"),
        (sum(len(s.gaps_changed) for s in diff.segments), "segment gap", "changed"),
        (sum(len(s.score_changes) for s in diff.segments), "segment score", "changed"),
    ]
    return [
        " ".join(filter(None, (str(number), noun + "s" * (number != 1) if noun else "", what)))
        for number, noun, what in parts
        if number
    ]


def where(report: DiffReport, place: Place) -> str:
    """'Deciding 2.1: Understand whether solar pays off > Check roof suitability'."""
    return f"{report.phase_label(place.phase)} {place.number}: {PATH_SEPARATOR.join(place.path)}"


def value_text(value: Any) -> str:
    """A field value in one line: lists joined with '; ', evidence as 'survey SRV-1 (n=40)'.

    >>> value_text(None), value_text(8), value_text(["Slow", "Costly"]), value_text({"source": "survey", "ref": "S1"})
    ('(none)', '8', 'Slow; Costly', 'survey S1')
    """
    if value is None or value == []:
        return "(none)"
    if isinstance(value, list):
        return "; ".join(value_text(item) for item in value)
    if isinstance(value, dict):
        if "source" in value and "ref" in value:
            note = f" ({value['note']})" if value.get("note") else ""
            return f"{value['source']} {value['ref']}{note}"
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def change_text(change: FieldChange) -> str:
    """'importance: 8 → 6'; for lists, only what was added and removed: 'pains: + Slow; - Costly'."""
    old, new = change.old, change.new
    if isinstance(old, list | type(None)) and isinstance(new, list | type(None)) and (old or new):
        gone, came = _list_delta(old or [], new or [])
        parts = [f"+ {clip(value_text(item), MAX_VALUE)}" for item in came]
        parts += [f"- {clip(value_text(item), MAX_VALUE)}" for item in gone]
        if parts:
            return f"{change.field}: {'; '.join(parts)}"
        return f"{change.field}: reordered"
    return f"{change.field}: {clip(value_text(old), MAX_VALUE)} {ARROW} {clip(value_text(new), MAX_VALUE)}"


def _list_delta(old: list[Any], new: list[Any]) -> tuple[list[Any], list[Any]]:
    """Items of `old` not in `new` and of `new` not in `old`, counting repeats, in list order."""
    left = Counter(json.dumps(item, sort_keys=True) for item in new)
    gone = [item for item in old if not _take(left, item)]
    left = Counter(json.dumps(item, sort_keys=True) for item in old)
    came = [item for item in new if not _take(left, item)]
    return gone, came


def _take(counter: Counter[str], item: Any) -> bool:
    key = json.dumps(item, sort_keys=True)
    if counter[key] > 0:
        counter[key] -= 1
        return True
    return False


def move_text(move: Moved) -> str:
    """How an activity moved, in the direction it went.

    >>> was, now = Place("pre", "1.2.1", ("A", "B", "X"), "b"), Place("pre", "4", ("X",), None)
    >>> move_text(Moved(Entry("x", was, now), "parent")), move_text(Moved(Entry("x", now, was), "parent"))
    ('moved out of its subcycle', 'moved into a subcycle')
    """
    old, new = move.entry.old, move.entry.new
    if move.reason == "parent" and old is not None and new is not None:
        if old.parent is None:
            return "moved into a subcycle"
        if new.parent is None:
            return "moved out of its subcycle"
    return MOVE_REASONS[move.reason]


def gap_text(gap: Gap | None) -> str:
    """'14.0 high: underserved, unserved', or '-' for no gap."""
    if gap is None:
        return "-"
    head = " ".join(filter(None, (score_text(gap.score), gap.band)))
    return f"{head}: {', '.join(gap.kinds)}" if head else ", ".join(gap.kinds)


def gap_subject(report: DiffReport, change: GapChange) -> str:
    """What a gap is about: the activity's place, or the phase for an empty phase."""
    gap = change.new or change.old
    assert gap is not None  # noqa: S101 - a gap change has at least one side
    if gap.id is None:
        return f"{report.phase_label(gap.phase)} phase (no activities)"
    return f"{report.phase_label(gap.phase)}: {PATH_SEPARATOR.join(gap.path)}"


def gap_note(report: DiffReport, change: GapChange) -> str:
    """Why a gap appeared or went, when that is the activity itself coming or going."""
    if change.old is None and change.key in {e.id for e in report.diff.added}:
        return "new activity"
    if change.new is None and change.key in {e.id for e in report.diff.removed}:
        return "activity removed"
    return ""


def score_order(changes: Sequence[ScoreChange]) -> list[ScoreChange]:
    """Biggest change first (scores that appeared or went last), then by id."""
    return sorted(changes, key=lambda c: (c.delta is None, -abs(c.delta or 0.0), c.entry.id))


def _delta_text(change: ScoreChange) -> str:
    delta = change.delta
    if delta is None:
        return "now scored" if change.old is None else "no longer scored"
    return ("+" if delta > 0 else "-") + score_text(abs(delta))


def _score_or_dash(score: float | None) -> str:
    return score_text(score) or "-"


# -- text (rich) ---------------------------------------------------------------------------


def report_text(report: DiffReport, out: TextIO) -> None:
    console = Console(file=out, highlight=False, soft_wrap=True)
    diff = report.diff
    for label, name, cmap in (("Old", report.old_name, report.old), ("New", report.new_name, report.new)):
        console.print(Text.assemble((f"{label}: ", "dim"), literal(name, "bold"), " ", literal(f"({cmap.title})")))
    if not diff.differs:
        console.print(Text("No differences: the maps hold the same activities, fields and gaps.", style="green"))
        return
    console.print(Text(", ".join(counts(diff)), style="bold"))
    for title, lines in _text_sections(report):
        if lines:
            console.print()
            console.print(Text(title, style="bold underline"))
            for line in lines:
                console.print(line)
    if diff.added and diff.removed:
        console.print()
        console.print(Text(RENAME_HINT, style="dim"))


def _text_sections(report: DiffReport) -> list[tuple[str, list[Text]]]:
    diff = report.diff
    return [
        ("Map", [_line("~", c.field, change_text(c).removeprefix(c.field + ": "), "yellow") for c in diff.map_changed]),
        ("Added", [_line("+", e.id, where(report, e.place), "green") for e in diff.added]),
        ("Removed", [_line("-", e.id, where(report, e.place), "red") for e in diff.removed]),
        ("Moved", [_moved_line(report, m) for m in diff.moved]),
        ("Renamed", [_line("~", e.id, _renamed(e), "yellow") for e in diff.renamed]),
        ("Changed", [line for c in diff.changed for line in _changed_lines(report, c.entry, c.fields)]),
        ("Gaps opened", [_gap_line(report, c, "+", "red") for c in diff.gaps_opened]),
        ("Gaps closed", [_gap_line(report, c, "-", "green") for c in diff.gaps_closed]),
        ("Gaps changed", [_gap_line(report, c, "~", "yellow") for c in diff.gaps_changed]),
        ("Opportunity scores (0 to 20)", [_score_line(c) for c in score_order(diff.score_changes)]),
        *(section for segment in diff.segments for section in _segment_text_sections(report, segment)),
    ]


def segment_heading(segment: SegmentDiff) -> str:
    """How a segment's sections are headed: 'Segment Upgraders (upgraders)'."""
    return f"Segment {segment.name} ({segment.view})"


def _segment_text_sections(report: DiffReport, segment: SegmentDiff) -> list[tuple[str, list[Text]]]:
    """The segment's gaps opened, closed and changed, and its scores that moved (empty ones are not printed)."""
    head = visible(segment_heading(segment))
    return [
        (f"{head}: gaps opened", [_gap_line(report, c, "+", "red") for c in segment.gaps_opened]),
        (f"{head}: gaps closed", [_gap_line(report, c, "-", "green") for c in segment.gaps_closed]),
        (f"{head}: gaps changed", [_gap_line(report, c, "~", "yellow") for c in segment.gaps_changed]),
        (f"{head}: opportunity scores (0 to 20)", [_score_line(c) for c in score_order(segment.score_changes)]),
    ]


def _line(sign: str, key: str, rest: str, style: str) -> Text:
    return Text.assemble((f"  {sign} ", style), literal(key, "bold"), "  ", literal(rest))


def _renamed(entry: Entry) -> str:
    assert entry.old is not None and entry.new is not None  # noqa: S101 - renamed entries are in both maps
    return f'"{entry.old.name}" {ARROW} "{entry.new.name}"'


def _moved_line(report: DiffReport, move: Moved) -> Text:
    entry = move.entry
    assert entry.old is not None and entry.new is not None  # noqa: S101 - moved entries are in both maps
    old = f"{report.phase_label(entry.old.phase)} {entry.old.number}"
    new = f"{report.phase_label(entry.new.phase)} {entry.new.number}"
    return _line("~", entry.id, f"{entry.new.name}: {old} {ARROW} {new} ({move_text(move)})", "yellow")


def _changed_lines(report: DiffReport, entry: Entry, fields: Sequence[FieldChange]) -> list[Text]:
    lines = [_line("~", entry.id, where(report, entry.place), "yellow")]
    lines += [literal(f"      {change_text(change)}") for change in fields]
    return lines


def _gap_line(report: DiffReport, change: GapChange, sign: str, style: str) -> Text:
    gap = change.new or change.old
    assert gap is not None  # noqa: S101 - a gap change has at least one side
    old, new = gap_text(change.old), gap_text(change.new)
    detail = new if change.old is None else old if change.new is None else f"{old} {ARROW} {new}"
    note = gap_note(report, change)
    line = _line(sign, change.key, gap_subject(report, change), style)
    line.append_text(Text.assemble("\n      ", (visible(detail), SEVERITY_STYLES[gap.severity])))
    if note:
        line.append(f" ({note})", style="dim")
    return line


def _score_line(change: ScoreChange) -> Text:
    scores = f"{_score_or_dash(change.old)} {ARROW} {_score_or_dash(change.new)} ({_delta_text(change)})"
    return _line("~", change.entry.id, f"{scores}  {change.entry.place.name}", "yellow")


# -- markdown ----------------------------------------------------------------------------


def report_markdown(report: DiffReport, out: TextIO) -> None:
    """A pull-request comment: heading, a summary line, then only the sections that have entries."""
    diff = report.diff
    out.write(f"## Map changes: {markdown_cell(report.new.title)}\n\n")
    out.write(f"Comparing {markdown_cell(report.old_name)} {ARROW} {markdown_cell(report.new_name)}")
    if report.old.title != report.new.title:
        out.write(f" (was: {markdown_cell(report.old.title)})")
    out.write("\n\n")
    if not diff.differs:
        out.write("No differences: the maps hold the same activities, fields and gaps.\n")
        return
    out.write(f"**{' · '.join(counts(diff))}**\n")
    for title, header, rows in _markdown_sections(report):
        if rows:
            count = len(diff.changed) if title == CHANGED_TITLE else len(rows)  # activities, not fields
            out.write(f"\n### {title} ({count})\n\n")
            out.write("| " + " | ".join(header) + " |\n")
            out.write("|" + "---|" * len(header) + "\n")
            out.writelines("| " + " | ".join(row) + " |\n" for row in rows)
    if diff.added and diff.removed:
        out.write(f"\n{markdown_cell(RENAME_HINT)}\n")


def _markdown_sections(report: DiffReport) -> list[tuple[str, list[str], list[list[str]]]]:
    diff = report.diff
    cell = markdown_cell
    return [
        ("Map fields", ["Field", "Old", "New"], [[cell(c.field), *_old_new(c)] for c in diff.map_changed]),
        ("Added", ["Id", "Activity"], [[_code(e.id), cell(where(report, e.place))] for e in diff.added]),
        ("Removed", ["Id", "Activity"], [[_code(e.id), cell(where(report, e.place))] for e in diff.removed]),
        ("Moved", ["Id", "Activity", "From", "To", "How"], [_moved_row(report, m) for m in diff.moved]),
        ("Renamed", ["Id", "Old name", "New name"], [_renamed_row(e) for e in diff.renamed]),
        (
            CHANGED_TITLE,
            ["Id", "Activity", "Field", "Old", "New"],
            [
                [_code(c.entry.id), cell(c.entry.place.name), cell(f.field), *_old_new(f)]
                for c in diff.changed
                for f in c.fields
            ],
        ),
        ("Gaps opened", ["Id", "Where", "Gap", "Note"], [_gap_row(report, c) for c in diff.gaps_opened]),
        ("Gaps closed", ["Id", "Where", "Gap", "Note"], [_gap_row(report, c) for c in diff.gaps_closed]),
        ("Gaps changed", ["Id", "Where", "Before", "After"], [_gap_change_row(report, c) for c in diff.gaps_changed]),
        ("Opportunity scores", _SCORE_HEADER, _score_rows(diff.score_changes)),
        *(section for segment in diff.segments for section in _segment_markdown_sections(report, segment)),
    ]


_SCORE_HEADER = ["Id", "Activity", "Old score", "New score", "Change"]


def _score_rows(changes: Sequence[ScoreChange]) -> list[list[str]]:
    return [
        [_code(c.entry.id), markdown_cell(c.entry.place.name), _score_or_dash(c.old), _score_or_dash(c.new),
         _delta_text(c)]
        for c in score_order(changes)
    ]


def _segment_markdown_sections(report: DiffReport, segment: SegmentDiff) -> list[tuple[str, list[str],
                                                                                        list[list[str]]]]:
    head = markdown_cell(segment_heading(segment))
    return [
        (f"{head}: gaps opened", ["Id", "Where", "Gap", "Note"], [_gap_row(report, c) for c in segment.gaps_opened]),
        (f"{head}: gaps closed", ["Id", "Where", "Gap", "Note"], [_gap_row(report, c) for c in segment.gaps_closed]),
        (f"{head}: gaps changed", ["Id", "Where", "Before", "After"],
         [_gap_change_row(report, c) for c in segment.gaps_changed]),
        (f"{head}: opportunity scores", _SCORE_HEADER, _score_rows(segment.score_changes)),
    ]


def _code(key: str) -> str:
    """An id in code style (ids hold only a-z, 0-9, '-' and ':', so no escaping is needed)."""
    return f"`{key}`" if "`" not in key and "|" not in key else markdown_cell(key)


def _old_new(change: FieldChange) -> list[str]:
    if isinstance(change.old, list | type(None)) and isinstance(change.new, list | type(None)):
        gone, came = _list_delta(change.old or [], change.new or [])
        if gone or came:
            return [_items(gone, "-"), _items(came, "+")]
    return [markdown_cell(clip(value_text(value), MAX_VALUE)) for value in (change.old, change.new)]


def _items(items: list[Any], sign: str) -> str:
    return "<br>".join(f"{sign} {markdown_cell(clip(value_text(item), MAX_VALUE))}" for item in items)


def _moved_row(report: DiffReport, move: Moved) -> list[str]:
    entry = move.entry
    assert entry.old is not None and entry.new is not None  # noqa: S101 - moved entries are in both maps
    return [
        _code(entry.id),
        markdown_cell(entry.new.name),
        markdown_cell(f"{report.phase_label(entry.old.phase)} {entry.old.number}"),
        markdown_cell(f"{report.phase_label(entry.new.phase)} {entry.new.number}"),
        move_text(move),
    ]


def _renamed_row(entry: Entry) -> list[str]:
    assert entry.old is not None and entry.new is not None  # noqa: S101 - renamed entries are in both maps
    return [_code(entry.id), markdown_cell(entry.old.name), markdown_cell(entry.new.name)]


def _gap_row(report: DiffReport, change: GapChange) -> list[str]:
    return [
        _code(change.key),
        markdown_cell(gap_subject(report, change)),
        markdown_cell(gap_text(change.new or change.old)),
        gap_note(report, change),
    ]


def _gap_change_row(report: DiffReport, change: GapChange) -> list[str]:
    return [
        _code(change.key),
        markdown_cell(gap_subject(report, change)),
        markdown_cell(gap_text(change.old)),
        markdown_cell(gap_text(change.new)),
    ]


# -- json ---------------------------------------------------------------------------------


def diff_json(report: DiffReport) -> dict[str, Any]:
    """The JSON contract: id lists sorted; changed fields as [old, new]; a few documented extras."""
    diff = report.diff
    document: dict[str, Any] = {
        "old": report.old_name,
        "new": report.new_name,
        "added": [e.id for e in diff.added],
        "removed": [e.id for e in diff.removed],
        "moved": [m.entry.id for m in diff.moved],
        "renamed": [e.id for e in diff.renamed],
        "changed": [{"id": c.entry.id, "fields": _pairs(c.fields)} for c in diff.changed],
        **_gaps_and_scores(diff),
        "map_changed": _pairs(diff.map_changed),
    }
    if report.old.segments or report.new.segments:
        document["segments"] = [{"segment": s.view, **_gaps_and_scores(s)} for s in diff.segments]
    return document


def _gaps_and_scores(diff: MapDiff | SegmentDiff) -> dict[str, Any]:
    """The gaps opened, closed and changed and the scores that moved, of the pooled view or of a segment."""
    return {
        "gaps_opened": [c.key for c in diff.gaps_opened],
        "gaps_closed": [c.key for c in diff.gaps_closed],
        "gaps_changed": [
            {"id": c.key, "kinds": [_kinds(c.old), _kinds(c.new)], "band": [_band(c.old), _band(c.new)]}
            for c in diff.gaps_changed
        ],
        "score_changes": [
            {"id": c.entry.id, "old": _rounded(c.old), "new": _rounded(c.new)} for c in diff.score_changes
        ],
    }


def _pairs(changes: Sequence[FieldChange]) -> dict[str, list[Any]]:
    return {c.field: [c.old, c.new] for c in changes}


def _kinds(gap: Gap | None) -> list[str]:
    return list(gap.kinds) if gap else []


def _band(gap: Gap | None) -> str | None:
    return gap.band if gap else None


def _rounded(score: float | None) -> float | None:
    return None if score is None else round(score, 2)


def report_json(report: DiffReport, out: TextIO) -> None:
    from cyclemap.report.gaps import _UNSAFE_IN_JSON  # noqa: PLC0415 - one escaping rule for every JSON we write

    text = json.dumps(diff_json(report), indent=2, ensure_ascii=False, allow_nan=False)
    out.write(inert_json(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)) + "\n")


REPORTERS: dict[str, Callable[[DiffReport, TextIO], None]] = {
    "text": report_text,
    "markdown": report_markdown,
    "json": report_json,
}
"""Reporters by --format name: adding a format is adding an entry (and its CLI choice)."""
