"""What both chat pages share: page set-up, the transcript, the key guard and streaming."""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from controller.errors import ChatError
from models.message import Message
from settings import ConfigurationError, Settings, load_settings
from utils.loaders import load_image

MISSING_KEY_HELP = """\
**bnaGPT needs a Groq API key to answer.** Create one at console.groq.com/keys, then either
- put `GROQ_API_KEY=gsk_...` in a file named `.env` next to `Simple_Chatbot.py` (copy `.env.example`),
- or set `GROQ_API_KEY` in the environment before `streamlit run`,
- or add `GROQ_API_KEY = "gsk_..."` to `.streamlit/secrets.toml`,

and reload this page. Saved conversations stay where they are."""

# Characters that Streamlit labels would read as Markdown, colour or emoji directives.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:$<>])")


def escape_markdown(text: str) -> str:
    """Text shown exactly as typed inside a Streamlit label or Markdown call."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


class ChatView:
    """A chat page: subclasses name it, make its controller and may add a sidebar."""

    title = "bnaGPT"
    caption = ""
    state_prefix = "chat"

    def render(self) -> None:
        """Draw the page for this rerun and answer a new message if one was sent."""
        st.set_page_config(page_title=f"{self.title} · bnaGPT", page_icon=load_image("icon.png"))
        st.logo(load_image("logo.png"), icon_image=load_image("icon.png"), size="large")
        settings = self._settings()
        controller = self._controller(settings)
        self.render_sidebar(controller)
        st.title(self.title)
        st.caption(self.caption)
        render_transcript(controller.messages)
        if not settings.groq_api_key:
            st.info(MISSING_KEY_HELP, icon=":material/key:")
            st.stop()
        prompt = st.chat_input("Message bnaGPT", key=f"{self.state_prefix}.prompt", submit_mode="disable")
        if prompt and prompt.strip():
            self.answer(controller, prompt)

    def _settings(self) -> Settings:
        try:
            return load_settings()
        except ConfigurationError as error:
            st.error(f"bnaGPT's configuration needs a fix: {error}")
            st.stop()

    def _controller(self, settings: Settings) -> Any:
        """The page's controller, made once per browser session; this page's state lives here."""
        key = f"{self.state_prefix}.controller"
        if key not in st.session_state:
            self.init_state()
            st.session_state[key] = self.make_controller(settings)
        controller = st.session_state[key]
        controller.configure(settings)
        return controller

    def init_state(self) -> None:
        """Set this page's other session-state keys (namespaced by `state_prefix`)."""

    def make_controller(self, settings: Settings) -> Any:
        raise NotImplementedError

    def render_sidebar(self, controller: Any) -> None:
        """Sidebar content beyond the navigation; none by default."""

    def answer(self, controller: Any, prompt: str) -> str | None:
        """Show the person's message, stream the answer; return its text, or None on failure."""
        with st.chat_message("user"):
            st.markdown(prompt)
        with st.chat_message("assistant"):
            try:
                return st.write_stream(controller.stream_reply(prompt))
            except ChatError as error:
                st.error(str(error), icon=":material/error:")
                return None


def render_transcript(messages: list[Message]) -> None:
    """Draw the conversation so far; an unanswered turn shows why beneath it."""
    for message in messages:
        with st.chat_message(message.role):
            st.markdown(message.content)
        if message.error:
            with st.chat_message("assistant"):
                st.error(message.error, icon=":material/error:")
