"""Steward: the privacy policy as code, and the engine that enforces it."""

__version__ = "0.1.0.dev0"
