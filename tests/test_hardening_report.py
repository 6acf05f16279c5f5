"""`cyclemap report` shows what each activity is and who serves it today, as the map says it."""

from __future__ import annotations

from pathlib import Path

from cyclemap.loader import load_map
from cyclemap.report.document import map_document

ROOT = Path(__file__).resolve().parent.parent
SOLAR = ROOT / "examples" / "home-solar.yaml"
HOSTILE = ROOT / "tests" / "cases" / "valid" / "hostile-labels" / "map.yaml"


def section(page: str, heading: str) -> list[str]:
    """The lines of the page's section under `heading`, up to the next section of the same level."""
    lines = page.splitlines()
    start = lines.index(heading)
    level = heading.split(" ", maxsplit=1)[0] + " "
    end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith(level)), len(lines))
    return lines[start + 1 : end]


def test_activities_section_shows_descriptions_and_competitors() -> None:
    """Each activity's row holds its number as in the diagram, its description and its competitors."""
    page = map_document(load_map(str(SOLAR)), "home-solar.yaml")
    rows = section(page, "## Activities")
    assert "| 1.2.1 | Check orientation and shading |  | Google Project Sunroof |" in rows
    assert (
        "| 1.2.2 | Check planning rules | Listed buildings, conservation areas and flats need extra checks. |  |"
        in rows
    )
    first = next(row for row in rows if row.startswith("| 1 | Understand whether solar pays off |"))
    assert first.endswith(
        "| Energy Saving Trust solar calculator; Which? solar panel guides; Installer comparison sites |"
    )


def test_every_activity_has_one_row_under_its_phase() -> None:
    """One row per activity, under a heading per phase named as the map names it."""
    cmap = load_map(str(SOLAR))
    page = map_document(cmap, "home-solar.yaml")
    for key in ("pre", "during", "post"):
        label = cmap.phase(key).label or key
        rows = [row for row in section(page, f"### {label}") if row.startswith("| ") and not row.startswith("| #")]
        assert len(rows) == sum(1 for visit in cmap.walk() if visit.phase == key)


def test_activity_texts_are_literal_and_link_nothing() -> None:
    """Descriptions and competitors with URLs, @mentions, #123 and pipes stay in their cell, unlinked."""
    page = map_document(load_map(str(HOSTILE)), "map.yaml")
    rows = section(page, "## Activities")
    row = next(row for row in rows if row.startswith("| 1 | %%{init"))
    assert row.count(" | ") == 3  # four cells, whatever the texts hold
    assert "Ask @&#8203;octocat about #&#8203;123 on https:&#8203;//evil.example or www&#8203;.evil.example" in row
    assert "Mail ops@&#8203;evil.example; GH&#8203;-7" in row
    empty = section(page, "### Post")
    assert empty[1].startswith("| # |")
