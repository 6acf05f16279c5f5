"""Benchmark: `cyclemap gaps -f json` against plain `yaml.load` on a 10,000-activity map.

    python bench/bench_gaps.py            # 10,000 activities, best of 3
    python bench/bench_gaps.py --size 2000 --repeat 5

Issue 4 sets the target: the whole gaps command (load and validate the map,
find and rank the gaps, write the JSON report) takes at most 1.6x the time of
`yaml.load(f, Loader=yaml.CSafeLoader)` on the same file. Exits 1 when over it.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

from cyclemap.gaps import effective_threshold, find_gaps
from cyclemap.loader import load_map
from cyclemap.report.gaps import GapReport, report_json

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # bench/ is not a package: its generator is found by path
from timing import best_of, yaml_load

TARGET = 1.6
"""Most the gaps command may cost, as a multiple of yaml.load with libyaml."""


def gaps_json(path: Path) -> int:
    """What `cyclemap gaps PATH -f json` does, in-process; returns the number of gaps."""
    cmap = load_map(str(path))
    found = find_gaps(cmap)
    report_json(GapReport(str(path), cmap, effective_threshold(cmap), found, len(found)), io.StringIO())
    return len(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="activities in the map (default 10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, keeping the best (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"map-{args.size}.yaml"
        path.write_text(generate(args.size), encoding="utf-8")
        gaps = gaps_json(path)  # also warms imports and caches before timing
        yaml_time = best_of(args.repeat, lambda: yaml_load(path))
        gaps_time = best_of(args.repeat, lambda: gaps_json(path))
        size_kb = path.stat().st_size // 1024
    ratio = gaps_time / yaml_time
    print(f"map: {args.size:,} activities, {size_kb:,} KiB, {gaps:,} gaps; best of {args.repeat}")
    print(f"yaml.load (CSafeLoader):  {yaml_time:7.3f} s")
    print(f"cyclemap gaps -f json:    {gaps_time:7.3f} s")
    verdict = "ok" if ratio <= TARGET else "OVER TARGET"
    print(f"ratio: {ratio:.2f}x (target <= {TARGET}x): {verdict}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
