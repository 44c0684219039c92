"""The microphone's side of Voice: the Voice settings, a recording from the chat box turned into the
question (or into a transcript to review first), its one-sentence errors, and the "from voice" mark."""

from __future__ import annotations

from typing import Any

import streamlit as st

from controller.voice import VoiceError, keep_recording, transcribe_recording
from models.message import Message
from models.store import RecordingArea, StoreError, recording_media_type
from models.voice_settings import VoiceSettings
from settings import Settings
from utils.llm.audio import SPEECH_VOICES, WHISPER_LANGUAGES
from view.chat_box import recording_in, typed_text
from view.page_style import add_script

SETTINGS_KEY = "voice.settings"  # one VoiceSettings per browser tab, for both pages
FROM_VOICE = ":material/mic: from voice"
TRANSCRIBING = "Transcribing your recording…"
RECORDING_UNREACHABLE = "Its recording can't be played now: the saved conversations can't be reached."
REVIEW_HINT = "Your recording, as Groq heard it: change it if needed, then send it."


def voice_settings(settings: Settings) -> VoiceSettings:
    """This tab's Voice settings (the default voice from GROQ_SPEECH_VOICE)."""
    if SETTINGS_KEY not in st.session_state:
        voice = settings.speech_voice if settings.speech_voice in SPEECH_VOICES else SPEECH_VOICES[0]
        st.session_state[SETTINGS_KEY] = VoiceSettings(voice=voice)
    return st.session_state[SETTINGS_KEY]


def render_voice_settings(prefix: str, settings: Settings) -> None:
    """The sidebar's Voice settings, and the page's voice script (microphone errors, Read aloud's parts)."""
    add_script("voice.js")
    current = voice_settings(settings)
    languages = [None, *WHISPER_LANGUAGES]
    with st.sidebar.expander("Voice", icon=":material/mic:"):
        review = st.toggle("Review the transcript before sending", value=current.review, key=f"{prefix}.voice.review")
        language = st.selectbox(
            "Language you speak", languages, index=languages.index(current.language), key=f"{prefix}.voice.language",
            format_func=lambda code: "Detect automatically" if code is None else WHISPER_LANGUAGES[code],
            help="Naming it helps Groq transcribe short messages.")
        auto_read = st.toggle("Read new answers aloud", value=current.auto_read, key=f"{prefix}.voice.auto_read")
        voice = st.selectbox("Voice", SPEECH_VOICES, index=SPEECH_VOICES.index(current.voice),
                             key=f"{prefix}.voice.voice", format_func=str.capitalize)
        keep = st.toggle("Keep recordings with the conversation", value=current.keep_recordings,
                         key=f"{prefix}.voice.keep", help="Off: only the transcript is kept.")
    st.session_state[SETTINGS_KEY] = VoiceSettings(voice=voice, review=review, language=language,
                                                   auto_read=auto_read, keep_recordings=keep)


def take_recording(prefix: str, value: Any) -> bool:
    """From the chat box's callback: keep a submitted recording for this run to transcribe (True), or not."""
    recording = recording_in(value)
    if recording is None:
        return False
    st.session_state[f"{prefix}.voice.recording"] = (recording.getvalue(), recording.name or "recording.wav",
                                                     typed_text(value))
    return True


def spoken_question(prefix: str, settings: Settings, recordings: RecordingArea | None) -> tuple[str, str | None] | None:
    """The spoken question to answer in this run, as (its words, its kept recording), if there is one; else
    the transcript under review, or why a recording could not be used, is drawn."""
    prefs = voice_settings(settings)
    pending = st.session_state.pop(f"{prefix}.voice.recording", None)
    if pending is not None:
        audio, name, typed = pending
        try:
            with st.spinner(TRANSCRIBING):
                heard = transcribe_recording(settings, audio, name, prefs.language)
        except VoiceError as error:
            st.error(str(error), icon=":material/mic_off:")
            return None
        words = f"{typed.strip()} {heard}" if typed.strip() else heard
        recording = keep_recording(recordings, audio, name) if prefs.keep_recordings else None
        if not prefs.review:
            return words, recording
        st.session_state[f"{prefix}.voice.pending"] = (words, recording)
        st.session_state[f"{prefix}.voice.transcript"] = words  # the box shows the new words
    sent = st.session_state.pop(f"{prefix}.voice.send", None)
    if sent is not None:
        return sent
    if f"{prefix}.voice.pending" in st.session_state:
        _render_review(prefix)
    return None


def _render_review(prefix: str) -> None:
    # The box's own state goes when a run does not draw it (an answer's run): the words are kept beside it.
    st.session_state.setdefault(f"{prefix}.voice.transcript", st.session_state[f"{prefix}.voice.pending"][0])
    with st.container(border=True, key=f"{prefix}-voice-review"):
        st.caption(REVIEW_HINT)
        st.text_area("Transcript", key=f"{prefix}.voice.transcript", label_visibility="collapsed")
        with st.container(horizontal=True, gap="small"):
            st.button("Send", icon=":material/send:", type="primary", key=f"{prefix}.voice.send_button",
                      on_click=_send_reviewed, args=(prefix,))
            st.button("Discard", icon=":material/delete:", type="tertiary", key=f"{prefix}.voice.discard",
                      on_click=_discard_review, args=(prefix,))


def _send_reviewed(prefix: str) -> None:
    words = st.session_state.get(f"{prefix}.voice.transcript", "")
    if words.strip():
        _, recording = st.session_state.pop(f"{prefix}.voice.pending")
        st.session_state[f"{prefix}.voice.send"] = (words, recording)
        del st.session_state[f"{prefix}.voice.transcript"]


def _discard_review(prefix: str) -> None:
    st.session_state.pop(f"{prefix}.voice.pending", None)
    st.session_state.pop(f"{prefix}.voice.transcript", None)


def render_voice_mark(message: Message, recordings: RecordingArea | None) -> None:
    """Under a spoken question: the "from voice" mark, and its recording when it was kept (from the
    store, so that any server of a shared database plays it)."""
    st.caption(FROM_VOICE)
    if not message.recording or recordings is None:
        return
    try:
        kept = recordings.read(message.recording)
    except StoreError:
        st.caption(RECORDING_UNREACHABLE)
        return
    if kept is not None:  # none: removed by hand since
        st.audio(kept, format=recording_media_type(message.recording))
