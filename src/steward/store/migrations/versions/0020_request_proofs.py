"""Requests: which identifier of a request is proven, how and by whom.

Revision ID: 0020_request_proofs
Revises: 0005_requests
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0020_request_proofs"
down_revision: str | Sequence[str] | None = "0005_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_proofs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("subject_requests.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("identifier", sa.String(20), nullable=False),
        sa.Column("how", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("request_proofs")
