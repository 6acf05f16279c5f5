"""YAML text -> plain data that remembers where every value came from.

The reader walks libyaml's event stream (or PyYAML's pure-Python parser where
libyaml is missing) and builds dicts, lists and strings itself, instead of
using PyYAML's composer and constructor. That buys four things at once:

- **Positions**: every mapping and sequence is a `YMap` / `YSeq` that records
  the line and column of each of its keys and items, so a validation error can
  point at the exact place in the file.
- **No YAML 1.1 guessing**: scalars stay text (`no` is "no", `012` is "012");
  only an empty value, `~` and `null` become None. The model decides which
  fields are numbers.
- **Safety**: nesting depth and the expanded size of aliases are bounded while
  reading, so "billion laughs" and deeply nested input fail in milliseconds
  rather than exhausting memory or crashing the C composer.
- **Speed**: libyaml's event stream is several times cheaper than its
  composer, so reading with positions costs less than `yaml.load`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import yaml

from cyclemap.problems import MapError, Place, Problem, clip, line_col, split_lines

try:  # libyaml's C parser when available; the pure-Python one otherwise.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 100
"""Deepest nesting of mappings and sequences (a subcycle level costs two)."""
MAX_NODES = 2_000_000
"""Most values a document may hold once aliases are expanded."""

Pos = tuple[int, int]
"""A 1-based (line, column)."""
EMPTY_MAP = "the file is empty; a map starts with 'cyclemap: 1'"
DEPTH_MESSAGE = (
    f"the map is nested more than {MAX_DEPTH} levels deep; flatten deep subcycles or split them into separate maps"
)
_LIBYAML_DEPTH = "exceeded maximum nesting depth"
"""libyaml's own message when flow nesting passes its bound (1,000 levels in PyYAML 6.0.4's wheels)."""

_SHARED_TEXT = 24
"""Values up to this length are kept once per document however often they repeat (scores, tags)."""
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TAG_PREFIX = "tag:yaml.org,2002:"
_TEXT_TAGS = frozenset(("!", *(_TAG_PREFIX + t for t in ("str", "int", "float"))))
_CONTAINER_TAGS = frozenset((_TAG_PREFIX + "map", _TAG_PREFIX + "seq"))
_NOT_YAML_CHAR = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters YAML does not allow anywhere in a stream (the parser's reader rejects them)."""
_TAB_HINT = "use spaces, not tabs, to indent YAML"
_HINTS = {
    "mapping values are not allowed": (
        "a value that contains ': ' must be put in quotes, "
        'for example  name: "Step 1: choose"'
    ),
    "found undefined alias": "an alias (*name) must refer to an anchor (&name) defined above it",
}


@dataclass(frozen=True)
class Source:
    """A file being read: its name as given, and the includes that led to it."""

    name: str
    chain: tuple[Place, ...] = ()
    """Where this file was included from, the root map's include first (empty for the map itself)."""


class YMap(dict[str, Any]):
    """A mapping that knows where it, its keys and its values are in the file."""

    __slots__ = ("key_pos", "pos", "source", "value_pos")

    def __init__(self, source: Source, pos: Pos) -> None:
        super().__init__()
        self.source = source
        self.pos = pos
        self.key_pos: dict[str, Pos] = {}
        self.value_pos: dict[str, Pos] = {}

    def settle(self, keep: frozenset[str] = frozenset(("id",))) -> None:
        """This mapping validated: drop the positions no problem will point at any more.

        Keeps its own position and those of the values in `keep` (an activity is
        reported at its id), and the item positions of lists that merge included
        files. A big map then peaks lower while it is validated.
        """
        self.key_pos = {}
        self.value_pos = {key: pos for key, pos in self.value_pos.items() if key in keep}
        for value in self.values():
            if isinstance(value, YSeq) and not isinstance(value, YSplice):
                value.item_pos = []


