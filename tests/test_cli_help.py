"""Help, completion and the messages after a write: what a user reads around the commands."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer

from cyclemap.cli.root import COMMANDS, app
from cyclemap.gaps import KINDS
from cyclemap.workshop import SECTIONS

REPO = Path(__file__).parent.parent


def option_names(command: str) -> list[str]:
    """Every option name (long and short) of `command`, as the parser knows them."""
    group = typer.main.get_command(app)
    ctx = group.make_context("cyclemap", [command, "--help"], resilient_parsing=True)
    click_command = group.get_command(ctx, command)  # type: ignore[attr-defined]
    return [name for param in click_command.params for name in (*param.opts, *param.secondary_opts)
            if name.startswith("-")]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_no_python_types_and_whole_option_names_at_80_columns(
    command: str | None, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--help` at 80 columns: no `<bool>`, `<str>` or `list[...]`, no option name cut short."""
    monkeypatch.setenv("COLUMNS", "80")
    result = cli(*([command] if command else []), "--help")
    assert result.code == 0
    assert max(len(line) for line in result.out.splitlines()) <= 80
    for python_type in ("<bool>", "<str>", "<int", "<float", "list[", "<Path>"):
        assert python_type not in result.out
    assert "…" not in result.out
    names = set(result.out.replace(",", " ").split())
    for name in option_names(command) if command else ["--version", "--debug", "--help"]:
        assert name in names, name


