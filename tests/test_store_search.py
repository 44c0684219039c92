"""Tests for ConversationStore.search: what matches (names, messages, case, accents, every word),
order, keeping up with saves, deletes, renames and other processes, damaged files, and the index
agreeing with a plain search of every conversation."""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

import pytest

from models import conversation_store as store_module
from models import store_search
from models.conversation_store import ConversationStore
from models.message import Message
from models.store_format import file_name_for
from models.store_search import fold, query_words
from tests.store_helpers import MESSAGES, write_damaged


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(tmp_path / "store")


def names(summaries: list[Any]) -> list[str]:
    return [summary.name for summary in summaries]


@pytest.fixture
def trips(store: ConversationStore) -> ConversationStore:
    """Three conversations, saved oldest first."""
    store.save("Café in Paris", [Message("user", "Where can I get a croissant?"), Message("assistant", "Du Pain.")])
    store.save("Ski trip", [Message("user", "Is Åre good in MARCH?"), Message("assistant", "Ça dépend: yes.")])
    store.save("Groceries", MESSAGES)
    return store


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


def test_changes_made_by_another_process_are_found(trips: ConversationStore) -> None:
    assert trips.search("tiramisu") == []
    other = ConversationStore(trips.directory)

    other.save("Dessert", [Message("user", "Tiramisu recipe?")])
    other.delete("Groceries")

    assert names(trips.search("tiramisu")) == ["Dessert"]
    assert trips.search("backslashes") == []


def test_a_file_edited_in_place_is_read_again(trips: ConversationStore) -> None:
    assert trips.search("pudding") == []
    path = trips.directory / file_name_for("Groceries")

    with open(path, "r+b") as file:  # same inode, new size and mtime
        data = file.read().replace(b"Hello", b"Pudding")
        file.seek(0)
        file.write(data)

    assert names(trips.search("pudding")) == ["Groceries"]


def test_a_warm_search_reads_no_file(trips: ConversationStore, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = trips.search("trip")

    def no_reading(path: Any) -> None:
        raise AssertionError(f"read {path} although nothing changed")

    monkeypatch.setattr(store_module, "read_header", no_reading)
    monkeypatch.setattr(store_module, "parse_document", no_reading)

    assert trips.search("trip") == cold
    assert names(trips.search("croissant du")) == ["Café in Paris"]  # a new word, from the index


def test_a_file_changed_after_a_search_is_read_again_even_with_a_remembered_word(trips: ConversationStore) -> None:
    assert names(trips.search("yes")) == ["Ski trip"]
    assert names(trips.search("yes")) == ["Ski trip"]  # remembered now

    trips.save("Groceries", [Message("user", "yes, milk")], replace=True)

    assert names(trips.search("yes")) == ["Groceries", "Ski trip"]


# Damaged files


def test_a_conversation_whose_messages_are_damaged_is_skipped(trips: ConversationStore) -> None:
    write_damaged(trips.directory, "Ski trip", header_intact=True)

    assert trips.search("trip") == []
    assert names(trips.search("e")) == ["Groceries", "Café in Paris"]
    assert "Ski trip" in names(trips.list().conversations)  # its header still lists it; load() will report it


def test_an_unreadable_file_is_skipped_and_listed_as_a_problem(trips: ConversationStore) -> None:
    write_damaged(trips.directory, "Ski trip", header_intact=False)

    assert trips.search("trip") == []
    assert names(trips.search("e")) == ["Groceries", "Café in Paris"]
    assert len(trips.list().problems) == 1


# Folding


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Café", "cafe"), ("ÇA", "ca"), ("Straße", "strasse"), ("ﬁne", "fine"), ("İstanbul", "istanbul"),
     ("ǰ", "j"), ("ℌello", "hello"), ("naïve 你好 👋🏽", "naive 你好 👋🏽"),
     ("ASCII Only", "ascii only")],
)
def test_fold_drops_case_accents_and_compatibility_forms(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert fold(folded) == folded


def test_query_words_are_distinct_utf8_longest_first() -> None:
    assert query_words("  ça  Cafe CAFÉ x ") == ["cafe".encode(), "ca".encode(), b"x"]


# The index against a plain search


ALPHABET = ["a", "b", "é", "C", "ç", "ß", "x", "-", "👋", " ", " ", "\n", "\u2028", "\u00a0", "İ"]
NAME_ALPHABET = [character for character in ALPHABET if character != "\n"]


@pytest.mark.parametrize("lookup_cost", [1.0, 0.0, float("inf")], ids=["as-tuned", "look-in-files", "postings-only"])
def test_the_index_finds_what_a_plain_search_of_every_conversation_finds(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch, lookup_cost: float
) -> None:
    # Both ways of finding a short word's files (through postings, through the files' tokens) are used.
    monkeypatch.setattr(store_search, "LOOKUP_COST", lookup_cost)
    rng = random.Random(20261121)

    def text(length: int, alphabet: list[str] = ALPHABET) -> str:
        return "".join(rng.choice(alphabet) for _ in range(length))

    saved: dict[str, list[Message]] = {}
    for step in range(120):
        choice = rng.random()
        if choice < 0.55 or not saved:
            messages = [Message("user", text(rng.randint(0, 25))) for _ in range(rng.randint(0, 3))]
            summary = store.save("n " + text(3, NAME_ALPHABET), messages, replace=True)
            saved[summary.name] = messages
        elif choice < 0.7:
            name = rng.choice(sorted(saved))
            store.delete(name)
            del saved[name]
        elif choice < 0.8:
            old = rng.choice(sorted(saved))
            summary = store.rename(old, "r " + text(3, NAME_ALPHABET), replace=True)
            saved[summary.name] = saved.pop(old)
        query = text(rng.randint(0, 3))
        words = fold(query).split()
        expected = [
            summary.name for summary in store.list().conversations
            if all(word in fold("\n".join([summary.name, *(m.content for m in saved[summary.name])])) for word in words)
        ]
        assert names(store.search(query)) == expected, f"step {step}, query {query!r}"


def test_searches_in_threads_while_saving_agree_with_the_files(store: ConversationStore) -> None:
    for index in range(20):
        store.save(f"conversation {index}", [Message("user", f"common word{index}")])
    start = threading.Barrier(5)
    errors: list[BaseException] = []

    def search_repeatedly() -> None:
        start.wait()
        try:
            for _ in range(20):
                assert len(store.search("common")) >= 20
        except BaseException as error:
            errors.append(error)

    def save_repeatedly() -> None:
        start.wait()
        for index in range(20, 40):
            store.save(f"conversation {index}", [Message("user", f"common word{index}")])

    threads = [threading.Thread(target=search_repeatedly) for _ in range(4)]
    threads.append(threading.Thread(target=save_repeatedly))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(store.search("common")) == 40
    assert names(store.search("word39")) == ["conversation 39"]
