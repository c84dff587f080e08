"""The language each breach letter was written in (the subject's own, where it is known).

Revision ID: 0034_breach_letter_lang
Revises: 0008_breaches
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034_breach_letter_lang"
down_revision: str | Sequence[str] | None = "0008_breaches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("breach_letters") as batch:
        batch.add_column(sa.Column("lang", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("breach_letters") as batch:
        batch.drop_column("lang")
