"""Gaps per customer segment (issue 11, phase 2a): `gaps --segment`, `--min-n`, `--by-segment` and
`render --segment`, on maps scored by a survey. A map without segments or a survey prints what it always
did: the goldens of the other examples (tests/golden/) prove it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cyclemap.exit_codes import EXIT_FOUND, EXIT_OK, EXIT_USAGE
from cyclemap.gaps import find_gaps, severity_by_id
from cyclemap.loader import load_map
from cyclemap.segment_gaps import segment_disagreements
from cyclemap.survey.views import load_map_survey

ROOT = Path(__file__).resolve().parent.parent

MAP = """\
cyclemap: 1
title: Rooftop solar
customer: Homeowners
outcome: Cheap, clean power
segments:
  - id: first-time
    name: First-time buyers
  - id: upgraders
    name: Adding a battery
  - id: landlords
    name: Landlords
survey:
  file: responses.csv
  segment_column: segment
  min_n: 30
phases:
  pre:
    activities:
      - name: Choose an installer
        id: choose-installer
        offerings: [Vetted installers]
  during:
    activities:
      - name: Get the panels installed
        id: install
        offerings: [Our crews]
  post:
    activities:
      - name: Add a battery
        id: add-battery
        offerings: [Battery retrofit]
"""


def responses(groups: list[tuple[str, int, dict[str, tuple[int, int]]]]) -> str:
    """A survey CSV: for each (segment, respondents, {activity: (importance, satisfaction)}) that many rows."""
    activities = ["choose-installer", "install", "add-battery"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    questions = [f"{a}.{q}" for a in activities for q in ("importance", "satisfaction")]
    writer.writerow(["respondent", "segment", *questions])
    number = 0
    for segment, count, answers in groups:
        for _ in range(count):
            number += 1
            cells = [str(v) for a in activities for v in answers.get(a, ("", ""))]
            writer.writerow([f"r{number}", segment, *cells])
    return out.getvalue()


HIDDEN = [
    # first-time buyers and landlords (300) don't care about a battery and are happy; upgraders (100) are desperate
    ("first-time", 200, {"choose-installer": (5, 2), "install": (4, 4), "add-battery": (1, 5)}),
    ("upgraders", 100, {"choose-installer": (3, 4), "install": (4, 4), "add-battery": (5, 1)}),
    ("landlords", 12, {"choose-installer": (5, 1), "install": (4, 4), "add-battery": (1, 5)}),
]
"""Pooled, add-battery scores 10 x 100/312 = 3.2 important: below the threshold; for upgraders, 20: extreme.
Landlords are 12 respondents: thin under min_n 30."""


@pytest.fixture
def surveyed(tmp_path: Path) -> Callable[..., Path]:
    """Write MAP (text replaced as asked) and its responses.csv; the map's path."""

    def write(groups: list[tuple[str, int, dict[str, tuple[int, int]]]] = HIDDEN, **replace: str) -> Path:
        text = MAP
        for old, new in replace.items():
            text = text.replace(old, new)
        (tmp_path / "map.yaml").write_text(text, encoding="utf-8")
        (tmp_path / "responses.csv").write_text(responses(groups), encoding="utf-8")
        return tmp_path / "map.yaml"

    return write


def plain(err: str) -> str:
    """An error message out of rich's box: frame characters gone, lines joined by single spaces."""
    return " ".join(err.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())


def gaps_json(cli: Callable[..., Any], path: Path, *options: str) -> dict[str, Any]:
    done = cli("gaps", str(path), "-f", "json", *options)
    assert done.code == EXIT_OK, done.err
    data: dict[str, Any] = json.loads(done.out)
    return data


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["id"]: entry for entry in data["gaps"]}


# -- the hidden underserved segment -----------------------------------------------------------------------


