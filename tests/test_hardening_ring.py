"""The cycle layout hides none of the ring's arrows.

The arrows between consecutive activities of the ring are drawn as straight
lines between their centres (`splines=line`). A subcycle card placed across
one hides where the cycle goes next; so does a phase name or the key laid
over it, and a card's connector crossing it reads as a branch of the cycle.
These tests read the positions from the DOT the layout writes and check each
arrow with a geometry test of their own.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType

import pytest
from tests.test_render import EXAMPLES, ROOT, box, dot_edges, dot_nodes, label_text, overlap

from cyclemap.loader import load_map
from cyclemap.model import CycleMap
from cyclemap.render import RenderOptions, render_dot
from cyclemap.render.geometry import GAP, Drawing, Rect, Segment
from cyclemap.render.scene import build_scene
from cyclemap.render.style import legend_size

Point = tuple[float, float]
Box = tuple[float, float, float, float]
"""(x, y, width, height) of a pinned node in points, as `tests.test_render.box` reads it."""

PEN = 1.5
"""Half the width of a ring arrow's line: a box closer than this touches the line."""
BIKE_SHARE = ROOT / "examples" / "split" / "bike-share.yaml"

SMALL_RING = """\
cyclemap: 1
title: Three steps, long arrows
customer: Testers
outcome: Every arrow in sight
phases:
  pre:
    activities:
      - name: Choose
        subcycle: [{name: Compare the offers}, {name: Ask a friend}, {name: Read the small print}]
  during:
    activities:
      - name: Use
        subcycle: [{name: Set it up}, {name: Learn the controls}, {name: Call support}, {name: Share it}]
  post:
    activities:
      - name: Renew
        subcycle: [{name: Check the price}, {name: Cancel the old plan}]
"""
"""One activity per phase, each with a card: the ring's arrows are long chords across the picture."""


def segment_meets_box(a: Point, b: Point, rect: Box, margin: float = PEN) -> bool:
    """Whether the segment from `a` to `b` touches `rect` grown by `margin` on every side.

    Separating axes: the two meet unless their extents part on x or y, or the
    box's corners all lie strictly on one side of the segment's line.
    """
    x, y, w, h = rect
    left, right, bottom, top = x - w / 2 - margin, x + w / 2 + margin, y - h / 2 - margin, y + h / 2 + margin
    if max(a[0], b[0]) < left or min(a[0], b[0]) > right or max(a[1], b[1]) < bottom or min(a[1], b[1]) > top:
        return False
    sides = [
        (b[0] - a[0]) * (cy - a[1]) - (b[1] - a[1]) * (cx - a[0]) for cx in (left, right) for cy in (bottom, top)
    ]
    return not (all(s > 0 for s in sides) or all(s < 0 for s in sides))


def segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether segments a-b and c-d cross at a point inside both (sharing an end is not crossing)."""

    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def segment_meets_circle(a: Point, b: Point, centre: Point, radius: float, margin: float = PEN) -> bool:
    """Whether the segment from `a` to `b` comes within `radius + margin` of `centre`."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((centre[0] - a[0]) * dx + (centre[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.dist((a[0] + t * dx, a[1] + t * dy), centre) < radius + margin


def hidden_arrows(cmap: CycleMap, depth: int | None = None) -> list[tuple[str, str, str]]:
    """(tail, head, what) for every ring arrow under a card, a phase name, the key or the desired outcome,
    or crossed by a card's connector."""
    dot = render_dot(cmap, RenderOptions(depth=depth))
    nodes = dot_nodes(dot)
    centre = {key: box(attrs)[:2] for key, attrs in nodes.items() if "width" in attrs}
    covers = {key: box(attrs) for key, attrs in nodes.items() if key.endswith("_sub") or key.startswith("phase_")}
    x, y = (float(v) for v in nodes["legend"]["pos"].rstrip("!").split(","))
    covers["legend"] = (x, y, *legend_size(build_scene(cmap, depth)))
    outcome = box(nodes["outcome"])
    edges = dot_edges(dot)
    connectors = [(tail, head) for tail, head, _ in edges if head.endswith("_sub")]
    found = []
    for tail, head, _ in edges:
        if head.endswith("_sub"):
            continue  # a card's own connector, not a ring arrow
        a, b = centre[tail], centre[head]
        found += [(tail, head, key) for key, rect in covers.items() if segment_meets_box(a, b, rect)]
        found += [(tail, head, "outcome")] if segment_meets_circle(a, b, outcome[:2], outcome[2] / 2) else []
        found += [
            (tail, head, f"{owner} -> {card}")
            for owner, card in connectors
            if segments_cross(a, b, centre[owner], centre[card])
        ]
    return found


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CycleMap]:
    """Every example, a three-activity ring, and bench/generate.py's maps: a 300-activity tree and 90 activities
    that each open a one-item subcycle."""
    generate = _module(ROOT / "bench" / "generate.py").generate
    folder = tmp_path_factory.mktemp("ring")
    texts = {"small-ring": SMALL_RING}
    texts["tree-300"], texts["one-sub-90"] = generate(300, shape="tree"), generate(90, shape="one-sub")
    found = {path.stem: load_map(str(path)) for path in [*EXAMPLES, BIKE_SHARE]}
    for name, text in texts.items():
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        found[name] = load_map(str(path))
    return found


