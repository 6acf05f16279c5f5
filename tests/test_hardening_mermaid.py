"""Mermaid output checked with Mermaid's own parser: user text never becomes a directive or markup.

The parser runs under node from ``tests/mermaid`` (``npm ci`` there installs it
from its lock; ``bash install.sh test`` does that). Without node these tests
are skipped; with node but without the packages they fail, saying what to run.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import FOLDED_MAP

from cyclemap.loader import load_map
from cyclemap.model import label_of
from cyclemap.render import RenderOptions, render_dot
from cyclemap.render.landscape import chart_of
from cyclemap.render.mermaid import (
    QUADRANT_CAN_NOT_SHOW,
    mermaid_text,
    node_label,
    render_mermaid,
)
from cyclemap.render.scene import Scene, build_scene
from cyclemap.render.style import FILL
from cyclemap.report.document import map_document
from cyclemap.safe_text import escape_invisible

ROOT = Path(__file__).resolve().parent.parent
PARSER_DIR = ROOT / "tests" / "mermaid"
CASES = ROOT / "tests" / "cases" / "valid"
HOSTILE = CASES / "hostile-labels" / "map.yaml"
MAPS = sorted([*CASES.glob("*/map.yaml"), *(ROOT / "examples").glob("*.yaml")])
NODE = shutil.which("node")

needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed: Mermaid's parser runs under node")


def mermaid_parse(texts: dict[str, str], tmp_path: Path) -> dict[str, dict[str, Any]]:
    """What Mermaid's parser understood of each text (by name): type, config, title, labels; or an error."""
    if not (PARSER_DIR / "node_modules" / "mermaid").is_dir():
        pytest.fail("Mermaid's parser is not installed: run `npm ci` in tests/mermaid (install.sh test does)")
    files = []
    for name, text in texts.items():
        path = tmp_path / f"{name}.mmd"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(PARSER_DIR / "parse.mjs"), *files], capture_output=True, text=True, timeout=300, check=True
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    return {Path(result["file"]).stem: result for result in results}


def expected_labels(scene: Scene) -> dict[str, str]:
    """Every node's label as cyclemap means people to read it (control and format characters as escapes)."""
    labels = {"outcome": "Outcome: " + escape_invisible(scene.outcome)}
    for box in scene.all_boxes():
        labels[box.key] = "\n".join(escape_invisible(line) for line in node_label(box, scene.since))
    return labels


@pytest.fixture(scope="module")
def scenes() -> dict[str, Scene]:
    return {f"{path.parent.name}-{path.stem}": build_scene(load_map(str(path))) for path in MAPS}


