"""Every gaps output names a gap the same way: rank, id (phase:<key> for an empty phase), phase key and label."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from cyclemap.cli import main

MAP = """\
cyclemap: 1
title: T
customer: C
outcome: O
phases:
  pre:
    label: Deciding
    activities:
      - name: Compare offers
        importance: 9
        satisfaction: 2
        offerings: [Guide]
      - name: Ask a friend
  during:
    label: Living with it
    activities: []
  post:
    activities:
      - {name: Keep, importance: 2, satisfaction: 9, offerings: [Care]}
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit):
        main(list(args))
    return capsys.readouterr().out


@pytest.fixture
def map_file(tmp_path: Path) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(MAP, encoding="utf-8")
    return path


def json_gaps(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(run(capsys, "gaps", str(path), "-f", "json", *args))["gaps"]
    return entries


def test_json_gives_rank_phase_key_and_phase_label(map_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each JSON entry carries its rank, the phase key for programs and the phase's label for people."""
    entries = json_gaps(capsys, map_file)
    assert [(e["rank"], e["id"], e["phase"], e["phase_label"]) for e in entries] == [
        (1, "compare-offers", "pre", "Deciding"),
        (2, "keep", "post", "Post"),
        (3, "ask-a-friend", "pre", "Deciding"),
        (4, "phase:during", "during", "Living with it"),
    ]


def test_ranks_count_the_entries_shown(map_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After filters the ranks are those the table prints: 1, 2, ... in the order shown."""
    entries = json_gaps(capsys, map_file, "--kind", "unserved", "--kind", "empty-phase")
    assert [(e["rank"], e["id"]) for e in entries] == [(1, "ask-a-friend"), (2, "phase:during")]


def test_csv_has_the_json_fields_with_the_same_values(map_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CSV columns are the JSON keys in the same order; phase is the key there too, phase_label the label."""
    entries = json_gaps(capsys, map_file)
    rows = list(csv.DictReader(io.StringIO(run(capsys, "gaps", str(map_file), "-f", "csv"))))
    assert list(rows[0]) == list(entries[0])
    for entry, row in zip(entries, rows, strict=True):
        assert (row["rank"], row["id"], row["phase"], row["phase_label"]) == (
            str(entry["rank"]),
            entry["id"],
            entry["phase"],
            entry["phase_label"],
        )


def test_empty_phase_gap_has_the_id_diff_gives_it(
    map_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The empty phase's gap is `phase:during` in gaps JSON, CSV and in diff's gaps_opened alike."""
    before = tmp_path / "before.yaml"
    before.write_text(MAP.replace("    activities: []", "    activities: [{name: Install, offerings: [Crew]}]"))
    opened = json.loads(run(capsys, "diff", str(before), str(map_file), "-f", "json"))["gaps_opened"]
    empty = [e for e in json_gaps(capsys, map_file) if e["kinds"] == ["empty-phase"]]
    rows = list(csv.DictReader(io.StringIO(run(capsys, "gaps", str(map_file), "-f", "csv"))))
    assert [e["id"] for e in empty] == ["phase:during"]
    assert "phase:during" in opened
    assert [r["id"] for r in rows if r["kinds"] == "empty-phase"] == ["phase:during"]


@pytest.mark.parametrize(
    "written",
    [
        "  during:\n    label: Living with it\n    activities: []\n",
        "  during: {activities: []}\n",
        '  "during":   {activities: []}\n',
    ],
    ids=["block", "flow", "quoted"],
)
def test_github_annotation_of_empty_phase_points_at_the_phase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str
) -> None:
    """`gaps -f github` puts an empty phase's annotation on the phase's own line, not at 1:1."""
    path = tmp_path / "map.yaml"
    text = MAP.replace("  during:\n    label: Living with it\n    activities: []\n", written)
    path.write_text(text, encoding="utf-8")
    line = 1 + next(n for n, row in enumerate(text.splitlines()) if row.startswith(("  during", '  "during')))
    out = run(capsys, "gaps", str(path), "-f", "github", "--kind", "empty-phase")
    assert line == 14
    assert out.startswith(f"::warning file={path},line={line},col=3,title=Opportunity gap (empty-phase)::")
