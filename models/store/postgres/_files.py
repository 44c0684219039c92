"""PostgresFiles: one owner's attached files (the contract's FileArea) in the `attached_files` table,
as bytea, by SHA-256 digest: each once however many messages attach it. Files that no conversation
or draft of the owner references any more are removed when a conversation is deleted (`collect`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, column, exists, func, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as upsert

from models.store._attached import GRACE_SECONDS, AttachedFileMissing, check_digest
from models.store.postgres._database import Database
from models.store.postgres._schema import attached_files, conversations, drafts, messages


class PostgresFiles:
    """The attached files of one owner (an owner key, or "" for the local user)."""

    def __init__(self, database: Database, owner: str) -> None:
        self._database = database
        self._owner = owner

    def put(self, data: bytes) -> str:
        """Keep `data` (once: the same bytes again only get a fresh grace period); its digest."""
        digest = hashlib.sha256(data).hexdigest()
        statement = upsert(attached_files).values(owner=self._owner, digest=digest, data=data, put_at=func.now())
        with self._database.begin() as connection:
            connection.execute(statement.on_conflict_do_update(index_elements=["owner", "digest"],
                                                               set_={"put_at": func.now()}))
        return digest

    def read(self, digest: str, *, name: str | None = None) -> bytes:
        """The bytes kept under `digest`; AttachedFileMissing (named by `name`) when there are none."""
        data = self._column(attached_files.c.data, digest)
        if data is None:
            raise AttachedFileMissing(f"“{name}”" if name else digest[:12])
        return data

    def exists(self, digest: str) -> bool:
        return self._column(attached_files.c.digest, digest) is not None

    def put_index(self, digest: str, data: bytes) -> None:
        """Cache a document's search index beside its bytes."""
        with self._database.begin() as connection:
            connection.execute(update(attached_files).where(*self._this(digest)).values(search_index=data))

    def read_index(self, digest: str) -> bytes | None:
        return self._column(attached_files.c.search_index, digest)

    def collect(self, candidates: Iterable[str] | None = None, *, grace: float = GRACE_SECONDS) -> list[str]:
        """Remove the files (of `candidates`, or all) that no conversation or draft of this owner
        references and that were not put within `grace` seconds; the digests removed."""
        with self._database.begin() as connection:
            return self.collect_in(connection, candidates, grace)

    def collect_in(self, connection: Connection, candidates: Iterable[str] | None, grace: float) -> list[str]:
        """`collect` within a transaction already open (a delete's)."""
        wanted = attached_files.c.owner == self._owner
        if candidates is not None:
            wanted = and_(wanted, attached_files.c.digest.in_([check_digest(digest) for digest in candidates]))
        # A message references a file when its attachments hold an object with that digest.
        reference = func.jsonb_build_array(func.jsonb_build_object("digest", attached_files.c.digest))
        in_conversation = exists().where(
            conversations.c.owner == self._owner, messages.c.conversation_id == conversations.c.id,
            messages.c.data["attachments"].op("@>")(reference))
        draft_message = elements(drafts.c.messages, "message")
        in_draft = exists(select(literal(1)).select_from(drafts).join(draft_message, literal(True)).where(
            drafts.c.owner == self._owner, draft_message.c.value["attachments"].op("@>")(reference)))
        old = attached_files.c.put_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, grace)
        statement = attached_files.delete().where(wanted, old, ~in_conversation, ~in_draft)
        return sorted(connection.execute(statement.returning(attached_files.c.digest)).scalars())

    def referenced_by(self, connection: Connection, conversation_id: int) -> list[str]:
        """The digests a conversation's messages attach."""
        element = elements(messages.c.data["attachments"], "attached")
        statement = (select(element.c.value.op("->>")("digest")).distinct()
                     .select_from(messages).join(element, literal(True))
                     .where(messages.c.conversation_id == conversation_id, messages.c.data.has_key("attachments")))
        return [digest for digest in connection.execute(statement).scalars() if digest]

    def _this(self, digest: str) -> tuple:
        return attached_files.c.owner == self._owner, attached_files.c.digest == check_digest(digest)

    def _column(self, column, digest: str):
        with self._database.connect() as connection:
            return connection.execute(select(column).where(*self._this(digest))).scalar()


def elements(array: Any, alias: str) -> Any:
    """A JSONB array's elements as a table of one column, `value` (jsonb_array_elements)."""
    return func.jsonb_array_elements(array).table_valued(column("value", JSONB)).alias(alias)
