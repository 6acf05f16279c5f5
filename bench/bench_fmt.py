"""Benchmark: `cyclemap fmt` against `cyclemap validate` on the same map, as processes: seconds and peak memory.

    python bench/bench_fmt.py                        # 1,000, 10,000 and 50,000 activities, best of 3
    python bench/bench_fmt.py --sizes 20000 --shape lean --repeat 1

Each map comes from bench/generate.py with its blank lines dropped, so that fmt
has a whole file to lay out again (it writes it: the run formats a copy). fmt
validates the map, formats it, and reads the formatted text back to check that
it means the same: its target is at most TARGET times validate's CPU time and
peak memory (issue 14's review; CPU time is less disturbed by a busy machine
than wall time). Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # bench/ is not a package: its generator is found by path
from peak import Run, run_measured

TARGET = 3.0
"""Most fmt may cost, as a multiple of validate's CPU time and of its peak memory."""


def out_of_layout(text: str) -> str:
    """`text` without its blank lines: valid still, but no longer in fmt's layout."""
    return "".join(line for line in text.splitlines(keepends=True) if line.strip())


def measure(size: int, shape: str, repeat: int) -> tuple[Run, Run, float]:
    """validate and fmt on a map of `size` activities (the least CPU time of `repeat` runs of each), and the
    file's size in MiB."""
    with tempfile.TemporaryDirectory() as folder:
        original = Path(folder) / "original.yaml"
        original.write_text(out_of_layout(generate(size, shape=shape)), encoding="utf-8")
        path = Path(folder) / "map.yaml"
        validates, fmts = [], []
        for _ in range(repeat):
            shutil.copyfile(original, path)
            validates.append(run_measured([sys.executable, "-m", "cyclemap", "validate", str(path)]))
            fmts.append(run_measured([sys.executable, "-m", "cyclemap", "fmt", str(path)]))
            if fmts[-1].status == 0 and path.read_bytes() == original.read_bytes():
                raise SystemExit(f"fmt left the {size:,}-activity map unchanged: nothing was measured")
        return min(validates, key=_cpu), min(fmts, key=_cpu), original.stat().st_size / 2**20


def _cpu(run: Run) -> float:
    return run.cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000],
                        help="activities (default 1,000, 10,000 and 50,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, keeping the least CPU time (default 3)")
    parser.add_argument("--shape", default="tree", choices=("tree", "one-sub", "lean"),
                        help="bench/generate.py's shape (default tree)")
    args = parser.parse_args()
    missed = []
    print(f"{'activities':>10}  {'MiB':>5}  {'command':<8}  {'seconds':>8}  {'cpu s':>7}  {'peak MB':>8}")
    for size in args.sizes:
        validate, fmt, mib = measure(size, args.shape, args.repeat)
        for name, run in (("validate", validate), ("fmt", fmt)):
            print(f"{size:>10,}  {mib:5.1f}  {name:<8}  {run.seconds:8.2f}  {run.cpu:7.2f}  {run.peak_mb:8.0f}")
        cpu, peak = fmt.cpu / validate.cpu, fmt.peak_mb / validate.peak_mb
        print(f"{'':>10}  {'':>5}  {'fmt/val':<8}  {fmt.seconds / validate.seconds:7.1f}x  {cpu:6.1f}x  {peak:7.1f}x")
        if fmt.status != 0:
            missed.append(f"{size:,}: fmt exited {fmt.status}")
        if cpu > TARGET or peak > TARGET:
            missed.append(f"{size:,}: fmt costs {cpu:.1f}x validate's CPU and {peak:.1f}x its memory")
    verdict = "ok" if not missed else "MISSED"
    print(f"target: fmt <= {TARGET}x validate's CPU time and peak memory: {verdict}")
    for line in missed:
        print(f"  {line}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
