"""Segments in `report`, `diff` and `workshop` (issue 11): every view scored by `ScoreViews.score`.

Goldens of the segments example: ``.venv/bin/python tests/regen_golden.py report/``.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests import test_hardening_git, test_segment_gaps
from tests.test_hardening_git import commit
from tests.test_hardening_workshop import page_texts, text_sizes
from tests.test_segment_gaps import HIDDEN, MAP, ROOT, responses
from tests.test_workshop import words

from cyclemap.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from cyclemap.gaps import Severity
from cyclemap.render.style import FILL
from cyclemap.segment_gaps import ViewEntry
from cyclemap.survey import views
from cyclemap.workshop.pages import _view_cell
from cyclemap.workshop.poster import MIN_TEXT_PT

Cli = Callable[..., Any]

repo = test_hardening_git.repo
"""The fixture: an empty git repository, the current folder."""
surveyed = test_segment_gaps.surveyed
"""The fixture: writes the segments map and its survey."""


def section(page: str, heading: str) -> str:
    """The text of a Markdown section, from its heading to the next heading of the same level or higher."""
    level = heading.split(" ", 1)[0]
    start = page.index(heading + "\n")
    rest = page[start + len(heading) + 1:]
    ends = [rest.find("\n" + "#" * n + " ") for n in range(1, len(level) + 1)]
    ends = [end for end in ends if end >= 0]
    return rest[: min(ends)] if ends else rest


# -- report -------------------------------------------------------------------------------------------------


def test_report_lists_gaps_per_segment_and_where_segments_disagree(
    surveyed: Callable[..., Path], cli: Cli
) -> None:
    """The pooled list hides the upgraders' battery; the segment section shows it, with its sample."""
    done = cli("report", str(surveyed(HIDDEN)))
    assert done.code == EXIT_OK, done.err
    page = done.out
    pooled = section(page, "## Opportunity gaps")
    assert "Gaps for: all respondents, survey n=312" in pooled
    assert "| Add a battery | underserved" not in pooled
    disagree = section(page, "### Where segments disagree")
    assert "| all | first-time | upgraders | landlords |" in disagree
    assert "| 1 | Add a battery | 3.21 n=312 | 0.0 n=200 | 20.0 extreme n=100 |" in disagree
    upgraders = section(page, "### Adding a battery")
    assert "Gaps for: Adding a battery (upgraders), survey n=100" in upgraders
    first = upgraders.split("\n| 1 |", 1)[1].split("\n", 1)[0]
    assert first.startswith(" 20.0 | extreme | n=100 | Post | Add a battery | underserved |"), first
    landlords = section(page, "### Landlords")
    assert "n=12 thin" in landlords  # fewer answers than min_n 30
    assert page.index("## Gaps by segment") < page.index("## Activities\n")


def test_report_segment_names_stay_literal(surveyed: Callable[..., Path], cli: Cli) -> None:
    """A segment's name is user text: Markdown syntax in it is escaped in its heading."""
    path = surveyed(HIDDEN, **{"name: Landlords": 'name: "# Boom *x* | [y](z)"'})
    page = cli("report", str(path)).out
    assert "### \\# Boom \\*x\\* \\| \\[y\\](z)\n" in page
    assert "\n# Boom" not in page


def test_report_of_a_survey_without_segments_has_no_segment_section(
    surveyed: Callable[..., Path], cli: Cli
) -> None:
    """Survey scores without segments: the pooled list names its sample, and there is nothing per segment."""
    text = MAP.split("segments:\n", 1)[0] + "survey:" + MAP.split("survey:", 1)[1]
    path = surveyed(HIDDEN)
    path.write_text(text.replace("  segment_column: segment\n", "  ignore_columns: [segment]\n"), encoding="utf-8")
    done = cli("report", str(path))
    assert done.code == EXIT_OK, done.err
    assert "Gaps for: all respondents, survey n=312" in done.out
    assert "Gaps by segment" not in done.out


