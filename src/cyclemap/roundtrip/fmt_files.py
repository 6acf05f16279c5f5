"""`cyclemap fmt` on files: load each map, format it and the files it includes, then write, check or diff.

Nothing is written unless every map is valid and every file formats safely: an invalid map is
reported as `validate` reports it (exit 4), a file whose formatted text would read differently is
a bug (exit 70). Each file is read once: the bytes the loader validates are the bytes formatted, and
a file is replaced only while it still holds those bytes (same inode, size, modification time and
content), so a save made while fmt runs is never overwritten: the file is skipped and fmt exits 3.
Writes are atomic (a file with other hard links is written in place, so that they all show the new
text), a read-only file is never rewritten (exit 3, nothing written), and only files whose text changes
are written (the others keep their modification time).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TextIO

from cyclemap.exit_codes import EXIT_ENVIRONMENT, EXIT_FOUND, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE
from cyclemap.loader import load_read_map, read_file
from cyclemap.output import write_atomic
from cyclemap.problems import EnvironmentProblem, InputError, MapError
from cyclemap.report.problems import Checked, report_text
from cyclemap.report.terminal import visible
from cyclemap.roundtrip.fmt import MeaningChanged, format_text
from cyclemap.sources import DiskFiles, ReadFile

STDIN = "-"


@dataclass
class FormattedFile:
    """One file of a map: where it is, how it is named, its text as validated and in the canonical layout."""

    real: str
    name: str
    before: str
    after: str
    read: ReadFile
    """The file as it was read and validated: what must still be on disk when it is replaced."""

    @property
    def changed(self) -> bool:
        return self.before != self.after


class _Changed(Exception):
    """The file on disk is no longer the one read and validated."""


class _ReadOnce(DiskFiles):
    """The map's folder, remembering every file the loader reads through it (bytes, status, real path)."""

    def __init__(self, directory: str) -> None:
        super().__init__(directory)
        self.reads: list[ReadFile] = []

    def read(self, rel: PurePosixPath, *, limit: int) -> bytes:
        found = self.read_file(rel, limit=limit)
        self.reads.append(found)
        return found.data


def format_maps(maps: list[str], *, check: bool, diff: bool, out: TextIO, err: TextIO) -> int:
    """Format `maps` and the files they include; return the exit code. Messages go to `err`, diffs to `out`."""
    files, code = _collect(maps, err)
    if code:
        return code
    formatted: list[FormattedFile] = []
    broken = 0
    for real, (name, read) in files.items():
        before = read.data.decode("utf-8")
        try:
            formatted.append(FormattedFile(real, name, before, format_text(before), read))
        except MeaningChanged:
            broken += 1
            print(f"cyclemap: error: {visible(name)}: formatting would change what the file means, so nothing was "
                  "written; this is a bug in cyclemap fmt: please report it with the file", file=err)
    if broken:
        return EXIT_INTERNAL
    changed = [f for f in formatted if f.changed]
    if diff:
        for file in changed:
            out.writelines(_unified(file))
    if check or diff:
        for file in changed if check else ():
            print(f"would reformat {visible(file.name)}", file=err)
        print(_summary(len(changed), len(formatted) - len(changed), would=True), file=err)
        return EXIT_FOUND if check and changed else EXIT_OK
    read_only = [file for file in changed if _read_only(file)]
    for file in read_only:
        print(f"cyclemap: error: {visible(file.name)} is read-only; nothing was written (make it writable, "
              "e.g. chmod u+w, to format it)", file=err)
    if read_only:
        return EXIT_ENVIRONMENT
    written = 0
    for file in changed:
        try:
            _write(file)
        except _Changed:
            print(_changed_message(file.name), file=err)
            continue
        written += 1
        print(f"reformatted {visible(file.name)}", file=err)
    print(_summary(written, len(formatted) - len(changed), would=False), file=err)
    return EXIT_OK if written == len(changed) else EXIT_ENVIRONMENT


def _changed_message(name: str) -> str:
    return f"cyclemap: error: {visible(name)} changed while fmt ran; run fmt again (it was not written)"


