"""Searching saved conversations: how text is folded (case and accents do not matter) and split
into words, and an index of the words of every conversation file, kept current by stat key.

A conversation matches when every word of the query occurs somewhere in its name or messages. The
index keeps the vocabulary (each distinct folded token of all files, once) and, per token, the
files holding it, so a query word is looked for in the vocabulary rather than in every file's text.
Why bytes, and how it stays exact and quick: docs/STORE.md, "Search".
"""

from __future__ import annotations

import threading
import unicodedata
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, repeat
from typing import Generic, TypeVar

from models.store._files import StatKey
from models.store._format import UnreadableFile

Summary = TypeVar("Summary")
# Looking one token up in a set costs about as much as marking one slot from a posting.
LOOKUP_COST = 1.0
# Streamlit reruns a page on every click, searching again for the same words: remember the
# files of this many words until the index changes.
REMEMBERED_WORDS = 64


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
    """The distinct folded words of a query as UTF-8, longest (likeliest to rule files out) first."""
    return sorted({word.encode("utf-8") for word in fold(query).split()}, key=len, reverse=True)


def searchable_tokens(name: str, texts: Iterable[str]) -> set[bytes]:
    """The distinct folded tokens of a conversation's name and message texts, as UTF-8."""
    return set(fold("\n".join([name, *texts])).encode("utf-8").split())


