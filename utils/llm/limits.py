"""How much one request may ask of Groq: its answer budget and how much history it carries.

Groq admits a request only when its prompt plus the answer budget it names fits the key's
tokens-per-minute limit (else HTTP 413), and the context window. The limit differs per key,
tier and model, so it is learned from Groq's `x-ratelimit-limit-tokens` header and from a 413's
"Limit N", per server process, keyed by a hash of the key; until then the configured
`GROQ_TOKENS_PER_MINUTE` (the free tier's) is assumed. Prompts are estimated with LlamaIndex's
tokenizer, scaled by how Groq's own counts compared on the last answer. No LlamaIndex here.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from settings import Settings
from utils.llm.catalog import CATALOG

# Groq's template adds tokens around each message and each request; these over-guess them.
PER_MESSAGE_TOKENS = 8
PER_REQUEST_TOKENS = 64
DEFAULT_RATIO = 1.15  # Groq's count over the local tokenizer's, until an answer's usage says otherwise
MARGIN = 0.05  # of the limit, for estimates that still fall short
SMALLEST_BUDGET = 256  # an answer budget below this is not worth sending
HISTORY_SHARE = 0.75  # of what fits, history may take this much; the rest is kept for the answer

_TOO_LARGE = re.compile(r"Limit (\d+), Requested (\d+)")
_MINUTE_USED = re.compile(r"tokens per minute \(TPM\): Limit (\d+), Used (\d+)")
_TRY_AGAIN = re.compile(r"try again in (?:(\d+)m)?([\d.]+)s")
_DURATION_PART = re.compile(r"([\d.]+)(h|ms|m|s)")
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def duration_seconds(text: str | None) -> float | None:
    """Seconds in a Go-style duration as Groq's reset headers write them ("7.66s", "2m59.56s", "665ms")."""
    parts = _DURATION_PART.findall(text or "")
    try:
        return sum(float(number) * _SECONDS[unit] for number, unit in parts) if parts else None
    except ValueError:
        return None


def key_id(api_base: str, api_key: str | None) -> str:
    """Who limits apply to: a hash of the API base and key (the key itself is never kept)."""
    return hashlib.sha256(f"{api_base}\n{api_key or ''}".encode()).hexdigest()[:24]


def too_large(message: str) -> tuple[int, int] | None:
    """(limit, requested) from a 413's "Limit 8000, Requested 8243", or None."""
    match = _TOO_LARGE.search(message or "")
    return (int(match[1]), int(match[2])) if match else None


def retry_seconds(retry_after: str | None, message: str) -> float | None:
    """When Groq says to retry: the time in its message ("try again in 1m2.5s"), which is exact, else
    its retry-after header (whole seconds)."""
    match = _TRY_AGAIN.search(message or "")
    if match:
        return int(match[1] or 0) * 60 + float(match[2])
    try:
        return float(retry_after) if retry_after else None
    except ValueError:
        return None


def minute_left(message: str) -> int | None:
    """Tokens left this minute, from a 429's "tokens per minute (TPM): Limit 8000, Used 5034", or None."""
    match = _MINUTE_USED.search(message or "")
    return max(0, int(match[1]) - int(match[2])) if match else None


@dataclass(frozen=True)
class Fit:
    """What one request sends: the messages (oldest history dropped if need be) and its answer budget."""

    messages: list
    budget: int
    dropped: int  # history messages left out to fit
    estimate: int  # the prompt's estimated tokens


