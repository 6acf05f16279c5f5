"""`cyclemap fmt`: the canonical layout keeps every comment, never changes meaning, and is written safely."""

from __future__ import annotations

import gc
import json
import os
import random
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.test_properties import ACTIVITIES, FAST, TEXT, number_names

from cyclemap import yaml_reader
from cyclemap.exit_codes import EXIT_ENVIRONMENT, EXIT_FOUND, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE
from cyclemap.loader import load_bytes, load_map
from cyclemap.problems import CyclemapError, MapError
from cyclemap.roundtrip import fmt, fmt_files
from cyclemap.roundtrip.fmt import format_text

REPO = Path(__file__).parent.parent
HERE = Path(__file__).parent / "fmt"
COMMENTED = (HERE / "commented.yaml").read_text(encoding="utf-8")
EXAMPLE_MAPS = [*sorted((REPO / "examples").glob("*.yaml")), REPO / "examples" / "split" / "bike-share.yaml"]
VALID_CASES = sorted(p for p in (REPO / "tests" / "cases" / "valid").iterdir() if (p / "map.yaml").is_file())
INVALID_CASES = sorted(p for p in (REPO / "tests" / "cases" / "invalid").iterdir() if (p / "map.yaml").is_file())


def comments(text: str) -> Counter[str]:
    """Every comment of `text` (as the formatter finds them: a `#` outside values), by its text."""
    doc = fmt._parse(text)
    lines = text.split("\n")
    return Counter(lines[line][col:].rstrip() for line, col, _ in fmt._find_comments(doc))


