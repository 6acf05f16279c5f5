"""The cycle layout: the outcome at the centre, the phases clockwise around it.

Pre starts at twelve o'clock, then during, then post, and an arrow runs from
the last activity back to the first. Each activity's subcycle hangs outside it
on a card, placed where it overlaps nothing and keeps the picture close to
the shape of landscape paper.
"""

from __future__ import annotations

import math

from cyclemap.render.geometry import GAP, Card, Deadline, Drawing, Grid, Rect, Segment, outline_card, pos
from cyclemap.render.scene import Box, Scene
from cyclemap.render.style import INK, MUTED, PHASE_INK, SUB_EDGE
from cyclemap.render.text import html_text, text_width, upper, wrap

ASPECT = 1.45
"""The ring is an ellipse this much wider than tall, to suit landscape paper."""
PHASE_GAP = 0.6
"""Extra room between phases, in units of one activity's share of the ring."""
PHASE_SIZE = 17.0
TURNS = (0, 30, -30, 60, -60, 90, -90)
"""Directions tried for a subcycle card, in degrees from straight outwards."""
SURE = 0.01
"""Points by which a sliding card must overlap a box for the search to pass over its steps unseen."""


def cycle_dot(scene: Scene, deadline: Deadline | None = None) -> str:
    """DOT text of the cycle layout, every node's position pinned.

    With a `deadline`, the layout stops with a `LayoutError` once it has passed.
    """
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
    drawing.lines = _ring_lines(spots)
    obstacles = Obstacles(drawing.rects, drawing.lines)
    _phase_labels(drawing, angles, radius, obstacles)
    for box, spot, angle in zip(ring, spots, angles, strict=True):
        if deadline is not None:
            deadline.check("cycle")
        columns = _columns(box, angle)
        card = outline_card(box, mirrored=columns == 1 and math.sin(angle) < -0.35, columns=columns)
        if card is not None:
            placed = _place_card(card, spot, angle, obstacles)
            obstacles.add_card(placed)
            drawing.card(placed)
            connector = {"color": SUB_EDGE, "penwidth": "1.6", "arrowhead": "none"}
            drawing.edges.append((box.key, f"{box.key}_sub", connector))
    for (a, phase), (b, _) in _ring_pairs(scene):
        drawing.edges.append((a.key, b.key, {"penwidth": "3", "color": PHASE_INK[phase]}))
    drawing.legend()
    return drawing.dot("cycle")


class Obstacles:
    """What a subcycle card must keep clear of, indexed by place so that each card looks only nearby.

    Boxes, and the arrows of the ring (lines between the centres of
    neighbouring activities): a card over an arrow hides where the cycle goes.
    A card's rows lie inside its frame, so only frames are searched for room;
    a connector across a card crosses the frame and each row in its way, and
    each counts, as does each arrow it crosses. The extent of the boxes is
    kept as it grows (the arrows lie between boxes, inside it).
    """

    def __init__(self, rects: list[Rect], lines: list[Segment] | None = None) -> None:
        self.grid: Grid[tuple[Rect, list[Rect]]] = Grid()
        self.lines: Grid[Segment] = Grid()
        self.left = self.bottom = math.inf
        self.right = self.top = -math.inf
        for rect in rects:
            self.add(rect)
        for line in lines or []:
            self.lines.add_line(line, line)

    def add(self, rect: Rect, inside: list[Rect] | None = None) -> None:
        self.grid.add(rect, (rect, inside or []))
        self.left, self.right = min(self.left, rect.left), max(self.right, rect.right)
        self.bottom, self.top = min(self.bottom, rect.bottom), max(self.top, rect.top)

    def add_card(self, card: Card) -> None:
        self.add(card.frame, [r for _, r in card.rows])

    def clear(self, spot: Rect, gap: float = GAP) -> bool:
        """Whether `spot` keeps `gap` points away from every obstacle."""
        return not any(spot.overlaps(rect, gap) for rect, _ in self.grid.near(spot, gap)) and not any(
            line.reaches(spot, gap) for line in self.lines.near(spot, gap)
        )

    def blocking(self, spot: Rect) -> list[Rect | Segment]:
        """The obstacles `spot` comes closer to than `GAP`."""
        boxes: list[Rect | Segment] = [rect for rect, _ in self.grid.near(spot, GAP) if spot.overlaps(rect)]
        return boxes + [line for line in self.lines.near(spot, GAP) if line.reaches(spot)]

    def crossings(self, anchor: Rect, spot: Rect) -> int:
        """How many obstacles (rows of cards and arrows included) the line between the centres crosses, `anchor` aside.

        The arrows from and to `anchor` only touch the line at its start, so they do not count.
        """
        connector = Segment.between(anchor, spot)
        crossed = sum(connector.crosses(line) for line in self.lines.near(connector.bounds))
        for rect, inside in self.grid.near(connector.bounds):
            if rect is not anchor and _crosses(anchor, spot, rect):
                crossed += 1 + sum(_crosses(anchor, spot, row) for row in inside)
        return crossed

    def paper_cost(self, spot: Rect | None = None) -> float:
        """Width of the A-series landscape sheet everything needs (with `spot` added), at 1:1."""
        left, right, bottom, top = self.left, self.right, self.bottom, self.top
        if spot is not None:
            left, right = min(left, spot.left), max(right, spot.right)
            bottom, top = min(bottom, spot.bottom), max(top, spot.top)
        return max(right - left, (top - bottom) * math.sqrt(2))


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


