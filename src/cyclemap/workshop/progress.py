"""What a pack is doing while it is built, shown on a terminal.

A big map takes seconds; on a terminal the user sees each step and how far it
is. Nothing is printed when standard error is not a terminal (CI logs, pipes)
or the user asked for quiet, and rich is imported only when it is shown.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Steps(Protocol):
    """Receives the steps of a build."""

    def step(self, text: str, total: int | None = None) -> None:
        """A new step, with the number of items it has (None if unknown)."""

    def advance(self) -> None:
        """One item of the current step is done."""


class _Silent:
    def step(self, text: str, total: int | None = None) -> None:
        pass

    def advance(self) -> None:
        pass


class _Shown:
    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.task: Any = None

    def step(self, text: str, total: int | None = None) -> None:
        if self.task is not None:  # the step before is done
            done = self.bar.tasks[-1].total or 1
            self.bar.update(self.task, total=done, completed=done)
        self.task = self.bar.add_task(text, total=total)

    def advance(self) -> None:
        self.bar.advance(self.task)


@contextmanager
def shown_on_terminal(wanted: bool) -> Iterator[Steps]:
    """A progress display on standard error when `wanted` and it is a terminal, else silence."""
    stream = sys.stderr
    if not wanted or not stream.isatty():
        yield _Silent()
        return
    from rich.console import Console  # noqa: PLC0415 - only for a terminal: keeps start-up light
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        yield _Shown(bar)
