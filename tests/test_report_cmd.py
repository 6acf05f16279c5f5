"""Working with git and CI: `cyclemap report`, `render --update`, the pre-commit hooks, GitHub annotations.

The report's golden page lives in tests/golden/report/; after reviewing a change
in the page, rewrite it with::

    .venv/bin/python tests/regen_golden.py report/
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cyclemap.exit_codes import EXIT_INVALID
from cyclemap.loader import load_map
from cyclemap.render import RenderOptions, render_map
from cyclemap.render.mermaid import render_mermaid
from cyclemap.render.refresh import existing_diagrams, same_diagram
from cyclemap.render.scene import build_scene
from cyclemap.report import document
from cyclemap.report.problems import github_escape

ROOT = Path(__file__).resolve().parent.parent
SOLAR = ROOT / "examples" / "home-solar.yaml"
GOLDEN_PAGE = ROOT / "tests" / "golden" / "report" / "home-solar.md"
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
README = ROOT / "README.md"
HAS_GRAPHVIZ = shutil.which("neato") is not None
needs_graphviz = pytest.mark.skipif(not HAS_GRAPHVIZ, reason="Graphviz is not installed")
Cli = Callable[..., Any]

HOSTILE = """\
cyclemap: 1
title: "```\\n# Heading? `code` <script>x</script> | *bold* & [a](b)"
customer: "- a list?\\n~~~"
outcome: "1. numbered? %% not a comment; \\"quoted\\" #35;"
owner: "> a quote?"
description: "    indented code?\\n\\n---\\nend"
phases:
  pre:
    label: "end"
    activities:
      - name: "```"
        importance: 9
        satisfaction: 2
        pains: ["|pipe|"]
        subcycle:
          - name: "~~~ graph TD; A-->B"
  during:
    label: "[x] <b>bold</b> \\\\N"
    activities:
      - name: "bell \\a and\\ttab"
  post:
    activities: []
"""


def _fences(page: str) -> list[tuple[int, int]]:
    """(start, end) line numbers of each ```mermaid fence of the page."""
    lines = page.splitlines()
    found, at = [], 0
    while "```mermaid" in lines[at:]:
        start = lines.index("```mermaid", at)
        at = lines.index("```", start + 1)
        found.append((start, at))
        at += 1
    return found


def _fenced(page: str) -> list[str]:
    """The lines inside the page's cycle diagram fence: the first, and the only flowchart (the other is the
    landscape's quadrantChart)."""
    lines = page.splitlines()
    fences = _fences(page)
    assert [lines[start + 1] for start, _ in fences] == ["---", "quadrantChart"]
    start, end = fences[0]
    return lines[start + 1 : end]


def _outside_fence(page: str) -> list[str]:
    lines = page.splitlines()
    kept, at = [], 0
    for start, end in _fences(page):
        kept += lines[at:start]
        at = end + 1
    return kept + lines[at:]


# -- cyclemap report ----------------------------------------------------------------------------


