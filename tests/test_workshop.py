"""`cyclemap workshop`: the printable PDF pack, checked through what poppler extracts from it."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, SMALL_MAP, Result

from cyclemap.cli import Paper
from cyclemap.exit_codes import EXIT_INVALID, EXIT_USAGE
from cyclemap.gaps import find_gaps
from cyclemap.loader import load_map
from cyclemap.render.landscape import EDGE
from cyclemap.workshop import PAPERS, SECTIONS, Pack, PackInfo, PackOptions, build_pack
from cyclemap.workshop import pack as pack_module
from cyclemap.workshop import pages as pages_module
from cyclemap.workshop.diagrams import PT_PER_MM, Diagram, Placement
from cyclemap.workshop.document import PackDocument
from cyclemap.workshop.fonts import find_fonts
from cyclemap.workshop.pack import MAX_PACK_ACTIVITIES, MAX_PACK_EVIDENCE
from cyclemap.workshop.provenance import git_revision, pack_date

pytestmark = pytest.mark.skipif(
    not (shutil.which("neato") and shutil.which("pdftotext")), reason="needs Graphviz and poppler-utils"
)
DATE = dt.date(2026, 11, 22)
CJK_FONT = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False).stdout.strip() != ""


def poppler(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True, timeout=60).stdout


def words(text: str) -> str:
    """Text with every run of whitespace made one space, as names are compared."""
    return " ".join(text.split())


def unboxed(message: str) -> str:
    """A usage error without the frame rich draws around it."""
    return words(re.sub("[│╭╮╰╯─]", " ", message))


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", str(pdf)), re.MULTILINE).group(1))  # type: ignore[union-attr]


def page_texts(pdf: Path) -> list[str]:
    return poppler("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]


@pytest.fixture(scope="module")
def example_pack(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[Pack, Path]]:
    """The pack of an example map by name, built once for all the tests that read it."""

    @cache
    def build(name: str) -> tuple[Pack, Path]:
        path = next(p for p in EXAMPLES if p.stem == name)
        pack = build_pack(load_map(str(path)), PackInfo(str(path)), PackOptions(date=DATE))
        out = tmp_path_factory.mktemp("packs") / f"{name}.pdf"
        out.write_bytes(pack.pdf)
        return pack, out

    return build


@pytest.fixture
def pack_of(tmp_path: Path, cli: Callable[..., Result]) -> Callable[..., tuple[Result, Path]]:
    """Run `cyclemap workshop` on a map text with extra options; the result and the PDF path."""

    def build(text: str, *options: str) -> tuple[Result, Path]:
        source = tmp_path / "map.yaml"
        source.write_text(text, encoding="utf-8")
        out = tmp_path / "pack.pdf"
        return cli("workshop", str(source), "-o", str(out), "--date", "2026-11-22", *options), out

    return build


# -- content ------------------------------------------------------------------


@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
def test_every_activity_and_gap_of_an_example_is_in_the_text(
    example: str, example_pack: Callable[[str], tuple[Pack, Path]]
) -> None:
    """pdftotext finds each activity name, and each gap's reason, in the pack."""
    pack, pdf = example_pack(example)
    text = words(poppler("pdftotext", str(pdf), "-"))
    cmap = load_map(str(next(p for p in EXAMPLES if p.stem == example)))
    assert [v.activity.name for v in cmap.walk() if words(v.activity.name) not in text] == []
    assert [g.reason for g in find_gaps(cmap) if words(g.reason) not in text] == []
    assert page_count(pdf) == pack.pages


@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
def test_fonts_are_embedded(example: str, example_pack: Callable[[str], tuple[Pack, Path]]) -> None:
    """Every font in the pack, the diagrams' included, is embedded (the 'emb' column of pdffonts)."""
    _, pdf = example_pack(example)
    rows = poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert rows, "pdffonts listed no fonts"
    assert any("DejaVuSans" in row for row in rows)
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]
    assert not_embedded == []


