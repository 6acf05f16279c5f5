"""The v1 map format as pydantic models, plus ids and walking.

No I/O, no rendering: the loader feeds these models plain data and the other
stages read them. Keys starting with ``x-`` are accepted anywhere and kept in
`extensions`; any other unknown key is an error.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

FORMAT_VERSION = 1
PHASE_KEYS = ("pre", "during", "post")
EVIDENCE_SOURCES = ("interview", "survey", "observation", "market-data", "analytics", "other")
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
MAX_NAME = 200

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _to_number(value: Any) -> Any:
    """Read a YAML scalar as a number: "8" -> 8, "7.5" -> 7.5; anything else fails here.

    Failing here (not in pydantic's float | int union) gives one error located
    at the field, instead of one per union branch with 'float' / 'int' in its loc.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return _finite(value, value)
    if not isinstance(value, str):
        raise PydanticCustomError("not_a_number", "expected a number, got {what}", {"what": _kind(value)})
    text = value.strip()
    if len(text) > 30 and _NUMBER.fullmatch(text):
        raise PydanticCustomError(
            "not_a_number", "the number '{value}...' is too long (at most 30 characters)", {"value": text[:20]}
        )
    if not _NUMBER.fullmatch(text):
        raise PydanticCustomError("not_a_number", "expected a number, got '{value}'", {"value": value[:40]})
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    return _finite(float(text), text)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else type(value).__name__


def _finite(number: float, written: object) -> float:
    if not math.isfinite(number):  # e.g. 1e999, which float() reads as inf
        raise PydanticCustomError("not_a_number", "expected a finite number, got '{value}'", {"value": str(written)})
    return number


Number = Annotated[float | int, BeforeValidator(_to_number), WithJsonSchema({"type": "number"})]
Integer = Annotated[int, BeforeValidator(_to_number), WithJsonSchema({"type": "integer"})]
Text = Annotated[str, Field(max_length=100_000)]
TextList = Annotated[tuple[Text, ...], Field(default_factory=tuple)]
"""A list of texts, held as a tuple: `tuple()` is the one shared empty tuple, so an absent list costs an
activity nothing (a 100,000-activity map holds 500,000 of them)."""


_NO_EXTENSIONS: Mapping[str, Any] = MappingProxyType({})
"""The ``extensions`` of every object without ``x-`` keys: one read-only mapping, not an empty dict each."""


class _Model(BaseModel):
    """Shared rules: unknown keys are errors, ``x-`` keys are kept aside."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"patternProperties": {"^x-": {}}},
    )
    _source: Any = PrivateAttr(default=None)
    _extensions: Mapping[str, Any] = PrivateAttr(default_factory=lambda: _NO_EXTENSIONS)
    _settles: ClassVar[bool] = False
    """Drop the positions of this model's source once it is valid (the many small models of a big map)."""

    @model_validator(mode="wrap")
    @classmethod
    def _keep_origin(cls, data: Any, handler: Any) -> Any:
        extensions: Mapping[str, Any] = _NO_EXTENSIONS  # shared: most objects have no x- keys
        source = data
        if isinstance(data, dict) and any(isinstance(k, str) and k.startswith("x-") for k in data):
            extensions = {k: v for k, v in data.items() if k.startswith("x-")}
            data = {k: v for k, v in data.items() if k not in extensions}
        obj = handler(data)
        obj._source = source
        obj._extensions = extensions
        settle = getattr(source, "settle", None) if cls._settles else None
        if settle is not None:  # valid: only where it is reported is read again (see yaml_reader)
            settle()
        return obj

    @property
    def extensions(self) -> Mapping[str, Any]:
        """The ``x-`` keys written on this object, as read."""
        return self._extensions


class Evidence(_Model):
    """Where a score or a pain comes from."""

    _settles: ClassVar[bool] = True

    source: Literal["interview", "survey", "observation", "market-data", "analytics", "other"] = Field(
        description="The kind of evidence."
    )
    ref: Annotated[str, Field(min_length=1, max_length=500)] = Field(
        description="A reference someone can follow: a study id, a file, a link."
    )
    note: Text | None = Field(default=None, description="What it says, e.g. 'n=412'.")
    date: dt.date | None = Field(default=None, description="When it was gathered (YYYY-MM-DD).")


def _within_map_scale(cls: type, value: float | None, info: ValidationInfo) -> float | None:
    """A hand-entered score within the map's scale (the loader passes the scale as context)."""
    scale = (info.context or {}).get("scale")
    if value is not None and scale is not None and not scale[0] <= value <= scale[1]:
        raise PydanticCustomError(
            "out_of_scale",
            "{value} is outside the map's scale of {low} to {high}",
            {"value": value, "low": scale[0], "high": scale[1]},
        )
    return value


class SegmentScores(_Model):
    """Hand-entered scores of an activity for one customer segment."""

    importance: Number | None = Field(default=None, description="How much this matters to the segment.")
    satisfaction: Number | None = Field(default=None, description="How well it is served for the segment today.")

    _within_scale = field_validator("importance", "satisfaction")(_within_map_scale)


class Activity(_Model):
    """Something the customer does on the way to the outcome."""

    _settles: ClassVar[bool] = True

    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)] = Field(
        description="What the customer does, in their words (1-200 characters)."
    )
    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=MAX_NAME)] | None = Field(
        default=None,
        description="Stable id (lower-case letters, digits, '-'); derived from the name when absent.",
    )
    description: Text | None = Field(default=None, description="More about this activity.")
    importance: Number | None = Field(
        default=None, description="How much this matters to the customer, within the scale."
    )
    satisfaction: Number | None = Field(default=None, description="How well it is served today, within the scale.")
    segments: dict[str, SegmentScores] = Field(
        default_factory=dict,
        description="Hand-entered scores per segment id (same scale); a survey's scores win over them.",
    )
    pains: TextList = Field(description="What goes wrong or hurts here.")
    offerings: TextList = Field(description="What we provide for this activity.")
    competitors: TextList = Field(description="Who else serves it.")
    evidence: tuple[Evidence, ...] = Field(default_factory=tuple, description="Where the scores come from.")
    owner: Text | None = Field(default=None, description="Who on our side looks after this activity.")
    tags: TextList = Field(description="Free labels to group or filter activities.")
    notes: Text | None = Field(default=None, description="Anything else worth keeping.")
    subcycle: list[Activity] = Field(default_factory=list, description="Finer activities, same shape, any depth.")

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank", "the name is blank")
        return value

    _within_scale = field_validator("importance", "satisfaction")(_within_map_scale)


