"""Evidence: signed chain heads, and seals binding consent identifiers to their subjects.

Revision ID: 0021_chain_anchors
Revises: 0007_consents
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0021_chain_anchors"
down_revision: str | Sequence[str] | None = "0007_consents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chain_anchors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chain", sa.String(20), nullable=False, index=True),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("signed_at", UtcDateTime(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
    )
    with op.batch_alter_table("consent_identifiers") as batch:
        batch.add_column(sa.Column("seal", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consent_identifiers") as batch:
        batch.drop_column("seal")
    op.drop_table("chain_anchors")
