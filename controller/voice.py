"""Talking to bnaGPT without Streamlit: a recording checked and turned into the question's words,
a spoken question kept marked as such, and an answer turned into speech a part at a time. Every
failure is a VoiceError whose text is the one sentence to show; typing always keeps working."""

from __future__ import annotations

import io
import struct
import wave
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from settings import Settings
from utils.speech_text import looks_english, speakable_text, speech_parts

if TYPE_CHECKING:
    from models.store import RecordingArea

TYPE_INSTEAD = "You can type your message instead."
EMPTY = "The recording was empty: nothing reached bnaGPT. Check the microphone, then record again."
SILENT = "The recording was silent: no voice was heard. Check the microphone is not muted, then record again."
NOTHING_HEARD = "Groq heard no words in the recording. Speak a little louder or closer, then record again."
# Below this peak (about -40 dBFS) a recording is taken for silence: Whisper would invent words for it.
SILENCE_PEAK = 0.01
NOT_ENGLISH = ("Read aloud speaks English only (Groq's {model}), and this answer is not in English, so it is not "
               "read rather than read as gibberish.")
NOTHING_TO_READ = "This answer has nothing to read aloud."


class VoiceError(Exception):
    """Speech could not be had; `str(error)` is the sentence to show."""


def recording_peak(audio: bytes) -> float | None:
    """The loudest sample of a 16-bit PCM WAV as a fraction of full scale (None: not such a WAV)."""
    try:
        with wave.open(io.BytesIO(audio)) as source:
            if source.getsampwidth() != 2:
                return None
            frames = source.readframes(source.getnframes())
    except (wave.Error, EOFError, struct.error):
        return None
    samples = memoryview(frames[: len(frames) // 2 * 2]).cast("h")
    return max(abs(min(samples)), max(samples)) / 32768 if len(samples) else 0.0


def check_recording(audio: bytes, settings: Settings) -> None:
    """Refuse, before anything is sent, a recording that is empty, silent or over Groq's size limit."""
    if not audio:
        raise VoiceError(EMPTY)
    if len(audio) > settings.audio_max_mb * 1024 * 1024:
        raise VoiceError(f"The recording is larger than Groq takes ({settings.audio_max_mb:g} MB): record a shorter "
                         f"message. {TYPE_INSTEAD}")
    peak = recording_peak(audio)
    if peak == 0.0 and len(audio) <= 44:  # a WAV header and no sound
        raise VoiceError(EMPTY)
    if peak is not None and peak < SILENCE_PEAK:
        raise VoiceError(SILENT)


def transcribe_recording(settings: Settings, audio: bytes, filename: str, language: str | None) -> str:
    """The words of a recording, ready to send as the question (VoiceError says why not)."""
    from utils.llm.audio import transcribe

    check_recording(audio, settings)
    try:
        text = transcribe(settings, audio, filename, language)
    except Exception as error:  # noqa: BLE001 - every failure becomes the one sentence shown
        raise VoiceError(_describe(error, settings, "transcription")) from None
    if not text.strip():
        raise VoiceError(NOTHING_HEARD)
    return text.strip()


def keep_recording(recordings: RecordingArea | None, audio: bytes, filename: str) -> str | None:
    """Keep a recording in the store's recordings area (Voice settings said so); its name, or None when it
    could not be written or there is no store (the question is still sent: only the recording is missing)."""
    from models.store import StoreError
    from utils.llm.audio import TRANSCRIPTION_FORMATS

    extension = filename.rsplit(".", 1)[-1].lower()
    extension = extension if extension in TRANSCRIPTION_FORMATS else "wav"
    if recordings is None:
        return None
    try:
        return recordings.save(audio, extension)
    except (OSError, ValueError, StoreError):
        return None


def keep_voice_mark(controller: Any, stream: Iterator[Any], start: int | None = None, **mark: Any) -> Iterator[Any]:
    """`stream`, after which the question at `start` (default: the last one) is marked spoken: with `mark`
    (voice=True, recording=…) for a new spoken question, or as it was before for one answered again."""
    if start is None:
        start = controller.last_turn_start()
        if start is not None and not mark:
            old = controller.messages[start]
            mark = {"voice": old.voice, "recording": old.recording} if old.voice else {}
    try:
        yield from stream
    finally:
        # However the turn ended (answered, stopped, failed), the question stays marked.
        if start is not None and mark:
            controller.mark_question(start, **mark)


def spoken_reply(controller: Any, transcript: str, recording: str | None = None) -> Iterator[Any]:
    """Answer a spoken question: `controller.stream_reply`, its question kept marked "from voice"."""
    start = len(controller.messages)
    return keep_voice_mark(controller, controller.stream_reply(transcript), start, voice=True, recording=recording)


def parts_to_read(settings: Settings, content: str) -> list[str]:
    """An answer as the texts to speak, first sentence first (VoiceError when it cannot be read)."""
    text = speakable_text(content)
    if not text:
        raise VoiceError(NOTHING_TO_READ)
    if "english" in settings.speech_model and not looks_english(text):
        raise VoiceError(NOT_ENGLISH.format(model=settings.speech_model))
    return speech_parts(text, settings.speech_max_chars)


def speech_of(settings: Settings, text: str, voice: str) -> bytes:
    """One part of an answer spoken, as WAV bytes (VoiceError says why not)."""
    from utils.llm.audio import speak

    try:
        return speak(settings, text, voice)
    except Exception as error:  # noqa: BLE001 - every failure becomes the one sentence shown
        raise VoiceError(_describe(error, settings, "speech")) from None


def _describe(error: BaseException, settings: Settings, what: str) -> str:
    """One sentence for a failed transcription or speech request."""
    import openai

    from utils.llm.limit_messages import error_code, error_message, retry_seconds

    model = settings.transcription_model if what == "transcription" else settings.speech_model
    job = "transcription" if what == "transcription" else "Read aloud"
    after = f" {TYPE_INSTEAD}" if what == "transcription" else ""
    if isinstance(error, openai.APITimeoutError):
        return f"Groq did not answer the {job} request within {settings.request_timeout:g} s. Try again.{after}"
    if isinstance(error, openai.APIConnectionError):
        return f"Could not reach Groq at {settings.groq_api_base}: check the network connection.{after}"
    if not isinstance(error, openai.APIStatusError):
        return f"The {job} request failed ({type(error).__name__}).{after}"
    status, code = error.status_code, error_code(error)
    if what == "speech" and code == "model_terms_required":
        return (f"Read aloud is not available yet: Groq needs {model}'s terms accepted once for your organisation "
                f"at console.groq.com/playground?model={model}.")
    if what == "speech" and status in (401, 403, 404):
        return f"Read aloud is not available for your Groq key ({model}, {status})."
    if status in (401, 403):
        return f"Groq did not accept the API key ({status}).{after}"
    if status == 404:
        return f"Groq does not offer {model} to this key (404): change GROQ_TRANSCRIPTION_MODEL.{after}"
    if status == 413:
        return (f"The recording is too large for Groq (413; at most {settings.audio_max_mb:g} MB): record a shorter "
                f"message.{after}")
    if status == 429:
        header = error.response.headers.get("retry-after") if error.response is not None else None
        seconds = retry_seconds(header, error_message(error))
        when = f"try again in {max(1, round(seconds))} s" if seconds is not None else "try again in a minute"
        return f"Groq's limit of {job} requests a minute was reached (429): {when}.{after}"
    return f"Groq refused the {job} request ({status}): {error_message(error)}{after}"
