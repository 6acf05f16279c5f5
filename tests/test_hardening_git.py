"""Maps read at a git revision, and git called safely.

- Symbolic links inside the repository are followed at a revision as on disk:
  a linked folder (`maps/shared -> parts`), a linked map folder, links in a
  chain; links leading out of the map's folder and loops are refused cleanly.
- No setting of a repository (core.fsmonitor, a clean filter, hooks) runs a
  program when cyclemap calls git: workshop, diff --rev, render
  --highlight-changes-since.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import SMALL_MAP

from cyclemap.exit_codes import EXIT_FOUND, EXIT_INVALID, EXIT_OK, EXIT_USAGE
from cyclemap.workshop.provenance import git_revision

pytestmark = pytest.mark.skipif(shutil.which("git") is None or not hasattr(os, "symlink"),
                                reason="needs git and symbolic links")

ROOT = """\
cyclemap: 1
title: T
customer: C
outcome: O
phases:
  pre:
    activities:
      - include: shared/pre.yaml
  during:
    activities:
      - name: Do it
        offerings: [Ours]
  post:
    activities:
      - name: Review
        offerings: [Ours]
"""
PART = "- name: Choose\n  offerings: [Ours]\n"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, timeout=30)
    return done.stdout.decode()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty git repository, the current folder, with no user or system configuration."""
    for key, value in {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
                       "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
                       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    yield root


def commit(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "maps")


# -- symbolic links at a revision --------------------------------------------------------------------


def test_a_linked_folder_inside_the_maps_folder_is_followed_at_a_revision(cli, repo: Path) -> None:
    """maps/shared -> parts: the include shared/pre.yaml reads at a revision as it does on disk."""
    (repo / "maps" / "parts").mkdir(parents=True)
    (repo / "maps" / "parts" / "pre.yaml").write_text(PART, encoding="utf-8")
    (repo / "maps" / "shared").symlink_to("parts", target_is_directory=True)
    (repo / "maps" / "map.yaml").write_text(ROOT, encoding="utf-8")
    commit(repo)
    assert cli("validate", "maps/map.yaml").code == EXIT_OK
    result = cli("diff", "--rev", "HEAD", "maps/map.yaml", "--exit-code")
    assert result.code == EXIT_OK, result.err
    result = cli("render", "maps/map.yaml", "--highlight-changes-since", "HEAD", "-f", "dot", "-o", "-")
    assert result.code == EXIT_OK, result.err
    assert result.out.count("<B>NEW</B>") == 1  # in the key only: no activity is new


def test_a_chain_of_links_and_a_linked_map_folder_are_followed_at_a_revision(cli, repo: Path) -> None:
    """current -> v2 (the map's folder), v2/shared -> sub/../common/parts, a link to a link: read as on disk."""
    (repo / "v2" / "common" / "parts").mkdir(parents=True)
    (repo / "v2" / "sub").mkdir()
    (repo / "v2" / "sub" / "keep.txt").write_text("", encoding="utf-8")
    (repo / "v2" / "common" / "parts" / "real.yaml").write_text(PART, encoding="utf-8")
    (repo / "v2" / "common" / "parts" / "pre.yaml").symlink_to("real.yaml")
    (repo / "v2" / "shared").symlink_to("sub/../common/parts", target_is_directory=True)
    (repo / "v2" / "map.yaml").write_text(ROOT, encoding="utf-8")
    (repo / "current").symlink_to("v2", target_is_directory=True)
    commit(repo)
    assert cli("validate", "current/map.yaml").code == EXIT_OK
    result = cli("diff", "HEAD:current/map.yaml", "v2/map.yaml", "--exit-code")
    assert result.code == EXIT_OK, result.err


def test_a_linked_folder_leading_out_of_the_maps_folder_is_refused_at_a_revision(cli, repo: Path) -> None:
    """maps/shared -> ../elsewhere: a located problem naming the link, as on disk (where it is refused too)."""
    (repo / "elsewhere").mkdir()
    (repo / "elsewhere" / "pre.yaml").write_text(PART, encoding="utf-8")
    (repo / "maps").mkdir()
    (repo / "maps" / "shared").symlink_to("../elsewhere", target_is_directory=True)
    (repo / "maps" / "map.yaml").write_text(ROOT, encoding="utf-8")
    commit(repo)
    disk = cli("validate", "maps/map.yaml")
    assert disk.code == EXIT_INVALID
    result = cli("diff", "HEAD:maps/map.yaml", "maps/map.yaml")
    assert result.code == EXIT_INVALID
    assert re.search(r"HEAD:maps/map\.yaml:8:\d+: error: cannot include 'shared/pre\.yaml' .*symbolic link at "
                     r"revision HEAD to '\.\./elsewhere', which leads outside the map's folder", result.err)


def test_a_loop_of_links_at_a_revision_is_a_clean_problem(cli, repo: Path) -> None:
    """maps/shared -> shared2 -> shared: refused at the include, no hang, no traceback."""
    (repo / "maps").mkdir()
    (repo / "maps" / "shared").symlink_to("shared2")
    (repo / "maps" / "shared2").symlink_to("shared")
    (repo / "maps" / "map.yaml").write_text(ROOT, encoding="utf-8")
    commit(repo)
    result = cli("diff", "HEAD:maps/map.yaml", "maps/map.yaml")
    assert result.code == EXIT_INVALID
    assert "chain of more than 8 symbolic links at revision HEAD" in result.err
    assert "Traceback" not in result.err


# -- no repository setting runs a program ------------------------------------------------------------


@pytest.fixture
def booby_trapped(repo: Path) -> Path:
    """A repository whose configuration would run programs that leave marker files in `repo/../markers`."""
    markers = repo.parent / "markers"
    markers.mkdir()
    (repo / "map.yaml").write_text(ROOT.replace("- include: shared/pre.yaml", "- name: Choose"), encoding="utf-8")
    (repo / ".gitattributes").write_text("*.yaml filter=trap diff=trap\n", encoding="utf-8")
    commit(repo)
    hook = repo.parent / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {markers}/$1-ran\ncat\n", encoding="utf-8")
    hook.chmod(0o755)
    git(repo, "config", "core.fsmonitor", f"{hook} fsmonitor")
    git(repo, "config", "filter.trap.clean", f"{hook} clean")
    git(repo, "config", "filter.trap.process", f"{hook} process")
    git(repo, "config", "filter.trap.required", "true")
    git(repo, "config", "diff.trap.textconv", f"{hook} textconv")
    git(repo, "config", "diff.external", f"{hook} external")
    git(repo, "config", "core.pager", f"{hook} pager")
    for name in ("post-index-change", "post-checkout", "reference-transaction"):
        (repo / ".git" / "hooks" / name).write_text(f"#!/bin/sh\ntouch {markers}/{name}-ran\n", encoding="utf-8")
        (repo / ".git" / "hooks" / name).chmod(0o755)
    # The map changes after the commit, so that git status has to look at its content.
    (repo / "map.yaml").write_text(ROOT.replace("- include: shared/pre.yaml", "- name: Choose again"),
                                   encoding="utf-8")
    return markers


def test_the_trap_is_real(booby_trapped: Path, repo: Path) -> None:
    """git status itself, without cyclemap's settings, runs the repository's programs (so the tests below mean it)."""
    subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, check=False, timeout=30)
    assert sorted(p.name for p in booby_trapped.iterdir())


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("workshop", "map.yaml", "-o", "pack.pdf", "--sections", "cover"), id="workshop"),
        pytest.param(("diff", "--rev", "HEAD", "map.yaml"), id="diff-rev"),
        pytest.param(("diff", "HEAD:map.yaml", "map.yaml"), id="diff-rev-path"),
        pytest.param(("render", "map.yaml", "--highlight-changes-since", "HEAD", "-f", "dot", "-o", "-"),
                     id="render-highlight"),
    ],
)
def test_no_repository_setting_runs_a_program(args: tuple[str, ...], booby_trapped: Path, cli) -> None:
    """core.fsmonitor, filters, diff drivers, the pager and hooks of the repository never run."""
    result = cli(*args)
    assert result.code in (EXIT_OK, EXIT_FOUND), result.err
    assert sorted(p.name for p in booby_trapped.iterdir()) == []


