"""Requests: a code's purpose (proving the e-mail, or downloading the result in another browser).

Revision ID: 0031_result_codes
Revises: 0031_disclosures
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031_result_codes"
down_revision: str | Sequence[str] | None = "0031_disclosures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("request_codes") as batch:
        batch.add_column(
            sa.Column("purpose", sa.String(20), nullable=False, server_default="identity")
        )


def downgrade() -> None:
    with op.batch_alter_table("request_codes") as batch:
        batch.drop_column("purpose")
