"""`cyclemap import FILE --into MAP`: workshop scores written into the map's files, comments and layout kept."""

from __future__ import annotations

import difflib
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import REPO
from tests.support_rows_csv import rows_from_csv

from cyclemap.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from cyclemap.loader import load_map
from cyclemap.problems import MapError
from cyclemap.roundtrip.into import RowErrors, run_into, update_map
from cyclemap.roundtrip.rows import ActivityRow, RowPlace

MAP = """\
# A map with a comment on every kind of line.
cyclemap: 1   # the format version
title: Comments everywhere
customer: People who compare plans
outcome: The right plan, paid
segments:
  - id: pros   # professionals
    name: Professionals
phases:
  # before the first phase
  pre:
    label: Deciding
    activities:
      # before the first activity
      - name: Choose a plan   # end of the name's line
        id: choose
        # between two keys
        importance: 6   # end of importance's line
        pains:
          - Too many plans  # end of a pain's line
          # between two list items
          - Prices hidden
        # after the pains
        subcycle:
          - include: parts/steps.yaml  # the steps live in their own file

      - name: Pay
        satisfaction: 4
  during:
    activities: []   # none yet
  post:
    activities:
      - {name: Renew, importance: 5}
# the end
"""

STEPS = """\
# The steps of choosing a plan.
- name: Compare prices  # end of a line in an included file
  # before importance, in the included file
  importance: 7
  satisfaction: 3
- name: Read reviews
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "parts").mkdir()
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "parts" / "steps.yaml").write_text(STEPS, encoding="utf-8")
    return tmp_path


def _run(folder: Path, csv: str, *, dry_run: bool = False) -> tuple[int, str, str]:
    rows, header = rows_from_csv(csv)
    out, err = io.StringIO(), io.StringIO()
    code = run_into(rows, str(folder / "map.yaml"), dry_run, source="scores.csv", header=header, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed, added) lines between two texts, compared line by line."""
    removed, added = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before.splitlines(), after.splitlines()).get_opcodes():
        if tag != "equal":
            removed += before.splitlines()[i1:i2]
            added += after.splitlines()[j1:j2]
    return removed, added


def _comments(text: str) -> list[str]:
    return [line[line.index("#"):] for line in text.splitlines() if "#" in line]


# -- updating existing activities -------------------------------------------------------------


def test_scores_and_new_pains_change_only_their_lines_and_keep_every_comment(folder: Path) -> None:
    code, _, err = _run(folder, "id,importance,satisfaction,pains\n"
                                  "choose,8,5,Too many plans | Renewal terms unclear\n"
                                  "compare-prices,9,,\n")
    assert code == EXIT_OK, err
    after, steps = (folder / "map.yaml").read_text(), (folder / "parts" / "steps.yaml").read_text()
    assert _changed_lines(MAP, after) == (
        ["        importance: 6   # end of importance's line"],
        ["        importance: 8   # end of importance's line", "        satisfaction: 5",
         "          - Renewal terms unclear"],
    )
    assert after.index("satisfaction: 5") < after.index("pains:")  # in the canonical place: after importance
    assert after.index("Renewal terms unclear") < after.index("# after the pains")
    assert _changed_lines(STEPS, steps) == (["  importance: 7"], ["  importance: 9"])
    assert _comments(after) == _comments(MAP)
    assert _comments(steps) == _comments(STEPS)
    cmap = load_map(str(folder / "map.yaml"))
    choose = next(v.activity for v in cmap.walk() if v.activity.id == "choose")
    assert (choose.importance, choose.satisfaction) == (8, 5)
    assert choose.pains == ("Too many plans", "Prices hidden", "Renewal terms unclear")


def test_the_change_is_told_in_the_words_of_diff(folder: Path) -> None:
    code, out, _ = _run(folder, "id,importance,pains\nchoose,8,Renewal terms unclear\n")
    assert code == EXIT_OK
    assert "1 changed" in out
    assert "Changed" in out
    assert "importance: 6 → 8" in out
    assert "pains: + Renewal terms unclear" in out
    assert "~ choose  Deciding 1: Choose a plan" in out


