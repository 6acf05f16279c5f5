"""`cyclemap site`: the static site of a folder of maps (issue 13, part A).

The pages are parsed with html.parser: map text shows as text (never as
markup), every link and asset resolves on disk, and a rebuild gives the same
bytes. Browser tests come with `cyclemap serve`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from tests.test_gaps_multi import UNREADABLE, unreadable_folder

from cyclemap.exit_codes import EXIT_ENVIRONMENT, EXIT_FOUND, EXIT_OK, EXIT_USAGE
from cyclemap.loader import load_map
from cyclemap.render.graphviz_run import LayoutError
from cyclemap.site import collect
from cyclemap.site.pages import SITE_CSP, LiveView, SiteOptions, index_page
from cyclemap.site.svg import UnsafeSvg, check_svg, inline_svg

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "cases" / "valid" / "hostile-labels" / "map.yaml"
INVALID = ROOT / "tests" / "cases" / "invalid" / "several-problems" / "map.yaml"
needs_graphviz = pytest.mark.skipif(shutil.which("neato") is None, reason="Graphviz is not installed")


class Page(HTMLParser):
    """What a page holds: its elements with their attributes, its text, its ids."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.ids: set[str] = set()
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.elements.append((tag, found))
        if found.get("id"):
            self.ids.add(str(found["id"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)

    def links(self) -> list[str]:
        return [str(attrs[name]) for _, attrs in self.elements for name in ("href", "src", "xlink:href")
                if attrs.get(name) is not None]


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of maps: the examples (a split map too), the hostile labels and an invalid map."""
    folder = tmp_path_factory.mktemp("maps")
    shutil.copytree(ROOT / "examples", folder / "examples")
    shutil.copy(HOSTILE, folder / "hostile.yaml")
    shutil.copy(INVALID, folder / "broken.yaml")
    return folder


def _build(maps: Path, out: Path) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "cyclemap", "site", str(maps), "-o", str(out)],
                          capture_output=True, timeout=300, check=False)
    return done.returncode, done.stderr.decode()


@pytest.fixture(scope="module")
def built(maps: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    if shutil.which("neato") is None:
        pytest.skip("Graphviz is not installed")
    out = tmp_path_factory.mktemp("site") / "public"
    code, err = _build(maps, out)
    return out, code, err


def _page(site: Path, rel: str) -> Page:
    return Page((site / rel).read_text(encoding="utf-8"))


def test_the_site_has_an_index_a_ranking_and_a_page_per_map(built: tuple[Path, int, str]) -> None:
    site, code, err = built
    assert code == EXIT_FOUND, err  # the invalid map fails the build, at the end
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert files == [
        "assets/site.css", "assets/site.js", "gaps.html", "index.html",
        "maps/broken.html", "maps/examples-cloud-migration.html", "maps/examples-employee-wellbeing.html",
        "maps/examples-home-solar.html", "maps/examples-rooftop-solar-segments.html",
        "maps/examples-split-bike-share.html", "maps/hostile.html",
    ]
    index = _page(site, "index.html")
    text = index.all_text
    for title in ("Rooftop solar for homeowners", "Moving workloads to the cloud", "Employee well-being programme"):
        assert title in text
    assert "Homeowners considering rooftop solar" in text and "A home that runs on cheap, clean energy" in text
    assert "48 activities" in " ".join(text.split())
    hrefs = index.links()
    assert "maps/examples-home-solar.html#a-fix-a-fault" in hrefs  # the top gap, linked to its activity
    assert "This map does not validate: 6 problems." in " ".join(text.split())
    assert text.count("broken.yaml:4:9") == 1 and "broken.yaml:17:13" not in text  # the first three, on the card
    assert "Wrote" in err and "1 invalid" in err


def test_a_map_page_shows_diagrams_gaps_activities_and_evidence(built: tuple[Path, int, str]) -> None:
    site, _, _ = built
    page = _page(site, "maps/examples-home-solar.html")
    svgs = [attrs for tag, attrs in page.elements if tag == "svg"]
    assert [attrs.get("aria-label") for attrs in svgs] == [
        f"{name} diagram of Rooftop solar for homeowners" for name in ("Cycle", "Flow", "Landscape")]
    assert {"diagram-cycle", "diagram-flow", "diagram-landscape", "gaps", "activities", "evidence"} <= page.ids
    assert "pt-pays-off" in page.ids  # the landscape's markers keep their ids
    ids = [attrs["id"] for _, attrs in page.elements if attrs.get("id")]
    assert len(ids) == len(set(ids))  # Graphviz's own ids, once per diagram: cycle-node1, flow-node1
    assert {"cycle-node1", "flow-node1", "landscape-graph0"} <= page.ids
    text = " ".join(page.all_text.split())
    assert "Understand whether solar pays off" in text and "Online savings estimator" in text
    assert "Energy Saving Trust solar calculator" in text  # competitors
    assert "a-pays-off" in page.ids and "a-fix-a-fault" in page.ids
    rows = [attrs for tag, attrs in page.elements if tag == "tr"]
    assert len(rows) > 40


def test_segments_show_per_segment_gaps_and_in_the_ranking(built: tuple[Path, int, str]) -> None:
    site, _, _ = built
    page = _page(site, "maps/examples-rooftop-solar-segments.html")
    assert "segments" in page.ids and "survey n=450" in page.all_text
    ranking = _page(site, "gaps.html")
    rows = [attrs for tag, attrs in ranking.elements if tag == "tr" and "data-map" in attrs]
    assert {row["data-segment"] for row in rows} >= {"all", "upgraders"}
    assert {row["data-map"] for row in rows} >= {"examples-home-solar", "examples-cloud-migration", "hostile"}
    assert "broken" not in {row["data-map"] for row in rows}
    selects = [attrs["name"] for tag, attrs in ranking.elements if tag == "select"]
    assert selects == ["map", "kind", "segment"]
    assert "Upgraders" in ranking.all_text  # the segment filter names the segments
    form = next(attrs for tag, attrs in ranking.elements if tag == "form")
    assert "hidden" in form  # the filters need the script: without it, the full ranking reads on its own


def test_an_invalid_map_gets_a_page_listing_its_problems(built: tuple[Path, int, str], maps: Path) -> None:
    site, _, err = built
    page = _page(site, "maps/broken.html")
    text = page.all_text
    assert "This map does not validate" in text
    places = [line for line in text.split() if line.endswith(("broken.yaml:4:9", "broken.yaml:10:21"))]
    assert len(places) == 2
    assert "unknown key 'colour'" in text
    assert f"{maps / 'broken.yaml'}:4:9" in err  # and on stderr, for CI


def test_hostile_labels_show_literally_and_nothing_can_run(built: tuple[Path, int, str]) -> None:
    site, _, _ = built
    raw = (site / "maps" / "hostile.html").read_text(encoding="utf-8")
    page = Page(raw)
    text = page.all_text
    assert "Plan \"B\" <i>x</i> & @octocat #1" in text  # the title, as text
    assert "<b>e</b> `f` $$x^2$$" in text
    assert "[links](https://evil.example) and <b>tags</b>" in text
    assert "\\u202eevil" in text and "\u202e" not in raw  # a bidi override shows as an escape
    assert "\\x1b[31mred" in text and "\x1b" not in raw
    tags = {tag for tag, _ in page.elements}
    assert "i" not in tags  # map text made no element
    for site_page in site.rglob("*.html"):
        elements = Page(site_page.read_text(encoding="utf-8")).elements
        scripts = [attrs.get("src") for tag, attrs in elements if tag == "script"]
        policy = [attrs.get("content") for _, attrs in elements if attrs.get("http-equiv") == "Content-Security-Policy"]
        assert policy == [SITE_CSP] and "unsafe" not in SITE_CSP, site_page  # no inline script, from file:// too
        assert scripts in (["assets/site.js"], ["../assets/site.js"]), site_page
        for tag, attrs in elements:
            assert not any(name.startswith("on") for name in attrs), (site_page, tag, attrs)
            assert tag not in {"iframe", "object", "embed", "foreignobject", "style", "base", "form"} or (
                tag == "form" and attrs.get("id") == "gap-filters")


def test_live_pages_leave_the_policy_to_the_server_s_header() -> None:
    """`cyclemap serve` sends its policy as a header (with connect-src for the live script); no <meta> narrows it."""
    live = index_page([], SiteOptions(), live=LiveView("index", 1))
    assert "Content-Security-Policy" not in live
    assert "Content-Security-Policy" in index_page([], SiteOptions())


def test_every_link_resolves_on_disk(built: tuple[Path, int, str]) -> None:
    """Every href and src is relative and leads to a file of the site (and to an id on that page)."""
    site, _, _ = built
    pages = {path: Page(path.read_text(encoding="utf-8")) for path in site.rglob("*.html")}
    checked = 0
    for path, page in pages.items():
        for link in page.links():
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc and not link.startswith("/"), (path, link)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file(), (path, link)
            assert site.resolve() in target.parents, (path, link)
            if parts.fragment:
                assert parts.fragment in pages[target].ids, (path, link)
            checked += 1
    assert checked > 500


def test_rebuilding_gives_the_same_bytes(built: tuple[Path, int, str], maps: Path, tmp_path: Path) -> None:
    site, _, _ = built
    again = tmp_path / "again"
    code, err = _build(maps, again)
    assert code == EXIT_FOUND, err
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second
    code, err = _build(maps, site)  # over the same folder: nothing to change
    assert code == EXIT_FOUND and f"The site in {site} is up to date: 7 maps, 1 invalid; none of its 11 files " \
        "changed" in err


@needs_graphviz
@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="needs pipes and /dev/zero")
def test_a_file_in_the_folder_that_cannot_be_read_gets_a_problem_page(tmp_path: Path) -> None:
    """A link leading nowhere or in a loop, a pipe, a device named like a map: each is an invalid map's page,
    and the build goes on (exit 1 at the end)."""
    (tmp_path / "maps").mkdir()
    folder = unreadable_folder(tmp_path / "maps")
    out = tmp_path / "public"
    code, err = _build(folder, out)
    assert code == EXIT_FOUND, err
    index = _page(out, "index.html")
    for name, problem in UNREADABLE.items():
        page = _page(out, f"maps/{Path(name).stem}.html").all_text
        assert "This map does not validate" in page and f"{folder / name}:1:1" in page and problem in page
        assert f"{folder / name}:1:1: error: {problem}" in err
        assert f"maps/{Path(name).stem}.html" in index.links()
    assert "Rooftop solar for homeowners" in _page(out, "maps/map.html").all_text


@needs_graphviz
def test_a_map_given_twice_gets_one_page(cli: Callable[..., Any], tmp_path: Path) -> None:
    solar = ROOT / "examples" / "home-solar.yaml"
    result = cli("site", str(solar), f"{solar.parent}/./{solar.name}", f"{solar.parent}//{solar.name}",
                 "-o", str(tmp_path / "public"))
    assert result.code == EXIT_OK, result.err
    assert [p.name for p in (tmp_path / "public" / "maps").iterdir()] == ["home-solar.html"]


def test_output_that_holds_the_maps_is_refused(cli: Callable[..., Any], tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    maps.mkdir()
    shutil.copy(ROOT / "examples" / "home-solar.yaml", maps / "solar.yaml")
    before = sorted(p.name for p in maps.iterdir())
    for output in (str(maps), str(tmp_path)):
        result = cli("site", str(maps), "-o", output)
        assert result.code == EXIT_USAGE and "folder of its own" in result.err
    result = cli("site", str(maps), "-o", str(maps / "solar.yaml"))
    assert result.code == EXIT_USAGE and "not a folder" in result.err
    assert sorted(p.name for p in maps.iterdir()) == before
    result = cli("site", str(maps))
    assert result.code == EXIT_USAGE  # -o is required


def test_an_output_folder_that_cannot_be_made_is_named(cli: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "file").write_text("in the way\n")
    result = cli("site", str(ROOT / "examples" / "home-solar.yaml"), "-o", str(tmp_path / "file" / "public"))
    assert result.code == EXIT_ENVIRONMENT
    assert result.err.strip() == f"cyclemap: error: cannot create the folder {tmp_path / 'file' / 'public'}: " \
        "Not a directory"


def test_a_diagram_graphviz_cannot_draw_leaves_a_note(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      cli: Callable[..., Any]) -> None:
    def slow(cmap: Any, options: Any) -> bytes:
        if options.layout == "flow":
            raise LayoutError(f"Graphviz (neato) took longer than {options.timeout:g} s and was stopped.")
        return b'<svg width="1pt" height="1pt" viewBox="0 0 1 1" xmlns="http://www.w3.org/2000/svg"><g/></svg>'

    monkeypatch.setattr(collect, "render_map", slow)
    result = cli("site", str(ROOT / "examples" / "home-solar.yaml"), "-o", str(tmp_path), "--timeout", "7")
    assert result.code == EXIT_OK, result.err
    page = _page(tmp_path, "maps/home-solar.html")
    assert "diagram-cycle" in page.ids and "diagram-flow" not in page.ids
    assert "No flow diagram: Graphviz (neato) took longer than 7 s" in " ".join(page.all_text.split())


@pytest.mark.parametrize("svg", [
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><a x:href="javascript:1"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><g style="background:url(x)"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><text>a</text><',
    '<html><body/></html>',
])
def test_svg_that_could_act_in_a_page_is_refused(svg: str) -> None:
    with pytest.raises(UnsafeSvg):
        check_svg(svg)


def test_inline_svg_drops_the_prolog_and_names_the_picture() -> None:
    svg = (b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "x" "y">\n<!-- by graphviz -->\n'
           b'<svg width="10pt" height="5pt" viewBox="0 0 10 5" xmlns="http://www.w3.org/2000/svg"><text>&lt;b&gt;</text></svg>')
    assert inline_svg(svg, 'Cycle of "A" <b>') == (
        '<svg class="diagram-svg" role="img" aria-label="Cycle of &#34;A&#34; &lt;b&gt;" viewBox="0 0 10 5" '
        'xmlns="http://www.w3.org/2000/svg"><text>&lt;b&gt;</text></svg>')


def test_the_templates_and_assets_ship_in_the_wheel(tmp_path: Path) -> None:
    """`pip install .` (a wheel) carries the templates and static files the site needs."""
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, timeout=300, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {done.stderr.decode()[-200:]}")
    wheel = next(tmp_path.glob("cyclemap-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"cyclemap/site/templates/{p.name}" for p in (ROOT / "src/cyclemap/site/templates").glob("*.html")}
    shipped |= {f"cyclemap/site/static/{name}" for name in ("site.css", "site.js")}
    assert shipped <= names


def test_a_diagram_s_accessible_name_shows_bidi_characters_as_escapes() -> None:
    """Screen readers read `aria-label`: a title with U+202E must not reach it raw, as it reaches no other text."""
    svg = (b'<?xml version="1.0"?>\n<svg width="10pt" height="10pt" viewBox="0 0 10 10" '
           b'xmlns="http://www.w3.org/2000/svg"><g id="graph0"></g></svg>')
    html = inline_svg(svg, "Cycle diagram of Plan \u202eevil", "cycle")
    assert "\u202e" not in html and "Plan \\u202eevil" in html


@needs_graphviz
def test_the_three_diagrams_are_drawn_at_once_in_their_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cycle, flow and landscape were drawn one after another (Graphviz runs waited for each other on every save
    of `serve`); they are drawn at once now, and come out in the tabs' order, the same as before."""
    cmap = load_map(str(ROOT / "examples" / "home-solar.yaml"))
    alone = collect.draw_diagrams(cmap, None, threshold=None, timeout=30)
    together = threading.Barrier(len(collect.DIAGRAM_LAYOUTS), timeout=20)
    real = collect.render_map

    def render(*args: Any, **kwargs: Any) -> str:
        together.wait()  # passes only when every layout is being drawn at the same time
        return real(*args, **kwargs)

    monkeypatch.setattr(collect, "render_map", render)
    drawn = collect.draw_diagrams(cmap, None, threshold=None, timeout=30)
    assert drawn == alone and list(drawn[0]) == list(collect.DIAGRAM_LAYOUTS)
