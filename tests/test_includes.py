"""Maps split across files with `include:` items.

The messages for each kind of bad include are regression cases under
tests/cases/ (folders named include-*); this file covers what needs a real
file system (symlinks, FIFOs, devices), the limits, the reporters, other
sources than the disk, and that a split map reads exactly like one file.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from cyclemap import loader, yaml_reader
from cyclemap.exit_codes import EXIT_INVALID
from cyclemap.loader import load_bytes, load_from, load_map
from cyclemap.problems import MapError, Place, Problem
from cyclemap.schema import schema_text
from cyclemap.sources import DiskFiles, IncludeRefused, include_path

REPO = Path(__file__).resolve().parent.parent
SPLIT = REPO / "examples" / "split"
ROOT_NAME = "bike-share.yaml"

HEAD = "cyclemap: 1\ntitle: T\ncustomer: C\noutcome: O\n"


def a_map(pre: str = "[]", during: str = "[]", post: str = "[]") -> str:
    """A map whose phases' activities are the given YAML flow lists."""
    phases = f"  pre: {{activities: {pre}}}\n  during: {{activities: {during}}}\n  post: {{activities: {post}}}\n"
    return HEAD + "phases:\n" + phases


@pytest.fixture
def folder(tmp_path: Path) -> Callable[..., Path]:
    """Write files (name -> text) into a map folder and return the folder."""

    def write(**files: str) -> Path:
        for name, text in files.items():
            path = tmp_path / name.replace("__", "/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return tmp_path

    return write


def problems_of(path: Path | str) -> list[Problem]:
    with pytest.raises(MapError) as caught:
        load_map(str(path))
    return caught.value.problems


def inline(path: Path) -> Any:
    """The map at `path` with every include replaced by its file's activities (read with PyYAML, not cyclemap)."""

    def expand(items: list[Any], here: Path) -> list[Any]:
        out = []
        for item in items:
            if isinstance(item, dict) and "include" in item:
                target = here.parent / item["include"]
                part = yaml.safe_load(target.read_text(encoding="utf-8"))
                out.extend(expand(part["activities"] if isinstance(part, dict) else part, target))
            else:
                if "subcycle" in item:
                    item["subcycle"] = expand(item["subcycle"], here)
                out.append(item)
        return out

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for phase in data["phases"].values():
        phase["activities"] = expand(phase["activities"], path)
    return data


# -- a split map is the same map ------------------------------------------------


@pytest.fixture
def inlined(tmp_path: Path) -> Path:
    """The split example written as one file, under the same name, in a folder of its own."""
    text = yaml.safe_dump(inline(SPLIT / ROOT_NAME), sort_keys=False, allow_unicode=True)
    assert "include" not in text
    (tmp_path / ROOT_NAME).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("gaps", "-f", "json"), id="gaps-json"),
        pytest.param(("gaps", "-f", "csv"), id="gaps-csv"),
        pytest.param(("render", "-f", "dot", "-o", "-"), id="render-dot-cycle"),
        pytest.param(("render", "-f", "dot", "--layout", "flow", "-o", "-"), id="render-dot-flow"),
        pytest.param(("render", "-f", "mermaid", "-o", "-"), id="render-mermaid"),
    ],
)
def test_split_example_gives_the_same_output_as_the_same_map_in_one_file(
    args: tuple[str, ...], inlined: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gaps and render print exactly the same for the split example and for its parts pasted into one file."""
    command, *options = args
    monkeypatch.chdir(SPLIT)
    split = cli(command, ROOT_NAME, *options)
    monkeypatch.chdir(inlined)
    single = cli(command, ROOT_NAME, *options)
    assert (split.code, split.err) == (0, "")
    assert split.out == single.out
    assert "park-at-a-dock-near-the-office" in split.out or "Park at a dock" in split.out


def test_split_example_is_valid_and_holds_the_activities_of_its_parts(cli) -> None:
    """validate reads the three files of the example as one map of 13 activities."""
    result = cli("validate", str(SPLIT / ROOT_NAME))
    assert result.code == 0, result.out
    assert "13 activities" in result.out
    ids = [v.activity.id for v in load_map(str(SPLIT / ROOT_NAME)).walk()]
    assert ids[:6] == [
        "work-out-whether-the-bike-suits-the-commute",
        "become-a-member",
        "sign-up-in-the-app",
        "choose-a-plan",
        "get-an-employer-to-pay",
        "find-a-bike-with-enough-charge",
    ]


def test_schema_accepts_include_items_and_only_them() -> None:
    """Editors using the schema accept the split example's include items, but not other keys beside 'include'."""
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(schema_text()))
    data = yaml.safe_load((SPLIT / ROOT_NAME).read_text(encoding="utf-8"))
    assert list(validator.iter_errors(data)) == []
    data["phases"]["during"]["activities"][0]["name"] = "Next to include"
    assert list(validator.iter_errors(data))


