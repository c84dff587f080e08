"""Alembic environment: the engine comes from ``steward.store.db.alembic_config``."""

from alembic import context

from steward.store.schema import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
