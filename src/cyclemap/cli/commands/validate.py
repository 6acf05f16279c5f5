"""`cyclemap validate`: check maps and report every problem as file:line:col."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cyclemap.cli.options import ProblemFormat, choice_of, stdin_once
from cyclemap.exit_codes import EXIT_INVALID, EXIT_USAGE
from cyclemap.problems import InputError, MapError


def validate(
    files: Annotated[
        list[str],
        typer.Argument(help="Map files to check ('-' reads standard input).", callback=stdin_once,
                       show_default=False),
    ],
    output_format: Annotated[
        ProblemFormat,
        typer.Option("--format", "-f", parser=choice_of(ProblemFormat),
                     help="text for people, json for programs, github for Actions annotations."),
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
