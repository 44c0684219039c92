"""Groq's audio endpoints for tests/fake_groq.py, as strict as the real ones: `/audio/transcriptions`
(multipart: Whisper models, six formats, 25 MB, 20 requests a minute) and `/audio/speech` (Orpheus
voices, at most 200 characters, WAV only). A transcript is derived from the recording (the pitch of
its tone) so a test can tell recordings apart; speech is a real short WAV, recorded with its hash."""

import hashlib
import json
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser

from tests.fake_groq_records import API_PREFIX
from tests.fake_groq_sounds import PHRASES, SILENCE, heard, pitch_of, tone_wav

__all__ = ["AUDIO_PATHS", "PHRASES", "SILENCE", "SPEECH_PATH", "TRANSCRIPTION_PATH", "FakeAudio", "answer_audio",
           "tone_wav"]

TRANSCRIPTION_PATH = f"{API_PREFIX}/audio/transcriptions"
SPEECH_PATH = f"{API_PREFIX}/audio/speech"
AUDIO_PATHS = (TRANSCRIPTION_PATH, SPEECH_PATH)
WHISPER_MODELS = ("whisper-large-v3", "whisper-large-v3-turbo")
AUDIO_FORMATS = ("flac", "mp3", "m4a", "ogg", "wav", "webm")  # the list: stricter than Groq's docs
WHISPER_LANGUAGES = frozenset(
    "af ar az be bg bs ca cs cy da de el en es et fa fi fr gl he hi hr hu hy id is it ja kk kn ko lt lv mk mi mr "
    "ms ne nl no pl pt ro ru sk sl sr sv sw ta th tl tr uk ur vi zh".split())
SPEECH_VOICES = {
    "canopylabs/orpheus-v1-english": ("autumn", "diana", "hannah", "austin", "daniel", "troy"),
    "canopylabs/orpheus-arabic-saudi": ("abdullah", "fahad", "sultan", "lulwa", "noura", "aisha"),
}
SPEECH_RATE = 48_000  # Groq's Orpheus speaks 48 kHz WAV


@dataclass
class AudioRecord:
    """One audio request as the fake received and answered it."""

    path: str
    fields: dict  # form fields (transcriptions) or the JSON body (speech), the file left out
    filename: str | None = None
    size: int = 0  # the uploaded file's bytes
    status: int | None = None
    text: str | None = None  # the transcript returned
    audio_sha256: str | None = None  # of the WAV returned by /audio/speech
    received_at: float = field(default_factory=time.time)  # wall clock, comparable with a browser's
    answered_at: float | None = None  # wall clock once the whole response was written


@dataclass
class FakeAudio:
    """The audio endpoints' state: limits a test may change, scripted failures and what was received."""

    max_bytes: int = 25 * 1024 * 1024
    transcriptions_per_minute: int = 20
    speeches_per_minute: int = 10  # assumed for Orpheus on the free tier (stricter than the chat models)
    max_speech_chars: int = 200
    terms_accepted: bool = True  # Orpheus needs its terms accepted once per organisation
    phrases: dict = field(default_factory=lambda: dict(PHRASES))
    records: list = field(default_factory=list)
    failures: dict = field(default_factory=dict)  # path -> [(status, message, code, retry_after)]
    windows: dict = field(default_factory=dict)  # path -> deque of arrival times
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, path: str, status: int, message: str, code: str | None = None,
                  retry_after: float | None = None) -> None:
        """Answer the next request to `path` with this error (Groq's JSON error shape)."""
        with self.lock:
            self.failures.setdefault(path, []).append((status, message, code, retry_after))

    def of(self, path: str) -> list[AudioRecord]:
        with self.lock:
            return [record for record in self.records if record.path == path]


class AudioRefusal(Exception):
    def __init__(self, status: int, message: str, code: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}


def answer_audio(handler, fake, path: str, raw: bytes) -> None:
    """Answer one request to an audio path (the caller has checked the key)."""
    audio: FakeAudio = fake.audio
    record = AudioRecord(path, {})
    with audio.lock:
        audio.records.append(record)
    try:
        status, payload, content_type = _answer(handler, fake, audio, path, raw, record)
    except AudioRefusal as refusal:
        record.status = refusal.status
        kind = "invalid_request_error" if refusal.status < 429 else "requests"
        body = json.dumps({"error": {"message": refusal.message, "type": kind, "code": refusal.code}}).encode()
        return _send(handler, refusal.status, body, "application/json", refusal.headers, record)
    record.status = status
    _send(handler, status, payload, content_type, {}, record)


def _send(handler, status: int, payload: bytes, content_type: str, headers: dict, record: AudioRecord) -> None:
    handler._start(status, {"Content-Type": content_type, "Content-Length": str(len(payload))} | headers)
    handler.wfile.write(payload)
    handler.wfile.flush()
    record.answered_at = time.time()


def _answer(handler, fake, audio: FakeAudio, path: str, raw: bytes, record: AudioRecord):
    if handler.command != "POST":
        raise AudioRefusal(405, f"Method {handler.command} not allowed", "method_not_allowed")
    if len(raw) > audio.max_bytes:  # Groq refuses the upload before reading it
        raise AudioRefusal(413, "Request Entity Too Large", "request_too_large")
    with audio.lock:
        scripted = audio.failures.get(path, [])
        failure = scripted.pop(0) if scripted else None
    if failure:
        status, message, code, retry_after = failure
        raise AudioRefusal(status, message, code or "scripted",
                           {} if retry_after is None else {"retry-after": f"{math.ceil(retry_after)}"})
    if path == TRANSCRIPTION_PATH:
        return _transcribe(handler, fake, audio, raw, record)
    return _speak(handler, fake, audio, raw, record)


