"""Big maps: loading does not stall in the garbage collector, and outputs are written as they are made."""

from __future__ import annotations

import gc
import io
import json
import sys
from pathlib import Path

import pytest

from cyclemap.gaps import effective_threshold, find_gaps
from cyclemap.loader import load_map
from cyclemap.problems import MapError
from cyclemap.report.gaps import GapReport, report_json

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402 - bench/ is not a package: its generator is found by path


@pytest.fixture(scope="module")
def big_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "map.yaml"
    path.write_text(generate(3000, shape="lean"), encoding="utf-8")
    return path


def test_loading_a_big_map_runs_no_garbage_collection(big_map: Path, collections: list[int]) -> None:
    """Building 3,000 activities triggers no collector pass (each would rescan every node built so far).

    At most one runs once the map is built and the collector is back (it was about a hundred).
    """
    load_map(str(big_map))
    assert len(collections) <= 1
    assert gc.isenabled()


def test_loading_leaves_a_paused_collector_paused(big_map: Path) -> None:
    """A program that turned the collector off finds it still off after loading a map."""
    gc.disable()
    try:
        load_map(str(big_map))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_loading_restores_the_collector_after_an_invalid_map(tmp_path: Path) -> None:
    """An invalid map raises its problems and the collector runs again afterwards."""
    path = tmp_path / "bad.yaml"
    path.write_text("cyclemap: 1\ntitle: T\n", encoding="utf-8")
    with pytest.raises(MapError):
        load_map(str(path))
    assert gc.isenabled()


class Writes(io.StringIO):
    """A stream that remembers the size of each write."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, text: str) -> int:
        self.sizes.append(len(text))
        return super().write(text)


def test_gaps_json_is_written_entry_by_entry_as_one_document(big_map: Path) -> None:
    """The JSON is the text of one json.dumps of the document, written an entry at a time."""
    cmap = load_map(str(big_map))
    found = find_gaps(cmap)
    out = Writes()
    report_json(GapReport(str(big_map), cmap, effective_threshold(cmap), found, len(found)), out)
    document = json.loads(out.getvalue())
    assert out.getvalue() == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert [entry["rank"] for entry in document["gaps"]] == list(range(1, len(found) + 1))
    assert len(found) > 1000
    assert max(out.sizes) < len(out.getvalue()) // 100


def test_gaps_json_of_no_gaps_is_an_empty_list(big_map: Path) -> None:
    """With every gap filtered out the document still parses, with "gaps": []."""
    cmap = load_map(str(big_map))
    out = io.StringIO()
    report_json(GapReport("m.yaml", cmap, 10, [], 5), out)
    assert json.loads(out.getvalue()) == {"map": "m.yaml", "threshold": 10, "gaps": []}


SHARED = """\
cyclemap: 1
title: T
customer: C
outcome: O
phases:
  pre:
    activities:
      - name: Compare offers
        id: compare
        importance: 8
        satisfaction: 3
        evidence: [{source: survey, ref: S-1}]
        subcycle:
          - name: Read reviews
            importance: 8
            satisfaction: 3
  during: {activities: [{name: Install, offerings: [Crew]}]}
  post: {activities: [{name: Keep, offerings: [Care]}]}
