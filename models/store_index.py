"""The listing index, for `models.store_disk.SummaryCache`: what the last directory scan found, kept
on disk so that a new store instance (a restarted server) lists 10,000 conversations without
reading, or even stat-ing, each file.

Layout: `<store>/.index/` (a subdirectory: writing in it leaves the store directory's mtime alone):
- `generation`: a random token, rewritten after every change the store makes (save, rename,
  import, delete, setting a damaged file aside, the legacy import), under the store's lock. A
  token, not a counter: nothing needs reading first, and a deleted `.index` brings back no old value.
- `listing.json`: a header line `{"format", "directory", "generation", "crc32"}`, then one JSON
  object of columns (file name, stat key, summary fields; newest first) and the kept-aside names.

Validity: a scan is valid for the stamp (the directory's inode, mtime_ns and ctime_ns, and the
generation) read before it if the stamp read after it is the same and it found nothing damaged.
While the stamp stays the same, so do the directory's files: creating, removing or renaming one
changes the directory's mtime and ctime, and a change by the store also changes the generation,
whatever the timestamps' granularity. A listing is written with its scan's stamp, or with none
(`"directory": null`) when not valid or not settled: its stat keys and summaries still spare a
new instance from reading the files that did not change.

Settled: file systems stamp changes with a coarse clock (Linux: the last timer tick, up to 10 ms
old; FAT and other whole-second systems: 1–2 s), so a change made after a scan, in the same tick
as the directory's stamp, could leave the stamp as it was. So a stamp is trusted only when the
directory's mtime and ctime are older than the scan's start by more than a tick: any later change
gets a later stamp. (The store's own changes also change the generation.) A scan made within 20 ms
(2 s on whole-second systems) of the last change is thus not trusted; the next one is. Not covered:
a file system whose clock is behind ours by more than that, and a file edited in place by hand
(same inode, no rename), which shows its new summary after the next change to the directory.

The listing is written atomically (a temporary file in `.index`, then `os.replace`), so a reader
sees a whole file or the one before; no fsync, as losing the index costs only one slower scan. It is
written without the store lock, in a background thread (about 40 ms at 10,000 conversations), so
writers may race: the last one wins, which is safe because a reader checks the stamp it finds
against the directory. Anything wrong with the file (missing, torn, another format, a wrong shape
or checksum) makes `load` return None, and the store scans as if there were no index.
"""

from __future__ import annotations

import gc
import json
import os
import threading
import zlib
from collections import deque
from contextlib import suppress
from itertools import repeat
from pathlib import Path
from typing import Any, Callable, NamedTuple

from models.conversation_types import ConversationSummary
from models.store_disk import CORRUPT_SUFFIX, StatKey, is_conversation_file_name, write_atomic

INDEX_DIR_NAME = ".index"
LISTING_FILE_NAME = "listing.json"
GENERATION_FILE_NAME = "generation"
INDEX_FORMAT = 1
SETTLED_NS = 20_000_000  # two 100 Hz ticks, more than Windows' 15.6 ms timer
WHOLE_SECONDS_SETTLED_NS = 2_000_000_000  # FAT keeps even seconds
FIELDS = ("name", "created", "updated", "revision", "message_count", "model")  # ConversationSummary's, in order
KEY_COLUMNS = ("inodes", "mtimes", "sizes")
TEXT_COLUMNS = ("files", "name", "created", "updated")
NUMBER_COLUMNS = (*KEY_COLUMNS, "revision", "message_count")
PATH_CHARACTERS = {"/", os.sep, "\x00"}  # never in a name a directory scan finds

Stamp = tuple[int, int, int, "str | None"]  # the directory's inode, mtime_ns and ctime_ns; the generation
Entries = dict[str, tuple[StatKey, ConversationSummary]]


class Persisted(NamedTuple):
    """A listing read from disk: the stamp it is valid for (None: not known), its entries and kept-aside files."""

    stamp: Stamp | None
    entries: Entries
    kept_aside: list[str]


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
        self._writing = False

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
        # Decoding 10,000 conversations makes some 100,000 objects at once, none of them in a cycle:
        # the garbage collections they would set off (up to a pass over the whole heap) find nothing.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return _decode(data)
        except (ValueError, TypeError, KeyError, RecursionError):
            return None
        finally:
            if collecting:
                gc.enable()

    def save(self, stamp: Stamp | None, entries: Entries, kept_aside: list[str]) -> None:
        """Write a scan's listing in the background (the newest scan wins if several wait); returns at once."""
        with self._lock:
            self._pending = (stamp, entries, kept_aside)
            if not self._writing:
                self._writing = True
                threading.Thread(target=self._write_pending, name="bnaGPT listing index", daemon=True).start()

    def wait(self) -> None:
        """Return once every listing handed to `save` is written (or failed to be)."""
        with self._lock:
            self._lock.wait_for(lambda: not self._writing)

    def _write_pending(self) -> None:
        """The writer thread: write the newest pending listing until none is left."""
        try:
            while True:
                with self._lock:
                    pending, self._pending = self._pending, None
                    if pending is None:
                        return
                data = _encode(*pending)
                try:
                    self._in_folder(lambda: write_atomic(self.folder, LISTING_FILE_NAME, data, durable=False))
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
    # On ext4 a rename over a file waits for the new one's data (about 1 ms). Always 16 digits: a
    # reader finds the old token, the new one or (had it caught the write halfway) a mix, which
    # differs from the old one too, and that is all that counts.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o666)
    try:
        os.write(descriptor, token)
    finally:
        os.close(descriptor)


