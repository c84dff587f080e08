"""Jurisdictions as data: rights, answer deadlines, working-day calendars, age thresholds.

Pure functions and data, no I/O. Everything else reads the law from here.
"""

from steward.law.ages import guardian_consent_below
from steward.law.calendars import OVERLAY, Overlay, WorkingCalendar, calendar_for
from steward.law.counting import Period, Unit
from steward.law.deadlines import (
    Deadline,
    NoDeadline,
    acknowledgement_due,
    deadline,
    strictest_deadline,
)
from steward.law.jurisdictions import (
    LAWS,
    AnswerRule,
    ClockStart,
    Law,
    UnknownJurisdiction,
    law,
    rights,
)
from steward.law.kinds import KIND_NAMES, RequestKind, Right

jurisdiction_rules = law

__all__ = [
    "KIND_NAMES",
    "LAWS",
    "OVERLAY",
    "AnswerRule",
    "ClockStart",
    "Deadline",
    "Law",
    "NoDeadline",
    "Overlay",
    "Period",
    "RequestKind",
    "Right",
    "Unit",
    "UnknownJurisdiction",
    "WorkingCalendar",
    "acknowledgement_due",
    "calendar_for",
    "deadline",
    "guardian_consent_below",
    "jurisdiction_rules",
    "law",
    "rights",
    "strictest_deadline",
]
