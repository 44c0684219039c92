"""bnaGPT's configuration, read in one place.

Each value is looked up in `.streamlit/secrets.toml` (when the file exists), then the
environment, then `.env`; the first that is set wins, else the default below applies.
Nothing here imports Streamlit (`st.secrets` raises when there is no secrets file), and
nothing is written back: `.env` is read with `dotenv_values`, not loaded into os.environ.

Two meta variables, read from the environment only, move those files (tests point them
at a temporary folder so a developer's own key never leaks into a test):
`BNAGPT_SECRETS_FILE` and `BNAGPT_DOTENV_FILE`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

PROJECT_DIR = Path(__file__).resolve().parent

DEFAULTS = {
    "GROQ_API_BASE": "https://api.groq.com/openai/v1",
    # llama3-70b-8192 and llama-3.3-70b-versatile are decommissioned on Groq.
    "GROQ_MODEL": "openai/gpt-oss-120b",
    "BNAGPT_CONVERSATIONS_DIR": str(PROJECT_DIR / "conversations"),
    # Bounded so that a person waits about a minute at most for an error:
    # one retry of a 30 s attempt, and the SDK's short back-off between them.
    "GROQ_TIMEOUT": "30",
    "GROQ_MAX_RETRIES": "1",
    "GROQ_CONTEXT_WINDOW": "131072",
    "GROQ_MAX_ANSWER_TOKENS": "8192",
    # How much of a conversation the memory sends with each message. All of a 131k window would
    # be ~40,000 tokens after 500 turns: slower every turn, costlier, and over many rate limits.
    "GROQ_MEMORY_TOKENS": "16384",
    # The tokens a minute assumed for a key until Groq's answers name its limit: the free tier's.
    "GROQ_TOKENS_PER_MINUTE": "8000",
    # Groq's per-minute limit asks for waits; this long is waited out in sight, longer is explained.
    "GROQ_RATE_LIMIT_WAIT": "20",
    # Days a chat without a name (a draft) is kept after its last change; 0 keeps drafts forever.
    "BNAGPT_DRAFT_DAYS": "30",
    # With accounts: who may sign in (addresses and @domain entries; empty lets everyone in), and
    # the requests a minute each person may send to Groq, so no one uses up the key (0: no cap).
    "BNAGPT_ALLOWED_EMAILS": "",
    "BNAGPT_REQUESTS_PER_MINUTE": "10",
    # Voice: the microphone's recording goes to Groq's Whisper, Read aloud to Groq's text-to-speech.
    "GROQ_TRANSCRIPTION_MODEL": "whisper-large-v3-turbo",
    "GROQ_SPEECH_MODEL": "canopylabs/orpheus-v1-english",
    "GROQ_SPEECH_VOICE": "autumn",
    # Groq's limits on the free tier: 25 MB a recording, 200 characters a text-to-speech request.
    "GROQ_AUDIO_MAX_MB": "25",
    "GROQ_SPEECH_MAX_CHARS": "200",
    # The agent's tools (utils/llm/tools/): a self-hosted SearXNG (its JSON API) instead of
    # DuckDuckGo when set; pages fetched within a time and size; at most this many tool calls a turn.
    "BNAGPT_SEARXNG_URL": "",
    # Which provider web_search uses: duckduckgo, searxng, tavily, brave, or groq (Groq's own
    # browser_search on gpt-oss). Empty picks SearXNG when its URL is set, else Tavily or Brave
    # when its key is, else DuckDuckGo. Tavily and Brave take TAVILY_API_KEY and BRAVE_API_KEY.
    "BNAGPT_SEARCH_PROVIDER": "",
    "BNAGPT_TAVILY_URL": "https://api.tavily.com",
    "BNAGPT_BRAVE_URL": "https://api.search.brave.com/res/v1",
    "BNAGPT_FETCH_TIMEOUT": "10",
    "BNAGPT_FETCH_MAX_BYTES": "2000000",
    "BNAGPT_TOOL_STEPS": "6",
    # Loopback and private addresses a fetched URL may reach: "1" all of them, or "host:port,…" just
    # those (tests' fakes on 127.0.0.1). Never for a real deployment: a page could reach the network.
    "BNAGPT_FETCH_PRIVATE": "0",
    # Serving a team: the conversations in one PostgreSQL (postgresql://user:password@host/db) that
    # every server shares, instead of JSON files in BNAGPT_CONVERSATIONS_DIR. Empty: the files.
    "BNAGPT_DATABASE_URL": "",
    # Seconds to wait for the database before the sidebar says it can't be reached (and tries again).
    "BNAGPT_DATABASE_TIMEOUT": "5",
    # Seconds between the sidebar's tries to reach a store that could not be reached.
    "BNAGPT_STORE_RETRY_SECONDS": "5",
    # The largest attached file (the chat box's own limit), and the largest imported one (MiB, as
    # Streamlit counts): a JSON export carries its files as base64, 4/3 of their size, so 100 takes
    # three 20 MB files. Keep the import's equal to .streamlit/config.toml's server.maxUploadSize (a
    # test checks), which Streamlit enforces on every upload before bnaGPT sees it.
    "BNAGPT_MAX_UPLOAD_MB": "20",
    "BNAGPT_MAX_IMPORT_MB": "100",
    # Groq's image limits: 4 MB of base64 a request (shared by its images), 33 megapixels an image,
    # 5 images a request. An image is never shrunk below BNAGPT_IMAGE_MIN_SIDE pixels on its longer
    # side (small text would become unreadable): it is refused instead.
    "GROQ_IMAGE_REQUEST_MB": "4",
    "GROQ_IMAGE_MAX_PIXELS": "33177600",
    "GROQ_IMAGES_PER_REQUEST": "5",
    "BNAGPT_IMAGE_MIN_SIDE": "1024",
    # How many later turns still carry an image before the history holds a short placeholder instead.
    "BNAGPT_IMAGE_TURNS_KEPT": "2",
    # A document too big for the request is split into chunks of this many tokens (overlapping by
    # BNAGPT_CHUNK_OVERLAP) and the best ones for each question are found with BM25.
    "BNAGPT_CHUNK_TOKENS": "400",
    "BNAGPT_CHUNK_OVERLAP": "40",
}
# Every name looked up in secrets.toml, the environment and .env; plus the two that say where
# those files are (environment only).
SETTING_NAMES = ("GROQ_API_KEY", "TAVILY_API_KEY", "BRAVE_API_KEY", *DEFAULTS)
SEARCH_PROVIDERS = ("duckduckgo", "searxng", "tavily", "brave", "groq")
LOCATION_NAMES = ("BNAGPT_SECRETS_FILE", "BNAGPT_DOTENV_FILE")


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to reach Groq and keep conversations."""

    groq_api_key: str | None = field(repr=False)
    groq_api_base: str
    groq_model: str
    conversations_dir: Path
    request_timeout: float
    max_retries: int
    context_window: int
    max_answer_tokens: int  # the default for a new chat's Assistant settings
    memory_tokens: int = int(DEFAULTS["GROQ_MEMORY_TOKENS"])  # the most history the memory sends
    tokens_per_minute: int = int(DEFAULTS["GROQ_TOKENS_PER_MINUTE"])  # assumed until Groq says
    rate_limit_wait: float = float(DEFAULTS["GROQ_RATE_LIMIT_WAIT"])  # seconds waited out in sight
    draft_days: float = float(DEFAULTS["BNAGPT_DRAFT_DAYS"])  # how long an unnamed chat is kept
    allowed_emails: str = ""  # with accounts: who may sign in (empty: everyone the provider signs in)
    requests_per_minute: int = int(DEFAULTS["BNAGPT_REQUESTS_PER_MINUTE"])  # with accounts, per person
    transcription_model: str = DEFAULTS["GROQ_TRANSCRIPTION_MODEL"]  # what the microphone's recordings go to
    speech_model: str = DEFAULTS["GROQ_SPEECH_MODEL"]  # what Read aloud speaks with
    speech_voice: str = DEFAULTS["GROQ_SPEECH_VOICE"]  # the voice a new browser tab starts with
    audio_max_mb: float = float(DEFAULTS["GROQ_AUDIO_MAX_MB"])  # the largest recording sent
    speech_max_chars: int = int(DEFAULTS["GROQ_SPEECH_MAX_CHARS"])  # the most text in one speech request
    searxng_url: str = ""  # "" searches DuckDuckGo
    fetch_timeout: float = float(DEFAULTS["BNAGPT_FETCH_TIMEOUT"])
    fetch_max_bytes: int = int(DEFAULTS["BNAGPT_FETCH_MAX_BYTES"])
    tool_steps: int = int(DEFAULTS["BNAGPT_TOOL_STEPS"])  # tool calls a turn before the model must answer
    fetch_private: str = "0"  # which loopback and private addresses fetched URLs may reach ("0": none)
    search_provider: str = ""  # one of SEARCH_PROVIDERS; "" lets load_settings pick from what is set
    tavily_api_key: str | None = field(default=None, repr=False)
    brave_api_key: str | None = field(default=None, repr=False)
    tavily_url: str = DEFAULTS["BNAGPT_TAVILY_URL"]
    brave_url: str = DEFAULTS["BNAGPT_BRAVE_URL"]
    database_url: str = field(default="", repr=False)  # "" keeps JSON files; it may hold a password
    database_timeout: float = float(DEFAULTS["BNAGPT_DATABASE_TIMEOUT"])  # seconds to reach the database
    store_retry_seconds: float = float(DEFAULTS["BNAGPT_STORE_RETRY_SECONDS"])  # between tries when it can't
    max_upload_mb: float = float(DEFAULTS["BNAGPT_MAX_UPLOAD_MB"])  # the largest attached file
    max_import_mb: float = float(DEFAULTS["BNAGPT_MAX_IMPORT_MB"])  # the largest conversation file imported
    image_request_mb: float = float(DEFAULTS["GROQ_IMAGE_REQUEST_MB"])  # base64 of all images in a request
    image_max_pixels: int = int(DEFAULTS["GROQ_IMAGE_MAX_PIXELS"])  # an image's width x height
    images_per_request: int = int(DEFAULTS["GROQ_IMAGES_PER_REQUEST"])
    image_min_side: int = int(DEFAULTS["BNAGPT_IMAGE_MIN_SIDE"])  # never shrunk below this (refused instead)
    image_turns_kept: int = int(DEFAULTS["BNAGPT_IMAGE_TURNS_KEPT"])  # later turns an image is re-sent with
    chunk_tokens: int = int(DEFAULTS["BNAGPT_CHUNK_TOKENS"])  # a big document's chunks for BM25
    chunk_overlap: int = int(DEFAULTS["BNAGPT_CHUNK_OVERLAP"])


