"""Option types and helpers the commands share: the `--format` choices and the parsing of option values.

Each enum lists the keys of the registry it stands for (a test checks they agree), so that
`--help` and shell completion can offer the choices without importing the registry itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import typer

E = TypeVar("E", bound=Enum)


class ProblemFormat(str, Enum):
    """The choices of `validate --format`: the keys of `cyclemap.report.problems.REPORTERS`."""

    text = "text"
    json = "json"
    github = "github"


class GapFormat(str, Enum):
    """The choices of `gaps --format`: the keys of `cyclemap.report.gaps.REPORTERS`."""

    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"
    github = "github"


class QuestionnaireFormat(str, Enum):
    """The choices of `survey questionnaire --format`."""

    csv = "csv"
    markdown = "markdown"


class SummaryFormat(str, Enum):
    """The choices of `survey summary --format`: the keys of `cyclemap.survey.summary.REPORTERS`."""

    table = "table"
    json = "json"
    csv = "csv"


class RenderFormat(str, Enum):
    """The choices of `render --format`: the keys of `cyclemap.render.SUFFIXES`."""

    svg = "svg"
    png = "png"
    pdf = "pdf"
    dot = "dot"
    mermaid = "mermaid"


class Layout(str, Enum):
    """The choices of `render --layout`: the keys of `cyclemap.render.LAYOUTS`, then `LANDSCAPE`."""

    cycle = "cycle"
    flow = "flow"
    landscape = "landscape"


class Engine(str, Enum):
    """The choices of `render --engine`: the keys of `cyclemap.render.graphviz_run.ENGINES`."""

    neato = "neato"


class DiffFormat(str, Enum):
    """The choices of `diff --format`: the keys of `cyclemap.report.diff.REPORTERS`."""

    text = "text"
    markdown = "markdown"
    json = "json"


class Paper(str, Enum):
    """The choices of `workshop --paper`: the keys of `cyclemap.workshop.PAPERS`."""

    a4 = "a4"
    a3 = "a3"
    letter = "letter"


class Poster(str, Enum):
    """The choices of `workshop --poster`: `cyclemap.workshop.poster.POSTER_MODES`."""

    auto = "auto"
    fit = "fit"
    tiles = "tiles"


METAVARS = {
    "--output": "FILE",
    "render --output": "PATH",
    "site --output": "FOLDER",
    "--top": "N",
    "--depth": "N",
    "--threshold": "SCORE",
    "--min-score": "SCORE",
    "--kind": "KIND",
    "--timeout": "SECONDS",
    "--rev": "REV",
    "--sections": "SECTIONS",
    "--title": "TEXT",
    "--date": "YYYY-MM-DD",
}
"""What `--help` and usage errors show for an option's value (`COMMAND --option` overrides `--option`)."""

ARGUMENT_METAVARS = {"file": "MAP", "files": "MAPS", "maps": "MAPS", "old": "OLD", "new": "NEW"}
"""How `--help` and usage errors name each command's arguments."""


TIMEOUT_RANGE = (1, 86_400)
"""The seconds `--timeout` accepts: at least one, at most a day (the clock of a process wait overflows far above)."""
SCORE_RANGE = (0, 20)
"""The opportunity scores `--threshold` and `--min-score` accept (importance plus unmet need, each 0-10)."""


def _shown(value: object) -> str:
    """An option's value as a usage error quotes it: as typed (a long one cut), control characters as escapes."""
    from cyclemap.safe_text import visible

    text = str(value)
    return f"'{visible(text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + '…')}'"


SHOWN_VALUE = 40
"""Characters of a refused option value quoted in the usage error."""


def number_in(low: float, high: float, unit: str = "a number") -> Callable[[str | float], float]:
    """A parser for an option taking a finite number from `low` to `high` (`-0` reads as 0).

    Anything else (``nan``, ``inf``, ``1e999``, ``x``, out of range) is a usage
    error naming the range and quoting the value.
    """

    def parse(value: str | float) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not (math.isfinite(number) and low <= number <= high):
            raise typer.BadParameter(f"give {unit} from {low:,g} to {high:,g}, not {_shown(value)}")
        return number + 0.0  # -0.0 becomes 0.0

    return parse


