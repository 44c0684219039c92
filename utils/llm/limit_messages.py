"""What Groq's error answers say: their message and code, a 413's and a 429's numbers, and the reset
headers' durations."""

from __future__ import annotations

import re
from typing import Any

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


def _error_object(error: Any) -> dict:
    """The `error` object of an SDK status error's JSON body ({} when there is none)."""
    body = error.body if isinstance(error.body, dict) else {}
    inner = body.get("error", body)
    return inner if isinstance(inner, dict) else {}


def error_message(error: Any) -> str:
    """Groq's own message in an SDK status error (else the SDK's)."""
    return str(_error_object(error).get("message") or error.message)


def error_code(error: Any) -> str | None:
    """Groq's error code (`model_decommissioned`, `json_validate_failed`, …), if it sent one."""
    return _error_object(error).get("code")
