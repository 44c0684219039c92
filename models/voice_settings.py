"""The Voice settings of a browser tab (both pages share them): plain data, no Streamlit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VoiceSettings:
    """How the microphone and Read aloud behave for one person."""

    voice: str  # Orpheus' voice for Read aloud
    review: bool = False  # show the transcript for a check before it is sent
    language: str | None = None  # ISO-639-1 sent to Whisper; None: Groq detects it
    auto_read: bool = False  # read each new answer aloud when it is finished
    keep_recordings: bool = False  # keep the recording with the conversation (transcripts always are)