def whole_number(value: str | int) -> int:
    """The parser of `--top` and `--depth`: a whole number, 0 or more (written with digits only)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()):
        raise typer.BadParameter(f"give a whole number, 0 or more, not {_shown(value)}")
    if len(text.lstrip("0")) > MAX_DIGITS:
        raise typer.BadParameter(f"give a whole number of at most {MAX_DIGITS} digits, not {_shown(value)}")
    return int(text)


MAX_DIGITS = 18
"""Digits of a count that `--top` and `--depth` accept: far more than any map holds, far fewer than Python's limit."""

check_timeout = number_in(*TIMEOUT_RANGE, unit="a number of seconds")
"""The parser of `--timeout`: seconds in `TIMEOUT_RANGE`."""
check_score = number_in(*SCORE_RANGE, unit="a score")
"""The parser of `--threshold` and `--min-score`: an opportunity score in `SCORE_RANGE`."""

THRESHOLD_HELP = ("Opportunity score (0-20) from which an activity is underserved (default: the map's "
                  "gaps.threshold, else 10).")


def threshold_option(help_text: str = THRESHOLD_HELP) -> Any:  # typer.Option is typed as Any
    """`--threshold`, as every command that ranks or colours gaps takes it (its value is None when not given)."""
    return typer.Option("--threshold", min=0, max=20, parser=check_score, show_default=False, help=help_text)


def timeout_option(help_text: str) -> Any:  # typer.Option is typed as Any
    """`--timeout`, as every command that draws with Graphviz takes it: seconds in `TIMEOUT_RANGE`."""
    return typer.Option("--timeout", parser=check_timeout, help=help_text)


def choice_of(choices: type[E]) -> Callable[[str | E], E]:
    """A parser for an option taking one of an enum's values; anything else is a usage error listing them."""

    def parse(value: str | E) -> E:
        if isinstance(value, choices):
            return value
        try:
            return choices(value)
        except ValueError:
            names = ", ".join(str(choice.value) for choice in choices)
            raise typer.BadParameter(f"choose one of {names}; not {_shown(value)}") from None

    return parse


STDIN = "-"
"""The argument that names standard input (`cyclemap.loader.STDIN`)."""
STDIN_TWICE = "standard input ('-') is given twice, but it can be read only once; name the other map's file"


def stdin_once(values: list[str]) -> list[str]:
    """Map arguments (`validate`, `render`) in which '-' (standard input) appears at most once."""
    if values.count(STDIN) > 1:
        raise typer.BadParameter(STDIN_TWICE)
    return values


def check_output(value: str | None) -> str | None:
    """`-o`: a file name or '-'; an empty name would quietly mean the current folder."""
    if value is not None and not value.strip():
        raise typer.BadParameter("give a file name, or '-' for standard output (an empty name is not a file)")
    return value


def complete_kinds(incomplete: str) -> list[str]:
    """Shell completion for `gaps --kind`: the gap kinds (`cyclemap.gaps.KINDS`) starting with what is typed."""
    from cyclemap.gaps import KINDS

    return [kind for kind in KINDS if kind.startswith(incomplete.lower())]


def complete_sections(incomplete: str) -> list[str]:
    """Shell completion for `workshop --sections a,b,...`: the next section, after the ones already typed."""
    from cyclemap.workshop import SECTIONS

    done, _, last = incomplete.rpartition(",")
    typed = {part.strip().lower() for part in done.split(",") if part.strip()}
    prefix = f"{done}," if done else ""
    return [prefix + name for name in SECTIONS if name.startswith(last.strip().lower()) and name not in typed]


def parse_sections(text: str | None) -> tuple[str, ...]:
    """The sections named in `workshop --sections`, in pack order; usage errors name the unknown ones."""
    import difflib

    from cyclemap.workshop import SECTIONS

    if text is None:
        return SECTIONS
    named = [part.strip().lower() for part in text.split(",") if part.strip()]
    for name in named:
        if name not in SECTIONS:
            close = difflib.get_close_matches(name, SECTIONS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; choose from {', '.join(SECTIONS)}"
            raise typer.BadParameter(f"unknown section '{name}'{hint}", param_hint="'--sections'")
    if not named:
        raise typer.BadParameter(f"name at least one of {', '.join(SECTIONS)}", param_hint="'--sections'")
    return tuple(s for s in SECTIONS if s in named)