class Include(BaseModel):
    """An item that stands for the activities of another file, e.g. include: parts/pre.yaml."""

    # The loader replaces include items before the map is validated, so no
    # CycleMap holds one: this model describes them for the JSON Schema.
    model_config = ConfigDict(extra="forbid", title="Include")
    include: Annotated[str, Field(min_length=1)] = Field(
        description="Path of a YAML file holding more activities, relative to this file and inside the map's folder."
    )


class Phase(_Model):
    """One of the three phases of the cycle."""

    label: Text | None = Field(default=None, description="Display name (default Pre / During / Post).")
    description: Text | None = Field(default=None, description="What the customer is doing in this phase.")
    activities: list[Activity] = Field(description="The activities in the order the customer does them.")


class Phases(_Model):
    """Exactly the three phases, in cycle order."""

    pre: Phase = Field(description="Before: deciding what to do and choosing how.")
    during: Phase = Field(description="During: doing it.")
    post: Phase = Field(description="After: living with it, reviewing, renewing.")


class Scale(_Model):
    """The range of importance and satisfaction scores."""

    min: Integer = Field(default=1, ge=0, description="Lowest score (0 or more).", json_schema_extra={"minimum": 0})
    max: Integer = Field(default=10, ge=1, description="Highest score, above min.", json_schema_extra={"minimum": 1})

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.min >= self.max:
            raise PydanticCustomError("bad_scale", "scale.min ({low}) must be below scale.max ({high})",
                                      {"low": self.min, "high": self.max})
        return self


class GapSettings(_Model):
    """How gaps are found (see `cyclemap gaps`)."""

    threshold: Number = Field(
        default=10,
        ge=0,
        le=20,
        description="Opportunity score (0-20) from which an activity is underserved.",
        json_schema_extra={"minimum": 0, "maximum": 20},  # WithJsonSchema drops ge/le from the schema
    )
    overserved_margin: Number = Field(
        default=3,
        ge=0,
        le=10,
        description="How far satisfaction may exceed importance (0-10 scale) before it is overserved.",
        json_schema_extra={"minimum": 0, "maximum": 10},
    )


class Segment(_Model):
    """A group of customers whose scores are told apart (see `survey.segment_column`)."""

    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=MAX_NAME)] = Field(
        description="Stable id (lower-case letters, digits, '-'), as the survey's segment column writes it."
    )
    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)] = Field(description="Who they are.")
    description: Text | None = Field(default=None, description="More about this segment.")


class SurveyScale(Scale):
    """The questionnaire's answer scale (a 1 to 5 agreement scale unless said otherwise)."""

    max: Integer = Field(default=5, ge=1, le=100, description="Highest answer, above min (at most 100).",
                         json_schema_extra={"minimum": 1, "maximum": 100})


