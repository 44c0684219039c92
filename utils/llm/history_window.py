"""Which newest messages fit the memory's token limit, counted once per message, not per turn.

LlamaIndex 0.12's `ChatMemoryBuffer.get()` drops old messages one at a time and tokenizes all
that is left after each drop: seconds per turn for a long conversation. `fitting_start` makes the
same choice from per-message counts that the caller caches, so the buffer is handed only what it
would have kept, and its trimming has nothing left to do.

The buffer counts `" ".join(contents)` in one go. That count is a sum of parts, because the
tokenizer never merges text across a space that has non-space text on both sides: each message
is counted once on its own, and each join only for the few words around it, up to the nearest
such space on either side. A blank message is counted with the next message (a "unit" below),
since alone it would let the joins on either side of it meet.
No LlamaIndex here: the caller passes the tokenizer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Sized
from functools import lru_cache

# The buffer never lets the history it sends start with one of these (unless all of it fits).
NOT_FIRST = ("assistant", "tool")


class TokenCounter:
    """Counts as the buffer's tokenizer would, remembered per message text (keyed by the texts
    themselves, not copies) so that each message is tokenized once however many turns follow."""

    def __init__(self, tokenize: Callable[[str], Sized], size: int = 16384) -> None:
        self._tokenize = tokenize
        self.alone = lru_cache(size)(self._count)
        self.join_cost = lru_cache(size)(self._join_cost)

    def _count(self, text: str) -> int:
        return len(self._tokenize(text))

    def _join_cost(self, before: str, after: str) -> int:
        """Tokens that `after` adds when joined with a space to the end of `before`."""
        tail, head = before[_last_split(before):], after[:_first_split(after)]
        return self.alone(after) + self._count(f"{tail} {head}") - self._count(tail) - self._count(head)


def fitting_start(texts: Sequence[str], roles: Sequence[str], limit: int, counter: TokenCounter) -> tuple[int, int]:
    """Where the suffix `ChatMemoryBuffer.get()` would keep begins, and its token count.

    `texts[start:]` is what the buffer sends; `start == len(texts)` when nothing fits. Only the
    newest messages up to the first that cannot fit are counted, so a long history costs what
    is kept, not what is stored.
    """
    spans = _units(texts)
    candidates = []  # (index, end of its unit, tokens after its unit), newest first
    after = 0
    for unit in range(len(spans) - 1, -1, -1):
        if after > limit:  # what follows this unit is too long already: nothing older fits
            break
        begin, end = spans[unit]
        candidates += [(index, end, after) for index in range(end - 1, begin - 1, -1)]
        if unit:
            after += counter.join_cost(_joined(texts, *spans[unit - 1]), _joined(texts, begin, end))
    candidates.reverse()

    def tokens(position: int) -> int:
        index, end, following = candidates[position]
        return counter.alone(_joined(texts, index, end)) + following

    # Fewer messages never count more tokens, so the first that fits is found by bisection;
    # from there the buffer moves on past answers (a history never starts with one).
    low, high = 0, len(candidates)
    while low < high:
        middle = (low + high) // 2
        if tokens(middle) <= limit:
            high = middle
        else:
            low = middle + 1
    for position in range(low, len(candidates)):
        index = candidates[position][0]
        if index == 0 or roles[index] not in NOT_FIRST:
            return index, tokens(position)
    return len(texts), 0


def _blank(text: str) -> bool:
    return not text or text.isspace()


def _units(texts: Sequence[str]) -> list[tuple[int, int]]:
    """[begin, end) spans: any blank messages, then one that is not; trailing blanks join the last."""
    spans, begin = [], 0
    for index, text in enumerate(texts):
        if not _blank(text):
            spans.append((begin, index + 1))
            begin = index + 1
    if begin < len(texts):
        spans[-1:] = [(spans[-1][0] if spans else 0, len(texts))]
    return spans


def _is_split(text: str, index: int) -> bool:
    """True when the tokenizer never merges across `index`: a space with non-space on both sides."""
    return 0 < index < len(text) - 1 and not text[index - 1].isspace() and not text[index + 1].isspace()


def _last_split(text: str) -> int:
    index = text.rfind(" ")
    while index > 0 and not _is_split(text, index):
        index = text.rfind(" ", 0, index)
    return max(index, 0)


def _first_split(text: str) -> int:
    index = text.find(" ", 1)
    while index != -1 and not _is_split(text, index):
        index = text.find(" ", index + 1)
    return len(text) if index == -1 else index


def _joined(texts: Sequence[str], begin: int, end: int) -> str:
    # One message is passed as itself, so a cache keyed by text finds it again next turn.
    return texts[begin] if end - begin == 1 else " ".join(texts[begin:end])

