"""`cyclemap validate`: check maps and report every problem as file:line:col."""

from __future__ import annotations

from typing import Annotated

import typer

from cyclemap.cli.options import ProblemFormat


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
    from cyclemap.cli.quick import check_maps

    code = check_maps(files, output_format.value)
    if code:
        raise typer.Exit(code)
