"""How long does `cyclemap serve` take to rebuild a map after a save (load, the three diagrams, no page)?

    .venv/bin/python bench/bench_serve_rebuild.py               # 50, 100 and 300 activities
    .venv/bin/python bench/bench_serve_rebuild.py --sizes 1000 --runs 3

For each size it writes a map with bench/generate.py into a temporary folder
and times `collect_map` (what the watcher's builder runs on each save: load,
then cycle, flow and landscape SVG through Graphviz) as the median of
`--runs`: the wall-clock seconds (how long the page waits) and the processor
seconds of this process and its Graphviz children together.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cyclemap.site.collect import collect_map

ROOT = Path(__file__).resolve().parent.parent


def cpu_seconds() -> float:
    """Processor time so far of this process and of its children that ended (Graphviz)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 300])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"map-{size}.yaml"
            subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(size), "-o", str(path)],
                           check=True)
            walls, cpus = [], []
            for _ in range(args.runs):
                wall, cpu = time.perf_counter(), cpu_seconds()
                collected = collect_map(str(path), git=False)
                walls.append(time.perf_counter() - wall)
                cpus.append(cpu_seconds() - cpu)
                if not collected.valid or len(collected.diagrams) != 3:
                    sys.exit(f"map-{size}.yaml: {collected.problems or collected.missing}")
            print(f"{size:>6} activities: {statistics.median(walls):6.2f} s wall, "
                  f"{statistics.median(cpus):6.2f} s processor (median of {args.runs})", flush=True)


if __name__ == "__main__":
    main()
