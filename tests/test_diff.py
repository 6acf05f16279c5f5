"""`cyclemap diff` and `render --highlight-changes-since`: what changed between two versions of a map.

Pure diffs of maps built here, the three reporters, the command line on files
and on a throw-away git repository (revisions, includes at a revision, errors),
and the highlighted diagram.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from cyclemap import cli
from cyclemap.diff import COMPARED_FIELDS, MapDiff, change_marks, diff_maps, out_of_order
from cyclemap.exit_codes import EXIT_INVALID
from cyclemap.gitrev import GitFiles, RevisionPath, parse_map_arg
from cyclemap.loader import load_bytes
from cyclemap.model import PHASE_KEYS, Activity, CycleMap
from cyclemap.render import RenderOptions, render_dot, render_map
from cyclemap.render.scene import Highlight
from cyclemap.render.style import HIGHLIGHT
from cyclemap.report.diff import REPORTERS, DiffReport
from cyclemap.sources import IncludeRefused

Cli = Callable[..., Any]
"""conftest's `cli` fixture: runs the command line in-process, returns code, out and err."""
HAS_GIT = shutil.which("git") is not None
needs_git = pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
EVIDENCE = [{"source": "survey", "ref": "S-1"}]


# -- building maps ------------------------------------------------------------------------


