"""ConversationStore.import_conversation / import_file: free names, never replacing, and a bad
file imports nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.message import Message
from models.store import MAX_NAME_LENGTH, ConversationStore, ImportProblem, StoreError, file_name_for, to_json
from tests.store.conftest import (
    MESSAGES,
    contents,
    corrupt_files,
    file_bytes,
    impatient_store,
    legacy_file,
    lock_held_elsewhere,
    write_damaged,
)

ASSISTANT = {"model": "llama-3.3-70b-versatile", "system_prompt": "Be brief.", "temperature": 0.2}


def test_an_import_takes_the_name_when_it_is_free(store: ConversationStore) -> None:
    summary = store.import_conversation("Fresh", MESSAGES, model="m", assistant=ASSISTANT)

    assert (summary.name, summary.revision, summary.message_count, summary.model) == ("Fresh", 1, len(MESSAGES), "m")
    conversation = store.load("Fresh")
    assert (conversation.messages, conversation.assistant) == (MESSAGES, ASSISTANT)


def test_an_import_never_replaces_a_conversation_and_numbers_the_name(store: ConversationStore) -> None:
    store.save("Plans", MESSAGES)
    before = contents(store)

    second = store.import_conversation("Plans", [Message("user", "two")])
    third = store.import_conversation("  Plans ", [Message("user", "three")])

    assert (second.name, third.name) == ("Plans (2)", "Plans (3)")
    assert {name: data for name, data in contents(store).items() if name in before} == before
    assert store.load("Plans").messages == MESSAGES
    assert store.load("Plans (3)").messages == [Message("user", "three")]


def test_an_import_skips_a_name_whose_file_is_damaged_and_leaves_the_file(json_store: ConversationStore) -> None:
    json_store.save("Broken", MESSAGES)
    damaged = write_damaged(json_store.directory, "Broken", header_intact=False)

    summary = json_store.import_conversation("Broken", MESSAGES)

    assert summary.name == "Broken (2)"
    assert (json_store.directory / file_name_for("Broken")).read_bytes() == damaged


def test_a_long_name_is_trimmed_so_that_the_number_fits(store: ConversationStore) -> None:
    long_name = "word " * 30  # 150 characters

    first = store.import_conversation(long_name, MESSAGES)
    second = store.import_conversation(long_name, MESSAGES)

    assert len(first.name) <= MAX_NAME_LENGTH and long_name.startswith(first.name)
    assert len(second.name) <= MAX_NAME_LENGTH and second.name.endswith(" (2)")
    assert long_name.startswith(second.name.removesuffix(" (2)"))


@pytest.mark.parametrize(
    ("raw_name", "name"),
    [("", "Imported conversation"), ("\t\n", "Imported conversation"), ("tab\there", "tab here"),
     ("bad \ud800 half", "bad   half"), ("Cafe\u0301", "Café")],
)
def test_an_unusable_name_is_cleaned(store: ConversationStore, raw_name: str, name: str) -> None:
    assert store.import_conversation(raw_name, MESSAGES).name == name


def test_import_waits_for_the_store_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = impatient_store(tmp_path / "store", monkeypatch)
    store.save("existing", MESSAGES)
    before = file_bytes(store.directory)

    with lock_held_elsewhere(store.directory):
        with pytest.raises(StoreError, match="busy elsewhere"):
            store.import_conversation("existing", MESSAGES)
        with pytest.raises(StoreError, match="busy elsewhere"):
            store.import_file("x.json", legacy_file({"a": []}))

    assert file_bytes(store.directory) == before


# import_file


def test_import_file_imports_every_conversation_of_the_original_apps_file(store: ConversationStore) -> None:
    store.save("Chat one", MESSAGES)
    data = legacy_file({"Chat one": [{"role": "user", "content": "Hi"}], "Chat two": []})

    summaries = store.import_file("saved_conversations (1).json", data)

    assert [summary.name for summary in summaries] == ["Chat one (2)", "Chat two"]
    assert store.load("Chat one").messages == MESSAGES
    assert store.load("Chat one (2)").messages == [Message("user", "Hi")]


def test_import_file_of_an_export_makes_a_copy_beside_the_original(store: ConversationStore) -> None:
    store.save("Original", MESSAGES, model="m", assistant=ASSISTANT)

    [copy] = store.import_file("original.json", to_json(store.load("Original")))

    assert copy.name == "Original (2)"
    assert store.load("Original (2)").assistant == ASSISTANT
    assert copy.created > store.load("Original").summary.created  # a new conversation, not a replacement


def test_a_bad_file_imports_nothing_at_all(json_store: ConversationStore) -> None:
    json_store.save("existing", MESSAGES)
    before = file_bytes(json_store.directory)
    data = legacy_file({"good": [{"role": "user", "content": "fine"}], "bad": [{"role": "wizard", "content": "x"}]})

    problem = "“mixed.json” could not be imported: the conversation 'bad', message 1"
    with pytest.raises(ImportProblem, match=problem):
        json_store.import_file("mixed.json", data)

    assert file_bytes(json_store.directory) == before
    assert corrupt_files(json_store.directory) == []
