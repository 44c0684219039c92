"""The Chatbot With Memory page: a remembered conversation, saved and loaded by name."""

from __future__ import annotations

import streamlit as st

from controller.memory_chat import MemoryChatController
from settings import Settings
from view.assistant_panel import AssistantPanel
from view.chat_view import ChatView
from view.conversation_actions import open_linked_conversation
from view.conversations_sidebar import ConversationsSidebar
from view.loaders import load_store


class MemoryChatView(ChatView):
    """A conversation the agent remembers, with the saved conversations in the sidebar."""

    title = "Chatbot With Memory"
    caption = "The assistant remembers this conversation. Save it from the sidebar to come back to it."
    state_prefix = "memory"

    def make_controller(self, settings: Settings) -> MemoryChatController:
        try:
            store = load_store(str(settings.conversations_dir))
        except OSError as error:
            st.error(f"Conversations cannot be kept in {settings.conversations_dir}: {error.strerror or error}.")
            st.stop()
        controller = MemoryChatController(settings, store)
        open_linked_conversation(controller)  # a reload or a shared link shows its conversation again
        return controller

    def render_sidebar(self, controller: MemoryChatController, assistant_panel: AssistantPanel) -> None:
        self.sidebar = ConversationsSidebar(controller, assistant_panel)
        self.sidebar.render()
