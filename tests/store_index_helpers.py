"""Fixtures and helpers shared by the listing index's tests (tests/test_store_index*.py)."""

from __future__ import annotations

import json
import os
import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest

from models import store_disk
from models.conversation_store import ConversationStore
from models.store_format import file_name_for
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


# Changes made by hand: each moves, copies or removes a file as a person or another tool would.


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
