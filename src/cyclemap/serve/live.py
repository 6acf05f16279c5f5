"""The maps `cyclemap serve` shows, kept up to date with the files on disk.

A `LiveMap` is one map: the last version that validated (drawn), the problems
of the newest save when it does not validate, and a version number that goes
up each time the map or a file it reads (its includes, its survey) changes.
A `LiveSite` holds the maps and one watcher thread that looks at those files'
status every `POLL_SECONDS` (size, modification time and inode: an editor that
saves by renaming counts too) and hands a map whose files changed to one of
`BUILDERS` builder threads (one build per map at a time), so that a big map
does not hold up the others. With a
folder, the watcher also follows the maps in it (`FolderScan`): a map saved
there appears on the index with its page, a map deleted or renamed leaves a
page saying so. No request from a browser ever names a file: pages are made
from what the watcher read.

Pages are built once per version (`BuildOnce`): twenty tabs asking for a page
after a save wait for one build rather than making twenty, and a page being
built while the watcher reads a newer save is built from one consistent
`Snapshot` and kept under that snapshot's version.
"""

from __future__ import annotations

import itertools
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from cyclemap.mapfolder import FolderScan, unique_maps
from cyclemap.problems import CyclemapError, Problem
from cyclemap.render import MAX_DRAWN, RenderOptions, scene_of
from cyclemap.site.collect import CollectedMap, collect_map, draw_diagrams
from cyclemap.site.pages import (
    LiveView,
    PageMap,
    SiteOptions,
    activity_panel,
    gaps_page,
    gone_page,
    index_page,
    map_page,
    page_name,
    unique_page_name,
)
from cyclemap.survey import ALL

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterable, Iterator

POLL_SECONDS = 0.2
"""How often the watcher looks at the files of every map (and at the folders served)."""
BUILDERS = 3
"""Threads that rebuild maps: a slow map (thousands of activities) holds up one of them, not every other map."""
MAX_LIVE_ACTIVITIES = MAX_DRAWN
"""A map of more activities shows a problem instead of its page: `cyclemap render` draws as much, at most."""
LIVE_SCRIPT = "assets/live.js"

Stamp = tuple[tuple[str, int, int, int, int], ...]
T = TypeVar("T")


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


class BuildOnce(Generic[T]):
    """Values built once per version: requests that want one not built yet wait for the single build under way.

    Keys are ``(version, ...)``; storing a newer version drops the older ones
    (a page of an older version built late is answered but not kept).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[tuple[int, Hashable], T] = {}
        self._building: dict[tuple[int, Hashable], threading.Lock] = {}
        self._newest = -1

    def get(self, version: int, key: Hashable, build: Callable[[], T]) -> T:
        """The value for `key` at `version`, built by `build` if no one has yet."""
        slot = (version, key)
        with self._lock:
            if slot in self._values:
                return self._values[slot]
            gate = self._building.setdefault(slot, threading.Lock())
        with gate:
            with self._lock:
                if slot in self._values:
                    return self._values[slot]
            try:
                value = build()
            finally:
                with self._lock:
                    self._building.pop(slot, None)
            with self._lock:
                if version > self._newest:
                    self._values = {old: kept for old, kept in self._values.items() if old[0] >= version}
                    self._newest = version
                if version == self._newest:
                    self._values[slot] = value
        return value


@dataclass(frozen=True)
class Snapshot:
    """One version of a map as the pages show it, taken whole so that a page never mixes two saves."""

    version: int
    shown: CollectedMap
    """The last version that validated, else the newest (invalid) one."""
    problems: tuple[Problem, ...] = ()
    """The newest save's problems while `shown` is an older, valid version."""


