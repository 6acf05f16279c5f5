"""`cyclemap diff` tells a move the way it went: into a subcycle, out of one, to another, to another phase."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

Cli = Callable[..., Any]


def activity(name: str, *subcycle: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "offerings": ["Ours"], **({"subcycle": list(subcycle)} if subcycle else {})}


def write(path: Path, pre: list[dict[str, Any]], post: list[dict[str, Any]] | None = None) -> str:
    data = {
        "cyclemap": 1,
        "title": "Moves",
        "customer": "Someone",
        "outcome": "Something",
        "phases": {"pre": {"activities": pre}, "during": {"activities": []}, "post": {"activities": post or []}},
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


OLD = [activity("A", activity("B", activity("X"))), activity("C", activity("Y")), activity("D")]
"""X is 1.1.1 (in B's subcycle), Y is 2.1 (in C's), D is 3 (top level)."""
MOVES = {
    "out of its subcycle": [activity("A", activity("B")), activity("C", activity("Y")), activity("D"), activity("X")],
    "into a subcycle": [activity("A", activity("B", activity("X"))), activity("C", activity("Y"), activity("D"))],
    "to another subcycle": [activity("A", activity("B", activity("X"), activity("Y"))), activity("C"), activity("D")],
}
"""The new pre phase for each wording: X leaves to the top level; D goes into C's subcycle; Y goes to B's."""
WRONG = {
    "out of its subcycle": "moved into",
    "into a subcycle": "moved out",
    "to another subcycle": "moved into",
}


@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize("wording", list(MOVES))
def test_move_wording_follows_the_direction(cli: Cli, tmp_path: Path, wording: str, fmt: str) -> None:
    """1.1.1 -> 4 says 'moved out of its subcycle'; a top-level activity going under another says 'into'."""
    old = write(tmp_path / "old.yaml", OLD)
    new = write(tmp_path / "new.yaml", MOVES[wording])
    result = cli("diff", old, new, "-f", fmt)
    assert result.code == 0, result.err
    assert f"moved {wording}" in result.out
    assert WRONG[wording] not in result.out


def test_out_of_a_subcycle_names_both_places(cli: Cli, tmp_path: Path) -> None:
    """The moved line shows where the activity was and where it is: 'Pre 1.1.1 → Pre 4 (moved out of its subcycle)'."""
    old = write(tmp_path / "old.yaml", OLD)
    new = write(tmp_path / "new.yaml", MOVES["out of its subcycle"])
    result = cli("diff", old, new)
    assert "X: Pre 1.1.1 → Pre 4 (moved out of its subcycle)" in result.out


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_move_to_another_phase_says_so(cli: Cli, tmp_path: Path, fmt: str) -> None:
    """An activity that left its subcycle for another phase is told as moved to another phase."""
    old = write(tmp_path / "old.yaml", OLD)
    new = write(tmp_path / "new.yaml", [activity("A", activity("B")), activity("C", activity("Y")), activity("D")],
                [activity("X")])
    result = cli("diff", old, new, "-f", fmt)
    lines = [line for line in result.out.splitlines() if "moved to another phase" in line]
    assert len(lines) == 1
    assert "subcycle" not in lines[0]