def test_a_dry_run_prints_the_change_and_writes_nothing(folder: Path) -> None:
    code, out, err = _run(folder, "id,importance\ncompare-prices,2\n", dry_run=True)
    assert code == EXIT_OK
    assert "importance: 7 → 2" in out
    assert "nothing was written" in err
    assert (folder / "map.yaml").read_text() == MAP
    assert (folder / "parts" / "steps.yaml").read_text() == STEPS


def test_rows_match_by_number_within_a_phase_or_with_its_mark(folder: Path) -> None:
    code, _, err = _run(folder, "number,phase,importance\n1.1,Deciding,4\nD2,,3\n3,post,2\n")
    # pre 1.1 is Compare prices (in the included file), De2 (Deciding 2) is Pay; post has no 3
    assert code == EXIT_INVALID
    assert "scores.csv:4:1: error: no activity is numbered 3 in Renewing" not in err
    assert "scores.csv:4:1: error: no activity is numbered 3 in Post" in err
    code, _, err = _run(folder, "number,phase,importance\n1.1,Deciding,4\nDe2,,3\n1,post,2\n")
    assert code == EXIT_OK, err
    cmap = load_map(str(folder / "map.yaml"))
    scores = {v.activity.id: v.activity.importance for v in cmap.walk()}
    assert scores["compare-prices"] == 4
    assert scores["pay"] == 3
    assert scores["renew"] == 2


def test_an_inline_activity_gets_its_new_key_inline(folder: Path) -> None:
    code, _, err = _run(folder, "id,satisfaction,offerings\nrenew,4,Reminder e-mail\n")
    assert code == EXIT_OK, err
    after = (folder / "map.yaml").read_text()
    assert "      - {name: Renew, importance: 5, satisfaction: 4, offerings: [Reminder e-mail]}\n" in after


def test_empty_cells_and_absent_columns_change_nothing(folder: Path) -> None:
    code, out, _ = _run(folder, "id,importance,satisfaction,pains\nchoose,,,\ncompare-prices,7,3,\n")
    assert code == EXIT_OK
    assert "No differences" in out
    assert (folder / "map.yaml").read_text() == MAP


def test_evidence_is_added_with_its_source_and_an_existing_reference_kept(folder: Path) -> None:
    code, _, err = _run(folder, "id,evidence\nchoose,interview: INT-07 | WS-2026-03\npay,WS-2026-03\n")
    assert code == EXIT_OK, err
    cmap = load_map(str(folder / "map.yaml"))
    evidence = {v.activity.id: [(e.source, e.ref) for e in v.activity.evidence] for v in cmap.walk()}
    assert evidence["choose"] == [("interview", "INT-07"), ("other", "WS-2026-03")]
    assert evidence["pay"] == [("other", "WS-2026-03")]
    code, out, _ = _run(folder, "id,evidence\nchoose,other: WS-2026-03\n")
    assert code == EXIT_OK
    assert "No differences" in out


def test_segment_scores_update_the_activity_s_segments(folder: Path) -> None:
    code, _, err = _run(folder, "id,pros importance,pros satisfaction\nchoose,9,2\n")
    assert code == EXIT_OK, err
    after = (folder / "map.yaml").read_text()
    assert "        segments:\n          pros: {importance: 9, satisfaction: 2}\n        pains:" in after
    code, _, err = _run(folder, "id,pros satisfaction\nchoose,3\n")
    assert code == EXIT_OK, err
    assert "pros: {importance: 9, satisfaction: 3}" in (folder / "map.yaml").read_text()


# -- new activities ---------------------------------------------------------------------------


