"""A discovery finding's message kept as its phrase too (``discovery_findings.said``,
``lib.i18n.Phrase.dump`` JSON beside the English ``message``), so the discovery page says it in
each reader's language; NULL for rows written before and for findings in files.

Revision ID: 0044_discovery_finding_phrase
Revises: 0017_discovery
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0044_discovery_finding_phrase"
down_revision: str | Sequence[str] | None = "0017_discovery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("discovery_findings") as batch:
        batch.add_column(sa.Column("said", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("discovery_findings") as batch:
        batch.drop_column("said")
