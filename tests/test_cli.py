"""The command line: validate, init and schema, exit codes, output formats, never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from cyclemap import __version__, cli
from cyclemap.cli import main
from cyclemap.cli.quick import FORMATS
from cyclemap.exit_codes import EXIT_INVALID
from cyclemap.loader import load_map
from cyclemap.render import LANDSCAPE, LAYOUTS, SUFFIXES
from cyclemap.report.problems import REPORTERS
from cyclemap.schema import schema_text
from cyclemap.templates import starter_map

REPO = Path(__file__).parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
SCHEMA = REPO / "schemas" / "cyclemap.schema.json"
COLON_CASE = REPO / "tests" / "cases" / "invalid" / "unquoted-colon-in-value"

# -- validate: exit codes and formats ---------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_map_is_valid(example: Path, cli) -> None:
    """The example maps are documentation: each one validates, exit 0."""
    result = cli("validate", str(example))
    assert result.code == 0, result.out
    assert result.out.startswith(f"ok {example}: valid map, ")


def test_invalid_map_exits_invalid_and_valid_and_invalid_are_all_reported(cli, small_map: str, write_map) -> None:
    """Several files are all checked; any invalid one makes the exit code EXIT_INVALID."""
    good = write_map(small_map, "good.yaml")
    bad = write_map("cyclemap: 1\n", "bad.yaml")
    result = cli("validate", str(good), str(bad))
    assert result.code == EXIT_INVALID
    assert f"ok {good}: valid map, 4 activities (1 scored), 2 levels deep" in result.out
    assert f"{bad}:1:1: error: missing required key 'title'" in result.out
    assert result.out.rstrip().endswith("Found 4 problems in 1 file.")


def test_unreadable_file_among_others_exits_2_after_checking_the_rest(cli, small_map: str, write_map) -> None:
    """A missing file is a usage error (exit 2), but the other files are still checked and reported."""
    good = write_map(small_map)
    result = cli("validate", str(good.parent / "missing.yaml"), str(good))
    assert result.code == 2
    assert f"cyclemap: error: {good.parent / 'missing.yaml'}: no such file" in result.err
    assert f"ok {good}: valid map" in result.out


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        ((), ""),
        (("validate",), "Missing argument"),
        (("validate", "--bogus", "map.yaml"), "No such option: --bogus"),
        (("validate", "--format", "xml", "map.yaml"), "choose one of text, json, github"),
        (("frobnicate",), "No such command 'frobnicate'"),
    ],
    ids=["no-command", "no-files", "unknown-option", "unknown-format", "unknown-command"],
)
def test_usage_errors_exit_2(args: tuple[str, ...], complaint: str, cli) -> None:
    """Bad options, missing files and unknown commands are usage errors: exit 2 and a hint."""
    result = cli(*args)
    assert result.code == 2
    assert complaint in result.err
    assert "Traceback" not in result.out + result.err


def test_environment_error_exits_3(cli, tmp_path: Path) -> None:
    """An output that cannot be written (missing folder) is an environment error: exit 3."""
    result = cli("init", str(tmp_path / "no" / "such" / "folder.yaml"))
    assert result.code == 3
    assert "does not exist" in result.err


def test_text_output_quotes_the_line_with_a_caret(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """People see the problem, the offending line and a caret under the column."""
    monkeypatch.chdir(COLON_CASE)
    result = cli("validate", "map.yaml")
    assert result.code == EXIT_INVALID
    assert result.out.splitlines()[:3] == [
        (COLON_CASE / "expected.txt").read_text(encoding="utf-8").strip(),
        "    2 | title: Step 1: book a repair",
        "      |              ^",
    ]


def test_text_output_names_the_path_in_the_map(cli, small_map: str, write_map) -> None:
    """Validation problems also say where in the map they are."""
    result = cli("validate", str(write_map(small_map.replace("importance: 6", "importance: 11"))))
    assert "   = in phases.pre.activities[0].importance" in result.out.splitlines()


def test_json_output_is_a_list_of_located_problems(cli, small_map: str, write_map) -> None:
    """`--format json` prints one JSON list; each problem has file, line, col, path and message."""
    path = write_map(small_map.replace("importance: 6", "importance: 11"))
    result = cli("validate", "--format", "json", str(path))
    assert result.code == EXIT_INVALID
    assert json.loads(result.out) == [
        {
            "file": str(path),
            "line": 9,
            "col": 21,
            "path": "phases.pre.activities[0].importance",
            "severity": "error",
            "message": "'importance': 11 is outside the map's scale of 1 to 10",
            "include_chain": [],
        }
    ]


def test_json_output_of_valid_maps_is_an_empty_list(cli, small_map: str, write_map) -> None:
    """A valid map gives `[]` in JSON, exit 0, so programs can always parse the output."""
    result = cli("validate", "-f", "json", str(write_map(small_map)))
    assert (result.code, json.loads(result.out)) == (0, [])


def test_github_output_is_one_annotation_per_problem(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--format github` prints workflow commands that annotate the file, line and column."""
    monkeypatch.chdir(COLON_CASE)
    result = cli("validate", "--format", "github", "map.yaml")
    assert result.code == EXIT_INVALID
    [line] = result.out.splitlines()
    assert line.startswith("::error file=map.yaml,line=2,col=14,title=cyclemap::invalid YAML: mapping values")


