"""Map file -> validated `CycleMap`, or every problem with its file, line and column.

Stages: read bytes (size and file-type limits) -> decode UTF-8 -> YAML data with
positions (`yaml_reader`) -> includes replaced by the activities of their files
-> pydantic model -> ids and cross-checks. Every failure becomes a `Problem`;
nothing here prints or exits.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import io
import os
import re
import stat
import sys
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from cyclemap import yaml_reader
from cyclemap.model import ID_PATTERN, PHASE_KEYS, Activity, CycleMap, Scale, Visit, assign_ids, implicit_id
from cyclemap.problems import InputError, MapError, Place, Problem, UnreadableFile, clip, line_col
from cyclemap.safe_text import subject
from cyclemap.sources import (
    DiskFiles,
    IncludeRefused,
    MapFiles,
    NoFiles,
    ReadFile,
    include_path,
    note_input,
    too_large,
)
from cyclemap.yaml_reader import EMPTY_MAP, Pos, Source, YMap, YSeq, YSplice, parse_yaml

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Largest map file read (a 10,000-activity map is about 2 MB)."""
MAX_TOTAL_BYTES = 16 * 1024 * 1024
"""Most bytes a map and all the files it includes may hold together: a split map
costs no more to check than the largest single map. A file included twice counts twice."""
MAX_INCLUDE_DEPTH = 20
"""Longest chain of includes (the map includes a file, which includes a file, ...)."""
MAX_INCLUDES = 500
"""Most includes one map may resolve in all, nested ones too (a file included twice counts twice)."""
STDIN = "-"
_NO_INCLUDES_FROM_STDIN = (
    "a map read from standard input cannot include files; give the map's file name instead, "
    "e.g. cyclemap validate map.yaml"
)


def load_map(path: str) -> CycleMap:
    """Read, check and return the map at `path` ("-" for standard input), with the files it includes.

    Includes resolve against the folder of `path`, which they may not leave; a
    map read from standard input may not include files. Raises InputError when
    the map cannot be read at all, and MapError with every problem found (in the
    map and in the files it includes) when it is not a valid map.
    """
    data = read_bytes(path)
    if path == STDIN:
        return _Assembly(NoFiles(_NO_INCLUDES_FROM_STDIN), PurePosixPath(STDIN), path).load(data)
    return load_read_map(data, path, DiskFiles(os.path.dirname(path)))  # noqa: PTH120 - a name as given


def load_read_map(data: bytes, path: str, files: MapFiles) -> CycleMap:
    """Check and return the map whose bytes `data` were read from the file `path` (see `read_file`); the files
    it includes are read through `files`, the folder of `path`. Raises MapError as `load_map` does."""
    return _Assembly(files, PurePosixPath(os.path.basename(path)), path).load(data)  # noqa: PTH119


def load_from(files: MapFiles, root: PurePosixPath) -> CycleMap:
    """Read, check and return the map `root` (relative to `files`) and the files it includes.

    Includes may not leave the folder of `root`. Raises InputError when the map
    itself cannot be read, MapError as `load_map` does.
    """
    name = files.name(root)
    try:
        data = files.read(root, limit=MAX_FILE_BYTES)
    except IncludeRefused as err:
        raise InputError(f"{subject(name)}: {err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{subject(name)}: {too_large(MAX_FILE_BYTES)}")
    return _Assembly(files, root, name).load(data)


def load_bytes(data: bytes, name: str) -> CycleMap:
    """Check and return the single-document map in `data`, reporting problems against file `name`.

    Includes are refused (there is no folder to read them from). Raises
    MapError with every problem found (and the text, to quote lines from).
    """
    files = NoFiles("a map given as bytes cannot include files; load it from its file instead")
    return _Assembly(files, PurePosixPath(PurePosixPath(name).name or STDIN), name).load(data)


