"""Retention: holds on records or tables, sweeps with their destruction acts.

Revision ID: 0009_retention
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0009_retention"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("retention",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retention_holds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("datastore", sa.String(64), nullable=False, index=True),
        sa.Column("table_name", sa.String(200), nullable=False),
        sa.Column("row_key", sa.String(500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("set_by", sa.String(320), nullable=False),
        sa.Column("set_at", UtcDateTime(), nullable=False),
        sa.Column("released_at", UtcDateTime(), nullable=True),
        sa.Column("released_by", sa.String(320), nullable=True),
    )
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("started_at", UtcDateTime(), nullable=False, index=True),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("trigger", sa.String(40), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("destroyed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("act_html", sa.Text(), nullable=True),
        sa.Column("act_sha256", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("retention_runs")
    op.drop_table("retention_holds")
