"""How search folds text and splits queries, and its index agreeing with a plain search of every
conversation, also while other threads save."""

from __future__ import annotations

import random
import threading

import pytest

from models.message import Message
from models.store import ConversationStore
from models.store import _search as store_search
from models.store._search import fold, query_words
from tests.store.conftest import names

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
    assert query_words("  ça  Cafe CAFÉ x ") == [b"cafe", b"ca", b"x"]


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
        except BaseException as error:  # noqa: BLE001 - collected for the test thread to report
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