def act(name: str, *subcycle: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A served activity (an offering, no scores), so it has no gap unless `fields` give it one."""
    activity: dict[str, Any] = {"name": name, "offerings": ["Ours"], **fields}
    if subcycle:
        activity["subcycle"] = list(subcycle)
    return activity


def map_data(phases: dict[str, list[dict[str, Any]]] | None = None, **top: Any) -> dict[str, Any]:
    """Map data; a phase not given holds one served activity named after it."""
    phases = phases or {}
    return {
        "cyclemap": 1,
        "title": "Repairs",
        "customer": "Owners",
        "outcome": "A working machine",
        **top,
        "phases": {key: {"activities": phases.get(key, [act(f"Filler {key}")])} for key in PHASE_KEYS},
    }


def yaml_text(phases: dict[str, list[dict[str, Any]]] | None = None, **top: Any) -> str:
    return yaml.safe_dump(map_data(phases, **top), sort_keys=False, allow_unicode=True)


def make(phases: dict[str, list[dict[str, Any]]] | None = None, **top: Any) -> CycleMap:
    return load_bytes(yaml_text(phases, **top).encode(), "map.yaml")


def pre(*activities: dict[str, Any], **top: Any) -> CycleMap:
    """A map whose pre phase holds `activities`."""
    return make({"pre": list(activities)}, **top)


def ids(entries: Any) -> list[str]:
    """The ids of diff entries (Entry, Moved, Changed, GapChange, ScoreChange)."""
    out = []
    for item in entries:
        if hasattr(item, "key"):
            out.append(item.key)
        elif hasattr(item, "entry"):
            out.append(item.entry.id)
        else:
            out.append(item.id)
    return out


def report_of(old: CycleMap, new: CycleMap, fmt: str) -> str:
    out = io.StringIO()
    REPORTERS[fmt](DiffReport("old.yaml", "new.yaml", old, new, diff_maps(old, new)), out)
    return out.getvalue()


# -- matching and moves -------------------------------------------------------------------


def test_identical_maps_have_no_differences() -> None:
    """The same map twice gives an empty diff, and `differs` is false."""
    old = pre(act("Find the model", importance=8, satisfaction=3, evidence=EVIDENCE))
    new = pre(act("Find the model", importance=8, satisfaction=3, evidence=EVIDENCE))
    diff = diff_maps(old, new)
    assert diff == MapDiff()
    assert not diff.differs


def test_added_and_removed_are_matched_by_id() -> None:
    """An id only in the new map is added, one only in the old map is removed; the rest are neither."""
    old = pre(act("Keep"), act("Drop me"))
    new = pre(act("Keep"), act("Brand new", id="new-one"))
    diff = diff_maps(old, new)
    assert ids(diff.added) == ["new-one"]
    assert ids(diff.removed) == ["drop-me"]
    assert diff.added[0].new is not None and diff.added[0].new.number == "2"
    assert diff.moved == diff.renamed == diff.changed == ()


def test_inserting_an_activity_moves_none_of_its_siblings() -> None:
    """An activity inserted first shifts every sibling's number, but none is reported as moved."""
    old = pre(act("A"), act("B"), act("C"))
    new = pre(act("New"), act("A"), act("B"), act("C"))
    diff = diff_maps(old, new)
    assert ids(diff.added) == ["new"]
    assert diff.moved == ()


def test_removing_an_activity_moves_none_of_its_siblings() -> None:
    """Removing the first activity renumbers the rest without reporting them as moved."""
    diff = diff_maps(pre(act("A"), act("B"), act("C")), pre(act("B"), act("C")))
    assert ids(diff.removed) == ["a"]
    assert diff.moved == ()


def test_moving_one_activity_reports_only_that_one() -> None:
    """A-B-C-D reordered to A-C-D-B: only B moved, with the reason 'order'."""
    old = pre(act("A"), act("B"), act("C"), act("D"))
    new = pre(act("A"), act("C"), act("D"), act("B"))
    diff = diff_maps(old, new)
    assert [(m.entry.id, m.reason) for m in diff.moved] == [("b", "order")]


def test_reversing_siblings_reports_the_fewest_moves() -> None:
    """Reversing A-B-C leaves one of them in place: two are reported moved, not three."""
    diff = diff_maps(pre(act("A"), act("B"), act("C")), pre(act("C"), act("B"), act("A")))
    assert len(diff.moved) == 2


def test_moving_to_another_phase_or_parent_gives_the_reason() -> None:
    """A move to another phase says 'phase'; into another subcycle says 'parent'."""
    old = make({"pre": [act("Parent", act("Child")), act("Traveller")], "post": [act("Stay")]})
    new = make({"pre": [act("Parent"), act("Child")], "post": [act("Stay"), act("Traveller")]})
    diff = diff_maps(old, new)
    assert [(m.entry.id, m.reason) for m in diff.moved] == [("child", "parent"), ("traveller", "phase")]
    child = diff.moved[0].entry
    assert child.old is not None and child.old.parent == "parent"
    assert child.new is not None and child.new.parent is None


def test_order_within_a_subcycle_is_compared_with_surviving_siblings_only() -> None:
    """Inside a subcycle, a sibling that arrived from elsewhere does not make the others moved."""
    old = make({"pre": [act("P", act("X"), act("Y")), act("Z")]})
    new = make({"pre": [act("P", act("Z"), act("X"), act("Y"))]})
    diff = diff_maps(old, new)
    assert [(m.entry.id, m.reason) for m in diff.moved] == [("z", "parent")]


@given(st.permutations(list(range(12))))
def test_out_of_order_keeps_a_longest_run_in_the_old_order(order: list[int]) -> None:
    """For any reordering, the activities not reported as moved keep their old order, and they are as
    many as possible (the longest increasing subsequence, computed here the slow way)."""
    keys = [f"k{n}" for n in order]
    old_rank = {f"k{n}": n for n in range(12)}
    moved = set(out_of_order(keys, old_rank))
    kept = [old_rank[key] for key in keys if key not in moved]
    assert kept == sorted(kept)
    best = [1] * len(order)
    for i in range(len(order)):
        for j in range(i):
            if order[j] < order[i]:
                best[i] = max(best[i], best[j] + 1)
    assert len(kept) == max(best)


# -- renames and fields ------------------------------------------------------------------------


def test_renamed_when_the_id_stays_and_the_name_changes() -> None:
    """With an explicit id, a new name is a rename (old and new names kept), not removed and added."""
    diff = diff_maps(pre(act("Pay the bill", id="pay")), pre(act("Pay the invoice", id="pay")))
    assert ids(diff.renamed) == ["pay"]
    entry = diff.renamed[0]
    assert entry.old is not None and entry.new is not None
    assert (entry.old.name, entry.new.name) == ("Pay the bill", "Pay the invoice")
    assert diff.added == diff.removed == diff.changed == ()


def test_renaming_an_activity_without_an_id_shows_as_removed_and_added() -> None:
    """A derived id changes with the name, so the activity is removed and added (and the text says why)."""
    old, new = pre(act("Pay the bill")), pre(act("Pay the invoice"))
    diff = diff_maps(old, new)
    assert (ids(diff.removed), ids(diff.added), diff.renamed) == (["pay-the-bill"], ["pay-the-invoice"], ())
    assert "explicit 'id:'" in report_of(old, new, "text")


def test_changed_fields_hold_old_and_new_values_in_json_friendly_form() -> None:
    """Scores, lists, evidence (dates as text), optional texts and x- keys are compared; name and subcycle are not."""
    old = pre(act("Pay", id="pay", importance=8, pains=["Slow"], notes=None,
                  evidence=[{"source": "survey", "ref": "S-1", "date": "2026-04-02"}], **{"x-team": "web"}))
    new = pre(act("Pay up", act("Sub step"), id="pay", importance=6, pains=["Slow", "Costly"], notes="Seen twice",
                  evidence=[{"source": "interview", "ref": "I-9"}], **{"x-team": "app"}))
    diff = diff_maps(old, new)
    assert ids(diff.changed) == ["pay"]
    fields = {f.field: (f.old, f.new) for f in diff.changed[0].fields}
    assert fields == {
        "evidence": ([{"source": "survey", "ref": "S-1", "date": "2026-04-02"}],
                     [{"source": "interview", "ref": "I-9"}]),
        "importance": (8, 6),
        "notes": (None, "Seen twice"),
        "pains": (["Slow"], ["Slow", "Costly"]),
        "x-team": ("web", "app"),
    }
    assert [f.field for f in diff.changed[0].fields] == sorted(fields)
    json.dumps(fields)  # JSON-friendly as they are


def test_every_activity_field_but_id_name_and_subcycle_is_compared() -> None:
    """A field added to the model is compared without a change to the diff."""
    assert set(COMPARED_FIELDS) == set(Activity.model_fields) - {"id", "name", "subcycle"}


def test_map_level_fields_are_compared() -> None:
    """Title, scale, gap settings and phase labels count as differences too."""
    old = make(title="Repairs", scale={"min": 1, "max": 10})
    data = map_data(title="Home repairs", scale={"min": 1, "max": 5})
    data["phases"]["pre"]["label"] = "Before"
    new = load_bytes(yaml.safe_dump(data).encode(), "new.yaml")
    fields = {f.field: (f.old, f.new) for f in diff_maps(old, new).map_changed}
    assert fields == {"title": ("Repairs", "Home repairs"), "scale.max": (10, 5), "phases.pre.label": (None, "Before")}


# -- gaps and scores ------------------------------------------------------------------------


def test_gap_opens_when_an_activity_becomes_underserved_and_closes_when_served() -> None:
    """Matched by activity id: a gap new in the new map is opened, one gone from it is closed."""
    old = pre(act("Fine", importance=5, satisfaction=5, evidence=EVIDENCE), {"name": "Alone"})
    new = pre(act("Fine", importance=9, satisfaction=2, evidence=EVIDENCE), act("Alone"))
    diff = diff_maps(old, new)
    assert ids(diff.gaps_opened) == ["fine"]
    assert ids(diff.gaps_closed) == ["alone"]
    assert diff.gaps_opened[0].new is not None and diff.gaps_opened[0].new.kinds == ("underserved",)


def test_gap_whose_kind_changes_is_changed_not_opened_or_closed() -> None:
    """Underserved turning into overserved stays one gap: listed as changed, with both readings."""
    old = pre(act("Sign", importance=9, satisfaction=2, evidence=EVIDENCE))
    new = pre(act("Sign", importance=2, satisfaction=9, evidence=EVIDENCE))
    diff = diff_maps(old, new)
    assert diff.gaps_opened == diff.gaps_closed == ()
    assert ids(diff.gaps_changed) == ["sign"]
    change = diff.gaps_changed[0]
    assert change.old is not None and change.new is not None
    assert (change.old.kinds, change.new.kinds) == (("underserved",), ("overserved",))


def test_band_change_is_a_changed_gap() -> None:
    """Underserved moving from moderate to extreme is reported as a changed gap."""
    diff = diff_maps(pre(act("Pay", importance=6, satisfaction=2, evidence=EVIDENCE)),
                     pre(act("Pay", importance=9, satisfaction=1, evidence=EVIDENCE)))
    change = diff.gaps_changed[0]
    assert change.old is not None and change.new is not None
    assert (change.old.band, change.new.band) == ("moderate", "extreme")


def test_gaps_of_added_and_removed_activities_open_and_close() -> None:
    """A new activity with a gap opens it; a removed activity's gap is closed (the text says why)."""
    old = pre(act("Keep"), {"name": "Going", "pains": ["Hurts"]})
    new = pre(act("Keep"), {"name": "Coming", "pains": ["Hurts"]})
    diff = diff_maps(old, new)
    assert (ids(diff.gaps_opened), ids(diff.gaps_closed)) == (["coming"], ["going"])
    text = report_of(old, new, "text")
    assert "(new activity)" in text
    assert "(activity removed)" in text


def test_empty_phase_gap_is_keyed_by_phase() -> None:
    """Filling an empty phase closes its gap, listed as 'phase:<key>'."""
    diff = diff_maps(make({"during": []}), make())
    assert ids(diff.gaps_closed) == ["phase:during"]


def test_score_changes_list_old_and_new_opportunity_scores() -> None:
    """Scores (0-20) are compared for activities in both maps; appearing scores have no old value."""
    old = pre(act("Pay", importance=8, satisfaction=6), act("Wait"))
    new = pre(act("Pay", importance=8, satisfaction=2), act("Wait", importance=5, satisfaction=5))
    changes = {c.entry.id: (c.old, c.new, c.delta) for c in diff_maps(old, new).score_changes}
    assert changes == {"pay": (10.0, 14.0, 4.0), "wait": (None, 5.0, None)}


def test_threshold_override_applies_to_both_maps() -> None:
    """With a threshold of 15, a score of 14 is no gap on either side."""
    old = pre(act("Pay", importance=8, satisfaction=8, evidence=EVIDENCE))
    new = pre(act("Pay", importance=8, satisfaction=2, evidence=EVIDENCE))
    assert ids(diff_maps(old, new).gaps_opened) == ["pay"]
    assert diff_maps(old, new, threshold=15).gaps_opened == ()


def test_change_marks_say_new_or_changed() -> None:
    """For the diagram: added ids are 'new'; renamed (a), edited (b) and moved (c) ids are 'changed'."""
    old = pre(act("A", id="a"), act("B"), act("C"), act("Same"))
    new = pre(act("A renamed", id="a"), act("C"), act("B", importance=3), act("Same"), act("D"))
    assert change_marks(diff_maps(old, new)) == {"a": "changed", "b": "changed", "c": "changed", "d": "new"}


# -- reporters ---------------------------------------------------------------------------------


@pytest.fixture
def busy_pair() -> tuple[CycleMap, CycleMap]:
    """Two versions with something in every category."""
    old = make({
        "pre": [act("Keep", id="keep", importance=5, satisfaction=5, evidence=EVIDENCE), act("Gone"),
                act("First"), act("Second"), act("Old name", id="renamed")],
        "post": [act("Filler post"), act("Move me")],
    })
    new = make({
        "pre": [act("Keep", id="keep", importance=9, satisfaction=2, evidence=EVIDENCE, pains=["Slow"]),
                act("Second"), act("First"), act("New name", id="renamed"), {"name": "Fresh | *bold* <b>"}],
        "during": [act("Filler during"), act("Move me")],
    }, title="Repairs [b]v2[/b]")
    return old, new


def test_json_follows_the_contract_with_sorted_id_lists(busy_pair: tuple[CycleMap, CycleMap]) -> None:
    """The contract's keys with sorted id lists, changed fields as [old, new], plus the documented extras."""
    document = json.loads(report_of(*busy_pair, "json"))
    assert list(document) == ["old", "new", "added", "removed", "moved", "renamed", "changed", "gaps_opened",
                              "gaps_closed", "gaps_changed", "score_changes", "map_changed"]
    assert document["added"] == ["fresh-bold-b"]
    assert document["removed"] == ["gone"]
    assert document["moved"] == ["move-me", "second"]  # keep, first, renamed stay in their old order
    assert document["renamed"] == ["renamed"]
    assert document["changed"] == [{"id": "keep", "fields": {"importance": [5, 9], "pains": [[], ["Slow"]],
                                                             "satisfaction": [5, 2]}}]
    assert document["gaps_opened"] == ["fresh-bold-b", "keep"]
    assert document["map_changed"] == {"title": ["Repairs", "Repairs [b]v2[/b]"]}
    for key in ("added", "removed", "moved", "renamed", "gaps_opened", "gaps_closed"):
        assert document[key] == sorted(document[key])


def test_output_is_the_same_every_time(busy_pair: tuple[CycleMap, CycleMap]) -> None:
    """Every format is byte-identical across runs (no timestamps, stable order)."""
    for fmt in REPORTERS:
        assert report_of(*busy_pair, fmt) == report_of(*busy_pair, fmt)


def test_markdown_escapes_user_text_and_shows_only_non_empty_sections(busy_pair: tuple[CycleMap, CycleMap]) -> None:
    """Names with | * < > stay literal in tables; empty sections (e.g. gaps closed) are left out."""
    text = report_of(*busy_pair, "markdown")
    assert text.startswith("## Map changes: Repairs \\[b\\]v2\\[/b\\]\n")
    assert "Fresh \\| \\*bold\\* \\<b>" in text
    assert "<b>" not in text.replace("\\<b>", "")
    assert "### Added (1)" in text
    assert "### Changed fields (" in text
    assert "### Gaps closed" not in text
    cells = None
    for line in text.splitlines():  # every row has as many cells as its table's header: no '|' leaks
        if not line.startswith("|"):
            cells = None
            continue
        count = len(re.findall(r"(?<!\\)\|", line))
        cells = cells or count
        assert count == cells, line


def test_markdown_summary_line_counts_each_category(busy_pair: tuple[CycleMap, CycleMap]) -> None:
    """The bold summary line under the heading counts added, removed, moved... in plain words."""
    summary = next(line for line in report_of(*busy_pair, "markdown").splitlines() if line.startswith("**"))
    assert "1 added" in summary
    assert "1 removed" in summary
    assert "1 renamed" in summary
    assert "2 gaps opened" in summary


def test_text_shows_both_sources_and_user_text_literally(busy_pair: tuple[CycleMap, CycleMap]) -> None:
    """The terminal report names both maps, and '[b]' in a title is text, not rich markup."""
    text = report_of(*busy_pair, "text")
    assert text.startswith("Old: old.yaml (Repairs)\nNew: new.yaml (Repairs [b]v2[/b])\n")
    assert "importance: 5 → 9" in text
    assert "pains: + Slow" in text


def test_no_differences_is_said_in_every_human_format() -> None:
    """Text and markdown say there is no difference; JSON has empty lists."""
    same = pre(act("Pay"))
    assert "No differences" in report_of(same, same, "text")
    assert "No differences" in report_of(same, same, "markdown")
    assert json.loads(report_of(same, same, "json"))["added"] == []


# -- the command line on files ------------------------------------------------------------------


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(yaml_text({"pre": [act("Pay", importance=8, satisfaction=6)]}), encoding="utf-8")
    new.write_text(yaml_text({"pre": [act("Pay", importance=8, satisfaction=2), act("Call")]}), encoding="utf-8")
    return old, new


def test_cli_diff_of_two_files(cli: Cli, two_files: tuple[Path, Path]) -> None:
    """Two files: the report on standard output, exit 0 without --exit-code."""
    result = cli("diff", str(two_files[0]), str(two_files[1]), "-f", "json")
    assert (result.code, result.err) == (0, "")
    assert json.loads(result.out)["added"] == ["call"]


def test_exit_code_option_fails_only_when_the_maps_differ(cli: Cli, two_files: tuple[Path, Path]) -> None:
    """--exit-code: 1 when they differ, 0 for a map compared with itself."""
    assert cli("diff", str(two_files[0]), str(two_files[1]), "--exit-code").code == 1
    assert cli("diff", str(two_files[0]), str(two_files[0]), "--exit-code").code == 0


def test_invalid_maps_on_both_sides_are_reported_with_locations(cli: Cli, tmp_path: Path) -> None:
    """Problems in either map go to stderr as file:line:col, nothing to stdout, exit EXIT_INVALID."""
    bad_old = tmp_path / "a.yaml"
    bad_new = tmp_path / "b.yaml"
    bad_old.write_text(yaml_text({"pre": [act("Pay", importance=11)]}), encoding="utf-8")
    bad_new.write_text(yaml_text().replace("title: Repairs", "title: Repairs\ncolour: red"), encoding="utf-8")
    result = cli("diff", str(bad_old), str(bad_new))
    assert result.code == EXIT_INVALID
    assert result.out == ""
    assert re.search(rf"{re.escape(str(bad_old))}:\d+:\d+: error: 'importance': 11 is outside", result.err)
    assert re.search(rf"{re.escape(str(bad_new))}:3:1: error: unknown key 'colour'", result.err)
    assert "Traceback" not in result.err


def test_missing_file_is_a_usage_error(cli: Cli, two_files: tuple[Path, Path], tmp_path: Path) -> None:
    """A map that does not exist: exit 2 and its name."""
    result = cli("diff", str(two_files[0]), str(tmp_path / "nope.yaml"))
    assert result.code == 2
    assert "nope.yaml: no such file" in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("one.yaml",), "give the old and the new map"),
        (("--rev", "HEAD", "one.yaml", "two.yaml"), "with --rev, give just the working map file"),
    ],
)
def test_wrong_number_of_maps_is_a_usage_error(cli: Cli, args: tuple[str, ...], message: str) -> None:
    """One map without --rev, or two with it: exit 2 with what to write instead."""
    result = cli("diff", *args)
    assert result.code == 2
    assert message in " ".join(result.err.split())


