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
from typing import Annotated, NoReturn

import typer

from cyclemap import __version__
from cyclemap.problems import CyclemapError, InputError, MapError

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
    files: Annotated[list[str], typer.Argument(help="Map files to check ('-' reads standard input).", show_default=False)],
    output_format: Annotated[
        ProblemFormat, typer.Option("--format", "-f", help="text for people, json for programs, github for Actions annotations.")
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
    for name in files:
        try:
            cmap = load_map(name)
        except MapError as err:
            results.append(Checked(name, err.problems, err.sources))
            continue
        visits = list(cmap.walk())
        scored = sum(1 for v in visits if v.activity.importance is not None)
        depth = max((v.depth for v in visits), default=-1) + 1
        results.append(Checked(name, summary=f"valid map, {len(visits)} activities ({scored} scored), {depth} levels deep"))
    REPORTERS[output_format.value](results)
    if any(r.problems for r in results):
        raise typer.Exit(EXIT_INVALID)


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
    except MapError as err:
        from cyclemap.report.problems import Checked, report_text

        report_text([Checked(err.problems[0].file if err.problems else "?", err.problems, err.sources)])
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
