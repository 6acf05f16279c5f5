"""The flow layout: one swimlane per phase, activities left to right in order.

Lanes are stacked pre, during, post. Each lane's activities stand in a row,
and each activity's subcycle hangs beneath it as an indented outline (like a
story map), so order and nesting read at a glance however large the map is.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from cyclemap.render.geometry import GAP, Card, Drawing, Rect, outline_card, pos
from cyclemap.render.scene import PhaseView, Scene
from cyclemap.render.style import PHASE_INK, PHASE_TINT, SUB_EDGE
from cyclemap.render.text import html_text, text_width, upper

COLUMN_GAP = 34.0
LANE_GAP = 22.0
LANE_PAD = 18.0
LABEL_SIZE = 17.0
LABEL_HEIGHT = LABEL_SIZE * 2.0


def flow_dot(scene: Scene, *, standalone: bool = True) -> str:
    """DOT text of the flow layout, every node's position pinned.

    Without `standalone`, the picture has no title and no key, for a page that
    has its own heading and shows the key elsewhere.
    """
    drawing = Drawing(scene, subtitle=f"Desired outcome: {scene.outcome}", titled=standalone)
    lanes = [_lane(phase) for phase in scene.phases]
    width = max(lane[0] for lane in lanes)
    top = 0.0
    for phase, (_, height, place) in zip(scene.phases, lanes, strict=True):
        _draw_lane(drawing, phase, Rect(width / 2, top - height / 2, width, height))
        place(drawing, top)
        top -= height + LANE_GAP
    if standalone:
        drawing.legend()
    return drawing.dot("flow")


def _lane(phase: PhaseView) -> tuple[float, float, Callable[[Drawing, float], None]]:
    """Width and height of a lane, and a function that draws its content at a given top."""
    columns = []
    x = LANE_PAD
    for box in phase.boxes:
        card = outline_card(box)
        column_width = max(box.width, (card.frame.w + GAP) if card else 0.0)
        columns.append((box, card, x))
        x += column_width + COLUMN_GAP
    row_height = max(b.height for b in phase.boxes)
    card_height = max((c.frame.h for _, c, _ in columns if c), default=0.0)
    height = LABEL_HEIGHT + row_height + (card_height + GAP if card_height else 0.0) + 2 * LANE_PAD
    width = x - COLUMN_GAP + LANE_PAD

    def place(drawing: Drawing, top: float) -> None:
        row_y = top - LANE_PAD - LABEL_HEIGHT - row_height / 2
        for box, card, left in columns:
            drawing.box(box, Rect(left + box.width / 2, row_y, box.width, box.height))
            if card is not None:
                card_top = row_y - row_height / 2 - GAP
                drawing.card(_below(card, left + GAP, card_top))
                drawing.edges.append(
                    (box.key, f"{box.key}_sub", {"color": SUB_EDGE, "penwidth": "1.6", "arrowhead": "none"})
                )
        for (a, _, _), (b, _, _) in pairwise(columns):
            drawing.edges.append((a.key, b.key, {"penwidth": "3", "color": PHASE_INK[phase.key]}))

    return width, height, place


def _below(card: Card, left: float, top: float) -> Card:
    return card.moved_to(left + card.frame.w / 2, top - card.frame.h / 2)


def _draw_lane(drawing: Drawing, phase: PhaseView, lane: Rect) -> None:
    drawing.nodes.append(
        (
            f"lane_{phase.key}",
            {
                "label": "",
                "shape": "box",
                "style": "rounded,filled",
                "color": "#c8c8c8",
                "fillcolor": PHASE_TINT[phase.key],
                "pos": pos(lane),
                "width": f"{lane.w / 72:.3f}",
                "height": f"{lane.h / 72:.3f}",
                "fixedsize": "true",
            },
        )
    )
    drawing.rects.append(lane)
    label_width = text_width(upper(phase.label), LABEL_SIZE, bold=True) + 8
    label_x = lane.left + LANE_PAD + label_width / 2
    label = Rect(label_x, lane.top - LANE_PAD - LABEL_HEIGHT / 2 + 4, label_width, LABEL_HEIGHT)
    drawing.nodes.append(
        (
            f"phase_{phase.key}",
            {
                "label": f"<<B>{html_text(upper(phase.label))}</B>>",
                "shape": "plaintext",
                "fontsize": f"{LABEL_SIZE:g}",
                "fontcolor": PHASE_INK[phase.key],
                "pos": pos(label),
                "width": f"{label.w / 72:.3f}",
                "height": f"{label.h / 72:.3f}",
                "fixedsize": "true",
            },
        )
    )
