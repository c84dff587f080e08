"""Outbox delivery: claims, retries with back-off, purged bodies with a recipient digest.

Revision ID: 0008_outbox_delivery
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0008_outbox_delivery"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("outbox",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("next_attempt_at", UtcDateTime(), nullable=True))
        table.add_column(sa.Column("claim", sa.String(40), nullable=True))
        table.add_column(sa.Column("claimed_at", UtcDateTime(), nullable=True))
        table.add_column(sa.Column("to_digest", sa.String(64), nullable=True))
        table.add_column(sa.Column("purged_at", UtcDateTime(), nullable=True))
        table.create_index("ix_outbox_claim", ["claim"])
        table.create_index("ix_outbox_to_digest", ["to_digest"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.drop_index("ix_outbox_to_digest")
        table.drop_index("ix_outbox_claim")
        for name in ("purged_at", "to_digest", "claimed_at", "claim", "next_attempt_at"):
            table.drop_column(name)
