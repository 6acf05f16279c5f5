"""One Markdown document about a map: details, the Mermaid diagram, counts, ranked gaps, activities.

`map_document` is a pure function (model in, text out) behind `cyclemap report`.
The document is meant to be committed next to the map or pasted into a wiki,
so it is deterministic (no date, no version) and every piece of user text is
shown literally: Markdown syntax escaped, and the diagram kept inside its
fence (Mermaid labels carry no backticks or line breaks).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cyclemap.gaps import Gap, GapFilter, effective_threshold, filter_gaps, find_gaps
from cyclemap.model import PHASE_KEYS, CycleMap, Visit, label_of
from cyclemap.render.landscape import chart_of
from cyclemap.render.mermaid import QUADRANT_CAN_NOT_SHOW, quadrant_marks, render_mermaid, render_quadrant
from cyclemap.render.scene import Scene, build_scene
from cyclemap.report.gaps import GapReport, markdown_cell, write_markdown_gaps
from cyclemap.report.segment_gaps import SegmentReport, write_markdown_disagreements
from cyclemap.segment_gaps import SPREAD, segment_disagreements

if TYPE_CHECKING:
    from cyclemap.survey.views import SurveyResults

MERMAID_MAX_TEXT = 50_000
MERMAID_MAX_EDGES = 500
"""Mermaid's default limits (maxTextSize, maxEdges): past them GitHub shows an error instead of the diagram."""

LEGEND = (
    "Fill shows the opportunity: dark red is extremely underserved, then red (high) and orange "
    "(moderate); pale orange marks a pain we do not address, blue an overserved activity. "
    "A dashed border means no offering of ours serves that activity."
)

_BLOCK_START = re.compile(r"^([#>+=-])|^(\d+)([.)])")
"""What turns a paragraph's first characters into a heading, quote, list or underline."""


@dataclass(frozen=True)
class DocumentOptions:
    """What `cyclemap report` puts in the document."""

    threshold: float | None = None
    """Opportunity score from which an activity is underserved (default: the map's)."""
    depth: int | None = None
    """Collapse subcycles deeper than this in the diagram (default: as deep as Mermaid can show)."""
    keep: GapFilter = field(default_factory=GapFilter)
    """Which ranked gaps to list (default: all of them)."""
    survey: SurveyResults | None = None
    """The map's survey's results (`cyclemap.survey.views.load_map_survey`), when it has a survey."""


def map_document(cmap: CycleMap, file: str, options: DocumentOptions | None = None) -> str:
    """The whole Markdown document for `cmap`, read from `file` (the name shown in the footer)."""
    options = options or DocumentOptions()
    found = find_gaps(cmap, options.threshold, survey=options.survey)
    sections = [
        _details(cmap),
        _diagram(cmap, options),
        _phase_counts(cmap, found, options.survey),
        _landscape(cmap, options),
        _gaps(cmap, file, found, options),
        *([_segments(cmap, file, options)] if cmap.segments else []),
        _activities(cmap),
        _footer(file),
    ]
    return "\n".join(sections)


def markdown_text(text: str) -> str:
    """User text as one literal Markdown paragraph: inline syntax escaped, no block started.

    >>> print(markdown_text("# Not a heading *really*"))
    \\# Not a heading \\*really\\*
    >>> print(markdown_text("1. first"))
    1\\. first
    """
    return _BLOCK_START.sub(_escape_block_start, markdown_cell(text.strip()))


def _escape_block_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return f"{match.group(2)}\\{match.group(3)}"


def _details(cmap: CycleMap) -> str:
    rows = [("Customer", cmap.customer), ("Outcome", cmap.outcome)]
    if cmap.owner:
        rows.append(("Owner", cmap.owner))
    lines = [f"# {markdown_text(cmap.title)}", ""]
    lines += [f"- **{name}:** {markdown_text(value)}" for name, value in rows]
    lines.append(f"- **Scale:** {cmap.scale.min} to {cmap.scale.max}")
    if cmap.description:
        lines += ["", markdown_text(cmap.description)]
    return "\n".join(lines) + "\n"


