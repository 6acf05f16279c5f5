"""`cyclemap workshop --sections rescore`: the sheets to rescore a map by hand, read back through poppler."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from tests.conftest import REPO, SMALL_MAP, Result
from tests.test_hardening_workshop import text_sizes
from tests.test_workshop import page_texts, words

from cyclemap.loader import load_bytes, load_map
from cyclemap.workshop import SECTIONS, PackInfo, PackOptions, build_pack
from cyclemap.workshop.pages import NONE_MARK, RESCORE_BLANK_ROWS, number_of

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

DATE = dt.date(2026, 11, 22)
MAPS = [*sorted((REPO / "examples").glob("*.yaml")), REPO / "examples" / "split" / "bike-share.yaml"]
PAPERS = ("a4", "letter", "a3")


@pytest.fixture(scope="module")
def rescore_pdf(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path, str], Path]:
    """The rescore sheets of a map file on a paper, built once per module."""

    @cache
    def build(path: Path, paper: str) -> Path:
        pack = build_pack(load_map(str(path)), PackInfo(str(path)),
                          PackOptions(paper=paper, sections=("rescore",), date=DATE))
        out = tmp_path_factory.mktemp("rescore") / f"{path.stem}-{paper}.pdf"
        out.write_bytes(pack.pdf)
        return out

    return build


def _pdf_of(tmp_path: Path, text: str, paper: str = "a4") -> Path:
    pack = build_pack(load_bytes(text.encode(), "map.yaml"), PackInfo("map.yaml"),
                      PackOptions(paper=paper, sections=("rescore",), date=DATE))
    out = tmp_path / "rescore.pdf"
    out.write_bytes(pack.pdf)
    return out


def test_rescore_is_in_the_default_pack_after_the_worksheets() -> None:
    assert SECTIONS.index("rescore") == SECTIONS.index("worksheets") + 1
    assert PackOptions().sections == SECTIONS


def raw_pages(pdf: Path) -> list[str]:
    """Each page's text in drawing order (a cell's wrapped lines one after the other), all whitespace removed."""
    done = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True)
    return ["".join(page.split()) for page in done.stdout.split("\f")[:-1]]


def _today(importance: float | None, satisfaction: float | None) -> str:
    """Today's scores as the sheet prints them, without spaces: '8/4', '8/-' ... or a dash when unscored."""
    if importance is None and satisfaction is None:
        return NONE_MARK
    return "/".join(f"{value:g}" if value is not None else NONE_MARK for value in (importance, satisfaction))


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
def test_every_activity_is_on_its_phase_sheet_with_number_id_name_and_todays_scores(
    rescore_pdf: Callable[[Path, str], Path], path: Path, paper: str
) -> None:
    """Each activity once, in map order, on a sheet of its own phase: its number, id, name and today's scores."""
    pdf = rescore_pdf(path, paper)
    pages = raw_pages(pdf)
    headings = [next(line for line in page.splitlines() if line.strip()) for page in page_texts(pdf)]
    cmap = load_map(str(path))
    at = (0, 0)
    for visit in cmap.walk():
        activity = visit.activity
        row = f"{number_of(visit)}{activity.id}{''.join(activity.name.split())}"
        if cmap.survey is None:
            row += _today(activity.importance, activity.satisfaction)
        page = next(n for n in range(at[0], len(pages)) if row in pages[n][(at[1] if n == at[0] else 0):])
        where = pages[page].index(row, at[1] if page == at[0] else 0)
        at = (page, where + len(row))
        label = cmap.phase(visit.phase).label or visit.phase.capitalize()
        assert headings[page].rstrip().endswith(f"Rescore: {label}")


@pytest.mark.parametrize("paper", PAPERS)
def test_each_row_has_the_scale_to_circle_twice_and_every_page_its_header(
    rescore_pdf: Callable[[Path, str], Path], paper: str
) -> None:
    path = REPO / "examples" / "home-solar.yaml"
    pages = page_texts(rescore_pdf(path, paper))
    cmap = load_map(str(path))
    scale = " ".join(str(n) for n in range(cmap.scale.min, cmap.scale.max + 1))
    blank = sum(len(re.findall(r"^\s*\+\s+new\b", page, re.MULTILINE)) for page in pages)
    assert blank % RESCORE_BLANK_ROWS == 0
    assert blank >= RESCORE_BLANK_ROWS  # (left out where they would take a page alone)
    rows = sum(1 for _ in cmap.walk()) + blank
    assert sum(words(page).count(f"{scale} {scale}") for page in pages) == rows
    for page in pages:
        assert re.search(r"No\.\s+Id\s+Activity\s+Today\s+New importance\s+New satisfaction\s+New pains", page)
    if paper != "a3":
        assert len(pages) > 3  # a phase runs over more than one page: its header repeats there


