"""The bytes of the listing index's `listing.json` (`_listing_index`).

Line one is a JSON header: `{"format", "directory", "generation", "crc32"}`, the directory's part of
the stamp (null when the listing is not known to be valid), the generation and a CRC-32 of line
two. Line two is one JSON object of columns, newest first: `files`, the stat keys (`inodes`,
`mtimes`, `sizes`), the summary fields (FIELDS), and `kept_aside` (names of kept-aside files).
Columns rather than rows, as they are quicker to read, which is what a server start waits for.
Decoding checks the checksum and the shape (types, lengths, names a directory scan could find),
so that nothing from a damaged, truncated, older or foreign file reaches the store.
"""

from __future__ import annotations

import json
import os
import zlib
from collections import deque
from itertools import repeat
from typing import Any, NamedTuple

from models.store._files import CORRUPT_SUFFIX, StatKey
from models.store._format import is_conversation_file_name
from models.store._records import ConversationSummary

INDEX_FORMAT = 1
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


def encode(stamp: Stamp | None, entries: Entries, kept_aside: list[str]) -> bytes:
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


def decode(data: bytes) -> Persisted:
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
    keys = zip(*(columns[name] for name in KEY_COLUMNS), strict=True)
    entries = dict(zip(files, zip(keys, _summaries(columns), strict=True), strict=True))
    if len(entries) != len(files):
        raise ValueError("a file listed twice")
    return Persisted(stamp, entries, kept_aside)


def _summaries(columns: dict[str, list[Any]]) -> list[ConversationSummary]:
    """A ConversationSummary for each row of the columns."""
    # As ConversationSummary(*fields) would make them (a frozen dataclass without __post_init__;
    # tests/store/test_index.py checks that), but in C: its __init__ makes six Python-level setattr
    # calls, a large part of what a cold listing costs (B7, list cold).
    summaries = list(map(object.__new__, repeat(ConversationSummary, len(columns["files"]))))
    field_dicts = map(dict, map(zip, repeat(FIELDS), zip(*(columns[field] for field in FIELDS), strict=True)))
    deque(map(object.__setattr__, summaries, repeat("__dict__"), field_dicts), maxlen=0)
    return summaries

