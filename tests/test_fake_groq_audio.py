"""The fake Groq's audio endpoints are as strict as Groq: multipart only, Whisper models and formats,
25 MB, 20 transcriptions a minute; speech at most 200 characters, Orpheus voices, WAV."""

import io
import wave

import openai
import pytest

from tests.fake_groq_audio import SILENCE, SPEECH_PATH, TRANSCRIPTION_PATH, tone_wav
from tests.fake_groq_testing import client, clock, groq  # noqa: F401 - fixtures

WHISPER = "whisper-large-v3-turbo"
ORPHEUS = "canopylabs/orpheus-v1-english"


def transcribe(client, audio: bytes, name: str = "speech.wav", **kwargs) -> str:
    return client.audio.transcriptions.create(model=kwargs.pop("model", WHISPER), file=(name, audio), **kwargs).text


def test_a_transcript_tells_recordings_apart(client, groq) -> None:
    assert transcribe(client, tone_wav(440, 1.0)) == "What is the capital of France?"
    assert transcribe(client, tone_wav(660, 0.5, rate=48_000)) == "Tell me a joke about cats."
    assert transcribe(client, tone_wav(523, 0.5)) == "A hum at 520 hertz."
    assert transcribe(client, tone_wav(0, 1.0)) == SILENCE  # Whisper "hears" words in silence
    [first, *_] = groq.audio.of(TRANSCRIPTION_PATH)
    assert first.fields == {"model": WHISPER} and first.filename == "speech.wav" and first.status == 200


def test_language_is_sent_only_when_named_and_must_be_whisper_s(client, groq) -> None:
    transcribe(client, tone_wav(440, 0.5), language="fr")
    assert groq.audio.of(TRANSCRIPTION_PATH)[0].fields["language"] == "fr"
    with pytest.raises(openai.BadRequestError, match="language 'xx' is not supported"):
        transcribe(client, tone_wav(440, 0.5), language="xx")


@pytest.mark.parametrize("name, audio, message", [
    ("speech.aiff", tone_wav(440, 0.5), r"file must be one of the following types: \[flac mp3 m4a ogg wav webm\]"),
    ("speech.wav", b"RIFF not really", "could not process file"),
    ("speech.wav", tone_wav(440, 0.005), "Minimum audio length is 0.01 seconds"),
])
def test_bad_files_are_refused_with_400(client, name, audio, message) -> None:
    with pytest.raises(openai.BadRequestError, match=message):
        transcribe(client, audio, name)


def test_only_whisper_models_transcribe(client) -> None:
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        transcribe(client, tone_wav(440, 0.5), model="openai/gpt-oss-120b")


def test_a_recording_over_the_size_limit_gets_413(client, groq) -> None:
    groq.audio.max_bytes = 10_000
    with pytest.raises(openai.APIStatusError) as caught:
        transcribe(client, tone_wav(440, 1.0))
    assert caught.value.status_code == 413 and caught.value.body["code"] == "request_too_large"


def test_twenty_transcriptions_a_minute_then_429_with_retry_after(client, groq, clock) -> None:
    audio = tone_wav(440, 0.1)
    for _ in range(20):
        transcribe(client, audio)
    clock.advance(15)
    with pytest.raises(openai.RateLimitError, match=r"requests per minute \(RPM\): Limit 20") as caught:
        transcribe(client, audio)
    assert caught.value.response.headers["retry-after"] == "45"
    clock.advance(45)
    assert transcribe(client, audio)


def test_a_json_body_is_not_a_transcription_request(client, groq) -> None:
    with pytest.raises(openai.BadRequestError, match="multipart/form-data"):
        client.post("/audio/transcriptions", body={"model": WHISPER}, cast_to=object)


def speak(client, text: str, voice: str = "autumn", **kwargs) -> bytes:
    return client.audio.speech.create(model=kwargs.pop("model", ORPHEUS), voice=voice, input=text,
                                      response_format=kwargs.pop("response_format", "wav"), **kwargs).read()


def test_speech_is_a_real_wav_recorded_with_its_hash(client, groq) -> None:
    import hashlib

    audio = speak(client, "Paris is the capital of France.")
    with wave.open(io.BytesIO(audio)) as sound:
        assert sound.getnchannels() == 1 and sound.getframerate() == 48_000 and sound.getnframes() > 0
    [record] = groq.audio.of(SPEECH_PATH)
    assert record.audio_sha256 == hashlib.sha256(audio).hexdigest()
    assert record.fields["input"] == "Paris is the capital of France." and record.fields["voice"] == "autumn"
    assert speak(client, "Another one.") != audio


@pytest.mark.parametrize("kwargs, message", [
    ({"text": "x" * 201}, "at most 200 characters"),
    ({"text": "Hello.", "voice": "alloy"}, r"voice must be one of \[autumn diana hannah austin daniel troy\]"),
    ({"text": "Hello.", "response_format": "mp3"}, "response_format must be wav"),
    ({"text": "   "}, "input is required"),
])
def test_speech_requests_groq_refuses(client, kwargs, message) -> None:
    with pytest.raises(openai.BadRequestError, match=message):
        speak(client, **kwargs)


def test_speech_needs_the_model_s_terms_accepted_and_has_its_own_minute(client, groq) -> None:
    groq.audio.terms_accepted = False
    with pytest.raises(openai.BadRequestError) as caught:
        speak(client, "Hello.")
    assert caught.value.body["code"] == "model_terms_required"
    groq.audio.terms_accepted = True
    for _ in range(groq.audio.speeches_per_minute):
        speak(client, "Hi.")
    with pytest.raises(openai.RateLimitError):
        speak(client, "Hi.")
