"""The store on PostgreSQL (`BNAGPT_DATABASE_URL`): several servers behind one load balancer share
one database. It keeps the store's contract (`models.store.Store`) with tables for conversations,
their messages, drafts and owners, Alembic migrations run at start under an advisory lock, and
full-text search. Only `models.store._open` imports it, when the setting asks for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.store.postgres._database import Database, database_for
from models.store.postgres._drafts import PostgresDrafts
from models.store.postgres._files import PostgresFiles
from models.store.postgres._store import PostgresStore
from models.store.postgres._transfer import find_database_owners, move_database_conversations

if TYPE_CHECKING:
    from settings import Settings

__all__ = ["Database", "PostgresDrafts", "PostgresFiles", "PostgresStore", "database_for", "find_database_owners",
           "move_database_conversations", "open_postgres_store"]


def open_postgres_store(settings: Settings, owner: str | None = None) -> PostgresStore:
    """`owner`'s store in the database the settings name (nothing is connected until it is used)."""
    return PostgresStore(database_for(settings.database_url, settings.database_timeout), owner)
