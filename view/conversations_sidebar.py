"""The memory page's sidebar: Save, New chat, the Saved conversations list and Import.

Its labels are a contract that browser automation relies on: Save, Conversation name,
Confirm save, New chat, Saved conversations, Load, Rename, New name, Confirm rename, Export
Markdown, Export JSON, Delete, Yes, delete, Show more, Import conversations.
The open conversation's name is kept in the page's address (`?chat=<name>`), so a reload, or
the link opened later, shows it again (`conversation_actions.open_linked_conversation`).
"""

from __future__ import annotations

import streamlit as st

from controller.memory_chat import MemoryChatController
from view.assistant_panel import AssistantPanel
from view.conversation_actions import LINK_PARAM, ConversationActions, quoted
from view.conversation_dialogs import show_pending_dialog
from view.conversation_list import render_conversation_list
from view.sidebar_state import SAVE_NAME_KEY, sidebar_state


class ConversationsSidebar:
    """Draws the sidebar; what the person asks of it is carried out by ConversationActions."""

    def __init__(self, controller: MemoryChatController, assistant_panel: AssistantPanel) -> None:
        self.controller = controller
        self.actions = ConversationActions(controller)
        self.assistant_panel = assistant_panel
        self._status_slot = None  # where the autosave status is drawn, so a turn can update it

    def render(self) -> None:
        """Draw Save / New chat / Saved conversations / Import, then any pending confirmation."""
        state = sidebar_state()
        if state.flash:
            icon, text = state.flash
            state.flash = None
            st.toast(text, icon=icon)
        self._keep_link()
        with st.sidebar:
            save_column, new_column = st.columns(2)
            if save_column.button("Save", type="primary", width="stretch", key="memory.save"):
                self.actions.open_save()
            if new_column.button("New chat", width="stretch", key="memory.new_chat"):
                self.actions.leave_chat(None)
            if state.save_open:
                self._save_form()
            self._status_slot = st.empty()
            self.show_autosave_status()
            self.assistant_panel.render()
            st.subheader("Saved conversations")
            render_conversation_list(self.actions)
            if st.button("Import conversations", icon=":material/upload_file:", width="stretch", key="memory.import"):
                self.actions.ask("import", None)
        show_pending_dialog(self.actions)

    def _keep_link(self) -> None:
        """Keep the open conversation's name in the address, so a reload comes back to it."""
        name = self.controller.name
        if name and st.query_params.get(LINK_PARAM) != name:
            st.query_params[LINK_PARAM] = name
        elif not name and LINK_PARAM in st.query_params:
            del st.query_params[LINK_PARAM]

    def show_autosave_status(self) -> None:
        """Say where turns are being saved, or why the last one could not be (drawn again after a turn)."""
        if self.controller.autosave_problem:
            self._status_slot.warning(self.controller.autosave_problem, icon=":material/sync_problem:")
        elif self.controller.name:
            self._status_slot.caption(f":material/cloud_done: Saving every turn to {quoted(self.controller.name)}.")
        else:
            self._status_slot.empty()

    def _save_form(self) -> None:
        st.text_input("Conversation name", key=SAVE_NAME_KEY, max_chars=120)
        if st.button("Confirm save", type="primary", width="stretch", key="memory.confirm_save"):
            self.actions.save(st.session_state[SAVE_NAME_KEY])