def test_every_case_gives_exit_invalid_and_no_traceback_in_every_format(invalid_case: Path, cli, monkeypatch) -> None:
    """Whatever is wrong with a map, the command reports it and exits EXIT_INVALID, in each format."""
    monkeypatch.chdir(invalid_case)
    lines = (invalid_case / "expected.txt").read_text(encoding="utf-8").splitlines()
    expected = [line for line in lines if not line.startswith("  included from ")]  # chains: see test_cases.py
    text = cli("validate", "map.yaml")
    assert text.code == EXIT_INVALID
    assert [line for line in text.out.splitlines() if re.match(r"\S.*:\d+:\d+: error: ", line)] == expected
    as_json = cli("validate", "--format", "json", "map.yaml")
    assert (as_json.code, len(json.loads(as_json.out))) == (EXIT_INVALID, len(expected))
    github = cli("validate", "--format", "github", "map.yaml")
    assert (github.code, len(github.out.splitlines())) == (EXIT_INVALID, len(expected))
    for result in (text, as_json, github):
        assert "Traceback" not in result.out + result.err
        assert result.err == ""


def test_standard_input_is_validated_with_dash(cli, small_map: str) -> None:
    """`cyclemap validate -` reads the map from standard input."""
    assert cli("validate", "-", stdin=small_map.encode()).out.startswith("ok -: valid map, 4 activities")
    result = cli("validate", "-", stdin=b"cyclemap: [\n")
    assert result.code == EXIT_INVALID
    assert result.out.startswith("-:2:1: error: invalid YAML")


def test_markup_and_terminal_escapes_in_a_map_are_shown_literally(cli, tmp_path: Path) -> None:
    """Text from the map (and its file name) is printed as written: no rich markup, no raw escapes."""
    path = tmp_path / "[bold]map.yaml"
    path.write_text('cyclemap: 1\n"[bold red]x[/] \\e[31m [link=https://example.com]y": 1\n"[/]": 2\n')
    result = cli("validate", str(path))
    assert result.code == EXIT_INVALID
    assert "\x1b" not in result.out
    assert "unknown key '[bold red]x[/] \\x1b[31m [link=https://example.com]y'" in result.out
    assert "unknown key '[/]'" in result.out
    assert f"{path}:2:1: error:" in result.out
    github = cli("validate", "--format", "github", str(path))
    assert "\x1b" not in github.out


