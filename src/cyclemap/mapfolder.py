"""The maps of a folder: `cyclemap gaps FOLDER` and `cyclemap site FOLDER` read every map in it.

A folder stands for the YAML files (``.yaml``, ``.yml``) in it and in its
subfolders that are maps, in sorted path order. A file is a map when one of
its lines starts with ``cyclemap:`` (the format version every map begins
with); files without it are parts that maps include (``include: parts/x.yaml``)
or other YAML, and are left out. Hidden folders (``.git``, ``.venv``) are not
searched. A file named on the command line is a map whatever it holds.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cyclemap.problems import InputError
from cyclemap.safe_text import subject

SUFFIXES = (".yaml", ".yml")
_VERSION_LINE = re.compile(rb"^[\"']?cyclemap[\"']?[ \t]*:", re.MULTILINE)
"""A top-level ``cyclemap:`` key (quoted or not) at the start of a line."""
_CHUNK = 1 << 16
_PARTIAL = 16
"""A line cut by a chunk's end longer than this without a match cannot start with the version key."""


def expand_maps(args: list[str]) -> list[str]:
    """The map files `args` name: files as given, each folder as the maps in it; each file once, in order.

    Raises InputError for a folder that holds no map.
    """
    found: list[str] = []
    for arg in args:
        if arg != "-" and Path(arg).is_dir():
            inside = folder_maps(arg)
            if not inside:
                raise InputError(f"{subject(arg)}: the folder holds no maps (YAML files with a 'cyclemap:' line)")
            found.extend(inside)
        else:
            found.append(arg)
    return list(dict.fromkeys(found))


def folder_maps(folder: str) -> list[str]:
    """The map files in `folder` and its subfolders (not hidden ones), sorted by their path within it."""
    found: list[str] = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        found.extend(str(Path(top, name)) for name in files
                     if name.lower().endswith(SUFFIXES) and not name.startswith("."))
    maps = [path for path in found if _is_map(path)]
    return sorted(maps, key=lambda path: Path(os.path.relpath(path, folder)).parts)


def _is_map(path: str) -> bool:
    """Whether the file at `path` has a line starting with ``cyclemap:`` (read in chunks, stopping when found)."""
    try:
        with open(path, "rb") as handle:
            tail = b""
            while chunk := handle.read(_CHUNK):
                text = tail + chunk
                if _VERSION_LINE.search(text):
                    return True
                cut = text.rfind(b"\n")  # a short unfinished last line may still be the version line
                tail = text[cut:] if cut >= 0 and len(text) - cut <= _PARTIAL else b"-"
    except OSError:
        return True  # a file that cannot be read is reported by the loader, with its reason
    return False
