"""Requests: the restriction list by subject identifier, destructions scheduled by withdrawal.

Revision ID: 0030_request_kinds
Revises: 0020_request_proofs
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0030_request_kinds"
down_revision: str | Sequence[str] | None = "0020_request_proofs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subject_restrictions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("since", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_subject_restrictions_digest", "subject_restrictions", ["kind", "digest"])
    op.create_table(
        "scheduled_destructions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("subject_requests.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("purposes", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("scheduled_destructions")
    op.drop_index("ix_subject_restrictions_digest", "subject_restrictions")
    op.drop_table("subject_restrictions")