# The Settings fields read as numbers, and their names in the configuration; int or float as the field says.
NUMBERS = {
    "request_timeout": "GROQ_TIMEOUT", "max_retries": "GROQ_MAX_RETRIES", "context_window": "GROQ_CONTEXT_WINDOW",
    "max_answer_tokens": "GROQ_MAX_ANSWER_TOKENS", "memory_tokens": "GROQ_MEMORY_TOKENS",
    "tokens_per_minute": "GROQ_TOKENS_PER_MINUTE", "rate_limit_wait": "GROQ_RATE_LIMIT_WAIT",
    "draft_days": "BNAGPT_DRAFT_DAYS", "requests_per_minute": "BNAGPT_REQUESTS_PER_MINUTE",
    "audio_max_mb": "GROQ_AUDIO_MAX_MB", "speech_max_chars": "GROQ_SPEECH_MAX_CHARS",
    "fetch_timeout": "BNAGPT_FETCH_TIMEOUT", "fetch_max_bytes": "BNAGPT_FETCH_MAX_BYTES",
    "tool_steps": "BNAGPT_TOOL_STEPS", "database_timeout": "BNAGPT_DATABASE_TIMEOUT",
    "store_retry_seconds": "BNAGPT_STORE_RETRY_SECONDS", "max_upload_mb": "BNAGPT_MAX_UPLOAD_MB",
    "max_import_mb": "BNAGPT_MAX_IMPORT_MB", "image_request_mb": "GROQ_IMAGE_REQUEST_MB",
    "image_max_pixels": "GROQ_IMAGE_MAX_PIXELS", "images_per_request": "GROQ_IMAGES_PER_REQUEST",
    "image_min_side": "BNAGPT_IMAGE_MIN_SIDE", "image_turns_kept": "BNAGPT_IMAGE_TURNS_KEPT",
    "chunk_tokens": "BNAGPT_CHUNK_TOKENS", "chunk_overlap": "BNAGPT_CHUNK_OVERLAP",
}


