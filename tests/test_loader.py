"""The loader: bytes in, a validated map or every located problem out."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cyclemap.loader import build_map, decode, load_bytes, load_map, read_bytes
from cyclemap.problems import MapError, Problem

CASES = Path(__file__).parent / "cases"


def problems_of(data: str | bytes) -> list[Problem]:
    with pytest.raises(MapError) as caught:
        load_bytes(data.encode() if isinstance(data, str) else data, "map.yaml")
    return caught.value.problems


def test_a_valid_map_loads_with_ids_assigned(small_map: str) -> None:
    """A valid map comes back as a CycleMap whose activities all have ids."""
    cmap = load_bytes(small_map.encode(), "map.yaml")
    assert cmap.title == "Booking a repair"
    assert [v.activity.id for v in cmap.walk()] == [
        "find-the-model-number",
        "look-behind-the-door",
        "let-the-engineer-in",
        "pay-the-invoice",
    ]


def test_load_map_reads_the_file_it_is_given(small_map: str, write_map: Callable[..., Path]) -> None:
    """`load_map(path)` is `load_bytes` on the file's content."""
    assert load_map(str(write_map(small_map))).title == "Booking a repair"


def test_problems_carry_file_line_column_and_map_path(small_map: str) -> None:
    """A validation error points at the value's line and column and names its path in the map."""
    [problem] = problems_of(small_map.replace("importance: 6", "importance: 60"))
    assert (problem.file, problem.line, problem.col) == ("map.yaml", 9, 21)
    assert problem.path == "phases.pre.activities[0].importance"
    assert str(problem) == "map.yaml:9:21: error: 'importance': 60 is outside the map's scale of 1 to 10"


def test_subcycle_paths_are_spelled_out(small_map: str) -> None:
    """Problems deep in subcycles have the full path down to the field."""
    [problem] = problems_of(small_map.replace("Look behind the door", "Look\n            pains: x"))
    assert problem.path == "phases.pre.activities[0].subcycle[0].pains"


def test_all_problems_are_reported_in_one_run_sorted_by_position() -> None:
    """Every problem of a map comes back at once, in file order, not only the first."""
    found = problems_of((CASES / "invalid/several-problems/map.yaml").read_bytes())
    assert len(found) == 6
    assert found == sorted(found, key=lambda p: (p.line, p.col))


def test_unknown_key_is_located_at_the_key() -> None:
    """An unknown key is pointed at where the key is written, not at its value."""
    [problem] = problems_of(
        "cyclemap: 1\ntitle: T\ncustomer: C\noutcome: O\ntitel: x\n"
        "phases: {pre: {activities: []}, during: {activities: []}, post: {activities: []}}\n"
    )
    assert (problem.line, problem.col, problem.path) == (5, 1, "titel")
    assert problem.message == "unknown key 'titel'; did you mean 'title'?"


def test_the_text_read_is_kept_to_quote_lines() -> None:
    """MapError keeps the decoded text of the file, so reports can show the offending line."""
    with pytest.raises(MapError) as caught:
        load_bytes(b"cyclemap: 1\n", "map.yaml")
    assert caught.value.sources == {"map.yaml": "cyclemap: 1\n"}


def test_text_values_stay_text() -> None:
    """`name: no`, `owner: 012`, `1:20` and friends keep exactly what was written."""
    cmap = load_map(str(CASES / "valid/text-stays-text/map.yaml"))
    activity = cmap.phases.pre.activities[0]
    assert (cmap.title, cmap.outcome) == ("012", "on")
    assert (activity.name, activity.owner, activity.description, activity.notes) == ("no", "012", "1:20", "1e3")
    assert activity.pains == ("yes", "off", "~null~", "0x1F", "2024-01-01")


def test_numbers_in_many_forms() -> None:
    """Scores and gap settings accept whole and decimal numbers, quoted or not."""
    cmap = load_map(str(CASES / "valid/numbers-in-many-forms/map.yaml"))
    scores = [(a.importance, a.satisfaction) for a in cmap.phases.pre.activities]
    assert scores == [(8, 2.5), (7, 3), (10.0, 0.5)]
    assert (cmap.scale.min, cmap.gaps.threshold, cmap.gaps.overserved_margin) == (0, 12.5, 2)


def test_merge_keys_fill_activities() -> None:
    """`<<: *defaults` works in maps; keys written in the activity win."""
    cmap = load_map(str(CASES / "valid/merge-keys/map.yaml"))
    first, second = cmap.phases.pre.activities
    assert (first.importance, first.satisfaction, first.owner) == (8, 5, None)
    assert (second.importance, second.satisfaction, second.owner) == (5, 5, "Repairs team")


def test_x_keys_anywhere_are_kept_as_read() -> None:
    """x- keys at every level are accepted and available, as read, in `extensions`."""
    cmap = load_map(str(CASES / "valid/x-keys-anywhere/map.yaml"))
    assert cmap.extensions == {"x-team": "Repairs", "x-review": {"every": "quarter", "next": "2026-07-01"}}
    assert cmap.phases.pre.extensions == {"x-colour": "blue"}
    assert cmap.phases.pre.activities[0].evidence[0].extensions == {"x-quote": "It's under the door"}
    assert cmap.scale.extensions == {"x-source": "2025 survey"}