def _ring_lines(spots: list[Rect]) -> list[Segment]:
    """The ring's arrows as drawn: straight from each activity's centre to the next one's, the last to the first."""
    return [Segment.between(a, b) for a, b in zip(spots, spots[1:] + spots[:1], strict=True)] if len(spots) > 1 else []


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
    """Smallest radius at which neighbours on the ring, and the centre, do not touch.

    The arrow between two neighbours keeps `GAP` clear of the centre too: on
    a ring of a few activities it is a long chord that passes close to it.
    """
    radius = (centre.w / 2 + 2.5 * GAP + max(max(b.width, b.height) for b in ring) / 2) * 1.15
    count = len(ring)
    for i in range(count if count > 1 else 0):
        a, b = ring[i], ring[(i + 1) % count]
        reach = _chord_reach(_on_ring(1.0, angles[i]), _on_ring(1.0, angles[(i + 1) % count]))
        radius = max(radius, (centre.w / 2 + GAP) / reach if reach > 1e-9 else 0.0)
        dx = ASPECT * abs(math.sin(angles[(i + 1) % count]) - math.sin(angles[i]))
        dy = abs(math.cos(angles[(i + 1) % count]) - math.cos(angles[i]))
        need_x = (a.width + b.width) / 2 + GAP
        need_y = (a.height + b.height) / 2 + GAP
        radius = max(radius, min(need_x / dx if dx > 1e-9 else math.inf, need_y / dy if dy > 1e-9 else math.inf))
    return radius


def _chord_reach(a: tuple[float, float], b: tuple[float, float]) -> float:
    """How close the line from `a` to `b` comes to the centre (0, 0)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = min(1.0, max(0.0, -(a[0] * dx + a[1] * dy) / length)) if length else 0.0
    return math.hypot(a[0] + t * dx, a[1] + t * dy)


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


def _phase_labels(drawing: Drawing, angles: list[float], radius: float, obstacles: Obstacles) -> None:
    """Each phase's name just inside the ring, at the middle of its arc, clear of the boxes and arrows.

    The names become obstacles for the cards once all three are placed.
    """
    first = 0
    labels = []
    for phase in drawing.scene.phases:
        middle = (angles[first] + angles[first + len(phase.boxes) - 1]) / 2
        first += len(phase.boxes)
        size = Rect(0.0, 0.0, text_width(upper(phase.label), PHASE_SIZE, bold=True) + 12, PHASE_SIZE * 1.8)
        rect = _label_spot(size, radius, middle, obstacles)
        labels.append(rect)
        drawing.rects.append(rect)
        drawing.nodes.append(
            (
                f"phase_{phase.key}",
                {
                    "label": f"<<B>{html_text(upper(phase.label))}</B>>",
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
    for rect in labels:
        obstacles.add(rect)


LABEL_STEPS = range(100, 30, -2)
"""Where a phase name is looked for inside the ring, in hundredths of the ring's radius, outermost first."""


