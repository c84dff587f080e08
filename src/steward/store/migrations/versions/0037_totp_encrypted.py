"""Second-factor secrets encrypted: the column widens and every secret kept in clear is
encrypted under the key derived from STEWARD_SECRET_KEY (``steward.accounts.totp.seal``).

A store with clear secrets needs the server's secret key to migrate: run ``steward db upgrade``
with the same ``STEWARD_SECRET_KEY`` the server uses. Downgrading decrypts them again.

Revision ID: 0037_totp_encrypted
Revises: 0022_rate_counters
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037_totp_encrypted"
down_revision: str | Sequence[str] | None = "0022_rate_counters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SELECT = sa.text("SELECT id, totp_secret FROM people WHERE totp_secret IS NOT NULL")
_UPDATE = sa.text("UPDATE people SET totp_secret = :secret WHERE id = :id")


def _secret_key() -> str:
    from steward.config import get_settings

    return get_settings().secret_key.get_secret_value()


def upgrade() -> None:
    from steward.accounts.totp import seal
    from steward.lib.signing import ENCRYPTED_PREFIX

    with op.batch_alter_table("people") as batch:
        batch.alter_column(
            "totp_secret", type_=sa.String(255), existing_type=sa.String(64), existing_nullable=True
        )
    bind = op.get_bind()
    clear = [
        (row.id, row.totp_secret)
        for row in bind.execute(_SELECT)
        if not row.totp_secret.startswith(ENCRYPTED_PREFIX)
    ]
    if clear:
        key = _secret_key()
        for person_id, secret in clear:
            bind.execute(_UPDATE, {"id": person_id, "secret": seal(key, secret)})


def downgrade() -> None:
    from steward.accounts.totp import unseal

    bind = op.get_bind()
    rows = list(bind.execute(_SELECT))
    if rows:
        key = _secret_key()
        for row in rows:
            bind.execute(_UPDATE, {"id": row.id, "secret": unseal(key, row.totp_secret)})
    with op.batch_alter_table("people") as batch:
        batch.alter_column(
            "totp_secret", type_=sa.String(64), existing_type=sa.String(255), existing_nullable=True
        )
