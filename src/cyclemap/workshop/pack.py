"""Assembling the pack: which pages, in which order, and what goes on them."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from cyclemap import __version__
from cyclemap.exit_codes import EXIT_USAGE
from cyclemap.gaps import Severity, find_gaps, score_views, severity_by_id
from cyclemap.model import CycleMap
from cyclemap.problems import CyclemapError
from cyclemap.render.cycle import cycle_dot
from cyclemap.render.flow import COLUMN_GAP, flow_dot
from cyclemap.render.geometry import GAP, Deadline, outline_card
from cyclemap.render.landscape import EDGE, PLOT_SIDE, Chart, Drawing, chart_of, landscape_drawing
from cyclemap.render.scene import Box, PhaseView, Scene, build_scene
from cyclemap.segment_gaps import SPREAD, segment_disagreements
from cyclemap.survey import ALL
from cyclemap.workshop import pages
from cyclemap.workshop.diagrams import PT_PER_MM, Diagram, Placement, draw_diagrams, stamp
from cyclemap.workshop.document import PackDocument
from cyclemap.workshop.fonts import find_fonts
from cyclemap.workshop.poster import Frame, paper_for, plan_poster
from cyclemap.workshop.progress import Steps, shown_on_terminal

if TYPE_CHECKING:
    from cyclemap.survey.views import SurveyResults

SECTIONS = ("cover", "poster", "landscape", "phases", "gaps", "segments", "worksheets", "rescore", "evidence")
"""The parts of a pack, in the order they are printed ("segments" only on a map with segments)."""
PAPERS = {"a4": "A4", "a3": "A3", "letter": "Letter"}
"""Paper names on the command line and as fpdf2 knows them; pages are landscape."""
MIN_FLOW_SCALE = 0.75
"""Scale at which a phase's columns are grouped into flow diagrams as wide as the page."""
TIMEOUT_HINT = ("Try a longer --timeout, or --sections without poster, landscape and phases (the parts with "
                "diagrams).")
"""What `workshop` can do about a layout or a Graphviz run that took too long."""
MAX_PACK_ACTIVITIES = 5_000
"""Most activities a pack with a poster, phase pages, gaps or evidence takes: about 1,200 to 2,500 A4
pages, within 600 MB and a minute (figures in docs/decisions.md). Cover and worksheets take any map."""
MAX_PACK_EVIDENCE = 20_000
"""Most evidence entries (each cited reference of each activity) a pack's evidence appendix takes."""
SCALING_SECTIONS = frozenset({"poster", "landscape", "phases", "gaps", "rescore", "evidence"})
"""The parts that grow with the map: a diagram node or a table row per activity, gap or reference."""


class PackTooLarge(CyclemapError):
    """The map is too large for a printed pack of the chosen sections (a usage error: nothing is built)."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class PackOptions:
    """What to put in a pack and how."""

    paper: str = "a4"
    sections: tuple[str, ...] = SECTIONS
    title: str | None = None
    """Cover title instead of the map's."""
    date: dt.date = field(default_factory=dt.date.today)
    threshold: float | None = None
    timeout: float = 60.0
    """Seconds the diagrams' layout may take, then Graphviz for each diagram (`--timeout`)."""
    poster: str = "auto"
    progress: bool = False
    """Show what is being done on standard error, if it is a terminal."""
    view: str = ALL
    """Whose gaps the poster, flows and tables show: "all" or a segment id (``--segment``)."""
    survey: SurveyResults | None = None
    """The map's survey's results (`cyclemap.survey.views.load_map_survey`), when it has a survey."""


@dataclass(frozen=True)
class Pack:
    """A built pack: the PDF, its page count, and warnings for the user."""

    pdf: bytes
    pages: int
    warnings: list[str]
    paper: str = "A4"
    """The paper's name as printers know it: A4, A3, Letter."""


@dataclass(frozen=True)
class PackInfo:
    """Facts about the map file shown on the cover."""

    file: str
    revision: str | None = None
    """The git revision, e.g. 'a1b2c3d' or 'a1b2c3d, modified'; None outside git."""


def build_pack(cmap: CycleMap, info: PackInfo, options: PackOptions) -> Pack:
    """The workshop pack of `cmap` (the same bytes for the same map, options and date).

    Laying out the diagrams stops with a `LayoutError` after `options.timeout`
    seconds, as does each Graphviz run after as many: nothing is returned.
    A map over the pack's size bounds is refused first (`PackTooLarge`).
    """
    check_size(cmap, info.file, options.sections)
    deadline = Deadline.after(options.timeout, TIMEOUT_HINT)
    with shown_on_terminal(options.progress) as steps:
        steps.step("Laying out the diagrams")
        scene = build_scene(cmap, None, options.threshold, view=options.view, survey=options.survey)
        text = "".join((cmap.model_dump_json(), options.title or "", _footer(info, options)))
        doc = PackDocument(find_fonts(), PAPERS[options.paper], _footer(info, options), text)
        try:
            doc.set_metadata(options.title or cmap.title, cmap.customer, f"cyclemap {__version__}", options.date)
            chunks = {p.key: _chunks(p, doc.epw * PT_PER_MM / MIN_FLOW_SCALE) for p in scene.phases}
            sources = _diagram_sources(scene, chunks, options, deadline)
            landscapes = _landscapes(cmap, options, pages.landscape_frame(doc), deadline)
            sources.update({key: drawing.dot for key, (drawing, _) in landscapes.items()})
            steps.step("Drawing the diagrams with Graphviz", len(sources))
            diagrams = draw_diagrams(sources, options.timeout, steps.advance, TIMEOUT_HINT)
            steps.step("Setting the pages", len(options.sections))
            plan = _Plan(info, options, scene, chunks, diagrams, {k: shown for k, (_, shown) in landscapes.items()})
            placements = _write(doc, cmap, plan, steps)
            steps.step("Placing the diagrams")
            pdf = stamp(doc.finish(), placements, diagrams)
        finally:
            doc.close_fonts()
    return Pack(pdf, doc.pages_count, doc.warnings, PAPERS[options.paper])