def line_of(text: str, needle: str) -> int:
    """The index of the only line of `text` holding `needle`."""
    found = [number for number, line in enumerate(text.split("\n")) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


# -- the layout, comments and idempotence, on text ---------------------------------------------------------


def test_every_comment_is_kept_in_place() -> None:
    """Head, end-of-line, between items, before reordered keys, in a flow list, tails, file end: all kept."""
    out = format_text(COMMENTED)
    assert comments(out) == comments(COMMENTED)
    assert sum(comments(COMMENTED).values()) == 17
    lines = out.split("\n")
    assert lines[:3] == ["# yaml-language-server: $schema=x.json", "# Header, kept at the top.", ""]
    assert lines[3] == "cyclemap: 1 # version"  # moved first, with its end-of-line comment
    # a comment before a key moves with the key
    assert lines[line_of(out, "# About the title") + 1].startswith('title: "Quoted')
    assert lines[line_of(out, "# before pre") + 1] == "  pre:"
    assert lines[line_of(out, "# before subcycle") + 1] == "        subcycle:"
    assert lines[line_of(out, "# first activity comment") + 1] == "      - name: '012'"
    # end-of-line comments stay after their value, with the spaces written before them
    assert '"Quoted \\"title\\" with \\\\ escapes"   # eol after a quoted scalar' in out
    assert "          - 1e3   # eol after item" in out
    assert "        pains: [a, b, \"c, d\"]   # eol after flow" in out
    assert "      - include: parts/p.yaml   # eol on include" in out
    # between items, at the end of a block, in a flow list, at the end of the file
    assert lines[line_of(out, "# between items") + 1] == '          - "2024-01-01"'
    assert lines[line_of(out, "# tail of first activity") - 1] == '            importance: "8"'
    assert "          one,   # comment in a flow list" in out
    assert lines[-2:] == ["# last comment", ""]
    assert lines[line_of(out, "x-extra: kept last")] == "x-extra: kept last   # own key"  # own keys after known ones


def test_layout_orders_keys_indents_inlines_and_spaces_activities() -> None:
    out = format_text(COMMENTED)
    keys = [line.split(":")[0] for line in out.split("\n") if re.match(r"[a-z]", line)]
    assert keys == ["cyclemap", "title", "customer", "outcome", "description", "owner", "scale", "phases", "x-extra"]
    assert "scale: {min: 1, max: 10}" in out
    phases = out.split("\n").index("phases:")
    assert [line.strip() for line in out.split("\n")[phases:] if re.match(r"  \S", line)] == [
        "# before pre", "pre:", "during:", "post:"]
    first = out.split("\n").index("      - name: '012'")
    assert out.split("\n")[first + 1] == "        id: first"  # name, then id, as in docs/format.md
    # one blank line before each activity of a phase but the first
    assert "        # tail of first activity\n\n      - include: parts/p.yaml" in out
    assert "   # eol on include\n\n      - name: Multi" in out
    # a list too long for one line stays one item per line; a short one is inline
    assert "        competitors:\n          - A very long competitor" in out


def test_formatting_twice_is_formatting_once() -> None:
    for text in (COMMENTED, (HERE / "anchors.yaml").read_text(encoding="utf-8"),
                 (HERE / "parts" / "p.yaml").read_text(encoding="utf-8")):
        once = format_text(text)
        assert format_text(once) == once


def test_values_keep_their_text_and_type() -> None:
    """What YAML 1.1 or 1.2 would re-type (no, 012, 1e3, ~, dates) and block scalars are copied as written."""
    out = format_text(COMMENTED)
    for written in ("customer: no", "owner: ~", "- 1e3", '- "2024-01-01"', "- ': x'", "- '#x'", "- ' leading'",
                    "name: '012'", "notes: plain text\n          continued on the next line",
                    "outcome: >-\n  Folded text that\n  goes on\n\n  with a paragraph\n",
                    "description: |2\n    indented first line\n   less\n", "- name: ünïcødé 😀"):
        assert written in out, written
    assert yaml_reader.parse_yaml(out, yaml_reader.Source("m"))[0] == yaml_reader.parse_yaml(
        COMMENTED, yaml_reader.Source("m"))[0]


def test_anchors_aliases_and_merge_keys_stay_valid() -> None:
    """A mapping with a merge key or with anchors in several entries keeps its order; `|+` gets no extra line."""
    text = (HERE / "anchors.yaml").read_text(encoding="utf-8")
    out = format_text(text)
    lines = out.split("\n")
    assert lines[0] == "---"
    assert line_of(out, "x-defaults: &d") < line_of(out, "- <<: *d") < line_of(out, "name: A")
    assert line_of(out, "customer: &c") < line_of(out, "outcome: *c")  # the root keeps its order
    assert "        notes: |+\n          keep\n\n      - name: B\n" in out
    # the comment before `satisfaction` moved with it when `name` went first
    assert "      - name: B\n        # comment before a key inside an item\n        satisfaction: 3\n" in out
    assert "description:\n" in out
    a, b = (load_bytes(t.encode(), "m.yaml") for t in (text, out))
    assert a == b


def test_part_file_keeps_its_top_level_and_spaces_its_activities() -> None:
    text = (HERE / "parts" / "p.yaml").read_text(encoding="utf-8")
    out = format_text(text)
    assert out.startswith("# part header\n\nx-team: T   # eol\nactivities:   # eol on key\n  # before item\n")
    assert "    importance: 4\n    satisfaction: 3\n\n  - name: Part two # eol\n# part end\n" in out
    assert comments(out) == comments(text)


@pytest.mark.parametrize("text", ["", "just text\n", "a: 1\n---\nb: 2\n", "%YAML 1.1\n---\na: 1\n",
                                  "? [a]\n: 1\n", "[unclosed\n", "cyclemap: 1\n? id\n: complex-key\n",
                                  "title: T\ncyclemap: 1\nx: {? b : c}\n",
                                  "title: T\ncyclemap: 1\nx:\n  ?\n    b\n  : c\n"])
def test_what_the_formatter_does_not_handle_comes_back_unchanged(text: str) -> None:
    """Directives, several documents, complex keys and keys written with `?` (as docs/format.md says)."""
    assert format_text(text) == text


def test_a_question_mark_in_a_value_is_no_explicit_key() -> None:
    assert format_text('title: what ? yes\ncyclemap:   1\nx: "? y"\n') == 'cyclemap: 1\ntitle: what ? yes\nx: "? y"\n'


FLOW_WITH_COMMENTS = """\
cyclemap: 1
title: T
customer: C
outcome: O
phases:
  pre:
    activities:
      - name: A
        pains: [ a, # in flow
          b ]
        offerings: [
            x,  # deep
        c ]
        tags: [
          # comment
        ]
  during:
    activities: []
  post:
    activities: []
"""


def test_a_flow_collection_with_a_comment_is_copied_as_it_is() -> None:
    """Its lines keep their columns, `]` under the key too (it used to move one column right)."""
    assert format_text(FLOW_WITH_COMMENTS) == FLOW_WITH_COMMENTS


def test_a_flow_collection_with_a_comment_moves_as_a_whole_with_its_key() -> None:
    text = FLOW_WITH_COMMENTS.replace("\n        ", "\n          ").replace("      - name: A", "      -   name: A")
    assert format_text(text) == FLOW_WITH_COMMENTS


def test_line_ends_and_byte_order_mark() -> None:
    text = "\ufeffcyclemap: 1\r\ntitle: T\r\n"
    assert format_text(text) == "\ufeffcyclemap: 1\ntitle: T\n"


def test_a_layout_that_would_change_meaning_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt._Writer, "document", lambda self, context: "cyclemap: 2\n")
    with pytest.raises(fmt.MeaningChanged):
        format_text("cyclemap: 1\n")


