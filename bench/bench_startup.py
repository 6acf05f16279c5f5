"""How long does `cyclemap` take to start, as a multiple of a bare Python start?

    .venv/bin/python bench/bench_startup.py              # median of 15 interleaved rounds
    .venv/bin/python bench/bench_startup.py --runs 31 --importtime
    .venv/bin/python bench/bench_startup.py --src /tmp/old/src     # another checkout's src/, to compare

Times, in fresh processes, `python -c pass` (the baseline) and each command a
pre-commit hook or a script runs on a small map: `cyclemap --version`, `validate`,
`gaps -f json`, `render -f dot` and `--help` (and, for scale, `import cyclemap.loader`
alone: the YAML reader and the pydantic model every map command needs), through the
installed `cyclemap` script as users run it (`python -m cyclemap` with --src), in
interleaved rounds (each round times the baseline and every command once). Prints each median time, the median of its
per-round ratios to the baseline and the target, and exits 1 when a ratio with a
target is over it (judged on wall time; CPU time is printed beside it, as it
varies less when other work shares the machine).
`--importtime` also prints the ten slowest imports of `validate`
(from `python -X importtime`).
"""

from __future__ import annotations

import argparse
import os
import resource
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


def seconds(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, list[tuple[float, float]]]:
    """`runs` rounds, each timing every command once in turn, so a burst of other load hits them all alike."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(seconds(command))
    return times


def _median(times: list[tuple[float, float]], which: int) -> float:
    return statistics.median(t[which] for t in times)


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
        script = Path(PYTHON).parent / "cyclemap"
        launcher = [str(script)] if script.is_file() and not args.src else [PYTHON, "-m", "cyclemap"]
        for argv in cases.values():  # warm up: bytecode caches written, files in the page cache
            seconds([*launcher, *argv])
        commands = {"python -c pass": [PYTHON, "-c", "pass"]}
        commands.update({name: [*launcher, *argv] for name, argv in cases.items()})
        commands["(import loader)"] = [PYTHON, "-c", "import cyclemap.loader"]  # the floor: yaml, pydantic, model
        times = interleaved(commands, args.runs)
        base = times.pop("python -c pass")
        print(f"cyclemap run as {' '.join(Path(part).name for part in launcher)}; median of {args.runs} "
              "interleaved rounds; wall time (ratio), then CPU time (ratio)")
        print(f"python -c pass          {_median(base, 0) * 1000:7.1f} ms         {_median(base, 1) * 1000:7.1f} ms")
        over = False
        for name, spent in times.items():
            ratio = statistics.median(s[0] / b[0] for s, b in zip(spent, base, strict=True))
            cpu_ratio = statistics.median(s[1] / max(b[1], 1e-6) for s, b in zip(spent, base, strict=True))
            target = TARGETS.get(name)
            verdict = "" if target is None else f"target <= {target:g}x: {'ok' if ratio <= target else 'OVER'}"
            over = over or (target is not None and ratio > target)
            label = name if name.startswith("(") else f"cyclemap {name}"
            print(f"{label:<23} {_median(spent, 0) * 1000:7.1f} ms {ratio:5.1f}x  "
                  f"{_median(spent, 1) * 1000:7.1f} ms {cpu_ratio:5.1f}x   {verdict}")
        if args.importtime:
            print("\nslowest imports of validate (cumulative):")
            for micros, module in slowest_imports(["-m", "cyclemap", *cases["validate"]]):
                print(f"  {micros / 1000:7.1f} ms  {module}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
