"""User text made safe to show to people: on a terminal, in a CI log, on a Markdown page.

Map text (names, titles, file names) can hold anything a YAML escape can
write: line breaks, terminal escapes, bidirectional overrides that make text
read backwards, and words that a CI runner or GitHub acts on. These functions
keep the text readable and show such characters as escapes instead of letting
them act. No rich here: diagrams and the command line use them without it.
"""

from __future__ import annotations

import re

_INVISIBLE = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # Cc: C0 and C1 controls, DEL (line breaks, tab and ESC among them)
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"  # Cf: format characters...
    "\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"  # ... bidi overrides and zero widths
    "\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
    "\u2028\u2029"  # Zl, Zp: line and paragraph separators
    "\ud800-\udfff"  # Cs: lone surrogates (they cannot even be printed)
    "]"
)
"""Characters that act instead of showing: Unicode's Cc, Cf, Zl, Zp and Cs (tests check the list).

The zero-width (non-)joiners U+200C and U+200D are left alone: Persian, Indic
scripts and emoji sequences need them, and they move or hide nothing."""

_COMMAND = "::"
"""A GitHub Actions workflow command (``::error ...``, ``::add-mask::``) starts a line (after spaces).

Every ``::`` is escaped, not only a leading one: a terminal table or panel
may wrap the text anywhere, which would start a line with it."""
_OLD_COMMAND = "##["
"""The older form of a workflow command (``##[error]``), which the runner finds anywhere in a line."""


def escape_char(char: str) -> str:
    r"""One character as a Python-style escape: \xNN, \uNNNN or \UNNNNNNNN.

    >>> escape_char("\n"), escape_char("\u202e"), escape_char("\U000e0041")
    ('\\x0a', '\\u202e', '\\U000e0041')
    """
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_invisible(text: str, keep: str = "") -> str:
    r"""`text` with control and format characters (but those in `keep`) shown as escapes.

    >>> print(escape_invisible("a\u202eb\nc", keep="\n"))
    a\u202eb
    c
    """
    if text.isprintable() or _INVISIBLE.search(text) is None:  # a fast scan, False for every character listed
        return text
    return _INVISIBLE.sub(lambda m: m.group() if m.group() in keep else escape_char(m.group()), text)


def visible(text: str, keep: str = "") -> str:
    r"""`text` as people should see it: what would act shows as an escape instead.

    Control and format characters (line breaks, ESC, bidi overrides such as
    U+202E, zero-width spaces) become ``\xNN``/``\uNNNN``, except those in
    `keep` (e.g. ``"\t"`` for a CSV cell). So printed text cannot start a new
    line, drive the terminal or read backwards. It cannot issue a GitHub
    Actions workflow command either, wherever it is wrapped: every ``::``
    and ``##[`` gets an escaped character.

    >>> print(visible("Pay\n::error file=x::pwned \x1b[31m"))
    Pay\x0a:\x3aerror file=x:\x3apwned \x1b[31m
    >>> print(visible("::add-mask::x ##[error]y"))
    :\x3aadd-mask:\x3ax #\x23[error]y
    >>> visible("a\tb\nc", keep="\t") == "a\tb\\x0ac"
    True
    """
    text = escape_invisible(text, keep)
    if _OLD_COMMAND in text:
        text = text.replace(_OLD_COMMAND, "#\\x23[")
    if _COMMAND in text:
        text = text.replace(_COMMAND, ":\\x3a")
    return text


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would run `text` as a formula: it starts like one, also after leading spaces
    (spreadsheets skip them: `` =1+1`` is a formula too).

    >>> formula_like("=1+1"), formula_like("  @SUM(A1)"), formula_like("Pay - later")
    (True, True, False)
    """
    return text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START)


def subject(value: object) -> str:
    """A user value (a file, ``REV:path``) as the start of a message, ``'{subject(value)}: what is wrong'``.

    A value ending with ':' (``HEAD:``) is quoted: otherwise the message's own
    ': ' would meet it as '::', which `visible` must escape, so our words would
    print mangled (``HEAD:\\x3a write...``). Other values show as they are.

    >>> subject("map.yaml"), subject("HEAD:")
    ('map.yaml', "'HEAD:'")
    """
    text = str(value)
    return f"'{text}'" if text.endswith(":") else text


# -- Markdown pages that GitHub renders -------------------------------------------------

ZERO_WIDTH_SPACE = "&#8203;"
"""Written after '@', '#', 'www' or a URL scheme's ':' so that GitHub shows the text as written.

GitHub links bare URLs and addresses, pings @mentions and links #123 to an
issue when it finds them in a page's text (after Markdown and its entities
are read), so a backslash or an entity alone does not stop it; a zero-width
space inside the word does, and it is invisible on the page."""

_AUTOLINKED = re.compile(
    r"(?P<at>@)(?=\w)"  # @mentions, @org/team, and e-mail addresses
    r"|(?P<hash>#)(?=\d)"  # #123 issue and pull-request references
    r"|(?P<gh>\bGH)(?=-\d)"  # GH-123 references
    r"|(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*:)(?=//)"  # https://..., ftp://...
    r"|(?P<mail>\b(?:mailto|xmpp):)"  # mailto:... and xmpp:...
    r"|(?P<www>\bwww)(?=\.)",  # www.example.com
    re.IGNORECASE,
)


def unlinked(markdown: str) -> str:
    """Markdown in which GitHub finds no bare URL, address, @mention or #123 to link or ping.

    >>> print(unlinked("Ask @ops about #12 on https://x.example or www.x.example"))
    Ask @&#8203;ops about #&#8203;12 on https:&#8203;//x.example or www&#8203;.x.example
    """
    return _AUTOLINKED.sub(lambda m: m.group() + ZERO_WIDTH_SPACE, markdown)


# -- JSON that CI logs print ---------------------------------------------------------------


def inert_json(text: str) -> str:
    r"""JSON text (from `json.dumps`) in which a CI runner finds no ``##[command]``.

    ``##[`` can only occur inside a JSON string, where ``\u005b`` is the same
    ``[``: the document loads back exactly as before.

    >>> inert_json('{"name": "##[add-mask]x"}')
    '{"name": "##\\u005badd-mask]x"}'
    """
    return text.replace(_OLD_COMMAND, "##\\u005b")
