"""The Simple Chatbot page: each message answered on its own."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

import streamlit as st

from controller.simple_chat import SimpleChatController
from settings import Settings
from view.assistant_panel import AssistantPanel
from view.chat_view import ChatView
from view.drafts import begin_turn, open_linked_draft, sync_address, use_drafts
from view.page_style import apply_page_style


class SimpleChatView(ChatView):
    """Every message goes to the model alone; the transcript is only for the person."""

    title = "Simple Chatbot"
    caption = "Each message is answered on its own: the assistant does not see earlier turns."
    state_prefix = "simple"

    def make_controller(self, settings: Settings) -> SimpleChatController:
        controller = SimpleChatController(settings)
        use_drafts(controller, settings)
        open_linked_draft(controller, settings)  # a reload shows the chat again
        return controller

    def render_sidebar(self, controller: SimpleChatController, assistant_panel: AssistantPanel) -> None:
        apply_page_style()
        if st.sidebar.button("Clear chat", width="stretch", key="simple.clear"):
            controller.new_chat()
        sync_address(None, controller.draft_id)
        if controller.draft_problem:
            st.sidebar.warning(controller.draft_problem, icon=":material/sync_problem:")
        assistant_panel.render()

    def answer(self, controller: SimpleChatController, prompt: str, stream: Iterator[Any],
               attachments: Sequence[Any] = ()) -> NoReturn:
        begin_turn(controller, prompt, attachments)  # the tab's address names its draft before the first answer
        super().answer(controller, prompt, stream, attachments)
