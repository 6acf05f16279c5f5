"""Run a command as a process and measure it: wall time, CPU time and peak memory (bench/ helper)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05
"""How often the memory of the process and its children is summed (Linux only)."""


@dataclass(frozen=True)
class Run:
    seconds: float
    """Wall-clock time."""
    cpu: float
    """User + system CPU time, children included: less disturbed than wall time on a busy machine."""
    peak_mb: float
    """Peak resident memory (maximum RSS), in MB: the largest of the process and each of its children."""
    status: int
    """The exit code."""
    tree_peak_mb: float = 0.0
    """Peak of the process's and its running children's resident memory added up (Graphviz runs in
    child processes, several at once for `workshop`), sampled every SAMPLE_SECONDS; 0 where /proc is missing."""

    @property
    def worst_mb(self) -> float:
        """The larger of the two peaks: what the command costs the machine."""
        return max(self.peak_mb, self.tree_peak_mb)


def run_measured(command: list[str], stdout: Path | None = None) -> Run:
    """Run `command` (its output to `stdout`, else discarded) and measure that one process and its children.

    `os.wait4` gives the resource use of this child alone (and of the children it
    waited for), where `resource.getrusage(RUSAGE_CHILDREN)` would keep the largest
    of all children so far. Its maximum RSS is that of the largest single process,
    so the sum of the process and its children is sampled from /proc as well.
    """
    with open(os.devnull if stdout is None else stdout, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        sampler = _TreeSampler(process.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            sampler.stop()
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode,
               sampler.peak / 2**20)


class _TreeSampler(threading.Thread):
    """Samples the resident memory of a process and all its descendants, keeping the largest sum."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, _tree_rss(self.pid))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree_rss(root: int) -> int:
    """Bytes resident in `root` and its descendants now (0 without /proc)."""
    children: dict[int, list[int]] = {}
    try:
        entries = [entry for entry in Path("/proc").iterdir() if entry.name.isdigit()]
    except OSError:
        return 0
    for entry in entries:
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):  # gone, or not Linux
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        todo.extend(children.get(pid, []))
    return total
