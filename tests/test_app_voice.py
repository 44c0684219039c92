"""Voice on the pages through AppTest: Voice settings (review first, language, auto-read, voice, keep
recordings), Read aloud's sentences. AppTest's chat box cannot record, so a recording is handed over as
the chat box's callback would (the browser tests record for real)."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.app_driver import MEMORY_PAGE, assert_no_exception, click, save_as, send, start_app, transcript
from tests.fake_groq_audio import SPEECH_PATH, TRANSCRIPTION_PATH, tone_wav

QUESTION = "What is the capital of France?"


def speak(app: AppTest, prefix: str = "simple", frequency: int = 440) -> AppTest:
    """A recording sent from the chat box's microphone (what its callback keeps for the run)."""
    app.session_state[f"{prefix}.voice.recording"] = (tone_wav(frequency, 1.0), "audio.wav", "")
    app.run()
    assert_no_exception(app)
    return app


def set_voice(app: AppTest, label: str, value, prefix: str = "simple") -> AppTest:
    [widget] = [w for w in [*app.sidebar.toggle, *app.sidebar.selectbox] if w.label == label]
    widget.set_value(value).run()
    assert_no_exception(app)
    return app


def test_a_spoken_question_is_sent_and_its_language_only_when_set(app_env) -> None:
    app = speak(start_app())
    assert transcript(app) == [("user", QUESTION), ("assistant", f"Echo: {QUESTION}")]
    assert [caption.value for caption in app.main.chat_message[0].caption] == [":material/mic: from voice"]
    assert not app.main.chat_message[1].caption or "from voice" not in app.main.chat_message[1].caption[0].value
    assert "language" not in app_env.audio.of(TRANSCRIPTION_PATH)[0].fields
    set_voice(app, "Language you speak", "fr")
    speak(app, frequency=660)
    assert app_env.audio.of(TRANSCRIPTION_PATH)[1].fields["language"] == "fr"


def test_review_before_sending_shows_the_transcript_to_change_or_discard(app_env) -> None:
    app = set_voice(start_app(), "Review the transcript before sending", True)
    speak(app)
    assert transcript(app) == [] and app_env.chat_requests() == []
    [box] = [area for area in app.main.text_area if area.key == "simple.voice.transcript"]
    assert box.value == QUESTION
    box.set_value("What is the capital of Italy?")
    click(app, "Send")
    assert transcript(app) == [("user", "What is the capital of Italy?"),
                               ("assistant", "Echo: What is the capital of Italy?")]
    speak(app, frequency=660)
    click(app, "Discard")
    assert len(transcript(app)) == 2 and not [area for area in app.main.text_area if area.key.endswith("transcript")]


def test_recordings_are_kept_only_when_asked_and_transcripts_always(app_env, conversations_dir) -> None:
    app = speak(start_app(MEMORY_PAGE), "memory")
    save_as(app, "Spoken")
    saved = json.loads(next(conversations_dir.glob("*.json")).read_text())
    assert saved["messages"][0] == {"role": "user", "content": QUESTION, "voice": True}
    assert not (conversations_dir / ".recordings").exists()
    set_voice(app, "Keep recordings with the conversation", True, "memory")
    speak(app, "memory", 660)
    saved = json.loads(next(conversations_dir.glob("*.json")).read_text())
    kept = saved["messages"][2]["recording"]
    assert (conversations_dir / ".recordings" / kept).read_bytes() == tone_wav(660, 1.0)
    assert len(app.main.get("audio")) == 1  # played back under its question


def test_read_aloud_and_auto_read(app_env) -> None:
    app = send(start_app(), "hello")
    click(app, "Read aloud")
    [spoken] = app_env.audio.of(SPEECH_PATH)
    assert spoken.fields["input"] == "Echo: hello." and len(app.main.get("audio")) == 1
    set_voice(app, "Voice", "troy")
    set_voice(app, "Read new answers aloud", True)
    send(app, "again")
    assert app_env.audio.of(SPEECH_PATH)[-1].fields == {
        "model": "canopylabs/orpheus-v1-english", "voice": "troy", "input": "Echo: again.", "response_format": "wav"}


def test_an_answer_groq_cannot_speak_is_not_read(app_env) -> None:
    app_env.reply_with("Paris est la capitale de la France. Elle compte environ deux millions d'habitants.")
    app = send(start_app(), "Réponds en français")
    click(app, "Read aloud")
    assert [error.value for error in app.main.error] == [
        "Read aloud speaks English only (Groq's canopylabs/orpheus-v1-english), and this answer is not in English, "
        "so it is not read rather than read as gibberish."]
    assert app_env.audio.of(SPEECH_PATH) == []
