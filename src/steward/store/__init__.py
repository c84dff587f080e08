"""Steward's own database: tables, engine and sessions, migrations."""
