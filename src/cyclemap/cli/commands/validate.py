"""`cyclemap validate`: check maps and report every problem as file:line:col."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cyclemap.cli.options import ProblemFormat
from cyclemap.exit_codes import EXIT_INVALID, EXIT_USAGE
from cyclemap.problems import InputError, MapError

if TYPE_CHECKING:
    from cyclemap.model import CycleMap
    from cyclemap.report.problems import Checked  # noqa: TC004 - imported again where it runs


def validate(
    files: Annotated[
        list[str], typer.Argument(help="Map files to check ('-' reads standard input).", show_default=False)
    ],
    output_format: Annotated[
        ProblemFormat,
        typer.Option("--format", "-f", help="text for people, json for programs, github for Actions annotations."),
    ] = ProblemFormat.text,
) -> None:
    """Check maps and report every problem as file:line:col.

    [bold]Examples[/bold]

      cyclemap validate map.yaml

      cyclemap validate maps/*.yaml --format json
    """
    from cyclemap.loader import load_map
    from cyclemap.report.problems import REPORTERS, Checked

    results = []
    unusable = 0  # files that could not be read at all: the others are still checked
    for name in files:
        try:
            cmap = load_map(name)
        except MapError as err:
            results.append(Checked(name, err.problems, err.sources))
            continue
        except InputError as err:
            from cyclemap.report.terminal import visible

            print(f"cyclemap: error: {visible(str(err))}", file=sys.stderr)
            unusable += 1
            continue
        visits = list(cmap.walk())
        scored = sum(1 for v in visits if v.activity.importance is not None)
        depth = max((v.depth for v in visits), default=-1) + 1
        summary = f"valid map, {len(visits)} activities ({scored} scored), {depth} level{'s' * (depth != 1)} deep"
        if cmap.survey is None:
            results.append(Checked(name, summary=summary))
        else:
            results.append(_with_survey(Checked(name, summary=summary), cmap))
    REPORTERS[output_format.value](results)
    if unusable:
        raise typer.Exit(EXIT_USAGE)
    if any(p.is_error for r in results for p in r.problems):
        raise typer.Exit(EXIT_INVALID)


def _with_survey(checked: Checked, cmap: CycleMap) -> Checked:
    """`checked` with the problems of the map's survey, or its warnings and respondents when it reads well."""
    from cyclemap.report.problems import Checked
    from cyclemap.survey.checks import overlap_warnings
    from cyclemap.survey.views import load_map_survey

    try:
        survey = load_map_survey(cmap, checked.file)
    except MapError as err:
        return Checked(checked.file, err.problems, err.sources)
    assert survey is not None
    respondents = survey.respondents["all"]
    summary = f"{checked.summary}; survey {survey.file}: {respondents:,} respondent{'s' * (respondents != 1)}"
    return Checked(checked.file, overlap_warnings(cmap, survey), summary=summary)
