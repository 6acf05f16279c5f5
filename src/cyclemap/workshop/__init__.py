"""The workshop pack: one printable PDF to run a session on a map.

Pages are set with fpdf2 (text, tables, worksheets); the diagrams are drawn by
Graphviz as PDF and stamped onto their pages with pypdf, so they stay vector
with real, selectable text. See docs/decisions.md for why.

`build_pack` is the entry point: a map and `PackOptions` in, PDF bytes out.
"""

from __future__ import annotations

from cyclemap.workshop.pack import PAPERS, SECTIONS, Pack, PackInfo, PackOptions, build_pack

__all__ = ["PAPERS", "SECTIONS", "Pack", "PackInfo", "PackOptions", "build_pack"]
