"""ConversationStore: the policy of the store (revisions, names, what is reported), built from the
directory of conversation files (`_directory`), the search index (`_search`) and the one-time
import of the original app's file (`_legacy`). The design: docs/STORE.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace as replaced
from itertools import islice
from operator import attrgetter, eq
from pathlib import Path
from typing import Any

from models.message import Message
from models.store._attached import AttachedFiles
from models.store._directory import ConversationFiles
from models.store._drafts import Drafts
from models.store._exchange import parse_import
from models.store._format import UnreadableFile, file_name_for, is_json_object, references_in
from models.store._legacy import LegacyImport
from models.store._listing import Scan
from models.store._names import unique_name, validate_name
from models.store._owners import owner_directory, remember_owner
from models.store._recordings import Recordings
from models.store._records import (
    Conversation,
    ConversationDamaged,
    ConversationExists,
    ConversationNotFound,
    ConversationSummary,
    Listing,
    StoreError,
)
from models.store._search import SearchIndex, query_words, searchable_tokens


class ConversationStore:
    """One owner's conversations saved as JSON files in one directory, safe across threads and processes.

    `owner` is whose they are: None for the one local user of a server without accounts (the
    files in `directory` itself), else a key from `owner_key`. Every method, the listing and
    search caches and the drafts see that owner's conversations only.
    """

    def __init__(self, directory: str | os.PathLike[str], owner: str | None = None) -> None:
        self.owner = owner
        self._files = ConversationFiles(owner_directory(Path(directory), owner))
        self.directory = self._files.directory
        self._legacy = LegacyImport(self._files)
        self._search_index: SearchIndex[ConversationSummary] = SearchIndex()
        self._listed: tuple[int | None, list[ConversationSummary]] = (None, [])  # a scan version, its listing
        self.files = AttachedFiles(self.directory, self._files.lock)  # attached files' bytes, by digest
        # Chats without a name yet: never listed nor searched. A removed draft's files go with it
        # when nothing else references them.
        self.drafts = Drafts(self.directory, self._files.lock, on_removed=self.files.collect)
        # Spoken questions' kept audio: in the folder's own `.recordings/`, every owner's together
        # (as before accounts; the names are unguessable).
        self.recordings = Recordings(directory)

    def remember_owner(self, profile: dict[str, str]) -> None:
        """Record who the owner is (issuer, sub, e-mail, name: nothing secret), to find them by e-mail."""
        if self.owner is not None:
            remember_owner(self.directory, profile)

    def save(
        self, name: str, messages: Sequence[Message], *, model: str | None = None,
        assistant: dict[str, Any] | None = None, expected_revision: int | None = None, replace: bool = False,
    ) -> ConversationSummary:
        """Write a conversation; an existing one is replaced only with `replace` or its current revision."""
        [name] = self._ready(name)
        messages = writable(messages, assistant)
        with self._files.locked():
            current = self._files.replaceable(file_name_for(name))
            if current is not None and not replace and expected_revision != current.revision:
                raise ConversationExists(name, changed_elsewhere=expected_revision is not None)
            return self._files.write(name, messages, current, model=model, assistant=assistant)

    def load(self, name: str) -> Conversation:
        """The conversation saved under `name`; ConversationNotFound or ConversationDamaged otherwise."""
        [name] = self._ready(name)
        file_name = file_name_for(name)
        try:
            return self._files.read_conversation(file_name)
        except FileNotFoundError:
            raise ConversationNotFound(name) from None
        except UnreadableFile:
            kept = self._files.set_aside_if_damaged(file_name)
        if kept is None:  # replaced or deleted by someone else meanwhile: read what is there now
            return self.load(name)
        raise ConversationDamaged(name, kept)

    def delete(self, name: str) -> None:
        """Remove the conversation saved under `name`, and the attached files nothing else references;
        ConversationNotFound when there is none."""
        [name] = self._ready(name)
        file_name = file_name_for(name)
        with self._files.locked():
            try:
                attached = references_in((self.directory / file_name).read_bytes())
                self._files.unlink(file_name)
            except FileNotFoundError:
                raise ConversationNotFound(name) from None
            if attached:  # only then are the other conversations read, so B7's delete stays flat
                self.files.collect(attached)

    def exists(self, name: str) -> bool:
        """True when a conversation is saved under `name`."""
        [name] = self._ready(name)
        return self._files.holds(file_name_for(name))

    def list(self, query: str = "", limit: int | None = None) -> Listing:
        """The saved conversations (those matching `query`, see search), newest first (the first
        `limit` of them), plus a sentence for each conversation that could not be read; one look at the store."""
        scan, problems = self._scan()
        words = query_words(query)
        if not words:
            listed = self._listed
            if listed[0] != scan.version:  # else the same files as last time: no need to sort them again
                listed = self._listed = (scan.version, _newest_first(summary for _, summary in scan.entries.values()))
            found = listed[1]
        else:
            found = _newest_first(self._search_index.matching(words, scan.entries, scan.version, self._read_tokens))
        page = found if limit is None else found[:limit]
        return Listing(list(page), problems, more=len(page) < len(found), total=len(found))

    def search(self, query: str) -> list[ConversationSummary]:
        """Conversations whose name or messages hold every word of `query` (any case, any accents), newest first."""
        return self.list(query).conversations

    def prepare_search(self) -> None:
        """Read every conversation into the search index now (a server does it in the background at start)."""
        scan, _ = self._scan()
        self._search_index.refresh(scan.entries, scan.version, self._read_tokens)

    def wait_for_index(self) -> None:
        """Return once the listing index this instance is writing in the background is stored (tests, benchmarks)."""
        self._files.wait_for_index()

    def rename(self, old: str, new: str, *, replace: bool = False) -> ConversationSummary:
        """Move a conversation to another name, keeping its messages, settings, `created` and `updated`."""
        old, new = self._ready(old, new)
        with self._files.locked():
            conversation = self.load(old)  # ConversationNotFound, or ConversationDamaged with the file set aside
            if new == old:
                return conversation.summary
            taken = self._files.replaceable(file_name_for(new))
            if taken is not None and not replace:
                raise ConversationExists(new)
            # Above both revisions, so a session still holding either one cannot overwrite the result.
            revision = max(conversation.summary.revision, taken.revision if taken else 0)
            summary = self._files.write(
                new, conversation.messages, replaced(conversation.summary, revision=revision),
                model=conversation.summary.model, assistant=conversation.assistant,
                updated=conversation.summary.updated,
            )
            # Only now that the new file is in place: a crash in between leaves both names, never neither.
            try:
                self._files.unlink(file_name_for(old))
            except OSError as error:
                reason = error.strerror or error
                message = f"“{old}” was saved as “{new}”, but its old file could not be removed: {reason}."
                raise StoreError(message) from error
        return summary

    def import_conversation(
        self, name: str, messages: Sequence[Message], *, model: str | None = None,
        assistant: dict[str, Any] | None = None, files: Mapping[str, bytes] | None = None,
    ) -> ConversationSummary:
        """Save a new conversation under `name` (cleaned), or "name (2)", "name (3)"…; never replaces one.
        `files` are the attached files an export carried, kept first so that no message names a missing one."""
        if not isinstance(name, str):
            raise TypeError("name must be text")
        messages = writable(messages, assistant)
        self._ready()
        for data in (files or {}).values():
            self.files.put(data)
        with self._files.locked():
            # A damaged conversation's name counts as taken: list() and load() set it aside and report it.
            free = unique_name(name, lambda candidate: self._files.holds(file_name_for(candidate)))
            return self._files.write(free, messages, None, model=model, assistant=assistant)

    def import_file(self, file_name: str, data: bytes) -> list[ConversationSummary]:
        """Import every conversation in an uploaded file, or none (ImportProblem says why); their summaries."""
        imported = parse_import(file_name, data)
        self._ready()
        with self._files.locked():
            return [
                self.import_conversation(item.name, item.messages, model=item.model, assistant=item.assistant,
                                         files=item.files)
                for item in imported
            ]

    def write_copy(self, conversation: Conversation) -> None:
        """Put a conversation here exactly as it is elsewhere (its dates and revision), replacing one of
        its name (`python -m models.store.copy`)."""
        summary = conversation.summary
        [name] = self._ready(summary.name)
        with self._files.locked():
            # As if written over its own previous revision: `write` keeps `created` and adds one.
            previous = replaced(summary, revision=summary.revision - 1)
            self._files.write(name, writable(conversation.messages, conversation.assistant), previous,
                              model=summary.model, assistant=conversation.assistant, updated=summary.updated)

    def _ready(self, *names: str) -> list[str]:
        """The names validated (InvalidName), once the original app's file is imported: each method's first step."""
        valid = [validate_name(name) for name in names]
        self._legacy.run_if_needed()
        return valid

    def _scan(self) -> tuple[Scan[ConversationSummary], list[str]]:
        """Every readable conversation's stat key and summary, and the problems to report."""
        self._ready()
        scan, problems = self._files.scan()
        return scan, [self._legacy.problem, *problems] if self._legacy.problem else problems

    def _read_tokens(self, file_name: str) -> set[bytes]:
        """What search looks for in one file: the tokens of its name and messages."""
        conversation = self._files.read_conversation(file_name)
        return searchable_tokens(conversation.summary.name, (message.content for message in conversation.messages))


def writable(messages: Sequence[Message], assistant: dict[str, Any] | None) -> list[Message]:
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
