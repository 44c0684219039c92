"""Shared data and file helpers for the models.conversation_store tests (tests/test_store_*.py)."""

from __future__ import annotations

from contextlib import contextmanager
import json
import time
from operator import attrgetter
from pathlib import Path
from typing import Iterator

import pytest
from filelock import FileLock

from models import store_files
from models.conversation_store import ConversationStore, ConversationSummary
from models.message import Message
from models.store_files import LOCK_FILE_NAME
from models.store_format import LEGACY_FILE_NAME, file_name_for, parse_document, summary_from
from models.store_index import INDEX_DIR_NAME, ListingIndex

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
    """Wait until a store would trust a scan of `directory` started now (see models.store_index)."""
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
    monkeypatch.setattr(store_files, "LOCK_TIMEOUT_SECONDS", 0.05)
    return ConversationStore(directory)


def legacy_file(conversations: dict[str, list[dict[str, str]]]) -> bytes:
    """The bytes of an original-app `saved_conversations.json` holding `conversations`."""
    return json.dumps(conversations, indent=4).encode("utf-8")


def names(summaries: list) -> list[str]:
    """The names of conversation summaries, in order."""
    return [summary.name for summary in summaries]
