"""Is validating a map at most 1.5x the cost of plain `yaml.load` with libyaml? And memory at 100,000?

    .venv/bin/python bench/bench_validate.py            # 10,000 activities, best of 3
    .venv/bin/python bench/bench_validate.py --size 2000 --no-fallback
    .venv/bin/python bench/bench_validate.py --no-fallback --peak-size 100000   # and each command's memory

Generates a synthetic map (bench/generate.py) in a temporary folder, times
`yaml.load(f, Loader=yaml.CSafeLoader)` and `cyclemap.loader.load_map` on the
same file, prints both and their ratio, and exits 1 when the ratio is over the
target. The pure-Python fallback (no libyaml) is timed once, for information.

With `--peak-size N`, every command that loads a map (validate, gaps in every
format, render -f dot and -f svg in both layouts and -f mermaid, diff, report, workshop) runs
once as a process on a lean map of N activities (bench/generate.py --shape
lean), measured alone (`os.wait4`): seconds, CPU seconds (children included)
and peak memory, against issue 10's goal of 600 MB at 100,000 activities. The
peak is the larger of the biggest single process and the sum of the command
and its running children (Graphviz), sampled. `workshop` refuses maps over
MAX_PACK_ACTIVITIES, so it runs on a map of the default shape with at most that
many activities (the largest it accepts); render -f svg likewise on at most
cyclemap.render.MAX_DRAWN activities. `--peak-commands` picks some (e.g.
`validate diff`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

from cyclemap import yaml_reader
from cyclemap.exit_codes import EXIT_FOUND, EXIT_OK
from cyclemap.loader import load_map
from cyclemap.render import MAX_DRAWN
from cyclemap.workshop.pack import MAX_PACK_ACTIVITIES

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate  # a sibling script, not a package
from peak import run_measured
from timing import best_of, yaml_load

TARGET = 1.5
"""Most that validating may cost, as a multiple of `yaml.load` with CSafeLoader."""
PEAK_TARGET_MB = 600
"""Most memory any command may take on the --peak-size map."""
COMMANDS = {
    "validate": ["validate", "{map}"],
    "gaps": ["gaps", "{map}"],
    "gaps-json": ["gaps", "{map}", "-f", "json"],
    "gaps-markdown": ["gaps", "{map}", "-f", "markdown"],
    "gaps-csv": ["gaps", "{map}", "-f", "csv"],
    "gaps-github": ["gaps", "{map}", "-f", "github"],
    "render-dot-flow": ["render", "{map}", "-f", "dot", "-l", "flow", "-o", "{out}.dot", "--timeout", "3600"],
    "render-dot": ["render", "{map}", "-f", "dot", "-o", "{out}.dot", "--timeout", "3600"],
    "render-mermaid": ["render", "{map}", "-f", "mermaid", "-o", "{out}.mmd"],
    "render-svg-flow": ["render", "{draw_map}", "-f", "svg", "-l", "flow", "-o", "{out}.svg", "--timeout", "3600"],
    "render-svg": ["render", "{draw_map}", "-f", "svg", "-o", "{out}.svg", "--timeout", "3600"],
    "diff": ["diff", "{map}", "{changed}"],
    "report": ["report", "{map}", "-o", "{out}.md"],
    "workshop": ["workshop", "{pack_map}", "-o", "{out}.pdf", "-q", "--date", "2026-01-01", "--timeout", "3600"],
}
"""Each command measured by --peak-size, with the map, a changed copy of it, the largest map a workshop
pack takes and an output path."""


def peak_check(size: int, names: list[str]) -> bool:
    """Run each command once as a process and print its time and peak memory; True when all are under the goal."""
    missed = []
    with tempfile.TemporaryDirectory() as folder:
        path, changed = Path(folder) / "map.yaml", Path(folder) / "changed.yaml"
        pack_map = Path(folder) / "pack-map.yaml"
        text = generate(size, shape="lean")
        path.write_text(text, encoding="utf-8")
        changed.write_text(text.replace("importance: 3\n", "importance: 4\n"), encoding="utf-8")
        print(f"\nmap: {size:,} activities (lean), {path.stat().st_size / 1e6:.1f} MB; one process run each")
        if "workshop" in names:
            pack_size = min(size, MAX_PACK_ACTIVITIES)
            pack_map.write_text(generate(pack_size), encoding="utf-8")
            print(f"workshop: {pack_size:,} activities (tree shape), the most a pack takes is {MAX_PACK_ACTIVITIES:,}")
        draw_map = path
        if size > MAX_DRAWN and {"render-svg", "render-svg-flow"} & set(names):
            draw_map = Path(folder) / "draw-map.yaml"
            draw_map.write_text(generate(MAX_DRAWN, shape="lean"), encoding="utf-8")
            print(f"render-svg: {MAX_DRAWN:,} activities (lean), the most a picture drawn by Graphviz shows")
        print(f"{'command':<16}  {'seconds':>8}  {'cpu s':>7}  {'peak MB':>8}  {'+children':>9}")
        for name in names:
            words = [w.format(map=path, changed=changed, pack_map=pack_map, draw_map=draw_map, out=Path(folder) / name)
                     for w in COMMANDS[name]]
            run = run_measured([sys.executable, "-m", "cyclemap", *words])
            print(f"{name:<16}  {run.seconds:8.2f}  {run.cpu:7.2f}  {run.peak_mb:8.0f}  {run.tree_peak_mb:9.0f}")
            if run.worst_mb > PEAK_TARGET_MB or run.status not in (EXIT_OK, EXIT_FOUND):
                missed.append(f"{name}: peak {run.worst_mb:.0f} MB, exit {run.status}")
    print(f"goal: every command under {PEAK_TARGET_MB} MB -> {'met' if not missed else 'MISSED'}")
    for line in missed:
        print(f"  {line}")
    return not missed


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
    parser.add_argument("--peak-size", type=int, help="also run every command on a lean map of this many activities")
    parser.add_argument("--peak-commands", nargs="+", choices=list(COMMANDS), default=list(COMMANDS),
                        help="the commands to measure with --peak-size (default: all)")
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
    peaks_ok = peak_check(args.peak_size, args.peak_commands) if args.peak_size else True
    return 0 if ratio <= TARGET and peaks_ok else 1


if __name__ == "__main__":
    sys.exit(main())
