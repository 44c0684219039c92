"""The Simple Chatbot page: each message answered on its own."""

from __future__ import annotations

import streamlit as st

from controller.simple_chat import SimpleChatController
from settings import Settings
from view.assistant_panel import AssistantPanel
from view.chat_view import ChatView


class SimpleChatView(ChatView):
    """Every message goes to the model alone; the transcript is only for the person."""

    title = "Simple Chatbot"
    caption = "Each message is answered on its own: the assistant does not see earlier turns."
    state_prefix = "simple"

    def make_controller(self, settings: Settings) -> SimpleChatController:
        return SimpleChatController(settings)

    def render_sidebar(self, controller: SimpleChatController, assistant_panel: AssistantPanel) -> None:
        if st.sidebar.button("Clear chat", width="stretch", key="simple.clear"):
            controller.new_chat()
        assistant_panel.render()
