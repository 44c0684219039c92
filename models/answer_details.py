"""How an assistant answer was produced: the model, token usage, timing and how it ended.

`AnswerDetails` rides on a `Message` (its `details`), is saved with it in the JSON store, and
gives the small caption line shown under an answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

TOKEN_FIELDS = ("prompt_tokens", "completion_tokens", "omitted_messages")
NUMBER_FIELDS = ("seconds", "tokens_per_second", "thinking_seconds")
FLAG_FIELDS = ("stopped", "json_mode", "cut_at_limit", "cut_off")
SEPARATOR = " · "


@dataclass(frozen=True)
class AnswerDetails:
    """The model, usage and timing behind one assistant answer, and whether it was cut short."""

    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    # Groq's usage total_time when it sends one, else the wall clock the app measured.
    seconds: float | None = None
    tokens_per_second: float | None = None
    # The person stopped the answer (or the page reran) before it finished.
    stopped: bool = False
    # The answer was asked for as a JSON object.
    json_mode: bool = False
    # How long a reasoning model thought before it began to answer.
    thinking_seconds: float | None = None
    # Older messages this answer's request left out to fit the key's limits (said once per chat).
    omitted_messages: int | None = None
    # Groq ended the answer at Max answer tokens (finish_reason "length").
    cut_at_limit: bool = False
    # The stream ended before Groq's end marker: what arrived is not a finished answer.
    cut_off: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.model, str):
            raise ValueError("answer details model must be text")
        for name in (*TOKEN_FIELDS, *NUMBER_FIELDS):
            value = getattr(self, name)
            if value is not None and not _is_count(value, whole=name in TOKEN_FIELDS):
                kind = "whole number" if name in TOKEN_FIELDS else "number"
                raise ValueError(f"answer details {name} must be a non-negative {kind}")
        for name in FLAG_FIELDS:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"answer details {name} must be true or false")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: "model" always, other fields only when set, to keep saved files small."""
        data: dict[str, Any] = {"model": self.model}
        for field in fields(self)[1:]:
            value = getattr(self, field.name)
            if value is not None and value is not False:
                data[field.name] = value
        return data

    @classmethod
    def from_dict(cls, data: Any) -> AnswerDetails:
        """Build AnswerDetails from their JSON form; ValueError names what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("answer details must be a JSON object")
        if "model" not in data:
            raise ValueError("answer details lack a model")
        # Unknown keys are ignored so a file written by a newer version still opens.
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})

    def caption(self) -> str:
        """The plain-text line shown under an answer, leaving out whatever is not known."""
        parts = (["Stopped"] if self.stopped else ["Cut off"] if self.cut_off
                 else ["Cut at Max answer tokens"] if self.cut_at_limit else [])
        parts.append(self.model)
        if self.json_mode:
            parts.append("JSON")
        if self.prompt_tokens is not None and self.completion_tokens is not None:
            parts.append(f"{self.prompt_tokens:,} → {self.completion_tokens:,} tokens")
        elif self.completion_tokens is not None:
            parts.append(f"{self.completion_tokens:,} tokens")
        elif self.prompt_tokens is not None:
            parts.append(f"{self.prompt_tokens:,} prompt tokens")
        if self.seconds is not None:
            # Hundredths matter for Groq's sub-second answers, not once an answer takes a while.
            decimals = 2 if round(self.seconds, 2) < 10 else 1
            parts.append(f"{self.seconds:.{decimals}f} s")
        if self.tokens_per_second is not None:
            parts.append(f"{self.tokens_per_second:,.0f} tokens/s")
        return SEPARATOR.join(part for part in parts if part)


def _is_count(value: Any, *, whole: bool) -> bool:
    """True for a finite number >= 0 (a whole one if `whole`); bool is not a number here."""
    allowed = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, allowed):
        return False
    return math.isfinite(value) and value >= 0