class ConfigurationError(Exception):
    """A configuration file exists but cannot be used; the message says which and why."""


def _read_secrets(path: Path) -> dict[str, str]:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as error:
        # A broken secrets file must not take the app down; the guard will ask for a key.
        raise ConfigurationError(f"{path} could not be read: {error}") from None
    return {key: str(value) for key, value in data.items() if not isinstance(value, dict)}


def _sources(environ: Mapping[str, str]) -> list[Mapping[str, str | None]]:
    secrets_file = Path(environ.get("BNAGPT_SECRETS_FILE") or PROJECT_DIR / ".streamlit" / "secrets.toml")
    dotenv_file = Path(environ.get("BNAGPT_DOTENV_FILE") or PROJECT_DIR / ".env")
    dotenv = dotenv_values(dotenv_file) if dotenv_file.is_file() else {}
    return [_read_secrets(secrets_file), environ, dotenv]


def _lookup(sources: list[Mapping[str, str | None]], name: str) -> str | None:
    for source in sources:
        value = source.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return DEFAULTS.get(name)


def _number(sources, name: str, kind: type):
    raw = _lookup(sources, name)
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a number, not {raw!r}.") from None
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative.")
    return value


def _search_provider(sources) -> str:
    chosen = (_lookup(sources, "BNAGPT_SEARCH_PROVIDER") or "").lower()
    if chosen and chosen not in SEARCH_PROVIDERS:
        raise ConfigurationError(f"BNAGPT_SEARCH_PROVIDER must be one of {', '.join(SEARCH_PROVIDERS)}, "
                                 f"not {chosen!r}.")
    if chosen:
        return chosen
    for provider, name in (("searxng", "BNAGPT_SEARXNG_URL"), ("tavily", "TAVILY_API_KEY"),
                           ("brave", "BRAVE_API_KEY")):
        if _lookup(sources, name):
            return provider
    return "duckduckgo"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from secrets.toml, the environment and .env, in that order."""
    sources = _sources(os.environ if environ is None else environ)
    conversations_dir = Path(_lookup(sources, "BNAGPT_CONVERSATIONS_DIR")).expanduser()
    if not conversations_dir.is_absolute():
        conversations_dir = PROJECT_DIR / conversations_dir
    return Settings(
        groq_api_key=_lookup(sources, "GROQ_API_KEY"),
        groq_api_base=_lookup(sources, "GROQ_API_BASE").rstrip("/"),
        groq_model=_lookup(sources, "GROQ_MODEL"),
        conversations_dir=conversations_dir,
        allowed_emails=_lookup(sources, "BNAGPT_ALLOWED_EMAILS") or "",
        transcription_model=_lookup(sources, "GROQ_TRANSCRIPTION_MODEL"),
        speech_model=_lookup(sources, "GROQ_SPEECH_MODEL"),
        speech_voice=_lookup(sources, "GROQ_SPEECH_VOICE"),
        searxng_url=(_lookup(sources, "BNAGPT_SEARXNG_URL") or "").rstrip("/"),
        fetch_private=_lookup(sources, "BNAGPT_FETCH_PRIVATE"),
        search_provider=_search_provider(sources),
        tavily_api_key=_lookup(sources, "TAVILY_API_KEY"),
        brave_api_key=_lookup(sources, "BRAVE_API_KEY"),
        tavily_url=_lookup(sources, "BNAGPT_TAVILY_URL").rstrip("/"),
        brave_url=_lookup(sources, "BNAGPT_BRAVE_URL").rstrip("/"),
        database_url=_lookup(sources, "BNAGPT_DATABASE_URL") or "",
        **{field: _number(sources, name, {"int": int, "float": float}[Settings.__annotations__[field]])
           for field, name in NUMBERS.items()},
    )
