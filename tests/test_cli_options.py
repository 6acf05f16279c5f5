"""Option values the commands refuse up front, and outputs that cannot be written: clear errors, never exit 70."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cyclemap.exit_codes import EXIT_ENVIRONMENT, EXIT_OK, EXIT_USAGE
from cyclemap.report.terminal import visible

REPO = Path(__file__).parent.parent
SOLAR = REPO / "examples" / "home-solar.yaml"
HAS_DEV_FULL = Path("/dev/full").exists()


# -- --timeout -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e9", "inf", "-inf", "nan", "-5", "0", "86401"])
@pytest.mark.parametrize("command", ["render", "workshop"])
def test_timeout_outside_its_range_is_a_usage_error_naming_the_range(
    command: str, value: str, cli, write_map: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--timeout 1e9`, `inf`, `nan` or a negative number: a usage error saying 1 to 86,400 seconds."""
    monkeypatch.setenv("COLUMNS", "200")
    path = write_map(SOLAR.read_text(encoding="utf-8"))
    result = cli(command, str(path), "--timeout", value, "-o", str(path.with_suffix(".out")))
    assert result.code == EXIT_USAGE, result.err
    assert "give a number of seconds from 1 to 86,400" in result.err
    assert "internal error" not in result.err
    assert sorted(p.name for p in path.parent.iterdir()) == ["map.yaml"]


@pytest.mark.parametrize("value", ["1", "2.5", "86400"])
def test_timeout_inside_its_range_is_accepted(value: str, cli, write_map: Callable[..., Path], small_map: str) -> None:
    """Any number of seconds from 1 to a day is fine."""
    path = write_map(small_map)
    assert cli("render", str(path), "-f", "dot", "--timeout", value).code == EXIT_OK