# -- "fmt never changes meaning": examples and test cases, before and after ---------------------------------

COMMANDS = (("validate",), ("gaps", "-f", "json"), ("render", "-f", "dot", "-o", "-"))


def outputs(cli: Any, folder: Path, map_name: str) -> list[tuple[int, str, str]]:
    """What validate, gaps -f json and render -f dot print for the map, run from `folder`."""
    here = Path.cwd()
    os.chdir(folder)
    try:
        return [(r.code, r.out, r.err) for r in (cli(*command, map_name) for command in COMMANDS)]
    finally:
        os.chdir(here)


def loosen(folder: Path) -> None:
    """Drop the blank lines of every YAML file under `folder` (none is inside a block text in the examples:
    the caller checks the meaning is the same), putting them out of the canonical layout."""
    for path in sorted(folder.rglob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for line in lines if line.strip()), encoding="utf-8")


def check_same_outputs(cli: Any, source: Path, map_name: str, tmp_path: Path, *, loose: bool = False) -> int:
    """Copy the folder (`loose`: without its blank lines), fmt the map in it; the three outputs are
    identical. Returns how many files changed."""
    folder = tmp_path / "copy"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
    if loose:
        original = outputs(cli, folder, map_name)
        loosen(folder)
        assert outputs(cli, folder, map_name) == original
    before = outputs(cli, folder, map_name)
    texts = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert not [p for p in texts if p.suffix == ".dot"]  # the DOT went to standard output, not next to the map
    here = Path.cwd()
    os.chdir(folder)
    try:
        result = cli("fmt", map_name)
        again = cli("fmt", "--check", map_name)
    finally:
        os.chdir(here)
    assert result.code == EXIT_OK, result.err
    assert again.code == EXIT_OK, again.err  # idempotent, on every file the map reads
    after = outputs(cli, folder, map_name)
    assert after == before
    validated, gaps, dot = before
    assert validated[0] == EXIT_OK and json.loads(gaps[1]) is not None and dot[1].startswith("digraph ")
    for path, data in texts.items():
        if path.suffix == ".csv":
            assert path.read_bytes() == data  # the survey is never touched
    return sum(1 for path, data in texts.items() if path.read_bytes() != data)


@pytest.mark.parametrize("example", EXAMPLE_MAPS, ids=[p.name for p in EXAMPLE_MAPS])
def test_fmt_never_changes_what_an_example_means(example: Path, cli: Any, tmp_path: Path) -> None:
    assert check_same_outputs(cli, example.parent, example.name, tmp_path / "as-is") == 0  # kept in fmt's layout
    changed = check_same_outputs(cli, example.parent, example.name, tmp_path / "loose", loose=True)
    assert changed >= 1  # fmt had work to do: the comparison is not vacuous


@pytest.mark.parametrize("case", VALID_CASES, ids=[p.name for p in VALID_CASES])
def test_fmt_never_changes_what_a_valid_case_means(case: Path, cli: Any, tmp_path: Path) -> None:
    check_same_outputs(cli, case, "map.yaml", tmp_path)