class RequestTooLong(Exception):
    """The newest message alone does not fit the key's limit with room for an answer."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


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


@dataclass(frozen=True)
class RequestContext:
    """What fitting a request needs to know from the settings."""

    api_base: str
    api_key: str | None = field(repr=False)
    key: str  # the key's hash, for the limits learned from Groq
    assumed_tokens_per_minute: int
    context_window: int  # when Groq's model list does not say
    longest_wait: float  # seconds of a rate-limit wait that are waited out; longer ones are reported

    @classmethod
    def from_settings(cls, settings: Settings) -> RequestContext:
        return cls(settings.groq_api_base, settings.groq_api_key, key_id(settings.groq_api_base, settings.groq_api_key),
                   settings.tokens_per_minute, settings.context_window, settings.rate_limit_wait)

    def allowance(self, model: str, wanted: int) -> Allowance:
        """The numbers a request to `model` asking for `wanted` answer tokens is fitted to."""
        info = CATALOG.info(self.api_base, self.api_key, model)
        limit = LIMITS.limit(self.key, model, self.assumed_tokens_per_minute)
        return Allowance(
            tokens_per_minute=limit,
            available=LIMITS.available(self.key, model, limit),
            context_window=info.context_window or self.context_window,
            answer_max=info.max_completion_tokens or wanted,
            wanted=wanted,
            ratio=LIMITS.ratio(self.key, model),
        )


@dataclass(frozen=True)
class Allowance:
    """The numbers one request is fitted to."""

    tokens_per_minute: int
    context_window: int
    answer_max: int  # the model's own answer maximum
    wanted: int  # the person's Max answer tokens
    ratio: float = DEFAULT_RATIO
    available: int | None = None  # what this minute still has, when Groq's headers said

    @property
    def ceiling(self) -> int:
        """The most prompt + budget may ask for."""
        return min(self.context_window, int(self.tokens_per_minute * (1 - MARGIN)))

    @property
    def answer_room(self) -> int:
        """The answer budget kept free before any history is sent."""
        return max(SMALLEST_BUDGET, min(self.wanted, self.answer_max, int(self.ceiling * (1 - HISTORY_SHARE))))

    def estimate(self, raw_tokens: int, messages: int) -> int:
        return math.ceil(raw_tokens * self.ratio) + PER_MESSAGE_TOKENS * messages + PER_REQUEST_TOKENS

    def history_tokens(self, raw_fixed: int, fixed_messages: int) -> int:
        """How many tokenizer tokens of history fit the per-minute limit beside `raw_fixed` tokens of
        system prompt and message (the context window is the caller's to apply, in the same tokens)."""
        ceiling = int(self.tokens_per_minute * (1 - MARGIN))
        free = ceiling - self.answer_room - self.estimate(raw_fixed, fixed_messages)
        return max(0, int(free / self.ratio))

    def fit(self, messages: Sequence[dict], count: Callable[[dict], int], exact_prompt: int | None = None) -> Fit:
        """Drop the oldest history until prompt + an answer fit, then give the answer what is left.

        `messages` is the request's list: system prompt(s) first, the new message last. With
        `exact_prompt` (Groq's own count, from a 413) the estimate is scaled to match it.
        """
        messages = list(messages)
        raw = [count(message) for message in messages]
        scale = 1.0
        if exact_prompt:
            scale = max(1.0, exact_prompt / max(1, self.estimate(sum(raw), len(messages))))
        first = next((i for i, m in enumerate(messages) if m.get("role") != "system"), len(messages) - 1)
        dropped = 0

        def estimate() -> int:
            return math.ceil(self.estimate(sum(raw), len(messages)) * scale)

        while estimate() + self.answer_room > self.ceiling and first < len(messages) - 1:
            del messages[first], raw[first]
            dropped += 1
            # A history never starts with an answer: drop up to the next question.
            while first < len(messages) - 1 and messages[first].get("role") not in ("user",):
                del messages[first], raw[first]
                dropped += 1
        prompt = estimate()
        budget = min(self.wanted, self.answer_max, self.ceiling - prompt)
        if budget < min(self.wanted, SMALLEST_BUDGET):
            raise RequestTooLong(self.tokens_per_minute)
        if self.available is not None:
            # A busy minute gets a smaller budget, down to the answer's room; past that, Groq says
            # how long to wait (429) and the wait is counted down.
            spare = self.available - int(self.tokens_per_minute * MARGIN) - prompt
            budget = min(budget, max(spare, self.answer_room))
        return Fit(messages, budget, dropped, prompt)