# -- the diagram ------------------------------------------------------------------


def _diagram(cmap: CycleMap, options: DocumentOptions) -> str:
    lines = ["## The cycle", ""]
    depths = [options.depth] if options.depth is not None else [None, *range(_levels(cmap) - 2, -1, -1)]
    for depth in depths:
        scene = build_scene(cmap, depth, options.threshold, survey=options.survey)
        text = render_mermaid(scene)
        if _fits_mermaid(scene, text):
            if depth is not None and options.depth is None:
                lines += [_collapsed_note(depth), ""]
            lines += ["```mermaid", text.rstrip("\n"), "```", "", LEGEND]
            return "\n".join(lines) + "\n"
    lines.append(
        "The map is too large for a Mermaid diagram (GitHub draws at most "
        f"{MERMAID_MAX_TEXT:,} characters and {MERMAID_MAX_EDGES} links). "
        "Draw it with `cyclemap render` instead."
    )
    return "\n".join(lines) + "\n"


def _landscape(cmap: CycleMap, options: DocumentOptions) -> str:
    """The opportunity landscape as a Mermaid quadrantChart (GitHub draws it inline), and what it cannot show."""
    lines = ["## Opportunity landscape", ""]
    chart = chart_of(cmap, threshold=options.threshold, survey=options.survey)
    if not chart.panels[0].points:
        lines.append("No activity has both an importance and a satisfaction score yet, so there is no landscape.")
        return "\n".join(lines) + "\n"
    text = render_quadrant(chart)
    if len(text) > MERMAID_MAX_TEXT:
        lines.append(f"Too many scored activities for a Mermaid chart (GitHub draws at most {MERMAID_MAX_TEXT:,} "
                     "characters): draw it with `cyclemap render --layout landscape`.")
        return "\n".join(lines) + "\n"
    lines += ["```mermaid", text.rstrip("\n"), "```", "", " ".join(filter(None, (markdown_text(quadrant_marks(chart)),
                                                                                QUADRANT_CAN_NOT_SHOW)))]
    return "\n".join(lines) + "\n"


def _levels(cmap: CycleMap) -> int:
    """How many levels of activities the map has (1: no subcycles)."""
    return max((visit.depth for visit in cmap.walk()), default=0) + 1


def _fits_mermaid(scene: Scene, text: str) -> bool:
    boxes = scene.all_boxes()
    ring = sum(len(phase.boxes) for phase in scene.phases)
    links = ring + sum(len(box.children) for box in boxes)  # the ring, its arrow to the outcome, subcycles
    return len(text) <= MERMAID_MAX_TEXT and links <= MERMAID_MAX_EDGES


def _collapsed_note(depth: int) -> str:
    shown = "only the top-level activities" if depth == 0 else f"{depth} level{'s' * (depth != 1)} of subcycles"
    return (
        f"The diagram shows {shown}, to stay within what GitHub's Mermaid renderer can draw; "
        "an activity with steps folded inside names the worst gap among them (■ worst inside: ...). "
        "`cyclemap render` draws the whole map."
    )


# -- counts and gaps ----------------------------------------------------------------


