"""`cyclemap gaps`: rank the opportunity gaps of a map."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cyclemap.cli.options import GapFormat, check_score, choice_of, complete_kinds, whole_number
from cyclemap.exit_codes import EXIT_FOUND, EXIT_INVALID
from cyclemap.problems import MapError


def gaps(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    file: Annotated[str, typer.Argument(help="The map to analyse ('-' reads standard input).", show_default=False)],
    output_format: Annotated[
        GapFormat,
        typer.Option("--format", "-f", parser=choice_of(GapFormat),
                     help="table for people, markdown for pull requests, json/csv for tools, "
                     "github for Actions annotations."),
    ] = GapFormat.table,
    top: Annotated[
        int | None,
        typer.Option("--top", min=0, parser=whole_number, show_default=False, help="Keep only the first N gaps."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0, max=20, parser=check_score, show_default=False,
                     help="Opportunity score (0-20) from which an activity is underserved (default: the "
                     "map's gaps.threshold, else 10)."),
    ] = None,
    kinds: Annotated[
        list[str] | None,
        typer.Option("--kind", show_default=False, autocompletion=complete_kinds,
                     help="Keep gaps having any of these kinds (repeat the option): underserved, unserved, "
                     "unaddressed-pain, unevidenced, overserved, empty-phase."),
    ] = None,
    min_score: Annotated[
        float | None,
        typer.Option("--min-score", min=0, max=20, parser=check_score, show_default=False,
                     help="Keep gaps scoring at least SCORE."),
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
