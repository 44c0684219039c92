"""How the PostgreSQL store writes a conversation's rows: its row, only the messages from the first
that changed (so that an autosave appends), and its search vector (added to when only appended)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, Connection, Text, delete, func, insert, literal, select, update

from models.message import Message
from models.store._format import utc_now
from models.store._records import ConversationSummary
from models.store._search import searchable_tokens
from models.store.postgres._schema import conversations, messages

WORDS = ARRAY(Text)
ROWS_PER_INSERT = 1000  # four values each


def write_conversation(connection: Connection, owner: str, name: str, items: Sequence[Message], row: Any, *,
                       model: str | None, assistant: dict[str, Any] | None,
                       stamps: tuple[str, str, int] | None = None, fresh: bool = False) -> ConversationSummary:
    """Write `name`'s row and messages (its row locked, or None for a new one): only the messages
    from the first that changed are written, so an autosave appends."""
    now = utc_now()
    created, updated, revision = stamps or (
        now if row is None or fresh else row.created, now, 1 if row is None or fresh else row.revision + 1)
    digests = [message.fingerprint for message in items]
    values = {"created": created, "updated": updated, "revision": revision, "message_count": len(items),
              "model": model, "assistant": assistant}
    if row is None:  # a new conversation: its row as it will stay, then its messages
        identifier = connection.execute(insert(conversations).values(
            owner=owner, name=name, search=search_vector(name, (message.content for message in items)), **values
        ).returning(conversations.c.id)).scalar_one()
        add_messages(connection, identifier, items, digests, 0)
        return ConversationSummary(name, created, updated, revision, len(items), model)
    kept = [] if fresh else connection.execute(select(messages.c.digest).where(
        messages.c.conversation_id == row.id).order_by(messages.c.position)).scalars().all()
    start = next((i for i, (old, new) in enumerate(zip(kept, digests, strict=False)) if old != new),
                 min(len(kept), len(digests)))
    if start < len(kept):
        connection.execute(delete(messages).where(messages.c.conversation_id == row.id,
                                                  messages.c.position >= start))
    add_messages(connection, row.id, items, digests, start)
    if start == len(kept) and kept:  # only appended: the new words join the search vector
        added = search_vector(None, (message.content for message in items[start:]))
        values["search"] = conversations.c.search.op("||")(added)
    else:
        values["search"] = search_vector(name, (message.content for message in items))
    connection.execute(update(conversations).where(conversations.c.id == row.id).values(**values))
    return ConversationSummary(name, created, updated, revision, len(items), model)


def add_messages(connection: Connection, identifier: int, items: Sequence[Message], digests: list[bytes],
                 start: int) -> None:
    """Insert the messages from `start` on: a statement per block of rows (one round trip each, where
    executemany takes several; a block, as one statement may carry at most 65,535 values)."""
    for first in range(start, len(items), ROWS_PER_INSERT):
        block = range(first, min(first + ROWS_PER_INSERT, len(items)))
        connection.execute(insert(messages).values([
            {"conversation_id": identifier, "position": position, "digest": digests[position],
             "data": items[position].to_dict()} for position in block]))


def search_vector(name: str | None, texts: Any) -> Any:
    """The search vector of a name and message texts, folded as the JSON store folds them."""
    words = searchable_tokens(name or "", texts)  # the words the JSON store's search index keeps
    return func.bnagpt_search_vector(literal(sorted(word.decode() for word in words), WORDS))
