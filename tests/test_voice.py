"""Voice without a browser: a recording checked, transcribed through the seam and answered as a question
marked "from voice"; an answer read aloud a part at a time; each failure one sentence."""

import json

import pytest

from controller.voice import (
    EMPTY,
    NOTHING_HEARD,
    SILENT,
    VoiceError,
    keep_voice_mark,
    parts_to_read,
    speech_of,
    spoken_reply,
    transcribe_recording,
)
from tests.conftest import answer_text, ask
from tests.fake_groq_audio import SPEECH_PATH, TRANSCRIPTION_PATH, tone_wav


def test_a_recording_becomes_its_transcript_with_the_language_only_when_set(settings, fake_groq) -> None:
    assert transcribe_recording(settings, tone_wav(440, 1.0), "audio.wav", None) == "What is the capital of France?"
    assert transcribe_recording(settings, tone_wav(660, 1.0), "audio.wav", "en") == "Tell me a joke about cats."
    first, second = fake_groq.audio.of(TRANSCRIPTION_PATH)
    assert first.fields == {"model": "whisper-large-v3-turbo", "response_format": "json"}
    assert second.fields["language"] == "en"


def test_the_transcription_model_comes_from_settings(monkeypatch, app_env) -> None:
    from settings import load_settings

    monkeypatch.setenv("GROQ_TRANSCRIPTION_MODEL", "whisper-large-v3")
    transcribe_recording(load_settings(), tone_wav(440, 0.5), "audio.wav", None)
    assert app_env.audio.of(TRANSCRIPTION_PATH)[0].fields["model"] == "whisper-large-v3"


@pytest.mark.parametrize("audio, sentence", [
    (b"", EMPTY),
    (tone_wav(0, 0), EMPTY),
    (tone_wav(0, 2.0), SILENT),
    (tone_wav(440, 1.0, amplitude=0.002), SILENT),
])
def test_empty_or_silent_recordings_are_refused_before_groq(settings, fake_groq, audio, sentence) -> None:
    with pytest.raises(VoiceError) as caught:
        transcribe_recording(settings, audio, "audio.wav", None)
    assert str(caught.value) == sentence
    assert fake_groq.audio.of(TRANSCRIPTION_PATH) == []


def test_groq_s_413_and_429_and_an_empty_transcript_are_one_sentence_each(settings, fake_groq) -> None:
    fake_groq.audio.max_bytes = 1000
    with pytest.raises(VoiceError, match=r"^The recording is too large for Groq \(413; at most 25 MB\)"):
        transcribe_recording(settings, tone_wav(440, 1.0), "audio.wav", None)
    fake_groq.audio.max_bytes = 10**8
    fake_groq.audio.fail_next(TRANSCRIPTION_PATH, 429, "Rate limit reached ... Please try again in 7.2s.",
                              "rate_limit_exceeded", retry_after=8)
    with pytest.raises(VoiceError) as caught:
        transcribe_recording(settings, tone_wav(440, 1.0), "audio.wav", None)
    assert str(caught.value) == ("Groq's limit of transcription requests a minute was reached (429): try again in "
                                 "7 s. You can type your message instead.")
    fake_groq.audio.phrases = {440: "   "}
    with pytest.raises(VoiceError, match=f"^{NOTHING_HEARD}$"):
        transcribe_recording(settings, tone_wav(440, 1.0), "audio.wav", None)


def test_a_recording_over_the_setting_s_size_is_not_sent(monkeypatch, app_env) -> None:
    from settings import load_settings

    monkeypatch.setenv("GROQ_AUDIO_MAX_MB", "0.01")
    with pytest.raises(VoiceError, match=r"larger than Groq takes \(0.01 MB\)"):
        transcribe_recording(load_settings(), tone_wav(440, 1.0), "audio.wav", None)
    assert app_env.audio.of(TRANSCRIPTION_PATH) == []


def test_a_spoken_question_is_answered_and_kept_marked(memory_chat, fake_groq, conversations_dir) -> None:
    memory_chat.save("Spoken")
    assert answer_text(spoken_reply(memory_chat, "What is the capital of France?")) == (
        "Echo: What is the capital of France?")
    question, answer = memory_chat.messages
    assert question.voice and question.content == "What is the capital of France?" and not answer.voice
    saved = json.loads(next(conversations_dir.glob("*.json")).read_text())
    assert saved["messages"][0]["voice"] is True and "voice" not in saved["messages"][1]
    # Answered again, it stays a spoken question; a typed one never becomes one.
    answer_text(keep_voice_mark(memory_chat, memory_chat.stream_regenerated()))
    assert memory_chat.messages[0].voice
    ask(memory_chat, "typed")
    assert not memory_chat.messages[2].voice


def test_a_stopped_or_failed_spoken_question_keeps_its_mark(memory_chat, fake_groq) -> None:
    stream = spoken_reply(memory_chat, "Tell me a joke about cats.")
    next(event for event in stream if isinstance(event, str))
    stream.close()
    assert memory_chat.messages[0].voice
    fake_groq.fail_with(500, "boom")
    with pytest.raises(Exception, match="server error"):
        answer_text(spoken_reply(memory_chat, "How tall is Everest?"))
    assert memory_chat.messages[-1].voice and memory_chat.messages[-1].error


def test_an_answer_is_read_a_part_at_a_time_within_groq_s_limit(settings, fake_groq) -> None:
    answer = "**Paris** is the capital of France, and its largest city. " + "It is an old city on the Seine. " * 12
    parts = parts_to_read(settings, answer)
    assert parts[0] == "Paris is the capital of France, and its largest city."
    assert all(len(part) <= 200 for part in parts)
    audio = [speech_of(settings, part, "troy") for part in parts[:2]]
    first, second = fake_groq.audio.of(SPEECH_PATH)
    assert first.fields == {"model": "canopylabs/orpheus-v1-english", "voice": "troy",
                            "input": parts[0], "response_format": "wav"}
    assert audio[0][:4] == b"RIFF" and second.fields["input"] == parts[1]


def test_an_answer_not_in_english_is_not_read(settings) -> None:
    with pytest.raises(VoiceError, match="^Read aloud speaks English only"):
        parts_to_read(settings, "Paris est la capitale de la France. Elle compte environ deux millions d'habitants.")
    with pytest.raises(VoiceError, match="nothing to read"):
        parts_to_read(settings, "---")


ORPHEUS = "canopylabs/orpheus-v1-english"


@pytest.mark.parametrize("terms, status, code, sentence", [
    (False, None, None, f"Read aloud is not available yet: Groq needs {ORPHEUS}'s terms accepted"),
    (True, 403, "permission_denied", f"Read aloud is not available for your Groq key ({ORPHEUS}, 403)."),
    (True, 429, "rate_limit_exceeded", "Groq's limit of Read aloud requests a minute was reached (429): try again"),
])
def test_speech_unavailable_or_limited_is_one_sentence(settings, fake_groq, terms, status, code, sentence) -> None:
    fake_groq.audio.terms_accepted = terms
    if status:
        fake_groq.audio.fail_next(SPEECH_PATH, status, "no", code, retry_after=9)
    with pytest.raises(VoiceError) as caught:
        speech_of(settings, "Hello.", "autumn")
    assert str(caught.value).startswith(sentence)
