"""How much processor does `cyclemap serve FOLDER` use at rest when the folder holds 100,000 files?

    .venv/bin/python bench/bench_serve_watch.py            # the three folders below, target <= 5 % of a core
    .venv/bin/python bench/bench_serve_watch.py --files 20000

The watcher polls every `POLL_SECONDS` (0.2 s): each poll stats the files of
every map and looks at up to `CHECKS_PER_REFRESH` folders and non-map YAML
files of the folder served. For each folder shape it makes (in a temporary
folder, with one real map in it), this prints the first scan's time, the
processor time (user + system) of one poll at rest as the median of 50, that
as a share of one core at 5 polls a second, and how long one round of every
folder and non-map YAML file takes (a map written in place into a file that
was not one shows within that; a map saved by rename shows within a poll or
two, as its folder is looked at in every round). For comparison it times
listing the whole folder again (`folder_maps`), which a poll would cost
without the bound. Exits 1 when a share at rest is over the target.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cyclemap.mapfolder import CHECKS_PER_REFRESH, FolderScan, folder_maps
from cyclemap.serve.live import POLL_SECONDS, LiveSite
from cyclemap.site.pages import SiteOptions

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.05
"""Most of one core the watcher may use at rest."""
SHAPES = {
    "other files, 1,000 folders": (1000, ".txt"),
    "other files, one folder": (1, ".txt"),
    "YAML files that are not maps, 100 folders": (100, ".yaml"),
}


def make(folder: Path, files: int, folders: int, suffix: str) -> None:
    """`files` small files spread over `folders` folders, and one map (home-solar) at the top."""
    for number in range(folders):
        (folder / f"d{number:04}").mkdir()
    for number in range(files):
        (folder / f"d{number % folders:04}" / f"f{number:06}{suffix}").write_text("key: value\n")
    shutil.copy(ROOT / "examples" / "home-solar.yaml", folder / "map.yaml")


def cpu() -> float:
    """This process's processor time, user and system (finer than os.times's clock ticks)."""
    return time.process_time()


def measure(folder: Path) -> tuple[float, float, float, int]:
    """First scan (s), processor time of one poll at rest (s), of listing everything again (s), entries."""
    start = time.perf_counter()
    site = LiveSite([str(folder)], SiteOptions())
    first = time.perf_counter() - start
    if [live.page for live in site.maps] != ["map"]:
        raise SystemExit(f"expected the one map, found {[live.page for live in site.maps]}")
    polls = []
    for _ in range(50):
        before = cpu()
        for _ in range(4):
            site.refresh()
        polls.append((cpu() - before) / 4)
    before = cpu()
    folder_maps(str(folder))
    full = cpu() - before
    return first, statistics.median(polls), full, FolderScan(str(folder)).looked_at()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    args = parser.parse_args()
    over = False
    print(f"{args.files:,} files; a poll every {POLL_SECONDS} s looks at up to {CHECKS_PER_REFRESH:,} entries")
    for name, (folders, suffix) in SHAPES.items():
        with tempfile.TemporaryDirectory(prefix="cyclemap-watch-") as temporary:
            folder = Path(temporary)
            make(folder, args.files, folders, suffix)
            first, poll, full, entries = measure(folder)
        share = poll / POLL_SECONDS
        rounds = max(1, -(-entries // CHECKS_PER_REFRESH)) * POLL_SECONDS
        over = over or share > TARGET
        print(f"{name:44} first scan {first:5.2f} s | poll at rest {poll * 1000:6.2f} ms cpu = {share:6.1%} "
              f"of a core (target <= {TARGET:.0%}) | every entry seen within {rounds:5.1f} s | "
              f"listing it all again {full * 1000:7.1f} ms cpu")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
