"""Where a map and the files it includes come from, and which paths may be read.

The loader reads the root map and its includes through a `MapFiles`: the disk
(`DiskFiles`), or anything else that can hand out bytes by relative path (a git
revision, for `cyclemap diff`). Include paths are checked here in two steps:

1. `include_path` checks the path as written, the same for every source:
   relative, forward slashes, no `~`, no URL, no `..` that leaves the root
   map's folder.
2. `MapFiles.read` checks what the path leads to: a regular file, inside the
   root map's folder once symbolic links are followed, within the size budget.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
"""`https:`, `file:`, `git+ssh:`, and Windows drives such as `C:`."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
EXAMPLE = "parts/pre.yaml"


@dataclass(frozen=True)
class ReadFile:
    """A file's bytes as read, with its status when it was opened and its real path."""

    data: bytes
    info: os.stat_result
    real: str


class IncludeRefused(Exception):
    """A file that may not be read as an include; str(exc) is the user-facing reason."""


class MapFiles(Protocol):
    """Where a map and the files it includes are read from: the disk, or a git revision."""

    def read(self, rel: PurePosixPath, *, limit: int) -> bytes:
        """The bytes of `rel`, a path relative to the root map's directory that the loader has
        already checked lexically (relative, no '..' leaving the root, no '~', no URL scheme).
        Raises IncludeRefused(reason) when it is missing, not a regular file, a symlink leading
        outside the root, or larger than the remaining size budget it is given via `limit`."""
        ...

    def name(self, rel: PurePosixPath) -> str:
        """How messages name the file, e.g. 'maps/parts/pre.yaml' or 'HEAD~1:maps/parts/pre.yaml'."""
        ...


def too_large(limit: int) -> IncludeRefused:
    """The refusal for a file over the `limit` bytes left of a map's size budget."""
    return IncludeRefused(
        f"it is larger than the {limit:,} bytes left of the size limit for a map and all its "
        "included files together; make the map smaller or split it into separate maps"
    )


def include_path(written: str, including: PurePosixPath, root: PurePosixPath) -> PurePosixPath:
    """The path of `written` (as it stands in file `including`), relative to the folder of `root`.

    Checks the text only: the file itself is checked when it is read. Raises
    IncludeRefused with the reason and a next step.

    >>> include_path("../shared/pay.yaml", PurePosixPath("parts/pre.yaml"), PurePosixPath("map.yaml"))
    PurePosixPath('shared/pay.yaml')
    """
    _check_written(written)
    parts = list(including.parent.parts)
    for part in written.split("/"):
        if part == "..":
            if len(parts) <= len(root.parent.parts):
                raise IncludeRefused("it leads out of the map's folder; included files must be in the map's "
                                     "folder or below it")
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    if len(parts) <= len(root.parent.parts) or written.endswith("/"):
        raise IncludeRefused(f"it names a folder; give the path of a YAML file, like {EXAMPLE}")
    return PurePosixPath(*parts)


def _check_written(written: str) -> None:
    """Refuse paths that are not plain relative paths with forward slashes."""
    if not written.strip():
        raise IncludeRefused(f"the path is empty; write the path of a YAML file, like {EXAMPLE}")
    if _CONTROL.search(written):
        raise IncludeRefused("the path contains a control character")
    if "\\" in written:
        raise IncludeRefused("use '/' rather than '\\' between folders, so that the map works on every system")
    if written.startswith("/"):
        raise IncludeRefused(f"the path is absolute; write it relative to this file, like {EXAMPLE}")
    if written.startswith("~"):
        raise IncludeRefused(f"'~' (a home folder) is not allowed; write the path relative to this file, "
                             f"like {EXAMPLE}")
    if _SCHEME.match(written):
        raise IncludeRefused("only files next to the map can be included, not URLs or other drives; "
                             f"write a relative path, like {EXAMPLE}")


