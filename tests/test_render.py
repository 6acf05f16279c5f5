"""`cyclemap render`: golden DOT and Mermaid, binary smoke tests, output paths, safety and layout sanity.

Golden files live in tests/golden/dot/ and tests/golden/mermaid/; after
reviewing a rendering change, rewrite them with::

    .venv/bin/python tests/regen_golden.py dot/ mermaid/
"""

from __future__ import annotations

import html
import importlib.util
import itertools
import math
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from cyclemap.cli import _run
from cyclemap.exit_codes import EXIT_ENVIRONMENT, EXIT_INVALID
from cyclemap.gaps import Severity, find_gaps, severity_by_id
from cyclemap.loader import load_map
from cyclemap.model import PHASE_KEYS, Activity, CycleMap, Visit
from cyclemap.render import RenderOptions, render_dot, render_map
from cyclemap.render.scene import build_scene
from cyclemap.render.style import FILL, legend_texts

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
LAYOUTS = ("cycle", "flow")
Cli = Callable[..., Any]
"""conftest's `cli` fixture: runs the command line in-process, returns code, out and err."""
HAS_GRAPHVIZ = shutil.which("neato") is not None
needs_graphviz = pytest.mark.skipif(not HAS_GRAPHVIZ, reason="Graphviz is not installed")

SMALL = """\
cyclemap: 1
title: Booking a repair
customer: Owners of a broken washing machine
outcome: A working machine again, soon
phases:
  pre:
    activities:
      - name: Find the model number
        importance: 6
        satisfaction: 3
        offerings: [Model finder]
        subcycle:
          - name: Look behind the door
  during:
    activities:
      - name: Let the engineer in
  post:
    activities:
      - name: Pay the invoice
"""

HOSTILE = r"""cyclemap: 1
title: "Quote \" back\\slash \\N \\G \\l <IMG SRC=\"/etc/passwd\"/> <b>bold</b> &amp; title"
customer: "Customers \\E \x07 with <b>tags</b> &amp; bells"
outcome: "Outcome \\H \\T \\L with <IMG SRC=\"/etc/passwd\"/> and \x1f unit"
x-url: "javascript:xkey(1)"
phases:
  pre:
    label: "Before <b>it</b> \\G"
    x-URL: "javascript:xkey(2)"
    activities:
      - name: "Say \"hi\" \\N \\l <IMG SRC=\"/etc/passwd\"/>"
        x-url: "javascript:xkey(3)"
        x-shape: "<IMG SRC=\"/etc/passwd\"/> xkey"
        x-style: "invis,xkey"
        offerings: ["<b>offer</b> \\N"]
        pains: ["&amp; pain \x07"]
        subcycle:
          - name: "見積もりを比較する 🌞 Café crème"
          - name: "LONG_NAME"
  during:
    activities:
      - name: "Bell \x07 and \x1f unit separator"
      - name: "a:b -> c; d [label=x, URL=\"javascript:alert(4)\"]"
  post:
    activities: []
""".replace("LONG_NAME", "W" * 200)
HOSTILE_TEXTS = (
    r'Quote " back\slash \N \G \l <IMG SRC="/etc/passwd"/> <b>bold</b> &amp; title',
    r"Customers \E \x07 with <b>tags</b> &amp; bells",  # control characters show as escapes
    r"\H \T \L with",
    r'Say "hi" \N \l',
    r"BEFORE <B>IT</B> \G",
    "見積もりを比較する 🌞",
    r"Bell \x07 and \x1f unit separator",
    "a:b -> c; d",
)
"""Texts of the hostile map that must appear literally, as written, in the SVG."""
ATTRIBUTES = frozenset(
    (
        "label",
        "shape",
        "style",
        "penwidth",
        "color",
        "fillcolor",
        "width",
        "height",
        "fixedsize",
        "tooltip",
        "pos",
        "fontsize",
        "fontcolor",
        "arrowhead",
    )
)
"""Every attribute the renderer may set on a node or edge: none comes from the map."""
NODE_ID = re.compile(r"a\d+(_sub)?|outcome|legend|phase_(pre|during|post)|lane_(pre|during|post)")
"""Every node id the renderer may write: generated, never user text."""


# -- helpers -------------------------------------------------------------------------------------------


