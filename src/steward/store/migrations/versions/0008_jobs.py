"""Jobs and fulfilment: runs linked to their request (one open run each), retry times, plans
recorded before the operator's COMMIT, approvals with their preview, the scheduler's record.

Revision ID: 0008_jobs
Revises: 0005_requests, 0006_execution (it joins the two branches)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from steward.store.tables import UtcDateTime

revision: str = "0008_jobs"
down_revision: str | Sequence[str] | None = ("0005_requests", "0006_execution")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("execution_runs") as batch:
        batch.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("open_for", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("steps_total", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("next_attempt_at", UtcDateTime(), nullable=True))
    op.create_index("ix_execution_runs_request_id", "execution_runs", ["request_id"])
    op.create_index("ix_execution_runs_open_for", "execution_runs", ["open_for"], unique=True)
    with op.batch_alter_table("execution_steps") as batch:
        batch.add_column(sa.Column("plan", sa.Text(), nullable=True))
    op.create_table(
        "request_approvals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("subject_requests.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("asked_by", sa.String(320), nullable=False),
        sa.Column("asked_at", UtcDateTime(), nullable=False),
        sa.Column("preview_run", sa.Integer(), nullable=True),
        sa.Column("rectify", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(20), nullable=True),
        sa.Column("decided_by", sa.String(320), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_table(
        "job_schedule",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("next_run_at", UtcDateTime(), nullable=False),
        sa.Column("last_started_at", UtcDateTime(), nullable=True),
        sa.Column("last_finished_at", UtcDateTime(), nullable=True),
        sa.Column("last_status", sa.String(20), nullable=True),
        sa.Column("last_note", sa.Text(), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("until", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("job_leases", "job_schedule", "request_approvals"):
        op.drop_table(table)
    with op.batch_alter_table("execution_steps") as batch:
        batch.drop_column("plan")
    op.drop_index("ix_execution_runs_open_for", "execution_runs")
    op.drop_index("ix_execution_runs_request_id", "execution_runs")
    with op.batch_alter_table("execution_runs") as batch:
        for column in ("next_attempt_at", "steps_total", "open_for", "request_id"):
            batch.drop_column(column)