def test_fmt_never_changes_what_the_commented_map_means(cli: Any, tmp_path: Path) -> None:
    assert check_same_outputs(cli, HERE, "commented.yaml", tmp_path) == 2  # the map and its part
    assert check_same_outputs(cli, HERE, "anchors.yaml", tmp_path / "2") == 1


def loads(case: Path) -> bool:
    try:
        load_map(str(case / "map.yaml"))
    except CyclemapError:
        return False
    return True


MAP_INVALID = [case for case in INVALID_CASES if not loads(case)]
"""The invalid cases whose map or included files are invalid (in the others, only the survey is: fmt formats those)."""


@pytest.mark.parametrize("case", MAP_INVALID, ids=[p.name for p in MAP_INVALID])
def test_an_invalid_case_is_reported_as_validate_does_and_not_rewritten(case: Path, cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(case, folder)
    texts = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    validated = cli("validate", str(folder / "map.yaml"))
    result = cli("fmt", str(folder / "map.yaml"))
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == texts
    assert result.code == validated.code
    assert result.code in (EXIT_INVALID, EXIT_USAGE)
    if result.code == EXIT_INVALID:
        assert result.err.strip() == validated.out.strip()
        assert result.out == ""


# -- the command: --check, --diff, what is written -------------------------------------------------------------


@pytest.fixture
def commented(tmp_path: Path) -> Path:
    shutil.copytree(HERE, tmp_path / "maps")
    return tmp_path / "maps" / "commented.yaml"


def test_check_lists_the_files_that_would_change_and_writes_nothing(cli: Any, commented: Path) -> None:
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in commented.parent.rglob("*.yaml")}
    result = cli("fmt", "--check", str(commented))
    assert result.code == EXIT_FOUND
    assert f"would reformat {commented}" in result.err
    assert f"would reformat {commented.parent / 'parts' / 'p.yaml'}" in result.err
    assert result.err.strip().endswith("2 files would be reformatted.")
    assert result.out == ""
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before


def test_diff_prints_a_unified_diff_and_writes_nothing(cli: Any, commented: Path) -> None:
    text = commented.read_text(encoding="utf-8")
    result = cli("fmt", "--diff", str(commented))
    assert result.code == EXIT_OK
    assert result.out.startswith(f"--- {commented}\n+++ {commented}\n@@ ")
    assert "+cyclemap: 1 # version\n" in result.out
    assert "+  post:\n" in result.out
    assert commented.read_text(encoding="utf-8") == text
    assert cli("fmt", "--diff", "--check", str(commented)).code == EXIT_FOUND


def test_fmt_writes_changed_files_only_and_keeps_their_mode(cli: Any, commented: Path) -> None:
    anchors = commented.parent / "anchors.yaml"
    commented.chmod(0o640)
    result = cli("fmt", str(commented))
    assert result.code == EXIT_OK
    assert result.err.strip().endswith("2 files reformatted.")
    assert commented.read_text(encoding="utf-8") == format_text(COMMENTED)
    assert commented.stat().st_mode & 0o777 == 0o640
    assert not list(commented.parent.glob(".*.tmp"))
    stamps = {p: p.stat().st_mtime_ns for p in commented.parent.rglob("*.yaml")}
    result = cli("fmt", str(commented), str(anchors))
    assert result.code == EXIT_OK
    assert "reformatted anchors.yaml" not in result.err
    assert result.err.strip().endswith("1 file reformatted, 2 files left unchanged.")
    unchanged = {p: t for p, t in stamps.items() if p != anchors}
    assert {p: p.stat().st_mtime_ns for p in unchanged} == unchanged
    check = cli("fmt", "--check", str(commented), str(anchors))
    assert (check.code, check.err.strip()) == (EXIT_OK, "3 files would be left unchanged.")