"""


def test_loaded_map_keeps_only_the_positions_it_reports(tmp_path: Path) -> None:
    """Below the phases an activity's YAML node keeps where it is reported (its id, else its start).

    Its values (the models hold them) and other positions are let go; the map and
    phase levels keep everything, and locations still point at the right lines.
    """
    from cyclemap.loader import activity_location  # noqa: PLC0415 - used by this test only
    from cyclemap.yaml_reader import YMap  # noqa: PLC0415

    path = tmp_path / "map.yaml"
    path.write_text(SHARED, encoding="utf-8")
    cmap = load_map(str(path))
    visits = {visit.activity.id: visit for visit in cmap.walk()}
    compare, reviews = visits["compare"].activity._source, visits["read-reviews"].activity._source
    assert isinstance(compare, YMap)
    assert isinstance(reviews, YMap)
    assert compare.key_pos == {} and list(compare.value_pos) == ["id"]
    assert len(compare) == 0 and reviews.value_pos == {}
    assert visits["compare"].activity.evidence[0].ref == "S-1"
    assert visits["read-reviews"].activity.importance == 8
    assert [activity_location(visits[key])[1:3] for key in ("compare", "read-reviews", "install")] == [
        (9, 13), (14, 13), (17, 25)
    ]
    phases = cmap.phases._source
    assert isinstance(phases, YMap)
    assert phases.key_pos == {"pre": (6, 3), "during": (17, 3), "post": (18, 3)}


def test_repeated_keys_and_scores_are_held_once() -> None:
    """Keys and short values that repeat through a map are one string each, however many activities hold them."""
    from cyclemap.yaml_reader import Source, parse_yaml  # noqa: PLC0415 - used by this test only

    tree, _ = parse_yaml(SHARED, Source("map.yaml"))
    compare = tree["phases"]["pre"]["activities"][0]
    reviews = compare["subcycle"][0]
    install = tree["phases"]["during"]["activities"][0]
    assert [next(k for k in node if k == "name") for node in (reviews, install)] == ["name", "name"]
    assert next(k for k in reviews if k == "name") is next(k for k in install if k == "name")
    assert reviews["importance"] is compare["importance"]


def test_valid_activities_let_go_of_positions_while_problems_keep_theirs() -> None:
    """During validation a valid activity drops the positions no problem will use; an invalid one is still located."""
    from cyclemap.loader import build_map  # noqa: PLC0415 - used by this test only
    from cyclemap.yaml_reader import Source, parse_yaml  # noqa: PLC0415

    text = SHARED.replace("        importance: 8\n        satisfaction: 3\n        evidence", "        importance: 8\n"
                          "        satisfaction: 3\n        colour: red\n        evidence")
    tree, _ = parse_yaml(text, Source("map.yaml"))
    with pytest.raises(MapError) as raised:
        build_map(tree, "map.yaml")
    assert [(p.line, p.col) for p in raised.value.problems] == [(12, 9)]
    compare = tree["phases"]["pre"]["activities"][0]
    reviews = compare["subcycle"][0]
    assert reviews.key_pos == {} and reviews.value_pos == {}
    assert compare.key_pos["colour"] == (12, 9)


def test_absent_lists_and_extensions_cost_an_activity_nothing(big_map: Path) -> None:
    """Lists an activity leaves out are one shared empty tuple, and objects without x- keys share one mapping."""
    activities = [visit.activity for visit in load_map(str(big_map)).walk()]
    bare = [a for a in activities if not a.pains]
    assert len(bare) > 100
    for name in ("pains", "offerings", "competitors", "tags", "evidence"):
        assert len({id(getattr(a, name)) for a in bare if not getattr(a, name)}) == 1, name
    assert len({id(a.extensions) for a in activities if not a.extensions}) == 1


def test_diff_describes_only_the_activities_it_reports(big_map: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Names and numbers (places) are built for changed activities only, not for every activity of both maps."""
    from cyclemap import diff  # noqa: PLC0415 - used by this test only

    text = big_map.read_text(encoding="utf-8")
    changed = big_map.with_name("changed.yaml")
    changed.write_text(text.replace("importance: 3\n", "importance: 4\n", 5), encoding="utf-8")
    built: list[str] = []
    place = diff._place
    monkeypatch.setattr(diff, "_place", lambda visit: built.append(visit.activity.id) or place(visit))
    result = diff.diff_maps(load_map(str(big_map)), load_map(str(changed)))
    assert 0 < len(result.changed) <= 5
    assert sorted(built) == sorted(2 * [c.entry.id for c in result.changed])
