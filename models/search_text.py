"""How search reads text: folded so that case and accents do not matter, split into words at
whitespace, as UTF-8 (see `models.store_search` for why bytes)."""

from __future__ import annotations

import unicodedata
from typing import Iterable


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
