"""Drafts: chats that have no name yet, kept so that a reload loses nothing.

A draft lives in the store's `.drafts/` area, one JSON file per draft, written with the store's
atomic writes under its lock. It is never listed among saved conversations nor searched. A draft
is known by an unguessable id (`new_draft_id`), which the browser tab keeps in its address; an id
is checked against DRAFT_ID before it comes near a path.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from models.message import Message
from models.store._files import TEMP_PREFIX, held, store_lock, write_atomic
from models.store._format import is_json_object, references_in, utc_now
from models.store._records import StoreError

DRAFTS_DIR_NAME = ".drafts"
DRAFT_FORMAT = 1
DRAFT_ID = re.compile(r"[A-Za-z0-9_-]{22,64}\Z")  # what secrets.token_urlsafe(24) gives, and no path


class InvalidDraftId(StoreError):
    """A draft id that new_draft_id could not have made."""

    def __init__(self) -> None:
        super().__init__("This link does not name a draft.")


@dataclass(frozen=True)
class Draft:
    """A chat without a name: its page ("simple" or "memory"), messages and assistant settings."""

    draft_id: str
    page: str
    messages: list[Message]
    assistant: dict[str, Any] | None
    updated: str


def new_draft_id() -> str:
    """A fresh, unguessable draft id (192 random bits)."""
    return secrets.token_urlsafe(24)


def validate_draft_id(draft_id: Any) -> str:
    """`draft_id` when it is one new_draft_id could have made; InvalidDraftId otherwise."""
    if not isinstance(draft_id, str) or not DRAFT_ID.match(draft_id):
        raise InvalidDraftId()
    return draft_id


class Drafts:
    """The drafts area of a store directory (created on the first save)."""

    # A draft belongs to its store's owner: the area sits in that owner's directory, so no other
    # owner's store can open, remove or even count it.

    def __init__(self, store_directory: Path, lock: FileLock | None = None,
                 on_removed: Callable[[set[str]], object] | None = None) -> None:
        self.directory = store_directory / DRAFTS_DIR_NAME
        self._lock = lock or store_lock(store_directory)  # the store's own lock (the same object: it nests)
        self._on_removed = on_removed  # given the attached files removed drafts referenced (lock held)

    def _path(self, draft_id: str) -> Path:
        return self.directory / f"{validate_draft_id(draft_id)}.json"

    def save(self, draft_id: str, page: str, messages: Sequence[Message], assistant: dict[str, Any] | None) -> None:
        """Write a draft whole, replacing the one with this id."""
        self.write_copy(Draft(draft_id, page, list(messages), assistant, utc_now()))

    def write_copy(self, draft: Draft) -> None:
        """Write `draft` as it is (its `updated` too, which also dates the file for remove_older_than)."""
        path = self._path(draft.draft_id)
        document = {"format": DRAFT_FORMAT, "id": draft.draft_id, "page": draft.page, "updated": draft.updated,
                    "assistant": draft.assistant, "messages": [message.to_dict() for message in draft.messages]}
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        with held(self._lock):
            self.directory.mkdir(exist_ok=True)
            write_atomic(self.directory, path.name, data)
            written = datetime.fromisoformat(draft.updated).timestamp()
            os.utime(path, (written, written))

    def ids(self) -> list[str]:
        """The ids of the drafts kept (for the copy between stores), sorted."""
        try:
            names = [entry.name for entry in os.scandir(self.directory)]
        except FileNotFoundError:
            return []
        return sorted(name.removesuffix(".json") for name in names
                      if name.endswith(".json") and DRAFT_ID.match(name.removesuffix(".json")))

    def load(self, draft_id: str) -> Draft | None:
        """The draft with this id; None when there is none (removed, expired or never saved)."""
        path = self._path(draft_id)
        try:
            document = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise StoreError(f"The draft of this chat could not be read: {error}") from None
        try:
            messages = [Message.from_dict(item) for item in document["messages"]]
            assistant = document.get("assistant")
            if not is_json_object(assistant) and assistant is not None:
                raise ValueError("its assistant settings are not an object")
            return Draft(draft_id, str(document["page"]), messages, assistant, str(document["updated"]))
        except (KeyError, TypeError, ValueError) as error:
            raise StoreError(f"The draft of this chat could not be read: {error}") from None

    def delete(self, draft_id: str) -> None:
        """Remove a draft (nothing happens when it is gone already)."""
        path = self._path(draft_id)
        with held(self._lock):
            attached = self._attached(path)
            path.unlink(missing_ok=True)
            self._forget(attached)

    def remove_older_than(self, days: float) -> int:
        """Remove drafts not written for `days` days (0: keep them all); how many were removed."""
        if days <= 0:
            return 0
        oldest = time.time() - days * 86400
        removed, attached = 0, set()
        with held(self._lock):
            try:
                entries = list(os.scandir(self.directory))
            except FileNotFoundError:
                return 0
            for entry in entries:
                stale_temp = entry.name.startswith(TEMP_PREFIX)
                if (stale_temp or DRAFT_ID.match(entry.name.removesuffix(".json"))) and \
                        entry.stat().st_mtime < oldest:
                    attached |= set() if stale_temp else self._attached(Path(entry.path))
                    os.unlink(entry.path)
                    removed += 1
            self._forget(attached)
        return removed

    def _attached(self, path: Path) -> set[str]:
        """The attached files a draft file references (none when it is gone or unreadable)."""
        try:
            return references_in(path.read_bytes())
        except OSError:
            return set()

    def _forget(self, attached: set[str]) -> None:
        if attached and self._on_removed is not None:
            self._on_removed(attached)