def test_internal_errors_are_one_line_unless_debug(cli, small_map: str, write_map, monkeypatch) -> None:
    """A bug gives a one-line message and exit 70; `--debug` lets the traceback through."""

    def broken(path: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("cyclemap.loader.load_map", broken)
    path = str(write_map(small_map))
    result = cli("validate", path)
    assert result.code == 70
    assert "internal error (RuntimeError: boom)" in result.err
    assert "Traceback" not in result.err
    with pytest.raises(RuntimeError, match="boom"):
        cli("--debug", "validate", path)


def test_debug_is_accepted_for_normal_runs(cli, small_map: str, write_map) -> None:
    """`--debug` changes nothing when all goes well."""
    assert cli("--debug", "validate", str(write_map(small_map))).code == 0


# -- version, help, python -m ------------------------------------------------------


def test_version(cli) -> None:
    """`--version` prints the version and exits 0."""
    assert (cli("--version").code, cli("--version").out) == (0, f"cyclemap {__version__}\n")


def test_help_shows_examples_and_exit_codes(cli) -> None:
    """`--help` shows examples and documents the exit codes; so does each command's help."""
    result = cli("--help")
    assert result.code == 0
    assert "Examples" in result.out
    assert "cyclemap validate maps/*.yaml" in result.out
    assert "0 ok; 1 found something" in " ".join(result.out.split())
    assert "4 invalid map" in " ".join(result.out.split())
    for command in ("validate", "init", "schema"):
        assert cli(command, "--help").code == 0
    assert "cyclemap validate maps/*.yaml --format json" in cli("validate", "-h").out


def test_main_exits_with_the_code(small_map: str, write_map) -> None:
    """`main` ends the process with the documented exit code."""
    with pytest.raises(SystemExit) as done:
        main(["validate", str(write_map("cyclemap: 1\n"))])
    assert done.value.code == EXIT_INVALID


def test_python_dash_m_runs_the_command_line(run_cyclemap, small_map: str, write_map) -> None:
    """`python -m cyclemap` is the same command, with real exit codes."""
    assert run_cyclemap("--version").out == f"cyclemap {__version__}\n"
    result = run_cyclemap("validate", "-", stdin=b"cyclemap: 1\ncyclemap: 2\n")
    assert result.code == EXIT_INVALID
    assert "-:2:1: error: duplicate key 'cyclemap'" in result.out


# -- init ----------------------------------------------------------------------------


def test_init_writes_a_starter_map_that_validates(cli, tmp_path: Path) -> None:
    """`init FILE` writes the commented starter map, which is a valid map."""
    path = tmp_path / "solar.yaml"
    result = cli("init", str(path))
    assert result.code == 0
    assert path.read_text(encoding="utf-8") == starter_map()
    assert f"Wrote {path}" in result.err
    assert cli("validate", str(path)).code == 0
    assert len(list(load_map(str(path)).walk())) == 6


def test_init_defaults_to_cyclemap_yaml(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a file name, `init` writes cyclemap.yaml in the current folder."""
    monkeypatch.chdir(tmp_path)
    assert cli("init").code == 0
    assert (tmp_path / "cyclemap.yaml").read_text(encoding="utf-8") == starter_map()


def test_init_refuses_to_overwrite_without_force(cli, write_map) -> None:
    """`init` on an existing file exits 2 and leaves the file as it was."""
    path = write_map("my precious map\n")
    result = cli("init", str(path))
    assert result.code == 2
    assert f"cyclemap: error: {path} already exists; use --force to overwrite it" in result.err
    assert path.read_text() == "my precious map\n"


def test_init_overwrites_with_force(cli, write_map) -> None:
    """`init --force` replaces an existing file with the starter map."""
    path = write_map("old\n")
    assert cli("init", "--force", str(path)).code == 0
    assert path.read_text(encoding="utf-8") == starter_map()


def test_init_to_standard_output(cli) -> None:
    """`init -` prints the starter map instead of writing a file."""
    result = cli("init", "-")
    assert (result.code, result.out) == (0, starter_map())


def test_starter_map_is_commented_and_points_at_the_schema() -> None:
    """The starter map explains itself in comments and sets up editor completion."""
    text = starter_map()
    assert text.startswith("# yaml-language-server: $schema=")
    assert sum(1 for line in text.splitlines() if "#" in line) > 20


# -- schema ----------------------------------------------------------------------------


def test_committed_schema_is_current(cli) -> None:
    """schemas/cyclemap.schema.json is what `cyclemap schema` prints (regenerate it if this fails:
    `cyclemap schema -o schemas/cyclemap.schema.json`)."""
    result = cli("schema")
    assert result.code == 0
    assert result.out == SCHEMA.read_text(encoding="utf-8") == schema_text()


def test_schema_to_a_file(cli, tmp_path: Path) -> None:
    """`schema -o FILE` writes the same schema to the file."""
    assert cli("schema", "-o", str(tmp_path / "s.json")).code == 0
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == schema_text()


def test_schema_helps_editors() -> None:
    """The schema allows x- keys everywhere, describes fields and types scores as numbers."""
    schema = json.loads(schema_text())
    defs = schema["$defs"]
    for name in ("Activity", "Phase", "Phases", "Evidence", "Scale", "GapSettings"):
        assert defs[name]["patternProperties"] == {"^x-": {}}
        assert defs[name]["additionalProperties"] is False
    assert schema["patternProperties"] == {"^x-": {}}
    assert schema["properties"]["cyclemap"]["const"] == 1
    activity = defs["Activity"]["properties"]
    assert {"type": "number"} in activity["importance"]["anyOf"]
    assert (defs["Scale"]["properties"]["min"]["type"], defs["Scale"]["properties"]["min"]["minimum"]) == ("integer", 0)
    assert defs["GapSettings"]["properties"]["threshold"]["maximum"] == 20
    assert all("description" in field for field in activity.values())
    assert activity["id"]["anyOf"][0]["pattern"] == "^[a-z0-9][a-z0-9-]*$"


class _Yaml12Loader(yaml.SafeLoader):
    """Reads YAML roughly as editors do (1.2 core schema): dates stay text."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@pytest.mark.parametrize("example", [*EXAMPLES, "starter"], ids=[*(p.name for p in EXAMPLES), "starter"])
def test_schema_accepts_the_example_maps(example: Path | str) -> None:
    """An editor using the schema finds nothing wrong in the examples (needs jsonschema; skipped without)."""
    jsonschema = pytest.importorskip("jsonschema")
    text = starter_map() if example == "starter" else Path(example).read_text(encoding="utf-8")
    validator = jsonschema.Draft202012Validator(json.loads(schema_text()))
    assert [error.message for error in validator.iter_errors(yaml.load(text, Loader=_Yaml12Loader))] == []  # noqa: S506 - a SafeLoader


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_point_editors_at_the_committed_schema(example: Path) -> None:
    """Each example's first line is a yaml-language-server modeline naming the committed schema file."""
    first = example.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    assert (example.parent / first.removeprefix(prefix)).resolve() == SCHEMA.resolve()


def test_format_and_layout_choices_are_the_registries_keys() -> None:
    """Every --format and --layout choice the CLI offers has a reporter or layout behind it, and vice versa."""
    assert [c.value for c in cli.ProblemFormat] == list(REPORTERS) == list(FORMATS)
    assert [c.value for c in cli.RenderFormat] == list(SUFFIXES)
    assert [c.value for c in cli.Layout] == [*LAYOUTS, LANDSCAPE]
