"""Diagrams for the pack: Graphviz draws them as PDF, pypdf stamps them onto pages.

Stamping keeps a diagram exactly as `cyclemap render -f pdf` draws it: vector
shapes and real text in the same embedded fonts, at any scale.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import cast

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.constants import PageAttributes
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from cyclemap.render.graphviz_run import TIMEOUT_HINT, run_graphviz

PT_PER_MM = 72 / 25.4
_WORKERS = 4
"""Graphviz runs at once; each is a separate process, so threads are enough."""

logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Diagram:
    """A drawn diagram: one PDF page and its natural size in millimetres."""

    page: PageObject
    width: float
    height: float
    origin: tuple[float, float] = (0.0, 0.0)
    """The page's lower-left corner in points (Graphviz puts it at 0,0)."""

    def scale_to(self, width: float, height: float, most: float) -> float:
        """The scale that fits it into `width` x `height` mm, at most `most`."""
        return min(width / self.width, height / self.height, most)


@dataclass(frozen=True)
class Placement:
    """Where a diagram goes: 1-based page, its top-left corner in mm, its scale, and what shows of it.

    `clip` (left, top, width, height in mm on the page) shows only that part:
    a tile of a poster or a slice of a tall flow.
    """

    key: str
    page: int
    x: float
    y: float
    scale: float
    clip: tuple[float, float, float, float] | None = None


def draw_diagrams(sources: Mapping[str, str], timeout: float, done: Callable[[], None] = lambda: None,
                  hint: str = TIMEOUT_HINT) -> dict[str, Diagram]:
    """Draw every DOT source (neato -n2, as `cyclemap render` does), several at once; `done` after each.

    Each Graphviz run may take `timeout` seconds, then stops the pack with an error ending in `hint`.
    """

    def draw(key: str) -> Diagram:
        drawn = _diagram(run_graphviz(sources[key], "neato", "pdf", timeout, ("-n2",), hint))
        done()
        return drawn

    keys = sorted(sources)
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        return dict(zip(keys, pool.map(draw, keys), strict=True))


def _diagram(data: bytes) -> Diagram:
    page = PdfReader(io.BytesIO(data)).pages[0]
    box = page.mediabox
    origin = (float(box.left), float(box.bottom))
    return Diagram(page, float(box.width) / PT_PER_MM, float(box.height) / PT_PER_MM, origin)


def stamp(document: bytes, placements: list[Placement], diagrams: Mapping[str, Diagram]) -> bytes:
    """`document` with each diagram drawn at its placement.

    Each diagram is added once, as a form XObject, and each placement draws it
    with a few operators: no content stream is parsed or copied per page.
    """
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    forms: dict[str, tuple[NameObject, IndirectObject]] = {}
    for place in placements:
        if place.key not in forms:
            forms[place.key] = (NameObject(f"/CmDiagram{len(forms)}"), _add_form(writer, diagrams[place.key]))
        _draw(writer, place, diagrams[place.key], forms[place.key])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_form(writer: PdfWriter, diagram: Diagram) -> IndirectObject:
    """The diagram's page added to `writer` as a form XObject."""
    page = diagram.page
    contents = page[PageAttributes.CONTENTS].get_object()
    if isinstance(contents, StreamObject):
        form = contents.clone(writer, force_duplicate=True)
    else:  # several streams: join them
        parts = cast(ArrayObject, contents)
        data = b"\n".join(cast(StreamObject, part.get_object()).get_data() for part in parts)
        stream = DecodedStreamObject()
        stream.set_data(data)
        form = stream.flate_encode()
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(FloatObject(v) for v in page.mediabox)
    form[NameObject("/Resources")] = page[PageAttributes.RESOURCES].clone(writer)
    return writer._add_object(form)


def _draw(writer: PdfWriter, place: Placement, diagram: Diagram, form: tuple[NameObject, IndirectObject]) -> None:
    name, ref = form
    page = writer.pages[place.page - 1]
    height = float(page.mediabox.height)
    left, base = diagram.origin
    scale = place.scale
    x = place.x * PT_PER_MM - left * scale
    y = height - (place.y + diagram.height * place.scale) * PT_PER_MM - base * scale
    ops = ["q"]
    if place.clip:
        cx, cy, cw, ch = (value * PT_PER_MM for value in place.clip)
        ops.append(f"{cx:.3f} {height - cy - ch:.3f} {cw:.3f} {ch:.3f} re W n")
    ops.append(f"{scale:.5f} 0 0 {scale:.5f} {x:.3f} {y:.3f} cm {name} Do Q")
    resources = cast(DictionaryObject, page[PageAttributes.RESOURCES].get_object())
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    cast(DictionaryObject, resources["/XObject"].get_object())[name] = ref
    stream = DecodedStreamObject()
    stream.set_data(" ".join(ops).encode("ascii"))
    added = writer._add_object(stream)
    contents = page[PageAttributes.CONTENTS]  # the diagram goes first: cut marks and captions stay on top
    existing = contents.get_object()
    if isinstance(existing, ArrayObject):
        existing.insert(0, added)
    else:
        page[NameObject(PageAttributes.CONTENTS)] = ArrayObject([added, contents])
