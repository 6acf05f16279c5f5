"""Writing results: atomically, never over an input, stdout-aware."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TextIO, cast

from cyclemap.problems import EnvironmentProblem, InputError
from cyclemap.safe_text import subject
from cyclemap.sources import input_at, input_of, inputs_read

STDOUT = "-"


def write_output(target: str, data: bytes, inputs: Iterable[str] = (), *, binary: bool = False) -> None:
    """Write `data` to `target` ("-" for stdout) without ever leaving half a file.

    Refuses to overwrite any of `inputs`, and refuses binary data to a terminal.
    """
    if target == STDOUT:
        _write_stdout(data, binary)
        return
    refuse_inputs(target, inputs)
    write_atomic(Path(target), data)


def write_atomic(path: Path, data: bytes, *, before_replace: Callable[[], None] | None = None) -> None:
    """Replace `path` with `data` via a temporary file and a rename.

    A symlink at `path` is replaced, not written through; the file gets the
    usual permissions (umask), not the 0600 of a temporary file. A device or
    pipe (``/dev/null``, ``/dev/stdout``) is written into: renaming over it
    would replace the device node itself. `before_replace` is called just
    before the rename (the new text is written by then): what it raises
    leaves `path` as it was.
    """
    if _is_device_or_pipe(path):
        _write_into(path, data)
        return
    import tempfile  # noqa: PLC0415 - here: shutil and random, which it loads, are no part of `validate`

    folder = path.parent
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except FileNotFoundError:
        raise EnvironmentProblem(f"{subject(path)}: the folder {folder} does not exist") from None
    except OSError as err:
        raise EnvironmentProblem(f"{subject(path)}: cannot write: {err.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        if before_replace is not None:
            before_replace()
        os.replace(temp, path)
    except OSError as err:
        Path(temp).unlink(missing_ok=True)
        raise EnvironmentProblem(f"{subject(path)}: cannot write: {err.strerror}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_through(path: Path, data: bytes) -> None:
    """Replace the existing file `path` leads to, atomically, keeping its permissions.

    Unlike `write_atomic`, a symbolic link is followed: the file it points to gets the new
    text and the link stays (`cyclemap fmt` and `import --into` rewrite a map in place).
    """
    real = Path(os.path.realpath(path))
    mode = real.stat().st_mode & 0o7777
    write_atomic(real, data)
    os.chmod(real, mode)


def _is_device_or_pipe(path: Path) -> bool:
    """Whether `path` leads (through any links) to something other than a file or folder."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_into(path: Path, data: bytes) -> None:
    try:
        with path.open("wb") as handle:
            handle.write(data)
    except OSError as err:
        raise EnvironmentProblem(f"{subject(path)}: cannot write: {err.strerror}") from None


def refuse_inputs(target: str, inputs: Iterable[str]) -> None:
    """Refuse a target that is an input: one of `inputs`, or any file read so far (a map, an included file)."""
    out = Path(target)
    for name in inputs:
        try:
            same = out.exists() and Path(name).exists() and out.samefile(name)
        except OSError:
            same = False
        if same or os.path.abspath(target) == os.path.abspath(name):
            raise InputError(f"{subject(target)}: refusing to overwrite an input map; choose another output with -o")
    read = input_at(target)
    if read is not None:
        raise _refusal(target, read)


def _refusal(target: str, read: str) -> InputError:
    if os.path.normpath(target) == os.path.normpath(read):
        what = "the map reads this file"
    else:
        what = f"this is {read} under another name or through a link, and the map reads it"
    return InputError(f"{subject(target)}: {what}; refusing to write over it (nothing was written); "
                      "choose another output with -o")


def refuse_stdout_input(stream: IO[Any] | None = None) -> None:
    """Refuse, before anything is written, standard output that leads to an input (`gaps map.yaml >> map.yaml`).

    Raises InputError (a usage error) when `stream` (standard output by default)
    is a regular file that the map or one of its includes was read from.
    """
    read = _stdout_input(sys.stdout if stream is None else stream)
    if read is not None:
        raise InputError(f"standard output leads to {read}, which the map reads; refusing to write over it "
                         "(nothing was written); redirect the output to another file")


def _stdout_input(stream: IO[Any]) -> str | None:
    """The input `stream` leads to (`>> map.yaml`), if it is one."""
    try:
        info = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    return input_of(info) if stat.S_ISREG(info.st_mode) else None


class _GuardedStdout:
    """Standard output that checks `refuse_stdout_input` before its first character reaches the stream.

    It checks again whenever more inputs have been read since the last check, so
    every command that prints (validate, gaps, diff, report...) is covered without
    a check of its own. Everything else is the stream's own.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._checked = -1
        """How many inputs had been read at the last check that passed."""

    def _check(self) -> bool:
        """Whether the stream may be written to; raises InputError when it leads to an input."""
        read = inputs_read()
        if read != self._checked:
            refuse_stdout_input(self.stream)
            self._checked = read
        return True

    def write(self, text: str) -> int:
        return self.stream.write(text) if self._check() else len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        if self._check():
            self.stream.writelines(lines)

    @property
    def buffer(self) -> IO[bytes]:
        return self.stream.buffer if self._check() else io.BytesIO()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class _GuardedStderr(_GuardedStdout):
    """Standard error that writes nothing once it is found to lead to an input (`validate map.yaml 2>> map.yaml`).

    There is nowhere left to say so: the messages are dropped, and the exit code
    alone tells what happened.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._open = True

    def _check(self) -> bool:
        read = inputs_read()
        if self._open and read != self._checked:
            self._open = _stdout_input(self.stream) is None
            self._checked = read
        return self._open


@contextmanager
def guarded_stdout() -> Iterator[None]:
    """Run a command with standard output and error that never write into one of its inputs.

    Output that leads to an input is refused (see `refuse_stdout_input`); messages
    on standard error that leads to one are dropped.
    """
    with _guarded("stdout", _GuardedStdout), _guarded("stderr", _GuardedStderr):
        yield


@contextmanager
def _guarded(name: str, guard_type: type[_GuardedStdout]) -> Iterator[None]:
    """`sys.<name>` replaced by a `guard_type` around it while the block runs."""
    real = getattr(sys, name)
    if real is None:  # no such stream at all (pythonw)
        yield
        return
    guard = cast(TextIO, guard_type(real))
    setattr(sys, name, guard)
    try:
        yield
    finally:
        if getattr(sys, name) is guard:
            setattr(sys, name, real)


def _write_stdout(data: bytes, binary: bool) -> None:
    if binary and sys.stdout.isatty():
        raise InputError("refusing to write binary output to a terminal; redirect it (> file) or use -o FILE")
    refuse_stdout_input()
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
