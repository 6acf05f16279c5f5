"""Small, exact edits to a YAML file's text, placed by ruamel.yaml's round-trip composer.

`cyclemap import --into` changes a few values of a map written by hand. Dumping the document
again with ruamel.yaml would keep the comments but not the author's layout (its own indentation
of lists, line widths, spacing: hundreds of lines of each example change on a plain load and
dump). So ruamel.yaml composes the text into nodes that know where they start and end, and the
edits are spliced into the original text there: every byte outside an edit stays as it was,
comments included. Values written here are plain YAML scalars when they read back as the same
text, else double-quoted (JSON's escapes are valid YAML).

No knowledge of maps here: `cyclemap.roundtrip.into` decides what to change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

INLINE_WIDTH = 100
"""Lists of short texts are written inline (`[a, b]`) when their line stays within this many columns."""
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9\u00c0-\uffff][^\n\r\t#:,\[\]{}&*!|>'\"%@`]*")
"""Text that may be written as a plain scalar in block and flow context (checked again by reading it back)."""
_RESERVED = re.compile(r"(?i)(~|null|true|false|yes|no|on|off|y|n|[-+]?[0-9.][0-9._eE+-]*|\.inf|\.nan)")
"""Plain text another YAML reader would take for something else (a number, a boolean, nothing)."""


def compose(text: str) -> Node | None:
    """The document's node tree, with start and end marks (None for an empty document)."""
    node: Node | None = YAML(typ="rt").compose(text)
    return node


def scalar(text: str) -> str:
    """`text` as a YAML scalar: plain when safe, else double-quoted.

    >>> scalar("Ask a neighbour"), scalar("no"), scalar("Step 1: choose"), scalar("7")
    ('Ask a neighbour', '"no"', '"Step 1: choose"', '"7"')
    """
    plain = (_PLAIN_SAFE.fullmatch(text) and text == text.strip() and not _RESERVED.fullmatch(text)
             and " #" not in text and _reads_back(text))
    return text if plain else json.dumps(text, ensure_ascii=False)


def _reads_back(text: str) -> bool:
    """Whether `text` written plain reads back as the same text, as a value and as a list item."""
    try:
        data = YAML(typ="safe", pure=True).load(f"k: {text}\nl: [{text}]\n")
    except Exception:
        return False
    return isinstance(data, dict) and data.get("k") == text and data.get("l") == [text]


def number(value: float) -> str:
    """A score as written in a map: 7, 7.5.

    >>> number(7.0), number(7.5)
    ('7', '7.5')
    """
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def flow_list(items: Sequence[str]) -> str:
    """Texts as an inline list: `[a, "b: c"]`."""
    return "[" + ", ".join(items) + "]"


