"""HTML pages of maps: `cyclemap site` (a static site) and, later, `cyclemap serve` (a live preview).

Two steps, so that both commands share the pages:

1. `cyclemap.site.collect` reads: each map and its survey, its diagrams drawn by
   Graphviz as SVG, the git revision of its last change. An invalid map is kept
   with its problems.
2. `cyclemap.site.pages` writes: a pure function from what was collected (and
   `SiteOptions`) to every page and asset, as bytes by relative path. Templates
   are Jinja2 with autoescaping on; the only markup not escaped is the diagrams'
   SVG, which `cyclemap.site.svg` checks first.
"""
