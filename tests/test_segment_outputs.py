"""Segments in `report`, `diff` and `workshop` (issue 11): every view scored by `ScoreViews.score`.

Goldens of the segments example: ``.venv/bin/python tests/regen_golden.py report/``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cyclemap.exit_codes import EXIT_OK
from tests.test_segment_gaps import HIDDEN, MAP, ROOT, surveyed  # noqa: F401 - surveyed: the fixture

Cli = Callable[..., Any]


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
