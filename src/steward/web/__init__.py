"""The web face of Steward: JSON API, Privacy Center and admin pages."""
