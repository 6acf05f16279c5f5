"""The command line runs no pydantic plugins, and skips the package-metadata scan that looks for them.

Plugins (observability tools that hook every validation) are for applications
watching their own models, not for a command-line tool's input checks. pydantic
imports `importlib.metadata` (and, through it, the `email` package) to find them
when it builds a model's validator: about a tenth of `cyclemap validate` on a
small map.

Only the `cyclemap` program does this, before pydantic is imported: a program that
imports cyclemap as a library keeps its plugins. The stand-in answers `get_plugins`
with "none"; any other name a pydantic release may ask of the module loads the real
one, so a newer pydantic still works, only without the saving.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

LOADER = "pydantic.plugin._loader"


class _NoPlugins(ModuleType):
    """`pydantic.plugin._loader` with no plugins to find."""

    @staticmethod
    def get_plugins() -> tuple[()]:
        """No plugins."""
        return ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system's probes (__path__...): a plain module has none
            raise AttributeError(name)
        if sys.modules.get(LOADER) is self:
            del sys.modules[LOADER]
        return getattr(importlib.import_module(LOADER), name)


def run_without_plugins() -> None:
    """Give pydantic the stand-in, unless pydantic's own finder is already loaded."""
    if LOADER not in sys.modules:
        sys.modules[LOADER] = _NoPlugins(LOADER, __doc__)
