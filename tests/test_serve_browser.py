"""`cyclemap serve` in a real browser: Debian's chromium driven by Playwright (no browser download).

Skipped when Playwright or chromium is missing (`bash install.sh test` installs both). One server per
module serves a folder of copies of home-solar.yaml that the tests edit, and the segmented example.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.test_serve import BROKEN_LINE, CHROMIUM, ROOT, SOLAR, Server, save, serving, spoil, wait_for

from cyclemap.serve.live import BUILDERS

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bash install.sh test)")
pytestmark = pytest.mark.skipif(not (Path(CHROMIUM).is_file() and shutil.which("neato")),
                                reason=f"no chromium at {CHROMIUM}, or no Graphviz")

SHOWS_WITHIN_MS = 2000
"""The issue's promise: an edit on disk shows in the page within 2 s."""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = tmp_path_factory.mktemp("browsed")
    shutil.copytree(ROOT / "examples", found / "examples")
    for name in ("edit", "broken", "load"):
        shutil.copy(SOLAR, found / f"{name}.yaml")
    return found


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[Server]:
    yield from serving(folder)


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    yield opened
    context.close()
    assert not errors


def url(server: Server, name: str) -> str:
    return f"http://{server.host}:{server.port}/maps/{name}.html"


def test_the_page_shows_the_diagrams(page: Any, server: Server) -> None:
    page.goto(url(server, "edit"))
    assert page.locator("h1").inner_text() == "Rooftop solar for homeowners"
    assert page.locator("#diagram-cycle svg g.node").count() > 40
    assert page.locator("#diagram-cycle").is_visible() and not page.locator("#diagram-flow").is_visible()
    page.get_by_role("tab", name="Flow").click()
    assert page.locator("#diagram-flow svg g.node").first.is_visible()
    assert page.locator("form.kind-filter select").count() >= 1  # the gap table filters by kind


def test_a_save_shows_within_2_s_without_reload_keeping_tab_and_zoom(page: Any, server: Server,
                                                                      folder: Path) -> None:
    page.goto(url(server, "edit"))
    page.get_by_role("tab", name="Landscape").click()
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom in").click()
    zoom = page.evaluate("document.getElementById('diagram-landscape').cyclemapView.get()")
    page.evaluate("window.notReloaded = true")
    path = folder / "edit.yaml"
    save(path, path.read_text(encoding="utf-8").replace("title: Rooftop solar for homeowners",
                                                        "title: Rooftop solar, edited live"))
    playwright.expect(page.locator("h1")).to_have_text("Rooftop solar, edited live", timeout=SHOWS_WITHIN_MS)
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_role("tab", name="Landscape").get_attribute("aria-selected") == "true"
    assert page.locator("#diagram-landscape").is_visible()
    after = page.evaluate("document.getElementById('diagram-landscape').cyclemapView.get()")
    assert after == pytest.approx(zoom)
    assert zoom["w"] < 0.7


def test_a_broken_save_shows_its_problem_with_line_and_column(page: Any, server: Server, folder: Path) -> None:
    path = folder / "broken.yaml"
    good = path.read_text(encoding="utf-8")
    page.goto(url(server, "broken"))
    save(path, spoil(good))
    problems = page.locator("#live-problems")
    problems.wait_for(timeout=SHOWS_WITHIN_MS)
    assert f"broken.yaml:{BROKEN_LINE}:" in problems.inner_text()
    assert page.locator("section.diagrams.stale svg").first.is_visible()  # the last good diagram, out of date
    save(path, good)
    problems.wait_for(state="detached", timeout=SHOWS_WITHIN_MS)
    assert page.locator("section.diagrams.stale").count() == 0


def test_clicking_an_activity_opens_its_panel(page: Any, server: Server) -> None:
    page.goto(url(server, "examples-rooftop-solar-segments"))
    page.locator("#diagram-cycle g.node", has=page.locator("title", has_text="a1")).first.click()
    panel = page.locator("#activity-panel")
    panel.wait_for()
    text = panel.inner_text()
    assert "Defined at" in text and "rooftop-solar-segments.yaml:" in text
    for heading in ("SCORES", "GAPS", "Pains", "Evidence", "Imp."):
        assert heading.lower() in text.lower()
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    page.locator("li.activity-item .activity-head").first.click()  # the list of activities opens it too
    panel.wait_for()


def test_20_tabs_and_100_saves_in_10_s(browser: Any, server: Server, folder: Path) -> None:
    """No crash, every tab ends on the last version, and the server's threads and open files (/proc/PID/task and
    /proc/PID/fd of the server process) come back to what they were before the tabs opened."""
    path = folder / "load.yaml"
    good = path.read_text(encoding="utf-8")
    pid = server.proc.pid
    wait_for(lambda: _threads(pid) <= 2 + BUILDERS, seconds=30)  # main, watcher, builders: no connection's left
    threads, files = _threads(pid), _open_files(pid)
    context = browser.new_context()
    tabs = [context.new_page() for _ in range(20)]
    for tab in tabs:
        tab.goto(url(server, "load"))
    for number in range(100):
        save(path, good.replace("title: Rooftop solar for homeowners", f"title: Save {number}"))
        time.sleep(0.1)  # 100 saves in about 10 s
    for tab in tabs:
        playwright.expect(tab.locator("h1")).to_have_text("Save 99", timeout=30000)  # a loaded machine is slow
    wait_for(lambda: {tab.locator("meta[name=cyclemap-live]").get_attribute("data-version") for tab in tabs}
             == {str(server.version("load"))}, seconds=15)  # every tab on the server's last version
    context.close()
    wait_for(lambda: _threads(pid) <= threads and _open_files(pid) <= files, seconds=30)  # back to where it was


def _threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def _open_files(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))
