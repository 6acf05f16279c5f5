"""Does the YAML safety behave the same on every PyYAML that pyproject.toml allows?

    .venv/bin/python bench/pyyaml_versions.py                 # 6.0 up to the newest release
    .venv/bin/python bench/pyyaml_versions.py 6.0.3 6.0.4     # just these

For each version, installs that PyYAML (needs the package index) into a temporary folder put in
front of the locked one, and runs the YAML reader's tests against it: depth and alias limits, syntax
errors with positions, control characters. Prints one line per version and exits 1 if any failed.
The test suite itself runs on the locked version (requirements/test.txt).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).parent.parent
TESTS = ["tests/test_yaml_reader.py", "tests/test_install.py", "tests/test_cases.py"]
"""The reader's tests; the one that checks this environment against the lock is left out (-k)."""
OLDEST = (6, 0)


def released() -> list[str]:
    """PyYAML's releases from OLDEST on, as the package index lists them."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "pyyaml"], capture_output=True, text=True, check=True
    )
    listed = re.search(r"Available versions: (.*)", done.stdout)
    versions = listed.group(1).split(", ") if listed else []
    return sorted((v for v in versions if tuple(map(int, v.split(".")[:2])) >= OLDEST), key=_key)


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def check(version: str) -> tuple[bool, str]:
    """Install PyYAML `version` aside and run the reader's tests with it; (passed, pytest's last line)."""
    with tempfile.TemporaryDirectory() as aside:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--target",
                aside,
                f"pyyaml=={version}",
            ],
            check=True,
            capture_output=True,
        )
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([aside, os.environ.get("PYTHONPATH", "")])}
        probe = "import yaml; print(yaml.__version__, yaml.__with_libyaml__)"
        seen = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "not locked_one", *TESTS],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-200:]
        return done.returncode == 0, f"(imported {seen.stdout.strip()}) {last}"


def main() -> int:
    versions = sys.argv[1:] or released()
    failed = 0
    for version in versions:
        passed, summary = check(version)
        failed += not passed
        print(f"PyYAML {version:<8} {'ok  ' if passed else 'FAIL'} {summary}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
