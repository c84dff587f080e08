"""Discovery: scans and their findings, with the decisions taken on them.

Revision ID: 0017_discovery
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0017_discovery"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("discovery",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discovery_scans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
    )
    op.create_table(
        "discovery_findings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fingerprint", sa.String(700), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("datastore", sa.String(64), nullable=False),
        sa.Column("location", sa.String(500), nullable=False),
        sa.Column("column", sa.String(300), nullable=False),
        sa.Column("category", sa.String(128), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("first_seen", UtcDateTime(), nullable=False),
        sa.Column(
            "last_scan_id",
            sa.Integer(),
            sa.ForeignKey("discovery_scans.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("decided_by", sa.String(320), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("discovery_findings")
    op.drop_table("discovery_scans")
