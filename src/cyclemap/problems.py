"""Problems with a location, and the exceptions the CLI turns into exit codes.

A `Problem` is the one type every stage reports: YAML syntax errors, limits,
validation errors from the model and cross-checks such as duplicate ids. It is
printed as ``file:line:col: error: message``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cyclemap.exit_codes import EXIT_ENVIRONMENT, EXIT_INVALID, EXIT_USAGE
from cyclemap.safe_text import subject

ERROR, WARNING = "error", "warning"
"""The severities of a `Problem`."""
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    r"""The lines of `text` as YAML (1.1, like libyaml) counts them, so line numbers agree.

    Unlike `str.splitlines`, form feeds and other separators do not end a line;
    NEL, LS and PS do.

    >>> split_lines("a\r\nb\x85c\x0cd")
    ['a', 'b', 'c\x0cd']
    """
    return _LINE_BREAK.split(text)


def line_col(text: str, offset: int) -> tuple[int, int]:
    r"""The 1-based line and column of the character at `offset`, counted as YAML does.

    >>> line_col("a: 1\nb: x", 8)
    (2, 4)
    """
    lines = split_lines(text[:offset])
    return len(lines), len(lines[-1]) + 1


def clip(text: str, width: int = 80) -> str:
    """`text` cut to `width` characters, so a huge key or value cannot flood a message.

    >>> clip("x" * 100, 10)
    'xxxxxxx...'
    """
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass(frozen=True, order=True)
class Place:
    """A 1-based line and column in a file, e.g. where an include is written."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in a map, at a 1-based line and column of a file."""

    file: str
    line: int
    col: int
    message: str
    path: str = ""
    """Where in the map, e.g. ``phases.pre.activities[0].importance``."""
    chain: tuple[Place, ...] = field(default=(), compare=False)
    """Where `file` was included from when it is not the map itself: the root map's include first."""
    severity: str = field(default=ERROR, compare=False)
    """`error`, or `warning` for something worth a look that does not make the map invalid."""
    stands_for: int = field(default=1, compare=False)
    """How many problems this one counts as: a closing "N more problems are not listed" counts as those N."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class CyclemapError(Exception):
    """Base of every error cyclemap reports without a traceback."""

    exit_code = EXIT_INVALID


class MapError(CyclemapError):
    """The map is invalid; `problems` says where and why."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.col))
        self.sources: dict[str, str] = {}
        """The text of each file read, so reports can quote the offending line."""


class InputError(CyclemapError):
    """An input path cannot be used (missing, a directory, unreadable)."""

    exit_code = EXIT_USAGE


class UnreadableFile(InputError):
    """A map file that cannot be read at all: missing, a link leading nowhere, not a regular file, unreadable.

    Where several maps are read together (`cyclemap site`, `cyclemap gaps A B`),
    this is that map's problem (`problem`) and the others are still read.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{subject(path)}: {reason}")
        self.path = path
        self.reason = reason

    def problem(self) -> Problem:
        """The error as the map's problem, at its first line (there is no line to point at)."""
        return Problem(self.path, 1, 1, self.reason)


class EnvironmentProblem(CyclemapError):
    """The machine lacks something (e.g. Graphviz) or an output cannot be written."""

    exit_code = EXIT_ENVIRONMENT
