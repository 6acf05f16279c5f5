"""Run a command as a process and measure it: wall time, CPU time and peak memory (bench/ helper)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    seconds: float
    """Wall-clock time."""
    cpu: float
    """User + system CPU time: less disturbed than wall time on a busy machine."""
    peak_mb: float
    """Peak resident memory (maximum RSS), in MB."""
    status: int
    """The exit code."""


def run_measured(command: list[str], stdout: Path | None = None) -> Run:
    """Run `command` (its output to `stdout`, else discarded) and measure that one process.

    `os.wait4` gives the resource use of this child alone, where
    `resource.getrusage(RUSAGE_CHILDREN)` would keep the largest of all children so far.
    """
    with open(os.devnull if stdout is None else stdout, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode)
