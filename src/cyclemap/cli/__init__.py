"""The `cyclemap` command line: parse options, call the pipeline, pick a reporter.

Exit codes (`cyclemap.exit_codes`): 0 success, 1 the check found something (gaps
remain with --fail-on-gaps, maps differ with diff --exit-code), 2 usage error (bad
option, missing input file), 3 environment error (Graphviz missing, failed or too
slow; output not writable), 4 invalid map. Only this package turns exceptions into
exit codes.

The package is laid out for a fast start: this module imports nothing heavy, the
Typer application lives in `cyclemap.cli.root`, each command in its own module
under `cyclemap.cli.commands`, and the option types they share in
`cyclemap.cli.options`.
"""

from __future__ import annotations

import sys

from cyclemap.exit_codes import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE

TYPE_CHECKING = False  # not `from typing import ...`: `cyclemap --version` does without the typing module
if TYPE_CHECKING:
    from typing import Any, NoReturn

    import typer


_ROOT_FLAGS = frozenset({"--version", "-V", "--debug"})


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line and exit with a documented code, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    if _asks_version(args):
        sys.exit(_print_version())
    sys.exit(_run(args))


def _asks_version(args: list[str]) -> bool:
    """`cyclemap --version` (or -V, with --debug): answered without loading the command line at all.

    Only when every option before the command is one of the root flags; anything else
    (a typo, `--help`) goes to the full parser, which says what is wrong.
    """
    leading = []
    for arg in args:
        if not arg.startswith("-"):
            break
        leading.append(arg)
    return bool(leading) and set(leading) <= _ROOT_FLAGS and bool({"--version", "-V"} & set(leading))


def _print_version() -> int:
    from cyclemap import __version__

    try:
        print(f"cyclemap {__version__}")
        sys.stdout.flush()
    except BrokenPipeError:
        return _quiet_broken_pipe()
    return EXIT_OK


def _run(args: list[str]) -> int:
    import typer

    from cyclemap.cli.root import app
    from cyclemap.problems import CyclemapError, MapError

    try:
        result = app(args=args, prog_name="cyclemap", standalone_mode=False)
        return result if isinstance(result, int) else EXIT_OK
    except typer.Exit as done:
        return done.exit_code
    except (typer.Abort, KeyboardInterrupt):
        return 130
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except SystemExit as done:
        if isinstance(done.__context__, BrokenPipeError):  # click turns a closed pipe into sys.exit(1)
            return _quiet_broken_pipe()
        raise
    except MapError as err:
        from cyclemap.report.problems import Checked, report_text

        # Commands other than validate: standard output is for their result (gaps JSON, a diagram).
        report_text([Checked(err.problems[0].file if err.problems else "?", err.problems, err.sources)], to_stderr=True)
        return EXIT_INVALID
    except CyclemapError as err:
        from cyclemap.report.terminal import visible

        print(f"cyclemap: error: {visible(str(err))}", file=sys.stderr)
        return err.exit_code
    except Exception as err:
        if hasattr(err, "show") and hasattr(err, "exit_code"):  # a usage error from typer's parser
            _show_usage_error(err)
            return EXIT_USAGE
        if "--debug" in args:
            raise
        import traceback

        last = traceback.format_exc().strip().splitlines()[-1]
        print(
            f"cyclemap: internal error ({last}). This is a bug in cyclemap; "
            "please report it with the input that caused it (rerun with --debug for details).",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _show_usage_error(err: Exception) -> None:
    try:
        from typer import rich_utils

        rich_utils.rich_format_error(err)  # type: ignore[arg-type]
    except (ImportError, AttributeError):
        err.show()  # type: ignore[attr-defined]


def _quiet_broken_pipe() -> int:
    """`cyclemap ... | head` closed the pipe: leave quietly, like other tools."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    return EXIT_OK


def __getattr__(name: str) -> Any:
    """The Typer `app` and the choice enums (`GapFormat`, `Paper`...) load on first use."""
    if name == "app":
        from cyclemap.cli.root import app

        return app
    from importlib import import_module

    options = import_module("cyclemap.cli.options")  # not `from cyclemap.cli import`: that would come back here
    try:
        return getattr(options, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


__all__ = ["main"]

if TYPE_CHECKING:
    app: typer.Typer
