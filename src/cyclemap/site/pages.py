"""The pages of a site of maps, as bytes by relative path: a pure function of what was collected.

`build_site` gives every file of `cyclemap site`: ``index.html``, ``gaps.html``
(one ranking of every gap of every map, in every view), ``maps/<name>.html``
per map and the assets under ``assets/``. `map_page` gives one map's page
alone, for `cyclemap serve` to answer with (its `SiteOptions.scripts` add the
live-update script). Nothing here reads the disk or the clock: the same maps
give the same bytes.

Links are relative (``../assets/site.css``), so the site works from
``file://`` and from any sub-path of a web server. Templates are Jinja2 with
autoescaping; every value they print also has its control and bidi characters
shown as escapes (`escape_invisible`), so map text shows exactly as written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from cyclemap import __version__
from cyclemap.gaps import KINDS, Gap, Severity, effective_threshold, find_gaps, rank_across, score_views
from cyclemap.loader import activity_location
from cyclemap.model import PHASE_KEYS, Activity, CycleMap, label_of
from cyclemap.problems import Problem
from cyclemap.report.gaps import PATH_SEPARATOR, sample_lines, score_text
from cyclemap.safe_text import escape_invisible
from cyclemap.site.collect import DIAGRAM_LAYOUTS, CollectedMap
from cyclemap.survey import ALL

ASSETS = ("site.css", "site.js")
"""The static files every page links to, shipped in the package (``cyclemap/site/static``)."""
TOP_GAPS = 3
"""Gaps the index shows per map."""
TOP_PROBLEMS = 3
"""Problems the index shows for a map that does not validate (its page lists them all)."""
SITE_CSP = ("default-src 'none'; script-src 'self' file:; style-src 'self' file:; img-src 'self' file: data:; "
            "base-uri 'none'; form-action 'none'")
"""The Content-Security-Policy of the static pages (a ``<meta>``): the site's own script and style only, no inline
script or handler, no request anywhere. ``file:`` next to ``'self'`` keeps the script running from ``file://``
in browsers where a file page's ``'self'`` matches no file; `cyclemap serve` sends its own policy as a header."""
DIAGRAM_NAMES = {"cycle": "Cycle", "flow": "Flow", "landscape": "Landscape"}


@dataclass(frozen=True)
class SiteOptions:
    """How the pages are made."""

    threshold: float | None = None
    """The opportunity score from which an activity is underserved (None: each map's own)."""
    title: str = "Customer activity cycles"
    """The index's heading."""
    scripts: tuple[str, ...] = ()
    """More scripts each page loads after the site's own, as paths from the site's top (`serve`'s live update)."""


@dataclass(frozen=True)
class LiveView:
    """What `cyclemap serve` adds to a map's page: its version, the newest save's problems, the segment switch."""

    page: str
    """The page's name (``maps/<page>.html``), which the live script asks the server about."""
    version: int
    """Goes up each time the map, or a file it reads, changes on disk."""
    problems: tuple[Problem, ...] = ()
    """Why the newest save does not validate: the page then shows the last good version, marked out of date."""


@dataclass(frozen=True)
class PageMap:
    """A collected map and the name of its page (``maps/<page>.html``)."""

    collected: CollectedMap
    page: str
    newer_problems: tuple[Problem, ...] = ()
    """`cyclemap serve`: the problems of a newer save than `collected` (the last one that validated)."""

    @property
    def href(self) -> str:
        return f"maps/{self.page}.html"


def build_site(maps: list[CollectedMap], options: SiteOptions | None = None) -> dict[str, bytes]:
    """Every file of the site, by its path relative to the site's top, in sorted order."""
    options = options or SiteOptions()
    pages = name_pages(maps)
    built = {f"assets/{name}": asset(name) for name in ASSETS}
    built["index.html"] = _html(index_page(pages, options))
    built["gaps.html"] = _html(gaps_page(pages, options))
    for entry in pages:
        built[entry.href] = _html(map_page(entry, options))
    return dict(sorted(built.items()))


def name_pages(maps: list[CollectedMap]) -> list[PageMap]:
    """Each map with a page name made from its path below the maps' common folder ('split-bike-share').

    Names are lower-case letters, digits and '-'; two maps that would get the
    same name get '-2', '-3' in the order given.
    """
    sources = [os.path.abspath(entry.source) for entry in maps]
    top = os.path.commonpath([str(Path(path).parent) for path in sources]) if sources else ""
    taken: set[str] = set()
    named = []
    for entry, path in zip(maps, sources, strict=True):
        page = unique_page_name(page_name(path, top), taken)
        taken.add(page)
        named.append(PageMap(entry, page))
    return named


