"""Exit codes, end to end: a script can tell "found something" from "invalid input" from "could not run"."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cyclemap.exit_codes import EXIT_ENVIRONMENT, EXIT_FOUND, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE

REPO = Path(__file__).parent.parent
SOLAR = REPO / "examples" / "home-solar.yaml"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m cyclemap ARGS` in its own process, so the code is the one the shell sees."""
    return subprocess.run(
        [sys.executable, "-m", "cyclemap", *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


def test_the_codes_are_all_different() -> None:
    """Found something, usage, environment and invalid input each have a code of their own."""
    codes = [EXIT_OK, EXIT_FOUND, EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_INVALID]
    assert len(set(codes)) == len(codes)


def test_invalid_map_and_gaps_found_exit_differently(write_map: Callable[..., Path]) -> None:
    """`gaps --fail-on-gaps` says EXIT_FOUND when gaps remain, EXIT_INVALID when the map is broken."""
    found = run("gaps", str(SOLAR), "--fail-on-gaps", "-f", "json")
    broken = run("gaps", str(write_map("cyclemap: 1\ntitle: x\n")), "--fail-on-gaps")
    assert found.returncode == EXIT_FOUND, found.stderr
    assert broken.returncode == EXIT_INVALID, broken.stderr
    assert "error: missing required key" in broken.stderr


def test_validate_exit_codes(write_map: Callable[..., Path], small_map: str) -> None:
    """validate: EXIT_OK for a valid map, EXIT_INVALID for an invalid one, EXIT_USAGE for a missing file."""
    assert run("validate", str(write_map(small_map))).returncode == EXIT_OK
    assert run("validate", str(write_map("cyclemap: 1\n", "bad.yaml"))).returncode == EXIT_INVALID
    assert run("validate", str(write_map(small_map).parent / "missing.yaml")).returncode == EXIT_USAGE


def test_diff_exit_code_found_and_invalid(write_map: Callable[..., Path], small_map: str) -> None:
    """`diff --exit-code`: EXIT_FOUND when the maps differ, EXIT_OK when equal, EXIT_INVALID when one is broken."""
    old = write_map(small_map, "old.yaml")
    new = write_map(small_map.replace("Pay the invoice", "Pay the bill"), "new.yaml")
    bad = write_map("cyclemap: 1\n", "bad.yaml")
    assert run("diff", str(old), str(new), "--exit-code").returncode == EXIT_FOUND
    assert run("diff", str(old), str(old), "--exit-code").returncode == EXIT_OK
    assert run("diff", str(old), str(bad), "--exit-code").returncode == EXIT_INVALID


def test_output_folder_missing_is_an_environment_error(write_map: Callable[..., Path], small_map: str) -> None:
    """A result that cannot be written (no such folder) exits EXIT_ENVIRONMENT."""
    path = write_map(small_map)
    done = run("render", str(path), "-f", "dot", "-o", str(path.parent / "no" / "such" / "map.dot"))
    assert done.returncode == EXIT_ENVIRONMENT, done.stderr
    assert "does not exist" in done.stderr


@pytest.fixture
def failing_graphviz(tmp_path: Path) -> dict[str, str]:
    """An environment whose Graphviz programs all fail with a message."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("dot", "neato", "twopi", "circo", "fdp", "sfdp"):
        fake = bin_dir / program
        fake.write_text("#!/bin/sh\necho 'Error: out of memory' >&2\nexit 1\n", encoding="utf-8")
        fake.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_graphviz_failure_is_an_environment_error(
    write_map: Callable[..., Path], small_map: str, failing_graphviz: dict[str, str]
) -> None:
    """A valid map whose layout Graphviz cannot finish exits EXIT_ENVIRONMENT, not EXIT_INVALID."""
    path = write_map(small_map)
    done = run("render", str(path), "-f", "svg", env=failing_graphviz)
    assert done.returncode == EXIT_ENVIRONMENT, done.stderr
    assert "Graphviz (" in done.stderr
    assert "out of memory" in done.stderr
    assert not path.with_suffix(".svg").exists()


def test_invalid_map_wins_over_a_failed_layout(
    write_map: Callable[..., Path], small_map: str, failing_graphviz: dict[str, str]
) -> None:
    """Several maps, one invalid and one whose layout fails: EXIT_INVALID (fix the map first), both reported."""
    good = write_map(small_map, "good.yaml")
    bad = write_map("cyclemap: 1\n", "bad.yaml")
    done = run("render", str(good), str(bad), "-f", "svg", env=failing_graphviz)
    assert done.returncode == EXIT_INVALID, done.stderr
    assert "out of memory" in done.stderr
    assert "missing required key" in done.stderr


def test_readme_and_help_document_every_code() -> None:
    """The README's table and `cyclemap --help` name each exit code with its meaning."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\d+) \| (.+) \|$", readme, flags=re.MULTILINE))
    assert set(table) == {str(c) for c in (EXIT_OK, EXIT_FOUND, EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_INVALID,
                                           EXIT_INTERNAL)}
    assert "please report it" in table[str(EXIT_INTERNAL)]
    assert "invalid" in table[str(EXIT_INVALID)]
    assert "found" in table[str(EXIT_FOUND)]
    assert "timeout" in table[str(EXIT_ENVIRONMENT)]
    shown = " ".join(run("--help", env={**os.environ, "COLUMNS": "200"}).stdout.split())
    assert f"{EXIT_INVALID} invalid map" in shown
    assert f"{EXIT_FOUND} found something" in shown
    assert f"{EXIT_INTERNAL} internal error (a bug in cyclemap: please report it)" in shown