def _collect(maps: list[str], err: TextIO) -> tuple[dict[str, tuple[str, ReadFile]], int]:
    """real path -> (name, the file as read) of every YAML file the maps read, each once, and an exit code
    (0 if all are valid and no file read twice changed in between).

    Invalid maps are reported as `validate` reports them.
    """
    files: dict[str, tuple[str, ReadFile]] = {}
    invalid: list[Checked] = []
    unusable = False
    moved: list[str] = []
    for name in maps:
        if name == STDIN:
            print("cyclemap: error: fmt rewrites files, it cannot format standard input ('-'); give the map's "
                  "file name", file=err)
            unusable = True
            continue
        folder = _ReadOnce(os.path.dirname(name))  # noqa: PTH120 - a name as given, not a Path
        try:
            root = read_file(name)
            load_read_map(root.data, name, folder)
        except MapError as problem:
            invalid.append(Checked(name, problem.problems, problem.sources))
            continue
        except InputError as problem:
            print(f"cyclemap: error: {visible(str(problem))}", file=err)
            unusable = True
            continue
        # the map, then its includes (the survey's CSV is read by another step, never here)
        for shown, read in [(name, root)] + [(_shown(name, r.real), r) for r in folder.reads]:
            first = files.setdefault(read.real, (shown, read))[1]
            if first.data != read.data and first.real not in moved:  # read twice, changed in between
                moved.append(first.real)
                print(_changed_message(files[read.real][0]), file=err)
    if invalid:
        report_text(invalid, to_stderr=True)
        return {}, EXIT_INVALID
    if unusable:
        return {}, EXIT_USAGE
    if moved:
        return {}, EXIT_ENVIRONMENT
    return files, EXIT_OK


def _shown(map_name: str, real: str) -> str:
    """How an included file is named in messages: as the loader names it, from the map's folder as given."""
    folder = os.path.dirname(map_name)  # noqa: PTH120 - a name as given, not a Path
    relative = os.path.relpath(real, os.path.realpath(folder or "."))
    if relative.startswith(".."):
        return real
    return os.path.join(folder, relative) if folder else relative  # noqa: PTH118 - keeps the folder as written


def _read_only(file: FormattedFile) -> bool:
    """Whether the file's owner may not write it (no `w` for the owner, whoever runs fmt), or we may not."""
    return not file.read.info.st_mode & stat.S_IWUSR or not os.access(file.real, os.W_OK)


def _write(file: FormattedFile) -> None:
    """Replace the file if it still holds the text read (else _Changed): atomically, keeping its permissions,
    or, when it has other hard links, in place, so that every link shows the new text."""
    if file.read.info.st_nlink > 1:
        _write_in_place(file)
        return
    path = Path(file.real)
    _check_unchanged(file)
    mode = path.stat().st_mode & 0o7777
    write_atomic(path, file.after.encode("utf-8"), before_replace=lambda: _check_unchanged(file))
    os.chmod(path, mode)


def _write_in_place(file: FormattedFile) -> None:
    """Overwrite the file's own bytes (its inode stays, with every link to it), once checked on the descriptor
    written through. Not atomic: a crash while writing may leave it half written."""
    try:
        fd = os.open(file.real, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        raise _Changed from None  # removed, or replaced by a link, since it was read
    with os.fdopen(fd, "r+b") as handle:
        _check_unchanged(file, os.fstat(fd), handle.read)
        data = file.after.encode("utf-8")
        try:
            handle.seek(0)
            handle.write(data)
            handle.truncate(len(data))
            handle.flush()
            os.fsync(fd)
        except OSError as problem:
            raise EnvironmentProblem(f"{file.name}: cannot write: {problem.strerror}") from None


def _check_unchanged(file: FormattedFile, now: os.stat_result | None = None,
                     read: Callable[[], bytes] | None = None) -> None:
    """Raise _Changed unless the file on disk is the one read: same inode, size, modification time and bytes.

    `now` and `read` give the status and the bytes of an open file; by default the path is looked at.
    """
    then, path = file.read.info, Path(file.real)
    try:
        now = now or path.stat()
        same = ((now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns)
                == (then.st_dev, then.st_ino, then.st_size, then.st_mtime_ns))
        if same:
            same = _digest((read or path.read_bytes)()) == _digest(file.read.data)
    except OSError:
        same = False
    if not same:
        raise _Changed


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _unified(file: FormattedFile) -> list[str]:
    lines = list(difflib.unified_diff(file.before.splitlines(keepends=True), file.after.splitlines(keepends=True),
                                      fromfile=file.name, tofile=file.name))
    return [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines]


def _summary(changed: int, unchanged: int, *, would: bool) -> str:
    """'2 files reformatted, 3 files left unchanged.', as black says it."""
    def files(count: int) -> str:
        return f"{count} file{'s' * (count != 1)}"

    verb = "would be " if would else ""
    parts = []
    if changed:
        parts.append(f"{files(changed)} {verb}reformatted")
    if unchanged:
        parts.append(f"{files(unchanged)} {'would be ' if would else ''}left unchanged")
    return (", ".join(parts) or "No files") + "."