class Survey(_Model):
    """Survey responses that score the map's activities (see docs/format.md)."""

    file: Annotated[str, Field(min_length=1, max_length=1000)] = Field(
        description="CSV file of responses, one row per respondent, relative to the map and inside its folder."
    )
    scale: SurveyScale = Field(default_factory=SurveyScale)
    method: Literal["top-two-box", "mean"] = Field(
        default="top-two-box",
        description="top-two-box: 10 x share of answers in the top two points; mean: the mean on 0-10.",
    )
    segment_column: Annotated[str, Field(min_length=1, max_length=MAX_NAME)] | None = Field(
        default=None, description="The column holding each respondent's segment id."
    )
    min_n: Integer = Field(default=30, ge=1, description="Fewer answers than this mark a score as thin.",
                           json_schema_extra={"minimum": 1})
    ignore_columns: TextList = Field(description="Columns to skip besides those starting with 'x-'.")


class CycleMap(_Model):
    """A customer activity cycle: everything a customer does to reach an outcome."""

    model_config = ConfigDict(title="cyclemap map, format version 1")

    cyclemap: Annotated[int, BeforeValidator(_to_number), WithJsonSchema({"const": 1})] = Field(
        description="Format version; must be 1."
    )
    title: Annotated[str, Field(min_length=1, max_length=MAX_NAME)] = Field(description="What the map is about.")
    customer: Annotated[str, Field(min_length=1, max_length=MAX_NAME)] = Field(description="Who the customer is.")
    outcome: Annotated[str, Field(min_length=1, max_length=1000)] = Field(description="The outcome the customer wants.")
    description: Text | None = Field(default=None, description="More about the map: scope, sources.")
    owner: Text | None = Field(default=None, description="Who looks after this map.")
    scale: Scale = Field(default_factory=Scale)
    gaps: GapSettings = Field(default_factory=GapSettings)
    segments: list[Segment] = Field(default_factory=list, description="Customer segments the scores tell apart.")
    survey: Survey | None = Field(default=None, description="Survey responses that score the activities.")
    phases: Phases

    @field_validator("cyclemap")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != FORMAT_VERSION:
            raise PydanticCustomError(
                "version", "unsupported format version {value}; this cyclemap reads 'cyclemap: 1'", {"value": value}
            )
        return value

    def phase(self, key: str) -> Phase:
        """The phase called `key` (pre, during or post)."""
        phase: Phase = getattr(self.phases, key)
        return phase

    def walk(self) -> Iterator[Visit]:
        """Every activity, depth-first in document order, parents before children."""
        for key in PHASE_KEYS:
            yield from _walk(key, self.phase(key).activities, ())


@dataclass(frozen=True, slots=True)
class Visit:
    """An activity met while walking the map, with where it sits."""

    phase: str
    ancestors: tuple[Activity, ...]
    activity: Activity
    position: tuple[int, ...]
    """1-based positions from the phase's top-level list down to this activity."""

    @property
    def depth(self) -> int:
        return len(self.ancestors)


def _walk(phase: str, activities: list[Activity], parents: tuple[tuple[Activity, int], ...]) -> Iterator[Visit]:
    for number, activity in enumerate(activities, start=1):
        yield Visit(
            phase,
            tuple(a for a, _ in parents),
            activity,
            (*(n for _, n in parents), number),
        )
        yield from _walk(phase, activity.subcycle, (*parents, (activity, number)))


def label_of(phase_key: str, phase: Phase) -> str:
    """The name a phase is shown by."""
    return phase.label or phase_key.capitalize()


def derive_id(name: str) -> str:
    """An id from a name: ASCII letters and digits, runs of anything else as '-'.

    >>> derive_id("Understand whether solar pays off?")
    'understand-whether-solar-pays-off'
    >>> derive_id("Café crème")
    'cafe-creme'
    >>> derive_id("見積もり")
    ''
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")


def implicit_id(name: str, phase: str, position: tuple[int, ...]) -> str:
    """The id of an activity written without one: from its name, else its phase and position.

    >>> implicit_id("Pay the invoice", "post", (1,)), implicit_id("見積もり", "pre", (2, 1))
    ('pay-the-invoice', 'pre-2-1')
    """
    return derive_id(name) or "-".join((phase, *map(str, position)))


def assign_ids(cmap: CycleMap) -> list[tuple[Visit, Visit]]:
    """Give every activity its id; return (first, second) pairs that share one.

    An explicit `id` wins; else the id comes from the name; if the name leaves
    nothing (e.g. Japanese), it is the phase and position path: ``pre-2-1``.
    """
    seen: dict[str, Visit] = {}
    clashes: list[tuple[Visit, Visit]] = []
    for visit in cmap.walk():
        activity = visit.activity
        if activity.id is None:
            activity.id = implicit_id(activity.name, visit.phase, visit.position)
        if activity.id in seen:
            clashes.append((seen[activity.id], visit))
        else:
            seen[activity.id] = visit
    return clashes
