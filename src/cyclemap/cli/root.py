"""The `cyclemap` application: its help, its global options and the list of its commands.

Commands load lazily: `cyclemap validate ...` imports and builds only the validate
command (its module and Typer's adapters for its options), not the seven others.
`cyclemap --help` loads them all to list each one with its one-line help.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from cyclemap import __version__
from cyclemap.cli.options import ARGUMENT_METAVARS, METAVARS

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter, Parameter  # the click that Typer carries

COMMANDS = {
    "validate": "validate",
    "gaps": "gaps",
    "render": "render",
    "report": "report",
    "diff": "diff",
    "workshop": "workshop",
    "site": "site",
    "serve": "serve",
    "survey": "survey",
    "fmt": "fmt",
    "export": "export",
    "import": "import_",
    "init": "init",
    "schema": "schema",
}
"""Each command's name and its module under `cyclemap.cli.commands`, in the order `--help` lists them.

The command's function in the module has the module's name (`import_` for `import`, a Python word)."""

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

CHOICES_WIDTH = 16
"""Longer lists of choices show as the option's name in `--help` (the help text names them)."""


class _HelpOption(TyperOption):
    """An option as `--help` shows it: a metavar such as N or FILE, nothing after a flag."""

    def display_type_rich(self, ctx: Context) -> str | None:
        if self.is_flag or self.count:
            return None
        if self.metavar is not None:
            return self.metavar
        label = _choices(self, ctx)
        return label if label and len(label) <= CHOICES_WIDTH else max(self.opts, key=len).lstrip("-").upper()

    def _get_number_range_help_str(self) -> str | None:
        """'0-20' or '>=1': short, so that long option names keep their room at 80 columns."""
        low, high = getattr(self, "min", None), getattr(self, "max", None)
        if low is None and high is None:
            return None
        if low is not None and high is not None:
            return f"{low:g}-{high:g}"
        return f">={low:g}" if low is not None else f"<={high:g}"


class _HelpArgument(TyperArgument):
    """An argument as `--help` shows it: its metavar names it (MAP, MAPS...), no Python type beside it."""

    def display_type_rich(self, ctx: Context) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        """`MAPS...` for a required argument and `[REV]` for an optional one, as click and most tools write them."""
        name = self.metavar or (self.name or "").upper()
        if not self.required:
            name = f"[{name}]"
        return f"{name}..." if self.nargs != 1 else name


def _choices(param: TyperOption, ctx: Context) -> str | None:
    """'a|b|c' for an option with choices, else None."""
    descriptor = getattr(param, "type_descriptor", None)  # Typer's own help types, which this tidies, have one
    if descriptor is None or not descriptor.is_choice:
        return None
    return param.display_type(ctx).strip("<>")


def tidy_help(params: list[Parameter], ctx: Context) -> None:
    """Show options and arguments without Python types (`<bool>`, `<list[str]>`) in `--help`.

    Options with too many choices to show beside them get the choices added to their help
    when it does not already name them all.
    """
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = _HelpOption
            label = _choices(param, ctx)
            if label and len(label) > CHOICES_WIDTH and not all(c in (param.help or "") for c in label.split("|")):
                param.help = f"{param.help or ''} One of: {label.replace('|', ', ')}.".strip()
        elif type(param) is TyperArgument:
            param.__class__ = _HelpArgument


class HelpCommand(TyperCommand):
    """A command whose `--help` shows metavars rather than Python types."""

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        tidy_help(self.get_params(ctx), ctx)
        super().format_help(ctx, formatter)


class HelpGroup(TyperGroup):
    """A group of commands whose `--help` shows metavars rather than Python types."""

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        tidy_help(self.get_params(ctx), ctx)
        super().format_help(ctx, formatter)


class LazyGroup(HelpGroup):
    """A command group that imports a command's module only when that command is asked for."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = command(cmd_name)
        return self.commands.get(cmd_name)


def command(name: str) -> Command:
    """The click command `name`, built from the function of that name in its module under `cyclemap.cli.commands`.

    `cyclemap NAME ...` runs it on its own: the group and its options are not built at all.
    """
    module = import_module(f"cyclemap.cli.commands.{COMMANDS[name]}")
    function = COMMANDS[name]  # `import` is a Python word: its module and function are `import_`
    subcommands: tuple[str, ...] = getattr(module, "SUBCOMMANDS", ())
    single = typer.Typer(add_completion=False, rich_markup_mode="rich", pretty_exceptions_enable=False)
    if not subcommands:
        single.command(name=name, cls=HelpCommand, context_settings=CONTEXT_SETTINGS)(getattr(module, function))
        built = typer.main.get_command(single)
        for param in built.params:
            _name_value(name, param)
        return built
    # A command with commands of its own (`cyclemap survey summary`): the module's function `name` is the
    # group's help, each name in SUBCOMMANDS a function of the module.
    single.callback(cls=HelpGroup, no_args_is_help=True, context_settings=CONTEXT_SETTINGS)(getattr(module, function))
    for sub in subcommands:
        single.command(name=sub, cls=HelpCommand, context_settings=CONTEXT_SETTINGS)(getattr(module, sub))
    group = typer.main.get_command(single)
    group.name = name
    for sub in subcommands:
        for param in group.commands[sub].params:  # type: ignore[attr-defined]
            _name_value(f"{name} {sub}", param)
    return group


def _name_value(command: str, param: Parameter) -> None:
    """Give an option's value or an argument the metavar `cyclemap.cli.options` lists for it.

    An argument also gets its `--help` name (MAP, not Typer's {MAP}) now, so that the usage line
    of an error (a missing argument, an unknown option) names it as `--help` does.
    """
    if type(param) is TyperArgument:
        param.__class__ = _HelpArgument
    if param.metavar is not None:
        return
    if isinstance(param, TyperArgument):
        param.metavar = ARGUMENT_METAVARS.get(param.name or "")
    elif isinstance(param, TyperOption):
        flag = max(param.opts, key=len)
        param.metavar = METAVARS.get(f"{command} {flag}", METAVARS.get(flag))


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
        "4 invalid map; 70 internal error (a bug in cyclemap: please report it)."
    ),
    cls=LazyGroup,
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings=CONTEXT_SETTINGS,
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

