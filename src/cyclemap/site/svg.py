"""Graphviz's SVG made ready to sit inside an HTML page, and checked to be inert there.

The diagrams are the one piece of a page that is not escaped by the templates.
Graphviz writes map text as escaped XML text, and cyclemap sets no link
attributes, so an SVG holds shapes, text and tooltips only. `inline_svg` checks
that with an XML parser rather than trusting it: any element outside a short
list of drawing elements, any event-handler attribute (``onload``), any link
(``href``) or any ``style`` is refused, and the page shows a note instead.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markupsafe import escape

from cyclemap.safe_text import escape_invisible

SVG_NS = "{http://www.w3.org/2000/svg}"
ALLOWED_ELEMENTS = frozenset({
    "svg", "g", "title", "desc", "path", "polygon", "polyline", "ellipse", "circle", "rect", "line", "text",
    "tspan", "a", "defs", "linearGradient", "radialGradient", "stop",
})
"""What Graphviz draws with; <script>, <foreignObject>, <image>, <use>, <style> and the rest are refused."""
_PROLOG = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?", re.IGNORECASE)
_COMMENT = re.compile(r"<!--[\s\S]*?-->\s*")
_ROOT_SIZE = re.compile(r'\A<svg width="[^"]*" height="[^"]*"')
_GRAPHVIZ_ID = re.compile(r' id="((?:a_)?(?:graph|node|edge|clust)\d+)"')
"""The ids Graphviz numbers itself; two diagrams on one page would repeat them."""


class UnsafeSvg(ValueError):
    """The SVG holds something that could act in a page (a script, a handler, a link)."""


def inline_svg(svg: bytes, label: str, prefix: str = "") -> str:
    """`svg` as markup to put in an HTML page: no prolog, doctype or comments; sized by its viewBox.

    `label` names the picture for screen readers (role="img" and aria-label,
    escaped here). `prefix` goes before the ids Graphviz numbers (``node1`` ->
    ``cycle-node1``), so that several diagrams on a page keep their ids apart;
    cyclemap's own ids (``pt-<activity id>``) stay. Raises UnsafeSvg when the
    SVG holds anything but drawing.
    """
    text = svg.decode("utf-8")
    check_svg(text)
    body = _COMMENT.sub("", _PROLOG.sub("", text, count=1)).strip()
    if not body.startswith("<svg"):
        raise UnsafeSvg("the picture does not start with <svg>")
    name = escape(escape_invisible(label))  # control and bidi characters as escapes, like every other text
    if prefix:
        body = _GRAPHVIZ_ID.sub(lambda m: f' id="{prefix}-{m.group(1)}"', body)
    root = f'<svg class="diagram-svg" role="img" aria-label="{name}"'
    return _ROOT_SIZE.sub(lambda _: root, body, count=1)  # a function: the label's backslashes stay text


def check_svg(text: str) -> None:
    """Raise UnsafeSvg unless every element of `text` is drawing, with no handler, link or style."""
    try:
        root = ET.fromstring(_PROLOG.sub("", text, count=1))  # noqa: S314 - no DTD left; Graphviz's own output
    except ET.ParseError as err:
        raise UnsafeSvg(f"the picture is not well-formed SVG ({err})") from None
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag.startswith(SVG_NS) or tag[len(SVG_NS):] not in ALLOWED_ELEMENTS:
            raise UnsafeSvg(f"the picture holds a <{tag.rpartition('}')[2]}> element")
        for name in element.attrib:
            local = name.rpartition("}")[2].lower()
            if local.startswith("on") or local in {"href", "style", "src"}:
                raise UnsafeSvg(f"the picture has a '{local}' attribute")