def test_one_invalid_map_means_no_file_is_written(cli: Any, commented: Path) -> None:
    bad = commented.parent / "bad.yaml"
    bad.write_text("cyclemap: 1\ntitle: [\n", encoding="utf-8")
    text = commented.read_bytes()
    result = cli("fmt", str(commented), str(bad))
    assert result.code == EXIT_INVALID
    assert f"{bad}:" in result.err and "error:" in result.err
    assert commented.read_bytes() == text


def test_a_meaning_change_is_a_bug_and_nothing_is_written(cli: Any, commented: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    real = fmt._Writer.document

    def broken(self: Any, context: Any) -> str:
        return real(self, context).replace("Part two", "Part 2")

    monkeypatch.setattr(fmt._Writer, "document", broken)
    before = {p: p.read_bytes() for p in commented.parent.rglob("*.yaml")}
    result = cli("fmt", str(commented))
    assert result.code == EXIT_INTERNAL
    assert "p.yaml: formatting would change what the file means" in result.err
    assert "please report it" in result.err
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.parametrize(("args", "code"), [((), EXIT_USAGE), (("-",), EXIT_USAGE), (("missing.yaml",), EXIT_USAGE)])
def test_nothing_to_do_is_a_usage_error(cli: Any, args: tuple[str, ...], code: int) -> None:
    result = cli("fmt", *args)
    assert result.code == code
    assert result.out == ""


def test_help_has_examples(cli: Any) -> None:
    result = cli("fmt", "--help")
    assert result.code == EXIT_OK
    assert "cyclemap fmt --check maps/*.yaml" in result.out
    assert "--diff" in result.out


# -- property: generated maps with comments, key orders, list styles and tricky texts ------------------------------

TRICKY = st.sampled_from(["no", "yes", "012", "1e3", "~", "null", "2024-01-01", ": x", "#x", " leading", "ünï 見",
                          "a\nb", "tab\there", "x: y", "- dash", "[x]", "{y}", "'q'", '"d"', "@at", "a #b", "%p"])
WORDS = TEXT | TRICKY


def scalar(text: str, rnd: Any, *, flow: bool = False) -> str:
    """`text` written in a random style that reads back as exactly `text` (as cyclemap reads it), in a flow list
    when `flow`."""
    styles = ["plain", "single", "double", "literal"]
    rnd.shuffle(styles)
    for style in styles:
        if style == "plain":
            written = text
        elif style == "single":
            written = "'" + text.replace("'", "''") + "'"
        elif style == "double":
            written = json.dumps(text, ensure_ascii=False)
        else:
            written = "|-\n" + "".join(f"  {line}\n" for line in text.split("\n")).rstrip("\n")
        if "\n" in written and (style != "literal" or flow):
            continue
        try:
            data, _ = yaml_reader.parse_yaml(f"k: [{written}]\n" if flow else f"k: {written}\n",
                                             yaml_reader.Source("t"))
        except MapError:  # not readable in this style: try another
            continue
        if isinstance(data, dict) and data.get("k") == ([text] if flow else text) and list(data) == ["k"]:
            return written
    return json.dumps(text, ensure_ascii=False)


class Writer:
    """Writes generated map data as YAML with random key orders, list styles and comments."""

    def __init__(self, rnd: Any) -> None:
        self.rnd = rnd
        self.lines: list[str] = []
        self.comments = 0

    def comment(self, indent: int) -> None:
        if self.rnd.random() < 0.2:
            self.comments += 1
            self.lines.append(" " * indent + f"# c{self.comments} {self.rnd.choice(['', '#', ': x', '- y'])}")

    def eol(self) -> str:
        if self.rnd.random() < 0.2:
            self.comments += 1
            return f"  # e{self.comments}"
        return ""

    def mapping(self, data: dict[str, Any], indent: int, first: str | None = None) -> None:
        keys = list(data)
        self.rnd.shuffle(keys)
        keys.sort(key=lambda k: k == "cyclemap" and self.rnd.random() < 0.5)
        for number, key in enumerate(keys):
            prefix = first if number == 0 and first is not None else " " * indent
            if number or first is None:
                self.comment(indent)
            self.value(prefix + key + ":", data[key], indent)

    def value(self, prefix: str, value: Any, indent: int) -> None:
        if isinstance(value, dict):
            self.lines.append(prefix + self.eol())
            self.mapping(value, indent + 2)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value) and self.rnd.random() < .5:
            items = [scalar(v, self.rnd, flow=True) for v in value]
            if all("\n" not in i for i in items):
                self.lines.append(f"{prefix} [{', '.join(items)}]{self.eol()}")
            else:
                self.lines.append(f"{prefix} {json.dumps(value, ensure_ascii=False)}")
        elif isinstance(value, list) and value:
            self.lines.append(prefix + self.eol())
            step = self.rnd.choice([0, 2])
            for item in value:
                self.comment(indent + step)
                dash = " " * (indent + step) + "- "
                if isinstance(item, dict):
                    self.mapping(item, indent + step + 2, first=dash)
                else:
                    self.value(dash[:-1], item, indent + step)
        elif isinstance(value, list):
            self.lines.append(f"{prefix} []{self.eol()}")
        elif isinstance(value, str):
            written = scalar(value, self.rnd)
            lines = written.split("\n")
            lines[1:] = [" " * indent + line for line in lines[1:]]
            self.lines.append(f"{prefix} {lines[0]}{self.eol()}")
            self.lines.extend(lines[1:])
        else:
            self.lines.append(f"{prefix} {value}{self.eol()}")


