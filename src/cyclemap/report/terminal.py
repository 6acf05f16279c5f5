"""Shared terminal helpers: consoles and making user text safe to show."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich loads when a console is needed: `visible` alone keeps the start fast
    from rich.console import Console
    from rich.text import Text

from cyclemap.safe_text import visible

__all__ = ["literal", "stderr_console", "stdout_console", "visible"]


def literal(text: str, style: str = "") -> Text:
    """User text for rich: never read as markup, never a terminal escape."""
    from rich.text import Text

    return Text(visible(text), style=style)


def stdout_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False, soft_wrap=True)
