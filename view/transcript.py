"""The transcript: the newest messages of a conversation, each drawn with what belongs to it (files,
thinking, tool steps, sources, Copy, Read aloud), and older ones behind "Show earlier messages"."""

from __future__ import annotations

from typing import Any

import streamlit as st

from models.message import Message
from view.answer_stream import render_answer
from view.attachments import render_attached
from view.message_actions import render_copy, render_user_message
from view.read_aloud import render_read_aloud
from view.voice import render_voice_mark

# Every rerun draws every message it shows again, and the browser takes each one in again, so a
# long conversation shows its newest messages only, and older ones a step at a time on request (B4).
TRANSCRIPT_WINDOW = 20
EARLIER_STEP = 100


def render_transcript(messages: list[Message], window_key: str, controller: Any) -> None:
    """Draw the newest messages of the conversation (an unanswered turn shows why beneath it);
    older ones wait behind "Show earlier messages"."""
    shown = _window_size(window_key, controller)
    hidden = max(0, len(messages) - shown)
    if hidden:
        st.caption(f"{hidden} earlier message{'' if hidden == 1 else 's'} not shown.")
        st.button("Show earlier messages", icon=":material/expand_less:", type="tertiary", key=f"{window_key}.more",
                  on_click=_show_earlier, args=(window_key,))
    for index, message in enumerate(messages[hidden:], start=hidden):
        with st.chat_message(message.role):
            if message.role == "assistant":
                render_answer(message)
                render_copy(message, f"{window_key}.copy.{index}")
                render_read_aloud(message, f"{window_key}.read.{index}", controller.settings)
            else:
                render_user_message(message.content)
                render_attached(message.attachments, controller.files)
                if message.voice:
                    render_voice_mark(message, controller.recordings)
        if message.error:
            with st.chat_message("assistant"):
                st.error(message.error, icon=":material/error:")


def _window_size(window_key: str, controller: Any) -> int:
    """How many messages to show: the default again whenever another conversation is shown."""
    # A load bumps the generation; a new chat starts with another first message, compared as an
    # object ("hi" twice is still two chats).
    conversation = (controller.assistant_generation, controller.messages[0] if controller.messages else None)
    saved = st.session_state.get(window_key)
    same = saved is not None and saved[0][0] == conversation[0] and saved[0][1] is conversation[1]
    size = saved[1] if same else TRANSCRIPT_WINDOW
    st.session_state[window_key] = (conversation, size)
    return size


def _show_earlier(window_key: str) -> None:
    conversation, size = st.session_state[window_key]
    st.session_state[window_key] = (conversation, size + EARLIER_STEP)
