"""`cyclemap export`: a map as a spreadsheet, one row per activity (CSV or XLSX)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from cyclemap.cli.options import check_output, choice_of


class TableFormat(str, Enum):
    """The choices of `export --format`."""

    csv = "csv"
    xlsx = "xlsx"


SUFFIXES = {".csv": TableFormat.csv, ".xlsx": TableFormat.xlsx}


def export(
    file: Annotated[str, typer.Argument(help="The map to export ('-' reads standard input).", show_default=False)],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", show_default=False, callback=check_output,
                     help="File to write ('-' for standard output: CSV only, or XLSX into a pipe). "
                     "Default: next to the map, with the format's suffix."),
    ] = None,
    output_format: Annotated[
        TableFormat | None,
        typer.Option("--format", "-f", parser=choice_of(TableFormat), show_default=False,
                     help="xlsx: a workbook with the activities and a sheet of the map's details; csv: the "
                     "activities only (see --details). Default: from the -o suffix, else xlsx (csv with -o -)."),
    ] = None,
    details: Annotated[
        str | None,
        typer.Option("--details", metavar="FILE", show_default=False, callback=check_output,
                     help="With -f csv: also write the map's details (title, scale, segments, ...) to this CSV, "
                     "for `import --details`."),
    ] = None,
) -> None:
    """Export a map as a spreadsheet: one row per activity, in map order, with its scores and gaps.

    Columns: number, id, phase, parent, depth, name, description, importance,
    satisfaction, score, band, gaps, pains, offerings, competitors, evidence,
    owner, tags, notes, then an importance and a satisfaction column per
    segment (lists joined with ' | '). The XLSX keeps the header in view, has a
    filter on it, colours score cells as the diagrams do, and holds the map's
    details on a second sheet, "Map". `cyclemap import` reads either back.

    [bold]Examples[/bold]

      cyclemap export map.yaml                     [dim]# map.xlsx next to the map[/dim]

      cyclemap export map.yaml -o activities.csv   [dim]# format from the suffix[/dim]

      cyclemap export map.yaml -f csv -o - | less

      cyclemap export map.yaml -o acts.csv --details acts-map.csv
    """
    from cyclemap.loader import STDIN, load_map
    from cyclemap.output import write_output
    from cyclemap.report.terminal import visible
    from cyclemap.roundtrip.table_write import activity_table, csv_bytes, details_table, xlsx_bytes
    from cyclemap.survey.views import load_map_survey

    fmt = _format(output, output_format)
    if details is not None and fmt is not TableFormat.csv:
        raise typer.BadParameter("a workbook holds the details on its sheet 'Map'; --details is for -f csv",
                                 param_hint="'--details'")
    if output is None:
        output = "-" if file == STDIN else str(Path(file).with_suffix(f".{fmt.value}"))
    if details is not None and details in ("-", output):
        raise typer.BadParameter("give the details a file of their own", param_hint="'--details'")
    cmap = load_map(file)
    survey = load_map_survey(cmap, file) if cmap.survey is not None else None
    table = activity_table(cmap, survey)
    shown = "-" if output == "-" else Path(output).name
    data = xlsx_bytes(table, details_table(cmap), shown) if fmt is TableFormat.xlsx else csv_bytes(table, shown)
    extra = details_table(cmap) if details is not None else None
    extra_data = csv_bytes(extra, Path(details).name) if extra is not None and details is not None else b""
    for warning in table.warnings + (extra.warnings if extra is not None else []):
        print(f"cyclemap: warning: {visible(warning)}", file=sys.stderr)
    write_output(output, data, [file], binary=fmt is TableFormat.xlsx)
    if details is not None:
        write_output(details, extra_data, [file])
    for written in (output, details):
        if written not in (None, "-"):
            print(f"Wrote {visible(written)}", file=sys.stderr)


def _format(output: str | None, given: TableFormat | None) -> TableFormat:
    """The format: -f, else the -o suffix, else xlsx (csv for standard output)."""
    if given is not None:
        return given
    if output is None:
        return TableFormat.xlsx
    if output == "-":
        return TableFormat.csv
    suffix = Path(output).suffix.lower()
    if suffix not in SUFFIXES:
        raise typer.BadParameter(f"cannot tell the format from '{suffix or output}'; add -f csv or -f xlsx",
                                 param_hint="'--output'")
    return SUFFIXES[suffix]
