"""The maps of a folder: `cyclemap gaps FOLDER` and `cyclemap site FOLDER` read every map in it.

A folder stands for the YAML files (``.yaml``, ``.yml``) in it and in its
subfolders that are maps, in sorted path order. A file is a map when one of
its lines starts with ``cyclemap:`` (the format version every map begins
with); files without it are parts that maps include (``include: parts/x.yaml``)
or other YAML, and are left out. Hidden folders (``.git``, ``.venv``) are not
searched. A file named on the command line is a map whatever it holds.

Only regular files are read to tell, and at most the loader's size limit of
each (`MAX_FILE_BYTES`), so that nothing in a folder can make the search wait
or read without end. A ``.yaml`` or ``.yml`` name that leads to something else
(a named pipe, a device such as a link to ``/dev/zero``, a link that leads
nowhere or round in a loop) or to a file that cannot be opened counts as a
map: the loader then reports why it cannot be read, as that map's problem.

`FolderScan` keeps a folder's maps up to date for `cyclemap serve`, looking at
a bounded number of folders and files per poll so that a folder of 100,000
files does not keep a processor busy.
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path
from typing import BinaryIO

from cyclemap.loader import MAX_FILE_BYTES
from cyclemap.problems import InputError
from cyclemap.safe_text import subject

SUFFIXES = (".yaml", ".yml")
_VERSION_LINE = re.compile(rb"^[\"']?cyclemap[\"']?[ \t]*:", re.MULTILINE)
"""A top-level ``cyclemap:`` key (quoted or not) at the start of a line."""
_CHUNK = 1 << 16
_PARTIAL = 16
"""A line cut by a chunk's end longer than this without a match cannot start with the version key."""
CHECKS_PER_REFRESH = 1000
"""Folders and non-map YAML files `FolderScan.refresh` looks at per call (about 2 ms of system calls)."""
_RECENT_NS = 2_000_000_000
"""An entry changed this recently may change again within the file system's clock tick: look again next time."""
_MISSING = (-1, -1, -1, -1)

Stamp = tuple[int, int, int, int]
"""Size, modification time (ns), inode and device of a file or folder; `_MISSING` when there is none."""


def expand_maps(args: list[str], *, named_must_exist: bool = False) -> list[str]:
    """The map files `args` name: files as given, each folder as the maps in it; each file once, in order.

    A file is the same whatever the spelling (``a.yaml``, ``./a.yaml``,
    ``dir//a.yaml``), the link or the hard link that leads to it: only its
    first spelling is kept. Raises InputError for a folder that holds no map and, with
    `named_must_exist`, for an argument that names nothing at all (a typo),
    before any map is read. A file found in a folder is never refused here: one
    that cannot be read is that map's problem.
    """
    found: list[str] = []
    for arg in args:
        if named_must_exist and arg != "-" and not os.path.lexists(arg):
            raise InputError(f"{subject(arg)}: no such file or folder")
        if arg != "-" and Path(arg).is_dir():
            inside = folder_maps(arg)
            if not inside:
                raise InputError(f"{subject(arg)}: the folder holds no maps (YAML files with a 'cyclemap:' line)")
            found.extend(inside)
        else:
            found.append(arg)
    return unique_maps(found)


def unique_maps(names: list[str]) -> list[str]:
    """`names` with each file once (whatever its spelling or link), at its first spelling, in order."""
    unique: dict[object, str] = {}
    for name in names:
        unique.setdefault(_identity(name), name)
    return list(unique.values())


def _identity(path: str) -> object:
    """What tells files apart: device and inode, else (a link leading nowhere) the real path; "-" is itself."""
    if path == "-":
        return path
    try:
        info = os.stat(path)  # noqa: PTH116 - as _stamp
    except OSError:
        return os.path.realpath(path)
    return info.st_dev, info.st_ino


def folder_maps(folder: str) -> list[str]:
    """The map files in `folder` and its subfolders (not hidden ones), sorted by their path within it."""
    return FolderScan(folder).maps()


