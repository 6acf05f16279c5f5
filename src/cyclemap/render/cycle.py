"""The cycle layout: the outcome at the centre, the phases clockwise around it.

Pre starts at twelve o'clock, then during, then post, and an arrow runs from
the last activity back to the first. Each activity's subcycle hangs outside it
on a card, placed where it overlaps nothing and keeps the picture close to
the shape of landscape paper.
"""

from __future__ import annotations

import math

from cyclemap.render.geometry import GAP, Card, Drawing, Rect, outline_card, pos
from cyclemap.render.scene import Box, Scene
from cyclemap.render.style import INK, MUTED, PHASE_INK, SUB_EDGE
from cyclemap.render.text import html_text, text_width, wrap

ASPECT = 1.45
"""The ring is an ellipse this much wider than tall, to suit landscape paper."""
PHASE_GAP = 0.6
"""Extra room between phases, in units of one activity's share of the ring."""
PHASE_SIZE = 17.0
TURNS = (0, 30, -30, 60, -60, 90, -90)
"""Directions tried for a subcycle card, in degrees from straight outwards."""


def cycle_dot(scene: Scene) -> str:
    """DOT text of the cycle layout, every node's position pinned."""
    drawing = Drawing(scene)
    centre = _centre_rect(scene)
    ring = [b for phase in scene.phases for b in phase.boxes]
    angles = _angles(scene, ring)
    radius = _ring_radius(ring, angles, centre)
    spots = [Rect(*_on_ring(radius, a), b.width, b.height) for b, a in zip(ring, angles, strict=True)]
    drawing.nodes.append(("outcome", {"pos": pos(centre), **_centre_attrs(scene, centre)}))
    drawing.rects.append(centre)
    for box, spot in zip(ring, spots, strict=True):
        drawing.box(box, spot)
    _phase_labels(drawing, angles, radius)
    for box, spot, angle in zip(ring, spots, angles, strict=True):
        columns = _columns(box, angle)
        card = outline_card(box, mirrored=columns == 1 and math.sin(angle) < -0.35, columns=columns)
        if card is not None:
            drawing.card(_place_card(card, spot, angle, drawing.rects))
            connector = {"color": SUB_EDGE, "penwidth": "1.6", "arrowhead": "none"}
            drawing.edges.append((box.key, f"{box.key}_sub", connector))
    for (a, phase), (b, _) in _ring_pairs(scene):
        drawing.edges.append((a.key, b.key, {"penwidth": "3", "color": PHASE_INK[phase]}))
    drawing.legend()
    return drawing.dot("cycle")


def _columns(box: Box, angle: float) -> int:
    """Cards above and below the ring grow sideways: two columns once they are tall."""
    rows = sum(1 for _ in _descendants(box))
    return 2 if abs(math.cos(angle)) > 0.6 and rows >= 4 else 1


def _descendants(box: Box) -> list[Box]:
    out = []
    for child in box.children:
        out += [child, *_descendants(child)]
    return out


def _ring_pairs(scene: Scene) -> list[tuple[tuple[Box, str], tuple[Box, str]]]:
    ring = [(b, phase.key) for phase in scene.phases for b in phase.boxes]
    return list(zip(ring, ring[1:] + ring[:1], strict=True)) if len(ring) > 1 else []


def _on_ring(radius: float, angle: float) -> tuple[float, float]:
    """A point of the ring, clockwise from twelve o'clock."""
    return ASPECT * radius * math.sin(angle), radius * math.cos(angle)


def _tangential(width: float, height: float, angle: float) -> float:
    """How much room a box takes along the ring at `angle`."""
    return width * abs(math.cos(angle)) + height * abs(math.sin(angle))


def _angles(scene: Scene, ring: list[Box]) -> list[float]:
    """Angle of each top-level box, its share of the ring sized to what it needs there.

    Boxes at the top and bottom need their width along the ring, boxes at the
    sides only their height; a few rounds of re-sharing settle the angles.
    """
    leads = [
        PHASE_GAP if number == 0 and index > 0 else 0.0
        for index, phase in enumerate(scene.phases)
        for number, _ in enumerate(phase.boxes)
    ]
    cards = [outline_card(b) for b in ring]
    angles = [2 * math.pi * (i + 0.5) / len(ring) for i in range(len(ring))]
    for _ in range(4):
        needs = [
            _tangential(b.width, b.height, a) + (0.3 * _tangential(c.frame.w, c.frame.h, a) if c else 0.0)
            for b, c, a in zip(ring, cards, angles, strict=True)
        ]
        unit = sum(needs) / len(needs)
        weights = [need / unit + lead for need, lead in zip(needs, leads, strict=True)]
        total = sum(weights) + PHASE_GAP
        angles, at = [], PHASE_GAP / 2
        for weight, lead in zip(weights, leads, strict=True):
            angles.append(2 * math.pi * (at + lead + (weight - lead) / 2) / total)
            at += weight
    return angles


def _ring_radius(ring: list[Box], angles: list[float], centre: Rect) -> float:
    """Smallest radius at which neighbours on the ring, and the centre, do not touch."""
    radius = (centre.w / 2 + 2.5 * GAP + max(max(b.width, b.height) for b in ring) / 2) * 1.15
    count = len(ring)
    for i in range(count if count > 1 else 0):
        a, b = ring[i], ring[(i + 1) % count]
        dx = ASPECT * abs(math.sin(angles[(i + 1) % count]) - math.sin(angles[i]))
        dy = abs(math.cos(angles[(i + 1) % count]) - math.cos(angles[i]))
        need_x = (a.width + b.width) / 2 + GAP
        need_y = (a.height + b.height) / 2 + GAP
        radius = max(radius, min(need_x / dx if dx > 1e-9 else math.inf, need_y / dy if dy > 1e-9 else math.inf))
    return radius


