"""What the pages of a map show, read from disk: the map, its survey, its diagrams and its revision.

`collect_map` does all the reading and drawing for one map; `cyclemap.site.pages`
turns its result into HTML without touching the disk. A map that does not
validate is collected with its problems; a diagram Graphviz cannot draw (in
time) is left out with the reason, and the rest of the page stays.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cyclemap.gaps import score_views
from cyclemap.gitrev import run_git
from cyclemap.landscape import landscape_points
from cyclemap.loader import load_map
from cyclemap.problems import CyclemapError, MapError, Problem, UnreadableFile
from cyclemap.render import RenderOptions, drawn_activities, render_map, too_large_to_draw
from cyclemap.render.graphviz_run import LayoutError
from cyclemap.site.svg import UnsafeSvg, inline_svg
from cyclemap.sources import recording_inputs
from cyclemap.survey import ALL
from cyclemap.survey.views import load_map_survey

if TYPE_CHECKING:
    from cyclemap.model import CycleMap
    from cyclemap.survey.views import SurveyResults

DIAGRAM_LAYOUTS = ("cycle", "flow", "landscape")
"""The diagrams of a map page, in the order its tabs show them."""


@dataclass(frozen=True)
class Revision:
    """The git commit that last changed a map (or a file it reads)."""

    commit: str
    """The abbreviated commit id."""
    date: str
    """The commit's date, YYYY-MM-DD."""
    modified: bool
    """The files have changes not committed yet."""


@dataclass(frozen=True)
class CollectedMap:
    """One map as its pages need it: valid (`cmap` set) or not (`problems` set)."""

    source: str
    """The map file as given (or found in a folder)."""
    cmap: CycleMap | None = None
    survey: SurveyResults | None = None
    problems: tuple[Problem, ...] = ()
    """Why the map does not validate (empty for a valid map)."""
    diagrams: dict[str, str] = field(default_factory=dict)
    """Layout -> the diagram's SVG markup, checked (`cyclemap.site.svg.inline_svg`)."""
    missing: dict[str, str] = field(default_factory=dict)
    """Layout -> why that diagram is not shown (Graphviz failed or took too long, nothing to plot)."""
    revision: Revision | None = None
    inputs: tuple[str, ...] = ()
    """The real paths of the files read: the map, its includes and its survey (as far as reading got), and those
    it tried to read and could not (a missing include)."""
    view: str = ALL
    """Whose gaps the diagrams colour: "all" or a segment id."""

    @property
    def valid(self) -> bool:
        return self.cmap is not None


def collect_map(source: str, *, threshold: float | None = None, timeout: float = 30.0,  # noqa: PLR0913
                git: bool = True, view: str = ALL, bound: int | None = None) -> CollectedMap:
    """Read map `source` and draw its diagrams; never raises for an invalid map (it keeps the problems).

    A map file that cannot be read at all (missing, a link leading nowhere, not
    a regular file) is collected as invalid, with the reason as its problem.

    `view` colours the diagrams by a segment's gaps (a view the map does not
    have falls back to "all"). Graphviz missing is an `EnvironmentProblem`
    (raised: no diagram could be drawn for any map). A map of more than
    `bound` activities is collected as a problem (`cyclemap serve`: too big
    to draw on every save), not drawn.
    """
    with recording_inputs() as read:
        try:
            cmap = load_map(source)
            survey = load_map_survey(cmap, source) if cmap.survey is not None else None
        except MapError as err:
            return CollectedMap(source, problems=tuple(err.problems), inputs=tuple(read))
        except UnreadableFile as err:  # a link leading nowhere, a pipe: this map's problem, not the build's
            return CollectedMap(source, problems=(err.problem(),), inputs=tuple(read))
    if bound is not None and (count := drawn_activities(cmap, None)) > bound:
        return CollectedMap(source, problems=(Problem(source, 0, 0, (
            f"too big to draw live: {count:,} activities, and the live preview draws at most {bound:,} on "
            "each save; draw it once with `cyclemap render` (--depth 1 folds subcycles), or split the map")),),
            inputs=tuple(read))
    if view not in score_views(cmap, survey).views():
        view = ALL
    inputs = tuple(read) or (os.path.realpath(source),)
    diagrams, missing = draw_diagrams(cmap, survey, threshold=threshold, timeout=timeout, view=view)
    return CollectedMap(source, cmap, survey, diagrams=diagrams, missing=missing,
                        revision=last_change(sorted(inputs)) if git else None, inputs=inputs, view=view)


def draw_diagrams(cmap: CycleMap, survey: SurveyResults | None, *, threshold: float | None,
                  timeout: float, view: str = ALL) -> tuple[dict[str, str], dict[str, str]]:
    """Each of `DIAGRAM_LAYOUTS` as inline SVG, and why any is missing.

    The layouts are drawn at once, one thread each: most of the time goes to
    Graphviz (a subprocess, which the threads wait for without holding the
    interpreter), so the three take about as long as the slowest. The result
    is in `DIAGRAM_LAYOUTS` order, the same bytes as one after another.
    """
    every = [RenderOptions(fmt="svg", layout=layout, threshold=threshold, timeout=timeout, survey=survey, view=view)
             for layout in DIAGRAM_LAYOUTS]
    with ThreadPoolExecutor(len(every), thread_name_prefix="cyclemap-draw") as pool:
        drawn = list(pool.map(lambda options: _draw(cmap, options), every))
    diagrams = {layout: svg for layout, (svg, _) in zip(DIAGRAM_LAYOUTS, drawn, strict=True) if svg is not None}
    missing = {layout: why for layout, (_, why) in zip(DIAGRAM_LAYOUTS, drawn, strict=True) if why is not None}
    return diagrams, missing


def _draw(cmap: CycleMap, options: RenderOptions) -> tuple[str | None, str | None]:
    """One diagram as inline SVG, or why it is missing."""
    layout, survey = options.layout, options.survey
    why = too_large_to_draw(cmap, options)
    if why is None and layout == "landscape" and not _any_scored(cmap, survey):
        why = "no activity has both an importance and a satisfaction score to plot"
    if why is not None:
        return None, why
    try:
        return inline_svg(render_map(cmap, options), f"{layout.capitalize()} diagram of {cmap.title}",
                          prefix=layout), None
    except (LayoutError, UnsafeSvg) as err:
        return None, str(err)


def _any_scored(cmap: CycleMap, survey: SurveyResults | None) -> bool:
    return bool(landscape_points(cmap, survey=survey))


_COMMIT = re.compile(r"\A([0-9a-f]{4,64}) (\d{4}-\d{2}-\d{2})\Z")


def last_change(paths: list[str]) -> Revision | None:
    """The last commit that changed any of `paths` (real paths), or None outside git or before any commit.

    Runs git read-only with `cyclemap.gitrev.run_git`'s safe settings; a git
    that is missing or fails means no revision, not an error.
    """
    folder = str(Path(paths[0]).parent)
    try:
        done = run_git(["log", "-1", "--format=%h %cs", "--", *paths], folder)
        if done.returncode != 0:
            return None
        found = _COMMIT.match(done.stdout.decode("ascii", "replace").strip())
        if found is None:
            return None
        status = run_git(["status", "--porcelain", "--", *paths], folder)
    except CyclemapError:
        return None
    return Revision(found.group(1), found.group(2), bool(status.stdout.strip()))
