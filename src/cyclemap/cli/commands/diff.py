"""`cyclemap diff`: what changed between two versions of a map."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cyclemap.cli.options import STDIN, STDIN_TWICE, DiffFormat, choice_of, threshold_option
from cyclemap.exit_codes import EXIT_FOUND, EXIT_INVALID
from cyclemap.problems import MapError

if TYPE_CHECKING:
    from cyclemap.gitrev import Scored


def diff(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    old: Annotated[
        str, typer.Argument(help="The old map: a file, or REV:path for a map as it was at a git revision "
                            "(e.g. HEAD~1:maps/solar.yaml). With --rev: the working map file.", show_default=False)
    ],
    new: Annotated[
        str | None, typer.Argument(help="The new map: a file or REV:path (leave out with --rev).", show_default=False)
    ] = None,
    rev: Annotated[
        str | None,
        typer.Option("--rev", "-r", show_default=False,
                     help="Compare the working map file with how it was at this git revision "
                     "(a branch, tag or commit, e.g. main or HEAD~1); its includes are read at that revision too."),
    ] = None,
    output_format: Annotated[
        DiffFormat,
        typer.Option("--format", "-f", parser=choice_of(DiffFormat),
                     help="text for people, markdown for a pull-request comment, json for tools."),
    ] = DiffFormat.text,
    threshold: Annotated[
        float | None,
        threshold_option("Opportunity score (0-20) from which an activity is underserved, for both maps "
                     "(default: each map's gaps.threshold, else 10)."),
    ] = None,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when the maps differ, 0 when they do not (for CI).")
    ] = False,
) -> None:
    """Show what changed between two versions of a map, and what it means for the gaps.

    Activities are matched by id: added, removed, moved, renamed and changed
    fields, then the gaps opened and closed and the opportunity scores that moved;
    on a map with customer segments, the same per segment. Scores come from each
    map's survey when it has one (at a revision, the survey file as it was there).
    A path after 'REV:' starts at the top of the repository, as in git show
    (REV:./map.yaml starts at the current folder).

    [bold]Examples[/bold]

      cyclemap diff old.yaml new.yaml

      cyclemap diff HEAD~1:maps/solar.yaml maps/solar.yaml

      cyclemap diff --rev main maps/solar.yaml     [dim]# working file against main[/dim]

      cyclemap diff --rev origin/main maps/solar.yaml -f markdown > comment.md

      cyclemap diff --rev HEAD maps/solar.yaml -f json --exit-code
    """
    from cyclemap.diff import diff_maps
    from cyclemap.report.diff import REPORTERS, DiffReport

    (old_map, old_name, old_survey), (new_map, new_name, new_survey) = _load_diff_sides(old, new, rev)
    changes = diff_maps(old_map, new_map, threshold, old_survey=old_survey, new_survey=new_survey)
    REPORTERS[output_format.value](DiffReport(old_name, new_name, old_map, new_map, changes, threshold), sys.stdout)
    if exit_code and changes.differs:
        raise typer.Exit(EXIT_FOUND)


def _load_diff_sides(old: str, new: str | None, rev: str | None) -> list[Scored]:
    """Both maps with the names to show and their surveys' results (a map at a revision: its survey as it was
    there); problems in either are all reported (stderr) before exiting EXIT_INVALID."""
    from functools import partial

    from cyclemap.gitrev import (
        RevisionPath,
        load_arg_scored,
        load_file_scored,
        load_working_file_scored,
        parse_map_arg,
    )
    from cyclemap.report.problems import Checked, report_text

    if old == new == STDIN:
        raise typer.BadParameter(STDIN_TWICE, param_hint="'OLD' / 'NEW'")
    if rev is None and new is None:
        raise typer.BadParameter("give the old and the new map, or one working map file with --rev REV "
                                 "(e.g. cyclemap diff --rev HEAD map.yaml)", param_hint="'NEW'")
    if rev is not None and (new is not None or isinstance(parse_map_arg(old), RevisionPath)):
        raise typer.BadParameter("with --rev, give just the working map file; it is compared with the same "
                                 "file at that revision", param_hint="'--rev'")
    loaders = [partial(load_arg_scored, old), partial(load_arg_scored, new or "")]
    if rev is not None:
        loaders = [partial(load_working_file_scored, rev, old), partial(load_file_scored, old)]
    sides: list[Scored] = []
    invalid: list[Checked] = []
    for load in loaders:
        try:
            sides.append(load())
        except MapError as err:
            invalid.append(Checked(err.problems[0].file if err.problems else "?", err.problems, err.sources))
    if invalid:
        report_text(invalid, to_stderr=True)
        raise typer.Exit(EXIT_INVALID)
    return sides