def _centre_lines(scene: Scene) -> list[tuple[str, float]]:
    lines = [("DESIRED OUTCOME", 10.0)]
    return lines + [(line, 16.0) for line in wrap(scene.outcome, 190, 16.0, bold=True, max_lines=6)]


def _centre_rect(scene: Scene) -> Rect:
    lines = _centre_lines(scene)
    width = max(text_width(t, s, bold=True) for t, s in lines)
    height = sum(s * 1.25 for _, s in lines)
    side = max(width, height) * 1.18 + 24
    return Rect(0.0, 0.0, side, side)


def _centre_attrs(scene: Scene, centre: Rect) -> dict[str, str]:
    rows = []
    for index, (text, size) in enumerate(_centre_lines(scene)):
        colour = f' COLOR="{MUTED}"' if index == 0 else ""
        rows.append(f'<FONT POINT-SIZE="{size:g}"{colour}><B>{html_text(text)}</B></FONT>')
    return {
        "label": "<" + "<BR/>".join(rows) + ">",
        "shape": "circle",
        "width": f"{centre.w / 72:.3f}",
        "fixedsize": "true",
        "style": "filled,bold",
        "fillcolor": "#f4f4f4",
        "color": INK,
        "penwidth": "2.5",
    }


def _phase_labels(drawing: Drawing, angles: list[float], radius: float) -> None:
    """Each phase's name just inside the ring, at the middle of its arc."""
    first = 0
    obstacles = list(drawing.rects)
    for phase in drawing.scene.phases:
        middle = (angles[first] + angles[first + len(phase.boxes) - 1]) / 2
        first += len(phase.boxes)
        size = (text_width(phase.label.upper(), PHASE_SIZE, bold=True) + 12, PHASE_SIZE * 1.8)
        # Just inside the ring if the name fits there, else just outside it.
        for step in [*range(100, 30, -2), *range(104, 200, 4)]:
            rect = Rect(*_on_ring(radius * step / 100, middle), *size)
            if not any(rect.overlaps(o, 10) for o in obstacles):
                break
        drawing.rects.append(rect)
        drawing.nodes.append(
            (
                f"phase_{phase.key}",
                {
                    "label": f"<<B>{html_text(phase.label.upper())}</B>>",
                    "shape": "plaintext",
                    "fontsize": f"{PHASE_SIZE:g}",
                    "fontcolor": PHASE_INK[phase.key],
                    "pos": pos(rect),
                    "width": f"{rect.w / 72:.3f}",
                    "height": f"{rect.h / 72:.3f}",
                    "fixedsize": "true",
                },
            )
        )


def _place_card(card: Card, anchor: Rect, angle: float, obstacles: list[Rect]) -> Card:
    """Where a subcycle card goes: clear of everything, near its activity.

    Candidates lie outwards from the activity and turned up to 90 degrees
    either way; the winner keeps the picture closest to landscape paper, near
    its activity, with its connector crossing nothing.
    """
    best: tuple[float, Rect] = (math.inf, card.frame)
    for turn in TURNS:
        spot, distance = _clear_spot(anchor, angle + math.radians(turn), card.frame, obstacles)
        crossed = sum(_crosses(anchor, spot, o) for o in obstacles if o is not anchor)
        cost = _paper_cost([*obstacles, spot]) + 1.5 * distance + 400 * crossed
        if cost < best[0]:
            best = (cost, spot)
    return card.moved_to(best[1].x, best[1].y)


def _clear_spot(anchor: Rect, direction: float, size: Rect, obstacles: list[Rect]) -> tuple[Rect, float]:
    """The nearest place for a box of `size` along `direction` that overlaps nothing."""
    ux, uy = math.sin(direction), math.cos(direction)
    distance = (abs(ux) * (anchor.w + size.w) + abs(uy) * (anchor.h + size.h)) / 2 + GAP
    in_path = [o for o in obstacles if _in_path(anchor, (ux, uy), distance, size, o)]
    while True:
        spot = Rect(anchor.x + ux * distance, anchor.y + uy * distance, size.w, size.h)
        if not any(spot.overlaps(o) for o in in_path):
            return spot, distance
        distance += 6


def _in_path(anchor: Rect, direction: tuple[float, float], start: float, size: Rect, other: Rect) -> bool:
    """Whether a box of `size` sliding from `anchor` along `direction`, from `start` on, can touch `other`.

    Projections across and along the path; generous by a point, so leaving
    the other obstacles out (for speed on large maps) never moves a card.
    """
    ux, uy = direction
    dx, dy = other.x - anchor.x, other.y - anchor.y
    reach_x, reach_y = (size.w + other.w) / 2 + GAP + 1, (size.h + other.h) / 2 + GAP + 1
    across = abs(dx * uy - dy * ux) < reach_x * abs(uy) + reach_y * abs(ux)
    return across and dx * ux + dy * uy + reach_x * abs(ux) + reach_y * abs(uy) > start


def _crosses(a: Rect, b: Rect, box: Rect) -> bool:
    """Whether the segment between the centres of `a` and `b` passes through `box`."""
    low, high = 0.0, 1.0
    dx, dy = b.x - a.x, b.y - a.y
    for p, q in ((-dx, a.x - box.left), (dx, box.right - a.x), (-dy, a.y - box.bottom), (dy, box.top - a.y)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        low, high = (max(low, t), high) if p < 0 else (low, min(high, t))
        if low > high:
            return False
    return True


def _paper_cost(rects: list[Rect]) -> float:
    """Width of the A-series landscape sheet the rectangles need, at 1:1."""
    width = max(r.right for r in rects) - min(r.left for r in rects)
    height = max(r.top for r in rects) - min(r.bottom for r in rects)
    return max(width, height * math.sqrt(2))
