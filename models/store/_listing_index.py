"""The listing index of the conversation store: what the last directory scan found, kept in
`<store>/.index/` so that a new store instance (a restarted server) lists without reading, or even
stat-ing, each file; and the generation token every change the store makes rewrites. When a stamp
is valid, when it is settled, and how the index is written: docs/STORE.md, "The listing index".
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from pathlib import Path

from models.store._files import write_atomic
from models.store._listing_index_format import Entries, Persisted, Stamp, decode, encode

INDEX_DIR_NAME = ".index"
LISTING_FILE_NAME = "listing.json"
GENERATION_FILE_NAME = "generation"
SETTLED_NS = 20_000_000  # two 100 Hz ticks, more than Windows' 15.6 ms timer
WHOLE_SECONDS_SETTLED_NS = 2_000_000_000  # FAT keeps even seconds
WRITE_DELAY_SECONDS = 0.5


class ListingIndex:
    """The `.index` folder of one store directory: the generation and the persisted listing."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.folder = directory / INDEX_DIR_NAME
        with suppress(OSError):  # now: made by the first listing written, it would change the directory's stamp
            self.folder.mkdir(exist_ok=True)
        self._generation_path = os.path.join(self.folder, GENERATION_FILE_NAME)  # read on every list()
        self._lock = threading.Condition()
        self._pending: tuple[Stamp | None, Entries, list[str]] | None = None
        self._writing = self._hurry = False

    def stamp(self) -> Stamp | None:
        """The directory's stamp now; None when it cannot be read."""
        try:
            stat = os.stat(self.directory)
            try:
                with open(self._generation_path, "rb") as file:
                    generation: str | None = file.read(64).decode("ascii", "replace")
            except (FileNotFoundError, NotADirectoryError):
                generation = None  # no store wrote one here yet, or none can: then only the timestamps tell
        except OSError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, generation)

    @staticmethod
    def settled(stamp: Stamp, started_ns: int) -> bool:
        """True when no change after `started_ns` (wall clock) can leave the directory's timestamps as in `stamp`."""
        latest = max(stamp[1], stamp[2])
        margin = WHOLE_SECONDS_SETTLED_NS if latest % 1_000_000_000 == 0 else SETTLED_NS
        return latest < started_ns - margin

    def changed(self) -> None:
        """Record that the store changed the directory (store lock held): a new generation."""
        token = os.urandom(8).hex().encode("ascii")
        try:
            self._in_folder(lambda: _write_in_place(self._generation_path, token))
        except OSError:
            pass  # then other instances notice the change by the directory's timestamps alone

    def load(self) -> Persisted | None:
        """The persisted listing, or None when there is none or anything about it is wrong."""
        try:
            data = (self.folder / LISTING_FILE_NAME).read_bytes()
        except OSError:
            return None
        # Decoding makes many objects at once, none of them in a cycle: the
        # garbage collections they would set off (up to a pass over the whole heap) find nothing (B7, list cold).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return decode(data)
        except (ValueError, TypeError, KeyError, RecursionError):
            return None
        finally:
            if collecting:
                gc.enable()

    def save(self, stamp: Stamp | None, entries: Entries, kept_aside: list[str]) -> None:
        """Write a scan's listing in the background, soon (the newest scan wins if several wait); returns at once."""
        with self._lock:
            self._pending = (stamp, entries, kept_aside)
            if not self._writing:
                self._writing, self._hurry = True, False
                threading.Thread(target=self._write_pending, name="bnaGPT listing index", daemon=True).start()

    def wait(self) -> None:
        """Write what `save` was handed now, and return once it is written (or failed to be)."""
        with self._lock:
            self._hurry = True
            self._lock.notify_all()
            self._lock.wait_for(lambda: not self._writing)

    def _write_pending(self) -> None:
        """The writer thread: after a moment, write the newest pending listing until none is left."""
        try:
            with self._lock:
                # Let whoever scanned finish first (a page being drawn): encoding holds the GIL while it runs.
                self._lock.wait_for(lambda: self._hurry, timeout=WRITE_DELAY_SECONDS)
            while True:
                with self._lock:
                    pending, self._pending = self._pending, None
                    if pending is None:
                        return
                data = encode(*pending)
                try:
                    self._in_folder(partial(write_atomic, self.folder, LISTING_FILE_NAME, data, durable=False))
                except OSError:
                    pass  # only a cache: the next scan that changes something tries again
        finally:
            with self._lock:
                self._writing = False
                self._lock.notify_all()

    def _in_folder(self, write: Callable[[], object]) -> None:
        """Call `write`, making `.index` first when it turns out to be missing."""
        try:
            write()
        except FileNotFoundError:
            self.folder.mkdir(exist_ok=True)
            write()


def _write_in_place(path: str, token: bytes) -> None:
    """Overwrite the generation file with a token of the usual length, without a rename."""
    # On ext4 a rename over a file waits for the new one's data (B7, save). Always 16 digits: a
    # reader finds the old token, the new one or (had it caught the write halfway) a mix, which
    # differs from the old one too, and that is all that counts.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o666)
    try:
        os.write(descriptor, token)
    finally:
        os.close(descriptor)