def test_a_segment_extreme_under_a_calm_pool_is_found_by_segment_and_by_by_segment(
    surveyed: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    """Issue 11's done-when: the pooled score is below the threshold, one segment is extreme."""
    path = surveyed()
    pooled = by_id(gaps_json(cli, path))
    assert pooled["add-battery"]["kinds"] == ["overserved"]  # pooled, most find it unimportant and are satisfied
    assert pooled["add-battery"]["band"] is None
    upgraders = by_id(gaps_json(cli, path, "--segment", "upgraders"))
    entry = upgraders["add-battery"]
    assert (entry["score"], entry["band"], entry["kinds"]) == (20.0, "extreme", ["underserved"])
    assert entry["segment"] == "upgraders"
    assert entry["n"] == {"importance": 100, "satisfaction": 100}
    assert entry["reason"] == "rated important by 100% of 100 respondents, satisfied by 0%"

    data = json.loads(cli("gaps", str(path), "--by-segment", "-f", "json").out)
    first = data["activities"][0]
    assert first["id"] == "add-battery"
    assert first["kinds"] == ["segment-underserved", "segment-spread"]
    assert first["underserved_in"] == ["upgraders"]
    assert first["spread"] == 20.0
    scores = {score["segment"]: score for score in first["scores"]}
    assert list(scores) == ["all", "first-time", "upgraders", "landlords"]
    assert scores["all"]["band"] is None and scores["all"]["score"] < 10
    assert scores["upgraders"]["band"] == "extreme"
    assert first["reason"].startswith("underserved for Adding a battery (20.0, extreme) while the pooled score is 3.21")
    assert [s["id"] for s in data["segments"]] == ["first-time", "upgraders", "landlords"]


def test_by_segment_finds_it_in_every_format_and_fails_the_run_when_asked(
    surveyed: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    path = surveyed()
    for fmt in ("table", "markdown", "csv", "github"):
        done = cli("gaps", str(path), "--by-segment", "-f", fmt)
        assert done.code == EXIT_OK
        assert "Add a battery" in done.out and "Adding a battery" in done.out, fmt
    rows = list(csv.DictReader(io.StringIO(cli("gaps", str(path), "--by-segment", "-f", "csv").out)))
    assert [row["segment"] for row in rows[:4]] == ["all", "first-time", "upgraders", "landlords"]
    assert rows[2]["band"] == "extreme" and rows[2]["importance_n"] == "100"
    assert cli("gaps", str(path), "--by-segment", "--fail-on-gaps", "-f", "json").code == EXIT_FOUND


def test_by_segment_lists_nothing_when_segments_agree(surveyed: Callable[..., Path], cli: Callable[..., Any]) -> None:
    same = {"choose-installer": (4, 4), "install": (4, 4), "add-battery": (4, 4)}
    path = surveyed([("first-time", 40, same), ("upgraders", 40, same), ("landlords", 40, same)])
    assert json.loads(cli("gaps", str(path), "--by-segment", "-f", "json").out)["activities"] == []
    done = cli("gaps", str(path), "--by-segment", "--fail-on-gaps")
    assert done.code == EXIT_OK
    assert "No segments disagree" in done.out


def test_find_gaps_and_severities_follow_the_view(surveyed: Callable[..., Path]) -> None:
    """The API render, workshop, report and diff build on: the view decides the colours."""
    path = surveyed()
    cmap = load_map(str(path))
    survey = load_map_survey(cmap, str(path))
    assert severity_by_id(find_gaps(cmap, survey=survey))["add-battery"].value == "overserved"
    assert severity_by_id(find_gaps(cmap, view="upgraders", survey=survey))["add-battery"].value == "extreme"
    with pytest.raises(ValueError, match="did you mean 'upgraders'"):
        find_gaps(cmap, view="upgrader", survey=survey)
    assert segment_disagreements(cmap, survey=survey)[0].id == "add-battery"


# -- Ulwick's numbers, the sample in every entry --------------------------------------------------------


def test_ulwick_example_ranks_with_its_sample(surveyed: Callable[..., Path], cli: Callable[..., Any]) -> None:
    """270 respondents, 200 rate importance 4-5, 75 rate satisfaction 4-5: 7.4 / 2.8 / 12.0, underserved."""
    groups = [
        ("first-time", 75, {"add-battery": (5, 4)}),
        ("first-time", 125, {"add-battery": (4, 2)}),
        ("first-time", 70, {"add-battery": (2, 1)}),
    ]
    data = gaps_json(cli, surveyed(groups))
    entry = by_id(data)["add-battery"]
    assert (entry["importance"], entry["satisfaction"]) == (7.41, 2.78)
    assert round(entry["score"], 1) == 12.0
    assert entry["band"] == "high"
    assert entry["n"] == {"importance": 270, "satisfaction": 270}
    assert entry["segment"] == "all"
    assert entry["thin"] is False
    low, high = entry["interval"]["importance"]
    assert low == pytest.approx(6.85, abs=0.01) and high == pytest.approx(7.89, abs=0.01)
    assert entry["reason"] == "rated important by 74% of 270 respondents, satisfied by 28%"
    assert data["survey"]["file"].endswith("responses.csv")
    expected = {"file": "responses.csv", "method": "top-two-box", "min_n": 30, "respondents": 270}
    assert data["survey"] | {"file": "responses.csv"} == expected


def test_mean_method_says_averages(surveyed: Callable[..., Path], cli: Callable[..., Any]) -> None:
    path = surveyed([("first-time", 40, {"add-battery": (5, 1)})], **{"min_n: 30": "min_n: 30\n  method: mean"})
    entry = by_id(gaps_json(cli, path))["add-battery"]
    assert entry["reason"] == "rated 10.0/10 important on average by 40 respondents, rated 0.0/10 satisfied on average"


# -- thin scores ------------------------------------------------------------------------------------------------


def test_thin_scores_rank_but_say_so_and_min_n_leaves_them_out(
    surveyed: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    path = surveyed()
    entry = by_id(gaps_json(cli, path, "--segment", "landlords"))["choose-installer"]
    assert entry["band"] == "extreme" and entry["thin"] is True
    assert entry["reason"].endswith("; thin: only 12 answers, fewer than min_n 30")
    table = cli("gaps", str(path), "--segment", "landlords").out
    assert "thin" in table and "n=12" in table

    assert "choose-installer" not in by_id(gaps_json(cli, path, "--segment", "landlords", "--min-n", "30"))
    assert "choose-installer" in by_id(gaps_json(cli, path, "--segment", "landlords", "--min-n", "12"))
    by_segment = json.loads(cli("gaps", str(path), "--by-segment", "--min-n", "30", "-f", "json").out)
    for item in by_segment["activities"]:
        landlords = next(score for score in item["scores"] if score["segment"] == "landlords")
        assert landlords["score"] is None  # left out: too thin


# -- usage errors ----------------------------------------------------------------------------------------------


def test_unknown_segment_is_a_usage_error_with_a_did_you_mean(
    surveyed: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    path = surveyed()
    done = cli("gaps", str(path), "--segment", "upgrader")
    assert done.code == EXIT_USAGE
    said = plain(done.err)
    assert "the map has no segment 'upgrader'; did you mean 'upgraders'?" in said
    assert done.out == ""
    out = path.with_suffix(".svg")
    done = cli("render", str(path), "--segment", "upgrader", "-o", str(out))
    assert done.code == EXIT_USAGE and not out.exists()
    assert cli("gaps", str(path), "--by-segment", "--segment", "upgraders").code == EXIT_USAGE
    assert cli("gaps", str(path), "--by-segment", "--kind", "unserved").code == EXIT_USAGE


def test_by_segment_needs_segments(write_map: Callable[..., Path], cli: Callable[..., Any]) -> None:
    path = write_map((ROOT / "examples" / "home-solar.yaml").read_text(encoding="utf-8"))
    done = cli("gaps", str(path), "--by-segment")
    assert done.code == EXIT_USAGE
    assert "no segments" in done.err


def test_maps_without_segments_keep_their_json_keys(cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    data = json.loads(cli("gaps", "examples/home-solar.yaml", "-f", "json").out)
    assert list(data) == ["map", "threshold", "gaps", "landscape"]  # landscape: issue 12, for every map
    assert "segment" not in data["gaps"][0]
    header = cli("gaps", "examples/home-solar.yaml", "-f", "csv").out.splitlines()[0]
    assert "segment" not in header


# -- render --segment --------------------------------------------------------------------------------------------


def test_render_colours_by_the_segment_and_names_it_in_the_key(
    surveyed: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    path = surveyed()
    pooled = cli("render", str(path), "-f", "dot", "-o", "-").out
    upgraders = cli("render", str(path), "-f", "dot", "-o", "-", "--segment", "upgraders").out
    assert "Gaps for: all respondents, survey n=312" in pooled
    assert "Gaps for: Adding a battery (upgraders), survey n=100" in upgraders
    battery = [line for line in upgraders.splitlines() if "Add a battery" in line]
    assert 'fillcolor="#a50f15"' in battery[0]  # the extreme fill
    assert 'fillcolor="#a50f15"' not in next(line for line in pooled.splitlines() if "Add a battery" in line)
    assert "imp 10.0 · sat 0.0 · n=100" in upgraders
    for layout in ("cycle", "flow"):
        assert "(upgraders)" in cli("render", str(path), "-f", "dot", "-l", layout, "-o", "-", "-s", "upgraders").out
    mermaid = cli("render", str(path), "-f", "mermaid", "-o", "-", "--segment", "upgraders").out
    assert "Gaps for: Adding a battery (upgraders), survey n=100" in mermaid.splitlines()[1]
    assert "class a3 extreme" in mermaid


# -- goldens of the segments example -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["upgraders", "by-segment"])
def test_segments_example_matches_golden(name: str, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """`gaps examples/rooftop-solar-segments.yaml --segment upgraders | --by-segment -f json` (regen_golden.py)."""
    monkeypatch.chdir(ROOT)
    option = ("--segment", "upgraders") if name == "upgraders" else ("--by-segment",)
    done = cli("gaps", "examples/rooftop-solar-segments.yaml", *option, "--format", "json")
    assert done.code == EXIT_OK
    golden = ROOT / "tests" / "golden" / "segments" / f"rooftop-solar-segments-{name}.json"
    assert done.out == golden.read_text(encoding="utf-8")
    if name == "by-segment":
        assert json.loads(done.out)["activities"][0]["underserved_in"] == ["upgraders"]
