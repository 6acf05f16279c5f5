"""The workshop pack on real paper: legible text, a poster that uses its sheets, tables that keep together.

Text sizes are measured from the PDF itself: every text-showing operator's font
size times the scale of its text and graphics matrices, through the form
XObjects the diagrams are drawn as.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import os
import pty
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream
from tests.conftest import EXAMPLES, REPO, SMALL_MAP, Result

from cyclemap.cli import Poster
from cyclemap.loader import load_map
from cyclemap.workshop import PAPERS, PackInfo, PackOptions, build_pack
from cyclemap.workshop.document import PackDocument
from cyclemap.workshop.fonts import find_fonts
from cyclemap.workshop.poster import MIN_TEXT_PT, MOST_AUTO_SHEETS, MOST_SHEETS, POSTER_MODES, Frame, plan_poster
from cyclemap.workshop.tables import Cell, Column, page_runs

pytestmark = pytest.mark.skipif(
    not (shutil.which("neato") and shutil.which("pdftotext")), reason="needs Graphviz and poppler-utils"
)
DATE = dt.date(2026, 11, 22)
ALL_EXAMPLES = [*EXAMPLES, REPO / "examples" / "split" / "bike-share.yaml"]
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


# -- measuring the PDF -------------------------------------------------------------


def _times(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _numbers(operands: list[Any]) -> Matrix:
    a, b, c, d, e, f = (float(v) for v in operands)
    return (a, b, c, d, e, f)


def _text_sizes(content: Any, resources: Any, ctm: Matrix, reader: PdfReader, found: list[float]) -> None:
    """Append the printed size (pt) of every piece of text drawn by `content`, forms included."""
    saved: list[Matrix] = []
    tm, size = IDENTITY, 0.0
    for operands, operator in ContentStream(content, reader).operations:
        if operator == b"q":
            saved.append(ctm)
        elif operator == b"Q":
            ctm = saved.pop()
        elif operator == b"cm":
            ctm = _times(_numbers(operands), ctm)
        elif operator == b"BT":
            tm = IDENTITY
        elif operator == b"Tm":
            tm = _numbers(operands)
        elif operator == b"Tf":
            size = float(operands[1])
        elif operator in {b"Tj", b"TJ", b"'", b'"'}:
            a, b, c, d, _, _ = _times(tm, ctm)
            found.append(size * math.sqrt(abs(a * d - b * c)))
        elif operator == b"Do":
            form = resources["/XObject"][operands[0]].get_object()
            if form["/Subtype"] == "/Form":
                inner = form.get("/Resources", resources).get_object()
                _text_sizes(form, inner, _times(_numbers(form.get("/Matrix", IDENTITY)), ctm), reader, found)


def text_sizes(pdf: bytes | Path) -> list[list[float]]:
    """For each page, the size in points at which each piece of its text prints."""
    reader = PdfReader(pdf if isinstance(pdf, Path) else io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        found: list[float] = []
        _text_sizes(page.get_contents(), page["/Resources"].get_object(), IDENTITY, reader, found)
        pages.append(found)
    return pages


def page_texts(pdf: Path) -> list[str]:
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout.split("\f")[:-1]


@pytest.fixture(scope="module")
def pack_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """The pack of a map file on a paper (with more options), built once per module."""

    @cache
    def build(path: Path, paper: str = "a4", poster: str = "auto") -> Path:
        options = PackOptions(paper=paper, date=DATE, poster=poster)
        pack = build_pack(load_map(str(path)), PackInfo(path.name), options)
        out = tmp_path_factory.mktemp("packs") / f"{path.stem}-{paper}-{poster}.pdf"
        out.write_bytes(pack.pdf)
        return out

    return build


# -- legible text ------------------------------------------------------------------


def test_the_measure_reads_text_inside_diagrams() -> None:
    """The measure sees a diagram's text at the scale it is placed at (so it can fail)."""
    pack = build_pack(load_map(str(ALL_EXAMPLES[0])), PackInfo("map.yaml"),
                      PackOptions(date=DATE, sections=("poster",), poster="fit"))
    (sizes,) = text_sizes(pack.pdf)
    assert min(sizes) < MIN_TEXT_PT  # a big cycle fitted to one A4 sheet: too small, as its note says
    assert len(sizes) > 100


@pytest.mark.parametrize("paper", list(PAPERS))
@pytest.mark.parametrize("example", ALL_EXAMPLES, ids=lambda p: p.stem)
def test_text_on_every_page_prints_at_6_pt_or_more(
    example: Path, paper: str, pack_file: Callable[..., Path]
) -> None:
    """Cover, poster, flows, tables, worksheets: no text below 6 pt on any paper."""
    sizes = text_sizes(pack_file(example, paper))
    small = {n: round(min(s), 2) for n, s in enumerate(sizes, start=1) if s and min(s) < MIN_TEXT_PT}
    assert small == {}


# -- the poster ---------------------------------------------------------------------


