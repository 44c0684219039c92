"""The listing cache of the conversation store: each conversation file's summary, remembered under
its stat key so that a directory scan reads only new or changed files, and the last scan, given
again as it is while the directory's stamp stays the same (the index on disk: `_listing_index`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

from models.store._files import CORRUPT_SUFFIX, StatKey, stat_key
from models.store._format import LEGACY_FILE_NAME, UnreadableFile
from models.store._listing_index import ListingIndex
from models.store._listing_index_format import Stamp

Summary = TypeVar("Summary")


class Scan(NamedTuple, Generic[Summary]):
    """One pass over the directory: readable files, unreadable files, files already kept aside."""

    entries: dict[str, tuple[StatKey, Summary]]  # file name -> (stat key when read, summary)
    damaged: list[str]
    kept_aside: list[str]
    # Equal versions mean equal entries (names and stat keys), so what is built on them can be kept.
    version: int


def scan_directory(
    directory: Path, known: dict[str, tuple[StatKey, Summary]], read_summary: Callable[[str], Summary],
) -> tuple[dict[str, tuple[StatKey, Summary]], list[str], list[str], bool]:
    """Each conversation file's stat key and summary (read only when its key is not the `known` one),
    the damaged files, the files kept aside, and whether any file was read."""
    entries: dict[str, tuple[StatKey, Summary]] = {}
    damaged, kept_aside = [], []
    read = False
    with os.scandir(directory) as directory_entries:
        for entry in directory_entries:  # once per file whenever the directory changed: keep it lean
            name = entry.name
            if not name.endswith(".json") or name.startswith(".") or name == LEGACY_FILE_NAME:
                if name.endswith(CORRUPT_SUFFIX):
                    kept_aside.append(name)
                continue
            try:
                # Stat before reading: a file replaced in between is then merely read again next time.
                stat = entry.stat()
                key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)  # stat_key(), inline
                cached = known.get(name)
                if cached is not None and cached[0] == key:
                    entries[name] = cached
                else:
                    read = True
                    entries[name] = (key, read_summary(name))
            except FileNotFoundError:
                continue  # deleted while we looked
            except UnreadableFile:
                damaged.append(name)
    return entries, damaged, kept_aside, read


class SummaryCache(Generic[Summary]):
    """Each conversation file's summary, remembered until the file's stat key changes, and the last
    scan, given again as it is while the directory's stamp stays the same (`_listing_index`)."""

    def __init__(self, index: ListingIndex) -> None:
        self._index = index
        self._lock = threading.Lock()  # guards the fields below
        self._scanning = threading.Lock()  # one scan at a time: who waits mostly finds the last one still valid
        self._entries: dict[str, tuple[StatKey, Summary]] = {}
        self._version = 0
        self._valid: tuple[Stamp, Scan[Summary]] | None = None  # the last scan and the stamp it is valid for
        self._saved: tuple[int, Stamp | None] | None = None  # the version and stamp of the listing on disk
        self._loaded = False  # whether the listing on disk has been read

    def remember(self, file_name: str, stat: os.stat_result, summary: Summary) -> None:
        """Record the summary of a file this process has just written (store lock held); a new generation."""
        with self._lock:
            self._entries[file_name] = (stat_key(stat), summary)
            self._version += 1
            self._valid = None
        self._index.changed()

    def forget(self, file_name: str) -> None:
        """Drop a file this process has just deleted or moved aside (store lock held); a new generation."""
        with self._lock:
            self._entries.pop(file_name, None)
            self._version += 1
            self._valid = None
        self._index.changed()

    def wait_for_index(self) -> None:
        """Return once the listing this cache handed to the index is written."""
        self._index.wait()

    def scan(self, directory: Path, read_summary: Callable[[str], Summary]) -> Scan[Summary]:
        """Summaries of every conversation file: the last scan while the directory's stamp is unchanged,
        else a scan that reads only the files new or changed since the last one (or the index on disk)."""
        with self._scanning:
            started = time.time_ns()
            stamp = self._index.stamp()
            with self._lock:
                if self._valid is not None and self._valid[0] == stamp:
                    return self._valid[1]
            if not self._loaded:
                self._loaded = True
                adopted = self._adopt(stamp)
                if adopted is not None:
                    return adopted
            with self._lock:
                known, version = dict(self._entries), self._version
            entries, damaged, kept_aside, read = scan_directory(directory, known, read_summary)
            unchanged = stamp is not None and stamp == self._index.stamp() and self._index.settled(stamp, started)
            with self._lock:
                meanwhile = self._version != version  # this process changed a file during the scan
                if read or len(entries) != len(known) or meanwhile:
                    self._version += 1
                self._entries = dict(entries)  # a copy: remember() changes it while callers go through theirs
                result = Scan(entries, damaged, kept_aside, self._version)
                valid_for = stamp if unchanged and not damaged and not meanwhile else None
                self._valid = None if valid_for is None else (valid_for, result)
                save, self._saved = self._saved != (self._version, valid_for), (self._version, valid_for)
            if save:
                self._index.save(valid_for, entries, kept_aside)
            return result

    def _adopt(self, stamp: Stamp | None) -> Scan[Summary] | None:
        """Take the listing on disk as what is known; as the scan itself when it is valid for `stamp`."""
        persisted = self._index.load()
        if persisted is None:
            return None
        with self._lock:
            own = self._entries  # files this instance wrote before its first scan: newer than the index
            self._entries = {**persisted.entries, **own}
            self._version += 1
            self._saved = None if own else (self._version, persisted.stamp)
            if own or persisted.stamp is None or persisted.stamp != stamp:
                return None
            result = Scan(persisted.entries, [], persisted.kept_aside, self._version)  # type: ignore[arg-type]
            self._valid = (stamp, result)
            return result
