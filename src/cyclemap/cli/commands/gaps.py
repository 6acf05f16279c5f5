"""`cyclemap gaps`: rank the opportunity gaps of a map."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cyclemap.cli.options import (
    GapFormat,
    check_score,
    choice_of,
    complete_kinds,
    stdin_once,
    threshold_option,
    whole_number,
)
from cyclemap.exit_codes import EXIT_FOUND, EXIT_INVALID
from cyclemap.problems import MapError, UnreadableFile

if TYPE_CHECKING:
    from cyclemap.gaps import GapFilter
    from cyclemap.model import CycleMap
    from cyclemap.survey.views import SurveyResults


def gaps(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    files: Annotated[
        list[str],
        typer.Argument(help="The maps to analyse, or folders of maps ('-' reads standard input); several maps "
                       "are ranked together, with the map of each gap.", callback=stdin_once, show_default=False),
    ],
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
        threshold_option(),
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
    segment: Annotated[
        str, typer.Option("--segment", "-s", metavar="ID",
                          help="Rank this customer segment's gaps: its survey scores, else its hand-entered ones "
                          "(all: every respondent pooled, else the map's own scores).")
    ] = "all",
    by_segment: Annotated[
        bool, typer.Option("--by-segment", help="List the activities where segments disagree instead: underserved "
                           "in a segment while the pooled score is not, or 3+ points apart between segments.")
    ] = False,
    min_n: Annotated[
        int | None,
        typer.Option("--min-n", min=1, show_default=False,
                     help="Leave out survey scores with fewer than N answers (they count as unscored)."),
    ] = None,
) -> None:
    """Rank the opportunity gaps of a map, or of several maps together, with the reason for each.

    [bold]Examples[/bold]

      cyclemap gaps map.yaml

      cyclemap gaps maps/ --top 20

      cyclemap gaps map.yaml --top 5 --kind underserved --kind unserved

      cyclemap gaps map.yaml --format markdown > gaps.md

      cyclemap gaps map.yaml --format github --min-score 12 --fail-on-gaps

      cyclemap gaps map.yaml --segment upgraders --min-n 30

      cyclemap gaps map.yaml --by-segment
    """
    from cyclemap.gaps import GapFilter, effective_threshold, filter_gaps, find_gaps, score_views
    from cyclemap.report.gaps import REPORTERS, GapReport

    if by_segment:
        for given, hint in ((segment != "all", "--segment"), (kinds, "--kind"), (min_score is not None, "--min-score")):
            if given:
                raise typer.BadParameter(f"{hint} ranks gaps in one view; --by-segment compares the views",
                                         param_hint="'--by-segment'")
    try:
        keep = GapFilter(tuple(kinds or ()), min_score, top)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="'--kind'") from None
    from cyclemap.mapfolder import expand_maps

    names = expand_maps(files, named_must_exist=True)
    if len(names) > 1:
        if by_segment:
            raise typer.BadParameter("compares the segments of one map; give one map",
                                     param_hint="'--by-segment'")
        _across(names, output_format, threshold, keep, segment, min_n, fail_on_gaps)
        return
    file = names[0]
    cmap, survey = _load(file, output_format)
    if by_segment:
        _by_segment(file, cmap, survey, output_format, threshold, top, min_n, fail_on_gaps)
        return
    try:
        score_views(cmap, survey).check_view(segment)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="'--segment'") from None
    found = find_gaps(cmap, threshold, segment, survey=survey, min_n=min_n)
    shown = filter_gaps(found, keep)
    points = None
    if output_format.value == "json":
        from cyclemap.landscape import landscape_points

        points = landscape_points(cmap, threshold, segment, survey=survey, min_n=min_n)
    report = GapReport(file, cmap, effective_threshold(cmap, threshold), shown, len(found), failing=fail_on_gaps,
                       view=segment, survey=survey, landscape=points)
    REPORTERS[output_format.value](report, sys.stdout)
    if fail_on_gaps and shown:
        raise typer.Exit(EXIT_FOUND)


def _across(  # noqa: PLR0913, PLR0917 - the options that apply to a ranking across maps
    names: list[str], output_format: GapFormat, threshold: float | None, keep: GapFilter, segment: str,
    min_n: int | None, fail_on_gaps: bool,
) -> None:
    """`gaps A.yaml B.yaml` (or a folder): one ranking across the maps, each entry naming its map.

    Every map is read first: the problems of every invalid map, or one that
    cannot be read (a link in a folder leading nowhere), are reported (exit 4,
    no ranking: one that left a map out would mislead). `--segment`
    must be a segment of every map.
    """
    from cyclemap.gaps import effective_threshold, find_gaps, score_views
    from cyclemap.report.gaps import MULTI_REPORTERS, GapReport, MultiGapReport
    from cyclemap.report.problems import REPORTERS as PROBLEM_REPORTERS
    from cyclemap.report.problems import Checked

    loaded, failed = [], []
    for name in names:
        try:
            loaded.append((name, *_load(name, GapFormat.table)))
        except MapError as err:
            failed.append(Checked(name, err.problems, err.sources))
        except UnreadableFile as err:  # found in a folder: a link leading nowhere, a pipe
            failed.append(Checked(name, [err.problem()], {}))
    if failed:
        if output_format is GapFormat.github:
            PROBLEM_REPORTERS["github"](failed)
        else:
            from cyclemap.report.problems import report_text

            report_text(failed, to_stderr=True)
        raise typer.Exit(EXIT_INVALID)
    reports = []
    for name, cmap, survey in loaded:
        try:
            score_views(cmap, survey).check_view(segment)
        except ValueError as err:
            raise typer.BadParameter(f"{name}: {err}", param_hint="'--segment'") from None
        found = find_gaps(cmap, threshold, segment, survey=survey, min_n=min_n)
        reports.append(GapReport(name, cmap, effective_threshold(cmap, threshold), found, len(found), view=segment,
                                 survey=survey))
    report = MultiGapReport.of(reports, keep, failing=fail_on_gaps)
    MULTI_REPORTERS[output_format.value](report, sys.stdout)
    if fail_on_gaps and report.entries:
        raise typer.Exit(EXIT_FOUND)


def _load(file: str, output_format: GapFormat) -> tuple[CycleMap, SurveyResults | None]:
    """The map and its survey's results; with -f github, their problems as annotations (then exit 4)."""
    from cyclemap.loader import load_map
    from cyclemap.survey.views import load_map_survey

    try:
        cmap = load_map(file)
        return cmap, load_map_survey(cmap, file) if cmap.survey is not None else None
    except MapError as err:
        if output_format is not GapFormat.github:
            raise
        from cyclemap.report.problems import REPORTERS as PROBLEM_REPORTERS
        from cyclemap.report.problems import Checked

        PROBLEM_REPORTERS["github"]([Checked(file, err.problems, err.sources)])  # errors where Actions shows them
        raise typer.Exit(EXIT_INVALID) from None


def _by_segment(  # noqa: PLR0913, PLR0917 - the options that apply to --by-segment
    file: str, cmap: CycleMap, survey: SurveyResults | None, output_format: GapFormat, threshold: float | None,
    top: int | None, min_n: int | None, fail_on_gaps: bool,
) -> None:
    """`gaps --by-segment`: the activities where segments disagree, in `output_format`."""
    from cyclemap.gaps import effective_threshold
    from cyclemap.report.segment_gaps import REPORTERS, SegmentReport
    from cyclemap.segment_gaps import SPREAD, segment_disagreements

    if not cmap.segments:
        raise typer.BadParameter("the map has no segments to compare; add a segments: list (see docs/format.md)",
                                 param_hint="'--by-segment'")
    found = segment_disagreements(cmap, threshold, survey=survey, min_n=min_n)
    shown = found if top is None else found[:top]
    report = SegmentReport(file, cmap, effective_threshold(cmap, threshold), SPREAD, survey, shown, len(found),
                           failing=fail_on_gaps)
    REPORTERS[output_format.value](report, sys.stdout)
    if fail_on_gaps and shown:
        raise typer.Exit(EXIT_FOUND)
