"""`cyclemap survey`: the questionnaire a map asks for, and the scores its survey gives per segment."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cyclemap.cli.options import QuestionnaireFormat, SummaryFormat, check_output

if TYPE_CHECKING:
    from cyclemap.model import CycleMap
    from cyclemap.survey.views import SurveyResults

SUBCOMMANDS = ("questionnaire", "summary")
"""The commands of `cyclemap survey`, in the order `--help` lists them (functions of this module)."""


def survey() -> None:
    """Field a survey for a map and see the scores it gives, per customer segment.

    The map's [bold]survey:[/bold] block names a CSV of responses (one row per respondent,
    columns [dim]<activity id>.importance[/dim] and [dim]<activity id>.satisfaction[/dim]);
    [bold]validate[/bold] checks it, every problem as FILE:ROW:COL.

    [bold]Examples[/bold]

      cyclemap survey questionnaire map.yaml -f markdown -o questions.md

      cyclemap survey questionnaire map.yaml --template -o template.csv

      cyclemap survey summary map.yaml
    """


def questionnaire(
    file: Annotated[str, typer.Argument(help="The map to ask about ('-' reads standard input).", show_default=False)],
    output_format: Annotated[
        QuestionnaireFormat,
        typer.Option("--format", "-f", help="csv for survey tools, markdown for people."),
    ] = QuestionnaireFormat.csv,
    template: Annotated[
        bool, typer.Option("--template", help="Write an empty response file instead: the header row the survey "
                           "file needs (CSV). It never replaces the map's survey file, nor another file that is "
                           "not empty unless --force.")
    ] = False,
    output: Annotated[
        str, typer.Option("--output", "-o", callback=check_output, help="File to write ('-' for standard output).")
    ] = "-",
    force: Annotated[
        bool, typer.Option("--force", help="With --template: replace a file that is not empty (never the survey "
                           "file the map reads).")
    ] = False,
) -> None:
    """Write the questions to field for a map, with the column each answer goes in.

    Two questions per activity, in outcome-driven-innovation wording: how
    important it is to the respondent, and how satisfied they are with how
    they do it today.

    [bold]Examples[/bold]

      cyclemap survey questionnaire map.yaml

      cyclemap survey questionnaire map.yaml -f markdown -o questions.md

      cyclemap survey questionnaire map.yaml --template -o template.csv
    """
    from cyclemap.loader import load_map
    from cyclemap.survey import questionnaire as q
    from cyclemap.survey.views import note_survey_input

    if template and output_format is not QuestionnaireFormat.csv:
        raise typer.BadParameter("the response template is CSV; leave out --format", param_hint="'--template'")
    cmap = load_map(file)
    note_survey_input(cmap, file)  # its responses: -o or standard output onto it is refused
    if template:
        _refuse_non_empty(output, file, force)
        text = q.template_csv(cmap)
    else:
        markdown = output_format is QuestionnaireFormat.markdown
        text = q.questionnaire_markdown(cmap) if markdown else q.questionnaire_csv(cmap)
    _write(output, text, file)


def summary(
    file: Annotated[str, typer.Argument(help="The map whose scores to show.", show_default=False)],
    output_format: Annotated[
        SummaryFormat,
        typer.Option("--format", "-f", help="table for people, json/csv for tools."),
    ] = SummaryFormat.table,
    output: Annotated[
        str, typer.Option("--output", "-o", callback=check_output, help="File to write ('-' for standard output).")
    ] = "-",
) -> None:
    """Show each activity's scores per segment: importance, satisfaction, intervals, n, opportunity.

    Survey scores are on 0-10 with their 95% interval and number of answers,
    and are marked thin below the survey's min_n; hand-entered scores show as
    from the map.

    [bold]Examples[/bold]

      cyclemap survey summary map.yaml

      cyclemap survey summary map.yaml -f json > scores.json

      cyclemap survey summary map.yaml -f csv -o scores.csv
    """
    import io

    from cyclemap.survey.summary import REPORTERS

    cmap, results = _scored(file)
    out = io.StringIO()
    REPORTERS[output_format.value](cmap, results, out)
    _write(output, out.getvalue(), file)


def _refuse_non_empty(output: str, file: str, force: bool) -> None:
    """Refuse to write a template over a file that is not empty, unless --force: it may hold responses.

    An input (the map, the survey file) is refused first, with the reason that --force does not change.
    """
    from pathlib import Path

    from cyclemap.output import refuse_inputs
    from cyclemap.problems import InputError
    from cyclemap.safe_text import subject

    if output == "-":
        return
    refuse_inputs(output, [file])
    if force:
        return
    try:
        written = Path(output).stat().st_size > 0
    except OSError:
        return
    if written:
        raise InputError(f"{subject(output)}: the file exists and is not empty; a template is written before "
                         "responses come in, so it is not replaced (nothing was written); choose another "
                         "file with -o, or add --force to replace it")


def _scored(file: str) -> tuple[CycleMap, SurveyResults | None]:
    """The map at `file` and its survey's scores (MapError with the survey's problems)."""
    from cyclemap.loader import load_map
    from cyclemap.survey.views import load_map_survey

    cmap = load_map(file)
    return cmap, load_map_survey(cmap, file)


def _write(output: str, text: str, file: str) -> None:
    from cyclemap.output import write_output

    write_output(output, text.encode("utf-8"), [file])
    if output != "-":
        from cyclemap.report.terminal import visible

        print(f"Wrote {visible(output)}", file=sys.stderr)
