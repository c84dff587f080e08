"""Jurisdictions as data: rights, answer deadlines, working-day calendars, age thresholds."""