class YSeq(list[Any]):
    """A sequence that knows where it and each of its items are in the file."""

    __slots__ = ("item_pos", "pos", "source")

    def __init__(self, source: Source, pos: Pos) -> None:
        super().__init__()
        self.source = source
        self.pos = pos
        self.item_pos: list[Pos] = []

    def source_of(self, index: int) -> Source:
        """The file item `index` (and its `item_pos`) is written in."""
        return self.source


class YSplice(YSeq):
    """A list whose includes were replaced by the activities of other files: items from several files."""

    __slots__ = ("item_sources",)

    def __init__(self, source: Source, pos: Pos) -> None:
        super().__init__(source, pos)
        self.item_sources: list[Source] = []

    def source_of(self, index: int) -> Source:
        return self.item_sources[index]


def position_of(container: Any, key: Any) -> Pos | None:
    """Where the value at `key` of a YMap or YSeq starts, if known."""
    if isinstance(container, YMap):
        return container.value_pos.get(key)
    if isinstance(container, YSeq) and isinstance(key, int) and 0 <= key < len(container):
        return container.item_pos[key]
    return None


def read_yaml(text: str, source: Source) -> Any:
    """Parse one YAML document into YMap / YSeq / str / None.

    Raises MapError with every problem found; a syntax error ends the reading.
    """
    root, _ = parse_yaml(text, source)
    if root is None:
        raise MapError([Problem(source.name, 1, 1, EMPTY_MAP)])
    return root


def parse_yaml(text: str, source: Source, *, depth: int = 0, max_nodes: int | None = None,
               tap: Callable[[yaml.Event], object] | None = None) -> tuple[Any, int]:
    """Parse one YAML document; return its data (None if it is empty) and how many values it expands to.

    `depth` is how deeply the document's top level is nested in the map it
    becomes part of (an included file), so that MAX_DEPTH bounds the whole map;
    `max_nodes` is what remains of the MAX_NODES budget. Raises MapError like `read_yaml`.
    `tap`, when given, sees every parser event before the reader does (what it
    raises ends the reading), so that another reader can share the one parse.
    """
    builder = _Builder(source, MAX_DEPTH - depth, MAX_NODES - (MAX_NODES if max_nodes is None else max_nodes))
    _build(text, builder, tap)
    if builder.problems:
        raise MapError(builder.problems)
    if builder.documents == 0 or builder.root is _MISSING:
        return None, builder.total - builder.spent
    return builder.root, builder.total - builder.spent


def _build(text: str, builder: _Builder, tap: Callable[[yaml.Event], object] | None = None) -> None:
    """Feed the parser's events to the builder (and to `tap` first); every error becomes one of its problems."""
    try:
        if tap is None:
            for event in yaml.parse(text, Loader=_Loader):
                builder.feed(event)
        else:
            for event in yaml.parse(text, Loader=_Loader):
                tap(event)
                builder.feed(event)
    except yaml.MarkedYAMLError as err:
        if _LIBYAML_DEPTH in (err.problem or "") and err.problem_mark is not None:
            builder.problems.append(_depth_problem(text[: err.problem_mark.index], builder, err))
        else:
            builder.problems.append(_syntax_problem(err, builder.source, text))
    except yaml.reader.ReaderError:
        builder.problems.append(_character_problem(text, builder.source))
    except yaml.YAMLError as err:  # unmarked errors: rare, but never a traceback
        builder.problems.append(Problem(builder.source.name, 1, 1, f"invalid YAML: {err}"))
    except _Stop:
        pass


def _depth_problem(prefix: str, builder: _Builder, err: yaml.MarkedYAMLError) -> Problem:
    """Our depth message where our limit is crossed, when libyaml's own nesting bound stopped it first.

    libyaml (from PyYAML 6.0.4's wheels on) refuses flow nesting past 1,000 levels while it scans
    ahead for a possible key, before it has emitted a single event, so our builder never saw the
    101st level. The text before the point where libyaml stopped nests less than its bound: reading
    it again meets our limit at the right place, whatever the PyYAML version.
    """
    again = _Builder(builder.source, builder.max_depth, builder.spent)
    _build(prefix, again)
    if again.problems and DEPTH_MESSAGE in again.problems[0].message:
        return again.problems[0]
    mark = err.problem_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(builder.source.name, line, col, DEPTH_MESSAGE)


