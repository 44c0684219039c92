"""`python -m models.store.copy`: every owner's conversations from the JSON files into PostgreSQL and
back, exactly as they were (back in files, byte for byte), and a second run changes nothing more."""

from __future__ import annotations

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
PROFILE = {"iss": "https://id.example", "sub": "alice-sub", "email": "alice@example.com", "name": "Alice"}


def all_conversation_bytes(root: Path) -> dict[str, bytes]:
    """Every conversation file of the local user and of each owner, by its path under `root`."""
    folders = [root, *sorted((root / ".owners").glob("*"))]
    return {str(path.relative_to(root)): path.read_bytes() for folder in folders for path in conversation_files(folder)}


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
    monkeypatch.setenv("BNAGPT_DATABASE_URL", postgres_database)

    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(source))
    assert main(["to-database"]) == 0
    assert "Copied 2 conversations to the database; 0 were there already." in capsys.readouterr().out
    rows = database_rows(postgres_database)
    assert main(["to-database"]) == 0
    assert "Copied 0 conversations to the database; 2 were there already." in capsys.readouterr().out
    assert database_rows(postgres_database) == rows  # not one row written again

    database = database_for(postgres_database, 5)
    assert PostgresStore(database).load("Trip") == local.load("Trip")
    assert PostgresStore(database, ALICE).load("Plans") == alice.load("Plans")
    assert PostgresStore(database, ALICE).files.read(photo.digest) == b"\x89PNG cat"

    monkeypatch.setenv("BNAGPT_CONVERSATIONS_DIR", str(back))
    assert main(["to-files"]) == 0
    assert f"Copied 2 conversations to {back}; 0 were there already." in capsys.readouterr().out
    assert all_conversation_bytes(back) == all_conversation_bytes(source)
    assert ConversationStore(back, ALICE).files.read(photo.digest) == b"\x89PNG cat"
    profile = Path(".owners", ALICE, ".owner.json")
    assert (back / profile).read_bytes() == (source / profile).read_bytes()
    assert main(["to-files"]) == 0
    assert "Copied 0 conversations" in capsys.readouterr().out
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

    assert "Copied 1 conversation to the database; 0 were there already." in capsys.readouterr().out.splitlines()[-1]
    assert PostgresStore(database_for(postgres_database, 5)).load("Trip") == local.load("Trip")


def test_without_a_database_url_it_says_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["to-database"]) == 1
    assert "Set BNAGPT_DATABASE_URL" in capsys.readouterr().err