def _phase_counts(cmap: CycleMap, found: list[Gap], survey: SurveyResults | None) -> str:
    lines = [
        "## Activities per phase",
        "",
        "| Phase | Activities | Scored | Underserved | No offering of ours | Gap entries |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    visits = list(cmap.walk())
    totals = [0] * 5
    for key in PHASE_KEYS:
        mine = [visit.activity for visit in visits if visit.phase == key]
        counts = [
            len(mine),
            sum(1 for a in mine if a.importance is not None or (survey is not None and survey.score(a.id or ""))),
            sum(1 for gap in found if gap.phase == key and "underserved" in gap.kinds),
            sum(1 for a in mine if not a.offerings),
            sum(1 for gap in found if gap.phase == key),
        ]
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        lines.append(f"| {markdown_cell(label_of(key, cmap.phase(key)))} | " + " | ".join(map(str, counts)) + " |")
    lines.append("| **All** | " + " | ".join(f"**{t}**" for t in totals) + " |")
    return "\n".join(lines) + "\n"


def _gaps(cmap: CycleMap, file: str, found: list[Gap], options: DocumentOptions) -> str:
    threshold = effective_threshold(cmap, options.threshold)
    shown = filter_gaps(found, options.keep)
    out = io.StringIO()
    out.write("## Opportunity gaps\n\n")
    out.write(
        "Where we can step in, most urgent first. The opportunity score runs from 0 to 20: how much an "
        "activity matters to the customer, plus how far their satisfaction falls short of that (both on "
        "a 0-10 scale). The reason column says why each entry is listed.\n\n"
    )
    _view_gaps(GapReport(file, cmap, threshold, shown, len(found), survey=options.survey), out)
    return out.getvalue()


def _view_gaps(report: GapReport, out: io.StringIO) -> None:
    """A view's ranked gaps, after whose gaps they are on a map with segments or a survey."""
    if report.segmented:
        out.write(f"{markdown_cell(report.caption)}\n\n")
    write_markdown_gaps(report, out)


def _segments(cmap: CycleMap, file: str, options: DocumentOptions) -> str:
    """For a map with segments: the activities where segments disagree, then each segment's ranked gaps.

    Every view's scores follow `ScoreViews.score`, as `cyclemap gaps --segment` and `--by-segment` do.
    """
    threshold = effective_threshold(cmap, options.threshold)
    out = io.StringIO()
    out.write("## Gaps by segment\n\n")
    out.write(
        "The pooled score can hide a segment that is badly served. First the activities where segments "
        "disagree (underserved in a segment while the pooled score is not, or "
        f"{SPREAD:g} points or more apart between segments), then each segment's own ranked gaps. "
        "Each score shows the fewest answers behind it (n); thin marks a score from fewer answers than the "
        "survey's min_n.\n\n"
    )
    out.write("### Where segments disagree\n\n")
    found = segment_disagreements(cmap, options.threshold, survey=options.survey)
    top = options.keep.top
    write_markdown_disagreements(SegmentReport(file, cmap, threshold, SPREAD, options.survey,
                                               found if top is None else found[:top], len(found)), out)
    for segment in cmap.segments:
        out.write(f"\n### {markdown_text(segment.name)}\n\n")
        gaps = find_gaps(cmap, options.threshold, segment.id, survey=options.survey)
        _view_gaps(GapReport(file, cmap, threshold, filter_gaps(gaps, options.keep), len(gaps), view=segment.id,
                             survey=options.survey), out)
    return out.getvalue()


def _activities(cmap: CycleMap) -> str:
    """Every activity, numbered as in the diagram: what it is and who serves it today."""
    lines = [
        "## Activities",
        "",
        "What each activity is and who serves the customer there today (competitors and alternatives), "
        "numbered as in the diagram.",
    ]
    visits = list(cmap.walk())
    for key in PHASE_KEYS:
        mine = [visit for visit in visits if visit.phase == key]
        lines += ["", f"### {markdown_text(label_of(key, cmap.phase(key)))}", ""]
        if not mine:
            lines.append("No activities yet.")
            continue
        lines += ["| # | Activity | What it is | Who serves it today |", "|--:|---|---|---|"]
        lines += [_activity_row(visit) for visit in mine]
    return "\n".join(lines) + "\n"


def _activity_row(visit: Visit) -> str:
    activity = visit.activity
    cells = (
        ".".join(map(str, visit.position)),
        markdown_cell(activity.name),
        markdown_cell(activity.description or ""),
        "; ".join(markdown_cell(name) for name in activity.competitors),
    )
    return "| " + " | ".join(cells) + " |"


def _footer(file: str) -> str:
    source = "standard input" if file == "-" else markdown_cell(file)
    return (
        "---\n\n"
        f"_Written by `cyclemap report` from {source}. Edit the map, then run the command again, "
        "rather than editing this page._\n"
    )
