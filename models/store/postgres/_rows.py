"""How the PostgreSQL store writes a conversation's rows: its row, only the messages from the first
that changed (so that an autosave appends), and its search vector (added to when only appended)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, Connection, Text, delete, func, insert, literal, select, update

from models.message import Message
from models.store._format import utc_now
from models.store._records import ConversationSummary
from models.store._search import searchable_tokens
from models.store.postgres._schema import conversations, messages

WORDS = ARRAY(Text)


def write_conversation(connection: Connection, owner: str, name: str, items: Sequence[Message], row: Any, *,
                       model: str | None, assistant: dict[str, Any] | None,
                       stamps: tuple[str, str, int] | None = None, fresh: bool = False) -> ConversationSummary:
    """Write `name`'s row and messages (its row locked, or None for a new one): only the messages
    from the first that changed are written, so an autosave appends."""
    now = utc_now()
    created, updated, revision = stamps or (
        now if row is None or fresh else row.created, now, 1 if row is None or fresh else row.revision + 1)
    digests = [digest(message) for message in items]
    values = {"created": created, "updated": updated, "revision": revision, "message_count": len(items),
              "model": model, "assistant": assistant}
    if row is None:
        row = connection.execute(insert(conversations).values(
            owner=owner, name=name, search=search_vector(name, ()), **values
        ).returning(conversations.c.id)).first()
    kept = connection.execute(select(messages.c.digest).where(messages.c.conversation_id == row.id)
                              .order_by(messages.c.position)).scalars().all()
    start = next((i for i, (old, new) in enumerate(zip(kept, digests, strict=False)) if old != new),
                 min(len(kept), len(digests)))
    if start < len(kept):
        connection.execute(delete(messages).where(messages.c.conversation_id == row.id,
                                                  messages.c.position >= start))
    if start < len(items):
        connection.execute(insert(messages), [
            {"conversation_id": row.id, "position": position, "digest": digests[position],
             "data": items[position].to_dict()} for position in range(start, len(items))])
    if start == len(kept) and kept:  # only appended: the new words join the search vector
        added = search_vector(None, (message.content for message in items[start:]))
        values["search"] = conversations.c.search.op("||")(added)
    else:
        values["search"] = search_vector(name, (message.content for message in items))
    connection.execute(update(conversations).where(conversations.c.id == row.id).values(**values))
    return ConversationSummary(name, created, updated, revision, len(items), model)

def digest(message: Message) -> bytes:
    """What a message is, in 16 bytes: equal for equal messages."""
    encoded = json.dumps(message.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.blake2b(encoded, digest_size=16).digest()


def search_vector(name: str | None, texts: Any) -> Any:
    """The search vector of a name and message texts, folded as the JSON store folds them."""
    words = searchable_tokens(name or "", texts)  # the words the JSON store's search index keeps
    return func.bnagpt_search_vector(literal(sorted(word.decode() for word in words), WORDS))
