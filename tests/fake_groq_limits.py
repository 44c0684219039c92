"""Groq's rate limits for tests/fake_groq.py: rolling per-model windows of requests and tokens.

An admitted request reserves its prompt plus its whole answer budget at its arrival; once its answer
ends the reservation becomes what it really used, still dated at arrival (so a 429 can report "Used"
above the limit after long answers)."""

import math
from dataclasses import dataclass, field

from tests.fake_groq_rules import Refusal

ORGANIZATION = "org_01fakegroq"
UPGRADE = "Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing"
MINUTES_PER_DAY = 1440
UNLIMITED = 10**12  # still a plain integer in headers, which clients parse as int


@dataclass
class Limits:
    """One model's limits; the defaults are Groq's free tier for gpt-oss."""

    tokens_per_minute: int = 8000
    requests_per_minute: int = 30
    requests_per_day: int = 1000
    tokens_per_day: int = 200000
    minute_seconds: float = 60.0  # a test may shrink "a minute"; a day is always 1440 of them

    @classmethod
    def unlimited(cls) -> "Limits":
        return cls(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED)


@dataclass
class Charge:
    """One admitted request in a model's windows: when it arrived and the tokens it counts for."""

    at: float
    tokens: int


def go_duration(seconds: float) -> str:
    """A wait as Groq writes it (Go's time.Duration, to the millisecond): '665ms', '4.77s', '1m2.5s'."""
    ms = max(math.ceil(round(seconds * 1000, 6)), 0)
    if ms < 1000:
        return f"{ms}ms"
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    text = f"{ms / 1000:.3f}".rstrip("0").rstrip(".") + "s"
    if hours or minutes:
        text = f"{minutes}m{text}"
    return f"{hours}h{text}" if hours else text


def _tokens(charges: list[Charge]) -> int:
    return sum(c.tokens for c in charges)


@dataclass
class _Check:
    label: str  # e.g. "tokens per minute (TPM)"
    kind: str  # the error type: "tokens" or "requests"
    limit: int
    used: int
    requested: int
    window: float
    charges: list[Charge] = field(default_factory=list)

    def wait(self, now: float) -> float:
        """Seconds until enough of the window's charges, oldest first, expire for the request to fit."""
        excess, waited = self.used + self.requested - self.limit, 0.0
        for charge in self.charges:
            if excess <= 0:
                break
            excess -= charge.tokens if self.kind == "tokens" else 1
            waited = charge.at + self.window - now
        return waited if excess <= 0 else self.window  # larger than the whole window: a full window, say

    @property
    def exceeded(self) -> bool:
        return self.used + self.requested > self.limit

    def message(self, model: str, wait: float) -> str:
        return (f"Rate limit reached for model `{model}` in organization `{ORGANIZATION}` service tier `on_demand` "
                f"on {self.label}: Limit {self.limit}, Used {self.used}, Requested {self.requested}. "
                f"Please try again in {go_duration(wait)}. {UPGRADE}")


class RateLimiter:
    """Per-model rolling windows; callers hold the fake's lock."""

    def __init__(self) -> None:
        self.charges: dict[str, list[Charge]] = {}

    def _windows(self, model: str, limits: Limits, now: float) -> tuple[list[Charge], list[Charge]]:
        day = limits.minute_seconds * MINUTES_PER_DAY
        charges = self.charges.setdefault(model, [])
        charges[:] = [c for c in charges if c.at > now - day]
        return [c for c in charges if c.at > now - limits.minute_seconds], charges

    def minute(self, model: str, limits: Limits, now: float) -> list[Charge]:
        return self._windows(model, limits, now)[0]

    def admit(self, model: str, limits: Limits, requested: int, now: float) -> tuple[Charge, dict[str, str]]:
        """Reserve `requested` tokens for a new request, or raise the 413/429 Groq would send."""
        minute, day = self._windows(model, limits, now)
        if requested > limits.tokens_per_minute:
            raise Refusal(413, f"Request too large for model `{model}` in organization `{ORGANIZATION}` service tier "
                          f"`on_demand` on tokens per minute (TPM): Limit {limits.tokens_per_minute}, Requested "
                          f"{requested}, please reduce your message size and try again. {UPGRADE}",
                          code="rate_limit_exceeded", error_type="tokens",
                          headers=self.headers(model, limits, now))
        checks = [
            _Check("requests per minute (RPM)", "requests", limits.requests_per_minute, len(minute), 1,
                   limits.minute_seconds, minute),
            _Check("requests per day (RPD)", "requests", limits.requests_per_day, len(day), 1,
                   limits.minute_seconds * MINUTES_PER_DAY, day),
            _Check("tokens per minute (TPM)", "tokens", limits.tokens_per_minute, _tokens(minute), requested,
                   limits.minute_seconds, minute),
            _Check("tokens per day (TPD)", "tokens", limits.tokens_per_day, _tokens(day), requested,
                   limits.minute_seconds * MINUTES_PER_DAY, day),
        ]
        waits = [(check.wait(now), check) for check in checks if check.exceeded]
        if waits:
            # The longest wait is the first moment at which every limit lets the request through.
            wait, check = max(waits, key=lambda pair: pair[0])
            headers = self.headers(model, limits, now) | {"retry-after": str(max(math.ceil(wait), 1))}
            raise Refusal(429, check.message(model, wait), code="rate_limit_exceeded", error_type=check.kind,
                          headers=headers)
        charge = Charge(now, requested)
        self.charges[model].append(charge)
        return charge, self.headers(model, limits, now)

    def headers(self, model: str, limits: Limits, now: float) -> dict[str, str]:
        """Groq's x-ratelimit-* headers: requests per day, tokens per minute."""
        minute, day = self._windows(model, limits, now)
        day_seconds = limits.minute_seconds * MINUTES_PER_DAY
        # Reset: when the window has fully refilled, i.e. when its newest charge expires.
        reset_requests = day[-1].at + day_seconds - now if day else 0.0
        reset_tokens = minute[-1].at + limits.minute_seconds - now if minute else 0.0
        return {
            "x-ratelimit-limit-requests": str(limits.requests_per_day),
            "x-ratelimit-limit-tokens": str(limits.tokens_per_minute),
            "x-ratelimit-remaining-requests": str(max(limits.requests_per_day - len(day), 0)),
            "x-ratelimit-remaining-tokens": str(max(limits.tokens_per_minute - _tokens(minute), 0)),
            "x-ratelimit-reset-requests": go_duration(reset_requests),
            "x-ratelimit-reset-tokens": go_duration(reset_tokens),
        }

    def clear(self) -> None:
        self.charges.clear()
