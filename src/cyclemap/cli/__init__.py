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

from cyclemap.exit_codes import EXIT_ENVIRONMENT, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE

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
    from cyclemap.cli.plugins import run_without_plugins

    run_without_plugins()
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
    except OSError as err:
        return _cannot_write(err)
    return EXIT_OK


def _run(args: list[str]) -> int:
    """Run one command and return its exit code; what it printed is flushed, so a full disk shows here.

    Standard output is guarded while the command runs: no command prints into a file it reads
    (`cyclemap gaps map.yaml >> map.yaml` is refused before anything is written).
    """
    from cyclemap.output import guarded_stdout

    with guarded_stdout():
        code = _dispatch(args)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
    except OSError as err:
        return _cannot_write(err)
    return code


def _dispatch(args: list[str]) -> int:
    from cyclemap.problems import CyclemapError, MapError

    try:
        result = _invoke(args)
        return result if isinstance(result, int) else EXIT_OK
    except KeyboardInterrupt:
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
    except OSError as err:  # a full disk, an I/O error: the machine's trouble, not a bug
        return _cannot_write(err)
    except Exception as err:
        typer = sys.modules.get("typer")  # imported by then, unless `cyclemap.cli.quick` ran the command
        if typer is not None and isinstance(err, typer.Exit):
            return int(err.exit_code)
        if typer is not None and isinstance(err, typer.Abort):
            return 130
        if hasattr(err, "show") and hasattr(err, "exit_code"):  # a usage error from typer's parser
            _show_usage_error(err)
            return EXIT_USAGE
        if "--debug" in args:
            raise
        import traceback

        from cyclemap.safe_text import visible

        last = visible(traceback.format_exc().strip().splitlines()[-1])
        print(
            f"cyclemap: internal error ({last}). This is a bug in cyclemap; "
            "please report it with the input that caused it (rerun with --debug for details).",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _invoke(args: list[str]) -> object:
    """Parse `args` and run the command; with no option before the command, it runs without the group (faster),
    and `validate` with plain arguments without the parser at all (`cyclemap.cli.quick`)."""
    from cyclemap.cli.quick import quick_validate

    code = quick_validate(args)
    if code is not None:
        return code
    from cyclemap.cli.root import COMMANDS, app, command

    if args and args[0] in COMMANDS:
        return command(args[0]).main(args=args[1:], prog_name=f"cyclemap {args[0]}", standalone_mode=False)
    return app(args=args, prog_name="cyclemap", standalone_mode=False)


def _show_usage_error(err: Exception) -> None:
    """The usage error with its usage line; values it echoes (an option, a section name) show control characters
    as visible escapes, so a crafted argument cannot drive the terminal or print a CI workflow command."""
    from cyclemap.report.terminal import visible

    message = visible(err.format_message())  # type: ignore[attr-defined]
    setattr(err, "format_message", lambda: message)  # noqa: B010 - replaces the method on this one instance
    try:
        from typer import rich_utils

        rich_utils.rich_format_error(err)  # type: ignore[arg-type]
    except (ImportError, AttributeError):
        err.show()  # type: ignore[attr-defined]


def _quiet_broken_pipe() -> int:
    """`cyclemap ... | head` closed the pipe: leave quietly, like other tools."""
    _discard_stdout()
    return EXIT_OK


def _cannot_write(err: OSError) -> int:
    """An OSError outside the commands' own handling (`> /dev/full`): a clear message and EXIT_ENVIRONMENT."""
    import errno

    from cyclemap.report.terminal import visible

    reason = err.strerror or str(err)
    if err.errno == errno.ENOSPC:
        reason += "; free some space or write elsewhere"
    if err.filename:
        message = f"{err.filename}: {reason}"
    else:  # writes to standard output carry no file name
        _discard_stdout()
        message = f"cannot write to standard output: {reason}"
    print(f"cyclemap: error: {visible(message)}", file=sys.stderr)
    return EXIT_ENVIRONMENT


def _discard_stdout() -> None:
    """Point standard output at the null device, so what is still buffered cannot fail again at exit."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # ValueError: a stream with no file descriptor (tests capture it)
        pass


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
