"""Each admin person's language for the admin pages (NULL: the browser's Accept-Language).

Revision ID: 0036_admin_language
Revises: 0022_rate_counters
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036_admin_language"
down_revision: str | Sequence[str] | None = "0022_rate_counters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("language")
