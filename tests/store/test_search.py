"""Tests for ConversationStore.search: what matches (names, messages, case, accents, every word),
order, keeping up with saves, deletes, renames and other processes, damaged files (folding and the
index against a plain search: tests/store/test_search_index.py)."""

from __future__ import annotations

from typing import Any

import pytest

from models.message import Message
from models.store import ConversationStore, _directory, file_name_for
from tests.store.conftest import names, save_trips, write_damaged


@pytest.fixture
def trips(store: ConversationStore) -> ConversationStore:
    """Three conversations, saved oldest first."""
    return save_trips(store)


# What matches


def test_a_word_of_the_name_matches(trips: ConversationStore) -> None:
    assert names(trips.search("paris")) == ["Café in Paris"]


def test_a_word_of_a_message_matches(trips: ConversationStore) -> None:
    assert names(trips.search("croissant")) == ["Café in Paris"]
    assert names(trips.search("backslashes")) == ["Groceries"]


def test_part_of_a_word_matches(trips: ConversationStore) -> None:
    assert names(trips.search("roissa")) == ["Café in Paris"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("cafe", "Café in Paris"), ("CAFÉ", "Café in Paris"), ("are", "Ski trip"), ("ÅRE", "Ski trip"),
        ("march", "Ski trip"), ("ça dépend", "Ski trip"), ("CA DEPEND", "Ski trip"), ("你好", "Groceries"),
        ("Cafe\u0301", "Café in Paris"),  # a decomposed query
    ],
)
def test_case_and_accents_do_not_matter_either_way(trips: ConversationStore, query: str, found: str) -> None:
    assert names(trips.search(query)) == [found]


def test_every_word_must_occur_but_anywhere(trips: ConversationStore) -> None:
    assert names(trips.search("ski yes")) == ["Ski trip"]  # one in the name, one in a message
    assert names(trips.search("ski croissant")) == []
    assert names(trips.search("  yes \t SKI  ")) == ["Ski trip"]


def test_a_word_does_not_match_across_two_messages(store: ConversationStore) -> None:
    store.save("split", [Message("user", "abc"), Message("assistant", "def")])

    assert names(store.search("abc")) == ["split"]
    assert names(store.search("cd")) == []
    assert names(store.search("splitabc")) == []


def test_unicode_whitespace_separates_words(store: ConversationStore) -> None:
    store.save("spaces", [Message("user", "left\u2028right\u00a0more\u3000end")])

    assert names(store.search("right")) == ["spaces"]
    assert names(store.search("left\u00a0more")) == ["spaces"]  # a no-break space in the query splits it too
    assert names(store.search("leftright")) == []


def test_no_match_gives_an_empty_list(trips: ConversationStore) -> None:
    assert trips.search("zebra") == []


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "\u0301"])
def test_an_empty_query_lists_everything(trips: ConversationStore, query: str) -> None:
    assert trips.search(query) == trips.list().conversations


def test_matches_are_newest_first_like_the_listing(trips: ConversationStore) -> None:
    found = trips.search("e")

    assert names(found) == ["Groceries", "Ski trip", "Café in Paris"]
    assert found == trips.list().conversations


# Keeping up with changes


def test_a_save_that_changes_the_text_changes_the_matches(trips: ConversationStore) -> None:
    assert names(trips.search("croissant")) == ["Café in Paris"]

    trips.save("Café in Paris", [Message("user", "Baguette, please")], replace=True)

    assert trips.search("croissant") == []
    assert names(trips.search("baguette")) == ["Café in Paris"]


def test_a_deleted_conversation_is_no_longer_found(trips: ConversationStore) -> None:
    assert names(trips.search("croissant")) == ["Café in Paris"]

    trips.delete("Café in Paris")

    assert trips.search("croissant") == []
    assert trips.search("paris") == []


def test_a_renamed_conversation_is_found_by_its_new_name_only(trips: ConversationStore) -> None:
    assert names(trips.search("paris")) == ["Café in Paris"]

    trips.rename("Café in Paris", "Breakfast")

    assert trips.search("paris") == []
    assert names(trips.search("breakfast croissant")) == ["Breakfast"]


def test_changes_made_by_another_process_are_found(json_trips: ConversationStore) -> None:
    assert json_trips.search("tiramisu") == []
    other = ConversationStore(json_trips.directory)

    other.save("Dessert", [Message("user", "Tiramisu recipe?")])
    other.delete("Groceries")

    assert names(json_trips.search("tiramisu")) == ["Dessert"]
    assert json_trips.search("backslashes") == []


def test_a_file_edited_in_place_is_read_again_once_the_directory_changes(json_trips: ConversationStore) -> None:
    assert json_trips.search("pudding") == []
    path = json_trips.directory / file_name_for("Groceries")

    with open(path, "r+b") as file:  # same inode, new size and mtime
        data = file.read().replace(b"Hello", b"Pudding")
        file.seek(0)
        file.write(data)
    # The directory itself did not change, so the store may not look at its files until it does.
    json_trips.save("Another", [Message("user", "anything")])

    assert names(json_trips.search("pudding")) == ["Groceries"]


def test_a_warm_search_reads_no_file(trips: ConversationStore, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = trips.search("trip")

    def no_reading(path: Any) -> None:
        raise AssertionError(f"read {path} although nothing changed")

    monkeypatch.setattr(_directory, "read_header", no_reading)
    monkeypatch.setattr(_directory, "parse_document", no_reading)

    assert trips.search("trip") == cold
    assert names(trips.search("croissant du")) == ["Café in Paris"]  # a new word, from the index


def test_a_file_changed_after_a_search_is_read_again_even_with_a_remembered_word(trips: ConversationStore) -> None:
    assert names(trips.search("yes")) == ["Ski trip"]
    assert names(trips.search("yes")) == ["Ski trip"]  # remembered now

    trips.save("Groceries", [Message("user", "yes, milk")], replace=True)

    assert names(trips.search("yes")) == ["Groceries", "Ski trip"]


# Damaged files


def test_a_conversation_whose_messages_are_damaged_is_skipped(json_trips: ConversationStore) -> None:
    write_damaged(json_trips.directory, "Ski trip", header_intact=True)

    assert json_trips.search("trip") == []
    assert names(json_trips.search("e")) == ["Groceries", "Café in Paris"]
    assert "Ski trip" in names(json_trips.list().conversations)  # its header still lists it; load() will report it


def test_an_unreadable_file_is_skipped_and_listed_as_a_problem(json_trips: ConversationStore) -> None:
    write_damaged(json_trips.directory, "Ski trip", header_intact=False)

    assert json_trips.search("trip") == []
    assert names(json_trips.search("e")) == ["Groceries", "Café in Paris"]
    assert len(json_trips.list().problems) == 1
