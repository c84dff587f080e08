"""Steward's own text kept as its phrase in two more places: a request's outcome
(``subject_requests.outcome_message``) and a breach incident's timeline summary
(``breach_events.message``), as ``lib.i18n.Phrase.dump`` JSON beside the English, so each
reader gets them in their language; NULL for text a person typed and for rows written before.
It joins the requests and breaches branches, whose tables it changes.

Revision ID: 0043_outcome_and_breach_phrases
Revises: 0042_request_event_phrase, 0034_breach_letter_lang
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0043_outcome_and_breach_phrases"
down_revision: str | Sequence[str] | None = ("0042_request_event_phrase", "0034_breach_letter_lang")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subject_requests") as batch:
        batch.add_column(sa.Column("outcome_message", sa.Text(), nullable=True))
    with op.batch_alter_table("breach_events") as batch:
        batch.add_column(sa.Column("message", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("breach_events") as batch:
        batch.drop_column("message")
    with op.batch_alter_table("subject_requests") as batch:
        batch.drop_column("outcome_message")
