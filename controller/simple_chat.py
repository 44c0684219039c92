"""The Simple Chatbot's engine: every message is answered on its own."""

from __future__ import annotations

from controller.chat import ChatController
from utils.llm import Answerer, build_simple_engine


class SimpleChatController(ChatController):
    """Wraps LlamaIndex's SimpleChatEngine; only the system prompt and the new message are sent."""

    remembers = False

    def _build_engine(self) -> Answerer:
        return build_simple_engine(self.settings, self.assistant)
