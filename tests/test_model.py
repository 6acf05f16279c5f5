"""The v1 model: ids, numbers, scales, x- keys and walking, used without the loader."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from pydantic import ValidationError

from cyclemap.model import (
    Activity,
    CycleMap,
    GapSettings,
    Scale,
    assign_ids,
    derive_id,
    label_of,
)


def a_map(**overrides: Any) -> dict[str, Any]:
    """A valid map as plain data, as the loader hands it to the model."""
    data: dict[str, Any] = {
        "cyclemap": "1",
        "title": "Booking a repair",
        "customer": "Owners of a broken washing machine",
        "outcome": "A working machine again",
        "phases": {
            "pre": {"activities": [{"name": "Find the model number", "subcycle": [{"name": "Look behind the door"}]}]},
            "during": {"activities": [{"name": "Let the engineer in"}]},
            "post": {"activities": []},
        },
    }
    data.update(overrides)
    return data


def error_types(exc: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    return [(e["loc"], e["type"]) for e in exc.errors()]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Understand whether solar pays off?", "understand-whether-solar-pays-off"),
        ("Café crème", "cafe-creme"),
        ("  Ünïcödé -- ÉTÉ 2026!  ", "unicode-ete-2026"),
        ("Step 1: choose", "step-1-choose"),
        ("ﬁnd the ﬁle", "find-the-file"),  # NFKD splits the ligature
        ("見積もり", ""),
        ("!!!", ""),
        ("A/B test", "a-b-test"),
    ],
)
def test_derived_ids(name: str, expected: str) -> None:
    """Names become ids: accents dropped, lower-cased, runs of anything else as one '-'."""
    assert derive_id(name) == expected


def test_ids_fall_back_to_the_phase_and_position_path() -> None:
    """A name that leaves nothing (Japanese) gets `phase-position[-position...]`, 1-based."""
    data = a_map()
    data["phases"]["post"]["activities"] = [
        {"name": "Pay"},
        {"name": "支払う", "subcycle": [{"name": "領収書"}, {"name": "Keep the receipt"}]},
    ]
    cmap = CycleMap.model_validate(data)
    assert assign_ids(cmap) == []
    assert [v.activity.id for v in cmap.walk()] == [
        "find-the-model-number",
        "look-behind-the-door",
        "let-the-engineer-in",
        "pay",
        "post-2",
        "post-2-1",
        "keep-the-receipt",
    ]


def test_explicit_ids_win_over_names() -> None:
    """An explicit id is kept as written."""
    data = a_map()
    data["phases"]["during"]["activities"][0]["id"] = "door"
    cmap = CycleMap.model_validate(data)
    assign_ids(cmap)
    assert cmap.phases.during.activities[0].id == "door"


def test_id_clashes_are_returned_as_pairs_in_walk_order() -> None:
    """Every activity whose id is taken is paired with the first holder of that id."""
    data = a_map()
    data["phases"]["post"]["activities"] = [
        {"name": "find  the MODEL number"},
        {"name": "x", "id": "find-the-model-number"},
    ]
    cmap = CycleMap.model_validate(data)
    clashes = assign_ids(cmap)
    assert [(first.activity.name, second.activity.name) for first, second in clashes] == [
        ("Find the model number", "find  the MODEL number"),
        ("Find the model number", "x"),
    ]


@pytest.mark.parametrize(
    ("written", "value"),
    [("8", 8), ("7.5", 7.5), (" 3 ", 3), ("+2", 2), ("1e1", 10.0), (".5", 0.5), (6, 6), (2.5, 2.5), (10**400, 10**400)],
)
def test_scores_are_read_as_numbers(written: Any, value: float) -> None:
    """Scores written as YAML text become numbers; whole numbers stay int."""
    activity = Activity.model_validate({"name": "A", "importance": written})
    assert activity.importance == value
    assert type(activity.importance) is type(value)


@pytest.mark.parametrize(
    "written", ["high", "0x10", "1_000", ".nan", ".inf", "1e999", "9" * 31, [], {}, True, float("nan")]
)
def test_anything_else_is_not_a_score(written: Any) -> None:
    """Text that is not a plain finite number fails with one error at the field (no union branches)."""
    with pytest.raises(ValidationError) as caught:
        Activity.model_validate({"name": "A", "importance": written})
    assert error_types(caught.value) == [(("importance",), "not_a_number")]


def test_scores_are_checked_against_the_scale_given_as_context() -> None:
    """With a scale in the validation context, scores outside it are errors."""
    with pytest.raises(ValidationError) as caught:
        Activity.model_validate({"name": "A", "importance": "6", "satisfaction": "0"}, context={"scale": (1, 5)})
    assert error_types(caught.value) == [(("importance",), "out_of_scale"), (("satisfaction",), "out_of_scale")]
    assert Activity.model_validate({"name": "A", "importance": "5"}, context={"scale": (1, 5)}).importance == 5


@pytest.mark.parametrize(
    ("scale", "error"),
    [
        ({"min": "5", "max": "5"}, "bad_scale"),
        ({"min": "-1"}, "greater_than_equal"),
        ({"max": "0"}, "greater_than_equal"),
        ({"min": "0.5"}, "int_from_float"),
        ({"min": "x"}, "not_a_number"),
    ],
)
def test_bad_scales_are_refused(scale: dict[str, str], error: str) -> None:
    """A scale needs whole numbers with 0 <= min < max."""
    with pytest.raises(ValidationError) as caught:
        Scale.model_validate(scale)
    assert caught.value.errors()[0]["type"] == error


def test_defaults_for_scale_and_gap_settings() -> None:
    """Without a scale or gap settings, the map uses 1..10, threshold 10 and margin 3."""
    cmap = CycleMap.model_validate(a_map())
    assert (cmap.scale.min, cmap.scale.max) == (1, 10)
    assert (cmap.gaps.threshold, cmap.gaps.overserved_margin) == (10, 3)
    with pytest.raises(ValidationError):
        GapSettings.model_validate({"threshold": "21"})


def test_x_keys_are_kept_aside_and_other_unknown_keys_refused() -> None:
    """`x-` keys are accepted anywhere and kept in `extensions`; other unknown keys are errors."""
    data = a_map(**{"x-team": "Repairs"})
    data["phases"]["x-order"] = "cycle"
    data["phases"]["pre"]["x-colour"] = "blue"
    data["phases"]["pre"]["activities"][0]["x-jira"] = {"key": "REP-1"}
    data["phases"]["pre"]["activities"][0]["evidence"] = [{"source": "survey", "ref": "S1", "x-quote": "hi"}]
    cmap = CycleMap.model_validate(data)
    activity = cmap.phases.pre.activities[0]
    assert cmap.extensions == {"x-team": "Repairs"}
    assert cmap.phases.extensions == {"x-order": "cycle"}
    assert cmap.phases.pre.extensions == {"x-colour": "blue"}
    assert activity.extensions == {"x-jira": {"key": "REP-1"}}
    assert activity.evidence[0].extensions == {"x-quote": "hi"}
    assert "x-jira" not in activity.model_dump()
    with pytest.raises(ValidationError) as caught:
        CycleMap.model_validate(a_map(colour="blue"))
    assert error_types(caught.value) == [(("colour",), "extra_forbidden")]


def test_only_version_one_is_read() -> None:
    """`cyclemap: 2` is refused with the version error."""
    with pytest.raises(ValidationError) as caught:
        CycleMap.model_validate(a_map(cyclemap="2"))
    assert error_types(caught.value) == [(("cyclemap",), "version")]


def test_names_are_one_to_two_hundred_characters_not_blank() -> None:
    """A name of 200 characters is fine; 201, empty or blank is not."""
    Activity.model_validate({"name": "x" * 200})
    for name in ("x" * 201, "", "   "):
        with pytest.raises(ValidationError):
            Activity.model_validate({"name": name})


def test_walk_is_depth_first_in_document_order() -> None:
    """Walking yields parents before children, with phase, 1-based position path and depth."""
    cmap = CycleMap.model_validate(a_map())
    visits = [(v.phase, v.position, v.depth, v.activity.name) for v in cmap.walk()]
    assert visits == [
        ("pre", (1,), 0, "Find the model number"),
        ("pre", (1, 1), 1, "Look behind the door"),
        ("during", (1,), 0, "Let the engineer in"),
    ]
    child = list(cmap.walk())[1]
    assert child.ancestors == (cmap.phases.pre.activities[0],)


def test_phase_labels_default_to_the_capitalised_key() -> None:
    """A phase without a label is shown as Pre / During / Post."""
    cmap = CycleMap.model_validate(a_map())
    cmap.phases.during.label = "Installing"
    assert [label_of(key, cmap.phase(key)) for key in ("pre", "during", "post")] == ["Pre", "Installing", "Post"]


def test_the_model_imports_no_presentation_code() -> None:
    """Importing the model (and the loader) pulls in neither rich nor graphviz nor typer."""
    code = "import sys, cyclemap.loader; print(sorted({'rich', 'graphviz', 'typer'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
