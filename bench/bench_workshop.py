"""Benchmark: `cyclemap workshop` on generated maps, run as a process like a user runs it.

    python bench/bench_workshop.py                     # 30, 300 and 1,000 activities, best of 3
    python bench/bench_workshop.py --sizes 300 1000 --repeat 1

Targets: a pack for 300 activities in under 4 s, for 1,000 in under 8 s. Prints
the wall time of the whole command, the CPU time it used (children included:
Graphviz runs in separate processes), and the pack's pages and size; exits 1
when a target is missed. On a loaded machine the wall time exceeds the CPU
time; compare the two before trusting a miss.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # bench/ is not a package: its generator is found by path
from timing import best_of

TARGETS = {300: 4.0, 1000: 8.0}
"""Most seconds `cyclemap workshop` may take, by number of activities."""


def run_pack(source: Path, out: Path, cpu: list[float]) -> None:
    """One run of the command; appends the CPU seconds it used (its own and its children's)."""
    command = [sys.executable, "-m", "cyclemap", "workshop", str(source), "-o", str(out), "-q", "--date", "2026-01-01"]
    before = os.times()
    subprocess.run(command, check=True, timeout=300)
    after = os.times()
    cpu.append(after.children_user + after.children_system - before.children_user - before.children_system)


def pages_of(pdf: Path) -> str:
    try:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, *TARGETS])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    missed = []
    print(f"{'activities':>10}  {'seconds':>8}  {'cpu s':>8}  {'pages':>5}  {'size':>8}")
    with tempfile.TemporaryDirectory() as work:
        for size in args.sizes:
            source, out = Path(work) / f"map-{size}.yaml", Path(work) / f"pack-{size}.pdf"
            source.write_text(generate(size, seed=1), encoding="utf-8")
            cpu: list[float] = []
            seconds = best_of(args.repeat, lambda s=source, o=out, c=cpu: run_pack(s, o, c))
            print(f"{size:>10}  {seconds:>8.2f}  {min(cpu):>8.2f}  {pages_of(out):>5}  "
                  f"{out.stat().st_size // 1024:>6} KB")
            target = TARGETS.get(size)
            if target is not None and seconds > target:
                missed.append(f"{size} activities took {seconds:.2f} s > {target} s")
    for line in missed:
        print(f"MISSED: {line}")
    goals = ", ".join(f"{size} activities in under {limit:.0f} s" for size, limit in TARGETS.items())
    print(f"targets: {goals} -> {'missed' if missed else 'met'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
