"""The maps `cyclemap serve` shows, kept up to date with the files on disk.

A `LiveMap` is one map: the last version that validated (drawn), the problems
of the newest save when it does not validate, and a version number that goes
up each time the map or a file it reads (its includes, its survey) changes.
A `LiveSite` holds the maps and one watcher thread that looks at those files'
status every `POLL_SECONDS` (size, modification time and inode: an editor that
saves by renaming counts too) and rebuilds a map whose files changed. No
request from a browser ever names a file: pages are made from what the
watcher read.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from cyclemap.problems import CyclemapError, Problem
from cyclemap.render import RenderOptions, scene_of
from cyclemap.site.collect import CollectedMap, collect_map, draw_diagrams
from cyclemap.site.pages import (
    LiveView,
    PageMap,
    SiteOptions,
    activity_panel,
    gaps_page,
    index_page,
    map_page,
    name_pages,
)
from cyclemap.survey import ALL

if TYPE_CHECKING:
    from collections.abc import Iterable

POLL_SECONDS = 0.2
"""How often the watcher looks at the files of every map."""
LIVE_SCRIPT = "assets/live.js"

Stamp = tuple[tuple[str, int, int, int, int], ...]


def stamp_of(paths: Iterable[str]) -> Stamp:
    """What changes when any of `paths` is saved: size, modification time, inode and device (-1s if missing)."""
    found = []
    for path in paths:
        try:
            info = Path(path).stat()
        except OSError:
            found.append((path, -1, -1, -1, -1))
            continue
        found.append((path, info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev))
    return tuple(found)


class LiveMap:
    """One map as the live pages show it, rebuilt by `refresh` when its files change."""

    def __init__(self, source: str, *, threshold: float | None, timeout: float) -> None:
        self.source = source
        self.threshold = threshold
        self.timeout = timeout
        self.page = ""
        """The page's name, set by `LiveSite` (``maps/<page>.html``)."""
        self.version = 0
        self.shown: CollectedMap = CollectedMap(source)
        """The last version that validated, else the newest (invalid) one."""
        self.problems: tuple[Problem, ...] = ()
        """The newest save's problems while `shown` is an older, valid version."""
        self._watched: tuple[str, ...] = tuple(dict.fromkeys((os.path.abspath(source), os.path.realpath(source))))
        self._stamp: Stamp | None = None
        self._lock = threading.Lock()
        self._views: dict[str, CollectedMap] = {}
        self._html: dict[tuple[str, str], str] = {}

    def refresh(self) -> bool:
        """Rebuild the map if a file it reads changed since the last build; True when it did."""
        watched = self._watched
        before = stamp_of(watched)
        if before == self._stamp:
            return False
        collected = self._collect()
        newly = self._watch_list(collected)
        with self._lock:
            self._watched = newly
            self._stamp = before if newly == watched else None  # new files read: look again next time
            if collected.valid or not self.shown.valid:
                self.shown, self.problems = collected, ()
            else:
                self.problems = collected.problems
            self.version += 1
            self._views = {ALL: self.shown} if self.shown.valid else {}
            self._html = {}
        return True

    def _collect(self) -> CollectedMap:
        """The map as its files are now; an error reading it (not the map's fault) becomes a problem on the page."""
        try:
            return collect_map(self.source, threshold=self.threshold, timeout=self.timeout, git=False)
        except CyclemapError as err:
            return CollectedMap(self.source, problems=(Problem(self.source, 0, 0, str(err)),))

    def _watch_list(self, collected: CollectedMap) -> tuple[str, ...]:
        """The files to watch: the map's path as given, those the load read; with an invalid map, its folder too
        (an include may appear)."""
        # The path as given as well as where it leads: a link pointed elsewhere, or a file put in its place,
        # changes what the given path's stat sees.
        given, real = os.path.abspath(self.source), os.path.realpath(self.source)
        paths = list(dict.fromkeys((given, real, *collected.inputs)))
        if not collected.valid:
            paths.append(str(Path(real).parent))
        return tuple(paths)

    def collected(self, view: str = ALL) -> CollectedMap:
        """What the page shows for `view` ("all" or a segment id): diagrams drawn once per version and view."""
        with self._lock:
            shown, found = self.shown, self._views.get(view)
        if found is not None or shown.cmap is None:
            return found or shown
        diagrams, missing = draw_diagrams(shown.cmap, shown.survey, threshold=self.threshold,
                                          timeout=self.timeout, view=view)
        found = replace(shown, diagrams=diagrams, missing=missing, view=view)
        with self._lock:
            if self.shown is shown:
                self._views[view] = found
        return found

    def live_view(self) -> LiveView:
        with self._lock:
            return LiveView(self.page, self.version, self.problems)

    def has_view(self, view: str) -> bool:
        """Whether `view` is "all" or one of the map's segments (any other asked for shows "all")."""
        cmap = self.shown.cmap
        return view == ALL or (cmap is not None and any(segment.id == view for segment in cmap.segments))

    def page_html(self, options: SiteOptions, view: str = ALL) -> str:
        """The map's live page for `view`."""
        view = view if self.has_view(view) else ALL
        live = self.live_view()
        key = (view, str(live.version))
        with self._lock:
            cached = self._html.get(key)
        if cached is not None:
            return cached
        text = map_page(PageMap(self.collected(view), self.page), options, live=live)
        with self._lock:
            if self.version == live.version:
                self._html[key] = text
        return text

    def panel_html(self, options: SiteOptions, layout: str, node: str) -> str | None:
        """The activity panel for a node clicked in a diagram (``a3`` in cycle and flow, ``pt-<id>`` in the
        landscape) or for an activity id (layout ""); None when there is no such activity."""
        shown = self.shown
        if shown.cmap is None:
            return None
        activity = node_activity(shown, layout, node)
        return None if activity is None else activity_panel(PageMap(shown, self.page), activity, options)


