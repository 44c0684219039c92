"""An answer's events gathered into batches for the view to draw."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from utils.llm import Reasoning

# Each batch costs the browser a redraw of what changed and a scroll to follow it, whatever its size
# (the answer streams in blocks), so pieces are gathered for 40 ms while the answer is short and for
# longer as it grows, up to 0.3 s: a long answer keeps the browser's share of a core bounded (B10)
# while a short one still streams word by word (B3). Streamlit's browser side draws the whole app again
# (~300 React components) for each batch, whatever it brings, so the pace reaches 0.3 s at 6,000
# characters (half a second of fast thinking) rather than 15,000: B10-thinking's first second then
# costs 9 batches instead of 14.
BATCH_SECONDS = 0.04
BATCH_SECONDS_PER_CHARACTER = 5e-5
LONGEST_BATCH_SECONDS = 0.3


def batch_seconds(length: int, shortest: float = BATCH_SECONDS) -> float:
    """How long to gather pieces once `length` characters have been handed on (0: never gather)."""
    if shortest <= 0:
        return 0.0
    return max(shortest, min(LONGEST_BATCH_SECONDS, length * BATCH_SECONDS_PER_CHARACTER))


def in_batches(events: Iterable[Any], seconds: float = BATCH_SECONDS,
               clock: Callable[[], float] = time.monotonic) -> Iterator[Any]:
    """Answer text (and, apart, reasoning) joined into batches: the first at once, then whatever came
    in since the last, at least `seconds` later and longer as the text (thinking and answer) grows
    (`batch_seconds`).
    A `Waiting` (or a tool step) is handed on at once, after what was gathered."""
    pending: list[str] = []
    kind: type = str
    last_yield, handed_on = None, 0

    def batch() -> Any:
        text = "".join(pending)
        pending.clear()
        return text if kind is str else Reasoning(text)

    for event in events:
        if not isinstance(event, (str, Reasoning)):  # a Waiting or a tool step: handed on at once
            if pending:
                yield batch()
            yield event
            continue
        this, text = (str, event) if isinstance(event, str) else (Reasoning, event.text)
        if this is not kind:  # the answer after the thinking: its first piece at once, at the same pace
            if pending:
                yield batch()
            kind, last_yield = this, None
        pending.append(text)
        if last_yield is None or clock() - last_yield >= batch_seconds(handed_on, seconds):
            handed_on += sum(map(len, pending))
            yield batch()
            last_yield = clock()  # from when the reader came back for more: a slow reader gets bigger batches
    if pending:
        yield batch()
