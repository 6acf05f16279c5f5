"""`cyclemap init`: write a commented starter map to edit."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cyclemap.cli.options import check_output
from cyclemap.problems import InputError


def init(
    file: Annotated[str, typer.Argument(help="Where to write the new map.", callback=check_output)] = "cyclemap.yaml",
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
        from cyclemap.report.terminal import visible

        print(f"Wrote {visible(file)}. Next: edit it, then run  cyclemap validate {visible(file)}", file=sys.stderr)
