"""The store tests' fixtures (`store`, `directory`), conversation data, and helpers that reach into its directory."""

from __future__ import annotations

import json
import os
import shutil
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from models.message import Message
from models.store import (
    INDEX_DIR_NAME,
    LISTING_FILE_NAME,
    ConversationStore,
    ConversationSummary,
    Store,
    _directory,
    _files,
    _listing,
    file_name_for,
)
from models.store._files import LOCK_FILE_NAME
from models.store._format import LEGACY_FILE_NAME, parse_document, summary_from
from models.store._listing_index import ListingIndex


@pytest.fixture(params=["json", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A conversation store of each implementation: JSON files in the test's temporary folder, and
    PostgreSQL (an emptied database on the session's server). The contract's tests take this one."""
    if request.param == "json":
        return ConversationStore(tmp_path / "store")
    from models.store.postgres import PostgresStore, database_for

    return PostgresStore(database_for(request.getfixturevalue("postgres_database"), 5))


@pytest.fixture
def json_store(tmp_path: Path) -> ConversationStore:
    """A JSON-file store in the test's temporary folder, for what only files have (damage, layout, index)."""
    return ConversationStore(tmp_path / "store")


@pytest.fixture
def json_trips(json_store: ConversationStore) -> ConversationStore:
    """test_search's three conversations in a JSON-file store."""
    return save_trips(json_store)


def save_trips(store: Store) -> Store:
    """Three conversations, saved oldest first (test_search's)."""
    store.save("Café in Paris", [Message("user", "Where can I get a croissant?"), Message("assistant", "Du Pain.")])
    store.save("Ski trip", [Message("user", "Is Åre good in MARCH?"), Message("assistant", "Ça dépend: yes.")])
    store.save("Groceries", MESSAGES)
    return store


MESSAGES = [
    Message("user", "Hello — ça va? 你好 👋🏽"),
    Message("assistant", "# Heading\n\n* **bold** and `code`\n\n```python\nprint('hi')\n```"),
    Message("user", "This one got no answer", error="The model timed out."),
    Message("assistant", 'Quotes " and backslashes \\ and a line separator \u2028 survive.'),
]


def conversation_files(directory: Path) -> list[Path]:
    """The conversation files in a store directory (not dotfiles, kept-aside files or the original app's file)."""
    return sorted(
        path for path in directory.glob("*.json") if not path.name.startswith(".") and path.name != LEGACY_FILE_NAME
    )


def truth(directory: Path) -> list[ConversationSummary]:
    """What list() should give, found by reading every conversation file whole: newest first, then by name."""
    files = conversation_files(directory)
    summaries = [summary_from(parse_document(path.read_bytes())[0], path.name) for path in files]
    summaries.sort(key=attrgetter("name"))
    summaries.sort(key=attrgetter("updated"), reverse=True)
    return summaries


def settle(directory: Path) -> None:
    """Wait until a store would trust a scan of `directory` started now (see docs/STORE.md, "The listing index")."""
    # This waits for the clock, not for another thread: a scan is trusted only once the directory's
    # last change is older than a tick of the file system's clock, up to 20 ms.
    index = ListingIndex(directory)
    while not index.settled(index.stamp(), time.time_ns()):
        time.sleep(0.002)


def all_files(root: Path) -> set[Path]:
    """Every file under `root`, recursively."""
    return {path for path in root.rglob("*") if path.is_file()}


def corrupt_files(directory: Path) -> list[Path]:
    """The files a store has kept aside as unreadable."""
    return sorted(directory.glob("*.corrupt"))


def temp_files(directory: Path) -> list[str]:
    """The names of the half-written `.tmp-*` files left in a store directory."""
    return [path.name for path in directory.iterdir() if path.name.startswith(".tmp-")]


def file_bytes(directory: Path) -> dict[str, bytes]:
    """Every file in a store directory except its lock file and its listing index, by name, with its bytes."""
    skipped = (LOCK_FILE_NAME, INDEX_DIR_NAME)
    return {path.name: path.read_bytes() for path in directory.iterdir() if path.name not in skipped}


@contextmanager
def lock_held_elsewhere(directory: Path) -> Iterator[None]:
    """Hold a store directory's lock the way another process would (a lock object of its own)."""
    with FileLock(directory / LOCK_FILE_NAME):
        yield


def write_damaged(directory: Path, name: str, *, header_intact: bool) -> bytes:
    """Damage the saved conversation `name`: its header stays readable or not; the damaged bytes."""
    path = directory / file_name_for(name)
    whole = path.read_bytes()
    damaged = whole.replace(b'"role": "user"', b'"role": "wizard"', 1) if header_intact else b"\x00 not json"
    assert damaged != whole
    path.write_bytes(damaged)
    return damaged


def impatient_store(directory: Path, monkeypatch: pytest.MonkeyPatch) -> ConversationStore:
    """A store that gives up waiting for its lock after 50 ms, for tests that hold the lock elsewhere."""
    monkeypatch.setattr(_files, "LOCK_TIMEOUT_SECONDS", 0.05)
    return ConversationStore(directory)


def legacy_file(conversations: dict[str, list[dict[str, str]]]) -> bytes:
    """The bytes of an original-app `saved_conversations.json` holding `conversations`."""
    return json.dumps(conversations, indent=4).encode("utf-8")


def names(summaries: list) -> list[str]:
    """The names of conversation summaries, in order."""
    return [summary.name for summary in summaries]


# The listing index


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
        read_summary, scan_directory = _directory.ConversationFiles.read_summary, _listing.scan_directory

        def counting_read(files: _directory.ConversationFiles, file_name: str) -> Any:
            self.files += 1
            return read_summary(files, file_name)

        def counting_scan(*args: Any) -> Any:
            self.scans += 1
            return scan_directory(*args)

        monkeypatch.setattr(_directory.ConversationFiles, "read_summary", counting_read)
        monkeypatch.setattr(_listing, "scan_directory", counting_scan)


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


def contents(store: Store) -> Any:
    """Everything a store holds, to compare before and after: the JSON store's files' bytes, or
    another store's every conversation as it loads."""
    if isinstance(store, ConversationStore):
        return file_bytes(store.directory)
    return {summary.name: store.load(summary.name) for summary in store.list().conversations}