def test_format_choices_are_the_registry_keys() -> None:
    """Every --format choice has a reporter, and every reporter a choice."""
    assert [choice.value for choice in cli.DiffFormat] == list(REPORTERS)


def test_help_gives_examples(cli: Cli) -> None:
    """`diff --help` shows examples with files, REV:path and --rev."""
    text = cli("diff", "--help").out
    assert "Examples" in text
    assert "HEAD~1:maps/solar.yaml" in text
    assert "--rev main" in text


def test_argument_that_exists_as_a_file_is_a_file_even_with_a_colon(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """'v2:final.yaml' is a file when it exists, a revision and a path when it does not."""
    monkeypatch.chdir(tmp_path)
    assert parse_map_arg("v2:final.yaml") == RevisionPath("v2", "final.yaml")
    (tmp_path / "v2:final.yaml").write_text("x", encoding="utf-8")
    assert parse_map_arg("v2:final.yaml") == "v2:final.yaml"
    assert parse_map_arg("C:\\maps\\solar.yaml") == "C:\\maps\\solar.yaml"  # a Windows path, never a revision


# -- the command line in a git repository ------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, timeout=30)
    return done.stdout.decode()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A git repository (the current folder) whose first commit holds map.yaml; the file is then edited."""
    if not HAS_GIT:
        pytest.skip("git is not installed")
    for key, value in {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
                       "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
                       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "map.yaml").write_text(yaml_text({"pre": [act("Pay", importance=8, satisfaction=6)]}), encoding="utf-8")
    git(root, "add", "map.yaml")
    git(root, "commit", "-q", "-m", "first")
    (root / "map.yaml").write_text(yaml_text({"pre": [act("Pay", importance=8, satisfaction=2), act("Call")]}),
                                   encoding="utf-8")
    monkeypatch.chdir(root)
    yield root


@needs_git
def test_revision_against_working_file(cli: Cli, repo: Path) -> None:
    """HEAD:map.yaml against map.yaml: the committed version is the old side, named REV:path."""
    result = cli("diff", "HEAD:map.yaml", "map.yaml", "-f", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert (document["old"], document["new"], document["added"]) == ("HEAD:map.yaml", "map.yaml", ["call"])
    assert document["changed"] == [{"id": "pay", "fields": {"satisfaction": [6, 2]}}]


@needs_git
def test_rev_option_compares_the_working_file_with_a_revision(cli: Cli, repo: Path) -> None:
    """--rev HEAD map.yaml gives the same diff as HEAD:map.yaml map.yaml."""
    by_option = cli("diff", "--rev", "HEAD", "map.yaml", "-f", "json")
    by_argument = cli("diff", "HEAD:map.yaml", "map.yaml", "-f", "json")
    assert by_option.code == 0, by_option.err
    assert by_option.out == by_argument.out


@needs_git
def test_rev_option_from_a_subfolder_finds_the_file_in_the_repository(cli: Cli, repo: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths are relative to the current folder: from maps/, --rev HEAD ../map.yaml is the same map."""
    (repo / "maps").mkdir()
    monkeypatch.chdir(repo / "maps")
    result = cli("diff", "--rev", "HEAD", "../map.yaml", "-f", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["old"] == "HEAD:map.yaml"


@needs_git
def test_two_revisions(cli: Cli, repo: Path) -> None:
    """Both sides can be revisions: HEAD~1:map.yaml against HEAD:map.yaml."""
    git(repo, "commit", "-q", "-am", "second")
    result = cli("diff", "HEAD~1:map.yaml", "HEAD:map.yaml", "-f", "json", "--exit-code")
    assert result.code == 1, result.err
    assert json.loads(result.out)["added"] == ["call"]


@needs_git
def test_path_after_the_colon_starts_at_the_top_of_the_repository(cli: Cli, repo: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """As in git show: from a subfolder, REV:name looks at the top (with a hint), REV:./name here."""
    (repo / "maps").mkdir()
    (repo / "maps" / "sub.yaml").write_text(yaml_text(), encoding="utf-8")
    git(repo, "add", "maps/sub.yaml")
    git(repo, "commit", "-q", "-m", "sub")
    monkeypatch.chdir(repo / "maps")
    missing = cli("diff", "HEAD:sub.yaml", "sub.yaml")
    assert missing.code == 2
    assert "HEAD:sub.yaml: there is no such file at revision HEAD" in missing.err
    assert "write HEAD:./sub.yaml" in missing.err
    assert cli("diff", "HEAD:./sub.yaml", "sub.yaml", "--exit-code").code == 0


@needs_git
def test_unknown_revision_is_a_usage_error(cli: Cli, repo: Path) -> None:
    """A revision git does not know: exit 2, naming it and what to give instead."""
    result = cli("diff", "--rev", "no-such-branch", "map.yaml")
    assert result.code == 2
    assert "no revision 'no-such-branch'" in result.err
    result = cli("diff", "nope:map.yaml", "map.yaml")
    assert result.code == 2
    assert "nope:map.yaml: no such file, and no revision 'nope'" in " ".join(result.err.split())


@needs_git
def test_revision_starting_with_a_dash_is_refused(cli: Cli, repo: Path) -> None:
    """A 'revision' that looks like an option never reaches git as one."""
    result = cli("diff", "--rev=--output=x", "map.yaml")
    assert result.code == 2
    assert "is not a revision" in result.err
    assert not (repo / "x").exists()


@needs_git
def test_file_not_in_the_revision_is_a_usage_error(cli: Cli, repo: Path) -> None:
    """A path the revision does not hold: exit 2, saying so."""
    (repo / "later.yaml").write_text(yaml_text(), encoding="utf-8")
    result = cli("diff", "--rev", "HEAD", "later.yaml")
    assert result.code == 2
    assert "HEAD:later.yaml: there is no such file at revision HEAD" in result.err


def test_outside_a_repository_is_a_usage_error(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No git repository around the map: exit 2 with a next step."""
    if not HAS_GIT:
        pytest.skip("git is not installed")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "map.yaml").write_text(yaml_text(), encoding="utf-8")
    result = cli("diff", "--rev", "HEAD", "map.yaml")
    assert result.code == 2
    assert "is not inside a git repository" in result.err


def test_git_missing_is_an_environment_problem(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a git program on PATH: exit 3 and how to install it."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "map.yaml").write_text(yaml_text(), encoding="utf-8")
    result = cli("diff", "--rev", "HEAD", "map.yaml")
    assert result.code == 3
    assert "git is not installed" in result.err


@needs_git
def test_invalid_map_at_a_revision_is_located_in_that_revision(cli: Cli, repo: Path) -> None:
    """An old version that is invalid: its problems name REV:path:line:col, exit EXIT_INVALID."""
    (repo / "map.yaml").write_text(yaml_text().replace("title: Repairs", "title: Repairs\ncolour: red"),
                                   encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    (repo / "map.yaml").write_text(yaml_text(), encoding="utf-8")
    result = cli("diff", "--rev", "HEAD", "map.yaml")
    assert result.code == EXIT_INVALID
    assert "HEAD:map.yaml:3:1: error: unknown key 'colour'" in result.err


SPLIT_ROOT = """\
cyclemap: 1
title: Split
customer: Someone
outcome: Done
phases:
  pre:
    activities:
      - include: parts/pre.yaml
  during:
    activities:
      - name: Do it
        offerings: [Ours]
  post:
    activities:
      - name: Review
        offerings: [Ours]
"""


@needs_git
def test_includes_are_read_at_the_revision(cli: Cli, repo: Path) -> None:
    """A split map at a revision reads its included files as they were then, not as they are now."""
    (repo / "parts").mkdir()
    (repo / "split.yaml").write_text(SPLIT_ROOT, encoding="utf-8")
    (repo / "parts" / "pre.yaml").write_text("- name: Choose\n  offerings: [Ours]\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "split")
    (repo / "parts" / "pre.yaml").write_text("- name: Choose\n  offerings: [Ours]\n- name: Compare\n",
                                             encoding="utf-8")
    result = cli("diff", "--rev", "HEAD", "split.yaml", "-f", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["added"] == ["compare"]
    assert document["gaps_opened"] == ["compare"]


@needs_git
def test_symbolic_link_inside_the_folder_is_followed_at_a_revision(cli: Cli, repo: Path) -> None:
    """An include that is a symlink to a file beside it reads as on disk: no differences."""
    (repo / "parts").mkdir()
    (repo / "parts" / "real.yaml").write_text("- name: Choose\n  offerings: [Ours]\n", encoding="utf-8")
    (repo / "parts" / "pre.yaml").symlink_to("real.yaml")
    (repo / "split.yaml").write_text(SPLIT_ROOT, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "link")
    result = cli("diff", "--rev", "HEAD", "split.yaml", "--exit-code")
    assert result.code == 0, result.err


@needs_git
def test_symbolic_link_leading_outside_is_refused_where_it_is_included(cli: Cli, repo: Path) -> None:
    """An include linking out of the map folder at a revision: a located problem naming the link, EXIT_INVALID."""
    (repo / "maps" / "parts").mkdir(parents=True)
    (repo / "elsewhere.yaml").write_text("- name: Choose\n  offerings: [Ours]\n", encoding="utf-8")
    (repo / "maps" / "parts" / "pre.yaml").symlink_to("../../elsewhere.yaml")
    (repo / "maps" / "split.yaml").write_text(SPLIT_ROOT, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "link")
    result = cli("diff", "HEAD:maps/split.yaml", "maps/split.yaml")
    assert result.code == EXIT_INVALID
    assert re.search(r"HEAD:maps/split\.yaml:8:\d+: error: .*symbolic link at revision HEAD .*outside", result.err)


@needs_git
def test_git_files_check_the_size_before_reading(repo: Path) -> None:
    """A file larger than the limit is refused from its size in git, before its bytes are read."""
    files = GitFiles("HEAD", PurePosixPath("."), repo=str(repo))
    size = len(git(repo, "show", "HEAD:map.yaml").encode())
    assert len(files.read(PurePosixPath("map.yaml"), limit=size)) == size
    with pytest.raises(IncludeRefused, match="larger than"):
        files.read(PurePosixPath("map.yaml"), limit=size - 1)
    assert files.name(PurePosixPath("map.yaml")) == "HEAD:map.yaml"


# -- render --highlight-changes-since ----------------------------------------------------------------


def node_lines(dot: str) -> dict[str, str]:
    """Node id -> its whole DOT statement (cyclemap writes one node per line)."""
    return {m.group(1): m.group(0) for m in re.finditer(r"^\t(\w+) \[.*\]$", dot, re.M)}


def highlighted_names(dot: str) -> dict[str, str]:
    """Activity name -> 'NEW' / 'CHANGED' for every node drawn in the highlight colour."""
    out = {}
    for line in node_lines(dot).values():
        if f'color="{HIGHLIGHT}"' in line and "<B>" in line:
            badge = re.search(r"<B>(NEW|CHANGED)</B>", line)
            name = re.findall(r"<B>([^<]+)</B>", line)[-1]
            out[name] = badge.group(1) if badge else "?"
    return out


@pytest.mark.parametrize("layout", ["cycle", "flow"])
def test_highlight_draws_only_new_and_changed_activities(layout: str) -> None:
    """Added and changed top-level activities get the magenta outline and their badge; others do not."""
    old = pre(act("Same"), act("Edited"))
    new = pre(act("Same"), act("Edited", importance=4), act("Added"))
    options = RenderOptions(layout=layout, highlight=Highlight("main", change_marks(diff_maps(old, new))))
    dot = render_dot(new, options)
    assert highlighted_names(dot) == {"Edited": "CHANGED", "Added": "NEW"}
    assert "since main" in node_lines(dot)["legend"]


def test_without_highlight_there_is_no_highlight_colour_or_badge() -> None:
    """The option off: no magenta, no badge, no legend row (the goldens check the rest)."""
    dot = render_dot(pre(act("Same")), RenderOptions())
    assert HIGHLIGHT not in dot
    assert "CHANGED" not in dot


def test_highlight_counts_changes_collapsed_by_depth() -> None:
    """With --depth, a collapsed box says how many of its hidden steps are new or changed."""
    old = pre(act("Top", act("Kept")))
    new = pre(act("Top", act("Kept", importance=5), act("Extra")))
    options = RenderOptions(depth=0, highlight=Highlight("main", change_marks(diff_maps(old, new))))
    assert "+2 more in subcycle (1 new, 1 changed)" in render_dot(new, options)


def test_highlight_in_mermaid_marks_the_nodes() -> None:
    """Mermaid: the badge text in the label and a 'marked' class with the highlight stroke."""
    new = pre(act("Same"), act("Added"))
    options = RenderOptions(fmt="mermaid", highlight=Highlight("v1.0", change_marks(diff_maps(pre(act("Same")), new))))
    text = render_map(new, options).decode()
    assert "NEW since v1.0" in text
    assert f"classDef marked stroke:{HIGHLIGHT}" in text
    assert len(re.findall(r"class a\d+ marked", text)) == 1


@needs_git
def test_render_option_compares_with_the_revision(cli: Cli, repo: Path) -> None:
    """render --highlight-changes-since HEAD: the new and the edited activity are highlighted in the DOT."""
    result = cli("render", "map.yaml", "-f", "dot", "-o", "-", "--highlight-changes-since", "HEAD")
    assert result.code == 0, result.err
    assert highlighted_names(result.out) == {"Pay": "CHANGED", "Call": "NEW"}


@needs_git
def test_render_of_a_map_not_in_the_revision_shows_all_of_it_as_new(cli: Cli, repo: Path) -> None:
    """A map added since REV is new, every activity of it."""
    (repo / "later.yaml").write_text(yaml_text({"pre": [act("One")]}), encoding="utf-8")
    result = cli("render", "later.yaml", "-f", "dot", "-o", "-", "--highlight-changes-since", "HEAD")
    assert result.code == 0, result.err
    assert set(highlighted_names(result.out).values()) == {"NEW"}
    assert set(highlighted_names(result.out)) == {"One", "Filler during", "Filler post"}


def test_render_highlight_of_standard_input_is_a_usage_error(cli: Cli) -> None:
    """A map on standard input has no history to compare with: exit 2."""
    result = cli("render", "-", "-f", "dot", "-o", "-", "--highlight-changes-since", "HEAD", stdin=b"x")
    assert result.code == 2
    assert "standard input has no history" in " ".join(re.sub("[│╭╮╰╯─]", " ", result.err).split())