class _Stop(Exception):
    """Reading cannot go on (the problem is already recorded)."""


_MISSING: Any = object()


class _Frame:
    __slots__ = ("anchor", "container", "key", "weight")

    def __init__(self, container: YMap | YSeq, anchor: str | None) -> None:
        self.container = container
        self.key: Any = _MISSING  # a mapping's key waiting for its value
        self.weight = 1
        self.anchor = anchor


class _Builder:
    """Turns parser events into data, one event at a time."""

    def __init__(self, source: Source, max_depth: int, spent: int) -> None:
        self.source = source
        self.max_depth = max_depth
        self.spent = spent
        """Values other files of the map already hold: counting starts there, so that the
        check per value compares with the constant MAX_NODES (cheaper than an attribute)."""
        self.problems: list[Problem] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int] | None] = {}  # None: still being built
        self.root: Any = _MISSING
        self.documents = 0
        self.total = spent
        self.last_pos: Pos = (1, 1)
        self.texts: dict[str, str] = {}
        """Keys and short values read so far: a repeated one is kept once (most keys of a map repeat)."""

    def feed(self, event: yaml.Event) -> None:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            self._scalar(event)  # type: ignore[arg-type]
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            self._start(event)  # type: ignore[arg-type]
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            self._end()
        elif kind is yaml.AliasEvent:
            self._alias(event)  # type: ignore[arg-type]
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                self._fail(event, "a map file holds one YAML document; remove the second '---'")

    # -- events ------------------------------------------------------------

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        tag = event.tag
        value: str | None = event.value
        if tag is None:
            if event.implicit[0] and value in _NULLS:
                value = None
        elif tag == _TAG_PREFIX + "null":
            value = None
        elif tag not in _TEXT_TAGS:
            self._bad_tag(event, tag)
        if value is not None and len(value) <= _SHARED_TEXT:
            value = self.texts.setdefault(value, value)
        self._add(value, 1, event)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)

    def _start(self, event: yaml.CollectionStartEvent) -> None:
        if event.tag is not None and event.tag not in _CONTAINER_TAGS:
            self._bad_tag(event, event.tag)
        if len(self.stack) >= self.max_depth:
            self._fail(event, DEPTH_MESSAGE)
        pos = self._pos(event)
        container: YMap | YSeq = (
            YMap(self.source, pos) if type(event) is yaml.MappingStartEvent else YSeq(self.source, pos)
        )
        self._add(container, 0, event)
        if event.anchor:
            self.anchors[event.anchor] = None
        self.stack.append(_Frame(container, event.anchor))

    def _end(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.container, YMap) and "<<" in frame.container:
            self._merge(frame.container)
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.container, frame.weight)
        if self.stack:
            self.stack[-1].weight += frame.weight

    def _alias(self, event: yaml.AliasEvent) -> None:
        target = self.anchors.get(event.anchor or "", _MISSING)
        name = clip(event.anchor or "", 60)
        if target is _MISSING:
            self._fail(event, f"the alias *{name} refers to no anchor &{name} above it")
        if target is None:
            self._fail(event, f"the alias *{name} is used inside its own anchor (a loop)")
        value, weight = target
        self._add(value, weight, event)

    # -- helpers -----------------------------------------------------------

    def _add(self, value: Any, weight: int, event: yaml.Event) -> None:
        """Attach a finished value (or a newly opened container) to its parent."""
        self.total += weight or 1
        if self.total > MAX_NODES:
            self._fail(
                event,
                f"the map expands to more than {MAX_NODES:,} values "
                "(aliases repeat what they point to); this looks like an alias bomb",
            )
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.weight += weight
        parent = frame.container
        if isinstance(parent, YSeq):
            parent.append(value)
            parent.item_pos.append(self._pos(event))
        elif frame.key is _MISSING:
            frame.key = self._key(value, event, parent)
        else:
            key = frame.key
            frame.key = _MISSING
            if key is not _MISSING and key is not None:
                parent[key] = value
                parent.value_pos[key] = self._pos(event)

    def _key(self, value: Any, event: yaml.Event, parent: YMap) -> str | None:
        """Check a mapping key; None means "skip this entry" (problem recorded)."""
        if not isinstance(value, str):
            what = "empty" if value is None else "a list or mapping"
            self._problem(event, f"a key must be plain text, not {what}")
            return None
        if value in parent.key_pos:
            line, col = parent.key_pos[value]
            self._problem(event, f"duplicate key '{clip(value)}' (first defined at line {line}, column {col})")
            return None
        parent.key_pos[value] = self._pos(event)
        return self.texts.setdefault(value, value)

    def _merge(self, mapping: YMap) -> None:
        """Apply a YAML merge key (`<<: *defaults`): keys written here win."""
        merged = mapping.pop("<<")
        pos = mapping.value_pos.pop("<<")
        del mapping.key_pos["<<"]
        sources = merged if isinstance(merged, list) else [merged]
        for src in sources:
            if not isinstance(src, YMap):
                self.problems.append(
                    Problem(self.source.name, *pos, "'<<' (merge) takes a mapping or a list of mappings")
                )
                return
            for key, value in src.items():
                if key not in mapping:
                    mapping[key] = value
                    mapping.key_pos[key] = src.key_pos[key]
                    mapping.value_pos[key] = src.value_pos[key]

    def _bad_tag(self, event: yaml.NodeEvent, tag: str) -> None:
        shown = clip(tag.replace(_TAG_PREFIX, "!!"))
        self._problem(
            event,
            f"the tag '{shown}' is not allowed; maps use plain YAML values (remove the tag)",
        )

    def _pos(self, event: yaml.Event) -> Pos:
        """The event's position; the same tuple as the last one when equal (a mapping, its
        first key and its place in a list all start at one point), to hold fewer of them."""
        pos = _pos(event)
        if pos == self.last_pos:
            return self.last_pos
        self.last_pos = pos
        return pos

    def _problem(self, event: yaml.Event, message: str) -> None:
        line, col = _pos(event)
        self.problems.append(Problem(self.source.name, line, col, message))

    def _fail(self, event: yaml.Event, message: str) -> NoReturn:
        self._problem(event, message)
        raise _Stop


