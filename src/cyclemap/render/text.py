"""User text made safe for Graphviz HTML-like labels, wrapped to a known width.

All user text reaches Graphviz only through `html_text`, inside labels we
build: `&`, `<`, `>` and quotes become entities (so no `<IMG SRC=...>` can be
smuggled in), control characters are dropped (they make SVG ill-formed XML),
and lengths are capped (Graphviz rejects labels over about 16k characters).
Widths come from a table of DejaVu Sans advances, so the cycle layout can
place nodes without running Graphviz first.
"""

from __future__ import annotations

import re
import unicodedata
from html import escape

MAX_TEXT = 400
"""Characters of one user string shown in a diagram before it is cut with '…'."""

# Advance widths of DejaVu Sans in em, measured with Graphviz (ASCII printable).
_ADVANCE = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
        (
            0.316, 0.398, 0.458, 0.84, 0.638, 0.953, 0.781, 0.278, 0.39, 0.39, 0.503, 0.84, 0.316, 0.361,
            0.316, 0.338, *[0.638] * 10, 0.338, 0.338, 0.84, 0.84, 0.84, 0.533, 0.998, 0.712, 0.683, 0.698,
            0.773, 0.631, 0.578, 0.773, 0.75, 0.293, 0.293, 0.653, 0.556, 0.863, 0.75, 0.788, 0.601, 0.788,
            0.698, 0.638, 0.593, 0.736, 0.683, 0.991, 0.683, 0.608, 0.683, 0.39, 0.338, 0.39, 0.84, 0.503,
            0.503, 0.615, 0.638, 0.548, 0.638, 0.615, 0.345, 0.638, 0.638, 0.278, 0.278, 0.578, 0.278,
            0.975, 0.638, 0.615, 0.638, 0.638, 0.391, 0.518, 0.39, 0.638, 0.593, 0.818, 0.593, 0.593,
            0.525, 0.638, 0.338, 0.638, 0.84,
        ),
        strict=True,
    )
)
_BOLD = 1.13
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def clean(text: str, limit: int = MAX_TEXT) -> str:
    """Text with control characters removed, whitespace folded and length capped."""
    text = " ".join(_CONTROL.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def html_text(text: str) -> str:
    r"""Escape already-clean text for the inside of an HTML-like label.

    Backslashes are doubled: Graphviz expands escapes such as ``\N`` (the
    node's name) and ``\G`` even inside HTML-like labels, and reads ``\\``
    as one backslash.

    >>> print(html_text('<IMG SRC="/etc/passwd"/> \\N'))
    &lt;IMG SRC=&quot;/etc/passwd&quot;/&gt; \\N
    """
    return escape(text, quote=True).replace("\\", "\\\\")


def char_width(char: str) -> float:
    """Advance of one character in em (DejaVu Sans; wide CJK and emoji are ~1 em)."""
    width = _ADVANCE.get(char)
    if width is not None:
        return width
    if unicodedata.combining(char):
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F") or ord(char) >= 0x1F000:
        return 1.05
    return 0.66


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of `text` at font `size`."""
    return sum(char_width(c) for c in text) * size * (_BOLD if bold else 1.0)


def wrap(text: str, max_width: float, size: float, bold: bool = False, max_lines: int = 4) -> list[str]:
    """Break `text` into lines no wider than `max_width` points.

    Words are kept whole where they fit; a word longer than a line (or text
    without spaces, such as Japanese) is broken between characters. Lines past
    `max_lines` are dropped and the last one ends with '…'.
    """
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:
            if current and text_width(current + char, size, bold) > max_width:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip()[:-1] + "…" if len(lines[-1]) > 1 else "…"
    return lines or [""]


def tooltip_text(lines: list[str]) -> str:
    r"""Lines of user text as one DOT tooltip, joined by DOT's ``\n``.

    Graphviz reads a tooltip twice: it expands ``\N``, ``\G``, ``\L`` ... and
    then ``\\``, ``\n`` and entities. So one backslash typed by the user is four
    in the DOT source; ``& < > " '`` become entities (``&#1;`` typed by a user
    must not reach the SVG as an entity: it is not XML). Control characters go
    (`clean`), and the value is marked as never an HTML-like string.

    >>> print(tooltip_text(['Say "hi" \\N', "<b>&#1;</b>"]))
    Say &quot;hi&quot; \\\\N\n&lt;b&gt;&amp;#1;&lt;/b&gt;
    """
    from graphviz import nohtml  # noqa: PLC0415 - loaded only when DOT is built

    text: str = nohtml("\\n".join(escape(clean(line), quote=True).replace("\\", "\\\\\\\\") for line in lines))
    return text
