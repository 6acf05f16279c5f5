"""Text that would act shows as an escape in every picture and printed page, as in the text outputs.

A bidi override (U+202E), an isolate (U+2066-U+2069), a direction mark
(U+200E, U+200F, U+061C), a zero-width space or a control character in a name
could turn text round or hide it on a wall chart. DOT, SVG, Mermaid and the
workshop PDF show each as ``\\u202e``, ``\\x1b``..., like `safe_text.visible`;
emoji sequences joined by U+200D and other scripts stay as written.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from cyclemap.loader import load_map
from cyclemap.model import CycleMap
from cyclemap.render import RenderOptions, render_map
from cyclemap.workshop import PackInfo, PackOptions, build_pack

NAMES = {
    "override": "Pay \u202ereversed\u202c now",
    "isolates": "Wait \u2066left\u2069 \u2067right\u2069 \u2068first\u2069",
    "marks": "Mark\u200e lrm\u200f rlm\u061c alm",
    "controls": "Bell\x07 esc\x1b[31m cr\rlone nel\x85 end",
    "hidden": "Zero\u200bwidth bom\ufeff ls\u2028end",
}
ESCAPE = re.compile(r"\\[xuU][0-9a-f]+")
ESCAPED = {
    "override": r"Pay \u202ereversed\u202c now",
    "isolates": r"Wait \u2066left\u2069 \u2067right\u2069 \u2068first\u2069",
    "marks": r"Mark\u200e lrm\u200f rlm\u061c alm",
    "controls": r"Bell\x07 esc\x1b[31m cr\x0dlone nel\x85 end",
    "hidden": r"Zero\u200bwidth bom\ufeff ls\u2028end",
}
"""Each name as a picture shows it: the same escapes `cyclemap gaps` prints."""
KEPT = ("Coder 👩\u200d💻", "見積もり", "Café")
"""Emoji joined by U+200D, CJK and accents: shown as written."""
LAYOUT_BREAKS = "\n\t\f"
"""Whitespace the output formats themselves use between lines and pages (never from user text, see below)."""


def _quoted(text: str) -> str:
    return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


TITLE = "Plan \u202eevil\u202c title"
DESCRIPTION = "Told \u202eby\u202c phone"
COMPETITOR = "Acme \u2066Ltd\u2069"
MAP = "\n".join(
    [
        "cyclemap: 1",
        f"title: {_quoted(TITLE)}",
        f"customer: {_quoted('People ' + chr(0x2066) + 'isolated' + chr(0x2069))}",
        f"outcome: {_quoted('Done ' + chr(0x200F) + 'marked' + chr(0x200E) + ' outcome')}",
        "phases:",
        "  pre:",
        f"    label: {_quoted('Before ' + chr(0x2067) + 'it' + chr(0x2069))}",
        "    activities:",
        *(f"      - name: {_quoted(name)}" for name in NAMES.values()),
        "  during:",
        "    activities:",
        f"      - name: {_quoted(KEPT[0])}",
        f"        description: {_quoted(DESCRIPTION)}",
        f"        competitors: [{_quoted(COMPETITOR)}]",
        "        importance: 9",
        "        satisfaction: 2",
        "        subcycle:",
        f"          - name: {_quoted(' '.join(KEPT[1:]))}",
        "  post:",
        "    activities:",
        "      - name: Review",
    ]
) + "\n"


def acting(text: str) -> set[str]:
    """The characters of `text` that act instead of showing: Unicode's Cc, Cf, Zl and Zp.

    Only U+200D (emoji sequences) and the line and page breaks of the format itself are allowed.
    """
    return {
        c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in LAYOUT_BREAKS + "\u200d"
    }


@pytest.fixture(scope="module")
def cmap(tmp_path_factory: pytest.TempPathFactory) -> CycleMap:
    path = tmp_path_factory.mktemp("bidi") / "map.yaml"
    path.write_text(MAP, encoding="utf-8")
    loaded = load_map(str(path))
    assert loaded.phase("pre").activities[0].name == NAMES["override"]  # the map really holds the characters
    return loaded


def test_the_map_holds_every_kind_of_acting_character(cmap: CycleMap) -> None:
    """The names below hold overrides, isolates, marks, controls and hidden characters, raw."""
    names = "".join(a.name for a in cmap.phase("pre").activities)
    assert {"\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c", "\x1b", "\r", "\x85",
            "\u200b", "\ufeff", "\u2028"} <= acting(names)


@pytest.mark.parametrize("layout", ["cycle", "flow"])
def test_dot_has_no_acting_character_and_shows_escapes(cmap: CycleMap, layout: str) -> None:
    """The DOT of either layout, labels and tooltips, holds every escape and none of the characters."""
    dot = render_map(cmap, RenderOptions(fmt="dot", layout=layout)).decode("utf-8")
    assert acting(dot) == set()
    for escape in ESCAPE.findall("".join(ESCAPED.values())):
        assert "\\" + escape in dot  # Graphviz reads the doubled backslash as one
    assert r"Told \\\\u202eby\\\\u202c phone" in dot  # tooltips are read twice
    assert r"BEFORE \\u2067IT\\u2069" in dot  # capitals, but the escape as it was
    assert KEPT[0] in dot


def _svg_text(data: bytes) -> str:
    import xml.etree.ElementTree as ET  # noqa: PLC0415

    root = ET.fromstring(data)  # noqa: S314 - our own output
    texts = ["".join(e.itertext()) for e in root.iter() if e.tag.endswith("text")]
    tips = [v for e in root.iter() for k, v in e.attrib.items() if k.endswith("}title")]
    return " ".join(" ".join(texts).split()) + "\n" + "\n".join(tips)


@pytest.mark.skipif(shutil.which("neato") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("layout", ["cycle", "flow"])
def test_svg_shows_every_escape_and_keeps_emoji_sequences(cmap: CycleMap, layout: str) -> None:
    """The SVG's text and tooltips show each name with its escapes; emoji, CJK and accents are untouched."""
    data = render_map(cmap, RenderOptions(fmt="svg", layout=layout))
    text = data.decode("utf-8")
    assert acting(text) == set()
    shown = _svg_text(data)
    joined = "".join(shown.split())  # names may wrap anywhere
    for name in ESCAPED.values():
        assert "".join(name.split()) in joined
    assert r"Plan \u202eevil\u202c title" in shown
    assert r"Told \u202eby\u202c phone" in shown  # the tooltip
    assert r"Acme \u2066Ltd\u2069" in shown
    for kept in KEPT:
        assert kept in shown