class DiskFiles:
    """The files of a folder on disk: the root map's folder, which includes may not leave.

    `directory` is the folder as the user named it (names in messages start
    with it). Each path is walked one folder at a time from a descriptor of
    that folder, never following a symbolic link blindly: a link is read and
    followed only while it stays inside the folder's real path. So a folder
    swapped for a link while the map is read cannot lead outside.
    """

    def __init__(self, directory: str = ".") -> None:
        self.directory = directory or "."
        self._prefix = "" if self.directory == "." else self.directory
        self._real = os.path.realpath(self.directory)

    def name(self, rel: PurePosixPath) -> str:
        # os.path.join keeps the folder as the user wrote it ('./maps'), as in the root map's name
        return os.path.join(self._prefix, *rel.parts) if self._prefix else rel.as_posix()  # noqa: PTH118

    def read(self, rel: PurePosixPath, *, limit: int) -> bytes:
        return self.read_file(rel, limit=limit).data

    def read_file(self, rel: PurePosixPath, *, limit: int) -> ReadFile:
        """`read`, with the file's status as it was opened and its real path (to tell later if it changed)."""
        fd, info, real = self._open_input(rel)
        try:
            data = _read_up_to(fd, limit + 1)
        finally:
            os.close(fd)
        if len(data) > limit:
            raise too_large(limit)
        return ReadFile(data, info, real)

    def open(self, rel: PurePosixPath) -> BinaryIO:
        """`rel` opened for reading as a stream (a survey's responses), checked as `read` checks it."""
        return os.fdopen(self._open_input(rel)[0], "rb")

    def _open_input(self, rel: PurePosixPath) -> tuple[int, os.stat_result, str]:
        """A descriptor of the regular file `rel` inside the folder, noted as an input (see `note_input`),
        its status and its real path."""
        try:
            fd, real = self._open(list(rel.parts))
        except IncludeRefused:
            note_attempt(os.path.join(self._real, *rel.parts))  # noqa: PTH118 - may appear later: worth watching
            raise
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # a FIFO opened without blocking, a device, a socket
                what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
                raise IncludeRefused(f"it is {what}; give the path of a YAML file, like {EXAMPLE}")
            note_input(info, self.name(rel), real)
        except BaseException:
            os.close(fd)
            raise
        return fd, info, real

    def _open(self, parts: list[str]) -> tuple[int, str]:
        """A descriptor of the file at `parts` below the folder, and its real path."""
        if not _WALK_BENEATH:  # e.g. Windows: resolve, open, then check that the file opened is the one resolved
            return _open_resolved(self._real, os.path.realpath(os.path.join(self.directory, *parts)))  # noqa: PTH118
        try:
            top = os.open(self.directory, _FOLDER_FLAGS)
        except OSError as err:
            raise IncludeRefused(f"the map's folder cannot be opened: {err.strerror}") from None
        try:
            return _Walk(self._real, top).open(parts)
        finally:
            os.close(top)


_WALK_BENEATH = os.open in os.supports_dir_fd and os.readlink in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW")
_FOLDER_FLAGS = (getattr(os, "O_PATH", 0) or os.O_RDONLY) | getattr(os, "O_DIRECTORY", 0)
_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
MAX_LINKS = 40
"""Symbolic links followed while opening one file (a loop of links ends here), as Linux does."""
_LINK_ERRNOS = frozenset((errno.ELOOP, errno.ENOTDIR, getattr(errno, "EMLINK", errno.ELOOP)))
"""What opening a link without following it gives: ELOOP (ENOTDIR for a folder; EMLINK on FreeBSD)."""


def _gone_link(err: OSError, readlink_err: OSError) -> bool:
    """Whether opening failed on a link that is no longer a link when read (swapped meanwhile)."""
    return err.errno in _LINK_ERRNOS and readlink_err.errno == errno.EINVAL


_OUTSIDE = IncludeRefused(
    "it leads outside the map's folder through a symbolic link; copy the file into the map's folder instead"
)


