"""`render --layout landscape` (issue 12): markers where the scores put them, the regions from the
map's settings, labels that never overlap, --segment each, --since arrows, and the JSON behind it."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cyclemap.exit_codes import EXIT_OK, EXIT_USAGE
from cyclemap.gaps import is_overserved, is_underserved, opportunity_score
from cyclemap.landscape import Regions
from cyclemap.loader import load_map
from cyclemap.model import Activity
from cyclemap.render.geometry import Deadline, Segment
from cyclemap.render.landscape import (
    EACH,
    MARKER,
    NOTHING_SCORED,
    PLOT_PAD,
    chart_of,
    landscape_dot,
    lay_out_panel,
    phase_marks,
    place_text,
    region_names,
)
from cyclemap.survey.views import load_map_survey

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [*sorted((ROOT / "examples").glob("*.yaml")), ROOT / "examples" / "split" / "bike-share.yaml"]
SVG = "{http://www.w3.org/2000/svg}"
needs_graphviz = pytest.mark.skipif(shutil.which("neato") is None, reason="needs Graphviz")

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402 - bench/ is not a package


def svg_of(cli: Callable[..., Any], *args: str) -> ET.Element:
    done = cli("render", *args, "--layout", "landscape", "-f", "svg", "-o", "-")
    assert done.code == EXIT_OK, done.err
    return ET.fromstring(done.out)  # noqa: S314 - our own output


def frame(svg: ET.Element, view: str = "all", pad: float = PLOT_PAD) -> tuple[float, float, float]:
    """The axes' origin (SVG x, y) and length, from the frame node `plot-<view>`, which reaches `pad` past them."""
    group = next(g for g in svg.iter(f"{SVG}g") if g.get("id") == f"plot-{view}")
    points = [tuple(map(float, p.split(","))) for p in group.find(f"{SVG}polygon").get("points").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs) + pad, max(ys) - pad, max(xs) - min(xs) - 2 * pad


def markers(svg: ET.Element, prefix: str = "pt-") -> dict[str, tuple[float, float, str]]:
    """SVG id -> (centre x, centre y, title) of every marker."""
    found = {}
    for group in svg.iter(f"{SVG}g"):
        name = group.get("id") or ""
        if name.startswith(prefix):
            ellipse = group.find(f"{SVG}ellipse")
            found[name] = (float(ellipse.get("cx")), float(ellipse.get("cy")), group.find(f"{SVG}title").text or "")
    return found


def landscape_json(cli: Callable[..., Any], path: Path, *args: str) -> dict[str, Any]:
    done = cli("gaps", str(path), "-f", "json", *args)
    assert done.code == EXIT_OK, done.err
    return json.loads(done.out)["landscape"]


# -- positions ---------------------------------------------------------------------------------------------------


@needs_graphviz
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_markers_sit_at_their_importance_and_satisfaction(cli: Callable[..., Any], path: Path) -> None:
    """Each marker's centre in the SVG is at (importance, satisfaction) on 0-10, within 0.5% of an axis,
    and the gaps JSON's landscape lists exactly the activities drawn (its data redraws the plot)."""
    svg = svg_of(cli, str(path))
    left, bottom, side = frame(svg)
    drawn = markers(svg)
    data = landscape_json(cli, path)
    assert {f"pt-{a['id']}" for a in data["activities"]} == set(drawn)
    assert data["activities"]
    for activity in data["activities"]:
        x, y, title = drawn[f"pt-{activity['id']}"]
        assert abs((x - left) / side * 10 - activity["importance"]) <= 0.05
        assert abs((bottom - y) / side * 10 - activity["satisfaction"]) <= 0.05
        assert title.split(" ")[0][:1].isalpha() and title.split(" ")[0][1:].endswith(activity["number"])
        assert f"importance {activity['importance']:.1f}" in title and f"score {activity['score']:.1f}" in title


def test_hand_entered_scores_are_normalised_like_the_gap_score(
    cli: Callable[..., Any], write_map: Callable[..., Path]
) -> None:
    """On a 1-5 map, importance 4 and satisfaction 1 plot at 8 and 2, and the marker's colour is the gap's."""
    path = write_map(MAP_1_TO_5)
    activity = landscape_json(cli, path)["activities"][0]
    assert (activity["importance"], activity["satisfaction"], activity["score"]) == (8.0, 2.0, 14.0)
    assert activity["severity"] == "high"
    assert landscape_json(cli, path)["activities"][1]["severity"] == "overserved"


