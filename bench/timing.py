"""Timing helpers shared by the benchmarks (bench/ is run as scripts, not a package)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import yaml


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The fastest of `repeat` runs, in seconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def yaml_load(path: Path, loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = yaml.CSafeLoader) -> object:
    """The baseline: PyYAML loading the file (libyaml's loader unless told otherwise)."""
    with path.open("rb") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 - safe loaders only
