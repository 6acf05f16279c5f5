"""A fast start: each command loads only what it needs (checked by module; bench/bench_startup.py times it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from cyclemap import __version__
from cyclemap.cli.root import COMMANDS

HEAVY = ("typer", "rich", "graphviz", "pydantic", "yaml")


RUN_AND_LIST_MODULES = """
import atexit, json, os, sys
atexit.register(lambda: Path(os.environ["MODULES_OUT"]).write_text(json.dumps(sorted(sys.modules))))
from pathlib import Path
from cyclemap.cli import main
main(sys.argv[1:])
"""


def imported(*args: str, stdin: bytes = b"") -> tuple[set[str], subprocess.CompletedProcess[bytes]]:
    """The modules in `sys.modules` when `cyclemap ARGS` exits, run in a fresh process as the entry point runs it."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "modules.json"
        done = subprocess.run(
            [sys.executable, "-c", RUN_AND_LIST_MODULES, *args],
            input=stdin,
            capture_output=True,
            timeout=60,
            check=False,
            env={**os.environ, "COLUMNS": "80", "MODULES_OUT": str(out)},
        )
        return set(json.loads(out.read_text())), done


def packages(modules: set[str]) -> set[str]:
    """The top-level packages among `modules`, e.g. {'rich', 'typer'}."""
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_loads_no_command_line_stack(flag: str) -> None:
    """`cyclemap --version` answers without importing typer, rich, graphviz, pydantic or yaml."""
    modules, done = imported(flag)
    assert done.returncode == 0
    assert done.stdout.decode() == f"cyclemap {__version__}\n"
    assert not packages(modules) & set(HEAVY)


def test_validate_loads_neither_rich_nor_graphviz_nor_other_commands(write_map: Callable[..., Path],
                                                                     small_map: str) -> None:
    """`validate` on a valid map (output to a pipe, as in pre-commit) needs no rich, no graphviz, no other command."""
    modules, done = imported("validate", str(write_map(small_map)))
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert b"ok " in done.stdout
    assert not packages(modules) & {"rich", "graphviz"}
    loaded = {m.rsplit(".", 1)[1] for m in modules if m.startswith("cyclemap.cli.commands.")}
    assert loaded <= {"validate"}


@pytest.mark.parametrize("args", [["validate", "{map}"], ["validate", "-f", "json", "{map}", "{map}"],
                                  ["validate", "{map}", "--format=github"], ["validate", "-", "--format", "text"]])
def test_plain_validate_runs_without_typer(args: list[str], write_map: Callable[..., Path], small_map: str) -> None:
    """`validate` with file names and at most one --format (pre-commit's call) does without typer and its click."""
    path = write_map(small_map)
    modules, done = imported(*(a.format(map=path) for a in args), stdin=small_map.encode())
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert not packages(modules) & {"typer", "rich", "graphviz"}
    assert "cyclemap.output" in modules  # still guarded: no printing into a map it reads


@pytest.mark.parametrize("args", [["{map}"], ["{bad}", "-f", "json"], ["{map}", "{bad}", "--format=github"],
                                  ["{map}", "missing.yaml"], ["-f", "json", "missing.yaml", "{bad}"], ["-"],
                                  ["{map}", "-f", "yaml"], ["-f"], ["{map}", "-f", "json", "-f", "text"],
                                  ["-fjson", "{map}"], ["--", "{map}"], ["{map}", "--bogus"], []])
def test_validate_without_typer_agrees_with_the_parser(args: list[str], cli, write_map: Callable[..., Path],
                                                       small_map: str) -> None:
    """Plain `validate ARGS` (run by `cyclemap.cli.quick`) prints and exits as the full parser (via --debug) does."""
    good, bad = write_map(small_map), write_map("cyclemap: 1\ntitle: [\n", "bad.yaml")
    words = [a.format(map=good, bad=bad) for a in args]
    quick = cli("validate", *words, stdin=b"cyclemap: 2\n")
    parsed = cli("--debug", "validate", *words, stdin=b"cyclemap: 2\n")
    assert (quick.code, quick.out, quick.err) == (parsed.code, parsed.out, parsed.err)


def test_validate_json_of_an_invalid_map_loads_no_rich(write_map: Callable[..., Path]) -> None:
    """Problems as JSON are written without loading rich."""
    modules, done = imported("validate", "-f", "json", str(write_map("cyclemap: 1\n")))
    assert b'"error"' in done.stdout
    assert "rich" not in packages(modules)


def test_gaps_json_loads_neither_rich_nor_graphviz(write_map: Callable[..., Path], small_map: str) -> None:
    """`gaps -f json` needs no table library and no Graphviz package."""
    modules, done = imported("gaps", str(write_map(small_map)), "-f", "json")
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert not packages(modules) & {"rich", "graphviz"}


def test_render_dot_loads_no_rich_and_mermaid_no_graphviz(write_map: Callable[..., Path], small_map: str) -> None:
    """`render -f dot` needs no rich; `render -f mermaid` not even the graphviz package."""
    path = write_map(small_map)
    modules, done = imported("render", str(path), "-f", "dot", "-o", str(path.with_suffix(".dot")))
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "rich" not in packages(modules)
    assert not {m for m in modules if m.startswith(("cyclemap.gitrev", "cyclemap.diff"))}
    modules, done = imported("render", str(path), "-f", "mermaid", "-o", "-")
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert not packages(modules) & {"rich", "graphviz"}


def test_help_lists_every_command_with_its_one_line_help() -> None:
    """`cyclemap --help` still names each command with the first line of its help."""
    _, done = imported("--help")
    out = " ".join(done.stdout.decode().split())
    assert done.returncode == 0
    for name in COMMANDS:
        module = __import__(f"cyclemap.cli.commands.{COMMANDS[name]}", fromlist=[name])
        function = getattr(module, COMMANDS[name])  # the module's name: `import_` for `import`, a Python word
        first_line = (function.__doc__ or "").strip().splitlines()[0]
        assert f"{name} {' '.join(first_line.split()[:4])}" in out, name


@pytest.mark.parametrize("command", list(COMMANDS))
def test_each_command_help_works(command: str, cli) -> None:
    """`cyclemap CMD --help` shows that command's usage and exits 0."""
    result = cli(command, "--help")
    assert result.code == 0
    assert f"Usage: cyclemap {command}" in " ".join(result.out.split())


def test_a_command_runs_the_same_with_or_without_a_root_option(cli, write_map: Callable[..., Path]) -> None:
    """`cyclemap validate` (run without the group) and `cyclemap --debug validate` (through it) agree."""
    path = write_map("cyclemap: 1\n")
    direct, grouped = cli("validate", str(path)), cli("--debug", "validate", str(path))
    assert (direct.code, direct.out, direct.err) == (grouped.code, grouped.out, grouped.err)
    assert cli("validate", "--bogus").err == cli("--debug", "validate", "--bogus").err


@pytest.mark.parametrize(("args", "code", "shown"), [
    (("--debug", "--version"), 0, f"cyclemap {__version__}"),
    (("--versio",), 2, "No such option: --versio"),
    (("--version", "validate", "x.yaml"), 0, f"cyclemap {__version__}"),
])
def test_version_fast_path_agrees_with_the_parser(args: tuple[str, ...], code: int, shown: str) -> None:
    """Only a real request for the version is answered early; anything else reaches the parser."""
    _, done = imported(*args)
    assert done.returncode == code
    assert shown in done.stdout.decode() + done.stderr.decode()