def test_the_workshop_cover_still_tells_a_modified_map(booby_trapped: Path, repo: Path) -> None:
    """With the repository's programs switched off, the cover still says the map has uncommitted changes."""
    revision = git_revision([repo / "map.yaml"])
    assert revision is not None
    assert revision.endswith(", modified")
    assert sorted(p.name for p in booby_trapped.iterdir()) == []


# -- our own words next to a revision --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("diff", "HEAD:", "map.yaml"), "'HEAD:': write the map's path after the ':', for example HEAD:map.yaml"),
        (("validate", "HEAD:"), "'HEAD:': no such file"),
        (("render", "HEAD:", "-f", "dot", "-o", "-"), "'HEAD:': no such file"),
        (("diff", "main:", "map.yaml"), "'main:': write the map's path after the ':', for example main:map.yaml"),
    ],
    ids=["diff", "validate", "render", "diff-branch"],
)
def test_a_revision_ending_with_a_colon_leaves_our_words_unescaped(
    args: tuple[str, ...], said: str, cli, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`diff HEAD: map.yaml` said `HEAD:\\x3a write...`: the '::' escape hit our own ': ' after the value."""
    monkeypatch.setenv("COLUMNS", "300")
    (repo / "map.yaml").write_text(SMALL_MAP, encoding="utf-8")
    commit(repo)
    result = cli(*args)
    assert result.code == EXIT_USAGE, result.err
    assert said in result.err
    assert "\\x3a" not in result.err
