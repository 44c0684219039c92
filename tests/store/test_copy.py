"""`python -m models.store.copy`: every owner's conversations and drafts from the JSON files into
PostgreSQL and back, exactly as they were (back in files, byte for byte), and a second run changes
nothing more."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from models.attachments import Attachment
from models.message import Message
from models.store import ConversationStore
from models.store.copy import main
from models.store.postgres import PostgresStore, database_for
from tests.store.conftest import MESSAGES, conversation_files

ALICE = "a" * 32
DRAFT, ALICE_DRAFT = "d" * 32, "e" * 32
PROFILE = {"iss": "https://id.example", "sub": "alice-sub", "email": "alice@example.com", "name": "Alice"}


def all_conversation_bytes(root: Path) -> dict[str, bytes]:
    """Every conversation and draft file of the local user and of each owner, by its path under `root`."""
    folders = [root, *sorted((root / ".owners").glob("*"))]
    return {str(path.relative_to(root)): path.read_bytes() for folder in folders
            for path in [*conversation_files(folder), *sorted((folder / ".drafts").glob("*.json"))]}


def draft_rows(url: str) -> list[tuple]:
    """Each draft row with the transaction that last wrote it (xmin)."""
    with database_for(url, 5).connect() as connection:
        rows = connection.execute(text("SELECT owner, id, xmin::text FROM drafts ORDER BY 1, 2"))
        return [tuple(row) for row in rows]


def database_rows(url: str) -> list[tuple]:
    """Each conversation and message row with the transaction that last wrote it (xmin)."""
    with database_for(url, 5).connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT c.owner, c.name, c.xmin::text, m.position, m.xmin::text FROM conversations c "
            "LEFT JOIN messages m ON m.conversation_id = c.id ORDER BY 1, 2, 4"))]


def test_a_folder_goes_into_the_database_and_back_unchanged_and_twice_changes_nothing(
    tmp_path: Path, postgres_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source, back = tmp_path / "files", tmp_path / "back"
    local, alice = ConversationStore(source), ConversationStore(source, ALICE)
    local.save("Trip", MESSAGES, model="m", assistant={"system_prompt": "Be brief", "temperature": 0.5})
    local.save("Trip", [*MESSAGES, Message("user", "again")], expected_revision=1)  # revision 2
    photo = Attachment("cat.png", "image", alice.files.put(b"\x89PNG cat"), "image/png", 8)
    alice.save("Plans", [Message("user", "zebra", attachments=(photo,))])
    alice.remember_owner(PROFILE)
    # Chats without a name yet go too: one with a file only a draft attaches, and one of a person's.
    note = Attachment("note.txt", "document", local.files.put(b"draft only"), "text/plain", 10)
    local.drafts.save(DRAFT, "memory", [Message("user", "half a thought", attachments=(note,))], {"temperature": 0.2})
    alice.drafts.save(ALICE_DRAFT, "simple", [Message("user", "hi")], None)
    monkeypatch.setenv("BNAGPT_DATABASE_URL", postgres_database)

    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(source))
    assert main(["to-database"]) == 0
    assert "Copied 2 conversations to the database; 0 were there already; 2 unnamed chats (drafts) copied." \
        in capsys.readouterr().out
    rows, drafts = database_rows(postgres_database), draft_rows(postgres_database)
    assert main(["to-database"]) == 0
    assert "Copied 0 conversations to the database; 2 were there already; 0 unnamed chats (drafts) copied." \
        in capsys.readouterr().out
    assert database_rows(postgres_database) == rows  # not one row written again
    assert draft_rows(postgres_database) == drafts

    database = database_for(postgres_database, 5)
    assert PostgresStore(database).load("Trip") == local.load("Trip")
    assert PostgresStore(database, ALICE).load("Plans") == alice.load("Plans")
    assert PostgresStore(database, ALICE).files.read(photo.digest) == b"\x89PNG cat"
    assert PostgresStore(database).drafts.load(DRAFT) == local.drafts.load(DRAFT)
    assert PostgresStore(database, ALICE).drafts.load(ALICE_DRAFT) == alice.drafts.load(ALICE_DRAFT)
    assert PostgresStore(database).files.read(note.digest) == b"draft only"

    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(back))
    assert main(["to-files"]) == 0
    assert f"Copied 2 conversations to {back}; 0 were there already; 2 unnamed chats" in capsys.readouterr().out
    assert all_conversation_bytes(back) == all_conversation_bytes(source)
    assert ConversationStore(back, ALICE).files.read(photo.digest) == b"\x89PNG cat"
    assert ConversationStore(back).files.read(note.digest) == b"draft only"
    # A copied draft keeps its age: it expires when the original would have.
    written = datetime.fromisoformat(local.drafts.load(DRAFT).updated).timestamp()
    assert (back / ".drafts" / f"{DRAFT}.json").stat().st_mtime == pytest.approx(written, abs=0.001)
    profile = Path(".owners", ALICE, ".owner.json")
    assert (back / profile).read_bytes() == (source / profile).read_bytes()
    assert main(["to-files"]) == 0
    assert "Copied 0 conversations to" in (out := capsys.readouterr().out) and "0 unnamed chats" in out
    assert all_conversation_bytes(back) == all_conversation_bytes(source)


def test_a_changed_conversation_is_copied_again_over_the_old_copy(
    tmp_path: Path, postgres_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    local = ConversationStore(tmp_path)
    first = local.save("Trip", MESSAGES[:1])
    monkeypatch.setenv("BNAGPT_DATABASE_URL", postgres_database)
    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(tmp_path))
    main(["to-database"])
    local.save("Trip", MESSAGES, expected_revision=first.revision)

    main(["to-database"])

    assert "Copied 1 conversation to the database; 0 were there already;" in capsys.readouterr().out.splitlines()[-1]
    assert PostgresStore(database_for(postgres_database, 5)).load("Trip") == local.load("Trip")


def test_without_a_database_url_it_says_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["to-database"]) == 1
    assert "Set BNAGPT_DATABASE_URL" in capsys.readouterr().err


def test_kept_recordings_go_into_the_database_and_back_once(
    tmp_path: Path, postgres_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source, back = tmp_path / "files", tmp_path / "back"
    local, alice = ConversationStore(source), ConversationStore(source, ALICE)
    spoken, hers = local.recordings.save(b"RIFF local question", "wav"), alice.recordings.save(b"OggS hers", "ogg")
    local.save("Asked aloud", [Message("user", "what time is it", voice=True, recording=spoken)])
    alice.save("Hers", [Message("user", "and mine", voice=True, recording=hers)])
    monkeypatch.setenv("BNAGPT_DATABASE_URL", postgres_database)
    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(source))

    assert main(["to-database"]) == 0
    assert "2 recordings of spoken questions copied." in capsys.readouterr().out
    database = database_for(postgres_database, 5)
    assert PostgresStore(database).recordings.read(spoken) == b"RIFF local question"
    assert PostgresStore(database, ALICE).recordings.read(hers) == b"OggS hers"
    with database.connect() as connection:
        kept = connection.execute(text("SELECT name, xmin::text FROM recordings ORDER BY 1")).all()
    assert main(["to-database"]) == 0
    assert "0 recordings of spoken questions copied." in capsys.readouterr().out
    with database.connect() as connection:  # not one row written again
        assert connection.execute(text("SELECT name, xmin::text FROM recordings ORDER BY 1")).all() == kept

    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(back))
    assert main(["to-files"]) == 0
    assert "2 recordings of spoken questions copied." in capsys.readouterr().out
    recordings = {path.name: path.read_bytes() for path in (source / ".recordings").iterdir()}
    assert {path.name: path.read_bytes() for path in (back / ".recordings").iterdir()} == recordings
    assert ConversationStore(back).load("Asked aloud").messages[0].recording == spoken
    stamps = {path.name: path.stat().st_mtime_ns for path in (back / ".recordings").iterdir()}
    assert main(["to-files"]) == 0
    assert "0 recordings of spoken questions copied." in capsys.readouterr().out
    assert {path.name: path.stat().st_mtime_ns for path in (back / ".recordings").iterdir()} == stamps