class LiveMap:
    """One map as the live pages show it, rebuilt by `refresh` when its files change."""

    def __init__(self, source: str, page: str, versions: Iterator[int], *, threshold: float | None,
                 timeout: float) -> None:
        self.source = source
        self.page = page
        """The page's name (``maps/<page>.html``)."""
        self.threshold = threshold
        self.timeout = timeout
        self._versions = versions
        self.snapshot = Snapshot(0, CollectedMap(source))
        self.identity: tuple[int, int] | None = None
        """Device and inode of the map's file when last looked at (a map renamed elsewhere keeps them)."""
        self._watched: tuple[str, ...] = tuple(dict.fromkeys((os.path.abspath(source), os.path.realpath(source))))
        self._stamp: Stamp | None = None
        self._built: BuildOnce[object] = BuildOnce()

    @property
    def version(self) -> int:
        return self.snapshot.version

    @property
    def shown(self) -> CollectedMap:
        return self.snapshot.shown

    def _look(self, watched: tuple[str, ...]) -> Stamp:
        """The stamp of the files watched now (and the map file's identity, noted)."""
        stamp = stamp_of(watched)
        if stamp[0][3] >= 0:
            self.identity = (stamp[0][4], stamp[0][3])
        return stamp

    def stale(self) -> bool:
        """Whether a file the map reads changed since the last build (a cheap look: one stat per file)."""
        return self._look(self._watched) != self._stamp

    def refresh(self) -> bool:
        """Rebuild the map if a file it reads changed since the last build; True when it did.

        One call at a time per map (`LiveSite` sees to it): a save made while a
        build runs is built next, superseding it.
        """
        watched = self._watched
        before = self._look(watched)
        if before == self._stamp:
            return False
        collected = self._collect()
        newly = self._watch_list(collected)
        self._watched = newly
        self._stamp = before if newly == watched else None  # new files read: look again next time
        old = self.snapshot
        if collected.valid or not old.shown.valid:
            self.snapshot = Snapshot(next(self._versions), collected)
        else:
            self.snapshot = Snapshot(next(self._versions), old.shown, collected.problems)
        return True

    def _collect(self) -> CollectedMap:
        """The map as its files are now; an error reading it (not the map's fault) becomes a problem on the page."""
        try:
            return collect_map(self.source, threshold=self.threshold, timeout=self.timeout, git=False,
                               bound=MAX_LIVE_ACTIVITIES)
        except CyclemapError as err:
            return CollectedMap(self.source, problems=(Problem(self.source, 0, 0, str(err)),))

    def _watch_list(self, collected: CollectedMap) -> tuple[str, ...]:
        """The files to watch: the map's path as given, those the load read or tried to read (an include that is
        missing: it may appear); with an invalid map, the folders of all of them too."""
        # The path as given as well as where it leads: a link pointed elsewhere, or a file put in its place,
        # changes what the given path's stat sees.
        given, real = os.path.abspath(self.source), os.path.realpath(self.source)
        paths = list(dict.fromkeys((given, real, *collected.inputs)))
        if not collected.valid:  # also the folders of every file read or tried (a missing include's folder)
            paths.extend(dict.fromkeys(str(Path(path).parent) for path in (real, *collected.inputs)
                                       if str(Path(path).parent) not in paths))
        return tuple(paths)

    def collected(self, view: str = ALL, snapshot: Snapshot | None = None) -> CollectedMap:
        """What the page shows for `view` ("all" or a segment id): diagrams drawn once per version and view."""
        snapshot = snapshot or self.snapshot
        shown = snapshot.shown
        if shown.cmap is None or view == ALL:
            return shown
        cmap, survey = shown.cmap, shown.survey

        def draw() -> CollectedMap:
            diagrams, missing = draw_diagrams(cmap, survey, threshold=self.threshold, timeout=self.timeout,
                                              view=view)
            return replace(shown, diagrams=diagrams, missing=missing, view=view)

        found = self._built.get(snapshot.version, ("view", view), draw)
        assert isinstance(found, CollectedMap)  # noqa: S101 - only draw() stores under ("view", ...)
        return found

    def has_view(self, view: str) -> bool:
        """Whether `view` is "all" or one of the map's segments (any other asked for shows "all")."""
        cmap = self.shown.cmap
        return view == ALL or (cmap is not None and any(segment.id == view for segment in cmap.segments))

    def page_html(self, options: SiteOptions, view: str = ALL) -> str:
        """The map's live page for `view`, built once per version and view."""
        view = view if self.has_view(view) else ALL
        snapshot = self.snapshot
        live = LiveView(self.page, snapshot.version, snapshot.problems)

        def build() -> str:
            return map_page(PageMap(self.collected(view, snapshot), self.page), options, live=live)

        return str(self._built.get(snapshot.version, ("page", view), build))

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


@dataclass(frozen=True)
class GoneMap:
    """A map that was served from a folder and is no longer in it: its page says so until the file is back."""

    source: str
    version: int
    identity: tuple[int, int] | None


