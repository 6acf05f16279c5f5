"""The gaps table of a big map is written row by row, and looks exactly like the small maps' rich table."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyclemap.gaps import KINDS, Gap, band
from cyclemap.model import CycleMap
from cyclemap.report.gaps import GapReport, report_table

ANSI = re.compile(r"\x1b\[[0-9;]*m")
NEVER = 10**9
"""A `stream_from` that keeps rich's Table."""


def cycle_map(labels: dict[str, str] | None = None, title: str = "T") -> CycleMap:
    phases: dict[str, Any] = {key: {"activities": []} for key in ("pre", "during", "post")}
    for key, label in (labels or {}).items():
        phases[key]["label"] = label
    return CycleMap.model_validate({"cyclemap": 1, "title": title, "customer": "C", "outcome": "O", "phases": phases})


def gap(number: int, names: tuple[str, ...], reason: str, score: float | None, kinds: tuple[str, ...]) -> Gap:
    kinds = kinds or ("unserved",)
    underserved = score is not None and "underserved" in kinds
    phase = ("pre", "during", "post")[number % 3]
    return Gap(f"a{number}", phase, names, kinds, score, band(score) if underserved else None, None, None, reason)


def both(report: GapReport, monkeypatch: pytest.MonkeyPatch, width: int) -> tuple[str, str]:
    """The table as rich's Table prints it, and as streamed."""
    monkeypatch.setenv("COLUMNS", str(width))
    by_rich, streamed = io.StringIO(), io.StringIO()
    report_table(report, by_rich, stream_from=NEVER)
    report_table(report, streamed, stream_from=1)
    return by_rich.getvalue(), streamed.getvalue()


PIECES = [*"abc XYZ-", "  ", "\t", "\n", "é", "見", "[b]", "\x1b", "\u202e", "x" * 30, "┡━╇", "│"]
TEXT = (
    st.lists(st.sampled_from(PIECES), max_size=25)
    .map("".join)
    .filter(lambda text: text.strip() != "")
)
GAPS = st.lists(
    st.tuples(
        st.lists(TEXT, min_size=0, max_size=3).map(tuple),
        TEXT,
        st.one_of(st.none(), st.floats(0, 20, allow_nan=False)),
        st.lists(st.sampled_from(KINDS), unique=True, max_size=3).map(tuple),
    ),
    min_size=1,
    max_size=6,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    entries=GAPS,
    width=st.integers(20, 220),
    label=st.sampled_from(["", "Living with it", "A very long phase label here", "Ünïcode 見積"]),
    title=TEXT,
)
def test_streamed_table_is_byte_identical_to_richs_table(
    monkeypatch: pytest.MonkeyPatch, entries: list[Any], width: int, label: str, title: str
) -> None:
    """Any names and title (tabs, newlines, wide characters, markup, escapes, box lines) at any width: same bytes."""
    cmap = cycle_map({"during": label} if label else None, title)
    gaps = [gap(n, names, reason, score, kinds) for n, (names, reason, score, kinds) in enumerate(entries)]
    by_rich, streamed = both(GapReport("m.yaml", cmap, 10, gaps, len(gaps)), monkeypatch, width)
    assert streamed == by_rich


def test_streamed_table_keeps_colours_of_richs_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a colour terminal the streamed rows carry the same severity styles, byte for byte."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    gaps = [gap(n, ("Decide", f"Step {n}"), "customer rates this 9/10 important", 20.0 - n, ("underserved",))
            for n in range(5)]
    by_rich, streamed = both(GapReport("m.yaml", cycle_map(), 10, gaps, 5), monkeypatch, 90)
    assert "\x1b[1;31m" in streamed
    assert streamed == by_rich


def test_streamed_table_shows_user_text_literally(monkeypatch: pytest.MonkeyPatch) -> None:
    """Markup stays text and terminal escapes are shown as \\xNN in the streamed rows too."""
    names = ("Close [/] the [link=https://evil.example]deal[/link]", "Pay \x1b[31mred\x1b]8;;x\x07")
    gaps = [gap(1, names, "why", None, ("unserved",))] * 3
    _, streamed = both(GapReport("m.yaml", cycle_map(), 10, gaps, 3), monkeypatch, 300)
    assert "Close [/] the [link=https://evil.example]deal[/link] > Pay \\x1b[31mred\\x1b]8;;x\\x07" in streamed
    assert "\x1b" not in streamed


def test_big_table_is_written_in_bounded_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of gaps are written as several batches, not one string holding the whole table."""
    gaps = [gap(n, (f"Step {n}",), "no offering of ours covers it", None, ("unserved",)) for n in range(3000)]
    writes: list[int] = []

    class Counting(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(len(text))
            return super().write(text)

    monkeypatch.setenv("COLUMNS", "100")
    out = Counting()
    report_table(GapReport("m.yaml", cycle_map(), 10, gaps, len(gaps)), out)
    assert out.getvalue().count("│ Step ") == 3000
    assert max(writes) < len(out.getvalue()) // 4
    assert ANSI.search(out.getvalue()) is None
