"""Maps at a git revision: ``REV:path`` arguments, and reading files with git.

An argument that exists as a file (or is ``-``) is a file, even if its name
holds a ':'. Otherwise ``REV:path`` names the map as it was at revision REV,
like ``git show REV:path``: the path starts at the top of the repository, and
``REV:./path`` or ``REV:../path`` starts at the current folder instead.
`GitFiles` hands the loader the bytes of the root map and of its includes at
that revision, so a split map is read as it was, includes and all. Git is run
as a separate program; only read-only commands are used.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cyclemap import loader
from cyclemap.diff import NEW, change_marks, diff_maps
from cyclemap.model import CycleMap
from cyclemap.problems import EnvironmentProblem, InputError, clip
from cyclemap.render.scene import Highlight
from cyclemap.safe_text import subject
from cyclemap.sources import IncludeRefused, MapFiles, too_large
from cyclemap.survey.views import SurveyResults, load_map_survey, load_survey

Scored = tuple[CycleMap, str, "SurveyResults | None"]
"""A map, the name to show for it, and its survey's results (None without a survey, or when not asked for)."""

GIT_TIMEOUT = 60.0
"""Seconds one git command may take (reading one file takes milliseconds)."""
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
"""A Windows path such as C:\\maps\\solar.yaml, which is never a revision."""
SYMLINK, SUBMODULE = "120000", "160000"
"""Git's modes for a symbolic link and a submodule."""
MAX_LINKS = 8
"""Symbolic links followed one after another before giving up (a loop ends here)."""
INSTALL_HINT = (
    "git is not installed (the 'git' program was not found); install it with 'sudo apt-get install git' "
    "(Debian/Ubuntu), 'brew install git' (macOS) or from https://git-scm.com, or compare two map files instead"
)


@dataclass(frozen=True)
class RevisionPath:
    """A ``REV:path`` argument, as written."""

    rev: str
    path: str

    def __str__(self) -> str:
        return f"{self.rev}:{self.path}"


class NotInRevision(InputError):
    """The revision exists but holds no file at that path."""


class NotARevision(InputError):
    """No git repository here, or no such revision in it."""


def parse_map_arg(arg: str) -> str | RevisionPath:
    """A file name, or a revision and a path.

    >>> parse_map_arg("HEAD~1:maps/solar.yaml")
    RevisionPath(rev='HEAD~1', path='maps/solar.yaml')
    >>> parse_map_arg("maps/solar.yaml"), parse_map_arg("C:\\\\maps\\\\solar.yaml"), parse_map_arg("-")
    ('maps/solar.yaml', 'C:\\\\maps\\\\solar.yaml', '-')
    """
    if arg == loader.STDIN or ":" not in arg or _DRIVE.match(arg) or os.path.lexists(arg):
        return arg
    rev, _, path = arg.partition(":")
    if not rev:
        raise InputError(f"{subject(arg)}: no such file; to name a map at a git revision, write the revision "
                         f"before the ':', for example HEAD:{path}")
    if not path:
        raise InputError(f"{subject(arg)}: write the map's path after the ':', for example {rev}:map.yaml")
    return RevisionPath(rev, path)


def load_arg(arg: str) -> tuple[CycleMap, str]:
    """The map an argument names (a file, or ``REV:path``) and the name to show for it."""
    cmap, name, _ = _load_arg(arg, survey=False)
    return cmap, name


def load_arg_scored(arg: str) -> Scored:
    """`load_arg`, with the map's survey's results: read from the same revision as the map, for ``REV:path``."""
    return _load_arg(arg, survey=True)


def _load_arg(arg: str, *, survey: bool) -> Scored:
    spec = parse_map_arg(arg)
    if isinstance(spec, str):
        cmap = loader.load_map(spec)
        return cmap, spec, _disk_survey(cmap, spec) if survey else None
    try:
        repo, path = repository_path(spec)
        files = GitFiles(spec.rev, path.parent, repo=repo.top)
    except NotARevision as err:  # perhaps a file name with a ':' in it, mistyped
        raise InputError(f"{subject(arg)}: no such file, and {err}") from None
    root = PurePosixPath(path.name)
    try:
        cmap = load_root(files, root)
    except NotInRevision as err:
        raise NotInRevision(f"{err}{_from_here_hint(files, repo, spec)}") from None
    return cmap, files.name(root), _files_survey(cmap, files, root) if survey else None