class _Walk:
    """Opens a path below the folder `top` one name at a time, like openat2(RESOLVE_BENEATH).

    `names` are the real folders walked so far below `top`; a symbolic link
    met on the way is read and its target walked instead, from `top` again
    when it is absolute or climbs above `top`, and refused when it leads out.
    """

    def __init__(self, real_top: str, top: int) -> None:
        self.real_top = real_top
        self.top = top
        self.folders: list[int] = []
        self.names: list[str] = []
        self.links = 0

    def open(self, parts: list[str]) -> tuple[int, str]:
        pending = list(parts)
        try:
            while pending:
                part = pending.pop(0)
                if part in ("", "."):
                    continue
                if part == "..":
                    pending = self._up(pending)
                    continue
                fd = self._step(part, pending)
                if fd is None:
                    continue  # a link: its target is now at the front of `pending`
                if not pending:
                    return fd, os.path.join(self.real_top, *self.names, part)  # noqa: PTH118
                self.folders.append(fd)
                self.names.append(part)
            raise IncludeRefused(f"it names a folder; give the path of a YAML file, like {EXAMPLE}")
        finally:
            self._close_folders()

    def _step(self, part: str, pending: list[str]) -> int | None:
        """`part` opened in the current folder without following a link; None when it was a link."""
        here = self.folders[-1] if self.folders else self.top
        flags = _FILE_FLAGS if not pending else _FOLDER_FLAGS | os.O_NOFOLLOW
        target = None
        while target is None:
            try:
                return os.open(part, flags, dir_fd=here)
            except OSError as err:
                target = self._read_link(part, here, err)
        pending[:0] = self._restart(target) if target.startswith("/") else target.split("/")
        return None

    def _read_link(self, part: str, here: int, err: OSError) -> str | None:
        """The target of the link `part` that could not be opened; None if it is no longer a link (try again)."""
        self.links += 1  # retries count too, so that a link swapped back and forth cannot keep us here
        if self.links > MAX_LINKS:
            raise IncludeRefused(f"it goes through more than {MAX_LINKS} symbolic links (a loop of links?)")
        try:
            return os.readlink(part, dir_fd=here)
        except OSError as not_a_link:
            if _gone_link(err, not_a_link):
                return None
            raise _refusal(not_a_link if isinstance(not_a_link, FileNotFoundError) else err) from None

    def _up(self, pending: list[str]) -> list[str]:
        """The names left after '..': one folder up, or from the top again if that leaves the folder."""
        if self.names:
            self.names.pop()
            os.close(self.folders.pop())
            return pending
        return self._restart(os.path.join(self.real_top, "..", *pending))  # noqa: PTH118

    def _restart(self, absolute: str) -> list[str]:
        """The names below the top folder of `absolute`, walked from the top again; refused when outside."""
        real = os.path.realpath(absolute)
        if os.path.commonpath((real, self.real_top)) != self.real_top:
            raise _OUTSIDE
        self._close_folders()
        inside = os.path.relpath(real, self.real_top)
        return [] if inside == "." else list(Path(inside).parts)

    def _close_folders(self) -> None:
        for fd in self.folders:
            os.close(fd)
        self.folders.clear()
        self.names.clear()


def _refusal(err: OSError) -> IncludeRefused:
    if isinstance(err, FileNotFoundError):
        return IncludeRefused("there is no such file; check the spelling and that the path is relative "
                              "to the file that includes it")
    if isinstance(err, IsADirectoryError):
        return IncludeRefused(f"it is a folder; give the path of a YAML file, like {EXAMPLE}")
    return IncludeRefused(f"it cannot be opened: {err.strerror}")


