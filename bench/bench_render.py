"""Benchmark: `cyclemap render -f svg` against the Graphviz layout program alone, on generated maps.

    python bench/bench_render.py                      # 30, 300 and 1,000 activities, best of 3
    python bench/bench_render.py --sizes 300 --repeat 5

Issue 3 sets the targets, at 300 activities: cyclemap's own work (loading the
map, laying it out and writing DOT, less the time `neato -n2 -Tsvg` takes to
draw that DOT) under 0.3 s, and the whole command, run as a process, under 5 s.
Both layouts are measured, with the layout program timed in the same run on
the DOT that cyclemap produced. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cyclemap.loader import load_map
from cyclemap.render import LAYOUTS, RenderOptions, render_dot, render_map

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # bench/ is not a package: its generator is found by path
from timing import best_of

TARGET_SIZE = 300
OWN_TARGET = 0.3
"""Most seconds cyclemap's own work may take at TARGET_SIZE activities."""
TOTAL_TARGET = 5.0
"""Most seconds the whole `cyclemap render` process may take at TARGET_SIZE activities."""


@dataclass(frozen=True)
class Timing:
    size: int
    layout: str
    render: float
    """Best in-process load_map + render_map to SVG, seconds."""
    graphviz: float
    """Best `neato -n2 -Tsvg` on cyclemap's DOT, seconds."""
    process: float
    """One run of `python -m cyclemap render -f svg`, wall clock, seconds."""

    @property
    def own(self) -> float:
        return self.render - self.graphviz

    def missed(self) -> list[str]:
        if self.size != TARGET_SIZE:
            return []
        return [
            *([f"own work {self.own:.3f} s > {OWN_TARGET} s"] if self.own > OWN_TARGET else []),
            *([f"total {self.process:.2f} s > {TOTAL_TARGET} s"] if self.process > TOTAL_TARGET else []),
        ]


def neato(dot: str) -> bytes:
    """The layout program alone, as cyclemap runs it: draw pinned positions to SVG."""
    return subprocess.run(["neato", "-n2", "-Tsvg"], input=dot.encode(), capture_output=True, check=True).stdout


def cli_once(path: Path, layout: str, folder: Path) -> float:
    """Wall time of `python -m cyclemap render PATH -f svg --layout LAYOUT` (start-up included)."""
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cyclemap",
            "render",
            str(path),
            "-f",
            "svg",
            "--layout",
            layout,
            "-o",
            str(folder / f"{path.stem}-{layout}.svg"),
            "--quiet",
        ],
        check=True,
    )
    return time.perf_counter() - start


def measure(path: Path, size: int, layout: str, repeat: int) -> Timing:
    options = RenderOptions(fmt="svg", layout=layout)
    render_map(load_map(str(path)), options)  # warm imports and caches before timing
    dot = render_dot(load_map(str(path)), options)
    render = best_of(repeat, lambda: render_map(load_map(str(path)), options))
    graphviz = best_of(repeat, lambda: neato(dot))
    return Timing(size, layout, render, graphviz, cli_once(path, layout, path.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 300, 1000], help="activities per map")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, keeping the best (default 3)")
    args = parser.parse_args()
    if shutil.which("neato") is None:
        print("Graphviz (neato) is not installed: nothing to measure", file=sys.stderr)
        return 2
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"map-{size}.yaml"
            path.write_text(generate(size), encoding="utf-8")
            timings += [measure(path, size, layout, args.repeat) for layout in LAYOUTS]
    print(f"cyclemap render -f svg; best of {args.repeat} in-process, one timed process run; seconds")
    print(f"{'activities':>10}  {'layout':<6}  {'neato -n2':>9}  {'render':>7}  {'own':>7}  {'process':>8}")
    for t in timings:
        print(f"{t.size:>10,}  {t.layout:<6}  {t.graphviz:9.3f}  {t.render:7.3f}  {t.own:7.3f}  {t.process:8.2f}")
    missed = [f"{t.size} activities, {t.layout}: {m}" for t in timings for m in t.missed()]
    print(
        f"targets at {TARGET_SIZE} activities: own work < {OWN_TARGET} s, process < {TOTAL_TARGET} s: "
        + ("ok" if not missed else "MISSED")
    )
    for line in missed:
        print(f"  {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
