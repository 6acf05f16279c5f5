"""Is validating a map at most 1.5x the cost of plain `yaml.load` with libyaml?

    .venv/bin/python bench/bench_validate.py            # 10,000 activities, best of 3
    .venv/bin/python bench/bench_validate.py --size 2000 --no-fallback

Generates a synthetic map (bench/generate.py) in a temporary folder, times
`yaml.load(f, Loader=yaml.CSafeLoader)` and `cyclemap.loader.load_map` on the
same file, prints both and their ratio, and exits 1 when the ratio is over the
target. The pure-Python fallback (no libyaml) is timed once, for information.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

from cyclemap import yaml_reader
from cyclemap.loader import load_map

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate  # a sibling script, not a package
from timing import best_of, yaml_load

TARGET = 1.5
"""Most that validating may cost, as a multiple of `yaml.load` with CSafeLoader."""


def fallback_seconds(path: Path) -> tuple[float, float]:
    """One run each of PyYAML's pure-Python SafeLoader and of cyclemap using the pure-Python parser."""
    plain = best_of(1, lambda: yaml_load(path, yaml.SafeLoader))
    fast_loader = yaml_reader._Loader
    yaml_reader._Loader = yaml.SafeLoader  # type: ignore[misc]
    try:
        ours = best_of(1, lambda: load_map(str(path)))
    finally:
        yaml_reader._Loader = fast_loader  # type: ignore[misc]
    return plain, ours


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=10_000, help="activities in the map (default 10,000)")
    parser.add_argument("--runs", type=int, default=3, help="timings per figure; the best counts (default 3)")
    parser.add_argument("--no-fallback", action="store_true", help="skip timing the pure-Python fallback")
    args = parser.parse_args()
    if not yaml.__with_libyaml__:
        print("PyYAML is built without libyaml: nothing to compare against", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "map.yaml"
        path.write_text(generate(args.size), encoding="utf-8")
        print(f"map: {args.size:,} activities, {path.stat().st_size / 1e6:.1f} MB")
        baseline = best_of(args.runs, lambda: yaml_load(path, yaml.CSafeLoader))
        ours = best_of(args.runs, lambda: load_map(str(path)))
        ratio = ours / baseline
        print(f"yaml.load (CSafeLoader):    {baseline:6.3f} s")
        print(f"cyclemap load_map:          {ours:6.3f} s")
        print(f"ratio: {ratio:.2f}x (target: at most {TARGET}x) -> {'ok' if ratio <= TARGET else 'TOO SLOW'}")
        if not args.no_fallback:
            plain, slow = fallback_seconds(path)
            print(f"pure Python, for information: yaml.load (SafeLoader) {plain:.2f} s, cyclemap {slow:.2f} s")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
