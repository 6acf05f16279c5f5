"""`cyclemap report`: one Markdown page about a map."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cyclemap.cli.options import check_output, threshold_option, whole_number


def report(
    file: Annotated[str, typer.Argument(help="The map to describe ('-' reads standard input).", show_default=False)],
    output: Annotated[
        str, typer.Option("--output", "-o", callback=check_output,
                          help="Markdown file to write ('-' for standard output).")
    ] = "-",
    top: Annotated[
        int | None,
        typer.Option("--top", min=0, parser=whole_number, show_default=False, help="List only the first N gaps."),
    ] = None,
    threshold: Annotated[
        float | None,
        threshold_option(),
    ] = None,
    depth: Annotated[
        int | None,
        typer.Option("--depth", "-d", min=0, parser=whole_number, show_default=False,
                     help="Collapse subcycles deeper than N levels in the diagram (default: as many levels "
                     "as GitHub's Mermaid renderer can draw)."),
    ] = None,
) -> None:
    """Write one Markdown page about a map: details, Mermaid diagram, counts and ranked gaps.

    A map with segments also gets a section of gaps by segment: where the
    segments disagree, then each segment's ranked gaps.

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
    from cyclemap.survey.views import load_map_survey

    cmap = load_map(file)
    survey = load_map_survey(cmap, file) if cmap.survey is not None else None
    text = map_document(cmap, file, DocumentOptions(threshold=threshold, depth=depth, keep=GapFilter(top=top),
                                                    survey=survey))
    write_output(output, text.encode("utf-8"), [file])
    if output != "-":
        from cyclemap.report.terminal import visible

        print(f"Wrote {visible(output)}", file=sys.stderr)
