"""Problems with a location, and the exceptions the CLI turns into exit codes.

A `Problem` is the one type every stage reports: YAML syntax errors, limits,
validation errors from the model and cross-checks such as duplicate ids. It is
printed as ``file:line:col: error: message``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in a map, at a 1-based line and column of a file."""

    file: str
    line: int
    col: int
    message: str
    path: str = ""
    """Where in the map, e.g. ``phases.pre.activities[0].importance``."""
    chain: tuple[str, ...] = field(default=(), compare=False)
    """The include chain that led to `file`, outermost first."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: error: {self.message}"


class CyclemapError(Exception):
    """Base of every error cyclemap reports without a traceback."""

    exit_code = 1


class MapError(CyclemapError):
    """The map is invalid; `problems` says where and why."""

    exit_code = 1

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.col))
        self.sources: dict[str, str] = {}
        """The text of each file read, so reports can quote the offending line."""


class InputError(CyclemapError):
    """An input path cannot be used (missing, a directory, unreadable)."""

    exit_code = 2


class EnvironmentProblem(CyclemapError):
    """The machine lacks something (e.g. Graphviz) or an output cannot be written."""

    exit_code = 3