def key_value(mapping: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    """The key and value nodes of `key` written directly in `mapping` (merge keys are not followed)."""
    for key_node, value in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value
    return None


def child(mapping: MappingNode, key: str) -> Node | None:
    found = key_value(mapping, key)
    return None if found is None else found[1]


def text_of(node: Node | None) -> str | None:
    r"""The text a scalar node stands for, as a YAML reader gives it (None for a collection or no node).

    The composer already resolves quotes, escapes and line folding, except that the round-trip
    composer marks each fold of a folded scalar (`>`) with a BEL character, for its own emitter.

    >>> text_of(compose("name: >-\n  Choose a\n  plan\n").value[0][1])
    'Choose a plan'
    """
    if not isinstance(node, ScalarNode):
        return None
    text = str(node.value)
    return text.replace("\a", "") if node.style == ">" else text


def shared(node: Node) -> bool:
    """Whether `node` carries an anchor, so that an edit would change every alias of it too."""
    return bool(getattr(node, "anchor", None))


@dataclass
class EditedText:
    """A file's text, its nodes, and the edits to make to it (applied all at once by `result`)."""

    name: str
    text: str
    root: Node
    _splices: list[tuple[int, int, int, str]] = field(default_factory=list)
    """(start, end, order, new text) of each edit; insertions at one place keep the order they were made in."""

    @property
    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"

    @property
    def changed(self) -> bool:
        return bool(self._splices)

    def result(self) -> str:
        """The text with every edit made (edits never overlap: each replaces a value or inserts between lines)."""
        out, at = [], 0
        for start, end, _, new in sorted(self._splices, key=lambda s: (s[0], s[2])):
            out.append(self.text[at:start])
            out.append(new)
            at = max(at, end)
        out.append(self.text[at:])
        return "".join(out)

    def _splice(self, start: int, end: int, new: str) -> None:
        self._splices.append((start, end, len(self._splices), new))

    # -- reading the layout -------------------------------------------------------

    def column(self, node: Node) -> int:
        """0-based column where `node` starts."""
        return int(node.start_mark.column)

    def key_column(self, mapping: MappingNode) -> int:
        """The column of a block mapping's keys."""
        return self.column(mapping.value[0][0])

    def list_offset(self) -> int:
        """How far this file indents a block list's '-' under its key (0 or 2 in practice; 2 if it has none)."""
        pending: list[Node] = [self.root]
        while pending:
            node = pending.pop()
            if isinstance(node, MappingNode):
                for key_node, value in node.value:
                    if isinstance(value, SequenceNode) and not value.flow_style and value.value:
                        return max(0, self.column(value) - self.column(key_node))
                    pending.append(value)
            elif isinstance(node, SequenceNode):
                pending.extend(node.value)
        return 2

    def end_of(self, node: Node) -> int:
        """Where `node`'s own text ends: after a scalar or a flow collection, or a block collection's last value."""
        if isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
            last = node.value[-1]
            return self.end_of(last[1] if isinstance(last, tuple) else last)
        end = int(node.end_mark.index)
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            header = self.text[node.start_mark.index:].split("\n", 1)[0]
            if "+" not in header:  # a kept chomp's trailing lines are part of the value
                end = node.start_mark.index + len(self.text[node.start_mark.index:end].rstrip())
        return end

    def line_after(self, index: int) -> int:
        """The start of the line after the one holding `index` (the end of the text if it is the last)."""
        if index > 0 and self.text[index - 1] == "\n":
            return index
        found = self.text.find("\n", index)
        return len(self.text) if found < 0 else found + 1

    def _lines_at(self, index: int, lines: Sequence[str]) -> None:
        """Insert whole `lines` at `index`, the start of a line (or the end of a text without a final newline)."""
        newline = self.newline
        lead = newline if index == len(self.text) and self.text and not self.text.endswith("\n") else ""
        self._splice(index, index, lead + "".join(line + newline for line in lines))

    # -- edits ----------------------------------------------------------------------

    def replace(self, node: Node, new: str) -> None:
        """Write `new` (YAML text) in place of a value node."""
        start, end = int(node.start_mark.index), int(node.end_mark.index)
        if isinstance(node, ScalarNode) and start == end:  # `key:` with nothing after it
            self._splice(start, end, " " + new)
            return
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            end = self.end_of(node)
        self._splice(start, end, new)

    def add_key(self, mapping: MappingNode, after: str | None, key: str, block: Sequence[str], flow: str) -> None:
        """Add `key` to `mapping` right after the key `after` (at its end when None).

        `flow` is the value as inline YAML (for an inline mapping, or when it fits one line); `block`
        its lines as a block value below the key, indented relative to the key's column (empty: use `flow`).
        """
        previous = key_value(mapping, after) if after is not None else None
        if previous is None and mapping.value:
            previous = mapping.value[-1]
        if mapping.flow_style or not mapping.value:
            self._in_flow_mapping(mapping, previous, f"{scalar(key)}: {flow}")
            return
        assert previous is not None  # noqa: S101 - a block mapping has keys
        indent = " " * self.key_column(mapping)
        lines = [f"{indent}{scalar(key)}: {flow}"] if not block else [f"{indent}{scalar(key)}:",
                                                                      *(indent + line for line in block)]
        self._lines_at(self.line_after(self.end_of(previous[1])), lines)

    def _in_flow_mapping(self, mapping: MappingNode, previous: tuple[Node, Node] | None, entry: str) -> None:
        if previous is not None:
            at = self.end_of(previous[1])
            self._splice(at, at, ", " + entry)
            return
        close = self.text.rfind("}", 0, int(mapping.end_mark.index))
        self._splice(close, close, entry)

    def append_items(self, seq: SequenceNode, items: Sequence[str], block: Sequence[Sequence[str]] = ()) -> None:
        """Append `items` (inline YAML) to a list; `block`, when given, holds each item's lines for a block list
        (its first line follows the '-', the others are indented to the item's content)."""
        if seq.flow_style or not seq.value:
            if seq.value:
                at = self.end_of(seq.value[-1])
                self._splice(at, at, "".join(", " + item for item in items))
            else:
                close = self.text.rfind("]", 0, int(seq.end_mark.index))
                self._splice(close, close, ", ".join(items))
            return
        dash = " " * self.column(seq)
        lines: list[str] = []
        for index, item in enumerate(items):
            parts = block[index] if block else [item]
            lines.append(f"{dash}- {parts[0]}")
            lines.extend(f"{dash}  {part}" for part in parts[1:])
        self._lines_at(self.line_after(self.end_of(seq.value[-1])), lines)

    def empty_list_to_block(self, seq: Node, items: Sequence[Sequence[str]], dash_column: int) -> None:
        """Replace an empty inline list (`activities: []`), or nothing after the key, by a block list of `items`
        (each its lines) below its line, so that a comment after the brackets stays on the key's line."""
        start, end = int(seq.start_mark.index), int(seq.end_mark.index)
        while start > 0 and self.text[start - 1] == " ":
            start -= 1
        self._splice(start, end, "")
        dash = " " * dash_column
        lines = [line for parts in items for line in (f"{dash}- {parts[0]}", *(f"{dash}  {p}" for p in parts[1:]))]
        self._lines_at(self.line_after(end), lines)


def inline_fits(prefix_column: int, key: str, items: Sequence[str]) -> bool:
    """Whether `key: [items]` fits within INLINE_WIDTH columns at `prefix_column`."""
    return prefix_column + len(key) + 2 + len(flow_list(items)) <= INLINE_WIDTH
