"""`cyclemap gaps A.yaml B.yaml` and `cyclemap gaps FOLDER`: one ranking across maps, each entry naming its map."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_process

from cyclemap.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from cyclemap.mapfolder import expand_maps, folder_maps

ROOT = Path(__file__).resolve().parent.parent
SOLAR = "examples/home-solar.yaml"
CLOUD = "examples/cloud-migration.yaml"
SEGMENTS = "examples/rooftop-solar-segments.yaml"


@pytest.fixture(autouse=True)
def _from_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "200")


def _json(cli: Callable[..., Any], *args: str) -> dict:
    result = cli("gaps", *args, "-f", "json")
    assert result.code == EXIT_OK, result.err
    return json.loads(result.out)


def test_json_ranks_the_gaps_of_both_maps_together(cli: Callable[..., Any]) -> None:
    both = _json(cli, SOLAR, CLOUD)
    solar, cloud = _json(cli, SOLAR), _json(cli, CLOUD)
    assert [m["map"] for m in both["maps"]] == [SOLAR, CLOUD]
    assert [m["threshold"] for m in both["maps"]] == [solar["threshold"], cloud["threshold"]]
    gaps = both["gaps"]
    assert len(gaps) == len(solar["gaps"]) + len(cloud["gaps"])
    assert [g["rank"] for g in gaps] == list(range(1, len(gaps) + 1))
    assert list(gaps[0])[:3] == ["rank", "map", "id"]
    scores = [g["score"] for g in gaps if g["score"] is not None]
    assert scores == sorted(scores, reverse=True)
    assert all(g["score"] is None for g in gaps[len(scores):])  # unscored entries last
    # each map's entries keep their own order and content (but the rank)
    for name, alone in ((SOLAR, solar), (CLOUD, cloud)):
        mine = [{k: v for k, v in g.items() if k not in ("rank", "map")} for g in gaps if g["map"] == name]
        assert mine == [{k: v for k, v in g.items() if k != "rank"} for g in alone["gaps"]]
    assert {g["map"] for g in gaps[:5]} == {SOLAR, CLOUD}  # interleaved by score, not one map after the other


def test_filters_apply_across_the_maps(cli: Callable[..., Any]) -> None:
    top = _json(cli, SOLAR, CLOUD, "--top", "4", "--kind", "unserved")["gaps"]
    every = [g for g in _json(cli, SOLAR, CLOUD)["gaps"] if "unserved" in g["kinds"]]
    assert [(g["map"], g["id"]) for g in top] == [(g["map"], g["id"]) for g in every[:4]]


def test_segmented_map_gives_every_entry_its_view_and_sample(cli: Callable[..., Any]) -> None:
    both = _json(cli, SOLAR, SEGMENTS)
    assert all({"segment", "n", "interval", "thin"} <= set(g) for g in both["gaps"])
    assert both["maps"][1]["survey"]["respondents"] > 0 and both["maps"][0]["survey"] is None


def test_csv_has_a_map_column_after_the_rank(cli: Callable[..., Any]) -> None:
    result = cli("gaps", SOLAR, CLOUD, "-f", "csv")
    rows = list(csv.reader(io.StringIO(result.out)))
    alone = list(csv.reader(io.StringIO(cli("gaps", SOLAR, "-f", "csv").out)))
    assert rows[0] == ["rank", "map", *alone[0][1:]]
    assert {row[1] for row in rows[1:]} == {SOLAR, CLOUD}
    assert len(rows) - 1 == len(_json(cli, SOLAR, CLOUD)["gaps"])


def test_table_and_markdown_name_the_map_of_each_entry(cli: Callable[..., Any]) -> None:
    table = cli("gaps", SOLAR, CLOUD, "--top", "6").out
    assert "Opportunity gaps across 2 maps" in table and "Map" in table
    assert "6 of " in table and "across 2 maps" in table
    markdown = cli("gaps", SOLAR, CLOUD, "-f", "markdown", "--top", "3").out
    assert "| # | Map | Score | Band | Phase | Path | Kinds | Reason |" in markdown
    assert markdown.count(f"| {SOLAR.replace('_', chr(92) + '_')} |") + markdown.count(f"| {CLOUD} |") == 3


def test_github_annotations_point_into_each_map(cli: Callable[..., Any]) -> None:
    out = cli("gaps", SOLAR, CLOUD, "-f", "github").out
    assert f"file={SOLAR}," in out and f"file={CLOUD}," in out


def test_a_folder_stands_for_its_maps_not_for_the_parts_they_include(cli: Callable[..., Any]) -> None:
    assert folder_maps("examples/split") == ["examples/split/bike-share.yaml"]
    assert cli("gaps", "examples/split").out == cli("gaps", "examples/split/bike-share.yaml").out
    maps = [m["map"] for m in _json(cli, "examples")["maps"]]
    assert maps == ["examples/cloud-migration.yaml", "examples/employee-wellbeing.yaml", "examples/home-solar.yaml",
                    "examples/rooftop-solar-segments.yaml", "examples/split/bike-share.yaml"]


def test_single_map_output_is_unchanged(cli: Callable[..., Any]) -> None:
    for fmt in ("table", "markdown", "csv", "json"):
        out = cli("gaps", SOLAR, "-f", fmt).out
        assert "across" not in out and not out.startswith("rank,map")
    assert cli("gaps", SOLAR, SOLAR, "-f", "json").out == cli("gaps", SOLAR, "-f", "json").out  # once each


def test_an_invalid_map_stops_the_ranking(cli: Callable[..., Any]) -> None:
    result = cli("gaps", SOLAR, "tests/cases/invalid/several-problems/map.yaml", "-f", "json")
    assert result.code == EXIT_INVALID
    assert result.out == ""
    assert "tests/cases/invalid/several-problems/map.yaml:4:9" in result.err


def test_usage_errors(cli: Callable[..., Any], tmp_path: Path) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "part.yaml").write_text("- name: A part, not a map\n")
    result = cli("gaps", str(empty))
    assert result.code == EXIT_USAGE and "holds no maps" in result.err
    result = cli("gaps", SOLAR, CLOUD, "--by-segment")
    assert result.code == EXIT_USAGE and "one map" in result.err
    result = cli("gaps", SOLAR, SEGMENTS, "--segment", "upgraders")
    assert result.code == EXIT_USAGE and SOLAR in result.err


def test_folder_search_skips_hidden_folders_and_sorts(tmp_path: Path) -> None:
    for rel in ("b.yaml", "a/z.yml", ".git/x.yaml", "a/part.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / SOLAR, tmp_path / "b.yaml")
    shutil.copy(ROOT / SOLAR, tmp_path / "a" / "z.yml")
    shutil.copy(ROOT / SOLAR, tmp_path / ".git" / "x.yaml")
    (tmp_path / "a" / "part.yaml").write_text("activities:\n  - name: x  # cyclemap: not at a line start\n")
    assert [Path(p).relative_to(tmp_path).as_posix() for p in folder_maps(str(tmp_path))] == ["a/z.yml", "b.yaml"]


def _unreadable_entries(folder: Path) -> list[str]:
    """Put a map, a named pipe and a link to /dev/zero (both named like maps) in `folder`; their names."""
    shutil.copy(ROOT / SOLAR, folder / "map.yaml")
    os.mkfifo(folder / "pipe.yaml")
    (folder / "zero.yml").symlink_to("/dev/zero")
    return ["map.yaml", "pipe.yaml", "zero.yml"]


UNREADABLE = {
    "gone.yaml": "no such file (a symbolic link to nowhere.yaml, which does not exist)",
    "loop-a.yaml": "cannot open: Too many levels of symbolic links",
    "loop-b.yaml": "cannot open: Too many levels of symbolic links",
    "pipe.yaml": "not a regular file",
    "zero.yml": "not a regular file",
}
"""What `unreadable_folder` holds besides its map, and the problem each is for the loader."""


def unreadable_folder(folder: Path) -> Path:
    """`folder` with a map and every `UNREADABLE` entry: a link leading nowhere, two in a loop, a pipe, a device."""
    _unreadable_entries(folder)
    (folder / "gone.yaml").symlink_to("nowhere.yaml")
    (folder / "loop-a.yaml").symlink_to("loop-b.yaml")
    (folder / "loop-b.yaml").symlink_to("loop-a.yaml")
    return folder


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="needs pipes and /dev/zero")
def test_folder_search_reads_only_regular_files(tmp_path: Path) -> None:
    """A pipe or a device named like a map is never read (that would wait, or read without end): it is passed on
    as a map, for the loader to say why it cannot be read. Run in a process of its own, so a hang fails the test."""
    names = _unreadable_entries(tmp_path)
    code = "import sys; from cyclemap.mapfolder import folder_maps; print(*folder_maps(sys.argv[1]), sep='\\n')"
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60,
                          check=True)
    assert [Path(line).name for line in done.stdout.splitlines()] == names


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="needs pipes and /dev/zero")
def test_a_file_in_a_folder_that_cannot_be_read_is_an_invalid_map(tmp_path: Path) -> None:
    """Each is reported as invalid maps are (file:line:col, exit 4, no ranking), not as the end of the run."""
    folder = unreadable_folder(tmp_path)
    for output_format in ("json", "table"):
        result = run_process("gaps", str(folder), "-f", output_format, timeout=60)
        assert (result.code, result.out) == (EXIT_INVALID, ""), result.err
        for name, problem in UNREADABLE.items():
            assert f"{folder / name}:1:1: error: {problem}" in result.err
        assert "Found 5 problems in 5 files." in result.err
    result = run_process("gaps", str(folder), "-f", "github", timeout=60)
    assert result.code == EXIT_INVALID
    assert f"::error file={folder / 'gone.yaml'},line=1,col=1,title=cyclemap::no such file" in result.out


def test_a_name_that_is_nothing_is_a_usage_error_before_any_map_is_read(cli: Callable[..., Any]) -> None:
    result = cli("gaps", SOLAR, "typo.yaml", "-f", "json")
    assert (result.code, result.out) == (EXIT_USAGE, "")
    assert result.err.strip() == "cyclemap: error: typo.yaml: no such file or folder"


def test_a_map_given_twice_counts_once(cli: Callable[..., Any], tmp_path: Path) -> None:
    """Another spelling, a link or a hard link to a map already given is the same map: its first name stays."""
    single = _json(cli, SOLAR)
    assert _json(cli, SOLAR, f"./{SOLAR}", SOLAR.replace("/", "//")) == single
    in_folder = _json(cli, "examples")
    assert _json(cli, "examples", f"./{SOLAR}", str(ROOT / SOLAR)) == in_folder
    folder = tmp_path / "maps"
    folder.mkdir()
    shutil.copy(ROOT / SOLAR, folder / "b.yaml")
    (folder / "a-link.yaml").symlink_to("b.yaml")
    os.link(folder / "b.yaml", folder / "c-hard.yaml")
    shutil.copy(ROOT / CLOUD, folder / "d.yaml")
    assert expand_maps([str(folder / "b.yaml"), str(folder)]) == [str(folder / name) for name in ("b.yaml", "d.yaml")]
    assert [entry["map"] for entry in _json(cli, str(folder))["maps"]] == [str(folder / "a-link.yaml"),
                                                                          str(folder / "d.yaml")]
