"""Refreshing committed diagrams (`cyclemap render --update`, the `cyclemap-render` pre-commit hook).

A map's diagrams are the files named like the map with a diagram suffix
(``solar.yaml`` -> ``solar.svg``, ``solar.mmd``, ...), next to it or in one
folder. Only those that exist are refreshed, each in the format of its suffix,
and only when the new rendering differs, so an up-to-date diagram is never
touched and a hook passes when nothing changed.
"""

from __future__ import annotations

import re
from pathlib import Path

from cyclemap.render import FORMAT_OF_SUFFIX

_PDF_DATE = re.compile(rb"/(?:CreationDate|ModDate) \([^)]*\)")


def existing_diagrams(map_path: str, folder: str | None = None, fmt: str | None = None) -> list[tuple[str, str]]:
    """(path, format) of each diagram of `map_path` that exists in `folder` (default: the map's own).

    `fmt` keeps only diagrams in that format. The order is by suffix, so runs are repeatable.
    """
    where = Path(folder) if folder else Path(map_path).parent
    stem = Path(map_path).stem
    found = []
    for suffix, suffix_format in sorted(FORMAT_OF_SUFFIX.items()):
        candidate = where / f"{stem}{suffix}"
        if (fmt is None or suffix_format == fmt) and candidate.is_file():
            found.append((str(candidate), suffix_format))
    return found


def unchanged(path: str, new: bytes, fmt: str) -> bool:
    """Whether the diagram at `path` already is `new` (see `same_diagram`); unreadable counts as changed."""
    try:
        old = Path(path).read_bytes()
    except OSError:
        return False
    return same_diagram(old, new, fmt)


def same_diagram(old: bytes, new: bytes, fmt: str) -> bool:
    """Whether `new` shows what `old` shows, byte for byte.

    SVG, PNG, DOT and Mermaid are reproducible, so their bytes are compared as
    they are. Graphviz's PDF writer (cairo) embeds the time of writing, whose
    length depends on the time zone and moves the cross-reference offsets: those
    are left out of the comparison.

    >>> old = b"%PDF /CreationDate (D:20260101Z)\\nxref\\n0 1"
    >>> same_diagram(old, b"%PDF /CreationDate (D:20270101+01'00)\\nxref\\n0 2", "pdf")
    True
    >>> same_diagram(old, b"%PDF /Title (New) /CreationDate (D:20260101Z)\\nxref\\n0 1", "pdf")
    False
    >>> same_diagram(b"<svg>1</svg>", b"<svg>2</svg>", "svg")
    False
    """
    if fmt == "pdf":
        return _pdf_content(old) == _pdf_content(new)
    return old == new


def _pdf_content(data: bytes) -> bytes:
    """A PDF without its dates and without its final cross-reference table and trailer (offsets only)."""
    end = data.rfind(b"\nxref\n")
    return _PDF_DATE.sub(b"", data[:end] if end >= 0 else data)