MAP_1_TO_5 = """\
cyclemap: 1
title: Small
customer: Someone
outcome: Something done
scale: {min: 1, max: 5}
phases:
  pre:
    activities:
      - {name: Choose, id: choose, importance: 4, satisfaction: 1, offerings: [Ours]}
      - {name: Sign, id: sign, importance: 1, satisfaction: 5, offerings: [Ours]}
  during:
    activities:
      - {name: Use, offerings: [Ours]}
  post:
    activities:
      - {name: Review, offerings: [Ours]}
"""


@needs_graphviz
def test_survey_scores_plot_as_surveyed_with_n_in_the_tooltip(cli: Callable[..., Any]) -> None:
    path = ROOT / "examples" / "rooftop-solar-segments.yaml"
    svg = svg_of(cli, str(path), "--segment", "upgraders")
    data = landscape_json(cli, path, "--segment", "upgraders")
    left, _, side = frame(svg, "upgraders")
    for activity in data["activities"]:
        x, _, title = markers(svg)[f"pt-{activity['id']}"]
        assert abs((x - left) / side * 10 - activity["importance"]) <= 0.05
        assert f"n={activity['n']}" in title


MAP_EDGES = """\
cyclemap: 1
title: Edges
customer: Someone
outcome: Something done
scale: {min: 0, max: 10}
phases:
  pre:
    activities:
      - {name: Corner, id: corner, importance: 10, satisfaction: 0, offerings: [Ours]}
      - {name: Other corner, id: other, importance: 0, satisfaction: 10, offerings: [Ours]}
      - {name: Top, id: top, importance: 10, satisfaction: 10, offerings: [Ours]}
  during:
    activities:
      - {name: Use, offerings: [Ours]}
  post:
    activities:
      - {name: Review, offerings: [Ours]}
"""


@needs_graphviz
def test_markers_at_0_and_10_stay_inside_the_frame(cli: Callable[..., Any], write_map: Callable[..., Path]) -> None:
    """Scores at the ends of the scale plot on 0 and 10, and their whole marker is inside the plot's frame."""
    svg = svg_of(cli, str(write_map(MAP_EDGES)))
    left, bottom, side = frame(svg, pad=0.0)  # the frame itself
    drawn = markers(svg)
    assert set(drawn) == {"pt-corner", "pt-other", "pt-top"}
    for x, y, _ in drawn.values():
        assert left + MARKER / 2 < x < left + side - MARKER / 2
        assert bottom - side + MARKER / 2 < y < bottom - MARKER / 2
    axes = frame(svg)
    assert drawn["pt-corner"][:2] == pytest.approx((axes[0] + axes[2], axes[1]), abs=0.5)  # (10, 0)


@needs_graphviz
def test_numbers_name_their_phase(cli: Callable[..., Any]) -> None:
    """Numbers restart in each phase: the landscape writes them with the phase's mark (D1.2 is Deciding 1.2),
    so no two activities share a label, and the key says what each mark stands for."""
    path = ROOT / "examples" / "home-solar.yaml"
    svg = svg_of(cli, str(path))
    titles = [title.split("\n")[0] for _, _, title in markers(svg).values()]
    tags = [title.split(" ")[0] for title in titles]
    assert len(set(tags)) == len(tags)
    assert {"D1", "I1", "L1"} <= set(tags)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    for mark, phase in (("D", "Deciding"), ("I", "Installing"), ("L", "Living with it")):
        assert (f"{mark}1.2", f"{phase} 1.2") in itertools.pairwise(texts)  # the key's row: "D1.2  Deciding 1.2"


@pytest.mark.parametrize(("labels", "marks"), [
    (("Deciding", "Installing", "Living with it"), ("D", "I", "L")),
    (("Pre", "During", "Post"), ("Pr", "D", "Po")),
    (("Planning", "Paying", "Porting"), ("Pl", "Pa", "Po")),
    (("Phase", "Phase", "Phase"), ("Pr", "Du", "Po")),  # labels alike: the keys' letters
    (("1", "2", "3"), ("Pr", "Du", "Po")),
])
def test_phase_marks_are_short_and_distinct(labels: tuple[str, ...], marks: tuple[str, ...]) -> None:
    assert tuple(phase_marks(zip(("pre", "during", "post"), labels, strict=True)).values()) == marks


