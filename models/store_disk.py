"""Directory operations for `models.conversation_store`: atomic writes, setting damaged files
aside, and the listing cache that spares a directory scan from re-reading unchanged files.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Generic, NamedTuple, TypeVar

from models.store_format import LEGACY_FILE_NAME, UnreadableFile

TEMP_PREFIX = ".tmp-"
CORRUPT_SUFFIX = ".corrupt"
KEPT_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
# The ending move_aside gives a kept file: ".<UTC stamp>[-N].corrupt".
KEPT_ENDING = re.compile(r"\.\d{8}T\d{12}Z(?:-\d+)?" + re.escape(CORRUPT_SUFFIX) + r"\Z")

StatKey = tuple[int, int, int]
Summary = TypeVar("Summary")


def fsync_directory(directory: Path) -> None:
    """Make a rename or unlink in `directory` durable, where the platform allows it."""
    with suppress(OSError):  # best effort: Windows and some file systems cannot open a directory
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_atomic(directory: Path, file_name: str, data: bytes) -> os.stat_result:
    """Replace `directory/file_name` with `data` all at once; returns the new file's stat."""
    descriptor, temp_path = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_path, directory / file_name)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp_path)
        raise
    fsync_directory(directory)
    return os.stat(directory / file_name)


def move_aside(directory: Path, file_name: str) -> Path:
    """Rename a damaged file to `<stem>.<UTC stamp>.corrupt`, never over an existing file."""
    stem = file_name.removesuffix(".json")
    stamp = datetime.now(timezone.utc).strftime(KEPT_STAMP_FORMAT)
    kept = directory / f"{stem}.{stamp}{CORRUPT_SUFFIX}"
    attempt = 1
    # Only holders of the store lock create *.corrupt files, so check-then-rename is safe.
    while kept.exists():
        attempt += 1
        kept = directory / f"{stem}.{stamp}-{attempt}{CORRUPT_SUFFIX}"
    os.rename(directory / file_name, kept)
    fsync_directory(directory)
    return kept


def original_file_name(kept_name: str) -> str | None:
    """The file a kept-aside file was moved from (`<stem>.json`); None if move_aside did not name it."""
    stem, found = KEPT_ENDING.subn("", kept_name)
    return f"{stem}.json" if found and stem else None


def stat_key(stat: os.stat_result) -> StatKey:
    """What identifies one version of a file: a save makes a new inode, an edit changes mtime."""
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


class Scan(NamedTuple, Generic[Summary]):
    """One pass over the directory: readable files, unreadable files, files already kept aside."""

    entries: dict[str, tuple[StatKey, Summary]]  # file name -> (stat key when read, summary)
    damaged: list[str]
    kept_aside: list[str]
    # Equal versions mean equal entries (names and stat keys), so what is built on them can be kept.
    version: int


class SummaryCache(Generic[Summary]):
    """Each conversation file's summary, remembered until the file's stat key changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[StatKey, Summary]] = {}
        self._version = 0

    def remember(self, file_name: str, stat: os.stat_result, summary: Summary) -> None:
        """Record the summary of a file this process has just written."""
        with self._lock:
            self._entries[file_name] = (stat_key(stat), summary)
            self._version += 1

    def forget(self, file_name: str) -> None:
        """Drop a file this process has just deleted or moved aside."""
        with self._lock:
            self._entries.pop(file_name, None)
            self._version += 1

    def scan(self, directory: Path, read_summary: Callable[[str], Summary]) -> Scan[Summary]:
        """Summaries of every conversation file, reading only files new or changed since last time."""
        with self._lock:
            known = dict(self._entries)
            version = self._version
        entries: dict[str, tuple[StatKey, Summary]] = {}
        damaged, kept_aside = [], []
        changed = False
        with os.scandir(directory) as directory_entries:
            for entry in directory_entries:  # a warm list() is this loop, once per file: keep it lean
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
                        changed = True
                        entries[name] = (key, read_summary(name))
                except FileNotFoundError:
                    continue  # deleted while we looked
                except UnreadableFile:
                    damaged.append(name)
        with self._lock:
            # Unchanged only if every file was known as it is, none is missing, and nobody changed
            # the cache meanwhile (what is stored then equals what is already there).
            if changed or len(entries) != len(known) or self._version != version:
                self._version += 1
            self._entries = dict(entries)  # a copy: remember() changes it while callers go through theirs
            return Scan(entries, damaged, kept_aside, self._version)
