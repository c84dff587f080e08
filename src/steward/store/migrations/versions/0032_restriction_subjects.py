"""Digests of the identifiers of subjects whose rows a run left restricted.

Revision ID: 0032_restriction_subjects
Revises: 0006_execution
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0032_restriction_subjects"
down_revision: str | Sequence[str] | None = "0006_execution"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "restriction_subjects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seal", sa.String(80), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("seal", "reference"),
    )
    op.create_index("ix_restriction_subjects_seal", "restriction_subjects", ["seal"])


def downgrade() -> None:
    op.drop_index("ix_restriction_subjects_seal", table_name="restriction_subjects")
    op.drop_table("restriction_subjects")
