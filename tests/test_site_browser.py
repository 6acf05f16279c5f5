"""`cyclemap site` in a real browser, from ``file://``: Debian's chromium driven by Playwright.

Skipped when Playwright or chromium is missing (`bash install.sh test` installs both). One site is built
per module from the examples, the hostile labels and an invalid map; the tests open it straight from
disk, as someone who double-clicks index.html does: every link leads somewhere, the ranking filters by
map, kind and segment with no server, the pages read without JavaScript, and the pages' own
Content-Security-Policy lets the site's script run but no inline script.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

import pytest
from tests.test_serve import CHROMIUM
from tests.test_site import HOSTILE, INVALID, ROOT, _build

from cyclemap.exit_codes import EXIT_FOUND

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bash install.sh test)")
pytestmark = pytest.mark.skipif(not (Path(CHROMIUM).is_file() and shutil.which("neato")),
                                reason=f"no chromium at {CHROMIUM}, or no Graphviz")

VISIBLE_ROWS = "#all-gaps tbody tr:not([hidden])"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    maps = tmp_path_factory.mktemp("maps")
    shutil.copytree(ROOT / "examples", maps / "examples")
    for big in ("cloud-migration.yaml", "employee-wellbeing.yaml"):  # the others are enough, and quicker
        (maps / "examples" / big).unlink()
    shutil.copy(HOSTILE, maps / "hostile.yaml")
    shutil.copy(INVALID, maps / "broken.yaml")
    out = tmp_path_factory.mktemp("site") / "public"
    code, err = _build(maps, out)
    assert code == EXIT_FOUND, err  # the invalid map: a page of problems, exit 1 at the end
    return out


def _page(browser: Any, *, script: bool = True) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, java_script_enabled=script)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield opened
    context.close()
    assert not errors  # no script error, and nothing the Content-Security-Policy refused


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from _page(browser)


@pytest.fixture
def bare_page(browser: Any) -> Iterator[Any]:
    """A page with JavaScript off."""
    yield from _page(browser, script=False)


def test_every_link_opens_a_page_of_the_site_and_its_anchor(page: Any, site: Path) -> None:
    """Follow every link from every page: each file opens in the browser, and each #anchor is on it."""
    start = (site / "index.html").as_uri()
    pending, ids = [start], {}
    wanted: list[tuple[str, str, str]] = []
    while pending:
        address = pending.pop()
        if address in ids:
            continue
        page.goto(address)  # a missing file raises net::ERR_FILE_NOT_FOUND
        assert page.locator("main h1").count() == 1, address
        ids[address] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        links = page.eval_on_selector_all("a[href], link[href], script[src]",
                                          "els => els.map(e => e.href || e.src)")
        for link in links:
            target, fragment = urldefrag(link)
            assert target.startswith(site.as_uri() + "/"), (address, link)  # relative links stay in the site
            if target.endswith(".html"):
                pending.append(target)
            if fragment:
                wanted.append((address, target, fragment))
    assert set(ids) == {path.as_uri() for path in site.rglob("*.html")}  # every page is reachable from the index
    missing = [(address, f"{target}#{fragment}") for address, target, fragment in wanted
               if fragment not in ids[target]]
    assert not missing
    assert len(wanted) > 200
    page.goto(start)
    page.get_by_role("link", name="Rooftop solar for homeowners").click()
    page.get_by_role("tab", name="Landscape").click()
    assert page.locator("#diagram-landscape svg").is_visible()


def _shown(page: Any, name: str) -> list[str]:
    """Attribute `name` of every row the ranking shows."""
    found: list[str] = page.eval_on_selector_all(VISIBLE_ROWS, f"rows => rows.map(row => row.getAttribute('{name}'))")
    return found