def _pos(event: yaml.Event) -> Pos:
    mark = event.start_mark
    return (1, 1) if mark is None else (mark.line + 1, mark.column + 1)


def _syntax_problem(err: yaml.MarkedYAMLError, source: Source, text: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = err.problem or "invalid YAML"
    if err.context and err.context_mark is not None and err.problem_mark is not None:
        message = f"{message} ({err.context} at line {err.context_mark.line + 1})"
    indentation = _indentation_hint(text, line) if any(n in message for n in _INDENT_ERRORS) else None
    if indentation is not None:
        message = f"{message}; {indentation}"
    else:
        for needle, hint in _HINTS.items():
            if needle in message:
                message = f"{message}; {hint}"
    # libyaml does not name the character it trips on; a tab is the usual one.
    if mark is not None and text[mark.index : mark.index + 1] == "\t" and _TAB_HINT not in message:
        message = f"{message}; {_TAB_HINT}"
    return Problem(source.name, line, col, f"invalid YAML: {message}")


_INDENT_ERRORS = (
    "did not find expected '-' indicator",
    "did not find expected key",
    "mapping values are not allowed",
    "expected <block end>",
    "could not find expected ':'",
)
"""libyaml's messages that a line indented one or two spaces off usually causes."""
_SLIP = 2
"""Most spaces a line can be off and still be taken for a slip rather than meant."""
_LOOK_BACK = 500
"""Lines looked at above an error for the line it probably belongs with."""


def _indentation_hint(text: str, line: int) -> str | None:
    """Which line above the error line `line` (1-based) it is probably meant to line up with, if it is off by a slip.

    An item ('- ') is compared with the items above, anything else with the
    keys above (a key after '- ' starts two columns in). The nearest line
    with a column within a slip decides: the same column means indentation
    is not the cause. A line less indented than that (its parent) ends the search.
    """
    lines = split_lines(text)
    if not 0 < line <= len(lines):
        return None
    here = lines[line - 1]
    indent = len(here) - len(here.lstrip(" "))
    if here[indent:indent + 1] in ("", "\t", "#"):
        return None
    item = here[indent:].startswith("-") and here[indent + 1:indent + 2] in ("", " ")
    for number in range(line - 1, max(0, line - 1 - _LOOK_BACK), -1):
        above = lines[number - 1]
        columns = _columns(above, item)
        if columns is None:
            continue
        near = [c for c in columns if abs(c - indent) <= _SLIP]
        if near:
            return None if indent in near else _slip_message(line, indent, (number, near[0], above), item)
        if len(above) - len(above.lstrip(" ")) < indent - _SLIP:
            return None
    return None


def _columns(line: str, item: bool) -> list[int] | None:
    """Where items (`item`) or keys start on `line` (0-based columns); None for blank and comment lines."""
    indent = len(line) - len(line.lstrip(" "))
    rest = line[indent:]
    if not rest or rest.startswith(("#", "\t")):
        return None
    dashes, column = [], indent
    while rest.startswith("-") and rest[1:2] in ("", " "):
        dashes.append(column)
        skipped = len(rest[1:]) - len(rest[1:].lstrip(" "))
        column += 1 + skipped
        rest = rest[1 + skipped:]
    if item:
        return dashes
    return [column] if rest and not rest.startswith("#") else []


def _slip_message(line: int, indent: int, found: tuple[int, int, str], item: bool) -> str:
    """The hint for `line`, indented `indent`, whose column is probably `found`: (line number, column, text)."""
    number, column, above = found
    spaces = abs(indent - column)
    how = f"{spaces} space{'s' * (spaces != 1)} {'more' if indent > column else 'less'}"
    if item:
        return (f"line {line} is indented {how} than the item above at line {number}; items of one list must "
                f"start in the same column (column {column + 1})")
    key = clip(above[column:].split(":", 1)[0].strip(), 40)
    return (f"line {line} is indented {how} than the key '{key}' at line {number}; keys of one mapping must "
            f"start in the same column (column {column + 1})")


def _character_problem(text: str, source: Source) -> Problem:
    """The reader refused a character: say which, and where (its own offset differs per parser)."""
    found = _NOT_YAML_CHAR.search(text)
    if found is None:  # pragma: no cover - the reader and the pattern agree on the set
        return Problem(source.name, 1, 1, "invalid YAML: the file contains a character YAML does not allow")
    return Problem(
        source.name,
        *line_col(text, found.start()),
        f"the file contains the control character U+{ord(found.group()):04X}, which YAML does not allow; remove it",
    )


def compact_positions(node: Any, keep: frozenset[str] = frozenset(("id",))) -> None:
    """Reduce a validated tree to what is read once the map is built: where each mapping is.

    Each mapping keeps its own position, its file and the value positions of
    the keys in `keep` (an activity is reported at its id, else at its first
    line); its values, key positions and list items go, since the models hold
    the values. About a third of what a loaded map holds, so that a big map
    (or two, for a diff) fits in memory. Lists that merge included files keep
    their item positions.
    """
    seen: set[int] = set()
    pending = [node]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, YMap):
            pending.extend(value for value in current.values() if isinstance(value, (YMap, YSeq)))
            current.clear()
            current.key_pos = {}
            current.value_pos = {key: pos for key, pos in current.value_pos.items() if key in keep}
        elif isinstance(current, YSeq):
            pending.extend(value for value in current if isinstance(value, (YMap, YSeq)))
            if not isinstance(current, YSplice):
                current.clear()
                current.item_pos = []
