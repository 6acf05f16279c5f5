"""The `cyclemap` application: its help, its global options and the list of its commands."""

from __future__ import annotations

from importlib import import_module
from typing import Annotated

import typer

from cyclemap import __version__

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


for _name, _module in COMMANDS.items():
    app.command(name=_name)(getattr(import_module(f"cyclemap.cli.commands.{_module}"), _name))
