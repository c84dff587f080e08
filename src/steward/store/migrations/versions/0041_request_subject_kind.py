"""The subject kind a request is for (the register's ``subjects`` id; NULL: filed before kinds
were recorded, read as the register's default).

Revision ID: 0041_request_subject_kind
Revises: 0030_request_kinds
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0041_request_subject_kind"
down_revision: str | Sequence[str] | None = "0030_request_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subject_requests") as batch:
        batch.add_column(sa.Column("subject_kind", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subject_requests") as batch:
        batch.drop_column("subject_kind")