def test_a_small_map_has_one_page_per_part_and_phase(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    """Cover, poster, landscape, three phases, gaps, three worksheets, three rescore sheets and evidence: fourteen
    pages, in that order."""
    result, pdf = pack_of(SMALL_MAP)
    assert result.code == 0, result.err
    assert "(14 pages, A4 landscape)" in result.err
    pages = page_texts(pdf)
    assert len(pages) == page_count(pdf) == 14
    headers = ["The cycle", "Opportunity landscape: all customers", "Phase: Pre", "Phase: During", "Phase: Post",
               "Opportunity gaps", "Worksheet: Pre", "Worksheet: During", "Worksheet: Post", "Rescore: Pre",
               "Rescore: During", "Rescore: Post", "Evidence"]
    for page, header in zip(pages[1:], headers, strict=True):
        assert header in page.splitlines()[0]
    assert "Booking a repair" in pages[0]
    assert "A working machine again, soon" in pages[0]
    assert "22 November 2026" in pages[0]


def test_the_cover_lists_the_contents_with_page_numbers(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    _, pdf = pack_of(SMALL_MAP)
    cover = page_texts(pdf)[0]
    assert re.search(r"Opportunity gaps\s+7\b", cover)
    assert re.search(r"Worksheet: Post\s+10\b", cover)


def test_sections_choose_the_parts_and_keep_pack_order(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    result, pdf = pack_of(SMALL_MAP, "--sections", "worksheets, cover")
    assert result.code == 0, result.err
    pages = page_texts(pdf)
    assert len(pages) == 4
    assert "WORKSHOP PACK" in pages[0]
    assert all("Capture worksheet" in page for page in pages[1:])


def test_a_cover_alone_is_one_page_without_contents(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    _, pdf = pack_of(SMALL_MAP, "--sections", "cover", "--title", "Spring review")
    (cover,) = page_texts(pdf)
    assert "Spring review" in cover
    assert "CONTENTS" not in cover


def test_worksheet_scores_run_over_the_maps_scale(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    text = SMALL_MAP.replace("phases:", "scale: {min: 1, max: 5}\nphases:").replace("importance: 6", "importance: 4")
    _, pdf = pack_of(text, "--sections", "worksheets")
    first = page_texts(pdf)[0]
    assert re.search(r"Importance\s+1\s+2\s+3\s+4\s+5\s", first)
    assert not re.search(r"Importance\s+1\s+2\s+3\s+4\s+5\s+6", first)


def test_evidence_is_grouped_by_source_with_what_it_supports(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    text = SMALL_MAP.replace(
        "        satisfaction: 3\n",
        "        satisfaction: 3\n        evidence:\n          - {source: survey, ref: SRV-7, note: n=120}\n",
    )
    _, pdf = pack_of(text, "--sections", "evidence")
    page = words(page_texts(pdf)[0])
    assert "Surveys (1)" in page
    assert "SRV-7" in page
    assert "Find the model number" in page
    assert "Scored without evidence (0)" in page


def test_long_tables_flow_onto_more_pages_and_repeat_their_header(
    pack_of: Callable[..., tuple[Result, Path]],
) -> None:
    """A phase of 80 activities runs over several pages, each starting with the column titles."""
    many = "".join(f"      - name: Step number {n}\n        importance: 5\n" for n in range(80))
    text = SMALL_MAP.replace("      - name: Let the engineer in\n", many)
    result, pdf = pack_of(text, "--sections", "phases")
    assert result.code == 0, result.err
    pages = [p for p in page_texts(pdf) if "Phase: During" in p.splitlines()[0]]
    table_pages = [p for p in pages if "Offerings" in p]
    assert len(table_pages) >= 2
    for page in table_pages:
        assert re.search(r"No\.\s+Activity\s+Imp\.\s+Sat\.\s+Score\s+Offerings\s+Who serves it today\s+Pains\s+"
                         r"Evid\.", page)
    found = {int(n) for p in table_pages for n in re.findall(r"Step number (\d+)", p)}
    assert found == set(range(80))


def test_the_poster_is_vector_not_a_picture(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    """The cycle page has no raster image, and its labels are real text."""
    _, pdf = pack_of(SMALL_MAP, "--sections", "poster")
    images = poppler("pdfimages", "-list", str(pdf)).splitlines()[2:]
    assert images == []
    assert "Look behind the door" in page_texts(pdf)[0]


@pytest.mark.parametrize(("paper", "size"), [("a4", "841.89 x 595.28"), ("a3", "1190.55 x 841.89"),
                                               ("letter", "792 x 612")])
def test_paper_sizes_are_landscape(pack_of: Callable[..., tuple[Result, Path]], paper: str, size: str) -> None:
    _, pdf = pack_of(SMALL_MAP, "--sections", "cover", "--paper", paper)
    info = poppler("pdfinfo", str(pdf))
    assert re.search(rf"Page size:\s+{re.escape(size)}", info), info


@pytest.mark.skipif(not CJK_FONT, reason="no CJK font installed")
def test_accents_cjk_and_emoji_are_set_in_installed_fonts(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    """Names in other scripts come out as text, with no warning about missing glyphs."""
    text = SMALL_MAP.replace("Find the model number", "型番を探す Ünïcödé").replace("Pay the invoice", "Pay 💶 now")
    result, pdf = pack_of(text, "--sections", "phases")
    assert result.code == 0
    assert "warning" not in result.err
    extracted = poppler("pdftotext", str(pdf), "-")
    assert "型番を探す Ünïcödé" in extracted
    assert "💶" in extracted
    fonts = poppler("pdffonts", str(pdf))
    assert "NotoSansCJK" in fonts


def test_user_text_is_printed_as_written(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    """Markup-like text and fpdf2's page-count alias are not interpreted."""
    text = SMALL_MAP.replace("Find the model number", "Find **it** {nb} <b>x</b> [a](b)")
    _, pdf = pack_of(text, "--sections", "phases")
    assert "Find **it** {nb} <b>x</b> [a](b)" in words(poppler("pdftotext", str(pdf), "-"))


# -- determinism and provenance ------------------------------------------------


def test_the_same_map_and_date_give_the_same_bytes() -> None:
    cmap = load_map(str(EXAMPLES[0]))
    first = build_pack(cmap, PackInfo("map.yaml"), PackOptions(date=DATE, sections=("cover", "poster", "gaps")))
    again = build_pack(load_map(str(EXAMPLES[0])), PackInfo("map.yaml"),
                       PackOptions(date=DATE, sections=("cover", "poster", "gaps")))
    later = build_pack(cmap, PackInfo("map.yaml"),
                       PackOptions(date=DATE.replace(day=23), sections=("cover", "poster", "gaps")))
    assert first.pdf == again.pdf
    assert first.pdf != later.pdf


def test_source_date_epoch_sets_the_cover_date(
    pack_of: Callable[..., tuple[Result, Path]], tmp_path: Path, cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772323200")  # 2026-03-01
    source = tmp_path / "map.yaml"
    source.write_text(SMALL_MAP)
    result = cli("workshop", str(source), "--sections", "cover")
    assert result.code == 0, result.err
    assert "1 March 2026" in page_texts(tmp_path / "map-workshop.pdf")[0]


def test_dates_are_read_strictly() -> None:
    assert pack_date(None, {"SOURCE_DATE_EPOCH": "0"}) == dt.date(1970, 1, 1)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        pack_date("22/11/2026", {})
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        pack_date(None, {"SOURCE_DATE_EPOCH": "yesterday"})


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_cover_shows_the_git_revision_and_uncommitted_changes(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=T", "-c", "user.email=t@example.org",
                               *args], capture_output=True, text=True, check=True).stdout.strip()

    source = tmp_path / "map.yaml"
    source.write_text(SMALL_MAP)
    assert git_revision([source]) is None
    git("init", "-q")
    assert git_revision([source]) == "not committed yet"
    git("add", "map.yaml")
    git("commit", "-q", "-m", "map")
    head = git("rev-parse", "--short", "HEAD")
    assert git_revision([source]) == head
    source.write_text(SMALL_MAP + "owner: Ops\n")
    assert git_revision([source]) == f"{head}, modified"


# -- errors and safety -----------------------------------------------------------


def test_an_unknown_section_is_a_usage_error_with_a_suggestion(
    pack_of: Callable[..., tuple[Result, Path]],
) -> None:
    result, pdf = pack_of(SMALL_MAP, "--sections", "cover,worksheet")
    assert result.code == 2
    assert "did you mean 'worksheets'" in unboxed(result.err)
    assert not pdf.exists()


def test_a_bad_date_is_a_usage_error(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    result, pdf = pack_of(SMALL_MAP, "--date", "tomorrow")
    assert result.code == 2
    assert "YYYY-MM-DD" in unboxed(result.err)
    assert not pdf.exists()


def test_an_invalid_map_writes_nothing_and_leaves_the_old_pack(
    pack_of: Callable[..., tuple[Result, Path]],
) -> None:
    _, pdf = pack_of(SMALL_MAP, "--sections", "cover")
    before = pdf.read_bytes()
    result, _ = pack_of(SMALL_MAP.replace("importance: 6", "importance: lots"))
    assert result.code == EXIT_INVALID
    assert re.search(r"map\.yaml:\d+:\d+: error: .*number", result.err)
    assert pdf.read_bytes() == before


def test_the_pack_never_overwrites_the_map(tmp_path: Path, cli: Callable[..., Result]) -> None:
    source = tmp_path / "map.yaml"
    source.write_text(SMALL_MAP)
    result = cli("workshop", str(source), "-o", str(source))
    assert result.code == 2
    assert source.read_text() == SMALL_MAP


def test_help_names_every_section_and_paper(cli: Callable[..., Result]) -> None:
    """The choices the help offers are the ones the pack knows."""
    result = cli("workshop", "--help")
    assert result.code == 0
    help_text = words(result.out)
    assert all(section in help_text for section in SECTIONS)
    assert {p.value for p in Paper} == set(PAPERS)


def test_a_cell_too_long_for_a_page_is_shortened_not_a_crash(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    """Eight long pains would make a row taller than the page: the cell says it was shortened."""
    pains = "".join(f"          - \"{'much to say ' * 50}{n}\"\n" for n in range(8))
    text = SMALL_MAP.replace("        satisfaction: 3\n", f"        satisfaction: 3\n        pains:\n{pains}")
    result, pdf = pack_of(text, "--sections", "phases")
    assert result.code == 0, result.err
    assert "shortened to fit the page" in words(poppler("pdftotext", str(pdf), "-"))


# -- long labels and mixed scripts ---------------------------------------------------

LONG_LABELS_MAP = """\
cyclemap: 1
title: Onboarding new customers to the enterprise analytics platform across all regions
customer: Enterprise data teams
outcome: Insight from data without a data engineer
phases:
  pre:
    label: Evaluating, procuring and getting internal security sign-off
    activities:
      - {name: Read the whitepaper, importance: 9, satisfaction: 2}
  during:
    label: 导入数据 🚀 Importing data
    activities:
      - {name: 连接数据源并验证权限, importance: 7, satisfaction: 3}
  post:
    label: Evaluating-procuring-and-getting-internal-security-sign-off-as-one-word
    activities:
      - {name: Pay}
"""


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    right: float
    bottom: float


def page_words(pdf: Path, page: int) -> tuple[float, list[Word]]:
    """The width of page `page` (1 for the first) and its words with their boxes, in points."""
    html = poppler("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-")
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    return width, [Word(text, float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, text in found]


def _overlap(a: Word, b: Word) -> bool:
    return a.left < b.right - 0.5 and b.left < a.right - 0.5 and a.top < b.bottom - 0.5 and b.top < a.bottom - 0.5


def test_long_phase_labels_wrap_in_the_contents_clear_of_their_page_numbers(
    pack_of: Callable[..., tuple[Result, Path]],
) -> None:
    result, pdf = pack_of(LONG_LABELS_MAP)
    assert result.code == 0, result.err
    width, found = page_words(pdf, 1)
    margin = 14 / 25.4 * 72
    assert max(w.right for w in found) <= width - margin + 1
    contents = [w for w in found if w.left > width * 0.64 and w.bottom < 500]  # not the footer
    numbers = [w for w in contents if w.text.isdigit()]
    assert len(numbers) == 13  # every part and phase listed (the landscape and rescore sheets too), with its page
    assert max(n.right for n in numbers) - min(n.right for n in numbers) < 1  # aligned on the right
    assert not [(w.text, n.text) for n in numbers for w in contents if w is not n and _overlap(w, n)]
    text = words(page_texts(pdf)[0])
    assert "Worksheet: Evaluating, procuring and getting internal security sign-off" in text


def test_running_headers_keep_the_title_and_section_apart(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    title = "A very long map title that goes on and on about onboarding customers in every region and more "
    result, pdf = pack_of(LONG_LABELS_MAP.replace("title: Onboarding", f"title: {title}Onboarding"))
    assert result.code == 0, result.err
    for page in range(2, page_count(pdf) + 1):
        _, found = page_words(pdf, page)
        header = [w for w in found if w.bottom < 14 / 25.4 * 72]
        assert header
        assert not [(a.text, b.text) for a in header for b in header if a is not b and _overlap(a, b)], page


@pytest.mark.skipif(not CJK_FONT, reason="needs a CJK font")
def test_text_after_a_line_in_a_fallback_font_is_set_in_the_main_font(
    pack_of: Callable[..., tuple[Result, Path]],
) -> None:
    _, pdf = pack_of(LONG_LABELS_MAP, "--sections", "gaps")
    text = words(page_texts(pdf)[0])
    assert "customer rates this 7/10 important but only 3/10 satisfied" in text
    assert "连接数据源并验证权限" in text


def test_format_characters_are_not_reported_as_missing_glyphs() -> None:
    """Bidi isolates and zero-width characters print nothing: no font lacks them; a real missing letter is named."""
    text = "a\u2066b\u2069 c\u200bd \u2067e\u2068 ꦲ"
    doc = PackDocument(find_fonts(), "A4", "footer", text)
    doc.add_page()
    doc.cell(text=text)
    doc.finish()
    doc.close_fonts()
    (warning,) = doc.warnings
    assert "blanks: ꦲ." in warning
    assert not {"\u2066", "\u2067", "\u2068", "\u2069", "\u200b"} & set(warning)
# -- size bounds ---------------------------------------------------------------------


def flat_map(activities: int, evidence: int = 0) -> str:
    """A valid map of `activities` activities in one phase, the first citing `evidence` references."""
    rows = [f"      - name: Activity {n}" for n in range(activities)]
    if evidence:
        cited = (f"\n          - {{source: survey, ref: R{n}}}" for n in range(evidence))
        rows[0] += "\n        evidence:" + "".join(cited)
    return SMALL_MAP.split("phases:")[0] + "phases:\n  pre:\n    activities:\n" + "\n".join(rows) + (
        "\n  during:\n    activities: []\n  post:\n    activities: []\n")


@pytest.fixture
def no_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any diagram layout fail the test: a refusal must come before the heavy work."""

    def refuse(*_: object) -> None:
        raise AssertionError("the pack started laying out diagrams")

    monkeypatch.setattr(pack_module, "build_scene", refuse)


@pytest.mark.usefixtures("no_layout")
def test_a_map_over_the_pack_bound_is_refused_before_any_work_and_nothing_is_written(
    pack_of: Callable[..., tuple[Result, Path]], tmp_path: Path
) -> None:
    (tmp_path / "pack.pdf").write_bytes(b"an earlier pack")
    result, out = pack_of(flat_map(MAX_PACK_ACTIVITIES + 1))
    assert result.code == EXIT_USAGE
    assert f"map.yaml: too large for a workshop pack: {MAX_PACK_ACTIVITIES + 1:,} activities" in words(result.err)
    assert "Split the map" in result.err
    assert "--sections cover,worksheets" in result.err
    assert "Traceback" not in result.err
    assert out.read_bytes() == b"an earlier pack"


def test_cover_and_worksheets_take_a_map_of_any_size(pack_of: Callable[..., tuple[Result, Path]]) -> None:
    result, out = pack_of(flat_map(MAX_PACK_ACTIVITIES + 1), "--sections", "cover,worksheets")
    assert result.code == 0, result.err
    assert page_count(out) == 4


@pytest.mark.usefixtures("no_layout")
def test_too_much_evidence_is_refused_with_the_sections_that_leave_it_out(
    pack_of: Callable[..., tuple[Result, Path]], tmp_path: Path
) -> None:
    result, out = pack_of(flat_map(2, evidence=MAX_PACK_EVIDENCE + 1), "--sections", "cover,poster,evidence")
    assert result.code == EXIT_USAGE
    assert f"too many evidence entries for a workshop pack's appendix: {MAX_PACK_EVIDENCE + 1:,}" in words(result.err)
    assert "--sections cover,poster" in result.err
    assert not out.exists()


# -- the opportunity landscape page ---------------------------------------------------------------------------------

SEGMENTED = next(p for p in EXAMPLES if p.stem == "rooftop-solar-segments")


def test_the_landscape_follows_the_poster_with_a_page_per_view(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """On a map with segments: a landscape page for all, then one per segment, each named by its title line and
    in the contents; each page's markers are the view's (their tooltips' names are in the page's text)."""
    out = tmp_path / "pack.pdf"
    done = cli("workshop", str(SEGMENTED), "-o", str(out), "--date", "2026-11-22",
               "--sections", "cover,poster,landscape")
    assert done.code == 0, done.err
    pages = page_texts(out)
    titles = [page.splitlines()[0] for page in pages]
    at = next(n for n, title in enumerate(titles) if "Opportunity landscape" in title)
    assert "The cycle" in titles[1] and at > 1  # after the poster (its sheets)
    views = ["all respondents", "First-time buyers", "Upgraders", "Landlords"]
    assert len(pages) == at + len(views)
    for page, view in zip(pages[at:], views, strict=True):
        assert f"Opportunity landscape · {view}" in words(page)
        assert "Importance to the customer" in page and "Deciding 1.2" in page
        assert re.search(rf"Opportunity landscape: {view}.*\s+{pages.index(page) + 1}\b", words(pages[0]))


def test_segment_gives_the_landscape_of_that_segment_only(tmp_path: Path, cli: Callable[..., Result]) -> None:
    out = tmp_path / "pack.pdf"
    done = cli("workshop", str(SEGMENTED), "-o", str(out), "--date", "2026-11-22", "--sections", "landscape",
               "--segment", "upgraders")
    assert done.code == 0, done.err
    pages = page_texts(out)
    assert len(pages) == 1 and "Opportunity landscape · Upgraders" in words(pages[0])


LANDSCAPE_CASES = [(path, "a4") for path in EXAMPLES] + [
    (path, paper) for path in EXAMPLES if path.stem in {"home-solar", "cloud-migration"} for paper in ("a3", "letter")
]


@pytest.mark.parametrize(("path", "paper"), LANDSCAPE_CASES, ids=lambda v: getattr(v, "stem", v))
def test_the_landscape_page_shows_the_whole_plot_its_key_and_list_on_every_paper(path: Path, paper: str) -> None:
    """The bare plot prints at full size, whole, as tall as the page; the key and every activity the plot labels
    by number only are in the page's text beside it (the list continued on the next pages if long), never over
    the plot or past the page's edge; no warning."""
    seen: list[tuple[pack_module.Placement, Diagram, pages_module.LandscapeView]] = []
    original = pages_module.landscape

    def spy(doc: PackDocument, key: str, diagram: Diagram, shown: pages_module.LandscapeView) -> Placement:
        placement = original(doc, key, diagram, shown)
        seen.append((placement, diagram, shown))
        return placement

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pages_module, "landscape", spy)
        pack = build_pack(load_map(str(path)), PackInfo(str(path)),
                          PackOptions(paper=paper, sections=("landscape",), date=DATE))
    assert pack.warnings == []
    out = Path(f"{path.stem}-{paper}.pdf")
    words_of = _bbox_words(pack.pdf)
    edge = EDGE / PT_PER_MM
    for placement, diagram, shown in seen:
        assert placement.scale >= 0.95 and placement.clip is not None
        left, top, width, height = placement.clip
        drawn_right = placement.x + (diagram.width - edge) * placement.scale
        drawn_bottom = placement.y + (diagram.height - edge) * placement.scale
        assert left + width >= drawn_right - 0.5 and top + height >= drawn_bottom - 0.5, out  # the plot is whole
        assert diagram.height * placement.scale >= 0.8 * height  # as tall as the page allows
        page_words = words_of[placement.page - 1]
        key = [w for w in page_words if w.text == "Key"]
        assert key and all(w.left >= left + width for w in key)  # beside the plot, not over it
        listed = [shown.panel.panel.tag(point) for point in shown.panel.listed]
        found = [w.text for page in words_of[placement.page - 1:] for w in page]
        assert all(mark in found for mark in listed), out
    page_width = {"a4": 297.0, "a3": 420.0, "letter": 279.4}[paper]
    assert all(w.right <= page_width - pages_module.POSTER_SIDE + 0.5 for page in words_of for w in page)


@dataclass(frozen=True)
class _Word:
    text: str
    left: float
    right: float
    """Millimetres from the page's left edge."""


def _bbox_words(pdf: bytes) -> list[list[_Word]]:
    """Each page's words and where they are, as poppler finds them."""
    done = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60)
    pages = done.stdout.decode().split("<page ")[1:]
    found = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')
    return [[_Word(text, float(x0) / PT_PER_MM, float(x1) / PT_PER_MM) for x0, x1, text in found.findall(page)]
            for page in pages]


@pytest.mark.parametrize("count", [1, 2, 3, 5, 39, 40, 41, 42, 80, 81, 120, 161, 500])
def test_the_numbered_list_never_leaves_a_row_alone_on_a_page(count: int) -> None:
    """Every entry is placed once; a page after the first never holds a single row (unless the list is one entry)."""
    runs = pages_module._list_runs(count, (20, 2), (30, 5))
    assert sum(taken for taken, _ in runs) == count
    assert runs[0][0] <= 40 and all(taken <= 150 for taken, _ in runs[1:])
    for taken, columns in runs[1:]:
        assert -(-taken // columns) >= 2


def test_a_first_page_without_room_for_two_rows_starts_the_list_on_the_next() -> None:
    assert pages_module._list_runs(10, (1, 2), (30, 5))[0] == (0, 2)