class SearchIndex(Generic[Summary]):
    """The tokens of every conversation file and the files holding each token, kept current by stat key."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # one search at a time brings the index up to date and reads it
        self._files: dict[str, tuple[StatKey, int | None]] = {}  # file name -> (stat key, slot; None: damaged)
        self._slot_files: list[str | None] = []  # slot -> the file indexed there
        self._slot_tokens: list[array | None] = []  # slot -> ids of the file's tokens, to unindex it
        self._free_slots: list[int] = []
        self._token_ids: dict[bytes, int] = {}
        self._tokens: list[bytes] = []  # id -> token (b"" while the id is free)
        self._postings: list[array] = []  # id -> the slots of the files holding the token
        self._pairs = 0  # the length of all postings together
        self._free_ids: list[int] = []
        self._vocabulary = b""  # "\n".join(self._tokens), rebuilt when tokens come or go
        self._starts: list[int] = []  # id -> where its token starts in the vocabulary
        self._vocabulary_stale = False
        self._remembered: dict[bytes, int] = {}  # query word -> its slot marks, until the index changes
        self._version: int | None = None  # the version of the scan the index was last brought up to

    def matching(
        self, words: list[bytes], files: dict[str, tuple[StatKey, Summary]], version: int,
        read_tokens: Callable[[str], set[bytes]],
    ) -> list[Summary]:
        """The summaries of the files (scan `version`) in which every one of (at least one) words occurs."""
        with self._lock:
            self.refresh(files, version, read_tokens)
            found = self._slots_with(words[0])
            for word in words[1:]:
                if not found:
                    break
                found &= self._slots_with(word)
            marks = found.to_bytes(len(self._slot_files), "little")
            return [files[self._slot_files[slot]][1] for slot in _marked(marks)]  # type: ignore[index]

    def refresh(
        self, files: dict[str, tuple[StatKey, Summary]], version: int, read_tokens: Callable[[str], set[bytes]],
    ) -> None:
        """Index the files of scan `version` now, so that the next search reads nothing."""
        with self._lock:
            if version != self._version:  # else the files and their stat keys are as last time
                self._update(files, read_tokens)
                self._version = version

    def _update(self, files: dict[str, tuple[StatKey, Summary]], read_tokens: Callable[[str], set[bytes]]) -> None:
        """Index the files new or changed since the last search and unindex those gone or changed."""
        for file_name in [file_name for file_name in self._files if file_name not in files]:
            self._unindex(file_name)
        for file_name, (key, _) in files.items():
            known = self._files.get(file_name)
            if known is not None and known[0] == key:
                continue
            if known is not None:
                self._unindex(file_name)
            try:
                # A file replaced after the caller's stat is indexed under the old key, so read again next time.
                tokens = read_tokens(file_name)
            except FileNotFoundError:
                continue  # deleted meanwhile
            except UnreadableFile:
                self._files[file_name] = (key, None)  # skipped until it changes: load() sets it aside
                continue
            self._index(file_name, key, tokens)

    def _index(self, file_name: str, key: StatKey, tokens: set[bytes]) -> None:
        """Record a file's tokens in a free slot."""
        if not self._free_slots:
            self._free_slots.append(len(self._slot_files))
            self._slot_files.append(None)
            self._slot_tokens.append(None)
        slot = self._free_slots.pop()
        for token in tokens.difference(self._token_ids):  # iterates `tokens`, not the whole vocabulary
            self._add_token(token)
        ids = array("I", map(self._token_ids.__getitem__, tokens))
        _consume(map(array.append, map(self._postings.__getitem__, ids), repeat(slot)))
        self._pairs += len(ids)
        self._files[file_name] = (key, slot)
        self._slot_files[slot] = file_name
        self._slot_tokens[slot] = ids
        self._remembered.clear()

    def _unindex(self, file_name: str) -> None:
        """Forget a file's tokens, and the tokens no other file holds."""
        slot = self._files.pop(file_name)[1]
        if slot is None:
            return
        ids = self._slot_tokens[slot] or array("I")
        self._pairs -= len(ids)
        for token_id in ids:
            posting = self._postings[token_id]
            posting.remove(slot)
            if not posting:
                self._drop_token(token_id)
        self._slot_files[slot] = None
        self._slot_tokens[slot] = None
        self._free_slots.append(slot)
        self._remembered.clear()

    def _add_token(self, token: bytes) -> None:
        """Give a new token an id, with no files yet."""
        if self._free_ids:
            token_id = self._free_ids.pop()
            self._tokens[token_id] = token
        else:
            token_id = len(self._tokens)
            self._tokens.append(token)
            self._postings.append(array("I"))
        self._token_ids[token] = token_id
        self._vocabulary_stale = True

    def _drop_token(self, token_id: int) -> None:
        """Free the id of a token no file holds any more (its posting is already empty)."""
        del self._token_ids[self._tokens[token_id]]
        self._tokens[token_id] = b""
        self._free_ids.append(token_id)
        self._vocabulary_stale = True

    def _slots_with(self, word: bytes) -> int:
        """The slots whose files hold a token in which `word` occurs: byte i of the int is 1 for slot i."""
        if word not in self._remembered:
            if len(self._remembered) >= REMEMBERED_WORDS:
                self._remembered.clear()
            self._remembered[word] = int.from_bytes(self._mark_slots_with(word), "little")
        return self._remembered[word]

    def _mark_slots_with(self, word: bytes) -> bytearray:
        """One byte per slot, 1 where the file holds a token in which `word` occurs."""
        ids = self._ids_of_tokens_with(word)
        # The commonest tokens first: they mark most files, and once few files are left unmarked,
        # looking through those files' tokens is cheaper than going through the other postings
        # (this is what keeps a short word such as "mi", found in thousands of tokens, quick).
        postings = sorted(map(self._postings.__getitem__, ids), key=len, reverse=True)
        marks = bytearray(len(self._slot_files))
        indexed = len(self._slot_files) - len(self._free_slots)
        tokens_per_file = self._pairs / indexed if indexed else 0
        left = sum(map(len, postings))
        since_count = 0
        for posting in postings:
            _consume(map(marks.__setitem__, posting, repeat(1)))
            left -= len(posting)
            since_count += len(posting)
            if left and since_count * 8 >= len(marks):  # counting costs a pass over the marks: not too often
                since_count = 0
                if (indexed - marks.count(1)) * tokens_per_file * LOOKUP_COST < left:
                    self._mark_files_holding(set(ids), marks)
                    break
        return marks

    def _ids_of_tokens_with(self, word: bytes) -> list[int]:
        """The ids of the tokens in which `word` occurs, found in the vocabulary."""
        if self._vocabulary_stale:
            self._vocabulary = b"\n".join(self._tokens)
            self._starts = list(accumulate((len(token) + 1 for token in self._tokens[:-1]), initial=0))
            self._vocabulary_stale = False
        ids = []
        position = self._vocabulary.find(word)
        while position != -1:
            token_id = bisect_right(self._starts, position) - 1
            ids.append(token_id)
            position = self._vocabulary.find(word, self._starts[token_id] + len(self._tokens[token_id]) + 1)
        return ids

    def _mark_files_holding(self, ids: set[int], marks: bytearray) -> None:
        """Mark each unmarked slot whose file holds one of the tokens `ids`."""
        slot = marks.find(0)
        while slot != -1:
            tokens = self._slot_tokens[slot]
            if tokens is not None and not ids.isdisjoint(tokens):
                marks[slot] = 1
            slot = marks.find(0, slot + 1)


def _consume(iterator: Iterator[object]) -> None:
    """Run an iterator to its end in C, keeping nothing (the itertools "consume" recipe)."""
    deque(iterator, maxlen=0)


def _marked(marks: bytes) -> list[int]:
    """The positions of the bytes that are 1."""
    positions = []
    position = marks.find(1)
    while position != -1:
        positions.append(position)
        position = marks.find(1, position + 1)
    return positions
