"""Output for people never acts on what a map says: no workflow command, terminal escape or reversed text.

A CI runner reads every line a step prints: a line starting with ``::`` (after
spaces) or holding ``##[`` anywhere is a workflow command (``::error``,
``::add-mask::``, ``##[stop-commands]``). Names, titles and file names can hold
line breaks, so every command's output for people shows them as escapes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cyclemap.exit_codes import EXIT_FOUND, EXIT_INVALID, EXIT_OK
from cyclemap.safe_text import _INVISIBLE, escape_invisible, unlinked, visible

Cli = Callable[..., Any]

def injected(where: str) -> str:
    """A line break, a workflow command, an old-style command and a bidi override, naming `where`."""
    return f"\n::error file=x.yaml,line=1::{where} ##[add-mask]{where} \u202edesrever\u202c"


def quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar (Python's escapes are YAML escapes)."""
    return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


HOSTILE_MAP = f"""\
cyclemap: 1
title: {quoted("Title" + injected("title"))}
customer: {quoted("Customer" + injected("customer"))}
outcome: {quoted("Outcome" + injected("outcome"))}
phases:
  pre:
    label: {quoted("Phase" + injected("phase"))}
    activities:
      - id: pay
        name: {quoted("Pay" + injected("name"))}
        importance: 9
        satisfaction: 2
        pains: [{quoted("Slow" + injected("pain"))}]
        description: {quoted("About" + injected("description"))}
        competitors: [{quoted("Rival" + injected("competitor"))}]
  during:
    activities:
      - id: mask
        name: "::add-mask::secret"
        importance: 8
        satisfaction: 3
  post:
    activities: []
"""
"""Every text field holds a line break, then workflow commands and a bidi override."""
FILE_NAME = "map\n::error file=y.yaml::file ##[add-mask]file.yaml"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """The hostile map, saved under a file name that is itself hostile."""
    path = tmp_path / FILE_NAME
    path.write_text(HOSTILE_MAP, encoding="utf-8")
    return path


def assert_inert(output: str, command: str) -> None:
    """No line of `output` is a workflow command, and no control or bidi character is left raw."""
    for line in re.split(r"\r\n|\r|\n", output):
        assert not line.lstrip().startswith("::"), (command, line)
    assert "##[" not in output, command
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", output), command


def test_hostile_map_is_valid(cli: Cli, hostile: Path) -> None:
    """The map of these tests loads: its texts really hold line breaks and commands."""
    result = cli("validate", "--format", "json", str(hostile))
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "{map}"),
        ("gaps", "{map}"),
        ("gaps", "{map}", "-f", "markdown"),
        ("gaps", "{map}", "-f", "csv"),
        ("gaps", "{map}", "--min-score", "20"),
        ("render", "{map}", "-f", "mermaid", "-o", "-"),
        ("render", "{map}", "-f", "dot", "-o", "{dir}/out.dot"),
        ("render", "{map}", "-f", "mermaid", "-o", "{dir}/out\n::error::out.mmd"),
        ("report", "{map}"),
        ("report", "{map}", "-o", "{dir}/page\n::error::page.md"),
        ("diff", "{map}", "{other}"),
        ("diff", "{map}", "{other}", "-f", "markdown"),
        ("init", "{dir}/new\n::error::new.yaml"),
    ],
    ids=lambda args: " ".join(a for a in args if "{" not in a),
)
def test_no_output_line_is_a_workflow_command(cli: Cli, hostile: Path, args: tuple[str, ...]) -> None:
    """File names, titles, names and every other text with '\\n::error ...' print no command line, on either stream."""
    other = hostile.parent / "other.yaml"
    text = hostile.read_text(encoding="utf-8")
    other.write_text(text.replace("id: pay", "id: paid").replace("satisfaction: 3", "satisfaction: 9"), "utf-8")
    values = {"map": str(hostile), "other": str(other), "dir": str(hostile.parent)}
    result = cli(*(arg.format(**values) for arg in args))
    assert result.code in (EXIT_OK, EXIT_FOUND), result.err
    assert_inert(result.out, " ".join(args))
    assert_inert(result.err, " ".join(args))
    assert result.out or result.err


