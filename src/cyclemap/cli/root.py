"""The `cyclemap` application: its help, its global options and the list of its commands.

Commands load lazily: `cyclemap validate ...` imports and builds only the validate
command (its module and Typer's adapters for its options), not the seven others.
`cyclemap --help` loads them all to list each one with its one-line help.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from cyclemap import __version__

if TYPE_CHECKING:
    from typer._click import Command, Context  # the click that Typer carries

COMMANDS = {
    "validate": "validate",
    "gaps": "gaps",
    "render": "render",
    "report": "report",
    "diff": "diff",
    "workshop": "workshop",
    "init": "init",
    "schema": "schema",
}
"""Each command's name and its module under `cyclemap.cli.commands`, in the order `--help` lists them."""

class LazyGroup(TyperGroup):
    """A command group that imports a command's module only when that command is asked for."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = _build(cmd_name)
        return self.commands.get(cmd_name)


def _build(name: str) -> Command:
    """The click command for `name`, built from the function of the same name in its module."""
    module = import_module(f"cyclemap.cli.commands.{COMMANDS[name]}")
    single = typer.Typer(add_completion=False, rich_markup_mode="rich", pretty_exceptions_enable=False)
    single.command(name=name)(getattr(module, name))
    return typer.main.get_command(single)


app = typer.Typer(
    name="cyclemap",
    help=(
        "Customer activity cycles as code: validate, render and analyse maps written in YAML.\n\n"
        "[bold]Examples[/bold]\n\n"
        "  cyclemap init my-map.yaml          [dim]# start a new map[/dim]\n\n"
        "  cyclemap validate maps/*.yaml      [dim]# check maps, with file:line:col errors[/dim]\n\n"
        "  cyclemap schema -o map.schema.json [dim]# JSON Schema for editors[/dim]"
    ),
    epilog=(
        "Exit codes: 0 ok; 1 found something (gaps remain with --fail-on-gaps, maps differ with diff --exit-code); "
        "2 usage error; 3 environment error (Graphviz missing, failed or too slow; output not writable); "
        "4 invalid map."
    ),
    cls=LazyGroup,
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"cyclemap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback for unexpected errors.")] = False,
) -> None:
    """Customer activity cycles as code."""