@pytest.fixture(scope="module")
def parsed(scenes: dict[str, Scene], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    if NODE is None:
        pytest.skip("node is not installed: Mermaid's parser runs under node")
    texts = {name: render_mermaid(scene) for name, scene in scenes.items()}
    return mermaid_parse(texts, tmp_path_factory.mktemp("mermaid"))


@needs_node
def test_every_map_parses_as_a_flowchart_without_configuration(parsed: dict[str, dict[str, Any]]) -> None:
    """Mermaid parses the diagram of every example and case, hostile names too, and applies no init or config."""
    assert "hostile-labels-map" in parsed
    for name, result in parsed.items():
        assert "error" not in result, (name, result.get("error"))
        assert result["type"] == "flowchart-v2", name
        assert result["config"] == {}, name


@needs_node
def test_every_label_shows_its_text_literally(scenes: dict[str, Scene], parsed: dict[str, dict[str, Any]]) -> None:
    """Each node and phase label, as Mermaid shows it, is exactly the text cyclemap put there."""
    for name, scene in scenes.items():
        result = parsed[name]
        assert result["nodes"] == expected_labels(scene), name
        assert result["subgraphs"] == {phase.key: escape_invisible(phase.label) for phase in scene.phases}, name


@needs_node
def test_hostile_names_reach_the_diagram_as_written(parsed: dict[str, dict[str, Any]]) -> None:
    """Directives, entities, quotes, HTML, KaTeX, icons and flowchart syntax in names are shown, not obeyed."""
    shown = "\n".join(parsed["hostile-labels-map"]["nodes"].values())
    for text in (
        "%%{init: {'theme': 'dark'}}%%",
        "Cost %%{ budget",
        "Cost %%{ budget; 100% sure #37;",
        "#37; #quot; &amp; &lt;b&gt; #35;",
        "\"q\" 'a' [b] (c) {d} <b>e</b> `f` $$x^2$$ fa:fa-car",
        "A --> B; end; click a1 call alert(1)",
        "lifestyle: cost#1; classDef x fill:#f00;",
        "\\u202erevers",  # a bidi override shows as an escape instead of turning the text round
    ):
        assert text in shown
    assert parsed["hostile-labels-map"]["subgraphs"]["pre"] == "end %% comment"
    title = parsed["hostile-labels-map"]["title"]
    assert title.startswith("%%{init: {'theme': 'dark'}}%% Plan \"B\" ")  # Mermaid drops the title's <i> tags
    assert "\n" not in title


@needs_node
def test_report_page_diagram_parses_without_configuration(tmp_path: Path) -> None:
    """The diagram inside `cyclemap report`'s page is the same safe Mermaid, for hostile names too."""
    page = map_document(load_map(str(HOSTILE)), "map.yaml")
    lines = page.splitlines()
    start = lines.index("```mermaid")
    fenced = "\n".join(lines[start + 1 : lines.index("```", start + 1)]) + "\n"
    result = mermaid_parse({"page": fenced}, tmp_path)["page"]
    assert "error" not in result
    assert result["config"] == {}


def test_mermaid_text_keeps_no_character_mermaid_reads() -> None:
    """`%`, quotes, brackets, '<', '#', ';', ':', '$', '`' and line breaks never reach a label raw."""
    text = mermaid_text("%%{init}%% \"x\" [y] <z> #1; a:b $$ ` \n \u202e")
    assert not set(re.sub(r"#\d+;", "", text)) & set("%\"[]{}<>#;:$`\n\u202e&|=\\")  # only entities hold them


def test_title_front_matter_is_one_line_of_yaml_with_no_directive() -> None:
    """The title is one YAML line that reads back as the title, with no '%%', tag or '##[' in the file."""
    cmap = load_map(str(HOSTILE))
    text = render_mermaid(build_scene(cmap))
    front = text.split("---\n")[1]
    assert front.count("\n") == 1
    assert "%" not in front and "<" not in front and "##[" not in text
    import yaml  # noqa: PLC0415 - only this test reads YAML

    assert yaml.safe_load(front)["title"] == escape_invisible(" ".join(cmap.title.split()))
    assert label_of("pre", cmap.phase("pre")) == "end %% comment"


# -- collapsed subcycles show the worst gap folded inside, as the Graphviz pictures do -----------------------


@pytest.fixture(scope="module")
def folded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("folded") / "map.yaml"
    path.write_text(FOLDED_MAP, encoding="utf-8")
    return path


@pytest.mark.parametrize(("depth", "holder"), [(0, "Plan it"), (1, "Sketch")])
def test_collapsed_node_shows_the_worst_gap_inside_like_the_graphviz_pictures(
    folded: Path, depth: int, holder: str
) -> None:
    """With --depth, the node hiding an extreme gap ends with a square in the extreme colour and the same words."""
    cmap = load_map(str(folded))
    scene = build_scene(cmap, depth)
    [box] = [b for b in scene.all_boxes() if holder in " ".join(b.lines)]
    assert node_label(box)[-1] == "■ worst inside: extreme"
    assert "worst inside: extreme" in render_dot(cmap, RenderOptions(layout="flow", depth=depth))  # the same words
    text = render_mermaid(scene)
    [line] = [line for line in text.splitlines() if line.strip().startswith(f'{box.key}["')]
    extreme = "rgb(165,15,21)"  # FILL[EXTREME], #a50f15, written without '#' for Mermaid
    assert f"<small><span style='background:white'><span style='color:{extreme}'>■</span></span> worst inside#58; " \
           "extreme</small>" in line
    assert text.count("worst inside") == 1  # the white node above it (depth 1) and the others say nothing
    assert "worst inside" not in render_mermaid(build_scene(cmap))  # nothing collapsed, nothing to say


@needs_node
def test_collapsed_nodes_parse_and_read_as_meant(folded: Path, tmp_path: Path) -> None:
    """Mermaid parses collapsed diagrams (this map, every example at --depth 1) and shows the square and words."""
    scenes = {f"folded-{depth}": build_scene(load_map(str(folded)), depth) for depth in (0, 1)}
    scenes |= {f"{path.stem}-1": build_scene(load_map(str(path)), 1) for path in MAPS}
    results = mermaid_parse({name: render_mermaid(scene) for name, scene in scenes.items()}, tmp_path)
    for name, scene in scenes.items():
        assert "error" not in results[name], (name, results[name].get("error"))
        assert results[name]["config"] == {}, name
        assert results[name]["nodes"] == expected_labels(scene), name
    assert "1 Plan it\n+3 more in subcycle\n■ worst inside: extreme" in results["folded-0"]["nodes"].values()
    assert "1.1 Sketch\n+1 more in subcycle\n■ worst inside: extreme" in results["folded-1"]["nodes"].values()


LONG_WORDS = CASES / "long-words" / "map.yaml"


def test_labels_keep_long_words_whole() -> None:
    """A URL or a long word too wide for a box is broken in the Graphviz picture, never in Mermaid's text."""
    text = render_mermaid(build_scene(load_map(str(LONG_WORDS))))
    assert mermaid_text("1 Read https://docs.example.com/platform/security/whitepaper-2026-edition.pdf") in text
    assert mermaid_text("2 Pneumonoultramicroscopicsilicovolcanoconiosis-and-friends-checklist") in text
    assert mermaid_text("1 1 <script>alert(1)</script> and http://evil") in text


def _fenced_blocks(page: str) -> list[str]:
    """The text of every ```mermaid block of a Markdown page, in order."""
    lines = page.splitlines()
    blocks, start = [], 0
    while "```mermaid" in lines[start:]:
        begin = lines.index("```mermaid", start)
        end = lines.index("```", begin + 1)
        blocks.append("\n".join(lines[begin + 1 : end]) + "\n")
        start = end + 1
    return blocks


@needs_node
def test_report_landscape_is_a_quadrant_chart_showing_every_point_as_written(tmp_path: Path) -> None:
    """The report's landscape parses as a quadrantChart with no configuration, for hostile names too: one point
    per scored activity, its label "D1.2 Name" as written (cut with '…'), its fill its severity's, and placed
    by importance (x) and satisfaction (y); the page says what the chart cannot show."""
    maps = [HOSTILE, *(p for p in MAPS if p.parent.name == "examples")]
    texts, charts = {}, {}
    for number, path in enumerate(maps):
        cmap = load_map(str(path))
        page = map_document(cmap, "map.yaml")
        blocks = _fenced_blocks(page)
        assert len(blocks) == 2 and blocks[1].startswith("quadrantChart\n")
        assert QUADRANT_CAN_NOT_SHOW in page and "## Opportunity landscape" in page
        texts[f"m{number}"], charts[f"m{number}"] = blocks[1], chart_of(cmap)
    parsed = mermaid_parse(texts, tmp_path)
    for name, chart in charts.items():
        result = parsed[name]
        assert "error" not in result, result
        assert result["type"] == "quadrantChart" and result["config"] == {}
        panel = chart.panels[0]
        want = {escape_invisible(panel.tag(p)): p for p in panel.points}
        got = {point["text"]: point for point in result["points"]}
        assert set(got) == set(want) and len(result["points"]) == len(panel.points)
        for text, point in want.items():
            assert got[text]["fill"] == FILL[point.severity][0]
        # Activities at one point are spread around it by less than a unit: points further apart keep their order
        # (y grows downwards in the picture).
        for a, b in itertools.combinations(want, 2):
            if want[a].importance > want[b].importance + 1.2:
                assert got[a]["x"] > got[b]["x"], (a, b)
            if want[a].satisfaction > want[b].satisfaction + 1.2:
                assert got[a]["y"] < got[b]["y"], (a, b)
        places = {(round(got[t]["x"], 3), round(got[t]["y"], 3)) for t in want}
        assert len(places) == len(want), "two activities drawn at the same place"
