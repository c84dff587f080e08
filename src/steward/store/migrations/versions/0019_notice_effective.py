"""Notices: when a published version applies (``effective: after-notice`` delays it).

Revision ID: 0019_notice_effective
Revises: 0004_notices
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0019_notice_effective"
down_revision: str | Sequence[str] | None = "0004_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice_versions") as batch:
        batch.add_column(sa.Column("effective_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notice_versions") as batch:
        batch.drop_column("effective_at")
