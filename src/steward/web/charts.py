"""Dashboard panels: each a small data provider, drawn as an SVG chart (pygal) and a table.

A section adds its panel by appending to ``PANELS``:

    def requests_by_status(session) -> PanelData | None: ...
    PANELS.append(Panel("requests-status", "Requests by status", "requests.read",
                        requests_by_status))

The chart is served at ``/admin/charts/<slug>.svg`` as an image, so the page's strict CSP
stays untouched; the same numbers appear in a table for screen readers and small screens.
Titles, labels and series names are English (``N_``), each drawn in the admin's language
(``render_svg(title, data, lang)``, ``label_text``); days as that language abbreviates them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pygal
from pygal.style import Style
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.ledger.audit import AuditEntry
from steward.lib import i18n
from steward.lib.i18n import N_
from steward.notify.outbox import OutboxMessage
from steward.store.tables import utcnow
from steward.web.code_labels import code_label

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1f24",
    foreground_strong="#1b1f24",
    foreground_subtle="#57606a",
    colors=("#0b5cad", "#c4432b", "#1a7f37", "#8250df", "#bf8700"),
    font_family="system-ui, sans-serif",
)


@dataclass(frozen=True)
class PanelData:
    kind: str  # "bar", "line", "pie"
    # a day, a name the catalogue translates, or a stored code and its kind (web/code_labels)
    labels: Sequence[str | date | tuple[str, str]]
    series: dict[str, list[float]]
    x_title: str = ""
    empty: str = ""  # shown instead of a chart when there is nothing to draw
    link: str = ""
    link_label: str = ""
    label_title: str = N_("Day")  # heading of the label column in the table

    @property
    def has_data(self) -> bool:
        return any(v for values in self.series.values() for v in values)


@dataclass(frozen=True)
class Panel:
    slug: str
    title: str
    permission: str
    provide: Callable[[Session], PanelData]
    extra: dict[str, str] = field(default_factory=dict)


def label_text(label: str | date | tuple[str, str], lang: str) -> str:
    """A chart's label in ``lang``: a day as the language abbreviates it ("02 Dec", "02 дек."),
    a stored code by its kind's label, a bucket or a series name from the catalogue (a name
    it lacks, as it is)."""
    if isinstance(label, date):
        return i18n.format_date(label, lang, "dd MMM")
    if isinstance(label, tuple):
        code, kind = label
        return code_label(code, kind, lang)
    return i18n.translator(lang).gettext(label)


def render_svg(title: str, data: PanelData, lang: str) -> str:
    """The chart in the admin's language: its title, axis title, labels and legend."""
    _ = i18n.translator(lang).gettext
    config = {
        "style": STYLE,
        "width": 480,
        "height": 300,
        "js": [],  # no external scripts: the chart is a plain image
        "show_legend": len(data.series) > 1 or data.kind == "pie",
        "legend_at_bottom": True,
        "title": _(title),
        "x_title": _(data.x_title) if data.x_title else None,
        "print_values": data.kind != "line",
        "print_zeroes": False,
        "explicit_size": True,
        "no_data_text": _("No data"),
    }
    chart = {"bar": pygal.Bar, "line": pygal.Line, "pie": pygal.Pie}[data.kind](**config)
    if data.kind == "pie":
        for name, value in zip(data.labels, next(iter(data.series.values()), []), strict=False):
            chart.add(label_text(name, lang), value)
    else:
        chart.x_labels = [label_text(label, lang) for label in data.labels]
        for name, values in data.series.items():
            chart.add(_(name), values)
    return str(chart.render(is_unicode=True))


def audit_activity(session: Session) -> PanelData:
    today = utcnow().date()
    days = [today - timedelta(days=n) for n in range(13, -1, -1)]
    since = utcnow() - timedelta(days=14)
    counts: dict[str, int] = {}
    for (at,) in session.execute(select(AuditEntry.at).where(AuditEntry.at >= since)):
        key = at.date().isoformat()
        counts[key] = counts.get(key, 0) + 1
    return PanelData(
        "bar",
        days,
        {N_("entries"): [counts.get(d.isoformat(), 0) for d in days]},
        empty=N_("No audit entries in the last 14 days."),
        link="/admin/audit",
        link_label=N_("Open the audit log"),
    )


def outbox_status(session: Session) -> PanelData:
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    rows = sorted(rows)
    return PanelData(
        "pie",
        [(str(status), "message status") for status, _ in rows],
        {N_("messages"): [int(count) for _, count in rows]},
        empty=N_("No e-mail yet."),
        label_title=N_("Status"),
        link="/admin/outbox",
        link_label=N_("Open the outbox"),
    )


