"""Owners in the database: who signed in with an address (`find_database_owners`), and moving the
local user's conversations, drafts and attached files to a person (`move_database_conversations`),
as `python -m controller.move_conversations` does for the JSON files."""

from __future__ import annotations

from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as upsert

from models.store._names import unique_name
from models.store._records import StoreError
from models.store.postgres._database import Database
from models.store.postgres._rows import search_vector
from models.store.postgres._schema import LOCAL_OWNER, attached_files, conversations, drafts, messages, owners


def find_database_owners(database: Database, email: str) -> list[tuple[str, dict[str, str]]]:
    """The owners who signed in with `email` (any case), with what was recorded of them."""
    statement = select(owners.c.owner, owners.c.profile).where(
        func.lower(owners.c.profile["email"].astext) == email.strip().casefold()).order_by(owners.c.owner)
    with database.connect() as connection:
        return [(owner, profile) for owner, profile in connection.execute(statement)]


def move_database_conversations(database: Database, source: str | None, target: str) -> list[str]:
    """Move every conversation, draft and attached file of owner `source` (None: the local user) to
    `target` in one transaction; the names the conversations have there (a taken one gets a suffix)."""
    source = LOCAL_OWNER if source is None else source
    if source == target:
        raise StoreError("Those conversations are already there.")
    moved = []
    with database.begin() as connection:
        taken = set(connection.execute(select(conversations.c.name).where(conversations.c.owner == target)).scalars())
        rows = connection.execute(select(conversations.c.id, conversations.c.name).where(
            conversations.c.owner == source).order_by(conversations.c.updated.desc()).with_for_update()).all()
        for row in rows:
            name = unique_name(row.name, taken.__contains__)
            taken.add(name)
            values = {"owner": target, "name": name}
            if name != row.name:  # the new name's words are searched too
                texts = connection.execute(select(messages.c.data["content"].astext).where(
                    messages.c.conversation_id == row.id)).scalars()
                values["search"] = search_vector(name, texts)
            connection.execute(update(conversations).where(conversations.c.id == row.id).values(**values))
            moved.append(name)
        connection.execute(update(drafts).where(drafts.c.owner == source).values(owner=target))
        files = select(literal(target), attached_files.c.digest, attached_files.c.data, attached_files.c.search_index,
                       attached_files.c.put_at).where(attached_files.c.owner == source)
        connection.execute(upsert(attached_files).from_select(
            ["owner", "digest", "data", "search_index", "put_at"], files).on_conflict_do_nothing())
        connection.execute(delete(attached_files).where(attached_files.c.owner == source))
    return moved


