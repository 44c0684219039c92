"""Searching saved conversations, for `models.conversation_store`: folding text so that case and
accents do not matter, and a per-file cache of what each conversation file can be searched for.

A conversation matches when every word of the query occurs somewhere in its name or messages.
A query word holds no whitespace, so any occurrence of it lies inside one whitespace-separated
word of the text: the cache keeps each file's distinct folded words once, newline-separated, as
UTF-8 (a fraction of the text; and a `str` holding one emoji would take four bytes per letter).
UTF-8 substrings match only whole characters, so `bytes` containment gives the same answers.
"""

from __future__ import annotations

import threading
import unicodedata
from typing import Callable, Generic, Iterable, TypeVar

from models.store_disk import StatKey
from models.store_format import UnreadableFile

Summary = TypeVar("Summary")


class _CombiningMarks(dict):
    """A `str.translate` table that deletes combining marks, filled in as characters turn up."""

    def __missing__(self, code: int) -> int | None:
        # Scanning all of Unicode up front would add a noticeable pause to importing this module.
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_DROP_COMBINING_MARKS = _CombiningMarks()


def fold(text: str) -> str:
    """Text as search compares it: compatibility forms decomposed, accents dropped, case folded."""
    if text.isascii():
        return text.lower()  # what the steps below give for ASCII, and most text is ASCII
    return unicodedata.normalize("NFKD", text).casefold().translate(_DROP_COMBINING_MARKS)


def query_words(query: str) -> list[bytes]:
    """The distinct folded words of a query as UTF-8, longest (likeliest to rule a file out) first."""
    return sorted({word.encode("utf-8") for word in fold(query).split()}, key=len, reverse=True)


def searchable_words(name: str, texts: Iterable[str]) -> bytes:
    """The distinct folded words of a conversation's name and message texts, one per line, as UTF-8."""
    return "\n".join(set(fold("\n".join([name, *texts])).split())).encode("utf-8")


class SearchCache(Generic[Summary]):
    """Each conversation file's searchable words, remembered until the file's stat key changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[StatKey, bytes | None]] = {}  # None: the file is damaged

    def matching(
        self, words: list[bytes], files: dict[str, tuple[StatKey, Summary]], read_words: Callable[[str], bytes],
    ) -> list[Summary]:
        """The summaries of the files holding every word; only files new or changed since last time are read."""
        with self._lock:
            known = self._entries  # replaced, never changed in place, so no copy is needed
        entries: dict[str, tuple[StatKey, bytes | None]] = {}
        found = []
        for file_name, (key, summary) in files.items():
            cached = known.get(file_name)
            if cached is not None and cached[0] == key:
                text = cached[1]
            else:
                try:
                    # A file replaced after the caller's stat is cached under the old key, so read again next time.
                    text = read_words(file_name)
                except FileNotFoundError:
                    continue  # deleted meanwhile
                except UnreadableFile:
                    text = None  # skipped: load() sets it aside and reports it
            entries[file_name] = (key, text)
            if text is not None and all(word in text for word in words):
                found.append(summary)
        with self._lock:
            self._entries = entries  # files gone since the last search are dropped here
        return found
