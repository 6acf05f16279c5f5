"""The cycle layout on big maps: bounded work per subcycle card, and `--timeout` stops it cleanly (render, workshop).

Speed itself is measured by bench/bench_render.py; these tests count work
instead of timing it. That the pictures stay the same is checked by the
golden DOT files (tests/test_render.py) and, for the search for room, by
comparing with a plain step-by-step search here.
"""

from __future__ import annotations

import math
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyclemap.exit_codes import EXIT_ENVIRONMENT
from cyclemap.loader import load_map
from cyclemap.render import RenderOptions, cycle, geometry, graphviz_run, render_dot
from cyclemap.render.cycle import Obstacles, _clear_spot, cycle_dot
from cyclemap.render.geometry import GAP, Deadline, Grid, Rect, Segment
from cyclemap.render.graphviz_run import LayoutError
from cyclemap.render.scene import build_scene
from cyclemap.workshop import PackInfo, PackOptions, build_pack

Cli = Callable[..., Any]
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def one_sub_map(size: int) -> str:
    """A map of `size` top-level activities, each with a subcycle of one: a card for every activity."""
    lines = ["cyclemap: 1", "title: Many cards", "customer: Testers", "outcome: Every card placed", "phases:"]
    for index, phase in enumerate(("pre", "during", "post")):
        count = size // 3 + (1 if index < size % 3 else 0)
        lines += [f"  {phase}:", "    activities:"]
        for number in range(count):
            lines += [
                f"      - name: Step {number} of {phase}",
                f"        importance: {number % 10 + 1}",
                "        subcycle:",
                f"          - name: Detail of step {number} of {phase}",
            ]
    return "\n".join(lines) + "\n"