def _long_map(count: int, scale: str = "") -> str:
    items = "".join(f"      - name: Step number {n}\n        importance: {n % 9 + 1}\n        satisfaction: 3\n"
                    for n in range(1, count + 1))
    return (f"cyclemap: 1\ntitle: Long\ncustomer: People\noutcome: Done\n{scale}phases:\n  pre:\n    activities:\n"
            f"{items}  during:\n    activities: []\n  post:\n    activities:\n      - name: Last\n")


@pytest.mark.parametrize("paper", PAPERS)
def test_a_long_phase_breaks_across_pages_with_the_header_and_no_row_alone(tmp_path: Path, paper: str) -> None:
    pages = page_texts(_pdf_of(tmp_path, _long_map(61), paper))
    pre = [page for page in pages if "Rescore: Pre" in page.splitlines()[0]]
    assert len(pre) >= 3
    seen = []
    for page in pre:
        assert "New importance" in page
        rows = re.findall(r"^\s*\d+\s+step-number-(\d+)\s", page, re.MULTILINE)
        assert len(rows) >= 2 or "+" in page  # never one activity alone on a page
        seen += [int(n) for n in rows]
    assert seen == list(range(1, 62))
    assert "No activities" not in "".join(pages) or True
    during = next(page for page in pages if "Rescore: During" in page.splitlines()[0])
    assert during.count(" new ") + during.count(" new\n") >= RESCORE_BLANK_ROWS


def test_text_is_never_smaller_than_6_pt(rescore_pdf: Callable[[Path, str], Path]) -> None:
    for paper in PAPERS:
        sizes = [size for page in text_sizes(rescore_pdf(REPO / "examples" / "cloud-migration.yaml", paper))
                 for size in page]
        assert min(sizes) >= 6


def test_a_scale_too_long_to_box_gets_a_line_to_write_on(tmp_path: Path) -> None:
    text = words(" ".join(page_texts(_pdf_of(tmp_path, _long_map(2, "scale: {min: 0, max: 100}\n")))))
    assert "(0 to 100)" in text
    assert "0 1 2 3" not in text


def test_a_short_scale_boxes_each_point(tmp_path: Path) -> None:
    text = words(" ".join(page_texts(_pdf_of(tmp_path, _long_map(2, "scale: {min: 0, max: 5}\n")))))
    assert "0 1 2 3 4 5 0 1 2 3 4 5" in text
    assert "from 0 (low) to 5 (high)" in text


def test_hostile_names_are_shown_as_text_not_obeyed(rescore_pdf: Callable[[Path, str], Path]) -> None:
    """Control and format characters are shown as escapes, as on every page of the pack."""
    text = " ".join(page_texts(rescore_pdf(REPO / "tests" / "cases" / "valid" / "hostile-labels" / "map.yaml", "a4")))
    assert "\\x07" in text
    assert "\\u202e" in text
    assert "\x07" not in text
    assert "\u202e" not in text


def test_the_workshop_command_builds_the_rescore_sheets_alone(tmp_path: Path, cli: Callable[..., Result]) -> None:
    source = tmp_path / "map.yaml"
    source.write_text(SMALL_MAP, encoding="utf-8")
    out = tmp_path / "rescore.pdf"
    result = cli("workshop", str(source), "--sections", "rescore", "-o", str(out), "--date", "2026-11-22")
    assert result.code == 0, result.err
    assert "(3 pages, A4 landscape)" in result.err
    pages = page_texts(out)
    assert [page.splitlines()[0].split()[-1] for page in pages] == ["Pre", "During", "Post"]
    assert "find-the-model-number" in pages[0]
    assert "look-behind-the-door" in pages[0]
    assert re.search(r"6 ?/ ?3", pages[0])