def test_the_ranking_filters_by_map_kind_and_segment_without_a_server(page: Any, site: Path) -> None:
    page.goto((site / "gaps.html").as_uri())
    form = page.locator("#gap-filters")
    assert form.is_visible()
    rows = page.locator("#all-gaps tbody tr")
    total = rows.count()
    shown = page.locator(VISIBLE_ROWS)
    everyone = shown.count()
    assert 0 < everyone < total  # for all customers first: the segments' rows wait for the segment filter
    assert form.locator("output").inner_text() == f"{everyone} of {total} shown"

    form.locator("select[name=map]").select_option("examples-home-solar")
    assert set(_shown(page, "data-map")) == {"examples-home-solar"}
    solar = shown.count()
    form.locator("select[name=kind]").select_option("unevidenced")
    assert 0 < shown.count() < solar
    assert all("unevidenced" in kinds.split() for kinds in _shown(page, "data-kinds"))
    ranks = page.eval_on_selector_all(f"{VISIBLE_ROWS} td.rank", "cells => cells.map(cell => cell.textContent)")
    assert ranks == [str(rank) for rank in range(1, len(ranks) + 1)]  # ranked again among the rows shown

    form.locator("select[name=map]").select_option("")
    form.locator("select[name=kind]").select_option("")
    form.locator("select[name=segment]").select_option(label="Upgraders")
    assert set(_shown(page, "data-segment")) == {"upgraders"}
    assert set(_shown(page, "data-map")) == {"examples-rooftop-solar-segments"}

    form.get_by_role("button", name="Show all").click()
    playwright.expect(shown).to_have_count(everyone)  # (not wait_for_function: the pages' policy forbids eval)
    page.get_by_role("columnheader", name="Score").click()  # sorts: lowest score first
    first = page.locator(f"{VISIBLE_ROWS} td.num[data-value]").nth(1).get_attribute("data-value")
    assert float(str(first)) <= 0


def test_the_pages_read_without_javascript(bare_page: Any, site: Path) -> None:
    bare_page.goto((site / "gaps.html").as_uri())
    assert not bare_page.locator("#gap-filters").is_visible()  # the filters need the script
    assert bare_page.locator(".needs-js").is_visible()  # and say so
    rows = bare_page.locator("#all-gaps tbody tr")
    assert bare_page.locator(VISIBLE_ROWS).count() == rows.count() > 50  # every view, all shown
    assert rows.last.is_visible()

    bare_page.goto((site / "maps" / "examples-rooftop-solar-segments.html").as_uri())
    for layout in ("cycle", "flow", "landscape"):  # every diagram, one under the other, each with its caption
        figure = bare_page.locator(f"#diagram-{layout}")
        assert figure.locator("figcaption").is_visible()
        box = figure.locator("svg").bounding_box()
        assert box is not None and box["width"] > 600 and box["height"] > 300
    assert bare_page.locator("#gaps table tbody tr").first.is_visible()
    assert bare_page.locator("#segments details").count() == 3
    assert bare_page.locator("#activities .activity-item").first.is_visible()

    bare_page.goto((site / "index.html").as_uri())
    assert bare_page.locator(".card").count() == 5
    assert "This map does not validate" in bare_page.locator(".card-invalid").inner_text()


def test_the_diagrams_fit_the_window_and_go_full_screen(page: Any, site: Path) -> None:
    page.goto((site / "maps" / "examples-home-solar.html").as_uri() + "#diagrams")
    frame = page.locator("#diagram-cycle .svg-frame")
    box = frame.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 860  # all of it in sight
    page.get_by_role("button", name="Full screen").click()
    assert page.evaluate("document.documentElement.classList.contains('presenting')")
    box = frame.bounding_box()
    assert box is not None and box["height"] > 860 - 100 and box["width"] > 1200
    page.keyboard.press("Escape")
    playwright.expect(page.locator("html.presenting")).to_have_count(0)


def test_the_pages_policy_runs_the_site_script_but_no_inline_script(browser: Any, site: Path) -> None:
    """The <meta> Content-Security-Policy works from file://: injected script and handlers do not run."""
    shown = (site / "maps" / "hostile.html").read_text(encoding="utf-8")
    injected = site / "maps" / "injected.html"
    injected.write_text(shown.replace("<main", '<script>document.body.dataset.inline = "ran"</script>'
                                      '<img src="none" onerror="document.body.dataset.handler = \'ran\'"><main', 1),
                        encoding="utf-8")
    context = browser.new_context()
    try:
        opened = context.new_page()
        refused: list[str] = []
        opened.on("console", lambda message: refused.append(message.text))
        opened.goto(injected.as_uri())
        opened.get_by_role("tab", name="Flow").click()  # the site's own script runs
        assert opened.locator("#diagram-flow svg").is_visible()
        assert opened.evaluate("[document.body.dataset.inline, document.body.dataset.handler]") == [None, None]
        assert sum("Content Security Policy" in text for text in refused) == 2
    finally:
        context.close()
        injected.unlink()
