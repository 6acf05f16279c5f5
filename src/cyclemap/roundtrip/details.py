"""The map's details as a two-column table (`field`, `value`): the XLSX's "Map" sheet, or a details CSV.

`details_of` writes every map-level setting the activity rows cannot carry: title, customer, outcome,
description, owner, scale, gap settings, phase labels and descriptions, segments and the survey
reference. `MapDetails` holds them as read back, each with the cell it came from, and `map_fields`
turns them into the map's top-level keys (values equal to the format's defaults are left out).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cyclemap.model import PHASE_KEYS, CycleMap, Scale, SurveyScale, label_of
from cyclemap.roundtrip.cells import Cell, join_list, read_number, split_list
from cyclemap.roundtrip.rows import TableProblem

DETAILS_SHEET = "Map"
ACTIVITIES_SHEET = "Activities"
HEADER = ("field", "value")

REQUIRED = ("title", "customer", "outcome")
"""The map-level fields a map must have (`import --title/--customer/--outcome` give them too)."""
TEXT_FIELDS = (*REQUIRED, "description", "owner")
NUMBER_FIELDS = {
    "scale min": ("scale", "min"),
    "scale max": ("scale", "max"),
    "threshold": ("gaps", "threshold"),
    "overserved margin": ("gaps", "overserved_margin"),
}
SURVEY_FIELDS = {
    "survey file": "file",
    "survey scale min": "scale.min",
    "survey scale max": "scale.max",
    "survey method": "method",
    "survey segment column": "segment_column",
    "survey min n": "min_n",
    "survey ignore columns": "ignore_columns",
}
PHASE_FIELDS = tuple(f"{key} {what}" for key in PHASE_KEYS for what in ("label", "description"))
SEGMENT = "segment "
"""`segment <id>` holds a segment's name, `segment <id> description` its description, in the map's order."""
DEFAULTS: dict[str, dict[str, float]] = {
    "scale": {"min": Scale().min, "max": Scale().max},
    "gaps": {"threshold": 10, "overserved_margin": 3},
}
"""Settings the map's format defaults to: a map made from the details leaves them out."""
KNOWN = (*TEXT_FIELDS, *NUMBER_FIELDS, *PHASE_FIELDS, *SURVEY_FIELDS)


def details_of(cmap: CycleMap) -> list[tuple[str, Cell]]:
    """The map's details, one (field, value) per row, in the order the sheet lists them."""
    rows: list[tuple[str, Cell]] = [(name, getattr(cmap, name)) for name in TEXT_FIELDS]
    rows += [
        ("scale min", cmap.scale.min), ("scale max", cmap.scale.max),
        ("threshold", cmap.gaps.threshold), ("overserved margin", cmap.gaps.overserved_margin),
    ]
    for key in PHASE_KEYS:
        phase = cmap.phase(key)
        rows += [(f"{key} label", label_of(key, phase)), (f"{key} description", phase.description)]
    for segment in cmap.segments:
        rows.append((f"{SEGMENT}{segment.id}", segment.name))
        if segment.description is not None:
            rows.append((f"{SEGMENT}{segment.id} description", segment.description))
    survey = cmap.survey
    if survey is not None:
        rows += [
            ("survey file", survey.file), ("survey scale min", survey.scale.min),
            ("survey scale max", survey.scale.max), ("survey method", survey.method),
            ("survey segment column", survey.segment_column), ("survey min n", survey.min_n),
            ("survey ignore columns", join_list(survey.ignore_columns) if survey.ignore_columns else None),
        ]
    rows += [(key, value) for key, value in cmap.extensions.items() if is_scalar(value)]
    return rows


def is_scalar(value: Any) -> bool:
    """Whether an `x-` value fits in one cell (text, a number, a yes/no); lists and mappings do not."""
    return isinstance(value, str | int | float | bool)


@dataclass
class MapDetails:
    """The details as read: field (lower case) -> (value, the cell it came from); segments in order."""

    values: dict[str, tuple[Cell, str]] = field(default_factory=dict)
    segments: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    """(id, name, description, place of the name) per `segment <id>` row."""
    source: str = ""
    """Where the details were read (the sheet or file), for messages; "" when there were none."""

    def text(self, name: str) -> str | None:
        value = self.values.get(name, (None, ""))[0]
        if value is None:
            return None
        text = value if isinstance(value, str) else str(value)
        return text if text.strip() else None

    def place(self, name: str) -> str:
        return self.values.get(name, (None, self.source))[1]

    def phase_labels(self) -> dict[str, str]:
        """Phase key -> its label, as given (for reading the phase column by label)."""
        return {key: label for key in PHASE_KEYS if (label := self.text(f"{key} label")) is not None}


