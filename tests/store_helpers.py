"""Shared data and file helpers for the models.conversation_store tests (tests/test_store_*.py)."""

from __future__ import annotations

from contextlib import contextmanager
import json
from pathlib import Path
from typing import Iterator

import pytest
from filelock import FileLock

from models import store_files
from models.conversation_store import ConversationStore
from models.message import Message
from models.store_files import LOCK_FILE_NAME
from models.store_format import file_name_for

MESSAGES = [
    Message("user", "Hello — ça va? 你好 👋🏽"),
    Message("assistant", "# Heading\n\n* **bold** and `code`\n\n```python\nprint('hi')\n```"),
    Message("user", "This one got no answer", error="The model timed out."),
    Message("assistant", 'Quotes " and backslashes \\ and a line separator \u2028 survive.'),
]


def conversation_files(directory: Path) -> list[Path]:
    """The conversation files in a store directory (not dotfiles, not kept-aside files)."""
    return sorted(path for path in directory.glob("*.json") if not path.name.startswith("."))


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
    """Every file in a store directory except its lock file, by name, with its bytes."""
    return {path.name: path.read_bytes() for path in directory.iterdir() if path.name != LOCK_FILE_NAME}


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
