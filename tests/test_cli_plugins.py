"""The `cyclemap` program skips pydantic's plugin scan; the library and newer pydantic releases are unaffected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME_SOLAR = str(ROOT / "examples" / "home-solar.yaml")


def _run(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout.split()


def test_the_program_validates_without_the_package_metadata_scan() -> None:
    seen = _run(
        "import sys\n"
        "from cyclemap.cli.plugins import run_without_plugins\n"
        "run_without_plugins()\n"
        "from cyclemap.loader import load_map\n"
        f"load_map({HOME_SOLAR!r})\n"
        "print('importlib.metadata' in sys.modules, 'email' in sys.modules)\n"
    )
    assert seen == ["False", "False"]


def test_a_program_importing_the_library_keeps_pydantic_plugins() -> None:
    seen = _run(
        "import sys\n"
        "from cyclemap.loader import load_map\n"
        f"load_map({HOME_SOLAR!r})\n"
        "print(hasattr(sys.modules['pydantic.plugin._loader'], 'PYDANTIC_ENTRY_POINT_GROUP'))\n"
    )
    assert seen == ["True"]


def test_any_other_name_of_the_finder_loads_pydantic_s_own() -> None:
    seen = _run(
        "import sys\n"
        "from cyclemap.cli.plugins import LOADER, run_without_plugins\n"
        "run_without_plugins()\n"
        "from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP\n"
        "print(PYDANTIC_ENTRY_POINT_GROUP, type(sys.modules[LOADER]).__name__)\n"
    )
    assert seen == ["pydantic", "module"]
