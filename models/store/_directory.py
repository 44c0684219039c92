"""One directory of conversation files, for `ConversationStore`: reading a file (as much of it as
a question needs), and changing files only under the directory's lock: writing, removing, setting
a damaged one aside; and scanning the directory through the listing cache.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from filelock import FileLock

from models.message import Message
from models.store._files import fsync_directory, held, move_aside, original_file_name, store_lock, write_atomic
from models.store._format import (
    UnreadableFile,
    encode_document,
    file_name_for,
    metadata_for,
    parse_document,
    read_header,
    summary_from,
    utc_now,
)
from models.store._listing import Scan, SummaryCache
from models.store._listing_index import ListingIndex
from models.store._records import Conversation, ConversationSummary, StoreError


def _damage_problem(original: str | None, kept: str) -> str:
    """The sentence reporting a damaged file: the file it was and where its bytes are now."""
    if original is None:  # a *.corrupt file the store did not name
        return f"“{kept}” could not be read and was kept aside."
    return f"“{original}” could not be read; its bytes are kept in “{kept}”."


class ConversationFiles:
    """One directory of conversation files, changed only under its lock."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._file_lock = store_lock(self.directory)
        self._summaries: SummaryCache[ConversationSummary] = SummaryCache(ListingIndex(self.directory))

    def wait_for_index(self) -> None:
        """Return once the listing index this instance is writing in the background is on disk (tests, benchmarks)."""
        self._summaries.wait_for_index()

    def read_summary(self, file_name: str) -> ConversationSummary:
        """The summary of one file from its first line, falling back to reading it whole."""
        path = os.path.join(self.directory, file_name)  # not a Path: list() calls this per file
        try:
            return summary_from(read_header(path), file_name)
        except UnreadableFile:
            return summary_from(parse_document(Path(path).read_bytes())[0], file_name)

    def read_conversation(self, file_name: str) -> Conversation:
        """The whole conversation in one file; UnreadableFile when it is damaged."""
        with open(os.path.join(self.directory, file_name), "rb") as file:  # not a Path: search reads every file
            metadata, messages = parse_document(file.read())
        return Conversation(summary_from(metadata, file_name), messages, metadata["assistant"])

    def holds(self, file_name: str) -> bool:
        """True when the directory has a file of that name (readable or not)."""
        return (self.directory / file_name).is_file()

    @property
    def lock(self) -> FileLock:
        """The directory's lock, for the parts of the store that change files beside the conversations."""
        return self._file_lock

    def locked(self) -> AbstractContextManager[None]:
        """Hold the directory's lock (re-entrant within a thread); StoreError when it stays busy."""
        return held(self._file_lock)

    def write(
        self, name: str, messages: list[Message], current: ConversationSummary | None, *,
        model: str | None, assistant: dict[str, Any] | None, updated: str | None = None,
    ) -> ConversationSummary:
        """Write the file for `name` (lock held), keeping `created` and bumping the revision of `current`."""
        now = utc_now()
        summary = ConversationSummary(
            name=name, created=current.created if current else now, updated=updated or now,
            revision=current.revision + 1 if current else 1, message_count=len(messages), model=model,
        )
        file_name = file_name_for(name)
        try:
            stat = write_atomic(self.directory, file_name, encode_document(metadata_for(summary, assistant), messages))
        except OSError as error:
            raise StoreError(f"The conversation “{name}” could not be saved: {error.strerror or error}.") from error
        self._summaries.remember(file_name, stat, summary)
        return summary

    def unlink(self, file_name: str) -> None:
        """Remove one conversation file for good (lock held); FileNotFoundError when there is none."""
        os.unlink(self.directory / file_name)
        fsync_directory(self.directory)
        self._summaries.forget(file_name)

    def replaceable(self, file_name: str) -> ConversationSummary | None:
        """The summary of the file a write is about to replace (lock held); None if absent or damaged."""
        try:
            return self.read_summary(file_name)
        except FileNotFoundError:
            return None
        except UnreadableFile:
            # Replacing a damaged file would lose its bytes; keep them aside and start afresh.
            self.set_aside_if_damaged(file_name)
            return None

    def set_aside_if_damaged(self, file_name: str) -> Path | None:
        """Under the lock, move the file aside if it is still damaged; the kept path, else None."""
        with self.locked():
            try:
                self.read_conversation(file_name)
                return None
            except FileNotFoundError:
                return None
            except UnreadableFile:
                kept = move_aside(self.directory, file_name)
            self._summaries.forget(file_name)
        return kept

    def scan(self) -> tuple[Scan[ConversationSummary], list[str]]:
        """Every readable file's stat key and summary, after setting damaged ones aside; a sentence for each."""
        scan = self._summaries.scan(self.directory, self.read_summary)
        kept_aside = [(original_file_name(kept), kept) for kept in scan.kept_aside]
        for file_name in scan.damaged:
            kept = self.set_aside_if_damaged(file_name)
            if kept is not None:
                kept_aside.append((file_name, kept.name))
        return scan, [_damage_problem(*pair) for pair in sorted(kept_aside, key=lambda pair: pair[1])]
