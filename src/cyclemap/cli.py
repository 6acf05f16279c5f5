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
from cyclemap.problems import CyclemapError, InputError, MapError

if TYPE_CHECKING:
    from cyclemap.render import RenderOptions

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_ENVIRONMENT = 0, 1, 2, 3
EXIT_INTERNAL = 70

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
        summary = f"valid map, {len(visits)} activities ({scored} scored), {depth} levels deep"
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
    cmap = load_map(file)
    found = find_gaps(cmap, threshold)
    shown = filter_gaps(found, keep)
    report = GapReport(file, cmap, effective_threshold(cmap, threshold), shown, len(found))
    REPORTERS[output_format.value](report, sys.stdout)
    if fail_on_gaps and shown:
        raise typer.Exit(EXIT_INVALID)


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
    """
    from cyclemap.render import RenderOptions

    jobs = _render_targets(maps, output, output_format.value if output_format else None)
    base = RenderOptions(layout=layout.value, depth=depth, threshold=threshold, timeout=timeout,
                         engine=engine.value if engine else None)
    failed = _render_all(jobs, base, maps, quiet)
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


def _render_all(jobs: list[tuple[str, str, str]], base: RenderOptions, inputs: list[str], quiet: bool) -> bool:
    """Render each job; invalid maps and failed layouts are reported (on stderr) and skipped."""
    from dataclasses import replace

    from cyclemap.loader import load_map
    from cyclemap.output import write_output
    from cyclemap.render import BINARY_FORMATS, render_map
    from cyclemap.render.graphviz_run import LayoutError
    from cyclemap.report.problems import Checked, report_text
    from cyclemap.report.progress import with_progress
    from cyclemap.report.terminal import visible

    failed = False
    for name, target, fmt in with_progress(jobs, "Rendering"):
        try:
            cmap = load_map(name)
            data = render_map(cmap, replace(base, fmt=fmt))
            write_output(target, data, inputs, binary=fmt in BINARY_FORMATS)
        except MapError as err:
            report_text([Checked(name, err.problems, err.sources)], to_stderr=True)
            failed = True
            continue
        except LayoutError as err:
            print(f"cyclemap: error: {visible(name)}: {visible(str(err))}", file=sys.stderr)
            failed = True
            continue
        if not quiet and target != "-":
            print(f"Wrote {target} ({base.layout} layout, {fmt})", file=sys.stderr)
    return failed


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
        print(f"Wrote {file}. Next: edit it, then run  cyclemap validate {file}", file=sys.stderr)


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
