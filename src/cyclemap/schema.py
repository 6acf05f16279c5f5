"""The JSON Schema of the map format, generated from the model."""

from __future__ import annotations

import json
from typing import Any

from cyclemap.model import CycleMap

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_dict() -> dict[str, Any]:
    """The schema as a dict, with the dialect it is written in."""
    return {"$schema": DIALECT, **CycleMap.model_json_schema()}


def schema_text() -> str:
    """The schema as stable, readable JSON (committed as schemas/cyclemap.schema.json)."""
    return json.dumps(schema_dict(), indent=2, ensure_ascii=False) + "\n"
