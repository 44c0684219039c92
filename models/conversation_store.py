"""Saved conversations: one JSON file per conversation in one directory.

Layout: a conversation lives in `<ascii slug>-<first 20 hex of sha256(name)>.json`. A name never
becomes a path, so no name can write outside the directory. Each file is one JSON document
whose first line holds all the metadata (including the caller's assistant settings); the
messages follow, one per line.

Atomic writes: a save writes a `.tmp-*` file beside the target, fsyncs it and `os.replace`s it
onto the target, so readers see the old file or the new one, never a torn one; reads take no lock.

Locking: every mutation (save, delete, setting a damaged file aside, the legacy import) holds
`.store.lock` (`filelock.FileLock`), so check-then-write is atomic across threads and processes.

Fast listing: `list()` reads only the first line and last three bytes of a file, and remembers
the result keyed by (file name, inode, mtime, size), so a warm listing is one directory scan and
a stat per file. No global index exists, so save, load and delete cost does not grow with the
number of conversations.

Damage: an unreadable file is renamed to `<stem>.<UTC stamp>.corrupt`, never deleted or
overwritten, and reported by its original name. The original app's `saved_conversations.json`
is imported once, recorded by its SHA-256 in `.legacy-import.json`, and left untouched.

Modules: this one holds ConversationStore, the policy (locking, revisions, what is reported);
`conversation_types` the name rule, the records and the errors (all re-exported here);
`store_format` file names and the bytes of a file; `store_disk` atomic writes, setting files
aside and the listing cache; `store_legacy` the original app's file and its import marker.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from filelock import FileLock, Timeout

from models.conversation_types import (
    MAX_NAME_LENGTH, Conversation, ConversationDamaged, ConversationExists, ConversationNotFound,
    ConversationSummary, InvalidName, Listing, StoreError, validate_name,
)
from models.message import Message
from models.store_disk import StatKey, SummaryCache, fsync_directory, move_aside, original_file_name, write_atomic
from models.store_format import (
    FORMAT_VERSION, LEGACY_FILE_NAME, UnreadableFile, encode_document, file_name_for, parse_document,
    is_json_object, read_header, summary_from, utc_now,
)
from models.store_legacy import (
    check_legacy, imported_legacy_digest, legacy_name_candidates, legacy_stat_key, write_legacy_marker,
)

__all__ = [  # the public names, including those re-exported from models.conversation_types
    "MAX_NAME_LENGTH", "Conversation", "ConversationDamaged", "ConversationExists", "ConversationNotFound",
    "ConversationStore", "ConversationSummary", "InvalidName", "Listing", "StoreError", "validate_name",
]

LOCK_FILE_NAME = ".store.lock"
LOCK_TIMEOUT_SECONDS = 10
LEGACY_PROBLEM = (
    f"“{LEGACY_FILE_NAME}” (saved by an earlier version of the app) could not be read, "
    "so its conversations were not imported; the file was left as it is."
)


def _damage_problem(original: str | None, kept: str) -> str:
    """The sentence reporting a damaged file: the file it was and where its bytes are now."""
    if original is None:  # a *.corrupt file the store did not name
        return f"“{kept}” could not be read and was kept aside."
    return f"“{original}” could not be read; its bytes are kept in “{kept}”."


class ConversationStore:
    """Conversations saved as JSON files in one directory, safe across threads and processes."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._file_lock = FileLock(self.directory / LOCK_FILE_NAME, timeout=LOCK_TIMEOUT_SECONDS)
        self._summaries: SummaryCache[ConversationSummary] = SummaryCache()
        self._legacy_checked: StatKey | None = None  # the legacy file as this instance last dealt with it
        self._legacy_problem: str | None = None

    def save(
        self, name: str, messages: Sequence[Message], *, model: str | None = None,
        assistant: dict[str, Any] | None = None, expected_revision: int | None = None, replace: bool = False,
    ) -> ConversationSummary:
        """Write a conversation; an existing one is replaced only with `replace` or its current revision."""
        name = validate_name(name)
        messages = list(messages)
        if not all(isinstance(message, Message) for message in messages):
            raise TypeError("messages must be Message objects")
        if assistant is not None and not is_json_object(assistant):
            raise TypeError("assistant must be a dict with text keys")  # JSON would turn other keys into text
        self._import_legacy_if_needed()
        with self._locked():
            try:
                current: ConversationSummary | None = self._read_summary(file_name_for(name))
            except FileNotFoundError:
                current = None
            except UnreadableFile:
                # Replacing a damaged file would lose its bytes; keep them aside and start afresh.
                self._set_aside_if_damaged(file_name_for(name))
                current = None
            if current is not None and not replace and expected_revision != current.revision:
                raise ConversationExists(name, changed_elsewhere=expected_revision is not None)
            return self._write(name, messages, current, model=model, assistant=assistant)

    def load(self, name: str) -> Conversation:
        """The conversation saved under `name`; ConversationNotFound or ConversationDamaged otherwise."""
        name = validate_name(name)
        self._import_legacy_if_needed()
        file_name = file_name_for(name)
        try:
            return self._read_conversation(file_name)
        except FileNotFoundError:
            raise ConversationNotFound(name) from None
        except UnreadableFile:
            kept = self._set_aside_if_damaged(file_name)
        if kept is None:  # replaced or deleted by someone else meanwhile: read what is there now
            return self.load(name)
        raise ConversationDamaged(name, kept)

    def delete(self, name: str) -> None:
        """Remove the conversation saved under `name`; ConversationNotFound when there is none."""
        name = validate_name(name)
        self._import_legacy_if_needed()
        file_name = file_name_for(name)
        with self._locked():
            try:
                os.unlink(self.directory / file_name)
            except FileNotFoundError:
                raise ConversationNotFound(name) from None
            fsync_directory(self.directory)
        self._summaries.forget(file_name)

    def exists(self, name: str) -> bool:
        """True when a conversation is saved under `name`."""
        name = validate_name(name)
        self._import_legacy_if_needed()
        return (self.directory / file_name_for(name)).is_file()

    def list(self) -> Listing:
        """All saved conversations, newest first, plus a sentence for each unreadable file."""
        self._import_legacy_if_needed()
        scan = self._summaries.scan(self.directory, self._read_summary)
        kept_aside = [(original_file_name(kept), kept) for kept in scan.kept_aside]
        for file_name in scan.damaged:
            kept = self._set_aside_if_damaged(file_name)
            if kept is not None:
                kept_aside.append((file_name, kept.name))
        conversations = sorted(scan.summaries, key=lambda summary: summary.name)
        conversations.sort(key=lambda summary: summary.updated, reverse=True)
        problems = [self._legacy_problem] if self._legacy_problem else []
        problems += [_damage_problem(*pair) for pair in sorted(kept_aside, key=lambda pair: pair[1])]
        return Listing(conversations, problems)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the store's file lock (re-entrant within a thread)."""
        try:
            self._file_lock.acquire()
        except Timeout:
            raise StoreError("The saved conversations are busy elsewhere; please try again in a moment.") from None
        try:
            yield
        finally:
            self._file_lock.release()

    def _write(
        self, name: str, messages: list[Message], current: ConversationSummary | None, *,
        model: str | None, assistant: dict[str, Any] | None,
    ) -> ConversationSummary:
        """Write the file for `name` (lock held), keeping `created` and bumping the revision of `current`."""
        now = utc_now()
        summary = ConversationSummary(
            name=name, created=current.created if current else now, updated=now,
            revision=current.revision + 1 if current else 1, message_count=len(messages), model=model,
        )
        metadata = {"format": FORMAT_VERSION, "name": name, "created": summary.created,
                    "updated": summary.updated, "revision": summary.revision, "model": model}
        if assistant is not None:
            metadata["assistant"] = assistant
        file_name = file_name_for(name)
        try:
            stat = write_atomic(self.directory, file_name, encode_document(metadata, messages))
        except OSError as error:
            raise StoreError(f"The conversation “{name}” could not be saved: {error.strerror or error}.") from error
        self._summaries.remember(file_name, stat, summary)
        return summary

    def _read_summary(self, file_name: str) -> ConversationSummary:
        """The summary of one file from its first line, falling back to reading it whole."""
        path = os.path.join(self.directory, file_name)  # not a Path: list() calls this per file
        try:
            return summary_from(read_header(path), file_name)
        except UnreadableFile:
            return summary_from(parse_document(Path(path).read_bytes())[0], file_name)

    def _read_conversation(self, file_name: str) -> Conversation:
        """The whole conversation in one file; UnreadableFile when it is damaged."""
        metadata, messages = parse_document((self.directory / file_name).read_bytes())
        return Conversation(summary_from(metadata, file_name), messages, metadata["assistant"])

    def _set_aside_if_damaged(self, file_name: str) -> Path | None:
        """Under the lock, move the file aside if it is still damaged; the kept path, else None."""
        with self._locked():
            try:
                self._read_conversation(file_name)
                return None
            except FileNotFoundError:
                return None
            except UnreadableFile:
                kept = move_aside(self.directory, file_name)
        self._summaries.forget(file_name)
        return kept

    def _import_legacy_if_needed(self) -> None:
        """Import the original app's file once per version of its bytes, leaving it untouched."""
        if legacy_stat_key(self.directory) == self._legacy_checked:
            return  # no legacy file, or this instance already dealt with these bytes: one stat
        legacy = check_legacy(self.directory)
        if legacy.entries is not None:
            with self._locked():
                if imported_legacy_digest(self.directory) != legacy.digest:  # another process may have done it
                    names = [self._import_one(raw_name, messages) for raw_name, messages in legacy.entries]
                    write_legacy_marker(self.directory, legacy.digest, [name for name in names if name])
        self._legacy_checked = legacy.key
        self._legacy_problem = LEGACY_PROBLEM if legacy.damaged else None

    def _import_one(self, raw_name: str, messages: list[Message]) -> str | None:
        """Save one legacy conversation (lock held) under a free name; None if it is already there."""
        for candidate in legacy_name_candidates(raw_name, MAX_NAME_LENGTH):
            name = validate_name(candidate)
            try:
                existing = self._read_conversation(file_name_for(name))
            except FileNotFoundError:
                self._write(name, messages, None, model=None, assistant=None)
                return name
            except UnreadableFile:
                continue  # list() and load() set it aside and report it
            if existing.messages == messages:
                return None  # imported before, by a run that stopped before writing the marker
        return None