def test_segments_example_report_matches_golden(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cyclemap report examples/rooftop-solar-segments.yaml` (regen_golden.py report/)."""
    monkeypatch.chdir(ROOT)
    done = cli("report", "examples/rooftop-solar-segments.yaml")
    assert (done.code, done.err) == (0, "")
    golden = ROOT / "tests" / "golden" / "report" / "rooftop-solar-segments.md"
    assert done.out == golden.read_text(encoding="utf-8")
    assert "### Upgraders\n" in done.out


# -- diff ---------------------------------------------------------------------------------------------------

CALM = [(name, count, {**answers, "add-battery": (3, 3)} if name == "upgraders" else answers)
        for name, count, answers in HIDDEN]
"""HIDDEN, but the upgraders rate the battery in neither top box: they have no gap there."""


def diff_json(cli: Cli, *args: str) -> dict[str, Any]:
    done = cli("diff", *args, "-f", "json")
    assert done.code == EXIT_OK, done.err
    data: dict[str, Any] = json.loads(done.out)
    return data


def segment(data: dict[str, Any], view: str) -> dict[str, Any]:
    return next(entry for entry in data["segments"] if entry["segment"] == view)


def test_diff_reports_gaps_and_scores_per_segment_when_only_the_survey_changed(
    tmp_path: Path, cli: Cli
) -> None:
    """Same map, new responses: the upgraders' battery gap opens in their segment, not in the pooled view."""
    for name, groups in (("old", CALM), ("new", HIDDEN)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "map.yaml").write_text(MAP, encoding="utf-8")
        (tmp_path / name / "responses.csv").write_text(responses(groups), encoding="utf-8")
    old, new = str(tmp_path / "old" / "map.yaml"), str(tmp_path / "new" / "map.yaml")
    data = diff_json(cli, old, new)
    assert [entry["segment"] for entry in data["segments"]] == ["first-time", "upgraders", "landlords"]
    assert segment(data, "upgraders") == {
        "segment": "upgraders", "gaps_opened": ["add-battery"], "gaps_closed": [], "gaps_changed": [],
        "score_changes": [{"id": "add-battery", "old": 0.0, "new": 20.0}],
    }
    assert segment(data, "first-time")["gaps_opened"] == []
    assert "add-battery" not in data["gaps_opened"]  # the pooled score stays below the threshold
    text = cli("diff", old, new).out
    assert "segment gap opened" in text.splitlines()[2]
    opened = text.split("Segment Adding a battery (upgraders): gaps opened\n", 1)[1]
    assert opened.startswith("  + add-battery  Post: Add a battery\n      20.0 extreme: underserved\n"), opened
    assert "Segment Adding a battery (upgraders): opportunity scores (0 to 20)\n  ~ add-battery  0.0 → 20.0 (+20.0)" \
        in text
    markdown = cli("diff", old, new, "-f", "markdown").out
    assert "### Segment Adding a battery (upgraders): gaps opened (1)" in markdown
    assert "| `add-battery` | Add a battery | 0.0 | 20.0 | +20.0 |" in markdown
    assert cli("diff", old, new, "--exit-code").code == 1


def test_diff_lists_every_shared_segment_even_unchanged_and_no_segment_key_without_segments(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON: `segments` holds each segment both maps have; a map without segments has no such key."""
    path = tmp_path / "map.yaml"
    path.write_text(MAP, encoding="utf-8")
    (tmp_path / "responses.csv").write_text(responses(HIDDEN), encoding="utf-8")
    data = diff_json(cli, str(path), str(path))
    assert [entry["score_changes"] for entry in data["segments"]] == [[], [], []]
    assert cli("diff", str(path), str(path)).out.splitlines()[2].startswith("No differences")
    monkeypatch.chdir(ROOT)
    assert "segments" not in diff_json(cli, "examples/home-solar.yaml", "examples/cloud-migration.yaml")


def test_diff_with_a_segment_added_compares_the_segments_both_maps_have(tmp_path: Path, cli: Cli) -> None:
    """A segment new in one map is a change of the map's `segments` field, not a list of opened gaps."""
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    (tmp_path / "responses.csv").write_text(responses(HIDDEN), encoding="utf-8")
    old.write_text(MAP.replace("  - id: landlords\n    name: Landlords\n", ""), encoding="utf-8")
    new.write_text(MAP, encoding="utf-8")
    (tmp_path / "responses.csv").write_text(responses([g for g in HIDDEN if g[0] != "landlords"]), encoding="utf-8")
    data = diff_json(cli, str(old), str(new))
    assert [entry["segment"] for entry in data["segments"]] == ["first-time", "upgraders"]
    assert "segments" in data["map_changed"]


# -- diff at a git revision: the survey as it was there ----------------------------------------------------------


def test_diff_at_a_revision_reads_the_survey_committed_there(repo: Path, cli: Cli) -> None:
    """`diff --rev HEAD map.yaml` and `diff HEAD:map.yaml map.yaml` score the old side with the old responses."""
    (repo / "map.yaml").write_text(MAP, encoding="utf-8")
    (repo / "responses.csv").write_text(responses(CALM), encoding="utf-8")
    commit(repo)
    (repo / "responses.csv").write_text(responses(HIDDEN), encoding="utf-8")
    for args in (("--rev", "HEAD", "map.yaml"), ("HEAD:map.yaml", "map.yaml")):
        data = diff_json(cli, *args)
        assert segment(data, "upgraders")["gaps_opened"] == ["add-battery"], args
        assert segment(data, "upgraders")["score_changes"] == [{"id": "add-battery", "old": 0.0, "new": 20.0}]
    commit(repo)
    assert segment(diff_json(cli, "HEAD~1:map.yaml", "HEAD:map.yaml"), "upgraders")["gaps_opened"] == ["add-battery"]
    assert cli("diff", "--rev", "HEAD", "map.yaml", "--exit-code").code == EXIT_OK


def test_diff_at_a_revision_without_the_survey_file_names_it(repo: Path, cli: Cli) -> None:
    """The map was committed before its survey: the old side's problem is the survey file, exit 4."""
    (repo / "map.yaml").write_text(MAP, encoding="utf-8")
    commit(repo)
    (repo / "responses.csv").write_text(responses(HIDDEN), encoding="utf-8")
    done = cli("diff", "--rev", "HEAD", "map.yaml")
    assert done.code == EXIT_INVALID
    assert "cannot read the survey 'responses.csv'" in done.err
    assert "map.yaml:" in done.err


def test_a_survey_at_a_revision_is_read_whole_up_to_its_cap(
    repo: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git cannot stream a file to the reader: it is read whole, refused past MAX_SURVEY_BYTES (1 GiB)."""
    assert views.MAX_SURVEY_BYTES == 1024**3
    (repo / "map.yaml").write_text(MAP, encoding="utf-8")
    (repo / "responses.csv").write_text(responses(HIDDEN), encoding="utf-8")
    commit(repo)
    monkeypatch.setattr(views, "MAX_SURVEY_BYTES", 1000)
    done = cli("diff", "--rev", "HEAD", "map.yaml")
    assert done.code == EXIT_INVALID
    assert "cannot read the survey 'responses.csv'" in done.err
    assert "1000" in done.err.replace(",", "") or "too large" in done.err



@pytest.mark.skipif(shutil.which("neato") is None, reason="needs Graphviz")
def test_landscape_since_a_revision_with_an_invalid_survey_is_invalid_input(repo: Path, cli: Cli) -> None:
    """`render -l landscape --since REV` when the survey at REV cannot be read: the problem with the map's
    file:line:col, as `diff --rev` reports it, exit 4, and nothing written."""
    (repo / "map.yaml").write_text(MAP, encoding="utf-8")
    commit(repo)
    (repo / "responses.csv").write_text(responses(HIDDEN), encoding="utf-8")
    out = repo / "map.svg"
    done = cli("render", "map.yaml", "-l", "landscape", "--since", "HEAD", "-o", str(out))
    assert done.code == EXIT_INVALID, done.err
    assert "cannot read the survey 'responses.csv'" in done.err
    assert re.search(r"map\.yaml:\d+:\d+", done.err), done.err
    assert not out.exists()


# -- workshop -----------------------------------------------------------------------------------------------

needs_pdf_tools = pytest.mark.skipif(
    not (shutil.which("neato") and shutil.which("pdftotext")), reason="needs Graphviz and poppler-utils"
)
MANY = MAP.replace("segments:\n", "segments:\n" + "".join(
    f"  - id: extra-{n}\n    name: Extra segment number {n}\n" for n in range(1, 5)
))
"""MAP with seven segments: the segment table is set smaller, and must stay legible."""


def pack_pages(cli: Cli, path: Path, *options: str) -> list[str]:
    """The text of each page of `cyclemap workshop PATH OPTIONS` (pdftotext -layout)."""
    out = path.with_suffix(".pdf")
    done = cli("workshop", str(path), "-o", str(out), "--date", "2026-12-05", "-q", *options)
    assert done.code == EXIT_OK, done.err
    return page_texts(out)


@needs_pdf_tools
def test_workshop_has_a_segment_page_with_each_view_side_by_side(surveyed: Callable[..., Path], cli: Cli) -> None:
    """One column per view ("all" first), the score, band and n of each, thin marked; in the contents."""
    pages = pack_pages(cli, surveyed(HIDDEN), "--sections", "cover,gaps,segments")
    contents = words(pages[0])
    assert re.search(r"Opportunity gaps 2 .*Gaps by segment 3", contents), contents  # each with its page
    assert "Gaps for all respondents, survey n=312" in words(pages[0])
    page = pages[2]
    assert page.splitlines()[0].rstrip().endswith("Gaps by segment")
    header = " ".join(page.split("No.", 1)[1].split("\n")[:3])
    for title in ("All", "respondents", "First-time", "Adding a", "Landlords", "How the segments differ"):
        assert title in header
    row = words(page.split("Post: Add a battery", 1)[1])
    assert row.startswith("3.21 0.0 20.0 extreme 0.0 underserved for Adding a battery (20.0, "
                          "n=312 n=200 n=100 n=12 thin extreme)"), row
    assert page.index("Post: Add a battery") < page.index("Pre: Choose an installer")  # hidden segments first


@needs_pdf_tools
def test_the_segment_page_colours_each_view_by_its_own_gaps() -> None:
    """A cell's fill is its view's severity, as `render --segment` colours the box (here: extreme, none)."""
    extreme = _view_cell(ViewEntry("upgraders", None, 18.43, "extreme"), Severity.EXTREME)
    assert (extreme.fill, extreme.colour, extreme.text, extreme.bold) == (*FILL[Severity.EXTREME], "18.43 extreme",
                                                                          True)
    assert _view_cell(ViewEntry("all", None, None, None), Severity.NONE).fill is None


@needs_pdf_tools
def test_many_segments_stay_legible(surveyed: Callable[..., Path], cli: Cli) -> None:
    """Seven segments: every text of the segment page prints at 6 pt or more."""
    path = surveyed(HIDDEN)
    path.write_text(MANY, encoding="utf-8")
    out = path.with_suffix(".pdf")
    assert cli("workshop", str(path), "-o", str(out), "--sections", "segments", "-q").code == EXIT_OK
    (sizes,) = text_sizes(out)
    assert min(sizes) >= MIN_TEXT_PT
    page = page_texts(out)[0]
    assert all(f"number {n}" in page for n in range(1, 5))  # a column each, its name wrapped


@needs_pdf_tools
def test_workshop_segment_colours_the_pack_by_that_view(surveyed: Callable[..., Path], cli: Cli) -> None:
    """--segment upgraders: the cover names the view, the battery tops the ranked gaps as extreme."""
    pages = pack_pages(cli, surveyed(HIDDEN), "--sections", "cover,gaps", "--segment", "upgraders")
    assert "Adding a battery (upgraders), survey n=100" in words(pages[0])
    gaps = words(pages[1])
    assert "Gaps for: Adding a battery (upgraders), survey n=100" in gaps
    assert gaps.split("Why it is a gap ", 1)[1].startswith("1 Extreme Post 1 Add a battery 20.0")
    done = cli("workshop", str(surveyed(HIDDEN)), "-o", "-", "--segment", "upgrader")
    assert done.code == EXIT_USAGE
    assert "did you mean 'upgraders'?" in words(done.err.translate({ord(c): " " for c in "│╭╮╰╯─"}))


def test_workshop_segments_section_needs_segments(tmp_path: Path, cli: Cli) -> None:
    """Asking for the segments page of a map without segments is a usage error; nothing is written."""
    out = tmp_path / "pack.pdf"
    done = cli("workshop", str(ROOT / "examples" / "home-solar.yaml"), "-o", str(out), "--sections", "segments")
    assert done.code == EXIT_USAGE
    assert "no segments" in done.err
    assert not out.exists()
