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

import os
import re
import stat
from pathlib import PurePosixPath
from typing import Protocol

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
"""`https:`, `file:`, `git+ssh:`, and Windows drives such as `C:`."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
EXAMPLE = "parts/pre.yaml"


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
    with it); symbolic links are followed only to files inside its real path.
    """

    def __init__(self, directory: str = ".") -> None:
        self.directory = directory or "."
        self._prefix = "" if self.directory == "." else self.directory
        self._real = os.path.realpath(self.directory)

    def name(self, rel: PurePosixPath) -> str:
        # os.path.join keeps the folder as the user wrote it ('./maps'), as in the root map's name
        return os.path.join(self._prefix, *rel.parts) if self._prefix else rel.as_posix()  # noqa: PTH118

    def read(self, rel: PurePosixPath, *, limit: int) -> bytes:
        real = os.path.realpath(os.path.join(self.directory, *rel.parts))  # noqa: PTH118 - str paths throughout
        if os.path.commonpath((real, self._real)) != self._real:
            raise IncludeRefused("it leads outside the map's folder through a symbolic link; "
                                 "copy the file into the map's folder instead")
        fd = _open(real)
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):  # a FIFO opened without blocking, a device, a socket
                what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
                raise IncludeRefused(f"it is {what}; give the path of a YAML file, like {EXAMPLE}")
            data = _read_up_to(fd, limit + 1)
        finally:
            os.close(fd)
        if len(data) > limit:
            raise too_large(limit)
        return data


def _open(real: str) -> int:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(real, flags)
    except FileNotFoundError:
        raise IncludeRefused("there is no such file; check the spelling and that the path is relative "
                             "to the file that includes it") from None
    except IsADirectoryError:
        raise IncludeRefused(f"it is a folder; give the path of a YAML file, like {EXAMPLE}") from None
    except OSError as err:
        raise IncludeRefused(f"it cannot be opened: {err.strerror}") from None


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


class NoFiles:
    """A map with nowhere to include files from (read from standard input, or given as bytes)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def name(self, rel: PurePosixPath) -> str:
        return rel.as_posix()

    def read(self, rel: PurePosixPath, *, limit: int) -> bytes:
        raise IncludeRefused(self.reason)