def test_mermaid_has_no_acting_character(cmap: CycleMap) -> None:
    """Mermaid text (labels and the title) holds no raw override or control character."""
    text = render_map(cmap, RenderOptions(fmt="mermaid")).decode("utf-8")
    assert acting(text) == set()
    for escape in ESCAPE.findall("".join(ESCAPED.values())):
        assert "#92;" + escape[1:] in text  # the backslash as a Mermaid entity: shown as the escape


@pytest.mark.skipif(not (shutil.which("neato") and shutil.which("pdftotext")), reason="needs Graphviz and poppler")
def test_workshop_pdf_text_shows_escapes(cmap: CycleMap, tmp_path: Path) -> None:
    """The pack's pages, tables, diagrams and metadata show the escapes, never the characters."""
    pack = build_pack(cmap, PackInfo("map.yaml"), PackOptions(date=dt.date(2026, 11, 22)))
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(pack.pdf)
    extracted = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert acting(extracted) == set()
    joined = "".join(extracted.split())
    for name in ESCAPED.values():
        assert "".join(name.split()) in joined
    assert r"Plan\u202eevil\u202ctitle" in joined
    metadata = PdfReader(pdf).metadata
    assert metadata is not None
    assert metadata.title == r"Plan \u202eevil\u202c title"
    assert acting(str(metadata.subject)) == set()


def test_every_picture_text_goes_through_the_text_outputs_rule() -> None:
    """Pictures reuse `safe_text`: a character escaped in `cyclemap gaps` is escaped the same in a picture."""
    from cyclemap.render.text import clean  # noqa: PLC0415
    from cyclemap.safe_text import escape_invisible  # noqa: PLC0415

    for name, expected in ESCAPED.items():
        assert clean(NAMES[name]) == expected == " ".join(escape_invisible(NAMES[name]).split())

