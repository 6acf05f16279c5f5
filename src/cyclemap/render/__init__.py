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
PNG_DPI = 150


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


def scene_of(cmap: CycleMap, options: RenderOptions, *, details: bool = False) -> Scene:
    """The scene `options` asks for: depth, threshold, highlight, view and survey."""
    return build_scene(cmap, options.depth, options.threshold, options.highlight, details=details,
                       view=options.view, survey=options.survey)


def render_dot(cmap: CycleMap, options: RenderOptions) -> str:
    """The DOT source of a map's diagram (no Graphviz needed); `LayoutError` after `options.timeout` seconds."""
    deadline = Deadline.after(options.timeout)
    if options.layout == LANDSCAPE:
        from cyclemap.render.landscape import chart_of, landscape_dot

        chart = chart_of(cmap, threshold=options.threshold, view=options.view, survey=options.survey,
                         before=options.before)
        return landscape_dot(chart, deadline)
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