def build_map(root: Any, name: str) -> CycleMap:
    """Validate parsed YAML data as a map; ids are assigned and checked."""
    if not isinstance(root, YMap) or _looks_like_part(root):
        line, col = root.pos if isinstance(root, YMap) else (1, 1)
        hint = PART_HINT if _looks_like_part(root) else ""
        raise MapError([Problem(name, line, col, f"{NOT_A_MAP}{hint}")])
    try:
        cmap = CycleMap.model_validate(root, context={"scale": _declared_scale(root)})
    except ValidationError as err:  # ids are checked on the data too, so that a clash shows in the same run
        raise MapError(problems_from_validation(err, root) + _written_id_clashes(root)) from None
    problems = [_clash_problem(first, second) for first, second in assign_ids(cmap)]
    if cmap.segments or cmap.survey is not None or _any_segment_scores(cmap):
        from cyclemap.survey.checks import segment_problems  # noqa: PLC0415 - survey.checks imports this module

        problems += segment_problems(cmap)
    if problems:
        raise MapError(problems)
    return cmap


def _any_segment_scores(cmap: CycleMap) -> bool:
    """Whether any activity has hand-entered scores per segment."""
    pending = [activity for key in PHASE_KEYS for activity in cmap.phase(key).activities]
    while pending:
        activity = pending.pop()
        if activity.segments:
            return True
        pending.extend(activity.subcycle)
    return False


PART_HINT = "; this looks like a part included by a map (activities only): validate the map that includes it"
"""Said when a file given as a map has the shape of an included part (see `_looks_like_part`)."""
NOT_A_MAP = "a map is a set of keys and values starting with 'cyclemap: 1'"
_MAP_KEYS = frozenset(("cyclemap", "title", "customer", "outcome", "phases"))


def _looks_like_part(root: Any) -> bool:
    """Whether `root` has the shape of an included file: a list of activities, or `activities:` and no map keys."""
    if isinstance(root, YMap):
        return "activities" in root and not _MAP_KEYS & root.keys()
    return isinstance(root, list) and bool(root) and all(
        isinstance(item, YMap) and ("name" in item or "include" in item) for item in root
    )


# -- includes -------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """A file being assembled into the map: the root map, or a file it includes."""

    rel: PurePosixPath
    """Its path relative to the files' folder."""
    chain: tuple[Place, ...]
    """Where it was included from, the root map's include first."""
    trail: tuple[tuple[PurePosixPath, str], ...]
    """The files from the root map down to this one (path, name): a loop shows here."""


class _OutOfBudget(Exception):
    """A limit for the whole map was crossed: assembling stops (the problem is recorded)."""


_LIST_DEPTH = 4
"""Nesting of a phase's activities list: the map, phases, the phase, the list."""


