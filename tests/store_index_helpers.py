"""Fixtures and helpers shared by the listing index's tests (tests/test_store_index*.py)."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest

from models import store_disk
from models.conversation_store import ConversationStore
from models.store_index import INDEX_DIR_NAME, LISTING_FILE_NAME, ListingIndex
from tests.store_helpers import settle


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
