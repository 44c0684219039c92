"""The listing index (models/store/_listing_index.py): a fresh store instance lists from it without reading or
scanning; changes made by other instances or by hand are seen at once by warm and fresh
instances; search agrees with a plain search after adopting it. A damaged index and coarse
timestamps: tests/store/test_index_damage.py."""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models.message import Message
from models.store import ConversationDamaged, ConversationStore, ConversationSummary, file_name_for
from models.store import _listing_index_format as store_index_format
from models.store._format import parse_document
from models.store._listing_index import ListingIndex
from models.store._search import fold
from tests.store.conftest import (
    HAND_CHANGES,
    MESSAGES,
    Reads,
    conversation_files,
    copy_in_damaged,
    legacy_file,
    listed_and_indexed,
    names,
    settle,
    truth,
    write_damaged,
)

# Listing from the index


def test_a_fresh_instance_lists_from_the_index_without_reading_or_scanning(directory: Path, reads: Reads) -> None:
    writer = ConversationStore(directory)
    for index in range(5):
        writer.save(f"conversation {index}", MESSAGES[: index % 4 + 1], model=f"model {index % 2}")
    writer.save("broken", MESSAGES)
    write_damaged(directory, "broken", header_intact=False)
    assert len(writer.list().problems) == 1  # kept aside now, and reported from the index too
    listing = listed_and_indexed(directory).list()
    done = (reads.files, reads.scans)

    fresh = ConversationStore(directory)

    assert fresh.list() == listing
    assert fresh.list() == listing
    assert (reads.files, reads.scans) == done
    assert listing.conversations == truth(directory) and len(listing.problems) == 1


def test_writing_the_index_leaves_the_directory_stamp_as_it_was(directory: Path) -> None:
    store = ConversationStore(directory)
    store.save("a", MESSAGES)
    index = ListingIndex(directory)
    before = index.stamp()

    index.save(None, {}, [])
    index.wait()

    assert index.stamp() == before
    assert index.load() == store_index_format.Persisted(None, {}, [])


def test_summaries_from_the_index_are_the_ones_the_dataclass_makes() -> None:
    # store_index builds them without calling __init__, which is only right while these hold.
    assert store_index_format.FIELDS == tuple(field.name for field in dataclasses.fields(ConversationSummary))
    assert not hasattr(ConversationSummary, "__post_init__")
    rows = [("a", "2026-01-01", "2026-01-02", 3, 4, None), ("b", "x", "y", 1, 0, "m")]
    fields = dict(zip(store_index_format.FIELDS, map(list, zip(*rows, strict=True)), strict=True))
    columns = {"files": ["a.json", "b.json"], **fields}

    made = store_index_format._summaries(columns)

    assert made == [ConversationSummary(*row) for row in rows]
    assert list(map(hash, made)) == [hash(ConversationSummary(*row)) for row in rows]
    assert list(map(repr, made)) == [repr(ConversationSummary(*row)) for row in rows]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].name = "changed"  # type: ignore[misc]


# Changes made elsewhere


def set_aside_damaged(json_store: ConversationStore) -> None:
    write_damaged(json_store.directory, "c", header_intact=False)  # in place: noticed when the json_store sets it aside
    with pytest.raises(ConversationDamaged):
        json_store.load("c")


def import_legacy(json_store: ConversationStore) -> None:
    legacy = legacy_file({"Old": [{"role": "user", "content": "hi"}]})
    (json_store.directory / "saved_conversations.json").write_bytes(legacy)
    assert json_store.exists("Old")  # any call imports it


IMPORTED = legacy_file({"a": [{"role": "user", "content": "imported"}]})
OPERATIONS: dict[str, Callable[[ConversationStore], Any]] = {
    "save a new conversation": lambda json_store: json_store.save("new", MESSAGES[:1]),
    "save over one": lambda json_store: json_store.save("b", MESSAGES[:1], replace=True),
    "save at the expected revision": lambda json_store: json_store.save("b", MESSAGES[:2], expected_revision=1),
    "rename": lambda json_store: json_store.rename("a", "renamed"),
    "rename over another": lambda json_store: json_store.rename("a", "b", replace=True),
    "delete": lambda json_store: json_store.delete("c"),
    "import a conversation": lambda json_store: json_store.import_conversation("a", MESSAGES[:2]),
    "import a file": lambda json_store: json_store.import_file("old.json", IMPORTED),
    "set a damaged file aside": set_aside_damaged,
    "import the original app's file": import_legacy,
}


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS)
def test_a_change_by_another_instance_is_seen_by_warm_and_fresh_instances_by_the_generation(
    directory: Path, frozen_clock: None, reads: Reads, operation: Callable[[ConversationStore], Any]
) -> None:
    writer, reader = ConversationStore(directory), ConversationStore(directory)
    for name in ("a", "b", "c"):
        writer.save(name, MESSAGES)
    reader.list()
    reader.wait_for_index()
    scans = reads.scans
    assert reader.list().conversations == truth(directory) and reads.scans == scans  # from memory

    operation(writer)

    expected = truth(directory)
    assert reader.list().conversations == expected
    assert ConversationStore(directory).list().conversations == expected
    assert writer.list().conversations == expected


