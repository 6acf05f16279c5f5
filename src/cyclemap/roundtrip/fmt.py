"""The canonical layout of a map file, for `cyclemap fmt` and for every map cyclemap writes.

`format_text(text)` lays out one YAML file (a whole map or a part file it includes) the one way
docs/format.md describes ("Canonical layout"): keys in the order of the format, two spaces of
indentation with lists indented under their key, lists of short texts inline when the line fits in
100 columns, one blank line between the activities of a phase. It keeps every comment and never
changes what the file means:

- **Scalars are copied from the source, character for character** (quotes, escapes, `no`, `012`,
  `~`, block scalars `|`/`>` with their indicators); only the indentation of their continuation lines
  moves, which YAML ignores (block scalars move as a whole, keeping their relative indentation).
  So nothing is re-quoted or re-typed, whatever a YAML library would make of the value.
- **Comments** are found in the source (every `#` outside a scalar) and given an owner: a comment at
  the end of a line belongs to the entry that ends there; a comment on a line of its own to the
  entry that follows it (and moves with it when keys are put in order), or, when it is indented
  deeper than that entry, to the end of the block above it. The header of a file (its first
  comments, up to the last blank line before the first key) stays at the top.
- **Anchors, aliases and merge keys** stay valid: a mapping with a merge key (`<<`), or in which more
  than one entry holds an anchor or an alias, keeps its order.
- Flow collections (`[...]`, `{...}`) with a comment inside, or a value the layout cannot place
  safely, are copied as they are.

The layout is checked before it is returned: the formatted text must read, with cyclemap's own YAML
reader, to exactly the data the original reads to; if not, `MeaningChanged` is raised (a bug).
Text the formatter does not handle (not one YAML document of mappings and lists, directives, keys
that are not plain text or are written with `?`) is returned unchanged.

The parser is PyYAML's event stream (libyaml where available), the one the loader reads maps with,
so positions and values agree with what `validate` reports.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from cyclemap.exit_codes import EXIT_INTERNAL
from cyclemap.problems import CyclemapError, MapError
from cyclemap.yaml_reader import Source, parse_yaml

try:  # libyaml's C parser when available; the pure-Python one otherwise (as in yaml_reader).
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

WIDTH = 100
"""A list of short texts is written inline (`[a, b]`) when its whole line fits in this many columns."""
INDENT = 2
"""Spaces per level of nesting; a list's items are indented under their key by the same two spaces."""


class MeaningChanged(CyclemapError):
    """The formatted text would read differently from the original: a bug in the formatter."""

    exit_code = EXIT_INTERNAL


class _Keep(Exception):
    """The text uses something the formatter leaves alone: return it unchanged."""


# -- key order: the order of docs/format.md, which is the models' field order ---------------------------


@dataclass
class _Context:
    """What a mapping is in a map (the root, a phase, an activity...): its key order and its children's contexts."""

    order: tuple[str, ...] = ()
    keys: dict[str, _Context] = field(default_factory=dict)
    """The context of the value at each known key."""
    items: _Context | None = None
    """The context of a list's items, or of the values of a mapping whose keys are the user's (segment ids)."""
    reorder: bool = True
    spaced: bool = False
    """A list whose items are separated by one blank line (the activities of a phase)."""


def _contexts() -> tuple[_Context, _Context]:
    """The contexts of a whole map's root and of a part file's root, from the models' field order."""
    from cyclemap import model  # noqa: PLC0415 - pydantic models: only when a file is formatted

    def order(cls: type[Any]) -> tuple[str, ...]:
        return tuple(cls.model_fields)

    activity = _Context(order(model.Activity))
    scores = _Context(items=_Context(order(model.SegmentScores)), reorder=False)
    activity.keys = {
        "segments": scores,
        "evidence": _Context(items=_Context(order(model.Evidence))),
        "subcycle": _Context(items=activity),
    }
    top_activities = _Context(items=activity, spaced=True)
    phase = _Context(order(model.Phase), {"activities": top_activities})
    root = _Context(order(model.CycleMap), {
        "scale": _Context(order(model.Scale)),
        "gaps": _Context(order(model.GapSettings)),
        "segments": _Context(items=_Context(order(model.Segment))),
        "survey": _Context(order(model.Survey), {"scale": _Context(order(model.SurveyScale))}),
        "phases": _Context(order(model.Phases), dict.fromkeys(model.PHASE_KEYS, phase)),
    })
    part = _Context(keys={"activities": top_activities}, items=activity, reorder=False, spaced=True)
    return root, part


_NONE = _Context(reorder=False)
"""Anything else (your own x- keys, unknown keys): left in its order."""


# -- the document as a tree with places -------------------------------------------------------------------


_LEAF: list[Any] = []
"""The entries and the tail of every scalar and alias: one shared list, always empty (a collection has its own:
nothing is ever added to a scalar's)."""


