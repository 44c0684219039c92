"""The Chatbot With Memory page: a remembered conversation, saved and loaded by name."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

import streamlit as st

from controller.memory_chat import MemoryChatController
from settings import Settings
from view.accounts import current_owner
from view.assistant_panel import AssistantPanel
from view.attachments import render_conversation_files
from view.chat_view import ChatView
from view.conversation_actions import open_linked_conversation
from view.conversations_sidebar import ConversationsSidebar
from view.drafts import begin_turn, open_linked_draft
from view.loaders import load_store


class MemoryChatView(ChatView):
    """A conversation the agent remembers, with the saved conversations in the sidebar."""

    title = "Chatbot With Memory"
    caption = "The assistant remembers this conversation. Save it from the sidebar to come back to it."
    state_prefix = "memory"

    def make_controller(self, settings: Settings) -> MemoryChatController:
        try:
            store = load_store(settings, current_owner())
        except OSError as error:
            st.error(f"Conversations cannot be kept in {settings.conversations_dir}: {error.strerror or error}.")
            st.stop()
        controller = MemoryChatController(settings, store)
        controller.use_drafts(store.drafts, settings.draft_days)
        open_linked_conversation(controller)  # a reload or a shared link shows its conversation again
        if controller.name is None:
            open_linked_draft(controller, settings)  # or the chat without a name this tab had
        return controller

    def render_files(self, controller: MemoryChatController) -> None:
        render_conversation_files(controller.conversation_files(), controller.remove_file)

    def render_sidebar(self, controller: MemoryChatController, assistant_panel: AssistantPanel) -> None:
        self.sidebar = ConversationsSidebar(controller, assistant_panel, self.sending)
        self.sidebar.render()

    def answer(self, controller: MemoryChatController, prompt: str, stream: Iterator[Any],
               attachments: Sequence[Any] = ()) -> NoReturn:
        begin_turn(controller, prompt, attachments)  # the tab's address names its draft before the first answer
        super().answer(controller, prompt, stream, attachments)