def _open_resolved(real_top: str, real: str) -> tuple[int, str]:
    """Open `real` (a resolved path) where descriptors of folders cannot be walked; refuse it if it
    is outside `real_top`, or if what was opened is no longer the file `real` named."""
    if os.path.commonpath((real, real_top)) != real_top:
        raise _OUTSIDE
    try:
        fd = os.open(real, _FILE_FLAGS)
    except OSError as err:
        raise _refusal(err) from None
    try:
        now = Path(real).stat()
    except OSError:
        now = None
    opened = os.fstat(fd)
    if now is None or (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
        os.close(fd)
        raise IncludeRefused("it changed while it was being opened (a folder was moved or replaced); try again")
    return fd, real


def _read_up_to(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    try:
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as err:
        raise IncludeRefused(f"it cannot be read: {err.strerror}") from None
    return b"".join(chunks)


# -- the files read, which no output may replace ---------------------------------


@dataclass(frozen=True)
class _Input:
    name: str
    """How messages name it."""
    real: str | None
    """Its real path when read (None for standard input)."""


_INPUTS: dict[tuple[int, int], _Input] = {}
"""(device, inode) -> each file read as input in this process: maps, included files."""
_INPUT_PATHS: dict[str, _Input] = {}
"""The same, by real path: a file replaced (by an editor) since it was read is still an input."""


_RECORDING = threading.local()
"""Per thread: the lists `recording_inputs` fills, innermost last."""


def note_input(info: os.stat_result, name: str, real: str | None) -> None:
    """Remember that the file `info` describes was read as an input, so that no output replaces it."""
    entry = _Input(name, real)
    _INPUTS[info.st_dev, info.st_ino] = entry
    if real is not None:
        _INPUT_PATHS[real] = entry
        for recorded in getattr(_RECORDING, "lists", ()):
            if real not in recorded:
                recorded.append(real)


def note_attempt(path: str) -> None:
    """Remember, for `recording_inputs` only, a file that a load tried to read and could not (missing, refused):
    `cyclemap serve` watches it so that the map is read again once the file appears."""
    for recorded in getattr(_RECORDING, "lists", ()):
        if path not in recorded:
            recorded.append(path)


@contextmanager
def recording_inputs() -> Iterator[list[str]]:
    """The real paths of the files this thread reads as inputs inside the `with` block, in the order read
    (and the paths of those it tried to read and could not, see `note_attempt`).

    Unlike `input_paths` (every input of the process), this names what one
    load read, even a file read before: `cyclemap serve` watches exactly
    the map, its includes and its survey.
    """
    lists: list[list[str]] = getattr(_RECORDING, "lists", [])
    _RECORDING.lists = lists
    recorded: list[str] = []
    lists.append(recorded)
    try:
        yield recorded
    finally:
        lists.remove(recorded)


def inputs_read() -> int:
    """How many files have been read as inputs so far in this process."""
    return len(_INPUTS)


def input_paths() -> list[str]:
    """The real paths of the files read as inputs so far (not standard input), in the order first read."""
    return list(_INPUT_PATHS)


def input_at(target: str) -> str | None:
    """The name of the input that writing `target` would replace, if any.

    Writing there replaces an input when the path is one (under any spelling:
    `..`, a symbolic link in a folder above it, a hard link) or when it is a
    symbolic link leading to one.
    """
    for status in (os.lstat, os.stat):
        try:
            info = status(target)
        except (OSError, ValueError):
            continue
        found = input_of(info)
        if found is not None:
            return found
    try:
        real = os.path.realpath(target)
    except (OSError, ValueError):
        return None
    entry = _INPUT_PATHS.get(real)
    return None if entry is None else entry.name


def input_of(info: os.stat_result) -> str | None:
    """The name of the input that `info` (from stat or fstat) describes, if it is one."""
    found = _INPUTS.get((info.st_dev, info.st_ino))
    return found.name if found is not None and _still_the_same(found, info) else None


def _still_the_same(found: _Input, info: os.stat_result) -> bool:
    """Whether the input is still that file (its inode number may have been reused since it was deleted)."""
    if found.real is None:
        return True
    try:
        now = Path(found.real).stat()
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino)


class NoFiles:
    """A map with nowhere to include files from (read from standard input, or given as bytes)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def name(self, rel: PurePosixPath) -> str:
        return rel.as_posix()

    def read(self, rel: PurePosixPath, *, limit: int) -> bytes:
        raise IncludeRefused(self.reason)