@dataclass(eq=False, slots=True)
class _Node:
    """A scalar, alias, mapping or list, with where it is in the text (indices, 0-based lines and columns)."""

    kind: str  # "scalar", "alias", "map", "seq"
    start: int
    end: int
    line: int
    col: int
    end_line: int
    end_col: int
    flow: bool = False
    style: str | None = None
    value: str | None = None
    implicit: bool = True
    props: str = ""
    """The anchor and tag written before a collection (`&defaults`); a scalar's are part of its text."""
    refs: bool = False
    """Whether an anchor or an alias is written in it."""
    entries: list[_Entry] = field(default_factory=lambda: _LEAF)
    tail: list[str] = field(default_factory=lambda: _LEAF)
    """Comments (and blank lines, '') after the last entry of a block collection, before what follows."""
    comments: bool = False
    """A flow collection with comments inside it (copied as it is)."""

    @property
    def empty(self) -> bool:
        """A value written as nothing at all (`key:`), which reads as null."""
        return self.kind == "scalar" and self.start == self.end


@dataclass(eq=False, slots=True)
class _Entry:
    """One entry of a mapping (key and value) or one item of a list (value only), with its comments."""

    key: _Node | None
    value: _Node
    start: int
    line: int
    col: int
    """Column of the key, or of the item's dash."""
    depth: int
    pre: list[str] = field(default_factory=list)
    """Comment lines ('# ...') and blank lines ('') written before the entry."""
    eol: str | None = None
    """The comment at the end of the entry's line, with the spaces written before it."""

    @property
    def eol_line(self) -> int:
        """The line an end-of-line comment of this entry is on."""
        value = self.value
        if value.kind in ("map", "seq") and not value.flow:
            return self.line if self.key is None else self.key.end_line
        if value.empty:
            return self.line if self.key is None else self.key.end_line
        if value.kind == "scalar" and value.style in ("|", ">"):
            return value.line
        return value.end_line


@dataclass
class _Document:
    text: str
    lines: list[str]
    root: _Node
    entries: list[_Entry]
    collections: list[_Node]
    explicit_start: int | None
    """The line of an explicit `---`, if any."""
    head: list[str] = field(default_factory=list)
    before_start: list[str] = field(default_factory=list)
    regions: list[tuple[int, int]] = field(default_factory=list)


_SHARED_TEXT = 24
"""Scalars up to this length are kept once per document (keys repeat in every activity)."""
_UNHANDLED = ("\x85", "\u2028", "\u2029", "\ufeff")
"""Line breaks other than LF (YAML 1.1 reads them as line breaks, the layout does not) and a byte order mark
inside the text: a text holding one is left as it is."""


def _parse(text: str) -> _Document:
    """The document in `text` as a tree; raises _Keep for what is left unchanged."""
    builder = _TreeBuilder(_handled(text))
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.YAMLError:
        raise _Keep from None
    return builder.document()


def _parse_and_read(text: str) -> tuple[_Document, Any]:
    """`_parse(text)` and `_data(text)` from one parse of `text`; raises _Keep for what is left unchanged, and for
    text cyclemap's reader refuses."""
    builder = _TreeBuilder(_handled(text))
    data = _data(text, tap=builder.feed)
    if data is _UNREADABLE:
        raise _Keep
    return builder.document(), data


def _handled(text: str) -> str:
    """`text`, when the formatter handles what it is written with (else _Keep)."""
    if any(mark in text for mark in _UNHANDLED) or _explicit_keys(text):
        raise _Keep
    return text


_QUESTION = re.compile(r"(?:^|[\s\[{,])\?(?:[ \t]|$)", re.MULTILINE)
"""A `?` that may be the indicator of an explicit key (`? id`); most files have none, and are not scanned again."""


def _explicit_keys(text: str) -> bool:
    """Whether a key in `text` is written with `?` (`? id` then `: value`, in a block or a flow collection)."""
    if "?" not in text or not _QUESTION.search(text):
        return False
    try:
        return any(type(token) is yaml.KeyToken and text.startswith("?", token.start_mark.index)
                   for token in yaml.scan(text, Loader=_Loader))
    except yaml.YAMLError:
        return True  # not YAML: left as it is anyway


