"""Read aloud under an answer: its first part is fetched and played at once, the rest fetched while it
plays (static/voice.js plays each part when the one before ends). A click reruns only the button's
fragment; reading a new answer by itself (auto-read) waits until the chat box is drawn."""

from __future__ import annotations

from typing import Any

import streamlit as st

from controller.voice import VoiceError, parts_to_read, speech_of
from models.message import Message
from settings import Settings
from view.voice import voice_settings

READING = "voice.reading"  # the key of the answer being read
NOW = "voice.read_now"  # set by a click: the fragment's own run fetches
LATER = "voice.read_later"  # (container, content, key) for finish_reading, in a full run
HEARD = "voice.heard"  # {key: (WAV parts, error)}: the answer last read, drawn again on later runs


def render_read_aloud(message: Message, key: str, settings: Settings) -> None:
    """The Read aloud button under a finished answer (and its audio, while it is the one being read)."""
    if message.role == "assistant" and not message.error and message.content.strip():
        _read_aloud(message.content, key, settings)


def read_new_answer(controller: Any, window_key: str) -> None:
    """Auto-read: when the Voice settings say so, the answer just finished is read on the next run."""
    answer = controller.messages[-1] if controller.messages else None
    if (voice_settings(controller.settings).auto_read and answer is not None and answer.role == "assistant"
            and not answer.error):
        st.session_state[READING] = f"{window_key}.read.{len(controller.messages) - 1}"
        st.session_state.pop(HEARD, None)


def forget_pending_reading() -> None:
    """At the start of a run: a reading left for the last run's end is not this run's."""
    st.session_state.pop(LATER, None)


def finish_reading(settings: Settings) -> None:
    """After the chat box is drawn: fetch and play the answer a full run left to read (auto-read)."""
    later = st.session_state.pop(LATER, None)
    if later is not None:
        box, content, key = later
        _fetch_into(box, content, key, settings)


@st.fragment
def _read_aloud(content: str, key: str, settings: Settings) -> None:
    st.button("Read aloud", icon=":material/volume_up:", type="tertiary", key=f"{key}.read",
              help="Hear this answer, read by Groq's text-to-speech.", on_click=_start, args=(key,))
    if st.session_state.get(READING) != key:
        return
    box = st.container(key=f"voice-read-{key.replace('.', '-')}")
    heard = st.session_state.get(HEARD, {}).get(key)
    if heard is not None:
        _draw(box, *heard)
    elif st.session_state.pop(NOW, None) == key:
        _fetch_into(box, content, key, settings)
    else:
        st.session_state[LATER] = (box, content, key)


def _start(key: str) -> None:
    st.session_state[READING] = st.session_state[NOW] = key
    st.session_state.pop(HEARD, None)


def _draw(box: Any, parts: list[bytes], error: str | None) -> None:
    for part in parts:
        box.audio(part, format="audio/wav")
    if error:
        box.error(error, icon=":material/volume_off:")


def _fetch_into(box: Any, content: str, key: str, settings: Settings) -> None:
    """Ask for each part in turn, the first played as soon as it arrives."""
    voice = voice_settings(settings).voice
    fetched: list[bytes] = []
    error = None
    try:
        for index, text in enumerate(parts_to_read(settings, content)):
            audio = speech_of(settings, text, voice)
            fetched.append(audio)
            box.audio(audio, format="audio/wav", autoplay=index == 0)
    except VoiceError as failure:
        error = str(failure)
        box.error(error, icon=":material/volume_off:")
    st.session_state[HEARD] = {key: (fetched, error)}
