"""Tests for the conversation store basics: round trips and metadata, listing, names (unusable
and hostile), duplicates and revisions, delete, and the listing cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.message import Message
from models.store import (
    INDEX_DIR_NAME,
    MAX_NAME_LENGTH,
    ConversationExists,
    ConversationNotFound,
    ConversationStore,
    InvalidName,
    _directory,
    file_name_for,
    validate_name,
)
from tests.store.conftest import MESSAGES, all_files, conversation_files, names

# Round trips and metadata


def test_save_then_load_returns_the_same_messages(store: ConversationStore) -> None:
    summary = store.save("Trip to Åre 🏔", MESSAGES, model="llama-3.1-8b-instant")

    conversation = store.load("Trip to Åre 🏔")

    assert conversation.messages == MESSAGES
    assert conversation.summary == summary
    assert summary.message_count == len(MESSAGES)
    assert summary.model == "llama-3.1-8b-instant"
    assert summary.revision == 1
    assert summary.created == summary.updated


def test_file_is_one_json_document_whose_first_line_holds_the_metadata(json_store: ConversationStore) -> None:
    json_store.save("Layout", MESSAGES, model="m")

    [path] = conversation_files(json_store.directory)
    text = path.read_text(encoding="utf-8")
    first_line, *message_lines, last_line = text.split("\n")[:-1]

    assert json.loads(text)["messages"] == [message.to_dict() for message in MESSAGES]
    header = json.loads(first_line + "]}")
    assert list(header) == ["format", "name", "created", "updated", "revision", "model", "message_count", "messages"]
    assert header["format"] == 1 and header["name"] == "Layout" and header["message_count"] == len(MESSAGES)
    assert [json.loads(line.rstrip(",")) for line in message_lines] == [m.to_dict() for m in MESSAGES]
    assert last_line == "]}"
    assert "你好" in text  # stored as UTF-8, not \\u escapes


def test_names_are_normalised_to_nfc_and_stripped(store: ConversationStore) -> None:
    decomposed = "  Cafe\u0301  "

    summary = store.save(decomposed, MESSAGES[:1])

    assert summary.name == "Café"
    assert store.load("Café").summary.name == "Café"
    assert store.exists("Cafe\u0301")


def test_list_is_newest_first_and_keeps_created_across_updates(store: ConversationStore) -> None:
    first = store.save("first", MESSAGES[:1], model="a")
    store.save("second", MESSAGES[:2], model="b")
    updated = store.save("first", MESSAGES, model="c", replace=True)

    listing = store.list()

    assert [summary.name for summary in listing.conversations] == ["first", "second"]
    assert listing.problems == []
    newest = listing.conversations[0]
    assert newest == updated
    assert newest.created == first.created
    assert newest.updated > first.updated
    assert (newest.revision, newest.message_count, newest.model) == (2, len(MESSAGES), "c")


def test_expected_revision_allows_replacing_and_a_stale_one_is_refused(store: ConversationStore) -> None:
    store.save("doc", MESSAGES[:1])
    second = store.save("doc", MESSAGES[:2], expected_revision=1)

    with pytest.raises(ConversationExists, match="changed elsewhere") as raised:
        store.save("doc", MESSAGES[:3], expected_revision=1)

    assert second.revision == 2
    assert raised.value.name == "doc"
    assert store.load("doc").messages == MESSAGES[:2]
    assert store.save("doc", MESSAGES[:3], expected_revision=2).revision == 3


def test_duplicate_name_without_replace_is_refused_and_leaves_the_original(json_store: ConversationStore) -> None:
    json_store.save("Notes", MESSAGES)
    [path] = conversation_files(json_store.directory)
    before = path.read_bytes()

    with pytest.raises(ConversationExists) as raised:
        json_store.save(" Notes ", MESSAGES[:1])

    assert str(raised.value) == "A conversation named “Notes” already exists."
    assert path.read_bytes() == before


def test_delete_then_load_raises_not_found(store: ConversationStore) -> None:
    store.save("gone", MESSAGES)
    store.delete("gone")

    with pytest.raises(ConversationNotFound, match="No saved conversation named “gone”"):
        store.load("gone")
    with pytest.raises(ConversationNotFound):
        store.delete("gone")
    assert not store.exists("gone")
    assert store.list().conversations == []


# Names


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Please give the conversation a name."),
        (" \t\n ", "Please give the conversation a name."),
        ("x" * (MAX_NAME_LENGTH + 1), "120 characters"),
        ("two\nlines", "control characters"),
        ("bell\x07", "control characters"),
    ],
)
def test_unusable_names_are_refused(store: ConversationStore, name: str, message: str) -> None:
    with pytest.raises(InvalidName, match=message):
        validate_name(name)
    with pytest.raises(InvalidName):
        store.save(name, MESSAGES)
    assert store.list().conversations == []


HOSTILE_NAMES = [
    "../../x", "/etc/passwd", "<b>bold</b>", "..", ".", "a\\b", "a/b", "con", "NUL",
    "🔥🔥🔥", "ش" * MAX_NAME_LENGTH, "مرحبا بالعالم", "\u202eevil", "~/.bashrc", "C:\\Windows",
]


def test_hostile_names_stay_inside_the_directory_and_round_trip(tmp_path: Path) -> None:
    # Deep enough that "../../x" would still land in tmp_path, which no other test writes in.
    directory = tmp_path / "a" / "b" / "store"
    store = ConversationStore(directory)

    for name in HOSTILE_NAMES:
        store.save(name, [Message("user", f"saved as {name}")])

    written = all_files(tmp_path)
    assert written and all(path.parent in (directory, directory / INDEX_DIR_NAME) for path in written)
    assert len(conversation_files(directory)) == len(HOSTILE_NAMES)
    assert {summary.name for summary in store.list().conversations} == set(HOSTILE_NAMES)
    for name in HOSTILE_NAMES:
        assert store.load(name).messages == [Message("user", f"saved as {name}")]
        assert store.load(name).summary.name == name


def test_file_names_are_an_ascii_slug_and_a_hash() -> None:
    assert file_name_for("Hello, World!").startswith("hello-world-")
    assert file_name_for("../../x").startswith("x-")
    assert file_name_for("🔥").startswith("-")
    assert len(file_name_for("a" * MAX_NAME_LENGTH)) == 40 + 1 + 20 + len(".json")
    assert file_name_for("Hello") != file_name_for("hello")


# The listing cache


def test_list_sees_changes_made_by_another_store_instance(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    mine, theirs = ConversationStore(directory), ConversationStore(directory)
    mine.save("kept", MESSAGES[:1])
    mine.save("changed", MESSAGES[:1])
    mine.save("removed", MESSAGES[:1])
    assert len(mine.list().conversations) == 3

    theirs.save("changed", MESSAGES, model="new model", replace=True)
    theirs.delete("removed")
    theirs.save("added", MESSAGES[:2])

    listing = {summary.name: summary for summary in mine.list().conversations}
    assert sorted(listing) == ["added", "changed", "kept"]
    assert (listing["changed"].revision, listing["changed"].message_count) == (2, len(MESSAGES))
    assert listing["changed"].model == "new model"


def test_a_warm_list_reads_no_file(store: ConversationStore, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(5):
        store.save(f"conversation {index}", MESSAGES)
    cold = store.list()

    def no_reading(path: Path) -> None:
        raise AssertionError(f"read {path} although nothing changed")

    monkeypatch.setattr(_directory, "read_header", no_reading)
    monkeypatch.setattr(_directory, "parse_document", no_reading)

    assert store.list() == cold


def test_the_store_creates_its_directory(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "a" / "b" / "c")

    assert store.directory.is_dir()
    assert store.list().conversations == []


def test_a_page_of_the_list_is_the_newest_and_says_whether_more_follow(store: ConversationStore) -> None:
    for index in range(5):
        store.save(f"chat {index}", [Message("user", f"word{index % 2} text")])

    page = store.list(limit=2)
    assert names(page.conversations) == ["chat 4", "chat 3"] and page.more
    assert page.total in (None, 5)  # known when counting is free
    whole = store.list(limit=5)
    assert names(whole.conversations) == ["chat 4", "chat 3", "chat 2", "chat 1", "chat 0"] and not whole.more
    found = store.list("word0", limit=2)
    assert names(found.conversations) == ["chat 4", "chat 2"] and found.more
    assert not store.list("word1", limit=2).more
