"""Rate limits kept in the store; a second-factor failure count of its own per person.

Revision ID: 0022_rate_counters
Revises: 0002_admin
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0022_rate_counters"
down_revision: str | Sequence[str] | None = "0002_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("slot", sa.Integer(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires", sa.Integer(), nullable=False, index=True),
    )
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("failed_totp", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("totp_locked_until", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("totp_locked_until")
        batch.drop_column("failed_totp")
    op.drop_table("rate_counters")
