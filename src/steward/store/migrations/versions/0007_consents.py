"""Consent ledger: subjects, hashed identifiers, artefacts, chained events, marks, webhooks.

Revision ID: 0007_consents
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0007_consents"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("consents",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_subjects",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "consent_identifiers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "subject_id",
            sa.String(36),
            sa.ForeignKey("consent_subjects.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.UniqueConstraint("kind", "digest", name="uq_consent_identifier"),
    )
    op.create_table(
        "consent_artefacts",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("notice_version", sa.String(64)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UtcDateTime(), nullable=False, index=True),
        sa.Column("receipt_id", sa.String(36), nullable=False, unique=True),
        sa.Column(
            "subject_id", sa.String(36), sa.ForeignKey("consent_subjects.id"), nullable=False
        ),
        sa.Column("item_id", sa.String(64)),
        sa.Column("purpose_id", sa.String(64), nullable=False, index=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("recorded_by", sa.String(16), nullable=False),
        sa.Column("notice_version", sa.String(64)),
        sa.Column("artefact_sha256", sa.String(64), sa.ForeignKey("consent_artefacts.sha256")),
        sa.Column("lang", sa.String(8)),
        sa.Column("expires_at", UtcDateTime()),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_consent_events_subject", "consent_events", ["subject_id", "id"])
    op.create_table(
        "consent_reconfirmations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("purpose_id", sa.String(64), nullable=False, index=True),
        sa.Column("notice_version", sa.String(64), nullable=False),
        sa.Column("marked_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "consent_webhooks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "event_id", sa.Integer(), sa.ForeignKey("consent_events.id"), nullable=False, index=True
        ),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime()),
        sa.Column("error", sa.String(500)),
    )


def downgrade() -> None:
    for table in (
        "consent_webhooks",
        "consent_reconfirmations",
        "consent_events",
        "consent_artefacts",
        "consent_identifiers",
        "consent_subjects",
    ):
        op.drop_table(table)