class _TreeBuilder:
    """Parser events -> `_Node` tree, with every block entry listed in text order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0, *(found.end() for found in re.finditer("\n", text))]
        self.stack: list[tuple[_Node, list[_Node]]] = []
        self.root: _Node | None = None
        self.documents = 0
        self.explicit_start: int | None = None
        self.entries: list[_Entry] = []
        self.collections: list[_Node] = []
        self.texts: dict[str, str] = {}
        self.regions: list[tuple[int, int]] = []
        """Spans of text that are values (scalars, aliases, a collection's anchor and tag): no comment is in them."""

    def document(self) -> _Document:
        """The document fed so far (all of it, once the parser is done); _Keep unless it is one document."""
        if self.root is None or self.documents != 1 or self.root.kind not in ("map", "seq"):
            raise _Keep
        return _Document(self.text, self.text.split("\n"), self.root, self.entries, self.collections,
                         self.explicit_start, regions=self.regions)

    def feed(self, event: yaml.Event) -> None:
        kind = type(event)
        if kind is yaml.DocumentStartEvent:
            self._document(event)  # type: ignore[arg-type]
        elif kind is yaml.ScalarEvent:
            self._add(self._scalar(event))  # type: ignore[arg-type]
        elif kind is yaml.AliasEvent:
            node = self._node("alias", event, event, refs=True)
            self.regions.append((node.start, node.end))
            self._add(node)
        elif kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
            self._open(event)  # type: ignore[arg-type]
        elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            self._close(event)

    def _document(self, event: yaml.DocumentStartEvent) -> None:
        self.documents += 1
        if event.version or event.tags:
            raise _Keep
        if event.explicit:
            self.explicit_start = _mark(event.start_mark).line

    def _node(self, kind: str, start: yaml.Event, end: yaml.Event, **extra: Any) -> _Node:
        first, last = _mark(start.start_mark), _mark(end.end_mark)
        return _Node(kind, first.index, last.index, first.line, first.column, last.line, last.column, **extra)

    def _scalar(self, event: yaml.ScalarEvent) -> _Node:
        value = event.value
        if len(value) <= _SHARED_TEXT:  # keys and short values: kept once however often they repeat
            value = self.texts.setdefault(value, value)
        first, last = event.start_mark, event.end_mark
        if first is None or last is None:  # pragma: no cover - not from PyYAML's parsers
            raise _Keep
        node = _Node("scalar", first.index, last.index, first.line, first.column, last.line, last.column,
                     style=event.style, value=value, implicit=bool(event.implicit[0]), refs=bool(event.anchor))
        if node.style in ("|", ">"):  # the header line may end in a comment; the content holds none
            next_line = self.text.find("\n", node.start)
            if next_line >= 0:
                self.regions.append((next_line + 1, max(node.end, next_line + 1)))
        elif node.start != node.end:
            self.regions.append((node.start, node.end))
        return node

    def _open(self, event: yaml.CollectionStartEvent) -> None:
        kind = "map" if type(event) is yaml.MappingStartEvent else "seq"
        node = self._node(kind, event, event, flow=bool(event.flow_style), refs=bool(event.anchor), entries=[],
                          tail=[])
        props = ""
        if event.anchor or event.tag:
            props = _props(self.text, node.start)
            self.regions.append((node.start, node.start + len(props)))
        node.props = props
        self._add(node)
        self.stack.append((node, []))

    def _close(self, event: yaml.Event) -> None:
        node, pending = self.stack.pop()
        if node.flow:
            mark = _mark(event.end_mark)
            node.end, node.end_line, node.end_col = mark.index, mark.line, mark.column
        else:  # a block collection ends where its last value ends
            last = node.entries[-1].value if node.entries else None
            if last is not None:
                node.end, node.end_line, node.end_col = last.end, last.end_line, last.end_col
        if pending:
            raise _Keep  # a key without a value: not something the parser gives
        if any(entry.value.refs or (entry.key is not None and entry.key.refs) for entry in node.entries):
            node.refs = True
        if not node.flow:
            self.collections.append(node)
        if self.stack:
            parent = self.stack[-1][0]
            parent.refs = parent.refs or node.refs

    def _add(self, node: _Node) -> None:
        if not self.stack:
            if self.root is not None:
                raise _Keep
            self.root = node
            return
        parent, pending = self.stack[-1]
        depth = len(self.stack)
        if parent.kind == "seq":
            start, line, col = self._item_start(parent, node)
            entry = _Entry(None, node, start, line, col, depth)
        elif not pending:
            if node.kind != "scalar" or node.line != node.end_line or node.empty:
                raise _Keep  # complex keys (`? ...`), multi-line keys, empty keys
            pending.append(node)
            return
        else:
            key = pending.pop()
            if node.empty:  # `key:` with nothing after it: the value sits at the end of the key
                node.start = node.end = key.end
                node.line = node.end_line = key.end_line
                node.col = node.end_col = key.end_col
            entry = _Entry(key, node, key.start, key.line, key.col, depth)
        parent.entries.append(entry)
        if not parent.flow:
            self.entries.append(entry)

    def _item_start(self, parent: _Node, node: _Node) -> tuple[int, int, int]:
        """Where a list item starts: its dash in a block list (or its value in a flow list)."""
        if parent.flow:
            return node.start, node.line, node.col
        index = node.start - 1
        while index >= 0 and self.text[index] == " ":
            index -= 1
        if node.empty or index < 0 or self.text[index] != "-":
            # `-` alone on its line (the value is empty: it sits right after the dash, or it starts on a later line)
            index = self.text.rfind("-", 0, node.start)
        line = bisect_right(self.line_starts, index) - 1
        col = index - self.line_starts[line]
        if node.empty:
            node.start = node.end = index + 1
            node.line = node.end_line = line
            node.col = node.end_col = col + 1
        return index, line, col


def _mark(mark: Any) -> Any:
    """A parser event's place (the parser gives every event one)."""
    if mark is None:  # pragma: no cover - not from PyYAML's parsers
        raise _Keep
    return mark


_PROP = re.compile(r"(?:[&!][^\s,\[\]{}]*[ \t]*)+")


def _props(text: str, start: int) -> str:
    """The anchor and tag written at `start`, e.g. '&defaults' or '!!map &x'."""
    found = _PROP.match(text, start)
    return found.group().rstrip(" \t") if found else ""


# -- comments: found in the text, given to the entry they belong with ------------------------------------


def _find_comments(doc: _Document) -> list[tuple[int, int, int]]:
    """(line, column, index) of every comment: a `#` outside every value (a `#` can only start a comment there)."""
    regions = sorted(doc.regions)
    starts = [start for start, _ in regions]
    found: list[tuple[int, int, int]] = []
    offset = 0
    for number, line in enumerate(doc.lines):
        col = line.find("#")
        while col >= 0:
            index = offset + col
            at = bisect_right(starts, index) - 1
            if at >= 0 and regions[at][0] <= index < regions[at][1]:
                col = line.find("#", regions[at][1] - offset) if regions[at][1] - offset < len(line) else -1
                continue
            found.append((number, col, index))
            break
        offset += len(line) + 1
    return found


def _covered_lines(doc: _Document) -> set[int]:
    """Lines inside a value (after its first line): continuation lines of scalars and of flow collections."""
    covered: set[int] = set()
    spans: list[_Node] = []
    _walk_spans(doc.root, spans)
    for node in spans:
        if node.kind == "scalar" and node.style in ("|", ">"):
            covered.update(range(node.line + 1, _block_scalar_last_line(doc, node) + 1))
        else:  # the last line also holds what follows the value (`]  # comment`)
            covered.update(range(node.line + 1, node.end_line))
    return covered


def _walk_spans(node: _Node, out: list[_Node]) -> None:
    """Every value that can span lines: scalars, and flow collections as a whole."""
    if node.kind == "scalar" or node.flow:
        if node.end_line > node.line:
            out.append(node)
        return
    for entry in node.entries:
        _walk_spans(entry.value, out)


def _block_scalar_last_line(doc: _Document, node: _Node) -> int:
    """The last line of a block scalar's content; trailing blank lines count only with keep chomping (`|+`)."""
    last = node.end_line - 1 if node.end_col == 0 else node.end_line
    if "+" not in _block_header(doc, node):
        while last > node.line and not doc.lines[last].strip(" \t"):
            last -= 1
    return last


def _block_header(doc: _Document, node: _Node) -> str:
    """The indicators of a block scalar (`|-`, `>2`), with its anchor or tag before them."""
    found = _BLOCK_HEADER.match(doc.lines[node.line], node.col)
    if found is None:  # pragma: no cover - the parser found a block scalar here
        raise _Keep
    return found.group()


_BLOCK_HEADER = re.compile(r"(?:[&!][^\s,\[\]{}]*[ \t]+)*[|>][-+1-9]*")
"""A block scalar's anchor and tag, indicator, chomping and indentation: `&a |-`, `>2`."""


def _assign_comments(doc: _Document) -> None:
    """Give every comment and blank line outside values to an entry, a block's tail or the file's head."""
    owners = _Owners(doc)
    flows = _flow_nodes(doc.root)
    starts = [node.start for node in flows]
    comments = {line: col for line, col, index in _find_comments(doc) if _flow_at(flows, starts, index) is None}
    covered = _covered_lines(doc)
    blank = False
    for number, line in enumerate(doc.lines):
        if number in covered:
            continue
        if not line.strip(" \t"):
            blank = True
            continue
        col = comments.get(number)
        if col is None or line[:col].strip(" \t"):
            owners.content(number, line, col, blank=blank)
        elif doc.explicit_start is not None and number < min(owners.first_line, doc.explicit_start):
            if blank and doc.before_start:
                _add(doc.before_start, "")
            doc.before_start.append(line[col:].rstrip(" \t"))
        else:
            owners.full_line(number, col, line[col:].rstrip(" \t"), blank=blank)
        blank = False
    if owners.entries:
        _split_head(doc, owners.entries[0])


class _Owners:
    """Who owns a comment: the entries of a document in text order, and which one ends on each line."""

    def __init__(self, doc: _Document) -> None:
        self.doc = doc
        self.entries = sorted(doc.entries, key=lambda e: (e.start, e.depth))
        self.lines = [e.line for e in self.entries]
        self.starts = set(self.lines)
        self.first_line = self.lines[0] if self.lines else len(doc.lines)
        self.by_eol: dict[int, _Entry] = {}
        for entry in self.entries:  # the deepest entry ending on a line owns its end-of-line comment
            current = self.by_eol.get(entry.eol_line)
            if current is None or entry.depth >= current.depth:
                self.by_eol[entry.eol_line] = entry

    def content(self, number: int, line: str, col: int | None, *, blank: bool) -> None:
        """A line with a value on it, and perhaps a comment at its end (at `col`)."""
        if number == self.doc.explicit_start and col is None:
            return
        if col is not None:
            owner = self.by_eol.get(number)
            if owner is not None and owner.line <= number:
                gap = len(line[:col]) - len(line[:col].rstrip(" \t"))
                owner.eol = " " * gap + line[col:].rstrip(" \t")
            else:  # nothing ends here (`- # note` before an item's first key): it goes before what follows
                self.full_line(number, len(line) - len(line.lstrip(" \t")), line[col:].rstrip(" \t"), blank=blank)
        if number in self.starts and blank:
            _add(self.entries[bisect_left(self.lines, number)].pre, "")

    def full_line(self, number: int, col: int, text: str, *, blank: bool) -> None:
        """A comment on a line of its own: before the next entry, or at the end of the block it is indented in."""
        after = bisect_right(self.lines, number)
        following = self.entries[after] if after < len(self.entries) else None
        owner: list[str] | None = None
        if after > 0:
            block = _enclosing_block(self.doc, self.entries[after - 1], col)
            if block is not None and (following is None or not _inside(self.doc, following, block)):
                owner = block.tail
        if owner is None:
            owner = following.pre if following is not None else self.doc.root.tail
        if blank:
            _add(owner, "")
        owner.append(text)


def _add(lines: list[str], text: str) -> None:
    """Append a comment, or a blank line unless one is already last (runs of blank lines become one)."""
    if text or not lines or lines[-1]:
        lines.append(text)


def _enclosing_block(doc: _Document, entry: _Entry, col: int) -> _Node | None:
    """The innermost block collection around `entry` whose entries start at or left of `col`."""
    parents = _parents(doc)
    node: _Node | None = parents.get(id(entry.value))
    while node is not None:
        if not node.flow and node.entries and node.entries[0].col <= col:
            return node
        node = parents.get(id(node))
    return None


def _inside(doc: _Document, entry: _Entry, block: _Node) -> bool:
    return block.start <= entry.start < block.end or _parents(doc).get(id(entry.value)) is block


def _parents(doc: _Document) -> dict[int, _Node]:
    """The block collection each value of a block collection is in, by the value's id (computed once per document).

    Entries do not point at their collection: the tree holds no reference cycle, so that it is freed as soon
    as it is dropped, even while the cyclic garbage collector is paused."""
    cached: dict[int, _Node] | None = getattr(doc, "_parent_cache", None)
    if cached is None:
        cached = {}
        for node in doc.collections:
            for entry in node.entries:
                cached[id(entry.value)] = node
        doc._parent_cache = cached  # type: ignore[attr-defined]
    return cached


def _split_head(doc: _Document, first: _Entry) -> None:
    """The file's head: comments before the first entry up to the last blank line stay at the top of the file."""
    if "" not in first.pre or _parents(doc).get(id(first.value)) is not doc.root:
        return
    cut = len(first.pre) - first.pre[::-1].index("")
    doc.head.extend(first.pre[:cut])
    del first.pre[:cut]


# -- writing the canonical layout -------------------------------------------------------------------------


class _Writer:
    """Writes the document's tree in the canonical layout, line by line."""

    def __init__(self, doc: _Document) -> None:
        self.doc = doc
        self.out: list[str] = []
        self.kept = False
        """The last lines written are a block scalar that keeps its final line breaks (`|+`): a blank line
        written now would become part of its value, so none is."""

    def _emit_one(self, line: str) -> None:
        self._emit([line])

    def _emit(self, lines: list[str]) -> None:
        for line in lines:
            if line or not self.kept:
                self.out.append(line)
                self.kept = False

    def document(self, context: _Context) -> str:
        doc = self.doc
        self._comments(doc.before_start, 0)
        if doc.explicit_start is not None:
            self.out.append("---")
        self._comments(_trim(doc.head), 0)
        if doc.head:
            self.out.append("")
        root = doc.root
        if root.props:
            raise _Keep
        if root.flow or root.kind not in ("map", "seq"):
            raise _Keep
        if root.kind == "map":
            self._map(root, 0, context, None)
        else:
            self._seq(root, 0, context, None)
        if not self.kept:
            while self.out and not self.out[-1]:
                self.out.pop()
        return "".join(line + "\n" for line in self.out)

    def _comments(self, lines: list[str], indent: int) -> None:
        self._emit([" " * indent + line if line else "" for line in lines])

    def _map(self, node: _Node, indent: int, context: _Context, first_prefix: str | None) -> None:
        """A block mapping's entries at `indent`; the first one after `first_prefix` (`- `) when given.

        With `first_prefix`, the first entry's comments were written before it by the caller.
        """
        for number, entry in enumerate(_ordered(node, context)):
            key = _text(self.doc, entry.key)  # type: ignore[arg-type]
            if number == 0 and first_prefix is not None:
                prefix = first_prefix + key + ":"
            else:
                self._comments(entry.pre if number else _trim(entry.pre), indent)
                prefix = " " * indent + key + ":"
            self._value(entry, prefix, indent, _child(context, entry.key.value if entry.key else None))
        self._comments(_trim_end(node.tail), indent)

    def _seq(self, node: _Node, indent: int, context: _Context, first_prefix: str | None) -> None:
        """A block list's items at `indent`, `- ` each; the first one after `first_prefix` when given."""
        items = context.items or _NONE
        for number, entry in enumerate(node.entries):
            value = entry.value
            compact = _compact_pre(value, items)
            if number == 0 and first_prefix is not None:
                dash = first_prefix + "-"
            else:
                pre = _lead(entry, items)
                pre = ["", *_trim(pre)] if number and context.spaced else pre if number else _trim(pre)
                self._comments(pre, indent)
                dash = " " * indent + "-"
            if compact is not None and value.kind == "map":
                self._map(value, indent + INDENT, items, dash + " ")
            elif compact is not None:
                self._seq(value, indent + INDENT, items, dash + " ")
            else:
                self._value(entry, dash, indent, items)
        self._comments(_trim_end(node.tail), indent)

    def _value(self, entry: _Entry, prefix: str, indent: int, context: _Context) -> None:
        """The value of `entry` after `prefix` (`key:` or `-`); `indent` is the column of the key or dash."""
        value = entry.value
        eol = entry.eol or ""
        if value.kind in ("map", "seq") and not value.flow:
            inline = _inline_list(self.doc, value, prefix) if value.kind == "seq" else None
            if inline is not None:
                self._emit_one(f"{prefix} {inline}{eol}")
                return
            self._emit_one(f"{prefix}{' ' + value.props if value.props else ''}{eol}")
            if value.kind == "map":
                self._map(value, indent + INDENT, context, None)
            else:
                self._seq(value, indent + INDENT, context, None)
            return
        if value.empty:
            self._emit_one(prefix + eol)
            return
        if value.kind == "scalar" and value.style in ("|", ">"):
            self._emit_one(f"{prefix} {_block_header(self.doc, value)}{eol}")
            self._emit(_block_content(self.doc, value, entry.col, indent))
            self.kept = "+" in _block_header(self.doc, value)
            return
        if value.flow and value.kind == "seq":
            block = _block_list(self.doc, value, prefix)
            if block is not None:
                self._emit_one(prefix + eol)
                self._emit([" " * (indent + INDENT) + "- " + item for item in block])
                return
        lines = self._inline(value, entry.col, indent, context)
        lines[0] = f"{prefix} {lines[0]}"
        lines[-1] += eol
        self._emit(lines)

    def _inline(self, value: _Node, old_col: int, indent: int, context: _Context) -> list[str]:
        """A scalar, alias or flow collection: canonical on one line when it can be, else as written."""
        if value.flow:
            canonical = _flow(self.doc, value, context)
            if canonical is not None:
                return [canonical]
        return _shifted(self.doc, value, old_col, indent)


def _child(context: _Context, key: str | None) -> _Context:
    """The context of the value at `key` of a mapping in `context` (of an item of a list when `key` is None)."""
    if key is None or not (context.order or context.keys):
        return context.items or _NONE
    return context.keys.get(key, _NONE)


def _compact_pre(value: _Node, context: _Context) -> list[str] | None:
    """The comments before what is written on a dash's line (`- name: x`, `- - a`), or None when the item is
    not a block mapping or list without anchor or tag (then nothing else starts on that line)."""
    if value.flow or value.props or not value.entries or value.kind not in ("map", "seq"):
        return None
    if value.kind == "map":
        return _ordered(value, context)[0].pre
    return _lead(value.entries[0], _child(context, None))


def _lead(item: _Entry, context: _Context) -> list[str]:
    """The comments written before a list item's dash: its own, and, when a mapping or list starts on the dash's
    line, those of what starts there; a comment after a lone dash (`-  # note`) goes there too."""
    compact = _compact_pre(item.value, context)
    if compact is None:
        return item.pre
    return item.pre + ([item.eol.lstrip(" ")] if item.eol else []) + compact


def _trim(lines: list[str]) -> list[str]:
    """Without blank lines at the start or the end."""
    return _trim_end(_trim_start(lines))


def _trim_start(lines: list[str]) -> list[str]:
    start = 0
    while start < len(lines) and not lines[start]:
        start += 1
    return lines[start:]


def _trim_end(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1]:
        end -= 1
    return lines[:end]


def _text(doc: _Document, node: _Node) -> str:
    return doc.text[node.start:node.end]


def _ordered(node: _Node, context: _Context) -> list[_Entry]:
    """The entries of a mapping in the format's order: known keys first, the others after them as written.

    A mapping with a merge key, or with anchors or aliases in more than one entry, keeps its order
    (an alias must stay after its anchor).
    """
    entries = node.entries
    if not context.reorder or not context.order:
        return entries
    keys = [entry.key.value if entry.key is not None else None for entry in entries]
    if "<<" in keys or sum(1 for e in entries if e.value.refs or (e.key is not None and e.key.refs)) > 1:
        return entries
    rank = {key: number for number, key in enumerate(context.order)}
    last = len(rank)
    return sorted(entries, key=lambda e: rank.get(e.key.value or "" if e.key is not None else "", last))


def _shifted(doc: _Document, node: _Node, old_col: int, indent: int) -> list[str]:
    """A value's text as written; its continuation lines move with its key (YAML ignores that indentation).

    A scalar's continuation lines end up indented deeper than the key; a flow collection's lines keep
    their place relative to the key (a closing `]` under the key stays under it), so that a flow
    collection copied as it is does not change when its key does not move.
    """
    text = _text(doc, node)
    lines = text.split("\n")
    delta = indent - old_col
    floor = 0 if node.flow else indent + 1
    shifted = [lines[0]]
    for line in lines[1:]:
        body = line.lstrip(" \t")
        if not body:
            shifted.append("")
            continue
        old = len(line) - len(line.lstrip(" "))
        shifted.append(" " * max(floor, old + delta) + line[old:].rstrip(" \t"))
    return shifted


def _block_content(doc: _Document, node: _Node, old_col: int, indent: int) -> list[str]:
    """A block scalar's content lines, moved as a whole with its key (relative indentation kept)."""
    header = _block_header(doc, node)
    last = _block_scalar_last_line(doc, node)
    lines = doc.lines[node.line + 1:last + 1]
    explicit = re.search(r"[1-9]", header.split()[-1] if header.split() else "")
    if explicit:
        content_col = old_col + int(explicit.group())
    else:
        content_col = next((len(line) - len(line.lstrip(" ")) for line in lines if line.strip(" ")), 0)
    delta = indent - old_col
    out = []
    for line in lines:
        spaces = len(line) - len(line.lstrip(" "))
        if not line.strip(" "):  # spaces only: content beyond the indentation, else an empty line
            out.append(" " * (spaces + delta) if spaces > content_col else "")
        else:
            out.append(" " * (spaces + delta) + line[spaces:])
    return out


# -- lists of short texts: inline when they fit, one per line when not -------------------------------------


def _text_items(doc: _Document, node: _Node) -> list[str] | None:
    """The items of a list of plain or quoted one-line texts, as written; None for any other list."""
    if node.kind != "seq" or node.props or node.tail or node.comments:
        return None
    items = []
    for entry in node.entries:
        value = entry.value
        if (value.kind != "scalar" or value.empty or value.style in ("|", ">") or value.refs
                or value.line != value.end_line or any(entry.pre) or entry.eol):
            return None
        items.append(_text(doc, value))
    return items


def _inline_list(doc: _Document, node: _Node, prefix: str) -> str | None:
    """A block list of short texts as `[a, b]`, when the line fits and every text reads the same inline."""
    items = _text_items(doc, node)
    if not items:
        return None
    inline = "[" + ", ".join(items) + "]"
    if len(prefix) + 1 + len(inline) > WIDTH or not _reads_as(inline, node):
        return None
    return inline


def _block_list(doc: _Document, node: _Node, prefix: str) -> list[str] | None:
    """The items of a flow list of texts too long for one line, when each reads the same on a line of its own."""
    items = _text_items(doc, node)
    if not items:
        return None
    inline = "[" + ", ".join(items) + "]"
    if len(prefix) + 1 + len(inline) <= WIDTH:
        return None
    if not _reads_as("".join(f"- {item}\n" for item in items), node):
        return None
    return items


def _reads_as(text: str, node: _Node) -> bool:
    """Whether `text`, a list on its own, reads to the same texts, with the same styles, as `node`'s items."""
    try:
        events = [e for e in yaml.parse(text, Loader=_Loader) if isinstance(e, yaml.ScalarEvent)]
    except yaml.YAMLError:
        return False
    wanted = [(e.value.value, e.value.style, e.value.implicit) for e in node.entries]
    return [(e.value, e.style, bool(e.implicit[0])) for e in events] == wanted


def _flow(doc: _Document, node: _Node, context: _Context) -> str | None:
    """A flow collection on one line, `[a, b]` / `{k: v}` (keys in order), or None to copy it as written."""
    if node.comments or node.props:
        return None
    parts = []
    if node.kind == "map" and doc.text[node.start] != "{":
        return None  # a single pair in a flow list (`[a: b]`)
    entries = _ordered(node, context) if node.kind == "map" else node.entries
    for entry in entries:
        value = entry.value
        if value.empty or value.style in ("|", ">") or (value.line != value.end_line and not value.flow):
            return None
        if value.flow:
            text = _flow(doc, value, _child(context, entry.key.value if entry.key is not None else None))
            if text is None:
                return None
        else:
            text = _text(doc, value)
        if entry.key is not None:
            text = f"{_text(doc, entry.key)}: {text}"
        parts.append(text)
    return ("[" + ", ".join(parts) + "]") if node.kind == "seq" else ("{" + ", ".join(parts) + "}")


def _flow_nodes(node: _Node) -> list[_Node]:
    """The outermost flow collections in `node`, in text order."""
    if node.flow:
        return [node]
    return [found for entry in node.entries for found in _flow_nodes(entry.value)]


def _flow_at(flows: list[_Node], starts: list[int], index: int) -> _Node | None:
    """The flow collection of `flows` (in text order, `starts` their starts) that `index` is inside, if any."""
    at = bisect_right(starts, index) - 1
    return flows[at] if at >= 0 and flows[at].start < index < flows[at].end else None


def _mark_flow_comments(doc: _Document, comments: list[tuple[int, int, int]]) -> None:
    """Flag flow collections that have a comment inside (they are copied as written)."""
    flows = _flow_nodes(doc.root)
    starts = [node.start for node in flows]
    for _line, _col, index in comments:
        inside = _flow_at(flows, starts, index)
        if inside is not None:
            inside.comments = True


# -- the whole -------------------------------------------------------------------------------------------------


def format_text(text: str) -> str:
    """`text` (one YAML file: a map, or a part file a map includes) in the canonical layout.

    Comments are kept, values are copied as written; text the formatter leaves alone (see the module's
    docstring), and text that cyclemap's YAML reader refuses, comes back unchanged. Raises MeaningChanged
    if the result would read differently (a bug).
    """
    from cyclemap.loader import collector_paused  # noqa: PLC0415 - pydantic models: only when a file is formatted

    with collector_paused():  # hundreds of thousands of long-lived nodes: see collector_paused
        laid_out = _lay_out(text)
        if laid_out is None:
            return text
        formatted, before = laid_out  # the tree is freed by now: the new text is read with the old one's data only
        if formatted != text and _meaning(_data(formatted)) != before:
            raise MeaningChanged(MEANING_CHANGED)
    return formatted


def _lay_out(text: str) -> tuple[str, str] | None:
    """`text` in the canonical layout and what it means (see `_meaning`), or None when it is left as it is."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):].replace("\r\n", "\n").replace("\r", "\n")
    try:
        if len(body) == len(text) - len(bom):  # no CR: the reader reads the very text the tree is built from
            doc, data = _parse_and_read(body)
        else:  # the data of the text as written, to compare with the formatted text's
            data = _data(text)
            if data is _UNREADABLE:
                return None
            doc = _parse(body)
        before = _meaning(data)
        del data
        _mark_flow_comments(doc, _find_comments(doc))
        _assign_comments(doc)
        doc.regions = []  # only comments are found in them
        root_context, part_context = _contexts()
        root = doc.root
        is_map = root.kind == "map" and any(e.key is not None and e.key.value in ("cyclemap", "phases")
                                            for e in root.entries)
        return bom + _Writer(doc).document(root_context if is_map else part_context), before
    except _Keep:
        return None


def _meaning(data: Any) -> str:
    """`_data`'s result as one text, equal for equal data (keys sorted), so that the data itself can be freed."""
    if data is _UNREADABLE:
        return ""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, check_circular=False)


MEANING_CHANGED = ("formatting would change what the file means, so it was not rewritten; this is a bug in "
                   "cyclemap fmt: please report it with the file")
_UNREADABLE: Any = object()


def _data(text: str, tap: Callable[[yaml.Event], object] | None = None) -> Any:
    """What cyclemap's YAML reader makes of `text` (without positions: plain dicts, lists and texts compare);
    `tap` sees the parser's events too."""
    try:
        data, _ = parse_yaml(text.removeprefix("\ufeff"), Source("map"), tap=tap)
    except MapError:
        return _UNREADABLE
    return data