def _admit(fake, audio: FakeAudio, path: str, model: str, limit: int) -> None:
    """A rolling minute of requests per endpoint: the one over the limit gets Groq's 429."""
    now = fake.clock()
    with audio.lock:
        window = audio.windows.setdefault(path, deque())
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= limit:
            wait = window[0] + 60 - now
            raise AudioRefusal(429, (
                f"Rate limit reached for model `{model}` in organization `org_01fakegroq` service tier `on_demand` "
                f"on requests per minute (RPM): Limit {limit}, Used {len(window)}, Requested 1. "
                f"Please try again in {wait:.3f}s."), "rate_limit_exceeded", {"retry-after": f"{math.ceil(wait)}"})
        window.append(now)


def _form(handler, raw: bytes) -> dict:
    content_type = handler.headers.get("Content-Type", "")
    if not content_type.startswith("multipart/form-data"):
        raise AudioRefusal(400, "request Content-Type isn't multipart/form-data", "invalid_request_error")
    message = BytesParser(policy=policy.HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        fields[name] = (part.get_filename(), data) if part.get_filename() else data.decode()
    return fields


def _transcribe(handler, fake, audio: FakeAudio, raw: bytes, record: AudioRecord):
    fields = _form(handler, raw)
    upload = fields.pop("file", None)
    record.fields = fields
    model = fields.get("model")
    if not isinstance(upload, tuple):
        raise AudioRefusal(400, "file or url must be provided", "invalid_request_error")
    if model not in WHISPER_MODELS:
        raise AudioRefusal(404, f"The model `{model}` does not exist or you do not have access to it.",
                           "model_not_found")
    filename, data = upload
    record.filename, record.size = filename, len(data)
    if filename.rsplit(".", 1)[-1].lower() not in AUDIO_FORMATS:
        raise AudioRefusal(400, f"file must be one of the following types: [{' '.join(AUDIO_FORMATS)}]",
                           "invalid_request_error")
    language = fields.get("language")
    if language is not None and language not in WHISPER_LANGUAGES:
        raise AudioRefusal(400, f"language '{language}' is not supported", "invalid_request_error")
    response_format = fields.get("response_format", "json")
    if response_format not in ("json", "text", "verbose_json"):
        raise AudioRefusal(400, "response_format must be one of [json text verbose_json]", "invalid_request_error")
    measured = pitch_of(data) if filename.lower().endswith(".wav") else (1.0, 0.0)
    if measured is None:
        raise AudioRefusal(400, "could not process file - is it a valid media file?", "invalid_request_error")
    if measured[0] < 0.01:
        raise AudioRefusal(400, "Audio file is too short. Minimum audio length is 0.01 seconds.",
                           "invalid_request_error")
    _admit(fake, audio, TRANSCRIPTION_PATH, model, audio.transcriptions_per_minute)
    record.text = heard(data, filename, audio.phrases)
    if response_format == "text":
        return 200, record.text.encode(), "text/plain; charset=utf-8"
    payload = {"text": record.text, "x_groq": {"id": f"req_fake{len(audio.records)}"}}
    if response_format == "verbose_json":
        payload |= {"task": "transcribe", "language": language or "english", "duration": round(measured[0], 2)}
    return 200, json.dumps(payload).encode(), "application/json"


def _speak(handler, fake, audio: FakeAudio, raw: bytes, record: AudioRecord):
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise AudioRefusal(400, "Expected a JSON object body", "invalid_request_error")
    record.fields = body
    model, text, voice = body.get("model"), body.get("input"), body.get("voice")
    if model not in SPEECH_VOICES:
        raise AudioRefusal(404, f"The model `{model}` does not exist or you do not have access to it.",
                           "model_not_found")
    if not audio.terms_accepted:
        raise AudioRefusal(400, (f"The model `{model}` requires terms acceptance. Please have the org admin accept "
                                 f"the terms at https://console.groq.com/playground?model={model}"),
                           "model_terms_required")
    if not isinstance(text, str) or not text.strip():
        raise AudioRefusal(400, "input is required", "invalid_request_error")
    if len(text) > audio.max_speech_chars:
        raise AudioRefusal(400, f"input must be at most {audio.max_speech_chars} characters",
                           "invalid_request_error")
    if voice not in SPEECH_VOICES[model]:
        raise AudioRefusal(400, f"voice must be one of [{' '.join(SPEECH_VOICES[model])}]", "invalid_request_error")
    if body.get("response_format", "wav") != "wav":
        raise AudioRefusal(400, "response_format must be wav", "invalid_request_error")
    _admit(fake, audio, SPEECH_PATH, model, audio.speeches_per_minute)
    # A different pitch per request and a length that grows with the text: each answer is its own WAV.
    index = len(audio.of(SPEECH_PATH))
    wav = tone_wav(300 + 40 * (index % 10), max(0.3, 0.02 * len(text)), rate=SPEECH_RATE, amplitude=0.2)
    record.audio_sha256 = hashlib.sha256(wav).hexdigest()
    return 200, wav, "audio/wav"
