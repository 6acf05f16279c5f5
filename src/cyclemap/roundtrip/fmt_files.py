"""`cyclemap fmt` on files: load each map, format it and the files it includes, then write, check or diff.

Nothing is written unless every map is valid and every file formats safely: an invalid map is
reported as `validate` reports it (exit 4), a file whose formatted text would read differently is
a bug (exit 70). Writes are atomic, and only files whose text changes are written (the others keep
their modification time).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cyclemap.exit_codes import EXIT_FOUND, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE
from cyclemap.loader import load_map
from cyclemap.output import write_through
from cyclemap.problems import InputError, MapError
from cyclemap.report.problems import Checked, report_text
from cyclemap.report.terminal import visible
from cyclemap.roundtrip.fmt import MeaningChanged, format_text
from cyclemap.sources import recording_inputs

STDIN = "-"


@dataclass
class FormattedFile:
    """One file of a map: where it is, how it is named, its text now and in the canonical layout."""

    real: str
    name: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def format_maps(maps: list[str], *, check: bool, diff: bool, out: TextIO, err: TextIO) -> int:
    """Format `maps` and the files they include; return the exit code. Messages go to `err`, diffs to `out`."""
    files, code = _collect(maps, err)
    if code:
        return code
    formatted: list[FormattedFile] = []
    broken = 0
    for real, name in files:
        before = _read(real, name)
        try:
            formatted.append(FormattedFile(real, name, before, format_text(before)))
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
    for file in changed:
        _write(file)
        print(f"reformatted {visible(file.name)}", file=err)
    print(_summary(len(changed), len(formatted) - len(changed), would=False), file=err)
    return EXIT_OK


def _collect(maps: list[str], err: TextIO) -> tuple[list[tuple[str, str]], int]:
    """(real path, name) of every YAML file the maps read, each once, and an exit code (0 if all are valid).

    Invalid maps are reported as `validate` reports them.
    """
    files: dict[str, str] = {}
    invalid: list[Checked] = []
    unusable = False
    for name in maps:
        if name == STDIN:
            print("cyclemap: error: fmt rewrites files, it cannot format standard input ('-'); give the map's "
                  "file name", file=err)
            unusable = True
            continue
        with recording_inputs() as read:
            try:
                load_map(name)
            except MapError as problem:
                invalid.append(Checked(name, problem.problems, problem.sources))
                continue
            except InputError as problem:
                print(f"cyclemap: error: {visible(str(problem))}", file=err)
                unusable = True
                continue
        root = os.path.realpath(name)
        files.setdefault(root, name)
        for real in read:  # the map's includes (the survey's CSV is read by another step, never here)
            files.setdefault(real, _shown(name, real))
    if invalid:
        report_text(invalid, to_stderr=True)
        return [], EXIT_INVALID
    if unusable:
        return [], EXIT_USAGE
    return list(files.items()), EXIT_OK


def _shown(map_name: str, real: str) -> str:
    """How an included file is named in messages: as the loader names it, from the map's folder as given."""
    folder = os.path.dirname(map_name)  # noqa: PTH120 - a name as given, not a Path
    relative = os.path.relpath(real, os.path.realpath(folder or "."))
    if relative.startswith(".."):
        return real
    return os.path.join(folder, relative) if folder else relative  # noqa: PTH118 - keeps the folder as written


def _read(real: str, name: str) -> str:
    try:
        return Path(real).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as problem:  # it was read a moment ago: changed or removed since
        raise InputError(f"{name}: cannot be read again: {problem}") from None


def _write(file: FormattedFile) -> None:
    """Replace the file atomically, keeping its permissions."""
    write_through(Path(file.real), file.after.encode("utf-8"))


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
