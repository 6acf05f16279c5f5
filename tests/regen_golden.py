"""Regenerate the golden files under tests/golden/ from the current code.

    python tests/regen_golden.py            # rewrite every golden file
    python tests/regen_golden.py gaps/      # only those whose name starts with gaps/

A golden file is reviewed expected output: read the diff before committing it.
`GOLDEN` maps each file name (relative to tests/golden/) to the function that
produces its text, so adding a golden file is adding an entry.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "golden"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def cli_output(*args: str, exit_code: int = 0) -> str:
    """What `cyclemap ARGS` prints, run in-process from the repository root."""
    out = io.StringIO()
    _run_from_root(args, out, exit_code)
    return out.getvalue()


def _run_from_root(args: tuple[str, ...], out: TextIO, exit_code: int) -> None:
    """Run `cyclemap ARGS` from the repository root with standard output sent to `out`."""
    from cyclemap.cli import main  # noqa: PLC0415 - the package loads only when a file is generated

    code: object = None
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out):
        try:
            main(list(args))
        except SystemExit as done:
            code = done.code
    if code != exit_code:
        raise RuntimeError(f"cyclemap {' '.join(args)} exited with {code}, expected {exit_code}")


def gaps_json(example: Path) -> Callable[[], str]:
    """`cyclemap gaps examples/NAME.yaml -f json`."""
    return lambda: cli_output("gaps", example.relative_to(ROOT).as_posix(), "--format", "json")


SEGMENTS_EXAMPLE = "examples/rooftop-solar-segments.yaml"
SEGMENT_GOLDEN = {
    "segments/rooftop-solar-segments-upgraders.json": ("--segment", "upgraders"),
    "segments/rooftop-solar-segments-by-segment.json": ("--by-segment",),
}
"""`cyclemap gaps examples/rooftop-solar-segments.yaml OPTIONS -f json` per golden file (issue 11)."""


def segment_gaps_json(*options: str) -> Callable[[], str]:
    """`cyclemap gaps examples/rooftop-solar-segments.yaml OPTIONS -f json`."""
    return lambda: cli_output("gaps", SEGMENTS_EXAMPLE, *options, "--format", "json")


def rendered(example: Path, *options: str) -> Callable[[], str]:
    """`cyclemap render examples/NAME.yaml OPTIONS -o -`: DOT or Mermaid text, as written to standard output."""
    return lambda: written_output("render", example.relative_to(ROOT).as_posix(), *options, "-o", "-")


def report_page(example: Path) -> Callable[[], str]:
    """`cyclemap report examples/NAME.yaml`: the Markdown page, as written to standard output."""
    return lambda: written_output("report", example.relative_to(ROOT).as_posix())


def written_output(*args: str) -> str:
    """What `cyclemap ARGS` writes through `write_output` (to stdout.buffer), run from the repository root."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n")
    _run_from_root(args, out, 0)
    out.flush()
    return out.buffer.getvalue().decode("utf-8")


GOLDEN: dict[str, Callable[[], str]] = {
    **{f"gaps/{example.stem}.json": gaps_json(example) for example in EXAMPLES},
    **{
        f"dot/{example.stem}-{layout}.dot": rendered(example, "-f", "dot", "--layout", layout)
        for example in EXAMPLES
        for layout in ("cycle", "flow")
    },
    **{f"mermaid/{example.stem}.mmd": rendered(example, "-f", "mermaid") for example in EXAMPLES},
    "report/home-solar.md": report_page(ROOT / "examples" / "home-solar.yaml"),
    "report/rooftop-solar-segments.md": report_page(ROOT / SEGMENTS_EXAMPLE),
    **{name: segment_gaps_json(*options) for name, options in SEGMENT_GOLDEN.items()},
}


def main(prefixes: list[str]) -> int:
    for name, generate in sorted(GOLDEN.items()):
        if name.startswith(tuple(prefixes or [""])):
            path = GOLDEN_DIR / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(generate(), encoding="utf-8", newline="\n")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
