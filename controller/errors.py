"""Turn whatever went wrong while asking Groq into one sentence a person can act on."""

from __future__ import annotations

import logging

import httpx
import openai

from settings import Settings
from utils.llm.groq_requests import StreamCut
from utils.llm.limit_messages import error_code, error_message, retry_seconds, too_large
from utils.llm.limits import RequestTooLong

logger = logging.getLogger(__name__)

KEY_HELP = "Set GROQ_API_KEY in .env, in the environment or in .streamlit/secrets.toml"
HIGHER_LIMITS = "Groq's paid tiers have higher limits (console.groq.com/settings/billing)."


def _retry_hint(error: openai.APIStatusError) -> str:
    """When Groq says to retry: its retry-after header, else the time named in its message."""
    header = error.response.headers.get("retry-after") if error.response is not None else None
    seconds = retry_seconds(header, str(error))
    if seconds is None:
        return "Please wait a minute, then press Retry."
    seconds = max(1, round(seconds))
    return f"Please try again in {seconds} second{'' if seconds == 1 else 's'}."


def _model_gone(model: str, settings: Settings, status: int) -> str:
    origin = " It is the default set by GROQ_MODEL; change it there too." if model == settings.groq_model else ""
    return f"Groq no longer offers `{model}` ({status}); pick another model in Assistant settings.{origin}"


def _waited(seconds: float) -> str:
    return f"{seconds:.1f} seconds" if seconds < 10 else f"{seconds:.0f} seconds"


def describe_failure(error: BaseException | None, settings: Settings, model: str, waited: float | None = None) -> str:
    """A clear, secret-free message for a failed request or a stream cut midway; `waited`: how long
    the app waited for Groq, retries included."""
    if isinstance(error, RequestTooLong):
        return (f"This message is too long for your Groq key's limit of {error.limit:,} tokens a minute, even "
                f"without the earlier messages. Shorten it, or split it in parts. {HIGHER_LIMITS}")
    if isinstance(error, StreamCut):
        return "The answer was cut off midway: Groq's stream ended before the answer did. Press Retry to ask again."
    if isinstance(error, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return f"Groq did not accept the API key ({error.status_code}). {KEY_HELP}, then press Retry."
    if isinstance(error, openai.RateLimitError):
        return f"Groq's rate limit was reached (429). {_retry_hint(error)}"
    if isinstance(error, openai.APIStatusError) and error_code(error) in ("model_not_found", "model_decommissioned"):
        return _model_gone(model, settings, error.status_code)
    if isinstance(error, openai.NotFoundError):
        return _model_gone(model, settings, 404)
    if isinstance(error, openai.APIStatusError) and error.status_code == 413 and too_large(error_message(error)):
        limit = too_large(error_message(error))[0]
        return (f"This conversation does not fit your Groq key's limit of {limit:,} tokens a minute (413), even "
                f"after sending less of it. Start a new chat, or shorten your message. {HIGHER_LIMITS}")
    if isinstance(error, openai.InternalServerError):
        return f"Groq had a server error ({error.status_code}). Press Retry in a moment."
    if isinstance(error, openai.APIStatusError):
        if error_code(error) == "tool_use_failed":
            return ("The model could not make a proper tool call, even when asked twice (Groq: tool_use_failed). "
                    "Press Retry, rephrase, or turn the chat's Tools off.")
        if error_code(error) == "json_validate_failed":
            return ("JSON mode is on, but the model could not produce valid JSON (Groq: json_validate_failed). "
                    "Say in your message what JSON you want, or turn JSON mode off.")
        return f"Groq refused the request ({error.status_code}): {error_message(error)}"
    if isinstance(error, openai.APITimeoutError):
        # Each of the SDK's retries waits the whole timeout again, so the wait is measured, not assumed.
        waited_for = _waited(waited or settings.request_timeout)
        return f"Groq did not answer: bnaGPT waited {waited_for}. Press Retry to ask again."
    if isinstance(error, openai.APIConnectionError):
        return (f"Could not reach Groq at {settings.groq_api_base}. Check the network connection (or GROQ_API_BASE) "
                "and press Retry.")
    if isinstance(error, (httpx.TransportError, openai.APIError)):
        # A stream that stops midway surfaces as a transport error from httpx, or as an
        # error event inside the stream.
        return "The answer was cut off midway. Press Retry to ask again."
    logger.exception("Unexpected failure while streaming an answer", exc_info=error)
    return f"Something went wrong while getting the answer ({type(error).__name__}). Press Retry to ask again."