def load_working_file_at(rev: str, file: str) -> tuple[CycleMap, str]:
    """The map that working file `file` (relative to the current folder, or absolute) was at `rev`.

    Raises NotInRevision when the file is not in that revision (e.g. it is new).
    """
    cmap, name, _ = _load_working_file_at(rev, file, survey=False)
    return cmap, name


def load_working_file_scored(rev: str, file: str) -> Scored:
    """`load_working_file_at`, with the survey's results as they were at `rev` (the survey file read there too)."""
    return _load_working_file_at(rev, file, survey=True)


def load_file_scored(file: str) -> Scored:
    """A map file (or "-") with its survey's results, read from disk."""
    cmap = loader.load_map(file)
    return cmap, file, _disk_survey(cmap, file)


def _load_working_file_at(rev: str, file: str, *, survey: bool) -> Scored:
    if file == loader.STDIN:
        raise InputError("a map read from standard input has no history to compare with; name the map file")
    working = Path(file)
    if not working.parent.is_dir():
        raise InputError(f"{subject(file)}: no such file")
    repo = Repository.at(str(working.parent))
    path = PurePosixPath(repo.prefix) / working.name
    files = GitFiles(rev, path.parent, repo=repo.top)
    root = PurePosixPath(path.name)
    cmap = load_root(files, root)
    return cmap, files.name(root), _files_survey(cmap, files, root) if survey else None


def _disk_survey(cmap: CycleMap, file: str) -> SurveyResults | None:
    return load_map_survey(cmap, file) if cmap.survey is not None else None


def _files_survey(cmap: CycleMap, files: MapFiles, root: PurePosixPath) -> SurveyResults | None:
    """The survey of a map read through `files` (at a revision: the survey file as it was there, read whole)."""
    return load_survey(cmap, files, root) if cmap.survey is not None else None


def changes_since(cmap: CycleMap, file: str, rev: str) -> Highlight:
    """What the diagram of working map `file` (read as `cmap`) highlights: its activities new or changed since `rev`.

    A map that is not in that revision yet is new, all of it.
    """
    try:
        old, _ = load_working_file_at(rev, file)
    except NotInRevision:
        return Highlight(rev, {visit.activity.id or "": NEW for visit in cmap.walk()})
    return Highlight(rev, change_marks(diff_maps(old, cmap)))


def load_root(files: GitFiles, root: PurePosixPath) -> CycleMap:
    """Load the map `root` from a revision, its includes resolved at the same revision.

    Raises NotInRevision when the revision has no file there, InputError when
    it is not a file that can be read (a link, a folder, too large).
    """
    if files.entry(root) is None:
        raise NotInRevision(f"{subject(files.name(root))}: there is no such file at revision {files.rev}; check the "
                            "spelling, and that the file was committed by then")
    return loader.load_from(files, root)


def _from_here_hint(files: GitFiles, repo: Repository, spec: RevisionPath) -> str:
    """A next step when `REV:path` is missing but `REV:./path` (from the current folder) exists."""
    if not repo.prefix or spec.path.startswith(("./", "../")):
        return ""
    here = posixpath.normpath(posixpath.join(repo.prefix, spec.path))
    if files.entry_at(here) is None:
        return ""
    return (f" (a path after ':' starts at the top of the repository, as in git show; "
            f"for {here} write {spec.rev}:./{spec.path})")


# -- the repository ----------------------------------------------------------------------