def page_name(path: str, top: str) -> str:
    """The page name of the map at absolute `path` below folder `top`: its relative path without the suffix, in
    lower-case letters, digits and '-' (``split/Bike share.yaml`` -> ``split-bike-share``)."""
    stem = os.path.relpath(Path(path).with_suffix(""), top)
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "map"


def unique_page_name(base: str, taken: set[str]) -> str:
    """`base`, or `base` with '-2', '-3'... when that name is taken."""
    page, number = base, 1
    while page in taken:
        number += 1
        page = f"{base}-{number}"
    return page


def asset(name: str) -> bytes:
    """A static file of the site, as shipped in the package."""
    return files("cyclemap.site").joinpath("static", name).read_bytes()


def _html(text: str) -> bytes:
    return text.encode("utf-8")


# -- pages --------------------------------------------------------------------------------------


def index_page(pages: list[PageMap], options: SiteOptions, live: LiveView | None = None) -> str:
    """The index: each map's title, customer, outcome, activity count, top gaps and revision."""
    cards = [_card(entry, options) for entry in pages]
    return _render("index.html", root="", title=options.title, cards=cards, options=options, live=live,
                   invalid=sum(1 for entry in pages if not entry.collected.valid))


def map_page(entry: PageMap, options: SiteOptions, root: str = "../", live: LiveView | None = None) -> str:
    """One map's page: diagrams, gaps, activities per phase and evidence; or its problems if it is invalid.

    With `live` (`cyclemap serve`) the page also names its version for the
    live script, has a segment switch, and lists the problems of a newer save
    that does not validate over the diagrams marked out of date. The view of
    `entry.collected` (a segment picked with the switch) decides whose gaps the
    diagrams colour, the heading names and the gap table lists, ranked as
    `cyclemap gaps --segment ID` ranks them; every segment's gaps are listed
    below in any case.
    """
    collected = entry.collected
    if collected.cmap is None:
        return _render("invalid.html", root=root, title=collected.source, source=collected.source,
                       problems=problem_rows(collected.problems), options=options, live=live)
    cmap = collected.cmap
    views = score_views(cmap, collected.survey).views()
    shown = collected.view if collected.view in views else ALL
    # whose gaps the page shows: the live page's segment switch picks one; the static site's pages show "all"
    gaps = {view: _gap_rows(cmap, find_gaps(cmap, options.threshold, view, survey=collected.survey))
            for view in views}
    diagrams = [
        {"layout": layout, "name": DIAGRAM_NAMES[layout], "svg": Markup(collected.diagrams[layout])}  # noqa: S704 - checked by inline_svg
        for layout in DIAGRAM_LAYOUTS if layout in collected.diagrams
    ]
    missing = [{"name": DIAGRAM_NAMES[layout], "why": why} for layout, why in collected.missing.items()]
    return _render(
        "map.html", root=root, title=cmap.title, cmap=cmap, source=collected.source, options=options,
        revision=collected.revision, diagrams=diagrams, missing=missing, gaps=gaps[shown],
        segment_name=None if shown == ALL else _view_name(cmap, shown),
        segment_gaps=[(_view_name(cmap, view), gaps[view]) for view in views if view != ALL],
        segmented=bool(cmap.segments) or collected.survey is not None,
        caption=score_views(cmap, collected.survey).caption(shown),
        threshold=score_text(effective_threshold(cmap, options.threshold)),
        phases=[_phase(cmap, key) for key in PHASE_KEYS], evidence=_evidence(cmap),
        activities=sum(1 for _ in cmap.walk()), live=live,
        stale=problem_rows(live.problems) if live is not None else [],
        switch=_segment_switch(entry, views) if live is not None and len(views) > 1 else [],
    )


def gone_page(source: str, moved: PageMap | None, options: SiteOptions, live: LiveView) -> str:
    """The live page of a map no longer in its folder (deleted, renamed or moved), naming where it went when the
    file is known to be another map's now; a tab left open on it stays there and comes back with the file."""
    return _render("gone.html", root="../", title=source, source=source, moved=moved, options=options, live=live)


def problem_rows(problems: Iterable[Problem]) -> list[dict[str, str]]:
    """Problems as the pages list them: ``file:line:col``, severity and message."""
    return [{"place": f"{p.file}:{p.line}:{p.col}" if p.line else p.file, "message": p.message,
             "severity": p.severity} for p in problems]


