"""The YAML reader: plain data that remembers positions, no YAML 1.1 guessing, bounded work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from cyclemap import yaml_reader
from cyclemap.problems import MapError
from cyclemap.yaml_reader import MAX_DEPTH, Source, YMap, YSeq, position_of, read_yaml

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))


def read(text: str) -> Any:
    return read_yaml(text, Source("map.yaml"))


def problems(text: str) -> list[str]:
    with pytest.raises(MapError) as caught:
        read(text)
    return [str(p) for p in caught.value.problems]


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's C parser and again with PyYAML's pure-Python fallback."""
    if request.param == "pure-python":
        monkeypatch.setattr(yaml_reader, "_Loader", yaml.SafeLoader)
    return str(request.param)


@pytest.mark.parametrize(
    "written",
    [
        "no",
        "yes",
        "off",
        "on",
        "true",
        "False",
        "012",
        "0x1F",
        "0o17",
        "1:20",
        "1e3",
        "1_000",
        ".nan",
        ".inf",
        "2024-01-01",
        "2024-01-01 10:00:00+99:00",
        "=",
        "<<x",
    ],
)
def test_scalars_stay_text_as_written(written: str, parser: str) -> None:
    """YAML 1.1 guessing never changes a value: `no` stays "no", `012` stays "012"."""
    assert read(f"value: {written}\n")["value"] == written


@pytest.mark.parametrize(
    ("written", "value"),
    [("", None), ("~", None), ("null", None), ("NULL", None), ("''", ""), ('""', ""), ("'~'", "~"), ("'null'", "null")],
)
def test_only_plain_empty_tilde_and_null_are_nothing(written: str, value: str | None) -> None:
    """An empty value, `~` and `null` are None; quoted, they are text."""
    assert read(f"value: {written}\n")["value"] == value


def test_plain_tags_keep_the_text_as_written() -> None:
    """`!!str`, `!!int`, `!!float` and `!` are plain YAML: the value stays the text written."""
    assert read("a: !!str 012\nb: !!int 5\nc: !!float 2.5\nd: ! 7\ne: !!null ''\n") == {
        "a": "012",
        "b": "5",
        "c": "2.5",
        "d": "7",
        "e": None,
    }


def test_block_scalars_keep_their_lines() -> None:
    """Literal and folded block scalars read as YAML defines them."""
    data = read("a: |\n  one\n  two\nb: >-\n  one\n  two\n")
    assert data == {"a": "one\ntwo\n", "b": "one two"}


def test_positions_of_keys_values_and_items_are_one_based(parser: str) -> None:
    """Every key, value and list item knows its 1-based line and column."""
    data = read("title: T\nphases:\n  pre:\n    activities:\n      - name: A\n      - {name: B}\n")
    assert isinstance(data, YMap)
    assert data.pos == (1, 1)
    assert data.key_pos == {"title": (1, 1), "phases": (2, 1)}
    assert data.value_pos["title"] == (1, 8)
    items = data["phases"]["pre"]["activities"]
    assert isinstance(items, YSeq)
    assert items.item_pos == [(5, 9), (6, 9)]
    assert items[1].value_pos["name"] == (6, 16)
    assert data.source == Source("map.yaml")


def test_positions_survive_crlf_line_ends() -> None:
    """Windows line ends do not shift lines or columns."""
    data = read("a: 1\r\nb:\r\n  - x\r\n  - y\r\n")
    assert data.value_pos["a"] == (1, 4)
    assert data["b"].item_pos == [(3, 5), (4, 5)]


def test_position_of_answers_for_maps_and_lists_only() -> None:
    """`position_of` finds a value's position in a YMap or YSeq, and None elsewhere."""
    data = read("a: [x, y]\n")
    assert position_of(data, "a") == (1, 4)
    assert position_of(data["a"], 1) == (1, 8)
    assert position_of(data["a"], 5) is None
    assert position_of(data, "missing") is None
    assert position_of({"a": 1}, "a") is None


def test_merge_keys_copy_missing_keys_and_local_keys_win() -> None:
    """`<<: *defaults` fills in keys not written here; with a list, earlier mappings win."""
    data = read("d1: &d1 {a: 1, b: 1}\nd2: &d2 {b: 2, c: 2}\none: {<<: *d1, a: own}\ntwo: {<<: [*d1, *d2], c: own}\n")
    assert data["one"] == {"a": "own", "b": "1"}
    assert data["two"] == {"b": "1", "c": "own", "a": "1"}
    assert "<<" not in data["two"].key_pos
    assert data["two"].value_pos["a"] == (1, 13)  # where the merged value was written


def test_merge_of_something_else_is_a_problem() -> None:
    """Merging text (not a mapping) is reported where it is written."""
    assert problems("a: {<<: text}\n") == ["map.yaml:1:9: error: '<<' (merge) takes a mapping or a list of mappings"]


def test_aliases_share_the_anchored_value() -> None:
    """An alias is the anchored value itself, not a copy, so aliases cost no memory."""
    data = read("a: &x [1, 2]\nb: *x\nc: &s text\nd: *s\n")
    assert data["b"] is data["a"]
    assert data["d"] == "text"


