"""The memory page's sidebar: Save, New chat, the Saved conversations list and Import.

Its labels are a contract that browser automation relies on: Save, Conversation name,
Confirm save, New chat, Saved conversations, Load, Rename, New name, Confirm rename, Export
Markdown, Export JSON, Delete, Yes, delete, Show more, Import conversations.
The open conversation's name is kept in the page's address (`?chat=<name>`), so a reload, or
the link opened later, shows it again (`conversation_actions.open_linked_conversation`); a chat
without a name keeps its draft there instead (`?draft=<id>`, view/drafts.py).
"""

from __future__ import annotations

import streamlit as st

from controller.memory_chat import MemoryChatController
from view.assistant_panel import AssistantPanel
from view.conversation_actions import ConversationActions, quoted
from view.conversation_dialogs import show_pending_dialog
from view.conversation_list import render_conversation_list
from view.drafts import sync_address
from view.page_style import apply_page_style, close_sidebar_on_phone
from view.sidebar_state import SAVE_NAME_KEY, sidebar_state
from view.store_reconnect import render_reconnect

NOTHING_TO_SAVE = "Nothing to save yet: send a message first."


class ConversationsSidebar:
    """Draws the sidebar; what the person asks of it is carried out by ConversationActions."""

    def __init__(self, controller: MemoryChatController, assistant_panel: AssistantPanel, sending: bool) -> None:
        self.controller = controller
        self.sending = sending  # a message sent in this run is answered after the sidebar is drawn
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
        if state.close_sidebar:  # after Load, Save or New chat: the chat is what a phone shows next
            state.close_sidebar = False
            close_sidebar_on_phone()
        apply_page_style()
        sync_address(self.controller.name, self.controller.draft_id)
        with st.sidebar:
            save_column, new_column = st.columns(2)
            # On a named chat, Save makes a copy under another name (autosave then writes there).
            label = "Save as…" if self.controller.name else "Save"
            empty = not self.controller.messages and not self.sending  # the message sent counts already
            if save_column.button(label, type="primary", width="stretch", key="memory.save", disabled=empty,
                                  help=NOTHING_TO_SAVE if empty else None):
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
            if render_reconnect(self.controller):
                self.show_autosave_status()  # the waiting turns are saved now
            if st.button("Import conversations", icon=":material/upload_file:", width="stretch", key="memory.import"):
                self.actions.ask("import", None)
        show_pending_dialog(self.actions)

    def show_autosave_status(self) -> None:
        """Say where turns are being saved, or why the last one could not be (drawn again after a turn)."""
        if self.controller.autosave_problem:
            self._status_slot.warning(self.controller.autosave_problem, icon=":material/sync_problem:")
        elif self.controller.draft_problem:
            self._status_slot.warning(self.controller.draft_problem, icon=":material/sync_problem:")
        elif self.controller.name:
            self._status_slot.caption(f":material/cloud_done: Saving every turn to {quoted(self.controller.name)}.")
        else:
            self._status_slot.empty()

    def _save_form(self) -> None:
        # A form, so that Enter in the name box saves as Confirm save does.
        with st.form("memory.save_form", border=False):
            st.text_input("Conversation name", key=SAVE_NAME_KEY, max_chars=120)
            if st.form_submit_button("Confirm save", type="primary", width="stretch"):
                self.actions.save(st.session_state[SAVE_NAME_KEY])
