"""Breach notification clocks: who must be told of a personal-data breach, by when, and why.

    clocks = breach_clocks(["ru-152fz"], detected_at=datetime(2026, 11, 27, 20, 0, tzinfo=UTC))
    clocks[0].due        # 2026-11-28 20:00 UTC: Roskomnadzor's first notice, 24 h after detection
    clocks[0].duty.citation

Pure data and arithmetic, no I/O. A duty counts from the detection of the breach (the moment the
operator became aware of it) unless it says otherwise; hour clocks run in real time, business-day
clocks on the country's working-day calendar in its time zone (the deadline is the end of the
last business day there). A duty whose law sets no fixed time ("without undue delay") has no
``due`` and says so; a duty that depends on facts not yet known (high risk, number of residents,
when the subjects were told) says what it waits for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from steward.law.calendars import calendar_for
from steward.lib import i18n
from steward.lib.i18n import N_, NC_, Phrase, Told


class Addressee(StrEnum):
    AUTHORITY = "authority"
    SUBJECTS = "subjects"
    ATTORNEY_GENERAL = "attorney-general"


class Condition(StrEnum):
    ALWAYS = "always"
    HIGH_RISK = "high-risk"  # only when the breach is likely to result in a high risk
    OVER_500_RESIDENTS = "over-500-residents"


class CountsFrom(StrEnum):
    DETECTION = "detection"
    SUBJECTS_NOTIFIED = "subjects-notified"


DUTY = "breach duty"
"""The catalogue's context of the duties' recipients and contents: the API and the evidence keep
the English here, the admin's pages and the reminder e-mail say them in the reader's language."""


@dataclass(frozen=True)
class BreachDuty:
    jurisdiction: str
    id: str
    addressee: Addressee
    # who receives it, as a person would name them, and what the notice must contain: English,
    # marked NC_("breach duty", ...), said in a reader's language by recipient_in and what_in
    recipient: str
    what: str
    citation: str
    hours: int | None = None
    business_days: int | None = None
    calendar_days: int | None = None
    counts_from: CountsFrom = CountsFrom.DETECTION
    condition: Condition = Condition.ALWAYS
    country: str = ""  # the calendar of business days
    timezone: str = "UTC"  # where a business day ends

    @property
    def fixed(self) -> bool:
        return any(v is not None for v in (self.hours, self.business_days, self.calendar_days))

    def recipient_in(self, lang: str) -> str:
        """``recipient`` in ``lang`` (the admin's pages, the reminder e-mail)."""
        return i18n.translator(lang).pgettext(DUTY, self.recipient)

    def what_in(self, lang: str) -> str:
        """``what`` in ``lang``."""
        return i18n.translator(lang).pgettext(DUTY, self.what)

    def period(self) -> str:
        return str(self.period_phrase())

    def period_phrase(self) -> Phrase:
        """How long the duty gives, said in each reader's language ("72 hours")."""
        if self.hours is not None:
            return Phrase.ngettext("%(num)s hour", "%(num)s hours", self.hours)
        if self.business_days is not None:
            return Phrase.ngettext(
                "%(num)s business day", "%(num)s business days", self.business_days
            )
        if self.calendar_days is not None:
            return Phrase.ngettext(
                "%(num)s calendar day", "%(num)s calendar days", self.calendar_days
            )
        return Phrase(N_("without undue delay"))


DUTIES: tuple[BreachDuty, ...] = (
    BreachDuty(
        "ru-152fz",
        "rkn-first-notice",
        Addressee.AUTHORITY,
        NC_("breach duty", "Roskomnadzor"),
        NC_(
            "breach duty",
            "first notice: the incident, its presumed causes, the harm to subjects' rights, the "
            "measures taken, and the person authorised to interact with Roskomnadzor",
        ),
        "152-FZ Art. 21 p.3.1(1)",
        hours=24,
    ),
    BreachDuty(
        "ru-152fz",
        "rkn-investigation-results",
        Addressee.AUTHORITY,
        NC_("breach duty", "Roskomnadzor"),
        NC_(
            "breach duty",
            "results of the internal investigation and the persons whose actions caused the "
            "incident",
        ),
        "152-FZ Art. 21 p.3.1(2)",
        hours=72,
    ),
    BreachDuty(
        "eu-gdpr",
        "gdpr-authority",
        Addressee.AUTHORITY,
        NC_("breach duty", "the supervisory authority"),
        NC_(
            "breach duty",
            "notification of the breach with the content of Art. 33(3); a later notification "
            "gives the reasons for the delay",
        ),
        "GDPR Art. 33(1)",
        hours=72,
    ),
    BreachDuty(
        "eu-gdpr",
        "gdpr-subjects",
        Addressee.SUBJECTS,
        NC_("breach duty", "the data subjects"),
        NC_(
            "breach duty",
            "communication in clear and plain language with the content of Art. 34(2)",
        ),
        "GDPR Art. 34(1)",
        condition=Condition.HIGH_RISK,
    ),
    BreachDuty(
        "uk-gdpr",
        "uk-ico",
        Addressee.AUTHORITY,
        NC_("breach duty", "the Information Commissioner's Office"),
        NC_("breach duty", "notification of the breach with the content of Art. 33(3)"),
        "UK GDPR Art. 33(1)",
        hours=72,
    ),
    BreachDuty(
        "uk-gdpr",
        "uk-subjects",
        Addressee.SUBJECTS,
        NC_("breach duty", "the data subjects"),
        NC_("breach duty", "communication with the content of Art. 34(2)"),
        "UK GDPR Art. 34(1)",
        condition=Condition.HIGH_RISK,
    ),
    BreachDuty(
        "br-lgpd",
        "anpd-authority",
        Addressee.AUTHORITY,
        NC_("breach duty", "ANPD"),
        NC_(
            "breach duty",
            "communication of the security incident with the content of Art. 6 of the regulation",
        ),
        "LGPD Art. 48; ANPD Resolution CD/ANPD No. 15/2024, Art. 6",
        business_days=3,
        country="BR",
        timezone="America/Sao_Paulo",
    ),
    BreachDuty(
        "br-lgpd",
        "anpd-subjects",
        Addressee.SUBJECTS,
        NC_("breach duty", "the data subjects"),
        NC_(
            "breach duty",
            "communication to the holders with the content of Art. 9 of the regulation",
        ),
        "LGPD Art. 48; ANPD Resolution CD/ANPD No. 15/2024, Art. 9",
        business_days=3,
        country="BR",
        timezone="America/Sao_Paulo",
    ),
    BreachDuty(
        "us-ccpa",
        "ca-residents",
        Addressee.SUBJECTS,
        NC_("breach duty", "the affected California residents"),
        NC_(
            "breach duty",
            "notice titled 'Notice of Data Breach' with the headings of Civ. Code 1798.82(d)",
        ),
        "Cal. Civ. Code 1798.82(a)(2) (SB 446, from 2026-01-01)",
        calendar_days=30,
    ),
    BreachDuty(
        "us-ccpa",
        "ca-attorney-general",
        Addressee.ATTORNEY_GENERAL,
        NC_("breach duty", "the California Attorney General"),
        NC_("breach duty", "a sample copy of the residents' notice, submitted electronically"),
        "Cal. Civ. Code 1798.82(f) (SB 446, from 2026-01-01)",
        calendar_days=15,
        counts_from=CountsFrom.SUBJECTS_NOTIFIED,
        condition=Condition.OVER_500_RESIDENTS,
    ),
)


@dataclass(frozen=True)
class BreachClock:
    duty: BreachDuty
    applies: bool | None  # None: depends on a fact not yet assessed
    due: datetime | None  # UTC; None when no fixed time or its start is not known yet
    phrase: Phrase  # why it does not apply, what it waits for, or how it is counted

    @property
    def note(self) -> str:
        """``phrase`` in English (the API, the evidence)."""
        return str(self.phrase)

    def overdue(self, now: datetime) -> bool:
        return bool(self.applies and self.due is not None and now > self.due)


class BreachTimeError(Told, ValueError):
    """Times that cannot be those of a real breach (in the future, detected before it happened);
    English marked ``N_`` with its values apart, told in the reader's language (``i18n.told``)."""


class UnknownDuty(Told, KeyError):
    """No breach duty has the id asked for; the message names the known ones."""

    def __str__(self) -> str:  # the message, not KeyError's quoted repr of it
        return str(self.args[0]) if self.args else ""


def check_times(
    detected_at: datetime, occurred_at: datetime | None, now: datetime | None = None
) -> None:
    """Refuse impossible times with an error that says what is wrong and what would be right."""
    now = now or datetime.now(UTC)
    for name, value in (("detected_at", detected_at), ("occurred_at", occurred_at)):
        if value is not None and value.tzinfo is None:
            raise BreachTimeError(
                N_("%(name)s needs a time zone, e.g. 2026-11-27T23:00+03:00"), name=name
            )
    if detected_at > now + timedelta(minutes=5):
        raise BreachTimeError(
            N_(
                "detected_at %(detected)s is in the future; give the moment the breach was "
                "detected, which is now or earlier"
            ),
            detected=detected_at.isoformat(),
        )
    if occurred_at is not None and occurred_at > detected_at:
        raise BreachTimeError(
            N_(
                "occurred_at %(occurred)s is after detected_at %(detected)s; a breach is "
                "detected when or after it happens"
            ),
            occurred=occurred_at.isoformat(),
            detected=detected_at.isoformat(),
        )


def _due(duty: BreachDuty, start: datetime) -> datetime:
    if duty.hours is not None:
        return (start + timedelta(hours=duty.hours)).astimezone(UTC)
    if duty.calendar_days is not None:
        return (start + timedelta(days=duty.calendar_days)).astimezone(UTC)
    assert duty.business_days is not None
    zone = ZoneInfo(duty.timezone)
    local_day = start.astimezone(zone).date()
    last = calendar_for(duty.country).nth_working_day_after(local_day, duty.business_days)
    end = datetime.combine(last, time(23, 59, 59), tzinfo=zone)
    return end.astimezone(UTC)


def clock_for(
    duty: BreachDuty,
    *,
    detected_at: datetime,
    high_risk: bool | None = None,
    residents_affected: int | None = None,
    subjects_notified_at: datetime | None = None,
) -> BreachClock:
    """The clock of one duty for a breach detected at ``detected_at`` (time-zone aware)."""
    if detected_at.tzinfo is None:
        raise BreachTimeError(
            N_("%(name)s needs a time zone, e.g. 2026-11-27T23:00+03:00"), name="detected_at"
        )
    applies: bool | None = True
    note = Phrase(COUNTED_FROM[duty.counts_from], period=duty.period_phrase())
    if duty.condition is Condition.HIGH_RISK:
        applies = high_risk
        if high_risk is None:
            note = Phrase(
                N_("applies if the breach is likely to result in a high risk: assess the risk")
            )
        elif not high_risk:
            note = Phrase(
                N_("not owed: the breach was assessed as not likely to result in a high risk")
            )
    elif duty.condition is Condition.OVER_500_RESIDENTS:
        applies = None if residents_affected is None else residents_affected > 500
        if residents_affected is None:
            note = Phrase(
                N_("applies if more than 500 residents are notified: count the affected subjects")
            )
        elif not applies:
            note = Phrase(
                N_("not owed: %(num)s residents (500 or fewer) are notified"),
                num=residents_affected,
            )
    if not duty.fixed:
        kept = note if applies is not True else duty.period_phrase()
        return BreachClock(duty, applies, None, kept)
    if duty.counts_from is CountsFrom.SUBJECTS_NOTIFIED:
        if subjects_notified_at is None:
            waiting = Phrase(N_("; starts when the subjects are notified"))
            return BreachClock(duty, applies, None, Phrase.join(note, waiting))
        return BreachClock(duty, applies, _due(duty, subjects_notified_at), note)
    return BreachClock(duty, applies, _due(duty, detected_at), note)


COUNTED_FROM = {
    CountsFrom.DETECTION: N_("%(period)s from detection"),
    CountsFrom.SUBJECTS_NOTIFIED: N_("%(period)s from the subjects' notification"),
}
"""How a duty's clock is counted, as its note says it."""


def breach_clocks(
    jurisdictions: list[str] | tuple[str, ...],
    *,
    detected_at: datetime,
    high_risk: bool | None = None,
    residents_affected: int | None = None,
    subjects_notified_at: datetime | None = None,
) -> list[BreachClock]:
    """Every duty of the given jurisdictions, earliest due first (open-ended ones last)."""
    clocks = [
        clock_for(
            duty,
            detected_at=detected_at,
            high_risk=high_risk,
            residents_affected=residents_affected,
            subjects_notified_at=subjects_notified_at,
        )
        for duty in DUTIES
        if duty.jurisdiction in jurisdictions
    ]
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(clocks, key=lambda c: (c.due or far, c.duty.id))


def duty(duty_id: str) -> BreachDuty:
    for candidate in DUTIES:
        if candidate.id == duty_id:
            return candidate
    raise UnknownDuty(
        N_("no breach duty '%(duty)s'; known: %(known)s"),
        duty=duty_id,
        known=", ".join(sorted(d.id for d in DUTIES)),
    )