# -- problems in included files, as reported ---------------------------------------


@pytest.fixture
def nested_error(folder: Callable[..., Path]) -> Path:
    """A map whose included file includes a file with an importance out of scale."""
    return folder(
        **{
            "map.yaml": a_map(pre="[{name: Fine}, {include: parts/outer.yaml}]"),
            "parts__outer.yaml": "- name: Outer\n  subcycle:\n    - include: inner.yaml\n",
            "parts__inner.yaml": "- name: Inner\n  importance: 12\n",
        }
    )


def test_text_report_quotes_the_included_file_and_shows_the_include_chain(nested_error: Path, cli, monkeypatch) -> None:
    """validate names the included file's line and column, quotes its line and lists where it was included from."""
    monkeypatch.chdir(nested_error)
    result = cli("validate", "map.yaml")
    assert result.code == EXIT_INVALID
    assert result.out.splitlines()[:7] == [
        "parts/inner.yaml:2:15: error: 'importance': 12 is outside the map's scale of 1 to 10",
        "    2 |   importance: 12",
        "      |               ^",
        "   = in phases.pre.activities[1].subcycle[0].importance",
        "   = included from parts/outer.yaml:3:7",
        "   = included from map.yaml:6:36",
        "Found 1 problem in 1 file.",
    ]


def test_json_report_carries_the_include_chain_from_the_map_down(nested_error: Path, cli, monkeypatch) -> None:
    """--format json gives the chain as a list of {file, line, col}, the root map's include first."""
    monkeypatch.chdir(nested_error)
    [problem] = json.loads(cli("validate", "map.yaml", "-f", "json").out)
    assert (problem["file"], problem["line"], problem["col"]) == ("parts/inner.yaml", 2, 15)
    assert problem["include_chain"] == [
        {"file": "map.yaml", "line": 6, "col": 36},
        {"file": "parts/outer.yaml", "line": 3, "col": 7},
    ]


def test_github_report_annotates_the_included_file_and_names_the_chain(nested_error: Path, cli, monkeypatch) -> None:
    """--format github puts the annotation on the included file and says where it was included from."""
    monkeypatch.chdir(nested_error)
    assert cli("validate", "map.yaml", "-f", "github").out == (
        "::error file=parts/inner.yaml,line=2,col=15,title=cyclemap::'importance': 12 is outside the map's "
        "scale of 1 to 10 (included from parts/outer.yaml:3:7, from map.yaml:6:36)\n"
    )


def test_problems_keep_the_text_of_every_file_they_point_into(nested_error: Path) -> None:
    """MapError.sources holds each file a problem is in, under the name the problem uses, to quote lines."""
    with pytest.raises(MapError) as caught:
        load_map(str(nested_error / "map.yaml"))
    [problem] = caught.value.problems
    assert problem.file == str(nested_error / "parts" / "inner.yaml")
    assert caught.value.sources[problem.file] == (nested_error / "parts" / "inner.yaml").read_text()


def test_render_refuses_a_split_map_with_a_bad_part_and_writes_nothing(nested_error: Path, cli, monkeypatch) -> None:
    """render reports the included file's problem on stderr, exits EXIT_INVALID and leaves no diagram."""
    monkeypatch.chdir(nested_error)
    result = cli("render", "map.yaml", "-f", "dot")
    assert result.code == EXIT_INVALID
    assert "parts/inner.yaml:2:15: error:" in result.err
    assert "included from map.yaml:6:36" in result.err
    assert not (nested_error / "map.dot").exists()


def test_names_of_included_files_start_with_the_maps_folder(folder: Callable[..., Path], monkeypatch) -> None:
    """With `cyclemap validate maps/x.yaml`, problems in its parts are named maps/parts/..., as the user would type."""
    base = folder(**{"maps__x.yaml": a_map(pre="[{include: parts/p.yaml}]"), "maps__parts__p.yaml": "- name: ''\n"})
    monkeypatch.chdir(base)
    [problem] = problems_of("maps/x.yaml")
    assert (problem.file, problem.chain) == ("maps/parts/p.yaml", (Place("maps/x.yaml", 6, 22),))


