"""The listing index (models.store_index): a fresh store instance lists from it without reading or
scanning; changes made by other instances or by hand are seen at once by warm and fresh
instances; a damaged index is ignored; search agrees with a plain search after adopting it."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
import zlib
from pathlib import Path
from typing import Any, Callable

import pytest

from models import store_disk, store_index, store_index_format
from models.conversation_store import ConversationDamaged, ConversationStore, ConversationSummary
from models.message import Message
from models.search_text import fold
from models.store_format import file_name_for, parse_document
from models.store_index import INDEX_DIR_NAME, LISTING_FILE_NAME, ListingIndex
from tests.store_helpers import MESSAGES, conversation_files, legacy_file, names, settle, truth, write_damaged


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system whose clock never ticks: directories keep their mtime and ctime, so only the generation tells."""
    real_stamp = ListingIndex.stamp

    def frozen_stamp(self: ListingIndex) -> Any:
        stamp = real_stamp(self)
        return None if stamp is None else (stamp[0], 0, 0, stamp[3])

    monkeypatch.setattr(ListingIndex, "stamp", frozen_stamp)


class Reads:
    """Counts the conversation files the stores read for a listing, and their directory scans."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files = self.scans = 0
        read_summary, scan_directory = ConversationStore._read_summary, store_disk.scan_directory

        def counting_read(store: ConversationStore, file_name: str) -> Any:
            self.files += 1
            return read_summary(store, file_name)

        def counting_scan(*args: Any) -> Any:
            self.scans += 1
            return scan_directory(*args)

        monkeypatch.setattr(ConversationStore, "_read_summary", counting_read)
        monkeypatch.setattr(store_disk, "scan_directory", counting_scan)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    return Reads(monkeypatch)


def listed_and_indexed(directory: Path) -> ConversationStore:
    """A store instance that listed `directory` once it had settled, with its index written."""
    settle(directory)
    store = ConversationStore(directory)
    store.list()
    store.wait_for_index()
    return store


def index_parts(directory: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the columns of the listing index on disk."""
    header, body = (directory / INDEX_DIR_NAME / LISTING_FILE_NAME).read_bytes().split(b"\n", 1)
    return json.loads(header), json.loads(body)


def index_bytes(header: dict[str, Any], columns: Any, *, checksum: bool = True) -> bytes:
    """A listing index with this header and these columns, its checksum made to fit unless `checksum` is False."""
    body = json.dumps(columns).encode()
    return json.dumps({**header, "crc32": zlib.crc32(body)} if checksum else header).encode() + b"\n" + body


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
    columns = {"files": ["a.json", "b.json"], **dict(zip(store_index_format.FIELDS, map(list, zip(*rows))))}

    made = store_index_format._summaries(columns)

    assert made == [ConversationSummary(*row) for row in rows]
    assert list(map(hash, made)) == [hash(ConversationSummary(*row)) for row in rows]
    assert list(map(repr, made)) == [repr(ConversationSummary(*row)) for row in rows]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].name = "changed"  # type: ignore[misc]


# Changes made elsewhere


def set_aside_damaged(store: ConversationStore) -> None:
    write_damaged(store.directory, "c", header_intact=False)  # in place: noticed when the store sets it aside
    with pytest.raises(ConversationDamaged):
        store.load("c")


def import_legacy(store: ConversationStore) -> None:
    legacy = legacy_file({"Old": [{"role": "user", "content": "hi"}]})
    (store.directory / "saved_conversations.json").write_bytes(legacy)
    assert store.exists("Old")  # any call imports it


