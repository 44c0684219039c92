"""The one place that picks the store's implementation from settings: PostgreSQL when
BNAGPT_DATABASE_URL is set, else the JSON files in BNAGPT_CONVERSATIONS_DIR (the default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.store._contract import Store
from models.store._store import ConversationStore

if TYPE_CHECKING:
    from settings import Settings


def open_store(settings: Settings, owner: str | None = None) -> Store:
    """`owner`'s store (None: the local user of a server without accounts), as settings say."""
    if settings.database_url:
        # Imported only when asked for: a server on JSON files never loads SQLAlchemy or psycopg.
        from models.store.postgres import open_postgres_store

        return open_postgres_store(settings, owner)
    return ConversationStore(settings.conversations_dir, owner)