@dataclass(frozen=True)
class Repository:
    """A git work tree: its top folder, and the current folder's path within it."""

    top: str
    prefix: str
    """The folder git was asked from, relative to `top` ('' at the top, else ending in '/')."""

    @classmethod
    def at(cls, folder: str = ".") -> Repository:
        done = run_git(["rev-parse", "--show-toplevel", "--show-prefix"], folder)
        lines = os.fsdecode(done.stdout).split("\n")
        if done.returncode != 0 or len(lines) < 2:
            detail = _last_line(done.stderr)
            detail = "" if "not a git repository" in detail else f" ({detail})"
            shown = "the current folder" if folder == "." else folder
            raise NotARevision(f"{shown} is not inside a git repository{detail}; to compare with a revision, "
                               "run cyclemap in the repository's folder, or compare two map files instead")
        return cls(lines[0], lines[1])


def repository_path(spec: RevisionPath) -> tuple[Repository, PurePosixPath]:
    """The repository from the current folder, and the map's path from its top."""
    repo = Repository.at(".")
    written = spec.path.replace(os.sep, "/")
    if written.startswith("/"):
        raise InputError(f"{subject(spec)}: the path after ':' starts at the top of the repository, "
                         f"for example {spec.rev}:maps/solar.yaml")
    if written.startswith(("./", "../")) or written in (".", ".."):
        written = posixpath.join(repo.prefix, written)
    path = posixpath.normpath(written)
    if path == ".." or path.startswith("../"):
        raise InputError(f"{subject(spec)}: the path leads out of the repository")
    if path == ".":
        raise InputError(f"{subject(spec)}: name the map file after the ':', for example {spec.rev}:maps/solar.yaml")
    return repo, PurePosixPath(path)


# -- files at a revision -------------------------------------------------------------------


Entry = tuple[str, str, str, str]
"""(mode, type, object id, size) of a path in a git tree, as `git ls-tree -l` lists it."""