# -- regions -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("threshold", "underserved", "extreme"), [
    (10, [(5.0, 0.0), (10, 10), (10.0, 0.0)], [(7.5, 0.0), (10.0, 5.0), (10.0, 0.0)]),
    (12, [(6.0, 0.0), (10.0, 8.0), (10.0, 0.0)], [(7.5, 0.0), (10.0, 5.0), (10.0, 0.0)]),
])
def test_regions_follow_the_threshold(threshold: float, underserved: list[Any], extreme: list[Any]) -> None:
    """The underserved edge is S = 2I - threshold; extreme S = 2I - 15; points agree with the gap rules."""
    regions = Regions(threshold, 3)
    assert regions.score_polygon(threshold) == underserved
    assert regions.score_polygon(15) == extreme
    for i, s in itertools.product([x / 4 for x in range(41)], repeat=2):
        score = opportunity_score(i, s, 10)
        assert regions.underserved(i, s) == is_underserved(score, threshold)
        assert regions.overserved(i, s) == is_overserved(Activity(name="a", importance=i, satisfaction=s), 10, 3)


@needs_graphviz
@pytest.mark.parametrize("threshold", [10, 12])
def test_the_drawn_region_moves_with_the_maps_threshold(
    cli: Callable[..., Any], write_map: Callable[..., Path], threshold: int
) -> None:
    """A map with gaps.threshold 12 draws its underserved edge along S = 2I - 12 through (10, 8), and says so.

    The shading reaches the plot's frame, a little past 0 and 10 on both axes, along the same line."""
    scale = "scale: {min: 1, max: 5}"
    path = write_map(MAP_1_TO_5.replace(scale, f"{scale}\ngaps: {{threshold: {threshold}}}"))
    svg = svg_of(cli, str(path))
    left, bottom, side = frame(svg)
    shaded = [p for p in svg.iter(f"{SVG}polygon") if p.get("fill") == "#fde8dc"]  # the region, then the key's swatch
    found = {
        (round((float(x) - left) / side * 10, 2), round((bottom - float(y)) / side * 10, 2))
        for x, y in (pair.split(",") for pair in shaded[0].get("points").split())
    }
    pad = round(PLOT_PAD / side * 10, 2)  # the frame reaches this far past 0 and 10, and the shading with it
    on_edge = sorted((i, s) for i, s in found if abs(s - (2 * i - threshold)) <= 0.02)  # on S = 2I - threshold
    assert len(on_edge) == 2
    end = min(threshold, 10 + pad)  # threshold 10: up to (10, 10), then straight up; 12: on to the frame's edge
    assert on_edge[0][1] == -pad and on_edge[1] == (end, round(2 * end - threshold, 2))
    assert all(i in (threshold, 10 + pad) or s in (-pad, 10 + pad) for i, s in set(found) - set(on_edge))
    assert f"score {threshold}+" in "".join(svg.itertext())


# -- labels --------------------------------------------------------------------------------------------------------


def _check_layout(path: Path, view: str) -> int:
    """Lay out one panel and check that no label overlaps a label, a marker or a line; returns how many labels."""
    cmap = load_map(str(path))
    survey = load_map_survey(cmap, str(path)) if cmap.survey is not None else None
    chart = chart_of(cmap, view=view, survey=survey)
    count = 0
    for panel in chart.panels:
        placed = lay_out_panel(panel, 540.0, chart.regions, None, Deadline.after(30))
        boxes = [label.rect for label in placed.labels] + [rect for _, rect in placed.badges]
        boxes += [rect for _, _, rect in placed.region_labels]
        assert all(box is not None for box in boxes)
        marker_boxes = [(m.x, m.y) for m in placed.markers]
        for a, b in itertools.combinations(boxes, 2):
            assert not a.overlaps(b, 0.0), (a, b)
        for box in boxes:
            low, high = -PLOT_PAD, 540 + PLOT_PAD  # within the frame
            assert box.left >= low and box.right <= high and box.bottom >= low and box.top <= high
            for x, y in marker_boxes:
                assert not (abs(box.x - x) * 2 < box.w + MARKER and abs(box.y - y) * 2 < box.h + MARKER), (box, x, y)
        for label in placed.labels:
            if label.leader:
                own = next(m for m in placed.markers if label.point in m.points)
                leader = Segment(own.x, own.y, label.rect.x, label.rect.y)
                for other in placed.markers:
                    if other is not own:
                        assert not leader.reaches(type(label.rect)(other.x, other.y, MARKER, MARKER), 0.0)
        drawn = {label.point.id for label in placed.labels}
        assert drawn == {p.id for p in panel.points}  # every activity has its label (name or number)
        count += len(placed.labels)
    return count


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_labels_never_overlap_in_any_example(path: Path) -> None:
    cmap = load_map(str(path))
    assert _check_layout(path, "all") > 0
    if cmap.segments:
        _check_layout(path, EACH)


