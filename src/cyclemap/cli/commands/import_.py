"""`cyclemap import`: a map from a spreadsheet of activities (CSV or XLSX)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cyclemap.cli.options import check_output
from cyclemap.exit_codes import EXIT_INVALID

if TYPE_CHECKING:
    from cyclemap.roundtrip.details import MapDetails
    from cyclemap.roundtrip.rows import TableProblem


def import_(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="The CSV or XLSX file of activities ('-' reads standard input).",
                            show_default=False),
    ],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="MAP", show_default=False, callback=check_output,
                     help="The map to write ('-' for standard output)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", show_default=False,
                                              help="The map's title (instead of the details').")] = None,
    customer: Annotated[str | None, typer.Option("--customer", metavar="TEXT", show_default=False,
                                                 help="Who the customer is (instead of the details').")] = None,
    outcome: Annotated[
        str | None, typer.Option("--outcome", metavar="TEXT", show_default=False,
                                 help="The outcome the customer wants (instead of the details').")
    ] = None,
    details: Annotated[
        str | None,
        typer.Option("--details", metavar="FILE", show_default=False,
                     help="Read the map's details from this CSV (`export --details`) or workbook's sheet 'Map', "
                     "instead of FILE's own sheet 'Map'."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace MAP when it exists (its comments are lost).")] = False,
    into: Annotated[
        str | None,
        typer.Option("--into", metavar="MAP", show_default=False,
                     help="Update this existing map instead of writing a new one: scores, pains, offerings and "
                     "evidence of its activities (by id or number), new activities under a parent; comments and "
                     "layout are kept."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --into: print what would change, write nothing.")
    ] = False,
) -> None:
    """Make a map from a spreadsheet of activities: CSV or XLSX, one row per activity, in map order.

    Columns are found by their header, in any order and case; a table needs
    at least [bold]phase[/bold] and [bold]name[/bold]. A row's parent names another row by
    id or by number (in the same phase); score, band, gaps and depth are
    computed from the map and not read. The map's title, customer and outcome
    come from the workbook's sheet 'Map', the --details file, or the flags
    (flags win). Every problem names its cell (FILE:ROW:COL, or
    FILE:Sheet!D7), all in one run, and then nothing is written (exit 4).

    [bold]Examples[/bold]

      cyclemap import activities.xlsx -o map.yaml

      cyclemap import sticky-notes.csv -o map.yaml --title "Home solar" \\
        --customer Homeowners --outcome "Cheap, clean energy"

      cyclemap import acts.csv --details acts-map.csv -o map.yaml --force

      cyclemap import scores.csv --into map.yaml --dry-run

    With [bold]--into[/bold] the sheet updates an existing map instead (for example the
    workshop's rescore sheets, typed up): rows find their activity by id, or by
    number and phase; importance, satisfaction and segment scores are replaced,
    pains, offerings and evidence are added to; a row without id or number but
    with a parent (or a phase) adds a new activity. Only the values that change
    are touched: every comment and the rest of the file stay as they were. What
    changed is printed as `cyclemap diff` says it.
    """
    from cyclemap.output import refuse_inputs, write_output
    from cyclemap.problems import InputError
    from cyclemap.report.terminal import visible
    from cyclemap.roundtrip.build import build_map
    from cyclemap.roundtrip.details import missing_required
    from cyclemap.roundtrip.table_read import limited, read_details_file, read_rows
    from cyclemap.safe_text import subject

    if Path(file).suffix.lower() in (".yaml", ".yml"):
        raise typer.BadParameter(f"{subject(file)} is a YAML map; import reads a CSV or XLSX table of activities "
                                 "(make one with `cyclemap export`)", param_hint="'FILE'")
    if into is not None:
        given = {"--force": force, "--title": title, "--customer": customer, "--outcome": outcome,
                 "--details": details}
        _into(file, into, output, dry_run, [flag for flag, value in given.items() if value not in (None, False)])
        return
    if dry_run:
        raise typer.BadParameter("--dry-run goes with --into MAP", param_hint="'--dry-run'")
    if output is None:
        raise typer.BadParameter("name the map to write: -o MAP (or -o - for standard output)",
                                 param_hint="'--output'")
    if output != "-":
        refuse_inputs(output, [file, *([details] if details else [])])
        if not force and os.path.lexists(output):
            raise InputError(f"{subject(output)}: the file exists; add --force to replace it (nothing was written)")
    rows, sheet_details, problems = read_rows(file)
    map_details: MapDetails | None = sheet_details
    if details is not None:
        map_details, found = read_details_file(details)
        problems = found + problems
    overrides = {"title": title, "customer": customer, "outcome": outcome}
    from cyclemap.roundtrip.details import MapDetails

    missing = missing_required(map_details or MapDetails(), overrides)
    if missing:
        flags = ", ".join(f"--{name}" for name in missing)
        where = "its sheet 'Map'" if sheet_details is not None else "no details (a CSV has none; see --details)"
        raise typer.BadParameter(f"the map needs {', '.join(missing)}: {subject(file)} has {where}; give {flags}",
                                 param_hint=f"'--{missing[0]}'")
    text, found = build_map(rows, map_details, overrides, Path(output).name if output != "-" else "-",
                              source=file)
    problems += found
    if any(p.is_error for p in problems):
        text = None
    _report(problems, limited)
    if text is None:
        errors = sum(p.is_error for p in problems)
        print(f"cyclemap: error: {errors} problem{'s' * (errors != 1)} in {visible(file)}; nothing was written",
              file=sys.stderr)
        raise typer.Exit(EXIT_INVALID)
    write_output(output, text.encode("utf-8"), [file, *([details] if details else [])])
    if output != "-":
        _survey_warning(text, output)
        print(f"Wrote {visible(output)}", file=sys.stderr)


def _into(file: str, into: str, output: str | None, dry_run: bool, new_map_options: list[str]) -> None:
    """`import FILE --into MAP`: read the rows, then update the map in place (or only print, with --dry-run).

    `new_map_options` are the options given that only a new map takes (--force, --title, ...): refused.
    """
    from cyclemap.problems import InputError
    from cyclemap.roundtrip.into import run_into
    from cyclemap.roundtrip.table_read import read_rows

    if output is not None:
        raise typer.BadParameter("give either -o MAP (a new map) or --into MAP (update a map), not both",
                                 param_hint="'--into'")
    if new_map_options:
        raise InputError(f"{', '.join(new_map_options)} {'go' if len(new_map_options) > 1 else 'goes'} with -o MAP "
                         "(a new map), not with --into MAP (which updates the map's activities only); nothing was "
                         "written")
    rows, _details, problems = read_rows(file, update=True)
    code = run_into(rows, into, dry_run, source=file, read=problems)
    if code:
        raise typer.Exit(code)


def _report(problems: list[TableProblem], limited: object) -> None:
    """Print every problem (errors and warnings) on standard error, the first 100 of them."""
    for line in limited(problems):  # type: ignore[operator]
        print(line, file=sys.stderr)


def _survey_warning(text: str, output: str) -> None:
    """Warn when the map's survey file is not where the new map looks for it (next to it)."""
    from cyclemap.loader import load_bytes
    from cyclemap.report.terminal import visible

    cmap = load_bytes(text.encode("utf-8"), Path(output).name)
    if cmap.survey is None:
        return
    where = Path(output).parent / cmap.survey.file
    if not where.is_file():
        print(f"cyclemap: warning: {visible(output)}: its survey file {visible(cmap.survey.file)} is not next to it "
              f"({visible(str(where))}); copy it there, or change survey.file", file=sys.stderr)