def test_scale_written_as_decimal_text_still_bounds_scores(small_map: str) -> None:
    """A scale written `min: 1e1` is the scale 10..100, and scores below it are out of scale."""
    text = small_map.replace("phases:", "scale: {min: 1e1, max: 100}\nphases:")
    assert [p.message for p in problems_of(text)] == [
        "'importance': 6 is outside the map's scale of 10 to 100",
        "'satisfaction': 3 is outside the map's scale of 10 to 100",
    ]


def test_duplicate_ids_name_both_places_and_suggest_an_explicit_id(small_map: str) -> None:
    """A derived-id collision points at the second activity and names where the first is."""
    [problem] = problems_of(small_map.replace("Pay the invoice", "Find the MODEL number!"))
    assert str(problem) == (
        "map.yaml:18:9: error: duplicate id 'find-the-model-number': 'Find the MODEL number!' and "
        "'Find the model number' (at map.yaml:8:9) share it; give one of them an explicit 'id:'"
    )
    assert problem.path == "phases.post.activities[0]"


def test_expanded_aliases_do_not_blow_up_error_messages() -> None:
    """A million values reached through aliases into wrong fields give short messages, quickly."""
    text = "\n".join(
        [
            "cyclemap: 1",
            "title: T",
            "customer: C",
            "outcome: O",
            "x-a: &a [" + ", ".join(["lol"] * 100) + "]",
            "x-b: &b [" + ", ".join(["*a"] * 100) + "]",
            "x-c: &c [" + ", ".join(["*b"] * 50) + "]",
            "phases:",
            "  pre:",
            "    activities:",
            "      - name: *c",
            "        importance: *c",
            "        pains: *b",
            "  during: {activities: []}",
            "  post: {activities: []}",
        ]
    )
    start = time.perf_counter()
    found = problems_of(text)
    assert time.perf_counter() - start < 2
    assert max(len(p.message) for p in found) < 100
    assert "map.yaml:11:15: error: 'name' must be text, not a list" in map(str, found)
    assert "map.yaml:12:21: error: 'importance': expected a number, got a list" in map(str, found)


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (b"\xef\xbb\xbfa: caf\xc3\xa9 \xff", (1, 10), "invalid UTF-8 (byte 0xff); save the file as UTF-8"),
        (b"a: 1\nb: \xe2\x82", (2, 4), "invalid UTF-8 (byte 0xe2); save the file as UTF-8"),
        (b"a: \xc3\xa9\xc3\xa9\x00", (1, 6), "the file contains a NUL byte; is it a binary file?"),
        (b"\xfe\xff\x00a", (1, 1), "the file is UTF-16; save it as UTF-8"),
        (b"\xff\xfea\x00", (1, 1), "the file is UTF-16; save it as UTF-8"),
    ],
)
def test_encoding_problems_are_located_in_characters(data: bytes, where: tuple[int, int], message: str) -> None:
    """Bad bytes are reported at their line and character column (not byte offset)."""
    with pytest.raises(MapError) as caught:
        decode(data, "map.yaml")
    assert caught.value.problems == [Problem("map.yaml", *where, message)]


def test_a_utf8_byte_order_mark_is_accepted(small_map: str) -> None:
    """Files saved by editors that add a UTF-8 BOM load normally."""
    assert load_bytes(b"\xef\xbb\xbf" + small_map.encode(), "map.yaml").title == "Booking a repair"


def test_crlf_files_load_and_locate_problems(small_map: str) -> None:
    """A map with Windows line ends loads; its problems have the same lines and columns."""
    text = small_map.replace("importance: 6", "importance: 60").replace("\n", "\r\n")
    [problem] = problems_of(text)
    assert (problem.line, problem.col) == (9, 21)


def test_standard_input_is_read_with_dash(small_map: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`-` reads the map from standard input and reports problems against '-'."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(small_map.encode())))
    assert load_map("-").title == "Booking a repair"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"cyclemap: [")))
    with pytest.raises(MapError) as caught:
        load_map("-")
    assert caught.value.problems[0].file == "-"


def test_standard_input_is_limited_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input is read up to the limit only, then refused."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"#" * 5000)))
    with pytest.raises(MapError) as caught:
        read_bytes("-", limit=100)
    assert caught.value.problems[0].message == "the file is larger than 100 bytes; split the map into smaller ones"


def test_only_mappings_are_maps() -> None:
    """Parsed data that is not a mapping is refused with the one-line explanation."""
    for root in (None, "text", []):
        with pytest.raises(MapError) as caught:
            build_map(root, "map.yaml")
        assert caught.value.problems[0].message == "a map is a set of keys and values starting with 'cyclemap: 1'"


def test_huge_keys_and_anchors_are_clipped_in_messages() -> None:
    """A 100,000-character key, anchor or tag gives a message of normal size."""
    huge = "k" * 100_000
    text = f"cyclemap: 1\n? {huge}\n: 1\n? {huge}\n: 2\nx: !{huge} 1\ny: *{huge}\n"
    found = problems_of(text)
    assert len(found) == 3
    assert all(len(p.message) < 200 for p in found)
    [unknown] = problems_of(f"cyclemap: 1\n? {huge}\n: 1\n")[-1:]
    assert unknown.message.startswith("unknown key 'kkkk")
    assert len(unknown.message) < 400
    assert len(unknown.path) == 80
