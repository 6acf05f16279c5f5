"""How long does `cyclemap` take to start, as a multiple of a bare Python start?

    .venv/bin/python bench/bench_startup.py              # median of 15 runs each
    .venv/bin/python bench/bench_startup.py --runs 31 --importtime
    .venv/bin/python bench/bench_startup.py --src /tmp/old/src     # another checkout's src/, to compare

Times, in fresh processes, `python -c pass` (the baseline) and each command a
pre-commit hook or a script runs on a small map: `cyclemap --version`, `validate`,
`gaps -f json`, `render -f dot` and `--help`. Prints each median, its ratio to the
baseline and the target, and exits 1 when a ratio with a target is over it.
`--importtime` also prints the ten slowest imports of `validate`
(from `python -X importtime`).
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

PYTHON = sys.executable
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Bytecode caches allowed, as after `pip install`: otherwise every run compiles cyclemap's modules again."""
SMALL_MAP = """\
cyclemap: 1
title: Booking a repair
customer: Owners of a broken washing machine
outcome: A working machine again, soon
phases:
  pre:
    activities:
      - name: Find the model number
        importance: 6
        satisfaction: 3
  during:
    activities:
      - name: Let the engineer in
  post:
    activities:
      - name: Pay the invoice
"""

TARGETS = {"--version": 3.0, "validate": 15.0}
"""Most each may cost, as a multiple of `python -c pass` (the others are shown for information)."""


def median_seconds(command: list[str], runs: int) -> float:
    """The median wall time of `runs` fresh processes (the median shrugs off other load)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def slowest_imports(command: list[str], count: int = 10) -> list[tuple[int, str]]:
    """The `count` imports with the largest cumulative time (microseconds) under -X importtime."""
    done = subprocess.run([PYTHON, "-X", "importtime", *command], capture_output=True, text=True, env=ENV, check=False)
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--importtime", action="store_true", help="show the slowest imports of validate")
    parser.add_argument("--src", help="time the cyclemap package in this folder (PYTHONPATH) instead")
    args = parser.parse_args()
    if args.src:
        ENV["PYTHONPATH"] = args.src
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "map.yaml"
        small.write_text(SMALL_MAP, encoding="utf-8")
        cases = {
            "--version": ["--version"],
            "validate": ["validate", str(small)],
            "gaps -f json": ["gaps", str(small), "-f", "json"],
            "render -f dot": ["render", str(small), "-f", "dot", "-o", str(Path(tmp) / "out.dot")],
            "--help": ["--help"],
        }
        for argv in cases.values():  # warm up: bytecode caches written, files in the page cache
            median_seconds([PYTHON, "-m", "cyclemap", *argv], 1)
        base = median_seconds([PYTHON, "-c", "pass"], args.runs)
        print(f"python -c pass            {base * 1000:7.1f} ms   (median of {args.runs})")
        over = False
        for name, argv in cases.items():
            seconds = median_seconds([PYTHON, "-m", "cyclemap", *argv], args.runs)
            ratio = seconds / base
            target = TARGETS.get(name)
            verdict = "" if target is None else f"target <= {target:g}x: {'ok' if ratio <= target else 'OVER'}"
            over = over or (target is not None and ratio > target)
            print(f"cyclemap {name:<16} {seconds * 1000:7.1f} ms  {ratio:5.1f}x   {verdict}")
        if args.importtime:
            print("\nslowest imports of validate (cumulative):")
            for micros, module in slowest_imports(["-m", "cyclemap", *cases["validate"]]):
                print(f"  {micros / 1000:7.1f} ms  {module}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
