"""The person's messages drawn as typed, and what can be done with a message: Copy an answer,
Edit the last question."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from models.message import Message
from view.text import fenced_parts

COPY_HINT = "The answer as Markdown: copy it with the button at the top right."


def render_user_message(text: str) -> None:
    """The person's words as typed (line breaks kept, no Markdown), and their fenced code blocks as code."""
    for language, part in fenced_parts(text):
        if language is None:
            st.text(part)
        else:
            st.code(part, language=language or None, wrap_lines=True)


def render_copy(message: Message, key: str) -> None:
    """A Copy menu under an answer; its code block's own copy button puts the Markdown on the clipboard."""
    # Streamlit has no clipboard call; st.code's button copies even where the page is not https.
    # Drawn only while open, so a long transcript does not send every answer twice.
    menu = st.popover("Copy", icon=":material/content_copy:", type="tertiary", key=key, on_change="rerun")
    if menu.open:
        with menu:
            st.caption(COPY_HINT)
            st.code(message.content, language="markdown", wrap_lines=True)


def render_edit(message: Message, key: str, send: Callable[[str], None]) -> None:
    """An Edit menu for the last question: the words, changed, are sent again in its place."""
    menu = st.popover("Edit", icon=":material/edit:", type="tertiary", key=key, on_change="rerun",
                      help="Change your last message and send it again; the new answer replaces the old one.")
    if not menu.open:
        return
    with menu, st.form(f"{key}.form", border=False):
        st.text_area("Your message", value=message.content, key=f"{key}.text")
        st.form_submit_button("Send", icon=":material/send:", type="primary", on_click=_send_edit, args=(key, send))


def _send_edit(key: str, send: Callable[[str], None]) -> None:
    text = st.session_state[f"{key}.text"]
    if text.strip():
        st.session_state[key] = False  # the menu closes
        send(text)
