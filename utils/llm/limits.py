"""How much one request may ask of Groq: its answer budget and how much history it carries.

Groq admits a request only when its prompt plus the answer budget it names fits the key's
tokens-per-minute limit (else HTTP 413), and the context window. The limit differs per key,
tier and model, so it is learned from Groq's `x-ratelimit-limit-tokens` header and from a 413's
"Limit N", per server process, keyed by a hash of the key; until then the configured
`GROQ_TOKENS_PER_MINUTE` (the free tier's) is assumed. Prompts are estimated with LlamaIndex's
tokenizer, scaled by how Groq's own counts compared on the last answer. No LlamaIndex here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from settings import Settings
from utils.llm.catalog import CATALOG
from utils.llm.limit_book import DEFAULT_RATIO, LIMITS, PER_MESSAGE_TOKENS, PER_REQUEST_TOKENS, key_id

MARGIN = 0.05  # of the limit, for estimates that still fall short
SMALLEST_BUDGET = 256  # an answer budget below this is not worth sending
HISTORY_SHARE = 0.75  # of what fits, history may take this much; the rest is kept for the answer


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
        # The new message, with the user message just before it that carries its files (utils/llm/attachments.py):
        # never dropped as history, which alternates questions and answers.
        kept = 2 if len(messages) - first >= 2 and messages[-2].get("role") == "user" else 1
        dropped = 0

        def estimate() -> int:
            return math.ceil(self.estimate(sum(raw), len(messages)) * scale)

        while estimate() + self.answer_room > self.ceiling and first < len(messages) - kept:
            del messages[first], raw[first]
            dropped += 1
            # A history never starts with an answer: drop up to the next question.
            while first < len(messages) - kept and messages[first].get("role") not in ("user",):
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
