"""The linter and the type checker, as pyproject.toml configures them, find nothing.

Both come with the test lock (requirements/test.txt), so every run of the suite checks the code the way
`.venv/bin/ruff check src tests bench` and `.venv/bin/mypy src` do.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from tests.conftest import REPO


def run_tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` in the repository's root, where pyproject.toml configures it."""
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{module} is not installed: install requirements/test.txt (bash install.sh test)")
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )


def test_ruff_finds_nothing() -> None:
    """`ruff check src tests bench` passes; on failure the message is ruff's own list of findings."""
    done = run_tool("ruff", "check", "--no-fix", "--output-format", "concise", "src", "tests", "bench")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing() -> None:
    """`mypy src` (strict, with pydantic's plugin) passes; on failure the message is mypy's own report."""
    done = run_tool("mypy", "src")
    assert done.returncode == 0, done.stdout + done.stderr
