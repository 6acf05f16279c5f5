"""Text templates shipped with the package."""

from importlib.resources import files


def starter_map() -> str:
    """The commented map that `cyclemap init` writes."""
    return files(__package__).joinpath("starter.yaml").read_text(encoding="utf-8")
