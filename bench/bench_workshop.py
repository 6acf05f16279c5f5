"""Benchmark: `cyclemap workshop` on generated maps, run as a process like a user runs it.

    python bench/bench_workshop.py                     # 30 and 300 activities, best of 3
    python bench/bench_workshop.py --sizes 300 1000 --repeat 1

Issue 5 sets the target: a pack for a 300-activity map in under 10 s. Prints
the wall time of the whole command and the pack's pages and size; exits 1
when the target is missed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # bench/ is not a package: its generator is found by path
from timing import best_of

TARGET_SIZE = 300
TARGET = 10.0
"""Most seconds `cyclemap workshop` may take at TARGET_SIZE activities."""


def run_pack(source: Path, out: Path) -> None:
    command = [sys.executable, "-m", "cyclemap", "workshop", str(source), "-o", str(out), "-q", "--date", "2026-01-01"]
    subprocess.run(command, check=True, timeout=300)


def pages_of(pdf: Path) -> str:
    try:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, TARGET_SIZE])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    missed = []
    print(f"{'activities':>10}  {'seconds':>8}  {'pages':>5}  {'size':>8}")
    with tempfile.TemporaryDirectory() as work:
        for size in args.sizes:
            source, out = Path(work) / f"map-{size}.yaml", Path(work) / f"pack-{size}.pdf"
            source.write_text(generate(size, seed=1), encoding="utf-8")
            seconds = best_of(args.repeat, lambda s=source, o=out: run_pack(s, o))
            print(f"{size:>10}  {seconds:>8.2f}  {pages_of(out):>5}  {out.stat().st_size // 1024:>6} KB")
            if size == TARGET_SIZE and seconds > TARGET:
                missed.append(f"{size} activities took {seconds:.2f} s > {TARGET} s")
    for line in missed:
        print(f"MISSED: {line}")
    print(f"target: {TARGET_SIZE} activities in under {TARGET:.0f} s -> {'missed' if missed else 'met'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
