"""The chat models Groq offers, for the "Model" select box.

Plain Python and httpx only (no Streamlit, no LlamaIndex), so the view can hold one
`ModelCatalog` in `st.cache_resource` and tests can drive it with a fake clock.
The API key is only ever sent in the Authorization header: it is never put in a
message, a log line or the cache (which is keyed by the key's SHA-256).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

logger = logging.getLogger(__name__)

# Offered when the live list cannot be had. llama3-70b-8192 and llama-3.3-70b-versatile
# are decommissioned on Groq, so they must never come back here.
FALLBACK_MODELS: tuple[str, ...] = (
    "openai/gpt-oss-120b",
    "openai/gpt-oss-20b",
    "llama-3.1-8b-instant",
    "meta-llama/llama-4-maverick-17b-128e-instruct",
    "meta-llama/llama-4-scout-17b-16e-instruct",
    "qwen/qwen3-32b",
    "moonshotai/kimi-k2-instruct-0905",
)

# GET /models has no capability field, so speech, safety and embedding models are told
# apart by name, and tiny context windows (e.g. Whisper's 448) give the rest away.
_NOT_CHAT = re.compile(r"whisper|tts|orpheus|guard|embed|moderation|playai", re.IGNORECASE)
MIN_CONTEXT_WINDOW = 4096


class ModelListUnavailable(Exception):
    """Groq's model list could not be had; str() is a short reason that never holds the key."""


@dataclass(frozen=True)
class ModelChoice:
    """What the select box offers: the model ids, whether they came from Groq, and why not."""

    models: tuple[str, ...]
    live: bool
    problem: str | None = None


def is_chat_model(entry: dict) -> bool:
    """Whether one entry of GET /models is an active model one can chat with."""
    if not isinstance(entry, dict):
        return False
    model_id = entry.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        return False
    if entry.get("active") is False or _NOT_CHAT.search(model_id):
        return False
    window = entry.get("context_window")
    is_number = isinstance(window, (int, float)) and not isinstance(window, bool)
    return not is_number or window >= MIN_CONTEXT_WINDOW


def fetch_chat_models(api_base: str, api_key: str, timeout: float = 5.0) -> list[str]:
    """Ask Groq for its models and return the sorted ids of the chat models."""
    # A key httpx cannot put in a header would fail with an error that holds the key itself.
    if not api_key.isascii() or not api_key.isprintable():
        raise ModelListUnavailable("the API key contains characters that cannot be sent")
    url = f"{api_base.rstrip('/')}/models"
    reason = None
    # The reason is raised outside the except blocks: httpx errors keep the request, and so
    # the Authorization header, which must not ride along as the new error's __context__.
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {api_key}"}, timeout=timeout)
    except httpx.TimeoutException:
        reason = "Groq did not answer in time"
    except (httpx.HTTPError, httpx.InvalidURL):
        reason = "could not reach Groq"
    if reason is None:
        reason, data = _model_entries(response)
    if reason is not None:
        raise ModelListUnavailable(reason)
    models = sorted({entry["id"] for entry in data if is_chat_model(entry)})
    if not models:
        # An empty select box helps nobody; the built-in list is the better offer.
        raise ModelListUnavailable("Groq listed no chat models")
    return models


def _model_entries(response: httpx.Response) -> tuple[str | None, list]:
    """(problem, entries) of an answer to GET /models: a reason, or None and the `data` list."""
    if not response.is_success:
        return f"Groq answered {response.status_code}", []
    try:
        payload = response.json()
    except ValueError:  # not JSON, or not UTF-8
        payload = None
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        return "Groq's answer was not a model list", []
    return None, data


def _with_configured(models: tuple[str, ...] | list[str], configured_model: str) -> tuple[str, ...]:
    """`models` sorted, with the configured model first when the list does not have it."""
    ordered = tuple(sorted(set(models)))
    # The configured model must stay selectable even if Groq does not list it (yet).
    if configured_model and configured_model not in ordered:
        return (configured_model, *ordered)
    return ordered


@dataclass(frozen=True)
class _Entry:
    expires_at: float
    models: tuple[str, ...]
    problem: str | None


class ModelCatalog:
    """A thread-safe cache of Groq's chat models per (API base, key hash)."""

    def __init__(
        self,
        ttl_seconds: float = 600,
        failure_ttl_seconds: float = 60,
        fetch: Callable[[str, str], list[str]] = fetch_chat_models,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._ttl = ttl_seconds
        self._failure_ttl = failure_ttl_seconds
        self._fetch = fetch
        self._clock = clock
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._fetch_locks: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()

    def chat_models(self, api_base: str, api_key: str | None, configured_model: str) -> ModelChoice:
        """The models to offer: Groq's live list when it can be had, else the built-in one."""
        if not api_key:
            return ModelChoice(_with_configured(FALLBACK_MODELS, configured_model), False, "no API key yet")
        api_base = api_base.rstrip("/")
        cache_key = (api_base, hashlib.sha256(api_key.encode()).hexdigest())
        with self._lock:
            fetch_lock = self._fetch_locks.setdefault(cache_key, threading.Lock())
        # One fetch per (base, key) at a time: sessions rerunning together share its answer,
        # while other keys are not held up by a slow network.
        with fetch_lock:
            entry = self._fresh(cache_key)
            if entry is None:
                entry = self._load(api_base, api_key)
                with self._lock:
                    self._entries[cache_key] = entry
        if entry.problem is not None:
            return ModelChoice(_with_configured(FALLBACK_MODELS, configured_model), False, entry.problem)
        return ModelChoice(_with_configured(entry.models, configured_model), True, None)

    def _fresh(self, cache_key: tuple[str, str]) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(cache_key)
        return entry if entry is not None and self._clock() < entry.expires_at else None

    def _load(self, api_base: str, api_key: str) -> _Entry:
        try:
            models = tuple(self._fetch(api_base, api_key))
        except ModelListUnavailable as error:
            logger.warning("Groq's model list is unavailable: %s", error)
            # Failures are remembered too, so a down network does not cost a request per rerun.
            return _Entry(self._clock() + self._failure_ttl, (), str(error))
        return _Entry(self._clock() + self._ttl, models, None)
