"""Property tests: no input makes the loader fail in any way but MapError, and valid maps round-trip."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyclemap.loader import load_bytes
from cyclemap.model import CycleMap
from cyclemap.problems import MapError, split_lines
from cyclemap.report.problems import Checked, report_json, report_text

EXAMPLE = (Path(__file__).parent.parent / "examples" / "home-solar.yaml").read_text(encoding="utf-8")
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""Example counts come from the profile (conftest.py): moderate by default, `--hypothesis-profile=thorough` for more."""


def load_or_problems(data: bytes) -> CycleMap | MapError:
    """Load `data`; a MapError is returned after checking its problems can be shown."""
    try:
        return load_bytes(data, "map.yaml")
    except MapError as err:
        text = err.sources.get("map.yaml", data.decode("utf-8", "replace"))
        lines = len(split_lines(text))
        for problem in err.problems:
            assert 1 <= problem.line <= lines + 1, problem  # + 1: the parser may point past a last unended line
            assert problem.col >= 1, problem
        with contextlib.redirect_stdout(io.StringIO()):
            report_text([Checked("map.yaml", err.problems, err.sources)])
            report_json([Checked("map.yaml", err.problems, err.sources)])
        return err


# -- (a) anything at all --------------------------------------------------------------

YAMLISH = st.sampled_from(
    [
        *":-[]{}&*!|>'\"%@`#,?\t\n ",
        *("<<: ", "- ", ": ", "---\n", "...\n", "&a ", "*a", "!!str ", "!!python/object:os.system "),
        *("\x00", "\x85", "\ufeff", "\u2028", "\r\n", "é", "見", "~", "no", "012", "1e999", ".nan", "{a: ", "["),
        *("cyclemap: 1\n", "phases:\n", "  pre:\n", "    activities:\n", "      - name: ", "importance: "),
    ]
)


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_give_a_map_or_located_problems(data: bytes) -> None:
    """Random bytes never raise anything but MapError, and every problem is printable."""
    load_or_problems(data)


@FAST
@given(st.text(max_size=200) | st.lists(YAMLISH, max_size=40).map("".join))
def test_any_text_gives_a_map_or_located_problems(text: str) -> None:
    """Random text, and random YAML punctuation soup, never raise anything but MapError."""
    load_or_problems(text.encode("utf-8", "surrogatepass"))


# -- (b) generated valid maps ---------------------------------------------------------

TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)
SCORE = st.integers(1, 10) | st.floats(1, 10, allow_nan=False).map(lambda f: round(f, 2))
EVIDENCE = st.fixed_dictionaries(
    {"source": st.sampled_from(["interview", "survey", "analytics"]), "ref": TEXT},
    optional={"note": TEXT, "date": st.dates().map(str)},
)


def activity(children: st.SearchStrategy[list[dict[str, Any]]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"name": TEXT},
        optional={
            "importance": SCORE,
            "satisfaction": SCORE,
            "pains": st.lists(TEXT, max_size=2),
            "evidence": st.lists(EVIDENCE, max_size=2),
            "x-note": TEXT,
            "subcycle": children,
        },
    )


ACTIVITIES = st.recursive(
    st.lists(activity(st.just([])), max_size=3),
    lambda children: st.lists(activity(children), min_size=1, max_size=3),
    max_leaves=12,
)


def number_names(activities: list[dict[str, Any]], counter: list[int]) -> int:
    """Make every name end in its own number, so derived ids are unique; return how many there are."""
    for item in activities:
        counter[0] += 1
        item["name"] = f"{item['name'][:150]} {counter[0]}"
        number_names(item.get("subcycle", []), counter)
    return counter[0]


@FAST
@given(st.tuples(ACTIVITIES, ACTIVITIES, ACTIVITIES), TEXT)
def test_generated_valid_maps_round_trip(phases: tuple[list[dict[str, Any]], ...], title: str) -> None:
    """Any map built by the rules loads, keeps every activity and its name, and gets unique ids."""
    counter = [0]
    for activities in phases:
        number_names(activities, counter)
    data = {
        "cyclemap": 1,
        "title": title,
        "customer": "Customers",
        "outcome": "An outcome",
        "phases": {key: {"activities": acts} for key, acts in zip(("pre", "during", "post"), phases, strict=True)},
    }
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    cmap = load_bytes(text.encode(), "map.yaml")
    visits = list(cmap.walk())
    assert len(visits) == counter[0]
    assert len({v.activity.id for v in visits}) == len(visits)
    assert cmap.title == title
    assert [v.activity.name for v in visits] == [name for acts in phases for name in _names(acts)]


def _names(activities: list[dict[str, Any]]) -> list[str]:
    return [name for item in activities for name in (item["name"], *_names(item.get("subcycle", [])))]


# -- (c) mutations of a real map ---------------------------------------------------------

EDIT = st.one_of(
    st.tuples(st.just("delete-line"), st.integers(0, 10_000), st.just("")),
    st.tuples(st.just("swap"), st.integers(0, 100_000), st.just("")),
    st.tuples(st.just("insert"), st.integers(0, 100_000), YAMLISH),
)


def mutate(text: str, edit: tuple[str, int, str]) -> str:
    kind, at, inserted = edit
    if kind == "delete-line":
        lines = text.splitlines(keepends=True)
        del lines[at % len(lines)]
        return "".join(lines)
    at %= len(text) - 1
    if kind == "swap":
        return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    return text[:at] + inserted + text[at:]


@FAST
@given(st.lists(EDIT, min_size=1, max_size=4))
def test_mutated_example_maps_are_valid_or_located_problems(edits: list[tuple[str, int, str]]) -> None:
    """Deleting lines, swapping characters or inserting YAML punctuation never crashes the loader."""
    text = EXAMPLE
    for edit in edits:
        text = mutate(text, edit)
    load_or_problems(text.encode("utf-8", "surrogatepass"))
