"""No command writes over a file the map reads: not through standard output, not from another map of the run.

`cyclemap gaps map.yaml >> map.yaml` would append the table to the map; `render a.yaml b.yaml -o out/`
could replace a file that b.yaml includes with a's diagram before b.yaml is read. Both are refused
with a usage error before anything is written.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cyclemap.exit_codes import EXIT_OK, EXIT_USAGE

REPO = Path(__file__).resolve().parent.parent
SPLIT = REPO / "examples" / "split"
HEAD = "cyclemap: 1\ntitle: T\ncustomer: C\noutcome: O\n"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="shell-style redirection of standard output")


@pytest.fixture
def split(tmp_path: Path) -> Path:
    """A copy of the split example: bike-share.yaml including parts/joining.yaml and parts/riding.yaml."""
    shutil.copytree(SPLIT, tmp_path / "split")
    return tmp_path / "split"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_into(args: list[str], cwd: Path, out: Path, mode: str = "ab") -> subprocess.CompletedProcess[bytes]:
    """`cyclemap ARGS >> out` (or `> out` with mode 'wb'), run from `cwd`."""
    with out.open(mode) as stdout:
        return subprocess.run([sys.executable, "-m", "cyclemap", *args], cwd=cwd, stdout=stdout,
                              stderr=subprocess.PIPE, timeout=120, check=False)


PRINTING = {
    "gaps-table": ["gaps", "bike-share.yaml"],
    "gaps-json": ["gaps", "bike-share.yaml", "-f", "json"],
    "gaps-github": ["gaps", "bike-share.yaml", "-f", "github"],
    "validate": ["validate", "bike-share.yaml"],
    "validate-json": ["validate", "bike-share.yaml", "-f", "json"],
    "diff": ["diff", "bike-share.yaml", "bike-share.yaml"],
    "diff-json": ["diff", "bike-share.yaml", "bike-share.yaml", "-f", "json"],
    "report": ["report", "bike-share.yaml"],
    "render-mermaid": ["render", "bike-share.yaml", "-f", "mermaid", "-o", "-"],
}


@pytest.mark.parametrize("args", PRINTING.values(), ids=list(PRINTING))
@pytest.mark.parametrize("into", ["bike-share.yaml", "parts/riding.yaml"], ids=["map", "included-part"])
def test_printing_into_a_file_the_map_reads_is_refused_and_nothing_is_written(
    args: list[str], into: str, split: Path
) -> None:
    """`cyclemap CMD map.yaml >> map.yaml` (or an included part): usage error naming the file, no byte appended."""
    before = snapshot(split)
    done = run_into(args, split, split / into)
    assert done.returncode == EXIT_USAGE, done.stderr
    err = done.stderr.decode()
    assert f"standard output leads to {into}, which the map reads" in err
    assert "refusing to write over it (nothing was written)" in err
    assert "Traceback" not in err
    assert snapshot(split) == before


def test_problems_of_a_map_truncated_by_its_own_redirection_are_not_written_into_it(split: Path) -> None:
    """`validate map.yaml > map.yaml` empties the map first (the shell does); its problems are not written into it."""
    done = run_into(["validate", "bike-share.yaml"], split, split / "bike-share.yaml", mode="wb")
    assert done.returncode == EXIT_USAGE, done.stderr
    assert b"standard output leads to bike-share.yaml" in done.stderr
    assert (split / "bike-share.yaml").read_bytes() == b""


def test_printing_into_another_file_still_works(split: Path) -> None:
    """Standard output to a file the map does not read gets the output as before."""
    done = run_into(["gaps", "bike-share.yaml", "-f", "json"], split, split / "gaps.json", mode="wb")
    assert done.returncode == EXIT_OK, done.stderr
    assert (split / "gaps.json").read_text(encoding="utf-8").startswith("{")


# -- several maps in one render --------------------------------------------------------------------------------


def a_map(pre: str) -> str:
    return HEAD + f"phases:\n  pre: {{activities: {pre}}}\n  during: {{activities: []}}\n  post: {{activities: []}}\n"


@pytest.mark.parametrize("order", [("a.yaml", "b.yaml"), ("b.yaml", "a.yaml")], ids=["writer-first", "reader-first"])
def test_an_output_of_one_map_over_an_include_of_another_is_refused_before_anything_is_written(
    order: tuple[str, str], tmp_path: Path
) -> None:
    """`render a.yaml b.yaml -o out/` where b.yaml includes out/a.mmd: usage error, out/a.mmd and out/ unchanged."""
    (tmp_path / "out").mkdir()
    (tmp_path / "a.yaml").write_text(a_map("[{name: Choose}]"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(a_map("[{include: out/a.mmd}]"), encoding="utf-8")
    (tmp_path / "out" / "a.mmd").write_text("- name: Included from b\n", encoding="utf-8")
    before = snapshot(tmp_path)
    done = subprocess.run([sys.executable, "-m", "cyclemap", "render", *order, "-o", "out/", "-f", "mermaid"],
                          cwd=tmp_path, capture_output=True, timeout=120, check=False)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert b"out/a.mmd: the map reads this file; refusing to write over it (nothing was written)" in done.stderr
    assert snapshot(tmp_path) == before


def test_several_maps_with_separate_files_are_all_drawn(tmp_path: Path) -> None:
    """Maps whose outputs replace nothing they read are each drawn, as before."""
    (tmp_path / "out").mkdir()
    (tmp_path / "a.yaml").write_text(a_map("[{name: Choose}]"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(a_map("[{name: Buy}]"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "cyclemap", "render", "a.yaml", "b.yaml", "-o", "out/", "-f",
                           "mermaid"], cwd=tmp_path, capture_output=True, timeout=120, check=False)
    assert done.returncode == EXIT_OK, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.mmd", "b.mmd"]


STDERR_CASES = {
    "both-into-an-invalid-map": (["validate", "bad.yaml"], "bad.yaml", True, 2),
    "gaps-errors-into-the-invalid-map": (["gaps", "bad.yaml"], "bad.yaml", False, 4),
    "report-message-into-an-included-part": (["report", "bike-share.yaml", "-o", "out.md"], "parts/riding.yaml",
                                             False, 0),
    "render-messages-into-the-map": (["render", "bike-share.yaml", "-f", "dot", "-o", "out.dot"], "bike-share.yaml",
                                     False, 0),
}


@pytest.mark.parametrize(("args", "into", "both", "code"), STDERR_CASES.values(), ids=list(STDERR_CASES))
def test_messages_on_standard_error_never_go_into_a_file_the_map_reads(
    args: list[str], into: str, both: bool, code: int, split: Path
) -> None:
    """`validate bad.yaml >> bad.yaml 2>&1`: the exit code says it; nothing is appended to the map."""
    (split / "bad.yaml").write_text("cyclemap: 1\ntitle: T\n", encoding="utf-8")
    before = snapshot(split)
    with (split / into).open("ab") as err:
        done = subprocess.run([sys.executable, "-m", "cyclemap", *args], cwd=split, stdout=err if both else None,
                              stderr=err, timeout=120, check=False)
    assert done.returncode == code
    after = snapshot(split)
    after.pop("out.dot", None)
    after.pop("out.md", None)
    assert after == before
