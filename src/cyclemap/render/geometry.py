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


@dataclass(frozen=True, slots=True)
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

    def slabs(self, half_w: float, half_h: float) -> list[Slab]:
        """Where a box of half-size (`half_w`, `half_h`) overlaps this one: its centre inside both slabs."""
        return [(1.0, 0.0, self.x, self.w / 2 + half_w), (0.0, 1.0, self.y, self.h / 2 + half_h)]


Slab = tuple[float, float, float, float]
"""(nx, ny, middle, reach): the points (x, y) with |nx * x + ny * y - middle| < reach."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A straight line from (ax, ay) to (bx, by): an arrow drawn between the centres of two boxes."""

    ax: float
    ay: float
    bx: float
    by: float

    @classmethod
    def between(cls, a: Rect, b: Rect) -> Segment:
        return cls(a.x, a.y, b.x, b.y)

    @property
    def bounds(self) -> Rect:
        """The smallest box holding the line."""
        return Rect((self.ax + self.bx) / 2, (self.ay + self.by) / 2, abs(self.bx - self.ax), abs(self.by - self.ay))

    def slabs(self, half_w: float, half_h: float) -> list[Slab]:
        """Where a box of half-size (`half_w`, `half_h`) meets the line: its centre inside every slab.

        The centres of the boxes that meet a line form a hexagon (the line
        swept by the box), whose sides face along x, along y and across the line.
        """
        found = Rect.slabs(self.bounds, half_w, half_h)
        nx, ny = self.ay - self.by, self.bx - self.ax
        if nx or ny:
            found.append((nx, ny, nx * self.ax + ny * self.ay, abs(nx) * half_w + abs(ny) * half_h))
        return found

    def reaches(self, rect: Rect, gap: float = GAP) -> bool:
        """Whether the line comes closer to `rect` than `gap` (on each axis), as `Rect.overlaps` does for boxes.

        The test of `slabs`, written out: it runs for every step of every card's search.
        """
        half_w, half_h = rect.w / 2 + gap, rect.h / 2 + gap
        ax, ay, bx, by = self.ax, self.ay, self.bx, self.by
        if not (min(ax, bx) - half_w < rect.x < max(ax, bx) + half_w):
            return False
        if not (min(ay, by) - half_h < rect.y < max(ay, by) + half_h):
            return False
        nx, ny = ay - by, bx - ax
        return abs(nx * (rect.x - ax) + ny * (rect.y - ay)) < abs(nx) * half_w + abs(ny) * half_h or not (nx or ny)

    def crosses(self, other: Segment) -> bool:
        """Whether the two lines cross at a point inside both (touching at an end does not count)."""
        return _sides(self, other.ax, other.ay) * _sides(self, other.bx, other.by) < 0 and (
            _sides(other, self.ax, self.ay) * _sides(other, self.bx, self.by) < 0
        )


def _sides(line: Segment, x: float, y: float) -> float:
    """Positive on the left of `line` (looking from its start to its end), negative on its right, 0 on it."""
    return (line.bx - line.ax) * (y - line.ay) - (line.by - line.ay) * (x - line.ax)


T = TypeVar("T")