def check_size(cmap: CycleMap, name: str, sections: tuple[str, ...]) -> None:
    """Refuse (`PackTooLarge`) a map whose pack of `sections` would exceed MAX_PACK_ACTIVITIES or MAX_PACK_EVIDENCE.

    Counting is cheap: it happens before any layout, Graphviz run or page.
    """
    if not SCALING_SECTIONS.intersection(sections):
        return
    activities = sum(1 for _ in cmap.walk())
    if activities > MAX_PACK_ACTIVITIES:
        raise PackTooLarge(
            f"{name}: too large for a workshop pack: {activities:,} activities, and a pack takes at most "
            f"{MAX_PACK_ACTIVITIES:,} (that is already over a thousand printed pages). Split the map into smaller "
            "maps, e.g. one per phase or per part of the journey, and build a pack of each; "
            "'--sections cover,worksheets' works at any size."
        )
    if "evidence" in sections:
        cited = sum(len(visit.activity.evidence) for visit in cmap.walk())
        if cited > MAX_PACK_EVIDENCE:
            kept = ",".join(part for part in sections if part != "evidence")
            hint = f"Leave the appendix out with '--sections {kept}', or split the map." if kept else "Split the map."
            raise PackTooLarge(
                f"{name}: too many evidence entries for a workshop pack's appendix: {cited:,}, and it takes at most "
                f"{MAX_PACK_EVIDENCE:,}. {hint}"
            )


@dataclass(frozen=True)
class _Plan:
    info: PackInfo
    options: PackOptions
    scene: Scene
    chunks: dict[str, list[PhaseView]]
    """Each phase's activities in runs, one flow diagram per run."""
    diagrams: dict[str, Diagram]
    landscapes: dict[str, pages.LandscapeView] = field(default_factory=dict)
    """Key of each landscape diagram -> what its page shows, in page order."""


def _write(doc: PackDocument, cmap: CycleMap, plan: _Plan, steps: Steps) -> list[Placement]:
    """Write the chosen sections in pack order; where each diagram goes."""
    options, scene, chunks, diagrams = plan.options, plan.scene, plan.chunks, plan.diagrams
    gaps = find_gaps(cmap, options.threshold, options.view, survey=options.survey)
    views = score_views(cmap, options.survey)
    segmented = bool(cmap.segments) or cmap.survey is not None
    caption = views.caption(options.view).removeprefix("Gaps for: ") if segmented else None
    placements: list[Placement] = []
    poster, note = None, None
    if "poster" in options.sections:
        cycle = diagrams["cycle"]
        poster = plan_poster((cycle.width, cycle.height), pages.poster_frame(doc), options.poster)
        better = paper_for((cycle.width, cycle.height), pages.POSTER_SIDE)
        note = pages.poster_note(poster, PAPERS[options.paper], better)
    if "cover" in options.sections:
        facts = pages.CoverFacts(plan.info.file, plan.info.revision, options.title, options.date,
                                 contents=len(options.sections) > 1, poster=note, view=caption)
        pages.cover(doc, cmap, facts, gaps)
        steps.advance()
    if poster is not None:
        placements += pages.poster(doc, diagrams["cycle"], poster, note)
        steps.advance()
    if "landscape" in options.sections:
        for key, shown in plan.landscapes.items():
            placements.append(pages.landscape(doc, key, diagrams[key], shown))
        steps.advance()
    scores = ({visit.activity.id or "": views.score(visit.activity, options.view) for visit in cmap.walk()}
              if {"phases", "rescore"}.intersection(options.sections) else {})
    if "phases" in options.sections:
        for phase in scene.phases:
            parts = [diagrams[f"flow-{phase.key}-{n}"] for n in range(len(chunks[phase.key]))]
            placements += pages.phase(doc, cmap, phase.key, parts, gaps, scores)
        steps.advance()
    if "gaps" in options.sections:
        pages.gap_table(doc, cmap, gaps, caption)
        steps.advance()
    if "segments" in options.sections and cmap.segments:
        _segment_page(doc, cmap, options)
        steps.advance()
    sheets: dict[str, Callable[[str], None]] = {  # a sheet per phase to fill by hand
        "worksheets": lambda key: pages.worksheet(doc, cmap, key),
        "rescore": lambda key: pages.rescore(doc, cmap, key, scores, caption),
    }
    for section in (part for part in sheets if part in options.sections):
        for key in (p.key for p in scene.phases):
            sheets[section](key)
        steps.advance()
    if "evidence" in options.sections:
        pages.evidence(doc, cmap)
        steps.advance()
    return placements


