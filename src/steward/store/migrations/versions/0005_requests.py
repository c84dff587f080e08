"""Requests: data-subject requests, their timeline, pauses, verification codes, attachments.

Revision ID: 0005_requests
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0005_requests"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("requests",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subject_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False, index=True),
        sa.Column("state", sa.String(30), nullable=False, index=True),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("email", sa.String(320), index=True),
        sa.Column("phone", sa.String(40)),
        sa.Column("account_id", sa.String(200)),
        sa.Column("jurisdictions", sa.String(200), nullable=False),
        sa.Column("stated_jurisdiction", sa.String(20)),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False, index=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("clock_start", sa.Date()),
        sa.Column("due_on", sa.Date(), index=True),
        sa.Column("acknowledge_by", sa.Date()),
        sa.Column("clock_rule", sa.String(500), nullable=False),
        sa.Column("clock_jurisdiction", sa.String(20)),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("extension_reason", sa.Text()),
        sa.Column("paused_days", sa.Integer(), nullable=False),
        sa.Column("paused_since", UtcDateTime()),
        sa.Column("verification_required", sa.Boolean(), nullable=False),
        sa.Column("verified_at", UtcDateTime()),
        sa.Column("verified_by", sa.String(60)),
        sa.Column("duplicate_of", sa.Integer(), sa.ForeignKey("subject_requests.id"), index=True),
        sa.Column("assignee", sa.String(320), index=True),
        sa.Column("outcome", sa.Text()),
        sa.Column("result", sa.LargeBinary()),
        sa.Column("result_type", sa.String(100)),
        sa.Column("result_nonce", sa.String(64)),
        sa.Column("closed_at", UtcDateTime()),
        sa.Column("reminded_on", sa.Date()),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("subject_requests.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("from_state", sa.String(30)),
        sa.Column("to_state", sa.String(30)),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_table(
        "request_pauses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("subject_requests.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime()),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("citation", sa.String(200), nullable=False),
    )
    op.create_table(
        "request_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("subject_requests.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", UtcDateTime()),
    )
    op.create_table(
        "request_attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("subject_requests.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "request_attachments",
        "request_codes",
        "request_pauses",
        "request_events",
        "subject_requests",
    ):
        op.drop_table(table)
