"""Requests: the disclosure log (each disclosure of a subject's data to a recipient).

Revision ID: 0031_disclosures
Revises: 0020_request_proofs
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0031_disclosures"
down_revision: str | Sequence[str] | None = "0020_request_proofs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("recipient", sa.String(80), nullable=False, index=True),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(80), nullable=True),
        sa.Column("disclosed_on", sa.Date(), nullable=False, index=True),
        sa.Column("email_digest", sa.String(64), nullable=True, index=True),
        sa.Column("phone_digest", sa.String(64), nullable=True, index=True),
        sa.Column("account_digest", sa.String(64), nullable=True, index=True),
        sa.Column("reference", sa.String(500), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(320), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("disclosures")