def test_new_activities_go_under_their_parent_or_at_the_end_of_their_phase(folder: Path) -> None:
    code, out, err = _run(folder, "parent,phase,name,importance,pains\n"
                                  "choose,,Ask a friend,6,Nobody to ask\n"
                                  "compare-prices,,Use a comparison site,,\n"
                                  ",during,Pay the first bill,7,\n"
                                  ",post,Cancel,,\n"
                                  "ask-a-friend,,Find the friend,,\n")
    assert code == EXIT_OK, err
    after, steps = (folder / "map.yaml").read_text(), (folder / "parts" / "steps.yaml").read_text()
    assert ("          - include: parts/steps.yaml  # the steps live in their own file\n"
            "          - name: Ask a friend\n"
            "            importance: 6\n"
            "            pains: [Nobody to ask]\n"
            "            subcycle:\n"
            "              - name: Find the friend\n") in after
    assert "    activities:   # none yet\n      - name: Pay the first bill\n        importance: 7\n" in after
    assert "      - {name: Renew, importance: 5}\n      - name: Cancel\n# the end\n" in after
    assert ("  satisfaction: 3\n  subcycle:\n    - name: Use a comparison site\n- name: Read reviews\n") in steps
    assert _comments(after) == _comments(MAP)
    assert _comments(steps) == _comments(STEPS)
    cmap = load_map(str(folder / "map.yaml"))
    numbers = {v.activity.id: (v.phase, ".".join(map(str, v.position))) for v in cmap.walk()}
    assert numbers["use-a-comparison-site"] == ("pre", "1.1.1")
    assert numbers["ask-a-friend"] == ("pre", "1.3")
    assert numbers["find-the-friend"] == ("pre", "1.3.1")
    assert numbers["pay-the-first-bill"] == ("during", "1")
    assert numbers["cancel"] == ("post", "2")
    assert out.count("\n  + ") >= 5
    assert "5 added" in out


# -- errors -----------------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_its_cell_and_nothing_is_written(folder: Path) -> None:
    code, out, err = _run(folder, "id,number,phase,parent,name,importance,satisfaction\n"
                                  "chose,,,,,5,\n"                      # 2: unknown id (did you mean)
                                  ",9.9,,,,5,\n"                        # 3: a number that matches nothing
                                  ",1,,,,5,\n"                          # 4: 1 is in two phases
                                  "pay,,,,,11,0\n"                      # 5: outside the scale, twice
                                  ",,,nowhere,New one,,\n"              # 6: unknown parent
                                  ",,,choose,Pay,,\n"                   # 7: would take the id 'pay'
                                  ",,later,,Something,,\n"              # 8: unknown phase
                                  "choose,,,,,7,\n"                     # 9: fine ...
                                  "choose,,,,,8,\n"                     # 10: ... but twice
                                  ",,,,No place,,\n")                   # 11: no parent nor phase
    assert code == EXIT_INVALID
    assert out == ""
    lines = err.splitlines()
    assert lines[:-1] == [
        "scores.csv:2:1: error: no activity has the id 'chose'; did you mean 'choose'?",
        "scores.csv:3:2: error: no activity is numbered 9.9",
        "scores.csv:4:2: error: activity number 1 is in several phases (Deciding, Post): add a phase column, "
        "or use the id",
        "scores.csv:5:6: error: importance 11 is outside the map's scale of 1 to 10",
        "scores.csv:5:7: error: satisfaction 0 is outside the map's scale of 1 to 10",
        "scores.csv:6:4: error: no activity has the id 'nowhere' to add 'New one' under",
        "scores.csv:7:5: error: the new activity 'Pay' would get the id 'pay', which 'Pay' (2) already has; "
        "give it another name",
        "scores.csv:8:3: error: unknown phase 'later'; the map's phases are pre (Deciding), during (During), "
        "post (Post)",
        "scores.csv:10:1: error: 'choose' is updated by row 9 too; keep one row per activity",
        "scores.csv:11:4: error: the new activity 'No place' needs a parent (id or number) or a phase",
    ]
    assert lines[-1] == "cyclemap: error: 10 problems in scores.csv; nothing was written"
    assert (folder / "map.yaml").read_text() == MAP
    assert (folder / "parts" / "steps.yaml").read_text() == STEPS


def test_places_name_the_sheet_and_cell_of_a_spreadsheet(folder: Path) -> None:
    row = ActivityRow(RowPlace("scores.xlsx", 7, "Activities"), frozenset({"id", "importance"}), id="pay",
                      importance=12)
    with pytest.raises(RowErrors) as caught:
        update_map(str(folder / "map.yaml"), [row], header=["id", "name", "importance"])
    assert [str(e) for e in caught.value.errors] == [
        "scores.xlsx:Activities!C7: error: importance 12 is outside the map's scale of 1 to 10"
    ]


def test_an_unknown_segment_is_reported_at_its_column(folder: Path) -> None:
    code, _, err = _run(folder, "id,amateurs importance\nchoose,5\n")
    assert code == EXIT_INVALID
    assert "scores.csv:2:2: error: the map has no segment 'amateurs' (its segments: pros)" in err


