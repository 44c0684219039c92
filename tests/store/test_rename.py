"""Tests for ConversationStore.rename: what moves and what stays, refusals that change nothing,
replacing, damaged files, revisions, and the order of writes on disk."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from models.message import Message
from models.store import (
    MAX_NAME_LENGTH,
    ConversationDamaged,
    ConversationExists,
    ConversationNotFound,
    ConversationStore,
    InvalidName,
    StoreError,
    file_name_for,
)
from tests.store.conftest import (
    MESSAGES,
    contents,
    conversation_files,
    corrupt_files,
    file_bytes,
    impatient_store,
    lock_held_elsewhere,
    write_damaged,
)

ASSISTANT = {"model": "llama-3.3-70b-versatile", "system_prompt": "Talk like a pirate.", "temperature": 0.3}


def test_rename_moves_messages_settings_and_dates_to_the_new_name(json_store: ConversationStore) -> None:
    before = json_store.save("Trip to Åre 🏔", MESSAGES, model="m", assistant=ASSISTANT)

    summary = json_store.rename("Trip to Åre 🏔", "Skiing 2026")

    assert not json_store.exists("Trip to Åre 🏔")
    assert [path.name for path in conversation_files(json_store.directory)] == [file_name_for("Skiing 2026")]
    conversation = json_store.load("Skiing 2026")
    assert conversation.messages == MESSAGES
    assert conversation.assistant == ASSISTANT
    assert conversation.summary == summary
    assert (summary.name, summary.created, summary.updated) == ("Skiing 2026", before.created, before.updated)
    assert (summary.revision, summary.message_count, summary.model) == (2, len(MESSAGES), "m")
    assert json_store.list().conversations == [summary]


def test_rename_keeps_the_conversation_where_it_was_in_the_newest_first_list(store: ConversationStore) -> None:
    store.save("older", MESSAGES[:1])
    store.save("newer", MESSAGES[:1])

    store.rename("older", "renamed")

    assert [summary.name for summary in store.list().conversations] == ["newer", "renamed"]


def test_the_controller_can_keep_saving_under_the_new_name_with_the_returned_revision(
    store: ConversationStore,
) -> None:
    first = store.save("draft", MESSAGES[:1])
    renamed = store.rename("draft", "final")

    with pytest.raises(ConversationExists, match="changed elsewhere"):
        store.save("final", MESSAGES, expected_revision=first.revision)  # the revision from before the rename
    saved = store.save("final", MESSAGES, expected_revision=renamed.revision)

    assert saved.revision == renamed.revision + 1
    assert store.load("final").messages == MESSAGES


def test_renaming_to_the_same_normalised_name_changes_nothing(store: ConversationStore) -> None:
    summary = store.save("Café", MESSAGES)
    before = contents(store)

    assert store.rename("Café", "  Cafe\u0301 ") == summary  # decomposed and padded: still the same name
    assert contents(store) == before


def test_names_differing_only_in_case_are_different_conversations(store: ConversationStore) -> None:
    store.save("trip", MESSAGES)

    store.rename("trip", "Trip")

    assert [summary.name for summary in store.list().conversations] == ["Trip"]
    assert store.load("Trip").messages == MESSAGES


def test_renaming_onto_another_conversation_is_refused_and_changes_nothing(store: ConversationStore) -> None:
    store.save("mine", MESSAGES[:1])
    store.save("theirs", MESSAGES[:2])
    before = contents(store)

    with pytest.raises(ConversationExists, match="A conversation named “theirs” already exists"):
        store.rename("mine", "theirs")

    assert contents(store) == before


def test_renaming_onto_another_conversation_with_replace_replaces_it(store: ConversationStore) -> None:
    mine = store.save("mine", MESSAGES[:1], assistant=ASSISTANT)
    for _ in range(3):
        theirs = store.save("theirs", MESSAGES[:2], replace=True)

    summary = store.rename("mine", "theirs", replace=True)

    assert [s.name for s in store.list().conversations] == ["theirs"]
    conversation = store.load("theirs")
    assert (conversation.messages, conversation.assistant) == (MESSAGES[:1], ASSISTANT)
    assert (summary.created, summary.updated) == (mine.created, mine.updated)
    # Above both old revisions, so a session holding "theirs" at its revision cannot overwrite it.
    assert summary.revision == theirs.revision + 1
    with pytest.raises(ConversationExists, match="changed elsewhere"):
        store.save("theirs", MESSAGES, expected_revision=theirs.revision)


def test_renaming_a_missing_conversation_raises_and_writes_nothing(store: ConversationStore) -> None:
    store.save("present", MESSAGES)
    before = contents(store)

    with pytest.raises(ConversationNotFound, match="No saved conversation named “absent”"):
        store.rename("absent", "new")

    assert contents(store) == before


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("", "give the conversation a name"),
        (" \t ", "give the conversation a name"),
        ("x" * (MAX_NAME_LENGTH + 1), f"{MAX_NAME_LENGTH} characters or fewer"),
        ("two\nlines", "control characters"),
        ("bad \ud800 half", "not valid text"),
        (None, "must be text"),
    ],
    ids=["empty", "blank", "too-long", "control-character", "lone-surrogate", "not-text"],
)
def test_an_invalid_new_name_is_refused_and_changes_nothing(store: ConversationStore, new: Any, message: str) -> None:
    store.save("valid", MESSAGES)
    before = contents(store)

    with pytest.raises(InvalidName, match=message):
        store.rename("valid", new)
    with pytest.raises(InvalidName, match=message):
        store.rename(new, "valid")

    assert contents(store) == before


def test_renaming_a_damaged_conversation_sets_it_aside_and_raises(json_store: ConversationStore) -> None:
    json_store.save("broken", MESSAGES)
    damaged = write_damaged(json_store.directory, "broken", header_intact=True)

    with pytest.raises(ConversationDamaged) as raised:
        json_store.rename("broken", "repaired")

    assert [path.read_bytes() for path in corrupt_files(json_store.directory)] == [damaged]
    assert raised.value.kept_as == corrupt_files(json_store.directory)[0]
    assert conversation_files(json_store.directory) == []


def test_renaming_onto_a_damaged_file_keeps_its_bytes_aside(json_store: ConversationStore) -> None:
    json_store.save("target", MESSAGES[:1])
    damaged = write_damaged(json_store.directory, "target", header_intact=False)
    json_store.save("source", MESSAGES)

    json_store.rename("source", "target")

    assert [path.read_bytes() for path in corrupt_files(json_store.directory)] == [damaged]
    assert json_store.load("target").messages == MESSAGES
    assert len(json_store.list().problems) == 1


def test_a_crash_between_writing_the_new_file_and_removing_the_old_keeps_both(
    json_store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    json_store.save("old", MESSAGES)

    def crash(*args: Any, **kwargs: Any) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "unlink", crash)
    problem = "“old” was saved as “new”, but its old file could not be removed: Input/output error"
    with pytest.raises(StoreError, match=problem):
        json_store.rename("old", "new")
    monkeypatch.undo()

    assert json_store.load("old").messages == MESSAGES
    assert json_store.load("new").messages == MESSAGES


def test_rename_waits_for_the_store_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = impatient_store(tmp_path / "store", monkeypatch)
    store.save("old", MESSAGES)
    before = file_bytes(store.directory)

    with lock_held_elsewhere(store.directory), pytest.raises(StoreError, match="busy elsewhere"):
        store.rename("old", "new")

    assert file_bytes(store.directory) == before


def test_another_store_instance_sees_the_rename(json_store: ConversationStore) -> None:
    json_store.save("old", [Message("user", "hi")])
    other = ConversationStore(json_store.directory)
    assert [summary.name for summary in other.list().conversations] == ["old"]

    json_store.rename("old", "new")

    assert [summary.name for summary in other.list().conversations] == ["new"]
    assert other.load("new").messages == [Message("user", "hi")]