@dataclass
class _Assembly:
    """Reads a map and replaces each `include:` item by the activities of its file.

    Budgets (bytes, includes, expanded values) are shared by all the files of
    one map. A list with includes at or below it that is reached again through
    a YAML alias is expanded once and charged again for the included values
    under it, so aliases cannot multiply included files beyond the value limit.
    """

    files: MapFiles
    root: PurePosixPath
    name: str
    problems: list[Problem] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    cache: dict[PurePosixPath, bytes] = field(default_factory=dict)
    """Files read so far (a file included twice is read once, and counted twice)."""
    lists: dict[int, tuple[YSeq, YSeq, int]] = field(default_factory=dict)
    """id of a list with includes at or below it -> (that list, kept so that its id is not
    reused; the list expanded; the included values under it)."""
    total_bytes: int = 0
    includes: int = 0
    values: int = 0
    included_values: int = 0

    def load(self, data: bytes) -> CycleMap:
        """The validated map in `data` (the root map's bytes); MapError with every problem otherwise."""
        try:
            with collector_paused():
                return self._build(data)
        except MapError as err:
            err.sources.update(self.texts)
            raise

    def _build(self, data: bytes) -> CycleMap:
        text = decode(data, self.name)
        self.texts[self.name] = text
        self.total_bytes = len(data)
        tree, self.values = parse_yaml(text, Source(self.name))
        if tree is None:
            raise MapError([Problem(self.name, 1, 1, EMPTY_MAP)])
        if isinstance(tree, YMap):
            try:
                self._expand_phases(tree, _Part(self.root, (), ((self.root, self.name),)))
            except _OutOfBudget:
                raise MapError(self.problems) from None
        try:
            cmap = build_map(tree, self.name)
        except MapError as err:
            raise MapError(self.problems + err.problems) from None
        if self.problems:
            raise MapError(self.problems)
        _forget_positions(tree)
        return cmap

    # -- walking the lists that may hold includes ---------------------------

    def _expand_phases(self, tree: YMap, part: _Part) -> None:
        phases = tree.get("phases")
        if not isinstance(phases, YMap):
            return  # reported when the map is validated
        for key in PHASE_KEYS:
            phase = phases.get(key)
            if isinstance(phase, YMap) and isinstance(phase.get("activities"), YSeq):
                phase["activities"] = self._expand_list(phase["activities"], _LIST_DEPTH, part)

    def _expand_list(self, seq: YSeq, depth: int, part: _Part) -> YSeq:
        """`seq` with its includes replaced, at any depth; `depth` is its nesting in the whole map.

        Only lists with includes at or below them are remembered (a map without
        includes allocates nothing here); a list without any is simply walked
        again when an alias repeats it, which the map's own value limit bounds.
        """
        seen = self.lists.get(id(seq))
        if seen is not None:  # the same list again, through an alias
            self._charge(seen[2], seq)
            return seen[1]
        before = self.included_values
        if any(isinstance(item, YMap) and "include" in item for item in seq):
            expanded = self._splice(seq, depth, part)
        else:
            expanded = seq
            for item in seq:
                self._expand_subcycle(item, depth + 1, part)
        if expanded is not seq or self.included_values != before:
            weight = self.included_values - before
            self.lists[id(seq)] = (seq, expanded, weight)
            self.lists[id(expanded)] = (expanded, expanded, weight)
        return expanded

    def _expand_subcycle(self, item: Any, depth: int, part: _Part) -> None:
        if isinstance(item, YMap):
            sub = item.get("subcycle")
            if isinstance(sub, YSeq):
                expanded = self._expand_list(sub, depth + 1, part)
                if expanded is not sub:
                    item["subcycle"] = expanded

    def _splice(self, seq: YSeq, depth: int, part: _Part) -> YSeq:
        """A new list: the items of `seq`, each include replaced by its file's activities."""
        out = YSplice(seq.source, seq.pos)
        sources = out.item_sources
        for index, item in enumerate(seq):
            if isinstance(item, YMap) and "include" in item:
                included = self._include(item, depth, part)
                if included is not None:
                    out.extend(included)
                    out.item_pos.extend(included.item_pos)
                    sources.extend(included.source_of(n) for n in range(len(included)))
            else:
                self._expand_subcycle(item, depth + 1, part)
                out.append(item)
                out.item_pos.append(seq.item_pos[index])
                sources.append(seq.source_of(index))
        return out

    # -- one include ----------------------------------------------------------

    def _include(self, item: YMap, depth: int, part: _Part) -> YSeq | None:
        """The activities of the file `item` includes, expanded; None if it cannot be used (problem recorded)."""
        written = self._include_path(item)
        if written is None:
            return None
        at = item.value_pos["include"]
        try:
            rel = include_path(written, part.rel, self.root)
        except IncludeRefused as err:
            self._problem(item.source, at, f"cannot include '{clip(written)}': {err}")
            return None
        name = self.files.name(rel)
        try:
            data = self._read(rel, part, item.source, at)
        except IncludeRefused as err:
            shown = f"'{clip(written)}'" + (f" ({clip(name, 300)})" if name != written else "")
            self._problem(item.source, at, f"cannot include {shown}: {err}")
            return None
        child = _Part(rel, (*part.chain, Place(item.source.name, *item.pos)), (*part.trail, (rel, name)))
        activities = self._activities_of(data, name, child, depth)
        return None if activities is None else self._expand_list(activities, depth, child)

    def _include_path(self, item: YMap) -> str | None:
        """The path an include item names; extra keys and a path that is not text are problems."""
        for key in item:
            if key != "include":
                self._problem(
                    item.source,
                    item.key_pos[key],
                    f"'{clip(key)}' cannot stand next to 'include'; an include item holds only "
                    "'include: PATH' (write the activity in the included file instead)",
                )
        value = item["include"]
        if isinstance(value, str):
            return value
        what = "is empty" if value is None else f"takes the path of a YAML file, not {_describe(value)}"
        self._problem(item.source, item.value_pos["include"], f"'include' {what}; write  include: parts/pre.yaml")
        return None

    def _read(self, rel: PurePosixPath, part: _Part, source: Source, at: Pos) -> bytes:
        """The bytes of `rel`, within the limits; IncludeRefused says why not."""
        if any(rel == seen for seen, _ in part.trail):
            start = next(n for n, (seen, _) in enumerate(part.trail) if seen == rel)
            loop = " -> ".join([name for _, name in part.trail[start:]] + [self.files.name(rel)])
            raise IncludeRefused(f"the files would include each other in a loop: {loop}")
        if len(part.trail) > MAX_INCLUDE_DEPTH:
            raise IncludeRefused(
                f"includes are nested more than {MAX_INCLUDE_DEPTH} deep; include the files from fewer levels"
            )
        if self.includes >= MAX_INCLUDES:
            self._stop(source, at, f"the map includes more than {MAX_INCLUDES} files in all (a file included "
                       "twice counts twice); merge small files or split the map into separate maps")
        left = MAX_TOTAL_BYTES - self.total_bytes
        data = self.cache.get(rel)
        if data is None:
            data = self.cache[rel] = self.files.read(rel, limit=left)
        if len(data) > left:
            raise too_large(left)
        self.total_bytes += len(data)
        self.includes += 1
        return data

    def _activities_of(self, data: bytes, name: str, part: _Part, depth: int) -> YSeq | None:
        """The activities list of an included file's bytes; None when unusable (problems recorded)."""
        source = Source(name, part.chain)
        try:
            text = decode(data, name)
            self.texts[name] = text
            tree, values = parse_yaml(text, source, depth=depth - 1, max_nodes=yaml_reader.MAX_NODES - self.values)
        except MapError as err:
            self.problems.extend(replace(p, chain=part.chain) for p in err.problems)
            return None
        self.values += values
        self.included_values += values
        if isinstance(tree, YSeq):
            return tree
        if isinstance(tree, YMap):
            return self._activities_key(tree)
        if tree is None:
            self._problem(source, (1, 1), f"the file is empty; {_PART_SHAPE} (write [] for none yet)")
        else:
            self._problem(source, (1, 1), f"the file holds only text; {_PART_SHAPE}")
        return None

    def _activities_key(self, tree: YMap) -> YSeq | None:
        """The `activities` list of an included file written as a mapping."""
        if "cyclemap" in tree or "phases" in tree:
            self._problem(tree.source, tree.pos, f"this is a whole map; {_PART_SHAPE}")
            return None
        for key in tree:
            if key != "activities" and not key.startswith("x-"):
                self._problem(
                    tree.source,
                    tree.key_pos[key],
                    f"unknown key '{clip(key)}'; next to 'activities', an included file holds only your own "
                    "keys starting with 'x-'",
                )
        activities = tree.get("activities")
        if isinstance(activities, YSeq):
            return activities
        if "activities" not in tree:
            self._problem(tree.source, tree.pos, f"missing key 'activities'; {_PART_SHAPE}")
        else:
            self._problem(
                tree.source,
                tree.value_pos["activities"],
                f"'activities' must be a list (items on lines starting with '- '), not {_describe(activities)}",
            )
        return None

    # -- limits and problems ---------------------------------------------------

    def _charge(self, values: int, seq: YSeq) -> None:
        """Count included values met again through an alias against the map's value limit."""
        self.values += values
        self.included_values += values
        if self.values > yaml_reader.MAX_NODES:
            self._stop(seq.source, seq.pos, f"the map expands to more than {yaml_reader.MAX_NODES:,} values "
                       "(aliases repeat what they point to, here with included files); this looks like an alias bomb")

    def _problem(self, source: Source, pos: Pos, message: str) -> None:
        self.problems.append(Problem(source.name, pos[0], pos[1], message, "", source.chain))

    def _stop(self, source: Source, pos: Pos, message: str) -> typing.NoReturn:
        self._problem(source, pos, message)
        raise _OutOfBudget


