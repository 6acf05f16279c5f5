"""Diagrams for the pack: Graphviz draws them as PDF, pypdf stamps them onto pages.

Stamping keeps a diagram exactly as `cyclemap render -f pdf` draws it: vector
shapes and real text in the same embedded fonts, at any scale.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from cyclemap.render.graphviz_run import run_graphviz

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
    """Where a diagram goes: 1-based page, top-left corner in mm, and scale."""

    key: str
    page: int
    x: float
    y: float
    scale: float


def draw_diagrams(sources: Mapping[str, str], timeout: float) -> dict[str, Diagram]:
    """Draw every DOT source (neato -n2, as `cyclemap render` does), several at once."""
    keys = sorted(sources)
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        drawn = list(pool.map(lambda key: run_graphviz(sources[key], "neato", "pdf", timeout, ("-n2",)), keys))
    return {key: _diagram(data) for key, data in zip(keys, drawn, strict=True)}


def _diagram(data: bytes) -> Diagram:
    page = PdfReader(io.BytesIO(data)).pages[0]
    box = page.mediabox
    origin = (float(box.left), float(box.bottom))
    return Diagram(page, float(box.width) / PT_PER_MM, float(box.height) / PT_PER_MM, origin)


def stamp(document: bytes, placements: list[Placement], diagrams: Mapping[str, Diagram]) -> bytes:
    """`document` with each diagram drawn at its placement."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    for place in placements:
        diagram = diagrams[place.key]
        page = writer.pages[place.page - 1]
        page_height = float(page.mediabox.height)
        bottom = page_height - (place.y + diagram.height * place.scale) * PT_PER_MM
        left, base = diagram.origin
        move = Transformation().translate(-left, -base).scale(place.scale).translate(place.x * PT_PER_MM, bottom)
        page.merge_transformed_page(diagram.page, move)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
