"""Filings: drafts of notifications to Roskomnadzor, their status and history.

Revision ID: 0018_filings
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0018_filings"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("filings",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "filing_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("operator_id", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("register_sha256", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date()),
        sa.Column("event_on", sa.Date()),
        sa.Column("due_citation", sa.String(500)),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("filed_on", sa.Date()),
        sa.Column("registry_number", sa.String(100)),
        sa.Column("filed_by", sa.String(320)),
        sa.Column("reminded_on", sa.Date()),
    )


def downgrade() -> None:
    op.drop_table("filing_drafts")
