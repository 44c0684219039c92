"""Saved conversations: one JSON file per conversation in one directory.

Layout: a conversation lives in `<ascii slug>-<first 20 hex of sha256(name)>.json`. A name never
becomes a path, so no name can write outside the directory. Each file is one JSON document
whose first line holds all the metadata (including the caller's assistant settings); the
messages follow, one per line.

Atomic writes: a save writes a `.tmp-*` file beside the target, fsyncs it and `os.replace`s it
onto the target, so readers see the old file or the new one, never a torn one; reads take no lock.

Locking: every mutation (save, rename, import, delete, setting a damaged file aside, the legacy
import) holds `.store.lock` (`filelock.FileLock`), so check-then-write is atomic across threads
and processes. A rename writes the new file before removing the old, so a crash keeps both.

Fast listing: `list()` reads only the first line and last three bytes of a file, and remembers
the result keyed by (file name, inode, mtime, size). It also remembers the whole scan with the
directory's stamp (its inode, mtime and ctime, and a generation token that every change the store
makes rewrites), and while the stamp is unchanged gives that scan again without looking at a
single file. Each scan that finds something new is also written, in the background, to
`.index/listing.json`, so that a new instance (a restarted server) lists from it at the same cost
when the stamp still matches, and otherwise stats every file but reads only those that changed.
A file edited in place by hand (same inode) shows its new summary after the next change to the
directory. Validity and coarse timestamps: `store_index`.
`search()` indexes each file's folded words in memory under the same stat key, so a warm search
reads no file either. Save, load and delete write no index (only the generation token), so their
cost does not grow with the number of conversations.

Damage: an unreadable file is renamed to `<stem>.<UTC stamp>.corrupt`, never deleted or
overwritten, and reported by its original name. The original app's `saved_conversations.json`
is imported once, recorded by its SHA-256 in `.legacy-import.json`, and left untouched.

Modules: this one holds ConversationStore, the policy (revisions, names, what is reported);
`store_files` its base class, the machinery (lock, writes, setting aside, scan, legacy import);
`conversation_types` the name rule, the records and the errors (all re-exported here);
`store_format` file names and the bytes of a file; `store_disk` atomic writes, setting files
aside and the listing cache; `store_index` the listing index on disk and `store_index_format` its
bytes; `store_legacy` the original app's file and its import marker; `store_search` the search
index and `search_text` how it folds text; `store_exchange` export and import files.
"""

from __future__ import annotations

import os
from dataclasses import replace as replaced
from itertools import islice
from operator import attrgetter, eq
from pathlib import Path
from typing import Any, Iterable, Sequence

from models.conversation_types import (
    MAX_NAME_LENGTH, Conversation, ConversationDamaged, ConversationExists, ConversationNotFound,
    ConversationSummary, ImportProblem, InvalidName, Listing, StoreError, validate_name,
)
from models.message import Message
from models.store_exchange import parse_import
from models.store_files import StoreFiles
from models.store_format import UnreadableFile, file_name_for, is_json_object, parse_document, read_header, summary_from
from models.store_legacy import name_candidates
from models.search_text import query_words, searchable_tokens

__all__ = [  # the public names, including those re-exported from models.conversation_types
    "MAX_NAME_LENGTH", "Conversation", "ConversationDamaged", "ConversationExists", "ConversationNotFound",
    "ConversationStore", "ConversationSummary", "ImportProblem", "InvalidName", "Listing", "StoreError",
    "validate_name",
]


