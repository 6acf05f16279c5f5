"""Benchmark: scoring a survey of 100,000 respondents x 100 activities (issue 11).

    python bench/bench_survey.py                       # 100,000 x 100, best of 3
    python bench/bench_survey.py --respondents 20000 --activities 50 --repeat 5

Writes a map and a seeded response file (4 segments, about 5% of cells blank)
to a temporary folder, then times `load_map_survey`: one streaming pass over
the CSV into integer tallies and the scores per activity and view. Target:
under 3 s on a 2-core machine (wall time, or CPU time when other work
shares the machine). Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from cyclemap.loader import load_map
from cyclemap.survey.views import load_map_survey

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import best_of

TARGET_SECONDS = 3.0
SEGMENTS = ("first-time", "upgraders", "renters", "landlords")


def write_inputs(folder: Path, respondents: int, activities: int, seed: int = 11) -> Path:
    """A map with `activities` activities and 4 segments, and its survey of `respondents` rows; the map's path."""
    ids = [f"activity-{n:03d}" for n in range(activities)]
    lines = ["cyclemap: 1", "title: Survey benchmark", "customer: Everyone", "outcome: Fast scores", "segments:"]
    lines += [f"  - id: {s}\n    name: {s.title()}" for s in SEGMENTS]
    lines += ["survey:", "  file: responses.csv", "  segment_column: segment", "phases:", "  pre:", "    activities:"]
    lines += [f"      - name: Activity {n}\n        id: {i}" for n, i in enumerate(ids)]
    lines += ["  during:", "    activities: []", "  post:", "    activities: []"]
    path = folder / "map.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rng = random.Random(seed)
    points = ["1", "2", "3", "4", "5", "4", "5", ""] + [str(rng.randint(1, 5)) for _ in range(12)]
    header = ["respondent", "segment", *(f"{i}.{q}" for i in ids for q in ("importance", "satisfaction"))]
    with (folder / "responses.csv").open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(header) + "\n")
        for number in range(respondents):
            cells = rng.choices(points, k=2 * activities)
            out.write(f"r{number},{SEGMENTS[number % len(SEGMENTS)]},{','.join(cells)}\n")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_inputs(Path(tmp), args.respondents, args.activities)
        size = (Path(tmp) / "responses.csv").stat().st_size
        cmap = load_map(str(path))
        seconds = best_of(args.repeat, lambda: load_map_survey(cmap, str(path)))
        cpu = time.process_time()
        results = load_map_survey(cmap, str(path))
        cpu = time.process_time() - cpu
    assert results is not None  # noqa: S101 - write_inputs writes a map with a survey
    cells = args.respondents * args.activities * 2
    print(f"survey of {args.respondents:,} respondents x {args.activities} activities ({cells:,} cells, "
          f"{size / 1e6:.1f} MB): scored in {seconds:.2f} s (best of {args.repeat}), "
          f"{cells / seconds / 1e6:.1f} M cells/s; {len(results.scores):,} activities x "
          f"{len(results.respondents)} views; CPU time of one run {cpu:.2f} s; target < {TARGET_SECONDS:g} s "
          "(wall time; a busy machine shows in it, CPU time less so)")
    return 0 if min(seconds, cpu) < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
