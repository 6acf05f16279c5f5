"""`cyclemap validate FILE...` without the command-line framework: the pre-commit hook's call, started fast.

Typer builds a pydantic adapter for each option it parses, and importing it and its click costs
about a tenth of a run of `validate` on a small map. When the arguments are plain (file names and
at most one valid `--format`/`-f` choice), nothing needs parsing rules, so `check_maps` runs
straight away. Anything else (`--help`, `--`, an unknown option or choice, no file, `-` twice,
shell completion) goes to the full parser, which answers or says what is wrong.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from cyclemap.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from cyclemap.problems import InputError, MapError

if TYPE_CHECKING:
    from cyclemap.model import CycleMap
    from cyclemap.report.problems import Checked

FORMATS = ("text", "json", "github")
"""The choices of `validate --format` (the keys of `cyclemap.report.problems.REPORTERS`; a test checks they agree)."""
_FORMAT_FLAGS = ("--format", "-f")


def quick_validate(args: list[str]) -> int | None:
    """Run `cyclemap ARGS` when it is `validate` with plain arguments and return its exit code; else None."""
    if not args or args[0] != "validate" or _completing():
        return None
    plain = _plain_validate(args[1:])
    if plain is None:
        return None
    files, output_format = plain
    return check_maps(files, output_format)


def _completing() -> bool:
    """Whether the shell asks for completions (the framework answers those)."""
    return any(name.startswith("_CYCLEMAP") and name.endswith("_COMPLETE") for name in os.environ)


def _plain_validate(args: list[str]) -> tuple[list[str], str] | None:
    """(files, format) when `args` hold only file names and at most one valid format; else None."""
    files: list[str] = []
    chosen: list[str] = []
    words = iter(args)
    for word in words:
        if word == "-" or not word.startswith("-"):
            files.append(word)
        elif word in _FORMAT_FLAGS:
            chosen.append(next(words, ""))
        elif word.startswith("--format="):
            chosen.append(word.removeprefix("--format="))
        else:
            return None
    if not files or files.count("-") > 1 or len(chosen) > 1 or (chosen and chosen[0] not in FORMATS):
        return None
    return files, chosen[0] if chosen else "text"


def check_maps(files: list[str], output_format: str) -> int:
    """Check each map and report every problem in `output_format`; return the exit code.

    0 when every map is valid, 4 when one is not, 2 when a file could not be read
    at all (the others are still checked and reported).
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
        results.append(Checked(name, summary=_summary(cmap)) if cmap.survey is None else _with_survey(name, cmap))
    REPORTERS[output_format](results)
    if unusable:
        return EXIT_USAGE
    return EXIT_INVALID if any(p.is_error for r in results for p in r.problems) else EXIT_OK


def _summary(cmap: CycleMap, by_survey: int | None = None) -> str:
    """What a valid map holds: "valid map, 12 activities (9 scored), 2 levels deep".

    With a survey (`by_survey`: the activities it scores), the scored ones are told apart:
    "(3 scored in the map, 9 by the survey)".
    """
    visits = list(cmap.walk())
    scored = sum(1 for v in visits if v.activity.importance is not None)
    depth = max((v.depth for v in visits), default=-1) + 1
    counted = f"{scored} scored" if by_survey is None else f"{scored} scored in the map, {by_survey} by the survey"
    return (f"valid map, {len(visits)} activit{'ies' if len(visits) != 1 else 'y'} ({counted}), "
            f"{depth} level{'s' * (depth != 1)} deep")


def _with_survey(file: str, cmap: CycleMap) -> Checked:
    """The map at `file` checked with its survey: the survey's problems, or its warnings and respondents."""
    from cyclemap.report.problems import Checked
    from cyclemap.survey.checks import overlap_warnings, survey_warnings
    from cyclemap.survey.views import load_map_survey

    try:
        survey = load_map_survey(cmap, file)
    except MapError as err:
        return Checked(file, err.problems, err.sources)
    assert survey is not None  # noqa: S101 - called for a map with a survey
    respondents = survey.respondents["all"]
    summary = (f"{_summary(cmap, len(survey.scores))}; "
               f"survey {survey.file}: {respondents:,} respondent{'s' * (respondents != 1)}")
    return Checked(file, [*overlap_warnings(cmap, survey), *survey_warnings(survey)], summary=summary)
