"""Boxes in the plane and the pieces both layouts are built from.

Both layouts compute every position themselves and let Graphviz (`neato -n2`)
only draw, so the order of activities is exactly the map's order and the same
map always gives the same picture.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from cyclemap.render.graphviz_run import TIMEOUT_HINT, LayoutError
from cyclemap.render.scene import Box, Scene
from cyclemap.render.style import FONT, INK, PHASE_TINT, legend_label, legend_size, node_attrs, title_label

GAP = 14.0
"""Least space between two boxes, in points."""
INDENT = 26.0
"""How far each subcycle level is indented in an outline."""
ROW_GAP = 10.0
FRAME_PAD = 8.0


@dataclass(frozen=True)
class Rect:
    """An axis-aligned box by centre and size (points, y up)."""

    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Rect, gap: float = GAP) -> bool:
        return (
            abs(self.x - other.x) * 2 < self.w + other.w + 2 * gap
            and abs(self.y - other.y) * 2 < self.h + other.h + 2 * gap
        )

    def moved(self, dx: float, dy: float) -> Rect:
        return Rect(self.x + dx, self.y + dy, self.w, self.h)

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def right(self) -> float:
        return self.x + self.w / 2

    @property
    def top(self) -> float:
        return self.y + self.h / 2

    @property
    def bottom(self) -> float:
        return self.y - self.h / 2


T = TypeVar("T")


class Grid(Generic[T]):
    """A uniform grid hash of boxes: what lies near a place, without looking at everything.

    Each item is filed under every square cell its box touches, so a search
    looks only at the few cells around the place asked about. The answer is a
    superset of the items whose boxes come within `margin` of it (by a point
    more, against rounding), in the order they were added.
    """

    def __init__(self, cell: float = 240.0) -> None:
        self.cell = cell
        self._cells: dict[tuple[int, int], list[int]] = {}
        self._items: list[T] = []

    def add(self, rect: Rect, item: T) -> None:
        index = len(self._items)
        self._items.append(item)
        for key in self._keys(rect, 0.0):
            self._cells.setdefault(key, []).append(index)

    def near(self, rect: Rect, margin: float = 0.0) -> list[T]:
        found: set[int] = set()
        for key in self._keys(rect, margin + 1.0):
            found.update(self._cells.get(key, ()))
        return [self._items[i] for i in sorted(found)]

    def _keys(self, rect: Rect, margin: float) -> list[tuple[int, int]]:
        cell = self.cell
        x0, x1 = math.floor((rect.left - margin) / cell), math.floor((rect.right + margin) / cell)
        y0, y1 = math.floor((rect.bottom - margin) / cell), math.floor((rect.top + margin) / cell)
        return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


@dataclass(frozen=True)
class Deadline:
    """When a layout must give up (`render --timeout`, `workshop --timeout`), on the monotonic clock."""

    seconds: float
    """The time allowed, as the user gave it, for the message."""
    at: float
    """`time.monotonic()` value from which the work stops."""
    hint: str = TIMEOUT_HINT
    """What the user can do about it, with the command's own options: the end of the error."""

    @classmethod
    def after(cls, seconds: float, hint: str = TIMEOUT_HINT) -> Deadline:
        return cls(seconds, time.monotonic() + seconds, hint)

    def check(self, layout: str) -> None:
        """Stop with the same error as a Graphviz run that takes too long, once the time is up."""
        if time.monotonic() >= self.at:
            raise LayoutError(f"The {layout} layout took longer than {self.seconds:g} s and was stopped. {self.hint}")


@dataclass
class Card:
    """A subcycle drawn as an indented outline on a tinted card."""

    owner: Box
    frame: Rect
    rows: list[tuple[Box, Rect]]

    def moved_to(self, x: float, y: float) -> Card:
        dx, dy = x - self.frame.x, y - self.frame.y
        return Card(self.owner, self.frame.moved(dx, dy), [(b, r.moved(dx, dy)) for b, r in self.rows])


