"""`cyclemap export` and `cyclemap import`: spreadsheets out and in, and the round trip between them."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cyclemap.loader import load_bytes, load_map
from cyclemap.roundtrip import table_read
from cyclemap.roundtrip.build import build_map
from cyclemap.roundtrip.cells import guard, unguard
from cyclemap.roundtrip.rows import ActivityRow, RowPlace

REPO = Path(__file__).parent.parent
EXAMPLES = [*sorted((REPO / "examples").glob("*.yaml")), REPO / "examples" / "split" / "bike-share.yaml"]
FLAGS = ("--title", "T", "--customer", "C", "--outcome", "O")


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of examples/ (surveys and split parts included), where exports and imports may write."""
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    return tmp_path / "examples"


def _gaps_json(cli, path: Path) -> dict:
    result = cli("gaps", "-f", "json", str(path))
    assert result.code == 0, result.err
    data = json.loads(result.out)
    data.pop("map")
    return data


def _dot(cli, path: Path) -> str:
    result = cli("render", "-f", "dot", "-o", "-", str(path))
    assert result.code == 0, result.err
    assert "digraph" in result.out
    return result.out


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_gives_the_same_gaps_and_diagram(cli, examples: Path, example: Path, fmt: str) -> None:
    """export then import: `gaps -f json` and `render -f dot` of the new map equal the original's."""
    original = examples / example.relative_to(REPO / "examples")
    table = original.with_name(f"table.{fmt}")
    details = ("--details", str(original.with_name("details.csv"))) if fmt == "csv" else ()
    assert cli("export", str(original), "-o", str(table), *details).code == 0
    copy = original.with_name("imported.yaml")
    result = cli("import", str(table), "-o", str(copy), *details)
    assert result.code == 0, result.err
    assert _gaps_json(cli, copy) == _gaps_json(cli, original)
    assert _dot(cli, copy) == _dot(cli, original)


def test_survey_scored_map_keeps_its_survey_and_exports_hand_entered_scores(cli, examples: Path) -> None:
    """The survey reference travels in the details; importance/satisfaction are the map's own scores,
    score/band/gaps are those `gaps` finds with the survey."""
    original = examples / "rooftop-solar-segments.yaml"
    assert cli("export", str(original), "-o", str(examples / "t.xlsx")).code == 0
    book = load_workbook(examples / "t.xlsx")
    sheet = book["Activities"]
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert (first["id"], first["importance"], first["score"], first["band"]) == ("pays-off", None, 13.75, "high")
    assert "landlords importance" in header
    details = {row[0]: row[1] for row in book["Map"].iter_rows(values_only=True)}
    assert details["survey file"] == "surveys/rooftop-solar-segments.csv"
    assert details["segment upgraders"] == "Upgraders"
    assert cli("import", str(examples / "t.xlsx"), "-o", str(examples / "back.yaml")).code == 0
    back = load_map(str(examples / "back.yaml"))
    assert back.survey is not None and back.survey.file == "surveys/rooftop-solar-segments.csv"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_byte_identical(cli, examples: Path, fmt: str) -> None:
    """Two exports of a map give the same bytes; the workbook's times are fixed, in its properties and zip."""
    first, second = examples / f"a.{fmt}", examples / f"b.{fmt}"
    for target in (first, second):
        assert cli("export", str(examples / "home-solar.yaml"), "-o", str(target)).code == 0
    assert first.read_bytes() == second.read_bytes()
    if fmt == "xlsx":
        with zipfile.ZipFile(first) as archive:
            assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            assert b"1980-01-01T00:00:00Z" in archive.read("docProps/core.xml")