def test_an_invalid_map_is_reported_as_validate_does_and_not_touched(folder: Path) -> None:
    broken = MAP.replace("importance: 6", "importance: lots")
    (folder / "map.yaml").write_text(broken)
    rows, header = rows_from_csv("id,importance\nchoose,8\n")
    with pytest.raises(MapError):
        update_map(str(folder / "map.yaml"), rows, header=header)
    assert (folder / "map.yaml").read_text() == broken


# -- every example ----------------------------------------------------------------------------


@pytest.mark.parametrize("example", [*sorted((REPO / "examples").glob("*.yaml")),
                                     REPO / "examples" / "split" / "bike-share.yaml"], ids=lambda p: p.stem)
def test_rescoring_every_activity_of_an_example_changes_only_score_lines(tmp_path: Path, example: Path) -> None:
    """Each activity's satisfaction set to the scale's lowest: only satisfaction lines (or inline mappings) change,
    the loader reads every new value, and every comment is where it was."""
    shutil.copytree(example.parent, tmp_path / "map")
    path = tmp_path / "map" / example.name
    cmap = load_map(str(path))
    low = cmap.scale.min
    rows = [ActivityRow(RowPlace("scores.csv", n), frozenset({"id", "satisfaction"}), id=v.activity.id,
                        satisfaction=low) for n, v in enumerate(cmap.walk(), start=2)]
    update = update_map(str(path), rows)
    assert update.texts
    for name, text in update.texts.items():
        removed, added = _changed_lines(update.before[name], text)
        assert all("satisfaction" in line or "{" in line for line in removed + added), (removed, added)
        assert _comments(update.before[name]) == _comments(text)
    assert all(v.activity.satisfaction == low for v in update.new.walk())
    assert [v.activity.id for v in update.new.walk()] == [v.activity.id for v in cmap.walk()]


def test_a_map_with_a_survey_warns_that_its_scores_win(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "ex")
    path = tmp_path / "ex" / "rooftop-solar-segments.yaml"
    rows, header = rows_from_csv("id,importance\npays-off,2\n")
    out, err = io.StringIO(), io.StringIO()
    code = run_into(rows, str(path), True, source="scores.csv", header=header, out=out, err=err)
    assert code == EXIT_OK
    assert "warning: the map's survey scores pays-off: the sheet's scores are written into the map, but gaps" in \
        err.getvalue()


def test_a_windows_line_ending_file_keeps_its_line_endings(folder: Path) -> None:
    (folder / "map.yaml").write_bytes(MAP.replace("\n", "\r\n").encode())
    code, _, err = _run(folder, "id,satisfaction,pains\nchoose,5,Renewal terms unclear\n")
    assert code == EXIT_OK, err
    data = (folder / "map.yaml").read_bytes()
    assert b"\r\n        satisfaction: 5\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")


# -- the command: `cyclemap import FILE --into MAP` ---------------------------------------------


def test_the_import_command_updates_a_map_from_a_typed_up_sheet(folder: Path, cli: Any) -> None:
    sheet = folder / "scores.csv"
    sheet.write_text("id,satisfaction,pains\nchoose,8,Hidden fees\n", encoding="utf-8")
    before = (folder / "map.yaml").read_text(encoding="utf-8")
    dry = cli("import", str(sheet), "--into", str(folder / "map.yaml"), "--dry-run")
    assert dry.code == EXIT_OK, dry.err
    assert "satisfaction:" in dry.out and "+ Hidden fees" in dry.out
    assert (folder / "map.yaml").read_text(encoding="utf-8") == before
    done = cli("import", str(sheet), "--into", str(folder / "map.yaml"))
    assert done.code == EXIT_OK, done.err
    after = (folder / "map.yaml").read_text(encoding="utf-8")
    removed, added = _changed_lines(before, after)
    assert added == ["        satisfaction: 8", "          - Hidden fees"] and not removed
    assert _comments(after) == _comments(before)


