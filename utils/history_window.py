"""Which newest messages fit the memory's token limit, counted once per message, not per turn.

LlamaIndex 0.12's `ChatMemoryBuffer.get()` drops old messages one at a time and tokenizes all
that is left after each drop: seconds per turn for a long conversation. `fitting_start` makes the
same choice from per-message counts that the caller caches, so the buffer is handed only what it
would have kept, and its trimming has nothing left to do.

The buffer counts `" ".join(contents)` in one go. That count is the sum of the parts: the first
message on its own, then each next one with the space that joins it, because the tokenizer never
merges text across a space that has non-space text on both sides. Where whitespace meets at a
join, the pair is counted together instead; a blank message is counted with the next message
(a "unit" below), since alone it would let the joins on either side of it interact.
No LlamaIndex here: the caller passes the tokenizer.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Sequence, Sized

# The buffer never lets the history it sends start with one of these (unless all of it fits).
NOT_FIRST = ("assistant", "tool")


class TokenCounter:
    """Counts as the buffer's tokenizer would, remembered per message text (keyed by the texts
    themselves, not copies) so that each message is tokenized once however many turns follow."""

    def __init__(self, tokenize: Callable[[str], Sized], size: int = 16384) -> None:
        self._tokenize = tokenize
        self.alone = lru_cache(size)(self._alone)
        self.join_cost = lru_cache(size)(self._join_cost)

    def _alone(self, text: str) -> int:
        return len(self._tokenize(text))

    def _join_cost(self, before: str, after: str) -> int:
        """Tokens that `after` adds when joined with a space to the end of `before`."""
        if before[-1:].isspace() or after[:1].isspace():
            return len(self._tokenize(f"{before} {after}")) - self.alone(before)
        return len(self._tokenize(f" {after}"))


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


def _joined(texts: Sequence[str], begin: int, end: int) -> str:
    # One message is passed as itself, so a cache keyed by text finds it again next turn.
    return texts[begin] if end - begin == 1 else " ".join(texts[begin:end])