def _segment_page(doc: PackDocument, cmap: CycleMap, options: PackOptions) -> None:
    """The activities whose segments disagree (as `gaps --by-segment` lists them), each view's severities beside."""
    items = segment_disagreements(cmap, options.threshold, survey=options.survey)
    severities: dict[str, dict[str, Severity]] = {
        view: severity_by_id(find_gaps(cmap, options.threshold, view, survey=options.survey))
        for view in score_views(cmap, options.survey).views()
    }
    pooled = "All respondents" if options.survey is not None else "All customers"
    pages.segment_table(doc, cmap, items, severities, SPREAD, pooled)


def _footer(info: PackInfo, options: PackOptions) -> str:
    parts = [info.file, options.date.isoformat()]
    if info.revision:
        parts.append(f"revision {info.revision}")
    return "  ·  ".join(parts)


def _diagram_sources(
    scene: Scene, chunks: dict[str, list[PhaseView]], options: PackOptions, deadline: Deadline
) -> dict[str, str]:
    """The DOT of each diagram the chosen sections show, laid out before `deadline` (else a `LayoutError`)."""
    sources: dict[str, str] = {}
    if "poster" in options.sections:
        sources["cycle"] = cycle_dot(scene, deadline)
    if "phases" in options.sections:
        for key, parts in chunks.items():
            for number, part in enumerate(parts):
                deadline.check("flow")
                sources[f"flow-{key}-{number}"] = flow_dot(replace(scene, phases=[part]), standalone=False)
    return sources


LANDSCAPE_SMALLEST_SIDE = 200.0
"""Shortest axes (points) a landscape page's plot gets; a page too small for it shrinks the whole picture."""


def _landscapes(
    cmap: CycleMap, options: PackOptions, frame: Frame, deadline: Deadline
) -> dict[str, tuple[Drawing, pages.LandscapeView]]:
    """The landscape pages' pictures by diagram key, each with what its page shows.

    One for the pack's view; with "all" on a map with segments, one for all and one per segment. Each is
    the bare plot (the page sets its key and numbered list), as large as `frame` allows.
    """
    if "landscape" not in options.sections:
        return {}
    views = score_views(cmap, options.survey)
    shown = list(views.views()) if options.view == ALL else [options.view]
    found = {}
    for number, view in enumerate(shown):
        chart = chart_of(cmap, threshold=options.threshold, view=view, survey=options.survey)
        drawing = _fitted(chart, frame, deadline)
        found[f"landscape-{number:03d}"] = (drawing, pages.LandscapeView(chart.panels[0].caption, chart,
                                                                         drawing.panels[0]))
    return found


def _fitted(chart: Chart, frame: Frame, deadline: Deadline) -> Drawing:
    """The bare plot as tall as `frame` (mm) and at most `pages.LANDSCAPE_PLOT_SHARE` of its width, at full size."""
    width, height = frame.width * PT_PER_MM, frame.height * PT_PER_MM
    probe = landscape_drawing(chart, deadline, plot_side=PLOT_SIDE, standalone=False, bare=True)
    visible = width - 2 * EDGE
    side = min(height - (probe.height - PLOT_SIDE),
               visible * pages.LANDSCAPE_PLOT_SHARE - (probe.width - 2 * EDGE - PLOT_SIDE))
    side = max(LANDSCAPE_SMALLEST_SIDE, math.floor(side))
    return landscape_drawing(chart, deadline, plot_side=side, standalone=False, bare=True)


def _chunks(phase: PhaseView, max_width: float) -> list[PhaseView]:
    """The phase's activities in as few runs as fit `max_width` points side by side, evenly filled."""
    widths = [_column_width(box) for box in phase.boxes]
    runs = len(_pack(widths, max_width))
    low, high = max(widths), max(max_width, *widths)
    for _ in range(30):  # the narrowest width that still needs no more runs
        middle = (low + high) / 2
        low, high = (low, middle) if len(_pack(widths, middle)) <= runs else (middle, high)
    spans = _pack(widths, high)
    return [replace(phase, boxes=phase.boxes[start:end]) for start, end in spans]


def _column_width(box: Box) -> float:
    card = outline_card(box)
    return max(box.width, (card.frame.w + GAP) if card else 0.0) + COLUMN_GAP


def _pack(widths: list[float], capacity: float) -> list[tuple[int, int]]:
    """Greedy runs of consecutive columns no wider than `capacity` (a column wider alone is alone)."""
    spans: list[tuple[int, int]] = []
    start, used = 0, 0.0
    for index, width in enumerate(widths):
        if index > start and used + width > capacity:
            spans.append((start, index))
            start, used = index, 0.0
        used += width
    spans.append((start, len(widths)))
    return spans