class GitFiles:
    """The files of one folder of a git revision: `MapFiles` for the loader.

    Symbolic links are followed as on disk, folders and files alike, as long
    as the file they lead to is inside the map's folder; submodules are
    refused, and the size is checked before a file is read. `directory` is the
    root map's folder, relative to the top of the repository at `repo`.
    """

    def __init__(self, rev: str, directory: PurePosixPath, *, repo: str = ".") -> None:
        if rev.startswith("-"):
            raise InputError(f"'{rev}' is not a revision (a revision does not start with '-')")
        self.rev = rev
        self.directory = directory
        self.repo = repo
        self._tree = self._resolve()
        self._listings: dict[str, dict[str, Entry]] = {}
        self._links: dict[str, str] = {}
        self._folder: str | None = None

    def _resolve(self) -> str:
        done = run_git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{self.rev}^{{tree}}"], self.repo)
        if done.returncode != 0:
            raise NotARevision(f"no revision '{self.rev}' in the git repository at {self.repo}; give a branch, "
                             "a tag or a commit, such as HEAD~1 or main (see 'git log --oneline')")
        return os.fsdecode(done.stdout).strip()

    def path(self, rel: PurePosixPath) -> str:
        """`rel`'s path from the top of the repository."""
        return posixpath.normpath((self.directory / rel).as_posix())

    def name(self, rel: PurePosixPath) -> str:
        return f"{self.rev}:{self.path(rel)}"

    def read(self, rel: PurePosixPath, *, limit: int = loader.MAX_FILE_BYTES) -> bytes:
        mode, kind, oid, size = self._followed(self.path(rel))
        if mode == SUBMODULE:
            raise IncludeRefused(f"it is a submodule at revision {self.rev}, not a file; "
                                 "give the path of a YAML file")
        if kind != "blob":
            raise IncludeRefused("it is a folder; give the path of a YAML file, like parts/pre.yaml")
        if int(size) > limit:
            raise too_large(limit)
        done = run_git(["cat-file", "blob", oid], self.repo)
        if done.returncode != 0:
            raise IncludeRefused(f"git could not read it: {_last_line(done.stderr)}")
        return done.stdout

    def _followed(self, path: str) -> Entry:
        """The entry at `path`, following symbolic links that lead to a file inside the map's folder (as on disk)."""
        found, real, link = self._walk(path)
        if found is None:
            raise IncludeRefused(f"there is no such file at revision {self.rev}; check the spelling, and "
                                 "that the file was committed by then")
        if link is not None and not _inside(real, self._map_folder()):
            raise _outside(self.rev, link)
        return found

    def _map_folder(self) -> str:
        """The map's folder from the top of the repository, with the links on the way followed."""
        if self._folder is None:
            _, real, _ = self._walk(self.directory.as_posix())
            self._folder = real
        return self._folder

    def _walk(self, path: str) -> tuple[Entry | None, str, str | None]:
        """(entry or None when missing, real path, last link followed) of `path` in the revision.

        Links are followed one name at a time, within the repository, at most
        MAX_LINKS of them (a loop ends there).
        """
        pending = [part for part in path.split("/") if part not in ("", ".")]
        names: list[str] = []
        trees = [self._tree]
        link: str | None = None
        links = 0
        while pending:
            part = pending.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                if not names:
                    raise _outside(self.rev, link or path)
                names.pop()
                trees.pop()
                continue
            entry = self._listing(trees[-1]).get(part)
            if entry is None:
                return None, "/".join([*names, part]), link
            if entry[0] == SYMLINK:
                links += 1
                if links > MAX_LINKS:
                    raise IncludeRefused(f"it is a chain of more than {MAX_LINKS} symbolic links at revision "
                                         f"{self.rev} (a loop?)")
                target = self._link_target(entry[2])
                link = target
                pending[:0] = self._within_repository(target, link)
                if target.startswith("/"):
                    names, trees = [], [self._tree]
                continue
            if not pending:
                return entry, "/".join([*names, part]), link
            if entry[1] != "tree":
                return None, "/".join([*names, part, *pending]), link
            names.append(part)
            trees.append(entry[2])
        return ("040000", "tree", trees[-1], "-"), "/".join(names), link

    def _within_repository(self, target: str, link: str) -> list[str]:
        """The names a link's target stands for: relative as written, or from the top for an absolute
        target inside this repository's folder on disk."""
        if not target.startswith("/"):
            return target.split("/")
        top = os.path.realpath(self.repo)
        if not _inside(target, top):
            raise _outside(self.rev, link)
        return target[len(top):].split("/")

    def _listing(self, tree: str) -> dict[str, Entry]:
        """The entries of one folder of the revision, by name."""
        if tree not in self._listings:
            done = run_git(["ls-tree", "-l", "-z", tree], self.repo)
            if done.returncode != 0:
                raise InputError(f"git could not list {self.rev}: {_last_line(done.stderr)}")
            listing: dict[str, Entry] = {}
            for record in done.stdout.split(b"\0"):
                meta, _, name = record.partition(b"\t")
                if name:
                    mode, kind, oid, size = os.fsdecode(meta).split()
                    listing[os.fsdecode(name)] = (mode, kind, oid, size)
            self._listings[tree] = listing
        return self._listings[tree]

    def _link_target(self, oid: str) -> str:
        if oid not in self._links:
            done = run_git(["cat-file", "blob", oid], self.repo)
            if done.returncode != 0:
                raise IncludeRefused(f"git could not read a symbolic link: {_last_line(done.stderr)}")
            self._links[oid] = os.fsdecode(done.stdout)
        return self._links[oid]

    def entry(self, rel: PurePosixPath) -> Entry | None:
        """(mode, type, object id, size) of `rel` in the revision (links followed), or None when there is nothing."""
        return self.entry_at(self.path(rel))

    def entry_at(self, path: str) -> Entry | None:
        """(mode, type, object id, size) of `path` in the revision (links followed), or None.

        A link that cannot be followed counts as an entry: reading it says why.
        """
        try:
            return self._walk(path)[0]
        except IncludeRefused:
            return (SYMLINK, "blob", "", "0")


