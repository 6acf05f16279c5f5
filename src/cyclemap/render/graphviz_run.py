"""Running a Graphviz layout program: the one place cyclemap starts a process."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from cyclemap.exit_codes import EXIT_ENVIRONMENT
from cyclemap.problems import CyclemapError, EnvironmentProblem


@dataclass(frozen=True)
class Engine:
    """A Graphviz program and the options with which it draws cyclemap's own positions."""

    program: str
    args: tuple[str, ...]
    about: str
    """One line for --help and the README."""


ENGINES: dict[str, Engine] = {
    "neato": Engine("neato", ("-n2",), "draws the positions cyclemap computed, in points, as they are"),
}
"""The `render --engine` choices: every one draws the layout cyclemap computed, unchanged.

Graphviz's own layouts are not offered: dot, twopi, circo, fdp and sfdp ignore or
rescale pinned positions (neato and fdp without -n2 read them as inches: a drawing
of about 75,000 points a side), reorder the cycle, overlap cards or pull each
subcycle's rows off its card.
"""
DEFAULT_ENGINE = "neato"
INSTALL_HINT = (
    "Graphviz is not installed (the '{engine}' program was not found). Install it with "
    "'sudo apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS) or "
    "'choco install graphviz' (Windows). Formats dot and mermaid work without it."
)
TIMEOUT_HINT = "Try --depth 1 or 2 to collapse subcycles, --layout flow, or a longer --timeout."
"""What `render` can do about a layout or a Graphviz run that took too long."""


class LayoutError(CyclemapError):
    """Graphviz failed or took too long; the message says what to try.

    The map itself is valid, so this is the environment's exit code, not the invalid map's.
    """

    exit_code = EXIT_ENVIRONMENT


def run_graphviz(  # noqa: PLR0913, PLR0917 - each is one fact about the run
    source: str, engine: str, fmt: str, timeout: float, extra: tuple[str, ...] = (), hint: str = TIMEOUT_HINT
) -> bytes:
    """Lay out DOT `source` with `engine` and return the `fmt` output.

    The process is killed after `timeout` seconds, with an error ending in
    `hint`. SVG and PNG output is reproducible; Graphviz's PDF writer (cairo)
    embeds the current date.
    """
    program = shutil.which(engine)
    if program is None:
        raise EnvironmentProblem(INSTALL_HINT.format(engine=engine))
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}
    try:
        done = subprocess.run(
            [program, f"-T{fmt}", *extra],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LayoutError(f"Graphviz ({engine}) took longer than {timeout:g} s and was stopped. {hint}") from None
    except OSError as err:
        raise EnvironmentProblem(f"cannot run Graphviz ({program}): {err.strerror}") from None
    if done.returncode != 0 or not done.stdout:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LayoutError(f"Graphviz ({engine}) failed: {detail[-1] if detail else 'no output'}")
    return done.stdout
