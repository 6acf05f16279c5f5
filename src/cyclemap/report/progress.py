"""A progress display for long runs over many maps (only on a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TypeVar

from cyclemap.report.terminal import stderr_console

T = TypeVar("T")


def with_progress(items: list[T], description: str) -> Iterator[T]:
    """Yield `items`, showing a transient progress bar on stderr when it is a terminal."""
    if len(items) < 2 or not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import Progress  # only on a terminal

    with Progress(console=stderr_console(), transient=True) as progress:
        task = progress.add_task(description, total=len(items))
        for item in items:
            yield item
            progress.advance(task)