class ConversationStore(StoreFiles):
    """Conversations saved as JSON files in one directory, safe across threads and processes."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        super().__init__(directory)
        self._listed: tuple[int | None, list[ConversationSummary]] = (None, [])  # a scan version, its listing

    def save(
        self, name: str, messages: Sequence[Message], *, model: str | None = None,
        assistant: dict[str, Any] | None = None, expected_revision: int | None = None, replace: bool = False,
    ) -> ConversationSummary:
        """Write a conversation; an existing one is replaced only with `replace` or its current revision."""
        name = validate_name(name)
        messages = _writable(messages, assistant)
        self._import_legacy_if_needed()
        with self._locked():
            current = self._replaceable(file_name_for(name))
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
                self._unlink(file_name)
            except FileNotFoundError:
                raise ConversationNotFound(name) from None

    def exists(self, name: str) -> bool:
        """True when a conversation is saved under `name`."""
        name = validate_name(name)
        self._import_legacy_if_needed()
        return (self.directory / file_name_for(name)).is_file()

    def list(self, query: str = "") -> Listing:
        """The saved conversations (those matching `query`, see search), newest first, plus a sentence
        for each unreadable file; one scan of the directory."""
        scan, problems = self._scan()
        words = query_words(query)
        if not words:
            listed = self._listed
            if listed[0] != scan.version:  # else the same files as last time: no need to sort them again
                listed = self._listed = (scan.version, _newest_first(summary for _, summary in scan.entries.values()))
            return Listing(list(listed[1]), problems)
        found = self._search_index.matching(words, scan.entries, scan.version, self._read_tokens)
        return Listing(_newest_first(found), problems)

    def search(self, query: str) -> list[ConversationSummary]:
        """Conversations whose name or messages hold every word of `query` (any case, any accents), newest first."""
        return self.list(query).conversations

    def prepare_search(self) -> None:
        """Read every conversation into the search index now (a server does it in the background at start)."""
        scan, _ = self._scan()
        self._search_index.refresh(scan.entries, scan.version, self._read_tokens)

    def rename(self, old: str, new: str, *, replace: bool = False) -> ConversationSummary:
        """Move a conversation to another name, keeping its messages, settings, `created` and `updated`."""
        old, new = validate_name(old), validate_name(new)
        self._import_legacy_if_needed()
        with self._locked():
            conversation = self.load(old)  # ConversationNotFound, or ConversationDamaged with the file set aside
            if new == old:
                return conversation.summary
            taken = self._replaceable(file_name_for(new))
            if taken is not None and not replace:
                raise ConversationExists(new)
            # Above both revisions, so a session still holding either one cannot overwrite the result.
            revision = max(conversation.summary.revision, taken.revision if taken else 0)
            summary = self._write(
                new, conversation.messages, replaced(conversation.summary, revision=revision),
                model=conversation.summary.model, assistant=conversation.assistant,
                updated=conversation.summary.updated,
            )
            # Only now that the new file is in place: a crash in between leaves both names, never neither.
            try:
                self._unlink(file_name_for(old))
            except OSError as error:
                reason = error.strerror or error
                message = f"“{old}” was saved as “{new}”, but its old file could not be removed: {reason}."
                raise StoreError(message) from error
        return summary

    def import_conversation(
        self, name: str, messages: Sequence[Message], *, model: str | None = None,
        assistant: dict[str, Any] | None = None,
    ) -> ConversationSummary:
        """Save a new conversation under `name` (cleaned), or "name (2)", "name (3)"…; never replaces one."""
        if not isinstance(name, str):
            raise TypeError("name must be text")
        messages = _writable(messages, assistant)
        self._import_legacy_if_needed()
        candidates = name_candidates(name, MAX_NAME_LENGTH, lambda attempt: f" ({attempt})")
        with self._locked():
            summary = self._write_under_free_name(candidates, messages, model=model, assistant=assistant)
        assert summary is not None  # only a legacy import skips a conversation
        return summary

    def import_file(self, file_name: str, data: bytes) -> list[ConversationSummary]:
        """Import every conversation in an uploaded file, or none (ImportProblem says why); their summaries."""
        imported = parse_import(file_name, data)
        self._import_legacy_if_needed()
        with self._locked():
            return [
                self.import_conversation(item.name, item.messages, model=item.model, assistant=item.assistant)
                for item in imported
            ]

    def _read_summary(self, file_name: str) -> ConversationSummary:
        """The summary of one file from its first line, falling back to reading it whole."""
        path = os.path.join(self.directory, file_name)  # not a Path: list() calls this per file
        try:
            return summary_from(read_header(path), file_name)
        except UnreadableFile:
            return summary_from(parse_document(Path(path).read_bytes())[0], file_name)

    def _read_conversation(self, file_name: str) -> Conversation:
        """The whole conversation in one file; UnreadableFile when it is damaged."""
        with open(os.path.join(self.directory, file_name), "rb") as file:  # not a Path: search reads every file
            metadata, messages = parse_document(file.read())
        return Conversation(summary_from(metadata, file_name), messages, metadata["assistant"])

    def _read_tokens(self, file_name: str) -> set[bytes]:
        """What search looks for in one file: the tokens of its name and messages."""
        conversation = self._read_conversation(file_name)
        return searchable_tokens(conversation.summary.name, (message.content for message in conversation.messages))


def _writable(messages: Sequence[Message], assistant: dict[str, Any] | None) -> list[Message]:
    """The messages as a list, refusing contents that would not read back as they were given."""
    messages = list(messages)
    if not all(isinstance(message, Message) for message in messages):
        raise TypeError("messages must be Message objects")
    if assistant is not None and not is_json_object(assistant):
        raise TypeError("assistant must be a dict with text keys")  # JSON would turn other keys into text
    return messages


def _newest_first(summaries: Iterable[ConversationSummary]) -> list[ConversationSummary]:
    """Summaries ordered as list() gives them: newest first, then by name."""
    # One sort, which is quick when they come newest first (as from the listing index); the
    # second and third only when some share a stamp, to put those in name order.
    ordered = sorted(summaries, key=attrgetter("updated"), reverse=True)
    stamps = [summary.updated for summary in ordered]
    if any(map(eq, stamps, islice(stamps, 1, None))):
        ordered.sort(key=attrgetter("name"))
        ordered.sort(key=attrgetter("updated"), reverse=True)  # stable: equal stamps stay in name order
    return ordered
