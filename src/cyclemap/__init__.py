"""cyclemap: customer activity cycles as code."""

__version__ = "0.1.0"
