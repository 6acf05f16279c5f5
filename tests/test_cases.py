"""Regression cases as data, plus hostile inputs too big to commit.

A case is a folder: ``tests/cases/invalid/<name>/map.yaml`` with ``expected.txt``
holding the exact problem lines (of the map, else of the survey file it names, as FILE:ROW:COL),
or ``tests/cases/valid/<name>/map.yaml`` (with an optional ``ids.txt``: the activity ids in walk
order). The folder may hold files that map.yaml includes; a problem in one of them is followed in
``expected.txt`` by its include chain, one ``  included from FILE:LINE:COL``
line per include, nearest first. Adding a case is adding a folder. After reviewing a change of
messages, rewrite every ``expected.txt`` with::

    CYCLEMAP_REGENERATE=1 .venv/bin/pytest tests/test_cases.py
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cyclemap import loader
from cyclemap.exit_codes import EXIT_INVALID
from cyclemap.loader import load_map
from cyclemap.problems import InputError, MapError, Problem
from cyclemap.survey.views import load_map_survey

REGENERATE = os.environ.get("CYCLEMAP_REGENERATE") == "1"
DEPTH_MESSAGE = "the map is nested more than 100 levels deep; flatten deep subcycles or split them into separate maps"
BOMB_MESSAGE = (
    "the map expands to more than 2,000,000 values (aliases repeat what they point to); this looks like an alias bomb"
)


def problem_lines(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The problems of folder/map.yaml as printed, with file names relative to the folder."""
    monkeypatch.chdir(folder)
    try:
        load_map_survey(load_map("map.yaml"), "map.yaml")
    except MapError as err:
        return [line for problem in err.problems for line in lines_of(problem)]
    return []


def lines_of(problem: Problem) -> list[str]:
    """A problem's line, then where its file was included from (nearest include first)."""
    return [str(problem), *(f"  included from {place}" for place in reversed(problem.chain))]


def test_invalid_case_reports_exactly_the_expected_problems(
    invalid_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each invalid map gives exactly the `file:line:col: error: message` lines of its expected.txt."""
    lines = problem_lines(invalid_case, monkeypatch)
    expected = invalid_case / "expected.txt"
    if REGENERATE:
        expected.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    assert lines, "an invalid case must be reported invalid"
    assert lines == expected.read_text(encoding="utf-8").splitlines()


def test_valid_case_loads(valid_case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each valid map loads without a problem, with the ids listed in ids.txt if there is one."""
    assert problem_lines(valid_case, monkeypatch) == []
    ids_file = valid_case / "ids.txt"
    if ids_file.exists():
        ids = [visit.activity.id for visit in load_map("map.yaml").walk()]
        assert ids == ids_file.read_text(encoding="utf-8").splitlines()


# -- hostile inputs, generated ------------------------------------------------


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs": each level lists the one before `width` times (9 x 9 -> 9**9 values)."""
    lines = ["x-lol0: &lol0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"x-lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * width) + "]")
    return "cyclemap: 1\n" + "\n".join(lines) + "\n"


