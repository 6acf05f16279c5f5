"""The fonts a pack is set in, found through fontconfig like Graphviz finds them.

DejaVu Sans sets the text (the diagrams use it too, so the pack reads as one
document). Noto Sans CJK and Noto Color Emoji, when installed, stand in for
characters DejaVu lacks. All are embedded as subsets.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cyclemap.problems import EnvironmentProblem

FONT_HINT = (
    "the workshop pack needs the DejaVu Sans font, which was not found. Install it with "
    "'sudo apt-get install fonts-dejavu-core' (Debian/Ubuntu); 'bash install.sh' does this for you."
)
_KNOWN_PLACES = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int = 0
    """The face's number inside a font collection (.ttc)."""


@dataclass(frozen=True)
class Fonts:
    regular: FontFile
    bold: FontFile
    fallbacks: tuple[tuple[str, FontFile], ...]
    """Fonts tried, in order, for characters the main font lacks: (name, file)."""


def find_fonts() -> Fonts:
    """The installed fonts for a pack; EnvironmentProblem when DejaVu Sans is missing."""
    regular = _match("DejaVu Sans", "DejaVuSans.ttf")
    bold = _match("DejaVu Sans:bold", "DejaVuSans-Bold.ttf")
    if regular is None or bold is None:
        raise EnvironmentProblem(FONT_HINT)
    fallbacks = []
    for name, pattern in (("cjk", "Noto Sans CJK SC"), ("emoji", "Noto Color Emoji")):
        found = _match(pattern, None)
        if found is not None:
            fallbacks.append((name, found))
    return Fonts(regular, bold, tuple(fallbacks))


def _match(pattern: str, file_name: str | None) -> FontFile | None:
    """The font file fontconfig picks for `pattern`, if it really is that family."""
    family = pattern.split(":", maxsplit=1)[0]
    found = _fc_match(pattern)
    if found is not None and found[0] == family:
        return FontFile(Path(found[1]), found[2])
    if file_name is None:
        return None
    candidates = (place / file_name for place in _KNOWN_PLACES)
    return next((FontFile(path) for path in candidates if path.is_file()), None)


def _fc_match(pattern: str) -> tuple[str, str, int] | None:
    program = shutil.which("fc-match")
    if program is None:
        return None
    try:
        done = subprocess.run(
            [program, "--format=%{family[0]}\n%{file}\n%{index}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.split("\n")
    if done.returncode != 0 or len(lines) != 3 or not Path(lines[1]).is_file():
        return None
    return lines[0], lines[1], int(lines[2]) if lines[2].isdigit() else 0
