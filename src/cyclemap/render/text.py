"""User text made safe for Graphviz HTML-like labels, wrapped to a known width.

All user text reaches Graphviz only through `html_text`, inside labels we
build: `&`, `<`, `>` and quotes become entities (so no `<IMG SRC=...>` can be
smuggled in), control and format characters show as escapes (see `clean`), and
lengths are capped (Graphviz rejects labels over about 16k characters).
Widths come from a table of DejaVu Sans advances, so the cycle layout can
place nodes without running Graphviz first.
"""

from __future__ import annotations

import re
import unicodedata
from html import escape

from cyclemap.safe_text import escape_invisible

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
_LAYOUT_BREAKS = "\t\n"
"""Whitespace that a picture or page lays out itself: it folds into a space like any other."""
_ESCAPE = re.compile(r"(\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}))")
"""An escape as `safe_text.escape_char` writes it (a group, so that `split` keeps it)."""
_CUT_ESCAPE = re.compile(r"\\(?:x[0-9a-f]?|u[0-9a-f]{0,3}|U[0-9a-f]{0,7})$")
"""The start of an escape that shortening text cut off."""


def clean(text: str, limit: int = MAX_TEXT) -> str:
    r"""User text as a picture or a printed page shows it: on one line, nothing hidden, length capped.

    The same rule as every text output (`safe_text.escape_invisible`): control
    and format characters show as escapes, so a name can neither turn text
    round (U+202E, the isolates U+2066-U+2069, U+200E/U+200F/U+061C marks), hide
    it (zero-width space, U+2028) nor reach Graphviz or a PDF as a control
    character (ESC, a lone CR). Tabs and line breaks are the one exception:
    diagrams and table cells wrap text themselves, so like every other space
    they fold into one (a Windows CR LF is a line break). The zero-width
    joiners U+200C/U+200D stay: emoji sequences and scripts need them.

    >>> print(clean("Pay\r\n  bill \u202eevil\u202c \x1b[31m"))
    Pay bill \u202eevil\u202c \x1b[31m
    >>> clean("coder 👩\u200d💻") == "coder 👩\u200d💻"
    True
    """
    text = " ".join(escape_invisible(text.replace("\r\n", "\n"), keep=_LAYOUT_BREAKS).split())
    return text if len(text) <= limit else _uncut(text[: limit - 1]).rstrip() + "…"


def _uncut(text: str) -> str:
    r"""Shortened `text` without the half escape it may end with.

    >>> _uncut(r"Pay \u20")
    'Pay '
    """
    return _CUT_ESCAPE.sub("", text)


def upper(text: str) -> str:
    r"""Clean text in capitals, its escapes as they were (``\u202e``, not ``\U202E``).

    >>> print(upper("pay \\u202e bill"))
    PAY \u202e BILL
    """
    return "".join(part if index % 2 else part.upper() for index, part in enumerate(_ESCAPE.split(text)))


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


def _characters(word: str) -> list[str]:
    r"""The characters of `word`, each escape (``\u202e``) as one.

    >>> _characters(r"ab\u202ec")
    ['a', 'b', '\\u202e', 'c']
    """
    return [piece for index, part in enumerate(_ESCAPE.split(word)) for piece in ((part,) if index % 2 else part)]


def wrap(text: str, max_width: float, size: float, bold: bool = False, max_lines: int = 4) -> list[str]:
    """Break `text` into lines no wider than `max_width` points.

    Words are kept whole where they fit; a word longer than a line (or text
    without spaces, such as Japanese) is broken between characters, never
    inside an escape such as ``\\u202e`` (see `clean`). Lines past
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
        for char in _characters(word):
            if current and text_width(current + char, size, bold) > max_width:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _uncut(lines[-1].rstrip()[:-1]) + "…" if len(lines[-1]) > 1 else "…"
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
