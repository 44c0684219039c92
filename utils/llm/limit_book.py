"""What this server process has learned of each key's limits from Groq's answers, per model.

Kept in memory only, keyed by a hash of the API base and key: the key itself is never kept.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

from utils.llm.limit_messages import duration_seconds

# Groq's template adds tokens around each message and each request; these over-guess them.
PER_MESSAGE_TOKENS = 8
PER_REQUEST_TOKENS = 64
DEFAULT_RATIO = 1.15  # Groq's count over the local tokenizer's, until an answer's usage says otherwise


def key_id(api_base: str, api_key: str | None) -> str:
    """Who limits apply to: a hash of the API base and key (the key itself is never kept)."""
    return hashlib.sha256(f"{api_base}\n{api_key or ''}".encode()).hexdigest()[:24]


class LimitBook:
    """Per (key, model): the learned tokens-per-minute limit and Groq's count over the local estimate."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._limits: dict[tuple[str, str], int] = {}
        self._left: dict[tuple[str, str], tuple[int, float]] = {}  # tokens left this minute, until when
        self._ratios: dict[tuple[str, str], float] = {}
        self._json_not_streamed: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget everything learned (a test starts from what a new server process knows)."""
        with self._lock:
            self._limits.clear()
            self._left.clear()
            self._ratios.clear()
            self._json_not_streamed.clear()

    def refuses_json_streaming(self, key: str, model: str, learned: bool = False) -> bool:
        """Whether Groq refused to stream JSON mode for this key and model (`learned`: it just did)."""
        with self._lock:
            if learned:
                self._json_not_streamed.add((key, model))
            return (key, model) in self._json_not_streamed

    def learn_limit(self, key: str, model: str, limit: int) -> None:
        if limit > 0:
            with self._lock:
                self._limits[(key, model)] = limit

    def limit(self, key: str, model: str, assumed: int) -> int:
        with self._lock:
            return self._limits.get((key, model), assumed)

    def learn_headers(self, key: str, model: str, headers: Any) -> None:
        """The limit, what is left of it and when it is whole again, from an answer's x-ratelimit headers."""
        limit, left = headers.get("x-ratelimit-limit-tokens"), headers.get("x-ratelimit-remaining-tokens")
        if limit and limit.isdigit():
            self.learn_limit(key, model, int(limit))
        reset = duration_seconds(headers.get("x-ratelimit-reset-tokens"))
        if left and left.isdigit() and reset is not None:
            with self._lock:
                self._left[(key, model)] = (int(left), self._clock() + reset)

    def release(self, key: str, model: str, tokens: int) -> None:
        """An answer used `tokens` fewer than it reserved: they are free again."""
        with self._lock:
            left = self._left.get((key, model))
            if left and tokens > 0:
                self._left[(key, model)] = (left[0] + tokens, left[1])

    def available(self, key: str, model: str, limit: int) -> int:
        """Tokens this minute still has for the key: all of them once Groq's reset time has passed."""
        with self._lock:
            left = self._left.get((key, model))
        return limit if left is None or self._clock() >= left[1] else min(limit, left[0])

    def learn_prompt(self, key: str, model: str, raw_tokens: int, messages: int, actual: int) -> None:
        """Groq counted `actual` prompt tokens for what the tokenizer counts as `raw_tokens`."""
        if raw_tokens <= 0 or actual <= 0:
            return
        ratio = (actual - PER_MESSAGE_TOKENS * messages - PER_REQUEST_TOKENS) / raw_tokens
        with self._lock:
            self._ratios[(key, model)] = min(3.0, max(1.0, ratio))

    def ratio(self, key: str, model: str) -> float:
        with self._lock:
            return self._ratios.get((key, model), DEFAULT_RATIO)


LIMITS = LimitBook()
