"""Shared fixtures: a small valid map, the CLI run in-process or as a process, the case folders, a browser."""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from cyclemap.cli import _run

# Property tests: moderate by default (and the same examples every run on CI), many more on request:
#   .venv/bin/pytest tests/test_properties.py --hypothesis-profile=thorough
settings.register_profile("cyclemap", max_examples=150, derandomize=bool(os.environ.get("CI")))
settings.register_profile("thorough", max_examples=5000)
settings.load_profile("cyclemap")

TESTS = Path(__file__).parent
REPO = TESTS.parent
CASES = TESTS / "cases"
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))

SMALL_MAP = """\
cyclemap: 1
title: Booking a repair
customer: Owners of a broken washing machine
outcome: A working machine again, soon
phases:
  pre:
    activities:
      - name: Find the model number
        importance: 6
        satisfaction: 3
        subcycle:
          - name: Look behind the door
  during:
    activities:
      - name: Let the engineer in
  post:
    activities:
      - name: Pay the invoice
"""

FOLDED_MAP = """\
cyclemap: 1
title: Folded
customer: People
outcome: Done
phases:
  pre:
    activities:
      - name: Plan it
        offerings: [Planner]
        subcycle:
          - name: Sketch
            offerings: [Templates]
            subcycle:
              - name: Find the budget
                importance: 10
                satisfaction: 1
                offerings: [Calculator]
                evidence: [{source: interview, ref: I-1}]
          - name: Agree
            offerings: [Workshop]
  during:
    activities:
      - name: Do
        offerings: [Help desk]
  post:
    activities:
      - name: Review
        offerings: [Review kit]
"""
"""A map whose first activity hides an extreme gap two levels down: collapsed by --depth 0 or 1, it says so."""


@dataclass
class Result:
    """What a cyclemap run left behind."""

    code: int
    out: str
    err: str


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests asking for `invalid_case` or `valid_case` run once per folder under tests/cases/."""
    for kind in ("invalid", "valid"):
        fixture = f"{kind}_case"
        if fixture in metafunc.fixturenames:
            folders = sorted(p for p in (CASES / kind).iterdir() if (p / "map.yaml").is_file())
            metafunc.parametrize(fixture, folders, ids=[p.name for p in folders])


@pytest.fixture
def small_map() -> str:
    """The text of a small valid map with four activities, one of them in a subcycle."""
    return SMALL_MAP


@pytest.fixture
def write_map(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a map file in a temporary folder and return its path."""

    def write(content: str | bytes, name: str = "map.yaml") -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return write


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the command line in this process, as `main` would, and capture what it prints."""

    def run(*args: str, stdin: bytes = b"") -> Result:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        capsys.readouterr()
        code = _run(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def run_process(*args: str, timeout: float = 30, cwd: Path | None = None, stdin: bytes = b"") -> Result:
    """Run `python -m cyclemap ARGS` as a separate process (for crashes, hangs and real exit codes)."""
    done = subprocess.run(
        [sys.executable, "-m", "cyclemap", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        cwd=cwd,
        check=False,
    )
    return Result(done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace"))


@pytest.fixture
def run_cyclemap() -> Callable[..., Result]:
    """`python -m cyclemap ...` in a subprocess, with a timeout."""
    return run_process


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright (no browser download), one per test module.

    The browser test modules skip themselves when Playwright or chromium is missing.
    """
    from tests.test_serve import CHROMIUM  # noqa: PLC0415 - only when a browser test runs

    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bash install.sh test)")
    with sync_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generations of the automatic collections that run while the test does."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.collect()
    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)
