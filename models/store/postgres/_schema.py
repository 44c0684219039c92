"""The PostgreSQL store's tables, as SQLAlchemy Core sees them (the migrations in `migrations/`
create them; this module only names them for queries)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, LargeBinary, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP, TSVECTOR

# The local user of a server without accounts: owner keys are 32 hex digits, so "" is no one else's.
LOCAL_OWNER = ""

metadata = MetaData()

conversations = Table(
    "conversations", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("owner", Text, nullable=False),
    Column("name", Text, nullable=False),
    # ISO-8601 UTC text, exactly as the JSON store writes them, so that they sort and copy alike.
    Column("created", Text, nullable=False),
    Column("updated", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("message_count", Integer, nullable=False),
    Column("model", Text),
    Column("assistant", JSONB),
    Column("search", TSVECTOR, nullable=False),
)

messages = Table(
    "messages", metadata,
    Column("conversation_id", BigInteger, ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    # What the message was, so that an autosave finds the first one that changed without reading them all.
    Column("digest", LargeBinary, nullable=False),
    Column("data", JSONB, nullable=False),
)

drafts = Table(
    "drafts", metadata,
    Column("owner", Text, primary_key=True),
    Column("id", Text, primary_key=True),
    Column("page", Text, nullable=False),
    Column("updated", Text, nullable=False),
    Column("updated_at", TIMESTAMP(timezone=True), nullable=False),
    Column("assistant", JSONB),
    Column("messages", JSONB, nullable=False),
)

owners = Table(
    "owners", metadata,
    Column("owner", Text, primary_key=True),
    Column("profile", JSONB, nullable=False),
)

attached_files = Table(
    "attached_files", metadata,
    Column("owner", Text, primary_key=True),
    Column("digest", Text, primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("search_index", LargeBinary),
    Column("put_at", TIMESTAMP(timezone=True), nullable=False),
)

recordings = Table(
    "recordings", metadata,
    Column("name", Text, primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("kept_at", TIMESTAMP(timezone=True), nullable=False),
)