def test_a_big_cycle_on_a4_is_tiled_over_sheets_that_show_all_of_it(pack_file: Callable[..., Path]) -> None:
    """home-solar on A4: several sheets, each saying where it goes; every activity is on one of them."""
    example = next(p for p in ALL_EXAMPLES if p.stem == "home-solar")
    pages = page_texts(pack_file(example))
    sheets = [p for p in pages if re.search(r"Sheet \d+ of \d+:", p)]
    assert 1 < len(sheets) <= MOST_AUTO_SHEETS
    for number, sheet in enumerate(sheets, start=1):
        assert f"Sheet {number} of {len(sheets)}" in sheet
        assert "Trim the edges" in sheet
    posters = " ".join(" ".join(sheet.split()) for sheet in sheets)
    cmap = load_map(str(example))
    missing = [v.activity.name for v in cmap.walk() if v.activity.name.split()[-1] not in posters]
    assert missing == []
    assert re.search(rf"Poster\s+{len(sheets)} sheets of A4", pages[0])


def test_tiles_overlap_so_sheets_can_be_taped() -> None:
    """Neighbouring sheets repeat a strip of the picture: each tile starts before the last one ends."""
    frame = Frame(8, 20, 281, 177)
    plan = plan_poster((675.0, 566.0), frame, "tiles")
    first_row = [t for t in plan.tiles if t.row == 0]
    for left, right in itertools.pairwise(first_row):
        shown_left = (frame.left - left.x, frame.left - left.x + frame.width)
        shown_right_start = frame.left - right.x
        assert shown_left[0] < shown_right_start < shown_left[1]
    assert plan.smallest_text >= MIN_TEXT_PT


def test_a_poster_fitted_to_one_sheet_fills_it_and_says_which_paper_it_needs(
    pack_file: Callable[..., Path],
) -> None:
    """--poster fit: the cycle spans the sheet's height, and the page and cover name a paper for legible text."""
    example = next(p for p in ALL_EXAMPLES if p.stem == "home-solar")
    pdf = pack_file(example, "a4", "fit")
    pages = page_texts(pdf)
    assert "print it on A2" in pages[1]
    assert "print it on A2" in " ".join(pages[0].split())
    words = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", "2", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    tops = [float(y) for y in re.findall(r'yMin="([\d.]+)"', words)]
    assert (max(tops) - min(tops)) / 595.28 > 0.8  # the header, note and footer aside, the cycle fills it