def test_alias_bomb_fails_fast_with_a_clear_message(write_map: Callable[..., Path]) -> None:
    """A billion-laughs alias bomb is refused in well under a second, naming it for what it is."""
    path = write_map(alias_bomb())
    start = time.perf_counter()
    with pytest.raises(MapError) as caught:
        load_map(str(path))
    assert time.perf_counter() - start < 2
    [problem] = caught.value.problems
    assert problem.message == BOMB_MESSAGE
    assert problem.line == 8  # the level whose expansion crosses the limit


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        pytest.param("[" * 10_000 + "]" * 10_000 + "\n", 1, 101, id="flow-sequences"),
        pytest.param("{a: " * 10_000 + "\n", 1, 401, id="flow-mappings"),
        pytest.param("- " * 10_000 + "x\n", 1, 201, id="block-sequences"),
    ],
)
def test_deep_nesting_is_refused_before_composing(
    text: str, line: int, col: int, write_map: Callable[..., Path]
) -> None:
    """10,000 levels of nesting give the depth message at the 101st level, without recursion."""
    path = write_map(text)
    with pytest.raises(MapError) as caught:
        load_map(str(path))
    assert [str(p) for p in caught.value.problems] == [f"{path}:{line}:{col}: error: {DEPTH_MESSAGE}"]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 10_000 + "]" * 10_000 + "\n", id="flow-sequences"),
        pytest.param("[" * 100_000 + "\n", id="unclosed-flow-sequences"),
        pytest.param("- " * 10_000 + "x\n", id="block-sequences"),
    ],
)
def test_deep_nesting_does_not_crash_the_process(text: str, write_map: Callable[..., Path], run_cyclemap) -> None:
    """Nesting that crashes libyaml's composer is an ordinary invalid map: exit EXIT_INVALID, no traceback."""
    result = run_cyclemap("validate", str(write_map(text)))
    assert result.code == EXIT_INVALID, result.err
    assert DEPTH_MESSAGE in result.out
    assert "Traceback" not in result.out + result.err


def test_file_over_the_size_limit_is_refused(write_map: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A file larger than the limit is refused with a problem, before it is parsed."""
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1000)
    path = write_map("# padding\n" * 101)
    with pytest.raises(MapError) as caught:
        load_map(str(path))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1:1: error: the file is larger than 1,000 bytes; split the map into smaller ones"
    ]


def test_file_at_the_size_limit_is_read(write_map: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of exactly the limit is still read (and here found empty)."""
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1000)
    with pytest.raises(MapError) as caught:
        load_map(str(write_map("# padding\n" * 100)))
    assert "the file is empty" in caught.value.problems[0].message


def test_real_size_limit_in_a_process(write_map: Callable[..., Path], run_cyclemap) -> None:
    """A file over 16 MiB is refused by the real command with exit EXIT_INVALID and the size message."""
    path = write_map(b"#" * (16 * 1024 * 1024 + 1))
    result = run_cyclemap("validate", str(path))
    assert result.code == EXIT_INVALID
    assert f"{path}:1:1: error: the file is larger than 16 MiB" in result.out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_is_refused_without_hanging(tmp_path: Path, run_cyclemap) -> None:
    """A named pipe given as the map is refused at once (exit 2), never waited on."""
    fifo = tmp_path / "map.yaml"
    os.mkfifo(fifo)
    result = run_cyclemap("validate", str(fifo), timeout=20)
    assert result.code == 2
    assert f"cyclemap: error: {fifo}: not a regular file" in result.err


def test_directory_is_refused(tmp_path: Path, run_cyclemap) -> None:
    """A directory given as the map is a usage error (exit 2) with a message, not a crash."""
    result = run_cyclemap("validate", str(tmp_path))
    assert (result.code, result.err.strip()) == (2, f"cyclemap: error: {tmp_path}: is a directory, not a map file")


def test_missing_file_is_a_usage_error(tmp_path: Path, run_cyclemap) -> None:
    """A path that does not exist is a usage error (exit 2) naming the path."""
    result = run_cyclemap("validate", str(tmp_path / "nope.yaml"))
    assert (result.code, result.err.strip()) == (2, f"cyclemap: error: {tmp_path / 'nope.yaml'}: no such file")


def test_read_errors_are_input_errors_in_the_api(tmp_path: Path) -> None:
    """The loader raises InputError (exit code 2) for paths it cannot read as a file."""
    for path in (tmp_path, tmp_path / "nope.yaml"):
        with pytest.raises(InputError) as caught:
            load_map(str(path))
        assert caught.value.exit_code == 2


@pytest.mark.skipif(sys.platform != "linux", reason="character devices as on Linux")
def test_endless_device_is_refused() -> None:
    """/dev/zero (endless, not a file) is refused instead of read until the limit."""
    with pytest.raises(InputError, match="not a regular file"):
        load_map("/dev/zero")