def test_xlsx_keeps_the_header_in_view_filters_it_and_colours_scores(cli, examples: Path) -> None:
    assert cli("export", str(examples / "home-solar.yaml")).code == 0
    book = load_workbook(examples / "home-solar.xlsx")
    assert book.sheetnames == ["Activities", "Map"]
    sheet = book["Activities"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:U{sheet.max_row}"
    assert sheet["A1"].font.b
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFG"]
    assert widths[0] < 12 and max(widths) <= 52  # fits "number", capped for descriptions
    assert sheet["G2"].alignment.wrap_text  # a long description wraps
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert row["score"].value == 15 and row["band"].value == "extreme"
    assert row["score"].fill.fgColor.rgb == "FFA50F15" and row["score"].font.color.rgb == "FFFFFFFF"
    details = {r[0]: r[1] for r in book["Map"].iter_rows(values_only=True)}
    assert details["title"] == "Rooftop solar for homeowners" and details["scale max"] == 10


def test_xlsx_is_never_written_to_a_terminal(cli, examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    result = cli("export", str(examples / "home-solar.yaml"), "-f", "xlsx", "-o", "-")
    assert result.code == 2
    assert "refusing to write binary output to a terminal" in result.err


INJECTION_MAP = """\
cyclemap: 1
title: "=cmd|' /C calc'!A0"
customer: "@SUM(1+1)"
outcome: Safe
phases:
  pre:
    activities:
      - name: "=HYPERLINK(\\"http://x.example\\", \\"click\\")"
        id: link
        description: "+1 (555) 0100"
        pains: ["-2 degrees is too cold", "'=already quoted", "'plain quote"]
        notes: "#N/A"
      - name: "  =1+1 after spaces"
        id: spaces
        description: "Escape \\e[31m red and a bell \\a"
  during:
    activities: []
  post:
    activities: []
"""


def test_formula_like_text_is_text_in_both_formats_and_comes_back_as_written(cli, tmp_path: Path) -> None:
    source = tmp_path / "map.yaml"
    source.write_text(INJECTION_MAP.replace('"Escape \\e[31m red and a bell \\a"', "Plain"))
    original = load_map(str(source))
    assert cli("export", str(source), "-o", str(tmp_path / "t.csv"), "--details", str(tmp_path / "d.csv")).code == 0
    text = (tmp_path / "t.csv").read_text()
    assert "'=HYPERLINK" in text and "'  =1+1 after spaces" in text and "'+1 (555) 0100" in text
    assert ",'-2 degrees is too cold | '=already quoted | 'plain quote," in text  # only a cell's start counts
    assert cli("export", str(source), "-o", str(tmp_path / "t.xlsx")).code == 0
    sheet = load_workbook(tmp_path / "t.xlsx")["Activities"]
    assert sheet["F2"].value.startswith("=HYPERLINK") and sheet["F2"].data_type == "s"
    assert sheet["S2"].value == "#N/A" and sheet["S2"].data_type == "s"
    for table, extra in (("t.csv", ("--details", str(tmp_path / "d.csv"))), ("t.xlsx", ())):
        out = tmp_path / f"{table}.yaml"
        assert cli("import", str(tmp_path / table), "-o", str(out), *extra).code == 0
        back = load_map(str(out))
        assert back.title == original.title and back.customer == original.customer
        assert [v.activity.model_dump() for v in back.walk()] == [v.activity.model_dump() for v in original.walk()]


def test_guard_and_unguard_are_inverse() -> None:
    for text in ["=1", "''=x", "'", "''", "'plain", " @x", "\t=x", "-", "a - b", "", "'\r"]:
        assert unguard(guard(text)) == text, text
    assert unguard("'quoted by a person") == "'quoted by a person"


def test_control_characters_are_escaped_visibly_with_a_warning(cli, tmp_path: Path) -> None:
    source = tmp_path / "map.yaml"
    source.write_text(INJECTION_MAP)
    result = cli("export", str(source), "-o", str(tmp_path / "t.xlsx"))
    assert result.code == 0, result.err
    assert "t.xlsx:Activities!G3: control characters written as escapes" in result.err
    sheet = load_workbook(tmp_path / "t.xlsx")["Activities"]
    assert sheet["G3"].value == "Escape \\x1b[31m red and a bell \\x07"


BAD_ROWS = [
    ["number", "id", "phase", "parent", "name", "importance"],
    [1, "a", "pre", None, "Alpha", "high"],
    [2, "a", "dring", None, "Beta", 5],
    [3, "c", "pre", "zz", "Gamma", None],
    [4, "d", "pre", "e", "Delta", None],
    [5, "e", "pre", "d", "Eps", None],
    [1, "f", "post", "a", "Phi", None],
    [6, "g", "pre", None, None, None],
    [7, "h", "pre", None, "Eta", 12],
]
BAD_MESSAGES = [
    ("F2", "importance 'high' is not a number"),
    ("C3", "unknown phase 'dring'; did you mean 'during'? (the phases are pre, during, post)"),
    ("E8", "the name is empty: every activity has a name"),
    ("F9", "importance 12 is outside the map's scale of 1 to 10"),
    ("B3", "duplicate id 'a' (also at {B2})"),
    ("D4", "parent 'zz' is not found: no row has this id, or this number in phase pre"),
    ("D7", "parent 'a' is in phase pre, this row in post: an activity's steps are in its own phase"),
    ("D5", "a cycle of parents: d -> e -> d"),
    ("D6", "a cycle of parents: d -> e -> d"),
]


def _csv_place(cell: str) -> str:
    col = "ABCDEFGHIJ".index(cell[0]) + 1
    return f"activities.csv:{cell[1:]}:{col}"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_rows_are_all_reported_at_their_cells_and_nothing_is_written(
    cli, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    table = Path(f"activities.{fmt}")
    if fmt == "csv":
        table.write_text("\n".join(",".join("" if v is None else str(v) for v in row) for row in BAD_ROWS) + "\n")
        place = _csv_place
    else:
        book = Workbook()
        sheet = book.worksheets[0]
        sheet.title = "Activities"
        for row in BAD_ROWS:
            sheet.append(row)
        book.save(table)

        def place(cell: str) -> str:
            return f"activities.xlsx:Activities!{cell}"

    result = cli("import", str(table), "-o", "map.yaml", *FLAGS)
    assert result.code == 4
    for cell, message in BAD_MESSAGES:
        assert f"{place(cell)}: error: {message.format(B2=place('B2'))}\n" in result.err
    assert "9 problems in" in result.err and "nothing was written" in result.err
    assert not (tmp_path / "map.yaml").exists()


def test_the_least_table_phase_and_name_with_parents_by_number(cli, tmp_path: Path) -> None:
    """Headers in any order and case; a parent by number or by the id a name makes; x- columns kept."""
    table = tmp_path / "notes.csv"
    table.write_bytes("\ufeffName;PHASE;Parent;x-Jira\nChoose;pre;;SOL-1\nCompare quotes;Pre;1;\n"
                      "Ask friends;pre;choose;\nPay;post;;\n".encode())
    result = cli("import", str(table), "-o", str(tmp_path / "map.yaml"), *FLAGS)
    assert result.code == 0, result.err
    cmap = load_map(str(tmp_path / "map.yaml"))
    top = cmap.phases.pre.activities
    assert [a.name for a in top] == ["Choose"]
    assert [a.name for a in top[0].subcycle] == ["Compare quotes", "Ask friends"]
    assert top[0].extensions == {"x-jira": "SOL-1"}
    assert [a.name for a in cmap.phases.post.activities] == ["Pay"]
    assert "id:" not in (tmp_path / "map.yaml").read_text()  # ids the names make are not written


def test_a_csv_without_details_or_flags_is_a_usage_error_naming_the_flags(cli, tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("phase,name\npre,A\n")
    result = cli("import", str(table), "-o", str(tmp_path / "map.yaml"), "--title", "T")
    assert result.code == 2
    assert "--customer, --outcome" in " ".join(result.err.split())


def test_import_never_writes_over_its_input_nor_an_existing_map_without_force(cli, tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("phase,name\npre,A\n")
    assert cli("import", str(table), "-o", str(table), "--force", *FLAGS).code == 2
    assert table.read_text() == "phase,name\npre,A\n"
    existing = tmp_path / "map.yaml"
    existing.write_text("# mine\n")
    result = cli("import", str(table), "-o", str(existing), *FLAGS)
    assert result.code == 2 and "add --force" in result.err
    assert existing.read_text() == "# mine\n"
    assert cli("import", str(table), "-o", str(existing), "--force", *FLAGS).code == 0
    assert load_map(str(existing)).phases.pre.activities[0].name == "A"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("fake.xlsx", b"just text", "fake.xlsx: not an XLSX workbook (an .xlsx file is a zip archive, this one is not)"),
    ("old.xlsx", b"\xd0\xcf\x11\xe0rest", "old.xlsx: an old Excel workbook (.xls)"),
    ("nul.csv", b"phase,name\npre,A\x00\n", "nul.csv:2:6: a NUL byte"),
    ("latin.csv", b"phase,name\npre,Caf\xe9\n", "latin.csv:2:8: bytes that are not UTF-8; save the table as 'CSV"),
    ("zip.xlsx", b"PK\x03\x04broken", "zip.xlsx: not an XLSX workbook (its zip archive cannot be read)"),
    ("empty.csv", b"", "empty.csv: error: the table is empty"),
])
def test_hostile_files_get_a_clear_error_and_no_traceback(cli, tmp_path: Path, name: str, content: bytes,
                                                          message: str) -> None:
    (tmp_path / name).write_bytes(content)
    result = cli("import", str(tmp_path / name), "-o", str(tmp_path / "map.yaml"), *FLAGS)
    assert result.code == 4, result.err
    assert message in result.err
    assert "Traceback" not in result.err and not (tmp_path / "map.yaml").exists()


def test_a_workbook_that_unpacks_too_far_or_has_too_many_rows_is_refused(
    cli, examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("export", str(examples / "home-solar.yaml"), "-o", str(examples / "t.xlsx")).code == 0
    monkeypatch.setattr(table_read, "MAX_UNPACKED_BYTES", 10_000)
    result = cli("import", str(examples / "t.xlsx"), "-o", str(examples / "m.yaml"))
    assert result.code == 4 and "unpacks to more than" in result.err
    monkeypatch.setattr(table_read, "MAX_UNPACKED_BYTES", 10**9)
    monkeypatch.setattr(table_read, "MAX_ROWS", 10)
    result = cli("import", str(examples / "t.xlsx"), "-o", str(examples / "m.yaml"))
    assert result.code == 4 and "sheet 'Activities' has more than 10 rows" in result.err


def test_a_formula_without_a_saved_value_is_named_by_its_cell(cli, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.worksheets[0]
    for row in (["phase", "name", "importance"], ["pre", "A", "=2+3"]):
        sheet.append(row)
    book.save(tmp_path / "f.xlsx")  # openpyxl saves formulas without a value
    result = cli("import", str(tmp_path / "f.xlsx"), "-o", str(tmp_path / "m.yaml"), *FLAGS)
    assert result.code == 4
    assert "f.xlsx:Sheet!C2: error: a formula without a saved value (=2+3)" in result.err


def test_a_workbook_with_a_huge_cell_is_refused_at_the_cell(cli, tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("phase,name,description\npre,A," + "x" * 100_001 + "\n")
    result = cli("import", str(table), "-o", str(tmp_path / "m.yaml"), *FLAGS)
    assert result.code == 4
    assert "t.csv:2:3: error: description: 100,001 characters, more than the 100,000 a text may hold" in result.err


def test_export_refuses_to_write_over_the_map(cli, examples: Path) -> None:
    source = examples / "home-solar.yaml"
    before = source.read_bytes()
    result = cli("export", str(source), "-f", "csv", "-o", str(source))
    assert result.code == 2 and source.read_bytes() == before


def test_export_csv_to_standard_output(cli, examples: Path) -> None:
    result = cli("export", str(examples / "home-solar.yaml"), "-o", "-")
    assert result.code == 0
    rows = result.out.splitlines()
    assert rows[0].startswith("number,id,phase,parent,depth,name,description,importance,satisfaction,score,band,gaps")
    assert rows[1].startswith("1,pays-off,pre,,0,Understand whether solar pays off,")
    assert "1.1,estimate-current-energy-use,pre,pays-off,1," in result.out


def test_read_rows_is_a_library_function(examples: Path, cli) -> None:
    """`import --into` reads rows without building a map: values, places and the details sheet."""
    assert cli("export", str(examples / "home-solar.yaml"), "-o", str(examples / "t.xlsx")).code == 0
    rows, details, problems = table_read.read_rows(str(examples / "t.xlsx"), name="t.xlsx")
    assert problems == []
    assert details is not None and details.text("title") == "Rooftop solar for homeowners"
    first = rows[0]
    assert (first.id, first.importance, first.satisfaction, first.pains[0]) == (
        "pays-off", 9, 3, "Payback claims vary wildly between websites and sales reps")
    assert first.cell("importance") == "t.xlsx:Activities!H2"
    assert "score" not in first.present and "importance" in first.present


def test_evidence_cells_keep_their_source(cli, tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("phase,name,importance,satisfaction,evidence\n"
                     "pre,A,8,2,interview: INT-1 | https://x.example/report\n")
    assert cli("import", str(table), "-o", str(tmp_path / "m.yaml"), *FLAGS).code == 0
    evidence = load_map(str(tmp_path / "m.yaml")).phases.pre.activities[0].evidence
    assert [(e.source, e.ref) for e in evidence] == [("interview", "INT-1"), ("other", "https://x.example/report")]


def test_unknown_segment_columns_and_details_fields_get_a_suggestion(cli, tmp_path: Path) -> None:
    details = tmp_path / "d.csv"
    details.write_text("field,value\ntitle,T\ncustomer,C\noutcome,O\nsegment first,First\ntreshold,12\n")
    table = tmp_path / "t.csv"
    table.write_text("phase,name,firts importance\npre,A,5\n")
    result = cli("import", str(table), "--details", str(details), "-o", str(tmp_path / "m.yaml"))
    assert result.code == 4
    assert "d.csv:6:1: error: unknown field 'treshold'; did you mean 'threshold'?" in result.err
    assert "t.csv:2:3: error: unknown segment 'firts'; did you mean 'first'?" in result.err


def test_csv_cells_unguard_only_what_export_added() -> None:
    grid = table_read._csv_grid(b"phase,name\npre,'=x\npre,'hello\n", "t.csv")
    assert [cells[1] for _, cells in grid.rows[1:]] == ["=x", "'hello"]


def test_export_help_has_examples(cli) -> None:
    for command in ("export", "import"):
        result = cli(command, "--help")
        assert result.code == 0 and "Examples" in result.out


def test_import_writes_to_standard_output(cli, tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("phase,name\npre,A\n")
    result = cli("import", str(table), "-o", "-", *FLAGS)
    assert result.code == 0
    assert load_map_text(result.out).phases.pre.activities[0].name == "A"


def load_map_text(text: str):
    return load_bytes(text.encode(), "map.yaml")


def test_workbook_cells_of_other_types_read_as_text(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.worksheets[0]
    for row in (["phase", "name", "owner", "tags"], ["pre", 2024, True, dt.datetime(2026, 1, 2)]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    (tmp_path / "t.xlsx").write_bytes(buffer.getvalue())
    rows, _, problems = table_read.read_rows(str(tmp_path / "t.xlsx"))
    assert problems == []
    assert (rows[0].name, rows[0].owner, rows[0].tags) == ("2024", "TRUE", ("2026-01-02",))


AWKWARD = ["no", "123", "null", "~", "- x", "a: b", "#x", "1e3", "  lead", "trail ", "x\ty", "'q'", '"dq"',
           "é ✓ 見積もり", "@at", "!tag", "&anc", "*ali", "{f}", "[l]", "x # y", "a, b", "x\u2028y", "\ufeffbom"]
AWKWARD_TEXT = ["line1\nline2\n", "line1\n  indented\n\n", "\nstarts with nl", "a\r\nb", "trailing \nspace",
                "x\x85y", "end\n\n\n", "  lead\nx"]


def test_the_yaml_written_reads_back_every_text_exactly() -> None:
    """Texts YAML could misread (yes/no, numbers, indicators, NEL, line separators, edge spaces) come back as given."""
    rows = [ActivityRow(RowPlace("t.csv", n + 2), frozenset({"phase", "name"}), id=f"a{n}", phase="pre", name=name,
                        description=AWKWARD_TEXT[n % len(AWKWARD_TEXT)], pains=(name, "x"), notes=f"{name}\n{name}")
            for n, name in enumerate(AWKWARD)]
    text, problems = build_map(rows, None, {"title": "T", "customer": "C", "outcome": "O"}, "m.yaml")
    assert problems == [] and text is not None
    back = load_bytes(text.encode(), "m.yaml").phases.pre.activities
    assert [(a.name, a.description, a.pains, a.notes) for a in back] == [
        (r.name, r.description, r.pains, r.notes) for r in rows]


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _workbook(rows: list[list[str | int]], strings: str = "", counts: str = "", *, hidden: tuple[str, ...] = (),
              sheets: tuple[str, ...] = ("Activities",), parts: int = 0) -> bytes:
    """A workbook written by hand, as other programs write them: its texts in xl/sharedStrings.xml (the rows'
    texts first, then `strings`, a run of `<si>` items; a number in a row is the index of a text), `sheets` all
    holding `rows`, the `hidden` ones hidden, and `parts` more one-byte parts."""
    texts = list(dict.fromkeys(text for row in rows for text in row if isinstance(text, str)))
    cells = "".join(f'<row r="{r}">' + "".join(f'<c r="{"ABCDEFGH"[c]}{r}" t="s"><v>{_index(texts, text)}</v></c>'
                                              for c, text in enumerate(row)) + "</row>"
                    for r, row in enumerate(rows, start=1))
    state = ' state="hidden"'
    listed = "".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"{state if name in hidden else ""}/>'
                     for n, name in enumerate(sheets, start=1))
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}.worksheet+xml"/>'
                        for n in range(1, len(sheets) + 1))
    links = "".join(f'<Relationship Id="rId{n}" Type="{OFFICE_RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                    for n in range(1, len(sheets) + 1))
    files = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET_TYPE}.sheet.main+xml"/>{overrides}'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEET_TYPE}.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN_NS}" xmlns:r="{OFFICE_RELS}"><sheets>{listed}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE_RELS}">{links}<Relationship Id="rIdS" '
        f'Type="{OFFICE_RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN_NS}" {counts}>'
        + "".join(f"<si><t>{text}</t></si>" for text in texts) + strings + "</sst>",
        **{f"xl/worksheets/sheet{n}.xml": f'<worksheet xmlns="{MAIN_NS}"><sheetData>{cells}</sheetData></worksheet>'
           for n in range(1, len(sheets) + 1)},
        **{f"extra/{n}.bin": "x" for n in range(parts)},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def _index(texts: list[str], text: str | int) -> int:
    return text if isinstance(text, int) else texts.index(text)


LEAST: list[list[str | int]] = [["phase", "name"], ["pre", "A"]]


@pytest.mark.parametrize("counts", ['count="104" uniqueCount="104"', ""])
def test_a_workbook_with_too_many_shared_texts_is_refused_before_it_costs_much(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counts: str
) -> None:
    """A small sheet with a huge table of shared texts (read whole when a workbook opens) stops at the bound,
    whether the table says how many it holds or not; at the bound it is read, once."""
    (tmp_path / "t.xlsx").write_bytes(_workbook(LEAST, "<si><t>x</t></si>" * 100, counts))
    monkeypatch.setattr(table_read, "MAX_SHARED_STRINGS", 103)
    result = cli("import", str(tmp_path / "t.xlsx"), "-o", str(tmp_path / "m.yaml"), *FLAGS)
    assert result.code == 4, result.err
    assert "t.xlsx: the workbook holds more than 103 different texts; it is too large to read" in result.err
    assert not (tmp_path / "m.yaml").exists()
    monkeypatch.setattr(table_read, "MAX_SHARED_STRINGS", 104)
    opened = []
    original = zipfile.ZipFile.open

    def counting(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kwargs: object) -> object:
        opened.append(getattr(name, "filename", name))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", counting)
    assert cli("import", str(tmp_path / "t.xlsx"), "-o", str(tmp_path / "m.yaml"), *FLAGS).code == 0
    assert opened.count("xl/sharedStrings.xml") == 1  # the workbook is opened once


def test_a_workbook_whose_shared_texts_unpack_too_far_is_refused(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "t.xlsx").write_bytes(_workbook(LEAST, f"<si><t>{'x' * 3000}</t></si>"))
    monkeypatch.setattr(table_read, "MAX_STRINGS_BYTES", 2**20 // 1000)
    result = cli("import", str(tmp_path / "t.xlsx"), "-o", str(tmp_path / "m.yaml"), *FLAGS)
    assert result.code == 4
    assert "t.xlsx: the workbook's texts (xl/sharedStrings.xml) unpack to more than" in result.err


def test_shared_texts_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    """Rich text runs are joined, phonetic guides left out, as openpyxl's own reader does."""
    rich = ('<si><r><t>Com</t></r><r><rPr><b/></rPr><t xml:space="preserve">pare </t></r><r><t>quotes</t></r>'
            '<rPh sb="0" eb="1"><t>guide</t></rPh></si>')
    data = _workbook([["phase", "name", "description"], ["pre", "A", 5]], rich)  # 5: the first after the rows'
    (tmp_path / "t.xlsx").write_bytes(data)
    book = load_workbook(tmp_path / "t.xlsx", read_only=True)
    expected = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    assert expected == [["phase", "name", "description"], ["pre", "A", "Compare quotes"]]
    rows, _, problems = table_read.read_rows(str(tmp_path / "t.xlsx"))
    assert problems == []
    assert (rows[0].name, rows[0].description) == ("A", "Compare quotes")


def test_a_workbook_of_too_many_parts_is_refused_for_that(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many tiny parts are refused as too many parts, not as too many bytes (which they are not)."""
    (tmp_path / "t.xlsx").write_bytes(_workbook(LEAST, parts=30))
    monkeypatch.setattr(table_read, "MAX_PARTS", 20)
    result = cli("import", str(tmp_path / "t.xlsx"), "-o", str(tmp_path / "m.yaml"), *FLAGS)
    assert result.code == 4
    assert "t.xlsx: this workbook has more than 20 parts (files in its zip archive); it is too large" in result.err
    assert "unpacks to" not in result.err
    monkeypatch.setattr(table_read, "MAX_PARTS", 40)
    assert cli("import", str(tmp_path / "t.xlsx"), "-o", str(tmp_path / "m.yaml"), *FLAGS).code == 0


def test_a_csv_cell_of_any_length_is_refused_at_its_place_and_only_there(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cell far longer than a text may be (10 MB against 100,000 characters, here 1,000 against 10) gets the
    message any too long cell gets, at its own place, and no second error about the table being empty."""
    monkeypatch.setattr(table_read, "MAX_CELL_CHARS", 10)
    table = tmp_path / "cell.csv"
    table.write_text("phase,name,description\npre,A," + "d" * 1_000 + "\n")
    result = cli("import", str(table), "-o", str(tmp_path / "o3.yaml"), *FLAGS)
    assert result.code == 4
    assert "cell.csv:2:3: error: description: 1,000 characters, more than the 10 a text may hold\n" in result.err
    assert "1 problem in" in result.err and "no activities" not in result.err and "o3.yaml" not in result.err


CARRIAGE_RETURN_MAP = """\
cyclemap: 1
title: T
customer: C
outcome: O
phases:
  pre:
    activities:
      - name: A
        description: "first\\rsecond"
        pains: ["one\\rtwo", "three\\r\\nfour"]
        importance: 9
        satisfaction: 2
        notes: "\\rstarts with a carriage return"
  during:
    activities: []
  post:
    activities: []
"""


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_carriage_returns_survive_the_round_trip(cli, tmp_path: Path, fmt: str) -> None:
    """A CR inside a text is quoted in a CSV (a lone CR too) and kept in a workbook (no XML reader turns it into
    a line feed): the map made again has the same texts, gaps and diagram."""
    source = tmp_path / "map.yaml"
    source.write_text(CARRIAGE_RETURN_MAP)
    table = tmp_path / f"t.{fmt}"
    details = ("--details", str(tmp_path / "d.csv")) if fmt == "csv" else ()
    assert cli("export", str(source), "-o", str(table), *details).code == 0
    if fmt == "csv":
        assert b',"first\rsecond",' in table.read_bytes()
    result = cli("import", str(table), "-o", str(tmp_path / "back.yaml"), *details)
    assert result.code == 0, result.err
    back = load_map(str(tmp_path / "back.yaml")).phases.pre.activities[0]
    assert (back.description, back.pains, back.notes) == (
        "first\rsecond", ("one\rtwo", "three\r\nfour"), "\rstarts with a carriage return")
    assert _gaps_json(cli, tmp_path / "back.yaml") == _gaps_json(cli, source)
    assert _dot(cli, tmp_path / "back.yaml") == _dot(cli, source)


def _sheets(path: Path, sheets: list[tuple[str, str, str]]) -> None:
    """A workbook of sheets (title, state, the name of its one activity), each a table of one activity, but the
    sheet "Map": the details."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, state, name in sheets:
        sheet = book.create_sheet(title)
        for row in ([["field", "value"], ["title", name]] if title == "Map" else [["phase", "name"], ["pre", name]]):
            sheet.append(row)
        sheet.sheet_state = state
    book.save(path)


@pytest.mark.parametrize(("sheets", "read", "warnings"), [
    ([("Mine", "visible", "Seen"), ("Activities", "hidden", "Hidden")], "Seen",
     ["t.xlsx:Activities: warning: a hidden sheet, not read: only the sheets a spreadsheet shows are imported"]),
    ([("Activities", "veryHidden", "Hidden"), ("Map", "visible", "Details"), ("Mine", "visible", "Seen")], "Seen",
     ["t.xlsx:Activities: warning: a hidden sheet, not read"]),
    ([("Notes", "visible", "Notes"), ("Activities", "visible", "Named")], "Named",
     ["t.xlsx:Activities: warning: the activities are read from this sheet, named 'Activities', not from the "
      "first sheet, 'Notes'"]),
    ([("Map", "visible", "Details"), ("Activities", "visible", "Named")], "Named", []),
])
def test_only_visible_sheets_are_imported_the_one_named_activities_first(
    cli, tmp_path: Path, sheets: list[tuple[str, str, str]], read: str, warnings: list[str]
) -> None:
    """What a person sees is what is imported: a hidden sheet named Activities is not read (with a warning);
    a visible one is, before the first sheet (with a warning when it is not the first)."""
    _sheets(tmp_path / "t.xlsx", sheets)
    result = cli("import", str(tmp_path / "t.xlsx"), "-o", str(tmp_path / "m.yaml"), *FLAGS)
    assert result.code == 0, result.err
    assert load_map(str(tmp_path / "m.yaml")).phases.pre.activities[0].name == read
    said = [line.split(str(tmp_path) + "/", 1)[-1] for line in result.err.splitlines() if "warning" in line]
    assert len(said) == len(warnings)
    for line, expected in zip(said, warnings, strict=True):
        assert line.startswith(expected), line


def test_a_workbook_with_only_hidden_sheets_is_refused(cli, tmp_path: Path) -> None:
    (tmp_path / "t.xlsx").write_bytes(_workbook(LEAST, sheets=("Activities", "Other"), hidden=("Activities", "Other")))
    result = cli("import", str(tmp_path / "t.xlsx"), "-o", str(tmp_path / "m.yaml"), *FLAGS)
    assert result.code == 4 and "t.xlsx: this workbook has no visible sheets" in result.err


YAML_1_1_WORDS = ["yes", "No", "on", "OFF", "y", "N", "12:30", "2024-01-02"]


def test_texts_a_yaml_1_1_reader_takes_for_booleans_are_quoted_and_fmt_keeps_the_quotes(cli, tmp_path: Path) -> None:
    """`import` writes `yes`, `no`, `on`, `y`, `12:30` ... in quotes: YAML 1.1 tools (PyYAML here) read them as
    the texts cyclemap reads, not as true/false, numbers or dates; `cyclemap fmt` keeps the quotes."""
    import yaml  # noqa: PLC0415 # PyYAML: a YAML 1.1 reader

    rows = [ActivityRow(RowPlace("t.csv", n + 2), frozenset({"phase", "name"}), phase="pre", name=word,
                        description=word, owner=word, pains=(word, "other"), extensions={"x-flag": word})
            for n, word in enumerate(YAML_1_1_WORDS)]
    text, problems = build_map(rows, None, {"title": "yes", "customer": "no", "outcome": "on"}, "m.yaml")
    assert problems == [] and text is not None
    path = tmp_path / "m.yaml"
    path.write_text(text)
    assert cli("fmt", str(path)).code == 0
    for written in (text, path.read_text()):
        data = yaml.safe_load(written)
        assert (data["title"], data["customer"], data["outcome"]) == ("yes", "no", "on")
        activities = data["phases"]["pre"]["activities"]
        assert [(a["name"], a["description"], a["owner"], a["pains"][0], a["x-flag"]) for a in activities] == [
            (word,) * 5 for word in YAML_1_1_WORDS]


def test_a_table_with_only_its_header_is_named_as_the_problem(cli, tmp_path: Path) -> None:
    table = tmp_path / "empty.csv"
    table.write_text("phase,name\n", encoding="utf-8")
    result = cli("import", str(table), "-o", str(tmp_path / "map.yaml"), "--title", "T", "--customer", "C",
                 "--outcome", "O")
    assert result.code == 4
    assert f"{table}: error: the table has no activities" in result.err and "map.yaml" not in result.err
    assert not (tmp_path / "map.yaml").exists()


def test_a_yaml_map_given_as_the_table_is_named_for_what_it_is(cli, tmp_path: Path) -> None:
    mapped = tmp_path / "map.yaml"
    mapped.write_text("cyclemap: 1\n", encoding="utf-8")
    result = cli("import", str(mapped), "-o", str(tmp_path / "new.yaml"))
    said = " ".join(result.err.replace("│", " ").split())  # the message, unwrapped from its box
    assert result.code == 2 and "is a YAML map" in said and "cyclemap export" in said
    assert not (tmp_path / "new.yaml").exists()