def test_a_spreadsheet_export_comes_back_into_its_map_unchanged(folder: Path, cli: Any) -> None:
    sheet = folder / "acts.xlsx"
    assert cli("export", str(folder / "map.yaml"), "-o", str(sheet)).code == EXIT_OK
    before = (folder / "map.yaml").read_text(encoding="utf-8")
    result = cli("import", str(sheet), "--into", str(folder / "map.yaml"))
    assert result.code == EXIT_OK, result.err
    assert "No differences" in result.out
    assert (folder / "map.yaml").read_text(encoding="utf-8") == before


def test_bad_sheets_and_option_mixes_for_into_are_refused(folder: Path, cli: Any) -> None:
    sheet = folder / "scores.csv"
    sheet.write_text("satisfaction,pains\n8,x\n", encoding="utf-8")
    no_key = cli("import", str(sheet), "--into", str(folder / "map.yaml"))
    assert no_key.code == EXIT_INVALID and "scores.csv:1:1: error: no 'id' or 'number' column" in no_key.err
    sheet.write_text("id,satisfaction\nchoose,high\n", encoding="utf-8")
    bad = cli("import", str(sheet), "--into", str(folder / "map.yaml"))
    assert bad.code == EXIT_INVALID and "scores.csv:2:2" in bad.err and "nothing was written" in bad.err
    both = cli("import", str(sheet), "--into", str(folder / "map.yaml"), "-o", str(folder / "new.yaml"))
    assert both.code == EXIT_USAGE and "not both" in both.err
    alone = cli("import", str(sheet), "--dry-run", "-o", str(folder / "new.yaml"))
    assert alone.code == EXIT_USAGE and "--into" in alone.err
    assert not (folder / "new.yaml").exists()
    assert (folder / "map.yaml").read_text(encoding="utf-8") == MAP


# -- defects found in review -------------------------------------------------------------------


def test_a_map_and_an_include_behind_links_are_written_through_and_keep_their_mode(folder: Path) -> None:
    """The real files change and keep their permissions; the links stay links (as `cyclemap fmt` writes)."""
    (folder / "real.yaml").write_text(MAP.replace("parts/steps.yaml", "parts/linked.yaml"), encoding="utf-8")
    (folder / "map.yaml").unlink()
    (folder / "map.yaml").symlink_to("real.yaml")
    (folder / "parts" / "linked.yaml").symlink_to("steps.yaml")
    (folder / "real.yaml").chmod(0o640)
    (folder / "parts" / "steps.yaml").chmod(0o600)
    code, _, err = _run(folder, "id,satisfaction\nchoose,5\ncompare-prices,8\n")
    assert code == EXIT_OK, err
    assert (folder / "map.yaml").is_symlink() and (folder / "parts" / "linked.yaml").is_symlink()
    assert "        satisfaction: 5\n" in (folder / "real.yaml").read_text(encoding="utf-8")
    assert "  satisfaction: 8\n" in (folder / "parts" / "steps.yaml").read_text(encoding="utf-8")
    assert (folder / "real.yaml").stat().st_mode & 0o777 == 0o640
    assert (folder / "parts" / "steps.yaml").stat().st_mode & 0o777 == 0o600


MULTI_LINE_NAMES = """\
cyclemap: 1
title: Names over several lines
customer: People
outcome: Done
phases:
  pre:
    activities:
      - name: >-
          Choose a
          plan
        id: choose
      - name: |-
          Read the
          small print
        id: read
      - name: "Pay\\tthe \\u00e9\\
          first bill"
        id: pay
      - name: 'Ask a
          neighbour'
        id: ask
      - name: Compare
          offers
        id: compare
      - name: >
          Sign
  during:
    activities: []
  post:
    activities: []
"""


def test_activities_named_by_folded_quoted_or_multi_line_scalars_are_found(folder: Path) -> None:
    (folder / "map.yaml").write_text(MULTI_LINE_NAMES, encoding="utf-8")
    names = [visit.activity.name for visit in load_map(str(folder / "map.yaml")).walk()]
    assert names[0] == "Choose a plan" and names[2] == "Pay\tthe \u00e9first bill" and names[5] == "Sign\n"
    code, _, err = _run(folder, "id,importance\nchoose,5\nread,6\npay,7\nask,8\ncompare,9\nsign,4\n")
    assert code == EXIT_OK, err
    scores = [visit.activity.importance for visit in load_map(str(folder / "map.yaml")).walk()]
    assert scores == [5, 6, 7, 8, 9, 4]