def _label_spot(size: Rect, radius: float, middle: float, obstacles: Obstacles) -> Rect:
    """Where a phase name of `size` goes: 10 points clear of every box and arrow, near the ring at angle `middle`.

    Just inside the ring if the name fits there; else inside, moved up or
    down by one or two line heights (a long name beside a steep arrow); else
    just outside the ring.
    """
    tries = [(step, 0) for step in LABEL_STEPS]
    tries += [(step, sign * lines) for lines in (1, 2) for step in LABEL_STEPS for sign in (1, -1)]
    tries += [(step, 0) for step in range(104, 200, 4)]
    for step, lines in tries:
        x, y = _on_ring(radius * step / 100, middle)
        rect = Rect(x, y + lines * size.h, size.w, size.h)
        if obstacles.clear(rect, 10):
            break
    return rect


def _place_card(card: Card, anchor: Rect, angle: float, obstacles: Obstacles) -> Card:
    """Where a subcycle card goes: clear of everything, near its activity.

    Candidates lie outwards from the activity and turned up to 90 degrees
    either way; the winner keeps the picture closest to landscape paper, near
    its activity, with its connector crossing nothing. A candidate stops being
    looked at as soon as its cost cannot beat the best so far: the cost is at
    least the paper the picture needs already plus its distance.
    """
    best: tuple[float, Rect] = (math.inf, card.frame)
    floor = obstacles.paper_cost()
    for turn in TURNS:
        # Past this distance a candidate costs more than the best (with room for rounding).
        give_up = (best[0] - floor) / 1.5 + 0.01
        found = _clear_spot(anchor, angle + math.radians(turn), card.frame, obstacles, give_up)
        if found is None:
            continue
        spot, distance = found
        cost = obstacles.paper_cost(spot) + 1.5 * distance
        if cost < best[0]:
            cost += 400 * obstacles.crossings(anchor, spot)
            if cost < best[0]:
                best = (cost, spot)
    return card.moved_to(best[1].x, best[1].y)


def _clear_spot(
    anchor: Rect, direction: float, size: Rect, obstacles: Obstacles, give_up: float = math.inf
) -> tuple[Rect, float] | None:
    """The nearest place for a box of `size` along `direction` that overlaps nothing (None beyond `give_up`).

    The box slides out 6 points at a time; the steps at which it would still
    overlap a box or line already in its way are passed over without a search.
    """
    ux, uy = math.sin(direction), math.cos(direction)
    distance = (abs(ux) * (anchor.w + size.w) + abs(uy) * (anchor.h + size.h)) / 2 + GAP
    while distance < give_up:
        spot = Rect(anchor.x + ux * distance, anchor.y + uy * distance, size.w, size.h)
        blocking = obstacles.blocking(spot)
        if not blocking:
            return spot, distance
        beyond = max(_overlaps_until(anchor, (ux, uy), distance, size, other) for other in blocking)
        distance += 6
        while distance < beyond:
            distance += 6
    return None


def _overlaps_until(
    anchor: Rect, direction: tuple[float, float], distance: float, size: Rect, other: Rect | Segment
) -> float:
    """How far a box of `size`, sliding from `anchor` along `direction` and now at `distance`, surely overlaps `other`.

    It overlaps while its centre lies inside each of `other`'s slabs (for a
    box: within reach of its centre on both axes). "Surely" means by more
    than `SURE` points, far beyond rounding, so that the steps passed over
    are exactly those a step-by-step search would reject.
    """
    ux, uy = direction
    return min(
        _within_until(nx * anchor.x + ny * anchor.y - middle, nx * ux + ny * uy, distance, reach)
        for nx, ny, middle, reach in other.slabs(size.w / 2 + GAP - SURE, size.h / 2 + GAP - SURE)
    )


def _within_until(offset: float, step: float, distance: float, reach: float) -> float:
    """Up to which `d` the value `offset + step * d` stays within `reach` of zero (`distance` if it is not now)."""
    if not -reach < offset + step * distance < reach:
        return distance
    if step == 0:
        return math.inf
    return (math.copysign(reach, step) - offset) / step


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
