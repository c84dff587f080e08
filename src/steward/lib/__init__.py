"""Small shared pieces used everywhere: one of each (see docs/architecture.md)."""
