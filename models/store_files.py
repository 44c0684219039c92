"""The machinery under `models.conversation_store.ConversationStore`: the store lock, writing and
removing conversation files, setting damaged ones aside, saving under a free name, scanning the
directory (through the listing cache and its index on disk) and the one-time import of the
original app's file.

`StoreFiles` is ConversationStore's base class. It leaves reading a file to ConversationStore
(`_read_summary`, `_read_conversation`), which decides how much of a file a question needs.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from filelock import FileLock, Timeout

from models.conversation_types import MAX_NAME_LENGTH, Conversation, ConversationSummary, StoreError, validate_name
from models.message import Message
from models.store_disk import (
    Scan, StatKey, SummaryCache, fsync_directory, move_aside, original_file_name, write_atomic,
)
from models.store_format import (
    LEGACY_FILE_NAME, UnreadableFile, encode_document, file_name_for, metadata_for, utc_now,
)
from models.store_legacy import (
    check_legacy, imported_legacy_digest, legacy_name_candidates, legacy_stat_key, write_legacy_marker,
)
from models.store_index import ListingIndex
from models.store_search import SearchIndex

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


class StoreFiles:
    """One directory of conversation files, changed only under its lock; reading is the subclass's."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._file_lock = FileLock(self.directory / LOCK_FILE_NAME, timeout=LOCK_TIMEOUT_SECONDS)
        self._summaries: SummaryCache[ConversationSummary] = SummaryCache(ListingIndex(self.directory))
        self._search_index: SearchIndex[ConversationSummary] = SearchIndex()
        self._legacy_checked: StatKey | None = None  # the legacy file as this instance last dealt with it
        self._legacy_problem: str | None = None

    def wait_for_index(self) -> None:
        """Return once the listing index this instance is writing in the background is on disk (tests, benchmarks)."""
        self._summaries.wait_for_index()

    def _read_summary(self, file_name: str) -> ConversationSummary:
        """The summary of one file; UnreadableFile when it is damaged."""
        raise NotImplementedError

    def _read_conversation(self, file_name: str) -> Conversation:
        """The whole conversation in one file; UnreadableFile when it is damaged."""
        raise NotImplementedError

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

    def _unlink(self, file_name: str) -> None:
        """Remove one conversation file for good (lock held); FileNotFoundError when there is none."""
        os.unlink(self.directory / file_name)
        fsync_directory(self.directory)
        self._summaries.forget(file_name)

    def _replaceable(self, file_name: str) -> ConversationSummary | None:
        """The summary of the file a write is about to replace (lock held); None if absent or damaged."""
        try:
            return self._read_summary(file_name)
        except FileNotFoundError:
            return None
        except UnreadableFile:
            # Replacing a damaged file would lose its bytes; keep them aside and start afresh.
            self._set_aside_if_damaged(file_name)
            return None

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

    def _write_under_free_name(
        self, candidates: Iterable[str], messages: list[Message], *, model: str | None,
        assistant: dict[str, Any] | None, skip_if_saved: bool = False,
    ) -> ConversationSummary | None:
        """Save under the first candidate name no file holds (lock held); None if `skip_if_saved` finds it saved."""
        for candidate in candidates:
            name = validate_name(candidate)
            try:
                existing = self._read_conversation(file_name_for(name))
            except FileNotFoundError:
                return self._write(name, messages, None, model=model, assistant=assistant)
            except UnreadableFile:
                continue  # never written over: list() and load() set it aside and report it
            if skip_if_saved and existing.messages == messages:
                return None  # imported before, by a run that stopped before writing the marker
        raise AssertionError("the candidate names never run out")

    def _scan(self) -> tuple[Scan[ConversationSummary], list[str]]:
        """Every readable file's stat key and summary, after setting damaged ones aside; the problems to report."""
        self._import_legacy_if_needed()
        scan = self._summaries.scan(self.directory, self._read_summary)
        kept_aside = [(original_file_name(kept), kept) for kept in scan.kept_aside]
        for file_name in scan.damaged:
            kept = self._set_aside_if_damaged(file_name)
            if kept is not None:
                kept_aside.append((file_name, kept.name))
        problems = [self._legacy_problem] if self._legacy_problem else []
        problems += [_damage_problem(*pair) for pair in sorted(kept_aside, key=lambda pair: pair[1])]
        return scan, problems

    def _import_legacy_if_needed(self) -> None:
        """Import the original app's file once per version of its bytes, leaving it untouched."""
        if legacy_stat_key(self.directory) == self._legacy_checked:
            return  # no legacy file, or this instance already dealt with these bytes: one stat
        legacy = check_legacy(self.directory)
        if legacy.entries is not None:
            with self._locked():
                if imported_legacy_digest(self.directory) != legacy.digest:  # another process may have done it
                    summaries = [
                        self._write_under_free_name(
                            legacy_name_candidates(raw_name, MAX_NAME_LENGTH), messages,
                            model=None, assistant=None, skip_if_saved=True,
                        )
                        for raw_name, messages in legacy.entries
                    ]
                    names = [summary.name for summary in summaries if summary]
                    write_legacy_marker(self.directory, legacy.digest, names)
        self._legacy_checked = legacy.key
        self._legacy_problem = LEGACY_PROBLEM if legacy.damaged else None
