"""Diagrams of a map: DOT and Mermaid text (pure), and images via Graphviz.

`render_map` is the entry point; formats and layouts are name-keyed so the
command line's choices come from these tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cyclemap.model import CycleMap
from cyclemap.render.cycle import cycle_dot
from cyclemap.render.flow import flow_dot
from cyclemap.render.geometry import Deadline
from cyclemap.render.graphviz_run import DEFAULT_ENGINE, ENGINES, run_graphviz
from cyclemap.render.mermaid import render_mermaid
from cyclemap.render.scene import Highlight, Scene, build_scene
from cyclemap.survey import ALL

if TYPE_CHECKING:
    from cyclemap.render.landscape import Before
    from cyclemap.survey.views import SurveyResults


def _flow(scene: Scene, deadline: Deadline) -> str:
    """The flow layout places each box once, in one pass: it needs no deadline."""
    return flow_dot(scene)


LAYOUTS: dict[str, Callable[[Scene, Deadline], str]] = {"cycle": cycle_dot, "flow": _flow}
LANDSCAPE = "landscape"
"""The layout that plots importance against satisfaction (`cyclemap.render.landscape`), not a scene of boxes."""
DETAILED_LAYOUTS = frozenset({"flow"})
"""Layouts whose boxes also name the competitors (the flow has room under each box; the cycle has not)."""
SUFFIXES = {"svg": ".svg", "png": ".png", "pdf": ".pdf", "dot": ".dot", "mermaid": ".mmd"}
"""Each format and the suffix its files get."""
FORMAT_OF_SUFFIX = {**{s: f for f, s in SUFFIXES.items()}, ".gv": "dot", ".mermaid": "mermaid"}
BINARY_FORMATS = frozenset(("png", "pdf"))
GRAPHVIZ_FORMATS = frozenset(("svg", "png", "pdf"))
"""Formats that Graphviz draws (in a process of its own, whose memory adds to ours)."""
PNG_DPI = 150
MAX_DRAWN = 20_000
"""Most activities a picture drawn by Graphviz shows: at 20,000 `render -f svg` takes about 40 s and
250 MB with Graphviz's memory; at 60,000 it passes 600 MB (figures in docs/decisions.md). No paper
holds such a picture legibly; DOT and Mermaid have no bound."""


@dataclass(frozen=True)
class RenderOptions:
    """How to draw a map."""

    fmt: str = "svg"
    layout: str = "cycle"
    depth: int | None = None
    """Collapse subcycles deeper than this many levels (0: top-level activities only)."""
    threshold: float | None = None
    timeout: float = 30.0
    """Seconds the layout may take, and then Graphviz may take to draw it, before they are stopped."""
    engine: str | None = None
    """The Graphviz program that draws the computed positions: a key of `ENGINES` (None: the default)."""
    highlight: Highlight | None = None
    """Activities to draw as new or changed since a revision."""
    view: str = ALL
    """Whose gaps the colours show: "all" or a segment id (``--segment``)."""
    survey: SurveyResults | None = None
    """The map's survey's results (`cyclemap.survey.views.load_map_survey`), when it has a survey."""
    before: Before | None = None
    """Where the activities were at a revision, for the landscape's arrows (``--since``)."""


def drawn_activities(cmap: CycleMap, depth: int | None) -> int:
    """How many activities a diagram shows: every one, or those no deeper than `depth` (0: top level)."""
    return sum(1 for visit in cmap.walk() if depth is None or visit.depth <= depth)


def too_large_to_draw(cmap: CycleMap, options: RenderOptions) -> str | None:
    """Why Graphviz will not be asked to draw this map (more than MAX_DRAWN activities shown), or None."""
    if options.fmt not in GRAPHVIZ_FORMATS:
        return None
    landscape = options.layout == LANDSCAPE
    drawn = drawn_activities(cmap, None if landscape else options.depth)
    if drawn <= MAX_DRAWN:
        return None
    way_out = ("write -f dot, or split the map" if landscape else
               "fold subcycles with --depth 1 (or 0), write -f dot or -f mermaid, or split the map")
    return (f"too large to draw as {options.fmt}: {drawn:,} activities shown, and a picture takes at most "
            f"{MAX_DRAWN:,} (no paper shows that many legibly); {way_out}")


def scene_of(cmap: CycleMap, options: RenderOptions, *, details: bool = False) -> Scene:
    """The scene `options` asks for: depth, threshold, highlight, view and survey."""
    return build_scene(cmap, options.depth, options.threshold, options.highlight, details=details,
                       view=options.view, survey=options.survey)


LANDSCAPE_TIMEOUT_HINT = "Try a longer --timeout, or --segment ID for one panel instead of each."
"""What a landscape that took too long can do (--depth and --layout flow do not apply to it)."""


def render_dot(cmap: CycleMap, options: RenderOptions) -> str:
    """The DOT source of a map's diagram (no Graphviz needed); `LayoutError` after `options.timeout` seconds."""
    if options.layout == LANDSCAPE:
        deadline = Deadline.after(options.timeout, LANDSCAPE_TIMEOUT_HINT)
        from cyclemap.render.landscape import chart_of, landscape_dot  # noqa: PLC0415 - ~12 ms, for this layout only

        chart = chart_of(cmap, threshold=options.threshold, view=options.view, survey=options.survey,
                         before=options.before)
        return landscape_dot(chart, deadline)
    deadline = Deadline.after(options.timeout)
    scene = scene_of(cmap, options, details=options.layout in DETAILED_LAYOUTS)
    return LAYOUTS[options.layout](scene, deadline)


def render_map(cmap: CycleMap, options: RenderOptions) -> bytes:
    """The diagram of a map in `options.fmt`, as bytes ready to write."""
    if options.fmt == "mermaid":
        return render_mermaid(scene_of(cmap, options)).encode("utf-8")
    source = render_dot(cmap, options)
    if options.fmt == "dot":
        return source.encode("utf-8")
    engine = ENGINES[options.engine or DEFAULT_ENGINE]
    extra = (*engine.args, f"-Gdpi={PNG_DPI}") if options.fmt == "png" else engine.args
    return run_graphviz(source, engine.program, options.fmt, options.timeout, extra)
