"""Benchmark: `cyclemap gaps -f json` against plain `yaml.load`, then each output format as a process.

    python bench/bench_gaps.py                  # ratio at 10,000; table and json at 10,000 and 100,000
    python bench/bench_gaps.py --size 2000 --repeat 5 --sizes 10000
    python bench/bench_gaps.py --sizes 100000 --formats table json markdown csv github

Issue 4 sets the first target: the whole gaps command (load and validate the
map, find and rank the gaps, write the JSON report) takes at most 1.6x the time
of `yaml.load(f, Loader=yaml.CSafeLoader)` on the same file.

Issue 10 sets the others: the default table costs about what JSON costs (at
most 1.5x its CPU time, which a busy machine disturbs less than wall time), and
no format peaks over 600 MB of memory, at 100,000 activities (the lean shape of
bench/generate.py, to stay under the 16 MiB file limit). Each format runs once
as `python -m cyclemap gaps MAP -f FORMAT`, measured alone (`os.wait4`). Exits
1 when a target is missed.
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
from peak import run_measured
from timing import best_of, yaml_load

TARGET = 1.6
"""Most the gaps command may cost, as a multiple of yaml.load with libyaml."""
TABLE_TARGET = 1.5
"""Most the table may cost, as a multiple of the JSON's CPU time."""
PEAK_TARGET_MB = 600
"""Most memory any format may take."""


def gaps_json(path: Path) -> int:
    """What `cyclemap gaps PATH -f json` does, in-process; returns the number of gaps."""
    cmap = load_map(str(path))
    found = find_gaps(cmap)
    report_json(GapReport(str(path), cmap, effective_threshold(cmap), found, len(found)), io.StringIO())
    return len(found)


def ratio_check(size: int, repeat: int) -> bool:
    """Issue 4's target: gaps -f json in-process against yaml.load; True when met."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"map-{size}.yaml"
        path.write_text(generate(size), encoding="utf-8")
        gaps = gaps_json(path)  # also warms imports and caches before timing
        yaml_time = best_of(repeat, lambda: yaml_load(path))
        gaps_time = best_of(repeat, lambda: gaps_json(path))
        size_kb = path.stat().st_size // 1024
    ratio = gaps_time / yaml_time
    print(f"map: {size:,} activities, {size_kb:,} KiB, {gaps:,} gaps; best of {repeat}")
    print(f"yaml.load (CSafeLoader):  {yaml_time:7.3f} s")
    print(f"cyclemap gaps -f json:    {gaps_time:7.3f} s")
    verdict = "ok" if ratio <= TARGET else "OVER TARGET"
    print(f"ratio: {ratio:.2f}x (target <= {TARGET}x): {verdict}")
    return ratio <= TARGET


def formats_check(sizes: list[int], formats: list[str]) -> bool:
    """Issue 10's targets: each format as a process, seconds, CPU and peak memory; True when met."""
    missed = []
    print(f"\n{'activities':>10}  {'format':<8}  {'seconds':>8}  {'cpu s':>7}  {'peak MB':>8}  {'output MB':>9}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path, out = Path(folder) / f"map-{size}.yaml", Path(folder) / "out"
            path.write_text(generate(size, shape="lean"), encoding="utf-8")
            cpu = {}
            for fmt in formats:
                run = run_measured([sys.executable, "-m", "cyclemap", "gaps", str(path), "-f", fmt], out)
                cpu[fmt] = run.cpu
                megabytes = out.stat().st_size / 1e6
                figures = f"{run.seconds:8.2f}  {run.cpu:7.2f}  {run.peak_mb:8.0f}  {megabytes:9.1f}"
                print(f"{size:>10,}  {fmt:<8}  {figures}")
                if run.status != 0:
                    missed.append(f"{size:,} {fmt}: exit {run.status}")
                if run.peak_mb > PEAK_TARGET_MB:
                    missed.append(f"{size:,} {fmt}: peak {run.peak_mb:.0f} MB > {PEAK_TARGET_MB} MB")
            if "table" in cpu and "json" in cpu and cpu["table"] > TABLE_TARGET * cpu["json"]:
                missed.append(f"{size:,}: table CPU {cpu['table']:.2f} s > {TABLE_TARGET}x json {cpu['json']:.2f} s")
    verdict = "ok" if not missed else "MISSED"
    print(f"targets: table <= {TABLE_TARGET}x json CPU, peak <= {PEAK_TARGET_MB} MB: {verdict}")
    for line in missed:
        print(f"  {line}")
    return not missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="activities for the ratio check (default 10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, keeping the best (default 3)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000],
                        help="activities for the format runs (default 10,000 and 100,000; none to skip)")
    parser.add_argument("--formats", nargs="+", default=["table", "json"], help="formats to run (default table json)")
    args = parser.parse_args()
    ratio_ok = ratio_check(args.size, args.repeat)
    formats_ok = formats_check(args.sizes, args.formats)
    return 0 if ratio_ok and formats_ok else 1


if __name__ == "__main__":
    sys.exit(main())