def test_geometry_checks_see_a_line_through_a_box_and_not_one_beside_it() -> None:
    """The checks themselves: a line across a box meets it, one passing by or stopping short does not;
    lines that cross meet, lines that only share an end do not."""
    rect = (0.0, 0.0, 100.0, 40.0)
    assert segment_meets_box((-80.0, -50.0), (80.0, 50.0), rect)
    assert segment_meets_box((0.0, 0.0), (300.0, 300.0), rect)
    assert not segment_meets_box((-80.0, 30.0), (80.0, 30.0), rect)
    assert not segment_meets_box((-200.0, 0.0), (-60.0, 0.0), rect)
    assert not segment_meets_box((40.0, 60.0), (90.0, 10.0), rect)
    assert segments_cross((0.0, 0.0), (10.0, 10.0), (0.0, 10.0), (10.0, 0.0))
    assert not segments_cross((0.0, 0.0), (10.0, 10.0), (10.0, 10.0), (20.0, 0.0))
    assert not segments_cross((0.0, 0.0), (10.0, 10.0), (0.0, 5.0), (4.0, 9.0))
    assert segment_meets_circle((-100.0, 19.0), (100.0, 19.0), (0.0, 0.0), 20.0)
    assert not segment_meets_circle((-100.0, 25.0), (100.0, 25.0), (0.0, 0.0), 20.0)
    assert not segment_meets_circle((30.0, -100.0), (30.0, 100.0), (0.0, 0.0), 20.0)


def test_bike_share_arrow_from_become_a_member_runs_clear_of_its_subcycle_card() -> None:
    """In the split example, the arrow "2 Become a member" -> "1 Find a bike" no longer crosses card 2.1-2.3."""
    dot = render_dot(load_map(str(BIKE_SHARE)), RenderOptions())
    nodes = dot_nodes(dot)
    key = {label_text(attrs.get("label", "")).split(" imp ")[0]: k for k, attrs in nodes.items()}
    member, bike = key["2 Become a member"], key["1 Find a bike with enough charge"]
    assert (member, bike) in [(tail, head) for tail, head, _ in dot_edges(dot)]
    card = box(nodes[f"{member}_sub"])
    assert not segment_meets_box(box(nodes[member])[:2], box(nodes[bike])[:2], card)


@pytest.mark.parametrize("depth", [None, 1], ids=["all-levels", "depth-1"])
def test_nothing_hides_a_ring_arrow(depth: int | None, maps: dict[str, CycleMap]) -> None:
    """For every example, at every depth, and for big generated maps and a three-activity ring, each arrow
    of the ring misses every card, phase name, the key and the desired outcome, and no card's connector
    crosses it."""
    for name, cmap in maps.items():
        assert hidden_arrows(cmap, depth) == [], name


def key_position(rects: list[Rect], lines: list[Segment]) -> str:
    """Where `Drawing.legend` puts the key among these boxes and arrows (the bike-share map's key)."""
    drawing = Drawing(build_scene(load_map(str(BIKE_SHARE))), rects=rects, lines=lines)
    drawing.legend()
    return dot_nodes(drawing.dot("test"))["legend"]["pos"]


def test_key_takes_the_first_corner_clear_of_boxes_and_arrows() -> None:
    """Lower right, upper right, lower left, upper left: the first corner with room; an arrow across a
    corner takes its room as a box does."""
    w, h = legend_size(build_scene(load_map(str(BIKE_SHARE))))
    corners = [Rect(0.0, 0.0, 20.0, 20.0), Rect(1000.0, 1000.0, 20.0, 20.0)]  # lower left and upper right
    assert key_position(corners, []) == f"{1010 - w / 2:.1f},{-10 + h / 2:.1f}!"
    assert key_position(corners, [Segment(1010.0, -10.0, 500.0, 500.0)]) == f"{-10 + w / 2:.1f},{1010 - h / 2:.1f}!"


def test_key_with_no_corner_free_goes_out_the_way_that_keeps_the_picture_landscape() -> None:
    """Every corner taken: a wide picture gets the key below its lower right corner, a tall one beside it."""
    w, h = legend_size(build_scene(load_map(str(BIKE_SHARE))))
    wide = [Rect(0.0, 0.0, 20.0, 20.0), Rect(2000.0, 600.0, 20.0, 20.0)]
    across = [Segment(2010.0, -10.0, 1500.0, 610.0), Segment(-10.0, 610.0, 500.0, -10.0)]
    assert key_position(wide, across) == f"{2010 - w / 2:.1f},{-10 - GAP - h / 2:.1f}!"
    tall = [Rect(0.0, 0.0, 20.0, 20.0), Rect(600.0, 2000.0, 20.0, 20.0)]
    line = Segment(610.0, -10.0, 100.0, 2010.0)
    x, y = (float(v) for v in key_position(tall, [line]).rstrip("!").split(","))
    assert y - h / 2 >= -10.0 and y + h / 2 <= 2010.0  # no taller
    assert x - w / 2 < -10.0 or x + w / 2 > 610.0  # but wider
    assert not any(overlap((x, y, w, h), (r.x, r.y, r.w, r.h)) for r in tall)
    assert not segment_meets_box((line.ax, line.ay), (line.bx, line.by), (x, y, w, h))