def _encode(stamp: Stamp | None, entries: Entries, kept_aside: list[str]) -> bytes:
    """The bytes of `listing.json`: the header line, then the columns, newest first."""
    # Newest first, so that list() sorts what is already in order; one dumps per column, so that
    # this thread gives up the GIL between them instead of holding it for the whole file.
    rows = sorted(entries.items(), key=lambda item: item[1][1].updated, reverse=True)
    columns: dict[str, list[Any]] = {"files": [file_name for file_name, _ in rows]}
    for position, column in enumerate(KEY_COLUMNS):
        columns[column] = [key[position] for _, (key, _) in rows]
    for field in FIELDS:
        columns[field] = [getattr(summary, field) for _, (_, summary) in rows]
    columns["kept_aside"] = list(kept_aside)
    body = ("{" + ",".join(f'"{column}":{json.dumps(values, ensure_ascii=False)}'
                           for column, values in columns.items()) + "}").encode("utf-8")
    header = {"format": INDEX_FORMAT, "directory": list(stamp[:3]) if stamp else None,
              "generation": stamp[3] if stamp else None, "crc32": zlib.crc32(body)}
    return json.dumps(header).encode("ascii") + b"\n" + body


def _decode(data: bytes) -> Persisted:
    """The listing in `listing.json`; ValueError (or TypeError, KeyError) when it is not exactly as written."""
    header_line, body = data.split(b"\n", 1)
    header = json.loads(header_line)
    # type() is int, not isinstance: JSON's true and false would pass as 1 and 0.
    if not (isinstance(header, dict) and type(header.get("format")) is int and header["format"] == INDEX_FORMAT
            and type(header.get("crc32")) is int and header["crc32"] == zlib.crc32(body)):
        raise ValueError("another format, or damaged")
    directory, generation = header.get("directory"), header.get("generation")
    if directory is not None and not (isinstance(directory, list) and len(directory) == 3
                                      and all(type(value) is int for value in directory)
                                      and (generation is None or isinstance(generation, str))):
        raise ValueError("a malformed stamp")
    stamp = None if directory is None else (*directory, generation)
    columns = json.loads(body)
    row_columns = (*TEXT_COLUMNS, *NUMBER_COLUMNS, "model")
    if not (isinstance(columns, dict) and all(isinstance(columns.get(name), list) for name in row_columns)
            and isinstance(columns.get("kept_aside"), list)):
        raise ValueError("a column is missing")
    files, kept_aside = columns["files"], columns["kept_aside"]
    if any(len(columns[name]) != len(files) for name in row_columns):
        raise ValueError("the columns differ in length")
    if not (all(set(map(type, columns[name])) <= {str} for name in (*TEXT_COLUMNS, "kept_aside"))
            and all(set(map(type, columns[name])) <= {int} for name in NUMBER_COLUMNS)
            and set(map(type, columns["model"])) <= {str, type(None)}):
        raise ValueError("a value of the wrong type")
    if files and (min(columns["revision"]) < 1 or min(columns["message_count"]) < 0):
        raise ValueError("a revision or message count out of range")
    names = "\n".join([*files, *kept_aside])
    if not (all(map(is_conversation_file_name, files)) and all(name.endswith(CORRUPT_SUFFIX) for name in kept_aside)
            and not any(character in names for character in PATH_CHARACTERS)):
        raise ValueError("a name that no directory scan finds")
    keys = zip(*(columns[name] for name in KEY_COLUMNS))
    entries = dict(zip(files, zip(keys, _summaries(columns))))
    if len(entries) != len(files):
        raise ValueError("a file listed twice")
    return Persisted(stamp, entries, kept_aside)


def _summaries(columns: dict[str, list[Any]]) -> list[ConversationSummary]:
    """A ConversationSummary for each row of the columns."""
    # As ConversationSummary(*fields) would make them (a frozen dataclass without __post_init__;
    # tests/test_store_index.py checks that), but in C: its __init__ makes six Python-level setattr
    # calls, which took a third of the time of loading 10,000 conversations.
    summaries = list(map(object.__new__, repeat(ConversationSummary, len(columns["files"]))))
    field_dicts = map(dict, map(zip, repeat(FIELDS), zip(*(columns[field] for field in FIELDS))))
    deque(map(object.__setattr__, summaries, repeat("__dict__"), field_dicts), maxlen=0)
    return summaries

