"""Copy every saved conversation between the JSON files and PostgreSQL, both named by settings
(BNAGPT_CONVERSATIONS_DIR, BNAGPT_DATABASE_URL):

    python -m models.store.copy to-database     (the folder's conversations into the database)
    python -m models.store.copy to-files        (and back)

Every owner's conversations and chats without a name yet (drafts) are copied as they are (names,
messages, settings, dates, revisions, attached files), with who each signed-in owner is, and the kept
recordings of spoken questions (every owner's together, as both stores keep them). One already
there exactly is left alone, so running it twice changes nothing more; one of the same name (or draft
id) that differs is replaced by the copy. Nothing is removed from either side.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, union

from models.message import Message
from models.store._contract import Store
from models.store._owners import OWNER_KEY, OWNERS_DIR_NAME, PROFILE_FILE_NAME
from models.store._records import ConversationNotFound, StoreError
from models.store._store import ConversationStore
from models.store.postgres import Database, PostgresStore, database_for
from models.store.postgres._schema import LOCAL_OWNER, conversations, drafts, owners
from settings import ConfigurationError, load_settings


@dataclass
class Copied:
    """What one copy did."""

    copied: int = 0
    unchanged: int = 0
    drafts: int = 0  # drafts copied (those already there exactly are not counted)
    recordings: int = 0  # spoken questions' recordings copied (those already there are not counted)
    problems: list[str] | None = None


def copy_store(source: Store, target: Store, report: Copied) -> None:
    """Copy one owner's conversations from `source` to `target`, leaving alone those already there."""
    listing = source.list()
    report.problems = [*(report.problems or []), *listing.problems]
    for summary in listing.conversations:
        conversation = source.load(summary.name)
        try:
            there = target.load(summary.name)
        except ConversationNotFound:
            there = None
        if there == conversation:
            report.unchanged += 1
            continue
        copy_files(conversation.messages, source, target)
        target.write_copy(conversation)  # type: ignore[attr-defined] - both stores have it; not the contract
        report.copied += 1
    # Not the contract either: both drafts areas can say which ids they hold, and write one as it is.
    for draft_id in source.drafts.ids():  # type: ignore[attr-defined]
        draft = source.drafts.load(draft_id)
        if draft is None or target.drafts.load(draft_id) == draft:
            continue
        copy_files(draft.messages, source, target)
        target.drafts.write_copy(draft)  # type: ignore[attr-defined]
        report.drafts += 1


def copy_recordings(source: Store, target: Store, report: Copied) -> None:
    """The kept recordings `target` lacks (every owner's together, as both stores keep them)."""
    there = set(target.recordings.names())  # type: ignore[attr-defined] - both areas have it; not the contract
    for name in source.recordings.names():  # type: ignore[attr-defined]
        data = source.recordings.read(name)
        if name not in there and data is not None:  # None: removed meanwhile
            target.recordings.put(name, data)
            report.recordings += 1


def copy_files(messages: Sequence[Message], source: Store, target: Store) -> None:
    """The files `messages` attach that `target` lacks, copied first, so that no copied message names a missing one."""
    for digest in {attachment.digest for message in messages for attachment in message.attachments}:
        if not target.files.exists(digest):
            target.files.put(source.files.read(digest))


def folder_owners(root: Path) -> dict[str | None, dict[str, str] | None]:
    """The owners of a JSON folder (None: the local user) and who each is, as recorded."""
    found: dict[str | None, dict[str, str] | None] = {None: None}
    for folder in sorted((root / OWNERS_DIR_NAME).glob("*")):
        if folder.is_dir() and OWNER_KEY.match(folder.name):
            try:
                found[folder.name] = json.loads((folder / PROFILE_FILE_NAME).read_bytes())
            except (OSError, ValueError):
                found[folder.name] = None
    return found


def database_owners(database: Database) -> dict[str | None, dict[str, str] | None]:
    """The owners a database holds conversations or a profile of, and who each is."""
    keys = union(select(conversations.c.owner).distinct(), select(drafts.c.owner).distinct(), select(owners.c.owner))
    with database.connect() as connection:
        profiles = dict(connection.execute(select(owners.c.owner, owners.c.profile)).all())
        found = {key: profiles.get(key) for key in connection.execute(keys).scalars()}
    return {(None if key == LOCAL_OWNER else key): profile for key, profile in found.items()}


def copy_all(direction: str, root: Path, database: Database) -> Copied:
    """Copy every owner's conversations in `direction` ("to-database" or "to-files")."""
    report = Copied(problems=[])
    to_database = direction == "to-database"
    for owner, profile in (folder_owners(root) if to_database else database_owners(database)).items():
        files, rows = ConversationStore(root, owner), PostgresStore(database, owner)
        source, target = (files, rows) if to_database else (rows, files)
        if profile:
            target.remember_owner(profile)
        copy_store(source, target, report)
    files, rows = ConversationStore(root), PostgresStore(database)
    copy_recordings(*((files, rows) if to_database else (rows, files)), report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.store.copy", description=__doc__.split("\n")[0])
    parser.add_argument("direction", choices=["to-database", "to-files"])
    arguments = parser.parse_args(argv)
    try:
        settings = load_settings()
        if not settings.database_url:
            print("Set BNAGPT_DATABASE_URL to the PostgreSQL database first.", file=sys.stderr)
            return 1
        database = database_for(settings.database_url, settings.database_timeout)
        report = copy_all(arguments.direction, settings.conversations_dir, database)
    except (ConfigurationError, StoreError, OSError) as error:
        print(f"The copy stopped: {error}", file=sys.stderr)
        return 1
    where = "the database" if arguments.direction == "to-database" else str(settings.conversations_dir)
    print(f"Copied {report.copied} conversation{'' if report.copied == 1 else 's'} to {where}; "
          f"{report.unchanged} {'was' if report.unchanged == 1 else 'were'} there already; "
          f"{report.drafts} unnamed chat{'' if report.drafts == 1 else 's'} (drafts) copied. "
          f"{report.recordings} recording{'' if report.recordings == 1 else 's'} of spoken questions copied.")
    for problem in report.problems or []:
        print(f"Not copied: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