def with_texts(activities: list[dict[str, Any]], words: list[str]) -> None:
    """Put tricky texts into generated activities (pains, descriptions, tags)."""
    for number, item in enumerate(activities):
        if words:
            item["tags"] = words[: 1 + number % 3]
            item["description"] = words[number % len(words)]
        with_texts(item.get("subcycle", []), words)


@settings(FAST, max_examples=max(40, settings().max_examples // 10))  # a few seconds; more when thorough
@given(st.tuples(ACTIVITIES, ACTIVITIES, ACTIVITIES), st.lists(WORDS, max_size=6), st.randoms(use_true_random=False))
def test_fmt_never_changes_what_a_generated_map_means(phases: tuple[list[dict[str, Any]], ...], words: list[str],
                                                      rnd: Any) -> None:
    counter = [0]
    for activities in phases:
        number_names(activities, counter)
        with_texts(activities, words)
    data = {
        "cyclemap": 1, "title": words[0] if words else "T", "customer": "C", "outcome": "O",
        "scale": {"max": 10, "min": 1},
        "phases": {key: {"activities": acts} for key, acts in zip(("pre", "during", "post"), phases, strict=True)},
    }
    writer = Writer(rnd)
    writer.comment(0)
    writer.mapping(data, 0)
    text = "\n".join(writer.lines) + "\n"
    before = load_bytes(text.encode(), "map.yaml")
    out = format_text(text)
    assert load_bytes(out.encode(), "map.yaml") == before
    assert format_text(out) == out
    assert comments(out) == comments(text)
    assert sum(comments(text).values()) == writer.comments


def test_the_generator_writes_what_pyyaml_reads_too() -> None:
    """The property test's writer is sound: its YAML is what the data says (checked once with PyYAML)."""
    writer = Writer(random.Random(3))
    data = {"a": ["no", "x"], "b": {"c": "012", "d": [{"e": "1e3"}]}}
    writer.mapping(data, 0)
    assert yaml.load("\n".join(writer.lines), Loader=yaml.BaseLoader) == data  # noqa: S506 - BaseLoader: all text


def test_the_pre_commit_hook_formats_the_maps_it_is_given(cli: Any, commented: Path) -> None:
    """The cyclemap-fmt hook's command, as pre-commit runs it: rewrites, and passes once the files are formatted."""
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    entry = hooks["cyclemap-fmt"]["entry"].split()[1:]
    assert cli(*entry, str(commented)).code == EXIT_OK
    assert commented.read_text(encoding="utf-8") == format_text(COMMENTED)
    assert cli(*entry, "--check", str(commented)).code == EXIT_OK


# -- a file saved while fmt runs is never overwritten -------------------------------------------------------------

CHANGED = "changed while fmt ran; run fmt again"


def replaced(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1
    return text.replace(old, new)


def replace_file(path: Path, data: bytes) -> None:
    """Put `data` at `path` as an editor saves: a new file renamed over the old one."""
    temp = path.with_name(path.name + ".new")
    temp.write_bytes(data)
    temp.replace(path)


def test_a_file_replaced_while_fmt_runs_is_left_as_saved(cli: Any, commented: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The map is replaced by an invalid one after it was validated: that newer file is neither formatted nor
    overwritten; the other file is written; exit 3."""
    saved = replaced(COMMENTED, 'importance: "8"', "importance: 99").encode()
    real = fmt_files.format_text

    def saving(text: str) -> str:
        if text == COMMENTED:
            replace_file(commented, saved)
        return real(text)

    monkeypatch.setattr(fmt_files, "format_text", saving)
    result = cli("fmt", str(commented))
    assert result.code == EXIT_ENVIRONMENT
    assert f"{commented} {CHANGED}" in result.err
    assert commented.read_bytes() == saved
    part = commented.parent / "parts" / "p.yaml"
    assert f"reformatted {part}" in result.err
    assert result.err.strip().endswith("1 file reformatted.")
    assert not list(commented.parent.glob(".*.tmp"))


def test_a_file_edited_in_place_keeping_size_and_time_is_left_as_saved(cli: Any, commented: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Same inode, size and modification time: the content tells the edit apart."""
    saved = replaced(COMMENTED, 'importance: "8"', 'importance: "9"').encode()
    real = fmt_files.format_text

    def editing(text: str) -> str:
        if text == COMMENTED:
            info = commented.stat()
            with commented.open("r+b") as handle:
                handle.write(saved)
            os.utime(commented, ns=(info.st_atime_ns, info.st_mtime_ns))
        return real(text)

    monkeypatch.setattr(fmt_files, "format_text", editing)
    result = cli("fmt", str(commented))
    assert result.code == EXIT_ENVIRONMENT
    assert f"{commented} {CHANGED}" in result.err
    assert commented.read_bytes() == saved


def test_what_is_formatted_is_what_was_validated(cli: Any, commented: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The map is replaced right after it was validated: fmt formats the validated bytes, and writes nothing over
    the newer file (it used to read the file again and format the invalid one)."""
    saved = replaced(COMMENTED, 'importance: "8"', "importance: 99").encode()
    real = fmt_files.load_read_map
    formatted: list[str] = []

    def saving(data: bytes, path: str, files: Any) -> Any:
        cmap = real(data, path, files)
        if path == str(commented):
            replace_file(commented, saved)
        return cmap

    real_format = fmt_files.format_text

    def recording(text: str) -> str:
        formatted.append(text)
        return real_format(text)

    monkeypatch.setattr(fmt_files, "load_read_map", saving, raising=False)
    monkeypatch.setattr(fmt_files, "format_text", recording)
    result = cli("fmt", str(commented))
    assert result.code == EXIT_ENVIRONMENT
    assert commented.read_bytes() == saved
    assert COMMENTED in formatted and saved.decode() not in formatted


def test_a_file_two_maps_include_that_changes_between_them_stops_fmt(cli: Any, commented: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    part = commented.parent / "parts" / "p.yaml"
    other = commented.parent / "other.yaml"
    other.write_text("cyclemap: 1\ntitle: T\ncustomer: C\noutcome: O\nphases:\n"
                     "  pre:\n    activities:\n      - include: parts/p.yaml\n"
                     "  during:\n    activities: []\n  post:\n    activities: []\n",
                     encoding="utf-8")
    real = fmt_files.load_read_map

    def saving(data: bytes, path: str, files: Any) -> Any:
        cmap = real(data, path, files)
        if path == str(commented):
            part.write_text(replaced(part.read_text(encoding="utf-8"), "Part two", "Part 2"), encoding="utf-8")
        return cmap

    monkeypatch.setattr(fmt_files, "load_read_map", saving, raising=False)
    before = {p: p.read_bytes() for p in commented.parent.rglob("*.yaml") if p != part}
    result = cli("fmt", str(commented), str(other))
    assert result.code == EXIT_ENVIRONMENT
    assert f"{part} {CHANGED}" in result.err
    assert {p: p.read_bytes() for p in before} == before  # nothing written
    assert b"- name: Part 2 # eol\n" in part.read_bytes()  # the edit is kept


# -- read-only files and hard links ---------------------------------------------------------------------------


def test_a_read_only_file_is_refused_and_nothing_is_written(cli: Any, commented: Path) -> None:
    """Even for root, who may write anything: no write bit for the owner means 'do not change this file'."""
    before = {p: p.read_bytes() for p in commented.parent.rglob("*.yaml")}
    commented.chmod(0o444)
    result = cli("fmt", str(commented))
    assert result.code == EXIT_ENVIRONMENT
    assert f"{commented} is read-only; nothing was written" in result.err
    assert {p: p.read_bytes() for p in before} == before  # its part neither
    assert commented.stat().st_mode & 0o777 == 0o444
    assert cli("fmt", "--check", str(commented)).code == EXIT_FOUND  # checking reads only


def test_a_file_with_other_hard_links_is_written_in_place(cli: Any, commented: Path) -> None:
    """Every link shows the new text: the file keeps its inode (a rename would leave the other link behind)."""
    other = commented.parent / "linked.yaml"
    os.link(commented, other)
    inode = commented.stat().st_ino
    commented.chmod(0o640)
    result = cli("fmt", str(commented))
    assert result.code == EXIT_OK, result.err
    assert commented.read_text(encoding="utf-8") == format_text(COMMENTED)
    assert other.read_bytes() == commented.read_bytes()
    assert (commented.stat().st_ino, commented.stat().st_nlink) == (inode, 2)
    assert commented.stat().st_mode & 0o777 == 0o640
    assert cli("fmt", "--check", str(other)).code == EXIT_OK


def test_a_hard_linked_file_saved_while_fmt_runs_is_left_as_saved(cli: Any, commented: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    os.link(commented, commented.parent.parent / "linked.yaml")
    saved = replaced(COMMENTED, 'importance: "8"', 'importance: "9"').encode()
    real = fmt_files.format_text

    def editing(text: str) -> str:
        if text == COMMENTED:
            with commented.open("r+b") as handle:
                handle.write(saved)
        return real(text)

    monkeypatch.setattr(fmt_files, "format_text", editing)
    result = cli("fmt", str(commented))
    assert result.code == EXIT_ENVIRONMENT
    assert f"{commented} {CHANGED}" in result.err
    assert commented.read_bytes() == saved


# -- big maps: what keeps fmt within a few times validate's cost (timings are in bench/bench_fmt.py) ----------


@pytest.fixture(scope="module")
def big_text() -> str:
    """3,000 activities without their blank lines: fmt has the whole file to lay out again."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate  # noqa: PLC0415 - bench/ is not a package: its generator is found by path

    return "".join(line for line in generate(3000).splitlines(keepends=True) if line.strip())


def test_formatting_a_big_map_runs_no_garbage_collection(big_text: str, collections: list[int]) -> None:
    """The tree of a big file triggers no collector pass (each would rescan every node built so far)."""
    assert format_text(big_text) != big_text
    assert len(collections) <= 1
    assert gc.isenabled()


def test_the_tree_of_a_file_is_freed_as_soon_as_it_is_dropped(big_text: str) -> None:
    """No reference cycles: the tree is gone before the new text is read back, even with the collector paused."""
    gc.collect()
    gc.disable()
    try:
        format_text(big_text)
        left = gc.collect()
    finally:
        gc.enable()
    assert left < 100


def test_the_text_is_parsed_once_and_the_new_text_once(big_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """One parse gives the tree and the data the new text must match; an unchanged text is not read back."""
    parsed: list[int] = []
    real = yaml.parse

    def counting(stream: Any, Loader: Any) -> Any:  # noqa: N803 - PyYAML's name
        parsed.append(len(stream))
        return real(stream, Loader=Loader)

    monkeypatch.setattr(yaml, "parse", counting)
    out = format_text(big_text)
    assert parsed == [len(big_text), len(out)]
    parsed.clear()
    assert format_text(out) == out
    assert parsed == [len(out)]