def test_report_of_example_matches_golden_page(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cyclemap report examples/home-solar.yaml` prints the reviewed golden Markdown page, exit 0."""
    monkeypatch.chdir(ROOT)
    result = cli("report", "examples/home-solar.yaml")
    assert (result.code, result.err) == (0, "")
    assert result.out == GOLDEN_PAGE.read_text(encoding="utf-8")


def test_golden_page_is_regenerated_by_the_golden_script() -> None:
    """tests/regen_golden.py knows the report page, so one command refreshes every golden file."""
    spec = importlib.util.spec_from_file_location("regen_golden", ROOT / "tests" / "regen_golden.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert "report/home-solar.md" in module.GOLDEN


def test_report_is_byte_identical_in_another_process(tmp_path: Path) -> None:
    """A separate process with another hash seed writes the same bytes to -o: no dates, stable order."""
    target = tmp_path / "page.md"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-m", "cyclemap", "report", "examples/home-solar.yaml", "-o", str(target)],
        cwd=ROOT, env=env, capture_output=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == GOLDEN_PAGE.read_bytes()
    assert done.stderr.decode() == f"Wrote {target}\n"


def test_page_has_title_details_diagram_counts_and_gaps_in_order() -> None:
    """The page reads: H1 title, customer/outcome/owner, description, the cycle, counts per phase, the landscape,
    gaps, activities."""
    page = document.map_document(load_map(str(SOLAR)), "home-solar.yaml")
    lines = page.splitlines()
    assert lines[0] == "# Rooftop solar for homeowners"
    assert "- **Customer:** Homeowners considering rooftop solar" in lines
    assert "- **Outcome:** A home that runs on cheap, clean energy" in lines
    assert "- **Owner:** Residential energy team" in lines
    headings = [line for line in lines if line.startswith("#")]
    assert headings == [lines[0], "## The cycle", "## Activities per phase", "## Opportunity landscape",
                        "## Opportunity gaps", "## Activities", "### Deciding", "### Installing", "### Living with it"]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page)  # no date: the page only changes when the map does


def test_diagram_is_the_mermaid_of_render(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fenced diagram is exactly what `cyclemap render -f mermaid` draws for the map."""
    monkeypatch.chdir(ROOT)
    page = cli("report", "examples/home-solar.yaml").out
    drawn = cli("render", "examples/home-solar.yaml", "-f", "mermaid", "-o", "-").out
    assert _fenced(page) == drawn.splitlines()


def test_gap_table_is_the_one_gaps_markdown_prints(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ranked table rows are those of `cyclemap gaps --format markdown` (one reporter, not two)."""
    monkeypatch.chdir(ROOT)
    page = cli("report", "examples/home-solar.yaml").out.split("\n## Activities\n")[0]
    gaps = cli("gaps", "examples/home-solar.yaml", "--format", "markdown").out
    table = [line for line in gaps.splitlines() if line.startswith("|")]
    assert len(table) > 10
    assert [line for line in page.splitlines() if line.startswith(("| #", "|--:", "| 1 |", "| 2"))] == [
        line for line in table if line.startswith(("| #", "|--:", "| 1 |", "| 2"))
    ]
    assert "\n".join(table) in page


def test_counts_per_phase_add_up_to_the_map() -> None:
    """The per-phase table counts every activity once, and its total row matches the map."""
    cmap = load_map(str(SOLAR))
    page = document.map_document(cmap, "home-solar.yaml")
    rows = [line for line in page.splitlines() if line.startswith(("| Deciding", "| Installing", "| Living"))]
    assert [int(row.split("|")[2]) for row in rows] == [19, 12, 17]
    total = next(line for line in page.splitlines() if line.startswith("| **All**"))
    assert total.split("|")[2].strip() == f"**{len(list(cmap.walk()))}**"


def test_top_limits_the_listed_gaps(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--top 3` lists the three most urgent gaps and says how many there are in all."""
    monkeypatch.chdir(ROOT)
    page = cli("report", "examples/home-solar.yaml", "--top", "3").out.split("\n## Activities\n")[0]
    ranks = [line.split("|")[1].strip() for line in page.splitlines() if re.match(r"\| \d+ \|", line)]
    assert ranks == ["1", "2", "3"]
    assert "3 of 46 gaps shown" in page


def test_hostile_text_stays_literal_and_inside_the_fence(write_map: Callable[..., Path]) -> None:
    """Backticks, fences, list and heading markers, pipes and HTML in a map cannot break the page."""
    path = write_map(HOSTILE)
    page = document.map_document(load_map(str(path)), str(path))
    fenced = _fenced(page)
    assert all("`" not in line and not line.lstrip().startswith("~~~") for line in fenced)
    outside = _outside_fence(page)
    assert outside[0] == r"# \`\`\`<br># Heading? \`code\` \<script>x\</script> \| \*bold\* \& \[a\](b)"
    assert r"- **Customer:** \- a list?<br>\~\~\~" in outside
    assert r"- **Outcome:** 1\. numbered? %% not a comment; " + '"quoted" #&#8203;35;' in outside  # not issue 35
    assert r"- **Owner:** \> a quote?" in outside
    assert r"indented code?<br><br>---<br>end" in outside  # one paragraph, no code block or rule
    assert not any(line.startswith(("```", "~~~", "<")) for line in outside)
    assert r"| 0 | 0 | 0 | 0 | 1 |" in page  # the empty post phase still gets its row
    assert "\x07" not in page
    assert r"bell \\x07 and" in page  # control characters shown as \x07 (its backslash escaped), as in the terminal


def test_small_mermaid_limit_collapses_subcycles_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past GitHub's Mermaid limits the page drops the deepest subcycle level first, with a note."""
    cmap = load_map(str(SOLAR))
    whole = render_mermaid(build_scene(cmap))
    monkeypatch.setattr(document, "MERMAID_MAX_TEXT", len(whole) - 1)
    page = document.map_document(cmap, "home-solar.yaml")
    assert _fenced(page) == render_mermaid(build_scene(cmap, 1)).splitlines()
    assert "The diagram shows 1 level of subcycles" in page
    assert "names the worst gap among them (■ worst inside: ...)" in page
    assert "■</span></span> worst inside#58;" in "\n".join(_fenced(page))  # as the collapsed nodes say it


def test_map_too_large_for_mermaid_gets_a_note_instead_of_a_diagram(monkeypatch: pytest.MonkeyPatch) -> None:
    """When even the top level does not fit, the page says to use `cyclemap render` and has no fence."""
    monkeypatch.setattr(document, "MERMAID_MAX_EDGES", 3)
    page = document.map_document(load_map(str(SOLAR)), "home-solar.yaml")
    assert "flowchart" not in page and len(_fences(page)) == 1  # the landscape's chart only
    assert "too large for a Mermaid diagram" in page
    assert "## Opportunity gaps" in page


def test_depth_option_chooses_the_collapsed_level(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--depth 0` shows top-level activities only, with the hidden counts, and no note."""
    monkeypatch.chdir(ROOT)
    page = cli("report", "examples/home-solar.yaml", "--depth", "0").out
    fenced = "\n".join(_fenced(page))
    assert " --- " not in fenced
    assert "more in subcycle" in fenced
    assert "The diagram shows" not in page


def test_output_file_is_written_and_input_map_never_overwritten(cli: Cli, write_map: Callable[..., Path]) -> None:
    """`-o page.md` writes the page; `-o` onto the map itself is refused with exit 2, the map intact."""
    path = write_map(HOSTILE)
    target = path.with_suffix(".md")
    result = cli("report", str(path), "-o", str(target))
    assert (result.code, result.out) == (0, "")
    assert target.read_text(encoding="utf-8").startswith("# ")
    refused = cli("report", str(path), "-o", str(path))
    assert refused.code == 2
    assert "refusing to overwrite an input map" in refused.err
    assert path.read_text(encoding="utf-8") == HOSTILE


def test_invalid_map_exits_invalid_with_location_and_writes_nothing(cli: Cli, write_map: Callable[..., Path]) -> None:
    """An invalid map gives file:line:col on stderr, exit EXIT_INVALID, and leaves an existing page untouched."""
    path = write_map(HOSTILE.replace("importance: 9", "importance: 11"))
    target = path.with_suffix(".md")
    target.write_text("old page\n", encoding="utf-8")
    result = cli("report", str(path), "-o", str(target))
    assert result.code == EXIT_INVALID
    assert f"{path}:12:21: error: 'importance': 11 is outside the map's scale" in result.err
    assert "Traceback" not in result.err
    assert target.read_text(encoding="utf-8") == "old page\n"


def test_standard_input_is_named_in_the_footer(cli: Cli) -> None:
    """`cyclemap report -` reads the map from standard input and says so at the end of the page."""
    result = cli("report", "-", stdin=SOLAR.read_bytes())
    assert result.code == 0
    assert "from standard input" in result.out.splitlines()[-1]


def test_report_help_has_examples(cli: Cli) -> None:
    """`cyclemap report --help` explains the command with examples."""
    result = cli("report", "--help")
    assert result.code == 0
    assert "cyclemap report map.yaml -o map.md" in result.out


# -- render --update --------------------------------------------------------------------------------


@pytest.fixture
def drawn(write_map: Callable[..., Path], small_map: str, cli: Cli) -> Path:
    """A map with a committed Mermaid and DOT diagram next to it (no Graphviz needed)."""
    path = write_map(small_map)
    for fmt in ("mermaid", "dot"):
        assert cli("render", str(path), "-f", fmt, "-q").code == 0
    return path


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


def test_update_leaves_up_to_date_diagrams_untouched(drawn: Path, cli: Cli) -> None:
    """With nothing changed, `--update` rewrites no file (same inode and time) and says nothing."""
    before = {p: _stamp(p) for p in drawn.parent.iterdir()}
    result = cli("render", "--update", str(drawn))
    assert (result.code, result.err) == (0, "")
    assert {p: _stamp(p) for p in drawn.parent.iterdir()} == before


def test_update_redraws_stale_diagrams_and_creates_no_new_ones(drawn: Path, cli: Cli) -> None:
    """After the map changes, each existing diagram is redrawn in its own format; no SVG appears."""
    drawn.write_text(drawn.read_text().replace("Pay the invoice", "Pay the bill"))
    result = cli("render", "-u", str(drawn))
    assert result.code == 0
    assert result.err.splitlines() == [
        f"Updated {drawn.with_suffix('.dot')} (cycle layout, dot)",
        f"Updated {drawn.with_suffix('.mmd')} (mermaid)",
    ]
    cmap = load_map(str(drawn))
    assert drawn.with_suffix(".mmd").read_bytes() == render_map(cmap, RenderOptions(fmt="mermaid"))
    assert drawn.with_suffix(".dot").read_bytes() == render_map(cmap, RenderOptions(fmt="dot"))
    assert sorted(p.suffix for p in drawn.parent.iterdir()) == [".dot", ".mmd", ".yaml"]


def test_update_draws_with_the_given_options(drawn: Path, cli: Cli) -> None:
    """`--update --layout flow -f dot` redraws only the DOT file, in the flow layout."""
    mermaid = _stamp(drawn.with_suffix(".mmd"))
    assert cli("render", "--update", "--layout", "flow", "-f", "dot", str(drawn)).code == 0
    expected = render_map(load_map(str(drawn)), RenderOptions(fmt="dot", layout="flow"))
    assert drawn.with_suffix(".dot").read_bytes() == expected
    assert _stamp(drawn.with_suffix(".mmd")) == mermaid


def test_update_looks_in_the_output_folder(drawn: Path, cli: Cli, tmp_path: Path) -> None:
    """With `-o FOLDER`, the diagrams refreshed are FOLDER/MAP.suffix, not those next to the map."""
    folder = tmp_path / "diagrams"
    folder.mkdir()
    (folder / "map.mmd").write_text("stale\n")
    next_to_map = _stamp(drawn.with_suffix(".mmd"))
    assert cli("render", "--update", str(drawn), "-o", str(folder)).code == 0
    assert (folder / "map.mmd").read_bytes() == drawn.with_suffix(".mmd").read_bytes()
    assert _stamp(drawn.with_suffix(".mmd")) == next_to_map
    assert sorted(p.name for p in folder.iterdir()) == ["map.mmd"]


def test_update_of_an_invalid_map_reports_once_and_keeps_diagrams(drawn: Path, cli: Cli) -> None:
    """An invalid map: its problems once on stderr (though it has two diagrams), exit EXIT_INVALID, files kept."""
    drawn.write_text(drawn.read_text().replace("importance: 6", "importance: 60"))
    before = {p: p.read_bytes() for p in drawn.parent.iterdir() if p.suffix != ".yaml"}
    result = cli("render", "--update", str(drawn))
    assert result.code == EXIT_INVALID
    assert result.err.count("'importance': 60 is outside the map's scale") == 1
    assert {p: p.read_bytes() for p in before} == before


def test_update_of_a_map_without_diagrams_notes_it_and_writes_nothing(
    cli: Cli, write_map: Callable[..., Path], small_map: str
) -> None:
    """A map with no diagram yet: a note saying how to make one, exit 0, no file created."""
    path = write_map(small_map)
    result = cli("render", "--update", str(path))
    assert result.code == 0
    assert "has no diagram to update (render it once without --update)" in result.err
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert cli("render", "--update", "-q", str(path)).err == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-o", "-"), "-o must be the folder that holds the diagrams"),
        (("-o", "one.svg"), "-o must be the folder that holds the diagrams"),
        (("-",), "not of standard input"),
        (("missing.yaml",), "missing.yaml: no such map file"),
    ],
)
def test_update_usage_errors_exit_2(args: tuple[str, ...], message: str, drawn: Path, cli: Cli,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """`--update` needs map files and, with -o, the folder of their diagrams; else exit 2 and why."""
    monkeypatch.chdir(drawn.parent)
    maps = () if args[0] in ("-", "missing.yaml") else ("map.yaml",)
    result = cli("render", "--update", *maps, *args)
    assert result.code == 2
    assert message in re.sub(r"[│\s]+", " ", result.out + result.err)  # the message may wrap inside a box


def test_two_maps_with_one_diagram_name_are_refused(drawn: Path, cli: Cli) -> None:
    """map.yaml and map.yml would both redraw map.mmd: refused with exit 2, nothing written."""
    twin = drawn.with_suffix(".yml")
    twin.write_text(drawn.read_text().replace("Pay the invoice", "Pay cash"))
    before = drawn.with_suffix(".mmd").read_bytes()
    result = cli("render", "--update", str(drawn), str(twin))
    assert result.code == 2
    assert "would be drawn from both" in result.err
    assert drawn.with_suffix(".mmd").read_bytes() == before


def test_existing_diagrams_are_found_by_suffix_in_a_stable_order(tmp_path: Path) -> None:
    """Every diagram suffix next to a map counts (.gv as DOT); other files and folders do not."""
    for name in ("m.svg", "m.gv", "m.mmd", "m.pdf", "m.txt", "other.svg"):
        (tmp_path / name).write_text("x")
    (tmp_path / "m.png").mkdir()
    found = existing_diagrams(str(tmp_path / "m.yaml"))
    assert found == [(str(tmp_path / n), f) for n, f in (("m.gv", "dot"), ("m.mmd", "mermaid"), ("m.pdf", "pdf"),
                                                         ("m.svg", "svg"))]
    assert existing_diagrams(str(tmp_path / "m.yaml"), fmt="svg") == [(str(tmp_path / "m.svg"), "svg")]


def test_pdfs_differing_only_in_their_date_are_the_same_diagram() -> None:
    """A PDF's CreationDate (whose length follows the time zone) does not make it stale; content does."""
    old = b"%PDF-1.5\n1 0 obj << /Title (A) /CreationDate (D:20260101120000Z) >>\nxref\n0 2\n0000000009\n%%EOF"
    moved = b"%PDF-1.5\n1 0 obj << /Title (A) /CreationDate (D:20270202130000+01'00) >>\nxref\n0 2\n0000000015\n%%EOF"
    edited = old.replace(b"(A)", b"(B)")
    assert same_diagram(old, moved, "pdf")
    assert not same_diagram(old, edited, "pdf")
    assert not same_diagram(old, moved, "svg")  # only PDFs get this allowance


@needs_graphviz
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_graphviz_diagrams_redrawn_unchanged_are_left_alone(fmt: str, drawn: Path, cli: Cli,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """SVG and PNG re-render byte for byte; a PDF drawn in another time zone counts as unchanged."""
    monkeypatch.setenv("TZ", "UTC")
    assert cli("render", str(drawn), "-f", fmt, "-q").code == 0
    target = drawn.with_suffix(f".{fmt}")
    before = _stamp(target)
    monkeypatch.setenv("TZ", "Pacific/Chatham")  # +12:45 or +13:45: a longer date in the PDF
    result = cli("render", "--update", "-f", fmt, str(drawn))
    assert (result.code, result.err) == (0, "")
    assert _stamp(target) == before


# -- the pre-commit hooks ---------------------------------------------------------------------------


def _hooks() -> dict[str, dict[str, Any]]:
    hooks = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return {hook["id"]: hook for hook in hooks}


def test_hooks_file_declares_validate_fmt_and_render_python_hooks() -> None:
    """.pre-commit-hooks.yaml is a YAML list of the three hooks, each complete and installed with pip."""
    hooks = _hooks()
    assert sorted(hooks) == ["cyclemap-fmt", "cyclemap-render", "cyclemap-validate"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    for hook in hooks.values():
        assert {"id", "name", "description", "entry", "language", "files"} <= set(hook)
        assert hook["language"] == "python"
        assert shlex.split(hook["entry"])[0] in scripts


@pytest.mark.parametrize(
    ("path", "matched"),
    [
        ("cyclemap.yaml", True),
        ("maps/solar.cyclemap.yaml", True),
        ("deep/er/cyclemap.yml", True),
        ("other.yaml", False),
        ("mycyclemap.yaml", False),
        (".pre-commit-config.yaml", False),
        ("cyclemap.yaml.orig", False),
        ("maps/solar.cyclemap.svg", False),
    ],
)
def test_hooks_look_at_maps_named_cyclemap(path: str, matched: bool) -> None:
    """By default the hooks see cyclemap.yaml and NAME.cyclemap.yaml (pre-commit's re.search on the path)."""
    for hook in _hooks().values():
        assert bool(re.search(hook["files"], path)) is matched


def test_validate_hook_entry_checks_the_maps_it_is_given(cli: Cli, write_map: Callable[..., Path],
                                                         small_map: str) -> None:
    """The validate hook's command passes a valid map (exit 0) and stops an invalid one (exit EXIT_INVALID)."""
    entry = shlex.split(_hooks()["cyclemap-validate"]["entry"])[1:]
    good = write_map(small_map, "good.cyclemap.yaml")
    bad = write_map(small_map.replace("importance: 6", "importance: 0"), "bad.cyclemap.yaml")
    assert cli(*entry, str(good)).code == 0
    result = cli(*entry, str(good), str(bad))
    assert result.code == EXIT_INVALID
    assert f"{bad}:9:21: error:" in result.out


def test_render_hook_entry_refreshes_only_stale_diagrams(drawn: Path, cli: Cli) -> None:
    """The render hook's command, as pre-commit runs it (entry + args + files), redraws stale diagrams."""
    entry = shlex.split(_hooks()["cyclemap-render"]["entry"])[1:]
    assert cli(*entry, "--layout", "cycle", str(drawn)).err == ""
    drawn.with_suffix(".mmd").write_text("stale\n")
    assert cli(*entry, str(drawn)).code == 0
    assert drawn.with_suffix(".mmd").read_bytes() == render_map(load_map(str(drawn)), RenderOptions(fmt="mermaid"))


def _readme_section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def _yaml_blocks(section: str) -> list[Any]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)]


def test_readme_pre_commit_config_uses_the_hooks_this_repository_declares() -> None:
    """README's .pre-commit-config.yaml is valid YAML naming exactly the hooks in .pre-commit-hooks.yaml."""
    [config] = _yaml_blocks(_readme_section("Use with pre-commit"))
    [repo] = config["repos"]
    assert {"repo", "rev", "hooks"} <= set(repo)
    assert sorted(hook["id"] for hook in repo["hooks"]) == sorted(_hooks())


def test_readme_workflow_commands_run_on_the_examples(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each cyclemap command of README's GitHub Actions workflow runs (on the examples) and prints annotations."""
    [workflow] = _yaml_blocks(_readme_section("GitHub Actions"))
    steps = workflow["jobs"]["check"]["steps"]
    commands = [line.strip() for step in steps for line in step.get("run", "").splitlines()
                if line.strip().startswith("cyclemap ")]
    assert len(commands) == 2
    monkeypatch.chdir(ROOT)
    examples = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*.yaml"))
    for command in commands:
        args = shlex.split(command)[1:]
        run = [examples if a == "maps/*.yaml" else ["examples/"] if a == "maps/" else [a] for a in args]
        result = cli(*[part for arg in run for part in arg])
        assert result.code in (0, 1), result.err
        assert all(line.startswith(("::error ", "::warning ")) for line in result.out.splitlines())


# -- GitHub annotations -----------------------------------------------------------------------------


def test_github_escape_follows_the_workflow_command_rules() -> None:
    """Data escapes % CR LF; property values also escape : and , (as GitHub's toolkit does)."""
    assert github_escape("100% a:b, c\r\nd") == "100%25 a:b, c%0D%0Ad"
    assert github_escape("100% a:b, c\r\nd", prop=True) == "100%25 a%3Ab%2C c%0D%0Ad"
    assert github_escape("%0A") == "%250A"  # escaped first, so written text never turns into a newline


def test_validate_annotations_escape_file_and_message(cli: Cli, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A file named 'a,b:c%.yaml' and a key holding a newline give one escaped ::error line each."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "maps"
    folder.mkdir()
    (folder / "a,b:c%.yaml").write_text('cyclemap: 1\n"x\\n::warning::injected": 1\n', encoding="utf-8")
    result = cli("validate", "--format", "github", "maps/a,b:c%.yaml")
    assert result.code == EXIT_INVALID
    lines = result.out.splitlines()
    assert all(line.startswith("::error file=maps/a%2Cb%3Ac%25.yaml,line=") for line in lines)
    assert "::error file=maps/a%2Cb%3Ac%25.yaml,line=2,col=1,title=cyclemap::unknown key 'x%0A::warning::injected'" in (
        "\n".join(lines)
    )


def test_gaps_github_annotates_an_invalid_map_with_errors(cli: Cli, write_map: Callable[..., Path],
                                                          small_map: str) -> None:
    """`gaps --format github` on an invalid map prints ::error annotations (for the job log), exit EXIT_INVALID."""
    path = write_map(small_map.replace("importance: 6", "importance: 60"))
    result = cli("gaps", str(path), "--format", "github", "--fail-on-gaps")
    assert result.code == EXIT_INVALID
    assert result.out.startswith(f"::error file={path},line=9,col=21,title=cyclemap::'importance': 60")
    assert result.err == ""


def test_gaps_github_with_fail_on_gaps_errors_at_activities_and_exits_1(cli: Cli, monkeypatch: pytest.MonkeyPatch
                                                                       ) -> None:
    """`gaps --format github --fail-on-gaps` prints one ::error per gap, with the path as given, exit 1."""
    monkeypatch.chdir(ROOT)
    result = cli("gaps", "examples/home-solar.yaml", "--format", "github", "--min-score", "15", "--fail-on-gaps")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("::error file=examples/home-solar.yaml,line=") for line in lines)
    assert cli("gaps", "examples/home-solar.yaml", "-f", "github", "--min-score", "19", "--fail-on-gaps").code == 0
    without = cli("gaps", "examples/home-solar.yaml", "--format", "github", "--min-score", "15").out.splitlines()
    assert all(line.startswith("::warning file=examples/home-solar.yaml,line=") for line in without)
