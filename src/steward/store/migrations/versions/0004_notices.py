"""Notices: published notice versions and their rendered documents.

Revision ID: 0004_notices
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0004_notices"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("notices",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notice_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("operator_id", sa.String(64), nullable=False, index=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=False),
        sa.Column("published_by", sa.String(320), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("register_sha256", sa.String(64), nullable=False),
        sa.Column("register_source", sa.String(1000), nullable=False),
        sa.Column("register_text", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("material", sa.Boolean(), nullable=False),
        sa.Column("announced", sa.Integer(), nullable=False),
        sa.UniqueConstraint("operator_id", "number", name="uq_notice_versions_number"),
    )
    op.create_table(
        "notice_documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "version_id",
            sa.Integer(),
            sa.ForeignKey("notice_versions.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.UniqueConstraint("version_id", "lang", "format", name="uq_notice_documents_kind"),
    )


def downgrade() -> None:
    op.drop_table("notice_documents")
    op.drop_table("notice_versions")
