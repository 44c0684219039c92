"""Alembic's environment for the PostgreSQL store: it runs on the connection the store hands it
(which holds the advisory lock), never on one of its own."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