class Grid(Generic[T]):
    """A uniform grid hash of boxes: what lies near a place, without looking at everything.

    Each item is filed under every square cell its box touches, so a search
    looks only at the few cells around the place asked about; a line is filed
    under the cells it passes through. The answer is a superset of the items
    whose boxes or lines come within `margin` of it (by a point more, against
    rounding), in the order they were added.
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

    def add_line(self, line: Segment, item: T) -> None:
        """File `item` under only the cells `line` passes through (a long slanting line misses most of its bounds)."""
        index = len(self._items)
        self._items.append(item)
        cell = self.cell
        for x, y in self._keys(line.bounds, 0.0):
            if line.reaches(Rect((x + 0.5) * cell, (y + 0.5) * cell, cell, cell), 1.0):
                self._cells.setdefault((x, y), []).append(index)

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


@dataclass(slots=True)
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
    lines: list[Segment] = field(default_factory=list)
    """Straight arrows, drawn between box centres, that the key must not hide."""

    def box(self, box: Box, rect: Rect) -> None:
        self.nodes.append((box.key, {"pos": pos(rect), **node_attrs(box)}))
        self.rects.append(rect)

    def card(self, card: Card) -> None:
        self.nodes.append((f"{card.owner.key}_sub", _card_attrs(card)))
        self.rects.append(card.frame)
        for box, rect in card.rows:
            self.box(box, rect)

    def legend(self) -> None:
        """The key at a corner of the picture, `GAP` clear of every box and line drawn.

        Inside a corner if one has room (lower right, upper right, lower left,
        upper left, in that order). Else pushed out of a corner, sideways or
        up or down, just as far as it must go: the way that keeps the picture
        closest to the shape of landscape paper, then the shortest. It is
        placed once, looking at everything drawn (a few thousand boxes at most).
        """
        w, h = legend_size(self.scene)
        left, right = min(r.left for r in self.rects), max(r.right for r in self.rects)
        bottom, top = min(r.bottom for r in self.rects), max(r.top for r in self.rects)
        corners = [(right - w / 2, bottom + h / 2, 1, -1), (right - w / 2, top - h / 2, 1, 1)]
        corners += [(left + w / 2, bottom + h / 2, -1, -1), (left + w / 2, top - h / 2, -1, 1)]
        spot = next((Rect(x, y, w, h) for x, y, _, _ in corners if self._room(Rect(x, y, w, h))), None)
        if spot is None:
            pushed = []
            for x, y, outward_x, outward_y in corners:
                corner = Rect(x, y, w, h)
                push_x, push_y = self._push(corner, 0, outward_x), self._push(corner, 1, outward_y)
                pushed += [(corner.moved(outward_x * push_x, 0.0), push_x)]
                pushed += [(corner.moved(0.0, outward_y * push_y), push_y)]
            extent = Rect((left + right) / 2, (bottom + top) / 2, right - left, top - bottom)
            # Rounded, so that corners alike in all but rounding keep their order.
            spot = min(pushed, key=lambda moved: (round(_paper(extent, moved[0]), 2), round(moved[1], 2)))[0]
        label = legend_label(self.scene)
        self.nodes.append(("legend", {"label": label, "shape": "plaintext", "pos": pos(spot)}))

    def _room(self, spot: Rect) -> bool:
        """Whether `spot` keeps `GAP` away from every box and line drawn."""
        return not any(spot.overlaps(r) for r in self.rects) and not any(line.reaches(spot) for line in self.lines)

    def _push(self, spot: Rect, axis: int, sign: int) -> float:
        """How far `spot` must move along x (`axis` 0) or y (1), forwards (`sign` 1) or back (-1), to have room.

        Whatever lies across its path, within `GAP` of its sides, must end up
        `GAP` behind it; what lies beside its path never meets it.
        """
        lo, hi = (spot.bottom, spot.top) if axis == 0 else (spot.left, spot.right)
        lo, hi = lo - GAP, hi + GAP
        along = spot.x if axis == 0 else spot.y
        behind = sign * along - (spot.w if axis == 0 else spot.h) / 2
        reach = [_rect_reach(r, axis, sign, lo, hi) for r in self.rects]
        reach += [_line_reach(line, axis, sign, lo, hi) for line in self.lines]
        return max([0.0] + [far + GAP - behind for far in reach if far is not None])

    def dot(self, name: str) -> str:
        """The DOT source. It takes the nodes and edges: each one's attributes are let go once written,
        so a big map's drawing does not hold every attribute and every written line at once."""
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
        nodes, self.nodes = self.nodes, []
        nodes.reverse()
        while nodes:
            key, attrs = nodes.pop()
            graph.node(key, **attrs)
        edges, self.edges = self.edges, []
        edges.reverse()
        while edges:
            graph.body.append(edge_line(*edges.pop()))
        return str(graph.source)


def edge_line(tail: str, head: str, attrs: dict[str, str]) -> str:
    """A DOT edge statement between two nodes named exactly `tail` and `head`.

    `graphviz.Digraph.edge` reads a ':' in a name as a port (`node:port`), and a
    landscape's nodes are named by their tooltips, which hold the map's text.
    """
    from graphviz.quoting import attr_list, quote

    return f"\t{quote(tail)} -> {quote(head)}{attr_list(kwargs=attrs)}\n"


def _rect_reach(rect: Rect, axis: int, sign: int, lo: float, hi: float) -> float | None:
    """How far forwards (`sign` times x or y, by `axis`) `rect` reaches, if it lies across the band `lo` to `hi`."""
    if axis == 0:
        return max(sign * rect.left, sign * rect.right) if rect.bottom < hi and rect.top > lo else None
    return max(sign * rect.bottom, sign * rect.top) if rect.left < hi and rect.right > lo else None


def _line_reach(line: Segment, axis: int, sign: int, lo: float, hi: float) -> float | None:
    """How far forwards (`sign` times x or y, by `axis`) the part of `line` inside the band `lo` to `hi` reaches."""
    ends = (line.ax, line.ay, line.bx, line.by)
    a, a_across, b, b_across = ends if axis == 0 else (ends[1], ends[0], ends[3], ends[2])
    if a_across == b_across:
        return max(sign * a, sign * b) if lo < a_across < hi else None
    t0, t1 = sorted(((lo - a_across) / (b_across - a_across), (hi - a_across) / (b_across - a_across)))
    t0, t1 = max(t0, 0.0), min(t1, 1.0)
    return max(sign * (a + t0 * (b - a)), sign * (a + t1 * (b - a))) if t0 < t1 else None


def _paper(extent: Rect, spot: Rect) -> float:
    """Width of the A-series landscape sheet `extent` and `spot` together need, at 1:1."""
    width = max(extent.right, spot.right) - min(extent.left, spot.left)
    return max(width, (max(extent.top, spot.top) - min(extent.bottom, spot.bottom)) * math.sqrt(2))


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
