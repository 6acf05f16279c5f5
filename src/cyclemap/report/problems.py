"""Problems and validation results: text (with the offending line), json, github."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cyclemap.problems import Problem, split_lines
from cyclemap.report.terminal import literal, stderr_console, stdout_console, visible
from cyclemap.safe_text import escape_invisible, inert_json

if TYPE_CHECKING:
    from rich.text import Text

_LINE_BREAKS = "\r\n"
"""Kept in annotation messages, where `github_escape` writes them as %0D%0A and GitHub shows the break."""
MAX_SHOWN = 200
"""Problems shown in text form before the rest are only counted."""


@dataclass
class Checked:
    """The outcome of checking one map file."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    sources: Mapping[str, str] = field(default_factory=dict)
    """The text of each file read, to quote the offending lines."""
    summary: str = ""
    """What a valid map holds, e.g. '42 activities'."""


def report_text(results: list[Checked], *, to_stderr: bool = False) -> None:
    """Problems for people; `to_stderr` when standard output carries a result (a diagram, JSON).

    A file with warnings only is still ok: its warnings come before its ok line.
    """
    out = sys.stderr if to_stderr else sys.stdout
    if not any(r.problems for r in results) and not out.isatty() and not os.environ.get("FORCE_COLOR"):
        # All valid, into a pipe (pre-commit, CI): the same plain lines without loading rich.
        for result in results:
            print(f"ok {visible(result.file)}: {result.summary}", file=out)
        return
    from rich.text import Text

    console = stderr_console() if to_stderr else stdout_console()
    total = sum(p.stands_for for r in results for p in r.problems if p.is_error)
    warnings = sum(1 for r in results for p in r.problems if not p.is_error)
    shown = 0
    for result in results:
        for problem in result.problems:
            if shown < MAX_SHOWN:
                console.print(_problem_text(problem, result.sources.get(problem.file)))
            shown += 1
        if not any(p.is_error for p in result.problems):
            console.print(Text.assemble(("ok ", "green bold"), literal(result.file), f": {result.summary}"))
    if shown > MAX_SHOWN:
        console.print(f"... and {shown - MAX_SHOWN} more problems")
    if total:
        bad = sum(1 for r in results if any(p.is_error for p in r.problems))
        console.print(
            Text(f"Found {total} problem{'s' * (total != 1)} in {bad} file{'s' * (bad != 1)}.", style="red bold")
        )
    if warnings:
        console.print(Text(f"{warnings} warning{'s' * (warnings != 1)}.", style="yellow bold"))


def _problem_text(problem: Problem, source: str | None) -> Text:
    from rich.text import Text

    text = Text.assemble(
        (visible(f"{problem.file}:{problem.line}:{problem.col}"), "bold"),
        ": ",
        (problem.severity, "red bold" if problem.is_error else "yellow bold"),
        ": ",
        literal(problem.message),
    )
    quoted = _quote(source, problem.line, problem.col)
    if quoted:
        text.append("\n")
        text.append_text(quoted)
    if problem.path:
        text.append("\n")
        text.append(f"   = in {visible(problem.path)}", style="dim")
    for place in reversed(problem.chain):  # nearest first, as compilers print include chains
        text.append(f"\n   = included from {visible(str(place))}", style="dim")
    return text


def _quote(source: str | None, line: int, col: int, width: int = 100) -> Text | None:
    """The offending line with a caret under the column (long lines trimmed)."""
    from rich.text import Text

    if source is None:
        return None
    lines = split_lines(source)  # as the parser counts lines, so the quoted line is the right one
    if not 1 <= line <= len(lines):
        return None
    content = lines[line - 1].expandtabs(1)
    start = max(0, col - 1 - width // 2) if len(content) > width else 0
    snippet = visible(content[start : start + width])
    gutter = f"{line:>5} | "
    text = Text(gutter, style="blue")
    text.append(snippet)
    text.append("\n" + " " * (len(gutter) - 2) + "| ", style="blue")
    text.append(" " * len(visible(content[start : col - 1])) + "^", style="red bold")  # under it, escapes counted
    return text


def report_json(results: list[Checked]) -> None:
    """A JSON list of problems; `include_chain` leads from the root map's include to the file (empty for the map)."""
    problems = [
        {
            "file": p.file,
            "line": p.line,
            "col": p.col,
            "path": p.path,
            "severity": p.severity,
            "message": p.message,
            "include_chain": [{"file": c.file, "line": c.line, "col": c.col} for c in p.chain],
        }
        for r in results
        for p in r.problems
    ]
    sys.stdout.write(inert_json(json.dumps(problems, indent=2, ensure_ascii=False)) + "\n")


def github_escape(text: str, *, prop: bool = False) -> str:
    """Escape text for a GitHub Actions workflow command."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def report_github(results: list[Checked]) -> None:
    """One ``::error`` (or ``::warning``) annotation per problem, in the file it is in (included files too)."""
    for result in results:
        for p in result.problems:
            chain = f" (included from {', from '.join(map(str, reversed(p.chain)))})" if p.chain else ""
            sys.stdout.write(
                f"::{p.severity} file={github_escape(escape_invisible(p.file), prop=True)},line={p.line},col={p.col},"
                f"title=cyclemap::{github_escape(escape_invisible(p.message + chain, keep=_LINE_BREAKS))}\n"
            )


REPORTERS: dict[str, Callable[[list[Checked]], None]] = {
    "text": report_text,
    "json": report_json,
    "github": report_github,
}