def _segment_switch(entry: PageMap, views: tuple[str, ...]) -> list[dict[str, Any]]:
    """The links of the live page's segment switch: whose gaps the diagrams colour."""
    cmap = _valid(entry)
    return [{"view": view, "name": "All customers" if view == ALL else _view_name(cmap, view),
             "href": f"{entry.page}.html" + ("" if view == ALL else f"?segment={view}"),
             "current": view == entry.collected.view} for view in views]


def gaps_page(pages: list[PageMap], options: SiteOptions, live: LiveView | None = None) -> str:
    """Every gap of every valid map in every view, ranked together; filters by map, kind and segment."""
    lists, owners = [], []
    for entry in pages:
        cmap = entry.collected.cmap
        if cmap is None:
            continue
        for view in score_views(cmap, entry.collected.survey).views():
            lists.append(find_gaps(cmap, options.threshold, view, survey=entry.collected.survey))
            owners.append((entry, view))
    rows = []
    for index, gap in rank_across(lists):
        entry, view = owners[index]
        cmap = _valid(entry)
        row = _gap_row(cmap, gap)
        row.update(map=cmap.title, page=entry.page, href=entry.href, segment=view,
                   segment_name="All" if view == ALL else _view_name(cmap, view))
        rows.append(row)
    maps = [(entry.page, entry.collected.cmap.title) for entry in pages if entry.collected.cmap is not None]
    segments = _segment_names(rows)
    return _render("gaps.html", root="", title="All gaps", rows=rows, maps=maps, kinds=KINDS,
                   segments=segments, options=options, segmented=bool(segments), live=live)


def _segment_names(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The segment filter's choices: each segment id in the ranking with its name (differing names joined)."""
    names: dict[str, set[str]] = {}
    for row in rows:
        if row["segment"] != ALL:
            names.setdefault(row["segment"], set()).add(row["segment_name"])
    return [(segment, " / ".join(sorted(names[segment]))) for segment in sorted(names)]


def activity_panel(entry: PageMap, activity_id: str, options: SiteOptions) -> str | None:
    """Everything the map says about one activity, as the live page's panel (an HTML fragment).

    Description, notes, pains, offerings, competitors, evidence, owner, tags,
    the scores in every view (with n for survey scores), the gaps it is in
    with their reasons, and the file, line and column where it is written.
    None when the map is invalid or has no activity `activity_id`.
    """
    collected = entry.collected
    cmap = collected.cmap
    visit = None if cmap is None else next((v for v in cmap.walk() if v.activity.id == activity_id), None)
    if cmap is None or visit is None:
        return None
    activity = visit.activity
    views = score_views(cmap, collected.survey)
    scores: list[dict[str, Any]] = []
    gaps: list[dict[str, Any]] = []
    for view in views.views():
        name = "All customers" if view == ALL else _view_name(cmap, view)
        scored = views.score(activity, view)
        if scored is not None:
            scores.append({"name": name, "importance": _number(scored.importance),
                           "satisfaction": _number(scored.satisfaction), "opportunity": score_text(scored.opportunity),
                           "n": scored.n, "source": scored.source})
        found = find_gaps(cmap, options.threshold, view, survey=collected.survey)
        gaps.extend(dict(_gap_row(cmap, gap), view=name) for gap in found if gap.id == activity_id)
    file, line, col, path = activity_location(visit)
    return _render("panel.html", a=activity, number=".".join(map(str, visit.position)),
                   phase=label_of(visit.phase, cmap.phase(visit.phase)),
                   parents=PATH_SEPARATOR.join(parent.name for parent in visit.ancestors),
                   place=f"{file}:{line}:{col}", yaml_path=path, scores=scores, gaps=gaps,
                   segmented=len(views.views()) > 1)


# -- what the templates show ------------------------------------------------------------------------


def _valid(entry: PageMap) -> CycleMap:
    """The map of an entry known to be valid."""
    if entry.collected.cmap is None:
        raise ValueError(f"{entry.collected.source} is not a valid map")
    return entry.collected.cmap


def _card(entry: PageMap, options: SiteOptions) -> dict[str, Any]:
    collected = entry.collected
    cmap = collected.cmap
    if cmap is None:
        errors = [p for p in collected.problems if p.severity == "error"] or list(collected.problems)
        return {"href": entry.href, "source": collected.source, "valid": False, "problems": len(errors),
                "first": problem_rows(errors[:TOP_PROBLEMS])}
    found = find_gaps(cmap, options.threshold, survey=collected.survey)
    return {
        "href": entry.href, "source": collected.source, "valid": True, "cmap": cmap,
        "activities": sum(1 for _ in cmap.walk()), "gap_count": len(found),
        "underserved": sum(1 for gap in found if gap.band is not None),
        "top": _gap_rows(cmap, found[:TOP_GAPS]), "revision": collected.revision,
        "newer": problem_rows(entry.newer_problems[:1]), "newer_count": len(entry.newer_problems),
    }


def _gap_rows(cmap: CycleMap, gaps: Iterable[Gap]) -> list[dict[str, Any]]:
    return [dict(_gap_row(cmap, gap), rank=rank) for rank, gap in enumerate(gaps, start=1)]


def _gap_row(cmap: CycleMap, gap: Gap) -> dict[str, Any]:
    """One gap as a table row shows it."""
    return {
        "id": gap.id,
        "anchor": f"a-{gap.id}" if gap.id is not None else f"phase-{gap.phase}",
        "path": PATH_SEPARATOR.join(gap.path) or f"{label_of(gap.phase, cmap.phase(gap.phase))} phase (no activities)",
        "name": gap.path[-1] if gap.path else f"{label_of(gap.phase, cmap.phase(gap.phase))} phase",
        "parents": PATH_SEPARATOR.join(gap.path[:-1]),
        "phase": label_of(gap.phase, cmap.phase(gap.phase)),
        "score": score_text(gap.score),
        "sort_score": f"{gap.score:.4f}" if gap.score is not None else "-1",
        "band": gap.band or "",
        "severity": gap.severity.value,
        "severity_name": _SEVERITY_NAMES[gap.severity],
        "kinds": gap.kinds,
        "reason": gap.reason,
        "sample": " ".join(sample_lines(gap)),
        "importance": _number(gap.importance),
        "satisfaction": _number(gap.satisfaction),
    }


_SEVERITY_NAMES = {
    Severity.EXTREME: "Extreme", Severity.HIGH: "High", Severity.MODERATE: "Moderate",
    Severity.PAIN: "Pain", Severity.OVERSERVED: "Overserved", Severity.NONE: "Other",
}


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, int) else score_text(value)


