"""A fresh clone installs exactly what was tested, and behaves the same on every PyYAML it allows."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from cyclemap import yaml_reader
from cyclemap.loader import load_map
from cyclemap.problems import MapError
from cyclemap.yaml_reader import DEPTH_MESSAGE

REPO = Path(__file__).parent.parent
LOCKS = {name: REPO / "requirements" / f"{name}.txt" for name in ("run", "test")}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)


def pins(lock: Path) -> dict[str, str]:
    """Package name -> version, as the lock pins them."""
    return {canonicalize_name(name): version for name, version in _PIN.findall(lock.read_text())}


def declared(extra: str | None) -> list[Requirement]:
    """The requirements pyproject.toml declares (with an extra's, when named)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    if extra:
        found += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return found


def closure(names: list[str]) -> set[str]:
    """The installed distributions these names pull in, themselves included."""
    seen: set[str] = set()
    todo = [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(requirement.name))
    return seen


@pytest.mark.parametrize(("lock", "extra"), [("run", None), ("test", "test")])
def test_lock_pins_every_dependency_with_hashes_within_the_declared_ranges(lock: str, extra: str | None) -> None:
    """Each lock pins every direct and transitive dependency, with hashes, inside pyproject's ranges."""
    text = LOCKS[lock].read_text()
    pinned = pins(LOCKS[lock])
    for requirement in declared(extra):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in requirements/{lock}.txt"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (requirement, pinned[name])
    missing = closure([r.name for r in declared(extra)]) - set(pinned)
    assert not missing, f"installed dependencies the lock does not pin: {sorted(missing)}"
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n")[-1].strip())
    assert all("--hash=sha256:" in entry for entry in entries if _PIN.match(entry))


def test_the_locks_agree_and_this_environment_is_the_locked_one() -> None:
    """run.txt is test.txt without the test tools, and what runs these tests is what the lock says."""
    run, test = pins(LOCKS["run"]), pins(LOCKS["test"])
    assert {name: test.get(name) for name in run} == run
    installed = {name: metadata.version(name) for name in closure([r.name for r in declared("test")])}
    assert {name: test[name] for name in installed} == installed


# -- the depth limit, whatever bound the YAML parser has of its own ------------------------------

PARSER_BOUND = 300
"""A nesting bound above ours, like libyaml's own 1,000 levels in PyYAML 6.0.4's wheels."""


def bounded_parse(real: Callable[..., Iterator[yaml.Event]]) -> Callable[..., Iterator[yaml.Event]]:
    """yaml.parse as a libyaml with a flow-nesting bound: it fails while scanning ahead, before any event."""

    def parse(text: str, Loader: type) -> Iterator[yaml.Event]:  # noqa: N803 - PyYAML's own keyword
        level = 0
        for index, char in enumerate(text):
            level += {"[": 1, "]": -1}.get(char, 0)
            if level > PARSER_BOUND:
                mark = yaml.Mark("<file>", index, 0, index, text, index)
                raise yaml.scanner.ScannerError(
                    "while increasing flow level", mark, "exceeded maximum nesting depth", mark
                )
        return real(text, Loader=Loader)

    return parse


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        pytest.param("[" * 10_000 + "]" * 10_000 + "\n", 1, 101, id="closed"),
        pytest.param("[" * 10_000 + "\n", 1, 101, id="unclosed"),
        # the mapping is the first level: the 100th '[' (column 8 + 99) is the 101st
        pytest.param("cyclemap: 1\ntitle: " + "[" * 5_000 + "\n", 2, 107, id="in-a-value"),
    ],
)
def test_our_depth_limit_wins_over_a_parser_bound_of_its_own(
    text: str, line: int, col: int, write_map: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser that stops deep nesting itself still gives our message, at the 101st level."""
    monkeypatch.setattr(yaml, "parse", bounded_parse(yaml.parse))
    path = write_map(text)
    with pytest.raises(MapError) as caught:
        load_map(str(path))
    assert [str(p) for p in caught.value.problems] == [f"{path}:{line}:{col}: error: {DEPTH_MESSAGE}"]


def test_depth_limit_with_the_pure_python_parser(
    write_map: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without libyaml, deep flow nesting gives the same message at the same place."""
    monkeypatch.setattr(yaml_reader, "_Loader", yaml.SafeLoader)
    path = write_map("[" * 3_000 + "\n")
    with pytest.raises(MapError) as caught:
        load_map(str(path))
    assert [str(p) for p in caught.value.problems] == [f"{path}:1:101: error: {DEPTH_MESSAGE}"]
