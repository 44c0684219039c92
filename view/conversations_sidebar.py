"""The memory page's sidebar: Save, New chat and the Saved conversations list.

Its labels are a contract that browser automation relies on: Save, Conversation name,
Confirm save, New chat, Saved conversations, Load, Delete, Yes, delete.
Confirmations are dialogs opened whenever `memory.confirm` is set, so the flow works the
same in the browser and in AppTest (which cannot click into a dialog another button opened).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Callable

import streamlit as st

from controller.memory_chat import MemoryChatController
from models.conversation_store import ConversationExists, StoreError
from view.assistant_panel import AssistantPanel
from view.chat_view import escape_markdown

STATE_DEFAULTS = {
    "memory.save_open": False,  # the name box under Save is showing
    "memory.confirm": None,  # (action, name) awaiting a yes in a dialog
    "memory.flash": None,  # (icon, text) to toast after the next rerun
    "memory.replace_reason": "",  # why saving needs a yes to replace
}


def _quoted(name: str) -> str:
    return f"“{escape_markdown(name)}”"


def _updated_label(iso_time: str) -> str:
    try:
        return datetime.fromisoformat(iso_time).strftime("%d %b %Y, %H:%M UTC")
    except ValueError:
        return iso_time


def _clear_confirm() -> None:
    st.session_state["memory.confirm"] = None


class ConversationsSidebar:
    """Draws the sidebar and carries out what the person asks of it."""

    def __init__(self, controller: MemoryChatController, assistant_panel: AssistantPanel) -> None:
        self.controller = controller
        self.assistant_panel = assistant_panel
        self.state = st.session_state

    def render(self) -> None:
        """Draw Save / New chat / Saved conversations, then any pending confirmation."""
        if self.state["memory.flash"]:
            icon, text = self.state["memory.flash"]
            self.state["memory.flash"] = None
            st.toast(text, icon=icon)
        with st.sidebar:
            save_column, new_column = st.columns(2)
            if save_column.button("Save", type="primary", width="stretch", key="memory.save"):
                self.state["memory.save_open"] = True
                self.state["memory.save_name"] = self.controller.suggested_name()
            if new_column.button("New chat", width="stretch", key="memory.new_chat"):
                self._leave_chat(None)
            if self.state["memory.save_open"]:
                self._save_form()
            self.assistant_panel.render()
            st.subheader("Saved conversations")
            self._conversation_list()
        self._confirmation_dialog()

    def _save_form(self) -> None:
        st.text_input("Conversation name", key="memory.save_name", max_chars=120)
        if st.button("Confirm save", type="primary", width="stretch", key="memory.confirm_save"):
            self._save(self.state["memory.save_name"])

    def _save(self, name: str, replace: bool = False) -> None:
        if not self.controller.messages:
            st.error("Nothing to save yet: send a message first.")
            return
        try:
            summary = self.controller.save(name, replace=replace)
        except ConversationExists as exists:
            self.state["memory.confirm"] = ("replace", name)
            self.state["memory.replace_reason"] = str(exists)
            return
        except (StoreError, OSError) as error:
            st.error(str(error))
            return
        self.state["memory.save_open"] = False
        self._done(":material/check_circle:", f"Saved {_quoted(summary.name)}.")

    def _conversation_list(self) -> None:
        try:
            listing = self.controller.list_conversations()
        except (StoreError, OSError) as error:
            st.error(f"Saved conversations could not be listed: {error}")
            return
        for problem in listing.problems:
            st.warning(problem, icon=":material/healing:")
        if not listing.conversations:
            st.caption("No saved conversations yet.")
        for summary in listing.conversations:
            token = hashlib.sha256(summary.name.encode()).hexdigest()[:16]
            is_open = summary.name == self.controller.name
            icon = ":material/radio_button_checked:" if is_open else ":material/chat_bubble:"
            with st.popover(escape_markdown(summary.name), icon=icon, width="stretch"):
                st.caption(f"{summary.message_count} messages · updated {_updated_label(summary.updated)}")
                if st.button("Load", type="primary", key=f"memory.load.{token}"):
                    self._leave_chat(summary.name)
                if st.button("Delete", key=f"memory.delete.{token}"):
                    self.state["memory.confirm"] = ("delete", summary.name)

    def _leave_chat(self, name: str | None) -> None:
        """Load `name` (None: start a new chat), asking first if that would drop unsaved turns."""
        if self.controller.has_unsaved_turns:
            self.state["memory.confirm"] = ("discard", name)
            return
        self._switch(name)

    def _switch(self, name: str | None) -> None:
        if name is None:
            self.controller.new_chat()
            self._done(":material/edit_square:", "Started a new chat.")
            return
        self._attempt(lambda: self.controller.load(name), ":material/folder_open:", f"Loaded {_quoted(name)}.")

    def _delete(self, name: str) -> None:
        self._attempt(lambda: self.controller.delete(name), ":material/delete:", f"Deleted {_quoted(name)}.")

    def _attempt(self, action: Callable[[], object], icon: str, success: str) -> None:
        """Run a store action: show a refusal in place, or toast the success after a rerun."""
        try:
            action()
        except (StoreError, OSError) as error:
            _clear_confirm()
            st.error(str(error))
            return
        self._done(icon, success)

    def _done(self, icon: str, text: str) -> None:
        """Close any confirmation, queue a toast and redraw the page (st.rerun never returns)."""
        self.state["memory.confirm"] = None
        self.state["memory.flash"] = (icon, text)
        st.rerun()

    def _confirmation_dialog(self) -> None:
        pending = self.state["memory.confirm"]
        if pending:
            action, name = pending
            DIALOGS[action](self, name)


def _yes_or_cancel(yes_label: str, yes_key: str) -> bool:
    yes_column, cancel_column = st.columns(2)
    if cancel_column.button("Cancel", width="stretch", key=f"{yes_key}.cancel"):
        _clear_confirm()
        st.rerun()
    return yes_column.button(yes_label, type="primary", width="stretch", key=yes_key)


@st.dialog("Replace saved conversation?", on_dismiss=_clear_confirm)
def _confirm_replace(sidebar: ConversationsSidebar, name: str) -> None:
    # Either another conversation has this name, or ours was changed elsewhere meanwhile.
    st.markdown(f"{escape_markdown(sidebar.state['memory.replace_reason'])} Replace it with this chat?")
    if _yes_or_cancel("Replace", "memory.yes_replace"):
        sidebar._save(name, replace=True)


@st.dialog("Delete conversation?", on_dismiss=_clear_confirm)
def _confirm_delete(sidebar: ConversationsSidebar, name: str) -> None:
    st.markdown(f"Delete {_quoted(name)} from disk? This cannot be undone.")
    if _yes_or_cancel("Yes, delete", "memory.yes_delete"):
        sidebar._delete(name)


@st.dialog("Discard unsaved messages?", on_dismiss=_clear_confirm)
def _confirm_discard(sidebar: ConversationsSidebar, name: str | None) -> None:
    unsaved = sidebar.controller.unsaved_count
    st.markdown(f"This chat has {unsaved} unsaved messages. Save it first, or discard them.")
    if _yes_or_cancel("Discard", "memory.yes_discard"):
        sidebar._switch(name)


DIALOGS = {
    "replace": _confirm_replace,
    "delete": _confirm_delete,
    "discard": _confirm_discard,
}