def outline_card(owner: Box, mirrored: bool = False, columns: int = 1) -> Card | None:
    """The descendants of `owner` as an outline card centred on (0, 0).

    Each level is indented; `mirrored` indents to the left instead, for cards
    on the left of a picture so that they grow away from it. With several
    `columns`, the sub-activities (each with its own subcycle) are dealt into
    side-by-side columns in order, for a wider, flatter card.
    """
    if not owner.children:
        return None
    groups = [_outline_rows(child, mirrored) for child in owner.children]
    rows: list[tuple[Box, Rect]] = []
    x = 0.0
    for column in _deal(groups, columns):
        placed = _stack(column)
        width = max(abs(r.x) + r.w / 2 for _, r in placed)
        shift = -x if mirrored else x
        rows += [(b, r.moved(shift, 0.0)) for b, r in placed]
        x += width + GAP
    left = min(r.left for _, r in rows) - FRAME_PAD
    right = max(r.right for _, r in rows) + FRAME_PAD
    bottom = min(r.bottom for _, r in rows) - FRAME_PAD
    frame = Rect((left + right) / 2, (FRAME_PAD + bottom) / 2, right - left, FRAME_PAD - bottom)
    return Card(owner, frame, rows).moved_to(0.0, 0.0)


def _outline_rows(root: Box, mirrored: bool) -> list[tuple[Box, float]]:
    """`root` and its descendants in order, each with its x offset (centre)."""
    rows: list[tuple[Box, float]] = []
    stack = [(root, 0)]
    while stack:
        box, level = stack.pop()
        offset = level * INDENT + box.width / 2
        rows.append((box, -offset if mirrored else offset))
        stack.extend((child, level + 1) for child in reversed(box.children))
    return rows


def _deal(groups: list[list[tuple[Box, float]]], columns: int) -> list[list[tuple[Box, float]]]:
    """Split groups of rows into up to `columns` runs of about equal height, in order."""
    heights = [sum(b.height + ROW_GAP for b, _ in g) for g in groups]
    target = sum(heights) / max(1, min(columns, len(groups)))
    dealt: list[list[tuple[Box, float]]] = [[]]
    filled = 0.0
    for group, height in zip(groups, heights, strict=True):
        if dealt[-1] and filled + height / 2 > target and len(dealt) < columns:
            dealt.append([])
            filled = 0.0
        dealt[-1].extend(group)
        filled += height
    return dealt


def _stack(rows: list[tuple[Box, float]]) -> list[tuple[Box, Rect]]:
    top = 0.0
    placed = []
    for box, x in rows:
        placed.append((box, Rect(x, top - box.height / 2, box.width, box.height)))
        top -= box.height + ROW_GAP
    return placed


@dataclass
class Drawing:
    """Everything to draw, in drawing order, with pinned positions."""

    scene: Scene
    subtitle: str = ""
    titled: bool = True
    nodes: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)

    def box(self, box: Box, rect: Rect) -> None:
        self.nodes.append((box.key, {"pos": pos(rect), **node_attrs(box)}))
        self.rects.append(rect)

    def card(self, card: Card) -> None:
        self.nodes.append((f"{card.owner.key}_sub", _card_attrs(card)))
        self.rects.append(card.frame)
        for box, rect in card.rows:
            self.box(box, rect)

    def legend(self) -> None:
        """The key in the lower right corner: inside the picture if there is room, else below."""
        w, h = legend_size(self.scene)
        right = max(r.right for r in self.rects)
        bottom = min(r.bottom for r in self.rects)
        spot = Rect(right - w / 2, bottom + h / 2, w, h)
        if any(spot.overlaps(r) for r in self.rects):
            spot = Rect(right - w / 2, bottom - h / 2 - GAP, w, h)
        label = legend_label(self.scene)
        self.nodes.append(("legend", {"label": label, "shape": "plaintext", "pos": pos(spot)}))

    def dot(self, name: str) -> str:
        import graphviz  # here, not at the top: Mermaid output and `cyclemap report` start without it

        graph = graphviz.Digraph(name, engine="neato")
        graph.attr(
            label=title_label(self.scene, self.subtitle) if self.titled else "",
            labelloc="t",
            fontname=FONT,
            fontcolor=INK,
            splines="line",
            outputorder="nodesfirst",
            pad="0.5",
            bgcolor="white",
        )
        graph.attr("node", fontname=FONT, fontsize="11", margin="0")
        graph.attr("edge", arrowsize="0.8")
        for key, attrs in self.nodes:
            graph.node(key, **attrs)
        for tail, head, attrs in self.edges:
            graph.edge(tail, head, **attrs)
        return str(graph.source)


def pos(rect: Rect) -> str:
    return f"{rect.x:.1f},{rect.y:.1f}!"


def _card_attrs(card: Card) -> dict[str, str]:
    return {
        "label": "",
        "shape": "box",
        "style": "rounded,filled",
        "color": "#b8b8b8",
        "fillcolor": PHASE_TINT[card.owner.phase],
        "pos": pos(card.frame),
        "width": f"{card.frame.w / 72:.3f}",
        "height": f"{card.frame.h / 72:.3f}",
        "fixedsize": "true",
    }
