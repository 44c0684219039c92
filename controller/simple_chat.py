"""The Simple Chatbot's engine: every message is answered on its own."""

from __future__ import annotations

from controller.chat import ChatController
from controller.drafts import KeepsDraft
from models.assistant_settings import AssistantSettings
from models.message import Message
from utils.llm import Answerer, build_simple_engine


class SimpleChatController(KeepsDraft, ChatController):
    """Wraps LlamaIndex's SimpleChatEngine; only the system prompt and the new message are sent.
    The chat is kept as a draft (`KeepsDraft`) from its first message."""

    draft_page = "simple"

    def _replace_from(self, start: int, turn: list[Message]) -> None:
        super()._replace_from(start, turn)
        self.keep_draft()

    def new_chat(self) -> None:
        """Clear the chat, and its draft."""
        super().new_chat()
        self.drop_draft()

    remembers = False

    def _build_engine(self, assistant: AssistantSettings) -> Answerer:
        return build_simple_engine(self.settings, assistant, self.tools)
