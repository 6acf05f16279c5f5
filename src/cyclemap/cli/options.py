"""Option types and helpers the commands share: the `--format` choices and the parsing of option values.

Each enum lists the keys of the registry it stands for (a test checks they agree), so that
`--help` and shell completion can offer the choices without importing the registry itself.
"""

from __future__ import annotations

import math
from enum import Enum

import typer


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


def check_timeout(value: float) -> float:
    """`--timeout`: a finite number of seconds in `TIMEOUT_RANGE`, else a usage error naming the range."""
    low, high = TIMEOUT_RANGE
    if not (math.isfinite(value) and low <= value <= high):
        raise typer.BadParameter(f"give a number of seconds from {low} to {high:,} (a day), not {value:g}")
    return value


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