# -- -o '' -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("render", "{map}", "-o", ""), ("render", "{map}", "-o", " "), ("report", "{map}", "-o", ""),
     ("workshop", "{map}", "-o", ""), ("schema", "-o", ""), ("init", "")],
    ids=["render", "render-blank", "report", "workshop", "schema", "init"],
)
def test_empty_output_name_is_refused(args: tuple[str, ...], cli, write_map: Callable[..., Path], small_map: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """`-o ''` would quietly write next to the map (or into the current folder): a usage error instead."""
    monkeypatch.setenv("COLUMNS", "200")
    path = write_map(small_map)
    monkeypatch.chdir(path.parent)
    result = cli(*(arg.replace("{map}", str(path)) for arg in args))
    assert result.code == EXIT_USAGE, result.err
    assert "give a file name, or '-' for standard output" in result.err
    assert sorted(p.name for p in path.parent.iterdir()) == ["map.yaml"]


# -- two maps, one output file ---------------------------------------------------------


def test_two_maps_of_the_same_name_into_one_folder_are_refused_before_writing(
    cli, tmp_path: Path, small_map: str
) -> None:
    """`render x/m.yaml y/m.yaml -o out/` would write out/m.mmd twice: refused, nothing written."""
    for folder in ("x", "y", "out"):
        (tmp_path / folder).mkdir()
    (tmp_path / "x" / "m.yaml").write_text(small_map, encoding="utf-8")
    (tmp_path / "y" / "m.yaml").write_text(small_map.replace("Booking", "Cancelling"), encoding="utf-8")
    result = cli("render", str(tmp_path / "x" / "m.yaml"), str(tmp_path / "y" / "m.yaml"),
                 "-o", f"{tmp_path / 'out'}/", "-f", "mermaid")
    assert result.code == EXIT_USAGE
    assert f"would be drawn from both {tmp_path / 'x' / 'm.yaml'} and {tmp_path / 'y' / 'm.yaml'}" in result.err
    assert list((tmp_path / "out").iterdir()) == []


def test_maps_whose_diagrams_would_share_a_name_next_to_them_are_refused(cli, tmp_path: Path, small_map: str) -> None:
    """m.yaml and m.yml in one folder would both draw m.svg: refused rather than one lost."""
    (tmp_path / "m.yaml").write_text(small_map, encoding="utf-8")
    (tmp_path / "m.yml").write_text(small_map, encoding="utf-8")
    result = cli("render", str(tmp_path / "m.yaml"), str(tmp_path / "m.yml"), "-f", "dot")
    assert result.code == EXIT_USAGE
    assert "would be drawn from both" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.yaml", "m.yml"]


def test_the_same_map_named_twice_is_drawn_once(cli, write_map: Callable[..., Path], small_map: str) -> None:
    """Naming a map twice is no clash: one diagram, one message."""
    path = write_map(small_map)
    result = cli("render", str(path), str(path), "-f", "dot")
    assert result.code == EXIT_OK, result.err
    assert result.err.count("Wrote ") == 1


# -- a full device -------------------------------------------------------------------


def run_into_full_device(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m cyclemap ARGS > /dev/full`, with Python's own buffering (as in a user's shell)."""
    with Path("/dev/full").open("w") as full:
        return subprocess.run([sys.executable, "-m", "cyclemap", *args], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=60, check=False, env={"PATH": "/usr/bin:/bin"})


@pytest.mark.skipif(not HAS_DEV_FULL, reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "args",
    [("gaps", str(SOLAR)), ("gaps", str(SOLAR), "-f", "json"), ("gaps", str(SOLAR), "--fail-on-gaps"),
     ("validate", str(SOLAR)), ("render", str(SOLAR), "-f", "mermaid", "-o", "-"), ("schema",), ("--version",),
     ("--help",)],
    ids=["gaps-table", "gaps-json", "gaps-fail-on-gaps", "validate", "render-stdout", "schema", "version", "help"],
)
def test_standard_output_on_a_full_device_is_an_environment_error(args: tuple[str, ...]) -> None:
    """`cyclemap ... > /dev/full`: EXIT_ENVIRONMENT and one clear line, no traceback, no 'Exception ignored'."""
    done = run_into_full_device(*args)
    assert done.returncode == EXIT_ENVIRONMENT, done.stderr
    assert "cyclemap: error: cannot write to standard output: No space left on device" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr


@pytest.mark.skipif(not HAS_DEV_FULL, reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "args",
    [("render", str(SOLAR), "-f", "dot", "-o", "/dev/full"), ("report", str(SOLAR), "-o", "/dev/full"),
     ("schema", "-o", "/dev/full")],
    ids=["render", "report", "schema"],
)
def test_output_file_on_a_full_device_is_an_environment_error(args: tuple[str, ...], cli) -> None:
    """`-o /dev/full`: EXIT_ENVIRONMENT with the file named."""
    result = cli(*args)
    assert result.code == EXIT_ENVIRONMENT
    assert "/dev/full" in result.err
    assert "No space left on device" in result.err


# -- values echoed in usage errors --------------------------------------------------------


HOSTILE = "x\x1b[31mred"


@pytest.mark.parametrize(
    "args",
    [("gaps", str(SOLAR), "--kind", HOSTILE), ("workshop", str(SOLAR), "--sections", HOSTILE),
     ("workshop", str(SOLAR), "--date", HOSTILE)],
    ids=["kind", "sections", "date"],
)
def test_values_echoed_in_usage_errors_show_control_characters_visibly(
    args: tuple[str, ...], cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A terminal escape in an option value is echoed as a visible escape, never sent to the terminal."""
    monkeypatch.setenv("COLUMNS", "300")
    result = cli(*args)
    assert result.code == EXIT_USAGE
    assert "\x1b" not in result.err
    assert visible(HOSTILE) in result.err


# -- numbers and choices -------------------------------------------------------------

SCORE_OPTIONS = [("gaps", "--threshold"), ("gaps", "--min-score"), ("render", "--threshold"),
                 ("report", "--threshold"), ("diff", "--threshold"), ("workshop", "--threshold")]
COUNT_OPTIONS = [("gaps", "--top"), ("report", "--top"), ("render", "--depth"), ("report", "--depth")]
CHOICE_OPTIONS = [("validate", "--format", "text, json, github"), ("gaps", "--format", "table, markdown, json, csv"),
                  ("render", "--format", "svg, png, pdf, dot, mermaid"), ("render", "--layout", "cycle, flow"),
                  ("render", "--engine", "neato"), ("diff", "--format", "text, markdown, json"),
                  ("workshop", "--paper", "a4, a3, letter"), ("workshop", "--poster", "auto, fit, tiles")]
PYDANTIC_WORDING = ("Input should", "Value error", "unable to parse")


@pytest.fixture
def refused(cli, write_map: Callable[..., Path], small_map: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """`cyclemap COMMAND MAP [MAP] OPTION VALUE`, checked to be a usage error in our words; its message, one line.

    Output, if any were written, would go beside the map: the check also finds nothing written there.
    """
    monkeypatch.setenv("COLUMNS", "300")

    def run(command: str, option: str, value: str) -> str:
        path = write_map(small_map)
        maps = [str(path), str(path)] if command == "diff" else [str(path)]
        out = ["-o", str(path.with_suffix(".out"))] if command in {"render", "report", "workshop"} else []
        result = cli(command, *maps, option, value, *out)
        assert result.code == EXIT_USAGE, result.err
        assert f"Invalid value for '{option}'" in result.err
        assert not any(words in result.err for words in PYDANTIC_WORDING)
        assert sorted(p.name for p in path.parent.iterdir()) == ["map.yaml"]
        return str(result.err)

    return run


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "-1", "20.5", "x", ""])
@pytest.mark.parametrize(("command", "option"), SCORE_OPTIONS, ids=[" ".join(o) for o in SCORE_OPTIONS])
def test_a_score_outside_0_to_20_is_a_usage_error_naming_the_range_and_the_value(
    command: str, option: str, value: str, refused: Callable[..., str]
) -> None:
    """`gaps --min-score nan` matched nothing (exit 0); `--threshold nan` said 'less than or equal to 20'."""
    assert f"'{option}': give a score from 0 to 20, not '{value}'" in refused(command, option, value)


@pytest.mark.parametrize("value", ["x", "-1", "1.5", "1e3", "nan", "٣", "9" * 19, "9" * 5000])
@pytest.mark.parametrize(("command", "option"), COUNT_OPTIONS, ids=[" ".join(o) for o in COUNT_OPTIONS])
def test_a_count_that_is_not_a_whole_number_is_a_plain_usage_error(
    command: str, option: str, value: str, refused: Callable[..., str]
) -> None:
    said = refused(command, option, value)
    assert "give a whole number" in said
    assert f"not '{value[:39]}" in said


@pytest.mark.parametrize(("command", "option", "choices"), CHOICE_OPTIONS,
                         ids=[" ".join(o[:2]) for o in CHOICE_OPTIONS])
def test_an_unknown_choice_is_a_usage_error_listing_the_choices(
    command: str, option: str, choices: str, refused: Callable[..., str]
) -> None:
    said = refused(command, option, "x\x1b[31m")
    assert f"choose one of {choices}" in said
    assert "not 'x\\x1b[31m'" in said


def test_minus_zero_reads_as_zero(cli, write_map: Callable[..., Path], small_map: str) -> None:
    path = write_map(small_map)
    result = cli("gaps", str(path), "--threshold", "-0", "--min-score", "-0", "--top", "00", "-f", "json")
    assert result.code == EXIT_OK, result.err
    assert '"threshold": 0.0' in result.out
