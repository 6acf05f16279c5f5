"""Map file -> validated `CycleMap`, or every problem with its file, line and column.

Stages: read bytes (size and file-type limits) -> decode UTF-8 -> YAML data with
positions (`yaml_reader`) -> pydantic model -> ids and cross-checks. Every
failure becomes a `Problem`; nothing here prints or exits.
"""

from __future__ import annotations

import difflib
import os
import stat
import sys
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from cyclemap.model import Activity, CycleMap, Scale, Visit, assign_ids
from cyclemap.problems import InputError, MapError, Problem, clip, line_col
from cyclemap.yaml_reader import Source, YMap, YSeq, read_yaml

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Largest map file read (a 10,000-activity map is about 2 MB)."""
STDIN = "-"


def load_map(path: str) -> CycleMap:
    """Read, check and return the map at `path` ("-" for standard input).

    Raises InputError when the file cannot be read at all, and MapError with
    every problem found when it is not a valid map.
    """
    return load_bytes(read_bytes(path), path)


def load_bytes(data: bytes, name: str) -> CycleMap:
    """Check and return the map in `data`, reporting problems against file `name`.

    Raises MapError with every problem found (and the text, to quote lines from).
    """
    text = decode(data, name)
    try:
        return build_map(read_yaml(text, Source(name)), name)
    except MapError as err:
        err.sources[name] = text
        raise


def build_map(root: Any, name: str) -> CycleMap:
    """Validate parsed YAML data as a map; ids are assigned and checked."""
    if not isinstance(root, YMap):
        raise MapError([Problem(name, 1, 1, "a map is a set of keys and values starting with 'cyclemap: 1'")])
    try:
        cmap = CycleMap.model_validate(root, context={"scale": _declared_scale(root)})
    except ValidationError as err:
        raise MapError(problems_from_validation(err, root)) from None
    problems = [_clash_problem(first, second) for first, second in assign_ids(cmap)]
    if problems:
        raise MapError(problems)
    return cmap


# -- reading --------------------------------------------------------------


def read_bytes(path: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file (or stdin), refusing anything over `limit` (default MAX_FILE_BYTES)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    data = sys.stdin.buffer.read(limit + 1) if path == STDIN else _read_regular_file(path, limit)
    if len(data) > limit:
        size = f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
        raise MapError([Problem(path, 1, 1, f"the file is larger than {size}; split the map into smaller ones")])
    return data


def _read_regular_file(path: str, limit: int) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a map file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot open: {err.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # before fdopen, which refuses a directory with an OSError
        os.close(fd)
        what = "is a directory, not a map file" if stat.S_ISDIR(mode) else "not a regular file"
        raise InputError(f"{path}: {what}")
    with os.fdopen(fd, "rb") as handle:
        try:
            return handle.read(limit + 1)
        except OSError as err:
            raise InputError(f"{path}: cannot read: {err.strerror}") from None


def decode(data: bytes, name: str) -> str:
    """UTF-8 text of a map, with a located problem for NUL bytes or bad encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise MapError([Problem(name, 1, 1, "the file is UTF-16; save it as UTF-8")])
    nul = data.find(b"\x00")
    if nul >= 0:
        raise MapError([Problem(name, *_line_col(data, nul), "the file contains a NUL byte; is it a binary file?")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        at = err.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        raise MapError(
            [Problem(name, *_line_col(data, at), f"invalid UTF-8 (byte 0x{data[at]:02x}); save the file as UTF-8")]
        ) from None


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """Line and character column of byte `offset`, in the text the bytes before it make."""
    before = data[:offset].decode("utf-8", "replace")
    return line_col(before, len(before))


def _declared_scale(root: YMap) -> tuple[float, float] | None:
    """The map's scale as written, so scores can be checked in the same pass."""
    try:
        scale = Scale.model_validate(root.get("scale", {}))
    except ValidationError:  # reported when the whole map is validated
        return None
    return (scale.min, scale.max)


# -- validation errors -> problems ----------------------------------------


def problems_from_validation(err: ValidationError, root: YMap) -> list[Problem]:
    """One located Problem per pydantic error (never formats the input itself)."""
    problems = []
    for error in err.errors(include_input=False, include_url=False):
        problems.append(_problem_from_error(error, root))
    return problems


def _problem_from_error(error: Any, root: YMap) -> Problem:
    kind = error["type"]
    node, parent, key, pos, path, model = _follow(root, error["loc"])
    if kind == "extra_forbidden" and isinstance(parent, YMap) and key in parent.key_pos:
        pos = parent.key_pos[key]
    message = _message(kind, error, node, key, model)
    source = getattr(parent, "source", None) or root.source
    return Problem(source.name, pos[0], pos[1], message, _path_text(path), source.chain)


def _follow(root: YMap, loc: Sequence[Any]) -> tuple[Any, Any, Any, tuple[int, int], list[Any], type[BaseModel] | None]:
    """Walk the data along a pydantic `loc`, keeping the deepest known position.

    Parts that are not in the data (union branch names such as 'int') are
    skipped; a key missing from a mapping ends the walk at that mapping.
    Returns the value found, its parent, the last key, the position, the path
    walked and the model that owns the last key.
    """
    node: Any = root
    parent: Any = root
    key: Any = None
    pos = root.pos
    path: list[Any] = []
    model: type[BaseModel] | None = CycleMap
    owner: type[BaseModel] | None = CycleMap
    for part in loc:
        if isinstance(node, YMap) and isinstance(part, str):
            if part not in node and (model is None or part not in model.model_fields):
                break  # not a key of this mapping, e.g. the name of a union branch
            parent, key, owner = node, part, model
            path.append(part)
            model = _field_model(model, part)
            if part not in node:
                node = None
                break
            pos, node = node.value_pos[part], node[part]
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
            parent, key = node, part
            path.append(part)
            pos, node = node.item_pos[part], node[part]
        else:
            break
    return node, parent, key, pos, path, owner


def _field_model(model: type[BaseModel] | None, field: str) -> type[BaseModel] | None:
    """The model a field holds (directly or in a list), if any."""
    if model is None or field not in model.model_fields:
        return None
    pending = [model.model_fields[field].annotation]
    while pending:
        hint = pending.pop()
        if isinstance(hint, type) and issubclass(hint, BaseModel):
            return hint
        pending.extend(typing.get_args(hint))
    return None


def _path_text(path: list[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{clip(part)}" if text else clip(part))
    return text


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value[:40]}'" if isinstance(value, str) else type(value).__name__


def _message(kind: str, error: Any, value: Any, key: Any, model: type[BaseModel] | None) -> str:
    ctx = error.get("ctx") or {}
    field = f"'{key}'" if isinstance(key, str) else "this item"
    if kind == "missing":
        return f"missing required key {field}"
    if kind == "extra_forbidden":
        return _unknown_key(str(key), model)
    if kind in ("string_type", "string_too_short", "string_pattern_mismatch") and value in (None, ""):
        return f"{field} is empty; write a value after the colon"
    if kind == "string_type":
        return f"{field} must be text, not {_describe(value)}"
    if kind == "list_type":
        return f"{field} must be a list (items on lines starting with '- ', or [a, b]), not {_describe(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{field} must be a set of keys and values, not {_describe(value)}"
    if kind == "literal_error":
        return f"{field} is {_describe(value)}; expected one of: {ctx.get('expected', '')}"
    if kind == "string_too_long":
        length = len(value) if isinstance(value, str) else "?"
        return f"{field} is too long ({length} characters; at most {ctx.get('max_length')})"
    if kind == "string_pattern_mismatch":
        return (
            f"{field} '{clip(str(value))}' must use only lower-case letters, digits and '-', "
            "starting with a letter or digit"
        )
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        side = "at least" if kind == "greater_than_equal" else "at most"
        return f"{field} must be {side} {bound}, got {_describe(value)}"
    if kind.startswith("date_"):
        return f"{field} must be a date like 2026-04-02, got {_describe(value)}"
    if kind.startswith("int_"):
        return f"{field} must be a whole number, got {_describe(value)}"
    return f"{field}: {error['msg']}"


def _unknown_key(key: str, model: type[BaseModel] | None) -> str:
    message = f"unknown key '{clip(key)}'"
    if model is not None:
        match = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
        if match:
            return f"{message}; did you mean '{match[0]}'?"
        message += f" (known keys: {', '.join(model.model_fields)})"
    return f"{message}; your own keys must start with 'x-'"


# -- cross-checks ---------------------------------------------------------


def activity_location(visit: Visit) -> tuple[str, int, int, str]:
    """File, line, column and map path of an activity."""
    node = visit.activity._source
    path = f"phases.{visit.phase}.activities[{visit.position[0] - 1}]"
    path += "".join(f".subcycle[{n - 1}]" for n in visit.position[1:])
    if isinstance(node, YMap):
        line, col = node.value_pos.get("id", node.pos)
        return node.source.name, line, col, path
    return "?", 1, 1, path


def _clash_problem(first: Visit, second: Visit) -> Problem:
    file, line, col, path = activity_location(second)
    other_file, other_line, other_col, _ = activity_location(first)
    activity: Activity = second.activity
    explicit = isinstance(activity._source, YMap) and "id" in activity._source
    advice = "change one of them" if explicit else "give one of them an explicit 'id:'"
    return Problem(
        file,
        line,
        col,
        f"duplicate id '{activity.id}': '{activity.name}' and '{first.activity.name}' "
        f"(at {other_file}:{other_line}:{other_col}) share it; {advice}",
        path,
    )

