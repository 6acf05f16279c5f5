"""Mermaid flowchart text, for maps that live in READMEs and wikis (GitHub renders it)."""

from __future__ import annotations

from itertools import pairwise

from cyclemap.gaps import Severity
from cyclemap.render.scene import Box, Scene
from cyclemap.render.style import FILL, HIGHLIGHT, INK, MARK_TEXT, PHASE_INK

_ENTITIES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "#": "#35;", "`": "#96;", "|": "#124;"}


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: markup characters become entities."""
    return "".join(_ENTITIES.get(c, c) for c in text)


def _yaml_quoted(text: str) -> str:
    """Text for a double-quoted YAML scalar (the front matter), where a backslash starts an escape."""
    return text.replace("\\", "\\\\")


def render_mermaid(scene: Scene) -> str:
    """A left-to-right flowchart: one subgraph per phase, subcycles nested inside."""
    lines = [
        "---",
        f'title: "{_yaml_quoted(mermaid_text(scene.title))}"',
        "---",
        "flowchart LR",
        f'  outcome(["Outcome: {mermaid_text(scene.outcome)}"])',
    ]
    ring: list[Box] = []
    for phase in scene.phases:
        lines.append(f'  subgraph {phase.key}["{mermaid_text(phase.label)}"]')
        lines.append("    direction TB")
        for box in phase.boxes:
            lines.extend(_node_lines(box, "    ", scene.since))
        lines.append("  end")
        ring.extend(phase.boxes)
    lines.extend(f"  {a.key} --> {b.key}" for a, b in pairwise(ring))
    if ring:
        lines.append(f"  {ring[-1].key} -.-> outcome")
    for box in scene.all_boxes():
        lines.extend(f"  {box.key} --- {child.key}" for child in box.children)
    lines.extend(_styles(scene))
    return "\n".join(lines) + "\n"


def _node_lines(box: Box, indent: str, since: str = "") -> list[str]:
    label = mermaid_text(f"{box.number} {' '.join(box.lines)}".strip())
    notes = [box.metrics] if box.metrics else []
    if box.hidden:
        notes.append(f"+{box.hidden} more in subcycle" + (f" ({box.hidden_marks})" if box.hidden_marks else ""))
    if box.mark:
        notes.insert(0, f"{MARK_TEXT[box.mark]} since {since}")
    label += "".join(f"<br/><small>{mermaid_text(note)}</small>" for note in notes)
    out = [f'{indent}{box.key}["{label}"]']
    for child in box.children:
        out.extend(_node_lines(child, indent, since))
    return out


def _styles(scene: Scene) -> list[str]:
    lines = []
    for severity in Severity:
        fill, ink = FILL[severity]
        lines.append(f"  classDef {severity.value} fill:{fill},color:{ink},stroke:{INK}")
    lines.append("  classDef alone stroke-dasharray:5 4")
    if scene.since:
        lines.append(f"  classDef marked stroke:{HIGHLIGHT},stroke-width:4px")
    for key, colour in PHASE_INK.items():
        lines.append(f"  style {key} stroke:{colour}")
    for box in scene.all_boxes():
        lines.append(f"  class {box.key} {box.severity.value}")
        if not box.served:
            lines.append(f"  class {box.key} alone")
        if box.mark:
            lines.append(f"  class {box.key} marked")
    return lines
