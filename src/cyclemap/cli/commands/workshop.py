"""`cyclemap workshop`: a printable PDF pack to run a workshop on a map."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cyclemap.cli.options import (
    Paper,
    Poster,
    check_output,
    choice_of,
    complete_sections,
    parse_sections,
    threshold_option,
    timeout_option,
)

if TYPE_CHECKING:
    from cyclemap.model import CycleMap


def workshop(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    file: Annotated[str, typer.Argument(help="The map to build the pack from ('-' reads standard input; then give -o).",
                                        show_default=False)],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", show_default=False, callback=check_output,
                     help="The PDF to write. Default: MAP-workshop.pdf next to the map."),
    ] = None,
    paper: Annotated[
        Paper, typer.Option("--paper", parser=choice_of(Paper), help="Paper size; pages are landscape.")
    ] = Paper.a4,
    sections: Annotated[
        str | None,
        typer.Option("--sections", show_default=False, autocompletion=complete_sections,
                     help="Parts to include, comma-separated, printed in this order: cover, poster, landscape, "
                     "phases, gaps, segments (on a map with segments), worksheets, rescore, evidence. Default: all."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", show_default=False, help="Cover title instead of "
                                              "the map's.")] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", show_default=False, help="Date on the cover, YYYY-MM-DD. Default: "
                     "SOURCE_DATE_EPOCH if set, else today."),
    ] = None,
    threshold: Annotated[
        float | None,
        threshold_option(),
    ] = None,
    timeout: Annotated[
        float, timeout_option("Seconds the diagrams' layout, then Graphviz for each diagram, may take before "
                            "being stopped (1 to 86,400).")
    ] = 60.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not say which file was written.")] = False,
    poster: Annotated[
        Poster,
        typer.Option("--poster", parser=choice_of(Poster),
                     help="The cycle poster: on one sheet if its text stays legible there, else tiled (auto); "
                     "always on one sheet (fit); tiled over several sheets to tape together (tiles)."),
    ] = Poster.auto,
    segment: Annotated[
        str, typer.Option("--segment", "-s", metavar="ID",
                          help="Colour the poster and flows, and rank the gaps, by this customer segment's scores "
                          "(as `gaps --segment`); the cover names it.")
    ] = "all",
) -> None:
    """Build a printable PDF pack to run a workshop on a map.

    The pack has a cover, the cycle as a poster, the opportunity landscape (a
    page per segment too, on a map with segments), a page per phase (its flow and
    a table of its activities), the ranked gaps, on a map with segments the
    gaps that differ by segment side by side, capture worksheets to fill by
    hand, rescore sheets (each activity with today's scores and its scale to
    circle, by id, for `cyclemap import FILE --into MAP`), and an evidence
    appendix. Apart from the cover date it is the same
    for the same map, so it can be rebuilt in CI and compared.

    [bold]Examples[/bold]

      cyclemap workshop map.yaml                         [dim]# map-workshop.pdf[/dim]

      cyclemap workshop map.yaml -o pack.pdf --paper a3

      cyclemap workshop map.yaml --sections cover,gaps,worksheets

      cyclemap workshop map.yaml --sections rescore -o rescore.pdf

      cyclemap workshop map.yaml --date 2026-03-01 --title "Solar: spring review"

      cyclemap workshop map.yaml --segment upgraders -o upgraders-pack.pdf
    """
    from cyclemap.gaps import score_views
    from cyclemap.loader import load_map
    from cyclemap.output import write_output
    from cyclemap.report.terminal import visible
    from cyclemap.survey.views import load_map_survey
    from cyclemap.workshop import PackInfo, PackOptions, build_pack
    from cyclemap.workshop.provenance import git_revision, pack_date

    chosen = parse_sections(sections)
    try:
        when = pack_date(date)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="'--date'") from None
    target = output or str(Path(file).parent / f"{Path(file).stem}-workshop.pdf")
    if file == "-" and output is None:
        raise typer.BadParameter("reading the map from standard input, say where the PDF goes with -o",
                                 param_hint="'--output'")
    cmap = load_map(file)
    if sections is not None and "segments" in chosen and not cmap.segments:
        raise typer.BadParameter("the map has no segments for a segments page; add a segments: list "
                                 "(see docs/format.md)", param_hint="'--sections'")
    survey = load_map_survey(cmap, file) if cmap.survey is not None else None
    try:
        score_views(cmap, survey).check_view(segment)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="'--segment'") from None
    info = PackInfo("standard input" if file == "-" else file,
                    None if file == "-" else git_revision(_files_of(cmap, file)))
    options = PackOptions(paper.value, chosen, title, when, threshold, timeout, poster.value, progress=not quiet,
                          view=segment, survey=survey)
    pack = build_pack(cmap, info, options)
    write_output(target, pack.pdf, [file], binary=True)
    for warning in pack.warnings:
        print(f"cyclemap: warning: {visible(warning)}", file=sys.stderr)
    if not quiet and target != "-":
        pages = f"{pack.pages} page{'s' * (pack.pages != 1)}"
        print(f"Wrote {visible(target)} ({pages}, {pack.paper} landscape)", file=sys.stderr)


def _files_of(cmap: CycleMap, root: str) -> list[Path]:
    """The map file and every file it includes that holds an activity."""
    from cyclemap.loader import activity_location

    parts = {activity_location(visit)[0] for visit in cmap.walk()} - {root}
    return [Path(root), *sorted(Path(p) for p in parts if Path(p).is_file())]
