"""Groq's audio endpoints: a recording to text (Whisper, `/audio/transcriptions`) and text to speech
(Orpheus, `/audio/speech`). Models, base URL, key and timeouts come from Settings; failures are raised
as the OpenAI SDK's errors, which controller/voice.py turns into sentences."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from settings import Settings

# What Groq's Whisper takes (its docs list a few more container names for the same codecs).
TRANSCRIPTION_FORMATS = ("flac", "mp3", "m4a", "ogg", "wav", "webm")
# Orpheus' English voices: the Voice settings offer these.
SPEECH_VOICES = ("autumn", "diana", "hannah", "austin", "daniel", "troy")
# Whisper's languages (ISO-639-1) that may be named in a request; otherwise Groq detects it.
WHISPER_LANGUAGES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian",
    "ar": "Arabic", "hi": "Hindi", "ja": "Japanese", "ko": "Korean", "zh": "Chinese", "vi": "Vietnamese",
}
SPEECH_LANGUAGES = ("en",)  # what canopylabs/orpheus-v1-english speaks


@lru_cache(maxsize=4)
def _client(base_url: str, api_key: str, timeout: float, max_retries: int) -> Any:
    """One SDK client per key and base URL: its connection pool makes each later request quicker."""
    import openai

    return openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=max_retries)


def _client_for(settings: Settings) -> Any:
    return _client(settings.groq_api_base, settings.groq_api_key or "", settings.request_timeout, settings.max_retries)


def transcribe(settings: Settings, audio: bytes, filename: str, language: str | None = None) -> str:
    """The words Whisper hears in `audio` (a file named `filename`); `language` when the person set one."""
    extra = {"language": language} if language else {}
    result = _client_for(settings).audio.transcriptions.create(
        model=settings.transcription_model, file=(filename, audio), response_format="json", **extra)
    return result.text


def speak(settings: Settings, text: str, voice: str) -> bytes:
    """`text` (at most settings.speech_max_chars) spoken in `voice`, as WAV bytes."""
    response = _client_for(settings).audio.speech.create(
        model=settings.speech_model, voice=voice, input=text, response_format="wav")
    return response.read()
