"""The JSON Schema of the map format, generated from the model."""

from __future__ import annotations

import json
from typing import Any

from cyclemap.model import CycleMap, Include

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_dict() -> dict[str, Any]:
    """The schema as a dict, with the dialect it is written in."""
    schema = {"$schema": DIALECT, **CycleMap.model_json_schema()}
    _allow_includes(schema["$defs"])
    return schema


def _allow_includes(defs: dict[str, Any]) -> None:
    """Let any activities or subcycle item be `{include: PATH}` (the loader replaces it before validating)."""
    defs["Include"] = Include.model_json_schema()
    item = {"anyOf": [{"$ref": "#/$defs/Activity"}, {"$ref": "#/$defs/Include"}]}
    defs["Phase"]["properties"]["activities"]["items"] = item
    defs["Activity"]["properties"]["subcycle"]["items"] = item


def schema_text() -> str:
    """The schema as stable, readable JSON (committed as schemas/cyclemap.schema.json)."""
    return json.dumps(schema_dict(), indent=2, ensure_ascii=False) + "\n"