def _inside(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or below it ('' is the top of the repository)."""
    return folder in ("", ".") or path == folder or path.startswith(folder.rstrip("/") + "/")


def _outside(rev: str, link: str) -> IncludeRefused:
    return IncludeRefused(f"it goes through a symbolic link at revision {rev} to '{clip(link)}', which leads "
                          "outside the map's folder; cyclemap follows links only to files inside it")


# -- running git ----------------------------------------------------------------------------


SAFE_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),  # status and other index readers would run the repository's monitor hook
    ("core.hooksPath", os.devnull),  # no hook of the repository runs
    ("log.showSignature", "false"),  # checking signatures runs gpg.program
    ("protocol.allow", "never"),  # no fetch: a partial clone fetches missing objects through ssh or a helper
    ("core.pager", "cat"),
)
"""Settings that keep a repository's configuration from running a program when cyclemap calls git.

The commands cyclemap runs never diff (so diff.external and textconv drivers
do not apply); clean/smudge filters, which `git status` runs, are switched
off per driver (see `git_env`). The system and user configuration stay in
force: they belong to the person running cyclemap, not to the repository.
"""
_FILTER_KEYS = ("clean", "smudge", "process")
_filters_seen: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}


def git_env(program: str, where: str, **extra: str) -> dict[str, str]:
    """The environment to run git with in folder `where`, such that no setting of the repository runs a program.

    The settings win over every configuration file, as `git -c` does; the
    filter drivers the configuration names are switched off by name.
    """
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_LAZY_FETCH": "1", **extra}
    _add_config(env, SAFE_CONFIG)
    _add_config(env, _filters_off(program, where, dict(env)))
    return env


def _filters_off(program: str, where: str, env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Settings that empty every filter driver configured for the repository at `where`."""
    key = (program, os.path.realpath(where))
    if key not in _filters_seen:
        try:
            done = subprocess.run([program, "config", "-z", "--get-regexp", r"^filter\."], cwd=where,
                                  capture_output=True, timeout=GIT_TIMEOUT, env=env, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return ()
        names = {os.fsdecode(record.split(b"\n", 1)[0])[len("filter."):].rpartition(".")[0]
                 for record in done.stdout.split(b"\0") if record}
        _filters_seen[key] = tuple(
            (f"filter.{name}.{setting}", value)
            for name in sorted(names)
            for setting, value in (*((k, "") for k in _FILTER_KEYS), ("required", "false"))
        )
    return _filters_seen[key]


def _add_config(env: dict[str, str], settings: tuple[tuple[str, str], ...]) -> None:
    """Add `settings` to those already in `env`, as `git -c` would.

    They go in twice: GIT_CONFIG_COUNT (git 2.31 and later, any key) and
    GIT_CONFIG_PARAMETERS (what `-c` uses, understood by older git too).
    """
    try:
        count = int(env.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        count = 0
    quoted = [env["GIT_CONFIG_PARAMETERS"]] if env.get("GIT_CONFIG_PARAMETERS") else []
    for key, value in settings:
        env[f"GIT_CONFIG_KEY_{count}"] = key
        env[f"GIT_CONFIG_VALUE_{count}"] = value
        count += 1
        quoted.append("'" + f"{key}={value}".replace("'", "'\\''") + "'")
    env["GIT_CONFIG_COUNT"] = str(count)
    env["GIT_CONFIG_PARAMETERS"] = " ".join(quoted)


def run_git(args: list[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
    """Run one read-only git command in `cwd`; a missing or hanging git is an environment problem.

    No setting of the repository can make git run a program (see `git_env`).
    """
    program = shutil.which("git")
    if program is None:
        raise EnvironmentProblem(INSTALL_HINT)
    env = git_env(program, cwd)
    try:
        return subprocess.run(
            [program, "--no-pager", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise EnvironmentProblem(f"git took longer than {GIT_TIMEOUT:g} s and was stopped") from None
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"{subject(cwd)}: no such folder") from None
    except OSError as err:
        raise EnvironmentProblem(f"cannot run git: {err.strerror}") from None


def _last_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1].removeprefix("fatal: ") if lines else "no message"
