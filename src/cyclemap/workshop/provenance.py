"""Where a pack comes from: its date and the map's git revision, for the cover."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from cyclemap.gitrev import git_env

GIT_TIMEOUT = 10.0


def pack_date(option: str | None, environ: Mapping[str, str] = os.environ) -> dt.date:
    """The date on the cover: `--date` (YYYY-MM-DD), else SOURCE_DATE_EPOCH, else today.

    Raises ValueError with a message for people when either is malformed.

    >>> pack_date("2026-03-01"), pack_date(None, {"SOURCE_DATE_EPOCH": "86400"})
    (datetime.date(2026, 3, 1), datetime.date(1970, 1, 2))
    """
    if option is not None:
        try:
            return dt.date.fromisoformat(option)
        except ValueError:
            raise ValueError(f"'{option}' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01") from None
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH must be a number of seconds since 1970, not '{epoch}'") from None
    return dt.date.today()


def git_revision(files: list[Path]) -> str | None:
    """The last commit that changed `files` (short hash), plus ', modified' if they have
    uncommitted changes; None outside a git repository or without git."""
    program = shutil.which("git")
    if program is None or not files:
        return None
    where = files[0].resolve().parent
    names = [str(f.resolve()) for f in files]
    if _git(program, where, "rev-parse", "--git-dir") is None:
        return None
    commit = _git(program, where, "log", "-1", "--format=%h", "--", *names)
    if not commit:  # no commits yet, or none touching these files
        return "not committed yet"
    status = _git(program, where, "status", "--porcelain", "--ignore-submodules=all", "--", *names)
    return f"{commit}, modified" if status else commit


def _git(program: str, where: Path, *args: str) -> str | None:
    env = git_env(program, str(where), LC_ALL="C")  # no setting of the repository may run a program
    try:
        done = subprocess.run(
            [program, "-C", str(where), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
