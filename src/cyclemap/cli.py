"""The `cyclemap` command line: parse options, call the pipeline, pick a reporter.

Exit codes: 0 success, 1 invalid map (or gaps found with --fail-on-gaps),
2 usage error (bad option, missing input file), 3 environment error (e.g.
Graphviz missing, output not writable). Only this module turns exceptions into
exit codes.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from cyclemap import __version__
from cyclemap.exit_codes import EXIT_FOUND, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE
from cyclemap.problems import CyclemapError, InputError, MapError

if TYPE_CHECKING:
    from cyclemap.model import CycleMap
    from cyclemap.render import RenderOptions


app = typer.Typer(
    name="cyclemap",
    help=(
        "Customer activity cycles as code: validate, render and analyse maps written in YAML.\n\n"
        "[bold]Examples[/bold]\n\n"
        "  cyclemap init my-map.yaml          [dim]# start a new map[/dim]\n\n"
        "  cyclemap validate maps/*.yaml      [dim]# check maps, with file:line:col errors[/dim]\n\n"
        "  cyclemap schema -o map.schema.json [dim]# JSON Schema for editors[/dim]"
    ),
    epilog="Exit codes: 0 ok, 1 invalid map, 2 usage error, 3 environment error (e.g. Graphviz missing).",
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"cyclemap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback for unexpected errors.")] = False,
) -> None:
    """Customer activity cycles as code."""


# -- validate ---------------------------------------------------------------


class ProblemFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


@app.command()
def validate(
    files: Annotated[
        list[str], typer.Argument(help="Map files to check ('-' reads standard input).", show_default=False)
    ],
    output_format: Annotated[
        ProblemFormat,
        typer.Option("--format", "-f", help="text for people, json for programs, github for Actions annotations."),
    ] = ProblemFormat.text,
) -> None:
    """Check maps and report every problem as file:line:col.

    [bold]Examples[/bold]

      cyclemap validate map.yaml

      cyclemap validate maps/*.yaml --format json
    """
    from cyclemap.loader import load_map
    from cyclemap.report.problems import REPORTERS, Checked

    results = []
    unusable = 0  # files that could not be read at all: the others are still checked
    for name in files:
        try:
            cmap = load_map(name)
        except MapError as err:
            results.append(Checked(name, err.problems, err.sources))
            continue
        except InputError as err:
            from cyclemap.report.terminal import visible

            print(f"cyclemap: error: {visible(str(err))}", file=sys.stderr)
            unusable += 1
            continue
        visits = list(cmap.walk())
        scored = sum(1 for v in visits if v.activity.importance is not None)
        depth = max((v.depth for v in visits), default=-1) + 1
        summary = f"valid map, {len(visits)} activities ({scored} scored), {depth} level{'s' * (depth != 1)} deep"
        results.append(Checked(name, summary=summary))
    REPORTERS[output_format.value](results)
    if unusable:
        raise typer.Exit(EXIT_USAGE)
    if any(r.problems for r in results):
        raise typer.Exit(EXIT_INVALID)


# -- gaps -------------------------------------------------------------------


class GapFormat(str, Enum):
    """The choices of `gaps --format`: the keys of `cyclemap.report.gaps.REPORTERS`."""

    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"
    github = "github"


@app.command()
def gaps(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    file: Annotated[str, typer.Argument(help="The map to analyse ('-' reads standard input).", show_default=False)],
    output_format: Annotated[
        GapFormat,
        typer.Option("--format", "-f", help="table for people, markdown for pull requests, json/csv for tools, "
                     "github for Actions annotations."),
    ] = GapFormat.table,
    top: Annotated[
        int | None, typer.Option("--top", min=0, show_default=False, help="Keep only the first N gaps.")
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0, max=20, show_default=False,
                     help="Opportunity score (0-20) from which an activity is underserved (default: the "
                     "map's gaps.threshold, else 10)."),
    ] = None,
    kinds: Annotated[
        list[str] | None,
        typer.Option("--kind", show_default=False, help="Keep gaps having any of these kinds (repeat the option): "
                     "underserved, unserved, unaddressed-pain, unevidenced, overserved, empty-phase."),
    ] = None,
    min_score: Annotated[
        float | None, typer.Option("--min-score", show_default=False, help="Keep gaps scoring at least S.")
    ] = None,
    fail_on_gaps: Annotated[bool, typer.Option("--fail-on-gaps", help="Exit 1 if any gap remains (for CI).")] = False,
) -> None:
    """Rank the opportunity gaps of a map, with the reason for each.

    [bold]Examples[/bold]

      cyclemap gaps map.yaml

      cyclemap gaps map.yaml --top 5 --kind underserved --kind unserved

      cyclemap gaps map.yaml --format markdown > gaps.md

      cyclemap gaps map.yaml --format github --min-score 12 --fail-on-gaps
    """
    from cyclemap.gaps import GapFilter, effective_threshold, filter_gaps, find_gaps
    from cyclemap.loader import load_map
    from cyclemap.report.gaps import REPORTERS, GapReport

    try:
        keep = GapFilter(tuple(kinds or ()), min_score, top)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="'--kind'") from None
    try:
        cmap = load_map(file)
    except MapError as err:
        if output_format is not GapFormat.github:
            raise
        from cyclemap.report.problems import REPORTERS as PROBLEM_REPORTERS
        from cyclemap.report.problems import Checked

        PROBLEM_REPORTERS["github"]([Checked(file, err.problems, err.sources)])  # errors where Actions shows them
        raise typer.Exit(EXIT_INVALID) from None
    found = find_gaps(cmap, threshold)
    shown = filter_gaps(found, keep)
    report = GapReport(file, cmap, effective_threshold(cmap, threshold), shown, len(found), failing=fail_on_gaps)
    REPORTERS[output_format.value](report, sys.stdout)
    if fail_on_gaps and shown:
        raise typer.Exit(EXIT_FOUND)


# -- render -------------------------------------------------------------------


class RenderFormat(str, Enum):
    """The choices of `render --format`: the keys of `cyclemap.render.SUFFIXES`."""

    svg = "svg"
    png = "png"
    pdf = "pdf"
    dot = "dot"
    mermaid = "mermaid"


class Layout(str, Enum):
    """The choices of `render --layout`: the keys of `cyclemap.render.LAYOUTS`."""

    cycle = "cycle"
    flow = "flow"


class Engine(str, Enum):
    dot = "dot"
    neato = "neato"
    twopi = "twopi"
    circo = "circo"
    fdp = "fdp"
    sfdp = "sfdp"


@app.command()
def render(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    maps: Annotated[list[str], typer.Argument(help="Map files to draw.", show_default=False)],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", show_default=False,
                     help="Output file ('-' for standard output), or a folder for several maps. "
                     "Default: next to each map, with the format's suffix."),
    ] = None,
    output_format: Annotated[
        RenderFormat | None,
        typer.Option("--format", "-f", show_default=False,
                     help="svg, png, pdf, dot or mermaid. Default: from the -o suffix, else svg."),
    ] = None,
    layout: Annotated[
        Layout, typer.Option("--layout", "-l", help="cycle: the outcome at the centre, phases around it; "
                             "flow: one swimlane per phase, best for large maps and long paper.")
    ] = Layout.cycle,
    depth: Annotated[
        int | None,
        typer.Option("--depth", "-d", min=0, show_default=False,
                     help="Collapse subcycles deeper than N levels (0: top-level activities only)."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0, max=20, show_default=False,
                     help="Opportunity score from which an activity counts as underserved (as in `gaps`)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds Graphviz may take before it is stopped.")
    ] = 30.0,
    engine: Annotated[
        Engine | None,
        typer.Option("--engine", show_default=False,
                     help="Let this Graphviz program lay the graph out itself instead of drawing "
                     "cyclemap's layout (for experiments; the default keeps the map's order)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not say which files were written.")] = False,
    update: Annotated[
        bool,
        typer.Option("--update", "-u",
                     help="Refresh only the diagrams each map already has (MAP.svg, .png, .pdf, .dot, .gv, .mmd "
                     "next to it, or in the -o folder), each in its own format, rewriting just those that "
                     "changed. Give the --layout and --depth they were drawn with. For pre-commit hooks."),
    ] = False,
    highlight_since: Annotated[
        str | None,
        typer.Option("--highlight-changes-since", metavar="REV", show_default=False,
                     help="Outline the activities added or changed since this git revision (e.g. main or "
                     "HEAD~1) in magenta, with a NEW or CHANGED badge: each map is compared with its own "
                     "version at REV, as `cyclemap diff --rev REV` does."),
    ] = None,
) -> None:
    """Draw maps as diagrams: SVG, PNG, PDF, DOT or Mermaid.

    Colours show the gaps that `cyclemap gaps` finds; dashed borders mark
    activities where the customer is left alone.

    [bold]Examples[/bold]

      cyclemap render map.yaml                    [dim]# map.svg next to the map[/dim]

      cyclemap render map.yaml -o poster.pdf      [dim]# format from the suffix[/dim]

      cyclemap render map.yaml --layout flow -f png

      cyclemap render maps/*.yaml -o diagrams/ -f svg

      cyclemap render map.yaml -f mermaid -o -    [dim]# paste into a README[/dim]

      cyclemap render --update maps/*.yaml        [dim]# refresh the diagrams they have[/dim]

      cyclemap render map.yaml --highlight-changes-since main -f png   [dim]# for a review[/dim]

    With --update, PDFs count as unchanged when only their embedded date differs;
    SVG, PNG and PDF bytes also depend on the Graphviz version and fonts installed.
    """
    from cyclemap.render import RenderOptions

    if highlight_since is not None and "-" in maps:
        raise typer.BadParameter("a map read from standard input has no history; name the map file",
                                 param_hint="'--highlight-changes-since'")
    fmt = output_format.value if output_format else None
    jobs = _update_targets(maps, output, fmt, quiet) if update else _render_targets(maps, output, fmt)
    base = RenderOptions(layout=layout.value, depth=depth, threshold=threshold, timeout=timeout,
                         engine=engine.value if engine else None)
    failed = _render_all(jobs, base, maps, quiet, only_changed=update, since=highlight_since)
    if failed:
        raise typer.Exit(EXIT_INVALID)


def _render_targets(maps: list[str], output: str | None, fmt: str | None) -> list[tuple[str, str, str]]:
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
    return jobs


def _update_targets(maps: list[str], output: str | None, fmt: str | None, quiet: bool) -> list[tuple[str, str, str]]:
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
    drawn_from: dict[str, str] = {}
    for name in maps:
        if not Path(name).is_file():
            raise InputError(f"{name}: no such map file")
        found = existing_diagrams(name, output, fmt)
        if not found and not quiet:
            print(f"cyclemap: note: {visible(name)} has no diagram to update (render it once without --update)",
                  file=sys.stderr)
        for target, target_format in found:
            if drawn_from.setdefault(target, name) != name:
                raise InputError(f"{target} would be drawn from both {drawn_from[target]} and {name}; "
                                 "update them one at a time")
            jobs.append((name, target, target_format))
    return jobs


def _render_all(  # noqa: PLR0913 - the render command's switches, passed on by keyword
    jobs: list[tuple[str, str, str]], base: RenderOptions, inputs: list[str], quiet: bool, *,
    only_changed: bool = False, since: str | None = None,
) -> bool:
    """Render each job; invalid maps and failed layouts are reported (on stderr) and skipped.

    `only_changed` leaves a target alone when the new diagram is the same (`render --update`);
    `since` highlights what changed since that git revision.
    """
    from dataclasses import replace

    from cyclemap.gitrev import changes_since
    from cyclemap.loader import load_map
    from cyclemap.output import write_output
    from cyclemap.render import BINARY_FORMATS, render_map
    from cyclemap.render.graphviz_run import LayoutError
    from cyclemap.render.refresh import unchanged
    from cyclemap.report.problems import Checked, report_text
    from cyclemap.report.progress import with_progress
    from cyclemap.report.terminal import visible

    failed, invalid = False, set()
    loaded: tuple[str, CycleMap] | None = None  # a map with several diagrams is read once
    for name, target, fmt in with_progress(jobs, "Rendering"):
        if name in invalid:
            continue
        try:
            cmap = loaded[1] if loaded and loaded[0] == name else load_map(name)
            loaded = (name, cmap)
            options = replace(base, fmt=fmt)
            if since is not None:
                options = replace(options, highlight=changes_since(cmap, name, since))
            data = render_map(cmap, options)
            if only_changed and unchanged(target, data, fmt):
                continue
            write_output(target, data, inputs, binary=fmt in BINARY_FORMATS)
        except MapError as err:
            report_text([Checked(name, err.problems, err.sources)], to_stderr=True)
            failed = True
            invalid.add(name)
            continue
        except LayoutError as err:
            print(f"cyclemap: error: {visible(name)}: {visible(str(err))}", file=sys.stderr)
            failed = True
            continue
        if not quiet and target != "-":
            done = "Updated" if only_changed else "Wrote"
            print(f"{done} {visible(target)} ({base.layout} layout, {fmt})", file=sys.stderr)
    return failed


# -- report -------------------------------------------------------------------


@app.command(name="report")
def report_document(
    file: Annotated[str, typer.Argument(help="The map to describe ('-' reads standard input).", show_default=False)],
    output: Annotated[
        str, typer.Option("--output", "-o", help="Markdown file to write ('-' for standard output).")
    ] = "-",
    top: Annotated[
        int | None, typer.Option("--top", min=0, show_default=False, help="List only the first N gaps.")
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0, max=20, show_default=False,
                     help="Opportunity score from which an activity counts as underserved (as in `gaps`)."),
    ] = None,
    depth: Annotated[
        int | None,
        typer.Option("--depth", "-d", min=0, show_default=False,
                     help="Collapse subcycles deeper than N levels in the diagram (default: as many levels "
                     "as GitHub's Mermaid renderer can draw)."),
    ] = None,
) -> None:
    """Write one Markdown page about a map: details, Mermaid diagram, counts and ranked gaps.

    The page is the same for the same map (no date), so it can be committed
    next to the map; GitHub and GitLab draw its diagram.

    [bold]Examples[/bold]

      cyclemap report map.yaml -o map.md

      cyclemap report map.yaml --top 10 > summary.md

      cyclemap report big-map.yaml --depth 1 -o overview.md
    """
    from cyclemap.gaps import GapFilter
    from cyclemap.loader import load_map
    from cyclemap.output import write_output
    from cyclemap.report.document import DocumentOptions, map_document

    cmap = load_map(file)
    text = map_document(cmap, file, DocumentOptions(threshold=threshold, depth=depth, keep=GapFilter(top=top)))
    write_output(output, text.encode("utf-8"), [file])
    if output != "-":
        from cyclemap.report.terminal import visible

        print(f"Wrote {visible(output)}", file=sys.stderr)


# -- diff ---------------------------------------------------------------------


class DiffFormat(str, Enum):
    """The choices of `diff --format`: the keys of `cyclemap.report.diff.REPORTERS`."""

    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
def diff(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    old: Annotated[
        str, typer.Argument(help="The old map: a file, or REV:path for a map as it was at a git revision "
                            "(e.g. HEAD~1:maps/solar.yaml). With --rev: the working map file.", show_default=False)
    ],
    new: Annotated[
        str | None, typer.Argument(help="The new map: a file or REV:path (leave out with --rev).", show_default=False)
    ] = None,
    rev: Annotated[
        str | None,
        typer.Option("--rev", "-r", show_default=False,
                     help="Compare the working map file with how it was at this git revision "
                     "(a branch, tag or commit, e.g. main or HEAD~1); its includes are read at that revision too."),
    ] = None,
    output_format: Annotated[
        DiffFormat,
        typer.Option("--format", "-f", help="text for people, markdown for a pull-request comment, json for tools."),
    ] = DiffFormat.text,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0, max=20, show_default=False,
                     help="Opportunity score (0-20) from which an activity is underserved, for both maps "
                     "(default: each map's gaps.threshold, else 10)."),
    ] = None,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when the maps differ, 0 when they do not (for CI).")
    ] = False,
) -> None:
    """Show what changed between two versions of a map, and what it means for the gaps.

    Activities are matched by id: added, removed, moved, renamed and changed
    fields, then the gaps opened and closed and the opportunity scores that moved.
    A path after 'REV:' starts at the top of the repository, as in git show
    (REV:./map.yaml starts at the current folder).

    [bold]Examples[/bold]

      cyclemap diff old.yaml new.yaml

      cyclemap diff HEAD~1:maps/solar.yaml maps/solar.yaml

      cyclemap diff --rev main maps/solar.yaml     [dim]# working file against main[/dim]

      cyclemap diff --rev origin/main maps/solar.yaml -f markdown > comment.md

      cyclemap diff --rev HEAD maps/solar.yaml -f json --exit-code
    """
    from cyclemap.diff import diff_maps
    from cyclemap.report.diff import REPORTERS, DiffReport

    (old_map, old_name), (new_map, new_name) = _load_diff_sides(old, new, rev)
    changes = diff_maps(old_map, new_map, threshold)
    REPORTERS[output_format.value](DiffReport(old_name, new_name, old_map, new_map, changes, threshold), sys.stdout)
    if exit_code and changes.differs:
        raise typer.Exit(EXIT_FOUND)


def _load_diff_sides(old: str, new: str | None, rev: str | None) -> list[tuple[CycleMap, str]]:
    """Both maps with the names to show; problems in either are all reported (stderr) before exit 1."""
    from functools import partial

    from cyclemap.gitrev import RevisionPath, load_arg, load_working_file_at, parse_map_arg
    from cyclemap.report.problems import Checked, report_text

    if rev is None and new is None:
        raise typer.BadParameter("give the old and the new map, or one working map file with --rev REV "
                                 "(e.g. cyclemap diff --rev HEAD map.yaml)", param_hint="'NEW'")
    if rev is not None and (new is not None or isinstance(parse_map_arg(old), RevisionPath)):
        raise typer.BadParameter("with --rev, give just the working map file; it is compared with the same "
                                 "file at that revision", param_hint="'--rev'")
    loaders = [partial(load_arg, old), partial(load_arg, new or "")]
    if rev is not None:
        loaders = [partial(load_working_file_at, rev, old), partial(_load_named, old)]
    sides: list[tuple[CycleMap, str]] = []
    invalid: list[Checked] = []
    for load in loaders:
        try:
            sides.append(load())
        except MapError as err:
            invalid.append(Checked(err.problems[0].file if err.problems else "?", err.problems, err.sources))
    if invalid:
        report_text(invalid, to_stderr=True)
        raise typer.Exit(EXIT_INVALID)
    return sides


def _load_named(path: str) -> tuple[CycleMap, str]:
    from cyclemap.loader import load_map

    return load_map(path), path


# -- workshop -----------------------------------------------------------------


class Paper(str, Enum):
    """The choices of `workshop --paper`: the keys of `cyclemap.workshop.PAPERS`."""

    a4 = "a4"
    a3 = "a3"
    letter = "letter"


@app.command()
def workshop(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    file: Annotated[str, typer.Argument(help="The map to build the pack from.", show_default=False)],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", show_default=False,
                     help="The PDF to write. Default: MAP-workshop.pdf next to the map."),
    ] = None,
    paper: Annotated[Paper, typer.Option("--paper", help="Paper size; pages are landscape.")] = Paper.a4,
    sections: Annotated[
        str | None,
        typer.Option("--sections", show_default=False,
                     help="Parts to include, comma-separated, printed in this order: cover, poster, phases, "
                     "gaps, worksheets, evidence. Default: all."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", show_default=False, help="Cover title instead of "
                                              "the map's.")] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", show_default=False, help="Date on the cover, YYYY-MM-DD. Default: "
                     "SOURCE_DATE_EPOCH if set, else today."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0, max=20, show_default=False,
                     help="Opportunity score from which an activity counts as underserved (as in `gaps`)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds Graphviz may take for each diagram.")
    ] = 60.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not say which file was written.")] = False,
) -> None:
    """Build a printable PDF pack to run a workshop on a map.

    The pack has a cover, the cycle as a poster, a page per phase (its flow and
    a table of its activities), the ranked gaps, capture worksheets to fill by
    hand, and an evidence appendix. Apart from the cover date it is the same
    for the same map, so it can be rebuilt in CI and compared.

    [bold]Examples[/bold]

      cyclemap workshop map.yaml                         [dim]# map-workshop.pdf[/dim]

      cyclemap workshop map.yaml -o pack.pdf --paper a3

      cyclemap workshop map.yaml --sections cover,gaps,worksheets

      cyclemap workshop map.yaml --date 2026-03-01 --title "Solar: spring review"
    """
    from cyclemap.loader import load_map
    from cyclemap.output import write_output
    from cyclemap.report.terminal import visible
    from cyclemap.workshop import PackInfo, PackOptions, build_pack
    from cyclemap.workshop.provenance import git_revision, pack_date

    chosen = _sections(sections)
    try:
        when = pack_date(date)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="'--date'") from None
    target = output or str(Path(file).parent / f"{Path(file).stem}-workshop.pdf")
    if file == "-" and output is None:
        raise typer.BadParameter("reading the map from standard input, say where the PDF goes with -o",
                                 param_hint="'--output'")
    cmap = load_map(file)
    info = PackInfo("standard input" if file == "-" else file,
                    None if file == "-" else git_revision(_files_of(cmap, file)))
    options = PackOptions(paper.value, chosen, title, when, threshold, timeout)
    pack = build_pack(cmap, info, options)
    write_output(target, pack.pdf, [file], binary=True)
    for warning in pack.warnings:
        print(f"cyclemap: warning: {visible(warning)}", file=sys.stderr)
    if not quiet and target != "-":
        pages = f"{pack.pages} page{'s' * (pack.pages != 1)}"
        print(f"Wrote {visible(target)} ({pages}, {paper.value.upper()} landscape)", file=sys.stderr)


def _files_of(cmap: CycleMap, root: str) -> list[Path]:
    """The map file and every file it includes that holds an activity."""
    from cyclemap.loader import activity_location

    parts = {activity_location(visit)[0] for visit in cmap.walk()} - {root}
    return [Path(root), *sorted(Path(p) for p in parts if Path(p).is_file())]


def _sections(text: str | None) -> tuple[str, ...]:
    """The sections named in `--sections`, in pack order; usage errors name the unknown ones."""
    import difflib

    from cyclemap.workshop import SECTIONS

    if text is None:
        return SECTIONS
    named = [part.strip().lower() for part in text.split(",") if part.strip()]
    for name in named:
        if name not in SECTIONS:
            close = difflib.get_close_matches(name, SECTIONS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; choose from {', '.join(SECTIONS)}"
            raise typer.BadParameter(f"unknown section '{name}'{hint}", param_hint="'--sections'")
    if not named:
        raise typer.BadParameter(f"name at least one of {', '.join(SECTIONS)}", param_hint="'--sections'")
    return tuple(s for s in SECTIONS if s in named)


# -- init and schema ----------------------------------------------------------


@app.command()
def init(
    file: Annotated[str, typer.Argument(help="Where to write the new map.")] = "cyclemap.yaml",
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
) -> None:
    """Write a commented starter map to edit.

    [bold]Example[/bold]

      cyclemap init solar.yaml && cyclemap validate solar.yaml
    """
    from cyclemap.output import write_output
    from cyclemap.templates import starter_map

    if file != "-" and Path(file).exists() and not force:
        raise InputError(f"{file} already exists; use --force to overwrite it")
    write_output(file, starter_map().encode())
    if file != "-":
        from cyclemap.safe_text import visible

        print(f"Wrote {visible(file)}. Next: edit it, then run  cyclemap validate {visible(file)}", file=sys.stderr)


@app.command()
def schema(
    output: Annotated[str, typer.Option("--output", "-o", help="File to write ('-' for standard output).")] = "-",
) -> None:
    """Print the JSON Schema of the map format, for editors and other tools.

    Point an editor at it with a first line such as
    [dim]# yaml-language-server: $schema=schemas/cyclemap.schema.json[/dim]
    """
    from cyclemap.output import write_output
    from cyclemap.schema import schema_text

    write_output(output, schema_text().encode())


# -- entry point --------------------------------------------------------------


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line and exit with a documented code, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    sys.exit(_run(args))


def _run(args: list[str]) -> int:
    try:
        result = app(args=args, prog_name="cyclemap", standalone_mode=False)
        return result if isinstance(result, int) else EXIT_OK
    except typer.Exit as done:
        return done.exit_code
    except (typer.Abort, KeyboardInterrupt):
        return 130
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except SystemExit as done:
        if isinstance(done.__context__, BrokenPipeError):  # click turns a closed pipe into sys.exit(1)
            return _quiet_broken_pipe()
        raise
    except MapError as err:
        from cyclemap.report.problems import Checked, report_text

        # Commands other than validate: standard output is for their result (gaps JSON, a diagram).
        report_text([Checked(err.problems[0].file if err.problems else "?", err.problems, err.sources)], to_stderr=True)
        return EXIT_INVALID
    except CyclemapError as err:
        from cyclemap.report.terminal import visible

        print(f"cyclemap: error: {visible(str(err))}", file=sys.stderr)
        return err.exit_code
    except Exception as err:
        if hasattr(err, "show") and hasattr(err, "exit_code"):  # a usage error from typer's parser
            _show_usage_error(err)
            return EXIT_USAGE
        if "--debug" in args:
            raise
        import traceback

        last = traceback.format_exc().strip().splitlines()[-1]
        print(
            f"cyclemap: internal error ({last}). This is a bug in cyclemap; "
            "please report it with the input that caused it (rerun with --debug for details).",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _show_usage_error(err: Exception) -> None:
    try:
        from typer import rich_utils

        rich_utils.rich_format_error(err)  # type: ignore[arg-type]
    except (ImportError, AttributeError):
        err.show()  # type: ignore[attr-defined]


def _quiet_broken_pipe() -> int:
    """`cyclemap ... | head` closed the pipe: leave quietly, like other tools."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    return EXIT_OK