def test_an_anchor_defined_again_replaces_the_first() -> None:
    """A later `&name` is what later aliases see, as YAML specifies."""
    assert read("a: &x 1\nb: &x 2\nc: *x\n")["c"] == "2"


def test_every_key_problem_in_a_file_is_reported_at_once() -> None:
    """Duplicate keys, non-text keys and tags are all reported in one run, in file order."""
    assert problems("a: 1\na: 2\n[x]: 3\nb: !!python/tuple [1]\n? \n: 4\n") == [
        "map.yaml:2:1: error: duplicate key 'a' (first defined at line 1, column 1)",
        "map.yaml:3:1: error: a key must be plain text, not a list or mapping",
        "map.yaml:4:4: error: the tag '!!python/tuple' is not allowed; maps use plain YAML values (remove the tag)",
        "map.yaml:5:2: error: a key must be plain text, not empty",
    ]


def test_a_syntax_error_ends_reading_but_keeps_earlier_problems() -> None:
    """Problems found before a syntax error are kept; reading stops at the error."""
    assert problems("a: 1\na: 2\nb: [\n") == [
        "map.yaml:2:1: error: duplicate key 'a' (first defined at line 1, column 1)",
        "map.yaml:4:1: error: invalid YAML: did not find expected node content (while parsing a flow node at line 4)",
    ]


@pytest.mark.parametrize(
    "text", ["a:\n\t- b\n", "a:\n  b: 1\n\tc: 2\n", "cyclemap: 1\n\ttitle: x\n", "a: [1,\t2]\nb:\n\t- c\n"]
)
def test_tab_indentation_gets_a_hint(text: str, parser: str) -> None:
    """Whatever the parser says about a tab, the problem tells to indent with spaces."""
    [message] = problems(text)
    assert message.endswith("use spaces, not tabs, to indent YAML")


def test_unquoted_colon_gets_a_hint(parser: str) -> None:
    """`title: Step 1: go` explains that such values need quotes."""
    [message] = problems("title: Step 1: go\n")
    assert message.startswith("map.yaml:1:14: error: invalid YAML: mapping values are not allowed")
    assert message.endswith("""must be put in quotes, for example  name: "Step 1: choose\"""")


@pytest.mark.parametrize(("char", "line", "col"), [("\x07", 2, 6), ("\x1b", 2, 6), ("\ufffe", 2, 6), ("\x7f", 2, 6)])
def test_characters_yaml_refuses_are_located(char: str, line: int, col: int, parser: str) -> None:
    """A control character is reported at its own line and column, whichever parser runs."""
    assert problems(f"a: é\nb: éé{char}\n") == [
        f"map.yaml:{line}:{col}: error: the file contains the control character U+{ord(char):04X}, "
        "which YAML does not allow; remove it"
    ]


@pytest.mark.parametrize("text", ["", "# nothing\n", "---\n", "--- ~\n", "--- # nothing\n...\n"])
def test_a_document_without_content_is_empty(text: str) -> None:
    """No document, or one holding nothing, is reported as an empty file."""
    assert problems(text) == ["map.yaml:1:1: error: the file is empty; a map starts with 'cyclemap: 1'"]


def test_a_second_document_is_refused_where_it_starts() -> None:
    """A file holds one document; the second `---` is pointed at."""
    assert problems("a: 1\n--- \nb: 2\n") == [
        "map.yaml:2:1: error: a map file holds one YAML document; remove the second '---'"
    ]


def test_depth_limit_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    """MAX_DEPTH levels of nesting are read; one more is refused at the level that crosses it."""
    assert MAX_DEPTH == 100
    nested = read("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    for _ in range(MAX_DEPTH - 1):
        nested = nested[0]
    assert nested == []
    [message] = problems("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert message.startswith(f"map.yaml:1:{MAX_DEPTH + 1}: error: the map is nested more than 100 levels deep")


def test_deep_nesting_stops_the_pure_python_parser_too(parser: str) -> None:
    """The fallback parser (recursive in PyYAML's composer) never reaches a RecursionError."""
    [message] = problems("- " * 5000 + "x\n")
    assert "nested more than 100 levels deep" in message


def test_node_limit_counts_expanded_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    """The expanded size is counted per alias, memoised: cheap to check, impossible to dodge."""
    monkeypatch.setattr(yaml_reader, "MAX_NODES", 100)
    read("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a, *a, *a]\n")  # 1 + 2 + 10 + 2 + 8 * 10 = 95
    [message] = problems("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n")
    assert message.startswith("map.yaml:2:37: error: the map expands to more than 100 values")


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_both_parsers_read_the_same_data_and_positions(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pure-Python fallback gives the same values and positions as libyaml."""
    text = example.read_text(encoding="utf-8")
    fast = read(text)
    monkeypatch.setattr(yaml_reader, "_Loader", yaml.SafeLoader)
    slow = read(text)
    assert fast == slow
    assert list(_positions(fast)) == list(_positions(slow))


def _positions(node: Any) -> Any:
    if isinstance(node, YMap):
        yield node.pos, node.key_pos, node.value_pos
        for value in node.values():
            yield from _positions(value)
    elif isinstance(node, YSeq):
        yield node.pos, node.item_pos
        for value in node:
            yield from _positions(value)
