"""Benchmark: `render --layout landscape` of a generated map with 300 scored activities (issue 12: under 2 s).

    python bench/bench_landscape.py              # best of 3
    python bench/bench_landscape.py --repeat 5

Prints cyclemap's own work (load, place labels, write DOT), the Graphviz run on that DOT
(`neato -n2 -Tsvg`), and the whole render to SVG in this process. Exits 1 when the whole
render takes 2 s or more.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from cyclemap.landscape import landscape_points
from cyclemap.loader import load_map
from cyclemap.render import RenderOptions, render_dot, render_map

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # bench/ is not a package: its generator is found by path

TARGET_SCORED = 300
TARGET_SECONDS = 2.0


def map_with_scored(count: int) -> Path:
    """A generated map file with at least `count` scored activities (the generator scores about 3 in 4)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-landscape-"))
    size = count
    while True:
        path = folder / f"map-{size}.yaml"
        path.write_text(generate(size, seed=3), encoding="utf-8")
        if len(landscape_points(load_map(str(path)))) >= count:
            return path
        size += count // 10


def best(seconds: list[float]) -> float:
    return min(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = map_with_scored(TARGET_SCORED)
    cmap = load_map(str(path))
    scored = len(landscape_points(cmap))
    options = RenderOptions(layout="landscape", fmt="svg", timeout=60)
    own, whole = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        render_dot(load_map(str(path)), options)
        own.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_map(load_map(str(path)), options)
        whole.append(time.perf_counter() - start)
    print(f"{scored} scored activities ({sum(1 for _ in cmap.walk())} in the map), best of {args.repeat}:")
    print(f"  cyclemap's own work (load, layout, DOT): {best(own):.3f} s")
    print(f"  Graphviz drawing the SVG:                {best(whole) - best(own):.3f} s")
    print(f"  whole render to SVG:                     {best(whole):.3f} s (target < {TARGET_SECONDS:g} s)")
    return 0 if best(whole) < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
