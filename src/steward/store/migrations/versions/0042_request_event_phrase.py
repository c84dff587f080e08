"""A timeline entry's phrase: the message id and values of a line Steward wrote itself
(``lib.i18n.Phrase.dump`` as JSON), so each reader gets it in their language; NULL for text a
person typed and for entries written before phrases were kept (``note`` is shown as stored).

Revision ID: 0042_request_event_phrase
Revises: 0041_request_subject_kind
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0042_request_event_phrase"
down_revision: str | Sequence[str] | None = "0041_request_subject_kind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("request_events") as batch:
        batch.add_column(sa.Column("message", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("request_events") as batch:
        batch.drop_column("message")