def _view_name(cmap: CycleMap, view: str) -> str:
    return next((segment.name for segment in cmap.segments if segment.id == view), view)


def _phase(cmap: CycleMap, key: str) -> dict[str, Any]:
    phase = cmap.phase(key)
    return {"key": key, "label": label_of(key, phase), "description": phase.description,
            "activities": [_activity(activity, (number,)) for number, activity in
                           enumerate(phase.activities, start=1)]}


def _activity(activity: Activity, position: tuple[int, ...]) -> dict[str, Any]:
    return {
        "a": activity,
        "number": ".".join(map(str, position)),
        "anchor": f"a-{activity.id}",
        "importance": _number(activity.importance),
        "satisfaction": _number(activity.satisfaction),
        "segments": [(view, _number(s.importance), _number(s.satisfaction)) for view, s in
                     sorted(activity.segments.items())],
        "subcycle": [_activity(child, (*position, number)) for number, child in
                     enumerate(activity.subcycle, start=1)],
    }


def _evidence(cmap: CycleMap) -> list[dict[str, Any]]:
    return [
        {"activity": visit.activity.name, "anchor": f"a-{visit.activity.id}",
         "number": ".".join(map(str, visit.position)), "phase": label_of(visit.phase, cmap.phase(visit.phase)),
         "e": evidence}
        for visit in cmap.walk()
        for evidence in visit.activity.evidence
    ]


# -- templates ----------------------------------------------------------------------------------


def _shown(value: Any) -> Any:
    """Every printed value: control and bidi characters as escapes (the SVG, already checked, as it is)."""
    if isinstance(value, Markup) or value is None:
        return "" if value is None else value
    return escape_invisible(str(value), keep="\n\t")


@cache
def environment() -> Environment:
    """The Jinja2 environment of the site's templates: autoescaping on, undefined names an error."""
    env = Environment(
        loader=PackageLoader("cyclemap.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_shown,
    )
    env.globals.update(version=__version__, phase_keys=PHASE_KEYS,
                       csp=Markup(SITE_CSP))  # noqa: S704 - a constant; its quotes need no escaping in a "..." attribute
    return env


def _render(template: str, **values: Any) -> str:
    text: str = environment().get_template(template).render(**values)
    return text
