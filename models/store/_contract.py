"""The store's contract: what every implementation (the JSON files, PostgreSQL) does, as typing
Protocols. The app holds a `Store` from `open_store` and never names an implementation, so the
choice between them is made once, from settings (`_open`). docs/STORE.md says what each method means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from models.message import Message
from models.store._drafts import Draft
from models.store._records import Conversation, ConversationSummary, Listing


class DraftArea(Protocol):
    """A store's chats without a name yet: never listed nor searched, known by an unguessable id."""

    def save(self, draft_id: str, page: str, messages: Sequence[Message], assistant: dict[str, Any] | None) -> None:
        """Write a draft whole, replacing the one with this id."""

    def load(self, draft_id: str) -> Draft | None:
        """The draft with this id; None when there is none."""

    def delete(self, draft_id: str) -> None:
        """Remove a draft (nothing happens when it is gone already)."""

    def remove_older_than(self, days: float) -> int:
        """Remove drafts not written for `days` days (0: keep them all); how many were removed."""


class FileArea(Protocol):
    """A store's attached files: each one's bytes once, by SHA-256 digest, with a document's cached index."""

    def put(self, data: bytes) -> str:
        """Keep `data` (once); its digest."""

    def read(self, digest: str, *, name: str | None = None) -> bytes:
        """The bytes kept under `digest`; AttachedFileMissing (named by `name`) when there are none."""

    def exists(self, digest: str) -> bool:
        """True when bytes are kept under `digest`."""

    def put_index(self, digest: str, data: bytes) -> None:
        """Cache a document's search index beside its bytes (derived: rebuilt when missing)."""

    def read_index(self, digest: str) -> bytes | None:
        """The cached index of a document, or None."""

    def collect(self, candidates: Iterable[str] | None = None, *, grace: float = ...) -> list[str]:
        """Remove the files (of `candidates`, or all) no conversation or draft references, put
        longer than `grace` seconds ago; the digests removed."""


class RecordingArea(Protocol):
    """Spoken questions' kept audio, by the unguessable name their message records; every server of
    the store plays them (a database store keeps them in the database or its shared folder)."""

    def save(self, data: bytes, extension: str = "wav") -> str:
        """Keep `data`; the name to record with its message."""

    def put(self, name: str, data: bytes) -> None:
        """Keep `data` under a name a store gave it (a copy from another store)."""

    def read(self, name: str) -> bytes | None:
        """A kept recording's bytes, or None (a name no store gave, or one since removed)."""


class Store(Protocol):
    """One owner's saved conversations by name, each with a revision that every save bumps."""

    owner: str | None  # None: the one local user of a server without accounts
    drafts: DraftArea
    files: FileArea
    recordings: RecordingArea

    def remember_owner(self, profile: dict[str, str]) -> None:
        """Record who the owner is (nothing secret), so that tools can find them by e-mail."""

    def save(
        self, name: str, messages: Sequence[Message], *, model: str | None = None,
        assistant: dict[str, Any] | None = None, expected_revision: int | None = None, replace: bool = False,
    ) -> ConversationSummary:
        """Write a conversation; an existing one is replaced only with `replace` or its current
        revision, else ConversationExists."""

    def load(self, name: str) -> Conversation:
        """The conversation saved under `name`; ConversationNotFound otherwise."""

    def delete(self, name: str) -> None:
        """Remove the conversation saved under `name`; ConversationNotFound when there is none."""

    def exists(self, name: str) -> bool:
        """True when a conversation is saved under `name`."""

    def list(self, query: str = "", limit: int | None = None) -> Listing:
        """The conversations (matching `query`), newest first (the first `limit`, saying whether more
        follow), with a sentence per one that could not be read."""

    def search(self, query: str) -> list[ConversationSummary]:
        """Conversations holding every word of `query` in name or messages (any case, any accents), newest first."""

    def prepare_search(self) -> None:
        """Get ready to search (a server calls it in the background at start)."""

    def rename(self, old: str, new: str, *, replace: bool = False) -> ConversationSummary:
        """Move a conversation to another name, keeping its messages, settings, `created` and `updated`."""

    def import_conversation(
        self, name: str, messages: Sequence[Message], *, model: str | None = None,
        assistant: dict[str, Any] | None = None, files: Mapping[str, bytes] | None = None,
    ) -> ConversationSummary:
        """Save a new conversation under `name` or "name (2)"…; never replaces one. `files` are the
        attached files an export carried (digest -> bytes), kept first."""

    def import_file(self, file_name: str, data: bytes) -> list[ConversationSummary]:
        """Import every conversation of an uploaded file, or none (ImportProblem)."""