def test_a_small_cycle_stays_on_one_legible_sheet(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    result, pdf = pack_of(SMALL_MAP, "--sections", "poster")
    assert result.code == 0, result.err
    (sizes,) = text_sizes(pdf)
    assert min(sizes) >= MIN_TEXT_PT


@pytest.mark.parametrize("mode", ["auto", "fit", "tiles"])
def test_poster_modes_are_chosen_on_the_command_line(
    pack_of: Callable[..., tuple[Result, Path]], mode: str
) -> None:
    result, pdf = pack_of(SMALL_MAP, "--sections", "poster", "--poster", mode)
    assert result.code == 0, result.err
    assert len(page_texts(pdf)) >= 1


# -- phases: flows and tables ------------------------------------------------------


def _table_rows(page: str) -> int:
    """Rows of an activity table on a page: lines that start with an activity's number."""
    return len(re.findall(r"^ {0,3}\d+(?:\.\d+)* {2,}\S", page, re.MULTILINE))


@pytest.mark.parametrize("paper", list(PAPERS))
@pytest.mark.parametrize("example", ALL_EXAMPLES, ids=lambda p: p.stem)
def test_no_page_holds_a_single_table_row(example: Path, paper: str, pack_file: Callable[..., Path]) -> None:
    pages = page_texts(pack_file(example, paper))
    tables = [p for p in pages if "Phase:" in p.splitlines()[0] and "Offerings" in p]
    alone = [n for n, page in enumerate(tables) if _table_rows(page) == 1]
    assert alone == []


TOGETHER = [(example, "a3", phase) for example in ALL_EXAMPLES for phase in ("pre", "during", "post")] + [
    (REPO / "examples" / "home-solar.yaml", "a4", "pre"), (REPO / "examples" / "home-solar.yaml", "a4", "during")
]


@pytest.mark.parametrize(("example", "paper", "phase"), TOGETHER, ids=lambda v: getattr(v, "stem", v))
def test_a_phase_table_starts_on_the_page_of_its_flow(
    example: Path, paper: str, phase: str, pack_file: Callable[..., Path]
) -> None:
    """When the flow (at 7 pt or more) and the table's first rows fit on a page, they share it."""
    cmap = load_map(str(example))
    pages = page_texts(pack_file(example, paper))
    label = cmap.phase(phase).label or phase.capitalize()
    mine = [p for p in pages if p.splitlines()[0].rstrip().endswith(f"Phase: {label}")]
    first_table = next(p for p in mine if "Offerings" in p)
    assert label.upper() in first_table, f"{label}: the table starts on a page of its own"


def test_page_runs_never_leave_one_row_alone() -> None:
    """Rows that would leave the last one alone bring one more along; a lone first row waits for the next page."""
    doc = PackDocument(find_fonts(), "A4", "")
    try:
        doc.add_page()
        table = doc.lay_table((Column("Row", 1.0),), [[Cell(f"row {n}")] for n in range(9)])
    finally:
        doc.close_fonts()
    row, head = table.rows[0].height, table.head.height
    last_alone = page_runs(table, head + 8 * row + 0.1, head + 20 * row)
    assert [end - start for start, end in last_alone] == [7, 2]
    first_alone = page_runs(table, head + row + 0.1, head + 20 * row)
    assert [end - start for start, end in first_alone] == [0, 9]


def test_a_tall_phase_is_split_over_pages_not_shrunk(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    """One activity with 45 steps under it: its flow continues over pages at a legible size."""
    steps = "".join(f"          - name: Step {n}\n" for n in range(45))
    text = SMALL_MAP.replace("          - name: Look behind the door\n", steps)
    result, pdf = pack_of(text, "--sections", "phases")
    assert result.code == 0, result.err
    pages = page_texts(pdf)
    assert sum("Continued on the next page" in p for p in pages) >= 1
    flow_sizes = [s for page in text_sizes(pdf) for s in page]
    assert min(flow_sizes) >= 6.99
    shown = " ".join(" ".join(p.split()) for p in pages)
    assert all(f"Step {n}" in shown for n in range(45))


def test_activity_tables_show_descriptions_and_who_serves_it_today(pack_file: Callable[..., Path]) -> None:
    """cloud-migration names competitors and describes activities: the pack prints both."""
    example = next(p for p in ALL_EXAMPLES if p.stem == "cloud-migration")
    text = " ".join(" ".join(page.split()) for page in page_texts(pack_file(example)))
    cmap = load_map(str(example))
    competitors = {c for v in cmap.walk() for c in v.activity.competitors}
    assert competitors
    assert sorted(c for c in competitors if not all(word in text for word in c.split())) == []
    descriptions = [v.activity.description for v in cmap.walk() if v.activity.description]
    assert descriptions
    assert [d for d in descriptions if " ".join(d.split()[:4]) not in text] == []


# -- the command ---------------------------------------------------------------------


@pytest.fixture
def pack_of(tmp_path: Path, cli: Callable[..., Result]) -> Callable[..., tuple[Result, Path]]:
    def build(text: str, *options: str) -> tuple[Result, Path]:
        source = tmp_path / "map.yaml"
        source.write_text(text, encoding="utf-8")
        out = tmp_path / "pack.pdf"
        return cli("workshop", str(source), "-o", str(out), "--date", "2026-11-22", *options), out

    return build


@pytest.mark.parametrize(("paper", "name"), [("a4", "A4"), ("a3", "A3"), ("letter", "Letter")])
def test_the_paper_is_named_as_printers_name_it(
    pack_of: Callable[..., tuple[Result, Path]], paper: str, name: str
) -> None:
    result, _ = pack_of(SMALL_MAP, "--sections", "cover", "--paper", paper)
    assert f"{name} landscape)" in result.err


def _run_on_terminal(tmp_path: Path, *options: str) -> str:
    """`cyclemap workshop` with standard error on a pseudo-terminal; what it wrote there."""
    source = tmp_path / "map.yaml"
    source.write_text(SMALL_MAP, encoding="utf-8")
    command = [sys.executable, "-m", "cyclemap", "workshop", str(source), "-o", str(tmp_path / "p.pdf"), *options]
    leader, follower = pty.openpty()
    with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower) as run:
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        run.wait(timeout=120)
    os.close(leader)
    return seen.decode("utf-8", "replace")


def test_progress_shows_on_a_terminal(tmp_path: Path) -> None:
    assert "Drawing the diagrams" in _run_on_terminal(tmp_path)


def test_quiet_shows_no_progress_on_a_terminal(tmp_path: Path) -> None:
    assert _run_on_terminal(tmp_path, "-q").strip() == ""


def test_no_progress_when_standard_error_is_not_a_terminal(
    pack_of: Callable[..., tuple[Result, Path]],
) -> None:
    result, _ = pack_of(SMALL_MAP)
    assert result.err.strip().splitlines()[-1].startswith("Wrote ")
    assert "Drawing" not in result.err


def test_poster_choices_on_the_command_line_are_the_packs(cli: Callable[..., Result]) -> None:
    """`--poster` offers exactly the modes the pack knows, and --help explains them."""
    assert [mode.value for mode in Poster] == list(POSTER_MODES)
    help_text = " ".join(cli("workshop", "--help").out.split())
    assert all(mode in help_text for mode in POSTER_MODES)


def test_a_poster_too_big_to_tile_sensibly_goes_on_one_sheet_to_print_larger() -> None:
    """auto tiles up to 16 sheets and tiles up to 100; beyond, one sheet (the cover names the paper)."""
    frame = Frame(8, 20, 281, 177)
    huge, vast = (2525.0, 1920.0), (9000.0, 7000.0)
    assert len(plan_poster(huge, frame, "auto").tiles) == 1
    assert 1 < len(plan_poster(huge, frame, "tiles").tiles) <= MOST_SHEETS
    assert len(plan_poster(vast, frame, "tiles").tiles) == 1
