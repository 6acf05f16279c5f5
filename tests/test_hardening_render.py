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
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from cyclemap import cli
from cyclemap.exit_codes import EXIT_USAGE
from cyclemap.loader import load_map
from cyclemap.render import RenderOptions, render_dot, render_map
from cyclemap.render.graphviz_run import ENGINES

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
    drawn = json.loads(render_map(cmap, RenderOptions(fmt="json", layout=layout, engine=engine)))
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
    *_, bb_width, bb_height = (float(v) for v in drawn["bb"].split(","))
    assert right <= bb_width <= max(right, 1200.0) + 20
    assert bb_height < 3 * bb_width
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
