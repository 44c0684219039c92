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
from dataclasses import dataclass, field
from typing import Callable, Sequence

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
_TRY_AGAIN = re.compile(r"try again in (?:(\d+)m)?([\d.]+)s")


def key_id(api_base: str, api_key: str | None) -> str:
    """Who limits apply to: a hash of the API base and key (the key itself is never kept)."""
    return hashlib.sha256(f"{api_base}\n{api_key or ''}".encode()).hexdigest()[:24]


def too_large(message: str) -> tuple[int, int] | None:
    """(limit, requested) from a 413's "Limit 8000, Requested 8243", or None."""
    match = _TOO_LARGE.search(message or "")
    return (int(match[1]), int(match[2])) if match else None


def retry_seconds(retry_after: str | None, message: str) -> float | None:
    """When Groq says to retry: its retry-after header, else the time in its message ("1m2.5s")."""
    try:
        if retry_after:
            return float(retry_after)
    except ValueError:
        pass
    match = _TRY_AGAIN.search(message or "")
    return int(match[1] or 0) * 60 + float(match[2]) if match else None


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

    def __init__(self) -> None:
        self._limits: dict[tuple[str, str], int] = {}
        self._ratios: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def learn_limit(self, key: str, model: str, limit: int) -> None:
        if limit > 0:
            with self._lock:
                self._limits[(key, model)] = limit

    def limit(self, key: str, model: str, assumed: int) -> int:
        with self._lock:
            return self._limits.get((key, model), assumed)

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
        return Allowance(
            tokens_per_minute=LIMITS.limit(self.key, model, self.assumed_tokens_per_minute),
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
        """How many tokenizer tokens of history fit beside `raw_fixed` tokens of system prompt and message."""
        free = self.ceiling - self.answer_room - self.estimate(raw_fixed, fixed_messages)
        return max(0, int(free / (self.ratio + PER_MESSAGE_TOKENS / 20)))  # ~20 tokens a message at least

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
        return Fit(messages, budget, dropped, prompt)