@pytest.mark.parametrize("command", ["validate", "gaps", "render", "report", "diff"])
def test_problems_with_a_hostile_file_name_print_no_workflow_command(
    cli: Cli, hostile: Path, command: str
) -> None:
    """Problems in an invalid map are printed file:line:col with the file name escaped, for every command."""
    hostile.write_text(hostile.read_text(encoding="utf-8").replace("importance: 9", "importance: 11"), "utf-8")
    args = [command, str(hostile)] + ([str(hostile)] if command == "diff" else [])
    if command == "render":
        args += ["-f", "dot", "-o", "-"]
    result = cli(*args)
    assert result.code not in (0, 2), result.err
    assert "is outside the map's scale" in result.out + result.err
    assert_inert(result.out, command)
    assert_inert(result.err, command)


def test_missing_file_with_a_hostile_name_is_reported_inertly(cli: Cli, tmp_path: Path) -> None:
    """A file that does not exist is named in the error with its line break and command escaped."""
    result = cli("validate", str(tmp_path / FILE_NAME))
    assert result.code != 0
    assert "\\x0a:\\x3aerror" in result.err
    assert_inert(result.err, "validate")


# -- visible() itself ------------------------------------------------------------------


def test_visible_escapes_every_control_and_format_character() -> None:
    """Every Cc, Cf, Zl, Zp and Cs character of this Python's Unicode shows as an escape (but ZWNJ and ZWJ).

    The list may run ahead of an older Python's Unicode: characters it has not assigned yet (Cn) may be listed.
    """
    acting = {"Cc", "Cf", "Zl", "Zp", "Cs"}
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        listed = bool(_INVISIBLE.fullmatch(char))
        if category in acting and char not in "\u200c\u200d":
            assert listed, f"U+{code:04X} ({category}) is not escaped"
        else:
            assert not listed or category == "Cn", f"U+{code:04X} ({category}) is escaped"


PLAIN = "Café 見積もり 👨\u200d👩\u200d👧 \u0646\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
"""Accents, CJK, an emoji family and Persian: ZWJ and ZWNJ join them and stay."""


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\nb\rc\td", "a\\x0ab\\x0dc\\x09d"),
        ("red \x1b[31m", "red \\x1b[31m"),
        ("\u202eevil\u202c", "\\u202eevil\\u202c"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("::error::x", ":\\x3aerror:\\x3ax"),
        ("  ::add-mask::s", "  :\\x3aadd-mask:\\x3as"),
        ("a ##[error]b", "a #\\x23[error]b"),
        (PLAIN, PLAIN),
    ],
)
def test_visible_shows_what_would_act(text: str, shown: str) -> None:
    """Line breaks, escapes, bidi overrides, zero widths and workflow commands show; plain text is untouched."""
    assert visible(text) == shown


def test_visible_never_leaves_a_command_however_the_text_is_wrapped() -> None:
    """No '::' and no '##[' survive anywhere, so a wrapped table title or panel cannot start a line with one."""
    for text in ("::::x", "a:::b", "####[x", "#\n#[", ":\n:"):
        out = visible(text)
        assert "::" not in out and "##[" not in out, text


def test_escape_invisible_keeps_only_what_is_asked() -> None:
    """`keep` lets a Markdown cell keep its line breaks (they become <br>) and nothing else."""
    assert escape_invisible("a\nb\tc\x1b", keep="\n") == "a\nb\\x09c\\x1b"


# -- Markdown: no autolink, no ping --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "linked"),
    [
        ("@octocat", "@"),
        ("ping @org/team", "@"),
        ("mail ops@evil.example", "@"),
        ("see #123", "#"),
        ("GH-12", "GH"),
        ("https://evil.example/x", "https:"),
        ("HTTP://EVIL.EXAMPLE", "HTTP:"),
        ("ftp://x.example", "ftp:"),
        ("www.evil.example", "www"),
        ("mailto:a", "mailto:"),
    ],
)
def test_unlinked_breaks_what_github_would_link(text: str, linked: str) -> None:
    """A zero-width space goes right after the part GitHub recognises, so the page shows it as plain text."""
    assert f"{linked}&#8203;" in unlinked(text)


