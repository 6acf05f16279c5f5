"""`cyclemap fmt`: rewrite maps, and the files they include, in the canonical layout."""

from __future__ import annotations

import sys
from typing import Annotated

import typer


def fmt(
    maps: Annotated[
        list[str],
        typer.Argument(help="Map files to format; the files they include are formatted too.", show_default=False),
    ],
    check: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; list the files that would change and exit 1 if there are any."),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Change nothing; print what would change as a unified diff (exit 0, or 1 with "
                                    "--check when something would change)."),
    ] = False,
) -> None:
    """Rewrite maps, and the files they include, in one canonical layout.

    Keys in the order of docs/format.md, two spaces of indentation,
    lists of short texts inline when they fit in 100 columns, one blank
    line between the activities of a phase. Every comment is kept and no
    value changes. Files already in the layout are not written.

    An invalid map is reported as validate reports it (exit 4), and then
    no file is written. A survey's CSV file is never touched. A file
    saved by someone else while fmt runs is left as saved, and a read-only
    file is never rewritten (exit 3).

    --check exits 1 when a file would change; --diff alone exits 0.

    [bold]Examples[/bold]

      cyclemap fmt map.yaml

      cyclemap fmt --check maps/*.yaml   [dim]# in CI: exit 1 if a file would change[/dim]

      cyclemap fmt --diff map.yaml       [dim]# show the changes, write nothing[/dim]
    """
    from cyclemap.roundtrip.fmt_files import format_maps

    code = format_maps(maps, check=check, diff=diff, out=sys.stdout, err=sys.stderr)
    if code:
        raise typer.Exit(code)