class FolderScan:
    """The maps of one folder, kept up to date by looking again only where something may have changed.

    The first scan finds what `folder_maps` finds. Each `refresh` then looks,
    in turn, at up to `CHECKS_PER_REFRESH` entries: folders (a file added,
    removed or renamed in one changes its modification time; it is then listed
    again) and YAML files that are not maps (one written in place may become a
    map). A folder of a few thousand entries is thus looked at whole on every
    call; one of 100,000 files in 1,000 folders too, as files need no look
    unless their folder changed; only 100,000 YAML files that are not maps take
    100 calls to go round. Files known as maps are not read again: their edits
    are the live map's business, and a half-written save must not make a map
    disappear from the index. A map leaves when its file does.
    """

    def __init__(self, folder: str) -> None:
        self.folder = str(Path(folder))
        self._dirs: dict[str, Stamp | None] = {}
        """Folder -> its stamp when last listed (None: list it again at the next look)."""
        self._listing: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        """Folder -> its subfolders and YAML files when last listed."""
        self._files: dict[str, tuple[Stamp | None, bool]] = {}
        """YAML file -> its stamp when read (None: read it again at the next look), and whether it is a map."""
        self._order: list[str] | None = None
        self._cursor = 0
        self._list_tree(self.folder)

    def maps(self) -> list[str]:
        """The maps found, sorted by their path within the folder."""
        found = [path for path, (_, is_map) in self._files.items() if is_map]
        return sorted(found, key=lambda path: Path(os.path.relpath(path, self.folder)).parts)

    def looked_at(self) -> int:
        """How many entries a round of `refresh` calls looks at: folders and YAML files that are not maps."""
        return len(self._dirs) + sum(1 for _, is_map in self._files.values() if not is_map)

    def refresh(self, budget: int = CHECKS_PER_REFRESH) -> bool:
        """Look at the next `budget` folders and non-map YAML files; True when the set of maps changed."""
        if self._order is None:
            self._order = [*self._dirs, *(path for path, (_, is_map) in self._files.items() if not is_map)]
        order = self._order
        start = self._cursor % len(order)
        picked = order[start:start + budget] + order[:max(0, start + budget - len(order))]
        self._cursor = start + len(picked)
        changed = False
        for path in picked:
            if path in self._dirs:
                changed = self._look_at_folder(path) or changed
            elif path in self._files:
                changed = self._look_at_file(path) or changed
        return changed

    def _look_at_folder(self, path: str) -> bool:
        known = self._dirs[path]
        if known is not None and _stamp(path) == known:
            return False
        return self._list_tree(path)

    def _look_at_file(self, path: str) -> bool:
        known, _ = self._files[path]
        now = _stamp(path)
        if now in (known, _MISSING):  # a file gone is its folder's change
            return False
        return self._read(path, now)

    def _list_tree(self, top: str) -> bool:
        """List `top` again, and every new folder below it; True when maps came or went."""
        changed, pending = False, [top]
        while pending:
            found, new = self._list(pending.pop())
            changed = changed or found
            pending.extend(new)
        return changed

    def _list(self, path: str) -> tuple[bool, list[str]]:
        """List one folder: drop what left, read the new YAML files; whether maps changed, and the new folders."""
        stamp = _stamp(path)
        try:
            with os.scandir(path) as listing:
                entries = list(listing)
        except OSError:
            entries = []
        dirs = frozenset(str(Path(path, entry.name)) for entry in entries
                         if _is_folder(entry, follow_symlinks=False) and not entry.name.startswith("."))
        files = frozenset(str(Path(path, entry.name)) for entry in entries
                          if not _is_folder(entry, follow_symlinks=True) and entry.name.lower().endswith(SUFFIXES)
                          and not entry.name.startswith("."))
        old_dirs, old_files = self._listing.get(path, (frozenset(), frozenset()))
        changed = False
        for gone in old_dirs - dirs:
            changed = self._forget_tree(gone) or changed
        for gone in old_files - files:
            changed = self._files.pop(gone)[1] or changed
        for new in sorted(files - old_files):
            changed = self._read(new, _stamp(new)) or changed
        for new in dirs - old_dirs:
            self._dirs[new] = None
        self._listing[path] = (dirs, files)
        self._dirs[path] = None if _recent(stamp) else stamp
        if dirs != old_dirs or files != old_files:
            self._order = None
        return changed, sorted(dirs - old_dirs)

    def _forget_tree(self, top: str) -> bool:
        """Forget a folder that is gone and everything below it; True when maps were in it."""
        changed, pending = False, [top]
        while pending:
            path = pending.pop()
            dirs, files = self._listing.pop(path, (frozenset(), frozenset()))
            self._dirs.pop(path, None)
            for name in files:
                changed = self._files.pop(name, (None, False))[1] or changed
            pending.extend(dirs)
        self._order = None
        return changed

    def _read(self, path: str, stamp: Stamp) -> bool:
        """Whether the YAML file at `path` is a map, remembered with its stamp; True when it is (a map came)."""
        is_map = _is_map(path)
        self._files[path] = (None if _recent(stamp) else stamp, is_map)
        if is_map:
            self._order = None
        return is_map


def _is_folder(entry: os.DirEntry[str], *, follow_symlinks: bool) -> bool:
    """Whether `entry` is a folder (or, following links, leads to one); a link in a loop leads to none."""
    try:
        return entry.is_dir(follow_symlinks=follow_symlinks)
    except OSError:  # ELOOP: the loader reports it for the file named like a map
        return False


def _stamp(path: str) -> Stamp:
    try:
        info = os.stat(path)  # noqa: PTH116 - no Path object per look: a poll may make a thousand
    except OSError:
        return _MISSING
    return info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev


def _recent(stamp: Stamp) -> bool:
    """Changed within the last moment: a second change in the same clock tick would leave the stamp as it is."""
    return stamp != _MISSING and time.time_ns() - stamp[1] < _RECENT_NS


def _is_map(path: str) -> bool:
    """Whether the file at `path` has a line starting with ``cyclemap:``, or cannot be read to tell.

    Only a regular file is opened (without blocking, should it have been
    swapped for a named pipe meanwhile) and read, in chunks, up to the loader's
    size limit, stopping when the line is found. Anything else (a pipe, a
    device, a link leading nowhere) and a file that cannot be opened count as
    maps: the loader reports their reason.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # noqa: PTH116 - as _stamp: no Path object per look
            return True
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return True
    with os.fdopen(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return True
            return _has_version_line(handle)
        except OSError:
            return True


def _has_version_line(handle: BinaryIO) -> bool:
    """Whether the first `MAX_FILE_BYTES` of `handle` hold a line starting with ``cyclemap:``."""
    tail, left = b"", MAX_FILE_BYTES
    while left > 0 and (chunk := handle.read(min(_CHUNK, left))):
        left -= len(chunk)
        text = tail + chunk
        if _VERSION_LINE.search(text):
            return True
        cut = text.rfind(b"\n")  # a short unfinished last line may still be the version line
        tail = text[cut:] if cut >= 0 and len(text) - cut <= _PARTIAL else b"-"
    return False
