"""The Simple Chatbot's engine: every message is answered on its own."""

from __future__ import annotations

from typing import Any

from controller.chat import ChatController
from utils.llama import build_simple_engine


class SimpleChatController(ChatController):
    """Wraps LlamaIndex's SimpleChatEngine; only the new message is sent to the model."""

    _engine: Any = None

    def _start_stream(self, prompt: str) -> Any:
        if self._engine is None:
            self._engine = build_simple_engine(self.settings)
        # An empty history each time: the transcript is for the person, not the model.
        return self._engine.stream_chat(prompt, chat_history=[])

    def _forget_engine(self) -> None:
        self._engine = None