def read_details(entries: list[tuple[Cell, Cell, str, str]], source: str) -> tuple[MapDetails, list[TableProblem]]:
    """The details from (field, value, field's place, value's place) rows; problems for unknown or repeated fields."""
    details = MapDetails(source=source)
    problems: list[TableProblem] = []
    segment_rows: dict[str, list[Any]] = {}
    seen: dict[str, str] = {}
    for raw_name, value, name_place, value_place in entries:
        name = " ".join(str(raw_name or "").lower().split())
        if not name:
            continue
        if name in seen:
            problems.append(TableProblem(name_place, f"'{name}' is given twice (also at {seen[name]})"))
            continue
        seen[name] = name_place
        if name.startswith(SEGMENT):
            segment_id, _, rest = name[len(SEGMENT):].partition(" ")
            entry = segment_rows.setdefault(segment_id, [segment_id, None, None, name_place])
            if rest == "description":
                entry[2] = _as_text(value)
            elif rest:
                problems.append(TableProblem(name_place, f"unknown field '{name}': a segment has 'segment "
                                             f"{segment_id}' (its name) and 'segment {segment_id} description'"))
            else:
                entry[1], entry[3] = _as_text(value), value_place
            continue
        if name not in KNOWN and not name.startswith("x-"):
            close = difflib.get_close_matches(name, KNOWN, n=1)
            hint = (f"; did you mean '{close[0]}'?" if close
                    else f"; the fields are: {', '.join(KNOWN)}, segment <id>")
            problems.append(TableProblem(name_place, f"unknown field '{name}'{hint}"))
            continue
        details.values[name] = (value, value_place)
    for segment_id, name_value, description, place in segment_rows.values():
        if name_value is None:
            problems.append(TableProblem(place, f"segment '{segment_id}' has no name: write it in the row "
                                         f"'segment {segment_id}'"))
        else:
            details.segments.append((segment_id, name_value, description, place))
    return details, problems


def _as_text(value: Cell) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def map_fields(details: MapDetails, overrides: dict[str, str | None]) -> tuple[dict[str, Any], list[TableProblem]]:
    """The map's top-level keys but `phases`, in the format's order, and problems with their cells.

    `overrides` are `--title/--customer/--outcome` (None: not given); defaults are left out.
    """
    problems: list[TableProblem] = []
    out: dict[str, Any] = {"cyclemap": 1}
    for name in TEXT_FIELDS:
        value = overrides.get(name) or details.text(name)
        if value is not None:
            out[name] = value
    for group, defaults in DEFAULTS.items():
        found = {key: value for key, value in _numbers(details, group, problems).items() if value != defaults[key]}
        if found:
            out[group] = found
    if details.segments:
        out["segments"] = [
            {"id": sid, "name": name, **({"description": description} if description else {})}
            for sid, name, description, _ in details.segments
        ]
    survey = _survey(details, problems)
    if survey:
        out["survey"] = survey
    for name, (cell, _) in details.values.items():
        if name.startswith("x-") and cell is not None:
            out[name] = cell
    return out, problems


def _numbers(details: MapDetails, group: str, problems: list[TableProblem]) -> dict[str, float | int]:
    found: dict[str, float | int] = {}
    for name, (key_group, key) in NUMBER_FIELDS.items():
        if key_group != group or name not in details.values:
            continue
        value, place = details.values[name]
        try:
            number = read_number(value)
        except ValueError:
            problems.append(TableProblem(place, f"{name} '{value}' is not a number"))
            continue
        if number is not None:
            found[key] = number
    return found


def _survey(details: MapDetails, problems: list[TableProblem]) -> dict[str, Any]:  # noqa: PLR0912 - one branch a field
    """The `survey:` mapping from the `survey ...` fields (empty without a survey file); defaults left out."""
    if details.text("survey file") is None:
        for name in SURVEY_FIELDS:
            if details.text(name) is not None:
                problems.append(TableProblem(details.place(name), f"'{name}' is given but 'survey file' is not"))
                break
        return {}
    survey: dict[str, Any] = {"file": details.text("survey file")}
    defaults = SurveyScale()
    scale: dict[str, Any] = {}
    for name, key in SURVEY_FIELDS.items():
        text = details.text(name)
        if text is None or key == "file":
            continue
        if key in ("scale.min", "scale.max", "min_n"):
            try:
                number = read_number(text)
            except ValueError:
                problems.append(TableProblem(details.place(name), f"{name} '{text}' is not a number"))
                continue
            if key == "min_n":
                if number != 30:
                    survey["min_n"] = number
            elif number != getattr(defaults, key[6:]):
                scale[key[6:]] = number
        elif key == "ignore_columns":
            survey[key] = list(split_list(text))
        elif not (key == "method" and text == "top-two-box"):
            survey[key] = text
    if scale:
        survey["scale"] = scale
    order = ("file", "scale", "method", "segment_column", "min_n", "ignore_columns")
    return {key: survey[key] for key in order if key in survey}


def phase_fields(details: MapDetails) -> dict[str, dict[str, str]]:
    """Phase key -> its `label` and `description` as given (a label equal to the default is left out)."""
    out: dict[str, dict[str, str]] = {}
    for key in PHASE_KEYS:
        found: dict[str, str] = {}
        label = details.text(f"{key} label")
        if label is not None and label != key.capitalize():
            found["label"] = label
        description = details.text(f"{key} description")
        if description is not None:
            found["description"] = description
        out[key] = found
    return out


def missing_required(details: MapDetails, overrides: dict[str, str | None]) -> list[str]:
    """The required fields neither the details nor the flags give."""
    return [name for name in REQUIRED if not (overrides.get(name) or details.text(name))]


def detail_names() -> Iterator[str]:
    """Every field name the details table knows (segment rows aside), for docs and tests."""
    yield from KNOWN