def _forget_positions(tree: YMap) -> None:
    """Drop the positions inside the phases' activities that nothing reads once the map is valid.

    An activity keeps where it is reported (`activity_location`); the map and
    phase levels keep all theirs. A big map then holds about a quarter less.
    """
    phases = tree.get("phases")
    for key in PHASE_KEYS:
        phase = phases.get(key) if isinstance(phases, YMap) else None
        if isinstance(phase, YMap):
            yaml_reader.compact_positions(phase.get("activities"))


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (if it was running) while a map is built.

    Building makes millions of long-lived objects (nodes, positions, models) and
    each automatic collection scans all of them again: at 100,000 activities that
    was half the loading time. Reference counting still frees what is dropped;
    cycles wait for the next collection after the load.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


_PART_SHAPE = (
    "an included file holds a list of activities (lines starting with '- name:'), "
    "or 'activities:' followed by that list"
)


# -- reading --------------------------------------------------------------


def read_bytes(path: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file (or stdin), refusing anything over `limit` (default MAX_FILE_BYTES)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    data = _read_stdin(limit) if path == STDIN else _read_regular_file(path, limit).data
    _check_size(path, data, limit)
    return data


def read_file(path: str, limit: int | None = None) -> ReadFile:
    """`read_bytes` of a regular file (not stdin), with its status as opened and its real path: what a command
    that rewrites the file checks again before it writes."""
    limit = MAX_FILE_BYTES if limit is None else limit
    read = _read_regular_file(path, limit)
    _check_size(path, read.data, limit)
    return read


def _check_size(path: str, data: bytes, limit: int) -> None:
    if len(data) > limit:
        size = f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
        raise MapError([Problem(path, 1, 1, f"the file is larger than {size}; split the map into smaller ones")])


def _read_stdin(limit: int) -> bytes:
    """Standard input; when it is a file (`< map.yaml`), that file counts as an input too."""
    try:
        info = os.fstat(sys.stdin.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        info = None
    if info is not None and stat.S_ISREG(info.st_mode):
        note_input(info, "standard input", None)
    return sys.stdin.buffer.read(limit + 1)


def _read_regular_file(path: str, limit: int) -> ReadFile:
    """The first `limit` + 1 bytes of the regular file at `path`; UnreadableFile (an InputError) if it is none."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise UnreadableFile(path, f"no such file{_dangling(path)}") from None
    except IsADirectoryError:
        raise UnreadableFile(path, "is a directory, not a map file") from None
    except OSError as err:
        raise UnreadableFile(path, f"cannot open: {err.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # before fdopen, which refuses a directory with an OSError
        os.close(fd)
        raise UnreadableFile(path, "is a directory, not a map file" if stat.S_ISDIR(info.st_mode)
                             else "not a regular file")
    real = os.path.realpath(path)
    note_input(info, path, real)
    with os.fdopen(fd, "rb") as handle:
        try:
            return ReadFile(handle.read(limit + 1), info, real)
        except OSError as err:
            raise UnreadableFile(path, f"cannot read: {err.strerror}") from None


def _dangling(path: str) -> str:
    """For a symbolic link that leads nowhere, a note saying where it leads; else nothing."""
    try:
        target = str(Path(path).readlink())
    except (OSError, ValueError):
        return ""
    return f" (a symbolic link to {target}, which does not exist)"


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
    found = _follow(root, error["loc"])
    pos = found.pos
    if kind == "extra_forbidden" and isinstance(found.parent, YMap) and found.key in found.parent.key_pos:
        pos = found.parent.key_pos[found.key]
    message = _message(kind, error, found.node, found.key, found.model)
    source = found.source
    return Problem(source.name, pos[0], pos[1], message, _path_text(found.path), source.chain)


class _Found(NamedTuple):
    """Where a pydantic error lands in the data."""

    node: Any
    """The value found (None when a key is missing)."""
    parent: Any
    key: Any
    """The last key or index walked."""
    pos: Pos
    source: Source
    """The file `pos` is in: an included file for included activities."""
    path: list[Any]
    model: type[BaseModel] | None
    """The model that owns the last key."""


def _follow(root: YMap, loc: Sequence[Any]) -> _Found:
    """Walk the data along a pydantic `loc`, keeping the deepest known position and its file.

    Parts that are not in the data (union branch names such as 'int') are
    skipped; a key missing from a mapping ends the walk at that mapping.
    """
    node: Any = root
    parent: Any = root
    key: Any = None
    pos = root.pos
    source = root.source
    path: list[Any] = []
    model: type[BaseModel] | None = CycleMap
    owner: type[BaseModel] | None = CycleMap
    for part in loc:
        if isinstance(node, YMap) and isinstance(part, str):
            if part not in node and (model is None or part not in model.model_fields):
                break  # not a key of this mapping, e.g. the name of a union branch
            parent, key, owner, source = node, part, model, node.source
            path.append(part)
            model = _field_model(model, part)
            if part not in node:
                node = None
                break
            pos, node = node.value_pos[part], node[part]
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
            parent, key, source = node, part, node.source_of(part)
            path.append(part)
            pos, node = node.item_pos[part], node[part]
        else:
            break
    return _Found(node, parent, key, pos, source, path, owner)


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
    if key == "include":
        return "'include' can only be an item of an 'activities' or 'subcycle' list:  - include: parts/pre.yaml"
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
    return _location(visit.phase, visit.position, visit.activity._source)


def _location(phase: str, position: tuple[int, ...], node: Any) -> tuple[str, int, int, str]:
    """File, line, column and map path of the activity at `position` in `phase`, written as `node`."""
    path = f"phases.{phase}.activities[{position[0] - 1}]"
    path += "".join(f".subcycle[{n - 1}]" for n in position[1:])
    if isinstance(node, YMap):
        line, col = node.value_pos.get("id", node.pos)
        return node.source.name, line, col, path
    return "?", 1, 1, path


class _Named(NamedTuple):
    """An activity with its id, as a clash names it: from the model, or from the data as written."""

    phase: str
    position: tuple[int, ...]
    id: str
    name: str
    node: Any


def _clash_problem(first: Visit | _Named, second: Visit | _Named) -> Problem:
    first, second = _named(first), _named(second)
    file, line, col, path = _location(second.phase, second.position, second.node)
    other_file, other_line, other_col, _ = _location(first.phase, first.position, first.node)
    node = second.node
    chain = node.source.chain if isinstance(node, YMap) else ()
    if (file, line, col) == (other_file, other_line, other_col):
        return Problem(file, line, col, _twice_message(first, second), path, chain)
    explicit = isinstance(node, YMap) and "id" in node
    advice = "change one of them" if explicit else "give one of them an explicit 'id:'"
    return Problem(
        file,
        line,
        col,
        f"duplicate id '{second.id}': '{second.name}' and '{first.name}' "
        f"(at {other_file}:{other_line}:{other_col}) share it; {advice}",
        path,
        chain,
    )


def _named(visit: Visit | _Named) -> _Named:
    if isinstance(visit, _Named):
        return visit
    activity: Activity = visit.activity
    return _Named(visit.phase, visit.position, activity.id or "", activity.name, activity._source)


def _twice_message(first: _Named, second: _Named) -> str:
    """Why the very same lines are in the map twice: a file included twice, or a YAML alias."""
    chains = [n.node.source.chain if isinstance(n.node, YMap) else () for n in (first, second)]
    if chains[0] and chains[0] != chains[1]:
        why = f"its file is included twice (also from {chains[0][-1]})"
        advice = "include the file once"
    else:
        why = "a YAML alias repeats it"
        advice = "write each activity once"
    return f"duplicate id '{second.id}': '{second.name}' is in the map twice because {why}; {advice}"


def _written_id_clashes(root: YMap) -> list[Problem]:
    """Duplicate ids among the activities as written, for a map the model refused.

    Activities whose id or name is itself refused are left out (their own
    problem is reported); the ids are the ones `assign_ids` would give.
    """
    seen: dict[str, _Named] = {}
    problems = []
    for named in _written_activities(root):
        if named.id in seen:
            problems.append(_clash_problem(seen[named.id], named))
        else:
            seen[named.id] = named
    return problems


def _written_activities(root: YMap) -> Iterator[_Named]:
    phases = root.get("phases")
    for key in PHASE_KEYS:
        phase = phases.get(key) if isinstance(phases, YMap) else None
        if isinstance(phase, YMap):
            yield from _written_list(key, phase.get("activities"), ())


def _written_list(phase: str, items: Any, parents: tuple[int, ...]) -> Iterator[_Named]:
    if not isinstance(items, YSeq):
        return
    for number, item in enumerate(items, start=1):
        if not isinstance(item, YMap):
            continue
        position = (*parents, number)
        name, written = item.get("name"), item.get("id")
        if isinstance(written, str) and _ID.fullmatch(written):
            activity_id = written
        elif written is None and isinstance(name, str) and name.strip():
            activity_id = implicit_id(name, phase, position)
        else:
            activity_id = ""
        if activity_id:
            yield _Named(phase, position, activity_id, name if isinstance(name, str) else activity_id, item)
        yield from _written_list(phase, item.get("subcycle"), position)


_ID = re.compile(ID_PATTERN)
