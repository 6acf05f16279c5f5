"""Inputs are read safely and never written over.

- No command writes over a file the map reads (the map, its included files),
  whatever the output is called: the same path spelled differently, a hard
  link, a symbolic link to it or through a linked folder, standard output
  appended to it, or the file standard input was read from.
- Included files are opened one folder at a time without following links
  blindly, so a folder swapped for a link while the map is read cannot lead
  outside the map's folder; links that stay inside still work.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from cyclemap import sources
from cyclemap.exit_codes import EXIT_USAGE
from cyclemap.loader import load_map
from cyclemap.problems import MapError

REPO = Path(__file__).resolve().parent.parent
SPLIT = REPO / "examples" / "split"
HEAD = "cyclemap: 1\ntitle: T\ncustomer: C\noutcome: O\n"

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="needs POSIX links")


def a_map(pre: str = "[]") -> str:
    return HEAD + f"phases:\n  pre: {{activities: {pre}}}\n  during: {{activities: []}}\n  post: {{activities: []}}\n"


@pytest.fixture
def split(tmp_path: Path) -> Path:
    """A copy of the split example: bike-share.yaml including parts/joining.yaml and parts/riding.yaml."""
    shutil.copytree(SPLIT, tmp_path / "split")
    return tmp_path / "split"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- no output over an input ---------------------------------------------------------------------------------


SPELLINGS: dict[str, Callable[[Path], str]] = {
    "the-path-itself": lambda d: "parts/riding.yaml",
    "dot-dot-and-dot": lambda d: "parts/../parts/./riding.yaml",
    "absolute": lambda d: str(d / "parts" / "riding.yaml"),
    "symlink-to-it": lambda d: (d / "out.mmd").symlink_to("parts/riding.yaml") or "out.mmd",
    "hard-link": lambda d: os.link(d / "parts" / "riding.yaml", d / "out.mmd") or "out.mmd",
    "through-a-linked-folder": lambda d: (d / "alias").symlink_to("parts") or "alias/riding.yaml",
}


@pytest.mark.parametrize("spelling", SPELLINGS, ids=list(SPELLINGS))
@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("render", "bike-share.yaml", "-f", "mermaid", "-o"), id="render"),
        pytest.param(("report", "bike-share.yaml", "-o"), id="report"),
    ],
)
def test_output_over_an_included_file_is_refused_and_nothing_is_written(
    command: tuple[str, ...], spelling: str, split: Path, cli, monkeypatch
) -> None:
    """render/report -o naming an included part, under any name or link: usage error naming both, files untouched."""
    monkeypatch.chdir(split)
    target = SPELLINGS[spelling](split)
    before = snapshot(split)
    result = cli(*command, target)
    assert result.code == EXIT_USAGE, result.err
    assert f"cyclemap: error: {target}: " in result.err
    assert "refusing to write over it (nothing was written)" in result.err
    if os.path.normpath(target) != os.path.normpath("parts/riding.yaml") and not Path(target).is_absolute():
        assert "this is parts/riding.yaml under another name or through a link" in result.err
    assert snapshot(split) == before
    assert "Traceback" not in result.err


def test_workshop_over_an_included_file_is_refused(split: Path, cli, monkeypatch) -> None:
    """workshop -o naming an included part (through a symlink) exits with a usage error; the part is unchanged."""
    monkeypatch.chdir(split)
    (split / "pack.pdf").symlink_to("parts/joining.yaml")
    before = snapshot(split)
    result = cli("workshop", "bike-share.yaml", "-o", "pack.pdf", "--sections", "cover")
    assert result.code == EXIT_USAGE, result.err
    assert "pack.pdf: this is parts/joining.yaml under another name or through a link" in result.err
    assert snapshot(split) == before


def test_render_update_does_not_replace_an_included_file_behind_a_diagram(split: Path, cli, monkeypatch) -> None:
    """render --update refuses a 'diagram' that is a link to an included part, and leaves the part alone."""
    monkeypatch.chdir(split)
    (split / "bike-share.mmd").symlink_to("parts/riding.yaml")
    before = snapshot(split)
    result = cli("render", "--update", "bike-share.yaml")
    assert result.code == EXIT_USAGE, result.err
    assert "bike-share.mmd: this is parts/riding.yaml under another name or through a link" in result.err
    assert snapshot(split) == before


def test_outputs_elsewhere_are_still_written(split: Path, cli, monkeypatch) -> None:
    """An output beside the parts (not one of them) is written as before."""
    monkeypatch.chdir(split)
    assert cli("render", "bike-share.yaml", "-f", "mermaid", "-o", "parts/diagram.mmd").code == 0
    assert (split / "parts" / "diagram.mmd").read_text(encoding="utf-8").startswith("---\ntitle:")


def run(args: list[str], cwd: Path, **streams: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "cyclemap", *args], cwd=cwd, capture_output="stdout" not in streams,
                          timeout=60, check=False, **streams)  # type: ignore[call-overload]


def test_standard_output_appended_to_an_included_file_is_refused(split: Path) -> None:
    """`report map.yaml >> parts/riding.yaml` would append to a part the map reads: refused, nothing appended."""
    before = snapshot(split)
    with (split / "parts" / "riding.yaml").open("ab") as out:
        done = run(["report", "bike-share.yaml"], split, stdout=out, stderr=subprocess.PIPE)
    assert done.returncode == EXIT_USAGE
    assert b"standard output leads to parts/riding.yaml, which the map reads" in done.stderr
    assert snapshot(split) == before


def test_output_over_the_file_standard_input_was_read_from_is_refused(tmp_path: Path) -> None:
    """`render - -o map.mmd < map.mmd`: the file behind standard input is an input too."""
    source = tmp_path / "map.mmd"
    source.write_text(a_map("[{name: Choose}]"), encoding="utf-8")
    with source.open("rb") as stdin:
        done = run(["render", "-", "-f", "mermaid", "-o", "map.mmd"], tmp_path, stdin=stdin)
    assert done.returncode == EXIT_USAGE
    assert b"map.mmd: this is standard input under another name" in done.stderr
    assert source.read_text(encoding="utf-8") == a_map("[{name: Choose}]")


# -- includes read under races ------------------------------------------------------------------------------------


@pytest.fixture
def racy(tmp_path: Path) -> Path:
    """map/ including parts/x.yaml, and outside/x.yaml: a file the map must never read."""
    (tmp_path / "map" / "parts").mkdir(parents=True)
    (tmp_path / "map" / "parts" / "x.yaml").write_text("- name: Inside\n", encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.yaml").write_text("- name: Secret outside\n", encoding="utf-8")
    (tmp_path / "map" / "map.yaml").write_text(a_map("[{include: parts/x.yaml}]"), encoding="utf-8")
    return tmp_path


def swap_for_link(base: Path) -> None:
    """Replace map/parts by a link to outside/ (as an attacker sharing the folder could)."""
    parts = base / "map" / "parts"
    parts.rename(base / "map" / "parts-moved")
    parts.symlink_to(base / "outside", target_is_directory=True)


def test_folder_swapped_for_a_link_while_opening_never_leads_outside(racy: Path, monkeypatch) -> None:
    """A folder replaced by a link to outside just before the include is opened: refused at the include, not read."""
    real_open = os.open
    swapped = []

    def open_after_swapping(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not swapped and Path(os.fsdecode(path)).name in ("parts", "x.yaml"):
            swap_for_link(racy)  # after the path was checked, before it is opened
            swapped.append(path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_after_swapping)
    with pytest.raises(MapError) as caught:
        load_map(str(racy / "map" / "map.yaml"))
    monkeypatch.undo()
    assert swapped
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.col) == (str(racy / "map" / "map.yaml"), 6, 32)
    assert "it leads outside the map's folder through a symbolic link" in problem.message


def test_folders_swapped_back_and_forth_never_let_an_outside_file_in(racy: Path) -> None:
    """Loads racing a folder that keeps turning into a link: each reads the inside file or is refused cleanly."""
    stop = threading.Event()
    parts, moved = racy / "map" / "parts", racy / "map" / "parts-real"
    link = racy / "map" / "parts-link"
    link.symlink_to(racy / "outside", target_is_directory=True)

    def flip() -> None:
        while not stop.is_set():
            parts.rename(moved)
            link.rename(parts)  # parts is now the link to outside
            parts.rename(link)
            moved.rename(parts)

    flipper = threading.Thread(target=flip)
    flipper.start()
    seen: dict[str, int] = {}
    try:
        for _ in range(200):
            try:
                names = [v.activity.name for v in load_map(str(racy / "map" / "map.yaml")).walk()]
                key = ",".join(names)
            except MapError as err:
                [problem] = err.problems
                assert (problem.line, problem.col) == (6, 32)
                key = problem.message.split(": ", 1)[1].split(";")[0]
            seen[key] = seen.get(key, 0) + 1
    finally:
        stop.set()
        flipper.join()
    assert "Secret outside" not in seen
    assert set(seen) <= {"Inside", "it leads outside the map's folder through a symbolic link",
                         "there is no such file"}, seen


def test_links_that_stay_inside_the_folder_are_followed(tmp_path: Path) -> None:
    """A linked folder, a relative link climbing back in, and an absolute link inside: all read as the file."""
    (tmp_path / "parts").mkdir()
    for n in (1, 2, 3):
        (tmp_path / "parts" / f"step{n}.yaml").write_text(f"- name: Step {n}\n", encoding="utf-8")
    (tmp_path / "shared").symlink_to("parts", target_is_directory=True)
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "up.yaml").symlink_to("../../shared/step2.yaml")
    (tmp_path / "abs.yaml").symlink_to(tmp_path / "shared" / "step3.yaml")
    (tmp_path / "map.yaml").write_text(
        a_map("[{include: shared/step1.yaml}, {include: deep/er/up.yaml}, {include: abs.yaml}]"), encoding="utf-8"
    )
    cmap = load_map(str(tmp_path / "map.yaml"))
    assert [v.activity.name for v in cmap.walk()] == ["Step 1", "Step 2", "Step 3"]


def test_a_loop_of_links_is_refused_cleanly(tmp_path: Path) -> None:
    """Links pointing at each other give a located problem, not a hang or a traceback."""
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    (tmp_path / "map.yaml").write_text(a_map("[{include: a/x.yaml}]"), encoding="utf-8")
    with pytest.raises(MapError) as caught:
        load_map(str(tmp_path / "map.yaml"))
    [problem] = caught.value.problems
    assert "symbolic links" in problem.message
    assert (problem.line, problem.col) == (6, 32)


def test_without_folder_descriptors_links_are_still_checked(tmp_path: Path, monkeypatch) -> None:
    """Where folders cannot be opened as descriptors (Windows), a link inside is followed and one outside refused."""
    monkeypatch.setattr(sources, "_WALK_BENEATH", False)
    (tmp_path / "map" / "parts").mkdir(parents=True)
    (tmp_path / "map" / "parts" / "pre.yaml").write_text("- name: Inside\n", encoding="utf-8")
    (tmp_path / "map" / "shared").symlink_to("parts", target_is_directory=True)
    (tmp_path / "secret.yaml").write_text("- name: Secret outside\n", encoding="utf-8")
    (tmp_path / "map" / "out.yaml").symlink_to(tmp_path / "secret.yaml")
    (tmp_path / "map" / "map.yaml").write_text(a_map("[{include: shared/pre.yaml}, {include: out.yaml}]"),
                                               encoding="utf-8")
    with pytest.raises(MapError) as caught:
        load_map(str(tmp_path / "map" / "map.yaml"))
    [problem] = caught.value.problems
    assert "cannot include 'out.yaml'" in problem.message
    assert "it leads outside the map's folder through a symbolic link" in problem.message
