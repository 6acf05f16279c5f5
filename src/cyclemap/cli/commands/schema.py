"""`cyclemap schema`: print the JSON Schema of the map format."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cyclemap.cli.options import check_output


def schema(
    output: Annotated[
        str, typer.Option("--output", "-o", callback=check_output, help="File to write ('-' for standard output).")
    ] = "-",
) -> None:
    """Print the JSON Schema of the map format, for editors and other tools.

    Point an editor at it with a first line such as
    [dim]# yaml-language-server: $schema=schemas/cyclemap.schema.json[/dim]
    """
    from cyclemap.output import write_output
    from cyclemap.schema import schema_text

    write_output(output, schema_text().encode())
    if output != "-":
        from cyclemap.report.terminal import visible

        print(f"Wrote {visible(output)}", file=sys.stderr)