IMPORTED = legacy_file({"a": [{"role": "user", "content": "imported"}]})
OPERATIONS: dict[str, Callable[[ConversationStore], Any]] = {
    "save a new conversation": lambda store: store.save("new", MESSAGES[:1]),
    "save over one": lambda store: store.save("b", MESSAGES[:1], replace=True),
    "save at the expected revision": lambda store: store.save("b", MESSAGES[:2], expected_revision=1),
    "rename": lambda store: store.rename("a", "renamed"),
    "rename over another": lambda store: store.rename("a", "b", replace=True),
    "delete": lambda store: store.delete("c"),
    "import a conversation": lambda store: store.import_conversation("a", MESSAGES[:2]),
    "import a file": lambda store: store.import_file("old.json", IMPORTED),
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


def copy_in(directory: Path, elsewhere: Path) -> None:
    shutil.copy(elsewhere / file_name_for("from elsewhere"), directory)


def move_in(directory: Path, elsewhere: Path) -> None:
    os.rename(elsewhere / file_name_for("from elsewhere"), directory / file_name_for("from elsewhere"))


def delete_by_hand(directory: Path, elsewhere: Path) -> None:
    os.unlink(directory / file_name_for("b"))


def replace_by_rename(directory: Path, elsewhere: Path) -> None:
    os.replace(elsewhere / file_name_for("b"), directory / file_name_for("b"))


def copy_in_damaged(directory: Path, elsewhere: Path) -> None:
    (directory / "hand-made-0123456789abcdef0123.json").write_bytes(b'{"format": 1, "na')


HAND_CHANGES = [copy_in, move_in, delete_by_hand, replace_by_rename, copy_in_damaged]


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


# A damaged index


def lying(columns: dict[str, Any]) -> dict[str, Any]:
    """The columns without their second conversation: an index that would hide it if it were believed."""
    return {name: values if name == "kept_aside" else values[:1] + values[2:] for name, values in columns.items()}


DAMAGES: dict[str, Callable[[dict[str, Any], dict[str, Any]], bytes]] = {
    "empty": lambda header, columns: b"",
    "not JSON": lambda header, columns: b"\x00\xff not json at all",
    "truncated": lambda header, columns: index_bytes(header, lying(columns))[:-40],
    "no second line": lambda header, columns: json.dumps(header).encode(),
    "another format": lambda header, columns: index_bytes({**header, "format": 2}, lying(columns)),
    "format as true": lambda header, columns: index_bytes({**header, "format": True}, lying(columns)),
    "checksum wrong": lambda header, columns: index_bytes(header, lying(columns), checksum=False),
    "not an object": lambda header, columns: index_bytes(header, [lying(columns)]),
    "a column missing": lambda header, columns: index_bytes(header, {**lying(columns), "model": None}),
    "columns of different lengths": lambda header, columns: index_bytes(
        header, {**lying(columns), "model": columns["model"]}),
    "a number as text": lambda header, columns: index_bytes(
        header, {**lying(columns), "inodes": [str(value) for value in lying(columns)["inodes"]]}),
    "a path for a file name": lambda header, columns: index_bytes(
        header, {**lying(columns), "files": ["../" + name for name in lying(columns)["files"]]}),
    "a file listed twice": lambda header, columns: index_bytes(
        header, {**lying(columns), "files": [columns["files"][0]] * (len(columns["files"]) - 1)}),
    "a malformed stamp": lambda header, columns: index_bytes({**header, "directory": ["x", 1, 2]}, lying(columns)),
}


def test_the_lying_index_is_well_formed(directory: Path) -> None:
    """The damaged indexes below are made from this one, which a store would believe, and which hides "b"."""
    writer = ConversationStore(directory)
    for name in ("a", "b", "c"):
        writer.save(name, MESSAGES)
    listed_and_indexed(directory)
    header, columns = index_parts(directory)
    (directory / INDEX_DIR_NAME / LISTING_FILE_NAME).write_bytes(index_bytes(header, lying(columns)))

    persisted = ListingIndex(directory).load()

    assert persisted is not None and persisted.stamp == ListingIndex(directory).stamp()
    assert sorted(summary.name for _, summary in persisted.entries.values()) == ["a", "c"]


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES)
def test_a_damaged_index_is_ignored(
    directory: Path, damage: Callable[[dict[str, Any], dict[str, Any]], bytes]
) -> None:
    writer = ConversationStore(directory)
    for name in ("a", "b", "c"):
        writer.save(name, MESSAGES)
    listed_and_indexed(directory)
    header, columns = index_parts(directory)
    assert header["directory"] is not None and len(columns["files"]) == 3

    (directory / INDEX_DIR_NAME / LISTING_FILE_NAME).write_bytes(damage(header, columns))

    listing = ConversationStore(directory).list()
    assert names(listing.conversations) == ["c", "b", "a"] and listing.conversations == truth(directory)
    assert listing.problems == []


def test_an_index_folder_that_cannot_be_used_changes_nothing_else(directory: Path) -> None:
    writer = ConversationStore(directory)
    writer.save("a", MESSAGES)
    shutil.rmtree(directory / INDEX_DIR_NAME)
    (directory / INDEX_DIR_NAME).write_bytes(b"a file where the folder should be")
    reader = listed_and_indexed(directory)

    writer.save("b", MESSAGES)

    for store in (reader, writer, ConversationStore(directory)):
        listing = store.list()
        assert names(listing.conversations) == ["b", "a"] and listing.problems == []


# Coarse timestamps


@pytest.mark.parametrize(
    ("age_ms", "whole_seconds", "trusted"),
    [(-5, False, False), (0, False, False), (5, False, False), (30, False, True),
     (1000, True, False), (3000, True, True)],
)
def test_a_stamp_is_trusted_once_the_last_change_is_a_clock_tick_old(
    age_ms: int, whole_seconds: bool, trusted: bool
) -> None:
    started = 1_800_000_010_000_000_000 if whole_seconds else 1_800_000_010_123_456_789
    changed = started - age_ms * 1_000_000
    assert (changed % 1_000_000_000 == 0) == whole_seconds

    assert ListingIndex.settled((1, changed - 10**12, changed, "g"), started) is trusted
    assert ListingIndex.settled((1, changed, changed - 10**12, "g"), started) is trusted


def test_a_scan_made_just_after_a_change_is_not_trusted(
    directory: Path, monkeypatch: pytest.MonkeyPatch, reads: Reads
) -> None:
    settled_ns = store_index.SETTLED_NS
    monkeypatch.setattr(store_index, "SETTLED_NS", 3600 * 10**9)  # every change is recent
    store = ConversationStore(directory)
    store.save("a", MESSAGES)
    store.list()
    store.wait_for_index()
    scans = reads.scans

    assert names(store.list().conversations) == ["a"]
    assert names(ConversationStore(directory).list().conversations) == ["a"]
    assert reads.scans == scans + 2 and reads.files == 1  # each scanned, reading nothing again
    assert index_parts(directory)[0]["directory"] is None

    monkeypatch.setattr(store_index, "SETTLED_NS", settled_ns)
    listed_and_indexed(directory)
    assert index_parts(directory)[0]["directory"] is not None


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
