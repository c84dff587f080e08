"""The breach register: incidents, timeline, duties done, letters dispatched.

Revision ID: 0008_breaches
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0008_breaches"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("breaches",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "breach_incidents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("detected_at", UtcDateTime(), nullable=False, index=True),
        sa.Column("occurred_at", UtcDateTime(), nullable=True),
        sa.Column("nature", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("consequences", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(500), nullable=False),
        sa.Column("datastores", sa.Text(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("risk", sa.String(20), nullable=False),
        sa.Column("risk_reason", sa.Text(), nullable=False),
        sa.Column("reporter_email", sa.String(320), nullable=True),
        sa.Column("register_id", sa.Integer(), nullable=True),
        sa.Column("count_state", sa.String(20), nullable=False),
        sa.Column("subjects_count", sa.Integer(), nullable=True),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("channels", sa.Text(), nullable=False),
        sa.Column("count_problems", sa.Text(), nullable=False),
        sa.Column("counted_at", UtcDateTime(), nullable=True),
        sa.Column("subjects_notified_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=False),
    )
    op.create_table(
        "breach_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("breach_incidents.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("kind", sa.String(80), nullable=False, index=True),
        sa.Column("summary", sa.Text(), nullable=False),
    )
    op.create_table(
        "breach_duties_done",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("breach_incidents.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("duty_id", sa.String(60), nullable=False),
        sa.Column("done_at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.UniqueConstraint("incident_id", "duty_id", name="uq_breach_duty_once"),
    )
    op.create_table(
        "breach_letters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("breach_incidents.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("recipient_digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("error", sa.String(300), nullable=True),
        sa.UniqueConstraint(
            "incident_id", "channel", "recipient_digest", name="uq_breach_letter_once"
        ),
    )


def downgrade() -> None:
    for table in ("breach_letters", "breach_duties_done", "breach_events", "breach_incidents"):
        op.drop_table(table)