class LiveSite:
    """Every map served, the watcher thread that keeps them current, and the pages made from them."""

    def __init__(self, arguments: list[str], options: SiteOptions, *, timeout: float = 30.0) -> None:
        """Serve `arguments`: map files (served whatever becomes of them) and folders (their maps as they come
        and go)."""
        self.options = replace(options, scripts=(*options.scripts, LIVE_SCRIPT))
        self.threshold, self.timeout = options.threshold, timeout
        self._arguments = list(dict.fromkeys(arguments))
        self._scans = {arg: FolderScan(arg) for arg in self._arguments if Path(arg).is_dir()}
        places = [Path(os.path.abspath(arg)) for arg in self._arguments]
        places = [place if arg in self._scans else place.parent for arg, place in zip(self._arguments, places,
                                                                                       strict=True)]
        self._top = os.path.commonpath(places) if places else str(Path.cwd())
        self._names: dict[str, str] = {}
        """Each map's absolute path -> its page name, for the whole run (a map that comes back keeps its page)."""
        self._versions = itertools.count(1)
        self.generation = 0
        """Goes up when any map changes, comes or goes (the index's and the gap ranking's version)."""
        self.maps: list[LiveMap] = []
        self.by_page: dict[str, LiveMap] = {}
        self.gone: dict[str, GoneMap] = {}
        """Pages of maps no longer in their folder."""
        self._built: BuildOnce[str] = BuildOnce()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._building: set[LiveMap] = set()
        """Maps being rebuilt by a builder thread now (one build per map at a time)."""
        self._queue: queue.SimpleQueue[LiveMap | None] = queue.SimpleQueue()
        self._follow_folders(force=True)
        self.refresh()

    def sources(self) -> list[str]:
        """The maps served now: files as given, each folder's maps; each once, in order."""
        found: list[str] = []
        for arg in self._arguments:
            scan = self._scans.get(arg)
            found.extend(scan.maps() if scan is not None else [arg])
        return unique_maps(found)

    def _follow_folders(self, *, force: bool = False) -> bool:
        """Look at the folders served; add the maps that came (drawn before they show), retire those that went."""
        changed = force
        for scan in self._scans.values():
            changed = scan.refresh() or changed
        if not changed:
            return False
        current = {live.source: live for live in self.maps}
        maps, came = [], False
        for source in self.sources():
            live = current.pop(source, None)
            if live is None:
                came = True
                live = LiveMap(source, self._page_for(source), self._versions, threshold=self.threshold,
                               timeout=self.timeout)
                self._rebuild(live)
            maps.append(live)
        gone = dict(self.gone)
        for live in current.values():
            gone[live.page] = GoneMap(live.source, next(self._versions), live.identity)
        for live in maps:
            gone.pop(live.page, None)
        self.maps, self.by_page, self.gone = maps, {live.page: live for live in maps}, gone
        return came or bool(current)

    def _page_for(self, source: str) -> str:
        """The page name of a map: its path below the folders served, the same if it leaves and comes back."""
        path = os.path.abspath(source)
        if path not in self._names:
            self._names[path] = unique_page_name(page_name(path, self._top), set(self._names.values()))
        return self._names[path]

    @staticmethod
    def _rebuild(live: LiveMap) -> bool:
        try:
            return live.refresh()
        except Exception as err:
            print(f"cyclemap serve: could not rebuild {live.source}: {err!r}", file=sys.stderr)
            return False

    def refresh(self) -> bool:
        """Follow the folders, and rebuild every map whose files changed, one after another; True when anything
        did (the first build, and tests: the watcher thread hands builds to the builders instead, see `poll`)."""
        changed = self._follow_folders()
        for live in self.maps:
            changed = self._rebuild(live) or changed
        if changed:
            self._changed()
        return changed

    def poll(self) -> None:
        """Follow the folders, and hand each map whose files changed to a builder thread, unless one is building
        it already (that one's save is then built next: the newest version wins)."""
        if self._follow_folders():
            self._changed()
        for live in self.maps:
            with self._lock:
                if live in self._building or not live.stale():
                    continue
                self._building.add(live)
            self._queue.put(live)

    def _changed(self) -> None:
        with self._lock:
            self.generation += 1

    def _build(self) -> None:
        """A builder thread: rebuild the maps `poll` hands over, until `stop`."""
        while (live := self._queue.get()) is not None:
            try:
                if self._rebuild(live):
                    self._changed()
            finally:
                with self._lock:
                    self._building.discard(live)

    def start(self) -> None:
        """Watch the files in a background thread, and rebuild in `BUILDERS` others, until `stop`.

        Daemon threads: Ctrl-C does not wait for a big map's build to end.
        """
        self._threads = [threading.Thread(target=self._watch, name="cyclemap-watch", daemon=True)]
        self._threads += [threading.Thread(target=self._build, name=f"cyclemap-build-{number}", daemon=True)
                          for number in range(BUILDERS)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for _ in range(BUILDERS):
            self._queue.put(None)
        deadline = time.monotonic() + 5  # a build under way is not waited for longer: the threads are daemons
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.poll()

    def version(self, page: str) -> int | None:
        """The version of a map's page, or of the index and ranking (page ""); None for no such page."""
        if page in ("", "index", "gaps"):
            return self.generation
        live = self.by_page.get(page)
        if live is not None:
            return live.version
        gone = self.gone.get(page)
        return None if gone is None else gone.version

    def page_maps(self) -> list[PageMap]:
        return [PageMap(live.shown, live.page, live.snapshot.problems) for live in self.maps]

    def index_html(self) -> str:
        """The index, built once per generation."""
        generation = self.generation
        return self._built.get(generation, "index", lambda: index_page(
            self.page_maps(), self.options, live=LiveView("index", generation)))

    def gaps_html(self) -> str:
        """The ranking of every gap, built once per generation."""
        generation = self.generation
        return self._built.get(generation, "gaps", lambda: gaps_page(
            self.page_maps(), self.options, live=LiveView("gaps", generation)))

    def page_html(self, page: str, view: str = ALL) -> tuple[str, bool] | None:
        """A map's live page for `view` and False; the page of a map gone from its folder and True; or None."""
        live = self.by_page.get(page)
        if live is not None:
            return live.page_html(self.options, view), False
        gone = self.gone.get(page)
        if gone is None:
            return None
        generation = self.generation  # where it went may change with any map
        moved = next((PageMap(other.shown, other.page) for other in self.maps
                      if gone.identity is not None and other.identity == gone.identity), None)
        return self._built.get(generation, ("gone", page), lambda: gone_page(
            gone.source, moved, self.options, LiveView(page, gone.version))), True