def consents_over_time(session: Session) -> PanelData:
    """Consents given and withdrawn per day over the last 30 days, from the consent ledger."""
    from steward.consent.tables import ConsentEvent

    today = utcnow().date()
    days = [today - timedelta(days=n) for n in range(29, -1, -1)]
    since = utcnow() - timedelta(days=30)
    counts: dict[tuple[str, str], int] = {}
    rows = session.execute(
        select(ConsentEvent.at, ConsentEvent.action).where(
            ConsentEvent.at >= since, ConsentEvent.action.in_(("given", "withdrawn"))
        )
    )
    for at, action in rows:
        key = (action, at.date().isoformat())
        counts[key] = counts.get(key, 0) + 1
    return PanelData(
        "line",
        days,
        {
            action: [counts.get((action, d.isoformat()), 0) for d in days]
            for action in (N_("given"), N_("withdrawn"))
        },
        empty=N_("No consents given or withdrawn in the last 30 days."),
        link="/admin/consents",
        link_label=N_("Open consents"),
    )


DEADLINE_BUCKETS = (
    (N_("overdue"), None, -1),
    (N_("due today"), 0, 0),
    (N_("1-2 days"), 1, 2),
    (N_("3-7 days"), 3, 7),
    (N_("8-14 days"), 8, 14),
    (N_("15+ days"), 15, None),
)


def _bucket(days_left: int) -> str:
    for label, low, high in DEADLINE_BUCKETS:
        if (low is None or days_left >= low) and (high is None or days_left <= high):
            return label
    return DEADLINE_BUCKETS[-1][0]


def requests_by_deadline(session: Session) -> PanelData:
    """Open requests by days left to their deadline, one series per state."""
    from steward.requests.states import OPEN
    from steward.requests.tables import SubjectRequest

    today = utcnow().date()
    rows = session.execute(
        select(SubjectRequest.state, SubjectRequest.due_on).where(
            SubjectRequest.state.in_([s.value for s in OPEN]),
            SubjectRequest.duplicate_of.is_(None),
        )
    )
    labels = [label for label, _, _ in DEADLINE_BUCKETS]
    series: dict[str, list[float]] = {}
    for state, due_on in rows:
        if due_on is None:
            continue
        values = series.setdefault(str(state), [0] * len(labels))
        values[labels.index(_bucket((due_on - today).days))] += 1
    return PanelData(
        "bar",
        labels,
        dict(sorted(series.items())),
        x_title=N_("days to deadline"),
        empty=N_("No open requests."),
        link="/admin/requests",
        link_label=N_("Open the queue"),
        label_title=N_("Days to deadline"),
    )


BREACH_BUCKETS = (N_("overdue"), N_("under 6 h"), N_("6-24 h"), N_("1-3 days"), N_("later"))


def breach_notices_due(session: Session) -> PanelData:
    """Breach notices still owed on open incidents, by time left on their clock."""
    from datetime import UTC, datetime

    from steward.breaches import service
    from steward.breaches.tables import Incident
    from steward.store.registers import stored_register

    now = datetime.now(UTC)
    counts = [0.0] * len(BREACH_BUCKETS)
    for incident in session.scalars(select(Incident).where(Incident.status == "open")):
        register = stored_register(session, incident.register_id)
        for clock, done in service.clocks(register, incident, session):
            if done is not None or not clock.applies or clock.due is None:
                continue
            hours = (clock.due - now).total_seconds() / 3600
            bucket = (
                0 if hours < 0 else 1 if hours < 6 else 2 if hours < 24 else 3 if hours < 72 else 4
            )
            counts[bucket] += 1
    return PanelData(
        "bar",
        list(BREACH_BUCKETS),
        {N_("notices owed"): counts},
        x_title=N_("time left"),
        empty=N_("No breach notice is owed."),
        link="/admin/breaches",
        link_label=N_("Open the breach register"),
        label_title=N_("Time left"),
    )


PANELS: list[Panel] = [
    Panel(
        "requests-deadline",
        N_("Open requests by days to deadline"),
        "requests.read",
        requests_by_deadline,
    ),
    Panel(
        "consents-over-time",
        N_("Consents given and withdrawn"),
        "consents.read",
        consents_over_time,
    ),
    Panel("audit-activity", N_("Audit log entries per day"), "audit.read", audit_activity),
    Panel("outbox-status", N_("E-mail by status"), "outbox.read", outbox_status),
    Panel("breach-notices", N_("Breach notices owed"), "breaches.read", breach_notices_due),
]
