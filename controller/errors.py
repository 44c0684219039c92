"""Turn whatever went wrong while asking Groq into one sentence a person can act on."""

from __future__ import annotations

import logging
import re

import httpx
import openai

logger = logging.getLogger(__name__)

KEY_HELP = "Set GROQ_API_KEY in .env, in the environment or in .streamlit/secrets.toml"


class ChatError(Exception):
    """An answer that could not be had; `str(error)` is the message to show."""


def _retry_hint(error: openai.RateLimitError) -> str:
    """When Groq says to retry: its retry-after header, else the time named in its message."""
    seconds = None
    header = error.response.headers.get("retry-after") if error.response is not None else None
    try:
        seconds = float(header) if header else None
    except ValueError:
        seconds = None
    if seconds is None:
        # Groq's message reads like "... Please try again in 1m2.5s."
        match = re.search(r"try again in (?:(\d+)m)?([\d.]+)s", str(error))
        if match:
            seconds = int(match.group(1) or 0) * 60 + float(match.group(2))
    if seconds is None:
        return "Please wait a minute and send your message again."
    return f"Please try again in {max(1, round(seconds))} seconds."


def describe_failure(error: BaseException, api_base: str, timeout: float) -> str:
    """A clear, secret-free message for a failed request or a stream cut midway."""
    if isinstance(error, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return f"Groq did not accept the API key ({error.status_code}). {KEY_HELP}, then send your message again."
    if isinstance(error, openai.RateLimitError):
        return f"Groq's rate limit was reached (429). {_retry_hint(error)}"
    if isinstance(error, openai.NotFoundError):
        return "Groq does not offer the model set in GROQ_MODEL (404). Choose a current model and reload."
    if isinstance(error, openai.InternalServerError):
        return f"Groq had a server error ({error.status_code}). Please send your message again in a moment."
    if isinstance(error, openai.APIStatusError):
        if _error_code(error) == "json_validate_failed":
            return ("JSON mode is on, but the model could not produce valid JSON (Groq: json_validate_failed). "
                    "Say in your message what JSON you want, or turn JSON mode off.")
        return f"Groq refused the request ({error.status_code}): {_server_message(error)}"
    if isinstance(error, openai.APITimeoutError):
        return f"Groq did not answer within {timeout:g} seconds. Please send your message again."
    if isinstance(error, openai.APIConnectionError):
        return f"Could not reach Groq at {api_base}. Check the network connection (or GROQ_API_BASE) and send your message again."
    if isinstance(error, (httpx.TransportError, openai.APIError)):
        # A stream that stops midway surfaces as a transport error from httpx, or as an
        # error event inside the stream.
        return "The answer was cut off midway. Please send your message again."
    logger.exception("Unexpected failure while streaming an answer", exc_info=error)
    return f"Something went wrong while getting the answer ({type(error).__name__}). Please send your message again."


def _error_body(error: openai.APIStatusError) -> dict:
    """The `error` object of Groq's JSON error answer ({} when there is none)."""
    body = error.body if isinstance(error.body, dict) else {}
    inner = body.get("error", body)
    return inner if isinstance(inner, dict) else {}


def _error_code(error: openai.APIStatusError) -> str | None:
    return _error_body(error).get("code")


def _server_message(error: openai.APIStatusError) -> str:
    return str(_error_body(error).get("message") or error.message)