def comparisons_per_card(size: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> float:
    """How many tests of a box against a box or an arrow the cycle layout makes per card on a `size`-card map."""
    path = tmp_path / f"cards-{size}.yaml"
    path.write_text(one_sub_map(size), encoding="utf-8")
    scene = build_scene(load_map(str(path)))
    counts: Counter[str] = Counter()
    overlaps, crosses, reaches = Rect.overlaps, cycle._crosses, Segment.reaches

    def counted_overlaps(self: Rect, other: Rect, gap: float = GAP) -> bool:
        counts["overlaps"] += 1
        return overlaps(self, other, gap)

    def counted_crosses(a: Rect, b: Rect, box: Rect) -> bool:
        counts["crosses"] += 1
        return crosses(a, b, box)

    def counted_reaches(self: Segment, rect: Rect, gap: float = GAP) -> bool:
        counts["reaches"] += 1
        return reaches(self, rect, gap)

    with monkeypatch.context() as patch:
        patch.setattr(Rect, "overlaps", counted_overlaps)
        patch.setattr(Segment, "reaches", counted_reaches)
        patch.setattr(cycle, "_crosses", counted_crosses)
        cycle_dot(scene)
    return counts.total() / size


def test_cycle_layout_work_per_card_stays_bounded_as_the_map_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four times the cards cost each card about the same work: a big map's picture comes in near-linear time.

    Each card used to be tested against every box drawn before it, so the
    work per card grew with the map (and the whole layout with its square).
    """
    small = comparisons_per_card(45, tmp_path, monkeypatch)
    large = comparisons_per_card(180, tmp_path, monkeypatch)
    assert large < 2 * small, (small, large)


# -- the search for room gives the places a plain search gives ----------------------------------------

COORD = st.floats(-600, 600, allow_nan=False)
SIZE = st.floats(20, 300, allow_nan=False)
ALIGNED = st.integers(-100, 100).map(lambda n: n * 3.0)
"""Coordinates on a 3-point grid: boxes that touch exactly, at the edge of overlapping."""
RECTS = st.builds(Rect, COORD, COORD, SIZE, SIZE) | st.builds(
    Rect, ALIGNED, ALIGNED, ALIGNED.map(lambda v: abs(v) + 6), ALIGNED.map(lambda v: abs(v) + 6)
)
LINES = st.builds(Segment, COORD, COORD, COORD, COORD) | st.builds(Segment, ALIGNED, ALIGNED, ALIGNED, ALIGNED)
"""Arrows of the ring: slanting, and (on the 3-point grid) level, upright or a single point."""


@FAST
@given(st.lists(RECTS, max_size=40), RECTS, st.floats(-20, 20, allow_nan=False))
def test_grid_finds_every_box_within_the_margin(rects: list[Rect], place: Rect, margin: float) -> None:
    """The grid index never misses a box near a place, so no card is placed over one."""
    grid: Grid[int] = Grid(cell=100.0)
    for index, rect in enumerate(rects):
        grid.add(rect, index)
    near = set(grid.near(place, abs(margin)))
    assert {i for i, r in enumerate(rects) if place.overlaps(r, abs(margin))} <= near


@FAST
@given(st.lists(LINES, max_size=20), RECTS, st.floats(0, 30, allow_nan=False))
def test_grid_finds_every_line_within_the_margin(lines: list[Segment], place: Rect, margin: float) -> None:
    """The grid index files a line under every cell it passes through, so no card is placed over an arrow."""
    grid: Grid[int] = Grid(cell=100.0)
    for index, line in enumerate(lines):
        grid.add_line(line, index)
    assert {i for i, line in enumerate(lines) if line.reaches(place, margin)} <= set(grid.near(place, margin))


@FAST
@given(LINES, st.builds(Rect, COORD, COORD, SIZE, SIZE), st.floats(0, 30, allow_nan=False))
def test_line_reaches_a_box_where_a_plain_test_says_it_meets_the_box_grown_by_the_gap(
    line: Segment, rect: Rect, gap: float
) -> None:
    """`Segment.reaches` agrees with clipping the line to the box grown by `gap` on every side."""
    left, right, bottom, top = rect.left - gap, rect.right + gap, rect.bottom - gap, rect.top + gap
    low, high = 0.0, 1.0
    for start, end, least, most in ((line.ax, line.bx, left, right), (line.ay, line.by, bottom, top)):
        if start == end:
            low, high = (low, high) if least < start < most else (1.0, 0.0)
            continue
        t1, t2 = sorted(((least - start) / (end - start), (most - start) / (end - start)))
        low, high = max(low, t1), min(high, t2)
    assert line.reaches(rect, gap) == (low < high)


def step_by_step(
    anchor: Rect, direction: float, size: Rect, obstacles: list[Rect], lines: list[Segment] | None = None
) -> tuple[Rect, float]:
    """The plain search: slide 6 points at a time, testing every obstacle, until nothing is in the way."""
    ux, uy = math.sin(direction), math.cos(direction)
    distance = (abs(ux) * (anchor.w + size.w) + abs(uy) * (anchor.h + size.h)) / 2 + GAP
    while True:
        spot = Rect(anchor.x + ux * distance, anchor.y + uy * distance, size.w, size.h)
        if not any(spot.overlaps(o) for o in obstacles) and not any(line.reaches(spot) for line in lines or []):
            return spot, distance
        distance += 6


@FAST
@given(
    st.lists(RECTS, max_size=40),
    RECTS,
    SIZE,
    SIZE,
    st.floats(0, 2 * math.pi, allow_nan=False) | st.sampled_from([k * math.pi / 6 for k in range(12)]),
)
def test_card_slides_to_the_same_place_as_a_plain_search(
    obstacles: list[Rect], anchor: Rect, width: float, height: float, direction: float
) -> None:
    """Passing over blocked steps and searching only nearby finds exactly the spot the plain search finds."""
    size = Rect(0.0, 0.0, width, height)
    found = _clear_spot(anchor, direction, size, Obstacles([anchor, *obstacles]))
    assert found == step_by_step(anchor, direction, size, [anchor, *obstacles])


@FAST
@given(
    st.lists(RECTS, max_size=20),
    st.lists(LINES, min_size=1, max_size=12),
    RECTS,
    st.builds(Rect, st.just(0.0), st.just(0.0), SIZE, SIZE),
    st.floats(0, 2 * math.pi, allow_nan=False) | st.sampled_from([k * math.pi / 6 for k in range(12)]),
)
def test_card_slides_past_arrows_to_the_same_place_as_a_plain_search(
    obstacles: list[Rect], lines: list[Segment], anchor: Rect, size: Rect, direction: float
) -> None:
    """Arrows in the way are passed over like boxes: the card stops exactly where the plain search stops."""
    found = _clear_spot(anchor, direction, size, Obstacles([anchor, *obstacles], lines))
    assert found == step_by_step(anchor, direction, size, [anchor, *obstacles], lines)


# -- --timeout stops the layout ---------------------------------------------------------------------------


@pytest.fixture
def many_cards(tmp_path: Path) -> Path:
    path = tmp_path / "cards.yaml"
    path.write_text(one_sub_map(60), encoding="utf-8")
    return path


def test_layout_past_its_deadline_stops_with_a_layout_error(many_cards: Path) -> None:
    """Once the deadline has passed, the cycle layout stops with the error a slow Graphviz run gives."""
    scene = build_scene(load_map(str(many_cards)))
    with pytest.raises(LayoutError, match=r"took longer than 5 s and was stopped.*--layout flow.*--timeout"):
        cycle_dot(scene, Deadline(5, -math.inf))
    with pytest.raises(LayoutError, match=r"took longer than 0 s"):
        render_dot(load_map(str(many_cards)), RenderOptions(fmt="dot", timeout=0))


def test_layout_within_its_deadline_draws_the_same_picture(many_cards: Path) -> None:
    """A deadline that is not reached changes nothing in the picture."""
    cmap = load_map(str(many_cards))
    assert render_dot(cmap, RenderOptions(fmt="dot", timeout=3600)) == cycle_dot(build_scene(cmap))


def test_render_timeout_stops_our_layout_like_a_graphviz_timeout(
    cli: Cli, many_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`render --timeout` stops cyclemap's own layout with the exit code and kind of message of a Graphviz timeout."""

    def too_slow(*args: object, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        raise subprocess.TimeoutExpired("neato", 5)

    monkeypatch.setattr(graphviz_run.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(graphviz_run.subprocess, "run", too_slow)
    graphviz = cli("render", str(many_cards), "-f", "svg", "-o", str(tmp_path / "out.svg"), "--timeout", "5")

    monkeypatch.setattr(geometry.Deadline, "after", classmethod(lambda cls, seconds: cls(seconds, -math.inf)))
    ours = cli("render", str(many_cards), "-f", "dot", "-o", str(tmp_path / "out.dot"), "--timeout", "5")

    assert ours.code == graphviz.code != 0, (ours.err, graphviz.err)
    for result in (ours, graphviz):
        assert "took longer than 5 s and was stopped" in result.err
        assert "--timeout" in result.err
        assert "Traceback" not in result.err
    assert not (tmp_path / "out.dot").exists()


def test_workshop_timeout_stops_our_layout_and_writes_nothing(
    cli: Cli, many_cards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`workshop --timeout` bounds the pack's own layout too: the error and exit code of a Graphviz timeout, no PDF."""
    monkeypatch.setattr(
        geometry.Deadline, "after", classmethod(lambda cls, seconds, *hint: cls(seconds, -math.inf, *hint))
    )
    before = sorted(tmp_path.iterdir())
    result = cli("workshop", str(many_cards), "-o", str(tmp_path / "pack.pdf"), "--timeout", "5")
    assert result.code == EXIT_ENVIRONMENT, result.err
    assert "The cycle layout took longer than 5 s and was stopped" in result.err
    assert "--timeout" in result.err
    assert "--depth" not in result.err  # workshop has no such option: the hint names its own
    assert "Traceback" not in result.err
    assert sorted(tmp_path.iterdir()) == before


def test_workshop_without_the_poster_bounds_the_flow_diagrams_too(many_cards: Path) -> None:
    """A pack of phase pages only (no cycle poster) stops at the deadline as well."""
    cmap = load_map(str(many_cards))
    past = PackOptions(sections=("phases",), timeout=0)
    with pytest.raises(LayoutError, match=r"The flow layout took longer than 0 s.*--sections"):
        build_pack(cmap, PackInfo(str(many_cards)), past)
