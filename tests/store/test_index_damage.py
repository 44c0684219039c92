"""The listing index (models/store/_listing_index.py) when it cannot be trusted: a damaged or lying index file
is ignored, and a directory stamp is trusted only once the last change is a clock tick old."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models.store import INDEX_DIR_NAME, LISTING_FILE_NAME, ConversationStore
from models.store import _listing_index as store_index
from models.store._listing_index import ListingIndex
from tests.store.conftest import MESSAGES, Reads, index_bytes, index_parts, listed_and_indexed, names, truth

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