def test_gaps_github_annotations_point_into_included_files(cli) -> None:
    """gaps --format github puts each gap's annotation in the file where the activity is written."""
    out = cli("gaps", str(SPLIT / ROOT_NAME), "-f", "github").out
    park = next(line for line in out.splitlines() if "Park at a dock" in line)
    assert park.startswith(f"::warning file={SPLIT / 'parts' / 'riding.yaml'},line=28,col=3,")


# -- where files may come from ---------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_leading_outside_the_maps_folder_is_refused(tmp_path: Path) -> None:
    """A symbolic link in the map's folder to a file (or through a folder) outside it is not followed."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("- name: Secret\n")
    base = tmp_path / "map"
    (base / "parts").mkdir(parents=True)
    (base / "parts" / "link.yaml").symlink_to(outside / "secret.yaml")
    (base / "elsewhere").symlink_to(outside, target_is_directory=True)
    (base / "map.yaml").write_text(a_map(pre="[{include: parts/link.yaml}, {include: elsewhere/secret.yaml}]"))
    messages = [p.message for p in problems_of(base / "map.yaml")]
    assert messages == [
        f"cannot include '{name}' ({base / name}): it leads outside the map's folder through a symbolic link; "
        "copy the file into the map's folder instead"
        for name in ("parts/link.yaml", "elsewhere/secret.yaml")
    ]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_inside_the_maps_folder_is_followed(tmp_path: Path) -> None:
    """A symbolic link to another file inside the map's folder is read like the file itself."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "steps.yaml").write_text("- name: A shared step\n")
    (tmp_path / "steps.yaml").symlink_to(tmp_path / "shared" / "steps.yaml")
    (tmp_path / "map.yaml").write_text(a_map(pre="[{include: steps.yaml}]"))
    assert [v.activity.id for v in load_map(str(tmp_path / "map.yaml")).walk()] == ["a-shared-step"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_include_is_refused_without_hanging(tmp_path: Path, run_cyclemap) -> None:
    """An include naming a FIFO nobody writes to is refused at once (exit EXIT_INVALID), never waited on."""
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "map.yaml").write_text(a_map(pre="[{include: pipe.yaml}]"))
    result = run_cyclemap("validate", "map.yaml", cwd=tmp_path, timeout=20)
    assert result.code == EXIT_INVALID
    assert result.out.startswith(
        "map.yaml:6:32: error: cannot include 'pipe.yaml': it is not a regular file; "
        "give the path of a YAML file, like parts/pre.yaml"
    )


@pytest.mark.skipif(sys.platform != "linux", reason="character devices as on Linux")
def test_endless_device_is_refused_without_reading_it() -> None:
    """A device such as /dev/zero is refused by its type, before any byte is read."""
    start = time.perf_counter()
    with pytest.raises(IncludeRefused, match="it is not a regular file"):
        DiskFiles("/dev").read(PurePosixPath("zero"), limit=loader.MAX_TOTAL_BYTES)
    assert time.perf_counter() - start < 1


@pytest.mark.skipif(sys.platform != "linux", reason="character devices as on Linux")
def test_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    """A link in the map's folder to /dev/zero is refused (it leads outside), never read."""
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    (tmp_path / "map.yaml").write_text(a_map(pre="[{include: zero.yaml}]"))
    [problem] = problems_of(tmp_path / "map.yaml")
    assert "it leads outside the map's folder through a symbolic link" in problem.message


def test_map_from_standard_input_cannot_include_files(cli) -> None:
    """A map piped in has no folder: an include is a located problem saying to pass the file name."""
    result = cli("validate", "-", stdin=a_map(pre="[{include: parts/pre.yaml}]").encode())
    assert result.code == EXIT_INVALID
    assert result.out.startswith(
        "-:6:32: error: cannot include 'parts/pre.yaml': a map read from standard input cannot include files; "
        "give the map's file name instead, e.g. cyclemap validate map.yaml"
    )


