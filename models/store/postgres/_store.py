"""PostgresStore: the store's contract (`models.store.Store`) on PostgreSQL tables, for several
servers sharing one database. Same names, revisions and reports as the JSON store; an autosave
appends the new messages instead of rewriting the conversation. The design: docs/STORE.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Text, and_, cast, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import TSQUERY, aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.exc import IntegrityError

from models.message import Message
from models.store._attached import GRACE_SECONDS
from models.store._exchange import parse_import
from models.store._names import unique_name, validate_name
from models.store._records import (
    Conversation,
    ConversationExists,
    ConversationNotFound,
    ConversationSummary,
    Listing,
    StoreError,
)
from models.store._search import query_words
from models.store._store import writable
from models.store.postgres._database import Database
from models.store.postgres._drafts import PostgresDrafts
from models.store.postgres._files import PostgresFiles
from models.store.postgres._recordings import PostgresRecordings
from models.store.postgres._rows import WORDS, search_vector, write_conversation
from models.store.postgres._schema import LOCAL_OWNER, conversations, messages, owners

CANDIDATES = 5000  # matches of one word sorted by date at most; more: walk the newest-first index
SUMMARY = (conversations.c.name, conversations.c.created, conversations.c.updated, conversations.c.revision,
           conversations.c.message_count, conversations.c.model)


class PostgresStore:
    """One owner's conversations in a PostgreSQL database, safe across threads, processes and servers."""

    def __init__(self, database: Database, owner: str | None = None) -> None:
        self.owner = owner
        self._database = database
        self._owner = LOCAL_OWNER if owner is None else owner
        self.files = PostgresFiles(database, self._owner)  # attached files' bytes, by digest
        self.drafts = PostgresDrafts(database, self._owner, self.files)
        self.recordings = PostgresRecordings(database)  # spoken questions' audio, played by every server

    def remember_owner(self, profile: dict[str, str]) -> None:
        """Record who the owner is (issuer, sub, e-mail, name: nothing secret), to find them by e-mail."""
        if self.owner is None:
            return
        statement = upsert(owners).values(owner=self.owner, profile=profile)
        with self._database.begin() as connection:
            connection.execute(statement.on_conflict_do_update(index_elements=["owner"], set_={"profile": profile}))

    def save(
        self, name: str, messages: Sequence[Message], *, model: str | None = None,
        assistant: dict[str, Any] | None = None, expected_revision: int | None = None, replace: bool = False,
    ) -> ConversationSummary:
        """Write a conversation; an existing one is replaced only with `replace` or its current revision."""
        name = validate_name(name)
        messages = writable(messages, assistant)
        for attempt in range(2):
            try:
                with self._database.begin() as connection:
                    row = self._locked(connection, name)
                    if row is not None and not replace and expected_revision != row.revision:
                        raise ConversationExists(name, changed_elsewhere=expected_revision is not None)
                    return self._write(connection, name, messages, row, model=model, assistant=assistant)
            except IntegrityError:  # another server created the name meanwhile: look again, at its row
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def load(self, name: str) -> Conversation:
        """The conversation saved under `name`; ConversationNotFound otherwise."""
        name = validate_name(name)
        with self._database.connect() as connection:
            return self._load(connection, name)

    def delete(self, name: str) -> None:
        """Remove the conversation saved under `name`, and the attached files nothing else references;
        ConversationNotFound when there is none."""
        name = validate_name(name)
        with self._database.begin() as connection:
            row = self._locked(connection, name)
            if row is None:
                raise ConversationNotFound(name)
            attached = self.files.referenced_by(connection, row.id)
            connection.execute(delete(conversations).where(conversations.c.id == row.id))
            if attached:  # only then are the owner's other messages looked at
                self.files.collect_in(connection, attached, GRACE_SECONDS)

    def exists(self, name: str) -> bool:
        """True when a conversation is saved under `name`."""
        name = validate_name(name)
        with self._database.connect() as connection:
            return connection.execute(select(conversations.c.id).where(*self._named(name))).first() is not None

    def list(self, query: str = "", limit: int | None = None) -> Listing:
        """The saved conversations (those matching `query`, see search), newest first (the first `limit`
        of them: one more is asked for, to know whether more follow); nothing is unreadable."""
        statement = select(*SUMMARY).where(conversations.c.owner == self._owner)
        words = [word.decode() for word in query_words(query)]  # the longest first
        with self._database.connect() as connection:
            if words:
                statement = statement.where(self._matching(connection, words, limit))
            statement = statement.order_by(conversations.c.updated.desc(), conversations.c.name)
            if limit is not None:
                statement = statement.limit(limit + 1)
            found = [ConversationSummary(*row) for row in connection.execute(statement)]
        if limit is None or len(found) <= limit:
            return Listing(found, [], total=len(found))
        return Listing(found[:limit], [], more=True)

    def _matching(self, connection: Connection, words: list[str], limit: int | None) -> Any:
        """The condition for conversations holding every word (each the start of a suffix of some word
        of the text: see the migration), made so that PostgreSQL finds a page of them quickly."""
        # The query is made once, so that the planner sees a constant (a function call would be
        # estimated blindly and could run once per row).
        def query_of(chosen: list[str]) -> Any:
            made = connection.execute(select(func.bnagpt_search_query(literal(chosen, WORDS)).cast(Text))).scalar()
            return conversations.c.search.op("@@")(cast(literal(made), TSQUERY))

        match = query_of(words)
        if limit is None:
            return match
        # PostgreSQL guesses that any prefix query matches 0.5% of the rows, so for one page it would
        # walk the newest-first index and test every row: seconds at a million when few match. So
        # the longest word (the likeliest to be rare) is looked up in the GIN index first; if it
        # matches fewer than CANDIDATES, only those are tested and sorted, else (a common word) the
        # newest-first walk finds a page soon.
        first = query_of(words[:1])
        candidates = connection.execute(select(conversations.c.id).where(
            conversations.c.owner == self._owner, first).limit(CANDIDATES)).scalars().all()
        if len(candidates) < CANDIDATES:
            return and_(conversations.c.id.in_(candidates), match)
        return match

    def search(self, query: str) -> list[ConversationSummary]:
        """Conversations whose name or messages hold every word of `query` (any case, any accents), newest first."""
        return self.list(query).conversations

    def prepare_search(self) -> None:
        """Nothing to read ahead (the database keeps the index); brings the schema up to date early."""
        self._database.migrate()

    def rename(self, old: str, new: str, *, replace: bool = False) -> ConversationSummary:
        """Move a conversation to another name, keeping its messages, settings, `created` and `updated`."""
        old, new = validate_name(old), validate_name(new)
        with self._database.begin() as connection:
            row = self._locked(connection, old)
            if row is None:
                raise ConversationNotFound(old)
            if new == old:
                return ConversationSummary(*(getattr(row, column.name) for column in SUMMARY))
            taken = self._locked(connection, new)
            if taken is not None and not replace:
                raise ConversationExists(new)
            if taken is not None:
                connection.execute(delete(conversations).where(conversations.c.id == taken.id))
            texts = connection.execute(
                select(messages.c.data["content"].astext).where(messages.c.conversation_id == row.id)
            ).scalars()
            # Above both revisions, so a session still holding either one cannot overwrite the result.
            revision = max(row.revision, taken.revision if taken else 0) + 1
            connection.execute(update(conversations).where(conversations.c.id == row.id).values(
                name=new, revision=revision, search=search_vector(new, texts)))
            return ConversationSummary(new, row.created, row.updated, revision, row.message_count, row.model)

    def import_conversation(
        self, name: str, messages: Sequence[Message], *, model: str | None = None,
        assistant: dict[str, Any] | None = None, files: Mapping[str, bytes] | None = None,
    ) -> ConversationSummary:
        """Save a new conversation under `name` (cleaned), or "name (2)", "name (3)"…; never replaces one.
        `files` are the attached files an export carried, kept first so that no message names a missing one."""
        if not isinstance(name, str):
            raise TypeError("name must be text")
        messages = writable(messages, assistant)
        for data in (files or {}).values():
            self.files.put(data)
        with self._database.begin() as connection:
            return self._import(connection, name, messages, model, assistant)

    def import_file(self, file_name: str, data: bytes) -> list[ConversationSummary]:
        """Import every conversation in an uploaded file, or none (ImportProblem says why); their summaries."""
        imported = parse_import(file_name, data)
        for data in {digest: data for item in imported for digest, data in item.files.items()}.values():
            self.files.put(data)
        with self._database.begin() as connection:  # one transaction: all of the file or nothing
            return [self._import(connection, item.name, item.messages, item.model, item.assistant)
                    for item in imported]

    def write_copy(self, conversation: Conversation) -> None:
        """Put a conversation here exactly as it is elsewhere (its dates and revision), replacing one of its name."""
        summary = conversation.summary
        with self._database.begin() as connection:
            row = self._locked(connection, summary.name)
            self._write(connection, summary.name, conversation.messages, row, model=summary.model,
                        assistant=conversation.assistant, stamps=(summary.created, summary.updated, summary.revision))

    # The parts

    def _named(self, name: str) -> tuple[Any, Any]:
        return conversations.c.owner == self._owner, conversations.c.name == name

    def _locked(self, connection: Connection, name: str) -> Any:
        """The conversation's row, locked until the transaction ends; None when there is none."""
        statement = select(conversations.c.id, *SUMMARY).where(*self._named(name)).with_for_update()
        return connection.execute(statement).first()

    def _load(self, connection: Connection, name: str) -> Conversation:
        row = connection.execute(select(conversations.c.id, conversations.c.assistant, *SUMMARY)
                                 .where(*self._named(name))).first()
        if row is None:
            raise ConversationNotFound(name)
        # One JSON array rather than a row per message: fetching 2,000 rows cost more than reading them (B14-B5).
        data = connection.execute(select(func.json_agg(aggregate_order_by(messages.c.data, messages.c.position)))
                                  .where(messages.c.conversation_id == row.id)).scalar_one() or []
        summary = ConversationSummary(*(getattr(row, column.name) for column in SUMMARY))
        return Conversation(summary, [Message.from_dict(item) for item in data], row.assistant)

    def _import(self, connection: Connection, name: str, items: Sequence[Message], model: str | None,
                assistant: dict[str, Any] | None) -> ConversationSummary:
        def taken(candidate: str) -> bool:
            return connection.execute(select(conversations.c.id).where(*self._named(candidate))).first() is not None

        # Another server may take the same free name meanwhile: the insert then fails and we pick again.
        for _ in range(10):
            free = unique_name(name, taken)
            with connection.begin_nested():
                placeholder = upsert(conversations).values(
                    owner=self._owner, name=free, created="", updated="", revision=0, message_count=0,
                    search=func.to_tsvector(""))
                returning = placeholder.on_conflict_do_nothing().returning(*SUMMARY, conversations.c.id)
                row = connection.execute(returning).first()
            if row is not None:
                return self._write(connection, free, list(items), row, model=model, assistant=assistant, fresh=True)
        raise StoreError(f"No free name like “{name}” could be found; please try again.")

    def _write(self, connection: Connection, name: str, items: Sequence[Message], row: Any,
               **how: Any) -> ConversationSummary:
        return write_conversation(connection, self._owner, name, items, row, **how)