def test_help_names_values_with_metavars(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Options that take a value say what kind of value: N, SCORE, KIND, the choices when short."""
    monkeypatch.setenv("COLUMNS", "100")
    out = " ".join(cli("gaps", "--help").out.split())
    assert "--top N" in out
    assert "--threshold SCORE [0-20]" in out
    assert "--kind KIND" in out
    assert "Usage: cyclemap gaps [OPTIONS] MAPS... " in out
    render_help = " ".join(cli("render", "--help").out.split())
    assert "Usage: cyclemap render [OPTIONS] MAPS... " in render_help
    assert "Usage: cyclemap diff [OPTIONS] OLD [NEW] " in " ".join(cli("diff", "--help").out.split())
    assert "--layout -l LAYOUT" in render_help  # three choices: listed in the help text instead


def complete(words: str, shell: str = "bash") -> list[str]:
    """What the shell would offer after `words` (the cursor after the last word)."""
    env = {**os.environ, "_CYCLEMAP_COMPLETE": f"complete_{shell}", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - 1), "_TYPER_COMPLETE_ARGS": words}
    done = subprocess.run([sys.executable, "-m", "cyclemap"], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_completion_offers_gap_kinds() -> None:
    """`cyclemap gaps map.yaml --kind un<TAB>` offers the gap kinds starting with 'un'."""
    assert complete("cyclemap gaps map.yaml --kind un") == [k for k in KINDS if k.startswith("un")]
    assert complete("cyclemap gaps map.yaml --kind over") == ["overserved"]


def test_completion_offers_the_next_workshop_section() -> None:
    """`--sections cover,p<TAB>` offers the sections starting with 'p' after the ones typed."""
    offered = complete("cyclemap workshop map.yaml --sections cover,p")
    assert offered == [f"cover,{s}" for s in SECTIONS if s.startswith("p")]
    assert "cover,cover" not in complete("cyclemap workshop map.yaml --sections cover,")


def test_schema_to_a_file_says_what_it_wrote(cli, tmp_path: Path) -> None:
    """`schema -o FILE` tells on stderr which file it wrote, like the other commands; stdout stays empty."""
    target = tmp_path / "map.schema.json"
    result = cli("schema", "-o", str(target))
    assert result.code == 0
    assert result.err == f"Wrote {target}\n"
    assert result.out == ""
    assert target.read_text(encoding="utf-8").startswith("{")


@pytest.mark.parametrize("layout", ["cycle", "flow"])
def test_mermaid_message_names_no_layout(layout: str, cli, write_map: Callable[..., Path], small_map: str) -> None:
    """Mermaid is the same for both layouts, so the message does not claim one."""
    path = write_map(small_map)
    result = cli("render", str(path), "-f", "mermaid", "-l", layout)
    assert result.code == 0, result.err
    assert result.err == f"Wrote {path.with_suffix('.mmd')} (mermaid)\n"


def test_graphviz_formats_still_name_their_layout(cli, write_map: Callable[..., Path], small_map: str) -> None:
    """DOT output depends on the layout, and its message says which."""
    path = write_map(small_map)
    result = cli("render", str(path), "-f", "dot", "-l", "flow")
    assert result.err == f"Wrote {path.with_suffix('.dot')} (flow layout, dot)\n"


def _words(text: str) -> str:
    """Help text without rich's frame and line breaks, each run of spaces made one."""
    return " ".join(text.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())


@pytest.mark.parametrize("command", ["validate", "gaps", "render", "report", "workshop"])
def test_help_says_a_dash_reads_standard_input(command: str, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert "('-' reads standard input" in _words(cli(command, "--help").out)


def test_render_help_says_mermaid_has_no_layout(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """`render -f mermaid --layout flow` draws Mermaid's own flowchart: --help says so beside both options."""
    monkeypatch.setenv("COLUMNS", "200")
    shown = _words(cli("render", "--help").out)
    assert "-f mermaid draws Mermaid's own flowchart either way" in shown
    assert "mermaid (a flowchart of the phases, for cycle and flow alike)" in shown
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "`-f mermaid` always writes Mermaid's own flowchart" in readme


@pytest.mark.parametrize("args", [("validate", "-", "-"), ("render", "-", "-", "-f", "dot"), ("diff", "-", "-"),
                                  ("validate", "-", "map.yaml", "-")])
def test_standard_input_given_twice_is_a_usage_error(args: tuple[str, ...], cli,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """`validate - -` said '-:1:1: the file is empty' for the second read: say what is wrong instead."""
    monkeypatch.setenv("COLUMNS", "200")
    result = cli(*args, stdin=b"cyclemap: 1\n")
    assert result.code == 2, result.err
    assert "standard input ('-') is given twice, but it can be read only once" in _words(result.err)


COMMAND_LINES = [*(name for name in COMMANDS if name != "survey"), "survey", "survey questionnaire",
                 "survey summary"]


@pytest.mark.parametrize("command", COMMAND_LINES)
def test_help_text_lines_are_not_broken_mid_sentence_at_80_columns(
    command: str, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each line of a command's description shows whole at 80 columns: a line too long for the
    terminal wraps, then breaks where the docstring does ("how important / it is...")."""
    monkeypatch.setenv("COLUMNS", "80")
    shown = [" ".join(line.split()) for line in cli(*command.split(), "--help").out.splitlines()]
    group = typer.main.get_command(app)
    ctx = group.make_context("cyclemap", [*command.split(), "--help"], resilient_parsing=True)
    click_command = group.get_command(ctx, command.split(maxsplit=1)[0])  # type: ignore[attr-defined]
    for sub in command.split()[1:]:
        click_command = click_command.commands[sub]
    _first, *rest = inspect.cleandoc(click_command.help or "").split("\n\n")
    for line in "\n".join(rest).splitlines():
        text = " ".join(re.sub(r"\[/?(bold|dim)\]", "", line).split())
        if text:
            assert text in shown, f"{command}: {text!r} is wrapped in --help at 80 columns"


@pytest.mark.parametrize(("args", "usage"), [
    (("gaps",), "Usage: cyclemap gaps [OPTIONS] MAPS..."),
    (("render",), "Usage: cyclemap render [OPTIONS] MAPS..."),
    (("diff",), "Usage: cyclemap diff [OPTIONS] OLD [NEW]"),
    (("gaps", "map.yaml", "--no-such-option"), "Usage: cyclemap gaps [OPTIONS] MAPS..."),
    (("survey", "summary"), "Usage: cyclemap survey summary [OPTIONS] MAP"),
])
def test_usage_errors_name_arguments_as_help_does(args: tuple[str, ...], usage: str, cli,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The usage line of an error said `{MAP}` (Typer's own) where `-h` says `MAP`."""
    monkeypatch.setenv("COLUMNS", "200")
    result = cli(*args)
    assert result.code == 2
    assert result.err.splitlines()[0] == usage
    assert "{" not in result.err.splitlines()[0]
    name = args[0] if args[0] != "survey" else "survey summary"
    assert usage in _words(cli(*name.split(), "-h").out)