@pytest.mark.parametrize("change", HAND_CHANGES, ids=[change.__name__ for change in HAND_CHANGES])
def test_a_change_by_hand_is_seen_by_warm_and_fresh_instances(
    directory: Path, tmp_path: Path, reads: Reads, change: Callable[[Path, Path], None]
) -> None:
    elsewhere = ConversationStore(tmp_path / "elsewhere")
    elsewhere.save("from elsewhere", MESSAGES[:3], model="other")
    writer = ConversationStore(directory)
    for name in ("a", "b", "c"):
        writer.save(name, MESSAGES)
    elsewhere.save("b", MESSAGES[:1], model="other")
    reader = listed_and_indexed(directory)
    scans = reads.scans
    assert reader.list().conversations == truth(directory) and reads.scans == scans  # from memory

    change(directory, elsewhere.directory)

    fresh = ConversationStore(directory).list()
    expected = truth(directory)  # after the fresh instance set any damaged file aside
    assert fresh.conversations == expected
    assert reader.list().conversations == expected
    assert len(fresh.problems) == (change is copy_in_damaged)


# Everything at once


def apply_random_step(rng: random.Random, stores: list[ConversationStore], directory: Path, elsewhere: Path,
                      by_hand: bool, step: int) -> None:
    """One random change: by either store instance or, when `by_hand`, to the files themselves."""
    present = [summary.name for summary in truth(directory)]
    store = rng.choice(stores)
    choice = rng.random()
    if choice < 0.3 or not present:
        store.save(f"conversation {rng.randint(0, 12)}", MESSAGES[: rng.randint(0, 4)], replace=True)
    elif choice < 0.4:
        store.rename(rng.choice(present), f"conversation {rng.randint(0, 12)}", replace=True)
    elif choice < 0.5:
        store.delete(rng.choice(present))
    elif choice < 0.6:
        store.import_conversation(rng.choice(present), MESSAGES[:1])
    elif choice < 0.7 or not by_hand:
        current = store.load(present[0])
        store.save(present[0], current.messages + MESSAGES[:1], expected_revision=current.summary.revision)
    elif choice < 0.8:
        made = ConversationStore(elsewhere).save(f"by hand {step}", MESSAGES[:2])
        shutil.copy(elsewhere / file_name_for(made.name), directory)
    elif choice < 0.9:
        os.unlink(rng.choice(conversation_files(directory)))
    else:
        name = rng.choice(present)
        made = ConversationStore(elsewhere).save(name, MESSAGES[:3], replace=True)
        os.replace(elsewhere / file_name_for(made.name), directory / file_name_for(name))


@pytest.mark.parametrize("clock", ["real", "frozen"])
def test_random_changes_by_two_instances_and_by_hand_are_always_listed_as_the_files_say(
    directory: Path, tmp_path: Path, request: pytest.FixtureRequest, clock: str
) -> None:
    if clock == "frozen":  # no change by hand then: with a clock that never ticks, nothing could see one
        request.getfixturevalue("frozen_clock")
    rng = random.Random(20261121)
    stores = [ConversationStore(directory), ConversationStore(directory)]
    for step in range(80):
        apply_random_step(rng, stores, directory, tmp_path / "elsewhere", clock == "real", step)
        if rng.random() < 0.3:
            rng.choice(stores).wait_for_index()
        if clock == "real" and rng.random() < 0.3:
            settle(directory)  # so that the scans below are trusted, and the next change is checked against them
        expected = truth(directory)
        for store in [*stores, ConversationStore(directory), *stores]:  # the second time from memory, if trusted
            listing = store.list()
            assert (listing.conversations, listing.problems) == (expected, []), f"step {step}"


# Search


def plain_search(directory: Path, query: str) -> list[str]:
    """The names of the conversations holding every word of `query`, found by reading every file."""
    words = fold(query).split()
    found = []
    for summary in truth(directory):
        _, messages = parse_document((directory / file_name_for(summary.name)).read_bytes())
        text = fold("\n".join([summary.name, *(message.content for message in messages)]))
        if all(word in text for word in words):
            found.append(summary.name)
    return found


def test_search_after_adopting_the_index_agrees_with_a_plain_search(directory: Path) -> None:
    writer = ConversationStore(directory)
    for index, topic in enumerate(["apples and pears", "pears only", "plums", "apple pie", "nothing"]):
        writer.save(f"notes {index}", [Message("user", topic)])
    listed_and_indexed(directory)
    fresh = ConversationStore(directory)
    queries = ["pear", "apple", "plums", "notes", "zebra", "notes 3"]

    for query in queries:
        assert names(fresh.search(query)) == plain_search(directory, query), query

    writer.save("notes 2", [Message("user", "now pears")], replace=True)
    writer.rename("notes 0", "renamed apples")
    writer.delete("notes 1")
    for query in queries:
        assert names(fresh.search(query)) == plain_search(directory, query), query
