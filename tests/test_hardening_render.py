"""`cyclemap render` tells the truth: engines that draw our layout, a key that matches the map, folded gaps shown.

Each test states what a reader of the diagram gets; the helpers for reading DOT
come from tests/test_render.py (loaded by path: the suite imports test modules
with importlib).
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.conftest import FOLDED_MAP

from cyclemap import cli
from cyclemap.exit_codes import EXIT_USAGE
from cyclemap.gaps import Severity, band, find_gaps
from cyclemap.loader import load_map
from cyclemap.model import CycleMap
from cyclemap.render import RenderOptions, render_dot, render_map
from cyclemap.render.graphviz_run import ENGINES
from cyclemap.render.scene import build_scene
from cyclemap.render.style import BAND_FROM, legend_size

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
LAYOUTS = ("cycle", "flow")
needs_graphviz = pytest.mark.skipif(shutil.which("neato") is None, reason="Graphviz is not installed")
Cli = Callable[..., Any]


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_helpers_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


helpers = _load(ROOT / "tests" / "test_render.py")
dot_nodes = helpers.dot_nodes
label_text = helpers.label_text
box = helpers.box
overlap = helpers.overlap


# -- engines ------------------------------------------------------------------------------------------------------


def test_engine_choices_are_the_registry_keys() -> None:
    """`render --engine` offers exactly the engines the renderer knows how to run."""
    assert [c.value for c in cli.Engine] == list(ENGINES)


@needs_graphviz
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("engine", [c.value for c in cli.Engine])
def test_every_offered_engine_draws_the_computed_positions_in_points(engine: str, layout: str) -> None:
    """Each --engine choice puts every node where cyclemap placed it, at its size, in a drawing of sane size.

    Graphviz's JSON output gives the drawn positions (points, the whole picture
    shifted so that it starts at 0,0); they must equal the computed ones up to
    that one shift, so nothing is rescaled, moved apart or made to overlap.
    """
    cmap = load_map(str(ROOT / "examples" / "home-solar.yaml"))
    nodes = dot_nodes(render_dot(cmap, RenderOptions(layout=layout)))
    computed = {key: box(attrs) for key, attrs in nodes.items() if "width" in attrs}  # the key sizes itself
    drawn = json.loads(render_map(cmap, RenderOptions(fmt="json0", layout=layout, engine=engine)))
    placed = {o["name"]: o for o in drawn["objects"]}
    assert set(placed) == set(nodes)
    first = next(iter(computed))
    shift = [float(v) - c for v, c in zip(placed[first]["pos"].split(","), computed[first][:2], strict=True)]
    for key, attrs in nodes.items():
        x, y = (float(v) for v in attrs["pos"].rstrip("!").split(","))
        px, py = (float(v) for v in placed[key]["pos"].split(","))
        assert (round(px - x - shift[0]), round(py - y - shift[1])) == (0, 0), key
    for key, (_, _, width, height) in computed.items():
        assert float(placed[key]["width"]) * 72 == pytest.approx(width, abs=0.5), key
        assert float(placed[key]["height"]) * 72 == pytest.approx(height, abs=0.5), key
    right = max(x + w / 2 for x, _, w, _ in computed.values()) - min(x - w / 2 for x, _, w, _ in computed.values())
    legend_x, legend_y = (float(v) for v in nodes["legend"]["pos"].rstrip("!").split(","))
    boxes = [*computed.values(), (legend_x, legend_y, *legend_size(build_scene(cmap)))]
    keyed = max(x + w / 2 for x, _, w, _ in boxes) - min(x - w / 2 for x, _, w, _ in boxes)  # the key may sit beside
    *_, bb_width, bb_height = (float(v) for v in drawn["bb"].split(","))
    assert right - 1 <= bb_width <= max(keyed, 1200.0) + 20
    assert bb_height < 3 * bb_width
    svg = ET.fromstring(render_map(cmap, RenderOptions(fmt="svg", layout=layout, engine=engine)))  # noqa: S314
    size = [float(svg.attrib[side].removesuffix("pt")) for side in ("width", "height")]
    assert size == pytest.approx([bb_width + 72, bb_height + 72], abs=2)  # the drawing and a half-inch pad
    activities = {k: v for k, v in computed.items() if re.fullmatch(r"a\d+", k)}
    assert [(a, b) for (a, ra), (b, rb) in itertools.combinations(activities.items(), 2) if overlap(ra, rb)] == []


@pytest.mark.parametrize("engine", ["dot", "twopi", "circo", "fdp", "sfdp"])
def test_graphviz_own_layouts_are_refused_as_a_usage_error(engine: str, cli: Cli, tmp_path: Path) -> None:
    """Engines that scrambled the cycle (or drew it 75,000 points wide) are refused before anything is drawn."""
    solar = str(ROOT / "examples" / "home-solar.yaml")
    result = cli("render", solar, "--engine", engine, "-o", str(tmp_path / "x.svg"))
    assert result.code == EXIT_USAGE
    assert "neato" in result.err
    assert not (tmp_path / "x.svg").exists()


# -- the key tells the truth ----------------------------------------------------------------------------------


def _legend(cmap: CycleMap, layout: str = "cycle", **options: Any) -> str:
    return label_text(dot_nodes(render_dot(cmap, RenderOptions(layout=layout, **options)))["legend"]["label"])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_white_activities_that_are_gaps_say_so_and_the_key_never_says_no_gap(layout: str) -> None:
    """An unevidenced activity (white, like gap #12 of home-solar) says 'no evidence'; no key says 'No gap found'."""
    cmap = load_map(str(ROOT / "examples" / "home-solar.yaml"))
    unevidenced = [g for g in find_gaps(cmap) if g.kinds == ("unevidenced",)]
    assert unevidenced
    nodes = dot_nodes(render_dot(cmap, RenderOptions(layout=layout)))
    labels = {label_text(attrs["label"]): attrs for key, attrs in nodes.items() if re.fullmatch(r"a\d+", key)}
    for gap in unevidenced:
        [(label, attrs)] = [(t, a) for t, a in labels.items() if " ".join(gap.path[-1].split()) in t]
        assert attrs["fillcolor"] == "#ffffff"
        assert "no evidence" in label
    legend = _legend(cmap, layout)
    assert "No gap found" not in legend
    assert "White: none of these (may lack evidence)" in legend
    assert "no evidence: scores cite no evidence (a gap)" in legend


TUNED = """\
cyclemap: 1
title: Tuned
customer: People
outcome: Done
scale: {min: 1, max: 5}
gaps: {threshold: 13, overserved_margin: 4}
phases:
  pre:
    activities:
      - name: Decide
        importance: 5
        satisfaction: 1
  during:
    activities:
      - name: Do
  post:
    activities:
      - name: Review
"""


def test_key_bands_are_the_bands_gaps_reports() -> None:
    """The band edges the key prints are where `cyclemap gaps` changes band."""
    for severity, lowest in BAND_FROM.items():
        assert band(lowest) == severity.value
        assert band(lowest - 0.01) != severity.value


@pytest.mark.parametrize("layout", LAYOUTS)
def test_key_follows_the_threshold_given_with_the_option(layout: str) -> None:
    """With --threshold 12 the key has no moderate band and prints no 'below 12'; bands start where the map's do."""
    cmap = load_map(str(ROOT / "examples" / "home-solar.yaml"))
    legend = _legend(cmap, layout, threshold=12)
    assert "below 12" not in legend
    assert "moderate" not in legend
    assert "Underserved, high: score 12 to under 15" in legend
    assert "Underserved, extreme: score 15 to 20" in legend
    assert "underserved from 12" in legend


@pytest.mark.parametrize("layout", LAYOUTS)
def test_key_follows_the_maps_threshold_scale_and_margin(layout: str, write_map: Callable[..., Path]) -> None:
    """A map's own gaps.threshold, scale and overserved margin are the numbers its key prints."""
    cmap = load_map(str(write_map(TUNED)))
    legend = _legend(cmap, layout)
    assert "Underserved, high: score 13 to under 15" in legend
    assert "moderate" not in legend
    assert "underserved from 13" in legend
    assert "importance, satisfaction (1 to 5)" in legend
    assert "Overserved: satisfaction 2+ above importance" in legend  # 4 on the 0-10 scale is 2 of 5
    assert "15 to 20" in _legend(cmap, layout, threshold=16).replace("16 to 20", "15 to 20")
    assert "extreme: score 16 to 20" in _legend(cmap, layout, threshold=16)
    assert "high" not in _legend(cmap, layout, threshold=16)


# -- collapsed subcycles show what they hide ---------------------------------------------------------------------




@pytest.mark.parametrize("depth", [0, 1])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_collapsed_activity_shows_the_worst_gap_folded_inside(
    layout: str, depth: int, write_map: Callable[..., Path]
) -> None:
    """A white box hiding an extreme step shows a red square and 'worst inside: extreme'; the key explains it."""
    cmap = load_map(str(write_map(FOLDED_MAP)))
    [extreme] = [g for g in find_gaps(cmap) if g.severity is Severity.EXTREME]
    nodes = dot_nodes(render_dot(cmap, RenderOptions(layout=layout, depth=depth)))
    holder = nodes["a1"] if depth == 0 else nodes["a2"]
    assert holder["fillcolor"] == "#ffffff"
    assert "worst inside: extreme" in label_text(holder["label"])
    assert 'BGCOLOR="#a50f15"' in holder["label"]
    assert extreme.path[-1] not in "".join(label_text(a.get("label", "")) for a in nodes.values())
    assert "Collapsed subcycle: the worst gap folded inside" in _legend(cmap, layout, depth=depth)
    everything = render_dot(cmap, RenderOptions(layout=layout))
    assert "worst inside" not in everything
    assert "Collapsed subcycle" not in everything


@needs_graphviz
@pytest.mark.parametrize("layout", LAYOUTS)
def test_collapsed_activity_marker_is_drawn(layout: str, write_map: Callable[..., Path]) -> None:
    """The SVG of a collapsed map shows the marker's words and a square in the extreme colour."""
    cmap = load_map(str(write_map(FOLDED_MAP)))
    data = render_map(cmap, RenderOptions(fmt="svg", layout=layout, depth=0))
    assert "worst inside: extreme" in helpers.svg_text(data)
    assert data.count(b'fill="#a50f15"') >= 2  # the marker and the key's square


# -- descriptions and competitors --------------------------------------------------------------------------------


def _tooltips(data: bytes) -> list[str]:
    root = ET.fromstring(data)  # noqa: S314 - our own output, parsed to prove it is well-formed
    return [v for e in root.iter() for k, v in e.attrib.items() if k == "{http://www.w3.org/1999/xlink}title"]


@needs_graphviz
@pytest.mark.parametrize("layout", LAYOUTS)
def test_svg_tooltips_show_each_activitys_description_and_competitors(layout: str) -> None:
    """Pointing at an activity in the SVG shows its description and who serves it today."""
    cmap = load_map(str(ROOT / "examples" / "cloud-migration.yaml"))
    tips = _tooltips(render_map(cmap, RenderOptions(fmt="svg", layout=layout)))
    described = [v.activity for v in cmap.walk() if v.activity.description or v.activity.competitors]
    assert described
    for activity in described:
        [tip] = [t for t in tips if t.split("\n")[0].endswith(" ".join(activity.name.split()))]
        if activity.description:
            assert " ".join(activity.description.split()) in tip
        if activity.competitors:
            assert "Who serves it today: " + ", ".join(activity.competitors) in tip


HOSTILE_NOTES = r"""cyclemap: 1
title: Notes
customer: People
outcome: Done
phases:
  pre:
    activities:
      - name: Pick
        description: "Say \"hi\" \\N \\G \\n <IMG SRC=\"/etc/passwd\"/> &#1; &amp; \x07bell\ttab"
        competitors: ["<b>Acme</b> \\L", "Quote \" end \\", "a\nb"]
  during:
    activities:
      - name: Do
  post:
    activities:
      - name: Review
"""


@needs_graphviz
@pytest.mark.parametrize("layout", LAYOUTS)
def test_hostile_descriptions_and_competitors_show_literally_in_well_formed_svg(
    layout: str, write_map: Callable[..., Path]
) -> None:
    """Escapes, tags, entities, quotes and control characters in a description or competitor are shown as typed."""
    cmap = load_map(str(write_map(HOSTILE_NOTES)))
    data = render_map(cmap, RenderOptions(fmt="svg", layout=layout))
    [tip] = [t for t in _tooltips(data) if t.startswith("1 Pick")]
    assert r'Say "hi" \N \G \n <IMG SRC="/etc/passwd"/> &#1; &amp; \x07bell tab' in tip
    assert r'Who serves it today: <b>Acme</b> \L, Quote " end \, a b' in tip
    assert b"<image" not in data
    assert b"\x07" not in data


def test_flow_boxes_name_who_serves_each_activity_today() -> None:
    """Flow boxes (printed on long paper: no tooltips) name their competitors; the cycle keeps them in tooltips."""
    cmap = load_map(str(ROOT / "examples" / "cloud-migration.yaml"))
    flow = {k: label_text(a["label"]) for k, a in dot_nodes(render_dot(cmap, RenderOptions(layout="flow"))).items()}
    provider = next(text for text in flow.values() if "Choose a cloud provider" in text)
    assert "Served today by: AWS, Microsoft Azure, Google Cloud, OVHcloud" in provider
    assert "Served today by" not in render_dot(cmap, RenderOptions(layout="cycle"))


@needs_graphviz
def test_flow_competitors_show_literally(write_map: Callable[..., Path]) -> None:
    """A competitor's tags and backslashes are printed as typed in the flow picture."""
    cmap = load_map(str(write_map(HOSTILE_NOTES)))
    text = helpers.svg_text(render_map(cmap, RenderOptions(fmt="svg", layout="flow")))
    assert r"<b>Acme</b> \L" in text


@needs_graphviz
@pytest.mark.parametrize("layout", LAYOUTS)
def test_svg_tooltips_carry_the_whole_name_unwrapped(layout: str) -> None:
    """A name the box breaks inside a word (a URL, a long word) shows whole, with no space added, in its tooltip."""
    cmap = load_map(str(ROOT / "tests" / "cases" / "valid" / "long-words" / "map.yaml"))
    tips = [t.split("\n")[0] for t in _tooltips(render_map(cmap, RenderOptions(fmt="svg", layout=layout)))]
    assert "1 Read https://docs.example.com/platform/security/whitepaper-2026-edition.pdf" in tips
    assert "2 Pneumonoultramicroscopicsilicovolcanoconiosis-and-friends-checklist" in tips
    assert "1 1 <script>alert(1)</script> and http://evil" in tips


# -- pictures too large to draw ------------------------------------------------------

SIX_DEEP = """\
cyclemap: 1
title: Six activities
customer: Riders
outcome: Riding
phases:
  pre:
    activities:
      - name: Choose
        subcycle:
          - name: Compare
          - name: Ask
  during:
    activities:
      - name: Ride
  post:
    activities:
      - name: Pay
      - name: Review
"""


def test_a_picture_of_more_activities_than_graphviz_may_draw_is_refused_before_anything_is_written(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over MAX_DRAWN shown activities, svg/png/pdf are a usage error naming the way out; dot, mermaid
    and a folded picture still work."""
    monkeypatch.setattr("cyclemap.render.MAX_DRAWN", 5)
    path = tmp_path / "six.yaml"
    path.write_text(SIX_DEEP, encoding="utf-8")
    out = tmp_path / "six.svg"
    out.write_text("old picture", encoding="utf-8")
    for fmt in ("svg", "png", "pdf"):
        done = cli("render", str(path), "-f", fmt, "-o", str(out))
        assert done.code == EXIT_USAGE
        assert f"too large to draw as {fmt}: 6 activities shown" in done.err
        assert "--depth" in done.err and "-f dot" in done.err and "Traceback" not in done.err
    assert out.read_text(encoding="utf-8") == "old picture"
    assert cli("render", str(path), "-f", "dot", "-o", str(tmp_path / "six.dot")).code == 0
    assert cli("render", str(path), "-f", "mermaid", "-o", str(tmp_path / "six.mmd")).code == 0
    assert cli("render", str(path), "-f", "svg", "--depth", "0", "-o", str(out)).code == 0
    assert out.read_text(encoding="utf-8").startswith("<?xml")
