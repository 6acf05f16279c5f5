"""Benchmark: `cyclemap render -f dot` (our own layout, no Graphviz) on big generated maps, as a process.

    python bench/bench_layout.py                 # the three maps of issue 10, both layouts, best of 1
    python bench/bench_layout.py --repeat 3

Issue 10 sets the targets for the cycle layout (the default picture): a map of
1,600 activities that each open a one-activity subcycle (bench/generate.py
--shape one-sub) in under 3 s, and 10,000 activities in under 10 s, for the
whole command. The flow layout is measured beside it. The column "before"
holds the figures the issue measured on the quadratic layout. Each run is
timed by the wall clock and by the processor time the process used; on a busy
shared machine the wall clock waits for other work, so the targets are judged
on processor time. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # bench/ is not a package: its generator is found by path
from timing import best_of


@dataclass(frozen=True)
class Case:
    size: int
    shape: str
    layout: str
    before: float | None
    """Seconds issue 10 measured before the layout was made near-linear (None: not measured)."""
    target: float | None
    """Most seconds the whole command may take (None: no target)."""

    @property
    def label(self) -> str:
        return f"{self.size:,} {'with one-item subcycles' if self.shape == 'one-sub' else 'activities'}"


CASES = (
    Case(1000, "tree", "cycle", 2.4, None),
    Case(1600, "one-sub", "cycle", 93.0, 3.0),
    Case(10000, "tree", "cycle", 168.0, 10.0),
    Case(1000, "tree", "flow", None, None),
    Case(1600, "one-sub", "flow", None, None),
    Case(10000, "tree", "flow", 3.0, None),
)


def render_process(path: Path, layout: str) -> float:
    """Run `python -m cyclemap render PATH -f dot --layout LAYOUT` (writing next to the map); its processor time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "cyclemap", "render", str(path), "-f", "dot", "--layout", layout, "--quiet"],
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def measure(path: Path, layout: str, repeat: int) -> tuple[float, float]:
    """Best wall-clock seconds and best processor seconds of `repeat` runs."""
    cpu: list[float] = []
    wall = best_of(repeat, lambda: cpu.append(render_process(path, layout)))
    return wall, min(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, keeping the best (default 1)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for case in CASES:
            path = Path(folder) / f"map-{case.size}-{case.shape}.yaml"
            if not path.exists():
                path.write_text(generate(case.size, shape=case.shape), encoding="utf-8")
            results.append((case, *measure(path, case.layout, args.repeat)))
    print(f"cyclemap render -f dot, whole command as a process; best of {args.repeat}; seconds")
    print(f"{'map':<30}  {'layout':<6}  {'before':>7}  {'wall':>7}  {'cpu':>7}  {'target':>7}")
    missed = []
    for case, wall, cpu in results:
        before = f"{case.before:7.1f}" if case.before is not None else f"{'-':>7}"
        target = f"{case.target:7.1f}" if case.target is not None else f"{'-':>7}"
        print(f"{case.label:<30}  {case.layout:<6}  {before}  {wall:7.2f}  {cpu:7.2f}  {target}")
        if case.target is not None and cpu > case.target:
            missed.append(f"{case.label}, {case.layout}: {cpu:.2f} s > {case.target} s")
    print("targets: " + ("ok" if not missed else "MISSED"))
    for line in missed:
        print(f"  {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
