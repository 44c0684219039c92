"""PostgresDrafts: one owner's chats without a name yet, in the `drafts` table (the contract's
DraftArea), never listed nor searched. The id is checked as in the JSON store's drafts area."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects.postgresql import insert as upsert

from models.message import Message
from models.store._attached import GRACE_SECONDS
from models.store._drafts import Draft, validate_draft_id
from models.store._format import is_json_object, utc_now
from models.store._records import StoreError
from models.store.postgres._database import Database
from models.store.postgres._files import PostgresFiles
from models.store.postgres._schema import drafts


class PostgresDrafts:
    """The drafts of one owner (an owner key, or "" for the local user)."""

    def __init__(self, database: Database, owner: str, files: PostgresFiles) -> None:
        self._database = database
        self._owner = owner
        self._files = files  # the attached files a removed draft took along, unless referenced elsewhere

    def save(self, draft_id: str, page: str, messages: Sequence[Message], assistant: dict[str, Any] | None) -> None:
        """Write a draft whole, replacing the one with this id."""
        self.write_copy(Draft(draft_id, page, list(messages), assistant, utc_now()))

    def write_copy(self, draft: Draft) -> None:
        """Write `draft` as it is (its `updated` too, from which remove_older_than ages it)."""
        values = {"page": draft.page, "updated": draft.updated, "updated_at": datetime.fromisoformat(draft.updated),
                  "assistant": draft.assistant, "messages": [message.to_dict() for message in draft.messages]}
        statement = upsert(drafts).values(owner=self._owner, id=validate_draft_id(draft.draft_id), **values)
        with self._database.begin() as connection:
            connection.execute(statement.on_conflict_do_update(index_elements=["owner", "id"], set_=values))

    def load(self, draft_id: str) -> Draft | None:
        """The draft with this id; None when there is none (removed, expired or never saved)."""
        statement = select(drafts.c.page, drafts.c.messages, drafts.c.assistant, drafts.c.updated).where(
            drafts.c.owner == self._owner, drafts.c.id == validate_draft_id(draft_id))
        with self._database.connect() as connection:
            row = connection.execute(statement).first()
        if row is None:
            return None
        try:
            if not is_json_object(row.assistant) and row.assistant is not None:
                raise ValueError("its assistant settings are not an object")
            return Draft(draft_id, row.page, [Message.from_dict(item) for item in row.messages], row.assistant,
                         row.updated)
        except (KeyError, TypeError, ValueError) as error:
            raise StoreError(f"The draft of this chat could not be read: {error}") from None

    def ids(self) -> list[str]:
        """The ids of the drafts kept (for the copy between stores), sorted."""
        statement = select(drafts.c.id).where(drafts.c.owner == self._owner).order_by(drafts.c.id)
        with self._database.connect() as connection:
            return list(connection.execute(statement).scalars())

    def delete(self, draft_id: str) -> None:
        """Remove a draft (nothing happens when it is gone already), and the attached files nothing else references."""
        statement = delete(drafts).where(drafts.c.owner == self._owner, drafts.c.id == validate_draft_id(draft_id))
        with self._database.begin() as connection:
            self._remove(connection, statement)

    def remove_older_than(self, days: float) -> int:
        """Remove drafts not written for `days` days (0: keep them all); how many were removed."""
        if days <= 0:
            return 0
        oldest = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, days * 86400)  # years … seconds
        statement = delete(drafts).where(drafts.c.owner == self._owner, drafts.c.updated_at < oldest)
        with self._database.begin() as connection:
            return self._remove(connection, statement)

    def _remove(self, connection: Connection, statement: Any) -> int:
        """Delete the drafts `statement` names, then the files they attached that nothing else does."""
        removed = connection.execute(statement.returning(drafts.c.messages)).scalars().all()
        attached = {attachment.get("digest") for messages in removed for message in messages
                    for attachment in message.get("attachments") or () if isinstance(attachment, dict)}
        if attached - {None}:
            self._files.collect_in(connection, attached - {None}, GRACE_SECONDS)
        return len(removed)