def _module(path: Path) -> ModuleType:
    """A script that is not in a package (tests/regen_golden.py, bench/generate.py), loaded by path."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _scan_value(text: str, at: int) -> tuple[str, int]:
    """One DOT attribute value starting at `at`: "quoted", <html> or a bare word; returns it and the end."""
    if text[at] == '"':
        match = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S).match(text, at)
        assert match is not None
        return match.group(1), match.end()
    if text[at] == "<":
        depth = 0
        for end in range(at, len(text)):
            depth += {"<": 1, ">": -1}.get(text[end], 0)
            if depth == 0:
                return text[at : end + 1], end + 1
    match = re.compile(r"[^\s\]]+").match(text, at)
    assert match is not None
    return match.group(), match.end()


def _statements(dot: str) -> Iterator[tuple[str, str | None, dict[str, str]]]:
    """(tail, head or None, attributes) of every node and edge statement of DOT written by cyclemap."""
    start = re.compile(r"^\t(\w+)(?: -> (\w+))? \[", re.M)
    at = 0
    while (match := start.search(dot, at)) is not None:
        attrs, at = {}, match.end()
        while dot[at] != "]":
            key = re.compile(r"\s*(\w+)=").match(dot, at)
            assert key is not None, dot[at : at + 80]
            attrs[key.group(1)], at = _scan_value(dot, key.end())
        yield match.group(1), match.group(2), attrs


def dot_nodes(dot: str) -> dict[str, dict[str, str]]:
    """Node id -> attributes (default `node`/`edge` statements left out)."""
    return {tail: attrs for tail, head, attrs in _statements(dot) if head is None and tail not in ("node", "edge")}


def dot_edges(dot: str) -> list[tuple[str, str, dict[str, str]]]:
    return [(tail, head, attrs) for tail, head, attrs in _statements(dot) if head is not None]


def label_text(label: str) -> str:
    """The visible text of an HTML-like label, lines joined by spaces, whitespace folded."""
    text = re.sub(r"<BR[^>]*>", " ", label.removeprefix("<").removesuffix(">"))
    text = html.unescape(re.sub(r"<[^>]*>", "", text)).replace("\\\\", "\\")
    return " ".join(text.split())


def box(attrs: dict[str, str]) -> tuple[float, float, float, float]:
    """(x, y, width, height) of a pinned node in points."""
    x, y = (float(v) for v in attrs["pos"].rstrip("!").split(","))
    width = float(attrs["width"]) * 72
    return x, y, width, float(attrs.get("height", attrs["width"])) * 72


def overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes overlap by more than rounding (positions have 0.1 pt, sizes 0.001 in)."""
    return abs(a[0] - b[0]) * 2 < a[2] + b[2] - 0.5 and abs(a[1] - b[1]) * 2 < a[3] + b[3] - 0.5


def shown_activities(cmap: CycleMap, depth: int | None = None) -> dict[str, Visit | None]:
    """The node id of each activity shown (a1, a2, ... in walk order; None for an empty phase's placeholder)."""
    shown: list[Visit | None] = []
    for phase in PHASE_KEYS:
        visits = [v for v in cmap.walk() if v.phase == phase and (depth is None or v.depth <= depth)]
        shown += visits or [None]
    return {f"a{number}": visit for number, visit in enumerate(shown, start=1)}


def descendants(visit: Visit) -> int:
    """How many activities the subcycle of `visit` holds, at any depth."""

    def count(activities: list[Activity]) -> int:
        return sum(1 + count(a.subcycle) for a in activities)

    return count(visit.activity.subcycle)


def svg_text(data: bytes) -> str:
    """All text of an SVG (it must be well-formed XML), whitespace folded."""
    root = ET.fromstring(data)  # noqa: S314 - our own output, parsed to prove it is well-formed
    return " ".join(" ".join(root.itertext()).replace("\xa0", " ").split())


