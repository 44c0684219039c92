"""The chat models Groq offers, for the "Model" select box, with each one's context window and
answer maximum for fitting requests.

Plain Python and httpx only (no Streamlit, no LlamaIndex): one process-wide `CATALOG` serves the
view and the requests, and tests drive their own `ModelCatalog` with a fake clock.
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

from utils.llm.traits import DEFAULT_MODEL, FALLBACK_MODELS, GONE

logger = logging.getLogger(__name__)


# GET /models has no capability field, so speech, safety and embedding models are told
# apart by name, and tiny context windows (e.g. Whisper's 448) give the rest away.
_NOT_CHAT = re.compile(r"whisper|tts|orpheus|guard|embed|moderation|playai", re.IGNORECASE)
MIN_CONTEXT_WINDOW = 4096


class ModelListUnavailable(Exception):
    """Groq's model list could not be had; str() is a short reason that never holds the key."""


@dataclass(frozen=True)
class ModelInfo:
    """One chat model as GET /models describes it (None where it does not say)."""

    id: str
    context_window: int | None = None
    max_completion_tokens: int | None = None


@dataclass(frozen=True)
class ModelChoice:
    """What the select box offers: the model ids, whether they came from Groq, and why not."""

    models: tuple[str, ...]
    live: bool
    problem: str | None = None
    unlisted: str | None = None  # the chat's model, when Groq's live list does not have it


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
    return [info.id for info in fetch_models(api_base, api_key, timeout)]


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def fetch_models(api_base: str, api_key: str, timeout: float = 5.0) -> list[ModelInfo]:
    """Ask Groq for its models and return the chat models, sorted by id."""
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
    chat = {entry["id"]: entry for entry in data if is_chat_model(entry)}
    if not chat:
        # An empty select box helps nobody; the built-in list is the better offer.
        raise ModelListUnavailable("Groq listed no chat models")
    return [
        ModelInfo(model_id, _whole(entry.get("context_window")), _whole(entry.get("max_completion_tokens")))
        for model_id, entry in sorted(chat.items())
    ]


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
    """The built-in `models` sorted, with the configured model first when the list does not have it
    (without Groq's list nobody can tell it is gone), and without any model Groq answered as gone."""
    ordered = tuple(sorted(set(models)))
    if configured_model and configured_model not in ordered:
        ordered = (configured_model, *ordered)
    return GONE.without_gone(ordered)


@dataclass(frozen=True)
class _Entry:
    expires_at: float
    models: tuple[ModelInfo, ...]
    problem: str | None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(info.id for info in self.models)


class ModelCatalog:
    """A thread-safe cache of Groq's chat models per (API base, key hash)."""

    def __init__(
        self,
        ttl_seconds: float = 600,
        failure_ttl_seconds: float = 60,
        fetch: Callable[[str, str], list[ModelInfo] | list[str]] = fetch_models,
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
        entry = self._entry(api_base, api_key)
        if entry.problem is not None:
            return ModelChoice(_with_configured(FALLBACK_MODELS, configured_model), False, entry.problem)
        # Groq lists every model a key may use: one it does not list is gone, and is not offered.
        offered = GONE.without_gone(tuple(sorted(entry.ids)))
        unlisted = configured_model if configured_model and configured_model not in offered else None
        return ModelChoice(offered, True, None, unlisted)

    def info(self, api_base: str, api_key: str | None, model: str) -> ModelInfo:
        """What Groq's list says of `model` (its limits unknown when it is not listed)."""
        entry = self._entry(api_base, api_key) if api_key else None
        found = [info for info in (entry.models if entry else ()) if info.id == model]
        return found[0] if found else ModelInfo(model)

    def replacement(self, api_base: str, api_key: str | None, preferred: str) -> str:
        """A current model to answer with instead of one that is gone: `preferred`, else the default,
        else the first offered."""
        offered = self.chat_models(api_base, api_key, "").models
        for model in (preferred, DEFAULT_MODEL, *offered, *FALLBACK_MODELS):
            if model in offered and model not in GONE:
                return model
        return GONE.without_gone(FALLBACK_MODELS)[0]

    def _entry(self, api_base: str, api_key: str) -> _Entry:
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
        return entry

    def clear(self) -> None:
        """Forget every cached list (a test starts from what a new server process knows)."""
        with self._lock:
            self._entries.clear()

    def _fresh(self, cache_key: tuple[str, str]) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(cache_key)
        return entry if entry is not None and self._clock() < entry.expires_at else None

    def _load(self, api_base: str, api_key: str) -> _Entry:
        try:
            fetched = self._fetch(api_base, api_key)
            models = tuple(info if isinstance(info, ModelInfo) else ModelInfo(info) for info in fetched)
        except ModelListUnavailable as error:
            logger.warning("Groq's model list is unavailable: %s", error)
            # Failures are remembered too, so a down network does not cost a request per rerun.
            return _Entry(self._clock() + self._failure_ttl, (), str(error))
        return _Entry(self._clock() + self._ttl, models, None)


CATALOG = ModelCatalog()
