"""What one answer's stream is made of, as plain data: answer text arrives as `str`, and beside it
the model's reasoning, waits and the end. The controller batches these and the view draws them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reasoning:
    """A piece of the model's thinking, streamed before its answer."""

    text: str


@dataclass(frozen=True)
class Waiting:
    """Nothing has arrived yet. `seconds` counts down a wait for Groq's per-minute limit; None while
    the request is simply on its way."""

    seconds: int | None = None


@dataclass(frozen=True)
class Finished:
    """Groq ended the answer: why (`stop`, `length`), its usage, and history left out to fit."""

    finish_reason: str | None
    usage: dict | None = None
    dropped: int = 0


@dataclass(frozen=True)
class Failed:
    """The answer could not be had (raised to the reader)."""

    error: BaseException = field(compare=False)
