"""The chat box, in one place: how st.chat_input is called and what its value holds (typed words,
files attached to them, and a recording from its microphone)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from models.attachments import FILE_TYPES

PLACEHOLDER = "Message bnaGPT"


def render_chat_box(prefix: str, on_submit: Callable[[], None], max_upload_mb: float) -> None:
    """The chat box pinned under the page: files (images and documents, by drag and drop, paste or its
    button) go with the words; its microphone records a spoken message (16 kHz WAV). A file over
    `max_upload_mb` is refused beside its name: server.maxUploadSize is an import's larger limit."""
    st.chat_input(PLACEHOLDER, key=f"{prefix}.prompt", submit_mode="stop", on_submit=on_submit, accept_audio=True,
                  accept_file="multiple", file_type=list(FILE_TYPES), max_upload_size=max(1, int(max_upload_mb)))


def typed_text(value: Any) -> str:
    """The words typed in a submitted chat box value ("" when only a recording was sent)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else (value.text or "")


def recording_in(value: Any) -> Any:
    """The recording (an UploadedFile) in a submitted chat box value, or None."""
    return None if value is None or isinstance(value, str) else getattr(value, "audio", None)