@pytest.mark.parametrize("text", ["a # b", "C#", "email me", "1@", "wwwx", "http:no-slashes", "50% @ 3"])
def test_unlinked_leaves_ordinary_text_alone(text: str) -> None:
    """Text with nothing GitHub would link is unchanged."""
    assert unlinked(text) == text


@pytest.mark.parametrize(("command", "fmt"), [("report", None), ("gaps", "markdown"), ("diff", "markdown")])
def test_markdown_outputs_link_and_ping_nothing(cli: Cli, tmp_path: Path, command: str, fmt: str | None) -> None:
    """URLs, addresses, @mentions and #123 in names and titles reach Markdown with a zero-width break."""
    text = (Path(__file__).parent / "cases" / "valid" / "hostile-labels" / "map.yaml").read_text(encoding="utf-8")
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(text, encoding="utf-8")
    new.write_text(text.replace("id: mentions", "id: mentioned"), encoding="utf-8")
    args = [command, str(old)] + ([str(new)] if command == "diff" else [])
    result = cli(*args, *(["-f", fmt] if fmt else []))
    assert result.code == 0, result.err
    outside_diagram = re.sub(r"```mermaid.*?```", "", result.out, flags=re.DOTALL)
    assert "@octocat" not in outside_diagram and "@&#8203;octocat" in outside_diagram
    assert not re.search(r"(?<!&)#\d", outside_diagram)
    assert not re.search(r"https?://|www\.", outside_diagram)


# -- JSON printed in a CI log ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("validate", "-f", "json", "{bad}"), ("gaps", "-f", "json", "{map}"), ("diff", "-f", "json", "{map}", "{other}")],
    ids=lambda args: " ".join(a for a in args if "{" not in a),
)
def test_json_holds_no_old_style_command_and_loads_back_exactly(cli: Cli, hostile: Path, args: tuple[str, ...]) -> None:
    """'##[' inside a JSON string is written '##\\u005b': the runner ignores it, json.loads gives the text back."""
    other = hostile.parent / "other.yaml"
    other.write_text(HOSTILE_MAP.replace("id: pay", "id: paid"), encoding="utf-8")
    bad = hostile.parent / "bad.yaml"
    bad.write_text(HOSTILE_MAP.replace("importance: 9", '"##[add-mask]key": 1\n        importance: 9'), "utf-8")
    values = {"map": str(hostile), "other": str(other), "bad": str(bad)}
    result = cli(*(arg.format(**values) for arg in args))
    assert result.code in (EXIT_OK, EXIT_FOUND, EXIT_INVALID), result.err
    assert "##[" not in result.out
    assert "##[add-mask]" in json.dumps(json.loads(result.out), ensure_ascii=False)


def test_caret_stays_under_the_error_when_the_line_shows_escapes(cli: Cli, tmp_path: Path) -> None:
    """In the quoted line, escapes before the column ('::' shows as ':\\x3a') do not push the caret off."""
    path = tmp_path / "map.yaml"
    path.write_text(
        'cyclemap: 1\ntitle: T\ncustomer: C\noutcome: O\nphases:\n  pre:\n    activities:\n'
        '      - {name: "::a::\\t", importance: 11}\n'
        "  during: {activities: []}\n  post: {activities: []}\n",
        encoding="utf-8",
    )
    result = cli("validate", str(path))
    lines = result.out.splitlines()
    quoted = next(n for n, line in enumerate(lines) if line.lstrip().startswith("8 |"))
    assert lines[quoted + 1].index("^") == lines[quoted].index("11")


def test_markdown_cell_escapes_dollars_so_github_draws_no_math() -> None:
    """'$5 to 10$' would be typeset as math on GitHub; escaped, it shows as written."""
    from cyclemap.report.gaps import markdown_cell  # noqa: PLC0415 - the cell rule itself

    assert markdown_cell("$5 to 10$ and $$x$$") == r"\$5 to 10\$ and \$\$x\$\$"
