"""`validate` tells everything in one run, and says when indentation is the cause.

The exact messages are regression cases under tests/cases/invalid/
(duplicate-id-*-with-other-problems, indentation-*); this file checks the
behaviour around them through the command line.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cyclemap.exit_codes import EXIT_INVALID
from cyclemap.yaml_reader import _indentation_hint

TYPE_ERROR_AND_DUPLICATE = """\
cyclemap: 1
title: Booking a repair
customer: Owners of a broken washing machine
outcome: A working machine again, soon
phases:
  pre:
    activities:
      - name: Find the model number
        importance: lots
      - name: Find a repair shop
        id: find
  during:
    activities:
      - name: Let the engineer in
        id: find
  post:
    activities:
      - name: Pay the invoice
"""


def test_a_duplicate_id_is_reported_in_the_same_run_as_a_type_error(tmp_path: Path, cli) -> None:
    """A map with a wrong type and a duplicate id: both problems, with line:col, from one run of validate."""
    (tmp_path / "map.yaml").write_text(TYPE_ERROR_AND_DUPLICATE, encoding="utf-8")
    result = cli("validate", str(tmp_path / "map.yaml"), "-f", "json")
    assert result.code == EXIT_INVALID
    found = [(p["line"], p["col"], p["message"].split(":")[0]) for p in json.loads(result.out)]
    assert found == [(9, 21, "'importance'"), (15, 13, "duplicate id 'find'")]


def test_fixing_the_type_error_leaves_the_same_duplicate_problem(tmp_path: Path, cli) -> None:
    """The duplicate reported alongside other problems is word for word the one reported on its own."""
    (tmp_path / "map.yaml").write_text(TYPE_ERROR_AND_DUPLICATE, encoding="utf-8")
    together = cli("validate", str(tmp_path / "map.yaml")).out.splitlines()
    (tmp_path / "map.yaml").write_text(TYPE_ERROR_AND_DUPLICATE.replace("lots", "7"), encoding="utf-8")
    alone = cli("validate", str(tmp_path / "map.yaml")).out.splitlines()
    duplicate = next(line for line in alone if "duplicate id" in line)
    assert duplicate in together


def test_an_activity_whose_id_is_refused_is_not_also_called_a_duplicate(tmp_path: Path, cli) -> None:
    """Two activities with the same malformed id: the id is reported as malformed, not as a clash as well."""
    text = TYPE_ERROR_AND_DUPLICATE.replace("id: find", "id: Find It")
    (tmp_path / "map.yaml").write_text(text, encoding="utf-8")
    result = cli("validate", str(tmp_path / "map.yaml"), "-f", "json")
    messages = [p["message"] for p in json.loads(result.out)]
    assert not [m for m in messages if "duplicate" in m]
    assert len([m for m in messages if "must use only lower-case letters" in m]) == 2


def test_a_misaligned_list_item_names_the_item_it_should_line_up_with(tmp_path: Path, cli) -> None:
    """One space too many before '- name:' gives the libyaml message plus the line and column to line up with."""
    text = TYPE_ERROR_AND_DUPLICATE.replace("      - name: Find a repair shop", "       - name: Find a repair shop")
    (tmp_path / "map.yaml").write_text(text, encoding="utf-8")
    result = cli("validate", str(tmp_path / "map.yaml"))
    assert result.code == EXIT_INVALID
    assert ("line 10 is indented 1 space more than the item above at line 8; items of one list must start in "
            "the same column (column 7)") in result.out


def test_a_colon_in_a_value_keeps_the_quoting_hint(tmp_path: Path, cli) -> None:
    """A well indented line with ': ' in its value is not blamed on indentation."""
    text = TYPE_ERROR_AND_DUPLICATE.replace("Pay the invoice", "Step 3: pay")
    (tmp_path / "map.yaml").write_text(text, encoding="utf-8")
    out = cli("validate", str(tmp_path / "map.yaml")).out
    assert "must be put in quotes" in out
    assert "indented" not in out


@given(st.text(alphabet=" -:#a\t\n", max_size=80), st.integers(min_value=-2, max_value=20))
def test_the_indentation_hint_never_fails(text: str, line: int) -> None:
    """Any text and any line number: a hint or none, never an exception."""
    hint = _indentation_hint(text, line)
    assert hint is None or hint.startswith(f"line {line} is indented")