def test_the_sheet_s_unreadable_cells_and_the_update_s_problems_come_in_one_run(tmp_path: Path, cli: Any) -> None:
    """A row whose cell cannot be read is left out of the update's checks; every other row is checked."""
    shutil.copy(REPO / "examples" / "home-solar.yaml", tmp_path / "map.yaml")
    before = (tmp_path / "map.yaml").read_bytes()
    sheet = tmp_path / "sc.csv"
    sheet.write_text("id,importance,satisfaction,pains\npays-off,11,2,\nnope,5,5,\npays-off,3,,\n,,,orphan pain\n"
                     "installer,high,,\n", encoding="utf-8")
    result = cli("import", str(sheet), "--into", str(tmp_path / "map.yaml"))
    assert result.code == EXIT_INVALID
    shown = result.err.replace(str(tmp_path) + "/", "")
    assert shown.splitlines() == [
        "sc.csv:6:2: error: importance 'high' is not a number",
        "sc.csv:2:2: error: importance 11 is outside the map's scale of 1 to 10",
        "sc.csv:3:1: error: no activity has the id 'nope'",
        "sc.csv:4:1: error: 'pays-off' is updated by row 2 too; keep one row per activity",
        "sc.csv:5:1: error: a row without an id or a number adds an activity, and needs its name",
        "cyclemap: error: 5 problems in sc.csv; nothing was written",
    ]
    assert (tmp_path / "map.yaml").read_bytes() == before


@pytest.mark.parametrize("option", [["--force"], ["--title", "T"], ["--customer", "C"], ["--outcome", "O"],
                                    ["--details", "details.csv"]])
def test_options_of_a_new_map_are_refused_with_into(folder: Path, cli: Any, option: list[str]) -> None:
    sheet = folder / "scores.csv"
    sheet.write_text("id,satisfaction\nchoose,8\n", encoding="utf-8")
    result = cli("import", str(sheet), "--into", str(folder / "map.yaml"), *option)
    assert result.code == EXIT_USAGE
    assert result.err == (f"cyclemap: error: {option[0]} goes with -o MAP (a new map), not with --into MAP "
                          "(which updates the map's activities only); nothing was written\n")
    assert (folder / "map.yaml").read_text(encoding="utf-8") == MAP


def test_numbers_carry_the_marks_the_landscape_prints_even_when_phase_labels_share_letters(
    folder: Path, cli: Any
) -> None:
    """Deciding, Doing, Done print De, Doi, Don; a label starting with a non-ASCII letter, its letter."""
    text = (MAP.replace("  during:\n", "  during:\n    label: Doing\n")
            .replace("  post:\n", "  post:\n    label: Done\n"))
    (folder / "map.yaml").write_text(text, encoding="utf-8")
    drawn = cli("render", str(folder / "map.yaml"), "-l", "landscape", "-f", "svg", "-o", str(folder / "l.svg"))
    assert drawn.code == EXIT_OK, drawn.err
    svg = (folder / "l.svg").read_text(encoding="utf-8")
    assert ">De1.1<" in svg and ">Doi1.2<" in svg and ">Don1.2<" in svg  # a marker's label, the key's samples
    code, _, err = _run(folder, "number,satisfaction\nDe1.1,9\nDon1,2\nD1,5\n")
    assert code == EXIT_INVALID
    assert err.splitlines()[0] == ("scores.csv:4:1: error: 'D1': 'D' is not the mark of a phase of the map, as the "
                                   "landscape shows them: De (Deciding), Doi (Doing), Don (Done)")
    code, _, err = _run(folder, "number,satisfaction\nDe1.1,9\nDon1,2\n")
    assert code == EXIT_OK, err
    walked = {v.activity.id: v.activity.satisfaction for v in load_map(str(folder / "map.yaml")).walk()}
    assert (walked["compare-prices"], walked["renew"]) == (9, 2)
    (folder / "map.yaml").write_text(text.replace("label: Deciding", "label: Évaluer"), encoding="utf-8")
    code, _, err = _run(folder, "number,satisfaction\nÉ2,6\n")
    assert code == EXIT_OK, err
    assert "        satisfaction: 6\n" in (folder / "map.yaml").read_text(encoding="utf-8")
