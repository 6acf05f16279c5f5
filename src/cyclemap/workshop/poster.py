"""The cycle poster: on one sheet, or tiled over several with an overlap to trim and tape.

Pure geometry in millimetres; `pages.poster` draws what `plan_poster` decides.

>>> plan = plan_poster((675.0, 566.0), Frame(8, 20, 281, 177), "tiles")
>>> (plan.columns, plan.rows, len(plan.tiles), round(plan.scale, 2))
(2, 3, 6, 0.81)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cyclemap.render.scene import METRIC_SIZE

POSTER_MODES = ("auto", "fit", "tiles")
"""`--poster`: one sheet when legible there, else tiles (up to MOST_AUTO_SHEETS); always one; always tiles."""
MOST_AUTO_SHEETS = 16
"""Most sheets `auto` tiles a poster over (16 sheets make the paper size four sizes up: A4 -> A0)."""
MOST_SHEETS = 100
"""Most sheets even `tiles` uses; a bigger poster goes on one sheet, to print on a plotter."""
MIN_TEXT_PT = 6.0
"""The smallest text the pack prints."""
SMALLEST_DIAGRAM_TEXT = METRIC_SIZE
"""Points of the smallest text in a diagram at full size (the scores under a name, the key)."""
LEGIBLE_SCALE = MIN_TEXT_PT / SMALLEST_DIAGRAM_TEXT
TILE_SCALE = 0.75
"""Scale of a tiled poster before it grows to fill its sheets: the smallest text prints at 7.5 pt."""
MOST_SCALE = 1.6
"""Largest enlargement of a small map's cycle."""
OVERLAP = 12.0
"""Millimetres of picture a sheet repeats from its neighbour, to overlap and tape."""
ISO_PAPERS = (("A3", 420.0, 297.0), ("A2", 594.0, 420.0), ("A1", 841.0, 594.0), ("A0", 1189.0, 841.0))


@dataclass(frozen=True)
class Frame:
    """The part of a sheet a poster may use, in mm from the sheet's top-left corner."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class Tile:
    """One sheet of a poster: where the diagram's top-left corner goes on it."""

    row: int
    column: int
    x: float
    y: float


@dataclass(frozen=True)
class PosterPlan:
    scale: float
    columns: int
    rows: int
    tiles: tuple[Tile, ...]

    @property
    def tiled(self) -> bool:
        return len(self.tiles) > 1

    @property
    def smallest_text(self) -> float:
        """Points of the smallest text as printed."""
        return SMALLEST_DIAGRAM_TEXT * self.scale


def plan_poster(size: tuple[float, float], frame: Frame, mode: str) -> PosterPlan:
    """How a diagram of `size` (width, height mm) goes onto sheets whose usable part is `frame`."""
    width, height = size
    fit = min(frame.width / width, frame.height / height, MOST_SCALE)
    if mode == "fit" or (mode == "auto" and fit >= LEGIBLE_SCALE):
        x = frame.left + (frame.width - width * fit) / 2
        y = frame.top + (frame.height - height * fit) / 2
        return PosterPlan(fit, 1, 1, (Tile(0, 0, x, y),))
    step_x, step_y = frame.width - OVERLAP, frame.height - OVERLAP
    columns = max(1, math.ceil((width * TILE_SCALE - OVERLAP) / step_x))
    rows = max(1, math.ceil((height * TILE_SCALE - OVERLAP) / step_y))
    across, down = columns * step_x + OVERLAP, rows * step_y + OVERLAP
    scale = min(across / width, down / height, max(MOST_SCALE, TILE_SCALE))
    if columns * rows > (MOST_AUTO_SHEETS if mode == "auto" else MOST_SHEETS):
        return plan_poster(size, frame, "fit")
    pad_x, pad_y = (across - width * scale) / 2, (down - height * scale) / 2
    tiles = tuple(
        Tile(row, column, frame.left + pad_x - column * step_x, frame.top + pad_y - row * step_y)
        for row in range(rows)
        for column in range(columns)
    )
    return PosterPlan(scale, columns, rows, tiles)


def paper_for(size: tuple[float, float], margin: float) -> str | None:
    """The smallest ISO paper (landscape) on which the whole poster prints legibly, if any."""
    width, height = size
    for name, paper_w, paper_h in ISO_PAPERS:
        if min((paper_w - 2 * margin) / width, (paper_h - 2 * margin) / height) >= LEGIBLE_SCALE:
            return name
    return None
