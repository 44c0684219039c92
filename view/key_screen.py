"""The screen shown while bnaGPT has no Groq key, and the key a person may give for one browser session."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from settings import Settings

# settings.py reads secrets.toml and .env again on every rerun; the environment is read at start only.
MISSING_KEY_HELP = """\
**bnaGPT needs a Groq API key to answer.** Create one at
[console.groq.com/keys](https://console.groq.com/keys), then either
- put `GROQ_API_KEY=gsk_...` in a file named `.env` next to `Simple_Chatbot.py` (`cp .env.example .env`, then edit it),
- or add `GROQ_API_KEY = "gsk_..."` to `.streamlit/secrets.toml`,

and reload this page: both files are read again, no restart needed. Setting `GROQ_API_KEY` in the
environment works too, but only for a server started after it (restart `streamlit run`).
Saved conversations stay where they are."""
SESSION_KEY_LABEL = "Use a key for this browser session"
SESSION_KEY = "groq.session_key"  # in this session's memory only: never written, never logged
_SESSION_KEY_BOX = "groq.session_key_box"


def with_session_key(settings: Settings) -> Settings:
    """The settings, with the key given on the no-key screen when none is configured."""
    key = st.session_state.get(SESSION_KEY)
    return replace(settings, groq_api_key=key) if key and not settings.groq_api_key else settings


def render_missing_key() -> None:
    """How to set a key, and a box to use one for this browser session only."""
    st.info(MISSING_KEY_HELP, icon=":material/key:")
    st.text_input(SESSION_KEY_LABEL, type="password", key=_SESSION_KEY_BOX, on_change=_take_session_key,
                  placeholder="gsk_...", help="Kept in memory for this tab until it is closed or reloaded; "
                                              "never saved to a file.")


def _take_session_key() -> None:
    # The box is not drawn once a key is in use, and Streamlit forgets a widget that is not drawn.
    st.session_state[SESSION_KEY] = st.session_state[_SESSION_KEY_BOX].strip() or None