def node_activity(collected: CollectedMap, layout: str, node: str) -> str | None:
    """The id of the activity a diagram's node stands for (the DOT key numbers the scene's boxes)."""
    cmap = collected.cmap
    if cmap is None:
        return None
    ids = {visit.activity.id or "" for visit in cmap.walk()}
    if layout == "":
        return node if node in ids else None
    if layout == "landscape":
        found = node.removeprefix("pt-")
        if found in ids:
            return found
        return next((found.removeprefix(f"{view}-") for view in (ALL, *(s.id for s in cmap.segments))
                     if found.removeprefix(f"{view}-") in ids), None)
    by_place = {(visit.phase, ".".join(map(str, visit.position))): visit.activity.id for visit in cmap.walk()}
    scene = scene_of(cmap, RenderOptions(layout=layout, survey=collected.survey, view=collected.view))
    for box in scene.all_boxes():
        if box.key == node and not box.placeholder:
            return by_place.get((box.phase, box.number))
    return None


class LiveSite:
    """Every map served, the watcher thread that keeps them current, and the pages made from them."""

    def __init__(self, sources: list[str], options: SiteOptions, *, timeout: float = 30.0) -> None:
        self.options = replace(options, scripts=(*options.scripts, LIVE_SCRIPT))
        self.maps = [LiveMap(source, threshold=options.threshold, timeout=timeout) for source in sources]
        self.generation = 0
        """Goes up when any map changes (the index's and the gap ranking's version)."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refresh()
        for entry, live in zip(name_pages([live.shown for live in self.maps]), self.maps, strict=True):
            live.page = entry.page
        self.by_page = {live.page: live for live in self.maps}

    def refresh(self) -> bool:
        """Rebuild every map whose files changed; True when any did."""
        changed = False
        for live in self.maps:
            try:
                changed = live.refresh() or changed
            except Exception as err:
                print(f"cyclemap serve: could not rebuild {live.source}: {err!r}", file=sys.stderr)
        if changed:
            self.generation += 1
        return changed

    def start(self) -> None:
        """Watch the files in a background thread until `stop`."""
        self._thread = threading.Thread(target=self._watch, name="cyclemap-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.refresh()

    def version(self, page: str) -> int | None:
        """The version of a map's page, or of the index and ranking (page ""); None for no such page."""
        if page in ("", "index", "gaps"):
            return self.generation
        live = self.by_page.get(page)
        return None if live is None else live.version

    def page_maps(self) -> list[PageMap]:
        return [PageMap(live.shown, live.page) for live in self.maps]

    def index_html(self) -> str:
        return index_page(self.page_maps(), self.options, live=LiveView("index", self.generation))

    def gaps_html(self) -> str:
        return gaps_page(self.page_maps(), self.options, live=LiveView("gaps", self.generation))