def test_labels_never_overlap_on_a_generated_60_activity_map(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(generate(60, seed=7), encoding="utf-8")
    assert _check_layout(path, "all") >= 40


def test_crowded_plots_fall_back_to_numbers_and_a_list() -> None:
    """home-solar's 45 activities do not all fit by name: those that do not show their number and are listed."""
    path = ROOT / "examples" / "home-solar.yaml"
    chart = chart_of(load_map(str(path)))
    placed = lay_out_panel(chart.panels[0], 540.0, chart.regions, None, Deadline.after(30))
    numbered = [label for label in placed.labels if label.text == chart.panels[0].tag(label.point)]
    named = [label for label in placed.labels if label.text != chart.panels[0].tag(label.point)]
    assert numbered and named and placed.listing is not None
    assert all(f">{chart.panels[0].tag(label.point)}<" in placed.listing[0] for label in numbered)


@needs_graphviz
def test_activities_at_one_point_are_all_there(cli: Callable[..., Any]) -> None:
    """cloud-migration has several activities at the same point: each keeps its own marker (id, tooltip) there,
    and a x-count badge says how many."""
    svg = svg_of(cli, str(ROOT / "examples" / "cloud-migration.yaml"))
    places: dict[tuple[float, float], list[str]] = {}
    for name, (x, y, _) in markers(svg).items():
        places.setdefault((x, y), []).append(name)
    crowded = max(places.values(), key=len)
    assert len(crowded) >= 3
    assert f"\u00d7{len(crowded)}" in "".join(svg.itertext())


# -- segments ---------------------------------------------------------------------------------------------------------


@needs_graphviz
def test_each_segment_gets_a_panel_with_its_own_ids(cli: Callable[..., Any]) -> None:
    path = ROOT / "examples" / "rooftop-solar-segments.yaml"
    svg = svg_of(cli, str(path), "--segment", "each")
    views = ["all", "first-time", "upgraders", "landlords"]
    frames = [frame(svg, view) for view in views]
    assert len({f[2] for f in frames}) == 1  # same axes
    assert frames[0][1] == frames[1][1] and frames[2][1] == frames[3][1] > frames[0][1]  # two rows of two
    for view, (left, bottom, side) in zip(views, frames, strict=True):
        data = landscape_json(cli, path, "--segment", view)
        drawn = markers(svg, f"pt-{view}-")
        assert set(drawn) == {f"pt-{view}-{a['id']}" for a in data["activities"]}
        for activity in data["activities"]:
            x, y, _ = drawn[f"pt-{view}-{activity['id']}"]
            assert abs((x - left) / side * 10 - activity["importance"]) <= 0.05
            assert abs((bottom - y) / side * 10 - activity["satisfaction"]) <= 0.05



CLASHING = """\
cyclemap: 1
title: Clash
customer: Someone
outcome: Something done
segments:
  - {id: a, name: Segment A}
  - {id: a-b, name: Segment A-B}
survey:
  file: responses.csv
  segment_column: segment
  min_n: 1
phases:
  pre:
    activities:
      - {name: Choose, id: b-c, offerings: [Ours]}
      - {name: Check, id: c, offerings: [Ours]}
  during:
    activities:
      - {name: Use, id: use, offerings: [Ours]}
  post:
    activities:
      - {name: Review, id: review, offerings: [Ours]}
"""
"""Segment `a` with activity `b-c` and segment `a-b` with activity `c`: both `pt-a-b-c` as `pt-<segment>-<id>`."""


def test_segment_each_ids_that_would_clash_take_a_form_that_cannot(cli: Callable[..., Any], tmp_path: Path) -> None:
    """Only the two clashing markers leave the `pt-<segment>-<activity id>` form, for `pt-<segment>_<activity id>`
    (no id holds '_'); every other keeps it, and every id in the picture is unique."""
    path = tmp_path / "map.yaml"
    path.write_text(CLASHING, encoding="utf-8")
    rows = [f"r{n},{segment},{4 + n % 2},{2 + n % 3},{3},{3}" for n, segment in enumerate(["a", "a-b"] * 5)]
    (tmp_path / "responses.csv").write_text(
        "respondent,segment,b-c.importance,b-c.satisfaction,c.importance,c.satisfaction\n" + "\n".join(rows) + "\n",
        encoding="utf-8")
    done = cli("render", str(path), "--layout", "landscape", "--segment", "each", "-f", "dot", "-o", "-")
    assert done.code == EXIT_OK, done.err
    ids = re.findall(r'\bid="((?:was-)?pt[^"]*)"', done.out)
    assert sorted(ids) == sorted(["pt-all-b-c", "pt-all-c", "pt-a_b-c", "pt-a-c", "pt-a-b-b-c", "pt-a-b_c"])


def test_segment_each_and_mermaid_need_the_landscape(cli: Callable[..., Any]) -> None:
    path = str(ROOT / "examples" / "rooftop-solar-segments.yaml")
    assert cli("render", path, "--segment", "each", "-o", "-", "-f", "dot").code == EXIT_USAGE
    done = cli("render", path, "--layout", "landscape", "-f", "mermaid", "-o", "-")
    assert done.code == EXIT_USAGE and "svg, png, pdf or dot" in done.err
    unknown = cli("render", path, "--layout", "landscape", "--segment", "nobody", "-o", "-", "-f", "dot")
    assert unknown.code == EXIT_USAGE


def test_dot_is_deterministic(cli: Callable[..., Any]) -> None:
    path = str(ROOT / "examples" / "rooftop-solar-segments.yaml")
    first = cli("render", path, "--layout", "landscape", "--segment", "each", "-f", "dot", "-o", "-")
    second = cli("render", path, "--layout", "landscape", "--segment", "each", "-f", "dot", "-o", "-")
    assert first.code == EXIT_OK and first.out == second.out
    assert 'id="pt-all-pays-off"' in first.out


def test_activities_without_an_id_use_the_loaders_ids(cli: Callable[..., Any], write_map: Callable[..., Path]) -> None:
    """"Use" has no id: its marker is pt-<the id the loader derives>, the id gaps JSON gives it."""
    path = write_map(MAP_1_TO_5.replace("- {name: Use, offerings: [Ours]}",
                                        "- {name: Use it, importance: 5, satisfaction: 3, offerings: [Ours]}"))
    ids = [a["id"] for a in landscape_json(cli, path)["activities"]]
    assert "use-it" in ids
    assert 'id="pt-use-it"' in cli("render", str(path), "--layout", "landscape", "-f", "dot", "-o", "-").out


# -- since ----------------------------------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, timeout=30)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty git repository, the current folder, with no user or system configuration."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    for key, value in {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
                       "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
                       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    yield root


@needs_graphviz
def test_since_draws_arrows_for_moves_and_new_badges(cli: Callable[..., Any], repo: Path) -> None:
    """Commit 1, then move Choose by 2 and Sign by 0.2 (on 0-10) and add Pay: one arrow, from Choose's old place;
    Pay is NEW; Sign's small move gets no arrow."""
    path = repo / "map.yaml"
    path.write_text(MAP_1_TO_5, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    moved = MAP_1_TO_5.replace("importance: 4, satisfaction: 1", "importance: 4, satisfaction: 2")
    moved = moved.replace("importance: 1, satisfaction: 5", "importance: 1.1, satisfaction: 5")
    moved = moved.replace("      - {name: Use, offerings: [Ours]}",
                          "      - {name: Use, offerings: [Ours]}\n"
                          "      - {name: Pay, id: pay, importance: 3, satisfaction: 3, offerings: [Ours]}")
    path.write_text(moved, encoding="utf-8")
    git(repo, "commit", "-qam", "second")
    git(repo, "tag", "v1", "HEAD~1")
    svg = svg_of(cli, "map.yaml", "--since", "v1")
    left, bottom, side = frame(svg)
    starts = markers(svg, "was-")
    assert set(starts) == {"was-pt-choose"}
    x, y, _ = starts["was-pt-choose"]
    assert (round((x - left) / side * 10, 2), round((bottom - y) / side * 10, 2)) == (8.0, 2.0)
    edges = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"]
    arrows = [g for g in edges if g.find(f"{SVG}polygon") is not None]
    assert len(arrows) == 1
    text = "".join(svg.itertext())
    assert "NEW" in text and "Added since v1" in text and "Moved 0.5+ since v1" in text
    # HEAD: nothing moved, nothing new.
    assert text.count("NEW") == 2  # Pay's badge, and the key's
    svg = svg_of(cli, "map.yaml", "--since", "HEAD")
    assert not markers(svg, "was-") and "".join(svg.itertext()).count("NEW") == 1


@needs_graphviz
def test_names_with_colons_and_quotes_draw(cli: Callable[..., Any], tmp_path: Path) -> None:
    """Markers are named by their tooltips, which hold the map's text: a name with ':' (read as a port by the
    graphviz package's edge()) and quotes made Graphviz fail on the hostile-labels map's leader lines."""
    path = Path(__file__).parent / "cases" / "valid" / "hostile-labels" / "map.yaml"
    out = tmp_path / "hostile.svg"
    done = cli("render", str(path), "--layout", "landscape", "-o", str(out))
    assert done.code == EXIT_OK, done.err
    root = ET.parse(out).getroot()  # noqa: S314 - our own output, parsed to prove it is well-formed
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any("%%{init: {'theme': 'dark'}}%" in t for t in titles)
    assert any("::error file=x.yaml" in t for t in titles)


def test_on_a_crowded_plot_every_activity_is_numbered_on_it_or_placed_in_the_list(tmp_path: Path) -> None:
    """At 300 activities many numbers find no room on the plot (the search gives up once 25 in a row fail):
    the list beside the plot then says where each such activity is, so none is lost."""
    path = tmp_path / "crowded.yaml"
    path.write_text(generate(300, seed=7), encoding="utf-8")
    cmap = load_map(str(path))
    chart = chart_of(cmap)
    panel = chart.panels[0]
    placed = lay_out_panel(panel, 540.0, chart.regions, None, Deadline.after(60))
    on_plot = {label.point.id for label in placed.labels}
    assert placed.unmarked, "a 300-activity plot should be too crowded for every number"
    assert placed.unmarked == {p.id for p in placed.listed} - on_plot
    assert on_plot | {p.id for p in placed.listed} == {p.id for p in panel.points}
    assert placed.listing is not None
    listing = placed.listing[0]
    for point in panel.points:
        if point.id in placed.unmarked:
            assert place_text(point).replace("(", "").replace(")", "") in listing


def test_a_plot_with_nothing_scored_says_so() -> None:
    cmap = load_map(str(Path(__file__).parent / "cases" / "valid" / "minimal" / "map.yaml"))
    chart = chart_of(cmap)
    assert not chart.panels[0].points
    assert NOTHING_SCORED in landscape_dot(chart, Deadline.after(60))


@pytest.mark.parametrize("threshold", [10, 12, 13, 14, 18])
def test_every_region_drawn_is_labelled(threshold: float) -> None:
    """From threshold 12 the underserved band is too narrow for its label inside: it goes beside the frame, level
    with the band at I = 10, and the numbered list moves right of it."""
    chart = chart_of(load_map(str(ROOT / "examples" / "home-solar.yaml")), threshold=threshold)
    placed = lay_out_panel(chart.panels[0], 540.0, chart.regions, None, Deadline.after(30))
    assert {kind for kind, _, _ in placed.region_labels} == set(region_names(chart.regions))
    for kind, _, rect in placed.region_labels:
        if rect.left > 540 + PLOT_PAD:  # beside the frame: level with its band at I = 10
            s = rect.y / 54
            extreme = chart.regions.extreme_from > threshold and chart.regions.underserved(
                10, s, at=chart.regions.extreme_from)
            assert chart.regions.underserved(10, s) and (kind == "extreme") == extreme
            assert placed.width >= rect.right + PLOT_PAD
