"""What `cyclemap render` draws where: the (map, target, format) jobs, and drawing them one by one."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cyclemap.exit_codes import EXIT_INVALID, EXIT_OK
from cyclemap.problems import InputError, MapError
from cyclemap.safe_text import subject

LANDSCAPE = "landscape"
"""The layout that plots importance against satisfaction (its --since draws arrows, not outlines)."""
LAYOUT_FREE_FORMATS = frozenset({"mermaid"})
"""Formats drawn the same with --layout cycle and flow: Mermaid lays its flowchart out itself."""

if TYPE_CHECKING:
    from cyclemap.model import CycleMap
    from cyclemap.render import RenderOptions
    from cyclemap.render.landscape import Before
    from cyclemap.survey.views import SurveyResults


def render_targets(maps: list[str], output: str | None, fmt: str | None) -> list[tuple[str, str, str]]:
    """(map, output path, format) for each map; usage errors for impossible requests."""
    from cyclemap.render import FORMAT_OF_SUFFIX, SUFFIXES

    folder = output is not None and (Path(output).is_dir() or output.endswith(("/", "\\")))
    if len(maps) > 1 and output is not None and not folder:
        raise typer.BadParameter("with several maps, -o must be a folder", param_hint="'--output'")
    if output is not None and not folder and output != "-":
        suffix = Path(output).suffix.lower()
        if fmt is None and suffix not in FORMAT_OF_SUFFIX:
            raise typer.BadParameter(
                f"cannot tell the format from '{suffix or output}'; add -f svg|png|pdf|dot|mermaid",
                param_hint="'--output'",
            )
        fmt = fmt or FORMAT_OF_SUFFIX[suffix]
    fmt = fmt or "svg"
    jobs = []
    for name in maps:
        if output is None or folder:
            where = Path(output) if folder and output else Path(name).parent
            target = str(where / (Path(name).stem + SUFFIXES[fmt])) if name != "-" else "-"
        else:
            target = output
        jobs.append((name, target, fmt))
    return without_clashes(jobs, "render them one at a time or into different folders")


def without_clashes(jobs: list[tuple[str, str, str]], advice: str) -> list[tuple[str, str, str]]:
    """`jobs` once each; two maps drawn into the same file are refused before anything is written.

    `render x/m.yaml y/m.yaml -o out/` would otherwise write out/m.svg twice and keep only the last.
    """
    drawn_from: dict[str, str] = {}
    kept = []
    for name, target, fmt in jobs:
        if target == "-":
            kept.append((name, target, fmt))
            continue
        key = os.path.normcase(os.path.abspath(target))
        first = drawn_from.setdefault(key, name)
        if os.path.abspath(first) != os.path.abspath(name):
            raise InputError(f"{target} would be drawn from both {first} and {name}; {advice}")
        if (name, target, fmt) not in kept:
            kept.append((name, target, fmt))
    return kept


def update_targets(maps: list[str], output: str | None, fmt: str | None, quiet: bool) -> list[tuple[str, str, str]]:
    """(map, existing diagram, format) for `render --update`; maps without diagrams are noted."""
    from cyclemap.render.refresh import existing_diagrams
    from cyclemap.report.terminal import visible

    if output is not None and (output == "-" or not Path(output).is_dir()):
        raise typer.BadParameter("with --update, -o must be the folder that holds the diagrams",
                                 param_hint="'--output'")
    if "-" in maps:
        raise typer.BadParameter("--update refreshes the diagrams of map files, not of standard input",
                                 param_hint="'MAPS...'")
    jobs: list[tuple[str, str, str]] = []
    for name in maps:
        if not Path(name).is_file():
            raise InputError(f"{subject(name)}: no such map file")
        found = existing_diagrams(name, output, fmt)
        if not found and not quiet:
            print(f"cyclemap: note: {visible(name)} has no diagram to update (render it once without --update)",
                  file=sys.stderr)
        jobs.extend((name, target, target_format) for target, target_format in found)
    return without_clashes(jobs, "update them one at a time")


def render_all(  # noqa: PLR0913 - the render command's switches, passed on by keyword
    jobs: list[tuple[str, str, str]], base: RenderOptions, inputs: list[str], quiet: bool, *,
    only_changed: bool = False, since: str | None = None,
) -> int:
    """Render each job; invalid maps and failed layouts are reported (on stderr) and skipped.

    Every map is read before anything is written, so that no output replaces a file that
    any of the maps reads (`render a.yaml b.yaml -o out/` where b includes out/a.mmd):
    such an output is refused (a usage error) and nothing is written.

    Returns the exit code: EXIT_INVALID if any map was invalid (fixing the map comes first),
    else EXIT_ENVIRONMENT if a layout failed or ran out of time, else EXIT_OK.

    `only_changed` leaves a target alone when the new diagram is the same (`render --update`);
    `since` highlights what changed since that git revision.
    """
    from dataclasses import replace

    from cyclemap.output import refuse_inputs, write_output
    from cyclemap.render import BINARY_FORMATS, render_map
    from cyclemap.render.graphviz_run import LayoutError
    from cyclemap.render.refresh import unchanged
    from cyclemap.report.progress import with_progress
    from cyclemap.report.terminal import visible

    loaded = _load_all(list(dict.fromkeys(name for name, _, _ in jobs)))
    _check_view(loaded, base.view)
    _check_sizes(jobs, loaded, base)
    befores = _befores(loaded, since, base.view) if since is not None and base.layout == LANDSCAPE else {}
    for name, target, _ in jobs:
        if name in loaded and target != "-":
            refuse_inputs(target, inputs)
    code = EXIT_OK if len(loaded) == len({name for name, _, _ in jobs}) else EXIT_INVALID
    for name, target, fmt in with_progress([job for job in jobs if job[0] in loaded], "Rendering"):
        cmap, survey = loaded[name]
        try:
            options = replace(base, fmt=fmt, survey=survey)
            if name in befores:
                options = replace(options, before=befores[name])
            elif since is not None:
                from cyclemap.gitrev import changes_since  # git and the diff only when asked for

                options = replace(options, highlight=changes_since(cmap, name, since))
            data = render_map(cmap, options)
            if only_changed and unchanged(target, data, fmt):
                continue
            write_output(target, data, inputs, binary=fmt in BINARY_FORMATS)
        except LayoutError as err:
            print(f"cyclemap: error: {visible(subject(name))}: {visible(str(err))}", file=sys.stderr)
            code = code if code == EXIT_INVALID else err.exit_code
            continue
        if not quiet and target != "-":
            done = "Updated" if only_changed else "Wrote"
            print(f"{done} {visible(target)} ({_drawn_as(base.layout, fmt)})", file=sys.stderr)
    return code


def _check_sizes(jobs: list[tuple[str, str, str]], loaded: dict[str, tuple[CycleMap, SurveyResults | None]],
                 base: RenderOptions) -> None:
    """A usage error, before anything is drawn, when Graphviz would have to draw a map too large to show."""
    from dataclasses import replace

    from cyclemap.render import too_large_to_draw

    for name, _, fmt in jobs:
        if name in loaded:
            why = too_large_to_draw(loaded[name][0], replace(base, fmt=fmt))
            if why is not None:
                raise InputError(f"{subject(name)}: {why}")


def _before(cmap: CycleMap, name: str, rev: str, view: str) -> Before:
    """Where the activities of map file `name` were at `rev` (with its survey then), for the landscape's arrows.

    A map that is not in that revision yet has every activity new. A survey
    that cannot be read at `rev` raises MapError (its problems name the file at `rev`).
    """
    from cyclemap.gaps import score_views
    from cyclemap.gitrev import NotInRevision, load_working_file_at
    from cyclemap.render.landscape import EACH, Before, before_of

    views = score_views(cmap).views() if view == EACH else (view,)
    try:
        old, _ = load_working_file_at(rev, name)
    except NotInRevision:
        return Before(rev, {}, frozenset())
    survey = None
    if old.survey is not None:
        from pathlib import PurePosixPath

        from cyclemap.gitrev import GitFiles, Repository
        from cyclemap.survey.views import load_survey

        repo = Repository.at(str(Path(name).parent))
        path = PurePosixPath(repo.prefix) / Path(name).name
        survey = load_survey(old, GitFiles(rev, path.parent, repo=repo.top), PurePosixPath(path.name))
    return before_of(old, survey, rev, views)


def _befores(loaded: dict[str, tuple[CycleMap, SurveyResults | None]], rev: str, view: str) -> dict[str, Before]:
    """`_before` of each loaded map, before anything is drawn; a map whose survey at `rev` is invalid is
    reported on stderr like an invalid map (file:line:col) and left out of `loaded`."""
    from cyclemap.report.problems import Checked, report_text

    found = {}
    for name, (cmap, _) in list(loaded.items()):
        try:
            found[name] = _before(cmap, name, rev, view)
        except MapError as err:
            report_text([Checked(err.problems[0].file if err.problems else name, err.problems, err.sources)],
                        to_stderr=True)
            del loaded[name]
    return found


def _check_view(loaded: dict[str, tuple[CycleMap, SurveyResults | None]], view: str) -> None:
    """A usage error, before anything is drawn, when a map lacks the segment `--segment` names."""
    from cyclemap.gaps import score_views
    from cyclemap.render.landscape import EACH

    if view == EACH:
        return
    for name, (cmap, survey) in loaded.items():
        try:
            score_views(cmap, survey).check_view(view)
        except ValueError as err:
            prefix = f"{name}: " if len(loaded) > 1 else ""
            raise typer.BadParameter(prefix + str(err), param_hint="'--segment'") from None


def _load_all(names: list[str]) -> dict[str, tuple[CycleMap, SurveyResults | None]]:
    """Each valid map by name, with its survey's results; the problems of invalid ones (or of their
    surveys) are reported on stderr (they are left out)."""
    from cyclemap.loader import load_map
    from cyclemap.report.problems import Checked, report_text
    from cyclemap.report.progress import with_progress
    from cyclemap.survey.views import load_map_survey

    loaded = {}
    for name in with_progress(names, "Reading"):
        try:
            cmap = load_map(name)
            loaded[name] = (cmap, load_map_survey(cmap, name) if cmap.survey is not None else None)
        except MapError as err:
            report_text([Checked(name, err.problems, err.sources)], to_stderr=True)
    return loaded


def _drawn_as(layout: str, fmt: str) -> str:
    """'cycle layout, svg'; just 'mermaid' for Mermaid, which is the same whatever the layout."""
    return fmt if fmt in LAYOUT_FREE_FORMATS else f"{layout} layout, {fmt}"
