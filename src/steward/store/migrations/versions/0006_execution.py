"""Execution of requests on the operator's databases: runs, steps, exports, restrictions.

Revision ID: 0006_execution
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0006_execution"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("execution",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "execution_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(100), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("identifiers", sa.Text(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("register_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "execution_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "run_id", sa.Integer(), sa.ForeignKey("execution_runs.id"), nullable=False, index=True
        ),
        sa.Column("datastore", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("run_id", "datastore"),
    )
    op.create_table(
        "execution_exports",
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("execution_runs.id"), primary_key=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "restrictions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("datastore", sa.String(64), nullable=False),
        sa.Column("table_name", sa.String(200), nullable=False),
        sa.Column("row_key", sa.String(500), nullable=False),
        sa.Column("reason", sa.String(100), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("datastore", "table_name", "row_key"),
    )


def downgrade() -> None:
    for table in ("restrictions", "execution_exports", "execution_steps", "execution_runs"):
        op.drop_table(table)