def test_load_bytes_reads_single_documents_and_refuses_includes() -> None:
    """load_bytes has no folder to read includes from: it says so at the include."""
    with pytest.raises(MapError) as caught:
        load_bytes(a_map(pre="[{include: p.yaml}]").encode(), "map.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.col) == (6, 32)
    assert "a map given as bytes cannot include files" in problem.message


def test_include_paths_resolve_against_the_including_file_and_stay_in_the_maps_folder() -> None:
    """Paths are relative to the file they are written in; '..' may move around inside the map's folder only."""
    root = PurePosixPath("maps/solar.yaml")
    assert include_path("parts/pre.yaml", root, root) == PurePosixPath("maps/parts/pre.yaml")
    assert include_path("../post.yaml", PurePosixPath("maps/parts/pre.yaml"), root) == PurePosixPath("maps/post.yaml")
    assert include_path("./a/./b.yaml", root, root) == PurePosixPath("maps/a/b.yaml")
    for bad in ("../other/x.yaml", "parts/../../x.yaml", "/abs.yaml", "~/x.yaml", "s3://b/x.yaml", "a\\b.yaml", " "):
        with pytest.raises(IncludeRefused):
            include_path(bad, root, root)


class MemoryFiles:
    """A MapFiles that is not the disk (as a git revision would be): files by relative path."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.asked: list[tuple[str, int]] = []

    def name(self, rel: PurePosixPath) -> str:
        return f"HEAD~1:{rel.as_posix()}"

    def read(self, rel: PurePosixPath, *, limit: int) -> bytes:
        self.asked.append((rel.as_posix(), limit))
        if rel.as_posix() not in self.files:
            raise IncludeRefused("no such file at this revision")
        return self.files[rel.as_posix()].encode()


def test_load_from_reads_the_map_and_its_includes_through_any_source() -> None:
    """load_from reads every file through the MapFiles it is given, names files its way, and passes the budget."""
    files = MemoryFiles(
        {
            "maps/solar.yaml": a_map(pre="[{include: parts/pre.yaml}, {include: ../escape.yaml}]"),
            "maps/parts/pre.yaml": "- name: Compare offers\n- include: gone.yaml\n",
        }
    )
    with pytest.raises(MapError) as caught:
        load_from(files, PurePosixPath("maps/solar.yaml"))
    assert [(p.file, p.line, p.col, p.message) for p in caught.value.problems] == [
        ("HEAD~1:maps/parts/pre.yaml", 2, 12,
         "cannot include 'gone.yaml' (HEAD~1:maps/parts/gone.yaml): no such file at this revision"),
        ("HEAD~1:maps/solar.yaml", 6, 59, "cannot include '../escape.yaml': it leads out of the map's folder; "
         "included files must be in the map's folder or below it"),
    ]
    assert caught.value.problems[0].chain == (Place("HEAD~1:maps/solar.yaml", 6, 22),)
    assert set(caught.value.sources) == {"HEAD~1:maps/solar.yaml", "HEAD~1:maps/parts/pre.yaml"}
    root_size = len(files.files["maps/solar.yaml"].encode())
    assert files.asked[:2] == [
        ("maps/solar.yaml", loader.MAX_FILE_BYTES),
        ("maps/parts/pre.yaml", loader.MAX_TOTAL_BYTES - root_size),
    ]


def test_load_from_with_a_missing_map_is_an_input_error() -> None:
    """A root map the source cannot give is an InputError (exit 2) naming it."""
    with pytest.raises(loader.InputError) as caught:
        load_from(MemoryFiles({}), PurePosixPath("map.yaml"))
    assert (str(caught.value), caught.value.exit_code) == ("HEAD~1:map.yaml: no such file at this revision", 2)


# -- limits ----------------------------------------------------------------------------------


def chain_of(count: int) -> dict[str, str]:
    """A map that includes part1.yaml, which includes part2.yaml, ... down to part`count`.yaml."""
    files = {"map.yaml": a_map(pre="[{include: part1.yaml}]")}
    for n in range(1, count + 1):
        more = f"\n  subcycle: [{{include: part{n + 1}.yaml}}]" if n < count else ""
        files[f"part{n}.yaml"] = f"- name: Level {n}" + more + "\n"
    return files


def test_includes_nest_up_to_the_depth_limit(folder: Callable[..., Path]) -> None:
    """A chain of MAX_INCLUDE_DEPTH includes is read in full."""
    base = folder(**chain_of(loader.MAX_INCLUDE_DEPTH))
    assert len(list(load_map(str(base / "map.yaml")).walk())) == loader.MAX_INCLUDE_DEPTH


def test_includes_nested_deeper_than_the_limit_are_refused(folder: Callable[..., Path]) -> None:
    """One include more than MAX_INCLUDE_DEPTH is refused where it is written, with the whole chain."""
    base = folder(**chain_of(loader.MAX_INCLUDE_DEPTH + 1))
    [problem] = problems_of(base / "map.yaml")
    last = loader.MAX_INCLUDE_DEPTH
    assert (Path(problem.file).name, problem.line) == (f"part{last}.yaml", 2)
    assert problem.message.endswith(f"includes are nested more than {last} deep; include the files from fewer levels")
    assert len(problem.chain) == last


def test_more_includes_than_the_limit_are_refused(folder: Callable[..., Path]) -> None:
    """MAX_INCLUDES includes are read, one more is refused; a file included many times counts each time."""
    limit = loader.MAX_INCLUDES
    # names in Japanese get ids from their place, so the same file can be included many times
    items = ", ".join(["{include: p.yaml}"] * limit)
    base = folder(**{"map.yaml": a_map(pre=f"[{items}]"), "p.yaml": "- name: 手順\n"})
    assert len(list(load_map(str(base / "map.yaml")).walk())) == limit
    (base / "map.yaml").write_text(a_map(pre=f"[{items}, {{include: p.yaml}}]"))
    [problem] = problems_of(base / "map.yaml")
    assert problem.message == (
        f"the map includes more than {limit} files in all (a file included twice counts twice); "
        "merge small files or split the map into separate maps"
    )


def test_total_size_of_the_map_and_its_includes_is_limited(
    folder: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The map and its includes share MAX_TOTAL_BYTES; the include that crosses it is refused, unread."""
    monkeypatch.setattr(loader, "MAX_TOTAL_BYTES", 400)
    part = "- name: 手順\n  notes: " + "x" * 100 + "\n"
    root = a_map(pre="[{include: p.yaml}, {include: p.yaml}]")
    base = folder(**{"map.yaml": root, "p.yaml": part})
    [problem] = problems_of(base / "map.yaml")
    left = 400 - len(root.encode()) - len(part.encode())
    assert (problem.line, problem.col) == (6, 51)  # the second include: the same file counts again
    assert problem.message == (
        f"cannot include 'p.yaml' ({base / 'p.yaml'}): it is larger than the {left:,} bytes left of the size limit "
        "for a map and all its included files together; make the map smaller or split it into separate maps"
    )


def test_aliases_cannot_multiply_included_files_past_the_value_limit(folder: Callable[..., Path]) -> None:
    """An aliased activity whose subcycle includes a file, repeated 9 times over 4 levels (small in the map itself,
    78 million values with the file), is refused in well under a second, before anything walks the expanded map."""
    levels = ["- &l0 {name: L0, subcycle: [{include: big.yaml}]}"]
    levels += [f"- &l{n} {{name: L{n}, subcycle: [{', '.join([f'*l{n - 1}'] * 9)}]}}" for n in range(1, 5)]
    root = HEAD + "phases:\n  pre:\n    activities:\n" + "".join(f"      {line}\n" for line in levels)
    root += "  during: {activities: []}\n  post: {activities: []}\n"
    big = "".join(f"- name: Step {n}\n  pains: [a, b, c]\n" for n in range(2000))
    base = folder(**{"map.yaml": root, "big.yaml": big})
    start = time.perf_counter()
    problems = problems_of(base / "map.yaml")
    assert time.perf_counter() - start < 2
    assert [p.message for p in problems] == [
        f"the map expands to more than {yaml_reader.MAX_NODES:,} values (aliases repeat what they point to, "
        "here with included files); this looks like an alias bomb"
    ]


def test_nesting_limit_counts_the_levels_of_the_whole_map(folder: Callable[..., Path]) -> None:
    """An included file is as deep as the place it is included at: the depth limit applies to the assembled map."""
    depth = yaml_reader.MAX_DEPTH
    deep = "[" * depth + "]" * depth + "\n"  # exactly at the limit on its own
    base = folder(**{"map.yaml": a_map(pre="[{include: deep.yaml}]"), "deep.yaml": deep})
    [problem] = problems_of(base / "map.yaml")
    # the list replaces a phase's activities list, itself 4 levels deep: the 98th '[' is the 101st level
    assert (Path(problem.file).name, problem.line, problem.col) == ("deep.yaml", 1, depth - 2)
    assert problem.message.startswith(f"the map is nested more than {depth} levels deep")


def test_a_file_including_itself_is_a_loop(folder: Callable[..., Path]) -> None:
    """A map that includes itself is refused with the loop spelled out, not read again."""
    base = folder(**{"map.yaml": a_map(pre="[{include: map.yaml}]")})
    [problem] = problems_of(base / "map.yaml")
    root = str(base / "map.yaml")
    assert problem.message == (
        f"cannot include 'map.yaml' ({root}): the files would include each other in a loop: {root} -> {root}"
    )