def process(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
    """`python -m cyclemap ARGS` in a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "cyclemap", *args], capture_output=True, timeout=timeout, env=env, check=False
    )


@pytest.fixture
def small(write_map: Callable[..., Path]) -> Path:
    """A small valid map with a subcycle, one served activity and no empty phase."""
    return write_map(SMALL)


@pytest.fixture(scope="module")
def big_map(tmp_path_factory: pytest.TempPathFactory) -> CycleMap:
    """bench/generate.py's 300-activity map."""
    path = tmp_path_factory.mktemp("big") / "map-300.yaml"
    path.write_text(_module(ROOT / "bench" / "generate.py").generate(300), encoding="utf-8")
    return load_map(str(path))


# -- golden text and determinism -----------------------------------------------------------------------


def test_every_example_has_dot_and_mermaid_golden_files() -> None:
    """Each example has a golden DOT file per layout and a golden Mermaid file, each regenerated by one command."""
    dot = sorted(p.name for p in (GOLDEN / "dot").glob("*.dot"))
    assert dot == sorted(f"{p.stem}-{layout}.dot" for p in EXAMPLES for layout in LAYOUTS)
    mermaid = sorted(p.name for p in (GOLDEN / "mermaid").glob("*.mmd"))
    assert mermaid == [f"{p.stem}.mmd" for p in EXAMPLES]
    assert {f"dot/{name}" for name in dot} | {f"mermaid/{name}" for name in mermaid} <= set(
        _module(ROOT / "tests" / "regen_golden.py").GOLDEN
    )


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_dot_of_example_matches_golden(example: Path, layout: str, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cyclemap render X.yaml -f dot --layout L -o -` prints the reviewed golden DOT."""
    monkeypatch.chdir(ROOT)
    result = cli("render", f"examples/{example.name}", "-f", "dot", "--layout", layout, "-o", "-")
    assert result.code == 0, result.err
    assert result.out == (GOLDEN / "dot" / f"{example.stem}-{layout}.dot").read_text(encoding="utf-8")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_mermaid_of_example_matches_golden(example: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cyclemap render X.yaml -f mermaid -o -` prints the reviewed golden Mermaid flowchart."""
    monkeypatch.chdir(ROOT)
    result = cli("render", f"examples/{example.name}", "-f", "mermaid", "-o", "-")
    assert result.code == 0, result.err
    assert result.out == (GOLDEN / "mermaid" / f"{example.stem}.mmd").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("options", "golden"),
    [
        (("-f", "dot"), "dot/{}-cycle.dot"),
        (("-f", "dot", "-l", "flow"), "dot/{}-flow.dot"),
        (("-f", "mermaid"), "mermaid/{}.mmd"),
    ],
    ids=["dot-cycle", "dot-flow", "mermaid"],
)
def test_text_output_is_byte_identical_across_processes(options: tuple[str, ...], golden: str, tmp_path: Path) -> None:
    """Two processes with different hash seeds write the same bytes as the golden files, for every example."""
    for seed in ("1", "2"):
        folder = tmp_path / seed
        folder.mkdir()
        done = process(
            "render", *map(str, EXAMPLES), *options, "-o", f"{folder}/", env={**os.environ, "PYTHONHASHSEED": seed}
        )
        assert done.returncode == 0, done.stderr.decode()
        for example in EXAMPLES:
            written = next(folder.glob(f"{example.stem}.*")).read_bytes()
            assert written == (GOLDEN / golden.format(example.stem)).read_bytes()


@needs_graphviz
def test_svg_of_the_same_map_twice_is_byte_identical() -> None:
    """Rendering a map to SVG twice gives the same bytes (commit-friendly diagrams)."""
    cmap = load_map(str(EXAMPLES[0]))
    assert render_map(cmap, RenderOptions(fmt="svg")) == render_map(cmap, RenderOptions(fmt="svg"))


# -- binary and image formats --------------------------------------------------------------------------


@needs_graphviz
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_svg_is_xml_showing_title_customer_outcome_phases_names_and_key(example: Path, layout: str) -> None:
    """The SVG parses as XML and shows the title, customer, outcome, phase labels, every activity and the key."""
    cmap = load_map(str(example))
    text = svg_text(render_map(cmap, RenderOptions(fmt="svg", layout=layout)))
    assert cmap.title in text
    assert cmap.customer in text
    assert cmap.outcome in text
    for key in PHASE_KEYS:
        assert (cmap.phase(key).label or key).upper() in text
    for visit in cmap.walk():
        assert visit.activity.name in text
    assert all(legend in text for legend in legend_texts(build_scene(cmap)).values())


@needs_graphviz
def test_png_starts_with_the_png_signature(cli: Cli, small: Path, tmp_path: Path) -> None:
    """-o x.png writes a PNG file."""
    assert cli("render", str(small), "-o", str(tmp_path / "x.png")).code == 0
    assert (tmp_path / "x.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@needs_graphviz
def test_pdf_holds_the_title_and_activity_names_as_text(cli: Cli, tmp_path: Path) -> None:
    """-o x.pdf writes a PDF whose extracted text has the map's title and activity names."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    target = tmp_path / "x.pdf"
    assert cli("render", str(ROOT / "examples" / "home-solar.yaml"), "-o", str(target)).code == 0
    assert target.read_bytes().startswith(b"%PDF-")
    text = subprocess.run([pdftotext, str(target), "-"], capture_output=True, check=True).stdout.decode()
    cmap = load_map(str(ROOT / "examples" / "home-solar.yaml"))
    assert cmap.title in text
    words = set(text.split())
    for visit in list(cmap.walk())[:8]:
        assert set(visit.activity.name.split()) <= words


# -- output paths and formats --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "starts"),
    [
        (".svg", b"<?xml"),
        (".png", b"\x89PNG"),
        (".pdf", b"%PDF-"),
        (".dot", b"digraph cycle {"),
        (".gv", b"digraph cycle {"),
        (".mmd", b"---\ntitle:"),
    ],
)
def test_format_comes_from_the_output_suffix(suffix: str, starts: bytes, cli: Cli, small: Path, tmp_path: Path) -> None:
    """-o FILE.SUFFIX picks the format: svg, png, pdf, dot (also .gv) or mermaid (.mmd)."""
    if suffix in (".svg", ".png", ".pdf") and not HAS_GRAPHVIZ:
        pytest.skip("Graphviz is not installed")
    target = tmp_path / f"out{suffix}"
    result = cli("render", str(small), "-o", str(target))
    assert result.code == 0, result.err
    assert target.read_bytes().startswith(starts)
    assert f"Wrote {target}" in result.err


def test_format_option_overrides_the_suffix(cli: Cli, small: Path, tmp_path: Path) -> None:
    """-f wins over the -o suffix, and makes any suffix usable."""
    assert cli("render", str(small), "-o", str(tmp_path / "out.svg"), "-f", "dot").code == 0
    assert (tmp_path / "out.svg").read_text(encoding="utf-8").startswith("digraph cycle {")
    assert cli("render", str(small), "-o", str(tmp_path / "out.txt"), "-f", "mermaid").code == 0
    assert (tmp_path / "out.txt").read_text(encoding="utf-8").startswith("---\ntitle:")


def test_unknown_suffix_without_format_is_a_usage_error(cli: Cli, small: Path, tmp_path: Path) -> None:
    """-o out.txt without -f exits 2, says how to fix it and writes nothing."""
    result = cli("render", str(small), "-o", str(tmp_path / "out.txt"))
    assert result.code == 2
    assert "-f" in result.err
    assert not (tmp_path / "out.txt").exists()


@pytest.mark.parametrize(
    ("options", "name"), [((), "map.svg"), (("-f", "mermaid"), "map.mmd"), (("-f", "dot"), "map.dot")]
)
def test_default_output_goes_next_to_the_map(options: tuple[str, ...], name: str, cli: Cli, small: Path) -> None:
    """Without -o the diagram is written beside the map, with the format's suffix (svg by default)."""
    if not options and not HAS_GRAPHVIZ:
        pytest.skip("Graphviz is not installed")
    assert cli("render", str(small), *options).code == 0
    assert (small.parent / name).stat().st_size > 0


def test_several_maps_go_into_an_output_folder(cli: Cli, small: Path, tmp_path: Path) -> None:
    """Several maps with -o folder/ write one file per map, named after it."""
    other = tmp_path / "other.yaml"
    other.write_text(SMALL.replace("Booking a repair", "Another map"), encoding="utf-8")
    (tmp_path / "out").mkdir()
    assert cli("render", str(small), str(other), "-f", "dot", "-o", str(tmp_path / "out")).code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["map.dot", "other.dot"]
    assert "Another map" in (tmp_path / "out" / "other.dot").read_text(encoding="utf-8")


def test_several_maps_to_one_file_is_a_usage_error(cli: Cli, small: Path, tmp_path: Path) -> None:
    """Several maps with -o pointing at a file exit 2 and write nothing."""
    result = cli("render", str(small), str(small), "-o", str(tmp_path / "both.svg"))
    assert result.code == 2
    assert "folder" in result.err
    assert not (tmp_path / "both.svg").exists()


def test_dash_writes_to_standard_output(cli: Cli, small: Path) -> None:
    """-o - prints the diagram and nothing else (no 'Wrote' line)."""
    result = cli("render", str(small), "-f", "dot", "-o", "-")
    assert result.code == 0
    assert result.out.startswith("digraph cycle {")
    assert result.err == ""


@needs_graphviz
def test_png_to_standard_output_when_it_is_not_a_terminal(
    small: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """Binary output may go to a pipe or a file."""
    assert _run(["render", str(small), "-f", "png", "-o", "-"]) == 0
    assert capsysbinary.readouterr().out.startswith(b"\x89PNG")


@needs_graphviz
def test_png_to_a_terminal_is_refused(small: Path) -> None:
    """Binary output to a terminal exits 2 with advice instead of garbling the screen."""
    primary, secondary = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cyclemap", "render", str(small), "-f", "png", "-o", "-"],
            stdout=secondary,
            stderr=subprocess.PIPE,
            timeout=30,
            check=False,
        )
    finally:
        os.close(secondary)
        os.close(primary)
    assert done.returncode == 2
    assert b"terminal" in done.stderr


def test_closed_pipe_exits_quietly(small: Path) -> None:
    """`cyclemap render ... -o - | head` whose reader has gone exits 0 without a traceback."""
    with subprocess.Popen(
        [sys.executable, "-m", "cyclemap", "render", str(small), "-f", "dot", "-o", "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.close()  # before the process writes: its write meets a closed pipe
        err = proc.stderr.read()
        code = proc.wait(timeout=30)
    assert code == 0
    assert err == b""


# -- safety: user text only in escaped labels ---------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> CycleMap:
    """A valid map whose texts hold quotes, Graphviz escapes, HTML, control characters, CJK and emoji."""
    path = tmp_path_factory.mktemp("hostile") / "map.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    return load_map(str(path))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_dot_keeps_user_text_inside_escaped_labels(hostile: CycleMap, layout: str) -> None:
    """No raw HTML, control characters or user attributes reach the DOT, and node ids are generated."""
    dot = render_dot(hostile, RenderOptions(layout=layout))
    for raw in ("<IMG", "<img", "<b>bold", "<b>tags", "<b>it", "<b>offer", '"hi"'):
        assert raw not in dot
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", dot)
    assert "xkey" not in dot
    nodes = dot_nodes(dot)
    assert all(NODE_ID.fullmatch(key) and set(attrs) <= ATTRIBUTES for key, attrs in nodes.items())
    edges = dot_edges(dot)
    assert all(NODE_ID.fullmatch(a) and NODE_ID.fullmatch(b) and set(attrs) <= ATTRIBUTES for a, b, attrs in edges)
    shown = "".join(label_text(nodes["a1"]["label"]).split())  # wrapping may break inside a word
    assert shown.startswith(r'1Say"hi"\N\l<IMGSRC="/etc/passwd"/>')


@needs_graphviz
@pytest.mark.parametrize("layout", LAYOUTS)
def test_svg_of_hostile_text_is_well_formed_and_shows_it_literally(hostile: CycleMap, layout: str) -> None:
    """Escapes such as \\N stay as typed, '<IMG SRC=...>' is text (no image, no file content), links never appear."""
    data = render_map(hostile, RenderOptions(fmt="svg", layout=layout))
    text = svg_text(data)
    for expected in HOSTILE_TEXTS:
        assert expected in text
    root = ET.fromstring(data)  # noqa: S314 - our own output
    assert not [e for e in root.iter() if e.tag.endswith("image")]
    tooltip = "{http://www.w3.org/1999/xlink}title"  # text shown on hover, not a link
    links = [(k, v) for e in root.iter() for k, v in e.attrib.items() if "href" in k or "javascript" in v]
    assert [k for k, _ in links if k != tooltip] == []
    assert b"xkey" not in data
    passwd = Path("/etc/passwd")
    if passwd.exists():
        first = passwd.read_text(errors="replace").split("\n", 1)[0]
        assert first.encode() not in data


@needs_graphviz
def test_png_of_hostile_map_renders(hostile: CycleMap) -> None:
    """Long, CJK and emoji names render to PNG without a Graphviz error."""
    assert render_map(hostile, RenderOptions(fmt="png")).startswith(b"\x89PNG")


def test_long_names_wrap_into_a_bounded_box(hostile: CycleMap) -> None:
    """A 200-character name is wrapped and cut to at most four lines ending with '…'."""
    nodes = dot_nodes(render_dot(hostile, RenderOptions()))
    label = nodes["a3"]["label"]
    assert label.count("<BR/>") == 3
    assert label_text(label).endswith("…")
    assert box(nodes["a3"])[2] < 4 * 72


def test_mermaid_keeps_user_text_inside_quoted_labels(hostile: CycleMap) -> None:
    """Mermaid labels hold no raw quotes or markup, and the title front matter stays valid YAML."""
    text = render_map(hostile, RenderOptions(fmt="mermaid")).decode("utf-8")
    front = text.split("---\n")[1]
    assert yaml.safe_load(front)["title"].startswith(r'Quote " back\slash \N \G')  # the title reads back as written
    for line in text.splitlines():
        if re.match(r"\s+a\d+\[", line):
            assert re.fullmatch(r'\s+a\d+\["[^"<>]*(<br/><small>[^"<>]*</small>)*"\]', line), line
    assert "<IMG" not in text
    assert "xkey" not in text
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)


# -- writes are atomic and safe ------------------------------------------------------------------------


def test_invalid_map_leaves_existing_output_untouched(cli: Cli, write_map: Callable[..., Path], tmp_path: Path) -> None:
    """A map with errors exits EXIT_INVALID, and the diagram already there stays as it was, with no temporary files."""
    bad = write_map(SMALL.replace("importance: 6", "importance: high"))
    target = tmp_path / "map.dot"
    target.write_text("old diagram", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("render", str(bad), "-o", str(target))
    assert result.code == EXIT_INVALID
    assert "importance" in result.err
    assert target.read_text(encoding="utf-8") == "old diagram"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("spelling", ["{map}", "{folder}/./map.yaml", "{folder}/sub/../map.yaml"])
def test_output_onto_the_input_map_is_refused(spelling: str, cli: Cli, small: Path) -> None:
    """-o naming the input map (however it is spelled) exits 2 and leaves the map unchanged."""
    (small.parent / "sub").mkdir()
    target = spelling.format(map=small, folder=small.parent)
    result = cli("render", str(small), "-f", "dot", "-o", target)
    assert result.code == 2
    assert "input map" in result.err
    assert small.read_text(encoding="utf-8") == SMALL


def test_output_through_a_symlink_replaces_the_link(cli: Cli, small: Path, tmp_path: Path) -> None:
    """A symlink at the output path is replaced by the new file; the file it pointed to is not written."""
    elsewhere = tmp_path / "elsewhere.dot"
    elsewhere.write_text("keep me", encoding="utf-8")
    link = tmp_path / "out.dot"
    link.symlink_to(elsewhere)
    assert cli("render", str(small), "-o", str(link)).code == 0
    assert not link.is_symlink()
    assert link.read_text(encoding="utf-8").startswith("digraph")
    assert elsewhere.read_text(encoding="utf-8") == "keep me"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(link.stat().st_mode) == 0o666 & ~umask  # not the 0600 of a temporary file


def test_output_to_a_pipe_writes_into_it(cli: Cli, small: Path, tmp_path: Path) -> None:
    """A named pipe (like /dev/null or /dev/stdout) is written into, never replaced by a regular file."""
    fifo = tmp_path / "pipe.dot"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        assert cli("render", str(small), "-o", str(fifo)).code == 0
        data = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert data.startswith(b"digraph cycle {")


@needs_graphviz
def test_layout_timeout_is_an_environment_error_with_advice_and_keeps_old_output(small: Path, tmp_path: Path) -> None:
    """A layout program slower than --timeout is stopped; the message suggests --depth, --layout flow, --timeout."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    slow = bin_dir / "neato"
    slow.write_text("#!/bin/sh\nexec sleep 60\n", encoding="utf-8")
    slow.chmod(0o755)
    target = tmp_path / "map.svg"
    target.write_text("old diagram", encoding="utf-8")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = process("render", str(small), "-o", str(target), "--timeout", "1", env=env)
    err = done.stderr.decode()
    assert done.returncode == EXIT_ENVIRONMENT, err
    assert all(advice in err for advice in ("--depth", "--layout flow", "--timeout"))
    assert "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "old diagram"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "map.svg", "map.yaml"]


def _path_without_graphviz(tmp_path: Path) -> str:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    return str(bin_dir)


def test_missing_graphviz_exits_3_with_install_hint(small: Path, tmp_path: Path) -> None:
    """Without Graphviz, svg output exits 3 saying how to install it, and writes nothing."""
    env = {**os.environ, "PATH": _path_without_graphviz(tmp_path)}
    done = process("render", str(small), "-o", str(tmp_path / "out.svg"), env=env)
    err = done.stderr.decode()
    assert done.returncode == 3, err
    assert "Graphviz is not installed" in err
    assert "apt-get install graphviz" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.svg").exists()


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_dot_and_mermaid_work_without_graphviz(
    fmt: str, cli: Cli, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """-f dot and -f mermaid need no Graphviz programs."""
    monkeypatch.setenv("PATH", _path_without_graphviz(tmp_path))
    result = cli("render", str(small), "-f", fmt, "-o", "-")
    assert result.code == 0, result.err
    assert "Booking a repair" in result.out


# -- what the diagram shows ----------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_depth_0_shows_only_top_level_activities_with_hidden_counts(layout: str) -> None:
    """--depth 0 draws the top-level activities only, each saying how many steps its subcycle hides."""
    cmap = load_map(str(ROOT / "examples" / "home-solar.yaml"))  # the example with subcycles two levels deep
    nodes = dot_nodes(render_dot(cmap, RenderOptions(layout=layout, depth=0)))
    shown = shown_activities(cmap, depth=0)
    assert {k for k in nodes if k.startswith("a")} == set(shown)
    for key, visit in shown.items():
        assert visit is not None
        hidden = descendants(visit)
        assert (f"+{hidden} more in subcycle" in label_text(nodes[key]["label"])) == (hidden > 0)
    assert any(v is not None and descendants(v) for v in shown.values())


@pytest.mark.parametrize("layout", LAYOUTS)
def test_depth_1_keeps_one_level_of_subcycles(layout: str) -> None:
    """--depth 1 draws activities and their direct steps; deeper steps are counted on their parent."""
    cmap = load_map(str(ROOT / "examples" / "home-solar.yaml"))  # the example with subcycles two levels deep
    nodes = dot_nodes(render_dot(cmap, RenderOptions(layout=layout, depth=1)))
    shown = shown_activities(cmap, depth=1)
    assert {k for k in nodes if re.fullmatch(r"a\d+", k)} == set(shown)
    assert {v.depth for v in shown.values() if v is not None} == {0, 1}
    for key, visit in shown.items():
        assert visit is not None
        hidden = descendants(visit) if visit.depth == 1 else 0
        assert (f"+{hidden} more in subcycle" in label_text(nodes[key]["label"])) == (hidden > 0)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_fill_is_the_gap_severity_and_border_shows_service(example: Path, layout: str) -> None:
    """Each box is filled with the colour of the severity `cyclemap gaps` reports; served boxes solid, others dashed."""
    cmap = load_map(str(example))
    severities = severity_by_id(find_gaps(cmap))
    nodes = dot_nodes(render_dot(cmap, RenderOptions(layout=layout)))
    for key, visit in shown_activities(cmap).items():
        attrs = nodes[key]
        if visit is None:
            assert "No activities mapped yet" in label_text(attrs["label"])
            continue
        assert " ".join(visit.activity.name.split()) in label_text(attrs["label"])
        assert attrs["fillcolor"] == FILL[severities.get(visit.activity.id or "", Severity.NONE)][0]
        served = bool(visit.activity.offerings)
        assert ("dashed" not in attrs["style"]) == served
        assert ("bold" in attrs["style"]) == served


@pytest.mark.parametrize("layout", LAYOUTS)
def test_legend_explains_every_colour_and_border(layout: str) -> None:
    """The key lists each severity with its colour, and the solid and dashed borders."""
    cmap = load_map(str(EXAMPLES[0]))
    legend = dot_nodes(render_dot(cmap, RenderOptions(layout=layout)))["legend"]["label"]
    for severity, text in legend_texts(build_scene(cmap)).items():
        assert html.escape(text) in legend
        assert f'BGCOLOR="{FILL[severity][0]}"' in legend
    assert "Solid border" in legend
    assert "Dashed border" in legend


def test_severity_palette_stays_in_order_in_greyscale() -> None:
    """Fills get lighter from extreme to pain, so the order survives a black-and-white print."""

    def luminance(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    ranked = [Severity.EXTREME, Severity.HIGH, Severity.MODERATE, Severity.PAIN]
    levels = [luminance(FILL[s][0]) for s in ranked]
    assert levels == sorted(levels)
    assert len({FILL[s][0] for s in Severity}) == len(Severity)


# -- layout sanity ----------------------------------------------------------------------------------


def _activity_boxes(dot: str) -> dict[str, tuple[float, float, float, float]]:
    return {key: box(attrs) for key, attrs in dot_nodes(dot).items() if re.fullmatch(r"a\d+", key)}


def _assert_no_overlaps(boxes: dict[str, tuple[float, float, float, float]]) -> None:
    clashes = [(a, b) for (a, ra), (b, rb) in itertools.combinations(boxes.items(), 2) if overlap(ra, rb)]
    assert clashes == []


def _maps(big: CycleMap) -> list[tuple[str, CycleMap]]:
    return [*((p.stem, load_map(str(p))) for p in EXAMPLES), ("generated-300", big)]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_no_two_boxes_overlap(layout: str, big_map: CycleMap) -> None:
    """No activity boxes overlap, nor subcycle cards, for every example and a 300-activity map."""
    for _, cmap in _maps(big_map):
        dot = render_dot(cmap, RenderOptions(layout=layout))
        _assert_no_overlaps(_activity_boxes(dot))
        _assert_no_overlaps({k: box(a) for k, a in dot_nodes(dot).items() if k.endswith("_sub")})


def test_cycle_runs_clockwise_from_twelve_in_map_order(big_map: CycleMap) -> None:
    """Top-level activities go clockwise from twelve o'clock: pre, during, post, each in map order."""
    for name, cmap in _maps(big_map):
        nodes = dot_nodes(render_dot(cmap, RenderOptions()))
        ring = [key for key, visit in shown_activities(cmap).items() if visit is None or visit.depth == 0]
        angles = [math.atan2(box(nodes[k])[0], box(nodes[k])[1]) % (2 * math.pi) for k in ring]
        assert angles == sorted(angles), name
        assert angles[0] < math.pi / 2, name
        assert not any(overlap(box(nodes["outcome"]), box(nodes[k])) for k in ring), name


def test_flow_stacks_lanes_pre_during_post_with_activities_inside(big_map: CycleMap) -> None:
    """Flow lanes run pre above during above post; each phase's boxes lie in its lane, top level left to right."""
    for name, cmap in _maps(big_map):
        nodes = dot_nodes(render_dot(cmap, RenderOptions(layout="flow")))
        lanes = {key: box(nodes[f"lane_{key}"]) for key in PHASE_KEYS}
        assert lanes["pre"][1] > lanes["during"][1] > lanes["post"][1], name
        assert not overlap(lanes["pre"], lanes["during"]) and not overlap(lanes["during"], lanes["post"])
        tops: dict[str, list[float]] = {key: [] for key in PHASE_KEYS}
        for key, visit in shown_activities(cmap).items():
            x, y, w, h = box(nodes[key])
            phase = visit.phase if visit else next(p for p in PHASE_KEYS if not cmap.phase(p).activities)
            lx, ly, lw, lh = lanes[phase]
            assert abs(x - lx) * 2 <= lw - w and abs(y - ly) * 2 <= lh - h, (name, key)
            if visit is None or visit.depth == 0:
                tops[phase].append(x)
        assert all(xs == sorted(xs) for xs in tops.values()), name


# -- small and empty maps ------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_empty_phase_shows_a_placeholder(layout: str, write_map: Callable[..., Path]) -> None:
    """A phase without activities gets a 'No activities mapped yet' box, in DOT and Mermaid."""
    cmap = load_map(
        str(
            write_map(
                SMALL.replace("      - name: Let the engineer in\n", "").replace(
                    "  during:\n    activities:\n", "  during:\n    activities: []\n"
                )
            )
        )
    )
    nodes = dot_nodes(render_dot(cmap, RenderOptions(layout=layout)))
    placeholders = [k for k, v in shown_activities(cmap).items() if v is None]
    assert len(placeholders) == 1
    assert label_text(nodes[placeholders[0]]["label"]) == "No activities mapped yet"
    assert "No activities mapped yet" in render_map(cmap, RenderOptions(fmt="mermaid")).decode()


@needs_graphviz
@pytest.mark.parametrize("layout", LAYOUTS)
def test_single_activity_map_renders(layout: str, cli: Cli, write_map: Callable[..., Path], tmp_path: Path) -> None:
    """A map with one activity (two empty phases) renders to SVG."""
    path = write_map(
        "cyclemap: 1\ntitle: One step\ncustomer: Anyone\noutcome: Done\nphases:\n"
        "  pre: {activities: [{name: The only step}]}\n  during: {activities: []}\n  post: {activities: []}\n"
    )
    result = cli("render", str(path), "--layout", layout, "-o", str(tmp_path / "one.svg"))
    assert result.code == 0, result.err
    text = svg_text((tmp_path / "one.svg").read_bytes())
    assert "The only step" in text
    assert text.count("No activities mapped yet") == 2


def test_the_readme_says_exactly_which_outputs_are_byte_identical() -> None:
    """Rendered PDFs embed cairo's creation date: the README must not call every output reproducible."""
    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
    assert "Outputs are byte-for-byte reproducible" not in readme
    assert "A diagram rendered as PDF differs only in the creation date" in readme
    for output in ("DOT, SVG, PNG and Mermaid", "`gaps` JSON and CSV", "`report` Markdown", "the workshop PDF"):
        assert output in readme
