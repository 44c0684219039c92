"""File-system primitives of the conversation store: atomic writes, setting a damaged file aside,
stat keys, and the store directory's lock. The leaf of the package: it imports none of the others
but the records (for StoreError).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from models.store._records import StoreError

LOCK_FILE_NAME = ".store.lock"
LOCK_TIMEOUT_SECONDS = 10
TEMP_PREFIX = ".tmp-"
CORRUPT_SUFFIX = ".corrupt"
KEPT_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
# The ending move_aside gives a kept file: ".<UTC stamp>[-N].corrupt".
KEPT_ENDING = re.compile(r"\.\d{8}T\d{12}Z(?:-\d+)?" + re.escape(CORRUPT_SUFFIX) + r"\Z")

StatKey = tuple[int, int, int]


def fsync_directory(directory: Path) -> None:
    """Make a rename or unlink in `directory` durable, where the platform allows it."""
    with suppress(OSError):  # best effort: Windows and some file systems cannot open a directory
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_atomic(directory: Path, file_name: str, data: bytes, *, durable: bool = True) -> os.stat_result:
    """Replace `directory/file_name` with `data` all at once (on disk before returning if `durable`); its new stat."""
    descriptor, temp_path = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            if durable:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temp_path, directory / file_name)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp_path)
        raise
    if durable:
        fsync_directory(directory)
    return os.stat(directory / file_name)


def move_aside(directory: Path, file_name: str) -> Path:
    """Rename a damaged file to `<stem>.<UTC stamp>.corrupt`, never over an existing file."""
    stem = file_name.removesuffix(".json")
    stamp = datetime.now(UTC).strftime(KEPT_STAMP_FORMAT)
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


def store_lock(directory: Path) -> FileLock:
    """The lock every change to the store directory holds, across threads and processes."""
    return FileLock(directory / LOCK_FILE_NAME, timeout=LOCK_TIMEOUT_SECONDS)


@contextmanager
def held(lock: FileLock) -> Iterator[None]:
    """Hold the store's lock (re-entrant within a thread); StoreError when it stays busy."""
    try:
        lock.acquire()
    except Timeout:
        raise StoreError("The saved conversations are busy elsewhere; please try again in a moment.") from None
    try:
        yield
    finally:
        lock.release()
